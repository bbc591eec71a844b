// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Adversarial cases from real GPU-driver security bugs (docs/adversarial.rst),
 * for what vkfd has so far: contexts, VMs and GPU
 * memory. Each test names its row. Races run under KASAN and lockdep in
 * the debug lane, where a use-after-free is a splat that fails the lane;
 * here they check that the bookkeeping comes out exact.
 *
 * All of them need a GPU and vkfd's introspection: they skip on amdkfd.
 */
#include "kselftest_harness.h"
#include "vkfd_utils.h"

#include <inttypes.h>
#include <pthread.h>
#include <linux/vkfd_ioctl.h>

#define VA		0x100000000ULL
#define WR_VRAM		(KFD_IOC_ALLOC_MEM_FLAGS_VRAM | \
			 KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE)

/* The base fixture; every test works on its first GPU */
FIXTURE(adv) {
	struct vkfd_base b;
};

/* The base fixture; the tests need vkfd's debugfs and a GPU */
static void adv_base_setup(struct __test_metadata *_metadata,
			   struct vkfd_base *b)
{
	vkfd_base_setup(b, 0);
	if (b->env.amdkfd)
		VKFD_SETUP_SKIP("amdkfd: needs a GPU and vkfd's debugfs");
	if (!vkfd_debugfs_present())
		VKFD_SETUP_SKIP("no debugfs at %s", vkfd_debugfs_root());
	ASSERT_LE(1, b->ngpus);
}

FIXTURE_SETUP(adv)
{
	adv_base_setup(_metadata, &self->b);
}

FIXTURE_TEARDOWN(adv)
{
	vkfd_base_teardown(&self->b);
}

/* The GPU of the tests */
#define GPU		(self->b.gpu[0])

/* A fresh secondary with a VM on the tests' GPU; its render fd in *@r. */
#define open_vm(self, c, r)	vkfd_secondary_vm(&(self)->b.env, GPU, c, r)

/* Buffer handles of @c, by the test hooks; -1 if unknown. */
static long ctx_bos(const struct vkfd_context *c)
{
	long ctx_id = vkfd_ctx_id_of_fd(c->fd);
	struct vkfd_ctx_row row;

	if (ctx_id < 0 || vkfd_ctx_row(getpid(), ctx_id, &row))
		return -1;
	return row.bos;
}

/* Row 4 (CVE-2024-26656): USERPTR ranges that are not user memory. */
TEST_F(adv, userptr_bad_ranges)
{
	static const struct {
		uint64_t addr, size;
		int err;
	} cases[] = {
		{ 0xffffffffffff0000ULL, 2ULL << 30, EFAULT },
		{ 0xffff888000000000ULL, 0x1000, EFAULT },	/* kernel */
		{ 0x7ffffffff000ULL, 0x2000, EFAULT },	/* straddles the top */
		{ 0xfffffffffffff000ULL, 0x2000, EFAULT },	/* wraps */
		{ 0x10000001ULL, 0x1000, EINVAL },		/* unaligned */
	};
	struct vkfd_context p;
	struct vkfd_bo bo;
	uint64_t before;
	unsigned int i;
	int r;

	/* USERPTR is for the primary */
	ASSERT_EQ(0, vkfd_context_vm(&self->b.env, false, GPU, &p, &r));
	before = vkfd_ctx_available(p.fd, GPU);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		EXPECT_EQ(-cases[i].err,
			  vkfd_alloc_userptr(&p, GPU, VA,
					     (void *)(uintptr_t)cases[i].addr,
					     cases[i].size,
					     KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE,
					     &bo))
			TH_LOG("case %u", i);
		EXPECT_EQ(0, ctx_bos(&p));
	}
	EXPECT_EQ(before, vkfd_ctx_available(p.fd, GPU));
	close(r);
	vkfd_close(&p);
}

struct guess_race {
	struct vkfd_context ctx;
	uint32_t gpu_id;
	volatile bool stop;
	long freed;
};

