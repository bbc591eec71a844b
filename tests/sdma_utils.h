/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The fixture and helpers of the SDMA engine tests: sdma.c (every packet,
 * byte-exact through CPU mappings; the ring wrapping; doorbells after
 * idling; TRAP and events; sysfs), sdma_fault.c (fault containment and
 * halted queues) and sdma_life.c (destroy, close and exit with busy or
 * hostile queues; unmap and free under a copy). Header-only and static;
 * include it after kselftest_harness.h.
 *
 * Queues are made with libvkfd's queue calls (a GTT buffer holding the
 * ring and the read/write pointers, at the same CPU and GPU address, as
 * libhsakmt does) and packets with its encoders, or by hand where a test
 * needs a packet the encoders do not make. Waits are bounded by
 * S_WAIT_MS and never decide a result by how long something took.
 *
 * The amdkfd lane has no GPU: every test skips there.
 */
#ifndef VKFD_SELFTEST_SDMA_UTILS_H
#define VKFD_SELFTEST_SDMA_UTILS_H

#include "vkfd_utils.h"

#include <linux/vkfd_sdma.h>

#define S_PAGE		4096ULL
#define S_WAIT_MS	10000		/* a bound, not an expectation */
#define S_RING		4096ULL
/* Rings (and their pointer page) at the same CPU and GPU address */
#define S_RING_VA	0x7e0000000000ULL
#define S_RING_STEP	0x1000000ULL
/* Data buffers: GPU addresses only, CPU-mapped wherever mmap puts them */
#define S_BUF_VA	0x100000000ULL
#define S_BUF_STEP	0x10000000ULL
#define S_EV_VA		0x7000000000ULL	/* the signal page, on the GPU */
#define S_HOLE_VA	0x6000000000ULL	/* never mapped */

#define S_GTT_RW	(KFD_IOC_ALLOC_MEM_FLAGS_GTT | \
			 KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE)
#define S_GTT_RO	KFD_IOC_ALLOC_MEM_FLAGS_GTT

#define S_EV_COMPLETE	((uint32_t)KFD_IOC_WAIT_RESULT_COMPLETE)
#define S_EV_TIMEOUT	((uint32_t)KFD_IOC_WAIT_RESULT_TIMEOUT)

/* The base fixture: the primary with its VM on GPU 0, -1 without */
FIXTURE(sdma) {
	struct vkfd_base b;
};

/* Tests need a GPU, vkfd's engines and sysfs. */
#define S_NEED_GPU()	VKFD_ONLY_GPUS(&self->b, 1, "no GPU, no SDMA engine")

/**
 * struct s_buf - a buffer on GPU 0, mapped there and on the CPU
 * @bo: the buffer
 * @cpu: its CPU mapping (read-only for a buffer that is not WRITABLE)
 */
struct s_buf {
	struct vkfd_bo bo;
	uint8_t *cpu;
};

static inline volatile uint32_t *s_u32(const struct s_buf *b, uint64_t off)
{
	return (volatile uint32_t *)(b->cpu + off);
}

static inline volatile uint64_t *s_u64(const struct s_buf *b, uint64_t off)
{
	return (volatile uint64_t *)(b->cpu + off);
}

/* A GTT buffer of @c on GPU @gpu_id at @va, GPU- and CPU-mapped. */
static inline void s_buf_new(struct __test_metadata *_metadata,
			     const struct vkfd_context *c, int render,
			     uint32_t gpu_id, uint64_t va, uint64_t size,
			     uint32_t flags, struct s_buf *b)
{
	int prot = PROT_READ;
	void *p = NULL;

	if (flags & KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE)
		prot |= PROT_WRITE;
	ASSERT_EQ(0, vkfd_alloc(c, gpu_id, va, size, flags, &b->bo));
	ASSERT_EQ(0, vkfd_map(c, &b->bo, &gpu_id, 1));
	ASSERT_EQ(0, vkfd_bo_mmap(render, &b->bo, prot, &p));
	b->cpu = p;
}

/* An SDMA queue of @c on GPU @gpu_id, the @n-th of the test's rings. */
static inline void s_queue_new(struct __test_metadata *_metadata,
			       const struct vkfd_context *c, int render,
			       uint32_t gpu_id, unsigned int n,
			       uint64_t ring_size, struct vkfd_queue *q)
{
	ASSERT_EQ(0, vkfd_queue_create(c, render, gpu_id,
				       S_RING_VA + n * S_RING_STEP, ring_size,
				       q));
}

