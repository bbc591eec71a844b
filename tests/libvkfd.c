// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libvkfd: open the primary, open a secondary, close, query; GPUs, GPU VMs
 * and buffers. Runs against vkfd and amdkfd; on a kernel without secondary
 * contexts the library must say so (-EOPNOTSUPP) and leave nothing open,
 * on a CPU-only topology it finds no GPU.
 */
#include "kselftest_harness.h"
#include "vkfd_utils.h"

#include <sys/sysmacros.h>

#include "libvkfd.h"

/*
 * The base fixture (environment, GPUs) and the library's own contexts
 * and render fds: what the tests open and close through libvkfd.
 */
FIXTURE(lib) {
	struct vkfd_base b;
	struct vkfd_context ctx[4];
	bool has_secondaries;
	int render[4];
};

/* Open fds of this process, from /proc/self/fd. */
static int lib_open_fds(void)
{
	return vkfd_count_entries("/proc/self/fd");
}

FIXTURE_SETUP(lib)
{
	struct vkfd_context probe;
	int i, ret;

	vkfd_base_setup(&self->b, 0);
	for (i = 0; i < (int)ARRAY_SIZE(self->ctx); i++)
		self->ctx[i].fd = -1;
	for (i = 0; i < (int)ARRAY_SIZE(self->render); i++)
		self->render[i] = -1;
	ret = vkfd_open_secondary(self->b.env.dev, &probe);
	self->has_secondaries = !ret;
	if (!ret)
		vkfd_close(&probe);
	/* libvkfd's view of the GPUs; the tests use the base fixture's */
	ASSERT_LE(0, vkfd_gpu_ids(self->b.env.topology, NULL, 0));
}

FIXTURE_TEARDOWN(lib)
{
	int i;

	for (i = 0; i < (int)ARRAY_SIZE(self->ctx); i++)
		if (self->ctx[i].fd >= 0)
			vkfd_close(&self->ctx[i]);
	for (i = 0; i < (int)ARRAY_SIZE(self->render); i++)
		if (self->render[i] >= 0)
			close(self->render[i]);
	vkfd_base_teardown(&self->b);
}

#define NEED_GPU()	VKFD_NEED_GPUS(&self->b, 1)

/*
 * The primary: version 1.x, context id 0xffff; on vkfd, each GPU of the
 * topology, and a PASID on each once the context has its VM there.
 */
TEST_F(lib, open_primary_and_query)
{
	struct vkfd_context_info info;
	uint32_t i;

	ASSERT_EQ(0, vkfd_open_primary(self->b.env.dev, &self->ctx[0]));
	EXPECT_TRUE(self->ctx[0].primary);
	ASSERT_EQ(0, vkfd_query(&self->ctx[0], &info));
	EXPECT_EQ(1U, info.major);
	EXPECT_EQ(0xffffU, info.ctx_id);
	if (self->b.env.amdkfd) {
		/* amdkfd does not describe contexts */
		EXPECT_EQ(0U, info.num_gpus);
		return;
	}
	ASSERT_EQ((uint32_t)self->b.ngpus, info.num_gpus);
	for (i = 0; i < info.num_gpus; i++) {
		EXPECT_EQ(self->b.gpu[i], info.gpu_ids[i]);
		EXPECT_EQ(0U, info.pasids[i]);
	}
	for (i = 0; i < info.num_gpus; i++)
		ASSERT_EQ(0, vkfd_open_vm(&self->ctx[0], self->b.env.topology,
					  self->b.gpu[i], &self->render[i]));
	ASSERT_EQ(0, vkfd_query(&self->ctx[0], &info));
	for (i = 0; i < info.num_gpus; i++)
		EXPECT_NE(0U, info.pasids[i]);
}

