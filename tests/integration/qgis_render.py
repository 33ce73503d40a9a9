"""tests/integration/qgis_render.py: render(layers, extent_layer, size, path) for the PyQGIS tests: draws the
layers (the first on top) over white in extent_layer's CRS and extent, saves the PNG and returns how many of
every other pixel have each colour ({"#rrggbb": count})."""
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
