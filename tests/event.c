// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Events: CREATE_EVENT, DESTROY_EVENT, SET_EVENT, RESET_EVENT - ids,
 * slots, types, limits, every error and the state after it; isolation
 * between contexts and processes; the guessed-id race (docs/adversarial.rst row 5).
 * WAIT_EVENTS is in event_wait.c, the signal page in event_page.c.
 */
#include "kselftest_harness.h"
#include "event_utils.h"

/* The first signal event is 1 (0 is never an event), with its slot and page. */
TEST_F(event, create_signal)
{
	struct kfd_ioctl_create_event_args a = {
		.event_type = KFD_IOC_EVENT_SIGNAL,
		.auto_reset = 1,
	};
	struct vkfd_event ev;

	ASSERT_EQ(0, _test_create_event(self->b.p.fd, &a));
	EXPECT_EQ(1U, a.event_id);
	EXPECT_EQ(1U, a.event_slot_index);
	EXPECT_EQ(1U, a.event_trigger_data);
	EXPECT_EQ(EV_PAGE_OFFSET, a.event_page_offset);
	/* Every later signal event returns the page offset too (docs/uapi.rst) */
	ASSERT_EQ(0, vkfd_event_create(&self->b.p, KFD_IOC_EVENT_SIGNAL, false, 0, &ev));
	EXPECT_EQ(2U, ev.id);
	EXPECT_EQ(2U, ev.slot);
	EXPECT_EQ(2U, ev.trigger);
	EXPECT_EQ(EV_PAGE_OFFSET, ev.page_offset);
	/* A new event is not signaled */
	EXPECT_EQ(EV_TIMEOUT, ev_wait1(&self->b.p, 1, 0));
	EXPECT_EQ(EV_TIMEOUT, ev_wait1(&self->b.p, 2, 0));
}

/*
 * Debug events take signal slots too; the other types get ids from 2^30,
 * no page offset, and leave the slot index as passed.
 */
TEST_F(event, create_types)
{
	struct kfd_ioctl_create_event_args a;
	uint32_t type, next = EV_FIRST_OTHER_ID;

	for (type = KFD_IOC_EVENT_NODECHANGE; type <= KFD_IOC_EVENT_MEMORY; type++) {
		a = (struct kfd_ioctl_create_event_args){
			.event_type = type,
			.event_slot_index = 0xa5a5a5a5,
			.event_page_offset = 0,
		};
		ASSERT_EQ(0, _test_create_event(self->b.p.fd, &a)) TH_LOG("type %u", type);
		if (type == KFD_IOC_EVENT_DEBUG_EVENT) {
			EXPECT_EQ(1U, a.event_id);
			EXPECT_EQ(1U, a.event_slot_index);
			EXPECT_EQ(EV_PAGE_OFFSET, a.event_page_offset);
		} else {
			EXPECT_EQ(next, a.event_id) TH_LOG("type %u", type);
			EXPECT_EQ(0xa5a5a5a5U, a.event_slot_index);
			EXPECT_EQ(0ULL, a.event_page_offset);
			next++;
		}
		EXPECT_EQ(a.event_id, a.event_trigger_data);
	}
}

/* vkfd knows the types 0..8 (KFD_IOC_EVENT_*); amdkfd takes any number. */
TEST_F(event, create_unknown_type)
{
	struct kfd_ioctl_create_event_args a = { .event_type = 9 };

	VKFD_ONLY(&self->b.env, "accepts any event type");
	EXPECT_EQ(-EINVAL, _test_create_event(self->b.p.fd, &a));
	a.event_type = UINT32_MAX;
	EXPECT_EQ(-EINVAL, _test_create_event(self->b.p.fd, &a));
	/* Nothing was made: the next event is still the first */
	EXPECT_EQ(1, ev_signal(&self->b.p, false));
	a.event_type = KFD_IOC_EVENT_MEMORY;
	ASSERT_EQ(0, _test_create_event(self->b.p.fd, &a));
	EXPECT_EQ(EV_FIRST_OTHER_ID, a.event_id);
}

/*
 * An argument that cannot be written back: EFAULT before anything is
 * made (docs/adversarial.rst row 7). amdkfd makes the event, then fails the copy.
 */
