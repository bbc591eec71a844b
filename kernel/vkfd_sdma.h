/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vkfd - the SDMA packet executor (vkfd_sdma_pkt.c), which the engine
 * threads (vkfd_sdma.c) drive.
 */
#ifndef _VKFD_SDMA_H_
#define _VKFD_SDMA_H_

#include <linux/list.h>
#include <linux/sizes.h>
#include <linux/time64.h>
#include <linux/types.h>
#include <linux/vkfd_sdma.h>

#include "vkfd_vm_access.h"

struct vkfd_gpu;
struct vkfd_queue;
struct vkfd_sdma_engine;
struct vkfd_sdma_group;

/**
 * struct vkfd_sdma_qstate - the SDMA engine's part of a queue
 *	(&vkfd_queue.sdma), which only the engine code (vkfd_sdma*.c) writes;
 *	zero initially, @engine_node an empty list
 * @engine: the engine the queue is started on, NULL while stopped;
 *	see vkfd_sdma_queue_start()
 * @group: its doorbell slice's queues on @engine, NULL while stopped
 * @engine_node: entry in @group's queue list
 * @visits: times the engine looked at the queue (the test hooks')
 * @slice_traps: the most TRAPs one slice of the queue executed (the test
 *	hooks'); written with WRITE_ONCE()
 * @rptr: the read pointer, bytes, never reduced modulo the ring (the
 *	ring offset is @rptr & (&vkfd_queue.ring_size - 1))
 * @halted: a fault, or a packet or doorbell value the engine cannot
 *	execute, stopped the queue for good (written with WRITE_ONCE(), may
 *	be read locklessly)
 * @pkt_rptr: the read pointer the fields below are about: the packet
 *	being executed. They are reset when the read pointer moves on, and
 *	are what the engine remembers of a partly executed packet between
 *	two slices of work (vkfd_sdma_pkt.c).
 * @pkt_done: bytes of that packet's work done (COPY_LINEAR,
 *	COPY_LINEAR_RECT, CONST_FILL, WRITE_LINEAR)
 * @sub_done: bytes done of the DMA_DATA at @pkt_done in a PM4 indirect
 *	buffer, whose @pkt_done counts the buffer's dwords (vkfd_pm4_mem.c);
 *	0 when none is partly done
 * @poll_tries: failed tries of that POLL_REGMEM or looping ATOMIC CMPSWAP
 * @poll_next: ktime_get_ns() at which that packet is tried again
 * @stall_wptr: doorbell value at which the packet at the read pointer
 *	was found incomplete; the engine waits for another value
 * @stalled: @stall_wptr is valid
 */
struct vkfd_sdma_qstate {
	struct vkfd_sdma_engine *engine;
	struct vkfd_sdma_group *group;
	struct list_head engine_node;
	u64 visits;
	u32 slice_traps;
	u64 rptr;
	bool halted;
	u64 pkt_rptr;
	u64 pkt_done;
	u64 sub_done;
	u32 poll_tries;
	u64 poll_next;
	u64 stall_wptr;
	bool stalled;
};

/*
 * A slice: what one engine does for one queue under one hold of the
 * context's mem_lock (vkfd_sdma_exec.c). Every packet costs
 * VKFD_SDMA_PKT_COST, and each byte it moves one more; a slice ends once
 * VKFD_SDMA_SLICE is spent (at most 4096 packets, about 1 MiB of data),
 * after VKFD_SDMA_SLICE_TRAPS TRAP packets (each signals an event, which
 * wakes its waiters), or VKFD_SDMA_SLICE_NS after it began.
 *
 * The time bound is what another context waits for, a slice per ready
 * context on the engine: 200 us keeps a round of a few contexts well
 * under a millisecond, yet is long enough that a slice is mostly work
 * (a slice costs a trylock, a read pointer write and a few clock reads;
 * a page of copy about a microsecond, under TCG a few). A piece of a
 * copy or fill (VKFD_SDMA_CHUNK) is 64 KiB: a few microseconds natively,
 * some tens under TCG, well under the slice.
 */
#define VKFD_SDMA_SLICE		((long)SZ_1M)
#define VKFD_SDMA_PKT_COST	256
#define VKFD_SDMA_SLICE_TRAPS	32
#define VKFD_SDMA_SLICE_NS	(200 * NSEC_PER_USEC)
#define VKFD_SDMA_CHUNK		SZ_64K

