// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Contexts one tenant cannot take or block for the others
 * (docs/tenancy.rst, "Bounds"): PASIDs per user, open() while another
 * process's mmap lock is held, and who may open a primary (any thread of
 * the process that owns the address space; not a vfork() child, not
 * another process sharing it).
 *
 * vkfd only: amdkfd has no secondaries, no bounds per user and no test
 * hooks.
 */
#include "kselftest_harness.h"
#include "tenant_utils.h"

#include <poll.h>
#include <pthread.h>
#include <sched.h>

/* The bound the PASID test sets, and the parameter's value before it. */
#define PASID_CAP	4
#define CTX_STACK	(64 * KIB)
#define WAIT_MS		20000	/* bound of a wait that must not block */

FIXTURE(tenant_ctx) {
	struct vkfd_base b;
	uint64_t max_pasids;	/* max_pasids_per_user before the test */
	struct vkfd_child extra[3];	/* killed and reaped at teardown */
};

FIXTURE_SETUP(tenant_ctx)
{
	int i;

	for (i = 0; i < 3; i++)
		self->extra[i].pid = 0;
	vkfd_base_setup(&self->b, VKFD_BASE_PRIMARY);
	VKFD_SETUP_NEED_GPU(&self->b, "no bounds per user, no test hooks");
	ASSERT_EQ(0, vkfd_module_param_u64("max_pasids_per_user",
					   &self->max_pasids));
}

FIXTURE_TEARDOWN(tenant_ctx)
{
	int i;

	/* A hold left by a failed test would block the children below. */
	vkfd_mmap_release();
	for (i = 0; i < 3; i++)
		vkfd_child_kill(&self->extra[i]);
	tenant_param_set("max_pasids_per_user", self->max_pasids);
	vkfd_base_teardown(&self->b);
}

/* What a child needs: the device, a GPU, who to be, how many contexts. */
struct ctx_arg {
	const struct vkfd_env *env;
	uint32_t gpu;
	uid_t uid;
	int n;
	pid_t pid;
};

/* ------------------------------------------------------------------------
 * PASIDs per user
 */

/*
 * @n secondaries and a render file for each, made as root; then, as
 * @uid, ACQUIRE_VM on each: sends each result (0 or -errno) and the PASID
 * of the last context, then keeps them until told to exit (or reaped).
 */
static int pasid_tenant(void *arg, int in, int out)
{
	const struct ctx_arg *a = arg;
	struct vkfd_context c[PASID_CAP + 1];
	int render[PASID_CAP + 1];
	uint64_t go;
	int i;

	if (a->n > PASID_CAP + 1)
		return 1;
	for (i = 0; i < a->n; i++) {
		if (vkfd_open_secondary(a->env->dev, &c[i]))
			return 2;
		render[i] = vkfd_render_open(a->env->topology, a->gpu);
		if (render[i] < 0)
			return 3;
	}
	if (tenant_drop_to(a->uid))
		return 4;
	for (i = 0; i < a->n; i++)
		if (vkfd_msg_send(out, (uint64_t)(int64_t)
				  _test_acquire_vm(c[i].fd, render[i], a->gpu)))
			return 5;
	if (vkfd_msg_send(out, vkfd_ctx_pasid(c[a->n - 1].fd, 0)))
		return 6;
	/* Until the parent says so, or stops listening */
	vkfd_msg_recv(in, &go);
	return 0;
}

/* Start pasid_tenant() in @c and check its ACQUIRE_VMs: @ok succeed, the rest ENOSPC. */
static void pasid_tenant_start(struct __test_metadata *_metadata,
			       struct vkfd_child *c, struct ctx_arg *a, int ok)
{
	uint64_t v;
	int i;

	ASSERT_EQ(0, vkfd_child_start(c, pasid_tenant, a));
	for (i = 0; i < a->n; i++) {
		ASSERT_EQ(0, vkfd_msg_recv(c->from_child, &v));
		EXPECT_EQ(i < ok ? 0 : -ENOSPC, (int64_t)v)
			TH_LOG("uid %u, context %d", a->uid, i);
	}
	ASSERT_EQ(0, vkfd_msg_recv(c->from_child, &v));
	/* A refused ACQUIRE_VM leaves the context without a PASID */
	if (ok < a->n) {
		EXPECT_EQ(0ULL, v);
	} else {
		EXPECT_NE(0ULL, v);
	}
}

