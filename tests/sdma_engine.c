// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The SDMA engines' scheduling, seen from user space:
 *
 *   update_mid_copy	UPDATE_QUEUE while a COPY_LINEAR is half done: the
 *			new ring's packet at the read pointer starts afresh,
 *			it does not inherit how far the old one got.
 *
 * Waits are bounded (a hang is a failure), never judged by time.
 *
 * vkfd only: the amdkfd lane has no GPU.
 */
#include "kselftest_harness.h"
#include "sdma_utils.h"

/* One COPY_LINEAR as large as it gets: several slices of an engine */
#define E_COPY		((uint64_t)VKFD_SDMA_COPY_MAX)
#define E_UPDATES	8
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
		ASSERT_TRUE(s_wait_u32(s_u32(&dst1, 0), *s_u32(&src1, 0)));
		ASSERT_EQ(0, e_update(&q, ring2.bo.va));

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
	TH_LOG("ring 2's copy ran in %llu of %d updates",
	       (unsigned long long)copied, E_UPDATES);
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

TEST_HARNESS_MAIN
