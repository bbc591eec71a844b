// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * GPU memory: ALLOC_MEMORY_OF_GPU and FREE_MEMORY_OF_GPU (arguments,
 * domains, the VRAM budget), and the other per-VM ioctls:
 * AVAILABLE_MEMORY, SET_MEMORY_POLICY, SET_SCRATCH_BACKING_VA and
 * GET_TILE_CONFIG.
 *
 * vkfd only, like every mem_*.c: the fixture (mem_utils.h) skips on
 * amdkfd, which has no GPU to allocate on.
 */
#include "kselftest_harness.h"
#include "mem_utils.h"

/* amdgpu's VEGA10_GB_ADDR_CONFIG_GOLDEN: gfx900's GB_ADDR_CONFIG */
#define GFX900_GB_ADDR_CONFIG	0x2a114042U

/* amdkfd's /dev/kfd mmap cookies (kfd_priv.h) */
#define TEST_MMAP_TYPE_DOORBELL	(3ULL << 62)
#define TEST_MMAP_TYPE_MMIO	(0ULL << 62)
#define TEST_MMAP_GPU_ID(id)	(((uint64_t)(id) & 0xffff) << 46)

/* ------------------------------------------------------------------------
 * VRAM budget
 */

/* VRAM counts against the budget, GTT does not; sysfs and debugfs agree. */
TEST_F(mem, vram_accounting)
{
	struct mem_ctx *p = &self->ctx[0];
	struct mem_ctx *s = mem_ctx_new(_metadata, self, true);
	struct vkfd_bo v1, v2, gtt, sv;
	uint64_t a;
	int g;

	for (g = 0; g < self->b.ngpus; g++) {
		mem_vm(_metadata, self, p, g);
		mem_vm(_metadata, self, s, g);
	}
	ASSERT_EQ(0, vkfd_alloc(&p->k, self->b.gpu[0], MEM_VA, 4 * KIB, F_VRAM, &v1));
	ASSERT_EQ(0, vkfd_alloc(&p->k, self->b.gpu[0], MEM_VA + MIB, 3 * MIB,
				F_VRAM | F_W, &v2));
	ASSERT_EQ(0, vkfd_alloc(&p->k, self->b.gpu[0], MEM_VA + 8 * MIB, 8 * MIB,
				F_GTT | F_W, &gtt));
	ASSERT_EQ(0, vkfd_alloc(&s->k, self->b.gpu[self->b.ngpus - 1], MEM_VA,
				2 * MIB, F_VRAM | F_W, &sv));
	if (self->b.ngpus > 1) {
		EXPECT_EQ(self->budget - 4 * KIB - 3 * MIB, avail(self, 0));
		EXPECT_EQ(self->budget - 2 * MIB, avail(self, self->b.ngpus - 1));
	} else {
		EXPECT_EQ(self->budget - 4 * KIB - 5 * MIB, avail(self, 0));
	}
	/* Every context sees the same, device-wide figure */
	ASSERT_EQ(0, vkfd_available_memory(&s->k, self->b.gpu[0], &a));
	EXPECT_EQ(avail(self, 0), a);

	EXPECT_EQ(4 * KIB + 3 * MIB, sysfs_vram(self, p, 0));
	EXPECT_EQ(self->b.ngpus > 1 ? 0 : 2 * MIB, sysfs_vram(self, s, 0));
	EXPECT_EQ(2 * MIB, sysfs_vram(self, s, self->b.ngpus - 1));
	if (self->b.ngpus > 1)
		EXPECT_EQ(0ULL, sysfs_vram(self, p, 1));
	EXPECT_ROW(p, 3, 4 * KIB + 3 * MIB, self->b.ngpus * PT_EMPTY);
	EXPECT_ROW(s, 1, 2 * MIB, self->b.ngpus * PT_EMPTY);

	ASSERT_EQ(0, vkfd_free(&p->k, &v2));
	EXPECT_EQ(4 * KIB, sysfs_vram(self, p, 0));
	EXPECT_EQ(self->budget - 4 * KIB - (self->b.ngpus > 1 ? 0 : 2 * MIB),
		  avail(self, 0));
	ASSERT_EQ(0, vkfd_free(&p->k, &v1));
	ASSERT_EQ(0, vkfd_free(&p->k, &gtt));
	ASSERT_EQ(0, vkfd_free(&s->k, &sv));
	EXPECT_BUDGET_FREE();
	EXPECT_EQ(0ULL, sysfs_vram(self, p, 0));
	EXPECT_EQ(0ULL, sysfs_vram(self, s, self->b.ngpus - 1));
	EXPECT_ROW(p, 0, 0, self->b.ngpus * PT_EMPTY);
	EXPECT_ROW(s, 0, 0, self->b.ngpus * PT_EMPTY);
}