/* A secondary has its own id and PASIDs; on a kernel without them: -EOPNOTSUPP, no fd left. */
TEST_F(lib, open_secondary)
{
	struct vkfd_context_info pri, sec;
	int fds = lib_open_fds();
	uint32_t i;

	if (!self->has_secondaries) {
		EXPECT_EQ(-EOPNOTSUPP,
			  vkfd_open_secondary(self->b.env.dev, &self->ctx[1]));
		EXPECT_EQ(fds, lib_open_fds());
		return;
	}
	ASSERT_EQ(0, vkfd_open_primary(self->b.env.dev, &self->ctx[0]));
	ASSERT_EQ(0, vkfd_open_secondary(self->b.env.dev, &self->ctx[1]));
	EXPECT_FALSE(self->ctx[1].primary);
	/* PASIDs come with the VMs */
	if (self->b.ngpus) {
		ASSERT_EQ(0, vkfd_open_vm(&self->ctx[0], self->b.env.topology,
					  self->b.gpu[0], &self->render[0]));
		ASSERT_EQ(0, vkfd_open_vm(&self->ctx[1], self->b.env.topology,
					  self->b.gpu[0], &self->render[1]));
	}
	ASSERT_EQ(0, vkfd_query(&self->ctx[0], &pri));
	ASSERT_EQ(0, vkfd_query(&self->ctx[1], &sec));
	EXPECT_EQ(0U, sec.ctx_id);
	ASSERT_EQ(pri.num_gpus, sec.num_gpus);
	if (sec.num_gpus) {
		EXPECT_NE(0U, sec.pasids[0]);
		EXPECT_NE(pri.pasids[0], sec.pasids[0]);
	}
	for (i = 1; i < sec.num_gpus; i++) {
		EXPECT_EQ(0U, pri.pasids[i]);
		EXPECT_EQ(0U, sec.pasids[i]);
	}
}

/* Closing one secondary leaves the other and the primary as they were. */
TEST_F(lib, close_one_of_two_secondaries)
{
	struct vkfd_context_info a, b;

	if (!self->has_secondaries)
		SKIP(return, "the driver has no secondary contexts");
	ASSERT_EQ(0, vkfd_open_secondary(self->b.env.dev, &self->ctx[1]));
	ASSERT_EQ(0, vkfd_open_secondary(self->b.env.dev, &self->ctx[2]));
	ASSERT_EQ(0, vkfd_query(&self->ctx[2], &b));
	EXPECT_EQ(1U, b.ctx_id);
	ASSERT_EQ(0, vkfd_close(&self->ctx[1]));
	ASSERT_EQ(0, vkfd_query(&self->ctx[2], &a));
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
	/* The freed id is the next one handed out */
	ASSERT_EQ(0, vkfd_open_secondary(self->b.env.dev, &self->ctx[1]));
	ASSERT_EQ(0, vkfd_query(&self->ctx[1], &a));
	EXPECT_EQ(0U, a.ctx_id);
}

/* A closed context: close and query fail with -EBADF, and the handle says so. */
TEST_F(lib, closed_context_ebadf)
{
	struct vkfd_context_info info;

	ASSERT_EQ(0, vkfd_open_primary(self->b.env.dev, &self->ctx[0]));
	ASSERT_EQ(0, vkfd_close(&self->ctx[0]));
	EXPECT_EQ(-1, self->ctx[0].fd);
	EXPECT_EQ(-EBADF, vkfd_close(&self->ctx[0]));
	EXPECT_EQ(-EBADF, vkfd_query(&self->ctx[0], &info));
}

/* A device that does not exist: -ENOENT from both opens, nothing left open. */
TEST_F(lib, missing_device_enoent)
{
	int fds = lib_open_fds();

	EXPECT_EQ(-ENOENT, vkfd_open_primary("/dev/vkfd-none", &self->ctx[0]));
	EXPECT_EQ(-ENOENT, vkfd_open_secondary("/dev/vkfd-none", &self->ctx[1]));
	EXPECT_EQ(fds, lib_open_fds());
}

/* Child: query the inherited context; report the result. */
static int lib_child(void *arg, int in, int out)
{
	struct vkfd_context_info info;

	return vkfd_query(arg, &info) == -EBADF ? 0 : 1;
}

