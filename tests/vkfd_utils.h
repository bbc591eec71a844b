/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Helpers shared by the vkfd selftests.
 *
 * The same binaries run against vkfd and against the real amdkfd; the
 * environment (see struct vkfd_env) says which one is under test and where
 * it lives. Everything here is header-only and static; tests include it
 * after kselftest_harness.h so the ASSERT_/EXPECT_ helpers can be used.
 */
#ifndef VKFD_SELFTEST_UTILS_H
#define VKFD_SELFTEST_UTILS_H

#include <dirent.h>
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
#define VKFD_MAX_NODES		64
#define VKFD_PROPS_MAX		128
#define VKFD_TEXT_MAX		8192
#define VKFD_PROC_GONE_MS	10000	/* amdkfd releases processes from a workqueue */

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

static inline void vkfd_env_init(struct vkfd_env *env)
{
	const char *impl = getenv("VKFD_IMPL");
	const char *mod = getenv("VKFD_MODULE");
	const char *params = getenv("VKFD_MODULE_PARAMS");

	vkfd_env_str(env->dev, sizeof(env->dev), "VKFD_DEV", "/dev/kfd");
	vkfd_env_str(env->sysfs, sizeof(env->sysfs), "VKFD_SYSFS",
		     "/sys/class/kfd/kfd");
	vkfd_env_str(env->topology, sizeof(env->topology), "VKFD_TOPOLOGY",
		     "/sys/devices/virtual/kfd/kfd/topology");
	if (impl && *impl)
		env->amdkfd = !strcmp(impl, "amdkfd");
	else
		env->amdkfd = access("/sys/module/vkfd", F_OK) != 0;
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

/* ------------------------------------------------------------------------
 * sysfs helpers
 */

static inline bool vkfd_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static inline bool vkfd_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Reads a whole (sysfs) file into @buf, NUL-terminated. Returns length or -errno. */
static inline ssize_t vkfd_read_text(const char *path, char *buf, size_t size)
{
	ssize_t len = 0, n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((size_t)len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	close(fd);
	return len;
}

/* Strict unsigned decimal: digits only, no sign, fits in 64 bits. */
static inline bool vkfd_parse_u64(const char *s, size_t len, uint64_t *val)
{
	uint64_t v = 0;
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (UINT64_MAX - (s[i] - '0')) / 10)
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*val = v;
	return true;
}

/* A file holding exactly "<decimal>\n". Returns 0, -errno or -EINVAL. */
static inline int vkfd_read_u64(const char *path, uint64_t *val)
{
	char buf[64];
	ssize_t len = vkfd_read_text(path, buf, sizeof(buf));

	if (len < 0)
		return len;
	if (len < 2 || buf[len - 1] != '\n')
		return -EINVAL;
	return vkfd_parse_u64(buf, len - 1, val) ? 0 : -EINVAL;
}

/* Number of entries in a directory (without . and ..), or -errno. */
static inline int vkfd_count_entries(const char *path)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(path);

	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/*
 * Directory whose entries are exactly the directories "0" .. "n-1".
 * Returns n, -errno, or -EINVAL if an entry is not such a directory.
 */
static inline int vkfd_count_indexed(const char *path)
{
	char sub[PATH_MAX + 16];
	int n = vkfd_count_entries(path), i;

	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		snprintf(sub, sizeof(sub), "%s/%d", path, i);
		if (!vkfd_is_dir(sub))
			return -EINVAL;
	}
	return n;
}

/* ------------------------------------------------------------------------
 * "key <decimal>" property files
 */

struct vkfd_prop {
	char key[48];
	uint64_t val;
};

struct vkfd_props {
	int count;
	struct vkfd_prop p[VKFD_PROPS_MAX];
	char err[160];		/* why parsing failed */
};

#define VKFD_PROPS_CACHE	(1 << 0)	/* a cache: "sibling_map a,b,c" allowed */
#define VKFD_PROPS_EMPTY_MAP	(1 << 1)	/* ... and may be empty (amdkfd) */

