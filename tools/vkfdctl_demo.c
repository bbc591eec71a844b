// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfdctl demo [N] - why a hypervisor wants one KFD context per guest
 * program, told with the GPU itself.
 *
 * This process plays the hypervisor and serves N guest programs (default
 * 2). Program 1 keeps a secret in a GPU buffer; programs 2..N each try to
 * read it with one SDMA COPY_LINEAR on a queue of their own.
 *
 *   Part 1: one shared context (every program behind the hypervisor's one
 *   fd: one GPU VM, one PASID, as before Linux 7.0). The copy works and
 *   the secret leaks.
 *   Part 2: one secondary context per program (AMDKFD_IOC_CREATE_PROCESS):
 *   each its own VM and PASID. The same copy names an address the
 *   attacker's VM does not map: a GPU page fault, reported to the
 *   attacker's memory event with that address; not one byte leaks, and
 *   program 1 carries on.
 *
 * The exit status is 0 only if the story held: part 1 leaked, part 2
 * faulted at the secret's address with 0 bytes leaked, and program 1
 * still works.
 */
#include <errno.h>
#include <stdarg.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include <linux/kfd_ioctl.h>

#include "libvkfd.h"
#include "vkfdctl.h"

#define DEMO_MAX_PROGS	8
#define DEMO_BASE	0x100000000000ULL	/* program i's GPU addresses */
#define DEMO_SPAN	0x001000000000ULL
#define DEMO_BUF_OFF	0x10000000ULL
#define DEMO_BUF	4096ULL
#define DEMO_FENCE	3072			/* the fence dword in the buffer */
#define DEMO_RING	4096ULL
#define DEMO_FILL	'.'
#define DEMO_WAIT_MS	20000
#define DEMO_COL	20

static const char demo_secret[] = "swordfish-42, do not share";
#define DEMO_SECRET_LEN	(sizeof(demo_secret) - 1)

/**
 * struct demo_prog - one guest program, as the hypervisor serves it
 * @no: 1..N
 * @ctx: the context it runs in: the hypervisor's (part 1) or @own
 * @own: its secondary context (part 2)
 * @render: the render file of @ctx's VM
 * @buf: its buffer: program 1's secret, the others' landing place; the
 *	fence dword at DEMO_FENCE
 * @cpu: @buf, CPU-mapped
 * @q: its SDMA queue
 * @ev: its memory event (part 2)
 */
struct demo_prog {
	int no;
	struct vkfd_context *ctx;
	struct vkfd_context own;
	int render;
	struct vkfd_bo buf;
	char *cpu;
	struct vkfd_queue q;
	bool has_q;
	struct vkfd_event ev;
	bool has_ev;
};

struct demo {
	const struct vkfdctl *c;
	int n;
	uint32_t gpu_id;
	struct vkfd_context hv;
	int hv_render;
	struct demo_prog prog[DEMO_MAX_PROGS];
	uint32_t seq;
	const char *where;
};

static uint64_t demo_base(int no)
{
	return DEMO_BASE + (uint64_t)no * DEMO_SPAN;
}

static uint64_t demo_buf_va(int no)
{
	return demo_base(no) + DEMO_BUF_OFF;
}

#define DEMO_FAIL(d, what, ret) ({ (d)->where = (what); (ret); })

