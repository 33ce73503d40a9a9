# geodesic link lengths: the sample is in a 3-degree Gauss-Kruger zone (scale 1 on its central meridian,
# 117 E, and the city lies within ~0.2 degrees of it), so the ellipsoidal length is within 0.01 % of the
# planar one (1898.389 km)
requires sample
$ emscov network info --length ellipsoidal $SAMPLE/roads.shp
~ (ellipsoidal)
> duplicates merged      0 (a duplicate that added a direction or a faster time)
~ length                 1898.3
