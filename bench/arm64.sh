#!/usr/bin/env bash
# make bench-arm64: what netlog.ko costs on arm64, where every kprobe is a
# breakpoint and a single-step exception (no kprobes on ftrace). One boot of
# Debian's arm64 6.1 kernel under QEMU TCG with icount (instructions are
# the clock, as in make bench), busybox and the loops alone: no recorder,
# then the modules of each tree given with every event whitelisted (no
# reader), then recording every event (LABEL-recording: no reader, a ring
# that holds the runs, as make bench's netlog-kernel), then no recorder
# again. Prints "result CONFIG LOOP ops=..." lines and the instructions
# each configuration adds per operation.
#
#   bench/arm64.sh [LABEL=KMOD_DIR ...]   (default: this=kmod of this tree)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/vm/lib.sh
. "$top/tests/vm/lib.sh"
out=$top/build/bench-arm64
"$top/scripts/deps-arm64.sh"
eval "$("$top/scripts/kernel.sh" 6.1-arm64)"
[ $# -gt 0 ] || set -- "this=$top/kmod"

rm -rf "$out"
mkdir -p "$out/root/bin" "$out/root/lib"
cp "$("$top/scripts/busybox-arm64.sh")" "$out/root/bin/busybox"
aarch64-linux-gnu-gcc -O2 -Wall -Wextra -Werror -static \
	-o "$out/root/bin/netloop" "$top/bench/netloop.c"
labels=()
for arg in "$@"; do
	label=${arg%%=*}
	vm_modules "${arg#*=}" "$out/kmod-$label" "$KDIR" ARCH=arm64 \
		CROSS_COMPILE=aarch64-linux-gnu-
	mkdir -p "$out/root/lib/$label"
	cp "$out/kmod-$label"/{secure_log,netlog}/*.ko "$out/root/lib/$label/"
	labels+=("$label")
done
cat >"$out/root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec >/dev/ttyAMA0 2>&1
ip link set lo up
run() {
	for w in tcp udp; do
		netloop \$w 1 1 >/dev/null	# warm-up: QEMU translates code
		echo "result \$1 \$w \$(netloop \$w 1 2)"
	done
}
run baseline
for v in ${labels[*]}; do
	insmod /lib/\$v/secure_log.ko capacity=268435456 uid_share=100
	insmod /lib/\$v/netlog.ko whitelist=/bin/netloop
	run \$v
	rmmod netlog
	insmod /lib/\$v/netlog.ko
	run \$v-recording
	rmmod netlog secure_log
	dmesg | grep 'secure_log: unloaded' | tail -1
done
run baseline
echo "=== dmesg"
dmesg
poweroff -f
EOF
chmod +x "$out/root/init"
mkdir -p "$out/root"/{proc,sys,dev}
vm_cpio "$out/root" | gzip -1 >"$out/initrd.gz"
timeout "${VM_TIMEOUT:-1800}" qemu-system-aarch64 -accel tcg,thread=single \
	-icount shift=0 -M virt -cpu cortex-a57 -smp 1 -m 1024 \
	-kernel "$VMLINUZ" -initrd "$out/initrd.gz" -display none -no-reboot \
	-serial "file:$out/console.log" \
	-append "console=ttyAMA0 loglevel=1 rdinit=/init panic=-1"
grep -a '^result ' "$out/console.log" >"$out/results.log" || true
if grep -aEq "$kernel_bad" "$out/console.log"; then
	grep -aE -A3 "$kernel_bad" "$out/console.log" | head -40 >&2
	echo "bench-arm64: the kernel complained: $out/console.log" >&2
	exit 1
fi
# Instructions per operation are 10^9 / (ops/s) under icount; the baseline
# is the mean of the runs before and after the modules.
awk '{ print } $6 ~ /^ops_per_s=/ {
	split($6, r, "="); k = $2 " " $3
	sum[k] += 1e9 / r[2]; n[k]++
	if (!(k in seen)) { seen[k] = 1; order[++keys] = k }
}
END {
	for (i = 1; i <= keys; i++) {
		split(order[i], p, " ")
		if (p[1] == "baseline")
			continue
		base = sum["baseline " p[2]] / n["baseline " p[2]]
		printf "%s %s: %+.0f instructions per operation (%.1f%% slower)\n",
			p[1], p[2], sum[order[i]] / n[order[i]] - base,
			100 * (1 - base / (sum[order[i]] / n[order[i]]))
	}
}' "$out/results.log"
