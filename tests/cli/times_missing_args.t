$ emscov times --roads r.shp
? 2
! --roads, --stations, --points and --out are required
