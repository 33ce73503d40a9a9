# Nothing is dropped silently (issue 12): a station without coordinates, people without coordinates, with a
# count of 0 and without a count are each named in the ledger; the population line states what was dropped
# (hand-worked: 250 + 100 in, 250 allocated, 100 dropped for want of a geometry) and never claims equality;
# the GeoPackage (read by GDAL) has the input_issue layer and the station layer carries the scenario's id and name
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/ledger_city.sh $TMP/c && emscov analyze --out $TMP/c/out $TMP/c/scenario.ini && ogrinfo -ro -al -q $TMP/c/out/emscov.gpkg station input_issue
> population  input 350: allocated 250, dropped 100 (null_geometry 100); points with counts; outside every sub-district 70
- population  input 350 = allocated
>   population         people.csv                 7 records read: 4 used, 3 skipped
>     1 NULL geometry: record not used (100 people): record 5
>     1 count is 0: no demand point (0 people): record 6
>     1 count is missing (NULL): counted as 0, no demand point: record 7
>   stations           stations.csv               3 records read: 2 used, 1 skipped
>     1 NULL geometry: record not used: 空站 (id 9)
>   station_id (String) = 2
>   name (String) = 西站
>   subdistrict_id (String) = B
>   subdistrict_name (String) = 乙街道
>   source_name (String) = 空站
>   reason (String) = null_geometry
>   reason (String) = zero_count
>   reason (String) = missing_count
>   population (Real) = 100
> sub-districts without a station (3): 丙街道 C, 丁街道 D, 戊街道 E
