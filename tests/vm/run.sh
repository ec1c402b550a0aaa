#!/usr/bin/env bash
# Builds the modules for a Debian kernel flavour, packs an initramfs with them,
# the reader and the e2e tests, boots it under QEMU (TCG) and prints a verdict.
#
#   tests/vm/run.sh check   # e2e suite; ends with "N passed, M failed"
#   tests/vm/run.sh demo    # live netlog-reader output of real clients
#
# KERNEL=6.1|6.12|6.1-rt|6.12-rt|6.1-arm64|6.12-arm64|debug (default 6.1;
# arm64: cross-built, booted on QEMU's virt machine; debug = our KASAN,
# lockdep, kmemleak, UBSAN build of 6.1, scripts/debug-kernel.sh), VM_TIMEOUT seconds (900),
# FILTER=<gtest filter> to run some e2e tests only, VM_ACCEL (tcg) and
# VM_OUT (build/vm-<kver>) for experiments.
set -euo pipefail

mode=${1:-check}
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/vm/lib.sh
. "$top/tests/vm/lib.sh"
kernel=${KERNEL:-6.1}
timeout_s=${VM_TIMEOUT:-900}

"$top/scripts/deps.sh"
if [ "$kernel" = debug ]; then
	# KASAN, lockdep, kmemleak, UBSAN: any report is fatal (panic_on_warn).
	eval "$("$top/scripts/debug-kernel.sh")"
	# Each load/unload cycle under traffic takes 15-20 s on this kernel
	# under TCG: 10 by default; make check asks for 100.
	# no5lvl: with QEMU's -cpu max offering LA57, this KASAN kernel reports
	# a wild access in its first interrupt, before any module loads.
	extra_cmdline="panic_on_warn=1 kmemleak=on no5lvl netlog.reloads=${RELOADS:-10}"
else
	eval "$("$top/scripts/kernel.sh" "$kernel")"
	extra_cmdline="netlog.reloads=${RELOADS:-5}"
fi

karch=${KARCH:-amd64}
cross=()
host_build=$top/build/host
if [ "$karch" = arm64 ]; then
	cross=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
	host_build=$top/build/host-arm64
fi

out=${VM_OUT:-$top/build/vm-$KVER}
stage=$out/initramfs
rm -rf "$stage"
mkdir -p "$stage"/{bin,lib/netlog,usr/bin,etc}

vm_modules "$top/kmod" "$out/kmod" "$KDIR" "${cross[@]}" W=1
cp "$out/kmod/secure_log/secure_log.ko" "$out/kmod/netlog/netlog.ko" \
	"$out/kmod/execlog/execlog.ko" "$stage/lib/netlog/"
if [ -e "$out/kmod/netlog/netlog_kunit.ko" ]; then
	cp "$out/kmod/netlog/netlog_kunit.ko" "$stage/lib/netlog/"
fi

# Protocols that are modules on Debian's kernels, each staged in
# /lib/<group> with what it needs, in load order, for its tests to load
# after netlog (and keep for its reloads); one the kernel lacks is not
# staged, and its tests skip. The debug kernel has SCTP built in.
moddir=$(dirname "$VMLINUZ")/../lib/modules/$KVER/kernel
stage_modules() {
	local group=$1 m name
	shift
	for m in "$@"; do
		[ -e "$moddir/$m.ko.xz" ] || [ -e "$moddir/$m.ko" ] || return 0
	done
	mkdir -p "$stage/lib/$group"
	for m in "$@"; do
		name=$(basename "$m")
		if [ -e "$moddir/$m.ko.xz" ]; then
			xz -dc "$moddir/$m.ko.xz" >"$stage/lib/$group/$name.ko"
		else
			cp "$moddir/$m.ko" "$stage/lib/$group/$name.ko"
		fi
		echo "/lib/$group/$name.ko" >>"$stage/lib/$group/order"
	done
}
tunnels=(net/ipv4/udp_tunnel net/ipv6/ip6_udp_tunnel)
stage_modules sctp crypto/crc32c_generic lib/libcrc32c "${tunnels[@]}" \
	net/sctp/sctp
stage_modules l2tp "${tunnels[@]}" net/l2tp/l2tp_core net/l2tp/l2tp_ip \
	net/l2tp/l2tp_ip6
stage_modules smc drivers/infiniband/core/ib_core net/smc/smc
stage_modules rxrpc crypto/fcrypt crypto/pcbc "${tunnels[@]}" net/rxrpc/rxrpc
stage_modules dccp net/dccp/dccp net/dccp/dccp_ipv4 net/dccp/dccp_ipv6
# conntrack and nftables' NAT, for a DNAT rule (the test makes it through
# libnftables, staged below)
stage_modules nat crypto/crc32c_generic lib/libcrc32c net/netfilter/nfnetlink \
	net/ipv4/netfilter/nf_defrag_ipv4 net/ipv6/netfilter/nf_defrag_ipv6 \
	net/netfilter/nf_conntrack net/netfilter/nf_nat net/netfilter/nf_tables \
	net/netfilter/nft_chain_nat net/netfilter/nft_nat
# ... or nothing to load where they are built in (the debug kernel)
if [ ! -e "$stage/lib/nat/order" ] && grep -qx CONFIG_NFT_NAT=y "$KDIR/.config"; then
	mkdir -p "$stage/lib/nat"
	: >"$stage/lib/nat/order"