TEST_F(event, create_unwritable_arg)
{
	struct kfd_ioctl_create_event_args *a;
	long psz = sysconf(_SC_PAGESIZE);

	VKFD_ONLY(&self->b.env, "makes the event, then fails the copy-out with EFAULT");
	a = mmap(NULL, psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, a);
	a->event_type = KFD_IOC_EVENT_SIGNAL;
	ASSERT_EQ(0, mprotect(a, psz, PROT_READ));
	EXPECT_EQ(-EFAULT, _test_create_event(self->b.p.fd, a));
	/* Not even a page: nothing was made */
	EXPECT_EQ(EINVAL, ev_page_map_err(self->b.p.fd, 4096, MAP_SHARED, EV_PAGE_OFFSET));
	EXPECT_EQ(1, ev_signal(&self->b.p, false));
	munmap(a, psz);
}

/* The lowest free id is handed out: a destroyed id comes back at once. */
TEST_F(event, ids_reused)
{
	struct kfd_ioctl_create_event_args a = { .event_type = KFD_IOC_EVENT_MEMORY };
	uint32_t other;

	ASSERT_EQ(1, ev_signal(&self->b.p, false));
	ASSERT_EQ(2, ev_signal(&self->b.p, false));
	ASSERT_EQ(3, ev_signal(&self->b.p, false));
	ASSERT_EQ(0, vkfd_event_destroy(&self->b.p, 2));
	EXPECT_EQ(2, ev_signal(&self->b.p, false));
	EXPECT_EQ(4, ev_signal(&self->b.p, false));
	ASSERT_EQ(0, _test_create_event(self->b.p.fd, &a));
	other = a.event_id;
	EXPECT_EQ(EV_FIRST_OTHER_ID, other);
	ASSERT_EQ(0, vkfd_event_destroy(&self->b.p, other));
	ASSERT_EQ(0, _test_create_event(self->b.p.fd, &a));
	EXPECT_EQ(other, a.event_id);
}

TEST_F(event, destroy_errors)
{
	struct kfd_ioctl_destroy_event_args d = { 0 };

	/* No event at all yet */
	EXPECT_EQ(-EINVAL, vkfd_event_destroy(&self->b.p, 1));
	ASSERT_EQ(1, ev_signal(&self->b.p, false));
	EXPECT_EQ(-EINVAL, vkfd_event_destroy(&self->b.p, 0));
	EXPECT_EQ(-EINVAL, vkfd_event_destroy(&self->b.p, 2));
	EXPECT_EQ(-EINVAL, vkfd_event_destroy(&self->b.p, EV_FIRST_OTHER_ID));
	EXPECT_EQ(-EINVAL, vkfd_event_destroy(&self->b.p, UINT32_MAX));
	EXPECT_EQ(-EINVAL, vkfd_event_destroy(&self->b.p, 1u << 31));
	/* The failures touched nothing: 1 is there, once */
	d.event_id = 1;
	test_ioctl(self->b.p.fd, AMDKFD_IOC_DESTROY_EVENT, &d);
	test_err_ioctl(EINVAL, self->b.p.fd, AMDKFD_IOC_DESTROY_EVENT, &d);
	EXPECT_EQ(-EINVAL, vkfd_event_set(&self->b.p, 1));
	EXPECT_EQ(-EINVAL, ev_wait1(&self->b.p, 1, 0));
}

/* SET and RESET: signal events only (not debug, not the others). */
TEST_F(event, set_reset_errors)
{
	struct kfd_ioctl_create_event_args a;
	uint32_t type, id;

	EXPECT_EQ(-EINVAL, vkfd_event_set(&self->b.p, 1));
	EXPECT_EQ(-EINVAL, vkfd_event_reset(&self->b.p, 1));
	for (type = KFD_IOC_EVENT_NODECHANGE; type <= KFD_IOC_EVENT_MEMORY; type++) {
		a = (struct kfd_ioctl_create_event_args){ .event_type = type };
		ASSERT_EQ(0, _test_create_event(self->b.p.fd, &a));
		id = a.event_id;
		EXPECT_EQ(-EINVAL, vkfd_event_set(&self->b.p, id)) TH_LOG("type %u", type);
		EXPECT_EQ(-EINVAL, vkfd_event_reset(&self->b.p, id)) TH_LOG("type %u", type);
		/* and it was not signaled by the attempt */
		EXPECT_EQ(EV_TIMEOUT, ev_wait1(&self->b.p, id, 0)) TH_LOG("type %u", type);
	}
	EXPECT_EQ(-EINVAL, vkfd_event_set(&self->b.p, 0));
	EXPECT_EQ(-EINVAL, vkfd_event_set(&self->b.p, UINT32_MAX));
	EXPECT_EQ(-EINVAL, vkfd_event_reset(&self->b.p, 0));
}