/* Program @p's buffer and queue in its context @p->ctx. */
static int demo_prog_setup(struct demo *d, struct demo_prog *p)
{
	uint32_t flags = KFD_IOC_ALLOC_MEM_FLAGS_VRAM |
			 KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE;
	void *cpu;
	int ret;

	ret = vkfd_alloc(p->ctx, d->gpu_id, demo_buf_va(p->no), DEMO_BUF,
			 flags, &p->buf);
	if (ret)
		return DEMO_FAIL(d, "allocate a buffer", ret);
	ret = vkfd_map(p->ctx, &p->buf, &d->gpu_id, 1);
	if (ret)
		return DEMO_FAIL(d, "map it to the GPU", ret);
	ret = vkfd_bo_mmap(p->render, &p->buf, PROT_READ | PROT_WRITE, &cpu);
	if (ret)
		return DEMO_FAIL(d, "map it to the CPU", ret);
	p->cpu = cpu;
	memset(p->cpu, DEMO_FILL, DEMO_BUF);
	if (p->no == 1)
		memcpy(p->cpu, demo_secret, DEMO_SECRET_LEN);
	ret = vkfd_queue_create(p->ctx, p->render, d->gpu_id,
				demo_base(p->no), DEMO_RING, &p->q);
	if (ret)
		return DEMO_FAIL(d, "create an SDMA queue", ret);
	p->has_q = true;
	return 0;
}

static void demo_prog_teardown(struct demo_prog *p)
{
	if (p->has_q)
		vkfd_queue_destroy(p->ctx, &p->q);
	if (p->has_ev)
		vkfd_event_destroy(p->ctx, p->ev.id);
	if (p->cpu)
		vkfd_bo_munmap(&p->buf, p->cpu);
	if (p->buf.handle)
		vkfd_free(p->ctx, &p->buf);
	p->has_q = p->has_ev = false;
	p->cpu = NULL;
	if (p->own.fd >= 0) {
		close(p->render);
		vkfd_close(&p->own);
	}
	p->own.fd = -1;
	p->render = -1;
}

static volatile uint32_t *demo_fence(const struct demo_prog *p)
{
	return (volatile uint32_t *)(p->cpu + DEMO_FENCE);
}

/*
 * Program @p copies @len bytes from @src into its buffer with one
 * COPY_LINEAR, then a FENCE. Returns the fence value or -errno.
 */
static int64_t demo_copy(struct demo *d, struct demo_prog *p, uint64_t src,
			 uint32_t len)
{
	uint32_t dw[16], n, seq = ++d->seq;
	int ret;

	n = vkfd_sdma_copy_linear(dw, p->buf.va, src, len);
	n += vkfd_sdma_fence(dw + n, p->buf.va + DEMO_FENCE, seq);
	ret = vkfd_queue_submit(&p->q, dw, n);
	return ret ? DEMO_FAIL(d, "submit", ret) : (int64_t)seq;
}

static bool demo_wait_fence(const struct demo_prog *p, uint32_t seq)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (*demo_fence(p) == seq)
			return true;
		sched_yield();
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 +
		 (t.tv_nsec - t0.tv_nsec) / 1000000 < DEMO_WAIT_MS);
	return false;
}

/* Bytes of the secret that sit in @p's buffer at their own offsets. */
static unsigned int demo_leaked(const struct demo_prog *p)
{
	unsigned int i, n = 0;

	for (i = 0; i < DEMO_SECRET_LEN; i++)
		n += p->cpu[i] == demo_secret[i];
	return n;
}

/* The first bytes of @p's buffer, as text. */
static void demo_print_buf(const struct demo_prog *p)
{
	unsigned int i;

	putchar('"');
	for (i = 0; i < DEMO_SECRET_LEN; i++)
		putchar(p->cpu[i] >= 0x20 && p->cpu[i] < 0x7f ? p->cpu[i] : '?');
	putchar('"');
}

static uint32_t demo_pasid(const struct demo *d, const struct vkfd_context *ctx)
{
	struct vkfd_context_info info;
	uint32_t i;

	if (vkfd_query(ctx, &info))
		return 0;
	for (i = 0; i < info.num_gpus; i++)
		if (info.gpu_ids[i] == d->gpu_id)
			return info.pasids[i];
	return 0;
}

static uint32_t demo_ctx_id(const struct vkfd_context *ctx)
{
	struct vkfd_context_info info;

	return vkfd_query(ctx, &info) ? 0 : info.ctx_id;
}

