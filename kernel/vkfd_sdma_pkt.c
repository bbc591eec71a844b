// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - SDMA v4 packet execution.
 */

/**
 * DOC: SDMA packets
 *
 * The executor runs the packets of one queue's ring from the read pointer
 * up to the write pointer the doorbell gave, under the context's
 * mem_lock, for one slice of work at most (vkfd_sdma.h). Pointers are
 * gfx9 SDMA's: 64-bit byte counts that only grow; the ring offset is the
 * pointer modulo the ring's size, and a packet may run past the ring's end
 * and continue at its start. The ring, and every address a packet names,
 * is read or written through the queue's GPU VM (vkfd_vm_access.c).
 *
 * A packet is executed once it is all in the ring (below the write
 * pointer); until then the queue waits for the doorbell to move. A packet
 * that moves data (COPY_LINEAR, COPY_LINEAR_RECT, WRITE_LINEAR,
 * CONST_FILL) is executed in pieces (vkfd_sdma_chunk()), between which a
 * slice may end (vkfd_sdma_exec.c); &vkfd_queue.sdma remembers how far it
 * got, and every piece translates its addresses afresh. COPY_LINEAR with
 * the broadcast bit writes two destinations, piece by piece: the first,
 * then the second. ATOMIC is
 * vkfd_sdma_atomic.c's, COPY_LINEAR_RECT
 * vkfd_sdma_rect.c's; the rest is here. What ROCm 5.2's runtime sends on
 * gfx9 is all executed; GCR (op 17), which it sends on gfx10 and later
 * only, is an invalid packet like every op not listed in
 * <linux/vkfd_sdma.h>.
 */
#include <kunit/visibility.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include "vkfd_priv.h"
#include "vkfd_queue.h"
#include "vkfd_sdma.h"
#include "vkfd_vm_access.h"

/* Header bits beyond op and sub_op that vkfd looks at */
#define VKFD_SDMA_POLL_FUNC_ALWAYS	0
#define VKFD_SDMA_POLL_FUNC_LT		1
#define VKFD_SDMA_POLL_FUNC_LE		2
#define VKFD_SDMA_POLL_FUNC_NE		4
#define VKFD_SDMA_POLL_FUNC_GE		5
#define VKFD_SDMA_POLL_FUNC_GT		6

/* Read @n dwords of the ring, from @pos bytes past the read pointer. */
static int vkfd_sdma_ring_read(struct vkfd_queue *q, u64 pos, u32 *dw,
			       unsigned int n, struct vkfd_vm_fault *fault)
{
	__le32 raw[VKFD_SDMA_FIXED_MAX];
	u64 off = (q->sdma.rptr + pos) & (q->ring_size - 1);
	size_t len = n * sizeof(*raw);
	size_t first = min_t(u64, len, q->ring_size - off);
	unsigned int i;

	if (vkfd_vm_read_locked(q->vm, q->ring_base + off, raw, first, fault))
		return -EFAULT;
	/* The rest wraps around to the ring's start. */
	if (first < len &&
	    vkfd_vm_read_locked(q->vm, q->ring_base, (u8 *)raw + first,
				len - first, fault))
		return -EFAULT;
	for (i = 0; i < n; i++)
		dw[i] = le32_to_cpu(raw[i]);
	return 0;
}

/**
 * vkfd_sdma_parked() - does the packet at the read pointer wait?
 * @q: the queue
 * @now: ktime_get_ns()
 *
 * A POLL_REGMEM whose condition was false, or a looping ATOMIC CMPSWAP
 * whose comparison failed, is tried again no sooner than
 * &vkfd_sdma_qstate.poll_next.
 *
 * Context: The engine executing @q.
 * Return: true if it is too early to try the packet again.
 */
bool vkfd_sdma_parked(const struct vkfd_queue *q, u64 now)
{
	return q->sdma.poll_tries && now < q->sdma.poll_next;
}

/**
 * vkfd_sdma_park() - try the packet at the read pointer again later
 * @q: the queue
 * @now: ktime_get_ns()
 * @interval: in units of 10 GPU clocks (10 ns)
 *
 * Counts a failed try and parks the queue on the packet: the engine
 * serves its other queues and comes back no sooner than @interval later
 * (vkfd_sdma_queue_ready()), without spinning on it.
 *
 * Context: The engine executing @q.
 * Return: %VKFD_SDMA_POLL.
 */
