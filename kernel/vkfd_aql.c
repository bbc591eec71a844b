// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - AQL packet execution on COMPUTE_AQL queues.
 */

/**
 * DOC: AQL packets
 *
 * A COMPUTE_AQL queue is a ring of 64-byte AQL packets (HSA's
 * Architected Queuing Language) that the HSA runtime (ROCr) writes; the
 * engines (vkfd_sdma.c) execute it through these queue ops, under the
 * context's mem_lock, one slice at a time, as they do SDMA queues. The
 * ring, and every address a packet names, is read or written through the
 * queue's GPU VM (vkfd_vm_access.c).
 *
 * Indices are ROCr's: 64-bit packet ids that only grow; packet id n is at
 * byte (n * 64) mod ring_size of the ring. &vkfd_sdma_qstate.rptr is the
 * id of the next packet, written back as a u64 to the queue's
 * read_pointer_address (ROCr's amd_queue_t.read_dispatch_id) after each
 * slice that moved it.
 *
 * A packet is ready when its header's type is not INVALID: ROCr writes
 * the header last, with a release store, then rings the doorbell with the
 * packet's id. The engine looks at the header at the read index whenever
 * it serves the queue, rather than at the doorbell's value: ROCr's first
 * doorbell is 0, which the doorbell holds from the start, and several
 * producers may ring out of order. The doorbell's write (which faults
 * once its page is armed) is what wakes the engine. Until the first
 * ring, the doorbell holds VKFD_AQL_DOORBELL_UNRUNG and the ring is not
 * read: a queue may be created before its ring is mapped. Once a packet is
 * done, its header is set to INVALID, as the command processor does:
 * ROCr fills the ring with INVALID headers once, at creation, and reuses
 * each slot as the read index passes it.
 *
 * Packets execute in order, one at a time, so the barrier bit (wait for
 * the packets before) always holds; the acquire and release fence scopes
 * are accepted, memory being coherent. What each type does:
 *
 * - BARRIER_AND: waits until every dependency signal (dep_signal[0..4],
 *   0 = none) has the value 0; BARRIER_OR until one has (none at all: at
 *   once). A dependency not met parks the queue, which is looked at again
 *   10 us later, twice as long each time up to 1 ms: signals are plain
 *   memory, written by the CPU or another queue, and nothing tells the
 *   engine of such a store, so the engine polls without spinning (as for
 *   SDMA's POLL_REGMEM), serving its other queues meanwhile.
 * - VENDOR_SPECIFIC of AMD's BARRIER_VALUE format: waits, as above, until
 *   (signal value & mask) cond value holds (cond EQ, NE, LT, GTE; signed
 *   values; signal handle 0: at once).
 * - VENDOR_SPECIFIC of AMD's PM4_IB format (ROCr's ExecutePM4(): cache
 *   invalidations, profiling): the indirect buffer is not read nor
 *   executed - vkfd has no caches to invalidate - and the packet completes.
 * - KERNEL_DISPATCH: the first instruction of the kernel is read through
 *   the VM (the kernel object's kernel_code_entry_byte_offset, at byte
 *   16 of the kernel descriptor or amd_kernel_code_t). If it is s_endpgm,
 *   the kernel does nothing and the dispatch completes. Any other kernel
 *   cannot execute on vkfd, which has no shader engine: the queue halts
 *   for good at the packet, the VM's fault counter counts it, and the
 *   context's MEMORY events report the code's address with neither
 *   not-present nor read-only set. The completion signal is not touched.
 * - Every type, when the packet is done: its completion signal (0 =
 *   none) is decremented by one, atomically (64-bit, as the CP); then, if
 *   the signal's event_mailbox_ptr is not 0, its 32-bit event_id is
 *   written there and an interrupt raised with the event id as context,
 *   which amdkfd turns into a set of that event (vkfd_event_interrupt()).
 * - AGENT_DISPATCH, another vendor format or type: an invalid packet; the
 *   queue halts, as does one whose signal handle is not 8-byte aligned,
 *   or whose BARRIER_VALUE condition is unknown.
 *
 * A packet whose memory (its slot, a signal, the kernel object, a
 * mailbox) is not mapped as needed faults: the queue halts at it, and the
 * fault reaches its context only. Each packet costs VKFD_SDMA_PKT_COST of
 * the slice, each interrupt counts as one of its TRAPs.
 */
#include <kunit/visibility.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/sched.h>

