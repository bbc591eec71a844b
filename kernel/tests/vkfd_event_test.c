// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit tests of WAIT_EVENTS' waiters (vkfd_event_wait.c). A wait puts
 * one waiter per distinct event on the event's list, however many entries
 * of the caller's array name it, yet its results are amdkfd's, where each
 * entry waits on its own. A model of amdkfd's kfd_events.c (a waiter per
 * entry) runs beside vkfd's code on every combination of two events
 * (auto-reset or not, signaled or not), arrays of 1 to 4 entries naming
 * them, waits for any and for all, up to two sets, and an end with or
 * without giving the signals back (an interrupted wait): after each step
 * the wait's result and both events' states must agree.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "../vkfd_compat.h"
#include "../vkfd_event.h"
#include "../vkfd_priv.h"

#define EVT_EVENTS	2
#define EVT_ENTRIES	4
#define EVT_SETS	2

/**
 * struct evt_model - amdkfd's wait, one waiter per entry
 * @signaled: each event's state
 * @auto_reset: each event's kind
 * @ids: the event (0 or 1) each entry names
 * @activated: amdkfd's waiter->activated of each entry
 * @queued: the entry's waiter is on the event's wait queue
 * @n: entries
 * @all: wait for all
 */
struct evt_model {
	bool signaled[EVT_EVENTS];
	bool auto_reset[EVT_EVENTS];
	u32 ids[EVT_ENTRIES];
	bool activated[EVT_ENTRIES];
	bool queued[EVT_ENTRIES];
	u32 n;
	bool all;
};

/* init_event_waiter() of each entry in turn */
static void evt_model_begin(struct evt_model *m)
{
	u32 i, e;

	for (i = 0; i < m->n; i++) {
		e = m->ids[i];
		m->activated[i] = m->signaled[e];
		m->signaled[e] = m->signaled[e] && !m->auto_reset[e];
		m->queued[i] = !m->activated[i];
	}
}

/* set_event() */
static void evt_model_set(struct evt_model *m, u32 e)
{
	bool queued = false;
	u32 i;

	for (i = 0; i < m->n; i++) {
		if (m->ids[i] != e || !m->queued[i])
			continue;
		queued = true;
		m->activated[i] = true;
	}
	m->signaled[e] = !m->auto_reset[e] || !queued;
}

/* test_event_condition() */
static u32 evt_model_test(const struct evt_model *m)
{
	u32 i, activated = 0;

	for (i = 0; i < m->n; i++) {
		if (!m->activated[i])
			continue;
		if (!m->all)
			return KFD_IOC_WAIT_RESULT_COMPLETE;
		activated++;
	}
	return activated == m->n ? KFD_IOC_WAIT_RESULT_COMPLETE :
				   KFD_IOC_WAIT_RESULT_TIMEOUT;
}

/* free_waiters() of an interrupted wait: each entry leaves, then gives back */
static void evt_model_undo(struct evt_model *m)
{
	u32 i;

	for (i = 0; i < m->n; i++) {
		m->queued[i] = false;
		if (m->activated[i] && m->auto_reset[m->ids[i]])
			evt_model_set(m, m->ids[i]);
	}
}

/* vkfd's side: the events of a context, two of them */
struct evt_ctx {
	struct vkfd_events events;
	struct vkfd_event ev[EVT_EVENTS];
};

static struct evt_ctx *evt_ctx_new(struct kunit *test, const struct evt_model *m)
{
	struct evt_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	u32 e;

	KUNIT_ASSERT_NOT_NULL(test, c);
	xa_init_flags(&c->events.ids, XA_FLAGS_ALLOC);
	INIT_LIST_HEAD(&c->events.fault_waits);
	for (e = 0; e < EVT_EVENTS; e++) {
		c->ev[e].id = 3 + 5 * e;
		c->ev[e].type = KFD_IOC_EVENT_SIGNAL;
		c->ev[e].auto_reset = m->auto_reset[e];
		c->ev[e].signaled = m->signaled[e];
		INIT_LIST_HEAD(&c->ev[e].waiters);
		KUNIT_ASSERT_EQ(test, 0,
				xa_err(xa_store(&c->events.ids, c->ev[e].id,
						&c->ev[e], GFP_KERNEL)));
	}
	return c;
}

