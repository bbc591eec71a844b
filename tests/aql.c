// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * AQL queues (KFD_IOC_QUEUE_TYPE_COMPUTE_AQL) executing, built as ROCr
 * builds them: a ring whose headers are all INVALID, read_dispatch_id as
 * the read pointer, packets written header last and rung with their
 * packet id (the first ring is 0). Signals are amd_signal_t's in GTT
 * buffers the CPU writes too. Barrier-AND and barrier-OR waiting for the
 * CPU and for another queue, completion signals with an event mailbox and
 * WAIT_EVENTS, dispatches of s_endpgm and of code vkfd cannot run, AMD's
 * vendor packets, the ring wrapping, and bad addresses halting the queue
 * with a fault its context alone sees. Waits are bounded by S_WAIT_MS and
 * never decide a result by how long something took; "still waiting" is
 * checked after the engines have gone round.
 *
 * vkfd only: the amdkfd lane has no GPU.
 */
#include "kselftest_harness.h"
#include "aql_utils.h"

#define A_SIGS_VA	0x200000000ULL	/* signals, and the kernel object */
#define A_SIG(n)	((uint64_t)(n) * 64)	/* amd_signal_t n */
#define A_KOBJ		2048		/* a kernel descriptor ... */
#define A_CODE		(A_KOBJ + 256)	/* ... and its code */
#define A_S_NOP		0xbf800000u	/* s_nop 0: code vkfd does not run */

FIXTURE(aql) {
	struct vkfd_base b;
};

FIXTURE_SETUP(aql)
{
	vkfd_base_setup(&self->b, VKFD_BASE_VM);
}

FIXTURE_TEARDOWN(aql)
{
	vkfd_base_teardown(&self->b);
}

/* A barrier of @type on @d0, @d1 (0: none), completing @done */
static void a_barrier(uint32_t *dw, uint32_t type, uint64_t d0, uint64_t d1,
		      uint64_t done)
{
	vkfd_aql_barrier(dw, type, d0, done);
	vkfd_aql_set64(dw, VKFD_AQL_DEP(1), d1);
}

/* Signal @n of @sigs: @value, no mailbox */
static void a_sig(const struct s_buf *sigs, unsigned int n, int64_t value)
{
	*s_u64(sigs, A_SIG(n) + VKFD_AQL_SIG_MAILBOX) = 0;
	__atomic_store_n(s_u64(sigs, A_SIG(n) + VKFD_AQL_SIG_VALUE), (uint64_t)value,
			 __ATOMIC_RELEASE);
}

static int64_t a_val(const struct s_buf *sigs, unsigned int n)
{
	return (int64_t)__atomic_load_n(s_u64(sigs, A_SIG(n) + VKFD_AQL_SIG_VALUE),
					__ATOMIC_ACQUIRE);
}

static void a_sigs(struct __test_metadata *_metadata,
		   const struct vkfd_context *c, int render, uint32_t gpu,
		   struct s_buf *sigs)
{
	s_buf_new(_metadata, c, render, gpu, A_SIGS_VA, S_PAGE, S_GTT_RW, sigs);
}

/*
 * The engines have gone round: a fresh AQL queue of @c on each engine
 * (round robin) completes a barrier.
 */
static void a_engines_went_round(struct __test_metadata *_metadata,
				 const struct vkfd_context *c, int render,
				 uint32_t gpu, const struct s_buf *sigs,
				 unsigned int ring)
{
	struct a_queue q[2];
	uint32_t dw[16];
	int i;

	for (i = 0; i < 2; i++) {
		a_queue_new(_metadata, c, render, gpu, ring + i, &q[i]);
		a_sig(sigs, 60 + i, 1);
		a_barrier(dw, VKFD_AQL_AND, 0, 0, sigs->bo.va + A_SIG(60 + i));
		a_submit(_metadata, &q[i], dw);
		A_IDLE(&q[i]);
		EXPECT_EQ(0, a_val(sigs, 60 + i));
	}
	for (i = 0; i < 2; i++) {
		a_queue_destroy(_metadata, c, &q[i]);
		munmap(q[i].ring.cpu, A_RING + S_PAGE);
		EXPECT_EQ(0, vkfd_free(c, &q[i].ring.bo));
	}
}

