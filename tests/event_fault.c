// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * What the engines signal, in bulk: a fault reaches every MEMORY event of
 * its context at once (the kernel records it for the context, the events
 * apply it when looked at), and a TRAP whose id is no event's sets every
 * signal event whose slot is written, however many there are, the kernel
 * scanning them a batch at a time under its signal lock. These tests
 * check that nothing is missed, waiters included.
 *
 * vkfd only: the amdkfd lane has no GPU.
 */
#include <inttypes.h>
#include <pthread.h>

#include "kselftest_harness.h"
#include "sdma_utils.h"

#define EF_EVENTS	300	/* several of the kernel's batches of 64 */
#define EF_WAITED	100	/* of them, waited on by a thread */
#define EF_FAULT_VA	(S_HOLE_VA + 0x1234)

/* A thread waiting forever for all of @n entries of @data. */
struct ef_waiter {
	pthread_t thread;
	int fd;
	struct kfd_event_data *data;
	uint32_t n;
	int ret;
	uint32_t result;
};

static void *ef_waiter_main(void *arg)
{
	struct ef_waiter *w = arg;
	struct kfd_ioctl_wait_events_args args = {
		.events_ptr = (uintptr_t)w->data,
		.num_events = w->n,
		.wait_for_all = 1,
		.timeout = 0xffffffffu,
	};

	w->ret = ioctl(w->fd, AMDKFD_IOC_WAIT_EVENTS, &args) ? -errno : 0;
	w->result = args.wait_result;
	return NULL;
}

/* WAIT_EVENTS for all of @n entries, timeout 0: the result, or -errno. */
static int ef_look_all(int fd, struct kfd_event_data *data, uint32_t n)
{
	struct kfd_ioctl_wait_events_args args = {
		.events_ptr = (uintptr_t)data,
		.num_events = n,
		.wait_for_all = 1,
	};

	return ioctl(fd, AMDKFD_IOC_WAIT_EVENTS, &args) ? -errno :
							 (int)args.wait_result;
}

/* The context's waiters once there are at least @min (bounded poll). */
static uint64_t ef_waiters_reach(uint64_t min)
{
	struct vkfd_ctx_row row;
	int ms;

	for (ms = 0;; ms++) {
		if (vkfd_ctx_row(getpid(), VKFD_CTX_ID_PRIMARY, &row))
			return UINT64_MAX;
		if (row.waiters >= min || ms >= S_WAIT_MS)
			return row.waiters;
		vkfd_sleep_ms(1);
	}
}

/* Entry @d reports the fault of EF_FAULT_VA on @gpu_id. */
static bool ef_reports_fault(const struct kfd_event_data *d, uint32_t gpu_id)
{
	const struct kfd_hsa_memory_exception_data *m = &d->memory_exception_data;

	return m->va == (EF_FAULT_VA & ~0xfffULL) && m->gpu_id == gpu_id &&
	       m->failure.NotPresent == 1 && m->failure.ReadOnly == 0;
}

/*
 * 300 MEMORY events, the first 100 waited on by a thread, every other one
 * auto-reset: one fault sets them all and each reports it; the thread's
 * wait completes, and the events nobody waited on stay signaled (the
 * auto-reset ones until a wait takes them).
 */
