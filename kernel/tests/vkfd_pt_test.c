// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit tests of vkfd's GPU page tables: translations, the GFX9 4-level
 * layout through what it costs (vkfd_pt.bytes, checked after every step),
 * and that a map that fails changes nothing.
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../vkfd_compat.h"
#include "../vkfd_pt.h"

#define PG		VKFD_GPU_PAGE_SIZE
#define VA_END		BIT_ULL(VKFD_PT_VA_BITS)
/* Page-table bytes of @n tables, the root included in @n */
#define TABLES(n)	((size_t)(n) * SZ_4K)
#define RW		(VKFD_PTE_VALID | VKFD_PTE_SYSTEM | \
			 VKFD_PTE_READABLE | VKFD_PTE_WRITEABLE)

/* Distinct pages to map, so that a PTE pointing at the wrong one shows. */
#define TEST_ORDER	3
#define TEST_NPAGES	BIT(TEST_ORDER)
/* 1 GiB of pages: the same page over and over */
#define REP_NPAGES	(SZ_1G / PG)

struct pt_test {
	struct vkfd_pt pt;
	struct page *block;
	struct page *pages[TEST_NPAGES];
	struct page **rep;	/* REP_NPAGES times pages[0], on demand */
};

static int pt_test_init(struct kunit *test)
{
	struct pt_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	unsigned int i;

	if (!t)
		return -ENOMEM;
	t->block = alloc_pages(GFP_KERNEL, TEST_ORDER);
	if (!t->block)
		return -ENOMEM;
	for (i = 0; i < TEST_NPAGES; i++)
		t->pages[i] = t->block + i;
	test->priv = t;
	return vkfd_pt_init(&t->pt);
}

static void pt_test_exit(struct kunit *test)
{
	struct pt_test *t = test->priv;

	if (!t)
		return;
	vkfd_pt_fini(&t->pt);
	kvfree(t->rep);
	if (t->block)
		__free_pages(t->block, TEST_ORDER);
}

static struct page **pt_test_rep(struct kunit *test)
{
	struct pt_test *t = test->priv;
	unsigned long i;

	if (!t->rep) {
		t->rep = kvmalloc_array(REP_NPAGES, sizeof(*t->rep),
					GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, t->rep);
		for (i = 0; i < REP_NPAGES; i++)
			t->rep[i] = t->pages[0];
	}
	return t->rep;
}

/* Page i of a range maps pages[i % TEST_NPAGES]. */
static u64 expected_pte(struct pt_test *t, unsigned long i, u64 flags)
{
	return page_to_phys(t->pages[i % TEST_NPAGES]) | flags;
}

static int map_cycling(struct pt_test *t, u64 va, unsigned long npages,
		       u64 flags)
{
	struct page **pages = kmalloc_array(npages, sizeof(*pages), GFP_KERNEL);
	unsigned long i;
	int ret;

	if (!pages)
		return -ENOMEM;
	for (i = 0; i < npages; i++)
		pages[i] = t->pages[i % TEST_NPAGES];
	ret = vkfd_pt_map(&t->pt, va, pages, npages, flags);
	kfree(pages);
	return ret;
}

/* Every page of [va, va + npages pages) maps as map_cycling() made it. */
static void expect_mapped(struct kunit *test, u64 va, unsigned long npages,
			  u64 flags)
{
	struct pt_test *t = test->priv;
	unsigned long i;

	for (i = 0; i < npages; i++)
		KUNIT_EXPECT_EQ_MSG(test, vkfd_pt_lookup(&t->pt, va + i * PG),
				    expected_pte(t, i, flags),
				    "va %#llx", va + i * PG);
}

static void expect_unmapped(struct kunit *test, u64 va, unsigned long npages)
{
	struct pt_test *t = test->priv;
	unsigned long i;

	for (i = 0; i < npages; i++)
		KUNIT_EXPECT_EQ_MSG(test, vkfd_pt_lookup(&t->pt, va + i * PG),
				    0ULL, "va %#llx", va + i * PG);
}

/* init allocates the root only; fini frees it; fini twice is harmless. */
static void vkfd_pt_test_init_fini(struct kunit *test)
{
	struct vkfd_pt pt;

	KUNIT_ASSERT_EQ(test, vkfd_pt_init(&pt), 0);
	KUNIT_EXPECT_NOT_NULL(test, pt.root);
	KUNIT_EXPECT_EQ(test, pt.bytes, TABLES(1));
	KUNIT_EXPECT_EQ(test, vkfd_pt_lookup(&pt, 0), 0ULL);

	vkfd_pt_fini(&pt);
	KUNIT_EXPECT_NULL(test, pt.root);
	KUNIT_EXPECT_EQ(test, pt.bytes, (size_t)0);
	vkfd_pt_fini(&pt);
	KUNIT_EXPECT_EQ(test, pt.bytes, (size_t)0);
}

