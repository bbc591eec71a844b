// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfdctl load [--as-amdgpu] [--module PATH] [PARAM=VALUE...]
 * vkfdctl unload
 *
 * The driver is built twice from the same sources: vkfd.ko, and amdgpu.ko
 * for ROCm tools that look for a module named amdgpu (README). The kernel
 * keeps one module per name: where AMD's own amdgpu is loaded, loading
 * vkfd's amdgpu.ko fails with a bare EEXIST before any of vkfd's code
 * runs, and "modprobe amdgpu" reports success without doing anything. So
 * "load" looks first and says what is wrong.
 *
 * Which amdgpu is loaded: /sys/module/amdgpu exists for the real driver
 * (loaded, or built in and with parameters) and for vkfd's amdgpu.ko
 * alike. vkfd's module has the parameters num_gpus and vram_mb, which
 * AMD's driver has never had (its VRAM knob is vramlimit): with both
 * present the module is vkfd, otherwise it is the real driver.
 *
 * The module is loaded with finit_module(2), after its dependencies (the
 * "depends=" of its .modinfo: drm, drm_shmem_helper) by modprobe where
 * they are not loaded yet. Without --module, the .ko is looked for where
 * "make module" puts it, build/module/, next to build/tools/vkfdctl.
 *
 * Exit status: 0 done; 1 refused or failed (a message says why); 2 usage.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vkfdctl.h"

extern char **environ;

/* Module parameters the real amdgpu lacks: see above. */
static const char * const vkfd_only_params[] = { "num_gpus", "vram_mb" };

enum mod_state { MOD_ABSENT, MOD_VKFD, MOD_OTHER };

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Is a module called @name loaded (or built in), and is it vkfd? */
static enum mod_state mod_state(const char *name)
{
	char path[PATH_MAX];
	size_t i;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	if (!exists(path))
		return MOD_ABSENT;
	for (i = 0; i < sizeof(vkfd_only_params) / sizeof(vkfd_only_params[0]); i++) {
		snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s",
			 name, vkfd_only_params[i]);
		if (!exists(path))
			return MOD_OTHER;
	}
	return MOD_VKFD;
}

/* build/module/<name>.ko next to build/tools/vkfdctl. */
static int default_module(const char *modname, char *buf, size_t size)
{
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		return -errno;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	if (snprintf(buf, size, "%s/../module/%s.ko", exe, modname) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * Copies the value of "depends=" from the .modinfo section of the ELF
 * module @img (@len bytes) into @buf. Returns 0, or -ENOEXEC if @img is no
 * 64-bit module.
 */
static int modinfo_depends(const unsigned char *img, size_t len,
			   char *buf, size_t size)
{
	const Elf64_Ehdr *eh = (const void *)img;
	const Elf64_Shdr *sh, *strtab;
	const char *p, *end;
	unsigned int i;

	buf[0] = '\0';
	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shentsize != sizeof(*sh) || eh->e_shstrndx >= eh->e_shnum ||
	    eh->e_shoff > len || (len - eh->e_shoff) / sizeof(*sh) < eh->e_shnum)
		return -ENOEXEC;
	sh = (const void *)(img + eh->e_shoff);
	strtab = &sh[eh->e_shstrndx];
	if (strtab->sh_offset > len || strtab->sh_size > len - strtab->sh_offset)
		return -ENOEXEC;
	for (i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_name >= strtab->sh_size ||
		    strncmp((const char *)img + strtab->sh_offset + sh[i].sh_name,
			    ".modinfo", strtab->sh_size - sh[i].sh_name))
			continue;
		if (sh[i].sh_offset > len || sh[i].sh_size > len - sh[i].sh_offset)
			return -ENOEXEC;
		p = (const char *)img + sh[i].sh_offset;
		end = p + sh[i].sh_size;
		/* NUL-separated "key=value" strings */
		for (; p < end; p += strnlen(p, end - p) + 1) {
			if (!strncmp(p, "depends=", 8) &&
			    strnlen(p, end - p) < (size_t)(end - p)) {
				snprintf(buf, size, "%s", p + 8);
				return 0;
			}
		}
		return 0;
	}
	return -ENOEXEC;
}

/* modprobe @name, quietly; whether it worked shows when the module loads. */
static void modprobe(const char *name)
{
	char *argv[] = { "modprobe", "-q", (char *)name, NULL };
	int status;
	pid_t pid;

	if (posix_spawnp(&pid, "modprobe", NULL, NULL, argv, environ))
		return;
	waitpid(pid, &status, 0);
}

/* Loads the dependencies @deps ("a,b") that are not there yet. */
static void load_deps(char *deps)
{
	char path[PATH_MAX], *dep, *save = NULL;

	for (dep = strtok_r(deps, ",", &save); dep; dep = strtok_r(NULL, ",", &save)) {
		snprintf(path, sizeof(path), "/sys/module/%s", dep);
		if (!exists(path))
			modprobe(dep);
	}
}

/* Does the parameter list set name=? */
static bool sets_name(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		if (!strncmp(argv[i], "name=", 5))
			return true;
	return false;
}

static int load_usage(void)
{
	fprintf(stderr, "usage: vkfdctl load [--as-amdgpu] [--module PATH] [PARAM=VALUE...]\n");
	return 2;
}

