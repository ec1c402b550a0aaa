# shellcheck shell=bash
# What every VM tier shares (tests/vm/run.sh and verdict.sh,
# tests/journal/run.sh, bench/run.sh, bench/arm64.sh): the modules built
# for one kernel, an initramfs packed, and what in a kernel log fails a run.

# The kernel's reports that fail a run, as an extended regex. Reports, not
# banners: the debug kernel announces "lockdep" at boot.
# shellcheck disable=SC2034 # used by the scripts that source this
kernel_bad='BUG:|WARNING:|Oops|Call Trace|KASAN:|UBSAN:|general protection fault|possible recursive locking|circular locking|inconsistent lock state|lock held when returning|scheduling while atomic|sleeping function called|kernel panic|Kernel panic'

# vm_modules SRC OUT KDIR [MAKE_ARG...]: the module tree SRC (a kmod/)
# copied to OUT and built there for KDIR, so that kernels and trees never
# share objects.
vm_modules() {
	local src=$1 out=$2 headers=$3
	shift 3
	rm -rf "$out"
	mkdir -p "$out"
	cp -r "$src/." "$out/"
	# (The copy has no ../../VERSION for secure_log's Kbuild to read.)
	make -s -C "$out" KDIR="$headers" NETLOG_VERSION="$(cat "$src/../VERSION" 2>/dev/null)" "$@" modules
}

# vm_cpio DIR: DIR as a newc archive, on standard output.
vm_cpio() {
	(cd "$1" && find . | cpio -o -H newc --quiet)
}

# fresh_build DIR SRC: forgets a CMake build directory that was configured
# from another source directory (reader/ was a CMake root of its own once),
# as CMake refuses to reuse it.
fresh_build() {
	local cache=$1/CMakeCache.txt
	if [ -e "$cache" ] && ! grep -qx "CMAKE_HOME_DIRECTORY:INTERNAL=$2" "$cache"; then
		rm -rf "$1"
	fi
}
