# a working CRS named far from the data (UTM 18N, 75W, for Beijing) is warned about; the run goes on
requires sample
$ emscov info --working-srs EPSG:32618 $SAMPLE/parks.geojson
! emscov: warning: --working-srs EPSG:32618: working CRS WGS 84 / UTM zone 18N [EPSG:32618]: the data's centre
! degrees of longitude from its central meridian (-75)
~ working crs  WGS 84 / UTM zone 18N [EPSG:32618] (from --working-srs)
