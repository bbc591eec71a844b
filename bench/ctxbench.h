/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * ctxbench - what its files share (see ctxbench.c for what it measures):
 * what to run, the measured operations (ctxbench_ops.c), the records the
 * measuring processes send and their statistics (ctxbench_records.c), and
 * the phases (ctxbench_compare.c, ctxbench_scale.c, ctxbench_memory.c).
 */
#ifndef CTXBENCH_H
#define CTXBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kfd_ioctl.h>

#include "bench_stats.h"

#define MAX_NS			16
/* fds beyond the live contexts: stdio, the primary, the one measured. */
#define FD_SLACK		64

/* Measuring processes of the compare and scaling phases. */
#define PROCS			6

/* Operations per sample of the cheap operations, timed in batches. */
#define BATCH_IOCTL		50
#define BATCH_OPEN		10

/**
 * struct bench - what to run, and with what
 * @vkfd_dev: device node of vkfd, NULL to skip it
 * @amdkfd_dev: device node of the real amdkfd, NULL to skip it
 * @phases: PHASE_* bits
 * @ns: live-context counts of the scaling phase, ascending
 * @n_ns: entries in @ns
 * @mem_m: secondaries created by the memory phase
 * @scale: factor on every iteration count
 * @nofile: RLIMIT_NOFILE the process got; bounds the live contexts
 */
struct bench {
	const char *vkfd_dev;
	const char *amdkfd_dev;
	unsigned int phases;
	unsigned int ns[MAX_NS];
	unsigned int n_ns;
	unsigned int mem_m;
	double scale;
	unsigned int nofile;
};

/**
 * struct pool - fds of live secondary contexts
 * @fd: the fds
 * @n: live entries in @fd
 * @cap: size of @fd
 */
struct pool {
	int *fd;
	unsigned int n;
	unsigned int cap;
};

/* --- the measured operations (ctxbench_ops.c) ----------------------------
 *
 * Each returns 0 or -errno; a failure ends the phase: it means the driver
 * or the bench is broken, not that it is slow.
 */

/* @n scaled by -s, at least 10. */
unsigned int scaled(const struct bench *b, unsigned int n);

/* Open @dev as libhsakmt opens /dev/kfd; returns the fd or -errno. */
int dev_open(const char *dev);

/*
 * Open @dev for an fd kept open across the measurements; returns the fd,
 * or -1 after saying why on stderr.
 */
int dev_open_kept(const char *dev);

int get_version(int fd, struct kfd_ioctl_get_version_args *v);

/* Open @dev and make the fd a secondary; returns the fd or -errno. */
int secondary_open(const char *dev);

/*
 * Ready @p for up to @cap secondaries of @b's vkfd, grow the fd table for
 * them, and open the primary, which the caller keeps open: every plain
 * open binds to it. Returns the primary's fd, or -1 (said on stderr).
 */
int pool_init(struct pool *p, const struct bench *b, unsigned int cap);

/*
 * open() + close() of a plain fd, bound to the existing primary: a
 * sample is the mean of @batch pairs.
 */
int measure_open_close(const char *dev, unsigned int warmup,
		       unsigned int nsamples, unsigned int batch,
		       struct samples *out);

/* GET_VERSION on @fd: a sample is the mean of @batch calls. */
int measure_get_version(int fd, unsigned int warmup, unsigned int nsamples,
			unsigned int batch, struct samples *out);

/**
 * struct create_series - open + CREATE_PROCESS + close, and its parts
 * @total: the three together
 * @open: open() of the fresh fd (binds it to the primary)
 * @create: AMDKFD_IOC_CREATE_PROCESS (builds and publishes the secondary)
 * @close: close() (tears the secondary down)
 */
struct create_series {
	struct samples total;
	struct samples open;
	struct samples create;
	struct samples close;
};

void create_series_init(struct create_series *c, size_t cap);
void create_series_free(struct create_series *c);

/*
 * open + CREATE_PROCESS + close, @iters times, each timed as a whole;
 * then @iters / 4 times with each step timed on its own (the clock reads
 * between the steps would otherwise weigh on the total).
 */
