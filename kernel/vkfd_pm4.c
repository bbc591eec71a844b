// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - gfx9 PM4 packet execution on compute queues.
 */

/**
 * DOC: PM4 packets
 *
 * COMPUTE queues run PM4 packets (<linux/vkfd_pm4.h>) on the engines of
 * vkfd_sdma.c, as SDMA queues run theirs: one slice at a time, under the
 * context's mem_lock, every address - the ring's, an indirect buffer's,
 * the read pointer's - through the queue's GPU VM. Pointers are those of
 * a gfx9 KFD compute queue: the doorbell holds the write pointer in
 * dwords (u64, never reduced modulo the ring) and the engine writes the
 * read pointer back as a u32 at read_pointer_address, the dword offset in
 * the ring (CP_HQD_PQ_RPTR_REPORT_ADDR); &vkfd_sdma_qstate.rptr counts
 * dwords. A packet may run past the ring's end and go on at its start.
 *
 * A packet is executed once it is all in the ring; it must not be longer
 * than the ring, nor shorter than its opcode's fixed part. Extra dwords
 * after the fixed part are ignored. Each costs VKFD_SDMA_PKT_COST of the
 * slice's budget, plus the bytes it writes; a RELEASE_MEM or QUERY_STATUS
 * interrupt counts as an SDMA TRAP (VKFD_SDMA_SLICE_TRAPS per slice).
 *
 * An INDIRECT_BUFFER executes the packets of its buffer, one level only:
 * an INDIRECT_BUFFER in an indirect buffer, a chained one (chain bit),
 * one without the valid bit and a packet that runs past the buffer's end
 * are invalid. The buffer's packets count against the budget like the
 * ring's; &vkfd_sdma_qstate.pkt_done is the dword offset of the next one
 * to execute, so a slice, a trap, a poll or a stopped queue resumes in
 * the buffer where it left, while the read pointer stays at the
 * INDIRECT_BUFFER until its last packet is done.
 *
 * COPY_DATA, ATOMIC_MEM, DMA_DATA and COND_WRITE, which only touch
 * memory, are
 * vkfd_pm4_mem.c's.
 *
 * vkfd has no shader engine and no registers. SET_CONFIG_REG,
 * SET_CONTEXT_REG, SET_SH_REG, SET_SH_REG_INDEX, SET_UCONFIG_REG and
 * WRITE_DATA to a register are executed without effect: they configure
 * a dispatch. DISPATCH_DIRECT and DISPATCH_INDIRECT halt the queue as an
 * invalid packet does, the read pointer (written back) at the dispatch:
 * reporting a dispatch done without running it would let a completion
 * signal after it claim work that was never done. Every opcode not listed
 * in <linux/vkfd_pm4.h>, and type 0 and 1 headers, are invalid.
 */
#include <kunit/visibility.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/sched.h>

#include <linux/vkfd_pm4.h>

#include "vkfd_pm4.h"
#include "vkfd_priv.h"
#include "vkfd_queue.h"
#include "vkfd_sdma.h"
#include "vkfd_vm_access.h"

/*
 * WAIT_REG_MEM operation 1 (write, wait, write) on registers with func
 * "equal" is amdgpu's HDP flush: nothing to do on a software GPU.
 */
#define VKFD_PM4_WRM_OP_WAIT		0
#define VKFD_PM4_WRM_OP_WR_WAIT_WR	1
#define VKFD_PM4_WRM_SPACE_REG		0
#define VKFD_PM4_WRM_SPACE_MEM		1

/* Per opcode: dwords of the fixed part to read, and the shortest packet */
struct vkfd_pm4_op {
	u8 fixed;
	u8 min;
};

