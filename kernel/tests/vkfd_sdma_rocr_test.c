// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit tests of the SDMA packets ROCm 5.2's runtime sends on gfx9
 * (vkfd_sdma_atomic.c, vkfd_sdma_rect.c, vkfd_sdma_pkt.c), against the
 * queue and VM of vkfd_sdma_test.h: every integer ATOMIC in 32 and 64
 * bit, with and without return, at its boundaries; looping CMPSWAP;
 * register-mode POLL_REGMEM; dword CONST_FILL; COPY_LINEAR_RECT shapes
 * against a reference computed here; the runtime's completion sequence
 * dword for dword. Packets come from the encoders of <linux/vkfd_sdma.h>.
 */
#include "vkfd_sdma_test.h"

#define S32(v)	((u64)(u32)(s32)(v))
#define S64(v)	((u64)(s64)(v))

/* One operation, its operands and the value it must leave. */
struct atomic_case {
	u32 op;		/* VKFD_SDMA_ATOMIC_SWAP .. _DEC */
	u64 old, src, cmp, want;
};

static const struct atomic_case atomic64_cases[] = {
	{ VKFD_SDMA_ATOMIC_SWAP, 0x1111222233334444, 0xaaaabbbbccccdddd, 0,
	  0xaaaabbbbccccdddd },
	{ VKFD_SDMA_ATOMIC_CMPSWAP, 0x100000005, 9, 0x100000005, 9 },
	{ VKFD_SDMA_ATOMIC_CMPSWAP, 0x100000005, 9, 5, 0x100000005 },
	{ VKFD_SDMA_ATOMIC_ADD, 1, U64_MAX, 0, 0 },	/* ROCr's decrement */
	{ VKFD_SDMA_ATOMIC_ADD, U64_MAX, 2, 0, 1 },
	{ VKFD_SDMA_ATOMIC_ADD, 0xffffffff, 1, 0, 0x100000000 },
	{ VKFD_SDMA_ATOMIC_SUB, 0, 1, 0, U64_MAX },
	{ VKFD_SDMA_ATOMIC_SUB, 0x100000000, 1, 0, 0xffffffff },
	{ VKFD_SDMA_ATOMIC_SMIN, S64(-5), 3, 0, S64(-5) },
	{ VKFD_SDMA_ATOMIC_SMIN, 3, S64(-5), 0, S64(-5) },
	{ VKFD_SDMA_ATOMIC_UMIN, S64(-5), 3, 0, 3 },
	{ VKFD_SDMA_ATOMIC_SMAX, S64(-5), 3, 0, 3 },
	{ VKFD_SDMA_ATOMIC_SMAX, S64_MIN, S64_MAX, 0, S64_MAX },
	{ VKFD_SDMA_ATOMIC_UMAX, S64(-5), 3, 0, S64(-5) },
	{ VKFD_SDMA_ATOMIC_AND, 0xf0f0f0f0f0f0f0f0, 0xff00ff00ff00ff00, 0,
	  0xf000f000f000f000 },
	{ VKFD_SDMA_ATOMIC_OR, 0xf0f0f0f0f0f0f0f0, 0xff00ff00ff00ff00, 0,
	  0xfff0fff0fff0fff0 },
	{ VKFD_SDMA_ATOMIC_XOR, 0xf0f0f0f0f0f0f0f0, 0xff00ff00ff00ff00, 0,
	  0x0ff00ff00ff00ff0 },
	{ VKFD_SDMA_ATOMIC_INC, 6, 7, 0, 7 },
	{ VKFD_SDMA_ATOMIC_INC, 7, 7, 0, 0 },		/* old >= src: 0 */
	{ VKFD_SDMA_ATOMIC_INC, U64_MAX, 5, 0, 0 },
	{ VKFD_SDMA_ATOMIC_INC, 0xffffffff, U64_MAX, 0, 0x100000000 },
	{ VKFD_SDMA_ATOMIC_DEC, 5, 9, 0, 4 },
	{ VKFD_SDMA_ATOMIC_DEC, 0, 9, 0, 9 },		/* old == 0: src */
	{ VKFD_SDMA_ATOMIC_DEC, 10, 9, 0, 9 },		/* old > src: src */
	{ VKFD_SDMA_ATOMIC_DEC, 0x100000000, U64_MAX, 0, 0xffffffff },
};

