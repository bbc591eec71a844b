// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Hostile rings: endless NOPs, a poll that never succeeds, a ring that
 * overwrites itself as it runs, the largest counts, a write pointer far
 * beyond the ring. None of them may hold up DESTROY_QUEUE or close(), or
 * keep the engines from another context's queue; none may make the
 * kernel complain (the guest's splat scan).
 *
 * vkfd only: the amdkfd lane has no GPU.
 */
#include <pthread.h>
#include <sched.h>

#include "kselftest_harness.h"
#include "sdma_utils.h"

/* What each hostile ring does to its queue, until the test ends it */
enum hostile { NOP_STORM, POLL_FOREVER, SELF_OVERWRITE, HUGE_COUNTS,
	       FAR_WPTR };

FIXTURE_VARIANT(sdma) {
	enum hostile kind;
};

FIXTURE_VARIANT_ADD(sdma, nop_storm) { .kind = NOP_STORM };
FIXTURE_VARIANT_ADD(sdma, poll_forever) { .kind = POLL_FOREVER };
FIXTURE_VARIANT_ADD(sdma, self_overwrite) { .kind = SELF_OVERWRITE };
FIXTURE_VARIANT_ADD(sdma, huge_counts) { .kind = HUGE_COUNTS };
FIXTURE_VARIANT_ADD(sdma, far_wptr) { .kind = FAR_WPTR };

struct storm {
	struct vkfd_queue *q;
	volatile bool stop;
};

/* Keep the ring full of the longest NOPs, ringing the doorbell. */
static void *nop_storm(void *arg)
{
	struct storm *s = arg;
	uint32_t dw[S_RING / 8];

	s_nop_count(dw, S_RING / 8 - 1, 0);
	while (!s->stop)
		if (vkfd_queue_submit(s->q, dw, S_RING / 8))
			sched_yield();
	return NULL;
}

/* Give @q its hostile ring. */
static void hostile_ring(struct __test_metadata *_metadata,
			 FIXTURE_DATA(sdma) *self, enum hostile kind,
			 struct vkfd_queue *q, const struct s_buf *b)
{
	uint32_t dw[S_RING / 4], n = 0, i;

	switch (kind) {
	case NOP_STORM:
		break;
	case POLL_FOREVER:
		n = vkfd_sdma_pkt_poll(dw, b->bo.va, VKFD_SDMA_POLL_FUNC_EQUAL,
				       1, ~0U, 1, VKFD_SDMA_POLL_RETRY_FOREVER);
		S_SUBMIT(q, dw, n);
		break;
	case SELF_OVERWRITE:
		/*
		 * Copies that copy the ring over itself, shifted: what runs
		 * next is what a copy just wrote, forever or until garbage.
		 */
		for (i = 0; i + VKFD_SDMA_COPY_LINEAR_DW <= S_RING / 4 - 8;)
			i += vkfd_sdma_copy_linear(dw + i, q->bo.va + 28,
						   q->bo.va, S_RING - 64);
		S_SUBMIT(q, dw, i);
		break;
	case HUGE_COUNTS:
		/* The largest counts every packet allows, over its VM */
		n += s_nop_count(dw + n, 0x3fff & (S_RING / 4 - 64), 0);
		n += vkfd_sdma_copy_linear(dw + n, b->bo.va, b->bo.va + 1,
					   VKFD_SDMA_COPY_MAX);
		n += vkfd_sdma_const_fill(dw + n, b->bo.va, 0, 0x400000);
		n += vkfd_sdma_copy_linear(dw + n, S_HOLE_VA, b->bo.va,
					   VKFD_SDMA_COPY_MAX);
		S_SUBMIT(q, dw, n);
		break;
	case FAR_WPTR:
		vkfd_sdma_fence(q->ring, b->bo.va, 1);
		__atomic_store_n(q->doorbell, 1ULL << 62, __ATOMIC_RELEASE);
		break;
	}
}

/*
 * A hostile ring in a secondary: DESTROY_QUEUE returns, close returns,
 * and meanwhile the primary's queue is served.
 */
TEST_F(sdma, hostile_ring)
{
	struct vkfd_queue q, hq, pq;
	struct storm storm = { 0 };
	struct vkfd_context s;
	struct s_buf b, sb;
	pthread_t thread;
	uint32_t dw[8], i;
	int render;

	S_NEED_GPU();
	ASSERT_EQ(0, vkfd_secondary_vm(&self->b.env, self->b.gpu[0], &s,
				       &render));
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], S_BUF_VA,
		  S_PAGE, S_GTT_RW, &b);
	s_buf_new(_metadata, &s, render, self->b.gpu[0], S_BUF_VA,
		  VKFD_SDMA_COPY_MAX + S_PAGE, S_GTT_RW, &sb);
	s_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0, S_RING,
		    &pq);
	for (i = 0; i < 2; i++) {
		/* two: one destroyed, one left to close() */
		s_queue_new(_metadata, &s, render, self->b.gpu[0], 1 + i, S_RING,
			    i ? &hq : &q);
		hostile_ring(_metadata, self, variant->kind, i ? &hq : &q, &sb);
	}
	if (variant->kind == NOP_STORM) {
		storm.q = &hq;
		ASSERT_EQ(0, pthread_create(&thread, NULL, nop_storm, &storm));
	}
	/* The primary's queue gets through, again and again */
	for (i = 1; i <= 20; i++) {
		S_SUBMIT(&pq, dw, vkfd_sdma_fence(dw, S_BUF_VA, i));
		S_IDLE(&pq);
		EXPECT_EQ(i, *s_u32(&b, 0));
	}
	EXPECT_EQ(0, vkfd_queue_destroy(&s, &q));
	if (variant->kind == NOP_STORM) {
		storm.stop = true;
		pthread_join(thread, NULL);
	}
	EXPECT_EQ(0, vkfd_close(&s));
	close(render);
	/* The doorbell mapping holds the fd's file: unmapping ends it */
	munmap(hq.ring, hq.bo.size);
	munmap(hq.doorbell_page, VKFD_DOORBELL_PAGE_SIZE);
	EXPECT_EQ(1, vkfd_ctx_rows(self->b.pid));
	S_SUBMIT(&pq, dw, vkfd_sdma_fence(dw, S_BUF_VA, 0x42));
	S_IDLE(&pq);
	EXPECT_EQ(0x42U, *s_u32(&b, 0));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &pq));
}

TEST_HARNESS_MAIN
