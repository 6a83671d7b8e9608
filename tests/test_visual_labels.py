"""Texts pinned to points never sit on the plot's marks (#12, item 6): point names beside a starting cross, a
centre or a highlight ring, numbered means beside each other; and they move when the marks move or grow.

Checked with :func:`layout_checks.mark_problems` (a name over a mark 12 px or more across) and
:func:`layout_checks.overlaps` (two texts on one spot), as the layout test does for every shipped session.
"""
import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QApplication

import layout_checks
from gui.widgets.label_placer import LabelPlacer
from gui.widgets.lecture_style import apply_style
from gui.widgets.scatter import ScatterView

POINTS = np.array([[1.0, 1.0], [1.0, 0.0], [0.0, 2.0], [2.0, 4.0], [3.0, 5.0]])  # exercise 3's A..E


def _settle(qtbot):
    QApplication.processEvents()
    qtbot.wait(30)
    QApplication.processEvents()


def _problems(view: ScatterView):
    texts = layout_checks.scene_texts(view.plot)
    return layout_checks.mark_problems(texts, view.plot) + [
        f"{a.short()} overlaps {b.short()}" for a, b, _ in layout_checks.overlaps(texts)]


def test_point_names_move_off_marks_drawn_after_them(qtbot, shown):
    """An overlay draws starting crosses labelled "start 1" on A and C after the names were placed (as K-means'
    initialisation lab does): the names move to a free side, on their own (the view does not know its overlays)."""
    v = shown(ScatterView(), (420, 420))
    v.set_points(POINTS, names=list("ABCDE"), auto_range=True)
    v.set_labels(np.array([0, 0, 1, 1, 1]))
    _settle(qtbot)
    crosses = pg.ScatterPlotItem(POINTS[[0, 2], 0], POINTS[[0, 2], 1], size=18, symbol="x", pxMode=True)
    v.plot_item.addItem(crosses, ignoreBounds=True)
    for i in (0, 2):
        start = pg.TextItem(f"start {i // 2 + 1}", anchor=(-0.3, 1.1))
        v.plot_item.addItem(start, ignoreBounds=True)
        start.setPos(*POINTS[i])
    _settle(qtbot)
    assert _problems(v) == []
    # the crosses move (the next run starts elsewhere): the names follow
    crosses.setData(POINTS[[1, 3], 0], POINTS[[1, 3], 1])
    _settle(qtbot)
    assert _problems(v) == []


def test_numbered_means_beside_each_other_and_in_lecture_size(qtbot, shown):
    """Three means close together, each numbered: the numbers cover neither another number nor a mean, also
    once lecture mode made texts and marks 1.75 times larger."""
    plot = shown(pg.PlotWidget(), (360, 300))
    plot.setRange(xRange=(-3, 3), yRange=(-3, 3), padding=0)
    M = np.array([[0.0, 0.0], [0.35, 0.2], [0.1, 0.45]])
    plot.addItem(pg.ScatterPlotItem(M[:, 0], M[:, 1], size=18, symbol="d", pxMode=True))
    texts = []
    for j, m in enumerate(M):
        t = pg.TextItem(str(j + 1), anchor=(-0.3, 1.05), fill=pg.mkBrush(255, 255, 255, 200))
        plot.addItem(t, ignoreBounds=True)
        t.setPos(*m)
        texts.append(t)
    placer = LabelPlacer(plot.getPlotItem().getViewBox(), lambda: texts, drop=False)
    placer.place()
    for factor in (1.0, 1.75):
        apply_style(plot.scene(), factor)  # lecture mode: places again after scaling
        _settle(qtbot)
        found = layout_checks.scene_texts(plot)
        assert layout_checks.mark_problems(found, plot) == [], factor
        assert layout_checks.overlaps([t for t in found if t.text in "123"]) == [], factor
    placer.disconnect()
