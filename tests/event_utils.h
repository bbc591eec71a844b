/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The fixture and helpers of the event tests: event.c (CREATE, DESTROY,
 * SET, RESET, ids, limits, isolation), event_wait.c (WAIT_EVENTS:
 * results, auto-reset, any and all, threads, signals, destruction while
 * waited on, exits) and event_page.c (the signal page: mmap through
 * /dev/kfd, adoption of a GTT buffer). Header-only and static; include it
 * after kselftest_harness.h.
 *
 * Most of the contract is amdkfd's, and these tests run against the real
 * amdkfd too (its events work without a GPU); what vkfd does differently
 * skips there, saying why (VKFD_ONLY).
 */
#ifndef VKFD_SELFTEST_EVENT_UTILS_H
#define VKFD_SELFTEST_EVENT_UTILS_H

#include <pthread.h>
#include <sched.h>

#include "vkfd_utils.h"

/* The mmap offset of the signal page (amdkfd's KFD_MMAP_TYPE_EVENTS). */
#define EV_PAGE_OFFSET		(2ULL << 62)
#define EV_PAGE_SIZE		(KFD_SIGNAL_EVENT_LIMIT * 8)
#define EV_SLOTS_UNMAPPED	256	/* slots usable before the page is mapped */
#define EV_FIRST_OTHER_ID	0x40000000u
#define EV_UNSIGNALED		(~0ULL)
#define EV_INFINITE		0xffffffffu

#define EV_COMPLETE		KFD_IOC_WAIT_RESULT_COMPLETE
#define EV_TIMEOUT		KFD_IOC_WAIT_RESULT_TIMEOUT
#define EV_FAIL			KFD_IOC_WAIT_RESULT_FAIL

/* The base fixture with the primary, b.p */
FIXTURE(event) {
	struct vkfd_base b;
};

FIXTURE_SETUP(event)
{
	vkfd_base_setup(&self->b, VKFD_BASE_PRIMARY);
}

FIXTURE_TEARDOWN(event)
{
	vkfd_base_teardown(&self->b);
}

/* A secondary, or SKIP where the kernel has no CREATE_PROCESS. */
#define EV_SECONDARY(ctx) do {						\
	int __r = vkfd_open_secondary(self->b.env.dev, (ctx));		\
	if (__r == -EOPNOTSUPP)						\
		SKIP(return, "no AMDKFD_IOC_CREATE_PROCESS: no secondaries"); \
	ASSERT_EQ(0, __r);						\
} while (0)

/* A signal event of @ctx; its id, or -errno. */
static inline int64_t ev_signal(const struct vkfd_context *ctx, bool auto_reset)
{
	struct vkfd_event ev;
	int ret = vkfd_event_create(ctx, KFD_IOC_EVENT_SIGNAL, auto_reset, 0, &ev);

	return ret ? ret : (int64_t)ev.id;
}

/* WAIT_EVENTS on one event: its result, or -errno. */
static inline int ev_wait1(const struct vkfd_context *ctx, uint32_t id,
			   uint32_t timeout_ms)
{
	uint32_t result;
	int ret = vkfd_event_wait(ctx, &id, 1, false, timeout_ms, &result);

	return ret ? ret : (int)result;
}

/* Is the event signaled? Looks without waiting (which resets auto-reset events). */
static inline bool ev_signaled(const struct vkfd_context *ctx, uint32_t id)
{
	return ev_wait1(ctx, id, 0) == EV_COMPLETE;
}

/*
 * WAIT_EVENTS with the argument for the caller to look at: 0 or -errno.
 * The raw syscall, not _test_wait_events(), whose vkfd_ioctl() retries on
 * EINTR: the tests of a wait that a signal interrupts see the EINTR.
 */
static inline int _test_ev_wait(int fd, struct kfd_event_data *data, uint32_t n,
			      bool all, uint32_t timeout,
			      struct kfd_ioctl_wait_events_args *args)
{
	*args = (struct kfd_ioctl_wait_events_args){
		.events_ptr = (uintptr_t)data,
		.num_events = n,
		.wait_for_all = all,
		.timeout = timeout,
		.wait_result = 0xdead,
	};
	return ioctl(fd, AMDKFD_IOC_WAIT_EVENTS, args) ? -errno : 0;
}

/* ------------------------------------------------------------------------
 * A thread blocked in WAIT_EVENTS
 */

struct ev_waiter {
	pthread_t thread;
	int fd;
	struct kfd_event_data data[16];
	uint32_t n;
	bool all;
	uint32_t timeout;
	struct kfd_ioctl_wait_events_args args;	/* as the kernel left it */
	pid_t tid;		/* set by the thread before it waits */
	int ret;		/* 0 or -errno */
	uint32_t result;
	volatile int done;
};

