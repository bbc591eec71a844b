// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - events: AMDKFD_IOC_CREATE_EVENT, DESTROY_EVENT, SET_EVENT,
 * RESET_EVENT. What signals events (a set, the engines' TRAPs and faults)
 * is in vkfd_event_signal.c, AMDKFD_IOC_WAIT_EVENTS in vkfd_event_wait.c,
 * the signal page and its mmap in vkfd_event_page.c.
 */

/**
 * DOC: events
 *
 * As amdkfd's (kfd_events.c). A context's events live in its own table:
 * an event id means nothing through another context's fd. Signal (and
 * debug) events have ids 1..4095, each also the index of the event's u64
 * slot in the context's *signal page*; the other types get ids from
 * 2^30 up. The page is 32 KiB, all ones ("unsignaled") in every slot
 * nobody wrote; it is allocated with the first signal event and mapped
 * through /dev/kfd at the offset CREATE_EVENT returns, or it is a GTT
 * buffer the caller hands over by handle with its first CREATE_EVENT, as
 * libhsakmt does on dGPUs. An engine that executes a TRAP (or a fault)
 * for a context signals its events: vkfd_event_interrupt() and
 * vkfd_event_memory_fault() (vkfd_event_signal.c).
 *
 * The page vkfd allocates is mapped with refcounted page insertion, never
 * remap_pfn_range(): a primary's events are released when its address
 * space is torn down, at its MMU notifier's release, while its VMAs still
 * exist. Its pages go when the last mapping does.
 *
 * Locking: &vkfd_events.lock (a mutex) serialises creation, which sets
 * the page up once; it is taken before &vkfd_ctx.mem_lock (adopting a
 * buffer looks its handle up). Everything else - the state of each
 * event, its waiters, the page's pointers - is under the signal lock,
 * the xa_lock of &vkfd_events.ids, a spinlock the engines take under
 * mem_lock. Neither is held across a user copy: the mmap path (under
 * mmap_lock) takes only the signal lock.
 *
 * Lifetime: &vkfd_ctx.events is allocated by the first CREATE_EVENT and
 * published under mem_lock; vkfd_event_release() unpublishes it under
 * mem_lock, so an engine, which calls in with mem_lock held, never sees it
 * freed, and frees every event and the page. No ioctl can run on the
 * context then (it is released when nobody can use it any more); a wait
 * in progress would hold a reference on the events and fail.
 */

#include <kunit/visibility.h>
#include <linux/slab.h>

#include "vkfd_event.h"
#include "vkfd_priv.h"

/**
 * vkfd_events_of() - the events of a context, not referenced
 * @ctx: the context
 *
 * Pairs with the release store that publishes them: the caller sees them
 * initialised. They stay until the context's memory is released, which
 * no ioctl or mmap of the context's owner outlives.
 *
 * Context: Any context.
 * Return: the events, or NULL if the context never created one.
 */
struct vkfd_events *vkfd_events_of(struct vkfd_ctx *ctx)
{
	/* Pairs with smp_store_release() in vkfd_events_get_or_alloc(). */
	return smp_load_acquire(&ctx->events);
}

static void vkfd_events_free(struct kref *ref)
{
	struct vkfd_events *events = container_of(ref, struct vkfd_events, ref);

	WARN_ON(!xa_empty(&events->ids));
	WARN_ON(!list_empty(&events->fault_waits));
	xa_destroy(&events->ids);
	mutex_destroy(&events->lock);
	kfree(events);
}

/**
 * vkfd_events_get() - the events of a context, referenced
 * @ctx: a context the caller may use
 *
 * Context: Process context, in an ioctl of @ctx.
 * Return: the events with a new reference, or NULL if the context has
 * never created one.
 */
struct vkfd_events *vkfd_events_get(struct vkfd_ctx *ctx)
{
	struct vkfd_events *events = vkfd_events_of(ctx);

	if (events)
		kref_get(&events->ref);
	return events;
}

/**
 * vkfd_events_put() - drop a reference vkfd_events_get() took
 * @events: the events
 *
 * Context: Any context.
 */
void vkfd_events_put(struct vkfd_events *events)
{
	kref_put(&events->ref, vkfd_events_free);
}

/* The events of @ctx, allocated on first use; not referenced. */
static struct vkfd_events *vkfd_events_get_or_alloc(struct vkfd_ctx *ctx)
{
	struct vkfd_events *events = vkfd_events_of(ctx);
	struct vkfd_events *new;

	if (events)
		return events;
	new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
	if (!new)
		return ERR_PTR(-ENOMEM);
	kref_init(&new->ref);
	mutex_init(&new->lock);
	xa_init_flags(&new->ids, XA_FLAGS_ALLOC);
	INIT_LIST_HEAD(&new->fault_waits);

	/* Under mem_lock, which the engines hold, as release unpublishes it. */
	mutex_lock(&ctx->mem_lock);
	events = ctx->events;
	if (!events) {
		/* Initialised before published: pairs with vkfd_events_of(). */
		smp_store_release(&ctx->events, new);
		events = new;
		new = NULL;
	}
	mutex_unlock(&ctx->mem_lock);
	if (new)
		vkfd_events_put(new);
	return events;
}

/* ------------------------------------------------------------------------
 * The ioctls
 */

/*
 * Reserve an id for @ev: the slot holds nothing a lookup, a signal or a
 * wait can see until vkfd_event_publish(). A signal event's slot is reset
 * under the signal lock, so that no interrupt sees the previous owner's
 * value once the event is published.
 */
static int vkfd_event_reserve(struct vkfd_events *events,
			      struct vkfd_event *ev)
{
	struct xa_limit limit = XA_LIMIT(VKFD_EVENT_ID_FIRST_OTHER,
					 VKFD_EVENT_ID_LAST_OTHER);
	bool slot = vkfd_event_has_slot(ev->type);
	int ret;

	lockdep_assert_held(&events->lock);

	xa_lock(&events->ids);
	if (slot)
		limit = XA_LIMIT(VKFD_EVENT_ID_FIRST_SIGNAL,
				 events->mapped_slots - 1);
	/* May drop the lock to allocate. */
	ret = __xa_alloc(&events->ids, &ev->id, NULL, limit,
			 GFP_KERNEL_ACCOUNT);
	if (!ret && slot)
		WRITE_ONCE(events->slots[ev->id], VKFD_SLOT_UNSIGNALED);
	xa_unlock(&events->ids);
	return ret == -EBUSY ? -ENOSPC : ret;
}

/*
 * AMDKFD_IOC_CREATE_EVENT, build phase: an event of @ctx under a reserved
 * id, the signal page set up if the event needs one (or adopted from the
 * buffer the caller names), and the reply.
 *
 * A non-zero @event_page_offset is the handle of a GTT buffer of at least
 * 32 KiB that becomes the signal page (only while the context has none).
 * The reply has the event's id, its trigger data (the id), and for signal
 * and debug events the slot index and the signal page's mmap offset; the
 * slot index of another type is left as passed.
 *
 * A signal page set up here is *provisional* until an event that relies on
 * it (this one, or a signal event made meanwhile) is published: if they
 * all abort, the page goes with the last of them, as if never set up.
 *
 * Return: the event; -EINVAL for an unknown type, a page handle while the
 * context has a signal page, a handle that is not a GTT buffer of the
 * context of at least 32 KiB; -EDQUOT if the context holds as many
 * events as its limit allows; -ENOSPC when the signal slots (or the other
 * ids) are all taken; -ENOMEM. On failure nothing changed.
 */
static void *vkfd_event_build(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			      void *data)
{
	struct kfd_ioctl_create_event_args *args = data;
	bool slot = vkfd_event_has_slot(args->event_type);
	struct vkfd_events *events;
	bool new_page = false;
	struct vkfd_event *ev;
	int ret;

	if (args->event_type > KFD_IOC_EVENT_MEMORY)
		return ERR_PTR(-EINVAL);
	ret = vkfd_limits_try_charge(&ctx->limits, VKFD_LIMIT_EVENTS, 1);
	if (ret)
		return ERR_PTR(ret);
	events = vkfd_events_get_or_alloc(ctx);
	if (IS_ERR(events)) {
		ret = PTR_ERR(events);
		goto err_uncharge;
	}
	ev = kzalloc(sizeof(*ev), GFP_KERNEL_ACCOUNT);
	if (!ev) {
		ret = -ENOMEM;
		goto err_uncharge;
	}
	ev->type = args->event_type;
	ev->auto_reset = args->auto_reset;
	INIT_LIST_HEAD(&ev->waiters);

	mutex_lock(&events->lock);
	if (args->event_page_offset) {
		ret = vkfd_event_page_adopt(ctx, events, args->event_page_offset);
		if (ret)
			goto err_unlock;
		new_page = true;
	} else if (slot && !events->slots) {
		ret = vkfd_event_page_alloc(events);
		if (ret)
			goto err_unlock;
		new_page = true;
	}
	ret = vkfd_event_reserve(events, ev);
	if (ret)
		goto err_free_page;
	if (new_page)
		events->page_provisional = true;
	if (events->page_provisional && (new_page || slot)) {
		ev->page_pending = true;
		events->page_pending++;
	}
	mutex_unlock(&events->lock);

	args->event_id = ev->id;
	args->event_trigger_data = ev->id;
	args->event_page_offset = 0;
	if (slot) {
		args->event_page_offset = VKFD_MMAP_TYPE_EVENTS;
		args->event_slot_index = ev->id;
	}
	return ev;

err_free_page:
	if (new_page)
		vkfd_event_page_free(events);
err_unlock:
	mutex_unlock(&events->lock);
	kfree(ev);
err_uncharge:
	vkfd_limits_uncharge(&ctx->limits, VKFD_LIMIT_EVENTS, 1);
	return ERR_PTR(ret);
}

/*
 * The caller has the event's id: store the event in its slot; the signal
 * page it relies on is there to stay. Once the signal lock is dropped, a
 * caller that guessed the id may destroy the event.
 */
static void vkfd_event_publish(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			       void *obj)
{
	/* Not released during an ioctl of the context. */
	struct vkfd_events *events = vkfd_events_of(ctx);
	struct vkfd_event *ev = obj;

	mutex_lock(&events->lock);
	if (ev->page_pending) {
		ev->page_pending = false;
		events->page_pending--;
		events->page_provisional = false;
	}
	xa_lock(&events->ids);
	/* The faults so far are not this event's ("faults"). */
	ev->fault_seen = events->fault_seq;
	/* Fills the reserved slot: allocates nothing, cannot fail. */
	__xa_store(&events->ids, ev->id, ev, GFP_KERNEL_ACCOUNT);
	events->nr++;
	xa_unlock(&events->ids);
	mutex_unlock(&events->lock);
}

/*
 * The id never reached the caller: free it and the event, and the signal
 * page if nothing published relies on it and no other creation in
 * progress does.
 */
static void vkfd_event_abort(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			     void *obj)
{
	struct vkfd_events *events = vkfd_events_of(ctx);
	struct vkfd_event *ev = obj;

	mutex_lock(&events->lock);
	xa_erase(&events->ids, ev->id);
	if (ev->page_pending && !--events->page_pending &&
	    events->page_provisional) {
		events->page_provisional = false;
		vkfd_event_page_free(events);
	}
	mutex_unlock(&events->lock);
	kfree(ev);
	vkfd_limits_uncharge(&ctx->limits, VKFD_LIMIT_EVENTS, 1);
}

/*
 * AMDKFD_IOC_CREATE_EVENT: see vkfd_event_build() for what it checks and
 * answers. Takes the events' lock in each phase, &vkfd_ctx.mem_lock
 * (adopting a buffer) and the signal lock under it.
 */
const struct vkfd_create_ops vkfd_event_create_ops = {
	.build = vkfd_event_build,
	.publish = vkfd_event_publish,
	.abort = vkfd_event_abort,
};
EXPORT_SYMBOL_IF_KUNIT(vkfd_event_create_ops);

/* The event @id of @events, under the signal lock; NULL if none. */
static struct vkfd_event *vkfd_event_lookup_locked(struct vkfd_events *events,
						   u32 id)
{
	lockdep_assert_held(&events->ids.xa_lock);

	return xa_load(&events->ids, id);
}

/**
 * vkfd_destroy_event_ioctl() - AMDKFD_IOC_DESTROY_EVENT
 * @vfile: the fd
 * @ctx: its context
 * @data: struct kfd_ioctl_destroy_event_args
 *
 * Waits on the event fail: they return EIO (as amdkfd). The id is free
 * for the next event at once.
 *
 * Context: Process context; takes the signal lock.
 * Return: 0, or -EINVAL for an unknown id or a non-zero pad.
 */
int vkfd_destroy_event_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			     void *data)
{
	struct kfd_ioctl_destroy_event_args *args = data;
	struct vkfd_events *events = vkfd_events_of(ctx);
	struct vkfd_event *ev;

	if (args->pad || !events)
		return -EINVAL;
	xa_lock(&events->ids);
	ev = vkfd_event_lookup_locked(events, args->event_id);
	if (ev) {
		__xa_erase(&events->ids, ev->id);
		events->nr--;
		vkfd_event_detach_locked(events, ev);
		vkfd_limits_uncharge(&ctx->limits, VKFD_LIMIT_EVENTS, 1);
	}
	xa_unlock(&events->ids);
	kfree(ev);
	return ev ? 0 : -EINVAL;
}

