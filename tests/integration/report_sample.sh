#!/bin/sh
# tests/integration/report_sample.sh EMSCOV SAMPLE_DIR TMP: the planner's report of the sample city (docs/user-guide.md,
# "emscov report"), checked from outside:
#  - analyze --report pdf,html (English) and emscov report --lang zh (with a sites run) from the output directory;
#  - every headline figure and every sub-district row of report.json, formatted by PostgreSQL (to_char, round:
#    not our code), is found in the text poppler's pdftotext reads from both PDFs and in the HTML's text;
#  - pdffonts lists an embedded (subset) Noto Sans CJK font; emscov warns of no glyph missing;
#  - the HTML is self-contained (no script, no link, no fetched URL) and opens in headless Chromium, which
#    renders it (a screenshot is taken: TMP/report-zh.png) and whose DOM has the figures;
#  - the same report from the run stored in PostGIS (--db --run latest) names the run and has the same figures;
#  - pages of each PDF as PNG (pdftoppm) are left in TMP for a person to look at.
# Needs EMSCOV_TEST_PG (skips with 77 without it, unless EMSCOV_REQUIRE_PG=1), poppler-utils and chromium.
set -u
EMSCOV=$1; SAMPLE=$2; TMP=$3
. "$(dirname "$0")/lib.sh"
require_pg
for t in pdftotext pdffonts pdfinfo pdftoppm chromium; do
  command -v $t >/dev/null || fail "$t is missing (tools/setup.sh test installs poppler-utils and chromium)"
done
rm -rf "$TMP" && mkdir -p "$TMP"
"$EMSCOV" analyze --report pdf,html --out "$TMP/out" "$SAMPLE/scenario.ini" >"$TMP/analyze.txt" 2>"$TMP/stderr.txt" \
  || { cat "$TMP/stderr.txt"; fail "analyze exited $?"; }
for f in report.json report.pdf report.html; do [ -s "$TMP/out/$f" ] || fail "analyze --report: missing $f"; done
grep -q "no glyph" "$TMP/stderr.txt" && fail "analyze: glyphs missing: $(cat "$TMP/stderr.txt")"
"$EMSCOV" sites --gap-centroids --k 3 --out "$TMP/sites" "$SAMPLE/scenario.ini" >/dev/null 2>&1 || fail "sites"
for f in pdf html; do
  "$EMSCOV" report --lang zh --run "$TMP/out" --sites "$TMP/sites" --out "$TMP/zh.$f" >"$TMP/report.txt" \
    2>"$TMP/report-stderr.txt" || { cat "$TMP/report-stderr.txt"; fail "report zh $f"; }
  grep -q "no glyph" "$TMP/report-stderr.txt" && fail "report: glyphs missing"
done
ls "$TMP/out" | grep -q tmp && fail "temporary file left behind"

pg_schema it_report
load_report "$TMP/out/report.json"
# The figures as the document must show them, formatted by PostgreSQL.
$PSQL "$EMSCOV_TEST_PG" -c "SET search_path = $SCHEMA, public;
  WITH r AS (SELECT j FROM report), c AS (SELECT j->'coverage' c FROM r)
  SELECT x FROM (
    SELECT to_char(round((c->>'mean_s')::numeric / 60, 2), 'FM990.00') x FROM c UNION ALL
    SELECT to_char(round((c->>'median_s')::numeric / 60, 2), 'FM990.00') FROM c UNION ALL
    SELECT to_char(round((c->>'p90_s')::numeric / 60, 2), 'FM990.00') FROM c UNION ALL
    SELECT to_char(round((c->>'max_s')::numeric / 60, 2), 'FM990.00') FROM c UNION ALL
    SELECT to_char((c->>'population')::numeric, 'FM999,999,999,990') FROM c UNION ALL
    SELECT to_char((c->>'unreachable_population')::numeric, 'FM999,999,999,990') FROM c UNION ALL
    SELECT to_char((e->>'population')::numeric, 'FM999,999,999,990') FROM c, jsonb_array_elements(c->'covered') e UNION ALL
    SELECT to_char(round((e->>'share')::numeric * 100, 1), 'FM990.0') FROM c, jsonb_array_elements(c->'covered') e UNION ALL
    SELECT to_char((j->'ambulances'->>k)::numeric, 'FM999,990') FROM r, unnest(array['ambulances','required','shortfall']) k UNION ALL
    SELECT to_char(round((j->'ambulances'->>'per_standard_residents')::numeric, 2), 'FM990.00') FROM r UNION ALL
    SELECT to_char(round((t->>'value')::numeric, 1), 'FM990.0') FROM r, jsonb_array_elements(j->'targets') t
      WHERE t->>'key' = 'park_coverage' UNION ALL
    SELECT j->'gaps'->>'subdistricts_without_station' FROM r UNION ALL
    SELECT to_char((j->'population'->>'input_total')::numeric, 'FM999,999,999,990') FROM r UNION ALL
    SELECT j->'standards'->>'name' FROM r) f" >"$TMP/figures.txt" || fail "psql figures"
