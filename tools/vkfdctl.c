// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfdctl - look at a KFD device (vkfd or amdkfd) from userspace.
 *
 *   vkfdctl topology      the nodes: CPU and GPUs, memory, links
 *   vkfdctl ls            every process using the device and its contexts
 *   vkfdctl tree [N]      open the device N times (default 2) and show the
 *                         calling process's own contexts
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

struct vkfdctl {
	const char *dev;
	const char *sysfs;
	const char *topology;
};

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

/* Print the contexts of process @pid: the primary and its secondaries. */
static void print_process(const struct vkfdctl *c, const char *pid)
{
	char dir[PATH_MAX], path[PATH_MAX], pasid[32];
	struct dirent *de;
	DIR *d;
	int queues;

	pathf(dir, "%s/proc/%s", c->sysfs, pid);
	pathf(path, "%s/pasid", dir);
	if (read_file(path, pasid, sizeof(pasid)))
		strcpy(pasid, "?\n");
	pathf(path, "%s/queues", dir);
	queues = count_entries(path);
	printf("pid %s\n  `- primary context (id 0xffff)  pasid %.*s  queues %d\n",
	       pid, (int)strcspn(pasid, "\n"), pasid, queues < 0 ? 0 : queues);

	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "context_", 8))
			continue;
		pathf(path, "%s/%s/pasid", dir, de->d_name);
		if (read_file(path, pasid, sizeof(pasid)))
			continue;
		printf("  `- secondary context (id %s)  pasid %.*s\n",
		       de->d_name + 8, (int)strcspn(pasid, "\n"), pasid);
	}
	closedir(d);
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

static int cmd_tree(const struct vkfdctl *c, int opens)
{
	struct kfd_ioctl_get_version_args ver = { 0 };
	char pid[16];
	int fds[64];
	int i, ret = 0;

	if (opens < 1 || opens > 64) {
		fprintf(stderr, "vkfdctl: tree takes 1..64 opens\n");
		return 2;
	}
	for (i = 0; i < opens; i++) {
		fds[i] = open(c->dev, O_RDWR | O_CLOEXEC);
		if (fds[i] < 0) {
			fprintf(stderr, "vkfdctl: open %s: %s\n", c->dev,
				strerror(errno));
			opens = i;
			ret = 1;
			goto out_close;
		}
	}
	if (ioctl(fds[0], AMDKFD_IOC_GET_VERSION, &ver) == 0)
		printf("%s: KFD uAPI %u.%u, opened %d time(s) by this process\n",
		       c->dev, ver.major_version, ver.minor_version, opens);
	snprintf(pid, sizeof(pid), "%d", getpid());
	ret = cmd_ls(c, pid);
out_close:
	for (i = 0; i < opens; i++)
		close(fds[i]);
	return ret;
}

static int usage(void)
{
	fprintf(stderr, "usage: vkfdctl topology | ls | tree [opens]\n");
	return 2;
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
	if (!strcmp(argv[1], "tree"))
		return cmd_tree(&c, argc > 2 ? atoi(argv[2]) : 2);
	return usage();
}