#include "vkfd_aql.h"
#include "vkfd_priv.h"
#include "vkfd_queue.h"
#include "vkfd_sdma.h"
#include "vkfd_vm_access.h"

/* "Execute the next packet", as for SDMA */
#define VKFD_AQL_NEXT	VKFD_SDMA_NEXT

/**
 * struct vkfd_aql_pkt - the packet at the read index
 * @dw: its 16 dwords, in CPU order
 */
struct vkfd_aql_pkt {
	u32 dw[VKFD_AQL_PKT_SIZE / 4];
};

/* The u64 at byte @off of @p */
static u64 vkfd_aql_u64(const struct vkfd_aql_pkt *p, unsigned int off)
{
	return (u64)p->dw[off / 4 + 1] << 32 | p->dw[off / 4];
}

/* GPU VA of the slot of the packet at the read index */
static u64 vkfd_aql_slot(const struct vkfd_queue *q)
{
	return q->ring_base +
	       ((q->sdma.rptr * VKFD_AQL_PKT_SIZE) & (q->ring_size - 1));
}

/* A dependency not met: look again later, each time twice as late. */
static int vkfd_aql_park(struct vkfd_queue *q, u64 now)
{
	u32 shift = min_t(u32, q->sdma.poll_tries, 7);

	return vkfd_sdma_park(q, now, min_t(u32, VKFD_AQL_POLL_MIN << shift,
					    VKFD_AQL_POLL_MAX));
}

/* Read the value of the signal @sig (not 0) into *@val. */
static int vkfd_aql_signal_value(struct vkfd_queue *q,
				 struct vkfd_sdma_run *run, u64 sig, s64 *val)
{
	__le64 raw;

	if (!IS_ALIGNED(sig, sizeof(raw)))
		return VKFD_SDMA_INVALID;
	if (vkfd_vm_read_locked(q->vm, sig + VKFD_AQL_SIG_VALUE, &raw,
				sizeof(raw), &run->fault))
		return VKFD_SDMA_FAULT;
	*val = (s64)le64_to_cpu(raw);
	return VKFD_AQL_NEXT;
}

/* BARRIER_AND (@any false) and BARRIER_OR (@any true) */
static int vkfd_aql_barrier(struct vkfd_queue *q, struct vkfd_sdma_run *run,
			    const struct vkfd_aql_pkt *p, bool any)
{
	u64 now = ktime_get_ns();
	unsigned int i, deps = 0;
	s64 val;
	int st;

	if (vkfd_sdma_parked(q, now))
		return VKFD_SDMA_POLL;
	for (i = 0; i < VKFD_AQL_DEP_SIGNALS; i++) {
		u64 sig = vkfd_aql_u64(p, VKFD_AQL_OFF_DEP_SIGNAL + 8 * i);

		if (!sig)
			continue;
		deps++;
		st = vkfd_aql_signal_value(q, run, sig, &val);
		if (st)
			return st;
		if (any && !val)
			break;
		if (!any && val)
			return vkfd_aql_park(q, now);
	}
	/* OR: stopped at a signal at 0, or had none at all */
	if (any && deps && i == VKFD_AQL_DEP_SIGNALS)
		return vkfd_aql_park(q, now);
	/* What the packets after it read is read after the signals. */
	smp_rmb();
	return VKFD_AQL_NEXT;
}

/* AMD's BARRIER_VALUE: (value & mask) cond ref, signed */
static int vkfd_aql_barrier_value(struct vkfd_queue *q,
				  struct vkfd_sdma_run *run,
				  const struct vkfd_aql_pkt *p)
{
	u64 sig = vkfd_aql_u64(p, VKFD_AQL_OFF_BV_SIGNAL);
	s64 ref = (s64)vkfd_aql_u64(p, VKFD_AQL_OFF_BV_VALUE);
	s64 mask = (s64)vkfd_aql_u64(p, VKFD_AQL_OFF_BV_MASK);
	u32 cond = p->dw[VKFD_AQL_OFF_BV_COND / 4];
	u64 now = ktime_get_ns();
	bool met;
	s64 val;
	int st;

	if (cond > VKFD_AQL_COND_GTE)
		return VKFD_SDMA_INVALID;
	if (!sig)
		return VKFD_AQL_NEXT;
	if (vkfd_sdma_parked(q, now))
		return VKFD_SDMA_POLL;
	st = vkfd_aql_signal_value(q, run, sig, &val);
	if (st)
		return st;
	val &= mask;
	switch (cond) {
	case VKFD_AQL_COND_EQ:
		met = val == ref;
		break;
	case VKFD_AQL_COND_NE:
		met = val != ref;
		break;
	case VKFD_AQL_COND_LT:
		met = val < ref;
		break;
	default:
		met = val >= ref;
		break;
	}
	if (!met)
		return vkfd_aql_park(q, now);
	/* What the packets after it read is read after the signal. */
	smp_rmb();
	return VKFD_AQL_NEXT;
}

