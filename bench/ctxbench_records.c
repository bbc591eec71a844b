// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ctxbench - the measuring processes and their records: a child sends
 * what it measured to the parent over a pipe, a record at a time (a round
 * of the compare phase, a visit of an N), each with the speed probe taken
 * around it; the parent pools the records and tells apart those measured
 * in the machine's fast mode (see ctxbench.c). See ctxbench.h.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "bench_sys.h"
#include "ctxbench.h"

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

void results_free(struct results *r)
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

void send_series(int out, unsigned int point, enum series_kind kind,
		 const struct samples *s, double probe_a, double probe_b)
{
	struct record_hdr h = {
		.probe = probe_a > probe_b ? probe_a : probe_b,
		.point = point, .kind = kind, .n = s->n,
	};

	write_full(out, &h, sizeof(h));
	write_full(out, s->v, s->n * sizeof(*s->v));
}

void send_value(int out, unsigned int point, enum series_kind kind, double v)
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

int run_child(int (*fn)(const struct bench *b, const char *arg, int out),
	      const struct bench *b, const char *arg, struct results *r)
{
	int pfd[2] = { -1, -1 };
	pid_t pid;

	if (r && pipe(pfd))
		die("pipe");
	pid = bench_fork();
	if (!pid) {
		if (r)
			close(pfd[0]);
		bench_exit(fn(b, arg, pfd[1]));
	}
	if (r) {
		close(pfd[1]);
		collect(pfd[0], r);
		close(pfd[0]);
	}
	return bench_wait(pid);
}

double fastest_probe(const struct results *r)
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

struct series_stats series_stats(const struct series *se, double fast_probe)
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

void print_fast(const char *fmt, unsigned int n_fast, double v)
{
	if (n_fast)
		printf(fmt, v);
	else
		printf("%9s", "-");
}