static const u64 map_one_flags[] = {
	VKFD_PTE_VALID,
	VKFD_PTE_VALID | VKFD_PTE_READABLE,
	VKFD_PTE_VALID | VKFD_PTE_READABLE | VKFD_PTE_WRITEABLE,
	RW,
};

static void map_one_desc(const u64 *flags, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "flags %#llx", *flags);
}

KUNIT_ARRAY_PARAM(map_one, map_one_flags, map_one_desc);

/* One page costs a PDB1, a PDB0 and a PTB; unmapping frees all three. */
static void vkfd_pt_test_map_one(struct kunit *test)
{
	const u64 flags = *(const u64 *)test->param_value;
	struct pt_test *t = test->priv;
	const u64 va = 0x123456789000ULL;
	const u64 pte = page_to_phys(t->pages[3]) | flags;

	KUNIT_ASSERT_EQ(test, vkfd_pt_map(&t->pt, va, &t->pages[3], 1, flags),
			0);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, TABLES(4));
	KUNIT_EXPECT_EQ(test, vkfd_pt_lookup(&t->pt, va), pte);
	/* any address within the page */
	KUNIT_EXPECT_EQ(test, vkfd_pt_lookup(&t->pt, va + 1), pte);
	KUNIT_EXPECT_EQ(test, vkfd_pt_lookup(&t->pt, va + PG - 1), pte);
	/* its neighbours, and the same index in the neighbour PTBs */
	KUNIT_EXPECT_EQ(test, vkfd_pt_lookup(&t->pt, va - 1), 0ULL);
	KUNIT_EXPECT_EQ(test, vkfd_pt_lookup(&t->pt, va + PG), 0ULL);
	KUNIT_EXPECT_EQ(test, vkfd_pt_lookup(&t->pt, va - SZ_2M), 0ULL);
	KUNIT_EXPECT_EQ(test, vkfd_pt_lookup(&t->pt, va + SZ_2M), 0ULL);
	KUNIT_EXPECT_EQ(test, vkfd_pt_lookup(&t->pt, va + SZ_1G), 0ULL);
	KUNIT_EXPECT_EQ(test, vkfd_pt_lookup(&t->pt, va + SZ_512G), 0ULL);

	vkfd_pt_unmap(&t->pt, va, 1);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, TABLES(1));
	KUNIT_EXPECT_EQ(test, vkfd_pt_lookup(&t->pt, va), 0ULL);
}

struct pt_range_case {
	const char *name;
	u64 va;
	unsigned long npages;
	size_t bytes;		/* page-table bytes while mapped */
};

static void pt_range_desc(const struct pt_range_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

/* 8 pages, 4 on each side of a boundary between two tables of a level */
static const struct pt_range_case boundary_cases[] = {
	{ "PTB boundary (2 MiB)", SZ_2M - 4 * PG, 8, TABLES(5) },
	{ "PDB0 boundary (1 GiB)", 3ULL * SZ_1G - 4 * PG, 8, TABLES(6) },
	{ "PDB1 boundary (512 GiB)", 5 * SZ_512G - 4 * PG, 8, TABLES(7) },
	/* [1 GiB - 2 MiB - 4 pages, 1 GiB + 4 pages): 3 PTBs, 2 PDB0s */
	{ "PTB and PDB0 boundaries", SZ_1G - SZ_2M - 4 * PG, 520, TABLES(7) },
};

KUNIT_ARRAY_PARAM(boundary, boundary_cases, pt_range_desc);

/* A range across table boundaries: each page right, exact table cost. */
static void vkfd_pt_test_boundary(struct kunit *test)
{
	const struct pt_range_case *c = test->param_value;
	struct pt_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, map_cycling(t, c->va, c->npages, RW), 0);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, c->bytes);
	expect_mapped(test, c->va, c->npages, RW);
	expect_unmapped(test, c->va - PG, 1);
	expect_unmapped(test, c->va + c->npages * PG, 1);

	vkfd_pt_unmap(&t->pt, c->va, c->npages);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, TABLES(1));
	expect_unmapped(test, c->va, c->npages);
}

/* X: the one page mapped before each overlapping attempt */
#define X	(7 * SZ_512G)

