/* SPDX-License-Identifier: GPL-2.0 OR MIT WITH Linux-syscall-note */
/*
 * vkfd - the gfx9 PM4 packets vkfd's engines execute on compute queues
 * (KFD_IOC_QUEUE_TYPE_COMPUTE).
 *
 * The layout is AMD's (amdgpu's soc15d.h, amdkfd's kfd_pm4_headers_ai.h);
 * what is here is the subset vkfd implements. A packet is a sequence of
 * little-endian dwords in a queue's ring or in an indirect buffer. Dword 0
 * is the header: a type-3 header has the type (3) in bits 30..31, count in
 * bits 16..29 (the packet is count + 2 dwords) and the opcode in bits
 * 8..15; a type-2 header (0x80000000) is a one-dword filler. Every address
 * is a GPU virtual address of the queue's context, two dwords, low first;
 * the engines translate it through that context's GPU VM. The low bits of
 * an address dword that the packet's alignment leaves out are ignored.
 *
 *   NOP            count + 2 dwords, skipped; count 0x3fff: one dword
 *   WRITE_DATA     4 + n dwords: header, control (dst_sel bits 8..11,
 *                  addr_incr off bit 16, wr_confirm bit 20), dst lo, dst
 *                  hi, then the n dwords to write
 *   RELEASE_MEM    8 dwords: header, event (type bits 0..5, index bits
 *                  8..11), data control (dst_sel bits 16..17, int_sel
 *                  bits 24..26, data_sel bits 29..31), addr lo, addr hi,
 *                  data lo, data hi, int_ctxid (the event to signal)
 *   WAIT_REG_MEM   7 dwords: header, control (function bits 0..2,
 *                  mem_space bits 4..5, operation bits 6..7), addr lo,
 *                  addr hi, reference, mask, poll interval (bits 0..15)
 *   WAIT_REG_MEM64 9 dwords: as WAIT_REG_MEM on a u64, reference and mask
 *                  two dwords each
 *   INDIRECT_BUFFER 4 dwords: header, base lo, base hi (bits 0..15),
 *                  control (size in dwords bits 0..19, chain bit 20,
 *                  valid bit 23)
 *   ACQUIRE_MEM    7 dwords: header, coher_cntl, size, size hi, base lo,
 *                  base hi, poll interval
 *   EVENT_WRITE    2 dwords: header, event (type bits 0..5, index bits
 *                  8..11)
 *   QUERY_STATUS   8 dwords: header, control (context id bits 0..27,
 *                  interrupt_sel bits 28..29, command bits 30..31),
 *                  control 2, addr lo, addr hi, data lo, data hi
 *   SET_*_REG      2 + n dwords: header, register offset, n values
 *   COPY_DATA      6 dwords: header, control (src_sel bits 0..3, dst_sel
 *                  bits 8..11, count_sel bit 16, wr_confirm bit 20), src
 *                  lo (or the immediate data), src hi, dst lo, dst hi
 *   ATOMIC_MEM     9 dwords: header, control (TC operation bits 0..6,
 *                  command bits 8..11, cache policy bits 25..26), addr lo,
 *                  addr hi, src lo, src hi, cmp lo, cmp hi, loop interval
 *                  (bits 0..12)
 *   COND_WRITE     9 dwords: header, control (function bits 0..2,
 *                  poll_space bit 4, write_space bits 8..9, wr_confirm bit
 *                  20), poll lo, poll hi, reference, mask, write lo, write
 *                  hi, data
 *   DMA_DATA       7 dwords: header, control (dst_sel bits 20..21, src_sel
 *                  bits 29..30, cp_sync bit 31), src lo (or the fill
 *                  data), src hi, dst lo, dst hi, command (byte count bits
 *                  0..25, sas 26, das 27, saic 28, daic 29, raw_wait 30,
 *                  dis_wc 31)
 *   DISPATCH_DIRECT 5 dwords, DISPATCH_INDIRECT 3 dwords
 *
 * What each does, and what happens to the packets vkfd cannot execute, is
 * in docs/pm4.rst. The encoders are here, as static
 * inline functions over __u32, so that the kernel's KUnit tests and user
 * space (the selftests) use one and the same: vkfd_pm4_pkt_*(). Queue
 * pointers are gfx9 KFD's: the doorbell takes the write pointer in dwords
 * (u64, never reduced modulo the ring), and the engine reports the read
 * pointer as a u32 at read_pointer_address: the dword offset in the ring.
 */
