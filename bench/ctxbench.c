// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ctxbench - how the KFD context operations of vkfd cost, and compare.
 *
 * Three phases, in this order, run by child processes so that the
 * contexts of one phase are gone (with the child's address space) before
 * the next one starts:
 *
 *   compare  vkfd against the real amdkfd in steady state: open()+close()
 *            of the device while another fd of the process is kept open
 *            (so both drivers bind the new fd to the existing process
 *            context), and AMDKFD_IOC_GET_VERSION on that kept fd. Rounds
 *            alternate the two devices.
 *   scaling  with N live secondary contexts in the process: open +
 *            AMDKFD_IOC_CREATE_PROCESS + close of one more, GET_VERSION on
 *            a secondary fd, open+close of a plain fd. Each process visits
 *            N going up (1, 100, ..., 65000) and down again and measures
 *            a little at every visit, so that a change of the machine's
 *            speed does not pass for a trend in N. An O(1) implementation
 *            costs the same at every N.
 *   memory   kernel memory of M idle secondary contexts: /proc/meminfo's
 *            Slab and the per-cache deltas of /proc/slabinfo, before and
 *            after creating them, divided by M.
 *
 * Times come from CLOCK_MONOTONIC; warm-up iterations are not recorded.
 * A sample is the time of one operation or, for cheap ones, the mean of a
 * batch of them (so that reading the clock, about 1 us under TCG with the
 * HPET, weighs little). The compare and scaling phases each run PROCS
 * processes, which send their samples to the parent over a pipe in
 * records (a round of the compare phase, a visit of an N), each with a
 * speed probe taken before and after it. The tables give the median
 * (p50), mean, 99th percentile and maximum of all samples, and "fast
 * p50", the median of the records measured in the machine's fast mode.
 *
 * Why "fast": under TCG on a shared host the guest runs at one of two
 * speeds about 1.5 times apart, switching every few seconds, whatever it
 * does (a getppid() takes 0.44 or 0.70 us). A p50 over everything then
 * lands in either mode, depending on how the run fell, and moves by up to
 * a third between runs or between two N of one run; the mean also
 * carries rare stalls of many milliseconds. The probe, a batched
 * getppid() that does nothing, tells the modes apart, and the fast p50
 * repeats within a few percent. Compare fast p50s first.
 *
 * ctxbench never fails because something is slow: it exits non-zero only
 * if an operation fails that must not (the bench itself is broken), or if
 * it is misused. Devices that are not there are skipped, saying so.
 *
 * Usage: ctxbench [-h] [-t PHASES] [-n N,N,...] [-m M] [-s SCALE]
 *                 [-v VKFD_DEV] [-a AMDKFD_DEV]
 *
 * The device paths default to $VKFD_DEV (else /dev/vkfd) and $AMDKFD_DEV
 * (else /dev/kfd); "none" skips one. Each is probed first: vkfd answers
 * VKFD_IOC_CTX_INFO, amdkfd does not, so a path naming the wrong driver
 * is skipped rather than measured under the wrong name.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/kfd_ioctl.h>
#include <linux/vkfd_ioctl.h>

#include "libvkfd.h"

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define PHASE_COMPARE		(1u << 0)
#define PHASE_MEMORY		(1u << 1)
#define PHASE_SCALING		(1u << 2)
#define PHASE_ALL		(PHASE_COMPARE | PHASE_MEMORY | PHASE_SCALING)

#define MAX_NS			16
#define DEFAULT_MEM_M		10000
/* Secondaries per process are limited to 65535 by the 16-bit ids. */
#define MAX_LIVE		65000
/* fds beyond the live contexts: stdio, the primary, the one measured. */
#define FD_SLACK		64
#define NOFILE_WANTED		70000

/* Measuring processes of the compare and scaling phases. */
#define PROCS			6
/* Rounds per process of the compare phase, alternating the devices. */
#define ROUNDS			5

/*
 * Iteration counts at scale 1.0 per round of the compare phase and per
 * visit of an N in the scaling phase, chosen for a guest under TCG, where
 * an open + CREATE_PROCESS + close costs some 60 us, an open + close
 * 10 us and an ioctl 1 us.
 */
#define ROUND_OPEN		100	/* samples of BATCH_OPEN */
#define ROUND_IOCTL		200	/* samples of BATCH_IOCTL */
#define VISIT_CREATE		2000
#define VISIT_OPEN		300	/* samples of BATCH_OPEN */
#define VISIT_IOCTL		600	/* samples of BATCH_IOCTL */
#define BATCH_IOCTL		50
#define BATCH_OPEN		10

/* Exit status of a probe child: which driver answers on a path. */
#define PROBE_VKFD		0
#define PROBE_OTHER_KFD		10
#define PROBE_MISSING		11
#define PROBE_BROKEN		12

/**
 * struct bench - what to run, and with what
 * @vkfd_dev: device node of vkfd, NULL to skip it
 * @amdkfd_dev: device node of the real amdkfd, NULL to skip it
 * @phases: PHASE_* bits
 * @ns: live-context counts of the scaling phase, ascending
 * @n_ns: entries in @ns
 * @mem_m: secondaries created by the memory phase
 * @scale: factor on every iteration count
 * @nofile: RLIMIT_NOFILE the process got; bounds the live contexts
 */
struct bench {
	const char *vkfd_dev;
	const char *amdkfd_dev;
	unsigned int phases;
	unsigned int ns[MAX_NS];
	unsigned int n_ns;
	unsigned int mem_m;
	double scale;
	unsigned int nofile;
};

/**
 * struct samples - one measured series
 * @v: the samples, in nanoseconds per operation
 * @n: number of samples in @v
 * @cap: allocated entries of @v
 */
struct samples {
	double *v;
	size_t n;
	size_t cap;
};

/**
 * struct summary - statistics of a series, in nanoseconds
 * @p50: median
 * @mean: arithmetic mean
 * @p99: 99th percentile
 * @max: the largest sample
 * @n: number of samples
 */
struct summary {
	double p50;
	double mean;
	double p99;
	double max;
	size_t n;
};

/**
 * struct pool - fds of live secondary contexts
 * @fd: the fds
 * @n: live entries in @fd
 * @cap: size of @fd
 */
struct pool {
	int *fd;
	unsigned int n;
	unsigned int cap;
};

/* --- helpers ----------------------------------------------------------- */

static void die(const char *what)
{
	fprintf(stderr, "ctxbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static unsigned int scaled(const struct bench *b, unsigned int n)
{
	double v = n * b->scale;

	return v < 10 ? 10 : (unsigned int)v;
}

static int dev_open(const char *dev)
{
	/* As libhsakmt opens /dev/kfd. */
	int fd = open(dev, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int get_version(int fd, struct kfd_ioctl_get_version_args *v)
{
	return vkfd_ioctl(fd, AMDKFD_IOC_GET_VERSION, v);
}

/* Turn a fresh fd (bound to the primary) into a secondary context. */
static int create_process(int fd)
{
	/* Upstream's encoding, without an argument. */
	return vkfd_ioctl(fd, VKFD_IOC_CREATE_PROCESS, NULL);
}

/* Open @dev and make the fd a secondary; returns the fd or -errno. */
static int secondary_open(const char *dev)
{
	int fd = dev_open(dev);
	int ret;

	if (fd < 0)
		return fd;
	ret = create_process(fd);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

/* --- samples and statistics -------------------------------------------- */

static void samples_init(struct samples *s, size_t cap)
{
	s->v = calloc(cap, sizeof(*s->v));
	if (!s->v)
		die("calloc");
	s->n = 0;
	s->cap = cap;
}

static void samples_free(struct samples *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
	s->cap = 0;
}

static void samples_add(struct samples *s, double ns)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		double *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			die("realloc");
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = ns;
}

static void samples_append(struct samples *dst, const struct samples *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		samples_add(dst, src->v[i]);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorts the samples in place. */
static struct summary summarize(struct samples *s)
{
	struct summary r = { .n = s->n };
	double sum = 0;
	size_t i;

	if (!s->n)
		return r;
	qsort(s->v, s->n, sizeof(*s->v), cmp_double);
	for (i = 0; i < s->n; i++)
		sum += s->v[i];
	r.mean = sum / s->n;
	r.p50 = s->n % 2 ? s->v[s->n / 2] :
		(s->v[s->n / 2 - 1] + s->v[s->n / 2]) / 2;
	r.p99 = s->v[(s->n * 99) / 100];
	r.max = s->v[s->n - 1];
	return r;
}

static double us(double ns)
{
	return ns / 1000.0;
}

/* --- the measured operations ---------------------------------------------
 *
 * Each returns 0 or -errno; a failure ends the phase: it means the driver
 * or the bench is broken, not that it is slow.
 */

/*
 * open() + close() of a plain fd, bound to the existing primary: a
 * sample is the mean of @batch pairs.
 */
static int measure_open_close(const char *dev, unsigned int warmup,
			      unsigned int nsamples, unsigned int batch,
			      struct samples *out)
{
	unsigned int i, j;
	uint64_t t0;
	int fd;

	for (i = 0; i < warmup + nsamples; i++) {
		t0 = now_ns();
		for (j = 0; j < batch; j++) {
			fd = dev_open(dev);
			if (fd < 0)
				return fd;
			close(fd);
		}
		if (i >= warmup)
			samples_add(out, (double)(now_ns() - t0) / batch);
	}
	return 0;
}

/* GET_VERSION on @fd: a sample is the mean of @batch calls. */
static int measure_get_version(int fd, unsigned int warmup,
			       unsigned int nsamples, unsigned int batch,
			       struct samples *out)
{
	struct kfd_ioctl_get_version_args v;
	unsigned int i, j;
	uint64_t t0;
	int ret;

	for (i = 0; i < warmup + nsamples; i++) {
		t0 = now_ns();
		for (j = 0; j < batch; j++) {
			ret = get_version(fd, &v);
			if (ret)
				return ret;
		}
		if (i >= warmup)
			samples_add(out, (double)(now_ns() - t0) / batch);
	}
	return 0;
}

/**
 * struct create_series - open + CREATE_PROCESS + close, and its parts
 * @total: the three together
 * @open: open() of the fresh fd (binds it to the primary)
 * @create: AMDKFD_IOC_CREATE_PROCESS (builds and publishes the secondary)
 * @close: close() (tears the secondary down)
 */
struct create_series {
	struct samples total;
	struct samples open;
	struct samples create;
	struct samples close;
};

static void create_series_init(struct create_series *c, size_t cap)
{
	samples_init(&c->total, cap);
	samples_init(&c->open, cap);
	samples_init(&c->create, cap);
	samples_init(&c->close, cap);
}

static void create_series_free(struct create_series *c)
{
	samples_free(&c->total);
	samples_free(&c->open);
	samples_free(&c->create);
	samples_free(&c->close);
}

/*
 * open + CREATE_PROCESS + close, @iters times, each timed as a whole;
 * then @iters / 4 times with each step timed on its own (the clock reads
 * between the steps would otherwise weigh on the total).
 */
static int measure_create_close(const char *dev, unsigned int warmup,
				unsigned int iters, struct create_series *out)
{
	uint64_t t0, t1, t2, t3;
	unsigned int i;
	int fd, ret;

	for (i = 0; i < warmup + iters; i++) {
		t0 = now_ns();
		fd = secondary_open(dev);
		if (fd < 0)
			return fd;
		close(fd);
		if (i >= warmup)
			samples_add(&out->total, now_ns() - t0);
	}
	for (i = 0; i < iters / 4; i++) {
		t0 = now_ns();
		fd = dev_open(dev);
		if (fd < 0)
			return fd;
		t1 = now_ns();
		ret = create_process(fd);
		t2 = now_ns();
		close(fd);
		t3 = now_ns();
		if (ret)
			return ret;
		samples_add(&out->open, t1 - t0);
		samples_add(&out->create, t2 - t1);
		samples_add(&out->close, t3 - t2);
	}
	return 0;
}

/* Cost of reading the clock, for the reader to judge the small numbers. */
static double clock_overhead_ns(void)
{
	struct samples s;
	struct summary r;
	unsigned int i;
	uint64_t t0;

	samples_init(&s, 1000);
	for (i = 0; i < 1000; i++) {
		t0 = now_ns();
		samples_add(&s, now_ns() - t0);
	}
	r = summarize(&s);
	samples_free(&s);
	return r.p50;
}

/* --- processes and their results ------------------------------------- */

/**
 * enum series_kind - what a measuring child reports
 * @SK_CREATE: open + CREATE_PROCESS + close, timed as a whole
 * @SK_CREATE_OPEN: its open() alone
 * @SK_CREATE_IOCTL: its CREATE_PROCESS alone
 * @SK_CREATE_CLOSE: its close() alone
 * @SK_VERSION: GET_VERSION
 * @SK_OPEN_CLOSE: open + close of a plain fd
 * @SK_GROW: mean cost of one open + CREATE_PROCESS while growing the
 *	population of secondaries to N (one sample per visit)
 * @SK_SHRINK: mean cost of one close while shrinking it to N
 * @SK_KINDS: number of kinds
 */
enum series_kind {
	SK_CREATE,
	SK_CREATE_OPEN,
	SK_CREATE_IOCTL,
	SK_CREATE_CLOSE,
	SK_VERSION,
	SK_OPEN_CLOSE,
	SK_GROW,
	SK_SHRINK,
	SK_KINDS,
};

#define MAX_RECORDS		64

/**
 * struct series - one quantity at one point, from every process
 * @rec: the samples of each record (a round, or a visit of an N)
 * @probe: the speed probe of each record, see speed_probe()
 * @records: entries in @rec and @probe
 */
struct series {
	struct samples rec[MAX_RECORDS];
	double probe[MAX_RECORDS];
	unsigned int records;
};

/**
 * struct results - what the children of a phase measured
 * @s: per point (a device, or an N) and kind
 */
struct results {
	struct series s[MAX_NS][SK_KINDS];
};

/**
 * struct record_hdr - a record on the pipe from a child to its parent
 * @probe: the slower speed probe around the measurement, ns
 * @point: index of the device or N
 * @kind: &enum series_kind
 * @n: samples that follow, as doubles
 * @pad: 0
 */
struct record_hdr {
	double probe;
	uint32_t point;
	uint32_t kind;
	uint32_t n;
	uint32_t pad;
};

static void results_free(struct results *r)
{
	unsigned int i, k, j;

	for (i = 0; i < MAX_NS; i++)
		for (k = 0; k < SK_KINDS; k++)
			for (j = 0; j < r->s[i][k].records; j++)
				samples_free(&r->s[i][k].rec[j]);
}

static void write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("write to parent");
		p += n;
		len -= n;
	}
}

/* Returns false at the end of the stream. */
static bool read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t n;

	while (len) {
		n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("read from child");
		if (!n)
			return false;
		p += n;
		len -= n;
	}
	return true;
}

/*
 * In a measuring child: send series @s, measured between speed probes
 * @probe_a and @probe_b, as a record to the parent.
 */
static void send_series(int out, unsigned int point, enum series_kind kind,
			const struct samples *s, double probe_a, double probe_b)
{
	struct record_hdr h = {
		.probe = probe_a > probe_b ? probe_a : probe_b,
		.point = point, .kind = kind, .n = s->n,
	};

	write_full(out, &h, sizeof(h));
	write_full(out, s->v, s->n * sizeof(*s->v));
}

/* A single value, without a speed probe. */
static void send_value(int out, unsigned int point, enum series_kind kind,
		       double v)
{
	struct samples s = { .v = &v, .n = 1, .cap = 1 };

	send_series(out, point, kind, &s, 0, 0);
}

/* In the parent: add every record arriving on @in to @r, until EOF. */
static void collect(int in, struct results *r)
{
	struct samples rec = { 0 };
	struct record_hdr h;
	struct series *se;

	while (read_full(in, &h, sizeof(h))) {
		samples_init(&rec, h.n ? h.n : 1);
		if (h.n && !read_full(in, rec.v, h.n * sizeof(*rec.v)))
			die("short record from child");
		rec.n = h.n;
		se = h.point < MAX_NS && h.kind < SK_KINDS ?
		     &r->s[h.point][h.kind] : NULL;
		if (!se || !rec.n || se->records == MAX_RECORDS) {
			samples_free(&rec);
			continue;
		}
		se->probe[se->records] = h.probe;
		se->rec[se->records++] = rec;
	}
}

/*
 * Run @fn in a child process and return its exit status (-1 if it died
 * of a signal). Contexts the child created die with its address space.
 * With @r, the child gets the write end of a pipe as @out and what it
 * sends there is added to @r; without, @out is -1.
 */
static int run_child(int (*fn)(const struct bench *b, const char *arg,
			       int out),
		     const struct bench *b, const char *arg, struct results *r)
{
	int status, pfd[2] = { -1, -1 };
	pid_t pid;

	if (r && pipe(pfd))
		die("pipe");
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		int ret;

		if (r)
			close(pfd[0]);
		ret = fn(b, arg, pfd[1]);
		fflush(stdout);
		fflush(stderr);
		_exit(ret);
	}
	if (r) {
		close(pfd[1]);
		collect(pfd[0], r);
		close(pfd[0]);
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	if (WIFSIGNALED(status)) {
		printf("!! child killed by signal %d\n", WTERMSIG(status));
		return -1;
	}
	return WEXITSTATUS(status);
}

/*
 * The speed of the machine right now: the p50 of a batched getppid(), a
 * system call that does nothing. Under TCG on a shared host the guest
 * runs at one of two speeds, about 1.5 times apart, for a second or more
 * at a time, and this probe tells which.
 */
static double speed_probe(void)
{
	double v[41];
	unsigned int i, j;
	uint64_t t0;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		t0 = now_ns();
		for (j = 0; j < 50; j++)
			syscall(SYS_getppid);
		v[i] = (double)(now_ns() - t0) / 50;
	}
	qsort(v, ARRAY_SIZE(v), sizeof(v[0]), cmp_double);
	return v[ARRAY_SIZE(v) / 2];
}

/* Records slower than this times the fastest probe ran in the slow mode. */
#define FAST_MARGIN		1.2

/* The fastest speed probe of any record of @r: the fast mode. */
static double fastest_probe(const struct results *r)
{
	double best = 0;
	unsigned int i, k, j;

	for (i = 0; i < MAX_NS; i++)
		for (k = 0; k < SK_KINDS; k++)
			for (j = 0; j < r->s[i][k].records; j++) {
				double p = r->s[i][k].probe[j];

				if (p > 0 && (!best || p < best))
					best = p;
			}
	return best;
}

/*
 * Pool the records of @se whose probe is at most @max_probe (0: all of
 * them) into @out; returns how many records that was.
 */
static unsigned int series_pool(const struct series *se, double max_probe,
				struct samples *out)
{
	unsigned int j, n = 0;

	for (j = 0; j < se->records; j++) {
		if (max_probe && se->probe[j] > max_probe)
			continue;
		samples_append(out, &se->rec[j]);
		n++;
	}
	return n;
}

/**
 * struct series_stats - a series, all of it and in the fast mode only
 * @all: statistics of every sample
 * @fast: statistics of the records measured in the fast mode
 * @n_fast: records measured in the fast mode
 * @lo: the lowest p50 of a record
 * @hi: the highest p50 of a record
 */
struct series_stats {
	struct summary all;
	struct summary fast;
	unsigned int n_fast;
	double lo;
	double hi;
};

static struct series_stats series_stats(const struct series *se,
					double fast_probe)
{
	struct series_stats st = { 0 };
	struct samples pool = { 0 };
	unsigned int j;

	series_pool(se, 0, &pool);
	st.all = summarize(&pool);
	pool.n = 0;
	st.n_fast = series_pool(se, fast_probe * FAST_MARGIN, &pool);
	st.fast = summarize(&pool);
	samples_free(&pool);
	for (j = 0; j < se->records; j++) {
		struct samples one = { 0 };
		double p50;

		samples_append(&one, &se->rec[j]);
		p50 = summarize(&one).p50;
		samples_free(&one);
		if (!j || p50 < st.lo)
			st.lo = p50;
		if (!j || p50 > st.hi)
			st.hi = p50;
	}
	return st;
}

/*
 * Raise RLIMIT_NOFILE as far as allowed, up to NOFILE_WANTED. Returns the
 * limit in force.
 */
static unsigned int raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit");
	if (rl.rlim_cur < NOFILE_WANTED) {
		struct rlimit want = { NOFILE_WANTED, NOFILE_WANTED };

		if (rl.rlim_max >= NOFILE_WANTED)
			want.rlim_max = rl.rlim_max;
		/* Raising the hard limit needs CAP_SYS_RESOURCE (root). */
		if (setrlimit(RLIMIT_NOFILE, &want)) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur > 1 << 20)
		rl.rlim_cur = 1 << 20;
	return (unsigned int)rl.rlim_cur;
}

/*
 * Grow the fd table to @nofile entries now, so that neither its growth
 * nor its memory lands in a measurement. (A child starts with a table
 * sized to its parent's open fds, not to the parent's table.)
 */
static void grow_fd_table(unsigned int nofile)
{
	int fd = dup2(0, (int)nofile - 1);

	if (fd >= 0)
		close(fd);
}

/* Keep the measuring thread on one CPU: no migrations mid-series. */
static void pin_to_one_cpu(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	if (ncpu < 1)
		return;
	CPU_ZERO(&set);
	CPU_SET(ncpu - 1, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* --- device probe ------------------------------------------------------ */

/*
 * In a child: does @path open, answer GET_VERSION, and is it vkfd (which
 * answers VKFD_IOC_CTX_INFO) or another KFD (amdkfd: ENOTTY)?
 */
static int probe_child(const struct bench *b, const char *path, int out)
{
	struct vkfd_ioctl_ctx_info info = { .ctx_id = VKFD_CTX_ID_SELF };
	struct kfd_ioctl_get_version_args v = { 0 };
	int fd, ret;

	(void)b;
	(void)out;
	fd = dev_open(path);
	if (fd < 0) {
		printf("  %-12s not available: %s\n", path, strerror(-fd));
		return PROBE_MISSING;
	}
	ret = get_version(fd, &v);
	if (ret == -ENOTTY) {
		printf("  %-12s not a KFD device (no GET_VERSION)\n", path);
		return PROBE_MISSING;
	}
	if (ret) {
		printf("  %-12s GET_VERSION failed: %s\n", path, strerror(-ret));
		return PROBE_BROKEN;
	}
	ret = vkfd_ioctl(fd, VKFD_IOC_CTX_INFO, &info);
	printf("  %-12s %s, KFD uAPI %u.%u\n", path,
	       ret ? "amdkfd (no VKFD_IOC_CTX_INFO)" : "vkfd",
	       v.major_version, v.minor_version);
	close(fd);
	return ret ? PROBE_OTHER_KFD : PROBE_VKFD;
}

/*
 * Probe both devices; drop the ones that are not there, are broken, or
 * are not the driver they are named as. Returns false if a device is
 * broken (the bench cannot be trusted then).
 */
static bool probe_devices(struct bench *b)
{
	bool ok = true;
	int r;

	printf("devices:\n");
	if (b->vkfd_dev) {
		r = run_child(probe_child, b, b->vkfd_dev, NULL);
		if (r == PROBE_OTHER_KFD)
			printf("  %-12s is not vkfd: vkfd measurements skipped\n",
			       b->vkfd_dev);
		if (r == PROBE_BROKEN || r < 0)
			ok = false;
		if (r != PROBE_VKFD)
			b->vkfd_dev = NULL;
	}
	if (b->amdkfd_dev) {
		r = run_child(probe_child, b, b->amdkfd_dev, NULL);
		if (r == PROBE_VKFD)
			printf("  %-12s is vkfd, not amdkfd: comparison skipped\n",
			       b->amdkfd_dev);
		if (r == PROBE_BROKEN || r < 0)
			ok = false;
		if (r != PROBE_OTHER_KFD)
			b->amdkfd_dev = NULL;
	}
	printf("\n");
	return ok;
}

/* --- phase: vkfd vs amdkfd --------------------------------------------- */

/* The devices of the compare phase, vkfd first; returns how many. */
static unsigned int compare_devices(const struct bench *b,
				    const char *name[2], const char *path[2])
{
	unsigned int n = 0;

	if (b->vkfd_dev) {
		name[n] = "vkfd";
		path[n++] = b->vkfd_dev;
	}
	if (b->amdkfd_dev) {
		name[n] = "amdkfd";
		path[n++] = b->amdkfd_dev;
	}
	return n;
}

/*
 * One measuring process: keep an fd of each device open, then alternate
 * the devices round by round, so that a change of the machine's speed
 * meanwhile hits both alike. Each round is a record.
 */
static int compare_child(const struct bench *b, const char *unused, int out)
{
	unsigned int nopen = scaled(b, ROUND_OPEN);
	unsigned int nversion = scaled(b, ROUND_IOCTL);
	const char *name[2], *path[2];
	unsigned int n, i, round;
	struct samples s;
	int keep[2], ret = 0;

	(void)unused;
	n = compare_devices(b, name, path);
	for (i = 0; i < n; i++) {
		keep[i] = dev_open(path[i]);
		if (keep[i] < 0) {
			fprintf(stderr, "ctxbench: open %s: %s\n", path[i],
				strerror(-keep[i]));
			return 1;
		}
	}
	samples_init(&s, nversion);
	for (round = 0; round < ROUNDS && !ret; round++) {
		for (i = 0; i < n && !ret; i++) {
			double p0, p1, p2;

			s.n = 0;
			p0 = speed_probe();
			ret = measure_open_close(path[i], nopen / 10 + 1, nopen,
						 BATCH_OPEN, &s);
			p1 = speed_probe();
			if (ret)
				break;
			send_series(out, i, SK_OPEN_CLOSE, &s, p0, p1);
			s.n = 0;
			ret = measure_get_version(keep[i], nversion / 10 + 1,
						  nversion, BATCH_IOCTL, &s);
			p2 = speed_probe();
			if (!ret)
				send_series(out, i, SK_VERSION, &s, p1, p2);
		}
	}
	samples_free(&s);
	for (i = 0; i < n; i++)
		close(keep[i]);
	if (ret) {
		fprintf(stderr, "ctxbench: compare: %s\n", strerror(-ret));
		return 1;
	}
	return 0;
}

/* A fast-mode figure, or "-" if no record was measured in the fast mode. */
static void print_fast(const char *fmt, unsigned int n_fast, double v)
{
	if (n_fast)
		printf(fmt, v);
	else
		printf("%9s", "-");
}

static void print_compare_row(const char *label, const struct series *se,
			      unsigned int batch, double fast_probe)
{
	struct series_stats st = series_stats(se, fast_probe);
	char n[32];

	printf("  %-22s %8.2f %8.2f %8.2f %8.2f", label, us(st.all.p50),
	       us(st.all.mean), us(st.all.p99), us(st.all.max));
	print_fast(" %8.2f", st.n_fast, us(st.fast.p50));
	snprintf(n, sizeof(n), "%u/%u", st.n_fast, se->records);
	printf(" %6s %9zux%u\n", n, st.all.n, batch);
}

static void print_ratio_row(const char *label, const struct series *v,
			    const struct series *a, double fast_probe)
{
	struct series_stats x = series_stats(v, fast_probe);
	struct series_stats y = series_stats(a, fast_probe);

	printf("  %-22s %8.2f", label, x.all.p50 / y.all.p50);
	print_fast(" %8.2f", x.n_fast && y.n_fast, x.fast.p50 / y.fast.p50);
	printf(" %8.2f\n", x.all.mean / y.all.mean);
}

static bool compare_phase(const struct bench *b)
{
	struct results *r = calloc(1, sizeof(*r));
	const char *name[2], *path[2];
	unsigned int n, i;
	bool ok = true;
	double fast;

	if (!r)
		die("calloc");
	n = compare_devices(b, name, path);
	for (i = 0; i < PROCS && ok; i++)
		ok = run_child(compare_child, b, NULL, r) == 0;
	if (!ok) {
		results_free(r);
		free(r);
		return false;
	}

	fast = fastest_probe(r);
	printf("== vkfd vs amdkfd, steady state (one fd of each kept open; us) ==\n");
	printf("  %-22s %8s %8s %8s %8s %8s %6s %11s\n", "", "p50", "mean",
	       "p99", "max", "fast p50", "fast", "samples");
	for (i = 0; i < n; i++) {
		char label[64];

		snprintf(label, sizeof(label), "%s open+close", name[i]);
		print_compare_row(label, &r->s[i][SK_OPEN_CLOSE], BATCH_OPEN,
				  fast);
		snprintf(label, sizeof(label), "%s GET_VERSION", name[i]);
		print_compare_row(label, &r->s[i][SK_VERSION], BATCH_IOCTL,
				  fast);
	}
	printf("  (%u processes x %u rounds, the devices alternating; a sample is the\n"
	       "   mean of a batch; fast: rounds in the machine's fast mode, see below)\n",
	       PROCS, ROUNDS);
	if (n == 2) {
		printf("\n  %-22s %8s %8s %8s\n", "vkfd/amdkfd", "p50",
		       "fast p50", "mean");
		print_ratio_row("open+close", &r->s[0][SK_OPEN_CLOSE],
				&r->s[1][SK_OPEN_CLOSE], fast);
		print_ratio_row("GET_VERSION", &r->s[0][SK_VERSION],
				&r->s[1][SK_VERSION], fast);
		printf("  (target: vkfd/amdkfd <= 1.00)\n");
	} else {
		printf("  (one device only: no ratio)\n");
	}
	printf("  fast mode: rounds whose getppid() probes before and after took at most\n"
	       "  %.2f us, %.0f%% over the best probe, %.2f us\n",
	       us(fast * FAST_MARGIN), (FAST_MARGIN - 1) * 100, us(fast));
	printf("\n");
	results_free(r);
	free(r);
	return true;
}

/* --- phase: memory ----------------------------------------------------- */

#define SLAB_NAME_MAX		64

/**
 * struct slab_cache - one line of /proc/slabinfo
 * @name: cache name
 * @active_objs: objects in use
 * @num_objs: objects allocated in slabs
 * @objsize: object size in bytes, with metadata
 * @pagesperslab: pages per slab
 * @num_slabs: slabs of the cache
 */
struct slab_cache {
	char name[SLAB_NAME_MAX];
	unsigned long active_objs;
	unsigned long num_objs;
	unsigned long objsize;
	unsigned long pagesperslab;
	unsigned long num_slabs;
};

/**
 * struct mem_snapshot - kernel memory at one moment
 * @slab_kb: /proc/meminfo Slab (SReclaimable + SUnreclaim), kB
 * @sreclaimable_kb: SReclaimable, kB
 * @sunreclaim_kb: SUnreclaim, kB
 * @caches: the slab caches, NULL if /proc/slabinfo is not readable
 * @n_caches: entries in @caches
 */
struct mem_snapshot {
	unsigned long slab_kb;
	unsigned long sreclaimable_kb;
	unsigned long sunreclaim_kb;
	struct slab_cache *caches;
	size_t n_caches;
};

static void read_meminfo(struct mem_snapshot *m)
{
	char line[256];
	unsigned long v;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f)
		die("/proc/meminfo");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Slab: %lu kB", &v) == 1)
			m->slab_kb = v;
		else if (sscanf(line, "SReclaimable: %lu kB", &v) == 1)
			m->sreclaimable_kb = v;
		else if (sscanf(line, "SUnreclaim: %lu kB", &v) == 1)
			m->sunreclaim_kb = v;
	}
	fclose(f);
}

/*
 * slabinfo 2.1:
 * name <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>
 *   : tunables <limit> <batchcount> <sharedfactor>
 *   : slabdata <active_slabs> <num_slabs> <sharedavail>
 */
static void read_slabinfo(struct mem_snapshot *m)
{
	struct slab_cache c;
	size_t cap = 0;
	char line[512];
	FILE *f;

	m->caches = NULL;
	m->n_caches = 0;
	f = fopen("/proc/slabinfo", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long objperslab;

		if (sscanf(line,
			   "%63s %lu %lu %lu %lu %lu : tunables %*u %*u %*u : slabdata %*u %lu",
			   c.name, &c.active_objs, &c.num_objs, &c.objsize,
			   &objperslab, &c.pagesperslab, &c.num_slabs) != 7)
			continue;
		if (m->n_caches == cap) {
			struct slab_cache *n;

			cap = cap ? 2 * cap : 256;
			n = realloc(m->caches, cap * sizeof(*n));
			if (!n)
				die("realloc");
			m->caches = n;
		}
		m->caches[m->n_caches++] = c;
	}
	fclose(f);
}

static void mem_snapshot_take(struct mem_snapshot *m)
{
	read_meminfo(m);
	read_slabinfo(m);
}

static void mem_snapshot_free(struct mem_snapshot *m)
{
	free(m->caches);
	m->caches = NULL;
	m->n_caches = 0;
}

/*
 * Wait until freed objects have really gone back to their caches: files
 * and contexts are freed after an RCU grace period. Stops when Slab holds
 * still for one interval, or after a few seconds.
 */
static void mem_settle(void)
{
	struct mem_snapshot a = { 0 }, b = { 0 };
	int i;

	read_meminfo(&a);
	for (i = 0; i < 10; i++) {
		usleep(300 * 1000);
		read_meminfo(&b);
		if (b.slab_kb + 8 >= a.slab_kb && b.slab_kb <= a.slab_kb + 8)
			break;
		a = b;
	}
}

static const struct slab_cache *find_cache(const struct mem_snapshot *m,
					   const char *name)
{
	size_t i;

	for (i = 0; i < m->n_caches; i++)
		if (!strcmp(m->caches[i].name, name))
			return &m->caches[i];
	return NULL;
}

/**
 * struct cache_delta - what one cache gained over the creation of M
 * @name: cache name
 * @objsize: object size
 * @objs: objects in use, after - before
 * @bytes: @objs * @objsize
 * @slab_bytes: memory of the cache's slabs, after - before
 */
struct cache_delta {
	const char *name;
	unsigned long objsize;
	long objs;
	long bytes;
	long slab_bytes;
};

static int cmp_delta(const void *a, const void *b)
{
	const struct cache_delta *x = a, *y = b;

	return x->bytes < y->bytes ? 1 : x->bytes > y->bytes ? -1 : 0;
}

/*
 * Who allocates from a cache, as far as a secondary context is concerned
 * (with slab_nomerge every cache keeps its own name). kmalloc-cg-* are
 * the accounted (GFP_KERNEL_ACCOUNT) kmalloc caches: vkfd allocates its
 * own objects that way.
 */
static const char *cache_owner(const char *name)
{
	static const struct {
		const char *prefix;
		const char *owner;
	} owners[] = {
		{ "filp", "struct file of the fd" },
		{ "vkfd", "vkfd: its own cache" },
		{ "kmalloc-cg-", "accounted kmalloc: vkfd's objects" },
		{ "kernfs_node_cache", "sysfs: context_<id>/, pasid, queues/" },
		{ "kernfs_iattrs_cache", "sysfs: inode attributes" },
		{ "dentry", "debugfs: context_<id>/, pasid_<gpuid>" },
		{ "inode_cache", "debugfs inodes" },
		{ "lsm_inode_cache", "LSM blobs of the debugfs inodes" },
		{ "radix_tree_node", "xarrays: context ids, PASIDs" },
		{ "kmalloc-", "sysfs: queues/ kobject, names (copied)" },
		{ "lsm_file_cache", "LSM blob of the struct file" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(owners); i++)
		if (!strncmp(name, owners[i].prefix, strlen(owners[i].prefix)))
			return owners[i].owner;
	return "";
}

/* Bytes of the objects in use in all caches, @b - @a. */
static double object_bytes(const struct mem_snapshot *a,
			   const struct mem_snapshot *b)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < b->n_caches; i++) {
		const struct slab_cache *y = &b->caches[i];
		const struct slab_cache *x = find_cache(a, y->name);

		sum += ((double)y->active_objs -
			(x ? (double)x->active_objs : 0)) * y->objsize;
	}
	return sum;
}

