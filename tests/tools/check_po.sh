#!/bin/sh
# tests/tools/check_po.sh: the message catalogue against the sources (src/output/i18n.h).
#   check_po.sh SRC TMPDIR        the test: every text marked in the sources has a Chinese translation in
#                                 po/zh_CN.po (not empty, not fuzzy), the catalogue has no text the sources
#                                 lost, and msgfmt --check accepts it (format strings match their msgid)
#   check_po.sh --pot SRC OUT     write the template (OUT, e.g. po/emscov.pot) from the sources
# The marked texts: _(), N_(), NC_(ctx, text), i18n_pgettext(ctx, text) in src/output and src/cli, and the
# people's texts of the ledger reasons (the third argument of each X(...) in src/analysis/ledger.h).
set -eu
pot() { # SRC OUT
  src=$1; out=$2; tmp=$out.tmp-$$
  (cd "$src" && xgettext --from-code=UTF-8 --language=C --sort-by-file --add-comments=TRANSLATORS: \
     --keyword=_ --keyword=N_ --keyword=NC_:1c,2 --keyword=i18n_pgettext:1c,2 \
     --package-name=emscov -o "$tmp.1" src/output/*.c src/cli/*.c &&
   xgettext --from-code=UTF-8 --language=C --keyword= --keyword=X:3 --package-name=emscov \
     -o "$tmp.2" src/analysis/ledger.h)
  sed -i 's/charset=CHARSET/charset=UTF-8/' "$tmp.1" "$tmp.2"
  msgcat --sort-by-file -o "$out" "$tmp.1" "$tmp.2"
  rm -f "$tmp.1" "$tmp.2"
}
if [ "${1:-}" = --pot ]; then pot "$2" "$3"; exit 0; fi
SRC=$1; TMP=$2
mkdir -p "$TMP"
for t in xgettext msgcat msgcmp msgfmt; do
  command -v $t >/dev/null || { echo "check_po: $t missing (Debian package gettext: tools/setup.sh)"; exit 1; }
done
pot "$SRC" "$TMP/emscov.pot"
PO=$SRC/po/zh_CN.po
fail=0
n=$(grep -c '^msgid ' "$TMP/emscov.pot")
echo "check_po: $((n - 1)) texts marked in the sources"
# every marked text translated (untranslated and fuzzy entries count as missing)
msgcmp "$PO" "$TMP/emscov.pot" 2>"$TMP/missing" || { echo "check_po: texts without a Chinese translation:"; cat "$TMP/missing"; fail=1; }
# nothing in the catalogue the sources no longer have
msgcmp --use-untranslated "$TMP/emscov.pot" "$PO" 2>"$TMP/stale" || { echo "check_po: stale texts in po/zh_CN.po:"; cat "$TMP/stale"; fail=1; }
msgfmt --check --statistics -o /dev/null "$PO" 2>"$TMP/stats" || { cat "$TMP/stats"; fail=1; }
cat "$TMP/stats"
grep -q 'fuzzy\|untranslated' "$TMP/stats" && { echo "check_po: fuzzy or untranslated entries"; fail=1; }
[ "$fail" = 0 ] && echo "check_po: ok"
exit $fail
