// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Queues against the lifetime of their context: close and exit with
 * queues (everything back to baseline: sysfs and the test hooks), fork
 * and exec; docs/adversarial.rst row 5 (ids guessed and destroyed
 * while being made) and concurrent creation; and a fault-injection sweep
 * over CREATE_QUEUE (debug kernel).
 *
 * vkfd only: the amdkfd lane has no GPU to make queues on.
 */
#include "kselftest_harness.h"
#include "queue_utils.h"

#include <pthread.h>

/* Contexts of @pid, polled until there are @n (bounded): the count. */
static int q_rows_settle(pid_t pid, int n)
{
	int ms, rows = vkfd_ctx_rows(pid);

	for (ms = 0; ms < Q_GONE_MS && rows != n; ms += 20) {
		vkfd_sleep_ms(20);
		rows = vkfd_ctx_rows(pid);
	}
	return rows;
}

/* The last close of a secondary with queues: they, and it, are gone at once. */
TEST_F(queue, close_with_queues)
{
	static const uint32_t types[] = {
		KFD_IOC_QUEUE_TYPE_SDMA, KFD_IOC_QUEUE_TYPE_COMPUTE,
		KFD_IOC_QUEUE_TYPE_COMPUTE_AQL, KFD_IOC_QUEUE_TYPE_SDMA_XGMI,
	};
	struct kfd_ioctl_create_queue_args a;
	struct vkfd_ctx_row row;
	char path[PATH_MAX];
	unsigned int i;
	uint64_t *db;
	uint32_t id;
	int s;

	Q_NEED_GPUS(1);
	s = vkfd_keep_secondary_vm(&self->b, 0);
	id = vkfd_ctx_id_of_fd(s);
	for (i = 0; i < 4; i++) {
		a = q_args(self->b.gpu[0], types[i], Q_RING);
		ASSERT_EQ(0, _test_create_queue(s, &a));
	}
	/* A disabled queue, and one whose doorbell was rung */
	ASSERT_EQ(0, q_update(s, 0, 0, 0, 0, 0));
	db = q_doorbells_map(s, self->b.gpu[0]);
	ASSERT_NE(MAP_FAILED, db);
	db[3] = 64;
	ASSERT_EQ(0, munmap(db, Q_DOORBELL_SIZE));
	EXPECT_EQ(4, q_sysfs_count(self, self->b.pid, id));
	ASSERT_EQ(0, vkfd_ctx_row(self->b.pid, id, &row));

	vkfd_cleanup_close(&self->b.cl, s);
	vkfd_ctx_sysfs_path(&self->b.env, self->b.pid, id, "", path, sizeof(path));
	EXPECT_FALSE(vkfd_exists(path));
	EXPECT_EQ(-ENOENT, vkfd_ctx_row(self->b.pid, id, &row));
	/* The primary's rows are all that is left */
	EXPECT_EQ(1, vkfd_ctx_rows(self->b.pid));
	EXPECT_QUEUES(self->b.p.fd, 0);
}

struct q_exit_args {
	const struct vkfd_env *env;
	uint32_t gpu;
};

/* Child: a primary and a secondary, with queues and doorbell mappings; exits when told. */
static int q_exit_child(void *arg, int in, int out)
{
	const struct q_exit_args *a = arg;
	struct vkfd_context c[2];
	uint64_t v, *db;
	int i, j, render;

	if (vkfd_open_primary(a->env->dev, &c[0]) ||
	    vkfd_open_secondary(a->env->dev, &c[1]))
		return 1;
	for (i = 0; i < 2; i++) {
		if (vkfd_open_vm(&c[i], a->env->topology, a->gpu, &render))
			return 2;
		for (j = 0; j < 3; j++)
			if (q_create(c[i].fd, a->gpu) != j)
				return 3;
		db = q_doorbells_map(c[i].fd, a->gpu);
		if (db == MAP_FAILED)
			return 4;
		db[1] = 128;	/* left mapped, and rung */
	}
	if (vkfd_msg_send(out, 1))
		return 5;
	vkfd_msg_recv(in, &v);
	return 0;	/* exit with all of it */
}

/*
 * A process exiting with queues and doorbell mappings (its VMs go while
 * the mappings still exist): its directories go before it is reaped,
 * every context of it soon after.
 */
