// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * nnbench - the memory-exhaustion attempts: four processes, each of its
 * own unprivileged user (so that no capability exempts it, and no attempt
 * eats another's per-user share), each taking one resource until it is
 * refused, then asking again, every millisecond, until it is killed:
 *
 *   GTT       a primary allocates 256 MiB GTT buffers (never touched,
 *             never mapped) until refused: the user's share of the GPU's
 *             GTT budget (gtt_user_percent of gtt_mb), ENOMEM.
 *   quota     a secondary whose primary set its GTT limit to 64 MiB
 *             allocates 4 MiB buffers until refused: EDQUOT.
 *   USERPTR   a primary with RLIMIT_MEMLOCK at 16 MiB pins 1 MiB USERPTR
 *             buffers (ALLOC + MAP), over the same 4 MiB again and
 *             again, until refused: ENOMEM at MAP.
 *   PASIDs    secondaries, each with a GPU VM, until refused: ENOSPC at
 *             ACQUIRE_VM. The bench lowers max_pasids_per_user for the
 *             row (to 64, scaled by -s) and sets it back after.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <linux/kfd_ioctl.h>
#include <linux/vkfd_ioctl.h>

#include "bench_sys.h"
#include "libvkfd.h"
#include "nnbench.h"

#define GTT_CHUNK		(256 * MIB)
#define GTT_CHUNKS_MAX		4096
#define QUOTA_LIMIT		(64 * MIB)
#define QUOTA_CHUNK		(4 * MIB)
#define PIN_MEMLOCK		(16 * MIB)
#define PIN_CHUNK		MIB
#define PIN_RANGE		(4 * MIB)
#define PIN_MAX			1024
#define PASIDS			64
#define PASIDS_MAX		1024
#define RETRY_US		1000

#define VA_GTT			0x500000000000ull
#define VA_PIN			0x600000000000ull
#define F_GTT			KFD_IOC_ALLOC_MEM_FLAGS_GTT

#define PASID_PARAM		"/sys/module/vkfd/parameters/max_pasids_per_user"

enum exhaust_kind { EX_GTT, EX_QUOTA, EX_PIN, EX_PASID, EX_KINDS };

/* Their users: one each, below the victim's and the floods'. */
static const uid_t ex_uid[EX_KINDS] = { 65532, 65531, 65530, 65529 };

/* max_pasids_per_user before the row, to put back; 0 if untouched. */
static unsigned long saved_max_pasids;

static _Noreturn void idle_forever(void)
{
	for (;;)
		pause();
}

static void gtt_hog(const struct nnbench *nb, unsigned int arg, int wfd)
{
	struct vkfd_context ctx;
	unsigned long n = 0;
	struct vkfd_bo bo;
	int render, ret;

	ret = vkfd_open_primary(nb->dev, &ctx);
	if (!ret)
		ret = vkfd_open_vm(&ctx, nb->topology, nb->gpu_id, &render);
	if (!ret)
		ret = drop_to(ex_uid[EX_GTT]);
	if (ret) {
		hostile_report(wfd, arg, ret, 0, 0);
		idle_forever();
	}
	while (n < GTT_CHUNKS_MAX &&
	       !(ret = vkfd_alloc(&ctx, nb->gpu_id, VA_GTT + n * GTT_CHUNK,
				  GTT_CHUNK, F_GTT, &bo)))
		n++;
	hostile_report(wfd, arg, 0, n * GTT_CHUNK, -ret);
	for (;;) {
		if (!vkfd_alloc(&ctx, nb->gpu_id, VA_GTT + n * GTT_CHUNK,
				GTT_CHUNK, F_GTT, &bo))
			vkfd_free(&ctx, &bo);
		usleep(RETRY_US);
	}
}

static void quota_hog(const struct nnbench *nb, unsigned int arg, int wfd)
{
	uint64_t limit[VKFD_LIB_LIMIT_SLOTS] = { 0 };
	struct vkfd_context prim, sec;
	struct vkfd_context_info info;
	unsigned long n = 0;
	struct vkfd_bo bo;
	int render, ret;

	ret = vkfd_open_primary(nb->dev, &prim);
	if (!ret)
		ret = vkfd_open_secondary(nb->dev, &sec);
	if (!ret)
		ret = vkfd_query(&sec, &info);
	limit[VKFD_LIMIT_GTT] = QUOTA_LIMIT;
	if (!ret)
		ret = vkfd_ctx_set_limits(&prim, info.ctx_id,
					  1u << VKFD_LIMIT_GTT, limit, NULL);
	if (!ret)
		ret = vkfd_open_vm(&sec, nb->topology, nb->gpu_id, &render);
	if (!ret)
		ret = drop_to(ex_uid[EX_QUOTA]);
	if (ret) {
		hostile_report(wfd, arg, ret, 0, 0);
		idle_forever();
	}
	while (n < GTT_CHUNKS_MAX &&
	       !(ret = vkfd_alloc(&sec, nb->gpu_id, VA_GTT + n * QUOTA_CHUNK,
				  QUOTA_CHUNK, F_GTT, &bo)))
		n++;
	hostile_report(wfd, arg, 0, n * QUOTA_CHUNK, -ret);
	for (;;) {
		if (!vkfd_alloc(&sec, nb->gpu_id, VA_GTT + n * QUOTA_CHUNK,
				QUOTA_CHUNK, F_GTT, &bo))
			vkfd_free(&sec, &bo);
		usleep(RETRY_US);
	}
}

/* One more USERPTR buffer over @mem, pinned: 0 or -errno (then freed). */
static int pin_one(struct vkfd_context *ctx, uint32_t gpu, char *mem,
		   unsigned long i)
{
	struct vkfd_bo bo;
	int ret;

	ret = vkfd_alloc_userptr(ctx, gpu, VA_PIN + i * PIN_CHUNK,
				 mem + (i * PIN_CHUNK) % PIN_RANGE, PIN_CHUNK,
				 KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE, &bo);
	if (ret)
		return ret;
	ret = vkfd_map(ctx, &bo, &gpu, 1);
	if (ret)
		vkfd_free(ctx, &bo);
	return ret;
}

static void pinner(const struct nnbench *nb, unsigned int arg, int wfd)
{
	struct rlimit rl = { PIN_MEMLOCK, PIN_MEMLOCK };
	struct vkfd_context ctx;
	unsigned long n = 0;
	int render, ret;
	char *mem;

	mem = mmap(NULL, PIN_RANGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	memset(mem, 1, PIN_RANGE);
	ret = vkfd_open_primary(nb->dev, &ctx);
	if (!ret)
		ret = vkfd_open_vm(&ctx, nb->topology, nb->gpu_id, &render);
	if (!ret && setrlimit(RLIMIT_MEMLOCK, &rl))
		ret = -errno;
	if (!ret)
		ret = drop_to(ex_uid[EX_PIN]);
	if (ret) {
		hostile_report(wfd, arg, ret, 0, 0);
		idle_forever();
	}
	while (n < PIN_MAX && !(ret = pin_one(&ctx, nb->gpu_id, mem, n)))
		n++;
	hostile_report(wfd, arg, 0, n * PIN_CHUNK, -ret);
	for (;;) {
		pin_one(&ctx, nb->gpu_id, mem, n);
		usleep(RETRY_US);
	}
}

static void pasid_hog(const struct nnbench *nb, unsigned int arg, int wfd)
{
	unsigned int want = nn_scaled(nb, PASIDS, 16) + 4, n = 0;
	struct vkfd_context ctx;
	int *render, ret = 0;

	render = xcalloc(want, sizeof(*render));
	/* the render nodes are root's: every file opened first */
	for (n = 0; n < want && !ret; n++) {
		render[n] = vkfd_render_open(nb->topology, nb->gpu_id);
		if (render[n] < 0)
			ret = render[n];
	}
	if (!ret)
		ret = drop_to(ex_uid[EX_PASID]);
	if (ret) {
		hostile_report(wfd, arg, ret, 0, 0);
		idle_forever();
	}
	for (n = 0; n < want - 1; n++) {
		ctx.fd = -1;
		ret = vkfd_open_secondary(nb->dev, &ctx);
		if (!ret)
			ret = vkfd_acquire_vm(&ctx, nb->gpu_id, render[n]);
		if (ret) {
			if (ctx.fd >= 0)
				vkfd_close(&ctx);
			break;
		}
	}
	hostile_report(wfd, arg, 0, n, -ret);
	for (;;) {
		if (!vkfd_open_secondary(nb->dev, &ctx)) {
			vkfd_acquire_vm(&ctx, nb->gpu_id, render[want - 1]);
			vkfd_close(&ctx);
		}
		usleep(RETRY_US);
	}
}

static void exhaust_one(const struct nnbench *nb, unsigned int arg, int wfd)
{
	static void (*const fn[EX_KINDS])(const struct nnbench *,
					   unsigned int, int) = {
		gtt_hog, quota_hog, pinner, pasid_hog,
	};

	fn[HOSTILE_EXTRA(arg)](nb, arg, wfd);
}

/* Read a number from a module parameter: 0 or -errno. */
static int param_read(const char *path, unsigned long *v)
{
	char buf[32];
	ssize_t len;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -EIO;
	buf[len] = 0;
	*v = strtoul(buf, NULL, 10);
	return 0;
}

static int param_write(const char *path, unsigned long v)
{
	char buf[32];
	int fd, len, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%lu\n", v);
	if (write(fd, buf, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

void exhaust_start(const struct nnbench *nb, struct hostiles *h, int wfd)
{
	unsigned long old = 0;
	unsigned int k;

	if (!param_read(PASID_PARAM, &old) &&
	    !param_write(PASID_PARAM, nn_scaled(nb, PASIDS, 16)))
		saved_max_pasids = old;
	for (k = 0; k < EX_KINDS; k++)
		hostile_spawn(h, nb, wfd, exhaust_one, k);
}

void exhaust_restore(void)
{
	if (saved_max_pasids)
		param_write(PASID_PARAM, saved_max_pasids);
	saved_max_pasids = 0;
}

/* "<n> <unit>, then <errno>" for the attempt @k of @h. */
static void exhaust_part(const struct hostiles *h, unsigned int k,
			 const char *what, unsigned long div, const char *unit,
			 char *out, size_t len)
{
	const struct hostile_msg *m = k < h->ready ? &h->msg[k] : NULL;

	if (!m)
		snprintf(out, len, "%s: no report", what);
	else if (m->err)
		snprintf(out, len, "%s: set-up failed, %s", what,
			 strerror(-m->err));
	else
		snprintf(out, len, "%s %lu%s, then %s", what, m->count / div,
			 unit, m->refused ? strerrorname_np(m->refused) :
			 "no refusal");
}

void exhaust_note(struct hostiles *h)
{
	char part[EX_KINDS][72];

	exhaust_part(h, EX_GTT, "GTT", MIB, " MiB", part[0], sizeof(part[0]));
	exhaust_part(h, EX_QUOTA, "quota'd GTT", MIB, " MiB", part[1],
		     sizeof(part[1]));
	exhaust_part(h, EX_PIN, "USERPTR pinned", MIB, " MiB", part[2],
		     sizeof(part[2]));
	exhaust_part(h, EX_PASID, "PASIDs", 1, "", part[3], sizeof(part[3]));
	snprintf(h->note, sizeof(h->note), "%s; %s; %s; %s", part[0], part[1],
		 part[2], part[3]);
}
