# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Shared by the rocm lane's guest scripts (busybox sh): TAP output in the
# form vm/report.py counts (one "ok N - name" line per check, the plan
# last) and the lane's module parameters. Sourced, not run.
# shellcheck shell=sh disable=SC2034 # the variables are for the scripts that source it

ROCM_BIN=/vkfd/rocm
TAP_N=0
TAP_FAILS=0

# check STATUS NAME: one check, passed when STATUS is 0.
check() {
	TAP_N=$((TAP_N + 1))
	if [ "$1" = 0 ]; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAILS=$((TAP_FAILS + 1))
	fi
}

# diag FILE: a file's lines as TAP comments.
diag() {
	sed 's/^/# /' "$1"
}

# merge PREFIX FILE: the checks of another program's TAP in FILE, as
# checks of ours named "PREFIX: name"; comments pass through. A plan that
# is missing or larger than what ran is a failed check of its own.
merge() {
	prefix=$1
	file=$2
	plan=
	ran=0
	while IFS= read -r line; do
		case $line in
		"ok "* | "not ok "*)
			ran=$((ran + 1))
			name=$(echo "$line" | sed -E 's/^(not )?ok [0-9]+( -)? ?//')
			case $line in
			ok*) check 0 "$prefix: $name" ;;
			*) check 1 "$prefix: $name" ;;
			esac
			;;
		1..*) plan=${line#1..} ;;
		*) echo "# $line" ;;
		esac
	done <"$file"
	[ -n "$plan" ] && [ "$ran" -ge "$plan" ]
	check $? "$prefix: a complete TAP run (plan ${plan:-none}, ran $ran)"
}

# done_tap: the plan; exit status 1 if any check failed.
done_tap() {
	echo "1..$TAP_N"
	[ "$TAP_FAILS" = 0 ]
	exit $?
}

# NUM_GPUS and VRAM_MB from the module's parameters (vm/init exports
# VKFD_MODULE_PARAMS); the module's defaults otherwise.
NUM_GPUS=1
VRAM_MB=1024
for p in $VKFD_MODULE_PARAMS; do
	case $p in
	num_gpus=*) NUM_GPUS=${p#num_gpus=} ;;
	vram_mb=*) VRAM_MB=${p#vram_mb=} ;;
	esac
done

# wait_file FILE SECONDS PID: wait until FILE exists; fails when PID
# exits first or after SECONDS.
wait_file() {
	i=0
	while [ ! -e "$1" ]; do
		kill -0 "$3" 2>/dev/null || return 1
		[ "$i" -lt $(($2 * 10)) ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
}
