# --encoding overrides a shapefile's .cpg, with a warning on stderr and a note naming the .cpg it overrode
requires sample
$ emscov info --encoding GB18030 $SAMPLE/streets_gbk.shp
> encoding     GB18030 (--encoding, overriding .cpg "GBK")
> warning      --encoding GB18030 overrides the .cpg "GBK" the file declares
~ 东华门街道
! emscov: warning: 
! streets_gbk.dbf: --encoding GB18030 overrides the .cpg "GBK" it declares
