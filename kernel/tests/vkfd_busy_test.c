// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit tests of the SDMA busy accounting (vkfd_busy.c), with made-up
 * clocks: what gpu_busy_percent reports for a given history of slices.
 */
#include <kunit/test.h>
#include <linux/module.h>

#include "../vkfd_busy.h"

#define MS	NSEC_PER_MSEC
/* Load at an arbitrary, non-zero time. */
#define T0	(1000 * NSEC_PER_SEC)

/* Nothing happened yet: 0, at load and later. */
static void vkfd_busy_test_idle(struct kunit *test)
{
	struct vkfd_busy b;

	vkfd_busy_init(&b, 2, T0);
	KUNIT_EXPECT_EQ(test, vkfd_busy_percent(&b, T0), 0);
	KUNIT_EXPECT_EQ(test, vkfd_busy_percent(&b, T0 + 10 * MS), 0);
	KUNIT_EXPECT_EQ(test, vkfd_busy_percent(&b, T0 + 5000 * MS), 0);
}

/* Before the first sample: the average since load, over all engines. */
static void vkfd_busy_test_first_window(struct kunit *test)
{
	struct vkfd_busy b;

	vkfd_busy_init(&b, 2, T0);
	vkfd_busy_add(&b, 400 * MS, T0 + 400 * MS);
	/* 400 ms of 2 x 500 ms */
	KUNIT_EXPECT_EQ(test, vkfd_busy_percent(&b, T0 + 500 * MS), 40);
	/* 400 ms of 2 x 800 ms */
	KUNIT_EXPECT_EQ(test, vkfd_busy_percent(&b, T0 + 800 * MS), 25);
}

/*
 * Once sampled, a reader within the window sees the last complete window,
 * whatever was added since; reading takes no sample.
 */
static void vkfd_busy_test_sampled(struct kunit *test)
{
	struct vkfd_busy b;

	vkfd_busy_init(&b, 2, T0);
	vkfd_busy_add(&b, 500 * MS, T0 + 500 * MS);
	/* A window after load: samples [T0, T0 + 1 s], 1500 ms busy. */
	vkfd_busy_add(&b, 1000 * MS, T0 + 1000 * MS);
	KUNIT_EXPECT_EQ(test, vkfd_busy_percent(&b, T0 + 1000 * MS), 75);
	vkfd_busy_add(&b, 200 * MS, T0 + 1200 * MS);
	KUNIT_EXPECT_EQ(test, vkfd_busy_percent(&b, T0 + 1500 * MS), 75);
	KUNIT_EXPECT_EQ(test, vkfd_busy_percent(&b, T0 + 1999 * MS), 75);

	/* The next window: [T0 + 1 s, T0 + 2 s] had 200 + 800 ms busy. */
	vkfd_busy_add(&b, 800 * MS, T0 + 2000 * MS);
	KUNIT_EXPECT_EQ(test, vkfd_busy_percent(&b, T0 + 2100 * MS), 50);
}

/* Engines idle for longer than a window: the average up to now, decaying. */
static void vkfd_busy_test_gone_idle(struct kunit *test)
{
	struct vkfd_busy b;

	vkfd_busy_init(&b, 1, T0);
	vkfd_busy_add(&b, 1000 * MS, T0 + 1000 * MS);
	KUNIT_EXPECT_EQ(test, vkfd_busy_percent(&b, T0 + 1000 * MS), 100);
	/* Nothing since T0 + 1 s. */
	KUNIT_EXPECT_EQ(test, vkfd_busy_percent(&b, T0 + 2000 * MS), 0);
	/* Busy after the sample counts: 300 ms of [1 s, 4 s]. */
	vkfd_busy_add(&b, 300 * MS, T0 + 1500 * MS);
	KUNIT_EXPECT_EQ(test, vkfd_busy_percent(&b, T0 + 4000 * MS), 10);
}

/* A slice ending just after a sample may overfill a window: clamped. */
static void vkfd_busy_test_clamp(struct kunit *test)
{
	struct vkfd_busy b;

	vkfd_busy_init(&b, 1, T0);
	vkfd_busy_add(&b, 1500 * MS, T0 + 1000 * MS);
	KUNIT_EXPECT_EQ(test, vkfd_busy_percent(&b, T0 + 1100 * MS), 100);
	vkfd_busy_add(&b, 100 * MS, T0 + 1100 * MS);
	KUNIT_EXPECT_EQ(test, vkfd_busy_percent(&b, T0 + 1200 * MS), 100);
}

static struct kunit_case vkfd_busy_test_cases[] = {
	KUNIT_CASE(vkfd_busy_test_idle),
	KUNIT_CASE(vkfd_busy_test_first_window),
	KUNIT_CASE(vkfd_busy_test_sampled),
	KUNIT_CASE(vkfd_busy_test_gone_idle),
	KUNIT_CASE(vkfd_busy_test_clamp),
	{}
};

static struct kunit_suite vkfd_busy_test_suite = {
	.name = "vkfd-busy",
	.test_cases = vkfd_busy_test_cases,
};

kunit_test_suite(vkfd_busy_test_suite);
