#!/usr/bin/env bash
# Fetches a Debian kernel flavour (image, modules, headers) into a cache
# without touching /boot or dpkg's database, and prints shell assignments:
#   KVER=<uname -r>  VMLINUZ=<path>  KDIR=<headers build dir>  KARCH=<arch>
# Usage: scripts/kernel.sh 6.1|6.12|6.1-rt|6.12-rt|6.1-arm64|6.12-arm64
#        scripts/kernel.sh --list [amd64|arm64]   the test matrix's flavours
# The arm64 flavours take the arm64 image and headers with the host's own
# linux-kbuild (its tools run here); scripts/deps-arm64.sh sets up dpkg.
set -euo pipefail

# The matrix every VM tier runs on, by architecture: the one list.
amd64_flavours="6.1 6.12 6.1-rt 6.12-rt"
arm64_flavours="6.1-arm64 6.12-arm64"
if [ "${1:-}" = --list ]; then
	case "${2:-all}" in
	amd64) echo "$amd64_flavours" ;;
	arm64) echo "$arm64_flavours" ;;
	*) echo "$amd64_flavours $arm64_flavours" ;;
	esac
	exit 0
fi

flavour=${1:-6.1}
cache=${NETLOG_CACHE:-/var/cache/netlog}/kernels
arch=amd64

case "$flavour" in
6.1) meta=linux-image-amd64 ;;
6.12) meta=linux-image-6.12-amd64 ;;
6.1-rt) meta=linux-image-rt-amd64 ;;
6.12-rt) meta=linux-image-6.12-rt-amd64 ;;
6.1-arm64) meta=linux-image-arm64 arch=arm64 ;;
6.12-arm64) meta=linux-image-6.12-arm64 arch=arm64 ;;
*)
	echo "kernel.sh: unknown flavour '$flavour' ($amd64_flavours $arm64_flavours)" >&2
	exit 2
	;;
esac
[ "$arch" = amd64 ] || "$(dirname "$0")/deps-arm64.sh" >&2

# First dependency of a package whose name matches a pattern, without an
# architecture qualifier (or the <> of a virtual one).
dep() {
	apt-cache depends "$1" 2>/dev/null | awk -v pat="$2" '$1 ~ /Depends:/ {
		n = $2; gsub(/[<>]/, "", n); sub(/:.*/, "", n)
		if (n ~ pat) { print n; exit }
	}'
}

image=$(dep "$meta:$arch" '^linux-image-')
if [ -z "$image" ]; then
	apt-get update -q >&2
	image=$(dep "$meta:$arch" '^linux-image-')
fi
[ -n "$image" ] || { echo "kernel.sh: cannot resolve $meta" >&2; exit 1; }
image=${image%-unsigned}
kver=${image#linux-image-}
root=$cache/$kver

if [ ! -e "$root/.complete" ]; then
	headers=linux-headers-$kver
	common=$(dep "$headers:$arch" '^linux-headers-.*-common')
	kbuild=$(dep "$headers:$arch" '^linux-kbuild-')
	rm -rf "$root" "$root.debs"
	mkdir -p "$root.debs"
	(cd "$root.debs" && apt-get download "$image:$arch" "$headers:$arch" \
		"$common" "$kbuild:amd64" >&2)
	for deb in "$root.debs"/*.deb; do dpkg-deb -x "$deb" "$root"; done
	rm -rf "$root.debs"
	# The headers' Makefile includes the -common tree by absolute path.
	sed -i "s|^include /usr/src/|include $root/usr/src/|" \
		"$root/usr/src/linux-headers-$kver/Makefile"
	touch "$root/.complete"
fi

echo "KVER=$kver"
echo "VMLINUZ=$root/boot/vmlinuz-$kver"
echo "KDIR=$root/usr/src/linux-headers-$kver"
echo "KARCH=$arch"