static inline bool vkfd_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* "a,b,c" of decimals; @len may be 0 only if @empty_ok. */
static inline bool vkfd_parse_list(const char *s, size_t len, bool empty_ok)
{
	size_t i, start = 0;
	uint64_t v;

	if (!len)
		return empty_ok;
	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == ',') {
			if (!vkfd_parse_u64(s + start, i - start, &v))
				return false;
			start = i + 1;
		}
	}
	return true;
}

/*
 * Parses a properties file: each line "key <unsigned decimal>\n", keys
 * unique. Returns 0 or -EINVAL with props->err set.
 */
static inline int vkfd_props_parse(const char *text, struct vkfd_props *props,
				   unsigned int flags)
{
	const char *line = text, *nl, *sp;
	int i;

	props->count = 0;
	props->err[0] = '\0';
	if (!*text) {
		snprintf(props->err, sizeof(props->err), "empty file");
		return -EINVAL;
	}
	for (; *line; line = nl + 1) {
		struct vkfd_prop *p;
		size_t klen;

		nl = strchr(line, '\n');
		if (!nl) {
			snprintf(props->err, sizeof(props->err),
				 "last line not terminated: '%.40s'", line);
			return -EINVAL;
		}
		sp = memchr(line, ' ', nl - line);
		klen = sp ? (size_t)(sp - line) : (size_t)(nl - line);
		if ((flags & VKFD_PROPS_CACHE) && (flags & VKFD_PROPS_EMPTY_MAP) &&
		    !sp && klen == 11 && !strncmp(line, "sibling_map", 11))
			continue;	/* amdkfd prints a bare key for an empty map */
		if (!sp || !klen || klen >= sizeof(props->p[0].key)) {
			snprintf(props->err, sizeof(props->err),
				 "not 'key value': '%.*s'", (int)(nl - line), line);
			return -EINVAL;
		}
		for (i = 0; i < (int)klen; i++) {
			if (!vkfd_key_char(line[i])) {
				snprintf(props->err, sizeof(props->err),
					 "bad key: '%.*s'", (int)klen, line);
				return -EINVAL;
			}
		}
		for (i = 0; i < props->count; i++) {
			if (strlen(props->p[i].key) == klen &&
			    !strncmp(props->p[i].key, line, klen)) {
				snprintf(props->err, sizeof(props->err),
					 "duplicate key '%.*s'", (int)klen, line);
				return -EINVAL;
			}
		}
		if (props->count == VKFD_PROPS_MAX) {
			snprintf(props->err, sizeof(props->err), "too many keys");
			return -EINVAL;
		}
		p = &props->p[props->count];
		memcpy(p->key, line, klen);
		p->key[klen] = '\0';
		if ((flags & VKFD_PROPS_CACHE) && !strcmp(p->key, "sibling_map")) {
			if (!vkfd_parse_list(sp + 1, nl - sp - 1,
					     flags & VKFD_PROPS_EMPTY_MAP)) {
				snprintf(props->err, sizeof(props->err),
					 "bad sibling_map: '%.*s'",
					 (int)(nl - line), line);
				return -EINVAL;
			}
			p->val = 0;
		} else if (!vkfd_parse_u64(sp + 1, nl - sp - 1, &p->val)) {
			snprintf(props->err, sizeof(props->err),
				 "value not an unsigned decimal: '%.*s'",
				 (int)(nl - line), line);
			return -EINVAL;
		}
		props->count++;
	}
	return 0;
}

static inline int vkfd_props_read(const char *path, struct vkfd_props *props,
				  unsigned int flags)
{
	char *text = malloc(VKFD_TEXT_MAX);
	ssize_t len;
	int ret;

	if (!text)
		return -ENOMEM;
	len = vkfd_read_text(path, text, VKFD_TEXT_MAX);
	if (len < 0) {
		props->count = 0;
		snprintf(props->err, sizeof(props->err), "cannot read: %s",
			 strerror(-len));
		free(text);
		return len;
	}
	ret = vkfd_props_parse(text, props, flags);
	free(text);
	return ret;
}

static inline bool vkfd_prop(const struct vkfd_props *props, const char *key,
			     uint64_t *val)
{
	int i;

	for (i = 0; i < props->count; i++) {
		if (!strcmp(props->p[i].key, key)) {
			if (val)
				*val = props->p[i].val;
			return true;
		}
	}
	return false;
}

