#!/bin/sh
# tests/tools/test_gencity.sh GENCITY TMPDIR: the sample-city generator is deterministic and its files read
# back right in an independent reader. Generates the sample twice and compares every file byte for byte,
# checks the DBF language-driver byte and the .cpg files, then uses GDAL's ogrinfo/ogr2ogr (gdal-bin) to
# check the feature count and a GBK name of the sub-district layers, that the census POP sum equals the
# grid total (summed here with awk), and that stations.csv holds the same stations as stations.shp.
# Exit 0 pass, 1 fail (with a message).
set -u

G=${1:?usage: test_gencity.sh GENCITY TMPDIR}
T=${2:?usage: test_gencity.sh GENCITY TMPDIR}
fail() {
    echo "test_gencity: FAIL: $*"
    exit 1
}
checks=0
ok() {
    checks=$((checks + 1))
}

rm -rf "$T"
mkdir -p "$T" || fail "cannot create $T"
A=$T/a/sample
B=$T/b/sample

# --- usage errors ---------------------------------------------------------------------------------------
"$G" >/dev/null 2>&1
[ $? -eq 2 ] || fail "no OUTDIR: exit status is not 2"
"$G" --preset paris "$T/x" >/dev/null 2>&1
[ $? -eq 2 ] || fail "--preset paris: exit status is not 2"
"$G" --scale 0 "$T/x" >/dev/null 2>&1
[ $? -eq 2 ] || fail "--scale 0: exit status is not 2"
ok

# --- determinism ----------------------------------------------------------------------------------------
"$G" --preset sample "$A" >"$T/a.log" 2>&1 || fail "first run failed: $(cat "$T/a.log")"
"$G" --preset sample --seed 1 "$B" >"$T/b.log" 2>&1 || fail "second run failed: $(cat "$T/b.log")"
[ -e "$A.tmp" ] && fail "the temporary directory $A.tmp was left behind"
(cd "$A" && ls) >"$T/a.list"
(cd "$B" && ls) >"$T/b.list"
cmp -s "$T/a.list" "$T/b.list" || fail "the two runs wrote different sets of files"
for f in $(cat "$T/a.list"); do
    cmp -s "$A/$f" "$B/$f" || fail "$f differs between two runs with the same seed"
done
ok
"$G" --preset sample --seed 2 "$T/c" >/dev/null 2>&1 || fail "run with --seed 2 failed"
cmp -s "$A/roads.shp" "$T/c/roads.shp" && fail "--seed 2 wrote the same roads.shp as seed 1"
ok

# --- the file set ---------------------------------------------------------------------------------------
for base in streets_gbk streets_ldid streets_utf8 stations census roads residential; do
    for ext in shp shx dbf prj; do
        [ -s "$A/$base.$ext" ] || fail "missing or empty $base.$ext"
    done
done
for f in population.asc population.prj stations.csv parks.geojson README.md index.txt; do
    [ -s "$A/$f" ] || fail "missing or empty $f"
done
[ -e "$A/scenario.ini" ] && fail "the generator must not write scenario.ini"
ok

# --- encodings: .cpg files, the LDID byte, the .prj text ------------------------------------------------
[ "$(cat "$A/streets_gbk.cpg")" = "GBK" ] || fail "streets_gbk.cpg is not GBK"
[ "$(cat "$A/streets_utf8.cpg")" = "UTF-8" ] || fail "streets_utf8.cpg is not UTF-8"
[ -e "$A/streets_ldid.cpg" ] && fail "streets_ldid must have no .cpg"
ldid=$(od -An -tx1 -j29 -N1 "$A/streets_ldid.dbf" | tr -d ' \n')
[ "$ldid" = "4d" ] || fail "byte 29 of streets_ldid.dbf is 0x$ldid, want 0x4d (code page 936)"
ldid=$(od -An -tx1 -j29 -N1 "$A/streets_gbk.dbf" | tr -d ' \n')
[ "$ldid" = "00" ] || fail "byte 29 of streets_gbk.dbf is 0x$ldid, want 0x00 (the .cpg decides)"
# 东华门 in GBK is b6 ab bb aa c3 c5: it must be in the GBK DBF, and its UTF-8 form must not
od -An -tx1 -v "$A/streets_gbk.dbf" | tr -d '\n' | tr -s ' ' | grep -q "b6 ab bb aa c3 c5" ||
    fail "streets_gbk.dbf does not hold 东华门 in GBK bytes"
grep -q "东华门" "$A/streets_gbk.dbf" && fail "streets_gbk.dbf holds UTF-8 text"
grep -q "东华门" "$A/streets_utf8.dbf" || fail "streets_utf8.dbf does not hold 东华门 in UTF-8"
prj='PROJCS["CGCS2000_3_Degree_GK_CM_117E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",'
prj=$prj'DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],'
prj=$prj'UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],'
prj=$prj'PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",117.0],PARAMETER["Scale_Factor",1.0],'
prj=$prj'PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
for p in streets_gbk streets_ldid streets_utf8 stations census roads residential population; do
    [ "$(cat "$A/$p.prj")" = "$prj" ] || fail "$p.prj is not the ESRI CGCS2000 GK CM 117E text"
