// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A tenant cannot keep a GPU's engines on its CPU (issue 13):
 *
 *   shared_engine_unpinned
 *			an attacker context rings its idle doorbell slice
 *			from one CPU (the fault wakes the idle engines
 *			there, pinned to it), its queues then wait forever
 *			in a POLL_REGMEM, and threads spinning on that CPU
 *			fill it. Once a victim context's doorbell write
 *			puts its queues on the same engines' ready lists,
 *			no engine thread is held on the attacker's CPU any
 *			more: each may run on all the CPUs it was created
 *			for (/proc/<tid>/status Cpus_allowed_list), before
 *			the victim's work ran, and after its fences landed.
 *
 *   busy_engine_leaves_tenant_cpu
 *			a context's idle doorbell slice rung from one CPU
 *			wakes its engine pinned there, with a long run of
 *			copies to do while the ringing thread keeps that CPU
 *			busy reading the engines' CPU masks. Once the engine
 *			made progress it runs on all its CPUs but that one
 *			(it would otherwise share it with the tenant while
 *			another idles), and gets them all back when it
 *			sleeps after the copies.
 *
 * The state is checked, not the contention: with one CPU (the debug
 * lanes) pinned and free are the same mask and the test still runs the
 * attack. Waits are bounded (a hang is a failure), never judged by time.
 *
 * vkfd only: the amdkfd lane has no GPU.
 */
#include <dirent.h>
#include <pthread.h>
#include <sched.h>

#include "kselftest_harness.h"
#include "sdma_utils.h"

/* Queues per context: round robin puts one of each on both engines. */
#define P_QUEUES	2
/* Threads spinning on the attacker's CPU */
#define P_SPINNERS	2
/* The engines' threads: "vkfd_sdma<gpu>.<engine>" (kernel/vkfd_sdma.c) */
#define P_COMM		"vkfd_sdma"
#define P_MAX_ENGINES	64
/* kthreadd: every kernel thread is created with its CPUs */
#define P_KTHREADD	2

/* Spin on one CPU until told to stop. */
struct p_spin {
	pthread_t thread;
	int cpu;
	volatile bool *stop;
};

static void *p_spin(void *arg)
{
	struct p_spin *s = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(s->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return NULL;
	while (!*s->stop)
		;
	return NULL;
}

/* Cpus_allowed_list of task @pid, "" if unreadable. */
static void p_cpus_allowed(int pid, char *buf, size_t len)
{
	static const char key[] = "Cpus_allowed_list:";
	char path[64], line[256];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, sizeof(key) - 1))
			continue;
		sscanf(line + sizeof(key) - 1, " %255s", buf);
		buf[len - 1] = '\0';
		break;
	}
	fclose(f);
}

/* The pids of the engines' threads, at most @max: how many. */
static unsigned int p_engines(int *pids, unsigned int max)
{
	char path[64], comm[64];
	unsigned int n = 0;
	struct dirent *d;
	DIR *dir;
	FILE *f;

	dir = opendir("/proc");
	if (!dir)
		return 0;
	while (n < max && (d = readdir(dir))) {
		int pid = atoi(d->d_name);

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) &&
		    !strncmp(comm, P_COMM, sizeof(P_COMM) - 1))
			pids[n++] = pid;
		fclose(f);
	}
	closedir(dir);
	return n;
}

/* The engine threads that may not run on every CPU of @all: how many. */
static unsigned int p_held(const int *pids, unsigned int n, const char *all,
			   char *held, size_t len)
{
	unsigned int i, count = 0;
	char cpus[256];

	for (i = 0; i < n; i++) {
		p_cpus_allowed(pids[i], cpus, sizeof(cpus));
		if (strcmp(cpus, all)) {
			snprintf(held, len, "pid %d on %s", pids[i], cpus);
			count++;
		}
	}
	return count;
}

