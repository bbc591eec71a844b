// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit tests of the SDMA packet executor (vkfd_sdma_pkt.c) against a
 * queue and a GPU VM built here: every packet type byte-exact, packets
 * straddling the ring's end, incomplete packets, invalid packets and
 * doorbell values, faults, slices and their resumption (also after an
 * unmap), and the engine threads (vkfd_sdma.c) serving and stopping a
 * queue.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/kfd_ioctl.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vkfd_sdma.h>

#include "../vkfd_priv.h"
#include "../vkfd_sdma.h"

#define PG		VKFD_GPU_PAGE_SIZE
#define R		(VKFD_PTE_VALID | VKFD_PTE_READABLE)
#define RW		(R | VKFD_PTE_WRITEABLE)

/* The VM */
#define RING_VA		0x100000ULL	/* RING_PAGES pages, the ring */
#define RING_PAGES	2
#define RING_SIZE	(RING_PAGES * PG)
#define RPTR_VA		0x200000ULL	/* the read pointer's page */
#define DATA_VA		0x300000ULL	/* DATA_PAGES pages */
#define DATA_PAGES	4
#define RO_VA		(DATA_VA + DATA_PAGES * PG) /* read-only page */
#define HOLE_VA		0x500000ULL	/* nothing */
#define BIG_SRC_VA	0x10000000ULL	/* BIG bytes: one page, repeated */
#define BIG_DST_VA	0x20000000ULL	/* BIG bytes: another, repeated */
#define BIG		SZ_2M

/* The pages, in &struct sdma_test.pages */
enum {
	P_RING,
	P_RPTR = P_RING + RING_PAGES,
	P_DATA,
	P_RO = P_DATA + DATA_PAGES,
	P_BIG_SRC,
	P_BIG_DST,
	NPAGES
};

struct sdma_test {
	struct vkfd_ctx ctx;
	struct vkfd_vm vm;
	struct vkfd_gpu gpu;
	struct vkfd_queue q;
	u64 doorbell;
	u64 wptr;
	struct page *pages[NPAGES];
	struct page **big;
};

static void *page_of(struct sdma_test *t, unsigned int i)
{
	return page_address(t->pages[i]);
}

static u32 *data(struct sdma_test *t, u64 off)
{
	return page_of(t, P_DATA + off / PG) + off % PG;
}

static int sdma_test_map(struct sdma_test *t)
{
	unsigned int i;
	int ret;

	ret = vkfd_pt_map(&t->vm.pt, RING_VA, &t->pages[P_RING], RING_PAGES,
			  RW);
	if (!ret)
		ret = vkfd_pt_map(&t->vm.pt, RPTR_VA, &t->pages[P_RPTR], 1, RW);
	if (!ret)
		ret = vkfd_pt_map(&t->vm.pt, DATA_VA, &t->pages[P_DATA],
				  DATA_PAGES, RW);
	if (!ret)
		ret = vkfd_pt_map(&t->vm.pt, RO_VA, &t->pages[P_RO], 1, R);
	if (ret)
		return ret;
	for (i = 0; i < BIG / PG; i++)
		t->big[i] = t->pages[P_BIG_SRC];
	ret = vkfd_pt_map(&t->vm.pt, BIG_SRC_VA, t->big, BIG / PG, R);
	if (ret)
		return ret;
	for (i = 0; i < BIG / PG; i++)
		t->big[i] = t->pages[P_BIG_DST];
	return vkfd_pt_map(&t->vm.pt, BIG_DST_VA, t->big, BIG / PG, RW);
}

