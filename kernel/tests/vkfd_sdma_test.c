// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit tests of the SDMA packet executor (vkfd_sdma_pkt.c) against a
 * queue and a GPU VM built here (vkfd_sdma_test.h): every packet type
 * byte-exact, packets straddling the ring's end, incomplete packets,
 * invalid packets and doorbell values, faults, slices and their
 * resumption (also after an unmap).
 */
#include <linux/ktime.h>

#include "vkfd_sdma_test.h"

/* NOPs, with their skipped dwords, then a fence. */
static void vkfd_sdma_test_nop(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	static const u32 junk[3] = { 0xffffffff, 0xdead, 0 };
	struct vkfd_sdma_run r;

	EMIT(t, vkfd_sdma_pkt_nop, 0);
	EMIT(t, vkfd_sdma_pkt_nop, 3);
	emit(t, junk, 3);
	EMIT(t, vkfd_sdma_pkt_fence, DATA_VA, 0xf00d);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, t->wptr);
	KUNIT_EXPECT_EQ(test, *data(t, 0), 0xf00dU);
	KUNIT_EXPECT_EQ(test, r.moved, 4ULL);
}

/* COPY_LINEAR over page boundaries at odd addresses, byte-exact. */
static void vkfd_sdma_test_copy(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	u8 *shadow = kunit_kzalloc(test, DATA_PAGES * PG, GFP_KERNEL);
	struct vkfd_sdma_run r;
	unsigned int p;

	KUNIT_ASSERT_NOT_NULL(test, shadow);
	for (p = 0; p < DATA_PAGES; p++) {
		fill_pattern(page_of(t, P_DATA + p), PG, p);
		memcpy(shadow + p * PG, page_of(t, P_DATA + p), PG);
	}
	EMIT(t, vkfd_sdma_pkt_copy, DATA_VA + 2 * PG + 3, DATA_VA + 5, PG + 1001);
	EMIT(t, vkfd_sdma_pkt_copy, DATA_VA + 1, DATA_VA + 4 * PG - 1, 1);
	memmove(shadow + 2 * PG + 3, shadow + 5, PG + 1001);
	shadow[1] = shadow[4 * PG - 1];

	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, t->wptr);
	KUNIT_EXPECT_EQ(test, r.moved, PG + 1002);
	for (p = 0; p < DATA_PAGES; p++)
		KUNIT_EXPECT_EQ_MSG(test, memcmp(page_of(t, P_DATA + p),
						 shadow + p * PG, PG), 0,
				    "page %u", p);
}

/*
 * COPY_LINEAR with the broadcast bit: the same bytes to two places, in
 * pieces that fit a slice for both, every byte counted twice.
 */