static const struct vkfd_pm4_op vkfd_pm4_ops[256] = {
	[VKFD_PM4_OP_NOP] = { 1, 2 },
	[VKFD_PM4_OP_DISPATCH_DIRECT] = { 1, VKFD_PM4_DISPATCH_DIRECT_DW },
	[VKFD_PM4_OP_DISPATCH_INDIRECT] = { 1, VKFD_PM4_DISPATCH_INDIRECT_DW },
	[VKFD_PM4_OP_WRITE_DATA] = { VKFD_PM4_WRITE_DATA_DW,
				     VKFD_PM4_WRITE_DATA_DW + 1 },
	[VKFD_PM4_OP_WAIT_REG_MEM] = { VKFD_PM4_WAIT_REG_MEM_DW,
				       VKFD_PM4_WAIT_REG_MEM_DW },
	[VKFD_PM4_OP_INDIRECT_BUFFER] = { VKFD_PM4_INDIRECT_BUFFER_DW,
					  VKFD_PM4_INDIRECT_BUFFER_DW },
	[VKFD_PM4_OP_EVENT_WRITE] = { VKFD_PM4_EVENT_WRITE_DW,
				      VKFD_PM4_EVENT_WRITE_DW },
	[VKFD_PM4_OP_RELEASE_MEM] = { VKFD_PM4_RELEASE_MEM_DW,
				      VKFD_PM4_RELEASE_MEM_DW },
	[VKFD_PM4_OP_ACQUIRE_MEM] = { 1, VKFD_PM4_ACQUIRE_MEM_DW },
	[VKFD_PM4_OP_SET_CONFIG_REG] = { 1, VKFD_PM4_SET_REG_DW + 1 },
	[VKFD_PM4_OP_SET_CONTEXT_REG] = { 1, VKFD_PM4_SET_REG_DW + 1 },
	[VKFD_PM4_OP_SET_SH_REG] = { 1, VKFD_PM4_SET_REG_DW + 1 },
	[VKFD_PM4_OP_SET_UCONFIG_REG] = { 1, VKFD_PM4_SET_REG_DW + 1 },
	[VKFD_PM4_OP_WAIT_REG_MEM64] = { VKFD_PM4_WAIT_REG_MEM64_DW,
					 VKFD_PM4_WAIT_REG_MEM64_DW },
	[VKFD_PM4_OP_SET_SH_REG_INDEX] = { 1, VKFD_PM4_SET_REG_DW + 1 },
	[VKFD_PM4_OP_QUERY_STATUS] = { VKFD_PM4_QUERY_STATUS_DW,
				       VKFD_PM4_QUERY_STATUS_DW },
	/* vkfd_pm4_mem.c */
	[VKFD_PM4_OP_COPY_DATA] = { VKFD_PM4_COPY_DATA_DW,
				    VKFD_PM4_COPY_DATA_DW },
	[VKFD_PM4_OP_ATOMIC_MEM] = { VKFD_PM4_ATOMIC_MEM_DW,
				     VKFD_PM4_ATOMIC_MEM_DW },
	[VKFD_PM4_OP_DMA_DATA] = { VKFD_PM4_DMA_DATA_DW,
				   VKFD_PM4_DMA_DATA_DW },
	[VKFD_PM4_OP_COND_WRITE] = { VKFD_PM4_COND_WRITE_DW,
				     VKFD_PM4_COND_WRITE_DW },
};

/* The VA of the dword @at dwords into the packet at @src. */
static u64 vkfd_pm4_va(const struct vkfd_pm4_src *src, u64 at)
{
	return src->base + ((src->pos + at * 4) & src->mask);
}

/* Bytes from the dword @at of the packet at @src to the ring's end. */
static u64 vkfd_pm4_contig(const struct vkfd_pm4_src *src, u64 at)
{
	if (src->ib)
		return U64_MAX;
	return src->mask + 1 - ((src->pos + at * 4) & src->mask);
}

/* Read @n dwords of the packet at @src, from its dword @at. */
static int vkfd_pm4_read(struct vkfd_queue *q, const struct vkfd_pm4_src *src,
			 u64 at, u32 *dw, unsigned int n,
			 struct vkfd_vm_fault *fault)
{
	__le32 raw[VKFD_PM4_FIXED_MAX];
	size_t len = n * sizeof(*raw);
	size_t first = min_t(u64, len, vkfd_pm4_contig(src, at));
	unsigned int i;

