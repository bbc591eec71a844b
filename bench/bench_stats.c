// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bench_stats - series of samples and their statistics (see bench_stats.h).
 */
#include <stdlib.h>

#include "bench_stats.h"
#include "bench_sys.h"

void samples_init(struct samples *s, size_t cap)
{
	s->v = xcalloc(cap, sizeof(*s->v));
	s->n = 0;
	s->cap = cap;
}

void samples_free(struct samples *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
	s->cap = 0;
}

void samples_add(struct samples *s, double ns)
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

void samples_append(struct samples *dst, const struct samples *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		samples_add(dst, src->v[i]);
}

int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct summary summarize(struct samples *s)
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
	r.p90 = s->v[(s->n * 9) / 10];
	r.p99 = s->v[(s->n * 99) / 100];
	r.max = s->v[s->n - 1];
	return r;
}
