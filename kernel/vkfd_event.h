/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vkfd - what the files of events share (vkfd_event.c: the events;
 * vkfd_event_signal.c: what signals them; vkfd_event_page.c: their
 * signal page; vkfd_event_wait.c: AMDKFD_IOC_WAIT_EVENTS).
 */
#ifndef _VKFD_EVENT_H_
#define _VKFD_EVENT_H_

#include <linux/kfd_ioctl.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/xarray.h>

struct task_struct;
struct vkfd_create_ops;
struct vkfd_ctx;
struct vkfd_file;
struct vkfd_gem;
struct vm_area_struct;

/* Signal slots of the signal page, one u64 each: 32 KiB, as amdkfd. */
#define VKFD_SIGNAL_SLOTS	KFD_SIGNAL_EVENT_LIMIT
#define VKFD_SIGNAL_PAGE_SIZE	(VKFD_SIGNAL_SLOTS * sizeof(u64))
/* The slots libhsakmt may use before it maps the page (amdkfd's 256). */
#define VKFD_SIGNAL_SLOTS_UNMAPPED	256
/* A slot nobody signaled: all ones, never a valid event id. */
#define VKFD_SLOT_UNSIGNALED	(~0ULL)

/*
 * Event ids, as amdkfd's: signal (and debug) events use their signal
 * slot's index, 1..4095 (0 is never an event: the CP's interrupts without
 * a context id carry it); the others come from the upper half of the
 * positive int range.
 */
#define VKFD_EVENT_ID_FIRST_SIGNAL	1
#define VKFD_EVENT_ID_FIRST_OTHER	((INT_MAX >> 1) + 1)
#define VKFD_EVENT_ID_LAST_OTHER	INT_MAX

/**
 * struct vkfd_event - an event of a context
 * @id: its id; for a signal or debug event also its slot index
 * @type: KFD_IOC_EVENT_*
 * @auto_reset: a wait that sees it signaled resets it
 * @signaled: set and not yet consumed or reset; of a MEMORY event, once
 *	the faults it has not seen are applied (vkfd_event_sync_locked())
 * @waiters: the &struct vkfd_event_waiter of every wait on it
 * @mem: of a MEMORY event, the last fault applied to it
 * @fault_seen: of a MEMORY event, &vkfd_events.fault_seq when a fault
 *	was last applied to it (or when it was published)
 * @page_pending: between the build and the publication or abort of its
 *	creation, the event relies on a provisional signal page (counted
 *	in &vkfd_events.page_pending); under the events' @lock
 *
 * Everything but @id and @type, which never change, is under the
 * events' signal lock (the xa_lock of &vkfd_events.ids).
 */
struct vkfd_event {
	u32 id;
	u32 type;
	bool auto_reset;
	bool signaled;
	struct list_head waiters;
	struct kfd_hsa_memory_exception_data mem;
	u64 fault_seen;
	bool page_pending;
};

/**
 * struct vkfd_events - the events of a context and its signal page
 * @ref: one reference for the context, one for each wait in progress:
 *	vkfd_event_release() fails the waits, they free the last of it
 * @lock: serialises creation: the signal page is set up once; protects
 *	@page_provisional and @page_pending
 * @ids: event id -> &struct vkfd_event. Its xa_lock is the *signal
 *	lock*: it protects the events' state and waiters, the signal page
 *	fields below, @nr, @nr_waiters and the @fault* fields; lookups take
 *	it. A spinlock, because the engines signal events from their
 *	kthreads under the context's mem_lock: no hold of it walks more
 *	than %VKFD_EVENT_BATCH events ("bounded walks" in vkfd_event_signal.c).
 * @nr: events in @ids, for debugfs
 * @nr_waiters: waiters on the lists of the events in @ids, for the tests
 * @fault_seq: how many faults the context had; a MEMORY event whose
 *	&vkfd_event.fault_seen differs has not seen the last one
 * @fault: the last fault's data
 * @fault_waits: the waits in progress that name a MEMORY event, each a
 *	&struct vkfd_event_wait: a fault wakes them
 * @slots: the signal page's kernel address, NULL until the first signal
 *	event or the adoption of a buffer; then never changes until release
 * @mapped_slots: how many slots signal event ids may use: 256 until the
 *	page is mapped, then what the mapping covers (amdkfd's
 *	signal_mapped_size / 8), at most %VKFD_SIGNAL_SLOTS
 * @pages: the page vkfd allocated (order 3, split): NULL if adopted
 * @gem: the adopted GTT buffer, referenced and pinned; NULL if none
 * @page_provisional: the signal page was set up by a creation that is
 *	not published yet, nor any other event that relies on the page: it
 *	is freed if they all abort (vkfd_event.c)
 * @page_pending: creations between build and publication or abort that
 *	rely on the provisional page
 */
struct vkfd_events {
	struct kref ref;
	struct mutex lock;	/* creation, the page's setup, @page_* */
	struct xarray ids;
	unsigned int nr;
	unsigned int nr_waiters;
	u64 fault_seq;
	struct kfd_hsa_memory_exception_data fault;
	struct list_head fault_waits;
	u64 *slots;
	u32 mapped_slots;
	struct page *pages;
	struct vkfd_gem *gem;
	bool page_provisional;
	unsigned int page_pending;
};

/*
 * How many events (or signal slots) a walk under the signal lock visits
 * before it drops the lock: a hold visits at most this many events, each
 * with its waiters (see "bounded walks" in vkfd_event_signal.c).
 */
