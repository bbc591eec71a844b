// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit tests of the PM4 packets that only touch memory (vkfd_pm4_mem.c)
 * on a compute queue of the SDMA suites' fixture (vkfd_sdma_test.h):
 * COPY_DATA from each source, ATOMIC_MEM's operations and its loop,
 * DMA_DATA's copies and fills across slices, in the ring and in an
 * indirect buffer, COND_WRITE's functions, and every selector vkfd does not execute halting the
 * queue at the packet with nothing written.
 */
#include <linux/timekeeping.h>

#include "vkfd_pm4_test.h"

#define PKT_MAX		64

#define PEMIT(t, buf, pkt, ...) do {				\
	u32 *__dw = (buf);						\
	emit(t, __dw, pkt(__dw, ##__VA_ARGS__));			\
} while (0)

/* PKT_MAX dwords for building packets, off the stack. */
static u32 *scratch(struct kunit *test)
{
	u32 *dw = kunit_kcalloc(test, PKT_MAX, sizeof(u32), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, dw);
	return dw;
}

static u64 *data64(struct sdma_test *t, u64 off)
{
	return (u64 *)data(t, off);
}

/*
 * Emit the @n dwords at @dw: the queue must halt at them as INVALID,
 * the read pointer at the packet, the data page 2 untouched.
 */
static void expect_invalid(struct kunit *test, const u32 *dw,
			   unsigned int n)
{
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;
	unsigned int i;

	preset(t, 0);
	memset(data(t, 2 * PG), 0, PG);
	emit(t, dw, n);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_INVALID);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 0ULL);
	for (i = 0; i < PG; i += 4)
		KUNIT_EXPECT_EQ(test, *data(t, 2 * PG + i), 0U);
}

/* COPY_DATA from memory, immediate data and the clocks, 32 and 64 bits. */
static void vkfd_pm4_test_copy_data(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	u32 *dw = scratch(test);
	struct vkfd_sdma_run r;
	u64 before = ktime_get_raw_ns(), sys = ktime_get_boottime_ns();

	*data(t, 0) = 0x11223344;
	*data64(t, 8) = 0x5566778899aabbccULL;
	/* Low address bits ignored: 2, and 3 for 64 bits */
	PEMIT(t, dw, vkfd_pm4_pkt_copy_data, VKFD_PM4_CD_TC_L2, DATA_VA + 3,
	      DATA_VA + PG + 2, false);
	PEMIT(t, dw, vkfd_pm4_pkt_copy_data, VKFD_PM4_CD_MEM_SYNC,
	      DATA_VA + 12, DATA_VA + PG + 13, true);
	PEMIT(t, dw, vkfd_pm4_pkt_copy_data, VKFD_PM4_CD_SRC_IMM,
	      0xdeadbeefcafef00dULL, DATA_VA + PG + 24, false);
	PEMIT(t, dw, vkfd_pm4_pkt_copy_data, VKFD_PM4_CD_SRC_IMM,
	      0xdeadbeefcafef00dULL, DATA_VA + PG + 32, true);
	PEMIT(t, dw, vkfd_pm4_pkt_copy_data, VKFD_PM4_CD_SRC_GPU_CLOCK, 0,
	      DATA_VA + PG + 40, true);
	PEMIT(t, dw, vkfd_pm4_pkt_copy_data, VKFD_PM4_CD_SRC_SYS_CLOCK, 0,
	      DATA_VA + PG + 48, true);
	/* To a register: the source read, nothing written. */
	vkfd_pm4_pkt_copy_data(dw, VKFD_PM4_CD_SRC_IMM, 7, DATA_VA + PG + 56,
			       false);
	dw[1] &= ~VKFD_PM4_CD_DST_SEL(0xf);
	emit(t, dw, VKFD_PM4_COPY_DATA_DW);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, rptr_bytes(t), t->wptr);
	KUNIT_EXPECT_EQ(test, *data(t, PG), 0x11223344U);
	KUNIT_EXPECT_EQ(test, *data(t, PG + 4), 0U);
	KUNIT_EXPECT_EQ(test, *data64(t, PG + 8), 0x5566778899aabbccULL);
	KUNIT_EXPECT_EQ(test, *data(t, PG + 24), 0xcafef00dU);
	KUNIT_EXPECT_EQ(test, *data(t, PG + 28), 0U);
	KUNIT_EXPECT_EQ(test, *data64(t, PG + 32), 0xdeadbeefcafef00dULL);
	KUNIT_EXPECT_GE(test, *data64(t, PG + 40), before);
	KUNIT_EXPECT_LE(test, *data64(t, PG + 40), ktime_get_raw_ns());
	KUNIT_EXPECT_GE(test, *data64(t, PG + 48), sys);
	KUNIT_EXPECT_LE(test, *data64(t, PG + 48), ktime_get_boottime_ns());
	KUNIT_EXPECT_EQ(test, *data(t, PG + 56), 0U);
	/* Not SDMA's bytes */
	KUNIT_EXPECT_EQ(test, r.moved, 0ULL);
}

