/* SPDX-License-Identifier: GPL-2.0 OR MIT WITH Linux-syscall-note */
/*
 * vkfd - the SDMA v4 packets vkfd's software engines execute.
 *
 * The layout is AMD's (amdgpu's vega10_sdma_pkt_open.h); what is here is
 * the subset vkfd implements. A packet is a sequence of little-endian
 * dwords in a queue's ring; dword 0 is the header: op in bits 0..7,
 * sub_op in bits 8..15, op-specific bits above. Every address is a GPU
 * virtual address of the queue's context, two dwords, low first; the
 * engines translate it through that context's GPU VM.
 *
 *   NOP           1 + count dwords: header (count in bits 16..29), then
 *                 count dwords that are skipped
 *   COPY_LINEAR   7 dwords: header (sub_op 0), bytes - 1 (bits 0..21),
 *                 parameters (0), src lo, src hi, dst lo, dst hi; with
 *                 the broadcast bit (27) of the header 9 dwords: the
 *                 same, then dst2 lo, dst2 hi, a second destination
 *                 that gets the same bytes, after the first
 *   WRITE_LINEAR  4 + n dwords: header (sub_op 0), dst lo, dst hi,
 *                 n - 1 (bits 0..19), then the n dwords to write
 *   CONST_FILL    5 dwords: header (fill size in bits 30..31), dst lo,
 *                 dst hi, the 32-bit pattern, count (bits 0..21): with
 *                 fill size 2 ("dword", as ROCm's runtime sends it)
 *                 count / 4 + 1 dwords, the count's bits 0..1 ignored;
 *                 otherwise count + 1 bytes, a multiple of 4
 *   FENCE         4 dwords: header, dst lo, dst hi, the dword to write
 *   TRAP          2 dwords: header, int_context (bits 0..27): the id of
 *                 the event to signal
 *   TIMESTAMP     3 dwords: header (sub_op GET_GLOBAL), dst lo, dst hi:
 *                 writes the u64 GPU clock (ns, as GET_CLOCK_COUNTERS)
 *   POLL_REGMEM   6 dwords: header (mem_poll bit 31, func in bits 28..30,
 *                 hdp_flush bit 26), addr lo, addr hi, reference, mask,
 *                 interval (bits 0..15) | retry count (bits 16..27,
 *                 0xfff = forever)
 *   ATOMIC        8 dwords: header (loop bit 16, TC operation in bits
 *                 25..31), addr lo, addr hi, src lo, src hi, cmp lo,
 *                 cmp hi, loop interval (bits 0..12)
 *   COPY_LINEAR_RECT  13 dwords: header (sub_op 4, log2 of the element
 *                 size in bits 29..31), src lo, src hi, src x | y << 16,
 *                 src z | (pitch - 1) << 13, src slice pitch - 1, dst lo,
 *                 dst hi, dst x | y << 16, dst z | (pitch - 1) << 13, dst
 *                 slice pitch - 1, (width - 1) | (height - 1) << 16,
 *                 depth - 1; offsets, widths and pitches in elements
 *
 * The encoders of every packet are here, as static inline functions over
 * __u32, so that the kernel's KUnit tests and user space (libvkfd, the
 * selftests) use one and the same: vkfd_sdma_pkt_*().
 */
#ifndef _UAPI_LINUX_VKFD_SDMA_H
#define _UAPI_LINUX_VKFD_SDMA_H

#include <linux/types.h>

#define VKFD_SDMA_OP_NOP		0
#define VKFD_SDMA_OP_COPY		1
#define VKFD_SDMA_OP_WRITE		2
#define VKFD_SDMA_OP_FENCE		5
#define VKFD_SDMA_OP_TRAP		6
#define VKFD_SDMA_OP_POLL_REGMEM	8
#define VKFD_SDMA_OP_ATOMIC		10
#define VKFD_SDMA_OP_CONST_FILL		11
#define VKFD_SDMA_OP_TIMESTAMP		13

#define VKFD_SDMA_SUBOP_COPY_LINEAR	0
#define VKFD_SDMA_SUBOP_COPY_LINEAR_RECT	4
#define VKFD_SDMA_SUBOP_WRITE_LINEAR	0
#define VKFD_SDMA_SUBOP_TIMESTAMP_GET_GLOBAL	2

