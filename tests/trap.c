// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * AMDKFD_IOC_SET_TRAP_HANDLER: ROCr installs a trap handler on every GPU
 * it opens and asserts that it succeeds. vkfd records the pair per
 * context and GPU (nothing executes it), visible in debugfs as
 * proc/<pid>/[context_<id>/]trap_<gpuid>: "tba 0x.. tma 0x..".
 *
 * The unknown-GPU errno is shared with amdkfd and runs in the amdkfd lane
 * too (its topology has no GPU); everything else needs a GPU and vkfd's
 * debugfs and test hooks (the mem fixture, mem_utils.h). The ioctl allocates nothing:
 * fail-nth never fires in it (trap_allocates_nothing).
 */
#include "kselftest_harness.h"
#include "vkfd_utils.h"
#include "mem_utils.h"

#define TBA_A	0x7f0000001000ULL
#define TMA_A	0x7f0000002000ULL
#define TBA_B	0x100000000ULL
#define TMA_B	0x100001000ULL

/* SET_TRAP_HANDLER on @fd: 0 or -errno. */
static int set_trap(int fd, uint32_t gpu_id, uint64_t tba, uint64_t tma, uint32_t pad)
{
	struct kfd_ioctl_set_trap_handler_args args = {
		.tba_addr = tba, .tma_addr = tma, .gpu_id = gpu_id, .pad = pad,
	};

	return _test_ioctl(fd, AMDKFD_IOC_SET_TRAP_HANDLER, &args);
}

/* debugfs trap_<gpuid> of context @c on GPU @g: 0 or -errno. */
static int read_trap(FIXTURE_DATA(mem) *self, struct mem_ctx *c, int g,
		     uint64_t *tba, uint64_t *tma)
{
	char path[PATH_MAX], text[128];
	unsigned long long a, b;
	ssize_t len;

	if (c->id == VKFD_CTX_ID_PRIMARY)
		vkfd_debugfs_path(path, sizeof(path), "/proc/%d/trap_%u",
				  (int)self->b.pid, self->b.gpu[g]);
	else
		vkfd_debugfs_path(path, sizeof(path), "/proc/%d/context_%u/trap_%u",
				  (int)self->b.pid, c->id, self->b.gpu[g]);
	len = vkfd_read_text(path, text, sizeof(text));
	if (len < 0)
		return len;
	if (sscanf(text, "tba 0x%llx tma 0x%llx", &a, &b) != 2)
		return -EPROTO;
	*tba = a;
	*tma = b;
	return 0;
}

/* Context @c shows (@tba, @tma) for GPU @g. */
#define EXPECT_TRAP(c, g, _tba, _tma) do {				\
	uint64_t __a = ~0ULL, __b = ~0ULL;				\
	EXPECT_EQ(0, read_trap(self, (c), (g), &__a, &__b))		\
		TH_LOG("context %u gpu %d", (c)->id, (g));		\
	EXPECT_EQ((uint64_t)(_tba), __a) TH_LOG("context %u gpu %d", (c)->id, (g)); \
	EXPECT_EQ((uint64_t)(_tma), __b) TH_LOG("context %u gpu %d", (c)->id, (g)); \
} while (0)

/*
 * An unknown gpu_id (and 0, the CPU node) is EINVAL, as amdkfd answers it;
 * so in the amdkfd lane too, whose topology has no GPU.
 */
TEST(trap_unknown_gpu_einval)
{
	struct vkfd_context ctx;
	struct vkfd_env env;
	struct vkfd_topo topo;

	vkfd_env_init(&env);
	ASSERT_EQ(0, vkfd_topo_load(env.topology, &topo));
	ASSERT_EQ(0, vkfd_open_primary(env.dev, &ctx));
	EXPECT_EQ(-EINVAL, set_trap(ctx.fd, vkfd_topo_unused_gpu_id(&topo), TBA_A, TMA_A, 0));
	EXPECT_EQ(-EINVAL, set_trap(ctx.fd, 0, TBA_A, TMA_A, 0));
	EXPECT_EQ(-EINVAL, set_trap(ctx.fd, ~0U, 0, 0, 0));
	vkfd_close(&ctx);
}

