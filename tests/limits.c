// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Context limits, the interface: VKFD_IOC_CTX_LIMITS's arguments and
 * errnos, who may set and read which limits (a primary its secondaries',
 * not another process's; a secondary only reads its own), the sysfs
 * files, and the module parameters that give new contexts their limits.
 * What each limit does when reached is in limits_charge.c.
 *
 * vkfd only: the fixture (limits_utils.h) skips on amdkfd.
 */
#include "kselftest_harness.h"
#include "limits_utils.h"

/* A new context: no usage; every limit from the module parameters (none by default). */
TEST_F(limits, get_new_context)
{
	int s = vkfd_keep_secondary(&self->b);
	uint32_t id = lim_id(s);
	struct vkfd_ioctl_ctx_limits a, own;
	unsigned int i;

	test_lim_get(self->b.p.fd, id, &a);
	EXPECT_EQ(LIM_ALL, a.known);
	for (i = 0; i < VKFD_LIMIT_NR; i++) {
		uint64_t param;

		ASSERT_EQ(0, vkfd_module_param_u64(lim_params[i], &param));
		if (!param)
			EXPECT_EQ(LIM_MAX, a.limit[i]);
		EXPECT_EQ(0ULL, a.usage[i]);
	}
	/* Slots beyond the known limits are 0 */
	for (i = VKFD_LIMIT_NR; i < VKFD_LIMIT_SLOTS; i++) {
		EXPECT_EQ(0ULL, a.limit[i]);
		EXPECT_EQ(0ULL, a.usage[i]);
	}
	/* The secondary reads the same of itself */
	test_lim_get(s, VKFD_CTX_ID_SELF, &own);
	EXPECT_EQ(0, memcmp(a.limit, own.limit, sizeof(a.limit)));
	EXPECT_EQ(0, memcmp(a.usage, own.usage, sizeof(a.usage)));
}

/* SET changes exactly the limits of its mask, and reports the state as GET. */
TEST_F(limits, set_mask_only)
{
	int s = vkfd_keep_secondary(&self->b);
	uint32_t id = lim_id(s);
	struct vkfd_ioctl_ctx_limits a = { 0 }, before, after;

	test_lim_get(self->b.p.fd, id, &before);
	a.limit[VKFD_LIMIT_QUEUES] = 5;
	a.limit[VKFD_LIMIT_GTT] = 3 * LIM_MIB;
	a.limit[VKFD_LIMIT_EVENTS] = 77;	/* not in the mask: ignored */
	a.op = VKFD_LIMITS_OP_SET;
	a.ctx_id = id;
	a.mask = VKFD_LIMIT_BIT(VKFD_LIMIT_QUEUES) |
		 VKFD_LIMIT_BIT(VKFD_LIMIT_GTT);
	test_ioctl(self->b.p.fd, VKFD_IOC_CTX_LIMITS, &a);
	EXPECT_EQ(LIM_ALL, a.known);
	EXPECT_EQ(5ULL, a.limit[VKFD_LIMIT_QUEUES]);
	EXPECT_EQ(3 * LIM_MIB, a.limit[VKFD_LIMIT_GTT]);
	EXPECT_EQ(before.limit[VKFD_LIMIT_EVENTS], a.limit[VKFD_LIMIT_EVENTS]);

	test_lim_get(self->b.p.fd, id, &after);
	EXPECT_EQ(0, memcmp(a.limit, after.limit, sizeof(a.limit)));
	/* Back to none */
	test_lim_set(self->b.p.fd, id, VKFD_LIMIT_QUEUES, LIM_MAX);
	EXPECT_EQ(LIM_MAX, lim_limit(self->b.p.fd, id, VKFD_LIMIT_QUEUES));
}

/* Unknown op, flags, pad, mask bits: EINVAL, and no limit changed. */
TEST_F(limits, bad_args_einval)
{
	int s = vkfd_keep_secondary(&self->b);
	uint32_t id = lim_id(s);
	struct vkfd_ioctl_ctx_limits a, before, after;
	const uint32_t masks[] = {
		0, VKFD_LIMIT_BIT(VKFD_LIMIT_NR),
		VKFD_LIMIT_BIT(VKFD_LIMIT_SLOTS - 1), 1U << 31,
		VKFD_LIMIT_BIT(VKFD_LIMIT_QUEUES) | VKFD_LIMIT_BIT(VKFD_LIMIT_NR),
	};
	unsigned int i;

	test_lim_get(self->b.p.fd, id, &before);
#define SET_ZERO(a) do {						\
	memset(&(a), 0, sizeof(a));					\
	(a).op = VKFD_LIMITS_OP_SET;					\
	(a).ctx_id = id;						\
	(a).mask = VKFD_LIMIT_BIT(VKFD_LIMIT_QUEUES);			\
} while (0)
	SET_ZERO(a);
	a.flags = 1;
	test_err_ioctl(EINVAL, self->b.p.fd, VKFD_IOC_CTX_LIMITS, &a);
	SET_ZERO(a);
	a.flags = 1U << 31;
	test_err_ioctl(EINVAL, self->b.p.fd, VKFD_IOC_CTX_LIMITS, &a);
	SET_ZERO(a);
	a.pad = 1;
	test_err_ioctl(EINVAL, self->b.p.fd, VKFD_IOC_CTX_LIMITS, &a);
	for (i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		SET_ZERO(a);
		a.mask = masks[i];
		test_err_ioctl(EINVAL, self->b.p.fd, VKFD_IOC_CTX_LIMITS, &a);
	}
	/* Unknown ops */
	SET_ZERO(a);
	a.op = 2;
	test_err_ioctl(EINVAL, self->b.p.fd, VKFD_IOC_CTX_LIMITS, &a);
	a.op = ~0U;
	test_err_ioctl(EINVAL, self->b.p.fd, VKFD_IOC_CTX_LIMITS, &a);
	/* GET with a mask */
	memset(&a, 0, sizeof(a));
	a.ctx_id = id;
	a.mask = VKFD_LIMIT_BIT(VKFD_LIMIT_QUEUES);
	test_err_ioctl(EINVAL, self->b.p.fd, VKFD_IOC_CTX_LIMITS, &a);
	/* Argument errors come first, even for an id that names nothing */
	SET_ZERO(a);
	a.ctx_id = 0xfffe;
	a.pad = 1;
	test_err_ioctl(EINVAL, self->b.p.fd, VKFD_IOC_CTX_LIMITS, &a);
#undef SET_ZERO

	test_lim_get(self->b.p.fd, id, &after);
	EXPECT_EQ(0, memcmp(before.limit, after.limit, sizeof(after.limit)));
}

