// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - the software SDMA engines.
 */

/**
 * DOC: SDMA engines
 *
 * Each GPU has VKFD_SDMA_ENGINES engines, each a kernel thread started at
 * module load and stopped at unload. A runnable SDMA queue is started on
 * one of its GPU's engines (round robin) and served by that thread until
 * it is stopped. The thread serves its contexts in turn, one slice each
 * (vkfd_sdma.h: at most VKFD_SDMA_SLICE_NS, 200 us, about 1 MiB of data,
 * 4096 packets or 32 TRAPs; vkfd_sdma_exec.c), so that no queue can hold
 * an engine, and nothing waits on an engine for longer than a slice.
 * The engine may reschedule between two queues, two packets, two
 * signalled TRAPs and two pieces of a copy or fill (vkfd_vm_access.c);
 * it holds its list spinlock only to take a queue
 * from the list, never across a loop whose length a user chooses.
 *
 * Serving a queue: read the write pointer from its doorbell; if there is
 * something to do (&vkfd_queue_ops.ready), try the context's mem_lock,
 * execute packets (vkfd_sdma_exec_locked(), which calls
 * &vkfd_queue_ops.exec_pkt_locked of the queue's type: vkfd_sdma_pkt.c
 * for SDMA queues), signal each TRAP's event, write the
 * read pointer back, and on a fault or an invalid packet halt the queue
 * for good — a fault also counts in the VM's counters and raises the
 * context's memory event. Nothing of it can reach another queue.
 *
 * The engine never waits for a tenant. mem_lock is held by the context's
 * own ioctls, for as long as they take: MAP_MEMORY_TO_GPU of a USERPTR
 * pins its pages under it, and a page backed by userfaultfd or FUSE makes
 * that forever. So the engine only tries it (mutex_trylock()); if the
 * context holds it, the queue is left as it is, ready, and tried again on
 * a later round, while the engine goes on with the other queues. Only
 * that context's queues wait, for its own ioctl. The other locks of a
 * slice are spinlocks held for bounded work: the events' signal lock
 * (vkfd_event_interrupt(), vkfd_event_memory_fault()) and the engine's
 * own list lock. Page tables and pages are read under mem_lock alone
 * (vkfd_vm_access.c); USERPTR pages are pinned, so the engine never
 * takes a process's mmap_lock or faults on user memory.
 *
 * Only queues whose doorbell rang are visited, so that an engine's cost
 * does not grow with idle queues. The queues of one doorbell slice (a
 * context's VM on the GPU) started on one engine form a group,
 * &struct vkfd_sdma_group, and each engine has a *ready list* of groups.
 * A round gives every ready group one slice: its queues take turns, slice
 * by slice, one with nothing to do passing the turn on to the next in
 * the same round. So a context's share of the engine does not grow with
 * its busy queues: a group waits at most one slice per other ready group
 * between two turns (&vkfd_sdma_group.max_wait counts it for the test
 * hooks). Shares are per context, not per user: see docs/tenancy.rst. A doorbell is
 * plain memory that cannot trap, but the slice's user mapping can: a
 * group that stayed idle for VKFD_SDMA_ARM_NS is *armed* - the slice's
 * pages are unmapped from user space (vkfd_doorbell_arm()) - and served
 * once more, to see a write made before the unmapping; still idle, it
 * leaves the ready list. The next doorbell write faults, and the fault
 * handler puts the page back, then rings the slice
 * (vkfd_sdma_doorbell_rang()): its groups go back on the ready lists,
 * armed no more, and the engines wake at once. A ring that comes after
 * the arming keeps the group on the list; a write before the unmapping is
 * seen by the last serving. While a context works, its pages stay mapped
 * and nothing faults. A packet's store into a DOORBELL buffer of its VM
 * (the slice's pages, mapped into the GPU VM) rings the slice as well:
 * the engine does, once the slice is over and mem_lock dropped.
 *
 * An engine with nothing to do is woken on the CPU whose doorbell write
 * faulted, and runs there for a while (see vkfd_sdma_cpu.c).
 *
 * A group stays on the list, polled, while one of its queues waits for
 * something only time brings (a POLL_REGMEM, its context's mem_lock), or
 * if its slice cannot be armed (vkfd_doorbell.c). An engine with groups
 * on its list polls: after a round with progress it keeps polling,
 * without sleeping, for twice VKFD_SDMA_SPIN_NS, by which time its idle
 * groups are armed (VKFD_SDMA_ARM_NS) and leave the list; then it sleeps
 * between rounds, first
 * VKFD_SDMA_SLEEP_MIN_NS, each time twice as long, up to
 * VKFD_SDMA_SLEEP_MAX_NS (hrtimers). An engine with an empty ready list
 * sleeps until a ring or vkfd_sdma_queue_start() wakes it.
 *
 * Stopping a queue takes it off the engine's list, then waits until the
 * engine is not serving it: at most the rest of one slice.
 *
 * The time an engine spends on each slice counts as busy time of the GPU
 * (vkfd_busy.c, the GPU's gpu_busy_percent).
 */
