// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * membench - what vkfd's GPU memory costs: time, and kernel memory.
 *
 * Three phases, in this order, each run by a child process so that its
 * contexts are gone (with the child's address space) before the next one
 * starts. Every context is a secondary with its own GPU VM on the first
 * GPU: an fd of the device made a secondary (AMDKFD_IOC_CREATE_PROCESS),
 * an fd of the GPU's render node (/dev/dri/renderD<drm_render_minor>),
 * AMDKFD_IOC_ACQUIRE_VM binding the two.
 *
 *   latency  AMDKFD_IOC_ALLOC_MEMORY_OF_GPU + MAP_MEMORY_TO_GPU +
 *            UNMAP_MEMORY_FROM_GPU + FREE_MEMORY_OF_GPU of one buffer
 *            (4 KiB GTT, 2 MiB GTT, 2 MiB VRAM, 64 MiB VRAM) in a VM that
 *            holds N live 4 KiB mappings at other addresses (N = 0, 100,
 *            1000, 10000). One VM per N, built first; then rounds do
 *            each buffer in every VM in turn, one cycle at a time, so
 *            that the machine's changes of speed (TCG on a shared host
 *            runs at two speeds, switching every few seconds) hit every N
 *            alike and the ratios to N = 0 hold. References without vkfd,
 *            in the same rounds: four GET_VERSION ioctls (the floor of
 *            four ioctls) and a memfd of the buffer's size, created,
 *            filled with fallocate() and closed (the shmem page work
 *            alone, which vkfd's map and free do too).
 *   pt       GPU page-table memory per GiB mapped: 1 GiB (less on a small
 *            machine) of 2 MiB buffers mapped back to back in one VM, the
 *            pt column of <debugfs>/vkfd/contexts before and after.
 *   ctxmem   kernel memory per context with one GPU VM and one 4 KiB
 *            mapping: C secondaries each get, step by step, their render
 *            fd, ACQUIRE_VM, a 4 KiB GTT buffer, its mapping; after each
 *            step the deltas of /proc/meminfo (Slab, Shmem, free memory:
 *            MemFree and the per-CPU free lists of /proc/zoneinfo) and of
 *            /proc/slabinfo, divided by C. Then everything is closed and
 *            the deltas to the start should be 0 again.
 *
 * Times come from CLOCK_MONOTONIC (under TCG the HPET, about 1 us a read):
 * a sample is one cycle, timed as a whole; a quarter as many cycles are
 * timed step by step (three more clock reads each) for the breakdown;
 * 64 MiB cycles, long enough for the clock not to matter, are all timed
 * step by step. The first round warms up and is not recorded.
 *
 * membench never fails because something is slow or big: it exits
 * non-zero only if an operation fails that must not (the driver or the
 * bench is broken), or if it is misused.
 *
 * The code: here the command line and the setup; the phases in
 * membench_latency.c, membench_pt.c and membench_ctxmem.c; the GPU VMs,
 * buffers and debugfs in membench_vm.c (all declared in membench.h); and
 * the library it shares with ctxbench, bench_*.[ch].
 *
 * Usage: membench [-h] [-t PHASES] [-n N,N,...] [-c C] [-g MIB] [-s SCALE]
 *                 [-v DEV]
 *
 * The device defaults to $VKFD_DEV, else /dev/vkfd; its topology is read
 * from $VKFD_TOPOLOGY, else /sys/class/<name>/<name>/topology, and the
 * contexts file from $VKFD_DEBUGFS (else /sys/kernel/debug/vkfd)/contexts.
 * /proc/slabinfo needs root; without it the per-cache table is left out.
 */
#include <errno.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_args.h"
#include "bench_sys.h"
#include "libvkfd.h"
#include "membench.h"

#define PHASE_LATENCY		(1u << 0)
#define PHASE_PT		(1u << 1)
#define PHASE_CTXMEM		(1u << 2)
#define PHASE_ALL		(PHASE_LATENCY | PHASE_PT | PHASE_CTXMEM)

#define MAX_LIVE		100000
#define DEFAULT_CTXS		1000
#define MAX_CTXS		30000

/*
 * Run @fn in a child process and return its exit status (-1 if it died
 * of a signal). Contexts the child made die with its address space.
 */
static int run_child(int (*fn)(const struct membench *mb),
		     const struct membench *mb)
{
	pid_t pid = bench_fork();

	if (!pid)
		bench_exit(fn(mb));
	return bench_wait(pid);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: membench [-h] [-t PHASES] [-n N,N,...] [-c C] [-g MIB] [-s SCALE]\n"
		"                [-v DEV]\n"
		"  -t  phases, comma separated: latency,pt,ctxmem (default: all)\n"
		"  -n  live 4 KiB mappings of the latency phase, from 0 up (default: 0,100,1000,10000)\n"
		"  -c  contexts of the ctxmem phase (default: %d)\n"
		"  -g  MiB the pt phase maps (default: 1024, less if memory is short)\n"
		"  -s  factor on the iteration counts (default: 1.0, sized for TCG)\n"
		"  -v  vkfd's device (default: $VKFD_DEV, else /dev/vkfd)\n",
		DEFAULT_CTXS);
}