static int sdma_test_init(struct kunit *test)
{
	struct sdma_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	unsigned int i;
	int ret;

	if (!t)
		return -ENOMEM;
	test->priv = t;
	mutex_init(&t->ctx.mem_lock);
	t->gpu.gpu_id = 0x1234;
	t->vm.ctx = &t->ctx;
	t->vm.gpu = &t->gpu;
	t->q.ctx = &t->ctx;
	t->q.vm = &t->vm;
	t->q.gpu = &t->gpu;
	t->q.type = KFD_IOC_QUEUE_TYPE_SDMA;
	t->q.ring_base = RING_VA;
	t->q.ring_size = RING_SIZE;
	t->q.rptr_va = RPTR_VA;
	t->q.doorbell = &t->doorbell;
	INIT_LIST_HEAD(&t->q.engine_node);
	for (i = 0; i < NPAGES; i++) {
		t->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!t->pages[i])
			return -ENOMEM;
	}
	t->big = kunit_kcalloc(test, BIG / PG, sizeof(*t->big), GFP_KERNEL);
	if (!t->big)
		return -ENOMEM;
	ret = vkfd_pt_init(&t->vm.pt);
	return ret ?: sdma_test_map(t);
}

static void sdma_test_exit(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	unsigned int i;

	if (!t)
		return;
	vkfd_pt_fini(&t->vm.pt);
	for (i = 0; i < NPAGES; i++)
		if (t->pages[i])
			__free_page(t->pages[i]);
	mutex_destroy(&t->ctx.mem_lock);
}

/* Append @n dwords to the ring at the write pointer; no doorbell yet. */
static void emit(struct sdma_test *t, const u32 *dw, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++, t->wptr += 4) {
		u64 off = t->wptr & (RING_SIZE - 1);
		u32 *p = page_of(t, P_RING + off / PG) + off % PG;

		*p = dw[i];
	}
}

/* Put both pointers at @ptr: an empty ring there. */
static void reset_at(struct sdma_test *t, u64 ptr)
{
	t->q.rptr = ptr;
	t->wptr = ptr;
	memset(&t->q.sdma, 0, sizeof(t->q.sdma));
}

/* Execute up to the write pointer, one slice, as the engine would. */
static enum vkfd_sdma_status run_budget(struct sdma_test *t,
					struct vkfd_sdma_run *r, long budget)
{
	enum vkfd_sdma_status st;

	memset(r, 0, sizeof(*r));
	r->wptr = t->wptr;
	r->budget = budget;
	mutex_lock(&t->ctx.mem_lock);
	st = vkfd_sdma_exec_locked(&t->q, r);
	mutex_unlock(&t->ctx.mem_lock);
	return st;
}

static enum vkfd_sdma_status run(struct sdma_test *t, struct vkfd_sdma_run *r)
{
	return run_budget(t, r, VKFD_SDMA_SLICE);
}

/* Packets */
static unsigned int pkt_nop(u32 *dw, u32 count)
{
	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_NOP, 0) |
		VKFD_SDMA_NOP_COUNT(count);
	return 1;
}

static unsigned int pkt_copy(u32 *dw, u64 dst, u64 src, u32 bytes)
{
	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_COPY,
				 VKFD_SDMA_SUBOP_COPY_LINEAR);
	dw[1] = bytes - 1;
	dw[2] = 0;
	dw[3] = lower_32_bits(src);
	dw[4] = upper_32_bits(src);
	dw[5] = lower_32_bits(dst);
	dw[6] = upper_32_bits(dst);
	return VKFD_SDMA_COPY_LINEAR_DW;
}

/* Header only: the caller appends the @n dwords. */
static unsigned int pkt_write_hdr(u32 *dw, u64 dst, u32 n)
{
	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_WRITE,
				 VKFD_SDMA_SUBOP_WRITE_LINEAR);
	dw[1] = lower_32_bits(dst);
	dw[2] = upper_32_bits(dst);
	dw[3] = n - 1;
	return VKFD_SDMA_WRITE_LINEAR_DW;
}

static unsigned int pkt_fill(u32 *dw, u64 dst, u32 val, u32 bytes)
{
	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_CONST_FILL, 0);
	dw[1] = lower_32_bits(dst);
	dw[2] = upper_32_bits(dst);
	dw[3] = val;
	dw[4] = bytes - 1;
	return VKFD_SDMA_CONST_FILL_DW;
}

static unsigned int pkt_fence(u32 *dw, u64 dst, u32 val)
{
	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_FENCE, 0);
	dw[1] = lower_32_bits(dst);
	dw[2] = upper_32_bits(dst);
	dw[3] = val;
	return VKFD_SDMA_FENCE_DW;
}

