/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vkfd_test.h - the base layer of the vkfd selftests (tests/lib/).
 *
 * The files of tests/lib/ are compiled once into build/lib/libvkfd_test.a, which
 * every test binary links (before libvkfd.a). This header declares it;
 * a test includes it after kselftest_harness.h, which turns on the part
 * at the end that uses the harness (fixture glue and assertions).
 *
 * One helper per concept:
 *   the environment		struct vkfd_env, vkfd_env_init()
 *   files the kernel shows	vkfd_read_u64(), vkfd_props_read(), ...
 *   the topology		vkfd_topo_load(), vkfd_proc_*(), vkfd_ctx_sysfs_*()
 *   child processes		struct vkfd_child, vkfd_child_start()
 *   fds to close		struct vkfd_cleanup
 *   the base fixture		struct vkfd_base: environment, GPUs, the
 *				primary and its render fd, a cleanup list,
 *				a child; every topic fixture embeds one
 *   contexts			vkfd_ctx_id_of_fd(), vkfd_ctx_pasid(),
 *				vkfd_ctx_available(), vkfd_context_vm()
 *   ioctls			iommufd's three spellings: _test_x() returns
 *				0 or -errno, test_x() asserts success,
 *				test_err_x(E, ...) asserts errno E
 *   fault injection		VKFD_FAIL_NTH(), as iommufd's TEST_FAIL_NTH
 *
 * The same binaries run against vkfd and against the real amdkfd; the
 * environment says which one is under test and where it lives.
 */
#ifndef VKFD_TEST_H
#define VKFD_TEST_H

#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <linux/kfd_ioctl.h>
#include <linux/vkfd_ioctl.h>

#include "libvkfd.h"

#define VKFD_SENTINEL		0xa5

/* ------------------------------------------------------------------------
 * Environment contract (set by the guest init)
 */

struct vkfd_env {
	char dev[256];			/* VKFD_DEV */
	char sysfs[256];		/* VKFD_SYSFS: class device dir */
	char topology[256];		/* VKFD_TOPOLOGY */
	bool amdkfd;			/* VKFD_IMPL == amdkfd */
	const char *module;		/* VKFD_MODULE, NULL if unset */
	const char *module_params;	/* VKFD_MODULE_PARAMS, "" if unset */
};

/* @var of the environment into @dst, @dflt if unset or empty. */
void vkfd_env_str(char *dst, size_t n, const char *var, const char *dflt);

void vkfd_env_init(struct vkfd_env *env);

/*
 * Inside one of vm/'s lanes (VKFD_LANE is set by the guest's init)?
 * There, what the harness stages (vkfdctl, the dynamic test programs,
 * the modules) missing is a failure of the harness, not a reason to skip.
 */
bool vkfd_in_lane(void);

/*
 * @n iterations of a long loop, divided by VKFD_TEST_SCALE (the lane's
 * SCALE: 10 in the debug lane, whose KASAN kernel is ~10 times slower, 5
 * in the lanes of the newer distribution kernels); at least 1.
 */
int vkfd_scaled(int n);

/*
 * Whether tests that must reach a limit that cannot be scaled down (65,535
 * secondaries) run: not where VKFD_TEST_EXHAUSTIVE=0 (the debug lane, the
 * lane files' GUEST_ENV), which leaves them to distro lanes.
 */
bool vkfd_exhaustive(void);

/* A new fd of the device under test: a primary, or one to be made a secondary. */
int vkfd_open_dev(const struct vkfd_env *env);

/* Same command number and type, another size and direction. */
#define VKFD_IOC_RESIZE(cmd, dir, size)					\
	_IOC(dir, _IOC_TYPE(cmd), _IOC_NR(cmd), size)

/* Fill @len bytes at @buf with the sentinel. */
void vkfd_fill(void *buf, size_t len);

/* True if @len bytes at @buf still hold the sentinel. */
bool vkfd_untouched(const void *buf, size_t len);