/*
 * A user without CAP_SYS_RESOURCE holds at most max_pasids_per_user
 * PASIDs: the next ACQUIRE_VM fails with ENOSPC, while another user and
 * root still get theirs; the PASIDs are the user's again once the
 * holder exits.
 */
TEST_F(tenant_ctx, pasids_per_user)
{
	struct ctx_arg hog = { &self->b.env, self->b.gpu[0], TENANT_UID,
			       PASID_CAP + 1, 0 };
	struct ctx_arg other = { &self->b.env, self->b.gpu[0], TENANT_UID2,
				 1, 0 };
	struct ctx_arg again = hog;
	struct vkfd_context c;
	int render;

	again.n = PASID_CAP;
	ASSERT_EQ(0, tenant_param_set("max_pasids_per_user", PASID_CAP));
	pasid_tenant_start(_metadata, &self->extra[0], &hog, PASID_CAP);

	/* While the hog holds its PASIDs: another user, and root */
	pasid_tenant_start(_metadata, &self->extra[1], &other, 1);
	EXPECT_EQ(0, vkfd_child_wait(&self->extra[1]));
	ASSERT_EQ(0, vkfd_secondary_vm(&self->b.env, self->b.gpu[0], &c,
				       &render));
	EXPECT_NE(0U, vkfd_ctx_pasid(c.fd, 0));
	EXPECT_EQ(0, vkfd_close(&c));
	EXPECT_EQ(0, close(render));

	/* The hog exits: its user may hold as many again */
	EXPECT_EQ(0, vkfd_child_wait(&self->extra[0]));
	pasid_tenant_start(_metadata, &self->extra[0], &again, PASID_CAP);
	EXPECT_EQ(0, vkfd_child_wait(&self->extra[0]));
}

/* ------------------------------------------------------------------------
 * Who may open
 */