/**
 * enum vkfd_sdma_status - why vkfd_sdma_exec_locked() returned
 * @VKFD_SDMA_IDLE: everything up to the doorbell's write pointer is done
 * @VKFD_SDMA_BUDGET: the slice's budget, TRAPs or time are spent; there
 *	is more to do. From &vkfd_queue_ops.exec_pkt_locked: a piece of the
 *	packet is done, not all of it
 * @VKFD_SDMA_STALL: the packet at the read pointer is not all in the ring
 *	yet; nothing to do until the doorbell moves
 * @VKFD_SDMA_POLL: a POLL_REGMEM condition is false; poll again at
 *	&vkfd_sdma_qstate.poll_next
 * @VKFD_SDMA_TRAP: a TRAP packet was executed: signal
 *	&vkfd_sdma_run.int_context, then call again
 * @VKFD_SDMA_FAULT: a GPU page fault, &vkfd_sdma_run.fault; the read
 *	pointer is at the packet that faulted
 * @VKFD_SDMA_INVALID: an unknown or malformed packet at the read pointer,
 *	or a write pointer that cannot be: not a multiple of 4, or more than
 *	the ring's size ahead of the read pointer
 */
enum vkfd_sdma_status {
	VKFD_SDMA_IDLE = 1,
	VKFD_SDMA_BUDGET,
	VKFD_SDMA_STALL,
	VKFD_SDMA_POLL,
	VKFD_SDMA_TRAP,
	VKFD_SDMA_FAULT,
	VKFD_SDMA_INVALID,
};

/**
 * struct vkfd_sdma_run - one call of the executor
 * @wptr: in: the write pointer, bytes, as read from the doorbell
 * @budget: in/out: what is left of the slice (VKFD_SDMA_SLICE at first)
 * @end: in: local_clock() at which the slice ends; 0 for no time bound
 * @moved: out: bytes written to memory by the packets, added up
 * @traps: in/out: TRAP packets executed in the slice (0 at first)
 * @int_context: out: for %VKFD_SDMA_TRAP, the TRAP's int_context
 * @fault: out: for %VKFD_SDMA_FAULT, the fault
 */
struct vkfd_sdma_run {
	u64 wptr;
	long budget;
	u64 end;
	u64 moved;
	unsigned int traps;
	u32 int_context;
	struct vkfd_vm_fault fault;
};

/*
 * The executor's own: what the packet handlers of vkfd_sdma_pkt.c,
 * vkfd_sdma_atomic.c and vkfd_sdma_rect.c share.
 */

/* The longest fixed part of a packet, in dwords */
#define VKFD_SDMA_FIXED_MAX		VKFD_SDMA_COPY_LINEAR_RECT_DW

/* POLL_REGMEM's and ATOMIC's intervals: units of 10 GPU clocks (1 GHz). */
#define VKFD_SDMA_POLL_UNIT_NS		10

/* "Execute the next packet": what a packet handler returns when done */
#define VKFD_SDMA_NEXT			0

/**
 * struct vkfd_sdma_pkt - a packet at the read pointer
 * @dw: its fixed part, converted to CPU order
 * @ndw: its length in dwords, data of WRITE_LINEAR and NOP included
 */
struct vkfd_sdma_pkt {
	u32 dw[VKFD_SDMA_FIXED_MAX];
	u64 ndw;
};

static inline u64 vkfd_sdma_addr(u32 lo, u32 hi)
{
	return (u64)hi << 32 | lo;
}

/* Account @n bytes a packet wrote. */
static inline void vkfd_sdma_moved(struct vkfd_sdma_run *run, u64 n)
{
	run->moved += n;
	run->budget -= n;
}

u64 vkfd_sdma_chunk(const struct vkfd_sdma_run *run, u64 left);
bool vkfd_sdma_slice_over(const struct vkfd_sdma_run *run, bool timed);
bool vkfd_sdma_parked(const struct vkfd_queue *q, u64 now);
int vkfd_sdma_park(struct vkfd_queue *q, u64 now, u32 interval);
int vkfd_sdma_atomic(struct vkfd_queue *q, struct vkfd_sdma_run *run,
		     const struct vkfd_sdma_pkt *p);

/**
 * struct vkfd_sdma_alu - one atomic operation, for vkfd_sdma_alu()
 * @op: VKFD_SDMA_ATOMIC_SWAP .. _DEC
 * @bits: 32 or 64
 * @src: the packet's source operand, cut to @bits
 * @cmp: the packet's compare operand, cut to @bits
 * @swapped: out: a CMPSWAP found the value equal to @cmp
 */