# Every sub-district: name, residents and mean time on one row of the table.
$PSQL "$EMSCOV_TEST_PG" -c "SET search_path = $SCHEMA, public;
  SELECT s->>'name' || '|' || to_char((s->'coverage'->>'population')::numeric, 'FM999,999,990') || '|' ||
         to_char(round((s->'coverage'->>'mean_s')::numeric / 60, 2), 'FM990.00')
  FROM report, jsonb_array_elements(j->'subdistricts') s" >"$TMP/rows.txt" || fail "psql rows"
[ "$(wc -l <"$TMP/figures.txt")" -ge 18 ] || fail "too few figures: $(cat "$TMP/figures.txt")"
[ "$(wc -l <"$TMP/rows.txt")" = 20 ] || fail "expected 20 sub-district rows"

# check_text NAME FILE: every figure and every sub-district row is in FILE's text
check_text() {
  while IFS= read -r x; do
    grep -qF -- "$x" "$2" || fail "$1: figure $x not found"
  done <"$TMP/figures.txt"
  while IFS='|' read -r name pop mean; do
    grep -E -- "$name +[0-9]+ +[^ ]+ +$pop +$mean " "$2" >/dev/null || grep -E -- "$name.*$pop.*$mean" "$2" >/dev/null \
      || fail "$1: no row $name $pop $mean"
  done <"$TMP/rows.txt"
  echo "ok: $1: $(wc -l <"$TMP/figures.txt") figures and $(wc -l <"$TMP/rows.txt") sub-district rows equal report.json"
}
pdftotext -layout "$TMP/out/report.pdf" "$TMP/en.txt" || fail "pdftotext en"
pdftotext -layout "$TMP/zh.pdf" "$TMP/zh.txt" || fail "pdftotext zh"
pdftotext "$TMP/zh.pdf" "$TMP/zh-raw.txt" || fail "pdftotext zh (reading order)"
check_text "report.pdf (English, analyze --report)" "$TMP/en.txt"
check_text "zh.pdf (Chinese, emscov report)" "$TMP/zh.txt"
sed 's/<[^>]*>/ /g' "$TMP/out/report.html" >"$TMP/en-html.txt"
check_text "report.html (English)" "$TMP/en-html.txt"
for term in 院前医疗急救服务平均反应时间 标准化急救工作站 每3万人口配置1辆救护车 急救呼叫满足率 公园绿地 居住用地 街道（乡镇） 分钟; do
  tr -d ' \n' <"$TMP/zh-raw.txt" | grep -qF "$term" || fail "zh.pdf lacks the term $term" # cells wrap
done
echo "ok: the Chinese PDF uses the plans' terms"
grep -qF 'gap-110105003' "$TMP/zh.txt" || fail "zh.pdf: no best candidate site for the gaps"