static void vkfd_sdma_test_copy_broadcast(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	u8 *shadow = kunit_kzalloc(test, DATA_PAGES * PG, GFP_KERNEL);
	u8 *now = kunit_kzalloc(test, DATA_PAGES * PG, GFP_KERNEL);
	struct vkfd_sdma_run r;
	unsigned int p;

	KUNIT_ASSERT_NOT_NULL(test, shadow);
	KUNIT_ASSERT_NOT_NULL(test, now);
	for (p = 0; p < DATA_PAGES; p++) {
		fill_pattern(page_of(t, P_DATA + p), PG, p);
		memcpy(shadow + p * PG, page_of(t, P_DATA + p), PG);
	}
	EMIT(t, vkfd_sdma_pkt_copy_broadcast, DATA_VA + 5003,
	     DATA_VA + 10007, DATA_VA + 1, 5000);
	KUNIT_EXPECT_EQ(test, t->wptr, 36ULL);

	/* A tiny budget: one page to both, then the rest */
	KUNIT_EXPECT_EQ(test, run_budget(t, &r, 1), VKFD_SDMA_BUDGET);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 0ULL);
	KUNIT_EXPECT_EQ(test, t->q.sdma.pkt_done, (u64)PG);
	KUNIT_EXPECT_EQ(test, r.moved, 2 * PG);
	/* The data pages are not contiguous: compare a copy of them all */
	for (p = 0; p < DATA_PAGES; p++)
		memcpy(now + p * PG, page_of(t, P_DATA + p), PG);
	KUNIT_EXPECT_EQ(test, memcmp(now + 5003, shadow + 1, PG), 0);
	KUNIT_EXPECT_EQ(test, memcmp(now + 10007, shadow + 1, PG), 0);
	KUNIT_EXPECT_EQ(test, memcmp(now + 10007 + PG, shadow + 10007 + PG,
				     5000 - PG), 0);

	KUNIT_EXPECT_EQ(test, run_budget(t, &r, 1), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, r.moved, 2 * (5000 - PG));
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, t->wptr);
	memcpy(shadow + 5003, shadow + 1, 5000);
	memcpy(shadow + 10007, shadow + 1, 5000);
	for (p = 0; p < DATA_PAGES; p++)
		KUNIT_EXPECT_EQ_MSG(test, memcmp(page_of(t, P_DATA + p),
						 shadow + p * PG, PG), 0,
				    "page %u", p);

	/* Nine dwords: with seven in the ring it waits for the rest */
	reset_at(t, 0);
	EMIT(t, vkfd_sdma_pkt_copy_broadcast, DATA_VA + 8, DATA_VA + 16, DATA_VA,
	     4);
	t->wptr -= 8;
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_STALL);
	t->wptr += 8;
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, r.moved, 8ULL);
}

/*
 * A fault in the second destination stops the packet: the first got the
 * piece, the queue's read pointer stays at the packet.
 */
static void vkfd_sdma_test_copy_broadcast_faults(struct kunit *test)
{
	static const u64 bad[] = { HOLE_VA + 4, RO_VA + 4 };
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;
	unsigned int i;

	*data(t, 64) = 0xabcd;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		reset_at(t, 0);
		*data(t, 128) = 0;
		EMIT(t, vkfd_sdma_pkt_copy_broadcast, DATA_VA + 128, bad[i],
		     DATA_VA + 64, 4);
		EMIT(t, vkfd_sdma_pkt_fence, DATA_VA + 256, 1);
		KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_FAULT);
		KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 0ULL);
		KUNIT_EXPECT_EQ(test, r.fault.va, bad[i]);
		KUNIT_EXPECT_TRUE(test, r.fault.write);
		KUNIT_EXPECT_EQ(test, r.fault.not_present, i == 0);
		KUNIT_EXPECT_EQ(test, *data(t, 128), 0xabcdU);
		KUNIT_EXPECT_EQ(test, *data(t, 256), 0U);
	}
	/* In the first: the second is not written */
	reset_at(t, 0);
	*data(t, 128) = 0;
	EMIT(t, vkfd_sdma_pkt_copy_broadcast, HOLE_VA, DATA_VA + 128,
	     DATA_VA + 64, 4);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, r.fault.va, HOLE_VA);
	KUNIT_EXPECT_EQ(test, *data(t, 128), 0U);
}

static void vkfd_sdma_test_write_fill(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	static const u32 payload[5] = { 1, 0x80000000, 3, 0xffffffff, 5 };
	struct vkfd_sdma_run r;

	EMIT(t, vkfd_sdma_pkt_write, DATA_VA + 8, ARRAY_SIZE(payload));
	emit(t, payload, ARRAY_SIZE(payload));
	EMIT(t, vkfd_sdma_pkt_fill, DATA_VA + PG - 8, 0xa5a5c3c3, 24);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, r.moved, 20ULL + 24);

	KUNIT_EXPECT_EQ(test, *data(t, 4), 0U);
	KUNIT_EXPECT_EQ(test, memcmp(data(t, 8), payload, sizeof(payload)), 0);
	KUNIT_EXPECT_EQ(test, *data(t, 28), 0U);

	KUNIT_EXPECT_EQ(test, *data(t, PG - 12), 0U);
	KUNIT_EXPECT_EQ(test, *data(t, PG - 8), 0xa5a5c3c3U);
	KUNIT_EXPECT_EQ(test, *data(t, PG - 4), 0xa5a5c3c3U);
	KUNIT_EXPECT_EQ(test, *data(t, PG + 12), 0xa5a5c3c3U);
	KUNIT_EXPECT_EQ(test, *data(t, PG + 16), 0U);
}