static unsigned int pkt_trap(u32 *dw, u32 int_ctx)
{
	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_TRAP, 0);
	dw[1] = int_ctx;
	return VKFD_SDMA_TRAP_DW;
}

static unsigned int pkt_timestamp(u32 *dw, u64 dst)
{
	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_TIMESTAMP,
				 VKFD_SDMA_SUBOP_TIMESTAMP_GET_GLOBAL);
	dw[1] = lower_32_bits(dst);
	dw[2] = upper_32_bits(dst);
	return VKFD_SDMA_TIMESTAMP_DW;
}

static unsigned int pkt_poll(u32 *dw, u64 addr, u32 func, u32 ref,
			     u32 mask, u32 interval, u32 retries)
{
	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_POLL_REGMEM, 0) |
		VKFD_SDMA_POLL_MEM | VKFD_SDMA_POLL_FUNC(func);
	dw[1] = lower_32_bits(addr);
	dw[2] = upper_32_bits(addr);
	dw[3] = ref;
	dw[4] = mask;
	dw[5] = VKFD_SDMA_POLL_DW5(interval, retries);
	return VKFD_SDMA_POLL_REGMEM_DW;
}

#define EMIT(t, pkt, ...) do {						\
	u32 __dw[8];							\
	emit(t, __dw, pkt(__dw, ##__VA_ARGS__));			\
} while (0)

static void fill_pattern(u8 *buf, size_t len, u8 seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (u8)(seed + i * 13);
}

/* NOPs, with their skipped dwords, then a fence. */
static void vkfd_sdma_test_nop(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	static const u32 junk[3] = { 0xffffffff, 0xdead, 0 };
	struct vkfd_sdma_run r;

	EMIT(t, pkt_nop, 0);
	EMIT(t, pkt_nop, 3);
	emit(t, junk, 3);
	EMIT(t, pkt_fence, DATA_VA, 0xf00d);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, t->q.rptr, t->wptr);
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
	EMIT(t, pkt_copy, DATA_VA + 2 * PG + 3, DATA_VA + 5, PG + 1001);
	EMIT(t, pkt_copy, DATA_VA + 1, DATA_VA + 4 * PG - 1, 1);
	memmove(shadow + 2 * PG + 3, shadow + 5, PG + 1001);
	shadow[1] = shadow[4 * PG - 1];

	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, t->q.rptr, t->wptr);
	KUNIT_EXPECT_EQ(test, r.moved, PG + 1002);
	for (p = 0; p < DATA_PAGES; p++)
		KUNIT_EXPECT_EQ_MSG(test, memcmp(page_of(t, P_DATA + p),
						 shadow + p * PG, PG), 0,
				    "page %u", p);
}

