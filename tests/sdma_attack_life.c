// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Isolation across lifetimes (docs/adversarial.rst):
 *
 *   row 1   A context faults in a loop and goes away (its process exits,
 *           or its fd is closed) with its faults still in flight; a
 *           context created at once sees no fault and no event of A's,
 *           whatever PASID it gets.
 *   row 14  A buffer unmapped (or freed) while an SDMA copy over it is
 *           queued: the copy faults at its address and moves no byte; a
 *           buffer freed while a 32 MiB copy reads it: the copy either
 *           finishes first or faults, and only the buffer's own bytes
 *           arrive, never another's (KASAN watches the pages).
 *   rows 15/16  New memory reads zero, from the CPU and from the engine;
 *           after create, write a secret, destroy, create again, no page
 *           of memory or of the events page holds a byte of the secret.
 *
 * Row 13 (KASAN on every job path) is these tests and sdma_attack in the
 * debug lane. vkfd only: amdkfd without a GPU has no queue.
 */
#include "kselftest_harness.h"
#include "vkfd_utils.h"
#include "attack_utils.h"

#define LIFE_BIG_OFF	0x60000000ULL	/* an actor's extra buffers */
#define LIFE_BIG2_OFF	0x68000000ULL
#define LIFE_FAULT_QS	8		/* queues A leaves faulting */
#define LIFE_ZERO_SIZE	(4ULL << 20)
#define LIFE_SLOTS	4096		/* u64 slots of the events page */
#define LIFE_EVENTS_PAGE (LIFE_SLOTS * 8ULL)
#define LIFE_SLOT_SECRET 0x5ec7e70000000000ULL

/* The base fixture (its child is the other process) and two actors */
FIXTURE(life) {
	struct vkfd_base base;
	struct atk_actor a, b;
};

/* The base fixture; the tests need a GPU and vkfd's engines */
static void life_base_setup(struct __test_metadata *_metadata,
		       struct vkfd_base *base)
{
	vkfd_base_setup(base, 0);
	VKFD_SETUP_NEED_GPU(base, "no GPU, no SDMA queue to run");
}

FIXTURE_SETUP(life)
{
	atk_actor_zero(&self->a);
	atk_actor_zero(&self->b);
	life_base_setup(_metadata, &self->base);
}

FIXTURE_TEARDOWN(life)
{
	vkfd_child_kill(&self->base.child);
	atk_actor_fini(&self->a);
	atk_actor_fini(&self->b);
	vkfd_base_teardown(&self->base);
}

#define ACTOR_INIT(act, name, idx, secondary) do {			\
	int __ret = atk_actor_init((act), &self->base, (name), (idx),	\
				   (secondary));			\
	ASSERT_EQ(0, __ret) TH_LOG("%s: %s: %s", (name), (act)->where,	\
				   strerror(-__ret));			\
} while (0)

/* ------------------------------------------------------------------------
 * Row 1: faults in flight when the context goes
 */

/*
 * Leave LIFE_FAULT_QS queues of @a busy and faulting: each copies 4 MiB
 * of its own, then reads an address nobody maps. Nothing is waited for;
 * the queues stay (the caller lets the context go with them).
 */
