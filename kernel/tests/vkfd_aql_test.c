// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit tests of the AQL packet processor (vkfd_aql.c) against a queue
 * and a GPU VM built by the SDMA fixture (vkfd_sdma_test.h), the queue
 * made a COMPUTE_AQL one whose ring holds INVALID headers, as ROCr leaves
 * it: every packet type, completion signals and their mailbox and
 * interrupt, the ring wrapping, slices, invalid packets and faults.
 */
#include "../vkfd_aql.h"
#include "vkfd_sdma_test.h"

/* In the data pages: signals (amd_signal_t, 64 bytes each) from 0 */
#define SIG(n)		((n) * 64ULL)
#define SIG_VA(n)	(DATA_VA + SIG(n))
#define MAILBOX		0x800ULL	/* an event's mailbox */
#define KOBJ		0x1000ULL	/* a kernel descriptor */
#define CODE		0x1100ULL	/* its code */
#define RING_SLOTS	(RING_SIZE / VKFD_AQL_PKT_SIZE)
#define S_WAITCNT	0xbf8c0000U	/* a gfx9 instruction: not s_endpgm */

static u64 *d64(struct sdma_test *t, u64 off)
{
	return (u64 *)data(t, off);
}

static u32 *slot(struct sdma_test *t, u64 id)
{
	u64 off = (id * VKFD_AQL_PKT_SIZE) & (RING_SIZE - 1);

	return page_of(t, P_RING + off / PG) + off % PG;
}

static void set64(u32 *dw, unsigned int off, u64 v)
{
	dw[off / 4] = lower_32_bits(v);
	dw[off / 4 + 1] = upper_32_bits(v);
}

/* Write a packet at the next id, its header last, as ROCr does. */
static void submit(struct sdma_test *t, const u32 *dw)
{
	u32 *s = slot(t, t->wptr++);

	memcpy(s + 1, dw + 1, VKFD_AQL_PKT_SIZE - 4);
	WRITE_ONCE(s[0], dw[0]);
}

static void pkt_barrier(u32 *dw, u32 type, u64 d0, u64 d1, u64 d2, u64 done)
{
	memset(dw, 0, VKFD_AQL_PKT_SIZE);
	dw[0] = type | VKFD_AQL_HDR_BARRIER;
	set64(dw, VKFD_AQL_OFF_DEP_SIGNAL, d0);
	set64(dw, VKFD_AQL_OFF_DEP_SIGNAL + 8, d1);
	/* The last dependency, to see all five are looked at */
	set64(dw, VKFD_AQL_OFF_DEP_SIGNAL + 32, d2);
	set64(dw, VKFD_AQL_OFF_COMPLETION, done);
}

static void pkt_dispatch(u32 *dw, u64 kobj, u64 done)
{
	memset(dw, 0, VKFD_AQL_PKT_SIZE);
	dw[0] = VKFD_AQL_TYPE_KERNEL_DISPATCH | 1 << 16;	/* setup: 1 dim */
	set64(dw, VKFD_AQL_OFF_KERNEL_OBJECT, kobj);
	set64(dw, VKFD_AQL_OFF_COMPLETION, done);
}

static void pkt_vendor(u32 *dw, u32 format, u64 done)
{
	memset(dw, 0, VKFD_AQL_PKT_SIZE);
	dw[0] = VKFD_AQL_TYPE_VENDOR | format << 16;
	set64(dw, VKFD_AQL_OFF_COMPLETION, done);
}

/* Signal @n: @value, and a mailbox with @event_id if @event_id. */
static void sig_set(struct sdma_test *t, unsigned int n, s64 value,
		    u32 event_id)
{
	*d64(t, SIG(n) + VKFD_AQL_SIG_VALUE) = value;
	*d64(t, SIG(n) + VKFD_AQL_SIG_MAILBOX) = event_id ? DATA_VA + MAILBOX : 0;
	*data(t, SIG(n) + VKFD_AQL_SIG_EVENT_ID) = event_id;
}

static s64 sig_value(struct sdma_test *t, unsigned int n)
{
	return *d64(t, SIG(n) + VKFD_AQL_SIG_VALUE);
}

static enum vkfd_sdma_status run_aql(struct sdma_test *t,
				     struct vkfd_sdma_run *r, long budget)
{
	enum vkfd_sdma_status st;

	memset(r, 0, sizeof(*r));
	r->budget = budget;
	mutex_lock(&t->ctx.mem_lock);
	st = vkfd_sdma_exec_locked(&t->q, r);
	mutex_unlock(&t->ctx.mem_lock);
	return st;
}

