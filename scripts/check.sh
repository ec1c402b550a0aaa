#!/usr/bin/env bash
# Every test of the project, from nothing: host unit tests, static checks of
# the kernel code and the reader, the e2e suite in the QEMU VM on every
# Debian kernel flavour (6.1, 6.12, 6.1-rt, 6.12-rt) and on our debug kernel.
# Ends with one line "N passed, M failed"; exits non-zero on any failure.
#
# KERNELS="6.1 6.12" narrows the amd64 matrix, ARM_KERNELS (the arm64 ones
# of scripts/kernel.sh --list; empty: none) the arm64 one; DEBUG_RELOADS (3)
# and DEBUG_ROUNDS (4) set the debug kernel's unload cycles and probe-switch
# rounds and JOURNAL_RECORDS (25000) the systemd VM's flood. make soak runs
# the long forms (100 cycles, 40 rounds, 100,000 records).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
# shellcheck source=tests/vm/lib.sh
. tests/vm/lib.sh
passed=0 failed=0 failures=()

pass() { passed=$((passed + $1)); }
fail() { failed=$((failed + $1)); failures+=("$2"); }

# Each stage's time, and the whole run's, in the log.
took() { echo "-- $1: $((SECONDS - $2)) s"; }

# A stage that is one check: pass or fail as a whole.
stage() {
	local name=$1 t=$SECONDS
	shift
	echo "== $name"
	if "$@"; then pass 1; else fail 1 "$name"; fi
	took "$name" "$t"
}

