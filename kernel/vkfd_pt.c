// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - GPU page tables (layout and locking rules: vkfd_pt.h).
 *
 * Every table page counts its valid entries in page_private(), so that
 * unmap knows in O(1) when a table has become empty and can be freed.
 * Invariant between calls: every table but the root holds at least one
 * valid entry, so a table is allocated exactly while something below it is
 * mapped, and vkfd_pt.bytes is the cost of what is mapped.
 *
 * Ranges are walked one PTB at a time: one descent from the root per 2 MiB
 * of VA, then a linear pass over the PTB's entries. A missing table skips
 * the whole VA span it would have covered.
 */
#include <kunit/visibility.h>
#include <linux/bug.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/minmax.h>
#include <linux/mm.h>

#include "vkfd_pt.h"

/* Table levels: 0 is the PTB, 1 PDB0, 2 PDB1, 3 the root (PDB2). */
#define VKFD_PT_LEVELS		4
#define VKFD_PT_ROOT_LEVEL	(VKFD_PT_LEVELS - 1)
#define VKFD_PT_INDEX_BITS	9
#define VKFD_PT_ENTRIES		BIT(VKFD_PT_INDEX_BITS)

/* log2 of the VA span that one entry of a table of @level translates */
static unsigned int vkfd_pt_shift(unsigned int level)
{
	return VKFD_GPU_PAGE_SHIFT + level * VKFD_PT_INDEX_BITS;
}

static unsigned int vkfd_pt_index(u64 va, unsigned int level)
{
	return (va >> vkfd_pt_shift(level)) & (VKFD_PT_ENTRIES - 1);
}

/*
 * The first VA past the span of the entry of a table of @level that
 * translates @va. At most 2^48 for any va below 2^48: no overflow.
 */
static u64 vkfd_pt_entry_end(u64 va, unsigned int level)
{
	return (va | (BIT_ULL(vkfd_pt_shift(level)) - 1)) + 1;
}

/* True if [va, va + npages pages) is page aligned and within 2^48. */
static bool vkfd_pt_range_ok(u64 va, unsigned long npages)
{
	/* Written so that nothing can wrap, whatever va and npages are. */
	return IS_ALIGNED(va, VKFD_GPU_PAGE_SIZE) && va <= VKFD_PT_VA_END &&
	       npages <= (VKFD_PT_VA_END - va) >> VKFD_GPU_PAGE_SHIFT;
}

static unsigned long vkfd_pt_count(const u64 *table)
{
	return page_private(virt_to_page(table));
}

static void vkfd_pt_count_add(u64 *table, long delta)
{
	struct page *page = virt_to_page(table);

	set_page_private(page, page_private(page) + delta);
}

static u64 *vkfd_pt_child(u64 pde)
{
	return page_address(pfn_to_page(PHYS_PFN(pde & VKFD_PTE_ADDR_MASK)));
}

static u64 *vkfd_pt_alloc_table(struct vkfd_pt *pt)
{
	/* Accounted: the tables of a VM are charged to whoever maps in it. */
	struct page *page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);

	if (!page)
		return NULL;
	set_page_private(page, 0);
	pt->bytes += PAGE_SIZE;
	return page_address(page);
}

static void vkfd_pt_free_table(struct vkfd_pt *pt, u64 *table)
{
	__free_page(virt_to_page(table));
	pt->bytes -= PAGE_SIZE;
}

/*
 * Walk from the root towards the PTB of @va, storing the table met at each
 * level in @path[level]. Return the level of the lowest table reached: 0
 * if the PTB exists, else the level whose entry for @va is not valid.
 */
static unsigned int vkfd_pt_descend(u64 *root, u64 va, u64 **path)
{
	unsigned int level = VKFD_PT_ROOT_LEVEL;

	path[level] = root;
	for (; level > 0; level--) {
		u64 pde = READ_ONCE(path[level][vkfd_pt_index(va, level)]);

		if (!(pde & VKFD_PTE_VALID))
			break;
		path[level - 1] = vkfd_pt_child(pde);
	}
	return level;
}

/*
 * Free the empty tables of @path (from vkfd_pt_descend() of @va), bottom
 * up from @level, clearing the PDE of each in its parent. Stops at the
 * first table that still holds entries, and never frees the root.
 */
static void vkfd_pt_prune(struct vkfd_pt *pt, u64 va, u64 **path,
			  unsigned int level)
{
	for (; level < VKFD_PT_ROOT_LEVEL; level++) {
		u64 *parent = path[level + 1];

		if (vkfd_pt_count(path[level]))
			break;
		WRITE_ONCE(parent[vkfd_pt_index(va, level + 1)], 0);
		vkfd_pt_count_add(parent, -1);
		vkfd_pt_free_table(pt, path[level]);
	}
}

