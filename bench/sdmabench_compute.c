// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sdmabench's compute phase: the doorbell-to-completion latency of the
 * compute queues, measured as the latency phase measures SDMA's FENCE
 * (sdmabench.c), in the same context and VM:
 *
 *   PM4  a RELEASE_MEM alone (32-bit data, no interrupt) on a COMPUTE
 *        queue built as kfdtest's PM4Queue; the CPU spins on the value.
 *   AQL  a barrier-AND packet without dependencies on a COMPUTE_AQL
 *        queue built as ROCr's AqlQueue, its completion signal an
 *        amd_signal_t without mailbox; from the header store and the
 *        doorbell ring until the CPU sees the signal's value drop.
 *
 * Both queues live on the engine as the SDMA queue does; with nothing
 * else queued, the numbers say what the packet processor adds to the
 * engine's wake-up and scheduling.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/kfd_ioctl.h>
#include <linux/vkfd_pm4.h>

#include "bench_stats.h"
#include "bench_time.h"
#include "libvkfd.h"
#include "libvkfd_aql.h"
#include "sdmabench.h"

#define C_RING			4096ull
#define C_PAGE			4096ull
#define C_VA_PM4		0x100400000000ull
#define C_VA_AQL		0x100500000000ull
#define C_VA_SIG		0x100600000000ull
#define C_TIMEOUT_NS		(60 * 1000000000ull)

/**
 * struct cqueue - one compute queue of the bench
 * @bo: the ring, then a page for the pointers (read, then write at +8)
 * @ring: its CPU mapping (ring at 0)
 * @id: queue_id
 * @wptr: PM4: dwords written; AQL: the next packet id
 * @doorbell: the queue's doorbell
 * @db_page: its mapping
 */
struct cqueue {
	struct vkfd_bo bo;
	char *ring;
	uint32_t id;
	uint64_t wptr;
	volatile uint64_t *doorbell;
	void *db_page;
};

/**
 * struct compute - the phase's context, queues and signal
 * @ctx: the context (this process's primary, the SDMA phases' too: a
 *	process has one, and its VM stays bound to the first render file)
 * @render: that render node fd, bound to the VM
 * @pm4: the COMPUTE queue
 * @aql: the COMPUTE_AQL queue
 * @sig: a GTT page: the PM4 fence at 0, the AQL signal at 64
 * @sig_cpu: its CPU mapping
 * @seq: the last fence value
 */
struct compute {
	struct vkfd_context ctx;
	int render;
	struct cqueue pm4, aql;
	struct vkfd_bo sig;
	char *sig_cpu;
	uint32_t seq;
};

static int c_buf(struct compute *c, uint32_t gpu_id, uint64_t va,
		 uint64_t size, struct vkfd_bo *bo, void **cpu)
{
	int ret;

	ret = vkfd_alloc(&c->ctx, gpu_id, va, size,
			 KFD_IOC_ALLOC_MEM_FLAGS_GTT |
			 KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE, bo);
	if (ret)
		return ret;
	ret = vkfd_map(&c->ctx, bo, &gpu_id, 1);
	if (!ret)
		ret = vkfd_bo_mmap(c->render, bo, PROT_READ | PROT_WRITE, cpu);
	if (ret)
		vkfd_free(&c->ctx, bo);
	return ret;
}

static int c_queue(struct compute *c, uint32_t gpu_id, uint32_t type,
		   uint64_t va, struct cqueue *q)
{
	struct kfd_ioctl_create_queue_args a = { 0 };
	uint64_t mask = VKFD_DOORBELL_PAGE_SIZE - 1;
	void *p;
	int ret;

	ret = c_buf(c, gpu_id, va, C_RING + C_PAGE, &q->bo, &p);
	if (ret)
		return ret;
	q->ring = p;
	memset(q->ring, 0, C_RING + C_PAGE);
	if (type == KFD_IOC_QUEUE_TYPE_COMPUTE_AQL)
		vkfd_aql_ring_init(q->ring, C_RING);
	vkfd_queue_args(&a, gpu_id, type, va, C_RING);
	ret = vkfd_ioctl(c->ctx.fd, AMDKFD_IOC_CREATE_QUEUE, &a);
	if (ret)
		goto free_ring;
	p = mmap(NULL, VKFD_DOORBELL_PAGE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_SHARED, c->ctx.fd, (off_t)(a.doorbell_offset & ~mask));
	if (p == MAP_FAILED) {
		struct kfd_ioctl_destroy_queue_args d = { .queue_id = a.queue_id };

		ret = -errno;
		vkfd_ioctl(c->ctx.fd, AMDKFD_IOC_DESTROY_QUEUE, &d);
		goto free_ring;
	}
	q->id = a.queue_id;
	q->wptr = 0;
	q->db_page = p;
	q->doorbell = (volatile uint64_t *)((char *)p +
					    (a.doorbell_offset & mask));
	return 0;

free_ring:
	vkfd_bo_munmap(&q->bo, q->ring);
	vkfd_free(&c->ctx, &q->bo);
	return ret;
}

static void c_queue_fini(struct compute *c, struct cqueue *q)
{
	struct kfd_ioctl_destroy_queue_args a = { .queue_id = q->id };

	vkfd_ioctl(c->ctx.fd, AMDKFD_IOC_DESTROY_QUEUE, &a);
	munmap(q->db_page, VKFD_DOORBELL_PAGE_SIZE);
	vkfd_bo_munmap(&q->bo, q->ring);
	vkfd_free(&c->ctx, &q->bo);
}

