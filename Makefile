# SPDX-License-Identifier: GPL-2.0-or-later
#
#   make          build the device model: build/qemu-system-x86_64
#   make check    every test (host set-up, engine tests, ASan, fuzz smoke,
#                 the QEMU build, qtests, packages, both e2e boots)
#   make core     the standalone engine build only (build-core)
#   make fuzz     a long fuzz run of both targets from their seed corpora
#                 (FUZZ_SECONDS each, default 600; scripts/fuzz.sh)
#   make bench    engine benchmark: accesses/s, instructions and host
#                 accesses per guest access, per-device state
#   make demo     boot real Xen (nested, TCG), pass devices to a PV guest
#                 (xen-pciback-pv) and an HVM guest (xen-pci-passthrough),
#                 show side by side what dom0 and the guests see
#   make bench-e2e  end-to-end benchmarks on nested Xen: PV config-read
#                 round trips vs xen-pciback, HVM enumeration time and host
#                 syscalls per guest access vs upstream xen-pt
#   make qemu-trixie  the device model against Debian 13's libraries (Xen
#                 4.20), built in a trixie build root made from Debian's
#                 archive: build/qemu-trixie/qemu-system-x86_64
#   make qemu-bookworm  the same against Debian 12's (Xen 4.17), in a
#                 bookworm build root: build/qemu-bookworm (what a Debian 13
#                 host's make stubdom takes)
#   make deb      Debian packages of the device model for Debian 12 and 13
#                 (build/deb/{bookworm,trixie}/qemu-xenpt_*.deb), built with
#                 dpkg-buildpackage in each release's root, checked with its
#                 lintian, installed with apt into a clean system of it
#   make deb-on-trixie  make deb in a fresh Debian 13 system (mmdebstrap,
#                 chroot): what a Debian 13 host's make deb does
#                 (scripts/deb-on-trixie.sh; build/deb-on-trixie/)
#   make stubdom  a Linux stubdomain image with our QEMU, from Debian
#                 packages (build/stubdom/qemu-stubdom-linux-{kernel,rootfs})
#   make stubdom-trixie  the same from Debian 13 (its kernel, our QEMU
#                 against its libraries): build/stubdom-trixie
#   make install-stubdom  the image of this host's Debian release (12:
#                 make stubdom's, 13: make stubdom-trixie's; STUBDOM_RELEASE
#                 to choose) copied to libxl's default paths (STUBDOM_DIR,
#                 default /usr/lib/xen-<its Xen version>/boot)
#   make e2e      end-to-end scenarios on real Xen nested under QEMU TCG
#                 (tests/e2e; E2E_SCENARIOS to pick some)
#   make e2e-trixie  the same on Debian 13 (Xen 4.20, Linux 6.12), with our
#                 Debian 13 package in dom0
.PHONY: all qemu qemu-trixie qemu-bookworm deb deb-on-trixie e2e-trixie check core fuzz bench bench-e2e demo e2e stubdom stubdom-trixie install-stubdom clean distclean

# This host's Debian release. A release's stubdomain image takes our QEMU
# built on this host for the host's release, else the one built in that
# release's root (tests/e2e/lib/common.sh OURS_QEMU says the same).
HOST_RELEASE := $(shell . /etc/os-release 2>/dev/null; echo $$VERSION_CODENAME)
STUBDOM_QEMU_bookworm := $(if $(filter bookworm,$(HOST_RELEASE)),qemu,qemu-bookworm)
STUBDOM_QEMU_trixie := $(if $(filter trixie,$(HOST_RELEASE)),qemu,qemu-trixie)

all: qemu

qemu:
	scripts/setup-host.sh
	scripts/prepare-qemu.sh

qemu-trixie:
	scripts/setup-host.sh
	scripts/release-qemu.sh trixie

qemu-bookworm:
	scripts/setup-host.sh
	scripts/release-qemu.sh bookworm

deb: stubdom stubdom-trixie
	DEB_STUBDOM=build/stubdom scripts/deb.sh build bookworm
	scripts/deb.sh lint bookworm
	scripts/deb.sh install bookworm
	DEB_STUBDOM=build/stubdom-trixie scripts/deb.sh build trixie
	scripts/deb.sh lint trixie
	scripts/deb.sh install trixie

deb-on-trixie:
	scripts/deb-on-trixie.sh

check:
	scripts/check.sh

core:
	scripts/setup-host.sh
	@[ -f build-core/build.ninja ] || meson setup build-core
	ninja -C build-core
	meson test -C build-core

fuzz:
	scripts/setup-host.sh
	@[ -f build-fuzz/build.ninja ] || CC=clang meson setup build-fuzz \
	    -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
	ninja -C build-fuzz
	scripts/fuzz.sh $${FUZZ_SECONDS:-600} fuzz-xpf fuzz-xpv

bench:
	scripts/setup-host.sh
	scripts/bench.sh

bench-e2e:
	scripts/bench-e2e.sh

demo:
	scripts/demo.sh

stubdom: $(STUBDOM_QEMU_bookworm)
	stubdom/build.sh

stubdom-trixie: $(STUBDOM_QEMU_trixie)
	E2E_RELEASE=trixie stubdom/build.sh

OS_RELEASE ?= /etc/os-release
STUBDOM_RELEASE ?= $(shell . $(OS_RELEASE) 2>/dev/null; echo $$VERSION_CODENAME)
install-stubdom:
	case "$(STUBDOM_RELEASE)" in \
	bookworm) $(MAKE) stubdom ;; \
	trixie) $(MAKE) stubdom-trixie ;; \
	*) echo "install-stubdom: Debian '$(STUBDOM_RELEASE)' is neither 12 (bookworm) nor 13 (trixie): set STUBDOM_RELEASE" >&2; exit 1 ;; \
	esac
	E2E_RELEASE=$(STUBDOM_RELEASE) stubdom/build.sh install $(STUBDOM_DIR)

e2e: qemu
	tests/e2e/run.sh $(E2E_SCENARIOS)

e2e-trixie: stubdom-trixie
	DEB_STUBDOM=build/stubdom-trixie scripts/deb.sh build trixie
	E2E_RELEASE=trixie E2E_OURS_DEB=$$(ls -t build/deb/trixie/qemu-xenpt_*_amd64.deb | head -n1) \
	    tests/e2e/run.sh $(E2E_SCENARIOS)

clean:
	rm -rf build-core build-asan build-fuzz build-bench build-*.log

distclean: clean
	rm -rf build
