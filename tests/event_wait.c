// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * WAIT_EVENTS: results and timeouts (no timing assertions), auto-reset
 * and manual events, any and all, every error and the state after it;
 * threads blocked in a wait woken by SET (ROCr's async-event thread),
 * by a signal (EINTR, or a restart with SA_RESTART), by the destruction
 * of the event (EIO); exits and closes with waiters and events.
 */
#include "kselftest_harness.h"
#include "event_utils.h"

TEST_F(event, poll_and_timeout)
{
	int64_t id = ev_signal(&self->b.p, false);

	ASSERT_LT(0, id);
	EXPECT_EQ(EV_TIMEOUT, ev_wait1(&self->b.p, id, 0));
	EXPECT_EQ(EV_TIMEOUT, ev_wait1(&self->b.p, id, 1));
	EXPECT_EQ(EV_TIMEOUT, ev_wait1(&self->b.p, id, 20));
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, id));
	EXPECT_EQ(EV_COMPLETE, ev_wait1(&self->b.p, id, 0));
	EXPECT_EQ(EV_COMPLETE, ev_wait1(&self->b.p, id, 20));
	EXPECT_EQ(EV_COMPLETE, ev_wait1(&self->b.p, id, EV_INFINITE));
}

/* An auto-reset event is taken by the wait that sees it; a manual one stays. */
TEST_F(event, auto_reset_and_manual)
{
	int64_t a = ev_signal(&self->b.p, true), m = ev_signal(&self->b.p, false);

	ASSERT_LT(0, a);
	ASSERT_LT(0, m);
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, a));
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, m));
	EXPECT_EQ(EV_COMPLETE, ev_wait1(&self->b.p, a, 0));
	EXPECT_EQ(EV_TIMEOUT, ev_wait1(&self->b.p, a, 0));
	EXPECT_EQ(EV_COMPLETE, ev_wait1(&self->b.p, m, 0));
	EXPECT_EQ(EV_COMPLETE, ev_wait1(&self->b.p, m, EV_INFINITE));
	ASSERT_EQ(0, vkfd_event_reset(&self->b.p, m));
	EXPECT_EQ(EV_TIMEOUT, ev_wait1(&self->b.p, m, 0));
	/* Two sets of an auto-reset event nobody waits on: one signal */
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, a));
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, a));
	EXPECT_EQ(EV_COMPLETE, ev_wait1(&self->b.p, a, 0));
	EXPECT_EQ(EV_TIMEOUT, ev_wait1(&self->b.p, a, 0));
	/* RESET takes an auto-reset event's signal too */
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, a));
	ASSERT_EQ(0, vkfd_event_reset(&self->b.p, a));
	EXPECT_EQ(EV_TIMEOUT, ev_wait1(&self->b.p, a, 0));
}

TEST_F(event, any_and_all)
{
	uint32_t ids[3], result;
	int i;

	for (i = 0; i < 3; i++) {
		ids[i] = ev_signal(&self->b.p, false);
		ASSERT_EQ(i + 1, (int)ids[i]);
	}
	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, ids, 3, false, 0, &result));
	EXPECT_EQ(EV_TIMEOUT, (int)result);
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, ids[1]));
	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, ids, 3, false, 0, &result));
	EXPECT_EQ(EV_COMPLETE, (int)result);
	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, ids, 3, true, 0, &result));
	EXPECT_EQ(EV_TIMEOUT, (int)result);
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, ids[0]));
	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, ids, 3, true, 10, &result));
	EXPECT_EQ(EV_TIMEOUT, (int)result);
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, ids[2]));
	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, ids, 3, true, 0, &result));
	EXPECT_EQ(EV_COMPLETE, (int)result);
	/* wait_for_all is a boolean: any non-zero value means all */
	ASSERT_EQ(0, vkfd_event_reset(&self->b.p, ids[2]));
	struct kfd_event_data data[3] = {
		{ .event_id = ids[0] }, { .event_id = ids[1] }, { .event_id = ids[2] },
	};
	struct kfd_ioctl_wait_events_args args = {
		.events_ptr = (uintptr_t)data,
		.num_events = 3,
		.wait_for_all = 2,
	};
	test_wait_events(self->b.p.fd, &args);
	EXPECT_EQ(EV_TIMEOUT, (int)args.wait_result);
}

