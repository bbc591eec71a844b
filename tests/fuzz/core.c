// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The fuzzer's core: its random stream, the pools of what the kernel
 * gave it, the checks of every call against the errno contract, and the
 * loop that picks operations.
 *
 * Replay: every decision comes from one stream (splitmix64) seeded with
 * the run's seed, and the pools are filled in the order the calls
 * return, so a single-threaded run (no race bursts) makes the same calls
 * again for the same seed against the same module. Children of fork()
 * get a stream of their own, drawn from the parent's, and the parent
 * waits for them before it goes on.
 */
#include <inttypes.h>

#include "fuzz.h"

/* --- the random stream ------------------------------------------------------ */

uint64_t fuzz_rand(struct fuzz *f)
{
	uint64_t z = (f->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint32_t fuzz_below(struct fuzz *f, uint32_t n)
{
	return (uint32_t)(((fuzz_rand(f) >> 32) * n) >> 32);
}

bool fuzz_chance(struct fuzz *f, uint32_t num, uint32_t den)
{
	return fuzz_below(f, den) < num;
}

uint64_t fuzz_u64(struct fuzz *f)
{
	static const uint64_t edge[] = {
		0, 1, 2, 4095, 4096, 4097, 0x7fffffff, 0x80000000,
		0xffffffff, 0x100000000ULL, 1ULL << 47, (1ULL << 47) - 4096,
		1ULL << 48, (1ULL << 48) - 4096, 0x7fffffffffffffffULL,
		0x8000000000000000ULL, ~0ULL, ~0ULL - 4095,
	};
	uint64_t r = fuzz_rand(f);

	switch (fuzz_below(f, 4)) {
	case 0:
		return edge[fuzz_below(f, ARRAY_SIZE(edge))];
	case 1:
		return r & 0xffffffff;
	case 2:
		return (r & 0xffffffffffULL) << 12;
	default:
		return r;
	}
}

uint32_t fuzz_pad(struct fuzz *f)
{
	static const uint32_t edge[] = { 1, 0x80000000, 0xffffffff, 0x100 };

	if (!fuzz_chance(f, 1, 16))
		return 0;
	if (fuzz_chance(f, 1, 2))
		return edge[fuzz_below(f, ARRAY_SIZE(edge))];
	return (uint32_t)fuzz_rand(f);
}

uint64_t fuzz_size(struct fuzz *f)
{
	static const uint64_t edge[] = {
		0, 1, 4095, 4097, 8191, 1ULL << 20, 1ULL << 30,
		(1ULL << 31) + 4096, 1ULL << 40, 1ULL << 47, 1ULL << 48,
		(1ULL << 48) + 4096, ~0ULL & ~4095ULL, ~0ULL,
	};

	if (fuzz_chance(f, 7, 8))
		return (uint64_t)(1 + fuzz_below(f, 16)) * 4096;
	return edge[fuzz_below(f, ARRAY_SIZE(edge))];
}

uint32_t fuzz_gpu_id(struct fuzz *f)
{
	switch (fuzz_below(f, 16)) {
	case 0:
		return 0;
	case 1:
		return (uint32_t)fuzz_rand(f);
	case 2:
		return f->ngpus ? f->gpu[0] ^ 1 : 1;
	case 3:
		return 0xffffffff;
	default:
		return f->ngpus ? f->gpu[fuzz_below(f, f->ngpus)] : 0;
	}
}

int fuzz_gpu_index(struct fuzz *f)
{
	return f->ngpus ? (int)fuzz_below(f, f->ngpus) : 0;
}

/* --- pools ------------------------------------------------------------------ */

void fuzz_pool_add(struct fuzz_pool *p, uint64_t v)
{
	p->v[p->next] = v;
	p->next = (p->next + 1) % FUZZ_POOL_MAX;
	if (p->n < FUZZ_POOL_MAX)
		p->n++;
}

uint64_t fuzz_pool_pick(struct fuzz *f, const struct fuzz_pool *p,
			uint64_t dflt)
{
	return p->n ? p->v[fuzz_below(f, p->n)] : dflt;
}

void fuzz_buf_add(struct fuzz *f, const struct fuzz_buf *b)
{
	f->buf[f->nextbuf] = *b;
	f->nextbuf = (f->nextbuf + 1) % FUZZ_POOL_MAX;
	if (f->nbuf < FUZZ_POOL_MAX)
		f->nbuf++;
}

const struct fuzz_buf *fuzz_buf_pick(struct fuzz *f)
{
	return f->nbuf ? &f->buf[fuzz_below(f, f->nbuf)] : NULL;
}

void fuzz_ctx_set(struct fuzz_ctx *c, int fd, pid_t owner)
{
	int g;

	*c = (struct fuzz_ctx){ .fd = fd, .owner = owner };
	for (g = 0; g < VKFD_MAX_GPUS; g++)
		c->vm_render[g] = -1;
}

int fuzz_ctx_open(struct fuzz *f)
{
	int ci, fd;

	for (ci = 0; ci < FUZZ_CTX_MAX; ci++)
		if (f->ctx[ci].fd < 0)
			break;
	if (ci == FUZZ_CTX_MAX) {
		ci = (int)fuzz_below(f, FUZZ_CTX_MAX);
		fuzz_ctx_close(f, ci);
	}
	f->call = "open(kfd)";
	fd = open(f->env.dev, O_RDWR | O_CLOEXEC);
	f->calls++;
	if (fuzz_check(f, "open", fd < 0 ? -1 : 0, errno, 0))
		return -1;
	fuzz_ctx_set(&f->ctx[ci], fd, f->pid);
	return ci;
}

void fuzz_ctx_close(struct fuzz *f, int ci)
{
	int i;

	if (f->ctx[ci].fd < 0)
		return;
	for (i = 0; i < FUZZ_FED_MAX; i++)
		if (f->sdma[i].ctx == ci)
			fuzz_sdma_drop(f, i);
	close(f->ctx[ci].fd);
	f->calls++;
	fuzz_pool_add(&f->stale, (uint64_t)f->ctx[ci].fd);
	f->ctx[ci].fd = -1;
}

int fuzz_ctx_pick(struct fuzz *f)
{
	int live[FUZZ_CTX_MAX], n = 0, ci;

	for (ci = 0; ci < FUZZ_CTX_MAX; ci++)
		if (f->ctx[ci].fd >= 0)
			live[n++] = ci;
	if (!n && f->racing)
		return -1;
	if (!n || (!f->racing && fuzz_chance(f, 1, 2000)))
		return fuzz_ctx_open(f);
	return live[fuzz_below(f, n)];
}

int fuzz_render_fd(struct fuzz *f, int gpu)
{
	int i, free_slot = -1, fd;

	if (!f->ngpus)
		return -1;
	for (i = 0; i < FUZZ_RENDER_MAX; i++) {
		if (f->render[i].fd >= 0 && f->render[i].gpu == gpu &&
		    (f->racing || !fuzz_chance(f, 1, 256)))
			return f->render[i].fd;
		if (f->render[i].fd < 0 && free_slot < 0)
			free_slot = i;
	}
	if (f->racing)
		return -1;
	if (free_slot < 0) {
		free_slot = (int)fuzz_below(f, FUZZ_RENDER_MAX);
		close(f->render[free_slot].fd);
		f->calls++;
		fuzz_pool_add(&f->stale, (uint64_t)f->render[free_slot].fd);
	}
	f->call = "open(render)";
	fd = vkfd_render_open(f->env.topology, f->gpu[gpu]);
	f->calls++;
	f->render[free_slot].fd = -1;
	if (fuzz_check(f, "open render node", fd < 0 ? -1 : 0, -fd, 0))
		return -1;
	f->render[free_slot] = (struct fuzz_render){ .fd = fd, .gpu = gpu };
	return fd;
}

void fuzz_map_add(struct fuzz *f, void *addr, size_t len, bool kfd)
{
	int i, victim = (int)fuzz_below(f, FUZZ_MAP_MAX);

	for (i = 0; i < FUZZ_MAP_MAX; i++)
		if (!f->map[i].addr)
			break;
	if (i == FUZZ_MAP_MAX) {
		i = victim;
		munmap(f->map[i].addr, f->map[i].len);
		f->calls++;
	}
	f->map[i] = (struct fuzz_map){ .addr = addr, .len = len, .kfd = kfd };
}

/* --- checks ----------------------------------------------------------------- */

/* The errnos the contract names, one bit each; everything else is bit 63. */
static const int fuzz_errnos[] = {
	EPERM, ENOENT, ESRCH, EINTR, EIO, EBADF, ENOMEM, EACCES, EFAULT,
	EBUSY, EEXIST, ENODEV, EINVAL, ENOTTY, ENOSPC, EOPNOTSUPP, EAGAIN,
	ENOSYS, EOVERFLOW, EDQUOT, 524 /* the kernel's ENOTSUPP */,
};

uint64_t fuzz_eb(int e)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fuzz_errnos); i++)
		if (fuzz_errnos[i] == e)
			return 1ULL << i;
	return 1ULL << 63;
}