/* 32-bit: the operands' high dwords do not count. */
static const struct atomic_case atomic32_cases[] = {
	{ VKFD_SDMA_ATOMIC_SWAP, 0x11112222, 0x77777777aaaabbbb, 0,
	  0xaaaabbbb },
	{ VKFD_SDMA_ATOMIC_CMPSWAP, 5, 9, 0x7700000005, 9 },
	{ VKFD_SDMA_ATOMIC_CMPSWAP, 5, 9, 6, 5 },
	{ VKFD_SDMA_ATOMIC_ADD, 1, U64_MAX, 0, 0 },
	{ VKFD_SDMA_ATOMIC_ADD, 0xffffffff, 2, 0, 1 },	/* wraps in 32 bits */
	{ VKFD_SDMA_ATOMIC_ADD, 7, 0x500000001, 0, 8 },
	{ VKFD_SDMA_ATOMIC_SUB, 0, 1, 0, 0xffffffff },
	{ VKFD_SDMA_ATOMIC_SMIN, S32(-5), 3, 0, S32(-5) },
	{ VKFD_SDMA_ATOMIC_SMIN, S32(S32_MAX), S32(S32_MIN), 0, S32(S32_MIN) },
	{ VKFD_SDMA_ATOMIC_UMIN, S32(-5), 3, 0, 3 },
	{ VKFD_SDMA_ATOMIC_SMAX, S32(-5), 3, 0, 3 },
	{ VKFD_SDMA_ATOMIC_SMAX, 3, 0x1fffffffb, 0, 3 },	/* -5 in 32 */
	{ VKFD_SDMA_ATOMIC_UMAX, S32(-5), 3, 0, S32(-5) },
	{ VKFD_SDMA_ATOMIC_AND, 0xf0f0f0f0, 0xff00ff00, 0, 0xf000f000 },
	{ VKFD_SDMA_ATOMIC_OR, 0xf0f0f0f0, 0xff00ff00, 0, 0xfff0fff0 },
	{ VKFD_SDMA_ATOMIC_XOR, 0xf0f0f0f0, 0xff00ff00, 0, 0x0ff00ff0 },
	{ VKFD_SDMA_ATOMIC_INC, 6, 7, 0, 7 },
	{ VKFD_SDMA_ATOMIC_INC, 7, 7, 0, 0 },
	{ VKFD_SDMA_ATOMIC_INC, 0xfffffffe, U64_MAX, 0, 0xffffffff },
	{ VKFD_SDMA_ATOMIC_INC, 0xffffffff, U64_MAX, 0, 0 },
	{ VKFD_SDMA_ATOMIC_DEC, 5, 9, 0, 4 },
	{ VKFD_SDMA_ATOMIC_DEC, 0, 9, 0, 9 },
	{ VKFD_SDMA_ATOMIC_DEC, 10, 9, 0, 9 },
	{ VKFD_SDMA_ATOMIC_DEC, 0, 0xffffffff, 0, 0xffffffff },
};

#define GUARD	0x5a5a5a5a5a5a5a5aULL

/*
 * Run @n cases of @bits bits, with return or without, one packet each at
 * its own 16 bytes of DATA_VA, the 8 bytes after each a guard.
 */