/* Without a VM on the GPU: ESRCH (as amdkfd), on a primary and on a secondary; no trap file. */
TEST_F(mem, trap_no_vm_esrch)
{
	struct mem_ctx *p = &self->ctx[0];
	struct mem_ctx *s = mem_ctx_new(_metadata, self, true);
	uint64_t a, b;

	EXPECT_EQ(-ESRCH, set_trap(p->k.fd, self->b.gpu[0], TBA_A, TMA_A, 0));
	EXPECT_EQ(-ESRCH, set_trap(s->k.fd, self->b.gpu[0], TBA_A, TMA_A, 0));
	EXPECT_EQ(-ENOENT, read_trap(self, p, 0, &a, &b));
	EXPECT_EQ(-ENOENT, read_trap(self, s, 0, &a, &b));

	/* the VM on GPU 0 does not make GPU 1 settable */
	if (self->b.ngpus > 1) {
		mem_vm(_metadata, self, p, 0);
		EXPECT_EQ(-ESRCH, set_trap(p->k.fd, self->b.gpu[1], TBA_A, TMA_A, 0));
		EXPECT_TRAP(p, 0, 0, 0);
		EXPECT_EQ(-ENOENT, read_trap(self, p, 1, &a, &b));
	}
}

/*
 * Recorded for the calling context and GPU only, on a primary and on a
 * secondary alike; a second call replaces both values, 0 included.
 */
TEST_F(mem, trap_recorded_per_context_and_gpu)
{
	struct mem_ctx *p = &self->ctx[0];
	struct mem_ctx *s = mem_ctx_new(_metadata, self, true);
	int g, last = self->b.ngpus - 1;

	for (g = 0; g < self->b.ngpus; g++) {
		mem_vm(_metadata, self, p, g);
		mem_vm(_metadata, self, s, g);
		EXPECT_TRAP(p, g, 0, 0);
		EXPECT_TRAP(s, g, 0, 0);
	}

	ASSERT_EQ(0, set_trap(p->k.fd, self->b.gpu[0], TBA_A, TMA_A, 0));
	EXPECT_TRAP(p, 0, TBA_A, TMA_A);
	EXPECT_TRAP(s, 0, 0, 0);
	if (last)
		EXPECT_TRAP(p, last, 0, 0);

	ASSERT_EQ(0, set_trap(s->k.fd, self->b.gpu[last], TBA_B, TMA_B, 0));
	EXPECT_TRAP(s, last, TBA_B, TMA_B);
	EXPECT_TRAP(p, 0, TBA_A, TMA_A);
	if (last) {
		EXPECT_TRAP(s, 0, 0, 0);
		EXPECT_TRAP(p, last, 0, 0);
	}

	/* replaced, by other values and by zeros */
	ASSERT_EQ(0, set_trap(p->k.fd, self->b.gpu[0], TBA_B, ~0ULL, 0));
	EXPECT_TRAP(p, 0, TBA_B, ~0ULL);
	ASSERT_EQ(0, set_trap(p->k.fd, self->b.gpu[0], 0, 0, 0));
	EXPECT_TRAP(p, 0, 0, 0);
	EXPECT_TRAP(s, last, TBA_B, TMA_B);
}