/* TIMESTAMP: the clock GET_CLOCK_COUNTERS reports. */
static void vkfd_sdma_test_timestamp(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;
	u64 before, after, ts;

	EMIT(t, vkfd_sdma_pkt_timestamp, DATA_VA + 12);	/* any alignment */
	before = ktime_get_raw_ns();
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
	after = ktime_get_raw_ns();
	memcpy(&ts, data(t, 12), sizeof(ts));
	KUNIT_EXPECT_GE(test, ts, before);
	KUNIT_EXPECT_LE(test, ts, after);
}

/* TRAP returns with its int_context; the next call goes on. */
static void vkfd_sdma_test_trap(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;

	EMIT(t, vkfd_sdma_pkt_trap, 0x1234567);
	EMIT(t, vkfd_sdma_pkt_trap, 0xffffffff);	/* bits 28..31 are not the context */
	EMIT(t, vkfd_sdma_pkt_fence, DATA_VA, 7);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_TRAP);
	KUNIT_EXPECT_EQ(test, r.int_context, 0x1234567U);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 8ULL);
	KUNIT_EXPECT_EQ(test, *data(t, 0), 0U);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_TRAP);
	KUNIT_EXPECT_EQ(test, r.int_context, 0x0fffffffU);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, *data(t, 0), 7U);
}

/* POLL_REGMEM holds the queue until the memory says so. */
static void vkfd_sdma_test_poll(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;
	u64 at;

	*data(t, 0) = 0x105;
	EMIT(t, vkfd_sdma_pkt_poll, DATA_VA, VKFD_SDMA_POLL_FUNC_EQUAL, 6, 0xff, 50000,
	     VKFD_SDMA_POLL_RETRY_FOREVER);
	at = t->wptr;
	EMIT(t, vkfd_sdma_pkt_fence, DATA_VA + 4, 1);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_POLL);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 0ULL);
	KUNIT_EXPECT_EQ(test, *data(t, 4), 0U);
	/* Not before the interval (500 us) is over */
	KUNIT_EXPECT_FALSE(test, vkfd_sdma_queue_ready(&t->q, t->wptr,
						       t->q.sdma.poll_next - 1));
	KUNIT_EXPECT_TRUE(test, vkfd_sdma_queue_ready(&t->q, t->wptr,
						      t->q.sdma.poll_next));
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_POLL);

	*data(t, 0) = 0x306;	/* masked: 6 */
	t->q.sdma.poll_next = 0;
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, *data(t, 4), 1U);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, t->wptr);
	KUNIT_EXPECT_GT(test, t->wptr, at);
}