	if (vkfd_vm_read_locked(q->vm, vkfd_pm4_va(src, at), raw, first,
				fault))
		return -EFAULT;
	/* The rest wraps around to the ring's start. */
	if (first < len &&
	    vkfd_vm_read_locked(q->vm, src->base, (u8 *)raw + first,
				len - first, fault))
		return -EFAULT;
	for (i = 0; i < n; i++)
		dw[i] = le32_to_cpu(raw[i]);
	return 0;
}

/* Write @len bytes of @val at @va, after everything before it. */
static int vkfd_pm4_store(struct vkfd_queue *q, struct vkfd_sdma_run *run,
			  u64 va, const void *val, size_t len)
{
	/* A fence must not pass the data of the packets before it. */
	smp_wmb();
	if (vkfd_vm_write_locked(q->vm, va, val, len, &run->fault))
		return VKFD_SDMA_FAULT;
	run->budget -= len;
	return VKFD_SDMA_NEXT;
}

/* An interrupt with @ctxid: the engine signals it, then calls again. */
static int vkfd_pm4_interrupt(struct vkfd_sdma_run *run, u32 ctxid)
{
	run->int_context = ctxid;
	run->traps++;
	return VKFD_SDMA_TRAP;
}

/*
 * WRITE_DATA: the data follows the fixed part. To memory (dst_sel 1, 2
 * or 5), dword-aligned; with addr_incr off (WR_ONE_ADDR) every dword goes
 * to the same address in turn. To a register: no effect.
 */
static int vkfd_pm4_write_data(struct vkfd_queue *q,
			       struct vkfd_sdma_run *run,
			       const struct vkfd_pm4_pkt *p)
{
	u32 ctl = p->dw[1];
	u64 dst = vkfd_pm4_addr(p->dw[2] & ~3u, p->dw[3]);
	u64 total = (u64)(p->ndw - VKFD_PM4_WRITE_DATA_DW) * 4;
	u64 done = 0;

	switch (VKFD_PM4_WD_GET_DST_SEL(ctl)) {
	case VKFD_PM4_WD_DST_REG:
		return VKFD_SDMA_NEXT;
	case VKFD_PM4_WD_DST_MEM_SYNC:
	case VKFD_PM4_WD_DST_TC_L2:
	case VKFD_PM4_WD_DST_MEM:
		break;
	default:
		return VKFD_SDMA_INVALID;
	}

	/* The data must not pass the data of the packets before it. */
	smp_wmb();
	while (done < total) {
		u64 at = VKFD_PM4_WRITE_DATA_DW + done / 4;
		u64 seg = min(total - done, vkfd_pm4_contig(p->src, at)), n;
		int ret;

		if (ctl & VKFD_PM4_WD_ONE_ADDR)
			seg = 4;
		ret = vkfd_vm_copy_locked(q->vm,
					  ctl & VKFD_PM4_WD_ONE_ADDR ?
					  dst : dst + done,
					  vkfd_pm4_va(p->src, at), seg, &n,
					  &run->fault);
		run->budget -= n;
		done += n;
		if (ret)
			return VKFD_SDMA_FAULT;
	}
	return VKFD_SDMA_NEXT;
}

/*
 * RELEASE_MEM: every event is an end-of-pipe one (there is no pipe to
 * wait for). The data (none, 32 bits, 64 bits or the GPU clock, as
 * GET_CLOCK_COUNTERS) is written first, then the interrupt, if any, as
 * amdkfd's gfx9 end-of-pipe interrupt: int_ctxid is the context id that
 * reaches kfd_signal_event_interrupt(). Validated before anything is
 * written.
 */