/* One cell of a row of the figure, DEMO_COL wide. */
__attribute__((format(printf, 1, 2)))
static void demo_cell(const char *fmt, ...)
{
	char buf[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("%-*s", DEMO_COL, buf);
}

static void demo_programs_row(const struct demo *d)
{
	int i;

	printf("    ");
	for (i = 0; i < d->n; i++)
		demo_cell("program %d", i + 1);
	putchar('\n');
}

/* Figure 1: every program behind the hypervisor's one context. */
static void demo_figure_shared(const struct demo *d)
{
	int i, j;

	demo_programs_row(d);
	printf("    ");
	for (i = 0; i < d->n; i++)
		demo_cell("    |");
	printf("\n        ");
	for (i = 0; i < d->n; i++) {
		putchar('+');
		for (j = 1; i + 1 < d->n && j < DEMO_COL; j++)
			putchar('-');
	}
	printf("\n        |\n");
	printf("    hypervisor, pid %d: fd %d\n", (int)getpid(), d->hv.fd);
	printf("    primary context, id 0x%x\n", demo_ctx_id(&d->hv));
	printf("    VM on gpu %u, PASID %u   <- every program's buffers and "
	       "queues are in this one VM\n", d->gpu_id, demo_pasid(d, &d->hv));
}

/* Figure 2: one secondary context per program, the primary beside them. */
static void demo_figure_split(const struct demo *d)
{
	int i;

	printf("    ");
	for (i = 0; i < d->n; i++)
		demo_cell("program %d", i + 1);
	printf("hypervisor, pid %d\n    ", (int)getpid());
	for (i = 0; i <= d->n; i++)
		demo_cell("    |");
	printf("\n    ");
	for (i = 0; i < d->n; i++)
		demo_cell("  fd %d", d->prog[i].own.fd);
	demo_cell("  fd %d", d->hv.fd);
	printf("\n    ");
	for (i = 0; i < d->n; i++)
		demo_cell("secondary id %u", demo_ctx_id(&d->prog[i].own));
	demo_cell("primary id 0x%x", demo_ctx_id(&d->hv));
	printf("\n    ");
	for (i = 0; i < d->n; i++)
		demo_cell("VM, PASID %u", demo_pasid(d, &d->prog[i].own));
	demo_cell("VM, PASID %u", demo_pasid(d, &d->hv));
	printf("\n      (each VM on gpu %u; nothing of one context is "
	       "reachable from another)\n", d->gpu_id);
}

/* Part 1: one shared context. Returns 1 if the secret leaked, 0 if not. */
static int demo_part1(struct demo *d)
{
	struct demo_prog *victim = &d->prog[0];
	int i, ret, leaked_all = 1;
	int64_t seq;

	printf("Part 1 - one shared context (one fd, as before Linux 7.0)\n\n");
	for (i = 0; i < d->n; i++) {
		d->prog[i].ctx = &d->hv;
		d->prog[i].render = d->hv_render;
		ret = demo_prog_setup(d, &d->prog[i]);
		if (ret)
			return ret;
	}
	demo_figure_shared(d);
	printf("\n  program 1 keeps its secret at GPU address 0x%llx: \"%s\"\n",
	       (unsigned long long)demo_buf_va(1), demo_secret);
	for (i = 1; i < d->n; i++) {
		struct demo_prog *p = &d->prog[i];
		unsigned int leaked;

		printf("  program %d: one SDMA COPY_LINEAR from 0x%llx to its own "
		       "buffer\n", p->no, (unsigned long long)demo_buf_va(1));
		seq = demo_copy(d, p, victim->buf.va, DEMO_SECRET_LEN);
		if (seq < 0)
			return (int)seq;
		if (!demo_wait_fence(p, (uint32_t)seq)) {
			printf("  program %d: the copy did not complete\n", p->no);
			leaked_all = 0;
			continue;
		}
		leaked = demo_leaked(p);
		printf("  program %d reads ", p->no);
		demo_print_buf(p);
		printf("\n  => LEAKED: %u of %zu bytes. One context, one address "
		       "space: nothing stops it.\n", leaked, DEMO_SECRET_LEN);
		leaked_all &= leaked == DEMO_SECRET_LEN;
	}
	for (i = 0; i < d->n; i++)
		demo_prog_teardown(&d->prog[i]);
	return leaked_all;
}

/*
 * Part 2: a secondary context per program. Returns 1 if every attempt
 * faulted at the secret's address with nothing leaked and program 1
 * still works, 0 if not.
 */
static int demo_part2(struct demo *d)
{
	struct demo_prog *victim = &d->prog[0];
	int i, ret, held = 1;
	uint32_t result;
	int64_t seq;

	printf("\nPart 2 - one secondary context per program "
	       "(AMDKFD_IOC_CREATE_PROCESS, Linux 7.0)\n\n");
	for (i = 0; i < d->n; i++) {
		struct demo_prog *p = &d->prog[i];

		ret = vkfd_open_secondary(d->c->dev, &p->own);
		if (ret)
			return DEMO_FAIL(d, ret == -EOPNOTSUPP ?
					 "secondary contexts (not in this kernel)" :
					 "open a secondary context", ret);
		p->ctx = &p->own;
		ret = vkfd_open_vm(p->ctx, d->c->topology, d->gpu_id, &p->render);
		if (ret)
			return DEMO_FAIL(d, "ACQUIRE_VM", ret);
		ret = demo_prog_setup(d, p);
		if (ret)
			return ret;
		ret = vkfd_event_create(p->ctx, KFD_IOC_EVENT_MEMORY, true, 0,
					&p->ev);
		if (ret)
			return DEMO_FAIL(d, "create a memory event", ret);
		p->has_ev = true;
	}
	demo_figure_split(d);
	printf("\n  program 1 keeps its secret at GPU address 0x%llx (in its "
	       "own VM): \"%s\"\n", (unsigned long long)demo_buf_va(1),
	       demo_secret);
	for (i = 1; i < d->n; i++) {
		struct demo_prog *p = &d->prog[i];
		struct vkfd_memory_fault f = { 0 };
		unsigned int leaked;

		printf("  program %d: the same COPY_LINEAR from 0x%llx\n", p->no,
		       (unsigned long long)demo_buf_va(1));
		seq = demo_copy(d, p, victim->buf.va, DEMO_SECRET_LEN);
		if (seq < 0)
			return (int)seq;
		result = 0;
		ret = vkfd_event_wait_fault(p->ctx, p->ev.id, DEMO_WAIT_MS,
					    &result, &f);
		if (ret)
			return DEMO_FAIL(d, "wait for the memory event", ret);
		if (result != KFD_IOC_WAIT_RESULT_COMPLETE) {
			printf("  program %d: no GPU page fault!\n", p->no);
			held = 0;
		} else {
			printf("  GPU page fault: program %d's memory event "
			       "reports address 0x%llx (gpu %u, %s); its queue "
			       "is halted\n", p->no, (unsigned long long)f.va,
			       f.gpu_id, f.not_present ? "not present" :
			       "not permitted");
			held &= f.va == victim->buf.va && f.gpu_id == d->gpu_id;
		}
		held &= *demo_fence(p) != (uint32_t)seq;
		leaked = demo_leaked(p);
		printf("  program %d reads ", p->no);
		demo_print_buf(p);
		printf(": %u of %zu bytes leaked\n", leaked, DEMO_SECRET_LEN);
		held &= leaked == 0;
	}

	/* Program 1 is unharmed: no event, and its own copy works. */
	result = 0;
	ret = vkfd_event_wait(victim->ctx, &victim->ev.id, 1, false, 0, &result);
	if (ret)
		return DEMO_FAIL(d, "poll program 1's memory event", ret);
	held &= result != KFD_IOC_WAIT_RESULT_COMPLETE;
	memset(victim->cpu + 1024, DEMO_FILL, DEMO_SECRET_LEN);
	{
		uint32_t dw[16], n, s = ++d->seq;

		n = vkfd_sdma_copy_linear(dw, victim->buf.va + 1024,
					  victim->buf.va, DEMO_SECRET_LEN);
		n += vkfd_sdma_fence(dw + n, victim->buf.va + DEMO_FENCE, s);
		ret = vkfd_queue_submit(&victim->q, dw, n);
		if (ret)
			return DEMO_FAIL(d, "submit (program 1)", ret);
		if (demo_wait_fence(victim, s) &&
		    !memcmp(victim->cpu + 1024, demo_secret, DEMO_SECRET_LEN)) {
			printf("  program 1 copies its own secret: it still "
			       "works, and got no fault of another's\n");
		} else {
			printf("  program 1's own copy failed\n");
			held = 0;
		}
	}
	printf("  => %s\n", held ? "ISOLATED: a fault, not a leak."
				 : "NOT ISOLATED");
	for (i = 0; i < d->n; i++)
		demo_prog_teardown(&d->prog[i]);
	return held;
}

int vkfdctl_demo(const struct vkfdctl *c, int argc, char **argv)
{
	struct demo d = { .c = c, .n = argc > 0 ? atoi(argv[0]) : 2,
			  .hv = { .fd = -1 }, .hv_render = -1 };
	int i, leaked, held, ret;

	if (d.n < 2 || d.n > DEMO_MAX_PROGS) {
		fprintf(stderr, "vkfdctl: demo takes 2..%d programs\n",
			DEMO_MAX_PROGS);
		return 2;
	}
	for (i = 0; i < DEMO_MAX_PROGS; i++) {
		d.prog[i].no = i + 1;
		d.prog[i].own.fd = -1;
		d.prog[i].render = -1;
	}
	ret = vkfd_gpu_ids(c->topology, &d.gpu_id, 1);
	if (ret <= 0) {
		fprintf(stderr, "vkfdctl: no GPU in %s\n", c->topology);
		return 1;
	}
	ret = vkfd_open_primary(c->dev, &d.hv);
	if (!ret)
		ret = vkfd_open_vm(&d.hv, c->topology, d.gpu_id, &d.hv_render);
	if (ret) {
		fprintf(stderr, "vkfdctl: open %s and its VM: %s\n", c->dev,
			strerror(-ret));
		return 1;
	}
	printf("vkfdctl demo: this process (pid %d) plays a hypervisor serving "
	       "%d guest programs on GPU %u of %s.\nProgram 1 keeps a secret "
	       "in GPU memory; the other%s tr%s to read it with the GPU.\n\n",
	       (int)getpid(), d.n, d.gpu_id, c->dev, d.n > 2 ? "s" : "",
	       d.n > 2 ? "y" : "ies");
	fflush(stdout);

	leaked = demo_part1(&d);
	fflush(stdout);
	held = leaked < 0 ? leaked : demo_part2(&d);
	fflush(stdout);
	for (i = 0; i < d.n; i++)
		demo_prog_teardown(&d.prog[i]);
	close(d.hv_render);
	vkfd_close(&d.hv);
	if (leaked < 0 || held < 0) {
		ret = leaked < 0 ? leaked : held;
		printf("\nvkfdctl demo: %s: %s\n", d.where ? d.where : "?",
		       strerror(-ret));
		return 1;
	}
	if (leaked && held) {
		printf("\nThe story held: with one shared context the secret "
		       "leaked; with a context per program the same copy "
		       "faulted and 0 bytes leaked.\n");
		return 0;
	}
	printf("\nThe story did not hold: %s.\n",
	       !leaked ? "the shared context did not leak" :
	       "separate contexts did not contain the copy");
	return 1;
}
