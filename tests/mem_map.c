// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * GPU mappings: MAP_MEMORY_TO_GPU and UNMAP_MEMORY_FROM_GPU, the page
 * tables they build, n_success, the isolation of the GPU VMs of a
 * process's contexts, and the test hook that walks them.
 *
 * vkfd only, like every mem_*.c: the fixture (mem_utils.h) skips on
 * amdkfd, which has no GPU to allocate on.
 */
#include "kselftest_harness.h"
#include "mem_utils.h"

/* ------------------------------------------------------------------------
 * Isolation: one GPU address, different memory in each context
 */

static void same_va_isolation(struct __test_metadata *_metadata,
			      FIXTURE_DATA(mem) *self, struct mem_ctx *a,
			      struct mem_ctx *b)
{
	struct mem_ctx *c[2] = { a, b };
	struct vkfd_bo bo[2];
	struct vkfd_xlate x[2];
	uint8_t *map[2];
	uint32_t gpu = self->b.gpu[0];
	int i;

	for (i = 0; i < 2; i++) {
		mem_vm(_metadata, self, c[i], 0);
		ASSERT_EQ(0, vkfd_alloc(&c[i]->k, gpu, MEM_VA, 64 * KIB,
					F_VRAM | F_W, &bo[i]));
		EXPECT_EQ((uint64_t)gpu, bo[i].handle >> 32);
		ASSERT_EQ(0, vkfd_map(&c[i]->k, &bo[i], &gpu, 1));
		ASSERT_EQ(0, vkfd_bo_mmap(c[i]->render[0], &bo[i],
					  PROT_READ | PROT_WRITE, (void **)&map[i]));
	}
	for (i = 0; i < 2; i++) {
		EXPECT_TRUE(all_zero(map[i], 64 * KIB));
		pattern(map[i], 100 + i);
		pattern(map[i] + 32 * KIB, 200 + i);
	}
	for (i = 0; i < 2; i++) {
		/* Through the CPU: each sees its own bytes */
		EXPECT_TRUE(has_pattern(map[i], 100 + i));
		EXPECT_TRUE(has_pattern(map[i] + 32 * KIB, 200 + i));
		/* Through its GPU page table: the same */
		ASSERT_MAPPED(c[i], 0, MEM_VA, &x[i]);
		EXPECT_TRUE(has_pattern(x[i].data, 100 + i)) TH_LOG("%s", x[i].text);
		EXPECT_EQ(pasid_of(c[i], 0), x[i].pasid);
		EXPECT_STREQ("rw", x[i].perm);
		EXPECT_NE(0ULL, x[i].pte);
	}
	EXPECT_NE(x[0].pfn, x[1].pfn);
	EXPECT_NE(x[0].pasid, x[1].pasid);
	for (i = 0; i < 2; i++) {
		struct vkfd_xlate y;

		ASSERT_MAPPED(c[i], 0, MEM_VA + 32 * KIB, &y);
		EXPECT_TRUE(has_pattern(y.data, 200 + i)) TH_LOG("%s", y.text);
		EXPECT_ROW(c[i], 1, 64 * KIB, PT_ONE_PAGE);
		EXPECT_EQ(64 * KIB, sysfs_vram(self, c[i], 0));
	}
	EXPECT_EQ(self->budget - 128 * KIB, avail(self, 0));

	/* Freeing one leaves the other's memory and mapping alone */
	EXPECT_EQ(0, vkfd_bo_munmap(&bo[0], map[0]));
	EXPECT_EQ(0, vkfd_free(&c[0]->k, &bo[0]));
	EXPECT_UNMAPPED(c[0], 0, MEM_VA);
	ASSERT_MAPPED(c[1], 0, MEM_VA, &x[1]);
	EXPECT_TRUE(has_pattern(x[1].data, 101));
	EXPECT_TRUE(has_pattern(map[1], 101));
	EXPECT_EQ(0, vkfd_bo_munmap(&bo[1], map[1]));
	EXPECT_EQ(0, vkfd_free(&c[1]->k, &bo[1]));
	EXPECT_BUDGET_FREE();
}

