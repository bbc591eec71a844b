// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Waiter floods. A WAIT_EVENTS that names one event many times puts one
 * waiter on it, not one per entry: a set walks one waiter per wait, under
 * a spinlock the engines take. Repeated ids keep amdkfd's results (these
 * tests run on the amdkfd lane too). An attacker's parked waits do not
 * stop a victim's set and wait, and one set releases them all.
 *
 * How many waiters a context's events have comes from the test hooks
 * (vkfd only). Waits for a thread to park are bounded, never a result.
 */
#include "kselftest_harness.h"
#include "event_utils.h"

#define FL_THREADS	20
#define FL_REPEATS	65536		/* the most entries one wait may name */
/*
 * A wait names the event this many times: FL_REPEATS, a tenth of it in
 * the scaled lanes (VKFD_TEST_SCALE). Any count above one tells one
 * waiter per entry from one per wait; the full count is the bound the
 * soft-lockup claim is about, and the distro-6.1 lane runs it.
 */
#define FL_NAMED	((uint32_t)vkfd_scaled(FL_REPEATS))
#define FL_PARK_MS	60000		/* a bound, not an expectation */

/* A thread waiting forever for @n entries of @data (shared, read only). */
struct fl_waiter {
	pthread_t thread;
	int fd;
	struct kfd_event_data *data;
	uint32_t n;
	bool all;
	int ret;		/* 0 or -errno */
	uint32_t result;
	volatile int done;
};

