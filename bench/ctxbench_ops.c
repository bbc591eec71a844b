// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ctxbench - the measured operations on KFD contexts, and the speed probe
 * (see ctxbench.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/vkfd_ioctl.h>

#include "bench_sys.h"
#include "bench_time.h"
#include "ctxbench.h"
#include "libvkfd.h"

unsigned int scaled(const struct bench *b, unsigned int n)
{
	double v = n * b->scale;

	return v < 10 ? 10 : (unsigned int)v;
}

int dev_open(const char *dev)
{
	/* As libhsakmt opens /dev/kfd. */
	int fd = open(dev, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int dev_open_kept(const char *dev)
{
	int fd = dev_open(dev);

	if (fd < 0) {
		fprintf(stderr, "ctxbench: open %s: %s\n", dev, strerror(-fd));
		return -1;
	}
	return fd;
}

int get_version(int fd, struct kfd_ioctl_get_version_args *v)
{
	return vkfd_ioctl(fd, AMDKFD_IOC_GET_VERSION, v);
}

/* Turn a fresh fd (bound to the primary) into a secondary context. */
static int create_process(int fd)
{
	/* Upstream's encoding, without an argument. */
	return vkfd_ioctl(fd, VKFD_IOC_CREATE_PROCESS, NULL);
}

int secondary_open(const char *dev)
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

int pool_init(struct pool *p, const struct bench *b, unsigned int cap)
{
	p->fd = xcalloc(cap + 1, sizeof(*p->fd));
	p->n = 0;
	p->cap = cap;
	grow_fd_table(b->nofile);
	return dev_open_kept(b->vkfd_dev);
}

int measure_open_close(const char *dev, unsigned int warmup,
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

int measure_get_version(int fd, unsigned int warmup, unsigned int nsamples,
			unsigned int batch, struct samples *out)
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

void create_series_init(struct create_series *c, size_t cap)
{
	samples_init(&c->total, cap);
	samples_init(&c->open, cap);
	samples_init(&c->create, cap);
	samples_init(&c->close, cap);
}

void create_series_free(struct create_series *c)
{
	samples_free(&c->total);
	samples_free(&c->open);
	samples_free(&c->create);
	samples_free(&c->close);
}

int measure_create_close(const char *dev, unsigned int warmup,
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

double speed_probe(void)
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