static const struct pt_range_case overlap_cases[] = {
	{ "exactly the mapped page", X, 1 },
	{ "mapped page first, 4 MiB", X, SZ_4M / PG },
	{ "mapped page in the middle", X - 2 * PG, 4 },
	/* a one-pass map would have filled new tables before finding X */
	{ "mapped page last, 4 MiB across PDB1s", X + PG - SZ_4M, SZ_4M / PG },
};

KUNIT_ARRAY_PARAM(overlap, overlap_cases, pt_range_desc);

/* -EEXIST leaves every entry and table as it was. */
static void vkfd_pt_test_overlap(struct kunit *test)
{
	const struct pt_range_case *c = test->param_value;
	struct pt_test *t = test->priv;
	const u64 pte = page_to_phys(t->pages[5]) | VKFD_PTE_VALID;

	KUNIT_ASSERT_EQ(test, vkfd_pt_map(&t->pt, X, &t->pages[5], 1,
					  VKFD_PTE_VALID), 0);
	KUNIT_ASSERT_EQ(test, t->pt.bytes, TABLES(4));

	KUNIT_EXPECT_EQ(test, map_cycling(t, c->va, c->npages, RW), -EEXIST);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, TABLES(4));
	KUNIT_EXPECT_EQ(test, vkfd_pt_lookup(&t->pt, X), pte);
	expect_unmapped(test, c->va, (X - c->va) / PG);
	expect_unmapped(test, X + PG, c->npages - 1 - (X - c->va) / PG);

	/* The page still unmaps normally */
	vkfd_pt_unmap(&t->pt, X, 1);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, TABLES(1));
}

struct pt_einval_case {
	const char *name;
	u64 va;
	unsigned long npages;
	u64 flags;
};

static const struct pt_einval_case einval_cases[] = {
	{ "va not page aligned", SZ_1M + 8, 1, RW },
	{ "va 2 KiB aligned", SZ_2K, 1, RW },
	{ "no pages", SZ_1M, 0, RW },
	{ "no flags", SZ_1M, 1, 0 },
	{ "readable and writeable, not valid", SZ_1M, 1,
	  VKFD_PTE_READABLE | VKFD_PTE_WRITEABLE },
	{ "unknown flag bit 2", SZ_1M, 1, VKFD_PTE_VALID | BIT_ULL(2) },
	{ "address bit as a flag", SZ_1M, 1, VKFD_PTE_VALID | BIT_ULL(12) },
	{ "unknown flag bit 63", SZ_1M, 1, VKFD_PTE_VALID | BIT_ULL(63) },
	{ "va at 2^48", VA_END, 1, RW },
	{ "va beyond 2^48", VA_END + SZ_1G, 1, RW },
	{ "range ends beyond 2^48", VA_END - PG, 2, RW },
	{ "range ends far beyond 2^48", SZ_1G, VA_END / PG, RW },
	{ "range wraps around 2^64", ~0ULL - PG + 1, 2, RW },
	{ "npages wraps va + size", PG, ULONG_MAX, RW },
	{ "npages * 4 KiB wraps", 0, ULONG_MAX / PG + 2, RW },
};

static void einval_desc(const struct pt_einval_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(einval, einval_cases, einval_desc);

/* Invalid arguments: -EINVAL before anything is touched. */
static void vkfd_pt_test_einval(struct kunit *test)
{
	const struct pt_einval_case *c = test->param_value;
	struct pt_test *t = test->priv;

	/* npages may exceed the array: it is never read on -EINVAL */
	KUNIT_EXPECT_EQ(test, vkfd_pt_map(&t->pt, c->va, t->pages, c->npages,
					  c->flags), -EINVAL);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, TABLES(1));
	KUNIT_EXPECT_EQ(test, vkfd_pt_lookup(&t->pt, c->va), 0ULL);
	KUNIT_EXPECT_EQ(test, vkfd_pt_lookup(&t->pt, c->va & ~(PG - 1)), 0ULL);
}