/* COPY_DATA's selectors vkfd does not execute, and its faults. */
static void vkfd_pm4_test_copy_data_invalid(struct kunit *test)
{
	static const u32 bad_src[] = { VKFD_PM4_CD_REG, 3, 4,
				       VKFD_PM4_CD_SRC_ATOMIC_RTN, 7, 8, 11,
				       15 };
	static const u32 bad_dst[] = { 3, 4, 6, 15 };
	struct sdma_test *t = test->priv;
	u32 *dw = scratch(test);
	struct vkfd_sdma_run r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad_src); i++) {
		vkfd_pm4_pkt_copy_data(dw, bad_src[i], DATA_VA,
				       DATA_VA + 2 * PG, false);
		expect_invalid(test, dw, VKFD_PM4_COPY_DATA_DW);
	}
	for (i = 0; i < ARRAY_SIZE(bad_dst); i++) {
		vkfd_pm4_pkt_copy_data(dw, VKFD_PM4_CD_SRC_IMM, 1,
				       DATA_VA + 2 * PG, false);
		dw[1] = (dw[1] & ~VKFD_PM4_CD_DST_SEL(0xf)) |
			VKFD_PM4_CD_DST_SEL(bad_dst[i]);
		expect_invalid(test, dw, VKFD_PM4_COPY_DATA_DW);
	}
	/* Shorter than 6 dwords */
	vkfd_pm4_pkt_copy_data(dw, VKFD_PM4_CD_SRC_IMM, 1, DATA_VA + 2 * PG,
			       false);
	dw[0] = VKFD_PM4_HDR(VKFD_PM4_OP_COPY_DATA, 3);
	expect_invalid(test, dw, 5);

	/* A source nothing maps; a read-only destination */
	preset(t, 0);
	PEMIT(t, dw, vkfd_pm4_pkt_copy_data, VKFD_PM4_CD_TC_L2, HOLE_VA + 8,
	      DATA_VA, true);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, r.fault.va, HOLE_VA + 8);
	KUNIT_EXPECT_FALSE(test, r.fault.write);
	preset(t, 0);
	PEMIT(t, dw, vkfd_pm4_pkt_copy_data, VKFD_PM4_CD_SRC_IMM, 1, RO_VA,
	      false);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, r.fault.va, RO_VA);
	KUNIT_EXPECT_TRUE(test, r.fault.write);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 0ULL);
}

struct am_case {
	u32 op;
	u64 old, src, cmp, new;
};

