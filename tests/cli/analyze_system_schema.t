# --db-schema naming a PostgreSQL system schema is refused when the store opens, before anything is written
requires pg
requires sample
$ emscov analyze --db "$PG" --db-schema information_schema --out $TMP/out $SAMPLE/scenario.ini
? 2
! --db-schema information_schema: a PostgreSQL system schema
= out/report.json
