// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - the SDMA ATOMIC packet.
 */

/**
 * DOC: SDMA atomics
 *
 * ATOMIC (op 10) applies a TC atomic operation (amdgpu's vega10_enum.h,
 * TC_OP_ATOMIC_*) to the 32- or 64-bit little-endian value at a GPU VA of
 * the queue's VM: ROCm's runtime completes every copy with ADD_RTN_64 of
 * -1 on the signal's value. The operation code says it all: bits 0..4 the
 * operation, bit 5 (0x20) 64-bit, bit 6 (0x40) no return. The integer
 * operations are executed - SWAP, CMPSWAP, ADD, SUB, SMIN, UMIN, SMAX,
 * UMAX, AND, OR, XOR, INC, DEC - with return (0x07..0x19, 0x27..0x39) and
 * without (0x47..0x59, 0x67..0x79); the floating-point ones (FCMPSWAP,
 * FMIN, FMAX), the cache operations and the reserved codes are invalid
 * packets. The packet has no return address, so the value before the
 * operation goes nowhere: RTN and NO_RTN do the same.
 *
 * The value must be aligned to its size (an invalid packet otherwise)
 * and mapped readable and writable (a GPU page fault otherwise, as for
 * any packet). It is updated atomically with respect to the CPU, which
 * may update the same signal at the same time (vkfd_vm_rmw_locked()).
 *
 * CMPSWAP stores src if the value equals cmp. With the loop bit it is
 * retried until it does: the queue parks on the packet as on a false
 * POLL_REGMEM and tries again no sooner than loop_interval x 10 ns later,
 * forever (until the queue is destroyed). The loop bit of other
 * operations, and the other header bits (TMZ), are ignored.
 */
#include <linux/ktime.h>
#include <linux/minmax.h>

#include "vkfd_queue.h"
#include "vkfd_sdma.h"
#include "vkfd_vm_access.h"

/* The operation's bits 0..4: VKFD_SDMA_ATOMIC_SWAP .. _DEC */
#define VKFD_SDMA_ATOMIC_BASE(op)	((op) & 0x1f)

/* @v as a signed number of @bits bits */
static s64 vkfd_sdma_signed(u64 v, unsigned int bits)
{
	return bits == 32 ? (s64)(s32)v : (s64)v;
}

/**
 * vkfd_sdma_alu() - the TC's arithmetic, for vkfd_vm_rmw_locked()
 * @v: in: the old value, of a->bits bits; out: the new value
 * @arg: the operation, a &struct vkfd_sdma_alu
 *
 * A vkfd_vm_rmw_fn, which PM4's ATOMIC_MEM (vkfd_pm4_mem.c) shares.
 *
 * Context: Any; vkfd_vm_rmw_locked() may call it again with a newer
 * value, so it has no side effect beyond @arg's out fields.
 * Return: false if nothing is to be stored (a CMPSWAP that did not
 * compare equal), true otherwise.
 */
bool vkfd_sdma_alu(u64 *v, void *arg)
{
	struct vkfd_sdma_alu *a = arg;
	u64 mask = a->bits == 32 ? U32_MAX : U64_MAX;
	u64 old = *v, src = a->src, new;
	s64 sold = vkfd_sdma_signed(old, a->bits);
	s64 ssrc = vkfd_sdma_signed(src, a->bits);

	switch (a->op) {
	case VKFD_SDMA_ATOMIC_SWAP:
		new = src;
		break;
	case VKFD_SDMA_ATOMIC_CMPSWAP:
		a->swapped = old == a->cmp;
		if (!a->swapped)
			return false;
		new = src;
		break;
	case VKFD_SDMA_ATOMIC_ADD:
		new = old + src;
		break;
	case VKFD_SDMA_ATOMIC_SUB:
		new = old - src;
		break;
	case VKFD_SDMA_ATOMIC_SMIN:
		new = sold < ssrc ? old : src;
		break;
	case VKFD_SDMA_ATOMIC_UMIN:
		new = min(old, src);
		break;
	case VKFD_SDMA_ATOMIC_SMAX:
		new = sold > ssrc ? old : src;
		break;
	case VKFD_SDMA_ATOMIC_UMAX:
		new = max(old, src);
		break;
	case VKFD_SDMA_ATOMIC_AND:
		new = old & src;
		break;
	case VKFD_SDMA_ATOMIC_OR:
		new = old | src;
		break;
	case VKFD_SDMA_ATOMIC_XOR:
		new = old ^ src;
		break;
	case VKFD_SDMA_ATOMIC_INC:
		/* a counter that wraps to 0 after src */
		new = old >= src ? 0 : old + 1;
		break;
	default:	/* VKFD_SDMA_ATOMIC_DEC, checked by the caller */
		/* a counter that wraps to src below 0 */
		new = old == 0 || old > src ? src : old - 1;
		break;
	}
	*v = new & mask;
	return true;
}

