/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The fixture of the SDMA KUnit suites (vkfd_sdma_test.c: the packet
 * executor; vkfd_sdma_engine_test.c: the engine threads): a queue and a
 * GPU VM built in the test, with a ring, a read pointer page, data pages,
 * a read-only page, a hole, and two 2 MiB ranges of one repeated page;
 * the packets, made by hand from <linux/vkfd_sdma.h>.
 */
#ifndef _VKFD_SDMA_TEST_H_
#define _VKFD_SDMA_TEST_H_

#include <kunit/test.h>
#include <linux/kfd_ioctl.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vkfd_sdma.h>

#include "../vkfd_doorbell.h"
#include "../vkfd_gpu.h"
#include "../vkfd_priv.h"
#include "../vkfd_pt.h"
#include "../vkfd_queue.h"
#include "../vkfd_sdma.h"
#include "../vkfd_vm.h"
#include "vkfd_vm_test.h"

/* The VM */
#define RING_VA		0x100000ULL	/* RING_PAGES pages, the ring */
#define RING_PAGES	2
#define RING_SIZE	(RING_PAGES * PG)
#define RPTR_VA		0x200000ULL	/* the read pointer's page */
#define DATA_VA		0x300000ULL	/* DATA_PAGES pages */
#define DATA_PAGES	4
#define RO_VA		(DATA_VA + DATA_PAGES * PG) /* read-only page */
#define HOLE_VA		0x500000ULL	/* nothing */
#define BIG_SRC_VA	0x10000000ULL	/* BIG bytes: one page, repeated */
#define BIG_DST_VA	0x20000000ULL	/* BIG bytes: another, repeated */
#define BIG		SZ_2M

/* The pages, in &struct sdma_test.pages */
enum {
	P_RING,
	P_RPTR = P_RING + RING_PAGES,
	P_DATA,
	P_RO = P_DATA + DATA_PAGES,
	P_BIG_SRC,
	P_BIG_DST,
	NPAGES
};

struct sdma_test {
	struct vkfd_ctx ctx;
	struct vkfd_vm vm;
	struct vkfd_gpu gpu;
	struct vkfd_queue q;
	u64 doorbell;
	u64 wptr;
	struct page *pages[NPAGES];
	struct page **big;
};

static inline void *page_of(struct sdma_test *t, unsigned int i)
{
	return page_address(t->pages[i]);
}

static inline u32 *data(struct sdma_test *t, u64 off)
{
	return page_of(t, P_DATA + off / PG) + off % PG;
}

static inline int sdma_test_map(struct sdma_test *t)
{
	unsigned int i;
	int ret;

	ret = vkfd_pt_map(&t->vm.pt, RING_VA, &t->pages[P_RING], RING_PAGES,
			  RW);
	if (!ret)
		ret = vkfd_pt_map(&t->vm.pt, RPTR_VA, &t->pages[P_RPTR], 1, RW);
	if (!ret)
		ret = vkfd_pt_map(&t->vm.pt, DATA_VA, &t->pages[P_DATA],
				  DATA_PAGES, RW);
	if (!ret)
		ret = vkfd_pt_map(&t->vm.pt, RO_VA, &t->pages[P_RO], 1, R);
	if (ret)
		return ret;
	for (i = 0; i < BIG / PG; i++)
		t->big[i] = t->pages[P_BIG_SRC];
	ret = vkfd_pt_map(&t->vm.pt, BIG_SRC_VA, t->big, BIG / PG, R);
	if (ret)
		return ret;
	for (i = 0; i < BIG / PG; i++)
		t->big[i] = t->pages[P_BIG_DST];
	return vkfd_pt_map(&t->vm.pt, BIG_DST_VA, t->big, BIG / PG, RW);
}

static inline int sdma_test_init(struct kunit *test)
{
	struct sdma_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	int ret;

	if (!t)
		return -ENOMEM;
	test->priv = t;
	t->gpu.gpu_id = 0x1234;
	t->vm.gpu = &t->gpu;
	t->q.ctx = &t->ctx;
	t->q.vm = &t->vm;
	t->q.gpu = &t->gpu;
	t->q.type = KFD_IOC_QUEUE_TYPE_SDMA;
	t->q.ops = &vkfd_sdma_queue_ops;
	t->q.ring_base = RING_VA;
	t->q.ring_size = RING_SIZE;
	t->q.rptr_va = RPTR_VA;
	t->q.doorbell = &t->doorbell;
	INIT_LIST_HEAD(&t->q.sdma.engine_node);
	ret = vkfd_vm_test_init(&t->ctx, &t->vm, t->pages, NPAGES);
	if (ret)
		return ret;
	/* The engines keep the queue's group in its VM's doorbell slice. */
	if (!vkfd_doorbell_get(&t->vm))
		return -ENOMEM;
	t->big = kunit_kcalloc(test, BIG / PG, sizeof(*t->big), GFP_KERNEL);
	if (!t->big)
		return -ENOMEM;
	return sdma_test_map(t);
}

static inline void sdma_test_exit(struct kunit *test)
{
	struct sdma_test *t = test->priv;

	if (!t)
		return;
	vkfd_doorbell_free(&t->vm);
	vkfd_vm_test_exit(&t->ctx, &t->vm, t->pages, NPAGES);
}

/* Append @n dwords to the ring at the write pointer; no doorbell yet. */
static inline void emit(struct sdma_test *t, const u32 *dw, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++, t->wptr += 4) {
		u64 off = t->wptr & (RING_SIZE - 1);
		u32 *p = page_of(t, P_RING + off / PG) + off % PG;

		*p = dw[i];
	}
}

/* Put both pointers at @ptr: an empty ring there. */
static inline void reset_at(struct sdma_test *t, u64 ptr)
{
	struct vkfd_sdma_qstate *s = &t->q.sdma;

	/* The packet state goes; the engine's list entry stays. */
	s->rptr = ptr;
	s->pkt_rptr = 0;
	s->pkt_done = 0;
	s->sub_done = 0;
	s->poll_tries = 0;
	s->poll_next = 0;
	s->stall_wptr = 0;
	s->stalled = false;
	t->wptr = ptr;
}

/* Execute up to the write pointer, one slice, as the engine would. */
static inline enum vkfd_sdma_status
run_budget(struct sdma_test *t, struct vkfd_sdma_run *r, long budget)
{
	enum vkfd_sdma_status st;

	memset(r, 0, sizeof(*r));
	r->wptr = t->wptr;
	r->budget = budget;
	mutex_lock(&t->ctx.mem_lock);
	st = vkfd_sdma_exec_locked(&t->q, r);
	mutex_unlock(&t->ctx.mem_lock);
	return st;
}

static inline enum vkfd_sdma_status run(struct sdma_test *t,
					struct vkfd_sdma_run *r)
{
	return run_budget(t, r, VKFD_SDMA_SLICE);
}

/* Packets: the shared encoders of <uapi/linux/vkfd_sdma.h>, vkfd_sdma_pkt_*() */
#define EMIT(t, pkt, ...) do {						\
	u32 __dw[VKFD_SDMA_FIXED_MAX];					\
	emit(t, __dw, pkt(__dw, ##__VA_ARGS__));			\
} while (0)

static inline void fill_pattern(u8 *buf, size_t len, u8 seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (u8)(seed + i * 13);
}

#endif /* _VKFD_SDMA_TEST_H_ */