/*
 * As amdkfd: a wait takes the signal of every auto-reset event it finds
 * signaled, also when it then times out waiting for all of them.
 */
TEST_F(event, all_takes_auto_reset_signals)
{
	uint32_t ids[2], result;

	ids[0] = ev_signal(&self->b.p, true);
	ids[1] = ev_signal(&self->b.p, true);
	ASSERT_EQ(1U, ids[0]);
	ASSERT_EQ(2U, ids[1]);
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, ids[0]));
	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, ids, 2, true, 0, &result));
	EXPECT_EQ(EV_TIMEOUT, (int)result);
	EXPECT_EQ(EV_TIMEOUT, ev_wait1(&self->b.p, ids[0], 0));
	/* The same event twice: the first entry takes the signal */
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, ids[0]));
	ids[1] = ids[0];
	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, ids, 2, true, 0, &result));
	EXPECT_EQ(EV_TIMEOUT, (int)result);
	/* A manual event twice: both see it */
	ids[0] = ids[1] = ev_signal(&self->b.p, false);
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, ids[0]));
	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, ids, 2, true, 0, &result));
	EXPECT_EQ(EV_COMPLETE, (int)result);
}

/* Nothing to wait for is complete at once, as in amdkfd. */
TEST_F(event, zero_events)
{
	struct kfd_ioctl_wait_events_args args;

	ASSERT_EQ(0, _test_ev_wait(self->b.p.fd, NULL, 0, false, EV_INFINITE, &args));
	EXPECT_EQ(EV_COMPLETE, (int)args.wait_result);
	ASSERT_EQ(1, ev_signal(&self->b.p, false));
	ASSERT_EQ(0, _test_ev_wait(self->b.p.fd, NULL, 0, true, EV_INFINITE, &args));
	EXPECT_EQ(EV_COMPLETE, (int)args.wait_result);
}

/* Errors: the result says FAIL, the argument comes back. */
TEST_F(event, errors)
{
	struct kfd_event_data data[2] = { { .event_id = 1 }, { .event_id = 7 } };
	struct kfd_ioctl_wait_events_args args;
	void *hole = vkfd_unmapped_page();

	/* No event at all yet */
	EXPECT_EQ(-EINVAL, _test_ev_wait(self->b.p.fd, data, 1, false, 0, &args));
	EXPECT_EQ(EV_FAIL, (int)args.wait_result);
	ASSERT_EQ(1, ev_signal(&self->b.p, false));
	/* One unknown id among known ones */
	EXPECT_EQ(-EINVAL, _test_ev_wait(self->b.p.fd, data, 2, false, 0, &args));
	EXPECT_EQ(EV_FAIL, (int)args.wait_result);
	EXPECT_EQ(-EINVAL, _test_ev_wait(self->b.p.fd, data, 2, true, EV_INFINITE, &args));
	EXPECT_EQ(EV_FAIL, (int)args.wait_result);
	data[1].event_id = 0;
	EXPECT_EQ(-EINVAL, _test_ev_wait(self->b.p.fd, data, 2, false, 0, &args));
	/* The array cannot be read */
	ASSERT_NE(NULL, hole);
	EXPECT_EQ(-EFAULT, _test_ev_wait(self->b.p.fd, hole, 1, false, 0, &args));
	EXPECT_EQ(EV_FAIL, (int)args.wait_result);
	EXPECT_EQ(-EFAULT, _test_ev_wait(self->b.p.fd, NULL, 1, false, 0, &args));
	/* A valid first entry at the end of a page, the second past it */
	char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct kfd_event_data *edge;

	ASSERT_NE(MAP_FAILED, two);
	ASSERT_EQ(0, munmap(two + 4096, 4096));
	edge = (struct kfd_event_data *)(two + 4096 - sizeof(*edge));
	memset(edge, 0, sizeof(*edge));
	edge->event_id = 1;
	EXPECT_EQ(-EFAULT, _test_ev_wait(self->b.p.fd, edge, 2, false, 0, &args));
	EXPECT_EQ(EV_FAIL, (int)args.wait_result);
	EXPECT_EQ(0, _test_ev_wait(self->b.p.fd, edge, 1, false, 0, &args));
	munmap(two, 4096);
	/* The event is fine */
	EXPECT_EQ(EV_TIMEOUT, ev_wait1(&self->b.p, 1, 0));
}

