/* SPDX-License-Identifier: GPL-2.0 OR MIT WITH Linux-syscall-note */
/*
 * vkfd - the SDMA v4 packets vkfd's software engines execute.
 *
 * The layout is AMD's (amdgpu's vega10_sdma_pkt_open.h); what is here is
 * the subset vkfd implements. A packet is a sequence of little-endian
 * dwords in a queue's ring; dword 0 is the header: op in bits 0..7,
 * sub_op in bits 8..15, op-specific bits above. Every address is a GPU
 * virtual address of the queue's context, two dwords, low first; the
 * engines translate it through that context's GPU VM.
 *
 *   NOP           1 + count dwords: header (count in bits 16..29), then
 *                 count dwords that are skipped
 *   COPY_LINEAR   7 dwords: header (sub_op 0), bytes - 1 (bits 0..21),
 *                 parameters (0), src lo, src hi, dst lo, dst hi
 *   WRITE_LINEAR  4 + n dwords: header (sub_op 0), dst lo, dst hi,
 *                 n - 1 (bits 0..19), then the n dwords to write
 *   CONST_FILL    5 dwords: header, dst lo, dst hi, the 32-bit pattern,
 *                 bytes - 1 (bits 0..21); bytes is a multiple of 4
 *   FENCE         4 dwords: header, dst lo, dst hi, the dword to write
 *   TRAP          2 dwords: header, int_context (bits 0..27): the id of
 *                 the event to signal
 *   TIMESTAMP     3 dwords: header (sub_op GET_GLOBAL), dst lo, dst hi:
 *                 writes the u64 GPU clock (ns, as GET_CLOCK_COUNTERS)
 *   POLL_REGMEM   6 dwords: header (mem_poll bit 31, func in bits 28..30),
 *                 addr lo, addr hi, reference, mask, interval (bits 0..15)
 *                 | retry count (bits 16..27, 0xfff = forever)
 */
#ifndef _UAPI_LINUX_VKFD_SDMA_H
#define _UAPI_LINUX_VKFD_SDMA_H

#define VKFD_SDMA_OP_NOP		0
#define VKFD_SDMA_OP_COPY		1
#define VKFD_SDMA_OP_WRITE		2
#define VKFD_SDMA_OP_FENCE		5
#define VKFD_SDMA_OP_TRAP		6
#define VKFD_SDMA_OP_POLL_REGMEM	8
#define VKFD_SDMA_OP_CONST_FILL		11
#define VKFD_SDMA_OP_TIMESTAMP		13

#define VKFD_SDMA_SUBOP_COPY_LINEAR	0
#define VKFD_SDMA_SUBOP_WRITE_LINEAR	0
#define VKFD_SDMA_SUBOP_TIMESTAMP_GET_GLOBAL	2

#define VKFD_SDMA_HEADER(op, sub_op)	((op) | ((sub_op) << 8))
#define VKFD_SDMA_HEADER_OP(h)		((h) & 0xff)
#define VKFD_SDMA_HEADER_SUB_OP(h)	(((h) >> 8) & 0xff)

#define VKFD_SDMA_NOP_COUNT(n)		(((n) & 0x3fff) << 16)
#define VKFD_SDMA_NOP_GET_COUNT(h)	(((h) >> 16) & 0x3fff)

#define VKFD_SDMA_COPY_COUNT_MASK	0x003fffff
#define VKFD_SDMA_WRITE_COUNT_MASK	0x000fffff
#define VKFD_SDMA_FILL_COUNT_MASK	0x003fffff
#define VKFD_SDMA_TRAP_INT_CONTEXT_MASK	0x0fffffff

#define VKFD_SDMA_POLL_MEM		(1u << 31)
#define VKFD_SDMA_POLL_FUNC(f)		(((f) & 7) << 28)
#define VKFD_SDMA_POLL_GET_FUNC(h)	(((h) >> 28) & 7)
/* func: 0 always, 1 <, 2 <=, 3 ==, 4 !=, 5 >=, 6 > ((value & mask) op ref) */
#define VKFD_SDMA_POLL_FUNC_EQUAL	3
#define VKFD_SDMA_POLL_DW5(interval, retries) \
	(((interval) & 0xffff) | (((retries) & 0xfff) << 16))
#define VKFD_SDMA_POLL_RETRY_FOREVER	0xfff

#define VKFD_SDMA_NOP_DW		1
#define VKFD_SDMA_COPY_LINEAR_DW	7
#define VKFD_SDMA_WRITE_LINEAR_DW	4	/* + the data */
#define VKFD_SDMA_CONST_FILL_DW		5
#define VKFD_SDMA_FENCE_DW		4
#define VKFD_SDMA_TRAP_DW		2
#define VKFD_SDMA_TIMESTAMP_DW		3
#define VKFD_SDMA_POLL_REGMEM_DW	6

#endif /* _UAPI_LINUX_VKFD_SDMA_H */