static void atomic_cases(struct kunit *test, const struct atomic_case *c,
			 unsigned int n, unsigned int bits, bool rtn)
{
	struct sdma_test *t = test->priv;
	u32 code_bits = (bits == 64 ? VKFD_SDMA_ATOMIC_64 : 0) |
			(rtn ? 0 : VKFD_SDMA_ATOMIC_NO_RTN);
	struct vkfd_sdma_run r;
	u64 stored = 0;
	unsigned int i;

	reset_at(t, 0);
	for (i = 0; i < n; i++) {
		u64 *v = (u64 *)data(t, 16 * i);

		v[0] = c[i].old | (bits == 32 ? GUARD << 32 : 0);
		v[1] = GUARD;
		EMIT(t, vkfd_sdma_pkt_atomic, c[i].op | code_bits,
		     DATA_VA + 16 * i, c[i].src, c[i].cmp, false, 0);
		/* a CMPSWAP that does not swap writes nothing */
		if (c[i].op != VKFD_SDMA_ATOMIC_CMPSWAP ||
		    c[i].want != c[i].old)
			stored += bits / 8;
	}
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, t->wptr);
	for (i = 0; i < n; i++) {
		u64 *v = (u64 *)data(t, 16 * i);
		u64 got = bits == 32 ? (u32)v[0] : v[0];

		KUNIT_EXPECT_EQ_MSG(test, got, c[i].want,
				    "%u-bit op 0x%x case %u", bits,
				    c[i].op | code_bits, i);
		if (bits == 32)
			KUNIT_EXPECT_EQ(test, v[0] >> 32, GUARD >> 32);
		KUNIT_EXPECT_EQ(test, v[1], GUARD);
	}
	KUNIT_EXPECT_EQ(test, r.moved, stored);
}

static void vkfd_sdma_rocr_test_atomic64(struct kunit *test)
{
	atomic_cases(test, atomic64_cases, ARRAY_SIZE(atomic64_cases), 64,
		     true);
	atomic_cases(test, atomic64_cases, ARRAY_SIZE(atomic64_cases), 64,
		     false);
}

static void vkfd_sdma_rocr_test_atomic32(struct kunit *test)
{
	atomic_cases(test, atomic32_cases, ARRAY_SIZE(atomic32_cases), 32,
		     true);
	atomic_cases(test, atomic32_cases, ARRAY_SIZE(atomic32_cases), 32,
		     false);
}

/* The codes themselves: ROCr's decrement, and the ends of each range. */
static void vkfd_sdma_rocr_test_atomic_codes(struct kunit *test)
{
	static const u32 rocr[8] = { 0x5e00000a, (u32)DATA_VA, 0, 0xffffffff,
				     0xffffffff, 0, 0, 0 };
	static const struct { u32 code; u64 want; } c[] = {
		{ 0x07, 9 }, { 0x19, 2 }, { 0x27, 9 }, { 0x39, 2 },
		{ 0x47, 9 }, { 0x59, 2 }, { 0x67, 9 }, { 0x79, 2 },
	};
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;
	u32 dw[VKFD_SDMA_ATOMIC_DW];
	unsigned int i;

	KUNIT_EXPECT_EQ(test, vkfd_sdma_pkt_atomic(dw,
						   VKFD_SDMA_ATOMIC_ADD_RTN_64,
						   DATA_VA, U64_MAX, 0, false,
						   0),
			(u32)VKFD_SDMA_ATOMIC_DW);
	KUNIT_EXPECT_EQ(test, memcmp(dw, rocr, sizeof(rocr)), 0);
	*(u64 *)data(t, 0) = 1;
	emit(t, rocr, 8);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, *(u64 *)data(t, 0), 0ULL);

	/* SWAP 9 and DEC (3, src 9): 2 */
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		reset_at(t, 0);
		*(u64 *)data(t, 8) = 3;
		EMIT(t, vkfd_sdma_pkt_atomic, c[i].code, DATA_VA + 8, 9, 0,
		     false, 0);
		KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
		KUNIT_EXPECT_EQ_MSG(test, *(u64 *)data(t, 8), c[i].want,
				    "code 0x%x", c[i].code);
	}
}

/*
 * Not executed: READ/WRITE, the float, cache and reserved codes; an
 * address not aligned to the size. The queue stops at the packet and
 * nothing is written.
 */
