// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * PM4 packets on COMPUTE queues, through real queues and the engines:
 * each packet vkfd executes, byte-exact through CPU mappings (NOP,
 * WRITE_DATA, RELEASE_MEM and its interrupt setting a signal event,
 * WAIT_REG_MEM(64), INDIRECT_BUFFER, ACQUIRE_MEM, EVENT_WRITE,
 * QUERY_STATUS, SET_*_REG); the read pointer as gfx9's CP reports it; a
 * DISPATCH halting the queue; a fault reaching its own context only.
 * Queue management (UPDATE_QUEUE, wrapping, many queues) is pm4_queue.c.
 *
 * "Never executes" is checked after other work that went through the
 * engines has finished: a halted queue that ran would have run by then.
 *
 * vkfd only: the amdkfd lane has no GPU.
 */
#include "kselftest_harness.h"
#include "pm4_utils.h"

/* NOPs of each kind, then WRITE_DATA incrementing, to one address, to a register. */
TEST_F(pm4, write_data)
{
	uint32_t dw[128], v[40], n = 0, i;
	struct p_queue q;
	struct s_buf b;

	P_NEED_GPU();
	p_buf_and_queue(_metadata, self, 2 * S_PAGE, &b, &q);
	for (i = 0; i < 40; i++)
		v[i] = 0xc0de0000 + i;
	dw[n++] = VKFD_PM4_TYPE2;
	dw[n++] = VKFD_PM4_NOP_ONE;
	n += vkfd_pm4_pkt_nop(dw + n, 5);
	/* Across the page boundary */
	n += vkfd_pm4_pkt_write_data(dw + n, S_BUF_VA + S_PAGE - 60, v, 40,
				     false);
	n += vkfd_pm4_pkt_write_data(dw + n, S_BUF_VA + 8, v, 3, true);
	P_SUBMIT(&q, dw, n);
	P_IDLE(&q);
	EXPECT_EQ(n, *q.rptr);
	for (i = 0; i < 40; i++)
		EXPECT_EQ(v[i], *s_u32(&b, S_PAGE - 60 + 4 * i));
	EXPECT_EQ(0U, *s_u32(&b, S_PAGE - 64));
	EXPECT_EQ(0U, *s_u32(&b, S_PAGE - 60 + 160));
	EXPECT_EQ(v[2], *s_u32(&b, 8));
	EXPECT_EQ(0U, *s_u32(&b, 12));
	/* Not SDMA's bytes */
	EXPECT_EQ(0ULL, S_SDMA_BYTES(self->b.p.fd));

	/* To a register: no effect, the queue goes on. */
	n = vkfd_pm4_pkt_write_data(dw, S_BUF_VA + 16, v, 1, false);
	dw[1] &= ~VKFD_PM4_WD_DST_SEL(0xf);
	n += vkfd_pm4_pkt_write_data(dw + n, S_BUF_VA + 20, v, 1, false);
	P_SUBMIT(&q, dw, n);
	P_IDLE(&q);
	EXPECT_EQ(0U, *s_u32(&b, 16));
	EXPECT_EQ(v[0], *s_u32(&b, 20));
	EXPECT_EQ(0, p_queue_destroy(&q));
}

/*
 * RELEASE_MEM as kfdtest and ROCm's thunk-level users use it: the event's
 * slot written, then the interrupt with the event id: that event is set,
 * not the other. And its 64-bit and GPU clock data.
 */
