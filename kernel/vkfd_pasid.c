// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - PASID allocation.
 *
 * One global 16-bit PASID space (1..65535, as amdgpu's), shared by every
 * GPU VM of every context. PASIDs are allocated cyclically, so a freed
 * PASID is not handed out again until the rest of the space has been used:
 * a stale PASID still travelling in a fault or an engine job cannot name
 * the VM of a newer context.
 *
 * A PASID lives in three stages. vkfd_pasid_alloc() reserves it,
 * unpublished: lookups return NULL. vkfd_pasid_publish() makes it resolve
 * to its owner in O(1). vkfd_pasid_unpublish() hides it again when teardown
 * starts, and vkfd_pasid_free() returns it once nothing can use it any more.
 */
#include <kunit/visibility.h>
#include <linux/xarray.h>

#include "vkfd_vm.h"

#define VKFD_PASID_MAX		0xffff

/*
 * PASID -> owner. The xarray's own lock serialises all updates; lookups
 * are lockless (RCU). Reserved but unpublished PASIDs hold a zero entry.
 */
static DEFINE_XARRAY_ALLOC1(vkfd_pasids);
/* Next PASID to try; protected by the xa_lock of vkfd_pasids. */
static u32 vkfd_pasid_next = 1;

/**
 * vkfd_pasid_alloc() - reserve a PASID, not yet visible to lookups
 * @pasid: output
 *
 * Context: Process context; may sleep.
 * Return: 0, -ENOSPC if all 65535 PASIDs are in use, or -ENOMEM.
 */
int vkfd_pasid_alloc(u32 *pasid)
{
	int ret;

	ret = xa_alloc_cyclic(&vkfd_pasids, pasid, NULL,
			      XA_LIMIT(1, VKFD_PASID_MAX), &vkfd_pasid_next,
			      GFP_KERNEL_ACCOUNT);
	if (ret == -EBUSY)
		return -ENOSPC;
	return ret < 0 ? ret : 0;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_pasid_alloc);

/**
 * vkfd_pasid_publish() - make a reserved PASID resolve to @owner
 * @pasid: a PASID from vkfd_pasid_alloc()
 * @owner: what vkfd_pasid_lookup() returns for it
 *
 * Context: Any context; does not allocate (the slot exists).
 */
void vkfd_pasid_publish(u32 pasid, void *owner)
{
	xa_store(&vkfd_pasids, pasid, owner, GFP_ATOMIC);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_pasid_publish);

/**
 * vkfd_pasid_unpublish() - hide a PASID from lookups, keeping it reserved
 * @pasid: a published PASID
 *
 * Context: Any context.
 */
void vkfd_pasid_unpublish(u32 pasid)
{
	/* Storing NULL in an allocating xarray keeps the slot reserved. */
	xa_store(&vkfd_pasids, pasid, NULL, GFP_ATOMIC);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_pasid_unpublish);

/**
 * vkfd_pasid_free() - return a PASID to the pool
 * @pasid: a PASID from vkfd_pasid_alloc(); 0 is ignored
 *
 * Context: Any context.
 */
void vkfd_pasid_free(u32 pasid)
{
	if (pasid)
		xa_erase(&vkfd_pasids, pasid);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_pasid_free);

/**
 * vkfd_pasid_lookup() - resolve a PASID
 * @pasid: the PASID
 *
 * Context: Any context. The caller must hold what keeps the owner alive
 * (e.g. rcu_read_lock() for an RCU-freed owner). Its first users are the
 * engine's fault reports; until then only KUnit calls it.
 * Return: the owner, or NULL if the PASID is not published.
 */
void *vkfd_pasid_lookup(u32 pasid)
{
	return xa_load(&vkfd_pasids, pasid);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_pasid_lookup);

/**
 * vkfd_pasid_fini() - check that every PASID was returned
 *
 * Context: Process context, module unload.
 */
void vkfd_pasid_fini(void)
{
	WARN_ON(!xa_empty(&vkfd_pasids));
}
