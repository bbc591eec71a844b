// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libvkfd - SDMA v4 packet encoders.
 *
 * libvkfd's entry points over the one set of encoders, the static inline
 * vkfd_sdma_pkt_*() of <linux/vkfd_sdma.h> (AMD's vega10_sdma_pkt_open.h
 * layout; the dword sequences are those sdma_v4_0.c emits), which the
 * kernel's KUnit tests and the selftests use too. Each writes one packet
 * at @dw and returns its length in dwords.
 */
#include <stdint.h>

#include <linux/vkfd_sdma.h>

#include "libvkfd.h"

uint32_t vkfd_sdma_nop(uint32_t *dw)
{
	return vkfd_sdma_pkt_nop(dw, 0);
}

uint32_t vkfd_sdma_copy_linear(uint32_t *dw, uint64_t dst, uint64_t src,
			       uint32_t bytes)
{
	return vkfd_sdma_pkt_copy(dw, dst, src, bytes);
}

uint32_t vkfd_sdma_write_linear(uint32_t *dw, uint64_t dst,
				const uint32_t *data, uint32_t n)
{
	uint32_t i, hdr = vkfd_sdma_pkt_write(dw, dst, n);

	for (i = 0; i < n; i++)
		dw[hdr + i] = data[i];
	return hdr + n;
}

uint32_t vkfd_sdma_const_fill(uint32_t *dw, uint64_t dst, uint32_t value,
			      uint32_t bytes)
{
	return vkfd_sdma_pkt_fill(dw, dst, value, bytes);
}

uint32_t vkfd_sdma_fence(uint32_t *dw, uint64_t dst, uint32_t value)
{
	return vkfd_sdma_pkt_fence(dw, dst, value);
}

uint32_t vkfd_sdma_trap(uint32_t *dw, uint32_t int_ctx)
{
	return vkfd_sdma_pkt_trap(dw, int_ctx);
}

uint32_t vkfd_sdma_timestamp(uint32_t *dw, uint64_t dst)
{
	return vkfd_sdma_pkt_timestamp(dw, dst);
}

uint32_t vkfd_sdma_poll_regmem(uint32_t *dw, uint64_t addr, uint32_t ref,
			       uint32_t mask, uint16_t interval,
			       uint16_t retries)
{
	return vkfd_sdma_pkt_poll(dw, addr, VKFD_SDMA_POLL_FUNC_EQUAL, ref,
				  mask, interval, retries);
}
