/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The PM4 suites' fixture (vkfd_pm4_test.c, vkfd_pm4_mem_test.c): the
 * SDMA suites' VM and ring (vkfd_sdma_test.h) with a compute queue, and
 * how they run it. PM4 pointers count dwords, the fixture's bytes.
 */
#ifndef _VKFD_PM4_TEST_H_
#define _VKFD_PM4_TEST_H_

#include <linux/vkfd_pm4.h>

#include "../vkfd_pm4.h"
#include "vkfd_sdma_test.h"

static inline int pm4_test_init(struct kunit *test)
{
	struct sdma_test *t;
	int ret = sdma_test_init(test);

	if (ret)
		return ret;
	t = test->priv;
	t->q.type = KFD_IOC_QUEUE_TYPE_COMPUTE;
	t->q.ops = &vkfd_pm4_queue_ops;
	return 0;
}

/* Execute up to the write pointer (dwords for PM4), one slice. */
static inline enum vkfd_sdma_status prun_budget(struct sdma_test *t,
						struct vkfd_sdma_run *r,
						long budget)
{
	enum vkfd_sdma_status st;

	memset(r, 0, sizeof(*r));
	r->wptr = t->wptr / 4;
	r->budget = budget;
	mutex_lock(&t->ctx.mem_lock);
	st = vkfd_sdma_exec_locked(&t->q, r);
	mutex_unlock(&t->ctx.mem_lock);
	return st;
}

static inline enum vkfd_sdma_status prun(struct sdma_test *t,
					 struct vkfd_sdma_run *r)
{
	return prun_budget(t, r, VKFD_SDMA_SLICE);
}

/* Both pointers at byte @ptr of the ring: the read pointer in dwords. */
static inline void preset(struct sdma_test *t, u64 ptr)
{
	reset_at(t, ptr);
	t->q.sdma.rptr = ptr / 4;
}

/* The read pointer in bytes, to compare with t->wptr */
static inline u64 rptr_bytes(struct sdma_test *t)
{
	return t->q.sdma.rptr * 4;
}

#endif /* _VKFD_PM4_TEST_H_ */