static int vkfd_pm4_release_mem(struct vkfd_queue *q,
				struct vkfd_sdma_run *run,
				const struct vkfd_pm4_pkt *p)
{
	u32 ctl = p->dw[2];
	u32 int_sel = VKFD_PM4_RM_GET_INT_SEL(ctl);
	u64 val = vkfd_pm4_addr(p->dw[5], p->dw[6]);
	__le32 v32;
	__le64 v64;
	int st = VKFD_SDMA_NEXT;

	if (VKFD_PM4_RM_GET_DST_SEL(ctl) > VKFD_PM4_RM_DST_TC_L2 ||
	    int_sel > VKFD_PM4_RM_INT_CTXID)
		return VKFD_SDMA_INVALID;

	switch (VKFD_PM4_RM_GET_DATA_SEL(ctl)) {
	case VKFD_PM4_RM_DATA_NONE:
		break;
	case VKFD_PM4_RM_DATA_32:
		v32 = cpu_to_le32(p->dw[5]);
		st = vkfd_pm4_store(q, run,
				    vkfd_pm4_addr(p->dw[3] & ~3u, p->dw[4]),
				    &v32, sizeof(v32));
		break;
	case VKFD_PM4_RM_DATA_GPU_CLOCK:
		val = ktime_get_raw_ns();
		fallthrough;
	case VKFD_PM4_RM_DATA_64:
		v64 = cpu_to_le64(val);
		st = vkfd_pm4_store(q, run,
				    vkfd_pm4_addr(p->dw[3] & ~7u, p->dw[4]),
				    &v64, sizeof(v64));
		break;
	default:
		/* Performance counters and GDS: vkfd has neither. */
		return VKFD_SDMA_INVALID;
	}
	if (st != VKFD_SDMA_NEXT || int_sel == VKFD_PM4_RM_INT_NONE ||
	    int_sel == VKFD_PM4_RM_INT_DATA_CONFIRM)
		return st;
	return vkfd_pm4_interrupt(run, p->dw[7]);
}

/**
 * vkfd_pm4_compare() - WAIT_REG_MEM's and COND_WRITE's function
 * @func: 0 always, 1 <, 2 <=, 3 ==, 4 !=, 5 >=, 6 > (unsigned)
 * @val: the value, masked
 * @ref: the reference
 *
 * Context: Any.
 * Return: whether @val @func @ref holds; false for func 7.
 */
bool vkfd_pm4_compare(u32 func, u64 val, u64 ref)
{
	switch (func) {
	case 0:
		return true;
	case 1:
		return val < ref;
	case 2:
		return val <= ref;
	case 3:
		return val == ref;
	case 4:
		return val != ref;
	case 5:
		return val >= ref;
	case 6:
		return val > ref;
	}
	return false;
}

/*
 * WAIT_REG_MEM(64) on memory: the queue stays on the packet until
 * (value & mask) func reference holds, polling again no sooner than
 * poll interval x 10 ns later (as SDMA's POLL_REGMEM; the engine serves
 * its other queues meanwhile). It waits for as long as it takes; UPDATE
 * and DESTROY_QUEUE stop it.
 *
 * On registers: func "always" holds at once, and so does amdgpu's HDP
 * flush (write, wait, write with func "equal"); any other register wait
 * would wait for a value nothing ever writes: invalid.
 */
static int vkfd_pm4_wait(struct vkfd_queue *q, struct vkfd_sdma_run *run,
			 const struct vkfd_pm4_pkt *p, bool wide)
{
	u32 ctl = p->dw[1];
	u32 func = VKFD_PM4_WRM_GET_FUNC(ctl);
	u32 op = VKFD_PM4_WRM_GET_OPERATION(ctl);
	u64 ref, mask, val, now;
	u32 interval;
	__le64 raw = 0;

	if (func > VKFD_PM4_WRM_FUNC_GT)
		return VKFD_SDMA_INVALID;
	if (VKFD_PM4_WRM_GET_SPACE(ctl) == VKFD_PM4_WRM_SPACE_REG) {
		if (func == VKFD_PM4_WRM_FUNC_ALWAYS && op <= 1)
			return VKFD_SDMA_NEXT;
		if (!wide && op == VKFD_PM4_WRM_OP_WR_WAIT_WR &&
		    func == VKFD_PM4_WRM_FUNC_EQUAL)
			return VKFD_SDMA_NEXT;
		return VKFD_SDMA_INVALID;
	}
	if (VKFD_PM4_WRM_GET_SPACE(ctl) != VKFD_PM4_WRM_SPACE_MEM ||
	    op != VKFD_PM4_WRM_OP_WAIT)
		return VKFD_SDMA_INVALID;

	if (wide) {
		ref = vkfd_pm4_addr(p->dw[4], p->dw[5]);
		mask = vkfd_pm4_addr(p->dw[6], p->dw[7]);
		interval = p->dw[8];
	} else {
		ref = p->dw[4];
		mask = p->dw[5];
		interval = p->dw[6];
	}
	now = ktime_get_ns();
	if (vkfd_sdma_parked(q, now))
		return VKFD_SDMA_POLL;
	if (vkfd_vm_read_locked(q->vm,
				vkfd_pm4_addr(p->dw[2] & (wide ? ~7u : ~3u),
					      p->dw[3]),
				&raw, wide ? 8 : 4, &run->fault))
		return VKFD_SDMA_FAULT;
	val = le64_to_cpu(raw);
	if (!wide)
		val = (u32)val;
	if (vkfd_pm4_compare(func, val & mask, ref))
		return VKFD_SDMA_NEXT;
	return vkfd_sdma_park(q, now, interval & VKFD_PM4_WRM_INTERVAL_MASK);
}

