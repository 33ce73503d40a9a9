# GBK street names (declared by .cpg, and by the DBF language driver byte only) arrive in PostGIS as UTF-8,
# line for line identical to GDAL's own decoding (ogrinfo), including GBK-only characters (昇 堃 喆)
requires sample
requires pg
$ emscov import --db "$PG" --schema $S $SAMPLE/streets_gbk.shp $SAMPLE/streets_ldid.shp && for t in streets_gbk streets_ldid; do sql "SELECT name FROM $S.$t ORDER BY gid" >$TMP/pg_$t.txt; ogrinfo -ro -q -al $SAMPLE/$t.shp | sed -n 's/^  NAME (String) = //p' >$TMP/ogr_$t.txt; cmp -s $TMP/pg_$t.txt $TMP/ogr_$t.txt && echo "$t: $(wc -l <$TMP/pg_$t.txt) names identical to ogrinfo, $(grep -c '[昇堃喆]' $TMP/pg_$t.txt) with GBK-only characters"; done
~ streets_gbk.shp -> t_cli_
~   encoding   GBK (.cpg "GBK")
~   encoding   GBK (LDID 0x4D
> streets_gbk: 20 names identical to ogrinfo, 3 with GBK-only characters
> streets_ldid: 20 names identical to ogrinfo, 3 with GBK-only characters
~ imported 2 files, 40 rows into 2 tables of t_cli_
