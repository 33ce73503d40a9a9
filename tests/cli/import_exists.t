# an existing table without --append or --replace: exit 2, the message names schema.table and the flags,
# and the table is untouched
requires sample
requires pg
$ emscov import --db "$PG" --schema $S $SAMPLE/stations.shp >/dev/null && emscov import --db "$PG" --schema $S $SAMPLE/census.shp $SAMPLE/stations.shp; rc=$?; echo "stations $(sql "SELECT count(*) FROM $S.stations"), census table: $(sql "SELECT count(*) FROM pg_tables WHERE schemaname = '$S' AND tablename = 'census'")"; (exit $rc)
? 2
! .stations already exists (use --append to add rows to it, --replace to replace it
> stations 15, census table: 0
