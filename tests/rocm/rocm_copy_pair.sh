#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# rocm_copy_pair: two rocm_copy processes at once, each with its own
# KFD process, GPU VMs and SDMA queues; both must pass every check.
# shellcheck source=tests/rocm/rocm_lib.sh # /vkfd/rocm in the guest
. /vkfd/rocm/rocm_lib.sh

"$ROCM_BIN/rocm_copy" >a.log 2>&1 </dev/null &
a=$!
"$ROCM_BIN/rocm_copy" >b.log 2>&1 </dev/null &
b=$!
wait "$a"
sa=$?
wait "$b"
sb=$?
merge "process A" a.log
check "$sa" "process A exits with status 0 ($sa)"
merge "process B" b.log
check "$sb" "process B exits with status 0 ($sb)"
done_tap