/* The state letter of process @pid ('R', 'S', 'D', 'Z', ...), or 0. */
static char proc_state(pid_t pid)
{
	char path[64], text[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (vkfd_read_text(path, text, sizeof(text)) < 0)
		return 0;
	p = strrchr(text, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* Wait (bounded) until process @pid is in state @state; true if it is. */
static bool proc_wait_state(pid_t pid, char state)
{
	uint64_t end = vkfd_now_ms() + WAIT_MS;

	while (proc_state(pid) != state) {
		if (vkfd_now_ms() > end)
			return false;
		vkfd_sleep_ms(5);
	}
	return true;
}

/*
 * The thread left when the leader has exited: opens the process's
 * primary, which works (its id, a VM). Exits the process with the step
 * that failed, 0 if none.
 */
static void *late_opener(void *arg)
{
	const struct ctx_arg *a = arg;
	struct vkfd_context k;
	int render;

	if (!proc_wait_state(getpid(), 'Z'))
		_exit(1);
	if (vkfd_open_primary(a->env->dev, &k))
		_exit(2);
	if (vkfd_ctx_id_of_fd(k.fd) != VKFD_CTX_ID_PRIMARY)
		_exit(3);
	if (vkfd_open_vm(&k, a->env->topology, a->gpu, &render))
		_exit(4);
	_exit(0);
}

static int leader_exits(void *arg, int in, int out)
{
	pthread_t t;

	if (pthread_create(&t, NULL, late_opener, arg))
		return 10;
	pthread_exit(NULL);
}

/* A thread may open once the thread-group leader has exited (pthread_exit()). */
TEST_F(tenant_ctx, open_after_leader_exit)
{
	struct ctx_arg a = { &self->b.env, self->b.gpu[0], 0, 0, 0 };
	int code;

	ASSERT_EQ(0, vkfd_child_start(&self->b.child, leader_exits, &a));
	code = vkfd_child_wait(&self->b.child);
	EXPECT_EQ(0, code) TH_LOG("failed at step %d", code);
}

/* What a vfork() or CLONE_VM child saw of its open(). */
struct ctx_open_result {
	const char *dev;
	int fd;
	int err;
};

/* open() in a vfork() child: recorded in @r, in the parent's memory. */
static pid_t vfork_open(struct ctx_open_result *r)
{
	pid_t pid;

	r->fd = -2;
	r->err = 0;
	pid = vfork();
	if (pid == 0) {
		r->fd = open(r->dev, O_RDWR | O_CLOEXEC);
		r->err = errno;
		_exit(0);
	}
	return pid;
}

/*
 * A vfork() child, before and after its parent opened, gets EINVAL, and
 * the parent's primary stays the parent's. The exit code is the step
 * that failed.
 */
static int vfork_opener(void *arg, int in, int out)
{
	const struct ctx_arg *a = arg;
	struct ctx_open_result r = { .dev = a->env->dev };
	struct vkfd_context k;
	pid_t pid;

	pid = vfork_open(&r);
	if (pid < 0 || waitpid(pid, NULL, 0) != pid)
		return 1;
	if (r.fd != -1 || r.err != EINVAL)
		return 2;
	if (vkfd_open_primary(a->env->dev, &k))
		return 3;
	if (vkfd_ctx_id_of_fd(k.fd) != VKFD_CTX_ID_PRIMARY)
		return 4;
	pid = vfork_open(&r);
	if (pid < 0 || waitpid(pid, NULL, 0) != pid)
		return 5;
	if (r.fd != -1 || r.err != EINVAL)
		return 6;
	if (vkfd_ctx_id_of_fd(k.fd) != VKFD_CTX_ID_PRIMARY)
		return 7;
	return 0;
}

/* A vfork() child may not open: the address space is its parent's. */
TEST_F(tenant_ctx, vfork_child_open_einval)
{
	struct ctx_arg a = { &self->b.env, self->b.gpu[0], 0, 0, 0 };
	int code;

	ASSERT_EQ(0, vkfd_child_start(&self->b.child, vfork_opener, &a));
	code = vkfd_child_wait(&self->b.child);
	EXPECT_EQ(0, code) TH_LOG("failed at step %d", code);
}

/* The CLONE_VM child: open(), recorded in its (shared) memory. */
static int clone_vm_open(void *arg)
{
	struct ctx_open_result *r = arg;

	r->fd = syscall(SYS_openat, AT_FDCWD, r->dev, O_RDWR | O_CLOEXEC);
	r->err = r->fd < 0 ? errno : 0;
	return 0;
}

/*
 * The process opens first; a process sharing its address space
 * (clone(CLONE_VM) without CLONE_THREAD) then gets EINVAL, and the
 * primary stays the first one's.
 */
static int clone_vm_opener(void *arg, int in, int out)
{
	const struct ctx_arg *a = arg;
	struct ctx_open_result r = { .dev = a->env->dev, .fd = -2 };
	struct vkfd_context k;
	char *stack;
	pid_t pid;

	if (vkfd_open_primary(a->env->dev, &k))
		return 1;
	stack = mmap(NULL, CTX_STACK, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (stack == MAP_FAILED)
		return 2;
	pid = clone(clone_vm_open, stack + CTX_STACK, CLONE_VM | SIGCHLD, &r);
	if (pid < 0 || waitpid(pid, NULL, 0) != pid)
		return 3;
	if (r.fd != -1 || r.err != EINVAL)
		return 4;
	if (vkfd_ctx_id_of_fd(k.fd) != VKFD_CTX_ID_PRIMARY)
		return 5;
	return 0;
}

/* Another process sharing the address space may not open the owner's primary. */
TEST_F(tenant_ctx, clone_vm_process_open_einval)
{
	struct ctx_arg a = { &self->b.env, self->b.gpu[0], 0, 0, 0 };
	int code;

	ASSERT_EQ(0, vkfd_child_start(&self->b.child, clone_vm_opener, &a));
	code = vkfd_child_wait(&self->b.child);
	EXPECT_EQ(0, code) TH_LOG("failed at step %d", code);
}

/* ------------------------------------------------------------------------
 * open() while a process's mmap lock is held
 */

/* A: told to, opens /dev/kfd (its first: a new primary); sends 0 or -errno. */
static int mmap_opener(void *arg, int in, int out)
{
	const struct ctx_arg *a = arg;
	struct vkfd_context k;
	uint64_t go;

	if (vkfd_msg_recv(in, &go))
		return 1;
	if (vkfd_msg_send(out, (uint64_t)(int64_t)vkfd_open_primary(a->env->dev, &k)))
		return 2;
	/* Until reaped */
	vkfd_msg_recv(in, &go);
	return 0;
}

/* H: holds A's mmap lock until released; the exit code is -errno. */
static int mmap_holder(void *arg, int in, int out)
{
	const struct ctx_arg *a = arg;

	return -vkfd_mmap_hold(a->pid);
}

/*
 * B: another process opens (a new primary), makes a secondary and closes
 * it, then says so; its exit follows. The exit code is the step that
 * failed.
 */
static int other_opener(void *arg, int in, int out)
{
	const struct ctx_arg *a = arg;
	struct vkfd_context p, s;

	if (vkfd_open_primary(a->env->dev, &p))
		return 1;
	if (vkfd_open_secondary(a->env->dev, &s))
		return 2;
	if (vkfd_close(&s))
		return 3;
	if (vkfd_msg_send(out, 0))
		return 4;
	return 0;
}

/* True if @fd becomes readable within WAIT_MS. */
static bool readable_within(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, WAIT_MS) == 1;
}

/*
 * Process A's open() waits for A's mmap lock, held by another task (as
 * during a page fault served by user space): that blocks A alone. Another
 * process's open, secondary, close and exit complete meanwhile; A's open
 * completes once the lock is dropped.
 */
TEST_F(tenant_ctx, open_blocked_on_mmap_lock_blocks_no_other)
{
	struct ctx_arg a = { &self->b.env, self->b.gpu[0], 0, 0, 0 };
	struct vkfd_child *opener = &self->extra[0];
	struct vkfd_child *holder = &self->extra[1];
	struct vkfd_child *other = &self->extra[2];
	uint64_t end, v;
	bool ok;
	int fd;

	ASSERT_TRUE(vkfd_hooks_present());
	ASSERT_EQ(0, vkfd_mmap_holders());
	ASSERT_EQ(0, vkfd_child_start(opener, mmap_opener, &a));
	a.pid = opener->pid;
	ASSERT_EQ(0, vkfd_child_start(holder, mmap_holder, &a));
	end = vkfd_now_ms() + WAIT_MS;
	while (vkfd_mmap_holders() != 1 && vkfd_now_ms() < end)
		vkfd_sleep_ms(5);
	ASSERT_EQ(1, vkfd_mmap_holders());

	/* A opens: it waits for its mmap lock, uninterruptibly */
	ASSERT_EQ(0, vkfd_msg_send(opener->to_child, 1));
	ASSERT_TRUE(proc_wait_state(opener->pid, 'D'));

	/* B, and this process, are not held up */
	ASSERT_EQ(0, vkfd_child_start(other, other_opener, &a));
	ok = readable_within(other->from_child);
	EXPECT_TRUE(ok)
		TH_LOG("another process's open is blocked behind A's mmap lock");
	if (!ok) {
		vkfd_mmap_release();
		return;
	}
	EXPECT_EQ(0, vkfd_child_wait(other));
	fd = vkfd_open_dev(&self->b.env);
	EXPECT_LE(0, fd);
	EXPECT_EQ(0, close(fd));

	/* Released: A's open completes */
	ASSERT_EQ(0, vkfd_mmap_release());
	ASSERT_TRUE(readable_within(opener->from_child));
	ASSERT_EQ(0, vkfd_msg_recv(opener->from_child, &v));
	EXPECT_EQ(0, (int64_t)v);
	EXPECT_EQ(0, vkfd_child_wait(holder));
	EXPECT_EQ(0, vkfd_child_wait(opener));
	EXPECT_EQ(0, vkfd_mmap_holders());
}

TEST_HARNESS_MAIN
