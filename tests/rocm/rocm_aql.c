// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rocm_aql - Debian's unmodified ROCr 5.2.3 (libhsa-runtime64) running AQL
 * barrier packets, written by hand, on two queues of GPU 0, and an empty
 * kernel dispatch. Prints TAP (rocm_tap.h).
 *
 * The queues come from hsa_queue_create(), so they are made the way ROCr
 * makes every AQL queue (AqlQueue: ring buffer, EOP and CWSR areas, the
 * trap handler, scratch and queue-inactive signal, priority): vkfd must
 * accept all of it. The packets are written as an HSA runtime's user
 * would: reserve an id with hsa_queue_add_write_index_screlease(), write
 * the body, store the header last (release), ring the doorbell with
 * hsa_signal_store_screlease(doorbell_signal, id).
 *
 * Barrier-AND: queue 1 waits for signal S; queue 2's barrier, itself
 * held by a gate signal G that the host opens, decrements S through its
 * completion signal. While G is closed queue 1 must not move (its read
 * index stays, its completion signal stays 1); once the host opens G,
 * the host sleeps in hsa_signal_wait_scacquire(HSA_WAIT_STATE_BLOCKED) on
 * queue 1's completion signal, an interrupt signal, i.e. in the KFD event
 * that vkfd sets from the signal's mailbox (a thread opens G once the
 * host waits; the wait is one call that only the event ends before its
 * timeout). Barrier-OR: queue 1 waits
 * for either of A and B, queue 2 decrements B.
 *
 * Empty dispatch: ROCr 5.2.3's loader only takes an ELF code object with
 * its msgpack metadata note, which only a compiler makes, so the kernel
 * object is written by hand into memory the GPU can read instead, as
 * the loader would have placed it: a kernel descriptor whose
 * kernel_code_entry_byte_offset (byte 16) points at s_endpgm. vkfd
 * completes such a dispatch (docs/aql.rst); its completion signal drops
 * to 0 and the read index moves past it.
 *
 *   rocm_aql [-t SECONDS]
 *     -t SECS   how long one wait may take before it fails (30)
 */
#include <hsa/hsa.h>
#include <hsa/hsa_ext_amd.h>
#include <pthread.h>
#include <unistd.h>

#include "rocm_tap.h"

#define QUEUE_PACKETS	64
#define S_ENDPGM	0xbf810000u
/* Where the code sits in the hand-made kernel object (after a descriptor). */
#define CODE_OFFSET	256

/**
 * struct run - one run of the program
 * @t: the checks
 * @cpu: the CPU agent
 * @gpu: GPU 0's agent
 * @ngpu: GPU agents
 * @kernarg: the CPU's kernarg pool (readable by every GPU)
 * @has_kernarg: @kernarg was found
 * @freq: HSA_SYSTEM_INFO_TIMESTAMP_FREQUENCY
 * @timeout: seconds one wait may take
 * @queue_errors: errors ROCr reported through the queues' callback
 */
struct run {
	struct tap t;
	hsa_agent_t cpu;
	hsa_agent_t gpu;
	unsigned int ngpu;
	hsa_amd_memory_pool_t kernarg;
	bool has_kernarg;
	uint64_t freq;
	double timeout;
	unsigned int queue_errors;
};

static hsa_status_t pool_cb(hsa_amd_memory_pool_t pool, void *data)
{
	struct run *r = data;
	hsa_amd_segment_t seg;
	uint32_t flags = 0;
	bool alloc = false;

	if (r->has_kernarg ||
	    hsa_amd_memory_pool_get_info(pool, HSA_AMD_MEMORY_POOL_INFO_SEGMENT, &seg) ||
	    seg != HSA_AMD_SEGMENT_GLOBAL ||
	    hsa_amd_memory_pool_get_info(pool, HSA_AMD_MEMORY_POOL_INFO_RUNTIME_ALLOC_ALLOWED,
					 &alloc) || !alloc ||
	    hsa_amd_memory_pool_get_info(pool, HSA_AMD_MEMORY_POOL_INFO_GLOBAL_FLAGS, &flags) ||
	    !(flags & HSA_AMD_MEMORY_POOL_GLOBAL_FLAG_KERNARG_INIT))
		return HSA_STATUS_SUCCESS;
	r->kernarg = pool;
	r->has_kernarg = true;
	return HSA_STATUS_SUCCESS;
}