int vkfd_sdma_park(struct vkfd_queue *q, u64 now, u32 interval)
{
	if (q->sdma.poll_tries < U32_MAX)
		q->sdma.poll_tries++;
	q->sdma.poll_next = now + (u64)interval * VKFD_SDMA_POLL_UNIT_NS;
	return VKFD_SDMA_POLL;
}

/*
 * After a piece of a COPY or a FILL: @n more bytes of @total done after
 * @done, stopped by @ret if not 0. What the packet does next.
 */
static int vkfd_sdma_slice_done(struct vkfd_queue *q,
				struct vkfd_sdma_run *run, u64 done, u64 n,
				u64 total, int ret)
{
	vkfd_sdma_moved(run, n);
	q->sdma.pkt_done = done + n;
	if (ret)
		return VKFD_SDMA_FAULT;
	return q->sdma.pkt_done < total ? VKFD_SDMA_BUDGET : VKFD_SDMA_NEXT;
}

/*
 * COPY_LINEAR. With the broadcast bit, each piece goes to the first
 * destination, then to the second (dwords 7 and 8): the piece is half
 * what a slice allows, as every byte moves twice. What both got is done;
 * a fault in either stops the packet there.
 */
static int vkfd_sdma_copy(struct vkfd_queue *q, struct vkfd_sdma_run *run,
			  const struct vkfd_sdma_pkt *p)
{
	bool broadcast = p->dw[0] & VKFD_SDMA_COPY_BROADCAST;
	u64 total = (p->dw[1] & VKFD_SDMA_COPY_COUNT_MASK) + 1;
	u64 src = vkfd_sdma_addr(p->dw[3], p->dw[4]);
	u64 dst = vkfd_sdma_addr(p->dw[5], p->dw[6]);
	u64 done = min(q->sdma.pkt_done, total);
	u64 chunk = vkfd_sdma_chunk(run, total - done);
	u64 n, n2;
	int ret;

	if (broadcast)
		chunk = min(total - done, max_t(u64, chunk / 2, SZ_4K));
	ret = vkfd_vm_copy_locked(q->vm, dst + done, src + done, chunk, &n,
				  &run->fault);
	if (broadcast && !ret) {
		dst = vkfd_sdma_addr(p->dw[7], p->dw[8]);
		ret = vkfd_vm_copy_locked(q->vm, dst + done, src + done, n,
					  &n2, &run->fault);
		vkfd_sdma_moved(run, n);
		n = n2;
	}
	return vkfd_sdma_slice_done(q, run, done, n, total, ret);
}

/* WRITE_LINEAR: the data follows the 4 dwords of the header in the ring. */
static int vkfd_sdma_write(struct vkfd_queue *q, struct vkfd_sdma_run *run,
			   const struct vkfd_sdma_pkt *p)
{
	u64 dst = vkfd_sdma_addr(p->dw[1], p->dw[2]);
	u64 total = (p->ndw - VKFD_SDMA_WRITE_LINEAR_DW) * 4;
	u64 done = min(q->sdma.pkt_done, total);
	u64 chunk = vkfd_sdma_chunk(run, total - done);
	int ret = 0;

	while (chunk && !ret) {
		u64 off = (q->sdma.rptr + VKFD_SDMA_WRITE_LINEAR_DW * 4 + done) &
			  (q->ring_size - 1);
		u64 seg = min(chunk, q->ring_size - off), n;

		ret = vkfd_vm_copy_locked(q->vm, dst + done, q->ring_base + off,
					  seg, &n, &run->fault);
		vkfd_sdma_moved(run, n);
		done += n;
		chunk -= n;
	}
	q->sdma.pkt_done = done;
	if (ret)
		return VKFD_SDMA_FAULT;
	return done < total ? VKFD_SDMA_BUDGET : VKFD_SDMA_NEXT;
}

/*
 * CONST_FILL. With fill size 2 (dword), as ROCm's runtime sends it, the
 * count is (dwords - 1) * 4: its two low bits do not count. Otherwise it
 * is bytes - 1, as amdgpu sends it, and must make whole dwords.
 */
static int vkfd_sdma_fill(struct vkfd_queue *q, struct vkfd_sdma_run *run,
			  const struct vkfd_sdma_pkt *p)
{
	u64 dst = vkfd_sdma_addr(p->dw[1], p->dw[2]);
	u32 count = p->dw[4] & VKFD_SDMA_FILL_COUNT_MASK;
	u64 total = (u64)count + 1;
	u64 done, n;
	int ret;

	if (VKFD_SDMA_FILL_GET_SIZE(p->dw[0]) == VKFD_SDMA_FILL_SIZE_DWORD)
		total = ((u64)count / 4 + 1) * 4;
	done = min(q->sdma.pkt_done, total);
	/* Dword fills only: whole dwords at a dword-aligned address. */
	if ((dst | total) & 3)
		return VKFD_SDMA_INVALID;
	ret = vkfd_vm_fill_locked(q->vm, dst + done, p->dw[3],
				  vkfd_sdma_chunk(run, total - done), &n,
				  &run->fault);
	return vkfd_sdma_slice_done(q, run, done, n, total, ret);
}

