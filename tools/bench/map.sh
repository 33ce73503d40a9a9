#!/bin/sh
# tools/bench/map.sh [BJ_DIR] [OUT_DIR]: `emscov map` at Beijing scale: the whole-city response-time map as
# PNG, A3, 300 dpi (goal <= 3 s), the same as PDF, and the batch of one PNG per district (A4, 150 dpi).
# Runs `emscov analyze` first when OUT_DIR has no emscov.gpkg. Prints wall, user and system seconds of each
# step (GNU time); not a test: record the figures in docs/performance.md ("maps").
# Env: BUILD (Release build dir, default build-bench; built here).
set -eu
cd "$(dirname "$0")/../.."
BJ=${1:-/tmp/bj}
OUT=${2:-/tmp/bj-map-out}
BUILD=${BUILD:-build-bench}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DEMSCOV_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j"${JOBS:-2}" --target emscov >/dev/null
EMSCOV=$BUILD/src/emscov
if [ ! -s "$BJ/index.txt" ]; then
  cmake --build "$BUILD" -j"${JOBS:-2}" --target emscov-gencity >/dev/null
  "$BUILD/tools/gencity/emscov-gencity" --preset beijing "$BJ"
fi
[ -s "$OUT/emscov.gpkg" ] || "$EMSCOV" analyze --out "$OUT" "$BJ/scenario.ini" >/dev/null
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
run() { label=$1; shift; /usr/bin/time -f "$label: %e s wall, %U s user, %S s sys, %M kB max RSS" "$@" >/dev/null; }
echo "$(grep -c . "$BJ/index.txt") layers in $BJ; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
run "time map PNG A3 300 dpi" "$EMSCOV" map --gpkg "$OUT/emscov.gpkg" --kind time --page A3 --dpi 300 --out "$T/time.png"
run "time map PDF A3" "$EMSCOV" map --gpkg "$OUT/emscov.gpkg" --kind time --page A3 --out "$T/time.pdf"
run "choropleth PNG A3 300 dpi" "$EMSCOV" map --gpkg "$OUT/emscov.gpkg" --kind choropleth --page A3 --dpi 300 \
  --out "$T/choropleth.png"
run "batch: time map per district, PNG A4 150 dpi" "$EMSCOV" map --gpkg "$OUT/emscov.gpkg" --kind time \
  --each district --out "$T/districts"
run "batch: gaps per district, one PDF" "$EMSCOV" map --gpkg "$OUT/emscov.gpkg" --kind gaps --each district \
  --out "$T/gaps.pdf"
echo "files: $(ls "$T/districts" | wc -l) district PNGs; PNG A3 $(stat -c %s "$T/time.png") bytes," \
  "PDF $(stat -c %s "$T/time.pdf") bytes"