/* Each operation, 32 and 64 bits, with and without return. */
static void vkfd_pm4_test_atomic_mem(struct kunit *test)
{
	static const struct am_case c[] = {
		{ VKFD_SDMA_ATOMIC_SWAP, 5, 9, 0, 9 },
		{ VKFD_SDMA_ATOMIC_CMPSWAP, 5, 9, 5, 9 },
		{ VKFD_SDMA_ATOMIC_CMPSWAP, 5, 9, 4, 5 },
		{ VKFD_SDMA_ATOMIC_ADD, 5, 9, 0, 14 },
		{ VKFD_SDMA_ATOMIC_SUB, 5, 9, 0, (u64)-4 },
		{ VKFD_SDMA_ATOMIC_SMIN, 5, (u64)-1, 0, (u64)-1 },
		{ VKFD_SDMA_ATOMIC_UMIN, 5, (u64)-1, 0, 5 },
		{ VKFD_SDMA_ATOMIC_SMAX, 5, (u64)-1, 0, 5 },
		{ VKFD_SDMA_ATOMIC_UMAX, 5, (u64)-1, 0, (u64)-1 },
		{ VKFD_SDMA_ATOMIC_AND, 0xf0f, 0x0ff, 0, 0x00f },
		{ VKFD_SDMA_ATOMIC_OR, 0xf00, 0x0f0, 0, 0xff0 },
		{ VKFD_SDMA_ATOMIC_XOR, 0xff0, 0x0ff, 0, 0xf0f },
		{ VKFD_SDMA_ATOMIC_INC, 5, 9, 0, 6 },
		{ VKFD_SDMA_ATOMIC_INC, 9, 9, 0, 0 },
		{ VKFD_SDMA_ATOMIC_DEC, 5, 9, 0, 4 },
		{ VKFD_SDMA_ATOMIC_DEC, 0, 9, 0, 9 },
	};
	struct sdma_test *t = test->priv;
	u32 *dw = scratch(test);
	struct vkfd_sdma_run r;
	unsigned int i, k;

	for (k = 0; k < 4; k++) {
		bool wide = k & 1;
		u32 flags = (wide ? VKFD_SDMA_ATOMIC_64 : 0) |
			    (k & 2 ? VKFD_SDMA_ATOMIC_NO_RTN : 0);
		u64 mask = wide ? U64_MAX : U32_MAX;

		for (i = 0; i < ARRAY_SIZE(c); i++) {
			u64 off = PG + 16 * i;

			*data64(t, off) = 0xa5a5a5a5a5a5a5a5ULL;
			if (wide)
				*data64(t, off) = c[i].old & mask;
			else
				*data(t, off) = c[i].old & mask;
			/* The command is a single pass but for LOOP. */
			PEMIT(t, dw, vkfd_pm4_pkt_atomic_mem, c[i].op | flags,
			      i % 4 == 1 ? 0 : i % 4, DATA_VA + off,
			      c[i].src, c[i].cmp, 0);
		}
		KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_IDLE);
		KUNIT_EXPECT_EQ(test, rptr_bytes(t), t->wptr);
		for (i = 0; i < ARRAY_SIZE(c); i++) {
			u64 off = PG + 16 * i;

			if (wide) {
				KUNIT_EXPECT_EQ_MSG(test, *data64(t, off),
						    c[i].new, "case %u", i);
			} else {
				KUNIT_EXPECT_EQ_MSG(test, *data(t, off),
						    (u32)c[i].new, "case %u",
						    i);
				/* The next dword untouched */
				KUNIT_EXPECT_EQ(test, *data(t, off + 4),
						0xa5a5a5a5U);
			}
		}
	}
}

/* Operations, commands and alignments that are invalid; faults. */
static void vkfd_pm4_test_atomic_mem_invalid(struct kunit *test)
{
	/* GL2 read and write, FCMPSWAP..FMAX, reserved, NOP_RTN0 */
	static const u32 bad_op[] = { 0x00, 0x20, 0x09, 0x0e, 0x1a, 0x1f,
				      0x5b, 0x7b };
	struct sdma_test *t = test->priv;
	u32 *dw = scratch(test);
	struct vkfd_sdma_run r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad_op); i++) {
		vkfd_pm4_pkt_atomic_mem(dw, bad_op[i], 0, DATA_VA + 2 * PG,
					1, 0, 0);
		expect_invalid(test, dw, VKFD_PM4_ATOMIC_MEM_DW);
	}
	for (i = 4; i < 16; i += 11) {
		vkfd_pm4_pkt_atomic_mem(dw, VKFD_SDMA_ATOMIC_ADD, i,
					DATA_VA + 2 * PG, 1, 0, 0);
		expect_invalid(test, dw, VKFD_PM4_ATOMIC_MEM_DW);
	}
	vkfd_pm4_pkt_atomic_mem(dw, VKFD_SDMA_ATOMIC_ADD, 0,
				DATA_VA + 2 * PG + 2, 1, 0, 0);
	expect_invalid(test, dw, VKFD_PM4_ATOMIC_MEM_DW);
	vkfd_pm4_pkt_atomic_mem(dw, VKFD_SDMA_ATOMIC_ADD_RTN_64, 0,
				DATA_VA + 2 * PG + 4, 1, 0, 0);
	expect_invalid(test, dw, VKFD_PM4_ATOMIC_MEM_DW);

	/* Read-only: a write fault, the value as it was */
	preset(t, 0);
	PEMIT(t, dw, vkfd_pm4_pkt_atomic_mem, VKFD_SDMA_ATOMIC_ADD, 0,
	      RO_VA + 8, 1, 0, 0);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, r.fault.va, RO_VA + 8);
	KUNIT_EXPECT_TRUE(test, r.fault.write);
	KUNIT_EXPECT_EQ(test, *(u32 *)(page_of(t, P_RO) + 8), 0U);
}