static enum vkfd_sdma_status aql(struct sdma_test *t, struct vkfd_sdma_run *r)
{
	return run_aql(t, r, VKFD_SDMA_SLICE);
}

/* The park is over: look at the dependencies now. */
static void unpark(struct sdma_test *t)
{
	t->q.sdma.poll_next = 0;
}

static int aql_test_init(struct kunit *test)
{
	struct sdma_test *t;
	u64 i;
	int ret;

	ret = sdma_test_init(test);
	if (ret)
		return ret;
	t = test->priv;
	t->q.type = KFD_IOC_QUEUE_TYPE_COMPUTE_AQL;
	t->q.ops = &vkfd_aql_queue_ops;
	for (i = 0; i < RING_SLOTS; i++)
		*slot(t, i) = VKFD_AQL_TYPE_INVALID;
	/* A kernel descriptor whose code is at CODE, s_endpgm */
	*d64(t, KOBJ + VKFD_AQL_OFF_ENTRY) = CODE - KOBJ;
	*data(t, CODE) = VKFD_AQL_S_ENDPGM;
	return 0;
}

/* An empty ring, and INVALID headers: nothing to do, nothing done. */
static void vkfd_aql_test_empty(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;

	KUNIT_EXPECT_TRUE(test, vkfd_aql_queue_ready(&t->q, 0, 0));
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 0ULL);
	KUNIT_EXPECT_EQ(test, *slot(t, 0), (u32)VKFD_AQL_TYPE_INVALID);
}

/* BARRIER_AND waits for every dependency, then completes. */
static void vkfd_aql_test_barrier_and(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;
	u32 dw[16];

	sig_set(t, 1, 1, 0);
	sig_set(t, 2, 1, 0);
	sig_set(t, 3, 5, 0);
	pkt_barrier(dw, VKFD_AQL_TYPE_BARRIER_AND, SIG_VA(1), 0, SIG_VA(2),
		    SIG_VA(3));
	submit(t, dw);
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_POLL);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 0ULL);
	KUNIT_EXPECT_EQ(test, t->q.sdma.poll_tries, 1U);
	/* Parked: not ready again before its time */
	KUNIT_EXPECT_FALSE(test, vkfd_aql_queue_ready(&t->q, 0,
						      t->q.sdma.poll_next - 1));
	KUNIT_EXPECT_TRUE(test, vkfd_aql_queue_ready(&t->q, 0,
						     t->q.sdma.poll_next));

	sig_set(t, 1, 0, 0);
	unpark(t);
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_POLL);
	KUNIT_EXPECT_EQ(test, sig_value(t, 3), 5LL);
	KUNIT_EXPECT_EQ(test, t->q.sdma.poll_tries, 2U);

	sig_set(t, 2, 0, 0);
	unpark(t);
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 1ULL);
	KUNIT_EXPECT_EQ(test, sig_value(t, 3), 4LL);
	/* Consumed: INVALID again, the rest of the slot as it was */
	KUNIT_EXPECT_EQ(test, *slot(t, 0) & 0xffff, (u32)VKFD_AQL_TYPE_INVALID);
	KUNIT_EXPECT_EQ(test, slot(t, 0)[14], dw[14]);
	KUNIT_EXPECT_EQ(test, r.budget, VKFD_SDMA_SLICE - VKFD_SDMA_PKT_COST);
	KUNIT_EXPECT_EQ(test, r.traps, 0U);

	/* The read index written back: a u64 packet id */
	mutex_lock(&t->ctx.mem_lock);
	KUNIT_EXPECT_EQ(test, t->q.ops->rptr_write_locked(&t->q, &r.fault), 0);
	mutex_unlock(&t->ctx.mem_lock);
	KUNIT_EXPECT_EQ(test, *(u64 *)page_of(t, P_RPTR), 1ULL);
}

/* BARRIER_OR: one dependency at 0 is enough; none at all, at once. */
static void vkfd_aql_test_barrier_or(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;
	u32 dw[16];

	sig_set(t, 1, 1, 0);
	sig_set(t, 2, -1, 0);
	sig_set(t, 3, 2, 0);
	pkt_barrier(dw, VKFD_AQL_TYPE_BARRIER_OR, SIG_VA(1), SIG_VA(2), 0,
		    SIG_VA(3));
	submit(t, dw);
	pkt_barrier(dw, VKFD_AQL_TYPE_BARRIER_OR, 0, 0, 0, SIG_VA(3));
	submit(t, dw);
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_POLL);
	KUNIT_EXPECT_EQ(test, sig_value(t, 3), 2LL);

	sig_set(t, 2, 0, 0);
	unpark(t);
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 2ULL);
	KUNIT_EXPECT_EQ(test, sig_value(t, 3), 0LL);
	KUNIT_EXPECT_EQ(test, sig_value(t, 1), 1LL);
}

