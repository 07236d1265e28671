# Debian package fetching (apt-get download + dpkg-deb -x, never installed on
# the host) and shared-library resolution. Sourced after lib/common.sh.
# shellcheck shell=bash

# apt of the bed's release. The host's release: the host's own (its
# sources and lists). Another: a private configuration in $CACHE/apt (its
# sources line, lists and an empty dpkg status; the host's archive
# keyring), so the host's apt is never touched. Its lists are fetched again after a day
# (the archive drops superseded versions).
APT_OPTS=(-q -o APT::Sandbox::User=root)
if ! bed_is_host; then
    APT_ROOT=$CACHE/apt
    APT_OPTS+=(-o "Dir=$APT_ROOT" -o "Dir::State::status=$APT_ROOT/var/lib/dpkg/status")
fi
APT_READY=
apt_ready() {
    [ -n "$APT_READY" ] && return 0
    APT_READY=1
    bed_is_host && return 0
    mkdir -p "$APT_ROOT"/etc/apt/{apt.conf.d,preferences.d,sources.list.d,trusted.gpg.d} \
        "$APT_ROOT/var/lib/dpkg" "$APT_ROOT/var/lib/apt/lists/partial" "$APT_ROOT/var/cache/apt/archives/partial"
    touch "$APT_ROOT/var/lib/dpkg/status"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $E2E_RELEASE main" \
        >"$APT_ROOT/etc/apt/sources.list"
    if [ -z "$(find "$APT_ROOT/var/lib/apt/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null)" ]; then
        log "apt: fetching $E2E_RELEASE's package lists"
        apt-get "${APT_OPTS[@]}" update >"$CACHE/apt-update.log" 2>&1 ||
            { cat "$CACHE/apt-update.log" >&2; die "apt-get update ($E2E_RELEASE) failed"; }
    fi
}

# fetch_pkgs NAME...: download (one apt-get call) the candidate versions of the
# packages not unpacked yet into $DEBS, and unpack each into $PKGS/NAME (once;
# delete the directory to refresh). For a release other than the host's, the
# packages' whole dependency closure is downloaded and unpacked as well (no
# dpkg database of that release on the host to find a library's package),
# unless FETCH_NODEPS is set.
# One fetcher at a time per cache (make check fetches the beds' packages
# in the background while it compiles; stubdom/build.sh fetches too).
fetch_lock() { mkdir -p "$CACHE"; exec {FETCH_LOCK_FD}>"$CACHE/.fetch.lock"; flock "$FETCH_LOCK_FD"; }
fetch_unlock() { exec {FETCH_LOCK_FD}>&-; }
fetch_pkgs() {
    local name
    for name in "$@"; do
        if [ ! -f "$PKGS/$name/.e2e-version" ]; then
            fetch_lock
            fetch_pkgs_locked "$@"
            fetch_unlock
            return 0
        fi
    done
}
fetch_pkgs_locked() {
    local name dir deb
    local -a missing=() todo=()
    for name in "$@"; do [ -f "$PKGS/$name/.e2e-version" ] || missing+=("$name"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    mkdir -p "$DEBS" "$PKGS"
    apt_ready
    log "fetching ${missing[*]}"
    if bed_is_host || [ -n "${FETCH_NODEPS:-}" ]; then
        ( cd "$DEBS" && apt-get download "${APT_OPTS[@]}" "${missing[@]}" ) \
            >"$CACHE/apt-download.log" 2>&1 || { cat "$CACHE/apt-download.log" >&2; die "apt-get download failed"; }
        todo=("${missing[@]}")
    else
        apt-get "${APT_OPTS[@]}" -y --download-only --no-install-recommends \
            -o "Dir::Cache::archives=$DEBS" install "${missing[@]}" \
            >"$CACHE/apt-download.log" 2>&1 || { cat "$CACHE/apt-download.log" >&2; die "apt-get download ($E2E_RELEASE) failed"; }
        for deb in "$DEBS"/*.deb; do
            name=$(basename "$deb"); name=${name%%_*}
            [ -f "$PKGS/$name/.e2e-version" ] || todo+=("$name")
        done
        mapfile -t todo < <(printf '%s\n' "${todo[@]}" | sort -u)
    fi
    for name in "${todo[@]}"; do
        dir=$PKGS/$name
        # shellcheck disable=SC2012
        deb=$(ls -t "$DEBS/${name}"_*.deb 2>/dev/null | head -n1)
        [ -n "$deb" ] || die "no .deb for $name in $DEBS"
        rm -rf "$dir.tmp"
        mkdir -p "$dir.tmp"
        dpkg-deb -x "$deb" "$dir.tmp" || die "dpkg-deb -x $deb failed"
        dpkg-deb -f "$deb" Version >"$dir.tmp/.e2e-version"
        rm -rf "$dir"
        mv "$dir.tmp" "$dir"
    done
}
fetch_pkg() { fetch_pkgs "$1"; }

# owner_pkg PATH [ADMINDIR]: the Debian package owning a library path
# (usrmerge-aware), on the host or in the dpkg database ADMINDIR.
owner_pkg() {
    local p=$1 admin=${2:-/var/lib/dpkg} real out
    real=$(readlink -f "$p")
    [ "$admin" = /var/lib/dpkg ] || real=$p
    q() { dpkg --admindir="$admin" -S "$1" 2>/dev/null; }
    out=$(q "$p" || q "$real" || q "/usr$p" || q "${p#/usr}" || q "${real#/usr}") || return 1
    printf '%s\n' "$out" | head -n1 | cut -d: -f1
}

# prefetch_libs FILE...: fetch, in one go, the packages of every library the
# ELF files need that no unpacked package provides yet (as the host's ldd sees
# them, with the unpacked libraries first in the path). resolve_libs then
# finds everything unpacked; it still fetches one by one what this missed.
prefetch_libs() {
    local libpath p pkg
    local -a pkgs=()
    # another release: fetch_pkgs brought the closures, find_lib the rest
    bed_is_host || return 0
    # (Debian 13's packages have no /lib of their own: one glob matches)
    libpath=$({ ls -d "$PKGS"/*/lib/$ARCH_TRIPLET "$PKGS"/*/usr/lib/$ARCH_TRIPLET 2>/dev/null || true; } | tr '\n' :)
    while read -r p; do
        case "$p" in "$PKGS"/*) continue ;; esac
        pkg=$(owner_pkg "$p") || continue
        [ -f "$PKGS/$pkg/.e2e-version" ] || pkgs+=("$pkg")
    done < <(LD_LIBRARY_PATH=$libpath ldd "$@" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | sort -u)
    [ ${#pkgs[@]} -eq 0 ] || fetch_pkgs $(printf '%s\n' "${pkgs[@]}" | sort -u)
}

# The release's linux-image package (e.g. linux-image-6.1.0-56-amd64), the
# newest one linux-image-amd64 $KVER_SERIES.x depends on. Remembered in $CACHE so the bed
# stays on one kernel until the cache is cleared.
kernel_pkg() {
    local f=$CACHE/kernel-pkg p
    if [ ! -s "$f" ]; then
        fetch_lock
        if [ ! -s "$f" ]; then
            apt_ready
            p=$(apt-cache "${APT_OPTS[@]}" show linux-image-amd64 | awk '
                    /^Version: /{v=$2}
                    /^Depends: /{ if (index(v, "'"$KVER_SERIES"'.") == 1) {
                                      d=$0; sub(/^Depends: /, "", d); sub(/ .*/, "", d); print v, d } }' |
                sort -V | tail -n1 | awk '{print $2}')
            [ -n "$p" ] || die "cannot find a linux-image-amd64 $KVER_SERIES.x in apt (apt-get update?)"
            echo "$p" >"$f.tmp"
            mv "$f.tmp" "$f"
        fi
        fetch_unlock
    fi
    cat "$f"
}