#define VKFD_SDMA_HEADER(op, sub_op)	((op) | ((sub_op) << 8))
#define VKFD_SDMA_HEADER_OP(h)		((h) & 0xff)
#define VKFD_SDMA_HEADER_SUB_OP(h)	(((h) >> 8) & 0xff)

#define VKFD_SDMA_NOP_COUNT(n)		(((n) & 0x3fff) << 16)
#define VKFD_SDMA_NOP_GET_COUNT(h)	(((h) >> 16) & 0x3fff)

#define VKFD_SDMA_COPY_COUNT_MASK	0x003fffff
#define VKFD_SDMA_COPY_BROADCAST	(1u << 27)
#define VKFD_SDMA_WRITE_COUNT_MASK	0x000fffff
#define VKFD_SDMA_FILL_COUNT_MASK	0x003fffff
#define VKFD_SDMA_TRAP_INT_CONTEXT_MASK	0x0fffffff

#define VKFD_SDMA_POLL_MEM		(1u << 31)
#define VKFD_SDMA_POLL_FUNC(f)		(((f) & 7) << 28)
#define VKFD_SDMA_POLL_GET_FUNC(h)	(((h) >> 28) & 7)
/* func: 0 always, 1 <, 2 <=, 3 ==, 4 !=, 5 >=, 6 > ((value & mask) op ref) */
#define VKFD_SDMA_POLL_FUNC_EQUAL	3
#define VKFD_SDMA_POLL_DW5(interval, retries) \
	(((interval) & 0xffff) | (((retries) & 0xfff) << 16))
#define VKFD_SDMA_POLL_RETRY_FOREVER	0xfff
/* Register polls (no mem_poll): an HDP flush; addr lo is a register */
#define VKFD_SDMA_POLL_HDP_FLUSH	(1u << 26)

/* CONST_FILL: fill size 2, what ROCm's runtime sends */
#define VKFD_SDMA_FILL_SIZE(s)		(((__u32)(s) & 3) << 30)
#define VKFD_SDMA_FILL_GET_SIZE(h)	(((h) >> 30) & 3)
#define VKFD_SDMA_FILL_SIZE_DWORD	2

/*
 * ATOMIC: the operation is a TC_OP code (amdgpu's vega10_enum.h): bits
 * 0..4 the operation, bit 5 64-bit, bit 6 "no return". vkfd executes the
 * integer ones; the value before the operation is not returned anywhere
 * (the packet has no return address), so RTN and NO_RTN do the same.
 */
#define VKFD_SDMA_ATOMIC_LOOP		(1u << 16)
#define VKFD_SDMA_ATOMIC_OP(op)		(((__u32)(op) & 0x7f) << 25)
#define VKFD_SDMA_ATOMIC_GET_OP(h)	(((h) >> 25) & 0x7f)
#define VKFD_SDMA_ATOMIC_64		0x20
#define VKFD_SDMA_ATOMIC_NO_RTN		0x40
#define VKFD_SDMA_ATOMIC_SWAP		0x07	/* src */
#define VKFD_SDMA_ATOMIC_CMPSWAP	0x08	/* old == cmp ? src : old */
#define VKFD_SDMA_ATOMIC_ADD		0x0f
#define VKFD_SDMA_ATOMIC_SUB		0x10	/* old - src */
#define VKFD_SDMA_ATOMIC_SMIN		0x11
#define VKFD_SDMA_ATOMIC_UMIN		0x12
#define VKFD_SDMA_ATOMIC_SMAX		0x13
#define VKFD_SDMA_ATOMIC_UMAX		0x14
#define VKFD_SDMA_ATOMIC_AND		0x15
#define VKFD_SDMA_ATOMIC_OR		0x16
#define VKFD_SDMA_ATOMIC_XOR		0x17
#define VKFD_SDMA_ATOMIC_INC		0x18	/* old >= src ? 0 : old + 1 */
#define VKFD_SDMA_ATOMIC_DEC		0x19	/* !old || old > src ? src : old - 1 */
/* TC_OP_ATOMIC_ADD_RTN_64: what ROCm's runtime completes a signal with */
#define VKFD_SDMA_ATOMIC_ADD_RTN_64	(VKFD_SDMA_ATOMIC_ADD | VKFD_SDMA_ATOMIC_64)
#define VKFD_SDMA_ATOMIC_INTERVAL_MASK	0x1fff

