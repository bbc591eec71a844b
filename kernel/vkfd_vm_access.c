// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - access to a GPU VM's memory by GPU virtual address.
 */

/**
 * DOC: GPU VA access
 *
 * The software engines never dereference a GPU VA: every access walks the
 * VM's page table (vkfd_pt_lookup()) and goes to the page the PTE names,
 * if the PTE allows it — VKFD_PTE_READABLE to read, VKFD_PTE_WRITEABLE to
 * write. Anything else is a GPU page fault, reported to the caller with
 * the address; the bytes before it have been accessed, as on hardware.
 *
 * The caller holds the context's &vkfd_ctx.mem_lock for the whole call:
 * mapped pages are pinned while they are mapped, and unmapping needs that
 * lock, so no page can go away under an access. Long accesses are split
 * by the caller into chunks, each under one hold of the lock, and every
 * chunk translates its addresses afresh: after an unmap between two
 * chunks, the next one faults instead of touching a page that may be
 * free. Within a call each page is translated once (one page-table walk
 * per 4 KiB page and direction) and reached with kmap_local_page().
 *
 * An atomic read-modify-write (vkfd_vm_rmw_locked(), SDMA's ATOMIC) needs
 * the page readable and writable, and is atomic with respect to the CPU:
 * the page may be mapped into user space, whose threads update the same
 * word (a signal) concurrently; the update is a cmpxchg loop on the
 * kernel's mapping of the page.
 *
 * A store through a PTE with VKFD_PTE_DOORBELL (a DOORBELL buffer: the
 * page is one of the VM's doorbell slice) rings, as a store to the
 * doorbell BAR does on hardware: the access sets &vkfd_vm.doorbell_rang,
 * and the engine, whose packet made the store, rings the slice once it
 * has dropped mem_lock (vkfd_sdma_doorbell_rang() takes the engines'
 * locks and wakes threads: not under mem_lock). The flag lives in the VM
 * rather than in what the caller passes, so that every write path counts,
 * whichever packet or pointer write-back made it. A read rings nothing,
 * nor does an atomic that leaves the value as it was.
 */
#include <linux/atomic.h>
#include <kunit/visibility.h>
#include <linux/highmem.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "vkfd_priv.h"
#include "vkfd_pt.h"
#include "vkfd_vm.h"
#include "vkfd_vm_access.h"

#define VKFD_GPU_PAGE_MASK	(~(VKFD_GPU_PAGE_SIZE - 1))

/*
 * A cursor over one direction of an access: the GPU page it has
 * translated last, so that consecutive segments in one page cost one
 * walk.
 */
struct vkfd_vm_cursor {
	struct vkfd_vm *vm;
	bool write;
	bool valid;
	u64 page_va;
	struct page *page;
};

static void vkfd_vm_cursor_init(struct vkfd_vm_cursor *c, struct vkfd_vm *vm,
				bool write)
{
	c->vm = vm;
	c->write = write;
	c->valid = false;
}

/*
 * The page behind @va, if the PTE allows the cursor's access; else NULL
 * and @fault filled in.
 */
static struct page *vkfd_vm_cursor_page(struct vkfd_vm_cursor *c, u64 va,
					struct vkfd_vm_fault *fault)
{
	u64 need = VKFD_PTE_VALID |
		   (c->write ? VKFD_PTE_WRITEABLE : VKFD_PTE_READABLE);
	u64 pte;

	if (c->valid && (va & VKFD_GPU_PAGE_MASK) == c->page_va)
		return c->page;

	pte = vkfd_pt_lookup(&c->vm->pt, va);
	if ((pte & need) != need) {
		fault->va = va;
		fault->write = c->write;
		fault->not_present = !(pte & VKFD_PTE_VALID);
		return NULL;
	}
	/* Translated for a store, which the caller makes: a ring. */
	if (c->write && (pte & VKFD_PTE_DOORBELL))
		c->vm->doorbell_rang = true;
	c->valid = true;
	c->page_va = va & VKFD_GPU_PAGE_MASK;
	c->page = pfn_to_page(PHYS_PFN(pte & VKFD_PTE_ADDR_MASK));
	return c->page;
}

/* Bytes from @va to the end of its GPU page, at most @len. */
static size_t vkfd_vm_seg(u64 va, u64 len)
{
	return min_t(u64, len, VKFD_GPU_PAGE_SIZE - (va & ~VKFD_GPU_PAGE_MASK));
}

/*
 * Copy @len bytes between GPU memory at @va and the kernel buffer @buf,
 * into @buf if !@write, out of it if @write (@buf is then only read).
 * Always inlined with a constant @write: each caller gets its own loop,
 * without a test or an indirect call per page.
 */
