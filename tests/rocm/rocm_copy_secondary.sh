#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# rocm_copy_secondary: rocm_copy under `vkfdctl run --secondary`, which
# makes the program's /dev/kfd a secondary context of its process. While
# the program holds (rocm_copy -w) after its copies, sysfs must show its
# GPU VM (pasid), queues and VRAM in proc/<pid>/context_<id>, none in the
# primary's proc/<pid>; after it exits, proc/<pid> must be gone.
# shellcheck source=tests/rocm/rocm_lib.sh # /vkfd/rocm in the guest
. /vkfd/rocm/rocm_lib.sh

kfd=/sys/class/kfd/kfd
rm -f ready ready.go
"$VKFD_VKFDCTL" run --secondary -- "$ROCM_BIN/rocm_copy" -m 1M -w "$PWD/ready" \
	>run.log 2>&1 </dev/null &
prog=$!
wait_file ready 300 "$prog"
check $? "rocm_copy under vkfdctl run --secondary reaches its hold point"
pid=$(cat ready 2>/dev/null)
dir=$kfd/proc/${pid:-none}

ctxs=$(ls -d "$dir"/context_* 2>/dev/null)
[ -n "$pid" ] && [ "$(echo "$ctxs" | grep -c .)" = 1 ]
check $? "proc/$pid has exactly one secondary context ($(echo "$ctxs" | sed "s|$dir/||" | tr '\n' ' '))"
ctx=$(echo "$ctxs" | head -n 1)

# A context's pasid file: the PASID of its VM on the first GPU, 0 without.
[ "$(cat "$dir/pasid" 2>/dev/null)" = 0 ]
check $? "the primary proc/$pid has no GPU VM (pasid $(cat "$dir/pasid" 2>/dev/null))"
p=$(cat "$ctx/pasid" 2>/dev/null)
[ -n "$p" ] && [ "$p" != 0 ]
check $? "the secondary has the program's GPU VM (pasid $p)"
[ -d "$dir/queues" ] && [ -z "$(ls "$dir/queues" 2>/dev/null)" ]
check $? "the primary proc/$pid has no queues"
# shellcheck disable=SC2012 # queue ids: names without spaces
[ -n "$ctx" ] && [ -n "$(ls "$ctx/queues" 2>/dev/null)" ]
# shellcheck disable=SC2012 # queue ids
check $? "the secondary has the program's queues ($(ls "$ctx/queues" 2>/dev/null | tr '\n' ' '))"

bad=0
n=0
for f in "$dir"/vram_*; do
	[ -f "$f" ] || continue
	[ "$(cat "$f")" = 0 ] || bad=1
	n=$((n + 1))
done
[ -d "$dir" ] && [ "$bad" = 0 ]
check $? "the primary holds no VRAM ($(cat "$dir"/vram_* 2>/dev/null | tr '\n' ' '))"
n=0
for f in "$ctx"/vram_*; do
	[ -f "$f" ] || continue
	[ "$(cat "$f")" -ge 1048576 ] && n=$((n + 1))
done
[ "$n" = "$NUM_GPUS" ]
check $? "the secondary holds the program's VRAM on all $NUM_GPUS GPUs ($(cat "$ctx"/vram_* 2>/dev/null | tr '\n' ' '))"

touch ready.go
wait "$prog"
st=$?
merge "rocm_copy" run.log
check "$st" "vkfdctl run --secondary -- rocm_copy exits with status 0 ($st)"
[ -n "$pid" ] && [ ! -e "$dir" ]
check $? "proc/$pid is gone after the program exits"
done_tap
