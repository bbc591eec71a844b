// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * COMPUTE queue management as amdkfd's, through the PM4 executor: the
 * ring wrapping around many times with the read pointer reported as a
 * dword offset in it; UPDATE_QUEUE with a NULL ring or 0 % disabling a
 * queue, re-enabling resuming it at the packet it was at (a wait, an
 * indirect buffer half done); every priority accepted; many more queues
 * than a gfx9 has hardware queue slots all making progress.
 *
 * vkfd only: the amdkfd lane has no GPU.
 */
#include "kselftest_harness.h"
#include "pm4_utils.h"

/* gfx9: 4 pipes x 8 queues of one MEC for user queues; vkfd has none. */
#define P_MANY		96

/* Many WRITE_DATA packets, of growing length, through a 1 KiB ring. */
TEST_F(pm4, ring_wraps)
{
	const uint64_t size = 1024;
	uint32_t dw[64], v[16], i, k, n, off = 0;
	struct p_queue q;
	struct s_buf b;

	P_NEED_GPU();
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA, 16 * S_PAGE, S_GTT_RW, &b);
	p_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0,
		    size, &q);
	/* 2468 dwords: more than 9 times round the ring's 256 */
	for (i = 0; i < 200; i++) {
		n = 1 + i % 16;
		for (k = 0; k < n; k++)
			v[k] = i << 16 | k;
		n = vkfd_pm4_pkt_write_data(dw, S_BUF_VA + off, v, n, false);
		if (p_submit(&q, dw, n) == -ENOSPC) {
			P_IDLE(&q);
			P_SUBMIT(&q, dw, n);
		}
		off += 4 * (1 + i % 16);
	}
	P_IDLE(&q);
	EXPECT_EQ((uint32_t)(q.wptr % (size / 4)), *q.rptr);
	EXPECT_GT(q.wptr, 9 * size / 4);
	for (i = 0, off = 0; i < 200; i++)
		for (k = 0; k < 1 + i % 16; k++, off += 4)
			ASSERT_EQ(i << 16 | k, *s_u32(&b, off))
				TH_LOG("packet %u dword %u", i, k);
	EXPECT_EQ(0, p_queue_destroy(&q));
}

/*
 * UPDATE_QUEUE with 0 % and with a NULL ring: a disabled queue executes
 * nothing of what it is given; enabled again (same ring), it goes on
 * from its read pointer.
 */
TEST_F(pm4, update_disables)
{
	uint32_t dw[32], v = 1;
	struct p_queue q;
	struct s_buf b;
	int step;

	P_NEED_GPU();
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA, S_PAGE, S_GTT_RW, &b);
	p_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0,
		    P_RING, &q);
	for (step = 0; step < 2; step++) {
		v = 10 + step;
		/* 0 %, then no ring */
		ASSERT_EQ(0, step ? p_update(&q, 0, 0, 100) :
				    p_update(&q, q.ring.bo.va, P_RING, 0));
		P_SUBMIT(&q, dw, vkfd_pm4_pkt_write_data(dw, S_BUF_VA + 4 * step,
							 &v, 1, false));
		p_went_round(_metadata, self, &self->b.p, self->b.render, &b,
			     1024, 1 + 2 * step);
		EXPECT_EQ(0U, *s_u32(&b, 4 * step));
		ASSERT_EQ(0, p_update(&q, q.ring.bo.va, P_RING, 100));
		P_IDLE(&q);
		EXPECT_EQ(v, *s_u32(&b, 4 * step));
	}
	EXPECT_EQ(0, p_queue_destroy(&q));
}

/*
 * Disabled while it waits in an indirect buffer, half done: re-enabled,
 * the queue resumes at that wait - what came before it is not done again
 * - and finishes the buffer, then the ring.
 */
