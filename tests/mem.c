// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * GPU memory: AMDKFD_IOC_ACQUIRE_VM, ALLOC/FREE/MAP/UNMAP_MEMORY,
 * AVAILABLE_MEMORY and the other per-VM ioctls, CPU mappings through the
 * render nodes, and the isolation of the GPU VMs of a process's contexts.
 *
 * Every call is checked twice: its return (the exact errno of
 * docs/uapi.rst) and what the driver reports afterwards — AVAILABLE_MEMORY,
 * sysfs vram_<gpuid> and pasid, the bos/vram/pt columns of
 * <debugfs>/vkfd/contexts, and <debugfs>/vkfd/translate, which walks a
 * context's GPU page table. A failed call must change none of them.
 *
 * vkfd only: amdkfd without a GPU has nothing to allocate on, and these
 * tests skip there (in setup, saying why).
 */
#include <pthread.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "kselftest_harness.h"
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

/* amdgpu's VEGA10_GB_ADDR_CONFIG_GOLDEN: gfx900's GB_ADDR_CONFIG */
#define GFX900_GB_ADDR_CONFIG	0x2a114042U

/* amdkfd's /dev/kfd mmap cookies (kfd_priv.h) */
#define KFD_MMAP_TYPE_DOORBELL	(3ULL << 62)
#define KFD_MMAP_TYPE_MMIO	(0ULL << 62)
#define KFD_MMAP_GPU_ID(id)	(((uint64_t)(id) & 0xffff) << 46)

#define MEM_MAX_CTX	8
#define MEM_MAX_FDS	32
#define MEM_GONE_MS	10000	/* an exited primary may be torn down from a workqueue */

/* A context of the test process, with the render file of its VM on each GPU. */
struct mem_ctx {
	struct vkfd_context k;
	uint32_t id;			/* VKFD_CTX_ID_PRIMARY or a secondary's */
	int render[VKFD_MAX_GPUS];	/* -1: no VM made through the fixture */
};

FIXTURE(mem) {
	struct vkfd_env env;
	int ngpus;
	uint32_t gpu[VKFD_MAX_GPUS];
	uint64_t budget;		/* VRAM per GPU */
	pid_t pid;
	int nctx;
	struct mem_ctx ctx[MEM_MAX_CTX];
	int nfd;
	int fd[MEM_MAX_FDS];		/* other fds to close */
	struct vkfd_child child;
	char cgroup_mnt[64];		/* mounted by the memcg test */
	char cgroup[PATH_MAX];		/* created by the memcg test */
};

/* ------------------------------------------------------------------------
 * Contexts and VMs
 */

static uint32_t ctx_id_of(int fd)
{
	struct vkfd_ioctl_ctx_info info = { .ctx_id = VKFD_CTX_ID_SELF };

	return vkfd_ioctl(fd, VKFD_IOC_CTX_INFO, &info) ? UINT32_MAX : info.ctx_id;
}

/* A new context: the primary (a plain open) or a new secondary. */
static struct mem_ctx *mem_ctx_new(struct __test_metadata *_metadata,
				   FIXTURE_DATA(mem) *self, bool secondary)
{
	struct mem_ctx *c;
	int g;

	ASSERT_GT(MEM_MAX_CTX, self->nctx);
	c = &self->ctx[self->nctx];
	for (g = 0; g < VKFD_MAX_GPUS; g++)
		c->render[g] = -1;
	if (secondary) {
		ASSERT_EQ(0, vkfd_open_secondary(self->env.dev, &c->k));
	} else {
		ASSERT_EQ(0, vkfd_open_primary(self->env.dev, &c->k));
	}
	self->nctx++;
	c->id = ctx_id_of(c->k.fd);
	ASSERT_NE(UINT32_MAX, c->id);
	ASSERT_EQ(secondary, c->id != VKFD_CTX_ID_PRIMARY);
	return c;
}

/* Keep @fd to be closed by the teardown; returns it. */
static int mem_keep(struct __test_metadata *_metadata, FIXTURE_DATA(mem) *self,
		    int fd)
{
	ASSERT_LE(0, fd);
	ASSERT_GT(MEM_MAX_FDS, self->nfd);
	self->fd[self->nfd++] = fd;
	return fd;
}

static int mem_render(struct __test_metadata *_metadata,
		      FIXTURE_DATA(mem) *self, int g)
{
	int fd = vkfd_render_open(self->env.topology, self->gpu[g]);

	ASSERT_LE(0, fd) TH_LOG("render node of gpu %u: %s", self->gpu[g],
				strerror(-fd));
	return mem_keep(_metadata, self, fd);
}

/* Give @c its VM on GPU @g, through a new render file. */
static void mem_vm(struct __test_metadata *_metadata, FIXTURE_DATA(mem) *self,
		   struct mem_ctx *c, int g)
{
	int fd = vkfd_render_open(self->env.topology, self->gpu[g]);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vkfd_acquire_vm(&c->k, self->gpu[g], fd));
	c->render[g] = fd;
}

/* CPU-map @bo through @fd (MAP_SHARED). */
static uint8_t *bo_map(struct __test_metadata *_metadata, int fd,
		       const struct vkfd_bo *bo, int prot)
{
	void *p = NULL;

	ASSERT_EQ(0, vkfd_bo_mmap(fd, bo, prot, &p));
	return p;
}

static int acquire(struct mem_ctx *c, uint32_t gpu_id, int drm_fd)
{
	struct kfd_ioctl_acquire_vm_args args = { .drm_fd = drm_fd, .gpu_id = gpu_id };

	return vkfd_ioctl(c->k.fd, AMDKFD_IOC_ACQUIRE_VM, &args);
}

/* ------------------------------------------------------------------------
 * Raw ioctls, for the error paths
 */

static int alloc_raw(struct mem_ctx *c, uint32_t gpu_id, uint64_t va,
		     uint64_t size, uint64_t mmap_offset, uint32_t flags,
		     struct kfd_ioctl_alloc_memory_of_gpu_args *out)
{
	struct kfd_ioctl_alloc_memory_of_gpu_args args = {
		.va_addr = va, .size = size, .mmap_offset = mmap_offset,
		.gpu_id = gpu_id, .flags = flags,
	};
	int ret = vkfd_ioctl(c->k.fd, AMDKFD_IOC_ALLOC_MEMORY_OF_GPU, &args);

	if (out)
		*out = args;
	return ret;
}

static int free_raw(struct mem_ctx *c, uint64_t handle)
{
	struct kfd_ioctl_free_memory_of_gpu_args args = { .handle = handle };

	return vkfd_ioctl(c->k.fd, AMDKFD_IOC_FREE_MEMORY_OF_GPU, &args);
}

/* MAP (or UNMAP) with the whole argument under control; *@n_success in and out. */
static int map_raw(struct mem_ctx *c, bool map, uint64_t handle,
		   const uint32_t *ids, uint32_t n_devices, uint32_t *n_success)
{
	struct kfd_ioctl_map_memory_to_gpu_args args = {
		.handle = handle, .device_ids_array_ptr = (uintptr_t)ids,
		.n_devices = n_devices, .n_success = *n_success,
	};
	int ret;

	_Static_assert(sizeof(struct kfd_ioctl_map_memory_to_gpu_args) ==
		       sizeof(struct kfd_ioctl_unmap_memory_from_gpu_args), "uapi");
	ret = vkfd_ioctl(c->k.fd, map ? AMDKFD_IOC_MAP_MEMORY_TO_GPU :
				   AMDKFD_IOC_UNMAP_MEMORY_FROM_GPU, &args);
	*n_success = args.n_success;
	return ret;
}

static uint64_t avail(FIXTURE_DATA(mem) *self, int g)
{
	struct kfd_ioctl_get_available_memory_args args = { .gpu_id = self->gpu[g] };

	return vkfd_ioctl(self->ctx[0].k.fd, AMDKFD_IOC_AVAILABLE_MEMORY, &args) ?
	       UINT64_MAX : args.available;
}

/* sysfs vram_<gpuid> of @c, ~0 if unreadable. */
static uint64_t sysfs_vram(FIXTURE_DATA(mem) *self, struct mem_ctx *c, int g)
{
	char file[32];
	uint64_t v;

	snprintf(file, sizeof(file), "vram_%u", self->gpu[g]);
	return vkfd_ctx_sysfs_u64(&self->env, self->pid, c->id, file, &v) ?
	       UINT64_MAX : v;
}

static uint64_t sysfs_pasid(FIXTURE_DATA(mem) *self, struct mem_ctx *c)
{
	uint64_t v;

	return vkfd_ctx_sysfs_u64(&self->env, self->pid, c->id, "pasid", &v) ?
	       UINT64_MAX : v;
}

static uint32_t pasid_of(struct mem_ctx *c, int g)
{
	struct vkfd_context_info info;

	if (vkfd_query(&c->k, &info) || g >= (int)info.num_gpus)
		return UINT32_MAX;
	return info.pasids[g];
}

/* The debugfs row of @c; ASSERTs that it exists. */
static struct vkfd_ctx_row row_of(struct __test_metadata *_metadata,
				  FIXTURE_DATA(mem) *self, struct mem_ctx *c)
{
	struct vkfd_ctx_row row;

	ASSERT_EQ(0, vkfd_ctx_row(self->pid, c->id, &row));
	return row;
}

/* bos, vram and pt of @c in debugfs. */
#define EXPECT_ROW(c, _bos, _vram, _pt) do {				\
	struct vkfd_ctx_row __r = row_of(_metadata, self, (c));		\
	EXPECT_EQ((uint64_t)(_bos), __r.bos);				\
	EXPECT_EQ((uint64_t)(_vram), __r.vram);				\
	EXPECT_EQ((uint64_t)(_pt), __r.pt);				\
} while (0)

