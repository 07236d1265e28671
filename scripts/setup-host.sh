#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Install what building and testing this overlay needs on a Debian 12 or 13
# machine: apt source lines (Debian 12: bookworm-backports binaries; both:
# trixie deb-src for QEMU's source package) and the build dependencies.
# Idempotent and quick when done.
#
#   scripts/setup-host.sh                     set this host up
#   scripts/setup-host.sh --packages RELEASE  print the packages it installs
#                                             on RELEASE (bookworm, trixie),
#                                             "PKG" or "PKG/SUITE", one a line
set -euo pipefail

log() { printf 'setup-host: %s\n' "$*" >&2; }

# shellcheck disable=SC1091
HOST_RELEASE=$(. /etc/os-release 2>/dev/null; echo "${VERSION_CODENAME:-}")
[ "${1:-}" = --packages ] && HOST_RELEASE=${2:?usage: setup-host.sh --packages RELEASE}
# Debian 12's meson (1.0) is older than QEMU 10's minimum (1.5) and its
# pycotap is only in backports; Debian 13 has both. ASan's runtime comes
# with the release's default clang (14, 19).
case "$HOST_RELEASE" in
bookworm) CLANG_RT=libclang-rt-14-dev; BPO=bookworm-backports ;;
trixie) CLANG_RT=libclang-rt-19-dev; BPO= ;;
*) log "Debian '${HOST_RELEASE:-?}': this script knows Debian 12 (bookworm) and 13 (trixie)"; exit 1 ;;
esac

LIST=/etc/apt/sources.list.d/xenpt-overlay.sources
PKGS=(build-essential ninja-build pkg-config ccache flex bison rsync xz-utils
      libglib2.0-dev libpixman-1-dev libxen-dev libslirp-dev libfdt-dev
      zlib1g-dev python3-venv dpkg-dev clang "$CLANG_RT" valgrind
      seabios qemu-system-data ipxe-qemu qemu-system-x86 python3-docutils
      mmdebstrap)
BPO_PKGS=(meson python3-pycotap)
if [ "${1:-}" = --packages ]; then
    printf '%s\n' "${PKGS[@]}"
    printf "%s${BPO:+/$BPO}\n" "${BPO_PKGS[@]}"
    exit 0
fi

want_list() {
    [ -z "$BPO" ] || cat <<EOT
Types: deb
URIs: http://deb.debian.org/debian
Suites: $BPO
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

EOT
    cat <<'EOT'
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
apt-get install -y -qq --no-install-recommends ${BPO:+-t "$BPO"} \
    "${BPO_PKGS[@]}" >/dev/null
meson_ok || { log "meson >= 1.5 still missing"; exit 1; }
log "done"
