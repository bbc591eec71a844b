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
 *
 * Each sweep is a VKFD_FAIL_NTH() (tests/lib/vkfd_test.h): its body is one
 * iteration, n = fail_nth_n(). What a sweep sets up once, before its
 * first iteration, lives in the fixture (struct fault_once) and is closed
 * by the base fixture's cleanup list.
 */
#include "kselftest_harness.h"
#include "vkfd_utils.h"

#include <linux/vkfd_ioctl.h>

#define FAULT_VA	0x40000000ULL
#define EV_PAGE_OFFSET	(2ULL << 62)

/**
 * struct fault_once - what a sweep sets up before its first iteration
 * @c: a context (the primary, or a secondary with a VM)
 * @render: the render fds of @c's VMs, one per GPU swept
 * @gpu_id: the GPU of the VM (of the first VM)
 * @before: VRAM available before the sweep
 * @bo: a buffer of @c
 * @user: the user pages of a USERPTR buffer
 * @pins: pages pinned system-wide before the sweep
 * @event: an event of @c
 */
struct fault_once {
	struct vkfd_context c;
	int render[VKFD_MAX_GPUS];
	uint32_t gpu_id;
	uint64_t before;
	struct vkfd_bo bo;
	uint8_t *user;
	int64_t pins;
	uint32_t event;
};

FIXTURE(fault) {
	struct vkfd_base b;
	struct fault_once once;
};

FIXTURE_SETUP(fault)
{
	vkfd_base_setup(&self->b, 0);
	if (self->b.env.amdkfd)
		VKFD_SETUP_SKIP("amdkfd: sweeps target vkfd's error paths");
}

FIXTURE_TEARDOWN(fault)
{
	if (self->once.user)
		munmap(self->once.user, 16 * 4096);
	vkfd_base_teardown(&self->b);
}

/* The events of context @id of this process, by the test hooks. */
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

/* Tests that need the test hooks skip without. */
#define FAULT_NEED_DEBUGFS() do {					\
	if (!vkfd_debugfs_present())					\
		SKIP(return, "no debugfs at %s", vkfd_debugfs_root());	\
} while (0)

/* ------------------------------------------------------------------------
 * Contexts
 */

