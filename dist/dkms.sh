#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# vkfd and DKMS (README "Install"):
#
#   dist/dkms.sh stage DIR  copy what DKMS needs into DIR/vkfd-<version>
#                           and print that directory: dkms.conf (its
#                           #MODULE_VERSION# replaced by VERSION), VERSION,
#                           the module's sources (kernel/) and the uAPI
#                           headers they include (include/uapi/linux/)
#   dist/dkms.sh install    `make dkms`: stage into /usr/src, register with
#                           dkms, build and install for every kernel whose
#                           headers are present; again, it starts afresh
#   dist/dkms.sh remove     `make dkms-remove`: unregister every version of
#                           vkfd (uninstalling it from every kernel) and
#                           delete its sources in /usr/src
#
# vm/dkms.sh uses `stage` for its private DKMS builds.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NAME=vkfd
VERSION=$(cat "$REPO/VERSION")
SRCTREE=/usr/src

msg() { printf 'vkfd: %s\n' "$*" >&2; }
die() { printf 'vkfd: error: %s\n' "$*" >&2; exit 1; }

# The sources only: a module built in kernel/ by hand leaves objects there.
cmd_stage() {
	local dir=$1/$NAME-$VERSION f
	rm -rf "$dir"
	mkdir -p "$dir/include/uapi/linux"
	(cd "$REPO" && find kernel -type f \( -name '*.[ch]' -o -name Kbuild \)) |
		while read -r f; do
			install -D -m 0644 "$REPO/$f" "$dir/$f"
		done
	install -m 0644 "$REPO"/include/uapi/linux/*.h "$dir/include/uapi/linux/"
	install -m 0644 "$REPO/VERSION" "$dir/VERSION"
	sed "s/#MODULE_VERSION#/$VERSION/" "$REPO/dkms.conf" >"$dir/dkms.conf"
	grep -q "^PACKAGE_VERSION=\"$VERSION\"\$" "$dir/dkms.conf" ||
		die "$dir/dkms.conf: no PACKAGE_VERSION=\"$VERSION\""
	echo "$dir"
}

# uname -r of the kernel of headers $1 (Debian's kernel.release holds the
# upstream version, 6.1.192, not 6.1.0-57-amd64).
uts_release() {
	sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$1/include/generated/utsrelease.h" 2>/dev/null
}

# "<kernel release> <headers>" of every kernel whose headers are present:
# /lib/modules/<release>/build (what Debian's linux-headers packages and
# most distributions make), and a /usr/src/linux-headers-<release> of
# Debian's without that link whose UTS_RELEASE matches its name.
kernels() {
	local d k
	local -A seen=()
	for d in /lib/modules/*/build; do
		[ -f "$d/Makefile" ] || continue
		k=$(basename "$(dirname "$d")")
		seen[$k]=1
		echo "$k $d"
	done
	for d in /usr/src/linux-headers-*; do
		[ -f "$d/.config" ] || continue
		k=$(uts_release "$d")
		if [ "$d" = "/usr/src/linux-headers-$k" ] && [ -z "${seen[$k]:-}" ]; then
			echo "$k $d"
		fi
	done
}

# Every version of vkfd dkms knows ("vkfd/0.1.0, 6.1.0-57-amd64, x86_64:
# installed", "vkfd/0.1.0: added").
registered() {
	dkms status -m "$NAME" | sed -n "s|^$NAME/\\([^,:]*\\)[,:].*|\\1|p" | sort -u
}

need_root_and_dkms() {
	[ "$(id -u)" -eq 0 ] ||
		die "DKMS installs into $SRCTREE, /var/lib/dkms and /lib/modules: run as root (sudo make $1)"
	command -v dkms >/dev/null ||
		die "dkms is not installed (apt-get install dkms; make deps does)"
}

cmd_remove() {
	local v d
	need_root_and_dkms dkms-remove
	for v in $(registered); do
		msg "dkms remove $NAME/$v (every kernel)"
		dkms remove -m "$NAME" -v "$v" --all
	done
	for d in "$SRCTREE/$NAME"-*; do
		if [ -f "$d/dkms.conf" ] && grep -qx "PACKAGE_NAME=\"$NAME\"" "$d/dkms.conf"; then
			msg "removing $d"
			rm -rf "$d"
		fi
	done
}

cmd_install() {
	local k kdir rc built=() skipped=() failed=()
	need_root_and_dkms dkms
	# Afresh: a second run installs today's sources, not the old build.
	cmd_remove
	cmd_stage "$SRCTREE" >/dev/null
	dkms add -m "$NAME" -v "$VERSION"
	while read -r k kdir; do
		rc=0
		dkms build -m "$NAME" -v "$VERSION" -k "$k" --kernelsourcedir "$kdir" </dev/null || rc=$?
		case $rc in
		0)
			if dkms install -m "$NAME" -v "$VERSION" -k "$k" --kernelsourcedir "$kdir" </dev/null; then
				built+=("$k")
			else
				failed+=("$k")
			fi
			;;
		# BUILD_EXCLUSIVE_* of dkms.conf: too old, or no DRM
		77) skipped+=("$k") ;;
		*) failed+=("$k") ;;
		esac
	done < <(kernels)

	[ "${#skipped[@]}" -eq 0 ] ||
		msg "not for vkfd (dkms.conf's BUILD_EXCLUSIVE_*): ${skipped[*]}"
	[ "${#failed[@]}" -eq 0 ] ||
		die "dkms build or install of $NAME/$VERSION failed for ${failed[*]} (logs: /var/lib/dkms/$NAME/$VERSION/build/make.log)"
	[ "${#built[@]}" -ne 0 ] ||
		die "$NAME/$VERSION is registered, but no kernel's headers were found to build for (install linux-headers-\$(uname -r)); dkms will build it for the next kernel installed"
	msg "$NAME/$VERSION installed by dkms for ${built[*]}; modprobe $NAME loads it"
}

case ${1:-} in
stage)
	[ $# -eq 2 ] || die "usage: $0 stage DIR"
	cmd_stage "$2"
	;;
install) cmd_install ;;
remove) cmd_remove ;;
*) die "usage: $0 stage DIR | install | remove" ;;
esac
