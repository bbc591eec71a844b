// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit tests of the PM4 packet executor (vkfd_pm4.c) on a compute queue
 * of the SDMA suites' fixture (vkfd_sdma_test.h: a VM with a ring, data
 * pages, a read-only page and a hole): every packet byte-exact, packets
 * and data wrapping around the ring, indirect buffers and their nesting
 * rule, interrupts, waits, invalid packets, faults, the slice's budget,
 * and the read pointer as gfx9's CP reports it.
 */
#include "vkfd_pm4_test.h"

/* The longest packet the tests emit at once */
#define PKT_MAX		128

/* Would the engine call the executor now? */
static bool ready(struct sdma_test *t)
{
	return t->q.ops->ready(&t->q, t->wptr / 4, ktime_get_ns());
}

/* Emit a packet, built in @dw (PKT_MAX dwords) */
#define PEMIT(t, buf, pkt, ...) do {				\
	u32 *__dw = (buf);						\
	emit(t, __dw, pkt(__dw, ##__VA_ARGS__));			\
} while (0)

/*
 * PKT_MAX dwords for building packets, freed with the test: off the
 * stack, which KASAN's redzones would make too large.
 */
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

/* Type-2 fillers, one-dword NOPs and long NOPs, then a WRITE_DATA. */
static void vkfd_pm4_test_nop(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	u32 *dw = scratch(test);
	static const u32 two[2] = { VKFD_PM4_TYPE2, VKFD_PM4_NOP_ONE };
	/* A NOP of 4 dwords in all, its body junk: skipped, never read. */
	static const u32 nop4[4] = { VKFD_PM4_HDR(VKFD_PM4_OP_NOP, 2),
				     VKFD_PM4_HDR(VKFD_PM4_OP_DISPATCH_DIRECT,
						  3), 0xffffffff, 0 };
	u32 v = 0xf00d;
	struct vkfd_sdma_run r;

	emit(t, two, 2);
	emit(t, nop4, 4);
	PEMIT(t, dw, vkfd_pm4_pkt_nop, 100);
	PEMIT(t, dw, vkfd_pm4_pkt_write_data, DATA_VA, &v, 1, false);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, rptr_bytes(t), t->wptr);
	KUNIT_EXPECT_EQ(test, *data(t, 0), 0xf00dU);
	/* Not SDMA's bytes. */
	KUNIT_EXPECT_EQ(test, r.moved, 0ULL);
}

/* WRITE_DATA: incrementing over a page boundary, one address, register. */
static void vkfd_pm4_test_write_data(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	u32 *dw = scratch(test);
	u32 v[40], w = 7;
	struct vkfd_sdma_run r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(v); i++)
		v[i] = 0x1000 + i;
	PEMIT(t, dw, vkfd_pm4_pkt_write_data, DATA_VA + PG - 64, v, 40, false);
	PEMIT(t, dw, vkfd_pm4_pkt_write_data, DATA_VA + 2 * PG, v, 40, true);
	/* To a register: no effect. */
	vkfd_pm4_pkt_write_data(dw, DATA_VA + 3 * PG, &w, 1, false);
	dw[1] &= ~VKFD_PM4_WD_DST_SEL(0xf);
	emit(t, dw, VKFD_PM4_WRITE_DATA_DW + 1);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, rptr_bytes(t), t->wptr);
	for (i = 0; i < ARRAY_SIZE(v); i++)
		KUNIT_EXPECT_EQ(test, *data(t, PG - 64 + 4 * i), v[i]);
	KUNIT_EXPECT_EQ(test, *data(t, PG - 68), 0U);
	KUNIT_EXPECT_EQ(test, *data(t, 2 * PG), v[39]);
	KUNIT_EXPECT_EQ(test, *data(t, 2 * PG + 4), 0U);
	KUNIT_EXPECT_EQ(test, *data(t, 3 * PG), 0U);

	/* GDS (3): vkfd has none; the queue stays at the packet. */
	vkfd_pm4_pkt_write_data(dw, DATA_VA + 3 * PG, &w, 1, false);
	dw[1] = (dw[1] & ~VKFD_PM4_WD_DST_SEL(0xf)) | VKFD_PM4_WD_DST_SEL(3);
	emit(t, dw, VKFD_PM4_WRITE_DATA_DW + 1);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_INVALID);
	KUNIT_EXPECT_EQ(test, rptr_bytes(t), t->wptr - 20);
	KUNIT_EXPECT_EQ(test, *data(t, 3 * PG), 0U);
}

