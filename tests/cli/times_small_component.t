# a point on the sample's road island (7 streets cut off from the rest) is snapped but no station reaches
# it: its status says so, and the status's comma is quoted (RFC 4180) so the row keeps its ten columns
requires sample
$ printf 'X,Y\n443100,4413100\n441250,4412650\n' >$TMP/p.csv && emscov times --roads $SAMPLE/roads.shp --stations $SAMPLE/stations.shp --points $TMP/p.csv --x-field X --y-field Y --srs EPSG:4548 --out $TMP/t.csv && cat $TMP/t.csv
> 1,443100.000,4413100.000,,,,,92.1,1,"small component, no station reaches it"
~ 2,441250.000,4412650.000,
! 2 points: 0 beyond --max-snap, 1 on small road components, 1 not reached
