/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vkfd's debugfs: the contexts table and the translate file, which walks
 * a context's GPU page table.
 *
 * Part of the selftest helpers: tests include vkfd_utils.h, which
 * includes this file.
 */
#ifndef VKFD_SELFTEST_DEBUGFS_H
#define VKFD_SELFTEST_DEBUGFS_H

#ifndef VKFD_SELFTEST_UTILS_H
#error "include vkfd_utils.h, which includes vkfd_debugfs.h"
#endif

/* ------------------------------------------------------------------------
 * debugfs: <debugfs>/vkfd/contexts and translate
 *
 * The directory is named after the module (vkfd, or amdgpu for the same
 * driver as amdgpu.ko): VKFD_DEBUGFS (set by the guest init), else
 * /sys/kernel/debug/vkfd.
 */

#define VKFD_CONTEXTS_MAX	(1 << 20)

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

static inline bool vkfd_debugfs_present(void)
{
	char path[PATH_MAX];

	vkfd_debugfs_path(path, sizeof(path), "/contexts");
	return access(path, R_OK) == 0;
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
	uint64_t events;	/* live events */
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
	char buf[128], path[PATH_MAX], *p;
	int ret = -ENOENT;
	int c_pid, c_ctx, c_state, c_refs, c_pasids, c_bos, c_vram, c_pt;
	int c_events;
	ssize_t len;

	if (!text)
		return -ENOMEM;
	memset(row, 0, sizeof(*row));
	vkfd_debugfs_path(path, sizeof(path), "/contexts");
	len = vkfd_read_text(path, text, VKFD_CONTEXTS_MAX);
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
	c_events = vkfd_col(line, "events");
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
		row->events = vkfd_field_u64(line, c_events);
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
	char *text = malloc(VKFD_CONTEXTS_MAX), *line, *save, path[PATH_MAX];
	int n = 0, c_pid;
	ssize_t len;

	if (!text)
		return -ENOMEM;
	vkfd_debugfs_path(path, sizeof(path), "/contexts");
	len = vkfd_read_text(path, text, VKFD_CONTEXTS_MAX);
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
	char req[96], path[PATH_MAX];
	int fd, len, ret;
	ssize_t n;

	memset(x, 0, sizeof(*x));
	vkfd_debugfs_path(path, sizeof(path), "/translate");
	fd = open(path, O_RDWR | O_CLOEXEC);
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

#endif /* VKFD_SELFTEST_DEBUGFS_H */