static int vkfd_aql_vendor(struct vkfd_queue *q, struct vkfd_sdma_run *run,
			   const struct vkfd_aql_pkt *p)
{
	switch (VKFD_AQL_AMD_FORMAT(p->dw[0])) {
	case VKFD_AQL_AMD_PM4_IB:
		/* The IB is not executed (see the DOC above). */
		return VKFD_AQL_NEXT;
	case VKFD_AQL_AMD_BARRIER_VALUE:
		return vkfd_aql_barrier_value(q, run, p);
	default:
		return VKFD_SDMA_INVALID;
	}
}

/* KERNEL_DISPATCH: only a kernel that is s_endpgm completes. */
static int vkfd_aql_dispatch(struct vkfd_queue *q, struct vkfd_sdma_run *run,
			     const struct vkfd_aql_pkt *p)
{
	u64 obj = vkfd_aql_u64(p, VKFD_AQL_OFF_KERNEL_OBJECT);
	__le64 entry;
	__le32 insn;
	u64 code;

	if (vkfd_vm_read_locked(q->vm, obj + VKFD_AQL_OFF_ENTRY, &entry,
				sizeof(entry), &run->fault))
		return VKFD_SDMA_FAULT;
	code = obj + le64_to_cpu(entry);
	if (vkfd_vm_read_locked(q->vm, code, &insn, sizeof(insn), &run->fault))
		return VKFD_SDMA_FAULT;
	if (le32_to_cpu(insn) == VKFD_AQL_S_ENDPGM)
		return VKFD_AQL_NEXT;
	/* Code vkfd cannot run: reported as a fault on it, halting. */
	run->fault.va = code;
	run->fault.write = false;
	run->fault.not_present = false;
	return VKFD_SDMA_FAULT;
}

static bool vkfd_aql_decrement(u64 *v, void *arg)
{
	(*v)--;
	return true;
}

/*
 * The packet is done: decrement its completion signal @sig, and write
 * the signal's mailbox and interrupt if it has one (%VKFD_SDMA_TRAP).
 */
static int vkfd_aql_complete(struct vkfd_queue *q, struct vkfd_sdma_run *run,
			     u64 sig)
{
	struct {
		__le64 mailbox;
		__le32 event_id;
	} __packed ev;
	u64 mailbox;
	__le32 id;

	if (!sig)
		return VKFD_AQL_NEXT;
	if (!IS_ALIGNED(sig, sizeof(u64)))
		return VKFD_SDMA_INVALID;
	/* The signal's event, read before anything is changed */
	if (vkfd_vm_read_locked(q->vm, sig + VKFD_AQL_SIG_MAILBOX, &ev,
				sizeof(ev), &run->fault))
		return VKFD_SDMA_FAULT;
	/* A fully ordered update: after everything the packets wrote */
	if (vkfd_vm_rmw_locked(q->vm, sig + VKFD_AQL_SIG_VALUE, sizeof(u64),
			       vkfd_aql_decrement, NULL, &run->fault))
		return VKFD_SDMA_FAULT;
	mailbox = le64_to_cpu(ev.mailbox);
	if (!mailbox)
		return VKFD_AQL_NEXT;
	id = ev.event_id;
	if (vkfd_vm_write_locked(q->vm, mailbox, &id, sizeof(id), &run->fault))
		return VKFD_SDMA_FAULT;
	/* The CP's end-of-pipe interrupt: its context is all 32 bits. */
	run->int_context = le32_to_cpu(id);
	return VKFD_SDMA_TRAP;
}

/*
 * Execute (or go on waiting in) the packet at the read index: the AQL
 * queues' &vkfd_queue_ops.exec_pkt_locked. %VKFD_SDMA_IDLE if its slot
 * holds no packet; %VKFD_SDMA_POLL for a dependency not met; a
 * completion signal with a mailbox is a %VKFD_SDMA_TRAP (the packet
 * done); %VKFD_SDMA_FAULT for memory not mapped as needed or a kernel
 * that is not s_endpgm.
 */