/*
 * A handle means nothing in another context: FREE, MAP and UNMAP with it
 * fail with EINVAL and the owner's mapping stays; the owner's GPU address
 * is unmapped in the other context's VM.
 */
static void foreign_handle(struct __test_metadata *_metadata,
			   FIXTURE_DATA(mem) *self, struct mem_ctx *owner,
			   struct mem_ctx *other)
{
	uint32_t gpu = self->b.gpu[0], n;
	struct mem_snap before;
	struct vkfd_xlate x;
	struct vkfd_bo bo, mine;

	mem_vm(_metadata, self, owner, 0);
	mem_vm(_metadata, self, other, 0);
	ASSERT_EQ(0, vkfd_alloc(&owner->k, gpu, MEM_VA, 8 * KIB, F_VRAM | F_W, &bo));
	ASSERT_EQ(0, vkfd_map(&owner->k, &bo, &gpu, 1));
	EXPECT_UNMAPPED(other, 0, MEM_VA);

	snap(self, &before);
	test_err_mem_free(EINVAL, other, bo.handle);
	n = 0;
	test_err_mem_map(EINVAL, other, true, bo.handle, &gpu, 1, &n);
	EXPECT_EQ(0U, n);
	n = 0;
	test_err_mem_map(EINVAL, other, false, bo.handle, &gpu, 1, &n);
	EXPECT_EQ(0U, n);
	EXPECT_UNCHANGED(&before);
	ASSERT_MAPPED(owner, 0, MEM_VA, &x);
	EXPECT_UNMAPPED(other, 0, MEM_VA);

	/*
	 * The other context's own buffer may get the same handle value: it
	 * names that buffer there, never the owner's.
	 */
	ASSERT_EQ(0, vkfd_alloc(&other->k, gpu, MEM_VA + MIB, 4 * KIB, F_GTT, &mine));
	ASSERT_EQ(0, vkfd_map(&other->k, &mine, &gpu, 1));
	TH_LOG("handles: owner 0x%llx, other 0x%llx",
	       (unsigned long long)bo.handle, (unsigned long long)mine.handle);
	test_mem_free(other, mine.handle);
	EXPECT_UNMAPPED(other, 0, MEM_VA + MIB);
	ASSERT_MAPPED(owner, 0, MEM_VA, &x);
	EXPECT_ROW(owner, 1, 8 * KIB, PT_ONE_PAGE);
	EXPECT_ROW(other, 0, 0, PT_EMPTY);
	EXPECT_EQ(0, vkfd_free(&owner->k, &bo));
	EXPECT_ROW(owner, 0, 0, PT_EMPTY);
}

/*
 * The isolation tests once per pair of context kinds: mem's fixture, with
 * variants that say which kind the first context (the owner) and the
 * second are. The primary is the fixture's; a secondary is made new.
 */
FIXTURE(mem_pair) {
	FIXTURE_DATA(mem) m;
};

FIXTURE_VARIANT(mem_pair) {
	bool first_secondary;
	bool second_secondary;
};

FIXTURE_VARIANT_ADD(mem_pair, primary_secondary) {
	.first_secondary = false, .second_secondary = true,
};

FIXTURE_VARIANT_ADD(mem_pair, secondary_primary) {
	.first_secondary = true, .second_secondary = false,
};

FIXTURE_VARIANT_ADD(mem_pair, secondary_secondary) {
	.first_secondary = true, .second_secondary = true,
};

FIXTURE_SETUP(mem_pair)
{
	mem_setup(_metadata, &self->m, NULL);
}

FIXTURE_TEARDOWN(mem_pair)
{
	mem_teardown(_metadata, &self->m, NULL);
}

/* The primary, or a new secondary. */
static struct mem_ctx *pair_ctx(struct __test_metadata *_metadata,
				FIXTURE_DATA(mem) *m, bool secondary)
{
	return secondary ? mem_ctx_new(_metadata, m, true) : &m->ctx[0];
}