/* Allocating until ENOMEM: the budget is shared, the failed calls change nothing. */
TEST_F_TIMEOUT(mem, vram_exhaustion_enomem, 120)
{
	struct mem_ctx *c[2] = { &self->ctx[0], mem_ctx_new(_metadata, self, true) };
	uint64_t chunk = self->budget / 8, used = 0, per[2] = { 0, 0 };
	struct vkfd_bo bo[16], gtt, last;
	uint32_t gpu = self->b.gpu[0];
	struct mem_snap before;
	int n = 0, i, ret;

	mem_vm(_metadata, self, c[0], 0);
	mem_vm(_metadata, self, c[1], 0);
	/* Alternating between the contexts: eight chunks, then ENOMEM */
	for (;;) {
		struct mem_ctx *ctx = c[n % 2];

		ASSERT_GT(16, n);
		snap(self, &before);
		ret = vkfd_alloc(&ctx->k, gpu, MEM_VA + n * chunk, chunk, F_VRAM,
				 &bo[n]);
		if (ret) {
			EXPECT_EQ(-ENOMEM, ret);
			EXPECT_UNCHANGED(&before);
			break;
		}
		used += chunk;
		per[n % 2] += chunk;
		n++;
		EXPECT_EQ(self->budget - used, avail(self, 0));
		EXPECT_EQ(per[0], sysfs_vram(self, c[0], 0));
		EXPECT_EQ(per[1], sysfs_vram(self, c[1], 0));
	}
	EXPECT_EQ(8, n);
	EXPECT_EQ(0ULL, avail(self, 0));
	/* Not a page more, in either context; GTT is not VRAM */
	snap(self, &before);
	test_err_mem_alloc(ENOMEM, c[0], gpu, VA_TOP - PAGE, PAGE, 0, F_VRAM, NULL);
	test_err_mem_alloc(ENOMEM, c[1], gpu, VA_TOP - PAGE, PAGE, 0, F_VRAM, NULL);
	test_err_mem_alloc(ENOMEM, c[1], gpu, MEM_VA, self->budget, 0, F_VRAM, NULL);
	EXPECT_UNCHANGED(&before);
	ASSERT_EQ(0, vkfd_alloc(&c[0]->k, gpu, VA_TOP - PAGE, PAGE, F_GTT, &gtt));
	EXPECT_EQ(0ULL, avail(self, 0));
	ASSERT_EQ(0, vkfd_free(&c[0]->k, &gtt));
	if (self->b.ngpus > 1)
		EXPECT_EQ(self->budget, avail(self, 1));

	/* One chunk freed: exactly that fits again */
	ASSERT_EQ(0, vkfd_free(&c[1]->k, &bo[1]));
	EXPECT_EQ(chunk, avail(self, 0));
	snap(self, &before);
	test_err_mem_alloc(ENOMEM, c[0], gpu, MEM_VA, chunk + PAGE, 0, F_VRAM, NULL);
	EXPECT_UNCHANGED(&before);
	ASSERT_EQ(0, vkfd_alloc(&c[0]->k, gpu, MEM_VA, chunk, F_VRAM, &last));
	EXPECT_EQ(0ULL, avail(self, 0));

	/* Everything freed: the whole budget, nothing left in sysfs or debugfs */
	ASSERT_EQ(0, vkfd_free(&c[0]->k, &last));
	for (i = 0; i < n; i++)
		if (i != 1)
			ASSERT_EQ(0, vkfd_free(&c[i % 2]->k, &bo[i]));
	EXPECT_BUDGET_FREE();
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0ULL, sysfs_vram(self, c[i], 0));
		EXPECT_ROW(c[i], 0, 0, PT_EMPTY);
	}
	/* And the whole budget in one buffer */
	ASSERT_EQ(0, vkfd_alloc(&c[1]->k, gpu, MEM_VA, self->budget, F_VRAM, &last));
	EXPECT_EQ(0ULL, avail(self, 0));
	ASSERT_EQ(0, vkfd_free(&c[1]->k, &last));
	EXPECT_BUDGET_FREE();
}

