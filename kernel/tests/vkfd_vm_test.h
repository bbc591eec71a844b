/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What the KUnit suites that access a GPU VM share (vkfd_vm_access_test.c,
 * vkfd_sdma_test.h): a context with its mem_lock, a VM of that context
 * with an empty page table, and zeroed pages to map in it; and the way
 * back.
 */
#ifndef _VKFD_VM_TEST_H_
#define _VKFD_VM_TEST_H_

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mutex.h>

#include "../vkfd_priv.h"
#include "../vkfd_pt.h"
#include "../vkfd_vm.h"

#define PG		VKFD_GPU_PAGE_SIZE
#define R		(VKFD_PTE_VALID | VKFD_PTE_READABLE)
#define RW		(R | VKFD_PTE_WRITEABLE)

/*
 * Set up @ctx and @vm, and allocate @n zeroed @pages. On failure, what
 * is done is undone by vkfd_vm_test_exit(), which the caller runs anyway.
 */
static inline int vkfd_vm_test_init(struct vkfd_ctx *ctx, struct vkfd_vm *vm,
				    struct page **pages, unsigned int n)
{
	unsigned int i;

	mutex_init(&ctx->mem_lock);
	vm->ctx = ctx;
	for (i = 0; i < n; i++) {
		pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!pages[i])
			return -ENOMEM;
	}
	return vkfd_pt_init(&vm->pt);
}

static inline void vkfd_vm_test_exit(struct vkfd_ctx *ctx, struct vkfd_vm *vm,
				     struct page **pages, unsigned int n)
{
	unsigned int i;

	vkfd_pt_fini(&vm->pt);
	for (i = 0; i < n; i++)
		if (pages[i])
			__free_page(pages[i]);
	mutex_destroy(&ctx->mem_lock);
}

#endif /* _VKFD_VM_TEST_H_ */