#ifndef _UAPI_LINUX_VKFD_PM4_H
#define _UAPI_LINUX_VKFD_PM4_H

#include <linux/types.h>

#define VKFD_PM4_TYPE2			0x80000000u
#define VKFD_PM4_HDR(op, n)		((3u << 30) | (((op) & 0xffu) << 8) | \
					 (((__u32)(n) & 0x3fffu) << 16))
#define VKFD_PM4_HDR_TYPE(h)		((h) >> 30)
#define VKFD_PM4_HDR_COUNT(h)		(((h) >> 16) & 0x3fff)
#define VKFD_PM4_HDR_OP(h)		(((h) >> 8) & 0xff)
/* A NOP of count 0x3fff is one dword: amdgpu's gfx9 ring filler. */
#define VKFD_PM4_NOP_ONE		VKFD_PM4_HDR(VKFD_PM4_OP_NOP, 0x3fff)
#define VKFD_PM4_COUNT_MAX		0x3fff

#define VKFD_PM4_OP_NOP			0x10
#define VKFD_PM4_OP_DISPATCH_DIRECT	0x15
#define VKFD_PM4_OP_DISPATCH_INDIRECT	0x16
#define VKFD_PM4_OP_ATOMIC_MEM		0x1e
#define VKFD_PM4_OP_WRITE_DATA		0x37
#define VKFD_PM4_OP_WAIT_REG_MEM	0x3c
#define VKFD_PM4_OP_INDIRECT_BUFFER	0x3f
#define VKFD_PM4_OP_COPY_DATA		0x40
#define VKFD_PM4_OP_COND_WRITE		0x45
#define VKFD_PM4_OP_EVENT_WRITE		0x46
#define VKFD_PM4_OP_RELEASE_MEM		0x49
#define VKFD_PM4_OP_DMA_DATA		0x50
#define VKFD_PM4_OP_ACQUIRE_MEM		0x58
#define VKFD_PM4_OP_SET_CONFIG_REG	0x68
#define VKFD_PM4_OP_SET_CONTEXT_REG	0x69
#define VKFD_PM4_OP_SET_SH_REG		0x76
#define VKFD_PM4_OP_SET_UCONFIG_REG	0x79
#define VKFD_PM4_OP_WAIT_REG_MEM64	0x93
#define VKFD_PM4_OP_SET_SH_REG_INDEX	0x9b
#define VKFD_PM4_OP_QUERY_STATUS	0xa4

/* Packet lengths in dwords (the fixed part, for WRITE_DATA and SET_*) */
#define VKFD_PM4_NOP_DW			1
#define VKFD_PM4_WRITE_DATA_DW		4	/* + the data */
#define VKFD_PM4_RELEASE_MEM_DW		8
#define VKFD_PM4_WAIT_REG_MEM_DW	7
#define VKFD_PM4_WAIT_REG_MEM64_DW	9
#define VKFD_PM4_INDIRECT_BUFFER_DW	4
#define VKFD_PM4_ACQUIRE_MEM_DW		7
#define VKFD_PM4_EVENT_WRITE_DW		2
#define VKFD_PM4_QUERY_STATUS_DW	8
#define VKFD_PM4_SET_REG_DW		2	/* + the values */
#define VKFD_PM4_DISPATCH_DIRECT_DW	5
#define VKFD_PM4_DISPATCH_INDIRECT_DW	3
#define VKFD_PM4_COPY_DATA_DW		6
#define VKFD_PM4_ATOMIC_MEM_DW		9
#define VKFD_PM4_DMA_DATA_DW		7
#define VKFD_PM4_COND_WRITE_DW		9

/* WRITE_DATA control */
#define VKFD_PM4_WD_DST_SEL(s)		(((__u32)(s) & 0xf) << 8)
#define VKFD_PM4_WD_GET_DST_SEL(c)	(((c) >> 8) & 0xf)
#define VKFD_PM4_WD_DST_REG		0	/* a register: no effect */
#define VKFD_PM4_WD_DST_MEM_SYNC	1
#define VKFD_PM4_WD_DST_TC_L2		2
#define VKFD_PM4_WD_DST_MEM		5
#define VKFD_PM4_WD_ONE_ADDR		(1u << 16)	/* no address increment */
#define VKFD_PM4_WD_CONFIRM		(1u << 20)

