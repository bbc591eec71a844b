// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * open()/close() of the KFD device and the primary context's lifetime as
 * seen in $VKFD_SYSFS/proc/<pid>. Runs against vkfd and amdkfd alike.
 *
 * The sysfs pasid serves as the identity of a primary. amdkfd 6.1 shows
 * one from open(); on vkfd it is 0 until the context has a GPU VM, so the
 * tests first give it one (vkfd_pasid_vm(), nothing to do on amdkfd).
 */
#include <pthread.h>

#include "kselftest_harness.h"
#include "vkfd_utils.h"

/* The base fixture, without a primary: the tests open it, by index */
FIXTURE(open) {
	struct vkfd_base b;
	int fd[16];
};

FIXTURE_SETUP(open)
{
	int i;

	vkfd_base_setup(&self->b, 0);
	for (i = 0; i < (int)ARRAY_SIZE(self->fd); i++)
		self->fd[i] = -1;
}

FIXTURE_TEARDOWN(open)
{
	int i;

	vkfd_base_teardown(&self->b);
	for (i = 0; i < (int)ARRAY_SIZE(self->fd); i++)
		if (self->fd[i] >= 0)
			close(self->fd[i]);
}

/*
 * Opens self->fd[@i] and returns the primary's PASID, non-zero: on vkfd
 * the primary first gets a VM, where PASIDs come from (nothing to do on
 * amdkfd 6.1, whose PASIDs are per process). Asserts abort the test.
 */
static uint64_t open_with_pasid(struct __test_metadata *_metadata,
				FIXTURE_DATA(open) *self, int i)
{
	uint64_t pasid;

	self->fd[i] = vkfd_open_dev(&self->b.env);
	ASSERT_LE(0, self->fd[i]);
	ASSERT_EQ(0, vkfd_pasid_vm(&self->b.env, self->fd[i]));
	pasid = vkfd_proc_pasid(&self->b.env, getpid());
	ASSERT_NE(0ULL, pasid);
	return pasid;
}

/* Child: open the device (optionally close it again), send our pasid, wait for EOF. */
struct open_child_args {
	const struct vkfd_env *env;
	bool close_fd;
};

static int open_child(void *arg, int in, int out)
{
	const struct open_child_args *a = arg;
	uint64_t dummy;
	int fd = vkfd_open_dev(a->env);

	if (fd < 0)
		return 10;
	if (vkfd_pasid_vm(a->env, fd))
		return 13;
	if (a->close_fd && close(fd))
		return 11;
	if (vkfd_msg_send(out, vkfd_proc_pasid(a->env, getpid())))
		return 12;
	vkfd_msg_recv(in, &dummy);	/* EOF: the parent is done */
	return 0;
}