/*
 * Command LOOP: a CMPSWAP parks the queue until it swaps, without
 * spinning; LOOP with another operation is one pass.
 */
static void vkfd_pm4_test_atomic_mem_loop(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	u32 *dw = scratch(test);
	struct vkfd_sdma_run r;

	*data(t, 0) = 3;
	*data(t, 4) = 10;
	PEMIT(t, dw, vkfd_pm4_pkt_atomic_mem, VKFD_SDMA_ATOMIC_ADD,
	      VKFD_PM4_AM_LOOP, DATA_VA + 4, 1, 0, 100);
	PEMIT(t, dw, vkfd_pm4_pkt_atomic_mem, VKFD_SDMA_ATOMIC_CMPSWAP,
	      VKFD_PM4_AM_LOOP, DATA_VA, 7, 5, VKFD_PM4_AM_INTERVAL_MASK);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_POLL);
	KUNIT_EXPECT_EQ(test, *data(t, 4), 11U);
	KUNIT_EXPECT_EQ(test, rptr_bytes(t), 4ULL * VKFD_PM4_ATOMIC_MEM_DW);
	KUNIT_EXPECT_EQ(test, t->q.sdma.poll_tries, 1U);
	KUNIT_EXPECT_EQ(test, *data(t, 0), 3U);
	/* Parked: not tried again before poll_next */
	t->q.sdma.poll_next = U64_MAX;
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_POLL);
	KUNIT_EXPECT_EQ(test, t->q.sdma.poll_tries, 1U);
	t->q.sdma.poll_next = 0;
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_POLL);
	KUNIT_EXPECT_EQ(test, t->q.sdma.poll_tries, 2U);
	*data(t, 0) = 5;
	t->q.sdma.poll_next = 0;
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, rptr_bytes(t), t->wptr);
	KUNIT_EXPECT_EQ(test, *data(t, 0), 7U);
}

/*
 * DMA_DATA: byte copies at any alignment, over a page boundary, a fill,
 * the no-increment forms, a zero count, a prefetch.
 */
