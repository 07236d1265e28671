# SPDX-License-Identifier: GPL-2.0-or-later
# The one place that pins the upstream QEMU we overlay (sourced by scripts).
QEMU_DEB_PACKAGE=qemu
QEMU_DEB_VERSION='1:10.0.13+ds-0+deb13u1'
QEMU_ORIG_TARBALL='qemu_10.0.13+ds.orig.tar.xz'
QEMU_ORIG_SHA256='6a0888e806c2ffc0c5f0733e974f9aea55491950d3c47c98669c8b236dde59ae'
# Debian suite that carries the source package (deb-src only, never binaries).
QEMU_DEB_SRC_SUITE=trixie
# configure options of every build of it here (ours and the stock baseline).
# The paths are the installed package's (make deb): the binary in
# /usr/libexec/qemu-xenpt, so QEMU finds Debian's data files
# (qemu-system-data, seabios, ipxe-qemu) in /usr/share/qemu, which it
# looks up relative to its binary (../../share/qemu); like Debian's QEMU it
# also searches seabios' and ipxe-qemu's directories for option ROMs (the
# VGA BIOS, the NICs' boot ROMs). Anything that installs the binary
# elsewhere keeps that relation.
QEMU_PKG_BINDIR=libexec/qemu-xenpt
QEMU_CONFIGURE_BASE=(--python=/usr/bin/python3
    --prefix=/usr --bindir=$QEMU_PKG_BINDIR --sysconfdir=/etc --localstatedir=/var
    --firmwarepath=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu
    --cc=/usr/lib/ccache/gcc --cxx=/usr/lib/ccache/g++
    --target-list=x86_64-softmmu --enable-xen --enable-xen-pci-passthrough
    --enable-kvm --disable-tcg --disable-docs --disable-user
    --disable-download --disable-install-blobs
    --disable-gnutls --disable-png --disable-vnc-jpeg --disable-curses
    --disable-slirp --disable-bzip2)
# The last line: features configure would otherwise take from whatever
# -dev packages the machine happens to have (this Debian 12 host image has
# them, the build roots do not). Off everywhere, every build of one release
# compiles the same objects with the same flags: the binary the tests run is
# the packaged one, and ccache serves the package builds from the host's.
# None of them serves a Xen device model (xl's VNC works without them).
