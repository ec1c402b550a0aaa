# netlog: top-level entry points.
#   make            build the modules (running kernel, or KDIR=...) and the reader
#   make check      every test: unit, static checks, e2e in the QEMU VM
#   make demo       boot the VM and show live netlog-reader output
#   make vm-check   only the VM e2e suite (KERNEL=6.1|6.12|6.1-rt|6.12-rt|
#                   6.1-arm64|6.12-arm64)
#   make vm-matrix  the VM e2e suite on all six Debian kernels
#   make vm-debug   the e2e suite on a KASAN/lockdep/kmemleak/UBSAN kernel
#   make vm-journal the reader's unit under systemd in the VM: 100,000
#                   records through journald, none missing
#   make soak       the long forms make check shortens: 100 unload cycles
#                   and 40 probe-switch rounds on the debug kernel, then
#                   make vm-journal
#   make unit       only the host unit tests
#   make bench      overhead against auditd and bpftrace in one VM boot, and
#                   the reader's records/s (docs/benchmarks.md); not a test
#   make bench-arm64  the modules alone (whitelisted loops) on arm64 6.1
#   make deps       install build and test dependencies (Debian)
#   make install    modules (extra/, depmod), reader, unit, udev rule, config
#                   examples, man pages; DESTDIR, PREFIX (/usr/local), KDIR
#   make uninstall  removes what make install put there
#   make packages   build/pkg: netlog-dkms and netlog-reader .deb and .rpm

KERNEL ?= 6.1
export KERNEL

VERSION := $(shell cat VERSION)
PREFIX ?= /usr/local
DESTDIR ?=
SBINDIR := $(PREFIX)/sbin
MANDIR := $(PREFIX)/share/man
# systemd and udev look in /lib for packages and in /etc for the admin.
UNITDIR ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,/etc/systemd/system)
UDEVDIR ?= $(if $(filter /usr,$(PREFIX)),/lib/udev/rules.d,/etc/udev/rules.d)
# journald and systemd-tmpfiles: /usr/lib for packages, /etc for the admin.
SYSTEMDLIB ?= $(if $(filter /usr,$(PREFIX)),/usr/lib,/etc)
JOURNALDDIR := $(SYSTEMDLIB)/systemd/journald@netlog.conf.d
TMPFILESDIR := $(SYSTEMDLIB)/tmpfiles.d
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
# Everything install-files puts down, relative to DESTDIR (for uninstall).
FILES := $(SBINDIR)/netlog-reader $(SBINDIR)/netlogctl $(SBINDIR)/netlog-search \
	$(UNITDIR)/netlog-reader.service $(UNITDIR)/netlog-whitelist.service \
	$(UNITDIR)/netlog-metrics.service $(UNITDIR)/netlog-metrics.timer \
	$(UDEVDIR)/60-secure_log.rules /etc/default/netlog-reader \
	/etc/modules-load.d/netlog.conf /etc/modprobe.d/netlog.conf \
	$(JOURNALDDIR)/netlog.conf $(TMPFILESDIR)/netlog.conf /etc/logrotate.d/netlog \
	$(UNITDIR)/systemd-journald@netlog.service.d/netlog.conf \
	/etc/netlog/whitelist.conf $(PREFIX)/share/doc/netlog-reader/examples/rsyslog-netlog.conf \
	$(MANDIR)/man8/netlog-reader.8.gz $(MANDIR)/man8/netlogctl.8.gz \
	$(MANDIR)/man8/netlog-search.8.gz $(MANDIR)/man4/netlog.4.gz $(MANDIR)/man4/execlog.4.gz \
	$(MANDIR)/man5/whitelist.conf.5.gz

all: modules reader

modules:
	$(MAKE) -C kmod

# The three programs alone, in their own build directory (build/all and the
# VM harness's build/host keep their options).
reader:
	. tests/vm/lib.sh && fresh_build build/reader "$(CURDIR)"
	cmake -S . -B build/reader -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DNETLOG_BUILD_TESTS=OFF -DNETLOG_BUILD_E2E=OFF
	cmake --build build/reader -j$$(nproc) --target netlog-reader netlogctl \
		netlog-search

deps:
	scripts/deps.sh

# Everything the top-level CMakeLists.txt builds by default, and its tests.
unit: deps
	cmake -S . -B build/all
	cmake --build build/all -j$$(nproc)
	cd build/all && ctest --output-on-failure

check:
	scripts/check.sh

vm-check:
	tests/vm/run.sh check

vm-matrix:
	@set -e; for k in $$(scripts/kernel.sh --list); do \
		KERNEL=$$k tests/vm/run.sh check; done

