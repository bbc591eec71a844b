// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit tests of the limits of a context (vkfd_limits.c): charging up to
 * a limit and not beyond, overflow, lowering a limit below the usage,
 * buffers charged with their bytes, and charges racing from threads.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/kfd_ioctl.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched/task.h>

#include "../vkfd_limits.h"

#define KFD_VRAM	KFD_IOC_ALLOC_MEM_FLAGS_VRAM
#define KFD_GTT		KFD_IOC_ALLOC_MEM_FLAGS_GTT
#define KFD_USERPTR	KFD_IOC_ALLOC_MEM_FLAGS_USERPTR
#define KFD_DOORBELL	KFD_IOC_ALLOC_MEM_FLAGS_DOORBELL

/* Up to the limit exactly, then EDQUOT with the usage unchanged. */
static void vkfd_limits_test_up_to_limit(struct kunit *test)
{
	struct vkfd_limits l;

	vkfd_limits_init_unlimited(&l);
	vkfd_limits_set(&l, VKFD_LIMIT_QUEUES, 3);
	KUNIT_EXPECT_EQ(test, vkfd_limits_try_charge(&l, VKFD_LIMIT_QUEUES, 2), 0);
	KUNIT_EXPECT_EQ(test, vkfd_limits_try_charge(&l, VKFD_LIMIT_QUEUES, 2),
			-EDQUOT);
	KUNIT_EXPECT_EQ(test, vkfd_limits_usage(&l, VKFD_LIMIT_QUEUES), 2);
	KUNIT_EXPECT_EQ(test, vkfd_limits_try_charge(&l, VKFD_LIMIT_QUEUES, 1), 0);
	KUNIT_EXPECT_EQ(test, vkfd_limits_try_charge(&l, VKFD_LIMIT_QUEUES, 1),
			-EDQUOT);
	KUNIT_EXPECT_EQ(test, vkfd_limits_usage(&l, VKFD_LIMIT_QUEUES), 3);
	/* Given back: room again */
	vkfd_limits_uncharge(&l, VKFD_LIMIT_QUEUES, 1);
	KUNIT_EXPECT_EQ(test, vkfd_limits_try_charge(&l, VKFD_LIMIT_QUEUES, 1), 0);
	vkfd_limits_uncharge(&l, VKFD_LIMIT_QUEUES, 3);
	KUNIT_EXPECT_EQ(test, vkfd_limits_usage(&l, VKFD_LIMIT_QUEUES), 0);
	/* The other resources were never touched */
	KUNIT_EXPECT_EQ(test, vkfd_limits_usage(&l, VKFD_LIMIT_EVENTS), 0);
	vkfd_limits_fini(&l);
}

/* A limit of 0 allows nothing; unlimited allows up to U64_MAX. */
static void vkfd_limits_test_zero_and_unlimited(struct kunit *test)
{
	struct vkfd_limits l;

	vkfd_limits_init_unlimited(&l);
	vkfd_limits_set(&l, VKFD_LIMIT_EVENTS, 0);
	KUNIT_EXPECT_EQ(test, vkfd_limits_try_charge(&l, VKFD_LIMIT_EVENTS, 1),
			-EDQUOT);
	KUNIT_EXPECT_EQ(test, vkfd_limits_max(&l, VKFD_LIMIT_GTT),
			VKFD_LIMIT_UNLIMITED);
	KUNIT_EXPECT_EQ(test, vkfd_limits_try_charge(&l, VKFD_LIMIT_GTT,
						     1ULL << 40), 0);
	vkfd_limits_uncharge(&l, VKFD_LIMIT_GTT, 1ULL << 40);
	vkfd_limits_fini(&l);
}

