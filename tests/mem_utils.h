/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The fixture and helpers of the GPU memory tests, mem_*.c: ACQUIRE_VM
 * (mem_vm.c), ALLOC/FREE and the other per-VM ioctls (mem_alloc.c),
 * MAP/UNMAP (mem_map.c), CPU mappings through the render nodes
 * (mem_mmap.c), USERPTR (mem_userptr.c), and races, exits, fork and the
 * memory cgroup (mem_proc.c), on top of tests/lib; include it after
 * kselftest_harness.h.
 *
 * Every call is checked twice: its return (the exact errno of
 * docs/uapi.rst) and what the driver reports afterwards — AVAILABLE_MEMORY,
 * sysfs vram_<gpuid> and pasid, and the test hooks (vkfd_hooks.h): a
 * context's buffers, VRAM and page-table bytes, and where an address of
 * its GPU page table leads. A failed call must change none of them.
 *
 * vkfd only: amdkfd without a GPU has nothing to allocate on, and these
 * tests skip there (in setup, saying why).
 */
#ifndef VKFD_SELFTEST_MEM_UTILS_H
#define VKFD_SELFTEST_MEM_UTILS_H

#include <sys/mount.h>
#include <sys/resource.h>

#include "vkfd_utils.h"

#define KIB		1024ULL
#define MIB		(1024 * KIB)
#define PAGE		(4 * KIB)
#define VA_TOP		(1ULL << 48)		/* the end of a 48-bit GPU VM */
#define MEM_VA		0x40000000ULL		/* a GPU address in the aperture */

/* Page-table bytes: an empty VM has its root; a 4 KiB page needs 3 more levels. */
#define PT_EMPTY	(1 * PAGE)
#define PT_ONE_PAGE	(4 * PAGE)

#define F_VRAM		KFD_IOC_ALLOC_MEM_FLAGS_VRAM
#define F_GTT		KFD_IOC_ALLOC_MEM_FLAGS_GTT
#define F_USERPTR	KFD_IOC_ALLOC_MEM_FLAGS_USERPTR
#define F_DOORBELL	KFD_IOC_ALLOC_MEM_FLAGS_DOORBELL
#define F_MMIO		KFD_IOC_ALLOC_MEM_FLAGS_MMIO_REMAP
#define F_W		KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE
#define F_DOMAINS	(F_VRAM | F_GTT | F_USERPTR | F_DOORBELL | F_MMIO)
#define F_ATTRS		(F_W | KFD_IOC_ALLOC_MEM_FLAGS_EXECUTABLE |		\
			 KFD_IOC_ALLOC_MEM_FLAGS_PUBLIC |			\
			 KFD_IOC_ALLOC_MEM_FLAGS_NO_SUBSTITUTE |		\
			 KFD_IOC_ALLOC_MEM_FLAGS_AQL_QUEUE_MEM |		\
			 KFD_IOC_ALLOC_MEM_FLAGS_COHERENT |			\
			 KFD_IOC_ALLOC_MEM_FLAGS_UNCACHED)

#define MEM_MAX_CTX	8
#define MEM_GONE_MS	10000	/* an exited primary may be torn down from a workqueue */

/* A context of the test process, with the render file of its VM on each GPU. */
struct mem_ctx {
	struct vkfd_context k;
	uint32_t id;			/* VKFD_CTX_ID_PRIMARY or a secondary's */
	int render[VKFD_MAX_GPUS];	/* -1: no VM made through the fixture */
};

/* The base fixture, and the contexts with their VMs; ctx[0] is the primary */
FIXTURE(mem) {
	struct vkfd_base b;
	uint64_t budget;		/* VRAM per GPU */
	int nctx;
	struct mem_ctx ctx[MEM_MAX_CTX];
	char cgroup_mnt[64];		/* mounted by the memcg test */
	char cgroup[PATH_MAX];		/* created by the memcg test */
};

/* ------------------------------------------------------------------------
 * Contexts and VMs
 */

/* A new context: the primary (a plain open) or a new secondary. */
static inline struct mem_ctx *mem_ctx_new(struct __test_metadata *_metadata,
					  FIXTURE_DATA(mem) *self, bool secondary)
{
	struct mem_ctx *c;
	long id;
	int g;

	ASSERT_GT(MEM_MAX_CTX, self->nctx);
	c = &self->ctx[self->nctx];
	for (g = 0; g < VKFD_MAX_GPUS; g++)
		c->render[g] = -1;
	if (secondary) {
		ASSERT_EQ(0, vkfd_open_secondary(self->b.env.dev, &c->k));
	} else {
		ASSERT_EQ(0, vkfd_open_primary(self->b.env.dev, &c->k));
	}
	self->nctx++;
	id = vkfd_ctx_id_of_fd(c->k.fd);
	ASSERT_LE(0, id);
	c->id = id;
	ASSERT_EQ(secondary, c->id != VKFD_CTX_ID_PRIMARY);
	return c;
}

