#!/bin/sh
# tools/bench/run.sh [BJ_DIR]: issue 16's Beijing-scale figures in one run, each beside its goal and the peer
# measured in the same run, with the machine's load average at the time (the project machine is shared):
#   1. `emscov analyze` (no database): wall, CPU, peak RSS; goal <= 5 s wall, <= 1.5 GiB.
#   2. its GeoPackage step vs `ogr2ogr -f GPKG` of the same layers (from the file analyze wrote); goal >= 3x.
#   3. `emscov analyze --db`: wall and the store step vs `ogr2ogr -f PostgreSQL` (PG_USE_COPY) of the same
#      GeoPackage layers; goals <= 8 s in all, store <= 3 s.
#   4. OSM read of the Beijing roads as PBF vs `osmium fileinfo -e` / `osmium cat` (tools/bench/osm.sh); goal <= 2x.
#   5. the all-station 12-min pass vs pgRouting on the same graph (emscov-bench-network).
#   6. `emscov sites`: ~10,000 grid candidates (goal <= 5 s) and greedy k = 50 (goal < 1 s).
#   7. `emscov report` (PDF) and `emscov map` (time map, A3 300 dpi) of the analyze run; goal <= 5 s each.
#   8. the scale curve: `emscov analyze` on `emscov-gencity --preset beijing --scale F` for F in $SCALES, each
#      step's seconds from analyze's own timings, as a markdown table.
# Not a test; record the figures in docs/performance.md. Builds Release into $BUILD (build-bench); the city is
# generated once into BJ_DIR (default $BENCH_DIR or /tmp/emscov-bench/beijing, ~185 MB), the scaled ones beside
# it; PLOT=FILE.svg also draws the curve (tools/bench/scale_plot.py) and keeps its data as FILE.csv.
# Env: BUILD, SCALES ("0.25 0.5 1"), PLOT, RUNS (osm.sh's best-of, 1), EMSCOV_TEST_PG (default: tools/pgtest.sh
# start), SKIP (words of the parts to leave out: analyze db osm network sites docs scale), NO_SETUP=1, EXTRA=1
# (issue 15's turn-restriction passes and the per-station service areas too).
set -eu
cd "$(dirname "$0")/../.."
[ -n "${NO_SETUP:-}" ] || tools/setup.sh test
BJ=${1:-${BENCH_DIR:-/tmp/emscov-bench/beijing}}
BUILD=${BUILD:-build-bench}
SCALES=${SCALES:-0.25 0.5 1}
SKIP=${SKIP:-}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DEMSCOV_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j"${JOBS:-2}" >/dev/null
EMSCOV=$BUILD/src/emscov
GENCITY=$BUILD/tools/gencity/emscov-gencity
# city DIR [SCALE]: the Beijing preset generated into DIR once, with the sample scenario beside it
city() {
  [ -s "$1/index.txt" ] || { mkdir -p "$(dirname "$1")" && "$GENCITY" --preset beijing --scale "${2:-1}" "$1" >/dev/null; }
  [ -s "$1/scenario.ini" ] || cp data/sample/scenario.ini "$1/"
}
city "$BJ"
PG=${EMSCOV_TEST_PG:-$(tools/pgtest.sh start)}
PSQL="psql -X -q -v ON_ERROR_STOP=1 -tA"
S=bench_run_$$
T=$(mktemp -d /tmp/emscov-bench-run.XXXXXX)
trap '$PSQL "$PG" -c "SET client_min_messages = warning; DROP SCHEMA IF EXISTS $S CASCADE;
      DROP SCHEMA IF EXISTS ${S}_part CASCADE; DROP SCHEMA IF EXISTS ${S}_ogr CASCADE" >/dev/null 2>&1; rm -rf "$T"' EXIT

skip() { case " $SKIP " in *" $1 "*) return 0 ;; esac; return 1; }
load() { cut -d' ' -f1 /proc/loadavg; }
# timed NAME CMD...: run CMD (stdout to $T/NAME.out, stderr to $T/NAME.err); sets WALL, CPU (user + sys), RSS (MiB)
# and LOAD (the 1-min load average when it started)
timed() {
  name=$1; shift
  LOAD=$(load)
  /usr/bin/time -f "%e %U %S %M" -o "$T/$name.time" "$@" >"$T/$name.out" 2>"$T/$name.err" \
    || { tail -n 5 "$T/$name.err" >&2; echo "run.sh: $name failed" >&2; exit 1; }
  set -- $(tail -n 1 "$T/$name.time")
  WALL=$1; CPU=$(echo "$2 $3" | awk '{ printf "%.2f", $1 + $2 }'); RSS=$(($4 / 1024))
}
# step FILE NAME: seconds of one step on analyze's "timings:" line
step() { sed -n 's/^timings:.*; '"$2"' \([0-9.]*\) s;.*/\1/p; s/^timings: '"$2"' \([0-9.]*\) s;.*/\1/p' "$1" | head -n 1; }
ratio() { echo "$1 $2" | awk '{ if ($2 > 0) printf "%.1f", $1 / $2; else print "n/a" }'; }
verdict() { echo "$1 $2" | awk '{ print ($1 <= $2) ? "met" : sprintf("not met (%.1fx the goal)", $1 / $2) }'; }
row() { printf '%-44s %s\n' "$1" "$2"; }

