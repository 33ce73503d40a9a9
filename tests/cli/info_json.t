# --json carries the same facts as the text
requires sample
$ emscov info --json $SAMPLE/streets_utf8.shp $SAMPLE/parks.geojson
~ "epsg": 4548,
~ "name": "UTF-8",
~ "source": ".cpg \"UTF-8\""
~ "geometry_type": "Polygon",
~ "天坛公园",
~ "epsg": 32650,
