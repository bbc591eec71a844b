/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vkfd - the AQL packet processor of COMPUTE_AQL queues (vkfd_aql.c),
 * which the engine threads (vkfd_sdma.c) drive through its queue ops.
 *
 * The layouts are those of the HSA runtime's packets (hsa.h,
 * hsa_ext_amd.h) and signals (amd_hsa_signal.h): byte offsets into the
 * 64-byte packet, little-endian.
 */
#ifndef _VKFD_AQL_H_
#define _VKFD_AQL_H_

#include <linux/limits.h>
#include <linux/types.h>

#include "vkfd_sdma.h"

/* An AQL packet: a slot of the ring */
#define VKFD_AQL_PKT_SIZE		64

/* hsa_packet_header_t: the type in bits 0..7 of the 16-bit header */
#define VKFD_AQL_HDR_TYPE(h)		((h) & 0xff)
#define VKFD_AQL_HDR_BARRIER		BIT(8)

/* hsa_packet_type_t */
#define VKFD_AQL_TYPE_VENDOR		0
#define VKFD_AQL_TYPE_INVALID		1
#define VKFD_AQL_TYPE_KERNEL_DISPATCH	2
#define VKFD_AQL_TYPE_BARRIER_AND	3
#define VKFD_AQL_TYPE_AGENT_DISPATCH	4
#define VKFD_AQL_TYPE_BARRIER_OR	5

/* Every packet type but AGENT_DISPATCH: its completion signal */
#define VKFD_AQL_OFF_COMPLETION		56

/* hsa_barrier_and_packet_t, hsa_barrier_or_packet_t: dep_signal[5] */
#define VKFD_AQL_OFF_DEP_SIGNAL		8
#define VKFD_AQL_DEP_SIGNALS		5

/* hsa_kernel_dispatch_packet_t: kernel_object */
#define VKFD_AQL_OFF_KERNEL_OBJECT	32

/*
 * Vendor-specific packets of AMD (hsa_amd_vendor_packet_header_t): the
 * format in byte 2. PM4_IB (ROCr's ExecutePM4() on gfx9: a PM4
 * INDIRECT_BUFFER in dwords 1..4, dw_cnt_remain 0xa in dword 5) and
 * BARRIER_VALUE (hsa_amd_barrier_value_packet_t).
 */
#define VKFD_AQL_AMD_FORMAT(dw0)	(((dw0) >> 16) & 0xff)
#define VKFD_AQL_AMD_PM4_IB		1
#define VKFD_AQL_AMD_BARRIER_VALUE	2
#define VKFD_AQL_OFF_BV_SIGNAL		8
#define VKFD_AQL_OFF_BV_VALUE		16
#define VKFD_AQL_OFF_BV_MASK		24
#define VKFD_AQL_OFF_BV_COND		32

/* hsa_signal_condition_t */
#define VKFD_AQL_COND_EQ		0
#define VKFD_AQL_COND_NE		1
#define VKFD_AQL_COND_LT		2
#define VKFD_AQL_COND_GTE		3

/* amd_signal_t: a signal handle is its GPU address */
#define VKFD_AQL_SIG_VALUE		8
#define VKFD_AQL_SIG_MAILBOX		16
#define VKFD_AQL_SIG_EVENT_ID		24

/*
 * A kernel object: the code object v3+ kernel descriptor and ROCm's
 * older amd_kernel_code_t both hold kernel_code_entry_byte_offset (s64,
 * from the object) at byte 16.
 */
#define VKFD_AQL_OFF_ENTRY		16
/* gfx9's s_endpgm: a kernel that does nothing */
#define VKFD_AQL_S_ENDPGM		0xbf810000

/*
 * A dependency not met is looked at again after VKFD_AQL_POLL_MIN x 10 ns,
 * twice as long after each failed look, up to VKFD_AQL_POLL_MAX x 10 ns.
 */
#define VKFD_AQL_POLL_MIN		1000
#define VKFD_AQL_POLL_MAX		100000

/*
 * The doorbell of an AQL queue never rung (vkfd_queue.c): ROCr rings the
 * id of the packet it wrote, from 0, never this one.
 */
#define VKFD_AQL_DOORBELL_UNRUNG	U64_MAX

/* COMPUTE_AQL queues */
extern const struct vkfd_queue_ops vkfd_aql_queue_ops;

bool vkfd_aql_queue_ready(const struct vkfd_queue *q, u64 wptr, u64 now);

#endif /* _VKFD_AQL_H_ */
