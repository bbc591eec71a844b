// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Fault containment: a GPU page fault of an SDMA queue halts that queue
 * only, raises its context's memory event with the address, and counts
 * in its counters_<gpuid>/faults; the context's other queues, and other
 * contexts, carry on. Invalid packets and doorbell values halt a queue
 * without an event. A halted queue's read pointer stays at the packet
 * that stopped it.
 *
 * "Never executes" is checked after other work that went through the
 * engines has finished: a halted queue that ran would have run by then.
 *
 * vkfd only: the amdkfd lane has no GPU.
 */
#include "kselftest_harness.h"
#include "sdma_utils.h"

/* Where s_engines_went_round() writes, in the test's buffer */
#define ROUND_OFF	2048

/* Make sure the engines have gone round: a fresh queue of @c does work. */
static void s_engines_went_round(struct __test_metadata *_metadata,
				 FIXTURE_DATA(sdma) *self,
				 const struct vkfd_context *c, int render,
				 const struct s_buf *b, unsigned int ring)
{
	struct vkfd_queue q[2];
	uint32_t dw[8];
	int i;

	/* one per engine: round robin puts two queues on both */
	for (i = 0; i < 2; i++) {
		s_queue_new(_metadata, c, render, self->b.gpu[0], ring + i,
			    S_RING, &q[i]);
		S_SUBMIT(&q[i], dw, vkfd_sdma_fence(dw, b->bo.va + ROUND_OFF +
						     4 * i, 0x77 + ring));
		S_IDLE(&q[i]);
		EXPECT_EQ(0x77U + ring, *s_u32(b, ROUND_OFF + 4 * i));
	}
	for (i = 0; i < 2; i++)
		EXPECT_EQ(0, vkfd_queue_destroy(c, &q[i]));
}

/*
 * Queue A of a context writes where nothing is mapped: its memory event
 * reports the page, faults counts 1, A stops at the packet; queue B of
 * the same context and a queue of another context carry on.
 */
TEST_F(sdma, fault_contained)
{
	struct vkfd_memory_fault f = { 0 };
	struct vkfd_queue a, b, o;
	struct vkfd_context s;
	struct s_buf buf, sbuf;
	uint32_t dw[32], n = 0, ev, sev, result, at;
	int render;

	S_NEED_GPU();
	ASSERT_EQ(0, vkfd_secondary_vm(&self->b.env, self->b.gpu[0], &s,
				       &render));
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], S_BUF_VA,
		  S_PAGE, S_GTT_RW, &buf);
	s_buf_new(_metadata, &s, render, self->b.gpu[0], S_BUF_VA, S_PAGE,
		  S_GTT_RW, &sbuf);
	ev = s_memory_event(_metadata, &self->b.p);
	sev = s_memory_event(_metadata, &s);
	s_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0, S_RING,
		    &a);
	s_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 1, S_RING,
		    &b);
	s_queue_new(_metadata, &s, render, self->b.gpu[0], 2, S_RING, &o);

	n += vkfd_sdma_fence(dw + n, S_BUF_VA, 1);
	at = n * 4;
	n += vkfd_sdma_fence(dw + n, S_HOLE_VA + 0x1234, 2);
	n += vkfd_sdma_fence(dw + n, S_BUF_VA, 3);
	S_SUBMIT(&a, dw, n);
	ASSERT_EQ(0, vkfd_event_wait_fault(&self->b.p, ev, S_WAIT_MS, &result,
					   &f));
	ASSERT_EQ(S_EV_COMPLETE, result);
	EXPECT_EQ(S_HOLE_VA + 0x1000, f.va);
	EXPECT_EQ(self->b.gpu[0], f.gpu_id);
	EXPECT_TRUE(f.not_present);
	EXPECT_FALSE(f.read_only);
	EXPECT_EQ(1ULL, S_FAULTS(self->b.p.fd));
	/* halted before the event: the read pointer is at the packet */
	EXPECT_EQ(at, s_rptr(&a));

	/* B of the same context, and the other context's queue, go on */
	S_SUBMIT(&b, dw, vkfd_sdma_fence(dw, S_BUF_VA + 8, 4));
	S_IDLE(&b);
	EXPECT_EQ(4U, *s_u32(&buf, 8));
	S_SUBMIT(&o, dw, vkfd_sdma_fence(dw, S_BUF_VA, 5));
	S_IDLE(&o);
	EXPECT_EQ(5U, *s_u32(&sbuf, 0));
	EXPECT_EQ(0ULL, S_FAULTS(s.fd));
	ASSERT_EQ(0, vkfd_event_wait(&s, &sev, 1, false, 0, &result));
	EXPECT_EQ(S_EV_TIMEOUT, result);

	/* A never runs again, whatever it is given */
	S_SUBMIT(&a, dw, vkfd_sdma_fence(dw, S_BUF_VA + 12, 6));
	s_engines_went_round(_metadata, self, &self->b.p, self->b.render, &buf, 3);
	EXPECT_EQ(1U, *s_u32(&buf, 0));
	EXPECT_EQ(0U, *s_u32(&buf, 12));
	EXPECT_EQ(at, s_rptr(&a));
	EXPECT_EQ(1ULL, S_FAULTS(self->b.p.fd));

	/* A halted queue is destroyed like any other */
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &a));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &b));
	EXPECT_EQ(0, vkfd_queue_destroy(&s, &o));
	vkfd_close(&s);
	close(render);
}