/* A freed buffer's VRAM comes back only when its last CPU mapping goes; the mapping keeps its data. */
TEST_F(mem, vram_freed_while_cpu_mapped)
{
	struct mem_ctx *c = &self->ctx[0];
	struct vkfd_bo bo, copy;
	uint8_t *map;

	mem_vm(_metadata, self, c, 0);
	ASSERT_EQ(0, vkfd_alloc(&c->k, self->b.gpu[0], MEM_VA, MIB, F_VRAM | F_W, &bo));
	map = bo_map(_metadata, c->render[0], &bo, PROT_READ | PROT_WRITE);
	pattern(map + 512 * KIB, 7);
	copy = bo;
	ASSERT_EQ(0, vkfd_free(&c->k, &bo));
	EXPECT_ROW(c, 0, 0, PT_EMPTY);
	EXPECT_EQ(self->budget - MIB, avail(self, 0));
	EXPECT_TRUE(has_pattern(map + 512 * KIB, 7));
	pattern(map, 8);
	EXPECT_TRUE(has_pattern(map, 8));
	EXPECT_EQ(0, vkfd_bo_munmap(&copy, map));
	EXPECT_BUDGET_FREE();
}

/* Closing a secondary with allocated, mapped VRAM returns it at once. */
TEST_F(mem, close_secondary_returns_vram)
{
	struct mem_ctx *s = mem_ctx_new(_metadata, self, true);
	struct vkfd_bo bo[VKFD_MAX_GPUS];
	uint8_t *map;
	int g;

	for (g = 0; g < self->b.ngpus; g++)
		mem_vm(_metadata, self, s, g);
	for (g = 0; g < self->b.ngpus; g++) {
		ASSERT_EQ(0, vkfd_alloc(&s->k, self->b.gpu[g], MEM_VA + g * MIB,
					MIB, F_VRAM | F_W, &bo[g]));
		ASSERT_EQ(0, vkfd_map(&s->k, &bo[g], self->b.gpu, self->b.ngpus));
		EXPECT_EQ(self->budget - MIB, avail(self, g));
	}
	map = bo_map(_metadata, s->render[0], &bo[0], PROT_READ | PROT_WRITE);
	pattern(map, 1);
	EXPECT_EQ(0, vkfd_bo_munmap(&bo[0], map));
	ASSERT_EQ(0, vkfd_ctx_row(self->b.pid, s->id, &(struct vkfd_ctx_row){ 0 }));
	vkfd_close(&s->k);
	for (g = 0; g < self->b.ngpus; g++) {
		close(s->render[g]);
		s->render[g] = -1;
	}
	EXPECT_BUDGET_FREE();
	EXPECT_EQ(-ENOENT, vkfd_ctx_row(self->b.pid, s->id, &(struct vkfd_ctx_row){ 0 }));
}

