/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * bench_args - the command line of ctxbench and membench: the phases to
 * run (-t), numbers (-s and the like) and the counts to measure at (-n).
 */
#ifndef BENCH_ARGS_H
#define BENCH_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/**
 * struct bench_phase - a phase a bench can run
 * @name: its name on the command line
 * @bit: its bit in the set of phases
 */
struct bench_phase {
	const char *name;
	unsigned int bit;
};

/*
 * Parse @arg, phase names out of @table (@n entries) separated by commas,
 * or "all", into the set *@phases. Returns 0, or -1 for an unknown name
 * or an empty set.
 */
int parse_phases(const char *arg, const struct bench_phase *table, size_t n,
		 unsigned int *phases);

/*
 * Parse @arg, a number from @min to @max, into *@v. Returns 0, or -1 if
 * @arg is not such a number.
 */
int parse_uint(const char *arg, unsigned int min, unsigned int max,
	       unsigned int *v);

/* Parse -s: a factor on the iteration counts, over 0 and at most 1000. */
int parse_scale(const char *arg, double *scale);

/*
 * Parse @arg, numbers separated by commas, strictly ascending, each at
 * most @max, into @v (room for @cap) and *@n. Returns 0, or -1 if @arg is
 * not such a list or has more than @cap numbers or none.
 */
int parse_counts(const char *arg, unsigned long max, unsigned int *v,
		 unsigned int cap, unsigned int *n);

/**
 * struct bench_cli - a bench's command line
 * @optstring: getopt()'s; -h, -t, -n and -s are handled by parse_cmdline()
 * @usage: prints the usage to a stream
 * @phases: the phases -t can name
 * @n_phases: entries in @phases
 * @phase_set: where -t puts its set of phases
 * @counts: where -n puts its counts (see parse_counts())
 * @counts_cap: room in @counts
 * @n_counts: where -n puts their number
 * @count_max: the largest count -n takes
 * @from_zero: whether the first count must be 0 (else it must not)
 * @scale: where -s puts its factor
 * @opt: handles any other option, of @bench; returns 0, or -1 if it is bad
 * @bench: what @opt sets
 */
struct bench_cli {
	const char *optstring;
	void (*usage)(FILE *f);
	const struct bench_phase *phases;
	size_t n_phases;
	unsigned int *phase_set;
	unsigned int *counts;
	unsigned int counts_cap;
	unsigned int *n_counts;
	unsigned long count_max;
	bool from_zero;
	double *scale;
	int (*opt)(int opt, const char *arg, void *bench);
	void *bench;
};

/*
 * Parse the command line as @cli says. -h prints the usage and exits 0;
 * a bad option, a bad argument or an argument left over prints the usage
 * on stderr and exits 2.
 */
void parse_cmdline(int argc, char **argv, const struct bench_cli *cli);

#endif /* BENCH_ARGS_H */
