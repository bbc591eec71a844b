// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfdctl - look at a KFD device (vkfd or amdkfd) from userspace.
 *
 *   vkfdctl topology      the nodes: CPU and GPUs, memory, links
 *   vkfdctl ls            every process using the device, its contexts and
 *                         their resources, summed as AMD-SMI does
 *   vkfdctl tree [N]      open the primary and N secondary contexts
 *                         (default 2) and show the calling process's own
 *   vkfdctl demo [N]      one process serves N guest programs (default 2):
 *                         with one shared context program 2 copies program
 *                         1's secret; with a context each it faults
 *                         (vkfdctl_demo.c)
 *   vkfdctl limits [PID]  the limits and usage of every context
 *                         (vkfdctl_limits.c)
 *   vkfdctl run --secondary [--limit RES=N]... [--preload PATH] [--]
 *               PROGRAM [ARGS]
 *                         run an unmodified program whose opens of the
 *                         device each become a secondary context, with
 *                         those limits (vkfdctl_run.c, lib/vkfd_preload.c)
 *   vkfdctl load [--as-amdgpu] [--module PATH] [PARAM=VALUE...]
 *                         load vkfd.ko, or amdgpu.ko for ROCm's tools,
 *                         refusing where AMD's amdgpu is loaded
 *   vkfdctl unload        unload vkfd under either name (vkfdctl_load.c)
 *
 * Paths come from the environment as for the selftests: VKFD_DEV
 * (/dev/kfd), VKFD_SYSFS (/sys/class/kfd/kfd), VKFD_TOPOLOGY
 * (/sys/devices/virtual/kfd/kfd/topology).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kfd_ioctl.h>

#include "libvkfd.h"
#include "vkfdctl.h"

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

/* Format a path into @buf (PATH_MAX bytes); a too long one is empty. */
__attribute__((format(printf, 2, 3)))
static const char *pathf(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, PATH_MAX, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= PATH_MAX)
		buf[0] = '\0';
	return buf;
}

