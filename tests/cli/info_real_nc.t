# a real Debian-packaged shapefile: 100 North Carolina counties, NAD27
requires shared
$ emscov info $SHARED/data/real/debian-r-cran-sf/nc.shp
> features     100 of 100 records (0 repaired, 0 empty skipped)
> crs          NAD27 [EPSG:4267] (from .prj)
~ Ashe | Alleghany | Surry
