/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * fuzz.h - the random-sequence fuzzer of /dev/kfd and the render nodes
 * (tests/fuzz.c runs it; docs/testing.rst, "The fuzzer").
 *
 * One struct fuzz holds everything a run knows: its random stream, the
 * GPUs, and pools of what it got from the kernel (context fds, render
 * fds, buffer handles and mmap offsets, queue and event ids, mappings).
 * Every operation (struct fuzz_op) picks its arguments from the stream:
 * mostly valid ones taken from the pools, else boundary values (sizes 0,
 * 1, a page less one, huge, overflowing; every flag bit; non-zero pads;
 * bogus gpu_ids), and ids stay in the pools after they are freed, so they
 * come back as stale ids. Each call is checked against the errno contract
 * of docs/uapi.rst and docs/render.rst (fuzz_check()): a return other
 * than 0 or -1, or an errno the command does not document, fails the run
 * with the seed to replay.
 *
 * tests/fuzz/core.c    the stream, the pools, the checks, the run loop
 * tests/fuzz/kfd.c     the KFD ioctls: contexts, GPU memory, misc
 * tests/fuzz/kfd_q.c   the KFD ioctls: queues and events, SDMA packets
 * tests/fuzz/kfd_cq.c  PM4 and AQL packets on COMPUTE and COMPUTE_AQL queues
 * tests/fuzz/drm.c     render node ioctls, mmap of both devices
 * tests/fuzz/proc.c    fork, SCM_RIGHTS, exec, threads and close races
 */
#ifndef VKFD_FUZZ_H
#define VKFD_FUZZ_H

#include "vkfd_test.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define FUZZ_CTX_MAX	8	/* KFD fds at most */
#define FUZZ_RENDER_MAX	6	/* render fds at most */
#define FUZZ_POOL_MAX	48	/* ids of one kind remembered */
#define FUZZ_MAP_MAX	24	/* CPU mappings kept */
#define FUZZ_SDMA_MAX	4	/* SDMA queues fed with packets */
#define FUZZ_CQ_MAX	4	/* compute queues fed: 2 PM4, then 2 AQL */
#define FUZZ_FED_MAX	(FUZZ_SDMA_MAX + FUZZ_CQ_MAX)
#define FUZZ_OPS_MAX	64	/* kinds of operation */
#define FUZZ_ARG_SIZE	4096	/* the scratch argument of odd-sized calls */
#define FUZZ_USER_SIZE	(1u << 20)	/* memory USERPTRs are made of */
/*
 * A buffer larger than this is freed as soon as it is made: mapping it
 * would pin all its pages (a 2 GiB GTT buffer is 2 GiB of RAM), which
 * only exhausts the guest. Its handle stays in the pool, stale.
 */
#define FUZZ_KEEP_MAX	(256u << 10)

/**
 * struct fuzz_pool - ids of one kind, the newest FUZZ_POOL_MAX
 * @v: the ids
 * @n: how many are valid
 * @next: the slot the next one goes to
 */
struct fuzz_pool {
	uint64_t v[FUZZ_POOL_MAX];
	unsigned int n;
	unsigned int next;
};

/**
 * struct fuzz_ctx - a KFD fd of the pool
 * @fd: the fd, -1 for a free slot
 * @owner: the process that opened it: any other gets EBADF
 * @secondary: CREATE_PROCESS made it a secondary
 * @vm_mask: GPUs (indices) it has a VM on, as far as the fuzzer knows
 * @vm_render: per GPU, the render fd its VM was bound to, -1 if unknown
 */
struct fuzz_ctx {
	int fd;
	pid_t owner;
	bool secondary;
	uint32_t vm_mask;
	int vm_render[VKFD_MAX_GPUS];
};

/**
 * struct fuzz_buf - a buffer the fuzzer allocated, maybe freed since
 * @handle: its handle
 * @offset: its mmap offset (of the render file, or a KFD cookie)
 * @ctx: the KFD slot it was allocated through
 * @render: the render fd its context's VM was bound to, -1 if unknown
 */