/* RELEASE_MEM and EVENT_WRITE event dword */
#define VKFD_PM4_EVENT_TYPE(t)		((__u32)(t) & 0x3f)
#define VKFD_PM4_EVENT_INDEX(i)		(((__u32)(i) & 0xf) << 8)
#define VKFD_PM4_EVENT_GET_INDEX(e)	(((e) >> 8) & 0xf)
#define VKFD_PM4_EVENT_CACHE_FLUSH_AND_INV_TS	0x14
#define VKFD_PM4_EVENT_BOTTOM_OF_PIPE_TS	0x28
#define VKFD_PM4_EVENT_CS_PARTIAL_FLUSH		0x07
#define VKFD_PM4_EVENT_INDEX_OTHER		0
#define VKFD_PM4_EVENT_INDEX_PARTIAL_FLUSH	4
#define VKFD_PM4_EVENT_INDEX_EOP		5
#define VKFD_PM4_EVENT_INDEX_SHADER_DONE	6

/* RELEASE_MEM data control */
#define VKFD_PM4_RM_DST_SEL(s)		(((__u32)(s) & 3) << 16)
#define VKFD_PM4_RM_GET_DST_SEL(c)	(((c) >> 16) & 3)
#define VKFD_PM4_RM_DST_MC		0
#define VKFD_PM4_RM_DST_TC_L2		1
#define VKFD_PM4_RM_INT_SEL(s)		(((__u32)(s) & 7) << 24)
#define VKFD_PM4_RM_GET_INT_SEL(c)	(((c) >> 24) & 7)
#define VKFD_PM4_RM_INT_NONE		0
#define VKFD_PM4_RM_INT_ONLY		1
#define VKFD_PM4_RM_INT_AFTER_CONFIRM	2
#define VKFD_PM4_RM_INT_DATA_CONFIRM	3	/* data, no interrupt */
#define VKFD_PM4_RM_INT_CTXID		4	/* unconditionally */
#define VKFD_PM4_RM_DATA_SEL(s)		(((__u32)(s) & 7) << 29)
#define VKFD_PM4_RM_GET_DATA_SEL(c)	(((c) >> 29) & 7)
#define VKFD_PM4_RM_DATA_NONE		0
#define VKFD_PM4_RM_DATA_32		1
#define VKFD_PM4_RM_DATA_64		2
#define VKFD_PM4_RM_DATA_GPU_CLOCK	3

/* WAIT_REG_MEM control */
#define VKFD_PM4_WRM_FUNC(f)		((__u32)(f) & 7)
#define VKFD_PM4_WRM_GET_FUNC(c)	((c) & 7)
/* func: 0 always, 1 <, 2 <=, 3 ==, 4 !=, 5 >=, 6 > ((value & mask) op ref) */
#define VKFD_PM4_WRM_FUNC_ALWAYS	0
#define VKFD_PM4_WRM_FUNC_EQUAL		3
#define VKFD_PM4_WRM_FUNC_GT		6
#define VKFD_PM4_WRM_MEM		(1u << 4)
#define VKFD_PM4_WRM_GET_SPACE(c)	(((c) >> 4) & 3)
#define VKFD_PM4_WRM_GET_OPERATION(c)	(((c) >> 6) & 3)
#define VKFD_PM4_WRM_INTERVAL_MASK	0xffff

/* INDIRECT_BUFFER control */
#define VKFD_PM4_IB_SIZE_MASK		0xfffff
#define VKFD_PM4_IB_CHAIN		(1u << 20)
#define VKFD_PM4_IB_VALID		(1u << 23)

/* QUERY_STATUS control */
#define VKFD_PM4_QS_CONTEXT_ID_MASK	0x0fffffff
#define VKFD_PM4_QS_INT_SEL(s)		(((__u32)(s) & 3) << 28)
#define VKFD_PM4_QS_GET_INT_SEL(c)	(((c) >> 28) & 3)
#define VKFD_PM4_QS_COMMAND(c)		(((__u32)(c) & 3) << 30)
#define VKFD_PM4_QS_GET_COMMAND(c)	((c) >> 30)
#define VKFD_PM4_QS_INTERRUPT_ONLY	0
#define VKFD_PM4_QS_FENCE		1
#define VKFD_PM4_QS_FENCE_AFTER_ACK	2
#define VKFD_PM4_QS_FENCE_INTERRUPT	3