static void vkfd_sdma_rocr_test_atomic_invalid(struct kunit *test)
{
	static const u32 codes[] = {
		0x00, 0x01, 0x02, 0x03, 0x04, 0x06, 0x09, 0x0a, 0x0b, 0x0c,
		0x0e, 0x1a, 0x1b, 0x1c, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x29,
		0x2c, 0x3a, 0x3f, 0x40, 0x41, 0x43, 0x4c, 0x5a, 0x5b, 0x60,
		0x61, 0x63, 0x6b, 0x7a, 0x7b, 0x7f,
	};
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(codes) + 2; i++) {
		u32 code = i < ARRAY_SIZE(codes) ? codes[i] :
			   i == ARRAY_SIZE(codes) ?
			   VKFD_SDMA_ATOMIC_SWAP | VKFD_SDMA_ATOMIC_64 :
			   VKFD_SDMA_ATOMIC_SWAP;
		u64 va = DATA_VA + (i < ARRAY_SIZE(codes) ? 0 :
			 i == ARRAY_SIZE(codes) ? 4 : 2);

		reset_at(t, 64);
		EMIT(t, vkfd_sdma_pkt_atomic, code, va, 1, 1, true, 0);
		KUNIT_EXPECT_EQ_MSG(test, run(t, &r), VKFD_SDMA_INVALID,
				    "case %u", i);
		KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 64ULL);
		KUNIT_EXPECT_EQ(test, r.moved, 0ULL);
	}
	KUNIT_EXPECT_EQ(test, *(u64 *)data(t, 0), 0ULL);
}

/* Unmapped, and mapped read-only: GPU faults at the value's address. */
static void vkfd_sdma_rocr_test_atomic_faults(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;

	EMIT(t, vkfd_sdma_pkt_atomic, VKFD_SDMA_ATOMIC_ADD_RTN_64,
	     HOLE_VA + 8, 1, 0, false, 0);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, r.fault.va, HOLE_VA + 8);
	KUNIT_EXPECT_TRUE(test, r.fault.not_present);
	KUNIT_EXPECT_TRUE(test, r.fault.write);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 0ULL);

	reset_at(t, 0);
	*(u32 *)page_of(t, P_RO) = 41;
	EMIT(t, vkfd_sdma_pkt_atomic,
	     VKFD_SDMA_ATOMIC_ADD | VKFD_SDMA_ATOMIC_NO_RTN, RO_VA, 1, 0,
	     false, 0);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, r.fault.va, RO_VA);
	KUNIT_EXPECT_FALSE(test, r.fault.not_present);
	KUNIT_EXPECT_TRUE(test, r.fault.write);
	KUNIT_EXPECT_EQ(test, *(u32 *)page_of(t, P_RO), 41U);
	KUNIT_EXPECT_EQ(test, r.moved, 0ULL);
}

/*
 * A looping CMPSWAP parks the queue until the value compares equal,
 * tried again every loop_interval x 10 ns; the loop bit of another
 * operation changes nothing.
 */
static void vkfd_sdma_rocr_test_atomic_loop(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;
	u64 before;

	*(u64 *)data(t, 0) = 1;
	EMIT(t, vkfd_sdma_pkt_atomic,
	     VKFD_SDMA_ATOMIC_CMPSWAP | VKFD_SDMA_ATOMIC_64, DATA_VA, 7, 2,
	     true, 5000);
	EMIT(t, vkfd_sdma_pkt_fence, DATA_VA + 8, 1);
	before = ktime_get_ns();
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_POLL);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 0ULL);
	KUNIT_EXPECT_EQ(test, *(u64 *)data(t, 0), 1ULL);
	KUNIT_EXPECT_EQ(test, *data(t, 8), 0U);
	/* 5000 x 10 ns from the try, not sooner */
	KUNIT_EXPECT_GE(test, t->q.sdma.poll_next, before + 50000);
	KUNIT_EXPECT_FALSE(test, vkfd_sdma_queue_ready(&t->q, t->wptr,
						       t->q.sdma.poll_next - 1));
	KUNIT_EXPECT_TRUE(test, vkfd_sdma_queue_ready(&t->q, t->wptr,
						      t->q.sdma.poll_next));
	/* Too early: not tried, even though it would succeed now */
	*(u64 *)data(t, 0) = 2;
	t->q.sdma.poll_next = U64_MAX;
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_POLL);
	KUNIT_EXPECT_EQ(test, *(u64 *)data(t, 0), 2ULL);
	/* Still unequal when tried: parked again, the try counted */
	*(u64 *)data(t, 0) = 3;
	t->q.sdma.poll_next = 0;
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_POLL);
	KUNIT_EXPECT_EQ(test, t->q.sdma.poll_tries, 2U);
	/* Equal: swapped, and on with the next packet */
	*(u64 *)data(t, 0) = 2;
	t->q.sdma.poll_next = 0;
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, *(u64 *)data(t, 0), 7ULL);
	KUNIT_EXPECT_EQ(test, *data(t, 8), 1U);

	/* The loop bit on an ADD: done once */
	reset_at(t, 0);
	EMIT(t, vkfd_sdma_pkt_atomic, VKFD_SDMA_ATOMIC_ADD, DATA_VA + 16, 5,
	     0, true, 1);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, *data(t, 16), 5U);
}

