#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Install what building and testing this overlay needs on a Debian 12 machine:
# apt source lines (bookworm-backports binaries, trixie deb-src for QEMU's
# source package) and the build dependencies. Idempotent and quick when done.
set -euo pipefail

LIST=/etc/apt/sources.list.d/xenpt-overlay.sources
PKGS=(build-essential ninja-build pkg-config ccache flex bison rsync xz-utils
      libglib2.0-dev libpixman-1-dev libxen-dev libslirp-dev libfdt-dev
      zlib1g-dev python3-venv dpkg-dev clang libclang-rt-14-dev valgrind
      seabios qemu-system-data ipxe-qemu qemu-system-x86 python3-docutils
      mmdebstrap)
BPO_PKGS=(meson python3-pycotap)

log() { printf 'setup-host: %s\n' "$*" >&2; }

want_list() {
    cat <<'EOT'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOT
}

missing_pkgs() {
    local p
    for p in "${PKGS[@]}" "${BPO_PKGS[@]}"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
            grep -q '^install ok installed$' || echo "$p"
    done
}

meson_ok() {
    command -v meson >/dev/null &&
        dpkg --compare-versions "$(meson --version)" ge 1.5
}

if [ -z "$(missing_pkgs)" ] && meson_ok && [ -f "$LIST" ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    log "missing packages: $(missing_pkgs | tr '\n' ' ')"
    log "run this script as root (it adds apt sources and installs them)"
    exit 1
fi

if ! cmp -s <(want_list) "$LIST" 2>/dev/null; then
    log "writing $LIST"
    want_list > "$LIST"
fi
export DEBIAN_FRONTEND=noninteractive
log "apt-get update"
apt-get update -qq
log "installing: $(missing_pkgs | tr '\n' ' ')"
apt-get install -y -qq --no-install-recommends "${PKGS[@]}" >/dev/null
apt-get install -y -qq --no-install-recommends -t bookworm-backports \
    "${BPO_PKGS[@]}" >/dev/null
meson_ok || { log "meson >= 1.5 still missing"; exit 1; }
log "done"