TEST_F_TIMEOUT(sdma, fault_signals_every_memory_event, 120)
{
	struct kfd_event_data *data;
	struct ef_waiter w = { 0 };
	struct vkfd_ctx_row row;
	struct vkfd_event ev;
	struct vkfd_queue q;
	uint32_t dw[8], i, n_auto = 0;
	uint32_t *ids, *auto_ids;

	S_NEED_GPU();
	data = calloc(EF_EVENTS, sizeof(*data));
	ids = calloc(EF_EVENTS, sizeof(*ids));
	auto_ids = calloc(EF_EVENTS, sizeof(*auto_ids));
	ASSERT_NE(NULL, data);
	ASSERT_NE(NULL, ids);
	ASSERT_NE(NULL, auto_ids);
	for (i = 0; i < EF_EVENTS; i++) {
		ASSERT_EQ(0, vkfd_event_create(&self->b.p, KFD_IOC_EVENT_MEMORY,
					       i % 2, 0, &ev));
		data[i].event_id = ev.id;
		ids[i] = ev.id;
		if (i % 2 && i >= EF_WAITED)
			auto_ids[n_auto++] = ev.id;
	}
	w.fd = self->b.p.fd;
	w.data = data;
	w.n = EF_WAITED;
	ASSERT_EQ(0, pthread_create(&w.thread, NULL, ef_waiter_main, &w));
	ASSERT_EQ((uint64_t)EF_WAITED, ef_waiters_reach(EF_WAITED));

	s_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0,
		    S_RING, &q);
	S_SUBMIT(&q, dw, vkfd_sdma_fence(dw, EF_FAULT_VA, 1));
	pthread_join(w.thread, NULL);
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(S_EV_COMPLETE, w.result);
	for (i = 0; i < EF_WAITED; i++)
		EXPECT_TRUE(ef_reports_fault(&data[i], self->b.gpu[0]));
	/* The queue halted at the packet: it faulted once, not again. */
	EXPECT_EQ(1ULL, vkfd_ctx_sysfs_val(&self->b.env, getpid(),
					   VKFD_CTX_ID_PRIMARY,
					   "counters_%u/faults", self->b.gpu[0]));

	/* The 200 nobody waited on are signaled and report the fault */
	for (i = EF_WAITED; i < EF_EVENTS; i++)
		data[i].event_id = ids[i];
	EXPECT_EQ((int)S_EV_COMPLETE, ef_look_all(self->b.p.fd, &data[EF_WAITED],
					     EF_EVENTS - EF_WAITED));
	for (i = EF_WAITED; i < EF_EVENTS; i++)
		EXPECT_TRUE(ef_reports_fault(&data[i], self->b.gpu[0]));
	/* That wait took the auto-reset ones' signals */
	for (i = 0; i < n_auto; i++) {
		struct kfd_event_data one = { .event_id = auto_ids[i] };

		EXPECT_EQ((int)S_EV_TIMEOUT, ef_look_all(self->b.p.fd, &one, 1))
			TH_LOG("event %u; the VM's faults: %" PRIu64, auto_ids[i],
			       vkfd_ctx_sysfs_val(&self->b.env, getpid(),
						  VKFD_CTX_ID_PRIMARY,
						  "counters_%u/faults",
						  self->b.gpu[0]));
	}
	ASSERT_EQ(0, vkfd_ctx_row(getpid(), VKFD_CTX_ID_PRIMARY, &row));
	EXPECT_EQ(0ULL, row.waiters);
	EXPECT_EQ((uint64_t)EF_EVENTS, row.events);
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
	free(auto_ids);
	free(ids);
	free(data);
}

/*
 * 300 signal events on an adopted page, their slots written: a TRAP with
 * id 0 (no event's) sets every one, each slot acknowledged, the thread
 * waiting on 100 of them included; events whose slot was not written
 * stay unsignaled.
 */
TEST_F_TIMEOUT(sdma, trap_without_id_sets_every_written_slot, 120)
{
	struct kfd_event_data *data;
	struct ef_waiter w = { 0 };
	struct vkfd_event ev, quiet;
	struct vkfd_queue q;
	struct s_buf page;
	uint32_t dw[8], i, n;

	S_NEED_GPU();
	data = calloc(EF_EVENTS, sizeof(*data));
	ASSERT_NE(NULL, data);
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], S_EV_VA,
		  KFD_SIGNAL_EVENT_LIMIT * 8, S_GTT_RW, &page);
	for (i = 0; i < EF_EVENTS; i++) {
		ASSERT_EQ(0, vkfd_event_create(&self->b.p, KFD_IOC_EVENT_SIGNAL,
					       false, i ? 0 : page.bo.handle,
					       &ev));
		data[i].event_id = ev.id;
	}
	ASSERT_EQ(0, vkfd_event_create(&self->b.p, KFD_IOC_EVENT_SIGNAL, false,
				       0, &quiet));
	w.fd = self->b.p.fd;
	w.data = data;
	w.n = EF_WAITED;
	ASSERT_EQ(0, pthread_create(&w.thread, NULL, ef_waiter_main, &w));
	ASSERT_EQ((uint64_t)EF_WAITED, ef_waiters_reach(EF_WAITED));

	for (i = 0; i < EF_EVENTS; i++)
		*s_u64(&page, 8 * data[i].event_id) = data[i].event_id;
	s_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0,
		    S_RING, &q);
	n = vkfd_sdma_trap(dw, 0);
	S_SUBMIT(&q, dw, n);
	pthread_join(w.thread, NULL);
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(S_EV_COMPLETE, w.result);
	S_IDLE(&q);
	EXPECT_EQ((int)S_EV_COMPLETE, ef_look_all(self->b.p.fd, data, EF_EVENTS));
	for (i = 0; i < EF_EVENTS; i++)
		EXPECT_EQ(~0ULL, *s_u64(&page, 8 * data[i].event_id));
	{
		struct kfd_event_data one = { .event_id = quiet.id };

		EXPECT_EQ((int)S_EV_TIMEOUT, ef_look_all(self->b.p.fd, &one, 1));
	}
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
	free(data);
}

TEST_HARNESS_MAIN