/* The device node is a character device that opens read-write and closes cleanly. */
TEST_F(open, open_close)
{
	struct stat st;

	ASSERT_EQ(0, stat(self->b.env.dev, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	self->fd[0] = vkfd_open_dev(&self->b.env);
	ASSERT_LE(0, self->fd[0]);
	EXPECT_EQ(0, close(self->fd[0]));
	self->fd[0] = -1;
}

/*
 * The first open() creates proc/<pid> with a pasid file and a queues/
 * directory. The pasid is non-zero on amdkfd 6.1; on vkfd it is 0 until
 * the context makes its GPU VM on the first GPU.
 */
TEST_F(open, first_open_creates_primary)
{
	char path[PATH_MAX];
	pid_t pid = getpid();
	uint64_t pasid;

	ASSERT_FALSE(vkfd_proc_exists(&self->b.env, pid));
	self->fd[0] = vkfd_open_dev(&self->b.env);
	ASSERT_LE(0, self->fd[0]);

	vkfd_proc_path(&self->b.env, pid, NULL, path, sizeof(path));
	EXPECT_TRUE(vkfd_is_dir(path));
	vkfd_proc_path(&self->b.env, pid, "pasid", path, sizeof(path));
	ASSERT_EQ(0, vkfd_read_u64(path, &pasid));
	if (self->b.env.amdkfd) {
		EXPECT_NE(0ULL, pasid);
	} else {
		EXPECT_EQ(0ULL, pasid);
		ASSERT_EQ(0, vkfd_pasid_vm(&self->b.env, self->fd[0]));
		EXPECT_NE(0ULL, vkfd_proc_pasid(&self->b.env, pid));
	}
	vkfd_proc_path(&self->b.env, pid, "queues", path, sizeof(path));
	EXPECT_TRUE(vkfd_is_dir(path));
}

/* Later opens in the same process share the primary: same directory, same pasid. */
TEST_F(open, second_open_shares_primary)
{
	struct kfd_ioctl_get_version_args ver;
	uint64_t pasid;
	int i;

	pasid = open_with_pasid(_metadata, self, 0);

	for (i = 1; i < (int)ARRAY_SIZE(self->fd); i++) {
		self->fd[i] = vkfd_open_dev(&self->b.env);
		ASSERT_LE(0, self->fd[i]);
		ASSERT_EQ(pasid, vkfd_proc_pasid(&self->b.env, getpid()));
	}
	/* every fd reaches the same, working context */
	for (i = 0; i < (int)ARRAY_SIZE(self->fd); i++) {
		memset(&ver, 0, sizeof(ver));
		test_ioctl(self->fd[i], AMDKFD_IOC_GET_VERSION, &ver);
		EXPECT_EQ(1U, ver.major_version);
	}
	/* closing some of them, in any order, changes nothing */
	for (i = 0; i < (int)ARRAY_SIZE(self->fd); i += 2) {
		ASSERT_EQ(0, close(self->fd[i]));
		self->fd[i] = -1;
	}
	EXPECT_EQ(pasid, vkfd_proc_pasid(&self->b.env, getpid()));
	test_ioctl(self->fd[1], AMDKFD_IOC_GET_VERSION, &ver);
}

/* Closing every fd keeps proc/<pid>; reopening returns to the same primary (same pasid). */
TEST_F(open, close_keeps_primary)
{
	uint64_t pasid;

	self->fd[0] = vkfd_open_dev(&self->b.env);
	ASSERT_LE(0, self->fd[0]);
	pasid = open_with_pasid(_metadata, self, 1);

	ASSERT_EQ(0, close(self->fd[0]));
	ASSERT_EQ(0, close(self->fd[1]));
	self->fd[0] = self->fd[1] = -1;
	EXPECT_TRUE(vkfd_proc_exists(&self->b.env, getpid()));
	EXPECT_EQ(pasid, vkfd_proc_pasid(&self->b.env, getpid()));

	self->fd[0] = vkfd_open_dev(&self->b.env);
	ASSERT_LE(0, self->fd[0]);
	EXPECT_EQ(pasid, vkfd_proc_pasid(&self->b.env, getpid()));
}

/* Process exit removes proc/<pid> (vkfd: before waitpid returns; amdkfd: soon after). */
TEST_F(open, exit_removes_primary)
{
	struct open_child_args args = { .env = &self->b.env };
	uint64_t pasid;
	pid_t pid;

	ASSERT_EQ(0, vkfd_child_start(&self->b.child, open_child, &args));
	pid = self->b.child.pid;
	ASSERT_EQ(0, vkfd_msg_recv(self->b.child.from_child, &pasid));
	EXPECT_NE(0ULL, pasid);
	EXPECT_TRUE(vkfd_proc_exists(&self->b.env, pid));
	EXPECT_EQ(pasid, vkfd_proc_pasid(&self->b.env, pid));

	ASSERT_EQ(0, vkfd_child_wait(&self->b.child));
	EXPECT_TRUE(vkfd_proc_gone_after_exit(&self->b.env, pid));
}

/* A process that closed all its fds keeps its primary until it exits, which removes it. */
TEST_F(open, exit_after_close_removes_primary)
{
	struct open_child_args args = { .env = &self->b.env, .close_fd = true };
	uint64_t pasid;
	pid_t pid;

	ASSERT_EQ(0, vkfd_child_start(&self->b.child, open_child, &args));
	pid = self->b.child.pid;
	ASSERT_EQ(0, vkfd_msg_recv(self->b.child.from_child, &pasid));
	EXPECT_NE(0ULL, pasid);
	EXPECT_TRUE(vkfd_proc_exists(&self->b.env, pid));

	ASSERT_EQ(0, vkfd_child_wait(&self->b.child));
	EXPECT_TRUE(vkfd_proc_gone_after_exit(&self->b.env, pid));
}

/* Two processes get two primaries with different pasids; one's exit leaves the other intact. */
TEST_F(open, processes_have_distinct_pasids)
{
	struct open_child_args args = { .env = &self->b.env };
	uint64_t mine, theirs;
	pid_t pid;

	mine = open_with_pasid(_metadata, self, 0);

	ASSERT_EQ(0, vkfd_child_start(&self->b.child, open_child, &args));
	pid = self->b.child.pid;
	ASSERT_EQ(0, vkfd_msg_recv(self->b.child.from_child, &theirs));
	EXPECT_NE(0ULL, theirs);
	EXPECT_NE(mine, theirs);
	EXPECT_TRUE(vkfd_proc_exists(&self->b.env, getpid()));
	EXPECT_TRUE(vkfd_proc_exists(&self->b.env, pid));

	ASSERT_EQ(0, vkfd_child_wait(&self->b.child));
	EXPECT_TRUE(vkfd_proc_gone_after_exit(&self->b.env, pid));
	EXPECT_EQ(mine, vkfd_proc_pasid(&self->b.env, getpid()));
}

/* A forked child does not inherit the primary: no proc/<child> while it holds the fd. */
static int fork_holder_child(void *arg, int in, int out)
{
	const struct vkfd_env *env = arg;
	uint64_t dummy;
	int exists = vkfd_proc_exists(env, getpid());

	if (vkfd_msg_send(out, exists))
		return 10;
	vkfd_msg_recv(in, &dummy);
	return 0;	/* exit() closes the inherited fd */
}

TEST_F(open, fork_does_not_inherit_primary)
{
	uint64_t pasid, child_has_dir;
	pid_t pid;

	/* not O_CLOEXEC-relevant: fork keeps the fd either way */
	pasid = open_with_pasid(_metadata, self, 0);

	ASSERT_EQ(0, vkfd_child_start(&self->b.child, fork_holder_child,
				      &self->b.env));
	pid = self->b.child.pid;
	ASSERT_EQ(0, vkfd_msg_recv(self->b.child.from_child, &child_has_dir));
	EXPECT_EQ(0ULL, child_has_dir);
	EXPECT_FALSE(vkfd_proc_exists(&self->b.env, pid));

	/* the child's exit drops its copy of the fd: our primary is unaffected */
	ASSERT_EQ(0, vkfd_child_wait(&self->b.child));
	EXPECT_EQ(pasid, vkfd_proc_pasid(&self->b.env, getpid()));
}

/* A forked child that opens the device itself gets its own primary, not the parent's. */
static int fork_reopen_child(void *arg, int in, int out)
{
	const struct vkfd_env *env = arg;
	uint64_t dummy;
	int fd = vkfd_open_dev(env);

	if (fd < 0)
		return 10;
	if (vkfd_pasid_vm(env, fd))
		return 12;
	if (vkfd_msg_send(out, vkfd_proc_pasid(env, getpid())))
		return 11;
	vkfd_msg_recv(in, &dummy);
	close(fd);
	return 0;
}

TEST_F(open, forked_child_opens_own_primary)
{
	uint64_t mine, theirs;
	pid_t pid;

	mine = open_with_pasid(_metadata, self, 0);

	ASSERT_EQ(0, vkfd_child_start(&self->b.child, fork_reopen_child,
				      &self->b.env));
	pid = self->b.child.pid;
	ASSERT_EQ(0, vkfd_msg_recv(self->b.child.from_child, &theirs));
	EXPECT_NE(0ULL, theirs);
	EXPECT_NE(mine, theirs);
	EXPECT_TRUE(vkfd_proc_exists(&self->b.env, pid));

	ASSERT_EQ(0, vkfd_child_wait(&self->b.child));
	EXPECT_TRUE(vkfd_proc_gone_after_exit(&self->b.env, pid));
	EXPECT_EQ(mine, vkfd_proc_pasid(&self->b.env, getpid()));
}

/* An open() from a non-leader thread creates the process's primary, named by the tgid. */
struct thread_open {
	const struct vkfd_env *env;
	int fd;
	pid_t tid;
};

static void *thread_open_fn(void *arg)
{
	struct thread_open *t = arg;

	t->tid = syscall(SYS_gettid);
	t->fd = vkfd_open_dev(t->env);
	return NULL;
}

TEST_F(open, thread_open_uses_tgid)
{
	struct thread_open t = { .env = &self->b.env, .fd = -1 };
	pthread_t thread;
	uint64_t pasid;

	ASSERT_EQ(0, pthread_create(&thread, NULL, thread_open_fn, &t));
	ASSERT_EQ(0, pthread_join(thread, NULL));
	self->fd[0] = t.fd;
	ASSERT_LE(0, self->fd[0]);
	ASSERT_NE(getpid(), t.tid);

	ASSERT_EQ(0, vkfd_pasid_vm(&self->b.env, self->fd[0]));
	pasid = vkfd_proc_pasid(&self->b.env, getpid());
	EXPECT_NE(0ULL, pasid);
	EXPECT_FALSE(vkfd_proc_exists(&self->b.env, t.tid));

	/* the main thread's open shares it */
	self->fd[1] = vkfd_open_dev(&self->b.env);
	ASSERT_LE(0, self->fd[1]);
	EXPECT_EQ(pasid, vkfd_proc_pasid(&self->b.env, getpid()));
}

/* proc/<pid>/pasid is read-only: opening it for writing fails and the value stays. */
TEST_F(open, pasid_is_read_only)
{
	char path[PATH_MAX];
	uint64_t pasid;
	int fd;

	pasid = open_with_pasid(_metadata, self, 0);

	vkfd_proc_path(&self->b.env, getpid(), "pasid", path, sizeof(path));
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(pasid, vkfd_proc_pasid(&self->b.env, getpid()));
}

TEST_HARNESS_MAIN