/* Value of @key, or ~0 if it is missing (never a valid value here). */
static inline uint64_t vkfd_prop_val(const struct vkfd_props *props,
				     const char *key)
{
	uint64_t v;

	return vkfd_prop(props, key, &v) ? v : UINT64_MAX;
}

/* ------------------------------------------------------------------------
 * Topology
 */

struct vkfd_topo {
	int num_nodes;
	int num_gpus;
	uint32_t node_gpu_id[VKFD_MAX_NODES];	/* per node, 0 = CPU */
	uint32_t gpu_id[VKFD_MAX_NODES];	/* GPU nodes only, in node order */
	int gpu_node[VKFD_MAX_NODES];		/* node index of gpu_id[i] */
};

/* Reads nodes/N/gpu_id for every node. Returns 0 or -errno. */
static inline int vkfd_topo_load(const char *topology, struct vkfd_topo *t)
{
	char path[PATH_MAX];
	uint64_t id;
	int i, ret;

	memset(t, 0, sizeof(*t));
	snprintf(path, sizeof(path), "%s/nodes", topology);
	ret = vkfd_count_indexed(path);
	if (ret < 0)
		return ret;
	if (ret > VKFD_MAX_NODES)
		return -E2BIG;
	t->num_nodes = ret;
	for (i = 0; i < t->num_nodes; i++) {
		snprintf(path, sizeof(path), "%s/nodes/%d/gpu_id", topology, i);
		ret = vkfd_read_u64(path, &id);
		if (ret)
			return ret;
		if (id > UINT32_MAX)
			return -ERANGE;
		t->node_gpu_id[i] = id;
		if (id) {
			t->gpu_node[t->num_gpus] = i;
			t->gpu_id[t->num_gpus++] = id;
		}
	}
	return 0;
}

static inline bool vkfd_topo_has_gpu(const struct vkfd_topo *t, uint32_t id)
{
	int i;

	for (i = 0; i < t->num_gpus; i++)
		if (t->gpu_id[i] == id)
			return true;
	return false;
}

/* A non-zero gpu_id that no node has. */
static inline uint32_t vkfd_topo_unused_gpu_id(const struct vkfd_topo *t)
{
	uint32_t id = 0xfff1;

	while (!id || vkfd_topo_has_gpu(t, id))
		id++;
	return id;
}

/* ------------------------------------------------------------------------
 * Per-process sysfs entries: $VKFD_SYSFS/proc/<pid>
 */

static inline void vkfd_proc_path(const struct vkfd_env *env, pid_t pid,
				  const char *file, char *buf, size_t n)
{
	snprintf(buf, n, "%s/proc/%d%s%s", env->sysfs, (int)pid,
		 file ? "/" : "", file ? file : "");
}

static inline bool vkfd_proc_exists(const struct vkfd_env *env, pid_t pid)
{
	char path[PATH_MAX];

	vkfd_proc_path(env, pid, NULL, path, sizeof(path));
	return vkfd_exists(path);
}

/* Returns the pasid of @pid's primary context, 0 if it cannot be read. */
static inline uint64_t vkfd_proc_pasid(const struct vkfd_env *env, pid_t pid)
{
	char path[PATH_MAX];
	uint64_t pasid;

	vkfd_proc_path(env, pid, "pasid", path, sizeof(path));
	return vkfd_read_u64(path, &pasid) ? 0 : pasid;
}

static inline void vkfd_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * After the process @pid was reaped: is proc/<pid> gone? vkfd removes it
 * before waitpid() returns; amdkfd from a workqueue, so poll (bounded).
 */
static inline bool vkfd_proc_gone_after_exit(const struct vkfd_env *env,
					     pid_t pid)
{
	int waited = 0;

	if (!env->amdkfd)
		return !vkfd_proc_exists(env, pid);
	while (vkfd_proc_exists(env, pid)) {
		if (waited >= VKFD_PROC_GONE_MS)
			return false;
		vkfd_sleep_ms(20);
		waited += 20;
	}
	return true;
}

/* ------------------------------------------------------------------------
 * PASIDs and GPU VMs
 */