/* EVENT_WRITE: partial flushes and other events without data: no-ops. */
static int vkfd_pm4_event_write(const struct vkfd_pm4_pkt *p)
{
	switch (VKFD_PM4_EVENT_GET_INDEX(p->dw[1])) {
	case VKFD_PM4_EVENT_INDEX_OTHER:
	case VKFD_PM4_EVENT_INDEX_PARTIAL_FLUSH:
		return VKFD_SDMA_NEXT;
	default:
		/* Counter samples, end-of-pipe and end-of-shader events. */
		return VKFD_SDMA_INVALID;
	}
}

/*
 * QUERY_STATUS: the queue may only ask about itself, and it runs: a
 * fence command writes the u64 data at the 8-byte aligned address; an
 * interrupt command interrupts with the context id, as RELEASE_MEM.
 * control 2 (pasid, doorbell, engine) is ignored.
 */
static int vkfd_pm4_query_status(struct vkfd_queue *q,
				 struct vkfd_sdma_run *run,
				 const struct vkfd_pm4_pkt *p)
{
	u32 ctl = p->dw[1];
	u32 cmd = VKFD_PM4_QS_GET_COMMAND(ctl);
	__le64 val = cpu_to_le64(vkfd_pm4_addr(p->dw[5], p->dw[6]));
	int st;

	if (VKFD_PM4_QS_GET_INT_SEL(ctl) > 2)
		return VKFD_SDMA_INVALID;
	if (cmd != VKFD_PM4_QS_INTERRUPT_ONLY) {
		st = vkfd_pm4_store(q, run,
				    vkfd_pm4_addr(p->dw[3] & ~7u, p->dw[4]),
				    &val, sizeof(val));
		if (st != VKFD_SDMA_NEXT)
			return st;
	}
	if (cmd != VKFD_PM4_QS_INTERRUPT_ONLY &&
	    cmd != VKFD_PM4_QS_FENCE_INTERRUPT)
		return VKFD_SDMA_NEXT;
	return vkfd_pm4_interrupt(run, ctl & VKFD_PM4_QS_CONTEXT_ID_MASK);
}

static int vkfd_pm4_exec_one(struct vkfd_queue *q, struct vkfd_sdma_run *run,
			     const struct vkfd_pm4_src *src, u32 *ndw);

/*
 * INDIRECT_BUFFER: its packets, from &vkfd_sdma_qstate.pkt_done on. Done
 * (VKFD_SDMA_NEXT) once the last is; %VKFD_SDMA_TRAP after an interrupt
 * in it, the queue staying on the INDIRECT_BUFFER.
 */