/* A failed call gives back the caller's argument as it was (IOWR). */
TEST_F(limits, failed_call_writes_nothing)
{
	struct vkfd_ioctl_ctx_limits a;

	vkfd_fill(&a, sizeof(a));
	a.op = VKFD_LIMITS_OP_SET;
	a.ctx_id = 0x1234;
	a.flags = 0;
	a.pad = 0;
	a.mask = VKFD_LIMIT_BIT(VKFD_LIMIT_QUEUES);
	test_err_ioctl(ENOENT, self->b.p.fd, VKFD_IOC_CTX_LIMITS, &a);
	EXPECT_EQ(0xa5a5a5a5U, a.known);
	EXPECT_TRUE(vkfd_untouched(a.limit, sizeof(a.limit)));
	EXPECT_TRUE(vkfd_untouched(a.usage, sizeof(a.usage)));
}

/* Ids that name no secondary of this primary: ENOENT. */
TEST_F(limits, not_a_secondary_enoent)
{
	int s = vkfd_keep_secondary(&self->b);
	uint32_t id = lim_id(s);
	struct vkfd_ioctl_ctx_limits a;
	const uint32_t ids[] = {
		id + 1, VKFD_CTX_ID_PRIMARY - 1, VKFD_CTX_ID_PRIMARY,
		VKFD_CTX_ID_PRIMARY + 1, 0x12345678,
	};
	unsigned int i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		test_err_lim_set(ENOENT, self->b.p.fd, ids[i],
				 VKFD_LIMIT_QUEUES, 1);
		test_err_lim_get(ENOENT, self->b.p.fd, ids[i], &a);
	}
	/* The primary's own limits: only the module parameters set them */
	test_err_lim_set(ENOENT, self->b.p.fd, VKFD_CTX_ID_SELF,
			 VKFD_LIMIT_QUEUES, 1);
	test_lim_get(self->b.p.fd, VKFD_CTX_ID_SELF, &a);
	EXPECT_NE(1ULL, a.limit[VKFD_LIMIT_QUEUES]);

	/* A closed secondary's id */
	test_lim_set(self->b.p.fd, id, VKFD_LIMIT_QUEUES, 1);
	ASSERT_EQ(0, vkfd_cleanup_close(&self->b.cl, s));
	test_err_lim_set(ENOENT, self->b.p.fd, id, VKFD_LIMIT_QUEUES, 1);
	test_err_lim_get(ENOENT, self->b.p.fd, id, &a);
	/* Its successor under the same id starts from the defaults */
	s = vkfd_keep_secondary(&self->b);
	ASSERT_EQ(id, lim_id(s));
	EXPECT_NE(1ULL, lim_limit(self->b.p.fd, id, VKFD_LIMIT_QUEUES));
}

