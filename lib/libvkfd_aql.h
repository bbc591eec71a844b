/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The AQL packet (HSA's hsa.h, AMD's hsa_ext_amd.h) and the amd_signal_t
 * as vkfd's COMPUTE_AQL queues execute them (docs/aql.rst): the values
 * and offsets the selftests and the benchmarks write, and the barrier
 * packet they all build. Header-only and not installed: the selftests
 * and bench/ include it as they include libvkfd.h.
 */
#ifndef LIBVKFD_AQL_H
#define LIBVKFD_AQL_H

#include <stdint.h>
#include <string.h>

#define VKFD_AQL_PKT		64	/* bytes of a packet */

/* hsa_packet_type_t, in the header's low 8 bits */
#define VKFD_AQL_VENDOR		0
#define VKFD_AQL_INVALID	1
#define VKFD_AQL_DISPATCH	2
#define VKFD_AQL_AND		3
#define VKFD_AQL_AGENT		4
#define VKFD_AQL_OR		5
#define VKFD_AQL_BARRIER_BIT	(1u << 8)

/* AMD's vendor formats, in the header's upper 16 bits */
#define VKFD_AQL_FMT_PM4_IB	1
#define VKFD_AQL_FMT_BARRIER_VALUE 2

/* In a barrier packet: dep_signal[i], completion_signal */
#define VKFD_AQL_DEP(i)		(8 + 8 * (i))
#define VKFD_AQL_COMPLETION	56

/* amd_signal_t: value, event_mailbox_ptr, event_id */
#define VKFD_AQL_SIG_VALUE	8
#define VKFD_AQL_SIG_MAILBOX	16
#define VKFD_AQL_SIG_EVENT_ID	24

/* kernel_code_entry_byte_offset, and the one instruction vkfd runs */
#define VKFD_AQL_CODE_ENTRY	16
#define VKFD_AQL_S_ENDPGM	0xbf810000u

/* The u64 @v at byte @off of the packet @dw. */
static inline void vkfd_aql_set64(uint32_t *dw, unsigned int off, uint64_t v)
{
	dw[off / 4] = (uint32_t)v;
	dw[off / 4 + 1] = (uint32_t)(v >> 32);
}

/*
 * A barrier-AND or -OR (@type) with the barrier bit, waiting on @dep (0:
 * none) and completing @done (0: none), into the 16 dwords at @dw.
 */
static inline void vkfd_aql_barrier(uint32_t *dw, uint32_t type, uint64_t dep,
				    uint64_t done)
{
	memset(dw, 0, VKFD_AQL_PKT);
	dw[0] = type | VKFD_AQL_BARRIER_BIT;
	vkfd_aql_set64(dw, VKFD_AQL_DEP(0), dep);
	vkfd_aql_set64(dw, VKFD_AQL_COMPLETION, done);
}

/*
 * A 1 x 1 x 1 kernel dispatch (one 64-lane group) of the kernel object
 * @kobj, with the barrier bit, completing @done (0: none).
 */
static inline void vkfd_aql_dispatch(uint32_t *dw, uint64_t kobj,
				     uint64_t done)
{
	memset(dw, 0, VKFD_AQL_PKT);
	dw[0] = VKFD_AQL_DISPATCH | VKFD_AQL_BARRIER_BIT | 1u << 16;
	dw[1] = 64 | 1u << 16;
	dw[2] = 1;
	dw[3] = 64;
	dw[4] = 1;
	dw[5] = 1;
	vkfd_aql_set64(dw, 32, kobj);
	vkfd_aql_set64(dw, VKFD_AQL_COMPLETION, done);
}

/* A ring of @size bytes as ROCr starts one: every header INVALID. */
static inline void vkfd_aql_ring_init(void *ring, uint64_t size)
{
	uint64_t i;

	for (i = 0; i < size; i += VKFD_AQL_PKT)
		*(uint32_t *)((char *)ring + i) = VKFD_AQL_INVALID;
}

#endif /* LIBVKFD_AQL_H */