/* SET_EVENT and RESET_EVENT: signal events only, as amdkfd. */
static int vkfd_event_cpu_signal(struct vkfd_ctx *ctx, u32 id, u32 pad,
				 bool set)
{
	struct vkfd_events *events = vkfd_events_of(ctx);
	struct vkfd_event *ev;
	int ret = 0;

	if (pad || !events)
		return -EINVAL;
	xa_lock(&events->ids);
	ev = vkfd_event_lookup_locked(events, id);
	if (!ev || ev->type != KFD_IOC_EVENT_SIGNAL)
		ret = -EINVAL;
	else if (set)
		vkfd_event_set_locked(events, ev);
	else
		ev->signaled = false;
	xa_unlock(&events->ids);
	return ret;
}

/**
 * vkfd_set_event_ioctl() - AMDKFD_IOC_SET_EVENT
 * @vfile: the fd
 * @ctx: its context
 * @data: struct kfd_ioctl_set_event_args
 *
 * Signals a signal event: every wait on it completes; an auto-reset event
 * that nobody waits on stays signaled until a wait takes it.
 *
 * Context: Process context; takes the signal lock.
 * Return: 0, or -EINVAL for an unknown id, an event of another type or a
 * non-zero pad.
 */
int vkfd_set_event_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			 void *data)
{
	struct kfd_ioctl_set_event_args *args = data;

	return vkfd_event_cpu_signal(ctx, args->event_id, args->pad, true);
}

