// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Fault injection through /proc/thread-self/fail-nth (the debug lane's
 * kernel has failslab and fail_page_alloc): the n-th allocation the
 * calling thread makes after arming fails. VKFD_FAIL_NTH() sweeps n.
 */
#include "vkfd_test.h"

int vkfd_fail_nth_arm(int fd, int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	return pwrite(fd, buf, len, 0) == len ? 0 : -errno;
}

bool vkfd_fail_nth_disarm(int fd)
{
	char buf[16] = "";
	bool fired;

	/* reads back 0 once the armed fault was injected */
	if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0)
		return false;
	fired = atoi(buf) == 0;
	if (pwrite(fd, "0", 1, 0) != 1)
		return fired;
	return fired;
}

int vkfd_fail_nth_ioctl(int fail_nth, int n, int fd, unsigned long cmd,
			void *arg, bool *fired)
{
	int ret;

	if (vkfd_fail_nth_arm(fail_nth, n))
		return -EBADF;
	ret = vkfd_ioctl(fd, cmd, arg);
	*fired = vkfd_fail_nth_disarm(fail_nth);
	return ret;
}

int vkfd_fail_nth_open(struct vkfd_fail_nth *nth)
{
	nth->n = 0;
	nth->armed = nth->fired = false;
	nth->fd = open(VKFD_FAIL_NTH_PATH, O_RDWR | O_CLOEXEC);
	return nth->fd < 0 ? -errno : 0;
}

void vkfd_fail_nth_close(struct vkfd_fail_nth *nth)
{
	if (nth->fd >= 0)
		close(nth->fd);
	nth->fd = -1;
}

int vkfd_fail_nth_enable(struct vkfd_fail_nth *nth)
{
	int ret = vkfd_fail_nth_arm(nth->fd, nth->n);

	nth->armed = !ret;
	return ret;
}

bool vkfd_fail_nth_disable(struct vkfd_fail_nth *nth)
{
	nth->fired = vkfd_fail_nth_disarm(nth->fd);
	return nth->fired;
}

void vkfd_fail_nth_report(struct vkfd_fail_nth *nth, bool fired)
{
	nth->armed = true;
	nth->fired = fired;
}
