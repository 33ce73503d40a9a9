#!/bin/sh
# tests/tools/test_check_includes.sh CHECKER SOURCE_DIR TMPDIR: check_includes.sh can fail. Copies geo/ and
# src/ to TMPDIR, checks that the clean copy passes, then plants one include per case at line 3 of one file
# of a fresh copy and checks the verdict: every crossing (geo -> src/, analysis -> output or cli,
# output -> cli, "../", a missing file, a path outside the four parts) exits 1 naming FILE:3; an allowed
# include exits 0. Exit 0 pass, 1 fail (with a message).
set -u
C=${1:?usage: test_check_includes.sh CHECKER SOURCE_DIR TMPDIR}
S=${2:?usage: test_check_includes.sh CHECKER SOURCE_DIR TMPDIR}
T=${3:?usage: test_check_includes.sh CHECKER SOURCE_DIR TMPDIR}
fail() {
    echo "test_check_includes: FAIL: $*"
    exit 1
}
fresh() {
    rm -rf "$T/root" && mkdir -p "$T/root" && cp -R "$S/geo" "$S/src" "$T/root/" || fail "cannot copy $S to $T"
}
# plant WHY FILE LINE [MAKE]: in a fresh copy (with an empty file MAKE added, if given) put LINE at line 3 of
# FILE and run the checker. WHY "ok": want exit 0; otherwise want exit 1 and one message, naming FILE:3, that
# says WHY.
plant() {
    fresh
    if [ $# -gt 3 ]; then
        mkdir -p "$T/root/$(dirname "$4")" && : >"$T/root/$4" || fail "cannot make $4"
    fi
    sed -i "3i $3" "$T/root/$2" || fail "cannot plant in $2"
    st=0
    sh "$C" "$T/root" >"$T/out" 2>&1 || st=$?
    if [ "$1" = ok ]; then
        [ "$st" = 0 ] || { cat "$T/out"; fail "$2: $3: exit $st, wanted 0"; }
    else
        [ "$st" = 1 ] || { cat "$T/out"; fail "$2: $3: exit $st, wanted 1"; }
        grep -q "^$2:3: .*$1" "$T/out" || { cat "$T/out"; fail "$2: $3: no message naming $2:3 that says '$1'"; }
        [ "$(grep -c '^[^:]*:[0-9]*: ' "$T/out")" = 1 ] || { cat "$T/out"; fail "$2: $3: not exactly one message"; }
    fi
    cases=$((cases + 1))
}
cases=0

fresh
sh "$C" "$T/root" >"$T/out" 2>&1 || { cat "$T/out"; fail "the clean copy does not pass"; }
st=0
sh "$C" "$T/nowhere" >/dev/null 2>&1 || st=$?
[ "$st" = 2 ] || fail "a root without geo/ and src/: exit $st, wanted 2"

cross="crosses a line"
plant "$cross" geo/ctx.c '#include "src/analysis/analyze.h"'
plant "$cross" geo/layer.h '#include "src/output/map.h"'
plant "$cross" geo/route.c '#include "src/cli/cli.h"'
plant "$cross" src/analysis/coverage.c '#include "src/output/report.h"'
plant "$cross" src/analysis/coverage.h '#include "src/cli/cli.h"'
plant "$cross" src/output/map.c '#include "src/cli/cli.h"'
plant "$cross" src/output/map.c '#include <src/cli/cli.h>'
plant "$cross" src/cli/main.c '#include "tools/x.h"' tools/x.h
plant "climbs with ../" src/output/report.c '#include "../analysis/analyze.h"'
plant "climbs with ../" src/cli/main.c '#include "../../geo/ctx.h"'
plant "names no file" src/cli/main.c '#include "geo/no_such.h"'
plant "names no file" src/cli/main.c '#include <src/output/no_such.h>'
plant "names no file" src/analysis/gaps.c '#include "analyze.h"'
plant "absolute path" src/analysis/gaps.c "#include \"$S/src/output/report.h\""
plant ok src/output/map.c '#include "geo/ctx.h"'
plant ok src/cli/main.c '#include "src/analysis/analyze.h"'
plant ok src/analysis/gaps.c '  #  include "src/analysis/analyze.h"'

rm -rf "$T/root"
echo "test_check_includes: ok ($cases planted cases)"
