#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# A bench item: run "$@" and print its stderr after its stdout, each line
# once with its count (libdrm's and ROCr's complaints, once per hsa_init),
# not between the rows of its tables.
"$@" 2>/tmp/stderr-last.err
rc=$?
if [ -s /tmp/stderr-last.err ]; then
	echo "$(basename "$1")'s stderr:"
	sort /tmp/stderr-last.err | uniq -c
fi
exit $rc
