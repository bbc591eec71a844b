// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libvkfd - SDMA queues, built as libhsakmt builds one: a GTT buffer for
 * the ring and the read/write pointers, visible to the GPU and the CPU at
 * the same address, CREATE_QUEUE, and the context's doorbell page mapped
 * through the KFD fd.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>

#include <linux/kfd_ioctl.h>

#include "libvkfd.h"

/* The page after the ring: the read pointer, then the write pointer. */
#define VKFD_QUEUE_PTR_PAGE	4096
#define VKFD_QUEUE_RPTR_OFF	0
#define VKFD_QUEUE_WPTR_OFF	8

/*
 * The kernel counts a smaller ring as this (amdkfd's KFD_MIN_QUEUE_RING_SIZE):
 * a ring of the library's smaller size would overlap the pointers.
 */
#define VKFD_QUEUE_RING_MIN	1024

/* libhsakmt's HSA_QUEUE_PRIORITY_NORMAL, as the thunk passes it. */
#define VKFD_QUEUE_PRIORITY	7

/* Map @size bytes of @bo at exactly CPU address @bo->va. */
static int vkfd_queue_map_ring(int render_fd, const struct vkfd_bo *bo,
			       void **addr)
{
	void *want = (void *)(uintptr_t)bo->va;
	void *p;

	/*
	 * libhsakmt maps with MAP_FIXED over a range it reserved; a library
	 * that reserved nothing must not replace the caller's mappings.
	 */
	p = mmap(want, bo->size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED_NOREPLACE, render_fd,
		 (off_t)bo->mmap_offset);
	if (p == MAP_FAILED)
		return -errno;
	if (p != want) {
		/* A kernel that took the address as a hint only. */
		munmap(p, bo->size);
		return -EEXIST;
	}
	*addr = p;
	return 0;
}

void vkfd_queue_args(struct kfd_ioctl_create_queue_args *args,
		     uint32_t gpu_id, uint32_t type, uint64_t va,
		     uint32_t ring_size)
{
	memset(args, 0, sizeof(*args));
	args->ring_base_address = va;
	args->ring_size = ring_size;
	args->gpu_id = gpu_id;
	args->queue_type = type;
	args->queue_percentage = KFD_MAX_QUEUE_PERCENTAGE;
	args->queue_priority = VKFD_QUEUE_PRIORITY;
	args->read_pointer_address = va + ring_size + VKFD_QUEUE_RPTR_OFF;
	args->write_pointer_address = va + ring_size + VKFD_QUEUE_WPTR_OFF;
}

int vkfd_queue_create(const struct vkfd_context *ctx, int render_fd,
		      uint32_t gpu_id, uint64_t va, uint64_t ring_size,
		      struct vkfd_queue *q)
{
	struct kfd_ioctl_create_queue_args args = { 0 };
	struct kfd_ioctl_destroy_queue_args destroy = { 0 };
	uint64_t cookie, mask = VKFD_DOORBELL_PAGE_SIZE - 1;
	void *ring = NULL, *db;
	int ret;

	memset(q, 0, sizeof(*q));
	q->ctx_fd = -1;
	if (ring_size < VKFD_QUEUE_RING_MIN || ring_size & (ring_size - 1) ||
	    ring_size > UINT32_MAX)
		return -EINVAL;

	/* A ring smaller than a page shares its page with the pointers. */
	ret = vkfd_alloc(ctx, gpu_id, va,
			 (ring_size + 2 * VKFD_QUEUE_PTR_PAGE - 1) &
			 ~(uint64_t)(VKFD_QUEUE_PTR_PAGE - 1),
			 KFD_IOC_ALLOC_MEM_FLAGS_GTT |
			 KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE, &q->bo);
	if (ret)
		return ret;
	ret = vkfd_map(ctx, &q->bo, &gpu_id, 1);
	if (ret)
		goto err_free;
	ret = vkfd_queue_map_ring(render_fd, &q->bo, &ring);
	if (ret)
		goto err_free;

	vkfd_queue_args(&args, gpu_id, KFD_IOC_QUEUE_TYPE_SDMA, va,
			(uint32_t)ring_size);
	ret = vkfd_ioctl(ctx->fd, AMDKFD_IOC_CREATE_QUEUE, &args);
	if (ret)
		goto err_unmap;

