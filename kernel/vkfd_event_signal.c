// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - what signals events: SET_EVENT's set, an engine's TRAP or fault,
 * and the destruction of an event, which fails its waits (see "events"
 * in vkfd_event.c).
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
#include <linux/sched.h>

#include "vkfd_event.h"
#include "vkfd_priv.h"

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

/**
 * vkfd_event_detach_locked() - fail every wait on an event
 * @events: the events of its context
 * @ev: the event, going away
 *
 * Each wait on @ev is woken, and fails with EIO.
 *
 * Context: Any context; the signal lock held.
 */
void vkfd_event_detach_locked(struct vkfd_events *events, struct vkfd_event *ev)
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
