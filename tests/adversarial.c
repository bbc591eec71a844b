// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Adversarial cases from real GPU-driver security bugs (the anchors
 * document's section 6), for what vkfd has so far: contexts, VMs and GPU
 * memory. Each test names its row. Races run under KASAN and lockdep in
 * the debug lane, where a use-after-free is a splat that fails the lane;
 * here they check that the bookkeeping comes out exact.
 *
 * All of them need a GPU and vkfd's introspection: they skip on amdkfd.
 */
#include "kselftest_harness.h"
#include "vkfd_utils.h"

#include <inttypes.h>
#include <pthread.h>
#include <linux/vkfd_ioctl.h>

#define CONTEXTS	"/sys/kernel/debug/vkfd/contexts"
#define VA		0x100000000ULL
#define WR_VRAM		(KFD_IOC_ALLOC_MEM_FLAGS_VRAM | \
			 KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE)

FIXTURE(adv) {
	struct vkfd_env env;
	uint32_t gpu_id;
	char render[64];
};

FIXTURE_SETUP(adv)
{
	char path[PATH_MAX];
	struct vkfd_props props;
	struct vkfd_topo topo;
	uint64_t minor;

	vkfd_env_init(&self->env);
	if (self->env.amdkfd)
		SKIP(longjmp(_metadata->env, 1),
		     "amdkfd: needs a GPU and vkfd's debugfs");
	if (access(CONTEXTS, R_OK))
		SKIP(longjmp(_metadata->env, 1), "no %s", CONTEXTS);
	ASSERT_EQ(0, vkfd_topo_load(self->env.topology, &topo));
	ASSERT_LT(0, topo.num_gpus);
	self->gpu_id = topo.gpu_id[0];
	snprintf(path, sizeof(path), "%s/nodes/%d/properties",
		 self->env.topology, topo.gpu_node[0]);
	ASSERT_EQ(0, vkfd_props_read(path, &props, 0));
	ASSERT_TRUE(vkfd_prop(&props, "drm_render_minor", &minor));
	snprintf(self->render, sizeof(self->render), "/dev/dri/renderD%" PRIu64,
		 minor);
}

FIXTURE_TEARDOWN(adv)
{
}

/* A fresh secondary with a VM on @gpu_id; its render fd in *@r. */
static int open_vm(const struct vkfd_env *env, const char *render,
		   uint32_t gpu_id, int *r)
{
	struct kfd_ioctl_acquire_vm_args acq = { .gpu_id = gpu_id };
	int s = vkfd_open_dev(env);

	*r = open(render, O_RDWR | O_CLOEXEC);
	if (s < 0 || *r < 0 || ioctl(s, VKFD_IOC_CREATE_PROCESS, 0))
		return -1;
	acq.drm_fd = *r;
	return ioctl(s, AMDKFD_IOC_ACQUIRE_VM, &acq) ? -1 : s;
}

static int alloc(int fd, uint32_t gpu_id, uint64_t va, uint64_t size,
		 uint32_t flags, struct kfd_ioctl_alloc_memory_of_gpu_args *a)
{
	*a = (struct kfd_ioctl_alloc_memory_of_gpu_args){
		.va_addr = va, .size = size, .gpu_id = gpu_id, .flags = flags,
	};
	return vkfd_ioctl(fd, AMDKFD_IOC_ALLOC_MEMORY_OF_GPU, a);
}

static int map1(int fd, uint64_t handle, uint32_t gpu_id, bool unmap)
{
	struct kfd_ioctl_map_memory_to_gpu_args m = {
		.handle = handle,
		.device_ids_array_ptr = (uintptr_t)&gpu_id,
		.n_devices = 1,
	};

	return vkfd_ioctl(fd, unmap ? AMDKFD_IOC_UNMAP_MEMORY_FROM_GPU :
				      AMDKFD_IOC_MAP_MEMORY_TO_GPU, &m);
}

static int free_mem(int fd, uint64_t handle)
{
	struct kfd_ioctl_free_memory_of_gpu_args f = { .handle = handle };

	return vkfd_ioctl(fd, AMDKFD_IOC_FREE_MEMORY_OF_GPU, &f);
}

static uint64_t available(int fd, uint32_t gpu_id)
{
	struct kfd_ioctl_get_available_memory_args a = { .gpu_id = gpu_id };

	return vkfd_ioctl(fd, AMDKFD_IOC_AVAILABLE_MEMORY, &a) ? 0 : a.available;
}