/* Non-zero pads are refused before anything is looked up (amdkfd ignores them). */
TEST_F(event, pads)
{
	struct kfd_ioctl_destroy_event_args d = { .pad = 1 };
	struct kfd_ioctl_set_event_args s = { .pad = 1 };
	struct kfd_ioctl_reset_event_args r = { .pad = 1 };
	int64_t id;

	VKFD_ONLY(&self->b.env, "ignores the pads of DESTROY, SET and RESET_EVENT");
	id = ev_signal(&self->b.p, false);
	ASSERT_LT(0, id);
	d.event_id = s.event_id = r.event_id = id;
	test_err_ioctl(EINVAL, self->b.p.fd, AMDKFD_IOC_SET_EVENT, &s);
	EXPECT_EQ(EV_TIMEOUT, ev_wait1(&self->b.p, id, 0));
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, id));
	test_err_ioctl(EINVAL, self->b.p.fd, AMDKFD_IOC_RESET_EVENT, &r);
	EXPECT_TRUE(ev_signaled(&self->b.p, id));
	test_err_ioctl(EINVAL, self->b.p.fd, AMDKFD_IOC_DESTROY_EVENT, &d);
	EXPECT_EQ(0, vkfd_event_destroy(&self->b.p, id));
}

/* SET signals, RESET unsignals; both are idempotent. */
TEST_F(event, set_reset)
{
	int64_t id = ev_signal(&self->b.p, false);

	ASSERT_LT(0, id);
	EXPECT_EQ(0, vkfd_event_reset(&self->b.p, id));
	EXPECT_EQ(EV_TIMEOUT, ev_wait1(&self->b.p, id, 0));
	EXPECT_EQ(0, vkfd_event_set(&self->b.p, id));
	EXPECT_EQ(0, vkfd_event_set(&self->b.p, id));
	EXPECT_EQ(EV_COMPLETE, ev_wait1(&self->b.p, id, 0));
	EXPECT_EQ(0, vkfd_event_reset(&self->b.p, id));
	EXPECT_EQ(0, vkfd_event_reset(&self->b.p, id));
	EXPECT_EQ(EV_TIMEOUT, ev_wait1(&self->b.p, id, 0));
}

/* Create signal events until ENOSPC; returns how many were made. */
static int fill_signal(const struct vkfd_context *ctx, int max, int *err)
{
	int n = 0;
	int64_t id;

	for (*err = 0; n < max; n++) {
		id = ev_signal(ctx, false);
		if (id < 0) {
			*err = -id;
			break;
		}
	}
	return n;
}

/*
 * Until the page is mapped, only slots 1..255 are used (what the oldest
 * libhsakmt maps); mapping all 32 KiB opens 1..4095. Debug events count.
 */
TEST_F_TIMEOUT(event, signal_limit, 300)
{
	struct kfd_ioctl_create_event_args a = {
		.event_type = KFD_IOC_EVENT_DEBUG_EVENT,
	};
	void *page;
	int n, err;

	ASSERT_EQ(0, _test_create_event(self->b.p.fd, &a));
	ASSERT_EQ(1U, a.event_id);
	n = fill_signal(&self->b.p, KFD_SIGNAL_EVENT_LIMIT, &err);
	EXPECT_EQ(EV_SLOTS_UNMAPPED - 2, n);
	EXPECT_EQ(ENOSPC, err);
	/* Other types are not limited by the slots */
	a.event_type = KFD_IOC_EVENT_MEMORY;
	a.event_page_offset = 0;
	EXPECT_EQ(0, _test_create_event(self->b.p.fd, &a));
	/* A freed slot is used again */
	ASSERT_EQ(0, vkfd_event_destroy(&self->b.p, 100));
	EXPECT_EQ(100, ev_signal(&self->b.p, false));
	EXPECT_EQ(-ENOSPC, ev_signal(&self->b.p, false));

	page = ev_page_map(self->b.p.fd, EV_PAGE_SIZE, MAP_SHARED, EV_PAGE_OFFSET);
	ASSERT_NE(MAP_FAILED, page);
	n = fill_signal(&self->b.p, KFD_SIGNAL_EVENT_LIMIT, &err);
	EXPECT_EQ(KFD_SIGNAL_EVENT_LIMIT - EV_SLOTS_UNMAPPED, n);
	EXPECT_EQ(ENOSPC, err);
	ASSERT_EQ(0, vkfd_event_destroy(&self->b.p, KFD_SIGNAL_EVENT_LIMIT - 1));
	EXPECT_EQ(KFD_SIGNAL_EVENT_LIMIT - 1, ev_signal(&self->b.p, true));
	EXPECT_EQ(-ENOSPC, ev_signal(&self->b.p, true));
	munmap(page, EV_PAGE_SIZE);
}