static void vkfd_sdma_test_write_fill(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	static const u32 payload[5] = { 1, 0x80000000, 3, 0xffffffff, 5 };
	struct vkfd_sdma_run r;

	EMIT(t, pkt_write_hdr, DATA_VA + 8, ARRAY_SIZE(payload));
	emit(t, payload, ARRAY_SIZE(payload));
	EMIT(t, pkt_fill, DATA_VA + PG - 8, 0xa5a5c3c3, 24);
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

	EMIT(t, pkt_timestamp, DATA_VA + 12);	/* any alignment */
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

	EMIT(t, pkt_trap, 0x1234567);
	EMIT(t, pkt_trap, 0xffffffff);	/* bits 28..31 are not the context */
	EMIT(t, pkt_fence, DATA_VA, 7);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_TRAP);
	KUNIT_EXPECT_EQ(test, r.int_context, 0x1234567U);
	KUNIT_EXPECT_EQ(test, t->q.rptr, 8ULL);
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
	EMIT(t, pkt_poll, DATA_VA, VKFD_SDMA_POLL_FUNC_EQUAL, 6, 0xff, 50000,
	     VKFD_SDMA_POLL_RETRY_FOREVER);
	at = t->wptr;
	EMIT(t, pkt_fence, DATA_VA + 4, 1);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_POLL);
	KUNIT_EXPECT_EQ(test, t->q.rptr, 0ULL);
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
	KUNIT_EXPECT_EQ(test, t->q.rptr, t->wptr);
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
		EMIT(t, pkt_poll, DATA_VA, c[i].func, c[i].ref, ~0U, 0,
		     VKFD_SDMA_POLL_RETRY_FOREVER);
		KUNIT_EXPECT_EQ_MSG(test, run(t, &r),
				    c[i].pass ? VKFD_SDMA_IDLE : VKFD_SDMA_POLL,
				    "case %u", i);
	}

	/* 1 + 2 retries, then on with the next packet */
	reset_at(t, 0);
	*data(t, 0) = 0;
	EMIT(t, pkt_poll, DATA_VA, VKFD_SDMA_POLL_FUNC_EQUAL, 1, ~0U, 0, 2);
	EMIT(t, pkt_fence, DATA_VA + 4, 9);
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
	EMIT(t, pkt_copy, DATA_VA + 2 * PG, DATA_VA + PG, 4);	/* 2 + 5 */
	EMIT(t, pkt_write_hdr, DATA_VA + 100, NPAYLOAD);
	emit(t, payload, NPAYLOAD);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, t->q.rptr, t->wptr);
	KUNIT_EXPECT_EQ(test, *data(t, 2 * PG), 0xc0ffeeU);
	KUNIT_EXPECT_EQ(test, memcmp(data(t, 100), payload, NPAYLOAD * 4),
			0);

	/* WRITE_LINEAR's data itself wrapping */
	reset_at(t, 7 * RING_SIZE - 16 - 40);
	memset(data(t, 100), 0, NPAYLOAD * 4);
	EMIT(t, pkt_write_hdr, DATA_VA + 100, 64);
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

	EMIT(t, pkt_fence, DATA_VA, 1);
	EMIT(t, pkt_copy, DATA_VA + 8, DATA_VA, 4);
	full = t->wptr;
	t->wptr -= 8;
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_STALL);
	KUNIT_EXPECT_EQ(test, t->q.rptr, 16ULL);
	KUNIT_EXPECT_EQ(test, *data(t, 0), 1U);
	KUNIT_EXPECT_FALSE(test, vkfd_sdma_queue_ready(&t->q, t->wptr, 0));
	KUNIT_EXPECT_TRUE(test, vkfd_sdma_queue_ready(&t->q, full, 0));
	t->wptr = full;
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, *data(t, 8), 1U);

	/* WRITE_LINEAR whose data is not all there */
	EMIT(t, pkt_write_hdr, DATA_VA + 16, 4);
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
		{ VKFD_SDMA_HEADER(VKFD_SDMA_OP_COPY, 0) | BIT(27) },
		{ VKFD_SDMA_HEADER(VKFD_SDMA_OP_WRITE, 1) },
		{ VKFD_SDMA_HEADER(VKFD_SDMA_OP_TIMESTAMP, 0) },
		{ VKFD_SDMA_HEADER(VKFD_SDMA_OP_TIMESTAMP, 1) },
		/* register poll, and the reserved function */
		{ VKFD_SDMA_HEADER(VKFD_SDMA_OP_POLL_REGMEM, 0) },
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
		KUNIT_EXPECT_EQ(test, t->q.rptr, 64ULL);
		KUNIT_EXPECT_EQ(test, r.moved, 0ULL);
	}
	KUNIT_EXPECT_EQ(test, *data(t, 0), 0U);

	/* The longest NOP and WRITE_LINEAR that fit are fine */
	reset_at(t, 0);
	EMIT(t, pkt_nop, 2047);
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
		KUNIT_EXPECT_EQ(test, t->q.rptr, 1024ULL);
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

	EMIT(t, pkt_fence, DATA_VA, 1);
	at = t->wptr;
	EMIT(t, pkt_copy, DATA_VA, HOLE_VA + 8, 4);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, t->q.rptr, at);
	KUNIT_EXPECT_EQ(test, *data(t, 0), 1U);
	KUNIT_EXPECT_EQ(test, r.fault.va, HOLE_VA + 8);
	KUNIT_EXPECT_TRUE(test, r.fault.not_present);
	KUNIT_EXPECT_FALSE(test, r.fault.write);

	reset_at(t, 0);
	EMIT(t, pkt_fill, RO_VA - 8, 0x77, 16);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, r.fault.va, RO_VA);
	KUNIT_EXPECT_TRUE(test, r.fault.write);
	KUNIT_EXPECT_FALSE(test, r.fault.not_present);
	KUNIT_EXPECT_EQ(test, r.moved, 8ULL);	/* as hardware: partly done */

	reset_at(t, 0);
	EMIT(t, pkt_timestamp, RO_VA);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_TRUE(test, r.fault.write);

	reset_at(t, 0);
	EMIT(t, pkt_poll, HOLE_VA + 4, 3, 0, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, r.fault.va, HOLE_VA + 4);

	/* The read pointer's address, read-only */
	mutex_lock(&t->ctx.mem_lock);
	t->q.rptr = 0x1122334455667788ULL;
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
	EMIT(t, pkt_copy, BIG_DST_VA, BIG_SRC_VA, BIG);
	EMIT(t, pkt_fence, DATA_VA, 1);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_BUDGET);
	KUNIT_EXPECT_EQ(test, t->q.rptr, 0ULL);
	KUNIT_EXPECT_EQ(test, t->q.sdma.pkt_done, (u64)VKFD_SDMA_SLICE);
	KUNIT_EXPECT_EQ(test, r.moved, (u64)VKFD_SDMA_SLICE);
	KUNIT_EXPECT_EQ(test, *data(t, 0), 0U);
	/* The copy is done; the fence waits for the next slice */
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_BUDGET);
	KUNIT_EXPECT_EQ(test, r.moved, BIG - VKFD_SDMA_SLICE);
	KUNIT_EXPECT_EQ(test, t->q.rptr, 28ULL);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, r.moved, 4ULL);
	KUNIT_EXPECT_EQ(test, *data(t, 0), 1U);
	KUNIT_EXPECT_EQ(test, memcmp(src, dst, PG), 0);

	/* anchors §6 row 14: unmapped between two pieces */
	reset_at(t, 0);
	memset(dst, 0, PG);
	EMIT(t, pkt_copy, BIG_DST_VA, BIG_SRC_VA, BIG);
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
		EMIT(t, pkt_nop, 0);
	KUNIT_EXPECT_EQ(test, run_budget(t, &r, 10 * VKFD_SDMA_PKT_COST),
			VKFD_SDMA_BUDGET);
	KUNIT_EXPECT_EQ(test, t->q.rptr, 40ULL);
	KUNIT_EXPECT_EQ(test, run(t, &r), VKFD_SDMA_IDLE);
}