/* Print the per-cache deltas between @a and @b, largest first. */
static void print_cache_deltas(const struct mem_snapshot *a,
			       const struct mem_snapshot *b, unsigned int m)
{
	struct cache_delta *d;
	long sum_bytes = 0, sum_slab = 0, shown_bytes = 0, shown_slab = 0;
	long page = sysconf(_SC_PAGESIZE);
	size_t i, n = 0;

	if (!b->n_caches) {
		printf("  (/proc/slabinfo not readable: no per-cache breakdown)\n");
		return;
	}
	d = calloc(b->n_caches, sizeof(*d));
	if (!d)
		die("calloc");
	for (i = 0; i < b->n_caches; i++) {
		const struct slab_cache *y = &b->caches[i];
		const struct slab_cache *x = find_cache(a, y->name);
		long objs = (long)y->active_objs - (x ? (long)x->active_objs : 0);
		long slab = ((long)y->num_slabs - (x ? (long)x->num_slabs : 0)) *
			    (long)y->pagesperslab * page;

		sum_bytes += objs * (long)y->objsize;
		sum_slab += slab;
		if (!objs && !slab)
			continue;
		d[n++] = (struct cache_delta){
			.name = y->name, .objsize = y->objsize, .objs = objs,
			.bytes = objs * (long)y->objsize, .slab_bytes = slab,
		};
	}
	qsort(d, n, sizeof(*d), cmp_delta);

	printf("  %-22s %7s %9s %8s %9s %9s  %s\n", "cache", "objsize",
	       "+objects", "per ctx", "B/ctx obj", "B/ctx slab", "allocated for");
	for (i = 0; i < n; i++) {
		/* Caches that grew by less than one object per 10 contexts. */
		if (d[i].objs * 10 < (long)m && d[i].slab_bytes < (long)m * 16)
			continue;
		shown_bytes += d[i].bytes;
		shown_slab += d[i].slab_bytes;
		printf("  %-22s %7lu %9ld %8.2f %9.0f %9.0f  %s\n", d[i].name,
		       d[i].objsize, d[i].objs, (double)d[i].objs / m,
		       (double)d[i].bytes / m, (double)d[i].slab_bytes / m,
		       cache_owner(d[i].name));
	}
	printf("  %-22s %7s %9s %8s %9.0f %9.0f\n", "(other caches)", "", "", "",
	       (double)(sum_bytes - shown_bytes) / m,
	       (double)(sum_slab - shown_slab) / m);
	printf("  %-22s %7s %9s %8s %9.0f %9.0f\n", "total", "", "", "",
	       (double)sum_bytes / m, (double)sum_slab / m);
	printf("  (B/ctx obj: objects x objsize; B/ctx slab: slab pages, as Slab counts)\n");
	free(d);
}