static inline int mem_render(struct __test_metadata *_metadata,
			     FIXTURE_DATA(mem) *self, int g)
{
	int fd = vkfd_render_open(self->b.env.topology, self->b.gpu[g]);

	ASSERT_LE(0, fd) TH_LOG("render node of gpu %u: %s", self->b.gpu[g],
				strerror(-fd));
	return vkfd_keep(&self->b, fd);
}

/* Give @c its VM on GPU @g, through a new render file. */
static inline void mem_vm(struct __test_metadata *_metadata, FIXTURE_DATA(mem) *self,
			  struct mem_ctx *c, int g)
{
	ASSERT_EQ(0, vkfd_open_vm(&c->k, self->b.env.topology, self->b.gpu[g],
				  &c->render[g]));
}

/* CPU-map @bo through @fd (MAP_SHARED). */
static inline uint8_t *bo_map(struct __test_metadata *_metadata, int fd,
			      const struct vkfd_bo *bo, int prot)
{
	void *p = NULL;

	ASSERT_EQ(0, vkfd_bo_mmap(fd, bo, prot, &p));
	return p;
}

/* ------------------------------------------------------------------------
 * The error paths' ioctls, with the whole argument under control, in the
 * library's spellings: _test_mem_x() returns 0 or -errno, test_mem_x()
 * asserts success, test_err_mem_x(E, ...) asserts errno E
 */

/* ALLOC_MEMORY_OF_GPU of @c, the reply into *@out if @out. */
static inline int _test_mem_alloc(struct mem_ctx *c, uint32_t gpu_id, uint64_t va,
				  uint64_t size, uint64_t mmap_offset, uint32_t flags,
				  struct kfd_ioctl_alloc_memory_of_gpu_args *out)
{
	struct kfd_ioctl_alloc_memory_of_gpu_args args = {
		.va_addr = va, .size = size, .mmap_offset = mmap_offset,
		.gpu_id = gpu_id, .flags = flags,
	};
	int ret = _test_alloc_memory(c->k.fd, &args);

	if (out)
		*out = args;
	return ret;
}
#define test_mem_alloc(...)		__vkfd_test_ok(mem_alloc, __VA_ARGS__)
#define test_err_mem_alloc(e, ...)	__vkfd_test_err(e, mem_alloc, __VA_ARGS__)

/* FREE_MEMORY_OF_GPU of @handle in @c. */
#define _test_mem_free(c, handle)	_test_free_memory((c)->k.fd, handle)
#define test_mem_free(...)		__vkfd_test_ok(mem_free, __VA_ARGS__)
#define test_err_mem_free(e, ...)	__vkfd_test_err(e, mem_free, __VA_ARGS__)

/* MAP (or UNMAP) in @c; *@n_success in and out. */
static inline int _test_mem_map(struct mem_ctx *c, bool map, uint64_t handle,
				const uint32_t *ids, uint32_t n_devices,
				uint32_t *n_success)
{
	struct kfd_ioctl_map_memory_to_gpu_args args = {
		.handle = handle, .device_ids_array_ptr = (uintptr_t)ids,
		.n_devices = n_devices, .n_success = *n_success,
	};
	int ret;

	_Static_assert(sizeof(struct kfd_ioctl_map_memory_to_gpu_args) ==
		       sizeof(struct kfd_ioctl_unmap_memory_from_gpu_args), "uapi");
	ret = _test_ioctl(c->k.fd, map ? AMDKFD_IOC_MAP_MEMORY_TO_GPU :
				    AMDKFD_IOC_UNMAP_MEMORY_FROM_GPU, &args);
	*n_success = args.n_success;
	return ret;
}
#define test_mem_map(...)		__vkfd_test_ok(mem_map, __VA_ARGS__)
#define test_err_mem_map(e, ...)	__vkfd_test_err(e, mem_map, __VA_ARGS__)

/*
 * AVAILABLE_MEMORY of GPU @g (the primary's view), ~0 if it fails: not
 * vkfd_ctx_available(), whose 0 on failure is a value the tests expect.
 */
