# report --json: the document written (path, format from .htm, maps, run_id null for a directory); --quiet:
# nothing on stdout and the PDF written (pdfinfo-free check: its first bytes)
requires sample
$ emscov analyze --quiet --out $TMP/run $SAMPLE/scenario.ini 2>/dev/null && emscov report --run $TMP/run --json --out $TMP/r.htm && emscov report --run $TMP/run --quiet --out $TMP/r.pdf >$TMP/q.out && echo "quiet bytes $(wc -c <$TMP/q.out) $(head -c 5 $TMP/r.pdf)"
~ "format": "html",
~ "run_id": null,
~ "maps": 4,
~ /r.htm",
> quiet bytes 0 %PDF-