/* The id of @fd's context, for the contexts file ("primary" or a number). */
static void ctx_name(int fd, char *buf, size_t n)
{
	struct vkfd_ioctl_ctx_info info = { .ctx_id = VKFD_CTX_ID_SELF };

	if (vkfd_ioctl(fd, VKFD_IOC_CTX_INFO, &info))
		snprintf(buf, n, "?");
	else if (info.ctx_id == VKFD_CTX_ID_PRIMARY)
		snprintf(buf, n, "primary");
	else
		snprintf(buf, n, "%u", info.ctx_id);
}

/* Buffer handles of @fd's context (contexts file, column "bos"); -1 if none. */
static long ctx_bos(int fd)
{
	char text[VKFD_TEXT_MAX], want[32], *line, *save;
	char pid[16], ctx[16], state[16], pasids[64];
	unsigned long refs, bos;

	ctx_name(fd, want, sizeof(want));
	if (vkfd_read_text(CONTEXTS, text, sizeof(text)) < 0)
		return -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%15s %15s %15s %lu %63s %lu", pid, ctx, state,
			   &refs, pasids, &bos) == 6 &&
		    atoi(pid) == getpid() && !strcmp(ctx, want))
			return bos;
	}
	return -1;
}

/* Row 4 (CVE-2024-26656): USERPTR ranges that are not user memory. */
TEST_F(adv, userptr_bad_ranges)
{
	static const struct {
		uint64_t addr, size;
		int err;
	} cases[] = {
		{ 0xffffffffffff0000ULL, 2ULL << 30, EFAULT },
		{ 0xffff888000000000ULL, 0x1000, EFAULT },	/* kernel */
		{ 0x7ffffffff000ULL, 0x2000, EFAULT },	/* straddles the top */
		{ 0xfffffffffffff000ULL, 0x2000, EFAULT },	/* wraps */
		{ 0x10000001ULL, 0x1000, EINVAL },		/* unaligned */
	};
	struct kfd_ioctl_acquire_vm_args acq = { .gpu_id = self->gpu_id };
	struct kfd_ioctl_alloc_memory_of_gpu_args a;
	uint64_t before;
	unsigned int i;
	int p, r;

	/* USERPTR is for the primary */
	p = vkfd_open_dev(&self->env);
	ASSERT_LE(0, p);
	r = open(self->render, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, r);
	acq.drm_fd = r;
	ASSERT_EQ(0, ioctl(p, AMDKFD_IOC_ACQUIRE_VM, &acq));
	before = available(p, self->gpu_id);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		a = (struct kfd_ioctl_alloc_memory_of_gpu_args){
			.va_addr = VA, .size = cases[i].size,
			.mmap_offset = cases[i].addr, .gpu_id = self->gpu_id,
			.flags = KFD_IOC_ALLOC_MEM_FLAGS_USERPTR |
				 KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE,
		};
		EXPECT_EQ(-cases[i].err,
			  vkfd_ioctl(p, AMDKFD_IOC_ALLOC_MEMORY_OF_GPU, &a))
			TH_LOG("case %u", i);
		EXPECT_EQ(0, ctx_bos(p));
	}
	EXPECT_EQ(before, available(p, self->gpu_id));
	close(r);
	close(p);
}

struct guess_race {
	int fd;
	uint32_t gpu_id;
	volatile bool stop;
	long freed;
};

/* Frees and maps handles it guesses: the next one the allocator will give. */
static void *guess_thread(void *arg)
{
	struct guess_race *g = arg;
	uint64_t h;

	while (!g->stop) {
		for (h = 0; h < 4; h++) {
			uint64_t handle = (uint64_t)g->gpu_id << 32 | h;

			map1(g->fd, handle, g->gpu_id, false);
			if (!free_mem(g->fd, handle))
				g->freed++;
		}
	}
	return NULL;
}

/*
 * Rows 5 and 6 (xe, qxl): a handle is usable only once its buffer is
 * complete. One thread allocates, maps and frees; another frees and maps
 * the handles it predicts. Every buffer is freed exactly once, by one of
 * them, and the context ends with none and the budget whole.
 */
TEST_F(adv, alloc_races_guessed_free)
{
	struct kfd_ioctl_alloc_memory_of_gpu_args a;
	struct guess_race g = { .gpu_id = self->gpu_id };
	int i, n = vkfd_scaled(2000), r, mine = 0, ret;
	pthread_t t;
	uint64_t before;

	g.fd = open_vm(&self->env, self->render, self->gpu_id, &r);
	ASSERT_LE(0, g.fd);
	before = available(g.fd, self->gpu_id);
	ASSERT_EQ(0, pthread_create(&t, NULL, guess_thread, &g));
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, alloc(g.fd, self->gpu_id, VA, 0x10000, WR_VRAM, &a));
		ret = map1(g.fd, a.handle, self->gpu_id, false);
		ASSERT_TRUE(ret == 0 || ret == -EINVAL);
		ret = free_mem(g.fd, a.handle);
		ASSERT_TRUE(ret == 0 || ret == -EINVAL);
		mine += !ret;
	}
	g.stop = true;
	pthread_join(t, NULL);
	EXPECT_EQ(n, mine + g.freed);
	EXPECT_EQ(0, ctx_bos(g.fd));
	EXPECT_EQ(before, available(g.fd, self->gpu_id));
	close(g.fd);
	close(r);
}