static void vkfd_pm4_test_dma_data(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	u32 *dw = scratch(test);
	struct vkfd_sdma_run r;
	u8 *src = (u8 *)data(t, 0), *dst = (u8 *)data(t, PG);
	unsigned int i;
	u32 last;

	for (i = 0; i < 64; i++)
		src[i] = i + 1;
	PEMIT(t, dw, vkfd_pm4_pkt_dma_copy, DATA_VA + 3, DATA_VA + PG + 5, 13,
	      VKFD_PM4_DMA_RAW_WAIT | VKFD_PM4_DMA_DIS_WC);
	/* Across the boundary of pages 2 and 3 */
	PEMIT(t, dw, vkfd_pm4_pkt_dma_fill, 0x01020304, DATA_VA + 3 * PG - 8,
	      16);
	/* SAIC: the source dword over 12 bytes */
	PEMIT(t, dw, vkfd_pm4_pkt_dma_copy, DATA_VA + 6, DATA_VA + PG + 64,
	      12, VKFD_PM4_DMA_SAIC);
	/* DAIC: the last source dword stays at the destination */
	PEMIT(t, dw, vkfd_pm4_pkt_dma_copy, DATA_VA + 1, DATA_VA + PG + 82,
	      16, VKFD_PM4_DMA_DAIC);
	/* Both: one dword */
	PEMIT(t, dw, vkfd_pm4_pkt_dma_copy, DATA_VA + 8, DATA_VA + PG + 96,
	      32, VKFD_PM4_DMA_SAIC | VKFD_PM4_DMA_DAIC);
	/* A fill with DAIC: one dword */
	vkfd_pm4_pkt_dma_fill(dw, 0x99, DATA_VA + PG + 112, 64);
	dw[6] |= VKFD_PM4_DMA_DAIC;
	emit(t, dw, VKFD_PM4_DMA_DATA_DW);
	/* Nothing: a zero count, and nowhere (to a hole: not written) */
	PEMIT(t, dw, vkfd_pm4_pkt_dma_copy, HOLE_VA, HOLE_VA, 0, 0);
	vkfd_pm4_pkt_dma_copy(dw, HOLE_VA, HOLE_VA, 64, 0);
	dw[1] = (dw[1] & ~VKFD_PM4_DMA_DST_SEL(3)) |
		VKFD_PM4_DMA_DST_SEL(VKFD_PM4_DMA_DST_NOWHERE);
	emit(t, dw, VKFD_PM4_DMA_DATA_DW);
	/* src_sel and dst_sel DAS, as well as L2 */
	vkfd_pm4_pkt_dma_copy(dw, DATA_VA, DATA_VA + PG + 128, 4, 0);
	dw[1] = VKFD_PM4_DMA_SRC_SEL(VKFD_PM4_DMA_SEL_DAS) |
		VKFD_PM4_DMA_DST_SEL(VKFD_PM4_DMA_SEL_DAS);
	emit(t, dw, VKFD_PM4_DMA_DATA_DW);

	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, rptr_bytes(t), t->wptr);
	KUNIT_EXPECT_EQ(test, dst[4], (u8)0);
	for (i = 0; i < 13; i++)
		KUNIT_EXPECT_EQ(test, dst[5 + i], src[3 + i]);
	KUNIT_EXPECT_EQ(test, dst[18], (u8)0);
	KUNIT_EXPECT_EQ(test, *data(t, 3 * PG - 12), 0U);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, *data(t, 3 * PG - 8 + 4 * i),
				0x01020304U);
	KUNIT_EXPECT_EQ(test, *data(t, 3 * PG + 8), 0U);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, *data(t, PG + 64 + 4 * i), *data(t, 4));
	KUNIT_EXPECT_EQ(test, *data(t, PG + 76), 0U);
	memcpy(&last, src + 13, sizeof(last));
	KUNIT_EXPECT_EQ(test, *data(t, PG + 80), last);
	KUNIT_EXPECT_EQ(test, *data(t, PG + 84), 0U);
	KUNIT_EXPECT_EQ(test, *data(t, PG + 96), *data(t, 8));
	KUNIT_EXPECT_EQ(test, *data(t, PG + 100), 0U);
	KUNIT_EXPECT_EQ(test, *data(t, PG + 112), 0x99U);
	KUNIT_EXPECT_EQ(test, *data(t, PG + 116), 0U);
	KUNIT_EXPECT_EQ(test, *data(t, PG + 128), *data(t, 0));
	KUNIT_EXPECT_EQ(test, r.moved, 0ULL);
}

