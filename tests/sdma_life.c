// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Lifetimes around busy SDMA queues: DESTROY_QUEUE with work pending,
 * close() and process exit with busy queues (sdma_hostile.c has the
 * hostile rings), and buffers unmapped or freed under a big copy
 * (docs/adversarial.rst row 14): once UNMAP or FREE returns the engine never
 * touches the pages again, and the copy faults rather than read stale
 * data. The guest's splat scan catches any kernel complaint, KASAN's
 * included (debug lane).
 *
 * vkfd only: the amdkfd lane has no GPU.
 */
#include "kselftest_harness.h"
#include "sdma_utils.h"

#define BIG		VKFD_SDMA_COPY_MAX	/* 4 MiB */

/* Fill @q's ring with copies of @size bytes from @src to @dst. */
static uint32_t fill_copies(struct vkfd_queue *q, uint64_t dst, uint64_t src,
			    uint32_t size)
{
	uint32_t dw[VKFD_SDMA_COPY_LINEAR_DW], n = 0;

	vkfd_sdma_copy_linear(dw, dst, src, size);
	while (!vkfd_queue_submit(q, dw, VKFD_SDMA_COPY_LINEAR_DW))
		n++;
	return n;
}

/* DESTROY_QUEUE of a queue with a ring full of big copies returns. */
TEST_F(sdma, destroy_with_work_pending)
{
	struct vkfd_queue q, q2;
	struct s_buf a, b;
	uint32_t dw[8];

	S_NEED_GPU();
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], S_BUF_VA,
		  BIG, S_GTT_RW, &a);
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA + S_BUF_STEP, BIG, S_GTT_RW, &b);
	s_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0, S_RING,
		    &q);
	EXPECT_LT(100U, fill_copies(&q, b.bo.va, a.bo.va, BIG));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
	/* The buffers go too, and the engines serve a new queue */
	EXPECT_EQ(0, vkfd_free(&self->b.p, &a.bo));
	s_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 1, S_RING,
		    &q2);
	S_SUBMIT(&q2, dw, vkfd_sdma_fence(dw, b.bo.va, 9));
	S_IDLE(&q2);
	EXPECT_EQ(9U, *s_u32(&b, 0));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q2));
}

/* Close a secondary whose queues are busy, or wait forever: it returns. */
TEST_F(sdma, close_with_busy_queues)
{
	struct vkfd_queue q[3];
	struct vkfd_context s;
	struct s_buf a, b;
	uint32_t dw[8];
	int render, i;

	S_NEED_GPU();
	ASSERT_EQ(0, vkfd_secondary_vm(&self->b.env, self->b.gpu[0], &s,
				       &render));
	s_buf_new(_metadata, &s, render, self->b.gpu[0], S_BUF_VA, BIG,
		  S_GTT_RW, &a);
	s_buf_new(_metadata, &s, render, self->b.gpu[0], S_BUF_VA + S_BUF_STEP,
		  BIG, S_GTT_RW, &b);
	s_queue_new(_metadata, &s, render, self->b.gpu[0], 0, S_RING, &q[0]);
	s_queue_new(_metadata, &s, render, self->b.gpu[0], 1, S_RING, &q[1]);
	s_queue_new(_metadata, &s, render, self->b.gpu[0], 2, S_RING, &q[2]);
	fill_copies(&q[0], b.bo.va, a.bo.va, BIG);
	fill_copies(&q[1], a.bo.va, b.bo.va, BIG);
	S_SUBMIT(&q[2], dw, vkfd_sdma_poll_regmem(dw, a.bo.va, 0xdead, ~0U,
						  10,
						  VKFD_SDMA_POLL_RETRY_FOREVER));
	EXPECT_EQ(2, vkfd_ctx_rows(self->b.pid));
	EXPECT_EQ(0, vkfd_close(&s));
	close(render);
	/* The doorbell mappings hold the fd's file: the last one ends it */
	for (i = 0; i < 3; i++) {
		munmap(q[i].ring, q[i].bo.size);
		munmap(q[i].doorbell_page, VKFD_DOORBELL_PAGE_SIZE);
	}
	EXPECT_EQ(1, vkfd_ctx_rows(self->b.pid));
}

static int busy_child(void *arg, int in, int out)
{
	FIXTURE_DATA(sdma) *self = arg;
	struct vkfd_context c;
	struct vkfd_queue q[2];
	struct vkfd_bo a, b;
	uint32_t dw[8], gpu = self->b.gpu[0];
	int render, i;

	if (vkfd_open_primary(self->b.env.dev, &c) ||
	    vkfd_open_vm(&c, self->b.env.topology, gpu, &render))
		return 1;
	if (vkfd_alloc(&c, gpu, S_BUF_VA, BIG, S_GTT_RW, &a) ||
	    vkfd_map(&c, &a, &gpu, 1) ||
	    vkfd_alloc(&c, gpu, S_BUF_VA + S_BUF_STEP, BIG, S_GTT_RW, &b) ||
	    vkfd_map(&c, &b, &gpu, 1))
		return 2;
	for (i = 0; i < 2; i++)
		if (vkfd_queue_create(&c, render, gpu,
				      S_RING_VA + i * S_RING_STEP, S_RING,
				      &q[i]))
			return 3;
	fill_copies(&q[0], b.va, a.va, BIG);
	if (vkfd_queue_submit(&q[1], dw,
			      vkfd_sdma_poll_regmem(dw, a.va, 0xdead, ~0U, 10,
						    VKFD_SDMA_POLL_RETRY_FOREVER)))
		return 4;
	vkfd_msg_send(out, 1);
	/* Wait to be killed, or for the parent's word to exit */
	vkfd_msg_recv(in, (uint64_t *)dw);
	return 0;
}