/* COPY_DATA control */
#define VKFD_PM4_CD_SRC_SEL(s)		((__u32)(s) & 0xf)
#define VKFD_PM4_CD_GET_SRC_SEL(c)	((c) & 0xf)
#define VKFD_PM4_CD_DST_SEL(s)		(((__u32)(s) & 0xf) << 8)
#define VKFD_PM4_CD_GET_DST_SEL(c)	(((c) >> 8) & 0xf)
#define VKFD_PM4_CD_REG			0	/* src or dst: a register */
#define VKFD_PM4_CD_MEM_SYNC		1	/* src or dst: memory */
#define VKFD_PM4_CD_TC_L2		2	/* src or dst: memory */
#define VKFD_PM4_CD_SRC_IMM		5	/* the src dwords themselves */
#define VKFD_PM4_CD_SRC_ATOMIC_RTN	6
#define VKFD_PM4_CD_SRC_GPU_CLOCK	9	/* GET_CLOCK_COUNTERS' gpu clock */
#define VKFD_PM4_CD_SRC_SYS_CLOCK	10	/* ... and system clock */
#define VKFD_PM4_CD_DST_MEM		5	/* dst: memory */
#define VKFD_PM4_CD_COUNT_64		(1u << 16)	/* 64 bits, else 32 */
#define VKFD_PM4_CD_CONFIRM		(1u << 20)

/* ATOMIC_MEM control: the TC_OP codes are SDMA's (<linux/vkfd_sdma.h>) */
#define VKFD_PM4_AM_ATOMIC(op)		((__u32)(op) & 0x7f)
#define VKFD_PM4_AM_GET_ATOMIC(c)	((c) & 0x7f)
#define VKFD_PM4_AM_COMMAND(c)		(((__u32)(c) & 0xf) << 8)
#define VKFD_PM4_AM_GET_COMMAND(c)	(((c) >> 8) & 0xf)
#define VKFD_PM4_AM_SINGLE_PASS		0
#define VKFD_PM4_AM_LOOP		1	/* CMPSWAP until it swaps */
#define VKFD_PM4_AM_WAIT_CONFIRM	2
#define VKFD_PM4_AM_SEND_CONTINUE	3
#define VKFD_PM4_AM_INTERVAL_MASK	0x1fff

/* COND_WRITE control: the function is WAIT_REG_MEM's (VKFD_PM4_WRM_FUNC) */
#define VKFD_PM4_CW_POLL_MEM		(1u << 4)	/* else a register */
#define VKFD_PM4_CW_WRITE_SPACE(s)	(((__u32)(s) & 3) << 8)
#define VKFD_PM4_CW_GET_WRITE_SPACE(c)	(((c) >> 8) & 3)
#define VKFD_PM4_CW_SPACE_REG		0
#define VKFD_PM4_CW_SPACE_MEM		1
#define VKFD_PM4_CW_CONFIRM		(1u << 20)

/* DMA_DATA control */
#define VKFD_PM4_DMA_DST_SEL(s)		(((__u32)(s) & 3) << 20)
#define VKFD_PM4_DMA_GET_DST_SEL(c)	(((c) >> 20) & 3)
#define VKFD_PM4_DMA_SRC_SEL(s)		(((__u32)(s) & 3) << 29)
#define VKFD_PM4_DMA_GET_SRC_SEL(c)	(((c) >> 29) & 3)
#define VKFD_PM4_DMA_SEL_DAS		0	/* src or dst: memory (SAS/DAS) */
#define VKFD_PM4_DMA_SEL_GDS		1
#define VKFD_PM4_DMA_SRC_DATA		2	/* src: fill with the data dword */
#define VKFD_PM4_DMA_DST_NOWHERE	2	/* dst: none (a prefetch) */
#define VKFD_PM4_DMA_SEL_L2		3	/* src or dst: memory */
#define VKFD_PM4_DMA_CP_SYNC		(1u << 31)
/* DMA_DATA command */
#define VKFD_PM4_DMA_COUNT_MASK		0x3ffffff	/* bytes */
#define VKFD_PM4_DMA_SAS		(1u << 26)	/* src is a register */
#define VKFD_PM4_DMA_DAS		(1u << 27)	/* dst is a register */
#define VKFD_PM4_DMA_SAIC		(1u << 28)	/* src does not advance */
#define VKFD_PM4_DMA_DAIC		(1u << 29)	/* dst does not advance */
#define VKFD_PM4_DMA_RAW_WAIT		(1u << 30)
#define VKFD_PM4_DMA_DIS_WC		(1u << 31)

