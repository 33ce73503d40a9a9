# a missing file is exit 2 naming it, found before connecting (the server given here does not exist)
$ emscov import --db "host=127.0.0.1 port=1 connect_timeout=5" $TMP/nothere.shp
? 2
! nothere.shp: cannot open: No such file or directory