#include <kunit/visibility.h>
#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/kfd_ioctl.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/cpumask.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/stat.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/wait_bit.h>

#include "vkfd_busy.h"
#include "vkfd_doorbell.h"
#include "vkfd_event.h"
#include "vkfd_gpu.h"
#include "vkfd_priv.h"
#include "vkfd_pt.h"
#include "vkfd_queue.h"
#include "vkfd_sdma.h"
#include "vkfd_sdma_engine.h"
#include "vkfd_vm.h"
#include "vkfd_vm_access.h"

/*
 * Busy polling after activity (alone on its CPU), then sleeps growing up
 * to ~1 ms while a group waits for time.
 */
#define VKFD_SDMA_SPIN_NS	(250 * NSEC_PER_USEC)
#define VKFD_SDMA_SLEEP_MIN_NS	(10 * NSEC_PER_USEC)
#define VKFD_SDMA_SLEEP_MAX_NS	NSEC_PER_MSEC

/*
 * A group idle for the engine's whole spin period is armed. Polling it
 * on a timer instead would delay its next doorbell by up to a sleep
 * (VKFD_SDMA_SLEEP_MAX_NS); a fault costs a few microseconds, once per
 * idle period, and never while the context keeps the engine busy.
 */
#define VKFD_SDMA_ARM_NS	(2 * VKFD_SDMA_SPIN_NS)

/* What serving a queue, or a group, came to */
enum vkfd_sdma_served {
	VKFD_SDMA_SERVED_IDLE,	/* nothing to do until a doorbell write */
	VKFD_SDMA_SERVED_WAIT,	/* nothing now, maybe later: poll */
	VKFD_SDMA_SERVED_BUSY,	/* progress, or more to do right away */
};

/*
 * Lockdep's view of vkfd_sdma_queue_stop() waiting for the engine: a
 * pseudo-lock held by the engine around each slice, which stop takes and
 * releases. Lockdep then reports a stop under any lock the engine waits
 * for in a slice as the deadlock it is. The engine only tries mem_lock
 * (a trylock makes no dependency in lockdep's graph either): a stop
 * under mem_lock does not wait for it, the slice it waits for cannot
 * have that context's queue in it.
 */
#ifdef CONFIG_LOCKDEP
static struct lock_class_key vkfd_sdma_slice_key;
static struct lockdep_map vkfd_sdma_slice_map =
	STATIC_LOCKDEP_MAP_INIT("vkfd_sdma_slice", &vkfd_sdma_slice_key);
#define VKFD_SDMA_SLICE_MAP	(&vkfd_sdma_slice_map)
#else
#define VKFD_SDMA_SLICE_MAP	NULL
#endif

static void vkfd_sdma_slice_acquire(void)
{
	lock_map_acquire(VKFD_SDMA_SLICE_MAP);
}

static void vkfd_sdma_slice_release(void)
{
	lock_map_release(VKFD_SDMA_SLICE_MAP);
}

