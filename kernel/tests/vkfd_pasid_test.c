// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit tests of vkfd's PASID allocator: the 16-bit global space, cyclic
 * allocation, and the reserved -> published -> unpublished -> free stages.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "../vkfd_vm.h"

#define PASID_MAX	0xffff

/* A reserved PASID resolves to nothing until published, and after. */
static void vkfd_pasid_test_stages(struct kunit *test)
{
	int owner;
	u32 pasid;

	KUNIT_ASSERT_EQ(test, vkfd_pasid_alloc(&pasid), 0);
	KUNIT_EXPECT_GE(test, pasid, 1U);
	KUNIT_EXPECT_LE(test, pasid, PASID_MAX);
	KUNIT_EXPECT_NULL(test, vkfd_pasid_lookup(pasid));

	vkfd_pasid_publish(pasid, &owner);
	KUNIT_EXPECT_PTR_EQ(test, vkfd_pasid_lookup(pasid), (void *)&owner);

	vkfd_pasid_unpublish(pasid);
	KUNIT_EXPECT_NULL(test, vkfd_pasid_lookup(pasid));

	vkfd_pasid_free(pasid);
	KUNIT_EXPECT_NULL(test, vkfd_pasid_lookup(pasid));
	/* 0 is never a PASID: freeing it is a no-op */
	vkfd_pasid_free(0);
}

/*
 * 1,000 alloc/free cycles: cyclic allocation hands no PASID out twice
 * (lowest-free allocation would hand out the same one every time). The
 * debug kernel takes 3 ms a cycle; the selftest
 * ctx.pasids_not_reused_in_cycles runs 10,000 through contexts.
 */
static void vkfd_pasid_test_no_immediate_reuse(struct kunit *test)
{
	unsigned long *seen = kunit_kzalloc(test, BITS_TO_LONGS(PASID_MAX + 1) *
					    sizeof(long), GFP_KERNEL);
	u32 pasid;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, seen);
	for (i = 0; i < 1000; i++) {
		KUNIT_ASSERT_EQ(test, vkfd_pasid_alloc(&pasid), 0);
		KUNIT_EXPECT_FALSE_MSG(test, test_and_set_bit(pasid, seen),
				       "PASID %u reused after %d cycles",
				       pasid, i);
		vkfd_pasid_free(pasid);
	}
}

/* When the space is exhausted: -ENOSPC, never PASID 0; freeing one helps. */
static void vkfd_pasid_test_exhaustion(struct kunit *test)
{
	u32 *pasids = kvcalloc(PASID_MAX, sizeof(*pasids), GFP_KERNEL);
	u32 extra;
	int n = 0, ret;

	KUNIT_ASSERT_NOT_NULL(test, pasids);
	while ((ret = vkfd_pasid_alloc(&pasids[n])) == 0) {
		KUNIT_EXPECT_NE(test, pasids[n], 0U);
		if (++n == PASID_MAX)
			break;
	}
	/* Whatever else holds PASIDs, the space ends at 65535 */
	KUNIT_EXPECT_EQ(test, vkfd_pasid_alloc(&extra), -ENOSPC);
	KUNIT_EXPECT_GT(test, n, 0);

	vkfd_pasid_free(pasids[0]);
	KUNIT_EXPECT_EQ(test, vkfd_pasid_alloc(&extra), 0);
	KUNIT_EXPECT_EQ(test, extra, pasids[0]);
	pasids[0] = extra;

	while (n--)
		vkfd_pasid_free(pasids[n]);
	kvfree(pasids);
	KUNIT_EXPECT_EQ(test, vkfd_pasid_alloc(&extra), 0);
	vkfd_pasid_free(extra);
}

static struct kunit_case vkfd_pasid_test_cases[] = {
	KUNIT_CASE(vkfd_pasid_test_stages),
	KUNIT_CASE(vkfd_pasid_test_no_immediate_reuse),
	KUNIT_CASE(vkfd_pasid_test_exhaustion),
	{}
};

static struct kunit_suite vkfd_pasid_test_suite = {
	.name = "vkfd-pasid",
	.test_cases = vkfd_pasid_test_cases,
};

kunit_test_suite(vkfd_pasid_test_suite);