struct fuzz_buf {
	uint64_t handle;
	uint64_t offset;
	int ctx;
	int render;
};

/**
 * struct fuzz_render - a render fd of the pool
 * @fd: the fd, -1 for a free slot
 * @gpu: the index of its GPU
 */
struct fuzz_render {
	int fd;
	int gpu;
};

/**
 * struct fuzz_map - a CPU mapping the fuzzer made
 * @addr: where, NULL for a free slot
 * @len: bytes
 * @kfd: of /dev/kfd (doorbells, MMIO, events): not inherited by fork()
 */
struct fuzz_map {
	void *addr;
	size_t len;
	bool kfd;
};

/**
 * struct fuzz_sdma - a queue the fuzzer writes packets to
 * @ctx: its context's slot, -1 for a free slot
 * @type: KFD_IOC_QUEUE_TYPE_* (kfd_cq.c's compute queues: the write
 *	pointer @q.wptr counts dwords or packet ids, not bytes)
 * @q: libvkfd's queue, or kfd_cq.c's built alike
 */
struct fuzz_sdma {
	int ctx;
	uint32_t type;
	struct vkfd_queue q;
};

struct fuzz;

/**
 * struct fuzz_op - one kind of operation
 * @name: for the failure report
 * @weight: how often it is picked, relative to the others
 * @race: it may run in a race burst: no fd is opened or closed, no CPU
 *	mapping made, touched or removed (another thread is running)
 * @fn: does it, checking every call
 */
struct fuzz_op {
	const char *name;
	unsigned int weight;
	bool race;
	void (*fn)(struct fuzz *f);
};

/**
 * struct fuzz - a run
 * @seed: the seed it was started with
 * @rng: the random stream's state
 * @calls: calls made so far (ioctls, mmaps, and the syscalls around them)
 * @target: calls to make
 * @threads: race bursts may run (the run is then not replayed exactly)
 * @racing: in a race burst: errnos a concurrent close or conversion
 *	gives are allowed too (EBADF, EINVAL, EOPNOTSUPP, ...)
 * @loose: only the return value is checked (an fd number that may have
 *	been reused by another file)
 * @forks: fork()s (and exec()s) still allowed in this process
 * @userptr: the primary (shared by all primary fds) has allocated a
 *	USERPTR: MAP may pin its pages and fail with EFAULT
 * @profile: time each kind of operation (VKFD_FUZZ_PROFILE=1)
 * @primary_render: per GPU, the render fd the primary's VM was bound to
 *	(all primary fds share it), -1 if unknown
 * @failed: an invariant failed; the run stops
 * @pid: the process running this struct (forked children update it)
 * @op: the operation running, for the failure report
 * @call: the call being checked, for the failure report
 * @env: the device under test
 * @ngpus: GPUs
 * @gpu: their gpu_ids
 * @nodes: topology nodes, the CPU's included
 * @ctx: KFD fds
 * @render: render fds
 * @handles: buffer handles, live and freed
 * @offsets: mmap offsets ALLOC returned (render and KFD cookies)
 * @queues: queue ids
 * @events: event ids
 * @stale: fd numbers closed by the fuzzer, maybe reused since
 * @buf: buffers with what they belong to, the newest FUZZ_POOL_MAX
 * @nbuf: how many of @buf are valid
 * @nextbuf: the slot of @buf the next one goes to
 * @map: CPU mappings
 * @sdma: queues fed with packets: FUZZ_SDMA_MAX SDMA, then the compute ones
 * @user: FUZZ_USER_SIZE bytes of anonymous memory for USERPTRs
 * @arg: FUZZ_ARG_SIZE bytes of scratch argument, then an unmapped page
 * @bad: an address that faults
 * @ops: every kind of operation
 * @nops: how many
 * @cur: the kind of operation running
 * @prof_n: per kind, how often it ran (with @profile)
 * @prof_ns: per kind, nanoseconds it took
 * @prof_ok: per kind, calls that succeeded
 */