/* A fault of @q: halt it, count it, tell its context. */
static void vkfd_sdma_fault_locked(struct vkfd_queue *q,
				   const struct vkfd_vm_fault *f)
{
	lockdep_assert_held(&q->ctx->mem_lock);

	WRITE_ONCE(q->sdma.halted, true);
	atomic64_inc(&q->vm->faults);
	vkfd_event_memory_fault(q->ctx, q->gpu->gpu_id,
				f->va & ~(VKFD_GPU_PAGE_SIZE - 1),
				f->not_present, f->write && !f->not_present);
}

static void vkfd_sdma_ring(struct vkfd_doorbells *db, bool here);

/* One slice of @q: what it came to. */
static enum vkfd_sdma_served vkfd_sdma_serve(struct vkfd_queue *q, u64 now)
{
	struct vkfd_ctx *ctx = q->ctx;
	struct vkfd_sdma_run run = { .budget = VKFD_SDMA_SLICE };
	enum vkfd_sdma_status st;
	struct vkfd_vm_fault fault;
	u64 rptr, start, end;
	bool rang;

	q->sdma.visits++;
	run.wptr = READ_ONCE(*q->doorbell);
	if (!q->ops->ready(q, run.wptr, now))
		return vkfd_sdma_parked(q, now) ? VKFD_SDMA_SERVED_WAIT :
						  VKFD_SDMA_SERVED_IDLE;
	/* User space wrote the packets, then the doorbell. */
	smp_rmb();

	vkfd_sdma_slice_acquire();
	/*
	 * Never wait for a tenant: its own ioctls may hold mem_lock for as
	 * long as it likes (pinning a USERPTR over a userfaultfd page). The
	 * queue stays as it is and is tried again next round.
	 */
	if (!mutex_trylock(&ctx->mem_lock)) {
		vkfd_sdma_slice_release();
		return VKFD_SDMA_SERVED_WAIT;
	}
	/*
	 * A queue is halted under mem_lock: one that halted since the look
	 * above must not execute (and fault) once more.
	 */
	if (READ_ONCE(q->sdma.halted)) {
		mutex_unlock(&ctx->mem_lock);
		vkfd_sdma_slice_release();
		return VKFD_SDMA_SERVED_IDLE;
	}
	/* The engine is busy from here to the end of the slice. */
	WRITE_ONCE(q->sdma.engine->slices, q->sdma.engine->slices + 1);
	start = ktime_get_ns();
	run.end = local_clock() + VKFD_SDMA_SLICE_NS;
	rptr = q->sdma.rptr;
	while ((st = vkfd_sdma_exec_locked(q, &run)) == VKFD_SDMA_TRAP) {
		vkfd_event_interrupt(ctx, run.int_context);
		cond_resched();
	}
	if (run.traps > q->sdma.slice_traps)
		WRITE_ONCE(q->sdma.slice_traps, run.traps);
	/*
	 * Counted before the read pointer says the work is done: whoever
	 * waits for the read pointer then reads sdma_<gpuid> sees it.
	 */
	if (run.moved) {
		atomic64_add(run.moved, &q->vm->sdma_activity);
		/* Orders the count before the read pointer's store. */
		smp_mb__after_atomic();
	}
	/* Progress up to a faulting packet is reported too. */
	if (q->sdma.rptr != rptr && q->ops->rptr_write_locked(q, &fault) &&
	    st != VKFD_SDMA_FAULT) {
		st = VKFD_SDMA_FAULT;
		run.fault = fault;
	}
	if (st == VKFD_SDMA_FAULT)
		vkfd_sdma_fault_locked(q, &run.fault);
	else if (st == VKFD_SDMA_INVALID)
		WRITE_ONCE(q->sdma.halted, true);
	/* A packet stored into a DOORBELL buffer (vkfd_vm_access.c) */
	rang = q->vm->doorbell_rang;
	q->vm->doorbell_rang = false;
	mutex_unlock(&ctx->mem_lock);
	vkfd_sdma_slice_release();
	end = ktime_get_ns();
	vkfd_busy_add(&q->gpu->busy, end - start, end);
	/* Its engines' locks, never under mem_lock; the VM holds the slice. */
	if (rang)
		vkfd_sdma_ring(q->vm->doorbells, false);