/* vkfd checks every id before it waits: a failed wait takes no signal. */
TEST_F(event, failed_wait_changes_nothing)
{
	uint32_t ids[2] = { 0, 999 }, result;

	VKFD_ONLY(&self->b.env, "takes the signals of the ids before the unknown one");
	ids[0] = ev_signal(&self->b.p, true);
	ASSERT_EQ(1U, ids[0]);
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, ids[0]));
	EXPECT_EQ(-EINVAL, vkfd_event_wait(&self->b.p, ids, 2, false, 0, &result));
	EXPECT_EQ(EV_COMPLETE, ev_wait1(&self->b.p, ids[0], 0));
}

/* kfd_event_data's pad and extension pointer must be 0 (amdkfd ignores them). */
TEST_F(event, data_pad_and_ext)
{
	struct kfd_event_data data = { .event_id = 1, .pad = 1 };
	struct kfd_ioctl_wait_events_args args;

	VKFD_ONLY(&self->b.env, "ignores kfd_event_data's pad and kfd_event_data_ext");
	ASSERT_EQ(1, ev_signal(&self->b.p, true));
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, 1));
	EXPECT_EQ(-EINVAL, _test_ev_wait(self->b.p.fd, &data, 1, false, 0, &args));
	EXPECT_EQ(EV_FAIL, (int)args.wait_result);
	data.pad = 0;
	data.kfd_event_data_ext = (uintptr_t)&data;
	EXPECT_EQ(-EINVAL, _test_ev_wait(self->b.p.fd, &data, 1, false, 0, &args));
	/* Neither took the signal */
	data.kfd_event_data_ext = 0;
	EXPECT_EQ(0, _test_ev_wait(self->b.p.fd, &data, 1, false, 0, &args));
	EXPECT_EQ(EV_COMPLETE, (int)args.wait_result);
}

/*
 * At most 65536 entries (repeats count): more is EINVAL. amdkfd has no
 * bound; it fails an allocation that large with ENOMEM and a warning.
 */
TEST_F(event, too_many)
{
	const uint32_t max = 65536;
	struct kfd_ioctl_wait_events_args args;
	struct kfd_event_data *data;
	uint32_t i;

	VKFD_ONLY(&self->b.env, "has no bound (a large wait fails with ENOMEM and a kernel warning)");
	data = calloc(max + 1, sizeof(*data));
	ASSERT_NE(NULL, data);
	ASSERT_EQ(1, ev_signal(&self->b.p, false));
	for (i = 0; i <= max; i++)
		data[i].event_id = 1;
	EXPECT_EQ(-EINVAL, _test_ev_wait(self->b.p.fd, data, max + 1, false, 0, &args));
	EXPECT_EQ(-EINVAL, _test_ev_wait(self->b.p.fd, data, UINT32_MAX, true, 0, &args));
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, 1));
	EXPECT_EQ(0, _test_ev_wait(self->b.p.fd, data, max, true, 0, &args));
	EXPECT_EQ(EV_COMPLETE, (int)args.wait_result);
	free(data);
}

/* A MEMORY event nobody signaled: its data is not written. */
TEST_F(event, memory_event_unsignaled)
{
	struct vkfd_event ev;
	struct kfd_event_data data;
	struct kfd_ioctl_wait_events_args args;

	ASSERT_EQ(0, vkfd_event_create(&self->b.p, KFD_IOC_EVENT_MEMORY, false, 0, &ev));
	vkfd_fill(&data, sizeof(data));
	data.event_id = ev.id;
	data.pad = 0;
	data.kfd_event_data_ext = 0;
	ASSERT_EQ(0, _test_ev_wait(self->b.p.fd, &data, 1, false, 10, &args));
	EXPECT_EQ(EV_TIMEOUT, (int)args.wait_result);
	EXPECT_TRUE(vkfd_untouched(&data.memory_exception_data,
				   sizeof(data.memory_exception_data)));
}

