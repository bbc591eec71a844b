// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ctxbench - phase scaling: the context operations of vkfd with N live
 * secondary contexts in the process (see ctxbench.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_sys.h"
#include "bench_time.h"
#include "ctxbench.h"

/*
 * Iteration counts at scale 1.0 per visit of an N, chosen for a guest
 * under TCG, where an open + CREATE_PROCESS + close costs some 60 us, an
 * open + close 10 us and an ioctl 1 us.
 */
#define VISIT_CREATE		2000
#define VISIT_OPEN		300	/* samples of BATCH_OPEN */
#define VISIT_IOCTL		600	/* samples of BATCH_IOCTL */

/*
 * Grow or shrink the population of idle secondaries to @target. Returns
 * 0 or -errno (the population reached stays); *@ns gets the time taken.
 */
static int pool_resize(struct pool *p, const char *dev, unsigned int target,
		       uint64_t *ns)
{
	uint64_t t0 = now_ns();
	int fd, ret = 0;

	while (p->n < target && p->n < p->cap) {
		fd = secondary_open(dev);
		if (fd < 0) {
			ret = fd;
			break;
		}
		p->fd[p->n++] = fd;
	}
	while (p->n > target)
		close(p->fd[--p->n]);
	*ns = now_ns() - t0;
	return ret;
}

/*
 * Measure at the current population; every series goes to the parent,
 * with speed probes taken before and after it. The longest, open +
 * CREATE_PROCESS + close, goes in two halves, each a record.
 */
static int scale_measure(const struct bench *b, const struct pool *p,
			 unsigned int point, int out)
{
	unsigned int ncreate = scaled(b, VISIT_CREATE) / 2;
	unsigned int nversion = scaled(b, VISIT_IOCTL);
	unsigned int nopen = scaled(b, VISIT_OPEN);
	struct create_series cs;
	double p0, p1 = 0;
	struct samples s;
	unsigned int half;
	int ret = 0;

	for (half = 0; half < 2 && !ret; half++) {
		create_series_init(&cs, ncreate);
		p0 = speed_probe();
		ret = measure_create_close(b->vkfd_dev,
					   half ? 0 : ncreate / 5, ncreate,
					   &cs);
		p1 = speed_probe();
		if (!ret) {
			send_series(out, point, SK_CREATE, &cs.total, p0, p1);
			send_series(out, point, SK_CREATE_OPEN, &cs.open, p0,
				    p1);
			send_series(out, point, SK_CREATE_IOCTL, &cs.create,
				    p0, p1);
			send_series(out, point, SK_CREATE_CLOSE, &cs.close,
				    p0, p1);
		}
		create_series_free(&cs);
	}
	if (ret)
		return ret;

	samples_init(&s, nversion);
	/* The same secondary, the first one created, at every N. */
	p0 = p1;
	ret = measure_get_version(p->fd[0], nversion / 10, nversion,
				  BATCH_IOCTL, &s);
	p1 = speed_probe();
	if (!ret) {
		send_series(out, point, SK_VERSION, &s, p0, p1);
		s.n = 0;
		p0 = p1;
		ret = measure_open_close(b->vkfd_dev, nopen / 10, nopen,
					 BATCH_OPEN, &s);
		p1 = speed_probe();
	}
	if (!ret)
		send_series(out, point, SK_OPEN_CLOSE, &s, p0, p1);
	samples_free(&s);
	return ret;
}

/*
 * One measuring process: with its own primary kept open, visit the
 * numbers of live secondaries up (1, 100, ..., 65000) and down again,
 * measuring at every visit, so that a drift of the machine's speed hits
 * every N alike instead of passing for a trend in N.
 */
static int scaling_child(const struct bench *b, const char *unused, int out)
{
	unsigned int max_live = b->ns[b->n_ns - 1], n_pts = b->n_ns;
	unsigned int step, pt;
	struct pool p;
	int primary, ret = 0;
	uint64_t ns;

	(void)unused;
	if (max_live + FD_SLACK > b->nofile) {
		max_live = b->nofile > FD_SLACK ? b->nofile - FD_SLACK : 0;
		while (n_pts > 1 && b->ns[n_pts - 1] > max_live)
			n_pts--;
		printf(" (RLIMIT_NOFILE %u: N up to %u)", b->nofile, max_live);
	}
	primary = pool_init(&p, b, max_live);
	if (primary < 0)
		return 1;

	printf("  N =");
	for (step = 0; step < 2 * n_pts - 1 && !ret; step++) {
		pt = step < n_pts ? step : 2 * n_pts - 2 - step;
		ret = pool_resize(&p, b->vkfd_dev, b->ns[pt], &ns);
		if (p.n != b->ns[pt]) {
			/* Not a failure of the bench: a limit was hit. */
			printf(" (could not grow beyond %u live secondaries: %s)",
			       p.n, strerror(-ret));
			ret = 0;
			break;
		}
		if (ns && step < n_pts && pt)
			send_value(out, pt, SK_GROW,
				   (double)ns / (b->ns[pt] - b->ns[pt - 1]));
		else if (ns && step >= n_pts)
			send_value(out, pt, SK_SHRINK,
				   (double)ns / (b->ns[pt + 1] - b->ns[pt]));
		printf(" %u", p.n);
		fflush(stdout);
		ret = scale_measure(b, &p, pt, out);
	}
	printf("\n");
	if (ret)
		fprintf(stderr, "ctxbench: scaling at N=%u: %s\n", p.n,
			strerror(-ret));

	pool_resize(&p, b->vkfd_dev, 0, &ns);
	close(primary);
	free(p.fd);
	return ret ? 1 : 0;
}

/*
 * A table of one series over N: p50, mean, p99 and max of every sample;
 * the p50 of the records measured in the fast mode and their number; the
 * ratios to N = 1.
 */
static void print_scale_table(const char *title, const struct results *r,
			      const struct bench *b, unsigned int n_pts,
			      enum series_kind kind, double fast_probe)
{
	struct series_stats base = series_stats(&r->s[0][kind], fast_probe);
	unsigned int i;

	printf("  %s\n", title);
	printf("  %7s %8s %8s %8s %8s %8s %5s | %7s %8s %8s\n", "N", "p50",
	       "mean", "p99", "max", "fast p50", "fast", "p50/N=1", "fast/N=1",
	       "mean/N=1");
	for (i = 0; i < n_pts; i++) {
		const struct series *se = &r->s[i][kind];
		struct series_stats st = series_stats(se, fast_probe);
		char n[16];

		snprintf(n, sizeof(n), "%u/%u", st.n_fast, se->records);
		printf("  %7u %8.2f %8.2f %8.2f %8.2f", b->ns[i],
		       us(st.all.p50), us(st.all.mean), us(st.all.p99),
		       us(st.all.max));
		print_fast(" %8.2f", st.n_fast, us(st.fast.p50));
		printf(" %5s | %7.2f", n, st.all.p50 / base.all.p50);
		print_fast(" %8.2f", st.n_fast && base.n_fast,
			   st.fast.p50 / base.fast.p50);
		printf(" %8.2f\n", st.all.mean / base.all.mean);
	}
	printf("\n");
}

static double series_mean(const struct series *se)
{
	return series_stats(se, 0).all.mean;
}

bool scaling_phase(const struct bench *b)
{
	struct results *r = xcalloc(1, sizeof(*r));
	unsigned int i, n_pts;
	bool ok = true;
	double fast;

	printf("== scaling with N live secondary contexts (vkfd) ==\n");
	for (i = 0; i < PROCS && ok; i++) {
		printf("  process %u of %u:", i + 1, PROCS);
		ok = run_child(scaling_child, b, NULL, r) == 0;
	}
	for (n_pts = 0; n_pts < b->n_ns; n_pts++)
		if (!r->s[n_pts][SK_CREATE].records)
			break;
	if (!ok || !n_pts) {
		results_free(r);
		free(r);
		return ok;
	}
	fast = fastest_probe(r);

	printf("\n  us; %u processes, each visiting N up and down; every visit is a record\n"
	       "  (open + CREATE_PROCESS + close: two); fast: the records measured in the\n"
	       "  machine's fast mode, see below; then the ratios to N=%u (target <= 1.20)\n\n",
	       PROCS, b->ns[0]);
	print_scale_table("(a) open + CREATE_PROCESS + close of one more secondary",
			  r, b, n_pts, SK_CREATE, fast);
	printf("  %7s %8s %8s %8s %17s %9s %9s\n", "(a) N", "open", "CREATE",
	       "close", "p50 of a record", "grow to N", "shrink");
	for (i = 0; i < n_pts; i++) {
		const struct series *se = r->s[i];
		struct series_stats st = series_stats(&se[SK_CREATE], fast);
		char range[32];

		snprintf(range, sizeof(range), "%.1f..%.1f", us(st.lo),
			 us(st.hi));
		printf("  %7u", b->ns[i]);
		print_fast(" %8.2f", st.n_fast,
			   us(series_stats(&se[SK_CREATE_OPEN], fast).fast.p50));
		print_fast(" %8.2f", st.n_fast,
			   us(series_stats(&se[SK_CREATE_IOCTL], fast).fast.p50));
		print_fast(" %8.2f", st.n_fast,
			   us(series_stats(&se[SK_CREATE_CLOSE], fast).fast.p50));
		printf(" %17s ", range);
		if (se[SK_GROW].records)
			printf("%9.2f ", us(series_mean(&se[SK_GROW])));
		else
			printf("%9s ", "-");
		if (se[SK_SHRINK].records)
			printf("%9.2f\n", us(series_mean(&se[SK_SHRINK])));
		else
			printf("%9s\n", "-");
	}
	printf("  (open, CREATE, close: fast p50 of each step alone; p50 of a record:\n"
	       "   lowest..highest; grow to N: mean open + CREATE_PROCESS while growing\n"
	       "   the population from the N before; shrink: mean close while shrinking\n"
	       "   it from the N after; both in any mode)\n\n");
	print_scale_table("(b) GET_VERSION on a secondary fd (batches of 50)",
			  r, b, n_pts, SK_VERSION, fast);
	print_scale_table("(c) open + close of a plain fd, bound to the primary (batches of 10)",
			  r, b, n_pts, SK_OPEN_CLOSE, fast);
	printf("  fast mode: records whose getppid() probes before and after took at most\n"
	       "  %.2f us, %.0f%% over the best probe, %.2f us; the others ran in the slow\n"
	       "  mode (under TCG on a shared host about 1.5 times slower, for seconds at\n"
	       "  a time) and count in p50, mean, p99 and max only\n",
	       us(fast * FAST_MARGIN), (FAST_MARGIN - 1) * 100, us(fast));
	results_free(r);
	free(r);
	return true;
}
