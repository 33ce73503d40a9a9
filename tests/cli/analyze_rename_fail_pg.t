# with --db, a second run whose streets.csv cannot be put in place: exit 1, the database keeps only the first
# run (the second is not stored, or taken out again), and the first run's files keep their checksums
requires sample
requires pg
$ rm -rf $TMP/out && sed "s|^path = |path = $SAMPLE/|" $SAMPLE/scenario.ini > $TMP/a.ini && emscov analyze --db "$PG" --db-schema $S --out $TMP/out $TMP/a.ini >/dev/null 2>&1 && (cd $TMP/out && sha256sum report.json emscov.gpkg > ../before && stat -c '%n %i' report.json emscov.gpkg > ../inodes && rm streets.csv && mkdir streets.csv && touch streets.csv/keep); (emscov analyze --db "$PG" --db-schema $S --out $TMP/out $TMP/a.ini; echo rc=$?; cd $TMP/out && sha256sum -c ../before; stat -c '%n %i' report.json emscov.gpkg | cmp -s - ../inodes && echo same files; ls -A; echo runs=$(sql "SELECT count(*) FROM $S.run"))
> rc=1
> report.json: OK
> emscov.gpkg: OK
> same files
> runs=1
- .emscov
- tmp-
! streets.csv: is a directory
