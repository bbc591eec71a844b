// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The lifetimes of secondary contexts: fork children and exec() cannot
 * use them, SCM_RIGHTS passes them beyond their process, closing order,
 * processes exiting with many of them (and racing with their closes),
 * and 65,535 secondaries in one process. Creation, ids and the rest are
 * in ctx.c.
 *
 * Linux 6.1's amdkfd has no secondary contexts (nr 0x27 is ENOTTY): every
 * test here skips there, saying so.
 */
#include <sys/resource.h>

#include "kselftest_harness.h"
#include "ctx_utils.h"

/*
 * Contexts of @pid (only context @which, "primary" or a secondary's id,
 * if not NULL), and how many of them have exited, as the test hooks count
 * them; -1 if they cannot be asked.
 */
static int ctx_hooks_count(pid_t pid, const char *which, int *exited)
{
	struct vkfd_ctx_row row;
	uint32_t id;
	int ret;

	if (exited)
		*exited = 0;
	if (!which) {
		ret = vkfd_ctx_count(pid, exited);
		return ret < 0 ? -1 : ret;
	}
	id = strcmp(which, "primary") ? strtoul(which, NULL, 10) :
					VKFD_CTX_ID_PRIMARY;
	ret = vkfd_ctx_row(pid, id, &row);
	if (ret)
		return ret == -ENOENT ? 0 : -1;
	if (exited)
		*exited = row.exited;
	return 1;
}

static int ctx_raise_nofile(unsigned int n)
{
	struct rlimit rl = { n, n };

	return setrlimit(RLIMIT_NOFILE, &rl) ? -errno : 0;
}

struct inherit_args {
	int fd;
};

/* Child: every ioctl on an inherited fd is EBADF. */
static int inherit_child(void *arg, int in, int out)
{
	const struct inherit_args *a = arg;
	struct kfd_ioctl_get_version_args ver = { 0 };

	if (_test_create_process(a->fd) != -EBADF)
		return 1;
	if (_test_ioctl(a->fd, AMDKFD_IOC_GET_VERSION, &ver) != -EBADF)
		return 2;
	if (vkfd_ctx_id_of_fd(a->fd) != -EBADF)
		return 3;
	/* The number is checked first, as amdkfd does */
	if (_test_ioctl(a->fd, AMDKFD_IOWR(0x7f, ver), &ver) != -ENOTTY)
		return 4;
	return 0;
}

/* A fork child cannot convert or use the parent's primary fd: EBADF, no context appears. */
TEST_F(ctx, fork_child_cannot_create)
{
	struct inherit_args a = { .fd = vkfd_keep_open(&self->b) };

	ASSERT_EQ(0, vkfd_child_start(&self->b.child, inherit_child, &a));
	EXPECT_EQ(0, vkfd_child_wait(&self->b.child));
	EXPECT_EQ(VKFD_CTX_ID_PRIMARY, vkfd_ctx_id_of_fd(a.fd));
	EXPECT_EQ(0, vkfd_ctx_dir_count(&self->b.env, getpid()));
}

/* A fork child cannot use an inherited secondary; the parent's keeps working after the child exits. */
TEST_F(ctx, fork_child_cannot_use_secondary)
{
	struct inherit_args a = { .fd = vkfd_keep_open(&self->b) };

	ASSERT_EQ(0, _test_create_process(a.fd));
	ASSERT_EQ(0, vkfd_child_start(&self->b.child, inherit_child, &a));
	EXPECT_EQ(0, vkfd_child_wait(&self->b.child));
	EXPECT_EQ(0, vkfd_ctx_id_of_fd(a.fd));
	EXPECT_TRUE(ctx_dir_exists(&self->b.env, getpid(), 0));
}

struct sender_args {
	const struct vkfd_env *env;
	int sock;
};

/* Child: open a primary and a secondary, send the secondary's fd, wait. */
static int sender_child(void *arg, int in, int out)
{
	const struct sender_args *a = arg;
	uint64_t v;
	int fd;

	if (vkfd_open_dev(a->env) < 0)
		return 1;
	fd = vkfd_open_dev(a->env);
	if (fd < 0 || _test_create_process(fd))
		return 2;
	if (vkfd_send_fd(a->sock, fd))
		return 3;
	vkfd_msg_recv(in, &v);
	return 0;
}

