// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfdctl run --secondary [--limit RES=N]... [--preload PATH] [--]
 *             PROGRAM [ARGS]
 *
 * Runs PROGRAM with libvkfd-secondary.so (lib/vkfd_preload.c) preloaded:
 * every fd of the KFD device the program opens becomes a secondary
 * context of a primary that the library holds in the program's process,
 * as a hypervisor hands a guest its context. vkfdctl execs the program,
 * so the exit status is the program's (127: not found, 126: cannot be
 * run, as a shell says).
 *
 * The library is, in this order: --preload PATH; ../lib/ from vkfdctl's
 * own directory (the build tree: build/tools/vkfdctl and
 * build/lib/libvkfd-secondary.so; the guests' /vkfd/tools and /vkfd/lib);
 * VKFD_PRELOAD_INSTALLED. It is put first in LD_PRELOAD (by absolute
 * path), the variable's earlier entries after it.
 *
 * libhsakmt (ROCm) allocates paged system memory as USERPTR buffers unless
 * HSA_USERPTR_FOR_PAGED_MEM is 0, and a secondary context cannot have
 * USERPTR buffers (docs/uapi.rst): vkfdctl sets it to 0 unless it is set
 * already, so that ROCr's system memory (queues, kernel arguments,
 * signals) comes from GTT buffers instead.
 *
 * --limit RES=N sets limit RES (vram, gtt, userptr, buffers, queues,
 * events; docs/tenancy.rst "Quotas") of each secondary the program gets to N:
 * vkfdctl checks them and hands them to the library in
 * VKFD_SECONDARY_LIMITS ("RES=N,...", N in bytes or objects, as
 * VKFD_IOC_CTX_LIMITS takes them), which sets them through the primary
 * it holds before the program's open returns.
 *
 * A statically linked program (an ELF without an interpreter) loads no
 * preload library: it would use the primary without being told, so it is
 * refused (126). Only the program itself is checked: a script runs, and
 * the dynamically linked programs it starts are covered (LD_PRELOAD is
 * inherited), static ones are not.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libvkfd.h"
#include "vkfdctl.h"

#define VKFD_PRELOAD_NAME	"libvkfd-secondary.so"

#ifndef VKFD_PRELOAD_INSTALLED
#define VKFD_PRELOAD_INSTALLED	"/usr/local/lib/" VKFD_PRELOAD_NAME
#endif

/* The library's absolute path into @buf (PATH_MAX): 0 or -errno. */
static int run_find_preload(const char *given, char *buf)
{
	char exe[PATH_MAX], path[PATH_MAX + 32], *slash;
	ssize_t n;

	if (given)
		return realpath(given, buf) ? 0 : -errno;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(path, sizeof(path), "%s/../lib/" VKFD_PRELOAD_NAME,
				 exe);
			if (!access(path, R_OK) && realpath(path, buf))
				return 0;
		}
	}
	if (!access(VKFD_PRELOAD_INSTALLED, R_OK) &&
	    realpath(VKFD_PRELOAD_INSTALLED, buf))
		return 0;
	return -ENOENT;
}

/* Where execvp() would find @prog: into @buf (PATH_MAX), 0 or -errno. */
static int run_which(const char *prog, char *buf)
{
	const char *path = getenv("PATH"), *p, *end;
	size_t len;

	if (strchr(prog, '/')) {
		snprintf(buf, PATH_MAX, "%s", prog);
		return access(buf, X_OK) ? -errno : 0;
	}
	if (!path)
		path = "/bin:/usr/bin";
	for (p = path; ; p = end + 1) {
		end = strchrnul(p, ':');
		len = end - p;
		if (len + strlen(prog) + 2 < PATH_MAX) {
			snprintf(buf, PATH_MAX, "%.*s%s%s", (int)len, p,
				 len ? "/" : "", prog);
			if (!access(buf, X_OK))
				return 0;
		}
		if (!*end)
			return -ENOENT;
	}
}

/*
 * Is the file @path a statically linked ELF program (one that has no
 * PT_INTERP and so loads no preload library)? False for anything else,
 * scripts and unreadable files included: exec() decides about those.
 */
static bool run_is_static_elf(const char *path)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	bool interp = false;
	unsigned int i;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(ph)) {
		close(fd);
		return false;
	}
	for (i = 0; i < eh.e_phnum && !interp; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * sizeof(ph)) !=
		    sizeof(ph))
			break;
		interp = ph.p_type == PT_INTERP;
	}
	close(fd);
	return i == eh.e_phnum && !interp;
}