static inline __u32 vkfd_pm4_pkt_lo(__u64 va)
{
	return (__u32)va;
}

static inline __u32 vkfd_pm4_pkt_hi(__u64 va)
{
	return (__u32)(va >> 32);
}

/*
 * The encoders: each writes one packet at @dw and returns its length in
 * dwords. Counts are masked to their field, as the engine decodes them.
 */

/* NOP of @n dwords in all (1 .. 0x4000), the skipped ones 0. */
static inline __u32 vkfd_pm4_pkt_nop(__u32 *dw, __u32 n)
{
	__u32 i;

	if (n <= 1) {
		dw[0] = VKFD_PM4_NOP_ONE;
		return 1;
	}
	dw[0] = VKFD_PM4_HDR(VKFD_PM4_OP_NOP, n - 2);
	for (i = 1; i < n; i++)
		dw[i] = 0;
	return n;
}

/*
 * WRITE_DATA of the @n dwords at @data to memory at @dst, with
 * confirmation; @one_addr: all of them to @dst (no address increment).
 */
static inline __u32 vkfd_pm4_pkt_write_data(__u32 *dw, __u64 dst,
					    const __u32 *data, __u32 n,
					    int one_addr)
{
	__u32 i;

	dw[0] = VKFD_PM4_HDR(VKFD_PM4_OP_WRITE_DATA,
			     VKFD_PM4_WRITE_DATA_DW - 2 + n);
	dw[1] = VKFD_PM4_WD_DST_SEL(VKFD_PM4_WD_DST_MEM) |
		VKFD_PM4_WD_CONFIRM | (one_addr ? VKFD_PM4_WD_ONE_ADDR : 0);
	dw[2] = vkfd_pm4_pkt_lo(dst);
	dw[3] = vkfd_pm4_pkt_hi(dst);
	for (i = 0; i < n; i++)
		dw[VKFD_PM4_WRITE_DATA_DW + i] = data[i];
	return VKFD_PM4_WRITE_DATA_DW + n;
}

/*
 * RELEASE_MEM at the end of the pipe: @data_sel (VKFD_PM4_RM_DATA_*) of
 * @data to @addr, then @int_sel (VKFD_PM4_RM_INT_*) with @int_ctxid.
 */
static inline __u32 vkfd_pm4_pkt_release_mem(__u32 *dw, __u32 data_sel,
					     __u32 int_sel, __u64 addr,
					     __u64 data, __u32 int_ctxid)
{
	dw[0] = VKFD_PM4_HDR(VKFD_PM4_OP_RELEASE_MEM,
			     VKFD_PM4_RELEASE_MEM_DW - 2);
	dw[1] = VKFD_PM4_EVENT_TYPE(VKFD_PM4_EVENT_CACHE_FLUSH_AND_INV_TS) |
		VKFD_PM4_EVENT_INDEX(VKFD_PM4_EVENT_INDEX_EOP);
	dw[2] = VKFD_PM4_RM_DST_SEL(VKFD_PM4_RM_DST_MC) |
		VKFD_PM4_RM_INT_SEL(int_sel) | VKFD_PM4_RM_DATA_SEL(data_sel);
	dw[3] = vkfd_pm4_pkt_lo(addr);
	dw[4] = vkfd_pm4_pkt_hi(addr);
	dw[5] = vkfd_pm4_pkt_lo(data);
	dw[6] = vkfd_pm4_pkt_hi(data);
	dw[7] = int_ctxid;
	return VKFD_PM4_RELEASE_MEM_DW;
}