static int xlate(FIXTURE_DATA(mem) *self, struct mem_ctx *c, int g,
		 uint64_t va, struct vkfd_xlate *x)
{
	return vkfd_translate(self->pid, c->id, self->gpu[g], va, x);
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
static void pattern(uint8_t *p, uint32_t seed)
{
	int i;

	for (i = 0; i < 16; i++)
		p[i] = (uint8_t)(seed * 0x9e + i * 0x3b + (seed >> 8));
}

static bool has_pattern(const uint8_t *p, uint32_t seed)
{
	uint8_t want[16];

	pattern(want, seed);
	return !memcmp(p, want, sizeof(want));
}

static bool all_zero(const void *p, size_t len)
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

static void snap(FIXTURE_DATA(mem) *self, struct mem_snap *s)
{
	int i, g;

	memset(s, 0, sizeof(*s));
	for (g = 0; g < self->ngpus; g++)
		s->avail[g] = avail(self, g);
	for (i = 0; i < self->nctx; i++) {
		struct mem_ctx *c = &self->ctx[i];

		if (c->k.fd < 0)
			continue;
		for (g = 0; g < self->ngpus; g++) {
			s->c[i].vram[g] = sysfs_vram(self, c, g);
			s->c[i].pasids[g] = pasid_of(c, g);
		}
		s->c[i].pasid = sysfs_pasid(self, c);
		s->c[i].row_ret = vkfd_ctx_row(self->pid, c->id, &s->c[i].row);
		/* the references move with ioctls in flight: not state */
		s->c[i].row.refs = 0;
	}
}

/* The state is as @before; logs what differs. */
#define EXPECT_UNCHANGED(before) do {					\
	struct mem_snap __now;						\
	int __i, __g;							\
	snap(self, &__now);						\
	for (__g = 0; __g < self->ngpus; __g++)				\
		EXPECT_EQ((before)->avail[__g], __now.avail[__g])	\
			TH_LOG("AVAILABLE_MEMORY of gpu %d", __g);	\
	for (__i = 0; __i < self->nctx; __i++) {			\
		for (__g = 0; __g < self->ngpus; __g++)			\
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
			TH_LOG("ctx %d: debugfs row", __i);		\
		EXPECT_EQ((before)->c[__i].row.bos, __now.c[__i].row.bos) \
			TH_LOG("ctx %d: bos", __i);			\
		EXPECT_EQ((before)->c[__i].row.vram, __now.c[__i].row.vram) \
			TH_LOG("ctx %d: debugfs vram", __i);		\
		EXPECT_EQ((before)->c[__i].row.pt, __now.c[__i].row.pt) \
			TH_LOG("ctx %d: pt", __i);			\
	}								\
} while (0)

/* Every GPU's VRAM is back to the whole budget. */
#define EXPECT_BUDGET_FREE() do {					\
	int __g;							\
	for (__g = 0; __g < self->ngpus; __g++)				\
		EXPECT_EQ(self->budget, avail(self, __g))		\
			TH_LOG("gpu %d", __g);				\
} while (0)

#define NEED_GPUS(n) do {						\
	if (self->ngpus < (n))						\
		SKIP(return, "needs %d GPUs, the topology has %d",	\
		     (n), self->ngpus);					\
} while (0)

/* ------------------------------------------------------------------------
 * Fixture
 */

FIXTURE_SETUP(mem)
{
	struct vkfd_topo topo;
	uint64_t mb;
	int g;

	vkfd_env_init(&self->env);
	/* Linux 6.1's harness runs the body after a SKIP() in setup: longjmp */
	if (self->env.amdkfd)
		SKIP(longjmp(_metadata->env, 1),
		     "amdkfd: CPU-only, no GPU to allocate memory on");
	ASSERT_EQ(0, vkfd_topo_load(self->env.topology, &topo));
	if (!topo.num_gpus)
		SKIP(longjmp(_metadata->env, 1),
		     "no GPU node in the topology (CPU-only)");
	if (!vkfd_debugfs_present())
		SKIP(longjmp(_metadata->env, 1), "no debugfs at " VKFD_DEBUGFS);
	ASSERT_EQ(0, vkfd_module_param_u64("vram_mb", &mb));
	self->budget = mb << 20;
	self->ngpus = topo.num_gpus < VKFD_MAX_GPUS ? topo.num_gpus : VKFD_MAX_GPUS;
	for (g = 0; g < self->ngpus; g++)
		self->gpu[g] = topo.gpu_id[g];
	self->pid = getpid();
	mem_ctx_new(_metadata, self, false);
	/* Nobody holds VRAM: what the tests before left is a leak */
	for (g = 0; g < self->ngpus; g++)
		ASSERT_EQ(self->budget, avail(self, g)) TH_LOG("gpu %d", g);
}

FIXTURE_TEARDOWN(mem)
{
	int i, g;

	vkfd_child_kill(&self->child);
	for (i = 0; i < self->nctx; i++) {
		for (g = 0; g < VKFD_MAX_GPUS; g++)
			if (self->ctx[i].render[g] >= 0)
				close(self->ctx[i].render[g]);
		if (self->ctx[i].k.fd >= 0)
			vkfd_close(&self->ctx[i].k);
	}
	for (i = 0; i < self->nfd; i++)
		close(self->fd[i]);
	if (self->cgroup[0])
		rmdir(self->cgroup);
	if (self->cgroup_mnt[0]) {
		umount2(self->cgroup_mnt, MNT_DETACH);
		rmdir(self->cgroup_mnt);
	}
}

/* ------------------------------------------------------------------------
 * ACQUIRE_VM
 */

/* PASIDs come with the VMs: 0 before, per GPU after; sysfs shows the first GPU's. */
TEST_F(mem, acquire_vm_makes_pasid)
{
	struct mem_ctx *c[2] = { &self->ctx[0], mem_ctx_new(_metadata, self, true) };
	char path[PATH_MAX];
	struct vkfd_ctx_row row;
	int i, g, first;

	for (i = 0; i < 2; i++) {
		for (g = 0; g < self->ngpus; g++)
			EXPECT_EQ(0U, pasid_of(c[i], g));
		EXPECT_EQ(0ULL, sysfs_pasid(self, c[i]));
		EXPECT_EQ(0ULL, sysfs_vram(self, c[i], 0));
		row = row_of(_metadata, self, c[i]);
		EXPECT_EQ(0ULL, row.bos);
		EXPECT_EQ(0ULL, row.vram);
		EXPECT_EQ(0ULL, row.pt);
		for (g = 0; g < row.num_pasids; g++)
			EXPECT_EQ(0U, row.pasids[g]);
		for (g = 0; g < self->ngpus; g++) {
			struct vkfd_xlate x;

			EXPECT_EQ(-ENOENT, xlate(self, c[i], g, MEM_VA, &x));
		}
	}
	/* An idle secondary has no debugfs directory yet */
	snprintf(path, sizeof(path), VKFD_DEBUGFS "/proc/%d/context_%u",
		 (int)self->pid, c[1]->id);
	EXPECT_FALSE(vkfd_exists(path));
	snprintf(path, sizeof(path), VKFD_DEBUGFS "/proc/%d/pasid_%u",
		 (int)self->pid, self->gpu[0]);
	EXPECT_FALSE(vkfd_exists(path));

	for (i = 0; i < 2; i++) {
		/* The last GPU first: sysfs pasid is the first GPU's, still 0 */
		first = self->ngpus - 1;
		mem_vm(_metadata, self, c[i], first);
		EXPECT_NE(0U, pasid_of(c[i], first));
		if (first) {
			EXPECT_EQ(0U, pasid_of(c[i], 0));
			EXPECT_EQ(0ULL, sysfs_pasid(self, c[i]));
		}
		for (g = 0; g < self->ngpus - 1; g++)
			mem_vm(_metadata, self, c[i], g);
		EXPECT_EQ((uint64_t)pasid_of(c[i], 0), sysfs_pasid(self, c[i]));
		row = row_of(_metadata, self, c[i]);
		EXPECT_EQ((uint64_t)self->ngpus * PT_EMPTY, row.pt);
		EXPECT_EQ(0ULL, row.bos);
		ASSERT_EQ(self->ngpus, row.num_pasids);
		for (g = 0; g < self->ngpus; g++) {
			struct vkfd_xlate x;
			uint64_t v;

			EXPECT_NE(0U, pasid_of(c[i], g));
			EXPECT_EQ(pasid_of(c[i], g), row.pasids[g]);
			if (i)
				snprintf(path, sizeof(path),
					 VKFD_DEBUGFS "/proc/%d/context_%u/pasid_%u",
					 (int)self->pid, c[i]->id, self->gpu[g]);
			else
				snprintf(path, sizeof(path),
					 VKFD_DEBUGFS "/proc/%d/pasid_%u",
					 (int)self->pid, self->gpu[g]);
			ASSERT_EQ(0, vkfd_read_u64(path, &v)) TH_LOG("%s", path);
			EXPECT_EQ((uint64_t)pasid_of(c[i], g), v);
			/* an empty VM: nothing mapped, under the VM's PASID */
			ASSERT_EQ(0, xlate(self, c[i], g, MEM_VA, &x)) TH_LOG("%s", x.text);
			EXPECT_FALSE(x.mapped);
			EXPECT_EQ(pasid_of(c[i], g), x.pasid);
		}
	}
}

/* Every VM has its own PASID: none shared between GPUs or contexts. */
TEST_F(mem, acquire_vm_pasids_distinct)
{
	uint32_t seen[3 * VKFD_MAX_GPUS];
	int n = 0, i, j, g;

	mem_ctx_new(_metadata, self, true);
	mem_ctx_new(_metadata, self, true);
	for (i = 0; i < 3; i++) {
		for (g = 0; g < self->ngpus; g++) {
			mem_vm(_metadata, self, &self->ctx[i], g);
			seen[n] = pasid_of(&self->ctx[i], g);
			EXPECT_NE(0U, seen[n]);
			EXPECT_NE(UINT32_MAX, seen[n]);
			n++;
		}
	}
	for (i = 0; i < n; i++) {
		int dup = 0;

		for (j = i + 1; j < n; j++)
			dup += seen[i] == seen[j];
		EXPECT_EQ(0, dup) TH_LOG("PASID %u of VM %d", seen[i], i);
	}
}

/* Acquiring again with the same render file (or a dup of it) succeeds and changes nothing. */
TEST_F(mem, acquire_vm_same_file_idempotent)
{
	struct mem_ctx *c = &self->ctx[0];
	struct mem_snap before;
	int dupfd;

	mem_vm(_metadata, self, c, 0);
	snap(self, &before);
	EXPECT_EQ(0, acquire(c, self->gpu[0], c->render[0]));
	dupfd = mem_keep(_metadata, self, dup(c->render[0]));
	EXPECT_EQ(0, acquire(c, self->gpu[0], dupfd));
	EXPECT_UNCHANGED(&before);
	EXPECT_ROW(c, 0, 0, PT_EMPTY);
}