/* COPY_LINEAR_RECT */
#define VKFD_SDMA_RECT_ELEMENT(e)	(((__u32)(e) & 7) << 29)
#define VKFD_SDMA_RECT_GET_ELEMENT(h)	(((h) >> 29) & 7)
#define VKFD_SDMA_RECT_XY_MASK		0x3fff
#define VKFD_SDMA_RECT_Z_MASK		0x7ff
#define VKFD_SDMA_RECT_PITCH_MASK	0x7ffff
#define VKFD_SDMA_RECT_PITCH_SHIFT	13
#define VKFD_SDMA_RECT_SLICE_MASK	0x0fffffff

#define VKFD_SDMA_NOP_DW		1
#define VKFD_SDMA_COPY_LINEAR_DW	7
#define VKFD_SDMA_COPY_BROADCAST_DW	9
#define VKFD_SDMA_WRITE_LINEAR_DW	4	/* + the data */
#define VKFD_SDMA_CONST_FILL_DW		5
#define VKFD_SDMA_FENCE_DW		4
#define VKFD_SDMA_TRAP_DW		2
#define VKFD_SDMA_TIMESTAMP_DW		3
#define VKFD_SDMA_POLL_REGMEM_DW	6
#define VKFD_SDMA_ATOMIC_DW		8
#define VKFD_SDMA_COPY_LINEAR_RECT_DW	13

static inline __u32 vkfd_sdma_pkt_lo(__u64 va)
{
	return (__u32)va;
}

static inline __u32 vkfd_sdma_pkt_hi(__u64 va)
{
	return (__u32)(va >> 32);
}

/*
 * The encoders: each writes one packet at @dw and returns its length in
 * dwords. Counts are encoded as the packets want them, minus one and
 * masked to their field: a caller that asks for more than a field holds
 * gets a packet that does less, never one that spills into the next
 * dword. The engine masks every field the same way when it decodes.
 */

/* NOP: the header only; the caller appends the @count skipped dwords. */
static inline __u32 vkfd_sdma_pkt_nop(__u32 *dw, __u32 count)
{
	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_NOP, 0) |
		VKFD_SDMA_NOP_COUNT(count);
	return VKFD_SDMA_NOP_DW;
}

/* COPY_LINEAR of @bytes bytes from @src to @dst. */
static inline __u32 vkfd_sdma_pkt_copy(__u32 *dw, __u64 dst, __u64 src,
				       __u32 bytes)
{
	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_COPY,
				 VKFD_SDMA_SUBOP_COPY_LINEAR);
	dw[1] = (bytes - 1) & VKFD_SDMA_COPY_COUNT_MASK;
	dw[2] = 0;	/* no endian swap */
	dw[3] = vkfd_sdma_pkt_lo(src);
	dw[4] = vkfd_sdma_pkt_hi(src);
	dw[5] = vkfd_sdma_pkt_lo(dst);
	dw[6] = vkfd_sdma_pkt_hi(dst);
	return VKFD_SDMA_COPY_LINEAR_DW;
}

/* COPY_LINEAR with the broadcast bit: @bytes bytes from @src to @dst and @dst2. */
static inline __u32 vkfd_sdma_pkt_copy_broadcast(__u32 *dw, __u64 dst,
						 __u64 dst2, __u64 src,
						 __u32 bytes)
{
	vkfd_sdma_pkt_copy(dw, dst, src, bytes);
	dw[0] |= VKFD_SDMA_COPY_BROADCAST;
	dw[7] = vkfd_sdma_pkt_lo(dst2);
	dw[8] = vkfd_sdma_pkt_hi(dst2);
	return VKFD_SDMA_COPY_BROADCAST_DW;
}

/*
 * WRITE_LINEAR of @n dwords to @dst: the header only (4 dwords); the
 * caller appends the @n dwords.
 */
static inline __u32 vkfd_sdma_pkt_write(__u32 *dw, __u64 dst, __u32 n)
{
	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_WRITE,
				 VKFD_SDMA_SUBOP_WRITE_LINEAR);
	dw[1] = vkfd_sdma_pkt_lo(dst);
	dw[2] = vkfd_sdma_pkt_hi(dst);
	dw[3] = (n - 1) & VKFD_SDMA_WRITE_COUNT_MASK;
	return VKFD_SDMA_WRITE_LINEAR_DW;
}