/* Child: open() under fault n; exit 0 if clean (success or ENOMEM), 1 if not. */
static int open_child(void *arg, int in, int out)
{
	const struct vkfd_env *env = ((void **)arg)[0];
	int n = *(int *)((void **)arg)[1];
	int fail_nth = open(VKFD_FAIL_NTH_PATH, O_RDWR | O_CLOEXEC);
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

/*
 * open() creating a primary, with each of its allocations failing in
 * turn: in a child each time, a process's first open() is the one that
 * makes its primary.
 */
VKFD_FAIL_NTH(fault, open_primary_sweep)
{
	struct vkfd_child *child = &self->b.child;
	void *args[2] = { &self->b.env, &_nth->n };
	int ret;

	ASSERT_EQ(0, vkfd_child_start(child, open_child, args));
	ret = vkfd_child_wait(child);
	vkfd_fail_nth_report(_nth, ret != 20);
	if (ret == 20)
		return;
	ASSERT_EQ(0, ret) TH_LOG("fault %d", fail_nth_n());
	/* The child is gone: so is its primary */
	ASSERT_TRUE(vkfd_proc_gone_after_exit(&self->b.env, child->pid));
}

/* CREATE_PROCESS, with each of its allocations failing in turn. */
VKFD_FAIL_NTH(fault, create_process_sweep)
{
	int s, ret;

	if (fail_nth_n() == 1)
		vkfd_keep_open(&self->b);
	s = vkfd_open_dev(&self->b.env);
	ASSERT_LE(0, s);
	ret = fail_nth_call(_test_create_process(s));
	if (ret) {
		/* Failed cleanly: ENOMEM, still the primary, no directory */
		ASSERT_EQ(-ENOMEM, ret) TH_LOG("fault %d", fail_nth_n());
		ASSERT_EQ((uint32_t)VKFD_CTX_ID_PRIMARY, vkfd_ctx_id_of_fd(s));
		ASSERT_EQ(0, vkfd_ctx_dir_count(&self->b.env, self->b.pid));
		test_create_process(s);
	}
	/* Whatever happened, the secondary is id 0: nothing leaked an id */
	ASSERT_EQ(0U, vkfd_ctx_id_of_fd(s)) TH_LOG("fault %d", fail_nth_n());
	ASSERT_EQ(0, close(s));
	ASSERT_EQ(0, vkfd_ctx_dir_count(&self->b.env, self->b.pid));
}

/* ACQUIRE_VM on a fresh secondary, with each allocation failing in turn. */
VKFD_FAIL_NTH(fault, acquire_vm_sweep)
{
	uint32_t gpu_id = self->b.gpu[0];
	int s, r, ret;

	ASSERT_LT(0, self->b.ngpus);
	r = vkfd_render_open(self->b.env.topology, gpu_id);
	ASSERT_LE(0, r);
	s = vkfd_open_dev(&self->b.env);
	ASSERT_LE(0, s);
	test_create_process(s);
	ret = fail_nth_call(_test_acquire_vm(s, r, gpu_id));
	if (ret) {
		/* Failed cleanly: no VM, no PASID; a retry works */
		ASSERT_EQ(-ENOMEM, ret) TH_LOG("fault %d", fail_nth_n());
		ASSERT_EQ(0U, vkfd_ctx_pasid(s, 0));
		test_acquire_vm(s, r, gpu_id);
	}
	ASSERT_NE(0U, vkfd_ctx_pasid(s, 0));
	ASSERT_EQ(0, close(s));
	ASSERT_EQ(0, close(r));
}

/* ------------------------------------------------------------------------
 * Memory
 */

/* A secondary with its VM on GPU 0 and its VRAM budget, for a sweep. */
static void fault_secondary_vm(struct __test_metadata *_metadata,
			       FIXTURE_DATA(fault) *self)
{
	struct fault_once *o = &self->once;

	ASSERT_LT(0, self->b.ngpus);
	o->gpu_id = self->b.gpu[0];
	ASSERT_EQ(0, vkfd_secondary_vm(&self->b.env, o->gpu_id, &o->c,
				       &o->render[0]));
	vkfd_keep(&self->b, o->render[0]);
	vkfd_keep(&self->b, o->c.fd);
	o->before = vkfd_ctx_available(o->c.fd, o->gpu_id);
	ASSERT_NE(0ULL, o->before);
}

/*
 * ALLOC of a VRAM buffer in the sweep's secondary, which the first
 * iteration makes.
 */
static struct kfd_ioctl_alloc_memory_of_gpu_args
fault_vram(struct __test_metadata *_metadata, FIXTURE_DATA(fault) *self,
	   int n)
{
	if (n == 1)
		fault_secondary_vm(_metadata, self);
	return (struct kfd_ioctl_alloc_memory_of_gpu_args){
		.va_addr = FAULT_VA,
		.size = 0x10000,
		.gpu_id = self->once.gpu_id,
		.flags = KFD_IOC_ALLOC_MEM_FLAGS_VRAM |
			 KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE,
	};
}

/* MAP of buffer @handle on the sweep's GPU. */
static struct kfd_ioctl_map_memory_to_gpu_args
fault_map_args(struct fault_once *o, uint64_t handle)
{
	return (struct kfd_ioctl_map_memory_to_gpu_args){
		.handle = handle,
		.device_ids_array_ptr = (uintptr_t)&o->gpu_id,
		.n_devices = 1,
	};
}

/* The last steps of both sweeps: FREE gives the whole budget back. */
#define FAULT_FREE(o, alloc) do {					\
	test_free_memory((o)->c.fd, (alloc).handle);			\
	ASSERT_EQ((o)->before, vkfd_ctx_available((o)->c.fd, (o)->gpu_id));	\
} while (0)

/*
 * ALLOC of a VRAM buffer in a secondary with a VM, each allocation
 * failing in turn: a failed ALLOC leaves the budget and the handle table
 * as they were (the buffer then maps and frees).
 */
VKFD_FAIL_NTH(fault, alloc_sweep)
{
	struct fault_once *o = &self->once;
	struct kfd_ioctl_alloc_memory_of_gpu_args alloc;
	struct kfd_ioctl_map_memory_to_gpu_args map;
	int ret;

	alloc = fault_vram(_metadata, self, fail_nth_n());
	ret = fail_nth_call(_test_alloc_memory(o->c.fd, &alloc));
	if (ret) {
		ASSERT_EQ(-ENOMEM, ret) TH_LOG("fault %d", fail_nth_n());
		ASSERT_EQ(o->before, vkfd_ctx_available(o->c.fd, o->gpu_id));
		return;
	}
	ASSERT_EQ(o->before - alloc.size, vkfd_ctx_available(o->c.fd, o->gpu_id));
	map = fault_map_args(o, alloc.handle);
	test_map_memory(o->c.fd, &map);
	ASSERT_EQ(1U, map.n_success);
	FAULT_FREE(o, alloc);
}

