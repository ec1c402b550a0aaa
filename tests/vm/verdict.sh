#!/usr/bin/env bash
# Reads a VM run's console and results logs and prints one verdict line:
# "N passed, M failed". Fails on any kernel complaint, a hung or crashed VM,
# or a failed test.
set -uo pipefail

console=$1 qemu_rc=$3
# The serial port writes CRLF; read the results without the CRs.
results=$(mktemp)
trap 'rm -f "$results"' EXIT
tr -d '\r' <"$2" >"$results"

# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
bad=$kernel_bad

passed=$(grep -c '^\[       OK \]' "$results" 2>/dev/null)
failed=$(grep -c '^\[  FAILED  \] [A-Za-z0-9_]*\.[A-Za-z0-9_]* (' "$results" 2>/dev/null)
extra=()

[ "$qemu_rc" = 0 ] || extra+=("vm exited with $qemu_rc (124 = timed out)")
grep -q '^=== end' "$results" 2>/dev/null || extra+=("vm did not finish the run")
grep -q '^=== e2e exit 0' "$results" 2>/dev/null || extra+=("e2e suite did not exit 0")
grep -q '^=== unload ok' "$results" 2>/dev/null || extra+=("final rmmod failed")
if grep -q '^=== lock$' "$results" 2>/dev/null; then
	grep -q '^=== lock exit 0' "$results" || extra+=("lock stage did not exit 0")
fi
if grep -Eq "$bad" "$console" "$results" 2>/dev/null; then
	extra+=("kernel log has complaints:")
	grep -Eh -A3 "$bad" "$console" "$results" | head -40 >&2
fi

# KUnit (debug kernel): KTAP case lines, "ok N name" or "not ok N name".
kunit=$(sed -n '/^=== kunit$/,/^=== kunit end$/p' "$results" 2>/dev/null)
kunit_ok=$(printf '%s\n' "$kunit" | grep -cE '^ +ok [0-9]+ ')
kunit_bad=$(printf '%s\n' "$kunit" | grep -cE '^ *not ok [0-9]+ ')
passed=$((passed + kunit_ok))
if ((kunit_bad)); then
	extra+=("KUnit: $kunit_bad failed")
	printf '%s\n' "$kunit" | grep -E 'not ok' >&2
fi

# kmemleak (debug kernel): a leak whose backtrace is in our modules fails.
if sed -n '/^=== kmemleak$/,/^=== kmemleak end$/p' "$results" 2>/dev/null |
	grep -Eq '\[(netlog|secure_log)\]|netlog|secure_log'; then
	extra+=("kmemleak reports a leak in our modules")
	sed -n '/^=== kmemleak$/,/^=== kmemleak end$/p' "$results" | head -40 >&2
fi

grep -E '^\[  FAILED  \]|Failure|Expected|Which is|actual|^/.*:[0-9]+: ' "$results" 2>/dev/null | head -60 >&2

for e in "${extra[@]}"; do
	echo "vm: FAIL: $e" >&2
	failed=$((failed + 1))
done
echo "vm: logs in $(dirname "$2")"
echo "${passed:-0} passed, ${failed:-0} failed"
[ "${failed:-0}" = 0 ] && [ "${passed:-0}" -gt 0 ]
