# shellcheck shell=bash
# The kernel's reports that fail a VM run, as an extended regex (sourced by
# tests/vm/verdict.sh, tests/journal/run.sh and bench/arm64.sh). Reports,
# not banners: the debug kernel announces "lockdep" at boot.
# shellcheck disable=SC2034 # used by the scripts that source this
kernel_bad='BUG:|WARNING:|Oops|Call Trace|KASAN:|UBSAN:|possible recursive locking|circular locking|inconsistent lock state|lock held when returning|scheduling while atomic|sleeping function called|kernel panic|Kernel panic'
