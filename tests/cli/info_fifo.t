# a FIFO or a device as a layer path: refused at once with exit 2 (a FIFO blocked forever, /dev/zero was read
# without end); timeout turns a hang into exit 124; both commands must exit 2 (99 when they differ)
$ rm -f $TMP/roads.geojson $TMP/zero.csv; mkfifo $TMP/roads.geojson && ln -s /dev/zero $TMP/zero.csv && (timeout 20 "$EMSCOV_BIN" info $TMP/roads.geojson; r1=$?; timeout 20 "$EMSCOV_BIN" info $TMP/zero.csv; r2=$?; [ $r1 = $r2 ] && exit $r2; exit 99)
? 2
! roads.geojson: not a regular file (a FIFO)
! zero.csv: not a regular file (a character device)