/* Another render file of the same GPU: EBUSY; the file stays free for another context. */
TEST_F(mem, acquire_vm_other_file_ebusy)
{
	struct mem_ctx *c = &self->ctx[0], *s;
	struct mem_snap before;
	uint32_t pasid;
	int other;

	mem_vm(_metadata, self, c, 0);
	pasid = pasid_of(c, 0);
	other = mem_render(_metadata, self, 0);
	s = mem_ctx_new(_metadata, self, true);
	snap(self, &before);
	EXPECT_EQ(-EBUSY, acquire(c, self->gpu[0], other));
	EXPECT_UNCHANGED(&before);
	EXPECT_EQ(pasid, pasid_of(c, 0));
	/* The refused file was not consumed */
	EXPECT_EQ(0, acquire(s, self->gpu[0], other));
	EXPECT_NE(0U, pasid_of(s, 0));
	EXPECT_NE(pasid, pasid_of(s, 0));
	EXPECT_EQ(pasid, pasid_of(c, 0));
}

/* A gpu_id that names no GPU: EINVAL, no VM, no PASID. */
TEST_F(mem, acquire_vm_bad_gpu_einval)
{
	struct mem_ctx *c = &self->ctx[0];
	struct vkfd_topo topo;
	struct mem_snap before;
	uint32_t bad[3];
	int fd = mem_render(_metadata, self, 0), i;

	ASSERT_EQ(0, vkfd_topo_load(self->env.topology, &topo));
	bad[0] = 0;
	bad[1] = vkfd_topo_unused_gpu_id(&topo);
	bad[2] = 0xffffffff;
	snap(self, &before);
	for (i = 0; i < 3; i++) {
		uint32_t id = bad[i];

		EXPECT_EQ(-EINVAL, acquire(c, id, fd)) TH_LOG("gpu_id %u", id);
	}
	EXPECT_UNCHANGED(&before);
	/* The file is still good for its GPU */
	EXPECT_EQ(0, acquire(c, self->gpu[0], fd));
}

/* The DRM card node of the render node @minor: 0 and its path, or -ENOENT. */
static int card_node(uint32_t minor, char *buf, size_t n)
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "/sys/class/drm/renderD%u/device/drm", minor);
	d = opendir(dir);
	if (d) {
		while ((de = readdir(d))) {
			if (strncmp(de->d_name, "card", 4) ||
			    de->d_name[4] < '0' || de->d_name[4] > '9' ||
			    strchr(de->d_name, '-'))
				continue;
			snprintf(buf, n, "/dev/dri/%s", de->d_name);
			closedir(d);
			return 0;
		}
		closedir(d);
	}
	/* DRM gives a device's primary and render minors the same index */
	snprintf(buf, n, "/dev/dri/card%u", minor - 128);
	return access(buf, F_OK) ? -ENOENT : 0;
}

/* drm_fd that is not an open file of a vkfd render node: EINVAL, nothing changes. */
TEST_F(mem, acquire_vm_not_a_render_file_einval)
{
	struct mem_ctx *c = &self->ctx[0];
	char card[PATH_MAX], tmpl[] = "/tmp/vkfd-mem-XXXXXX";
	struct mem_snap before;
	int fds[8], n = 0, closed, p[2], i;
	uint32_t minor;

	fds[n++] = mem_keep(_metadata, self, open("/dev/null", O_RDWR | O_CLOEXEC));
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	mem_keep(_metadata, self, p[1]);
	fds[n++] = mem_keep(_metadata, self, p[0]);
	fds[n++] = mem_keep(_metadata, self, mkostemp(tmpl, O_CLOEXEC));
	unlink(tmpl);
	fds[n++] = c->k.fd;		/* the KFD device itself */
	fds[n++] = -1;
	ASSERT_EQ(0, vkfd_render_minor(self->env.topology, self->gpu[0], &minor));
	if (!card_node(minor, card, sizeof(card)))
		fds[n++] = mem_keep(_metadata, self, open(card, O_RDWR | O_CLOEXEC));
	else
		TH_LOG("no card node next to renderD%u: not tried", minor);
	closed = dup(fds[0]);
	ASSERT_LE(0, closed);
	close(closed);
	fds[n++] = closed;

	snap(self, &before);
	for (i = 0; i < n; i++)
		EXPECT_EQ(-EINVAL, acquire(c, self->gpu[0], fds[i])) TH_LOG("fd %d (#%d)", fds[i], i);
	EXPECT_UNCHANGED(&before);
	EXPECT_EQ(0U, pasid_of(c, 0));
}

/* A render file of GPU 1 for GPU 0: EINVAL. */
TEST_F(mem, acquire_vm_other_gpus_file_einval)
{
	struct mem_ctx *c = &self->ctx[0];
	struct mem_snap before;
	int fd;

	NEED_GPUS(2);
	fd = mem_render(_metadata, self, 1);
	snap(self, &before);
	EXPECT_EQ(-EINVAL, acquire(c, self->gpu[0], fd));
	EXPECT_UNCHANGED(&before);
	EXPECT_EQ(0, acquire(c, self->gpu[1], fd));
}

/* A render file bound to one context's VM cannot make another's: EINVAL. */
TEST_F(mem, acquire_vm_file_of_other_context_einval)
{
	struct mem_ctx *p = &self->ctx[0];
	struct mem_ctx *s1 = mem_ctx_new(_metadata, self, true);
	struct mem_ctx *s2 = mem_ctx_new(_metadata, self, true);
	struct mem_snap before;

	mem_vm(_metadata, self, p, 0);
	mem_vm(_metadata, self, s1, 0);
	snap(self, &before);
	EXPECT_EQ(-EINVAL, acquire(s2, self->gpu[0], p->render[0]));
	EXPECT_EQ(-EINVAL, acquire(s2, self->gpu[0], s1->render[0]));
	EXPECT_UNCHANGED(&before);
	EXPECT_EQ(0U, pasid_of(s2, 0));
	/* s2 still gets a VM of its own */
	mem_vm(_metadata, self, s2, 0);
	EXPECT_NE(0U, pasid_of(s2, 0));
}

/* The context keeps the render file: closing drm_fd leaves the VM working. */
TEST_F(mem, acquire_vm_render_fd_closed)
{
	struct mem_ctx *c = &self->ctx[0];
	uint32_t pasid, gpu = self->gpu[0];
	struct vkfd_xlate x;
	struct vkfd_bo bo;
	void *map;
	int fd;

	mem_vm(_metadata, self, c, 0);
	pasid = pasid_of(c, 0);
	close(c->render[0]);
	c->render[0] = -1;
	EXPECT_EQ(pasid, pasid_of(c, 0));
	ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, MEM_VA, 64 * KIB, F_VRAM | F_W, &bo));
	ASSERT_EQ(0, vkfd_map(&c->k, &bo, &gpu, 1));
	ASSERT_MAPPED(c, 0, MEM_VA, &x);
	EXPECT_EQ(pasid, x.pasid);
	EXPECT_ROW(c, 1, 64 * KIB, PT_ONE_PAGE);
	/* The VM is still bound to the closed file: another one is refused */
	fd = mem_render(_metadata, self, 0);
	EXPECT_EQ(-EBUSY, acquire(c, gpu, fd));
	EXPECT_EQ(-EACCES, vkfd_bo_mmap(fd, &bo, PROT_READ, &map));
	EXPECT_EQ(0, vkfd_free(&c->k, &bo));
	EXPECT_UNMAPPED(c, 0, MEM_VA);
	EXPECT_ROW(c, 0, 0, PT_EMPTY);
}

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
	uint32_t gpu = self->gpu[0];
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

/* The primary and a secondary map the same GPU address: each reaches only its own memory. */
TEST_F(mem, same_va_primary_and_secondary)
{
	same_va_isolation(_metadata, self, &self->ctx[0],
			  mem_ctx_new(_metadata, self, true));
}

/* Two secondaries map the same GPU address: each reaches only its own memory. */
TEST_F(mem, same_va_two_secondaries)
{
	struct mem_ctx *a = mem_ctx_new(_metadata, self, true);

	same_va_isolation(_metadata, self, a, mem_ctx_new(_metadata, self, true));
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
	uint32_t gpu = self->gpu[0], n;
	struct mem_snap before;
	struct vkfd_xlate x;
	struct vkfd_bo bo, mine;

	mem_vm(_metadata, self, owner, 0);
	mem_vm(_metadata, self, other, 0);
	ASSERT_EQ(0, vkfd_alloc(&owner->k, gpu, MEM_VA, 8 * KIB, F_VRAM | F_W, &bo));
	ASSERT_EQ(0, vkfd_map(&owner->k, &bo, &gpu, 1));
	EXPECT_UNMAPPED(other, 0, MEM_VA);

	snap(self, &before);
	EXPECT_EQ(-EINVAL, free_raw(other, bo.handle));
	n = 0;
	EXPECT_EQ(-EINVAL, map_raw(other, true, bo.handle, &gpu, 1, &n));
	EXPECT_EQ(0U, n);
	n = 0;
	EXPECT_EQ(-EINVAL, map_raw(other, false, bo.handle, &gpu, 1, &n));
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
	EXPECT_EQ(0, free_raw(other, mine.handle));
	EXPECT_UNMAPPED(other, 0, MEM_VA + MIB);
	ASSERT_MAPPED(owner, 0, MEM_VA, &x);
	EXPECT_ROW(owner, 1, 8 * KIB, PT_ONE_PAGE);
	EXPECT_ROW(other, 0, 0, PT_EMPTY);
	EXPECT_EQ(0, vkfd_free(&owner->k, &bo));
	EXPECT_ROW(owner, 0, 0, PT_EMPTY);
}

TEST_F(mem, foreign_handle_primary_to_secondary)
{
	foreign_handle(_metadata, self, &self->ctx[0],
		       mem_ctx_new(_metadata, self, true));
}

TEST_F(mem, foreign_handle_secondary_to_primary)
{
	foreign_handle(_metadata, self, mem_ctx_new(_metadata, self, true),
		       &self->ctx[0]);
}

