// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - AMDKFD_IOC_WAIT_EVENTS.
 */

/**
 * DOC: waiting for events
 *
 * As amdkfd's kfd_wait_on_events(). A wait names events of its context
 * and waits for any or all of them to be signaled, for a timeout in
 * milliseconds (0: just look; 0xffffffff: forever). A signaled event
 * activates the wait at once; an auto-reset event is reset by the wait
 * that sees it signaled (whether or not the wait then completes). A set
 * activates every wait that found its event unsignaled, and an auto-reset
 * event stays signaled only if there was none.
 *
 * The wait sleeps interruptibly. A signal ends it with -ERESTARTSYS, so
 * that a handler installed with SA_RESTART restarts it (with what is left
 * of the timeout, written back to the argument) and other handlers see
 * EINTR; the auto-reset events it had taken are set again first. A fatal
 * signal ends it with EINTR. An event destroyed while waited on makes
 * the wait fail with EIO.
 *
 * Unlike amdkfd, every wait of an event is on the event's list, also one
 * that found the event signaled, so that destroying the event never leaves
 * a waiter with a pointer to freed memory (amdkfd's does, when a wait for
 * all of several events outlives the destruction of one that was
 * signaled when it began).
 *
 * A wait names at most 65536 entries (EINVAL beyond; amdkfd has no bound
 * but fails a large allocation with ENOMEM), and an id may repeat. The
 * wait puts *one* waiter per distinct event on the event's list, however
 * many entries name it: a set walks one waiter per wait, not per entry
 * (see "bounded walks" in vkfd_event_signal.c). The results are amdkfd's, where
 * each entry is a waiter of its own: of the entries naming an event,
 * the first takes its signal if it is signaled (resetting it if it is
 * auto-reset); the others are activated too if it is not auto-reset, and
 * otherwise wait for the next set, which activates them all at once. So a
 * wait for all that names a signaled auto-reset event twice waits for
 * one more set of it; a wait for any completes at once.
 *
 * The wait joins its events, takes their signals and leaves them in
 * batches of %VKFD_EVENT_BATCH events, the signal lock dropped in between
 * (vkfd_event_wait_walk(), the one loop of them all). It joins them all
 * before it takes a signal: a wait that fails on an unknown id has taken
 * nothing. As in amdkfd, which takes each event's lock in turn, the
 * signals are taken event by event, not all at once; an event destroyed
 * after the wait joined it fails the wait with EIO.
 *
 * A wait that names a MEMORY event is on its context's list of such
 * waits, once: a fault wakes it, and the woken wait applies the fault to
 * its MEMORY events (the same batches) before it looks at them again
 * ("faults" in vkfd_event_signal.c). Its look, and its leaving, apply to each
 * event the faults it has not seen first.
 */
#include <kunit/visibility.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>

#include "vkfd_event.h"
#include "vkfd_priv.h"

/* Entries one wait may name (repeats included): 16 per signal slot. */
#define VKFD_EVENT_WAIT_MAX	(16 * KFD_SIGNAL_EVENT_LIMIT)

#define VKFD_EVENT_TIMEOUT_INFINITE	0xffffffffU

/* amdkfd's user_timeout_to_jiffies(), hack included. */
static long vkfd_event_timeout(u32 ms)
{
	if (!ms)
		return 0;
	if (ms == VKFD_EVENT_TIMEOUT_INFINITE)
		return MAX_SCHEDULE_TIMEOUT;
	return msecs_to_jiffies(min_t(u32, ms, 0x7fffffff)) + 1;
}