/* A WRITE_DATA whose header and data wrap around the ring's end. */
static void vkfd_pm4_test_wrap(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	u32 *dw = scratch(test);
	struct vkfd_sdma_run r;
	u32 v[8];
	unsigned int i, start;

	for (start = 8; start >= 4; start -= 4) {
		preset(t, 3 * RING_SIZE - start);
		for (i = 0; i < ARRAY_SIZE(v); i++)
			v[i] = start << 8 | i;
		PEMIT(t, dw, vkfd_pm4_pkt_write_data, DATA_VA + start, v, 8,
		      false);
		KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_IDLE);
		KUNIT_EXPECT_EQ(test, rptr_bytes(t), t->wptr);
		for (i = 0; i < ARRAY_SIZE(v); i++)
			KUNIT_EXPECT_EQ(test, *data(t, start + 4 * i), v[i]);
	}
}

/* The read pointer written back: a u32 dword offset in the ring. */
static void vkfd_pm4_test_rptr(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	u32 *dw = scratch(test);
	struct vkfd_vm_fault f;
	u32 *rptr = page_of(t, P_RPTR);
	struct vkfd_sdma_run r;

	rptr[1] = 0xabcd;
	preset(t, 5 * RING_SIZE - 4);
	PEMIT(t, dw, vkfd_pm4_pkt_nop, 3);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_IDLE);
	mutex_lock(&t->ctx.mem_lock);
	KUNIT_EXPECT_EQ(test, t->q.ops->rptr_write_locked(&t->q, &f), 0);
	mutex_unlock(&t->ctx.mem_lock);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, (5 * RING_SIZE + 8) / 4);
	KUNIT_EXPECT_EQ(test, rptr[0], 2U);
	KUNIT_EXPECT_EQ(test, rptr[1], 0xabcdU);
}

