// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit tests of the SDMA engine threads (vkfd_sdma.c) on a GPU, a queue
 * and a VM built here (vkfd_sdma_test.h): serving a queue, waking on its
 * doorbell after idling, stopping a queue that waits forever or is busy,
 * halting on an invalid packet. Waits are bounded, never judged by time.
 */
#include <linux/delay.h>

#include "vkfd_sdma_test.h"

static u64 rptr_mem(struct sdma_test *t)
{
	return READ_ONCE(*(u64 *)page_of(t, P_RPTR));
}

/* What the tests wait for the engine to do */
static bool caught_up(struct sdma_test *t)
{
	return rptr_mem(t) == t->wptr;
}

static bool halted(struct sdma_test *t)
{
	return READ_ONCE(t->q.sdma.halted);
}

static bool has_moved(struct sdma_test *t)
{
	return atomic64_read(&t->vm.sdma_activity) > 0;
}

/*
 * The doorbell write, and the fault it makes once the engine has armed the
 * slice: the fixture's doorbell is not mapped, so the test rings itself.
 */
static void ring(struct sdma_test *t)
{
	WRITE_ONCE(t->doorbell, t->wptr);
	vkfd_sdma_doorbell_rang(t->vm.doorbells);
}

/* The queue's group is off its engine's ready list. */
static bool unready(struct sdma_test *t)
{
	return list_empty_careful(&t->q.sdma.group->ready_node);
}

/* Check @cond every millisecond or so, for at most 10 s. */
static bool wait_for(struct sdma_test *t, bool (*cond)(struct sdma_test *t))
{
	unsigned int n;

	for (n = 0; n < 10000 && !cond(t); n++)
		usleep_range(1000, 2000);
	return cond(t);
}

/* The engine threads: serve, wake on the doorbell, stop a hung queue. */
static void vkfd_sdma_test_engine(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	struct vkfd_queue compute = { .type = KFD_IOC_QUEUE_TYPE_COMPUTE,
				      .gpu = &t->gpu };

	KUNIT_ASSERT_EQ(test, vkfd_sdma_init(&t->gpu), 0);
	vkfd_sdma_queue_start(&compute);
	KUNIT_EXPECT_NULL(test, compute.sdma.engine);

	vkfd_sdma_queue_start(&t->q);
	KUNIT_EXPECT_NOT_NULL(test, t->q.sdma.engine);
	EMIT(t, vkfd_sdma_pkt_fill, DATA_VA, 0x12345678, 2 * PG);
	EMIT(t, vkfd_sdma_pkt_fence, DATA_VA + 2 * PG, 1);
	ring(t);
	KUNIT_EXPECT_TRUE(test, wait_for(t, caught_up));
	KUNIT_EXPECT_EQ(test, *data(t, 2 * PG), 1U);
	KUNIT_EXPECT_EQ(test, *data(t, PG + 4), 0x12345678U);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->vm.sdma_activity),
			2 * PG + 4);

	/* After idling long enough to sleep, a doorbell still wakes it */
	msleep(20);
	EMIT(t, vkfd_sdma_pkt_fence, DATA_VA + 2 * PG, 2);
	ring(t);
	KUNIT_EXPECT_TRUE(test, wait_for(t, caught_up));
	KUNIT_EXPECT_EQ(test, *data(t, 2 * PG), 2U);

	/* A poll that never succeeds: stop returns, start goes on */
	EMIT(t, vkfd_sdma_pkt_poll, DATA_VA + 3 * PG, VKFD_SDMA_POLL_FUNC_EQUAL, 1, ~0U, 0,
	     VKFD_SDMA_POLL_RETRY_FOREVER);
	EMIT(t, vkfd_sdma_pkt_fence, DATA_VA + 2 * PG, 3);
	ring(t);
	msleep(20);
	vkfd_sdma_queue_stop(&t->q);
	KUNIT_EXPECT_NULL(test, t->q.sdma.engine);
	KUNIT_EXPECT_EQ(test, *data(t, 2 * PG), 2U);
	*data(t, 3 * PG) = 1;
	vkfd_sdma_queue_start(&t->q);
	KUNIT_EXPECT_TRUE(test, wait_for(t, caught_up));
	KUNIT_EXPECT_EQ(test, *data(t, 2 * PG), 3U);

	/* An invalid packet halts the queue; the read pointer says where */
	EMIT(t, vkfd_sdma_pkt_nop, 0);
	emit(t, (u32 []){ 0xff }, 1);
	ring(t);
	KUNIT_EXPECT_TRUE(test, wait_for(t, halted));
	KUNIT_EXPECT_EQ(test, rptr_mem(t), t->wptr - 4);

	vkfd_sdma_queue_stop(&t->q);
	vkfd_sdma_queue_stop(&t->q);	/* stopped: a no-op */
	vkfd_sdma_fini(&t->gpu);
}

