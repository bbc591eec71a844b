// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The fuzzer's process operations: fork() (the child goes on fuzzing
 * with everything it inherited, which must answer EBADF, and a primary
 * of its own), SCM_RIGHTS passing of KFD fds both ways, exec() (the
 * fds kept across it must answer EBADF), and race bursts: a second
 * thread fuzzes the same fds while the first closes one of them.
 *
 * fork() and exec() are rare and the parent waits for the child, so the
 * run stays replayable; race bursts only run with threads allowed.
 */
#include <pthread.h>

#include "fuzz.h"

#define EB(e)		fuzz_eb(e)

#define FUZZ_CHILD_CALLS	200	/* calls a fork()ed child makes */
#define FUZZ_RACE_CALLS		64	/* calls each thread makes in a race */

/* ioctl(@fd) that must fail with EBADF: an fd its caller did not open */
static void fuzz_expect_ebadf(struct fuzz *f, int fd, const char *what)
{
	struct vkfd_ioctl_ctx_info info = { .ctx_id = VKFD_CTX_ID_SELF };
	struct kfd_ioctl_get_version_args v = { 0 };

	fuzz_ioctl(f, fd, AMDKFD_IOC_GET_VERSION, &v, EB(EBADF), what);
	fuzz_ioctl(f, fd, VKFD_IOC_CTX_INFO, &info, EB(EBADF), what);
}

/* The body of a fork()ed child; exits 0, or 1 if an invariant failed. */
static void __attribute__((noreturn))
fuzz_child(struct fuzz *f, uint64_t seed, int sock)
{
	int i, fd, own;

	f->pid = getpid();
	f->rng = seed;
	f->forks = 0;
	f->threads = false;
	/* What fork() does not hand down: KFD mappings, the fed queues */
	memset(f->map, 0, sizeof(f->map));
	for (i = 0; i < FUZZ_FED_MAX; i++)
		f->sdma[i].ctx = -1;
	/* a primary of its own, when it opens one */
	f->userptr = false;
	for (i = 0; i < VKFD_MAX_GPUS; i++)
		f->primary_render[i] = -1;

	fd = vkfd_recv_fd(sock);
	f->calls++;
	if (fd >= 0) {
		fuzz_expect_ebadf(f, fd, "ioctl of a received fd");
		close(fd);
	}
	own = fuzz_ctx_open(f);
	if (own >= 0 && vkfd_send_fd(sock, f->ctx[own].fd))
		fuzz_fail(f, "sending an fd: %s", strerror(errno));
	close(sock);
	fuzz_steps(f, FUZZ_CHILD_CALLS);
	fflush(stdout);
	_exit(f->failed ? 1 : 0);
}

/* Put a received fd (of another process's context) into a KFD slot */
static void fuzz_adopt(struct fuzz *f, int fd, pid_t owner)
{
	int ci = (int)fuzz_below(f, FUZZ_CTX_MAX);

	fuzz_ctx_close(f, ci);
	fuzz_ctx_set(&f->ctx[ci], fd, owner);
}

static void fuzz_wait_child(struct fuzz *f, pid_t pid, const char *what)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		fuzz_fail(f, "waitpid(%s): %s", what, strerror(errno));
	else if (!WIFEXITED(status) || WEXITSTATUS(status))
		fuzz_fail(f, "%s %d ended with status 0x%x (its output says why)",
			  what, (int)pid, status);
}

static void op_fork(struct fuzz *f)
{
	uint64_t seed = fuzz_rand(f);
	int ci, sv[2], fd;
	pid_t pid;

	if (!f->forks || !fuzz_chance(f, 1, 30))
		return;
	ci = fuzz_ctx_pick(f);
	if (ci < 0)
		return;
	f->call = "fork";
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		fuzz_fail(f, "socketpair: %s", strerror(errno));
		return;
	}
	fflush(stdout);
	pid = fork();
	f->calls++;
	if (pid < 0) {
		fuzz_fail(f, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return;
	}
	if (!pid) {
		close(sv[0]);
		fuzz_child(f, seed, sv[1]);
	}
	close(sv[1]);
	/* SCM_RIGHTS both ways: each side's fd is useless to the other */
	if (vkfd_send_fd(sv[0], f->ctx[ci].fd))
		fuzz_fail(f, "sending an fd: %s", strerror(errno));
	fd = vkfd_recv_fd(sv[0]);
	f->calls += 2;
	close(sv[0]);
	fuzz_wait_child(f, pid, "fork()ed child");
	if (fd < 0 || f->failed)
		return;
	fuzz_expect_ebadf(f, fd, "ioctl of a child's fd");
	/* and it stays so after the child is gone: keep it */
	fuzz_adopt(f, fd, pid);
}

/*
 * exec(): a child opens a primary and a secondary without O_CLOEXEC and
 * execs the fuzzer's own binary, which checks them (fuzz_exec_child()).
 */