/* ------------------------------------------------------------------------
 * ALLOC arguments
 */

/* Domains: none, two, or an unknown flag bit: EINVAL, nothing changes. */
TEST_F(mem, alloc_bad_flags_einval)
{
	static const uint32_t domains[] = { F_VRAM, F_GTT, F_USERPTR, F_DOORBELL, F_MMIO };
	struct mem_ctx *c = &self->ctx[0];
	struct mem_snap before;
	uint32_t flags;
	int i, j, bit;

	mem_vm(_metadata, self, c, 0);
	snap(self, &before);
	test_err_mem_alloc(EINVAL, c, self->b.gpu[0], MEM_VA, 8 * KIB, 0, 0, NULL);
	test_err_mem_alloc(EINVAL, c, self->b.gpu[0], MEM_VA, 8 * KIB, 0, F_ATTRS, NULL);
	for (i = 0; i < 5; i++)
		for (j = i + 1; j < 5; j++) {
			flags = domains[i] | domains[j] | F_W;
			test_err_mem_alloc(EINVAL, c, self->b.gpu[0], MEM_VA, 8 * KIB,
					   0, flags, NULL)
				TH_LOG("flags 0x%x", flags);
		}
	for (bit = 0; bit < 32; bit++) {
		flags = 1U << bit;
		if (flags & (F_DOMAINS | F_ATTRS))
			continue;
		test_err_mem_alloc(EINVAL, c, self->b.gpu[0], MEM_VA, 8 * KIB, 0,
				   F_VRAM | flags, NULL)
			TH_LOG("bit %d", bit);
	}
	EXPECT_UNCHANGED(&before);
}

/* Every attribute is accepted; only WRITABLE shows (in the GPU mapping's permission). */
TEST_F(mem, alloc_attributes_accepted)
{
	struct mem_ctx *c = &self->ctx[0];
	uint32_t gpu = self->b.gpu[0];
	struct vkfd_bo rw, ro;
	struct vkfd_xlate x;

	mem_vm(_metadata, self, c, 0);
	ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, MEM_VA, PAGE, F_VRAM | F_ATTRS, &rw));
	ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, MEM_VA + PAGE, PAGE,
				F_GTT | (F_ATTRS & ~F_W), &ro));
	ASSERT_EQ(0, vkfd_map(&c->k, &rw, &gpu, 1));
	ASSERT_EQ(0, vkfd_map(&c->k, &ro, &gpu, 1));
	ASSERT_MAPPED(c, 0, MEM_VA, &x);
	EXPECT_STREQ("rw", x.perm);
	ASSERT_MAPPED(c, 0, MEM_VA + PAGE, &x);
	EXPECT_STREQ("r-", x.perm);
	EXPECT_ROW(c, 2, PAGE, PT_ONE_PAGE);
}

/* Sizes 0 or not a multiple of 4 KiB, GPU addresses not 4 KiB aligned: EINVAL. */
TEST_F(mem, alloc_bad_size_or_va_einval)
{
	static const uint64_t sizes[] = { 0, 1, PAGE - 1, PAGE + 1, 2 * PAGE - 512 };
	static const uint64_t offs[] = { 1, 8, 512, PAGE - 1 };
	static const uint32_t doms[] = { F_VRAM, F_GTT };
	struct mem_ctx *c = &self->ctx[0];
	struct mem_snap before;
	int i, d;

	mem_vm(_metadata, self, c, 0);
	snap(self, &before);
	for (d = 0; d < 2; d++) {
		for (i = 0; i < (int)ARRAY_SIZE(sizes); i++)
			test_err_mem_alloc(EINVAL, c, self->b.gpu[0], MEM_VA, sizes[i],
					   0, doms[d] | F_W, NULL)
				TH_LOG("size %llu", (unsigned long long)sizes[i]);
		for (i = 0; i < (int)ARRAY_SIZE(offs); i++)
			test_err_mem_alloc(EINVAL, c, self->b.gpu[0], MEM_VA + offs[i],
					   PAGE, 0, doms[d] | F_W, NULL)
				TH_LOG("va +%llu", (unsigned long long)offs[i]);
	}
	EXPECT_UNCHANGED(&before);
}

