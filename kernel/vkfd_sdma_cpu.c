// SPDX-License-Identifier: GPL-2.0 OR MIT
/**
 * DOC: where an SDMA engine's thread runs
 *
 * An engine's thread runs on the CPUs it was created with, but for a
 * while after a doorbell write woke it, when it runs on the CPU whose
 * write faulted: that CPU is awake, the tenant runs on it, and another
 * may be idle and slow to wake (a virtual CPU on a busy host:
 * milliseconds). The write itself comes after the fault returns: the
 * engine lets the tenant run first (it spins only while alone on its
 * CPU), and its short sleeps end on that CPU too.
 *
 * It is pinned there (vkfd_sdma_pin_here()) only while it serves that
 * tenant's group: until it made progress, sleeps long, or - whatever the
 * tenant's queues do - another group is readied or about to be served
 * (vkfd_sdma_unpin()). Held on a tenant's CPU, the engine would make
 * every other tenant's work share that CPU with whatever the tenant runs
 * there; a tenant that parks its queue in a poll and fills its CPU with
 * spinning threads thus slows only its own work: the ring that readies
 * anyone else's frees the engine before that work can run.
 *
 * Once it made progress, the thread also leaves the tenant's CPU if
 * another task wants it (vkfd_sdma_leave()): the scheduler leaves a
 * running task where it runs, and a tenant that spins there on the
 * engine's work would share its CPU with the engine while another CPU
 * idles until the next balancing (measured in the bench guest: a 32 MiB
 * COPY_LINEAR took 40 % longer, 0.85 of memcpy()'s speed against 1.0 to
 * 1.4). It gets all its CPUs back when it next sleeps
 * (vkfd_sdma_settle()).
 *
 * The pin only saves a wake-up's latency. The scheduler's own hint,
 * WF_CURRENT_CPU (__wake_up_on_current_cpu(), since 6.2), which it may
 * override, would do it without a pin, but is not exported to modules.
 */
#include <linux/cpumask.h>
#include <linux/sched.h>
#include <linux/sched/stat.h>
#include <linux/smp.h>

#include "vkfd_sdma_engine.h"

/**
 * vkfd_sdma_pin_here() - pin an idle engine's thread to this CPU
 * @e: the engine, which a doorbell write that faulted on this CPU readied
 *
 * Nothing happens if this CPU is not one of the thread's. The caller
 * wakes the thread after.
 *
 * Context: Process context (a doorbell fault); takes the scheduler's
 * locks.
 */
void vkfd_sdma_pin_here(struct vkfd_sdma_engine *e)
{
	unsigned int cpu = raw_smp_processor_id();

	/*
	 * Pinned first, flagged after: an unpin racing with it then either
	 * sees the flag and undoes this pin, or leaves the flag for later.
	 */
	if (cpumask_test_cpu(cpu, e->cpus) &&
	    !set_cpus_allowed_ptr(e->thread, cpumask_of(cpu)))
		atomic_set(&e->pinned, 1);
}

/* Whether a pin was in force, which the caller now undoes. */
static bool vkfd_sdma_take_pin(struct vkfd_sdma_engine *e)
{
	return atomic_read(&e->pinned) && atomic_xchg(&e->pinned, 0);
}

/**
 * vkfd_sdma_unpin() - an engine's thread back on its CPUs
 * @e: the engine
 *
 * Undoes vkfd_sdma_pin_here(), if it is still in force. Any task may do
 * it: the thread itself, or one that readied another group. A wider mask
 * than the thread's CPU's never waits for a migration.
 *
 * Context: Process context; takes the scheduler's locks.
 */
void vkfd_sdma_unpin(struct vkfd_sdma_engine *e)
{
	if (vkfd_sdma_take_pin(e))
		set_cpus_allowed_ptr(e->thread, e->cpus);
}

/**
 * vkfd_sdma_leave() - the thread, pinned to a tenant's CPU, made progress
 * @e: the engine whose thread calls
 *
 * As vkfd_sdma_unpin(), but if another task wants this CPU, the thread
 * moves to its other CPUs at once, until vkfd_sdma_settle().
 *
 * Context: The engine's thread; takes the scheduler's locks, may migrate.
 */
void vkfd_sdma_leave(struct vkfd_sdma_engine *e)
{
	if (!vkfd_sdma_take_pin(e))
		return;
	if (!single_task_running()) {
		cpumask_andnot(e->away, e->cpus,
			       cpumask_of(raw_smp_processor_id()));
		if (!cpumask_empty(e->away) &&
		    !set_cpus_allowed_ptr(current, e->away)) {
			e->moved_away = true;
			return;
		}
	}
	set_cpus_allowed_ptr(current, e->cpus);
}

/**
 * vkfd_sdma_settle() - the thread, about to sleep, gets all its CPUs back
 * @e: the engine whose thread calls
 *
 * After vkfd_sdma_leave() moved it off a CPU: that CPU may be the idle
 * one next time.
 *
 * Context: The engine's thread; takes the scheduler's locks.
 */
void vkfd_sdma_settle(struct vkfd_sdma_engine *e)
{
	if (e->moved_away) {
		e->moved_away = false;
		set_cpus_allowed_ptr(current, e->cpus);
	}
}
