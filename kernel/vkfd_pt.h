/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vkfd - GPU page tables.
 *
 * One struct vkfd_pt is the page table of one GPU VM: one context on one
 * GPU. The layout is AMD GFX9's: a 48-bit GPU VA space of 4 KiB pages,
 * translated by four levels of 512 u64 entries, each table exactly one
 * 4 KiB page:
 *
 *   PDB2 (root, va[47:39]) -> PDB1 (va[38:30]) -> PDB0 (va[29:21])
 *     -> PTB (va[20:12]) -> 4 KiB page
 *
 * A PDE is the physical address of the child table | VKFD_PTE_VALID; a PTE
 * is the physical address of the page | its VKFD_PTE_* flags, VALID
 * included. An entry without VKFD_PTE_VALID is 0.
 *
 * Locking: none inside. Callers serialise every call on one table with
 * their own lock (the lock of the VM the table belongs to). Entries are
 * nevertheless read and written with READ_ONCE()/WRITE_ONCE(), and a new
 * table is published with a release store, so that the software engine
 * can later walk the tables without that lock; table pages are freed at
 * once, so such a lockless walker will also need their freeing deferred
 * past an RCU grace period. Until it exists, every reader holds the lock.
 */
#ifndef _VKFD_PT_H_
#define _VKFD_PT_H_

#include <linux/bits.h>
#include <linux/types.h>

struct page;

/* Entry bits (amdgpu_vm.h AMDGPU_PTE_*) */
#define VKFD_PTE_VALID		BIT_ULL(0)
#define VKFD_PTE_SYSTEM		BIT_ULL(1)
#define VKFD_PTE_READABLE	BIT_ULL(5)
#define VKFD_PTE_WRITEABLE	BIT_ULL(6)
#define VKFD_PTE_ADDR_MASK	GENMASK_ULL(47, 12)

/*
 * vkfd's own: the page is a page of the VM's doorbell slice (a DOORBELL
 * buffer), so a store through this PTE rings the slice, as a store to a
 * doorbell BAR does on hardware (vkfd_vm_access.c). Bit 52: no gfx9 PTE
 * field uses it.
 */
#define VKFD_PTE_DOORBELL	BIT_ULL(52)

/* The flags a PTE may carry: anything else is rejected by vkfd_pt_map(). */
#define VKFD_PTE_FLAGS		(VKFD_PTE_VALID | VKFD_PTE_SYSTEM | \
				 VKFD_PTE_READABLE | VKFD_PTE_WRITEABLE | \
				 VKFD_PTE_DOORBELL)

/* The GPU VA space: 2^48 bytes of 4 KiB pages. */
#define VKFD_PT_VA_BITS		48
#define VKFD_PT_VA_END		BIT_ULL(VKFD_PT_VA_BITS)
#define VKFD_GPU_PAGE_SHIFT	12
#define VKFD_GPU_PAGE_SIZE	BIT_ULL(VKFD_GPU_PAGE_SHIFT)

/**
 * struct vkfd_pt - the page table of one GPU VM
 * @root: the PDB2 table, through page_address() of its page
 * @bytes: page-table memory in bytes, root included; the tables are
 *	charged to the memcg of the task that made them allocate
 */
struct vkfd_pt {
	u64 *root;
	size_t bytes;
};

int vkfd_pt_init(struct vkfd_pt *pt);
void vkfd_pt_fini(struct vkfd_pt *pt);
int vkfd_pt_map(struct vkfd_pt *pt, u64 va, struct page **pages,
		unsigned long npages, u64 flags);
void vkfd_pt_unmap(struct vkfd_pt *pt, u64 va, unsigned long npages);
u64 vkfd_pt_lookup(const struct vkfd_pt *pt, u64 va);

#endif /* _VKFD_PT_H_ */
