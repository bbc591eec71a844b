// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - the PM4 packets of compute queues that only touch memory:
 * COPY_DATA, ATOMIC_MEM, DMA_DATA and COND_WRITE.
 */

/**
 * DOC: PM4 memory packets
 *
 * The gfx9 MEC packets that read and write memory and nothing else, as
 * amdgpu's soc15d.h and AMD's MEC packet headers lay them out. Each runs
 * under the context's mem_lock, every address through the queue's GPU
 * VM; a fault halts the queue (%VKFD_SDMA_FAULT) as any packet's, and a
 * selector vkfd does not model halts it as an invalid packet before
 * anything is read or written. vkfd has no registers, GDS or performance
 * counters: a packet that would read one is invalid (a value nobody
 * holds must not reach memory), one that would only write one does
 * nothing, as WRITE_DATA to a register (vkfd_pm4.c).
 *
 * COPY_DATA copies 32 bits, or 64 with count_sel, to memory (dst_sel 1,
 * 2 or 5) from memory (src_sel 1 or 2), from the packet itself (5,
 * immediate), or from a clock: 9 the GPU clock, 10 the system clock,
 * as GET_CLOCK_COUNTERS reports them. Addresses ignore their low 2 bits
 * (3 for 64 bits). wr_confirm and the cache policies are accepted:
 * writes are synchronous. dst_sel 0 (a register) reads the source and
 * writes nothing.
 *
 * ATOMIC_MEM applies a TC atomic (the codes of SDMA's ATOMIC, the same
 * arithmetic: vkfd_sdma_alu()) to the 32- or 64-bit value at addr, which
 * must be aligned to its size. The return variants do nothing more: the
 * value before goes nowhere vkfd models. Command 1 retries a CMPSWAP
 * until it swaps, parking the queue on the packet between tries as
 * WAIT_REG_MEM does (loop_interval x 10 ns, forever); the other commands
 * (single pass, wait for confirmation, send and continue) are one pass,
 * and so is command 1 with another operation. Commands 4..15 are invalid.
 *
 * DMA_DATA is the CP's DMA: byte_count (26 bits) bytes from memory
 * (src_sel 0 or 3) to memory (dst_sel 0 or 3), or the data dword
 * (src_sel 2) filled over them, as SDMA's COPY_LINEAR and CONST_FILL:
 * in chunks that count against the slice's budget, resumed where the
 * last slice left them (&vkfd_sdma_qstate.pkt_done, or
 * &vkfd_sdma_qstate.sub_done in an indirect buffer, whose pkt_done is
 * the buffer's). A fill needs a dword-aligned destination and whole
 * dwords. SAIC and DAIC (the source, or the destination, does not
 * advance) move dwords: byte_count a multiple of 4, the address that
 * stays ignoring its low 2 bits; with SAIC alone the source dword is
 * filled over a dword-aligned destination, with DAIC only the last
 * dword sent stays at the destination, so only it is read and written.
 * dst_sel 2 (nowhere, a prefetch) does nothing. byte_count 0 does
 * nothing. SAS or DAS (a register), GDS (src_sel or dst_sel 1) are
 * invalid. cp_sync, raw_wait, dis_wc, the engine and the cache policies
 * are accepted: the engine runs one packet at a time.
 *
 * COND_WRITE reads the dword at poll (poll_space memory) once and, if
 * (value & mask) function reference holds (WAIT_REG_MEM's functions),
 * writes the data dword at the write address (write_space memory); it
 * does not wait. Both addresses ignore their low 2 bits. write_space 0
 * (a register) writes nothing; a register poll is invalid unless the
 * function is "always"; function 7 and write_space 2 (scratch) and 3 are
 * invalid.
 */
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/timekeeping.h>

#include <linux/vkfd_pm4.h>

#include "vkfd_pm4.h"
#include "vkfd_queue.h"
#include "vkfd_sdma.h"
#include "vkfd_vm_access.h"