/* VKFD_TEST_OP_SDMA_QUERY's ready groups of the context of @fd, or -1. */
static int p_ready(FIXTURE_DATA(sdma) *self, int fd)
{
	struct vkfd_test_cmd cmd = { .op = VKFD_TEST_OP_SDMA_QUERY };

	cmd.sdma_query.pid = self->b.pid;
	cmd.sdma_query.ctx_id = vkfd_ctx_id_of_fd(fd);
	if (vkfd_hooks_cmd(&cmd))
		return -1;
	return (int)cmd.sdma_query.ready;
}

/*
 * Wait until no group of the context of @fd is on a ready list: its
 * doorbell slice is armed, its next doorbell write faults.
 */
static bool p_armed(FIXTURE_DATA(sdma) *self, int fd)
{
	uint64_t end = vkfd_now_ms() + S_WAIT_MS;
	int ready;

	while ((ready = p_ready(self, fd)) > 0 && vkfd_now_ms() < end)
		vkfd_sleep_ms(1);
	return !ready;
}

/* Put @n dwords in @q's ring, without ringing its doorbell. */
static void p_put(struct vkfd_queue *q, const uint32_t *dw, uint32_t n)
{
	uint64_t dwords = q->ring_size / sizeof(*dw);
	uint64_t start = q->wptr / sizeof(*dw), i;

	for (i = 0; i < n; i++)
		q->ring[(start + i) & (dwords - 1)] = dw[i];
	q->wptr += (uint64_t)n * sizeof(*dw);
}

/* Ring @q's doorbell with what p_put() wrote. */
static void p_ring(struct vkfd_queue *q)
{
	__atomic_store_n(q->doorbell, q->wptr, __ATOMIC_RELEASE);
}

static int p_on_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