static int vkfd_pm4_ib(struct vkfd_queue *q, struct vkfd_sdma_run *run,
		       const struct vkfd_pm4_pkt *p)
{
	struct vkfd_sdma_qstate *s = &q->sdma;
	u32 ctl = p->dw[3];
	u64 size = ctl & VKFD_PM4_IB_SIZE_MASK;
	struct vkfd_pm4_src ib = {
		.base = vkfd_pm4_addr(p->dw[1] & ~3u, p->dw[2] & 0xffff),
		.mask = U64_MAX,
		.ib = true,
	};
	bool timed = false;

	if (p->src->ib || (ctl & VKFD_PM4_IB_CHAIN) ||
	    !(ctl & VKFD_PM4_IB_VALID))
		return VKFD_SDMA_INVALID;

	for (;;) {
		u32 ndw;
		int st;

		if (s->pkt_done >= size)
			return VKFD_SDMA_NEXT;
		if (vkfd_sdma_slice_over(run, timed))
			return VKFD_SDMA_BUDGET;
		ib.pos = s->pkt_done * 4;
		ib.avail = size - s->pkt_done;
		st = vkfd_pm4_exec_one(q, run, &ib, &ndw);
		timed = true;
		/* All of the buffer is there: a packet past its end is bad. */
		if (st == VKFD_SDMA_STALL)
			return VKFD_SDMA_INVALID;
		if (st != VKFD_SDMA_NEXT && st != VKFD_SDMA_TRAP)
			return st;
		s->pkt_done += ndw;
		s->poll_tries = 0;
		run->budget -= VKFD_SDMA_PKT_COST;
		if (st == VKFD_SDMA_TRAP)
			return st;
		cond_resched();
	}
}

/*
 * The length in dwords of the packet whose header is @h, and how many
 * dwords of it to read (*@fixed); 0 if it is invalid.
 */
static u32 vkfd_pm4_pkt_len(u32 h, unsigned int *fixed)
{
	const struct vkfd_pm4_op *op = &vkfd_pm4_ops[VKFD_PM4_HDR_OP(h)];
	u32 ndw = VKFD_PM4_HDR_COUNT(h) + 2;

	*fixed = 1;
	if (h == VKFD_PM4_TYPE2 || h == VKFD_PM4_NOP_ONE)
		return 1;
	if (VKFD_PM4_HDR_TYPE(h) != 3 || !op->min || ndw < op->min)
		return 0;
	*fixed = op->fixed;
	return ndw;
}

/*
 * Execute (or go on with) the packet at @src. Return VKFD_SDMA_NEXT or
 * %VKFD_SDMA_TRAP once it is done, *@ndw its length (0 for an
 * INDIRECT_BUFFER interrupted by a trap in it), another status otherwise.
 */
static int vkfd_pm4_exec_one(struct vkfd_queue *q, struct vkfd_sdma_run *run,
			     const struct vkfd_pm4_src *src, u32 *ndw)
{
	struct vkfd_pm4_pkt p = { .src = src };
	unsigned int fixed;
	u32 op;
	int st;

	*ndw = 0;
	if (vkfd_pm4_read(q, src, 0, p.dw, 1, &run->fault))
		return VKFD_SDMA_FAULT;
	p.ndw = vkfd_pm4_pkt_len(p.dw[0], &fixed);
	if (!p.ndw || (!src->ib && (u64)p.ndw * 4 > q->ring_size))
		return VKFD_SDMA_INVALID;
	if (p.ndw > src->avail)
		return VKFD_SDMA_STALL;
	if (fixed > 1 &&
	    vkfd_pm4_read(q, src, 1, p.dw + 1, fixed - 1, &run->fault))
		return VKFD_SDMA_FAULT;

	op = p.ndw == 1 ? VKFD_PM4_OP_NOP : VKFD_PM4_HDR_OP(p.dw[0]);
	switch (op) {
	case VKFD_PM4_OP_NOP:
	case VKFD_PM4_OP_ACQUIRE_MEM:
	case VKFD_PM4_OP_SET_CONFIG_REG:
	case VKFD_PM4_OP_SET_CONTEXT_REG:
	case VKFD_PM4_OP_SET_SH_REG:
	case VKFD_PM4_OP_SET_SH_REG_INDEX:
	case VKFD_PM4_OP_SET_UCONFIG_REG:
		/* Caches and registers the software GPU does not have. */
		st = VKFD_SDMA_NEXT;
		break;
	case VKFD_PM4_OP_WRITE_DATA:
		st = vkfd_pm4_write_data(q, run, &p);
		break;
	case VKFD_PM4_OP_RELEASE_MEM:
		st = vkfd_pm4_release_mem(q, run, &p);
		break;
	case VKFD_PM4_OP_WAIT_REG_MEM:
		st = vkfd_pm4_wait(q, run, &p, false);
		break;
	case VKFD_PM4_OP_WAIT_REG_MEM64:
		st = vkfd_pm4_wait(q, run, &p, true);
		break;
	case VKFD_PM4_OP_INDIRECT_BUFFER:
		st = vkfd_pm4_ib(q, run, &p);
		if (st == VKFD_SDMA_TRAP)
			return st;
		break;
	case VKFD_PM4_OP_EVENT_WRITE:
		st = vkfd_pm4_event_write(&p);
		break;
	case VKFD_PM4_OP_QUERY_STATUS:
		st = vkfd_pm4_query_status(q, run, &p);
		break;
	case VKFD_PM4_OP_COPY_DATA:
		st = vkfd_pm4_copy_data(q, run, &p);
		break;
	case VKFD_PM4_OP_ATOMIC_MEM:
		st = vkfd_pm4_atomic_mem(q, run, &p);
		break;
	case VKFD_PM4_OP_DMA_DATA:
		st = vkfd_pm4_dma_data(q, run, &p);
		break;
	case VKFD_PM4_OP_COND_WRITE:
		st = vkfd_pm4_cond_write(q, run, &p);
		break;
	default:
		/* DISPATCH_*: no shader engine to run it (DOC above). */
		st = VKFD_SDMA_INVALID;
		break;
	}
	if (st == VKFD_SDMA_NEXT || st == VKFD_SDMA_TRAP)
		*ndw = p.ndw;
	return st;
}

