#!/usr/bin/env bash
# The Debian package as a user gets it: built with CPack from this build, its name, Depends (every
# library the binary links, by the Debian package that holds it, found with dpkg -S, plus
# openmpi-bin), Recommends and contents checked; installed with `apt-get install ./sqcube_*.deb`;
# the quick-start job and `sqcube verify` run with the INSTALLED binary from a folder outside the
# source tree (the source and build trees hidden); `man -w sqcube`; then `apt-get purge` must leave
# nothing behind: no package record, none of its files or folders, the same set of packages as
# before. The package is purged on every way out once installed, failures included.
# Root only (it installs a package); skipped, saying why, otherwise or where a sqcube is installed.
# Usage: deb.sh BUILD_DIR
set -euo pipefail
# shellcheck source=tests/install/common.sh
source "$(dirname "$0")/common.sh"
BUILD=$(cd "$1" && pwd)
[ "$(id -u)" = 0 ] || skip "installs and removes a Debian package: needs root"
for t in cpack dpkg-deb dpkg-shlibdeps apt-get readelf; do
    command -v "$t" >/dev/null || skip "$t missing (scripts/install-deps.sh)"
done
if dpkg-query -W -f='${Status}' sqcube 2>/dev/null | grep -q 'installed'; then
    skip "a sqcube package is already installed here; this test does not replace or remove it"
fi
[ -e /usr/bin/sqcube ] && skip "/usr/bin/sqcube exists (not from a package); this test will not overwrite it"

WORK=$(scratch deb)
chmod 755 "$WORK" # apt's _apt user reads the package from here
INSTALLED=0
APT=(apt-get -y -q -o DPkg::Lock::Timeout=300)
export DEBIAN_FRONTEND=noninteractive
cleanup() {
    local rc=$?
    if [ "$INSTALLED" = 1 ]; then
        echo "cleanup: purging the sqcube package"
        "${APT[@]}" purge sqcube >"$WORK/purge-cleanup.log" 2>&1 || { cat "$WORK/purge-cleanup.log"; rc=1; }
    fi
    rm -rf "$WORK"
    exit $rc
}
trap cleanup EXIT
trap 'exit 143' TERM INT # so that cleanup runs when ctest stops the test

# ---- build the package -------------------------------------------------------------------------
cpack --config "$BUILD/CPackConfig.cmake" -G DEB -B "$WORK/pkg" >"$WORK/cpack.log" 2>&1 \
    || { cat "$WORK/cpack.log"; fail "cpack -G DEB failed"; }
version=$("$BUILD/sqcube" --version | head -n 1 | awk '{print $2}')
arch=$(dpkg --print-architecture)
DEB="$WORK/pkg/sqcube_${version}_${arch}.deb"
[ -f "$DEB" ] || { ls "$WORK/pkg"; fail "no $(basename "$DEB") made"; }
[ "$(dpkg-deb -f "$DEB" Package)" = sqcube ] || fail "Package field"
[ "$(dpkg-deb -f "$DEB" Version)" = "$version" ] || fail "Version $(dpkg-deb -f "$DEB" Version), the binary says $version"
echo "ok: built $(basename "$DEB")"

# Depends: the package of every library the packaged binary needs (NEEDED), and mpirun's.
mkdir "$WORK/x"
dpkg-deb -x "$DEB" "$WORK/x"
depends=$(dpkg-deb -f "$DEB" Depends | tr ',' '\n' | sed -E 's/^ *//; s/ .*//')
needed=$(readelf -d "$WORK/x/usr/bin/sqcube" | sed -nE 's/.*\(NEEDED\).*\[(.*)\].*/\1/p')
[ -n "$needed" ] || fail "readelf found no NEEDED libraries"
want=(openmpi-bin)
for lib in $needed; do
    path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ && !found {print $NF; found = 1}')
    [ -n "$path" ] || fail "$lib: not in ldconfig's cache"
    # dpkg knows the path it unpacked: the name as linked, or its target (merged /usr).
    pkg=$( (dpkg -S "$path" || dpkg -S "$(readlink -f "$path")") 2>/dev/null | sed -n '1s/:.*//p') || true
    [ -n "$pkg" ] || fail "$lib ($path): no Debian package holds it"
    want+=("$pkg")
done
for p in "${want[@]}"; do
    grep -qx "$p" <<<"$depends" || fail "Depends lacks $p: $(dpkg-deb -f "$DEB" Depends)"
done
recommends=$(dpkg-deb -f "$DEB" Recommends | tr ',' '\n' | sed -E 's/^ *//; s/ .*//')
for p in python3-h5py python3-numpy python3-matplotlib; do
    grep -qx "$p" <<<"$recommends" || fail "Recommends lacks $p"
done
readelf -d "$WORK/x/usr/bin/sqcube" | grep -E 'RPATH|RUNPATH' && fail "the packaged binary carries a library search path"
echo "ok: Depends holds $(printf "%s\n" "${want[@]}" | sort -u | tr "\n" " ")(dpkg -S of each NEEDED library, and mpirun's); Recommends the analysis scripts' Python packages"