/* Each compare function; a false one with a retry count gives up. */
static void vkfd_sdma_test_poll_funcs(struct kunit *test)
{
	static const struct { u32 func, val, ref; bool pass; } c[] = {
		{ 0, 1, 2, true }, { 1, 1, 2, true }, { 1, 2, 2, false },
		{ 2, 2, 2, true }, { 2, 3, 2, false }, { 3, 2, 2, true },
		{ 3, 1, 2, false }, { 4, 1, 2, true }, { 4, 2, 2, false },
		{ 5, 2, 2, true }, { 5, 1, 2, false }, { 6, 3, 2, true },
		{ 6, 2, 2, false },
	};
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		reset_at(t, i * 1000 * 4);
		*data(t, 0) = c[i].val;
		EMIT(t, vkfd_sdma_pkt_poll, DATA_VA, c[i].func, c[i].ref, ~0U, 0,
		     VKFD_SDMA_POLL_RETRY_FOREVER);
		KUNIT_EXPECT_EQ_MSG(test, run(t, &r),
				    c[i].pass ? VKFD_SDMA_IDLE : VKFD_SDMA_POLL,
				    "case %u", i);
	}

	/* 1 + 2 retries, then on with the next packet */
	reset_at(t, 0);
	*data(t, 0) = 0;
	EMIT(t, vkfd_sdma_pkt_poll, DATA_VA, VKFD_SDMA_POLL_FUNC_EQUAL, 1, ~0U, 0, 2);
	EMIT(t, vkfd_sdma_pkt_fence, DATA_VA + 4, 9);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_POLL);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_POLL);
	KUNIT_EXPECT_EQ(test, *data(t, 4), 0U);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, *data(t, 4), 9U);

	/* An HDP flush (register poll with HDP_FLUSH) is a no-op */
	reset_at(t, 0);
	emit(t, (u32 []){ VKFD_SDMA_HEADER(VKFD_SDMA_OP_POLL_REGMEM, 0) |
			  BIT(26) | VKFD_SDMA_POLL_FUNC(3), 0, 0, 1, 1,
			  VKFD_SDMA_POLL_DW5(10, 0xfff) }, 6);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
}

/* Packets straddling the ring's end, with 64-bit pointers. */
#define NPAYLOAD	300
static void vkfd_sdma_test_wrap(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	u32 *payload = kunit_kcalloc(test, NPAYLOAD, 4, GFP_KERNEL);
	struct vkfd_sdma_run r;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, payload);
	for (i = 0; i < NPAYLOAD; i++)
		payload[i] = i * 0x01010101;
	*data(t, PG) = 0xc0ffee;
	reset_at(t, (1ULL << 40) + 5 * RING_SIZE - 8);
	EMIT(t, vkfd_sdma_pkt_copy, DATA_VA + 2 * PG, DATA_VA + PG, 4);	/* 2 + 5 */
	EMIT(t, vkfd_sdma_pkt_write, DATA_VA + 100, NPAYLOAD);
	emit(t, payload, NPAYLOAD);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, t->wptr);
	KUNIT_EXPECT_EQ(test, *data(t, 2 * PG), 0xc0ffeeU);
	KUNIT_EXPECT_EQ(test, memcmp(data(t, 100), payload, NPAYLOAD * 4),
			0);

	/* WRITE_LINEAR's data itself wrapping */
	reset_at(t, 7 * RING_SIZE - 16 - 40);
	memset(data(t, 100), 0, NPAYLOAD * 4);
	EMIT(t, vkfd_sdma_pkt_write, DATA_VA + 100, 64);
	emit(t, payload, 64);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, memcmp(data(t, 100), payload, 64 * 4), 0);
	KUNIT_EXPECT_EQ(test, *data(t, 100 + 64 * 4), 0U);
}

/* A packet not all in the ring waits for the doorbell to move. */
static void vkfd_sdma_test_stall(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;
	u64 full;

	EMIT(t, vkfd_sdma_pkt_fence, DATA_VA, 1);
	EMIT(t, vkfd_sdma_pkt_copy, DATA_VA + 8, DATA_VA, 4);
	full = t->wptr;
	t->wptr -= 8;
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_STALL);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 16ULL);
	KUNIT_EXPECT_EQ(test, *data(t, 0), 1U);
	KUNIT_EXPECT_FALSE(test, vkfd_sdma_queue_ready(&t->q, t->wptr, 0));
	KUNIT_EXPECT_TRUE(test, vkfd_sdma_queue_ready(&t->q, full, 0));
	t->wptr = full;
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, *data(t, 8), 1U);

	/* WRITE_LINEAR whose data is not all there */
	EMIT(t, vkfd_sdma_pkt_write, DATA_VA + 16, 4);
	emit(t, (u32 []){ 1, 2, 3 }, 3);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_STALL);
	emit(t, (u32 []){ 4 }, 1);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, *data(t, 28), 4U);

	KUNIT_EXPECT_FALSE(test, vkfd_sdma_queue_ready(&t->q, t->wptr, 0));
}