static int life_fault_storm(struct atk_actor *a, struct vkfd_queue *qs)
{
	uint64_t big = atk_base(a->idx) + LIFE_BIG_OFF;
	uint64_t nowhere = atk_base(ATK_ACTORS + 8) + ATK_SECRET_OFF;
	struct vkfd_bo bo;
	uint32_t dw[32], n;
	int i, ret;

	ret = vkfd_alloc(&a->k, a->gpu_id, big, 8ULL << 20,
			 KFD_IOC_ALLOC_MEM_FLAGS_GTT |
			 KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE, &bo);
	if (ret)
		return ATK_FAIL(a, "alloc 8 MiB", ret);
	ret = vkfd_map(&a->k, &bo, &a->gpu_id, 1);
	if (ret)
		return ATK_FAIL(a, "map 8 MiB", ret);
	for (i = 0; i < LIFE_FAULT_QS; i++) {
		ret = vkfd_queue_create(&a->k, a->render, a->gpu_id,
					atk_base(a->idx) + ATK_ARING_OFF +
					i * 0x10000, ATK_RING, &qs[i]);
		if (ret)
			return ATK_FAIL(a, "create a queue", ret);
		n = vkfd_sdma_copy_linear(dw, big + (4ULL << 20), big,
					  VKFD_SDMA_COPY_MAX);
		n += vkfd_sdma_copy_linear(dw + n, a->dst.va, nowhere + i * 64,
					   64);
		n += vkfd_sdma_fence(dw + n, a->fence.va + 4 * (i + 2), 1);
		ret = vkfd_queue_submit(&qs[i], dw, n);
		if (ret)
			return ATK_FAIL(a, "submit", ret);
	}
	return 0;
}

/* The other process: A, a primary; storms, then exits at once. */
static int life_storm_child(void *arg, int in, int out)
{
	const struct vkfd_base *base = arg;
	struct vkfd_queue qs[LIFE_FAULT_QS];
	struct atk_actor a;
	uint64_t pasid = 0;
	int ret;

	ret = atk_actor_init(&a, base, "A", 1, false);
	if (!ret) {
		pasid = vkfd_ctx_pasid(a.k.fd, 0);
		if (pasid == UINT32_MAX)
			pasid = 0;
		ret = life_fault_storm(&a, qs);
	}
	vkfd_msg_send(out, ret ? 0 : pasid);
	/* exit with everything in flight: the kernel cleans up */
	_exit(ret ? 1 : 0);
}

/*
 * B, created as soon as A is gone: its own copy works, and it sees no
 * fault, no event and no count of A's, for a while.
 */
static void life_check_b(struct __test_metadata *_metadata,
			 FIXTURE_DATA(life) *self, uint32_t pasid_a,
			 int *reused)
{
	struct vkfd_memory_fault f;
	uint32_t result = 0, pasid_b;
	struct atk_check c;
	int ret;

	ACTOR_INIT(&self->b, "B", 2, true);
	pasid_b = vkfd_ctx_pasid(self->b.k.fd, 0);
	ASSERT_NE(UINT32_MAX, pasid_b);
	*reused += pasid_b == pasid_a;
	ret = atk_victim_check(&self->b, &c);
	ASSERT_EQ(0, ret) TH_LOG("B: %s: %s", self->b.where, strerror(-ret));
	EXPECT_TRUE(c.copy_ok);
	EXPECT_FALSE(c.foreign_event) TH_LOG("B (PASID %u, A's %u) got an event",
					     pasid_b, pasid_a);
	EXPECT_TRUE(c.counter_ok);
	/*
	 * Late arrivals: give A's faults time to (wrongly) come in; half a
	 * second where B has A's PASID, the case a fault routed by PASID
	 * would hit, and 50 ms otherwise. (vkfd does not hand out a freed
	 * PASID at once, so most rounds are of the second kind: half a
	 * second each made these two tests ten idle seconds of a lane.)
	 */
	ASSERT_EQ(0, vkfd_event_wait_fault(&self->b.k, self->b.fault_ev.id,
					   pasid_b == pasid_a ? 500 : 50,
					   &result, &f));
	EXPECT_EQ((uint32_t)KFD_IOC_WAIT_RESULT_TIMEOUT, result)
		TH_LOG("B got A's fault at 0x%llx", (unsigned long long)f.va);
	ret = atk_victim_check(&self->b, &c);
	ASSERT_EQ(0, ret);
	EXPECT_FALSE(c.foreign_event);
	EXPECT_TRUE(c.counter_ok);
	atk_actor_fini(&self->b);
}

