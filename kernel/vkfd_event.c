// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - events: AMDKFD_IOC_CREATE_EVENT, DESTROY_EVENT, SET_EVENT,
 * RESET_EVENT, and what the engines signal. AMDKFD_IOC_WAIT_EVENTS is in
 * vkfd_event_wait.c, the signal page and its mmap in vkfd_event_page.c.
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
 * vkfd_event_memory_fault().
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

/**
 * DOC: faults
 *
 * A GPU fault signals every MEMORY event of its context with the fault's
 * data (amdkfd's kfd_signal_vm_fault_event()), in O(1): the fault bumps
 * the context's fault sequence, &vkfd_events.fault_seq, records its
 * data in &vkfd_events.fault and wakes the waits that name a MEMORY event
 * (&vkfd_events.fault_waits, one entry per wait, however many MEMORY
 * events it names). It visits no event. A MEMORY event whose
 * &vkfd_event.fault_seen differs from the sequence has a fault it has not
 * seen: vkfd_event_sync_locked() applies it, as amdkfd's set_event() would
 * have at the fault, before anything reads the event's state or changes
 * who waits on it (a wait's look, its leaving, its wake-up). Until then
 * the event's waiters are the same as at the fault, so applying it late
 * is applying it then; several faults in a row apply as one (a second set
 * of an event changes nothing), with the last one's data, which is what
 * amdkfd reports too. An event created after a fault starts with the
 * sequence as it is: that fault does not signal it.
 *
 * A fault is thus one hold of the signal lock: every MEMORY event of the
 * context is signaled from that instant on, for every wait and look, not
 * one batch after another as when faults walked the events.
 */

/**
 * DOC: bounded walks
 *
 * The signal lock is a spinlock that the engines take, so no hold of it
 * may last as long as a user likes. Every walk under it, and its bound:
 *
 * - A set (SET_EVENT, a TRAP naming the event, a fault applied by
 *   vkfd_event_sync_locked()) walks the event's waiters: one per wait in
 *   progress on the event, however many times the wait names it
 *   (vkfd_event_wait.c). Each is a thread asleep in WAIT_EVENTS, with a
 *   waiter allocated for it and charged to its memory cgroup: every
 *   entry of the list costs its owner a task.
 * - The destruction of an event walks the same list.
 * - A fault walks &vkfd_events.fault_waits: one entry per thread asleep
 *   in WAIT_EVENTS on a MEMORY event of the context, whatever the number
 *   of MEMORY events ("faults").
 * - A TRAP whose id is no event's scans the signal slots
 *   %VKFD_EVENT_BATCH at a time and sets the events of the signaled ones,
 *   dropping the lock between batches: at most 4095 slots in all.
 * - A wait joins its events, takes their signals, applies the faults
 *   they have not seen and leaves them %VKFD_EVENT_BATCH events at a
 *   time (vkfd_event_wait.c), each event with a set's walk at most.
 * - The release of the events takes the lock once per event.
 * - Everything else holds it for O(1): a lookup, a reset, a publication,
 *   the page's setup and teardown, the mmap of the page (a reference on
 *   each of its 8 pages), the count of waiters.
 *
 * The engines call in from their kthreads without being allowed to sleep
 * here, so a TRAP is not preempted between batches on a kernel without
 * preemption; what the batches bound is how long another CPU spins for
 * the lock.
 */
#include <kunit/visibility.h>
#include <linux/slab.h>

#include "vkfd_event.h"
#include "vkfd_priv.h"

static bool vkfd_event_has_slot(u32 type)
{
	return type == KFD_IOC_EVENT_SIGNAL || type == KFD_IOC_EVENT_DEBUG_EVENT;
}

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
 * Signalling
 */

/* Wake @w's waiter, which the event was signaled or destroyed for. */
static void vkfd_event_waiter_wake(struct vkfd_event_waiter *w)
{
	wake_up_process(w->task);
}

/**
 * vkfd_event_set_locked() - signal an event (amdkfd's set_event)
 * @events: the events @ev is one of
 * @ev: the event
 *
 * Every wait that found it unsignaled is activated. An auto-reset event
 * stays signaled only if there was no such wait to take the signal.
 *
 * Context: Any context; the signal lock of @events held.
 */
void vkfd_event_set_locked(struct vkfd_events *events, struct vkfd_event *ev)
{
	struct vkfd_event_waiter *w;
	bool taken = false;

	lockdep_assert_held(&events->ids.xa_lock);

	list_for_each_entry(w, &ev->waiters, node) {
		if (!w->queued)
			continue;
		taken = true;
		/* Woken once: the waiter does not go back to sleep on it. */
		if (w->activated)
			continue;
		WRITE_ONCE(w->activated, true);
		vkfd_event_waiter_wake(w);
	}
	ev->signaled = !ev->auto_reset || !taken;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_event_set_locked);

/**
 * vkfd_event_sync_locked() - apply the faults an event has not seen
 * @events: the events of its context
 * @ev: the event
 *
 * If @ev is a MEMORY event and the context faulted since it last looked,
 * @ev takes the last fault's data and is set, with the waiters it had
 * then, which are still its waiters ("faults"). Does nothing otherwise.
 *
 * Context: Any context; the signal lock held.
 */
void vkfd_event_sync_locked(struct vkfd_events *events, struct vkfd_event *ev)
{
	lockdep_assert_held(&events->ids.xa_lock);

	if (ev->type != KFD_IOC_EVENT_MEMORY ||
	    ev->fault_seen == events->fault_seq)
		return;
	ev->fault_seen = events->fault_seq;
	ev->mem = events->fault;
	vkfd_event_set_locked(events, ev);
}

