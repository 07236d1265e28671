# SPDX-License-Identifier: GPL-2.0-or-later
# The one place that pins the upstream QEMU we overlay (sourced by scripts).
QEMU_DEB_PACKAGE=qemu
QEMU_DEB_VERSION='1:10.0.13+ds-0+deb13u1'
QEMU_ORIG_TARBALL='qemu_10.0.13+ds.orig.tar.xz'
QEMU_ORIG_SHA256='6a0888e806c2ffc0c5f0733e974f9aea55491950d3c47c98669c8b236dde59ae'
# Debian suite that carries the source package (deb-src only, never binaries).
QEMU_DEB_SRC_SUITE=trixie
# configure options of every build of it here (ours and the stock baseline)
QEMU_CONFIGURE_BASE=(--python=/usr/bin/python3
    --cc=/usr/lib/ccache/gcc --cxx=/usr/lib/ccache/g++
    --target-list=x86_64-softmmu --enable-xen --enable-xen-pci-passthrough
    --enable-kvm --disable-tcg --disable-docs --disable-user
    --disable-download --disable-install-blobs)