TEST_F(mem, foreign_handle_between_secondaries)
{
	struct mem_ctx *a = mem_ctx_new(_metadata, self, true);

	foreign_handle(_metadata, self, a, mem_ctx_new(_metadata, self, true));
}

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
	EXPECT_EQ(-EOPNOTSUPP, alloc_raw(s, self->gpu[0], MEM_VA, 4 * PAGE,
					 (uintptr_t)user, F_USERPTR | F_W, NULL));
	EXPECT_EQ(-EOPNOTSUPP, alloc_raw(s, self->gpu[0], MEM_VA, 4 * PAGE,
					 (uintptr_t)user, F_USERPTR, NULL));
	/* Checked before the other USERPTR rules: alignment, user range */
	EXPECT_EQ(-EOPNOTSUPP, alloc_raw(s, self->gpu[0], MEM_VA, 4 * PAGE,
					 (uintptr_t)user + 1, F_USERPTR, NULL));
	EXPECT_EQ(-EOPNOTSUPP, alloc_raw(s, self->gpu[0], MEM_VA, 4 * PAGE,
					 0xffff888000000000ULL, F_USERPTR, NULL));
	EXPECT_UNCHANGED(&before);
	EXPECT_EQ(pins, vkfd_pinned_pages());
	munmap(user, 4 * PAGE);
}

/* USERPTR on the primary: the GPU reads the user's pages, pinned exactly while mapped. */
TEST_F(mem, userptr_pinned_while_mapped)
{
	struct mem_ctx *c = &self->ctx[0];
	uint8_t *user = user_pages(4);
	uint32_t gpu = self->gpu[0];
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
	ASSERT_EQ(0, vkfd_alloc_userptr(&c->k, self->gpu[0], MEM_VA, user,
					2 * PAGE, 0, &bo));
	ASSERT_EQ(0, vkfd_map(&c->k, &bo, self->gpu, 2));
	both = vkfd_pinned_pages() - pins;
	TH_LOG("pinned while mapped on 2 GPUs: %lld pages", (long long)both);
	EXPECT_LE(2, both);
	EXPECT_EQ(0, both % 2);
	ASSERT_EQ(0, vkfd_unmap(&c->k, &bo, &self->gpu[0], 1));
	EXPECT_LE(2, vkfd_pinned_pages() - pins);
	EXPECT_UNMAPPED(c, 0, MEM_VA);
	{
		struct vkfd_xlate x;

		ASSERT_MAPPED(c, 1, MEM_VA, &x);
		EXPECT_TRUE(has_pattern(x.data, 300));
		EXPECT_STREQ("r-", x.perm);
	}
	ASSERT_EQ(0, vkfd_unmap(&c->k, &bo, &self->gpu[1], 1));
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
	EXPECT_EQ(-EINVAL, alloc_raw(c, self->gpu[0], MEM_VA, 2 * PAGE,
				     (uintptr_t)user + 1, F_USERPTR, NULL));
	EXPECT_EQ(-EINVAL, alloc_raw(c, self->gpu[0], MEM_VA, 2 * PAGE,
				     (uintptr_t)user + 2048, F_USERPTR, NULL));
	EXPECT_EQ(-EINVAL, alloc_raw(c, self->gpu[0], MEM_VA, 2 * PAGE - 1,
				     (uintptr_t)user, F_USERPTR, NULL));
	EXPECT_EQ(-EINVAL, alloc_raw(c, self->gpu[0], MEM_VA + 16, 2 * PAGE,
				     (uintptr_t)user, F_USERPTR, NULL));
	EXPECT_UNCHANGED(&before);
	EXPECT_EQ(pins, vkfd_pinned_pages());
	munmap(user, 4 * PAGE);
}

/* USERPTR over memory the process does not have: the MAP fails with EFAULT. */
TEST_F(mem, userptr_unmapped_memory_efault)
{
	struct mem_ctx *c = &self->ctx[0];
	void *hole = vkfd_unmapped_page();
	uint32_t gpu = self->gpu[0], n = 0;
	struct mem_snap before;
	struct vkfd_bo bo;
	int64_t pins;

	ASSERT_NE(NULL, hole);
	mem_vm(_metadata, self, c, 0);
	ASSERT_EQ(0, vkfd_alloc_userptr(&c->k, gpu, MEM_VA, hole, PAGE, 0, &bo));
	snap(self, &before);
	pins = vkfd_pinned_pages();
	EXPECT_EQ(-EFAULT, map_raw(c, true, bo.handle, &gpu, 1, &n));
	EXPECT_EQ(0U, n);
	EXPECT_UNCHANGED(&before);
	EXPECT_EQ(pins, vkfd_pinned_pages());
	EXPECT_UNMAPPED(c, 0, MEM_VA);
	EXPECT_EQ(0, vkfd_free(&c->k, &bo));
}

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

	for (g = 0; g < self->ngpus; g++) {
		mem_vm(_metadata, self, p, g);
		mem_vm(_metadata, self, s, g);
	}
	ASSERT_EQ(0, vkfd_alloc(&p->k, self->gpu[0], MEM_VA, 4 * KIB, F_VRAM, &v1));
	ASSERT_EQ(0, vkfd_alloc(&p->k, self->gpu[0], MEM_VA + MIB, 3 * MIB,
				F_VRAM | F_W, &v2));
	ASSERT_EQ(0, vkfd_alloc(&p->k, self->gpu[0], MEM_VA + 8 * MIB, 8 * MIB,
				F_GTT | F_W, &gtt));
	ASSERT_EQ(0, vkfd_alloc(&s->k, self->gpu[self->ngpus - 1], MEM_VA,
				2 * MIB, F_VRAM | F_W, &sv));
	if (self->ngpus > 1) {
		EXPECT_EQ(self->budget - 4 * KIB - 3 * MIB, avail(self, 0));
		EXPECT_EQ(self->budget - 2 * MIB, avail(self, self->ngpus - 1));
	} else {
		EXPECT_EQ(self->budget - 4 * KIB - 5 * MIB, avail(self, 0));
	}
	/* Every context sees the same, device-wide figure */
	ASSERT_EQ(0, vkfd_available_memory(&s->k, self->gpu[0], &a));
	EXPECT_EQ(avail(self, 0), a);

	EXPECT_EQ(4 * KIB + 3 * MIB, sysfs_vram(self, p, 0));
	EXPECT_EQ(self->ngpus > 1 ? 0 : 2 * MIB, sysfs_vram(self, s, 0));
	EXPECT_EQ(2 * MIB, sysfs_vram(self, s, self->ngpus - 1));
	if (self->ngpus > 1)
		EXPECT_EQ(0ULL, sysfs_vram(self, p, 1));
	EXPECT_ROW(p, 3, 4 * KIB + 3 * MIB, self->ngpus * PT_EMPTY);
	EXPECT_ROW(s, 1, 2 * MIB, self->ngpus * PT_EMPTY);

	ASSERT_EQ(0, vkfd_free(&p->k, &v2));
	EXPECT_EQ(4 * KIB, sysfs_vram(self, p, 0));
	EXPECT_EQ(self->budget - 4 * KIB - (self->ngpus > 1 ? 0 : 2 * MIB),
		  avail(self, 0));
	ASSERT_EQ(0, vkfd_free(&p->k, &v1));
	ASSERT_EQ(0, vkfd_free(&p->k, &gtt));
	ASSERT_EQ(0, vkfd_free(&s->k, &sv));
	EXPECT_BUDGET_FREE();
	EXPECT_EQ(0ULL, sysfs_vram(self, p, 0));
	EXPECT_EQ(0ULL, sysfs_vram(self, s, self->ngpus - 1));
	EXPECT_ROW(p, 0, 0, self->ngpus * PT_EMPTY);
	EXPECT_ROW(s, 0, 0, self->ngpus * PT_EMPTY);
}

