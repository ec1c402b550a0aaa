#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (address + undefined sanitizers)
# and runs each for a bounded time from its seed corpus. Fails on any crash.
#   FUZZ_SECONDS (whitelist, default 60), FUZZ_RECORD_SECONDS (default 30)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/fuzz
mkdir -p "$out"
# The top-level CMake's fuzz targets (NETLOG_BUILD_FUZZ), built with clang.
CC=clang CXX=clang++ cmake -S "$top" -B "$out/build" -DCMAKE_BUILD_TYPE=Debug \
	-DNETLOG_BUILD_FUZZ=ON -DNETLOG_BUILD_TESTS=OFF -DNETLOG_BUILD_E2E=OFF >/dev/null
cmake --build "$out/build" -j"$(nproc)" --target records_fuzz whitelist_fuzz >/dev/null
cp "$out/build/records_fuzz" "$out/build/whitelist_fuzz" "$out/"

run() {
	local name=$1 seconds=$2 log=$out/$1.log
	mkdir -p "$out/corpus-$name"
	echo "fuzz: $name for ${seconds}s"
	if ! "$out/${name}_fuzz" -max_total_time="$seconds" -print_final_stats=1 \
		-timeout=10 -artifact_prefix="$out/$name-" \
		"$out/corpus-$name" "$top/tests/fuzz/corpus/$name" >"$log" 2>&1; then
		tail -40 "$log"
		echo "fuzz: $name FAILED (crash input in $out/$name-*)"
		return 1
	fi
	echo "fuzz: $name ok, $(sed -n 's/^stat::number_of_executed_units: *//p' "$log") runs"
}

rc=0
run whitelist "${FUZZ_SECONDS:-60}" || rc=1
run records "${FUZZ_RECORD_SECONDS:-30}" || rc=1
exit $rc
