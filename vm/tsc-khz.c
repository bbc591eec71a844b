// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Print this host's TSC rate in kHz: the rate of a TCG guest's TSC, which
 * qemu reads from the host's. The debug kernel has no ACPI, hence no HPET
 * or PM timer to calibrate its TSC against, and calibrating against the
 * PIT fails under emulation; vm/kernels/debug.sh passes this rate as
 * tsc_early_khz= instead.
 *
 * Three 20 ms samples of the TSC against CLOCK_MONOTONIC_RAW; the median
 * is printed, so that one sample cut by preemption does not count.
 * Exits 1, printing nothing, where there is no TSC to read.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>

#define SAMPLES 3

static uint64_t ns_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t tsc_khz_sample(void)
{
	const struct timespec nap = { .tv_nsec = 20 * 1000 * 1000 };
	uint64_t t0, t1, c0, c1;

	t0 = ns_now();
	c0 = __rdtsc();
	nanosleep(&nap, NULL);
	t1 = ns_now();
	c1 = __rdtsc();
	return (c1 - c0) * 1000000u / (t1 - t0);
}

int main(void)
{
	uint64_t khz[SAMPLES], t;
	int i, j;

	for (i = 0; i < SAMPLES; i++) {
		khz[i] = tsc_khz_sample();
		for (j = i; j > 0 && khz[j - 1] > khz[j]; j--) {
			t = khz[j];
			khz[j] = khz[j - 1];
			khz[j - 1] = t;
		}
	}
	printf("%llu\n", (unsigned long long)khz[SAMPLES / 2]);
	return 0;
}
#else
int main(void)
{
	return 1;
}
#endif
