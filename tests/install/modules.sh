#!/usr/bin/env bash
# The installed modulefiles under the real module systems of Debian: Lmod (the lmod package) and
# Environment Modules (environment-modules; it conflicts with lmod, so where it is not installed
# its package is downloaded and unpacked into this test's own folder, never installed). In a clean
# shell: `module use PREFIX/share/modulefiles` of a MOVED prefix, `module load` the name the job
# scripts' "module load" comments give, help and whatis, `sqcube --version`, man, a 2-rank job, then
# `module unload` must give back the environment as it was (PATH, MANPATH, everything but the
# module system's own bookkeeping). Then a copy of the modulefile in another folder (as admins put
# it into a site's module tree) falls back to the prefix it was installed into. Under Lmod, the Tcl
# modulefile alone is loaded too.
# Usage: modules.sh lmod|envmodules BUILD_DIR CACHE_DIR   (CACHE_DIR keeps the unpacked package)
set -euo pipefail
# shellcheck source=tests/install/common.sh
source "$(dirname "$0")/common.sh"
SYSTEM=$1
BUILD=$(cd "$2" && pwd)
CACHE=$3

case $SYSTEM in
lmod)
    INIT=/usr/share/lmod/lmod/init/profile # what /etc/profile.d/lmod.sh sources at login
    [ -r "$INIT" ] || skip "Lmod is not installed (apt-get install lmod; scripts/install-deps.sh --tests)"
    ;;
envmodules)
    if [ -r /usr/share/modules/init/bash ] && [ -r /usr/lib/x86_64-linux-gnu/modulecmd.tcl ]; then
        INIT=/usr/share/modules/init/bash # installed (then lmod is not: they conflict)
    else
        command -v tclsh8.6 >/dev/null || skip "tclsh8.6 missing (apt-get install tcl8.6), needed by Environment Modules"
        CMD=$(find "$CACHE/root" -name modulecmd.tcl -path '*x86_64-linux-gnu*' 2>/dev/null | head -n 1 || true)
        if [ -z "$CMD" ]; then
            rm -rf "$CACHE" && mkdir -p "$CACHE"
            (cd "$CACHE" && apt-get download environment-modules >download.log 2>&1) \
                || skip "cannot download Debian's environment-modules ($(tail -n 1 "$CACHE/download.log")); it conflicts with lmod, so it is unpacked here, not installed"
            dpkg-deb -x "$CACHE"/environment-modules_*.deb "$CACHE/root" || fail "dpkg-deb -x failed"
            CMD=$(find "$CACHE/root" -name modulecmd.tcl -path '*x86_64-linux-gnu*' | head -n 1)
        fi
        [ -n "$CMD" ] || fail "no modulecmd.tcl in the unpacked environment-modules"
        # Its own start-up (autoinit): defines `module` calling this modulecmd.tcl, sets MANPATH.
        INIT="$CACHE/init.sh"
        echo "eval \"\$(tclsh8.6 '$CMD' bash autoinit)\"" >"$INIT"
    fi
    ;;
*) fail "usage: modules.sh lmod|envmodules BUILD_DIR CACHE_DIR" ;;
esac

WORK=$(scratch "modules-$SYSTEM")
trap 'rm -rf "$WORK"' EXIT
install_into "$BUILD" "$WORK/installed"
mv "$WORK/installed" "$WORK/moved"
P="$WORK/moved"
mkdir "$WORK/run" "$WORK/site"

