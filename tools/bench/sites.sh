#!/bin/sh
# tools/bench/sites.sh [BJ_DIR]: `emscov sites` at Beijing scale (the synthetic city of
# `emscov-gencity --preset beijing`): ~10,000 grid candidates evaluated (one bounded search each), greedy k = 50
# with the swap pass, and the GLPK size limit (the exact model solved for growing candidate sets until it hits
# the time limit). Prints the timings `emscov sites` reports; not a test. Record results in docs/performance.md.
# Env: BUILD (Release build dir, default build-bench), GRID (candidate spacing, default 1280 m),
# EMSCOV_THREADS (default: all cores).
set -eu
cd "$(dirname "$0")/../.."
BJ=${1:-/tmp/bj}
BUILD=${BUILD:-build-bench}
GRID=${GRID:-1280}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DEMSCOV_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j"${JOBS:-2}" --target emscov emscov-gencity >/dev/null
if [ ! -s "$BJ/index.txt" ]; then
  "$BUILD/tools/gencity/emscov-gencity" --preset beijing "$BJ"
fi
OUT=$(mktemp -d /tmp/emscov-bench-sites.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
echo "== 10,000-candidate what-if + greedy k = 50 (grid $GRID m), standard 12 min"
/usr/bin/time -f "wall %e s, peak RSS %M KiB" "$BUILD/src/emscov" sites --grid "$GRID" --k 50 \
  --calls-per-day 4000 --job-min 60 --out "$OUT/a" "$BJ/scenario.ini" 2>"$OUT/err" \
  | grep -E '^candidates|^baseline|^time:|within 12 min:|newly covered' || { cat "$OUT/err"; exit 1; }
tail -n 1 "$OUT/err"
echo "== GLPK exact MCLP size limit (k = 10, time limit ${TLIM:-60} s): candidate grids from coarse to fine"
for g in 8000 5000 3500 2500 1800; do
  echo "-- grid $g m"
  "$BUILD/src/emscov" sites --grid "$g" --k 10 --exact --exact-max-nz 100000000 --time-limit "${TLIM:-60}" \
    --out "$OUT/e$g" "$BJ/scenario.ini" 2>/dev/null | grep -E '^candidates|^exact|^time:' || true
done
