// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bench_time - the clock of ctxbench and membench (see bench_time.h).
 */
#include <time.h>

#include "bench_stats.h"
#include "bench_time.h"

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double us(double ns)
{
	return ns / 1000.0;
}

/* Cost of reading the clock, for the reader to judge the small numbers. */
double clock_overhead_ns(void)
{
	struct samples s;
	struct summary r;
	unsigned int i;
	uint64_t t0;

	samples_init(&s, 1000);
	for (i = 0; i < 1000; i++) {
		t0 = now_ns();
		samples_add(&s, now_ns() - t0);
	}
	r = summarize(&s);
	samples_free(&s);
	return r.p50;
}
