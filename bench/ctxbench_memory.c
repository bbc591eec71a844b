// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ctxbench - phase memory: the kernel memory of M idle secondary contexts,
 * from /proc/meminfo's Slab and the per-cache deltas of /proc/slabinfo
 * (see ctxbench.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_mem.h"
#include "bench_sys.h"
#include "bench_time.h"
#include "ctxbench.h"

/*
 * Who allocates from a cache, as far as a secondary context is concerned
 * (with slab_nomerge every cache keeps its own name). kmalloc-cg-* are
 * the accounted (GFP_KERNEL_ACCOUNT) kmalloc caches: vkfd allocates its
 * own objects that way.
 */
static const char *cache_owner(const char *name)
{
	static const struct prefix_text owners[] = {
		{ "filp", "struct file of the fd" },
		{ "vkfd", "vkfd: its own cache" },
		{ "kmalloc-cg-", "accounted kmalloc: vkfd's objects" },
		{ "kernfs_node_cache", "sysfs: context_<id>/, pasid, queues/" },
		{ "kernfs_iattrs_cache", "sysfs: inode attributes" },
		{ "dentry", "debugfs: context_<id>/, pasid_<gpuid>" },
		{ "inode_cache", "debugfs inodes" },
		{ "lsm_inode_cache", "LSM blobs of the debugfs inodes" },
		{ "radix_tree_node", "xarrays: context ids, PASIDs" },
		{ "kmalloc-", "sysfs: queues/ kobject, names (copied)" },
		{ "lsm_file_cache", "LSM blob of the struct file" },
	};

	return prefix_text(name, owners, ARRAY_SIZE(owners));
}

/* Print the per-cache deltas between @a and @b, largest first. */
static void print_cache_deltas(const struct snapshot *a,
			       const struct snapshot *b, unsigned int m)
{
	long sum_bytes, sum_slab, shown_bytes = 0, shown_slab = 0;
	struct cache_delta *d;
	size_t i, n;

	d = cache_deltas(a, b, &n, &sum_bytes, &sum_slab);
	if (!d) {
		printf("  (/proc/slabinfo not readable: no per-cache breakdown)\n");
		return;
	}
	printf("  %-22s %7s %9s %8s %9s %9s  %s\n", "cache", "objsize",
	       "+objects", "per ctx", "B/ctx obj", "B/ctx slab", "allocated for");
	for (i = 0; i < n; i++) {
		/* Caches that grew by less than one object per 10 contexts. */
		if (d[i].objs * 10 < (long)m && d[i].slab_bytes < (long)m * 16)
			continue;
		shown_bytes += d[i].bytes;
		shown_slab += d[i].slab_bytes;
		printf("  %-22s %7lu %9ld %8.2f %9.0f %9.0f  %s\n", d[i].name,
		       d[i].objsize, d[i].objs, (double)d[i].objs / m,
		       (double)d[i].bytes / m, (double)d[i].slab_bytes / m,
		       cache_owner(d[i].name));
	}
	printf("  %-22s %7s %9s %8s %9.0f %9.0f\n", "(other caches)", "", "", "",
	       (double)(sum_bytes - shown_bytes) / m,
	       (double)(sum_slab - shown_slab) / m);
	printf("  %-22s %7s %9s %8s %9.0f %9.0f\n", "total", "", "", "",
	       (double)sum_bytes / m, (double)sum_slab / m);
	printf("  (B/ctx obj: objects x objsize; B/ctx slab: slab pages, as Slab counts)\n");
	free(d);
}

/*
 * Sum the object bytes per secondary of the caches of @d (@n entries)
 * whose name starts with one of @prefixes (NULL-terminated).
 */
static double group_bytes(const struct cache_delta *d, size_t n,
			  unsigned int m, const char *const *prefixes)
{
	long sum = 0;
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; prefixes[j] && !has_prefix(d[i].name, prefixes[j]);
		     j++)
			;
		if (prefixes[j])
			sum += d[i].bytes;
	}
	return (double)sum / m;
}

static void print_groups(const struct snapshot *a, const struct snapshot *b,
			 unsigned int m)
{
	static const char *const fd_caches[] = { "filp", "lsm_file_cache",
						 NULL };
	static const char *const vkfd_caches[] = { "vkfd", "kmalloc-cg-", NULL };
	static const char *const cg_caches[] = { "kmalloc-cg-", NULL };
	static const char *const sysfs_caches[] = { "kernfs_", NULL };
	static const char *const debugfs_caches[] = { "dentry", "inode_cache",
						      "lsm_inode_cache", NULL };
	static const char *const xa_caches[] = { "radix_tree_node", NULL };
	static const char *const kmalloc_caches[] = { "kmalloc-", NULL };
	struct cache_delta *d;
	long bytes, slab;
	double kmalloc;
	size_t n;

	d = cache_deltas(a, b, &n, &bytes, &slab);
	if (!d)
		return;
	/* kmalloc- also matches kmalloc-cg-: take those out again. */
	kmalloc = group_bytes(d, n, m, kmalloc_caches) -
		  group_bytes(d, n, m, cg_caches);
	printf("  by owner (object bytes per secondary):\n");
	printf("    %-52s %6.0f\n", "the fd: struct file (filp, LSM blob)",
	       group_bytes(d, n, m, fd_caches));
	printf("    %-52s %6.0f\n",
	       "vkfd's own objects (vkfd*, kmalloc-cg-*)",
	       group_bytes(d, n, m, vkfd_caches));
	printf("    %-52s %6.0f\n", "sysfs entries (kernfs_node_cache, ...)",
	       group_bytes(d, n, m, sysfs_caches));
	printf("    %-52s %6.0f\n", "debugfs entries (dentry, inode, LSM blob)",
	       group_bytes(d, n, m, debugfs_caches));
	printf("    %-52s %6.0f\n", "xarray nodes (ids, PASIDs)",
	       group_bytes(d, n, m, xa_caches));
	printf("    %-52s %6.0f\n", "plain kmalloc (sysfs: queues/ kobject, names)",
	       kmalloc);
	free(d);
}