/* CONST_FILL of @bytes bytes (a multiple of 4) at @dst with @value. */
static inline __u32 vkfd_sdma_pkt_fill(__u32 *dw, __u64 dst, __u32 value,
				       __u32 bytes)
{
	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_CONST_FILL, 0);
	dw[1] = vkfd_sdma_pkt_lo(dst);
	dw[2] = vkfd_sdma_pkt_hi(dst);
	dw[3] = value;
	dw[4] = (bytes - 1) & VKFD_SDMA_FILL_COUNT_MASK;
	return VKFD_SDMA_CONST_FILL_DW;
}

/* FENCE: write @value to the dword at @dst. */
static inline __u32 vkfd_sdma_pkt_fence(__u32 *dw, __u64 dst, __u32 value)
{
	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_FENCE, 0);
	dw[1] = vkfd_sdma_pkt_lo(dst);
	dw[2] = vkfd_sdma_pkt_hi(dst);
	dw[3] = value;
	return VKFD_SDMA_FENCE_DW;
}

/* TRAP: signal the event whose id is @int_ctx. */
static inline __u32 vkfd_sdma_pkt_trap(__u32 *dw, __u32 int_ctx)
{
	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_TRAP, 0);
	dw[1] = int_ctx & VKFD_SDMA_TRAP_INT_CONTEXT_MASK;
	return VKFD_SDMA_TRAP_DW;
}

/* TIMESTAMP GET_GLOBAL: write the u64 GPU clock to @dst. */
static inline __u32 vkfd_sdma_pkt_timestamp(__u32 *dw, __u64 dst)
{
	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_TIMESTAMP,
				 VKFD_SDMA_SUBOP_TIMESTAMP_GET_GLOBAL);
	dw[1] = vkfd_sdma_pkt_lo(dst);
	dw[2] = vkfd_sdma_pkt_hi(dst);
	return VKFD_SDMA_TIMESTAMP_DW;
}

/*
 * A memory POLL_REGMEM: wait until (the dword at @addr & @mask) @func
 * @ref (VKFD_SDMA_POLL_FUNC_*), checking every @interval, @retries times
 * (VKFD_SDMA_POLL_RETRY_FOREVER: forever).
 */
static inline __u32 vkfd_sdma_pkt_poll(__u32 *dw, __u64 addr, __u32 func,
				       __u32 ref, __u32 mask, __u32 interval,
				       __u32 retries)
{
	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_POLL_REGMEM, 0) |
		VKFD_SDMA_POLL_MEM | VKFD_SDMA_POLL_FUNC(func);
	dw[1] = vkfd_sdma_pkt_lo(addr);
	dw[2] = vkfd_sdma_pkt_hi(addr);
	dw[3] = ref;
	dw[4] = mask;
	dw[5] = VKFD_SDMA_POLL_DW5(interval, retries);
	return VKFD_SDMA_POLL_REGMEM_DW;
}

/*
 * A register-mode POLL_REGMEM (no mem_poll): @reg and @reg2 in dwords 1
 * and 2, @ref_mask as both reference and mask; with @hdp_flush, interval
 * 10 and retry forever, else 0. amdgpu's HDP flush is @hdp_flush, @func 3
 * (equal), the two registers' byte offsets and 1; ROCm's runtime's on
 * gfx9, { 0x8, 0, 0x80000000, 0, 0, 0 }, is no @hdp_flush, @func 0
 * (always), @reg 0, @reg2 0x80000000, @ref_mask 0.
 */
static inline __u32 vkfd_sdma_pkt_poll_reg(__u32 *dw, int hdp_flush,
					   __u32 func, __u32 reg, __u32 reg2,
					   __u32 ref_mask)
{
	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_POLL_REGMEM, 0) |
		(hdp_flush ? VKFD_SDMA_POLL_HDP_FLUSH : 0) |
		VKFD_SDMA_POLL_FUNC(func);
	dw[1] = reg;
	dw[2] = reg2;
	dw[3] = ref_mask;
	dw[4] = ref_mask;
	dw[5] = hdp_flush ? VKFD_SDMA_POLL_DW5(10, VKFD_SDMA_POLL_RETRY_FOREVER) :
			    0;
	return VKFD_SDMA_POLL_REGMEM_DW;
}