/* Do vkfd and the model agree? Says where they part, once. */
static bool evt_agree(struct kunit *test, const struct evt_model *m,
		      const struct evt_ctx *c, const struct vkfd_event_wait *wait,
		      const char *step)
{
	u32 want = evt_model_test(m), got = wait ? vkfd_event_wait_test(wait) : want;
	u32 e;

	for (e = 0; e < EVT_EVENTS; e++)
		if (c->ev[e].signaled != m->signaled[e])
			break;
	if (got == want && e == EVT_EVENTS)
		return true;
	KUNIT_FAIL(test,
		   "%s: n %u ids %u%u%u%u all %d auto %d%d: result %u, amdkfd %u; signaled %d%d, amdkfd %d%d",
		   step, m->n, m->ids[0], m->ids[1], m->ids[2], m->ids[3], m->all,
		   m->auto_reset[0], m->auto_reset[1], got, want,
		   c->ev[0].signaled, c->ev[1].signaled, m->signaled[0],
		   m->signaled[1]);
	return false;
}

/*
 * One scenario on @c, whose events the scenario before left without
 * waiters: begin, @nsets sets of the events in @sets, end. The events are
 * reused, not made anew (13,440 scenarios; the debug kernel makes each
 * allocation costly).
 */
static bool evt_run(struct kunit *test, struct evt_ctx *c,
		    const struct evt_model *start, const u32 *sets, u32 nsets,
		    bool undo)
{
	struct evt_model m = *start;
	struct vkfd_event_wait wait = { .n = m.n, .all = m.all };
	u64 keys[EVT_ENTRIES];
	bool ok;
	u32 i;

	for (i = 0; i < EVT_EVENTS; i++) {
		c->ev[i].auto_reset = m.auto_reset[i];
		c->ev[i].signaled = m.signaled[i];
	}

	for (i = 0; i < m.n; i++)
		keys[i] = (u64)c->ev[m.ids[i]].id << 32 | i;
	KUNIT_ASSERT_EQ(test, 0, vkfd_event_wait_index(&wait, keys));
	KUNIT_ASSERT_EQ(test, 0, vkfd_event_wait_join(&c->events, &wait));
	vkfd_event_wait_take(&c->events, &wait);
	evt_model_begin(&m);
	ok = evt_agree(test, &m, c, &wait, "begin");
	for (i = 0; ok && i < nsets; i++) {
		xa_lock(&c->events.ids);
		vkfd_event_set_locked(&c->events, &c->ev[sets[i]]);
		xa_unlock(&c->events.ids);
		evt_model_set(&m, sets[i]);
		ok = evt_agree(test, &m, c, &wait, "set");
	}
	KUNIT_EXPECT_EQ(test, 0,
			vkfd_event_wait_leave(&c->events, &wait, false, undo));
	if (undo)
		evt_model_undo(&m);
	if (ok)
		ok = evt_agree(test, &m, c, NULL, undo ? "undo" : "end");
	KUNIT_EXPECT_EQ(test, 0U, c->events.nr_waiters);
	for (i = 0; i < EVT_EVENTS; i++)
		KUNIT_EXPECT_TRUE(test, list_empty(&c->ev[i].waiters));
	vkfd_event_wait_free(&wait);
	return ok && !c->events.nr_waiters;
}

/*
 * Every combination: event states and kinds (4 bits), any or all, with
 * and without undo; arrays of 1 to 4 entries over the two events (30);
 * 0 to 2 sets (7). A scenario's number packs them: the low 6 bits, then
 * the sets, then the array (n entries, bit i the event of entry i: the
 * arrays are numbered 2^n - 2 + ids, the sets 2^nsets - 1 + seq).
 */
static void vkfd_event_test_amdkfd_results(struct kunit *test)
{
	const u32 scenarios = 64 * 7 * 30;
	u32 sets[EVT_SETS], k, q, p, nsets, seq, ids, i;
	struct evt_model m = {};
	struct evt_ctx *c = evt_ctx_new(test, &m);
	bool undo;

	for (k = 0; k < scenarios; k++) {
		memset(&m, 0, sizeof(m));
		undo = k & 1;
		m.all = k & 2;
		m.signaled[0] = k & 4;
		m.signaled[1] = k & 8;
		m.auto_reset[0] = k & 16;
		m.auto_reset[1] = k & 32;
		q = (k >> 6) % 7 + 1;
		nsets = fls(q) - 1;
		seq = q - (1U << nsets);
		p = (k >> 6) / 7 + 2;
		m.n = fls(p) - 1;
		ids = p - (1U << m.n);
		for (i = 0; i < m.n; i++)
			m.ids[i] = (ids >> i) & 1;
		for (i = 0; i < nsets; i++)
			sets[i] = (seq >> i) & 1;
		if (!evt_run(test, c, &m, sets, nsets, undo))
			break;
	}
	xa_destroy(&c->events.ids);
}