/* A charge that would wrap the counter around fails, however large. */
static void vkfd_limits_test_overflow(struct kunit *test)
{
	struct vkfd_limits l;

	vkfd_limits_init_unlimited(&l);
	vkfd_limits_set(&l, VKFD_LIMIT_VRAM, 1ULL << 20);
	KUNIT_EXPECT_EQ(test, vkfd_limits_try_charge(&l, VKFD_LIMIT_VRAM, 4096), 0);
	KUNIT_EXPECT_EQ(test, vkfd_limits_try_charge(&l, VKFD_LIMIT_VRAM,
						     U64_MAX), -EDQUOT);
	KUNIT_EXPECT_EQ(test, vkfd_limits_try_charge(&l, VKFD_LIMIT_VRAM,
						     U64_MAX - 4095), -EDQUOT);
	KUNIT_EXPECT_EQ(test, vkfd_limits_usage(&l, VKFD_LIMIT_VRAM), 4096);
	vkfd_limits_uncharge(&l, VKFD_LIMIT_VRAM, 4096);
	vkfd_limits_fini(&l);
}

/* Lowered below the usage: nothing freed, charges fail until below. */
static void vkfd_limits_test_lowered(struct kunit *test)
{
	struct vkfd_limits l;

	vkfd_limits_init_unlimited(&l);
	KUNIT_EXPECT_EQ(test, vkfd_limits_try_charge(&l, VKFD_LIMIT_BUFFERS, 5), 0);
	vkfd_limits_set(&l, VKFD_LIMIT_BUFFERS, 2);
	KUNIT_EXPECT_EQ(test, vkfd_limits_usage(&l, VKFD_LIMIT_BUFFERS), 5);
	KUNIT_EXPECT_EQ(test, vkfd_limits_try_charge(&l, VKFD_LIMIT_BUFFERS, 1),
			-EDQUOT);
	vkfd_limits_uncharge(&l, VKFD_LIMIT_BUFFERS, 3);
	/* At the limit: still none */
	KUNIT_EXPECT_EQ(test, vkfd_limits_try_charge(&l, VKFD_LIMIT_BUFFERS, 1),
			-EDQUOT);
	vkfd_limits_uncharge(&l, VKFD_LIMIT_BUFFERS, 1);
	KUNIT_EXPECT_EQ(test, vkfd_limits_try_charge(&l, VKFD_LIMIT_BUFFERS, 1), 0);
	vkfd_limits_uncharge(&l, VKFD_LIMIT_BUFFERS, 2);
	vkfd_limits_fini(&l);
}

/* A buffer takes one buffer and its bytes of its domain, or nothing. */
static void vkfd_limits_test_mem(struct kunit *test)
{
	struct vkfd_limits l;

	vkfd_limits_init_unlimited(&l);
	vkfd_limits_set(&l, VKFD_LIMIT_GTT, 8192);
	vkfd_limits_set(&l, VKFD_LIMIT_BUFFERS, 3);

	KUNIT_EXPECT_EQ(test, vkfd_limits_charge_mem(&l, KFD_GTT, 8192), 0);
	/* GTT full: no buffer charged either */
	KUNIT_EXPECT_EQ(test, vkfd_limits_charge_mem(&l, KFD_GTT, 4096),
			-EDQUOT);
	KUNIT_EXPECT_EQ(test, vkfd_limits_usage(&l, VKFD_LIMIT_BUFFERS), 1);
	KUNIT_EXPECT_EQ(test, vkfd_limits_usage(&l, VKFD_LIMIT_GTT), 8192);
	/* VRAM is another counter; USERPTR and doorbells take no bytes here */
	KUNIT_EXPECT_EQ(test, vkfd_limits_charge_mem(&l, KFD_VRAM, 4096), 0);
	KUNIT_EXPECT_EQ(test, vkfd_limits_usage(&l, VKFD_LIMIT_VRAM), 4096);
	KUNIT_EXPECT_EQ(test, vkfd_limits_charge_mem(&l, KFD_USERPTR, 4096), 0);
	KUNIT_EXPECT_EQ(test, vkfd_limits_usage(&l, VKFD_LIMIT_USERPTR), 0);
	/* Three buffers: the fourth fails, whatever its domain */
	KUNIT_EXPECT_EQ(test, vkfd_limits_charge_mem(&l, KFD_DOORBELL, 8192),
			-EDQUOT);
	KUNIT_EXPECT_EQ(test, vkfd_limits_usage(&l, VKFD_LIMIT_BUFFERS), 3);

	vkfd_limits_uncharge_mem(&l, KFD_GTT, 8192);
	vkfd_limits_uncharge_mem(&l, KFD_VRAM, 4096);
	vkfd_limits_uncharge_mem(&l, KFD_USERPTR, 4096);
	KUNIT_EXPECT_EQ(test, vkfd_limits_usage(&l, VKFD_LIMIT_BUFFERS), 0);
	KUNIT_EXPECT_EQ(test, vkfd_limits_usage(&l, VKFD_LIMIT_GTT), 0);
	KUNIT_EXPECT_EQ(test, vkfd_limits_usage(&l, VKFD_LIMIT_VRAM), 0);
	vkfd_limits_fini(&l);
}