/* A fork child cannot query its parent's context: -EBADF. */
TEST_F(lib, fork_child_query_ebadf)
{
	struct vkfd_child child;

	ASSERT_EQ(0, vkfd_open_primary(self->b.env.dev, &self->ctx[0]));
	ASSERT_EQ(0, vkfd_child_start(&child, lib_child, &self->ctx[0]));
	EXPECT_EQ(0, vkfd_child_wait(&child));
}

/* ------------------------------------------------------------------------
 * GPUs and GPU VMs
 */

/* vkfd_gpu_ids() lists the topology's GPU nodes in order; a small array gets a prefix. */
TEST_F(lib, gpu_ids_match_topology)
{
	uint32_t ids[VKFD_LIB_MAX_GPUS], one = 0;
	struct vkfd_topo topo;
	int i, n;

	ASSERT_EQ(0, vkfd_topo_load(self->b.env.topology, &topo));
	n = vkfd_gpu_ids(self->b.env.topology, ids, VKFD_LIB_MAX_GPUS);
	ASSERT_LE(0, n);
	n = n < VKFD_LIB_MAX_GPUS ? n : VKFD_LIB_MAX_GPUS;
	ASSERT_EQ(topo.num_gpus, n);
	for (i = 0; i < n; i++)
		EXPECT_EQ(topo.gpu_id[i], ids[i]);
	EXPECT_EQ(topo.num_gpus, vkfd_gpu_ids(self->b.env.topology, &one, 1));
	if (topo.num_gpus)
		EXPECT_EQ(topo.gpu_id[0], one);
	EXPECT_EQ(-ENOENT, vkfd_gpu_ids("/nonexistent", &one, 1));
}

/* The render node of each GPU is its DRM render minor; unknown GPUs -ENOENT. */
TEST_F(lib, render_open)
{
	struct vkfd_topo topo;
	struct stat st;
	uint32_t minor;
	int i, fd;

	ASSERT_EQ(0, vkfd_topo_load(self->b.env.topology, &topo));
	EXPECT_EQ(-ENOENT, vkfd_render_open(self->b.env.topology,
					    vkfd_topo_unused_gpu_id(&topo)));
	EXPECT_EQ(-ENOENT, vkfd_render_open(self->b.env.topology, 0));
	NEED_GPU();
	for (i = 0; i < self->b.ngpus; i++) {
		ASSERT_EQ(0, vkfd_render_minor(self->b.env.topology, self->b.gpu[i], &minor));
		fd = vkfd_render_open(self->b.env.topology, self->b.gpu[i]);
		ASSERT_LE(0, fd) TH_LOG("gpu %u: %s", self->b.gpu[i], strerror(-fd));
		ASSERT_EQ(0, fstat(fd, &st));
		EXPECT_TRUE(S_ISCHR(st.st_mode));
		EXPECT_EQ(226U, major(st.st_rdev));	/* DRM */
		EXPECT_EQ(minor, minor(st.st_rdev));
		EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
		close(fd);
	}
}

/* vkfd_open_vm(): a VM and its PASID; a failure leaves no fd open. */
TEST_F(lib, open_vm)
{
	struct vkfd_context_info info;
	struct vkfd_topo topo;
	int fds, fd = -1;

	NEED_GPU();
	ASSERT_EQ(0, vkfd_topo_load(self->b.env.topology, &topo));
	ASSERT_EQ(0, vkfd_open_secondary(self->b.env.dev, &self->ctx[1]));
	fds = lib_open_fds();
	EXPECT_EQ(-ENOENT, vkfd_open_vm(&self->ctx[1], self->b.env.topology,
					vkfd_topo_unused_gpu_id(&topo), &fd));
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(fds, lib_open_fds());
	ASSERT_EQ(0, vkfd_open_vm(&self->ctx[1], self->b.env.topology, self->b.gpu[0],
				  &self->render[0]));
	ASSERT_EQ(0, vkfd_query(&self->ctx[1], &info));
	EXPECT_NE(0U, info.pasids[0]);
	/* Another render file for the same GPU: -EBUSY, and it is closed again */
	fds = lib_open_fds();
	EXPECT_EQ(-EBUSY, vkfd_open_vm(&self->ctx[1], self->b.env.topology,
				       self->b.gpu[0], &fd));
	EXPECT_EQ(fds, lib_open_fds());
	/* The same render file again: 0 */
	EXPECT_EQ(0, vkfd_acquire_vm(&self->ctx[1], self->b.gpu[0], self->render[0]));
	/* A closed context */
	ASSERT_EQ(0, vkfd_close(&self->ctx[1]));
	EXPECT_EQ(-EBADF, vkfd_acquire_vm(&self->ctx[1], self->b.gpu[0], self->render[0]));
	EXPECT_EQ(-EBADF, vkfd_open_vm(&self->ctx[1], self->b.env.topology,
				       self->b.gpu[0], &fd));
}

