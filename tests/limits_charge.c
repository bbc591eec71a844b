// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Context limits, reached: each resource up to its limit, then EDQUOT
 * with nothing made (no object, no id taken, usage unchanged); raised,
 * it works again; lowered below the usage, nothing is freed and new
 * charges fail until the usage is below; freed, the usage is back to 0.
 *
 * vkfd only: the fixture (limits_utils.h) skips on amdkfd.
 */
#include "kselftest_harness.h"
#include "limits_utils.h"

#define F_VRAM		KFD_IOC_ALLOC_MEM_FLAGS_VRAM
#define F_GTT		KFD_IOC_ALLOC_MEM_FLAGS_GTT
#define F_USERPTR	KFD_IOC_ALLOC_MEM_FLAGS_USERPTR
#define F_DOORBELL	KFD_IOC_ALLOC_MEM_FLAGS_DOORBELL
#define F_W		KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE

/* queues/ entries of the context @id of this process. */
static int queue_dirs(const struct vkfd_env *env, uint32_t id)
{
	char path[PATH_MAX];

	vkfd_ctx_sysfs_path(env, getpid(), id, "queues", path, sizeof(path));
	return vkfd_count_entries(path);
}

/* Queues: EDQUOT at the limit, no queue, id or directory made; raised, the next gets the id. */
TEST_F(limits, queues)
{
	int s = vkfd_keep_secondary_vm(&self->b, 0);
	uint32_t gpu = self->b.gpu[0], id = lim_id(s);
	int q[3];

	test_lim_set(self->b.p.fd, id, VKFD_LIMIT_QUEUES, 2);
	q[0] = lim_queue(s, gpu);
	q[1] = lim_queue(s, gpu);
	ASSERT_EQ(0, q[0]);
	ASSERT_EQ(1, q[1]);
	EXPECT_EQ(-EDQUOT, lim_queue(s, gpu));
	EXPECT_EQ(-EDQUOT, lim_queue(s, gpu));
	EXPECT_EQ(2ULL, lim_usage(self->b.p.fd, id, VKFD_LIMIT_QUEUES));
	EXPECT_EQ(2ULL, lim_sysfs(&self->b.env, getpid(), id, "queues_usage"));
	EXPECT_EQ(2, queue_dirs(&self->b.env, id));
	test_err_destroy_queue(EINVAL, s, 2);

	test_lim_set(self->b.p.fd, id, VKFD_LIMIT_QUEUES, 3);
	q[2] = lim_queue(s, gpu);
	EXPECT_EQ(2, q[2]);
	EXPECT_EQ(-EDQUOT, lim_queue(s, gpu));

	test_destroy_queue(s, q[0]);
	EXPECT_EQ(2ULL, lim_usage(self->b.p.fd, id, VKFD_LIMIT_QUEUES));
	EXPECT_EQ(0, lim_queue(s, gpu));
	test_destroy_queue(s, 0);
	test_destroy_queue(s, q[1]);
	test_destroy_queue(s, q[2]);
	EXPECT_EQ(0ULL, lim_usage(self->b.p.fd, id, VKFD_LIMIT_QUEUES));
	EXPECT_EQ(0, queue_dirs(&self->b.env, id));
}

/* A limit of 0: not even one. */
TEST_F(limits, zero_allows_none)
{
	int s = vkfd_keep_secondary_vm(&self->b, 0);
	uint32_t id = lim_id(s);
	struct kfd_ioctl_alloc_memory_of_gpu_args m;

	test_lim_set(self->b.p.fd, id, VKFD_LIMIT_QUEUES, 0);
	test_lim_set(self->b.p.fd, id, VKFD_LIMIT_EVENTS, 0);
	test_lim_set(self->b.p.fd, id, VKFD_LIMIT_BUFFERS, 0);
	EXPECT_EQ(-EDQUOT, lim_queue(s, self->b.gpu[0]));
	EXPECT_EQ(-EDQUOT, lim_event(s));
	EXPECT_EQ(-EDQUOT, lim_alloc(s, self->b.gpu[0], LIM_VA, LIM_PAGE, 0,
				     F_GTT, &m));
	EXPECT_EQ(0, queue_dirs(&self->b.env, id));
}