#define EB(e)	fuzz_eb(e)

bool fuzz_kfd_known(unsigned int nr)
{
	return nr == 0xe0 || nr == 0xe1 || (nr >= 0x01 && nr <= 0x27 &&
			      !(nr >= 0x0d && nr <= 0x10) &&
			      !(nr >= 0x1b && nr <= 0x1f) && nr != 0x24);
}

uint64_t fuzz_kfd_errnos(unsigned int nr)
{
	switch (nr) {
	case 0x01: /* GET_VERSION */
	case 0x06: /* GET_PROCESS_APERTURES */
		return 0;
	case 0x02: /* CREATE_QUEUE */
		return EB(EINVAL) | EB(EFAULT) | EB(524) | EB(ESRCH) |
		       EB(ENOSPC) | EB(EDQUOT);
	case 0x03: /* DESTROY_QUEUE */
	case 0x05: /* GET_CLOCK_COUNTERS */
	case 0x09: /* DESTROY_EVENT */
	case 0x0a: /* SET_EVENT */
	case 0x0b: /* RESET_EVENT */
	case 0x11: /* SET_SCRATCH_BACKING_VA */
	case 0x12: /* GET_TILE_CONFIG */
	case 0x14: /* GET_PROCESS_APERTURES_NEW (EFAULT: a bad array) */
	case 0x17: /* FREE_MEMORY_OF_GPU */
	case 0x19: /* UNMAP_MEMORY_FROM_GPU (EFAULT: a bad array) */
	case 0x23: /* AVAILABLE_MEMORY */
		return EB(EINVAL);
	case 0x04: /* SET_MEMORY_POLICY */
	case 0x13: /* SET_TRAP_HANDLER */
		return EB(EINVAL) | EB(ESRCH);
	case 0x07: /* UPDATE_QUEUE */
	case 0x1a: /* SET_CU_MASK (EFAULT: a bad mask, an unknown queue) */
		return EB(EINVAL) | EB(EFAULT);
	case 0x08: /* CREATE_EVENT */
		return EB(EINVAL) | EB(ENOSPC) | EB(EDQUOT);
	case 0x18: /* MAP_MEMORY_TO_GPU (EFAULT: a bad array, USERPTR) */
		return EB(EINVAL) | EB(EDQUOT);
	case 0x0c: /* WAIT_EVENTS (EFAULT: a bad array) */
		return EB(EINVAL) | EB(EIO) | EB(EINTR);
	case 0x15: /* ACQUIRE_VM */
		return EB(EINVAL) | EB(EBUSY) | EB(ENOSPC);
	case 0x16: /* ALLOC_MEMORY_OF_GPU (EFAULT: USERPTR) */
		return EB(EINVAL) | EB(EOPNOTSUPP) | EB(EDQUOT);
	case 0x20: /* SVM */
		return EB(EOPNOTSUPP) | EB(EPERM);
	case 0x21: /* SET_XNACK_MODE */
		return EB(EPERM);
	case 0x22: /* CRIU_OP */
	case 0x26: /* DBG_TRAP */
		return EB(EOPNOTSUPP) | EB(ENOTTY);
	case 0x25: /* RUNTIME_ENABLE */
		return EB(ENOTTY);
	case 0x27: /* CREATE_PROCESS */
		return EB(EINVAL) | EB(ENOSPC);
	case 0xe0: /* VKFD_IOC_CTX_INFO */
	case 0xe1: /* VKFD_IOC_CTX_LIMITS */
		return EB(EINVAL) | EB(EPERM) | EB(ENOENT);
	default:
		return EB(ENOTTY);
	}
}