/* DMA_DATA's invalid forms halt before anything is written; faults. */
static void vkfd_pm4_test_dma_data_invalid(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	u32 *dw = scratch(test);
	u64 dst = DATA_VA + 2 * PG;
	struct vkfd_sdma_run r;

	/* GDS source, GDS destination */
	vkfd_pm4_pkt_dma_copy(dw, DATA_VA, dst, 4, 0);
	dw[1] = (dw[1] & ~VKFD_PM4_DMA_SRC_SEL(3)) |
		VKFD_PM4_DMA_SRC_SEL(VKFD_PM4_DMA_SEL_GDS);
	expect_invalid(test, dw, VKFD_PM4_DMA_DATA_DW);
	vkfd_pm4_pkt_dma_copy(dw, DATA_VA, dst, 4, 0);
	dw[1] = (dw[1] & ~VKFD_PM4_DMA_DST_SEL(3)) |
		VKFD_PM4_DMA_DST_SEL(VKFD_PM4_DMA_SEL_GDS);
	expect_invalid(test, dw, VKFD_PM4_DMA_DATA_DW);
	/* Registers: SAS, DAS */
	vkfd_pm4_pkt_dma_copy(dw, DATA_VA, dst, 4, VKFD_PM4_DMA_SAS);
	expect_invalid(test, dw, VKFD_PM4_DMA_DATA_DW);
	vkfd_pm4_pkt_dma_copy(dw, DATA_VA, dst, 4, VKFD_PM4_DMA_DAS);
	expect_invalid(test, dw, VKFD_PM4_DMA_DATA_DW);
	/* Part dwords: a fill, SAIC, DAIC; a fill or SAIC unaligned */
	vkfd_pm4_pkt_dma_fill(dw, 1, dst, 6);
	expect_invalid(test, dw, VKFD_PM4_DMA_DATA_DW);
	vkfd_pm4_pkt_dma_fill(dw, 1, dst + 2, 8);
	expect_invalid(test, dw, VKFD_PM4_DMA_DATA_DW);
	vkfd_pm4_pkt_dma_copy(dw, DATA_VA, dst, 6, VKFD_PM4_DMA_SAIC);
	expect_invalid(test, dw, VKFD_PM4_DMA_DATA_DW);
	vkfd_pm4_pkt_dma_copy(dw, DATA_VA, dst + 1, 8, VKFD_PM4_DMA_SAIC);
	expect_invalid(test, dw, VKFD_PM4_DMA_DATA_DW);
	vkfd_pm4_pkt_dma_copy(dw, DATA_VA, dst, 6, VKFD_PM4_DMA_DAIC);
	expect_invalid(test, dw, VKFD_PM4_DMA_DATA_DW);

	/* Into the read-only page: what is before it is written. */
	preset(t, 0);
	*data(t, 0) = 0x12345678;
	*data(t, 4) = 0x9abcdef0;
	PEMIT(t, dw, vkfd_pm4_pkt_dma_copy, DATA_VA, RO_VA - 4, 8, 0);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, r.fault.va, RO_VA);
	KUNIT_EXPECT_TRUE(test, r.fault.write);
	KUNIT_EXPECT_EQ(test, *data(t, 4 * PG - 4), 0x12345678U);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 0ULL);
	/* From a hole */
	preset(t, 0);
	PEMIT(t, dw, vkfd_pm4_pkt_dma_copy, HOLE_VA + 4, DATA_VA, 8, 0);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, r.fault.va, HOLE_VA + 4);
	KUNIT_EXPECT_FALSE(test, r.fault.write);
}

/*
 * 2 MiB moved by one DMA_DATA: a slice's worth at a time, the packet
 * resumed where the last slice left it; then a fill likewise.
 */
static void vkfd_pm4_test_dma_data_budget(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	u32 *dw = scratch(test);
	u8 *src = page_of(t, P_BIG_SRC), *dst = page_of(t, P_BIG_DST);
	struct vkfd_sdma_run r;
	unsigned int i;

	for (i = 0; i < PG; i++)
		src[i] = i * 7 + 1;
	PEMIT(t, dw, vkfd_pm4_pkt_dma_copy, BIG_SRC_VA, BIG_DST_VA, BIG, 0);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_BUDGET);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 0ULL);
	KUNIT_EXPECT_EQ(test, t->q.sdma.pkt_done, (u64)VKFD_SDMA_SLICE);
	KUNIT_EXPECT_LE(test, r.budget, 0L);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, rptr_bytes(t), t->wptr);
	KUNIT_EXPECT_EQ(test, memcmp(src, dst, PG), 0);

	PEMIT(t, dw, vkfd_pm4_pkt_dma_fill, 0x5a5a5a5a, BIG_DST_VA, BIG);
	KUNIT_EXPECT_EQ(test, prun_budget(t, &r, SZ_64K), VKFD_SDMA_BUDGET);
	KUNIT_EXPECT_EQ(test, t->q.sdma.pkt_done, (u64)SZ_64K);
	for (i = 0; i < 64 && prun(t, &r) == VKFD_SDMA_BUDGET; i++)
		;
	KUNIT_EXPECT_EQ(test, i, 1U);
	KUNIT_EXPECT_EQ(test, rptr_bytes(t), t->wptr);
	KUNIT_EXPECT_EQ(test, *(u32 *)(dst + PG - 4), 0x5a5a5a5aU);
}

