// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Fault-injection sweeps (debug kernel: failslab, fail_page_alloc and
 * /proc/thread-self/fail-nth). For n = 1, 2, ... the n-th allocation of
 * an operation fails: the operation must either succeed or fail with
 * ENOMEM, leave no trace behind when it fails, and the next attempt must
 * work. The sweep ends at the first n the operation no longer reaches.
 * Leaks show up in the lane's kmemleak scan, warnings in its splat scan.
 *
 * The memory sweeps: ACQUIRE_VM, ALLOC then MAP on one GPU, MAP on every
 * GPU (a failure maps exactly the first n_success GPUs, with their page
 * tables), MAP of a USERPTR (a failure leaves no page pinned).
 *
 * The event sweeps: the first CREATE_EVENT of a context (its events, the
 * signal page), one that adopts a GTT buffer as the page, and WAIT_EVENTS:
 * a failure leaves no event, no page and every signal where it was.
 */
#include "kselftest_harness.h"
#include "vkfd_utils.h"

#include <linux/vkfd_ioctl.h>

#define SWEEP_MAX	2000

FIXTURE(fault) {
	struct vkfd_env env;
	int fail_nth;
};

FIXTURE_SETUP(fault)
{
	vkfd_env_init(&self->env);
	if (self->env.amdkfd)
		SKIP(longjmp(_metadata->env, 1),
		     "amdkfd: sweeps target vkfd's error paths");
	self->fail_nth = open(VKFD_FAIL_NTH, O_RDWR | O_CLOEXEC);
	if (self->fail_nth < 0)
		SKIP(longjmp(_metadata->env, 1),
		     "no %s (kernel without fault injection)", VKFD_FAIL_NTH);
}

FIXTURE_TEARDOWN(fault)
{
	if (self->fail_nth >= 0)
		close(self->fail_nth);
}

static int subdir_count(const char *path, const char *prefix)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(path);

	if (!d)
		return 0;
	while ((de = readdir(d)))
		n += !strncmp(de->d_name, prefix, strlen(prefix));
	closedir(d);
	return n;
}

/* Child: open() under fault n; exit 0 if clean (success or ENOMEM), 1 if not. */
static int open_child(void *arg, int in, int out)
{
	const struct vkfd_env *env = ((void **)arg)[0];
	int n = *(int *)((void **)arg)[1];
	int fail_nth = open(VKFD_FAIL_NTH, O_RDWR | O_CLOEXEC);
	int fd, err;
	bool fired;

	if (fail_nth < 0 || vkfd_fail_nth_arm(fail_nth, n))
		return 10;
	fd = vkfd_open_dev(env);
	err = fd < 0 ? errno : 0;
	fired = vkfd_fail_nth_disarm(fail_nth);
	if (fd < 0 && err != ENOMEM)
		return 11;
	/* Failed: nothing of the primary may be there; a retry works */
	if (fd < 0 && vkfd_proc_exists(env, getpid()))
		return 12;
	if (fd < 0)
		fd = vkfd_open_dev(env);
	if (fd < 0 || !vkfd_proc_exists(env, getpid()))
		return 13;
	return fired ? 0 : 20;	/* 20: the sweep is past the end */
}

/* open() creating a primary, with each of its allocations failing in turn. */
TEST_F_TIMEOUT(fault, open_primary_sweep, 600)
{
	struct vkfd_child child;
	void *args[2];
	int n, ret = 0;

	args[0] = &self->env;
	args[1] = &n;
	for (n = 1; n < SWEEP_MAX; n++) {
		ASSERT_EQ(0, vkfd_child_start(&child, open_child, args));
		ret = vkfd_child_wait(&child);
		if (ret == 20)
			break;
		ASSERT_EQ(0, ret) TH_LOG("fault %d", n);
		/* The child is gone: so is its primary */
		ASSERT_TRUE(vkfd_proc_gone_after_exit(&self->env, child.pid));
	}
	EXPECT_EQ(20, ret);
	/* A sweep that injected nothing tested nothing */
	EXPECT_LT(1, n);
	TH_LOG("%d allocations swept", n - 1);
}

