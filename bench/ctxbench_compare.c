// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ctxbench - phase compare: vkfd against the real amdkfd in steady state
 * (see ctxbench.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_sys.h"
#include "bench_time.h"
#include "ctxbench.h"

/* Rounds per process, alternating the devices. */
#define ROUNDS			5

/*
 * Iteration counts at scale 1.0 per round, chosen for a guest under TCG,
 * where an open + close costs some 10 us and an ioctl 1 us.
 */
#define ROUND_OPEN		100	/* samples of BATCH_OPEN */
#define ROUND_IOCTL		200	/* samples of BATCH_IOCTL */

/* The devices of the compare phase, vkfd first; returns how many. */
static unsigned int compare_devices(const struct bench *b,
				    const char *name[2], const char *path[2])
{
	unsigned int n = 0;

	if (b->vkfd_dev) {
		name[n] = "vkfd";
		path[n++] = b->vkfd_dev;
	}
	if (b->amdkfd_dev) {
		name[n] = "amdkfd";
		path[n++] = b->amdkfd_dev;
	}
	return n;
}

/*
 * One measuring process: keep an fd of each device open, then alternate
 * the devices round by round, so that a change of the machine's speed
 * meanwhile hits both alike. Each round is a record.
 */
static int compare_child(const struct bench *b, const char *unused, int out)
{
	unsigned int nopen = scaled(b, ROUND_OPEN);
	unsigned int nversion = scaled(b, ROUND_IOCTL);
	const char *name[2], *path[2];
	unsigned int n, i, round;
	struct samples s;
	int keep[2], ret = 0;

	(void)unused;
	n = compare_devices(b, name, path);
	for (i = 0; i < n; i++) {
		keep[i] = dev_open_kept(path[i]);
		if (keep[i] < 0)
			return 1;
	}
	samples_init(&s, nversion);
	for (round = 0; round < ROUNDS && !ret; round++) {
		for (i = 0; i < n && !ret; i++) {
			double p0, p1, p2;

			s.n = 0;
			p0 = speed_probe();
			ret = measure_open_close(path[i], nopen / 10 + 1, nopen,
						 BATCH_OPEN, &s);
			p1 = speed_probe();
			if (ret)
				break;
			send_series(out, i, SK_OPEN_CLOSE, &s, p0, p1);
			s.n = 0;
			ret = measure_get_version(keep[i], nversion / 10 + 1,
						  nversion, BATCH_IOCTL, &s);
			p2 = speed_probe();
			if (!ret)
				send_series(out, i, SK_VERSION, &s, p1, p2);
		}
	}
	samples_free(&s);
	for (i = 0; i < n; i++)
		close(keep[i]);
	if (ret) {
		fprintf(stderr, "ctxbench: compare: %s\n", strerror(-ret));
		return 1;
	}
	return 0;
}

static void print_compare_row(const char *label, const struct series *se,
			      unsigned int batch, double fast_probe)
{
	struct series_stats st = series_stats(se, fast_probe);
	char n[32];

	printf("  %-22s %8.2f %8.2f %8.2f %8.2f", label, us(st.all.p50),
	       us(st.all.mean), us(st.all.p99), us(st.all.max));
	print_fast(" %8.2f", st.n_fast, us(st.fast.p50));
	snprintf(n, sizeof(n), "%u/%u", st.n_fast, se->records);
	printf(" %6s %9zux%u\n", n, st.all.n, batch);
}

static void print_ratio_row(const char *label, const struct series *v,
			    const struct series *a, double fast_probe)
{
	struct series_stats x = series_stats(v, fast_probe);
	struct series_stats y = series_stats(a, fast_probe);

	printf("  %-22s %8.2f", label, x.all.p50 / y.all.p50);
	print_fast(" %8.2f", x.n_fast && y.n_fast, x.fast.p50 / y.fast.p50);
	printf(" %8.2f\n", x.all.mean / y.all.mean);
}

bool compare_phase(const struct bench *b)
{
	struct results *r = xcalloc(1, sizeof(*r));
	const char *name[2], *path[2];
	unsigned int n, i;
	bool ok = true;
	double fast;

	n = compare_devices(b, name, path);
	for (i = 0; i < PROCS && ok; i++)
		ok = run_child(compare_child, b, NULL, r) == 0;
	if (!ok) {
		results_free(r);
		free(r);
		return false;
	}

	fast = fastest_probe(r);
	printf("== vkfd vs amdkfd, steady state (one fd of each kept open; us) ==\n");
	printf("  %-22s %8s %8s %8s %8s %8s %6s %11s\n", "", "p50", "mean",
	       "p99", "max", "fast p50", "fast", "samples");
	for (i = 0; i < n; i++) {
		char label[64];

		snprintf(label, sizeof(label), "%s open+close", name[i]);
		print_compare_row(label, &r->s[i][SK_OPEN_CLOSE], BATCH_OPEN,
				  fast);
		snprintf(label, sizeof(label), "%s GET_VERSION", name[i]);
		print_compare_row(label, &r->s[i][SK_VERSION], BATCH_IOCTL,
				  fast);
	}
	printf("  (%u processes x %u rounds, the devices alternating; a sample is the\n"
	       "   mean of a batch; fast: rounds in the machine's fast mode, see below)\n",
	       PROCS, ROUNDS);
	if (n == 2) {
		printf("\n  %-22s %8s %8s %8s\n", "vkfd/amdkfd", "p50",
		       "fast p50", "mean");
		print_ratio_row("open+close", &r->s[0][SK_OPEN_CLOSE],
				&r->s[1][SK_OPEN_CLOSE], fast);
		print_ratio_row("GET_VERSION", &r->s[0][SK_VERSION],
				&r->s[1][SK_VERSION], fast);
		printf("  (target: vkfd/amdkfd <= 1.00)\n");
	} else {
		printf("  (one device only: no ratio)\n");
	}
	printf("  fast mode: rounds whose getppid() probes before and after took at most\n"
	       "  %.2f us, %.0f%% over the best probe, %.2f us\n",
	       us(fast * FAST_MARGIN), (FAST_MARGIN - 1) * 100, us(fast));
	printf("\n");
	results_free(r);
	free(r);
	return true;
}
