#!/bin/sh
# tools/setup.sh: install what emscov needs from Debian 12's packages (non-interactive, idempotent: when all
# are present it only checks, in well under a second). Run as root, or as a user with sudo.
#   tools/setup.sh run    compilers and libraries to build and run emscov (the README's first command); gettext's
#                         msgfmt builds the Chinese catalogue (po/), fonts-noto-cjk draws Chinese in maps and reports
#   tools/setup.sh test   + PostgreSQL 15 / PostGIS 3 / pgRouting, cmocka, GDAL's ogrinfo, cs2cs, osmium, valgrind,
#                         osm2pgrouting (the reference import of the method = pgrouting test), clang with the
#                         libFuzzer runtime (tools/fuzz.sh), poppler-utils (pdftotext, pdffonts) and chromium
#                         (headless) to check the reports, dpkg-dev (cpack -G DEB: dpkg-shlibdeps) and man-db
#                         (man -l on the installed pages), python3-qgis (PyQGIS opens the styled GeoPackage), jq,
#                         python3 (tests read report.json) and file (cpack's dpkg-shlibdeps step; tests check output types)
set -eu
BUILD="gcc libc6-dev make cmake pkg-config libgeos-dev libproj-dev proj-data libshp-dev libpq-dev libssl-dev libsqlite3-dev libjson-c-dev libinih-dev libexpat1-dev zlib1g-dev libglpk-dev libgdal-dev libcairo2-dev libpango1.0-dev fonts-noto-cjk gettext"
TEST="libcmocka-dev jq python3 file dpkg-dev man-db python3-qgis postgresql-15 postgresql-15-postgis-3 postgresql-15-pgrouting gdal-bin proj-bin osmium-tool valgrind sqlite3 osm2pgrouting clang libclang-rt-14-dev poppler-utils chromium"
case "${1:-run}" in
  run)  PKGS=$BUILD ;;
  test) PKGS="$BUILD $TEST" ;;
  *)    echo "usage: $0 run|test" >&2; exit 2 ;;
esac
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "setup: missing packages:$missing; run as root or install sudo" >&2; exit 1; }
  SUDO=sudo
fi
echo "setup: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