/* A is another process's primary: it exits with its faults in flight. */
TEST_F(life, pasid_reuse_after_exit)
{
	int rounds = vkfd_scaled(10), reused = 0, i;
	uint64_t pasid_a;

	for (i = 0; i < rounds; i++) {
		ASSERT_EQ(0, vkfd_child_start(&self->base.child, life_storm_child,
					      &self->base));
		ASSERT_EQ(0, vkfd_msg_recv(self->base.child.from_child, &pasid_a));
		ASSERT_NE(0ULL, pasid_a) TH_LOG("A could not set up its storm");
		ASSERT_EQ(0, vkfd_child_wait(&self->base.child));
		life_check_b(_metadata, self, (uint32_t)pasid_a, &reused);
	}
	printf("# PASID reuse, exit: %d rounds, B got A's PASID %d time(s), "
	       "foreign faults or events 0\n", rounds, reused);
	fflush(stdout);
}

/* A is a secondary of this process: its fd is closed mid-storm. */
TEST_F(life, pasid_reuse_after_close)
{
	int rounds = vkfd_scaled(10), reused = 0, i, j, ret;
	struct vkfd_queue qs[LIFE_FAULT_QS];
	uint32_t pasid_a;

	for (i = 0; i < rounds; i++) {
		ACTOR_INIT(&self->a, "A", 1, true);
		pasid_a = vkfd_ctx_pasid(self->a.k.fd, 0);
		ASSERT_NE(UINT32_MAX, pasid_a);
		ret = life_fault_storm(&self->a, qs);
		ASSERT_EQ(0, ret) TH_LOG("A: %s: %s", self->a.where,
					 strerror(-ret));
		/* Close the context with everything in flight ... */
		ASSERT_EQ(0, vkfd_close(&self->a.k));
		/* ... and drop what this process still maps of it. */
		for (j = 0; j < LIFE_FAULT_QS; j++) {
			munmap(qs[j].ring, qs[j].bo.size);
			munmap(qs[j].doorbell_page, VKFD_DOORBELL_PAGE_SIZE);
		}
		atk_actor_drop(&self->a);
		life_check_b(_metadata, self, pasid_a, &reused);
	}
	printf("# PASID reuse, close: %d rounds, B got A's PASID %d time(s), "
	       "foreign faults or events 0\n", rounds, reused);
	fflush(stdout);
}

/* ------------------------------------------------------------------------
 * Row 14: unmap while a copy is queued or in flight
 */

FIXTURE(unmap) {
	struct vkfd_base base;
	struct atk_actor a;
};

FIXTURE_VARIANT(unmap) {
	bool free_it;	/* FREE_MEMORY_OF_GPU instead of UNMAP */
};

FIXTURE_VARIANT_ADD(unmap, unmap) { .free_it = false };
FIXTURE_VARIANT_ADD(unmap, free) { .free_it = true };

FIXTURE_SETUP(unmap)
{
	atk_actor_zero(&self->a);
	life_base_setup(_metadata, &self->base);
}

FIXTURE_TEARDOWN(unmap)
{
	atk_actor_fini(&self->a);
	vkfd_base_teardown(&self->base);
}

/*
 * The copy waits behind a POLL_REGMEM on a gate in the fence page; the
 * source goes; the gate opens. The copy must fault at the source and
 * move nothing.
 */
