// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - the signal page of a context's events: allocated, adopted from a
 * GTT buffer, mapped through /dev/kfd, freed (see "events" in
 * vkfd_event.c).
 *
 * The page vkfd allocates is mapped with refcounted page insertion, never
 * remap_pfn_range(): a primary's events are released when its address
 * space is torn down, at its MMU notifier's release, while its VMAs still
 * exist. Its pages go when the last mapping does. The page's pointers are
 * under the signal lock; it is set up and freed under the events' @lock.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>

#include "vkfd_event.h"
#include "vkfd_gem.h"
#include "vkfd_mem.h"
#include "vkfd_priv.h"

#define VKFD_SIGNAL_PAGE_ORDER	get_order(VKFD_SIGNAL_PAGE_SIZE)
#define VKFD_SIGNAL_PAGES	(VKFD_SIGNAL_PAGE_SIZE >> PAGE_SHIFT)

/**
 * vkfd_event_page_alloc() - allocate the signal page of a context's events
 * @events: the events, which have no page
 *
 * All slots unsignaled; 256 usable until the page is mapped.
 *
 * Context: Process context; the events' @lock held.
 * Return: 0 or -ENOMEM.
 */
int vkfd_event_page_alloc(struct vkfd_events *events)
{
	struct page *pages;
	u64 *slots;

	lockdep_assert_held(&events->lock);

	pages = alloc_pages(GFP_KERNEL_ACCOUNT, VKFD_SIGNAL_PAGE_ORDER);
	if (!pages)
		return -ENOMEM;
	/* Each page its own refcount: mappings hold them one by one. */
	split_page(pages, VKFD_SIGNAL_PAGE_ORDER);
	slots = page_address(pages);
	memset(slots, 0xff, VKFD_SIGNAL_PAGE_SIZE);

	xa_lock(&events->ids);
	events->pages = pages;
	events->slots = slots;
	events->mapped_slots = VKFD_SIGNAL_SLOTS_UNMAPPED;
	xa_unlock(&events->ids);
	return 0;
}

/**
 * vkfd_event_page_adopt() - make a GTT buffer the signal page
 * @ctx: the context
 * @events: its events, which have no page
 * @handle: a buffer handle of @ctx
 *
 * As amdkfd's kfd_kmap_event_page(): the buffer is pinned and mapped into
 * the kernel, referenced, so that it outlives the handle if userspace
 * frees the buffer.
 *
 * Context: Process context; the events' @lock held. Takes
 * &vkfd_ctx.mem_lock.
 * Return: 0; -EINVAL if @events has a page, @handle is not a GTT buffer
 * of @ctx or is smaller than the page; -ENOMEM.
 */
int vkfd_event_page_adopt(struct vkfd_ctx *ctx, struct vkfd_events *events,
			  u64 handle)
{
	struct vkfd_gem *gem;
	struct page **pages;
	u64 size, *slots;
	int ret;

	lockdep_assert_held(&events->lock);

	if (events->slots)
		return -EINVAL;
	gem = vkfd_mem_get_gtt(ctx, handle, &size);
	if (IS_ERR(gem))
		return PTR_ERR(gem);
	if (size < VKFD_SIGNAL_PAGE_SIZE) {
		ret = -EINVAL;
		goto err_put;
	}
	pages = vkfd_gem_get_pages(gem);
	if (IS_ERR(pages)) {
		ret = PTR_ERR(pages);
		goto err_put;
	}
	slots = vmap(pages, VKFD_SIGNAL_PAGES, VM_MAP, PAGE_KERNEL);
	if (!slots) {
		ret = -ENOMEM;
		goto err_put_pages;
	}
	memset(slots, 0xff, VKFD_SIGNAL_PAGE_SIZE);

	xa_lock(&events->ids);
	events->gem = gem;
	events->slots = slots;
	events->mapped_slots = VKFD_SIGNAL_SLOTS;
	xa_unlock(&events->ids);
	return 0;

err_put_pages:
	vkfd_gem_put_pages(gem);
err_put:
	vkfd_gem_put(gem);
	return ret;
}

/**
 * vkfd_event_page_free() - unpublish and free the signal page, if any
 * @events: the events
 *
 * Mappings of a page vkfd allocated keep its pages until unmapped; an
 * adopted buffer is unpinned and its reference dropped.
 *
 * Context: Process context; the events' @lock held, or the events
 * released (no creation can run).
 */
void vkfd_event_page_free(struct vkfd_events *events)
{
	struct vkfd_gem *gem;
	struct page *pages;
	unsigned int i;
	u64 *slots;

	xa_lock(&events->ids);
	slots = events->slots;
	pages = events->pages;
	gem = events->gem;
	events->slots = NULL;
	events->pages = NULL;
	events->gem = NULL;
	events->mapped_slots = 0;
	xa_unlock(&events->ids);

	if (gem) {
		vunmap(slots);
		vkfd_gem_put_pages(gem);
		vkfd_gem_put(gem);
	} else if (pages) {
		/* Mappings hold their own references. */
		for (i = 0; i < VKFD_SIGNAL_PAGES; i++)
			__free_page(pages + i);
	}
}

/**
 * vkfd_event_mmap() - mmap of the signal page through /dev/kfd
 * @ctx: the context of the fd
 * @vma: the new mapping, at offset %VKFD_MMAP_TYPE_EVENTS
 *
 * amdkfd's rules (kfd_event_mmap): at most the page's 32 KiB, and the
 * mapping's size sets how many slots later signal events may use. vkfd
 * also wants the exact offset CREATE_EVENT returned and a shared mapping;
 * a page adopted from a buffer is mapped through the render node instead.
 *
 * Context: Process context, mmap_lock held for writing.
 * Return: 0; -EINVAL for another offset, a size above 32 KiB, a private
 * mapping, no signal page or an adopted one; -ENOMEM.
 */
int vkfd_event_mmap(struct vkfd_ctx *ctx, struct vm_area_struct *vma)
{
	unsigned long size = vma->vm_end - vma->vm_start;
	struct vkfd_events *events;
	struct page *pages = NULL;
	unsigned long i;
	int ret = 0;

	if ((u64)vma->vm_pgoff << PAGE_SHIFT != VKFD_MMAP_TYPE_EVENTS ||
	    size > VKFD_SIGNAL_PAGE_SIZE || !(vma->vm_flags & VM_SHARED))
		return -EINVAL;

	/* The creation of a first signal event may still free the page. */
	events = vkfd_events_of(ctx);
	if (events) {
		xa_lock(&events->ids);
		pages = events->pages;
		if (pages)
			for (i = 0; i < VKFD_SIGNAL_PAGES; i++)
				get_page(pages + i);
		xa_unlock(&events->ids);
	}
	if (!pages)
		return -EINVAL;

	vm_flags_set(vma, VM_IO | VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP);
	for (i = 0; i < size >> PAGE_SHIFT && !ret; i++)
		ret = vm_insert_page(vma, vma->vm_start + (i << PAGE_SHIFT),
				     pages + i);
	if (!ret) {
		xa_lock(&events->ids);
		if (events->pages == pages)
			events->mapped_slots = size / sizeof(u64);
		xa_unlock(&events->ids);
	}
	for (i = 0; i < VKFD_SIGNAL_PAGES; i++)
		put_page(pages + i);
	return ret;
}