/* A page that is guaranteed to fault: mapped, then unmapped. */
void *vkfd_unmapped_page(void);

/* Sleeps @ms milliseconds, through signals. */
void vkfd_sleep_ms(unsigned int ms);

/* CLOCK_MONOTONIC in milliseconds: bounds of waits, never a result. */
uint64_t vkfd_now_ms(void);

#define VKFD_PROPS_MAX		128
#define VKFD_TEXT_MAX		8192

/* ------------------------------------------------------------------------
 * sysfs helpers
 */

bool vkfd_exists(const char *path);

bool vkfd_is_dir(const char *path);

/* Reads a whole (sysfs) file into @buf, NUL-terminated. Returns length or -errno. */
ssize_t vkfd_read_text(const char *path, char *buf, size_t size);

/* Strict unsigned decimal: digits only, no sign, fits in 64 bits. */
bool vkfd_parse_u64(const char *s, size_t len, uint64_t *val);

/* A file holding exactly "<decimal>\n". Returns 0, -errno or -EINVAL. */
int vkfd_read_u64(const char *path, uint64_t *val);

/* Number of entries in a directory (without . and ..), or -errno. */
int vkfd_count_entries(const char *path);

/*
 * Directory whose entries are exactly the directories "0" .. "n-1".
 * Returns n, -errno, or -EINVAL if an entry is not such a directory.
 */
int vkfd_count_indexed(const char *path);

/* ------------------------------------------------------------------------
 * "key <decimal>" property files
 */

struct vkfd_prop {
	char key[48];
	uint64_t val;
};

struct vkfd_props {
	int count;
	struct vkfd_prop p[VKFD_PROPS_MAX];
	char err[160];		/* why parsing failed */
};

#define VKFD_PROPS_CACHE	(1 << 0)	/* a cache: "sibling_map a,b,c" allowed */
#define VKFD_PROPS_EMPTY_MAP	(1 << 1)	/* ... and may be empty (amdkfd) */

/*
 * Parses a properties file: each line "key <unsigned decimal>\n", keys
 * unique. Returns 0 or -EINVAL with props->err set.
 */
int vkfd_props_parse(const char *text, struct vkfd_props *props,
		     unsigned int flags);

int vkfd_props_read(const char *path, struct vkfd_props *props,
		    unsigned int flags);

bool vkfd_prop(const struct vkfd_props *props, const char *key,
	       uint64_t *val);

/* Value of @key, or ~0 if it is missing (never a valid value here). */
uint64_t vkfd_prop_val(const struct vkfd_props *props,
		       const char *key);

/* ------------------------------------------------------------------------
 * Pinned pages
 */

/*
 * Pages pinned with FOLL_PIN system-wide (/proc/vmstat), or INT64_MIN.
 * The counters are per-CPU below a threshold: fold them first, with
 * /proc/sys/vm/stat_refresh (root), or a few pins would not show.
 */
int64_t vkfd_pinned_pages(void);


#define VKFD_MAX_NODES		64
#define VKFD_PROC_GONE_MS	10000	/* amdkfd releases processes from a workqueue */

/* ------------------------------------------------------------------------
 * Topology
 */

struct vkfd_topo {
	int num_nodes;
	int num_gpus;
	uint32_t node_gpu_id[VKFD_MAX_NODES];	/* per node, 0 = CPU */
	uint32_t gpu_id[VKFD_MAX_NODES];	/* GPU nodes only, in node order */
	int gpu_node[VKFD_MAX_NODES];		/* node index of gpu_id[i] */
};

/* Reads nodes/N/gpu_id for every node. Returns 0 or -errno. */
int vkfd_topo_load(const char *topology, struct vkfd_topo *t);

bool vkfd_topo_has_gpu(const struct vkfd_topo *t, uint32_t id);