/*
 * MAP of a VRAM buffer in a secondary with a VM, each allocation failing
 * in turn: a failed MAP maps nothing (a retry maps), FREE gives the
 * budget back.
 */
VKFD_FAIL_NTH(fault, map_sweep)
{
	struct kfd_ioctl_alloc_memory_of_gpu_args alloc =
		fault_vram(_metadata, self, fail_nth_n());
	struct fault_once *o = &self->once;
	struct kfd_ioctl_map_memory_to_gpu_args map;
	int ret;

	test_alloc_memory(o->c.fd, &alloc);
	ASSERT_EQ(o->before - alloc.size, vkfd_ctx_available(o->c.fd, o->gpu_id));
	map = fault_map_args(o, alloc.handle);
	ret = fail_nth_call(_test_map_memory(o->c.fd, &map));
	if (ret) {
		ASSERT_EQ(-ENOMEM, ret) TH_LOG("fault %d", fail_nth_n());
		ASSERT_EQ(0U, map.n_success);
		/* Nothing is mapped: a retry maps */
		test_map_memory(o->c.fd, &map);
	}
	ASSERT_EQ(1U, map.n_success);
	FAULT_FREE(o, alloc);
}

/*
 * MAP on every GPU, and MAP of a USERPTR, with the page tables, the
 * translations and the pinned pages checked after each injected failure.
 */

/* The primary with its VM on the first @n GPUs (all if more), for a sweep. */
static void fault_primary_vms(struct __test_metadata *_metadata,
			      FIXTURE_DATA(fault) *self, int n)
{
	struct fault_once *o = &self->once;
	uint64_t mb;
	int i;

	ASSERT_EQ(0, vkfd_module_param_u64("vram_mb", &mb));
	o->before = mb << 20;
	ASSERT_EQ(0, vkfd_open_primary(self->b.env.dev, &o->c));
	vkfd_keep(&self->b, o->c.fd);
	for (i = 0; i < n && i < self->b.ngpus; i++) {
		ASSERT_EQ(0, vkfd_open_vm(&o->c, self->b.env.topology,
					  self->b.gpu[i], &o->render[i]));
		vkfd_keep(&self->b, o->render[i]);
	}
}

/*
 * MAP on every GPU: fails with ENOMEM having mapped the first n_success
 * GPUs (page tables of exactly those), or maps all. Then FREE takes it
 * out of all of them. The buffer is 64 KiB: one page table of each level
 * per GPU, as a larger one, and every allocation of a page of it is the
 * same call: a larger buffer would only make the sweep longer.
 */
VKFD_FAIL_NTH(fault, map_every_gpu_sweep)
{
	struct fault_once *o = &self->once;
	struct kfd_ioctl_map_memory_to_gpu_args args;
	int ng = self->b.ngpus, i, ret;
	struct vkfd_ctx_row row;
	struct vkfd_xlate x;
	struct vkfd_bo bo;

	VKFD_NEED_GPUS(&self->b, 1);
	FAULT_NEED_DEBUGFS();
	if (fail_nth_n() == 1)
		fault_primary_vms(_metadata, self, ng);
	ASSERT_EQ(0, vkfd_alloc(&o->c, self->b.gpu[0], FAULT_VA, 64 * 1024,
				KFD_IOC_ALLOC_MEM_FLAGS_VRAM |
				KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE, &bo));
	args = (struct kfd_ioctl_map_memory_to_gpu_args){
		.handle = bo.handle,
		.device_ids_array_ptr = (uintptr_t)self->b.gpu,
		.n_devices = ng,
	};
	ret = fail_nth_call(_test_map_memory(o->c.fd, &args));
	if (ret) {
		ASSERT_EQ(-ENOMEM, ret) TH_LOG("fault %d", fail_nth_n());
	} else {
		ASSERT_EQ((uint32_t)ng, args.n_success);
	}
	ASSERT_GE((uint32_t)ng, args.n_success);
	/* Exactly the first n_success GPUs have it, with their tables */
	ASSERT_EQ(0, vkfd_ctx_row(getpid(), VKFD_CTX_ID_PRIMARY, &row));
	ASSERT_EQ(args.n_success * 4 * 4096ULL + (ng - args.n_success) * 4096ULL,
		  row.pt) TH_LOG("fault %d, n_success %u", fail_nth_n(),
				 args.n_success);
	for (i = 0; i < ng; i++) {
		ASSERT_EQ(0, vkfd_translate(getpid(), VKFD_CTX_ID_PRIMARY,
					    self->b.gpu[i], FAULT_VA + 4096, &x));
		ASSERT_EQ(i < (int)args.n_success, x.mapped)
			TH_LOG("fault %d, gpu %d: %s", fail_nth_n(), i, x.text);
	}
	ASSERT_EQ(0, vkfd_free(&o->c, &bo));
	ASSERT_EQ(0, vkfd_ctx_row(getpid(), VKFD_CTX_ID_PRIMARY, &row));
	ASSERT_EQ(ng * 4096ULL, row.pt) TH_LOG("fault %d", fail_nth_n());
	ASSERT_EQ(0ULL, row.bos);
	ASSERT_EQ(o->before, vkfd_ctx_available(o->c.fd, self->b.gpu[0]));
}