/*
 * Row 7 (vmwgfx stale fd): an argument that cannot be written back gets
 * EFAULT before anything is made: no handle, no VRAM, no conversion.
 */
TEST_F(adv, readonly_argument_makes_nothing)
{
	struct kfd_ioctl_alloc_memory_of_gpu_args *a;
	struct vkfd_ioctl_create_process_args *cp;
	struct vkfd_ioctl_ctx_info info = { .ctx_id = VKFD_CTX_ID_SELF };
	uint64_t before;
	void *page;
	int s, r;

	s = open_vm(&self->env, self->render, self->gpu_id, &r);
	ASSERT_LE(0, s);
	before = available(s, self->gpu_id);
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	a = page;
	*a = (struct kfd_ioctl_alloc_memory_of_gpu_args){
		.va_addr = VA, .size = 0x100000, .gpu_id = self->gpu_id,
		.flags = WR_VRAM,
	};
	ASSERT_EQ(0, mprotect(page, 4096, PROT_READ));
	EXPECT_EQ(-EFAULT, vkfd_ioctl(s, AMDKFD_IOC_ALLOC_MEMORY_OF_GPU, a));
	EXPECT_EQ(0, ctx_bos(s));
	EXPECT_EQ(before, available(s, self->gpu_id));

	/* CREATE_PROCESS (ROCm's read-write form) does not convert */
	close(s);
	s = vkfd_open_dev(&self->env);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, mprotect(page, 4096, PROT_READ | PROT_WRITE));
	cp = page;
	memset(cp, 0, sizeof(*cp));
	ASSERT_EQ(0, mprotect(page, 4096, PROT_READ));
	EXPECT_EQ(-EFAULT, vkfd_ioctl(s, VKFD_IOC_CREATE_PROCESS_ROCM, cp));
	ASSERT_EQ(0, vkfd_ioctl(s, VKFD_IOC_CTX_INFO, &info));
	EXPECT_EQ((uint32_t)VKFD_CTX_ID_PRIMARY, info.ctx_id);
	munmap(page, 4096);
	close(s);
	close(r);
}

struct acquire_race {
	int fd;
	int render;
	uint32_t gpu_id;
	pthread_barrier_t *go;
	int ret;
};

static void *acquire_thread(void *arg)
{
	struct acquire_race *a = arg;
	struct kfd_ioctl_acquire_vm_args acq = {
		.drm_fd = a->render, .gpu_id = a->gpu_id,
	};

	pthread_barrier_wait(a->go);
	a->ret = vkfd_ioctl(a->fd, AMDKFD_IOC_ACQUIRE_VM, &acq);
	return NULL;
}

/*
 * Row 8 (amdgpu VM acquire race): two contexts race to acquire one
 * render file. Exactly one wins; the other gets EINVAL and has no VM.
 */
