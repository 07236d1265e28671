# SPDX-License-Identifier: GPL-2.0-or-later
# The one place that pins the upstream QEMU we overlay (sourced by scripts).
QEMU_DEB_PACKAGE=qemu
QEMU_DEB_VERSION='1:10.0.13+ds-0+deb13u1'
QEMU_ORIG_TARBALL='qemu_10.0.13+ds.orig.tar.xz'
QEMU_ORIG_SHA256='6a0888e806c2ffc0c5f0733e974f9aea55491950d3c47c98669c8b236dde59ae'
# Debian suite that carries the source package (deb-src only, never binaries).
QEMU_DEB_SRC_SUITE=trixie