/* Write @len bytes of @val at @va, after everything before it. */
static int vkfd_sdma_store(struct vkfd_queue *q, struct vkfd_sdma_run *run,
			   u64 va, const void *val, size_t len)
{
	/* A fence must not pass the data of the packets before it. */
	smp_wmb();
	if (vkfd_vm_write_locked(q->vm, va, val, len, &run->fault))
		return VKFD_SDMA_FAULT;
	vkfd_sdma_moved(run, len);
	return VKFD_SDMA_NEXT;
}

static int vkfd_sdma_fence(struct vkfd_queue *q, struct vkfd_sdma_run *run,
			   const struct vkfd_sdma_pkt *p)
{
	__le32 val = cpu_to_le32(p->dw[3]);

	return vkfd_sdma_store(q, run, vkfd_sdma_addr(p->dw[1], p->dw[2]),
			       &val, sizeof(val));
}

/* The GPU clock: what GET_CLOCK_COUNTERS reports as gpu_clock_counter. */
static int vkfd_sdma_timestamp(struct vkfd_queue *q,
			       struct vkfd_sdma_run *run,
			       const struct vkfd_sdma_pkt *p)
{
	__le64 val = cpu_to_le64(ktime_get_raw_ns());

	return vkfd_sdma_store(q, run, vkfd_sdma_addr(p->dw[1], p->dw[2]),
			       &val, sizeof(val));
}

static bool vkfd_sdma_poll_true(u32 func, u32 val, u32 ref)
{
	switch (func) {
	case VKFD_SDMA_POLL_FUNC_ALWAYS:
		return true;
	case VKFD_SDMA_POLL_FUNC_LT:
		return val < ref;
	case VKFD_SDMA_POLL_FUNC_LE:
		return val <= ref;
	case VKFD_SDMA_POLL_FUNC_EQUAL:
		return val == ref;
	case VKFD_SDMA_POLL_FUNC_NE:
		return val != ref;
	case VKFD_SDMA_POLL_FUNC_GE:
		return val >= ref;
	case VKFD_SDMA_POLL_FUNC_GT:
		return val > ref;
	}
	return false;
}

/*
 * POLL_REGMEM on memory: the queue stays on the packet until
 * (*addr & mask) func ref holds, polling again no sooner than interval x
 * 10 ns later; after 1 + retry-count failed polls it gives up and goes on
 * with the next packet, unless the retry count is 0xfff (forever).
 *
 * On a register (no MEM_POLL): the software GPU has no registers. With
 * HDP_FLUSH it is an HDP flush (amdgpu's), which the software GPU does
 * not need: done at once. With func 0, "always", the condition holds
 * whatever the register holds: done at once - ROCm's runtime flushes the
 * HDP on gfx9 with such a packet, { 0x8, 0, 0x80000000, 0, 0, 0 }. Any
 * other register poll would wait for a value nothing can ever produce:
 * an invalid packet, the queue halts, rather than hang or pretend.
 */
static int vkfd_sdma_poll(struct vkfd_queue *q, struct vkfd_sdma_run *run,
			  const struct vkfd_sdma_pkt *p)
{
	u32 func = VKFD_SDMA_POLL_GET_FUNC(p->dw[0]);
	u32 retries = (p->dw[5] >> 16) & VKFD_SDMA_POLL_RETRY_FOREVER;
	u32 interval = p->dw[5] & 0xffff;
	__le32 raw;
	u64 now;

	if (!(p->dw[0] & VKFD_SDMA_POLL_MEM))
		return (p->dw[0] & VKFD_SDMA_POLL_HDP_FLUSH) ||
		       func == VKFD_SDMA_POLL_FUNC_ALWAYS ?
		       VKFD_SDMA_NEXT : VKFD_SDMA_INVALID;
	if (func > VKFD_SDMA_POLL_FUNC_GT)
		return VKFD_SDMA_INVALID;

	now = ktime_get_ns();
	if (vkfd_sdma_parked(q, now))
		return VKFD_SDMA_POLL;
	if (vkfd_vm_read_locked(q->vm, vkfd_sdma_addr(p->dw[1], p->dw[2]),
				&raw, sizeof(raw), &run->fault))
		return VKFD_SDMA_FAULT;
	if (vkfd_sdma_poll_true(func, le32_to_cpu(raw) & p->dw[4], p->dw[3]))
		return VKFD_SDMA_NEXT;

	/* This failed poll is number poll_tries + 1. */
	if (retries != VKFD_SDMA_POLL_RETRY_FOREVER &&
	    q->sdma.poll_tries >= retries)
		return VKFD_SDMA_NEXT;
	return vkfd_sdma_park(q, now, interval);
}

