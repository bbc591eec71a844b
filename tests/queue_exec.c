// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * What the SDMA engines make of queues, seen from the queue's side:
 * libvkfd's submit and wait, the write pointer wrapping around the ring,
 * a queue UPDATE_QUEUE disabled executing nothing until enabled again,
 * each context's queue writing into its own VM only, DESTROY_QUEUE
 * stopping a queue that waits forever, and the MEMORY events a fault
 * sets. The packets themselves are the engine's tests (sdma*.c). These
 * need the engine: with the placeholder engine nothing executes and they
 * fail.
 *
 * vkfd only: the amdkfd lane has no GPU.
 */
#include "kselftest_harness.h"
#include "queue_utils.h"

#include <linux/vkfd_sdma.h>

#define X_RING_VA	0x7e0000000000ULL
#define X_DST_VA	0x7f0000000000ULL
#define X_DST_SIZE	(16 * Q_PAGE)
#define X_WAIT_MS	10000	/* a bound, not an expectation */

/* POLL_REGMEM: wait until *@addr == @ref, forever. */
#define x_poll_forever(dw, addr, ref)					\
	vkfd_sdma_pkt_poll(dw, addr, VKFD_SDMA_POLL_FUNC_EQUAL, ref,	\
			   0xffffffff, 10, VKFD_SDMA_POLL_RETRY_FOREVER)

/* A GTT buffer at X_DST_VA in @c's VM on GPU 0, CPU-mapped through @render. */
static volatile uint32_t *x_dst(struct __test_metadata *_metadata,
				FIXTURE_DATA(queue) *self,
				const struct vkfd_context *c, int render,
				struct vkfd_bo *bo)
{
	void *p = NULL;

	ASSERT_EQ(0, vkfd_alloc(c, self->b.gpu[0], X_DST_VA, X_DST_SIZE,
				KFD_IOC_ALLOC_MEM_FLAGS_GTT |
				KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE, bo));
	ASSERT_EQ(0, vkfd_map(c, bo, &self->b.gpu[0], 1));
	ASSERT_EQ(0, vkfd_bo_mmap(render, bo, PROT_READ | PROT_WRITE, &p));
	return p;
}