/* Events: EDQUOT at the limit, the event not made; raised, creation works. */
TEST_F(limits, events)
{
	int s = vkfd_keep_secondary_vm(&self->b, 0);
	uint32_t id = lim_id(s);
	struct kfd_ioctl_create_event_args a = {
		.event_type = KFD_IOC_EVENT_MEMORY,
	};
	long ev[3];

	test_lim_set(self->b.p.fd, id, VKFD_LIMIT_EVENTS, 2);
	ev[0] = lim_event(s);
	ev[1] = lim_event(s);
	ASSERT_LT(0, ev[0]);
	ASSERT_LT(0, ev[1]);
	EXPECT_EQ(-EDQUOT, lim_event(s));
	/* Every type counts */
	test_err_create_event(EDQUOT, s, &a);
	EXPECT_EQ(2ULL, lim_usage(self->b.p.fd, id, VKFD_LIMIT_EVENTS));
	EXPECT_EQ(2ULL, lim_sysfs(&self->b.env, getpid(), id, "events_usage"));

	test_lim_set(self->b.p.fd, id, VKFD_LIMIT_EVENTS, 3);
	ev[2] = lim_event(s);
	ASSERT_LT(0, ev[2]);
	/* The failed calls took no slot: the ids are consecutive */
	EXPECT_EQ(ev[1] + 1, ev[2]);
	EXPECT_EQ(-EDQUOT, lim_event(s));

	EXPECT_EQ(0, lim_event_destroy(s, ev[0]));
	EXPECT_EQ(2ULL, lim_usage(self->b.p.fd, id, VKFD_LIMIT_EVENTS));
	ev[0] = lim_event(s);
	ASSERT_LT(0, ev[0]);
	EXPECT_EQ(0, lim_event_destroy(s, ev[0]));
	EXPECT_EQ(0, lim_event_destroy(s, ev[1]));
	EXPECT_EQ(0, lim_event_destroy(s, ev[2]));
	EXPECT_EQ(0ULL, lim_usage(self->b.p.fd, id, VKFD_LIMIT_EVENTS));
}

/* GTT bytes: EDQUOT past the limit, no handle used; VRAM is counted apart. */
TEST_F(limits, gtt_bytes)
{
	int s = vkfd_keep_secondary_vm(&self->b, 0);
	uint32_t gpu = self->b.gpu[0], id = lim_id(s);
	struct kfd_ioctl_alloc_memory_of_gpu_args g, v, f;
	struct vkfd_ioctl_ctx_limits a;

	test_lim_set(self->b.p.fd, id, VKFD_LIMIT_GTT, 2 * LIM_PAGE);
	ASSERT_EQ(0, lim_alloc(s, gpu, LIM_VA, 2 * LIM_PAGE, 0, F_GTT, &g));
	EXPECT_EQ(-EDQUOT, lim_alloc(s, gpu, LIM_VA + LIM_MIB, LIM_PAGE, 0,
				     F_GTT, &f));
	test_lim_get(self->b.p.fd, id, &a);
	EXPECT_EQ(2 * LIM_PAGE, a.usage[VKFD_LIMIT_GTT]);
	EXPECT_EQ(1ULL, a.usage[VKFD_LIMIT_BUFFERS]);
	EXPECT_EQ(2 * LIM_PAGE, lim_sysfs(&self->b.env, getpid(), id,
					  "gtt_usage"));
	/* Another domain: its own counter. Its handle follows the first. */
	ASSERT_EQ(0, lim_alloc(s, gpu, LIM_VA + LIM_MIB, LIM_PAGE, 0, F_VRAM,
			       &v));
	EXPECT_EQ((uint32_t)g.handle + 1, (uint32_t)v.handle);
	EXPECT_EQ(LIM_PAGE, lim_usage(self->b.p.fd, id, VKFD_LIMIT_VRAM));

	/* Freed: room again */
	test_free_memory(s, g.handle);
	EXPECT_EQ(0ULL, lim_usage(self->b.p.fd, id, VKFD_LIMIT_GTT));
	ASSERT_EQ(0, lim_alloc(s, gpu, LIM_VA, 2 * LIM_PAGE, 0, F_GTT, &g));
	test_free_memory(s, g.handle);
	test_free_memory(s, v.handle);
	test_lim_get(self->b.p.fd, id, &a);
	EXPECT_EQ(0ULL, a.usage[VKFD_LIMIT_GTT]);
	EXPECT_EQ(0ULL, a.usage[VKFD_LIMIT_VRAM]);
	EXPECT_EQ(0ULL, a.usage[VKFD_LIMIT_BUFFERS]);
}

