# GBK attributes declared only by the DBF language driver byte (no .cpg)
requires sample
$ emscov info $SAMPLE/streets_ldid.shp
> encoding     GBK (LDID 0x4D (code page 936))
~ 东华门街道 | 建国门街道