/* Unknown and malformed packets stop at the packet; nothing written. */
static void vkfd_sdma_test_invalid(struct kunit *test)
{
	static const u32 bad[][7] = {
		{ 3 }, { 0xff }, { 0x4000000c },
		{ VKFD_SDMA_HEADER(VKFD_SDMA_OP_COPY, 1) },
		/* broadcast of a tiled copy */
		{ VKFD_SDMA_HEADER(VKFD_SDMA_OP_COPY, 1) |
		  VKFD_SDMA_COPY_BROADCAST },
		{ VKFD_SDMA_HEADER(VKFD_SDMA_OP_WRITE, 1) },
		{ VKFD_SDMA_HEADER(VKFD_SDMA_OP_TIMESTAMP, 0) },
		{ VKFD_SDMA_HEADER(VKFD_SDMA_OP_TIMESTAMP, 1) },
		/* register poll (not "always", no HDP flush), reserved func */
		{ VKFD_SDMA_HEADER(VKFD_SDMA_OP_POLL_REGMEM, 0) |
		  VKFD_SDMA_POLL_FUNC(VKFD_SDMA_POLL_FUNC_EQUAL) },
		{ VKFD_SDMA_HEADER(VKFD_SDMA_OP_POLL_REGMEM, 0) |
		  VKFD_SDMA_POLL_MEM | VKFD_SDMA_POLL_FUNC(7),
		  (u32)DATA_VA },
		/* fills: unaligned address, length not whole dwords */
		{ VKFD_SDMA_HEADER(VKFD_SDMA_OP_CONST_FILL, 0),
		  (u32)DATA_VA + 2, 0, 1, 3 },
		{ VKFD_SDMA_HEADER(VKFD_SDMA_OP_CONST_FILL, 0),
		  (u32)DATA_VA, 0, 1, 4 },
		/* longer than the ring (2048 dwords) */
		{ VKFD_SDMA_HEADER(VKFD_SDMA_OP_NOP, 0) |
		  VKFD_SDMA_NOP_COUNT(2048) },
		{ VKFD_SDMA_HEADER(VKFD_SDMA_OP_WRITE, 0), (u32)DATA_VA, 0,
		  2045 },
	};
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		reset_at(t, 64);
		emit(t, bad[i], 7);
		KUNIT_EXPECT_EQ_MSG(test, run(t, &r), VKFD_SDMA_INVALID,
				    "case %u", i);
		KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 64ULL);
		KUNIT_EXPECT_EQ(test, r.moved, 0ULL);
	}
	KUNIT_EXPECT_EQ(test, *data(t, 0), 0U);

	/* The longest NOP and WRITE_LINEAR that fit are fine */
	reset_at(t, 0);
	EMIT(t, vkfd_sdma_pkt_nop, 2047);
	t->wptr += 2047 * 4;
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
}

/* Write pointers that cannot be halt; the ring is not read. */
static void vkfd_sdma_test_bad_wptr(struct kunit *test)
{
	static const s64 bad[] = { 2, 4 + 3, RING_SIZE + 4, -4, S64_MAX };
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;
	unsigned int i;

	t->q.ring_base = HOLE_VA;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		reset_at(t, 1024);
		t->wptr += bad[i];
		KUNIT_EXPECT_EQ_MSG(test, run(t, &r), VKFD_SDMA_INVALID,
				    "case %u", i);
		KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 1024ULL);
	}
	/* Exactly a ring's worth is fine (and reads the ring: a fault) */
	reset_at(t, 1024);
	t->wptr += RING_SIZE;
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, r.fault.va, HOLE_VA + 1024);
	KUNIT_EXPECT_FALSE(test, r.fault.write);
	KUNIT_EXPECT_TRUE(test, r.fault.not_present);
}