struct fuzz {
	uint64_t seed;
	uint64_t rng;
	uint64_t calls;
	uint64_t target;
	bool threads;
	bool racing;
	bool loose;
	unsigned int forks;
	bool userptr;
	bool profile;
	int primary_render[VKFD_MAX_GPUS];
	bool failed;
	pid_t pid;
	const char *op;
	const char *call;
	struct vkfd_env env;
	int ngpus;
	uint32_t gpu[VKFD_MAX_GPUS];
	int nodes;
	struct fuzz_ctx ctx[FUZZ_CTX_MAX];
	struct fuzz_render render[FUZZ_RENDER_MAX];
	struct fuzz_pool handles;
	struct fuzz_pool offsets;
	struct fuzz_pool queues;
	struct fuzz_pool events;
	struct fuzz_pool stale;
	struct fuzz_buf buf[FUZZ_POOL_MAX];
	unsigned int nbuf;
	unsigned int nextbuf;
	struct fuzz_map map[FUZZ_MAP_MAX];
	struct fuzz_sdma sdma[FUZZ_FED_MAX];
	uint8_t *user;
	uint8_t *arg;
	void *bad;
	const struct fuzz_op *ops[FUZZ_OPS_MAX];
	unsigned int nops;
	unsigned int cur;
	uint64_t prof_n[FUZZ_OPS_MAX];
	uint64_t prof_ns[FUZZ_OPS_MAX];
	uint64_t prof_ok[FUZZ_OPS_MAX];
};

/* --- the run (core.c) --------------------------------------------------- */

/**
 * struct fuzz_opts - what a run is asked to do
 * @seed: its seed
 * @calls: calls to make
 * @threads: allow threads and race bursts (not replayable exactly)
 * @forks: allow fork() and exec() (replayable: the parent waits)
 */
struct fuzz_opts {
	uint64_t seed;
	uint64_t calls;
	bool threads;
	bool forks;
};

/* Set up @f for @o: environment, GPUs, scratch memory. 0 or -errno. */
int fuzz_init(struct fuzz *f, const struct fuzz_opts *o);

/* Run until @f->target calls or a failure; true if no invariant failed. */
bool fuzz_run(struct fuzz *f);

/* With @f->profile: a line per kind of operation, the costliest first. */
void fuzz_profile_print(const struct fuzz *f);

/* Close and unmap everything @f holds. */
void fuzz_fini(struct fuzz *f);

/* Run @n operations picked by @f's stream (fork and race bodies). */
void fuzz_steps(struct fuzz *f, uint64_t n);

/* --- the random stream ---------------------------------------------------- */

uint64_t fuzz_rand(struct fuzz *f);

/* Uniform in 0 .. @n - 1 (@n > 0). */
uint32_t fuzz_below(struct fuzz *f, uint32_t n);

/* True @num times in @den. */
bool fuzz_chance(struct fuzz *f, uint32_t num, uint32_t den);

/* A 64-bit value at a boundary, or random. */
uint64_t fuzz_u64(struct fuzz *f);

/* A 32-bit value: mostly 0, else a boundary or random (pads, flags). */
uint32_t fuzz_pad(struct fuzz *f);

/* A size: mostly a few pages, else 0, 1, a page less one, huge, ... */
uint64_t fuzz_size(struct fuzz *f);

/* A gpu_id: mostly a real one, else 0, a bogus one or random. */
uint32_t fuzz_gpu_id(struct fuzz *f);

/* Index of a random GPU (0 without GPUs). */
int fuzz_gpu_index(struct fuzz *f);

/* --- pools ----------------------------------------------------------------- */

void fuzz_pool_add(struct fuzz_pool *p, uint64_t v);

/* A remembered id, or @dflt if the pool is empty. */
uint64_t fuzz_pool_pick(struct fuzz *f, const struct fuzz_pool *p,
			uint64_t dflt);

/*
 * The slot of a KFD fd to use: mostly a live one, a new one if there is
 * none (or at random). -1 only if /dev/kfd cannot be opened at all,
 * which fails the run.
 */
int fuzz_ctx_pick(struct fuzz *f);

