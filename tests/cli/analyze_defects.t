# overlapping sub-districts, a hole between them and duplicate station ids are reported, and population is
# never counted twice: 100 + 50 + 70 + 30 = 250 in = 250 allocated, the point at (950, 500) in the overlap
# counts for A only, the point in the hole (1500, 1500) is outside every sub-district
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/mini && emscov analyze --out $TMP/mini/out $TMP/mini/scenario.ini
! records 1 (A) and 2 (B) overlap by 100000.0 m2
! leave 1000000.0 m2 inside the city uncovered
! records 1 and 2 have the same id "1"
> population  input 250 = allocated 250 (points with counts); outside every sub-district 70
> sub-districts: 1 overlapping pairs (100000.0 m2), 1000000.0 m2 of holes between them
~     1 overlaps an earlier sub-district: the overlap counts for the earlier one: id B
~     1 same id as an earlier record: id 1
