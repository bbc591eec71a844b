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
#include "sdma_utils.h"

#define A_RING		4096ULL		/* 64 packets */
#define A_PKT		64
#define A_SIGS_VA	0x200000000ULL	/* signals, and the kernel object */
#define A_SIG(n)	((uint64_t)(n) * 64)	/* amd_signal_t n */
#define A_KOBJ		2048		/* a kernel descriptor ... */
#define A_CODE		(A_KOBJ + 256)	/* ... and its code */

/* hsa_packet_type_t, AMD's vendor formats, amd_signal_t */
#define A_VENDOR	0
#define A_INVALID	1
#define A_DISPATCH	2
#define A_AND		3
#define A_OR		5
#define A_BARRIER_BIT	(1u << 8)
#define A_PM4_IB	1
#define A_BARRIER_VALUE	2
#define A_SIG_VALUE	8
#define A_SIG_MAILBOX	16
#define A_SIG_EVENT_ID	24
#define A_S_ENDPGM	0xbf810000u
#define A_S_NOP		0xbf800000u

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

/**
 * struct a_queue - an AQL queue, as ROCr's AqlQueue holds it
 * @ring: the ring and, after it, read_dispatch_id and write_dispatch_id
 * @id: queue_id
 * @wr: the next packet id
 * @doorbell: the 64-bit doorbell
 * @db_page: its mapping
 */
struct a_queue {
	struct s_buf ring;
	uint32_t id;
	uint64_t wr;
	volatile uint64_t *doorbell;
	void *db_page;
};

static volatile uint64_t *a_rptr(const struct a_queue *q)
{
	return s_u64(&q->ring, A_RING);
}

static void a_queue_new(struct __test_metadata *_metadata,
			const struct vkfd_context *c, int render,
			uint32_t gpu_id, unsigned int n, struct a_queue *q)
{
	struct kfd_ioctl_create_queue_args args = { 0 };
	uint64_t va = S_RING_VA + n * S_RING_STEP, mask;
	unsigned int i;
	void *db;

	s_buf_new(_metadata, c, render, gpu_id, va, A_RING + S_PAGE, S_GTT_RW,
		  &q->ring);
	for (i = 0; i < A_RING / A_PKT; i++)
		*s_u32(&q->ring, i * A_PKT) = A_INVALID;
	args.ring_base_address = va;
	args.ring_size = A_RING;
	args.gpu_id = gpu_id;
	args.queue_type = KFD_IOC_QUEUE_TYPE_COMPUTE_AQL;
	args.queue_percentage = KFD_MAX_QUEUE_PERCENTAGE;
	args.queue_priority = 7;
	args.read_pointer_address = va + A_RING;
	args.write_pointer_address = va + A_RING + 8;
	ASSERT_EQ(0, vkfd_ioctl(c->fd, AMDKFD_IOC_CREATE_QUEUE, &args));
	mask = VKFD_DOORBELL_PAGE_SIZE - 1;
	db = mmap(NULL, VKFD_DOORBELL_PAGE_SIZE, PROT_READ | PROT_WRITE,
		  MAP_SHARED, c->fd, (off_t)(args.doorbell_offset & ~mask));
	ASSERT_NE(MAP_FAILED, db);
	q->id = args.queue_id;
	q->wr = 0;
	q->db_page = db;
	q->doorbell = (volatile uint64_t *)((char *)db +
					    (args.doorbell_offset & mask));
}

static void a_queue_destroy(struct __test_metadata *_metadata,
			    const struct vkfd_context *c, struct a_queue *q)
{
	struct kfd_ioctl_destroy_queue_args args = { .queue_id = q->id };

	EXPECT_EQ(0, vkfd_ioctl(c->fd, AMDKFD_IOC_DESTROY_QUEUE, &args));
	munmap(q->db_page, VKFD_DOORBELL_PAGE_SIZE);
}

/* Write @dw at the next packet id, the header last, and ring it. */
static void a_submit(struct __test_metadata *_metadata, struct a_queue *q,
		     const uint32_t *dw)
{
	uint64_t id = q->wr++;
	volatile uint32_t *slot = s_u32(&q->ring, (id * A_PKT) % A_RING);
	unsigned int i;

	ASSERT_LT(id - *a_rptr(q), A_RING / A_PKT);
	for (i = 1; i < A_PKT / 4; i++)
		slot[i] = dw[i];
	__atomic_store_n(slot, dw[0], __ATOMIC_RELEASE);
	__atomic_store_n(q->doorbell, id, __ATOMIC_RELEASE);
}

/* Everything submitted to @q consumed: the read index caught up. */
#define A_IDLE(q)	ASSERT_TRUE(s_wait_u64(a_rptr(q), (q)->wr))

static void a_set64(uint32_t *dw, unsigned int off, uint64_t v)
{
	dw[off / 4] = (uint32_t)v;
	dw[off / 4 + 1] = (uint32_t)(v >> 32);
}

/* A barrier of @type on @d0, @d1 (0: none), completing @done */
static void a_barrier(uint32_t *dw, uint32_t type, uint64_t d0, uint64_t d1,
		      uint64_t done)
{
	memset(dw, 0, A_PKT);
	dw[0] = type | A_BARRIER_BIT;
	a_set64(dw, 8, d0);
	a_set64(dw, 16, d1);
	a_set64(dw, 56, done);
}

static void a_dispatch(uint32_t *dw, uint64_t kobj, uint64_t done)
{
	memset(dw, 0, A_PKT);
	/* 1 dimension, a 64-lane group of 1 x 1 x 1 grid */
	dw[0] = A_DISPATCH | A_BARRIER_BIT | 1u << 16;
	dw[1] = 64 | 1u << 16;
	dw[2] = 1;
	dw[3] = 64;
	dw[4] = 1;
	dw[5] = 1;
	a_set64(dw, 32, kobj);
	a_set64(dw, 56, done);
}