# Contents: all under /usr; the docs link only to what is in the package.
dpkg-deb -c "$DEB" | awk '{print $NF}' | sed 's|^\./|/|; s|/$||' | grep -v '^$' >"$WORK/contents"
grep -v '^/usr' "$WORK/contents" && fail "files outside /usr"
for f in /usr/bin/sqcube /usr/share/man/man1/sqcube.1 /usr/share/doc/sqcube/README.md \
    /usr/share/doc/sqcube/docs/cli.md /usr/share/doc/sqcube/docs/img/analysis-summary.png \
    /usr/share/doc/sqcube/jobs/slurm/hybrid.sbatch /usr/share/doc/sqcube/jobs/pbs/hybrid.pbs \
    /usr/share/sqcube/analysis/summary.py "/usr/share/modulefiles/sqcube/$version.lua" \
    "/usr/share/modulefiles/sqcube/$version"; do
    grep -qxF "$f" "$WORK/contents" || fail "the package lacks $f"
done
"$PY" "$HERE/doc_links.py" "$WORK/x/usr/share/doc/sqcube" 30 || fail "the packaged docs link to files not in the package"
grep -q 'installed_prefix = "/usr"' "$WORK/x/usr/share/modulefiles/sqcube/$version.lua" \
    || fail "the packaged Lmod modulefile does not fall back to /usr"

# ---- install ------------------------------------------------------------------------------------
dpkg-query -W -f='${Package} ${Version} ${Status}\n' | sort >"$WORK/packages.before"
existed=()
while read -r p; do [ -e "$p" ] && existed+=("$p"); done <"$WORK/contents"
# Everything sqcube Depends on is here (this machine built and ran it): apt must add nothing else.
"${APT[@]}" -s --no-install-recommends install "$DEB" >"$WORK/simulate.log" 2>&1 \
    || { cat "$WORK/simulate.log"; fail "apt-get cannot install the package"; }
others=$(grep '^Inst ' "$WORK/simulate.log" | awk '{print $2}' | grep -vx sqcube || true)
[ -z "$others" ] || fail "apt-get would also install: $others (run scripts/install-deps.sh first)"
INSTALLED=1
(cd "$WORK/pkg" && "${APT[@]}" --no-install-recommends install "./$(basename "$DEB")") >"$WORK/install.log" 2>&1 \
    || { cat "$WORK/install.log"; fail "apt-get install ./$(basename "$DEB") failed"; }
dpkg-query -W -f='${Status}' sqcube | grep -q 'install ok installed' || fail "dpkg does not list sqcube as installed"
dpkg -L sqcube >"$WORK/dpkg-L"
echo "ok: apt-get install ./$(basename "$DEB"): $(grep -c . "$WORK/dpkg-L") paths"

# ---- use it as a user would ---------------------------------------------------------------------
[ "$(command -v sqcube)" = /usr/bin/sqcube ] || fail "sqcube on PATH is $(command -v sqcube)"
[ "$(man -w sqcube)" = /usr/share/man/man1/sqcube.1 ] || fail "man -w sqcube: $(man -w sqcube 2>&1)"
mkdir "$WORK/run"
hide=("$SRC")
case "$BUILD/" in "$SRC"/*) ;; *) hide+=("$BUILD") ;; esac
quick_job sqcube "$WORK/run" 1e7 "${hide[@]}"
"$PY" /usr/share/sqcube/analysis/summary.py "$WORK/run/quick.h5" >/dev/null || fail "the installed summary.py"

# ---- remove: nothing left behind ----------------------------------------------------------------
"${APT[@]}" purge sqcube >"$WORK/purge.log" 2>&1 || { cat "$WORK/purge.log"; fail "apt-get purge sqcube failed"; }
INSTALLED=0
dpkg -L sqcube >/dev/null 2>&1 && fail "dpkg -L sqcube still lists files after purge"
dpkg-query -W sqcube >/dev/null 2>&1 && fail "dpkg still knows the sqcube package after purge"
left=()
while read -r p; do
    [ -e "$p" ] || continue
    was=0
    for e in "${existed[@]}"; do [ "$e" = "$p" ] && { was=1; break; }; done
    [ "$was" = 1 ] || left+=("$p")
done < <(cat "$WORK/contents" "$WORK/dpkg-L" | sort -u)
[ "${#left[@]}" = 0 ] || fail "left behind after purge: ${left[*]}"
dpkg-query -W -f='${Package} ${Version} ${Status}\n' | sort >"$WORK/packages.after"
diff "$WORK/packages.before" "$WORK/packages.after" || fail "the set of installed packages changed"
"$BUILD/sqcube" --version >/dev/null || fail "the build tree's sqcube no longer runs"
echo "ok: apt-get purge sqcube left nothing behind; the build tree is intact"