/* The first and the last page of the 48-bit space map; past it fails. */
static void vkfd_pt_test_edges(struct kunit *test)
{
	struct pt_test *t = test->priv;
	const u64 top = VA_END - PG;

	KUNIT_ASSERT_EQ(test, map_cycling(t, top, 1, RW), 0);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, TABLES(4));
	expect_mapped(test, top, 1, RW);
	KUNIT_EXPECT_EQ(test, vkfd_pt_lookup(&t->pt, VA_END - 1),
			expected_pte(t, 0, RW));
	/* lookup does not alias VAs above 2^48 onto the table */
	KUNIT_EXPECT_EQ(test, vkfd_pt_lookup(&t->pt, VA_END), 0ULL);
	KUNIT_EXPECT_EQ(test, vkfd_pt_lookup(&t->pt, VA_END + top), 0ULL);
	KUNIT_EXPECT_EQ(test, vkfd_pt_lookup(&t->pt, ~0ULL), 0ULL);
	KUNIT_EXPECT_EQ(test, map_cycling(t, VA_END, 1, RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, map_cycling(t, top - PG, 2, RW), -EEXIST);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, TABLES(4));

	/* page 0 shares nothing with the top page but the root */
	KUNIT_ASSERT_EQ(test, map_cycling(t, 0, 1, VKFD_PTE_VALID), 0);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, TABLES(7));
	expect_mapped(test, 0, 1, VKFD_PTE_VALID);

	vkfd_pt_unmap(&t->pt, top, 1);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, TABLES(4));
	expect_unmapped(test, top, 1);
	expect_mapped(test, 0, 1, VKFD_PTE_VALID);
	vkfd_pt_unmap(&t->pt, 0, 1);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, TABLES(1));
}

/* 1 GiB of 4 KiB pages, at various alignments */
static const struct pt_range_case gib_cases[] = {
	/* root + PDB1 + PDB0 + 512 PTBs = 515 pages = 2,109,440 bytes */
	{ "1 GiB aligned", SZ_1G, REP_NPAGES, TABLES(515) },
	/* 511 + 1 PTBs under 2 PDB0s */
	{ "2 MiB aligned", SZ_1G + SZ_2M, REP_NPAGES, TABLES(516) },
	/* 513 PTBs under 2 PDB0s */
	{ "4 KiB aligned", SZ_1G + PG, REP_NPAGES, TABLES(517) },
	/* root + 2 PDB1s + 2 PDB0s + 512 PTBs */
	{ "across 512 GiB", SZ_512G - SZ_512M, REP_NPAGES, TABLES(517) },
};

KUNIT_ARRAY_PARAM(gib, gib_cases, pt_range_desc);

/* 1 GiB in one call: the page-table memory is exactly the tables needed. */
static void vkfd_pt_test_1gib(struct kunit *test)
{
	const struct pt_range_case *c = test->param_value;
	struct pt_test *t = test->priv;
	const u64 pte = page_to_phys(t->pages[0]) | RW;
	unsigned long i;

	KUNIT_ASSERT_EQ(test, vkfd_pt_map(&t->pt, c->va, pt_test_rep(test),
					  c->npages, RW), 0);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, c->bytes);
	kunit_info(test, "%s: %zu bytes of page tables\n", c->name,
		   t->pt.bytes);
	/* first, last, and both sides of every PTB boundary */
	for (i = 0; i < c->npages; i++)
		if (i == 0 || i == c->npages - 1 ||
		    IS_ALIGNED(c->va + i * PG, SZ_2M) ||
		    IS_ALIGNED(c->va + (i + 1) * PG, SZ_2M))
			KUNIT_EXPECT_EQ(test,
					vkfd_pt_lookup(&t->pt, c->va + i * PG),
					pte);
	expect_unmapped(test, c->va - PG, 1);
	expect_unmapped(test, c->va + SZ_1G, 1);

	vkfd_pt_unmap(&t->pt, c->va, c->npages);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, TABLES(1));
	expect_unmapped(test, c->va, 1);
	expect_unmapped(test, c->va + SZ_1G - PG, 1);
}

/* 1 GiB mapped 2 MiB at a time costs the same as in one call. */
static void vkfd_pt_test_1gib_chunks(struct kunit *test)
{
	struct pt_test *t = test->priv;
	struct page **rep = pt_test_rep(test);
	u64 va;

	for (va = SZ_1G; va < 2ULL * SZ_1G; va += SZ_2M)
		KUNIT_ASSERT_EQ(test, vkfd_pt_map(&t->pt, va, rep, SZ_2M / PG,
						  RW), 0);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, (size_t)2109440);
	vkfd_pt_unmap(&t->pt, SZ_1G, REP_NPAGES);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, TABLES(1));
}

