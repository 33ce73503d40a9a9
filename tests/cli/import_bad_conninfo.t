# a conninfo libpq cannot parse is bad input (exit 2, was 1), found before any connection is tried
$ printf '{"type":"FeatureCollection","features":[]}' > $TMP/p.geojson && emscov import --db "host=127.0.0.1 =bad" $TMP/p.geojson
? 2
! not a valid PostgreSQL connection string (conninfo or URI)