/**
 * vkfd_sdma_alu_valid() - is @op an integer atomic?
 * @op: bits 0..4 of a TC_OP code
 *
 * Context: Any.
 * Return: true for SWAP, CMPSWAP and ADD .. DEC.
 */
bool vkfd_sdma_alu_valid(u32 op)
{
	return op == VKFD_SDMA_ATOMIC_SWAP || op == VKFD_SDMA_ATOMIC_CMPSWAP ||
	       (op >= VKFD_SDMA_ATOMIC_ADD && op <= VKFD_SDMA_ATOMIC_DEC);
}

/**
 * vkfd_sdma_alu_exec() - apply an atomic operation of a queue's packet
 * @q: the queue
 * @run: the slice
 * @va: the GPU address of the value
 * @a: the operation, its operands as the packet gives them (cut to
 *	a->bits here)
 * @loop: a CMPSWAP that parks the queue until it swaps
 * @interval: the packet's retry interval of a looping CMPSWAP, in units
 *	of 10 ns (vkfd_sdma_park())
 * @count: whether what the operation writes counts as SDMA activity
 *	(&vkfd_vm.sdma_activity): an SDMA packet's does, a PM4 packet's not
 *
 * The part that SDMA's ATOMIC and PM4's ATOMIC_MEM (vkfd_pm4_mem.c)
 * share: the operation must be an integer one and @va aligned to its
 * size; a CMPSWAP that does not swap stores nothing and, with @loop,
 * parks the queue on the packet.
 *
 * Context: The engine executing @q, with its &vkfd_ctx.mem_lock held.
 * Return: VKFD_SDMA_NEXT when done; %VKFD_SDMA_POLL while a looping
 * CMPSWAP waits to be tried again; %VKFD_SDMA_FAULT; %VKFD_SDMA_INVALID
 * for an operation vkfd does not execute or a misaligned address.
 */
int vkfd_sdma_alu_exec(struct vkfd_queue *q, struct vkfd_sdma_run *run,
		       u64 va, struct vkfd_sdma_alu *a, bool loop,
		       u32 interval, bool count)
{
	unsigned int size = a->bits / 8;
	u64 now = 0;

	if (!vkfd_sdma_alu_valid(a->op) || (va & (size - 1)))
		return VKFD_SDMA_INVALID;
	if (a->bits == 32) {
		a->src = (u32)a->src;
		a->cmp = (u32)a->cmp;
	}
	loop = loop && a->op == VKFD_SDMA_ATOMIC_CMPSWAP;
	if (loop) {
		now = ktime_get_ns();
		if (vkfd_sdma_parked(q, now))
			return VKFD_SDMA_POLL;
	}

	if (vkfd_vm_rmw_locked(q->vm, va, size, vkfd_sdma_alu, a, &run->fault))
		return VKFD_SDMA_FAULT;
	if (a->op == VKFD_SDMA_ATOMIC_CMPSWAP && !a->swapped)
		return loop ? vkfd_sdma_park(q, now, interval) : VKFD_SDMA_NEXT;
	if (count)
		vkfd_sdma_moved(run, size);
	else
		run->budget -= size;
	return VKFD_SDMA_NEXT;
}

/**
 * vkfd_sdma_atomic() - execute the ATOMIC packet at the read pointer
 * @q: the queue
 * @run: the slice
 * @p: the packet
 *
 * See "SDMA atomics" above.
 *
 * Context: The engine executing @q, with its &vkfd_ctx.mem_lock held.
 * Return: as vkfd_sdma_alu_exec().
 */
int vkfd_sdma_atomic(struct vkfd_queue *q, struct vkfd_sdma_run *run,
		     const struct vkfd_sdma_pkt *p)
{
	u32 code = VKFD_SDMA_ATOMIC_GET_OP(p->dw[0]);
	struct vkfd_sdma_alu a = {
		.op = VKFD_SDMA_ATOMIC_BASE(code),
		.bits = code & VKFD_SDMA_ATOMIC_64 ? 64 : 32,
		.src = vkfd_sdma_addr(p->dw[3], p->dw[4]),
		.cmp = vkfd_sdma_addr(p->dw[5], p->dw[6]),
	};

	return vkfd_sdma_alu_exec(q, run, vkfd_sdma_addr(p->dw[1], p->dw[2]),
				  &a, p->dw[0] & VKFD_SDMA_ATOMIC_LOOP,
				  p->dw[7] & VKFD_SDMA_ATOMIC_INTERVAL_MASK,
				  true);
}
