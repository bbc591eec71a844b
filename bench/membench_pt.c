// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * membench - phase pt: GPU page-table memory per GiB mapped (see
 * membench.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/kfd_ioctl.h>

#include "bench_mem.h"
#include "bench_sys.h"
#include "bench_time.h"
#include "membench.h"

/*
 * The buffers map back to back from 1 GiB, aligned, so that the tables
 * cover exactly what is mapped.
 */
#define PT_VA			(1 * GiB)
#define PT_BUF_SIZE		(2 * MiB)

/*
 * How much to map: what -g says, else 1 GiB if the machine has that much
 * to spare with 512 MiB left over, else 512 or 256 MiB.
 */
static unsigned int pt_mib(const struct membench *mb)
{
	struct meminfo m;
	long avail_mib;

	if (mb->pt_mib)
		return mb->pt_mib;
	read_meminfo(&m);
	avail_mib = mi(&m, "MemAvailable") / 1024;
	if (avail_mib >= 1024 + 512)
		return 1024;
	return avail_mib >= 512 + 512 ? 512 : 256;
}

int pt_child(const struct membench *mb)
{
	unsigned int mib = pt_mib(mb), nbuf = mib / (PT_BUF_SIZE / MiB), i;
	uint64_t *h = xcalloc(nbuf, sizeof(*h));
	struct meminfo m0, m1, m2;
	struct ctx_usage u0, u1, u2;
	uint64_t t0, t1, t2;
	double gib = (double)mib / 1024, ideal;
	uint32_t domain = KFD_IOC_ALLOC_MEM_FLAGS_VRAM;
	struct vm vm;
	int ret;

	printf("== GPU page tables per GiB mapped, 4 KiB pages (vkfd) ==\n");
	ret = vm_open(mb, &vm);
	if (ret) {
		fprintf(stderr, "membench: a secondary with a VM: %s\n",
			strerror(-ret));
		return 1;
	}
	if (ctx_usage(mb, getpid(), vm.ctx_id, &u0) || u0.contexts != 1) {
		printf("  skipped: %s does not show the context (debugfs not mounted?)\n\n",
		       mb->contexts);
		vm_close(&vm);
		return 0;
	}
	/* VRAM if the budget has room, else GTT: the tables are the same. */
	if (vram_available(&vm) < (uint64_t)mib * MiB + 64 * MiB)
		domain = KFD_IOC_ALLOC_MEM_FLAGS_GTT;

	mem_settle(MEMBENCH_SETTLE_MS, true);
	read_meminfo(&m0);
	t0 = now_ns();
	for (i = 0; i < nbuf; i++) {
		ret = buf_alloc_map(&vm, PT_VA + i * PT_BUF_SIZE, PT_BUF_SIZE,
				    domain, &h[i]);
		if (ret) {
			fprintf(stderr, "membench: pt: buffer %u of %u: %s\n",
				i, nbuf, strerror(-ret));
			return 1;
		}
	}
	t1 = now_ns();
	mem_settle(MEMBENCH_SETTLE_MS, true);
	read_meminfo(&m1);
	ctx_usage(mb, getpid(), vm.ctx_id, &u1);

	t2 = now_ns();
	for (i = 0; i < nbuf && !ret; i++)
		ret = buf_unmap(&vm, h[i]);
	t2 = now_ns() - t2;
	if (ret) {
		fprintf(stderr, "membench: pt: unmap: %s\n", strerror(-ret));
		return 1;
	}
	ctx_usage(mb, getpid(), vm.ctx_id, &u2);
	for (i = 0; i < nbuf && !ret; i++)
		ret = buf_free(&vm, h[i]);
	if (ret) {
		fprintf(stderr, "membench: pt: free: %s\n", strerror(-ret));
		return 1;
	}
	mem_settle(MEMBENCH_SETTLE_MS, true);
	read_meminfo(&m2);

	/* One PTB per 2 MiB, one PDB0 per GiB, one PDB1 per 512 GiB. */
	ideal = (double)(nbuf + (mib + 1023) / 1024 + 1) * PT_TABLE_SIZE;
	printf("  %u MiB as %u buffers of 2 MiB %s, back to back from GPU VA 0x%llx, one VM\n",
	       mib, nbuf, domain_name(domain), (unsigned long long)PT_VA);
	printf("  alloc + map of them all: %.2f s (%.0f us per buffer; the map allocates the pages)\n\n",
	       (t1 - t0) / 1e9, us((double)(t1 - t0) / nbuf));
	printf("  %-30s %12s %12s %12s %14s\n", "", "before", "mapped",
	       "delta", "per GiB mapped");
	printf("  %-30s %10llu B %10llu B %10lld B %10.3f MiB\n",
	       "page tables (debugfs pt)", u0.pt, u1.pt,
	       (long long)(u1.pt - u0.pt),
	       (double)(u1.pt - u0.pt) / MiB / gib);
	printf("  (target: <= 2.1 MiB per GiB; gfx9's 4 KiB tables of 512 entries need\n"
	       "   %.3f MiB per GiB here: one PTB per 2 MiB, one PDB0 per GiB, a PDB1)\n\n",
	       ideal / MiB / gib);
	printf("  also per GiB mapped (/proc/meminfo): free %+.1f MiB, Shmem %+.1f MiB,\n"
	       "  Slab %+.2f MiB (the buffers' pages are shmem; the tables are in neither)\n",
	       -(mi(&m0, FREE_FIELD) - mi(&m1, FREE_FIELD)) / 1024.0 / gib,
	       (mi(&m1, "Shmem") - mi(&m0, "Shmem")) / 1024.0 / gib,
	       (mi(&m1, "Slab") - mi(&m0, "Slab")) / 1024.0 / gib);
	printf("  after unmapping all (%.2f s): page tables %llu B (the root table alone:\n"
	       "  %llu B); after freeing all, free %+ld kB and Slab %+ld kB to before\n\n",
	       t2 / 1e9, u2.pt, (unsigned long long)PT_TABLE_SIZE,
	       mi(&m2, FREE_FIELD) - mi(&m0, FREE_FIELD),
	       mi(&m2, "Slab") - mi(&m0, "Slab"));
	vm_close(&vm);
	free(h);
	return 0;
}