/* CONST_FILL of @dwords dwords, as ROCm's runtime encodes it. */
static inline __u32 vkfd_sdma_pkt_fill_dwords(__u32 *dw, __u64 dst,
					      __u32 value, __u32 dwords)
{
	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_CONST_FILL, 0) |
		VKFD_SDMA_FILL_SIZE(VKFD_SDMA_FILL_SIZE_DWORD);
	dw[1] = vkfd_sdma_pkt_lo(dst);
	dw[2] = vkfd_sdma_pkt_hi(dst);
	dw[3] = value;
	dw[4] = ((dwords - 1) * 4) & VKFD_SDMA_FILL_COUNT_MASK;
	return VKFD_SDMA_CONST_FILL_DW;
}

/*
 * ATOMIC @op (a TC_OP code, VKFD_SDMA_ATOMIC_*) on the 4 or 8 bytes at
 * @addr; @loop: a CMPSWAP retries until it succeeds, every @interval x 10
 * GPU clocks.
 */
static inline __u32 vkfd_sdma_pkt_atomic(__u32 *dw, __u32 op, __u64 addr,
					 __u64 src, __u64 cmp, int loop,
					 __u32 interval)
{
	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_ATOMIC, 0) |
		(loop ? VKFD_SDMA_ATOMIC_LOOP : 0) | VKFD_SDMA_ATOMIC_OP(op);
	dw[1] = vkfd_sdma_pkt_lo(addr);
	dw[2] = vkfd_sdma_pkt_hi(addr);
	dw[3] = vkfd_sdma_pkt_lo(src);
	dw[4] = vkfd_sdma_pkt_hi(src);
	dw[5] = vkfd_sdma_pkt_lo(cmp);
	dw[6] = vkfd_sdma_pkt_hi(cmp);
	dw[7] = interval & VKFD_SDMA_ATOMIC_INTERVAL_MASK;
	return VKFD_SDMA_ATOMIC_DW;
}

/**
 * struct vkfd_sdma_rect - one side of a COPY_LINEAR_RECT, in elements
 * @va: the base, a multiple of 4
 * @x: offset of the rectangle in a row, elements
 * @y: offset in rows
 * @z: offset in slices
 * @pitch: elements from one row to the next, at least 1
 * @slice: elements from one slice to the next, at least 1
 * @pad: 0
 */
struct vkfd_sdma_rect {
	__u64 va;
	__u32 x;
	__u32 y;
	__u32 z;
	__u32 pitch;
	__u32 slice;
	__u32 pad;
};

/*
 * COPY_LINEAR_RECT of @w x @h x @d elements of 1 << @element bytes, as
 * ROCm's runtime's BuildCopyRectCommand() encodes it: pitches, slice
 * pitches and sizes minus one.
 */
static inline __u32 vkfd_sdma_pkt_copy_rect(__u32 *dw, __u32 element,
					    const struct vkfd_sdma_rect *dst,
					    const struct vkfd_sdma_rect *src,
					    __u32 w, __u32 h, __u32 d)
{
	const struct vkfd_sdma_rect *side[2] = { src, dst };
	unsigned int i;

	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_COPY,
				 VKFD_SDMA_SUBOP_COPY_LINEAR_RECT) |
		VKFD_SDMA_RECT_ELEMENT(element);
	for (i = 0; i < 2; i++) {
		const struct vkfd_sdma_rect *r = side[i];
		__u32 *p = dw + 1 + 5 * i;

		p[0] = vkfd_sdma_pkt_lo(r->va);
		p[1] = vkfd_sdma_pkt_hi(r->va);
		p[2] = (r->x & VKFD_SDMA_RECT_XY_MASK) |
		       (r->y & VKFD_SDMA_RECT_XY_MASK) << 16;
		p[3] = (r->z & VKFD_SDMA_RECT_Z_MASK) |
		       ((r->pitch - 1) & VKFD_SDMA_RECT_PITCH_MASK) <<
		       VKFD_SDMA_RECT_PITCH_SHIFT;
		p[4] = (r->slice - 1) & VKFD_SDMA_RECT_SLICE_MASK;
	}
	dw[11] = ((w - 1) & VKFD_SDMA_RECT_XY_MASK) |
		 ((h - 1) & VKFD_SDMA_RECT_XY_MASK) << 16;
	dw[12] = (d - 1) & VKFD_SDMA_RECT_Z_MASK;
	return VKFD_SDMA_COPY_LINEAR_RECT_DW;
}

#endif /* _UAPI_LINUX_VKFD_SDMA_H */