/*
 * Can a packet of @ndw dwords be executed with @avail bytes in the ring?
 * One longer than the ring never can.
 */
static int vkfd_sdma_pkt_fits(const struct vkfd_queue *q, u64 ndw, u64 avail)
{
	if (ndw * 4 > q->ring_size)
		return VKFD_SDMA_INVALID;
	if (ndw * 4 > avail)
		return VKFD_SDMA_STALL;
	return VKFD_SDMA_NEXT;
}

/*
 * The length of the packet whose header is @h, as far as the header
 * tells, and how many dwords of it to read (*@fixed); 0 if vkfd does not
 * execute it.
 */
static u64 vkfd_sdma_pkt_len(u32 h, unsigned int *fixed)
{
	u32 sub_op = VKFD_SDMA_HEADER_SUB_OP(h);

	*fixed = 1;
	switch (VKFD_SDMA_HEADER_OP(h)) {
	case VKFD_SDMA_OP_NOP:
		/* The count dwords are skipped, never read. */
		return VKFD_SDMA_NOP_DW + VKFD_SDMA_NOP_GET_COUNT(h);
	case VKFD_SDMA_OP_COPY:
		if (sub_op == VKFD_SDMA_SUBOP_COPY_LINEAR_RECT) {
			*fixed = VKFD_SDMA_COPY_LINEAR_RECT_DW;
			break;
		}
		if (sub_op != VKFD_SDMA_SUBOP_COPY_LINEAR)
			return 0;
		*fixed = h & VKFD_SDMA_COPY_BROADCAST ?
			 VKFD_SDMA_COPY_BROADCAST_DW : VKFD_SDMA_COPY_LINEAR_DW;
		break;
	case VKFD_SDMA_OP_WRITE:
		if (sub_op != VKFD_SDMA_SUBOP_WRITE_LINEAR)
			return 0;
		/* The data's length is in the fixed part. */
		*fixed = VKFD_SDMA_WRITE_LINEAR_DW;
		break;
	case VKFD_SDMA_OP_CONST_FILL:
		*fixed = VKFD_SDMA_CONST_FILL_DW;
		break;
	case VKFD_SDMA_OP_FENCE:
		*fixed = VKFD_SDMA_FENCE_DW;
		break;
	case VKFD_SDMA_OP_TRAP:
		*fixed = VKFD_SDMA_TRAP_DW;
		break;
	case VKFD_SDMA_OP_TIMESTAMP:
		if (sub_op != VKFD_SDMA_SUBOP_TIMESTAMP_GET_GLOBAL)
			return 0;
		*fixed = VKFD_SDMA_TIMESTAMP_DW;
		break;
	case VKFD_SDMA_OP_POLL_REGMEM:
		*fixed = VKFD_SDMA_POLL_REGMEM_DW;
		break;
	case VKFD_SDMA_OP_ATOMIC:
		*fixed = VKFD_SDMA_ATOMIC_DW;
		break;
	default:
		return 0;
	}
	return *fixed;
}

/*
 * Execute (or go on with) the packet at the read pointer: the SDMA
 * queues' &vkfd_queue_ops.exec_pkt_locked.
 */
static int vkfd_sdma_exec_pkt_locked(struct vkfd_queue *q,
				     struct vkfd_sdma_run *run)
{
	u64 avail = run->wptr - q->sdma.rptr;
	struct vkfd_sdma_pkt p;
	unsigned int fixed;
	int st;

	if (vkfd_sdma_ring_read(q, 0, p.dw, 1, &run->fault))
		return VKFD_SDMA_FAULT;
	p.ndw = vkfd_sdma_pkt_len(p.dw[0], &fixed);
	if (!p.ndw)
		return VKFD_SDMA_INVALID;
	st = vkfd_sdma_pkt_fits(q, p.ndw, avail);
	if (st)
		return st;
	if (fixed > 1 &&
	    vkfd_sdma_ring_read(q, 4, p.dw + 1, fixed - 1, &run->fault))
		return VKFD_SDMA_FAULT;