/* Unmapping part of a range frees only the tables it empties. */
static void vkfd_pt_test_partial_unmap(struct kunit *test)
{
	struct pt_test *t = test->priv;
	/* 8 pages, a full PTB, 8 pages: [2 MiB - 8 pages, 4 MiB + 8 pages) */
	const u64 va = SZ_2M - 8 * PG;
	const unsigned long npages = 8 + 512 + 8;
	unsigned long i;

	/* Within one PTB: the PTB keeps its other entries */
	KUNIT_ASSERT_EQ(test, map_cycling(t, SZ_1G, 16, RW), 0);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, TABLES(4));
	vkfd_pt_unmap(&t->pt, SZ_1G + 4 * PG, 8);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, TABLES(4));
	expect_mapped(test, SZ_1G, 4, RW);
	expect_unmapped(test, SZ_1G + 4 * PG, 8);
	for (i = 12; i < 16; i++)
		KUNIT_EXPECT_EQ(test, vkfd_pt_lookup(&t->pt, SZ_1G + i * PG),
				expected_pte(t, i, RW));
	vkfd_pt_unmap(&t->pt, SZ_1G, 16);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, TABLES(1));

	/* Across PTBs: only the middle PTB empties */
	KUNIT_ASSERT_EQ(test, map_cycling(t, va, npages, RW), 0);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, TABLES(6));
	vkfd_pt_unmap(&t->pt, va + 4 * PG, npages - 8);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, TABLES(5));
	expect_mapped(test, va, 4, RW);
	expect_unmapped(test, va + 4 * PG, npages - 8);
	for (i = npages - 4; i < npages; i++)
		KUNIT_EXPECT_EQ(test, vkfd_pt_lookup(&t->pt, va + i * PG),
				expected_pte(t, i, RW));

	/* Unmapping a hole again, or the hole and a page at each end */
	vkfd_pt_unmap(&t->pt, va + 4 * PG, npages - 8);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, TABLES(5));
	vkfd_pt_unmap(&t->pt, va + 3 * PG, npages - 6);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, TABLES(5));
	expect_mapped(test, va, 3, RW);
	expect_unmapped(test, va + 3 * PG, npages - 6);

	/* Where no table was ever allocated */
	vkfd_pt_unmap(&t->pt, 100ULL * SZ_1G, SZ_4M / PG);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, TABLES(5));

	/* The rest: a range wider than what is mapped */
	vkfd_pt_unmap(&t->pt, 0, SZ_1G / PG);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, TABLES(1));
	expect_unmapped(test, va, npages);
}

/* fini frees the tables of whatever is still mapped. */
static void vkfd_pt_test_fini_mapped(struct kunit *test)
{
	struct pt_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, map_cycling(t, 0, 1, RW), 0);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, TABLES(4));
	/* shares PDB1 #0 with page 0; adds PDB0 + PTB, PDB1 + PDB0 + PTB */
	KUNIT_ASSERT_EQ(test, map_cycling(t, SZ_512G - 2 * PG, 4, RW), 0);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, TABLES(9));
	KUNIT_ASSERT_EQ(test, map_cycling(t, VA_END - PG, 1, RW), 0);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, TABLES(12));
	KUNIT_ASSERT_EQ(test, map_cycling(t, 3ULL * SZ_1G, SZ_4M / PG, RW), 0);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, TABLES(15));

	vkfd_pt_fini(&t->pt);
	KUNIT_EXPECT_EQ(test, t->pt.bytes, (size_t)0);
	KUNIT_EXPECT_NULL(test, t->pt.root);
}

static struct kunit_case vkfd_pt_test_cases[] = {
	KUNIT_CASE(vkfd_pt_test_init_fini),
	KUNIT_CASE_PARAM(vkfd_pt_test_map_one, map_one_gen_params),
	KUNIT_CASE_PARAM(vkfd_pt_test_boundary, boundary_gen_params),
	KUNIT_CASE_PARAM(vkfd_pt_test_overlap, overlap_gen_params),
	KUNIT_CASE_PARAM(vkfd_pt_test_einval, einval_gen_params),
	KUNIT_CASE(vkfd_pt_test_edges),
	KUNIT_CASE_PARAM(vkfd_pt_test_1gib, gib_gen_params),
	KUNIT_CASE(vkfd_pt_test_1gib_chunks),
	KUNIT_CASE(vkfd_pt_test_partial_unmap),
	KUNIT_CASE(vkfd_pt_test_fini_mapped),
	{}
};

static struct kunit_suite vkfd_pt_test_suite = {
	.name = "vkfd-pt",
	.init = pt_test_init,
	.exit = pt_test_exit,
	.test_cases = vkfd_pt_test_cases,
};

kunit_test_suite(vkfd_pt_test_suite);
