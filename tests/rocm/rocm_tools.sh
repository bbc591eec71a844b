#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# rocm_tools: Debian's unmodified ROCm tools on the lane's GPUs.
#   rocminfo                exit 0, nothing on stderr, one CPU agent and
#                           NUM_GPUS gfx900 agents, each with a VRAM pool
#                           of VRAM_MB and a marketing name
#   rocm_agent_enumerator   gfx000, then gfx900 once per GPU
#   rocm-smi                NUM_GPUS GPUs; with rocm_hsakmt holding
#                           64 MiB of VRAM and a queue, --showpids lists
#                           its pid, name, one GPU and that VRAM
# shellcheck source=tests/rocm/rocm_lib.sh # /vkfd/rocm in the guest
. /vkfd/rocm/rocm_lib.sh

# --- rocminfo ---------------------------------------------------------------
rocminfo >rocminfo.out 2>rocminfo.err </dev/null
st=$?
check "$st" "rocminfo exits with status 0 ($st)"
[ ! -s rocminfo.err ]
check $? "rocminfo prints nothing on stderr"
[ ! -s rocminfo.err ] || diag rocminfo.err
# One line per agent: type, name, VRAM pool (KiB), marketing name.
awk '
function flush() { if (type != "") print type "|" name "|" pool "|" mkt; type = name = pool = mkt = ""; coarse = 0 }
function val(s) { sub(/^[^:]*:[ \t]*/, "", s); sub(/[ \t]+$/, "", s); return s }
/^Agent [0-9]+/ { flush(); inagent = 1; next }
!inagent { next }
/^  Name:/ && name == "" { name = val($0) }
/^  Marketing Name:/ { mkt = val($0) }
/^  Device Type:/ { type = val($0) }
/Segment:.*GLOBAL; FLAGS: COARSE GRAINED/ && pool == "" { coarse = 1 }
/^ *Size:/ && coarse { s = val($0); sub(/\(.*/, "", s); pool = s; coarse = 0 }
END { flush() }' rocminfo.out >agents.txt
diag agents.txt
[ "$(grep -c '^CPU|' agents.txt)" = 1 ]
check $? "rocminfo: exactly one CPU agent"
[ "$(grep -c '^GPU|gfx900|' agents.txt)" = "$NUM_GPUS" ] &&
	[ "$(grep -c '^GPU|' agents.txt)" = "$NUM_GPUS" ]
check $? "rocminfo: $NUM_GPUS GPU agents, all gfx900"
[ "$(grep -c "^GPU|gfx900|$((VRAM_MB * 1024))|" agents.txt)" = "$NUM_GPUS" ]
check $? "rocminfo: every GPU has a VRAM pool of $VRAM_MB MiB"
[ "$(grep '^GPU|' agents.txt | grep -vc '|$')" = "$NUM_GPUS" ]
check $? "rocminfo: every GPU has a marketing name"

# --- rocm_agent_enumerator ----------------------------------------------
want=gfx000
i=0
while [ "$i" -lt "$NUM_GPUS" ]; do
	want="$want gfx900"
	i=$((i + 1))
done
got=$(rocm_agent_enumerator 2>&1 </dev/null | tr '\n' ' ' | sed 's/ *$//')
[ "$got" = "$want" ]
check $? "rocm_agent_enumerator prints $want ($got)"

# --- rocm-smi ----------------------------------------------------------------
rocm-smi --showid >smi.out 2>&1 </dev/null
st=$?
diag smi.out
n=$(grep -o '^GPU\[[0-9]*\]' smi.out | sort -u | grep -c .)
[ "$st" = 0 ] && [ "$n" = "$NUM_GPUS" ]
check $? "rocm-smi --showid lists $NUM_GPUS GPUs ($n, status $st)"

rm -f hold
"$ROCM_BIN/rocm_hsakmt" -H "$PWD/hold" >hold.log 2>&1 </dev/null &
holder=$!
wait_file hold 120 "$holder"
check $? "rocm_hsakmt holds 64 MiB of VRAM and an SDMA queue"
pid=$(cat hold 2>/dev/null)
rocm-smi --showpids >pids.out 2>&1 </dev/null
st=$?
diag pids.out
# PID, PROCESS NAME, GPU(s), VRAM USED, SDMA USED, CU OCCUPANCY
row=$(awk -v pid="${pid:-none}" '$1 == pid' pids.out)
echo "# row: $row"
# shellcheck disable=SC2086 # one word per column
set -- $row
check "$st" "rocm-smi --showpids exits with status 0 ($st)"
[ -n "$pid" ] && [ "$1" = "$pid" ]
check $? "rocm-smi --showpids lists the holder's pid ($pid)"
[ "$2" = rocm_hsakmt ]
check $? "... with its name ($2)"
[ "$3" = 1 ]
check $? "... using one GPU ($3)"
[ -n "$4" ] && [ "$4" -ge 67108864 ] 2>/dev/null
check $? "... and at least the 64 MiB of VRAM it holds ($4 bytes)"
rm -f hold
wait "$holder"
st=$?
check "$st" "the holder exits with status 0 ($st)"
[ "$st" = 0 ] || diag hold.log
done_tap
