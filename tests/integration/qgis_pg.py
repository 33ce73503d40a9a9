"""tests/integration/qgis_pg.py CONNINFO SCHEMA PNG: a PostGIS run as QGIS users browse it (PyQGIS, headless).
Every table and latest_ view of the schema that has an emscov style in SCHEMA.layer_styles opens valid through
QGIS's PostgreSQL provider (key gid), in EPSG:4548, with as many features as SQL counts; the style read from
that table applies (a rule-based renderer; street_summary's first class orange #fdae61); latest_street_summary
is rendered to PNG and shows the gap colour. Exit 0 ok, 1 failure."""
import os
import sys

from qgis.core import QgsApplication, QgsDataSourceUri, QgsVectorLayer
from qgis.PyQt.QtXml import QDomDocument
from qgis_render import render

conninfo, schema, png = sys.argv[1:4]
app = QgsApplication([], False)
app.initQgis()
failures = []


def query(sql):
    """Rows of sql through QGIS's own connection (the provider's), as lists of values."""
    from qgis.core import QgsProviderRegistry
    md = QgsProviderRegistry.instance().providerMetadata("postgres")
    conn = md.createConnection(conninfo, {})
    return conn.executeSql(sql)


styles = query("SELECT f_table_name, styleqml::text FROM %s.layer_styles WHERE stylename = 'emscov' "
               "ORDER BY f_table_name" % schema)
if len(styles) < 12:
    failures.append("%d styles in %s.layer_styles" % (len(styles), schema))
opened = {}
for table, qml in styles:
    uri = QgsDataSourceUri(conninfo)
    uri.setDataSource(schema, table, "geom", "", "gid")
    lyr = QgsVectorLayer(uri.uri(False), table, "postgres")
    n_sql = query('SELECT count(*) FROM %s."%s"' % (schema, table))[0][0]
    if not lyr.isValid():
        failures.append(table + ": not valid")
        continue
    doc = QDomDocument()
    doc.setContent(qml)
    ok, err = lyr.importNamedStyle(doc)
    if not ok:
        failures.append("%s: style: %s" % (table, err))
    if lyr.renderer().type() != "RuleRenderer":
        failures.append("%s: renderer %s" % (table, lyr.renderer().type()))
    if lyr.crs().authid() != "EPSG:4548":
        failures.append("%s: CRS %s" % (table, lyr.crs().authid()))
    if lyr.featureCount() != int(n_sql):
        failures.append("%s: %d features, SQL %s" % (table, lyr.featureCount(), n_sql))
    opened[table] = lyr
    print("%s: valid, %s, %d features, styled" % (table, lyr.crs().authid(), lyr.featureCount()))

lyr = opened.get("latest_street_summary")
if lyr:
    first = lyr.renderer().rootRule().children()[0].symbol().color().name()
    if first != "#fdae61":
        failures.append("latest_street_summary: first class %s" % first)
    seen = render([lyr], lyr, (600, 480), png)
    n = seen.get("#fdae61", 0)
    if n == 0:
        failures.append("rendered latest_street_summary: no gap colour")
    print("rendered %s: %d gap pixels" % (png, n))
else:
    failures.append("latest_street_summary not opened")
for f in failures:
    print("FAIL: " + f)
sys.stdout.flush()
os._exit(1 if failures else 0)
