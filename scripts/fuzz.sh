#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (address + undefined sanitizers)
# and runs each for a bounded time from its seed corpus. Fails on any crash.
#   FUZZ_SECONDS (whitelist, default 60), FUZZ_RECORD_SECONDS (default 30)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/fuzz
mkdir -p "$out"
# shellcheck disable=SC2054 # the commas belong to -fsanitize=
san=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)

clang "${san[@]}" -include "$top/tests/host/kernel_types.h" \
	-I "$top/kmod/netlog" -I "$top/tests/host" \
	"$top/tests/fuzz/whitelist_fuzz.c" "$top/kmod/netlog/wl_rules.c" \
	-o "$out/whitelist_fuzz"
clang++ -std=c++20 "${san[@]}" -I "$top/reader/src" -I "$top/kmod" \
	"$top/tests/fuzz/records_fuzz.cc" \
	"$top"/reader/src/{record,stream,render,text,json,klog,rfc5424,ecs,fields,journal,escape,line}.cc \
	-lfmt -lsystemd -o "$out/records_fuzz"

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
