// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Fault-injection sweeps (debug kernel: failslab, fail_page_alloc and
 * /proc/thread-self/fail-nth). For n = 1, 2, ... the n-th allocation of
 * an operation fails: the operation must either succeed or fail with
 * ENOMEM, leave no trace behind when it fails, and the next attempt must
 * work. The sweep ends at the first n the operation no longer reaches.
 * Leaks show up in the lane's kmemleak scan, warnings in its splat scan.
 */
#include "kselftest_harness.h"
#include "vkfd_utils.h"

#include <linux/vkfd_ioctl.h>

#define FAIL_NTH	"/proc/thread-self/fail-nth"
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
	self->fail_nth = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	if (self->fail_nth < 0)
		SKIP(longjmp(_metadata->env, 1),
		     "no %s (kernel without fault injection)", FAIL_NTH);
}

FIXTURE_TEARDOWN(fault)
{
	if (self->fail_nth >= 0)
		close(self->fail_nth);
}

/* Arm: the @n-th fault-injection point this thread reaches fails. */
static int arm(int fd, int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	return pwrite(fd, buf, len, 0) == len ? 0 : -errno;
}

/* Disarm; returns whether the armed fault was injected. */
static bool disarm(int fd)
{
	char buf[16] = "";
	bool fired;

	if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0)
		return false;
	fired = atoi(buf) == 0;
	pwrite(fd, "0", 1, 0);
	return fired;
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
	int fail_nth = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	int fd, err;
	bool fired;

	if (fail_nth < 0 || arm(fail_nth, n))
		return 10;
	fd = vkfd_open_dev(env);
	err = fd < 0 ? errno : 0;
	fired = disarm(fail_nth);
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
	int p, s, n, ret, err;
	bool fired = true;
	long id;

	p = vkfd_open_dev(&self->env);
	ASSERT_LE(0, p);
	vkfd_proc_path(&self->env, getpid(), NULL, dir, sizeof(dir));
	for (n = 1; n < SWEEP_MAX && fired; n++) {
		s = vkfd_open_dev(&self->env);
		ASSERT_LE(0, s);
		ASSERT_EQ(0, arm(self->fail_nth, n));
		ret = ioctl(s, VKFD_IOC_CREATE_PROCESS, 0);
		err = ret ? errno : 0;
		fired = disarm(self->fail_nth);
		if (ret) {
			/* Failed cleanly: ENOMEM, still the primary, no directory */
			ASSERT_EQ(ENOMEM, err) TH_LOG("fault %d", n);
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

TEST_HARNESS_MAIN