static void op_exec(struct fuzz *f)
{
	char a1[16], a2[16];
	char *argv[] = { "fuzz", "--exec-child", a1, a2, NULL };
	int fd1, fd2;
	pid_t pid;

	if (!f->forks || !fuzz_chance(f, 1, 100))
		return;
	f->call = "fork+exec";
	fflush(stdout);
	pid = fork();
	f->calls++;
	if (pid < 0) {
		fuzz_fail(f, "fork: %s", strerror(errno));
		return;
	}
	if (!pid) {
		fd1 = open(f->env.dev, O_RDWR);
		fd2 = open(f->env.dev, O_RDWR);
		if (fd1 < 0 || fd2 < 0 ||
		    vkfd_ioctl(fd2, VKFD_IOC_CREATE_PROCESS, NULL)) {
			printf("# fuzz: exec child: open/CREATE_PROCESS: %s\n",
			       strerror(errno));
			fflush(stdout);
			_exit(1);
		}
		snprintf(a1, sizeof(a1), "%d", fd1);
		snprintf(a2, sizeof(a2), "%d", fd2);
		execv("/proc/self/exe", argv);
		printf("# fuzz: exec: %s\n", strerror(errno));
		fflush(stdout);
		_exit(1);
	}
	fuzz_wait_child(f, pid, "exec()ed child");
}

int fuzz_exec_child(int argc, char **argv)
{
	struct fuzz f;
	struct kfd_ioctl_get_version_args v = { 0 };
	int i, fd;

	memset(&f, 0, sizeof(f));
	f.pid = getpid();
	f.op = "exec child";
	vkfd_env_init(&f.env);
	for (i = 1; i < argc; i++)
		fuzz_expect_ebadf(&f, atoi(argv[i]), "ioctl of an fd kept across exec()");
	/* the new address space gets a primary of its own */
	fd = open(f.env.dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		fuzz_fail(&f, "open after exec(): %s", strerror(errno));
	else
		fuzz_ioctl(&f, fd, AMDKFD_IOC_GET_VERSION, &v, 0,
			   "GET_VERSION after exec()");
	return f.failed ? 1 : 0;
}

static void *fuzz_race_thread(void *arg)
{
	struct fuzz *t = arg;

	fuzz_steps(t, FUZZ_RACE_CALLS);
	return NULL;
}

/*
 * A race burst: a thread with a copy of the pools and a stream of its
 * own fuzzes the same fds as this one, while this one, after a random
 * number of calls, closes one of them. Neither opens a file meanwhile,
 * so a closed fd number stays closed (EBADF) until the burst ends.
 */
static void op_race(struct fuzz *f)
{
	struct fuzz *t;
	uint64_t before, first;
	pthread_t th;
	int ci, ri;

	if (!f->threads || !fuzz_chance(f, 1, 10))
		return;
	ci = fuzz_ctx_pick(f);
	if (ci < 0 || f->ctx[ci].owner != f->pid)
		return;
	t = malloc(sizeof(*t));
	if (!t)
		return;
	*t = *f;
	t->rng = fuzz_rand(f);
	t->racing = true;
	/* a scratch argument of its own, the faulting page after it */
	t->arg = mmap(NULL, FUZZ_ARG_SIZE + 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->arg == MAP_FAILED) {
		free(t);
		return;
	}
	munmap(t->arg + FUZZ_ARG_SIZE, 4096);
	t->bad = t->arg + FUZZ_ARG_SIZE;
	before = f->calls;
	f->call = "race";
	f->racing = true;
	if (pthread_create(&th, NULL, fuzz_race_thread, t)) {
		f->racing = false;
		munmap(t->arg, FUZZ_ARG_SIZE);
		free(t);
		return;
	}
	first = fuzz_below(f, FUZZ_RACE_CALLS);
	fuzz_steps(f, first);
	if (fuzz_chance(f, 3, 4)) {
		/* its fed queues go first: the other thread never feeds one */
		fuzz_ctx_close(f, ci);
	} else {
		ri = (int)fuzz_below(f, FUZZ_RENDER_MAX);
		if (f->render[ri].fd >= 0) {
			close(f->render[ri].fd);
			fuzz_pool_add(&f->stale, (uint64_t)f->render[ri].fd);
			f->render[ri].fd = -1;
		}
	}
	f->calls++;
	fuzz_steps(f, FUZZ_RACE_CALLS - first);
	pthread_join(th, NULL);
	f->racing = false;
	f->calls += t->calls - before;
	if (t->failed)
		f->failed = true;
	if (t->userptr)
		f->userptr = true;
	munmap(t->arg, FUZZ_ARG_SIZE);
	free(t);
}

const struct fuzz_op fuzz_proc_ops[] = {
	{ "fork", 1, false, op_fork },
	{ "exec", 1, false, op_exec },
	{ "race", 1, false, op_race },
};
const unsigned int fuzz_proc_nops = ARRAY_SIZE(fuzz_proc_ops);