# The debug-kernel tier (KASAN, lockdep, kmemleak, UBSAN): builds the kernel
# once (about 12 minutes), then runs the e2e suite on it.
vm-debug:
	KERNEL=debug tests/vm/run.sh check

vm-journal:
	tests/journal/run.sh

# What make check runs shorter to stay in its budget (about two hours).
soak:
	KERNEL=debug RELOADS=100 ROUNDS=40 VM_TIMEOUT=9000 tests/vm/run.sh check
	JOURNAL_RECORDS=100000 tests/journal/run.sh

demo:
	tests/vm/run.sh demo

bench:
	bench/run.sh

bench-arm64:
	bench/arm64.sh

style:
	scripts/checkpatch.sh

install: install-modules install-reader

install-modules:
	$(MAKE) -C kmod KDIR=$(KDIR) modules
	$(MAKE) -C kmod KDIR=$(KDIR) KERNELRELEASE=$(KVER) \
		INSTALL_MOD_PATH=$(DESTDIR) DEPMOD=$(if $(DESTDIR),true,depmod) install

# The reader and the files around it (what the netlog-reader package holds).
install-reader: reader
	install -D -m 0755 build/reader/netlog-reader $(DESTDIR)$(SBINDIR)/netlog-reader
	install -D -m 0755 build/reader/netlogctl $(DESTDIR)$(SBINDIR)/netlogctl
	install -D -m 0755 build/reader/netlog-search $(DESTDIR)$(SBINDIR)/netlog-search
	for u in netlog-reader.service netlog-whitelist.service \
		netlog-metrics.service netlog-metrics.timer; do \
		sed 's|/usr/sbin/|$(SBINDIR)/|' dist/$$u | \
		install -D -m 0644 /dev/stdin $(DESTDIR)$(UNITDIR)/$$u; \
	done
	install -D -m 0644 dist/whitelist.conf $(DESTDIR)/etc/netlog/whitelist.conf
	install -D -m 0644 dist/rsyslog-netlog.conf \
		$(DESTDIR)$(PREFIX)/share/doc/netlog-reader/examples/rsyslog-netlog.conf
	install -D -m 0644 dist/60-secure_log.rules $(DESTDIR)$(UDEVDIR)/60-secure_log.rules
	install -D -m 0644 dist/netlog-reader.default $(DESTDIR)/etc/default/netlog-reader
	install -D -m 0644 dist/modules-load.conf $(DESTDIR)/etc/modules-load.d/netlog.conf
	install -D -m 0644 dist/modprobe.conf $(DESTDIR)/etc/modprobe.d/netlog.conf
	install -D -m 0644 dist/journald@netlog.conf $(DESTDIR)$(JOURNALDDIR)/netlog.conf
	install -D -m 0644 dist/journald-netlog.service.conf \
		$(DESTDIR)$(UNITDIR)/systemd-journald@netlog.service.d/netlog.conf
	install -D -m 0644 dist/tmpfiles.conf $(DESTDIR)$(TMPFILESDIR)/netlog.conf
	install -D -m 0644 dist/logrotate.conf $(DESTDIR)/etc/logrotate.d/netlog
	# On this host: the namespace's volatile directory, root's from now on.
	$(if $(DESTDIR),,systemd-tmpfiles --create $(TMPFILESDIR)/netlog.conf)
	for m in netlog-reader.8:man8 netlogctl.8:man8 netlog-search.8:man8 \
		netlog.4:man4 execlog.4:man4 whitelist.conf.5:man5; do \
		sed 's/@VERSION@/$(VERSION)/' dist/man/$${m%%:*} | gzip -9n | \
		install -D -m 0644 /dev/stdin $(DESTDIR)$(MANDIR)/$${m##*:}/$${m%%:*}.gz; \
	done

uninstall:
	rm -f $(addprefix $(DESTDIR),$(FILES))
	rm -f $(DESTDIR)/lib/modules/$(KVER)/extra/secure_log/secure_log.ko \
		$(DESTDIR)/lib/modules/$(KVER)/extra/netlog/netlog.ko \
		$(DESTDIR)/lib/modules/$(KVER)/extra/execlog/execlog.ko
	$(if $(DESTDIR),,depmod -a $(KVER))

packages:
	scripts/packages.sh build

clean:
	rm -rf build
	$(MAKE) -C kmod clean KDIR=$${KDIR:-/nonexistent} 2>/dev/null || true

.PHONY: all modules reader deps unit check vm-check vm-matrix vm-debug vm-journal soak demo \
	bench-arm64 \
	bench style install install-modules install-reader uninstall packages clean
