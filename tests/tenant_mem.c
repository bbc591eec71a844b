// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Memory one tenant cannot take from the others (docs/tenancy.rst, "Bounds"):
 * the GTT of a GPU (and with it the DRM mmap-offset space every buffer
 * takes its size from), pinned USERPTR pages, and sizes that would reach
 * an allocation the kernel refuses with a WARN.
 *
 * vkfd only: amdkfd without a GPU has nothing to allocate on.
 */
#include "kselftest_harness.h"
#include "tenant_utils.h"

#include <sys/sysinfo.h>

#define MEM_VA		0x40000000ULL	/* a GPU address in the aperture */

FIXTURE(tenant_mem) {
	struct vkfd_base b;
};

FIXTURE_SETUP(tenant_mem)
{
	vkfd_base_setup(&self->b, VKFD_BASE_PRIMARY | VKFD_BASE_VM);
	VKFD_SETUP_NEED_GPU(&self->b, "no GPU to allocate on");
}

FIXTURE_TEARDOWN(tenant_mem)
{
	vkfd_base_teardown(&self->b);
}

/* What a child tenant needs: the device, and the GPU to allocate on. */
struct tenant_arg {
	const struct vkfd_env *env;
	uint32_t gpu;
	uid_t uid;
};

/*
 * As root, open a primary with its VM on @t->gpu, then become @t->uid.
 * 0, or the exit code of the step that failed (1..3).
 */
static int tenant_enter(const struct tenant_arg *t, struct vkfd_context *k,
			int *render)
{
	if (vkfd_open_primary(t->env->dev, k))
		return 1;
	if (vkfd_open_vm(k, t->env->topology, t->gpu, render))
		return 2;
	if (tenant_drop_to(t->uid))
		return 3;
	return 0;
}

/* ------------------------------------------------------------------------
 * GTT and the mmap-offset space
 */

/*
 * The hog: the two 511 GiB GTT buffers, then as much GTT as it
 * can get, in halving sizes down to a page. Sends the first ALLOC's
 * result (0 or -errno) and the bytes it holds, then keeps them (its fd
 * open) until the parent says to exit.
 */
static int gtt_hog(void *arg, int in, int out)
{
	const struct tenant_arg *t = arg;
	uint64_t va = MEM_VA, held = 0, size, go;
	struct vkfd_context k;
	struct vkfd_bo bo;
	int ret, render;

	ret = tenant_enter(t, &k, &render);
	if (ret)
		return ret;
	ret = vkfd_alloc(&k, t->gpu, va, 511 * GIB, F_GTT, &bo);
	if (!ret) {
		held += 511 * GIB;
		va += 511 * GIB;
	}
	if (vkfd_msg_send(out, (uint64_t)(int64_t)ret))
		return 4;
	for (size = GIB; size >= PAGE; size /= 2) {
		while (!vkfd_alloc(&k, t->gpu, va, size, F_GTT, &bo)) {
			held += size;
			va += size;
		}
	}
	if (vkfd_msg_send(out, held))
		return 5;
	/* Until the parent says so, or stops listening */
	vkfd_msg_recv(in, &go);
	return 0;
}

/* The victim: a 4 KiB GTT buffer, mapped, then freed; 0 or 1..6. */
static int gtt_victim(void *arg, int in, int out)
{
	const struct tenant_arg *t = arg;
	struct vkfd_context k;
	struct vkfd_bo bo;
	int ret, render;

	ret = tenant_enter(t, &k, &render);
	if (ret)
		return ret;
	if (vkfd_alloc(&k, t->gpu, MEM_VA, PAGE, F_GTT | F_W, &bo))
		return 4;
	if (vkfd_map(&k, &bo, &t->gpu, 1))
		return 5;
	if (vkfd_free(&k, &bo))
		return 6;
	return 0;
}

/*
 * A user holding all the GTT it may (its fd kept open, as in a unix
 * socket) leaves the GTT, and the mmap-offset space, to the others: the
 * 511 GiB ALLOC of the issue fails with ENOMEM, the hog gets exactly its
 * share, and another user's and root's 4 KiB ALLOC + MAP succeed.
 */