TEST_F(pm4, release_mem_event)
{
	uint32_t dw[64], n, result, id;
	struct vkfd_event a, b;
	struct s_buf page, buf;
	struct p_queue q;
	uint64_t c0, c1;

	P_NEED_GPU();
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_EV_VA, KFD_SIGNAL_EVENT_LIMIT * 8, S_GTT_RW, &page);
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA, S_PAGE, S_GTT_RW, &buf);
	ASSERT_EQ(0, vkfd_event_create(&self->b.p, KFD_IOC_EVENT_SIGNAL, true,
				       page.bo.handle, &a));
	ASSERT_EQ(0, vkfd_event_create(&self->b.p, KFD_IOC_EVENT_SIGNAL, true,
				       0, &b));
	p_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0,
		    P_RING, &q);

	n = vkfd_pm4_pkt_release_mem(dw, VKFD_PM4_RM_DATA_32,
				     VKFD_PM4_RM_INT_AFTER_CONFIRM,
				     S_EV_VA + 8 * a.slot, a.trigger, a.id);
	P_SUBMIT(&q, dw, n);
	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, &a.id, 1, false, S_WAIT_MS,
				     &result));
	EXPECT_EQ(S_EV_COMPLETE, result);
	id = b.id;
	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, &id, 1, false, 0, &result));
	EXPECT_EQ(S_EV_TIMEOUT, result);

	/* int_sel "data after confirm": data, no interrupt */
	n = vkfd_pm4_pkt_release_mem(dw, VKFD_PM4_RM_DATA_64,
				     VKFD_PM4_RM_INT_DATA_CONFIRM, S_BUF_VA,
				     0x0123456789abcdefULL, b.id);
	n += vkfd_pm4_pkt_release_mem(dw + n, VKFD_PM4_RM_DATA_GPU_CLOCK,
				      VKFD_PM4_RM_INT_NONE, S_BUF_VA + 8, 0, 0);
	n += vkfd_pm4_pkt_release_mem(dw + n, VKFD_PM4_RM_DATA_GPU_CLOCK,
				      VKFD_PM4_RM_INT_NONE, S_BUF_VA + 16, 0,
				      0);
	P_SUBMIT(&q, dw, n);
	P_IDLE(&q);
	EXPECT_EQ(0x0123456789abcdefULL, *s_u64(&buf, 0));
	c0 = *s_u64(&buf, 8);
	c1 = *s_u64(&buf, 16);
	EXPECT_NE(0ULL, c0);
	EXPECT_LE(c0, c1);
	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, &id, 1, false, 0, &result));
	EXPECT_EQ(S_EV_TIMEOUT, result);
	EXPECT_EQ(0, p_queue_destroy(&q));
}

/*
 * WAIT_REG_MEM on memory: the queue waits (what follows is not done
 * while other queues run), and goes on once the CPU writes the value;
 * WAIT_REG_MEM64 compares all 64 bits.
 */
TEST_F(pm4, wait_reg_mem)
{
	uint32_t dw[64], n = 0, one = 1, two = 2;
	struct p_queue q;
	struct s_buf b;

	P_NEED_GPU();
	p_buf_and_queue(_metadata, self, S_PAGE, &b, &q);
	n += vkfd_pm4_pkt_wait_mem(dw + n, S_BUF_VA, VKFD_PM4_WRM_FUNC_EQUAL,
				   0x5, 0xff, 10);
	n += vkfd_pm4_pkt_write_data(dw + n, S_BUF_VA + 4, &one, 1, false);
	n += vkfd_pm4_pkt_wait_mem64(dw + n, S_BUF_VA + 8,
				     VKFD_PM4_WRM_FUNC_EQUAL, 7ULL, ~0ULL, 10);
	n += vkfd_pm4_pkt_write_data(dw + n, S_BUF_VA + 16, &two, 1, false);
	*s_u32(&b, 0) = 0x106;
	*s_u64(&b, 8) = 0x100000007ULL;
	P_SUBMIT(&q, dw, n);
	p_went_round(_metadata, self, &self->b.p, self->b.render, &b, 1024, 1);
	EXPECT_EQ(0U, *s_u32(&b, 4));
	EXPECT_EQ(0U, *q.rptr);

	/* Masked: 0x205 & 0xff == 5 */
	__atomic_store_n(s_u32(&b, 0), 0x205, __ATOMIC_RELEASE);
	ASSERT_TRUE(s_wait_u32(s_u32(&b, 4), 1));
	p_went_round(_metadata, self, &self->b.p, self->b.render, &b, 1024, 3);
	EXPECT_EQ(0U, *s_u32(&b, 16));
	__atomic_store_n(s_u64(&b, 8), 7ULL, __ATOMIC_RELEASE);
	P_IDLE(&q);
	EXPECT_EQ(2U, *s_u32(&b, 16));
	EXPECT_EQ(0, p_queue_destroy(&q));
}

/*
 * INDIRECT_BUFFER: its packets run from the buffer, a RELEASE_MEM in it
 * signals; the ring's packets after it run after all of it.
 */