/*
 * A process exits, or is killed, with busy queues: it goes, and with it
 * its context.
 */
TEST_F(sdma, exit_with_busy_queues)
{
	uint64_t v;
	int round;

	S_NEED_GPU();
	for (round = 0; round < 2; round++) {
		ASSERT_EQ(0, vkfd_child_start(&self->b.child, busy_child, self));
		ASSERT_EQ(0, vkfd_msg_recv(self->b.child.from_child, &v));
		EXPECT_EQ(1, vkfd_ctx_rows(self->b.child.pid));
		if (round)
			kill(self->b.child.pid, SIGKILL);
		else
			vkfd_msg_send(self->b.child.to_child, 0);
		v = self->b.child.pid;
		EXPECT_EQ(round ? 128 + SIGKILL : 0,
			  vkfd_child_wait(&self->b.child));
		EXPECT_EQ(0, vkfd_ctx_rows((pid_t)v));
	}
}

/*
 * Unmap or free the destination of big copies while they are queued or
 * running. Once the call returns, the pages (still CPU-mapped here) never
 * change again, and the rest of the copy faults: the queue's memory
 * event reports the destination.
 */
static void unmap_under_copy(struct __test_metadata *_metadata,
			     FIXTURE_DATA(sdma) *self, bool free_it)
{
	struct vkfd_memory_fault f = { 0 };
	uint32_t dw[16], n, ev, result, gpu = self->b.gpu[0];
	struct vkfd_queue q;
	struct s_buf a, b, flag;
	uint8_t *snap;
	uint64_t dst;

	s_buf_new(_metadata, &self->b.p, self->b.render, gpu, S_BUF_VA, BIG,
		  S_GTT_RW, &a);
	s_buf_new(_metadata, &self->b.p, self->b.render, gpu,
		  S_BUF_VA + S_BUF_STEP, BIG, S_GTT_RW, &b);
	s_buf_new(_metadata, &self->b.p, self->b.render, gpu,
		  S_BUF_VA + 2 * S_BUF_STEP, S_PAGE, S_GTT_RW, &flag);
	dst = b.bo.va;
	snap = malloc(BIG);
	ASSERT_NE(NULL, snap);
	memset(a.cpu, 0x3c, BIG);
	ev = s_memory_event(_metadata, &self->b.p);
	s_queue_new(_metadata, &self->b.p, self->b.render, gpu, 0, S_RING, &q);
	/* Held until the flag is set: then as many copies as the ring takes */
	n = vkfd_sdma_poll_regmem(dw, flag.bo.va, 1, ~0U, 1,
				  VKFD_SDMA_POLL_RETRY_FOREVER);
	S_SUBMIT(&q, dw, n);
	fill_copies(&q, dst, a.bo.va, BIG);

	__atomic_store_n(s_u32(&flag, 0), 1, __ATOMIC_RELEASE);
	if (free_it) {
		ASSERT_EQ(0, vkfd_free(&self->b.p, &b.bo));
	} else {
		ASSERT_EQ(0, vkfd_unmap(&self->b.p, &b.bo, &gpu, 1));
	}
	memcpy(snap, b.cpu, BIG);

	ASSERT_EQ(0, vkfd_event_wait_fault(&self->b.p, ev, S_WAIT_MS, &result,
					   &f));
	ASSERT_EQ(S_EV_COMPLETE, result);
	EXPECT_LE(dst, f.va);
	EXPECT_GT(dst + BIG, f.va);
	EXPECT_TRUE(f.not_present);
	EXPECT_EQ(1ULL, S_FAULTS(self->b.p.fd));
	/* Whatever was copied before, nothing after */
	EXPECT_EQ(0, memcmp(snap, b.cpu, BIG));
	/* The engine is still fine, for this context too */
	s_queue_new(_metadata, &self->b.p, self->b.render, gpu, 1, S_RING, &q);
	S_SUBMIT(&q, dw, vkfd_sdma_fence(dw, flag.bo.va + 4, 2));
	S_IDLE(&q);
	EXPECT_EQ(2U, *s_u32(&flag, 4));
	EXPECT_EQ(0, memcmp(snap, b.cpu, BIG));
	free(snap);
}

TEST_F(sdma, unmap_under_copy)
{
	S_NEED_GPU();
	unmap_under_copy(_metadata, self, false);
}

TEST_F(sdma, free_under_copy)
{
	S_NEED_GPU();
	unmap_under_copy(_metadata, self, true);
}

TEST_HARNESS_MAIN