/* Past 2^48 or wrapping: EINVAL; the very last page of the VM is fine. */
TEST_F(mem, alloc_va_range)
{
	static const struct { uint64_t va, size; } bad[] = {
		{ VA_TOP - PAGE, 2 * PAGE },
		{ VA_TOP, PAGE },
		{ 1ULL << 63, PAGE },
		{ 0xfffffffffffff000ULL, 2 * PAGE },		/* wraps */
		{ MEM_VA, 0xfffffffffffff000ULL },		/* wraps */
		{ MEM_VA, VA_TOP },
	};
	struct mem_ctx *c = &self->ctx[0];
	uint32_t gpu = self->b.gpu[0];
	struct mem_snap before;
	struct vkfd_xlate x;
	struct vkfd_bo bo;
	uint8_t *map;
	int i, d;

	mem_vm(_metadata, self, c, 0);
	snap(self, &before);
	for (d = 0; d < 2; d++)
		for (i = 0; i < (int)ARRAY_SIZE(bad); i++)
			test_err_mem_alloc(EINVAL, c, gpu, bad[i].va, bad[i].size, 0,
					   (d ? F_GTT : F_VRAM) | F_W, NULL)
				TH_LOG("va 0x%llx size 0x%llx",
				       (unsigned long long)bad[i].va,
				       (unsigned long long)bad[i].size);
	EXPECT_UNCHANGED(&before);
	/* [2^48 - 4K, 2^48) ends exactly at the top: allocated, mapped, reached */
	ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, VA_TOP - PAGE, PAGE, F_VRAM | F_W, &bo));
	ASSERT_EQ(0, vkfd_map(&c->k, &bo, &gpu, 1));
	map = bo_map(_metadata, c->render[0], &bo, PROT_READ | PROT_WRITE);
	pattern(map, 48);
	ASSERT_MAPPED(c, 0, VA_TOP - PAGE, &x);
	EXPECT_TRUE(has_pattern(x.data, 48));
	EXPECT_ROW(c, 1, PAGE, PT_ONE_PAGE);
	vkfd_bo_munmap(&bo, map);
}

/* DOORBELL is 8 KiB and MMIO_REMAP 4 KiB, with amdkfd's /dev/kfd mmap cookies; other sizes EINVAL. */
TEST_F(mem, alloc_doorbell_and_mmio)
{
	struct mem_ctx *c = &self->ctx[0];
	uint32_t gpu = self->b.gpu[0];
	struct mem_snap before;
	struct vkfd_bo db, mmio;

	mem_vm(_metadata, self, c, 0);
	snap(self, &before);
	test_err_mem_alloc(EINVAL, c, gpu, MEM_VA, 4 * KIB, 0, F_DOORBELL | F_W, NULL);
	test_err_mem_alloc(EINVAL, c, gpu, MEM_VA, 16 * KIB, 0, F_DOORBELL | F_W, NULL);
	test_err_mem_alloc(EINVAL, c, gpu, MEM_VA, 8 * KIB, 0, F_MMIO | F_W, NULL);
	test_err_mem_alloc(EINVAL, c, gpu, MEM_VA, 0, 0, F_MMIO | F_W, NULL);
	EXPECT_UNCHANGED(&before);

	ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, MEM_VA, 8 * KIB, F_DOORBELL | F_W, &db));
	EXPECT_EQ(TEST_MMAP_TYPE_DOORBELL | TEST_MMAP_GPU_ID(gpu), db.mmap_offset);
	EXPECT_EQ((uint64_t)gpu, db.handle >> 32);
	ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, MEM_VA + MIB, 4 * KIB, F_MMIO | F_W, &mmio));
	EXPECT_EQ(TEST_MMAP_TYPE_MMIO | TEST_MMAP_GPU_ID(gpu), mmio.mmap_offset);
	EXPECT_NE(db.handle, mmio.handle);
	/* Not VRAM */
	EXPECT_BUDGET_FREE();
	EXPECT_ROW(c, 2, 0, PT_EMPTY);
	EXPECT_EQ(0, vkfd_free(&c->k, &db));
	EXPECT_EQ(0, vkfd_free(&c->k, &mmio));
	EXPECT_ROW(c, 0, 0, PT_EMPTY);
}

