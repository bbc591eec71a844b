/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * bench_sys - the process side of ctxbench and membench: errors, child
 * processes, the fd limit and table, the CPU the measurements run on.
 *
 * Each phase of a bench runs in a child process, so that the contexts it
 * made are gone, with the child's address space, before the next starts.
 */
#ifndef BENCH_SYS_H
#define BENCH_SYS_H

#include <stddef.h>
#include <sys/types.h>

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/* "<program>: @what: <strerror(errno)>" on stderr, and exit(1). */
_Noreturn void die(const char *what);

/* calloc() of at least one element, or die. */
void *xcalloc(size_t n, size_t size);

/* Flush stdio and fork; returns the child's pid, 0 in the child. */
pid_t bench_fork(void);

/* In a child of bench_fork(): flush stdio and _exit(@status). */
_Noreturn void bench_exit(int status);

/*
 * Wait for the child @pid; returns its exit status, or -1 if it died of
 * a signal (which is printed).
 */
int bench_wait(pid_t pid);

/*
 * Raise RLIMIT_NOFILE as far as allowed, up to @want; returns the limit
 * in force (at most 1 << 20).
 */
unsigned int raise_nofile(unsigned int want);

/*
 * Grow the fd table to @nofile entries now, so that neither its growth
 * nor its memory lands in a measurement. (A child starts with a table
 * sized to its parent's open fds, not to the parent's table.)
 */
void grow_fd_table(unsigned int nofile);

/* Keep the measuring thread on one CPU: no migrations mid-series. */
void pin_to_one_cpu(void);

/*
 * The first line of a bench's output: "@prog: kernel <release>, <n>
 * CPU(s), RLIMIT_NOFILE @nofile, scale @scale".
 */
void print_system(const char *prog, unsigned int nofile, double scale);

#endif /* BENCH_SYS_H */