/* RELEASE_MEM: each data_sel, each int_sel, validated before writing. */
static void vkfd_pm4_test_release_mem(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	u32 *dw = scratch(test);
	struct vkfd_sdma_run r;
	u64 t0;

	PEMIT(t, dw, vkfd_pm4_pkt_release_mem, VKFD_PM4_RM_DATA_32,
	      VKFD_PM4_RM_INT_NONE, DATA_VA + 4, 0x1111222233334444ULL, 0);
	PEMIT(t, dw, vkfd_pm4_pkt_release_mem, VKFD_PM4_RM_DATA_64,
	      VKFD_PM4_RM_INT_DATA_CONFIRM, DATA_VA + 8, 0x55556666777788ULL,
	      0);
	/* The address' low bits are not part of it. */
	PEMIT(t, dw, vkfd_pm4_pkt_release_mem, VKFD_PM4_RM_DATA_64,
	      VKFD_PM4_RM_INT_NONE, DATA_VA + 16 + 5, 0x99ULL, 0);
	PEMIT(t, dw, vkfd_pm4_pkt_release_mem, VKFD_PM4_RM_DATA_NONE,
	      VKFD_PM4_RM_INT_NONE, HOLE_VA, 1, 0);
	t0 = ktime_get_raw_ns();
	PEMIT(t, dw, vkfd_pm4_pkt_release_mem, VKFD_PM4_RM_DATA_GPU_CLOCK,
	      VKFD_PM4_RM_INT_NONE, DATA_VA + 24, 0, 0);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, *data(t, 0), 0U);
	KUNIT_EXPECT_EQ(test, *data(t, 4), 0x33334444U);
	KUNIT_EXPECT_EQ(test, *data64(t, 8), 0x55556666777788ULL);
	KUNIT_EXPECT_EQ(test, *data64(t, 16), 0x99ULL);
	KUNIT_EXPECT_GE(test, *data64(t, 24), t0);
	KUNIT_EXPECT_LE(test, *data64(t, 24), ktime_get_raw_ns());
	KUNIT_EXPECT_EQ(test, r.traps, 0U);

	/* Each interrupting int_sel: data first, then the trap. */
	PEMIT(t, dw, vkfd_pm4_pkt_release_mem, VKFD_PM4_RM_DATA_32,
	      VKFD_PM4_RM_INT_AFTER_CONFIRM, DATA_VA + 32, 5, 0x12345678);
	PEMIT(t, dw, vkfd_pm4_pkt_release_mem, VKFD_PM4_RM_DATA_NONE,
	      VKFD_PM4_RM_INT_ONLY, 0, 0, 0xfffffff7);
	PEMIT(t, dw, vkfd_pm4_pkt_release_mem, VKFD_PM4_RM_DATA_NONE,
	      VKFD_PM4_RM_INT_CTXID, 0, 0, 3);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_TRAP);
	KUNIT_EXPECT_EQ(test, *data(t, 32), 5U);
	KUNIT_EXPECT_EQ(test, r.int_context, 0x12345678U);
	KUNIT_EXPECT_EQ(test, r.traps, 1U);
	KUNIT_EXPECT_EQ(test, rptr_bytes(t), t->wptr - 64);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_TRAP);
	KUNIT_EXPECT_EQ(test, r.int_context, 0xfffffff7U);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_TRAP);
	KUNIT_EXPECT_EQ(test, r.int_context, 3U);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_IDLE);

	/* Counters (4), GDS (5), a conditional interrupt, a register. */
	vkfd_pm4_pkt_release_mem(dw, 4, 0, DATA_VA + 40, 1, 0);
	emit(t, dw, VKFD_PM4_RELEASE_MEM_DW);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_INVALID);
	preset(t, t->wptr);
	vkfd_pm4_pkt_release_mem(dw, 5, 0, DATA_VA + 40, 1, 0);
	emit(t, dw, VKFD_PM4_RELEASE_MEM_DW);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_INVALID);
	preset(t, t->wptr);
	vkfd_pm4_pkt_release_mem(dw, 1, 5, DATA_VA + 40, 1, 0);
	emit(t, dw, VKFD_PM4_RELEASE_MEM_DW);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_INVALID);
	preset(t, t->wptr);
	vkfd_pm4_pkt_release_mem(dw, 1, 0, DATA_VA + 40, 1, 0);
	dw[2] |= VKFD_PM4_RM_DST_SEL(2);
	emit(t, dw, VKFD_PM4_RELEASE_MEM_DW);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_INVALID);
	KUNIT_EXPECT_EQ(test, rptr_bytes(t), t->wptr - 32);
	KUNIT_EXPECT_EQ(test, *data(t, 40), 0U);
	KUNIT_EXPECT_EQ(test, r.traps, 0U);
}

/* A slice ends after VKFD_SDMA_SLICE_TRAPS interrupts. */
static void vkfd_pm4_test_trap_slice(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	u32 *dw = scratch(test);
	struct vkfd_sdma_run r;
	unsigned int i, n = 0;

	for (i = 0; i < VKFD_SDMA_SLICE_TRAPS + 8; i++)
		PEMIT(t, dw, vkfd_pm4_pkt_release_mem, VKFD_PM4_RM_DATA_NONE,
		      VKFD_PM4_RM_INT_ONLY, 0, 0, i);
	memset(&r, 0, sizeof(r));
	r.wptr = t->wptr / 4;
	r.budget = VKFD_SDMA_SLICE;
	mutex_lock(&t->ctx.mem_lock);
	while (vkfd_sdma_exec_locked(&t->q, &r) == VKFD_SDMA_TRAP) {
		KUNIT_EXPECT_EQ(test, r.int_context, n);
		n++;
	}
	mutex_unlock(&t->ctx.mem_lock);
	KUNIT_EXPECT_EQ(test, n, VKFD_SDMA_SLICE_TRAPS);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr,
			(u64)VKFD_SDMA_SLICE_TRAPS * VKFD_PM4_RELEASE_MEM_DW);
}