/*
 * In an indirect buffer the bytes done are sub_done, pkt_done staying
 * the buffer's offset of the DMA_DATA; a changed ring forgets both.
 */
static void vkfd_pm4_test_dma_data_ib(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	u32 *dw = scratch(test), *ib = scratch(test);
	u8 *src = page_of(t, P_BIG_SRC), *dst = page_of(t, P_BIG_DST);
	struct vkfd_sdma_run r;
	u32 v = 0x77, n = 0, i;

	for (i = 0; i < PG; i++)
		src[i] = i * 3 + 2;
	n += vkfd_pm4_pkt_write_data(ib + n, DATA_VA + 4, &v, 1, false);
	n += vkfd_pm4_pkt_dma_copy(ib + n, BIG_SRC_VA, BIG_DST_VA, BIG, 0);
	n += vkfd_pm4_pkt_atomic_mem(ib + n, VKFD_SDMA_ATOMIC_ADD, 0,
				     DATA_VA + 8, 1, 0, 0);
	for (i = 0; i < n; i++)
		*data(t, PG + 4 * i) = ib[i];
	PEMIT(t, dw, vkfd_pm4_pkt_ib, DATA_VA + PG, n);

	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_BUDGET);
	KUNIT_EXPECT_EQ(test, t->q.sdma.pkt_done, 5ULL);
	KUNIT_EXPECT_GT(test, t->q.sdma.sub_done, 0ULL);
	KUNIT_EXPECT_LT(test, t->q.sdma.sub_done, (u64)BIG);
	vkfd_sdma_queue_ring_changed(&t->q);
	KUNIT_EXPECT_EQ(test, t->q.sdma.sub_done, 0ULL);
	KUNIT_EXPECT_EQ(test, t->q.sdma.pkt_done, 0ULL);

	for (i = 0; i < 64 && prun(t, &r) == VKFD_SDMA_BUDGET; i++)
		;
	KUNIT_EXPECT_LT(test, i, 64U);
	KUNIT_EXPECT_EQ(test, rptr_bytes(t), t->wptr);
	KUNIT_EXPECT_EQ(test, t->q.sdma.sub_done, 0ULL);
	KUNIT_EXPECT_EQ(test, memcmp(src, dst, PG), 0);
	KUNIT_EXPECT_EQ(test, *data(t, 8), 1U);
}

struct cw_case {
	u32 func, ref;
	bool hit;
};

/*
 * COND_WRITE: each function true and false on a masked value; a
 * register write space writes nothing, a register poll with "always"
 * writes.
 */