/* A non-zero gpu_id that no node has. */
uint32_t vkfd_topo_unused_gpu_id(const struct vkfd_topo *t);

/* ------------------------------------------------------------------------
 * Per-process sysfs entries: $VKFD_SYSFS/proc/<pid>
 */

void vkfd_proc_path(const struct vkfd_env *env, pid_t pid,
		    const char *file, char *buf, size_t n);

bool vkfd_proc_exists(const struct vkfd_env *env, pid_t pid);

/* The secondaries of process @pid: its context_* directories in sysfs. */
int vkfd_ctx_dir_count(const struct vkfd_env *env, pid_t pid);

/* Returns the pasid of @pid's primary context, 0 if it cannot be read. */
uint64_t vkfd_proc_pasid(const struct vkfd_env *env, pid_t pid);

/*
 * After the process @pid was reaped: is proc/<pid> gone? vkfd removes it
 * before waitpid() returns; amdkfd from a workqueue, so poll (bounded).
 */
bool vkfd_proc_gone_after_exit(const struct vkfd_env *env,
			       pid_t pid);

/* ------------------------------------------------------------------------
 * Per-context sysfs files: $VKFD_SYSFS/proc/<pid>[/context_<id>]
 */

/* $VKFD_SYSFS/proc/<pid>[/context_<id>]/@file of a context. */
void vkfd_ctx_sysfs_path(const struct vkfd_env *env, pid_t pid,
			 uint32_t ctx_id, const char *file,
			 char *buf, size_t n);

/* A decimal sysfs file of a context: 0 or -errno. */
int vkfd_ctx_sysfs_u64(const struct vkfd_env *env, pid_t pid,
		       uint32_t ctx_id, const char *file,
		       uint64_t *val);

/*
 * The value of a context's decimal sysfs file named by @fmt (as
 * printf()), UINT64_MAX if it cannot be read: for comparisons, where an
 * unreadable file fails them.
 */