echo "emscov $(git describe --always --dirty 2>/dev/null || echo ?), $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'), city $BJ"
echo "(load = 1-min load average when the step started; the goals are for a quiet 2-core machine)"

if ! skip analyze; then
  echo "== 1-2. emscov analyze (Beijing preset) and its GeoPackage vs ogr2ogr -f GPKG"
  timed analyze "$EMSCOV" analyze --out "$T/a" "$BJ/scenario.ini"
  row "analyze wall (goal <= 5 s)" "$WALL s, CPU $CPU s, peak RSS $RSS MiB, load $LOAD: $(verdict "$WALL" 5)"
  row "analyze peak RSS (goal <= 1536 MiB)" "$RSS MiB: $(verdict "$RSS" 1536)"
  grep '^timings:' "$T/analyze.out" | sed 's/^/  /'
  gp=$(step "$T/analyze.out" "of which GeoPackage")
  timed ogr_gpkg ogr2ogr -f GPKG "$T/peer.gpkg" "$T/a/emscov.gpkg"
  row "GeoPackage, all result layers" "emscov $gp s; ogr2ogr -f GPKG $WALL s (load $LOAD); ratio $(ratio "$WALL" "$gp")x (goal >= 3x)"
fi

if ! skip db; then
  echo "== 3. emscov analyze --db and its store vs ogr2ogr -f PostgreSQL (PG_USE_COPY)"
  [ -s "$T/a/emscov.gpkg" ] || "$EMSCOV" analyze --out "$T/a" "$BJ/scenario.ini" >/dev/null 2>&1
  timed analyze_db "$EMSCOV" analyze --db "$PG" --db-schema "$S" --out "$T/d" "$BJ/scenario.ini"
  store=$(step "$T/analyze_db.out" "output set + pg store")
  pgload=$(step "$T/analyze_db.out" "of which pg load (partitions: COPY + indexes), own thread")
  rows=$(sed -n 's/^stored run .*(\([0-9]*\) rows, .*/\1/p' "$T/analyze_db.out")
  row "analyze --db wall (goal <= 8 s)" "$WALL s, CPU $CPU s, load $LOAD: $(verdict "$WALL" 8)"
  row "store step (files + pg, goal <= 3 s)" "$store s for $rows rows (of which the pg load on its own thread $pgload s): $(verdict "$store" 3)"
  $PSQL "$PG" -c "SET client_min_messages = warning; CREATE SCHEMA ${S}_ogr"
  timed ogr_pg env PG_USE_COPY=YES ogr2ogr -f PostgreSQL "PG:$PG" "$T/a/emscov.gpkg" -lco SCHEMA="${S}_ogr"
  row "PostGIS store vs ogr2ogr -f PostgreSQL" "emscov pg load $pgload s; ogr2ogr $WALL s (load $LOAD); ratio $(ratio "$WALL" "$pgload")x"
fi

if ! skip osm; then
  echo "== 4. OSM read at city scale (tools/bench/osm.sh; goal: within 2x of osmium fileinfo -e)"
  echo "  load $(load)"
  RUNS=${RUNS:-1} BUILD=$BUILD tools/bench/osm.sh "$BJ" "$BJ-osm" | sed 's/^/  /'
fi

if ! skip network; then
  echo "== 5. all-station 12-min pass vs pgRouting pgr_drivingDistance, same graph (load $(load))"
  "$BUILD/tools/bench/emscov-bench-network" --pg "$PG" "$BJ/roads.shp" "$BJ/stations.shp" \
    | grep -E 'pass|pgRouting|ratio' | sed 's/^/  /'
fi

