#!/bin/sh
# tests/integration/qgis_styles.sh EMSCOV SAMPLE TMP: the sample city's GeoPackage opens styled in QGIS
# (tests/integration/qgis_styles.py, headless PyQGIS), so does the QGIS project stored in it
# (tests/integration/qgis_project.py), and so does a PostGIS run with the test server
# (tests/integration/qgis_pg.py); skipped (77) when PyQGIS (Debian python3-qgis) is not
# installed. The rendered maps are left in TMP/qgis.png (gaps), TMP/qgis-time.png (response times) and
# TMP/qgis-project.png, TMP/qgis-project-time.png (the project's) to look at.
set -u
EMSCOV=$1; SAMPLE=$2; TMP=$3
here=$(cd "$(dirname "$0")" && pwd)
py=""
for p in /usr/bin/python3 python3; do  # Debian's python3 (a pyenv or venv one does not see python3-qgis)
  if command -v "$p" >/dev/null && "$p" -c 'import qgis.core' 2>/dev/null; then py=$p; break; fi
done
[ -n "$py" ] || { echo "skipped: PyQGIS (python3-qgis) not installed"; exit 77; }
[ -d "$SAMPLE" ] || { echo "skipped: no sample"; exit 77; }
rm -rf "$TMP"; mkdir -p "$TMP/xdg" && chmod 700 "$TMP/xdg"
"$EMSCOV" analyze --quiet --out "$TMP/run" "$SAMPLE/scenario.ini" 2>/dev/null || { echo "FAIL: analyze"; exit 1; }
QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR="$TMP/xdg" HOME="$TMP" "$py" "$here/qgis_styles.py" "$TMP/run/emscov.gpkg" \
  "$TMP/qgis.png" 2>"$TMP/qgis.err"
rc=$?
[ "$rc" = 0 ] || { grep -v '^Application path' "$TMP/qgis.err" | tail -n 20; exit $rc; }

# The QGIS project stored in the GeoPackage (tests/integration/qgis_project.py), opened from a copy in another
# directory: its layers must read the copy (datasources relative to the GeoPackage), not the original.
# GDAL lists qgis_projects as a table when asked for every table (QGIS keeps it out of gpkg_contents, so the
# GeoPackage stays valid: validate_gpkg.py, when installed, checks it).
mkdir -p "$TMP/moved" && cp "$TMP/run/emscov.gpkg" "$TMP/moved/emscov.gpkg" || exit 1
QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR="$TMP/xdg" HOME="$TMP" "$py" "$here/qgis_project.py" "$TMP/moved/emscov.gpkg" \
  "$TMP/qgis-project.png" 2>"$TMP/qgis-project.err"
rc=$?
[ "$rc" = 0 ] || { grep -v '^Application path' "$TMP/qgis-project.err" | tail -n 20; exit $rc; }
ogrinfo -ro -q -oo LIST_ALL_TABLES=YES "$TMP/run/emscov.gpkg" | grep -q ': qgis_projects (None)$' \
  || { echo "FAIL: ogrinfo does not list qgis_projects"; exit 1; }
[ "$(ogrinfo -ro -q "$TMP/run/emscov.gpkg" -sql "SELECT name FROM qgis_projects" | grep -c 'name (String) = emscov')" = 1 ] \
  || { echo "FAIL: ogrinfo: qgis_projects has not one project named emscov"; exit 1; }
validator=/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py
if [ -f "$validator" ]; then
  "$py" "$validator" "$TMP/run/emscov.gpkg" || { echo "FAIL: validate_gpkg.py"; exit 1; }
fi

# A PostGIS run: two runs stored (two names), every table and latest_ view opened styled through QGIS's
# PostgreSQL provider (tests/integration/qgis_pg.py). Needs the test server (EMSCOV_TEST_PG).
if [ -z "${EMSCOV_TEST_PG:-}" ]; then
  [ "${EMSCOV_REQUIRE_PG:-}" = 1 ] && { echo "FAIL: EMSCOV_TEST_PG not set (EMSCOV_REQUIRE_PG=1)"; exit 1; }
  echo "note: EMSCOV_TEST_PG not set: the PostGIS part skipped"; exit 0
fi
S=t_qgis_$$
trap 'psql -X -q "$EMSCOV_TEST_PG" -c "SET client_min_messages = warning; DROP SCHEMA IF EXISTS $S CASCADE" >/dev/null 2>&1' EXIT
for name in day night; do
  "$EMSCOV" analyze --quiet --db "$EMSCOV_TEST_PG" --db-schema $S --replace $name --out "$TMP/pg-$name" \
    "$SAMPLE/scenario.ini" 2>/dev/null || { echo "FAIL: analyze --db ($name)"; exit 1; }
done
QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR="$TMP/xdg" HOME="$TMP" "$py" "$here/qgis_pg.py" "$EMSCOV_TEST_PG" $S \
  "$TMP/qgis-pg.png" 2>"$TMP/qgis-pg.err"
rc=$?
[ "$rc" = 0 ] || grep -v '^Application path' "$TMP/qgis-pg.err" | tail -n 20
exit $rc