/* The two contexts map the same GPU address: each reaches only its own memory. */
TEST_F(mem_pair, same_va)
{
	struct mem_ctx *a = pair_ctx(_metadata, &self->m, variant->first_secondary);

	same_va_isolation(_metadata, &self->m, a,
			  pair_ctx(_metadata, &self->m, variant->second_secondary));
}

/* The first context's handle means nothing in the second. */
TEST_F(mem_pair, foreign_handle)
{
	struct mem_ctx *a = pair_ctx(_metadata, &self->m, variant->first_secondary);

	foreign_handle(_metadata, &self->m, a,
		       pair_ctx(_metadata, &self->m, variant->second_secondary));
}

/* ------------------------------------------------------------------------
 * MAP and UNMAP
 */

/* Page tables grow with what is mapped and shrink back to the root. */
TEST_F(mem, page_tables_grow_and_shrink)
{
	static const struct { uint64_t va, size, pt; } steps[] = {
		/* one page: root + 3 levels */
		{ MEM_VA, PAGE, 4 * PAGE },
		/* another page in the same 2 MiB: the same tables */
		{ MEM_VA + 64 * KIB, PAGE, 4 * PAGE },
		/* 1 GiB away: a new 2nd and 1st level */
		{ MEM_VA + (1ULL << 30), PAGE, 6 * PAGE },
		/* 512 GiB away: a new 3rd, 2nd and 1st level */
		{ MEM_VA + (1ULL << 39), PAGE, 9 * PAGE },
		/* 4 MiB, 2 MiB aligned, elsewhere in the first GiB: 2 more tables */
		{ MEM_VA + 0x10000000ULL, 4 * MIB, 11 * PAGE },
		/* the last page of the address space: 3 more */
		{ VA_TOP - PAGE, PAGE, 14 * PAGE },
	};
	struct mem_ctx *c = &self->ctx[0];
	struct vkfd_bo bo[ARRAY_SIZE(steps)];
	uint32_t gpu = self->b.gpu[0];
	int i, n = ARRAY_SIZE(steps);

	mem_vm(_metadata, self, c, 0);
	EXPECT_ROW(c, 0, 0, PT_EMPTY);
	for (i = 0; i < n; i++) {
		struct vkfd_xlate x;

		ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, steps[i].va, steps[i].size,
					F_GTT | F_W, &bo[i])) TH_LOG("step %d", i);
		EXPECT_ROW(c, i + 1, 0, i ? steps[i - 1].pt : PT_EMPTY);
		ASSERT_EQ(0, vkfd_map(&c->k, &bo[i], &gpu, 1)) TH_LOG("step %d", i);
		EXPECT_ROW(c, i + 1, 0, steps[i].pt);
		ASSERT_MAPPED(c, 0, steps[i].va + steps[i].size - PAGE, &x);
	}
	/* Unmapping in reverse order gives every table back */
	for (i = n - 1; i >= 0; i--) {
		ASSERT_EQ(0, vkfd_unmap(&c->k, &bo[i], &gpu, 1)) TH_LOG("step %d", i);
		EXPECT_ROW(c, n, 0, i ? steps[i - 1].pt : PT_EMPTY);
		EXPECT_UNMAPPED(c, 0, steps[i].va);
	}
	/* ... and in allocation order, freeing without unmapping */
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, vkfd_map(&c->k, &bo[i], &gpu, 1));
	EXPECT_ROW(c, n, 0, steps[n - 1].pt);
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, vkfd_free(&c->k, &bo[i]));
	EXPECT_ROW(c, 0, 0, PT_EMPTY);
}