TEST_F(pm4, indirect_buffer)
{
	uint32_t dw[32], ib[64], n = 0, m, result, v = 0xabc;
	struct vkfd_event ev;
	struct s_buf page, b;
	struct p_queue q;

	P_NEED_GPU();
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_EV_VA, KFD_SIGNAL_EVENT_LIMIT * 8, S_GTT_RW, &page);
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA, 2 * S_PAGE, S_GTT_RW, &b);
	ASSERT_EQ(0, vkfd_event_create(&self->b.p, KFD_IOC_EVENT_SIGNAL, true,
				       page.bo.handle, &ev));
	p_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0,
		    P_RING, &q);

	n += vkfd_pm4_pkt_write_data(ib + n, S_BUF_VA + 16, &v, 1, false);
	n += vkfd_pm4_pkt_acquire_mem(ib + n);
	n += vkfd_pm4_pkt_release_mem(ib + n, VKFD_PM4_RM_DATA_32,
				      VKFD_PM4_RM_INT_AFTER_CONFIRM,
				      S_EV_VA + 8 * ev.slot, ev.trigger,
				      ev.id);
	n += vkfd_pm4_pkt_nop(ib + n, 7);
	memcpy(b.cpu + S_PAGE, ib, n * 4);
	m = vkfd_pm4_pkt_ib(dw, S_BUF_VA + S_PAGE, n);
	v = 0xdef;
	m += vkfd_pm4_pkt_write_data(dw + m, S_BUF_VA + 20, &v, 1, false);
	P_SUBMIT(&q, dw, m);
	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, &ev.id, 1, false, S_WAIT_MS,
				     &result));
	EXPECT_EQ(S_EV_COMPLETE, result);
	EXPECT_EQ(0xabcU, *s_u32(&b, 16));
	P_IDLE(&q);
	EXPECT_EQ(0xdefU, *s_u32(&b, 20));
	EXPECT_EQ(m, *q.rptr);
	EXPECT_EQ(0, p_queue_destroy(&q));
}

/*
 * The packets that only flush or configure, and QUERY_STATUS's fence and
 * interrupt: all executed, the queue reaching its end.
 */
TEST_F(pm4, flushes_and_status)
{
	uint32_t dw[128], n = 0, result;
	struct s_buf page, b;
	struct vkfd_event ev;
	struct p_queue q;

	P_NEED_GPU();
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_EV_VA, KFD_SIGNAL_EVENT_LIMIT * 8, S_GTT_RW, &page);
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA, S_PAGE, S_GTT_RW, &b);
	ASSERT_EQ(0, vkfd_event_create(&self->b.p, KFD_IOC_EVENT_SIGNAL, true,
				       page.bo.handle, &ev));
	p_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0,
		    P_RING, &q);
	n += vkfd_pm4_pkt_event_write(dw + n, VKFD_PM4_EVENT_CS_PARTIAL_FLUSH,
				      VKFD_PM4_EVENT_INDEX_PARTIAL_FLUSH);
	n += vkfd_pm4_pkt_acquire_mem(dw + n);
	n += vkfd_pm4_pkt_set_reg(dw + n, VKFD_PM4_OP_SET_SH_REG, 0x20c, 0, 6);
	n += vkfd_pm4_pkt_set_reg(dw + n, VKFD_PM4_OP_SET_UCONFIG_REG, 0x40,
				  0, 1);
	n += vkfd_pm4_pkt_query_status(dw + n, VKFD_PM4_QS_FENCE, 0, S_BUF_VA,
				       0x1122334455667788ULL);
	/* Writes the slot as a signal would, then interrupts. */
	n += vkfd_pm4_pkt_query_status(dw + n, VKFD_PM4_QS_FENCE_INTERRUPT,
				       ev.id, S_EV_VA + 8 * ev.slot,
				       ev.trigger);
	P_SUBMIT(&q, dw, n);
	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, &ev.id, 1, false, S_WAIT_MS,
				     &result));
	EXPECT_EQ(S_EV_COMPLETE, result);
	P_IDLE(&q);
	EXPECT_EQ(0x1122334455667788ULL, *s_u64(&b, 0));
	EXPECT_EQ(n, *q.rptr);
	EXPECT_EQ(0, p_queue_destroy(&q));
}

/*
 * DISPATCH_DIRECT: vkfd runs no shader; the queue halts at the dispatch,
 * its read pointer there, and what follows (a completion signal) never
 * runs: nobody is told work was done that was not. No memory event.
 */