/* WAIT_REG_MEM(64) on memory: parks, polls again, goes on; registers. */
static void vkfd_pm4_test_wait(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	u32 *dw = scratch(test);
	static const u32 funcs[][3] = {
		/* func, value, ref: each true for value & 0xff */
		{ 0, 9, 1 }, { 1, 0x101, 2 }, { 2, 2, 2 }, { 3, 0x307, 7 },
		{ 4, 0x100, 1 }, { 5, 3, 3 }, { 6, 4, 3 },
	};
	struct vkfd_sdma_run r;
	unsigned int i;

	/* False: the queue parks on the packet, without spinning. */
	PEMIT(t, dw, vkfd_pm4_pkt_wait_mem, DATA_VA, VKFD_PM4_WRM_FUNC_EQUAL,
	      0x5, 0xff, 0xffff);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_POLL);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 0ULL);
	KUNIT_EXPECT_EQ(test, t->q.sdma.poll_tries, 1U);
	KUNIT_EXPECT_GT(test, t->q.sdma.poll_next, 0ULL);
	/* Parked until the next poll (not a time the test waits for) */
	t->q.sdma.poll_next = U64_MAX;
	KUNIT_EXPECT_FALSE(test, ready(t));
	*data(t, 0) = 0xa05;
	/* not even read before */
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_POLL);
	t->q.sdma.poll_next = 0;
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, rptr_bytes(t), t->wptr);

	for (i = 0; i < ARRAY_SIZE(funcs); i++) {
		*data(t, 4) = funcs[i][1];
		PEMIT(t, dw, vkfd_pm4_pkt_wait_mem, DATA_VA + 4, funcs[i][0],
		      funcs[i][2], 0xff, 0);
		KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_IDLE);
		/* The opposite value waits. */
		*data(t, 4) = funcs[i][0] == 4 ? 1 : funcs[i][0] < 3 ? 0xff : 0;
		PEMIT(t, dw, vkfd_pm4_pkt_wait_mem, DATA_VA + 4, funcs[i][0],
		      funcs[i][2], 0xff, 0);
		KUNIT_EXPECT_EQ(test, prun(t, &r),
				funcs[i][0] ? VKFD_SDMA_POLL : VKFD_SDMA_IDLE);
		preset(t, t->wptr);
	}

	/* 64-bit: the high half counts. */
	*data64(t, 8) = 0x100000005ULL;
	PEMIT(t, dw, vkfd_pm4_pkt_wait_mem64, DATA_VA + 8,
	      VKFD_PM4_WRM_FUNC_EQUAL, 5ULL, ~0ULL, 0);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_POLL);
	*data64(t, 8) = 5;
	t->q.sdma.poll_next = 0;
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_IDLE);

	/* Registers: "always" and amdgpu's HDP flush; nothing else. */
	vkfd_pm4_pkt_wait_mem(dw, 0x1234, VKFD_PM4_WRM_FUNC_ALWAYS, 0, 0, 4);
	dw[1] &= ~VKFD_PM4_WRM_MEM;
	emit(t, dw, VKFD_PM4_WAIT_REG_MEM_DW);
	vkfd_pm4_pkt_wait_mem(dw, 0x1234, VKFD_PM4_WRM_FUNC_EQUAL, 1, 1,
			      0x20);
	dw[1] = VKFD_PM4_WRM_FUNC(VKFD_PM4_WRM_FUNC_EQUAL) | 1 << 6;
	emit(t, dw, VKFD_PM4_WAIT_REG_MEM_DW);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_IDLE);
	dw[1] = VKFD_PM4_WRM_FUNC(VKFD_PM4_WRM_FUNC_EQUAL);
	emit(t, dw, VKFD_PM4_WAIT_REG_MEM_DW);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_INVALID);
	preset(t, t->wptr);
	/* func 7 is reserved */
	vkfd_pm4_pkt_wait_mem(dw, DATA_VA, 7, 0, 0, 0);
	emit(t, dw, VKFD_PM4_WAIT_REG_MEM_DW);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_INVALID);
}

