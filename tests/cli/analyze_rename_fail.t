# a second run that cannot put streets.csv in place (a directory stands there): exit 1 and the earlier output
# set stays whole -- report.json and emscov.gpkg keep their checksums (the second run's thresholds differ, so
# its files would not) and are the very same files (inodes); no temporary or staging directory is left (issue 14)
requires sample
$ rm -rf $TMP/out && sed "s|^path = |path = $SAMPLE/|" $SAMPLE/scenario.ini > $TMP/a.ini && sed 's/^thresholds_min = 8, 15/thresholds_min = 9, 15/' $TMP/a.ini > $TMP/b.ini && emscov analyze --out $TMP/out $TMP/a.ini >/dev/null 2>&1 && (cd $TMP/out && sha256sum report.json emscov.gpkg > ../before && stat -c '%n %i' report.json emscov.gpkg > ../inodes && rm streets.csv && mkdir streets.csv && touch streets.csv/keep); (emscov analyze --out $TMP/out $TMP/b.ini; rc=$?; cd $TMP/out && sha256sum -c ../before; stat -c '%n %i' report.json emscov.gpkg | cmp -s - ../inodes && echo same files; ls -A; ls streets.csv; echo rc=$rc)
> rc=1
> report.json: OK
> emscov.gpkg: OK
> same files
> keep
- .emscov
- tmp-
- pending-
! streets.csv: is a directory