uint64_t vkfd_ctx_sysfs_val(const struct vkfd_env *env, pid_t pid,
			    uint32_t ctx_id, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ------------------------------------------------------------------------
 * PASIDs and GPU VMs
 */

/*
 * On vkfd a context holds a PASID only once it has a GPU VM (made by
 * AMDKFD_IOC_ACQUIRE_VM), as in Linux 7.0; amdkfd 6.1 gives a process its
 * PASID at open(). Tests that use the sysfs pasid as the identity of a
 * primary give the context of @fd its VM on the first GPU first: the
 * render file is closed again, the context keeps it. Nothing to do on
 * amdkfd. Returns 0 or -errno.
 */
int vkfd_pasid_vm(const struct vkfd_env *env, int fd);


/* ------------------------------------------------------------------------
 * Child processes driven over a pair of pipes. The child runs @fn and
 * exits with its return value; it must not use the harness macros.
 */

struct vkfd_child {
	pid_t pid;
	int to_child;		/* parent writes */
	int from_child;		/* parent reads */
};

typedef int (*vkfd_child_fn)(void *arg, int in, int out);

int vkfd_child_start(struct vkfd_child *c, vkfd_child_fn fn,
		     void *arg);

/* Messages are single 64-bit words. Return 0 or -1. */
int vkfd_msg_send(int fd, uint64_t v);

int vkfd_msg_recv(int fd, uint64_t *v);

/* Reaps the child; returns its exit code, or 128 + signal. */
int vkfd_child_wait(struct vkfd_child *c);

/* Teardown path: kill and reap a child that may still be running. */
void vkfd_child_kill(struct vkfd_child *c);

/* ------------------------------------------------------------------------
 * Passing fds with SCM_RIGHTS
 */

int vkfd_send_fd(int sock, int fd);

/* Returns the received fd or -1. */
int vkfd_recv_fd(int sock);

/* ------------------------------------------------------------------------
 * Running a program (vkfdctl.c, module.c)
 */

/*
 * Runs @argv[0] with @argv and the test's environment, its stdout (and
 * its stderr too if @with_stderr) into @out, NUL-terminated. Returns its
 * exit status, or -1 if it could not be run or did not exit.
 */
int vkfd_run(char *const argv[], bool with_stderr, char *out,
	     size_t size);


/* ------------------------------------------------------------------------
 * The cleanup list: fds a test opened, closed by the fixture's teardown
 */

struct vkfd_cleanup {
	int n;
	int cap;
	int *fd;
};

/* Close @fd at teardown. Returns @fd, or -EBADF (bad @fd) or -ENOMEM. */
int vkfd_cleanup_fd(struct vkfd_cleanup *cl, int fd);

/* Close @fd now; the teardown then leaves it alone. Returns close()'s. */
int vkfd_cleanup_close(struct vkfd_cleanup *cl, int fd);

/* Close everything on the list, newest first; the list is empty (and freed) after. */
void vkfd_cleanup_run(struct vkfd_cleanup *cl);

/* ------------------------------------------------------------------------
 * The base fixture: what every topic fixture embeds as its first member
 */

/**
 * struct vkfd_base - the state every vkfd test starts from
 * @env: the environment (device, sysfs, vkfd or amdkfd)
 * @pid: the test's process (each test runs in a process of its own)
 * @ngpus: GPUs in the topology (at most VKFD_MAX_GPUS)
 * @gpu: their gpu_ids, in node order
 * @node: their topology nodes
 * @p: the process's primary context (fd -1 unless asked for)
 * @render: the render fd of @p's VM on GPU 0 (vkfd with a GPU), else -1
 * @cl: fds to close at teardown
 * @child: a child process, killed and reaped at teardown
 */
struct vkfd_base {
	struct vkfd_env env;
	pid_t pid;
	int ngpus;
	uint32_t gpu[VKFD_MAX_GPUS];
	int node[VKFD_MAX_GPUS];
	struct vkfd_context p;
	int render;
	struct vkfd_cleanup cl;
	struct vkfd_child child;
};

/* vkfd_base_open() flags */
#define VKFD_BASE_PRIMARY	(1u << 0)	/* open the primary */
#define VKFD_BASE_VM		(1u << 1)	/* and its VM on GPU 0 (vkfd with a GPU) */
/*
 * No device: the environment, the cleanup list and the child only, for
 * the tests that load and unload the module themselves (module.c,
 * module_amdgpu.c). The module may not be loaded when they start, nor be
 * the one of the lane: the topology is not read (@ngpus is 0) and no
 * context is opened. Not with the two flags above.
 */
#define VKFD_BASE_NO_DEVICE	(1u << 2)

/*
 * Fill @b: the environment, the GPUs of the topology, and what @flags
 * ask for. Returns 0 or -errno (-EINVAL: VKFD_BASE_NO_DEVICE with a
 * context asked for); vkfd_base_close() undoes a partial one.
 */
int vkfd_base_open(struct vkfd_base *b, unsigned int flags);

/* Kill the child, close the cleanup list, the render fd and the primary. */
void vkfd_base_close(struct vkfd_base *b);

/* ------------------------------------------------------------------------
 * Contexts
 */

/*
 * The id of the context @fd is bound to (VKFD_CTX_ID_PRIMARY for a
 * primary), or -errno: -EBADF for an fd of an exited process's context,
 * -ENOTTY or -EINVAL where the kernel has no contexts (amdkfd).
 */
long vkfd_ctx_id_of_fd(int fd);

/*
 * The PASID of @fd's context on the @g-th GPU of the device (CTX_INFO's
 * order; 0 without a VM there), UINT32_MAX if it cannot be read.
 */
uint32_t vkfd_ctx_pasid(int fd, int g);

/* AVAILABLE_MEMORY of @fd's context on @gpu_id; 0 if it cannot be read. */
uint64_t vkfd_ctx_available(int fd, uint32_t gpu_id);

/*
 * A new context @c of @env's device with its VM on @gpu_id, whose render
 * fd goes to *@render: a secondary if @secondary, else a new fd of the
 * process's primary. Returns 0 or -errno, with nothing left open on
 * failure.
 */
int vkfd_context_vm(const struct vkfd_env *env, bool secondary,
		    uint32_t gpu_id, struct vkfd_context *c, int *render);

/* vkfd_context_vm() of a secondary: what most isolation tests make. */
int vkfd_secondary_vm(const struct vkfd_env *env, uint32_t gpu_id,
		      struct vkfd_context *c, int *render);

/* ------------------------------------------------------------------------
 * ioctls, in iommufd's three spellings: _test_x() returns 0 or -errno,
 * test_x() asserts success, test_err_x(E, ...) asserts errno E (the last
 * two are for tests, which include the harness first)
 */

#define __vkfd_test_ok(x, ...)		ASSERT_EQ(0, _test_##x(__VA_ARGS__))
#define __vkfd_test_err(e, x, ...)	ASSERT_EQ(-(e), _test_##x(__VA_ARGS__))

/* Any ioctl: libvkfd's vkfd_ioctl(). */
#define _test_ioctl(fd, cmd, arg)	vkfd_ioctl(fd, cmd, arg)
#define test_ioctl(...)			__vkfd_test_ok(ioctl, __VA_ARGS__)
#define test_err_ioctl(e, ...)		__vkfd_test_err(e, ioctl, __VA_ARGS__)

/* VKFD_IOC_CREATE_PROCESS: @fd becomes a new secondary. */
int _test_create_process(int fd);
#define test_create_process(...)		__vkfd_test_ok(create_process, __VA_ARGS__)
#define test_err_create_process(e, ...)	__vkfd_test_err(e, create_process, __VA_ARGS__)

/* VKFD_IOC_CTX_INFO about the context of @fd itself. */
int _test_ctx_info(int fd, struct vkfd_ioctl_ctx_info *info);
#define test_ctx_info(...)		__vkfd_test_ok(ctx_info, __VA_ARGS__)
#define test_err_ctx_info(e, ...)	__vkfd_test_err(e, ctx_info, __VA_ARGS__)

/* AMDKFD_IOC_ACQUIRE_VM: the VM of @fd's context on @gpu_id, from @drm_fd. */
int _test_acquire_vm(int fd, int drm_fd, uint32_t gpu_id);
#define test_acquire_vm(...)		__vkfd_test_ok(acquire_vm, __VA_ARGS__)
#define test_err_acquire_vm(e, ...)	__vkfd_test_err(e, acquire_vm, __VA_ARGS__)

/* AMDKFD_IOC_ALLOC_MEMORY_OF_GPU; the handle in @a->handle. */
#define _test_alloc_memory(fd, a)	vkfd_ioctl(fd, AMDKFD_IOC_ALLOC_MEMORY_OF_GPU, a)
#define test_alloc_memory(...)		__vkfd_test_ok(alloc_memory, __VA_ARGS__)
#define test_err_alloc_memory(e, ...)	__vkfd_test_err(e, alloc_memory, __VA_ARGS__)

/* AMDKFD_IOC_FREE_MEMORY_OF_GPU of @handle. */
int _test_free_memory(int fd, uint64_t handle);
#define test_free_memory(...)		__vkfd_test_ok(free_memory, __VA_ARGS__)
#define test_err_free_memory(e, ...)	__vkfd_test_err(e, free_memory, __VA_ARGS__)

/* AMDKFD_IOC_MAP_MEMORY_TO_GPU; @a->n_success says how far it got. */
#define _test_map_memory(fd, a)	vkfd_ioctl(fd, AMDKFD_IOC_MAP_MEMORY_TO_GPU, a)
#define test_map_memory(...)		__vkfd_test_ok(map_memory, __VA_ARGS__)
#define test_err_map_memory(e, ...)	__vkfd_test_err(e, map_memory, __VA_ARGS__)

/* AMDKFD_IOC_CREATE_QUEUE; the id in @a->queue_id. */
#define _test_create_queue(fd, a)	vkfd_ioctl(fd, AMDKFD_IOC_CREATE_QUEUE, a)
#define test_create_queue(...)		__vkfd_test_ok(create_queue, __VA_ARGS__)
#define test_err_create_queue(e, ...)	__vkfd_test_err(e, create_queue, __VA_ARGS__)

/* AMDKFD_IOC_DESTROY_QUEUE of queue @id. */
int _test_destroy_queue(int fd, uint32_t id);
#define test_destroy_queue(...)		__vkfd_test_ok(destroy_queue, __VA_ARGS__)
#define test_err_destroy_queue(e, ...)	__vkfd_test_err(e, destroy_queue, __VA_ARGS__)

/* AMDKFD_IOC_UPDATE_QUEUE. */
#define _test_update_queue(fd, a)	vkfd_ioctl(fd, AMDKFD_IOC_UPDATE_QUEUE, a)
#define test_update_queue(...)		__vkfd_test_ok(update_queue, __VA_ARGS__)
#define test_err_update_queue(e, ...)	__vkfd_test_err(e, update_queue, __VA_ARGS__)

/* AMDKFD_IOC_CREATE_EVENT; the id in @a->event_id. */
#define _test_create_event(fd, a)	vkfd_ioctl(fd, AMDKFD_IOC_CREATE_EVENT, a)
#define test_create_event(...)		__vkfd_test_ok(create_event, __VA_ARGS__)
#define test_err_create_event(e, ...)	__vkfd_test_err(e, create_event, __VA_ARGS__)

/* AMDKFD_IOC_SET_EVENT of event @id. */
int _test_set_event(int fd, uint32_t id);
#define test_set_event(...)		__vkfd_test_ok(set_event, __VA_ARGS__)
#define test_err_set_event(e, ...)	__vkfd_test_err(e, set_event, __VA_ARGS__)

/* AMDKFD_IOC_WAIT_EVENTS; the result in @a->wait_result. */
#define _test_wait_events(fd, a)	vkfd_ioctl(fd, AMDKFD_IOC_WAIT_EVENTS, a)
#define test_wait_events(...)		__vkfd_test_ok(wait_events, __VA_ARGS__)
#define test_err_wait_events(e, ...)	__vkfd_test_err(e, wait_events, __VA_ARGS__)

/* ------------------------------------------------------------------------
 * Fault injection (the debug lane): fail the n-th allocation of a call
 */

#define VKFD_FAIL_NTH_PATH	"/proc/thread-self/fail-nth"
#define VKFD_FAIL_NTH_MAX	2000	/* sites swept at most, a bound */

/**
 * struct vkfd_fail_nth - the state of one VKFD_FAIL_NTH() sweep
 * @fd: the calling thread's fail-nth file
 * @n: the allocation that fails in this iteration, from 1
 * @armed: the iteration armed the fault
 * @fired: the armed fault was injected (the call reached allocation @n)
 */
struct vkfd_fail_nth {
	int fd;
	int n;
	bool armed;
	bool fired;
};

/* Open the calling thread's fail-nth file; 0 or -errno (none: -ENOENT). */
int vkfd_fail_nth_open(struct vkfd_fail_nth *nth);

void vkfd_fail_nth_close(struct vkfd_fail_nth *nth);

/* The @nth->n-th fault-injection point this thread reaches fails. 0 or -errno. */
int vkfd_fail_nth_enable(struct vkfd_fail_nth *nth);

/* Disarm; records in @nth->fired whether the fault was injected, and returns it. */
bool vkfd_fail_nth_disable(struct vkfd_fail_nth *nth);

/*
 * For a sweep whose operation runs in a child, with the child's own
 * fail-nth file: the iteration armed it, and @fired says what the child saw.
 */
void vkfd_fail_nth_report(struct vkfd_fail_nth *nth, bool fired);

/*
 * Low level, for a thread or child of its own: arm allocation @n of the
 * fail-nth file @fd; disarm it, returning whether the fault fired.
 */
int vkfd_fail_nth_arm(int fd, int n);
bool vkfd_fail_nth_disarm(int fd);

/*
 * vkfd_ioctl(@fd, @cmd, @arg) with allocation @n of the calling task
 * failing (the fail-nth file @fail_nth): 0 or -errno; -EBADF if the
 * fault could not be armed. *@fired: whether the fault was injected.
 */
int vkfd_fail_nth_ioctl(int fail_nth, int n, int fd, unsigned long cmd,
			void *arg, bool *fired);

/* ========================================================================
 * With the kselftest harness: assertions and fixture glue
 */
#ifdef __KSELFTEST_HARNESS_H

/* Skip a test of vkfd-only behaviour in the amdkfd lane, saying why. */
#define VKFD_ONLY(env, reason) do {					\
	if ((env)->amdkfd)						\
		SKIP(return, "amdkfd: " reason);			\
} while (0)

