// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit tests of GPU VA access (vkfd_vm_access.c): every byte goes
 * through the VM's page table with the PTE's permissions, page
 * boundaries and misalignment are exact, and a fault reports the first
 * byte it could not reach with the bytes before it done; a store through
 * a doorbell PTE, and only a store, rings.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../vkfd_priv.h"
#include "../vkfd_pt.h"
#include "../vkfd_vm.h"
#include "../vkfd_vm_access.h"
#include "vkfd_vm_test.h"

#define W		(VKFD_PTE_VALID | VKFD_PTE_WRITEABLE)

/*
 * The VM: 4 RW pages at RW_VA, one read-only page right after them, one
 * write-only page after that, then a hole.
 */
#define NPAGES		6
#define RW_VA		0x100000ULL
#define RO_VA		(RW_VA + 4 * PG)
#define WO_VA		(RO_VA + PG)
#define HOLE_VA		(WO_VA + PG)

struct access_test {
	struct vkfd_ctx ctx;
	struct vkfd_vm vm;
	struct page *pages[NPAGES];
};

static u8 *page_of(struct access_test *t, unsigned int i)
{
	return page_address(t->pages[i]);
}

static int access_test_init(struct kunit *test)
{
	struct access_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	int ret;

	if (!t)
		return -ENOMEM;
	test->priv = t;
	ret = vkfd_vm_test_init(&t->ctx, &t->vm, t->pages, NPAGES);
	if (ret)
		return ret;
	ret = vkfd_pt_map(&t->vm.pt, RW_VA, t->pages, 4, RW);
	if (!ret)
		ret = vkfd_pt_map(&t->vm.pt, RO_VA, &t->pages[4], 1, R);
	if (!ret)
		ret = vkfd_pt_map(&t->vm.pt, WO_VA, &t->pages[5], 1, W);
	return ret;
}

static void access_test_exit(struct kunit *test)
{
	struct access_test *t = test->priv;

	if (t)
		vkfd_vm_test_exit(&t->ctx, &t->vm, t->pages, NPAGES);
}

/* The accesses, each under the context's mem_lock as the engine does */
static int rd(struct access_test *t, u64 va, void *buf, size_t len,
	      struct vkfd_vm_fault *f)
{
	int ret;

	mutex_lock(&t->ctx.mem_lock);
	ret = vkfd_vm_read_locked(&t->vm, va, buf, len, f);
	mutex_unlock(&t->ctx.mem_lock);
	return ret;
}

static int wr(struct access_test *t, u64 va, const void *buf, size_t len,
	      struct vkfd_vm_fault *f)
{
	int ret;

	mutex_lock(&t->ctx.mem_lock);
	ret = vkfd_vm_write_locked(&t->vm, va, buf, len, f);
	mutex_unlock(&t->ctx.mem_lock);
	return ret;
}

static int cp(struct access_test *t, u64 dst, u64 src, u64 len, u64 *done,
	      struct vkfd_vm_fault *f)
{
	int ret;

	mutex_lock(&t->ctx.mem_lock);
	ret = vkfd_vm_copy_locked(&t->vm, dst, src, len, done, f);
	mutex_unlock(&t->ctx.mem_lock);
	return ret;
}

static int fl(struct access_test *t, u64 dst, u32 pattern, u64 len,
	      u64 *done, struct vkfd_vm_fault *f)
{
	int ret;

	mutex_lock(&t->ctx.mem_lock);
	ret = vkfd_vm_fill_locked(&t->vm, dst, pattern, len, done, f);
	mutex_unlock(&t->ctx.mem_lock);
	return ret;
}

static void fill_pattern(u8 *buf, size_t len, u8 seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (u8)(seed + i * 7);
}