/* Writing a buffer mapped without WRITABLE: a read-only fault. */
TEST_F(sdma, fault_read_only)
{
	struct vkfd_memory_fault f = { 0 };
	struct s_buf rw, ro;
	struct vkfd_queue q;
	uint32_t dw[16], n, ev, result;

	S_NEED_GPU();
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], S_BUF_VA,
		  S_PAGE, S_GTT_RW, &rw);
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA + S_BUF_STEP, 2 * S_PAGE, S_GTT_RO, &ro);
	ev = s_memory_event(_metadata, &self->b.p);
	s_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0, S_RING,
		    &q);
	/* Reading it is fine */
	n = vkfd_sdma_copy_linear(dw, S_BUF_VA, ro.bo.va, 64);
	S_SUBMIT(&q, dw, n);
	S_IDLE(&q);

	n = vkfd_sdma_const_fill(dw, ro.bo.va + S_PAGE + 16, 0x1, 32);
	S_SUBMIT(&q, dw, n);
	ASSERT_EQ(0, vkfd_event_wait_fault(&self->b.p, ev, S_WAIT_MS, &result,
					   &f));
	ASSERT_EQ(S_EV_COMPLETE, result);
	EXPECT_EQ(ro.bo.va + S_PAGE, f.va);
	EXPECT_FALSE(f.not_present);
	EXPECT_TRUE(f.read_only);
	EXPECT_EQ(0U, *s_u32(&ro, S_PAGE + 16));
	EXPECT_EQ(1ULL, S_FAULTS(self->b.p.fd));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

