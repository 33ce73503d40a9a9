# a working_epsg on the other side of the globe (UTM 18N, 75W, for Beijing) shifts every figure: warned about,
# naming the scenario and the key; the run goes on (issue 14 item 7)
requires sample
$ rm -rf $TMP/s && cp -r $SAMPLE $TMP/s && sed -i 's/^\[scenario\]$/&\nworking_epsg = 32618/' $TMP/s/scenario.ini && emscov analyze --out $TMP/s/out $TMP/s/scenario.ini
~ working CRS: WGS 84 / UTM zone 18N [EPSG:32618]
! s/scenario.ini: working_epsg 32618: working CRS WGS 84 / UTM zone 18N [EPSG:32618]: the data's centre
! is 168.6 degrees of longitude from its central meridian (-75)