/* Signal @n of @sigs: @value, no mailbox */
static void a_sig(const struct s_buf *sigs, unsigned int n, int64_t value)
{
	*s_u64(sigs, A_SIG(n) + A_SIG_MAILBOX) = 0;
	__atomic_store_n(s_u64(sigs, A_SIG(n) + A_SIG_VALUE), (uint64_t)value,
			 __ATOMIC_RELEASE);
}

static int64_t a_val(const struct s_buf *sigs, unsigned int n)
{
	return (int64_t)__atomic_load_n(s_u64(sigs, A_SIG(n) + A_SIG_VALUE),
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
		a_barrier(dw, A_AND, 0, 0, sigs->bo.va + A_SIG(60 + i));
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
	a_barrier(dw, A_AND, A_SIGS_VA + A_SIG(1), A_SIGS_VA + A_SIG(2),
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
	EXPECT_EQ((uint32_t)A_INVALID, *s_u32(&q.ring, 0) & 0xffff);
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
	a_barrier(dw, A_AND, A_SIGS_VA + A_SIG(1), 0, A_SIGS_VA + A_SIG(2));
	a_submit(_metadata, &a, dw);
	/* OR: signal 3 never moves; 2 does, A's completion */
	a_barrier(dw, A_OR, A_SIGS_VA + A_SIG(3), A_SIGS_VA + A_SIG(2),
		  A_SIGS_VA + A_SIG(4));
	a_submit(_metadata, &a, dw);
	a_engines_went_round(_metadata, &self->b.p, self->b.render,
			     self->b.gpu[0], &sigs, 4);
	EXPECT_EQ(0ULL, *a_rptr(&a));

	/* B completes signal 1 */
	a_barrier(dw, A_AND, 0, 0, A_SIGS_VA + A_SIG(1));
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
	*s_u64(&sigs, A_SIG(1) + A_SIG_MAILBOX) = S_EV_VA + 8 * ev.slot;
	*s_u32(&sigs, A_SIG(1) + A_SIG_EVENT_ID) = ev.trigger;
	a_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0, &q);

	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, &ev.id, 1, false, 0, &result));
	EXPECT_EQ(S_EV_TIMEOUT, result);
	a_barrier(dw, A_AND, 0, 0, A_SIGS_VA + A_SIG(1));
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
	*s_u32(&sigs, A_CODE) = A_S_ENDPGM;
	a_sig(&sigs, 1, 2);
	a_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0, &q);
	a_dispatch(dw, A_SIGS_VA + A_KOBJ, A_SIGS_VA + A_SIG(1));
	a_submit(_metadata, &q, dw);
	A_IDLE(&q);
	EXPECT_EQ(1, a_val(&sigs, 1));

	/* ROCr's ExecutePM4(): the IB is not executed, the packet completes */
	memset(dw, 0, sizeof(dw));
	dw[0] = A_VENDOR | A_PM4_IB << 16;
	dw[1] = 0xc0023f00;
	dw[2] = (uint32_t)(S_HOLE_VA >> 2);
	dw[4] = 4 | 1u << 23;
	dw[5] = 0xa;
	a_set64(dw, 56, A_SIGS_VA + A_SIG(1));
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
	dw[0] = A_VENDOR | A_BARRIER_BIT | A_BARRIER_VALUE << 16;
	a_set64(dw, 8, A_SIGS_VA + A_SIG(1));
	a_set64(dw, 16, 5);			/* value */
	a_set64(dw, 24, 0xff);			/* mask */
	dw[8] = 2;				/* HSA_SIGNAL_CONDITION_LT */
	a_set64(dw, 56, A_SIGS_VA + A_SIG(2));
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
	unsigned int i, n = 3 * A_RING / A_PKT + 5;
	struct s_buf sigs;
	struct a_queue q;
	uint32_t dw[16];

	S_NEED_GPU();
	a_sigs(_metadata, &self->b.p, self->b.render, self->b.gpu[0], &sigs);
	a_sig(&sigs, 1, n);
	a_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0, &q);
	a_barrier(dw, A_AND, 0, 0, A_SIGS_VA + A_SIG(1));
	for (i = 0; i < n; i++) {
		if (q.wr - *a_rptr(&q) == A_RING / A_PKT)
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

	a_dispatch(dw, A_SIGS_VA + A_KOBJ, A_SIGS_VA + A_SIG(1));
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
	EXPECT_EQ((uint32_t)A_DISPATCH, *s_u32(&q.ring, 0) & 0xff);

	/* The other context's queue goes on, without an event */
	a_barrier(dw, A_AND, 0, 0, A_SIGS_VA + A_SIG(1));
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
	a_barrier(dw, A_AND, 0, 0, A_SIGS_VA + A_SIG(1));
	a_submit(_metadata, &a, dw);
	a_barrier(dw, A_OR, S_HOLE_VA + 0x1000, 0, A_SIGS_VA + A_SIG(1));
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
	a_barrier(dw, A_AND, 0, 0, A_SIGS_VA + A_SIG(1));
	a_submit(_metadata, &b, dw);
	A_IDLE(&b);
	EXPECT_EQ(0, a_val(&sigs, 1));
	EXPECT_EQ(1ULL, *a_rptr(&a));
	a_queue_destroy(_metadata, &self->b.p, &a);
	a_queue_destroy(_metadata, &self->b.p, &b);
}

TEST_HARNESS_MAIN