/* Ids 5 3 5 5 3 7: three waiters in id order, the repeats marked. */
static void vkfd_event_test_index(struct kunit *test)
{
	static const u32 ids[] = { 5, 3, 5, 5, 3, 7 };
	static const u32 entry[] = {
		1, 0, 1 | VKFD_EVENT_WAIT_REPEAT, 1 | VKFD_EVENT_WAIT_REPEAT,
		0 | VKFD_EVENT_WAIT_REPEAT, 2,
	};
	struct vkfd_event_wait wait = { .n = ARRAY_SIZE(ids) };
	u64 keys[ARRAY_SIZE(ids)];
	u32 i;

	for (i = 0; i < ARRAY_SIZE(ids); i++)
		keys[i] = (u64)ids[i] << 32 | i;
	KUNIT_ASSERT_EQ(test, 0, vkfd_event_wait_index(&wait, keys));
	KUNIT_ASSERT_EQ(test, 3U, wait.nr);
	KUNIT_EXPECT_EQ(test, 3U, wait.w[0].id);
	KUNIT_EXPECT_EQ(test, 2U, wait.w[0].count);
	KUNIT_EXPECT_EQ(test, 5U, wait.w[1].id);
	KUNIT_EXPECT_EQ(test, 3U, wait.w[1].count);
	KUNIT_EXPECT_EQ(test, 7U, wait.w[2].id);
	KUNIT_EXPECT_EQ(test, 1U, wait.w[2].count);
	for (i = 0; i < ARRAY_SIZE(ids); i++)
		KUNIT_EXPECT_EQ(test, entry[i], wait.entry[i]);
	vkfd_event_wait_free(&wait);
}

/*
 * More entries than one sorted run (the keys are sorted in runs, then
 * merged): 3001 entries over 97 ids in a scrambled order, each id's
 * first entry the waiter's, the others repeats, the waiters by id.
 */
static void vkfd_event_test_index_merged(struct kunit *test)
{
	const u32 n = 3001, nids = 97;
	struct vkfd_event_wait wait = { .n = n };
	u64 *keys = kunit_kmalloc_array(test, n, sizeof(*keys), GFP_KERNEL);
	u32 *ids = kunit_kmalloc_array(test, n, sizeof(*ids), GFP_KERNEL);
	bool *seen = kunit_kzalloc(test, nids, GFP_KERNEL);
	u32 i, d, id;

	KUNIT_ASSERT_NOT_NULL(test, keys);
	KUNIT_ASSERT_NOT_NULL(test, ids);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	for (i = 0; i < n; i++) {
		/* 1000 is prime to 97: every id, in a scrambled order */
		ids[i] = (i * 1000 + 11) % nids;
		keys[i] = (u64)(ids[i] + 1) << 32 | i;
	}
	KUNIT_ASSERT_EQ(test, 0, vkfd_event_wait_index(&wait, keys));
	KUNIT_ASSERT_EQ(test, nids, wait.nr);
	for (d = 0; d < wait.nr; d++)
		KUNIT_EXPECT_EQ(test, d + 1, wait.w[d].id);
	for (i = 0; i < n; i++) {
		d = wait.entry[i] & ~VKFD_EVENT_WAIT_REPEAT;
		id = ids[i];
		KUNIT_ASSERT_LT(test, d, wait.nr);
		KUNIT_EXPECT_EQ(test, id + 1, wait.w[d].id);
		KUNIT_EXPECT_EQ(test, seen[id],
				!!(wait.entry[i] & VKFD_EVENT_WAIT_REPEAT));
		seen[id] = true;
	}
	for (d = 0, i = 0; d < wait.nr; d++)
		i += wait.w[d].count;
	KUNIT_EXPECT_EQ(test, n, i);
	vkfd_event_wait_free(&wait);
}