/*
 * Barrier-AND waits for every dependency the CPU sets, then decrements
 * its completion signal and gives its slot back (header INVALID).
 */
TEST_F(aql, barrier_and_cpu)
{
	struct s_buf sigs;
	struct a_queue q;
	uint32_t dw[16];

	S_NEED_GPU();
	a_sigs(_metadata, &self->b.p, self->b.render, self->b.gpu[0], &sigs);
	a_sig(&sigs, 1, 1);
	a_sig(&sigs, 2, 1);
	a_sig(&sigs, 3, 1);
	a_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0, &q);
	a_barrier(dw, VKFD_AQL_AND, A_SIGS_VA + A_SIG(1), A_SIGS_VA + A_SIG(2),
		  A_SIGS_VA + A_SIG(3));
	a_submit(_metadata, &q, dw);

	a_engines_went_round(_metadata, &self->b.p, self->b.render,
			     self->b.gpu[0], &sigs, 4);
	EXPECT_EQ(0ULL, *a_rptr(&q));
	EXPECT_EQ(1, a_val(&sigs, 3));
	a_sig(&sigs, 1, 0);
	a_engines_went_round(_metadata, &self->b.p, self->b.render,
			     self->b.gpu[0], &sigs, 6);
	EXPECT_EQ(0ULL, *a_rptr(&q));
	EXPECT_EQ(1, a_val(&sigs, 3));

	a_sig(&sigs, 2, 0);
	A_IDLE(&q);
	EXPECT_EQ(0, a_val(&sigs, 3));
	EXPECT_EQ((uint32_t)VKFD_AQL_INVALID, *s_u32(&q.ring, 0) & 0xffff);
	/* The rest of the slot is left as it was */
	EXPECT_EQ(dw[14], *s_u32(&q.ring, 56));
	a_queue_destroy(_metadata, &self->b.p, &q);
}

/*
 * Queue A's barrier-AND waits for a signal queue B completes; barrier-OR
 * needs one of its dependencies only.
 */
TEST_F(aql, barrier_and_other_queue_or)
{
	struct a_queue a, b;
	struct s_buf sigs;
	uint32_t dw[16];

	S_NEED_GPU();
	a_sigs(_metadata, &self->b.p, self->b.render, self->b.gpu[0], &sigs);
	a_sig(&sigs, 1, 1);
	a_sig(&sigs, 2, 1);
	a_sig(&sigs, 3, 1);
	a_sig(&sigs, 4, 2);
	a_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0, &a);
	a_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 1, &b);
	a_barrier(dw, VKFD_AQL_AND, A_SIGS_VA + A_SIG(1), 0, A_SIGS_VA + A_SIG(2));
	a_submit(_metadata, &a, dw);
	/* OR: signal 3 never moves; 2 does, A's completion */
	a_barrier(dw, VKFD_AQL_OR, A_SIGS_VA + A_SIG(3), A_SIGS_VA + A_SIG(2),
		  A_SIGS_VA + A_SIG(4));
	a_submit(_metadata, &a, dw);
	a_engines_went_round(_metadata, &self->b.p, self->b.render,
			     self->b.gpu[0], &sigs, 4);
	EXPECT_EQ(0ULL, *a_rptr(&a));

	/* B completes signal 1 */
	a_barrier(dw, VKFD_AQL_AND, 0, 0, A_SIGS_VA + A_SIG(1));
	a_submit(_metadata, &b, dw);
	A_IDLE(&b);
	A_IDLE(&a);
	EXPECT_EQ(0, a_val(&sigs, 1));
	EXPECT_EQ(0, a_val(&sigs, 2));
	EXPECT_EQ(1, a_val(&sigs, 3));
	EXPECT_EQ(1, a_val(&sigs, 4));
	a_queue_destroy(_metadata, &self->b.p, &a);
	a_queue_destroy(_metadata, &self->b.p, &b);
}

/*
 * A completion signal with an event mailbox, as ROCr's interrupt
 * signals: decremented, event_id in the event's slot, the event set.
 */
