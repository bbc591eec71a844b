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
 */
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vkfd_event.h"
#include "vkfd_priv.h"

/* Events one wait may name (repeats included): 16 per signal slot. */
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

/* Read the ids of the caller's kfd_event_data array. */
static int vkfd_event_wait_copy_in(struct kfd_event_data __user *udata,
				   u32 n, struct vkfd_event_waiter *w)
{
	struct kfd_event_data ed;
	u32 i;

	for (i = 0; i < n; i++) {
		if (copy_from_user(&ed, &udata[i], sizeof(ed)))
			return -EFAULT;
		if (ed.pad || ed.kfd_event_data_ext)
			return -EINVAL;
		w[i].id = ed.event_id;
	}
	return 0;
}

/*
 * Join every named event's waiters, taking the signal of each signaled
 * event (resetting an auto-reset one). All ids are checked first: a wait
 * that fails changes nothing.
 */
static int vkfd_event_wait_begin(struct vkfd_events *events,
				 struct vkfd_event_waiter *w, u32 n)
{
	struct vkfd_event *ev;
	u32 i;

	xa_lock(&events->ids);
	for (i = 0; i < n; i++) {
		if (!xa_load(&events->ids, w[i].id)) {
			xa_unlock(&events->ids);
			return -EINVAL;
		}
	}
	for (i = 0; i < n; i++) {
		ev = xa_load(&events->ids, w[i].id);
		w[i].ev = ev;
		w[i].task = current;
		w[i].activated = ev->signaled;
		w[i].queued = !ev->signaled;
		ev->signaled = ev->signaled && !ev->auto_reset;
		list_add_tail(&w[i].node, &ev->waiters);
		events->nr_waiters++;
	}
	xa_unlock(&events->ids);
	return 0;
}

/* amdkfd's test_event_condition(); read without the lock while waiting. */
static u32 vkfd_event_wait_test(const struct vkfd_event_waiter *w, u32 n,
				bool all)
{
	u32 i, activated = 0;

	for (i = 0; i < n; i++) {
		if (!READ_ONCE(w[i].ev))
			return KFD_IOC_WAIT_RESULT_FAIL;
		if (READ_ONCE(w[i].activated)) {
			if (!all)
				return KFD_IOC_WAIT_RESULT_COMPLETE;
			activated++;
		}
	}
	return activated == n ? KFD_IOC_WAIT_RESULT_COMPLETE :
				KFD_IOC_WAIT_RESULT_TIMEOUT;
}

/* Sleep until the wait completes or fails, the timeout, or a signal. */
static int vkfd_event_wait_sleep(struct kfd_ioctl_wait_events_args *args,
				 struct vkfd_event_waiter *w)
{
	long timeout = vkfd_event_timeout(args->timeout);
	u32 n = args->num_events;
	bool all = args->wait_for_all;
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
		args->wait_result = vkfd_event_wait_test(w, n, all);
		if (args->wait_result != KFD_IOC_WAIT_RESULT_TIMEOUT || timeout <= 0)
			break;
		timeout = schedule_timeout(timeout);
	}
	__set_current_state(TASK_RUNNING);
	return ret;
}

/*
 * Leave the events' waiters. A completed wait takes a snapshot of the
 * fault data of its activated MEMORY events, and fails with EINVAL if an
 * event was destroyed since (amdkfd's copy_signaled_event_data()). An
 * interrupted wait (@undo) gives back the auto-reset signals it took.
 */
static int vkfd_event_wait_end(struct vkfd_events *events,
			       struct vkfd_event_waiter *w, u32 n,
			       bool complete, bool undo)
{
	struct vkfd_event *ev;
	int ret = 0;
	u32 i;

	xa_lock(&events->ids);
	for (i = 0; i < n; i++) {
		ev = w[i].ev;
		if (!ev) {
			if (complete)
				ret = -EINVAL;
			continue;
		}
		list_del(&w[i].node);
		events->nr_waiters--;
		if (complete && w[i].activated &&
		    ev->type == KFD_IOC_EVENT_MEMORY) {
			w[i].mem = ev->mem;
			w[i].report = true;
		}
		if (undo && w[i].activated && ev->auto_reset)
			vkfd_event_set_locked(events, ev);
	}
	xa_unlock(&events->ids);
	return ret;
}

/* Copy the fault data of the activated MEMORY events out. */
static int vkfd_event_wait_copy_out(struct kfd_event_data __user *udata,
				    const struct vkfd_event_waiter *w, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		if (w[i].report &&
		    copy_to_user(&udata[i].memory_exception_data, &w[i].mem,
				 sizeof(w[i].mem)))
			return -EFAULT;
	}
	return 0;
}

static int vkfd_event_wait(struct vkfd_ctx *ctx,
			   struct kfd_ioctl_wait_events_args *args)
{
	struct kfd_event_data __user *udata = u64_to_user_ptr(args->events_ptr);
	u32 n = args->num_events;
	struct vkfd_event_waiter *w;
	struct vkfd_events *events;
	bool complete;
	int ret;

	if (n > VKFD_EVENT_WAIT_MAX)
		return -EINVAL;
	/* Nothing to wait for is complete, as in amdkfd. */
	args->wait_result = KFD_IOC_WAIT_RESULT_COMPLETE;
	if (!n)
		return 0;

	w = kvcalloc(n, sizeof(*w), GFP_KERNEL_ACCOUNT);
	if (!w)
		return -ENOMEM;
	ret = vkfd_event_wait_copy_in(udata, n, w);
	if (ret)
		goto out_free;
	events = vkfd_events_get(ctx);
	if (!events) {
		ret = -EINVAL;
		goto out_free;
	}
	ret = vkfd_event_wait_begin(events, w, n);
	if (ret)
		goto out_put;

	/* Signaled already: complete, whatever signals are pending. */
	args->wait_result = vkfd_event_wait_test(w, n, args->wait_for_all);
	if (args->wait_result == KFD_IOC_WAIT_RESULT_TIMEOUT)
		ret = vkfd_event_wait_sleep(args, w);
	complete = !ret && args->wait_result == KFD_IOC_WAIT_RESULT_COMPLETE;

	ret = vkfd_event_wait_end(events, w, n, complete, ret == -ERESTARTSYS) ?: ret;
	if (!ret && complete)
		ret = vkfd_event_wait_copy_out(udata, w, n);
out_put:
	vkfd_events_put(events);
out_free:
	kvfree(w);
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
 * Return: 0; -EINVAL for more than 65536 events, an unknown id, a
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
