// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * CPU mappings of GPU memory through the render nodes: what they show,
 * who may make them, how far they reach and how long they live.
 *
 * vkfd only, like every mem_*.c: the fixture (mem_utils.h) skips on
 * amdkfd, which has no GPU to allocate on.
 */
#include "kselftest_harness.h"
#include "mem_utils.h"

/* ------------------------------------------------------------------------
 * CPU mappings through the render node
 */

/* MAP_SHARED read-write: new memory reads as zeros, and the GPU sees what the CPU writes. */
TEST_F(mem, mmap_shared_zero_and_coherent)
{
	static const uint32_t doms[] = { F_VRAM, F_GTT };
	struct mem_ctx *c = &self->ctx[0];
	uint32_t gpu = self->b.gpu[0];
	uint8_t *map, *map2;
	struct vkfd_xlate x;
	struct vkfd_bo bo;
	int d, i;

	mem_vm(_metadata, self, c, 0);
	for (d = 0; d < 2; d++) {
		ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, MEM_VA, 256 * KIB, doms[d] | F_W, &bo));
		ASSERT_EQ(0, vkfd_map(&c->k, &bo, &gpu, 1));
		map = bo_map(_metadata, c->render[0], &bo, PROT_READ | PROT_WRITE);
		EXPECT_TRUE(all_zero(map, 256 * KIB));
		for (i = 0; i < 64; i++)
			pattern(map + i * PAGE, d * 100 + i);
		for (i = 0; i < 64; i += 9) {
			ASSERT_MAPPED(c, 0, MEM_VA + i * PAGE, &x);
			EXPECT_TRUE(has_pattern(x.data, d * 100 + i))
				TH_LOG("page %d: %s", i, x.text);
		}
		/* A second mapping shows the same pages */
		map2 = bo_map(_metadata, c->render[0], &bo, PROT_READ);
		EXPECT_EQ(0, memcmp(map, map2, 256 * KIB));
		EXPECT_EQ(0, vkfd_bo_munmap(&bo, map2));
		EXPECT_EQ(0, vkfd_bo_munmap(&bo, map));
		ASSERT_EQ(0, vkfd_free(&c->k, &bo));
	}
	EXPECT_BUDGET_FREE();
}

/* A new buffer never shows what a freed one held. */
TEST_F(mem, new_memory_is_zeroed)
{
	struct mem_ctx *c = &self->ctx[0];
	uint32_t gpu = self->b.gpu[0];
	struct vkfd_xlate x;
	struct vkfd_bo bo;
	uint8_t *map;
	int round, i;

	mem_vm(_metadata, self, c, 0);
	for (round = 0; round < 3; round++) {
		ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, MEM_VA, 128 * KIB, F_VRAM | F_W, &bo));
		ASSERT_EQ(0, vkfd_map(&c->k, &bo, &gpu, 1));
		for (i = 0; i < 32; i += 7) {
			ASSERT_MAPPED(c, 0, MEM_VA + i * PAGE, &x);
			EXPECT_TRUE(all_zero(x.data, sizeof(x.data))) TH_LOG("%s", x.text);
		}
		map = bo_map(_metadata, c->render[0], &bo, PROT_READ | PROT_WRITE);
		EXPECT_TRUE(all_zero(map, 128 * KIB)) TH_LOG("round %d", round);
		memset(map, 0xa5, 128 * KIB);
		EXPECT_EQ(0, vkfd_bo_munmap(&bo, map));
		ASSERT_EQ(0, vkfd_free(&c->k, &bo));
	}
}