#define RACE_THREADS	4
#define RACE_TRIES	10000
#define RACE_LIMIT	1000

struct vkfd_limits_race {
	struct vkfd_limits l;
	struct completion go;
	struct completion done;
	atomic_t running;
	atomic_t won;
	atomic_t over;
};

/* Charge and uncharge in a loop; count charges that exceeded the limit. */
static int vkfd_limits_race_fn(void *arg)
{
	struct vkfd_limits_race *r = arg;
	unsigned int i, held = 0;

	wait_for_completion(&r->go);
	for (i = 0; i < RACE_TRIES; i++) {
		if (!vkfd_limits_try_charge(&r->l, VKFD_LIMIT_GTT, 7)) {
			held++;
			if (vkfd_limits_usage(&r->l, VKFD_LIMIT_GTT) > RACE_LIMIT)
				atomic_inc(&r->over);
		}
		if (held && (i & 1)) {
			vkfd_limits_uncharge(&r->l, VKFD_LIMIT_GTT, 7);
			held--;
		}
	}
	atomic_add(held, &r->won);
	if (atomic_dec_and_test(&r->running))
		complete(&r->done);
	return 0;
}

/* Threads charging at once never take the usage above the limit. */
static void vkfd_limits_test_race(struct kunit *test)
{
	struct task_struct *t[RACE_THREADS];
	struct vkfd_limits_race *r;
	unsigned int i;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	vkfd_limits_init_unlimited(&r->l);
	vkfd_limits_set(&r->l, VKFD_LIMIT_GTT, RACE_LIMIT);
	init_completion(&r->go);
	init_completion(&r->done);
	atomic_set(&r->running, RACE_THREADS);
	for (i = 0; i < RACE_THREADS; i++) {
		t[i] = kthread_run(vkfd_limits_race_fn, r, "vkfd-limits-%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t[i]));
		get_task_struct(t[i]);
	}
	complete_all(&r->go);
	/* Every thread ran to its end before any is stopped. */
	wait_for_completion(&r->done);
	for (i = 0; i < RACE_THREADS; i++) {
		kthread_stop(t[i]);
		put_task_struct(t[i]);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&r->over), 0);
	/* What each thread kept is exactly what is charged */
	KUNIT_EXPECT_EQ(test, vkfd_limits_usage(&r->l, VKFD_LIMIT_GTT),
			(u64)atomic_read(&r->won) * 7);
	KUNIT_EXPECT_LE(test, vkfd_limits_usage(&r->l, VKFD_LIMIT_GTT),
			(u64)RACE_LIMIT);
	vkfd_limits_uncharge(&r->l, VKFD_LIMIT_GTT, atomic_read(&r->won) * 7);
	vkfd_limits_fini(&r->l);
}

static struct kunit_case vkfd_limits_test_cases[] = {
	KUNIT_CASE(vkfd_limits_test_up_to_limit),
	KUNIT_CASE(vkfd_limits_test_zero_and_unlimited),
	KUNIT_CASE(vkfd_limits_test_overflow),
	KUNIT_CASE(vkfd_limits_test_lowered),
	KUNIT_CASE(vkfd_limits_test_mem),
	KUNIT_CASE(vkfd_limits_test_race),
	{}
};

static struct kunit_suite vkfd_limits_test_suite = {
	.name = "vkfd-limits",
	.test_cases = vkfd_limits_test_cases,
};

kunit_test_suite(vkfd_limits_test_suite);
