#!/bin/sh
# tests/tools/test_include_paths.sh CC TMPDIR GEO ANALYSIS OUTPUT CLI: the build refuses a crossing include.
# GEO .. CLI are the include directories (colon-separated) that emscov_geo, emscov_analysis, emscov_output
# and emscov compile with. For each part, a probe file including a header of its own part and of every part
# below must compile (-fsyntax-only), and one including a header of any part above must fail with "No such
# file": the path itself refuses it. Exit 0 pass, 1 fail (with a message).
set -u
usage="usage: test_include_paths.sh CC TMPDIR GEO ANALYSIS OUTPUT CLI"
CC=${1:?$usage}
T=${2:?$usage}
[ $# -eq 6 ] || { echo "$usage" >&2; exit 1; }
shift 2
fail() {
    echo "test_include_paths: FAIL: $*"
    exit 1
}
rm -rf "$T" && mkdir -p "$T" || fail "cannot create $T"

names="geo analysis output cli"
headers="geo/ctx.h src/analysis/analyze.h src/output/report.h src/cli/cli.h"
checks=0
# compile NAME DIRS HEADER: compile a probe including HEADER with -I for each of DIRS; exit status of cc.
compile() {
    printf '#include "%s"\nint probe(void);\nint probe(void) { return 0; }\n' "$3" >"$T/probe.c"
    flags=$(printf '%s' "$2" | tr ':' '\n' | sed 's/^/-I/' | tr '\n' ' ')
    # shellcheck disable=SC2086  # one word per -I flag (no spaces in the build's paths)
    "$CC" -std=c11 -D_POSIX_C_SOURCE=200809L -fsyntax-only $flags "$T/probe.c" >"$T/out" 2>&1
}
i=0
for dirs in "$@"; do
    i=$((i + 1))
    name=$(echo "$names" | cut -d' ' -f$i)
    j=0
    for h in $headers; do
        j=$((j + 1))
        st=0
        compile "$name" "$dirs" "$h" || st=$?
        if [ "$j" -le "$i" ]; then
            [ "$st" = 0 ] || { cat "$T/out"; fail "$name cannot include \"$h\""; }
        else
            [ "$st" != 0 ] || fail "$name can include \"$h\", a part above it"
            grep -q "$h: No such file" "$T/out" || { cat "$T/out"; fail "$name: \"$h\" failed, but not as not found"; }
        fi
        checks=$((checks + 1))
    done
done
rm -rf "$T"
echo "test_include_paths: ok ($checks includes tried)"
