# --snap and --length take a fixed set of words
$ emscov times --roads r.shp --stations s.shp --points p.csv --out o.csv --snap node
? 2
! --snap: "node" is not edge or vertex
