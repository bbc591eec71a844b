/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * AQL queues (KFD_IOC_QUEUE_TYPE_COMPUTE_AQL) for the selftests
 * (aql.c, sdma_doorbell_bo.c), built as ROCr builds them: a ring whose
 * headers are all INVALID, read_dispatch_id as the read pointer, packets
 * written header last and rung with their packet id (the first ring is
 * 0). Packets are libvkfd_aql.h's; buffers and waits sdma_utils.h's.
 * Header-only and static; include it after kselftest_harness.h.
 */
#ifndef VKFD_SELFTEST_AQL_UTILS_H
#define VKFD_SELFTEST_AQL_UTILS_H

#include "sdma_utils.h"

#include "libvkfd_aql.h"

#define A_RING		4096ULL		/* 64 packets */

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

static inline volatile uint64_t *a_rptr(const struct a_queue *q)
{
	return s_u64(&q->ring, A_RING);
}

static inline void a_queue_new(struct __test_metadata *_metadata,
			       const struct vkfd_context *c, int render,
			       uint32_t gpu_id, unsigned int n,
			       struct a_queue *q)
{
	struct kfd_ioctl_create_queue_args args = { 0 };
	uint64_t va = S_RING_VA + n * S_RING_STEP, mask;
	void *db;

	s_buf_new(_metadata, c, render, gpu_id, va, A_RING + S_PAGE, S_GTT_RW,
		  &q->ring);
	vkfd_aql_ring_init(q->ring.cpu, A_RING);
	vkfd_queue_args(&args, gpu_id, KFD_IOC_QUEUE_TYPE_COMPUTE_AQL, va,
			A_RING);
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

static inline void a_queue_destroy(struct __test_metadata *_metadata,
				   const struct vkfd_context *c,
				   struct a_queue *q)
{
	struct kfd_ioctl_destroy_queue_args args = { .queue_id = q->id };

	EXPECT_EQ(0, vkfd_ioctl(c->fd, AMDKFD_IOC_DESTROY_QUEUE, &args));
	munmap(q->db_page, VKFD_DOORBELL_PAGE_SIZE);
}

/* Write @dw at the next packet id, the header last, and ring it. */
static inline void a_submit(struct __test_metadata *_metadata,
			    struct a_queue *q, const uint32_t *dw)
{
	uint64_t id = q->wr++;
	volatile uint32_t *slot = s_u32(&q->ring, (id * VKFD_AQL_PKT) % A_RING);
	unsigned int i;

	ASSERT_LT(id - *a_rptr(q), A_RING / VKFD_AQL_PKT);
	for (i = 1; i < VKFD_AQL_PKT / 4; i++)
		slot[i] = dw[i];
	__atomic_store_n(slot, dw[0], __ATOMIC_RELEASE);
	__atomic_store_n(q->doorbell, id, __ATOMIC_RELEASE);
}

/* Everything submitted to @q consumed: the read index caught up. */
#define A_IDLE(q)	ASSERT_TRUE(s_wait_u64(a_rptr(q), (q)->wr))

#endif /* VKFD_SELFTEST_AQL_UTILS_H */
