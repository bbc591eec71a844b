// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The SDMA engines' scheduling, seen from user space:
 *
 *   update_mid_copy	UPDATE_QUEUE while a COPY_LINEAR is half done: the
 *			new ring's packet at the read pointer starts afresh,
 *			it does not inherit how far the old one got.
 *   idle_queues_not_visited
 *			1000 idle queues of one context and a busy queue of
 *			another: once armed, the idle ones are not looked
 *			at, however much the busy one works (the test
 *			hooks count the engines' visits).
 *   doorbell_after_idle_gaps
 *			a doorbell write after an idle gap of any length
 *			wakes the engine: no write is lost while the
 *			engine arms the slice and goes to sleep.
 *   trap_slices_bounded
 *			4096 TRAPs submitted at once all execute, at most
 *			32 in one slice (the test hooks count them).
 *   busy_queues_one_share
 *			a context with eight queues full of copies and one
 *			with a queue of fences: between two turns of the
 *			second, an engine serves the first one slice, not
 *			one per busy queue (the test hooks count slices).
 *
 * Waits are bounded (a hang is a failure), never judged by time.
 *
 * vkfd only: the amdkfd lane has no GPU.
 */
#include "kselftest_harness.h"
#include "sdma_utils.h"

/* One COPY_LINEAR as large as it gets: several slices of an engine */
#define E_COPY		((uint64_t)VKFD_SDMA_COPY_MAX)
#define E_UPDATES	16
/* The second ring, at a GPU address of its own */
#define E_RING2_VA	(S_BUF_VA + 4 * E_COPY)

static int e_update(const struct vkfd_queue *q, uint64_t base)
{
	struct kfd_ioctl_update_queue_args a = {
		.ring_base_address = base,
		.queue_id = q->id,
		.ring_size = (uint32_t)q->ring_size,
		.queue_percentage = 100,
		.queue_priority = 7,
	};

	return vkfd_ioctl(q->ctx_fd, AMDKFD_IOC_UPDATE_QUEUE, &a);
}

/* Wait for *@p to be @v without sleeping: for at most S_WAIT_MS. */
static bool e_spin_u32(volatile uint32_t *p, uint32_t v)
{
	uint64_t end = vkfd_now_ms() + S_WAIT_MS;

	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) != v)
		if (vkfd_now_ms() > end)
			return false;
	return true;
}

static bool e_zero(const uint8_t *p, uint64_t len)
{
	uint64_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/* Write @n dwords at the ring offset of byte pointer @ptr of @ring. */
static void e_ring_put(uint8_t *ring, uint64_t size, uint64_t ptr,
		       const uint32_t *dw, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++, ptr += 4)
		memcpy(ring + (ptr & (size - 1)), &dw[i], 4);
}

/*
 * A COPY_LINEAR of E_COPY bytes runs on ring 1; once it has started
 * (its first byte landed), UPDATE_QUEUE gives the queue ring 2, which
 * holds another COPY_LINEAR at the same read pointer, and a fence. That
 * copy must be whole: the engine forgets how far the first had got. (If
 * the first copy was already done, the read pointer is past it, ring 2's
 * copy is skipped and the fence alone runs: nothing copied.)
 */