static bool debugfs_mounted(void)
{
	char line[512], dev[128], dir[256], type[64];
	bool found = false;
	FILE *f = fopen("/proc/mounts", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %255s %63s", dev, dir, type) == 3 &&
		    !strcmp(type, "debugfs"))
			found = true;
	fclose(f);
	return found;
}

/* The change of @field of meminfo from @a to @b, in all and per secondary. */
static void print_mem_delta(const char *label, const struct snapshot *a,
			    const struct snapshot *b, const char *field,
			    unsigned int m)
{
	long d = mi(&b->mi, field) - mi(&a->mi, field);

	printf("  %-34s %+10ld kB  %8.0f B per secondary\n", label, d,
	       d * 1024.0 / m);
}

static void memory_print(const struct snapshot *before,
			 const struct snapshot *after,
			 const struct snapshot *closed, unsigned int m,
			 uint64_t ns)
{
	printf("== kernel memory per idle secondary context (M = %u, debugfs %s) ==\n",
	       m, debugfs_mounted() ? "mounted" : "not mounted");
	printf("  created in %.2f s (%.1f us each)\n", ns / 1e9,
	       us((double)ns / m));
	print_mem_delta("Slab (SReclaimable+SUnreclaim)", before, after, "Slab",
			m);
	print_mem_delta("  SUnreclaim", before, after, "SUnreclaim", m);
	print_mem_delta("  SReclaimable", before, after, "SReclaimable", m);
	/*
	 * After closing them all, the caches may keep the emptied slab
	 * pages for a while; objects still allocated would be a leak.
	 */
	print_mem_delta("Slab kept after closing them all", before, closed,
			"Slab", m);
	if (closed->n_caches)
		printf("  %-34s %+10.0f B  %8.0f B per secondary\n",
		       "objects still allocated then",
		       (double)object_bytes(before, closed),
		       (double)object_bytes(before, closed) / m);
	printf("  (target: <= 2048 B per secondary without a GPU VM)\n\n");
	print_cache_deltas(before, after, m);
	printf("\n");
	print_groups(before, after, m);
	printf("\n");
}

static int memory_child(const struct bench *b, const char *unused, int out)
{
	struct snapshot before, after, closed;
	unsigned int m = b->mem_m, i;
	struct pool p;
	int primary, fd;
	uint64_t t0, t1;

	(void)unused;
	(void)out;
	if (m + FD_SLACK > b->nofile) {
		m = b->nofile > FD_SLACK + 100 ? b->nofile - FD_SLACK : 0;
		printf("  (RLIMIT_NOFILE %u: M lowered to %u)\n", b->nofile, m);
		if (!m)
			return 0;
	}
	snapshot_init(&before, SLAB_CACHES_MAX);
	snapshot_init(&after, SLAB_CACHES_MAX);
	snapshot_init(&closed, SLAB_CACHES_MAX);
	primary = pool_init(&p, b, m);
	if (primary < 0)
		return 1;
	/* Warm up: slabs of every cache involved exist, ids were cycled. */
	for (i = 0; i < 200; i++) {
		fd = secondary_open(b->vkfd_dev);
		if (fd < 0)
			goto err;
		close(fd);
	}
	mem_settle(0, false);
	snapshot_take(&before);

	t0 = now_ns();
	for (p.n = 0; p.n < m; p.n++) {
		fd = secondary_open(b->vkfd_dev);
		if (fd < 0)
			goto err;
		p.fd[p.n] = fd;
	}
	t1 = now_ns();
	mem_settle(0, false);
	snapshot_take(&after);

	for (i = 0; i < p.n; i++)
		close(p.fd[i]);
	mem_settle(0, false);
	snapshot_take(&closed);

	memory_print(&before, &after, &closed, m, t1 - t0);
	snapshot_free(&before);
	snapshot_free(&after);
	snapshot_free(&closed);
	close(primary);
	free(p.fd);
	return 0;

err:
	fprintf(stderr, "ctxbench: memory: creating secondary %u: %s\n", p.n,
		strerror(-fd));
	return 1;
}

bool memory_phase(const struct bench *b)
{
	return run_child(memory_child, b, NULL, NULL) == 0;
}