/* A queue busy with big copies forever is stopped within a slice. */
static void vkfd_sdma_test_engine_busy(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	u64 rptr, moved;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, vkfd_sdma_init(&t->gpu), 0);
	vkfd_sdma_queue_start(&t->q);
	for (i = 0; i < 64; i++)
		EMIT(t, vkfd_sdma_pkt_copy, BIG_DST_VA, BIG_SRC_VA, BIG);
	ring(t);
	KUNIT_EXPECT_TRUE(test, wait_for(t, has_moved));
	vkfd_sdma_queue_stop(&t->q);
	KUNIT_EXPECT_NULL(test, t->q.sdma.engine);

	/* Stopped means stopped */
	rptr = t->q.sdma.rptr;
	moved = atomic64_read(&t->vm.sdma_activity);
	msleep(20);
	KUNIT_EXPECT_EQ(test, t->q.sdma.rptr, rptr);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->vm.sdma_activity), moved);
	vkfd_sdma_fini(&t->gpu);
}

/*
 * An idle queue's group is armed, leaves the ready list and is visited no
 * more; a ring brings it back, and the work is done.
 */
static void vkfd_sdma_test_engine_ready(struct kunit *test)
{
	struct sdma_test *t = test->priv;
	struct vkfd_sdma_group *group;
	unsigned int i;
	u64 visits;

	KUNIT_ASSERT_EQ(test, vkfd_sdma_init(&t->gpu), 0);
	vkfd_sdma_queue_start(&t->q);
	for (i = 1; i <= 3; i++) {
		KUNIT_EXPECT_TRUE(test, wait_for(t, unready));
		visits = t->q.sdma.visits;
		msleep(20);
		KUNIT_EXPECT_EQ(test, t->q.sdma.visits, visits);
		KUNIT_EXPECT_TRUE(test, t->q.sdma.group->armed);

		EMIT(t, vkfd_sdma_pkt_fence, DATA_VA, i);
		ring(t);
		KUNIT_EXPECT_TRUE(test, wait_for(t, caught_up));
		KUNIT_EXPECT_EQ(test, *data(t, 0), i);
	}
	/* Stopped while on the list: taken off it */
	group = t->q.sdma.group;
	ring(t);
	vkfd_sdma_queue_stop(&t->q);
	KUNIT_EXPECT_TRUE(test, list_empty_careful(&group->ready_node));
	KUNIT_EXPECT_NULL(test, t->q.sdma.group);
	vkfd_sdma_fini(&t->gpu);
}

static struct kunit_case vkfd_sdma_engine_test_cases[] = {
	KUNIT_CASE(vkfd_sdma_test_engine),
	KUNIT_CASE(vkfd_sdma_test_engine_ready),
	KUNIT_CASE(vkfd_sdma_test_engine_busy),
	{}
};

static struct kunit_suite vkfd_sdma_engine_test_suite = {
	.name = "vkfd-sdma-engine",
	.init = sdma_test_init,
	.exit = sdma_test_exit,
	.test_cases = vkfd_sdma_engine_test_cases,
};

kunit_test_suite(vkfd_sdma_engine_test_suite);