/*
 * A secondary passed over SCM_RIGHTS outlives its process, unusable: its
 * directories go with the process, the test hooks show it as exited
 * until the receiver closes it.
 */
TEST_F(ctx, scm_rights_secondary_outlives_sender)
{
	struct sender_args a;
	pid_t pid;
	int sv[2], fd, exited;

	if (!vkfd_debugfs_present())
		SKIP(return, "no debugfs at %s", vkfd_debugfs_root());
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	a = (struct sender_args){ .env = &self->b.env, .sock = sv[1] };
	ASSERT_EQ(0, vkfd_child_start(&self->b.child, sender_child, &a));
	pid = self->b.child.pid;
	fd = vkfd_recv_fd(sv[0]);
	close(sv[0]);
	close(sv[1]);
	ASSERT_LE(0, fd);
	vkfd_keep(&self->b, fd);
	EXPECT_TRUE(ctx_dir_exists(&self->b.env, pid, 0));
	EXPECT_EQ(-EBADF, vkfd_ctx_id_of_fd(fd));

	/*
	 * The sender exits: its directories go; the secondary stays, and so
	 * does the primary it holds a reference on, both marked exited.
	 */
	ASSERT_EQ(0, vkfd_child_wait(&self->b.child));
	EXPECT_FALSE(vkfd_proc_exists(&self->b.env, pid));
	EXPECT_EQ(2, ctx_hooks_count(pid, NULL, &exited));
	EXPECT_EQ(2, exited);
	EXPECT_EQ(1, ctx_hooks_count(pid, "0", NULL));
	EXPECT_EQ(-EBADF, vkfd_ctx_id_of_fd(fd));

	/* The receiver's close frees the secondary before close() returns */
	vkfd_cleanup_close(&self->b.cl, fd);
	EXPECT_EQ(0, ctx_hooks_count(pid, "0", NULL));
	/* The primary goes after its MMU notifier's grace period: poll */
	for (int ms = 0; ms < 10000 && ctx_hooks_count(pid, NULL, NULL); ms += 10)
		vkfd_sleep_ms(10);
	EXPECT_EQ(0, ctx_hooks_count(pid, NULL, NULL));
}

/* Both fds are closed by the parent; the child's exit status tells. */
static int exec_child(void *arg, int in, int out)
{
	const struct vkfd_env *env = arg;
	char fds[32], *argv[] = { "/proc/self/exe", NULL };
	int p, s;

	p = vkfd_open_dev(env);
	s = vkfd_open_dev(env);
	if (p < 0 || s < 0 || _test_create_process(s))
		return 1;
	/* Both fds without O_CLOEXEC */
	if (fcntl(p, F_SETFD, 0) || fcntl(s, F_SETFD, 0))
		return 2;
	snprintf(fds, sizeof(fds), "%d,%d", p, s);
	setenv("VKFD_CTX_EXEC_FDS", fds, 1);
	execv(argv[0], argv);
	return 3;
}

/*
 * After exec() (the check runs in the new image, see ctx_exec_check()):
 * the old fds are unusable, and the new program gets a new primary.
 */
TEST_F(ctx, exec_without_cloexec)
{
	ASSERT_EQ(0, vkfd_child_start(&self->b.child, exec_child, &self->b.env));
	EXPECT_EQ(0, vkfd_child_wait(&self->b.child));
}

__attribute__((constructor)) static void ctx_exec_check(void)
{
	const char *fds = getenv("VKFD_CTX_EXEC_FDS");
	struct vkfd_env env;
	int p, s, fd;

	if (!fds)
		return;
	vkfd_env_init(&env);
	if (sscanf(fds, "%d,%d", &p, &s) != 2)
		_exit(10);
	/* The old primary and secondary belong to the old address space */
	if (vkfd_ctx_id_of_fd(p) != -EBADF || vkfd_ctx_id_of_fd(s) != -EBADF ||
	    _test_create_process(p) != -EBADF)
		_exit(11);
	/* The new program's open() makes a new primary and a new directory */
	fd = vkfd_open_dev(&env);
	if (fd < 0 || vkfd_ctx_id_of_fd(fd) != VKFD_CTX_ID_PRIMARY)
		_exit(12);
	if (!vkfd_proc_exists(&env, getpid()) || vkfd_ctx_dir_count(&env, getpid()))
		_exit(13);
	/* ... whose secondaries start again from id 0 */
	if (_test_create_process(fd) || vkfd_ctx_id_of_fd(fd) != 0)
		_exit(14);
	_exit(0);
}

