# a write error on stdout is exit 1 with the reason (issue 14 item 4; info and network info were exit 0):
# info, network info, times --help (longer than stdio's buffer), version to /dev/full, and a closed stdout;
# a bad input keeps its own exit 2 and message
requires sample
$ for c in "info $SAMPLE/roads.shp" "network info $SAMPLE/roads.shp" "times --help" "version"; do emscov $c >/dev/full; echo "$c: rc $?"; done 2>&1 | sed "s|$SAMPLE/||"; emscov version >&-; echo "closed rc $?"; emscov info $TMP/none.shp >/dev/full; echo "bad input rc $?"
> info roads.shp: rc 1
> network info roads.shp: rc 1
> times --help: rc 1
> version: rc 1
> closed rc 1
> bad input rc 2
~ emscov: cannot write to standard output: No space left on device
! emscov: cannot write to standard output: Bad file descriptor
! none.shp
