#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# A bench item: what the numbers were measured on.
echo "guest: Linux $(uname -r), $(nproc) vCPU(s)," \
	"$(sed -n 's/^MemTotal: *//p' /proc/meminfo) RAM," \
	"clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
echo "guest command line: $(cat /proc/cmdline)"
echo "vkfd loaded as $VKFD_MODNAME.ko: $VKFD_MODULE_PARAMS"
if [ "$VKFD_EXPECT_AMDKFD" = 1 ]; then
	echo "amdgpu: no AMD GPU, amdkfd with a CPU-only topology"
fi