/* One FENCE: submitted, executed, the read pointer written back. */
TEST_F(queue, exec_fence)
{
	volatile uint32_t *dst;
	struct vkfd_queue q;
	struct vkfd_bo bo;
	uint32_t dw[8];

	Q_NEED_GPUS(1);
	dst = x_dst(_metadata, self, &self->b.p, self->b.render, &bo);
	ASSERT_EQ(0, vkfd_queue_create(&self->b.p, self->b.render, self->b.gpu[0],
				       X_RING_VA, Q_RING, &q));
	ASSERT_EQ(0, vkfd_queue_submit(&q, dw, vkfd_sdma_pkt_fence(dw, X_DST_VA, 0xcafe)));
	ASSERT_EQ(0, vkfd_queue_wait_idle(&q, X_WAIT_MS));
	EXPECT_EQ(0xcafeU, dst[0]);
	EXPECT_EQ(16ULL, *q.rptr);
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

/* The smallest ring, wrapped around many times: every packet runs once, in order. */
TEST_F(queue, exec_wraps_around)
{
	volatile uint32_t *dst;
	struct vkfd_queue q;
	struct vkfd_bo bo;
	uint32_t dw[4], i;

	Q_NEED_GPUS(1);
	dst = x_dst(_metadata, self, &self->b.p, self->b.render, &bo);
	ASSERT_EQ(0, vkfd_queue_create(&self->b.p, self->b.render, self->b.gpu[0],
				       X_RING_VA, 1024, &q));
	/* 16-byte packets, 64 per ring: 500 of them go round ~8 times */
	for (i = 0; i < 500; i++) {
		vkfd_sdma_pkt_fence(dw, X_DST_VA + 4 * (i % 64), i);
		if (vkfd_queue_submit(&q, dw, 4) == -ENOSPC) {
			ASSERT_EQ(0, vkfd_queue_wait_idle(&q, X_WAIT_MS));
			ASSERT_EQ(0, vkfd_queue_submit(&q, dw, 4));
		}
	}
	ASSERT_EQ(0, vkfd_queue_wait_idle(&q, X_WAIT_MS));
	EXPECT_EQ(500ULL * 16, *q.rptr);
	/* Slot i holds the last value written there: the largest v < 500, v % 64 == i */
	for (i = 0; i < 64; i++)
		EXPECT_EQ(i + 64 * ((499 - i) / 64), dst[i]) TH_LOG("dword %u", i);
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

/*
 * UPDATE_QUEUE with a 0 percentage disables a queue: what it is given
 * waits, while another queue runs, until it is enabled again.
 */
TEST_F(queue, exec_disabled_queue_waits)
{
	volatile uint32_t *dst;
	struct vkfd_queue q, q2;
	struct vkfd_bo bo;
	uint32_t dw[4];

	Q_NEED_GPUS(1);
	dst = x_dst(_metadata, self, &self->b.p, self->b.render, &bo);
	ASSERT_EQ(0, vkfd_queue_create(&self->b.p, self->b.render, self->b.gpu[0],
				       X_RING_VA, Q_RING, &q));
	ASSERT_EQ(0, vkfd_queue_create(&self->b.p, self->b.render, self->b.gpu[0],
				       X_RING_VA + 0x100000, Q_RING, &q2));
	ASSERT_EQ(0, q_update(self->b.p.fd, q.id, X_RING_VA, Q_RING, 0, Q_PRIO_NORMAL));
	ASSERT_EQ(0, vkfd_queue_submit(&q, dw, vkfd_sdma_pkt_fence(dw, X_DST_VA, 1)));
	/* The other queue, on the same engines, gets through */
	ASSERT_EQ(0, vkfd_queue_submit(&q2, dw, vkfd_sdma_pkt_fence(dw, X_DST_VA + 4, 2)));
	ASSERT_EQ(0, vkfd_queue_wait_idle(&q2, X_WAIT_MS));
	EXPECT_EQ(2U, dst[1]);
	EXPECT_EQ(0U, dst[0]);
	EXPECT_EQ(0ULL, *q.rptr);
	/* A NULL ring disables it too */
	ASSERT_EQ(0, q_update(self->b.p.fd, q.id, 0, Q_RING, 100, Q_PRIO_NORMAL));
	ASSERT_EQ(0, vkfd_queue_submit(&q2, dw, vkfd_sdma_pkt_fence(dw, X_DST_VA + 4, 3)));
	ASSERT_EQ(0, vkfd_queue_wait_idle(&q2, X_WAIT_MS));
	EXPECT_EQ(0U, dst[0]);
	/* Enabled again: it runs what it was given */
	ASSERT_EQ(0, q_update(self->b.p.fd, q.id, X_RING_VA, Q_RING, 100, Q_PRIO_NORMAL));
	ASSERT_EQ(0, vkfd_queue_wait_idle(&q, X_WAIT_MS));
	EXPECT_EQ(1U, dst[0]);
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q2));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

/*
 * Two contexts with a buffer at the same GPU address: each one's queue
 * writes into its own VM only (the fd's context, docs/adversarial.rst row 10).
 */
TEST_F(queue, exec_writes_own_vm)
{
	volatile uint32_t *pd, *sd;
	struct vkfd_context s;
	struct vkfd_queue qp, qs;
	struct vkfd_bo pbo, sbo;
	uint32_t dw[4];
	int render;

	Q_NEED_GPUS(1);
	s.fd = vkfd_keep_secondary(&self->b);
	ASSERT_EQ(0, vkfd_open_vm(&s, self->b.env.topology, self->b.gpu[0], &render));
	vkfd_keep(&self->b, render);
	pd = x_dst(_metadata, self, &self->b.p, self->b.render, &pbo);
	sd = x_dst(_metadata, self, &s, render, &sbo);
	ASSERT_EQ(0, vkfd_queue_create(&self->b.p, self->b.render, self->b.gpu[0],
				       X_RING_VA, Q_RING, &qp));
	/* The same CPU range cannot hold both rings: the secondary's is elsewhere */
	ASSERT_EQ(0, vkfd_queue_create(&s, render, self->b.gpu[0],
				       X_RING_VA + 0x100000, Q_RING, &qs));
	ASSERT_EQ(0, vkfd_queue_submit(&qs, dw, vkfd_sdma_pkt_fence(dw, X_DST_VA, 0x5)));
	ASSERT_EQ(0, vkfd_queue_wait_idle(&qs, X_WAIT_MS));
	EXPECT_EQ(0x5U, sd[0]);
	EXPECT_EQ(0U, pd[0]);
	ASSERT_EQ(0, vkfd_queue_submit(&qp, dw, vkfd_sdma_pkt_fence(dw, X_DST_VA, 0x7)));
	ASSERT_EQ(0, vkfd_queue_wait_idle(&qp, X_WAIT_MS));
	EXPECT_EQ(0x7U, pd[0]);
	EXPECT_EQ(0x5U, sd[0]);
	EXPECT_EQ(0, vkfd_queue_destroy(&s, &qs));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &qp));
}

/*
 * A queue waiting forever on memory nobody writes: DESTROY_QUEUE stops it
 * and returns; closing a context with such a queue does too.
 */
