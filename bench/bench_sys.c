// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bench_sys - the process side of ctxbench and membench (see bench_sys.h).
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_sys.h"

void die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what,
		strerror(errno));
	exit(1);
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		die("calloc");
	return p;
}

pid_t bench_fork(void)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		die("fork");
	return pid;
}

void bench_exit(int status)
{
	fflush(stdout);
	fflush(stderr);
	_exit(status);
}

int bench_wait(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	if (WIFSIGNALED(status)) {
		printf("!! child killed by signal %d\n", WTERMSIG(status));
		return -1;
	}
	return WEXITSTATUS(status);
}

unsigned int raise_nofile(unsigned int want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit");
	if (rl.rlim_cur < want) {
		struct rlimit r = { want, want };

		if (rl.rlim_max >= want)
			r.rlim_max = rl.rlim_max;
		/* Raising the hard limit needs CAP_SYS_RESOURCE (root). */
		if (setrlimit(RLIMIT_NOFILE, &r)) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur > 1 << 20)
		rl.rlim_cur = 1 << 20;
	return (unsigned int)rl.rlim_cur;
}

void grow_fd_table(unsigned int nofile)
{
	int fd = dup2(0, (int)nofile - 1);

	if (fd >= 0)
		close(fd);
}

void pin_to_one_cpu(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	if (ncpu < 1)
		return;
	CPU_ZERO(&set);
	CPU_SET(ncpu - 1, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

void print_system(const char *prog, unsigned int nofile, double scale)
{
	struct utsname u;

	uname(&u);
	printf("%s: kernel %s, %ld CPU(s), RLIMIT_NOFILE %u, scale %.2f\n",
	       prog, u.release, sysconf(_SC_NPROCESSORS_ONLN), nofile, scale);
}