/* ------------------------------------------------------------------------
 * Threads blocked in a wait
 */

/* ROCr's async-event thread: blocked forever, woken by SET at shutdown. */
TEST_F(event, blocked_thread_woken_by_set)
{
	struct ev_waiter w;
	uint32_t ids[2];

	ids[0] = ev_signal(&self->b.p, true);
	ids[1] = ev_signal(&self->b.p, false);
	ASSERT_EQ(0, ev_waiter_start(&w, &self->b.p, ids, 2, false));
	ASSERT_TRUE(ev_waiter_blocked(&w));
	/* Another event's reset does not wake it */
	ASSERT_EQ(0, vkfd_event_reset(&self->b.p, ids[1]));
	EXPECT_FALSE(ev_waiter_returns(&w, 50));
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, ids[0]));
	ev_waiter_join(&w);
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(EV_COMPLETE, (int)w.result);
	/* The waiter took the auto-reset signal */
	EXPECT_EQ(EV_TIMEOUT, ev_wait1(&self->b.p, ids[0], 0));
}

/* A wait for all completes with the last set. */
TEST_F(event, blocked_all)
{
	struct ev_waiter w;
	uint32_t ids[3];
	int i;

	for (i = 0; i < 3; i++)
		ids[i] = ev_signal(&self->b.p, i == 1);
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, ids[0]));
	ASSERT_EQ(0, ev_waiter_start(&w, &self->b.p, ids, 3, true));
	ASSERT_TRUE(ev_waiter_blocked(&w));
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, ids[1]));
	EXPECT_FALSE(ev_waiter_returns(&w, 50));
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, ids[2]));
	ev_waiter_join(&w);
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(EV_COMPLETE, (int)w.result);
}

#define NTHREADS 4

/* Several threads wait on one event; one SET wakes them all. */
static void several_waiters(struct __test_metadata *_metadata,
			    const struct vkfd_context *ctx, bool auto_reset)
{
	struct ev_waiter w[NTHREADS];
	uint32_t id;
	int i;

	id = ev_signal(ctx, auto_reset);
	ASSERT_EQ(1U, id);
	for (i = 0; i < NTHREADS; i++)
		ASSERT_EQ(0, ev_waiter_start(&w[i], ctx, &id, 1, false));
	for (i = 0; i < NTHREADS; i++)
		ASSERT_TRUE(ev_waiter_blocked(&w[i]));
	ASSERT_EQ(0, vkfd_event_set(ctx, id));
	for (i = 0; i < NTHREADS; i++) {
		ev_waiter_join(&w[i]);
		EXPECT_EQ(0, w[i].ret);
		EXPECT_EQ(EV_COMPLETE, (int)w[i].result);
	}
	/*
	 * As amdkfd: an auto-reset event wakes every wait it was set for,
	 * and is not signaled afterwards; a manual one stays signaled.
	 */
	EXPECT_EQ(auto_reset ? EV_TIMEOUT : EV_COMPLETE, ev_wait1(ctx, id, 0));
}

TEST_F(event, several_waiters_manual)
{
	several_waiters(_metadata, &self->b.p, false);
}

TEST_F(event, several_waiters_auto)
{
	several_waiters(_metadata, &self->b.p, true);
}