/* Frees and maps handles it guesses: the next one the allocator will give. */
static void *guess_thread(void *arg)
{
	struct guess_race *g = arg;
	struct vkfd_bo bo;
	uint64_t h;

	while (!g->stop) {
		for (h = 0; h < 4; h++) {
			bo = (struct vkfd_bo){
				.handle = (uint64_t)g->gpu_id << 32 | h,
			};
			vkfd_map(&g->ctx, &bo, &g->gpu_id, 1);
			if (!vkfd_free(&g->ctx, &bo))
				g->freed++;
		}
	}
	return NULL;
}

/*
 * Rows 5 and 6 (xe, qxl): a handle is usable only once its buffer is
 * complete. One thread allocates, maps and frees; another frees and maps
 * the handles it predicts. Every buffer is freed exactly once, by one of
 * them, and the context ends with none and the budget whole.
 */
TEST_F_TIMEOUT(adv, alloc_races_guessed_free, 300)
{
	struct guess_race g = { .gpu_id = GPU };
	int i, n = vkfd_scaled(2000), r, mine = 0, ret;
	struct vkfd_bo bo;
	uint64_t before;
	pthread_t t;

	ASSERT_EQ(0, open_vm(self, &g.ctx, &r));
	before = vkfd_ctx_available(g.ctx.fd, GPU);
	ASSERT_EQ(0, pthread_create(&t, NULL, guess_thread, &g));
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, vkfd_alloc(&g.ctx, GPU, VA, 0x10000,
					WR_VRAM, &bo));
		ret = vkfd_map(&g.ctx, &bo, &GPU, 1);
		ASSERT_TRUE(ret == 0 || ret == -EINVAL);
		ret = vkfd_free(&g.ctx, &bo);
		ASSERT_TRUE(ret == 0 || ret == -EINVAL);
		mine += !ret;
	}
	g.stop = true;
	pthread_join(t, NULL);
	EXPECT_EQ(n, mine + g.freed);
	EXPECT_EQ(0, ctx_bos(&g.ctx));
	EXPECT_EQ(before, vkfd_ctx_available(g.ctx.fd, GPU));
	vkfd_close(&g.ctx);
	close(r);
}

/* A page holding @len bytes of @arg, then made read-only: a reply to it faults. */
static void *readonly_arg(struct __test_metadata *_metadata, const void *arg,
			  size_t len)
{
	void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, page);
	memcpy(page, arg, len);
	ASSERT_EQ(0, mprotect(page, 4096, PROT_READ));
	return page;
}

/*
 * Row 7 (vmwgfx stale fd): an argument that cannot be written back gets
 * EFAULT and leaves nothing: what was built for it is undone before the
 * call returns (no handle, no VRAM, no conversion; tests/lifecycle.c
 * fails each copy-out in turn). The argument itself is what is under
 * test: the calls take the read-only page as it is.
 *
 * ALLOC_MEMORY_OF_GPU: no handle, no VRAM.
 */
TEST_F(adv, readonly_alloc_argument_makes_nothing)
{
	struct kfd_ioctl_alloc_memory_of_gpu_args a = {
		.va_addr = VA, .size = 0x100000, .gpu_id = GPU,
		.flags = WR_VRAM,
	};
	struct vkfd_context s;
	uint64_t before;
	void *page;
	int r;

	ASSERT_EQ(0, open_vm(self, &s, &r));
	before = vkfd_ctx_available(s.fd, GPU);
	page = readonly_arg(_metadata, &a, sizeof(a));
	EXPECT_EQ(-EFAULT, _test_alloc_memory(s.fd, page));
	EXPECT_EQ(0, ctx_bos(&s));
	EXPECT_EQ(before, vkfd_ctx_available(s.fd, GPU));
	munmap(page, 4096);
	vkfd_close(&s);
	close(r);
}

