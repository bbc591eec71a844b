/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Helpers shared by the vkfd selftests.
 *
 * The same binaries run against vkfd and against the real amdkfd; the
 * environment (see struct vkfd_env) says which one is under test and where
 * it lives. Everything here is header-only and static; tests include it
 * after kselftest_harness.h so the ASSERT_/EXPECT_ helpers can be used.
 *
 * This file has the environment and the ioctl helpers; the topical
 * headers it includes at the end have the rest: vkfd_sysfs.h,
 * vkfd_topo.h, vkfd_debugfs.h, vkfd_child.h and vkfd_module.h.
 */
#ifndef VKFD_SELFTEST_UTILS_H
#define VKFD_SELFTEST_UTILS_H

#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <linux/kfd_ioctl.h>
#include <linux/vkfd_ioctl.h>

#include "libvkfd.h"

#define VKFD_SENTINEL		0xa5

/* ------------------------------------------------------------------------
 * Environment contract (set by the guest init)
 */

struct vkfd_env {
	char dev[256];			/* VKFD_DEV */
	char sysfs[256];		/* VKFD_SYSFS: class device dir */
	char topology[256];		/* VKFD_TOPOLOGY */
	bool amdkfd;			/* VKFD_IMPL == amdkfd */
	const char *module;		/* VKFD_MODULE, NULL if unset */
	const char *module_params;	/* VKFD_MODULE_PARAMS, "" if unset */
};

static inline void vkfd_env_str(char *dst, size_t n, const char *var,
				const char *dflt)
{
	const char *v = getenv(var);

	snprintf(dst, n, "%s", v && *v ? v : dflt);
}


/*
 * Inside one of vm/'s lanes (VKFD_LANE is set by the guest's init)?
 * There, what the harness stages (vkfdctl, the dynamic test programs,
 * the modules) missing is a failure of the harness, not a reason to skip.
 */
static inline bool vkfd_in_lane(void)
{
	return getenv("VKFD_LANE") != NULL;
}
static inline void vkfd_env_init(struct vkfd_env *env)
{
	const char *impl = getenv("VKFD_IMPL");
	const char *mod = getenv("VKFD_MODULE");
	const char *params = getenv("VKFD_MODULE_PARAMS");
	const char *modname = getenv("VKFD_MODNAME");
	char path[PATH_MAX];

	vkfd_env_str(env->dev, sizeof(env->dev), "VKFD_DEV", "/dev/kfd");
	vkfd_env_str(env->sysfs, sizeof(env->sysfs), "VKFD_SYSFS",
		     "/sys/class/kfd/kfd");
	vkfd_env_str(env->topology, sizeof(env->topology), "VKFD_TOPOLOGY",
		     "/sys/devices/virtual/kfd/kfd/topology");
	if (impl && *impl) {
		env->amdkfd = !strcmp(impl, "amdkfd");
	} else {
		/* vkfd.ko, or amdgpu.ko if VKFD_MODNAME says so */
		snprintf(path, sizeof(path), "/sys/module/%s",
			 modname && *modname ? modname : "vkfd");
		env->amdkfd = access(path, F_OK) != 0;
	}
	env->module = mod && *mod ? mod : NULL;
	env->module_params = params ? params : "";
}

/*
 * @n iterations of a long loop, divided by VKFD_TEST_SCALE (set to 10 in
 * the debug lane, whose KASAN kernel is ~10 times slower); at least 1.
 */
static inline int vkfd_scaled(int n)
{
	const char *s = getenv("VKFD_TEST_SCALE");
	int div = s ? atoi(s) : 1;

	return div > 1 ? (n / div ?: 1) : n;
}

/* Skip a test of vkfd-only behaviour in the amdkfd lane, saying why. */
#define VKFD_ONLY(env, reason) do {					\
	if ((env)->amdkfd)						\
		SKIP(return, "amdkfd: " reason);			\
} while (0)

/* ------------------------------------------------------------------------
 * ioctl helpers, over libvkfd's vkfd_ioctl() (0 or -errno).
 */


#define test_ioctl(fd, cmd, arg)					\
	ASSERT_EQ(0, vkfd_ioctl(fd, cmd, arg))
#define test_err_ioctl(_errno, fd, cmd, arg)				\
	ASSERT_EQ(-(_errno), vkfd_ioctl(fd, cmd, arg))

/* Same command number and type, another size and direction. */
#define VKFD_IOC_RESIZE(cmd, dir, size)					\
	_IOC(dir, _IOC_TYPE(cmd), _IOC_NR(cmd), size)

static inline void vkfd_fill(void *buf, size_t len)
{
	memset(buf, VKFD_SENTINEL, len);
}

/* True if @len bytes at @buf still hold the sentinel. */
static inline bool vkfd_untouched(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != VKFD_SENTINEL)
			return false;
	return true;
}

static inline int vkfd_open_dev(const struct vkfd_env *env)
{
	return open(env->dev, O_RDWR | O_CLOEXEC);
}

/*
 * The id of the context @fd is bound to (VKFD_CTX_ID_PRIMARY for a
 * primary), UINT32_MAX if the kernel cannot say (amdkfd).
 */
static inline uint32_t vkfd_ctx_id_of_fd(int fd)
{
	struct vkfd_ioctl_ctx_info info = { .ctx_id = VKFD_CTX_ID_SELF };

	return vkfd_ioctl(fd, VKFD_IOC_CTX_INFO, &info) ? UINT32_MAX : info.ctx_id;
}

/* ------------------------------------------------------------------------
 * Fault injection (the debug lane): fail the n-th allocation of a call
 */

#define VKFD_FAIL_NTH	"/proc/thread-self/fail-nth"

/* Arm: the @n-th fault-injection point this thread reaches fails. */
static inline int vkfd_fail_nth_arm(int fd, int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	return pwrite(fd, buf, len, 0) == len ? 0 : -errno;
}

/* Disarm; returns whether the armed fault was injected. */
static inline bool vkfd_fail_nth_disarm(int fd)
{
	char buf[16] = "";
	bool fired;

	if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0)
		return false;
	fired = atoi(buf) == 0;
	if (pwrite(fd, "0", 1, 0) != 1)
		return fired;
	return fired;
}

/*
 * vkfd_ioctl(@fd, @cmd, @arg) with allocation @n of the calling task
 * failing (the fail-nth file @fail_nth): 0 or -errno; -EBADF if the
 * fault could not be armed. *@fired: whether the fault was injected.
 */
static inline int vkfd_fail_nth_ioctl(int fail_nth, int n, int fd,
				      unsigned long cmd, void *arg,
				      bool *fired)
{
	int ret;

	if (vkfd_fail_nth_arm(fail_nth, n))
		return -EBADF;
	ret = vkfd_ioctl(fd, cmd, arg);
	*fired = vkfd_fail_nth_disarm(fail_nth);
	return ret;
}

/* A page that is guaranteed to fault: mapped, then unmapped. */
static inline void *vkfd_unmapped_page(void)
{
	long psz = sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, psz, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p, psz);
	return p;
}

/* Sleeps @ms milliseconds, through signals. */
static inline void vkfd_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

#include "vkfd_sysfs.h"
#include "vkfd_topo.h"
#include "vkfd_debugfs.h"
#include "vkfd_child.h"
#include "vkfd_module.h"

#endif /* VKFD_SELFTEST_UTILS_H */
