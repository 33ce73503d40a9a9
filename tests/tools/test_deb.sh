#!/bin/sh
# tests/tools/test_deb.sh BUILD TMP: `cpack -G DEB` makes a Debian package whose Depends name the Debian 12
# runtime libraries the binary links (as dpkg-shlibdeps finds them: GDAL, GEOS, PROJ, libpq, Cairo, Pango,
# GLPK, ...), whose files sit under /usr, and which, unpacked anywhere, analyzes its own sample city.
# Skipped (77) without dpkg-deb / dpkg-shlibdeps (Debian's dpkg-dev). Installing it on a bare Debian 12:
# docs/user-guide.md, "Install from the Debian package" (../shared/tools/fresh-debian).
set -u
BUILD=$1; TMP=$2
fail() { echo "FAIL: $*"; exit 1; }
for t in cpack dpkg-deb dpkg-shlibdeps; do
  command -v "$t" >/dev/null || { echo "skipped: no $t"; exit 77; }
done
rm -rf "$TMP"; mkdir -p "$TMP"
cpack -G DEB -B "$TMP" --config "$BUILD/CPackConfig.cmake" >"$TMP/cpack.log" 2>&1 || { cat "$TMP/cpack.log"; fail cpack; }
deb=$(ls "$TMP"/emscov_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || fail "no .deb in $TMP"
dpkg-deb -f "$deb" Depends >"$TMP/depends"
# What the binary links, from its own dynamic section: each of these libraries' packages must be a Depends.
for lib in libgdal libgeos_c libproj libpq libcairo libpango-1.0 libglpk libshp libjson-c libinih libsqlite3; do
  objdump -p "$BUILD/src/emscov" | grep -q "NEEDED *$lib\.so" || fail "the binary does not link $lib"
  so=$(ldconfig -p | awk -v l="$lib.so" 'index($1, l) == 1 { print $1; exit }')
  pkg=$(dpkg -S "*/$so" 2>/dev/null | cut -d: -f1 | head -n 1)
  [ -n "$pkg" ] || fail "no Debian package owns $lib"
  grep -q "\(^\|, \)$pkg\( \|,\|$\)" "$TMP/depends" || { cat "$TMP/depends"; fail "Depends lacks $pkg ($lib)"; }
done
dpkg-deb -c "$deb" | awk '{print $NF}' >"$TMP/files"
for f in ./usr/bin/emscov ./usr/share/emscov/standards/beijing-2022.ini ./usr/share/man/man1/emscov.1.gz \
         ./usr/lib/pkgconfig/emscov.pc ./usr/include/emscov/geo/ctx.h ./usr/share/locale/zh_CN/LC_MESSAGES/emscov.mo; do
  grep -qxF "$f" "$TMP/files" || fail "the package lacks $f"
done
dpkg-deb -x "$deb" "$TMP/root" || fail "dpkg-deb -x"
E="$TMP/root/usr/bin/emscov"
env -u EMSCOV_DATA "$E" version | grep -qx "data: $(cd "$TMP/root/usr/share/emscov" && pwd -P)" || fail "data directory"
env -u EMSCOV_DATA "$E" analyze --out "$TMP/out" "$TMP/root/usr/share/emscov/sample/scenario.ini" >"$TMP/analyze.out" \
  2>"$TMP/analyze.err" || { cat "$TMP/analyze.err"; fail "analyze from the package"; }
grep -q "mean response time" "$TMP/analyze.out" || fail "no summary"
echo "ok: $(basename "$deb"), Depends: $(cat "$TMP/depends")"