/* Faults: the queue stops at the packet, the one before is done. */
static void vkfd_sdma_test_faults(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;
	u64 at;

	EMIT(t, vkfd_sdma_pkt_fence, DATA_VA, 1);
	at = t->wptr;
	EMIT(t, vkfd_sdma_pkt_copy, DATA_VA, HOLE_VA + 8, 4);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, at);
	KUNIT_EXPECT_EQ(test, *data(t, 0), 1U);
	KUNIT_EXPECT_EQ(test, r.fault.va, HOLE_VA + 8);
	KUNIT_EXPECT_TRUE(test, r.fault.not_present);
	KUNIT_EXPECT_FALSE(test, r.fault.write);

	reset_at(t, 0);
	EMIT(t, vkfd_sdma_pkt_fill, RO_VA - 8, 0x77, 16);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, r.fault.va, RO_VA);
	KUNIT_EXPECT_TRUE(test, r.fault.write);
	KUNIT_EXPECT_FALSE(test, r.fault.not_present);
	KUNIT_EXPECT_EQ(test, r.moved, 8ULL);	/* as hardware: partly done */

	reset_at(t, 0);
	EMIT(t, vkfd_sdma_pkt_timestamp, RO_VA);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_TRUE(test, r.fault.write);

	reset_at(t, 0);
	EMIT(t, vkfd_sdma_pkt_poll, HOLE_VA + 4, 3, 0, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, r.fault.va, HOLE_VA + 4);

	/* The read pointer's address, read-only */
	mutex_lock(&t->ctx.mem_lock);
	t->q.sdma.rptr = 0x1122334455667788ULL;
	KUNIT_EXPECT_EQ(test, vkfd_sdma_rptr_write_locked(&t->q, &r.fault), 0);
	t->q.rptr_va = RO_VA;
	KUNIT_EXPECT_EQ(test, vkfd_sdma_rptr_write_locked(&t->q, &r.fault),
			-EFAULT);
	mutex_unlock(&t->ctx.mem_lock);
	KUNIT_EXPECT_EQ(test, *(u64 *)page_of(t, P_RPTR),
			0x1122334455667788ULL);
	KUNIT_EXPECT_EQ(test, r.fault.va, RO_VA);
}

/*
 * A copy larger than a slice goes in pieces; each piece translates
 * afresh, so after an unmap between two the copy faults.
 */
static void vkfd_sdma_test_slices(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	u8 *src = page_of(t, P_BIG_SRC), *dst = page_of(t, P_BIG_DST);
	struct vkfd_sdma_run r;
	unsigned int i;

	fill_pattern(src, PG, 3);
	EMIT(t, vkfd_sdma_pkt_copy, BIG_DST_VA, BIG_SRC_VA, BIG);
	EMIT(t, vkfd_sdma_pkt_fence, DATA_VA, 1);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_BUDGET);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 0ULL);
	KUNIT_EXPECT_EQ(test, t->q.sdma.pkt_done, (u64)VKFD_SDMA_SLICE);
	KUNIT_EXPECT_EQ(test, r.moved, (u64)VKFD_SDMA_SLICE);
	KUNIT_EXPECT_EQ(test, *data(t, 0), 0U);
	/* The copy is done; the fence waits for the next slice */
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_BUDGET);
	KUNIT_EXPECT_EQ(test, r.moved, BIG - VKFD_SDMA_SLICE);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 28ULL);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, r.moved, 4ULL);
	KUNIT_EXPECT_EQ(test, *data(t, 0), 1U);
	KUNIT_EXPECT_EQ(test, memcmp(src, dst, PG), 0);

	/* docs/adversarial.rst row 14: unmapped between two pieces */
	reset_at(t, 0);
	memset(dst, 0, PG);
	EMIT(t, vkfd_sdma_pkt_copy, BIG_DST_VA, BIG_SRC_VA, BIG);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_BUDGET);
	mutex_lock(&t->ctx.mem_lock);
	vkfd_pt_unmap(&t->vm.pt, BIG_DST_VA, BIG / PG);
	mutex_unlock(&t->ctx.mem_lock);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, r.fault.va, BIG_DST_VA + VKFD_SDMA_SLICE);
	KUNIT_EXPECT_TRUE(test, r.fault.not_present);
	KUNIT_EXPECT_TRUE(test, r.fault.write);
	KUNIT_EXPECT_EQ(test, r.moved, 0ULL);

	/* Many small packets: a slice ends by their count too */
	reset_at(t, 0);
	for (i = 0; i < 100; i++)
		EMIT(t, vkfd_sdma_pkt_nop, 0);
	KUNIT_EXPECT_EQ(test, run_budget(t, &r, 10 * VKFD_SDMA_PKT_COST),
			VKFD_SDMA_BUDGET);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 40ULL);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
}

