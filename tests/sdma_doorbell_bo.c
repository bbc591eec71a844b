// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A GPU store into a DOORBELL buffer rings the doorbell, as a store to
 * the doorbell BAR does on hardware (chained queues: ROCr's and the
 * thunk's users make one queue start another):
 *
 *   fence_rings_armed_queue
 *			queue A's FENCE stores queue B's write pointer into
 *			B's doorbell, through a DOORBELL buffer: B runs its
 *			packets, though B's engine had armed the slice and
 *			left it, nothing on the CPU wrote B's doorbell, and
 *			no CPU mapping of the slice is left.
 *   write_linear_rings	the same with a WRITE_LINEAR of the whole u64.
 *   pm4_write_data_rings, pm4_release_mem_rings
 *			the same from a compute queue's WRITE_DATA, and
 *			RELEASE_MEM's 64-bit data.
 *   aql_completion_signal_rings
 *			an AQL queue's completion signal placed so that its
 *			value is another AQL queue's doorbell: the
 *			signal's decrement is that queue's first ring.
 *   own_slice_only	a context without a VM on the GPU gets no DOORBELL
 *			buffer there (EINVAL, as before); a secondary's
 *			DOORBELL buffer is its own slice: a store there
 *			leaves the primary's queue of that id alone; its
 *			VM on another GPU cannot map it (EINVAL).
 *   unmap_while_rung	the buffer unmapped and freed while a queue is
 *			about to store into it: the store faults, halts
 *			that queue, and reaches no doorbell; B still runs
 *			when the CPU rings it.
 *   destroy_while_ringing
 *			B destroyed while A stores into its doorbell, again
 *			and again: A finishes without a fault, and a new
 *			queue in B's place runs only its own packets.
 *
 * B's packets are put in its ring without writing its doorbell; A waits
 * (POLL_REGMEM, WAIT_REG_MEM, a barrier's dependency) for a flag the
 * test sets once B's engine has left B's group (the test hooks tell), so
 * that only A's store can make B run. Waits are bounded (a hang is a failure), never judged by
 * time.
 *
 * vkfd only: the amdkfd lane has no GPU.
 */
#include "kselftest_harness.h"
#include "pm4_utils.h"
#include "aql_utils.h"

#include <sys/mman.h>

/* The DOORBELL buffer, on the GPU: the context's doorbell slice */
#define D_VA		0x7100000000ULL
#define D_SIZE		8192ULL
#define D_FLAGS		(KFD_IOC_ALLOC_MEM_FLAGS_DOORBELL | \
			 KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE)
/*
 * In the data buffer: B's fence at 0, A's at 4, the go flag at 64; the
 * AQL chain's signals (amd_signal_t): B's, A's and the go signal
 */
#define D_GO		64
#define D_SIG_B		128
#define D_SIG_A		192
#define D_SIG_GO	256
#define D_POLL_INTERVAL	10

/* A DOORBELL buffer of @c on @gpu at D_VA, mapped there. */
static void d_bell_new(struct __test_metadata *_metadata,
		       const struct vkfd_context *c, uint32_t gpu,
		       struct vkfd_bo *bo)
{
	ASSERT_EQ(0, vkfd_alloc(c, gpu, D_VA, D_SIZE, D_FLAGS, bo));
	ASSERT_EQ(0, vkfd_map(c, bo, &gpu, 1));
}

/* Put @n dwords in @q's ring and move its write pointer, without ringing. */
static void d_stage(struct vkfd_queue *q, const uint32_t *dw, uint32_t n)
{
	uint64_t mask = q->ring_size / 4 - 1, i;

	for (i = 0; i < n; i++)
		q->ring[(q->wptr / 4 + i) & mask] = dw[i];
	q->wptr += n * 4;
}

/* VKFD_TEST_OP_SDMA_QUERY of the context of @fd */
static int d_query(const struct vkfd_base *b, int fd,
		   struct vkfd_test_sdma_query *out)
{
	struct vkfd_test_cmd cmd = { .op = VKFD_TEST_OP_SDMA_QUERY };
	int ret;

	cmd.sdma_query.pid = b->pid;
	cmd.sdma_query.ctx_id = vkfd_ctx_id_of_fd(fd);
	ret = vkfd_hooks_cmd(&cmd);
	*out = cmd.sdma_query;
	return ret;
}

/* Wait until @ready groups of the context of @fd are on ready lists. */
static bool d_ready_is(const struct vkfd_base *b, int fd, uint32_t ready)
{
	uint64_t end = vkfd_now_ms() + S_WAIT_MS;
	struct vkfd_test_sdma_query sq;

	while (!d_query(b, fd, &sq) && sq.ready != ready) {
		if (vkfd_now_ms() > end)
			return false;
		vkfd_sleep_ms(1);
	}
	return !d_query(b, fd, &sq) && sq.ready == ready;
}

/* Two queues of a context on two engines: their groups differ. */
static void d_two_groups(struct __test_metadata *_metadata,
			 const struct vkfd_base *b, int fd)
{
	struct vkfd_test_sdma_query sq;

	/* Started one after the other: round robin puts them apart. */
	ASSERT_EQ(0, d_query(b, fd, &sq));
	ASSERT_EQ(2U, sq.groups);
}

/* Replace the CPU mapping of @page, a doorbell slice, by a hole. */
static void d_cpu_unmap(struct __test_metadata *_metadata, void *page)
{
	ASSERT_EQ(page, mmap(page, D_SIZE, PROT_NONE,
			     MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
}

static void d_go(const struct s_buf *buf)
{
	__atomic_store_n(s_u32(buf, D_GO), 1, __ATOMIC_RELEASE);
}

/* Wait for @fd's context's fault counter to be @n. */
static bool d_faults_are(struct __test_metadata *_metadata,
			 FIXTURE_DATA(sdma) *self, int fd, uint64_t n)
{
	uint64_t end = vkfd_now_ms() + S_WAIT_MS;

	while (S_FAULTS(fd) != n) {
		if (vkfd_now_ms() > end)
			return false;
		vkfd_sleep_ms(1);
	}
	return true;
}

/* A's packets: wait for the go flag (SDMA's POLL_REGMEM). */
static uint32_t d_poll_go(uint32_t *dw)
{
	return vkfd_sdma_pkt_poll(dw, S_BUF_VA + D_GO,
				  VKFD_SDMA_POLL_FUNC_EQUAL, 1, ~0U,
				  D_POLL_INTERVAL,
				  VKFD_SDMA_POLL_RETRY_FOREVER);
}

/* What A's store into B's doorbell is */
enum d_how {
	D_FENCE,		/* SDMA FENCE of its low dword */
	D_WRITE_LINEAR,		/* SDMA WRITE_LINEAR of the u64 */
	D_WRITE_DATA,		/* PM4 WRITE_DATA of the u64 */
	D_RELEASE_MEM,		/* PM4 RELEASE_MEM of the u64 (data_sel 2) */
	D_AQL_SIGNAL,		/* AQL: the decrement of a completion signal */
};

/*
 * The queues of a chain: A, of the store's kind, and B, SDMA (AQL for
 * D_AQL_SIGNAL); @a_db and @b_db are their doorbell pages' mappings.
 */
struct d_chain {
	enum d_how how;
	struct vkfd_queue sa, sb;
	struct p_queue pa;
	struct a_queue aa, ab;
	void *a_db, *b_db;
};

/*
 * The AQL chain: B (queue 1) staged and never rung, so its doorbell holds
 * the never-rung value (all ones). A (queue 0) waits for the go signal,
 * then completes a signal placed so that its value is B's doorbell: the
 * decrement, a 64-bit store into the slot, is B's ring. The signal's
 * mailbox is slot 2's, of no queue: 0. Then A's own signal.
 */
static void d_chain_aql(struct __test_metadata *_metadata,
			const struct vkfd_base *b, struct d_chain *ch)
{
	uint64_t slot = 1, i;
	volatile uint32_t *bs;
	uint32_t dw[16];

	a_queue_new(_metadata, &b->p, b->render, b->gpu[0], 0, &ch->aa);
	a_queue_new(_metadata, &b->p, b->render, b->gpu[0], 1, &ch->ab);
	ASSERT_EQ(0U, ch->aa.id);
	ASSERT_EQ(slot, ch->ab.id);

	vkfd_aql_barrier(dw, VKFD_AQL_AND, 0, S_BUF_VA + D_SIG_B);
	bs = s_u32(&ch->ab.ring, 0);
	for (i = 1; i < VKFD_AQL_PKT / 4; i++)
		bs[i] = dw[i];
	__atomic_store_n(bs, dw[0], __ATOMIC_RELEASE);
	ch->ab.wr++;

	vkfd_aql_barrier(dw, VKFD_AQL_AND, S_BUF_VA + D_SIG_GO,
			 D_VA + 8 * slot - VKFD_AQL_SIG_VALUE);
	a_submit(_metadata, &ch->aa, dw);
	vkfd_aql_barrier(dw, VKFD_AQL_AND, 0, S_BUF_VA + D_SIG_A);
	a_submit(_metadata, &ch->aa, dw);
	ch->a_db = ch->aa.db_page;
	ch->b_db = ch->ab.db_page;
}

/*
 * The SDMA and PM4 chains: B (SDMA) staged, never rung; A waits for the
 * go flag, stores B's write pointer into B's doorbell through the
 * DOORBELL buffer, then writes 0xa after B's 0xb0b.
 */
static void d_chain_stores(struct __test_metadata *_metadata,
			   const struct vkfd_base *b, struct d_chain *ch)
{
	uint32_t gpu = b->gpu[0], dw[32], wp[2], n, ten = 0xa;
	uint64_t bell;

	s_queue_new(_metadata, &b->p, b->render, gpu, 0, S_RING, &ch->sb);
	d_stage(&ch->sb, dw, vkfd_sdma_fence(dw, S_BUF_VA, 0xb0b));
	bell = D_VA + 8 * ch->sb.id;
	wp[0] = (uint32_t)ch->sb.wptr;
	wp[1] = (uint32_t)(ch->sb.wptr >> 32);
	ch->b_db = ch->sb.doorbell_page;

	if (ch->how == D_FENCE || ch->how == D_WRITE_LINEAR) {
		s_queue_new(_metadata, &b->p, b->render, gpu, 1, S_RING,
			    &ch->sa);
		n = d_poll_go(dw);
		if (ch->how == D_WRITE_LINEAR)
			n += vkfd_sdma_write_linear(dw + n, bell, wp, 2);
		else
			n += vkfd_sdma_fence(dw + n, bell, wp[0]);
		n += vkfd_sdma_fence(dw + n, S_BUF_VA + 4, ten);
		S_SUBMIT(&ch->sa, dw, n);
		ch->a_db = ch->sa.doorbell_page;
		return;
	}
	p_queue_new(_metadata, &b->p, b->render, gpu, 0, P_RING, &ch->pa);
	n = vkfd_pm4_pkt_wait_mem(dw, S_BUF_VA + D_GO, VKFD_PM4_WRM_FUNC_EQUAL,
				  1, ~0U, D_POLL_INTERVAL);
	if (ch->how == D_WRITE_DATA)
		n += vkfd_pm4_pkt_write_data(dw + n, bell, wp, 2, false);
	else
		n += vkfd_pm4_pkt_release_mem(dw + n, VKFD_PM4_RM_DATA_64,
					      VKFD_PM4_RM_INT_NONE, bell,
					      ch->sb.wptr, 0);
	n += vkfd_pm4_pkt_write_data(dw + n, S_BUF_VA + 4, &ten, 1, false);
	P_SUBMIT(&ch->pa, dw, n);
	ch->a_db = ch->pa.db_page;
}

/* A signal of the data buffer at @off: @value, no mailbox */
static void d_sig(const struct s_buf *buf, uint64_t off, int64_t value)
{
	*s_u64(buf, off + VKFD_AQL_SIG_MAILBOX) = 0;
	__atomic_store_n(s_u64(buf, off + VKFD_AQL_SIG_VALUE), (uint64_t)value,
			 __ATOMIC_RELEASE);
}

/*
 * B staged and off its engine's list (never rung), A waiting for the go
 * flag, no CPU mapping of the doorbell slice left; then go: only A's
 * store into the DOORBELL buffer can make B run.
 */
static void d_chain(struct __test_metadata *_metadata,
		    const struct vkfd_base *b, enum d_how how)
{
	struct d_chain ch = { .how = how };
	bool aql = how == D_AQL_SIGNAL;
	struct s_buf buf;
	struct vkfd_bo db;

	s_buf_new(_metadata, &b->p, b->render, b->gpu[0], S_BUF_VA, S_PAGE,
		  S_GTT_RW, &buf);
	d_sig(&buf, D_SIG_B, 1);
	d_sig(&buf, D_SIG_A, 1);
	d_sig(&buf, D_SIG_GO, 1);
	d_bell_new(_metadata, &b->p, b->gpu[0], &db);
	if (aql)
		d_chain_aql(_metadata, b, &ch);
	else
		d_chain_stores(_metadata, b, &ch);
	d_two_groups(_metadata, b, b->p.fd);

	ASSERT_TRUE(d_ready_is(b, b->p.fd, 1));
	/* The GPU mapping does not depend on the CPU's */
	d_cpu_unmap(_metadata, ch.a_db);
	d_cpu_unmap(_metadata, ch.b_db);
	if (aql)
		__atomic_store_n(s_u64(&buf, D_SIG_GO + VKFD_AQL_SIG_VALUE), 0,
				 __ATOMIC_RELEASE);
	else
		d_go(&buf);

	if (aql) {
		ASSERT_TRUE(s_wait_u64(s_u64(&buf, D_SIG_B + VKFD_AQL_SIG_VALUE), 0));
		ASSERT_TRUE(s_wait_u64(s_u64(&buf, D_SIG_A + VKFD_AQL_SIG_VALUE), 0));
		A_IDLE(&ch.aa);
		A_IDLE(&ch.ab);
		a_queue_destroy(_metadata, &b->p, &ch.aa);
		a_queue_destroy(_metadata, &b->p, &ch.ab);
	} else {
		ASSERT_TRUE(s_wait_u32(s_u32(&buf, 0), 0xb0b));
		ASSERT_TRUE(s_wait_u32(s_u32(&buf, 4), 0xa));
		S_IDLE(&ch.sb);
		if (how == D_FENCE || how == D_WRITE_LINEAR) {
			S_IDLE(&ch.sa);
			EXPECT_EQ(0, vkfd_queue_destroy(&b->p, &ch.sa));
		} else {
			P_IDLE(&ch.pa);
			EXPECT_EQ(0, p_queue_destroy(&ch.pa));
		}
		EXPECT_EQ(0, vkfd_queue_destroy(&b->p, &ch.sb));
	}
	EXPECT_EQ(0ULL, vkfd_ctx_sysfs_val(&b->env, b->pid,
					   vkfd_ctx_id_of_fd(b->p.fd),
					   "counters_%u/faults", b->gpu[0]));
	EXPECT_EQ(0, vkfd_free(&b->p, &db));
}

TEST_F_TIMEOUT(sdma, fence_rings_armed_queue, 120)
{
	S_NEED_GPU();
	d_chain(_metadata, &self->b, D_FENCE);
}

TEST_F_TIMEOUT(sdma, write_linear_rings, 120)
{
	S_NEED_GPU();
	d_chain(_metadata, &self->b, D_WRITE_LINEAR);
}

/* A compute queue's WRITE_DATA of B's write pointer into B's doorbell */
TEST_F_TIMEOUT(pm4, pm4_write_data_rings, 120)
{
	P_NEED_GPU();
	d_chain(_metadata, &self->b, D_WRITE_DATA);
}

/* The same with RELEASE_MEM's 64-bit data, as a fence's write would */
TEST_F_TIMEOUT(pm4, pm4_release_mem_rings, 120)
{
	P_NEED_GPU();
	d_chain(_metadata, &self->b, D_RELEASE_MEM);
}

/* An AQL completion signal whose value is another AQL queue's doorbell */
TEST_F_TIMEOUT(pm4, aql_completion_signal_rings, 120)
{
	P_NEED_GPU();
	d_chain(_metadata, &self->b, D_AQL_SIGNAL);
}

/*
 * Only a context's own slice: no DOORBELL buffer without a VM on the
 * GPU, and a secondary's store into its DOORBELL buffer at the offset of
 * a primary's queue changes its own slice only.
 */
TEST_F_TIMEOUT(sdma, own_slice_only, 120)
{
	uint32_t gpu = self->b.gpu[0], dw[16];
	struct vkfd_queue q0, b, x;
	struct vkfd_context s;
	struct vkfd_bo db, sdb;
	struct s_buf buf;
	uint64_t *slice;
	int render;

	S_NEED_GPU();
	ASSERT_EQ(0, vkfd_open_secondary(self->b.env.dev, &s));
	EXPECT_EQ(-EINVAL, vkfd_alloc(&s, gpu, D_VA, D_SIZE, D_FLAGS, &db));
	EXPECT_EQ(0, vkfd_close(&s));

	ASSERT_EQ(0, vkfd_secondary_vm(&self->b.env, gpu, &s, &render));
	s_buf_new(_metadata, &self->b.p, self->b.render, gpu, S_BUF_VA,
		  S_PAGE, S_GTT_RW, &buf);
	/* Primary queues 0 and 1, the secondary's 0: B's id is free there */
	s_queue_new(_metadata, &self->b.p, self->b.render, gpu, 0, S_RING, &q0);
	s_queue_new(_metadata, &self->b.p, self->b.render, gpu, 1, S_RING, &b);
	s_queue_new(_metadata, &s, render, gpu, 2, S_RING, &x);
	ASSERT_NE(b.id, x.id);
	d_stage(&b, dw, vkfd_sdma_fence(dw, S_BUF_VA, 0xd0d));

	d_bell_new(_metadata, &s, gpu, &sdb);
	S_SUBMIT(&x, dw, vkfd_sdma_fence(dw, D_VA + 8 * b.id,
					 (uint32_t)b.wptr));
	S_IDLE(&x);

	/* In the secondary's slice ... */
	slice = mmap(NULL, D_SIZE, PROT_READ, MAP_SHARED, s.fd,
		     (off_t)sdb.mmap_offset);
	ASSERT_NE(MAP_FAILED, slice);
	EXPECT_EQ(b.wptr, slice[b.id]);
	EXPECT_EQ(0, munmap(slice, D_SIZE));
	/* ... not in the primary's, whose queue B never ran */
	EXPECT_EQ(0ULL, *b.doorbell);
	EXPECT_EQ(0ULL, s_rptr(&b));
	EXPECT_EQ(0U, *s_u32(&buf, 0));
	EXPECT_EQ(0ULL, S_FAULTS(s.fd));

	/* Another GPU's VM of the same context cannot map it (EINVAL) */
	if (self->b.ngpus >= 2) {
		uint32_t ids[2] = { gpu, self->b.gpu[1] };
		int r1;

		ASSERT_EQ(0, vkfd_open_vm(&s, self->b.env.topology,
					  self->b.gpu[1], &r1));
		EXPECT_EQ(-EINVAL, vkfd_map(&s, &sdb, ids, 2));
		close(r1);
	}
	EXPECT_EQ(0, vkfd_queue_destroy(&s, &x));
	EXPECT_EQ(0, vkfd_free(&s, &sdb));
	EXPECT_EQ(0, vkfd_close(&s));
	close(render);
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &b));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q0));
}