/* ------------------------------------------------------------------------
 * Isolation: ids are per context
 */

/* Event @id of @a is signaled, that of @b is not, and the other way round. */
static void check_apart(struct __test_metadata *_metadata,
			const struct vkfd_context *a, const struct vkfd_context *b)
{
	int64_t ia, ib;

	ia = ev_signal(a, false);
	ib = ev_signal(b, false);
	/* Each context counts its own ids */
	ASSERT_EQ(1, ia);
	ASSERT_EQ(1, ib);
	ASSERT_EQ(0, vkfd_event_set(a, 1));
	EXPECT_EQ(EV_TIMEOUT, ev_wait1(b, 1, 0));
	EXPECT_EQ(EV_COMPLETE, ev_wait1(a, 1, 0));
	ASSERT_EQ(0, vkfd_event_reset(a, 1));
	ASSERT_EQ(0, vkfd_event_set(b, 1));
	EXPECT_EQ(EV_TIMEOUT, ev_wait1(a, 1, 0));
	EXPECT_EQ(0, vkfd_event_destroy(b, 1));
	/* b's destruction left a's event alone */
	EXPECT_EQ(EV_TIMEOUT, ev_wait1(a, 1, 0));
	EXPECT_EQ(-EINVAL, ev_wait1(b, 1, 0));
	/* An id only a has is unknown to b */
	ASSERT_EQ(2, ev_signal(a, false));
	EXPECT_EQ(-EINVAL, vkfd_event_set(b, 2));
	EXPECT_EQ(-EINVAL, vkfd_event_reset(b, 2));
	EXPECT_EQ(-EINVAL, vkfd_event_destroy(b, 2));
	EXPECT_EQ(-EINVAL, ev_wait1(b, 2, 0));
	EXPECT_EQ(0, vkfd_event_destroy(a, 2));
}

/*
 * The isolation of a primary and a secondary, each way round: a fixture
 * of its own, with a variant per kind of the first context.
 */
FIXTURE(event_iso) {
	struct vkfd_base b;
	struct vkfd_context sec;
};

FIXTURE_VARIANT(event_iso) {
	bool primary_first;
};

FIXTURE_VARIANT_ADD(event_iso, primary_secondary) {
	.primary_first = true,
};

FIXTURE_VARIANT_ADD(event_iso, secondary_primary) {
	.primary_first = false,
};

