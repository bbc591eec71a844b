// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * USERPTR memory: a primary's user pages on the GPU, pinned exactly
 * while mapped; secondaries may not have any.
 *
 * vkfd only, like every mem_*.c: the fixture (mem_utils.h) skips on
 * amdkfd, which has no GPU to allocate on.
 */
#include "kselftest_harness.h"
#include "mem_utils.h"

/* ------------------------------------------------------------------------
 * USERPTR
 */

/* A page-aligned, populated anonymous buffer of @pages pages, without THP. */
static uint8_t *user_pages(int pages)
{
	uint8_t *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i;

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, pages * PAGE, MADV_NOHUGEPAGE);
	for (i = 0; i < pages; i++)
		pattern(p + i * PAGE, 300 + i);
	return p;
}

/* USERPTR on a secondary: EOPNOTSUPP, nothing changes, nothing pinned. */
TEST_F(mem, userptr_secondary_eopnotsupp)
{
	struct mem_ctx *s = mem_ctx_new(_metadata, self, true);
	uint8_t *user = user_pages(4);
	struct mem_snap before;
	int64_t pins;

	ASSERT_NE(NULL, user);
	mem_vm(_metadata, self, s, 0);
	snap(self, &before);
	pins = vkfd_pinned_pages();
	test_err_mem_alloc(EOPNOTSUPP, s, self->b.gpu[0], MEM_VA, 4 * PAGE,
			   (uintptr_t)user, F_USERPTR | F_W, NULL);
	test_err_mem_alloc(EOPNOTSUPP, s, self->b.gpu[0], MEM_VA, 4 * PAGE,
			   (uintptr_t)user, F_USERPTR, NULL);
	/* Checked before the other USERPTR rules: alignment, user range */
	test_err_mem_alloc(EOPNOTSUPP, s, self->b.gpu[0], MEM_VA, 4 * PAGE,
			   (uintptr_t)user + 1, F_USERPTR, NULL);
	test_err_mem_alloc(EOPNOTSUPP, s, self->b.gpu[0], MEM_VA, 4 * PAGE,
			   0xffff888000000000ULL, F_USERPTR, NULL);
	EXPECT_UNCHANGED(&before);
	EXPECT_EQ(pins, vkfd_pinned_pages());
	munmap(user, 4 * PAGE);
}

/* USERPTR on the primary: the GPU reads the user's pages, pinned exactly while mapped. */
TEST_F(mem, userptr_pinned_while_mapped)
{
	struct mem_ctx *c = &self->ctx[0];
	uint8_t *user = user_pages(4);
	uint32_t gpu = self->b.gpu[0];
	struct vkfd_xlate x;
	struct vkfd_bo bo;
	int64_t pins;
	int i;

	ASSERT_NE(NULL, user);
	ASSERT_NE(INT64_MIN, vkfd_pinned_pages());
	mem_vm(_metadata, self, c, 0);
	pins = vkfd_pinned_pages();
	ASSERT_EQ(0, vkfd_alloc_userptr(&c->k, gpu, MEM_VA, user, 4 * PAGE,
					F_W, &bo));
	EXPECT_EQ((uint64_t)gpu, bo.handle >> 32);
	/* Allocated, not mapped: nothing pinned, no VRAM */
	EXPECT_EQ(pins, vkfd_pinned_pages());
	EXPECT_ROW(c, 1, 0, PT_EMPTY);
	EXPECT_BUDGET_FREE();

	ASSERT_EQ(0, vkfd_map(&c->k, &bo, &gpu, 1));
	EXPECT_EQ(pins + 4, vkfd_pinned_pages());
	for (i = 0; i < 4; i++) {
		ASSERT_MAPPED(c, 0, MEM_VA + i * PAGE, &x);
		EXPECT_TRUE(has_pattern(x.data, 300 + i)) TH_LOG("page %d: %s", i, x.text);
		EXPECT_STREQ("rw", x.perm);
	}
	/* The GPU maps the very pages: a CPU write shows */
	pattern(user + 2 * PAGE, 999);
	ASSERT_MAPPED(c, 0, MEM_VA + 2 * PAGE, &x);
	EXPECT_TRUE(has_pattern(x.data, 999));
	EXPECT_ROW(c, 1, 0, PT_ONE_PAGE);
	EXPECT_BUDGET_FREE();

	/* Unmapped: released */
	ASSERT_EQ(0, vkfd_unmap(&c->k, &bo, &gpu, 1));
	EXPECT_EQ(pins, vkfd_pinned_pages());
	EXPECT_UNMAPPED(c, 0, MEM_VA);
	EXPECT_ROW(c, 1, 0, PT_EMPTY);

	/* Mapped again, then freed without unmapping: released too */
	ASSERT_EQ(0, vkfd_map(&c->k, &bo, &gpu, 1));
	EXPECT_EQ(pins + 4, vkfd_pinned_pages());
	ASSERT_EQ(0, vkfd_free(&c->k, &bo));
	EXPECT_EQ(pins, vkfd_pinned_pages());
	EXPECT_UNMAPPED(c, 0, MEM_VA);
	EXPECT_ROW(c, 0, 0, PT_EMPTY);
	munmap(user, 4 * PAGE);
}