/* The checks before loading: 0 to go on, else the exit status. */
static int load_check(const char *modname, bool named)
{
	switch (mod_state(modname)) {
	case MOD_ABSENT:
		break;
	case MOD_OTHER:
		fprintf(stderr,
			"vkfdctl: the real %s driver is loaded; unload it (modprobe -r %s) or load vkfd.ko name=vkfd\n",
			modname, modname);
		return 1;
	case MOD_VKFD:
		fprintf(stderr, "vkfdctl: vkfd is already loaded as %s (vkfdctl unload first)\n",
			modname);
		return 1;
	}
	if (!named && exists("/sys/class/kfd")) {
		fprintf(stderr,
			"vkfdctl: /sys/class/kfd exists (amdgpu's amdkfd, or vkfd as amdgpu): load with name=vkfd\n");
		return 1;
	}
	return 0;
}

/* Joins @argc parameters into @buf: "a=1 b=2". */
static int join_params(int argc, char **argv, char *buf, size_t size)
{
	size_t len = 0;
	int i, n;

	buf[0] = '\0';
	for (i = 0; i < argc; i++) {
		n = snprintf(buf + len, size - len, "%s%s", i ? " " : "", argv[i]);
		if (n < 0 || (size_t)n >= size - len)
			return -E2BIG;
		len += n;
	}
	return 0;
}

/**
 * vkfdctl_load() - vkfdctl load
 * @argc: arguments after "load"
 * @argv: them
 *
 * Return: the exit status.
 */
int vkfdctl_load(int argc, char **argv)
{
	const char *modname = "vkfd", *module = NULL;
	char path[PATH_MAX], params[1024], deps[256];
	struct stat st;
	void *img;
	int i, fd, ret;

	for (i = 0; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (!strcmp(argv[i], "--as-amdgpu"))
			modname = "amdgpu";
		else if (!strcmp(argv[i], "--module") && i + 1 < argc)
			module = argv[++i];
		else
			return load_usage();
	}
	argc -= i;
	argv += i;
	for (i = 0; i < argc; i++)
		if (!strchr(argv[i], '=') || argv[i][0] == '=')
			return load_usage();
	if (join_params(argc, argv, params, sizeof(params)))
		return load_usage();

	ret = load_check(modname, sets_name(argc, argv));
	if (ret)
		return ret;

	if (!module) {
		if (default_module(modname, path, sizeof(path))) {
			fprintf(stderr, "vkfdctl: cannot find %s.ko: use --module PATH\n", modname);
			return 1;
		}
		module = path;
	}
	fd = open(module, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "vkfdctl: %s: %s (make module, or --module PATH)\n",
			module, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	img = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (img == MAP_FAILED ||
	    modinfo_depends(img, st.st_size, deps, sizeof(deps))) {
		fprintf(stderr, "vkfdctl: %s is not a kernel module\n", module);
		if (img != MAP_FAILED)
			munmap(img, st.st_size);
		close(fd);
		return 1;
	}
	munmap(img, st.st_size);
	load_deps(deps);

	ret = syscall(SYS_finit_module, fd, params, 0) ? errno : 0;
	close(fd);
	if (ret == EEXIST)
		fprintf(stderr, "vkfdctl: %s: a module named %s, or the device name, is taken (see dmesg)\n",
			module, modname);
	else if (ret)
		fprintf(stderr, "vkfdctl: loading %s failed: %s (see dmesg)\n",
			module, strerror(ret));
	else
		printf("vkfdctl: %s loaded as %s%s%s\n", module, modname,
		       *params ? " " : "", params);
	return ret ? 1 : 0;
}

/* Unloads module @name, if it is vkfd's. Returns 0, 1 (failed) or -1 (not there). */
static int unload_one(const char *name)
{
	if (mod_state(name) != MOD_VKFD)
		return -1;
	if (!syscall(SYS_delete_module, name, O_NONBLOCK)) {
		printf("vkfdctl: %s unloaded\n", name);
		return 0;
	}
	if (errno == EWOULDBLOCK || errno == EAGAIN)
		fprintf(stderr, "vkfdctl: %s is in use: a process still has a context\n", name);
	else
		fprintf(stderr, "vkfdctl: unloading %s failed: %s\n", name, strerror(errno));
	return 1;
}

/**
 * vkfdctl_unload() - vkfdctl unload: vkfd, under either name
 * @argc: arguments after "unload" (none)
 * @argv: them
 *
 * Never unloads AMD's amdgpu. The KUnit module, which holds vkfd.ko, goes
 * first.
 *
 * Return: the exit status.
 */
int vkfdctl_unload(int argc, char **argv)
{
	int a, b;

	(void)argv;
	if (argc) {
		fprintf(stderr, "usage: vkfdctl unload\n");
		return 2;
	}
	if (exists("/sys/module/vkfd_test"))
		syscall(SYS_delete_module, "vkfd_test", O_NONBLOCK);
	a = unload_one("vkfd");
	b = unload_one("amdgpu");
	if (a < 0 && b < 0) {
		fprintf(stderr, "vkfdctl: vkfd is not loaded (as vkfd or as amdgpu)\n");
		return 1;
	}
	return a > 0 || b > 0;
}