TEST_F(unmap, while_queued)
{
	struct atk_actor *a = &self->a;
	struct vkfd_memory_fault f;
	uint32_t dw[32], n, result = 0;
	uint64_t before, after, i;
	struct vkfd_bo x;
	uint8_t *xcpu;
	int64_t seq;
	void *p;

	ACTOR_INIT(a, "A", 0, false);
	ASSERT_EQ(0, atk_map_buf(a, atk_base(0) + LIFE_BIG_OFF, ATK_BUF,
				 KFD_IOC_ALLOC_MEM_FLAGS_VRAM, &x, &p));
	xcpu = p;
	atk_fill_secret(xcpu, ATK_BUF, 0x77);
	ASSERT_EQ(0, atk_faults(a, &before));

	n = vkfd_sdma_poll_regmem(dw, a->fence.va + 32, 1, 0xffffffff, 1,
				  VKFD_SDMA_POLL_RETRY_FOREVER);
	n += vkfd_sdma_copy_linear(dw + n, a->dst.va, x.va, ATK_BUF);
	seq = atk_submit(a, &a->q, dw, n, 0, false);
	ASSERT_LT(0, seq);
	/* the engine is parked on the gate: nothing moved yet */
	EXPECT_NE((uint32_t)seq, a->fence_cpu[0]);
	if (variant->free_it) {
		vkfd_bo_munmap(&x, xcpu);
		ASSERT_EQ(0, vkfd_free(&a->k, &x));
	} else {
		ASSERT_EQ(0, vkfd_unmap(&a->k, &x, &a->gpu_id, 1));
	}
	__atomic_store_n(&a->fence_cpu[8], 1, __ATOMIC_RELEASE);

	ASSERT_EQ(0, vkfd_event_wait_fault(&a->k, a->fault_ev.id, ATK_WAIT_MS,
					   &result, &f));
	ASSERT_EQ((uint32_t)KFD_IOC_WAIT_RESULT_COMPLETE, result)
		TH_LOG("the copy from an unmapped buffer did not fault");
	EXPECT_EQ(atk_base(0) + LIFE_BIG_OFF, f.va);
	EXPECT_TRUE(f.not_present);
	EXPECT_NE((uint32_t)seq, a->fence_cpu[0]);
	for (i = 0; i < ATK_BUF; i++)
		if (a->dst_cpu[i] != ATK_DST_FILL)
			break;
	EXPECT_EQ(ATK_BUF, i) TH_LOG("byte %llu of the landing buffer moved",
				     (unsigned long long)i);
	ASSERT_EQ(0, atk_faults(a, &after));
	EXPECT_EQ(before + 1, after);
	if (!variant->free_it) {
		vkfd_bo_munmap(&x, xcpu);
		ASSERT_EQ(0, vkfd_free(&a->k, &x));
	}
}

/*
 * A 32 MiB copy reads a buffer that goes while it runs: it finishes
 * first, or faults inside the buffer; either way the destination holds
 * only the source's own bytes (at their offsets) or its old fill.
 */