static int vkfd_event_key_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * Keys sorted in runs of this many, then merged: a scheduling point
 * between runs and every this many merged keys. sort() of a wait's
 * 65,536 keys at once held a CPU for tens of milliseconds under emulation
 * (the victim of nnbench's event flood saw its fences 40 ms late).
 */
#define VKFD_EVENT_SORT_RUN	512

/*
 * Sort @n keys, as sort() would, with scheduling points (above). The keys
 * are distinct (each holds its entry's index), so stability is moot.
 * Returns 0 or -ENOMEM.
 */
static int vkfd_event_keys_sort(u64 *keys, u32 n)
{
	u64 *tmp, *src = keys, *dst;
	u32 run, lo, mid, hi, a, b, k;

	for (lo = 0; lo < n; lo += VKFD_EVENT_SORT_RUN) {
		sort(keys + lo, min_t(u32, n - lo, VKFD_EVENT_SORT_RUN),
		     sizeof(*keys), vkfd_event_key_cmp, NULL);
		cond_resched();
	}
	if (n <= VKFD_EVENT_SORT_RUN)
		return 0;
	tmp = kvmalloc_array(n, sizeof(*tmp), GFP_KERNEL_ACCOUNT);
	if (!tmp)
		return -ENOMEM;
	dst = tmp;
	for (run = VKFD_EVENT_SORT_RUN; run < n; run *= 2) {
		for (lo = 0; lo < n; lo += 2 * run) {
			mid = min(lo + run, n);
			hi = min(lo + 2 * run, n);
			for (a = lo, b = mid, k = lo; k < hi; k++) {
				if (b == hi || (a < mid && src[a] < src[b]))
					dst[k] = src[a++];
				else
					dst[k] = src[b++];
				if (!(k % VKFD_EVENT_SORT_RUN))
					cond_resched();
			}
		}
		swap(src, dst);
	}
	if (src != keys)
		memcpy(keys, src, n * sizeof(*keys));
	kvfree(tmp);
	return 0;
}

/**
 * vkfd_event_wait_index() - give each distinct id of a wait a waiter
 * @wait: the wait, @n set, no waiters yet
 * @keys: for each entry i of the caller's array, its id << 32 | i;
 *	sorted on return
 *
 * The keys sort by id, then entry: the first entry naming an id is the
 * first of its run, the others are repeats.
 *
 * Context: Process context; may sleep (a scheduling point every few
 * hundred keys).
 * Return: 0 or -ENOMEM; vkfd_event_wait_free() frees what it allocated.
 */
VISIBLE_IF_KUNIT int vkfd_event_wait_index(struct vkfd_event_wait *wait,
					   u64 *keys)
{
	u32 i, d, id, prev = 0;
	int ret;

	ret = vkfd_event_keys_sort(keys, wait->n);
	if (ret)
		return ret;
	for (i = 0; i < wait->n; i++) {
		id = keys[i] >> 32;
		wait->nr += !i || id != prev;
		prev = id;
	}

	wait->w = kvcalloc(wait->nr, sizeof(*wait->w), GFP_KERNEL_ACCOUNT);
	wait->entry = kvmalloc_array(wait->n, sizeof(*wait->entry),
				     GFP_KERNEL_ACCOUNT);
	if (!wait->w || !wait->entry)
		return -ENOMEM;
	for (i = 0, d = 0; i < wait->n; i++) {
		id = keys[i] >> 32;
		if (i && id == wait->w[d].id) {
			wait->entry[(u32)keys[i]] = d | VKFD_EVENT_WAIT_REPEAT;
		} else {
			d += !!i;
			wait->w[d].id = id;
			wait->entry[(u32)keys[i]] = d;
		}
		wait->w[d].count++;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_event_wait_index);

/**
 * vkfd_event_wait_free() - free what vkfd_event_wait_index() allocated
 * @wait: the wait, which no event lists any more
 *
 * Context: Process context.
 */
VISIBLE_IF_KUNIT void vkfd_event_wait_free(struct vkfd_event_wait *wait)
{
	kvfree(wait->entry);
	kvfree(wait->w);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_event_wait_free);

/* Read the ids of the caller's kfd_event_data array and index them. */
static int vkfd_event_wait_copy_in(struct kfd_event_data __user *udata,
				   struct vkfd_event_wait *wait)
{
	struct kfd_event_data ed;
	u64 *keys;
	int ret = 0;
	u32 i;

	keys = kvmalloc_array(wait->n, sizeof(*keys), GFP_KERNEL_ACCOUNT);
	if (!keys)
		return -ENOMEM;
	for (i = 0; i < wait->n; i++) {
		if (copy_from_user(&ed, &udata[i], sizeof(ed))) {
			ret = -EFAULT;
			goto out_free;
		}
		if (ed.pad || ed.kfd_event_data_ext) {
			ret = -EINVAL;
			goto out_free;
		}
		keys[i] = (u64)ed.event_id << 32 | i;
	}
	ret = vkfd_event_wait_index(wait, keys);
out_free:
	kvfree(keys);
	return ret;
}

/*
 * Call @fn on each waiter of @wait in turn under the signal lock, held
 * for %VKFD_EVENT_BATCH waiters at most: it is dropped, and the thread
 * may be rescheduled, between batches ("bounded walks" in vkfd_event_signal.c).
 * A negative return of @fn ends the walk and is returned.
 */
static int vkfd_event_wait_walk(struct vkfd_events *events,
				struct vkfd_event_wait *wait,
				int (*fn)(struct vkfd_events *events,
					  struct vkfd_event_wait *wait,
					  struct vkfd_event_waiter *w,
					  void *arg),
				void *arg)
{
	u32 d = 0, end;
	int ret = 0;

	while (d < wait->nr && !ret) {
		end = min_t(u32, d + VKFD_EVENT_BATCH, wait->nr);
		xa_lock(&events->ids);
		for (; d < end && !ret; d++)
			ret = fn(events, wait, &wait->w[d], arg);
		xa_unlock(&events->ids);
		cond_resched();
	}
	return ret;
}

/* Put @w on its event's list; the wait on the faults' list, once. */
static int vkfd_event_waiter_join(struct vkfd_events *events,
				  struct vkfd_event_wait *wait,
				  struct vkfd_event_waiter *w, void *arg)
{
	struct vkfd_event *ev;

	lockdep_assert_held(&events->ids.xa_lock);

	ev = xa_load(&events->ids, w->id);
	if (!ev)
		return -EINVAL;
	w->ev = ev;
	w->task = current;
	list_add_tail(&w->node, &ev->waiters);
	events->nr_waiters++;
	if (ev->type == KFD_IOC_EVENT_MEMORY && !wait->task) {
		wait->task = current;
		list_add_tail(&wait->fault_node, &events->fault_waits);
	}
	return 0;
}

/**
 * vkfd_event_wait_join() - put a wait's waiters on its events' lists
 * @events: the events of the wait's context
 * @wait: the wait, indexed
 *
 * Invisibly: a set passes over a waiter that is not @queued, so that a
 * wait that fails here has taken nothing. The waiters joined so far stay
 * with their events, for vkfd_event_wait_leave(). A wait that names a
 * MEMORY event joins the context's list of waits that faults wake.
 *
 * Context: Process context; takes the signal lock per batch of events.
 * Return: 0, or -EINVAL if an id is no event's.
 */
VISIBLE_IF_KUNIT int vkfd_event_wait_join(struct vkfd_events *events,
					  struct vkfd_event_wait *wait)
{
	return vkfd_event_wait_walk(events, wait, vkfd_event_waiter_join, NULL);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_event_wait_join);

/* Apply the faults @w's event has not seen. */
static int vkfd_event_waiter_sync(struct vkfd_events *events,
				  struct vkfd_event_wait *wait,
				  struct vkfd_event_waiter *w, void *arg)
{
	lockdep_assert_held(&events->ids.xa_lock);

	if (w->ev)
		vkfd_event_sync_locked(events, w->ev);
	return 0;
}

/* Take the signal of @w's event if it is signaled, or queue @w for it. */
static int vkfd_event_waiter_take(struct vkfd_events *events,
				  struct vkfd_event_wait *wait,
				  struct vkfd_event_waiter *w, void *arg)
{
	struct vkfd_event *ev = w->ev;

	lockdep_assert_held(&events->ids.xa_lock);

	/* Destroyed since it was joined: the wait fails. */
	if (!ev)
		return 0;
	vkfd_event_sync_locked(events, ev);
	w->took_first = ev->signaled;
	w->took_all = ev->signaled && !ev->auto_reset;
	w->queued = !w->took_first || (w->count > 1 && !w->took_all);
	ev->signaled = ev->signaled && !ev->auto_reset;
	return 0;
}

/**
 * vkfd_event_wait_take() - take the signals of a wait's events
 * @events: the events of the wait's context
 * @wait: the wait, joined
 *
 * Takes the signal of each joined event that is signaled (resetting an
 * auto-reset one), and queues the wait for the sets of the others and of
 * those that repeats still wait for. A MEMORY event is signaled by the
 * faults up to the take.
 *
 * Context: Process context; takes the signal lock per batch of events.
 */
VISIBLE_IF_KUNIT void vkfd_event_wait_take(struct vkfd_events *events,
					   struct vkfd_event_wait *wait)
{
	/* Each event is synced to this sequence, or to a later one. */
	wait->fault_seq = READ_ONCE(events->fault_seq);
	vkfd_event_wait_walk(events, wait, vkfd_event_waiter_take, NULL);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_event_wait_take);

/* A fault the wait's MEMORY events have not seen? Lockless. */
static bool vkfd_event_wait_faulted(struct vkfd_events *events,
				    const struct vkfd_event_wait *wait)
{
	return wait->task && READ_ONCE(events->fault_seq) != wait->fault_seq;
}

/* Apply the faults the wait's MEMORY events have not seen. */
static void vkfd_event_wait_sync(struct vkfd_events *events,
				 struct vkfd_event_wait *wait)
{
	wait->fault_seq = READ_ONCE(events->fault_seq);
	vkfd_event_wait_walk(events, wait, vkfd_event_waiter_sync, NULL);
}

/* Entry @i is activated: amdkfd's waiter->activated for that entry. */
static bool vkfd_event_entry_activated(const struct vkfd_event_wait *wait,
				       u32 i)
{
	u32 e = wait->entry[i];
	const struct vkfd_event_waiter *w =
		&wait->w[e & ~VKFD_EVENT_WAIT_REPEAT];

	if (READ_ONCE(w->activated))
		return true;
	return e & VKFD_EVENT_WAIT_REPEAT ? w->took_all : w->took_first;
}

/**
 * vkfd_event_wait_test() - is a wait complete?
 * @wait: the wait, its signals taken
 *
 * amdkfd's test_event_condition(), entry by entry in the caller's order.
 *
 * Context: Any context; reads the waiters without the signal lock.
 * Return: KFD_IOC_WAIT_RESULT_FAIL if an event was destroyed, _COMPLETE
 * if any (or all) entries are activated, else _TIMEOUT.
 */
VISIBLE_IF_KUNIT u32 vkfd_event_wait_test(const struct vkfd_event_wait *wait)
{
	u32 i, activated = 0;

	for (i = 0; i < wait->n; i++) {
		if (!READ_ONCE(wait->w[wait->entry[i] &
				       ~VKFD_EVENT_WAIT_REPEAT].ev))
			return KFD_IOC_WAIT_RESULT_FAIL;
		if (vkfd_event_entry_activated(wait, i)) {
			if (!wait->all)
				return KFD_IOC_WAIT_RESULT_COMPLETE;
			activated++;
		}
	}
	return activated == wait->n ? KFD_IOC_WAIT_RESULT_COMPLETE :
				      KFD_IOC_WAIT_RESULT_TIMEOUT;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_event_wait_test);

/* Sleep until the wait completes or fails, the timeout, or a signal. */
static int vkfd_event_wait_sleep(struct vkfd_events *events,
				 struct kfd_ioctl_wait_events_args *args,
				 struct vkfd_event_wait *wait)
{
	long timeout = vkfd_event_timeout(args->timeout);
	int ret = 0;

	for (;;) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			/* A restarted wait waits for what is left. */
			if (args->timeout && args->timeout != VKFD_EVENT_TIMEOUT_INFINITE)
				args->timeout = jiffies_to_msecs(max(0L, timeout - 1));
			break;
		}
		/* Set before the test: a set in between makes us runnable. */
		set_current_state(TASK_INTERRUPTIBLE);
		/* A fault woke us (or came first): apply it, then look. */
		if (vkfd_event_wait_faulted(events, wait)) {
			__set_current_state(TASK_RUNNING);
			vkfd_event_wait_sync(events, wait);
			continue;
		}
		args->wait_result = vkfd_event_wait_test(wait);
		if (args->wait_result != KFD_IOC_WAIT_RESULT_TIMEOUT || timeout <= 0)
			break;
		timeout = schedule_timeout(timeout);
	}
	__set_current_state(TASK_RUNNING);
	return ret;
}