/* Skip a test that needs @n GPUs where @b's topology has fewer. */
#define VKFD_NEED_GPUS(b, n) do {					\
	if ((b)->ngpus < (n))						\
		SKIP(return, "needs %d GPUs, the topology has %d",	\
		     (n), (b)->ngpus);					\
} while (0)

/*
 * Skip a test that needs vkfd and @n GPUs: on amdkfd saying @why (the
 * lane has no GPU), and where @b's topology has fewer.
 */
#define VKFD_ONLY_GPUS(b, n, why) do {					\
	VKFD_ONLY(&(b)->env, why);					\
	VKFD_NEED_GPUS(b, n);						\
} while (0)

/*
 * In a FIXTURE_SETUP(): skip every test of the fixture. Linux 6.1's
 * harness runs the body after a SKIP() in setup: this one jumps out.
 */
#define VKFD_SETUP_SKIP(fmt, ...)					\
	SKIP(longjmp(_metadata->env, 1), fmt, ##__VA_ARGS__)

/*
 * In a FIXTURE_SETUP(), after vkfd_base_setup(@b): skip every test of a
 * fixture that needs vkfd and a GPU, on amdkfd saying @why.
 */
#define VKFD_SETUP_NEED_GPU(b, why) do {				\
	if ((b)->env.amdkfd)						\
		VKFD_SETUP_SKIP("amdkfd: " why);			\
	if (!(b)->ngpus)						\
		VKFD_SETUP_SKIP("no GPU node in the topology (CPU-only)"); \
} while (0)

