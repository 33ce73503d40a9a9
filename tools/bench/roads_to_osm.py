#!/usr/bin/env python3
"""tools/bench/roads_to_osm.py ROADS.csv > roads.osm: the generated city's roads as OpenStreetMap XML, for the
OSM read benchmark (tools/bench/osm.sh). Standard library only.

Input: roads.shp as CSV in EPSG:4326 with WKT geometry, as written by
  ogr2ogr -f CSV -lco GEOMETRY=AS_WKT -t_srs EPSG:4326 roads.csv roads.shp
(columns WKT, ROAD_ID, NAME, CLASS, ONEWAY, SPEED, LANES; see the city's README.md).
Output: one <node> per distinct vertex (lon/lat rounded to OSM's 1e-7 degree, so segments meeting at a
junction share the node, as in OSM), then one <way> per segment with id ROAD_ID and tags: highway from CLASS
(快速路 expressway -> trunk, 主干路 arterial -> primary, 次干路 collector -> secondary, 支路 local ->
residential), oneway from ONEWAY (F -> yes, T -> -1), maxspeed from SPEED when > 0, lanes, name."""
import csv
import sys
from xml.sax.saxutils import quoteattr

HIGHWAY = {"快速路": "trunk", "主干路": "primary", "次干路": "secondary", "支路": "residential"}
ONEWAY = {"F": "yes", "T": "-1"}


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: roads_to_osm.py ROADS.csv > roads.osm")
    csv.field_size_limit(1 << 30)
    node_id = {}
    nodes = []  # (lon7, lat7) by id - 1
    ways = []
    with open(sys.argv[1], newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            wkt = row["WKT"]
            if not wkt.startswith("LINESTRING"):
                sys.exit("roads_to_osm: ROAD_ID %s: %s is not a LINESTRING" % (row["ROAD_ID"], wkt[:20]))
            refs = []
            for pair in wkt[wkt.index("(") + 1:wkt.rindex(")")].split(","):
                x, y = pair.split()
                key = (round(float(x) * 1e7), round(float(y) * 1e7))
                nid = node_id.get(key)
                if nid is None:
                    nodes.append(key)
                    nid = node_id[key] = len(nodes)
                refs.append(nid)
            ways.append((row, refs))
    out = sys.stdout
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="emscov roads_to_osm.py">\n')
    for i, (x, y) in enumerate(nodes, 1):
        out.write('<node id="%d" lat="%.7f" lon="%.7f"/>\n' % (i, y / 1e7, x / 1e7))
    for row, refs in ways:
        out.write('<way id="%s">' % row["ROAD_ID"])
        out.write("".join('<nd ref="%d"/>' % r for r in refs))
        tags = [("highway", HIGHWAY.get(row["CLASS"], "road"))]
        if row["ONEWAY"] in ONEWAY:
            tags.append(("oneway", ONEWAY[row["ONEWAY"]]))
        if row["SPEED"] and int(row["SPEED"]) > 0:
            tags.append(("maxspeed", row["SPEED"]))
        if row["LANES"] and int(row["LANES"]) > 0:
            tags.append(("lanes", row["LANES"]))
        if row["NAME"]:
            tags.append(("name", row["NAME"]))
        out.write("".join("<tag k=%s v=%s/>" % (quoteattr(k), quoteattr(v)) for k, v in tags))
        out.write("</way>\n")
    out.write("</osm>\n")
    print("roads_to_osm: %d nodes, %d ways" % (len(nodes), len(ways)), file=sys.stderr)


if __name__ == "__main__":
    main()