TEST_F_TIMEOUT(sdma, shared_engine_unpinned, 300)
{
	struct vkfd_queue aq[P_QUEUES], vq[P_QUEUES];
	struct p_spin spin[P_SPINNERS];
	char all[256], held[320] = "";
	volatile bool stop = false;
	int pids[P_MAX_ENGINES];
	uint32_t dw[16], n, i;
	struct vkfd_context a;
	unsigned int engines;
	struct s_buf ab, vb;
	cpu_set_t mine;
	int render, cpu;

	S_NEED_GPU();
	engines = p_engines(pids, P_MAX_ENGINES);
	ASSERT_LT(0U, engines);
	p_cpus_allowed(P_KTHREADD, all, sizeof(all));
	ASSERT_NE('\0', all[0]);
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(mine), &mine));
	for (cpu = 0; !CPU_ISSET(cpu, &mine); cpu++)
		;
	TH_LOG("%u engine threads, created for CPUs %s; the attacker on CPU %d",
	       engines, all, cpu);

	/* The attacker: a secondary, its queues parked on a poll forever */
	ASSERT_EQ(0, vkfd_secondary_vm(&self->b.env, self->b.gpu[0], &a,
				       &render));
	s_buf_new(_metadata, &a, render, self->b.gpu[0], S_BUF_VA, S_PAGE,
		  S_GTT_RW, &ab);
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA, S_PAGE, S_GTT_RW, &vb);
	/* In this order, each engine gets one queue of each context. */
	for (i = 0; i < P_QUEUES; i++)
		s_queue_new(_metadata, &a, render, self->b.gpu[0], i, S_RING,
			    &aq[i]);
	for (i = 0; i < P_QUEUES; i++)
		s_queue_new(_metadata, &self->b.p, self->b.render,
			    self->b.gpu[0], P_QUEUES + i, S_RING, &vq[i]);
	/* Both slices idle: the engines asleep, the next writes fault. */
	ASSERT_TRUE(p_armed(self, a.fd));
	ASSERT_TRUE(p_armed(self, self->b.p.fd));

	/* The attack, from its CPU, filled with spinning threads */
	ASSERT_EQ(0, p_on_cpu(cpu));
	for (i = 0; i < P_SPINNERS; i++) {
		spin[i] = (struct p_spin){ .cpu = cpu, .stop = &stop };
		ASSERT_EQ(0, pthread_create(&spin[i].thread, NULL, p_spin,
					    &spin[i]));
	}
	n = vkfd_sdma_pkt_poll(dw, S_BUF_VA, VKFD_SDMA_POLL_FUNC_EQUAL, 1, ~0U,
			       1, VKFD_SDMA_POLL_RETRY_FOREVER);
	for (i = 0; i < P_QUEUES; i++)
		p_put(&aq[i], dw, n);
	/* The first write faults: the engines wake, pinned to this CPU. */
	for (i = 0; i < P_QUEUES; i++)
		p_ring(&aq[i]);

	/*
	 * The victim: a poll it releases itself, then a fence, so that its
	 * groups are ready and the engines made no progress yet.
	 */
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(mine), &mine));
	for (i = 0; i < P_QUEUES; i++) {
		n = vkfd_sdma_pkt_poll(dw, S_BUF_VA, VKFD_SDMA_POLL_FUNC_EQUAL,
				       1, ~0U, 100,
				       VKFD_SDMA_POLL_RETRY_FOREVER);
		n += vkfd_sdma_fence(dw + n, S_BUF_VA + 4 * (i + 1), 1);
		p_put(&vq[i], dw, n);
	}
	for (i = 0; i < P_QUEUES; i++)
		p_ring(&vq[i]);
	EXPECT_EQ(0U, p_held(pids, engines, all, held, sizeof(held)))
		TH_LOG("victim ready, an engine still held: %s", held);

	/* Released: the fences land, and the engines stay free. */
	__atomic_store_n(s_u32(&vb, 0), 1U, __ATOMIC_RELEASE);
	for (i = 0; i < P_QUEUES; i++)
		EXPECT_TRUE(s_wait_u32(s_u32(&vb, 4 * (i + 1)), 1))
			TH_LOG("fence %u", i);
	EXPECT_EQ(0U, p_held(pids, engines, all, held, sizeof(held)))
		TH_LOG("fences written, an engine still held: %s", held);

	stop = true;
	for (i = 0; i < P_SPINNERS; i++)
		pthread_join(spin[i].thread, NULL);
	/* The attacker's queues still wait: never polled true */
	for (i = 0; i < P_QUEUES; i++) {
		EXPECT_EQ(0U, s_rptr(&aq[i]));
		EXPECT_EQ(0, vkfd_queue_destroy(&a, &aq[i]));
		S_IDLE(&vq[i]);
		EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &vq[i]));
	}
	EXPECT_EQ(0ULL, S_FAULTS(a.fd));
	EXPECT_EQ(0ULL, S_FAULTS(self->b.p.fd));
	EXPECT_EQ(0, vkfd_close(&a));
	close(render);
}

/* The CPUs of a Cpus_allowed_list ("0-2,5") in @set: how many, 0 if bad. */
static int p_cpu_list(const char *list, cpu_set_t *set)
{
	const char *p = list;
	char *end;

	CPU_ZERO(set);
	while (*p) {
		long lo = strtol(p, &end, 10), hi = lo;

		if (end == p || lo < 0 || lo >= CPU_SETSIZE)
			return 0;
		if (*end == '-') {
			p = end + 1;
			hi = strtol(p, &end, 10);
			if (end == p || hi < lo || hi >= CPU_SETSIZE)
				return 0;
		}
		for (; lo <= hi; lo++)
			CPU_SET(lo, set);
		if (*end == ',')
			end++;
		else if (*end)
			return 0;
		p = end;
	}
	return CPU_COUNT(set);
}

/* Whether an engine thread may run on every CPU of @all but @cpu. */
static bool p_away(const int *pids, unsigned int n, const cpu_set_t *all,
		   int cpu)
{
	cpu_set_t want, got;
	char cpus[256];
	unsigned int i;

	CPU_ZERO(&want);
	CPU_OR(&want, &want, all);
	CPU_CLR(cpu, &want);
	for (i = 0; i < n; i++) {
		p_cpus_allowed(pids[i], cpus, sizeof(cpus));
		if (p_cpu_list(cpus, &got) && CPU_EQUAL(&got, &want))
			return true;
	}
	return false;
}