/*
 * WAIT_REG_MEM on memory: wait until (the dword at @addr & @mask) @func
 * @ref (VKFD_PM4_WRM_FUNC_*), polling every @interval.
 */
static inline __u32 vkfd_pm4_pkt_wait_mem(__u32 *dw, __u64 addr, __u32 func,
					  __u32 ref, __u32 mask,
					  __u32 interval)
{
	dw[0] = VKFD_PM4_HDR(VKFD_PM4_OP_WAIT_REG_MEM,
			     VKFD_PM4_WAIT_REG_MEM_DW - 2);
	dw[1] = VKFD_PM4_WRM_FUNC(func) | VKFD_PM4_WRM_MEM;
	dw[2] = vkfd_pm4_pkt_lo(addr);
	dw[3] = vkfd_pm4_pkt_hi(addr);
	dw[4] = ref;
	dw[5] = mask;
	dw[6] = interval & VKFD_PM4_WRM_INTERVAL_MASK;
	return VKFD_PM4_WAIT_REG_MEM_DW;
}

/* WAIT_REG_MEM64: as vkfd_pm4_pkt_wait_mem() on the u64 at @addr. */
static inline __u32 vkfd_pm4_pkt_wait_mem64(__u32 *dw, __u64 addr,
					    __u32 func, __u64 ref, __u64 mask,
					    __u32 interval)
{
	dw[0] = VKFD_PM4_HDR(VKFD_PM4_OP_WAIT_REG_MEM64,
			     VKFD_PM4_WAIT_REG_MEM64_DW - 2);
	dw[1] = VKFD_PM4_WRM_FUNC(func) | VKFD_PM4_WRM_MEM;
	dw[2] = vkfd_pm4_pkt_lo(addr);
	dw[3] = vkfd_pm4_pkt_hi(addr);
	dw[4] = vkfd_pm4_pkt_lo(ref);
	dw[5] = vkfd_pm4_pkt_hi(ref);
	dw[6] = vkfd_pm4_pkt_lo(mask);
	dw[7] = vkfd_pm4_pkt_hi(mask);
	dw[8] = interval & VKFD_PM4_WRM_INTERVAL_MASK;
	return VKFD_PM4_WAIT_REG_MEM64_DW;
}

/* INDIRECT_BUFFER: execute the @ndw dwords of packets at @ib. */
static inline __u32 vkfd_pm4_pkt_ib(__u32 *dw, __u64 ib, __u32 ndw)
{
	dw[0] = VKFD_PM4_HDR(VKFD_PM4_OP_INDIRECT_BUFFER,
			     VKFD_PM4_INDIRECT_BUFFER_DW - 2);
	dw[1] = vkfd_pm4_pkt_lo(ib);
	dw[2] = vkfd_pm4_pkt_hi(ib) & 0xffff;
	dw[3] = (ndw & VKFD_PM4_IB_SIZE_MASK) | VKFD_PM4_IB_VALID;
	return VKFD_PM4_INDIRECT_BUFFER_DW;
}

/* ACQUIRE_MEM of the whole address space, all caches (amdgpu's). */
static inline __u32 vkfd_pm4_pkt_acquire_mem(__u32 *dw)
{
	dw[0] = VKFD_PM4_HDR(VKFD_PM4_OP_ACQUIRE_MEM,
			     VKFD_PM4_ACQUIRE_MEM_DW - 2);
	dw[1] = 0x28c00000;	/* TC, TCL1, SH_KCACHE, SH_ICACHE actions */
	dw[2] = 0xffffffff;
	dw[3] = 0xff;
	dw[4] = 0;
	dw[5] = 0;
	dw[6] = 0xa;
	return VKFD_PM4_ACQUIRE_MEM_DW;
}

/* EVENT_WRITE of @type with @index (VKFD_PM4_EVENT_*). */
static inline __u32 vkfd_pm4_pkt_event_write(__u32 *dw, __u32 type,
					     __u32 index)
{
	dw[0] = VKFD_PM4_HDR(VKFD_PM4_OP_EVENT_WRITE,
			     VKFD_PM4_EVENT_WRITE_DW - 2);
	dw[1] = VKFD_PM4_EVENT_TYPE(type) | VKFD_PM4_EVENT_INDEX(index);
	return VKFD_PM4_EVENT_WRITE_DW;
}