TEST_F(queue, exit_with_queues)
{
	struct q_exit_args a = { &self->b.env, self->b.gpu[0] };
	char path[PATH_MAX];
	uint64_t v;
	pid_t pid;

	Q_NEED_GPUS(1);
	ASSERT_EQ(0, vkfd_child_start(&self->b.child, q_exit_child, &a));
	pid = self->b.child.pid;
	ASSERT_EQ(0, vkfd_msg_recv(self->b.child.from_child, &v));
	EXPECT_EQ(3, q_sysfs_count(self, pid, VKFD_CTX_ID_PRIMARY));
	EXPECT_EQ(3, q_sysfs_count(self, pid, 0));
	EXPECT_EQ(2, vkfd_ctx_rows(pid));

	ASSERT_EQ(0, vkfd_child_wait(&self->b.child));
	EXPECT_FALSE(vkfd_proc_exists(&self->b.env, pid));
	EXPECT_EQ(0, q_rows_settle(pid, 0));
	vkfd_debugfs_path(path, sizeof(path), "/proc/%d", (int)pid);
	EXPECT_FALSE(vkfd_exists(path));
	/* This process's contexts are untouched */
	EXPECT_EQ(0, q_create(self->b.p.fd, self->b.gpu[0]));
}

/* Child: the parent's fds make, destroy and change no queue. */
static int q_fork_ioctl_child(void *arg, int in, int out)
{
	const int *fds = arg;
	struct kfd_ioctl_create_queue_args c;
	int i;

	for (i = 0; i < 2; i++) {
		c = q_args(fds[2], KFD_IOC_QUEUE_TYPE_SDMA, Q_RING);
		if (_test_create_queue(fds[i], &c) != -EBADF || c.queue_id)
			return 1 + i;
		if (_test_destroy_queue(fds[i], 0) != -EBADF ||
		    q_update(fds[i], 0, 0, 0, 0, 0) != -EBADF)
			return 3 + i;
	}
	return 0;
}

/* A fork child cannot reach the parent's queues; the parent's stay. */
TEST_F(queue, fork_child_ebadf)
{
	int fds[3];

	Q_NEED_GPUS(1);
	fds[0] = self->b.p.fd;
	fds[1] = vkfd_keep_secondary_vm(&self->b, 0);
	fds[2] = (int)self->b.gpu[0];
	ASSERT_EQ(0, q_create(fds[0], self->b.gpu[0]));
	ASSERT_EQ(0, q_create(fds[1], self->b.gpu[0]));
	ASSERT_EQ(0, vkfd_child_start(&self->b.child, q_fork_ioctl_child, fds));
	EXPECT_EQ(0, vkfd_child_wait(&self->b.child));
	EXPECT_QUEUE_SYSFS(fds[0], 0, Q_RING, Q_SYSFS_SDMA, self->b.gpu[0]);
	EXPECT_QUEUE_SYSFS(fds[1], 0, Q_RING, Q_SYSFS_SDMA, self->b.gpu[0]);
	EXPECT_QUEUES(fds[0], 1);
	EXPECT_QUEUES(fds[1], 1);
}

/* Exec's child: queues in a primary and a secondary, fds kept across exec(). */
static int q_exec_child(void *arg, int in, int out)
{
	const struct q_exit_args *a = arg;
	char env[64], *argv[] = { "/proc/self/exe", NULL };
	struct vkfd_context c[2];
	int i, render;

	if (vkfd_open_primary(a->env->dev, &c[0]) ||
	    vkfd_open_secondary(a->env->dev, &c[1]))
		return 1;
	for (i = 0; i < 2; i++) {
		if (vkfd_open_vm(&c[i], a->env->topology, a->gpu, &render) ||
		    q_create(c[i].fd, a->gpu) != 0)
			return 2;
		if (fcntl(c[i].fd, F_SETFD, 0))
			return 3;
		if (q_doorbells_map(c[i].fd, a->gpu) == MAP_FAILED)
			return 4;
	}
	snprintf(env, sizeof(env), "%d,%d,%u", c[0].fd, c[1].fd, a->gpu);
	setenv("VKFD_QUEUE_EXEC", env, 1);
	execv(argv[0], argv);
	return 5;
}

/* After exec (see q_exec_check()): the old contexts' queues are unreachable. */
TEST_F(queue, exec_keeps_fds)
{
	struct q_exit_args a = { &self->b.env, self->b.gpu[0] };

	Q_NEED_GPUS(1);
	ASSERT_EQ(0, vkfd_child_start(&self->b.child, q_exec_child, &a));
	EXPECT_EQ(0, vkfd_child_wait(&self->b.child));
}