static int vkfd_aql_exec_pkt_locked(struct vkfd_queue *q,
				    struct vkfd_sdma_run *run)
{
	__le32 raw[VKFD_AQL_PKT_SIZE / 4];
	__le16 invalid = cpu_to_le16(VKFD_AQL_TYPE_INVALID);
	u64 slot = vkfd_aql_slot(q);
	struct vkfd_aql_pkt p;
	unsigned int i;
	int st;

	if (vkfd_vm_read_locked(q->vm, slot, raw, sizeof(raw[0]), &run->fault))
		return VKFD_SDMA_FAULT;
	if (VKFD_AQL_HDR_TYPE(le32_to_cpu(raw[0])) == VKFD_AQL_TYPE_INVALID)
		return VKFD_SDMA_IDLE;
	/* The header was stored last, with release: the body after it. */
	smp_rmb();
	if (vkfd_vm_read_locked(q->vm, slot, raw, sizeof(raw), &run->fault))
		return VKFD_SDMA_FAULT;
	for (i = 0; i < ARRAY_SIZE(raw); i++)
		p.dw[i] = le32_to_cpu(raw[i]);

	switch (VKFD_AQL_HDR_TYPE(p.dw[0])) {
	case VKFD_AQL_TYPE_BARRIER_AND:
		st = vkfd_aql_barrier(q, run, &p, false);
		break;
	case VKFD_AQL_TYPE_BARRIER_OR:
		st = vkfd_aql_barrier(q, run, &p, true);
		break;
	case VKFD_AQL_TYPE_KERNEL_DISPATCH:
		st = vkfd_aql_dispatch(q, run, &p);
		break;
	case VKFD_AQL_TYPE_VENDOR:
		st = vkfd_aql_vendor(q, run, &p);
		break;
	case VKFD_AQL_TYPE_INVALID:
		/* Written back to INVALID since the look above. */
		return VKFD_SDMA_IDLE;
	default:
		return VKFD_SDMA_INVALID;
	}
	if (st == VKFD_AQL_NEXT)
		st = vkfd_aql_complete(q, run,
				       vkfd_aql_u64(&p, VKFD_AQL_OFF_COMPLETION));
	if (st != VKFD_AQL_NEXT && st != VKFD_SDMA_TRAP)
		return st;

	/* Consumed: the producer may reuse the slot once the index moves. */
	if (vkfd_vm_write_locked(q->vm, slot, &invalid, sizeof(invalid),
				 &run->fault))
		return VKFD_SDMA_FAULT;
	q->sdma.rptr++;
	run->budget -= VKFD_SDMA_PKT_COST;
	if (st == VKFD_SDMA_TRAP)
		run->traps++;
	return st;
}

/**
 * vkfd_aql_queue_ready() - might the engine make progress on an AQL queue?
 * @q: the queue
 * @wptr: its doorbell's value: only whether it was ever rung counts, the
 *	headers say what is ready
 * @now: ktime_get_ns()
 *
 * A cheap check without locks: false if the queue is halted, was never
 * rung, or waits for a dependency that is not to be looked at again
 * yet. Whether a
 * packet is at the read index is only known from its header, which
 * vkfd_aql_exec_pkt_locked() reads.
 *
 * Context: Any; the caller is the engine the queue is started on.
 * Return: true if vkfd_sdma_exec_locked() is worth calling.
 */
bool vkfd_aql_queue_ready(const struct vkfd_queue *q, u64 wptr, u64 now)
{
	if (READ_ONCE(q->sdma.halted) || wptr == VKFD_AQL_DOORBELL_UNRUNG)
		return false;
	return !(q->sdma.pkt_rptr == q->sdma.rptr && vkfd_sdma_parked(q, now));
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_aql_queue_ready);

/* The read index is written back as SDMA's read pointer is: a u64. */
const struct vkfd_queue_ops vkfd_aql_queue_ops = {
	.ready = vkfd_aql_queue_ready,
	.exec_pkt_locked = vkfd_aql_exec_pkt_locked,
	.rptr_write_locked = vkfd_sdma_rptr_write_locked,
	/* A value ROCr never writes: the ring is not read before its ring. */
	.doorbell_unrung = VKFD_AQL_DOORBELL_UNRUNG,
};
EXPORT_SYMBOL_IF_KUNIT(vkfd_aql_queue_ops);
