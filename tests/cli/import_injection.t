# a table name holding quotes and SQL is stored as exactly that name; the table it names is not dropped
requires sample
requires pg
$ N="x'\"; DROP TABLE $S.victim; --"; L=$(printf %s "$N" | sed "s/'/''/g"); sql "CREATE SCHEMA $S; CREATE TABLE $S.victim(i int)" && emscov import --db "$PG" --schema $S --table "$N" $SAMPLE/stations.shp && echo "tables named so: $(sql "SELECT count(*) FROM pg_tables WHERE schemaname = '$S' AND tablename = '$L'"), registered geometry: $(sql "SELECT count(*) FROM geometry_columns WHERE f_table_schema = '$S' AND f_table_name = '$L' AND srid = 4548"), victim still there: $(sql "SELECT count(*) FROM pg_tables WHERE schemaname = '$S' AND tablename = 'victim'"), tables in all: $(sql "SELECT count(*) FROM pg_tables WHERE schemaname = '$S'")"
> tables named so: 1, registered geometry: 1, victim still there: 1, tables in all: 2
~ ."x'""; DROP TABLE t_cli_
~ imported 1 file, 15 rows into 1 table
