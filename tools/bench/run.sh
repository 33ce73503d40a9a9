#!/bin/sh
# tools/bench/run.sh: the Beijing-scale benchmarks (not tests). Builds Release, generates the Beijing-scale
# sample city once into $BENCH_DIR (default /tmp/emscov-bench/beijing, ~185 MB), starts the test PostgreSQL
# (for the pgRouting peer) and runs every benchmark, printing timings and ratios against the peers measured
# in the same run. Record the results in docs/performance.md.
set -eu
cd "$(dirname "$0")/../.."
tools/setup.sh test
BENCH_DIR=${BENCH_DIR:-/tmp/emscov-bench/beijing}
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DEMSCOV_TESTS=OFF >/dev/null
cmake --build build-bench -j"${JOBS:-2}" >/dev/null
if [ ! -s "$BENCH_DIR/index.txt" ]; then
  mkdir -p "$(dirname "$BENCH_DIR")"
  build-bench/tools/gencity/emscov-gencity --preset beijing "$BENCH_DIR"
fi
conninfo=$(tools/pgtest.sh start)
echo "== network engine, Beijing scale (graph build, 12-min passes, service areas; pgRouting peer)"
/usr/bin/time -f "wall %e s, peak RSS %M KiB" \
  build-bench/tools/bench/emscov-bench-network --pg "$conninfo" "$BENCH_DIR/roads.shp" "$BENCH_DIR/stations.shp"
echo "== the 12-min passes with turn restrictions at 5 % of the junctions (issue 15), fastest of 5, pgRouting peer"
build-bench/tools/bench/emscov-bench-network --turns 0.05 --repeat 5 --pg "$conninfo" "$BENCH_DIR/roads.shp" \
  "$BENCH_DIR/stations.shp" | grep -E 'turn restrictions|pass|pgRouting|ratio'
echo "== service areas by station (465 stations), 10 m and 20 m cells"
for cell in 10 20; do
  build-bench/tools/bench/emscov-bench-network --cell "$cell" --areas-by-station "$BENCH_DIR/roads.shp" \
    "$BENCH_DIR/stations.shp" | grep 'service areas'
done