/* Allocating until ENOMEM: the budget is shared, the failed calls change nothing. */
TEST_F_TIMEOUT(mem, vram_exhaustion_enomem, 120)
{
	struct mem_ctx *c[2] = { &self->ctx[0], mem_ctx_new(_metadata, self, true) };
	uint64_t chunk = self->budget / 8, used = 0, per[2] = { 0, 0 };
	struct vkfd_bo bo[16], gtt, last;
	uint32_t gpu = self->gpu[0];
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
	EXPECT_EQ(-ENOMEM, alloc_raw(c[0], gpu, VA_TOP - PAGE, PAGE, 0, F_VRAM, NULL));
	EXPECT_EQ(-ENOMEM, alloc_raw(c[1], gpu, VA_TOP - PAGE, PAGE, 0, F_VRAM, NULL));
	EXPECT_EQ(-ENOMEM, alloc_raw(c[1], gpu, MEM_VA, self->budget, 0, F_VRAM, NULL));
	EXPECT_UNCHANGED(&before);
	ASSERT_EQ(0, vkfd_alloc(&c[0]->k, gpu, VA_TOP - PAGE, PAGE, F_GTT, &gtt));
	EXPECT_EQ(0ULL, avail(self, 0));
	ASSERT_EQ(0, vkfd_free(&c[0]->k, &gtt));
	if (self->ngpus > 1)
		EXPECT_EQ(self->budget, avail(self, 1));

	/* One chunk freed: exactly that fits again */
	ASSERT_EQ(0, vkfd_free(&c[1]->k, &bo[1]));
	EXPECT_EQ(chunk, avail(self, 0));
	snap(self, &before);
	EXPECT_EQ(-ENOMEM, alloc_raw(c[0], gpu, MEM_VA, chunk + PAGE, 0, F_VRAM, NULL));
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
	ASSERT_EQ(0, vkfd_alloc(&c->k, self->gpu[0], MEM_VA, MIB, F_VRAM | F_W, &bo));
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

	for (g = 0; g < self->ngpus; g++)
		mem_vm(_metadata, self, s, g);
	for (g = 0; g < self->ngpus; g++) {
		ASSERT_EQ(0, vkfd_alloc(&s->k, self->gpu[g], MEM_VA + g * MIB,
					MIB, F_VRAM | F_W, &bo[g]));
		ASSERT_EQ(0, vkfd_map(&s->k, &bo[g], self->gpu, self->ngpus));
		EXPECT_EQ(self->budget - MIB, avail(self, g));
	}
	map = bo_map(_metadata, s->render[0], &bo[0], PROT_READ | PROT_WRITE);
	pattern(map, 1);
	EXPECT_EQ(0, vkfd_bo_munmap(&bo[0], map));
	ASSERT_EQ(0, vkfd_ctx_row(self->pid, s->id, &(struct vkfd_ctx_row){ 0 }));
	vkfd_close(&s->k);
	for (g = 0; g < self->ngpus; g++) {
		close(s->render[g]);
		s->render[g] = -1;
	}
	EXPECT_BUDGET_FREE();
	EXPECT_EQ(-ENOENT, vkfd_ctx_row(self->pid, s->id, &(struct vkfd_ctx_row){ 0 }));
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
	uint32_t gpu = self->gpu[0];
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
	ASSERT_EQ(0, vkfd_alloc(&c->k, self->gpu[0], MEM_VA, 16 * KIB,
				F_VRAM | F_W, &bo));
	map = bo_map(_metadata, c->render[0], &bo, PROT_READ | PROT_WRITE);
	pattern(map + 8 * KIB, 42);
	ASSERT_EQ(0, vkfd_map(&c->k, &bo, self->gpu, 2));
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

	ASSERT_EQ(0, vkfd_unmap(&c->k, &bo, &self->gpu[0], 1));
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

	for (g = 0; g < self->ngpus; g++)
		mem_vm(_metadata, self, c, g);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, vkfd_alloc(&c->k, self->gpu[0], MEM_VA + i * 4 * MIB,
					2 * MIB, i ? F_GTT : F_VRAM, &bo[i]));
		ASSERT_EQ(0, vkfd_map(&c->k, &bo[i], self->gpu, self->ngpus));
	}
	for (g = 0; g < self->ngpus; g++) {
		struct vkfd_xlate x;

		ASSERT_MAPPED(c, g, MEM_VA + 2 * MIB - PAGE, &x);
		EXPECT_STREQ("r-", x.perm);
		EXPECT_TRUE(all_zero(x.data, sizeof(x.data)));
	}
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, vkfd_free(&c->k, &bo[i]));
	for (g = 0; g < self->ngpus; g++)
		for (i = 0; i < 2; i++) {
			EXPECT_UNMAPPED(c, g, MEM_VA + i * 4 * MIB);
			EXPECT_UNMAPPED(c, g, MEM_VA + i * 4 * MIB + 2 * MIB - PAGE);
		}
	EXPECT_ROW(c, 0, 0, self->ngpus * PT_EMPTY);
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
	ASSERT_EQ(0, vkfd_topo_load(self->env.topology, &topo));
	mem_vm(_metadata, self, c, 0);
	mem_vm(_metadata, self, c, 1);
	ASSERT_EQ(0, vkfd_alloc(&c->k, self->gpu[0], MEM_VA, PAGE, F_VRAM, &bo));
	ids[0] = self->gpu[0];
	ids[1] = vkfd_topo_unused_gpu_id(&topo);
	ids[2] = self->gpu[1];
	n = 0;
	EXPECT_EQ(-EINVAL, map_raw(c, true, bo.handle, ids, 3, &n));
	EXPECT_EQ(1U, n);
	ASSERT_MAPPED(c, 0, MEM_VA, &x);
	EXPECT_UNMAPPED(c, 1, MEM_VA);
	EXPECT_ROW(c, 1, PAGE, PT_ONE_PAGE + PT_EMPTY);

	/* Fixed (the bad entry now names a GPU already done): resume */
	ids[1] = self->gpu[0];
	EXPECT_EQ(0, map_raw(c, true, bo.handle, ids, 3, &n));
	EXPECT_EQ(3U, n);
	ASSERT_MAPPED(c, 1, MEM_VA, &x);
	EXPECT_ROW(c, 1, PAGE, 2 * PT_ONE_PAGE);

	/* UNMAP the same way: [gpu1, bogus, gpu0] stops at 1 */
	ids[0] = self->gpu[1];
	ids[1] = vkfd_topo_unused_gpu_id(&topo);
	ids[2] = self->gpu[0];
	n = 0;
	EXPECT_EQ(-EINVAL, map_raw(c, false, bo.handle, ids, 3, &n));
	EXPECT_EQ(1U, n);
	EXPECT_UNMAPPED(c, 1, MEM_VA);
	ASSERT_MAPPED(c, 0, MEM_VA, &x);
	/* Resuming at 2 skips the bad entry */
	n = 2;
	EXPECT_EQ(0, map_raw(c, false, bo.handle, ids, 3, &n));
	EXPECT_EQ(3U, n);
	EXPECT_UNMAPPED(c, 0, MEM_VA);
	EXPECT_ROW(c, 1, PAGE, 2 * PT_EMPTY);
	/* Unmapping where it is not mapped: EINVAL at that index */
	n = 0;
	EXPECT_EQ(-EINVAL, map_raw(c, false, bo.handle, ids, 1, &n));
	EXPECT_EQ(0U, n);
	EXPECT_EQ(0, vkfd_free(&c->k, &bo));
}

/* MAP/UNMAP arguments: counts, the id array, handles and GPUs without a VM. */
TEST_F(mem, map_bad_args)
{
	struct mem_ctx *c = &self->ctx[0];
	uint32_t gpu = self->gpu[0], many[1025], n;
	struct mem_snap before;
	struct vkfd_topo topo;
	struct vkfd_bo bo;
	int i, m;

	ASSERT_EQ(0, vkfd_topo_load(self->env.topology, &topo));
	mem_vm(_metadata, self, c, 0);
	ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, MEM_VA, PAGE, F_VRAM, &bo));
	for (i = 0; i < 1025; i++)
		many[i] = gpu;
	snap(self, &before);
	for (m = 0; m < 2; m++) {
		n = 0;
		EXPECT_EQ(-EINVAL, map_raw(c, m, bo.handle, &gpu, 0, &n));
		n = 2;
		EXPECT_EQ(-EINVAL, map_raw(c, m, bo.handle, &gpu, 1, &n));
		EXPECT_EQ(2U, n);
		n = 0;
		EXPECT_EQ(-EINVAL, map_raw(c, m, bo.handle, many, 1025, &n));
		EXPECT_EQ(0U, n);
		n = 0;
		EXPECT_EQ(-EINVAL, map_raw(c, m, 0, &gpu, 1, &n));
		n = 0;
		EXPECT_EQ(-EINVAL, map_raw(c, m, bo.handle + 1000, &gpu, 1, &n));
		n = 0;
		EXPECT_EQ(-EINVAL, map_raw(c, m, ((uint64_t)gpu << 32) | 0xffffffff,
					   &gpu, 1, &n));
		n = 0;
		EXPECT_EQ(-EFAULT, map_raw(c, m, bo.handle, NULL, 1, &n));
		EXPECT_EQ(0U, n);
		n = 0;
		EXPECT_EQ(-EFAULT, map_raw(c, m, bo.handle, vkfd_unmapped_page(), 1, &n));
		/* a GPU that does not exist, or has no VM in this context */
		many[0] = vkfd_topo_unused_gpu_id(&topo);
		n = 0;
		EXPECT_EQ(-EINVAL, map_raw(c, m, bo.handle, many, 1, &n));
		EXPECT_EQ(0U, n);
		many[0] = 0;
		EXPECT_EQ(-EINVAL, map_raw(c, m, bo.handle, many, 1, &n));
		many[0] = gpu;
		if (self->ngpus > 1) {
			n = 0;
			EXPECT_EQ(-EINVAL, map_raw(c, m, bo.handle, &self->gpu[1], 1, &n));
			EXPECT_EQ(0U, n);
		}
	}
	EXPECT_UNCHANGED(&before);
	EXPECT_UNMAPPED(c, 0, MEM_VA);
	/* 1024 entries is the limit, and allowed (the same GPU every time) */
	n = 0;
	EXPECT_EQ(0, map_raw(c, true, bo.handle, many, 1024, &n));
	EXPECT_EQ(1024U, n);
	EXPECT_ROW(c, 1, PAGE, PT_ONE_PAGE);
	EXPECT_EQ(0, vkfd_free(&c->k, &bo));
}

