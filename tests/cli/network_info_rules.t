# the network rules as options: access-restricted ways dropped, own speeds capped at the class speed, turn
# restrictions off: the 59 restricted ways are counted and dropped (2265 nodes, as before issue 15), the 27
# restrictions counted and not applied, no node copied
requires shared
$ emscov network info --access strict --maxspeed cap --turns no $SHARED/data/real/monaco-osm-2016/monaco.osm.pbf
> nodes                  2265
> network rules          method emscov: access strict, maxspeed cap, turn restrictions off, area=yes skip, oneway=reversible skip
~ access-restricted      59 roads: 59 dropped, 0 used like any road, 0 links (0.000 km)
~ turn restrictions      27 read: 0 applied (0 forbidden turn sequences), 0 unresolved, 27 not applied (off)
> directed arcs          4318
> search graph           2265 nodes + 0 copies, 4318 arcs (the graph the rules route on)
