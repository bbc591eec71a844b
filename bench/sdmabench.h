/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * sdmabench - what its files share (see sdmabench.c for what it measures):
 * the copy and latency phases (sdmabench.c), the compute phase
 * (sdmabench_compute.c), the events phase (sdmabench_events.c).
 */
#ifndef SDMABENCH_H
#define SDMABENCH_H

#include <stdint.h>

#include "bench_stats.h"

/* Doorbell-to-completion samples: back to back, and after IDLE_MS idle. */
#define LATENCY_SAMPLES		300
#define IDLE_SAMPLES		100
#define IDLE_MS			20

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

/*
 * @n + 1 round trips of @once (which returns the ns one took, or 0 when
 * it failed), each @idle_ms after the one before; the first is
 * discarded. Their statistics, or n = 0 if one failed.
 */
struct summary latency_samples(uint64_t (*once)(void *arg), void *arg,
			       unsigned int n, unsigned int idle_ms);

/*
 * The compute phase (PM4, AQL), in the context @ctx whose VM on the GPU
 * is bound to @render. Returns 0, or 1 if an op failed.
 */
struct vkfd_context;
int compute_phase(const struct sdmabench *sb, const struct vkfd_context *ctx,
		  int render);

/* The events phase: vkfd against amdkfd. Returns 0, or 1 if an op failed. */
int events_phase(const struct sdmabench *sb);

#endif /* SDMABENCH_H */