/*
 * The DOORBELL buffer unmapped from the GPU and freed while A waits to
 * store into it: the store faults and halts A; B's doorbell is as it was;
 * B runs once the CPU rings it.
 */
TEST_F_TIMEOUT(sdma, unmap_while_rung, 120)
{
	uint32_t gpu = self->b.gpu[0], dw[32], n;
	struct vkfd_queue a, b;
	struct s_buf buf;
	struct vkfd_bo db;

	S_NEED_GPU();
	s_buf_new(_metadata, &self->b.p, self->b.render, gpu, S_BUF_VA,
		  S_PAGE, S_GTT_RW, &buf);
	d_bell_new(_metadata, &self->b.p, gpu, &db);
	s_queue_new(_metadata, &self->b.p, self->b.render, gpu, 0, S_RING, &b);
	s_queue_new(_metadata, &self->b.p, self->b.render, gpu, 1, S_RING, &a);

	d_stage(&b, dw, vkfd_sdma_fence(dw, S_BUF_VA, 0xe0e));
	n = d_poll_go(dw);
	n += vkfd_sdma_fence(dw + n, D_VA + 8 * b.id, (uint32_t)b.wptr);
	S_SUBMIT(&a, dw, n);
	ASSERT_EQ(0, vkfd_unmap(&self->b.p, &db, &gpu, 1));
	ASSERT_EQ(0, vkfd_free(&self->b.p, &db));
	d_go(&buf);

	ASSERT_TRUE(d_faults_are(_metadata, self, self->b.p.fd, 1));
	EXPECT_EQ(0ULL, *b.doorbell);
	EXPECT_EQ(0ULL, s_rptr(&b));

	S_SUBMIT(&b, dw, vkfd_sdma_fence(dw, S_BUF_VA + 4, 0xe0f));
	S_IDLE(&b);
	EXPECT_EQ(0xe0eU, *s_u32(&buf, 0));
	EXPECT_EQ(0xe0fU, *s_u32(&buf, 4));
	EXPECT_EQ(1ULL, S_FAULTS(self->b.p.fd));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &a));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &b));
}

