#!/usr/bin/env bash
# Installs what netlog's build, tests and VM need, on Debian bookworm, or
# the packages named as arguments (scripts/deps-arm64.sh).
# Idempotent: installs only what is missing.
set -euo pipefail

packages=(
	build-essential cmake pkg-config libfmt-dev libnl-3-dev libnl-genl-3-dev
	libgtest-dev sparse qemu-system-x86 busybox-static cpio gzip kmod shellcheck
	libelf-dev bc flex bison dwarves
	clang libclang-rt-14-dev clang-format libssl-dev xz-utils
	dkms rpm libbenchmark-dev debootstrap python3 nlohmann-json3-dev
	libsystemd-dev debhelper dh-dkms lintian libnftables1
)
(($#)) && packages=("$@")

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
if ((${#missing[@]})); then
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