/* Read and write across a page boundary, at odd addresses. */
static void vkfd_vm_access_test_read_write(struct kunit *test)
{
	struct access_test *t = test->priv;
	struct vkfd_vm_fault f = {};
	u8 in[100], out[100];

	fill_pattern(in, sizeof(in), 1);
	KUNIT_ASSERT_EQ(test, wr(t, RW_VA + PG - 37, in, sizeof(in), &f), 0);
	KUNIT_EXPECT_EQ(test, memcmp(page_of(t, 0) + PG - 37, in, 37), 0);
	KUNIT_EXPECT_EQ(test, memcmp(page_of(t, 1), in + 37, 63), 0);
	/* Nothing around it */
	KUNIT_EXPECT_EQ(test, page_of(t, 0)[PG - 38], 0);
	KUNIT_EXPECT_EQ(test, page_of(t, 1)[63], 0);

	KUNIT_ASSERT_EQ(test, rd(t, RW_VA + PG - 37, out, sizeof(out), &f), 0);
	KUNIT_EXPECT_EQ(test, memcmp(in, out, sizeof(in)), 0);

	/* Read-only can be read, write-only written */
	KUNIT_EXPECT_EQ(test, rd(t, RO_VA, out, 8, &f), 0);
	KUNIT_EXPECT_EQ(test, wr(t, WO_VA, in, 8, &f), 0);
	KUNIT_EXPECT_EQ(test, memcmp(page_of(t, 5), in, 8), 0);
}

/* A fault reports the first byte it could not reach. */
static void vkfd_vm_access_test_faults(struct kunit *test)
{
	struct access_test *t = test->priv;
	struct vkfd_vm_fault f;
	u8 buf[64];

	/* Write running from RW into the read-only page */
	memset(&f, 0, sizeof(f));
	memset(buf, 0xab, sizeof(buf));
	KUNIT_EXPECT_EQ(test, wr(t, RO_VA - 10, buf, sizeof(buf), &f), -EFAULT);
	KUNIT_EXPECT_EQ(test, f.va, RO_VA);
	KUNIT_EXPECT_TRUE(test, f.write);
	KUNIT_EXPECT_FALSE(test, f.not_present);
	/* The bytes before it are written, the page is untouched */
	KUNIT_EXPECT_EQ(test, page_of(t, 3)[PG - 1], 0xab);
	KUNIT_EXPECT_EQ(test, page_of(t, 3)[PG - 10], 0xab);
	KUNIT_EXPECT_EQ(test, page_of(t, 4)[0], 0);

	/* Read of the write-only page */
	memset(&f, 0, sizeof(f));
	KUNIT_EXPECT_EQ(test, rd(t, WO_VA + 3, buf, 4, &f), -EFAULT);
	KUNIT_EXPECT_EQ(test, f.va, WO_VA + 3);
	KUNIT_EXPECT_FALSE(test, f.write);
	KUNIT_EXPECT_FALSE(test, f.not_present);

	/* Not mapped */
	memset(&f, 0, sizeof(f));
	KUNIT_EXPECT_EQ(test, rd(t, HOLE_VA, buf, 1, &f), -EFAULT);
	KUNIT_EXPECT_EQ(test, f.va, HOLE_VA);
	KUNIT_EXPECT_TRUE(test, f.not_present);

	/* Beyond the 48-bit VA space, and at the very top of 64 bits */
	KUNIT_EXPECT_EQ(test, rd(t, VKFD_PT_VA_END, buf, 1, &f), -EFAULT);
	KUNIT_EXPECT_TRUE(test, f.not_present);
	KUNIT_EXPECT_EQ(test, wr(t, U64_MAX - 3, buf, sizeof(buf), &f),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, f.va, U64_MAX - 3);
}