FIXTURE_SETUP(event_iso)
{
	int ret;

	self->sec.fd = -1;
	vkfd_base_setup(&self->b, VKFD_BASE_PRIMARY);
	ret = vkfd_open_secondary(self->b.env.dev, &self->sec);
	if (ret == -EOPNOTSUPP)
		VKFD_SETUP_SKIP("no AMDKFD_IOC_CREATE_PROCESS: no secondaries");
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(event_iso)
{
	if (self->sec.fd >= 0)
		vkfd_close(&self->sec);
	vkfd_base_teardown(&self->b);
}

TEST_F(event_iso, isolation)
{
	if (variant->primary_first)
		check_apart(_metadata, &self->b.p, &self->sec);
	else
		check_apart(_metadata, &self->sec, &self->b.p);
	vkfd_close(&self->sec);
	/* The secondary's end left the primary's event (if it has one) */
	if (variant->primary_first)
		EXPECT_EQ(0, vkfd_event_destroy(&self->b.p, 1));
}

TEST_F(event, isolation_two_secondaries)
{
	struct vkfd_context s1, s2;

	EV_SECONDARY(&s1);
	EV_SECONDARY(&s2);
	check_apart(_metadata, &s1, &s2);
	/* The primary has none of them */
	EXPECT_EQ(-EINVAL, vkfd_event_set(&self->b.p, 1));
	vkfd_close(&s2);
	EXPECT_EQ(0, vkfd_event_destroy(&s1, 1));
	vkfd_close(&s1);
}

/* Two fds of the primary share its events. */
TEST_F(event, primary_fds_share)
{
	struct vkfd_context other;

	ASSERT_EQ(0, vkfd_open_primary(self->b.env.dev, &other));
	ASSERT_EQ(1, ev_signal(&self->b.p, false));
	EXPECT_EQ(0, vkfd_event_set(&other, 1));
	EXPECT_EQ(EV_COMPLETE, ev_wait1(&self->b.p, 1, 0));
	vkfd_close(&other);
	/* Closing one fd of the primary destroys nothing */
	EXPECT_EQ(EV_COMPLETE, ev_wait1(&self->b.p, 1, 0));
}

/* A child that inherited the fd: EBADF for every event ioctl. */
static int child_event_ioctls(void *arg, int in, int out)
{
	const int fd = *(int *)arg;
	struct vkfd_context c = { .fd = fd };
	struct kfd_ioctl_create_event_args a = { .event_type = KFD_IOC_EVENT_SIGNAL };
	uint32_t id = 1, result;

	if (_test_create_event(fd, &a) != -EBADF)
		return 1;
	if (vkfd_event_set(&c, 1) != -EBADF)
		return 2;
	if (vkfd_event_reset(&c, 1) != -EBADF)
		return 3;
	if (vkfd_event_wait(&c, &id, 1, false, 0, &result) != -EBADF)
		return 4;
	if (vkfd_event_destroy(&c, 1) != -EBADF)
		return 5;
	return 0;
}

TEST_F(event, fork_child_ebadf)
{
	struct vkfd_child child = { 0 };
	int fd = self->b.p.fd;

	ASSERT_EQ(1, ev_signal(&self->b.p, false));
	ASSERT_EQ(0, vkfd_child_start(&child, child_event_ioctls, &fd));
	EXPECT_EQ(0, vkfd_child_wait(&child));
	/* The child changed nothing */
	EXPECT_EQ(EV_TIMEOUT, ev_wait1(&self->b.p, 1, 0));
	EXPECT_EQ(0, vkfd_event_destroy(&self->b.p, 1));
	EXPECT_EQ(-EINVAL, vkfd_event_destroy(&self->b.p, 2));
}

/* A process that received the fd over a unix socket: EBADF too. */
static int child_recv_ioctls(void *arg, int in, int out)
{
	int sock = *(int *)arg, fd;

	fd = vkfd_recv_fd(sock);
	if (fd < 0)
		return 10;
	return child_event_ioctls(&fd, in, out);
}

TEST_F(event, scm_rights_ebadf)
{
	struct vkfd_child child = { 0 };
	struct vkfd_context sec;
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, vkfd_child_start(&child, child_recv_ioctls, &sv[1]));
	/* The fd of a secondary where there are, else the primary's */
	if (vkfd_open_secondary(self->b.env.dev, &sec))
		sec = self->b.p;
	ASSERT_EQ(1, ev_signal(&sec, false));
	ASSERT_EQ(0, vkfd_send_fd(sv[0], sec.fd));
	EXPECT_EQ(0, vkfd_child_wait(&child));
	EXPECT_EQ(EV_TIMEOUT, ev_wait1(&sec, 1, 0));
	EXPECT_EQ(0, vkfd_event_destroy(&sec, 1));
	if (sec.fd != self->b.p.fd)
		vkfd_close(&sec);
	close(sv[0]);
	close(sv[1]);
}

/* ------------------------------------------------------------------------
 * The guessed-id race (docs/adversarial.rst row 5): one thread creates events,
 * another destroys the id the next one will get, and sets and waits on
 * it, as fast as it can. Every call must succeed or fail with EINVAL;
 * KASAN (debug lane) sees what goes wrong inside.
 */