# kmods: the unpacked kernel's module directory (lib/modules/KVER; Debian 13
# ships it under /usr); kver: its KVER.
kmods() {
    local d m
    for d in "$PKGS/$(kernel_pkg)/lib/modules" "$PKGS/$(kernel_pkg)/usr/lib/modules"; do
        m=$(ls -d "$d"/*/ 2>/dev/null | head -n1)
        [ -n "$m" ] && { echo "${m%/}"; return 0; }
    done
    die "no modules in $(kernel_pkg)"
}
kver() { basename "$(kmods)"; }

# Versions of every unpacked package, for cache keys and the record.
pkg_versions() {
    local d
    for d in "$PKGS"/*/; do
        [ -f "$d/.e2e-version" ] && printf '%s %s\n' "$(basename "$d")" "$(cat "$d/.e2e-version")"
    done
    return 0
}

# find_lib SONAME: path of SONAME inside an unpacked package, fetching the
# package that provides it when needed: for the host's release, the host's
# package of that library; for another, the package that holds it in that
# release's build root (scripts/release-root.sh: what our QEMU for that
# release was linked with).
find_lib() {
    local so=$1 d hostpath pkg cache=/etc/ld.so.cache admindir=/var/lib/dpkg
    for d in "$PKGS"/*/lib/$ARCH_TRIPLET "$PKGS"/*/usr/lib/$ARCH_TRIPLET; do
        if [ -e "$d/$so" ]; then echo "$d/$so"; return 0; fi
    done
    if ! bed_is_host; then
        d=$("$REPO/scripts/release-root.sh" "$E2E_RELEASE") || return 1
        cache=$d/etc/ld.so.cache admindir=$d/var/lib/dpkg
    fi
    hostpath=$(/sbin/ldconfig -C "$cache" -p | awk -v s="$so" '$1 == s && /x86-64/ {print $NF; exit}')
    [ -n "$hostpath" ] || { echo "find_lib: $so: not known ($E2E_RELEASE); add its package to PKG_LIST" >&2; return 1; }
    pkg=$(owner_pkg "$hostpath" "$admindir") || true
    [ -n "$pkg" ] || { echo "find_lib: $so ($hostpath): no owning package" >&2; return 1; }
    fetch_pkg "$pkg" >&2
    for d in "$PKGS/$pkg/lib/$ARCH_TRIPLET" "$PKGS/$pkg/usr/lib/$ARCH_TRIPLET"; do
        if [ -e "$d/$so" ]; then echo "$d/$so"; return 0; fi
    done
    echo "find_lib: $so: package $pkg does not contain it" >&2
    return 1
}

# resolve_libs ROOT FILE...: copy, from unpacked Debian packages, every shared
# library the given ELF files (paths on the host, inside ROOT) need, recursively,
# into ROOT/usr/lib/$ARCH_TRIPLET.
resolve_libs() {
    local root=$1; shift
    local libdir=$root/usr/lib/$ARCH_TRIPLET f so src
    local -a queue=("$@")
    mkdir -p "$libdir"
    while [ ${#queue[@]} -gt 0 ]; do
        f=${queue[0]}; queue=("${queue[@]:1}")
        for so in $(readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p'); do
            [ -e "$libdir/$so" ] && continue
            src=$(find_lib "$so") || die "cannot resolve $so (needed by ${f#"$root"})"
            cp -L "$src" "$libdir/$so"
            queue+=("$libdir/$so")
        done
    done
}

# elf_files DIR...: regular ELF files (executables and libraries) under DIR.
elf_files() {
    find "$@" -type f -print0 2>/dev/null | while IFS= read -r -d '' f; do
        [ "$(head -c4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] && printf '%s\n' "$f"
    done
}

# mod_deps FILE: a module's "depends=" list (FILE .ko, or .ko.xz as Debian 13
# ships them).
mod_deps() {
    local f=$1 tmp
    if [ "${f%.xz}" != "$f" ]; then
        tmp=$(mktemp)
        xz -dc "$f" >"$tmp"
        objcopy -O binary --only-section=.modinfo "$tmp" /dev/stdout
        rm -f "$tmp"
    else
        objcopy -O binary --only-section=.modinfo "$f" /dev/stdout
    fi | tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' '
}

# mod_closure MODDIR NAME...: module files (relative to MODDIR, .ko or
# .ko.xz), dependencies first, from each module's .modinfo "depends=" field.
mod_closure() {
    local moddir=$1; shift
    local -A seen=()
    local -a order=()
    _mc_visit() {
        local n=${1//_/-} f dep
        [ -n "${seen[$n]:-}" ] && return 0
        seen[$n]=1
        f=$(cd "$moddir" && find kernel \( -name "$n.ko" -o -name "${n//-/_}.ko" \
                -o -name "$n.ko.xz" -o -name "${n//-/_}.ko.xz" \) | head -n1)
        [ -n "$f" ] || die "module $n not found in $moddir"
        for dep in $(mod_deps "$moddir/$f"); do
            _mc_visit "$dep"
        done
        order+=("$f")
    }
    local m
    for m in "$@"; do _mc_visit "$m"; done
    printf '%s\n' "${order[@]}"
}

# install_modules SRC_MODDIR DST_MODDIR NAME...: copy the closure (compressed
# ones uncompressed: busybox's insmod reads plain .ko), write modules.dep
# (for modprobe) and modules.load (load order, for insmod).
install_modules() {
    local src=$1 dst=$2; shift 2
    local f k dep
    local -A direct=()
    mkdir -p "$dst"
    mod_closure "$src" "$@" | sed 's/\.xz$//' >"$dst/modules.load"
    while read -r k; do
        f=$k
        [ -e "$src/$f" ] || f=$k.xz
        mkdir -p "$dst/$(dirname "$k")"
        if [ "$f" != "$k" ]; then xz -dc "$src/$f" >"$dst/$k"; else cp "$src/$f" "$dst/$k"; fi
        direct[$k]=
        for dep in $(mod_deps "$src/$f"); do
            direct[$k]="${direct[$k]} $(grep -E "/(${dep}|${dep//-/_}|${dep//_/-})\.ko$" "$dst/modules.load" | head -n1)"
        done
    done <"$dst/modules.load"
    # As depmod writes it: every module a module needs, directly or not,
    # each listed before the ones it needs itself (modprobe loads from the
    # end of the line). busybox's modprobe loads only what that line lists.
    local -A need=()
    _im_need() {
        local d
        for d in ${direct[$1]}; do
            [ -n "${need[$d]:-}" ] && continue
            need[$d]=1
            _im_need "$d"
        done
    }
    while read -r k; do
        need=()
        _im_need "$k"
        echo "$k:$(tac "$dst/modules.load" | while read -r d; do
            [ -n "${need[$d]:-}" ] && printf ' %s' "$d"; done)"
    done <"$dst/modules.load" >"$dst/modules.dep"
    cp "$src/modules.builtin" "$src/modules.order" "$dst/" 2>/dev/null || true
}