/* A secondary reads its own limits; setting any, or reading another's, is EPERM. */
TEST_F(limits, from_secondary_eperm)
{
	int s1 = vkfd_keep_secondary(&self->b);
	int s2 = vkfd_keep_secondary(&self->b);
	uint32_t id1 = lim_id(s1), id2 = lim_id(s2);
	struct vkfd_ioctl_ctx_limits a;

	test_lim_set(self->b.p.fd, id1, VKFD_LIMIT_EVENTS, 3);
	test_err_lim_set(EPERM, s1, id1, VKFD_LIMIT_EVENTS, 100);
	test_err_lim_set(EPERM, s1, id2, VKFD_LIMIT_EVENTS, 100);
	test_err_lim_set(EPERM, s1, VKFD_CTX_ID_SELF, VKFD_LIMIT_EVENTS, 100);
	test_err_lim_set(EPERM, s1, VKFD_CTX_ID_PRIMARY, VKFD_LIMIT_EVENTS, 100);
	test_err_lim_get(EPERM, s1, id2, &a);
	test_err_lim_get(EPERM, s1, id1, &a);
	test_err_lim_get(EPERM, s1, VKFD_CTX_ID_PRIMARY, &a);
	/* Bad arguments are EINVAL whoever asks */
	memset(&a, 0, sizeof(a));
	a.op = VKFD_LIMITS_OP_SET;
	a.ctx_id = id1;
	test_err_ioctl(EINVAL, s1, VKFD_IOC_CTX_LIMITS, &a);

	test_lim_get(s1, VKFD_CTX_ID_SELF, &a);
	EXPECT_EQ(3ULL, a.limit[VKFD_LIMIT_EVENTS]);
	EXPECT_EQ(3ULL, lim_limit(self->b.p.fd, id1, VKFD_LIMIT_EVENTS));
}

struct other_args {
	const struct vkfd_env *env;
};

/*
 * Child: a primary and two secondaries of its own (ids 0 and 1); tells
 * the parent it is ready, waits, then reports its secondaries' limits
 * on events, then waits to be told to exit.
 */
static int other_child(void *arg, int in, int out)
{
	const struct other_args *a = arg;
	struct vkfd_ioctl_ctx_limits l;
	int fd[2], i;
	uint64_t v;

	if (vkfd_open_dev(a->env) < 0)
		return 1;
	for (i = 0; i < 2; i++) {
		fd[i] = vkfd_open_dev(a->env);
		if (fd[i] < 0 || _test_create_process(fd[i]) ||
		    vkfd_ctx_id_of_fd(fd[i]) != i)
			return 2;
	}
	if (vkfd_msg_send(out, 1) || vkfd_msg_recv(in, &v))
		return 3;
	for (i = 0; i < 2; i++) {
		if (_test_lim_get(fd[i], VKFD_CTX_ID_SELF, &l))
			return 4;
		if (vkfd_msg_send(out, l.limit[VKFD_LIMIT_EVENTS]))
			return 5;
	}
	return vkfd_msg_recv(in, &v) ? 6 : 0;
}