static u64 rptr_mem(struct sdma_test *t)
{
	return READ_ONCE(*(u64 *)page_of(t, P_RPTR));
}

/* What the tests wait for the engine to do */
static bool caught_up(struct sdma_test *t)
{
	return rptr_mem(t) == t->wptr;
}

static bool halted(struct sdma_test *t)
{
	return READ_ONCE(t->q.halted);
}

static bool has_moved(struct sdma_test *t)
{
	return atomic64_read(&t->vm.sdma_activity) > 0;
}

/* Check @cond every millisecond or so, for at most 10 s. */
static bool wait_for(struct sdma_test *t, bool (*cond)(struct sdma_test *t))
{
	unsigned int n;

	for (n = 0; n < 10000 && !cond(t); n++)
		usleep_range(1000, 2000);
	return cond(t);
}

/* The engine threads: serve, wake on the doorbell, stop a hung queue. */
static void vkfd_sdma_test_engine(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	struct vkfd_queue compute = { .type = KFD_IOC_QUEUE_TYPE_COMPUTE,
				      .gpu = &t->gpu };

	KUNIT_ASSERT_EQ(test, vkfd_sdma_init(&t->gpu), 0);
	vkfd_sdma_queue_start(&compute);
	KUNIT_EXPECT_NULL(test, compute.engine);

	vkfd_sdma_queue_start(&t->q);
	KUNIT_EXPECT_NOT_NULL(test, t->q.engine);
	EMIT(t, pkt_fill, DATA_VA, 0x12345678, 2 * PG);
	EMIT(t, pkt_fence, DATA_VA + 2 * PG, 1);
	WRITE_ONCE(t->doorbell, t->wptr);
	KUNIT_EXPECT_TRUE(test, wait_for(t, caught_up));
	KUNIT_EXPECT_EQ(test, *data(t, 2 * PG), 1U);
	KUNIT_EXPECT_EQ(test, *data(t, PG + 4), 0x12345678U);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->vm.sdma_activity),
			2 * PG + 4);

	/* After idling long enough to sleep, a doorbell still wakes it */
	msleep(20);
	EMIT(t, pkt_fence, DATA_VA + 2 * PG, 2);
	WRITE_ONCE(t->doorbell, t->wptr);
	KUNIT_EXPECT_TRUE(test, wait_for(t, caught_up));
	KUNIT_EXPECT_EQ(test, *data(t, 2 * PG), 2U);

	/* A poll that never succeeds: stop returns, start goes on */
	EMIT(t, pkt_poll, DATA_VA + 3 * PG, VKFD_SDMA_POLL_FUNC_EQUAL, 1, ~0U, 0,
	     VKFD_SDMA_POLL_RETRY_FOREVER);
	EMIT(t, pkt_fence, DATA_VA + 2 * PG, 3);
	WRITE_ONCE(t->doorbell, t->wptr);
	msleep(20);
	vkfd_sdma_queue_stop(&t->q);
	KUNIT_EXPECT_NULL(test, t->q.engine);
	KUNIT_EXPECT_EQ(test, *data(t, 2 * PG), 2U);
	*data(t, 3 * PG) = 1;
	vkfd_sdma_queue_start(&t->q);
	KUNIT_EXPECT_TRUE(test, wait_for(t, caught_up));
	KUNIT_EXPECT_EQ(test, *data(t, 2 * PG), 3U);

	/* An invalid packet halts the queue; the read pointer says where */
	EMIT(t, pkt_nop, 0);
	emit(t, (u32 []){ 0xff }, 1);
	WRITE_ONCE(t->doorbell, t->wptr);
	KUNIT_EXPECT_TRUE(test, wait_for(t, halted));
	KUNIT_EXPECT_EQ(test, rptr_mem(t), t->wptr - 4);

	vkfd_sdma_queue_stop(&t->q);
	vkfd_sdma_queue_stop(&t->q);	/* stopped: a no-op */
	vkfd_sdma_fini(&t->gpu);
}