/*
 * Sum the object bytes per secondary of the caches whose name starts with
 * one of @prefixes (NULL-terminated).
 */
static double group_bytes(const struct mem_snapshot *a,
			  const struct mem_snapshot *b, unsigned int m,
			  const char *const *prefixes)
{
	long sum = 0;
	size_t i, j;

	for (i = 0; i < b->n_caches; i++) {
		const struct slab_cache *y = &b->caches[i];
		const struct slab_cache *x = find_cache(a, y->name);
		bool match = false;

		for (j = 0; prefixes[j]; j++)
			if (!strncmp(y->name, prefixes[j], strlen(prefixes[j])))
				match = true;
		if (match)
			sum += ((long)y->active_objs -
				(x ? (long)x->active_objs : 0)) *
			       (long)y->objsize;
	}
	return (double)sum / m;
}

static void print_groups(const struct mem_snapshot *a,
			 const struct mem_snapshot *b, unsigned int m)
{
	static const char *const fd_caches[] = { "filp", "lsm_file_cache",
						 NULL };
	static const char *const vkfd_caches[] = { "vkfd", "kmalloc-cg-", NULL };
	static const char *const cg_caches[] = { "kmalloc-cg-", NULL };
	static const char *const sysfs_caches[] = { "kernfs_", NULL };
	static const char *const debugfs_caches[] = { "dentry", "inode_cache",
						      "lsm_inode_cache", NULL };
	static const char *const xa_caches[] = { "radix_tree_node", NULL };
	static const char *const kmalloc_caches[] = { "kmalloc-", NULL };
	/* kmalloc- also matches kmalloc-cg-: take those out again. */
	double kmalloc = group_bytes(a, b, m, kmalloc_caches) -
			 group_bytes(a, b, m, cg_caches);

	if (!b->n_caches)
		return;
	printf("  by owner (object bytes per secondary):\n");
	printf("    %-52s %6.0f\n", "the fd: struct file (filp, LSM blob)",
	       group_bytes(a, b, m, fd_caches));
	printf("    %-52s %6.0f\n",
	       "vkfd's own objects (vkfd*, kmalloc-cg-*)",
	       group_bytes(a, b, m, vkfd_caches));
	printf("    %-52s %6.0f\n", "sysfs entries (kernfs_node_cache, ...)",
	       group_bytes(a, b, m, sysfs_caches));
	printf("    %-52s %6.0f\n", "debugfs entries (dentry, inode, LSM blob)",
	       group_bytes(a, b, m, debugfs_caches));
	printf("    %-52s %6.0f\n", "xarray nodes (ids, PASIDs)",
	       group_bytes(a, b, m, xa_caches));
	printf("    %-52s %6.0f\n", "plain kmalloc (sysfs: queues/ kobject, names)",
	       kmalloc);
}