/* Waits on the events of two contexts: a set of one wakes only its own. */
TEST_F(event, waiters_in_two_contexts)
{
	struct vkfd_context sec;
	struct ev_waiter wp, ws;
	uint32_t id = 1;

	EV_SECONDARY(&sec);
	ASSERT_EQ(1, ev_signal(&self->b.p, false));
	ASSERT_EQ(1, ev_signal(&sec, false));
	ASSERT_EQ(0, ev_waiter_start(&wp, &self->b.p, &id, 1, false));
	ASSERT_EQ(0, ev_waiter_start(&ws, &sec, &id, 1, false));
	ASSERT_TRUE(ev_waiter_blocked(&wp));
	ASSERT_TRUE(ev_waiter_blocked(&ws));
	ASSERT_EQ(0, vkfd_event_set(&sec, 1));
	ev_waiter_join(&ws);
	EXPECT_EQ(EV_COMPLETE, (int)ws.result);
	EXPECT_FALSE(ev_waiter_returns(&wp, 50));
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, 1));
	ev_waiter_join(&wp);
	EXPECT_EQ(EV_COMPLETE, (int)wp.result);
	vkfd_close(&sec);
}

/* Destroying an event fails the waits on it with EIO, as amdkfd. */
TEST_F(event, destroy_while_waiting)
{
	struct ev_waiter w[2];
	uint32_t ids[2];

	ids[0] = ev_signal(&self->b.p, false);
	ids[1] = ev_signal(&self->b.p, false);
	ASSERT_EQ(0, ev_waiter_start(&w[0], &self->b.p, ids, 2, false));
	ASSERT_EQ(0, ev_waiter_start(&w[1], &self->b.p, ids, 2, true));
	ASSERT_TRUE(ev_waiter_blocked(&w[0]));
	ASSERT_TRUE(ev_waiter_blocked(&w[1]));
	ASSERT_EQ(0, vkfd_event_destroy(&self->b.p, ids[1]));
	ev_waiter_join(&w[0]);
	ev_waiter_join(&w[1]);
	EXPECT_EQ(-EIO, w[0].ret);
	EXPECT_EQ(EV_FAIL, (int)w[0].result);
	EXPECT_EQ(-EIO, w[1].ret);
	EXPECT_EQ(EV_FAIL, (int)w[1].result);
	/* The other event is fine, and its id stays taken */
	EXPECT_EQ(EV_TIMEOUT, ev_wait1(&self->b.p, ids[0], 0));
	EXPECT_EQ((int64_t)ids[1], ev_signal(&self->b.p, false));
}

/*
 * A wait for all of two events, one of which was signaled when it began,
 * and is destroyed meanwhile: the wait fails (amdkfd keeps a pointer to
 * the freed event here, and completes when the other one is set).
 */
TEST_F(event, destroy_signaled_while_waiting_all)
{
	struct ev_waiter w;
	uint32_t ids[2];

	VKFD_ONLY(&self->b.env, "uses the destroyed event after it is freed");
	ids[0] = ev_signal(&self->b.p, false);
	ids[1] = ev_signal(&self->b.p, false);
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, ids[0]));
	ASSERT_EQ(0, ev_waiter_start(&w, &self->b.p, ids, 2, true));
	ASSERT_TRUE(ev_waiter_blocked(&w));
	ASSERT_EQ(0, vkfd_event_destroy(&self->b.p, ids[0]));
	ev_waiter_join(&w);
	EXPECT_EQ(-EIO, w.ret);
	EXPECT_EQ(EV_FAIL, (int)w.result);
}

/* ------------------------------------------------------------------------
 * Signals
 */

static volatile int handled;

static void on_usr1(int sig)
{
	handled++;
}

static void install_usr1(struct __test_metadata *_metadata, int flags)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	handled = 0;
}

/*
 * Without SA_RESTART a signal ends the wait with EINTR; what is left of a
 * finite timeout is written back; the auto-reset signal the wait had
 * taken is given back.
 */