/* Faults on the ring itself and on the read pointer's address. */
TEST_F(sdma, fault_ring_and_rptr)
{
	struct vkfd_memory_fault f = { 0 };
	uint32_t dw[16], ev, result;
	struct vkfd_queue q;
	uint32_t gpu;

	S_NEED_GPU();
	gpu = self->b.gpu[0];
	ev = s_memory_event(_metadata, &self->b.p);
	s_queue_new(_metadata, &self->b.p, self->b.render, gpu, 0, S_RING, &q);
	/* The ring and pointers stay CPU-mapped; the GPU loses them */
	ASSERT_EQ(0, vkfd_unmap(&self->b.p, &q.bo, &gpu, 1));
	S_SUBMIT(&q, dw, vkfd_sdma_nop(dw));
	ASSERT_EQ(0, vkfd_event_wait_fault(&self->b.p, ev, S_WAIT_MS, &result,
					   &f));
	ASSERT_EQ(S_EV_COMPLETE, result);
	EXPECT_EQ(q.bo.va, f.va);
	EXPECT_TRUE(f.not_present);
	EXPECT_EQ(0ULL, *q.rptr);
	EXPECT_EQ(1ULL, S_FAULTS(self->b.p.fd));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

/*
 * Invalid packets halt the queue without an event: the read pointer
 * stops at the packet, nothing after it runs, nothing is counted.
 */
TEST_F(sdma, invalid_packets_halt)
{
	static const struct { uint32_t dw[13]; uint32_t n; } bad[] = {
		{ { 0xff }, 1 },					/* op */
		{ { VKFD_SDMA_HEADER(VKFD_SDMA_OP_COPY, 1) }, 7 },	/* tiled */
		{ { VKFD_SDMA_HEADER(VKFD_SDMA_OP_TIMESTAMP, 0) }, 3 },/* SET */
		/* a register poll for "equal": no register to wait for */
		{ { VKFD_SDMA_HEADER(VKFD_SDMA_OP_POLL_REGMEM, 0) |
		    VKFD_SDMA_POLL_FUNC(VKFD_SDMA_POLL_FUNC_EQUAL) }, 6 },
		/* ATOMIC: FMAX_RTN_64; a misaligned 64-bit ADD */
		{ { VKFD_SDMA_HEADER(VKFD_SDMA_OP_ATOMIC, 0) |
		    VKFD_SDMA_ATOMIC_OP(0x23), (uint32_t)S_BUF_VA }, 8 },
		{ { VKFD_SDMA_HEADER(VKFD_SDMA_OP_ATOMIC, 0) |
		    VKFD_SDMA_ATOMIC_OP(VKFD_SDMA_ATOMIC_ADD_RTN_64),
		    (uint32_t)S_BUF_VA + 4 }, 8 },
		/* COPY_LINEAR_RECT of 32-byte elements */
		{ { VKFD_SDMA_HEADER(VKFD_SDMA_OP_COPY,
				     VKFD_SDMA_SUBOP_COPY_LINEAR_RECT) |
		    VKFD_SDMA_RECT_ELEMENT(5), (uint32_t)S_BUF_VA, 0, 0, 0, 0,
		    (uint32_t)S_BUF_VA + 64 }, 13 },
		/* a fill of 3 bytes */
		{ { VKFD_SDMA_HEADER(VKFD_SDMA_OP_CONST_FILL, 0),
		    (uint32_t)S_BUF_VA, 0, 0, 2 }, 5 },
		/* a NOP longer than the ring */
		{ { VKFD_SDMA_HEADER(VKFD_SDMA_OP_NOP, 0) |
		    VKFD_SDMA_NOP_COUNT(S_RING / 4) }, 1 },
	};
	uint32_t dw[32], n, ev, result, at, i;
	struct vkfd_queue q;
	struct s_buf b;

	S_NEED_GPU();
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], S_BUF_VA,
		  S_PAGE, S_GTT_RW, &b);
	ev = s_memory_event(_metadata, &self->b.p);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], i,
			    S_RING, &q);
		n = vkfd_sdma_fence(dw, S_BUF_VA + 8 * i, 1);
		at = n * 4;
		memcpy(dw + n, bad[i].dw, bad[i].n * 4);
		n += bad[i].n;
		n += vkfd_sdma_fence(dw + n, S_BUF_VA + 8 * i + 4, 2);
		S_SUBMIT(&q, dw, n);
		/* The fence before it is done, the read pointer stops there */
		ASSERT_TRUE(s_wait_u64(q.rptr, at)) TH_LOG("packet %u", i);
		EXPECT_EQ(1U, *s_u32(&b, 8 * i));
		s_engines_went_round(_metadata, self, &self->b.p, self->b.render,
				     &b, 16);
		EXPECT_EQ(at, s_rptr(&q));
		EXPECT_EQ(0U, *s_u32(&b, 8 * i + 4)) TH_LOG("packet %u", i);
		EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
	}
	EXPECT_EQ(0ULL, S_FAULTS(self->b.p.fd));
	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, &ev, 1, false, 0, &result));
	EXPECT_EQ(S_EV_TIMEOUT, result);
}

/* Doorbell values that cannot be halt the queue the same way. */
TEST_F(sdma, invalid_doorbell_halts)
{
	static const uint64_t bad[] = { 2, S_RING + 4, UINT64_MAX - 3 };
	struct vkfd_queue q;
	struct s_buf b;
	uint32_t i;

	S_NEED_GPU();
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], S_BUF_VA,
		  S_PAGE, S_GTT_RW, &b);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
			    i, S_RING, &q);
		/* A fence in the ring; the doorbell says something else */
		vkfd_sdma_fence(q.ring, S_BUF_VA + 4 * i, 1);
		__atomic_store_n(q.doorbell, bad[i], __ATOMIC_RELEASE);
		s_engines_went_round(_metadata, self, &self->b.p, self->b.render,
				     &b, 8);
		/* Too late: the queue is halted */
		__atomic_store_n(q.doorbell, 16, __ATOMIC_RELEASE);
		s_engines_went_round(_metadata, self, &self->b.p, self->b.render,
				     &b, 8);
		EXPECT_EQ(0U, *s_u32(&b, 4 * i)) TH_LOG("doorbell %u", i);
		EXPECT_EQ(0ULL, *q.rptr);
		EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
	}
	EXPECT_EQ(0ULL, S_FAULTS(self->b.p.fd));
}

TEST_HARNESS_MAIN
