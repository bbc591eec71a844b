/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The fixture and helpers of the queue tests: queue.c (CREATE, DESTROY
 * and UPDATE_QUEUE, their errnos, ids, sysfs), queue_mmap.c (the doorbell
 * and MMIO pages through /dev/kfd), queue_life.c (close, exit, fork, exec,
 * races, fault injection) and queue_exec.c (what the SDMA engines run).
 * Header-only and static, like vkfd_utils.h; include it after
 * kselftest_harness.h.
 *
 * Every call is checked twice: its return (the exact errno of
 * docs/uapi.rst) and the state afterwards: the queues/<qid> directories of
 * each context in sysfs, and which id the next queue gets (an id a failed
 * call took and kept would show there).
 *
 * The amdkfd lane has no GPU: the checks CREATE_QUEUE makes before it
 * looks at gpu_id, and the answers to unknown queue ids, are the same
 * there and run on both; everything else skips there, saying why.
 */
#ifndef VKFD_SELFTEST_QUEUE_UTILS_H
#define VKFD_SELFTEST_QUEUE_UTILS_H

#include "vkfd_utils.h"

#include <linux/vkfd_ioctl.h>

#define Q_PAGE		4096ULL
#define Q_VA_TOP	(1ULL << 48)		/* the end of a 48-bit GPU VM */
#define Q_RING_VA	0x40000000ULL		/* rings (need not be mapped) */
#define Q_RING		4096U
#define Q_PTR_VA	0x50000000ULL		/* rptr; wptr 8 bytes above */
#define Q_MAX		1024			/* queues per context */
#define Q_DOORBELL_SIZE	8192ULL
#define Q_PRIO_NORMAL	7

/* amdkfd answers an unknown queue type with the kernel-internal ENOTSUPP. */
#define Q_ENOTSUPP	524

/* /dev/kfd mmap cookies, as amdkfd's */
#define Q_MMAP_DOORBELL		(3ULL << 62)
#define Q_MMAP_MMIO		(0ULL << 62)
#define Q_MMAP_GPU(id)		((uint64_t)(id) << 46)

/* amdkfd's enum kfd_queue_type, which sysfs queues/<qid>/type shows */
#define Q_SYSFS_COMPUTE		0
#define Q_SYSFS_SDMA		1
#define Q_SYSFS_SDMA_XGMI	4

#define Q_GONE_MS	10000	/* an exited primary may go from a workqueue */

/* The base fixture: the primary with its VM on GPU 0 (vkfd), -1 without */
FIXTURE(queue) {
	struct vkfd_base b;
};

/* Tests that need a GPU (and vkfd's sysfs) skip without. */
#define Q_NEED_GPUS(n)							\
	VKFD_ONLY_GPUS(&self->b, n, "CPU-only, no GPU to make queues on")

/*
 * The three contexts of the isolation tests, each with its VM on GPU 0:
 * @fd[0] the primary's, @fd[1] and @fd[2] two new secondaries'.
 */
static inline void q_three_contexts(struct __test_metadata *_metadata,
				    FIXTURE_DATA(queue) *self, int fd[3])
{
	fd[0] = self->b.p.fd;
	fd[1] = vkfd_keep_secondary_vm(&self->b, 0);
	fd[2] = vkfd_keep_secondary_vm(&self->b, 0);
}

/* ------------------------------------------------------------------------
 * Queue ioctls, over tests/lib's _test_*_queue()
 */

/* Valid arguments for a queue of @type on @gpu_id, ring @size at Q_RING_VA. */
static inline struct kfd_ioctl_create_queue_args
q_args(uint32_t gpu_id, uint32_t type, uint32_t size)
{
	return (struct kfd_ioctl_create_queue_args){
		.ring_base_address = Q_RING_VA,
		.ring_size = size,
		.gpu_id = gpu_id,
		.queue_type = type,
		.queue_percentage = KFD_MAX_QUEUE_PERCENTAGE,
		.queue_priority = Q_PRIO_NORMAL,
		.read_pointer_address = Q_PTR_VA,
		.write_pointer_address = Q_PTR_VA + 8,
	};
}

/* An SDMA queue on @gpu_id; its id, or -errno. */
static inline int q_create(int fd, uint32_t gpu_id)
{
	struct kfd_ioctl_create_queue_args a = q_args(gpu_id,
						      KFD_IOC_QUEUE_TYPE_SDMA,
						      Q_RING);
	int ret = _test_create_queue(fd, &a);

	return ret ? ret : (int)a.queue_id;
}

static inline int q_update(int fd, uint32_t id, uint64_t base, uint32_t size,
			   uint32_t percentage, uint32_t priority)
{
	struct kfd_ioctl_update_queue_args a = {
		.ring_base_address = base, .queue_id = id, .ring_size = size,
		.queue_percentage = percentage, .queue_priority = priority,
	};

	return _test_update_queue(fd, &a);
}

/* ------------------------------------------------------------------------
 * sysfs: proc/<pid>[/context_<id>]/queues/<qid>/{size,type,gpuid}
 */

