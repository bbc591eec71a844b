/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The fixture and helpers of the PM4 compute queue tests (pm4.c,
 * pm4_queue.c): COMPUTE queues built as kfdtest's PM4Queue builds one on
 * gfx9 - a GTT ring, the read pointer (u32, the dword offset in the ring
 * the engine reports) and the write pointer (u64, dwords) in the page
 * after it, the doorbell taking the write pointer in dwords - and packets
 * from <linux/vkfd_pm4.h>'s encoders. Buffers and waits are sdma_utils.h's.
 * Header-only and static; include it after kselftest_harness.h.
 *
 * The amdkfd lane has no GPU: every test skips there.
 */
#ifndef VKFD_SELFTEST_PM4_UTILS_H
#define VKFD_SELFTEST_PM4_UTILS_H

#include "sdma_utils.h"

#include <linux/vkfd_pm4.h>

#define P_RING		4096ULL
/* Compute rings, away from sdma_utils.h's */
#define P_RING_VA	0x7d0000000000ULL

FIXTURE(pm4) {
	struct vkfd_base b;
};

FIXTURE_SETUP(pm4)
{
	vkfd_base_setup(&self->b, VKFD_BASE_VM);
}

FIXTURE_TEARDOWN(pm4)
{
	vkfd_base_teardown(&self->b);
}

#define P_NEED_GPU()	VKFD_ONLY_GPUS(&self->b, 1, "no GPU, no engine")

/**
 * struct p_queue - a COMPUTE queue and its ring
 * @ctx_fd: the KFD fd of its context
 * @id: queue_id
 * @ring: the ring and the pointer page after it, GPU-mapped at @ring.bo.va
 * @size: the ring's bytes
 * @rptr: the read pointer the engine reports (dwords, in the ring)
 * @wptr: the write pointer, dwords, never reduced modulo the ring
 * @doorbell: the queue's doorbell in @db_page
 * @db_page: the context's doorbell page, VKFD_DOORBELL_PAGE_SIZE bytes
 */
struct p_queue {
	int ctx_fd;
	uint32_t id;
	struct s_buf ring;
	uint64_t size;
	volatile uint32_t *rptr;
	uint64_t wptr;
	volatile uint64_t *doorbell;
	void *db_page;
};

/* CREATE_QUEUE of a COMPUTE queue on @c's GPU @gpu_id, ring @n. */
static inline void p_queue_new_prio(struct __test_metadata *_metadata,
				    const struct vkfd_context *c, int render,
				    uint32_t gpu_id, unsigned int n,
				    uint64_t size, uint32_t priority,
				    struct p_queue *q)
{
	struct kfd_ioctl_create_queue_args a = { 0 };
	uint64_t va = P_RING_VA + n * S_RING_STEP;
	uint64_t mask = VKFD_DOORBELL_PAGE_SIZE - 1;
	void *db;

	memset(q, 0, sizeof(*q));
	/* A ring smaller than a page shares it with the pointers. */
	s_buf_new(_metadata, c, render, gpu_id, va,
		  (size + 2 * S_PAGE - 1) & ~(S_PAGE - 1), S_GTT_RW, &q->ring);
	vkfd_queue_args(&a, gpu_id, KFD_IOC_QUEUE_TYPE_COMPUTE, va,
			(uint32_t)size);
	a.queue_priority = priority;
	ASSERT_EQ(0, vkfd_ioctl(c->fd, AMDKFD_IOC_CREATE_QUEUE, &a));
	db = mmap(NULL, VKFD_DOORBELL_PAGE_SIZE, PROT_READ | PROT_WRITE,
		  MAP_SHARED, c->fd, (off_t)(a.doorbell_offset & ~mask));
	ASSERT_NE(MAP_FAILED, db);
	q->ctx_fd = c->fd;
	q->id = a.queue_id;
	q->size = size;
	q->rptr = s_u32(&q->ring, size);
	q->doorbell = (volatile uint64_t *)((char *)db +
					    (a.doorbell_offset & mask));
	q->db_page = db;
}

static inline void p_queue_new(struct __test_metadata *_metadata,
			       const struct vkfd_context *c, int render,
			       uint32_t gpu_id, unsigned int n, uint64_t size,
			       struct p_queue *q)
{
	p_queue_new_prio(_metadata, c, render, gpu_id, n, size, 7, q);
}

/* DESTROY_QUEUE; the ring stays, as the context's until it closes. */
static inline int p_queue_destroy(struct p_queue *q)
{
	struct kfd_ioctl_destroy_queue_args a = { .queue_id = q->id };
	int ret = vkfd_ioctl(q->ctx_fd, AMDKFD_IOC_DESTROY_QUEUE, &a);

	munmap(q->db_page, VKFD_DOORBELL_PAGE_SIZE);
	return ret;
}

