// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The isolation attack matrix. Four contexts: this process's primary, two
 * of its secondaries, and the primary of another process. Each holds a
 * secret at GPU addresses of its own, which no other context maps. For
 * every ordered pair (attacker, victim) and every SDMA packet, PM4 packet
 * (on a COMPUTE queue) and AQL packet (on a COMPUTE_AQL queue) that reads
 * or writes memory, the attacker's queue names the victim's secret:
 *
 *   - 100 % of the attempts fault: the attacker's MEMORY event reports
 *     exactly that page, its counters_<gpuid>/faults goes up by one, and
 *     its queue halts (the queue type's fence after the packet - an SDMA
 *     FENCE, a PM4 WRITE_DATA, an AQL completion signal - is never
 *     written);
 *   - not one byte leaks: the attacker's landing buffer is untouched,
 *     the packets that compare with the victim's secret (POLL_REGMEM,
 *     WAIT_REG_MEM, COND_WRITE, the AQL barriers) never get past, the
 *     victim's secret is unchanged;
 *   - the victim keeps working: no event and no fault of its own, and its
 *     own queue copies its secret correctly afterwards.
 *
 * Then: one GPU address mapped in all four contexts to four buffers, and
 * each context sees and writes only its own. One line per matrix sums it
 * up as a TAP comment. vkfd only: amdkfd without a GPU has no queue to
 * run packets on.
 */
#include "kselftest_harness.h"
#include "vkfd_utils.h"
#include "attack_utils.h"
#include "attack_cq.h"

/*
 * Attempts per (attacker, victim) pair and packet: both pages of the
 * secret, 8 offsets in each; the debug lane does fewer, at least 2.
 */
#define ATK_ATTEMPTS	16
/*
 * The compute queue kinds: 2 attempts, both pages of the secret once.
 * Which page and offset is named goes through the same VM walk for every
 * packet (the engines share vkfd_vm_access.c); the SDMA kinds sweep the
 * offsets, and a compute attack costs a queue of its own and its
 * teardown, which the debug lane pays 17 times more for these kinds.
 */
#define ATK_CQ_ATTEMPTS	2

/* ------------------------------------------------------------------------
 * The other process's actor, driven over pipes.
 */

enum atk_op { OP_ATTACK = 1, OP_CHECK, OP_SHARED_RUN, OP_SHARED_VERIFY };

struct atk_req {
	uint32_t op;
	uint32_t kind;
	uint64_t target;
	uint64_t target_off;
	uint32_t seed;
	uint32_t pad;
};

struct atk_resp {
	int32_t ret;
	uint32_t ctx_id;	/* the ready message: who it is */
	int32_t pid;
	uint32_t seed;
	char where[64];
	struct atk_result r;
	struct atk_check c;
	bool flag;
};