/* Spin until *@p == @want; -ETIMEDOUT after a minute. */
static int c_spin(volatile uint64_t *p, uint64_t want, uint64_t t0)
{
	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) != want) {
		if (now_ns() - t0 > C_TIMEOUT_NS)
			return -ETIMEDOUT;
		sched_yield();
	}
	return 0;
}

/* One RELEASE_MEM on the PM4 queue, to its value seen. Returns ns or 0. */
static uint64_t c_pm4_once(void *arg)
{
	struct compute *c = arg;
	struct cqueue *q = &c->pm4;
	uint32_t dw[VKFD_PM4_RELEASE_MEM_DW], n, i, seq = ++c->seq;
	volatile uint32_t *ring = (volatile uint32_t *)q->ring;
	volatile uint64_t *fence = (volatile uint64_t *)c->sig_cpu;
	uint64_t t0, ndw = C_RING / 4;

	n = vkfd_pm4_pkt_release_mem(dw, VKFD_PM4_RM_DATA_32,
				     VKFD_PM4_RM_INT_NONE, c->sig.va, seq, 0);
	t0 = now_ns();
	for (i = 0; i < n; i++)
		ring[(q->wptr + i) & (ndw - 1)] = dw[i];
	q->wptr += n;
	__atomic_store_n((uint64_t *)(q->ring + C_RING + 8), q->wptr,
			 __ATOMIC_RELEASE);
	__atomic_store_n(q->doorbell, q->wptr, __ATOMIC_RELEASE);
	/* the upper half of the fence stays 0: DATA_32 */
	if (c_spin(fence, seq, t0))
		return 0;
	return now_ns() - t0;
}

/* One barrier-AND on the AQL queue, to its signal seen. */
static uint64_t c_aql_once(void *arg)
{
	struct compute *c = arg;
	struct cqueue *q = &c->aql;
	volatile int64_t *value = (volatile int64_t *)(c->sig_cpu + 64 +
						       VKFD_AQL_SIG_VALUE);
	uint64_t id = q->wptr++, t0;
	uint32_t *slot = (uint32_t *)(q->ring + (id * VKFD_AQL_PKT) % C_RING);
	uint32_t dw[VKFD_AQL_PKT / 4];
	int64_t want = *value - 1;
	int i;

	/* the whole slot again: the engine set its header to INVALID */
	vkfd_aql_barrier(dw, VKFD_AQL_AND, 0, c->sig.va + 64);
	for (i = 1; i < VKFD_AQL_PKT / 4; i++)
		slot[i] = dw[i];
	t0 = now_ns();
	__atomic_store_n(slot, dw[0], __ATOMIC_RELEASE);
	__atomic_store_n(q->doorbell, id, __ATOMIC_RELEASE);
	if (c_spin((volatile uint64_t *)value, (uint64_t)want, t0))
		return 0;
	return now_ns() - t0;
}

static void c_print(const char *what, struct summary r)
{
	printf("  %-20s %4zu samples, median %.1f us, p90 %.1f us, p99 %.1f us, max %.1f us\n",
	       what, r.n, us(r.p50), us(r.p90), us(r.p99), us(r.max));
}

int compute_phase(const struct sdmabench *sb, const struct vkfd_context *ctx,
		  int render)
{
	unsigned int n = scaled(sb, LATENCY_SAMPLES, 20);
	unsigned int idle = scaled(sb, IDLE_SAMPLES, 5);
	struct compute c = { .ctx = *ctx, .render = render };
	char idle_label[32];
	struct summary r;
	void *p;
	int ret;

	snprintf(idle_label, sizeof(idle_label), "  after %u ms idle:", IDLE_MS);
	ret = c_buf(&c, sb->gpu_id, C_VA_SIG, C_PAGE, &c.sig, &p);
	if (ret)
		goto out;
	c.sig_cpu = p;
	memset(c.sig_cpu, 0, C_PAGE);
	/* the AQL signal counts down from here, one per round trip */
	*(int64_t *)(c.sig_cpu + 64 + VKFD_AQL_SIG_VALUE) = 1ll << 40;
	ret = c_queue(&c, sb->gpu_id, KFD_IOC_QUEUE_TYPE_COMPUTE, C_VA_PM4,
		      &c.pm4);
	if (ret)
		goto free_sig;
	ret = c_queue(&c, sb->gpu_id, KFD_IOC_QUEUE_TYPE_COMPUTE_AQL,
		      C_VA_AQL, &c.aql);
	if (ret)
		goto fini_pm4;
	printf("compute: doorbell to completion on the compute queues, the CPU spinning "
	       "on the value (SDMA's FENCE: the latency table above)\n");
	ret = -ETIMEDOUT;
	r = latency_samples(c_pm4_once, &c, n, 0);
	if (!r.n)
		goto fini_aql;
	c_print("PM4 RELEASE_MEM:", r);
	r = latency_samples(c_pm4_once, &c, idle, IDLE_MS);
	if (!r.n)
		goto fini_aql;
	c_print(idle_label, r);
	r = latency_samples(c_aql_once, &c, n, 0);
	if (!r.n)
		goto fini_aql;
	c_print("AQL barrier-AND:", r);
	r = latency_samples(c_aql_once, &c, idle, IDLE_MS);
	if (!r.n)
		goto fini_aql;
	c_print(idle_label, r);
	printf("\n");
	ret = 0;
fini_aql:
	c_queue_fini(&c, &c.aql);
fini_pm4:
	c_queue_fini(&c, &c.pm4);
free_sig:
	vkfd_bo_munmap(&c.sig, c.sig_cpu);
	vkfd_free(&c.ctx, &c.sig);
out:
	if (ret)
		printf("sdmabench: compute: %s\n", strerror(-ret));
	return ret ? 1 : 0;
}
