"""Editing works in every state, or says why not (issue 12, item 8).

The clicks go through the real viewport, as a person's would, after a run of every registered algorithm is
shown: overlays drawn on the scatter (K-means centres, mixture means, HAC witnesses) never swallow them.
"""
import numpy as np
import pytest
from PySide6.QtCore import Qt

from engine import data as edata

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _click(qtbot, w, x, y):
    qtbot.mouseClick(w.scatter.plot.viewport(), Qt.MouseButton.LeftButton, pos=w.scatter.map_to_viewport(x, y))


def _run_shown(qtbot, w, name):
    index = w.plugins.names().index(name)
    w.set_algorithm(index)
    w.set_dataset(edata.generate("blobs", n=60, seed=1))
    qtbot.waitUntil(lambda: len(w.player.history) > 0, timeout=10_000)
    w.player.to_end()
    qtbot.waitUntil(lambda: w.player.at_end, timeout=20_000)
    qtbot.wait(50)


def _marker_positions(w):
    """Display positions of every overlay marker the plugin drew on the scatter (centres, means, witnesses)."""
    import pyqtgraph as pg
    out = []
    for item in w.scatter.vb.addedItems:
        if isinstance(item, pg.ScatterPlotItem) and item.zValue() > 0:
            x, y = item.getData()
            if x is not None and len(x):
                out.append(np.column_stack([x, y]))
    return np.vstack(out) if out else np.empty((0, 2))


def _covered_point(w):
    """A data point with an overlay marker on it (the nearest to one), else point 3."""
    Y = np.asarray(w.scatter.points())
    M = _marker_positions(w)
    if not len(M):
        return 3
    d = ((Y[:, None, :] - M[None, :, :]) ** 2).sum(-1).min(1)
    return int(np.argmin(d))


@pytest.fixture
def window(open_window):
    return open_window("hac", size=(1200, 800), startup="")


@pytest.mark.parametrize("name", ["hac", "kmeans", "gmm"])  # Bernoulli runs on binary images: never 2-D
def test_delete_add_and_paint_work_while_a_run_is_shown(qtbot, window, name):
    w = window
    assert name in w.plugins.names()  # Clusterlab's own algorithms are always registered
    _run_shown(qtbot, w, name)
    i = _covered_point(w)
    Y = np.asarray(w.scatter.points()).copy()
    n = w.dataset.n
    # delete a point under an overlay marker (a K-means centre covers one at the end of a run)
    w.data_panel.set_mode("delete")
    _click(qtbot, w, *Y[i])
    qtbot.waitUntil(lambda: w.dataset.n == n - 1, timeout=5000)
    assert not np.any(np.all(w.dataset.X == Y[i], axis=1))
    # add a point in empty space
    (x0, x1), (y0, y1) = w.scatter.vb.viewRange()
    w.data_panel.set_mode("add")
    _click(qtbot, w, x0 + 0.02 * (x1 - x0), y0 + 0.02 * (y1 - y0))
    qtbot.waitUntil(lambda: w.dataset.n == n, timeout=5000)
    # paint a point
    w.data_panel.set_mode("paint")
    j = _covered_point(w)
    Yj = np.asarray(w.scatter.points())[j]
    before = w.dataset.labels[j] if w.dataset.labels is not None else -1
    w.data_panel.group.setValue(5)
    _click(qtbot, w, *Yj)
    qtbot.waitUntil(lambda: w.dataset.labels is not None and w.dataset.labels[j] == 5, timeout=5000)
    assert before != 5


def test_a_refused_edit_is_said_in_the_status_bar(qtbot, window, monkeypatch):
    w = window
    w.set_dataset(edata.generate("blobs", n=20, seed=1))

    def refuse(*_):
        raise ValueError("Cannot delete points: testing")
    monkeypatch.setattr(w.model, "delete_points", refuse)
    w.data_panel.set_mode("delete")
    _click(qtbot, w, *np.asarray(w.scatter.points())[0])
    assert "Cannot delete points: testing" in w.statusBar().currentMessage()


def test_data_with_more_than_two_features_say_why_editing_is_off(qtbot, window):
    w = window
    w.set_dataset(edata.Dataset(np.random.default_rng(0).normal(size=(30, 4)), name="four features"))
    d = w.dataset.d
    assert d > 2
    panel = w.data_panel
    want = f"editing needs 2-D data: these data have {d} features, and the plot shows two directions"
    assert panel.edit_note.isVisible() and want in panel.edit_note.text()
    for mode, button in panel.mode_buttons.items():
        if mode != "inspect":
            assert not button.isEnabled() and want in button.toolTip()
    assert want in panel.clear_button.toolTip()
    # back to 2-D data: the tools work and the note goes
    w.set_dataset(edata.generate("blobs", n=20, seed=1))
    assert not panel.edit_note.isVisible()
    assert all(b.isEnabled() for b in panel.mode_buttons.values())
    assert "Not now" not in panel.mode_buttons["delete"].toolTip()