static bool debugfs_mounted(void)
{
	char line[512], dev[128], dir[256], type[64];
	bool found = false;
	FILE *f = fopen("/proc/mounts", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %255s %63s", dev, dir, type) == 3 &&
		    !strcmp(type, "debugfs"))
			found = true;
	fclose(f);
	return found;
}

static void print_mem_delta(const char *label, unsigned long before,
			    unsigned long after, unsigned int m)
{
	long d = (long)after - (long)before;

	printf("  %-34s %+10ld kB  %8.0f B per secondary\n", label, d,
	       d * 1024.0 / m);
}

static int memory_child(const struct bench *b, const char *unused, int out)
{
	struct mem_snapshot before, after, closed;
	unsigned int m = b->mem_m, i;
	struct pool p = { 0 };
	int primary, fd;
	uint64_t t0, t1;

	(void)unused;
	(void)out;
	if (m + FD_SLACK > b->nofile) {
		m = b->nofile > FD_SLACK + 100 ? b->nofile - FD_SLACK : 0;
		printf("  (RLIMIT_NOFILE %u: M lowered to %u)\n", b->nofile, m);
		if (!m)
			return 0;
	}
	p.fd = calloc(m, sizeof(*p.fd));
	if (!p.fd)
		die("calloc");
	p.cap = m;
	grow_fd_table(b->nofile);

	primary = dev_open(b->vkfd_dev);
	if (primary < 0) {
		fprintf(stderr, "ctxbench: open %s: %s\n", b->vkfd_dev,
			strerror(-primary));
		return 1;
	}
	/* Warm up: slabs of every cache involved exist, ids were cycled. */
	for (i = 0; i < 200; i++) {
		fd = secondary_open(b->vkfd_dev);
		if (fd < 0)
			goto err;
		close(fd);
	}
	mem_settle();
	mem_snapshot_take(&before);

	t0 = now_ns();
	for (p.n = 0; p.n < m; p.n++) {
		fd = secondary_open(b->vkfd_dev);
		if (fd < 0)
			goto err;
		p.fd[p.n] = fd;
	}
	t1 = now_ns();
	mem_settle();
	mem_snapshot_take(&after);

	for (i = 0; i < p.n; i++)
		close(p.fd[i]);
	mem_settle();
	mem_snapshot_take(&closed);

	printf("== kernel memory per idle secondary context (M = %u, debugfs %s) ==\n",
	       m, debugfs_mounted() ? "mounted" : "not mounted");
	printf("  created in %.2f s (%.1f us each)\n", (t1 - t0) / 1e9,
	       us((double)(t1 - t0) / m));
	print_mem_delta("Slab (SReclaimable+SUnreclaim)", before.slab_kb,
			after.slab_kb, m);
	print_mem_delta("  SUnreclaim", before.sunreclaim_kb,
			after.sunreclaim_kb, m);
	print_mem_delta("  SReclaimable", before.sreclaimable_kb,
			after.sreclaimable_kb, m);
	/*
	 * After closing them all, the caches may keep the emptied slab
	 * pages for a while; objects still allocated would be a leak.
	 */
	print_mem_delta("Slab kept after closing them all", before.slab_kb,
			closed.slab_kb, m);
	if (closed.n_caches)
		printf("  %-34s %+10.0f B  %8.0f B per secondary\n",
		       "objects still allocated then",
		       object_bytes(&before, &closed),
		       object_bytes(&before, &closed) / m);
	printf("  (target: <= 2048 B per secondary without a GPU VM)\n\n");
	print_cache_deltas(&before, &after, m);
	printf("\n");
	print_groups(&before, &after, m);
	printf("\n");

	mem_snapshot_free(&before);
	mem_snapshot_free(&after);
	mem_snapshot_free(&closed);
	close(primary);
	free(p.fd);
	return 0;

err:
	fprintf(stderr, "ctxbench: memory: creating secondary %u: %s\n", p.n,
		strerror(-fd));
	return 1;
}

