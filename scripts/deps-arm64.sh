#!/usr/bin/env bash
# What the arm64 tier needs on top of scripts/deps.sh, on Debian bookworm
# amd64: dpkg's arm64 architecture, the cross compilers, QEMU for arm64, and
# the arm64 builds of the libraries the reader and the e2e tests link.
# Idempotent: installs only what is missing.
set -euo pipefail

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	dpkg --add-architecture arm64
fi
exec "$(dirname "$0")/deps.sh" gcc-aarch64-linux-gnu g++-aarch64-linux-gnu \
	binutils-aarch64-linux-gnu qemu-system-arm libfmt-dev:arm64 libgtest-dev:arm64 \
	libnl-3-dev:arm64 libnl-genl-3-dev:arm64 libsystemd-dev:arm64 \
	libnftables1:arm64