TEST_F(event, signal_eintr)
{
	struct ev_waiter w;
	uint32_t ids[2];

	install_usr1(_metadata, 0);
	ids[0] = ev_signal(&self->b.p, true);
	ids[1] = ev_signal(&self->b.p, false);
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, ids[0]));
	ev_waiter_init(&w, &self->b.p, ids, 2, true);
	w.timeout = 600000;
	ASSERT_EQ(0, ev_waiter_go(&w));
	ASSERT_TRUE(ev_waiter_blocked(&w));
	ASSERT_EQ(0, pthread_kill(w.thread, SIGUSR1));
	ev_waiter_join(&w);
	EXPECT_EQ(1, handled);
	EXPECT_EQ(-EINTR, w.ret);
	EXPECT_EQ(EV_FAIL, (int)w.result);
	EXPECT_GE(600000U, w.args.timeout);
	/* The signal of ids[0] is back; ids[1] was never signaled */
	EXPECT_EQ(EV_COMPLETE, ev_wait1(&self->b.p, ids[0], 0));
	EXPECT_EQ(EV_TIMEOUT, ev_wait1(&self->b.p, ids[1], 0));
}

/* An infinite wait interrupted keeps its timeout: 0xffffffff. */
TEST_F(event, signal_eintr_infinite)
{
	struct ev_waiter w;
	uint32_t id;

	install_usr1(_metadata, 0);
	id = ev_signal(&self->b.p, false);
	ASSERT_EQ(0, ev_waiter_start(&w, &self->b.p, &id, 1, false));
	ASSERT_TRUE(ev_waiter_blocked(&w));
	ASSERT_EQ(0, pthread_kill(w.thread, SIGUSR1));
	ev_waiter_join(&w);
	EXPECT_EQ(-EINTR, w.ret);
	EXPECT_EQ(EV_INFINITE, w.args.timeout);
}

/* With SA_RESTART the wait restarts after the handler, and completes with a SET. */
TEST_F(event, signal_restart)
{
	struct ev_waiter w;
	uint32_t id;
	int i;

	install_usr1(_metadata, SA_RESTART);
	id = ev_signal(&self->b.p, true);
	ASSERT_EQ(0, ev_waiter_start(&w, &self->b.p, &id, 1, false));
	for (i = 1; i <= 3; i++) {
		ASSERT_TRUE(ev_waiter_blocked(&w));
		ASSERT_EQ(0, pthread_kill(w.thread, SIGUSR1));
		while (handled < i)
			vkfd_sleep_ms(1);
		/* Restarted, not returned */
		EXPECT_FALSE(ev_waiter_returns(&w, 20));
	}
	ASSERT_TRUE(ev_waiter_blocked(&w));
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, id));
	ev_waiter_join(&w);
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(EV_COMPLETE, (int)w.result);
	EXPECT_EQ(EV_TIMEOUT, ev_wait1(&self->b.p, id, 0));
}

/*
 * A restarted finite wait ends with TIMEOUT, having waited what was left.
 * The timeout must outlast the look that the waiter is blocked: 200 ms,
 * and 2 s if those were over before the look (300 ms once were, on a busy
 * host). Nothing signals the event: the test waits the whole timeout.
 */
TEST_F(event, signal_restart_finite)
{
	static const uint32_t timeouts[] = { 200, 2000 };
	bool blocked = false;
	struct ev_waiter w;
	unsigned int i;
	uint32_t id;

	install_usr1(_metadata, SA_RESTART);
	id = ev_signal(&self->b.p, false);
	for (i = 0; i < ARRAY_SIZE(timeouts) && !blocked; i++) {
		ev_waiter_init(&w, &self->b.p, &id, 1, false);
		w.timeout = timeouts[i];
		ASSERT_EQ(0, ev_waiter_go(&w));
		blocked = ev_waiter_blocked(&w);
		if (!blocked)
			ev_waiter_join(&w);
	}
	ASSERT_TRUE(blocked);
	ASSERT_EQ(0, pthread_kill(w.thread, SIGUSR1));
	ev_waiter_join(&w);
	EXPECT_EQ(1, handled);
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(EV_TIMEOUT, (int)w.result);
	EXPECT_GE(timeouts[i - 1], w.args.timeout);
}

/* ------------------------------------------------------------------------
 * Exits and closes with waiters and events
 */