/*
 * A completion signal with a mailbox: decremented (64-bit, below 0 too),
 * event_id in the mailbox, an interrupt with it as context.
 */
static void vkfd_aql_test_completion(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;
	u32 dw[16];

	sig_set(t, 1, 0, 0x80000042);
	*d64(t, MAILBOX) = ~0ULL;
	pkt_barrier(dw, VKFD_AQL_TYPE_BARRIER_AND, 0, 0, 0, SIG_VA(1));
	submit(t, dw);
	submit(t, dw);
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_TRAP);
	KUNIT_EXPECT_EQ(test, r.int_context, 0x80000042U);
	KUNIT_EXPECT_EQ(test, r.traps, 1U);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 1ULL);
	KUNIT_EXPECT_EQ(test, sig_value(t, 1), -1LL);
	/* 32 bits written, as the CP: the slot is no longer all ones */
	KUNIT_EXPECT_EQ(test, *d64(t, MAILBOX), 0xffffffff80000042ULL);
	KUNIT_EXPECT_EQ(test, *slot(t, 0) & 0xffff, (u32)VKFD_AQL_TYPE_INVALID);
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_TRAP);
	KUNIT_EXPECT_EQ(test, sig_value(t, 1), -2LL);
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 2ULL);
}

/* s_endpgm completes; any other code halts at the packet, untouched. */
static void vkfd_aql_test_dispatch(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;
	u32 dw[16];

	sig_set(t, 1, 2, 0);
	pkt_dispatch(dw, DATA_VA + KOBJ, SIG_VA(1));
	submit(t, dw);
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 1ULL);
	KUNIT_EXPECT_EQ(test, sig_value(t, 1), 1LL);

	/* A negative entry offset: code before the descriptor */
	*d64(t, KOBJ + 0x200 + VKFD_AQL_OFF_ENTRY) = (u64)(s64)-0x200;
	*data(t, KOBJ) = VKFD_AQL_S_ENDPGM;
	pkt_dispatch(dw, DATA_VA + KOBJ + 0x200, SIG_VA(1));
	submit(t, dw);
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, sig_value(t, 1), 0LL);

	*data(t, CODE) = S_WAITCNT;
	pkt_dispatch(dw, DATA_VA + KOBJ, SIG_VA(1));
	submit(t, dw);
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, r.fault.va, DATA_VA + CODE);
	KUNIT_EXPECT_FALSE(test, r.fault.write);
	KUNIT_EXPECT_FALSE(test, r.fault.not_present);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 2ULL);
	KUNIT_EXPECT_EQ(test, sig_value(t, 1), 0LL);
	KUNIT_EXPECT_EQ(test, *slot(t, 2) & 0xffff,
			(u32)VKFD_AQL_TYPE_KERNEL_DISPATCH);

	/* A kernel object nothing maps */
	reset_at(t, 3);
	pkt_dispatch(dw, HOLE_VA, 0);
	submit(t, dw);
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, r.fault.va, HOLE_VA + VKFD_AQL_OFF_ENTRY);
	KUNIT_EXPECT_TRUE(test, r.fault.not_present);
}

/* AMD's vendor packets: PM4_IB completes, BARRIER_VALUE waits. */
static void vkfd_aql_test_vendor(struct kunit *test)
{
	static const struct {
		u32 cond;
		s64 ref, mask, val;
		bool met;
	} c[] = {
		{ VKFD_AQL_COND_EQ, 4, 0xf, 0x14, true },
		{ VKFD_AQL_COND_EQ, 4, 0xf, 0x13, false },
		{ VKFD_AQL_COND_NE, 4, -1, 4, false },
		{ VKFD_AQL_COND_NE, 4, -1, 5, true },
		{ VKFD_AQL_COND_LT, 0, -1, -1, true },
		{ VKFD_AQL_COND_LT, 0, -1, 0, false },
		{ VKFD_AQL_COND_GTE, -3, -1, -3, true },
		{ VKFD_AQL_COND_GTE, -3, -1, -4, false },
	};
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;
	unsigned int i;
	u32 dw[16];

	sig_set(t, 1, 3, 0);
	pkt_vendor(dw, VKFD_AQL_AMD_PM4_IB, SIG_VA(1));
	dw[1] = 0xc0023f00;	/* INDIRECT_BUFFER to a hole: not read */
	set64(dw, 8, HOLE_VA);
	dw[5] = 0xa;
	submit(t, dw);
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, sig_value(t, 1), 2LL);

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		reset_at(t, 10);
		sig_set(t, 2, c[i].val, 0);
		pkt_vendor(dw, VKFD_AQL_AMD_BARRIER_VALUE, SIG_VA(1));
		set64(dw, VKFD_AQL_OFF_BV_SIGNAL, SIG_VA(2));
		set64(dw, VKFD_AQL_OFF_BV_VALUE, c[i].ref);
		set64(dw, VKFD_AQL_OFF_BV_MASK, c[i].mask);
		dw[VKFD_AQL_OFF_BV_COND / 4] = c[i].cond;
		submit(t, dw);
		KUNIT_EXPECT_EQ_MSG(test, aql(t, &r),
				    c[i].met ? VKFD_SDMA_IDLE : VKFD_SDMA_POLL,
				    "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, t->q.sdma.rptr, c[i].met ? 11ULL : 10ULL,
				    "case %u", i);
	}
	KUNIT_EXPECT_EQ(test, sig_value(t, 1), 2LL - 4);

	/* Signal handle 0: met at once */
	reset_at(t, 20);
	pkt_vendor(dw, VKFD_AQL_AMD_BARRIER_VALUE, 0);
	submit(t, dw);
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 21ULL);
}