/* EVENT_WRITE, ACQUIRE_MEM, SET_*_REG: no effect; QUERY_STATUS fences. */
static void vkfd_pm4_test_misc(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	u32 *dw = scratch(test);
	struct vkfd_sdma_run r;

	PEMIT(t, dw, vkfd_pm4_pkt_event_write, VKFD_PM4_EVENT_CS_PARTIAL_FLUSH,
	      VKFD_PM4_EVENT_INDEX_PARTIAL_FLUSH);
	PEMIT(t, dw, vkfd_pm4_pkt_event_write, 0x16, VKFD_PM4_EVENT_INDEX_OTHER);
	PEMIT(t, dw, vkfd_pm4_pkt_acquire_mem);
	PEMIT(t, dw, vkfd_pm4_pkt_set_reg, VKFD_PM4_OP_SET_SH_REG, 0x204, 1, 4);
	PEMIT(t, dw, vkfd_pm4_pkt_set_reg, VKFD_PM4_OP_SET_CONTEXT_REG, 0, 1, 1);
	PEMIT(t, dw, vkfd_pm4_pkt_set_reg, VKFD_PM4_OP_SET_UCONFIG_REG, 0, 1, 1);
	PEMIT(t, dw, vkfd_pm4_pkt_query_status, VKFD_PM4_QS_FENCE, 0,
	      DATA_VA + 8, 0xaaaabbbbccccddddULL);
	PEMIT(t, dw, vkfd_pm4_pkt_query_status, VKFD_PM4_QS_FENCE_INTERRUPT, 42,
	      DATA_VA + 16, 0x77ULL);
	PEMIT(t, dw, vkfd_pm4_pkt_query_status, VKFD_PM4_QS_INTERRUPT_ONLY, 43,
	      HOLE_VA, 0x77ULL);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_TRAP);
	KUNIT_EXPECT_EQ(test, r.int_context, 42U);
	KUNIT_EXPECT_EQ(test, *data64(t, 8), 0xaaaabbbbccccddddULL);
	KUNIT_EXPECT_EQ(test, *data64(t, 16), 0x77ULL);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_TRAP);
	KUNIT_EXPECT_EQ(test, r.int_context, 43U);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, rptr_bytes(t), t->wptr);

	/* An event that samples counters vkfd does not have. */
	PEMIT(t, dw, vkfd_pm4_pkt_event_write, 0x1e, 2);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_INVALID);
	preset(t, t->wptr);
	/* A SET_SH_REG without a value */
	dw[0] = VKFD_PM4_HDR(VKFD_PM4_OP_SET_SH_REG, 0);
	dw[1] = 0x204;
	emit(t, dw, 2);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_INVALID);
}

/* DISPATCH_*: the queue halts at the dispatch; what follows waits. */
static void vkfd_pm4_test_dispatch(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	u32 *dw = scratch(test);
	struct vkfd_sdma_run r;

	PEMIT(t, dw, vkfd_pm4_pkt_nop, 2);
	PEMIT(t, dw, vkfd_pm4_pkt_dispatch, 1, 1, 1);
	PEMIT(t, dw, vkfd_pm4_pkt_release_mem, VKFD_PM4_RM_DATA_32,
	      VKFD_PM4_RM_INT_NONE, DATA_VA, 1, 0);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_INVALID);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 2ULL);
	KUNIT_EXPECT_EQ(test, *data(t, 0), 0U);

	preset(t, 0);
	dw[0] = VKFD_PM4_HDR(VKFD_PM4_OP_DISPATCH_INDIRECT, 1);
	dw[1] = 0;
	dw[2] = 1;
	emit(t, dw, 3);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_INVALID);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 0ULL);
}