fi

# Reader and e2e tests.
toolchain=()
[ "$karch" = amd64 ] || toolchain=(-DCMAKE_TOOLCHAIN_FILE="$top/tests/vm/aarch64.cmake")
fresh_build "$host_build" "$top"
cmake -S "$top" -B "$host_build" -DNETLOG_WERROR=ON -DNETLOG_BUILD_TESTS=OFF "${toolchain[@]}" >/dev/null
cmake --build "$host_build" -j"$(nproc)" --target netlog-reader netlogctl netlog-e2e \
	netlog-e2e-preload
cp "$host_build/netlog-reader" "$host_build/netlogctl" "$host_build/netlog-e2e" \
	"$stage/usr/bin/"
mkdir -p "$stage/usr/lib"
cp "$host_build/netlog-e2e-preload.so" "$stage/usr/lib/"

# Shared libraries they need, at the same paths: ldd's answer, or for arm64
# the NEEDED entries resolved in the multiarch directories, and the loader.
arm64_libs() {
	local todo=("$@") done=" " f lib path
	while ((${#todo[@]})); do
		f=${todo[0]}
		todo=("${todo[@]:1}")
		for lib in $(aarch64-linux-gnu-readelf -d "$f" |
			sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			case "$done" in *" $lib "*) continue ;; esac
			done+="$lib "
			path=/usr/lib/aarch64-linux-gnu/$lib
			[ -e "$path" ] || path=/lib/aarch64-linux-gnu/$lib
			echo "$path"
			todo+=("$path")
		done
	done
	echo /lib/ld-linux-aarch64.so.1
}
# (and libnftables, which the e2e tests open to make nftables rules)
libdir=/usr/lib/x86_64-linux-gnu
[ "$karch" = amd64 ] || libdir=/usr/lib/aarch64-linux-gnu
for bin in "$stage"/usr/bin/* "$libdir/libnftables.so.1"; do
	case "$bin" in "$libdir"/*) echo "$bin" ;; esac
	if [ "$karch" = arm64 ]; then
		arm64_libs "$bin"
	else
		ldd "$bin" | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }'
	fi
done | sort -u | while read -r lib; do
	mkdir -p "$stage$(dirname "$lib")"
	cp -L "$lib" "$stage$lib"
done

if [ "$karch" = arm64 ]; then
	cp "$("$top/scripts/busybox-arm64.sh")" "$stage/bin/busybox"
else
	cp /bin/busybox "$stage/bin/busybox"
fi
install -m 0755 "$top/tests/vm/init.sh" "$stage/init"
install -m 0755 "$top/tests/vm/demo.sh" "$stage/demo.sh"
printf 'root:x:0:0:root:/tmp:/bin/sh\nuser:x:1000:1000:user:/tmp:/bin/sh\n' >"$stage/etc/passwd"
printf 'root:x:0:\nuser:x:1000:\n' >"$stage/etc/group"
vm_cpio "$stage" | gzip -1 >"$out/initramfs.gz"

# Single-threaded TCG: with multi-threaded TCG (QEMU 7.2), a vCPU can go on
# running translated code that the other vCPU has just rewritten, and
# arming a kprobe is exactly that (ftrace/int3 text patching, which real
# CPUs serialise). It showed as guest oopses at RIP 0 and soft lockups on
# an already restored NOP, in 3 of 3 runs of 200 probe switches under
# traffic, and never with thread=single. The guest still has 2 CPUs.
qemu=(qemu-system-x86_64 -accel "${VM_ACCEL:-tcg,thread=single}" -M pc -cpu max -smp 2 -m 2048
	-kernel "$VMLINUZ" -initrd "$out/initramfs.gz" -display none -no-reboot)
cmdline="panic=-1 oops=panic $extra_cmdline netlog.mode=$mode netlog.filter=${FILTER:-*} netlog.rounds=${ROUNDS:-10}"
console_dev=ttyS0
if [ "$karch" = arm64 ]; then
	qemu=(qemu-system-aarch64 -accel "${VM_ACCEL:-tcg,thread=single}" -M virt
		-cpu cortex-a57 -smp 2 -m 2048 -kernel "$VMLINUZ"
		-initrd "$out/initramfs.gz" -display none -no-reboot)
	# One UART: results and console share it; the kernel log stays quiet
	# (panics still print) and init prints dmesg at the end, for the verdict.
	console_dev=ttyAMA0
	cmdline+=" netlog.out=/dev/ttyAMA0 loglevel=1"
fi

if [ "$mode" = demo ]; then
	timeout "$timeout_s" "${qemu[@]}" -serial stdio \
		-append "console=$console_dev quiet loglevel=3 $cmdline"
	exit 0
fi

console=$out/console.log
results=$out/results.log
rm -f "$console" "$results"
echo "vm: booting $KVER (TCG, up to ${timeout_s}s)"
rc=0
if [ "$karch" = arm64 ]; then
	timeout "$timeout_s" "${qemu[@]}" -serial "file:$results" \
		-append "console=$console_dev $cmdline" || rc=$?
	: >"$console"
else
	timeout "$timeout_s" "${qemu[@]}" -serial "file:$console" -serial "file:$results" \
		-append "console=$console_dev $cmdline" || rc=$?
fi

exec "$top/tests/vm/verdict.sh" "$console" "$results" "$rc"
