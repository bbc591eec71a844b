/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The fixture and helpers of the tests of context limits: limits.c (the
 * ioctl, who may call it, sysfs, module parameters) and limits_charge.c
 * (each limit reached); include it after kselftest_harness.h.
 *
 * vkfd only: amdkfd has no limits (VKFD_IOC_CTX_LIMITS is ENOTTY there)
 * and no GPU to charge; the fixture skips every test there, saying so.
 */
#ifndef VKFD_SELFTEST_LIMITS_UTILS_H
#define VKFD_SELFTEST_LIMITS_UTILS_H

#include "vkfd_utils.h"

#include <linux/vkfd_ioctl.h>

#define LIM_PAGE	4096ULL
#define LIM_MIB		(1024 * 1024ULL)
#define LIM_VA		0x40000000ULL		/* a GPU address for buffers */
#define LIM_RING_VA	0x50000000ULL		/* rings (need not be mapped) */
#define LIM_PTR_VA	0x60000000ULL		/* rptr; wptr 8 bytes above */
#define LIM_ALL		(VKFD_LIMIT_BIT(VKFD_LIMIT_NR) - 1)
#define LIM_MAX		VKFD_LIMIT_UNLIMITED
/* What lim_sysfs() returns for a file it cannot read or parse. */
#define LIM_BAD		(VKFD_LIMIT_UNLIMITED - 1)

/* The module parameters, by enum vkfd_limit; MiB for the bytes. */
static const char *const lim_params[VKFD_LIMIT_NR] = {
	"limit_vram_mb", "limit_gtt_mb", "limit_userptr_mb",
	"limit_buffers", "limit_queues", "limit_events",
};

/*
 * The base fixture with the primary and its VM on GPU 0. @saved: the
 * module parameters as they were, put back at teardown if @touched.
 */
FIXTURE(limits) {
	struct vkfd_base b;
	char saved[VKFD_LIMIT_NR][32];
	bool touched;
};

FIXTURE_SETUP(limits)
{
	unsigned int i;

	vkfd_base_setup(&self->b, VKFD_BASE_PRIMARY | VKFD_BASE_VM);
	VKFD_SETUP_NEED_GPU(&self->b, "no context limits, no GPU");
	for (i = 0; i < VKFD_LIMIT_NR; i++)
		ASSERT_EQ(0, vkfd_module_param(lim_params[i], self->saved[i],
					       sizeof(self->saved[i])));
}

/* Write "@val" to the module parameter @name: 0 or -errno. */
static inline int lim_param_write(const char *name, const char *val)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s",
		 vkfd_modname(), name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

FIXTURE_TEARDOWN(limits)
{
	unsigned int i;

	if (self->touched)
		for (i = 0; i < VKFD_LIMIT_NR; i++)
			lim_param_write(lim_params[i], self->saved[i]);
	vkfd_base_teardown(&self->b);
}

/* Set module parameter @res to @val, put back at teardown. */
#define LIM_PARAM(res, val) do {					\
	char __v[32];							\
									\
	self->touched = true;						\
	snprintf(__v, sizeof(__v), "%llu", (unsigned long long)(val));	\
	ASSERT_EQ(0, lim_param_write(lim_params[res], __v));		\
} while (0)

/* VKFD_IOC_CTX_LIMITS with @op on the context @id through @fd. */
static inline int _test_lim(int fd, uint32_t op, uint32_t id, uint32_t mask,
			    struct vkfd_ioctl_ctx_limits *a)
{
	a->op = op;
	a->ctx_id = id;
	a->mask = mask;
	return _test_ioctl(fd, VKFD_IOC_CTX_LIMITS, a);
}

/* GET of @id through @fd into *@a. */
static inline int _test_lim_get(int fd, uint32_t id,
				struct vkfd_ioctl_ctx_limits *a)
{
	memset(a, 0, sizeof(*a));
	return _test_lim(fd, VKFD_LIMITS_OP_GET, id, 0, a);
}
#define test_lim_get(...)		__vkfd_test_ok(lim_get, __VA_ARGS__)
#define test_err_lim_get(e, ...)	__vkfd_test_err(e, lim_get, __VA_ARGS__)

/* SET of limit @res of @id to @val through the primary's @fd. */
static inline int _test_lim_set(int fd, uint32_t id, unsigned int res,
				uint64_t val)
{
	struct vkfd_ioctl_ctx_limits a = { 0 };

	a.limit[res] = val;
	return _test_lim(fd, VKFD_LIMITS_OP_SET, id, VKFD_LIMIT_BIT(res), &a);
}
#define test_lim_set(...)		__vkfd_test_ok(lim_set, __VA_ARGS__)
#define test_err_lim_set(e, ...)	__vkfd_test_err(e, lim_set, __VA_ARGS__)

