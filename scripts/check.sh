#!/usr/bin/env bash
# Every test of the project, from nothing: host unit tests, static checks of
# the kernel code and the reader, and the e2e suite in the QEMU VM.
# Ends with one line "N passed, M failed"; exits non-zero on any failure.
#
# KERNEL=6.1|6.12|... picks the VM kernel (default 6.1).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
passed=0 failed=0 failures=()

pass() { passed=$((passed + $1)); }
fail() { failed=$((failed + $1)); failures+=("$2"); }

# A stage that is one check: pass or fail as a whole.
stage() {
	local name=$1
	shift
	echo "== $name"
	if "$@"; then pass 1; else fail 1 "$name"; fi
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

echo "== unit tests (GoogleTest via CTest)"
cmake -S reader -B build/host >/dev/null &&
	cmake --build build/host -j"$(nproc)" >/dev/null
(cd build/host && ctest --output-on-failure) | tee build/unit.log
total=$(sed -nE 's/.* tests? failed out of ([0-9]+)/\1/p' build/unit.log)
nfail=$(sed -nE 's/.* ([0-9]+) tests? failed out of.*/\1/p' build/unit.log)
if [ -n "$total" ]; then
	pass $((total - nfail))
	((nfail == 0)) || fail "$nfail" "unit tests"
else
	fail 1 "unit tests (did not run)"
fi

format_check() {
	clang-format --dry-run -Werror reader/src/*.h reader/src/*.cc \
		reader/tests/*.h reader/tests/*.cc tests/e2e/*.cc tests/e2e/*.h \
		tests/host/*.cc tests/fuzz/*.cc
}
stage "clang-format (reader, e2e)" format_check

shell_check() {
	shellcheck -s bash scripts/*.sh tests/vm/run.sh tests/vm/verdict.sh .ci/run &&
		shellcheck -s sh tests/vm/init.sh tests/vm/demo.sh
}

kmod_static() {
	local kdir out
	kdir=$("$top/scripts/kernel.sh" "${KERNEL:-6.1}" | sed -n 's/^KDIR=//p')
	rm -rf build/kmod-check && cp -r kmod build/kmod-check
	out=$(make -s -C build/kmod-check KDIR="$kdir" check 2>&1 | grep -v 'Skipping BTF')
	[ -z "$out" ] || { echo "$out"; return 1; }
}
stage "kmod W=1 + sparse C=2, no diagnostics" kmod_static
stage "kmod checkpatch.pl --strict" "$top/scripts/checkpatch.sh"
stage "shellcheck (scripts, VM harness)" shell_check
stage "libFuzzer: whitelist parser, record decoder" "$top/scripts/fuzz.sh"

echo "== e2e in the VM (KERNEL=${KERNEL:-6.1})"
"$top/tests/vm/run.sh" check 2>&1 | tee build/vm.log
tally "vm e2e" build/vm.log

echo
for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "$passed passed, $failed failed"
((failed == 0))