/* A buffer mapped on two GPUs: unmapped from one, then freed while still mapped on the other. */
TEST_F(mem, map_two_gpus_unmap_one_free_other)
{
	struct mem_ctx *c = &self->ctx[0];
	struct vkfd_xlate x[2];
	struct vkfd_bo bo;
	uint8_t *map;
	int g;

	NEED_GPUS(2);
	for (g = 0; g < 2; g++)
		mem_vm(_metadata, self, c, g);
	ASSERT_EQ(0, vkfd_alloc(&c->k, self->b.gpu[0], MEM_VA, 16 * KIB,
				F_VRAM | F_W, &bo));
	map = bo_map(_metadata, c->render[0], &bo, PROT_READ | PROT_WRITE);
	pattern(map + 8 * KIB, 42);
	ASSERT_EQ(0, vkfd_map(&c->k, &bo, self->b.gpu, 2));
	EXPECT_ROW(c, 1, 16 * KIB, 2 * PT_ONE_PAGE);
	/* Both GPUs reach the same memory (GPU 1 as a peer) */
	for (g = 0; g < 2; g++) {
		ASSERT_MAPPED(c, g, MEM_VA + 8 * KIB, &x[g]);
		EXPECT_TRUE(has_pattern(x[g].data, 42));
		EXPECT_EQ(pasid_of(c, g), x[g].pasid);
	}
	EXPECT_EQ(x[0].pfn, x[1].pfn);
	/* VRAM counts on the GPU it was allocated on, once */
	EXPECT_EQ(self->budget - 16 * KIB, avail(self, 0));
	EXPECT_EQ(self->budget, avail(self, 1));

	ASSERT_EQ(0, vkfd_unmap(&c->k, &bo, &self->b.gpu[0], 1));
	EXPECT_UNMAPPED(c, 0, MEM_VA + 8 * KIB);
	ASSERT_MAPPED(c, 1, MEM_VA + 8 * KIB, &x[1]);
	EXPECT_TRUE(has_pattern(x[1].data, 42));
	EXPECT_ROW(c, 1, 16 * KIB, PT_EMPTY + PT_ONE_PAGE);

	ASSERT_EQ(0, vkfd_free(&c->k, &bo));
	EXPECT_UNMAPPED(c, 1, MEM_VA + 8 * KIB);
	EXPECT_ROW(c, 0, 0, 2 * PT_EMPTY);
	EXPECT_EQ(0, munmap(map, 16 * KIB));
	EXPECT_BUDGET_FREE();
}

/* FREE without UNMAP takes the buffer out of every VM it is mapped in. */
TEST_F(mem, free_unmaps_everywhere)
{
	struct mem_ctx *c = &self->ctx[0];
	struct vkfd_bo bo[2];
	int g, i;

	for (g = 0; g < self->b.ngpus; g++)
		mem_vm(_metadata, self, c, g);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, vkfd_alloc(&c->k, self->b.gpu[0], MEM_VA + i * 4 * MIB,
					2 * MIB, i ? F_GTT : F_VRAM, &bo[i]));
		ASSERT_EQ(0, vkfd_map(&c->k, &bo[i], self->b.gpu, self->b.ngpus));
	}
	for (g = 0; g < self->b.ngpus; g++) {
		struct vkfd_xlate x;

		ASSERT_MAPPED(c, g, MEM_VA + 2 * MIB - PAGE, &x);
		EXPECT_STREQ("r-", x.perm);
		EXPECT_TRUE(all_zero(x.data, sizeof(x.data)));
	}
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, vkfd_free(&c->k, &bo[i]));
	for (g = 0; g < self->b.ngpus; g++)
		for (i = 0; i < 2; i++) {
			EXPECT_UNMAPPED(c, g, MEM_VA + i * 4 * MIB);
			EXPECT_UNMAPPED(c, g, MEM_VA + i * 4 * MIB + 2 * MIB - PAGE);
		}
	EXPECT_ROW(c, 0, 0, self->b.ngpus * PT_EMPTY);
	EXPECT_BUDGET_FREE();
}

