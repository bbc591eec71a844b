/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The helpers of the tenancy tests, tenant_*.c: one tenant (a process of
 * another user, without capabilities) tries to exhaust or block what
 * every process shares, and another still gets its resources or its
 * documented errno. Include it after kselftest_harness.h.
 *
 * The tests run as root in the lanes; an attacker is a child that opens
 * what it needs as root (the device nodes are root's), then becomes an
 * unprivileged user with tenant_drop_to(): from then on every charge is
 * to that user, and no capability exempts it from a bound.
 */
#ifndef VKFD_SELFTEST_TENANT_UTILS_H
#define VKFD_SELFTEST_TENANT_UTILS_H

#include <grp.h>
#include <sys/resource.h>

#include "vkfd_utils.h"

#define KIB		1024ULL
#define MIB		(1024 * KIB)
#define GIB		(1024 * MIB)
#define PAGE		(4 * KIB)

/* Unprivileged users of the tests: nobody, and the one below it. */
#define TENANT_UID	65534
#define TENANT_UID2	65533

#define F_GTT		KFD_IOC_ALLOC_MEM_FLAGS_GTT
#define F_W		KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE

/*
 * Become user and group @uid with no supplementary groups: the
 * capabilities go with the uid (no SECBIT_KEEP_CAPS). 0 or -errno.
 */
static inline int tenant_drop_to(uid_t uid)
{
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid))
		return -errno;
	return 0;
}

/* VmPin of /proc/self/status in KiB, or -1. */
static inline long tenant_vmpin_kb(void)
{
	char text[VKFD_TEXT_MAX], *p;

	if (vkfd_read_text("/proc/self/status", text, sizeof(text)) < 0)
		return -1;
	p = strstr(text, "\nVmPin:");
	return p ? strtol(p + 7, NULL, 10) : -1;
}

/* Write "@val\n" to the module parameter @name (root, mode 0644). 0 or -errno. */
static inline int tenant_param_set(const char *name, uint64_t val)
{
	char rel[128], path[PATH_MAX], text[32];
	int fd, len, ret = 0;

	snprintf(rel, sizeof(rel), "parameters/%s", name);
	vkfd_mod_path(vkfd_modname(), rel, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(text, sizeof(text), "%llu\n", (unsigned long long)val);
	if (write(fd, text, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

#endif /* VKFD_SELFTEST_TENANT_UTILS_H */