/* Submit @n dwords; the ring must have room. */
#define S_SUBMIT(q, dw, n)	ASSERT_EQ(0, vkfd_queue_submit((q), (dw), (n)))

/* Everything submitted to @q is done (its read pointer caught up). */
#define S_IDLE(q)		ASSERT_EQ(0, vkfd_queue_wait_idle((q), S_WAIT_MS))

/*
 * Wait for the @size-byte value at @p (4 or 8 bytes) to be @v, polling
 * for at most S_WAIT_MS.
 */
static inline bool s_wait(volatile void *p, size_t size, uint64_t v)
{
	uint64_t end = vkfd_now_ms() + S_WAIT_MS;

	while ((size == 4 ?
		__atomic_load_n((volatile uint32_t *)p, __ATOMIC_ACQUIRE) :
		__atomic_load_n((volatile uint64_t *)p, __ATOMIC_ACQUIRE)) != v) {
		if (vkfd_now_ms() > end)
			return false;
		vkfd_sleep_ms(1);
	}
	return true;
}

static inline bool s_wait_u64(volatile uint64_t *p, uint64_t v)
{
	return s_wait(p, sizeof(*p), v);
}

static inline bool s_wait_u32(volatile uint32_t *p, uint32_t v)
{
	return s_wait(p, sizeof(*p), v);
}

/* A sysfs file of @fd's context about GPU 0, ~0 if unreadable. */
#define S_SYSFS(fd, fmt)						\
	vkfd_ctx_sysfs_val(&self->b.env, self->b.pid,			\
			   vkfd_ctx_id_of_fd(fd), fmt, self->b.gpu[0])

#define S_SDMA_BYTES(fd)	S_SYSFS(fd, "sdma_%u")
#define S_FAULTS(fd)		S_SYSFS(fd, "counters_%u/faults")

/* The read pointer's byte offset of the packet @n dwords into the ring. */
static inline uint64_t s_rptr(const struct vkfd_queue *q)
{
	return __atomic_load_n(q->rptr, __ATOMIC_ACQUIRE);
}

/*
 * A MEMORY event of @c: set by a fault of any of its queues, reporting
 * it. Returns its id.
 */
static inline uint32_t s_memory_event(struct __test_metadata *_metadata,
				      const struct vkfd_context *c)
{
	struct vkfd_event ev;

	EXPECT_EQ(0, vkfd_event_create(c, KFD_IOC_EVENT_MEMORY, false, 0,
				       &ev));
	return ev.id;
}

/* NOP followed by @count skipped dwords (filled with @junk). */
static inline uint32_t s_nop_count(uint32_t *dw, uint32_t count,
				   uint32_t junk)
{
	uint32_t i;

	vkfd_sdma_pkt_nop(dw, count);
	for (i = 1; i <= count; i++)
		dw[i] = junk;
	return 1 + count;
}

/* Fill the ring with NOPs until its end is @left bytes away. */
static inline void s_ring_align(struct __test_metadata *_metadata,
				struct vkfd_queue *q, uint64_t left)
{
	uint64_t off = q->wptr & (q->ring_size - 1);
	uint64_t n = ((q->ring_size - off - left) & (q->ring_size - 1)) / 4;
	uint32_t dw[1];

	while (n--) {
		vkfd_sdma_nop(dw);
		if (vkfd_queue_submit(q, dw, 1) == -ENOSPC) {
			S_IDLE(q);
			S_SUBMIT(q, dw, 1);
		}
	}
	S_IDLE(q);
}

FIXTURE_SETUP(sdma)
{
	vkfd_base_setup(&self->b, VKFD_BASE_VM);
}

FIXTURE_TEARDOWN(sdma)
{
	vkfd_base_teardown(&self->b);
}

/* A fill pattern that tells every byte from its neighbours */
static inline void s_pattern(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7 + seed + (i >> 12));
}

/* A buffer of @size bytes at S_BUF_VA and a queue, on GPU 0 of the primary. */
static inline void s_buf_and_queue(struct __test_metadata *_metadata,
				   FIXTURE_DATA(sdma) *self, uint64_t size,
				   struct s_buf *b, struct vkfd_queue *q)
{
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], S_BUF_VA,
		  size, S_GTT_RW, b);
	s_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0, S_RING,
		    q);
}

#endif /* VKFD_SELFTEST_SDMA_UTILS_H */