/* Read a small sysfs file into @buf; returns 0 or -errno. */
static int read_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* The value of @key in a "key value" properties text, or @def. */
static uint64_t prop(const char *text, const char *key, uint64_t def)
{
	size_t klen = strlen(key);
	const char *line = text;

	while (line && *line) {
		if (!strncmp(line, key, klen) && line[klen] == ' ')
			return strtoull(line + klen + 1, NULL, 10);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return def;
}

static int count_entries(const char *dir)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static void print_links(const char *node_dir, unsigned int node)
{
	char path[PATH_MAX], text[4096];
	int i, n;

	pathf(path, "%s/io_links", node_dir);
	n = count_entries(path);
	for (i = 0; i < n; i++) {
		pathf(path, "%s/io_links/%d/properties",
			 node_dir, i);
		if (read_file(path, text, sizeof(text)))
			continue;
		printf("%s node %u -> node %" PRIu64 " (%s)\n",
		       i + 1 < n ? "  |-" : "  `-", node,
		       prop(text, "node_to", 0),
		       prop(text, "type", 0) == 2 ? "PCIe" : "link");
	}
}

static int cmd_topology(const struct vkfdctl *c)
{
	char dir[PATH_MAX], path[PATH_MAX], text[4096], gpu_id[32], bank[1024];
	int node, nodes;

	pathf(dir, "%s/nodes", c->topology);
	nodes = count_entries(dir);
	if (nodes < 0) {
		fprintf(stderr, "vkfdctl: no topology at %s: %s\n",
			c->topology, strerror(errno));
		return 1;
	}
	printf("%s: %d node(s)\n", c->topology, nodes);
	for (node = 0; node < nodes; node++) {
		pathf(dir, "%s/nodes/%d", c->topology, node);
		pathf(path, "%s/properties", dir);
		if (read_file(path, text, sizeof(text)))
			continue;
		pathf(path, "%s/gpu_id", dir);
		if (read_file(path, gpu_id, sizeof(gpu_id)))
			continue;
		pathf(path, "%s/mem_banks/0/properties", dir);
		if (read_file(path, bank, sizeof(bank)))
			bank[0] = '\0';

		if (!strtoul(gpu_id, NULL, 10)) {
			printf("node %d  CPU  %" PRIu64 " core(s), %" PRIu64
			       " MiB system memory\n", node,
			       prop(text, "cpu_cores_count", 0),
			       prop(bank, "size_in_bytes", 0) >> 20);
		} else {
			uint64_t gfx = prop(text, "gfx_target_version", 0);

			/* gfx<major><minor hex><stepping hex>, e.g. gfx900 */
			printf("node %d  GPU  gpu_id %lu, gfx%" PRIu64 "%" PRIx64
			       "%" PRIx64 ", %" PRIu64 " SIMDs, %" PRIu64
			       " MiB VRAM, render minor %" PRIu64 "\n", node,
			       strtoul(gpu_id, NULL, 10), gfx / 10000,
			       gfx / 100 % 100, gfx % 100,
			       prop(text, "simd_count", 0),
			       prop(bank, "size_in_bytes", 0) >> 20,
			       prop(text, "drm_render_minor", 0));
		}
		print_links(dir, node);
	}
	return 0;
}

/*
 * Resource usage of a process per GPU, aggregated over the metric paths
 * proc/<pid> and proc/<pid>/context_* the way AMD-SMI does: VRAM, SDMA
 * and eviction time add up, CU occupancy is the peak. The files are the
 * ones amdkfd publishes (vram_<gpu>, sdma_<gpu>, stats_<gpu>/...); a
 * driver that lacks one simply contributes nothing.
 */
struct gpu_usage {
	unsigned long gpu_id;
	uint64_t vram;
	uint64_t sdma;
	uint64_t cu_occupancy;
	uint64_t evicted_ms;
};

struct usage {
	unsigned int ngpus;
	struct gpu_usage gpu[16];
	int queues;
};

static struct gpu_usage *usage_gpu(struct usage *u, unsigned long gpu_id)
{
	unsigned int i;

	for (i = 0; i < u->ngpus; i++)
		if (u->gpu[i].gpu_id == gpu_id)
			return &u->gpu[i];
	if (u->ngpus == sizeof(u->gpu) / sizeof(u->gpu[0]))
		return NULL;
	u->gpu[u->ngpus].gpu_id = gpu_id;
	return &u->gpu[u->ngpus++];
}

static uint64_t read_u64(const char *path)
{
	char buf[32];

	return read_file(path, buf, sizeof(buf)) ? 0 : strtoull(buf, NULL, 10);
}

/* Add what the metric path @dir reports to @u. */
static void usage_add(struct usage *u, const char *dir)
{
	char path[PATH_MAX];
	struct gpu_usage *g;
	struct dirent *de;
	unsigned long id;
	uint64_t v;
	DIR *d;
	int n;

	pathf(path, "%s/queues", dir);
	n = count_entries(path);
	u->queues += n < 0 ? 0 : n;

	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		pathf(path, "%s/%s", dir, de->d_name);
		if (sscanf(de->d_name, "vram_%lu", &id) == 1) {
			g = usage_gpu(u, id);
			if (g)
				g->vram += read_u64(path);
		} else if (sscanf(de->d_name, "sdma_%lu", &id) == 1) {
			g = usage_gpu(u, id);
			if (g)
				g->sdma += read_u64(path);
		} else if (sscanf(de->d_name, "stats_%lu", &id) == 1) {
			g = usage_gpu(u, id);
			if (!g)
				continue;
			pathf(path, "%s/%s/cu_occupancy", dir, de->d_name);
			v = read_u64(path);
			if (v > g->cu_occupancy)
				g->cu_occupancy = v;
			pathf(path, "%s/%s/evicted_ms", dir, de->d_name);
			v = g->evicted_ms + read_u64(path);
			g->evicted_ms = v > UINT32_MAX ? UINT32_MAX : v;
		}
	}
	closedir(d);
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* One line per context, from its metric path @dir. */
static void print_context(const char *dir, const char *what)
{
	char path[PATH_MAX], pasid[32];
	struct usage u = { 0 };
	uint64_t vram = 0;
	unsigned int i;

	pathf(path, "%s/pasid", dir);
	if (read_file(path, pasid, sizeof(pasid)))
		strcpy(pasid, "?");
	usage_add(&u, dir);
	for (i = 0; i < u.ngpus; i++)
		vram += u.gpu[i].vram;
	printf("  |- %-24s pasid %-6.*s queues %-4d vram %" PRIu64 " B\n",
	       what, (int)strcspn(pasid, "\n"), pasid, u.queues, vram);
}

/* The contexts of process @pid, primary first, then totals per GPU. */
static void print_process(const struct vkfdctl *c, const char *pid)
{
	char dir[PATH_MAX], path[PATH_MAX], what[48];
	struct usage total = { 0 };
	size_t n = 0, cap = 0, i;
	long *ids = NULL, *grown;
	struct dirent *de;
	DIR *d;

	pathf(dir, "%s/proc/%s", c->sysfs, pid);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "context_", 8))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			grown = realloc(ids, cap * sizeof(*ids));
			if (!grown)
				break;
			ids = grown;
		}
		ids[n++] = strtol(de->d_name + 8, NULL, 10);
	}
	closedir(d);
	if (n)
		qsort(ids, n, sizeof(*ids), cmp_long);

	printf("pid %s: %zu context(s)\n", pid, n + 1);
	print_context(dir, "primary (id 0xffff)");
	usage_add(&total, dir);
	for (i = 0; i < n; i++) {
		pathf(path, "%s/context_%ld", dir, ids[i]);
		snprintf(what, sizeof(what), "secondary (id %ld)", ids[i]);
		print_context(path, what);
		usage_add(&total, path);
	}
	free(ids);
	for (i = 0; i < total.ngpus; i++)
		printf("  `= gpu %lu: vram %" PRIu64 " B, sdma %" PRIu64
		       ", cu_occupancy %" PRIu64 ", evicted %" PRIu64 " ms\n",
		       total.gpu[i].gpu_id, total.gpu[i].vram, total.gpu[i].sdma,
		       total.gpu[i].cu_occupancy, total.gpu[i].evicted_ms);
	printf("  `= queues %d\n", total.queues);
}

