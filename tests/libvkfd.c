// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libvkfd: open the primary, open a secondary, close, query. Runs
 * against vkfd and amdkfd; on a kernel without secondary contexts the
 * library must say so (-EOPNOTSUPP) and leave nothing open.
 */
#include "kselftest_harness.h"
#include "vkfd_utils.h"

#include "libvkfd.h"

FIXTURE(lib) {
	struct vkfd_env env;
	struct vkfd_context ctx[4];
	bool has_secondaries;
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

	vkfd_env_init(&self->env);
	for (i = 0; i < (int)ARRAY_SIZE(self->ctx); i++)
		self->ctx[i].fd = -1;
	ret = vkfd_open_secondary(self->env.dev, &probe);
	self->has_secondaries = !ret;
	if (!ret)
		vkfd_close(&probe);
}

FIXTURE_TEARDOWN(lib)
{
	int i;

	for (i = 0; i < (int)ARRAY_SIZE(self->ctx); i++)
		if (self->ctx[i].fd >= 0)
			vkfd_close(&self->ctx[i]);
}

/* The primary: version 1.x, context id 0xffff; on vkfd, one PASID per GPU. */
TEST_F(lib, open_primary_and_query)
{
	struct vkfd_context_info info;
	uint32_t i;

	ASSERT_EQ(0, vkfd_open_primary(self->env.dev, &self->ctx[0]));
	EXPECT_TRUE(self->ctx[0].primary);
	ASSERT_EQ(0, vkfd_query(&self->ctx[0], &info));
	EXPECT_EQ(1U, info.major);
	EXPECT_EQ(0xffffU, info.ctx_id);
	if (self->env.amdkfd) {
		/* amdkfd does not describe contexts */
		EXPECT_EQ(0U, info.num_gpus);
		return;
	}
	EXPECT_LT(0U, info.num_gpus);
	for (i = 0; i < info.num_gpus; i++) {
		EXPECT_NE(0U, info.gpu_ids[i]);
		EXPECT_NE(0U, info.pasids[i]);
	}
}

/* A secondary has its own id and PASIDs; on a kernel without them: -EOPNOTSUPP, no fd left. */
TEST_F(lib, open_secondary)
{
	struct vkfd_context_info pri, sec;
	int fds = lib_open_fds();
	uint32_t i;

	if (!self->has_secondaries) {
		EXPECT_EQ(-EOPNOTSUPP,
			  vkfd_open_secondary(self->env.dev, &self->ctx[1]));
		EXPECT_EQ(fds, lib_open_fds());
		return;
	}
	ASSERT_EQ(0, vkfd_open_primary(self->env.dev, &self->ctx[0]));
	ASSERT_EQ(0, vkfd_open_secondary(self->env.dev, &self->ctx[1]));
	EXPECT_FALSE(self->ctx[1].primary);
	ASSERT_EQ(0, vkfd_query(&self->ctx[0], &pri));
	ASSERT_EQ(0, vkfd_query(&self->ctx[1], &sec));
	EXPECT_EQ(0U, sec.ctx_id);
	ASSERT_EQ(pri.num_gpus, sec.num_gpus);
	for (i = 0; i < sec.num_gpus; i++)
		EXPECT_NE(pri.pasids[i], sec.pasids[i]);
}

/* Closing one secondary leaves the other and the primary as they were. */
TEST_F(lib, close_one_of_two_secondaries)
{
	struct vkfd_context_info a, b;

	if (!self->has_secondaries)
		SKIP(return, "the driver has no secondary contexts");
	ASSERT_EQ(0, vkfd_open_secondary(self->env.dev, &self->ctx[1]));
	ASSERT_EQ(0, vkfd_open_secondary(self->env.dev, &self->ctx[2]));
	ASSERT_EQ(0, vkfd_query(&self->ctx[2], &b));
	EXPECT_EQ(1U, b.ctx_id);
	ASSERT_EQ(0, vkfd_close(&self->ctx[1]));
	ASSERT_EQ(0, vkfd_query(&self->ctx[2], &a));
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
	/* The freed id is the next one handed out */
	ASSERT_EQ(0, vkfd_open_secondary(self->env.dev, &self->ctx[1]));
	ASSERT_EQ(0, vkfd_query(&self->ctx[1], &a));
	EXPECT_EQ(0U, a.ctx_id);
}

/* A closed context: close and query fail with -EBADF, and the handle says so. */
TEST_F(lib, closed_context_ebadf)
{
	struct vkfd_context_info info;

	ASSERT_EQ(0, vkfd_open_primary(self->env.dev, &self->ctx[0]));
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

	ASSERT_EQ(0, vkfd_open_primary(self->env.dev, &self->ctx[0]));
	ASSERT_EQ(0, vkfd_child_start(&child, lib_child, &self->ctx[0]));
	EXPECT_EQ(0, vkfd_child_wait(&child));
}

TEST_HARNESS_MAIN
