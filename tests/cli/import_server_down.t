# the server is down: one line on stderr naming host and port, exit 1, and the password appears nowhere
requires sample
$ for db in "host=127.0.0.1 port=1 user=postgres password=s3cret dbname=x connect_timeout=5" "postgresql://postgres:s3cret@127.0.0.1:1/x?connect_timeout=5"; do emscov import --db "$db" $SAMPLE/stations.shp >$TMP/out 2>$TMP/err; rc=$?; echo "exit $rc, stderr lines $(wc -l <$TMP/err), password shown $(cat $TMP/out $TMP/err | grep -c s3cret)"; cat $TMP/err >&2; done; (exit $rc)
? 1
> exit 1, stderr lines 1, password shown 0
- exit 0
- exit 2
! port=1