/*
 * QUERY_STATUS @command (VKFD_PM4_QS_*): the u64 @data to @addr and/or
 * an interrupt with @context_id.
 */
static inline __u32 vkfd_pm4_pkt_query_status(__u32 *dw, __u32 command,
					      __u32 context_id, __u64 addr,
					      __u64 data)
{
	dw[0] = VKFD_PM4_HDR(VKFD_PM4_OP_QUERY_STATUS,
			     VKFD_PM4_QUERY_STATUS_DW - 2);
	dw[1] = (context_id & VKFD_PM4_QS_CONTEXT_ID_MASK) |
		VKFD_PM4_QS_COMMAND(command);
	dw[2] = 0;
	dw[3] = vkfd_pm4_pkt_lo(addr);
	dw[4] = vkfd_pm4_pkt_hi(addr);
	dw[5] = vkfd_pm4_pkt_lo(data);
	dw[6] = vkfd_pm4_pkt_hi(data);
	return VKFD_PM4_QUERY_STATUS_DW;
}

/* SET_*_REG (@op) of @n values at register offset @reg, all @value. */
static inline __u32 vkfd_pm4_pkt_set_reg(__u32 *dw, __u32 op, __u32 reg,
					 __u32 value, __u32 n)
{
	__u32 i;

	dw[0] = VKFD_PM4_HDR(op, n);
	dw[1] = reg;
	for (i = 0; i < n; i++)
		dw[VKFD_PM4_SET_REG_DW + i] = value;
	return VKFD_PM4_SET_REG_DW + n;
}

/* DISPATCH_DIRECT of @x x @y x @z workgroups. */
static inline __u32 vkfd_pm4_pkt_dispatch(__u32 *dw, __u32 x, __u32 y,
					  __u32 z)
{
	dw[0] = VKFD_PM4_HDR(VKFD_PM4_OP_DISPATCH_DIRECT,
			     VKFD_PM4_DISPATCH_DIRECT_DW - 2);
	dw[1] = x;
	dw[2] = y;
	dw[3] = z;
	dw[4] = 1;	/* COMPUTE_DISPATCH_INITIATOR: compute_shader_en */
	return VKFD_PM4_DISPATCH_DIRECT_DW;
}

/*
 * COPY_DATA of 32 bits (64 with @wide) from @src_sel (VKFD_PM4_CD_*) at
 * @src - the data itself for VKFD_PM4_CD_SRC_IMM - to memory at @dst,
 * with confirmation.
 */
static inline __u32 vkfd_pm4_pkt_copy_data(__u32 *dw, __u32 src_sel,
					   __u64 src, __u64 dst, int wide)
{
	dw[0] = VKFD_PM4_HDR(VKFD_PM4_OP_COPY_DATA,
			     VKFD_PM4_COPY_DATA_DW - 2);
	dw[1] = VKFD_PM4_CD_SRC_SEL(src_sel) |
		VKFD_PM4_CD_DST_SEL(VKFD_PM4_CD_DST_MEM) |
		(wide ? VKFD_PM4_CD_COUNT_64 : 0) | VKFD_PM4_CD_CONFIRM;
	dw[2] = vkfd_pm4_pkt_lo(src);
	dw[3] = vkfd_pm4_pkt_hi(src);
	dw[4] = vkfd_pm4_pkt_lo(dst);
	dw[5] = vkfd_pm4_pkt_hi(dst);
	return VKFD_PM4_COPY_DATA_DW;
}

/*
 * ATOMIC_MEM @op (a TC_OP code, VKFD_SDMA_ATOMIC_*) on the 4 or 8 bytes
 * at @addr with @src and @cmp; @command VKFD_PM4_AM_*, retrying a
 * VKFD_PM4_AM_LOOP every @interval.
 */
