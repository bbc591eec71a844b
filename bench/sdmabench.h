/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * sdmabench - what its files share (see sdmabench.c for what it measures):
 * the copy and latency phases (sdmabench.c), the events phase
 * (sdmabench_events.c).
 */
#ifndef SDMABENCH_H
#define SDMABENCH_H

#include <stdint.h>

/**
 * struct sdmabench - what to run, and on what
 * @dev: vkfd's device node
 * @amdkfd: amdkfd's device node, for the events comparison
 * @topology: vkfd's topology directory in sysfs
 * @phases: PHASE_* bits
 * @runs: measured runs per point (after one discarded warm-up run)
 * @scale: factor on the iteration counts
 * @gpu_id: the GPU measured (the first one)
 */
struct sdmabench {
	const char *dev;
	const char *amdkfd;
	char topology[256];
	unsigned int phases;
	unsigned int runs;
	double scale;
	uint32_t gpu_id;
};

/* @n scaled by -s, at least @min. */
unsigned int scaled(const struct sdmabench *sb, unsigned int n,
		    unsigned int min);

/* The events phase: vkfd against amdkfd. Returns 0, or 1 if an op failed. */
int events_phase(const struct sdmabench *sb);

#endif /* SDMABENCH_H */
