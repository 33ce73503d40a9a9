# sites: a second run that cannot put sites.json in place (a directory stands there): exit 1, and the first
# run's sites.csv and sites.gpkg keep their checksums and are the very same files (the second run chooses
# k = 2, so its files would differ); no temporary or staging directory is left
requires sample
$ rm -rf $TMP/out && emscov sites --grid 1500 --k 3 --out $TMP/out $SAMPLE/scenario.ini >/dev/null 2>&1 && (cd $TMP/out && sha256sum sites.csv sites.gpkg > ../before && stat -c '%n %i' sites.csv sites.gpkg > ../inodes && rm sites.json && mkdir sites.json && touch sites.json/keep); (emscov sites --grid 1500 --k 2 --out $TMP/out $SAMPLE/scenario.ini >/dev/null; rc=$?; cd $TMP/out && sha256sum -c ../before; stat -c '%n %i' sites.csv sites.gpkg | cmp -s - ../inodes && echo same files; ls -A; echo rc=$rc)
> rc=1
> sites.csv: OK
> sites.gpkg: OK
> same files
> sites.json
- .emscov
- tmp-
! sites.json: is a directory, not a file: the output set was left as it was