/*
 * Execute (or go on with) the packet at the read pointer: the compute
 * queues' &vkfd_queue_ops.exec_pkt_locked. The read pointer counts dwords.
 */
static int vkfd_pm4_exec_pkt_locked(struct vkfd_queue *q,
				    struct vkfd_sdma_run *run)
{
	struct vkfd_pm4_src ring = {
		.base = q->ring_base,
		.mask = q->ring_size - 1,
		.pos = q->sdma.rptr * 4,
		.avail = run->wptr - q->sdma.rptr,
	};
	u32 ndw;
	int st;

	st = vkfd_pm4_exec_one(q, run, &ring, &ndw);
	/* No length: an INDIRECT_BUFFER stays, interrupted by its TRAP. */
	if ((st == VKFD_SDMA_NEXT || st == VKFD_SDMA_TRAP) && ndw) {
		q->sdma.rptr += ndw;
		run->budget -= VKFD_SDMA_PKT_COST;
	}
	return st;
}

/**
 * vkfd_pm4_rptr_write_locked() - tell user space how far the queue got
 * @q: the queue
 * @fault: filled in if the write faults
 *
 * Writes the read pointer as gfx9's CP reports it: a u32, the dword
 * offset in the ring, at the GPU VA &vkfd_queue.rptr_va, after
 * everything the packets before it wrote.
 *
 * Context: Process context. The caller holds the queue's
 * &vkfd_ctx.mem_lock.
 * Return: 0, or -EFAULT if the read pointer's address is not writable.
 */
int vkfd_pm4_rptr_write_locked(struct vkfd_queue *q,
			       struct vkfd_vm_fault *fault)
{
	__le32 rptr = cpu_to_le32(q->sdma.rptr & (q->ring_size / 4 - 1));

	lockdep_assert_held(&q->ctx->mem_lock);

	/* What the packets wrote is seen before the pointer past them. */
	smp_wmb();
	return vkfd_vm_write_locked(q->vm, q->rptr_va, &rptr, sizeof(rptr),
				    fault);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_pm4_rptr_write_locked);

/* ready: the engine's generic checks hold for PM4's units too. */
const struct vkfd_queue_ops vkfd_pm4_queue_ops = {
	.ready = vkfd_sdma_queue_ready,
	.exec_pkt_locked = vkfd_pm4_exec_pkt_locked,
	.rptr_write_locked = vkfd_pm4_rptr_write_locked,
	.wptr_unit = 4,
};
EXPORT_SYMBOL_IF_KUNIT(vkfd_pm4_queue_ops);