/* CREATE_PROCESS, with each of its allocations failing in turn. */
TEST_F_TIMEOUT(fault, create_process_sweep, 600)
{
	char dir[PATH_MAX];
	int p, s, n, ret;
	bool fired = true;
	long id;

	p = vkfd_open_dev(&self->env);
	ASSERT_LE(0, p);
	vkfd_proc_path(&self->env, getpid(), NULL, dir, sizeof(dir));
	for (n = 1; n < SWEEP_MAX && fired; n++) {
		s = vkfd_open_dev(&self->env);
		ASSERT_LE(0, s);
		ret = vkfd_fail_nth_ioctl(self->fail_nth, n, s, VKFD_IOC_CREATE_PROCESS,
						  NULL, &fired);
		if (ret) {
			/* Failed cleanly: ENOMEM, still the primary, no directory */
			ASSERT_EQ(-ENOMEM, ret) TH_LOG("fault %d", n);
			struct vkfd_ioctl_ctx_info info = {
				.ctx_id = VKFD_CTX_ID_SELF,
			};
			ASSERT_EQ(0, vkfd_ioctl(s, VKFD_IOC_CTX_INFO, &info));
			ASSERT_EQ((uint32_t)VKFD_CTX_ID_PRIMARY, info.ctx_id);
			ASSERT_EQ(0, subdir_count(dir, "context_"));
			ASSERT_EQ(0, ioctl(s, VKFD_IOC_CREATE_PROCESS, 0));
		}
		/* Whatever happened, the secondary is id 0: nothing leaked an id */
		struct vkfd_ioctl_ctx_info info = { .ctx_id = VKFD_CTX_ID_SELF };

		ASSERT_EQ(0, vkfd_ioctl(s, VKFD_IOC_CTX_INFO, &info));
		id = info.ctx_id;
		ASSERT_EQ(0, id) TH_LOG("fault %d", n);
		ASSERT_EQ(0, close(s));
		ASSERT_EQ(0, subdir_count(dir, "context_"));
	}
	EXPECT_FALSE(fired);
	EXPECT_LT(2, n);
	TH_LOG("%d allocations swept", n - 2);
	close(p);
}

/* The first GPU's id, and a new fd of its render node (or -errno). */
static int first_gpu_render(const struct vkfd_env *env, uint32_t *gpu_id)
{
	int ret = vkfd_gpu_ids(env->topology, gpu_id, 1);

	if (ret < 1)
		return ret < 0 ? ret : -ENODEV;
	return vkfd_render_open(env->topology, *gpu_id);
}

static uint32_t ctx_pasid(int fd)
{
	struct vkfd_context c = { .fd = fd };
	struct vkfd_context_info info;

	return vkfd_query(&c, &info) ? UINT32_MAX : info.pasids[0];
}

static uint64_t available(int fd, uint32_t gpu_id)
{
	struct vkfd_context c = { .fd = fd };
	uint64_t bytes;

	return vkfd_available_memory(&c, gpu_id, &bytes) ? 0 : bytes;
}

