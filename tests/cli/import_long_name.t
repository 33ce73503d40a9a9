# a table name of 63 bytes, the most PostgreSQL keeps (documented as allowed), loads: its spatial index gets a
# name of its own within 63 bytes: 45 bytes of the table name, FNV-1a 32 of all 63 (python: 2469b9e6), geom_idx
# (was: "<table>_geom_idx" cut back to the table's own name, "already exists")
requires pg
$ printf '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"n":1},"geometry":{"type":"Point","coordinates":[116.4,39.9]}}]}' > $TMP/p.geojson && emscov import --db "$PG" --schema $S --table aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa $TMP/p.geojson && sql "SELECT count(*) || ' row, index ' || (SELECT indexname FROM pg_indexes WHERE schemaname = '$S' AND indexdef LIKE '%gist%') FROM $S.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
~ imported 1 file, 1 rows into 1 table
> 1 row, index aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_2469b9e6_geom_idx