/* MAP of a USERPTR: a failure pins nothing and maps nothing. */
VKFD_FAIL_NTH(fault, map_userptr_sweep)
{
	struct fault_once *o = &self->once;
	struct vkfd_ctx_row row;
	int ret;

	VKFD_NEED_GPUS(&self->b, 1);
	FAULT_NEED_DEBUGFS();
	if (fail_nth_n() == 1) {
		o->user = mmap(NULL, 16 * 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, o->user);
		memset(o->user, 1, 16 * 4096);
		fault_primary_vms(_metadata, self, 1);
		ASSERT_EQ(0, vkfd_alloc_userptr(&o->c, self->b.gpu[0], FAULT_VA,
						o->user, 16 * 4096,
						KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE,
						&o->bo));
		o->pins = vkfd_pinned_pages();
		ASSERT_NE(INT64_MIN, o->pins);
	}
	ret = fail_nth_call(vkfd_map(&o->c, &o->bo, self->b.gpu, 1));
	ASSERT_EQ(0, vkfd_ctx_row(getpid(), VKFD_CTX_ID_PRIMARY, &row));
	if (ret) {
		ASSERT_TRUE(ret == -ENOMEM || ret == -EFAULT)
			TH_LOG("fault %d: %s", fail_nth_n(), strerror(-ret));
		ASSERT_EQ(o->pins, vkfd_pinned_pages()) TH_LOG("fault %d", fail_nth_n());
		ASSERT_EQ(4096ULL, row.pt) TH_LOG("fault %d", fail_nth_n());
		return;
	}
	ASSERT_EQ(o->pins + 16, vkfd_pinned_pages()) TH_LOG("fault %d", fail_nth_n());
	ASSERT_EQ(4 * 4096ULL, row.pt) TH_LOG("fault %d", fail_nth_n());
	ASSERT_EQ(0, vkfd_unmap(&o->c, &o->bo, self->b.gpu, 1));
	ASSERT_EQ(o->pins, vkfd_pinned_pages());
	/* The last iteration: the buffer goes */
	if (!_nth->fired)
		ASSERT_EQ(0, vkfd_free(&o->c, &o->bo));
}

/* ------------------------------------------------------------------------
 * Events
 */

/*
 * The first signal event of a fresh secondary: its events, the signal
 * page, the event, its id. A failure leaves no event and no page; the
 * retry gets id 1.
 */
VKFD_FAIL_NTH(fault, create_event_sweep)
{
	struct kfd_ioctl_create_event_args a = {
		.event_type = KFD_IOC_EVENT_SIGNAL,
	};
	uint32_t id;
	int s, ret;

	FAULT_NEED_DEBUGFS();
	s = vkfd_open_dev(&self->b.env);
	ASSERT_LE(0, s);
	test_create_process(s);
	id = vkfd_ctx_id_of_fd(s);
	ret = fail_nth_call(_test_create_event(s, &a));
	if (ret) {
		ASSERT_EQ(-ENOMEM, ret) TH_LOG("fault %d", fail_nth_n());
		ASSERT_EQ(0ULL, ctx_events(id)) TH_LOG("fault %d", fail_nth_n());
		ASSERT_EQ(EINVAL, page_map_err(s)) TH_LOG("fault %d", fail_nth_n());
		test_create_event(s, &a);
	}
	ASSERT_EQ(1U, a.event_id) TH_LOG("fault %d", fail_nth_n());
	ASSERT_EQ(EV_PAGE_OFFSET, a.event_page_offset);
	ASSERT_EQ(1ULL, ctx_events(id));
	ASSERT_EQ(0, page_map_err(s));
	ASSERT_EQ(0, close(s));
}

