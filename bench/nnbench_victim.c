// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * nnbench - the victim: a process of its own, with a secondary context
 * (CREATE_PROCESS) of its own, a GPU VM and an SDMA queue on the first
 * GPU, running as the unprivileged VICTIM_UID (so that no capability
 * exempts it from the per-user bounds the hostile users run into).
 *
 *   doorbell to fence  a FENCE packet alone is written to the ring, the
 *                      doorbell rung, and the CPU spins on the fence
 *                      value (sched_yield() between reads), as
 *                      sdmabench's latency phase; optionally after a
 *                      sleep, so that the engine is idle.
 *   alloc+map          ALLOC_MEMORY_OF_GPU of 4 KiB of GTT and
 *                      MAP_MEMORY_TO_GPU of it, timed as a pair; the FREE
 *                      (which unmaps) is not timed.
 *
 * Every failed ioctl, and every fence not seen within FENCE_TIMEOUT_NS,
 * is a failure: counted, the first one named, and the run goes on.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kfd_ioctl.h>

#include "bench_sys.h"
#include "bench_time.h"
#include "libvkfd.h"
#include "nnbench.h"

#define VA_RING			0x100000000000ull
#define VA_FENCE		0x100100000000ull
#define VA_ALLOC		0x100200000000ull
#define RING_SIZE		4096
#define FENCE_TIMEOUT_NS	(5 * 1000000000ull)

/**
 * struct victim - the victim's context, queue and fence
 */
struct victim {
	struct vkfd_context ctx;
	int render;
	struct vkfd_queue q;
	struct vkfd_bo fence;
	volatile uint32_t *fence_cpu;
	uint32_t seq;
	struct victim_result *r;
};

static void victim_fail(struct victim *v, const char *what, int err)
{
	if (!v->r->failures++) {
		v->r->first_err = err;
		snprintf(v->r->first_what, sizeof(v->r->first_what), "%s",
			 what);
	}
}

static int victim_setup(struct victim *v, const struct nnbench *nb)
{
	uint32_t gpu = nb->gpu_id;
	void *p;
	int ret;

	ret = vkfd_open_secondary(nb->dev, &v->ctx);
	if (ret)
		return ret;
	ret = vkfd_open_vm(&v->ctx, nb->topology, gpu, &v->render);
	if (ret)
		return ret;
	/* the render node is root's: opened first, then the user drops */
	ret = drop_to(VICTIM_UID);
	if (ret)
		return ret;
	ret = vkfd_alloc(&v->ctx, gpu, VA_FENCE, 4096,
			 KFD_IOC_ALLOC_MEM_FLAGS_GTT |
			 KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE, &v->fence);
	if (!ret)
		ret = vkfd_map(&v->ctx, &v->fence, &gpu, 1);
	if (!ret)
		ret = vkfd_bo_mmap(v->render, &v->fence,
				   PROT_READ | PROT_WRITE, &p);
	if (ret)
		return ret;
	v->fence_cpu = p;
	return vkfd_queue_create(&v->ctx, v->render, gpu, VA_RING, RING_SIZE,
				 &v->q);
}

/* One FENCE alone; returns the ns to see it, or 0 if it failed. */
static uint64_t victim_fence(struct victim *v)
{
	uint32_t dw[8], seq = ++v->seq, n;
	uint64_t t0, t;
	int ret;

	n = vkfd_sdma_fence(dw, v->fence.va, seq);
	v->r->ops++;
	t0 = now_ns();
	ret = vkfd_queue_submit(&v->q, dw, n);
	if (ret) {
		victim_fail(v, "submit", ret);
		return 0;
	}
	for (;;) {
		if (__atomic_load_n(v->fence_cpu, __ATOMIC_ACQUIRE) == seq)
			break;
		t = now_ns();
		if (t - t0 > FENCE_TIMEOUT_NS) {
			victim_fail(v, "fence", -ETIMEDOUT);
			return 0;
		}
		sched_yield();
	}
	t = now_ns() - t0;
	return t ? t : 1;
}

/* One ALLOC + MAP of 4 KiB of GTT, then FREE; the ns of the pair, or 0. */
static uint64_t victim_alloc(struct victim *v, uint32_t gpu)
{
	struct vkfd_bo bo;
	uint64_t t0, t;
	int ret;

	v->r->ops += 3;
	t0 = now_ns();
	ret = vkfd_alloc(&v->ctx, gpu, VA_ALLOC, 4096,
			 KFD_IOC_ALLOC_MEM_FLAGS_GTT |
			 KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE, &bo);
	if (ret) {
		victim_fail(v, "alloc", ret);
		return 0;
	}
	ret = vkfd_map(&v->ctx, &bo, &gpu, 1);
	t = now_ns() - t0;
	if (ret)
		victim_fail(v, "map", ret);
	ret = vkfd_free(&v->ctx, &bo);
	if (ret)
		victim_fail(v, "free", ret);
	return ret ? 0 : (t ? t : 1);
}

static void victim_run(const struct nnbench *nb, unsigned int fences,
		       unsigned int idle_ms, unsigned int allocs,
		       struct victim_result *r)
{
	struct samples fs, as;
	struct victim v;
	unsigned int i;
	uint64_t ns;

	memset(&v, 0, sizeof(v));
	v.r = r;
	v.render = -1;
	r->setup_err = victim_setup(&v, nb);
	if (r->setup_err)
		return;
	samples_init(&fs, fences);
	samples_init(&as, allocs);
	/*
	 * Warm-up, not recorded: an alloc, then a fence, so that the first
	 * recorded fence finds the engine serving the queue (a queue idle
	 * for 2 ms is armed, and the next fence pays for the wake-up).
	 */
	victim_alloc(&v, nb->gpu_id);
	victim_fence(&v);
	r->ops = 0;
	r->failures = 0;
	for (i = 0; i < fences; i++) {
		if (idle_ms)
			usleep(idle_ms * 1000);
		ns = victim_fence(&v);
		if (ns)
			samples_add(&fs, ns);
	}
	for (i = 0; i < allocs; i++) {
		ns = victim_alloc(&v, nb->gpu_id);
		if (ns)
			samples_add(&as, ns);
	}
	r->fence = summarize(&fs);
	r->alloc = summarize(&as);
	samples_free(&fs);
	samples_free(&as);
	/* the rest goes with the process */
}

int victim_measure(const struct nnbench *nb, unsigned int fences,
		   unsigned int idle_ms, unsigned int allocs,
		   struct victim_result *r)
{
	int fds[2], st;
	ssize_t len;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (pipe(fds))
		die("pipe");
	pid = bench_fork();
	if (!pid) {
		close(fds[0]);
		victim_run(nb, fences, idle_ms, allocs, r);
		if (write(fds[1], r, sizeof(*r)) != (ssize_t)sizeof(*r))
			bench_exit(1);
		bench_exit(0);
	}
	close(fds[1]);
	len = read(fds[0], r, sizeof(*r));
	close(fds[0]);
	st = bench_wait(pid);
	if (len != (ssize_t)sizeof(*r) || st) {
		memset(r, 0, sizeof(*r));
		return -1;
	}
	return 0;
}
