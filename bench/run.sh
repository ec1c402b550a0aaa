#!/usr/bin/env bash
# make bench: netlog's overhead against no recorder, auditd and bpftrace, in
# one boot of Debian's 6.1 kernel under QEMU (TCG, icount), then the
# reader's own speed on this host. Prints Markdown tables and writes them to
# build/bench/report.md; never fails on a number, only when a measurement
# could not be made.
#
# BENCH_SECONDS (1) per run, BENCH_ROUNDS (3), BENCH_PROCS (2) workload
# processes, BENCH_CONFIGS (all), BENCH_WORKLOADS (all: the loops tcp, udp,
# udpsend and exec, and bench/work.sh's http, dns and build),
# BENCH_PROFILE (1: perf profile of netlog),
# VM_TIMEOUT (3600).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/vm/lib.sh
. "$top/tests/vm/lib.sh"
out=$top/build/bench
stage=$out/overlay
"$top/scripts/deps.sh"
eval "$("$top/scripts/kernel.sh" 6.1)"
root_cpio=$("$top/bench/root.sh" bcc)

rm -rf "$stage"
# The root has a merged /usr (/lib is a link): nothing of ours goes there.
mkdir -p "$stage"/{usr/local/lib/netlog,usr/local/bin,usr/src,bench}
vm_modules "$top/kmod" "$out/kmod" "$KDIR"
cp "$out/kmod/secure_log/secure_log.ko" "$out/kmod/netlog/netlog.ko" \
	"$out/kmod/execlog/execlog.ko" "$stage/usr/local/lib/netlog/"

fresh_build "$out/reader" "$top"
cmake -S "$top" -B "$out/reader" -DCMAKE_BUILD_TYPE=Release \
	-DNETLOG_BUILD_TESTS=OFF -DNETLOG_BUILD_E2E=OFF -DNETLOG_BUILD_BENCH=ON >/dev/null
cmake --build "$out/reader" -j"$(nproc)" --target netlog-reader reader_bench
cp "$out/reader/netlog-reader" "$stage/usr/local/bin/"
gcc -O2 -Wall -Wextra -Werror -o "$stage/usr/local/bin/netloop" "$top/bench/netloop.c"
# The exec loop's program: static, so that an exec is the kernel's work and
# not the dynamic loader's.
echo 'int main(void) { return 0; }' |
	gcc -O2 -static -x c -o "$stage/usr/local/bin/noop" -
# The reader's libraries the Debian root does not have (libfmt, libnl).
ldd "$stage/usr/local/bin/netlog-reader" | awk '/=> \// { print $3 }' |
	grep -E 'libfmt|libnl' | while read -r lib; do
	dest=$stage/usr${lib#/usr}
	mkdir -p "$(dirname "$dest")"
	cp -L "$lib" "$dest"
done
# bcc compiles its tools' programs against the running kernel's headers.
cp -a "$(dirname "$KDIR")"/linux-headers-"$KVER" \
	"$(dirname "$KDIR")"/linux-headers-"${KVER%-*}"-common "$stage/usr/src/"
# (Debian's split headers: build is the flavour's, source the common part.)
mkdir -p "$stage/usr/lib/modules/$KVER"
ln -s "/usr/src/linux-headers-$KVER" "$stage/usr/lib/modules/$KVER/build"
ln -s "/usr/src/linux-headers-${KVER%-*}-common" \
	"$stage/usr/lib/modules/$KVER/source"
install -m 0755 "$top/bench/init.sh" "$stage/init"
cp "$top/bench/netlog.bt" "$stage/bench/"
install -m 0755 "$top/bench/work.sh" "$stage/bench/"
vm_cpio "$stage" >"$out/overlay.cpio"
# The kernel unpacks concatenated archives in order: ours over the root.
cat "$root_cpio" "$out/overlay.cpio" >"$out/initrd.cpio"

results=$out/results.log
console=$out/console.log
cmdline="console=ttyS0 rdinit=/init panic=-1 bench.seconds=${BENCH_SECONDS:-1}"
cmdline+=" bench.rounds=${BENCH_ROUNDS:-3} bench.procs=${BENCH_PROCS:-2}"
cmdline+=" bench.configs=${BENCH_CONFIGS:-baseline,netlog,netlog-file,netlog-journal,netlog-raw,netlog-kernel,netlog-state,netlog-filtered,execlog,execlog-success,auditd,bpftrace,bcc}"
cmdline+=" bench.workloads=${BENCH_WORKLOADS:-tcp,udp,udpsend,exec,http,dns,build}"
cmdline+=" bench.profile=${BENCH_PROFILE:-1}"
[ "${BENCH_ICOUNT:-on}" = off ] || cmdline+=" bench.icount"
echo "bench: booting $KVER (TCG); results in $results"
# icount: the guest's clock runs on the instructions it executes (shift=0: one
# per nanosecond), so "operations per second" of a busy loop is
# instructions per operation, free of the host's load and of TCG's costs
# that real CPUs do not have (an emulated HPET read, retranslating code).
# BENCH_ICOUNT=off measures host time instead.
# QEMU 7.2 cannot start a second vCPU under icount, so that run has one.
icount=() cpus=2
if [ "${BENCH_ICOUNT:-on}" != off ]; then
	icount=(-icount shift=0) cpus=1
fi
# A VM that runs past its time still measured what it printed: the report
# is made from that, and says where the run stopped.
vm_rc=0
timeout "${VM_TIMEOUT:-3600}" qemu-system-x86_64 -accel tcg,thread=single "${icount[@]}" \
	-M pc -cpu max -smp "$cpus" -m 4096 -kernel "$VMLINUZ" -initrd "$out/initrd.cpio" \
	-display none -no-reboot -serial "file:$console" -serial "file:$results" \
	-append "$cmdline" || vm_rc=$?

"$out/reader/reader_bench" --benchmark_repetitions=5 \
	--benchmark_report_aggregates_only=true --benchmark_format=json \
	>"$out/reader-bench.json"
report_rc=0
NETLOG_KERNEL_BAD=$kernel_bad python3 "$top/bench/report.py" "$results" "$out/reader-bench.json" \
	"$KVER" "$vm_rc" | tee "$out/report.md" || report_rc=$?
if [ "$vm_rc" != 0 ]; then
	echo "bench: the VM exited with $vm_rc (124: past VM_TIMEOUT=${VM_TIMEOUT:-3600}s);" \
		"the report holds what it measured before" >&2
	exit 1
fi
exit "$report_rc"