TEST_F(tenant_mem, gtt_hog_leaves_others_room)
{
	struct tenant_arg hog = { &self->b.env, self->b.gpu[0], TENANT_UID };
	struct tenant_arg victim = { &self->b.env, self->b.gpu[0], TENANT_UID2 };
	uint64_t mb, pct, share, first, held;
	struct vkfd_child other;
	struct vkfd_bo bo;

	ASSERT_EQ(0, vkfd_module_param_u64("gtt_mb", &mb));
	ASSERT_EQ(0, vkfd_module_param_u64("gtt_user_percent", &pct));
	share = mb * MIB * pct / 100 / PAGE * PAGE;
	TH_LOG("GTT budget %llu MiB, a user's share %llu MiB",
	       (unsigned long long)mb, (unsigned long long)(share / MIB));

	ASSERT_EQ(0, vkfd_child_start(&self->b.child, gtt_hog, &hog));
	ASSERT_EQ(0, vkfd_msg_recv(self->b.child.from_child, &first));
	EXPECT_EQ(-ENOMEM, (int64_t)first);
	ASSERT_EQ(0, vkfd_msg_recv(self->b.child.from_child, &held));
	EXPECT_EQ(share, held);

	/* Another user, while the hog holds its share */
	ASSERT_EQ(0, vkfd_child_start(&other, gtt_victim, &victim));
	EXPECT_EQ(0, vkfd_child_wait(&other));
	/* Root, which has no share of its own to exhaust */
	ASSERT_EQ(0, vkfd_alloc(&self->b.p, self->b.gpu[0], MEM_VA, PAGE,
				F_GTT | F_W, &bo));
	EXPECT_EQ(0, vkfd_map(&self->b.p, &bo, &self->b.gpu[0], 1));
	EXPECT_EQ(0, vkfd_free(&self->b.p, &bo));

	ASSERT_EQ(0, vkfd_msg_send(self->b.child.to_child, 1));
	EXPECT_EQ(0, vkfd_child_wait(&self->b.child));
}

/* ------------------------------------------------------------------------
 * USERPTR: size and pins
 */

/* Buffers of @pid's primary, per the test hooks; -1 if unknown. */
static int64_t tenant_bos(void)
{
	struct vkfd_ctx_row row;

	if (vkfd_ctx_row(getpid(), VKFD_CTX_ID_PRIMARY, &row))
		return -1;
	return row.bos;
}

/*
 * A USERPTR larger than the RAM could never be pinned, and its page array
 * would be beyond what the kernel allocates (a WARN at MAP): ENOMEM at
 * ALLOC, nothing made.
 */
TEST_F(tenant_mem, userptr_larger_than_ram_enomem)
{
	uint64_t addr = 1ULL << 32;	/* user space; never touched */
	struct sysinfo si;
	struct vkfd_bo bo;
	uint64_t ram;
	int64_t bos;

	ASSERT_TRUE(vkfd_hooks_present());
	ASSERT_EQ(0, sysinfo(&si));
	ram = (uint64_t)si.totalram * si.mem_unit / PAGE * PAGE;
	bos = tenant_bos();
	ASSERT_LE(0, bos);
	EXPECT_EQ(-ENOMEM, vkfd_alloc_userptr(&self->b.p, self->b.gpu[0],
					      MEM_VA, (void *)addr, 1ULL << 40,
					      0, &bo));
	EXPECT_EQ(-ENOMEM, vkfd_alloc_userptr(&self->b.p, self->b.gpu[0],
					      MEM_VA, (void *)addr,
					      ram + PAGE, F_W, &bo));
	EXPECT_EQ(bos, tenant_bos());
}

/*
 * Steps of the pin tenant: the USERPTR pins of a user without
 * CAP_IPC_LOCK stay within its RLIMIT_MEMLOCK of 4 pages, and VmPin shows
 * them. The exit code is the step that failed.
 */