/* Another process's secondaries are not this primary's: ENOENT, theirs unchanged. */
TEST_F(limits, other_process_secondary_enoent)
{
	struct other_args oa = { .env = &self->b.env };
	int s = vkfd_keep_secondary(&self->b);
	struct vkfd_ioctl_ctx_limits a;
	uint64_t v, lim[2];

	ASSERT_EQ(0U, lim_id(s));
	ASSERT_EQ(0, vkfd_child_start(&self->b.child, other_child, &oa));
	ASSERT_EQ(0, vkfd_msg_recv(self->b.child.from_child, &v));
	/* The child's secondary 1: no secondary 1 here */
	test_err_lim_set(ENOENT, self->b.p.fd, 1, VKFD_LIMIT_EVENTS, 9);
	test_err_lim_get(ENOENT, self->b.p.fd, 1, &a);
	/* Id 0 is this process's own secondary 0, not the child's */
	test_lim_set(self->b.p.fd, 0, VKFD_LIMIT_EVENTS, 9);
	ASSERT_EQ(0, vkfd_msg_send(self->b.child.to_child, 1));
	ASSERT_EQ(0, vkfd_msg_recv(self->b.child.from_child, &lim[0]));
	ASSERT_EQ(0, vkfd_msg_recv(self->b.child.from_child, &lim[1]));
	EXPECT_NE(9ULL, lim[0]);
	EXPECT_NE(9ULL, lim[1]);
	/* ... and the child's sysfs agrees */
	EXPECT_NE(9ULL, lim_sysfs(&self->b.env, self->b.child.pid, 0,
				  "events_limit"));
	EXPECT_EQ(9ULL, lim_sysfs(&self->b.env, getpid(), 0, "events_limit"));
	ASSERT_EQ(0, vkfd_msg_send(self->b.child.to_child, 1));
	EXPECT_EQ(0, vkfd_child_wait(&self->b.child));
}

/* limits/<res>_limit and <res>_usage of a primary and a secondary agree with GET. */
TEST_F(limits, sysfs_files)
{
	int s = vkfd_keep_secondary_vm(&self->b, 0);
	uint32_t id = lim_id(s);
	struct vkfd_ioctl_ctx_limits a;
	char name[32], path[PATH_MAX];
	unsigned int i;
	int q;

	test_lim_set(self->b.p.fd, id, VKFD_LIMIT_QUEUES, 4);
	q = lim_queue(s, self->b.gpu[0]);
	ASSERT_LE(0, q);
	test_lim_get(self->b.p.fd, id, &a);
	for (i = 0; i < VKFD_LIMIT_NR; i++) {
		snprintf(name, sizeof(name), "%s_limit", vkfd_limit_name(i));
		EXPECT_EQ(a.limit[i], lim_sysfs(&self->b.env, getpid(), id,
						name));
		snprintf(name, sizeof(name), "%s_usage", vkfd_limit_name(i));
		EXPECT_EQ(a.usage[i], lim_sysfs(&self->b.env, getpid(), id,
						name));
	}
	EXPECT_EQ(4ULL, lim_sysfs(&self->b.env, getpid(), id, "queues_limit"));
	EXPECT_EQ(1ULL, lim_sysfs(&self->b.env, getpid(), id, "queues_usage"));
	/* The primary's directory has them too */
	test_lim_get(self->b.p.fd, VKFD_CTX_ID_SELF, &a);
	for (i = 0; i < VKFD_LIMIT_NR; i++) {
		snprintf(name, sizeof(name), "%s_limit", vkfd_limit_name(i));
		EXPECT_EQ(a.limit[i], lim_sysfs(&self->b.env, getpid(),
						VKFD_CTX_ID_PRIMARY, name));
	}
	/* Exactly twelve files */
	vkfd_ctx_sysfs_path(&self->b.env, getpid(), id, "limits", path,
			    sizeof(path));
	EXPECT_EQ(2 * VKFD_LIMIT_NR, vkfd_count_entries(path));
}

/* Child: open a primary and a secondary, report the secondary's id, wait. */
static int defaults_child(void *arg, int in, int out)
{
	const struct other_args *a = arg;
	uint64_t v;
	long id;
	int fd;

	if (vkfd_open_dev(a->env) < 0)
		return 1;
	fd = vkfd_open_dev(a->env);
	if (fd < 0 || _test_create_process(fd))
		return 2;
	id = vkfd_ctx_id_of_fd(fd);
	if (id < 0 || vkfd_msg_send(out, id))
		return 3;
	return vkfd_msg_recv(in, &v) ? 4 : 0;
}