/* 65536 entries naming one event: one waiter on its list. */
static void vkfd_event_test_repeats_one_waiter(struct kunit *test)
{
	const u32 n = 65536;
	struct evt_model m = { .n = 1 };
	struct vkfd_event_wait wait = { .n = n };
	struct evt_ctx *c = evt_ctx_new(test, &m);
	u64 *keys = kunit_kmalloc_array(test, n, sizeof(*keys), GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, keys);
	for (i = 0; i < n; i++)
		keys[i] = (u64)c->ev[0].id << 32 | i;
	KUNIT_ASSERT_EQ(test, 0, vkfd_event_wait_index(&wait, keys));
	KUNIT_ASSERT_EQ(test, 1U, wait.nr);
	KUNIT_ASSERT_EQ(test, 0, vkfd_event_wait_join(&c->events, &wait));
	vkfd_event_wait_take(&c->events, &wait);
	KUNIT_EXPECT_EQ(test, 1U, c->events.nr_waiters);
	KUNIT_EXPECT_TRUE(test, list_is_singular(&c->ev[0].waiters));
	KUNIT_EXPECT_EQ(test, (u32)KFD_IOC_WAIT_RESULT_TIMEOUT,
			vkfd_event_wait_test(&wait));
	xa_lock(&c->events.ids);
	vkfd_event_set_locked(&c->events, &c->ev[0]);
	xa_unlock(&c->events.ids);
	KUNIT_EXPECT_EQ(test, (u32)KFD_IOC_WAIT_RESULT_COMPLETE,
			vkfd_event_wait_test(&wait));
	KUNIT_EXPECT_EQ(test, 0,
			vkfd_event_wait_leave(&c->events, &wait, true, false));
	KUNIT_EXPECT_EQ(test, 0U, c->events.nr_waiters);
	vkfd_event_wait_free(&wait);
	xa_destroy(&c->events.ids);
}

/* An unknown id among known ones: the join fails, nothing was taken. */
static void vkfd_event_test_unknown_takes_nothing(struct kunit *test)
{
	struct evt_model m = { .n = 1, .signaled = { true, true },
			       .auto_reset = { true, true } };
	struct evt_ctx *c = evt_ctx_new(test, &m);
	struct vkfd_event_wait wait = { .n = 3 };
	u64 keys[3];

	keys[0] = (u64)c->ev[0].id << 32 | 0;
	keys[1] = (u64)c->ev[1].id << 32 | 1;
	keys[2] = (u64)1000 << 32 | 2;
	KUNIT_ASSERT_EQ(test, 0, vkfd_event_wait_index(&wait, keys));
	KUNIT_EXPECT_EQ(test, -EINVAL, vkfd_event_wait_join(&c->events, &wait));
	KUNIT_EXPECT_EQ(test, 0,
			vkfd_event_wait_leave(&c->events, &wait, false, false));
	KUNIT_EXPECT_TRUE(test, c->ev[0].signaled);
	KUNIT_EXPECT_TRUE(test, c->ev[1].signaled);
	KUNIT_EXPECT_EQ(test, 0U, c->events.nr_waiters);
	vkfd_event_wait_free(&wait);
	xa_destroy(&c->events.ids);
}

/* ------------------------------------------------------------------------
 * A fault and the MEMORY events of its context, through the real creation,
 * fault and release paths on a context with nothing but its events.
 */

#define EVT_FAULT_EVENTS	10000
#define EVT_FAULT_GPU		0x4a21
#define EVT_FAULT_VA		0x7fff12345678ULL

static struct vkfd_ctx *evt_fault_ctx_new(struct kunit *test)
{
	struct vkfd_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	mutex_init(&ctx->mem_lock);
	ctx->limits.max[VKFD_LIMIT_EVENTS] = U64_MAX;
	return ctx;
}

/* CREATE_EVENT of a MEMORY event: its id. */
static u32 evt_fault_create(struct kunit *test, struct vkfd_ctx *ctx,
			    bool auto_reset)
{
	struct kfd_ioctl_create_event_args args = {
		.event_type = KFD_IOC_EVENT_MEMORY,
		.auto_reset = auto_reset,
	};
	void *ev = vkfd_event_create_ops.build(NULL, ctx, &args);

	KUNIT_ASSERT_FALSE(test, IS_ERR(ev));
	vkfd_event_create_ops.publish(NULL, ctx, ev);
	return args.event_id;
}