# The module name the job scripts tell users to load must be the one that loads.
names=$(grep -h '^# module load' "$SRC"/jobs/slurm/*.sbatch "$SRC"/jobs/pbs/*.pbs | tr ' ' '\n' | grep '^sqcube' | sort -u)
if [ -z "$names" ] || [ "$(echo "$names" | wc -l)" != 1 ]; then
    fail "the job scripts' module load comments name sqcube as: '$(echo "$names" | tr '\n' ' ')'"
fi
NAME=$names
version=$("$P/bin/sqcube" --version | head -n 1 | awk '{print $2}')

# The session, in a clean login-like shell (no inherited module state), with `set -x` off so the
# module system's own functions run as they would for a user.
cat >"$WORK/session.sh" <<'SESSION'
INIT=$1 P=$2 NAME=$3 VERSION=$4 RUN=$5 FILE=$6
say() { echo "session: $*"; }
bad() { echo "session FAIL: $*"; exit 1; }
# Variables the module systems keep for themselves, left out of the before/after comparison.
# Lmod writes a MANPATH ending in ':' (man's own path) back as '::' at its first change: the same
# search path, so runs of ':' count as one.
snapshot() {
    env | grep -Ev '^(_ModuleTable[0-9_]*_|__LMOD_[A-Z_]*|_LMFILES_|LOADEDMODULES|LMOD_[A-Z_]*|__MODULES_[A-Z_]*|MODULES_[A-Z_]*|_)=' \
        | sed -E '/^MANPATH=/s/:+/:/g' | sort
}
manpath() { echo "${MANPATH-unset}" | sed -E 's/:+/:/g'; }
source "$INIT" || bad "sourcing $INIT"
type module >/dev/null 2>&1 || bad "no module command after $INIT"
module use "$P/share/modulefiles" || bad "module use"
module avail 2>&1 | grep -q "sqcube/$VERSION" || { module avail; bad "module avail does not list sqcube/$VERSION"; }
module avail 2>&1 | grep -q "$VERSION\.lua" && bad "module avail lists the .lua file as a version of its own"
before=$(snapshot)
manpath_before=$(manpath)
module load "$NAME" || bad "module load $NAME"
[ "$_LMFILES_" = "$P/share/modulefiles/sqcube/$FILE" ] || bad "loaded $_LMFILES_, not the modulefile $FILE"
[ "$(command -v sqcube)" = "$P/bin/sqcube" ] || bad "sqcube on PATH is $(command -v sqcube), not $P/bin/sqcube"
[ "$SQCUBE_ROOT" = "$P" ] || bad "SQCUBE_ROOT=$SQCUBE_ROOT, not $P"
[ "$SQCUBE_ANALYSIS" = "$P/share/sqcube/analysis" ] || bad "SQCUBE_ANALYSIS=$SQCUBE_ANALYSIS"
[ -x "$SQCUBE_ANALYSIS/summary.py" ] || bad "no summary.py in SQCUBE_ANALYSIS"
case ":$MANPATH:" in *":$P/share/man:"*) ;; *) bad "MANPATH=$MANPATH lacks $P/share/man" ;; esac
[ "$(man -w sqcube)" = "$P/share/man/man1/sqcube.1" ] || bad "man -w sqcube gives $(man -w sqcube)"
man -w man >/dev/null 2>&1 || bad "the system's man pages are lost with MANPATH=$MANPATH"
sqcube --version | head -n 1 | grep -q "^sqcube $VERSION" || bad "sqcube --version: $(sqcube --version | head -n 1)"
module whatis sqcube 2>&1 | grep -q "Description: squares and cubes" || { module whatis sqcube; bad "module whatis"; }
module help sqcube 2>&1 | grep -q "SQCUBE_ANALYSIS *= $P/share/sqcube/analysis" || { module help sqcube; bad "module help"; }
module list 2>&1 | grep -q "sqcube/$VERSION" || bad "module list does not show sqcube/$VERSION"
(
    cd "$RUN" || bad "cd $RUN"
    OMP_NUM_THREADS=1 mpirun -np 2 -x OMP_NUM_THREADS sqcube run --generate range:1e5 --output quick.h5 -q || bad "the 2-rank run"
    mpirun -np 2 sqcube verify quick.h5 | grep -q '^verify: OK' || bad "sqcube verify"
) || exit 1
module unload sqcube || bad "module unload"
[ "$(manpath)" = "$manpath_before" ] || bad "MANPATH after unload is '${MANPATH-unset}', was '$manpath_before'"
after=$(snapshot)
[ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after"); bad "module unload did not restore the environment"; }
command -v sqcube >/dev/null && bad "sqcube still on PATH after unload"
say "ok: loaded $NAME ($VERSION) from $P, ran, unloaded; environment restored"
SESSION

clean_env=(env -i HOME="$HOME" USER="${USER:-root}" LOGNAME="${LOGNAME:-root}" TERM=dumb
    PATH=/usr/local/bin:/usr/bin:/bin OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1)
# Lmod takes the .lua file where both are; Environment Modules the Tcl one.
file=$version
[ "$SYSTEM" = lmod ] && file=$version.lua
"${clean_env[@]}" bash --noprofile --norc "$WORK/session.sh" "$INIT" "$P" "$NAME" "$version" "$WORK/run" "$file" \
    || fail "$SYSTEM: the module session failed"
"$PY" "$CHECK_OUTPUT" "$WORK/run/quick.h5" >/dev/null || fail "check_output.py refused the module run's result"

# The modulefile copied into a site's module tree (away from its prefix) uses the prefix it was
# installed into; here that prefix was moved, so a copy must fail with one clear line instead.
mkdir -p "$WORK/site/sqcube"
cp "$P/share/modulefiles/sqcube/$version"* "$WORK/site/sqcube/"
# shellcheck disable=SC2016 # expanded by the inner shell
"${clean_env[@]}" bash --noprofile --norc -c 'source "$1"; module use "$2"; module load sqcube; echo "SQCUBE_ROOT=${SQCUBE_ROOT-unset}"' \
    _ "$INIT" "$WORK/site" >"$WORK/copy.log" 2>&1 || true
tr -s '\n ' '  ' <"$WORK/copy.log" | grep -q "sqcube: no bin/sqcube beside this modulefile" || { cat "$WORK/copy.log"; fail "$SYSTEM: a copy away from a moved prefix loaded without the error"; }
grep -q '^SQCUBE_ROOT=unset' "$WORK/copy.log" || { cat "$WORK/copy.log"; fail "$SYSTEM: a failed load still set SQCUBE_ROOT"; }
# ... and with the prefix back where it was installed, the copy finds it.
mv "$P" "$WORK/installed"
# shellcheck disable=SC2016 # expanded by the inner shell
"${clean_env[@]}" bash --noprofile --norc -c 'source "$1"; module use "$2"; module load sqcube; echo "SQCUBE_ROOT=${SQCUBE_ROOT-unset}"; command -v sqcube' \
    _ "$INIT" "$WORK/site" >"$WORK/copy.log" 2>&1 || true
if ! grep -qxF "SQCUBE_ROOT=$WORK/installed" "$WORK/copy.log" || ! grep -qxF "$WORK/installed/bin/sqcube" "$WORK/copy.log"; then
    cat "$WORK/copy.log"
    fail "$SYSTEM: a copied modulefile did not fall back to the prefix it was installed into"
fi
echo "ok: $SYSTEM: module load $NAME from a moved prefix; a copied modulefile falls back to its install prefix"

# Lmod reads Tcl modulefiles too: with only the Tcl file (as on a site that keeps one kind), from a
# moved prefix again.
if [ "$SYSTEM" = lmod ]; then
    mv "$WORK/installed" "$WORK/moved-again"
    rm "$WORK/moved-again/share/modulefiles/sqcube/$version.lua"
    rm -f "$WORK/run/quick.h5"
    "${clean_env[@]}" bash --noprofile --norc "$WORK/session.sh" "$INIT" "$WORK/moved-again" "$NAME" "$version" "$WORK/run" "$version" \
        || fail "lmod: the module session with the Tcl modulefile alone failed"
    echo "ok: lmod: the Tcl modulefile alone works the same"
fi