/* Bad headers, short and overlong packets, incomplete ones, bad wptr. */
static void vkfd_pm4_test_invalid(struct kunit *test)
{
	static const u32 bad[] = {
		0x00000000,				/* type 0 */
		0x40000000,				/* type 1 */
		VKFD_PM4_HDR(0x01, 0),			/* unknown */
		VKFD_PM4_HDR(0xff, 6),			/* unknown */
		VKFD_PM4_HDR(VKFD_PM4_OP_RELEASE_MEM, 5),	/* short */
		VKFD_PM4_HDR(VKFD_PM4_OP_WRITE_DATA, 2),	/* no data */
		VKFD_PM4_HDR(VKFD_PM4_OP_INDIRECT_BUFFER, 1),	/* short */
		/* Longer than the ring (2 pages) */
		VKFD_PM4_HDR(VKFD_PM4_OP_NOP, RING_SIZE / 4),
	};
	struct sdma_test *t = test->priv;
	u32 *dw = scratch(test);
	struct vkfd_sdma_run r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		preset(t, 0);
		memset(dw, 0, PKT_MAX * sizeof(*dw));
		dw[0] = bad[i];
		emit(t, dw, 8);
		KUNIT_EXPECT_EQ_MSG(test, prun(t, &r), VKFD_SDMA_INVALID,
				    "header %#x", bad[i]);
		KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 0ULL);
	}

	/* Incomplete: the rest may come; nothing runs until it does. */
	preset(t, 0);
	PEMIT(t, dw, vkfd_pm4_pkt_release_mem, VKFD_PM4_RM_DATA_32,
	      VKFD_PM4_RM_INT_NONE, DATA_VA, 9, 0);
	t->wptr -= 4;
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_STALL);
	KUNIT_EXPECT_TRUE(test, t->q.sdma.stalled);
	KUNIT_EXPECT_FALSE(test, ready(t));
	t->wptr += 4;
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, *data(t, 0), 9U);

	/* A write pointer more than the ring ahead, or behind. */
	preset(t, 0);
	memset(&r, 0, sizeof(r));
	r.budget = VKFD_SDMA_SLICE;
	r.wptr = RING_SIZE / 4 + 1;
	mutex_lock(&t->ctx.mem_lock);
	KUNIT_EXPECT_EQ(test, vkfd_sdma_exec_locked(&t->q, &r),
			VKFD_SDMA_INVALID);
	t->q.sdma.rptr = 8;
	r.wptr = 4;
	KUNIT_EXPECT_EQ(test, vkfd_sdma_exec_locked(&t->q, &r),
			VKFD_SDMA_INVALID);
	mutex_unlock(&t->ctx.mem_lock);
}

/* Faults: the ring's packet, its data, a read-only page; rptr stays. */
static void vkfd_pm4_test_faults(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	u32 *dw = scratch(test);
	struct vkfd_sdma_run r;
	u32 v[2] = { 1, 2 };

	PEMIT(t, dw, vkfd_pm4_pkt_nop, 2);
	PEMIT(t, dw, vkfd_pm4_pkt_write_data, HOLE_VA + 12, v, 2, false);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 2ULL);
	KUNIT_EXPECT_EQ(test, r.fault.va, HOLE_VA + 12);
	KUNIT_EXPECT_TRUE(test, r.fault.not_present);

	preset(t, 0);
	PEMIT(t, dw, vkfd_pm4_pkt_release_mem, VKFD_PM4_RM_DATA_64,
	      VKFD_PM4_RM_INT_ONLY, RO_VA + 8, 1, 0);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, r.fault.va, RO_VA + 8);
	KUNIT_EXPECT_TRUE(test, r.fault.write);
	KUNIT_EXPECT_FALSE(test, r.fault.not_present);
	KUNIT_EXPECT_EQ(test, r.traps, 0U);

	preset(t, 0);
	PEMIT(t, dw, vkfd_pm4_pkt_wait_mem, HOLE_VA, 3, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_FALSE(test, r.fault.write);

	/* The ring itself */
	preset(t, 0);
	t->q.ring_base = HOLE_VA;
	PEMIT(t, dw, vkfd_pm4_pkt_nop, 2);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, r.fault.va, HOLE_VA);
}

/* Put @n dwords at byte @off of the data pages: an indirect buffer. */
static void ib_put(struct sdma_test *t, u64 off, const u32 *dw,
		   unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		*data(t, off + 4 * i) = dw[i];
}

/*
 * INDIRECT_BUFFER: its packets run, an interrupt in it resumes after the
 * RELEASE_MEM, the read pointer passes it once all are done.
 */
