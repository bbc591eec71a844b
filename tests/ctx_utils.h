/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The fixture and helpers of the secondary-context tests: ctx.c
 * (creation, ids, encodings, what a secondary may do) and ctx_life.c
 * (fork, exec, SCM_RIGHTS, exits, 65,535 secondaries), on top of
 * tests/lib; include it after kselftest_harness.h.
 *
 * Linux 6.1's amdkfd has no secondary contexts (nr 0x27 is ENOTTY): the
 * fixture skips every test there, saying so.
 */
#ifndef VKFD_SELFTEST_CTX_UTILS_H
#define VKFD_SELFTEST_CTX_UTILS_H

#include "vkfd_utils.h"

#include <linux/vkfd_ioctl.h>

#define CTX_MAX_FDS		1100	/* the fds a test may keep */

/* The base fixture, without a primary of its own */
FIXTURE(ctx) {
	struct vkfd_base b;
};

static inline void ctx_dir(const struct vkfd_env *env, pid_t pid, long id,
			   char *buf, size_t n)
{
	snprintf(buf, n, "%s/proc/%d/context_%ld", env->sysfs, (int)pid, id);
}

static inline bool ctx_dir_exists(const struct vkfd_env *env, pid_t pid, long id)
{
	char path[PATH_MAX];

	ctx_dir(env, pid, id, path, sizeof(path));
	return vkfd_is_dir(path);
}

FIXTURE_SETUP(ctx)
{
	int fd, ret;

	vkfd_base_setup(&self->b, 0);
	/* Does the driver have secondary contexts at all? */
	fd = vkfd_open_dev(&self->b.env);
	ASSERT_LE(0, fd);
	ret = _test_create_process(fd);
	close(fd);
	/*
	 * Linux 6.1's harness runs the test body after a SKIP() in setup;
	 * leave both the way ASSERT_*() do, through the harness's longjmp.
	 */
	if (ret == -ENOTTY || ret == -EINVAL)
		VKFD_SETUP_SKIP("no AMDKFD_IOC_CREATE_PROCESS (nr 0x27: %s)",
				strerror(-ret));
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(ctx)
{
	vkfd_base_teardown(&self->b);
}

#endif /* VKFD_SELFTEST_CTX_UTILS_H */