/* ------------------------------------------------------------------------
 * Buffers
 */

#define LIB_VA		0x100000000ULL
#define LIB_SIZE	(64 * 1024)

/* Allocate, map, CPU-map, write, unmap, free: AVAILABLE_MEMORY follows. */
TEST_F(lib, bo_round_trip)
{
	struct vkfd_context *c = &self->ctx[0];
	uint64_t before, during, after;
	struct vkfd_bo bo, copy;
	uint8_t *p;
	void *map;
	int i;

	NEED_GPU();
	ASSERT_EQ(0, vkfd_open_primary(self->b.env.dev, c));
	ASSERT_EQ(0, vkfd_available_memory(c, self->b.gpu[0], &before));
	ASSERT_EQ(0, vkfd_open_vm(c, self->b.env.topology, self->b.gpu[0],
				  &self->render[0]));
	ASSERT_EQ(0, vkfd_alloc(c, self->b.gpu[0], LIB_VA, LIB_SIZE,
				KFD_IOC_ALLOC_MEM_FLAGS_VRAM |
				KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE, &bo));
	EXPECT_EQ(LIB_VA, bo.va);
	EXPECT_EQ((uint64_t)LIB_SIZE, bo.size);
	EXPECT_EQ(self->b.gpu[0], bo.gpu_id);
	EXPECT_EQ((uint64_t)self->b.gpu[0], bo.handle >> 32);
	ASSERT_EQ(0, vkfd_available_memory(c, self->b.gpu[0], &during));
	EXPECT_EQ(before - LIB_SIZE, during);
	ASSERT_EQ(0, vkfd_map(c, &bo, self->b.gpu, 1));
	ASSERT_EQ(0, vkfd_bo_mmap(self->render[0], &bo, PROT_READ | PROT_WRITE, &map));
	p = map;
	for (i = 0; i < LIB_SIZE; i++)
		ASSERT_EQ(0, p[i]);
	memset(p, 0x3c, LIB_SIZE);
	EXPECT_EQ(0, vkfd_bo_munmap(&bo, map));
	/* A second mapping sees the bytes */
	ASSERT_EQ(0, vkfd_bo_mmap(self->render[0], &bo, PROT_READ, &map));
	p = map;
	EXPECT_EQ(0x3c, p[LIB_SIZE - 1]);
	EXPECT_EQ(0, vkfd_bo_munmap(&bo, map));
	ASSERT_EQ(0, vkfd_unmap(c, &bo, self->b.gpu, 1));
	/* Not mapped any more */
	EXPECT_EQ(-EINVAL, vkfd_unmap(c, &bo, self->b.gpu, 1));
	copy = bo;
	ASSERT_EQ(0, vkfd_free(c, &bo));
	EXPECT_EQ(0ULL, bo.handle);
	ASSERT_EQ(0, vkfd_available_memory(c, self->b.gpu[0], &after));
	EXPECT_EQ(before, after);
	/* Freed: the handle is unknown */
	EXPECT_EQ(-EINVAL, vkfd_free(c, &copy));
	EXPECT_EQ(copy.handle >> 32, (uint64_t)self->b.gpu[0]);
}