/*
 * Register polls: ROCr's HDP flush (func "always") and amdgpu's (the
 * HDP_FLUSH bit) are done at once; any other register poll is invalid.
 */
static void vkfd_sdma_rocr_test_poll_reg(struct kunit *test)
{
	static const u32 rocr[6] = { 0x8, 0, 0x80000000, 0, 0, 0 };
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;
	u32 dw[VKFD_SDMA_POLL_REGMEM_DW];
	u32 func;

	vkfd_sdma_pkt_poll_reg(dw, false, 0, 0, 0x80000000, 0);
	KUNIT_EXPECT_EQ(test, memcmp(dw, rocr, sizeof(rocr)), 0);
	emit(t, rocr, 6);
	EMIT(t, vkfd_sdma_pkt_poll_reg, true, VKFD_SDMA_POLL_FUNC_EQUAL,
	     0x5480 << 2, 0x5484 << 2, 1);
	EMIT(t, vkfd_sdma_pkt_fence, DATA_VA, 3);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, *data(t, 0), 3U);

	for (func = 1; func < 8; func++) {
		reset_at(t, 64);
		EMIT(t, vkfd_sdma_pkt_poll_reg, false, func, 0, 0x80000000, 0);
		KUNIT_EXPECT_EQ_MSG(test, run(t, &r), VKFD_SDMA_INVALID,
				    "func %u", func);
		KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 64ULL);
	}
}

/*
 * CONST_FILL as ROCr sends it: fill size 2, count (dwords - 1) * 4; the
 * count's low bits do not matter; the address must be a dword's.
 */
static void vkfd_sdma_rocr_test_fill_dwords(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;
	u32 dw[VKFD_SDMA_CONST_FILL_DW];

	vkfd_sdma_pkt_fill_dwords(dw, DATA_VA, 0x12345678, 5);
	KUNIT_EXPECT_EQ(test, dw[0], 0x8000000bU);
	KUNIT_EXPECT_EQ(test, dw[4], 16U);
	emit(t, dw, VKFD_SDMA_CONST_FILL_DW);
	EMIT(t, vkfd_sdma_pkt_fill_dwords, DATA_VA + 32, 0xabcdef01, 1);
	/* count 4 * 3 - 1, as amdgpu counts bytes: still 3 dwords */
	vkfd_sdma_pkt_fill_dwords(dw, DATA_VA + 64, 0x600df00d, 3);
	dw[4] |= 3;
	emit(t, dw, VKFD_SDMA_CONST_FILL_DW);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, r.moved, 20ULL + 4 + 12);
	KUNIT_EXPECT_EQ(test, *data(t, 0), 0x12345678U);
	KUNIT_EXPECT_EQ(test, *data(t, 16), 0x12345678U);
	KUNIT_EXPECT_EQ(test, *data(t, 20), 0U);
	KUNIT_EXPECT_EQ(test, *data(t, 32), 0xabcdef01U);
	KUNIT_EXPECT_EQ(test, *data(t, 36), 0U);
	KUNIT_EXPECT_EQ(test, *data(t, 72), 0x600df00dU);
	KUNIT_EXPECT_EQ(test, *data(t, 76), 0U);

	reset_at(t, 64);
	EMIT(t, vkfd_sdma_pkt_fill_dwords, DATA_VA + 2, 1, 1);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_INVALID);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 64ULL);
}