/*
 * On vkfd a context holds a PASID only once it has a GPU VM (made by
 * AMDKFD_IOC_ACQUIRE_VM), as in Linux 7.0; amdkfd 6.1 gives a process its
 * PASID at open(). Tests that use the sysfs pasid as the identity of a
 * primary give the context of @fd its VM on the first GPU first: the
 * render file is closed again, the context keeps it. Nothing to do on
 * amdkfd. Returns 0 or -errno.
 */
static inline int vkfd_pasid_vm(const struct vkfd_env *env, int fd)
{
	struct vkfd_context ctx = { .fd = fd, .primary = true };
	int ret, render;
	uint32_t gpu;

	if (env->amdkfd)
		return 0;
	ret = vkfd_gpu_ids(env->topology, &gpu, 1);
	if (ret <= 0)
		return ret ? ret : -ENODEV;
	ret = vkfd_open_vm(&ctx, env->topology, gpu, &render);
	if (ret)
		return ret;
	close(render);
	return 0;
}

/* ------------------------------------------------------------------------
 * debugfs: <debugfs>/vkfd/contexts and translate
 */

#define VKFD_DEBUGFS		"/sys/kernel/debug/vkfd"
#define VKFD_CONTEXTS_MAX	(1 << 20)

static inline bool vkfd_debugfs_present(void)
{
	return access(VKFD_DEBUGFS "/contexts", R_OK) == 0;
}

/* A line of <debugfs>/vkfd/contexts; a column the file lacks reads ~0. */
struct vkfd_ctx_row {
	bool exited;
	uint64_t refs;
	int num_pasids;
	uint32_t pasids[VKFD_LIB_MAX_GPUS];
	uint64_t bos;		/* live buffer handles */
	uint64_t vram;		/* bytes of VRAM allocated */
	uint64_t pt;		/* page-table bytes over the context's VMs */
};

/* Index of column @name in the tab-separated header @hdr, or -1. */
static inline int vkfd_col(const char *hdr, const char *name)
{
	size_t len = strlen(name);
	int i = 0;

	for (;;) {
		size_t w = strcspn(hdr, "\t\n");

		if (w == len && !strncmp(hdr, name, len))
			return i;
		if (hdr[w] != '\t')
			return -1;
		hdr += w + 1;
		i++;
	}
}

/* Field @i of a tab-separated line (no newline), copied to @buf. */
static inline bool vkfd_field(const char *line, int i, char *buf, size_t n)
{
	size_t w;

	if (i < 0)
		return false;
	while (i--) {
		line = strchr(line, '\t');
		if (!line)
			return false;
		line++;
	}
	w = strcspn(line, "\t");
	snprintf(buf, n, "%.*s", (int)w, line);
	return true;
}

static inline uint64_t vkfd_field_u64(const char *line, int i)
{
	char buf[32];
	uint64_t v;

	if (!vkfd_field(line, i, buf, sizeof(buf)) ||
	    !vkfd_parse_u64(buf, strlen(buf), &v))
		return UINT64_MAX;
	return v;
}

/*
 * The line of context @ctx_id (VKFD_CTX_ID_PRIMARY: the primary) of @pid.
 * Returns 0, -ENOENT if there is none, or -errno.
 */
static inline int vkfd_ctx_row(pid_t pid, uint32_t ctx_id,
			       struct vkfd_ctx_row *row)
{
	char *text = malloc(VKFD_CONTEXTS_MAX), *line, *save, want[32];
	char buf[128], *p;
	int ret = -ENOENT;
	int c_pid, c_ctx, c_state, c_refs, c_pasids, c_bos, c_vram, c_pt;
	ssize_t len;

