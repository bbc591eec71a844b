/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * bench_time - the clock of ctxbench and membench.
 *
 * Times come from CLOCK_MONOTONIC, in nanoseconds; the tables print
 * microseconds. Under TCG the clock is the HPET, about 1 us a read, so
 * the benches say what a read costs and time cheap operations in batches.
 */
#ifndef BENCH_TIME_H
#define BENCH_TIME_H

#include <stdint.h>

/* CLOCK_MONOTONIC now, in nanoseconds. */
uint64_t now_ns(void);

/* Nanoseconds in microseconds, as the tables print them. */
double us(double ns);

/* The p50 of the time between two reads of the clock, in nanoseconds. */
double clock_overhead_ns(void);

#endif /* BENCH_TIME_H */
