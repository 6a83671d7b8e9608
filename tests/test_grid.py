"""Plot grids are opaque lines under the data (gui.widgets.grid): Qt paints semi-transparent lines ~25x slower."""
import pyqtgraph as pg
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from gui.widgets.grid import GRID_Z, opaque_pen, show_grid


def test_an_opaque_pen_has_the_colour_the_transparent_one_shows_over_white():
    pen = QPen(QColor(0, 0, 0, 64))
    got = opaque_pen(pen).color()
    assert got.alpha() == 255
    assert [abs(c - 255 * (1 - 64 / 255)) <= 1 for c in got.getRgb()[:3]] == [True] * 3
    blue = opaque_pen(QPen(QColor(0, 0, 255, 128))).color()
    assert abs(blue.red() - 127) <= 1 and blue.blue() == 255 and blue.alpha() == 255
    solid = QPen(QColor("#123456"))
    assert opaque_pen(solid) is solid


def test_the_grid_draws_no_semi_transparent_line_and_looks_the_same_over_white(qtbot):
    plain, ours = pg.PlotWidget(background="w"), pg.PlotWidget(background="w")
    for w in (plain, ours):
        qtbot.addWidget(w)
        w.resize(400, 300)
        w.setRange(xRange=(0, 10), yRange=(0, 10), padding=0)
    plain.showGrid(x=True, y=True, alpha=0.25)
    show_grid(ours.getPlotItem(), alpha=0.25)
    a, b = plain.grab().toImage(), ours.grab().toImage()
    # the major lines (2, 4, 6, ... here) in the grey the transparent ones show; no finer level drawn
    major = [x for x in range(40, 400) if QColor(b.pixel(x, 150)).lightness() < 250]
    plain_major = [x for x in range(40, 400) if QColor(a.pixel(x, 150)).lightness() < 236]
    assert major == plain_major and len(major) >= 5
    for x in major:
        assert abs(QColor(a.pixel(x, 150)).lightness() - QColor(b.pixel(x, 150)).lightness()) <= 12
    for name in ("left", "bottom"):
        axis = ours.getPlotItem().getAxis(name)
        image = QImage(400, 300, QImage.Format.Format_ARGB32)
        painter = QPainter(image)
        _, ticks, _ = axis.generateDrawSpecs(painter)
        painter.end()
        assert ticks and all(pen.color().alpha() == 255 for pen, _, _ in ticks)
        assert axis.zValue() == GRID_Z < ours.getPlotItem().getViewBox().zValue()  # under the data


def test_every_grid_of_every_algorithms_views_is_opaque(open_window):
    """No view turns a grid on with pyqtgraph's showGrid (semi-transparent lines) instead of show_grid."""
    w = open_window("hac")
    gridded = []
    for i in range(len(w.plugins)):  # each algorithm's views, in the window's tabs
        w.set_algorithm(i)
        gridded += [item for view in w.findChildren(pg.GraphicsView) for item in view.scene().items()
                    if isinstance(item, pg.AxisItem) and item.isVisible() and item.grid is not False]
    assert len(set(gridded)) >= 12  # the objective, dendrogram, norms, elbow, k-distance, BIC, ... views
    assert all(getattr(axis, "opaque_grid", False) for axis in gridded), \
        [type(axis.parentItem()).__name__ for axis in gridded if not getattr(axis, "opaque_grid", False)]
