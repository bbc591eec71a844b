#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# rocm_copy_polled: rocm_copy with plain, polled signals
# (HSA_ENABLE_INTERRUPT=0): ROCr's SDMA copies then end with the ATOMIC
# decrement alone, without the FENCE and TRAP of an interrupt signal.
# Sizes up to 16 MiB (the 64 MiB copies run in rocm_copy).
exec /vkfd/rocm/rocm_copy -P -m 16M