/* --- phase: scaling with live contexts --------------------------------- */

/*
 * Grow or shrink the population of idle secondaries to @target. Returns
 * 0 or -errno (the population reached stays); *@ns gets the time taken.
 */
static int pool_resize(struct pool *p, const char *dev, unsigned int target,
		       uint64_t *ns)
{
	uint64_t t0 = now_ns();
	int fd, ret = 0;

	while (p->n < target && p->n < p->cap) {
		fd = secondary_open(dev);
		if (fd < 0) {
			ret = fd;
			break;
		}
		p->fd[p->n++] = fd;
	}
	while (p->n > target)
		close(p->fd[--p->n]);
	*ns = now_ns() - t0;
	return ret;
}

/*
 * Measure at the current population; every series goes to the parent,
 * with speed probes taken before and after it. The longest, open +
 * CREATE_PROCESS + close, goes in two halves, each a record.
 */
static int scale_measure(const struct bench *b, const struct pool *p,
			 unsigned int point, int out)
{
	unsigned int ncreate = scaled(b, VISIT_CREATE) / 2;
	unsigned int nversion = scaled(b, VISIT_IOCTL);
	unsigned int nopen = scaled(b, VISIT_OPEN);
	struct create_series cs;
	double p0, p1 = 0;
	struct samples s;
	unsigned int half;
	int ret = 0;

	for (half = 0; half < 2 && !ret; half++) {
		create_series_init(&cs, ncreate);
		p0 = speed_probe();
		ret = measure_create_close(b->vkfd_dev,
					   half ? 0 : ncreate / 5, ncreate,
					   &cs);
		p1 = speed_probe();
		if (!ret) {
			send_series(out, point, SK_CREATE, &cs.total, p0, p1);
			send_series(out, point, SK_CREATE_OPEN, &cs.open, p0,
				    p1);
			send_series(out, point, SK_CREATE_IOCTL, &cs.create,
				    p0, p1);
			send_series(out, point, SK_CREATE_CLOSE, &cs.close,
				    p0, p1);
		}
		create_series_free(&cs);
	}
	if (ret)
		return ret;

	samples_init(&s, nversion);
	/* The same secondary, the first one created, at every N. */
	p0 = p1;
	ret = measure_get_version(p->fd[0], nversion / 10, nversion,
				  BATCH_IOCTL, &s);
	p1 = speed_probe();
	if (!ret) {
		send_series(out, point, SK_VERSION, &s, p0, p1);
		s.n = 0;
		p0 = p1;
		ret = measure_open_close(b->vkfd_dev, nopen / 10, nopen,
					 BATCH_OPEN, &s);
		p1 = speed_probe();
	}
	if (!ret)
		send_series(out, point, SK_OPEN_CLOSE, &s, p0, p1);
	samples_free(&s);
	return ret;
}