__attribute__((constructor)) static void q_exec_check(void)
{
	const char *fds = getenv("VKFD_QUEUE_EXEC");
	struct kfd_ioctl_create_queue_args c;
	struct vkfd_env env;
	int i, fd[2], p, ms;
	uint32_t gpu;
	void *db;

	if (!fds)
		return;
	vkfd_env_init(&env);
	if (sscanf(fds, "%d,%d,%u", &fd[0], &fd[1], &gpu) != 3)
		_exit(10);
	for (i = 0; i < 2; i++) {
		/* The old contexts belong to the old address space */
		c = q_args(gpu, KFD_IOC_QUEUE_TYPE_SDMA, Q_RING);
		if (_test_create_queue(fd[i], &c) != -EBADF || _test_destroy_queue(fd[i], 0) != -EBADF ||
		    q_update(fd[i], 0, 0, 0, 0, 0) != -EBADF)
			_exit(11 + i);
		db = q_doorbells_map(fd[i], gpu);
		if (db != MAP_FAILED || errno != EBADF)
			_exit(13 + i);
	}
	/* The old primary went with the address space: a new one, without queues */
	p = vkfd_open_dev(&env);
	if (p < 0 || !vkfd_proc_exists(&env, getpid()))
		_exit(15);
	{
		char path[PATH_MAX];

		vkfd_ctx_sysfs_path(&env, getpid(), VKFD_CTX_ID_PRIMARY, "queues",
				    path, sizeof(path));
		if (vkfd_count_entries(path) != 0)
			_exit(16);
	}
	/* Closing the old fds frees the old contexts, their queues with them */
	close(fd[0]);
	close(fd[1]);
	for (ms = 0; ms < Q_GONE_MS && vkfd_ctx_rows(getpid()) != 1; ms += 20)
		vkfd_sleep_ms(20);
	if (vkfd_ctx_rows(getpid()) != 1)
		_exit(17);
	_exit(0);
}

struct q_race {
	int fd;
	uint32_t gpu;
	volatile bool stop;
	long destroyed;
};

/* Destroys and changes the ids it predicts the creator gets next. */
static void *q_guess_thread(void *arg)
{
	struct q_race *r = arg;
	uint32_t id;

	while (!r->stop) {
		for (id = 0; id < 4; id++) {
			q_update(r->fd, id, Q_RING_VA, Q_RING, 0, 0);
			if (!_test_destroy_queue(r->fd, id))
				r->destroyed++;
		}
	}
	return NULL;
}

/*
 * Row 5 (xe): an id names its queue only once the queue is complete. One
 * thread creates and destroys, another destroys and updates the ids it
 * guesses: every queue is destroyed exactly once, by one of them, and
 * none is left.
 */
TEST_F_TIMEOUT(queue, race_guessed_ids, 300)
{
	struct q_race r;
	int i, n = vkfd_scaled(3000), id, mine = 0, ret;
	pthread_t t;

	Q_NEED_GPUS(1);
	r = (struct q_race){ .fd = vkfd_keep_secondary_vm(&self->b, 0),
			     .gpu = self->b.gpu[0] };
	ASSERT_EQ(0, pthread_create(&t, NULL, q_guess_thread, &r));
	for (i = 0; i < n; i++) {
		id = q_create(r.fd, r.gpu);
		ASSERT_LE(0, id) TH_LOG("create %d: %s", i, strerror(-id));
		ret = q_update(r.fd, id, Q_RING_VA, Q_RING, 100, 0);
		ASSERT_TRUE(ret == 0 || ret == -EFAULT);
		ret = _test_destroy_queue(r.fd, id);
		ASSERT_TRUE(ret == 0 || ret == -EINVAL);
		mine += !ret;
	}
	r.stop = true;
	pthread_join(t, NULL);
	EXPECT_EQ(n, mine + r.destroyed);
	EXPECT_QUEUES(r.fd, 0);
	TH_LOG("%d destroyed by the creator, %ld by the guesser", mine, r.destroyed);
}

struct q_maker {
	int fd;
	uint32_t gpu;
	int n;
	int ids[256];
	int err;
};