TEST_F(pm4, dispatch_halts)
{
	uint32_t dw[64], n = 0, at, one = 1, ev;
	struct p_queue q;
	struct s_buf b;

	P_NEED_GPU();
	p_buf_and_queue(_metadata, self, S_PAGE, &b, &q);
	ev = s_memory_event(_metadata, &self->b.p);
	n += vkfd_pm4_pkt_set_reg(dw + n, VKFD_PM4_OP_SET_SH_REG, 0x20c, 0, 2);
	at = n;
	n += vkfd_pm4_pkt_dispatch(dw + n, 1, 1, 1);
	n += vkfd_pm4_pkt_write_data(dw + n, S_BUF_VA, &one, 1, false);
	P_SUBMIT(&q, dw, n);
	p_halted_at(_metadata, self, &q, &b, at, ev);
	EXPECT_EQ(0U, *s_u32(&b, 0));
	EXPECT_EQ(0, p_queue_destroy(&q));
}

/*
 * A WRITE_DATA where nothing is mapped: the queue halts at it, its
 * context's memory event reports the page, faults counts 1; the
 * context's other queue and another context's queue carry on, and the
 * other context sees no fault.
 */
TEST_F(pm4, fault_contained)
{
	struct vkfd_memory_fault f = { 0 };
	uint32_t dw[64], n = 0, at, v = 5, ev, sev, result;
	struct p_queue a, o, s_q;
	struct vkfd_context s;
	struct s_buf buf, sbuf;
	int render;

	P_NEED_GPU();
	ASSERT_EQ(0, vkfd_secondary_vm(&self->b.env, self->b.gpu[0], &s,
				       &render));
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA, S_PAGE, S_GTT_RW, &buf);
	s_buf_new(_metadata, &s, render, self->b.gpu[0], S_BUF_VA, S_PAGE,
		  S_GTT_RW, &sbuf);
	ev = s_memory_event(_metadata, &self->b.p);
	sev = s_memory_event(_metadata, &s);
	p_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0,
		    P_RING, &a);
	p_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 1,
		    P_RING, &o);
	p_queue_new(_metadata, &s, render, self->b.gpu[0], 2, P_RING, &s_q);

	n += vkfd_pm4_pkt_write_data(dw + n, S_BUF_VA, &v, 1, false);
	at = n;
	n += vkfd_pm4_pkt_release_mem(dw + n, VKFD_PM4_RM_DATA_32,
				      VKFD_PM4_RM_INT_NONE, S_HOLE_VA + 0x2344,
				      1, 0);
	n += vkfd_pm4_pkt_write_data(dw + n, S_BUF_VA + 4, &v, 1, false);
	P_SUBMIT(&a, dw, n);
	ASSERT_EQ(0, vkfd_event_wait_fault(&self->b.p, ev, S_WAIT_MS, &result,
					   &f));
	ASSERT_EQ(S_EV_COMPLETE, result);
	EXPECT_EQ(S_HOLE_VA + 0x2000, f.va);
	EXPECT_EQ(self->b.gpu[0], f.gpu_id);
	EXPECT_TRUE(f.not_present);
	EXPECT_FALSE(f.read_only);
	EXPECT_EQ(1ULL, S_FAULTS(self->b.p.fd));
	EXPECT_EQ(at, *a.rptr);
	EXPECT_EQ(5U, *s_u32(&buf, 0));

	P_SUBMIT(&o, dw, vkfd_pm4_pkt_write_data(dw, S_BUF_VA + 8, &v, 1,
						 false));
	P_IDLE(&o);
	EXPECT_EQ(5U, *s_u32(&buf, 8));
	P_SUBMIT(&s_q, dw, vkfd_pm4_pkt_write_data(dw, S_BUF_VA, &v, 1,
						   false));
	P_IDLE(&s_q);
	EXPECT_EQ(5U, *s_u32(&sbuf, 0));
	EXPECT_EQ(0ULL, S_FAULTS(s.fd));
	ASSERT_EQ(0, vkfd_event_wait(&s, &sev, 1, false, 0, &result));
	EXPECT_EQ(S_EV_TIMEOUT, result);

	/* The halted queue never runs again. */
	EXPECT_EQ(0U, *s_u32(&buf, 4));
	EXPECT_EQ(at, *a.rptr);
	EXPECT_EQ(0, p_queue_destroy(&a));
	EXPECT_EQ(0, p_queue_destroy(&o));
	EXPECT_EQ(0, p_queue_destroy(&s_q));
	vkfd_close(&s);
	close(render);
}

TEST_HARNESS_MAIN