void fuzz_fail(struct fuzz *f, const char *fmt, ...)
{
	va_list ap;

	printf("# fuzz: FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n# fuzz: in operation %s, call %s, after %" PRIu64
	       " calls, pid %d%s\n", f->op ? f->op : "-",
	       f->call ? f->call : "-", f->calls, (int)f->pid,
	       f->racing ? " (race burst)" : "");
	printf("# fuzz: replay: build/tests/fuzz --seed %" PRIu64
	       " --calls %" PRIu64 " --threads %d\n", f->seed, f->calls,
	       f->threads);
	fflush(stdout);
	f->failed = true;
}

static void fuzz_print_errnos(uint64_t allowed, char *buf, size_t n)
{
	size_t len = 0;
	unsigned int i;

	buf[0] = 0;
	for (i = 0; i < ARRAY_SIZE(fuzz_errnos) && len < n; i++)
		if (allowed & (1ULL << i))
			len += snprintf(buf + len, n - len, " %d",
					fuzz_errnos[i]);
}

int fuzz_check(struct fuzz *f, const char *what, long ret, int err,
	       uint64_t allowed)
{
	char list[128];

	if (ret == 0) {
		f->prof_ok[f->cur]++;
		return 0;
	}
	if (ret != -1) {
		fuzz_fail(f, "%s returned %ld (not 0 or -1)", what, ret);
		return -EPROTO;
	}
	if (f->loose || (allowed | EB(ENOMEM)) & EB(err))
		return -err;
	fuzz_print_errnos(allowed | EB(ENOMEM), list, sizeof(list));
	fuzz_fail(f, "%s failed with errno %d (%s), documented:%s", what, err,
		  strerror(err), list);
	return -err;
}

