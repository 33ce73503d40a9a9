#!/bin/sh
# tests/integration/analyze_gdal.sh EMSCOV SAMPLE_DIR TMP: the sample city's inputs in the formats GIS teams ship
# (issue 17), each written by GDAL's own tools from the sample's files, give the same analysis:
#  - the population grid as a GeoTIFF (gdal_translate from population.asc): report.json equal to the ASCII
#    grid's in every figure (only the input paths and the population method's wording differ);
#  - then also the stations and roads as FlatGeobuf and the parks as KML (ogr2ogr): the same again;
#  - bad files are bad input (exit 2), never a crash: a truncated GeoTIFF, a truncated FlatGeobuf of roads
#    (read on the road network's own thread).
set -u
EMSCOV=$1; SAMPLE=$2; TMP=$3
fail() { echo "FAIL: $*"; exit 1; }
for tool in gdal_translate ogr2ogr jq; do command -v $tool >/dev/null || { echo "skipped: no $tool"; exit 77; }; done
rm -rf "$TMP" && mkdir -p "$TMP/c" && cp "$SAMPLE"/* "$TMP/c/" || fail "copying the sample"
C=$TMP/c
gdal_translate -q "$SAMPLE/population.asc" "$C/population.tif" || fail "gdal_translate"
ogr2ogr -f FlatGeobuf -lco SPATIAL_INDEX=NO "$C/stations.fgb" "$SAMPLE/stations.shp" || fail "ogr2ogr stations"
ogr2ogr -f FlatGeobuf -lco SPATIAL_INDEX=NO "$C/roads.fgb" "$SAMPLE/roads.shp" || fail "ogr2ogr roads"
ogr2ogr -f KML "$C/parks.kml" "$SAMPLE/parks.geojson" || fail "ogr2ogr parks"
sed 's/population.asc/population.tif/' "$C/scenario.ini" >"$C/tif.ini"
sed 's/population.asc/population.tif/; s/path = stations.shp/path = stations.fgb/; s/path = roads.shp/path = roads.fgb/;
     s/path = parks.geojson/path = parks.kml/' "$C/scenario.ini" >"$C/gdal.ini"
grep -q 'path = roads.fgb' "$C/gdal.ini" && grep -q 'path = parks.kml' "$C/gdal.ini" || fail "scenario rewrite"

# report.json without what names the input files (paths, their checksums, the population method's wording, timings)
figures() {
  jq -S 'del(.inputs, .input_files, .timings, .population.method) | .ledger.layers |= map(del(.path))' "$1"
}
for run in scenario tif gdal; do
  "$EMSCOV" analyze --out "$TMP/out_$run" "$C/$run.ini" >"$TMP/$run.txt" 2>"$TMP/$run.err" \
    || { cat "$TMP/$run.err"; fail "analyze $run.ini exited $?"; }
  figures "$TMP/out_$run/report.json" >"$TMP/$run.json" || fail "jq on $run's report.json"
done
[ "$(jq '.population.input_total' "$TMP/scenario.json")" = 1800035 ] || fail "the ASCII run's population"
grep -q '"grid cells (raster read by GDAL), one demand point per cell centre"' "$TMP/out_tif/report.json" \
  || fail "the GeoTIFF run's population method"
cmp -s "$TMP/scenario.json" "$TMP/tif.json" || { diff "$TMP/scenario.json" "$TMP/tif.json" | head -20; fail "GeoTIFF figures differ"; }
echo "ok: the population as a GeoTIFF gives the ASCII grid's report.json figures"
cmp -s "$TMP/scenario.json" "$TMP/gdal.json" || { diff "$TMP/scenario.json" "$TMP/gdal.json" | head -20; fail "GDAL inputs' figures differ"; }
echo "ok: GeoTIFF + FlatGeobuf stations and roads + KML parks give the same report.json figures"

head -c 30000 "$C/population.tif" >"$C/cut.tif"
sed 's/population.asc/cut.tif/' "$C/scenario.ini" >"$C/cut_tif.ini"
"$EMSCOV" analyze --out "$TMP/out_cut1" "$C/cut_tif.ini" >/dev/null 2>"$TMP/cut1.err"
rc=$?; [ $rc = 2 ] || { cat "$TMP/cut1.err"; fail "truncated GeoTIFF: exit $rc, want 2"; }
grep -q "cut.tif: " "$TMP/cut1.err" || fail "truncated GeoTIFF: the message does not name the file"
[ -e "$TMP/out_cut1/report.json" ] && fail "truncated GeoTIFF: report.json written"
n=$(wc -c <"$C/roads.fgb")
head -c $((n / 3)) "$C/roads.fgb" >"$C/cut.fgb"
sed 's/path = roads.fgb/path = cut.fgb/' "$C/gdal.ini" >"$C/cut_fgb.ini"
"$EMSCOV" analyze --out "$TMP/out_cut2" "$C/cut_fgb.ini" >/dev/null 2>"$TMP/cut2.err"
rc=$?; [ $rc = 2 ] || { cat "$TMP/cut2.err"; fail "truncated FlatGeobuf: exit $rc, want 2"; }
grep -q "cut.fgb: after record " "$TMP/cut2.err" || { cat "$TMP/cut2.err"; fail "truncated FlatGeobuf: message"; }
echo "ok: a truncated GeoTIFF and a truncated FlatGeobuf are bad input (exit 2), nothing written"