done
ok

# --- population grid: header and total (summed here) ---------------------------------------------------
head -6 "$A/population.asc" | awk '
    NR==1 && ($1!="ncols" || $2!=150) {bad=1} NR==2 && ($1!="nrows" || $2!=120) {bad=1}
    NR==5 && ($1!="cellsize" || $2!=100) {bad=1} NR==6 && ($1!="NODATA_value" || $2!=-9999) {bad=1}
    END {exit bad}' || fail "population.asc header is not 150 x 120 cells of 100 m with NODATA -9999"
grid_total=$(awk 'NR>6 { for (i = 1; i <= NF; i++) if ($i != -9999) s += $i; n += NF }
                  END { if (n != 150*120) print "bad"; else printf "%d\n", s }' "$A/population.asc")
[ "$grid_total" != bad ] || fail "population.asc does not hold 150 x 120 values"
[ "$grid_total" -gt 1500000 ] && [ "$grid_total" -lt 2000000 ] ||
    fail "grid total $grid_total is not 1.5-2 M people"
ok

# --- an independent reader: GDAL ------------------------------------------------------------------------
if ! command -v ogrinfo >/dev/null 2>&1 || ! command -v ogr2ogr >/dev/null 2>&1; then
    echo "test_gencity: ogrinfo/ogr2ogr not found (apt-get install gdal-bin):" \
        "independent-reader checks skipped"
    echo "test_gencity: $checks checks passed"
    exit 0
fi

for l in streets_gbk streets_ldid streets_utf8; do
    n=$(ogrinfo -ro -so "$A/$l.shp" "$l" | sed -n 's/^Feature Count: //p')
    [ "$n" = 20 ] || fail "$l.shp: ogrinfo counts '$n' features, want 20 (a 5 x 4 lattice)"
    name=$(ogrinfo -ro -q -where "CODE='110101001'" "$A/$l.shp" "$l" | sed -n 's/^ *NAME (String) = //p')
    [ "$name" = "东华门街道" ] || fail "$l.shp: CODE 110101001 has NAME '$name', want 东华门街道"
    # 昇 is in GBK but not in GB2312: a GB2312 decoder would fail here
    name=$(ogrinfo -ro -q -where "CODE='110102002'" "$A/$l.shp" "$l" | sed -n 's/^ *NAME (String) = //p')
    [ "$name" = "昇平街道" ] || fail "$l.shp: CODE 110102002 has NAME '$name', want 昇平街道"
done
ok

census=$(ogrinfo -ro -q -sql "SELECT SUM(POP) FROM census" "$A/census.shp" |
    sed -n 's/^ *SUM_POP ([A-Za-z0-9]*) = //p')
[ "$census" = "$grid_total" ] || fail "census POP sum '$census' != grid total $grid_total"
ok

# stations.csv vs stations.shp: same ids, names, ambulances, turn-out, and lon/lat within 1e-6 degree
ogr2ogr -f CSV /vsistdout/ -t_srs EPSG:4326 -lco GEOMETRY=AS_XY "$A/stations.shp" 2>/dev/null |
    tr -d '"' | awk -F, 'NR>1 {printf "%s,%s,%.6f,%.6f,%s,%s\n", $3, $4, $1, $2, $5, $6}' >"$T/shp.csv"
tail -n +2 "$A/stations.csv" >"$T/csv.csv"
[ "$(wc -l <"$T/shp.csv")" -ge 10 ] || fail "stations.shp has fewer than 10 stations"
[ "$(head -1 "$A/stations.csv")" = "id,name,lon,lat,ambulances,turnout_s" ] || fail "stations.csv header"
awk -F, 'NR==FNR { a[FNR] = $0; n = FNR; next }
    { split(a[FNR], s, ",")
      d = s[3] - $3; e = s[4] - $4
      if (s[1] != $1 || s[2] != $2 || s[5] != $5 || s[6] != $6 || d > 2e-6 || d < -2e-6 || e > 2e-6 ||
          e < -2e-6) { print "row " FNR ": " a[FNR] " vs " $0; bad = 1 } }
    END { if (FNR != n) { print "row counts differ"; bad = 1 } exit bad }' "$T/shp.csv" "$T/csv.csv" \
    >"$T/stations.diff" ||
    fail "stations.csv and stations.shp differ: $(head -3 "$T/stations.diff")"
ok

# parks.geojson is WGS84 around Beijing, with a lake (a polygon with two rings)
ogrinfo -ro -q -al "$A/parks.geojson" | grep -q "POLYGON ((116\.[0-9]* 39\.[0-9]*" ||
    fail "parks.geojson does not hold lon/lat polygons near Beijing"
ogrinfo -ro -q -al "$A/parks.geojson" | grep -q "),(" || fail "parks.geojson has no park with a lake (hole)"
ok

echo "test_gencity: $checks checks passed"
exit 0