static void *fl_waiter_main(void *arg)
{
	struct kfd_ioctl_wait_events_args args;
	struct fl_waiter *w = arg;

	w->ret = _test_ev_wait(w->fd, w->data, w->n, w->all, EV_INFINITE, &args);
	w->result = args.wait_result;
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* @n entries naming @id, for waits of signal events (nothing written back). */
static struct kfd_event_data *fl_repeats(uint32_t id, uint32_t n)
{
	struct kfd_event_data *data = calloc(n, sizeof(*data));
	uint32_t i;

	for (i = 0; data && i < n; i++)
		data[i].event_id = id;
	return data;
}

/*
 * The waiters of context @ctx_id of @pid once there are at least @min
 * (polled, bounded by FL_PARK_MS); UINT64_MAX if the hooks fail.
 */
static uint64_t fl_waiters_reach(pid_t pid, uint32_t ctx_id, uint64_t min)
{
	struct vkfd_ctx_row row;
	int ms;

	for (ms = 0;; ms++) {
		if (vkfd_ctx_row(pid, ctx_id, &row))
			return UINT64_MAX;
		if (row.waiters >= min || ms >= FL_PARK_MS)
			return row.waiters;
		vkfd_sleep_ms(1);
	}
}

/* Start @nr threads waiting for @data on @fd; 0 or -1. */
static int fl_start(struct fl_waiter *w, int nr, int fd,
		    struct kfd_event_data *data, uint32_t n, bool all)
{
	int i;

	for (i = 0; i < nr; i++) {
		w[i] = (struct fl_waiter){
			.fd = fd, .data = data, .n = n, .all = all,
			.result = 0xdead,
		};
		if (pthread_create(&w[i].thread, NULL, fl_waiter_main, &w[i]))
			return -1;
	}
	return 0;
}

/* Join @nr threads; how many returned 0 with COMPLETE. */
static int fl_join(struct fl_waiter *w, int nr)
{
	int i, ok = 0;

	for (i = 0; i < nr; i++) {
		pthread_join(w[i].thread, NULL);
		ok += !w[i].ret && w[i].result == EV_COMPLETE;
	}
	return ok;
}

/*
 * 20 threads each name one event FL_NAMED times (65536 unscaled): 20
 * (the set that released them walked that many under the signal lock: a
 * soft lockup and an RCU stall). One set completes them all.
 */
TEST_F_TIMEOUT(event, repeats_one_waiter_per_wait, 300)
{
	struct fl_waiter w[FL_THREADS];
	struct kfd_event_data *data;
	struct vkfd_ctx_row row;
	int64_t id;

	VKFD_ONLY(&self->b.env, "no test hooks to count waiters");
	id = ev_signal(&self->b.p, false);
	ASSERT_LT(0, id);
	data = fl_repeats(id, FL_NAMED);
	ASSERT_NE(NULL, data);
	ASSERT_EQ(0, fl_start(w, FL_THREADS, self->b.p.fd, data, FL_NAMED, false));
	EXPECT_EQ((uint64_t)FL_THREADS, fl_waiters_reach(getpid(), VKFD_CTX_ID_PRIMARY,
					       FL_THREADS));

	ASSERT_EQ(0, vkfd_event_set(&self->b.p, id));
	EXPECT_EQ(FL_THREADS, fl_join(w, FL_THREADS));
	ASSERT_EQ(0, vkfd_ctx_row(getpid(), VKFD_CTX_ID_PRIMARY, &row));
	EXPECT_EQ(0ULL, row.waiters);
	EXPECT_EQ(1ULL, row.events);
	free(data);
}

/*
 * Destroying the event the 20 threads wait on fails every wait with EIO
 * and leaves no waiter behind.
 */
TEST_F_TIMEOUT(event, repeats_destroy_fails_every_wait, 300)
{
	struct fl_waiter w[FL_THREADS];
	struct kfd_event_data *data;
	struct vkfd_ctx_row row;
	int64_t id;
	int i;

	VKFD_ONLY(&self->b.env, "no test hooks to count waiters");
	id = ev_signal(&self->b.p, true);
	ASSERT_LT(0, id);
	data = fl_repeats(id, FL_NAMED);
	ASSERT_NE(NULL, data);
	ASSERT_EQ(0, fl_start(w, FL_THREADS, self->b.p.fd, data, FL_NAMED, true));
	EXPECT_EQ((uint64_t)FL_THREADS, fl_waiters_reach(getpid(), VKFD_CTX_ID_PRIMARY,
							 FL_THREADS));

	ASSERT_EQ(0, vkfd_event_destroy(&self->b.p, id));
	EXPECT_EQ(0, fl_join(w, FL_THREADS));
	for (i = 0; i < FL_THREADS; i++) {
		EXPECT_EQ(-EIO, w[i].ret);
		EXPECT_EQ(EV_FAIL, (int)w[i].result);
	}
	ASSERT_EQ(0, vkfd_ctx_row(getpid(), VKFD_CTX_ID_PRIMARY, &row));
	EXPECT_EQ(0ULL, row.waiters);
	EXPECT_EQ(0ULL, row.events);
	free(data);
}

/*
 * A wait for all of 4 distinct events, each named 3 times in a mix: one
 * waiter per event; it completes when the last of them is set.
 */
TEST_F(event, repeats_distinct_events)
{
	struct ev_waiter w;
	struct vkfd_ctx_row row;
	uint32_t ids[4], data[12];
	int i;

	VKFD_ONLY(&self->b.env, "no test hooks to count waiters");
	for (i = 0; i < 4; i++) {
		ids[i] = ev_signal(&self->b.p, i % 2);
		ASSERT_LT(0, (int)ids[i]);
	}
	for (i = 0; i < 12; i++)
		data[i] = ids[(i * 7) % 4];
	ASSERT_EQ(0, ev_waiter_start(&w, &self->b.p, data, 12, true));
	EXPECT_EQ(4ULL, fl_waiters_reach(getpid(), VKFD_CTX_ID_PRIMARY, 4));
	/*
	 * Counted once it joined, but a set before it took the signals would
	 * satisfy only one of the three entries of an auto-reset event, as
	 * in amdkfd: set them once it sleeps.
	 */
	ASSERT_TRUE(ev_waiter_blocked(&w));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, vkfd_event_set(&self->b.p, ids[i]));
	/* Not complete without the last: still 4 waiters */
	ASSERT_EQ(0, vkfd_ctx_row(getpid(), VKFD_CTX_ID_PRIMARY, &row));
	EXPECT_EQ(4ULL, row.waiters);
	EXPECT_FALSE(__atomic_load_n(&w.done, __ATOMIC_ACQUIRE));
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, ids[3]));
	ev_waiter_join(&w);
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ((uint32_t)EV_COMPLETE, w.result);
	ASSERT_EQ(0, vkfd_ctx_row(getpid(), VKFD_CTX_ID_PRIMARY, &row));
	EXPECT_EQ(0ULL, row.waiters);
}

