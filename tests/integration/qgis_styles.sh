#!/bin/sh
# tests/integration/qgis_styles.sh EMSCOV SAMPLE TMP: the sample city's GeoPackage opens styled in QGIS
# (tests/integration/qgis_styles.py, headless PyQGIS), and so does a PostGIS run with the test server
# (tests/integration/qgis_pg.py); skipped (77) when PyQGIS (Debian python3-qgis) is not
# installed. The rendered maps are left in TMP/qgis.png (gaps) and TMP/qgis-time.png (response times) to look at.
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
