# What each network rule changed is in the run's ledger (issue 15), from a hand-made OSM file with one way per
# rule (tests/cli/fixtures/rules_city.sh: 7 ways read, 4 used; the short, area=yes and reversible ways skipped;
# access=private usable at a route's ends only; maxspeed=100 capped; one turn restriction applied, one naming a
# way that is not in the file unresolved), in the console and in report.json
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/rules_city.sh $TMP/c && emscov analyze --out $TMP/c/out $TMP/c/scenario.ini && jq -r '(.ledger.layers[] | select(.layer == "roads") | "json roads read \(.read) used \(.used) skipped \(.skipped)"), (.ledger.issues[] | select(.layer == "roads") | "json \(.reason) \(.records): \(.detail)")' $TMP/c/out/report.json
>   roads              roads.osm                  7 roads read: 4 used, 3 skipped
>     1 road closed to traffic or without a usable line: not in the graph
>     1 OSM area=yes highway (a square or yard drawn as a polygon): not in the graph (area = skip)
>     1 OSM oneway=reversible way (its direction changes with the time of day): not in the graph (reversible = skip)
>     1 road an access tag closes to ambulances: usable only at a route's start or end (access = ends)
>     1 road piece whose own speed exceeds its class speed: the class speed used (maxspeed = cap)
>     1 turn restriction applied
>     1 turn restriction whose roads or junction are not in the graph: not applied
> json roads read 7 used 4 skipped 3
> json not_drivable 1: 1 way(s) with fewer than 2 nodes
> json area_highway 1: 1 way(s)
> json reversible 1: 1 way(s)
> json restricted_ends 1: 1 road(s): 1 link(s), 1.000 km
> json own_speed_capped 1: 1 link(s)
> json turn_restriction 1: 1 restriction(s): 1 forbidden turn sequence(s)
> json turn_unresolved 1: 1 restriction(s)
