// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * GPU memory and processes: threads racing over buffers and the VRAM
 * budget, a process exiting with mapped memory, a fork child, and the
 * memory cgroup the pages are charged to.
 *
 * vkfd only, like every mem_*.c: the fixture (mem_utils.h) skips on
 * amdkfd, which has no GPU to allocate on.
 */
#include <pthread.h>

#include "kselftest_harness.h"
#include "mem_utils.h"

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
		ret = _test_mem_map(r->c, me % 2, r->bo.handle, self->b.gpu, self->b.ngpus, &n);
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

	for (i = 0; i < self->b.ngpus; i++)
		mem_vm(_metadata, self, r.c, i);
	for (round = 0; round < vkfd_scaled(50) + 2; round++) {
		ASSERT_EQ(0, vkfd_alloc(&r.c->k, self->b.gpu[0], MEM_VA, 4 * MIB,
					F_VRAM | F_W, &r.bo));
		r.stop = false;
		r.index = 0;
		for (i = 0; i < 4; i++)
			ASSERT_EQ(0, pthread_create(&t[i], NULL, race_mapper, &r));
		vkfd_sleep_ms(20);
		test_mem_free(r.c, r.bo.handle);
		vkfd_sleep_ms(5);
		r.stop = true;
		for (i = 0; i < 4; i++)
			pthread_join(t[i], NULL);
		for (i = 0; i < 4; i++)
			ASSERT_EQ(0, r.bad[i]) TH_LOG("round %d, thread %d", round, i);
		EXPECT_UNMAPPED(r.c, 0, MEM_VA);
		EXPECT_ROW(r.c, 0, 0, self->b.ngpus * PT_EMPTY);
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
			ret = vkfd_alloc(&a->c->k, self->b.gpu[0], MEM_VA + n * chunk,
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
	struct exit_child_args a = { &self->b.env, self->b.ngpus, self->b.gpu };
	char path[PATH_MAX];
	uint64_t v;
	pid_t pid;
	int g, ms;

	ASSERT_EQ(0, vkfd_child_start(&self->b.child, exit_child, &a));
	pid = self->b.child.pid;
	ASSERT_EQ(0, vkfd_msg_recv(self->b.child.from_child, &v));
	for (g = 0; g < self->b.ngpus; g++)
		EXPECT_EQ(self->budget - 2 * MIB, avail(self, g));
	EXPECT_EQ(2, vkfd_ctx_rows(pid));
	EXPECT_TRUE(vkfd_proc_exists(&self->b.env, pid));

	ASSERT_EQ(0, vkfd_child_wait(&self->b.child));
	EXPECT_FALSE(vkfd_proc_exists(&self->b.env, pid));
	/* What an exited primary holds may go from a workqueue: poll, bounded */
	for (ms = 0; ms < MEM_GONE_MS; ms += 20) {
		bool done = vkfd_ctx_rows(pid) == 0;

		for (g = 0; g < self->b.ngpus; g++)
			done = done && avail(self, g) == self->budget;
		if (done)
			break;
		vkfd_sleep_ms(20);
	}
	TH_LOG("all gone %d ms after the exit", ms);
	EXPECT_EQ(0, vkfd_ctx_rows(pid));
	EXPECT_BUDGET_FREE();
	vkfd_debugfs_path(path, sizeof(path), "/proc/%d", (int)pid);
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

	if (_test_ioctl(a->kfd, AMDKFD_IOC_ACQUIRE_VM, &acq) != -EBADF)
		return 1;
	own = vkfd_render_open(a->env->topology, a->gpu);
	if (own < 0)
		return 2;
	acq.drm_fd = own;
	if (_test_ioctl(a->kfd, AMDKFD_IOC_ACQUIRE_VM, &acq) != -EBADF)
		return 3;
	close(own);
	if (_test_alloc_memory(a->kfd, &al) != -EBADF ||
	    al.handle)
		return 4;
	if (_test_map_memory(a->kfd, &map) != -EBADF ||
	    map.n_success)
		return 5;
	if (_test_ioctl(a->kfd, AMDKFD_IOC_UNMAP_MEMORY_FROM_GPU, &map) != -EBADF)
		return 6;
	if (_test_ioctl(a->kfd, AMDKFD_IOC_FREE_MEMORY_OF_GPU, &fr) != -EBADF)
		return 7;
	if (_test_ioctl(a->kfd, AMDKFD_IOC_AVAILABLE_MEMORY, &av) != -EBADF)
		return 8;
	return 0;
}

/* A fork child using the parent's fds: EBADF for every memory ioctl; the parent's VM is intact. */
TEST_F(mem, fork_child_ebadf)
{
	struct mem_ctx *c[2] = { &self->ctx[0], mem_ctx_new(_metadata, self, true) };
	struct foreign_args a = { .env = &self->b.env, .gpu = self->b.gpu[0] };
	struct mem_snap before;
	struct vkfd_xlate x;
	struct vkfd_bo bo[2];
	int i;

	for (i = 0; i < 2; i++) {
		mem_vm(_metadata, self, c[i], 0);
		ASSERT_EQ(0, vkfd_alloc(&c[i]->k, self->b.gpu[0], MEM_VA, PAGE,
					F_VRAM | F_W, &bo[i]));
		ASSERT_EQ(0, vkfd_map(&c[i]->k, &bo[i], &self->b.gpu[0], 1));
	}
	snap(self, &before);
	for (i = 0; i < 2; i++) {
		a.kfd = c[i]->k.fd;
		a.render = c[i]->render[0];
		a.handle = bo[i].handle;
		ASSERT_EQ(0, vkfd_child_start(&self->b.child, foreign_child, &a));
		EXPECT_EQ(0, vkfd_child_wait(&self->b.child)) TH_LOG("context %d", i);
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
	struct exit_child_args a = { &self->b.env, self->b.ngpus, self->b.gpu };
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

	ASSERT_EQ(0, vkfd_child_start(&self->b.child, cg_child, &a));
	snprintf(path, sizeof(path), "%s/cgroup.procs", self->cgroup);
	snprintf(pid, sizeof(pid), "%d", (int)self->b.child.pid);
	ASSERT_EQ(0, write_str(path, pid));
	snprintf(path, sizeof(path), "%s/memory.current", self->cgroup);
	ASSERT_EQ(0, vkfd_read_u64(path, &before));
	ASSERT_EQ(0, vkfd_msg_send(self->b.child.to_child, 1));
	ASSERT_EQ(0, vkfd_msg_recv(self->b.child.from_child, &v));
	ASSERT_EQ(0, vkfd_read_u64(path, &after));
	TH_LOG("memory.current %llu -> %llu", (unsigned long long)before,
	       (unsigned long long)after);
	EXPECT_LE(before + 16 * MIB, after);
	EXPECT_EQ(0, vkfd_child_wait(&self->b.child));
	EXPECT_EQ(0, rmdir(self->cgroup));
	self->cgroup[0] = '\0';
}

TEST_HARNESS_MAIN
