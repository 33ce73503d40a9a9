# a run name the store does not hold: exit 2 naming it, nothing written
requires pg
$ sql "CREATE SCHEMA $S; CREATE TABLE $S.run (id bigint, name text, started timestamptz, standards text, report jsonb); INSERT INTO $S.run VALUES (7, 'sample-city', now(), NULL, '{}')" && emscov map --db "$PG" --db-schema $S --run no-such-run --kind gaps --out $TMP/x.png
? 2
! map: no run named "no-such-run" in
= x.png
