"""Changed points stay readable in small data too (#12 item 7): when most of a blob changed cluster, rings would
merge into one vermilion blob over the cluster colours; past a quarter of the points they are thin outlines
and a count, as past RING_LIMIT."""
import numpy as np
import pyqtgraph as pg

from gui.algorithms.kmeans.init_lab import RING_FEW, KMeansOverlay


def _count(item) -> int:
    x, _ = item.getData()
    return 0 if x is None else len(x)


def test_most_of_150_points_changed_are_counted_not_ringed(qtbot):
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    overlay = KMeansOverlay()
    overlay.attach(plot.getPlotItem())
    Y = np.random.default_rng(3).normal(size=(150, 2))
    C = Y[:3].copy()
    overlay.show(Y, C, None, np.arange(100), None, None)
    assert _count(overlay.rings) == 0 and _count(overlay.changed_dots) == 100
    assert overlay.caption.isVisible() and "100 points changed cluster" in overlay.caption.toPlainText()
    overlay.show(Y, C, None, np.arange(30), None, None)  # a fifth: rings
    assert _count(overlay.rings) == 30 and not overlay.caption.isVisible()
    tiny = Y[:5]
    overlay.show(tiny, tiny[:2], None, np.arange(min(RING_FEW, 4)), None, None)  # exercise 3: a few always ringed
    assert _count(overlay.rings) == 4