TEST_F(aql, completion_signal_event)
{
	struct vkfd_event ev, other;
	uint32_t dw[16], result;
	struct s_buf page, sigs;
	struct a_queue q;

	S_NEED_GPU();
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], S_EV_VA,
		  KFD_SIGNAL_EVENT_LIMIT * 8, S_GTT_RW, &page);
	ASSERT_EQ(0, vkfd_event_create(&self->b.p, KFD_IOC_EVENT_SIGNAL, true,
				       page.bo.handle, &ev));
	ASSERT_EQ(0, vkfd_event_create(&self->b.p, KFD_IOC_EVENT_SIGNAL, true,
				       0, &other));
	a_sigs(_metadata, &self->b.p, self->b.render, self->b.gpu[0], &sigs);
	a_sig(&sigs, 1, 1);
	*s_u64(&sigs, A_SIG(1) + VKFD_AQL_SIG_MAILBOX) = S_EV_VA + 8 * ev.slot;
	*s_u32(&sigs, A_SIG(1) + VKFD_AQL_SIG_EVENT_ID) = ev.trigger;
	a_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0, &q);

	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, &ev.id, 1, false, 0, &result));
	EXPECT_EQ(S_EV_TIMEOUT, result);
	a_barrier(dw, VKFD_AQL_AND, 0, 0, A_SIGS_VA + A_SIG(1));
	a_submit(_metadata, &q, dw);
	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, &ev.id, 1, false, S_WAIT_MS,
				     &result));
	EXPECT_EQ(S_EV_COMPLETE, result);
	A_IDLE(&q);
	EXPECT_EQ(0, a_val(&sigs, 1));
	/* Only that event */
	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, &other.id, 1, false, 0,
				     &result));
	EXPECT_EQ(S_EV_TIMEOUT, result);

	/* Again: the value goes below 0, the event is set again */
	a_submit(_metadata, &q, dw);
	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, &ev.id, 1, false, S_WAIT_MS,
				     &result));
	EXPECT_EQ(S_EV_COMPLETE, result);
	A_IDLE(&q);
	EXPECT_EQ(-1, a_val(&sigs, 1));
	a_queue_destroy(_metadata, &self->b.p, &q);
}

/* A dispatch whose code is s_endpgm completes; so does a PM4_IB packet. */
TEST_F(aql, empty_dispatch_and_pm4_ib)
{
	struct s_buf sigs;
	struct a_queue q;
	uint32_t dw[16];

	S_NEED_GPU();
	a_sigs(_metadata, &self->b.p, self->b.render, self->b.gpu[0], &sigs);
	*s_u64(&sigs, A_KOBJ + 16) = A_CODE - A_KOBJ;
	*s_u32(&sigs, A_CODE) = VKFD_AQL_S_ENDPGM;
	a_sig(&sigs, 1, 2);
	a_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0, &q);
	vkfd_aql_dispatch(dw, A_SIGS_VA + A_KOBJ, A_SIGS_VA + A_SIG(1));
	a_submit(_metadata, &q, dw);
	A_IDLE(&q);
	EXPECT_EQ(1, a_val(&sigs, 1));

	/* ROCr's ExecutePM4(): the IB is not executed, the packet completes */
	memset(dw, 0, sizeof(dw));
	dw[0] = VKFD_AQL_VENDOR | VKFD_AQL_FMT_PM4_IB << 16;
	dw[1] = 0xc0023f00;
	dw[2] = (uint32_t)(S_HOLE_VA >> 2);
	dw[4] = 4 | 1u << 23;
	dw[5] = 0xa;
	vkfd_aql_set64(dw, 56, A_SIGS_VA + A_SIG(1));
	a_submit(_metadata, &q, dw);
	A_IDLE(&q);
	EXPECT_EQ(0, a_val(&sigs, 1));
	EXPECT_EQ(0ULL, S_FAULTS(self->b.p.fd));
	a_queue_destroy(_metadata, &self->b.p, &q);
}

/*
 * AMD's BARRIER_VALUE waits for (value & mask) cond ref: here LT 0 with
 * a mask, set by the CPU.
 */