TEST_F(pm4, update_resumes_in_ib)
{
	uint32_t dw[32], ib[64], n = 0, m, one = 1, two = 2, three = 3;
	struct p_queue q;
	struct s_buf b;

	P_NEED_GPU();
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA, 2 * S_PAGE, S_GTT_RW, &b);
	p_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0,
		    P_RING, &q);
	n += vkfd_pm4_pkt_write_data(ib + n, S_BUF_VA + 4, &one, 1, false);
	n += vkfd_pm4_pkt_wait_mem(ib + n, S_BUF_VA, VKFD_PM4_WRM_FUNC_EQUAL,
				   1, ~0u, 10);
	n += vkfd_pm4_pkt_write_data(ib + n, S_BUF_VA + 8, &two, 1, false);
	memcpy(b.cpu + S_PAGE, ib, n * 4);
	m = vkfd_pm4_pkt_ib(dw, S_BUF_VA + S_PAGE, n);
	m += vkfd_pm4_pkt_write_data(dw + m, S_BUF_VA + 12, &three, 1, false);
	P_SUBMIT(&q, dw, m);
	ASSERT_TRUE(s_wait_u32(s_u32(&b, 4), 1));

	ASSERT_EQ(0, p_update(&q, q.ring.bo.va, P_RING, 0));
	/* Were the buffer run again, this would be 1 once more. */
	*s_u32(&b, 4) = 0;
	__atomic_store_n(s_u32(&b, 0), 1, __ATOMIC_RELEASE);
	p_went_round(_metadata, self, &self->b.p, self->b.render, &b, 1024, 1);
	EXPECT_EQ(0U, *s_u32(&b, 8));
	EXPECT_EQ(0U, *q.rptr);
	ASSERT_EQ(0, p_update(&q, q.ring.bo.va, P_RING, 100));
	P_IDLE(&q);
	EXPECT_EQ(0U, *s_u32(&b, 4));
	EXPECT_EQ(2U, *s_u32(&b, 8));
	EXPECT_EQ(3U, *s_u32(&b, 12));
	EXPECT_EQ(m, *q.rptr);
	EXPECT_EQ(0, p_queue_destroy(&q));
}

/* Every priority is accepted, and each queue executes. */
TEST_F(pm4, priorities)
{
	uint32_t dw[16], prio, v;
	struct p_queue q;
	struct s_buf b;

	P_NEED_GPU();
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA, S_PAGE, S_GTT_RW, &b);
	for (prio = 0; prio <= KFD_MAX_QUEUE_PRIORITY; prio++) {
		v = 0x100 + prio;
		p_queue_new_prio(_metadata, &self->b.p, self->b.render,
				 self->b.gpu[0], prio, P_RING, prio, &q);
		P_SUBMIT(&q, dw, vkfd_pm4_pkt_write_data(dw, S_BUF_VA + 4 * prio,
							 &v, 1, false));
		P_IDLE(&q);
		EXPECT_EQ(v, *s_u32(&b, 4 * prio));
		EXPECT_EQ(0, p_queue_destroy(&q));
	}
}

/*
 * Oversubscription: P_MANY queues, all waiting on one flag, then each
 * writing its own dword. amdkfd would map some and time-slice the rest;
 * vkfd serves them all in turn. Each finishes once the flag is set.
 */
TEST_F(pm4, many_queues)
{
	struct p_queue q[P_MANY];
	uint32_t dw[32], n, i, v;
	struct s_buf b;

	P_NEED_GPU();
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA, S_PAGE, S_GTT_RW, &b);
	for (i = 0; i < P_MANY; i++) {
		v = 0x1000 + i;
		p_queue_new(_metadata, &self->b.p, self->b.render,
			    self->b.gpu[0], i, 1024, &q[i]);
		n = vkfd_pm4_pkt_wait_mem(dw, S_BUF_VA, VKFD_PM4_WRM_FUNC_EQUAL,
					  1, ~0u, 100);
		n += vkfd_pm4_pkt_write_data(dw + n, S_BUF_VA + 8 + 4 * i, &v,
					     1, false);
		P_SUBMIT(&q[i], dw, n);
	}
	__atomic_store_n(s_u32(&b, 0), 1, __ATOMIC_RELEASE);
	for (i = 0; i < P_MANY; i++) {
		P_IDLE(&q[i]);
		EXPECT_EQ(0x1000 + i, *s_u32(&b, 8 + 4 * i));
	}
	for (i = 0; i < P_MANY; i++)
		EXPECT_EQ(0, p_queue_destroy(&q[i]));
}

TEST_HARNESS_MAIN
