// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - the SDMA COPY_LINEAR_RECT packet.
 */

/**
 * DOC: SDMA rectangle copies
 *
 * COPY_LINEAR_RECT (op 1, sub_op 4; amdgpu's COPY_LINEAR_SUBWIN) copies a
 * box of width x height x depth elements of 1 << element bytes (element 0
 * .. 4: 1 .. 16 bytes) between two linear 3D arrays, as ROCm's runtime
 * sends it for hsa_amd_memory_async_copy_rect(). Each side has a base
 * (a multiple of 4), the box's offset (x in elements, y in rows, z in
 * slices) and its pitch and slice pitch in elements; the packet holds
 * pitches, slice pitches and the box's sizes minus one. Element (i, j, k)
 * of the box is at
 *
 *   base + (((z + k) * slice_pitch + (y + j) * pitch + x + i) << element)
 *
 * on each side. The rows of the box (width << element contiguous bytes
 * each) are copied one after the other, slice by slice, row by row, each
 * from low to high addresses; overlapping sides give what that order
 * gives. Swap bits are ignored. An element above 4 or a base that is not
 * a multiple of 4 makes an invalid packet.
 *
 * A box may be up to 2^43 bytes: it is copied in pieces, a slice's
 * budget at a time (vkfd_sdma.h), each row costing VKFD_SDMA_ROW_COST
 * more than its bytes, so that a box of many tiny rows is not a way to
 * hold the engine; &vkfd_sdma_qstate.pkt_done counts the bytes done.
 * Every piece translates its addresses afresh, through the queue's VM.
 */
#include <linux/math64.h>
#include <linux/minmax.h>

#include "vkfd_queue.h"
#include "vkfd_sdma.h"
#include "vkfd_vm_access.h"

/* What one row costs a slice, besides its bytes */
#define VKFD_SDMA_ROW_COST	64

/* The largest element: 16 bytes */
#define VKFD_SDMA_RECT_ELEMENT_MAX	4

/**
 * struct vkfd_sdma_rect_side - one side of the copy, as the packet says
 * @va: the base
 * @x: the box's offset in a row, elements
 * @y: the box's offset in rows
 * @z: the box's offset in slices
 * @pitch: elements from a row to the next
 * @slice: elements from a slice to the next
 */
struct vkfd_sdma_rect_side {
	u64 va;
	u64 x;
	u64 y;
	u64 z;
	u64 pitch;
	u64 slice;
};

/* Decode a side from its 5 dwords: base lo, hi, x|y, z|pitch, slice. */
static void vkfd_sdma_rect_decode(const u32 *dw, struct vkfd_sdma_rect_side *s)
{
	s->va = vkfd_sdma_addr(dw[0], dw[1]);
	s->x = dw[2] & VKFD_SDMA_RECT_XY_MASK;
	s->y = (dw[2] >> 16) & VKFD_SDMA_RECT_XY_MASK;
	s->z = dw[3] & VKFD_SDMA_RECT_Z_MASK;
	s->pitch = ((dw[3] >> VKFD_SDMA_RECT_PITCH_SHIFT) &
		    VKFD_SDMA_RECT_PITCH_MASK) + 1;
	s->slice = (dw[4] & VKFD_SDMA_RECT_SLICE_MASK) + 1;
}

/*
 * The GPU VA of the box's row @j of slice @k on side @s. At most
 * (2^11 + 2^11) * 2^28 + (2^14 + 2^14) * 2^19 + 2^14 elements of 16
 * bytes, well within 64 bits; an address past the VM's end just faults.
 */
static u64 vkfd_sdma_rect_row(const struct vkfd_sdma_rect_side *s, u64 j,
			      u64 k, u32 element)
{
	return s->va + (((s->z + k) * s->slice + (s->y + j) * s->pitch + s->x)
			<< element);
}

/**
 * vkfd_sdma_copy_rect() - execute (more of) the COPY_LINEAR_RECT packet at
 *	the read pointer
 * @q: the queue
 * @run: the slice
 * @p: the packet
 *
 * See "SDMA rectangle copies" above.
 *
 * Context: The engine executing @q, with its &vkfd_ctx.mem_lock held.
 * Return: VKFD_SDMA_NEXT when the box is copied; %VKFD_SDMA_BUDGET if the
 * slice ended before; %VKFD_SDMA_FAULT (the rows before the fault are
 * copied); %VKFD_SDMA_INVALID for an element above 4 or an unaligned base.
 */
int vkfd_sdma_copy_rect(struct vkfd_queue *q, struct vkfd_sdma_run *run,
			const struct vkfd_sdma_pkt *p)
{
	u32 element = VKFD_SDMA_RECT_GET_ELEMENT(p->dw[0]);
	u32 h = ((p->dw[11] >> 16) & VKFD_SDMA_RECT_XY_MASK) + 1;
	u32 d = (p->dw[12] & VKFD_SDMA_RECT_Z_MASK) + 1;
	u64 row = (u64)((p->dw[11] & VKFD_SDMA_RECT_XY_MASK) + 1) << element;
	u64 total = row * h * d;
	struct vkfd_sdma_rect_side src, dst;
	u64 done = min(q->sdma.pkt_done, total);
	int ret = 0;

	vkfd_sdma_rect_decode(&p->dw[1], &src);
	vkfd_sdma_rect_decode(&p->dw[6], &dst);
	if (element > VKFD_SDMA_RECT_ELEMENT_MAX || ((src.va | dst.va) & 3))
		return VKFD_SDMA_INVALID;

	/* At least one piece of a row per slice: every slice moves on. */
	do {
		u64 off, r = div64_u64_rem(done, row, &off), n;
		u32 j;
		u64 k = div_u64_rem(r, h, &j);

		ret = vkfd_vm_copy_locked(q->vm,
					  vkfd_sdma_rect_row(&dst, j, k, element) + off,
					  vkfd_sdma_rect_row(&src, j, k, element) + off,
					  vkfd_sdma_chunk(run, row - off), &n,
					  &run->fault);
		vkfd_sdma_moved(run, n);
		run->budget -= VKFD_SDMA_ROW_COST;
		done += n;
	} while (!ret && done < total && !vkfd_sdma_slice_over(run, true));

	q->sdma.pkt_done = done;
	if (ret)
		return VKFD_SDMA_FAULT;
	return done < total ? VKFD_SDMA_BUDGET : VKFD_SDMA_NEXT;
}