/* ACQUIRE_VM on a fresh secondary, with each allocation failing in turn. */
TEST_F_TIMEOUT(fault, acquire_vm_sweep, 600)
{
	struct kfd_ioctl_acquire_vm_args acq = { 0 };
	int s, r, n, ret;
	bool fired = true;

	for (n = 1; n < SWEEP_MAX && fired; n++) {
		r = first_gpu_render(&self->env, &acq.gpu_id);
		ASSERT_LE(0, r);
		s = vkfd_open_dev(&self->env);
		ASSERT_LE(0, s);
		ASSERT_EQ(0, ioctl(s, VKFD_IOC_CREATE_PROCESS, 0));
		acq.drm_fd = r;
		ret = vkfd_fail_nth_ioctl(self->fail_nth, n, s, AMDKFD_IOC_ACQUIRE_VM,
						  &acq, &fired);
		if (ret) {
			/* Failed cleanly: no VM, no PASID; a retry works */
			ASSERT_EQ(-ENOMEM, ret) TH_LOG("fault %d", n);
			ASSERT_EQ(0U, ctx_pasid(s));
			ASSERT_EQ(0, ioctl(s, AMDKFD_IOC_ACQUIRE_VM, &acq));
		}
		ASSERT_NE(0U, ctx_pasid(s));
		ASSERT_EQ(0, close(s));
		ASSERT_EQ(0, close(r));
	}
	EXPECT_FALSE(fired);
	EXPECT_LT(2, n);
	TH_LOG("%d allocations swept", n - 2);
}

/*
 * ALLOC then MAP of a VRAM buffer in a secondary with a VM, each
 * allocation of each failing in turn: a failed ALLOC leaves the budget
 * and the handle table as they were; a failed MAP maps nothing.
 */
TEST_F_TIMEOUT(fault, alloc_map_sweep, 600)
{
	struct kfd_ioctl_acquire_vm_args acq = { 0 };
	struct kfd_ioctl_alloc_memory_of_gpu_args alloc;
	struct kfd_ioctl_map_memory_to_gpu_args map;
	struct kfd_ioctl_free_memory_of_gpu_args fr;
	int s, r, n, ret, phase;
	uint64_t before;
	bool fired;

	r = first_gpu_render(&self->env, &acq.gpu_id);
	ASSERT_LE(0, r);
	s = vkfd_open_dev(&self->env);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, ioctl(s, VKFD_IOC_CREATE_PROCESS, 0));
	acq.drm_fd = r;
	ASSERT_EQ(0, ioctl(s, AMDKFD_IOC_ACQUIRE_VM, &acq));
	before = available(s, acq.gpu_id);
	ASSERT_NE(0ULL, before);

	for (phase = 0; phase < 2; phase++) {
		fired = true;
		for (n = 1; n < SWEEP_MAX && fired; n++) {
			alloc = (struct kfd_ioctl_alloc_memory_of_gpu_args){
				.va_addr = 0x40000000,
				.size = 0x10000,
				.gpu_id = acq.gpu_id,
				.flags = KFD_IOC_ALLOC_MEM_FLAGS_VRAM |
					 KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE,
			};
			if (phase == 0)
				ASSERT_EQ(0, vkfd_fail_nth_arm(self->fail_nth, n));
			ret = vkfd_ioctl(s, AMDKFD_IOC_ALLOC_MEMORY_OF_GPU, &alloc);
			if (phase == 0) {
				fired = vkfd_fail_nth_disarm(self->fail_nth);
				if (ret) {
					ASSERT_EQ(-ENOMEM, ret) TH_LOG("fault %d", n);
					ASSERT_EQ(before, available(s, acq.gpu_id));
					continue;
				}
			}
			ASSERT_EQ(0, ret);
			ASSERT_EQ(before - alloc.size, available(s, acq.gpu_id));

			map = (struct kfd_ioctl_map_memory_to_gpu_args){
				.handle = alloc.handle,
				.device_ids_array_ptr = (uintptr_t)&acq.gpu_id,
				.n_devices = 1,
			};
			if (phase == 1)
				ASSERT_EQ(0, vkfd_fail_nth_arm(self->fail_nth, n));
			ret = vkfd_ioctl(s, AMDKFD_IOC_MAP_MEMORY_TO_GPU, &map);
			if (phase == 1) {
				fired = vkfd_fail_nth_disarm(self->fail_nth);
				if (ret) {
					ASSERT_EQ(-ENOMEM, ret) TH_LOG("fault %d", n);
					ASSERT_EQ(0U, map.n_success);
					/* Nothing is mapped: a retry maps */
					ASSERT_EQ(0, ioctl(s, AMDKFD_IOC_MAP_MEMORY_TO_GPU, &map));
				}
			} else {
				ASSERT_EQ(0, ret);
			}
			ASSERT_EQ(1U, map.n_success);
			fr = (struct kfd_ioctl_free_memory_of_gpu_args){
				.handle = alloc.handle,
			};
			ASSERT_EQ(0, ioctl(s, AMDKFD_IOC_FREE_MEMORY_OF_GPU, &fr));
			ASSERT_EQ(before, available(s, acq.gpu_id));
		}
		EXPECT_FALSE(fired);
		EXPECT_LT(2, n);
		TH_LOG("%s: %d allocations swept", phase ? "map" : "alloc",
		       n - 2);
	}
	close(s);
	close(r);
}