/* Overlapping another buffer's mapping in a VM: EINVAL; in another VM it is fine. */
TEST_F(mem, map_overlap_einval)
{
	struct mem_ctx *c = &self->ctx[0];
	uint32_t gpu = self->gpu[0], n = 0;
	struct vkfd_bo a, b, inside, around;
	struct mem_snap before;
	struct vkfd_xlate x;

	mem_vm(_metadata, self, c, 0);
	if (self->ngpus > 1)
		mem_vm(_metadata, self, c, 1);
	/* a: [VA+4K, VA+12K); b overlaps its end; inside and around it */
	ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, MEM_VA + PAGE, 2 * PAGE, F_VRAM | F_W, &a));
	ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, MEM_VA + 2 * PAGE, 2 * PAGE, F_GTT, &b));
	ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, MEM_VA + PAGE, PAGE, F_GTT, &inside));
	ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, MEM_VA, 4 * PAGE, F_GTT, &around));
	ASSERT_EQ(0, vkfd_map(&c->k, &a, &gpu, 1));
	snap(self, &before);
	EXPECT_EQ(-EINVAL, map_raw(c, true, b.handle, &gpu, 1, &n));
	EXPECT_EQ(0U, n);
	EXPECT_EQ(-EINVAL, map_raw(c, true, inside.handle, &gpu, 1, &n));
	EXPECT_EQ(-EINVAL, map_raw(c, true, around.handle, &gpu, 1, &n));
	EXPECT_UNCHANGED(&before);
	EXPECT_UNMAPPED(c, 0, MEM_VA);
	EXPECT_UNMAPPED(c, 0, MEM_VA + 3 * PAGE);
	ASSERT_MAPPED(c, 0, MEM_VA + 2 * PAGE, &x);
	EXPECT_STREQ("rw", x.perm);
	/* Adjacent is not overlapping */
	ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, MEM_VA + 3 * PAGE, PAGE, F_GTT, &inside));
	EXPECT_EQ(0, vkfd_map(&c->k, &inside, &gpu, 1));
	if (self->ngpus > 1) {
		/* GPU 1's VM has nothing there yet */
		EXPECT_EQ(0, vkfd_map(&c->k, &b, &self->gpu[1], 1));
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
	uint32_t gpu = self->gpu[0];
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
	EXPECT_EQ(-EINVAL, alloc_raw(c, self->gpu[0], MEM_VA, 8 * KIB, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, alloc_raw(c, self->gpu[0], MEM_VA, 8 * KIB, 0, F_ATTRS, NULL));
	for (i = 0; i < 5; i++)
		for (j = i + 1; j < 5; j++) {
			flags = domains[i] | domains[j] | F_W;
			EXPECT_EQ(-EINVAL, alloc_raw(c, self->gpu[0], MEM_VA, 8 * KIB,
						     0, flags, NULL))
				TH_LOG("flags 0x%x", flags);
		}
	for (bit = 0; bit < 32; bit++) {
		flags = 1U << bit;
		if (flags & (F_DOMAINS | F_ATTRS))
			continue;
		EXPECT_EQ(-EINVAL, alloc_raw(c, self->gpu[0], MEM_VA, 8 * KIB, 0,
					     F_VRAM | flags, NULL))
			TH_LOG("bit %d", bit);
	}
	EXPECT_UNCHANGED(&before);
}

/* Every attribute is accepted; only WRITABLE shows (in the GPU mapping's permission). */
TEST_F(mem, alloc_attributes_accepted)
{
	struct mem_ctx *c = &self->ctx[0];
	uint32_t gpu = self->gpu[0];
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
			EXPECT_EQ(-EINVAL, alloc_raw(c, self->gpu[0], MEM_VA, sizes[i],
						     0, doms[d] | F_W, NULL))
				TH_LOG("size %llu", (unsigned long long)sizes[i]);
		for (i = 0; i < (int)ARRAY_SIZE(offs); i++)
			EXPECT_EQ(-EINVAL, alloc_raw(c, self->gpu[0], MEM_VA + offs[i],
						     PAGE, 0, doms[d] | F_W, NULL))
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
	uint32_t gpu = self->gpu[0];
	struct mem_snap before;
	struct vkfd_xlate x;
	struct vkfd_bo bo;
	uint8_t *map;
	int i, d;

	mem_vm(_metadata, self, c, 0);
	snap(self, &before);
	for (d = 0; d < 2; d++)
		for (i = 0; i < (int)ARRAY_SIZE(bad); i++)
			EXPECT_EQ(-EINVAL, alloc_raw(c, gpu, bad[i].va, bad[i].size, 0,
						     (d ? F_GTT : F_VRAM) | F_W, NULL))
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
	uint32_t gpu = self->gpu[0];
	struct mem_snap before;
	struct vkfd_bo db, mmio;

	mem_vm(_metadata, self, c, 0);
	snap(self, &before);
	EXPECT_EQ(-EINVAL, alloc_raw(c, gpu, MEM_VA, 4 * KIB, 0, F_DOORBELL | F_W, NULL));
	EXPECT_EQ(-EINVAL, alloc_raw(c, gpu, MEM_VA, 16 * KIB, 0, F_DOORBELL | F_W, NULL));
	EXPECT_EQ(-EINVAL, alloc_raw(c, gpu, MEM_VA, 8 * KIB, 0, F_MMIO | F_W, NULL));
	EXPECT_EQ(-EINVAL, alloc_raw(c, gpu, MEM_VA, 0, 0, F_MMIO | F_W, NULL));
	EXPECT_UNCHANGED(&before);

	ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, MEM_VA, 8 * KIB, F_DOORBELL | F_W, &db));
	EXPECT_EQ(KFD_MMAP_TYPE_DOORBELL | KFD_MMAP_GPU_ID(gpu), db.mmap_offset);
	EXPECT_EQ((uint64_t)gpu, db.handle >> 32);
	ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, MEM_VA + MIB, 4 * KIB, F_MMIO | F_W, &mmio));
	EXPECT_EQ(KFD_MMAP_TYPE_MMIO | KFD_MMAP_GPU_ID(gpu), mmio.mmap_offset);
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

	ASSERT_EQ(0, vkfd_topo_load(self->env.topology, &topo));
	mem_vm(_metadata, self, s, 0);
	snap(self, &before);
	/* The primary has no VM at all; the secondary none on the other GPUs */
	EXPECT_EQ(-EINVAL, alloc_raw(c, self->gpu[0], MEM_VA, PAGE, 0, F_VRAM, NULL));
	EXPECT_EQ(-EINVAL, alloc_raw(c, self->gpu[0], MEM_VA, PAGE, 0, F_GTT, NULL));
	EXPECT_EQ(-EINVAL, alloc_raw(c, 0, MEM_VA, PAGE, 0, F_VRAM, NULL));
	EXPECT_EQ(-EINVAL, alloc_raw(s, vkfd_topo_unused_gpu_id(&topo), MEM_VA,
				     PAGE, 0, F_VRAM, NULL));
	if (self->ngpus > 1)
		EXPECT_EQ(-EINVAL, alloc_raw(s, self->gpu[1], MEM_VA, PAGE, 0,
					     F_VRAM, NULL));
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
	ASSERT_EQ(0, vkfd_alloc(&c->k, self->gpu[0], MEM_VA, PAGE, F_VRAM, &bo));
	ASSERT_EQ(0, vkfd_alloc(&c->k, self->gpu[0], MEM_VA + PAGE, PAGE, F_VRAM, &keep));
	handle = bo.handle;
	ASSERT_EQ(0, vkfd_free(&c->k, &bo));
	snap(self, &before);
	EXPECT_EQ(-EINVAL, free_raw(c, handle));
	EXPECT_EQ(-EINVAL, free_raw(c, 0));
	EXPECT_EQ(-EINVAL, free_raw(c, ~0ULL));
	EXPECT_EQ(-EINVAL, free_raw(c, keep.handle ^ (1ULL << 40)));
	EXPECT_UNCHANGED(&before);
	EXPECT_ROW(c, 1, PAGE, PT_EMPTY);
}

/* ------------------------------------------------------------------------
 * CPU mappings through the render node
 */

/* MAP_SHARED read-write: new memory reads as zeros, and the GPU sees what the CPU writes. */
TEST_F(mem, mmap_shared_zero_and_coherent)
{
	static const uint32_t doms[] = { F_VRAM, F_GTT };
	struct mem_ctx *c = &self->ctx[0];
	uint32_t gpu = self->gpu[0];
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
	uint32_t gpu = self->gpu[0];
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
	ASSERT_EQ(0, vkfd_alloc(&c->k, self->gpu[0], MEM_VA, 64 * KIB, F_VRAM | F_W, &bo));
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
	ASSERT_EQ(0, vkfd_alloc(&p->k, self->gpu[0], MEM_VA, 64 * KIB, F_VRAM | F_W, &bo));
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
	ASSERT_EQ(0, vkfd_alloc(&c->k, self->gpu[0], MEM_VA, 64 * KIB, F_VRAM | F_W, &bo));
	ASSERT_EQ(0, vkfd_alloc(&c->k, self->gpu[0], MEM_VA + MIB, 64 * KIB,
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
		ASSERT_EQ(0, vkfd_child_start(&self->child, touch_child, &a));
		EXPECT_LE(128, vkfd_child_wait(&self->child));
		munmap(p, 128 * KIB);
	}
	/* From the middle of the buffer past its end: the same */
	p = mmap(NULL, 64 * KIB, PROT_READ, MAP_SHARED, c->render[0],
		 bo.mmap_offset + 32 * KIB);
	if (p != MAP_FAILED) {
		a.p = p + 32 * KIB;
		a.len = 32 * KIB;
		ASSERT_EQ(0, vkfd_child_start(&self->child, touch_child, &a));
		EXPECT_LE(128, vkfd_child_wait(&self->child));
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
	ASSERT_EQ(0, vkfd_alloc(&s->k, self->gpu[0], MEM_VA, MIB, F_VRAM | F_W, &bo));
	ASSERT_EQ(0, vkfd_map(&s->k, &bo, &self->gpu[0], 1));
	map = bo_map(_metadata, s->render[0], &bo, PROT_READ | PROT_WRITE);
	pattern(map + 100 * PAGE, 77);
	vkfd_close(&s->k);
	close(s->render[0]);
	s->render[0] = -1;
	EXPECT_EQ(-ENOENT, vkfd_ctx_row(self->pid, s->id, &(struct vkfd_ctx_row){ 0 }));
	/* The mapping still reaches the same pages, writable */
	EXPECT_TRUE(has_pattern(map + 100 * PAGE, 77));
	pattern(map + 200 * PAGE, 78);
	EXPECT_TRUE(has_pattern(map + 200 * PAGE, 78));
	EXPECT_EQ(self->budget - MIB, avail(self, 0));
	EXPECT_EQ(0, munmap(map, MIB));
	EXPECT_BUDGET_FREE();
}

/* The user unmaps a mapped USERPTR's memory: the GPU keeps the pinned pages until UNMAP. */
TEST_F(mem, userptr_user_unmaps_while_mapped)
{
	struct mem_ctx *c = &self->ctx[0];
	uint8_t *user = user_pages(4);
	uint32_t gpu = self->gpu[0], n;
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
	EXPECT_EQ(-EFAULT, map_raw(c, true, bo.handle, &gpu, 1, &n));
	EXPECT_EQ(pins, vkfd_pinned_pages());
	EXPECT_EQ(0, vkfd_free(&c->k, &bo));
}

/* ------------------------------------------------------------------------
 * Races
 */

struct race {
	FIXTURE_DATA(mem) *self;
	struct mem_ctx *c;
	struct vkfd_bo bo;
	volatile bool stop;
	int index;
	long ops[4];
	long bad[4];		/* unexpected errors */
};

static void *race_mapper(void *arg)
{
	struct race *r = arg;
	int me = __atomic_fetch_add(&r->index, 1, __ATOMIC_RELAXED);
	FIXTURE_DATA(mem) *self = r->self;
	struct vkfd_xlate x;
	uint32_t n;
	int ret;

	while (!r->stop) {
		n = 0;
		ret = map_raw(r->c, me % 2, r->bo.handle, self->gpu, self->ngpus, &n);
		/* mapped, unmapped, or not (any more) mapped / freed */
		if (ret && ret != -EINVAL)
			r->bad[me]++;
		if (xlate(self, r->c, 0, r->bo.va, &x))
			r->bad[me]++;
		r->ops[me]++;
	}
	return NULL;
}

/* Threads map and unmap one buffer while it is freed: no error but EINVAL, nothing left. */
TEST_F_TIMEOUT(mem, race_map_unmap_free, 120)
{
	struct race r = { .self = self, .c = &self->ctx[0] };
	pthread_t t[4];
	int i, round;

	for (i = 0; i < self->ngpus; i++)
		mem_vm(_metadata, self, r.c, i);
	for (round = 0; round < vkfd_scaled(50) + 2; round++) {
		ASSERT_EQ(0, vkfd_alloc(&r.c->k, self->gpu[0], MEM_VA, 4 * MIB,
					F_VRAM | F_W, &r.bo));
		r.stop = false;
		r.index = 0;
		for (i = 0; i < 4; i++)
			ASSERT_EQ(0, pthread_create(&t[i], NULL, race_mapper, &r));
		vkfd_sleep_ms(20);
		ASSERT_EQ(0, free_raw(r.c, r.bo.handle));
		vkfd_sleep_ms(5);
		r.stop = true;
		for (i = 0; i < 4; i++)
			pthread_join(t[i], NULL);
		for (i = 0; i < 4; i++)
			ASSERT_EQ(0, r.bad[i]) TH_LOG("round %d, thread %d", round, i);
		EXPECT_UNMAPPED(r.c, 0, MEM_VA);
		EXPECT_ROW(r.c, 0, 0, self->ngpus * PT_EMPTY);
		EXPECT_BUDGET_FREE();
	}
	TH_LOG("%ld %ld %ld %ld calls in the last round", r.ops[0], r.ops[1],
	       r.ops[2], r.ops[3]);
}

struct alloc_race {
	FIXTURE_DATA(mem) *self;
	struct mem_ctx *c;
	int rounds;
	int bad;
};

static void *race_allocator(void *arg)
{
	struct alloc_race *a = arg;
	FIXTURE_DATA(mem) *self = a->self;
	uint64_t chunk = self->budget / 4;
	struct vkfd_bo bo[4];
	int i, n, ret;

	for (i = 0; i < a->rounds; i++) {
		for (n = 0; n < 4; n++) {
			ret = vkfd_alloc(&a->c->k, self->gpu[0], MEM_VA + n * chunk,
					 chunk, F_VRAM, &bo[n]);
			if (ret == -ENOMEM)
				break;
			if (ret) {
				a->bad++;
				break;
			}
		}
		while (n--)
			if (vkfd_free(&a->c->k, &bo[n]))
				a->bad++;
	}
	return NULL;
}

/* Two contexts race for the whole budget: never more than the budget, all back at the end. */
TEST_F_TIMEOUT(mem, race_vram_budget, 120)
{
	struct alloc_race a[2] = {
		{ .self = self, .c = &self->ctx[0], .rounds = vkfd_scaled(300) },
		{ .self = self, .c = mem_ctx_new(_metadata, self, true),
		  .rounds = vkfd_scaled(300) },
	};
	pthread_t t[2];
	uint64_t v;
	int i, samples = 0;

	for (i = 0; i < 2; i++)
		mem_vm(_metadata, self, a[i].c, 0);
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, race_allocator, &a[i]));
	/* What is available stays within the budget all along */
	for (i = 0; i < 200; i++) {
		v = avail(self, 0);
		EXPECT_GE(self->budget, v);
		samples++;
	}
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(0, a[0].bad);
	EXPECT_EQ(0, a[1].bad);
	EXPECT_BUDGET_FREE();
	EXPECT_ROW(a[0].c, 0, 0, PT_EMPTY);
	EXPECT_ROW(a[1].c, 0, 0, PT_EMPTY);
}