/* The module parameters give new contexts their limits (MiB for bytes); older ones keep theirs. */
TEST_F(limits, module_param_defaults)
{
	struct other_args oa = { .env = &self->b.env };
	int old = vkfd_keep_secondary(&self->b);
	uint32_t old_id = lim_id(old);
	pid_t pid;
	int s;
	uint64_t id;
	unsigned int i;

	LIM_PARAM(VKFD_LIMIT_VRAM, 3);
	LIM_PARAM(VKFD_LIMIT_GTT, 5);
	LIM_PARAM(VKFD_LIMIT_USERPTR, 7);
	LIM_PARAM(VKFD_LIMIT_BUFFERS, 11);
	LIM_PARAM(VKFD_LIMIT_QUEUES, 13);
	LIM_PARAM(VKFD_LIMIT_EVENTS, 17);

	ASSERT_EQ(0, vkfd_child_start(&self->b.child, defaults_child, &oa));
	pid = self->b.child.pid;
	ASSERT_EQ(0, vkfd_msg_recv(self->b.child.from_child, &id));
	for (i = 0; i < 2; i++) {
		uint32_t c = i ? (uint32_t)id : VKFD_CTX_ID_PRIMARY;

		EXPECT_EQ(3 * LIM_MIB, lim_sysfs(&self->b.env, pid, c, "vram_limit"));
		EXPECT_EQ(5 * LIM_MIB, lim_sysfs(&self->b.env, pid, c, "gtt_limit"));
		EXPECT_EQ(7 * LIM_MIB, lim_sysfs(&self->b.env, pid, c, "userptr_limit"));
		EXPECT_EQ(11ULL, lim_sysfs(&self->b.env, pid, c, "buffers_limit"));
		EXPECT_EQ(13ULL, lim_sysfs(&self->b.env, pid, c, "queues_limit"));
		EXPECT_EQ(17ULL, lim_sysfs(&self->b.env, pid, c, "events_limit"));
		EXPECT_EQ(0ULL, lim_sysfs(&self->b.env, pid, c, "queues_usage"));
	}
	ASSERT_EQ(0, vkfd_msg_send(self->b.child.to_child, 1));
	EXPECT_EQ(0, vkfd_child_wait(&self->b.child));

	/* A secondary of this (older) primary made now gets them too */
	s = vkfd_keep_secondary(&self->b);
	EXPECT_EQ(13ULL, lim_limit(self->b.p.fd, lim_id(s), VKFD_LIMIT_QUEUES));
	/* The older secondary and the primary kept theirs */
	EXPECT_NE(13ULL, lim_limit(self->b.p.fd, old_id, VKFD_LIMIT_QUEUES));
	EXPECT_NE(13ULL, lim_sysfs(&self->b.env, getpid(), VKFD_CTX_ID_PRIMARY,
				   "queues_limit"));
	/* 0 is no limit */
	LIM_PARAM(VKFD_LIMIT_QUEUES, 0);
	s = vkfd_keep_secondary(&self->b);
	EXPECT_EQ(LIM_MAX, lim_limit(self->b.p.fd, lim_id(s), VKFD_LIMIT_QUEUES));
}

/* Usage of a context with buffers, queues and events; closing it leaves its id unknown. */
TEST_F(limits, closed_secondary_gone)
{
	int s = vkfd_keep_secondary_vm(&self->b, 0);
	uint32_t id = lim_id(s);
	struct kfd_ioctl_alloc_memory_of_gpu_args m;
	struct vkfd_ioctl_ctx_limits a;

	ASSERT_EQ(0, lim_alloc(s, self->b.gpu[0], LIM_VA, 2 * LIM_PAGE, 0,
			       KFD_IOC_ALLOC_MEM_FLAGS_GTT, &m));
	ASSERT_EQ(0, lim_alloc(s, self->b.gpu[0], LIM_VA + LIM_MIB, LIM_PAGE, 0,
			       KFD_IOC_ALLOC_MEM_FLAGS_VRAM, &m));
	ASSERT_LE(0, lim_queue(s, self->b.gpu[0]));
	ASSERT_LT(0, lim_event(s));
	test_lim_get(self->b.p.fd, id, &a);
	EXPECT_EQ(2 * LIM_PAGE, a.usage[VKFD_LIMIT_GTT]);
	EXPECT_EQ(LIM_PAGE, a.usage[VKFD_LIMIT_VRAM]);
	EXPECT_EQ(2ULL, a.usage[VKFD_LIMIT_BUFFERS]);
	EXPECT_EQ(1ULL, a.usage[VKFD_LIMIT_QUEUES]);
	EXPECT_EQ(1ULL, a.usage[VKFD_LIMIT_EVENTS]);
	EXPECT_EQ(0ULL, a.usage[VKFD_LIMIT_USERPTR]);
	/*
	 * Closed with everything in it: the kernel frees it all, and warns
	 * (a splat, which fails the lane) if a usage is left.
	 */
	ASSERT_EQ(0, vkfd_cleanup_close(&self->b.cl, s));
	test_err_lim_get(ENOENT, self->b.p.fd, id, &a);
}

TEST_HARNESS_MAIN