struct race {
	const struct vkfd_context *ctx;
	int iterations;
	uint32_t type;
	uint32_t last;		/* the id the creator got last */
	volatile int stop;
	int bad;		/* an unexpected result in the guesser */
};

static void *race_guesser(void *arg)
{
	struct race *r = arg;
	uint32_t id, result;
	int ret, i = 0;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		/* The last id, or the next: the lowest free one */
		id = __atomic_load_n(&r->last, __ATOMIC_RELAXED) + i++ % 2;
		ret = vkfd_event_set(r->ctx, id);
		if (ret && ret != -EINVAL)
			r->bad = 1;
		/* EIO: destroyed between the start of the wait and its end */
		ret = vkfd_event_wait(r->ctx, &id, 1, false, 0, &result);
		if (ret && ret != -EINVAL && ret != -EIO)
			r->bad = 2;
		ret = vkfd_event_destroy(r->ctx, id);
		if (ret && ret != -EINVAL)
			r->bad = 3;
	}
	return NULL;
}

static void race_run(struct __test_metadata *_metadata, struct race *r)
{
	uint32_t prev = 0;
	struct vkfd_event ev;
	int i, ret;
	pthread_t t;

	r->last = r->type == KFD_IOC_EVENT_SIGNAL ? 1 : EV_FIRST_OTHER_ID;
	ASSERT_EQ(0, pthread_create(&t, NULL, race_guesser, r));
	for (i = 0; i < r->iterations; i++) {
		/* Two events at most: the ids stay the lowest two or three */
		ret = vkfd_event_create(r->ctx, r->type, i % 2, 0, &ev);
		ASSERT_EQ(0, ret);
		__atomic_store_n(&r->last, ev.id, __ATOMIC_RELAXED);
		/* Ours, or destroyed by the guesser already */
		if (r->type == KFD_IOC_EVENT_SIGNAL) {
			ret = vkfd_event_set(r->ctx, ev.id);
			EXPECT_TRUE(!ret || ret == -EINVAL);
		}
		if (prev) {
			ret = vkfd_event_destroy(r->ctx, prev);
			EXPECT_TRUE(!ret || ret == -EINVAL);
		}
		prev = ev.id;
	}
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	vkfd_event_destroy(r->ctx, prev);
	EXPECT_EQ(0, r->bad);
}

TEST_F_TIMEOUT(event, guessed_id_race_signal, 300)
{
	struct race r = {
		.ctx = &self->b.p,
		.iterations = vkfd_scaled(20000),
		.type = KFD_IOC_EVENT_SIGNAL,
	};

	race_run(_metadata, &r);
}

TEST_F_TIMEOUT(event, guessed_id_race_other, 300)
{
	struct vkfd_context sec;
	struct race r = {
		.iterations = vkfd_scaled(20000),
		.type = KFD_IOC_EVENT_MEMORY,
	};

	EV_SECONDARY(&sec);
	r.ctx = &sec;
	race_run(_metadata, &r);
	vkfd_close(&sec);
}

/* ------------------------------------------------------------------------
 * What is left behind
 */

/* The test hooks count the events of each context; destroying them all gets back to 0. */
TEST_F(event, count_baseline)
{
	struct vkfd_context sec;
	int i;

	VKFD_ONLY(&self->b.env, "no vkfd debugfs");
	if (!vkfd_debugfs_present())
		SKIP(return, "no debugfs at %s", vkfd_debugfs_root());
	EV_SECONDARY(&sec);
	ASSERT_EQ(0ULL, ev_count(getpid(), VKFD_CTX_ID_PRIMARY));
	for (i = 1; i <= 10; i++)
		ASSERT_EQ(i, ev_signal(&sec, i % 2));
	EXPECT_EQ(10ULL, ev_count(getpid(), vkfd_ctx_id_of_fd(sec.fd)));
	EXPECT_EQ(0ULL, ev_count(getpid(), VKFD_CTX_ID_PRIMARY));
	for (i = 1; i <= 10; i++)
		ASSERT_EQ(0, vkfd_event_destroy(&sec, i));
	EXPECT_EQ(0ULL, ev_count(getpid(), vkfd_ctx_id_of_fd(sec.fd)));
	vkfd_close(&sec);
}

TEST_HARNESS_MAIN
