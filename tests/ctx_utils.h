/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The fixture and helpers of the secondary-context tests: ctx.c
 * (creation, ids, encodings, what a secondary may do) and ctx_life.c
 * (fork, exec, SCM_RIGHTS, exits, 65,535 secondaries). Header-only and
 * static, like vkfd_utils.h; include it after kselftest_harness.h.
 *
 * Linux 6.1's amdkfd has no secondary contexts (nr 0x27 is ENOTTY): the
 * fixture skips every test there, saying so.
 */
#ifndef VKFD_SELFTEST_CTX_UTILS_H
#define VKFD_SELFTEST_CTX_UTILS_H

#include "vkfd_utils.h"

#include <linux/vkfd_ioctl.h>

#define CTX_MAX_FDS		1100

FIXTURE(ctx) {
	struct vkfd_env env;
	int fd[CTX_MAX_FDS];
	int nfd;
	struct vkfd_child child;
};

/* Open the device; the fd is bound to the process's primary. */
static inline int ctx_open(struct __test_metadata *_metadata,
			   FIXTURE_DATA(ctx) *self)
{
	int fd = vkfd_open_dev(&self->env);

	ASSERT_LE(0, fd);
	ASSERT_GT(CTX_MAX_FDS, self->nfd);
	self->fd[self->nfd++] = fd;
	return fd;
}

static inline int ctx_create(int fd)
{
	return vkfd_ioctl(fd, VKFD_IOC_CREATE_PROCESS, NULL);
}

/* The id of the context @fd is bound to, or -errno. */
static inline long ctx_id(int fd)
{
	struct vkfd_ioctl_ctx_info info = { .ctx_id = VKFD_CTX_ID_SELF };
	int ret = vkfd_ioctl(fd, VKFD_IOC_CTX_INFO, &info);

	return ret ? ret : (long)info.ctx_id;
}

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

/* Number of context_* directories below proc/<pid>. */
static inline int ctx_dir_count(const struct vkfd_env *env, pid_t pid)
{
	char path[PATH_MAX];
	struct dirent *de;
	int n = 0;
	DIR *d;

	vkfd_proc_path(env, pid, NULL, path, sizeof(path));
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d)))
		n += !strncmp(de->d_name, "context_", 8);
	closedir(d);
	return n;
}

FIXTURE_SETUP(ctx)
{
	int fd, ret;

	vkfd_env_init(&self->env);
	self->nfd = 0;
	/* Does the driver have secondary contexts at all? */
	fd = vkfd_open_dev(&self->env);
	ASSERT_LE(0, fd);
	ret = ctx_create(fd);
	close(fd);
	/*
	 * Linux 6.1's harness runs the test body after a SKIP() in setup;
	 * leave both the way ASSERT_*() do, through the harness's longjmp.
	 */
	if (ret == -ENOTTY || ret == -EINVAL)
		SKIP(longjmp(_metadata->env, 1),
		     "no AMDKFD_IOC_CREATE_PROCESS (nr 0x27: %s)",
		     strerror(-ret));
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(ctx)
{
	int i;

	vkfd_child_kill(&self->child);
	for (i = 0; i < self->nfd; i++)
		if (self->fd[i] >= 0)
			close(self->fd[i]);
}

#endif /* VKFD_SELFTEST_CTX_UTILS_H */
