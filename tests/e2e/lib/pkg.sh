# Debian package fetching (apt-get download + dpkg-deb -x, never installed on
# the host) and shared-library resolution. Sourced after lib/common.sh.
# shellcheck shell=bash

# fetch_pkgs NAME...: download (one apt-get call) the candidate versions of the
# packages not unpacked yet into $DEBS, and unpack each into $PKGS/NAME (once;
# delete the directory to refresh).
fetch_pkgs() {
    local name dir deb
    local -a missing=()
    for name in "$@"; do [ -f "$PKGS/$name/.e2e-version" ] || missing+=("$name"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    mkdir -p "$DEBS" "$PKGS"
    log "fetching ${missing[*]}"
    ( cd "$DEBS" && apt-get download -q -o APT::Sandbox::User=root "${missing[@]}" ) \
        >"$CACHE/apt-download.log" 2>&1 || { cat "$CACHE/apt-download.log" >&2; die "apt-get download failed"; }
    for name in "${missing[@]}"; do
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

# owner_pkg PATH: the Debian package owning a host library path (usrmerge-aware).
owner_pkg() {
    local p=$1 real out
    real=$(readlink -f "$p")
    out=$(dpkg -S "$p" 2>/dev/null || dpkg -S "$real" 2>/dev/null || dpkg -S "/usr$p" 2>/dev/null ||
          dpkg -S "${p#/usr}" 2>/dev/null || dpkg -S "${real#/usr}" 2>/dev/null) || return 1
    printf '%s\n' "$out" | head -n1 | cut -d: -f1
}

# prefetch_libs FILE...: fetch, in one go, the packages of every library the
# ELF files need that no unpacked package provides yet (as the host's ldd sees
# them, with the unpacked libraries first in the path). resolve_libs then
# finds everything unpacked; it still fetches one by one what this missed.
prefetch_libs() {
    local libpath p pkg
    local -a pkgs=()
    libpath=$(ls -d "$PKGS"/*/lib/$ARCH_TRIPLET "$PKGS"/*/usr/lib/$ARCH_TRIPLET 2>/dev/null | tr '\n' :)
    while read -r p; do
        case "$p" in "$PKGS"/*) continue ;; esac
        pkg=$(owner_pkg "$p") || continue
        [ -f "$PKGS/$pkg/.e2e-version" ] || pkgs+=("$pkg")
    done < <(LD_LIBRARY_PATH=$libpath ldd "$@" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | sort -u)
    [ ${#pkgs[@]} -eq 0 ] || fetch_pkgs $(printf '%s\n' "${pkgs[@]}" | sort -u)
}

# The bookworm linux-image 6.1 package (e.g. linux-image-6.1.0-56-amd64), the
# newest one linux-image-amd64 6.1.x depends on. Remembered in $CACHE so the bed
# stays on one kernel until the cache is cleared.
kernel_pkg() {
    local f=$CACHE/kernel-pkg p
    if [ ! -s "$f" ]; then
        mkdir -p "$CACHE"
        p=$(apt-cache show linux-image-amd64 | awk '
                /^Version: /{v=$2}
                /^Depends: /{ if (index(v, "'"$KVER_SERIES"'.") == 1) {
                                  d=$0; sub(/^Depends: /, "", d); sub(/ .*/, "", d); print v, d } }' |
            sort -V | tail -n1 | awk '{print $2}')
        [ -n "$p" ] || die "cannot find a linux-image-amd64 $KVER_SERIES.x in apt (apt-get update?)"
        echo "$p" >"$f"
    fi
    cat "$f"
}

# Versions of every unpacked package, for cache keys and the record.
pkg_versions() {
    local d
    for d in "$PKGS"/*/; do
        [ -f "$d/.e2e-version" ] && printf '%s %s\n' "$(basename "$d")" "$(cat "$d/.e2e-version")"
    done
    return 0
}

# find_lib SONAME: path of SONAME inside an unpacked package, fetching the package
# that provides it on this (same-release Debian) host when needed.
find_lib() {
    local so=$1 d hostpath pkg
    for d in "$PKGS"/*/lib/$ARCH_TRIPLET "$PKGS"/*/usr/lib/$ARCH_TRIPLET; do
        if [ -e "$d/$so" ]; then echo "$d/$so"; return 0; fi
    done
    hostpath=$(/sbin/ldconfig -p | awk -v s="$so" '$1 == s && /x86-64/ {print $NF; exit}')
    [ -n "$hostpath" ] || { echo "find_lib: $so: not known on this host; add its package to PKG_LIST" >&2; return 1; }
    pkg=$(owner_pkg "$hostpath") || true
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

# mod_closure MODDIR NAME...: module files (relative to MODDIR), dependencies
# first, from each module's .modinfo "depends=" field.
mod_closure() {
    local moddir=$1; shift
    local -A seen=()
    local -a order=()
    _mc_visit() {
        local n=${1//_/-} f dep
        [ -n "${seen[$n]:-}" ] && return 0
        seen[$n]=1
        f=$(cd "$moddir" && find kernel -name "$n.ko" -o -name "${n//-/_}.ko" | head -n1)
        [ -n "$f" ] || die "module $n not found in $moddir"
        for dep in $(objcopy -O binary --only-section=.modinfo "$moddir/$f" /dev/stdout |
                     tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' '); do
            _mc_visit "$dep"
        done
        order+=("$f")
    }
    local m
    for m in "$@"; do _mc_visit "$m"; done
    printf '%s\n' "${order[@]}"
}

# install_modules SRC_MODDIR DST_MODDIR NAME...: copy the closure, write
# modules.dep (for modprobe) and modules.load (load order, for insmod).
install_modules() {
    local src=$1 dst=$2; shift 2
    local f deps dep
    mkdir -p "$dst"
    : >"$dst/modules.dep"
    mod_closure "$src" "$@" >"$dst/modules.load"
    while read -r f; do
        mkdir -p "$dst/$(dirname "$f")"
        cp "$src/$f" "$dst/$f"
        deps=""
        for dep in $(objcopy -O binary --only-section=.modinfo "$src/$f" /dev/stdout |
                     tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' '); do
            deps="$deps $(grep -E "/(${dep}|${dep//-/_}|${dep//_/-})\.ko$" "$dst/modules.load" | head -n1)"
        done
        echo "$f:$deps" >>"$dst/modules.dep"
    done <"$dst/modules.load"
    cp "$src/modules.builtin" "$src/modules.order" "$dst/" 2>/dev/null || true
}