TEST_F(unmap, while_copying)
{
	const uint64_t size = 32ULL << 20;
	struct atk_actor *a = &self->a;
	uint64_t xva, yva, off, moved = 0, before, after;
	struct vkfd_bo x, y;
	struct vkfd_memory_fault f;
	uint32_t dw[64], n = 0, result = 0;
	uint8_t *xcpu, *ycpu;
	int64_t seq;
	int waited;
	void *p;
	bool done;

	ACTOR_INIT(a, "A", 0, false);
	xva = atk_base(0) + LIFE_BIG_OFF;
	yva = atk_base(0) + LIFE_BIG2_OFF;
	ASSERT_EQ(0, atk_map_buf(a, xva, size, KFD_IOC_ALLOC_MEM_FLAGS_GTT,
				 &x, &p));
	xcpu = p;
	ASSERT_EQ(0, atk_map_buf(a, yva, size, KFD_IOC_ALLOC_MEM_FLAGS_GTT,
				 &y, &p));
	ycpu = p;
	atk_fill_secret(xcpu, size, 0x99);
	memset(ycpu, ATK_DST_FILL, size);
	ASSERT_EQ(0, atk_faults(a, &before));

	for (off = 0; off < size; off += VKFD_SDMA_COPY_MAX)
		n += vkfd_sdma_copy_linear(dw + n, yva + off, xva + off,
					   VKFD_SDMA_COPY_MAX);
	seq = atk_submit(a, &a->q, dw, n, 0, false);
	ASSERT_LT(0, seq);
	vkfd_bo_munmap(&x, xcpu);
	if (variant->free_it) {
		ASSERT_EQ(0, vkfd_free(&a->k, &x));
	} else {
		ASSERT_EQ(0, vkfd_unmap(&a->k, &x, &a->gpu_id, 1));
	}

	/* Finished (the fence) or faulted (the event): one of the two. */
	for (waited = 0;; waited += 50) {
		ASSERT_GT(ATK_WAIT_MS, waited) TH_LOG("neither fence nor fault");
		done = a->fence_cpu[0] == (uint32_t)seq;
		ASSERT_EQ(0, vkfd_event_wait_fault(&a->k, a->fault_ev.id,
						   done ? 0 : 50, &result, &f));
		if (done || result == KFD_IOC_WAIT_RESULT_COMPLETE)
			break;
	}
	ASSERT_EQ(0, atk_faults(a, &after));
	if (result == KFD_IOC_WAIT_RESULT_COMPLETE) {
		EXPECT_FALSE(done) TH_LOG("faulted, yet the fence came");
		EXPECT_LE(xva, f.va);
		EXPECT_GT(xva + size, f.va);
		EXPECT_EQ(before + 1, after);
	} else {
		EXPECT_EQ(before, after);
	}
	for (off = 0; off < size; off++) {
		if (ycpu[off] == ATK_DST_FILL)
			continue;
		if (ycpu[off] != atk_secret_byte(0x99, off))
			break;
		moved++;
	}
	EXPECT_EQ(size, off) TH_LOG("byte %llu: 0x%02x, neither the source's nor the fill",
				    (unsigned long long)off, ycpu[off]);
	if (done) {
		EXPECT_EQ(size, moved);
	}
	printf("# %s while copying 32 MiB: %s, %llu bytes had arrived\n",
	       variant->free_it ? "free" : "unmap",
	       done ? "the copy finished first" : "the copy faulted",
	       (unsigned long long)moved);
	fflush(stdout);
	vkfd_bo_munmap(&y, ycpu);
	ASSERT_EQ(0, vkfd_free(&a->k, &y));
	if (!variant->free_it) {
		ASSERT_EQ(0, vkfd_free(&a->k, &x));
	}
}

/* ------------------------------------------------------------------------
 * Rows 15/16: new memory is zero; nothing survives destroy -> create
 */

/* Bytes of @p (@len) that are not zero. */
static uint64_t life_nonzero(const uint8_t *p, uint64_t len)
{
	uint64_t i, n = 0;

	for (i = 0; i < len; i++)
		n += p[i] != 0;
	return n;
}

/*
 * A (a secondary) fills VRAM and GTT with a secret, from the CPU and with
 * CONST_FILL, and its events page from the CPU; A is destroyed; B, new,
 * allocates the same and reads it from the CPU and through a copy.
 */