static void vkfd_pm4_test_ib(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	u32 *dw = scratch(test);
	struct vkfd_sdma_run r;
	u32 ib[64], v = 0xbeef, n = 0;

	n += vkfd_pm4_pkt_write_data(ib + n, DATA_VA + 3 * PG, &v, 1, false);
	n += vkfd_pm4_pkt_release_mem(ib + n, VKFD_PM4_RM_DATA_32,
				      VKFD_PM4_RM_INT_AFTER_CONFIRM,
				      DATA_VA + 3 * PG + 4, 2, 77);
	n += vkfd_pm4_pkt_nop(ib + n, 3);
	n += vkfd_pm4_pkt_write_data(ib + n, DATA_VA + 3 * PG + 8, &v, 1,
				     true);
	ib_put(t, PG, ib, n);
	PEMIT(t, dw, vkfd_pm4_pkt_ib, DATA_VA + PG, n);
	PEMIT(t, dw, vkfd_pm4_pkt_release_mem, VKFD_PM4_RM_DATA_32,
	      VKFD_PM4_RM_INT_NONE, DATA_VA + 3 * PG + 12, 3, 0);

	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_TRAP);
	KUNIT_EXPECT_EQ(test, r.int_context, 77U);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 0ULL);
	KUNIT_EXPECT_EQ(test, t->q.sdma.pkt_done, 13ULL);
	KUNIT_EXPECT_EQ(test, *data(t, 3 * PG), 0xbeefU);
	KUNIT_EXPECT_EQ(test, *data(t, 3 * PG + 4), 2U);
	KUNIT_EXPECT_EQ(test, *data(t, 3 * PG + 8), 0U);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, rptr_bytes(t), t->wptr);
	KUNIT_EXPECT_EQ(test, *data(t, 3 * PG + 8), 0xbeefU);
	KUNIT_EXPECT_EQ(test, *data(t, 3 * PG + 12), 3U);

	/* Size 0: nothing to do. */
	PEMIT(t, dw, vkfd_pm4_pkt_ib, HOLE_VA, 0);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, rptr_bytes(t), t->wptr);
}

/* One level only; valid bit, no chain; packets inside it; faults. */
static void vkfd_pm4_test_ib_invalid(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	u32 *dw = scratch(test);
	struct vkfd_sdma_run r;
	u32 ib[16], n;

	/* An INDIRECT_BUFFER in an indirect buffer */
	n = vkfd_pm4_pkt_ib(ib, DATA_VA, 4);
	ib_put(t, PG, ib, n);
	PEMIT(t, dw, vkfd_pm4_pkt_ib, DATA_VA + PG, n);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_INVALID);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 0ULL);

	/* Without the valid bit; chained */
	preset(t, 0);
	vkfd_pm4_pkt_ib(dw, DATA_VA + PG, 4);
	dw[3] &= ~VKFD_PM4_IB_VALID;
	emit(t, dw, 4);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_INVALID);
	preset(t, 0);
	vkfd_pm4_pkt_ib(dw, DATA_VA + PG, 4);
	dw[3] |= VKFD_PM4_IB_CHAIN;
	emit(t, dw, 4);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_INVALID);

	/* A packet that runs past the buffer's end */
	preset(t, 0);
	n = vkfd_pm4_pkt_nop(ib, 4);
	ib_put(t, PG, ib, n);
	PEMIT(t, dw, vkfd_pm4_pkt_ib, DATA_VA + PG, 3);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_INVALID);

	/* An unmapped buffer: the fault, the queue at the IB. */
	preset(t, 0);
	PEMIT(t, dw, vkfd_pm4_pkt_nop, 2);
	PEMIT(t, dw, vkfd_pm4_pkt_ib, HOLE_VA + 64, 4);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, r.fault.va, HOLE_VA + 64);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 2ULL);

	/* A DISPATCH in it halts as in the ring. */
	preset(t, 0);
	n = vkfd_pm4_pkt_dispatch(ib, 1, 1, 1);
	ib_put(t, PG, ib, n);
	PEMIT(t, dw, vkfd_pm4_pkt_ib, DATA_VA + PG, n);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_INVALID);
}

/*
 * The budget counts the buffer's packets: a big buffer of NOPs takes
 * several slices, and each resumes where the last stopped, as does a
 * WAIT_REG_MEM in it.
 */
