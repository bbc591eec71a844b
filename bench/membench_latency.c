// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * membench - phase latency: alloc + map + unmap + free of one buffer in a
 * VM with N live 4 KiB mappings, and the references without vkfd (see
 * membench.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kfd_ioctl.h>

#include "bench_stats.h"
#include "bench_sys.h"
#include "bench_time.h"
#include "libvkfd.h"
#include "membench.h"

/*
 * GPU addresses. The live 4 KiB mappings sit back to back from 4 GiB;
 * the measured buffer alone in its 1 GiB from 64 GiB, so every cycle
 * makes its page tables (a PDB0 and the PTBs) and frees them again at the
 * unmap.
 */
#define POOL_VA			(4 * GiB)
#define MEASURED_VA		(64 * GiB)

/* Rounds at scale 1.0, plus one warm-up round. */
#define LAT_ROUNDS		12

/* @n scaled by -s, rounded, at least @min. */
static unsigned int scaled(const struct membench *mb, unsigned int n,
			   unsigned int min)
{
	double v = n * mb->scale;

	return v < min ? min : (unsigned int)(v + 0.5);
}

/* The four steps of a cycle. */
#define STEPS			4

/**
 * struct lat_case - a buffer whose alloc+map+unmap+free is measured
 * @size: bytes
 * @domain: KFD_IOC_ALLOC_MEM_FLAGS_GTT or _VRAM
 * @whole: cycles timed as a whole per round and N, at scale 1.0; 0: the
 *	totals come from the cycles timed step by step (for cycles so long
 *	that three more clock reads do not count)
 * @steps: cycles timed step by step per round and N, at scale 1.0
 */
struct lat_case {
	uint64_t size;
	uint32_t domain;
	unsigned int whole;
	unsigned int steps;
};

/*
 * Sized for TCG, where a 4 KiB cycle takes some 50 us and a 64 MiB one,
 * which allocates, zeroes and frees 16384 pages, some 100 ms.
 */
static const struct lat_case lat_cases[] = {
	{ 4 * KiB, KFD_IOC_ALLOC_MEM_FLAGS_GTT, 100, 25 },
	{ 2 * MiB, KFD_IOC_ALLOC_MEM_FLAGS_GTT, 12, 4 },
	{ 2 * MiB, KFD_IOC_ALLOC_MEM_FLAGS_VRAM, 12, 4 },
	{ 64 * MiB, KFD_IOC_ALLOC_MEM_FLAGS_VRAM, 0, 3 },
};

#define LAT_CASES		ARRAY_SIZE(lat_cases)

/**
 * struct lat_results - what the latency phase measured
 * @whole: cycles timed as a whole, per case and N
 * @step: cycles timed step by step, per case, N and step
 * @memfd: the memfd reference, per case
 * @floor: four GET_VERSION ioctls
 * @grow: mean alloc + map of one live mapping while making the VMs'
 *	mappings, per N
 * @pt: page-table bytes of each VM with its live mappings (debugfs)
 * @pt_ok: whether @pt could be read
 */
struct lat_results {
	struct samples whole[LAT_CASES][MAX_NS];
	struct samples step[LAT_CASES][MAX_NS][STEPS];
	struct samples memfd[LAT_CASES];
	struct samples floor;
	double grow[MAX_NS];
	unsigned long long pt[MAX_NS];
	bool pt_ok;
};

/*
 * One cycle of @c at MEASURED_VA in @vm: alloc + map + unmap + free. With
 * @t, the clock is read between the steps too: t[0] .. t[4].
 */
static int lat_cycle(const struct vm *vm, const struct lat_case *c,
		     uint64_t *t)
{
	uint64_t h;
	int ret;

	if (t)
		t[0] = now_ns();
	ret = buf_alloc(vm, MEASURED_VA, c->size, c->domain, &h);
	if (ret)
		return ret;
	if (t)
		t[1] = now_ns();
	ret = buf_map(vm, h);
	if (ret)
		goto err_free;
	if (t)
		t[2] = now_ns();
	ret = buf_unmap(vm, h);
	if (ret)
		goto err_free;
	if (t)
		t[3] = now_ns();
	ret = buf_free(vm, h);
	if (t)
		t[4] = now_ns();
	return ret;

err_free:
	buf_free(vm, h);
	return ret;
}

/* A batch of @n cycles timed as a whole, into @out if @keep. */
static int lat_batch_whole(const struct vm *vm, const struct lat_case *c,
			   unsigned int n, bool keep, struct samples *out)
{
	unsigned int i;
	uint64_t t0;
	int ret;

	for (i = 0; i < n; i++) {
		t0 = now_ns();
		ret = lat_cycle(vm, c, NULL);
		if (ret)
			return ret;
		if (keep)
			samples_add(out, (double)(now_ns() - t0));
	}
	return 0;
}

/*
 * A batch of @n cycles timed step by step, into @out[STEPS] if @keep,
 * and their totals into @total unless it is NULL.
 */
static int lat_batch_steps(const struct vm *vm, const struct lat_case *c,
			   unsigned int n, bool keep, struct samples *out,
			   struct samples *total)
{
	uint64_t t[STEPS + 1];
	unsigned int i, s;
	int ret;

	for (i = 0; i < n; i++) {
		ret = lat_cycle(vm, c, t);
		if (ret)
			return ret;
		for (s = 0; keep && s < STEPS; s++)
			samples_add(&out[s], (double)(t[s + 1] - t[s]));
		if (keep && total)
			samples_add(total, (double)(t[STEPS] - t[0]));
	}
	return 0;
}

/* The reference without vkfd: memfd of @size, fallocate(), close(). */
static int memfd_batch(uint64_t size, unsigned int n, bool keep,
		       struct samples *out)
{
	unsigned int i;
	uint64_t t0;
	int fd;

	for (i = 0; i < n; i++) {
		t0 = now_ns();
		fd = memfd_create("membench", MFD_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (fallocate(fd, 0, 0, (off_t)size)) {
			int ret = -errno;

			close(fd);
			return ret;
		}
		close(fd);
		if (keep)
			samples_add(out, (double)(now_ns() - t0));
	}
	return 0;
}

/* The floor: four GET_VERSION ioctls, as many ioctls as a cycle. */
static int floor_batch(const struct vm *vm, unsigned int n, bool keep,
		       struct samples *out)
{
	struct kfd_ioctl_get_version_args v;
	unsigned int i, j;
	uint64_t t0;
	int ret;

	for (i = 0; i < n; i++) {
		t0 = now_ns();
		for (j = 0; j < 4; j++) {
			ret = vkfd_ioctl(vm->kfd, AMDKFD_IOC_GET_VERSION, &v);
			if (ret)
				return ret;
		}
		if (keep)
			samples_add(out, (double)(now_ns() - t0));
	}
	return 0;
}

/* Make @n live 4 KiB GTT mappings in @vm, back to back from POOL_VA. */
static int lat_make_pool(const struct vm *vm, unsigned int n, double *us_each)
{
	uint64_t t0 = now_ns(), h;
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = buf_alloc_map(vm, POOL_VA + i * GPU_PAGE, GPU_PAGE,
				    KFD_IOC_ALLOC_MEM_FLAGS_GTT, &h);
		if (ret) {
			fprintf(stderr, "membench: live mapping %u of %u: %s\n",
				i, n, strerror(-ret));
			return ret;
		}
	}
	*us_each = n ? us((double)(now_ns() - t0) / n) : 0;
	return 0;
}

static void lat_print(const struct membench *mb, struct lat_results *r,
		      unsigned int rounds)
{
	struct summary base, s, st[STEPS], fl, ref;
	unsigned int c, i, k;
	char size[32], label[48];

	printf("  us per cycle; %u rounds, each doing every buffer in every VM in turn, a\n"
	       "  cycle at a time; the map allocates and pins the buffer's pages (shmem),\n"
	       "  the free releases them; the buffer sits alone in its GiB of GPU VA, so\n"
	       "  every cycle also makes and frees its page tables\n\n",
	       rounds);
	printf("  %-15s %6s %9s %9s %7s %7s | %8s %8s %8s %8s | %11s\n",
	       "buffer", "N", "p50", "p90", "p50/N=0", "p90/N=0", "alloc",
	       "map", "unmap", "free", "samples");
	for (c = 0; c < LAT_CASES; c++) {
		snprintf(label, sizeof(label), "%s %s",
			 size_name(lat_cases[c].size, size, sizeof(size)),
			 domain_name(lat_cases[c].domain));
		base = summarize(&r->whole[c][0]);
		for (i = 0; i < mb->n_ns; i++) {
			char n[32];

			s = i ? summarize(&r->whole[c][i]) : base;
			for (k = 0; k < STEPS; k++)
				st[k] = summarize(&r->step[c][i][k]);
			if (lat_cases[c].whole)
				snprintf(n, sizeof(n), "%zu + %zu", s.n,
					 st[0].n);
			else
				snprintf(n, sizeof(n), "%zu by step", st[0].n);
			printf("  %-15s %6u %9.2f %9.2f %7.2f %7.2f | %8.2f %8.2f %8.2f %8.2f | %11s\n",
			       i ? "" : label, mb->ns[i], us(s.p50), us(s.p90),
			       s.p50 / base.p50, s.p90 / base.p90,
			       us(st[0].p50), us(st[1].p50), us(st[2].p50),
			       us(st[3].p50), n);
		}
	}
	printf("  (N: live 4 KiB GTT mappings in the same VM, back to back from GPU VA\n"
	       "   0x%llx; the buffer is at 0x%llx. alloc .. free: p50 of each\n"
	       "   step of the cycles timed step by step; samples: cycles timed whole +\n"
	       "   by step, or only by step, the totals from the same cycles)\n\n",
	       (unsigned long long)POOL_VA, (unsigned long long)MEASURED_VA);

	fl = summarize(&r->floor);
	printf("  %-36s %9s %9s %9s   %s\n", "vkfd vs nothing, in the same rounds",
	       "p50", "p90", "samples", "vkfd at N=0 / this (p50)");
	printf("  %-36s %9.2f %9.2f %9zu\n", "4 x GET_VERSION (four ioctls)",
	       us(fl.p50), us(fl.p90), fl.n);
	for (c = 0; c < LAT_CASES; c++) {
		char what[64];

		ref = summarize(&r->memfd[c]);
		base = summarize(&r->whole[c][0]);
		snprintf(what, sizeof(what), "memfd %s: create+fallocate+close",
			 size_name(lat_cases[c].size, size, sizeof(size)));
		printf("  %-36s %9.2f %9.2f %9zu   %.2f (%s %s)\n", what,
		       us(ref.p50), us(ref.p90), ref.n, base.p50 / ref.p50,
		       size, domain_name(lat_cases[c].domain));
	}
	printf("  (the memfd does the shmem work of a buffer's pages: allocate and zero\n"
	       "   them, free them at the close; what vkfd adds is the GEM object, the\n"
	       "   handle, the pinning and the page tables)\n\n");

	printf("  page tables of each VM with its N live mappings (debugfs pt):\n");
	for (i = 0; i < mb->n_ns; i++) {
		if (r->pt_ok)
			printf("    N = %6u: %9llu B", mb->ns[i], r->pt[i]);
		else
			printf("    N = %6u: %9s", mb->ns[i], "n/a");
		if (mb->ns[i])
			printf("   (alloc + map while making them: %.2f us each)",
			       r->grow[i]);
		printf("\n");
	}
	printf("\n");
}

/*
 * One round: for each buffer, one cycle in every VM in turn (and one of
 * the memfd reference), again and again, so that every N is measured at
 * the same moments and a change of the machine's speed hits all alike;
 * then the cycles timed step by step, the same way; then the floor.
 */
static int lat_round(const struct membench *mb, const struct vm *vms,
		     unsigned int round, bool keep, struct lat_results *r)
{
	unsigned int c, j, k, i, whole, steps;
	const struct lat_case *lc;
	int ret = 0;

	for (c = 0; c < LAT_CASES && !ret; c++) {
		lc = &lat_cases[c];
		whole = lc->whole ? scaled(mb, lc->whole, 1) : 0;
		steps = scaled(mb, lc->steps, 1);
		for (j = 0; j < whole && !ret; j++) {
			/* Each N first, last and in between. */
			for (k = 0; k < mb->n_ns && !ret; k++) {
				i = (round + j + k) % mb->n_ns;
				ret = lat_batch_whole(&vms[i], lc, 1, keep,
						      &r->whole[c][i]);
			}
			if (!ret)
				ret = memfd_batch(lc->size, 1, keep,
						  &r->memfd[c]);
		}
		for (j = 0; j < steps && !ret; j++) {
			for (k = 0; k < mb->n_ns && !ret; k++) {
				i = (round + j + k) % mb->n_ns;
				ret = lat_batch_steps(&vms[i], lc, 1, keep,
						      r->step[c][i],
						      whole ? NULL :
						      &r->whole[c][i]);
			}
			if (!ret && !whole)
				ret = memfd_batch(lc->size, 1, keep,
						  &r->memfd[c]);
		}
	}
	if (!ret)
		ret = floor_batch(&vms[0], scaled(mb, 60, 5), keep, &r->floor);
	return ret;
}

int latency_child(const struct membench *mb)
{
	struct lat_results *r = xcalloc(1, sizeof(*r));
	unsigned int rounds = scaled(mb, LAT_ROUNDS, 2);
	struct vm vms[MAX_NS];
	struct ctx_usage u;
	unsigned int round, c, k, i;
	uint64_t t0 = now_ns();
	int ret = 0;

	printf("== alloc + map + unmap + free of one buffer, with N live 4 KiB mappings in its VM (vkfd) ==\n");
	printf("  making %u VMs (one secondary each) with N =", mb->n_ns);
	for (i = 0; i < mb->n_ns; i++) {
		ret = vm_open(mb, &vms[i]);
		if (ret) {
			fprintf(stderr, "membench: a secondary with a VM: %s\n",
				strerror(-ret));
			return 1;
		}
		ret = lat_make_pool(&vms[i], mb->ns[i], &r->grow[i]);
		if (ret)
			return 1;
		printf(" %u", mb->ns[i]);
		fflush(stdout);
	}
	r->pt_ok = true;
	for (i = 0; i < mb->n_ns; i++) {
		if (ctx_usage(mb, getpid(), vms[i].ctx_id, &u) || u.contexts != 1)
			r->pt_ok = false;
		r->pt[i] = u.pt;
	}
	printf(" live mappings (%.1f s)\n", (now_ns() - t0) / 1e9);

	/* Round 0 warms up and is not recorded. */
	t0 = now_ns();
	for (round = 0; round <= rounds && !ret; round++)
		ret = lat_round(mb, vms, round, round > 0, r);
	if (ret) {
		fprintf(stderr, "membench: latency: %s\n", strerror(-ret));
		return 1;
	}
	printf("  measured in %.1f s\n", (now_ns() - t0) / 1e9);
	lat_print(mb, r, rounds);

	for (i = 0; i < mb->n_ns; i++)
		vm_close(&vms[i]);
	for (c = 0; c < LAT_CASES; c++) {
		samples_free(&r->memfd[c]);
		for (i = 0; i < MAX_NS; i++) {
			samples_free(&r->whole[c][i]);
			for (k = 0; k < STEPS; k++)
				samples_free(&r->step[c][i][k]);
		}
	}
	samples_free(&r->floor);
	free(r);
	return 0;
}
