/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * bench_stats - series of samples and their statistics, for ctxbench and
 * membench.
 *
 * A sample is a time in nanoseconds (of one operation, or the mean of a
 * batch). A series grows as it is measured; summarize() sorts it and
 * gives its median, percentiles, mean and maximum.
 */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stddef.h>

/**
 * struct samples - one measured series
 * @v: the samples, in nanoseconds per operation
 * @n: number of samples in @v
 * @cap: allocated entries of @v
 */
struct samples {
	double *v;
	size_t n;
	size_t cap;
};

/**
 * struct summary - statistics of a series, in nanoseconds
 * @p50: median
 * @p90: 90th percentile
 * @p99: 99th percentile
 * @mean: arithmetic mean
 * @max: the largest sample
 * @n: number of samples
 */
struct summary {
	double p50;
	double p90;
	double p99;
	double mean;
	double max;
	size_t n;
};

/* An empty series with room for @cap samples. */
void samples_init(struct samples *s, size_t cap);
void samples_free(struct samples *s);
/* Append one sample, growing the series as needed. */
void samples_add(struct samples *s, double ns);
/* Append every sample of @src to @dst. */
void samples_append(struct samples *dst, const struct samples *src);

/* qsort() comparison of two doubles, ascending. */
int cmp_double(const void *a, const void *b);

/* The statistics of @s (all 0 if it is empty); sorts the samples in place. */
struct summary summarize(struct samples *s);

#endif /* BENCH_STATS_H */
