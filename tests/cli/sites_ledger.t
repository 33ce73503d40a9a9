# sites runs the same analysis first and says what it dropped: the station without coordinates by name, the
# 100 people without coordinates in the population account (hand-worked as in analyze_ledger.t)
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/ledger_city.sh $TMP/c && emscov sites --grid 500 --k 1 --out $TMP/c/sites $TMP/c/scenario.ini
> population  input 350: allocated 250, dropped 100 (null_geometry 100); points with counts; outside every sub-district 70
>     1 NULL geometry: record not used: 空站 (id 9)
~ best 1 new sites
