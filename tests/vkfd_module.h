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
 *
 * The driver is built as vkfd.ko and, under the name ROCm's tools look
 * for, as amdgpu.ko. VKFD_MODNAME (set by the guest init) names the one
 * the lane loaded, default vkfd; the vkfd_module_*() helpers are about
 * that one, the vkfd_mod_*() ones about the module named @mod.
 */

static inline const char *vkfd_modname(void)
{
	const char *m = getenv("VKFD_MODNAME");

	return m && *m ? m : "vkfd";
}

/* /sys/module/@mod/@rel into @buf. */
static inline void vkfd_mod_path(const char *mod, const char *rel,
				 char *buf, size_t size)
{
	snprintf(buf, size, "/sys/module/%s%s%s", mod, *rel ? "/" : "", rel);
}

static inline bool vkfd_mod_loaded(const char *mod)
{
	char path[PATH_MAX];

	vkfd_mod_path(mod, "", path, sizeof(path));
	return vkfd_exists(path);
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
static inline int vkfd_mod_unload(const char *mod)
{
	return syscall(SYS_delete_module, mod, O_NONBLOCK) ? -errno : 0;
}

/* Reads /sys/module/@mod/parameters/@name without the newline. */
static inline int vkfd_mod_param(const char *mod, const char *name,
				 char *buf, size_t size)
{
	char rel[128], path[PATH_MAX];
	ssize_t len;

	snprintf(rel, sizeof(rel), "parameters/%s", name);
	vkfd_mod_path(mod, rel, path, sizeof(path));
	len = vkfd_read_text(path, buf, size);
	if (len < 0)
		return len;
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	return 0;
}

static inline int vkfd_mod_param_u64(const char *mod, const char *name,
				     uint64_t *val)
{
	char rel[128], path[PATH_MAX];

	snprintf(rel, sizeof(rel), "parameters/%s", name);
	vkfd_mod_path(mod, rel, path, sizeof(path));
	return vkfd_read_u64(path, val);
}

/*
 * Is the module named @mod vkfd (vkfd.ko, or vkfd's amdgpu.ko)? vkfd has
 * the parameters num_gpus and vram_mb, AMD's amdgpu neither: the rule
 * vkfdctl load uses too.
 */
static inline bool vkfd_mod_is_vkfd(const char *mod)
{
	char path[PATH_MAX];

	vkfd_mod_path(mod, "parameters/num_gpus", path, sizeof(path));
	if (!vkfd_exists(path))
		return false;
	vkfd_mod_path(mod, "parameters/vram_mb", path, sizeof(path));
	return vkfd_exists(path);
}

static inline bool vkfd_module_loaded(void)
{
	return vkfd_mod_loaded(vkfd_modname());
}

static inline int vkfd_module_unload(void)
{
	return vkfd_mod_unload(vkfd_modname());
}

static inline int vkfd_module_param(const char *name, char *buf, size_t size)
{
	return vkfd_mod_param(vkfd_modname(), name, buf, size);
}

static inline int vkfd_module_param_u64(const char *name, uint64_t *val)
{
	return vkfd_mod_param_u64(vkfd_modname(), name, val);
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
