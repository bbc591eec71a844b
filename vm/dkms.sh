# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# vkfd.ko built by DKMS, as users get it (`make dkms`, dkms.conf), for a
# lane to load instead of the `make module` one. Sourced after vm/lib.sh.
#
# The build happens in a private DKMS tree, $VKFD_CACHE/kbuild/dkms-<kernel>:
# the host's /var/lib/dkms and /usr/src are neither read nor written, and
# nothing needs `make dkms` to have run. dkms 3.0 signs modules where it
# finds the kernel's sign-file, with a key it makes in /var/lib/dkms unless
# told otherwise: here a key is made in each private tree (the guests'
# kernels do not enforce signatures, so an unknown key loads as an
# unsigned module does).

# Build vkfd.ko with `dkms build` for one kernel and copy it (uncompressed)
# into MODDIR.
#   $1 KABI    the kernel's release (uname -r)
#   $2 KDIR    its build directory (headers)
#   $3 MODDIR  where vkfd.ko goes (created)
#   $4 LOG     all output
# Returns non-zero (the log says why) if dkms fails, or skips the kernel
# (dkms.conf's BUILD_EXCLUSIVE_*), or makes no vkfd.ko.
dkms_build_module() {
	local kabi=$1 kdir=$2 moddir=$3 log=$4
	local version tree src out ko
	local -a opts

	version=$(cat "$VKFD_SRC/VERSION")
	# A path the same for every clone, so that ccache recognises the
	# compiler's command lines (see kbuild_stage in vm/lib.sh); the lock
	# keeps another work tree's run out while this one builds. Called in
	# a subshell of its own (vm/run.sh's once), which releases it.
	tree=$VKFD_CACHE/kbuild/dkms-$kabi
	mkdir -p "$tree"
	exec 7>"$VKFD_CACHE/kbuild/dkms-$kabi.lock"
	flock 7
	opts=(--dkmstree "$tree/dkms" --sourcetree "$tree/src"
	      --installtree "$tree/install")
	mkdir -p "$(dirname "$log")" "$moddir"
	: >"$log"
	command -v dkms >/dev/null || {
		echo "dkms is not installed (vm/setup-host.sh installs it)" >>"$log"
		return 1
	}
	rm -rf "$tree"
	mkdir -p "$tree/dkms" "$tree/src" "$tree/install"
	src=$("$VKFD_SRC/dist/dkms.sh" stage "$tree/src" 2>>"$log") || return 1
	(
		set -e
		# -Werror as in every build of the harness (kernel/Kbuild reads
		# VKFD_WERROR from the environment); a user's DKMS build warns
		export VKFD_WERROR=y
		export sign_file=$kdir/scripts/sign-file
		export mok_signing_key=$tree/mok.key mok_certificate=$tree/mok.pub
		echo "dkms add/build vkfd/$version from $src for $kabi ($kdir)"
		dkms add -m vkfd -v "$version" "${opts[@]}"
		dkms build -m vkfd -v "$version" -k "$kabi" --kernelsourcedir "$kdir" \
			"${opts[@]}"
	) >>"$log" 2>&1 || {
		# dkms leaves the compiler's output in the build directory
		[ ! -f "$tree/dkms/vkfd/$version/build/make.log" ] ||
			cat "$tree/dkms/vkfd/$version/build/make.log" >>"$log"
		return 1
	}

	# <dkms tree>/vkfd/<version>/<kernel>/<arch>/module/vkfd.ko, compressed
	# as the kernel's own modules are on this host, if it has them.
	out=$tree/dkms/vkfd/$version/$kabi/$(uname -m)/module
	rm -f "$moddir/vkfd.ko"
	for ko in "$out"/vkfd.ko "$out"/vkfd.ko.xz "$out"/vkfd.ko.gz "$out"/vkfd.ko.zst; do
		[ -f "$ko" ] || continue
		case $ko in
		*.ko) cp "$ko" "$moddir/vkfd.ko" ;;
		*.xz) xz -dc "$ko" >"$moddir/vkfd.ko" ;;
		*.gz) gzip -dc "$ko" >"$moddir/vkfd.ko" ;;
		*.zst) zstd -qdc "$ko" >"$moddir/vkfd.ko" ;;
		esac
		break
	done
	if [ ! -s "$moddir/vkfd.ko" ]; then
		echo "dkms build made no vkfd.ko in $out" >>"$log"
		rm -f "$moddir/vkfd.ko"
		return 1
	fi
	echo "vkfd.ko: $moddir/vkfd.ko" >>"$log"
}