	if (!text)
		return -ENOMEM;
	memset(row, 0, sizeof(*row));
	len = vkfd_read_text(VKFD_DEBUGFS "/contexts", text, VKFD_CONTEXTS_MAX);
	if (len < 0) {
		free(text);
		return len;
	}
	line = strtok_r(text, "\n", &save);
	if (!line) {
		free(text);
		return -EINVAL;
	}
	c_pid = vkfd_col(line, "pid");
	c_ctx = vkfd_col(line, "context");
	c_state = vkfd_col(line, "state");
	c_refs = vkfd_col(line, "refs");
	c_pasids = vkfd_col(line, "pasids");
	c_bos = vkfd_col(line, "bos");
	c_vram = vkfd_col(line, "vram");
	c_pt = vkfd_col(line, "pt");
	if (ctx_id == VKFD_CTX_ID_PRIMARY)
		snprintf(want, sizeof(want), "primary");
	else
		snprintf(want, sizeof(want), "%u", ctx_id);
	while ((line = strtok_r(NULL, "\n", &save))) {
		if (vkfd_field_u64(line, c_pid) != (uint64_t)pid ||
		    !vkfd_field(line, c_ctx, buf, sizeof(buf)) ||
		    strcmp(buf, want))
			continue;
		row->exited = vkfd_field(line, c_state, buf, sizeof(buf)) &&
			      !strcmp(buf, "exited");
		row->refs = vkfd_field_u64(line, c_refs);
		row->bos = vkfd_field_u64(line, c_bos);
		row->vram = vkfd_field_u64(line, c_vram);
		row->pt = vkfd_field_u64(line, c_pt);
		if (vkfd_field(line, c_pasids, buf, sizeof(buf))) {
			for (p = buf; *p && row->num_pasids < VKFD_LIB_MAX_GPUS;
			     p += *p == ',') {
				row->pasids[row->num_pasids++] =
					strtoul(p, &p, 10);
				if (*p && *p != ',')
					break;
			}
		}
		ret = 0;
		break;
	}
	free(text);
	return ret;
}

/* Number of lines of <debugfs>/vkfd/contexts for @pid, or -errno. */
static inline int vkfd_ctx_rows(pid_t pid)
{
	char *text = malloc(VKFD_CONTEXTS_MAX), *line, *save;
	int n = 0, c_pid;
	ssize_t len;

	if (!text)
		return -ENOMEM;
	len = vkfd_read_text(VKFD_DEBUGFS "/contexts", text, VKFD_CONTEXTS_MAX);
	if (len < 0) {
		free(text);
		return len;
	}
	line = strtok_r(text, "\n", &save);
	c_pid = line ? vkfd_col(line, "pid") : -1;
	while (line && (line = strtok_r(NULL, "\n", &save)))
		n += vkfd_field_u64(line, c_pid) == (uint64_t)pid;
	free(text);
	return n;
}

/* What <debugfs>/vkfd/translate says about a GPU address. */
struct vkfd_xlate {
	uint64_t va;
	uint32_t pasid;
	bool mapped;
	uint64_t pte;
	uint64_t pfn;
	char perm[3];		/* "rw", "r-", ... */
	uint8_t data[16];	/* first bytes of the page */
	char text[256];		/* the answer as read */
};

static inline int vkfd_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parses "key value" pairs of the answer. Returns 0 or -EPROTO. */
static inline int vkfd_xlate_parse(struct vkfd_xlate *x)
{
	char copy[sizeof(x->text)], *tok, *val, *save, *end;
	bool va = false, pasid = false, pte = false, pfn = false;
	bool perm = false, data = false;
	int i;

	snprintf(copy, sizeof(copy), "%s", x->text);
	for (tok = strtok_r(copy, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save)) {
		if (!strcmp(tok, "unmapped")) {
			x->mapped = false;
			continue;
		}
		val = strtok_r(NULL, " \n", &save);
		if (!val)
			return -EPROTO;
		errno = 0;
		if (!strcmp(tok, "va")) {
			x->va = strtoull(val, &end, 0);
			va = !*end;
		} else if (!strcmp(tok, "pasid")) {
			x->pasid = strtoul(val, &end, 0);
			pasid = !*end;
		} else if (!strcmp(tok, "pte")) {
			x->pte = strtoull(val, &end, 0);
			pte = !*end;
		} else if (!strcmp(tok, "pfn")) {
			x->pfn = strtoull(val, &end, 0);
			pfn = !*end;
		} else if (!strcmp(tok, "perm")) {
			snprintf(x->perm, sizeof(x->perm), "%s", val);
			perm = strlen(val) == 2;
		} else if (!strcmp(tok, "data")) {
			data = strlen(val) == 2 * sizeof(x->data);
			for (i = 0; data && i < (int)sizeof(x->data); i++) {
				int hi = vkfd_hex(val[2 * i]);
				int lo = vkfd_hex(val[2 * i + 1]);

				data = hi >= 0 && lo >= 0;
				x->data[i] = hi << 4 | lo;
			}
		} else {
			return -EPROTO;
		}
		if (errno)
			return -EPROTO;
	}
	if (!va || !pasid)
		return -EPROTO;
	x->mapped = pte && pfn && perm && data;
	if (!x->mapped && (pte || pfn || perm || data))
		return -EPROTO;
	if (!x->mapped && !strstr(x->text, "unmapped"))
		return -EPROTO;
	return 0;
}