/**
 * vkfd_reset_event_ioctl() - AMDKFD_IOC_RESET_EVENT
 * @vfile: the fd
 * @ctx: its context
 * @data: struct kfd_ioctl_reset_event_args
 *
 * Context: Process context; takes the signal lock.
 * Return: 0, or -EINVAL for an unknown id, an event of another type or a
 * non-zero pad.
 */
int vkfd_reset_event_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			   void *data)
{
	struct kfd_ioctl_reset_event_args *args = data;

	return vkfd_event_cpu_signal(ctx, args->event_id, args->pad, false);
}

/**
 * vkfd_event_count() - how many events a context has, for debugfs
 * @ctx: the context
 *
 * Context: Process context; the caller holds &vkfd_ctx.mem_lock.
 * Return: the number of events.
 */
unsigned int vkfd_event_count(struct vkfd_ctx *ctx)
{
	lockdep_assert_held(&ctx->mem_lock);

	return ctx->events ? READ_ONCE(ctx->events->nr) : 0;
}

/**
 * vkfd_event_waiter_count() - how many waiters a context's events have
 * @ctx: the context
 *
 * One per distinct event of each wait in progress (see "waiting for
 * events" in vkfd_event_wait.c), for the test hooks.
 *
 * Context: Process context; the caller holds &vkfd_ctx.mem_lock. Takes
 * the signal lock.
 * Return: the number of waiters.
 */
