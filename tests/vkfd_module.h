/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Loading, unloading and reading the parameters of the vkfd module.
 *
 * Part of the selftest helpers: tests include vkfd_utils.h, which
 * includes this file.
 */
#ifndef VKFD_SELFTEST_MODULE_H
#define VKFD_SELFTEST_MODULE_H

#ifndef VKFD_SELFTEST_UTILS_H
#error "include vkfd_utils.h, which includes vkfd_module.h"
#endif

/* ------------------------------------------------------------------------
 * The vkfd module (module.c, topology.c)
 */

#define VKFD_MODULE_SYSFS	"/sys/module/vkfd"

static inline bool vkfd_module_loaded(void)
{
	return vkfd_exists(VKFD_MODULE_SYSFS);
}

/* Returns 0 or -errno. */
static inline int vkfd_module_load(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

/* Returns 0 or -errno; never waits for users to go away. */
static inline int vkfd_module_unload(void)
{
	return syscall(SYS_delete_module, "vkfd", O_NONBLOCK) ? -errno : 0;
}

/* Reads /sys/module/vkfd/parameters/@name without the newline. */
static inline int vkfd_module_param(const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t len;

	snprintf(path, sizeof(path), VKFD_MODULE_SYSFS "/parameters/%s", name);
	len = vkfd_read_text(path, buf, size);
	if (len < 0)
		return len;
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	return 0;
}

static inline int vkfd_module_param_u64(const char *name, uint64_t *val)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), VKFD_MODULE_SYSFS "/parameters/%s", name);
	return vkfd_read_u64(path, val);
}

/*
 * Value of @key in a "k=v k=v" parameter string, copied to @buf; false if
 * the key is absent.
 */
static inline bool vkfd_params_get(const char *params, const char *key,
				   char *buf, size_t size)
{
	size_t klen = strlen(key);
	const char *p = params;

	while (p && *p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			const char *v = p + klen + 1;
			size_t vlen = strcspn(v, " ");

			snprintf(buf, size, "%.*s", (int)vlen, v);
			return true;
		}
		p = strchr(p, ' ');
	}
	return false;
}

#endif /* VKFD_SELFTEST_MODULE_H */