/* What vkfd does not execute halts the queue at the packet. */
static void vkfd_aql_test_invalid(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;
	u32 dw[16];

	sig_set(t, 1, 7, 0);
	pkt_vendor(dw, 3, SIG_VA(1));		/* AIE_ERT */
	submit(t, dw);
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_INVALID);

	reset_at(t, 1);
	pkt_vendor(dw, VKFD_AQL_AMD_BARRIER_VALUE, SIG_VA(1));
	dw[VKFD_AQL_OFF_BV_COND / 4] = VKFD_AQL_COND_GTE + 1;
	submit(t, dw);
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_INVALID);

	reset_at(t, 2);
	pkt_barrier(dw, VKFD_AQL_TYPE_AGENT_DISPATCH, 0, 0, 0, SIG_VA(1));
	submit(t, dw);
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_INVALID);

	reset_at(t, 3);
	pkt_barrier(dw, 6, 0, 0, 0, SIG_VA(1));
	submit(t, dw);
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_INVALID);

	/* Signal handles must be 8-byte aligned */
	reset_at(t, 4);
	pkt_barrier(dw, VKFD_AQL_TYPE_BARRIER_AND, 0, 0, 0, SIG_VA(1) + 4);
	submit(t, dw);
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_INVALID);
	reset_at(t, 5);
	pkt_barrier(dw, VKFD_AQL_TYPE_BARRIER_OR, SIG_VA(1) + 2, 0, 0, 0);
	submit(t, dw);
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_INVALID);

	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 5ULL);
	KUNIT_EXPECT_EQ(test, sig_value(t, 1), 7LL);
}

/* Memory not mapped as a packet needs: a fault at the packet. */
static void vkfd_aql_test_faults(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;
	u32 dw[16];

	pkt_barrier(dw, VKFD_AQL_TYPE_BARRIER_AND, SIG_VA(1), HOLE_VA, 0, 0);
	submit(t, dw);
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, r.fault.va, HOLE_VA + VKFD_AQL_SIG_VALUE);
	KUNIT_EXPECT_TRUE(test, r.fault.not_present);

	/* A completion signal on a read-only page: a write fault */
	reset_at(t, 1);
	pkt_barrier(dw, VKFD_AQL_TYPE_BARRIER_AND, 0, 0, 0, RO_VA);
	submit(t, dw);
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, r.fault.va, RO_VA + VKFD_AQL_SIG_VALUE);
	KUNIT_EXPECT_TRUE(test, r.fault.write);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 1ULL);

	/* A mailbox on a read-only page, after the decrement */
	reset_at(t, 2);
	sig_set(t, 1, 1, 9);
	*d64(t, SIG(1) + VKFD_AQL_SIG_MAILBOX) = RO_VA + 8;
	pkt_barrier(dw, VKFD_AQL_TYPE_BARRIER_AND, 0, 0, 0, SIG_VA(1));
	submit(t, dw);
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, r.fault.va, RO_VA + 8);
	KUNIT_EXPECT_EQ(test, sig_value(t, 1), 0LL);

	/* A ring nothing maps */
	reset_at(t, 0);
	t->q.ring_base = HOLE_VA;
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, r.fault.va, HOLE_VA);
	/* A read-only ring: the header cannot be given back */
	t->q.ring_base = RO_VA;
	*(u32 *)page_of(t, P_RO) = VKFD_AQL_TYPE_BARRIER_AND;
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_FAULT);
	KUNIT_EXPECT_EQ(test, r.fault.va, RO_VA);
	KUNIT_EXPECT_TRUE(test, r.fault.write);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 0ULL);
}