/* ------------------------------------------------------------------------
 * Repeated ids: amdkfd's results, where each entry is a waiter of its own
 */

/* WAIT_EVENTS with timeout 0 on @n entries naming @id: the result, or -errno. */
static int fl_look(const struct vkfd_context *c, uint32_t id, uint32_t n, bool all)
{
	struct kfd_ioctl_wait_events_args args;
	struct kfd_event_data data[4] = { 0 };
	uint32_t i;
	int ret;

	for (i = 0; i < n; i++)
		data[i].event_id = id;
	ret = _test_ev_wait(c->fd, data, n, all, 0, &args);
	return ret ? ret : (int)args.wait_result;
}

/* A signaled event that is not auto-reset activates every entry naming it. */
TEST_F(event, repeats_manual_reset)
{
	int64_t id = ev_signal(&self->b.p, false);

	ASSERT_LT(0, id);
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, id));
	EXPECT_EQ(EV_COMPLETE, fl_look(&self->b.p, id, 3, true));
	EXPECT_EQ(EV_COMPLETE, fl_look(&self->b.p, id, 3, false));
	/* Still signaled */
	EXPECT_TRUE(ev_signaled(&self->b.p, id));
}

/*
 * A signaled auto-reset event: the first entry takes the signal, the
 * others wait for the next set. A wait for any completes; a wait for all
 * does not, and the signal is taken all the same.
 */
TEST_F(event, repeats_auto_reset_take_once)
{
	int64_t id = ev_signal(&self->b.p, true);

	ASSERT_LT(0, id);
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, id));
	EXPECT_EQ(EV_COMPLETE, fl_look(&self->b.p, id, 2, false));
	EXPECT_FALSE(ev_signaled(&self->b.p, id));

	ASSERT_EQ(0, vkfd_event_set(&self->b.p, id));
	EXPECT_EQ(EV_TIMEOUT, fl_look(&self->b.p, id, 2, true));
	EXPECT_FALSE(ev_signaled(&self->b.p, id));
	/* One entry alone completes a wait for all */
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, id));
	EXPECT_EQ(EV_COMPLETE, fl_look(&self->b.p, id, 1, true));
}

/*
 * A wait for all that names a signaled auto-reset event twice waits for
 * one more set, which activates both entries at once and is taken.
 */
TEST_F(event, repeats_auto_reset_next_set)
{
	struct ev_waiter w;
	uint32_t ids[2];
	int64_t id = ev_signal(&self->b.p, true);

	ASSERT_LT(0, id);
	ids[0] = ids[1] = id;
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, id));
	ASSERT_EQ(0, ev_waiter_start(&w, &self->b.p, ids, 2, true));
	ASSERT_TRUE(ev_waiter_blocked(&w));
	/* The first entry took the signal */
	EXPECT_FALSE(ev_signaled(&self->b.p, id));
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, id));
	ev_waiter_join(&w);
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(EV_COMPLETE, (int)w.result);
	/* The wait took the set */
	EXPECT_FALSE(ev_signaled(&self->b.p, id));
}

/* An unsignaled event named twice: one set activates both entries. */
TEST_F(event, repeats_unsignaled_one_set)
{
	struct ev_waiter w;
	uint32_t ids[3];
	int64_t id = ev_signal(&self->b.p, true);
	int64_t other = ev_signal(&self->b.p, false);

	ASSERT_LT(0, id);
	ASSERT_LT(0, other);
	ids[0] = id;
	ids[1] = other;
	ids[2] = id;
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, other));
	ASSERT_EQ(0, ev_waiter_start(&w, &self->b.p, ids, 3, true));
	ASSERT_TRUE(ev_waiter_blocked(&w));
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, id));
	ev_waiter_join(&w);
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(EV_COMPLETE, (int)w.result);
	EXPECT_FALSE(ev_signaled(&self->b.p, id));
	EXPECT_TRUE(ev_signaled(&self->b.p, other));
}