static hsa_status_t agent_cb(hsa_agent_t agent, void *data)
{
	struct run *r = data;
	hsa_device_type_t type;

	if (hsa_agent_get_info(agent, HSA_AGENT_INFO_DEVICE, &type))
		return HSA_STATUS_ERROR;
	if (type == HSA_DEVICE_TYPE_CPU && !r->has_kernarg) {
		r->cpu = agent;
		hsa_amd_agent_iterate_memory_pools(agent, pool_cb, r);
	} else if (type == HSA_DEVICE_TYPE_GPU && !r->ngpu++) {
		r->gpu = agent;
	}
	return HSA_STATUS_SUCCESS;
}

static void queue_error_cb(hsa_status_t status, hsa_queue_t *q, void *data)
{
	struct run *r = data;
	const char *msg = "?";

	hsa_status_string(status, &msg);
	tap_diag("queue %lu: error 0x%x: %s", (unsigned long)q->id, status, msg);
	r->queue_errors++;
}

/*
 * Wait until @sig drops below 1; false after the timeout. One blocked
 * wait: after a short spin ROCr sleeps in the signal's KFD event
 * (hsaKmtWaitOnEvent) for the rest of the timeout, so only the event
 * vkfd sets from the signal's mailbox ends the wait early.
 */
static bool wait_done(struct run *r, hsa_signal_t sig)
{
	return hsa_signal_wait_scacquire(sig, HSA_SIGNAL_CONDITION_LT, 1,
					 (uint64_t)(r->timeout * r->freq),
					 HSA_WAIT_STATE_BLOCKED) < 1;
}

/*
 * Open the gate @arg (a signal) a little later, from a thread of its own,
 * so that the main thread is already asleep in wait_done() by then.
 */
static void *open_gate(void *arg)
{
	hsa_signal_t *g = arg;

	usleep(50 * 1000);
	hsa_signal_store_screlease(*g, 0);
	return NULL;
}

/* Open @g from another thread and wait for @done. */
static bool open_and_wait(struct run *r, hsa_signal_t *g, hsa_signal_t done)
{
	pthread_t th;
	bool ok;

	if (pthread_create(&th, NULL, open_gate, g)) {
		hsa_signal_store_screlease(*g, 0);
		return wait_done(r, done);
	}
	ok = wait_done(r, done);
	pthread_join(th, NULL);
	return ok;
}

/*
 * Wait until @q's read index is @want; false after the timeout. vkfd
 * writes the read index back after the packets it executed, so a waiter
 * woken by a completion signal may look before it moved (docs/aql.rst).
 */
static bool read_index_is(struct run *r, hsa_queue_t *q, uint64_t want)
{
	double end = rocm_now() + r->timeout;

	while (hsa_queue_load_read_index_scacquire(q) != want) {
		if (rocm_now() > end)
			return false;
		usleep(100);
	}
	return true;
}

/*
 * The header of a barrier or dispatch: barrier bit, system-scope acquire
 * and release fences, as ROCr's own barriers carry.
 */
static uint16_t header(hsa_packet_type_t type)
{
	return type << HSA_PACKET_HEADER_TYPE |
	       1 << HSA_PACKET_HEADER_BARRIER |
	       HSA_FENCE_SCOPE_SYSTEM << HSA_PACKET_HEADER_SCACQUIRE_FENCE_SCOPE |
	       HSA_FENCE_SCOPE_SYSTEM << HSA_PACKET_HEADER_SCRELEASE_FENCE_SCOPE;
}

/*
 * Write the 64-byte packet @pkt (its header and setup in the first 32
 * bits) into the next slot of @q, the header last, and ring the
 * doorbell. Returns the packet's id.
 */
static uint64_t submit(hsa_queue_t *q, const void *pkt)
{
	uint64_t id = hsa_queue_add_write_index_screlease(q, 1);
	uint32_t *slot = (uint32_t *)((char *)q->base_address +
				      (id % q->size) * 64);
	uint32_t first;

	memcpy(slot + 1, (const uint32_t *)pkt + 1, 60);
	memcpy(&first, pkt, 4);
	__atomic_store_n(slot, first, __ATOMIC_RELEASE);
	hsa_signal_store_screlease(q->doorbell_signal, id);
	return id;
}

static void barrier_and(hsa_queue_t *q, hsa_signal_t dep, hsa_signal_t done)
{
	hsa_barrier_and_packet_t p = { 0 };

	p.header = header(HSA_PACKET_TYPE_BARRIER_AND);
	p.dep_signal[0] = dep;
	p.completion_signal = done;
	submit(q, &p);
}

static void barrier_or(hsa_queue_t *q, hsa_signal_t dep0, hsa_signal_t dep1,
		       hsa_signal_t done)
{
	hsa_barrier_or_packet_t p = { 0 };

	p.header = header(HSA_PACKET_TYPE_BARRIER_OR);
	p.dep_signal[0] = dep0;
	p.dep_signal[1] = dep1;
	p.completion_signal = done;
	submit(q, &p);
}