/*
 * One measuring process: with its own primary kept open, visit the
 * numbers of live secondaries up (1, 100, ..., 65000) and down again,
 * measuring at every visit, so that a drift of the machine's speed hits
 * every N alike instead of passing for a trend in N.
 */
static int scaling_child(const struct bench *b, const char *unused, int out)
{
	unsigned int max_live = b->ns[b->n_ns - 1], n_pts = b->n_ns;
	unsigned int step, pt;
	struct pool p = { 0 };
	int primary, ret = 0;
	uint64_t ns;

	(void)unused;
	if (max_live + FD_SLACK > b->nofile) {
		max_live = b->nofile > FD_SLACK ? b->nofile - FD_SLACK : 0;
		while (n_pts > 1 && b->ns[n_pts - 1] > max_live)
			n_pts--;
		printf(" (RLIMIT_NOFILE %u: N up to %u)", b->nofile, max_live);
	}
	p.fd = calloc(max_live + 1, sizeof(*p.fd));
	if (!p.fd)
		die("calloc");
	p.cap = max_live;
	grow_fd_table(b->nofile);

	/* The primary, kept open: every plain open binds to it. */
	primary = dev_open(b->vkfd_dev);
	if (primary < 0) {
		fprintf(stderr, "ctxbench: open %s: %s\n", b->vkfd_dev,
			strerror(-primary));
		return 1;
	}

	printf("  N =");
	for (step = 0; step < 2 * n_pts - 1 && !ret; step++) {
		pt = step < n_pts ? step : 2 * n_pts - 2 - step;
		ret = pool_resize(&p, b->vkfd_dev, b->ns[pt], &ns);
		if (p.n != b->ns[pt]) {
			/* Not a failure of the bench: a limit was hit. */
			printf(" (could not grow beyond %u live secondaries: %s)",
			       p.n, strerror(-ret));
			ret = 0;
			break;
		}
		if (ns && step < n_pts && pt)
			send_value(out, pt, SK_GROW,
				   (double)ns / (b->ns[pt] - b->ns[pt - 1]));
		else if (ns && step >= n_pts)
			send_value(out, pt, SK_SHRINK,
				   (double)ns / (b->ns[pt + 1] - b->ns[pt]));
		printf(" %u", p.n);
		fflush(stdout);
		ret = scale_measure(b, &p, pt, out);
	}
	printf("\n");
	if (ret)
		fprintf(stderr, "ctxbench: scaling at N=%u: %s\n", p.n,
			strerror(-ret));

	pool_resize(&p, b->vkfd_dev, 0, &ns);
	close(primary);
	free(p.fd);
	return ret ? 1 : 0;
}