/*
 * The setup of a fixture that embeds struct vkfd_base as @b. Sets every
 * fd to -1 first, so that the teardown is safe whatever fails.
 */
#define vkfd_base_setup(b, flags) do {					\
	ASSERT_EQ(0, vkfd_base_open((b), (flags)));			\
} while (0)

#define vkfd_base_teardown(b)	vkfd_base_close(b)

/* Keep @fd to be closed by the teardown; evaluates to @fd. */
#define vkfd_keep(b, fd) ({						\
	int __fd = (fd);						\
	ASSERT_LE(0, __fd);						\
	ASSERT_EQ(__fd, vkfd_cleanup_fd(&(b)->cl, __fd));		\
	__fd;								\
})

/* A new fd of @b's device (bound to the primary), kept; the fd. */
#define vkfd_keep_open(b)	vkfd_keep(b, vkfd_open_dev(&(b)->env))

/* A new secondary of @b's device, without a VM, kept; its fd. */
#define vkfd_keep_secondary(b) ({					\
	struct vkfd_context __c;					\
	ASSERT_EQ(0, vkfd_open_secondary((b)->env.dev, &__c));	\
	vkfd_keep(b, __c.fd);						\
})

/* A new secondary with its VM on GPU @g of @b, both kept; its fd. */
#define vkfd_keep_secondary_vm(b, g) ({				\
	struct vkfd_context __c;					\
	int __r;							\
	ASSERT_EQ(0, vkfd_secondary_vm(&(b)->env, (b)->gpu[g], &__c, &__r)); \
	vkfd_keep(b, __r);						\
	vkfd_keep(b, __c.fd);						\
})