/* Closing the primary's fd first leaves the secondary working; its close removes it at once. */
TEST_F(ctx, close_primary_fd_first)
{
	struct kfd_ioctl_get_version_args ver = { 0 };
	int p = vkfd_keep_open(&self->b);
	int s = vkfd_keep_open(&self->b);

	ASSERT_EQ(0, _test_create_process(s));
	vkfd_cleanup_close(&self->b.cl, p);
	test_ioctl(s, AMDKFD_IOC_GET_VERSION, &ver);
	EXPECT_EQ(0, vkfd_ctx_id_of_fd(s));
	vkfd_cleanup_close(&self->b.cl, s);
	EXPECT_FALSE(ctx_dir_exists(&self->b.env, getpid(), 0));
	/* The primary lives with the address space */
	EXPECT_TRUE(vkfd_proc_exists(&self->b.env, getpid()));
}

struct passer_args {
	const struct vkfd_env *env;
	int sock;
	int count;
};

/* Child: create and pass @count secondaries, then exit when told to. */
static int passer_child(void *arg, int in, int out)
{
	const struct passer_args *a = arg;
	uint64_t v;
	int i, fd;

	for (i = 0; i < a->count; i++) {
		fd = vkfd_open_dev(a->env);
		if (fd < 0 || _test_create_process(fd) || vkfd_send_fd(a->sock, fd))
			return 1;
		close(fd);
	}
	vkfd_msg_recv(in, &v);
	return 0;	/* the exit tears down the family's directories... */
}

/*
 * ... while the receiver closes the passed secondaries, destroying them:
 * the two teardowns meet in the family's directories and ids.
 */
TEST_F_TIMEOUT(ctx, exit_races_with_close_of_passed_secondaries, 300)
{
	struct passer_args a = { .env = &self->b.env, .count = 64 };
	int sv[2], fds[64], round, i;
	pid_t pid;

	for (round = 0; round < vkfd_scaled(10) + 2; round++) {
		ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
					sv));
		a.sock = sv[1];
		ASSERT_EQ(0, vkfd_child_start(&self->b.child, passer_child, &a));
		for (i = 0; i < a.count; i++) {
			fds[i] = vkfd_recv_fd(sv[0]);
			ASSERT_LE(0, fds[i]);
		}
		close(sv[0]);
		close(sv[1]);
		/* Let the child exit, and close everything at the same time */
		pid = self->b.child.pid;
		ASSERT_EQ(0, vkfd_msg_send(self->b.child.to_child, 1));
		for (i = 0; i < a.count; i++)
			close(fds[i]);
		ASSERT_EQ(0, vkfd_child_wait(&self->b.child));
		EXPECT_FALSE(vkfd_proc_exists(&self->b.env, pid));
	}
}

/*
 * How many secondaries a process exits with: 1,000, a tenth of that in
 * the scaled lanes (VKFD_TEST_SCALE); the debug lane's 100 under KASAN
 * and lockdep tear down as the 1,000 do, one context at a time.
 */
#define CTX_MANY	vkfd_scaled(1000)

/* Child: CTX_MANY secondaries, then report and wait to be told to exit. */
static int many_child(void *arg, int in, int out)
{
	uint64_t v;
	int i, fd;

	ctx_raise_nofile(CTX_MAX_FDS + 64);
	for (i = 0; i < CTX_MANY; i++) {
		fd = vkfd_open_dev(arg);
		if (fd < 0 || _test_create_process(fd))
			return 1;
	}
	if (vkfd_msg_send(out, CTX_MANY))
		return 2;
	vkfd_msg_recv(in, &v);
	return 0;
}

/* A process exiting with many open secondaries leaves no sysfs, no debugfs, no context. */
TEST_F_TIMEOUT(ctx, exit_with_many_secondaries, 600)
{
	char path[PATH_MAX];
	uint64_t n;
	pid_t pid;

	ASSERT_EQ(0, vkfd_child_start(&self->b.child, many_child, &self->b.env));
	pid = self->b.child.pid;
	ASSERT_EQ(0, vkfd_msg_recv(self->b.child.from_child, &n));
	EXPECT_EQ((uint64_t)CTX_MANY, n);
	EXPECT_EQ(CTX_MANY, vkfd_ctx_dir_count(&self->b.env, pid));
	if (vkfd_debugfs_present())
		EXPECT_EQ(CTX_MANY + 1, ctx_hooks_count(pid, NULL, NULL));
	EXPECT_EQ(0, vkfd_child_wait(&self->b.child));

	EXPECT_FALSE(vkfd_proc_exists(&self->b.env, pid));
	vkfd_debugfs_path(path, sizeof(path), "/proc/%d", (int)pid);
	EXPECT_FALSE(vkfd_exists(path));
	/* The secondaries went with the exiting process's fds */
	if (vkfd_debugfs_present())
		EXPECT_EQ(0, ctx_hooks_count(pid, "0", NULL));
}

