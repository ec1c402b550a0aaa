# netlog: top-level entry points.
#   make            build the modules (running kernel, or KDIR=...) and the reader
#   make check      every test: unit, static checks, e2e in the QEMU VM
#   make demo       boot the VM and show live netlog-reader output
#   make vm-check   only the VM e2e suite (KERNEL=6.1|6.12|6.1-rt|6.12-rt)
#   make vm-debug   the e2e suite on a KASAN/lockdep/kmemleak/UBSAN kernel
#   make unit       only the host unit tests
#   make deps       install build and test dependencies (Debian)

KERNEL ?= 6.1
export KERNEL

all: modules reader

modules:
	$(MAKE) -C kmod

reader:
	cmake -S reader -B build/host -DNETLOG_BUILD_E2E=OFF
	cmake --build build/host -j$$(nproc) --target netlog-reader

deps:
	scripts/deps.sh

unit: deps
	cmake -S reader -B build/host
	cmake --build build/host -j$$(nproc)
	cd build/host && ctest --output-on-failure

check:
	scripts/check.sh

vm-check:
	tests/vm/run.sh check

# The debug-kernel tier (KASAN, lockdep, kmemleak, UBSAN): builds the kernel
# once (about 25 minutes), then runs the e2e suite on it.
vm-debug:
	KERNEL=debug tests/vm/run.sh check

demo:
	tests/vm/run.sh demo

style:
	scripts/checkpatch.sh

clean:
	rm -rf build
	$(MAKE) -C kmod clean KDIR=$${KDIR:-/nonexistent} 2>/dev/null || true

.PHONY: all modules reader deps unit check vm-check vm-debug demo style clean
