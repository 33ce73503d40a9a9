"""tests/integration/qgis_project.py GPKG PNG: open the QGIS project stored in an emscov GeoPackage as QGIS does
(Project > Open From > GeoPackage: QgsProject.read of geopackage:PATH?projectName=emscov), headless.

Checks, against expectations written here (not read from emscov): the project is listed in the GeoPackage;
its layers, top to bottom, are the result tables in the order designed (input issues, stations, sub-districts,
park and service areas, demand points at the bottom), the layers below the opaque sub-districts unticked; every layer is valid, reads the GeoPackage itself (its
source is PATH|layername=TABLE), is in EPSG:4548 (the sample city's CRS) and is drawn by the rule-based style
QGIS finds for that table in layer_styles (same rule labels and colours), the stations in #d7191c and the
demand points in the response-time bands; the map of the project's layers rendered to PNG shows the gap,
no-gap and station colours. Exit 0 ok, 1 failure."""
import os
import sys

from qgis.core import QgsApplication, QgsProject, QgsProviderRegistry, QgsVectorLayer
from qgis_render import finish, render_expect

gpkg, png = os.path.abspath(sys.argv[1]), sys.argv[2]
ORDER = ["input_issue", "station", "street_summary", "park_service_area", "service_area", "demand_time"]
SHOWN = ORDER[:3]
BANDS = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]
failures = []
app = QgsApplication([], False)
app.initQgis()
storage = QgsApplication.projectStorageRegistry().projectStorageFromType("geopackage")
listed = storage.listProjects(gpkg) if storage else []
if listed != ["emscov"]:
    failures.append("projects in the GeoPackage: %s, want ['emscov']" % listed)
prj = QgsProject.instance()
if not prj.read("geopackage:%s?projectName=emscov" % gpkg):
    failures.append("project not read: %s" % prj.error())
names = [t.layer().name() if t.layer() else t.name() for t in prj.layerTreeRoot().findLayers()]
if names != ORDER:
    failures.append("layer order %s, want %s" % (names, ORDER))
shown = [lyr.name() for lyr in prj.layerTreeRoot().checkedLayers()]
if shown != SHOWN:
    failures.append("ticked layers %s, want %s" % (shown, SHOWN))
if prj.crs().authid() != "EPSG:4548":
    failures.append("project CRS %s" % prj.crs().authid())
opts = QgsVectorLayer.LayerOptions()
opts.loadDefaultStyle = True
layers = []
for t in prj.layerTreeRoot().findLayers():
    lyr = t.layer()
    if lyr is None or not lyr.isValid():
        failures.append("%s: not valid" % t.name())
        continue
    parts = QgsProviderRegistry.instance().decodeUri("ogr", lyr.source())
    if os.path.abspath(parts.get("path", "")) != gpkg or parts.get("layerName") != lyr.name():
        failures.append("%s: source %s" % (lyr.name(), lyr.source()))
    if lyr.crs().authid() != "EPSG:4548":
        failures.append("%s: CRS %s" % (lyr.name(), lyr.crs().authid()))
    r = lyr.renderer()
    if r is None or r.type() != "RuleRenderer":
        failures.append("%s: renderer %s" % (lyr.name(), r.type() if r else None))
        continue
    got = [(x.label(), x.filterExpression(), x.symbol().color().name()) for x in r.rootRule().children()]
    own = QgsVectorLayer(gpkg + "|layername=" + lyr.name(), lyr.name(), "ogr", opts)  # layer_styles' style
    want = [(x.label(), x.filterExpression(), x.symbol().color().name()) for x in own.renderer().rootRule().children()]
    if got != want:
        failures.append("%s: rules %s, layer_styles has %s" % (lyr.name(), got, want))
    if lyr.name() == "station" and [c for _, _, c in got] != ["#d7191c"]:
        failures.append("station: colours %s" % got)
    if lyr.name() == "demand_time" and [c for _, _, c in got][:5] != BANDS:
        failures.append("demand_time: colours %s" % got)
    print("%s: valid, %s, %d features, %d rules" % (lyr.name(), lyr.crs().authid(), lyr.featureCount(), len(got)))
    layers.append(lyr)

# render the map as the project opens (the ticked layers), then its demand points with the stations
summary = prj.mapLayersByName("street_summary")
if summary and len(layers) == len(ORDER):
    by_name = {lyr.name(): lyr for lyr in layers}
    for names, path, colours in (
            (SHOWN, png, ["#fdae61", "#f7f7f7", "#d7191c"]),
            (["station", "demand_time"], png.replace(".png", "-time.png"),
             BANDS[:3] + ["#d7191c"])):
        render_expect([by_name[n] for n in names], summary[0], path, colours, failures)
finish(failures)