/* VRAM bytes: EDQUOT past the limit, the GPU's free VRAM and the context's vram file unchanged. */
TEST_F(limits, vram_bytes)
{
	int s = vkfd_keep_secondary_vm(&self->b, 0);
	uint32_t gpu = self->b.gpu[0], id = lim_id(s);
	struct kfd_ioctl_alloc_memory_of_gpu_args m, n;
	uint64_t avail, vram;
	char file[32];

	snprintf(file, sizeof(file), "vram_%u", gpu);
	test_lim_set(self->b.p.fd, id, VKFD_LIMIT_VRAM, LIM_MIB);
	ASSERT_EQ(0, lim_alloc(s, gpu, LIM_VA, LIM_MIB, 0, F_VRAM, &m));
	avail = vkfd_ctx_available(s, gpu);
	ASSERT_EQ(0, vkfd_ctx_sysfs_u64(&self->b.env, getpid(), id, file,
					&vram));
	EXPECT_EQ(LIM_MIB, vram);
	EXPECT_EQ(-EDQUOT, lim_alloc(s, gpu, LIM_VA + LIM_MIB, LIM_PAGE, 0,
				     F_VRAM, &n));
	EXPECT_EQ(avail, vkfd_ctx_available(s, gpu));
	ASSERT_EQ(0, vkfd_ctx_sysfs_u64(&self->b.env, getpid(), id, file,
					&vram));
	EXPECT_EQ(LIM_MIB, vram);
	EXPECT_EQ(LIM_MIB, lim_usage(self->b.p.fd, id, VKFD_LIMIT_VRAM));
	EXPECT_EQ(1ULL, lim_usage(self->b.p.fd, id, VKFD_LIMIT_BUFFERS));

	test_lim_set(self->b.p.fd, id, VKFD_LIMIT_VRAM, LIM_MIB + LIM_PAGE);
	ASSERT_EQ(0, lim_alloc(s, gpu, LIM_VA + LIM_MIB, LIM_PAGE, 0, F_VRAM,
			       &n));
	EXPECT_EQ((uint32_t)m.handle + 1, (uint32_t)n.handle);
	test_free_memory(s, m.handle);
	test_free_memory(s, n.handle);
	EXPECT_EQ(0ULL, lim_usage(self->b.p.fd, id, VKFD_LIMIT_VRAM));
}