/* ------------------------------------------------------------------------
 * Processes
 */

struct exit_child_args {
	const struct vkfd_env *env;
	int ngpus;
	const uint32_t *gpu;
};

/* Child: a primary and a secondary, 1 MiB of VRAM each per GPU, mapped on every GPU. */
static int exit_child(void *arg, int in, int out)
{
	const struct exit_child_args *a = arg;
	struct vkfd_context ctx[2];
	struct vkfd_bo bo;
	uint64_t v;
	int i, g, fd;
	void *map;

	if (vkfd_open_primary(a->env->dev, &ctx[0]) ||
	    vkfd_open_secondary(a->env->dev, &ctx[1]))
		return 1;
	for (i = 0; i < 2; i++) {
		int render0 = -1;

		for (g = 0; g < a->ngpus; g++) {
			if (vkfd_open_vm(&ctx[i], a->env->topology, a->gpu[g], &fd))
				return 2;
			if (!g)
				render0 = fd;
		}
		for (g = 0; g < a->ngpus; g++) {
			if (vkfd_alloc(&ctx[i], a->gpu[g], MEM_VA + g * MIB, MIB,
				       F_VRAM | F_W, &bo))
				return 3;
			if (vkfd_map(&ctx[i], &bo, a->gpu, a->ngpus))
				return 4;
			if (g)
				continue;
			if (vkfd_bo_mmap(render0, &bo, PROT_READ | PROT_WRITE, &map))
				return 5;
			memset(map, 0x5a, MIB);
		}
	}
	if (vkfd_msg_send(out, 1))
		return 6;
	vkfd_msg_recv(in, &v);
	return 0;	/* exit with everything allocated, mapped and open */
}

/* A process exiting with mapped VRAM: all of it comes back, nothing of it stays. */
TEST_F(mem, exit_with_mapped_memory)
{
	struct exit_child_args a = { &self->env, self->ngpus, self->gpu };
	char path[PATH_MAX];
	uint64_t v;
	pid_t pid;
	int g, ms;

	ASSERT_EQ(0, vkfd_child_start(&self->child, exit_child, &a));
	pid = self->child.pid;
	ASSERT_EQ(0, vkfd_msg_recv(self->child.from_child, &v));
	for (g = 0; g < self->ngpus; g++)
		EXPECT_EQ(self->budget - 2 * MIB, avail(self, g));
	EXPECT_EQ(2, vkfd_ctx_rows(pid));
	EXPECT_TRUE(vkfd_proc_exists(&self->env, pid));

	ASSERT_EQ(0, vkfd_child_wait(&self->child));
	EXPECT_FALSE(vkfd_proc_exists(&self->env, pid));
	/* What an exited primary holds may go from a workqueue: poll, bounded */
	for (ms = 0; ms < MEM_GONE_MS; ms += 20) {
		bool done = vkfd_ctx_rows(pid) == 0;

		for (g = 0; g < self->ngpus; g++)
			done = done && avail(self, g) == self->budget;
		if (done)
			break;
		vkfd_sleep_ms(20);
	}
	TH_LOG("all gone %d ms after the exit", ms);
	EXPECT_EQ(0, vkfd_ctx_rows(pid));
	EXPECT_BUDGET_FREE();
	snprintf(path, sizeof(path), VKFD_DEBUGFS "/proc/%d", (int)pid);
	EXPECT_FALSE(vkfd_exists(path));
}

struct foreign_args {
	const struct vkfd_env *env;
	int kfd;
	int render;
	uint32_t gpu;
	uint64_t handle;
};

/* Child: every memory ioctl on the parent's fd is EBADF. */
static int foreign_child(void *arg, int in, int out)
{
	const struct foreign_args *a = arg;
	struct kfd_ioctl_acquire_vm_args acq = { .drm_fd = a->render, .gpu_id = a->gpu };
	struct kfd_ioctl_alloc_memory_of_gpu_args al = {
		.va_addr = MEM_VA + MIB, .size = PAGE, .gpu_id = a->gpu,
		.flags = F_VRAM | F_W,
	};
	struct kfd_ioctl_map_memory_to_gpu_args map = {
		.handle = a->handle, .device_ids_array_ptr = (uintptr_t)&a->gpu,
		.n_devices = 1,
	};
	struct kfd_ioctl_free_memory_of_gpu_args fr = { .handle = a->handle };
	struct kfd_ioctl_get_available_memory_args av = { .gpu_id = a->gpu };
	int own;

	if (vkfd_ioctl(a->kfd, AMDKFD_IOC_ACQUIRE_VM, &acq) != -EBADF)
		return 1;
	own = vkfd_render_open(a->env->topology, a->gpu);
	if (own < 0)
		return 2;
	acq.drm_fd = own;
	if (vkfd_ioctl(a->kfd, AMDKFD_IOC_ACQUIRE_VM, &acq) != -EBADF)
		return 3;
	close(own);
	if (vkfd_ioctl(a->kfd, AMDKFD_IOC_ALLOC_MEMORY_OF_GPU, &al) != -EBADF ||
	    al.handle)
		return 4;
	if (vkfd_ioctl(a->kfd, AMDKFD_IOC_MAP_MEMORY_TO_GPU, &map) != -EBADF ||
	    map.n_success)
		return 5;
	if (vkfd_ioctl(a->kfd, AMDKFD_IOC_UNMAP_MEMORY_FROM_GPU, &map) != -EBADF)
		return 6;
	if (vkfd_ioctl(a->kfd, AMDKFD_IOC_FREE_MEMORY_OF_GPU, &fr) != -EBADF)
		return 7;
	if (vkfd_ioctl(a->kfd, AMDKFD_IOC_AVAILABLE_MEMORY, &av) != -EBADF)
		return 8;
	return 0;
}

/* A fork child using the parent's fds: EBADF for every memory ioctl; the parent's VM is intact. */
TEST_F(mem, fork_child_ebadf)
{
	struct mem_ctx *c[2] = { &self->ctx[0], mem_ctx_new(_metadata, self, true) };
	struct foreign_args a = { .env = &self->env, .gpu = self->gpu[0] };
	struct mem_snap before;
	struct vkfd_xlate x;
	struct vkfd_bo bo[2];
	int i;

	for (i = 0; i < 2; i++) {
		mem_vm(_metadata, self, c[i], 0);
		ASSERT_EQ(0, vkfd_alloc(&c[i]->k, self->gpu[0], MEM_VA, PAGE,
					F_VRAM | F_W, &bo[i]));
		ASSERT_EQ(0, vkfd_map(&c[i]->k, &bo[i], &self->gpu[0], 1));
	}
	snap(self, &before);
	for (i = 0; i < 2; i++) {
		a.kfd = c[i]->k.fd;
		a.render = c[i]->render[0];
		a.handle = bo[i].handle;
		ASSERT_EQ(0, vkfd_child_start(&self->child, foreign_child, &a));
		EXPECT_EQ(0, vkfd_child_wait(&self->child)) TH_LOG("context %d", i);
	}
	EXPECT_UNCHANGED(&before);
	for (i = 0; i < 2; i++)
		ASSERT_MAPPED(c[i], 0, MEM_VA, &x);
}