TEST_F_TIMEOUT(sdma, update_mid_copy, 300)
{
	uint32_t gpu = self->b.gpu[0], dw[16], n;
	struct s_buf src1, dst1, src2, dst2, ring2;
	uint64_t r, i, copied = 0;
	struct vkfd_queue q;
	unsigned int mid = 0;

	S_NEED_GPU();
	s_buf_new(_metadata, &self->b.p, self->b.render, gpu, S_BUF_VA,
		  E_COPY, S_GTT_RW, &src1);
	s_buf_new(_metadata, &self->b.p, self->b.render, gpu,
		  S_BUF_VA + E_COPY, E_COPY, S_GTT_RW, &dst1);
	s_buf_new(_metadata, &self->b.p, self->b.render, gpu,
		  S_BUF_VA + 2 * E_COPY, E_COPY, S_GTT_RW, &src2);
	s_buf_new(_metadata, &self->b.p, self->b.render, gpu,
		  S_BUF_VA + 3 * E_COPY, E_COPY, S_GTT_RW, &dst2);
	s_buf_new(_metadata, &self->b.p, self->b.render, gpu, E_RING2_VA,
		  S_RING + S_PAGE, S_GTT_RW, &ring2);
	s_queue_new(_metadata, &self->b.p, self->b.render, gpu, 0, S_RING, &q);
	s_pattern(src1.cpu, E_COPY, 1);
	s_pattern(src2.cpu, E_COPY, 2);

	for (i = 0; i < E_UPDATES; i++) {
		memset(dst1.cpu, 0, E_COPY);
		memset(dst2.cpu, 0, E_COPY);
		r = q.wptr;
		/* Ring 2 first: the engine may turn to it at once. */
		n = vkfd_sdma_copy_linear(dw, dst2.bo.va, src2.bo.va, E_COPY);
		n += vkfd_sdma_fence(dw + n, ring2.bo.va + S_RING, (uint32_t)i + 1);
		e_ring_put(ring2.cpu, S_RING, r, dw, n);

		S_SUBMIT(&q, dw, vkfd_sdma_copy_linear(dw, dst1.bo.va,
						       src1.bo.va, E_COPY));
		ASSERT_TRUE(e_spin_u32(s_u32(&dst1, 0), *s_u32(&src1, 0)));
		ASSERT_EQ(0, e_update(&q, ring2.bo.va));
		/* Stopped by the update with its last page still to do? */
		mid += *s_u32(&dst1, E_COPY - 4) != *s_u32(&src1, E_COPY - 4);

		/* Ring 2 now: copy and fence, then back to ring 1 */
		q.wptr = r + n * 4;
		__atomic_store_n(q.doorbell, q.wptr, __ATOMIC_RELEASE);
		ASSERT_TRUE(s_wait_u32(s_u32(&ring2, S_RING), (uint32_t)i + 1));
		S_IDLE(&q);
		if (!memcmp(dst2.cpu, src2.cpu, E_COPY)) {
			copied++;
		} else {
			/* Skipped whole, the first copy being done: or wrong */
			EXPECT_TRUE(e_zero(dst2.cpu, E_COPY));
			EXPECT_EQ(0, memcmp(dst1.cpu, src1.cpu, E_COPY));
		}
		ASSERT_EQ(0, e_update(&q, q.bo.va));
	}
	TH_LOG("ring 2's copy ran in %llu of %d updates, %u made mid-copy",
	       (unsigned long long)copied, E_UPDATES, mid);
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

/* Idle queues of the second context */
#define E_IDLE_QUEUES	1000
#define E_IDLE_RING_VA	0x40000000ULL	/* need not be mapped: never run */
#define E_IDLE_PTR_VA	0x50000000ULL

/* VKFD_TEST_OP_SDMA_QUERY of the context of @fd */
static int e_sdma_query(struct __test_metadata *_metadata,
			FIXTURE_DATA(sdma) *self, int fd,
			struct vkfd_test_sdma_query *out)
{
	struct vkfd_test_cmd cmd = { .op = VKFD_TEST_OP_SDMA_QUERY };
	int ret;

	cmd.sdma_query.pid = self->b.pid;
	cmd.sdma_query.ctx_id = vkfd_ctx_id_of_fd(fd);
	ret = vkfd_hooks_cmd(&cmd);
	*out = cmd.sdma_query;
	return ret;
}

/* Wait until no group of the context of @fd is on a ready list. */
static bool e_all_armed(struct __test_metadata *_metadata,
			FIXTURE_DATA(sdma) *self, int fd)
{
	uint64_t end = vkfd_now_ms() + S_WAIT_MS;
	struct vkfd_test_sdma_query sq;

	while (!e_sdma_query(_metadata, self, fd, &sq) && sq.ready) {
		if (vkfd_now_ms() > end)
			return false;
		vkfd_sleep_ms(1);
	}
	return !e_sdma_query(_metadata, self, fd, &sq) && !sq.ready;
}

TEST_F_TIMEOUT(sdma, idle_queues_not_visited, 300)
{
	struct kfd_ioctl_create_queue_args a = {
		.ring_base_address = E_IDLE_RING_VA,
		.ring_size = S_RING,
		.gpu_id = self->b.gpu[0],
		.queue_type = KFD_IOC_QUEUE_TYPE_SDMA,
		.queue_percentage = KFD_MAX_QUEUE_PERCENTAGE,
		.queue_priority = 7,
		.read_pointer_address = E_IDLE_PTR_VA,
		.write_pointer_address = E_IDLE_PTR_VA + 8,
	};
	struct vkfd_test_sdma_query before, after;
	struct vkfd_context s;
	struct vkfd_queue q;
	uint32_t dw[8], i;
	struct s_buf b;
	int render;

	S_NEED_GPU();
	ASSERT_EQ(0, vkfd_secondary_vm(&self->b.env, self->b.gpu[0], &s,
				       &render));
	for (i = 0; i < E_IDLE_QUEUES; i++)
		ASSERT_EQ(0, _test_create_queue(s.fd, &a));
	s_buf_and_queue(_metadata, self, S_PAGE, &b, &q);

	ASSERT_TRUE(e_all_armed(_metadata, self, s.fd));
	ASSERT_EQ(0, e_sdma_query(_metadata, self, s.fd, &before));
	EXPECT_EQ(2U, before.groups);
	for (i = 1; i <= 50; i++) {
		S_SUBMIT(&q, dw, vkfd_sdma_fence(dw, S_BUF_VA, i));
		S_IDLE(&q);
		EXPECT_EQ(i, *s_u32(&b, 0));
	}
	ASSERT_EQ(0, e_sdma_query(_metadata, self, s.fd, &after));
	EXPECT_EQ(0U, after.ready);
	EXPECT_EQ(before.visits, after.visits);

	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
	EXPECT_EQ(0, vkfd_close(&s));
	close(render);
}

/*
 * Fences after idle gaps from none to 30 ms, in a seeded random order:
 * each is written, whether the engine spins, arms the slice or sleeps.
 */
TEST_F_TIMEOUT(sdma, doorbell_after_idle_gaps, 300)
{
	struct vkfd_test_sdma_query sq;
	unsigned int seed = 13, armed = 0;
	struct vkfd_queue q;
	uint32_t dw[8], i;
	struct s_buf b;

	S_NEED_GPU();
	s_buf_and_queue(_metadata, self, S_PAGE, &b, &q);
	for (i = 1; i <= 100; i++) {
		vkfd_sleep_ms(rand_r(&seed) % 31);
		ASSERT_EQ(0, e_sdma_query(_metadata, self, self->b.p.fd, &sq));
		armed += !sq.ready;
		S_SUBMIT(&q, dw, vkfd_sdma_fence(dw, S_BUF_VA, i));
		ASSERT_TRUE(s_wait_u32(s_u32(&b, 0), i)) TH_LOG("fence %u", i);
	}
	TH_LOG("the slice was armed before %u of 100 fences", armed);
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

/* kernel/vkfd_sdma.h's VKFD_SDMA_SLICE_TRAPS: TRAPs a slice may execute */
#define E_SLICE_TRAPS	32U
#define E_TRAPS		4096
#define E_TRAP_RING	(64 * 1024ULL)

/*
 * 4096 TRAPs in the ring at once, as many as a slice's packet budget
 * allows: each signals an event, which wakes its waiters under a
 * spinlock, so the engine ends a slice, and reaches a scheduling point,
 * after E_SLICE_TRAPS of them. The first slice sees them all: it runs
 * exactly that many.
 */
TEST_F_TIMEOUT(sdma, trap_slices_bounded, 300)
{
	struct vkfd_test_sdma_query sq;
	struct vkfd_queue q;
	uint32_t *dw, n = 0, i;
	struct s_buf b;

	S_NEED_GPU();
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA, S_PAGE, S_GTT_RW, &b);
	s_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0,
		    E_TRAP_RING, &q);
	dw = calloc(E_TRAPS * VKFD_SDMA_TRAP_DW + VKFD_SDMA_FENCE_DW,
		    sizeof(*dw));
	ASSERT_NE(NULL, dw);
	for (i = 0; i < E_TRAPS; i++)
		n += vkfd_sdma_trap(dw + n, 0);
	n += vkfd_sdma_fence(dw + n, S_BUF_VA, 1);
	ASSERT_EQ(0, vkfd_queue_submit(&q, dw, n));
	free(dw);
	S_IDLE(&q);
	EXPECT_EQ(1U, *s_u32(&b, 0));

	ASSERT_EQ(0, e_sdma_query(_metadata, self, self->b.p.fd, &sq));
	EXPECT_EQ(E_SLICE_TRAPS, sq.slice_traps);
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

/* The busy context's queues: four on each engine */
#define E_BUSY_QUEUES	8U
#define E_BUSY_COPY	(1024 * 1024ULL)
/*
 * What another context's group may wait between two turns, in slices:
 * one of the busy context (one group on the engine), and one more if the
 * measured group became ready in the middle of a round.
 */
#define E_MAX_WAIT	2U
#define E_FENCES	20U

/*
 * Shares are per context, not per queue: eight queues whose rings are
 * full of 1 MiB copies (many slices each) in one context, a queue of
 * fences in another, all on one GPU. Every turn of the second context's
 * group waits for at most E_MAX_WAIT slices of the first, however many
 * of its queues are busy: the engine counts the slices it serves, and
 * the test hooks report the most a group waited.
 */
TEST_F_TIMEOUT(sdma, busy_queues_one_share, 300)
{
	struct vkfd_queue q, busy[E_BUSY_QUEUES];
	struct vkfd_test_sdma_query sq;
	unsigned int i, n, left = 0;
	struct vkfd_context s;
	struct s_buf b, sb;
	uint32_t dw[8];
	int render;

	S_NEED_GPU();
	ASSERT_EQ(0, vkfd_secondary_vm(&self->b.env, self->b.gpu[0], &s,
				       &render));
	s_buf_new(_metadata, &s, render, self->b.gpu[0], S_BUF_VA,
		  2 * E_BUSY_COPY, S_GTT_RW, &sb);
	for (i = 0; i < E_BUSY_QUEUES; i++)
		s_queue_new(_metadata, &s, render, self->b.gpu[0], i, S_RING,
			    &busy[i]);
	/* Rings are at the same CPU address in every context: another. */
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA, S_PAGE, S_GTT_RW, &b);
	s_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		    E_BUSY_QUEUES, S_RING, &q);

	/* Each ring full: the engines take a while to get through it. */
	for (i = 0; i < E_BUSY_QUEUES; i++) {
		n = vkfd_sdma_copy_linear(dw, S_BUF_VA + E_BUSY_COPY, S_BUF_VA,
					  E_BUSY_COPY);
		while (!vkfd_queue_submit(&busy[i], dw, n))
			;
	}
	for (i = 1; i <= E_FENCES; i++) {
		S_SUBMIT(&q, dw, vkfd_sdma_fence(dw, S_BUF_VA, i));
		S_IDLE(&q);
		EXPECT_EQ(i, *s_u32(&b, 0));
	}
	/* The busy queues were busy all along. */
	for (i = 0; i < E_BUSY_QUEUES; i++)
		left += s_rptr(&busy[i]) != busy[i].wptr;
	EXPECT_EQ(E_BUSY_QUEUES, left);

	EXPECT_EQ(0ULL, S_FAULTS(s.fd));
	ASSERT_EQ(0, e_sdma_query(_metadata, self, s.fd, &sq));
	TH_LOG("the busy context: %llu bytes copied, %llu visits",
	       (unsigned long long)S_SDMA_BYTES(s.fd),
	       (unsigned long long)sq.visits);
	ASSERT_EQ(0, e_sdma_query(_metadata, self, self->b.p.fd, &sq));
	TH_LOG("the fences' group waited %u slices at most", sq.max_wait);
	EXPECT_GE(E_MAX_WAIT, sq.max_wait);

	for (i = 0; i < E_BUSY_QUEUES; i++)
		EXPECT_EQ(0, vkfd_queue_destroy(&s, &busy[i]));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
	EXPECT_EQ(0, vkfd_close(&s));
	close(render);
}

TEST_HARNESS_MAIN