TEST_F(life, no_leftovers_after_destroy)
{
	static const uint32_t domains[2] = { KFD_IOC_ALLOC_MEM_FLAGS_VRAM,
					     KFD_IOC_ALLOC_MEM_FLAGS_GTT };
	int rounds = vkfd_scaled(3), r, d, i;
	uint64_t nz_cpu = 0, nz_gpu = 0, slots_bad = 0;
	volatile uint64_t *slots;
	struct vkfd_event ev;

	for (r = 0; r < rounds; r++) {
		struct atk_actor *a = &self->a, *b = &self->b;
		struct vkfd_bo bo[2], land;
		uint8_t *cpu[2], *lcpu;
		uint32_t dw[16], n;
		void *p;

		ACTOR_INIT(a, "A", 1, true);
		for (d = 0; d < 2; d++) {
			ASSERT_EQ(0, atk_map_buf(a, atk_base(1) + LIFE_BIG_OFF +
						 d * LIFE_ZERO_SIZE,
						 LIFE_ZERO_SIZE, domains[d],
						 &bo[d], &p));
			cpu[d] = p;
			atk_fill_secret(cpu[d], LIFE_ZERO_SIZE, 0x33 + d);
			n = vkfd_sdma_const_fill(dw, bo[d].va, 0xd0bed0be,
						 LIFE_ZERO_SIZE / 2);
			ASSERT_LT(0, atk_submit(a, &a->q, dw, n, 0, true));
			EXPECT_EQ(0xd0bed0beu, *(uint32_t *)cpu[d]);
			vkfd_bo_munmap(&bo[d], cpu[d]);
		}
		ASSERT_EQ(0, vkfd_event_create(&a->k, KFD_IOC_EVENT_SIGNAL,
					       false, 0, &ev));
		ASSERT_EQ(0, vkfd_event_page_mmap(&a->k, ev.page_offset,
						  LIFE_EVENTS_PAGE, &slots));
		for (i = 0; i < LIFE_SLOTS; i++)
			slots[i] = LIFE_SLOT_SECRET | i;
		munmap((void *)slots, LIFE_EVENTS_PAGE);
		/* A goes with its queue, buffers and events: the kernel frees them */
		atk_actor_drop(a);

		/* B, at once */
		ACTOR_INIT(b, "B", 2, true);
		ASSERT_EQ(0, atk_map_buf(b, atk_base(2) + LIFE_BIG2_OFF,
					 LIFE_ZERO_SIZE,
					 KFD_IOC_ALLOC_MEM_FLAGS_GTT, &land, &p));
		lcpu = p;
		for (d = 0; d < 2; d++) {
			ASSERT_EQ(0, atk_map_buf(b, atk_base(2) + LIFE_BIG_OFF +
						 d * LIFE_ZERO_SIZE,
						 LIFE_ZERO_SIZE, domains[d],
						 &bo[d], &p));
			cpu[d] = p;
			memset(lcpu, ATK_DST_FILL, LIFE_ZERO_SIZE);
			/* the engine's view first, before the CPU touches it */
			n = vkfd_sdma_copy_linear(dw, land.va, bo[d].va,
						  LIFE_ZERO_SIZE);
			ASSERT_LT(0, atk_submit(b, &b->q, dw, n, 0, true));
			nz_gpu += life_nonzero(lcpu, LIFE_ZERO_SIZE);
			nz_cpu += life_nonzero(cpu[d], LIFE_ZERO_SIZE);
			vkfd_bo_munmap(&bo[d], cpu[d]);
			ASSERT_EQ(0, vkfd_free(&b->k, &bo[d]));
		}
		vkfd_bo_munmap(&land, lcpu);
		ASSERT_EQ(0, vkfd_free(&b->k, &land));
		ASSERT_EQ(0, vkfd_event_create(&b->k, KFD_IOC_EVENT_SIGNAL,
					       false, 0, &ev));
		ASSERT_EQ(0, vkfd_event_page_mmap(&b->k, ev.page_offset,
						  LIFE_EVENTS_PAGE, &slots));
		for (i = 0; i < LIFE_SLOTS; i++)
			slots_bad += slots[i] != 0 && slots[i] != UINT64_MAX;
		munmap((void *)slots, LIFE_EVENTS_PAGE);
		ASSERT_EQ(0, vkfd_event_destroy(&b->k, ev.id));
		atk_actor_fini(b);
	}
	printf("# destroy -> create, %d rounds of 4 MiB VRAM + 4 MiB GTT + "
	       "the events page: non-zero bytes seen by the CPU %llu, by the "
	       "engine %llu; events slots neither 0 nor unsignaled %llu\n",
	       rounds, (unsigned long long)nz_cpu, (unsigned long long)nz_gpu,
	       (unsigned long long)slots_bad);
	fflush(stdout);
	EXPECT_EQ(0ULL, nz_cpu);
	EXPECT_EQ(0ULL, nz_gpu);
	EXPECT_EQ(0ULL, slots_bad);
}

TEST_HARNESS_MAIN