/* One slice that ended before it began, as an engine late to run sees it */
static enum vkfd_sdma_status run_late(struct sdma_test *t,
				      struct vkfd_sdma_run *r)
{
	enum vkfd_sdma_status st;

	memset(r, 0, sizeof(*r));
	r->wptr = t->wptr;
	r->budget = VKFD_SDMA_SLICE;
	r->end = 1;
	mutex_lock(&t->ctx.mem_lock);
	st = vkfd_sdma_exec_locked(&t->q, r);
	mutex_unlock(&t->ctx.mem_lock);
	return st;
}

/*
 * A slice ends by time too, between two pieces of a copy and between two
 * packets, whatever is left of its budget; and every slice moves on, by
 * a piece or a packet, however late it is.
 */
static void vkfd_sdma_test_slice_time(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;
	unsigned int i;

	EMIT(t, vkfd_sdma_pkt_copy, BIG_DST_VA, BIG_SRC_VA, BIG);
	KUNIT_EXPECT_EQ(test, run_late(t, &r), VKFD_SDMA_BUDGET);
	KUNIT_EXPECT_EQ(test, r.moved, (u64)VKFD_SDMA_CHUNK);
	KUNIT_EXPECT_EQ(test, t->q.sdma.pkt_done, (u64)VKFD_SDMA_CHUNK);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 0ULL);
	KUNIT_EXPECT_EQ(test, run_late(t, &r), VKFD_SDMA_BUDGET);
	KUNIT_EXPECT_EQ(test, t->q.sdma.pkt_done, 2ULL * VKFD_SDMA_CHUNK);

	reset_at(t, 0);
	for (i = 0; i < 3; i++)
		EMIT(t, vkfd_sdma_pkt_nop, 0);
	KUNIT_EXPECT_EQ(test, run_late(t, &r), VKFD_SDMA_BUDGET);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 4ULL);
	KUNIT_EXPECT_EQ(test, run_late(t, &r), VKFD_SDMA_BUDGET);
	KUNIT_EXPECT_EQ(test, run_late(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 12ULL);
}

/* A slice signals VKFD_SDMA_SLICE_TRAPS TRAPs at most; the next goes on. */
static void vkfd_sdma_test_trap_slice(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r = { .budget = VKFD_SDMA_SLICE };
	enum vkfd_sdma_status st;
	unsigned int i, n = 0;

	for (i = 0; i < 2 * VKFD_SDMA_SLICE_TRAPS + 1; i++)
		EMIT(t, vkfd_sdma_pkt_trap, i);
	r.wptr = t->wptr;
	/* As the engine calls it: again after each TRAP, one slice */
	mutex_lock(&t->ctx.mem_lock);
	while ((st = vkfd_sdma_exec_locked(&t->q, &r)) == VKFD_SDMA_TRAP)
		n++;
	mutex_unlock(&t->ctx.mem_lock);
	KUNIT_EXPECT_EQ(test, st, VKFD_SDMA_BUDGET);
	KUNIT_EXPECT_EQ(test, n, VKFD_SDMA_SLICE_TRAPS);
	KUNIT_EXPECT_EQ(test, r.traps, VKFD_SDMA_SLICE_TRAPS);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr,
			VKFD_SDMA_SLICE_TRAPS * VKFD_SDMA_TRAP_DW * 4ULL);
	KUNIT_EXPECT_EQ(test, r.int_context, VKFD_SDMA_SLICE_TRAPS - 1);
}

