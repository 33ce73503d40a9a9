# residential.shp: the bow-tie (RES_ID 10) arrives valid and the report names it; every row is valid; its area
# equals PostGIS's own ST_MakeValid of the raw polygon as GDAL reads it (which PostGIS finds invalid)
requires sample
requires pg
$ emscov import --db "$PG" --schema $S $SAMPLE/residential.shp && rm -f $TMP/raw.csv && ogr2ogr -f CSV $TMP/raw.csv $SAMPLE/residential.shp -where 'RES_ID = 10' -lco GEOMETRY=AS_WKT && wkt=$(sed -n '2s/^"\([^"]*\)".*/\1/p' $TMP/raw.csv) && echo "raw valid: $(sql "SELECT ST_IsValid('$wkt'::geometry)")" && echo "imported: $(sql "SELECT ST_IsValid(geom) || ' ' || ST_GeometryType(geom) || ' ' || (abs(ST_Area(geom) - ST_Area(ST_MakeValid('$wkt'::geometry))) < 1e-6) FROM $S.residential WHERE res_id = 10")" && echo "all valid: $(sql "SELECT bool_and(ST_IsValid(geom)) || ' ' || count(*) FROM $S.residential") of $(ogrinfo -ro -so -al $SAMPLE/residential.shp | sed -n 's/^Feature Count: //p')"
> raw valid: f
> imported: true ST_MultiPolygon true
> all valid: true 4128 of 4128
~   rows       4128 loaded of 4128 records (1 repaired, 0 empty skipped)
~   repaired   record 10: Self-intersection at