/* Fail every wait on @ev: the event is going away. */
static void vkfd_event_detach_locked(struct vkfd_events *events,
				     struct vkfd_event *ev)
{
	struct vkfd_event_waiter *w, *tmp;

	lockdep_assert_held(&events->ids.xa_lock);

	list_for_each_entry_safe(w, tmp, &ev->waiters, node) {
		list_del_init(&w->node);
		events->nr_waiters--;
		WRITE_ONCE(w->ev, NULL);
		vkfd_event_waiter_wake(w);
	}
}

/* A GPU signal for @ev: acknowledge its slot, then set it. */
static void vkfd_event_signal_gpu_locked(struct vkfd_events *events,
					 struct vkfd_event *ev)
{
	lockdep_assert_held(&events->ids.xa_lock);

	if (!vkfd_event_has_slot(ev->type))
		return;
	WRITE_ONCE(events->slots[ev->id], VKFD_SLOT_UNSIGNALED);
	vkfd_event_set_locked(events, ev);
}

static bool vkfd_slot_signaled(const u64 *slots, u32 id)
{
	return READ_ONCE(slots[id]) != VKFD_SLOT_UNSIGNALED;
}

/*
 * Set the event of every signaled slot, %VKFD_EVENT_BATCH slots per hold
 * of the signal lock. The page may go between two holds (the abort of the
 * creation that set it up): the scan stops there.
 */
static void vkfd_event_interrupt_scan(struct vkfd_events *events)
{
	u32 id = VKFD_EVENT_ID_FIRST_SIGNAL, end;
	struct vkfd_event *ev;
	u64 *slots;

	while (id < VKFD_SIGNAL_SLOTS) {
		end = min_t(u32, id + VKFD_EVENT_BATCH, VKFD_SIGNAL_SLOTS);
		xa_lock(&events->ids);
		slots = events->slots;
		if (!slots) {
			xa_unlock(&events->ids);
			return;
		}
		for (; id < end; id++) {
			if (!vkfd_slot_signaled(slots, id))
				continue;
			ev = xa_load(&events->ids, id);
			if (ev)
				vkfd_event_signal_gpu_locked(events, ev);
		}
		xa_unlock(&events->ids);
	}
}

/**
 * vkfd_event_interrupt() - an engine's TRAP for a context
 * @ctx: the context whose queue executed it
 * @int_context: the packet's interrupt context id: an event id
 *
 * As amdkfd's kfd_signal_event_interrupt() with a full id, but for one
 * thing: if @int_context is the id of a signal (or debug) event, that
 * event is acknowledged (its slot written back to all ones) and set,
 * whether its slot was written or not (amdkfd requires the write, which
 * its hardware always makes first). Otherwise every signal event whose
 * slot is signaled is, the slots scanned in batches ("bounded walks").
 *
 * Context: An engine's kthread, with &vkfd_ctx.mem_lock held. Does not
 * sleep; touches only @ctx.
 */
void vkfd_event_interrupt(struct vkfd_ctx *ctx, u32 int_context)
{
	struct vkfd_events *events = ctx->events;
	struct vkfd_event *ev = NULL;
	u64 *slots;

	lockdep_assert_held(&ctx->mem_lock);

	if (!events)
		return;
	xa_lock(&events->ids);
	slots = events->slots;
	if (!slots)
		goto out_unlock;
	/*
	 * amdkfd sets the named event only if its slot was written, which
	 * hardware does before it interrupts; a TRAP of vkfd names the
	 * event itself, so a bare TRAP sets it too.
	 */
	if (int_context < VKFD_SIGNAL_SLOTS)
		ev = xa_load(&events->ids, int_context);
	if (ev)
		vkfd_event_signal_gpu_locked(events, ev);
out_unlock:
	xa_unlock(&events->ids);
	/* The id is not that of an event: look at every slot. */
	if (slots && !ev)
		vkfd_event_interrupt_scan(events);
}

/**
 * vkfd_event_memory_fault() - a GPU memory fault of a context
 * @ctx: the context whose queue faulted
 * @gpu_id: the GPU
 * @va: the faulting GPU address
 * @not_present: nothing was mapped at @va
 * @read_only: a write to a page mapped read-only
 *
 * As amdkfd's kfd_signal_vm_fault_event(): every MEMORY event of @ctx
 * records the fault (the page's address, the GPU, the failure bits) and
 * is set; WAIT_EVENTS reports the record in the event's kfd_event_data.
 * In O(1): the fault is recorded for the context, each event applies it
 * when next looked at ("faults"), and the waits on MEMORY events are
 * woken to look.
 *
 * Context: An engine's kthread, with &vkfd_ctx.mem_lock held. Does not
 * sleep; touches only @ctx.
 */
void vkfd_event_memory_fault(struct vkfd_ctx *ctx, u32 gpu_id, u64 va,
			     bool not_present, bool read_only)
{
	/* The uAPI's failure bits, in their order: NotPresent, ReadOnly. */
	struct kfd_hsa_memory_exception_data mem = {
		.failure = { not_present, read_only },
		.va = va & PAGE_MASK,
		.gpu_id = gpu_id,
	};
	struct vkfd_events *events = ctx->events;
	struct vkfd_event_wait *wait;

	lockdep_assert_held(&ctx->mem_lock);

	if (!events)
		return;
	xa_lock(&events->ids);
	events->fault = mem;
	/* Read locklessly by the waits it wakes (vkfd_event_wait.c). */
	WRITE_ONCE(events->fault_seq, events->fault_seq + 1);
	list_for_each_entry(wait, &events->fault_waits, fault_node)
		wake_up_process(wait->task);
	xa_unlock(&events->ids);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_event_memory_fault);

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