/*
 * A new ring (UPDATE_QUEUE) while a copy is half done: the packet at the
 * read pointer is another one, executed from its first byte.
 */
static void vkfd_sdma_test_ring_changed(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;
	unsigned int i;

	/* Data pages 0 and 1 to 2 and 3, each a page of its own */
	for (i = 0; i < 2; i++)
		fill_pattern((u8 *)data(t, i * PG), PG, 1 + i);
	EMIT(t, vkfd_sdma_pkt_copy, DATA_VA + 2 * PG, DATA_VA, 2 * PG);
	/* A budget of a byte: one page, the least a piece moves */
	KUNIT_EXPECT_EQ(test, run_budget(t, &r, 1), VKFD_SDMA_BUDGET);
	KUNIT_EXPECT_EQ(test, t->q.sdma.pkt_done, (u64)PG);
	KUNIT_EXPECT_EQ(test, memcmp(data(t, 0), data(t, 2 * PG), PG), 0);

	/* "The new ring": the same place holds a copy of new data */
	for (i = 0; i < 2; i++) {
		fill_pattern((u8 *)data(t, i * PG), PG, 9 + i);
		memset(data(t, (2 + i) * PG), 0, PG);
	}
	vkfd_sdma_queue_ring_changed(&t->q);
	KUNIT_EXPECT_EQ(test, t->q.sdma.pkt_done, 0ULL);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 0ULL);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, r.moved, 2ULL * PG);
	for (i = 0; i < 2; i++)
		KUNIT_EXPECT_EQ(test, memcmp(data(t, i * PG),
					     data(t, (2 + i) * PG), PG), 0);
}

static struct kunit_case vkfd_sdma_test_cases[] = {
	KUNIT_CASE(vkfd_sdma_test_nop),
	KUNIT_CASE(vkfd_sdma_test_copy),
	KUNIT_CASE(vkfd_sdma_test_copy_broadcast),
	KUNIT_CASE(vkfd_sdma_test_copy_broadcast_faults),
	KUNIT_CASE(vkfd_sdma_test_write_fill),
	KUNIT_CASE(vkfd_sdma_test_timestamp),
	KUNIT_CASE(vkfd_sdma_test_trap),
	KUNIT_CASE(vkfd_sdma_test_poll),
	KUNIT_CASE(vkfd_sdma_test_poll_funcs),
	KUNIT_CASE(vkfd_sdma_test_wrap),
	KUNIT_CASE(vkfd_sdma_test_stall),
	KUNIT_CASE(vkfd_sdma_test_invalid),
	KUNIT_CASE(vkfd_sdma_test_bad_wptr),
	KUNIT_CASE(vkfd_sdma_test_faults),
	KUNIT_CASE(vkfd_sdma_test_slices),
	KUNIT_CASE(vkfd_sdma_test_slice_time),
	KUNIT_CASE(vkfd_sdma_test_trap_slice),
	KUNIT_CASE(vkfd_sdma_test_ring_changed),
	{}
};

static struct kunit_suite vkfd_sdma_test_suite = {
	.name = "vkfd-sdma",
	.init = sdma_test_init,
	.exit = sdma_test_exit,
	.test_cases = vkfd_sdma_test_cases,
};

kunit_test_suite(vkfd_sdma_test_suite);