/*
 * MAP on every GPU, and MAP of a USERPTR, with the page tables, the
 * translations and the pinned pages checked after each injected failure.
 */

#define FAULT_VA	0x40000000ULL

struct fault_gpus {
	int n;
	uint32_t id[VKFD_MAX_GPUS];
	uint64_t budget;
};

/* The GPUs and the VRAM budget; skips the test without GPUs or debugfs. */
#define FAULT_NEED_GPUS(g) do {						\
	uint64_t __mb;							\
	(g)->n = vkfd_gpu_ids(self->env.topology, (g)->id, VKFD_MAX_GPUS); \
	if ((g)->n <= 0)						\
		SKIP(return, "no GPU node in the topology");		\
	if ((g)->n > VKFD_MAX_GPUS)					\
		(g)->n = VKFD_MAX_GPUS;					\
	if (!vkfd_debugfs_present())					\
		SKIP(return, "no debugfs at %s", vkfd_debugfs_root());		\
	ASSERT_EQ(0, vkfd_module_param_u64("vram_mb", &__mb));		\
	(g)->budget = __mb << 20;					\
} while (0)

/*
 * MAP on every GPU: fails with ENOMEM having mapped the first n_success
 * GPUs (page tables of exactly those), or maps all. Then FREE takes it
 * out of all of them.
 */
TEST_F_TIMEOUT(fault, map_every_gpu_sweep, 600)
{
	struct kfd_ioctl_map_memory_to_gpu_args args;
	struct vkfd_context c;
	struct vkfd_ctx_row row;
	struct vkfd_xlate x;
	struct fault_gpus g;
	int n, i, ret, render[VKFD_MAX_GPUS];
	struct vkfd_bo bo;
	bool fired = true;

	FAULT_NEED_GPUS(&g);
	ASSERT_EQ(0, vkfd_open_primary(self->env.dev, &c));
	for (i = 0; i < g.n; i++)
		ASSERT_EQ(0, vkfd_open_vm(&c, self->env.topology, g.id[i], &render[i]));
	for (n = 1; n < SWEEP_MAX && fired; n++) {
		ASSERT_EQ(0, vkfd_alloc(&c, g.id[0], FAULT_VA, 2 * 1024 * 1024,
					KFD_IOC_ALLOC_MEM_FLAGS_VRAM |
					KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE, &bo));
		args = (struct kfd_ioctl_map_memory_to_gpu_args){
			.handle = bo.handle,
			.device_ids_array_ptr = (uintptr_t)g.id,
			.n_devices = g.n,
		};
		ret = vkfd_fail_nth_ioctl(self->fail_nth, n, c.fd, AMDKFD_IOC_MAP_MEMORY_TO_GPU,
						  &args, &fired);
		if (ret) {
			ASSERT_EQ(-ENOMEM, ret) TH_LOG("fault %d", n);
		} else {
			ASSERT_EQ((uint32_t)g.n, args.n_success);
		}
		ASSERT_GE((uint32_t)g.n, args.n_success);
		/* Exactly the first n_success GPUs have it, with their tables */
		ASSERT_EQ(0, vkfd_ctx_row(getpid(), VKFD_CTX_ID_PRIMARY, &row));
		ASSERT_EQ(args.n_success * 4 * 4096ULL + (g.n - args.n_success) * 4096ULL,
			  row.pt) TH_LOG("fault %d, n_success %u", n, args.n_success);
		for (i = 0; i < g.n; i++) {
			ASSERT_EQ(0, vkfd_translate(getpid(), VKFD_CTX_ID_PRIMARY,
						    g.id[i], FAULT_VA + 4096, &x));
			ASSERT_EQ(i < (int)args.n_success, x.mapped)
				TH_LOG("fault %d, gpu %d: %s", n, i, x.text);
		}
		ASSERT_EQ(0, vkfd_free(&c, &bo));
		ASSERT_EQ(0, vkfd_ctx_row(getpid(), VKFD_CTX_ID_PRIMARY, &row));
		ASSERT_EQ(g.n * 4096ULL, row.pt) TH_LOG("fault %d", n);
		ASSERT_EQ(0ULL, row.bos);
		ASSERT_EQ(g.budget, available(c.fd, g.id[0]));
	}
	EXPECT_FALSE(fired);
	EXPECT_LT(2, n);
	TH_LOG("%d allocations swept", n - 2);
	for (i = 0; i < g.n; i++)
		close(render[i]);
	vkfd_close(&c);
}