/* A's stores into B's doorbell, many */
#define D_RINGS		100

/*
 * B destroyed while A stores into its doorbell again and again: A does
 * not fault (the slot is memory of the slice, queue or no queue), and a
 * new queue in B's place starts from a reset doorbell.
 */
TEST_F_TIMEOUT(sdma, destroy_while_ringing, 120)
{
	uint32_t gpu = self->b.gpu[0], *dw, n = 0, i;
	struct vkfd_queue a, b, c;
	uint32_t one[8];
	struct s_buf buf;
	struct vkfd_bo db;

	S_NEED_GPU();
	s_buf_new(_metadata, &self->b.p, self->b.render, gpu, S_BUF_VA,
		  S_PAGE, S_GTT_RW, &buf);
	d_bell_new(_metadata, &self->b.p, gpu, &db);
	s_queue_new(_metadata, &self->b.p, self->b.render, gpu, 0, S_RING, &b);
	s_queue_new(_metadata, &self->b.p, self->b.render, gpu, 1, S_RING, &a);
	d_stage(&b, one, vkfd_sdma_fence(one, S_BUF_VA, 0xf0f));

	dw = calloc((D_RINGS + 1) * VKFD_SDMA_FENCE_DW, sizeof(*dw));
	ASSERT_NE(NULL, dw);
	for (i = 0; i < D_RINGS; i++)
		n += vkfd_sdma_fence(dw + n, D_VA + 8 * b.id,
				     (uint32_t)b.wptr);
	n += vkfd_sdma_fence(dw + n, S_BUF_VA + 4, 0xa);
	S_SUBMIT(&a, dw, n);
	free(dw);
	ASSERT_EQ(0, vkfd_queue_destroy(&self->b.p, &b));

	ASSERT_TRUE(s_wait_u32(s_u32(&buf, 4), 0xa));
	S_IDLE(&a);
	EXPECT_EQ(0ULL, S_FAULTS(self->b.p.fd));

	s_queue_new(_metadata, &self->b.p, self->b.render, gpu, 0, S_RING, &c);
	S_SUBMIT(&c, one, vkfd_sdma_fence(one, S_BUF_VA + 8, 0xc));
	S_IDLE(&c);
	EXPECT_EQ(0xcU, *s_u32(&buf, 8));
	EXPECT_EQ(0ULL, S_FAULTS(self->b.p.fd));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &a));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &c));
	EXPECT_EQ(0, vkfd_free(&self->b.p, &db));
}

TEST_HARNESS_MAIN
