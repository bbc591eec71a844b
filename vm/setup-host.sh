#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Install, idempotently, every Debian package vkfd's build and test lanes
# need. Packages already installed cost nothing; nothing is installed by hand.
set -euo pipefail

pkgs=(
	# DKMS (make dkms, vm/dkms.sh), and Debian 12's 6.12 headers: the
	# metapackage depends on the newest 6.12 ABI, as linux-headers-amd64
	# does on 6.1's.
	dkms linux-headers-6.12-amd64
	build-essential bc bison flex libelf-dev libssl-dev dwarves
	kmod cpio busybox-static qemu-system-x86 xz-utils zstd rsync
	linux-headers-amd64 linux-source-6.1 linux-source-6.12 sparse perl
	python3 libc6-dev ccache mmdebstrap
	# make lint (vm/lint.sh): the scripts' linters, and docutils for docs/
	shellcheck pyflakes3 python3-docutils
)

# One dpkg-query for all (make check comes here every time); a package it
# does not know is missing too.
declare -A installed=()
while read -r p status; do
	[ "$status" != installed ] || installed[$p]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${pkgs[@]}" 2>/dev/null || true)
missing=()
for p in "${pkgs[@]}"; do
	[ -n "${installed[$p]:-}" ] || missing+=("$p")
done

if [ "${#missing[@]}" -ne 0 ]; then
	echo "vkfd: installing ${missing[*]}"
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	# Through env(1): sudo drops the caller's environment.
	apt_env=(DEBIAN_FRONTEND=noninteractive)
	# Debian's 6.12 headers depend on the 6.12 image, whose install
	# hook and initramfs-tools' trigger build its initramfs: 150 s of a
	# fresh machine's 190 s here. A host that does not boot Debian's
	# kernels (a container, a VM started with an outside kernel: no
	# /boot/vmlinuz-$(uname -r)) never boots that image, so the hook
	# is told not to (INITRD=No, which the hook reads, leaves no
	# initramfs for the trigger to update). A host that boots Debian's
	# kernels gets Debian's behaviour: an image it may boot next.
	[ -e "/boot/vmlinuz-$(uname -r)" ] || apt_env+=(INITRD=No)
	$SUDO env "${apt_env[@]}" apt-get update -qq
	$SUDO env "${apt_env[@]}" apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
fi