	if (q->sdma.rptr != rptr || run.moved || st == VKFD_SDMA_BUDGET)
		return VKFD_SDMA_SERVED_BUSY;
	return st == VKFD_SDMA_POLL ? VKFD_SDMA_SERVED_WAIT :
				      VKFD_SDMA_SERVED_IDLE;
}

/*
 * Serve @group one slice: its queues take turns, one with nothing to do
 * passing the turn on to the next. What the busiest came to.
 */
static enum vkfd_sdma_served vkfd_sdma_serve_group(struct vkfd_sdma_engine *e,
						   struct vkfd_sdma_group *group,
						   u64 now)
{
	enum vkfd_sdma_served served = VKFD_SDMA_SERVED_IDLE, st;
	u64 waited = e->slices - READ_ONCE(group->served_at);
	unsigned int n;

	if (waited > READ_ONCE(group->max_wait))
		WRITE_ONCE(group->max_wait, min_t(u64, waited, U32_MAX));

	spin_lock(&e->lock);
	n = group->nr_queues;
	spin_unlock(&e->lock);

	while (n--) {
		struct vkfd_queue *q;

		spin_lock(&e->lock);
		q = list_first_entry_or_null(&group->queues, struct vkfd_queue,
					     sdma.engine_node);
		if (q) {
			list_move_tail(&q->sdma.engine_node, &group->queues);
			WRITE_ONCE(e->running, q);
		}
		spin_unlock(&e->lock);
		if (!q)
			break;

		st = vkfd_sdma_serve(q, now);
		served = max(served, st);

		/* Done with @q: a stop waiting for it may return. */
		smp_store_mb(e->running, NULL);
		wake_up_var(&e->running);
		cond_resched();
		/* The group's slice: its other queues wait for its next. */
		if (st == VKFD_SDMA_SERVED_BUSY)
			break;
	}
	WRITE_ONCE(group->served_at, e->slices);
	return served;
}

/* Take @group off @e's ready list. */
static void vkfd_sdma_group_unready_locked(struct vkfd_sdma_engine *e,
					   struct vkfd_sdma_group *group)
{
	lockdep_assert_held(&e->lock);

	if (list_empty(&group->ready_node))
		return;
	list_del_init(&group->ready_node);
	e->nr_ready--;
	/* Gone, it may be freed: another group at its address is foreign. */
	if (e->pin_group == group)
		e->pin_group = NULL;
}

/*
 * After serving @group: busy, it stays; idle long enough, it is armed and
 * served once more; idle and armed (no ring since), it leaves the list.
 */
static void vkfd_sdma_group_idle(struct vkfd_sdma_engine *e,
				 struct vkfd_sdma_group *group,
				 enum vkfd_sdma_served served)
{
	u64 now = ktime_get_ns();
	bool arm;

	if (served == VKFD_SDMA_SERVED_BUSY) {
		WRITE_ONCE(group->busy_at, now);
		return;
	}
	if (served == VKFD_SDMA_SERVED_WAIT ||
	    now - READ_ONCE(group->busy_at) < VKFD_SDMA_ARM_NS)
		return;

	spin_lock(&e->lock);
	arm = !group->armed;
	if (arm)
		group->armed = true;
	else
		vkfd_sdma_group_unready_locked(e, group);
	spin_unlock(&e->lock);
	/* Armed: the next round looks at the doorbells once more. */
	if (arm && !vkfd_doorbell_arm(group->db)) {
		spin_lock(&e->lock);
		group->armed = false;
		spin_unlock(&e->lock);
		WRITE_ONCE(group->busy_at, now);
	}
}

/* Serve every ready group of @e once: what the busiest came to. */
static enum vkfd_sdma_served vkfd_sdma_round(struct vkfd_sdma_engine *e)
{
	enum vkfd_sdma_served served = VKFD_SDMA_SERVED_IDLE, st;
	u64 now = ktime_get_ns();
	unsigned int n;

	spin_lock(&e->lock);
	n = e->nr_ready;
	spin_unlock(&e->lock);