TEST_F(aql, barrier_value)
{
	struct s_buf sigs;
	struct a_queue q;
	uint32_t dw[16];

	S_NEED_GPU();
	a_sigs(_metadata, &self->b.p, self->b.render, self->b.gpu[0], &sigs);
	a_sig(&sigs, 1, 0x7f00000000000005LL);
	a_sig(&sigs, 2, 1);
	a_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0, &q);
	memset(dw, 0, sizeof(dw));
	dw[0] = VKFD_AQL_VENDOR | VKFD_AQL_BARRIER_BIT | VKFD_AQL_FMT_BARRIER_VALUE << 16;
	vkfd_aql_set64(dw, 8, A_SIGS_VA + A_SIG(1));
	vkfd_aql_set64(dw, 16, 5);			/* value */
	vkfd_aql_set64(dw, 24, 0xff);			/* mask */
	dw[8] = 2;				/* HSA_SIGNAL_CONDITION_LT */
	vkfd_aql_set64(dw, 56, A_SIGS_VA + A_SIG(2));
	a_submit(_metadata, &q, dw);
	a_engines_went_round(_metadata, &self->b.p, self->b.render,
			     self->b.gpu[0], &sigs, 4);
	EXPECT_EQ(0ULL, *a_rptr(&q));
	EXPECT_EQ(1, a_val(&sigs, 2));
	a_sig(&sigs, 1, 0x7f00000000000004LL);
	A_IDLE(&q);
	EXPECT_EQ(0, a_val(&sigs, 2));
	a_queue_destroy(_metadata, &self->b.p, &q);
}

/* Packet ids wrap around the ring: three rings' worth of packets. */
TEST_F(aql, ring_wrap)
{
	unsigned int i, n = 3 * A_RING / VKFD_AQL_PKT + 5;
	struct s_buf sigs;
	struct a_queue q;
	uint32_t dw[16];

	S_NEED_GPU();
	a_sigs(_metadata, &self->b.p, self->b.render, self->b.gpu[0], &sigs);
	a_sig(&sigs, 1, n);
	a_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0, &q);
	a_barrier(dw, VKFD_AQL_AND, 0, 0, A_SIGS_VA + A_SIG(1));
	for (i = 0; i < n; i++) {
		if (q.wr - *a_rptr(&q) == A_RING / VKFD_AQL_PKT)
			A_IDLE(&q);
		a_submit(_metadata, &q, dw);
	}
	A_IDLE(&q);
	EXPECT_EQ((uint64_t)n, *a_rptr(&q));
	EXPECT_EQ(0, a_val(&sigs, 1));
	a_queue_destroy(_metadata, &self->b.p, &q);
}

/*
 * A dispatch of code vkfd cannot run halts its queue: the context's
 * MEMORY event reports the code's page, neither not-present nor
 * read-only; the completion signal is untouched, the read index stays at
 * the packet. A queue of another context goes on and sees nothing.
 */
