// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A seeded random-sequence fuzzer over every ioctl and mmap of the KFD
 * device and the render nodes (tests/fuzz/, docs/testing.rst "The
 * fuzzer"). Under the kselftest harness (no arguments) it runs two
 * tests: "replayable", single-threaded, whose calls a seed repeats
 * exactly, and "with_threads", which adds race bursts. The environment
 * sets the run: VKFD_FUZZ_CALLS (both tests together, default 20,000;
 * the lanes set theirs), VKFD_FUZZ_SEED (default: from the clock). Every
 * run prints its seed first and its calls per second last; a failed
 * invariant prints the command line that replays it:
 *
 *	fuzz --seed N --calls N [--threads 0|1] [--no-fork]
 *
 * The harness of the lanes fails on any kernel splat as well, so a
 * WARN or a KASAN report the fuzzer provokes fails the lane, the seed
 * being in the same log.
 */
#include "kselftest_harness.h"
#include "vkfd_test.h"

#include <inttypes.h>
#include <sys/resource.h>

#include "fuzz/fuzz.h"

#define FUZZ_DEFAULT_CALLS	20000

static double fuzz_secs(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

/* Run @o, printing the seed first and the rates last; true if it passed. */
static bool fuzz_session(const struct fuzz_opts *o, const char *name)
{
	struct fuzz *f = calloc(1, sizeof(*f));
	struct rusage self, kids;
	uint64_t t0, ms;
	bool ok;
	int ret;

	printf("# fuzz %s: seed %" PRIu64 ", %" PRIu64 " calls, threads %d, fork %d\n",
	       name, o->seed, o->calls, o->threads, o->forks);
	fflush(stdout);
	if (!f)
		return false;
	ret = fuzz_init(f, o);
	if (ret) {
		printf("# fuzz: cannot start: %s\n", strerror(-ret));
		free(f);
		return false;
	}
	t0 = vkfd_now_ms();
	ok = fuzz_run(f);
	fuzz_fini(f);
	fuzz_profile_print(f);
	ms = vkfd_now_ms() - t0 + 1;
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	printf("# fuzz %s: %" PRIu64 " calls in %.1f s: %.0f calls/s; CPU %.1f s user, %.1f s system (children %.1f s)\n",
	       name, f->calls, ms / 1e3, f->calls * 1e3 / ms,
	       fuzz_secs(&self.ru_utime), fuzz_secs(&self.ru_stime),
	       fuzz_secs(&kids.ru_utime) + fuzz_secs(&kids.ru_stime));
	if (!ok)
		printf("# fuzz %s: FAILED; replay: build/tests/fuzz --seed %" PRIu64
		       " --calls %" PRIu64 " --threads %d\n",
		       name, o->seed, f->calls, o->threads);
	fflush(stdout);
	free(f);
	return ok;
}

static uint64_t fuzz_env_u64(const char *var, uint64_t dflt)
{
	const char *s = getenv(var);

	return s && *s ? strtoull(s, NULL, 0) : dflt;
}

static uint64_t fuzz_clock_seed(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec) % 1000000000000ULL;
}

FIXTURE(fuzz) {
	struct vkfd_env env;
	uint64_t calls;
	uint64_t seed;
};

FIXTURE_SETUP(fuzz)
{
	vkfd_env_init(&self->env);
	/*
	 * The fuzzer holds vkfd to its own errno contract (docs/uapi.rst),
	 * which the real amdkfd does not follow everywhere.
	 */
	if (self->env.amdkfd)
		VKFD_SETUP_SKIP("amdkfd: the fuzzer checks vkfd's errno contract");
	self->calls = fuzz_env_u64("VKFD_FUZZ_CALLS", FUZZ_DEFAULT_CALLS);
	self->seed = fuzz_env_u64("VKFD_FUZZ_SEED", fuzz_clock_seed());
}

FIXTURE_TEARDOWN(fuzz)
{
}

/* Half of the calls single-threaded: the seed replays them exactly */
TEST_F_TIMEOUT(fuzz, replayable, 1200)
{
	struct fuzz_opts o = {
		.seed = self->seed,
		.calls = self->calls / 2,
		.forks = true,
	};

	ASSERT_TRUE(fuzz_session(&o, "replayable"));
}

/* The other half with race bursts: two threads on the same fds */
TEST_F_TIMEOUT(fuzz, with_threads, 1200)
{
	struct fuzz_opts o = {
		.seed = self->seed + 1,
		.calls = self->calls - self->calls / 2,
		.threads = true,
		.forks = true,
	};

	ASSERT_TRUE(fuzz_session(&o, "with_threads"));
}

/*
 * Run @o in a new process (a fresh primary context), and report how the
 * stream ended: its state, the calls made, whether it failed.
 */
static int fuzz_stream_end(const struct fuzz_opts *o, uint64_t end[3])
{
	struct fuzz *f;
	int p[2], status;
	pid_t pid;

	if (pipe(p))
		return -errno;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		close(p[0]);
		f = calloc(1, sizeof(*f));
		if (!f || fuzz_init(f, o))
			_exit(1);
		fuzz_run(f);
		end[0] = f->rng;
		end[1] = f->calls;
		end[2] = f->failed;
		fuzz_fini(f);
		_exit(write(p[1], end, 3 * sizeof(*end)) != 3 * sizeof(*end));
	}
	close(p[1]);
	if (read(p[0], end, 3 * sizeof(*end)) != 3 * sizeof(*end))
		end[2] = 2;
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid || status)
		return -ECHILD;
	return 0;
}

/*
 * The replay promise: twice the same seed, single-threaded, each in a
 * fresh process, draws the same numbers (the decisions never depend on
 * how far the SDMA engine got, or on other timing).
 */
TEST_F_TIMEOUT(fuzz, same_seed_same_decisions, 600)
{
	struct fuzz_opts o = {
		.seed = self->seed + 2,
		.calls = self->calls < 4000 ? self->calls : 4000,
		.forks = true,
	};
	uint64_t a[3], b[3];

	ASSERT_EQ(0, fuzz_stream_end(&o, a));
	ASSERT_EQ(0, fuzz_stream_end(&o, b));
	ASSERT_EQ(0ULL, a[2]);
	ASSERT_EQ(0ULL, b[2]);
	ASSERT_EQ(a[1], b[1]);
	ASSERT_EQ(a[0], b[0]);
}

static int fuzz_usage(void)
{
	fprintf(stderr,
		"usage: fuzz                    (kselftest harness; VKFD_FUZZ_CALLS, VKFD_FUZZ_SEED)\n"
		"       fuzz --seed N [--calls N] [--threads 0|1] [--no-fork]\n");
	return 2;
}

/* fuzz --seed N --calls N ...: one run, outside the harness */
static int fuzz_main(int argc, char **argv)
{
	struct fuzz_opts o = {
		.seed = fuzz_clock_seed(),
		.calls = FUZZ_DEFAULT_CALLS,
		.forks = true,
	};
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--no-fork"))
			o.forks = false;
		else if (i + 1 >= argc)
			return fuzz_usage();
		else if (!strcmp(argv[i], "--seed"))
			o.seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--calls"))
			o.calls = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--threads"))
			o.threads = strtoul(argv[++i], NULL, 0) != 0;
		else
			return fuzz_usage();
	}
	return fuzz_session(&o, "run") ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--exec-child"))
		return fuzz_exec_child(argc - 1, argv + 1);
	if (argc > 1)
		return fuzz_main(argc, argv);
	return test_harness_run(argc, argv);
}