/* An unknown GPU, or one the context has no VM on: EINVAL. */
TEST_F(mem, alloc_no_vm_einval)
{
	struct mem_ctx *c = &self->ctx[0];
	struct mem_ctx *s = mem_ctx_new(_metadata, self, true);
	struct mem_snap before;
	struct vkfd_topo topo;

	ASSERT_EQ(0, vkfd_topo_load(self->b.env.topology, &topo));
	mem_vm(_metadata, self, s, 0);
	snap(self, &before);
	/* The primary has no VM at all; the secondary none on the other GPUs */
	test_err_mem_alloc(EINVAL, c, self->b.gpu[0], MEM_VA, PAGE, 0, F_VRAM, NULL);
	test_err_mem_alloc(EINVAL, c, self->b.gpu[0], MEM_VA, PAGE, 0, F_GTT, NULL);
	test_err_mem_alloc(EINVAL, c, 0, MEM_VA, PAGE, 0, F_VRAM, NULL);
	test_err_mem_alloc(EINVAL, s, vkfd_topo_unused_gpu_id(&topo), MEM_VA,
			   PAGE, 0, F_VRAM, NULL);
	if (self->b.ngpus > 1)
		test_err_mem_alloc(EINVAL, s, self->b.gpu[1], MEM_VA, PAGE, 0,
				   F_VRAM, NULL);
	EXPECT_UNCHANGED(&before);
}

/* FREE of a handle the context does not have: EINVAL (also a second time). */
TEST_F(mem, free_unknown_handle_einval)
{
	struct mem_ctx *c = &self->ctx[0];
	struct mem_snap before;
	struct vkfd_bo bo, keep;
	uint64_t handle;

	mem_vm(_metadata, self, c, 0);
	ASSERT_EQ(0, vkfd_alloc(&c->k, self->b.gpu[0], MEM_VA, PAGE, F_VRAM, &bo));
	ASSERT_EQ(0, vkfd_alloc(&c->k, self->b.gpu[0], MEM_VA + PAGE, PAGE, F_VRAM, &keep));
	handle = bo.handle;
	ASSERT_EQ(0, vkfd_free(&c->k, &bo));
	snap(self, &before);
	test_err_mem_free(EINVAL, c, handle);
	test_err_mem_free(EINVAL, c, 0);
	test_err_mem_free(EINVAL, c, ~0ULL);
	test_err_mem_free(EINVAL, c, keep.handle ^ (1ULL << 40));
	EXPECT_UNCHANGED(&before);
	EXPECT_ROW(c, 1, PAGE, PT_EMPTY);
}

/* ------------------------------------------------------------------------
 * AVAILABLE_MEMORY, SET_MEMORY_POLICY, SET_SCRATCH_BACKING_VA, GET_TILE_CONFIG
 */