/* True if any page of [va, end) is mapped. */
static bool vkfd_pt_busy(const struct vkfd_pt *pt, u64 va, u64 end)
{
	u64 *path[VKFD_PT_LEVELS];

	while (va < end) {
		unsigned int level = vkfd_pt_descend(pt->root, va, path);
		u64 next = min(vkfd_pt_entry_end(va, max(level, 1U)), end);
		unsigned int i = vkfd_pt_index(va, 0);
		unsigned int n = (next - va) >> VKFD_GPU_PAGE_SHIFT;

		/* level > 0: no table translates [va, next), nothing mapped */
		for (; !level && n; n--, i++)
			if (READ_ONCE(path[0][i]) & VKFD_PTE_VALID)
				return true;
		va = next;
	}
	return false;
}

/*
 * Clear the valid PTEs of [va, end) and free the tables this empties. The
 * range is valid (vkfd_pt_range_ok()); holes are skipped a table at a time.
 */
static void vkfd_pt_clear(struct vkfd_pt *pt, u64 va, u64 end)
{
	u64 *path[VKFD_PT_LEVELS];

	while (va < end) {
		unsigned int level = vkfd_pt_descend(pt->root, va, path);
		u64 next = min(vkfd_pt_entry_end(va, max(level, 1U)), end);
		unsigned int i = vkfd_pt_index(va, 0);
		unsigned int n = (next - va) >> VKFD_GPU_PAGE_SHIFT;
		long cleared = 0;

		for (; !level && n; n--, i++) {
			if (READ_ONCE(path[0][i]) & VKFD_PTE_VALID) {
				WRITE_ONCE(path[0][i], 0);
				cleared++;
			}
		}
		if (cleared) {
			vkfd_pt_count_add(path[0], -cleared);
			vkfd_pt_prune(pt, va, path, 0);
		}
		va = next;
	}
}

/*
 * Make sure the tables down to the PTB of @va exist, filling @path. New
 * tables are zeroed, so they are empty: an error leaves them for
 * vkfd_pt_prune() to free. Return 0 or -ENOMEM.
 */
static int vkfd_pt_populate(struct vkfd_pt *pt, u64 va, u64 **path)
{
	unsigned int level = vkfd_pt_descend(pt->root, va, path);

	for (; level > 0; level--) {
		u64 *table = vkfd_pt_alloc_table(pt);

		if (!table)
			return -ENOMEM;
		/*
		 * Release: a walker that sees the PDE must see the zeroed
		 * table, not what the page held before it was allocated.
		 */
		smp_store_release(&path[level][vkfd_pt_index(va, level)],
				  virt_to_phys(table) | VKFD_PTE_VALID);
		vkfd_pt_count_add(path[level], 1);
		path[level - 1] = table;
	}
	return 0;
}

/**
 * vkfd_pt_init() - set up an empty page table
 * @pt: the page table
 *
 * Allocates the root; @pt->bytes is then 4096.
 *
 * Context: Process context; may sleep. The root is charged to the current
 * task's memcg.
 * Return: 0 or -ENOMEM.
 */
int vkfd_pt_init(struct vkfd_pt *pt)
{
	/* One table is one CPU page of 512 entries: 4 KiB CPU pages only. */
	BUILD_BUG_ON(VKFD_PT_ENTRIES * sizeof(u64) != PAGE_SIZE);
	BUILD_BUG_ON(PAGE_SIZE != VKFD_GPU_PAGE_SIZE);

	pt->bytes = 0;
	pt->root = vkfd_pt_alloc_table(pt);
	return pt->root ? 0 : -ENOMEM;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_pt_init);

static void vkfd_pt_free_tree(struct vkfd_pt *pt, u64 *table,
			      unsigned int level)
{
	unsigned int i;

	for (i = 0; level && i < VKFD_PT_ENTRIES; i++) {
		u64 pde = READ_ONCE(table[i]);

		if (pde & VKFD_PTE_VALID)
			vkfd_pt_free_tree(pt, vkfd_pt_child(pde), level - 1);
	}
	vkfd_pt_free_table(pt, table);
}

/**
 * vkfd_pt_fini() - free a page table
 * @pt: a page table set up by vkfd_pt_init(), or one already finalised
 *
 * Frees every table page, whatever is still mapped; @pt->bytes is then 0.
 * The mapped pages themselves belong to the caller and are not touched.
 * Calling it again is a no-op.
 *
 * Context: Does not sleep.
 */
void vkfd_pt_fini(struct vkfd_pt *pt)
{
	if (!pt->root)
		return;
	vkfd_pt_free_tree(pt, pt->root, VKFD_PT_ROOT_LEVEL);
	pt->root = NULL;
	/* Every table allocated was counted, every table freed discounted. */
	WARN_ON_ONCE(pt->bytes);
	pt->bytes = 0;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_pt_fini);