	/*
	 * The cookie is the doorbell offset without the doorbell's place in
	 * the page (libhsakmt masks with the page size, or with 32 bits
	 * for the first queue of a node: the same cookie).
	 */
	cookie = args.doorbell_offset & ~mask;
	db = mmap(NULL, VKFD_DOORBELL_PAGE_SIZE, PROT_READ | PROT_WRITE,
		  MAP_SHARED, ctx->fd, (off_t)cookie);
	if (db == MAP_FAILED) {
		ret = -errno;
		goto err_destroy;
	}

	q->ctx_fd = ctx->fd;
	q->id = args.queue_id;
	q->gpu_id = gpu_id;
	q->ring = ring;
	q->ring_size = ring_size;
	q->rptr = (volatile uint64_t *)((char *)ring + ring_size +
					VKFD_QUEUE_RPTR_OFF);
	q->wptr = 0;
	q->doorbell = (volatile uint64_t *)((char *)db +
					    (args.doorbell_offset & mask));
	q->doorbell_page = db;
	q->doorbell_offset = args.doorbell_offset;
	return 0;

err_destroy:
	destroy.queue_id = args.queue_id;
	vkfd_ioctl(ctx->fd, AMDKFD_IOC_DESTROY_QUEUE, &destroy);
err_unmap:
	munmap(ring, q->bo.size);
err_free:
	vkfd_free(ctx, &q->bo);
	memset(q, 0, sizeof(*q));
	q->ctx_fd = -1;
	return ret;
}

int vkfd_queue_destroy(const struct vkfd_context *ctx, struct vkfd_queue *q)
{
	struct kfd_ioctl_destroy_queue_args args = { .queue_id = q->id };
	int ret;

	/*
	 * Queue ids and buffer handles are per context: through another
	 * context's fd, q->id names that context's queue, if any.
	 */
	if (q->ctx_fd < 0 || ctx->fd != q->ctx_fd)
		return -EINVAL;
	ret = vkfd_ioctl(ctx->fd, AMDKFD_IOC_DESTROY_QUEUE, &args);
	if (ret)
		return ret;
	munmap(q->doorbell_page, VKFD_DOORBELL_PAGE_SIZE);
	munmap(q->ring, q->bo.size);
	ret = vkfd_free(ctx, &q->bo);
	memset(q, 0, sizeof(*q));
	q->ctx_fd = -1;
	return ret;
}

int vkfd_queue_submit(struct vkfd_queue *q, const uint32_t *dw, uint32_t n)
{
	uint64_t bytes = (uint64_t)n * sizeof(*dw);
	uint64_t dwords = q->ring_size / sizeof(*dw);
	uint64_t rptr, start, i;

	if (bytes > q->ring_size)
		return -EINVAL;
	rptr = __atomic_load_n(q->rptr, __ATOMIC_ACQUIRE);
	/* Both count bytes from the start, never reduced modulo the ring. */
	if (q->wptr - rptr > q->ring_size - bytes)
		return -ENOSPC;

	start = (q->wptr / sizeof(*dw)) & (dwords - 1);
	for (i = 0; i < n; i++)
		q->ring[(start + i) & (dwords - 1)] = dw[i];
	q->wptr += bytes;
	/* The write pointer in memory, as libhsakmt keeps it; SDMA reads the doorbell. */
	__atomic_store_n((uint64_t *)(q->rptr + 1), q->wptr, __ATOMIC_RELEASE);
	/* One 64-bit store, after the packets: the engine may start at once. */
	__atomic_store_n(q->doorbell, q->wptr, __ATOMIC_RELEASE);
	return 0;
}

static uint64_t vkfd_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int vkfd_queue_wait_idle(const struct vkfd_queue *q, uint32_t timeout_ms)
{
	uint64_t deadline = vkfd_now_ns() + (uint64_t)timeout_ms * 1000000ULL;
	struct timespec nap = { 0, 50000 };

	for (;;) {
		if (__atomic_load_n(q->rptr, __ATOMIC_ACQUIRE) == q->wptr)
			return 0;
		if (vkfd_now_ns() >= deadline)
			return -ETIMEDOUT;
		nanosleep(&nap, NULL);
		/* Back off to 1 ms: an idle engine may itself be sleeping. */
		if (nap.tv_nsec < 1000000)
			nap.tv_nsec *= 2;
	}
}