/* Child: events, a page mapping, a thread blocked in a wait; then exit or be killed. */
static int child_waiting(void *arg, int in, int out)
{
	const struct vkfd_env *env = arg;
	struct vkfd_context c, s;
	struct ev_waiter w, ws;
	uint32_t id = 1;
	void *page;
	uint64_t cmd;

	if (vkfd_open_primary(env->dev, &c))
		return 1;
	if (ev_signal(&c, true) != 1 || ev_signal(&c, false) != 2)
		return 2;
	page = ev_page_map(c.fd, EV_PAGE_SIZE, MAP_SHARED, EV_PAGE_OFFSET);
	if (page == MAP_FAILED)
		return 3;
	if (ev_waiter_start(&w, &c, &id, 1, false) || !ev_waiter_blocked(&w))
		return 4;
	/* A secondary with a waiter too, where there are secondaries */
	if (!vkfd_open_secondary(env->dev, &s)) {
		if (ev_signal(&s, false) != 1)
			return 5;
		if (ev_waiter_start(&ws, &s, &id, 1, false) || !ev_waiter_blocked(&ws))
			return 6;
	}
	if (vkfd_msg_send(out, 1) || vkfd_msg_recv(in, &cmd))
		return 7;
	/* exit_group(): the waiters end with the process, fds and page closed by exit */
	return 0;
}

static void exit_with_waiters(struct __test_metadata *_metadata,
			      FIXTURE_DATA(event) *self, bool kill_it)
{
	struct vkfd_child child = { 0 };
	uint64_t ready;
	pid_t pid;
	int ret;

	ASSERT_EQ(0, vkfd_child_start(&child, child_waiting, &self->b.env));
	pid = child.pid;
	ASSERT_EQ(0, vkfd_msg_recv(child.from_child, &ready));
	if (kill_it) {
		ASSERT_EQ(0, kill(pid, SIGKILL));
	} else {
		ASSERT_EQ(0, vkfd_msg_send(child.to_child, 1));
	}
	ret = vkfd_child_wait(&child);
	EXPECT_EQ(kill_it ? 128 + SIGKILL : 0, ret);
	EXPECT_TRUE(vkfd_proc_gone_after_exit(&self->b.env, pid));
	if (!self->b.env.amdkfd && vkfd_debugfs_present())
		EXPECT_EQ(0, vkfd_ctx_rows(pid));
}

TEST_F(event, exit_with_waiters)
{
	exit_with_waiters(_metadata, self, false);
}

TEST_F(event, killed_with_waiters)
{
	exit_with_waiters(_metadata, self, true);
}

/*
 * Closing a secondary with events and a mapping of its page: the mapping
 * holds the file, hence the context, until it is unmapped; then the
 * context goes with its events.
 */
TEST_F(event, close_secondary_with_events)
{
	bool debugfs = !self->b.env.amdkfd && vkfd_debugfs_present();
	volatile uint64_t *slots;
	struct vkfd_context sec;
	struct vkfd_ctx_row row;
	uint32_t id;
	int i;

	EV_SECONDARY(&sec);
	id = vkfd_ctx_id_of_fd(sec.fd);
	for (i = 1; i <= 5; i++)
		ASSERT_EQ(i, ev_signal(&sec, i % 2));
	ASSERT_EQ(0, vkfd_event_page_mmap(&sec, EV_PAGE_OFFSET, EV_PAGE_SIZE, &slots));
	slots[3] = 3;
	ASSERT_EQ(0, vkfd_event_set(&sec, 2));
	vkfd_close(&sec);
	if (debugfs) {
		ASSERT_EQ(0, vkfd_ctx_row(getpid(), id, &row));
		EXPECT_EQ(5ULL, row.events);
	}
	EXPECT_EQ(3ULL, slots[3]);
	EXPECT_EQ(EV_UNSIGNALED, slots[2]);
	munmap((void *)slots, EV_PAGE_SIZE);
	if (debugfs)
		EXPECT_EQ(-ENOENT, vkfd_ctx_row(getpid(), id, &row));
	/* The primary has none of its events */
	EXPECT_EQ(-EINVAL, vkfd_event_set(&self->b.p, 1));
}

TEST_HARNESS_MAIN