/* Errors come back as -errno: no VM, USERPTR through vkfd_alloc(), a foreign render file. */
TEST_F(lib, bo_errors)
{
	struct vkfd_context *c = &self->ctx[0];
	struct vkfd_bo bo = { 0 }, none = { 0 };
	void *map;

	NEED_GPU();
	ASSERT_EQ(0, vkfd_open_primary(self->b.env.dev, c));
	EXPECT_EQ(-EINVAL, vkfd_alloc(c, self->b.gpu[0], LIB_VA, LIB_SIZE,
				      KFD_IOC_ALLOC_MEM_FLAGS_GTT, &bo));
	EXPECT_EQ(-EINVAL, vkfd_alloc(c, self->b.gpu[0], LIB_VA, LIB_SIZE,
				      KFD_IOC_ALLOC_MEM_FLAGS_USERPTR, &bo));
	ASSERT_EQ(0, vkfd_open_vm(c, self->b.env.topology, self->b.gpu[0],
				  &self->render[0]));
	EXPECT_EQ(-EINVAL, vkfd_free(c, &none));
	EXPECT_EQ(-EINVAL, vkfd_map(c, &none, self->b.gpu, 1));
	EXPECT_EQ(-EINVAL, vkfd_map(c, &bo, self->b.gpu, 0));
	ASSERT_EQ(0, vkfd_alloc(c, self->b.gpu[0], LIB_VA, LIB_SIZE,
				KFD_IOC_ALLOC_MEM_FLAGS_GTT, &bo));
	/* A render file not bound to the VM may not map it */
	self->render[1] = vkfd_render_open(self->b.env.topology, self->b.gpu[0]);
	ASSERT_LE(0, self->render[1]);
	EXPECT_EQ(-EACCES, vkfd_bo_mmap(self->render[1], &bo, PROT_READ, &map));
	EXPECT_EQ(0, vkfd_free(c, &bo));
	ASSERT_EQ(0, vkfd_close(c));
	EXPECT_EQ(-EBADF, vkfd_free(c, &bo));
	EXPECT_EQ(-EBADF, vkfd_alloc(c, self->b.gpu[0], LIB_VA, LIB_SIZE,
				     KFD_IOC_ALLOC_MEM_FLAGS_GTT, &bo));
}

/* USERPTR over the caller's memory, on the primary only. */
TEST_F(lib, bo_userptr)
{
	struct vkfd_bo bo;
	uint8_t *user;

	NEED_GPU();
	user = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, user);
	memset(user, 0x77, 4 * 4096);
	ASSERT_EQ(0, vkfd_open_primary(self->b.env.dev, &self->ctx[0]));
	ASSERT_EQ(0, vkfd_open_vm(&self->ctx[0], self->b.env.topology,
				  self->b.gpu[0], &self->render[0]));
	ASSERT_EQ(0, vkfd_alloc_userptr(&self->ctx[0], self->b.gpu[0], LIB_VA,
					user, 4 * 4096, 0, &bo));
	EXPECT_EQ((uint64_t)(uintptr_t)user, bo.mmap_offset);
	EXPECT_NE(0U, bo.flags & KFD_IOC_ALLOC_MEM_FLAGS_USERPTR);
	ASSERT_EQ(0, vkfd_map(&self->ctx[0], &bo, self->b.gpu, 1));
	EXPECT_EQ(0, vkfd_free(&self->ctx[0], &bo));
	if (self->has_secondaries) {
		ASSERT_EQ(0, vkfd_open_secondary(self->b.env.dev, &self->ctx[1]));
		ASSERT_EQ(0, vkfd_open_vm(&self->ctx[1], self->b.env.topology,
					  self->b.gpu[0], &self->render[1]));
		EXPECT_EQ(-EOPNOTSUPP,
			  vkfd_alloc_userptr(&self->ctx[1], self->b.gpu[0], LIB_VA,
					     user, 4 * 4096, 0, &bo));
	}
	munmap(user, 4 * 4096);
}

TEST_HARNESS_MAIN