TEST_F(queue, exec_destroy_stops_waiting_queue)
{
	struct vkfd_context s;
	struct vkfd_queue q;
	struct vkfd_bo bo;
	uint32_t dw[8];
	int render;

	Q_NEED_GPUS(1);
	x_dst(_metadata, self, &self->b.p, self->b.render, &bo);
	ASSERT_EQ(0, vkfd_queue_create(&self->b.p, self->b.render, self->b.gpu[0],
				       X_RING_VA, Q_RING, &q));
	ASSERT_EQ(0, vkfd_queue_submit(&q, dw, x_poll_forever(dw, X_DST_VA, 1)));
	EXPECT_EQ(-ETIMEDOUT, vkfd_queue_wait_idle(&q, 50));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
	EXPECT_QUEUES(self->b.p.fd, 0);

	s.fd = vkfd_keep_secondary(&self->b);
	ASSERT_EQ(0, vkfd_open_vm(&s, self->b.env.topology, self->b.gpu[0], &render));
	vkfd_keep(&self->b, render);
	x_dst(_metadata, self, &s, render, &bo);
	ASSERT_EQ(0, vkfd_queue_create(&s, render, self->b.gpu[0],
				       X_RING_VA + 0x100000, Q_RING, &q));
	ASSERT_EQ(0, vkfd_queue_submit(&q, dw, x_poll_forever(dw, X_DST_VA, 1)));
	vkfd_cleanup_close(&self->b.cl, s.fd);
	munmap(q.ring, q.bo.size);
	munmap(q.doorbell_page, VKFD_DOORBELL_PAGE_SIZE);
	EXPECT_EQ(1, vkfd_ctx_rows(self->b.pid));
}

/* A new event of @type of @c; its id. */
static uint32_t x_event(struct __test_metadata *_metadata,
			const struct vkfd_context *c, uint32_t type)
{
	struct vkfd_event ev;

	ASSERT_EQ(0, vkfd_event_create(c, type, false, 0, &ev)) TH_LOG("type %u", type);
	return ev.id;
}

/*
 * A GPU page fault sets every MEMORY event of the queue's context, with
 * the fault's record, and only those: not events of other types, not one
 * whose id was a MEMORY event's before, also when ids were reused across
 * types.
 */
TEST_F(queue, exec_fault_sets_memory_events)
{
	uint32_t hw, mem1, mem2, node, reused, ids[3], result, i;
	struct vkfd_memory_fault f;
	struct vkfd_queue q;
	uint32_t dw[8];

	Q_NEED_GPUS(1);
	hw = x_event(_metadata, &self->b.p, KFD_IOC_EVENT_HW_EXCEPTION);
	mem1 = x_event(_metadata, &self->b.p, KFD_IOC_EVENT_MEMORY);
	node = x_event(_metadata, &self->b.p, KFD_IOC_EVENT_NODECHANGE);
	mem2 = x_event(_metadata, &self->b.p, KFD_IOC_EVENT_MEMORY);
	/* The ids of a MEMORY event and another swap types */
	ASSERT_EQ(0, vkfd_event_destroy(&self->b.p, mem1));
	ASSERT_EQ(0, vkfd_event_destroy(&self->b.p, node));
	reused = x_event(_metadata, &self->b.p, KFD_IOC_EVENT_HW_EXCEPTION);
	ASSERT_EQ(mem1, reused);
	ASSERT_EQ(node, x_event(_metadata, &self->b.p, KFD_IOC_EVENT_MEMORY));
	ids[0] = node;
	ids[1] = mem2;
	ids[2] = x_event(_metadata, &self->b.p, KFD_IOC_EVENT_MEMORY);

	ASSERT_EQ(0, vkfd_queue_create(&self->b.p, self->b.render, self->b.gpu[0],
				       X_RING_VA, Q_RING, &q));
	/* Nothing is mapped at X_DST_VA in this test */
	ASSERT_EQ(0, vkfd_queue_submit(&q, dw, vkfd_sdma_pkt_fence(dw, X_DST_VA + 8, 1)));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, vkfd_event_wait_fault(&self->b.p, ids[i], X_WAIT_MS,
						   &result, &f));
		ASSERT_EQ((uint32_t)KFD_IOC_WAIT_RESULT_COMPLETE, result)
			TH_LOG("MEMORY event %u", ids[i]);
		EXPECT_EQ(X_DST_VA, f.va);
		EXPECT_EQ(self->b.gpu[0], f.gpu_id);
		EXPECT_TRUE(f.not_present);
		EXPECT_FALSE(f.read_only);
	}
	/* The others were not set: a look finds them unsignaled */
	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, &hw, 1, false, 0, &result));
	EXPECT_EQ((uint32_t)KFD_IOC_WAIT_RESULT_TIMEOUT, result);
	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, &reused, 1, false, 0, &result));
	EXPECT_EQ((uint32_t)KFD_IOC_WAIT_RESULT_TIMEOUT, result);
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

TEST_HARNESS_MAIN
