// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ctxbench - how the KFD context operations of vkfd cost, and compare.
 *
 * Three phases, in this order, run by child processes so that the
 * contexts of one phase are gone (with the child's address space) before
 * the next one starts:
 *
 *   compare  vkfd against the real amdkfd in steady state: open()+close()
 *            of the device while another fd of the process is kept open
 *            (so both drivers bind the new fd to the existing process
 *            context), and AMDKFD_IOC_GET_VERSION on that kept fd. Rounds
 *            alternate the two devices.
 *   scaling  with N live secondary contexts in the process: open +
 *            AMDKFD_IOC_CREATE_PROCESS + close of one more, GET_VERSION on
 *            a secondary fd, open+close of a plain fd. Each process visits
 *            N going up (1, 100, ..., 65000) and down again and measures
 *            a little at every visit, so that a change of the machine's
 *            speed does not pass for a trend in N. An O(1) implementation
 *            costs the same at every N.
 *   memory   kernel memory of M idle secondary contexts: /proc/meminfo's
 *            Slab and the per-cache deltas of /proc/slabinfo, before and
 *            after creating them, divided by M.
 *
 * Times come from CLOCK_MONOTONIC; warm-up iterations are not recorded.
 * A sample is the time of one operation or, for cheap ones, the mean of a
 * batch of them (so that reading the clock, about 1 us under TCG with the
 * HPET, weighs little). The compare and scaling phases each run PROCS
 * processes, which send their samples to the parent over a pipe in
 * records (a round of the compare phase, a visit of an N), each with a
 * speed probe taken before and after it. The tables give the median
 * (p50), mean, 99th percentile and maximum of all samples, and "fast
 * p50", the median of the records measured in the machine's fast mode.
 *
 * Why "fast": under TCG on a shared host the guest runs at one of two
 * speeds about 1.5 times apart, switching every few seconds, whatever it
 * does (a getppid() takes 0.44 or 0.70 us). A p50 over everything then
 * lands in either mode, depending on how the run fell, and moves by up to
 * a third between runs or between two N of one run; the mean also
 * carries rare stalls of many milliseconds. The probe, a batched
 * getppid() that does nothing, tells the modes apart, and the fast p50
 * repeats within a few percent. Compare fast p50s first.
 *
 * ctxbench never fails because something is slow: it exits non-zero only
 * if an operation fails that must not (the bench itself is broken), or if
 * it is misused. Devices that are not there are skipped, saying so.
 *
 * The code: here the command line and the probe of the devices; the
 * phases in ctxbench_compare.c, ctxbench_scale.c and ctxbench_memory.c;
 * the measured operations in ctxbench_ops.c, the measuring processes and
 * their records in ctxbench_records.c (all declared in ctxbench.h); and
 * the library it shares with membench, bench_*.[ch].
 *
 * Usage: ctxbench [-h] [-t PHASES] [-n N,N,...] [-m M] [-s SCALE]
 *                 [-v VKFD_DEV] [-a AMDKFD_DEV]
 *
 * The device paths default to $VKFD_DEV (else /dev/vkfd) and $AMDKFD_DEV
 * (else /dev/kfd); "none" skips one. Each is probed first: vkfd answers
 * VKFD_IOC_CTX_INFO, amdkfd does not, so a path naming the wrong driver
 * is skipped rather than measured under the wrong name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/vkfd_ioctl.h>

#include "bench_args.h"
#include "bench_sys.h"
#include "bench_time.h"
#include "ctxbench.h"
#include "libvkfd.h"

#define PHASE_COMPARE		(1u << 0)
#define PHASE_MEMORY		(1u << 1)
#define PHASE_SCALING		(1u << 2)
#define PHASE_ALL		(PHASE_COMPARE | PHASE_MEMORY | PHASE_SCALING)

#define DEFAULT_MEM_M		10000
/* Secondaries per process are limited to 65535 by the 16-bit ids. */
#define MAX_LIVE		65000
#define NOFILE_WANTED		70000

/* Exit status of a probe child: which driver answers on a path. */
#define PROBE_VKFD		0
#define PROBE_OTHER_KFD		10
#define PROBE_MISSING		11
#define PROBE_BROKEN		12

/* --- device probe ------------------------------------------------------ */

/*
 * In a child: does @path open, answer GET_VERSION, and is it vkfd (which
 * answers VKFD_IOC_CTX_INFO) or another KFD (amdkfd: ENOTTY)?
 */
static int probe_child(const struct bench *b, const char *path, int out)
{
	struct vkfd_ioctl_ctx_info info = { .ctx_id = VKFD_CTX_ID_SELF };
	struct kfd_ioctl_get_version_args v = { 0 };
	int fd, ret;

	(void)b;
	(void)out;
	fd = dev_open(path);
	if (fd < 0) {
		printf("  %-12s not available: %s\n", path, strerror(-fd));
		return PROBE_MISSING;
	}
	ret = get_version(fd, &v);
	if (ret == -ENOTTY) {
		printf("  %-12s not a KFD device (no GET_VERSION)\n", path);
		return PROBE_MISSING;
	}
	if (ret) {
		printf("  %-12s GET_VERSION failed: %s\n", path, strerror(-ret));
		return PROBE_BROKEN;
	}
	ret = vkfd_ioctl(fd, VKFD_IOC_CTX_INFO, &info);
	printf("  %-12s %s, KFD uAPI %u.%u\n", path,
	       ret ? "amdkfd (no VKFD_IOC_CTX_INFO)" : "vkfd",
	       v.major_version, v.minor_version);
	close(fd);
	return ret ? PROBE_OTHER_KFD : PROBE_VKFD;
}

/*
 * Probe *@dev, unless it is NULL, for being the driver @want; if it is
 * not, drop it (saying @other_says if it is the driver @other). Returns
 * false if it is broken.
 */
static bool probe_device(const struct bench *b, const char **dev, int want,
			 int other, const char *other_says)
{
	int r;

	if (!*dev)
		return true;
	r = run_child(probe_child, b, *dev, NULL);
	if (r == other)
		printf("  %-12s %s\n", *dev, other_says);
	if (r != want)
		*dev = NULL;
	return r != PROBE_BROKEN && r >= 0;
}

/*
 * Probe both devices; drop the ones that are not there, are broken, or
 * are not the driver they are named as. Returns false if a device is
 * broken (the bench cannot be trusted then).
 */
static bool probe_devices(struct bench *b)
{
	bool ok;

	printf("devices:\n");
	ok = probe_device(b, &b->vkfd_dev, PROBE_VKFD, PROBE_OTHER_KFD,
			  "is not vkfd: vkfd measurements skipped");
	ok &= probe_device(b, &b->amdkfd_dev, PROBE_OTHER_KFD, PROBE_VKFD,
			   "is vkfd, not amdkfd: comparison skipped");
	printf("\n");
	return ok;
}

/* --- main -------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ctxbench [-h] [-t PHASES] [-n N,N,...] [-m M] [-s SCALE]\n"
		"                [-v VKFD_DEV] [-a AMDKFD_DEV]\n"
		"  -t  phases, comma separated: compare,memory,scaling (default: all)\n"
		"  -n  live secondaries of the scaling phase (default: 1,100,1000,10000,65000)\n"
		"  -m  secondaries of the memory phase (default: %d)\n"
		"  -s  factor on the iteration counts (default: 1.0, sized for TCG)\n"
		"  -v  vkfd's device (default: $VKFD_DEV, else /dev/vkfd; \"none\" skips)\n"
		"  -a  amdkfd's device (default: $AMDKFD_DEV, else /dev/kfd; \"none\" skips)\n",
		DEFAULT_MEM_M);
}

static const char *dev_arg(const char *arg)
{
	return arg && *arg && strcmp(arg, "none") ? arg : NULL;
}

static void print_header(const struct bench *b)
{
	print_system("ctxbench", b->nofile, b->scale);
	printf("clock: CLOCK_MONOTONIC, %.2f us between two reads (p50)\n\n",
	       us(clock_overhead_ns()));
}

/* The options of ctxbench's own, for parse_cmdline(). */
static int ctxbench_opt(int opt, const char *arg, void *bench)
{
	struct bench *b = bench;

	switch (opt) {
	case 'm':
		return parse_uint(arg, 1, MAX_LIVE, &b->mem_m);
	case 'v':
		b->vkfd_dev = dev_arg(arg);
		return 0;
	case 'a':
		b->amdkfd_dev = dev_arg(arg);
		return 0;
	default:
		return -1;
	}
}

int main(int argc, char **argv)
{
	static const struct bench_phase phases[] = {
		{ "compare", PHASE_COMPARE },
		{ "memory", PHASE_MEMORY },
		{ "scaling", PHASE_SCALING },
	};
	struct bench b = {
		.vkfd_dev = dev_arg(getenv("VKFD_DEV") ?: "/dev/vkfd"),
		.amdkfd_dev = dev_arg(getenv("AMDKFD_DEV") ?: "/dev/kfd"),
		.phases = PHASE_ALL,
		.ns = { 1, 100, 1000, 10000, 65000 },
		.n_ns = 5,
		.mem_m = DEFAULT_MEM_M,
		.scale = 1.0,
	};
	const struct bench_cli cli = {
		.optstring = "ht:n:m:s:v:a:",
		.usage = usage,
		.phases = phases,
		.n_phases = ARRAY_SIZE(phases),
		.phase_set = &b.phases,
		/* The ratios are to the first N, at least 1. */
		.counts = b.ns,
		.counts_cap = MAX_NS,
		.n_counts = &b.n_ns,
		.count_max = MAX_LIVE,
		.from_zero = false,
		.scale = &b.scale,
		.opt = ctxbench_opt,
		.bench = &b,
	};
	bool failed = false;

	parse_cmdline(argc, argv, &cli);
	setvbuf(stdout, NULL, _IOLBF, 0);
	pin_to_one_cpu();
	b.nofile = raise_nofile(NOFILE_WANTED);
	print_header(&b);
	if (!probe_devices(&b))
		failed = true;

	if (b.phases & PHASE_COMPARE) {
		if (b.vkfd_dev || b.amdkfd_dev)
			failed |= !compare_phase(&b);
		else
			printf("== compare: skipped, no device ==\n\n");
	}
	/*
	 * Scaling right after compare: its N=1 is not measured in the wake
	 * of the memory phase's thousands of contexts being freed.
	 */
	if (b.phases & PHASE_SCALING) {
		if (b.vkfd_dev)
			failed |= !scaling_phase(&b);
		else
			printf("== scaling: skipped, no vkfd device ==\n\n");
	}
	if (b.phases & PHASE_MEMORY) {
		if (b.vkfd_dev)
			failed |= !memory_phase(&b);
		else
			printf("== memory: skipped, no vkfd device ==\n\n");
	}
	if (failed)
		printf("ctxbench: a phase failed (see above)\n");
	return failed ? 1 : 0;
}