#define VKFD_EVENT_BATCH	64

/**
 * struct vkfd_event_waiter - one distinct event of a wait in progress
 * @node: entry in &vkfd_event.waiters; empty once the event is destroyed
 * @ev: the event, NULL once it is destroyed (or before the wait joins it)
 * @task: the waiting thread
 * @id: the event id the caller named
 * @count: how many entries of the caller's array name it
 * @took_first: the event was signaled when the wait began: its first
 *	entry is activated (and took the signal of an auto-reset event)
 * @took_all: the event was signaled and is not auto-reset: every entry
 *	naming it is activated
 * @queued: some entry naming it found it unsignaled: the wait is what a
 *	set of an auto-reset event is given to (amdkfd's wait queue)
 * @activated: a set activated every entry naming it
 * @report: @mem is to be copied out (an activated MEMORY event)
 * @mem: a snapshot of @ev's fault data, taken when the wait completes
 *
 * A wait has one waiter per distinct event it names, however many times
 * it names it (see "waiting for events" in vkfd_event_wait.c). @ev,
 * @queued and @activated are written under the signal lock; the waiter
 * reads @ev and @activated without it while it sleeps.
 */
struct vkfd_event_waiter {
	struct list_head node;
	struct vkfd_event *ev;
	struct task_struct *task;
	u32 id;
	u32 count;
	bool took_first;
	bool took_all;
	bool queued;
	bool activated;
	bool report;
	struct kfd_hsa_memory_exception_data mem;
};

/**
 * struct vkfd_event_wait - a WAIT_EVENTS in progress
 * @n: entries of the caller's array
 * @nr: distinct events among them: waiters in @w
 * @w: one waiter per distinct event, in id order
 * @entry: for each entry, the index of its waiter in @w, with
 *	%VKFD_EVENT_WAIT_REPEAT if an earlier entry names the same id
 * @all: wait for all entries, not any
 * @fault_node: entry in &vkfd_events.fault_waits while the wait names a
 *	MEMORY event (@task set); under the signal lock
 * @task: the waiting thread, once it is on &vkfd_events.fault_waits
 * @fault_seq: every MEMORY event of the wait has seen the faults up to
 *	this &vkfd_events.fault_seq; written by the waiting thread
 */
struct vkfd_event_wait {
	u32 n;
	u32 nr;
	struct vkfd_event_waiter *w;
	u32 *entry;
	bool all;
	struct list_head fault_node;
	struct task_struct *task;
	u64 fault_seq;
};

/* vkfd_event_wait.entry[]: the entry repeats an earlier entry's id. */
#define VKFD_EVENT_WAIT_REPEAT	BIT(31)

/* vkfd_event.c, vkfd_event_wait.c: the events and their ioctls */
extern const struct vkfd_create_ops vkfd_event_create_ops;
int vkfd_destroy_event_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			     void *data);
int vkfd_set_event_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			 void *data);
int vkfd_reset_event_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			   void *data);
int vkfd_wait_events_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			   void *data);
int vkfd_event_mmap(struct vkfd_ctx *ctx, struct vm_area_struct *vma);
void vkfd_event_interrupt(struct vkfd_ctx *ctx, u32 int_context);
void vkfd_event_memory_fault(struct vkfd_ctx *ctx, u32 gpu_id, u64 va,
			     bool not_present, bool read_only);
void vkfd_event_release(struct vkfd_ctx *ctx);
unsigned int vkfd_event_count(struct vkfd_ctx *ctx);
unsigned int vkfd_event_waiter_count(struct vkfd_ctx *ctx);

/* Signal and debug events have a slot in the signal page. */
static inline bool vkfd_event_has_slot(u32 type)
{
	return type == KFD_IOC_EVENT_SIGNAL || type == KFD_IOC_EVENT_DEBUG_EVENT;
}

/* vkfd_event.c, vkfd_event_signal.c: what the files of events share */
struct vkfd_events *vkfd_events_of(struct vkfd_ctx *ctx);
struct vkfd_events *vkfd_events_get(struct vkfd_ctx *ctx);
void vkfd_events_put(struct vkfd_events *events);
void vkfd_event_set_locked(struct vkfd_events *events, struct vkfd_event *ev);
void vkfd_event_sync_locked(struct vkfd_events *events, struct vkfd_event *ev);
void vkfd_event_detach_locked(struct vkfd_events *events, struct vkfd_event *ev);

#if IS_ENABLED(CONFIG_KUNIT)
/* vkfd_event_wait.c, for the KUnit suite (kernel/tests/vkfd_event_test.c) */
int vkfd_event_wait_index(struct vkfd_event_wait *wait, u64 *keys);
void vkfd_event_wait_free(struct vkfd_event_wait *wait);
int vkfd_event_wait_join(struct vkfd_events *events,
			 struct vkfd_event_wait *wait);
void vkfd_event_wait_take(struct vkfd_events *events,
			  struct vkfd_event_wait *wait);
u32 vkfd_event_wait_test(const struct vkfd_event_wait *wait);
int vkfd_event_wait_leave(struct vkfd_events *events,
			  struct vkfd_event_wait *wait, bool complete,
			  bool undo);
#endif

/* vkfd_event_page.c */
int vkfd_event_page_alloc(struct vkfd_events *events);
int vkfd_event_page_adopt(struct vkfd_ctx *ctx, struct vkfd_events *events,
			  u64 handle);
void vkfd_event_page_free(struct vkfd_events *events);

#endif /* _VKFD_EVENT_H_ */