/* What vkfd_event_wait_leave() was asked, and what it found. */
struct vkfd_event_leave {
	bool complete;
	bool undo;
	int ret;
};

/* Take @w off its event's list, its report and give-back as asked. */
static int vkfd_event_waiter_leave(struct vkfd_events *events,
				   struct vkfd_event_wait *wait,
				   struct vkfd_event_waiter *w, void *arg)
{
	struct vkfd_event_leave *l = arg;
	struct vkfd_event *ev = w->ev;
	bool took;

	lockdep_assert_held(&events->ids.xa_lock);

	if (!ev) {
		if (l->complete)
			l->ret = -EINVAL;
		return 0;
	}
	/* Faults while @w waited were @w's too. */
	vkfd_event_sync_locked(events, ev);
	list_del(&w->node);
	events->nr_waiters--;
	took = w->took_first || w->activated;
	if (l->complete && took && ev->type == KFD_IOC_EVENT_MEMORY) {
		w->mem = ev->mem;
		w->report = true;
	}
	if (l->undo && took && ev->auto_reset)
		vkfd_event_set_locked(events, ev);
	return 0;
}

/**
 * vkfd_event_wait_leave() - take a wait's waiters off their events
 * @events: the events of the wait's context
 * @wait: the wait, joined (or partly, after a failed join)
 * @complete: the wait completed: snapshot the fault data of its
 *	activated MEMORY events
 * @undo: the wait was interrupted: give back the auto-reset signals it
 *	took
 *
 * Context: Process context; takes the signal lock per batch of events.
 * Return: 0, or -EINVAL if @complete and an event was destroyed since
 * (amdkfd's copy_signaled_event_data()).
 */