static int pin_tenant(void *arg, int in, int out)
{
	const struct rlimit rl = { 4 * PAGE, 4 * PAGE };
	const struct tenant_arg *t = arg;
	struct vkfd_bo big, four, again;
	struct vkfd_context k;
	uint8_t *buf;
	int ret, render;

	buf = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED)
		return 10;
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return 11;
	ret = tenant_enter(t, &k, &render);
	if (ret)
		return ret;
	if (tenant_vmpin_kb() != 0)
		return 20;
	/* 8 pages: allocated, but the MAP would pin beyond the limit */
	if (vkfd_alloc_userptr(&k, t->gpu, MEM_VA, buf, 8 * PAGE, F_W, &big))
		return 21;
	if (vkfd_map(&k, &big, &t->gpu, 1) != -ENOMEM)
		return 22;
	if (tenant_vmpin_kb() != 0)
		return 23;
	/* 4 pages: within it, charged */
	if (vkfd_alloc_userptr(&k, t->gpu, MEM_VA + MIB, buf, 4 * PAGE, F_W,
			       &four))
		return 24;
	if (vkfd_map(&k, &four, &t->gpu, 1))
		return 25;
	if (tenant_vmpin_kb() != 16)
		return 26;
	/* The same pages again, another buffer: charged again, refused */
	if (vkfd_alloc_userptr(&k, t->gpu, MEM_VA + 2 * MIB, buf, 4 * PAGE,
			       F_W, &again))
		return 27;
	if (vkfd_map(&k, &again, &t->gpu, 1) != -ENOMEM)
		return 28;
	if (tenant_vmpin_kb() != 16)
		return 29;
	/* Unpinned: uncharged */
	if (vkfd_unmap(&k, &four, &t->gpu, 1))
		return 30;
	if (tenant_vmpin_kb() != 0)
		return 31;
	/* Within the limit again: the refused one maps now */
	if (vkfd_map(&k, &again, &t->gpu, 1))
		return 32;
	if (tenant_vmpin_kb() != 16)
		return 33;
	/* Freed while mapped: uncharged too */
	if (vkfd_free(&k, &again) || vkfd_free(&k, &four) ||
	    vkfd_free(&k, &big))
		return 34;
	if (tenant_vmpin_kb() != 0)
		return 35;
	return 0;
}

/*
 * USERPTR pins are charged to pinned_vm and held to RLIMIT_MEMLOCK: a MAP
 * beyond it fails with ENOMEM and pins nothing, the same pages pinned
 * through two buffers count twice, and VmPin goes back to 0.
 */
TEST_F(tenant_mem, userptr_pins_within_memlock)
{
	struct tenant_arg t = { &self->b.env, self->b.gpu[0], TENANT_UID };
	int code;

	ASSERT_EQ(0, vkfd_child_start(&self->b.child, pin_tenant, &t));
	code = vkfd_child_wait(&self->b.child);
	EXPECT_EQ(0, code) TH_LOG("the tenant failed at step %d", code);
}

/*
 * Root (CAP_IPC_LOCK) may pin beyond its RLIMIT_MEMLOCK, as with RDMA,
 * but is charged all the same.
 */
TEST_F(tenant_mem, userptr_pins_charged_with_cap_ipc_lock)
{
	const struct rlimit rl = { 4 * PAGE, RLIM_INFINITY };
	struct rlimit old;
	struct vkfd_bo bo;
	uint8_t *buf;
	long pinned;

	buf = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	pinned = tenant_vmpin_kb();
	ASSERT_LE(0, pinned);
	ASSERT_EQ(0, getrlimit(RLIMIT_MEMLOCK, &old));
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &rl));
	ASSERT_EQ(0, vkfd_alloc_userptr(&self->b.p, self->b.gpu[0], MEM_VA, buf,
					8 * PAGE, F_W, &bo));
	EXPECT_EQ(0, vkfd_map(&self->b.p, &bo, &self->b.gpu[0], 1));
	EXPECT_EQ(pinned + 32, tenant_vmpin_kb());
	EXPECT_EQ(0, vkfd_free(&self->b.p, &bo));
	EXPECT_EQ(pinned, tenant_vmpin_kb());
	EXPECT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &old));
	munmap(buf, 8 * PAGE);
}

TEST_HARNESS_MAIN