/* MAP_PRIVATE: only PROT_NONE, which can never become accessible for writing. */
TEST_F(mem, mmap_private_only_prot_none)
{
	static const int prots[] = { PROT_READ, PROT_WRITE, PROT_READ | PROT_WRITE,
				     PROT_READ | PROT_EXEC };
	struct mem_ctx *c = &self->ctx[0];
	struct vkfd_bo bo;
	void *p;
	int i;

	mem_vm(_metadata, self, c, 0);
	ASSERT_EQ(0, vkfd_alloc(&c->k, self->b.gpu[0], MEM_VA, 64 * KIB, F_VRAM | F_W, &bo));
	for (i = 0; i < (int)ARRAY_SIZE(prots); i++) {
		p = mmap(NULL, 64 * KIB, prots[i], MAP_PRIVATE, c->render[0],
			 bo.mmap_offset);
		EXPECT_EQ(MAP_FAILED, p) TH_LOG("prot %d", prots[i]);
		EXPECT_EQ(EINVAL, errno);
		if (p != MAP_FAILED)
			munmap(p, 64 * KIB);
	}
	p = mmap(NULL, 64 * KIB, PROT_NONE, MAP_PRIVATE, c->render[0], bo.mmap_offset);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(-1, mprotect(p, 64 * KIB, PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect(p, 64 * KIB, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(0, munmap(p, 64 * KIB));
	/* MAP_SHARED with PROT_NONE is fine too */
	ASSERT_EQ(0, vkfd_bo_mmap(c->render[0], &bo, PROT_NONE, &p));
	EXPECT_EQ(0, vkfd_bo_munmap(&bo, p));
	EXPECT_EQ(0, vkfd_free(&c->k, &bo));
	EXPECT_BUDGET_FREE();
}

/* Another context's render file, or one bound to no VM, may not map a buffer: EACCES. */
TEST_F(mem, mmap_other_render_file_eacces)
{
	struct mem_ctx *p = &self->ctx[0];
	struct mem_ctx *s = mem_ctx_new(_metadata, self, true);
	int loose = mem_render(_metadata, self, 0), other[2];
	uint8_t *map;
	struct vkfd_bo bo;
	void *q;

	mem_vm(_metadata, self, p, 0);
	mem_vm(_metadata, self, s, 0);
	ASSERT_EQ(0, vkfd_alloc(&p->k, self->b.gpu[0], MEM_VA, 64 * KIB, F_VRAM | F_W, &bo));
	map = bo_map(_metadata, p->render[0], &bo, PROT_READ | PROT_WRITE);
	pattern(map, 5);
	other[0] = s->render[0];
	other[1] = loose;
	for (int i = 0; i < 2; i++) {
		EXPECT_EQ(-EACCES, vkfd_bo_mmap(other[i], &bo, PROT_READ, &q)) TH_LOG("#%d", i);
		EXPECT_EQ(-EACCES, vkfd_bo_mmap(other[i], &bo, PROT_NONE, &q)) TH_LOG("#%d", i);
	}
	EXPECT_TRUE(has_pattern(map, 5));
	EXPECT_EQ(0, vkfd_bo_munmap(&bo, map));
	EXPECT_EQ(0, vkfd_free(&p->k, &bo));
}

/* Child: touch @len bytes at @p; killed by a signal unless it could. */
struct touch_args {
	volatile uint8_t *p;
	size_t len;
};

static int touch_child(void *arg, int in, int out)
{
	const struct touch_args *a = arg;
	size_t i;
	uint8_t sum = 0;

	for (i = 0; i < a->len; i += PAGE)
		sum += a->p[i];
	return sum ? 2 : 1;	/* reached the end: that is the failure */
}

/* A CPU mapping longer than the buffer: refused, or what lies past the end faults. */
TEST_F(mem, mmap_beyond_buffer)
{
	struct mem_ctx *c = &self->ctx[0];
	struct vkfd_bo bo, next;
	struct touch_args a;
	uint8_t *p, *q;

	mem_vm(_metadata, self, c, 0);
	ASSERT_EQ(0, vkfd_alloc(&c->k, self->b.gpu[0], MEM_VA, 64 * KIB, F_VRAM | F_W, &bo));
	ASSERT_EQ(0, vkfd_alloc(&c->k, self->b.gpu[0], MEM_VA + MIB, 64 * KIB,
				F_VRAM | F_W, &next));
	q = bo_map(_metadata, c->render[0], &next, PROT_READ | PROT_WRITE);
	memset(q, 0x99, 64 * KIB);
	p = mmap(NULL, 128 * KIB, PROT_READ, MAP_SHARED, c->render[0], bo.mmap_offset);
	if (p == MAP_FAILED) {
		TH_LOG("refused: %s", strerror(errno));
		EXPECT_EQ(EINVAL, errno);
	} else {
		/* The buffer's own pages, then a fault: never the next buffer */
		EXPECT_TRUE(all_zero(p, 64 * KIB));
		a.p = p + 64 * KIB;
		a.len = 64 * KIB;
		ASSERT_EQ(0, vkfd_child_start(&self->b.child, touch_child, &a));
		EXPECT_LE(128, vkfd_child_wait(&self->b.child));
		munmap(p, 128 * KIB);
	}
	/* From the middle of the buffer past its end: the same */
	p = mmap(NULL, 64 * KIB, PROT_READ, MAP_SHARED, c->render[0],
		 bo.mmap_offset + 32 * KIB);
	if (p != MAP_FAILED) {
		a.p = p + 32 * KIB;
		a.len = 32 * KIB;
		ASSERT_EQ(0, vkfd_child_start(&self->b.child, touch_child, &a));
		EXPECT_LE(128, vkfd_child_wait(&self->b.child));
		munmap(p, 64 * KIB);
	}
	EXPECT_EQ(0, munmap(q, 64 * KIB));
}

/* A CPU mapping outlives its secondary: the pages stay, the VRAM comes back at munmap. */
TEST_F(mem, cpu_mapping_outlives_secondary)
{
	struct mem_ctx *s = mem_ctx_new(_metadata, self, true);
	struct vkfd_bo bo;
	uint8_t *map;

	mem_vm(_metadata, self, s, 0);
	ASSERT_EQ(0, vkfd_alloc(&s->k, self->b.gpu[0], MEM_VA, MIB, F_VRAM | F_W, &bo));
	ASSERT_EQ(0, vkfd_map(&s->k, &bo, &self->b.gpu[0], 1));
	map = bo_map(_metadata, s->render[0], &bo, PROT_READ | PROT_WRITE);
	pattern(map + 100 * PAGE, 77);
	vkfd_close(&s->k);
	close(s->render[0]);
	s->render[0] = -1;
	EXPECT_EQ(-ENOENT, vkfd_ctx_row(self->b.pid, s->id, &(struct vkfd_ctx_row){ 0 }));
	/* The mapping still reaches the same pages, writable */
	EXPECT_TRUE(has_pattern(map + 100 * PAGE, 77));
	pattern(map + 200 * PAGE, 78);
	EXPECT_TRUE(has_pattern(map + 200 * PAGE, 78));
	EXPECT_EQ(self->budget - MIB, avail(self, 0));
	EXPECT_EQ(0, munmap(map, MIB));
	EXPECT_BUDGET_FREE();
}

TEST_HARNESS_MAIN