static inline __u32 vkfd_pm4_pkt_atomic_mem(__u32 *dw, __u32 op,
					    __u32 command, __u64 addr,
					    __u64 src, __u64 cmp,
					    __u32 interval)
{
	dw[0] = VKFD_PM4_HDR(VKFD_PM4_OP_ATOMIC_MEM,
			     VKFD_PM4_ATOMIC_MEM_DW - 2);
	dw[1] = VKFD_PM4_AM_ATOMIC(op) | VKFD_PM4_AM_COMMAND(command);
	dw[2] = vkfd_pm4_pkt_lo(addr);
	dw[3] = vkfd_pm4_pkt_hi(addr);
	dw[4] = vkfd_pm4_pkt_lo(src);
	dw[5] = vkfd_pm4_pkt_hi(src);
	dw[6] = vkfd_pm4_pkt_lo(cmp);
	dw[7] = vkfd_pm4_pkt_hi(cmp);
	dw[8] = interval & VKFD_PM4_AM_INTERVAL_MASK;
	return VKFD_PM4_ATOMIC_MEM_DW;
}

/*
 * DMA_DATA of @bytes from memory at @src to memory at @dst, through L2,
 * as amdgpu's and ROCm's CP DMA copies; @command adds VKFD_PM4_DMA_SAIC,
 * _DAIC, _RAW_WAIT or _DIS_WC.
 */
static inline __u32 vkfd_pm4_pkt_dma_copy(__u32 *dw, __u64 src, __u64 dst,
					  __u32 bytes, __u32 command)
{
	dw[0] = VKFD_PM4_HDR(VKFD_PM4_OP_DMA_DATA, VKFD_PM4_DMA_DATA_DW - 2);
	dw[1] = VKFD_PM4_DMA_SRC_SEL(VKFD_PM4_DMA_SEL_L2) |
		VKFD_PM4_DMA_DST_SEL(VKFD_PM4_DMA_SEL_L2) |
		VKFD_PM4_DMA_CP_SYNC;
	dw[2] = vkfd_pm4_pkt_lo(src);
	dw[3] = vkfd_pm4_pkt_hi(src);
	dw[4] = vkfd_pm4_pkt_lo(dst);
	dw[5] = vkfd_pm4_pkt_hi(dst);
	dw[6] = (bytes & VKFD_PM4_DMA_COUNT_MASK) | command;
	return VKFD_PM4_DMA_DATA_DW;
}

/* DMA_DATA filling @bytes of memory at @dst with the dword @data. */
static inline __u32 vkfd_pm4_pkt_dma_fill(__u32 *dw, __u32 data, __u64 dst,
					  __u32 bytes)
{
	dw[0] = VKFD_PM4_HDR(VKFD_PM4_OP_DMA_DATA, VKFD_PM4_DMA_DATA_DW - 2);
	dw[1] = VKFD_PM4_DMA_SRC_SEL(VKFD_PM4_DMA_SRC_DATA) |
		VKFD_PM4_DMA_DST_SEL(VKFD_PM4_DMA_SEL_L2) |
		VKFD_PM4_DMA_CP_SYNC;
	dw[2] = data;
	dw[3] = 0;
	dw[4] = vkfd_pm4_pkt_lo(dst);
	dw[5] = vkfd_pm4_pkt_hi(dst);
	dw[6] = bytes & VKFD_PM4_DMA_COUNT_MASK;
	return VKFD_PM4_DMA_DATA_DW;
}

/*
 * COND_WRITE: if (the dword at @poll & @mask) @func @ref
 * (VKFD_PM4_WRM_FUNC_*), write @data to memory at @dst, with
 * confirmation.
 */
static inline __u32 vkfd_pm4_pkt_cond_write(__u32 *dw, __u64 poll,
					    __u32 func, __u32 ref, __u32 mask,
					    __u64 dst, __u32 data)
{
	dw[0] = VKFD_PM4_HDR(VKFD_PM4_OP_COND_WRITE,
			     VKFD_PM4_COND_WRITE_DW - 2);
	dw[1] = VKFD_PM4_WRM_FUNC(func) | VKFD_PM4_CW_POLL_MEM |
		VKFD_PM4_CW_WRITE_SPACE(VKFD_PM4_CW_SPACE_MEM) |
		VKFD_PM4_CW_CONFIRM;
	dw[2] = vkfd_pm4_pkt_lo(poll);
	dw[3] = vkfd_pm4_pkt_hi(poll);
	dw[4] = ref;
	dw[5] = mask;
	dw[6] = vkfd_pm4_pkt_lo(dst);
	dw[7] = vkfd_pm4_pkt_hi(dst);
	dw[8] = data;
	return VKFD_PM4_COND_WRITE_DW;
}

#endif /* _UAPI_LINUX_VKFD_PM4_H */