static double ctx_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#define CTX_MAX_SECONDARIES	65535

/*
 * A process holds 65,535 secondaries at once — idle ones hold no PASID, so
 * the 16-bit PASID space does not limit them — and the next
 * CREATE_PROCESS fails with ENOSPC, leaving its fd bound to the primary.
 * Once they are closed, a secondary can be created again. Not scaled down:
 * the limit is the point.
 */
TEST_F_TIMEOUT(ctx, secondaries_65535_then_enospc, 1800)
{
	int *fds;
	int i, extra, ret;
	double t0, t1, t2;
	char path[PATH_MAX];

	/*
	 * It takes exactly 65,535 to reach ENOSPC, which cannot be scaled
	 * down: under KASAN that is four minutes. The distro lanes run it;
	 * the debug lane (VKFD_TEST_EXHAUSTIVE=0) leaves it to them, its
	 * exit_with_many_secondaries covers teardown under KASAN.
	 */
	if (!vkfd_exhaustive())
		SKIP(return, "VKFD_TEST_EXHAUSTIVE=0: distro-6.1 runs the 65,535");
	fds = malloc(CTX_MAX_SECONDARIES * sizeof(*fds));
	ASSERT_NE(NULL, fds);
	ASSERT_EQ(0, ctx_raise_nofile(CTX_MAX_SECONDARIES + 128));
	t0 = ctx_now();
	for (i = 0; i < CTX_MAX_SECONDARIES; i++) {
		fds[i] = vkfd_open_dev(&self->b.env);
		ASSERT_LE(0, fds[i]) TH_LOG("open #%d: %s", i, strerror(errno));
		ret = _test_create_process(fds[i]);
		ASSERT_EQ(0, ret) TH_LOG("secondary #%d: %s", i, strerror(-ret));
	}
	t1 = ctx_now();
	/* The lowest free ids, in order: 0 .. 65534 */
	EXPECT_EQ(0, vkfd_ctx_id_of_fd(fds[0]));
	EXPECT_EQ(CTX_MAX_SECONDARIES - 1, vkfd_ctx_id_of_fd(fds[CTX_MAX_SECONDARIES - 1]));
	EXPECT_TRUE(ctx_dir_exists(&self->b.env, getpid(), CTX_MAX_SECONDARIES - 1));

	/* One more: ENOSPC, and the fd is still the primary's */
	extra = vkfd_keep_open(&self->b);
	EXPECT_EQ(-ENOSPC, _test_create_process(extra));
	EXPECT_EQ(VKFD_CTX_ID_PRIMARY, vkfd_ctx_id_of_fd(extra));
	EXPECT_FALSE(ctx_dir_exists(&self->b.env, getpid(), CTX_MAX_SECONDARIES));
	EXPECT_EQ(-ENOSPC, _test_create_process(extra));
	/* Idle secondaries have no debugfs directory */
	vkfd_debugfs_path(path, sizeof(path), "/proc/%d/context_%d",
			  (int)getpid(), CTX_MAX_SECONDARIES - 1);
	EXPECT_FALSE(vkfd_exists(path));

	t2 = ctx_now();
	for (i = 0; i < CTX_MAX_SECONDARIES; i++)
		ASSERT_EQ(0, close(fds[i]));
	TH_LOG("65,535 secondaries: created in %.1f s, closed in %.1f s",
	       t1 - t0, ctx_now() - t2);
	free(fds);
	EXPECT_EQ(0, vkfd_ctx_dir_count(&self->b.env, getpid()));
	/* All ids are free again: the next secondary is 0 */
	ASSERT_EQ(0, _test_create_process(extra));
	EXPECT_EQ(0, vkfd_ctx_id_of_fd(extra));
}

TEST_HARNESS_MAIN