/*
 * A WAIT_EVENTS with timeout 0 for all of @n ids: its result. With
 * @took, which of them it found signaled (in id order, as @ids is);
 * with @reports, how many entries report the fault of EVT_FAULT_VA.
 */
static u32 evt_fault_look(struct kunit *test, struct vkfd_events *events,
			  const u32 *ids, u32 n, bool *took, u32 *reports)
{
	/* NotPresent set, ReadOnly clear: the uAPI's order. */
	const struct kfd_hsa_memory_exception_data want = {
		.failure = { 1, 0 },
		.va = EVT_FAULT_VA & PAGE_MASK,
		.gpu_id = EVT_FAULT_GPU,
	};
	struct vkfd_event_wait wait = { .n = n, .all = true };
	u64 *keys = kvmalloc_array(n, sizeof(*keys), GFP_KERNEL);
	u32 i, result;

	KUNIT_ASSERT_NOT_NULL(test, keys);
	for (i = 0; i < n; i++)
		keys[i] = (u64)ids[i] << 32 | i;
	KUNIT_ASSERT_EQ(test, 0, vkfd_event_wait_index(&wait, keys));
	kvfree(keys);
	KUNIT_ASSERT_EQ(test, 0, vkfd_event_wait_join(events, &wait));
	vkfd_event_wait_take(events, &wait);
	result = vkfd_event_wait_test(&wait);
	for (i = 0; took && i < wait.nr; i++)
		took[i] = wait.w[i].took_first;
	KUNIT_EXPECT_EQ(test, 0,
			vkfd_event_wait_leave(events, &wait,
					      result == KFD_IOC_WAIT_RESULT_COMPLETE,
					      false));
	for (i = 0; reports && i < wait.nr; i++)
		*reports += wait.w[i].report &&
			    !memcmp(&wait.w[i].mem, &want, sizeof(want));
	vkfd_event_wait_free(&wait);
	return result;
}

/*
 * 10,000 MEMORY events, every other one auto-reset: a fault reaches them
 * all without visiting one (no event's memory is written by it), yet each
 * is signaled and reports the fault; a look takes the auto-reset ones'
 * signals; an event created after the fault is not signaled by it.
 */
static void vkfd_event_test_fault_visits_no_event(struct kunit *test)
{
	const u32 n = EVT_FAULT_EVENTS;
	struct vkfd_ctx *ctx = evt_fault_ctx_new(test);
	struct vkfd_event *before, *ev;
	struct vkfd_events *events;
	u32 *ids, i, visited = 0, reports = 0, late;
	bool *took;

	ids = kunit_kmalloc_array(test, n, sizeof(*ids), GFP_KERNEL);
	took = kunit_kmalloc_array(test, n, sizeof(*took), GFP_KERNEL);
	before = kvmalloc_array(n, sizeof(*before), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ids);
	KUNIT_ASSERT_NOT_NULL(test, took);
	KUNIT_ASSERT_NOT_NULL(test, before);
	for (i = 0; i < n; i++)
		ids[i] = evt_fault_create(test, ctx, i % 2);
	events = ctx->events;
	for (i = 0; i < n; i++)
		before[i] = *(struct vkfd_event *)xa_load(&events->ids, ids[i]);

	mutex_lock(&ctx->mem_lock);
	vkfd_event_memory_fault(ctx, EVT_FAULT_GPU, EVT_FAULT_VA, true, false);
	mutex_unlock(&ctx->mem_lock);
	for (i = 0; i < n; i++) {
		ev = xa_load(&events->ids, ids[i]);
		visited += !!memcmp(ev, &before[i], sizeof(*ev));
	}
	kvfree(before);
	KUNIT_EXPECT_EQ_MSG(test, 0U, visited,
			    "the fault wrote %u of %u MEMORY events", visited, n);

	late = evt_fault_create(test, ctx, false);
	KUNIT_EXPECT_EQ(test, (u32)KFD_IOC_WAIT_RESULT_TIMEOUT,
			evt_fault_look(test, events, &late, 1, NULL, NULL));

	/* Every one signaled, with the fault's data; ids are in order. */
	KUNIT_EXPECT_EQ(test, (u32)KFD_IOC_WAIT_RESULT_COMPLETE,
			evt_fault_look(test, events, ids, n, NULL, &reports));
	KUNIT_EXPECT_EQ(test, n, reports);
	/* That look took the auto-reset ones' signals, not the others'. */
	KUNIT_EXPECT_EQ(test, (u32)KFD_IOC_WAIT_RESULT_TIMEOUT,
			evt_fault_look(test, events, ids, n, took, NULL));
	for (i = 0; i < n; i++)
		if (took[i] != !(i % 2))
			break;
	KUNIT_EXPECT_EQ_MSG(test, n, i, "event %u (auto-reset %u) signaled %d",
			    i, i % 2, i < n ? took[i] : 0);
	KUNIT_EXPECT_EQ(test, 0U, events->nr_waiters);

	vkfd_event_release(ctx);
	KUNIT_EXPECT_EQ(test, 0LL,
			atomic64_read(&ctx->limits.usage[VKFD_LIMIT_EVENTS]));
	mutex_destroy(&ctx->mem_lock);
}