static void vkfd_pm4_test_cond_write(struct kunit *test)
{
	static const struct cw_case c[] = {
		{ 0, 99, true }, { 1, 6, true }, { 1, 5, false },
		{ 2, 5, true }, { 2, 4, false }, { 3, 5, true },
		{ 3, 6, false }, { 4, 6, true }, { 4, 5, false },
		{ 5, 5, true }, { 5, 6, false }, { 6, 4, true },
		{ 6, 5, false },
	};
	struct sdma_test *t = test->priv;
	u32 *dw = scratch(test);
	struct vkfd_sdma_run r;
	unsigned int i;

	*data(t, 0) = 0x305;
	/* Low address bits ignored */
	for (i = 0; i < ARRAY_SIZE(c); i++)
		PEMIT(t, dw, vkfd_pm4_pkt_cond_write, DATA_VA + 2, c[i].func,
		      c[i].ref, 0xff, DATA_VA + PG + 4 * i + 1, 0x100 + i);
	vkfd_pm4_pkt_cond_write(dw, DATA_VA, 0, 0, 0, DATA_VA + PG + 60, 7);
	dw[1] &= ~VKFD_PM4_CW_WRITE_SPACE(3);
	emit(t, dw, VKFD_PM4_COND_WRITE_DW);
	vkfd_pm4_pkt_cond_write(dw, HOLE_VA, 0, 0, 0, DATA_VA + PG + 64, 8);
	dw[1] &= ~VKFD_PM4_CW_POLL_MEM;
	emit(t, dw, VKFD_PM4_COND_WRITE_DW);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, rptr_bytes(t), t->wptr);
	for (i = 0; i < ARRAY_SIZE(c); i++)
		KUNIT_EXPECT_EQ_MSG(test, *data(t, PG + 4 * i),
				    c[i].hit ? 0x100 + i : 0, "case %u", i);
	KUNIT_EXPECT_EQ(test, *data(t, PG + 60), 0U);
	KUNIT_EXPECT_EQ(test, *data(t, PG + 64), 8U);
	KUNIT_EXPECT_EQ(test, *data(t, 0), 0x305U);
}

/* COND_WRITE's invalid function and spaces; a poll that faults. */
static void vkfd_pm4_test_cond_write_invalid(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	u32 *dw = scratch(test);
	u64 dst = DATA_VA + 2 * PG;
	struct vkfd_sdma_run r;
	unsigned int i;

	vkfd_pm4_pkt_cond_write(dw, DATA_VA, 7, 0, 0, dst, 1);
	expect_invalid(test, dw, VKFD_PM4_COND_WRITE_DW);
	for (i = 2; i < 4; i++) {
		vkfd_pm4_pkt_cond_write(dw, DATA_VA, 0, 0, 0, dst, 1);
		dw[1] = (dw[1] & ~VKFD_PM4_CW_WRITE_SPACE(3)) |
			VKFD_PM4_CW_WRITE_SPACE(i);
		expect_invalid(test, dw, VKFD_PM4_COND_WRITE_DW);
	}
	/* A register poll with a real comparison */
	vkfd_pm4_pkt_cond_write(dw, DATA_VA, VKFD_PM4_WRM_FUNC_EQUAL, 0, 0,
				dst, 1);
	dw[1] &= ~VKFD_PM4_CW_POLL_MEM;
	expect_invalid(test, dw, VKFD_PM4_COND_WRITE_DW);

	preset(t, 0);
	PEMIT(t, dw, vkfd_pm4_pkt_cond_write, HOLE_VA + 4, 0, 0, 0, dst, 1);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, r.fault.va, HOLE_VA + 4);
	KUNIT_EXPECT_FALSE(test, r.fault.write);
	KUNIT_EXPECT_EQ(test, *data(t, 2 * PG), 0U);
}

static struct kunit_case vkfd_pm4_mem_test_cases[] = {
	KUNIT_CASE(vkfd_pm4_test_copy_data),
	KUNIT_CASE(vkfd_pm4_test_copy_data_invalid),
	KUNIT_CASE(vkfd_pm4_test_atomic_mem),
	KUNIT_CASE(vkfd_pm4_test_atomic_mem_invalid),
	KUNIT_CASE(vkfd_pm4_test_atomic_mem_loop),
	KUNIT_CASE(vkfd_pm4_test_dma_data),
	KUNIT_CASE(vkfd_pm4_test_dma_data_invalid),
	KUNIT_CASE(vkfd_pm4_test_dma_data_budget),
	KUNIT_CASE(vkfd_pm4_test_dma_data_ib),
	KUNIT_CASE(vkfd_pm4_test_cond_write),
	KUNIT_CASE(vkfd_pm4_test_cond_write_invalid),
	{}
};

static struct kunit_suite vkfd_pm4_mem_test_suite = {
	.name = "vkfd-pm4-mem",
	.init = pm4_test_init,
	.exit = sdma_test_exit,
	.test_cases = vkfd_pm4_mem_test_cases,
};

kunit_test_suite(vkfd_pm4_mem_test_suite);