/* A queue busy with big copies forever is stopped within a slice. */
static void vkfd_sdma_test_engine_busy(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	u64 rptr, moved;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, vkfd_sdma_init(&t->gpu), 0);
	vkfd_sdma_queue_start(&t->q);
	for (i = 0; i < 64; i++)
		EMIT(t, pkt_copy, BIG_DST_VA, BIG_SRC_VA, BIG);
	WRITE_ONCE(t->doorbell, t->wptr);
	KUNIT_EXPECT_TRUE(test, wait_for(t, has_moved));
	vkfd_sdma_queue_stop(&t->q);
	KUNIT_EXPECT_NULL(test, t->q.engine);

	/* Stopped means stopped */
	rptr = t->q.rptr;
	moved = atomic64_read(&t->vm.sdma_activity);
	msleep(20);
	KUNIT_EXPECT_EQ(test, t->q.rptr, rptr);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->vm.sdma_activity), moved);
	vkfd_sdma_fini(&t->gpu);
}

static struct kunit_case vkfd_sdma_test_cases[] = {
	KUNIT_CASE(vkfd_sdma_test_nop),
	KUNIT_CASE(vkfd_sdma_test_copy),
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
	KUNIT_CASE(vkfd_sdma_test_engine),
	KUNIT_CASE(vkfd_sdma_test_engine_busy),
	{}
};

static struct kunit_suite vkfd_sdma_test_suite = {
	.name = "vkfd-sdma",
	.init = sdma_test_init,
	.exit = sdma_test_exit,
	.test_cases = vkfd_sdma_test_cases,
};

kunit_test_suite(vkfd_sdma_test_suite);
