#!/usr/bin/env bash
# Builds the Debian package: sqcube_VERSION_ARCH.deb, with its Depends read from the libraries the
# binary links (docs/install.md). Configures and builds a Release build without the tests (they
# need CUnit, the package does not), then runs CPack.
#   bash scripts/package.sh [BUILD_DIR [extra cmake arguments...]]   (default build-package)
# Install it with: sudo apt-get install ./sqcube_VERSION_ARCH.deb
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build-package}
shift || true
for t in cmake cpack dpkg-deb dpkg-shlibdeps; do
    command -v "$t" >/dev/null || { echo "package: $t not found (bash scripts/install-deps.sh)" >&2; exit 1; }
done
bash "$ROOT/scripts/build.sh" "$BUILD" -DSQCUBE_BUILD_TESTS=OFF -DSQCUBE_BUILD_EXAMPLES=OFF "$@" >/dev/null
(cd "$BUILD" && cpack -G DEB >cpack.log 2>&1) || { cat "$BUILD/cpack.log" >&2; exit 1; }
version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$BUILD/CPackConfig.cmake")
deb="$BUILD/sqcube_${version}_$(dpkg --print-architecture).deb"
[ -f "$deb" ] || { echo "package: cpack made no $deb" >&2; exit 1; }
echo "package: $deb"
dpkg-deb -f "$deb" Package Version Depends Recommends | sed 's/^/  /'