/* Each bad input gets its errno and leaves every recorded pair as it was. */
TEST_F(mem, trap_bad_input_changes_nothing)
{
	struct mem_ctx *p = &self->ctx[0];
	struct mem_ctx *s = mem_ctx_new(_metadata, self, true);
	struct mem_ctx *idle = mem_ctx_new(_metadata, self, true);
	struct vkfd_topo topo;

	ASSERT_EQ(0, vkfd_topo_load(self->b.env.topology, &topo));
	mem_vm(_metadata, self, p, 0);
	mem_vm(_metadata, self, s, 0);
	ASSERT_EQ(0, set_trap(p->k.fd, self->b.gpu[0], TBA_A, TMA_A, 0));
	ASSERT_EQ(0, set_trap(s->k.fd, self->b.gpu[0], TBA_B, TMA_B, 0));

	EXPECT_EQ(-EINVAL, set_trap(p->k.fd, self->b.gpu[0], 1, 2, 1));
	EXPECT_EQ(-EINVAL, set_trap(p->k.fd, self->b.gpu[0], 1, 2, 0x80000000));
	EXPECT_EQ(-EINVAL, set_trap(p->k.fd, vkfd_topo_unused_gpu_id(&topo), 1, 2, 0));
	EXPECT_EQ(-EINVAL, set_trap(p->k.fd, 0, 1, 2, 0));
	/* a context without its VM: ESRCH, and the others' pairs stay */
	EXPECT_EQ(-ESRCH, set_trap(idle->k.fd, self->b.gpu[0], 1, 2, 0));
	EXPECT_EQ(-EINVAL, set_trap(s->k.fd, self->b.gpu[0], 1, 2, 1));

	EXPECT_TRAP(p, 0, TBA_A, TMA_A);
	EXPECT_TRAP(s, 0, TBA_B, TMA_B);
}

/*
 * The pair goes with its context: closing a secondary removes its
 * trap file and leaves the primary's; a new secondary starts from 0.
 */
TEST_F(mem, trap_gone_with_context)
{
	struct mem_ctx *p = &self->ctx[0];
	struct mem_ctx *s = mem_ctx_new(_metadata, self, true);
	struct mem_ctx *t;
	struct vkfd_ctx_row row;
	uint32_t id = s->id;
	uint64_t a, b;

	mem_vm(_metadata, self, p, 0);
	mem_vm(_metadata, self, s, 0);
	ASSERT_EQ(0, set_trap(p->k.fd, self->b.gpu[0], TBA_A, TMA_A, 0));
	ASSERT_EQ(0, set_trap(s->k.fd, self->b.gpu[0], TBA_B, TMA_B, 0));
	EXPECT_TRAP(s, 0, TBA_B, TMA_B);

	ASSERT_EQ(0, vkfd_close(&s->k));
	EXPECT_EQ(-ENOENT, read_trap(self, s, 0, &a, &b));
	EXPECT_EQ(-ENOENT, vkfd_ctx_row(self->b.pid, id, &row));
	EXPECT_TRAP(p, 0, TBA_A, TMA_A);

	t = mem_ctx_new(_metadata, self, true);
	mem_vm(_metadata, self, t, 0);
	EXPECT_TRAP(t, 0, 0, 0);
}

/* The ioctl allocates nothing: with fail-nth armed it succeeds and no fault fires. */
TEST_F(mem, trap_allocates_nothing)
{
	struct kfd_ioctl_set_trap_handler_args args = {
		.tba_addr = TBA_A, .tma_addr = TMA_A, .gpu_id = self->b.gpu[0],
	};
	struct mem_ctx *p = &self->ctx[0];
	bool fired;
	int fd, n;

	mem_vm(_metadata, self, p, 0);
	fd = open(VKFD_FAIL_NTH_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		SKIP(return, "no %s (no fault injection in this kernel)", VKFD_FAIL_NTH_PATH);
	for (n = 1; n <= 3; n++) {
		args.tba_addr = TBA_A + n;
		EXPECT_EQ(0, vkfd_fail_nth_ioctl(fd, n, p->k.fd, AMDKFD_IOC_SET_TRAP_HANDLER,
						 &args, &fired));
		EXPECT_FALSE(fired) TH_LOG("allocation %d", n);
		EXPECT_TRAP(p, 0, TBA_A + n, TMA_A);
	}
	close(fd);
}

TEST_HARNESS_MAIN