unsigned int vkfd_event_waiter_count(struct vkfd_ctx *ctx)
{
	struct vkfd_events *events = ctx->events;
	unsigned int nr;

	lockdep_assert_held(&ctx->mem_lock);

	if (!events)
		return 0;
	xa_lock(&events->ids);
	nr = events->nr_waiters;
	xa_unlock(&events->ids);
	return nr;
}

/**
 * vkfd_event_release() - free the events of a context nobody can use
 * @ctx: the context
 *
 * Destroys every event (a wait still in progress fails) and frees the
 * signal page; mappings of the page keep its pages until unmapped, and an
 * adopted buffer's reference is dropped. Idempotent. Runs after the
 * context's queues are stopped: no engine signals its events any more.
 *
 * Context: Process context; takes &vkfd_ctx.mem_lock.
 */
void vkfd_event_release(struct vkfd_ctx *ctx)
{
	struct vkfd_events *events;
	struct vkfd_event *ev;
	unsigned long id;

	mutex_lock(&ctx->mem_lock);
	events = ctx->events;
	WRITE_ONCE(ctx->events, NULL);
	mutex_unlock(&ctx->mem_lock);
	if (!events)
		return;

	/*
	 * One event at a time, the signal lock taken for each: a context may
	 * have millions of events, and the lock is a spinlock. Nothing else
	 * changes the table now (no ioctl, no engine).
	 */
	xa_for_each(&events->ids, id, ev) {
		xa_lock(&events->ids);
		__xa_erase(&events->ids, id);
		events->nr--;
		vkfd_event_detach_locked(events, ev);
		xa_unlock(&events->ids);
		kfree(ev);
		vkfd_limits_uncharge(&ctx->limits, VKFD_LIMIT_EVENTS, 1);
		cond_resched();
	}
	vkfd_event_page_free(events);
	vkfd_events_put(events);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_event_release);