/* Copies at every alignment across pages match memmove() exactly. */
static void vkfd_vm_access_test_copy(struct kunit *test)
{
	static const struct { u64 dst, src, len; } c[] = {
		{ 0, PG, 2 * PG },		/* aligned, whole pages */
		{ 1, PG + 2, PG + 11 },		/* both odd */
		{ PG - 5, PG + 3, 2 * PG },	/* 3 dst pages, overlapping */
		{ 100, 100, 50 },		/* onto itself */
		{ 8, 0, PG },			/* overlapping, same page */
	};
	struct access_test *t = test->priv;
	struct vkfd_vm_fault f;
	u8 *shadow = kunit_kzalloc(test, 4 * PG, GFP_KERNEL);
	unsigned int i, p;
	u64 done;

	KUNIT_ASSERT_NOT_NULL(test, shadow);
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		for (p = 0; p < 4; p++) {
			fill_pattern(page_of(t, p), PG, i * 4 + p);
			memcpy(shadow + p * PG, page_of(t, p), PG);
		}
		KUNIT_ASSERT_EQ(test, cp(t, RW_VA + c[i].dst,
					 RW_VA + c[i].src, c[i].len, &done,
					 &f), 0);
		KUNIT_EXPECT_EQ(test, done, c[i].len);
		/* A forward copy: memmove's result unless they overlap */
		if (c[i].dst <= c[i].src || c[i].dst >= c[i].src + c[i].len)
			memmove(shadow + c[i].dst, shadow + c[i].src,
				c[i].len);
		else
			continue;
		for (p = 0; p < 4; p++)
			KUNIT_EXPECT_EQ_MSG(test, memcmp(page_of(t, p),
							 shadow + p * PG, PG),
					    0, "case %u page %u", i, p);
	}
}

/* A copy checks the source before the destination, page by page. */
static void vkfd_vm_access_test_copy_faults(struct kunit *test)
{
	struct access_test *t = test->priv;
	struct vkfd_vm_fault f;
	u64 done;

	memset(page_of(t, 4), 0x5a, PG);
	/* From read-only into RW: fine */
	KUNIT_EXPECT_EQ(test, cp(t, RW_VA, RO_VA, PG, &done, &f), 0);
	KUNIT_EXPECT_EQ(test, page_of(t, 0)[PG - 1], 0x5a);

	/* Into read-only: a write fault at its first byte, the rest done */
	KUNIT_EXPECT_EQ(test, cp(t, RO_VA - 16, RW_VA, 64, &done, &f), -EFAULT);
	KUNIT_EXPECT_EQ(test, done, 16ULL);
	KUNIT_EXPECT_EQ(test, f.va, RO_VA);
	KUNIT_EXPECT_TRUE(test, f.write);
	KUNIT_EXPECT_FALSE(test, f.not_present);

	/* From the hole into read-only: the source is checked first */
	KUNIT_EXPECT_EQ(test, cp(t, RO_VA, HOLE_VA, 16, &done, &f), -EFAULT);
	KUNIT_EXPECT_EQ(test, done, 0ULL);
	KUNIT_EXPECT_EQ(test, f.va, HOLE_VA);
	KUNIT_EXPECT_FALSE(test, f.write);
	KUNIT_EXPECT_TRUE(test, f.not_present);

	/* From read-only running into write-only: a read fault there */
	KUNIT_EXPECT_EQ(test, cp(t, RW_VA, WO_VA - 8, 16, &done, &f),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, done, 8ULL);
	KUNIT_EXPECT_EQ(test, f.va, WO_VA);
	KUNIT_EXPECT_FALSE(test, f.write);
	KUNIT_EXPECT_FALSE(test, f.not_present);

	/* From write-only: a read fault */
	KUNIT_EXPECT_EQ(test, cp(t, RW_VA, WO_VA, 4, &done, &f), -EFAULT);
	KUNIT_EXPECT_FALSE(test, f.write);
	KUNIT_EXPECT_FALSE(test, f.not_present);

	/* Zero bytes touch nothing, even unmapped */
	KUNIT_EXPECT_EQ(test, cp(t, HOLE_VA, HOLE_VA, 0, &done, &f), 0);
}