/* MAP of a USERPTR: a failure pins nothing and maps nothing. */
TEST_F_TIMEOUT(fault, map_userptr_sweep, 600)
{
	struct vkfd_context c;
	struct vkfd_ctx_row row;
	struct fault_gpus g;
	int n, ret, render;
	struct vkfd_bo bo;
	bool fired = true;
	int64_t pins;
	uint8_t *user;

	FAULT_NEED_GPUS(&g);
	user = mmap(NULL, 16 * 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, user);
	memset(user, 1, 16 * 4096);
	ASSERT_EQ(0, vkfd_open_primary(self->env.dev, &c));
	ASSERT_EQ(0, vkfd_open_vm(&c, self->env.topology, g.id[0], &render));
	ASSERT_EQ(0, vkfd_alloc_userptr(&c, g.id[0], FAULT_VA, user, 16 * 4096,
					KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE, &bo));
	pins = vkfd_pinned_pages();
	ASSERT_NE(INT64_MIN, pins);
	for (n = 1; n < SWEEP_MAX && fired; n++) {
		ASSERT_EQ(0, vkfd_fail_nth_arm(self->fail_nth, n));
		ret = vkfd_map(&c, &bo, g.id, 1);
		fired = vkfd_fail_nth_disarm(self->fail_nth);
		ASSERT_EQ(0, vkfd_ctx_row(getpid(), VKFD_CTX_ID_PRIMARY, &row));
		if (ret) {
			ASSERT_TRUE(ret == -ENOMEM || ret == -EFAULT)
				TH_LOG("fault %d: %s", n, strerror(-ret));
			ASSERT_EQ(pins, vkfd_pinned_pages()) TH_LOG("fault %d", n);
			ASSERT_EQ(4096ULL, row.pt) TH_LOG("fault %d", n);
			continue;
		}
		ASSERT_EQ(pins + 16, vkfd_pinned_pages()) TH_LOG("fault %d", n);
		ASSERT_EQ(4 * 4096ULL, row.pt) TH_LOG("fault %d", n);
		ASSERT_EQ(0, vkfd_unmap(&c, &bo, g.id, 1));
		ASSERT_EQ(pins, vkfd_pinned_pages());
	}
	EXPECT_FALSE(fired);
	EXPECT_LT(2, n);
	TH_LOG("%d allocations swept", n - 2);
	ASSERT_EQ(0, vkfd_free(&c, &bo));
	close(render);
	vkfd_close(&c);
	munmap(user, 16 * 4096);
}

/* ------------------------------------------------------------------------
 * Events
 */

#define EV_PAGE_OFFSET	(2ULL << 62)