VISIBLE_IF_KUNIT int vkfd_event_wait_leave(struct vkfd_events *events,
					   struct vkfd_event_wait *wait,
					   bool complete, bool undo)
{
	struct vkfd_event_leave l = { .complete = complete, .undo = undo };

	vkfd_event_wait_walk(events, wait, vkfd_event_waiter_leave, &l);
	if (wait->task) {
		xa_lock(&events->ids);
		list_del(&wait->fault_node);
		xa_unlock(&events->ids);
		wait->task = NULL;
	}
	return l.ret;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_event_wait_leave);

/* Copy the fault data of the activated MEMORY events out, entry by entry. */
static int vkfd_event_wait_copy_out(struct kfd_event_data __user *udata,
				    const struct vkfd_event_wait *wait)
{
	const struct vkfd_event_waiter *w;
	u32 i;

	for (i = 0; i < wait->n; i++) {
		w = &wait->w[wait->entry[i] & ~VKFD_EVENT_WAIT_REPEAT];
		if (w->report && vkfd_event_entry_activated(wait, i) &&
		    copy_to_user(&udata[i].memory_exception_data, &w->mem,
				 sizeof(w->mem)))
			return -EFAULT;
	}
	return 0;
}

static int vkfd_event_wait(struct vkfd_ctx *ctx,
			   struct kfd_ioctl_wait_events_args *args)
{
	struct kfd_event_data __user *udata = u64_to_user_ptr(args->events_ptr);
	struct vkfd_event_wait wait = {
		.n = args->num_events,
		.all = args->wait_for_all,
	};
	struct vkfd_events *events;
	bool complete;
	int ret;

