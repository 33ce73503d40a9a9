# GBK attributes declared by a .cpg, CGCS2000 Gauss-Kruger .prj identified as EPSG:4548
requires sample
$ emscov info $SAMPLE/streets_gbk.shp
> encoding     GBK (.cpg "GBK")
> crs          CGCS2000 / 3-degree Gauss-Kruger CM 117E [EPSG:4548] (from .prj)
> features     20 of 20 records (0 repaired, 0 empty skipped)
> working crs  CGCS2000 / 3-degree Gauss-Kruger CM 117E [EPSG:4548] (from the layers' own CRS: Transverse Mercator)
~ 东华门街道 | 建国门街道