static inline void *ev_waiter_main(void *arg)
{
	struct ev_waiter *w = arg;

	__atomic_store_n(&w->tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	w->ret = _test_ev_wait(w->fd, w->data, w->n, w->all, w->timeout, &w->args);
	w->result = w->args.wait_result;
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Start the thread of a waiter set up by hand. */
static inline int ev_waiter_go(struct ev_waiter *w)
{
	return pthread_create(&w->thread, NULL, ev_waiter_main, w) ? -1 : 0;
}

/* Set a waiter up for @ids of @ctx, waiting forever; ev_waiter_go() starts it. */
static inline void ev_waiter_init(struct ev_waiter *w,
				  const struct vkfd_context *ctx,
				  const uint32_t *ids, uint32_t n, bool all)
{
	uint32_t i;

	memset(w, 0, sizeof(*w));
	w->fd = ctx->fd;
	for (i = 0; i < n; i++)
		w->data[i].event_id = ids[i];
	w->n = n;
	w->all = all;
	w->timeout = EV_INFINITE;
	w->result = 0xdead;
}

/* A thread waiting forever for @ids of @ctx. */
static inline int ev_waiter_start(struct ev_waiter *w,
				  const struct vkfd_context *ctx,
				  const uint32_t *ids, uint32_t n, bool all)
{
	ev_waiter_init(w, ctx, ids, n, all);
	return ev_waiter_go(w);
}

/* The scheduler state letter of thread @tid of this process, or 0. */
static inline char ev_thread_state(pid_t tid)
{
	char path[64], buf[256], *p;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	if (vkfd_read_text(path, buf, sizeof(buf)) <= 0)
		return 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/*
 * Is thread @tid in an ioctl()? /proc/<tid>/syscall starts with the
 * number of the system call it is in; without that file, assume so.
 */
static inline bool ev_thread_in_ioctl(pid_t tid)
{
	char path[64], buf[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)tid);
	if (vkfd_read_text(path, buf, sizeof(buf)) <= 0)
		return true;
	return strtol(buf, NULL, 10) == SYS_ioctl;
}

/*
 * Wait until the thread sleeps in its WAIT_EVENTS: sleeping, and in an
 * ioctl (a page fault on the way would not do). True, or false after 10 s
 * or if it returned.
 */
static inline bool ev_waiter_blocked(struct ev_waiter *w)
{
	int ms;

	for (ms = 0; ms < 10000; ms++) {
		pid_t tid = __atomic_load_n(&w->tid, __ATOMIC_ACQUIRE);

		if (__atomic_load_n(&w->done, __ATOMIC_ACQUIRE))
			return false;
		if (tid && ev_thread_state(tid) == 'S' &&
		    ev_thread_in_ioctl(tid))
			return true;
		vkfd_sleep_ms(1);
	}
	return false;
}

/* Has it returned within @ms? */
static inline bool ev_waiter_returns(struct ev_waiter *w, int ms)
{
	for (; ms > 0; ms -= 5) {
		if (__atomic_load_n(&w->done, __ATOMIC_ACQUIRE))
			return true;
		vkfd_sleep_ms(5);
	}
	return __atomic_load_n(&w->done, __ATOMIC_ACQUIRE);
}

static inline void ev_waiter_join(struct ev_waiter *w)
{
	pthread_join(w->thread, NULL);
}

/* ------------------------------------------------------------------------
 * The signal page
 */

static inline void *ev_page_map(int fd, size_t size, int flags, off_t offset)
{
	return mmap(NULL, size, PROT_READ | PROT_WRITE, flags, fd, offset);
}

/* mmap's errno, or 0 if it mapped (unmapped again at once). */
static inline int ev_page_map_err(int fd, size_t size, int flags, off_t offset)
{
	void *p = ev_page_map(fd, size, flags, offset);

	if (p == MAP_FAILED)
		return errno;
	munmap(p, size);
	return 0;
}

/* Every u64 of @n at @slots is all ones. */
static inline bool ev_slots_unsignaled(const volatile uint64_t *slots, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (slots[i] != EV_UNSIGNALED)
			return false;
	return true;
}

/* The number of events of a context, by the test hooks. */
static inline uint64_t ev_count(pid_t pid, uint32_t ctx_id)
{
	struct vkfd_ctx_row row;

	return vkfd_ctx_row(pid, ctx_id, &row) ? UINT64_MAX : row.events;
}

#endif /* VKFD_SELFTEST_EVENT_UTILS_H */
