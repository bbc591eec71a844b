// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfdctl limits [PID]
 *
 * Shows the limits (quotas) and usage of every context of every process
 * using the device, or of process PID: one line per context, each
 * resource as usage/limit ("max": no limit), from sysfs
 * (proc/<pid>[/context_<id>]/limits/, docs/tenancy.rst "Quotas"). Setting
 * limits takes the primary of the context's process (VKFD_IOC_CTX_LIMITS,
 * libvkfd's vkfd_ctx_set_limits()): a program run with
 * `vkfdctl run --secondary --limit RES=N` gets them on each of its
 * secondaries (vkfdctl_run.c parses them with vkfdctl_limit_arg()).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libvkfd.h"
#include "vkfdctl.h"

#define LIMITS_NR	6	/* the limits vkfd has: vkfd_limit_name() */

/* limits/@res_@kind of the context directory @dir into @buf ("-" if none). */
static void limits_read(const char *dir, const char *res, const char *kind,
			char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(buf, size, "-");
	if (snprintf(path, sizeof(path), "%s/limits/%s_%s", dir, res, kind) >=
	    (int)sizeof(path))
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0) {
		snprintf(buf, size, "-");
		return;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/* One line: the context @name (primary or its id) in directory @dir. */
static void limits_print_ctx(const char *pid, const char *name,
			     const char *dir)
{
	char use[32], lim[32], cell[72];
	unsigned int i;

	printf("%-8s %-8s", pid, name);
	for (i = 0; i < LIMITS_NR; i++) {
		limits_read(dir, vkfd_limit_name(i), "usage", use, sizeof(use));
		limits_read(dir, vkfd_limit_name(i), "limit", lim, sizeof(lim));
		snprintf(cell, sizeof(cell), "%s/%s", use, lim);
		printf(" %-22s", cell);
	}
	printf("\n");
}

/* The primary of process @pid, then its secondaries. */
static void limits_print_process(const struct vkfdctl *c, const char *pid)
{
	char dir[PATH_MAX], sub[PATH_MAX + 300];
	struct dirent *de;
	DIR *d;

	if (snprintf(dir, sizeof(dir), "%s/proc/%s", c->sysfs, pid) >=
	    (int)sizeof(dir))
		return;
	limits_print_ctx(pid, "primary", dir);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "context_", 8))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		limits_print_ctx(pid, de->d_name + 8, sub);
	}
	closedir(d);
}

/* vkfdctl limits [PID]: the exit status. */
int vkfdctl_limits(const struct vkfdctl *c, int argc, char **argv)
{
	const char *only = argc > 0 ? argv[0] : NULL;
	char dir[PATH_MAX];
	struct dirent *de;
	unsigned int i;
	int found = 0;
	DIR *d;

	if (argc > 1 || (only && !*only)) {
		fprintf(stderr, "usage: vkfdctl limits [PID]\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/proc", c->sysfs);
	d = opendir(dir);
	if (!d) {
		fprintf(stderr, "vkfdctl: no %s: %s\n", dir, strerror(errno));
		return 1;
	}
	printf("%-8s %-8s", "PID", "CONTEXT");
	for (i = 0; i < LIMITS_NR; i++) {
		char head[32];
		unsigned int j;

		snprintf(head, sizeof(head), "%s", vkfd_limit_name(i));
		for (j = 0; head[j]; j++)
			head[j] = head[j] >= 'a' && head[j] <= 'z' ?
				  head[j] - 'a' + 'A' : head[j];
		printf(" %-22s", head);
	}
	printf("\n");
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (only && strcmp(de->d_name, only))
			continue;
		limits_print_process(c, de->d_name);
		found++;
	}
	closedir(d);
	if (!found && only) {
		fprintf(stderr, "vkfdctl: process %s does not use %s\n", only,
			c->dev);
		return 1;
	}
	return 0;
}

/*
 * RES=VALUE of `vkfdctl run --limit`: VALUE a decimal number with an
 * optional K, M or G suffix (powers of 1024), or "max". 0 or -EINVAL.
 */
int vkfdctl_limit_arg(const char *arg, unsigned int *res, uint64_t *value)
{
	const char *eq = strchr(arg, '=');
	char name[32], *end;
	unsigned long long v;
	unsigned int shift = 0;
	int i;

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(name))
		return -EINVAL;
	snprintf(name, sizeof(name), "%.*s", (int)(eq - arg), arg);
	i = vkfd_limit_index(name);
	if (i < 0)
		return -EINVAL;
	*res = i;
	if (!strcmp(eq + 1, "max")) {
		*value = VKFD_LIB_LIMIT_UNLIMITED;
		return 0;
	}
	if (eq[1] < '0' || eq[1] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(eq + 1, &end, 10);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case 'K':
		shift = 10;
		end++;
		break;
	case 'M':
		shift = 20;
		end++;
		break;
	case 'G':
		shift = 30;
		end++;
		break;
	}
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -EINVAL;
	*value = (uint64_t)v << shift;
	return 0;
}
