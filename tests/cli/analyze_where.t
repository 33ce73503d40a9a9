# `where` keeps part of a layer: only sub-districts A and B (in the overlap, the point counts for A), and the
# station with 2 ambulances; the people in C, D, E and the hole are outside: 100 + 50 in, 100 outside
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/m && sed -i 's/^code_field = CODE$/code_field = CODE\nwhere = CODE in (A, B)/; s/^ambulances_field = amb$/ambulances_field = amb\nwhere = amb >= 2/' $TMP/m/scenario.ini && emscov analyze --out $TMP/m/out $TMP/m/scenario.ini
> population  input 250 = allocated 250 (points with counts); outside every sub-district 100
~ stations    1: 1 on the main road network
~   stations           stations.csv               2 records read: 1 used, 1 left out by where