int measure_create_close(const char *dev, unsigned int warmup,
			 unsigned int iters, struct create_series *out);

/*
 * The speed of the machine right now: the p50 of a batched getppid(), a
 * system call that does nothing. Under TCG on a shared host the guest
 * runs at one of two speeds, about 1.5 times apart, for a second or more
 * at a time, and this probe tells which.
 */
double speed_probe(void);

/* --- processes and their records (ctxbench_records.c) ------------------- */

/**
 * enum series_kind - what a measuring child reports
 * @SK_CREATE: open + CREATE_PROCESS + close, timed as a whole
 * @SK_CREATE_OPEN: its open() alone
 * @SK_CREATE_IOCTL: its CREATE_PROCESS alone
 * @SK_CREATE_CLOSE: its close() alone
 * @SK_VERSION: GET_VERSION
 * @SK_OPEN_CLOSE: open + close of a plain fd
 * @SK_GROW: mean cost of one open + CREATE_PROCESS while growing the
 *	population of secondaries to N (one sample per visit)
 * @SK_SHRINK: mean cost of one close while shrinking it to N
 * @SK_KINDS: number of kinds
 */
enum series_kind {
	SK_CREATE,
	SK_CREATE_OPEN,
	SK_CREATE_IOCTL,
	SK_CREATE_CLOSE,
	SK_VERSION,
	SK_OPEN_CLOSE,
	SK_GROW,
	SK_SHRINK,
	SK_KINDS,
};

#define MAX_RECORDS		64

/**
 * struct series - one quantity at one point, from every process
 * @rec: the samples of each record (a round, or a visit of an N)
 * @probe: the speed probe of each record, see speed_probe()
 * @records: entries in @rec and @probe
 */
struct series {
	struct samples rec[MAX_RECORDS];
	double probe[MAX_RECORDS];
	unsigned int records;
};

/**
 * struct results - what the children of a phase measured
 * @s: per point (a device, or an N) and kind
 */
struct results {
	struct series s[MAX_NS][SK_KINDS];
};

/* Records slower than this times the fastest probe ran in the slow mode. */
#define FAST_MARGIN		1.2

/**
 * struct series_stats - a series, all of it and in the fast mode only
 * @all: statistics of every sample
 * @fast: statistics of the records measured in the fast mode
 * @n_fast: records measured in the fast mode
 * @lo: the lowest p50 of a record
 * @hi: the highest p50 of a record
 */
struct series_stats {
	struct summary all;
	struct summary fast;
	unsigned int n_fast;
	double lo;
	double hi;
};

void results_free(struct results *r);

/*
 * In a measuring child: send series @s, measured between speed probes
 * @probe_a and @probe_b, as a record to the parent.
 */
void send_series(int out, unsigned int point, enum series_kind kind,
		 const struct samples *s, double probe_a, double probe_b);

/* A single value, without a speed probe. */
void send_value(int out, unsigned int point, enum series_kind kind,
		double v);

/*
 * Run @fn in a child process and return its exit status (-1 if it died
 * of a signal). Contexts the child created die with its address space.
 * With @r, the child gets the write end of a pipe as @out and what it
 * sends there is added to @r; without, @out is -1.
 */
int run_child(int (*fn)(const struct bench *b, const char *arg, int out),
	      const struct bench *b, const char *arg, struct results *r);

/* The fastest speed probe of any record of @r: the fast mode. */
double fastest_probe(const struct results *r);

/*
 * The statistics of @se, all of it and of the records whose probe is at
 * most FAST_MARGIN times @fast_probe.
 */
struct series_stats series_stats(const struct series *se, double fast_probe);

/* A fast-mode figure, or "-" if no record was measured in the fast mode. */
void print_fast(const char *fmt, unsigned int n_fast, double v);

/* --- the phases --------------------------------------------------------- */

/* Each returns false if the phase failed (the bench is broken). */
bool compare_phase(const struct bench *b);
bool scaling_phase(const struct bench *b);
bool memory_phase(const struct bench *b);

#endif /* CTXBENCH_H */