static uint32_t ctx_id(int fd)
{
	struct vkfd_context c = { .fd = fd };
	struct vkfd_context_info info;

	return vkfd_query(&c, &info) ? UINT32_MAX : info.ctx_id;
}

/* The events of context @id of this process, by debugfs. */
static uint64_t ctx_events(uint32_t id)
{
	struct vkfd_ctx_row row;

	return vkfd_ctx_row(getpid(), id, &row) ? UINT64_MAX : row.events;
}

/* mmap of the signal page: 0 if it maps, else errno. */
static int page_map_err(int fd)
{
	void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, EV_PAGE_OFFSET);

	if (p == MAP_FAILED)
		return errno;
	munmap(p, 4096);
	return 0;
}

/*
 * The first signal event of a fresh secondary: its events, the signal
 * page, the event, its id. A failure leaves no event and no page; the
 * retry gets id 1.
 */
TEST_F_TIMEOUT(fault, create_event_sweep, 600)
{
	struct kfd_ioctl_create_event_args a;
	int s, n, ret;
	bool fired = true;
	uint32_t id;

	if (!vkfd_debugfs_present())
		SKIP(return, "no debugfs at %s", vkfd_debugfs_root());
	for (n = 1; n < SWEEP_MAX && fired; n++) {
		s = vkfd_open_dev(&self->env);
		ASSERT_LE(0, s);
		ASSERT_EQ(0, ioctl(s, VKFD_IOC_CREATE_PROCESS, 0));
		id = ctx_id(s);
		a = (struct kfd_ioctl_create_event_args){
			.event_type = KFD_IOC_EVENT_SIGNAL,
		};
		ret = vkfd_fail_nth_ioctl(self->fail_nth, n, s, AMDKFD_IOC_CREATE_EVENT,
						  &a, &fired);
		if (ret) {
			ASSERT_EQ(-ENOMEM, ret) TH_LOG("fault %d", n);
			ASSERT_EQ(0ULL, ctx_events(id)) TH_LOG("fault %d", n);
			ASSERT_EQ(EINVAL, page_map_err(s)) TH_LOG("fault %d", n);
			ASSERT_EQ(0, ioctl(s, AMDKFD_IOC_CREATE_EVENT, &a));
		}
		ASSERT_EQ(1U, a.event_id) TH_LOG("fault %d", n);
		ASSERT_EQ(EV_PAGE_OFFSET, a.event_page_offset);
		ASSERT_EQ(1ULL, ctx_events(id));
		ASSERT_EQ(0, page_map_err(s));
		ASSERT_EQ(0, close(s));
	}
	EXPECT_FALSE(fired);
	EXPECT_LT(2, n);
	TH_LOG("%d allocations swept", n - 2);
}

/*
 * The first CREATE_EVENT of a secondary, adopting a GTT buffer as its
 * signal page: a failure adopts nothing (the retry adopts the buffer).
 */