/* Write the @len low bytes of @val at @va, after everything before it. */
static int vkfd_pm4_put(struct vkfd_queue *q, struct vkfd_sdma_run *run,
			u64 va, u64 val, size_t len)
{
	__le64 raw = cpu_to_le64(val);

	/* Data must not pass the data of the packets before it. */
	smp_wmb();
	if (vkfd_vm_write_locked(q->vm, va, &raw, len, &run->fault))
		return VKFD_SDMA_FAULT;
	run->budget -= len;
	return VKFD_SDMA_NEXT;
}

/* Read the @len (4 or 8) bytes at @va into *@val. */
static int vkfd_pm4_get(struct vkfd_queue *q, struct vkfd_sdma_run *run,
			u64 va, u64 *val, size_t len)
{
	__le64 raw = 0;

	if (vkfd_vm_read_locked(q->vm, va, &raw, len, &run->fault))
		return VKFD_SDMA_FAULT;
	*val = le64_to_cpu(raw);
	return VKFD_SDMA_NEXT;
}

/**
 * vkfd_pm4_copy_data() - execute a COPY_DATA
 * @q: the queue
 * @run: the slice
 * @p: the packet
 *
 * See "PM4 memory packets" above.
 *
 * Context: The engine executing @q, with its &vkfd_ctx.mem_lock held.
 * Return: VKFD_SDMA_NEXT when done, %VKFD_SDMA_FAULT, or
 * %VKFD_SDMA_INVALID for a selector vkfd does not execute.
 */
int vkfd_pm4_copy_data(struct vkfd_queue *q, struct vkfd_sdma_run *run,
		       const struct vkfd_pm4_pkt *p)
{
	u32 ctl = p->dw[1];
	u32 dst_sel = VKFD_PM4_CD_GET_DST_SEL(ctl);
	size_t len = ctl & VKFD_PM4_CD_COUNT_64 ? 8 : 4;
	u32 amask = ~(u32)(len - 1);
	u64 val;
	int st;

	switch (dst_sel) {
	case VKFD_PM4_CD_REG:
	case VKFD_PM4_CD_MEM_SYNC:
	case VKFD_PM4_CD_TC_L2:
	case VKFD_PM4_CD_DST_MEM:
		break;
	default:
		/* GDS, performance counters, registers of other kinds */
		return VKFD_SDMA_INVALID;
	}

	switch (VKFD_PM4_CD_GET_SRC_SEL(ctl)) {
	case VKFD_PM4_CD_MEM_SYNC:
	case VKFD_PM4_CD_TC_L2:
		st = vkfd_pm4_get(q, run,
				  vkfd_pm4_addr(p->dw[2] & amask, p->dw[3]),
				  &val, len);
		if (st != VKFD_SDMA_NEXT)
			return st;
		break;
	case VKFD_PM4_CD_SRC_IMM:
		val = vkfd_pm4_addr(p->dw[2], p->dw[3]);
		break;
	case VKFD_PM4_CD_SRC_GPU_CLOCK:
		val = ktime_get_raw_ns();
		break;
	case VKFD_PM4_CD_SRC_SYS_CLOCK:
		val = ktime_get_boottime_ns();
		break;
	default:
		/*
		 * Registers, GDS, performance counters, atomic return
		 * data: values vkfd does not hold.
		 */
		return VKFD_SDMA_INVALID;
	}
	if (dst_sel == VKFD_PM4_CD_REG)
		return VKFD_SDMA_NEXT;
	return vkfd_pm4_put(q, run, vkfd_pm4_addr(p->dw[4] & amask, p->dw[5]),
			    val, len);
}

/**
 * vkfd_pm4_atomic_mem() - execute an ATOMIC_MEM
 * @q: the queue
 * @run: the slice
 * @p: the packet
 *
 * See "PM4 memory packets" above.
 *
 * Context: The engine executing @q, with its &vkfd_ctx.mem_lock held.
 * Return: VKFD_SDMA_NEXT when done; %VKFD_SDMA_POLL while a looping
 * CMPSWAP waits to be tried again; %VKFD_SDMA_FAULT; %VKFD_SDMA_INVALID
 * for an operation or command vkfd does not execute or a misaligned
 * address.
 */
