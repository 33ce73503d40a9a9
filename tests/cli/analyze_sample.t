# the main job on the sample city: figures beside targets, population conserved, three files written
requires sample
$ emscov analyze --out $TMP/out $SAMPLE/scenario.ini && ls $TMP/out
> population  input 1800035 = allocated 1800035 (grid cells (ESRI ASCII), one demand point per cell centre); outside every sub-district 0
~ sub-districts without a station (gaps)       7
> report.json
> streets.csv
> emscov.gpkg
! record 14: station is 1623 m from the nearest road