TEST_F_TIMEOUT(fault, create_event_adopt_sweep, 600)
{
	struct kfd_ioctl_acquire_vm_args acq = { 0 };
	struct kfd_ioctl_create_event_args a;
	struct vkfd_context c;
	int r, n, ret;
	bool fired = true;
	struct vkfd_bo bo;
	uint32_t id;

	if (!vkfd_debugfs_present())
		SKIP(return, "no debugfs at %s", vkfd_debugfs_root());
	for (n = 1; n < SWEEP_MAX && fired; n++) {
		r = first_gpu_render(&self->env, &acq.gpu_id);
		if (r == -ENODEV)
			SKIP(return, "no GPU node in the topology");
		ASSERT_LE(0, r);
		c.fd = vkfd_open_dev(&self->env);
		ASSERT_LE(0, c.fd);
		ASSERT_EQ(0, ioctl(c.fd, VKFD_IOC_CREATE_PROCESS, 0));
		id = ctx_id(c.fd);
		acq.drm_fd = r;
		ASSERT_EQ(0, ioctl(c.fd, AMDKFD_IOC_ACQUIRE_VM, &acq));
		ASSERT_EQ(0, vkfd_alloc(&c, acq.gpu_id, 0x40000000, 32768,
					KFD_IOC_ALLOC_MEM_FLAGS_GTT |
					KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE, &bo));
		a = (struct kfd_ioctl_create_event_args){
			.event_type = KFD_IOC_EVENT_SIGNAL,
			.event_page_offset = bo.handle,
		};
		ret = vkfd_fail_nth_ioctl(self->fail_nth, n, c.fd, AMDKFD_IOC_CREATE_EVENT,
						  &a, &fired);
		if (ret) {
			ASSERT_EQ(-ENOMEM, ret) TH_LOG("fault %d", n);
			ASSERT_EQ(0ULL, ctx_events(id)) TH_LOG("fault %d", n);
			/* Not adopted: adopting works now */
			ASSERT_EQ(0, ioctl(c.fd, AMDKFD_IOC_CREATE_EVENT, &a))
				TH_LOG("fault %d", n);
		}
		ASSERT_EQ(1U, a.event_id) TH_LOG("fault %d", n);
		ASSERT_EQ(1ULL, ctx_events(id));
		/* The page is the buffer's, not one of vkfd's own */
		ASSERT_EQ(EINVAL, page_map_err(c.fd));
		ASSERT_EQ(0, close(c.fd));
		ASSERT_EQ(0, close(r));
	}
	EXPECT_FALSE(fired);
	EXPECT_LT(2, n);
	TH_LOG("%d allocations swept", n - 2);
}

/* WAIT_EVENTS: a failure takes no signal. */
TEST_F_TIMEOUT(fault, wait_events_sweep, 600)
{
	struct kfd_ioctl_create_event_args a = {
		.event_type = KFD_IOC_EVENT_SIGNAL,
		.auto_reset = 1,
	};
	struct kfd_ioctl_set_event_args set = { 0 };
	struct kfd_ioctl_wait_events_args w;
	struct kfd_event_data data[2];
	int s, n, ret;
	bool fired = true;

	s = vkfd_open_dev(&self->env);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, ioctl(s, VKFD_IOC_CREATE_PROCESS, 0));
	ASSERT_EQ(0, ioctl(s, AMDKFD_IOC_CREATE_EVENT, &a));
	memset(data, 0, sizeof(data));
	data[0].event_id = data[1].event_id = a.event_id;
	set.event_id = a.event_id;
	for (n = 1; n < SWEEP_MAX && fired; n++) {
		ASSERT_EQ(0, ioctl(s, AMDKFD_IOC_SET_EVENT, &set));
		w = (struct kfd_ioctl_wait_events_args){
			.events_ptr = (uintptr_t)data,
			.num_events = 2,
		};
		ret = vkfd_fail_nth_ioctl(self->fail_nth, n, s, AMDKFD_IOC_WAIT_EVENTS,
						  &w, &fired);
		if (ret) {
			ASSERT_EQ(-ENOMEM, ret) TH_LOG("fault %d", n);
			ASSERT_EQ((uint32_t)KFD_IOC_WAIT_RESULT_FAIL, w.wait_result);
			/* The signal is still there */
			ASSERT_EQ(0, ioctl(s, AMDKFD_IOC_WAIT_EVENTS, &w));
		}
		ASSERT_EQ((uint32_t)KFD_IOC_WAIT_RESULT_COMPLETE, w.wait_result)
			TH_LOG("fault %d", n);
		/* and it was taken */
		ASSERT_EQ(0, ioctl(s, AMDKFD_IOC_WAIT_EVENTS, &w));
		ASSERT_EQ((uint32_t)KFD_IOC_WAIT_RESULT_TIMEOUT, w.wait_result);
	}
	EXPECT_FALSE(fired);
	EXPECT_LT(2, n);
	TH_LOG("%d allocations swept", n - 2);
	close(s);
}

TEST_HARNESS_MAIN