int vkfd_pm4_atomic_mem(struct vkfd_queue *q, struct vkfd_sdma_run *run,
			const struct vkfd_pm4_pkt *p)
{
	u32 ctl = p->dw[1];
	u32 code = VKFD_PM4_AM_GET_ATOMIC(ctl);
	u32 cmd = VKFD_PM4_AM_GET_COMMAND(ctl);
	struct vkfd_sdma_alu a = {
		.op = code & 0x1f,
		.bits = code & VKFD_SDMA_ATOMIC_64 ? 64 : 32,
		.src = vkfd_pm4_addr(p->dw[4], p->dw[5]),
		.cmp = vkfd_pm4_addr(p->dw[6], p->dw[7]),
	};

	if (cmd > VKFD_PM4_AM_SEND_CONTINUE)
		return VKFD_SDMA_INVALID;
	return vkfd_sdma_alu_exec(q, run, vkfd_pm4_addr(p->dw[2], p->dw[3]),
				  &a, cmd == VKFD_PM4_AM_LOOP,
				  p->dw[8] & VKFD_PM4_AM_INTERVAL_MASK, false);
}

/*
 * DMA_DATA with SAIC or DAIC, but not SAIC alone: one dword moves (the
 * others would be overwritten at the destination that stays).
 */
static int vkfd_pm4_dma_dword(struct vkfd_queue *q, struct vkfd_sdma_run *run,
			      const struct vkfd_pm4_pkt *p, u64 total)
{
	u32 cmd = p->dw[6];
	u64 src = vkfd_pm4_addr(p->dw[2], p->dw[3]);
	u64 val = p->dw[2];
	int st;

	if (VKFD_PM4_DMA_GET_SRC_SEL(p->dw[1]) != VKFD_PM4_DMA_SRC_DATA) {
		src = cmd & VKFD_PM4_DMA_SAIC ? src & ~3ULL : src + total - 4;
		st = vkfd_pm4_get(q, run, src, &val, 4);
		if (st != VKFD_SDMA_NEXT)
			return st;
	}
	return vkfd_pm4_put(q, run, vkfd_pm4_addr(p->dw[4] & ~3u, p->dw[5]),
			    val, 4);
}

/* DMA_DATA's chunk from @done on: copy, fill, or a source that stays. */
static int vkfd_pm4_dma_chunk(struct vkfd_queue *q, struct vkfd_sdma_run *run,
			      const struct vkfd_pm4_pkt *p, u64 done,
			      u64 chunk, u64 *n)
{
	u64 src = vkfd_pm4_addr(p->dw[2], p->dw[3]);
	u64 dst = vkfd_pm4_addr(p->dw[4], p->dw[5]);
	u64 val = p->dw[2];
	int st;

	*n = 0;
	if (VKFD_PM4_DMA_GET_SRC_SEL(p->dw[1]) != VKFD_PM4_DMA_SRC_DATA) {
		if (!(p->dw[6] & VKFD_PM4_DMA_SAIC))
			return vkfd_vm_copy_locked(q->vm, dst + done,
						   src + done, chunk, n,
						   &run->fault);
		/* Read again each slice: the source may be changing. */
		st = vkfd_pm4_get(q, run, src & ~3ULL, &val, 4);
		if (st != VKFD_SDMA_NEXT)
			return -EFAULT;
	}
	return vkfd_vm_fill_locked(q->vm, dst + done, val, chunk, n,
				   &run->fault);
}

/**
 * vkfd_pm4_dma_data() - execute (a slice of) a DMA_DATA
 * @q: the queue
 * @run: the slice
 * @p: the packet
 *
 * See "PM4 memory packets" above. Validated before anything is read or
 * written.
 *
 * Context: The engine executing @q, with its &vkfd_ctx.mem_lock held.
 * Return: VKFD_SDMA_NEXT when done; %VKFD_SDMA_BUDGET with more to do
 * in the next slice; %VKFD_SDMA_FAULT; %VKFD_SDMA_INVALID for a selector
 * vkfd does not execute or a misaligned dword transfer.
 */