/* Is queue 1 still held? Looked at for a tenth of a second. */
static bool held(struct run *r, hsa_queue_t *q, uint64_t read, hsa_signal_t done)
{
	hsa_signal_value_t v;

	v = hsa_signal_wait_scacquire(done, HSA_SIGNAL_CONDITION_LT, 1, r->freq / 10,
				      HSA_WAIT_STATE_BLOCKED);
	return v == 1 && hsa_queue_load_read_index_scacquire(q) == read;
}

static bool make_signals(hsa_signal_t *sig, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (hsa_signal_create(1, 0, NULL, &sig[i]))
			return false;
	return true;
}

static void destroy_signals(hsa_signal_t *sig, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		hsa_signal_destroy(sig[i]);
}

/* Barrier-AND between the queues; false when something hung. */
static bool test_and(struct run *r, hsa_queue_t *q1, hsa_queue_t *q2)
{
	hsa_signal_t sig[3], s, g, c1;
	bool ok;

	if (!tap_check(&r->t, make_signals(sig, 3), "AND: signals S, G, C1 created"))
		return false;
	s = sig[0];
	g = sig[1];
	c1 = sig[2];
	barrier_and(q1, s, c1);
	barrier_and(q2, g, s);
	tap_check(&r->t, held(r, q1, 0, c1) && hsa_signal_load_scacquire(s) == 1 &&
		  hsa_queue_load_read_index_scacquire(q2) == 0,
		  "AND: queue 1 waits for S, queue 2 for G (read indices 0, C1 = S = 1)");
	ok = tap_check(&r->t, open_and_wait(r, &g, c1),
		       "AND: G opened, the host's blocked wait on C1 returns");
	tap_check(&r->t, hsa_signal_load_scacquire(c1) == 0 &&
		  hsa_signal_load_scacquire(s) == 0 && hsa_signal_load_scacquire(g) == 0,
		  "AND: C1 = S = G = 0 (C1 %ld, S %ld)", (long)hsa_signal_load_scacquire(c1),
		  (long)hsa_signal_load_scacquire(s));
	tap_check(&r->t, read_index_is(r, q1, 1) && read_index_is(r, q2, 1),
		  "AND: both read indices are 1 (%lu, %lu)",
		  (unsigned long)hsa_queue_load_read_index_scacquire(q1),
		  (unsigned long)hsa_queue_load_read_index_scacquire(q2));
	destroy_signals(sig, 3);
	return ok;
}

/* Barrier-OR between the queues. */
static bool test_or(struct run *r, hsa_queue_t *q1, hsa_queue_t *q2)
{
	hsa_signal_t sig[4], a, b, g, c1;
	bool ok;

	if (!tap_check(&r->t, make_signals(sig, 4), "OR: signals A, B, G, C1 created"))
		return false;
	a = sig[0];
	b = sig[1];
	g = sig[2];
	c1 = sig[3];
	barrier_or(q1, a, b, c1);
	barrier_or(q2, g, (hsa_signal_t){ 0 }, b);
	tap_check(&r->t, held(r, q1, 1, c1) && hsa_queue_load_read_index_scacquire(q2) == 1,
		  "OR: queue 1 waits for A or B, queue 2 for G (read indices 1, C1 = 1)");
	ok = tap_check(&r->t, open_and_wait(r, &g, c1),
		       "OR: G opened, the host's blocked wait on C1 returns");
	tap_check(&r->t, hsa_signal_load_scacquire(a) == 1 &&
		  hsa_signal_load_scacquire(b) == 0 && hsa_signal_load_scacquire(c1) == 0,
		  "OR: A = 1, B = C1 = 0 (A %ld, B %ld)", (long)hsa_signal_load_scacquire(a),
		  (long)hsa_signal_load_scacquire(b));
	tap_check(&r->t, read_index_is(r, q1, 2) && read_index_is(r, q2, 2),
		  "OR: both read indices are 2 (%lu, %lu)",
		  (unsigned long)hsa_queue_load_read_index_scacquire(q1),
		  (unsigned long)hsa_queue_load_read_index_scacquire(q2));
	destroy_signals(sig, 4);
	return ok;
}

