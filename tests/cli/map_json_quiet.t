# map --json: what was written ({"run_id": null for a GeoPackage, "kind", "format" from the extension, the files});
# an upper-case .SVG is an SVG (file(1) says so); --quiet prints nothing and still writes the PNG
requires sample
$ emscov analyze --quiet --out $TMP/run $SAMPLE/scenario.ini 2>/dev/null && emscov map --gpkg $TMP/run/emscov.gpkg --kind gaps --dpi 40 --json --out $TMP/g.SVG && file -b $TMP/g.SVG | cut -c1-10 && emscov map --gpkg $TMP/run/emscov.gpkg --kind gaps --dpi 40 --quiet --out $TMP/q.png >$TMP/q.out && echo "quiet bytes $(wc -c <$TMP/q.out) $(file -b $TMP/q.png | cut -c1-9)"
> {
>   "run_id": null,
>   "kind": "gaps",
>   "format": "svg",
>       "pages": 1,
>       "each": null
> SVG Scalab
> quiet bytes 0 PNG image
~ /g.SVG"