# Adds the "N passed, M failed" counts of the last such line in a log.
tally() {
	local name=$1 log=$2 line p f
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		fail 1 "$name (no result)"
		return
	fi
	p=${line%% passed*}
	f=${line#*, }
	f=${f%% failed*}
	pass "$p"
	((f == 0)) || fail "$f" "$name"
}

"$top/scripts/deps.sh" || exit 1

t=$SECONDS
echo "== unit tests (GoogleTest via CTest): all userspace code, one CMake build"
cmake -S . -B build/all -DNETLOG_WERROR=ON >/dev/null &&
	cmake --build build/all -j"$(nproc)" >/dev/null
(cd build/all && ctest --output-on-failure) | tee build/unit.log
total=$(sed -nE 's/.* tests? failed out of ([0-9]+)/\1/p' build/unit.log)
nfail=$(sed -nE 's/.* ([0-9]+) tests? failed out of.*/\1/p' build/unit.log)
if [ -n "$total" ]; then
	pass $((total - nfail))
	((nfail == 0)) || fail "$nfail" "unit tests"
else
	fail 1 "unit tests (did not run)"
fi
took "unit tests" "$t"

# The debug kernel (KASAN, lockdep, kmemleak, UBSAN, KUnit) is built first:
# once, about 12 minutes on two cores when there is no cache. Its source
# tree also serves the in-tree build test.
echo "== debug kernel"
t=$SECONDS
debug_ok=1
"$top/scripts/debug-kernel.sh" >/dev/null || { fail 1 "debug kernel build"; debug_ok=; }
took "debug kernel build" "$t"

# The matrix (scripts/kernel.sh --list), or the part asked for.
amd_kernels=${KERNELS:-$(scripts/kernel.sh --list amd64)}
arm_kernels=${ARM_KERNELS-$(scripts/kernel.sh --list arm64)}
kernels="$amd_kernels $arm_kernels"

# The VM tier. The host has two cores and a TCG guest runs on one, so two
# lanes: in the background the debug kernel's run (the whole suite under
# KASAN, lockdep, kmemleak and UBSAN, with 3 unload cycles: about 30
# minutes) and then the arm64 kernels; in the foreground the static checks,
# the package tests, the amd64 kernels and the systemd VM. Each run's log
# is build/vm-<kernel>.log, judged once both lanes are done.
background_lane() {
	local k t=$SECONDS
	if [ -n "$debug_ok" ]; then
		KERNEL=debug RELOADS=${DEBUG_RELOADS:-3} ROUNDS=${DEBUG_ROUNDS:-4} \
			VM_TIMEOUT=${DEBUG_TIMEOUT:-4200} "$top/tests/vm/run.sh" check \
			>build/vm-debug.log 2>&1
		took "e2e on the debug kernel (background)" "$t" >>build/vm-debug.log
	fi
	for k in $arm_kernels; do
		t=$SECONDS
		KERNEL=$k "$top/tests/vm/run.sh" check >"build/vm-$k.log" 2>&1
		took "e2e $k (background)" "$t" >>"build/vm-$k.log"
	done
}
echo "== e2e on the debug kernel, then on ${arm_kernels:-no arm64 kernel}: in the background, logs in build/vm-*.log"
background_lane &
background_pid=$!

format_check() {
	clang-format --dry-run -Werror reader/src/*.h reader/src/*.cc \
		reader/tests/*.h reader/tests/*.cc reader/bench/*.cc ctl/*.h ctl/*.cc \
		common/*.h search/src/*.h search/src/*.cc search/tests/*.cc tests/e2e/*.cc \
		tests/e2e/*.h tests/host/*.cc tests/fuzz/*.cc
}
stage "clang-format (reader, netlogctl, e2e)" format_check

shell_check() {
	shellcheck -x -s bash scripts/*.sh tests/vm/run.sh tests/vm/verdict.sh tests/vm/lib.sh .ci/run \
		bench/*.sh tests/journal/*.sh &&
		shellcheck -s bash kmod/compat/conftest.sh &&
		shellcheck -s sh tests/vm/init.sh tests/vm/demo.sh
}

kmod_static() {
	local k info kdir cross out rc=0
	for k in $kernels; do
		info=$("$top/scripts/kernel.sh" "$k") || return 1
		kdir=$(sed -n 's/^KDIR=//p' <<<"$info")
		cross=()
		grep -qx KARCH=arm64 <<<"$info" &&
			cross=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
		rm -rf build/kmod-check && cp -r kmod build/kmod-check
		out=$(make -s -C build/kmod-check KDIR="$kdir" "${cross[@]}" check 2>&1 |
			grep -v 'Skipping BTF')
		[ -z "$out" ] || { echo "$k: $out"; rc=1; }
	done
	return $rc
}
stage "kmod W=1 + sparse C=2 on every kernel (amd64, arm64), no diagnostics" kmod_static
stage "kmod checkpatch.pl --strict" "$top/scripts/checkpatch.sh"

# make bench's pieces, so that they never rot: the workload runs on the
# host's loopback, the reader micro-benchmark for a moment, the report
# script compiles. (The numbers themselves come from make bench.)
bench_smoke() {
	gcc -O2 -Wall -Wextra -Werror -o build/netloop bench/netloop.c &&
		build/netloop tcp 0.2 2 && build/netloop udp 0.2 2 &&
		build/netloop udpsend 0.2 2 &&
		echo 'int main(void) { return 0; }' | gcc -O2 -static -x c -o build/noop - &&
		NETLOOP_NOOP=build/noop build/netloop exec 0.2 2 &&
		build/release/reader_bench --benchmark_min_time=0.01 \
			--benchmark_format=json >build/reader-bench.json &&
		python3 -m py_compile bench/report.py && bench_cut_report
}
# A VM that ran past its time (124) after its first measurement: the report
# still has that measurement's table, and says the run is incomplete.
# And a warning in its kernel log is a note, by the VM tiers' one pattern.
bench_cut_report() {
	printf '%s\n' '=== bench smoke cpus=1 clock=icount seconds=1 rounds=3 procs=2' \
		'result config=baseline workload=tcp round=1 ops=14700 seconds=1.003 ops_per_s=14661.7 events=0 lost=0' \
		'=== dmesg' '[    9.1] WARNING: CPU: 0 PID: 1 at kernel/smoke.c:1' \
		>build/bench-cut.log
	NETLOG_KERNEL_BAD=$kernel_bad python3 bench/report.py build/bench-cut.log \
		build/reader-bench.json smoke 124 >build/bench-cut.md
	grep -q '^\*\*Incomplete run:\*\* the VM ran past its time limit after 1 measurement' \
		build/bench-cut.md && grep -q '^| baseline | 1 | 14,662 ' build/bench-cut.md &&
		grep -q '^note: kernel: \[    9.1\] WARNING: CPU: 0' build/bench-cut.md
}
# The build types packagers use, every target, warnings as errors: Release
# (-O3, where GCC 12 warns most) and None with Debian's dpkg-buildflags, as
# debhelper builds. (A user's build never stops at a warning: NETLOG_WERROR
# is off unless set.) None keeps assert(), so its host tests run too: the
# unit stage's RelWithDebInfo build has them off. Release is built as a
# host without systemd would build it (NETLOG_SYSTEMD=OFF), and its host
# tests run: no libsystemd linked, --output journal refused by name.
packager_builds() {
	fresh_build build/release "$top" && fresh_build build/none "$top" &&
		cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release \
		-DNETLOG_WERROR=ON -DNETLOG_BUILD_BENCH=ON -DNETLOG_SYSTEMD=OFF >/dev/null &&
		cmake --build build/release -j"$(nproc)" >/dev/null &&
		! ldd build/release/netlog-reader | grep -q libsystemd &&
		(cd build/release && ctest --output-on-failure >/dev/null) &&
		CFLAGS=$(dpkg-buildflags --get CFLAGS) CXXFLAGS=$(dpkg-buildflags --get CXXFLAGS) \
			LDFLAGS=$(dpkg-buildflags --get LDFLAGS) \
			cmake -S . -B build/none -DCMAKE_BUILD_TYPE=None \
			-DNETLOG_WERROR=ON >/dev/null &&
		cmake --build build/none -j"$(nproc)" >/dev/null &&
		(cd build/none && ctest --output-on-failure >/dev/null)
}
stage "packagers' builds: Release, None with dpkg-buildflags; -Werror" packager_builds
stage "bench pieces: netloop, reader_bench, report.py" bench_smoke
stage "shellcheck (scripts, VM harness)" shell_check
stage "libFuzzer: whitelist parser, record decoder" "$top/scripts/fuzz.sh"
stage "make install/uninstall into a DESTDIR" "$top/scripts/packages.sh" install
stage "in-tree build: Kconfig + Kbuild in linux-source-6.1" "$top/scripts/packages.sh" intree
stage "dkms add/build/install/remove on 6.1 and 6.12, amd64 and arm64" "$top/scripts/packages.sh" dkms
stage "rpm: rpmbuild -bs/-bb, rpm -qpl" "$top/scripts/packages.sh" rpm
stage "deb: dpkg -i, DKMS build, reader --version, purge" "$top/scripts/packages.sh" deb

for k in $amd_kernels; do
	echo "== e2e in the VM (KERNEL=$k)"
	t=$SECONDS
	KERNEL=$k "$top/tests/vm/run.sh" check 2>&1 | tee "build/vm-$k.log"
	tally "vm e2e $k" "build/vm-$k.log"
	took "e2e $k" "$t"
done

# The packages as an admin installs them, under systemd: journald,
# netlogctl, rsyslog and a central rsyslogd.
echo "== systemd VM: dpkg -i, ${JOURNAL_RECORDS:-25000} records through journald, netlogctl, rsyslog"
t=$SECONDS
JOURNAL_RECORDS=${JOURNAL_RECORDS:-25000} "$top/tests/journal/run.sh" 2>&1 | tee build/journal.log
tally "journald" build/journal.log
took "journald" "$t"

wait "$background_pid"
if [ -n "$debug_ok" ]; then
	echo "== e2e on the debug kernel"
	tail -n 40 build/vm-debug.log
	tally "vm e2e debug kernel" build/vm-debug.log
fi
# arm64: cross-built, on QEMU's virt machine.
for k in $arm_kernels; do
	echo "== e2e in the VM (KERNEL=$k)"
	tail -n 40 "build/vm-$k.log"
	tally "vm e2e $k" "build/vm-$k.log"
done

echo
for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "make check took $((SECONDS / 60)) min $((SECONDS % 60)) s"
echo "$passed passed, $failed failed"
((failed == 0))