static inline uint64_t avail(FIXTURE_DATA(mem) *self, int g)
{
	struct kfd_ioctl_get_available_memory_args args = { .gpu_id = self->b.gpu[g] };

	return _test_ioctl(self->ctx[0].k.fd, AMDKFD_IOC_AVAILABLE_MEMORY, &args) ?
	       UINT64_MAX : args.available;
}

/* sysfs vram_<gpuid> of @c, ~0 if unreadable. */
static inline uint64_t sysfs_vram(FIXTURE_DATA(mem) *self, struct mem_ctx *c, int g)
{
	return vkfd_ctx_sysfs_val(&self->b.env, self->b.pid, c->id, "vram_%u",
				  self->b.gpu[g]);
}

static inline uint64_t sysfs_pasid(FIXTURE_DATA(mem) *self, struct mem_ctx *c)
{
	return vkfd_ctx_sysfs_val(&self->b.env, self->b.pid, c->id, "pasid");
}

static inline uint32_t pasid_of(struct mem_ctx *c, int g)
{
	return vkfd_ctx_pasid(c->k.fd, g);
}

/* What the test hooks say of @c; ASSERTs that it exists. */
static inline struct vkfd_ctx_row row_of(struct __test_metadata *_metadata,
					 FIXTURE_DATA(mem) *self, struct mem_ctx *c)
{
	struct vkfd_ctx_row row;

	ASSERT_EQ(0, vkfd_ctx_row(self->b.pid, c->id, &row));
	return row;
}

/* bos, vram and pt of @c, by the test hooks. */
#define EXPECT_ROW(c, _bos, _vram, _pt) do {				\
	struct vkfd_ctx_row __r = row_of(_metadata, self, (c));		\
	EXPECT_EQ((uint64_t)(_bos), __r.bos);				\
	EXPECT_EQ((uint64_t)(_vram), __r.vram);				\
	EXPECT_EQ((uint64_t)(_pt), __r.pt);				\
} while (0)

static inline int xlate(FIXTURE_DATA(mem) *self, struct mem_ctx *c, int g,
			uint64_t va, struct vkfd_xlate *x)
{
	return vkfd_translate(self->b.pid, c->id, self->b.gpu[g], va, x);
}

/* @_va is mapped in @c's VM on GPU @g; the answer is left in @x. */
#define ASSERT_MAPPED(c, g, _va, x) do {				\
	ASSERT_EQ(0, xlate(self, (c), (g), (_va), (x)))			\
		TH_LOG("translate 0x%llx: '%s'",			\
		       (unsigned long long)(_va), (x)->text);		\
	ASSERT_TRUE((x)->mapped) TH_LOG("0x%llx: '%s'",			\
		       (unsigned long long)(_va), (x)->text);		\
	EXPECT_EQ((uint64_t)(_va), (x)->va);				\
} while (0)

#define EXPECT_UNMAPPED(c, g, _va) do {					\
	struct vkfd_xlate __x;						\
	ASSERT_EQ(0, xlate(self, (c), (g), (_va), &__x))		\
		TH_LOG("translate 0x%llx: '%s'",			\
		       (unsigned long long)(_va), __x.text);		\
	EXPECT_FALSE(__x.mapped) TH_LOG("0x%llx: '%s'",			\
		       (unsigned long long)(_va), __x.text);		\
} while (0)

/* 16 bytes that name @seed. */
static inline void pattern(uint8_t *p, uint32_t seed)
{
	int i;

	for (i = 0; i < 16; i++)
		p[i] = (uint8_t)(seed * 0x9e + i * 0x3b + (seed >> 8));
}

static inline bool has_pattern(const uint8_t *p, uint32_t seed)
{
	uint8_t want[16];

	pattern(want, seed);
	return !memcmp(p, want, sizeof(want));
}

static inline bool all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

/* ------------------------------------------------------------------------
 * What the driver reports, all at once: a failed call must change none of it.
 */

struct mem_snap {
	uint64_t avail[VKFD_MAX_GPUS];
	struct {
		uint64_t vram[VKFD_MAX_GPUS];
		uint64_t pasid;
		uint32_t pasids[VKFD_MAX_GPUS];
		int row_ret;
		struct vkfd_ctx_row row;
	} c[MEM_MAX_CTX];
};

