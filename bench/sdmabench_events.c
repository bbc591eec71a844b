// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sdmabench - the events phase: vkfd against the real amdkfd in the same
 * guest, through the same library calls on the primary of this process.
 *
 *   CREATE+DESTROY  AMDKFD_IOC_CREATE_EVENT of a signal event (manual
 *                   reset) and AMDKFD_IOC_DESTROY_EVENT of it, as a pair
 *   SET+WAIT        AMDKFD_IOC_SET_EVENT of an auto-reset signal event,
 *                   then AMDKFD_IOC_WAIT_EVENTS on it (which returns at
 *                   once and resets it)
 *
 * One signal event is created first and kept, so that the events page
 * exists before the timing starts on both drivers. Rounds alternate
 * between the drivers, so that the host's changes of speed hit both; the
 * first round warms up and is not recorded. Median per pair, and the
 * ratio vkfd / amdkfd (below 1: vkfd is faster).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <linux/kfd_ioctl.h>

#include "bench_stats.h"
#include "bench_sys.h"
#include "bench_time.h"
#include "libvkfd.h"
#include "sdmabench.h"

#define ROUNDS		11
#define PER_ROUND	200

struct evdev {
	const char *name;
	const char *dev;
	struct vkfd_context ctx;
	struct vkfd_event keep;		/* makes the events page */
	struct vkfd_event autoev;	/* SET+WAIT */
	struct samples create, setwait;
	bool ok;
};

static int evdev_open(struct evdev *d)
{
	int ret;

	ret = vkfd_open_primary(d->dev, &d->ctx);
	if (ret) {
		printf("  %s (%s): open: %s\n", d->name, d->dev, strerror(-ret));
		return ret;
	}
	ret = vkfd_event_create(&d->ctx, KFD_IOC_EVENT_SIGNAL, false, 0,
				&d->keep);
	if (!ret)
		ret = vkfd_event_create(&d->ctx, KFD_IOC_EVENT_SIGNAL, true, 0,
					&d->autoev);
	if (ret) {
		printf("  %s: CREATE_EVENT: %s\n", d->name, strerror(-ret));
		vkfd_close(&d->ctx);
		return ret;
	}
	samples_init(&d->create, ROUNDS * PER_ROUND);
	samples_init(&d->setwait, ROUNDS * PER_ROUND);
	d->ok = true;
	return 0;
}

/* One round of @n pairs of each kind; recorded if @record. */
static int evdev_round(struct evdev *d, unsigned int n, bool record)
{
	struct vkfd_event ev;
	uint32_t result;
	unsigned int i;
	uint64_t t0;
	int ret;

	for (i = 0; i < n; i++) {
		t0 = now_ns();
		ret = vkfd_event_create(&d->ctx, KFD_IOC_EVENT_SIGNAL, false, 0,
					&ev);
		if (!ret)
			ret = vkfd_event_destroy(&d->ctx, ev.id);
		if (ret)
			goto fail;
		if (record)
			samples_add(&d->create, now_ns() - t0);
	}
	for (i = 0; i < n; i++) {
		t0 = now_ns();
		ret = vkfd_event_set(&d->ctx, d->autoev.id);
		if (!ret)
			ret = vkfd_event_wait(&d->ctx, &d->autoev.id, 1, false,
					      1000, &result);
		if (!ret && result != KFD_IOC_WAIT_RESULT_COMPLETE)
			ret = -ETIMEDOUT;
		if (ret)
			goto fail;
		if (record)
			samples_add(&d->setwait, now_ns() - t0);
	}
	return 0;
fail:
	printf("  %s: %s\n", d->name, strerror(-ret));
	return ret;
}

static void evdev_close(struct evdev *d)
{
	if (!d->ok)
		return;
	vkfd_event_destroy(&d->ctx, d->autoev.id);
	vkfd_event_destroy(&d->ctx, d->keep.id);
	vkfd_close(&d->ctx);
	samples_free(&d->create);
	samples_free(&d->setwait);
}

static void row(const char *what, struct samples *v, struct samples *a)
{
	struct summary sv = summarize(v), sa = summarize(a);

	printf("  %-16s %10.2f %10.2f %8.2f\n", what, us(sv.p50), us(sa.p50),
	       sa.p50 > 0 ? sv.p50 / sa.p50 : 0);
}

int events_phase(const struct sdmabench *sb)
{
	unsigned int per = scaled(sb, PER_ROUND, 10), r;
	struct evdev d[2] = {
		{ .name = "vkfd", .dev = sb->dev },
		{ .name = "amdkfd", .dev = sb->amdkfd },
	};
	int failed = 0, i;

	printf("events: vkfd vs amdkfd, us per pair (median of %u after a "
	       "warm-up round), ratio vkfd / amdkfd\n", (ROUNDS - 1) * per);
	if (evdev_open(&d[0]))
		return 1;
	if (evdev_open(&d[1])) {
		printf("  amdkfd is not there: vkfd only\n");
	}
	for (r = 0; r < ROUNDS && !failed; r++)
		for (i = 0; i < 2; i++)
			if (d[i].ok && evdev_round(&d[i], per, r > 0))
				failed = 1;
	if (!failed) {
		printf("  %-16s %10s %10s %8s\n", "", "vkfd", "amdkfd", "ratio");
		row("CREATE+DESTROY", &d[0].create, &d[1].create);
		row("SET+WAIT", &d[0].setwait, &d[1].setwait);
	}
	evdev_close(&d[0]);
	evdev_close(&d[1]);
	printf("\n");
	return failed;
}