static __always_inline int vkfd_vm_rw_locked(struct vkfd_vm *vm, u64 va,
					     void *buf, size_t len,
					     struct vkfd_vm_fault *fault,
					     bool write)
{
	struct vkfd_vm_cursor c;

	lockdep_assert_held(&vm->ctx->mem_lock);

	vkfd_vm_cursor_init(&c, vm, write);
	while (len) {
		size_t n = vkfd_vm_seg(va, len);
		struct page *page = vkfd_vm_cursor_page(&c, va, fault);
		void *vaddr;

		if (!page)
			return -EFAULT;
		vaddr = kmap_local_page(page);
		if (write)
			memcpy(vaddr + (va & ~VKFD_GPU_PAGE_MASK), buf, n);
		else
			memcpy(buf, vaddr + (va & ~VKFD_GPU_PAGE_MASK), n);
		kunmap_local(vaddr);
		buf += n;
		va += n;
		len -= n;
	}
	return 0;
}

/**
 * vkfd_vm_read_locked() - read GPU memory into a kernel buffer
 * @vm: the GPU VM
 * @va: GPU VA of the first byte; any alignment
 * @buf: where to put the bytes
 * @len: how many
 * @fault: filled in if the read faults
 *
 * Context: Process context. The caller holds @vm's &vkfd_ctx.mem_lock.
 * Return: 0, or -EFAULT if a byte is not mapped readable; @buf then holds
 * the bytes before it.
 */
int vkfd_vm_read_locked(struct vkfd_vm *vm, u64 va, void *buf, size_t len,
			struct vkfd_vm_fault *fault)
{
	lockdep_assert_held(&vm->ctx->mem_lock);

	return vkfd_vm_rw_locked(vm, va, buf, len, fault, false);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_vm_read_locked);

/**
 * vkfd_vm_write_locked() - write a kernel buffer to GPU memory
 * @vm: the GPU VM
 * @va: GPU VA of the first byte; any alignment
 * @buf: the bytes
 * @len: how many
 * @fault: filled in if the write faults
 *
 * Context: Process context. The caller holds @vm's &vkfd_ctx.mem_lock.
 * Return: 0, or -EFAULT if a byte is not mapped writable; the bytes
 * before it are written.
 */
int vkfd_vm_write_locked(struct vkfd_vm *vm, u64 va, const void *buf,
			 size_t len, struct vkfd_vm_fault *fault)
{
	lockdep_assert_held(&vm->ctx->mem_lock);

	/* only read: vkfd_vm_rw_locked() copies out of @buf when writing */
	return vkfd_vm_rw_locked(vm, va, (void *)buf, len, fault, true);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_vm_write_locked);

/**
 * vkfd_vm_copy_locked() - copy GPU memory to GPU memory within a VM
 * @vm: the GPU VM
 * @dst: GPU VA of the destination; any alignment
 * @src: GPU VA of the source; any alignment
 * @len: bytes
 * @done: set to the bytes copied, all of @len unless it faults
 * @fault: filled in if the copy faults
 *
 * Each page is checked when the copy reaches it, the source before the
 * destination. Overlapping ranges give what a forward copy gives, as on
 * hardware, but never touch memory outside the two ranges.
 *
 * Context: Process context; may sleep between pages. The caller holds
 * @vm's &vkfd_ctx.mem_lock.
 * Return: 0, or -EFAULT if a source byte is not readable or a destination
 * byte not writable; *@done bytes were copied before it.
 */