/* Dwords in use: one is always free, as on hardware. */
static inline uint64_t p_used(const struct p_queue *q)
{
	uint64_t ndw = q->size / 4;

	return (q->wptr - __atomic_load_n(q->rptr, __ATOMIC_ACQUIRE)) &
	       (ndw - 1);
}

/* Copy @n dwords into the ring, then the write pointer and doorbell. */
static inline int p_submit(struct p_queue *q, const uint32_t *dw, uint32_t n)
{
	uint64_t ndw = q->size / 4, i;
	volatile uint32_t *ring = s_u32(&q->ring, 0);

	if (n > ndw - 1 - p_used(q))
		return -ENOSPC;
	for (i = 0; i < n; i++)
		ring[(q->wptr + i) & (ndw - 1)] = dw[i];
	q->wptr += n;
	__atomic_store_n(s_u64(&q->ring, q->size + 8), q->wptr,
			 __ATOMIC_RELEASE);
	__atomic_store_n(q->doorbell, q->wptr, __ATOMIC_RELEASE);
	return 0;
}

#define P_SUBMIT(q, dw, n)	ASSERT_EQ(0, p_submit((q), (dw), (n)))

/* The engine read everything submitted: *rptr is the write pointer's. */
static inline bool p_idle(const struct p_queue *q)
{
	return s_wait_u32((volatile uint32_t *)q->rptr,
			  (uint32_t)(q->wptr & (q->size / 4 - 1)));
}

#define P_IDLE(q)		ASSERT_TRUE(p_idle(q))

/* AMDKFD_IOC_UPDATE_QUEUE of @q. */
static inline int p_update(const struct p_queue *q, uint64_t ring,
			   uint32_t size, uint32_t percentage)
{
	struct kfd_ioctl_update_queue_args a = {
		.ring_base_address = ring,
		.queue_id = q->id,
		.ring_size = size,
		.queue_percentage = percentage,
		.queue_priority = 7,
	};

	return vkfd_ioctl(q->ctx_fd, AMDKFD_IOC_UPDATE_QUEUE, &a);
}

/* A buffer of @size bytes at S_BUF_VA and queue 0, on GPU 0 of the primary. */
static inline void p_buf_and_queue(struct __test_metadata *_metadata,
				   FIXTURE_DATA(pm4) *self, uint64_t size,
				   struct s_buf *b, struct p_queue *q)
{
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA, size, S_GTT_RW, b);
	p_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0,
		    P_RING, q);
}

/* Make sure the engines have gone round: fresh queues of @c do work. */
static inline void p_went_round(struct __test_metadata *_metadata,
			 FIXTURE_DATA(pm4) *self, const struct vkfd_context *c,
			 int render, const struct s_buf *b, uint64_t off,
			 unsigned int ring)
{
	struct p_queue q[2];
	uint32_t dw[8], v;
	int i;

	/* One per engine: round robin puts two queues on both. */
	for (i = 0; i < 2; i++) {
		v = 0x77 + ring + i;
		p_queue_new(_metadata, c, render, self->b.gpu[0], ring + i,
			    P_RING, &q[i]);
		P_SUBMIT(&q[i], dw, vkfd_pm4_pkt_write_data(dw, b->bo.va + off +
							    4 * i, &v, 1,
							    false));
		P_IDLE(&q[i]);
		EXPECT_EQ(v, *s_u32(b, off + 4 * i));
	}
	for (i = 0; i < 2; i++)
		EXPECT_EQ(0, p_queue_destroy(&q[i]));
}

/*
 * @q halted at the packet at dword @at without a fault: its read pointer
 * got there and, once the engines have gone round (p_went_round() over
 * @b's dwords from 1024), stays there; no fault counted, the memory
 * event @ev not set.
 */
static inline void p_halted_at(struct __test_metadata *_metadata,
			       FIXTURE_DATA(pm4) *self, const struct p_queue *q,
			       const struct s_buf *b, uint32_t at, uint32_t ev)
{
	uint32_t result;

	ASSERT_TRUE(s_wait_u32(q->rptr, at));
	p_went_round(_metadata, self, &self->b.p, self->b.render, b, 1024, 1);
	EXPECT_EQ(at, *q->rptr);
	EXPECT_EQ(0ULL, S_FAULTS(self->b.p.fd));
	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, &ev, 1, false, 0, &result));
	EXPECT_EQ(S_EV_TIMEOUT, result);
}

#endif /* VKFD_SELFTEST_PM4_UTILS_H */
