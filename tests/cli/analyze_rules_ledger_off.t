# The same hand-made OSM roads (tests/cli/fixtures/rules_city.sh) with access = ignore, maxspeed = ignore,
# turn_restrictions = no, area = road and reversible = implied: the access=private way used like any road, the
# maxspeed of way 11 not used, both turn restrictions counted and not applied, the area=yes and reversible ways
# roads (read 7: 6 used, the one-node way skipped); the ledger says so
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/rules_city.sh $TMP/c && sed -i 's/^maxspeed = cap$/maxspeed = ignore\naccess = ignore\nturn_restrictions = no\narea = road\nreversible = implied/' $TMP/c/scenario.ini && emscov analyze --out $TMP/c/out $TMP/c/scenario.ini && jq -r '.ledger.issues[] | select(.layer == "roads") | "json \(.reason) \(.records): \(.detail)"' $TMP/c/out/report.json
>   roads              roads.osm                  7 roads read: 6 used, 1 skipped
>     1 road an access tag closes to ambulances: used like any road (access = ignore)
>     1 road piece with an own speed: the class speed used (maxspeed = ignore)
>     2 turn restriction not applied (turn_restrictions = no)
> json not_drivable 1: 1 way(s) with fewer than 2 nodes
> json access_ignored 1: 1 road(s)
> json own_speed_ignored 1: 1 link(s)
> json turn_off 2: 2 restriction(s)
- area=yes highway
- reversible way
- turn restriction applied