/* Buffers: every domain counts, doorbells too. */
TEST_F(limits, buffers)
{
	int s = vkfd_keep_secondary_vm(&self->b, 0);
	uint32_t gpu = self->b.gpu[0], id = lim_id(s);
	struct kfd_ioctl_alloc_memory_of_gpu_args g, v, d;

	test_lim_set(self->b.p.fd, id, VKFD_LIMIT_BUFFERS, 2);
	ASSERT_EQ(0, lim_alloc(s, gpu, LIM_VA, LIM_PAGE, 0, F_GTT, &g));
	ASSERT_EQ(0, lim_alloc(s, gpu, LIM_VA + LIM_MIB, LIM_PAGE, 0, F_VRAM,
			       &v));
	EXPECT_EQ(-EDQUOT, lim_alloc(s, gpu, LIM_VA + 2 * LIM_MIB, LIM_PAGE,
				     0, F_GTT, &d));
	EXPECT_EQ(-EDQUOT, lim_alloc(s, gpu, LIM_VA + 2 * LIM_MIB,
				     2 * LIM_PAGE, 0, F_DOORBELL, &d));
	/* Nothing charged by the failures */
	EXPECT_EQ(LIM_PAGE, lim_usage(self->b.p.fd, id, VKFD_LIMIT_GTT));
	EXPECT_EQ(2ULL, lim_usage(self->b.p.fd, id, VKFD_LIMIT_BUFFERS));

	test_free_memory(s, g.handle);
	ASSERT_EQ(0, lim_alloc(s, gpu, LIM_VA + 2 * LIM_MIB, 2 * LIM_PAGE, 0,
			       F_DOORBELL, &d));
	EXPECT_EQ(2ULL, lim_usage(self->b.p.fd, id, VKFD_LIMIT_BUFFERS));
	test_free_memory(s, d.handle);
	test_free_memory(s, v.handle);
	EXPECT_EQ(0ULL, lim_usage(self->b.p.fd, id, VKFD_LIMIT_BUFFERS));
}

/* Lowered below the usage: allowed, nothing freed, charges fail until below. */
TEST_F(limits, lowered_below_usage)
{
	int s = vkfd_keep_secondary_vm(&self->b, 0);
	uint32_t gpu = self->b.gpu[0], id = lim_id(s);
	struct kfd_ioctl_alloc_memory_of_gpu_args g[2], n;
	struct vkfd_ioctl_ctx_limits a;
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(i, lim_queue(s, gpu));
	ASSERT_EQ(0, lim_alloc(s, gpu, LIM_VA, 4 * LIM_PAGE, 0, F_GTT, &g[0]));
	ASSERT_EQ(0, lim_alloc(s, gpu, LIM_VA + LIM_MIB, 4 * LIM_PAGE, 0,
			       F_GTT, &g[1]));

	test_lim_set(self->b.p.fd, id, VKFD_LIMIT_QUEUES, 1);
	test_lim_set(self->b.p.fd, id, VKFD_LIMIT_GTT, 4 * LIM_PAGE);
	test_lim_get(self->b.p.fd, id, &a);
	EXPECT_EQ(1ULL, a.limit[VKFD_LIMIT_QUEUES]);
	EXPECT_EQ(3ULL, a.usage[VKFD_LIMIT_QUEUES]);
	EXPECT_EQ(8 * LIM_PAGE, a.usage[VKFD_LIMIT_GTT]);
	EXPECT_EQ(3, queue_dirs(&self->b.env, id));
	EXPECT_EQ(3ULL, lim_sysfs(&self->b.env, getpid(), id, "queues_usage"));
	EXPECT_EQ(1ULL, lim_sysfs(&self->b.env, getpid(), id, "queues_limit"));

	/* Everything still works; nothing new */
	test_destroy_queue(s, 0);
	EXPECT_EQ(-EDQUOT, lim_queue(s, gpu));
	test_destroy_queue(s, 1);
	EXPECT_EQ(-EDQUOT, lim_queue(s, gpu));	/* 1 of 1 */
	test_destroy_queue(s, 2);
	EXPECT_EQ(0, lim_queue(s, gpu));
	EXPECT_EQ(-EDQUOT, lim_queue(s, gpu));

	EXPECT_EQ(-EDQUOT, lim_alloc(s, gpu, LIM_VA + 2 * LIM_MIB, LIM_PAGE, 0,
				     F_GTT, &n));
	test_free_memory(s, g[0].handle);
	EXPECT_EQ(-EDQUOT, lim_alloc(s, gpu, LIM_VA + 2 * LIM_MIB, LIM_PAGE, 0,
				     F_GTT, &n));
	test_free_memory(s, g[1].handle);
	ASSERT_EQ(0, lim_alloc(s, gpu, LIM_VA + 2 * LIM_MIB, 4 * LIM_PAGE, 0,
			       F_GTT, &n));
	test_free_memory(s, n.handle);
	test_destroy_queue(s, 0);
	test_lim_get(self->b.p.fd, id, &a);
	for (i = 0; i < VKFD_LIMIT_NR; i++)
		EXPECT_EQ(0ULL, a.usage[i]);
}