TEST_F(adv, acquire_race_one_render_file)
{
	struct acquire_race a[2];
	struct vkfd_ioctl_ctx_info info;
	pthread_barrier_t go;
	int i, k, r, rounds = vkfd_scaled(200);

	for (k = 0; k < rounds; k++) {
		r = open(self->render, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, r);
		ASSERT_EQ(0, pthread_barrier_init(&go, NULL, 2));
		for (i = 0; i < 2; i++) {
			a[i] = (struct acquire_race){
				.fd = vkfd_open_dev(&self->env), .render = r,
				.gpu_id = self->gpu_id, .go = &go,
			};
			ASSERT_LE(0, a[i].fd);
			ASSERT_EQ(0, ioctl(a[i].fd, VKFD_IOC_CREATE_PROCESS, 0));
		}
		pthread_t t[2];

		for (i = 0; i < 2; i++)
			ASSERT_EQ(0, pthread_create(&t[i], NULL,
						    acquire_thread, &a[i]));
		for (i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
		ASSERT_EQ(-EINVAL, a[0].ret + a[1].ret) TH_LOG("round %d", k);
		for (i = 0; i < 2; i++) {
			info = (struct vkfd_ioctl_ctx_info){
				.ctx_id = VKFD_CTX_ID_SELF,
			};
			ASSERT_EQ(0, vkfd_ioctl(a[i].fd, VKFD_IOC_CTX_INFO,
						&info));
			EXPECT_EQ(a[i].ret == 0, info.pasids[0] != 0);
			close(a[i].fd);
		}
		pthread_barrier_destroy(&go);
		close(r);
	}
}

/* Row 12 (KFD watch_id): count fields at their edges. */
TEST_F(adv, map_count_edges)
{
	static const uint32_t counts[] = {
		0, 1025, INT32_MAX, (uint32_t)INT32_MAX + 1, UINT32_MAX,
	};
	struct kfd_ioctl_alloc_memory_of_gpu_args a;
	struct kfd_ioctl_map_memory_to_gpu_args m;
	uint32_t *ids;
	unsigned int i;
	int s, r, cmd;

	s = open_vm(&self->env, self->render, self->gpu_id, &r);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, alloc(s, self->gpu_id, VA, 0x1000, WR_VRAM, &a));
	ids = calloc(1024, sizeof(*ids));
	ASSERT_NE(NULL, ids);
	for (i = 0; i < 1024; i++)
		ids[i] = self->gpu_id;
	for (cmd = 0; cmd < 2; cmd++) {
		unsigned long c = cmd ? AMDKFD_IOC_UNMAP_MEMORY_FROM_GPU :
					AMDKFD_IOC_MAP_MEMORY_TO_GPU;

		for (i = 0; i < ARRAY_SIZE(counts); i++) {
			m = (struct kfd_ioctl_map_memory_to_gpu_args){
				.handle = a.handle,
				.device_ids_array_ptr = (uintptr_t)ids,
				.n_devices = counts[i],
			};
			EXPECT_EQ(-EINVAL, vkfd_ioctl(s, c, &m))
				TH_LOG("n_devices %u", counts[i]);
			EXPECT_EQ(0U, m.n_success);
			m.n_devices = 1;
			m.n_success = counts[i] ? counts[i] : 2;
			EXPECT_EQ(-EINVAL, vkfd_ioctl(s, c, &m))
				TH_LOG("n_success %u", m.n_success);
		}
		/* 1024 ids of one GPU: the first maps, the others count */
		m = (struct kfd_ioctl_map_memory_to_gpu_args){
			.handle = a.handle,
			.device_ids_array_ptr = (uintptr_t)ids,
			.n_devices = cmd ? 1 : 1024,
		};
		EXPECT_EQ(0, vkfd_ioctl(s, c, &m));
		EXPECT_EQ(cmd ? 1U : 1024U, m.n_success);
		/* n_success == n_devices: nothing left to do */
		EXPECT_EQ(0, vkfd_ioctl(s, c, &m));
	}
	EXPECT_EQ(0, free_mem(s, a.handle));
	free(ids);
	close(s);
	close(r);
}

/*
 * Rows 15 and 16 (LeftoverLocals, VRAM wipe): a context writes a secret
 * into its buffers and dies; new contexts' buffers, read through the CPU
 * and through the page table, never show it.
 */
TEST_F(adv, freed_memory_never_leaks)
{
	static const uint64_t sizes[] = { 0x1000, 0x10000, 0x200000 };
	static const char secret[] = "vkfd-secret-0123456789abcdef";
	struct kfd_ioctl_alloc_memory_of_gpu_args a;
	unsigned int i, round;
	uint64_t off;
	char *p, *zero;
	int s, r;

	zero = calloc(1, 0x200000);
	ASSERT_NE(NULL, zero);
	/* Round 0 frees its buffers, round 1 dies with them */
	for (round = 0; round < 2; round++) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			s = open_vm(&self->env, self->render, self->gpu_id, &r);
			ASSERT_LE(0, s);
			ASSERT_EQ(0, alloc(s, self->gpu_id, VA, sizes[i],
					   WR_VRAM, &a));
			ASSERT_EQ(0, map1(s, a.handle, self->gpu_id, false));
			p = mmap(NULL, sizes[i], PROT_READ | PROT_WRITE,
				 MAP_SHARED, r, a.mmap_offset);
			ASSERT_NE(MAP_FAILED, p);
			ASSERT_EQ(0, memcmp(p, zero, sizes[i]))
				TH_LOG("round %u size %" PRIu64, round, sizes[i]);
			for (off = 0; off + sizeof(secret) <= sizes[i];
			     off += sizeof(secret))
				memcpy(p + off, secret, sizeof(secret));
			munmap(p, sizes[i]);
			if (!round)
				ASSERT_EQ(0, free_mem(s, a.handle));
			close(s);
			close(r);
		}
	}
	free(zero);
}

TEST_HARNESS_MAIN