/*
 * VKFD_FAIL_NTH(fixture, name): a fault-injection sweep, in the manner of
 * iommufd's TEST_FAIL_NTH. The body is one iteration: it sets up what it
 * needs, runs the operation swept as fail_nth_call(operation) (or
 * between fail_nth_enable() and fail_nth_disable()), then checks the
 * outcome: success, or the documented errno with nothing left behind.
 * The macro runs the body for n = 1, 2, ... (allocation n of the
 * operation fails) until an iteration whose armed fault no longer fired:
 * the operation has no n-th allocation, every site was swept. Unlike
 * iommufd's, the fixture is set up once for the whole sweep, not again
 * for each n: each iteration must bring the state back to where it found
 * it (which the tests check), and state the sweep keeps across
 * iterations lives in the fixture. Without fault injection (distribution
 * kernels) the test skips.
 */
#define fail_nth_enable()						\
	ASSERT_EQ(0, vkfd_fail_nth_enable(_nth))
#define fail_nth_disable()	vkfd_fail_nth_disable(_nth)
/* @call (an int expression, 0 or -errno) with the iteration's fault armed. */
#define fail_nth_call(call) ({						\
	int __ret;							\
	fail_nth_enable();						\
	__ret = (call);							\
	fail_nth_disable();						\
	__ret;								\
})
/* The iteration's fault, for the messages of its assertions. */
#define fail_nth_n()		(_nth->n)

