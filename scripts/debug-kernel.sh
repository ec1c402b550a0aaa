#!/usr/bin/env bash
# Builds the debug kernel (KASAN, lockdep, kmemleak, UBSAN, object and list
# debugging, KUnit) from Debian's linux-source-6.1 with tests/debug/debug.config,
# once: the tree is cached outside the work tree, keyed by the source package
# version and the fragment's hash. Prints KVER=, VMLINUZ=, KDIR= like kernel.sh.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${NETLOG_CACHE:-/var/cache/netlog}/debug-kernel
fragment=$top/tests/debug/debug.config

version=$(apt-cache policy linux-source-6.1 2>/dev/null | sed -n 's/ *Candidate: //p')
if [ -z "$version" ] || [ "$version" = "(none)" ]; then
	apt-get update -q >&2
	version=$(apt-cache policy linux-source-6.1 | sed -n 's/ *Candidate: //p')
fi
key=$version-$(sha256sum "$fragment" | cut -c1-12)
tree=$cache/$key/linux

if [ ! -e "$cache/$key/.complete" ]; then
	echo "debug-kernel: building $key (about 25 minutes on 2 cores)" >&2
	rm -rf "${cache:?}/$key"
	mkdir -p "$cache/$key"
	(cd "$cache/$key" && apt-get download "linux-source-6.1=$version" >&2)
	dpkg-deb --fsys-tarfile "$cache/$key"/linux-source-6.1_*.deb |
		tar -x -O --wildcards './usr/src/linux-source-6.1.tar.xz' |
		tar -xJ -C "$cache/$key"
	rm -f "$cache/$key"/*.deb
	mv "$cache/$key"/linux-source-6.1 "$tree"
	(
		cd "$tree"
		make -s x86_64_defconfig kvm_guest.config >&2
		scripts/kconfig/merge_config.sh -m .config "$fragment" >&2
		make -s olddefconfig >&2
		# Every option of the fragment must have survived.
		while IFS= read -r line; do
			case "$line" in CONFIG_*=y)
				grep -qx "$line" .config ||
					{ echo "debug-kernel: $line did not take" >&2; exit 1; } ;;
			esac
		done <"$fragment"
		make -j"$(nproc)" >&2
	)
	touch "$cache/$key/.complete"
fi

echo "KVER=$(make -s -C "$tree" kernelrelease)"
echo "VMLINUZ=$tree/arch/x86/boot/bzImage"
echo "KDIR=$tree"