/*
 * An unknown id among repeats fails the wait with EINVAL and takes no
 * signal, however many entries came before it.
 */
TEST_F(event, repeats_unknown_id_takes_nothing)
{
	struct kfd_ioctl_wait_events_args args;
	struct kfd_event_data *data;
	int64_t id = ev_signal(&self->b.p, true);
	uint32_t n = 1000;

	VKFD_ONLY(&self->b.env, "takes the signals of the ids before the unknown one");
	ASSERT_LT(0, id);
	data = fl_repeats(id, n);
	ASSERT_NE(NULL, data);
	data[n - 1].event_id = id + 1;
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, id));
	EXPECT_EQ(-EINVAL, _test_ev_wait(self->b.p.fd, data, n, false, 0, &args));
	EXPECT_EQ(EV_FAIL, (int)args.wait_result);
	EXPECT_TRUE(ev_signaled(&self->b.p, id));
	free(data);
}

/* ------------------------------------------------------------------------
 * Two processes: the attacker parks, the victim carries on
 */

/*
 * The attacker: its own primary and event, FL_THREADS threads naming it
 * FL_NAMED times each. Reports when they are all parked, sets the event
 * when told, and exits 0 if every wait completed.
 */
static int child_flood(void *arg, int in, int out)
{
	const struct vkfd_env *env = arg;
	struct fl_waiter w[FL_THREADS];
	struct kfd_event_data *data;
	struct vkfd_context c;
	uint64_t cmd, parked;
	int64_t id;

	if (vkfd_open_primary(env->dev, &c))
		return 1;
	id = ev_signal(&c, false);
	if (id <= 0)
		return 2;
	data = fl_repeats(id, FL_NAMED);
	if (!data || fl_start(w, FL_THREADS, c.fd, data, FL_NAMED, false))
		return 3;
	parked = fl_waiters_reach(getpid(), VKFD_CTX_ID_PRIMARY, FL_THREADS);
	if (vkfd_msg_send(out, parked) || vkfd_msg_recv(in, &cmd))
		return 4;
	if (vkfd_event_set(&c, id))
		return 5;
	if (fl_join(w, FL_THREADS) != FL_THREADS)
		return 6;
	return 0;
}

TEST_F_TIMEOUT(event, flood_victim_carries_on, 300)
{
	struct vkfd_child child = { 0 };
	struct ev_waiter w;
	uint64_t parked;
	uint32_t id;
	int64_t ev;

	VKFD_ONLY(&self->b.env, "no test hooks to count waiters");
	ASSERT_EQ(0, vkfd_child_start(&child, child_flood, &self->b.env));
	ASSERT_EQ(0, vkfd_msg_recv(child.from_child, &parked));
	EXPECT_EQ((uint64_t)FL_THREADS, parked);

	/* The victim: a set and a wait, a parked wait and its set */
	ev = ev_signal(&self->b.p, true);
	ASSERT_LT(0, ev);
	id = ev;
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, id));
	EXPECT_EQ(EV_COMPLETE, ev_wait1(&self->b.p, id, EV_INFINITE));
	EXPECT_EQ(EV_TIMEOUT, ev_wait1(&self->b.p, id, 0));
	ASSERT_EQ(0, ev_waiter_start(&w, &self->b.p, &id, 1, false));
	ASSERT_TRUE(ev_waiter_blocked(&w));
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, id));
	ev_waiter_join(&w);
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(EV_COMPLETE, (int)w.result);

	/* One set releases all the attacker's waits */
	ASSERT_EQ(0, vkfd_msg_send(child.to_child, 1));
	EXPECT_EQ(0, vkfd_child_wait(&child));
}

TEST_HARNESS_MAIN