#define VKFD_FAIL_NTH(fixture_name, name)				\
	static void vkfd_nth_##fixture_name##_##name(			\
		struct __test_metadata *_metadata,			\
		FIXTURE_DATA(fixture_name) *self,			\
		const FIXTURE_VARIANT(fixture_name) *variant,		\
		struct vkfd_fail_nth *_nth);				\
	TEST_F_TIMEOUT(fixture_name, name, 600)				\
	{								\
		struct vkfd_fail_nth __nth;				\
									\
		if (vkfd_fail_nth_open(&__nth))				\
			SKIP(return, "no %s (kernel without fault injection)", \
			     VKFD_FAIL_NTH_PATH);			\
		for (__nth.n = 1; __nth.n < VKFD_FAIL_NTH_MAX; __nth.n++) { \
			__nth.armed = __nth.fired = false;		\
			vkfd_nth_##fixture_name##_##name(_metadata, self, \
							 variant, &__nth); \
			ASSERT_TRUE(__nth.armed)			\
				TH_LOG("fault %d: never armed", __nth.n); \
			if (!__nth.fired)				\
				break;					\
		}							\
		vkfd_fail_nth_close(&__nth);				\
		/* Every site was swept, and there was one to sweep */	\
		EXPECT_GT(VKFD_FAIL_NTH_MAX, __nth.n);			\
		EXPECT_LT(1, __nth.n);					\
		TH_LOG("%d allocations swept", __nth.n - 1);		\
	}								\
	static void vkfd_nth_##fixture_name##_##name(			\
		struct __test_metadata __attribute__((unused)) *_metadata, \
		FIXTURE_DATA(fixture_name) __attribute__((unused)) *self, \
		const FIXTURE_VARIANT(fixture_name)			\
			__attribute__((unused)) *variant,		\
		struct vkfd_fail_nth *_nth)

#endif /* __KSELFTEST_HARNESS_H */

#endif /* VKFD_TEST_H */
