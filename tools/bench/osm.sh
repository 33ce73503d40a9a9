#!/bin/sh
# tools/bench/osm.sh [BJ_DIR] [OUT_DIR]: OSM at city scale. Writes the Beijing-scale generated roads (BJ_DIR,
# made by emscov-gencity --preset beijing when missing) as OpenStreetMap XML (ogr2ogr to CSV in EPSG:4326,
# then tools/bench/roads_to_osm.py), converts it to PBF with `osmium cat`, and times, best of RUNS (3):
#   - osmium's own reads of the PBF: `osmium fileinfo -e` and `osmium cat -f opl -o /dev/null`;
#   - `emscov network info` on the PBF (read + graph build), with all threads and with EMSCOV_THREADS=1;
#   - the read alone: `emscov network info --speed` with a profile where no class is drivable, so every block
#     is read, decoded and every way filtered, and the command stops at "no drivable roads" (exit 2);
#   - `emscov network info` on the XML;
#   - OLD_EMSCOV=path: the same with another emscov binary (e.g. one built before the reader changed).
# Prints each time and the ratio to `osmium fileinfo -e` (issue 16's goal: within 2x). Not a test: record the
# figures in docs/performance.md ("OSM at city scale").
# Env: BUILD (Release build dir, default build-bench; built here), RUNS, OLD_EMSCOV.
set -eu
cd "$(dirname "$0")/../.."
BJ=${1:-/tmp/bj}
OUT=${2:-/tmp/bj-osm}
BUILD=${BUILD:-build-bench}
RUNS=${RUNS:-3}
for tool in osmium ogr2ogr python3; do
  command -v $tool >/dev/null || { echo "osm.sh: $tool not found (tools/setup.sh test installs it)" >&2; exit 2; }
done
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DEMSCOV_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j"${JOBS:-2}" --target emscov emscov-gencity >/dev/null
EMSCOV=$BUILD/src/emscov
[ -s "$BJ/index.txt" ] || "$BUILD/tools/gencity/emscov-gencity" --preset beijing "$BJ" >/dev/null
mkdir -p "$OUT"
if [ ! -s "$OUT/roads.osm.pbf" ] || [ "$BJ/roads.shp" -nt "$OUT/roads.osm.pbf" ]; then
  ogr2ogr -f CSV -lco GEOMETRY=AS_WKT -t_srs EPSG:4326 -overwrite "$OUT/roads.csv" "$BJ/roads.shp"
  python3 tools/bench/roads_to_osm.py "$OUT/roads.csv" >"$OUT/roads.osm"
  osmium cat -O "$OUT/roads.osm" -o "$OUT/roads.osm.pbf"
  rm -f "$OUT/roads.csv"
fi
PBF=$OUT/roads.osm.pbf
echo "$(osmium fileinfo -e -g data.count.nodes "$PBF") nodes, $(osmium fileinfo -e -g data.count.ways "$PBF") ways;" \
  "PBF $(wc -c <"$PBF") bytes, XML $(wc -c <"$OUT/roads.osm") bytes; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# best RUNS wall time of a command (GNU time), in seconds
best() {
  b=""
  i=0
  while [ $i -lt "$RUNS" ]; do
    /usr/bin/time -f "%e %M" -o "$T/t" "$@" >/dev/null 2>"$T/err" || { cat "$T/err" >&2; exit 1; }
    t=$(cut -d' ' -f1 "$T/t")
    rss=$(cut -d' ' -f2 "$T/t")
    b=$(echo "$b $t" | awk '{ m = $1; for (i = 2; i <= NF; i++) if ($i < m) m = $i; print m }')
    i=$((i + 1))
  done
  echo "$b $rss"
}
ref=""
report() {
  label=$1
  shift
  r=$(best "$@")
  t=${r% *}
  [ -n "$ref" ] || ref=$t
  printf '%-48s %6.2f s  %6.2fx osmium fileinfo  (max RSS %s kB)\n' "$label" "$t" \
    "$(echo "$t $ref" | awk '{ printf "%.2f", $1 / $2 }')" "${r#* }"
}
# a speed profile with no drivable class, and a wrapper that expects emscov to stop at "no drivable roads"
awk '/^\[/ { s = ($0 == "[osm_classes]") } s && !/^;/ { sub(/= *yes/, "= no") } { print }' data/speed/default.ini \
  >"$T/noroads.ini"
cat >"$T/readonly.sh" <<WRAP
#!/bin/sh
"\$@" 2>"$T/ro.err"
rc=\$?
[ \$rc = 2 ] && grep -q 'no drivable roads' "$T/ro.err"
WRAP
report "osmium fileinfo -e (PBF)" osmium fileinfo -e "$PBF"
report "osmium cat -f opl -o /dev/null (PBF)" osmium cat -O -f opl -o /dev/null "$PBF"
report "emscov network info (PBF)" "$EMSCOV" network info "$PBF"
report "emscov network info (PBF, EMSCOV_THREADS=1)" env EMSCOV_THREADS=1 "$EMSCOV" network info "$PBF"
report "emscov read only (PBF)" sh "$T/readonly.sh" "$EMSCOV" network info --speed "$T/noroads.ini" "$PBF"
report "emscov read only (PBF, EMSCOV_THREADS=1)" env EMSCOV_THREADS=1 sh "$T/readonly.sh" "$EMSCOV" network info \
  --speed "$T/noroads.ini" "$PBF"
report "emscov network info (XML)" "$EMSCOV" network info "$OUT/roads.osm"
report "osmium fileinfo -e (XML)" osmium fileinfo -e "$OUT/roads.osm"
report "emscov network info (roads.shp, same roads)" "$EMSCOV" network info "$BJ/roads.shp"
if [ -n "${OLD_EMSCOV:-}" ]; then
  report "OLD_EMSCOV network info (PBF)" "$OLD_EMSCOV" network info "$PBF"
  report "OLD_EMSCOV read only (PBF)" sh "$T/readonly.sh" "$OLD_EMSCOV" network info --speed "$T/noroads.ini" "$PBF"
  report "OLD_EMSCOV network info (XML)" "$OLD_EMSCOV" network info "$OUT/roads.osm"
fi