/* Zero dwords up to the ring's end (ROCr's padding) are 1-dword NOPs. */
static void vkfd_sdma_rocr_test_zero_padding(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	static const u32 zero[5];
	struct vkfd_sdma_run r;

	reset_at(t, 3 * RING_SIZE - 20);
	emit(t, zero, 5);
	EMIT(t, vkfd_sdma_pkt_fence, DATA_VA, 0xe0d);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 3ULL * RING_SIZE + 16);
	KUNIT_EXPECT_EQ(test, *data(t, 0), 0xe0dU);
}

/* The byte offset of element (@i, @j, @k) of side @s's box. */
static u64 rect_at(const struct vkfd_sdma_rect *s, u32 esize, u32 i, u32 j,
		   u32 k)
{
	return (u64)(s->z + k) * s->slice * esize +
	       (u64)(s->y + j) * s->pitch * esize + (u64)(s->x + i) * esize;
}

/*
 * COPY_LINEAR_RECT from and to the data pages (src in the first half,
 * dst in the second); the reference copies element by element into a
 * shadow of the pages; everything else stays.
 */
static void rect_case(struct kunit *test, u32 element,
		      struct vkfd_sdma_rect src, struct vkfd_sdma_rect dst,
		      u32 w, u32 h, u32 d)
{
	struct sdma_test *t = test->priv;
	size_t size = DATA_PAGES * PG;
	u8 *shadow = kunit_kzalloc(test, size, GFP_KERNEL);
	u32 esize = 1U << element, i, j, k, p;
	struct vkfd_sdma_run r;

	KUNIT_ASSERT_NOT_NULL(test, shadow);
	for (p = 0; p < DATA_PAGES; p++) {
		fill_pattern(page_of(t, P_DATA + p), PG, 17 * p + element);
		memcpy(shadow + p * PG, page_of(t, P_DATA + p), PG);
	}
	for (k = 0; k < d; k++)
		for (j = 0; j < h; j++)
			for (i = 0; i < w; i++) {
				u64 so = src.va - DATA_VA +
					 rect_at(&src, esize, i, j, k);
				u64 dof = dst.va - DATA_VA +
					  rect_at(&dst, esize, i, j, k);

				KUNIT_ASSERT_LE(test, so + esize, size);
				KUNIT_ASSERT_LE(test, dof + esize, size);
				memcpy(shadow + dof, shadow + so, esize);
			}

	reset_at(t, 0);
	EMIT(t, vkfd_sdma_pkt_copy_rect, element, &dst, &src, w, h, d);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, r.moved, (u64)w * h * d * esize);
	for (p = 0; p < DATA_PAGES; p++)
		KUNIT_EXPECT_EQ_MSG(test, memcmp(page_of(t, P_DATA + p),
						 shadow + p * PG, PG), 0,
				    "element %u, page %u", element, p);
}

#define SIDE(va_off, x_, y_, z_, pitch_, slice_) \
	((struct vkfd_sdma_rect){ .va = DATA_VA + (va_off), .x = (x_), \
	  .y = (y_), .z = (z_), .pitch = (pitch_), .slice = (slice_) })

static void vkfd_sdma_rocr_test_rect(struct kunit *test)
{
	const u64 half = DATA_PAGES * PG / 2;

	/* 1 byte: a 2D box, offsets in x and y; slice pitch unused */
	rect_case(test, 0, SIDE(4, 3, 2, 0, 40, 1),
		  SIDE(half + 8, 1, 5, 0, 52, 1), 7, 5, 1);
	/* 2 bytes, 3 slices, offsets in all three */
	rect_case(test, 1, SIDE(0, 1, 1, 1, 20, 100),
		  SIDE(half, 2, 0, 2, 24, 90), 9, 3, 3);
	/* 4 bytes, rows crossing a page boundary on both sides */
	rect_case(test, 2, SIDE(PG - 4 * 40, 0, 0, 0, 16, 200),
		  SIDE(half + PG - 4 * 24, 0, 1, 0, 20, 300), 16, 4, 2);
	/* 8 bytes, no offsets on one side */
	rect_case(test, 3, SIDE(12, 0, 0, 0, 11, 70),
		  SIDE(half + 4, 3, 2, 1, 9, 64), 5, 6, 2);
	/* 16 bytes, 4 slices */
	rect_case(test, 4, SIDE(0, 1, 0, 2, 5, 12),
		  SIDE(half, 0, 1, 1, 4, 13), 3, 2, 4);
	/* one element; pitch == width (a contiguous box) */
	rect_case(test, 2, SIDE(0, 0, 0, 0, 1, 1), SIDE(half, 5, 0, 0, 8, 8),
		  1, 1, 1);
	rect_case(test, 0, SIDE(0, 0, 0, 0, 64, 64 * 4),
		  SIDE(half, 0, 0, 0, 64, 64 * 4), 64, 4, 3);
}