/*
 * A table of one series over N: p50, mean, p99 and max of every sample;
 * the p50 of the records measured in the fast mode and their number; the
 * ratios to N = 1.
 */
static void print_scale_table(const char *title, const struct results *r,
			      const struct bench *b, unsigned int n_pts,
			      enum series_kind kind, double fast_probe)
{
	struct series_stats base = series_stats(&r->s[0][kind], fast_probe);
	unsigned int i;

	printf("  %s\n", title);
	printf("  %7s %8s %8s %8s %8s %8s %5s | %7s %8s %8s\n", "N", "p50",
	       "mean", "p99", "max", "fast p50", "fast", "p50/N=1", "fast/N=1",
	       "mean/N=1");
	for (i = 0; i < n_pts; i++) {
		const struct series *se = &r->s[i][kind];
		struct series_stats st = series_stats(se, fast_probe);
		char n[16];

		snprintf(n, sizeof(n), "%u/%u", st.n_fast, se->records);
		printf("  %7u %8.2f %8.2f %8.2f %8.2f", b->ns[i],
		       us(st.all.p50), us(st.all.mean), us(st.all.p99),
		       us(st.all.max));
		print_fast(" %8.2f", st.n_fast, us(st.fast.p50));
		printf(" %5s | %7.2f", n, st.all.p50 / base.all.p50);
		print_fast(" %8.2f", st.n_fast && base.n_fast,
			   st.fast.p50 / base.fast.p50);
		printf(" %8.2f\n", st.all.mean / base.all.mean);
	}
	printf("\n");
}

static double series_mean(const struct series *se)
{
	return series_stats(se, 0).all.mean;
}