/* n_success: the failing GPU's index; a retry from there after fixing the list completes it. */
TEST_F(mem, map_n_success_resume)
{
	struct mem_ctx *c = &self->ctx[0];
	struct vkfd_topo topo;
	struct vkfd_xlate x;
	struct vkfd_bo bo;
	uint32_t ids[3], n;

	NEED_GPUS(2);
	ASSERT_EQ(0, vkfd_topo_load(self->b.env.topology, &topo));
	mem_vm(_metadata, self, c, 0);
	mem_vm(_metadata, self, c, 1);
	ASSERT_EQ(0, vkfd_alloc(&c->k, self->b.gpu[0], MEM_VA, PAGE, F_VRAM, &bo));
	ids[0] = self->b.gpu[0];
	ids[1] = vkfd_topo_unused_gpu_id(&topo);
	ids[2] = self->b.gpu[1];
	n = 0;
	test_err_mem_map(EINVAL, c, true, bo.handle, ids, 3, &n);
	EXPECT_EQ(1U, n);
	ASSERT_MAPPED(c, 0, MEM_VA, &x);
	EXPECT_UNMAPPED(c, 1, MEM_VA);
	EXPECT_ROW(c, 1, PAGE, PT_ONE_PAGE + PT_EMPTY);

	/* Fixed (the bad entry now names a GPU already done): resume */
	ids[1] = self->b.gpu[0];
	test_mem_map(c, true, bo.handle, ids, 3, &n);
	EXPECT_EQ(3U, n);
	ASSERT_MAPPED(c, 1, MEM_VA, &x);
	EXPECT_ROW(c, 1, PAGE, 2 * PT_ONE_PAGE);

	/* UNMAP the same way: [gpu1, bogus, gpu0] stops at 1 */
	ids[0] = self->b.gpu[1];
	ids[1] = vkfd_topo_unused_gpu_id(&topo);
	ids[2] = self->b.gpu[0];
	n = 0;
	test_err_mem_map(EINVAL, c, false, bo.handle, ids, 3, &n);
	EXPECT_EQ(1U, n);
	EXPECT_UNMAPPED(c, 1, MEM_VA);
	ASSERT_MAPPED(c, 0, MEM_VA, &x);
	/* Resuming at 2 skips the bad entry */
	n = 2;
	test_mem_map(c, false, bo.handle, ids, 3, &n);
	EXPECT_EQ(3U, n);
	EXPECT_UNMAPPED(c, 0, MEM_VA);
	EXPECT_ROW(c, 1, PAGE, 2 * PT_EMPTY);
	/* Unmapping where it is not mapped: EINVAL at that index */
	n = 0;
	test_err_mem_map(EINVAL, c, false, bo.handle, ids, 1, &n);
	EXPECT_EQ(0U, n);
	EXPECT_EQ(0, vkfd_free(&c->k, &bo));
}

/* MAP/UNMAP arguments: counts, the id array, handles and GPUs without a VM. */
TEST_F(mem, map_bad_args)
{
	struct mem_ctx *c = &self->ctx[0];
	uint32_t gpu = self->b.gpu[0], many[1025], n;
	struct mem_snap before;
	struct vkfd_topo topo;
	struct vkfd_bo bo;
	int i, m;

	ASSERT_EQ(0, vkfd_topo_load(self->b.env.topology, &topo));
	mem_vm(_metadata, self, c, 0);
	ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, MEM_VA, PAGE, F_VRAM, &bo));
	for (i = 0; i < 1025; i++)
		many[i] = gpu;
	snap(self, &before);
	for (m = 0; m < 2; m++) {
		n = 0;
		test_err_mem_map(EINVAL, c, m, bo.handle, &gpu, 0, &n);
		n = 2;
		test_err_mem_map(EINVAL, c, m, bo.handle, &gpu, 1, &n);
		EXPECT_EQ(2U, n);
		n = 0;
		test_err_mem_map(EINVAL, c, m, bo.handle, many, 1025, &n);
		EXPECT_EQ(0U, n);
		n = 0;
		test_err_mem_map(EINVAL, c, m, 0, &gpu, 1, &n);
		n = 0;
		test_err_mem_map(EINVAL, c, m, bo.handle + 1000, &gpu, 1, &n);
		n = 0;
		test_err_mem_map(EINVAL, c, m, ((uint64_t)gpu << 32) | 0xffffffff,
				 &gpu, 1, &n);
		n = 0;
		test_err_mem_map(EFAULT, c, m, bo.handle, NULL, 1, &n);
		EXPECT_EQ(0U, n);
		n = 0;
		test_err_mem_map(EFAULT, c, m, bo.handle, vkfd_unmapped_page(), 1, &n);
		/* a GPU that does not exist, or has no VM in this context */
		many[0] = vkfd_topo_unused_gpu_id(&topo);
		n = 0;
		test_err_mem_map(EINVAL, c, m, bo.handle, many, 1, &n);
		EXPECT_EQ(0U, n);
		many[0] = 0;
		test_err_mem_map(EINVAL, c, m, bo.handle, many, 1, &n);
		many[0] = gpu;
		if (self->b.ngpus > 1) {
			n = 0;
			test_err_mem_map(EINVAL, c, m, bo.handle, &self->b.gpu[1], 1, &n);
			EXPECT_EQ(0U, n);
		}
	}
	EXPECT_UNCHANGED(&before);
	EXPECT_UNMAPPED(c, 0, MEM_VA);
	/* 1024 entries is the limit, and allowed (the same GPU every time) */
	n = 0;
	test_mem_map(c, true, bo.handle, many, 1024, &n);
	EXPECT_EQ(1024U, n);
	EXPECT_ROW(c, 1, PAGE, PT_ONE_PAGE);
	EXPECT_EQ(0, vkfd_free(&c->k, &bo));
}