static void vkfd_vm_access_test_fill(struct kunit *test)
{
	struct access_test *t = test->priv;
	struct vkfd_vm_fault f;
	u64 done;
	u32 *p1 = (u32 *)page_of(t, 1);

	KUNIT_EXPECT_EQ(test, fl(t, RW_VA + PG - 8, 0xdeadbeef, PG + 16,
				 &done, &f), 0);
	KUNIT_EXPECT_EQ(test, done, PG + 16);
	KUNIT_EXPECT_EQ(test, ((u32 *)page_of(t, 0))[PG / 4 - 3], 0U);
	KUNIT_EXPECT_EQ(test, ((u32 *)page_of(t, 0))[PG / 4 - 2], 0xdeadbeef);
	KUNIT_EXPECT_EQ(test, p1[0], 0xdeadbeef);
	KUNIT_EXPECT_EQ(test, p1[PG / 4 - 1], 0xdeadbeef);
	KUNIT_EXPECT_EQ(test, ((u32 *)page_of(t, 2))[1], 0xdeadbeef);
	KUNIT_EXPECT_EQ(test, ((u32 *)page_of(t, 2))[2], 0U);

	/* Misaligned: refused, nothing written */
	KUNIT_EXPECT_EQ(test, fl(t, RW_VA + 2, 1, 4, &done, &f), -EINVAL);
	KUNIT_EXPECT_EQ(test, fl(t, RW_VA, 1, 6, &done, &f), -EINVAL);
	KUNIT_EXPECT_EQ(test, ((u32 *)page_of(t, 0))[0], 0U);

	/* Into read-only */
	KUNIT_EXPECT_EQ(test, fl(t, RO_VA - 8, 7, 16, &done, &f), -EFAULT);
	KUNIT_EXPECT_EQ(test, done, 8ULL);
	KUNIT_EXPECT_EQ(test, f.va, RO_VA);
	KUNIT_EXPECT_EQ(test, ((u32 *)page_of(t, 4))[0], 0U);
}

/* Unmapped between two accesses: the second faults, never reads stale. */
static void vkfd_vm_access_test_unmap(struct kunit *test)
{
	struct access_test *t = test->priv;
	struct vkfd_vm_fault f;
	u64 done;

	memset(page_of(t, 1), 0x11, PG);
	KUNIT_EXPECT_EQ(test, cp(t, RW_VA, RW_VA + PG, PG, &done, &f), 0);
	mutex_lock(&t->ctx.mem_lock);
	vkfd_pt_unmap(&t->vm.pt, RW_VA + PG, 1);
	mutex_unlock(&t->ctx.mem_lock);
	memset(page_of(t, 0), 0, PG);
	KUNIT_EXPECT_EQ(test, cp(t, RW_VA, RW_VA + PG, PG, &done, &f), -EFAULT);
	KUNIT_EXPECT_EQ(test, done, 0ULL);
	KUNIT_EXPECT_EQ(test, f.va, RW_VA + PG);
	KUNIT_EXPECT_TRUE(test, f.not_present);
	KUNIT_EXPECT_EQ(test, page_of(t, 0)[0], 0);
}

/* Doorbell pages: page 0 again, writable, and page 4, read-only */
#define DB_VA		(HOLE_VA + 16 * PG)
#define DB_RO_VA	(DB_VA + PG)
#define DB		VKFD_PTE_DOORBELL

static bool rmw_add_one(u64 *v, void *arg)
{
	*v += 1;
	return true;
}

static bool rmw_keep(u64 *v, void *arg)
{
	return false;
}

/* Whether the accesses since the last call rang; and clear it. */
static bool rang(struct access_test *t)
{
	bool r = t->vm.doorbell_rang;

	t->vm.doorbell_rang = false;
	return r;
}

/*
 * A store through a VKFD_PTE_DOORBELL PTE, by every write path, sets
 * &vkfd_vm.doorbell_rang; a read, a store elsewhere, a faulting store
 * and an atomic that stores nothing do not.
 */