static int cmd_ls(const struct vkfdctl *c, const char *only_pid)
{
	char dir[PATH_MAX];
	struct dirent *de;
	int found = 0;
	DIR *d;

	pathf(dir, "%s/proc", c->sysfs);
	d = opendir(dir);
	if (!d) {
		fprintf(stderr, "vkfdctl: no %s: %s\n", dir, strerror(errno));
		return 1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (only_pid && strcmp(de->d_name, only_pid))
			continue;
		print_process(c, de->d_name);
		found++;
	}
	closedir(d);
	if (!found)
		printf("no process uses %s\n", c->dev);
	return 0;
}

/* Open the primary and @secondaries secondary contexts, show them. */
static int cmd_tree(const struct vkfdctl *c, int secondaries)
{
	struct vkfd_context ctx[65];
	struct vkfd_context_info info;
	int n = 0, ret;
	char pid[16];

	if (secondaries < 0 || secondaries > 64) {
		fprintf(stderr, "vkfdctl: tree takes 0..64 secondaries\n");
		return 2;
	}
	ret = vkfd_open_primary(c->dev, &ctx[n]);
	if (ret) {
		fprintf(stderr, "vkfdctl: open %s: %s\n", c->dev, strerror(-ret));
		return 1;
	}
	n++;
	while (n <= secondaries) {
		ret = vkfd_open_secondary(c->dev, &ctx[n]);
		if (ret) {
			fprintf(stderr, "vkfdctl: secondary context: %s\n",
				ret == -EOPNOTSUPP ? "not supported by this kernel"
						   : strerror(-ret));
			break;
		}
		n++;
	}
	if (!vkfd_query(&ctx[0], &info))
		printf("%s: KFD uAPI %u.%u; this process has a primary and %d secondary context(s)\n",
		       c->dev, info.major, info.minor, n - 1);
	snprintf(pid, sizeof(pid), "%d", getpid());
	ret = cmd_ls(c, pid);
	while (n--)
		vkfd_close(&ctx[n]);
	return ret;
}

static int usage(void)
{
	fprintf(stderr, "usage: vkfdctl topology | ls | limits [PID] | tree [secondaries] |\n"
		"               demo [programs] | --help |\n"
		"               run --secondary [--limit RES=N]... [--preload PATH] [--] PROGRAM [ARGS]\n"
		"       vkfdctl load [--as-amdgpu] [--module PATH] [PARAM=VALUE...] | unload\n");
	return 2;
}