static void *q_make_thread(void *arg)
{
	struct q_maker *m = arg;
	int i;

	for (i = 0; i < m->n; i++) {
		m->ids[i] = q_create(m->fd, m->gpu);
		if (m->ids[i] < 0) {
			m->err = m->ids[i];
			break;
		}
	}
	return NULL;
}

/* Four threads making 256 queues each in one context: 1024 distinct ids. */
TEST_F_TIMEOUT(queue, race_concurrent_create, 300)
{
	static struct q_maker m[4];
	bool seen[Q_MAX] = { false };
	pthread_t t[4];
	int i, j, fd;

	Q_NEED_GPUS(1);
	fd = vkfd_keep_secondary_vm(&self->b, 0);
	for (i = 0; i < 4; i++) {
		m[i] = (struct q_maker){ .fd = fd, .gpu = self->b.gpu[0], .n = 256 };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, q_make_thread, &m[i]));
	}
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, m[i].err);
		for (j = 0; j < 256; j++) {
			ASSERT_GT(Q_MAX, m[i].ids[j]);
			ASSERT_FALSE(seen[m[i].ids[j]]) TH_LOG("id %d twice", m[i].ids[j]);
			seen[m[i].ids[j]] = true;
		}
	}
	EXPECT_QUEUES(fd, Q_MAX);
	EXPECT_EQ(-ENOSPC, q_create(fd, self->b.gpu[0]));
	vkfd_cleanup_close(&self->b.cl, fd);
}

/* What the doorbell of a queue not yet made holds, written by the test. */
#define Q_DOORBELL_MARK	0x5eedULL

/*
 * One iteration of the CREATE_QUEUE sweeps, in a new secondary with a VM
 * that has @n queues (0 or 1) before the call: ENOMEM, no queue, no id
 * kept and, with a queue before, the doorbell of the id left as the test
 * wrote it; the retry works and resets that doorbell.
 */
static void q_create_sweep(struct __test_metadata *_metadata,
			   FIXTURE_DATA(queue) *self,
			   struct vkfd_fail_nth *_nth, uint32_t n)
{
	struct kfd_ioctl_create_queue_args a;
	struct vkfd_context c;
	uint64_t *db = NULL;
	int s, ret, render;

	ASSERT_EQ(0, vkfd_secondary_vm(&self->b.env, self->b.gpu[0], &c,
				       &render));
	s = c.fd;
	if (n) {
		ASSERT_EQ(0, q_create(s, self->b.gpu[0]));
		/* Without a queue, the slice is the call's to make */
		db = q_doorbells_map(s, self->b.gpu[0]);
		ASSERT_NE(MAP_FAILED, db);
		db[n] = Q_DOORBELL_MARK;
	}
	a = q_args(self->b.gpu[0], KFD_IOC_QUEUE_TYPE_SDMA, Q_RING);
	ret = fail_nth_call(_test_create_queue(s, &a));
	if (ret) {
		ASSERT_EQ(-ENOMEM, ret) TH_LOG("fault %d", fail_nth_n());
		EXPECT_QUEUES(s, (int)n);
		if (db)
			EXPECT_EQ(Q_DOORBELL_MARK, db[n])
				TH_LOG("fault %d", fail_nth_n());
		a = q_args(self->b.gpu[0], KFD_IOC_QUEUE_TYPE_SDMA, Q_RING);
		test_create_queue(s, &a);
	}
	ASSERT_EQ(n, a.queue_id) TH_LOG("fault %d", fail_nth_n());
	EXPECT_EQ(q_doorbell_offset(self->b.gpu[0], n), a.doorbell_offset);
	if (db)
		EXPECT_EQ(0ULL, db[n]) TH_LOG("fault %d", fail_nth_n());
	EXPECT_QUEUES(s, (int)n + 1);
	test_destroy_queue(s, n);
	if (db)
		munmap(db, Q_DOORBELL_SIZE);
	close(s);
	close(render);
}

/* The first CREATE_QUEUE of a secondary, which makes its doorbell slice. */
VKFD_FAIL_NTH(queue, create_first_fault_sweep)
{
	Q_NEED_GPUS(1);
	q_create_sweep(_metadata, self, _nth, 0);
}

/* A CREATE_QUEUE in a secondary that has a queue (and a doorbell slice). */
VKFD_FAIL_NTH(queue, create_second_fault_sweep)
{
	Q_NEED_GPUS(1);
	q_create_sweep(_metadata, self, _nth, 1);
}

TEST_HARNESS_MAIN