/* An element above 16 bytes, unaligned bases: invalid; faults. */
static void vkfd_sdma_rocr_test_rect_errors(struct kunit *test)
{
	struct vkfd_sdma_rect ok = SIDE(0, 0, 0, 0, 16, 1);
	struct vkfd_sdma_rect odd = SIDE(2, 0, 0, 0, 16, 1);
	struct vkfd_sdma_rect edge = ok, ro = ok;
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;

	EMIT(t, vkfd_sdma_pkt_copy_rect, 5, &ok, &ok, 1, 1, 1);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_INVALID);
	reset_at(t, 0);
	EMIT(t, vkfd_sdma_pkt_copy_rect, 0, &ok, &odd, 1, 1, 1);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_INVALID);
	reset_at(t, 0);
	EMIT(t, vkfd_sdma_pkt_copy_rect, 0, &odd, &ok, 1, 1, 1);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_INVALID);
	KUNIT_EXPECT_EQ(test, r.moved, 0ULL);

	/* the second row's source is past the mapping: the first is copied */
	edge.va = RO_VA + PG - 8;
	reset_at(t, 0);
	EMIT(t, vkfd_sdma_pkt_copy_rect, 0, &ok, &edge, 8, 2, 1);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, r.fault.va, RO_VA + PG + 8);
	KUNIT_EXPECT_TRUE(test, r.fault.not_present);
	KUNIT_EXPECT_FALSE(test, r.fault.write);
	KUNIT_EXPECT_EQ(test, r.moved, 8ULL);

	ro.va = RO_VA;
	reset_at(t, 0);
	EMIT(t, vkfd_sdma_pkt_copy_rect, 2, &ro, &ok, 4, 1, 1);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, r.fault.va, RO_VA);
	KUNIT_EXPECT_TRUE(test, r.fault.write);
	KUNIT_EXPECT_FALSE(test, r.fault.not_present);
	KUNIT_EXPECT_EQ(test, *(u32 *)page_of(t, P_RO), 0U);
}

/*
 * A box bigger than the slice goes on where it stopped; a box of many
 * 1-byte rows is cut by the rows' cost, not only by its bytes.
 */
static void vkfd_sdma_rocr_test_rect_slices(struct kunit *test)
{
	struct vkfd_sdma_rect src = SIDE(0, 0, 0, 0, 4, 1);
	struct vkfd_sdma_rect dst = SIDE(2 * PG, 0, 0, 0, 4, 1);
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;
	unsigned int runs = 0, i;

	fill_pattern(page_of(t, P_DATA), PG, 3);
	/* 1000 rows of 1 byte, every 4th byte of the first page */
	EMIT(t, vkfd_sdma_pkt_copy_rect, 0, &dst, &src, 1, 1000, 1);
	KUNIT_EXPECT_EQ(test, run_budget(t, &r, 100 * 65), VKFD_SDMA_BUDGET);
	KUNIT_EXPECT_LE(test, t->q.sdma.pkt_done, 101ULL);
	KUNIT_EXPECT_GE(test, t->q.sdma.pkt_done, 99ULL);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 0ULL);
	while (run_budget(t, &r, 100 * 65) == VKFD_SDMA_BUDGET && runs < 100)
		runs++;
	KUNIT_EXPECT_GE(test, runs, 8U);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, t->wptr);
	for (i = 0; i < 1000; i++) {
		u8 *s = page_of(t, P_DATA), *d = page_of(t, P_DATA + 2);

		KUNIT_EXPECT_EQ_MSG(test, d[4 * i], s[4 * i], "row %u", i);
		KUNIT_EXPECT_EQ(test, d[4 * i + 1], 0);
	}
}