/* AVAILABLE_MEMORY needs no VM; unknown GPU or pad: EINVAL, nothing written. */
TEST_F(mem, available_memory_args)
{
	struct mem_ctx *s = mem_ctx_new(_metadata, self, true);
	struct kfd_ioctl_get_available_memory_args args;
	struct vkfd_topo topo;
	int g;

	ASSERT_EQ(0, vkfd_topo_load(self->b.env.topology, &topo));
	for (g = 0; g < self->b.ngpus; g++) {
		args = (struct kfd_ioctl_get_available_memory_args){ .gpu_id = self->b.gpu[g] };
		test_ioctl(s->k.fd, AMDKFD_IOC_AVAILABLE_MEMORY, &args);
		EXPECT_EQ(self->budget, args.available);
	}
	args = (struct kfd_ioctl_get_available_memory_args){
		.available = 7, .gpu_id = vkfd_topo_unused_gpu_id(&topo),
	};
	test_err_ioctl(EINVAL, s->k.fd, AMDKFD_IOC_AVAILABLE_MEMORY, &args);
	EXPECT_EQ(7ULL, args.available);
	args.gpu_id = 0;
	test_err_ioctl(EINVAL, s->k.fd, AMDKFD_IOC_AVAILABLE_MEMORY, &args);
	args.gpu_id = self->b.gpu[0];
	args.pad = 1;
	test_err_ioctl(EINVAL, s->k.fd, AMDKFD_IOC_AVAILABLE_MEMORY, &args);
	EXPECT_EQ(7ULL, args.available);
}

/* SET_MEMORY_POLICY: coherent or not, recorded; bad policy, GPU or pad EINVAL; no VM ESRCH. */
TEST_F(mem, set_memory_policy)
{
	struct mem_ctx *c = &self->ctx[0];
	struct kfd_ioctl_set_memory_policy_args args;
	struct vkfd_topo topo;
	uint32_t d, a;

	ASSERT_EQ(0, vkfd_topo_load(self->b.env.topology, &topo));
	args = (struct kfd_ioctl_set_memory_policy_args){ .gpu_id = self->b.gpu[0] };
	test_err_ioctl(ESRCH, c->k.fd, AMDKFD_IOC_SET_MEMORY_POLICY, &args);
	mem_vm(_metadata, self, c, 0);
	for (d = 0; d < 2; d++)
		for (a = 0; a < 2; a++) {
			args = (struct kfd_ioctl_set_memory_policy_args){
				.alternate_aperture_base = 0x100000000ULL,
				.alternate_aperture_size = 0x10000000ULL,
				.gpu_id = self->b.gpu[0],
				.default_policy = d, .alternate_policy = a,
			};
			test_ioctl(c->k.fd, AMDKFD_IOC_SET_MEMORY_POLICY, &args);
		}
	args = (struct kfd_ioctl_set_memory_policy_args){
		.gpu_id = self->b.gpu[0], .default_policy = 2,
	};
	test_err_ioctl(EINVAL, c->k.fd, AMDKFD_IOC_SET_MEMORY_POLICY, &args);
	args.default_policy = 0;
	args.alternate_policy = 0xffffffff;
	test_err_ioctl(EINVAL, c->k.fd, AMDKFD_IOC_SET_MEMORY_POLICY, &args);
	args.alternate_policy = 0;
	args.VKFD_MEMORY_POLICY_PAD = 1;
	test_err_ioctl(EINVAL, c->k.fd, AMDKFD_IOC_SET_MEMORY_POLICY, &args);
	args.VKFD_MEMORY_POLICY_PAD = 0;
	args.gpu_id = vkfd_topo_unused_gpu_id(&topo);
	test_err_ioctl(EINVAL, c->k.fd, AMDKFD_IOC_SET_MEMORY_POLICY, &args);
	args.gpu_id = 0;
	test_err_ioctl(EINVAL, c->k.fd, AMDKFD_IOC_SET_MEMORY_POLICY, &args);
	if (self->b.ngpus > 1) {
		args.gpu_id = self->b.gpu[1];
		test_err_ioctl(ESRCH, c->k.fd, AMDKFD_IOC_SET_MEMORY_POLICY, &args);
	}
}

