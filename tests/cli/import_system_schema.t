# PostgreSQL's own schemas are refused before connecting (information_schema was accepted and written into;
# pg_* is reserved): exit 2; the server given here does not exist, so the check is before any connection
$ printf '{"type":"FeatureCollection","features":[]}' > $TMP/p.geojson && (emscov import --db "host=127.0.0.1 port=1" --schema information_schema $TMP/p.geojson; r1=$?; emscov import --db "host=127.0.0.1 port=1" --schema pg_toast $TMP/p.geojson; r2=$?; [ $r1 = $r2 ] && exit $r2; exit 99)
? 2
! --schema information_schema: a PostgreSQL system schema
! --schema pg_toast: a PostgreSQL system schema
