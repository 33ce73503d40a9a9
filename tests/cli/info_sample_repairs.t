# the bow-tie residential block is repaired and reported with record and reason; wrong winding is noted
requires sample
$ emscov info $SAMPLE/residential.shp
~ repaired     record 10: Self-intersection at
~ warning      record 20: rings are wound the wrong way round
~ (1 repaired, 0 empty skipped)