static int run_usage(void)
{
	fprintf(stderr, "usage: vkfdctl run --secondary [--limit RES=N]... [--preload PATH] [--] PROGRAM [ARGS]\n");
	return 2;
}

/* --limit @arg into @limits, the last of a resource winning: 0 or 2. */
static int run_limit(const char *arg, uint32_t *mask, uint64_t *limits)
{
	unsigned int res;
	uint64_t value;

	if (vkfdctl_limit_arg(arg, &res, &value)) {
		fprintf(stderr, "vkfdctl run: --limit %s: not RES=N with RES one of vram, gtt, userptr, buffers, queues, events and N a number (K, M, G suffixes) or 'max'\n",
			arg);
		return 2;
	}
	*mask |= 1U << res;
	limits[res] = value;
	return 0;
}

/* VKFD_SECONDARY_LIMITS for the library: 0, or 1 (said). */
static int run_limits_env(uint32_t mask, const uint64_t *limits)
{
	char value[VKFD_LIB_LIMIT_SLOTS * 48] = "";
	size_t len = 0;
	unsigned int i;

	if (!mask)
		return 0;
	for (i = 0; i < VKFD_LIB_LIMIT_SLOTS; i++)
		if (mask & (1U << i))
			len += snprintf(value + len, sizeof(value) - len,
					"%s%s=%llu", len ? "," : "",
					vkfd_limit_name(i),
					(unsigned long long)limits[i]);
	if (setenv("VKFD_SECONDARY_LIMITS", value, 1)) {
		fprintf(stderr, "vkfdctl run: VKFD_SECONDARY_LIMITS: %s\n",
			strerror(errno));
		return 1;
	}
	return 0;
}

int vkfdctl_run(int argc, char **argv)
{
	char lib[PATH_MAX], prog[PATH_MAX], *value;
	uint64_t limits[VKFD_LIB_LIMIT_SLOTS] = { 0 };
	const char *preload = NULL, *old;
	bool secondary = false;
	uint32_t mask = 0;
	int i, ret;
	size_t len;

	for (i = 0; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "--secondary")) {
			secondary = true;
		} else if (!strcmp(argv[i], "--preload") && i + 1 < argc) {
			preload = argv[++i];
		} else if (!strncmp(argv[i], "--preload=", 10)) {
			preload = argv[i] + 10;
		} else if (!strcmp(argv[i], "--limit") && i + 1 < argc) {
			if (run_limit(argv[++i], &mask, limits))
				return 2;
		} else if (!strncmp(argv[i], "--limit=", 8)) {
			if (run_limit(argv[i] + 8, &mask, limits))
				return 2;
		} else {
			fprintf(stderr, "vkfdctl run: unknown option '%s'\n",
				argv[i]);
			return run_usage();
		}
	}
	/* --secondary is the only mode so far; it is still said, not implied */
	if (!secondary || i == argc)
		return run_usage();

	ret = run_find_preload(preload, lib);
	if (ret) {
		fprintf(stderr, "vkfdctl run: no %s (%s; looked for ../lib/ next to vkfdctl and %s): use --preload PATH\n",
			preload ? preload : VKFD_PRELOAD_NAME, strerror(-ret),
			VKFD_PRELOAD_INSTALLED);
		return 1;
	}
	ret = run_which(argv[i], prog);
	if (!ret && run_is_static_elf(prog)) {
		fprintf(stderr, "vkfdctl run: %s is statically linked: it cannot load %s, and would use the primary context\n",
			prog, VKFD_PRELOAD_NAME);
		return 126;
	}

	if (run_limits_env(mask, limits))
		return 1;
	if (setenv("HSA_USERPTR_FOR_PAGED_MEM", "0", 0)) {
		fprintf(stderr, "vkfdctl run: HSA_USERPTR_FOR_PAGED_MEM: %s\n",
			strerror(errno));
		return 1;
	}
	old = getenv("LD_PRELOAD");
	len = strlen(lib) + (old ? strlen(old) : 0) + 2;
	value = malloc(len);
	if (!value) {
		fprintf(stderr, "vkfdctl run: %s\n", strerror(ENOMEM));
		return 1;
	}
	snprintf(value, len, "%s%s%s", lib, old && *old ? ":" : "",
		 old ? old : "");
	if (setenv("LD_PRELOAD", value, 1)) {
		fprintf(stderr, "vkfdctl run: LD_PRELOAD: %s\n", strerror(errno));
		free(value);
		return 1;
	}
	free(value);
	execvp(argv[i], argv + i);
	ret = errno;
	fprintf(stderr, "vkfdctl run: %s: %s\n", argv[i], strerror(ret));
	return ret == ENOENT ? 127 : 126;
}
