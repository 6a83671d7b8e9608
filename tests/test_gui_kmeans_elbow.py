"""ElbowView on numbers made here: one dot per restart, the best per K marked, clicks name the run."""
import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from gui.algorithms.kmeans.elbow import ElbowView, best_per_k


def _objectives():
    rng = np.random.default_rng(3)
    ks = [2, 3, 5, 8]
    J = 100.0 / np.array(ks)[:, None] + rng.random((4, 3))
    return ks, J


def test_best_per_k_against_brute_force():
    ks, J = _objectives()
    J[1, 0] = np.nan
    best = best_per_k(J)
    for i in range(len(ks)):
        cand = [(J[i, r], r) for r in range(3) if np.isfinite(J[i, r])]
        assert best[i] == min(cand)[1]


def test_every_restart_is_a_dot_and_the_best_is_marked(qtbot):
    ks, J = _objectives()
    v = ElbowView()
    qtbot.addWidget(v)
    v.set_results(ks, J, seeds=np.arange(12).reshape(4, 3))
    assert len(v.dots.points()) == len(ks) * 3
    ys = sorted(p.pos().y() for p in v.dots.points())
    np.testing.assert_allclose(ys, np.sort(J.ravel()))
    best = v.best.points()
    assert len(best) == len(ks)
    for p in best:
        i, r = p.data()
        assert J[i, r] == J[i].min()
        assert abs(p.pos().x() - ks[i]) < 0.2
        assert p.pos().y() == J[i].min()
    assert "4 values of K × 3" in v.caption.text()


def test_partial_sweep_draws_only_computed_runs(qtbot):
    ks, J = _objectives()
    J[2:] = np.nan
    v = ElbowView()
    qtbot.addWidget(v)
    v.set_results(ks, J)
    assert len(v.dots.points()) == 6 and len(v.best.points()) == 2
    v.clear()
    assert len(v.dots.points()) == 0


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_click_on_dot_names_the_run(qtbot):
    ks, J = _objectives()
    v = ElbowView()
    qtbot.addWidget(v)
    v.resize(500, 400)
    v.show()
    qtbot.waitExposed(v)
    v.set_results(ks, J)
    v.plot.getPlotItem().vb.autoRange()
    qtbot.wait(20)
    i, r = 2, 0  # not the best of K=5 unless it is; either way the click must name (2, 0)
    target = QPointF(v.x_of(i, r), J[i, r])
    scene = v.plot.getPlotItem().vb.mapViewToScene(target)
    pos = v.plot.mapFromScene(scene)
    with qtbot.waitSignal(v.sigRunClicked, timeout=2000) as blocker:
        qtbot.mouseClick(v.plot.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert blocker.args == [i, r]
    v.set_selected(i, r)
    assert v.selected.points()[0].pos().y() == J[i, r]


def test_a_partial_sweep_already_spans_every_k(qtbot):
    ks, J = _objectives()
    J[1:] = np.nan
    J[0] = [50.0, 50.0001, 50.0002]  # nearly equal: the y range still spans 0.1 % of the values
    v = ElbowView()
    qtbot.addWidget(v)
    v.set_results(ks, J)
    (x0, x1), (y0, y1) = v.plot.getPlotItem().vb.viewRange()
    assert x0 < min(ks) - 0.1 and x1 > max(ks) + 0.1
    assert y0 <= 50.0 and y1 >= 50.0002 and (y1 - y0) >= 1e-3 * 50.0