if [ -n "${EXTRA:-}" ]; then
  echo "== 5b. (EXTRA) the passes with turn restrictions at 5 % of the junctions (issue 15), best of 5, pgRouting peer"
  "$BUILD/tools/bench/emscov-bench-network" --turns 0.05 --repeat 5 --pg "$PG" "$BJ/roads.shp" "$BJ/stations.shp" \
    | grep -E 'turn restrictions|pass|pgRouting|ratio' | sed 's/^/  /'
  for cell in 10 20; do
    "$BUILD/tools/bench/emscov-bench-network" --cell "$cell" --areas-by-station "$BJ/roads.shp" "$BJ/stations.shp" \
      | grep 'service areas' | sed 's/^/  /'
  done
fi

if ! skip sites; then
  echo "== 6. emscov sites: ~10,000 grid candidates (goal <= 5 s), greedy k = 50 (goal < 1 s)"
  timed sites "$EMSCOV" sites --grid 1280 --k 50 --calls-per-day 4000 --job-min 60 --out "$T/s" "$BJ/scenario.ini"
  row "sites, whole command" "$WALL s, CPU $CPU s, peak RSS $RSS MiB, load $LOAD"
  grep -E '^candidates|^time:|newly covered' "$T/sites.out" | sed 's/^/  /'
fi

if ! skip docs; then
  echo "== 7. emscov report and emscov map of the analyze run (goal <= 5 s each)"
  [ -s "$T/a/emscov.gpkg" ] || "$EMSCOV" analyze --out "$T/a" "$BJ/scenario.ini" >/dev/null 2>&1
  timed report "$EMSCOV" report --run "$T/a" --out "$T/report.pdf"
  row "report PDF" "$WALL s, CPU $CPU s, peak RSS $RSS MiB, load $LOAD: $(verdict "$WALL" 5)"
  timed report_html "$EMSCOV" report --run "$T/a" --out "$T/report.html"
  row "report HTML" "$WALL s, CPU $CPU s, peak RSS $RSS MiB, load $LOAD: $(verdict "$WALL" 5)"
  timed map "$EMSCOV" map --gpkg "$T/a/emscov.gpkg" --kind time --page A3 --dpi 300 --out "$T/time.png"
  row "map, time, PNG A3 300 dpi" "$WALL s, CPU $CPU s, peak RSS $RSS MiB, load $LOAD: $(verdict "$WALL" 5)"
fi

if ! skip scale; then
  echo "== 8. scale curve: emscov analyze on emscov-gencity --preset beijing --scale F (seconds of each step)"
  steps="read inputs + build road graph|population to demand points|snap stations + routing (2 labels)|response-time coverage|park service-radius coverage|service-area polygons, on their own thread|of which GeoPackage"
  printf '| scale | demand points | road lines | load | wall s | CPU s | RSS MiB |'
  echo "$steps" | tr '|' '\n' | while IFS= read -r s; do printf ' %s |' "$s"; done
  echo
  printf '|---|---|---|---|---|---|---|'
  echo "$steps" | tr '|' '\n' | while IFS= read -r s; do printf -- '---|'; done
  echo
  csvq() { printf '"%s"' "$1"; } # a CSV field (step names hold commas)
  { printf '"scale","points","roads","wall","cpu","rss"'
    echo "$steps" | tr '|' '\n' | while IFS= read -r s; do printf ',%s' "$(csvq "$s")"; done; echo; } >"$T/scale.csv"
  for f in $SCALES; do
    dir=$BJ
    if [ "$f" != 1 ]; then
      dir=$BJ-scale$f
      city "$dir" "$f"
    fi
    timed "scale$f" "$EMSCOV" analyze --out "$T/scale$f" "$dir/scenario.ini"
    pts=$(sed -n 's/.* cells read: \([0-9]*\) used.*/\1/p' "$T/scale$f.out" | head -n 1)
    roads=$(grep -o '[0-9]* roads read' "$T/scale$f.out" | head -n 1 | cut -d' ' -f1)
    printf '| %s | %s | %s | %s | %s | %s | %s |' "$f" "$pts" "$roads" "$LOAD" "$WALL" "$CPU" "$RSS"
    echo "$steps" | tr '|' '\n' | while IFS= read -r s; do printf ' %s |' "$(step "$T/scale$f.out" "$s")"; done
    echo
    { printf '%s,%s,%s,%s,%s,%s' "$f" "$pts" "$roads" "$WALL" "$CPU" "$RSS"
      echo "$steps" | tr '|' '\n' | while IFS= read -r s; do printf ',%s' "$(step "$T/scale$f.out" "$s")"; done
      echo; } >>"$T/scale.csv"
  done
  if [ -n "${PLOT:-}" ]; then
    cp "$T/scale.csv" "${PLOT%.svg}.csv"
    python3 tools/bench/scale_plot.py "$T/scale.csv" "$PLOT" && echo "scale curve plotted: $PLOT (data ${PLOT%.svg}.csv)"
  fi
fi