static inline void q_sysfs_path(FIXTURE_DATA(queue) *self, pid_t pid,
				uint32_t ctx_id, const char *file, char *buf,
				size_t n)
{
	vkfd_ctx_sysfs_path(&self->b.env, pid, ctx_id, file, buf, n);
}

/* Number of queue directories of a context; -errno if it has no queues/. */
static inline int q_sysfs_count(FIXTURE_DATA(queue) *self, pid_t pid,
				uint32_t ctx_id)
{
	char path[PATH_MAX];

	q_sysfs_path(self, pid, ctx_id, "queues", path, sizeof(path));
	return vkfd_count_entries(path);
}

static inline bool q_sysfs_exists(FIXTURE_DATA(queue) *self, pid_t pid,
				  uint32_t ctx_id, uint32_t qid)
{
	char file[32], path[PATH_MAX];

	snprintf(file, sizeof(file), "queues/%u", qid);
	q_sysfs_path(self, pid, ctx_id, file, path, sizeof(path));
	return vkfd_is_dir(path);
}

/* queues/<qid>/@name of a context, ~0 if unreadable. */
static inline uint64_t q_sysfs(FIXTURE_DATA(queue) *self, pid_t pid,
			       uint32_t ctx_id, uint32_t qid, const char *name)
{
	return vkfd_ctx_sysfs_val(&self->b.env, pid, ctx_id, "queues/%u/%s",
				  qid, name);
}

/* The queue's three files say what it is. */
#define EXPECT_QUEUE_SYSFS(fd, qid, size, type, gpu_id) do {		\
	uint32_t __c = vkfd_ctx_id_of_fd(fd);				\
	EXPECT_TRUE(q_sysfs_exists(self, self->b.pid, __c, (qid)))	\
		TH_LOG("queues/%u of context %u", (qid), __c);		\
	EXPECT_EQ((uint64_t)(size),					\
		  q_sysfs(self, self->b.pid, __c, (qid), "size"));	\
	EXPECT_EQ((uint64_t)(type),					\
		  q_sysfs(self, self->b.pid, __c, (qid), "type"));	\
	EXPECT_EQ((uint64_t)(gpu_id),					\
		  q_sysfs(self, self->b.pid, __c, (qid), "gpuid"));	\
} while (0)

/* The context of @fd has exactly @n queues in sysfs. */
#define EXPECT_QUEUES(fd, n)						\
	EXPECT_EQ((n), q_sysfs_count(self, self->b.pid,			\
				     vkfd_ctx_id_of_fd(fd)))		\
		TH_LOG("queues of context %ld", vkfd_ctx_id_of_fd(fd))

/*
 * Nothing of a failed call stayed: @n queues, and the next queue gets
 * the lowest free id, @next. (Creates and destroys that queue.)
 */
#define EXPECT_NOTHING_MADE(fd, n, next) do {				\
	int __id;							\
	EXPECT_QUEUES(fd, n);						\
	__id = q_create((fd), self->b.gpu[0]);				\
	EXPECT_EQ((next), __id);					\
	if (__id >= 0)							\
		EXPECT_EQ(0, _test_destroy_queue((fd), __id));			\
} while (0)

/* ------------------------------------------------------------------------
 * mmap of /dev/kfd
 */

/* mmap of /dev/kfd: the address, or MAP_FAILED with errno set. */
static inline void *q_mmap(int fd, uint64_t offset, size_t len, int prot,
			   int flags)
{
	return mmap(NULL, len, prot, flags, fd, (off_t)offset);
}

/* The mmap cookie of the doorbell slice on @gpu_id. */
static inline uint64_t q_cookie(uint32_t gpu_id)
{
	return Q_MMAP_DOORBELL | Q_MMAP_GPU(gpu_id);
}

/*
 * The whole doorbell slice of @fd's context on @gpu_id, shared and
 * writable, as libhsakmt maps it: the mapping, or MAP_FAILED with errno.
 */
static inline uint64_t *q_doorbells_map(int fd, uint32_t gpu_id)
{
	return q_mmap(fd, q_cookie(gpu_id), Q_DOORBELL_SIZE,
		      PROT_READ | PROT_WRITE, MAP_SHARED);
}

/* The doorbell_offset of queue @id on @gpu_id: amdkfd's gfx9 encoding. */
static inline uint64_t q_doorbell_offset(uint32_t gpu_id, uint32_t id)
{
	return Q_MMAP_DOORBELL | Q_MMAP_GPU(gpu_id) | id * 8ULL;
}

/* ------------------------------------------------------------------------
 * Fixture
 */

FIXTURE_SETUP(queue)
{
	vkfd_base_setup(&self->b, VKFD_BASE_VM);
	/* A new process with a VM: a new primary, without queues */
	if (self->b.render >= 0)
		ASSERT_EQ(0, q_sysfs_count(self, self->b.pid,
					   VKFD_CTX_ID_PRIMARY));
}

FIXTURE_TEARDOWN(queue)
{
	vkfd_base_teardown(&self->b);
}

#endif /* VKFD_SELFTEST_QUEUE_UTILS_H */
