// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - the engines' packet loop: one slice of one queue, whatever its type.
 */

/**
 * DOC: The packet loop
 *
 * Every queue type executes its packets in the same loop,
 * vkfd_sdma_exec_locked(): check the write pointer, end the slice once it
 * is spent, forget the state of a packet left behind, execute one packet
 * (or one piece of it) through &vkfd_queue_ops.exec_pkt_locked, let others
 * run, and again. What differs between SDMA, PM4 and AQL is only the
 * packet, and the unit of the write pointer (&vkfd_queue_ops.wptr_unit).
 *
 * A slice is bounded in work and in time. In work: VKFD_SDMA_SLICE of
 * budget, every packet costing VKFD_SDMA_PKT_COST and every byte it moves
 * one more, and VKFD_SDMA_SLICE_TRAPS TRAPs. In time: VKFD_SDMA_SLICE_NS
 * after it began (&vkfd_sdma_run.end), read on local_clock(), the
 * cheapest clock (ktime_get_ns() may be an HPET read under qemu), between
 * two packets and between two pieces of a packet that moves data. A
 * packet that moves data is executed in pieces of at most
 * VKFD_SDMA_CHUNK (vkfd_sdma_chunk()), so a slice ends at most one piece
 * late. The time bound is what a neighbour waits for: a byte budget lasts
 * as long as the CPU takes to copy it, which under emulation is
 * milliseconds. Each call executes at least one packet or piece before
 * it looks at the clock, so every slice makes progress, however late the
 * engine got to run.
 */
#include <kunit/visibility.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sizes.h>

#include "vkfd_priv.h"
#include "vkfd_queue.h"
#include "vkfd_sdma.h"

/**
 * vkfd_sdma_slice_over() - is the slice spent?
 * @run: the slice
 * @timed: something was executed in this call: the clock counts too
 *
 * Context: Any.
 * Return: true once the budget or the TRAPs of @run are spent, or, if
 * @timed, its end (&vkfd_sdma_run.end, if not 0) has passed.
 */
bool vkfd_sdma_slice_over(const struct vkfd_sdma_run *run, bool timed)
{
	if (run->budget <= 0 || run->traps >= VKFD_SDMA_SLICE_TRAPS)
		return true;
	return timed && run->end && local_clock() >= run->end;
}

/**
 * vkfd_sdma_chunk() - how much of a packet to do in one piece
 * @run: the slice
 * @left: bytes the packet still has to move
 *
 * What the budget allows, but at least a page, so that every slice moves
 * on, and at most VKFD_SDMA_CHUNK, so that the slice's clock is looked at
 * soon enough; a multiple of 4, for CONST_FILL.
 *
 * Context: Any.
 * Return: bytes, at most @left.
 */
u64 vkfd_sdma_chunk(const struct vkfd_sdma_run *run, u64 left)
{
	long allow = clamp_t(long, run->budget, SZ_4K, VKFD_SDMA_CHUNK);

	return min_t(u64, left, ALIGN_DOWN(allow, 4));
}

/**
 * vkfd_sdma_exec_locked() - execute a queue's packets, for one slice
 * @q: the queue, with &vkfd_queue.ops; not halted
 * @run: the write pointer, the budget and the end; receives what happened
 *
 * Executes packets from &vkfd_sdma_qstate.rptr towards @run->wptr (for a
 * queue type with a write pointer), advancing the read pointer past each
 * packet done, until one of the reasons of &enum vkfd_sdma_status stops
 * it. A write pointer behind the read pointer, more than the ring ahead
 * of it, or not on a dword, is invalid. Does not write the read pointer
 * back to memory, halt the queue, or signal anything: the caller does, by
 * the status. Bytes a packet wrote before a fault stay written.
 *
 * Context: Process context; may sleep. The caller holds the queue's
 * &vkfd_ctx.mem_lock and is the only one to execute @q.
 * Return: why it stopped; %VKFD_SDMA_TRAP right after the TRAP (or
 * interrupt) is executed: call again after signalling it.
 */
enum vkfd_sdma_status vkfd_sdma_exec_locked(struct vkfd_queue *q,
					    struct vkfd_sdma_run *run)
{
	const struct vkfd_queue_ops *ops = q->ops;
	struct vkfd_sdma_qstate *s = &q->sdma;
	bool timed = false;
	int st;

	lockdep_assert_held(&q->ctx->mem_lock);

	s->stalled = false;
	for (;;) {
		if (ops->wptr_unit) {
			u64 avail = run->wptr - s->rptr;

			if (!avail)
				return VKFD_SDMA_IDLE;
			/* Behind the read pointer wraps around to huge. */
			if (((avail * ops->wptr_unit) & 3) ||
			    avail > q->ring_size / ops->wptr_unit)
				return VKFD_SDMA_INVALID;
		}
		if (vkfd_sdma_slice_over(run, timed))
			return VKFD_SDMA_BUDGET;
		if (s->pkt_rptr != s->rptr) {
			s->pkt_rptr = s->rptr;
			s->pkt_done = 0;
			s->poll_tries = 0;
		}

		st = ops->exec_pkt_locked(q, run);
		timed = true;
		/* A packet done, or a piece of one: others may run. */
		if (st == VKFD_SDMA_NEXT || st == VKFD_SDMA_BUDGET) {
			cond_resched();
			continue;
		}
		if (st == VKFD_SDMA_STALL) {
			s->stalled = true;
			s->stall_wptr = run->wptr;
		}
		return st;
	}
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_sdma_exec_locked);

/**
 * vkfd_sdma_queue_ring_changed() - forget the packet a queue was in
 * @q: a stopped queue, whose ring UPDATE_QUEUE is changing
 *
 * The engine remembers how far it got in the packet at the read pointer
 * (bytes of a copy done, polls tried, a wait for the rest of a packet).
 * With another ring, the packet at the read pointer is another one: it
 * starts afresh. The read pointer itself stays, as amdkfd's.
 *
 * Context: Process context; the caller holds &vkfd_ctx.queue_lock and
 * has stopped @q.
 */
void vkfd_sdma_queue_ring_changed(struct vkfd_queue *q)
{
	struct vkfd_sdma_qstate *s = &q->sdma;

	s->pkt_rptr = s->rptr;
	s->pkt_done = 0;
	s->sub_done = 0;
	s->poll_tries = 0;
	s->poll_next = 0;
	s->stall_wptr = 0;
	s->stalled = false;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_sdma_queue_ring_changed);