/* ------------------------------------------------------------------------
 * Memory cgroup
 */

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		ret = -errno;
	close(fd);
	return ret;
}

/* The cgroup v2 mount point, mounting it at @mnt if nothing has. */
static int cgroup2_root(char *buf, size_t n, char *mnt, size_t mnt_size)
{
	char line[512], dir[256], type[64];
	FILE *f = fopen("/proc/self/mounts", "re");

	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "%*s %255s %63s", dir, type) == 2 &&
			    !strcmp(type, "cgroup2")) {
				fclose(f);
				snprintf(buf, n, "%s", dir);
				return 0;
			}
		}
		fclose(f);
	}
	snprintf(mnt, mnt_size, "/tmp/vkfd-cgroup2-%d", (int)getpid());
	if (mkdir(mnt, 0755) && errno != EEXIST)
		return -errno;
	if (mount("cgroup2", mnt, "cgroup2", 0, NULL)) {
		int ret = -errno;

		rmdir(mnt);
		mnt[0] = '\0';
		return ret;
	}
	snprintf(buf, n, "%s", mnt);
	return 0;
}

static int cg_child(void *arg, int in, int out)
{
	const struct exit_child_args *a = arg;
	struct vkfd_context ctx;
	struct vkfd_bo bo;
	uint64_t v;
	void *map;
	int fd;

	if (vkfd_msg_recv(in, &v))	/* moved into the cgroup */
		return 1;
	if (vkfd_open_primary(a->env->dev, &ctx) ||
	    vkfd_open_vm(&ctx, a->env->topology, a->gpu[0], &fd))
		return 2;
	if (vkfd_alloc(&ctx, a->gpu[0], MEM_VA, 16 * MIB, F_VRAM | F_W, &bo) ||
	    vkfd_map(&ctx, &bo, a->gpu, 1) ||
	    vkfd_bo_mmap(fd, &bo, PROT_READ | PROT_WRITE, &map))
		return 3;
	memset(map, 0x11, 16 * MIB);
	if (vkfd_msg_send(out, 1))
		return 4;
	vkfd_msg_recv(in, &v);
	return 0;
}

/* VRAM and GTT pages are charged to the memory cgroup of the process that touches them. */
TEST_F_TIMEOUT(mem, memcg_charged, 120)
{
	struct exit_child_args a = { &self->env, self->ngpus, self->gpu };
	char root[256], path[PATH_MAX + 32], text[4096], pid[32];
	uint64_t before, after, v;
	int ret;

	ret = cgroup2_root(root, sizeof(root), self->cgroup_mnt,
			   sizeof(self->cgroup_mnt));
	if (ret)
		SKIP(return, "no cgroup v2 (mounting it: %s)", strerror(-ret));
	snprintf(path, sizeof(path), "%s/cgroup.controllers", root);
	if (vkfd_read_text(path, text, sizeof(text)) < 0 || !strstr(text, "memory"))
		SKIP(return, "cgroup v2 without the memory controller");
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", root);
	if (vkfd_read_text(path, text, sizeof(text)) < 0 || !strstr(text, "memory")) {
		ret = write_str(path, "+memory");
		if (ret)
			SKIP(return, "cannot enable the memory controller: %s",
			     strerror(-ret));
	}
	snprintf(self->cgroup, sizeof(self->cgroup), "%s/vkfd-mem-%d", root,
		 (int)getpid());
	ASSERT_EQ(0, mkdir(self->cgroup, 0755)) TH_LOG("%s: %s", self->cgroup,
						       strerror(errno));

	ASSERT_EQ(0, vkfd_child_start(&self->child, cg_child, &a));
	snprintf(path, sizeof(path), "%s/cgroup.procs", self->cgroup);
	snprintf(pid, sizeof(pid), "%d", (int)self->child.pid);
	ASSERT_EQ(0, write_str(path, pid));
	snprintf(path, sizeof(path), "%s/memory.current", self->cgroup);
	ASSERT_EQ(0, vkfd_read_u64(path, &before));
	ASSERT_EQ(0, vkfd_msg_send(self->child.to_child, 1));
	ASSERT_EQ(0, vkfd_msg_recv(self->child.from_child, &v));
	ASSERT_EQ(0, vkfd_read_u64(path, &after));
	TH_LOG("memory.current %llu -> %llu", (unsigned long long)before,
	       (unsigned long long)after);
	EXPECT_LE(before + 16 * MIB, after);
	EXPECT_EQ(0, vkfd_child_wait(&self->child));
	EXPECT_EQ(0, rmdir(self->cgroup));
	self->cgroup[0] = '\0';
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

	ASSERT_EQ(0, vkfd_topo_load(self->env.topology, &topo));
	for (g = 0; g < self->ngpus; g++) {
		args = (struct kfd_ioctl_get_available_memory_args){ .gpu_id = self->gpu[g] };
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
	args.gpu_id = self->gpu[0];
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

	ASSERT_EQ(0, vkfd_topo_load(self->env.topology, &topo));
	args = (struct kfd_ioctl_set_memory_policy_args){ .gpu_id = self->gpu[0] };
	test_err_ioctl(ESRCH, c->k.fd, AMDKFD_IOC_SET_MEMORY_POLICY, &args);
	mem_vm(_metadata, self, c, 0);
	for (d = 0; d < 2; d++)
		for (a = 0; a < 2; a++) {
			args = (struct kfd_ioctl_set_memory_policy_args){
				.alternate_aperture_base = 0x100000000ULL,
				.alternate_aperture_size = 0x10000000ULL,
				.gpu_id = self->gpu[0],
				.default_policy = d, .alternate_policy = a,
			};
			test_ioctl(c->k.fd, AMDKFD_IOC_SET_MEMORY_POLICY, &args);
		}
	args = (struct kfd_ioctl_set_memory_policy_args){
		.gpu_id = self->gpu[0], .default_policy = 2,
	};
	test_err_ioctl(EINVAL, c->k.fd, AMDKFD_IOC_SET_MEMORY_POLICY, &args);
	args.default_policy = 0;
	args.alternate_policy = 0xffffffff;
	test_err_ioctl(EINVAL, c->k.fd, AMDKFD_IOC_SET_MEMORY_POLICY, &args);
	args.alternate_policy = 0;
	args.pad = 1;
	test_err_ioctl(EINVAL, c->k.fd, AMDKFD_IOC_SET_MEMORY_POLICY, &args);
	args.pad = 0;
	args.gpu_id = vkfd_topo_unused_gpu_id(&topo);
	test_err_ioctl(EINVAL, c->k.fd, AMDKFD_IOC_SET_MEMORY_POLICY, &args);
	args.gpu_id = 0;
	test_err_ioctl(EINVAL, c->k.fd, AMDKFD_IOC_SET_MEMORY_POLICY, &args);
	if (self->ngpus > 1) {
		args.gpu_id = self->gpu[1];
		test_err_ioctl(ESRCH, c->k.fd, AMDKFD_IOC_SET_MEMORY_POLICY, &args);
	}
}

/* SET_SCRATCH_BACKING_VA: needs the VM; unknown GPU, no VM or pad: EINVAL. */
TEST_F(mem, set_scratch_backing_va)
{
	struct mem_ctx *s = mem_ctx_new(_metadata, self, true);
	struct kfd_ioctl_set_scratch_backing_va_args args;
	struct vkfd_topo topo;

	ASSERT_EQ(0, vkfd_topo_load(self->env.topology, &topo));
	args = (struct kfd_ioctl_set_scratch_backing_va_args){
		.va_addr = MEM_VA, .gpu_id = self->gpu[0],
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
	if (self->ngpus > 1) {
		args.gpu_id = self->gpu[1];
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

	ASSERT_EQ(0, vkfd_topo_load(self->env.topology, &topo));
	for (g = 0; g < self->ngpus; g++) {
		vkfd_fill(tiles, sizeof(tiles));
		vkfd_fill(macro, sizeof(macro));
		args = (struct kfd_ioctl_get_tile_config_args){
			.tile_config_ptr = (uintptr_t)tiles,
			.macro_tile_config_ptr = (uintptr_t)macro,
			.num_tile_configs = 32, .num_macro_tile_configs = 16,
			.gpu_id = self->gpu[g],
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

/* ------------------------------------------------------------------------
 * The translate file itself
 */

/* No such process, context or VM: ENOENT; an unparsable request: EINVAL. */
TEST_F(mem, translate_errors)
{
	static const char * const garbage[] = { "hello", "1 2 3", "1 65535" };
	struct mem_ctx *s = mem_ctx_new(_metadata, self, true);
	struct vkfd_xlate x;
	int fd, i;

	mem_vm(_metadata, self, &self->ctx[0], 0);
	EXPECT_EQ(0, xlate(self, &self->ctx[0], 0, MEM_VA, &x)) TH_LOG("%s", x.text);
	/* a secondary without a VM, a context that does not exist, another pid */
	EXPECT_EQ(-ENOENT, xlate(self, s, 0, MEM_VA, &x));
	EXPECT_EQ(-ENOENT, vkfd_translate(self->pid, s->id + 1, self->gpu[0], MEM_VA, &x));
	EXPECT_EQ(-ENOENT, vkfd_translate(self->pid, 0xfffe, self->gpu[0], MEM_VA, &x));
	EXPECT_EQ(-ENOENT, vkfd_translate(getppid(), VKFD_CTX_ID_PRIMARY,
					  self->gpu[0], MEM_VA, &x));
	EXPECT_EQ(-ENOENT, vkfd_translate(self->pid, VKFD_CTX_ID_PRIMARY, 0, MEM_VA, &x));
	if (self->ngpus > 1)
		EXPECT_EQ(-ENOENT, xlate(self, &self->ctx[0], 1, MEM_VA, &x));
	for (i = 0; i < (int)ARRAY_SIZE(garbage); i++) {
		fd = open(VKFD_DEBUGFS "/translate", O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fd);
		EXPECT_EQ(-1, write(fd, garbage[i], strlen(garbage[i])))
			TH_LOG("'%s'", garbage[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("'%s'", garbage[i]);
		close(fd);
	}
}

TEST_HARNESS_MAIN