static void vkfd_pm4_test_ib_budget(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	u32 *dw = scratch(test);
	const u32 nops = PG / 4;
	struct vkfd_sdma_run r;
	u32 *ib = scratch(test);
	unsigned int slices = 0, i, n;

	for (i = 0; i < nops; i++)
		*data(t, 2 * PG + 4 * i) = VKFD_PM4_NOP_ONE;
	n = vkfd_pm4_pkt_wait_mem(ib, DATA_VA, VKFD_PM4_WRM_FUNC_EQUAL, 1, 1,
				  0);
	ib_put(t, 2 * PG + 4 * (nops - n), ib, n);
	PEMIT(t, dw, vkfd_pm4_pkt_ib, DATA_VA + 2 * PG, nops);
	while (prun_budget(t, &r, 100 * VKFD_SDMA_PKT_COST) ==
	       VKFD_SDMA_BUDGET && slices < 100)
		slices++;
	KUNIT_EXPECT_EQ(test, slices, (nops - n) / 100);
	KUNIT_EXPECT_EQ(test, t->q.sdma.pkt_done, (u64)(nops - n));
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 0ULL);
	KUNIT_EXPECT_EQ(test, t->q.sdma.poll_tries, 1U);
	*data(t, 0) = 1;
	t->q.sdma.poll_next = 0;
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, rptr_bytes(t), t->wptr);
}

/* A changed ring (UPDATE_QUEUE) restarts the buffer at the read pointer. */
static void vkfd_pm4_test_ring_changed(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	u32 *dw = scratch(test);
	struct vkfd_sdma_run r;
	u32 *ib = scratch(test), n = 0;

	n += vkfd_pm4_pkt_release_mem(ib + n, VKFD_PM4_RM_DATA_NONE,
				      VKFD_PM4_RM_INT_ONLY, 0, 0, 1);
	n += vkfd_pm4_pkt_release_mem(ib + n, VKFD_PM4_RM_DATA_NONE,
				      VKFD_PM4_RM_INT_ONLY, 0, 0, 2);
	ib_put(t, PG, ib, n);
	PEMIT(t, dw, vkfd_pm4_pkt_ib, DATA_VA + PG, n);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_TRAP);
	KUNIT_EXPECT_EQ(test, r.int_context, 1U);
	vkfd_sdma_queue_ring_changed(&t->q);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_TRAP);
	KUNIT_EXPECT_EQ(test, r.int_context, 1U);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_TRAP);
	KUNIT_EXPECT_EQ(test, r.int_context, 2U);
	KUNIT_EXPECT_EQ(test, prun(t, &r), VKFD_SDMA_IDLE);
}

static struct kunit_case vkfd_pm4_test_cases[] = {
	KUNIT_CASE(vkfd_pm4_test_nop),
	KUNIT_CASE(vkfd_pm4_test_write_data),
	KUNIT_CASE(vkfd_pm4_test_wrap),
	KUNIT_CASE(vkfd_pm4_test_rptr),
	KUNIT_CASE(vkfd_pm4_test_release_mem),
	KUNIT_CASE(vkfd_pm4_test_trap_slice),
	KUNIT_CASE(vkfd_pm4_test_wait),
	KUNIT_CASE(vkfd_pm4_test_misc),
	KUNIT_CASE(vkfd_pm4_test_dispatch),
	KUNIT_CASE(vkfd_pm4_test_invalid),
	KUNIT_CASE(vkfd_pm4_test_faults),
	KUNIT_CASE(vkfd_pm4_test_ib),
	KUNIT_CASE(vkfd_pm4_test_ib_invalid),
	KUNIT_CASE(vkfd_pm4_test_ib_budget),
	KUNIT_CASE(vkfd_pm4_test_ring_changed),
	{}
};

static struct kunit_suite vkfd_pm4_test_suite = {
	.name = "vkfd-pm4",
	.init = pm4_test_init,
	.exit = sdma_test_exit,
	.test_cases = vkfd_pm4_test_cases,
};

kunit_test_suite(vkfd_pm4_test_suite);
