// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Hostile compute tenants: a secondary whose COMPUTE (PM4) or
 * COMPUTE_AQL queues do what a hostile program would - a WAIT_REG_MEM or
 * a barrier that never completes, INDIRECT_BUFFERs of the largest size
 * filled with one-dword packets, a ring kept full of RELEASE_MEM
 * interrupts, AQL packets with invalid headers rung again and again -
 * next to the primary's SDMA, PM4 and AQL queues on the same GPU. The
 * primary's work completes round after round; DESTROY_QUEUE and close()
 * of the hostile tenant return; the kernel does not complain (the
 * guest's splat scan). Waits are bounded by S_WAIT_MS, a bound and never
 * the measure of a result.
 *
 * vkfd only: the amdkfd lane has no GPU.
 */
#include <pthread.h>
#include <sched.h>

#include "kselftest_harness.h"
#include "pm4_utils.h"

#define H_ROUNDS	20
#define H_HOSTILE	2	/* hostile queues: round robin puts one on each engine */
#define H_VICTIM_RING	(H_HOSTILE + 1)
#define H_IB_DW		VKFD_PM4_IB_SIZE_MASK	/* the largest IB */
#define H_IB_VA		0x180000000ULL
#define H_AQL_PKT	64
#define H_AQL_INVALID	1
#define H_AQL_AND	3
#define H_AQL_BARRIER	(1u << 8)
#define H_SIG_VALUE	8

enum hostile { WAIT_FOREVER, WAIT64_FOREVER, IB_BOUND, INT_STORM,
	       AQL_BARRIER_FOREVER, AQL_INVALID };

FIXTURE_VARIANT(pm4) {
	enum hostile kind;
};

FIXTURE_VARIANT_ADD(pm4, wait_forever) { .kind = WAIT_FOREVER };
FIXTURE_VARIANT_ADD(pm4, wait64_forever) { .kind = WAIT64_FOREVER };
FIXTURE_VARIANT_ADD(pm4, ib_bound) { .kind = IB_BOUND };
FIXTURE_VARIANT_ADD(pm4, int_storm) { .kind = INT_STORM };
FIXTURE_VARIANT_ADD(pm4, aql_barrier_forever) { .kind = AQL_BARRIER_FOREVER };
FIXTURE_VARIANT_ADD(pm4, aql_invalid) { .kind = AQL_INVALID };

static bool h_is_aql(enum hostile kind)
{
	return kind == AQL_BARRIER_FOREVER || kind == AQL_INVALID;
}

/* CREATE_QUEUE of a COMPUTE_AQL queue, its ring all INVALID headers. */
static void h_aql_new(struct __test_metadata *_metadata,
		      const struct vkfd_context *c, int render, uint32_t gpu_id,
		      unsigned int n, struct p_queue *q)
{
	struct kfd_ioctl_create_queue_args a = { 0 };
	uint64_t va = P_RING_VA + n * S_RING_STEP;
	uint64_t mask = VKFD_DOORBELL_PAGE_SIZE - 1, i;
	void *db;

	memset(q, 0, sizeof(*q));
	s_buf_new(_metadata, c, render, gpu_id, va, P_RING + S_PAGE, S_GTT_RW,
		  &q->ring);
	for (i = 0; i < P_RING; i += H_AQL_PKT)
		*s_u32(&q->ring, i) = H_AQL_INVALID;
	vkfd_queue_args(&a, gpu_id, KFD_IOC_QUEUE_TYPE_COMPUTE_AQL, va, P_RING);
	ASSERT_EQ(0, vkfd_ioctl(c->fd, AMDKFD_IOC_CREATE_QUEUE, &a));
	db = mmap(NULL, VKFD_DOORBELL_PAGE_SIZE, PROT_READ | PROT_WRITE,
		  MAP_SHARED, c->fd, (off_t)(a.doorbell_offset & ~mask));
	ASSERT_NE(MAP_FAILED, db);
	q->ctx_fd = c->fd;
	q->id = a.queue_id;
	q->size = P_RING;
	q->doorbell = (volatile uint64_t *)((char *)db +
					    (a.doorbell_offset & mask));
	q->db_page = db;
}

/* The AQL read index: the id of the next packet */
static volatile uint64_t *h_aql_rptr(const struct p_queue *q)
{
	return s_u64(&q->ring, P_RING);
}

/*
 * Write the packet @dw at the next id, its header last, and ring it:
 * -ENOSPC if the ring is full (a halted or waiting queue).
 */
static int h_aql_submit(struct p_queue *q, const uint32_t *dw)
{
	uint64_t id = q->wptr;
	volatile uint32_t *slot = s_u32(&q->ring, (id * H_AQL_PKT) % P_RING);
	int i;

	if (id - *h_aql_rptr(q) >= P_RING / H_AQL_PKT)
		return -ENOSPC;
	q->wptr++;
	for (i = 1; i < H_AQL_PKT / 4; i++)
		slot[i] = dw[i];
	__atomic_store_n(slot, dw[0], __ATOMIC_RELEASE);
	__atomic_store_n(q->doorbell, id, __ATOMIC_RELEASE);
	return 0;
}

/* A barrier-AND on @dep (0: none) completing @done (0: none) */
static void h_aql_barrier(uint32_t *dw, uint64_t dep, uint64_t done)
{
	memset(dw, 0, H_AQL_PKT);
	dw[0] = H_AQL_AND | H_AQL_BARRIER;
	dw[2] = (uint32_t)dep;
	dw[3] = (uint32_t)(dep >> 32);
	dw[14] = (uint32_t)done;
	dw[15] = (uint32_t)(done >> 32);
}

struct storm {
	enum hostile kind;
	struct p_queue *q;
	uint64_t ib;		/* INDIRECT_BUFFER's address */
	uint32_t ctxid;		/* RELEASE_MEM's interrupt context */
	uint64_t sig;		/* a signal that stays at 1 */
	unsigned int seed;
	volatile bool stop;
	uint64_t submitted;
};

/*
 * The packets of one refill of a hostile ring into @dw (at most @max
 * dwords): returns how many.
 */
static uint32_t storm_fill(struct storm *s, uint32_t *dw, uint32_t max)
{
	uint32_t n = 0;

	switch (s->kind) {
	case IB_BOUND:
		while (n + VKFD_PM4_INDIRECT_BUFFER_DW <= max)
			n += vkfd_pm4_pkt_ib(dw + n, s->ib, H_IB_DW);
		break;
	case INT_STORM:
		while (n + VKFD_PM4_RELEASE_MEM_DW <= max)
			n += vkfd_pm4_pkt_release_mem(dw + n,
						      VKFD_PM4_RM_DATA_NONE,
						      VKFD_PM4_RM_INT_CTXID, 0,
						      0, s->ctxid);
		break;
	default:
		break;
	}
	return n;
}

/* Keep the hostile ring busy: refill it, ring its doorbell. */
static void *storm_run(void *arg)
{
	struct storm *s = arg;
	uint32_t dw[P_RING / 8];
	uint32_t n;
	int i;

	while (!s->stop) {
		if (s->kind == AQL_INVALID) {
			/* headers of every invalid kind, and doorbell junk */
			memset(dw, 0xa5, H_AQL_PKT);
			dw[0] = (s->seed++ % 2) ? 4 : 0xff;	/* AGENT, unknown */
			if (h_aql_submit(s->q, dw)) {
				__atomic_store_n(s->q->doorbell,
						 s->q->wptr + s->seed,
						 __ATOMIC_RELEASE);
				sched_yield();
			}
			s->submitted++;
			continue;
		}
		if (s->kind == AQL_BARRIER_FOREVER) {
			h_aql_barrier(dw, s->sig, 0);
			for (i = 0; i < 4 && !h_aql_submit(s->q, dw); i++)
				s->submitted++;
			sched_yield();
			continue;
		}
		n = storm_fill(s, dw, P_RING / 8);
		if (!n || p_submit(s->q, dw, n))
			sched_yield();
		else
			s->submitted++;
	}
	return NULL;
}

/* Give the hostile queue @q its first packets. */
static void hostile_start(struct __test_metadata *_metadata,
			  enum hostile kind, struct p_queue *q,
			  const struct s_buf *b, struct storm *s)
{
	uint32_t dw[P_RING / 8], n;

	switch (kind) {
	case WAIT_FOREVER:
		/* the dword at b is 0: never equal to 1, polled at once */
		n = vkfd_pm4_pkt_wait_mem(dw, b->bo.va, VKFD_PM4_WRM_FUNC_EQUAL,
					  1, ~0u, 0);
		P_SUBMIT(q, dw, n);
		break;
	case WAIT64_FOREVER:
		n = vkfd_pm4_pkt_wait_mem64(dw, b->bo.va,
					    VKFD_PM4_WRM_FUNC_EQUAL, 1, ~0ull,
					    0);
		P_SUBMIT(q, dw, n);
		break;
	case AQL_BARRIER_FOREVER:
		h_aql_barrier(dw, s->sig, 0);
		ASSERT_EQ(0, h_aql_submit(q, dw));
		break;
	default:
		n = storm_fill(s, dw, P_RING / 8);
		if (n)
			P_SUBMIT(q, dw, n);
		break;
	}
}

/* One round of the victim: each of its queues does work and is checked. */
static void victim_round(struct __test_metadata *_metadata,
			 struct vkfd_queue *sq, struct p_queue *pq,
			 struct p_queue *aq, const struct s_buf *b,
			 uint32_t i)
{
	uint32_t dw[H_AQL_PKT / 4];

	S_SUBMIT(sq, dw, vkfd_sdma_fence(dw, b->bo.va, i));
	P_SUBMIT(pq, dw, vkfd_pm4_pkt_write_data(dw, b->bo.va + 4, &i, 1,
						 false));
	*s_u64(b, 64 + H_SIG_VALUE) = 1;
	*s_u64(b, 64 + 16) = 0;	/* no mailbox */
	h_aql_barrier(dw, 0, b->bo.va + 64);
	ASSERT_EQ(0, h_aql_submit(aq, dw));
	S_IDLE(sq);
	P_IDLE(pq);
	ASSERT_TRUE(s_wait_u64(h_aql_rptr(aq), aq->wptr));
	EXPECT_EQ(i, *s_u32(b, 0));
	EXPECT_EQ(i, *s_u32(b, 4));
	EXPECT_EQ(0ULL, *s_u64(b, 64 + H_SIG_VALUE));
}

/*
 * A hostile compute tenant in a secondary, two queues (one destroyed,
 * one left to close()): the primary's SDMA, PM4 and AQL queues complete
 * H_ROUNDS rounds of work meanwhile and after.
 */
TEST_F(pm4, hostile_tenant)
{
	enum hostile kind = variant->kind;
	struct p_queue hq[H_HOSTILE], pq, aq;
	struct storm storm = { .kind = kind };
	struct vkfd_queue sq;
	struct vkfd_context s;
	struct vkfd_event ev;
	struct s_buf b, hb, ib;
	pthread_t thread = 0;
	bool threaded;
	uint32_t i;
	int render;

	P_NEED_GPU();
	ASSERT_EQ(0, vkfd_secondary_vm(&self->b.env, self->b.gpu[0], &s,
				       &render));
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA, S_PAGE, S_GTT_RW, &b);
	s_buf_new(_metadata, &s, render, self->b.gpu[0], S_BUF_VA, S_PAGE,
		  S_GTT_RW, &hb);
	memset(hb.cpu, 0, S_PAGE);
	/* the hostile signal: value 1, never decremented */
	*s_u64(&hb, 128 + H_SIG_VALUE) = 1;
	storm.sig = hb.bo.va + 128;
	ib.cpu = NULL;
	if (kind == IB_BOUND) {
		s_buf_new(_metadata, &s, render, self->b.gpu[0], H_IB_VA,
			  (H_IB_DW * 4 + S_PAGE - 1) & ~(S_PAGE - 1), S_GTT_RW,
			  &ib);
		for (i = 0; i < H_IB_DW; i++)
			*s_u32(&ib, 4 * i) = VKFD_PM4_TYPE2;
		storm.ib = ib.bo.va;
	}
	if (kind == INT_STORM) {
		ASSERT_EQ(0, vkfd_event_create(&s, KFD_IOC_EVENT_SIGNAL, false,
					       0, &ev));
		storm.ctxid = ev.id;
	}

	s_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0,
		    S_RING, &sq);
	p_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		    H_VICTIM_RING, P_RING, &pq);
	h_aql_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  H_VICTIM_RING + 1, &aq);
	for (i = 0; i < H_HOSTILE; i++) {
		if (h_is_aql(kind))
			h_aql_new(_metadata, &s, render, self->b.gpu[0], i,
				  &hq[i]);
		else
			p_queue_new(_metadata, &s, render, self->b.gpu[0], i,
				    P_RING, &hq[i]);
		storm.q = &hq[i];
		hostile_start(_metadata, kind, &hq[i], &hb, &storm);
	}
	/* the last hostile queue is kept busy by a thread of its own */
	threaded = kind == IB_BOUND || kind == INT_STORM ||
		   kind == AQL_INVALID || kind == AQL_BARRIER_FOREVER;
	if (threaded)
		ASSERT_EQ(0, pthread_create(&thread, NULL, storm_run, &storm));

	for (i = 1; i <= H_ROUNDS; i++)
		victim_round(_metadata, &sq, &pq, &aq, &b, i);
	/* the hostile queue is still there, not halted by the victim */
	if (kind == WAIT_FOREVER || kind == WAIT64_FOREVER)
		EXPECT_EQ(0U, *hq[0].rptr);
	if (kind == AQL_BARRIER_FOREVER)
		EXPECT_EQ(0ULL, *h_aql_rptr(&hq[0]));

	EXPECT_EQ(0, p_queue_destroy(&hq[0]));
	if (threaded) {
		storm.stop = true;
		pthread_join(thread, NULL);
		/* the largest IBs keep the ring busy: nothing to refill */
		if (kind != IB_BOUND)
			EXPECT_LT(0ULL, storm.submitted);
	}
	EXPECT_EQ(0, vkfd_close(&s));
	close(render);
	/* The doorbell mapping holds the fd's file: unmapping ends it */
	munmap(hq[H_HOSTILE - 1].db_page, VKFD_DOORBELL_PAGE_SIZE);
	for (i = 0; i < H_HOSTILE; i++)
		vkfd_bo_munmap(&hq[i].ring.bo, hq[i].ring.cpu);
	vkfd_bo_munmap(&hb.bo, hb.cpu);
	if (ib.cpu)
		vkfd_bo_munmap(&ib.bo, ib.cpu);
	EXPECT_EQ(1, vkfd_ctx_rows(self->b.pid));

	victim_round(_metadata, &sq, &pq, &aq, &b, 0x42);
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &sq));
	EXPECT_EQ(0, p_queue_destroy(&pq));
	EXPECT_EQ(0, p_queue_destroy(&aq));
}

TEST_HARNESS_MAIN
