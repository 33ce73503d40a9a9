"""tests/integration/qgis_styles.py GPKG PNG: open every layer of an emscov GeoPackage in QGIS (PyQGIS, headless)
with the default style QGIS finds in the GeoPackage's layer_styles table, as QGIS does on opening a layer.

Checks, against expectations written here (not read from emscov): every layer is valid, in EPSG:4548 (the
sample city's CRS), with its feature count as SQLite counts it; it is drawn by emscov's rule-based style with
the colours of `emscov map` (ColorBrewer YlGnBu-5 for the response-time bands, #fdae61 for sub-districts
without a station, #d7191c for stations, #1a9850 for parks); the rules of demand_time split its features as
SQL on time_s does (each point in exactly one band or unreachable); a map of the layers rendered to PNG shows
the band colours, the gap colour and the station colour. Exit 0 ok, 1 failure."""
import sqlite3
import sys

from qgis.core import QgsApplication, QgsFeatureRequest, QgsVectorLayer
from qgis_render import finish, render_expect

gpkg, png = sys.argv[1], sys.argv[2]
BANDS = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]
EXPECT = {
    "street_summary": [("without a station", "#fdae61"), ("with a station", "#f7f7f7")],
    "demand_time": [(l, c) for l, c in zip(["0–4 min", "4–8 min", "8–12 min", "12–16 min", "16 min or more"], BANDS)]
    + [("not reachable by road", "#bdbdbd")],
    "service_area": None,  # band colours, checked below
    "station": [("station", "#d7191c")],
    "park_service_area": [("park service area", "#1a9850")],
    "input_issue": None,
}
failures = []
db = sqlite3.connect(gpkg)
app = QgsApplication([], False)
app.initQgis()
opts = QgsVectorLayer.LayerOptions()
opts.loadDefaultStyle = True
layers = {}
for name, want in EXPECT.items():
    lyr = QgsVectorLayer(gpkg + "|layername=" + name, name, "ogr", opts)
    n_sql = db.execute('SELECT count(*) FROM "%s"' % name).fetchone()[0]
    if not lyr.isValid():
        failures.append(name + ": not valid")
        continue
    if lyr.crs().authid() != "EPSG:4548":
        failures.append("%s: CRS %s" % (name, lyr.crs().authid()))
    if lyr.featureCount() != n_sql:
        failures.append("%s: %d features, SQLite %d" % (name, lyr.featureCount(), n_sql))
    r = lyr.renderer()
    if r.type() != "RuleRenderer":
        failures.append("%s: renderer %s (the style was not loaded)" % (name, r.type()))
        continue
    got = [(x.label(), x.symbol().color().name()) for x in r.rootRule().children()]
    if want is not None and got != want:
        failures.append("%s: rules %s, want %s" % (name, got, want))
    if name == "service_area" and [c for _, c in got] != BANDS:
        failures.append("service_area: colours %s" % got)
    print("%s: valid, %s, %d features, %d rules" % (name, lyr.crs().authid(), lyr.featureCount(), len(got)))
    layers[name] = lyr

# demand_time: the rules split the points as SQL does
lyr = layers.get("demand_time")
if lyr:
    rules = lyr.renderer().rootRule().children()
    sql = ["time_s >= 0 AND time_s < 240", "time_s >= 240 AND time_s < 480", "time_s >= 480 AND time_s < 720",
           "time_s >= 720 AND time_s < 960", "time_s >= 960", "time_s IS NULL"]
    for rule, where in zip(rules, sql):
        n_sql = db.execute("SELECT count(*) FROM demand_time WHERE " + where).fetchone()[0]
        req = QgsFeatureRequest().setFilterExpression(rule.filterExpression())
        n = sum(1 for _ in lyr.getFeatures(req))
        if n != n_sql:
            failures.append("demand_time rule %s: %d points, SQL %d" % (rule.label(), n, n_sql))
    print("demand_time: rules split %d points as SQL" % lyr.featureCount())

# render two maps as `emscov map` draws them: gaps (sub-districts, stations) and time (demand points, stations)
if "street_summary" in layers:
    for names, path, colours in (
            (["station", "street_summary"], png, ["#fdae61", "#f7f7f7", "#d7191c"]),
            (["station", "demand_time"], png.replace(".png", "-time.png"), BANDS[:3] + ["#d7191c"])):
        render_expect([layers[n] for n in names if n in layers], layers["street_summary"], path, colours, failures)
finish(failures)