int vkfd_pm4_dma_data(struct vkfd_queue *q, struct vkfd_sdma_run *run,
		      const struct vkfd_pm4_pkt *p)
{
	u32 ctl = p->dw[1], cmd = p->dw[6];
	u32 src_sel = VKFD_PM4_DMA_GET_SRC_SEL(ctl);
	u32 dst_sel = VKFD_PM4_DMA_GET_DST_SEL(ctl);
	bool fill = src_sel == VKFD_PM4_DMA_SRC_DATA;
	u64 dst = vkfd_pm4_addr(p->dw[4], p->dw[5]);
	u64 total = cmd & VKFD_PM4_DMA_COUNT_MASK;
	u64 *done = p->src->ib ? &q->sdma.sub_done : &q->sdma.pkt_done;
	u64 n;
	int ret;

	if (src_sel == VKFD_PM4_DMA_SEL_GDS || dst_sel == VKFD_PM4_DMA_SEL_GDS ||
	    (!fill && (cmd & VKFD_PM4_DMA_SAS)))
		return VKFD_SDMA_INVALID;
	if (dst_sel == VKFD_PM4_DMA_DST_NOWHERE || !total)
		return VKFD_SDMA_NEXT;
	if (cmd & VKFD_PM4_DMA_DAS)
		return VKFD_SDMA_INVALID;
	/* Dwords: a fill, or an address that does not advance */
	if ((fill || (cmd & (VKFD_PM4_DMA_SAIC | VKFD_PM4_DMA_DAIC))) &&
	    (total & 3))
		return VKFD_SDMA_INVALID;
	if (cmd & VKFD_PM4_DMA_DAIC)
		return vkfd_pm4_dma_dword(q, run, p, total);
	if ((fill || (cmd & VKFD_PM4_DMA_SAIC)) && (dst & 3))
		return VKFD_SDMA_INVALID;

	*done = min(*done, total);
	/* The data must not pass the data of the packets before it. */
	smp_wmb();
	ret = vkfd_pm4_dma_chunk(q, run, p, *done,
				 vkfd_sdma_chunk(run, total - *done), &n);
	run->budget -= n;
	*done += n;
	if (ret)
		return VKFD_SDMA_FAULT;
	if (*done < total)
		return VKFD_SDMA_BUDGET;
	*done = 0;
	return VKFD_SDMA_NEXT;
}

/**
 * vkfd_pm4_cond_write() - execute a COND_WRITE
 * @q: the queue
 * @run: the slice
 * @p: the packet
 *
 * See "PM4 memory packets" above.
 *
 * Context: The engine executing @q, with its &vkfd_ctx.mem_lock held.
 * Return: VKFD_SDMA_NEXT when done (written or not), %VKFD_SDMA_FAULT,
 * or %VKFD_SDMA_INVALID for a function or space vkfd does not execute.
 */
int vkfd_pm4_cond_write(struct vkfd_queue *q, struct vkfd_sdma_run *run,
			const struct vkfd_pm4_pkt *p)
{
	u32 ctl = p->dw[1];
	u32 func = VKFD_PM4_WRM_GET_FUNC(ctl);
	u32 space = VKFD_PM4_CW_GET_WRITE_SPACE(ctl);
	u64 val = 0;
	int st;

	if (func > VKFD_PM4_WRM_FUNC_GT || space > VKFD_PM4_CW_SPACE_MEM)
		return VKFD_SDMA_INVALID;
	if (ctl & VKFD_PM4_CW_POLL_MEM) {
		st = vkfd_pm4_get(q, run,
				  vkfd_pm4_addr(p->dw[2] & ~3u, p->dw[3]),
				  &val, 4);
		if (st != VKFD_SDMA_NEXT)
			return st;
	} else if (func != VKFD_PM4_WRM_FUNC_ALWAYS) {
		/* A register vkfd does not hold */
		return VKFD_SDMA_INVALID;
	}
	if (!vkfd_pm4_compare(func, val & p->dw[5], p->dw[4]) ||
	    space == VKFD_PM4_CW_SPACE_REG)
		return VKFD_SDMA_NEXT;
	return vkfd_pm4_put(q, run, vkfd_pm4_addr(p->dw[6] & ~3u, p->dw[7]),
			    p->dw[8], 4);
}
