# info reads pg: sources from the database --db names (not libpq's environment, which points nowhere here)
requires sample
requires pg
$ emscov import --quiet --db "$PG" --schema $S $SAMPLE/stations.shp && PGHOST=/nonexistent emscov info --db "$PG" pg:$S.stations
> format       PostGIS
> features     15 of 15 records (0 repaired, 0 empty skipped)