static int atk_full_read(int fd, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, (char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

static int atk_full_write(int fd, const void *buf, size_t len)
{
	return write(fd, buf, len) == (ssize_t)len ? 0 : -1;
}

struct atk_child_arg {
	const struct vkfd_base *b;
	int idx;
};

static void atk_resp_where(struct atk_resp *resp, const struct atk_actor *a)
{
	snprintf(resp->where, sizeof(resp->where), "%s",
		 a->where ? a->where : "");
}

/* The other process: its primary is an actor; serve requests until EOF. */
static int atk_child(void *arg, int in, int out)
{
	const struct atk_child_arg *ca = arg;
	struct atk_resp resp = { 0 };
	struct atk_actor a;
	struct atk_req req;

	resp.ret = atk_actor_init(&a, ca->b, "other process", ca->idx, false);
	resp.ctx_id = a.ctx_id;
	resp.pid = getpid();
	resp.seed = a.seed;
	atk_resp_where(&resp, &a);
	if (atk_full_write(out, &resp, sizeof(resp)) || resp.ret)
		goto out;
	while (!atk_full_read(in, &req, sizeof(req))) {
		memset(&resp, 0, sizeof(resp));
		a.where = NULL;
		switch (req.op) {
		case OP_ATTACK:
			resp.ret = atk_attack_kind(&a, req.kind, req.target,
						   req.target_off, req.seed,
						   &resp.r);
			break;
		case OP_CHECK:
			resp.ret = atk_victim_check(&a, &resp.c);
			break;
		case OP_SHARED_RUN:
			resp.ret = atk_shared_run(&a, &resp.flag);
			break;
		case OP_SHARED_VERIFY:
			resp.flag = atk_shared_verify(&a);
			break;
		default:
			resp.ret = -EINVAL;
		}
		atk_resp_where(&resp, &a);
		if (atk_full_write(out, &resp, sizeof(resp)))
			break;
	}
out:
	atk_actor_fini(&a);
	return 0;
}

/*
 * An actor as the test sees it: here (@local) or in the other process
 * (@child), with what the test needs to know of it either way.
 */
struct atk_peer {
	const char *name;
	int idx;
	uint32_t seed;
	uint32_t ctx_id;
	pid_t pid;
	struct atk_actor *local;
	struct vkfd_child *child;
	char where[64];
};

static int atk_rpc(struct atk_peer *p, const struct atk_req *req,
		   struct atk_resp *resp)
{
	if (atk_full_write(p->child->to_child, req, sizeof(*req)) ||
	    atk_full_read(p->child->from_child, resp, sizeof(*resp))) {
		snprintf(p->where, sizeof(p->where), "the other process is gone");
		return -EPIPE;
	}
	snprintf(p->where, sizeof(p->where), "%s", resp->where);
	return resp->ret;
}

static int peer_attack(struct atk_peer *p, enum atk_kind kind, uint64_t target,
		       uint64_t target_off, uint32_t seed, struct atk_result *r)
{
	struct atk_req req = { .op = OP_ATTACK, .kind = kind, .target = target,
			       .target_off = target_off, .seed = seed };
	struct atk_resp resp;
	int ret;

	if (p->local) {
		ret = atk_attack_kind(p->local, kind, target, target_off, seed,
				      r);
		snprintf(p->where, sizeof(p->where), "%s",
			 p->local->where ? p->local->where : "");
		return ret;
	}
	ret = atk_rpc(p, &req, &resp);
	*r = resp.r;
	return ret;
}

static int peer_check(struct atk_peer *p, struct atk_check *c)
{
	struct atk_req req = { .op = OP_CHECK };
	struct atk_resp resp;
	int ret;

	if (p->local) {
		ret = atk_victim_check(p->local, c);
		snprintf(p->where, sizeof(p->where), "%s",
			 p->local->where ? p->local->where : "");
		return ret;
	}
	ret = atk_rpc(p, &req, &resp);
	*c = resp.c;
	return ret;
}

static int peer_shared(struct atk_peer *p, bool verify, bool *flag)
{
	struct atk_req req = { .op = verify ? OP_SHARED_VERIFY : OP_SHARED_RUN };
	struct atk_resp resp;
	int ret;

	if (p->local) {
		if (verify) {
			*flag = atk_shared_verify(p->local);
			return 0;
		}
		return atk_shared_run(p->local, flag);
	}
	ret = atk_rpc(p, &req, &resp);
	*flag = resp.flag;
	return ret;
}

/* ------------------------------------------------------------------------
 * Fixtures: the four actors, set up for each test.
 */

struct atk_fixture {
	struct vkfd_base b;	/* its child is the other process */
	struct atk_actor actor[ATK_ACTORS - 1];
	struct atk_child_arg child_arg;
	struct atk_peer peer[ATK_ACTORS];
	int npeers;
};

static void atk_fixture_setup(struct __test_metadata *_metadata,
			      struct atk_fixture *self)
{
	static const char *const names[] = { "primary", "secondary 0",
					     "secondary 1" };
	struct atk_resp ready;
	int i, ret;

	for (i = 0; i < ATK_ACTORS - 1; i++)
		atk_actor_zero(&self->actor[i]);
	vkfd_base_setup(&self->b, 0);
	VKFD_SETUP_NEED_GPU(&self->b, "no GPU, no SDMA queue to attack from");

	/* The other process first, so it inherits none of our contexts. */
	self->child_arg.b = &self->b;
	self->child_arg.idx = ATK_ACTORS - 1;
	ASSERT_EQ(0, vkfd_child_start(&self->b.child, atk_child, &self->child_arg));
	ASSERT_EQ(0, atk_full_read(self->b.child.from_child, &ready, sizeof(ready)))
		TH_LOG("the other process died while setting up");
	ASSERT_EQ(0, ready.ret) TH_LOG("other process: %s: %s", ready.where,
				      strerror(-ready.ret));

	for (i = 0; i < ATK_ACTORS - 1; i++) {
		struct atk_actor *a = &self->actor[i];

		ret = atk_actor_init(a, &self->b, names[i], i, i > 0);
		ASSERT_EQ(0, ret) TH_LOG("%s: %s: %s", names[i], a->where,
					 strerror(-ret));
		self->peer[i] = (struct atk_peer){
			.name = a->name, .idx = i, .seed = a->seed,
			.ctx_id = a->ctx_id, .pid = a->pid, .local = a,
		};
	}
	self->peer[i] = (struct atk_peer){
		.name = "other process", .idx = i, .seed = ready.seed,
		.ctx_id = ready.ctx_id, .pid = ready.pid, .child = &self->b.child,
	};
	self->npeers = ATK_ACTORS;
}

static void atk_fixture_teardown(struct atk_fixture *self)
{
	int i;

	for (i = 0; i < ATK_ACTORS - 1; i++)
		atk_actor_fini(&self->actor[i]);
	/* EOF on its pipe ends the other process; it cleans up itself. */
	vkfd_child_wait(&self->b.child);
	vkfd_base_teardown(&self->b);
}

/* The matrices: a variant per packet. */
FIXTURE(attack) {
	struct atk_fixture f;
};

FIXTURE_VARIANT(attack) {
	enum atk_kind kind;
};

FIXTURE_VARIANT_ADD(attack, copy_src) { .kind = ATK_COPY_SRC };
FIXTURE_VARIANT_ADD(attack, copy_dst) { .kind = ATK_COPY_DST };
FIXTURE_VARIANT_ADD(attack, write_linear) { .kind = ATK_WRITE };
FIXTURE_VARIANT_ADD(attack, const_fill) { .kind = ATK_FILL };
FIXTURE_VARIANT_ADD(attack, fence) { .kind = ATK_FENCE };
FIXTURE_VARIANT_ADD(attack, timestamp) { .kind = ATK_TIMESTAMP };
FIXTURE_VARIANT_ADD(attack, poll_regmem) { .kind = ATK_POLL };
FIXTURE_VARIANT_ADD(attack, atomic) { .kind = ATK_ATOMIC };
FIXTURE_VARIANT_ADD(attack, rect_src) { .kind = ATK_RECT_SRC };
FIXTURE_VARIANT_ADD(attack, rect_dst) { .kind = ATK_RECT_DST };
FIXTURE_VARIANT_ADD(attack, pm4_write_data) { .kind = ATK_PM4_WRITE_DATA };
FIXTURE_VARIANT_ADD(attack, pm4_release_mem32) { .kind = ATK_PM4_RELEASE_MEM32 };
FIXTURE_VARIANT_ADD(attack, pm4_release_mem64) { .kind = ATK_PM4_RELEASE_MEM64 };
FIXTURE_VARIANT_ADD(attack, pm4_release_clock) { .kind = ATK_PM4_RELEASE_CLOCK };
FIXTURE_VARIANT_ADD(attack, pm4_wait_mem) { .kind = ATK_PM4_WAIT_MEM };
FIXTURE_VARIANT_ADD(attack, pm4_wait_mem64) { .kind = ATK_PM4_WAIT_MEM64 };
FIXTURE_VARIANT_ADD(attack, pm4_ib) { .kind = ATK_PM4_IB };
FIXTURE_VARIANT_ADD(attack, pm4_query_status) { .kind = ATK_PM4_QUERY_STATUS };
FIXTURE_VARIANT_ADD(attack, pm4_copy_data_src) { .kind = ATK_PM4_COPY_SRC };
FIXTURE_VARIANT_ADD(attack, pm4_copy_data_dst) { .kind = ATK_PM4_COPY_DST };
FIXTURE_VARIANT_ADD(attack, pm4_atomic_mem) { .kind = ATK_PM4_ATOMIC_MEM };
FIXTURE_VARIANT_ADD(attack, pm4_dma_data_src) { .kind = ATK_PM4_DMA_SRC };
FIXTURE_VARIANT_ADD(attack, pm4_dma_data_dst) { .kind = ATK_PM4_DMA_DST };
FIXTURE_VARIANT_ADD(attack, pm4_cond_write_poll) { .kind = ATK_PM4_COND_POLL };
FIXTURE_VARIANT_ADD(attack, pm4_cond_write_dst) { .kind = ATK_PM4_COND_WRITE };
FIXTURE_VARIANT_ADD(attack, aql_and_dep) { .kind = ATK_AQL_AND_DEP };
FIXTURE_VARIANT_ADD(attack, aql_or_dep) { .kind = ATK_AQL_OR_DEP };
FIXTURE_VARIANT_ADD(attack, aql_barrier_value) { .kind = ATK_AQL_BARRIER_VALUE };
FIXTURE_VARIANT_ADD(attack, aql_completion) { .kind = ATK_AQL_COMPLETION };
FIXTURE_VARIANT_ADD(attack, aql_mailbox) { .kind = ATK_AQL_MAILBOX };
FIXTURE_VARIANT_ADD(attack, aql_kernel_object) { .kind = ATK_AQL_KOBJ };
FIXTURE_VARIANT_ADD(attack, aql_kernel_code) { .kind = ATK_AQL_CODE };

FIXTURE_SETUP(attack)
{
	atk_fixture_setup(_metadata, &self->f);
}

FIXTURE_TEARDOWN(attack)
{
	atk_fixture_teardown(&self->f);
}

/* One GPU address in every context, whatever the packet. */
FIXTURE(attack_va) {
	struct atk_fixture f;
};

FIXTURE_SETUP(attack_va)
{
	atk_fixture_setup(_metadata, &self->f);
}

FIXTURE_TEARDOWN(attack_va)
{
	atk_fixture_teardown(&self->f);
}

/* @va is not mapped in @p's VM (the test hooks walk its page table). */
static int atk_unmapped_in(const struct atk_peer *p, uint32_t gpu_id,
			   uint64_t va, bool *unmapped)
{
	struct vkfd_xlate x;
	int ret;

	ret = vkfd_translate(p->pid, p->ctx_id, gpu_id, va, &x);
	if (!ret)
		*unmapped = !x.mapped;
	return ret;
}

/*
 * The matrix of the variant's packet: every ordered pair, ATK_ATTEMPTS
 * attempts each, at varying offsets in both pages of the secret.
 */
TEST_F(attack, matrix)
{
	enum atk_kind kind = variant->kind;
	int attempts = vkfd_scaled(ATK_ATTEMPTS) < 2 ? 2 :
		       vkfd_scaled(ATK_ATTEMPTS);
	uint64_t tries = 0, faults = 0, exact = 0, leaked = 0, changed = 0;
	uint64_t halted = 0, counted = 0, victims_ok = 0, pairs = 0;
	uint32_t gpu_id = self->f.actor[0].gpu_id;
	int ai, vi, j;

	if (atk_kind_queue_type(kind) != KFD_IOC_QUEUE_TYPE_SDMA)
		attempts = ATK_CQ_ATTEMPTS;
	for (ai = 0; ai < self->f.npeers; ai++) {
		for (vi = 0; vi < self->f.npeers; vi++) {
			struct atk_peer *att = &self->f.peer[ai];
			struct atk_peer *vic = &self->f.peer[vi];
			struct atk_check c;
			bool unmapped = false;
			int ret;

			if (ai == vi)
				continue;
			pairs++;
			ASSERT_EQ(0, atk_unmapped_in(att, gpu_id,
						     atk_secret_va(vic->idx),
						     &unmapped));
			ASSERT_TRUE(unmapped) TH_LOG("%s maps %s's secret",
						     att->name, vic->name);
			for (j = 0; j < attempts; j++) {
				/* both pages, 512-byte steps: 8-byte aligned */
				uint64_t off = (j & 1) * ATK_PAGE +
					       ((j >> 1) & 7) * 0x200;
				uint64_t target = atk_secret_va(vic->idx) + off;
				struct atk_result r;

				ret = peer_attack(att, kind, target, off,
						  vic->seed, &r);
				ASSERT_EQ(0, ret) TH_LOG("%s: %s: %s", att->name,
							 att->where,
							 strerror(-ret));
				tries++;
				faults += r.faulted;
				exact += r.faulted &&
					 r.fault.va == (target & ~(ATK_PAGE - 1)) &&
					 r.fault.gpu_id == gpu_id &&
					 r.fault.not_present;
				halted += !r.fence_written;
				counted += r.counter == 1;
				leaked += r.leaked;
				changed += r.changed;
				EXPECT_TRUE(r.faulted)
					TH_LOG("%s -> %s, %s at 0x%llx: no fault",
					       att->name, vic->name,
					       atk_kind_name(kind),
					       (unsigned long long)target);
				EXPECT_EQ(target & ~(ATK_PAGE - 1), r.fault.va)
					TH_LOG("%s -> %s: fault address",
					       att->name, vic->name);
				EXPECT_EQ(gpu_id, r.fault.gpu_id);
				EXPECT_TRUE(r.fault.not_present);
				EXPECT_FALSE(r.fault.read_only);
				EXPECT_FALSE(r.fence_written)
					TH_LOG("%s -> %s: the queue went on",
					       att->name, vic->name);
				EXPECT_EQ(1, r.counter)
					TH_LOG("%s: counters faults +%lld",
					       att->name, (long long)r.counter);
				EXPECT_EQ(0ULL, r.leaked);
				EXPECT_EQ(0ULL, r.changed);
				if (!r.faulted)
					break;	/* the next would wait in vain */
			}
			ret = peer_check(vic, &c);
			ASSERT_EQ(0, ret) TH_LOG("%s: %s: %s", vic->name,
						 vic->where, strerror(-ret));
			EXPECT_TRUE(c.secret_intact)
				TH_LOG("%s's secret changed", vic->name);
			EXPECT_TRUE(c.copy_ok)
				TH_LOG("%s's own copy went wrong", vic->name);
			EXPECT_FALSE(c.foreign_event)
				TH_LOG("%s got a memory event", vic->name);
			EXPECT_TRUE(c.counter_ok)
				TH_LOG("%s's fault counter moved", vic->name);
			victims_ok += c.secret_intact && c.copy_ok &&
				      !c.foreign_event && c.counter_ok;
		}
	}
	printf("# matrix %s: %d contexts, %llu ordered pairs: attempts %llu, "
	       "faults %llu (exact address %llu, halted %llu, counted %llu), "
	       "bytes leaked %llu, bytes changed %llu, victims still working "
	       "%llu/%llu\n", atk_kind_name(kind), self->f.npeers,
	       (unsigned long long)pairs, (unsigned long long)tries,
	       (unsigned long long)faults, (unsigned long long)exact,
	       (unsigned long long)halted, (unsigned long long)counted,
	       (unsigned long long)leaked, (unsigned long long)changed,
	       (unsigned long long)victims_ok, (unsigned long long)pairs);
	fflush(stdout);
	EXPECT_EQ(tries, faults);
	EXPECT_EQ(tries, exact);
	EXPECT_EQ(0ULL, leaked);
	EXPECT_EQ(pairs, victims_ok);
}

/* Where a compute kind's packet goes in the attacker's own memory */
static uint64_t atk_cq_own_target(struct atk_actor *a, enum atk_kind kind)
{
	uint8_t *dst = a->dst_cpu + 0x400;
	uint32_t ib[16];

	switch (kind) {
	case ATK_PM4_WAIT_MEM:
	case ATK_PM4_WAIT_MEM64:
	case ATK_PM4_COPY_SRC:
	case ATK_PM4_DMA_SRC:
	case ATK_PM4_COND_POLL:
		return a->secret.va + 0x400;
	case ATK_PM4_IB:
		/* a WRITE_DATA to the landing buffer's start, then NOPs */
		vkfd_pm4_pkt_nop(ib + 5, 11);
		vkfd_pm4_pkt_write_data(ib, a->dst.va, (const uint32_t[]){
					0xa77ac4ed }, 1, 0);
		memcpy(dst, ib, sizeof(ib));
		break;
	case ATK_AQL_AND_DEP:
	case ATK_AQL_OR_DEP:
	case ATK_AQL_BARRIER_VALUE:
		memset((uint8_t *)a->fence_cpu + ATK_CQ_OWN_DEP, 0, 64);
		return a->fence.va + ATK_CQ_OWN_DEP;
	case ATK_AQL_KOBJ:
		/* its code 0x100 further: s_endpgm */
		*(uint64_t *)(dst + VKFD_AQL_CODE_ENTRY) = 0x100;
		*(uint32_t *)(dst + 0x100) = VKFD_AQL_S_ENDPGM;
		break;
	case ATK_AQL_CODE:
		*(uint32_t *)dst = VKFD_AQL_S_ENDPGM;
		break;
	case ATK_AQL_COMPLETION:
		/* a signal without an event mailbox */
		memset(dst + VKFD_AQL_SIG_MAILBOX, 0, 16);
		break;
	default:
		break;
	}
	return a->dst.va + 0x400;
}

/*
 * own_memory_works for a compute kind: the packet on the attacker's own
 * memory, on a queue of the kind's type, goes through to the fence.
 */
static void atk_cq_own_memory(struct __test_metadata *_metadata,
			      struct atk_actor *a, enum atk_kind kind)
{
	uint8_t *dst = a->dst_cpu + 0x400;
	uint64_t target, i, n;
	struct atk_cq q;

	memset(a->dst_cpu, ATK_DST_FILL, ATK_BUF);
	target = atk_cq_own_target(a, kind);
	a->seq++;
	ASSERT_EQ(0, atk_cq_run(a, kind, target, 0x400, a->seed, &q))
		TH_LOG("%s", a->where);
	EXPECT_EQ(0, atk_cq_wait_fence(a, &q))
		TH_LOG("%s: the queue did not get past it", atk_kind_name(kind));
	switch (kind) {
	case ATK_PM4_WRITE_DATA:
		EXPECT_EQ(0xa77ac4edu, *(uint32_t *)dst);
		EXPECT_EQ(0xa77ac4f0u, *(uint32_t *)(dst + 12));
		EXPECT_EQ(ATK_DST_FILL, dst[16]);
		break;
	case ATK_PM4_RELEASE_MEM32:
		EXPECT_EQ(0xa77ac4edu, *(uint32_t *)dst);
		EXPECT_EQ(ATK_DST_FILL, dst[4]);
		break;
	case ATK_PM4_RELEASE_MEM64:
	case ATK_PM4_QUERY_STATUS:
	case ATK_PM4_COPY_DST:
		EXPECT_EQ(0xa77ac4eda77ac4edull, *(uint64_t *)dst);
		EXPECT_EQ(ATK_DST_FILL, dst[8]);
		break;
	case ATK_PM4_RELEASE_CLOCK:
		EXPECT_NE(0x1111111111111111ull, *(uint64_t *)dst);
		EXPECT_EQ(ATK_DST_FILL, dst[8]);
		break;
	case ATK_PM4_IB:
	case ATK_PM4_COND_POLL:
		/* COND_WRITE: the dword compared equal */
		EXPECT_EQ(0xa77ac4edu, *(uint32_t *)a->dst_cpu);
		EXPECT_EQ(ATK_DST_FILL, a->dst_cpu[4]);
		break;
	case ATK_PM4_COPY_SRC:
	case ATK_PM4_DMA_SRC:
		/* 8 bytes, or a page, of the secret from 0x400 on */
		n = kind == ATK_PM4_COPY_SRC ? 8 : ATK_PAGE;
		for (i = 0; i < n; i++)
			if (a->dst_cpu[i] != atk_secret_byte(a->seed, 0x400 + i))
				break;
		EXPECT_EQ(n, i);
		EXPECT_EQ(ATK_DST_FILL, a->dst_cpu[n]);
		break;
	case ATK_PM4_ATOMIC_MEM:
		EXPECT_EQ(0x1111111111111112ull, *(uint64_t *)dst);
		EXPECT_EQ(ATK_DST_FILL, dst[8]);
		break;
	case ATK_PM4_DMA_DST:
		/* the attacker's source page */
		EXPECT_TRUE(atk_has_secret(dst, ATK_PAGE, a->seed + 0x40));
		EXPECT_EQ(ATK_DST_FILL, dst[ATK_PAGE]);
		break;
	case ATK_PM4_COND_WRITE:
		EXPECT_EQ(0xa77ac4edu, *(uint32_t *)dst);
		EXPECT_EQ(ATK_DST_FILL, dst[4]);
		break;
	case ATK_AQL_COMPLETION:
		EXPECT_EQ(0x1111111111111110ull,
			  *(uint64_t *)(dst + VKFD_AQL_SIG_VALUE));
		break;
	case ATK_AQL_MAILBOX:
		EXPECT_EQ(ATK_CQ_EVENT_ID, *(uint32_t *)dst);
		EXPECT_EQ(ATK_DST_FILL, dst[4]);
		break;
	default:
		/* the waits and dispatches: got past, the fence is there */
		break;
	}
	EXPECT_EQ(0, atk_cq_destroy(a, &q));
}

/*
 * The packet works on the attacker's own memory: the faults above come
 * from the victim's address being foreign, not from a packet the engine
 * cannot run. Once per variant, on the first actor's own secret.
 */
TEST_F(attack, own_memory_works)
{
	struct atk_actor *a = &self->f.actor[0];
	enum atk_kind kind = variant->kind;
	uint32_t dw[32], n, result = 0;
	uint64_t target = a->dst.va + 0x400;
	int64_t seq;
	int i;

	if (atk_kind_queue_type(kind) != KFD_IOC_QUEUE_TYPE_SDMA) {
		atk_cq_own_memory(_metadata, a, kind);
		goto no_fault;
	}
	memset(a->dst_cpu, ATK_DST_FILL, ATK_BUF);
	switch (kind) {
	case ATK_COPY_SRC:
	case ATK_RECT_SRC:
	case ATK_POLL:
		target = a->secret.va + 0x400;
		break;
	default:
		break;
	}
	n = atk_encode(a, kind, target, 0x400, a->seed, dw);
	seq = atk_submit(a, &a->q, dw, n, 0, true);
	ASSERT_LT(0, seq) TH_LOG("%s: %s", a->where, strerror((int)-seq));

	switch (kind) {
	case ATK_COPY_SRC:
	case ATK_RECT_SRC:
		for (i = 0; i < (int)ATK_PAGE; i++)
			if (a->dst_cpu[i] != atk_secret_byte(a->seed, 0x400 + i))
				break;
		EXPECT_EQ((int)ATK_PAGE, i);
		break;
	case ATK_COPY_DST:
	case ATK_RECT_DST:
		for (i = 0; i < (int)ATK_PAGE; i++)
			if (a->dst_cpu[0x400 + i] != atk_secret_byte(a->seed + 0x40, i))
				break;
		EXPECT_EQ((int)ATK_PAGE, i);
		break;
	case ATK_WRITE:
		EXPECT_EQ(0xa77ac4edu, *(uint32_t *)(a->dst_cpu + 0x400));
		EXPECT_EQ(0xa77ac4f0u, *(uint32_t *)(a->dst_cpu + 0x40c));
		EXPECT_EQ(ATK_DST_FILL, a->dst_cpu[0x410]);
		break;
	case ATK_FILL:
		EXPECT_EQ(0xa77ac4edu, *(uint32_t *)(a->dst_cpu + 0x400));
		EXPECT_EQ(0xa77ac4edu,
			  *(uint32_t *)(a->dst_cpu + 0x400 + ATK_PAGE - 4));
		EXPECT_EQ(ATK_DST_FILL, a->dst_cpu[0x400 + ATK_PAGE]);
		break;
	case ATK_FENCE:
		EXPECT_EQ(0xa77ac4edu, *(uint32_t *)(a->dst_cpu + 0x400));
		EXPECT_EQ(ATK_DST_FILL, a->dst_cpu[0x404]);
		break;
	case ATK_TIMESTAMP:
		EXPECT_NE(0x1111111111111111ull,
			  *(uint64_t *)(a->dst_cpu + 0x400));
		EXPECT_EQ(ATK_DST_FILL, a->dst_cpu[0x408]);
		break;
	case ATK_POLL:
		/* got past the comparison: the fence is there */
		break;
	case ATK_ATOMIC:
		EXPECT_EQ(0x1111111111111112ull,
			  *(uint64_t *)(a->dst_cpu + 0x400));
		EXPECT_EQ(ATK_DST_FILL, a->dst_cpu[0x408]);
		break;
	default:
		break;
	}
no_fault:
	/* No fault on the way */
	ASSERT_EQ(0, vkfd_event_wait(&a->k, &a->fault_ev.id, 1, false, 0,
				     &result));
	EXPECT_EQ((uint32_t)KFD_IOC_WAIT_RESULT_TIMEOUT, result);
}

/*
 * One GPU address, four buffers: each context copies from ATK_SHARED_VA
 * and writes a tag there; each sees its own bytes and finds only its own
 * tag.
 */
TEST_F(attack_va, same_va_different_buffers)
{
	bool own[ATK_ACTORS], ok;
	int i, seen = 0;

	for (i = 0; i < self->f.npeers; i++) {
		ASSERT_EQ(0, peer_shared(&self->f.peer[i], false, &own[i]))
			TH_LOG("%s: %s", self->f.peer[i].name, self->f.peer[i].where);
		EXPECT_TRUE(own[i]) TH_LOG("%s read another context's bytes",
					   self->f.peer[i].name);
		seen += own[i];
	}
	for (i = 0; i < self->f.npeers; i++) {
		ASSERT_EQ(0, peer_shared(&self->f.peer[i], true, &ok));
		EXPECT_TRUE(ok) TH_LOG("%s's buffer holds another's tag",
				       self->f.peer[i].name);
		seen += ok;
	}
	printf("# same GPU address 0x%llx in %d contexts: %d/%d copies and "
	       "writes stayed in their own buffer\n",
	       (unsigned long long)ATK_SHARED_VA, self->f.npeers, seen,
	       2 * self->f.npeers);
	fflush(stdout);
}

TEST_HARNESS_MAIN