TEST_F(aql, dispatch_not_executed)
{
	struct vkfd_memory_fault f = { 0 };
	struct s_buf sigs, osigs;
	uint32_t dw[16], ev, oev, result;
	struct vkfd_context s;
	struct a_queue q, o;
	int render;

	S_NEED_GPU();
	ASSERT_EQ(0, vkfd_secondary_vm(&self->b.env, self->b.gpu[0], &s,
				       &render));
	a_sigs(_metadata, &self->b.p, self->b.render, self->b.gpu[0], &sigs);
	a_sigs(_metadata, &s, render, self->b.gpu[0], &osigs);
	ev = s_memory_event(_metadata, &self->b.p);
	oev = s_memory_event(_metadata, &s);
	*s_u64(&sigs, A_KOBJ + 16) = A_CODE - A_KOBJ;
	*s_u32(&sigs, A_CODE) = A_S_NOP;
	a_sig(&sigs, 1, 1);
	a_sig(&osigs, 1, 1);
	a_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0, &q);
	a_queue_new(_metadata, &s, render, self->b.gpu[0], 1, &o);

	vkfd_aql_dispatch(dw, A_SIGS_VA + A_KOBJ, A_SIGS_VA + A_SIG(1));
	a_submit(_metadata, &q, dw);
	ASSERT_EQ(0, vkfd_event_wait_fault(&self->b.p, ev, S_WAIT_MS, &result,
					   &f));
	ASSERT_EQ(S_EV_COMPLETE, result);
	EXPECT_EQ(A_SIGS_VA, f.va);
	EXPECT_EQ(self->b.gpu[0], f.gpu_id);
	EXPECT_FALSE(f.not_present);
	EXPECT_FALSE(f.read_only);
	EXPECT_EQ(1ULL, S_FAULTS(self->b.p.fd));
	EXPECT_EQ(0ULL, *a_rptr(&q));
	EXPECT_EQ(1, a_val(&sigs, 1));
	EXPECT_EQ((uint32_t)VKFD_AQL_DISPATCH, *s_u32(&q.ring, 0) & 0xff);

	/* The other context's queue goes on, without an event */
	a_barrier(dw, VKFD_AQL_AND, 0, 0, A_SIGS_VA + A_SIG(1));
	a_submit(_metadata, &o, dw);
	A_IDLE(&o);
	EXPECT_EQ(0, a_val(&osigs, 1));
	EXPECT_EQ(0ULL, S_FAULTS(s.fd));
	ASSERT_EQ(0, vkfd_event_wait(&s, &oev, 1, false, 0, &result));
	EXPECT_EQ(S_EV_TIMEOUT, result);

	/* The halted queue never runs again */
	a_submit(_metadata, &q, dw);
	a_engines_went_round(_metadata, &self->b.p, self->b.render,
			     self->b.gpu[0], &sigs, 4);
	EXPECT_EQ(0ULL, *a_rptr(&q));
	EXPECT_EQ(1, a_val(&sigs, 1));
	EXPECT_EQ(1ULL, S_FAULTS(self->b.p.fd));

	a_queue_destroy(_metadata, &self->b.p, &q);
	a_queue_destroy(_metadata, &s, &o);
	vkfd_close(&s);
	close(render);
}

/*
 * A dependency signal nothing maps: the queue halts at the packet, the
 * fault (not present) reaches its context; its other queue goes on.
 */
TEST_F(aql, bad_signal_faults)
{
	struct vkfd_memory_fault f = { 0 };
	uint32_t dw[16], ev, result;
	struct a_queue a, b;
	struct s_buf sigs;

	S_NEED_GPU();
	a_sigs(_metadata, &self->b.p, self->b.render, self->b.gpu[0], &sigs);
	ev = s_memory_event(_metadata, &self->b.p);
	a_sig(&sigs, 1, 1);
	a_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0, &a);
	a_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 1, &b);
	a_barrier(dw, VKFD_AQL_AND, 0, 0, A_SIGS_VA + A_SIG(1));
	a_submit(_metadata, &a, dw);
	a_barrier(dw, VKFD_AQL_OR, S_HOLE_VA + 0x1000, 0, A_SIGS_VA + A_SIG(1));
	a_submit(_metadata, &a, dw);
	ASSERT_EQ(0, vkfd_event_wait_fault(&self->b.p, ev, S_WAIT_MS, &result,
					   &f));
	ASSERT_EQ(S_EV_COMPLETE, result);
	EXPECT_EQ(S_HOLE_VA + 0x1000, f.va);
	EXPECT_TRUE(f.not_present);
	EXPECT_FALSE(f.read_only);
	/* The first packet was done, and reported */
	ASSERT_TRUE(s_wait_u64(a_rptr(&a), 1));
	EXPECT_EQ(0, a_val(&sigs, 1));
	EXPECT_EQ(1ULL, S_FAULTS(self->b.p.fd));

	a_sig(&sigs, 1, 1);
	a_barrier(dw, VKFD_AQL_AND, 0, 0, A_SIGS_VA + A_SIG(1));
	a_submit(_metadata, &b, dw);
	A_IDLE(&b);
	EXPECT_EQ(0, a_val(&sigs, 1));
	EXPECT_EQ(1ULL, *a_rptr(&a));
	a_queue_destroy(_metadata, &self->b.p, &a);
	a_queue_destroy(_metadata, &self->b.p, &b);
}

TEST_HARNESS_MAIN