/* Row 7: CREATE_PROCESS (ROCm's read-write form) does not convert. */
TEST_F(adv, readonly_create_process_argument_converts_nothing)
{
	struct vkfd_ioctl_create_process_args cp = { 0 };
	struct vkfd_context p;
	void *page;

	ASSERT_EQ(0, vkfd_open_primary(self->b.env.dev, &p));
	page = readonly_arg(_metadata, &cp, sizeof(cp));
	EXPECT_EQ(-EFAULT, _test_ioctl(p.fd, VKFD_IOC_CREATE_PROCESS_ROCM, page));
	EXPECT_EQ(VKFD_CTX_ID_PRIMARY, vkfd_ctx_id_of_fd(p.fd));
	munmap(page, 4096);
	vkfd_close(&p);
}

struct acquire_race {
	struct vkfd_context ctx;
	int render;
	uint32_t gpu_id;
	pthread_barrier_t *go;
	int ret;
};

static void *acquire_thread(void *arg)
{
	struct acquire_race *a = arg;

	pthread_barrier_wait(a->go);
	a->ret = vkfd_acquire_vm(&a->ctx, a->gpu_id, a->render);
	return NULL;
}

/*
 * Row 8 (amdgpu VM acquire race): two contexts race to acquire one
 * render file. Exactly one wins; the other gets EINVAL and has no VM.
 */
TEST_F(adv, acquire_race_one_render_file)
{
	struct acquire_race a[2];
	uint32_t pasid;
	pthread_barrier_t go;
	int i, k, r, rounds = vkfd_scaled(200);
	pthread_t t[2];

	for (k = 0; k < rounds; k++) {
		r = vkfd_render_open(self->b.env.topology, GPU);
		ASSERT_LE(0, r);
		ASSERT_EQ(0, pthread_barrier_init(&go, NULL, 2));
		for (i = 0; i < 2; i++) {
			a[i] = (struct acquire_race){
				.render = r, .gpu_id = GPU, .go = &go,
			};
			ASSERT_EQ(0, vkfd_open_secondary(self->b.env.dev,
							 &a[i].ctx));
		}
		for (i = 0; i < 2; i++)
			ASSERT_EQ(0, pthread_create(&t[i], NULL,
						    acquire_thread, &a[i]));
		for (i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
		ASSERT_EQ(-EINVAL, a[0].ret + a[1].ret) TH_LOG("round %d", k);
		for (i = 0; i < 2; i++) {
			pasid = vkfd_ctx_pasid(a[i].ctx.fd, 0);
			ASSERT_NE(UINT32_MAX, pasid);
			EXPECT_EQ(a[i].ret == 0, pasid != 0);
			vkfd_close(&a[i].ctx);
		}
		pthread_barrier_destroy(&go);
		close(r);
	}
}

/*
 * Row 12 (KFD watch_id): count fields at their edges, once for MAP (of a
 * buffer mapped nowhere) and once for UNMAP (of one mapped on the GPU).
 * The argument is built by hand: its counts are what is under test.
 */
FIXTURE(adv_map_count) {
	struct vkfd_base b;
};

FIXTURE_VARIANT(adv_map_count) {
	unsigned long cmd;
	bool unmap;
};

FIXTURE_VARIANT_ADD(adv_map_count, map) {
	.cmd = AMDKFD_IOC_MAP_MEMORY_TO_GPU, .unmap = false,
};

FIXTURE_VARIANT_ADD(adv_map_count, unmap) {
	.cmd = AMDKFD_IOC_UNMAP_MEMORY_FROM_GPU, .unmap = true,
};

FIXTURE_SETUP(adv_map_count)
{
	adv_base_setup(_metadata, &self->b);
}

FIXTURE_TEARDOWN(adv_map_count)
{
	vkfd_base_teardown(&self->b);
}

TEST_F(adv_map_count, edges)
{
	static const uint32_t counts[] = {
		0, 1025, INT32_MAX, (uint32_t)INT32_MAX + 1, UINT32_MAX,
	};
	struct kfd_ioctl_map_memory_to_gpu_args m;
	unsigned long c = variant->cmd;
	struct vkfd_context s;
	struct vkfd_bo bo;
	uint32_t *ids;
	unsigned int i;
	int r;

	ASSERT_EQ(0, open_vm(self, &s, &r));
	ASSERT_EQ(0, vkfd_alloc(&s, GPU, VA, 0x1000, WR_VRAM, &bo));
	ids = calloc(1024, sizeof(*ids));
	ASSERT_NE(NULL, ids);
	for (i = 0; i < 1024; i++)
		ids[i] = GPU;
	if (variant->unmap)
		ASSERT_EQ(0, vkfd_map(&s, &bo, ids, 1));
	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		m = (struct kfd_ioctl_map_memory_to_gpu_args){
			.handle = bo.handle,
			.device_ids_array_ptr = (uintptr_t)ids,
			.n_devices = counts[i],
		};
		EXPECT_EQ(-EINVAL, _test_ioctl(s.fd, c, &m))
			TH_LOG("n_devices %u", counts[i]);
		EXPECT_EQ(0U, m.n_success);
		m.n_devices = 1;
		m.n_success = counts[i] ? counts[i] : 2;
		EXPECT_EQ(-EINVAL, _test_ioctl(s.fd, c, &m))
			TH_LOG("n_success %u", m.n_success);
	}
	/* MAP: 1024 ids of one GPU, the first maps, the others count */
	m = (struct kfd_ioctl_map_memory_to_gpu_args){
		.handle = bo.handle,
		.device_ids_array_ptr = (uintptr_t)ids,
		.n_devices = variant->unmap ? 1 : 1024,
	};
	EXPECT_EQ(0, _test_ioctl(s.fd, c, &m));
	EXPECT_EQ(variant->unmap ? 1U : 1024U, m.n_success);
	/* n_success == n_devices: nothing left to do */
	EXPECT_EQ(0, _test_ioctl(s.fd, c, &m));
	EXPECT_EQ(0, vkfd_free(&s, &bo));
	free(ids);
	vkfd_close(&s);
	close(r);
}