int vkfd_vm_copy_locked(struct vkfd_vm *vm, u64 dst, u64 src, u64 len,
			u64 *done, struct vkfd_vm_fault *fault)
{
	struct vkfd_vm_cursor s, d;

	lockdep_assert_held(&vm->ctx->mem_lock);

	vkfd_vm_cursor_init(&s, vm, false);
	vkfd_vm_cursor_init(&d, vm, true);
	*done = 0;
	while (len) {
		size_t n = min(vkfd_vm_seg(src, len), vkfd_vm_seg(dst, len));
		struct page *sp, *dp;
		void *from, *to;

		sp = vkfd_vm_cursor_page(&s, src, fault);
		if (!sp)
			return -EFAULT;
		dp = vkfd_vm_cursor_page(&d, dst, fault);
		if (!dp)
			return -EFAULT;
		from = kmap_local_page(sp);
		to = kmap_local_page(dp);
		/* Two different pages cannot overlap; within one, memmove. */
		if (sp == dp)
			memmove(to + (dst & ~VKFD_GPU_PAGE_MASK),
				from + (src & ~VKFD_GPU_PAGE_MASK), n);
		else
			memcpy(to + (dst & ~VKFD_GPU_PAGE_MASK),
			       from + (src & ~VKFD_GPU_PAGE_MASK), n);
		kunmap_local(to);
		kunmap_local(from);
		src += n;
		dst += n;
		len -= n;
		*done += n;
		cond_resched();
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_vm_copy_locked);

/**
 * vkfd_vm_fill_locked() - fill GPU memory with a 32-bit pattern
 * @vm: the GPU VM
 * @dst: GPU VA of the first byte, a multiple of 4
 * @pattern: the dword written at @dst, @dst + 4, ...
 * @len: bytes, a multiple of 4
 * @done: set to the bytes filled, all of @len unless it faults
 * @fault: filled in if the fill faults
 *
 * Context: Process context; may sleep between pages. The caller holds
 * @vm's &vkfd_ctx.mem_lock.
 * Return: 0; -EINVAL if @dst or @len is not a multiple of 4 (nothing is
 * written); -EFAULT if a byte is not writable, *@done bytes were filled
 * before it.
 */
int vkfd_vm_fill_locked(struct vkfd_vm *vm, u64 dst, u32 pattern, u64 len,
			u64 *done, struct vkfd_vm_fault *fault)
{
	struct vkfd_vm_cursor d;

	lockdep_assert_held(&vm->ctx->mem_lock);

	*done = 0;
	if ((dst | len) & 3)
		return -EINVAL;
	vkfd_vm_cursor_init(&d, vm, true);
	while (len) {
		size_t n = vkfd_vm_seg(dst, len);
		struct page *page = vkfd_vm_cursor_page(&d, dst, fault);
		void *vaddr;

		if (!page)
			return -EFAULT;
		vaddr = kmap_local_page(page);
		/* Aligned: pages are, and so are @dst and @len. */
		memset32(vaddr + (dst & ~VKFD_GPU_PAGE_MASK), pattern, n / 4);
		kunmap_local(vaddr);
		dst += n;
		len -= n;
		*done += n;
		cond_resched();
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_vm_fill_locked);

/* The new value of @size bytes, little-endian @old, in memory order. */
static u64 vkfd_vm_rmw_new(u64 old, unsigned int size, vkfd_vm_rmw_fn fn,
			   void *arg, bool *store)
{
	u64 v = size == 4 ? le32_to_cpu((__force __le32)(u32)old) :
			    le64_to_cpu((__force __le64)old);

	*store = fn(&v, arg);
	return size == 4 ? (__force u32)cpu_to_le32((u32)v) :
			   (__force u64)cpu_to_le64(v);
}

/**
 * vkfd_vm_rmw_locked() - an atomic read-modify-write of GPU memory
 * @vm: the GPU VM
 * @va: GPU VA of the value, a multiple of @size
 * @size: 4 or 8 bytes; the value is little-endian in memory
 * @fn: called with the value in *@v (zero-extended if 32-bit): sets
 *	*@v to the new value and returns true to store it, or returns false
 *	to leave memory as it is; may be called again if the value changed
 *	under it, so it must not have side effects
 * @arg: for @fn
 * @fault: filled in if the access faults
 *
 * Translates @va for reading and writing (a page mapped without write
 * permission is a write fault), then updates the value with a cmpxchg on
 * the kernel's mapping of the page: atomic with respect to the CPU and
 * to every other engine. A store is fully ordered with everything before
 * and after it (a successful cmpxchg is).
 *
 * Context: Process context. The caller holds @vm's &vkfd_ctx.mem_lock.
 * Return: 0; -EINVAL if @size is not 4 or 8 or @va not a multiple of it
 * (nothing is accessed); -EFAULT if the page is not mapped readable and
 * writable.
 */
int vkfd_vm_rmw_locked(struct vkfd_vm *vm, u64 va, unsigned int size,
		       vkfd_vm_rmw_fn fn, void *arg,
		       struct vkfd_vm_fault *fault)
{
	u64 need = VKFD_PTE_VALID | VKFD_PTE_READABLE | VKFD_PTE_WRITEABLE;
	bool store;
	void *vaddr, *p;
	u64 pte;

	lockdep_assert_held(&vm->ctx->mem_lock);

	if ((size != 4 && size != 8) || (va & (size - 1)))
		return -EINVAL;
	pte = vkfd_pt_lookup(&vm->pt, va);
	if ((pte & need) != need) {
		fault->va = va;
		fault->write = true;
		fault->not_present = !(pte & VKFD_PTE_VALID);
		return -EFAULT;
	}
	vaddr = kmap_local_page(pfn_to_page(PHYS_PFN(pte & VKFD_PTE_ADDR_MASK)));
	/* Aligned to @size: the value is within the page. */
	p = vaddr + (va & ~VKFD_GPU_PAGE_MASK);
	if (size == 4) {
		u32 *w = p, old = READ_ONCE(*w), new;

		do {
			new = vkfd_vm_rmw_new(old, 4, fn, arg, &store);
		} while (store && !try_cmpxchg(w, &old, new));
	} else {
		u64 *w = p, old = READ_ONCE(*w), new;

		do {
			new = vkfd_vm_rmw_new(old, 8, fn, arg, &store);
		} while (store && !try_cmpxchg64(w, &old, new));
	}
	kunmap_local(vaddr);
	if (store && (pte & VKFD_PTE_DOORBELL))
		vm->doorbell_rang = true;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_vm_rmw_locked);