	while (n--) {
		struct vkfd_sdma_group *group;
		bool foreign = false;

		spin_lock(&e->lock);
		group = list_first_entry_or_null(&e->ready,
						 struct vkfd_sdma_group,
						 ready_node);
		/* With queues, so its VM holds it: hold it past a stop. */
		if (group) {
			list_move_tail(&group->ready_node, &e->ready);
			kref_get(&group->db->ref);
			foreign = group != e->pin_group;
		}
		spin_unlock(&e->lock);
		if (!group)
			break;
		/* Not the pinning tenant's work: not on that tenant's CPU */
		if (foreign)
			vkfd_sdma_unpin(e);

		st = vkfd_sdma_serve_group(e, group, now);
		vkfd_sdma_group_idle(e, group, st);
		vkfd_doorbells_put(group->db);
		served = max(served, st);
	}
	return served;
}

/* Sleep @ns, or until woken: by a ring, a new queue, or to stop. */
static void vkfd_sdma_sleep(struct vkfd_sdma_engine *e, u64 ns)
{
	ktime_t t = ns_to_ktime(ns);
	bool polling = READ_ONCE(e->nr_ready);

	/* Asleep for good, or long: nothing keeps it on a tenant's CPU. */
	if (!polling || ns >= VKFD_SDMA_SLEEP_MAX_NS)
		vkfd_sdma_unpin(e);
	vkfd_sdma_settle(e);
	set_current_state(TASK_IDLE);
	if (kthread_should_stop() || atomic_read(&e->kick)) {
		__set_current_state(TASK_RUNNING);
		return;
	}
	if (polling)
		schedule_hrtimeout_range(&t, ns / 4, HRTIMER_MODE_REL);
	else
		schedule();
	__set_current_state(TASK_RUNNING);
}

/*
 * The spin period times the engine's own rounds: local_clock() is the
 * cheapest clock (some clock sources are an MMIO read each, as the HPET
 * under qemu), and its drift between CPUs, if the thread moved, only
 * shortens or lengthens one spin.
 */
static int vkfd_sdma_thread(void *data)
{
	struct vkfd_sdma_engine *e = data;
	u64 sleep_ns = VKFD_SDMA_SLEEP_MIN_NS;
	u64 busy_at = local_clock();

	while (!kthread_should_stop()) {
		bool kicked = atomic_xchg(&e->kick, 0);
		enum vkfd_sdma_served served = vkfd_sdma_round(e);

		if (served == VKFD_SDMA_SERVED_BUSY)
			vkfd_sdma_leave(e);
		if (served == VKFD_SDMA_SERVED_BUSY || kicked) {
			busy_at = local_clock();
			sleep_ns = VKFD_SDMA_SLEEP_MIN_NS;
			cond_resched();
			continue;
		}
		/*
		 * Groups in their spin period: the rounds arm them. Spinning
		 * only while nothing else wants this CPU: the doorbell write
		 * the engine waits for may be that task's (KVM's halt polling
		 * does the same).
		 */
		if (READ_ONCE(e->nr_ready) && single_task_running() &&
		    (s64)(local_clock() - busy_at) < 2 * VKFD_SDMA_SPIN_NS) {
			cpu_relax();
			cond_resched();
			continue;
		}
		vkfd_sdma_sleep(e, sleep_ns);
		sleep_ns = min_t(u64, sleep_ns * 2, VKFD_SDMA_SLEEP_MAX_NS);
	}
	return 0;
}

/* Put @group on @e's ready list, disarmed. Return true if it was off. */
static bool vkfd_sdma_group_ready_locked(struct vkfd_sdma_engine *e,
					 struct vkfd_sdma_group *group,
					 u64 now)
{
	lockdep_assert_held(&e->lock);

	group->armed = false;
	WRITE_ONCE(group->busy_at, now);
	if (!list_empty(&group->ready_node) || !group->nr_queues)
		return false;
	WRITE_ONCE(group->served_at, READ_ONCE(e->slices));
	list_add_tail(&group->ready_node, &e->ready);
	e->nr_ready++;
	return true;
}

static void vkfd_sdma_kick(struct vkfd_sdma_engine *e)
{
	atomic_set(&e->kick, 1);
	wake_up_process(e->thread);
}