/* Copies per batch: 400 MiB, a long run for a TCG guest's engine. */
#define P_COPIES	100
#define P_COPY		(4ULL << 20)
/* Batches at most: each is a new chance for the reader to see the move */
#define P_BATCHES	5
/* A batch's bound, not an expectation (a debug guest copies it in 2 s) */
#define P_BATCH_MS	(6 * S_WAIT_MS)

TEST_F_TIMEOUT(sdma, busy_engine_leaves_tenant_cpu, 600)
{
	uint32_t dw[P_COPIES * VKFD_SDMA_COPY_LINEAR_DW + VKFD_SDMA_FENCE_DW];
	uint32_t n, batch, i;
	int pids[P_MAX_ENGINES], cpu, ncpus;
	char all[256], held[320] = "";
	struct s_buf src, dst, fence;
	unsigned int engines;
	struct vkfd_queue q;
	cpu_set_t mine, set;
	bool seen = false;
	uint64_t end;

	S_NEED_GPU();
	engines = p_engines(pids, P_MAX_ENGINES);
	ASSERT_LT(0U, engines);
	p_cpus_allowed(P_KTHREADD, all, sizeof(all));
	ncpus = p_cpu_list(all, &set);
	ASSERT_LT(0, ncpus) TH_LOG("kthreadd's CPUs: \"%s\"", all);
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(mine), &mine));
	for (cpu = 0; !CPU_ISSET(cpu, &mine); cpu++)
		;
	TH_LOG("%u engine threads, created for CPUs %s; the tenant on CPU %d",
	       engines, all, cpu);

	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA, P_COPY, S_GTT_RW, &src);
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA + P_COPY, P_COPY, S_GTT_RW, &dst);
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA + 2 * P_COPY, S_PAGE, S_GTT_RW, &fence);
	s_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0,
		    S_RING, &q);
	ASSERT_EQ(0, p_on_cpu(cpu));

	for (batch = 1; batch <= P_BATCHES && !seen; batch++) {
		/* Idle: the engine asleep, the next doorbell write faults. */
		ASSERT_TRUE(p_armed(self, self->b.p.fd));
		n = 0;
		for (i = 0; i < P_COPIES; i++)
			n += vkfd_sdma_copy_linear(dw + n, S_BUF_VA + P_COPY,
						   S_BUF_VA, P_COPY);
		n += vkfd_sdma_fence(dw + n, S_BUF_VA + 2 * P_COPY, batch);
		p_put(&q, dw, n);
		p_ring(&q);
		/* This thread keeps the CPU busy until the fence lands. */
		end = vkfd_now_ms() + P_BATCH_MS;
		while (__atomic_load_n(s_u32(&fence, 0), __ATOMIC_ACQUIRE) !=
		       batch) {
			ASSERT_LT(vkfd_now_ms(), end)
				TH_LOG("batch %u: no fence in %u ms", batch,
				       P_BATCH_MS);
			seen |= p_away(pids, engines, &set, cpu);
		}
		/* One CPU: nowhere else to go, one batch shows it. */
		if (ncpus == 1)
			break;
	}
	if (ncpus > 1) {
		EXPECT_TRUE(seen) TH_LOG("no engine left CPU %d in %u batches",
					 cpu, P_BATCHES);
	} else {
		EXPECT_FALSE(seen);
	}

	/* Asleep again (it goes to sleep after the arming), on all its CPUs */
	ASSERT_TRUE(p_armed(self, self->b.p.fd));
	end = vkfd_now_ms() + S_WAIT_MS;
	while (p_held(pids, engines, all, held, sizeof(held)) &&
	       vkfd_now_ms() < end)
		vkfd_sleep_ms(1);
	EXPECT_EQ(0U, p_held(pids, engines, all, held, sizeof(held)))
		TH_LOG("idle, an engine still held: %s", held);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(mine), &mine));
	S_IDLE(&q);
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
	EXPECT_EQ(0ULL, S_FAULTS(self->b.p.fd));
}

TEST_HARNESS_MAIN
