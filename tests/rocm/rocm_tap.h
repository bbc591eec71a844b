/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * TAP output and small helpers shared by the ROCm programs (tests/rocm,
 * bench/rocm), which link Debian's libhsakmt or libhsa-runtime64
 * dynamically. Each is one sequence (open, allocate, copy, shut down)
 * whose steps need the ones before, not a set of independent tests for
 * the kselftest harness: they print one "ok N - name" line per check and
 * the plan at the end, which vm/report.py counts like a kselftest
 * binary's output.
 */
#ifndef ROCM_TAP_H
#define ROCM_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/**
 * struct tap - the checks of one program
 * @n: checks so far
 * @failed: of those, failed
 */
struct tap {
	unsigned int n;
	unsigned int failed;
};

static inline void tap_init(struct tap *t)
{
	t->n = 0;
	t->failed = 0;
	/* one line at a time, so a crash loses nothing already checked */
	setvbuf(stdout, NULL, _IOLBF, 0);
}

/* One check: "ok N - name" or "not ok N - name". Returns @ok. */
static inline bool __attribute__((format(printf, 3, 4)))
tap_check(struct tap *t, bool ok, const char *fmt, ...)
{
	va_list ap;

	t->n++;
	if (!ok)
		t->failed++;
	printf("%sok %u - ", ok ? "" : "not ", t->n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return ok;
}

static inline void __attribute__((format(printf, 1, 2)))
tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* The plan, last; the exit status: 0 if every check passed. */
static inline int tap_done(struct tap *t)
{
	printf("1..%u\n", t->n);
	return t->failed ? 1 : 0;
}

/**
 * struct rocm_expect - what the lane loaded the module with
 * @num_gpus: virtual GPUs (module parameter num_gpus)
 * @vram_mb: VRAM per GPU in MiB (vram_mb)
 */
struct rocm_expect {
	unsigned int num_gpus;
	unsigned int vram_mb;
};

/*
 * The module's parameters come from VKFD_MODULE_PARAMS, which vm/init
 * exports ("num_gpus=2 vram_mb=512"); missing ones take the module's
 * defaults (1 GPU, 1024 MiB).
 */
static inline void rocm_expect_get(struct rocm_expect *e)
{
	const char *params = getenv("VKFD_MODULE_PARAMS");
	char buf[256], *tok, *save;

	e->num_gpus = 1;
	e->vram_mb = 1024;
	snprintf(buf, sizeof(buf), "%s", params ? params : "");
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		sscanf(tok, "num_gpus=%u", &e->num_gpus);
		sscanf(tok, "vram_mb=%u", &e->vram_mb);
	}
}

static inline double rocm_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A pattern that differs for every byte offset and every seed. */
static inline void rocm_fill(void *buf, size_t size, uint64_t seed)
{
	uint64_t *p = buf, x = seed * 0x9e3779b97f4a7c15ull + 1;
	size_t i;

	for (i = 0; i < size / 8; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = x;
	}
}

/* Offset of the first byte where @a and @b differ, or -1. */
static inline long rocm_cmp(const void *a, const void *b, size_t size)
{
	const unsigned char *x = a, *y = b;
	size_t i;

	if (!memcmp(a, b, size))
		return -1;
	for (i = 0; i < size && x[i] == y[i]; i++)
		;
	return (long)i;
}

#endif /* ROCM_TAP_H */