int fuzz_ioctl(struct fuzz *f, int fd, unsigned long cmd, void *arg,
	       uint64_t allowed, const char *what)
{
	int ret;

	f->call = what;
	ret = ioctl(fd, cmd, arg);
	f->calls++;
	return fuzz_check(f, what, ret, errno, allowed);
}

int fuzz_kfd(struct fuzz *f, int ci, unsigned long cmd, void *arg,
	     uint64_t allowed, const char *what)
{
	const struct fuzz_ctx *c = &f->ctx[ci];

	if (c->owner != f->pid)
		/*
		 * fork()ed, passed or exec()ed: nobody but the opener
		 * (uapi.rst), after the number was found (ENOTTY)
		 */
		allowed = _IOC_TYPE(cmd) == 'K' && fuzz_kfd_known(_IOC_NR(cmd)) ?
			  EB(EBADF) : EB(ENOTTY);
	else if (f->racing)
		/* another thread may close or convert the fd meanwhile */
		allowed |= EB(EBADF) | EB(EINVAL) | EB(EOPNOTSUPP) |
			   EB(EPERM) | EB(ENOENT) | EB(ESRCH);
	return fuzz_ioctl(f, c->fd, cmd, arg, allowed, what);
}

/* --- the run ------------------------------------------------------------------ */

static void fuzz_ops_add(struct fuzz *f, const struct fuzz_op *ops,
			 unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n && f->nops < FUZZ_OPS_MAX; i++)
		f->ops[f->nops++] = &ops[i];
}

static unsigned int fuzz_op_pick(struct fuzz *f)
{
	unsigned int i, total = 0, r;

	for (i = 0; i < f->nops; i++)
		if (!f->racing || f->ops[i]->race)
			total += f->ops[i]->weight;
	r = fuzz_below(f, total);
	for (i = 0; i < f->nops; i++) {
		if (f->racing && !f->ops[i]->race)
			continue;
		if (r < f->ops[i]->weight)
			return i;
		r -= f->ops[i]->weight;
	}
	return 0;
}

static uint64_t fuzz_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void fuzz_steps(struct fuzz *f, uint64_t n)
{
	uint64_t end = f->calls + n, t0 = 0;
	unsigned int i;

	while (f->calls < end && !f->failed) {
		i = fuzz_op_pick(f);
		f->cur = i;
		f->op = f->ops[i]->name;
		f->call = NULL;
		if (f->profile)
			t0 = fuzz_ns();
		f->ops[i]->fn(f);
		if (f->profile) {
			f->prof_ns[i] += fuzz_ns() - t0;
			f->prof_n[i]++;
		}
		/* an operation that found nothing to do still counts */
		f->calls += !f->call;
	}
}

