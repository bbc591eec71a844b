#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# A bench item: run "$@" with debugfs unmounted, then mount it again.
# vkfd creates a context's debugfs entries whether or not debugfs is
# mounted anywhere (the kernel keeps its own internal mount): ctxbench's
# memory phase run this way shows what they cost.
if ! umount /sys/kernel/debug 2>/dev/null; then
	echo "debugfs could not be unmounted: skipped"
	exit 0
fi
"$@"
rc=$?
mount -t debugfs debugfs /sys/kernel/debug
exit $rc