/* Overlapping another buffer's mapping in a VM: EINVAL; in another VM it is fine. */
TEST_F(mem, map_overlap_einval)
{
	struct mem_ctx *c = &self->ctx[0];
	uint32_t gpu = self->b.gpu[0], n = 0;
	struct vkfd_bo a, b, inside, around;
	struct mem_snap before;
	struct vkfd_xlate x;

	mem_vm(_metadata, self, c, 0);
	if (self->b.ngpus > 1)
		mem_vm(_metadata, self, c, 1);
	/* a: [VA+4K, VA+12K); b overlaps its end; inside and around it */
	ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, MEM_VA + PAGE, 2 * PAGE, F_VRAM | F_W, &a));
	ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, MEM_VA + 2 * PAGE, 2 * PAGE, F_GTT, &b));
	ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, MEM_VA + PAGE, PAGE, F_GTT, &inside));
	ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, MEM_VA, 4 * PAGE, F_GTT, &around));
	ASSERT_EQ(0, vkfd_map(&c->k, &a, &gpu, 1));
	snap(self, &before);
	test_err_mem_map(EINVAL, c, true, b.handle, &gpu, 1, &n);
	EXPECT_EQ(0U, n);
	test_err_mem_map(EINVAL, c, true, inside.handle, &gpu, 1, &n);
	test_err_mem_map(EINVAL, c, true, around.handle, &gpu, 1, &n);
	EXPECT_UNCHANGED(&before);
	EXPECT_UNMAPPED(c, 0, MEM_VA);
	EXPECT_UNMAPPED(c, 0, MEM_VA + 3 * PAGE);
	ASSERT_MAPPED(c, 0, MEM_VA + 2 * PAGE, &x);
	EXPECT_STREQ("rw", x.perm);
	/* Adjacent is not overlapping */
	ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, MEM_VA + 3 * PAGE, PAGE, F_GTT, &inside));
	EXPECT_EQ(0, vkfd_map(&c->k, &inside, &gpu, 1));
	if (self->b.ngpus > 1) {
		/* GPU 1's VM has nothing there yet */
		EXPECT_EQ(0, vkfd_map(&c->k, &b, &self->b.gpu[1], 1));
		ASSERT_MAPPED(c, 1, MEM_VA + 2 * PAGE, &x);
		EXPECT_STREQ("r-", x.perm);
	}
	/* Once a is unmapped, b fits */
	ASSERT_EQ(0, vkfd_unmap(&c->k, &a, &gpu, 1));
	EXPECT_EQ(0, vkfd_unmap(&c->k, &inside, &gpu, 1));
	EXPECT_EQ(0, vkfd_map(&c->k, &b, &gpu, 1));
	ASSERT_MAPPED(c, 0, MEM_VA + 2 * PAGE, &x);
	EXPECT_STREQ("r-", x.perm);
}