/* A dispatch of a kernel that is only s_endpgm, on queue @q. */
static void test_empty_dispatch(struct run *r, hsa_queue_t *q, uint64_t read)
{
	hsa_kernel_dispatch_packet_t p = { 0 };
	hsa_signal_t done;
	uint32_t *code;
	char *ko = NULL;
	uint64_t id;

	if (!tap_check(&r->t, r->has_kernarg &&
		       !hsa_amd_memory_pool_allocate(r->kernarg, 4096, 0, (void **)&ko) &&
		       !hsa_amd_agents_allow_access(1, &r->gpu, NULL, ko),
		       "dispatch: a kernel object in the kernarg pool, GPU 0 may read it"))
		return;
	memset(ko, 0, 4096);
	/* kernel_code_entry_byte_offset, relative to the kernel object */
	*(int64_t *)(ko + 16) = CODE_OFFSET;
	code = (uint32_t *)(ko + CODE_OFFSET);
	code[0] = S_ENDPGM;
	if (!tap_check(&r->t, make_signals(&done, 1), "dispatch: completion signal created"))
		goto free_ko;
	p.setup = 1 << HSA_KERNEL_DISPATCH_PACKET_SETUP_DIMENSIONS;
	p.workgroup_size_x = 1;
	p.workgroup_size_y = 1;
	p.workgroup_size_z = 1;
	p.grid_size_x = 1;
	p.grid_size_y = 1;
	p.grid_size_z = 1;
	p.kernel_object = (uintptr_t)ko;
	p.completion_signal = done;
	p.header = header(HSA_PACKET_TYPE_KERNEL_DISPATCH);
	id = submit(q, &p);
	tap_check(&r->t, wait_done(r, done), "dispatch: s_endpgm completes (packet %lu)",
		  (unsigned long)id);
	tap_check(&r->t, hsa_signal_load_scacquire(done) == 0 && read_index_is(r, q, read + 1),
		  "dispatch: completion signal 0, read index %lu (%lu)",
		  (unsigned long)(read + 1),
		  (unsigned long)hsa_queue_load_read_index_scacquire(q));
	hsa_signal_destroy(done);
free_ko:
	hsa_amd_memory_pool_free(ko);
}

int main(int argc, char **argv)
{
	struct run r = { .timeout = 30 };
	hsa_queue_t *q1 = NULL, *q2 = NULL;
	bool ok;
	int c;

	while ((c = getopt(argc, argv, "t:")) != -1) {
		switch (c) {
		case 't':
			r.timeout = atof(optarg);
			break;
		default:
			fprintf(stderr, "usage: rocm_aql [-t SECONDS]\n");
			return 2;
		}
	}
	tap_init(&r.t);
	if (!tap_check(&r.t, hsa_init() == HSA_STATUS_SUCCESS, "hsa_init"))
		return tap_done(&r.t);
	hsa_system_get_info(HSA_SYSTEM_INFO_TIMESTAMP_FREQUENCY, &r.freq);
	hsa_iterate_agents(agent_cb, &r);
	if (!tap_check(&r.t, r.ngpu >= 1, "a GPU agent (%u)", r.ngpu))
		goto shut_down;
	tap_check(&r.t, hsa_queue_create(r.gpu, QUEUE_PACKETS, HSA_QUEUE_TYPE_SINGLE,
					 queue_error_cb, &r, UINT32_MAX, UINT32_MAX,
					 &q1) == HSA_STATUS_SUCCESS,
		  "hsa_queue_create: queue 1");
	tap_check(&r.t, hsa_queue_create(r.gpu, QUEUE_PACKETS, HSA_QUEUE_TYPE_SINGLE,
					 queue_error_cb, &r, UINT32_MAX, UINT32_MAX,
					 &q2) == HSA_STATUS_SUCCESS,
		  "hsa_queue_create: queue 2");
	if (!q1 || !q2)
		goto destroy_queues;
	tap_check(&r.t, q1->size == QUEUE_PACKETS && q1->doorbell_signal.handle &&
		  hsa_queue_load_read_index_scacquire(q1) == 0,
		  "queue 1: %u packets, a doorbell signal, read index 0", q1->size);
	ok = test_and(&r, q1, q2) && test_or(&r, q1, q2);
	if (ok)
		test_empty_dispatch(&r, q2, 2);
	tap_check(&r.t, !r.queue_errors, "no queue error reported (%u)", r.queue_errors);
	if (!ok) {
		/* a queue is stuck on a signal: do not tear down under it */
		tap_diag("a barrier did not complete: exiting without hsa_shut_down");
		return tap_done(&r.t);
	}
destroy_queues:
	if (q2)
		tap_check(&r.t, !hsa_queue_destroy(q2), "hsa_queue_destroy: queue 2");
	if (q1)
		tap_check(&r.t, !hsa_queue_destroy(q1), "hsa_queue_destroy: queue 1");
shut_down:
	tap_check(&r.t, hsa_shut_down() == HSA_STATUS_SUCCESS, "hsa_shut_down");
	return tap_done(&r.t);
}