/* Packet ids wrap around the ring by mask; ids are never reduced. */
static void vkfd_aql_test_wrap(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;
	u32 dw[16];
	int i;

	reset_at(t, 3 * RING_SLOTS - 2);
	sig_set(t, 1, 10, 0);
	for (i = 0; i < 4; i++) {
		pkt_barrier(dw, VKFD_AQL_TYPE_BARRIER_AND, 0, 0, 0, SIG_VA(1));
		submit(t, dw);
	}
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 3 * RING_SLOTS + 2);
	KUNIT_EXPECT_EQ(test, sig_value(t, 1), 6LL);
	KUNIT_EXPECT_EQ(test, *slot(t, 0) & 0xffff, (u32)VKFD_AQL_TYPE_INVALID);
	KUNIT_EXPECT_EQ(test, *slot(t, 1) & 0xffff, (u32)VKFD_AQL_TYPE_INVALID);
}

/* Each packet costs its share of the slice; interrupts count as TRAPs. */
static void vkfd_aql_test_slices(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_run r;
	unsigned int i, traps = 0;
	enum vkfd_sdma_status st;
	u32 dw[16];

	sig_set(t, 1, 100, 0);
	for (i = 0; i < 10; i++) {
		pkt_barrier(dw, VKFD_AQL_TYPE_BARRIER_AND, 0, 0, 0, SIG_VA(1));
		submit(t, dw);
	}
	KUNIT_EXPECT_EQ(test, run_aql(t, &r, 3 * VKFD_SDMA_PKT_COST),
			VKFD_SDMA_BUDGET);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, 3ULL);
	KUNIT_EXPECT_EQ(test, aql(t, &r), VKFD_SDMA_IDLE);
	KUNIT_EXPECT_EQ(test, sig_value(t, 1), 90LL);

	/* The ring full of interrupting packets: one slice ends at 32. */
	reset_at(t, 0);
	sig_set(t, 1, 0, 5);
	for (i = 0; i < RING_SLOTS; i++) {
		pkt_barrier(dw, VKFD_AQL_TYPE_BARRIER_AND, 0, 0, 0, SIG_VA(1));
		submit(t, dw);
	}
	memset(&r, 0, sizeof(r));
	r.budget = VKFD_SDMA_SLICE;
	mutex_lock(&t->ctx.mem_lock);
	while ((st = vkfd_sdma_exec_locked(&t->q, &r)) == VKFD_SDMA_TRAP)
		traps++;
	mutex_unlock(&t->ctx.mem_lock);
	KUNIT_EXPECT_EQ(test, st, VKFD_SDMA_BUDGET);
	KUNIT_EXPECT_EQ(test, traps, VKFD_SDMA_SLICE_TRAPS);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, (u64)VKFD_SDMA_SLICE_TRAPS);
}

/* A queue never rung, or halted, is not ready, whatever its ring holds. */
static void vkfd_aql_test_halted(struct kunit *test)
{
	struct sdma_test *t = test->priv;

	KUNIT_EXPECT_FALSE(test, vkfd_aql_queue_ready(&t->q,
						      VKFD_AQL_DOORBELL_UNRUNG,
						      0));
	t->q.sdma.halted = true;
	KUNIT_EXPECT_FALSE(test, vkfd_aql_queue_ready(&t->q, 1, 0));
}

static struct kunit_case vkfd_aql_test_cases[] = {
	KUNIT_CASE(vkfd_aql_test_empty),
	KUNIT_CASE(vkfd_aql_test_barrier_and),
	KUNIT_CASE(vkfd_aql_test_barrier_or),
	KUNIT_CASE(vkfd_aql_test_completion),
	KUNIT_CASE(vkfd_aql_test_dispatch),
	KUNIT_CASE(vkfd_aql_test_vendor),
	KUNIT_CASE(vkfd_aql_test_invalid),
	KUNIT_CASE(vkfd_aql_test_faults),
	KUNIT_CASE(vkfd_aql_test_wrap),
	KUNIT_CASE(vkfd_aql_test_slices),
	KUNIT_CASE(vkfd_aql_test_halted),
	{}
};

static struct kunit_suite vkfd_aql_test_suite = {
	.name = "vkfd-aql",
	.init = aql_test_init,
	.exit = sdma_test_exit,
	.test_cases = vkfd_aql_test_cases,
};

kunit_test_suite(vkfd_aql_test_suite);