/* Mapped on two GPUs: pinned until unmapped from the last. */
TEST_F(mem, userptr_two_gpus_pinned_until_last_unmap)
{
	struct mem_ctx *c = &self->ctx[0];
	uint8_t *user = user_pages(2);
	struct vkfd_bo bo;
	int64_t pins, both;

	NEED_GPUS(2);
	ASSERT_NE(NULL, user);
	mem_vm(_metadata, self, c, 0);
	mem_vm(_metadata, self, c, 1);
	pins = vkfd_pinned_pages();
	ASSERT_EQ(0, vkfd_alloc_userptr(&c->k, self->b.gpu[0], MEM_VA, user,
					2 * PAGE, 0, &bo));
	ASSERT_EQ(0, vkfd_map(&c->k, &bo, self->b.gpu, 2));
	both = vkfd_pinned_pages() - pins;
	TH_LOG("pinned while mapped on 2 GPUs: %lld pages", (long long)both);
	EXPECT_LE(2, both);
	EXPECT_EQ(0, both % 2);
	ASSERT_EQ(0, vkfd_unmap(&c->k, &bo, &self->b.gpu[0], 1));
	EXPECT_LE(2, vkfd_pinned_pages() - pins);
	EXPECT_UNMAPPED(c, 0, MEM_VA);
	{
		struct vkfd_xlate x;

		ASSERT_MAPPED(c, 1, MEM_VA, &x);
		EXPECT_TRUE(has_pattern(x.data, 300));
		EXPECT_STREQ("r-", x.perm);
	}
	ASSERT_EQ(0, vkfd_unmap(&c->k, &bo, &self->b.gpu[1], 1));
	EXPECT_EQ(pins, vkfd_pinned_pages());
	ASSERT_EQ(0, vkfd_free(&c->k, &bo));
	EXPECT_EQ(pins, vkfd_pinned_pages());
	munmap(user, 2 * PAGE);
}

/* A USERPTR address or size that is not page aligned: EINVAL. */
TEST_F(mem, userptr_bad_alignment_einval)
{
	struct mem_ctx *c = &self->ctx[0];
	uint8_t *user = user_pages(4);
	struct mem_snap before;
	int64_t pins;

	ASSERT_NE(NULL, user);
	mem_vm(_metadata, self, c, 0);
	snap(self, &before);
	pins = vkfd_pinned_pages();
	test_err_mem_alloc(EINVAL, c, self->b.gpu[0], MEM_VA, 2 * PAGE,
			   (uintptr_t)user + 1, F_USERPTR, NULL);
	test_err_mem_alloc(EINVAL, c, self->b.gpu[0], MEM_VA, 2 * PAGE,
			   (uintptr_t)user + 2048, F_USERPTR, NULL);
	test_err_mem_alloc(EINVAL, c, self->b.gpu[0], MEM_VA, 2 * PAGE - 1,
			   (uintptr_t)user, F_USERPTR, NULL);
	test_err_mem_alloc(EINVAL, c, self->b.gpu[0], MEM_VA + 16, 2 * PAGE,
			   (uintptr_t)user, F_USERPTR, NULL);
	EXPECT_UNCHANGED(&before);
	EXPECT_EQ(pins, vkfd_pinned_pages());
	munmap(user, 4 * PAGE);
}

/* USERPTR over memory the process does not have: the MAP fails with EFAULT. */
TEST_F(mem, userptr_unmapped_memory_efault)
{
	struct mem_ctx *c = &self->ctx[0];
	void *hole = vkfd_unmapped_page();
	uint32_t gpu = self->b.gpu[0], n = 0;
	struct mem_snap before;
	struct vkfd_bo bo;
	int64_t pins;

	ASSERT_NE(NULL, hole);
	mem_vm(_metadata, self, c, 0);
	ASSERT_EQ(0, vkfd_alloc_userptr(&c->k, gpu, MEM_VA, hole, PAGE, 0, &bo));
	snap(self, &before);
	pins = vkfd_pinned_pages();
	test_err_mem_map(EFAULT, c, true, bo.handle, &gpu, 1, &n);
	EXPECT_EQ(0U, n);
	EXPECT_UNCHANGED(&before);
	EXPECT_EQ(pins, vkfd_pinned_pages());
	EXPECT_UNMAPPED(c, 0, MEM_VA);
	EXPECT_EQ(0, vkfd_free(&c->k, &bo));
}

/* The user unmaps a mapped USERPTR's memory: the GPU keeps the pinned pages until UNMAP. */
TEST_F(mem, userptr_user_unmaps_while_mapped)
{
	struct mem_ctx *c = &self->ctx[0];
	uint8_t *user = user_pages(4);
	uint32_t gpu = self->b.gpu[0], n;
	struct vkfd_xlate x;
	struct vkfd_bo bo;
	int64_t pins;

	ASSERT_NE(NULL, user);
	mem_vm(_metadata, self, c, 0);
	pins = vkfd_pinned_pages();
	ASSERT_EQ(0, vkfd_alloc_userptr(&c->k, gpu, MEM_VA, user, 4 * PAGE, F_W, &bo));
	ASSERT_EQ(0, vkfd_map(&c->k, &bo, &gpu, 1));
	ASSERT_EQ(0, munmap(user, 4 * PAGE));
	EXPECT_EQ(pins + 4, vkfd_pinned_pages());
	ASSERT_MAPPED(c, 0, MEM_VA + 3 * PAGE, &x);
	EXPECT_TRUE(has_pattern(x.data, 303));
	ASSERT_EQ(0, vkfd_unmap(&c->k, &bo, &gpu, 1));
	EXPECT_EQ(pins, vkfd_pinned_pages());
	/* Mapping it again finds nothing to pin */
	n = 0;
	test_err_mem_map(EFAULT, c, true, bo.handle, &gpu, 1, &n);
	EXPECT_EQ(pins, vkfd_pinned_pages());
	EXPECT_EQ(0, vkfd_free(&c->k, &bo));
}

TEST_HARNESS_MAIN