/* SET_SCRATCH_BACKING_VA: needs the VM; unknown GPU, no VM or pad: EINVAL. */
TEST_F(mem, set_scratch_backing_va)
{
	struct mem_ctx *s = mem_ctx_new(_metadata, self, true);
	struct kfd_ioctl_set_scratch_backing_va_args args;
	struct vkfd_topo topo;

	ASSERT_EQ(0, vkfd_topo_load(self->b.env.topology, &topo));
	args = (struct kfd_ioctl_set_scratch_backing_va_args){
		.va_addr = MEM_VA, .gpu_id = self->b.gpu[0],
	};
	test_err_ioctl(EINVAL, s->k.fd, AMDKFD_IOC_SET_SCRATCH_BACKING_VA, &args);
	mem_vm(_metadata, self, s, 0);
	test_ioctl(s->k.fd, AMDKFD_IOC_SET_SCRATCH_BACKING_VA, &args);
	EXPECT_EQ(MEM_VA, args.va_addr);
	args.va_addr = 0;
	test_ioctl(s->k.fd, AMDKFD_IOC_SET_SCRATCH_BACKING_VA, &args);
	args.pad = 1;
	test_err_ioctl(EINVAL, s->k.fd, AMDKFD_IOC_SET_SCRATCH_BACKING_VA, &args);
	args.pad = 0;
	args.gpu_id = vkfd_topo_unused_gpu_id(&topo);
	test_err_ioctl(EINVAL, s->k.fd, AMDKFD_IOC_SET_SCRATCH_BACKING_VA, &args);
	if (self->b.ngpus > 1) {
		args.gpu_id = self->b.gpu[1];
		test_err_ioctl(EINVAL, s->k.fd, AMDKFD_IOC_SET_SCRATCH_BACKING_VA, &args);
	}
}

/* GET_TILE_CONFIG: a gfx9 answer with empty tables, arrays untouched; unknown GPU EINVAL. */
TEST_F(mem, get_tile_config)
{
	struct mem_ctx *c = &self->ctx[0];
	struct kfd_ioctl_get_tile_config_args args;
	uint32_t tiles[32], macro[16];
	struct vkfd_topo topo;
	int g;

	ASSERT_EQ(0, vkfd_topo_load(self->b.env.topology, &topo));
	for (g = 0; g < self->b.ngpus; g++) {
		vkfd_fill(tiles, sizeof(tiles));
		vkfd_fill(macro, sizeof(macro));
		args = (struct kfd_ioctl_get_tile_config_args){
			.tile_config_ptr = (uintptr_t)tiles,
			.macro_tile_config_ptr = (uintptr_t)macro,
			.num_tile_configs = 32, .num_macro_tile_configs = 16,
			.gpu_id = self->b.gpu[g],
			.gb_addr_config = 1, .num_banks = 1, .num_ranks = 1,
		};
		/* no VM needed */
		test_ioctl(c->k.fd, AMDKFD_IOC_GET_TILE_CONFIG, &args);
		EXPECT_EQ(GFX900_GB_ADDR_CONFIG, args.gb_addr_config);
		EXPECT_EQ(0U, args.num_banks);
		EXPECT_EQ(0U, args.num_ranks);
		EXPECT_EQ(0U, args.num_tile_configs);
		EXPECT_EQ(0U, args.num_macro_tile_configs);
		EXPECT_TRUE(vkfd_untouched(tiles, sizeof(tiles)));
		EXPECT_TRUE(vkfd_untouched(macro, sizeof(macro)));
	}
	args = (struct kfd_ioctl_get_tile_config_args){
		.gpu_id = vkfd_topo_unused_gpu_id(&topo),
	};
	test_err_ioctl(EINVAL, c->k.fd, AMDKFD_IOC_GET_TILE_CONFIG, &args);
	args.gpu_id = 0;
	test_err_ioctl(EINVAL, c->k.fd, AMDKFD_IOC_GET_TILE_CONFIG, &args);
}

TEST_HARNESS_MAIN
