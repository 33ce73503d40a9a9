# a population path longer than 300 bytes (a deep directory) reads: lines have no length limit (libinih's
# own buffer is 200 bytes); the population is the mini city's 250
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/m && deep=$(printf 'a-rather-long-directory-name-%02d/' 1 2 3 4 5 6 7 8 9 10 11) && mkdir -p "$TMP/m/$deep" && mv $TMP/m/people.csv "$TMP/m/$deep" && sed -i "s|^path = people.csv$|path = $deep""people.csv ; $(printf '%0300d' 0)|" $TMP/m/scenario.ini && [ $(grep -c "^path = ${deep}people.csv" $TMP/m/scenario.ini) = 1 ] && [ ${#deep} -gt 300 ] && emscov analyze --out $TMP/m/out $TMP/m/scenario.ini
> population  input 250 = allocated 250 (points with counts); outside every sub-district 70
~ stations    2: 2 on the main road network
