/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * nnbench - what its files share (see nnbench.c for what it measures):
 * the table (nnbench.c), the victim (nnbench_victim.c), the hostile
 * patterns that flood the engines (nnbench_flood.c) and those that try
 * to exhaust memory and PASIDs (nnbench_exhaust.c).
 */
#ifndef NNBENCH_H
#define NNBENCH_H

#include <stdint.h>
#include <sys/types.h>

#include "bench_stats.h"

/*
 * The unprivileged users of the bench: the victim, and one per kind of
 * memory-exhaustion attempt, so that no attempt takes another's share.
 * The flood patterns run as HOSTILE_UID.
 */
#define VICTIM_UID		65533
#define HOSTILE_UID		65534

#define KIB			1024ull
#define MIB			(1024 * KIB)
#define GIB			(1024 * MIB)

#define NN_COPY_QUEUES_MAX	64

/* The hostile patterns, in the order of the table. */
enum nn_pattern {
	NN_CPU_HOGS,
	NN_IDLE_QUEUES,
	NN_QUEUE_FLOOD,
	NN_COPY_FLOOD,
	NN_EVENT_FLOOD,
	NN_FAULT_STORM,
	NN_EXHAUST,
	NN_PATTERNS,
};

/**
 * struct nnbench - what to run, and on what
 * @dev: vkfd's device node
 * @topology: vkfd's topology directory in sysfs
 * @patterns: the hostile patterns to run, 1 << enum nn_pattern
 * @idle: whether to measure the row after 20 ms idle
 * @scale: factor on the iteration counts and the hostiles' sizes
 * @copy_queues: queues per process of the copy flood
 * @gpu_id: the GPU measured (the first one)
 */
struct nnbench {
	const char *dev;
	char topology[256];
	unsigned int patterns;
	unsigned int idle;
	double scale;
	unsigned int copy_queues;
	uint32_t gpu_id;
};

/* @n scaled by -s, at least @min. */
unsigned int nn_scaled(const struct nnbench *nb, unsigned int n,
		       unsigned int min);

/**
 * struct victim_result - what one victim run measured (sent up a pipe)
 * @fence: doorbell to fence, ns
 * @alloc: ALLOC_MEMORY_OF_GPU + MAP_MEMORY_TO_GPU, ns
 * @ops: ioctls and fences the victim tried in the measured part
 * @failures: those that failed (a fence not seen in time is one)
 * @setup_err: 0, or the -errno of the victim's setup (nothing measured)
 * @first_err: the -errno of the first failure, 0 if none
 * @first_what: the operation that failed first
 */
struct victim_result {
	struct summary fence;
	struct summary alloc;
	unsigned long ops;
	unsigned long failures;
	int setup_err;
	int first_err;
	char first_what[24];
};

/*
 * Run the victim in a child process: @fences doorbell-to-fence samples,
 * each @idle_ms after the one before, then @allocs alloc+map samples.
 * Fills @r; returns 0, or -1 if the child died.
 */
int victim_measure(const struct nnbench *nb, unsigned int fences,
		   unsigned int idle_ms, unsigned int allocs,
		   struct victim_result *r);

/**
 * struct hostile_msg - a hostile process's report, once it is set up
 * @err: 0, or the -errno that stopped its set-up (it then idles)
 * @count: the resources it made (queues, events, bytes, PASIDs)
 * @refused: the errno that ended its exhaustion, 0 if none
 * @index: its place in struct hostiles
 */
struct hostile_msg {
	int err;
	int refused;
	unsigned long count;
	unsigned int index;
};

#define HOSTILE_PROCS_MAX	16

/**
 * struct hostiles - the processes of one hostile pattern
 * @pid: their pids
 * @n: how many were forked
 * @msg: their reports, in the order they were forked
 * @ready: how many reported
 * @note: what they did, for the line under the table
 */
struct hostiles {
	pid_t pid[HOSTILE_PROCS_MAX];
	unsigned int n;
	struct hostile_msg msg[HOSTILE_PROCS_MAX];
	unsigned int ready;
	char note[400];
};

/* Start hostile pattern @p; wait until its processes are set up. */
void hostiles_start(const struct nnbench *nb, enum nn_pattern p,
		    struct hostiles *h);

/* SIGKILL the hostile processes and reap them. */
void hostiles_stop(struct hostiles *h);

/*
 * Fork one more hostile process of @h, which runs @fn(@nb, HOSTILE_ARG(its
 * index, @extra), @wfd): @fn sets up, reports with hostile_report() to
 * @wfd, and then loops until it is killed.
 */
void hostile_spawn(struct hostiles *h, const struct nnbench *nb, int wfd,
		   void (*fn)(const struct nnbench *nb, unsigned int arg,
			      int wfd),
		   unsigned int extra);

/* Write the hostile's report to @wfd: struct hostile_msg, @index from @arg. */
void hostile_report(int wfd, unsigned int arg, int err, unsigned long count,
		    int refused);

/* A hostile process's @arg: its index, and the pattern's own bits above. */
#define HOSTILE_ARG(index, extra)	((index) | (extra) << 8)
#define HOSTILE_INDEX(arg)		((arg) & 0xff)
#define HOSTILE_EXTRA(arg)		((arg) >> 8)

/* Become user @uid, without groups or capabilities: 0 or -errno. */
int drop_to(uid_t uid);

/*
 * The flood patterns (nnbench_flood.c): fork their processes into @h;
 * once they reported, say what they made in @h->note.
 */
void flood_start(const struct nnbench *nb, enum nn_pattern p,
		 struct hostiles *h, int wfd);
void flood_note(enum nn_pattern p, struct hostiles *h);

/* The memory-exhaustion attempts (nnbench_exhaust.c), the same way. */
void exhaust_start(const struct nnbench *nb, struct hostiles *h, int wfd);
void exhaust_note(struct hostiles *h);
/* Undo what exhaust_start() changed in the module's parameters. */
void exhaust_restore(void);

#endif /* NNBENCH_H */