static inline void snap(FIXTURE_DATA(mem) *self, struct mem_snap *s)
{
	int i, g;

	memset(s, 0, sizeof(*s));
	for (g = 0; g < self->b.ngpus; g++)
		s->avail[g] = avail(self, g);
	for (i = 0; i < self->nctx; i++) {
		struct mem_ctx *c = &self->ctx[i];

		if (c->k.fd < 0)
			continue;
		for (g = 0; g < self->b.ngpus; g++) {
			s->c[i].vram[g] = sysfs_vram(self, c, g);
			s->c[i].pasids[g] = pasid_of(c, g);
		}
		s->c[i].pasid = sysfs_pasid(self, c);
		s->c[i].row_ret = vkfd_ctx_row(self->b.pid, c->id, &s->c[i].row);
		/* the references move with ioctls in flight: not state */
		s->c[i].row.refs = 0;
	}
}

/* The state is as @before; logs what differs. */
#define EXPECT_UNCHANGED(before) do {					\
	struct mem_snap __now;						\
	int __i, __g;							\
	snap(self, &__now);						\
	for (__g = 0; __g < self->b.ngpus; __g++)				\
		EXPECT_EQ((before)->avail[__g], __now.avail[__g])	\
			TH_LOG("AVAILABLE_MEMORY of gpu %d", __g);	\
	for (__i = 0; __i < self->nctx; __i++) {			\
		for (__g = 0; __g < self->b.ngpus; __g++)			\
			EXPECT_EQ((before)->c[__i].vram[__g],		\
				  __now.c[__i].vram[__g])		\
				TH_LOG("ctx %d: vram of gpu %d", __i, __g); \
		EXPECT_EQ(0, memcmp((before)->c[__i].pasids,		\
				    __now.c[__i].pasids,		\
				    sizeof(__now.c[__i].pasids)))	\
			TH_LOG("ctx %d: PASIDs", __i);			\
		EXPECT_EQ((before)->c[__i].pasid, __now.c[__i].pasid)	\
			TH_LOG("ctx %d: sysfs pasid", __i);		\
		EXPECT_EQ((before)->c[__i].row_ret, __now.c[__i].row_ret) \
			TH_LOG("ctx %d: hooks row", __i);		\
		EXPECT_EQ((before)->c[__i].row.bos, __now.c[__i].row.bos) \
			TH_LOG("ctx %d: bos", __i);			\
		EXPECT_EQ((before)->c[__i].row.vram, __now.c[__i].row.vram) \
			TH_LOG("ctx %d: hooks vram", __i);		\
		EXPECT_EQ((before)->c[__i].row.pt, __now.c[__i].row.pt) \
			TH_LOG("ctx %d: pt", __i);			\
	}								\
} while (0)

/* Every GPU's VRAM is back to the whole budget. */
#define EXPECT_BUDGET_FREE() do {					\
	int __g;							\
	for (__g = 0; __g < self->b.ngpus; __g++)				\
		EXPECT_EQ(self->budget, avail(self, __g))		\
			TH_LOG("gpu %d", __g);				\
} while (0)

#define NEED_GPUS(n)	VKFD_NEED_GPUS(&self->b, n)

/* ------------------------------------------------------------------------
 * Fixture
 */

FIXTURE_SETUP(mem)
{
	uint64_t mb;
	int g;

	vkfd_base_setup(&self->b, 0);
	VKFD_SETUP_NEED_GPU(&self->b, "CPU-only, no GPU to allocate memory on");
	if (!vkfd_debugfs_present())
		VKFD_SETUP_SKIP("no debugfs at %s", vkfd_debugfs_root());
	ASSERT_EQ(0, vkfd_module_param_u64("vram_mb", &mb));
	self->budget = mb << 20;
	mem_ctx_new(_metadata, self, false);
	/* Nobody holds VRAM: what the tests before left is a leak */
	for (g = 0; g < self->b.ngpus; g++)
		ASSERT_EQ(self->budget, avail(self, g)) TH_LOG("gpu %d", g);
}

FIXTURE_TEARDOWN(mem)
{
	int i, g;

	vkfd_child_kill(&self->b.child);
	for (i = 0; i < self->nctx; i++) {
		for (g = 0; g < VKFD_MAX_GPUS; g++)
			if (self->ctx[i].render[g] >= 0)
				close(self->ctx[i].render[g]);
		if (self->ctx[i].k.fd >= 0)
			vkfd_close(&self->ctx[i].k);
	}
	vkfd_base_teardown(&self->b);
	if (self->cgroup[0])
		rmdir(self->cgroup);
	if (self->cgroup_mnt[0]) {
		umount2(self->cgroup_mnt, MNT_DETACH);
		rmdir(self->cgroup_mnt);
	}
}

#endif /* VKFD_SELFTEST_MEM_UTILS_H */
