# the main job on the sample city: figures beside targets, population conserved, three files written
requires sample
$ emscov analyze --out $TMP/out $SAMPLE/scenario.ini && ls $TMP/out
> population  input 1800035 = allocated 1800035 (grid cells (ESRI ASCII), one demand point per cell centre); outside every sub-district 0
~ sub-districts without a station (gaps)             7              >= 1 station in every sub-district   FAIL
> report.json
> streets.csv
> emscov.gpkg
! 北京急救中心燕郊协作站 (id 14), record 14: station is 1623 m from the nearest road
> stations    15: 14 on the main road network, 0 on a small road component, 1 too far from any road; 1 in no sub-district
~ sub-districts without a station (7): 
~     1 farther than max_snap_m from any road: no response times from it: 北京急救中心燕郊协作站 (id 14)