/*
 * ROCr's SubmitCommand(), dword for dword on gfx9 with an interrupt
 * signal and profiling: TIMESTAMP, HDP flush, COPY_LINEAR, TIMESTAMP,
 * ATOMIC ADD64 -1 on the signal, FENCE of the event id to the mailbox,
 * TRAP of the event id.
 */
static void vkfd_sdma_rocr_test_completion(struct kunit *test)
{
	static const u32 hdp[6] = { 0x8, 0, 0x80000000, 0, 0, 0 };
	struct sdma_test *t = test->priv;
	u64 sig = DATA_VA + PG, mailbox = DATA_VA + PG + 64;
	struct vkfd_sdma_run r;

	fill_pattern(page_of(t, P_DATA), 256, 9);
	*(u64 *)data(t, PG) = 1;
	EMIT(t, vkfd_sdma_pkt_timestamp, DATA_VA + PG + 32);
	emit(t, hdp, 6);
	EMIT(t, vkfd_sdma_pkt_copy, DATA_VA + 2 * PG, DATA_VA, 256);
	EMIT(t, vkfd_sdma_pkt_timestamp, DATA_VA + PG + 96);
	EMIT(t, vkfd_sdma_pkt_atomic, VKFD_SDMA_ATOMIC_ADD_RTN_64, sig,
	     U64_MAX, 0, false, 0);
	EMIT(t, vkfd_sdma_pkt_fence, mailbox, 42);
	EMIT(t, vkfd_sdma_pkt_trap, 42);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_TRAP);
	KUNIT_EXPECT_EQ(test, r.int_context, 42U);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, t->wptr);
	KUNIT_EXPECT_EQ(test, *(u64 *)data(t, PG), 0ULL);
	KUNIT_EXPECT_EQ(test, *data(t, PG + 64), 42U);
	KUNIT_EXPECT_EQ(test, memcmp(page_of(t, P_DATA + 2),
				     page_of(t, P_DATA), 256), 0);
	KUNIT_EXPECT_NE(test, *(u64 *)data(t, PG + 32), 0ULL);
	KUNIT_EXPECT_GE(test, *(u64 *)data(t, PG + 96),
			*(u64 *)data(t, PG + 32));
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
}

static struct kunit_case vkfd_sdma_rocr_test_cases[] = {
	KUNIT_CASE(vkfd_sdma_rocr_test_atomic64),
	KUNIT_CASE(vkfd_sdma_rocr_test_atomic32),
	KUNIT_CASE(vkfd_sdma_rocr_test_atomic_codes),
	KUNIT_CASE(vkfd_sdma_rocr_test_atomic_invalid),
	KUNIT_CASE(vkfd_sdma_rocr_test_atomic_faults),
	KUNIT_CASE(vkfd_sdma_rocr_test_atomic_loop),
	KUNIT_CASE(vkfd_sdma_rocr_test_poll_reg),
	KUNIT_CASE(vkfd_sdma_rocr_test_fill_dwords),
	KUNIT_CASE(vkfd_sdma_rocr_test_zero_padding),
	KUNIT_CASE(vkfd_sdma_rocr_test_rect),
	KUNIT_CASE(vkfd_sdma_rocr_test_rect_errors),
	KUNIT_CASE(vkfd_sdma_rocr_test_rect_slices),
	KUNIT_CASE(vkfd_sdma_rocr_test_completion),
	{}
};

static struct kunit_suite vkfd_sdma_rocr_test_suite = {
	.name = "vkfd-sdma-rocr",
	.init = sdma_test_init,
	.exit = sdma_test_exit,
	.test_cases = vkfd_sdma_rocr_test_cases,
};

kunit_test_suite(vkfd_sdma_rocr_test_suite);
