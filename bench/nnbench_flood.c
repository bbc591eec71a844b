// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * nnbench - the hostile patterns that flood the engines and the event
 * code. Each process opens its device nodes as root (the render nodes
 * are root's), becomes HOSTILE_UID, sets up, reports, and loops until
 * it is killed:
 *
 *   cpu hogs      CF_PROCS processes that never open vkfd, calling
 *                 sched_yield() in a loop as the copy flood's do while
 *                 their rings are full: what sharing the CPUs costs the
 *                 victim, the reference for the other rows.
 *   idle queues   QF_PROCS processes x QF_SECONDARIES secondaries x
 *                 QF_QUEUES idle queues (1 KiB rings).
 *   queue flood   the same, and in each process QF_RINGING of them
 *                 ringing: a NOP submitted to each, then 100 us of
 *                 sleep, round after round.
 *   copy flood    CF_PROCS processes (primaries), each -q queues (2)
 *                 kept full of 4 MiB COPY_LINEARs, back to back.
 *   event flood   one process (a primary) with EF_EVENTS auto-reset
 *                 signal events; EF_THREADS threads each WAIT_EVENTS
 *                 (any, 10 ms) on EF_IDS ids, the events repeated over
 *                 and over, in a loop; one thread sets them in turn.
 *   fault storm   FS_PROCS processes (primaries), each with FS_EVENTS
 *                 MEMORY events: FS_QUEUES queues made, each given a
 *                 FENCE to an address nothing is mapped at (a GPU page
 *                 fault halts it and signals every MEMORY event), a wait
 *                 on the events, the queues destroyed, in a loop.
 *
 * The counts scale with -s (at least a few of each).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/kfd_ioctl.h>

#include "bench_sys.h"
#include "libvkfd.h"
#include "nnbench.h"

#define QF_PROCS		4
#define QF_SECONDARIES		8
#define QF_QUEUES		32
#define QF_RINGING		4
#define CF_PROCS		3
#define CF_BUF			(8 * MIB)
#define CF_COPY			(4 * MIB)
#define EF_EVENTS		64
#define EF_THREADS		8
#define EF_IDS			16384
#define FS_PROCS		2
#define FS_EVENTS		64
#define FS_QUEUES		4

/* Each queue of a process at its own GPU (and CPU) address. */
#define VA_QUEUES		0x200000000000ull
#define VA_QUEUE(i)		(VA_QUEUES + (uint64_t)(i) * MIB)
#define VA_SRC			0x300000000000ull
#define VA_DST			0x300100000000ull
#define VA_HOLE			0x400000000000ull	/* never mapped */

#define F_GTT_W	(KFD_IOC_ALLOC_MEM_FLAGS_GTT | KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE)

/* Loop until killed; the hostile has nothing more to do. */
static _Noreturn void idle_forever(void)
{
	for (;;)
		pause();
}

/* A context of this process with a VM on the GPU, then HOSTILE_UID. */
static int hostile_ctx(const struct nnbench *nb, bool secondary,
		       struct vkfd_context *ctx, int *render)
{
	int ret;

	ret = secondary ? vkfd_open_secondary(nb->dev, ctx) :
			  vkfd_open_primary(nb->dev, ctx);
	if (ret)
		return ret;
	return vkfd_open_vm(ctx, nb->topology, nb->gpu_id, render);
}

static void queue_flood(const struct nnbench *nb, unsigned int arg, int wfd)
{
	unsigned int nq = nn_scaled(nb, QF_QUEUES, 4), s, i, made = 0;
	struct vkfd_context ctx[QF_SECONDARIES];
	struct vkfd_queue *q;
	int render[QF_SECONDARIES], ret = 0;
	uint32_t dw[4], n;

	q = xcalloc(QF_SECONDARIES * nq, sizeof(*q));
	for (s = 0; s < QF_SECONDARIES && !ret; s++)
		ret = hostile_ctx(nb, true, &ctx[s], &render[s]);
	if (!ret)
		ret = drop_to(HOSTILE_UID);
	for (s = 0; s < QF_SECONDARIES && !ret; s++)
		for (i = 0; i < nq && !ret; i++, made++)
			ret = vkfd_queue_create(&ctx[s], render[s], nb->gpu_id,
						VA_QUEUE(made), 1024, &q[made]);
	if (ret)
		made--;
	hostile_report(wfd, arg, ret, made, 0);
	if (!HOSTILE_EXTRA(arg) || made < QF_RINGING)
		idle_forever();
	n = vkfd_sdma_nop(dw);
	for (;;) {
		/* the queues of different secondaries ring */
		for (i = 0; i < QF_RINGING; i++)
			vkfd_queue_submit(&q[i * made / QF_RINGING], dw, n);
		usleep(100);
	}
}

static void cpu_hog(const struct nnbench *nb, unsigned int arg, int wfd)
{
	(void)nb;
	hostile_report(wfd, arg, 0, 0, 0);
	for (;;)
		sched_yield();
}

static void copy_flood(const struct nnbench *nb, unsigned int arg, int wfd)
{
	struct vkfd_queue q[NN_COPY_QUEUES_MAX];
	struct vkfd_bo src, dst;
	struct vkfd_context ctx;
	uint32_t gpu = nb->gpu_id, dw[8], n;
	unsigned int i, made = 0;
	int render, ret;

	ret = hostile_ctx(nb, false, &ctx, &render);
	if (!ret)
		ret = drop_to(HOSTILE_UID);
	if (!ret)
		ret = vkfd_alloc(&ctx, gpu, VA_SRC, CF_BUF, F_GTT_W, &src);
	if (!ret)
		ret = vkfd_map(&ctx, &src, &gpu, 1);
	if (!ret)
		ret = vkfd_alloc(&ctx, gpu, VA_DST, CF_BUF, F_GTT_W, &dst);
	if (!ret)
		ret = vkfd_map(&ctx, &dst, &gpu, 1);
	for (i = 0; i < nb->copy_queues && !ret; i++, made++)
		ret = vkfd_queue_create(&ctx, render, gpu, VA_QUEUE(i),
					64 * KIB, &q[i]);
	if (ret && made)
		made--;
	hostile_report(wfd, arg, ret, made, 0);
	if (!made)
		idle_forever();
	for (;;) {
		bool full = true;

		for (i = 0; i < made; i++) {
			n = vkfd_sdma_copy_linear(dw, VA_DST + (i & 1) * CF_COPY,
						  VA_SRC + (i & 1) * CF_COPY,
						  CF_COPY);
			if (!vkfd_queue_submit(&q[i], dw, n))
				full = false;
		}
		if (full)
			sched_yield();
	}
}

/**
 * struct ef_thread - one thread of the event flood
 * @ctx: the process's context
 * @ids: the ids it waits on
 * @n: their number
 */
struct ef_thread {
	const struct vkfd_context *ctx;
	const uint32_t *ids;
	uint32_t n;
};

static void *ef_waiter(void *arg)
{
	const struct ef_thread *t = arg;
	uint32_t result;

	for (;;)
		vkfd_event_wait(t->ctx, t->ids, t->n, false, 10, &result);
	return NULL;
}

static void event_flood(const struct nnbench *nb, unsigned int arg, int wfd)
{
	unsigned int nids = nn_scaled(nb, EF_IDS, 1024), i, made = 0;
	uint32_t ev[EF_EVENTS], *ids;
	struct ef_thread t;
	struct vkfd_context ctx;
	pthread_t th;
	int ret;

	ret = vkfd_open_primary(nb->dev, &ctx);
	if (!ret)
		ret = drop_to(HOSTILE_UID);
	for (; made < EF_EVENTS && !ret; made++) {
		struct vkfd_event e;

		ret = vkfd_event_create(&ctx, KFD_IOC_EVENT_SIGNAL, true, 0,
					&e);
		ev[made] = e.id;
	}
	if (ret && made)
		made--;
	if (!made) {
		hostile_report(wfd, arg, ret, 0, 0);
		idle_forever();
	}
	ids = xcalloc(nids, sizeof(*ids));
	for (i = 0; i < nids; i++)
		ids[i] = ev[i % made];
	t = (struct ef_thread){ .ctx = &ctx, .ids = ids, .n = nids };
	for (i = 0; i < EF_THREADS && !ret; i++)
		ret = -pthread_create(&th, NULL, ef_waiter, &t);
	hostile_report(wfd, arg, ret, (unsigned long)i * nids, 0);
	for (i = 0;; i = (i + 1) % made) {
		vkfd_event_set(&ctx, ev[i]);
		usleep(100);
	}
}

static void fault_storm(const struct nnbench *nb, unsigned int arg, int wfd)
{
	struct vkfd_queue q[FS_QUEUES];
	uint32_t ev[FS_EVENTS], dw[8], n, result;
	unsigned int i, nev = 0;
	struct vkfd_context ctx;
	int render, ret;

	ret = hostile_ctx(nb, false, &ctx, &render);
	if (!ret)
		ret = drop_to(HOSTILE_UID);
	for (; nev < FS_EVENTS && !ret; nev++) {
		struct vkfd_event e;

		ret = vkfd_event_create(&ctx, KFD_IOC_EVENT_MEMORY, false, 0,
					&e);
		ev[nev] = e.id;
	}
	if (ret && nev)
		nev--;
	hostile_report(wfd, arg, ret, nev, 0);
	if (ret)
		idle_forever();
	n = vkfd_sdma_fence(dw, VA_HOLE, 1);
	for (;;) {
		unsigned int made;

		for (made = 0; made < FS_QUEUES; made++) {
			if (vkfd_queue_create(&ctx, render, nb->gpu_id,
					      VA_QUEUE(made), 4 * KIB,
					      &q[made]))
				break;
			vkfd_queue_submit(&q[made], dw, n);
		}
		vkfd_event_wait(&ctx, ev, nev, false, 50, &result);
		for (i = 0; i < nev; i++)
			vkfd_event_reset(&ctx, ev[i]);
		for (i = 0; i < made; i++)
			vkfd_queue_destroy(&ctx, &q[i]);
	}
}

void flood_start(const struct nnbench *nb, enum nn_pattern p,
		 struct hostiles *h, int wfd)
{
	unsigned int i;

	switch (p) {
	case NN_CPU_HOGS:
		for (i = 0; i < CF_PROCS; i++)
			hostile_spawn(h, nb, wfd, cpu_hog, 0);
		break;
	case NN_IDLE_QUEUES:
	case NN_QUEUE_FLOOD:
		/* extra: whether some of the queues ring */
		for (i = 0; i < QF_PROCS; i++)
			hostile_spawn(h, nb, wfd, queue_flood,
				      p == NN_QUEUE_FLOOD);
		break;
	case NN_COPY_FLOOD:
		for (i = 0; i < CF_PROCS; i++)
			hostile_spawn(h, nb, wfd, copy_flood, 0);
		break;
	case NN_EVENT_FLOOD:
		hostile_spawn(h, nb, wfd, event_flood, 0);
		break;
	case NN_FAULT_STORM:
		for (i = 0; i < FS_PROCS; i++)
			hostile_spawn(h, nb, wfd, fault_storm, 0);
		break;
	default:
		break;
	}
}

/* The first error a hostile process of @h reported, as text, or "". */
static const char *first_err(const struct hostiles *h)
{
	static char buf[64];
	unsigned int i;

	for (i = 0; i < h->ready; i++) {
		if (h->msg[i].err) {
			snprintf(buf, sizeof(buf), ", set-up stopped by %s",
				 strerror(-h->msg[i].err));
			return buf;
		}
	}
	return "";
}

void flood_note(enum nn_pattern p, struct hostiles *h)
{
	unsigned long sum = 0;
	unsigned int i;

	for (i = 0; i < h->ready; i++)
		sum += h->msg[i].count;
	switch (p) {
	case NN_CPU_HOGS:
		snprintf(h->note, sizeof(h->note),
			 "%u processes calling sched_yield() in a loop, no vkfd",
			 h->n);
		break;
	case NN_IDLE_QUEUES:
		snprintf(h->note, sizeof(h->note),
			 "%u processes x %u secondaries: %lu idle queues%s",
			 h->n, QF_SECONDARIES, sum, first_err(h));
		break;
	case NN_QUEUE_FLOOD:
		snprintf(h->note, sizeof(h->note),
			 "%u processes x %u secondaries: %lu idle queues, "
			 "%u per process ringing (a NOP each every 100 us)%s",
			 h->n, QF_SECONDARIES, sum, QF_RINGING, first_err(h));
		break;
	case NN_COPY_FLOOD:
		snprintf(h->note, sizeof(h->note),
			 "%u processes: %lu queues kept full of 4 MiB "
			 "COPY_LINEARs%s", h->n, sum, first_err(h));
		break;
	case NN_EVENT_FLOOD:
		snprintf(h->note, sizeof(h->note),
			 "%u threads waiting (10 ms, in a loop) on %lu ids in "
			 "all, %u events repeated, one thread setting them%s",
			 EF_THREADS, sum, EF_EVENTS, first_err(h));
		break;
	case NN_FAULT_STORM:
		snprintf(h->note, sizeof(h->note),
			 "%u processes, %lu MEMORY events: %u queues made, "
			 "faulted, destroyed, in a loop%s", h->n, sum,
			 FS_QUEUES, first_err(h));
		break;
	default:
		break;
	}
}