/*
 * A wait for all of an auto-reset and a manual MEMORY event, both
 * unsignaled, is on the faults' list once; a fault while it waits is its
 * own: it reports it for both, the auto-reset event's signal is its, the
 * manual one stays signaled; two events nobody waited on are signaled.
 */
static void vkfd_event_test_fault_while_waited(struct kunit *test)
{
	struct vkfd_ctx *ctx = evt_fault_ctx_new(test);
	struct vkfd_event_wait wait = { .n = 2, .all = true };
	struct vkfd_events *events;
	bool took[4] = { true, true, true, true };
	u32 ids[4], i, reports = 0;
	u64 keys[2];

	for (i = 0; i < 4; i++)
		ids[i] = evt_fault_create(test, ctx, !(i % 2));
	events = ctx->events;
	for (i = 0; i < 2; i++)
		keys[i] = (u64)ids[i] << 32 | i;
	KUNIT_ASSERT_EQ(test, 0, vkfd_event_wait_index(&wait, keys));
	KUNIT_ASSERT_EQ(test, 0, vkfd_event_wait_join(events, &wait));
	vkfd_event_wait_take(events, &wait);
	KUNIT_EXPECT_TRUE(test, list_is_singular(&events->fault_waits));
	KUNIT_EXPECT_EQ(test, (u32)KFD_IOC_WAIT_RESULT_TIMEOUT,
			vkfd_event_wait_test(&wait));

	mutex_lock(&ctx->mem_lock);
	vkfd_event_memory_fault(ctx, EVT_FAULT_GPU, EVT_FAULT_VA, true, false);
	mutex_unlock(&ctx->mem_lock);
	KUNIT_EXPECT_EQ(test, 0, vkfd_event_wait_leave(events, &wait, true, false));
	KUNIT_EXPECT_TRUE(test, list_empty(&events->fault_waits));
	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_TRUE(test, wait.w[i].activated);
		KUNIT_EXPECT_TRUE(test, wait.w[i].report);
		KUNIT_EXPECT_EQ(test, EVT_FAULT_VA & PAGE_MASK, wait.w[i].mem.va);
	}
	vkfd_event_wait_free(&wait);

	/* The auto-reset one's signal went to the wait, not the others'. */
	KUNIT_EXPECT_EQ(test, (u32)KFD_IOC_WAIT_RESULT_TIMEOUT,
			evt_fault_look(test, events, ids, 4, took, &reports));
	KUNIT_EXPECT_FALSE(test, took[0]);
	for (i = 1; i < 4; i++)
		KUNIT_EXPECT_TRUE(test, took[i]);
	KUNIT_EXPECT_EQ(test, 0U, reports);
	KUNIT_EXPECT_EQ(test, 0U, events->nr_waiters);

	vkfd_event_release(ctx);
	mutex_destroy(&ctx->mem_lock);
}

static struct kunit_case vkfd_event_test_cases[] = {
	KUNIT_CASE(vkfd_event_test_index),
	KUNIT_CASE(vkfd_event_test_index_merged),
	KUNIT_CASE(vkfd_event_test_repeats_one_waiter),
	KUNIT_CASE(vkfd_event_test_unknown_takes_nothing),
	KUNIT_CASE(vkfd_event_test_amdkfd_results),
	KUNIT_CASE(vkfd_event_test_fault_visits_no_event),
	KUNIT_CASE(vkfd_event_test_fault_while_waited),
	{}
};

static struct kunit_suite vkfd_event_test_suite = {
	.name = "vkfd-event",
	.test_cases = vkfd_event_test_cases,
};

kunit_test_suite(vkfd_event_test_suite);