/* Mapping on a GPU it is already mapped on succeeds and changes nothing. */
TEST_F(mem, map_twice_idempotent)
{
	struct mem_ctx *c = &self->ctx[0];
	uint32_t gpu = self->b.gpu[0];
	struct vkfd_xlate x, y;
	struct mem_snap before;
	struct vkfd_bo bo;

	mem_vm(_metadata, self, c, 0);
	ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, MEM_VA, 2 * PAGE, F_VRAM | F_W, &bo));
	ASSERT_EQ(0, vkfd_map(&c->k, &bo, &gpu, 1));
	ASSERT_MAPPED(c, 0, MEM_VA + PAGE, &x);
	snap(self, &before);
	EXPECT_EQ(0, vkfd_map(&c->k, &bo, &gpu, 1));
	EXPECT_UNCHANGED(&before);
	ASSERT_MAPPED(c, 0, MEM_VA + PAGE, &y);
	EXPECT_EQ(x.pfn, y.pfn);
	EXPECT_EQ(x.pte, y.pte);
	/* One unmap undoes it */
	ASSERT_EQ(0, vkfd_unmap(&c->k, &bo, &gpu, 1));
	EXPECT_UNMAPPED(c, 0, MEM_VA + PAGE);
	EXPECT_ROW(c, 1, 2 * PAGE, PT_EMPTY);
}

/* ------------------------------------------------------------------------
 * The translate hook itself
 */

/* No such process, context, GPU or VM: ENOENT; an out-of-range request: EINVAL. */
TEST_F(mem, translate_errors)
{
	struct mem_ctx *s = mem_ctx_new(_metadata, self, true);
	struct vkfd_test_cmd cmd;
	struct vkfd_xlate x;

	mem_vm(_metadata, self, &self->ctx[0], 0);
	EXPECT_EQ(0, xlate(self, &self->ctx[0], 0, MEM_VA, &x)) TH_LOG("%s", x.text);
	/* a secondary without a VM, a context that does not exist, another pid */
	EXPECT_EQ(-ENOENT, xlate(self, s, 0, MEM_VA, &x));
	EXPECT_EQ(-ENOENT, vkfd_translate(self->b.pid, s->id + 1, self->b.gpu[0], MEM_VA, &x));
	EXPECT_EQ(-ENOENT, vkfd_translate(self->b.pid, 0xfffe, self->b.gpu[0], MEM_VA, &x));
	EXPECT_EQ(-ENOENT, vkfd_translate(getppid(), VKFD_CTX_ID_PRIMARY,
					  self->b.gpu[0], MEM_VA, &x));
	EXPECT_EQ(-ENOENT, vkfd_translate(self->b.pid, VKFD_CTX_ID_PRIMARY, 0, MEM_VA, &x));
	if (self->b.ngpus > 1)
		EXPECT_EQ(-ENOENT, xlate(self, &self->ctx[0], 1, MEM_VA, &x));
	/* no pid, a context id beyond the primary's, a pad that is not 0 */
	EXPECT_EQ(-EINVAL, vkfd_translate(0, VKFD_CTX_ID_PRIMARY, self->b.gpu[0], MEM_VA, &x));
	EXPECT_EQ(-EINVAL, vkfd_translate(self->b.pid, VKFD_CTX_ID_PRIMARY + 1,
					  self->b.gpu[0], MEM_VA, &x));
	cmd = (struct vkfd_test_cmd){
		.op = VKFD_TEST_OP_TRANSLATE,
		.translate = {
			.pid = self->b.pid, .ctx_id = VKFD_CTX_ID_PRIMARY,
			.gpu_id = self->b.gpu[0], .va = MEM_VA, .pad = 1,
		},
	};
	EXPECT_EQ(-EINVAL, vkfd_hooks_cmd(&cmd));
	EXPECT_EQ(0U, cmd.translate.pasid);
}

TEST_HARNESS_MAIN
