# a scenario the analysis refuses (a negative population count): exit 2, and the --out directory the run would
# have created does not exist afterwards (issue 14: a failed run leaves no empty --out behind)
$ rm -rf $TMP/m && sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/m && sed -i 's/^2,950,500,50$/2,950,500,-50/' $TMP/m/people.csv && emscov analyze --out $TMP/m/new-out $TMP/m/scenario.ini
? 2
! people.csv: record 2: field pop: negative count -50
= m/new-out
