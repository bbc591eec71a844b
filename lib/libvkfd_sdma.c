// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libvkfd - SDMA v4 packet encoders.
 *
 * Each encoder writes one packet at @dw in the layout of
 * include/uapi/linux/vkfd_sdma.h (AMD's vega10_sdma_pkt_open.h; the dword
 * sequences are those sdma_v4_0.c emits) and returns its length in dwords.
 * Counts are encoded as the packets want them, minus one and masked to
 * their field: a caller that asks for more than a field holds gets a
 * packet that does less, never one that spills into the next dword.
 *
 * The encoders of the packets vkfd executes for ROCm's runtime (ATOMIC,
 * COPY_LINEAR_RECT, register polls, dword fills) are static inline in
 * <linux/vkfd_sdma.h>, vkfd_sdma_pkt_*(): the kernel's KUnit tests use
 * the same ones.
 */
#include <stdint.h>

#include <linux/vkfd_sdma.h>

#include "libvkfd.h"

static inline uint32_t vkfd_sdma_lo(uint64_t va)
{
	return (uint32_t)va;
}

static inline uint32_t vkfd_sdma_hi(uint64_t va)
{
	return (uint32_t)(va >> 32);
}

uint32_t vkfd_sdma_nop(uint32_t *dw)
{
	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_NOP, 0);
	return VKFD_SDMA_NOP_DW;
}

uint32_t vkfd_sdma_copy_linear(uint32_t *dw, uint64_t dst, uint64_t src,
			       uint32_t bytes)
{
	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_COPY,
				 VKFD_SDMA_SUBOP_COPY_LINEAR);
	dw[1] = (bytes - 1) & VKFD_SDMA_COPY_COUNT_MASK;
	dw[2] = 0;	/* no endian swap */
	dw[3] = vkfd_sdma_lo(src);
	dw[4] = vkfd_sdma_hi(src);
	dw[5] = vkfd_sdma_lo(dst);
	dw[6] = vkfd_sdma_hi(dst);
	return VKFD_SDMA_COPY_LINEAR_DW;
}

uint32_t vkfd_sdma_write_linear(uint32_t *dw, uint64_t dst,
				const uint32_t *data, uint32_t n)
{
	uint32_t i;

	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_WRITE,
				 VKFD_SDMA_SUBOP_WRITE_LINEAR);
	dw[1] = vkfd_sdma_lo(dst);
	dw[2] = vkfd_sdma_hi(dst);
	dw[3] = (n - 1) & VKFD_SDMA_WRITE_COUNT_MASK;
	for (i = 0; i < n; i++)
		dw[VKFD_SDMA_WRITE_LINEAR_DW + i] = data[i];
	return VKFD_SDMA_WRITE_LINEAR_DW + n;
}

uint32_t vkfd_sdma_const_fill(uint32_t *dw, uint64_t dst, uint32_t value,
			      uint32_t bytes)
{
	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_CONST_FILL, 0);
	dw[1] = vkfd_sdma_lo(dst);
	dw[2] = vkfd_sdma_hi(dst);
	dw[3] = value;
	dw[4] = (bytes - 1) & VKFD_SDMA_FILL_COUNT_MASK;
	return VKFD_SDMA_CONST_FILL_DW;
}

uint32_t vkfd_sdma_fence(uint32_t *dw, uint64_t dst, uint32_t value)
{
	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_FENCE, 0);
	dw[1] = vkfd_sdma_lo(dst);
	dw[2] = vkfd_sdma_hi(dst);
	dw[3] = value;
	return VKFD_SDMA_FENCE_DW;
}

uint32_t vkfd_sdma_trap(uint32_t *dw, uint32_t int_ctx)
{
	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_TRAP, 0);
	dw[1] = int_ctx & VKFD_SDMA_TRAP_INT_CONTEXT_MASK;
	return VKFD_SDMA_TRAP_DW;
}

uint32_t vkfd_sdma_timestamp(uint32_t *dw, uint64_t dst)
{
	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_TIMESTAMP,
				 VKFD_SDMA_SUBOP_TIMESTAMP_GET_GLOBAL);
	dw[1] = vkfd_sdma_lo(dst);
	dw[2] = vkfd_sdma_hi(dst);
	return VKFD_SDMA_TIMESTAMP_DW;
}

uint32_t vkfd_sdma_poll_regmem(uint32_t *dw, uint64_t addr, uint32_t ref,
			       uint32_t mask, uint16_t interval,
			       uint16_t retries)
{
	dw[0] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_POLL_REGMEM, 0) |
		VKFD_SDMA_POLL_MEM |
		VKFD_SDMA_POLL_FUNC(VKFD_SDMA_POLL_FUNC_EQUAL);
	dw[1] = vkfd_sdma_lo(addr);
	dw[2] = vkfd_sdma_hi(addr);
	dw[3] = ref;
	dw[4] = mask;
	dw[5] = VKFD_SDMA_POLL_DW5(interval, retries);
	return VKFD_SDMA_POLL_REGMEM_DW;
}