static int help(void)
{
	printf("usage: vkfdctl COMMAND [ARGS]\n"
	       "\n"
	       "  topology        the nodes of the KFD topology: CPU and GPUs, memory, links\n"
	       "  ls              every process using the device, its contexts and their\n"
	       "                  resources, summed as AMD-SMI does\n"
	       "  limits [PID]    the limits (quotas) and usage of every context of every\n"
	       "                  process, or of PID: usage/limit of each resource, bytes for\n"
	       "                  vram, gtt and userptr; 'max' is no limit\n"
	       "  tree [N]        open the primary and N secondary contexts (default 2), show them\n"
	       "  demo [N]        one process serves N guest programs (default 2): a shared\n"
	       "                  context leaks a secret over SDMA, a context each faults\n"
	       "  run --secondary [--limit RES=N]... [--preload PATH] [--] PROGRAM [ARGS]\n"
	       "                  run PROGRAM with libvkfd-secondary.so preloaded: each open of\n"
	       "                  the device by the program (and by the programs it starts)\n"
	       "                  becomes a secondary context of a primary the library holds\n"
	       "                  in that process. An open the kernel cannot make a secondary\n"
	       "                  fails with the kernel's errno and a 'vkfd-secondary:' line on\n"
	       "                  stderr. The library is PATH, else ../lib/ next to vkfdctl.\n"
	       "                  Statically linked programs are refused (126). Sets\n"
	       "                  HSA_USERPTR_FOR_PAGED_MEM=0 unless set (ROCm: no USERPTR\n"
	       "                  buffers in a secondary). The status is the program's.\n"
	       "                  --limit RES=N (repeatable) sets that limit on each of the\n"
	       "                  program's secondaries: RES one of vram, gtt, userptr,\n"
	       "                  buffers, queues, events; N a number (K, M, G: KiB, MiB,\n"
	       "                  GiB) or 'max'. Beyond it the program's calls fail with\n"
	       "                  EDQUOT.\n"
	       "  load [--as-amdgpu] [--module PATH] [PARAM=VALUE...]\n"
	       "                  load vkfd.ko, or with --as-amdgpu the same driver as\n"
	       "                  amdgpu.ko (for ROCm's tools), from PATH, else ../module/\n"
	       "                  next to vkfdctl, with its dependencies. Refused (1), saying\n"
	       "                  why, where AMD's amdgpu is loaded, where vkfd already is,\n"
	       "                  or without name= where /sys/class/kfd exists\n"
	       "  unload          unload vkfd, as vkfd or as amdgpu; never AMD's amdgpu\n"
	       "\n"
	       "Environment: VKFD_DEV (/dev/kfd), VKFD_SYSFS (/sys/class/kfd/kfd),\n"
	       "VKFD_TOPOLOGY (/sys/devices/virtual/kfd/kfd/topology).\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct vkfdctl c = {
		.dev = env_or("VKFD_DEV", "/dev/kfd"),
		.sysfs = env_or("VKFD_SYSFS", "/sys/class/kfd/kfd"),
		.topology = env_or("VKFD_TOPOLOGY",
				   "/sys/devices/virtual/kfd/kfd/topology"),
	};

	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "topology"))
		return cmd_topology(&c);
	if (!strcmp(argv[1], "ls"))
		return cmd_ls(&c, NULL);
	if (!strcmp(argv[1], "limits"))
		return vkfdctl_limits(&c, argc - 2, argv + 2);
	if (!strcmp(argv[1], "tree"))
		return cmd_tree(&c, argc > 2 ? atoi(argv[2]) : 2);
	if (!strcmp(argv[1], "demo"))
		return vkfdctl_demo(&c, argc - 2, argv + 2);
	if (!strcmp(argv[1], "load"))
		return vkfdctl_load(argc - 2, argv + 2);
	if (!strcmp(argv[1], "unload"))
		return vkfdctl_unload(argc - 2, argv + 2);
	if (!strcmp(argv[1], "run"))
		return vkfdctl_run(argc - 2, argv + 2);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))
		return help();
	return usage();
}