# fonts: a CJK font embedded as a subset (emb yes, sub yes)
pdffonts "$TMP/zh.pdf" >"$TMP/fonts.txt" || fail "pdffonts"
grep -E 'NotoSans(Mono)?CJK[a-z]*-[A-Za-z]+ .* yes +yes ' "$TMP/fonts.txt" >/dev/null \
  || { cat "$TMP/fonts.txt"; fail "no embedded CJK font"; }
awk 'NR > 2 && $(NF-4) != "yes" { bad = 1 } END { exit bad }' "$TMP/fonts.txt" \
  || { cat "$TMP/fonts.txt"; fail "a font is not embedded"; }
echo "ok: fonts embedded: $(awk 'NR > 2 { print $1 }' "$TMP/fonts.txt" | tr '\n' ' ')"
pages=$(pdfinfo "$TMP/zh.pdf" | sed -n 's/^Pages: *//p')
[ "$pages" -ge 8 ] || fail "zh.pdf has $pages pages"
pdfinfo "$TMP/zh.pdf" | grep -q '^Page size:.*595.* x 841' || fail "not A4"

# HTML: self-contained, opens in Chromium
for pattern in '<script' '<link' ' src="' 'href="http' 'url(http' '@import'; do
  grep -qF -- "$pattern" "$TMP/zh.html" && fail "zh.html is not self-contained: $pattern"
done
[ "$(grep -c '<svg ' "$TMP/zh.html")" = 4 ] || fail "zh.html: expected 4 inline SVG maps"
CHROME="chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-dev-shm-usage
  --disable-extensions --no-first-run --user-data-dir=$TMP/chrome"
timeout 120 $CHROME --hide-scrollbars --window-size=1280,3000 --screenshot="$TMP/report-zh.png" "file://$TMP/zh.html" \
  >"$TMP/chrome.txt" 2>&1 || { tail -n 5 "$TMP/chrome.txt"; fail "chromium screenshot"; }
[ "$(od -An -tu1 -j16 -N8 "$TMP/report-zh.png" | tr -s ' ')" = " 0 0 5 0 0 0 11 184" ] \
  || fail "screenshot is not 1280 x 3000"
[ "$(wc -c <"$TMP/report-zh.png")" -gt 50000 ] || fail "screenshot is nearly empty"
timeout 120 $CHROME --dump-dom "file://$TMP/zh.html" >"$TMP/dom.html" 2>"$TMP/chrome.txt" || fail "chromium --dump-dom"
sed 's/<[^>]*>/ /g' "$TMP/dom.html" >"$TMP/dom.txt"
check_text "zh.html as Chromium's DOM" "$TMP/dom.txt"
echo "ok: Chromium opened zh.html (screenshot $TMP/report-zh.png)"

# the run stored in PostGIS: the same figures, the run named
"$EMSCOV" analyze --db "$EMSCOV_TEST_PG" --db-schema "${SCHEMA}_run" --out "$TMP/dbout" "$SAMPLE/scenario.ini" \
  >/dev/null 2>&1 || fail "analyze --db"
trap '$PSQL "$EMSCOV_TEST_PG" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE; DROP SCHEMA IF EXISTS ${SCHEMA}_run CASCADE" >/dev/null 2>&1' EXIT
"$EMSCOV" report --db "$EMSCOV_TEST_PG" --db-schema "${SCHEMA}_run" --run latest --out "$TMP/db.pdf" >/dev/null \
  || fail "report --db"
pdftotext -layout "$TMP/db.pdf" "$TMP/db.txt" || fail "pdftotext db"
grep -q "PostGIS run [0-9]* (schema ${SCHEMA}_run)" "$TMP/db.txt" || fail "db.pdf does not name the run"
check_text "db.pdf (from PostGIS)" "$TMP/db.txt"

pdftoppm -r 60 -png "$TMP/zh.pdf" "$TMP/zh-page" && pdftoppm -r 60 -png "$TMP/out/report.pdf" "$TMP/en-page" \
  || fail "pdftoppm"
echo "ok: pages as PNG in $TMP (zh-page-*.png, en-page-*.png)"
