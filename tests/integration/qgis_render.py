"""tests/integration/qgis_render.py: render(layers, extent_layer, size, path) for the PyQGIS tests: draws the
layers (the first on top) over white in extent_layer's CRS and extent, saves the PNG and returns how many of
every other pixel have each colour ({"#rrggbb": count}); render_expect renders 1000x800 and adds a failure for
each expected colour with no pixel; finish prints the failures and exits (1 when any)."""
import os
import sys

from qgis.core import QgsMapRendererCustomPainterJob, QgsMapSettings
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor, QImage, QPainter


def render(layers, extent_layer, size, path):
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(extent_layer.crs())
    settings.setExtent(extent_layer.extent())
    settings.setOutputSize(QSize(*size))
    settings.setBackgroundColor(QColor(255, 255, 255))
    img = QImage(settings.outputSize(), QImage.Format_ARGB32)
    img.fill(QColor(255, 255, 255))
    painter = QPainter(img)
    job = QgsMapRendererCustomPainterJob(settings, painter)
    job.start()
    job.waitForFinished()
    painter.end()
    img.save(path)
    seen = {}
    for y in range(0, img.height(), 2):
        for x in range(0, img.width(), 2):
            c = QColor(img.pixel(x, y)).name()
            seen[c] = seen.get(c, 0) + 1
    return seen


def render_expect(layers, extent_layer, path, colours, failures):
    seen = render(layers, extent_layer, (1000, 800), path)
    for c in colours:
        if not seen.get(c):
            failures.append("%s: no pixel of %s" % (path, c))
    print("rendered %s: %s" % (path, ", ".join("%s %d" % (c, seen.get(c, 0)) for c in colours)))


def finish(failures):
    for f in failures:
        print("FAIL: " + f)
    sys.stdout.flush()
    os._exit(1 if failures else 0)  # not app.exitQgis(): it crashes headless QGIS 3.22 on the way out
