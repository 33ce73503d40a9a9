# option mistakes are exit 2 before anything is read or connected
requires sample
$ D="host=127.0.0.1 port=1"; emscov import --db "$D" --table t $SAMPLE/stations.shp $SAMPLE/census.shp; echo "two files one table: $?"; emscov import --db "$D" --append --replace $SAMPLE/stations.shp; echo "append+replace: $?"; emscov import --db "$D" --srid 4548 --to-srs EPSG:4326 $SAMPLE/stations.shp; echo "srid+to-srs: $?"; emscov import --db "$D" --srid 12.5 $SAMPLE/stations.shp; echo "srid 12.5: $?"; emscov import --db "$D" --to-srs EPSG:999999 $SAMPLE/stations.shp; echo "bad to-srs: $?"; emscov import --db "$D" $SAMPLE/stations.shp $SAMPLE/stations.csv; echo "same table twice: $?"; emscov import --db "$D" --table "$(printf 'a%.0s' $(seq 64))" $SAMPLE/stations.shp; echo "64-byte name: $?"; emscov import --db "$D"; echo "no file: $?"; emscov import --db "$D" --frobnicate $SAMPLE/stations.shp; echo "unknown option: $?"
> two files one table: 2
> append+replace: 2
> srid+to-srs: 2
> srid 12.5: 2
> bad to-srs: 2
> same table twice: 2
> 64-byte name: 2
> no file: 2
> unknown option: 2
! --table names one table, but 2 files were given
! --append and --replace exclude each other
! give --srid or --to-srs, not both
! stations.csv would both load into public.stations
! is 64 bytes; PostgreSQL keeps only 63
! unknown option --frobnicate