	switch (VKFD_SDMA_HEADER_OP(p.dw[0])) {
	case VKFD_SDMA_OP_COPY:
		if (VKFD_SDMA_HEADER_SUB_OP(p.dw[0]) ==
		    VKFD_SDMA_SUBOP_COPY_LINEAR_RECT)
			st = vkfd_sdma_copy_rect(q, run, &p);
		else
			st = vkfd_sdma_copy(q, run, &p);
		break;
	case VKFD_SDMA_OP_WRITE:
		p.ndw += (p.dw[3] & VKFD_SDMA_WRITE_COUNT_MASK) + 1;
		st = vkfd_sdma_pkt_fits(q, p.ndw, avail);
		if (!st)
			st = vkfd_sdma_write(q, run, &p);
		break;
	case VKFD_SDMA_OP_CONST_FILL:
		st = vkfd_sdma_fill(q, run, &p);
		break;
	case VKFD_SDMA_OP_FENCE:
		st = vkfd_sdma_fence(q, run, &p);
		break;
	case VKFD_SDMA_OP_TRAP:
		run->int_context = p.dw[1] & VKFD_SDMA_TRAP_INT_CONTEXT_MASK;
		run->traps++;
		st = VKFD_SDMA_TRAP;
		break;
	case VKFD_SDMA_OP_TIMESTAMP:
		st = vkfd_sdma_timestamp(q, run, &p);
		break;
	case VKFD_SDMA_OP_POLL_REGMEM:
		st = vkfd_sdma_poll(q, run, &p);
		break;
	case VKFD_SDMA_OP_ATOMIC:
		st = vkfd_sdma_atomic(q, run, &p);
		break;
	default:
		/* NOP */
		st = VKFD_SDMA_NEXT;
		break;
	}
	if (st != VKFD_SDMA_NEXT && st != VKFD_SDMA_TRAP)
		return st;

	q->sdma.rptr += p.ndw * 4;
	run->budget -= VKFD_SDMA_PKT_COST;
	return st;
}

/**
 * vkfd_sdma_queue_ready() - might the engine make progress on a queue?
 * @q: the queue
 * @wptr: the write pointer its doorbell holds now
 * @now: ktime_get_ns()
 *
 * A cheap check without locks, before the engine takes the context's
 * mem_lock: false if the queue is halted, has nothing to do, waits for
 * the rest of an incomplete packet and the doorbell has not moved, or
 * waits for the next poll of a POLL_REGMEM packet.
 *
 * Context: Any; the caller is the engine the queue is started on.
 * Return: true if vkfd_sdma_exec_locked() is worth calling.
 */
bool vkfd_sdma_queue_ready(const struct vkfd_queue *q, u64 wptr, u64 now)
{
	if (READ_ONCE(q->sdma.halted) || wptr == q->sdma.rptr)
		return false;
	if (q->sdma.stalled && q->sdma.stall_wptr == wptr)
		return false;
	if (q->sdma.pkt_rptr == q->sdma.rptr && vkfd_sdma_parked(q, now))
		return false;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_sdma_queue_ready);

/**
 * vkfd_sdma_rptr_write_locked() - tell user space how far the queue got
 * @q: the queue
 * @fault: filled in if the write faults
 *
 * Writes &vkfd_sdma_qstate.rptr (u64, bytes) to the GPU VA &vkfd_queue.rptr_va,
 * after everything the packets before it wrote.
 *
 * Context: Process context. The caller holds the queue's
 * &vkfd_ctx.mem_lock.
 * Return: 0, or -EFAULT if the read pointer's address is not writable.
 */
int vkfd_sdma_rptr_write_locked(struct vkfd_queue *q,
				struct vkfd_vm_fault *fault)
{
	__le64 rptr = cpu_to_le64(q->sdma.rptr);

	lockdep_assert_held(&q->ctx->mem_lock);

	/* What the packets wrote is seen before the pointer past them. */
	smp_wmb();
	return vkfd_vm_write_locked(q->vm, q->rptr_va, &rptr, sizeof(rptr),
				    fault);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_sdma_rptr_write_locked);

const struct vkfd_queue_ops vkfd_sdma_queue_ops = {
	.ready = vkfd_sdma_queue_ready,
	.exec_pkt_locked = vkfd_sdma_exec_pkt_locked,
	.rptr_write_locked = vkfd_sdma_rptr_write_locked,
	.wptr_unit = 1,
};
EXPORT_SYMBOL_IF_KUNIT(vkfd_sdma_queue_ops);