struct userptr_args {
	const struct vkfd_env *env;
	uint32_t gpu;
};

/*
 * Child: its own primary (limited to 1 MiB of pinned USERPTR memory by
 * the module parameter), with a 2 MiB and a 1 MiB USERPTR buffer. The
 * 2 MiB one cannot be mapped (EDQUOT, nothing mapped or charged), the
 * 1 MiB one can; unmapped, the usage is 0 again. Returns 0 or the step
 * that failed.
 */
static int userptr_child(void *arg, int in, int out)
{
	const struct userptr_args *a = arg;
	struct kfd_ioctl_alloc_memory_of_gpu_args big, small;
	struct vkfd_context c;
	uint32_t n = 0;
	uint8_t *mem;
	int render;

	if (vkfd_open_primary(a->env->dev, &c) ||
	    vkfd_open_vm(&c, a->env->topology, a->gpu, &render))
		return 1;
	mem = mmap(NULL, 3 * LIM_MIB, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (mem == MAP_FAILED)
		return 2;
	if (lim_alloc(c.fd, a->gpu, LIM_VA, 2 * LIM_MIB, (uintptr_t)mem,
		      F_USERPTR | F_W, &big) ||
	    lim_alloc(c.fd, a->gpu, LIM_VA + 4 * LIM_MIB, LIM_MIB,
		      (uintptr_t)mem + 2 * LIM_MIB, F_USERPTR | F_W, &small))
		return 3;
	if (lim_usage(c.fd, VKFD_CTX_ID_SELF, VKFD_LIMIT_BUFFERS) != 2 ||
	    lim_usage(c.fd, VKFD_CTX_ID_SELF, VKFD_LIMIT_USERPTR) != 0)
		return 4;
	if (lim_map(c.fd, big.handle, a->gpu, &n) != -EDQUOT || n)
		return 5;
	if (lim_usage(c.fd, VKFD_CTX_ID_SELF, VKFD_LIMIT_USERPTR) != 0)
		return 6;
	if (lim_map(c.fd, small.handle, a->gpu, &n) || n != 1)
		return 7;
	if (lim_usage(c.fd, VKFD_CTX_ID_SELF, VKFD_LIMIT_USERPTR) != LIM_MIB)
		return 8;
	/* Full: the big one still cannot */
	if (lim_map(c.fd, big.handle, a->gpu, &n) != -EDQUOT)
		return 9;
	if (vkfd_unmap(&c, &(struct vkfd_bo){ .handle = small.handle },
		       &a->gpu, 1))
		return 10;
	if (lim_usage(c.fd, VKFD_CTX_ID_SELF, VKFD_LIMIT_USERPTR) != 0)
		return 11;
	/* Freed while mapped: unpinned and uncharged */
	if (lim_map(c.fd, small.handle, a->gpu, &n) ||
	    _test_free_memory(c.fd, small.handle) ||
	    _test_free_memory(c.fd, big.handle))
		return 12;
	if (lim_usage(c.fd, VKFD_CTX_ID_SELF, VKFD_LIMIT_USERPTR) != 0 ||
	    lim_usage(c.fd, VKFD_CTX_ID_SELF, VKFD_LIMIT_BUFFERS) != 0)
		return 13;
	return 0;
}

/* Pinned USERPTR bytes (a primary's, from the module parameter): the first MAP past the limit is EDQUOT. */
TEST_F(limits, userptr_pinned_bytes)
{
	struct userptr_args ua = {
		.env = &self->b.env, .gpu = self->b.gpu[0],
	};

	LIM_PARAM(VKFD_LIMIT_USERPTR, 1);
	ASSERT_EQ(0, vkfd_child_start(&self->b.child, userptr_child, &ua));
	EXPECT_EQ(0, vkfd_child_wait(&self->b.child));
}

TEST_HARNESS_MAIN