/*
 * Ring @db: its groups on the ready lists, their engines woken; on this
 * CPU those that had nothing to do if @here (a tenant's doorbell write
 * faulted on it), else only kicked (an engine's packet stored into a
 * DOORBELL buffer: this CPU is the engine's, not a tenant's).
 */
static void vkfd_sdma_ring(struct vkfd_doorbells *db, bool here)
{
	u64 now = ktime_get_ns();
	unsigned int i;

	for (i = 0; i < VKFD_SDMA_ENGINES; i++) {
		struct vkfd_sdma_engine *e = db->gpu->sdma[i];
		bool wake, idle, foreign;

		spin_lock(&e->lock);
		/* Nothing to serve: the engine sleeps, or is about to. */
		idle = !e->nr_ready;
		vkfd_sdma_group_ready_locked(e, &db->group[i], now);
		wake = db->group[i].nr_queues;
		if (wake && idle && here)
			e->pin_group = &db->group[i];
		foreign = wake && e->pin_group != &db->group[i];
		spin_unlock(&e->lock);
		/* Another tenant's work: freed before woken, to run anywhere */
		if (foreign)
			vkfd_sdma_unpin(e);
		/* Even if on the list: the engine may be in a polling sleep. */
		if (wake && idle && here)
			vkfd_sdma_pin_here(e);
		if (wake)
			vkfd_sdma_kick(e);
	}
}

/**
 * vkfd_sdma_doorbell_rang() - a doorbell slice was written to by the CPU
 * @db: the slice
 *
 * Its queues go on their engines' ready lists, and the engines wake: on
 * this CPU those that had nothing to do, pinned to it until they have
 * another group to serve (or made progress). Called by the slice's fault
 * handler, once the page is back in the faulting mapping. O(engines),
 * whatever the number of queues. (A GPU store into a DOORBELL buffer
 * rings too: the engine that made it does, vkfd_sdma_serve().)
 *
 * Context: Process context, preemptible; takes the engines' locks.
 */
void vkfd_sdma_doorbell_rang(struct vkfd_doorbells *db)
{
	vkfd_sdma_ring(db, true);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_sdma_doorbell_rang);

/**
 * vkfd_sdma_queue_start() - let an engine execute a queue
 * @q: a runnable queue, stopped, whose VM has its doorbell slice
 *
 * Puts @q on one of its GPU's engines, round robin, its group on that
 * engine's ready list, and wakes the engine. Queues of a type without
 * &vkfd_queue_ops execute nothing and are left alone, as is a queue
 * already started. A halted queue may be started; it stays halted.
 * Starting and stopping one queue is serialised by the caller
 * (&vkfd_ctx.queue_lock). An engine a fault pinned to another tenant's
 * CPU goes back to its own CPUs.
 *
 * Context: Process context; takes an engine's lock.
 */
void vkfd_sdma_queue_start(struct vkfd_queue *q)
{
	struct vkfd_gpu *gpu = q->gpu;
	struct vkfd_sdma_group *group;
	struct vkfd_sdma_engine *e;
	unsigned int i;
	bool foreign;

	if (q->sdma.engine || !q->ops)
		return;

	/* Its ring may have changed (UPDATE_QUEUE): look at it afresh. */
	q->sdma.stalled = false;
	i = (unsigned int)atomic_inc_return(&gpu->sdma_next) %
	    VKFD_SDMA_ENGINES;
	e = gpu->sdma[i];
	group = &q->vm->doorbells->group[i];
	spin_lock(&e->lock);
	list_add_tail(&q->sdma.engine_node, &group->queues);
	group->nr_queues++;
	e->nr_queues++;
	q->sdma.engine = e;
	q->sdma.group = group;
	/* It may have work already: served until its group is armed. */
	vkfd_sdma_group_ready_locked(e, group, ktime_get_ns());
	foreign = group != e->pin_group;
	spin_unlock(&e->lock);

	if (foreign)
		vkfd_sdma_unpin(e);
	vkfd_sdma_kick(e);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_sdma_queue_start);