	if (wait.n > VKFD_EVENT_WAIT_MAX)
		return -EINVAL;
	/* Nothing to wait for is complete, as in amdkfd. */
	args->wait_result = KFD_IOC_WAIT_RESULT_COMPLETE;
	if (!wait.n)
		return 0;

	ret = vkfd_event_wait_copy_in(udata, &wait);
	if (ret)
		goto out_free;
	events = vkfd_events_get(ctx);
	if (!events) {
		ret = -EINVAL;
		goto out_free;
	}
	ret = vkfd_event_wait_join(events, &wait);
	if (ret) {
		vkfd_event_wait_leave(events, &wait, false, false);
		goto out_put;
	}
	vkfd_event_wait_take(events, &wait);

	/* Signaled already: complete, whatever signals are pending. */
	args->wait_result = vkfd_event_wait_test(&wait);
	if (args->wait_result == KFD_IOC_WAIT_RESULT_TIMEOUT)
		ret = vkfd_event_wait_sleep(events, args, &wait);
	complete = !ret && args->wait_result == KFD_IOC_WAIT_RESULT_COMPLETE;

	ret = vkfd_event_wait_leave(events, &wait, complete,
				    ret == -ERESTARTSYS) ?: ret;
	if (!ret && complete)
		ret = vkfd_event_wait_copy_out(udata, &wait);
out_put:
	vkfd_events_put(events);
out_free:
	vkfd_event_wait_free(&wait);
	return ret;
}

/**
 * vkfd_wait_events_ioctl() - AMDKFD_IOC_WAIT_EVENTS
 * @vfile: the fd
 * @ctx: its context
 * @data: struct kfd_ioctl_wait_events_args
 *
 * See "waiting for events" above. @wait_result is COMPLETE or TIMEOUT on
 * success, FAIL on any error; the argument is copied back on errors too,
 * with what is left of @timeout after an interrupted wait.
 *
 * Context: Process context; takes the signal lock; sleeps.
 * Return: 0; -EINVAL for more than 65536 entries, an unknown id, a
 * non-zero pad or kfd_event_data_ext; -EFAULT; -ENOMEM; -EIO if an event
 * was destroyed while waited on; -ERESTARTSYS (EINTR for the caller
 * unless restarted), -EINTR.
 */
int vkfd_wait_events_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			   void *data)
{
	struct kfd_ioctl_wait_events_args *args = data;
	int ret = vkfd_event_wait(ctx, args);

	if (ret)
		args->wait_result = KFD_IOC_WAIT_RESULT_FAIL;
	else if (args->wait_result == KFD_IOC_WAIT_RESULT_FAIL)
		ret = -EIO;
	return ret;
}