/*
 * Find the GPU and its render node; print what is measured. Returns 0,
 * 1 if there is no vkfd device to measure (skipped, as ctxbench skips a
 * missing device), or -errno if it is there but unusable.
 */
static int setup(struct membench *mb)
{
	struct vkfd_context_info info;
	struct vkfd_context ctx;
	char dev[256];
	int ret;

	print_system("membench", mb->nofile, mb->scale);
	if (!mb->topology[0]) {
		snprintf(dev, sizeof(dev), "%s", mb->dev);
		snprintf(mb->topology, sizeof(mb->topology),
			 "/sys/class/%s/%s/topology", basename(dev),
			 basename(dev));
	}
	ret = vkfd_open_primary(mb->dev, &ctx);
	if (ret) {
		printf("  %s: %s: skipped\n", mb->dev, strerror(-ret));
		return ret == -ENOENT || ret == -ENODEV || ret == -ENXIO ? 1 :
		       ret;
	}
	ret = vkfd_query(&ctx, &info);
	vkfd_close(&ctx);
	if (ret || !info.num_gpus) {
		printf("  %s: not vkfd, or no GPU (%s): skipped\n", mb->dev,
		       strerror(ret ? -ret : ENODEV));
		return ret ? ret : -ENODEV;
	}
	mb->gpu_id = info.gpu_ids[0];
	ret = find_render_node(mb);
	if (ret) {
		printf("  no drm_render_minor for gpu_id %u in %s: %s\n",
		       mb->gpu_id, mb->topology, strerror(-ret));
		return ret;
	}
	printf("device: %s (vkfd, KFD uAPI %u.%u), GPU %u of %u: gpu_id %u, render node %s\n",
	       mb->dev, info.major, info.minor, 1, info.num_gpus, mb->gpu_id,
	       mb->render);
	printf("every context: a secondary, with a GPU VM bound to its own render fd\n\n");
	return 0;
}

/* The options of membench's own, for parse_cmdline(). */
static int membench_opt(int opt, const char *arg, void *bench)
{
	struct membench *mb = bench;

	switch (opt) {
	case 'c':
		return parse_uint(arg, 1, MAX_CTXS, &mb->ctxs);
	case 'g':
		if (parse_uint(arg, 2, 65536, &mb->pt_mib) || mb->pt_mib % 2)
			return -1;
		return 0;
	case 'v':
		mb->dev = arg;
		return 0;
	default:
		return -1;
	}
}

int main(int argc, char **argv)
{
	static const struct bench_phase phases[] = {
		{ "latency", PHASE_LATENCY },
		{ "pt", PHASE_PT },
		{ "ctxmem", PHASE_CTXMEM },
	};
	const char *dbg = getenv("VKFD_DEBUGFS");
	const char *topo = getenv("VKFD_TOPOLOGY");
	struct membench mb = {
		.dev = getenv("VKFD_DEV") ?: "/dev/vkfd",
		.phases = PHASE_ALL,
		.ns = { 0, 100, 1000, 10000 },
		.n_ns = 4,
		.ctxs = DEFAULT_CTXS,
		.scale = 1.0,
	};
	const struct bench_cli cli = {
		.optstring = "ht:n:c:g:s:v:",
		.usage = usage,
		.phases = phases,
		.n_phases = ARRAY_SIZE(phases),
		.phase_set = &mb.phases,
		/* The ratios are to N = 0. */
		.counts = mb.ns,
		.counts_cap = MAX_NS,
		.n_counts = &mb.n_ns,
		.count_max = MAX_LIVE,
		.from_zero = true,
		.scale = &mb.scale,
		.opt = membench_opt,
		.bench = &mb,
	};
	bool failed = false;
	int ret;

	parse_cmdline(argc, argv, &cli);
	snprintf(mb.contexts, sizeof(mb.contexts), "%s/contexts",
		 dbg && *dbg ? dbg : "/sys/kernel/debug/vkfd");
	if (topo && *topo)
		snprintf(mb.topology, sizeof(mb.topology), "%s", topo);

	setvbuf(stdout, NULL, _IOLBF, 0);
	pin_to_one_cpu();
	mb.nofile = raise_nofile(2 * MAX_CTXS + 1024);
	ret = setup(&mb);
	if (ret)
		return ret > 0 ? 0 : 1;

	if (mb.phases & PHASE_LATENCY)
		failed |= run_child(latency_child, &mb) != 0;
	if (mb.phases & PHASE_PT)
		failed |= run_child(pt_child, &mb) != 0;
	if (mb.phases & PHASE_CTXMEM)
		failed |= run_child(ctxmem_child, &mb) != 0;
	if (failed)
		printf("membench: a phase failed (see above)\n");
	return failed ? 1 : 0;
}