/*
 * Rows 15 and 16 (LeftoverLocals, VRAM wipe): a context writes a secret
 * into its buffers and dies; new contexts' buffers never show it.
 */
TEST_F(adv, freed_memory_never_leaks)
{
	static const uint64_t sizes[] = { 0x1000, 0x10000, 0x200000 };
	static const char secret[] = "vkfd-secret-0123456789abcdef";
	unsigned int i, round;
	struct vkfd_context s;
	struct vkfd_bo bo;
	uint64_t off;
	char *zero;
	void *p;
	int r;

	zero = calloc(1, 0x200000);
	ASSERT_NE(NULL, zero);
	/* Round 0 frees its buffers, round 1 dies with them */
	for (round = 0; round < 2; round++) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			ASSERT_EQ(0, open_vm(self, &s, &r));
			ASSERT_EQ(0, vkfd_alloc(&s, GPU, VA, sizes[i],
						WR_VRAM, &bo));
			ASSERT_EQ(0, vkfd_map(&s, &bo, &GPU, 1));
			ASSERT_EQ(0, vkfd_bo_mmap(r, &bo,
						  PROT_READ | PROT_WRITE, &p));
			ASSERT_EQ(0, memcmp(p, zero, sizes[i]))
				TH_LOG("round %u size %" PRIu64, round, sizes[i]);
			for (off = 0; off + sizeof(secret) <= sizes[i];
			     off += sizeof(secret))
				memcpy((char *)p + off, secret, sizeof(secret));
			ASSERT_EQ(0, vkfd_bo_munmap(&bo, p));
			if (!round)
				ASSERT_EQ(0, vkfd_free(&s, &bo));
			vkfd_close(&s);
			close(r);
		}
	}
	free(zero);
}

TEST_HARNESS_MAIN