/*
 * Ask <debugfs>/vkfd/translate where @va of the VM on @gpu_id of context
 * @ctx_id (VKFD_CTX_ID_PRIMARY: 65535, the primary) of @pid leads.
 * Returns 0, the -errno of the write (ENOENT: no such context or VM), or
 * -EPROTO if the answer cannot be parsed (x->text has it).
 */
static inline int vkfd_translate(pid_t pid, uint32_t ctx_id, uint32_t gpu_id,
				 uint64_t va, struct vkfd_xlate *x)
{
	char req[96];
	int fd, len, ret;
	ssize_t n;

	memset(x, 0, sizeof(*x));
	fd = open(VKFD_DEBUGFS "/translate", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(req, sizeof(req), "%d %u %u 0x%llx", (int)pid, ctx_id,
		       gpu_id, (unsigned long long)va);
	if (write(fd, req, len) != len) {
		ret = -errno;
		close(fd);
		return ret ? ret : -EIO;
	}
	n = pread(fd, x->text, sizeof(x->text) - 1, 0);
	ret = n < 0 ? -errno : 0;
	close(fd);
	if (ret)
		return ret;
	x->text[n] = '\0';
	return vkfd_xlate_parse(x);
}

/* ------------------------------------------------------------------------
 * Pinned pages, per-context sysfs files
 */

/*
 * Pages pinned with FOLL_PIN system-wide (/proc/vmstat), or INT64_MIN.
 * The counters are per-CPU below a threshold: fold them first, with
 * /proc/sys/vm/stat_refresh (root), or a few pins would not show.
 */
static inline int64_t vkfd_pinned_pages(void)
{
	char text[16384], *p;
	long long acq, rel;
	int fd;

	fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return INT64_MIN;
	if (write(fd, "1", 1) != 1) {
		close(fd);
		return INT64_MIN;
	}
	close(fd);
	if (vkfd_read_text("/proc/vmstat", text, sizeof(text)) < 0)
		return INT64_MIN;
	p = strstr(text, "\nnr_foll_pin_acquired ");
	if (!p || sscanf(p, "\nnr_foll_pin_acquired %lld", &acq) != 1)
		return INT64_MIN;
	p = strstr(text, "\nnr_foll_pin_released ");
	if (!p || sscanf(p, "\nnr_foll_pin_released %lld", &rel) != 1)
		return INT64_MIN;
	return acq - rel;
}

/* $VKFD_SYSFS/proc/<pid>[/context_<id>]/@file of a context. */
static inline void vkfd_ctx_sysfs_path(const struct vkfd_env *env, pid_t pid,
				       uint32_t ctx_id, const char *file,
				       char *buf, size_t n)
{
	if (ctx_id == VKFD_CTX_ID_PRIMARY)
		snprintf(buf, n, "%s/proc/%d/%s", env->sysfs, (int)pid, file);
	else
		snprintf(buf, n, "%s/proc/%d/context_%u/%s", env->sysfs,
			 (int)pid, ctx_id, file);
}

/* A decimal sysfs file of a context: 0 or -errno. */
static inline int vkfd_ctx_sysfs_u64(const struct vkfd_env *env, pid_t pid,
				     uint32_t ctx_id, const char *file,
				     uint64_t *val)
{
	char path[PATH_MAX];

	vkfd_ctx_sysfs_path(env, pid, ctx_id, file, path, sizeof(path));
	return vkfd_read_u64(path, val);
}

/* ------------------------------------------------------------------------
 * Child processes driven over a pair of pipes. The child runs @fn and
 * exits with its return value; it must not use the harness macros.
 */

struct vkfd_child {
	pid_t pid;
	int to_child;		/* parent writes */
	int from_child;		/* parent reads */
};

typedef int (*vkfd_child_fn)(void *arg, int in, int out);

static inline int vkfd_child_start(struct vkfd_child *c, vkfd_child_fn fn,
				   void *arg)
{
	int down[2], up[2];

	if (pipe2(down, O_CLOEXEC))
		return -errno;
	if (pipe2(up, O_CLOEXEC)) {
		close(down[0]);
		close(down[1]);
		return -errno;
	}
	fflush(stdout);
	fflush(stderr);
	c->pid = fork();
	if (c->pid < 0) {
		close(down[0]);
		close(down[1]);
		close(up[0]);
		close(up[1]);
		return -errno;
	}
	if (c->pid == 0) {
		/* a parent that stopped listening is an error code, not a signal */
		signal(SIGPIPE, SIG_IGN);
		close(down[1]);
		close(up[0]);
		_exit(fn(arg, down[0], up[1]));
	}
	close(down[0]);
	close(up[1]);
	c->to_child = down[1];
	c->from_child = up[0];
	return 0;
}

/* Messages are single 64-bit words. Return 0 or -1. */
static inline int vkfd_msg_send(int fd, uint64_t v)
{
	return write(fd, &v, sizeof(v)) == sizeof(v) ? 0 : -1;
}

static inline int vkfd_msg_recv(int fd, uint64_t *v)
{
	ssize_t n;

	do {
		n = read(fd, v, sizeof(*v));
	} while (n < 0 && errno == EINTR);
	return n == sizeof(*v) ? 0 : -1;
}

/* Reaps the child; returns its exit code, or 128 + signal. */
static inline int vkfd_child_wait(struct vkfd_child *c)
{
	int status;

	if (c->pid <= 0)
		return -1;
	if (c->to_child >= 0)
		close(c->to_child);
	if (c->from_child >= 0)
		close(c->from_child);
	c->to_child = c->from_child = -1;
	while (waitpid(c->pid, &status, 0) < 0) {
		if (errno != EINTR) {
			c->pid = 0;
			return -1;
		}
	}
	c->pid = 0;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

/* Teardown path: kill and reap a child that may still be running. */
static inline void vkfd_child_kill(struct vkfd_child *c)
{
	if (c->pid > 0)
		kill(c->pid, SIGKILL);
	vkfd_child_wait(c);
}

/* ------------------------------------------------------------------------
 * Passing fds with SCM_RIGHTS
 */

/* One byte of data carrying one fd in an SCM_RIGHTS control message. */
struct vkfd_fd_msg {
	char data;
	struct iovec iov;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg;
};

static inline void vkfd_fd_msg_init(struct vkfd_fd_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->data = 'F';
	m->iov.iov_base = &m->data;
	m->iov.iov_len = 1;
	m->msg.msg_iov = &m->iov;
	m->msg.msg_iovlen = 1;
	m->msg.msg_control = m->u.buf;
	m->msg.msg_controllen = sizeof(m->u.buf);
}

static inline int vkfd_send_fd(int sock, int fd)
{
	struct vkfd_fd_msg m;
	struct cmsghdr *cmsg;

	vkfd_fd_msg_init(&m);
	cmsg = CMSG_FIRSTHDR(&m.msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, &m.msg, 0) == 1 ? 0 : -1;
}

/* Returns the received fd or -1. */
static inline int vkfd_recv_fd(int sock)
{
	struct vkfd_fd_msg m;
	struct cmsghdr *cmsg;
	int fd;

	vkfd_fd_msg_init(&m);
	if (recvmsg(sock, &m.msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cmsg = CMSG_FIRSTHDR(&m.msg);
	if (!cmsg || cmsg->cmsg_level != SOL_SOCKET ||
	    cmsg->cmsg_type != SCM_RIGHTS ||
	    cmsg->cmsg_len != CMSG_LEN(sizeof(int)))
		return -1;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

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

#endif /* VKFD_SELFTEST_UTILS_H */
