# the sample roads: 5,623 junctions (the generator's own count of distinct segment ends), its deliberate
# zero-length and duplicate segments dropped, its 6-node island reported as a second component
requires sample
$ emscov network info $SAMPLE/roads.shp
> nodes                  5623
> links dropped          1 zero-length, 1 duplicate
> components             2 (main: 5617 nodes, 99.9%)
>                        component 1: 6 nodes
