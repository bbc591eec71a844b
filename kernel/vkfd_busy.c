// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - how busy a GPU's SDMA engines are.
 */

/**
 * DOC: busy percentage
 *
 * An engine thread measures each slice of work it executes (vkfd_sdma.c:
 * from finding a queue with work to releasing its context's mem_lock)
 * and adds the time to its GPU's &vkfd_busy.total. The GPU's
 * gpu_busy_percent file reports the share of the engines' time spent so,
 * 100 meaning every engine executed all the time:
 *
 *   busy ns in an interval * 100 / (interval ns * number of engines)
 *
 * averaged over an interval of at least VKFD_BUSY_WINDOW_NS that ended at
 * most VKFD_BUSY_WINDOW_NS ago. To find one without a timer, the engines
 * sample the total when they add to it and the latest sample is a window
 * old; a reader uses the last two samples if the latest is younger than
 * a window, else the interval from the latest sample to now (the engines
 * were idle since, or they would have sampled). Reading takes no sample,
 * so readers do not disturb each other.
 *
 * Everything takes the time as an argument, so that KUnit can drive it
 * with made-up clocks (kernel/tests/vkfd_busy_test.c).
 */
#include <kunit/visibility.h>
#include <linux/math64.h>
#include <linux/minmax.h>

#include "vkfd_busy.h"

/**
 * vkfd_busy_init() - start the accounting
 * @b: the accounting of one GPU
 * @engines: its number of engines, non-zero
 * @now: the time, ns
 *
 * Context: Any context, before any other use of @b.
 */
void vkfd_busy_init(struct vkfd_busy *b, unsigned int engines, u64 now)
{
	atomic64_set(&b->total, 0);
	b->engines = engines;
	spin_lock_init(&b->lock);
	b->prev = (struct vkfd_busy_sample){ .t = now };
	b->cur = b->prev;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_busy_init);

/**
 * vkfd_busy_add() - account a slice of work
 * @b: the accounting of the engine's GPU
 * @ns: how long the engine executed
 * @now: the time, ns, at the end of the slice
 *
 * Takes a sample if the latest is at least a window old.
 *
 * Context: Any context; takes &vkfd_busy.lock if it samples.
 */
void vkfd_busy_add(struct vkfd_busy *b, u64 ns, u64 now)
{
	u64 total = atomic64_add_return(ns, &b->total);

	/* Cheap test first: most slices take no sample. */
	if (now - READ_ONCE(b->cur.t) < VKFD_BUSY_WINDOW_NS)
		return;
	spin_lock(&b->lock);
	if (now - b->cur.t >= VKFD_BUSY_WINDOW_NS) {
		b->prev = b->cur;
		WRITE_ONCE(b->cur.t, now);
		b->cur.busy = total;
	}
	spin_unlock(&b->lock);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_busy_add);

/**
 * vkfd_busy_percent() - how busy the engines were lately
 * @b: the accounting of one GPU
 * @now: the time, ns
 *
 * Context: Any context; takes &vkfd_busy.lock.
 * Return: 0..100, see the DOC above; 0 if no time has passed since load.
 */
unsigned int vkfd_busy_percent(struct vkfd_busy *b, u64 now)
{
	struct vkfd_busy_sample from, to;

	spin_lock(&b->lock);
	if (now - b->cur.t >= VKFD_BUSY_WINDOW_NS || b->cur.t == b->prev.t) {
		/* No sample for a window (or none yet): up to now. */
		from = b->cur;
		to = (struct vkfd_busy_sample){
			.t = now, .busy = atomic64_read(&b->total),
		};
	} else {
		from = b->prev;
		to = b->cur;
	}
	spin_unlock(&b->lock);

	if (to.t <= from.t)
		return 0;
	/*
	 * A slice is added when it ends, so an interval may see a little
	 * more than its own length of busy time: clamp.
	 */
	return min_t(u64, 100, div64_u64((to.busy - from.busy) * 100,
					 (to.t - from.t) * b->engines));
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_busy_percent);