/**
 * vkfd_pt_map() - map pages at a GPU VA range
 * @pt: the page table
 * @va: GPU VA of the first page, 4 KiB aligned
 * @pages: the pages; page i is mapped at @va + i * 4 KiB
 * @npages: number of pages, at least 1
 * @flags: VKFD_PTE_VALID, plus any of VKFD_PTE_SYSTEM, VKFD_PTE_READABLE
 *	and VKFD_PTE_WRITEABLE
 *
 * Missing tables are allocated, charged to the current task's memcg. On
 * any error the table is exactly as before: no PTE changed, no table added,
 * @pt->bytes unchanged. An -EEXIST is found before anything is written, so
 * that case changes nothing even transiently.
 *
 * Context: Process context; may sleep. The caller holds the table's lock.
 * Return: 0; -EINVAL if @va is unaligned, @npages is 0, the range wraps or
 * ends beyond 2^48, @flags lacks VKFD_PTE_VALID or has other bits, or a
 * page lies above the 48-bit physical addresses a PTE can hold; -EEXIST if
 * a page of the range is already mapped; -ENOMEM.
 */
int vkfd_pt_map(struct vkfd_pt *pt, u64 va, struct page **pages,
		unsigned long npages, u64 flags)
{
	u64 *path[VKFD_PT_LEVELS];
	u64 start = va, end;
	unsigned int level;
	int ret;

	if (!npages || !vkfd_pt_range_ok(va, npages) ||
	    !(flags & VKFD_PTE_VALID) || (flags & ~VKFD_PTE_FLAGS))
		return -EINVAL;
	end = va + ((u64)npages << VKFD_GPU_PAGE_SHIFT);

	if (vkfd_pt_busy(pt, va, end))
		return -EEXIST;

	while (va < end) {
		u64 next = min(vkfd_pt_entry_end(va, 1), end);
		unsigned int i = vkfd_pt_index(va, 0);
		long filled = 0;

		ret = vkfd_pt_populate(pt, va, path);
		if (ret)
			goto err_unwind;
		for (; va < next; va += VKFD_GPU_PAGE_SIZE, i++, filled++) {
			phys_addr_t phys = page_to_phys(*pages++);

			if (phys & ~VKFD_PTE_ADDR_MASK) {
				ret = -EINVAL;
				break;
			}
			WRITE_ONCE(path[0][i], phys | flags);
		}
		vkfd_pt_count_add(path[0], filled);
		if (ret)
			goto err_unwind;
	}
	return 0;

err_unwind:
	/*
	 * [start, va) is mapped; tables allocated on the path of va may
	 * still be empty. Free those, then unmap what this call mapped,
	 * which frees the tables that only it filled.
	 */
	level = vkfd_pt_descend(pt->root, va, path);
	vkfd_pt_prune(pt, va, path, level);
	vkfd_pt_clear(pt, start, va);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_pt_map);

/**
 * vkfd_pt_unmap() - unmap a GPU VA range
 * @pt: the page table
 * @va: GPU VA of the first page, 4 KiB aligned
 * @npages: number of pages; 0 is a no-op
 *
 * Clears the PTEs of the range; pages that are not mapped are skipped, so
 * the range may be partly mapped or not at all. Frees every table this
 * leaves empty, except the root, and lowers @pt->bytes by their size.
 * Callers validate the range: an unaligned one, or one that wraps or ends
 * beyond 2^48, is a bug and only warns.
 *
 * Context: Does not sleep. The caller holds the table's lock.
 */
void vkfd_pt_unmap(struct vkfd_pt *pt, u64 va, unsigned long npages)
{
	if (WARN_ON_ONCE(!vkfd_pt_range_ok(va, npages)))
		return;
	vkfd_pt_clear(pt, va, va + ((u64)npages << VKFD_GPU_PAGE_SHIFT));
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_pt_unmap);

/**
 * vkfd_pt_lookup() - translate a GPU VA
 * @pt: the page table
 * @va: any GPU VA; need not be aligned nor below 2^48
 *
 * Context: Does not sleep. The caller holds the table's lock (see
 * vkfd_pt.h).
 * Return: the PTE of the page that contains @va, or 0 if it is not mapped
 * (which includes every @va at or above 2^48).
 */
u64 vkfd_pt_lookup(const struct vkfd_pt *pt, u64 va)
{
	u64 *path[VKFD_PT_LEVELS];
	u64 pte;

	if (va >= VKFD_PT_VA_END || vkfd_pt_descend(pt->root, va, path))
		return 0;
	pte = READ_ONCE(path[0][vkfd_pt_index(va, 0)]);
	return pte & VKFD_PTE_VALID ? pte : 0;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_pt_lookup);
