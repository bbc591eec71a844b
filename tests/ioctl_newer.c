// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * What newer kfd_ioctl.h headers add to the arguments of ioctls vkfd has,
 * built against the header of the lane's kernel (Linux 7.x's in
 * distro-unstable, KFD 1.23):
 *
 * - 1.14: kfd_event_data.signal_event_data.last_event_age, the event age
 *   a waiter last saw;
 * - 1.17: queue type KFD_IOC_QUEUE_TYPE_SDMA_BY_ENG_ID and
 *   create_queue_args.sdma_engine_id, an SDMA queue on a chosen engine;
 * - 1.22: create_queue_args.metadata_ring_size, the metadata ring of an
 *   AQL queue.
 *
 * vkfd reports KFD 1.5, so ROCm's userspace, which gates these on the
 * version, does not use them. A program that sets them anyway gets what a
 * 1.5 driver gives, and the test pins that down: the new queue type is
 * unknown (ENOTSUPP, as amdkfd before 1.17), the new fields of an SDMA
 * queue are ignored (as amdkfd 1.23 ignores them for that type), an event
 * age is neither honoured nor written back. Built against an older header
 * (every lane but distro-unstable), the tests skip, naming the header.
 */
#include "kselftest_harness.h"
#include "queue_utils.h"
#include "event_utils.h"

#if KFD_IOCTL_MINOR_VERSION >= 22
#define NEWER_QUEUE_FIELDS	1
#else
#define NEWER_QUEUE_FIELDS	0
#endif
#if KFD_IOCTL_MINOR_VERSION >= 14
#define NEWER_EVENT_AGE		1
#else
#define NEWER_EVENT_AGE		0
#endif

#define NEWER_SKIP(have, what)						\
	do {								\
		if (!(have))						\
			SKIP(return, "built against kfd_ioctl.h 1.%d, without %s", \
			     KFD_IOCTL_MINOR_VERSION, what);			\
	} while (0)

/* amdkfd's kernel-internal ENOTSUPP for an unknown queue type */
#define NEWER_ENOTSUPP		524

/* ------------------------------------------------------------------------
 * CREATE_QUEUE: SDMA_BY_ENG_ID, sdma_engine_id, metadata_ring_size
 */

#if NEWER_QUEUE_FIELDS
/* Valid arguments of a queue of @type, with the two new fields set. */
static struct kfd_ioctl_create_queue_args
newer_args(uint32_t gpu_id, uint32_t type, uint32_t engine, uint32_t metadata)
{
	struct kfd_ioctl_create_queue_args a = q_args(gpu_id, type, Q_RING);

	a.sdma_engine_id = engine;
	a.metadata_ring_size = metadata;
	return a;
}
#endif

TEST_F(queue, sdma_by_engine_id_is_unknown)
{
	NEWER_SKIP(NEWER_QUEUE_FIELDS, "sdma_engine_id");
#if NEWER_QUEUE_FIELDS
	struct kfd_ioctl_create_queue_args a;

	Q_NEED_GPUS(1);
	a = newer_args(self->b.gpu[0], KFD_IOC_QUEUE_TYPE_SDMA_BY_ENG_ID, 0, 0);
	test_err_create_queue(NEWER_ENOTSUPP, self->b.p.fd, &a);
	EXPECT_EQ(0, q_sysfs_count(self, self->b.pid, VKFD_CTX_ID_PRIMARY));
#endif
}

TEST_F(queue, sdma_ignores_engine_id_and_metadata)
{
	NEWER_SKIP(NEWER_QUEUE_FIELDS, "sdma_engine_id and metadata_ring_size");
#if NEWER_QUEUE_FIELDS
	struct kfd_ioctl_create_queue_args a;

	Q_NEED_GPUS(1);
	a = newer_args(self->b.gpu[0], KFD_IOC_QUEUE_TYPE_SDMA, 7, 4096);
	test_create_queue(self->b.p.fd, &a);
	EXPECT_EQ(1, q_sysfs_count(self, self->b.pid, VKFD_CTX_ID_PRIMARY));
	/* an SDMA queue as any other: type 1 in sysfs */
	EXPECT_EQ((uint64_t)Q_SYSFS_SDMA, q_sysfs(self, self->b.pid, VKFD_CTX_ID_PRIMARY,
					a.queue_id, "type"));
	test_destroy_queue(self->b.p.fd, a.queue_id);
	EXPECT_EQ(0, q_sysfs_count(self, self->b.pid, VKFD_CTX_ID_PRIMARY));
#endif
}

/* ------------------------------------------------------------------------
 * WAIT_EVENTS: last_event_age
 */

TEST_F(event, last_event_age_not_honoured)
{
	NEWER_SKIP(NEWER_EVENT_AGE, "last_event_age");
#if NEWER_EVENT_AGE
	struct kfd_ioctl_wait_events_args args;
	struct kfd_event_data data;
	int64_t id;

	VKFD_ONLY(&self->b.env, "amdkfd 1.14 wakes a waiter whose age is stale");
	id = ev_signal(&self->b.p, false);
	ASSERT_LE(0, id);
	/*
	 * An age the event never had: amdkfd 1.14 would answer COMPLETE at
	 * once and write the event's age back; vkfd waits as before 1.14.
	 */
	data = (struct kfd_event_data){ .event_id = (uint32_t)id };
	data.signal_event_data.last_event_age = 5;
	ASSERT_EQ(0, _test_ev_wait(self->b.p.fd, &data, 1, false, 0, &args));
	EXPECT_EQ((uint32_t)EV_TIMEOUT, args.wait_result);
	EXPECT_EQ(5ULL, data.signal_event_data.last_event_age);
	/* the event is as it was: unsignaled */
	EXPECT_FALSE(ev_signaled(&self->b.p, (uint32_t)id));
#endif
}

TEST_HARNESS_MAIN
