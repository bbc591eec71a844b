/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vkfd's introspection: its debugfs directory (the per-context pasid_ and
 * trap_ files), and the test hooks of tests/lib/vkfd_hooks.h (contexts
 * and page tables, through the test ioctl of a VKFD_TEST=y module).
 *
 * Part of the selftest helpers: tests include vkfd_utils.h, which
 * includes this file.
 */
#ifndef VKFD_SELFTEST_DEBUGFS_H
#define VKFD_SELFTEST_DEBUGFS_H

#ifndef VKFD_SELFTEST_UTILS_H
#error "include vkfd_utils.h, which includes vkfd_debugfs.h"
#endif

#include "vkfd_hooks.h"

/* ------------------------------------------------------------------------
 * debugfs: <debugfs>/vkfd
 *
 * The directory is named after the module (vkfd, or amdgpu for the same
 * driver as amdgpu.ko): VKFD_DEBUGFS (set by the guest init), else
 * /sys/kernel/debug/vkfd.
 */

static inline const char *vkfd_debugfs_root(void)
{
	const char *d = getenv("VKFD_DEBUGFS");

	return d && *d ? d : "/sys/kernel/debug/vkfd";
}

/* The root, then @fmt, into @buf. */
__attribute__((format(printf, 3, 4)))
static inline void vkfd_debugfs_path(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = snprintf(buf, size, "%s", vkfd_debugfs_root());
	va_list ap;

	if (len >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

/*
 * Whether vkfd's introspection is there: its debugfs directory and the
 * test hooks (vkfd_ctx_row(), vkfd_translate(), ...). Neither is on AMD's
 * amdkfd; a vkfd module built without VKFD_TEST=y lacks the hooks, which
 * vkfd_hooks_present() says on stderr, and the tests that need them skip:
 * a skip no vkfd lane allows.
 */
static inline bool vkfd_debugfs_present(void)
{
	char path[PATH_MAX];

	vkfd_debugfs_path(path, sizeof(path), "/contexts");
	return access(path, R_OK) == 0 && vkfd_hooks_present();
}

#endif /* VKFD_SELFTEST_DEBUGFS_H */