/*
 * The first CREATE_EVENT of a secondary, adopting a GTT buffer as its
 * signal page: a failure adopts nothing (the retry adopts the buffer).
 */
VKFD_FAIL_NTH(fault, create_event_adopt_sweep)
{
	struct kfd_ioctl_create_event_args a;
	struct vkfd_context c;
	struct vkfd_bo bo;
	uint32_t id;
	int r, ret;

	FAULT_NEED_DEBUGFS();
	VKFD_NEED_GPUS(&self->b, 1);
	ASSERT_EQ(0, vkfd_secondary_vm(&self->b.env, self->b.gpu[0], &c, &r));
	id = vkfd_ctx_id_of_fd(c.fd);
	ASSERT_EQ(0, vkfd_alloc(&c, self->b.gpu[0], FAULT_VA, 32768,
				KFD_IOC_ALLOC_MEM_FLAGS_GTT |
				KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE, &bo));
	a = (struct kfd_ioctl_create_event_args){
		.event_type = KFD_IOC_EVENT_SIGNAL,
		.event_page_offset = bo.handle,
	};
	ret = fail_nth_call(_test_create_event(c.fd, &a));
	if (ret) {
		ASSERT_EQ(-ENOMEM, ret) TH_LOG("fault %d", fail_nth_n());
		ASSERT_EQ(0ULL, ctx_events(id)) TH_LOG("fault %d", fail_nth_n());
		/* Not adopted: adopting works now */
		ASSERT_EQ(0, _test_create_event(c.fd, &a))
			TH_LOG("fault %d", fail_nth_n());
	}
	ASSERT_EQ(1U, a.event_id) TH_LOG("fault %d", fail_nth_n());
	ASSERT_EQ(1ULL, ctx_events(id));
	/* The page is the buffer's, not one of vkfd's own */
	ASSERT_EQ(EINVAL, page_map_err(c.fd));
	ASSERT_EQ(0, close(c.fd));
	ASSERT_EQ(0, close(r));
}

/* WAIT_EVENTS: a failure takes no signal. */
VKFD_FAIL_NTH(fault, wait_events_sweep)
{
	struct fault_once *o = &self->once;
	struct kfd_ioctl_wait_events_args w;
	struct kfd_event_data data[2];
	int ret;

	if (fail_nth_n() == 1) {
		struct kfd_ioctl_create_event_args a = {
			.event_type = KFD_IOC_EVENT_SIGNAL,
			.auto_reset = 1,
		};

		o->c.fd = vkfd_keep(&self->b, vkfd_open_dev(&self->b.env));
		test_create_process(o->c.fd);
		test_create_event(o->c.fd, &a);
		o->event = a.event_id;
	}
	memset(data, 0, sizeof(data));
	data[0].event_id = data[1].event_id = o->event;
	test_set_event(o->c.fd, o->event);
	w = (struct kfd_ioctl_wait_events_args){
		.events_ptr = (uintptr_t)data,
		.num_events = 2,
	};
	ret = fail_nth_call(_test_wait_events(o->c.fd, &w));
	if (ret) {
		ASSERT_EQ(-ENOMEM, ret) TH_LOG("fault %d", fail_nth_n());
		ASSERT_EQ((uint32_t)KFD_IOC_WAIT_RESULT_FAIL, w.wait_result);
		/* The signal is still there */
		test_wait_events(o->c.fd, &w);
	}
	ASSERT_EQ((uint32_t)KFD_IOC_WAIT_RESULT_COMPLETE, w.wait_result)
		TH_LOG("fault %d", fail_nth_n());
	/* and it was taken */
	test_wait_events(o->c.fd, &w);
	ASSERT_EQ((uint32_t)KFD_IOC_WAIT_RESULT_TIMEOUT, w.wait_result);
}

TEST_HARNESS_MAIN