struct vkfd_sdma_alu {
	u32 op;
	unsigned int bits;
	u64 src;
	u64 cmp;
	bool swapped;
};

bool vkfd_sdma_alu(u64 *v, void *arg);
bool vkfd_sdma_alu_valid(u32 op);
int vkfd_sdma_alu_exec(struct vkfd_queue *q, struct vkfd_sdma_run *run,
		       u64 va, struct vkfd_sdma_alu *a, bool loop,
		       u32 interval, bool count);
int vkfd_sdma_copy_rect(struct vkfd_queue *q, struct vkfd_sdma_run *run,
			const struct vkfd_sdma_pkt *p);

/**
 * struct vkfd_queue_ops - how the engines execute the queues of one type
 * @ready: a cheap check without locks: might vkfd_sdma_exec_locked()
 *	make progress, the doorbell reading @wptr at @now? False for a halted
 *	queue. Process context, the caller is the engine the queue is
 *	started on.
 * @exec_pkt_locked: execute (or go on with) the packet at
 *	&vkfd_sdma_qstate.rptr, within the slice: once it is done, advance
 *	the read pointer past it, charge VKFD_SDMA_PKT_COST and return
 *	VKFD_SDMA_NEXT, or %VKFD_SDMA_TRAP for a TRAP (an interrupt);
 *	%VKFD_SDMA_BUDGET when a piece of it is done and more is left;
 *	%VKFD_SDMA_IDLE when there is no packet; otherwise why it cannot go
 *	on. Never halts the queue, writes the read pointer back or signals:
 *	the engine does, by the status. The caller holds
 *	&vkfd_ctx.mem_lock and runs the loop around it (vkfd_sdma_exec.c).
 * @rptr_write_locked: write &vkfd_sdma_qstate.rptr back where user space
 *	reads it; 0 or -EFAULT (the fault filled in). The caller holds
 *	&vkfd_ctx.mem_lock.
 * @doorbell_unrung: what the queue's doorbell holds until user space
 *	first writes it (0 for SDMA and PM4; AQL's first ring is packet id 0)
 * @wptr_unit: bytes per unit of the doorbell's write pointer (1 for SDMA,
 *	4 for PM4), which vkfd_sdma_exec_locked() checks against the read
 *	pointer and the ring's size; 0 if the doorbell holds no write
 *	pointer (AQL: the packets' headers say what is there)
 *
 * The engine (vkfd_sdma.c) knows nothing of a queue's packets: it reads
 * the doorbell and calls these. &vkfd_sdma_qstate.rptr and the doorbell
 * are in the units of the queue's type (bytes for SDMA); the engine only
 * compares them. A queue type without ops executes nothing.
 */
struct vkfd_queue_ops {
	bool (*ready)(const struct vkfd_queue *q, u64 wptr, u64 now);
	int (*exec_pkt_locked)(struct vkfd_queue *q, struct vkfd_sdma_run *run);
	int (*rptr_write_locked)(struct vkfd_queue *q,
				 struct vkfd_vm_fault *fault);
	u64 doorbell_unrung;
	unsigned int wptr_unit;
};

/* SDMA and SDMA_XGMI queues (vkfd_sdma_pkt.c) */
extern const struct vkfd_queue_ops vkfd_sdma_queue_ops;

bool vkfd_sdma_queue_ready(const struct vkfd_queue *q, u64 wptr, u64 now);
int vkfd_sdma_rptr_write_locked(struct vkfd_queue *q,
				struct vkfd_vm_fault *fault);

/* vkfd_sdma_exec.c: the packet loop of every queue type */
enum vkfd_sdma_status vkfd_sdma_exec_locked(struct vkfd_queue *q,
					    struct vkfd_sdma_run *run);
void vkfd_sdma_queue_ring_changed(struct vkfd_queue *q);

/* vkfd_sdma.c: the SDMA engines */
int vkfd_sdma_init(struct vkfd_gpu *gpu);
void vkfd_sdma_fini(struct vkfd_gpu *gpu);
void vkfd_sdma_queue_start(struct vkfd_queue *q);
void vkfd_sdma_queue_stop(struct vkfd_queue *q);

#endif /* _VKFD_SDMA_H_ */