void fuzz_profile_print(const struct fuzz *f)
{
	bool done[FUZZ_OPS_MAX] = { 0 };
	unsigned int i, k, best;

	if (!f->profile)
		return;
	for (k = 0; k < f->nops; k++) {
		best = f->nops;
		for (i = 0; i < f->nops; i++)
			if (!done[i] && (best == f->nops ||
					 f->prof_ns[i] > f->prof_ns[best]))
				best = i;
		done[best] = true;
		printf("# fuzz profile: %-18s %8" PRIu64 " runs %8" PRIu64
		       " calls ok %8.3f s %7.1f us each\n",
		       f->ops[best]->name, f->prof_n[best], f->prof_ok[best],
		       f->prof_ns[best] / 1e9,
		       f->prof_n[best] ? f->prof_ns[best] / 1e3 / f->prof_n[best] : 0.0);
	}
}

int fuzz_init(struct fuzz *f, const struct fuzz_opts *o)
{
	struct vkfd_topo topo;
	int i, ret;

	memset(f, 0, sizeof(*f));
	f->seed = o->seed;
	f->rng = o->seed;
	f->target = o->calls;
	f->threads = o->threads;
	f->forks = o->forks ? UINT32_MAX : 0;
	f->pid = getpid();
	f->profile = getenv("VKFD_FUZZ_PROFILE") &&
		     !strcmp(getenv("VKFD_FUZZ_PROFILE"), "1");
	for (i = 0; i < FUZZ_CTX_MAX; i++)
		f->ctx[i].fd = -1;
	for (i = 0; i < FUZZ_RENDER_MAX; i++)
		f->render[i].fd = -1;
	for (i = 0; i < FUZZ_FED_MAX; i++)
		f->sdma[i].ctx = -1;
	for (i = 0; i < VKFD_MAX_GPUS; i++)
		f->primary_render[i] = -1;
	vkfd_env_init(&f->env);
	ret = vkfd_topo_load(f->env.topology, &topo);
	if (ret)
		return ret;
	f->nodes = topo.num_nodes;
	f->ngpus = topo.num_gpus < VKFD_MAX_GPUS ? topo.num_gpus :
						   VKFD_MAX_GPUS;
	for (i = 0; i < f->ngpus; i++)
		f->gpu[i] = topo.gpu_id[i];

	f->user = mmap(NULL, FUZZ_USER_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	f->arg = mmap(NULL, FUZZ_ARG_SIZE + 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f->user == MAP_FAILED || f->arg == MAP_FAILED)
		return -ENOMEM;
	/* The page after the scratch argument faults: arguments that run off it */
	munmap(f->arg + FUZZ_ARG_SIZE, 4096);
	f->bad = f->arg + FUZZ_ARG_SIZE;

	fuzz_ops_add(f, fuzz_kfd_ops, fuzz_kfd_nops);
	fuzz_ops_add(f, fuzz_kfd_q_ops, fuzz_kfd_q_nops);
	fuzz_ops_add(f, fuzz_kfd_cq_ops, fuzz_kfd_cq_nops);
	fuzz_ops_add(f, fuzz_drm_ops, fuzz_drm_nops);
	fuzz_ops_add(f, fuzz_proc_ops, fuzz_proc_nops);
	return 0;
}

bool fuzz_run(struct fuzz *f)
{
	if (f->calls < f->target)
		fuzz_steps(f, f->target - f->calls);
	return !f->failed;
}

void fuzz_fini(struct fuzz *f)
{
	int i;

	for (i = 0; i < FUZZ_FED_MAX; i++)
		if (f->sdma[i].ctx >= 0)
			fuzz_sdma_drop(f, i);
	for (i = 0; i < FUZZ_MAP_MAX; i++)
		if (f->map[i].addr)
			munmap(f->map[i].addr, f->map[i].len);
	for (i = 0; i < FUZZ_CTX_MAX; i++)
		if (f->ctx[i].fd >= 0)
			close(f->ctx[i].fd);
	for (i = 0; i < FUZZ_RENDER_MAX; i++)
		if (f->render[i].fd >= 0)
			close(f->render[i].fd);
	if (f->user && f->user != MAP_FAILED)
		munmap(f->user, FUZZ_USER_SIZE);
	if (f->arg && f->arg != MAP_FAILED)
		munmap(f->arg, FUZZ_ARG_SIZE);
	memset(f->map, 0, sizeof(f->map));
	for (i = 0; i < FUZZ_CTX_MAX; i++)
		f->ctx[i].fd = -1;
	for (i = 0; i < FUZZ_RENDER_MAX; i++)
		f->render[i].fd = -1;
}
