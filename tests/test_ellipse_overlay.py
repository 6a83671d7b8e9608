"""The Gaussian mixture's overlay of means and ellipses redraws only what changed (an E-step moves neither)."""
import numpy as np
import pyqtgraph as pg

from gui.algorithms.mixture.views import EllipseOverlay


def test_the_same_parameters_are_not_drawn_again_and_new_ones_are(qtbot):
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    ov = EllipseOverlay()
    ov.attach(plot.getPlotItem())
    M = np.array([[0.0, 0.0], [3.0, 1.0]])
    S = np.array([np.eye(2), [[2.0, 0.5], [0.5, 1.0]]])
    ov.show_means(M, 2)
    ov.show_ellipses(M, S)
    first = {key: pts.copy() for key, pts in ov.points.items()}
    calls = []
    for item in [ov.means, *ov.curves.values()]:
        real = item.setData
        item.setData = lambda *a, _real=real, **k: (calls.append(1), _real(*a, **k))
    ov.show_means(M.copy(), 2)  # an E-step: the same means and covariances (new arrays, equal values)
    ov.show_ellipses(M.copy(), S.copy())
    assert calls == [] and all(np.array_equal(first[key], ov.points[key]) for key in first)
    S2 = S.copy()
    S2[1, 0, 0] = 3.0  # an M-step changed one covariance
    ov.show_ellipses(M, S2)
    assert calls and not np.array_equal(first[(1, 1.0)], ov.points[(1, 1.0)])
    xs, ys = ov.curves[(1, 1.0)].getData()
    np.testing.assert_allclose(np.column_stack([xs, ys]), ov.points[(1, 1.0)])
    calls.clear()
    ov.clear()
    ov.show_means(M, 2)  # after a clear everything is drawn again
    assert calls and len(ov.means.data) == 2