/**
 * vkfd_sdma_queue_stop() - take a queue off its engine
 * @q: the queue; started or not
 *
 * Once this returns, the engine does not touch @q any more. It waits for
 * the slice the engine may be executing for @q: never longer than one
 * slice, whatever the ring holds. The queue's read pointer and the state
 * of a packet half done stay, for a later vkfd_sdma_queue_start().
 *
 * Context: Process context; sleeps. The engine only tries the queue's
 * &vkfd_ctx.mem_lock, so the caller may hold it, but no lock the engine
 * takes within a slice (the events' signal lock).
 */
void vkfd_sdma_queue_stop(struct vkfd_queue *q)
{
	struct vkfd_sdma_engine *e = q->sdma.engine;

	might_sleep();
	if (!e)
		return;

	spin_lock(&e->lock);
	list_del_init(&q->sdma.engine_node);
	e->nr_queues--;
	if (!--q->sdma.group->nr_queues)
		vkfd_sdma_group_unready_locked(e, q->sdma.group);
	spin_unlock(&e->lock);

	/* As if taking the slice lock: tells lockdep what we wait for. */
	vkfd_sdma_slice_acquire();
	vkfd_sdma_slice_release();
	wait_var_event(&e->running, READ_ONCE(e->running) != q);
	q->sdma.engine = NULL;
	q->sdma.group = NULL;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_sdma_queue_stop);

/* An engine whose thread is stopped or was never made, or NULL. */
static void vkfd_sdma_engine_free(struct vkfd_sdma_engine *e)
{
	if (!e)
		return;
	free_cpumask_var(e->away);
	free_cpumask_var(e->cpus);
	kfree(e);
}

/**
 * vkfd_sdma_fini() - stop a GPU's engines
 * @gpu: the GPU; no queue is started on it (no context exists)
 *
 * Also undoes a vkfd_sdma_init() that failed half way.
 *
 * Context: Process context; sleeps.
 */
void vkfd_sdma_fini(struct vkfd_gpu *gpu)
{
	unsigned int i;

	for (i = 0; i < VKFD_SDMA_ENGINES; i++) {
		struct vkfd_sdma_engine *e = gpu->sdma[i];

		if (!e)
			continue;
		kthread_stop(e->thread);
		vkfd_sdma_engine_free(e);
		gpu->sdma[i] = NULL;
	}
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_sdma_fini);

/**
 * vkfd_sdma_init() - start a GPU's engines
 * @gpu: the GPU
 *
 * Starts VKFD_SDMA_ENGINES threads, "vkfd_sdma<gpu index>.<engine>", each
 * asleep until a queue is started on it, and the GPU's busy accounting.
 *
 * Context: Process context; sleeps.
 * Return: 0, -ENOMEM, or the error of kthread_run() (-EINTR if the
 * caller was killed).
 */
int vkfd_sdma_init(struct vkfd_gpu *gpu)
{
	unsigned int i;
	int ret;

	vkfd_busy_init(&gpu->busy, VKFD_SDMA_ENGINES, ktime_get_ns());
	for (i = 0; i < VKFD_SDMA_ENGINES; i++) {
		struct vkfd_sdma_engine *e = kzalloc(sizeof(*e), GFP_KERNEL);

		if (!e || !zalloc_cpumask_var(&e->cpus, GFP_KERNEL) ||
		    !zalloc_cpumask_var(&e->away, GFP_KERNEL)) {
			vkfd_sdma_engine_free(e);
			ret = -ENOMEM;
			goto err_fini;
		}
		e->gpu = gpu;
		e->index = i;
		spin_lock_init(&e->lock);
		INIT_LIST_HEAD(&e->ready);
		e->thread = kthread_create(vkfd_sdma_thread, e, "vkfd_sdma%u.%u",
					   gpu->index, i);
		if (IS_ERR(e->thread)) {
			ret = PTR_ERR(e->thread);
			vkfd_sdma_engine_free(e);
			goto err_fini;
		}
		/* What kthread_create() chose (housekeeping CPUs) */
		cpumask_copy(e->cpus, e->thread->cpus_ptr);
		wake_up_process(e->thread);
		gpu->sdma[i] = e;
	}
	atomic_set(&gpu->sdma_next, 0);
	return 0;

err_fini:
	vkfd_sdma_fini(gpu);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_sdma_init);
