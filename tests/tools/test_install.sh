#!/bin/sh
# tests/tools/test_install.sh BUILD SOURCE TMP: what `cmake --install` puts under a prefix works on its own.
#  - installed with DESTDIR into TMP, then the prefix moved elsewhere (nothing may depend on where it was put);
#  - the installed emscov, with EMSCOV_DATA / EMSCOV_LOCALEDIR unset and the source's data/ hidden (a private
#    mount namespace with an empty tmpfs over it, when unshare(1) may: root), names its own share/emscov and
#    share/locale (`emscov version`) and analyzes the installed sample city with the same targets as the build
#    tree's emscov; the standard it used is the installed beijing-2022.ini (12 min -> 720 s);
#  - EMSCOV_DATA pointing nowhere: exit 2 naming the standards file it looked for;
#  - man -l renders every installed page, and each page names every option its command's --help lists;
#  - a program compiled with `pkg-config --cflags --libs emscov` against the installed library and headers
#    loads the installed standards.
set -u
BUILD=$1; SRC=$2; TMP=$3
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$TMP"; mkdir -p "$TMP"
DESTDIR="$TMP/stage" cmake --install "$BUILD" --prefix /opt/emscov >"$TMP/install.log" 2>&1 ||
  { cat "$TMP/install.log"; fail "cmake --install"; }
mv "$TMP/stage/opt/emscov" "$TMP/moved" || fail "move the prefix"
P=$(cd "$TMP/moved" && pwd -P)
for f in bin/emscov lib/libemscov.a lib/pkgconfig/emscov.pc include/emscov/geo/ctx.h \
         include/emscov/src/analysis/analyze.h include/emscov/src/output/job.h share/emscov/standards/beijing-2022.ini \
         share/emscov/speed/default.ini share/emscov/sample/scenario.ini share/locale/zh_CN/LC_MESSAGES/emscov.mo \
         share/man/man1/emscov.1.gz share/man/man1/emscov-analyze.1.gz share/doc/emscov/user-guide.md; do
  [ -f "$P/$f" ] || fail "not installed: $f"
done
[ -z "$(find "$P/include" -name '*_internal.h')" ] || fail "internal headers installed"

# The installed emscov, away from the source tree. hide: run "$@" with $SRC/data empty, when we may.
hide=""
if command -v unshare >/dev/null && unshare -m true 2>/dev/null; then
  hide="unshare -m sh -c 'mount -t tmpfs none \"$SRC/data\" && exec \"\$0\" \"\$@\"'"
else
  echo "note: unshare -m not permitted: the source's data/ stays visible (the installed binary is checked by path)"
fi
inst() { eval "env -u EMSCOV_DATA -u EMSCOV_LOCALEDIR $hide \"\$P/bin/emscov\" \"\$@\""; }
inst version >"$TMP/version" 2>&1 || { cat "$TMP/version"; fail "emscov version"; }
grep -qx "data: $P/share/emscov" "$TMP/version" || { cat "$TMP/version"; fail "data directory is not the installed one"; }
grep -q "^messages: $P/bin/../share/locale$" "$TMP/version" || { cat "$TMP/version"; fail "catalogue is not the installed one"; }
inst --version | grep -qx "emscov [0-9][0-9.]*" || fail "--version"

inst analyze --out "$TMP/out" "$P/share/emscov/sample/scenario.ini" >"$TMP/analyze.out" 2>"$TMP/analyze.err" ||
  { cat "$TMP/analyze.err"; fail "analyze of the installed sample"; }
"$EMSCOV_BIN" analyze --out "$TMP/build-out" "$BUILD/sample/scenario.ini" >/dev/null 2>&1 || fail "build tree analyze"
python3 - "$TMP/out/report.json" "$TMP/build-out/report.json" "$SRC/data/standards/beijing-2022.ini" <<'EOF' || fail "installed run differs"
import json, re, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
want = float(re.search(r"^mean_below_min\s*=\s*([0-9.]+)", open(sys.argv[3]).read(), re.M).group(1)) * 60
assert a["standards"]["mean_below_s"] == want, (a["standards"]["mean_below_s"], want)
for k in ("standards", "targets", "coverage", "gaps", "ambulances", "parks"):
    assert a[k] == b[k], k
assert all(v.startswith(sys.argv[1].rsplit("/out/", 1)[0]) for v in a["inputs"].values() if v), a["inputs"]
print("installed run: %d targets as the build tree's" % len(a["targets"]))
EOF

# The failure path: a data directory without the standard.
EMSCOV_DATA="$TMP/nowhere" "$P/bin/emscov" analyze --out "$TMP/out2" "$P/share/emscov/sample/scenario.ini" \
  >/dev/null 2>"$TMP/nowhere.err"
rc=$?
[ "$rc" = 2 ] || fail "EMSCOV_DATA=nowhere: exit $rc, want 2"
grep -qF "$TMP/nowhere/standards/beijing-2022.ini" "$TMP/nowhere.err" || { cat "$TMP/nowhere.err"; fail "message"; }

# Man pages: rendered by man-db, and naming every option of --help.
if command -v man >/dev/null; then
  for page in "$P"/share/man/man1/*.1.gz; do
    name=$(basename "$page" .1.gz)
    MANWIDTH=100 LC_ALL=C.UTF-8 man -l -P cat "$page" >"$TMP/$name.txt" 2>"$TMP/$name.err" || fail "man -l $name"
    [ -s "$TMP/$name.err" ] && { cat "$TMP/$name.err"; fail "man -l $name: warnings"; }
    grep -q "^NAME" "$TMP/$name.txt" && grep -q "^SYNOPSIS" "$TMP/$name.txt" || fail "$name: no NAME/SYNOPSIS"
    case $name in
      emscov) help=$("$P/bin/emscov" help) ;;
      emscov-network) help=$("$P/bin/emscov" network info --help) ;;
      *) help=$("$P/bin/emscov" "${name#emscov-}" --help) ;;
    esac
    n=0
    for opt in $(printf '%s\n' "$help" | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
      grep -qF -- "$opt" "$TMP/$name.txt" || fail "$name: man page lacks $opt"
      n=$((n + 1))
    done
    echo "man $name: renders, $n options of --help"
  done
else
  echo "note: man not installed (Debian man-db): pages not rendered"
fi

# The library: a program built with pkg-config against the installed tree.
cat >"$TMP/app.c" <<'EOF'
#include "geo/ctx.h"
#include "src/analysis/standards.h"
#include <stdio.h>
int main(int argc, char **argv)
{
    emscov_ctx *ctx = emscov_ctx_create();
    standards *s = NULL;
    if (argc < 2 || standards_load(ctx, "beijing-2022", argv[1], &s) != EMS_OK) {
        fprintf(stderr, "%s\n", emscov_message(ctx));
        return 1;
    }
    printf("%s %.0f\n", s->name, s->mean_below_s);
    standards_destroy(s);
    emscov_ctx_destroy(ctx);
    return 0;
}
EOF
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
datadir=$(pkg-config --variable=datadir emscov) || fail "pkg-config emscov"
# shellcheck disable=SC2046
cc -std=c11 ${EMSCOV_APP_CFLAGS:-} -o "$TMP/app" "$TMP/app.c" $(pkg-config --cflags --libs emscov) 2>"$TMP/cc.err" || { cat "$TMP/cc.err"; fail "cc"; }
out=$("$TMP/app" "$datadir") || fail "the program against libemscov"
[ "$out" = "beijing-2022 720" ] || fail "the program printed: $out"
echo "ok: installed tree at $P"
