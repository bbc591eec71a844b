#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Build the debug lane's kernel from Debian's linux-source-6.1: tinyconfig
# plus vm/debug.config (KASAN, lockdep, kmemleak, KFENCE, fault injection,
# KUnit, DRM/vgem, MMU notifiers, HMM). Prints the O= build directory,
# which holds arch/x86/boot/bzImage and is ready for out-of-tree module
# builds (`make -C <dir> M=...`).
#
# The result is cached under $VKFD_CACHE/debug-kernel/<key>, where the key
# is the linux-source package version plus the sha256 of debug.config and
# of this script: changing either rebuilds, anything else reuses it.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FRAGMENT=$VM_DIR/debug.config

srcver=$(linux_source_version)
hash=$(cat "$FRAGMENT" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16)
top=$VKFD_CACHE/debug-kernel
dir=$top/$srcver-$hash
out=$dir/out
log=$dir/build.log

# One build at a time: a second run (another work tree, say) waits here
# and then finds the finished kernel instead of deleting a build in
# progress.
mkdir -p "$top"
exec 9>"$top/.lock"
flock 9

if [ -e "$dir/.done" ]; then
	touch "$dir/.done"      # marks it recently used, for the pruning below
	echo "$out"
	exit 0
fi

# An earlier attempt with this key is incomplete: start it over. Of the
# builds for other keys (a changed config or script; 2 GB each) keep the
# two used last, for work trees that are on another version.
rm -rf "$dir"
# shellcheck disable=SC2012 # names are ours: <version>-<hash>
stale=$(ls -t "$top"/*/.done 2>/dev/null | tail -n +3 || true)
for done in $stale; do
	rm -rf "$(dirname "$done")"
done
# Unfinished builds of other keys are left by runs that died; one whose
# log is still being written belongs to a run that did not take the lock
# (an older copy of this script): leave that one alone.
for other in "$top"/*/; do
	other=${other%/}
	if [ "$other" = "$dir" ] || [ -e "$other/.done" ]; then
		continue
	fi
	if [ -z "$(find "$other" "$other/build.log" -maxdepth 0 -mmin -30 2>/dev/null)" ]; then
		rm -rf "$other"
	fi
done
mkdir -p "$dir"
start=$(now)
msg "building the debug kernel (linux-source $srcver, config $hash; about 5-10 min on 2 cores; log: $log)"

fail() {
	echo "---- last lines of $log ----" >&2
	tail -n 30 "$log" >&2
	die "debug kernel build failed: $*"
}

tar -xf "$LINUX_SOURCE_TAR" -C "$dir" >>"$log" 2>&1 || fail "cannot extract $LINUX_SOURCE_TAR"
mv "$dir/linux-source-6.1" "$dir/src"
src=$dir/src

# MMU_NOTIFIER and HMM_MIRROR are hidden symbols (`bool` with no prompt):
# in-tree drivers `select` them, but an out-of-tree module cannot, and
# pulling in a driver (KVM, amdgpu, nouveau) just for its select would cost
# minutes of build time. Giving them a prompt makes them settable from the
# config fragment; nothing else about them changes.
for sym in MMU_NOTIFIER HMM_MIRROR; do
	sed -i "/^config $sym\$/,/^\$/ s/^\tbool\$/\tbool \"$sym (made selectable for vkfd)\"/" \
		"$src/mm/Kconfig"
	grep -q "bool \"$sym (made selectable" "$src/mm/Kconfig" ||
		fail "could not give $sym a prompt in mm/Kconfig"
done

# tinyconfig, then the fragment on top, then let Kconfig fill in the rest.
make -C "$src" O="$out" tinyconfig >>"$log" 2>&1 || fail "make tinyconfig"
(cd "$src" && ./scripts/kconfig/merge_config.sh -m -O "$out" "$out/.config" "$FRAGMENT") \
	>>"$log" 2>&1 || fail "merge_config.sh"
make -C "$src" O="$out" olddefconfig >>"$log" 2>&1 || fail "make olddefconfig"

# olddefconfig silently drops what has unmet dependencies: insist that
# every line of the fragment survived.
dropped=()
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		grep -qxF "$line" "$out/.config" || dropped+=("$line")
		;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }
		sym=${sym%% *}
		! grep -q "^$sym=" "$out/.config" || dropped+=("$line")
		;;
	esac
done <"$FRAGMENT"
if [ "${#dropped[@]}" -ne 0 ]; then
	for line in "${dropped[@]}"; do
		sym=${line#\# }
		sym=${sym%%[= ]*}
		echo "  wanted: $line   got: $(grep -E "^(# )?${sym}[= ]" "$out/.config" || echo absent)" >&2
	done
	die "debug kernel: ${#dropped[@]} option(s) of vm/debug.config did not survive olddefconfig"
fi

# bzImage for qemu; `modules` (nothing but vkfd is modular) writes
# Module.symvers, so modpost checks vkfd's symbols; modules_prepare makes
# the tree usable for M= builds.
make -C "$src" O="$out" -j"$(nproc)" bzImage modules >>"$log" 2>&1 || fail "make bzImage modules"
make -C "$src" O="$out" modules_prepare >>"$log" 2>&1 || fail "make modules_prepare"
[ -f "$out/arch/x86/boot/bzImage" ] || fail "no bzImage"
[ -f "$out/Module.symvers" ] || fail "no Module.symvers"

touch "$dir/.done"
msg "debug kernel built in $(($(now) - start)) s"
echo "$out"