static void vkfd_vm_access_test_doorbell(struct kunit *test)
{
	struct access_test *t = test->priv;
	struct vkfd_vm_fault f = {};
	u64 v = 0x1234, done;
	int ret;

	mutex_lock(&t->ctx.mem_lock);
	ret = vkfd_pt_map(&t->vm.pt, DB_VA, t->pages, 1, RW | DB);
	if (!ret)
		ret = vkfd_pt_map(&t->vm.pt, DB_RO_VA, &t->pages[4], 1, R | DB);
	mutex_unlock(&t->ctx.mem_lock);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, vkfd_pt_lookup(&t->vm.pt, DB_VA) & DB, DB);
	KUNIT_EXPECT_FALSE(test, rang(t));

	/* Stores elsewhere, reads of the doorbell page */
	KUNIT_EXPECT_EQ(test, wr(t, RW_VA + PG, &v, 8, &f), 0);
	KUNIT_EXPECT_EQ(test, rd(t, DB_VA, &v, 8, &f), 0);
	KUNIT_EXPECT_EQ(test, cp(t, RW_VA + PG, DB_VA, 64, &done, &f), 0);
	KUNIT_EXPECT_FALSE(test, rang(t));

	/* Each write path rings; the bytes land in the page */
	v = 0x1234;
	KUNIT_EXPECT_EQ(test, wr(t, DB_VA + 8, &v, 8, &f), 0);
	KUNIT_EXPECT_TRUE(test, rang(t));
	KUNIT_EXPECT_EQ(test, ((u64 *)page_of(t, 0))[1], 0x1234ULL);
	KUNIT_EXPECT_EQ(test, cp(t, DB_VA + 16, RW_VA + PG, 8, &done, &f), 0);
	KUNIT_EXPECT_TRUE(test, rang(t));
	KUNIT_EXPECT_EQ(test, fl(t, DB_VA + 24, 5, 8, &done, &f), 0);
	KUNIT_EXPECT_TRUE(test, rang(t));
	mutex_lock(&t->ctx.mem_lock);
	ret = vkfd_vm_rmw_locked(&t->vm, DB_VA + 8, 8, rmw_add_one, NULL, &f);
	mutex_unlock(&t->ctx.mem_lock);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_TRUE(test, rang(t));
	KUNIT_EXPECT_EQ(test, ((u64 *)page_of(t, 0))[1], 0x1235ULL);

	/* An atomic that keeps the value stores nothing */
	mutex_lock(&t->ctx.mem_lock);
	ret = vkfd_vm_rmw_locked(&t->vm, DB_VA + 8, 8, rmw_keep, NULL, &f);
	mutex_unlock(&t->ctx.mem_lock);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_FALSE(test, rang(t));

	/* A read-only doorbell page: the store faults, nothing rings */
	KUNIT_EXPECT_EQ(test, wr(t, DB_RO_VA, &v, 8, &f), -EFAULT);
	KUNIT_EXPECT_EQ(test, f.va, DB_RO_VA);
	KUNIT_EXPECT_FALSE(test, f.not_present);
	KUNIT_EXPECT_EQ(test, fl(t, DB_RO_VA, 5, 8, &done, &f), -EFAULT);
	KUNIT_EXPECT_FALSE(test, rang(t));
	KUNIT_EXPECT_EQ(test, ((u64 *)page_of(t, 4))[0], 0ULL);
}

static struct kunit_case vkfd_vm_access_test_cases[] = {
	KUNIT_CASE(vkfd_vm_access_test_read_write),
	KUNIT_CASE(vkfd_vm_access_test_faults),
	KUNIT_CASE(vkfd_vm_access_test_copy),
	KUNIT_CASE(vkfd_vm_access_test_copy_faults),
	KUNIT_CASE(vkfd_vm_access_test_fill),
	KUNIT_CASE(vkfd_vm_access_test_unmap),
	KUNIT_CASE(vkfd_vm_access_test_doorbell),
	{}
};

static struct kunit_suite vkfd_vm_access_test_suite = {
	.name = "vkfd-vm-access",
	.init = access_test_init,
	.exit = access_test_exit,
	.test_cases = vkfd_vm_access_test_cases,
};

kunit_test_suite(vkfd_vm_access_test_suite);