/* The usage of @res of @id as the primary @pfd reads it; LIM_BAD if not. */
static inline uint64_t lim_usage(int pfd, uint32_t id, unsigned int res)
{
	struct vkfd_ioctl_ctx_limits a;

	return _test_lim_get(pfd, id, &a) ? LIM_BAD : a.usage[res];
}

/* The limit on @res of @id as the primary @pfd reads it; LIM_BAD if not. */
static inline uint64_t lim_limit(int pfd, uint32_t id, unsigned int res)
{
	struct vkfd_ioctl_ctx_limits a;

	return _test_lim_get(pfd, id, &a) ? LIM_BAD : a.limit[res];
}

/*
 * limits/@file of the context @id of process @pid: a number, LIM_MAX for
 * "max", LIM_BAD if it cannot be read or is neither.
 */
static inline uint64_t lim_sysfs(const struct vkfd_env *env, pid_t pid,
				 uint32_t id, const char *file)
{
	char path[PATH_MAX], rel[96], text[64];
	uint64_t val;
	ssize_t n;

	snprintf(rel, sizeof(rel), "limits/%s", file);
	vkfd_ctx_sysfs_path(env, pid, id, rel, path, sizeof(path));
	n = vkfd_read_text(path, text, sizeof(text));
	if (n < 1 || text[n - 1] != '\n')
		return LIM_BAD;
	if (!strcmp(text, "max\n"))
		return LIM_MAX;
	return vkfd_parse_u64(text, n - 1, &val) ? val : LIM_BAD;
}

/* The id of the secondary bound to @fd (asserts it is one). */
#define lim_id(fd) ({							\
	long __id = vkfd_ctx_id_of_fd(fd);				\
	ASSERT_LE(0, __id);						\
	ASSERT_GT(VKFD_CTX_ID_PRIMARY, __id);				\
	(uint32_t)__id;							\
})

/* Valid arguments of an SDMA queue on @gpu_id. */
static inline struct kfd_ioctl_create_queue_args lim_queue_args(uint32_t gpu_id)
{
	return (struct kfd_ioctl_create_queue_args){
		.ring_base_address = LIM_RING_VA,
		.ring_size = 4096,
		.gpu_id = gpu_id,
		.queue_type = KFD_IOC_QUEUE_TYPE_SDMA,
		.queue_percentage = KFD_MAX_QUEUE_PERCENTAGE,
		.queue_priority = 7,
		.read_pointer_address = LIM_PTR_VA,
		.write_pointer_address = LIM_PTR_VA + 8,
	};
}

/* A queue of @fd on @gpu_id: its id, or -errno. */
static inline int lim_queue(int fd, uint32_t gpu_id)
{
	struct kfd_ioctl_create_queue_args a = lim_queue_args(gpu_id);
	int ret = _test_create_queue(fd, &a);

	return ret ? ret : (int)a.queue_id;
}

/* A signal event of @fd: its id, or -errno. */
static inline long lim_event(int fd)
{
	struct kfd_ioctl_create_event_args a = {
		.event_type = KFD_IOC_EVENT_SIGNAL,
	};
	int ret = _test_create_event(fd, &a);

	return ret ? ret : (long)a.event_id;
}

/* DESTROY_EVENT of @id: 0 or -errno. */
static inline int lim_event_destroy(int fd, uint32_t id)
{
	struct kfd_ioctl_destroy_event_args a = { .event_id = id };

	return _test_ioctl(fd, AMDKFD_IOC_DESTROY_EVENT, &a);
}

/* ALLOC of @size bytes of @flags at @va: 0 or -errno, the reply in *@a. */
static inline int lim_alloc(int fd, uint32_t gpu_id, uint64_t va,
			    uint64_t size, uint64_t mmap_offset, uint32_t flags,
			    struct kfd_ioctl_alloc_memory_of_gpu_args *a)
{
	*a = (struct kfd_ioctl_alloc_memory_of_gpu_args){
		.va_addr = va, .size = size, .mmap_offset = mmap_offset,
		.gpu_id = gpu_id, .flags = flags,
	};
	return _test_alloc_memory(fd, a);
}

/* MAP of @handle on @gpu_id: 0 or -errno; *@n_success as it ended. */
static inline int lim_map(int fd, uint64_t handle, uint32_t gpu_id,
			  uint32_t *n_success)
{
	struct kfd_ioctl_map_memory_to_gpu_args a = {
		.handle = handle, .device_ids_array_ptr = (uintptr_t)&gpu_id,
		.n_devices = 1,
	};
	int ret = _test_map_memory(fd, &a);

	*n_success = a.n_success;
	return ret;
}

#endif /* VKFD_SELFTEST_LIMITS_UTILS_H */