static bool scaling_phase(const struct bench *b)
{
	struct results *r = calloc(1, sizeof(*r));
	unsigned int i, n_pts;
	bool ok = true;
	double fast;

	if (!r)
		die("calloc");
	printf("== scaling with N live secondary contexts (vkfd) ==\n");
	for (i = 0; i < PROCS && ok; i++) {
		printf("  process %u of %u:", i + 1, PROCS);
		ok = run_child(scaling_child, b, NULL, r) == 0;
	}
	for (n_pts = 0; n_pts < b->n_ns; n_pts++)
		if (!r->s[n_pts][SK_CREATE].records)
			break;
	if (!ok || !n_pts) {
		results_free(r);
		free(r);
		return ok;
	}
	fast = fastest_probe(r);

	printf("\n  us; %u processes, each visiting N up and down; every visit is a record\n"
	       "  (open + CREATE_PROCESS + close: two); fast: the records measured in the\n"
	       "  machine's fast mode, see below; then the ratios to N=%u (target <= 1.20)\n\n",
	       PROCS, b->ns[0]);
	print_scale_table("(a) open + CREATE_PROCESS + close of one more secondary",
			  r, b, n_pts, SK_CREATE, fast);
	printf("  %7s %8s %8s %8s %17s %9s %9s\n", "(a) N", "open", "CREATE",
	       "close", "p50 of a record", "grow to N", "shrink");
	for (i = 0; i < n_pts; i++) {
		const struct series *se = r->s[i];
		struct series_stats st = series_stats(&se[SK_CREATE], fast);
		char range[32];

		snprintf(range, sizeof(range), "%.1f..%.1f", us(st.lo),
			 us(st.hi));
		printf("  %7u", b->ns[i]);
		print_fast(" %8.2f", st.n_fast,
			   us(series_stats(&se[SK_CREATE_OPEN], fast).fast.p50));
		print_fast(" %8.2f", st.n_fast,
			   us(series_stats(&se[SK_CREATE_IOCTL], fast).fast.p50));
		print_fast(" %8.2f", st.n_fast,
			   us(series_stats(&se[SK_CREATE_CLOSE], fast).fast.p50));
		printf(" %17s ", range);
		if (se[SK_GROW].records)
			printf("%9.2f ", us(series_mean(&se[SK_GROW])));
		else
			printf("%9s ", "-");
		if (se[SK_SHRINK].records)
			printf("%9.2f\n", us(series_mean(&se[SK_SHRINK])));
		else
			printf("%9s\n", "-");
	}
	printf("  (open, CREATE, close: fast p50 of each step alone; p50 of a record:\n"
	       "   lowest..highest; grow to N: mean open + CREATE_PROCESS while growing\n"
	       "   the population from the N before; shrink: mean close while shrinking\n"
	       "   it from the N after; both in any mode)\n\n");
	print_scale_table("(b) GET_VERSION on a secondary fd (batches of 50)",
			  r, b, n_pts, SK_VERSION, fast);
	print_scale_table("(c) open + close of a plain fd, bound to the primary (batches of 10)",
			  r, b, n_pts, SK_OPEN_CLOSE, fast);
	printf("  fast mode: records whose getppid() probes before and after took at most\n"
	       "  %.2f us, %.0f%% over the best probe, %.2f us; the others ran in the slow\n"
	       "  mode (under TCG on a shared host about 1.5 times slower, for seconds at\n"
	       "  a time) and count in p50, mean, p99 and max only\n",
	       us(fast * FAST_MARGIN), (FAST_MARGIN - 1) * 100, us(fast));
	results_free(r);
	free(r);
	return true;
}

/* --- main -------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ctxbench [-h] [-t PHASES] [-n N,N,...] [-m M] [-s SCALE]\n"
		"                [-v VKFD_DEV] [-a AMDKFD_DEV]\n"
		"  -t  phases, comma separated: compare,memory,scaling (default: all)\n"
		"  -n  live secondaries of the scaling phase (default: 1,100,1000,10000,65000)\n"
		"  -m  secondaries of the memory phase (default: %d)\n"
		"  -s  factor on the iteration counts (default: 1.0, sized for TCG)\n"
		"  -v  vkfd's device (default: $VKFD_DEV, else /dev/vkfd; \"none\" skips)\n"
		"  -a  amdkfd's device (default: $AMDKFD_DEV, else /dev/kfd; \"none\" skips)\n",
		DEFAULT_MEM_M);
}

static int parse_phases(const char *arg, unsigned int *phases)
{
	char buf[128], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", arg);
	*phases = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "compare"))
			*phases |= PHASE_COMPARE;
		else if (!strcmp(tok, "memory"))
			*phases |= PHASE_MEMORY;
		else if (!strcmp(tok, "scaling"))
			*phases |= PHASE_SCALING;
		else if (!strcmp(tok, "all"))
			*phases |= PHASE_ALL;
		else
			return -1;
	}
	return *phases ? 0 : -1;
}

static int parse_ns(const char *arg, struct bench *b)
{
	char buf[256], *tok, *save, *end;
	unsigned long v;

	snprintf(buf, sizeof(buf), "%s", arg);
	b->n_ns = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		v = strtoul(tok, &end, 10);
		if (*end || !v || v > MAX_LIVE || b->n_ns == MAX_NS ||
		    (b->n_ns && v <= b->ns[b->n_ns - 1]))
			return -1;
		b->ns[b->n_ns++] = v;
	}
	return b->n_ns ? 0 : -1;
}

static const char *dev_arg(const char *arg)
{
	return arg && *arg && strcmp(arg, "none") ? arg : NULL;
}

static void print_header(const struct bench *b)
{
	struct utsname u;

	uname(&u);
	printf("ctxbench: kernel %s, %ld CPU(s), RLIMIT_NOFILE %u, scale %.2f\n",
	       u.release, sysconf(_SC_NPROCESSORS_ONLN), b->nofile, b->scale);
	printf("clock: CLOCK_MONOTONIC, %.2f us between two reads (p50)\n\n",
	       us(clock_overhead_ns()));
}

int main(int argc, char **argv)
{
	struct bench b = {
		.vkfd_dev = dev_arg(getenv("VKFD_DEV") ?: "/dev/vkfd"),
		.amdkfd_dev = dev_arg(getenv("AMDKFD_DEV") ?: "/dev/kfd"),
		.phases = PHASE_ALL,
		.ns = { 1, 100, 1000, 10000, 65000 },
		.n_ns = 5,
		.mem_m = DEFAULT_MEM_M,
		.scale = 1.0,
	};
	bool failed = false;
	char *end;
	int opt;

	while ((opt = getopt(argc, argv, "ht:n:m:s:v:a:")) != -1) {
		switch (opt) {
		case 't':
			if (parse_phases(optarg, &b.phases))
				goto bad;
			break;
		case 'n':
			if (parse_ns(optarg, &b))
				goto bad;
			break;
		case 'm':
			b.mem_m = strtoul(optarg, &end, 10);
			if (*end || !b.mem_m || b.mem_m > MAX_LIVE)
				goto bad;
			break;
		case 's':
			b.scale = strtod(optarg, &end);
			if (*end || b.scale <= 0 || b.scale > 1000)
				goto bad;
			break;
		case 'v':
			b.vkfd_dev = dev_arg(optarg);
			break;
		case 'a':
			b.amdkfd_dev = dev_arg(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind != argc)
		goto bad;

	setvbuf(stdout, NULL, _IOLBF, 0);
	pin_to_one_cpu();
	b.nofile = raise_nofile();
	print_header(&b);
	if (!probe_devices(&b))
		failed = true;

	if (b.phases & PHASE_COMPARE) {
		if (b.vkfd_dev || b.amdkfd_dev)
			failed |= !compare_phase(&b);
		else
			printf("== compare: skipped, no device ==\n\n");
	}
	/*
	 * Scaling right after compare: its N=1 is not measured in the wake
	 * of the memory phase's thousands of contexts being freed.
	 */
	if (b.phases & PHASE_SCALING) {
		if (b.vkfd_dev)
			failed |= !scaling_phase(&b);
		else
			printf("== scaling: skipped, no vkfd device ==\n\n");
	}
	if (b.phases & PHASE_MEMORY) {
		if (b.vkfd_dev)
			failed |= run_child(memory_child, &b, NULL, NULL) != 0;
		else
			printf("== memory: skipped, no vkfd device ==\n\n");
	}
	if (failed)
		printf("ctxbench: a phase failed (see above)\n");
	return failed ? 1 : 0;

bad:
	usage(stderr);
	return 2;
}