/* Remember buffer @b; pick one (NULL if none). */
void fuzz_buf_add(struct fuzz *f, const struct fuzz_buf *b);
const struct fuzz_buf *fuzz_buf_pick(struct fuzz *f);

/* Slot @c now holds @fd, opened by @owner, nothing known of it yet. */
void fuzz_ctx_set(struct fuzz_ctx *c, int fd, pid_t owner);

/* Open a new KFD fd into a slot (closing a random one when full); slot or -1. */
int fuzz_ctx_open(struct fuzz *f);

/* Close slot @ci's fd and remember its number as stale. */
void fuzz_ctx_close(struct fuzz *f, int ci);

/* A render fd of GPU @gpu (opening one if needed), or -1. */
int fuzz_render_fd(struct fuzz *f, int gpu);

/* Remember a CPU mapping (unmapping the oldest when full). */
void fuzz_map_add(struct fuzz *f, void *addr, size_t len, bool kfd);

/* --- checks ---------------------------------------------------------------- */

/* The bit of errno @e in an allowed-errno mask. */
uint64_t fuzz_eb(int e);

/*
 * Check one call's result: @ret is what the syscall returned, @err its
 * errno. Fails the run unless @ret is 0 (or @ok_pos and positive) or -1
 * with an errno in @allowed (ENOMEM is always allowed). Returns 0 or
 * -errno.
 */
int fuzz_check(struct fuzz *f, const char *what, long ret, int err,
	       uint64_t allowed);

/*
 * ioctl(@fd, @cmd, @arg) on KFD slot @ci, checked: the owner gets
 * @allowed; any other process EBADF only. Returns 0 or -errno.
 */
int fuzz_kfd(struct fuzz *f, int ci, unsigned long cmd, void *arg,
	     uint64_t allowed, const char *what);

/* ioctl() of any fd, checked against @allowed. Returns 0 or -errno. */
int fuzz_ioctl(struct fuzz *f, int fd, unsigned long cmd, void *arg,
	       uint64_t allowed, const char *what);

/* Report an invariant that failed, with the seed to replay it. */
void fuzz_fail(struct fuzz *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Does vkfd know KFD ioctl number @nr (else ENOTTY before anything else)? */
bool fuzz_kfd_known(unsigned int nr);

/* The errnos every KFD command may give (docs/uapi.rst), by ioctl number. */
uint64_t fuzz_kfd_errnos(unsigned int nr);

/* --- the operations ------------------------------------------------------- */

extern const struct fuzz_op fuzz_kfd_ops[];
extern const unsigned int fuzz_kfd_nops;
extern const struct fuzz_op fuzz_kfd_q_ops[];
extern const unsigned int fuzz_kfd_q_nops;
extern const struct fuzz_op fuzz_kfd_cq_ops[];
extern const unsigned int fuzz_kfd_cq_nops;
extern const struct fuzz_op fuzz_drm_ops[];
extern const unsigned int fuzz_drm_nops;
extern const struct fuzz_op fuzz_proc_ops[];
extern const unsigned int fuzz_proc_nops;

/* Tear down fed queue slot @i (proc.c's children forget them instead). */
void fuzz_sdma_drop(struct fuzz *f, int i);

/*
 * For a fed queue: pick a context of this process and a GPU (*@g), and
 * bind the context's VM there to that GPU's render file (*@render), as
 * @c. Returns the context's index, or -1 if there is none or the bind
 * failed.
 */
int fuzz_queue_ctx(struct fuzz *f, struct vkfd_context *c, int *g,
		   int *render);

/*
 * A GPU address for a fed queue's packet: mostly in the queue's own
 * buffer (the ring's second half and the pointers' page), sometimes in
 * the fuzzer's buffers, sometimes anywhere.
 */
uint64_t fuzz_queue_addr(struct fuzz *f, const struct vkfd_queue *q);

/*
 * The image of an exec()ed fuzzer child: argv[0] "--exec-child", then
 * the KFD fds it inherited. Each must answer EBADF; a fresh open must
 * work. Returns the exit status.
 */
int fuzz_exec_child(int argc, char **argv);

#endif /* VKFD_FUZZ_H */
