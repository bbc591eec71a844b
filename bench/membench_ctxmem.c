// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * membench - phase ctxmem: kernel memory per context with one GPU VM and
 * one 4 KiB mapping, step by step (see membench.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/kfd_ioctl.h>
#include <linux/vkfd_ioctl.h>

#include "bench_mem.h"
#include "bench_sys.h"
#include "bench_time.h"
#include "libvkfd.h"
#include "membench.h"

/* The GPU address of each context's buffer. */
#define CTX_VA			(2 * MiB)

/* The steps of the ctxmem phase, each done for every context in turn. */
enum ctx_step {
	CS_CREATE,
	CS_RENDER,
	CS_ACQUIRE,
	CS_ALLOC,
	CS_MAP,
	CS_STEPS,
};

/**
 * struct ctx_slot - one context of the ctxmem phase
 * @vm: its fds and ids
 * @handle: its buffer
 */
struct ctx_slot {
	struct vm vm;
	uint64_t handle;
};

static int ctx_step(const struct membench *mb, struct ctx_slot *s,
		    enum ctx_step step)
{
	struct kfd_ioctl_acquire_vm_args acq = { 0 };
	struct vkfd_context_info info;
	struct vkfd_context ctx;
	int ret;

	switch (step) {
	case CS_CREATE:
		ret = vkfd_open_secondary(mb->dev, &ctx);
		if (ret)
			return ret;
		s->vm.kfd = ctx.fd;
		s->vm.gpu_id = mb->gpu_id;
		ret = vkfd_query(&ctx, &info);
		s->vm.ctx_id = info.ctx_id;
		return ret;
	case CS_RENDER:
		s->vm.render = open(mb->render, O_RDWR | O_CLOEXEC);
		return s->vm.render < 0 ? -errno : 0;
	case CS_ACQUIRE:
		acq.gpu_id = mb->gpu_id;
		acq.drm_fd = s->vm.render;
		return vkfd_ioctl(s->vm.kfd, AMDKFD_IOC_ACQUIRE_VM, &acq);
	case CS_ALLOC:
		return buf_alloc(&s->vm, CTX_VA, GPU_PAGE,
				 KFD_IOC_ALLOC_MEM_FLAGS_GTT, &s->handle);
	case CS_MAP:
		return buf_map(&s->vm, s->handle);
	default:
		return -EINVAL;
	}
}

/* Per-context difference of a meminfo field between two snapshots, B. */
static double per_ctx(const struct snapshot *a, const struct snapshot *b,
		      const char *field, unsigned int n)
{
	return (mi(&b->mi, field) - mi(&a->mi, field)) * 1024.0 / n;
}

/* Free memory that went, per context, B. */
static double drop_per_ctx(const struct snapshot *a, const struct snapshot *b,
			   unsigned int n)
{
	return -per_ctx(a, b, FREE_FIELD, n);
}

static void ctx_print_row(const char *label, double us_each,
			  const struct snapshot *a, const struct snapshot *b,
			  unsigned int n)
{
	if (us_each >= 0)
		printf("  %-40s %8.1f", label, us_each);
	else
		printf("  %-40s %8s", label, "");
	printf(" %9.0f %9.0f %9.0f\n", per_ctx(a, b, "Slab", n),
	       per_ctx(a, b, "Shmem", n), drop_per_ctx(a, b, n));
}

/* Who allocates from a cache, as far as these contexts are concerned. */
static const char *cache_hint(const char *name)
{
	static const struct prefix_text hints[] = {
		{ "filp", "struct file: kfd, render, shmem" },
		{ "kmalloc-cg-", "accounted kmalloc: vkfd, DRM" },
		{ "kmalloc-", "kmalloc: DRM, sysfs, ..." },
		{ "shmem_inode_cache", "the buffer's shmem file" },
		{ "dentry", "shmem file, debugfs entries" },
		{ "inode_cache", "debugfs inodes" },
		{ "kernfs_node_cache", "sysfs: context_<id>/..." },
		{ "radix_tree_node", "xarrays, page cache" },
		{ "vkfd", "vkfd's own cache" },
		{ "drm_mm", "DRM mmap offsets" },
		{ "lsm_", "LSM blobs" },
		{ "vmap_area", "vmalloc" },
	};

	return prefix_text(name, hints, ARRAY_SIZE(hints));
}

/* The caches that grew most between @a and @b, per context. */
static void print_cache_deltas(const struct snapshot *a,
			       const struct snapshot *b, unsigned int n)
{
	long shown = 0, total, slab;
	struct cache_delta *d;
	size_t i, nd;

	d = cache_deltas(a, b, &nd, &total, &slab);
	if (!d) {
		printf("  (/proc/slabinfo not readable: no per-cache breakdown)\n\n");
		return;
	}
	printf("  slab caches, all five steps   %7s %8s %9s  %s\n", "objsize",
	       "per ctx", "B per ctx", "allocated for (likely)");
	for (i = 0; i < nd; i++) {
		/* Less than one object per 10 contexts: noise. */
		if (d[i].objs * 10 < (long)n)
			continue;
		shown += d[i].bytes;
		printf("  %-29s %7lu %8.2f %9.0f  %s\n", d[i].name, d[i].objsize,
		       (double)d[i].objs / n, (double)d[i].bytes / n,
		       cache_hint(d[i].name));
	}
	printf("  %-29s %7s %8s %9.0f\n", "(other caches)", "", "",
	       (double)(total - shown) / n);
	printf("  %-29s %7s %8s %9.0f  (objects x objsize; Slab counts whole slab pages)\n\n",
	       "total", "", "", (double)total / n);
	free(d);
}

/* Under a step's row: the three caches that grew most, B per context. */
static void print_top_caches(const struct snapshot *a,
			     const struct snapshot *b, unsigned int n)
{
	long total, slab;
	struct cache_delta *d;
	size_t i, nd;

	d = cache_deltas(a, b, &nd, &total, &slab);
	if (!d)
		return;
	printf("  %4s", "");
	for (i = 0; i < nd && i < 3; i++) {
		if (d[i].objs * 10 < (long)n)
			break;
		printf("%s%s %+.0f", i ? ", " : "", d[i].name,
		       (double)d[i].bytes / n);
	}
	printf("%s\n", i ? "" : "(no cache grew by an object per 10 contexts)");
	free(d);
}

/* meminfo fields, other than those in the tables, that moved by >= 16 B. */
static void print_other_fields(const char *title, const struct snapshot *a,
			       const struct snapshot *b, unsigned int n)
{
	static const char *const shown[] = {
		FREE_FIELD, "MemFree", "MemAvailable", "Slab", "SReclaimable",
		"SUnreclaim", "Shmem", NULL,
	};
	unsigned int i, j, col = 0;
	bool skip;

	printf("  %s, B per context:", title);
	for (i = 0; i < b->mi.n; i++) {
		double d = per_ctx(a, b, b->mi.name[i], n);

		for (skip = false, j = 0; shown[j]; j++)
			if (!strcmp(b->mi.name[i], shown[j]))
				skip = true;
		if (skip || (d < 16 && d > -16))
			continue;
		printf("%s%s %+.0f", col % 4 ? ", " : "\n    ", b->mi.name[i], d);
		col++;
	}
	printf("%s\n\n", col ? "" : " none");
}

int ctxmem_child(const struct membench *mb)
{
	static const char *const step_names[CS_STEPS] = {
		"open + CREATE_PROCESS: an idle secondary",
		"+ open the render node",
		"+ ACQUIRE_VM: the GPU VM",
		"+ ALLOC_MEMORY_OF_GPU: 4 KiB GTT",
		"+ MAP_MEMORY_TO_GPU",
	};
	unsigned int n = mb->ctxs, i, step;
	struct snapshot snap[CS_STEPS + 1], noise, closed, later;
	struct ctx_slot *slot;
	double step_us[CS_STEPS];
	struct ctx_usage u;
	size_t caps = access("/proc/slabinfo", R_OK) ? 0 : SLAB_CACHES_MAX;
	bool have_pt;
	char label[64];
	double slab, pt, shmem, total;
	uint64_t t0;
	int ret = 0;

	if (2 * n + 64 > mb->nofile) {
		n = mb->nofile > 2 * 64 + 200 ? (mb->nofile - 64) / 2 : 0;
		printf("  (RLIMIT_NOFILE %u: C lowered to %u)\n", mb->nofile, n);
		if (!n)
			return 0;
	}
	slot = xcalloc(n, sizeof(*slot));
	/* Touched now: its pages are not allocated in a measurement. */
	for (i = 0; i < n; i++)
		slot[i].vm.kfd = slot[i].vm.render = -1;
	grow_fd_table(mb->nofile);
	for (i = 0; i <= CS_STEPS; i++)
		snapshot_init(&snap[i], caps);
	snapshot_init(&noise, 0);
	snapshot_init(&closed, caps);
	snapshot_init(&later, 0);

	/* Warm up: slabs of every cache involved exist, ids were cycled. */
	for (i = 0; i < 50 && !ret; i++) {
		struct ctx_slot w = { .vm.kfd = -1, .vm.render = -1 };

		for (step = 0; step < CS_STEPS && !ret; step++)
			ret = ctx_step(mb, &w, step);
		if (!ret)
			vm_close(&w.vm);
	}
	if (ret) {
		fprintf(stderr, "membench: ctxmem warm-up: %s\n", strerror(-ret));
		return 1;
	}

	mem_settle(MEMBENCH_SETTLE_MS, true);
	snapshot_take(&noise);
	mem_settle(MEMBENCH_SETTLE_MS, true);
	snapshot_take(&snap[0]);
	for (step = 0; step < CS_STEPS; step++) {
		t0 = now_ns();
		for (i = 0; i < n; i++) {
			ret = ctx_step(mb, &slot[i], step);
			if (ret) {
				fprintf(stderr, "membench: ctxmem: %s of context %u: %s\n",
					step_names[step], i, strerror(-ret));
				return 1;
			}
		}
		step_us[step] = us((double)(now_ns() - t0) / n);
		mem_settle(MEMBENCH_SETTLE_MS, true);
		snapshot_take(&snap[step + 1]);
	}
	have_pt = !ctx_usage(mb, getpid(), VKFD_CTX_ID_SELF, &u) &&
		  u.contexts >= n;
	for (i = 0; i < n; i++)
		vm_close(&slot[i].vm);
	mem_settle(MEMBENCH_SETTLE_MS, true);
	snapshot_take(&closed);
	/* Whatever is freed by workers or after a grace period is back now. */
	sleep(5);
	snapshot_take(&later);

	printf("== kernel memory per context with one GPU VM and one 4 KiB mapping (C = %u, vkfd) ==\n",
	       n);
	printf("  C secondaries, each with its own render fd; every step done for all C,\n"
	       "  then /proc/meminfo; the deltas divided by C\n\n");
	printf("  %-40s %8s %9s %9s %9s\n", "step", "us each", "Slab B",
	       "Shmem B", "Free- B");
	ctx_print_row("(nothing: the noise of the method)", -1, &noise,
		      &snap[0], n);
	for (step = 0; step < CS_STEPS; step++) {
		ctx_print_row(step_names[step], step_us[step], &snap[step],
			      &snap[step + 1], n);
		print_top_caches(&snap[step], &snap[step + 1], n);
	}
	ctx_print_row("all five steps", -1, &snap[0], &snap[CS_STEPS], n);
	ctx_print_row("after closing all fds, to before", -1, &snap[0],
		      &closed, n);
	ctx_print_row("  and 5 s later", -1, &snap[0], &later, n);
	if (closed.n_caches) {
		printf("  %-40s %8s %9.0f   (objects x objsize)\n",
		       "  of it, slab objects still in use", "",
		       (double)object_bytes(&snap[0], &closed) / n);
		print_top_caches(&snap[0], &closed, n);
	}
	printf("  (Free-: how much free memory went down, MemFree and the per-CPU free\n"
	       "   lists of /proc/zoneinfo; Slab and Shmem are part of it. Under each\n"
	       "   step, the caches that grew most, B per context)\n\n");

	slab = per_ctx(&snap[0], &snap[CS_STEPS], "Slab", n);
	shmem = per_ctx(&snap[0], &snap[CS_STEPS], "Shmem", n);
	total = drop_per_ctx(&snap[0], &snap[CS_STEPS], n);
	pt = have_pt ? (double)u.pt / n : 0;
	printf("  one context with its VM and one 4 KiB mapping, B:\n");
	printf("    %-44s %8.0f\n", "slab objects (Slab)", slab);
	if (have_pt)
		printf("    %-44s %8.0f   (%.1f tables of 4 KiB)\n",
		       "GPU page tables (debugfs pt)", pt, pt / PT_TABLE_SIZE);
	else
		printf("    %-44s %8s   (%s not readable)\n",
		       "GPU page tables (debugfs pt)", "n/a", mb->contexts);
	printf("    %-44s %8.0f\n", "the buffer's pages (Shmem)", shmem);
	printf("    %-44s %8.0f\n", "the rest of Free-", total - slab - pt - shmem);
	snprintf(label, sizeof(label), "total (Free-), %.1f KiB", total / 1024);
	printf("    %-44s %8.0f   (target: <= 24 KiB = 24576 B)\n\n", label,
	       total);

	print_other_fields("other /proc/meminfo fields that moved", &snap[0],
			   &snap[CS_STEPS], n);
	/* Memory that did not come back: where it shows. */
	if (drop_per_ctx(&snap[0], &later, n) > 512)
		print_other_fields("after closing all, 5 s later, these moved",
				   &snap[0], &later, n);
	print_cache_deltas(&snap[0], &snap[CS_STEPS], n);

	for (i = 0; i <= CS_STEPS; i++)
		snapshot_free(&snap[i]);
	snapshot_free(&closed);
	free(slot);
	return 0;
}
