"""Mean shift in the real main window, driven as a person would: choose it, run to the end, look at the windows,
trails, merge and modes; change the bandwidth; open the shipped example session."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from engine import meanshift as ems
from engine.session import load_session, shipped_sessions
from gui.algorithms.meanshift.overlay import MAX_CIRCLES
from gui.algorithms.meanshift.plugin import MeanShiftPlugin

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def window(open_window):
    w = open_window("hac", startup="")
    w.generate("blobs", 150, 2)
    return w


def choose_mean_shift(qtbot, w) -> MeanShiftPlugin:
    combo = w.algorithm_panel.combo
    combo.setFocus()
    index = combo.findText("Mean shift")
    assert index >= 0, [combo.itemText(i) for i in range(combo.count())]
    combo.setCurrentIndex(index)  # what picking it from the list does
    qtbot.waitUntil(lambda: isinstance(w.plugin, MeanShiftPlugin), timeout=5000)
    return w.plugin


def run_to_end(qtbot, w):
    qtbot.waitUntil(lambda: len(w.player.history) > 0, timeout=10_000)
    w.player.to_end()
    qtbot.waitUntil(lambda: w.player.at_end and w.player.current is not None and w.player.current.done,
                    timeout=30_000)


def set_bandwidth(qtbot, p, value: float):
    box = p.form.widgets["bandwidth"]
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, f"{value:g}")
    qtbot.keyClick(box, Qt.Key.Key_Return)


def click_box(qtbot, box):
    """Click a check box on its box (a click right of its text is not on the button)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def test_choose_run_to_end_and_see_windows_trails_merge_and_modes(qtbot, window):
    w = window
    p = choose_mean_shift(qtbot, w)
    set_bandwidth(qtbot, p, 2.0)
    run_to_end(qtbot, w)
    history = w.player.history
    assert history[0].payload["bandwidth"] == pytest.approx(2.0, rel=1e-12)
    kinds = [s.kind for s in history]
    assert kinds[0] == "init" and kinds[-2:] == ["merge", "assign"]
    ov = p.overlay
    # step 1: a circle per window (150 <= MAX_CIRCLES), no trail yet, points not assigned yet
    w.player.seek(0)
    assert ov.n_circles == 150 <= MAX_CIRCLES and ov.circles.xData is not None
    assert np.isnan(ov.circles.xData).sum() == 150  # one outline each, NaN-separated
    x, y = ov.circles.xData[:49], ov.circles.yData[:49]
    c = w.project(history[0].centers[:1])[0]
    np.testing.assert_allclose(np.hypot(x - c[0], y - c[1]), 2.0, rtol=1e-9)  # radius h on screen
    assert ov.trails.xData is None or len(ov.trails.xData) == 0
    assert ov.legend_rows[0].startswith("window: centre, circle of radius h = 2")
    assert "not assigned yet" in [item[1].text for item in w.scatter.legend.items]
    # a shift step: windows moved, trails drawn from the seeds
    w.player.seek(2)
    assert "trail" in ov.legend_rows and np.isfinite(ov.trails.xData).sum() == 150 * 3
    assert ov.caption.isVisible() and ov.caption.textItem.toPlainText().startswith("Iteration 2:")
    # merge: three modes as stars with their strength, windows linked to them
    w.player.seek(len(history) - 2)
    mx, my = ov.modes.getData()
    assert len(mx) == 3 and [t.toPlainText() for t in ov.labels][0].startswith("mode 1 (")
    np.testing.assert_allclose(np.column_stack([mx, my]), w.project(history[-2].centers), rtol=1e-12)
    assert ov.legend_rows[0].startswith("mode")
    # the end: every point in the cluster of its nearest mode, the scatter's legend names three clusters
    w.player.seek(len(history) - 1)
    labels = w.scatter.labels()
    assert labels.min() == 0 and len(set(labels.tolist())) == 3
    texts = [item[1].text for item in w.scatter.legend.items]
    assert "cluster 1" in texts and "not assigned yet" not in texts


def test_changing_the_bandwidth_restarts_the_run(qtbot, window):
    w = window
    p = choose_mean_shift(qtbot, w)
    set_bandwidth(qtbot, p, 2.0)
    run_to_end(qtbot, w)
    first = w.player.history[0]
    set_bandwidth(qtbot, p, 0.6)
    qtbot.waitUntil(lambda: bool(w.player.history) and w.player.history[0] is not first, timeout=10_000)
    run_to_end(qtbot, w)
    assert w.player.history[0].payload["bandwidth"] == pytest.approx(0.6, rel=1e-12)
    assert w.player.current.centers.shape[0] > 3  # a small window finds more modes
    want = ems.fit(w.run_X(), bandwidth=0.6)
    np.testing.assert_allclose(w.player.current.centers, want.centers, rtol=1e-12)


def test_estimated_bandwidth_is_said_and_can_be_kept(qtbot, window):
    w = window
    p = choose_mean_shift(qtbot, w)
    set_bandwidth(qtbot, p, 0.0)
    run_to_end(qtbot, w)
    h = ems.estimate_bandwidth(w.run_X())
    assert f"h = {h:.4g}, estimated" in p.bandwidth_note.text()
    assert p.use_estimate.isEnabled()
    first = w.player.history[0]
    qtbot.mouseClick(p.use_estimate, Qt.MouseButton.LeftButton)
    assert p.form.values()["bandwidth"] == pytest.approx(h, rel=1e-7)
    qtbot.waitUntil(lambda: bool(w.player.history) and w.player.history[0] is not first, timeout=10_000)
    run_to_end(qtbot, w)
    assert not w.player.history[0].payload["estimated"] and not p.use_estimate.isEnabled()


def test_circles_and_trails_can_be_hidden(qtbot, window):
    w = window
    p = choose_mean_shift(qtbot, w)
    set_bandwidth(qtbot, p, 2.0)
    run_to_end(qtbot, w)
    w.player.seek(2)
    ov = p.overlay
    assert ov.n_circles > 0
    click_box(qtbot, p.circles_box)
    assert not p.circles_box.isChecked() and ov.n_circles == 0
    click_box(qtbot, p.trails_box)
    assert not p.trails_box.isChecked() and ov.trails.xData is None and "trail" not in ov.legend_rows
    click_box(qtbot, p.circles_box)
    assert ov.n_circles > 0


def test_many_windows_draw_a_sample_of_circles_and_say_so(qtbot, window):
    w = window
    w.generate("blobs", 600, 1)
    p = choose_mean_shift(qtbot, w)
    set_bandwidth(qtbot, p, 1.5)
    run_to_end(qtbot, w)
    w.player.seek(1)
    assert p.overlay.n_circles == MAX_CIRCLES
    assert f"Circles drawn for {MAX_CIRCLES:,} of 600 windows" in p.overlay.caption.textItem.toPlainText()


def test_the_example_session_opens_from_the_menu(qtbot, window):
    w = window
    sub = w.session_controller.exercise_menu
    action = next(a for a in sub.actions() if a.text().startswith("meanshift-blobs"))
    action.trigger()
    qtbot.waitUntil(lambda: isinstance(w.plugin, MeanShiftPlugin), timeout=5000)
    run_to_end(qtbot, w)
    session = load_session(shipped_sessions()["meanshift-blobs"][0])
    assert w.plugin.form.values()["bandwidth"] == pytest.approx(session.params["bandwidth"], rel=1e-12)
    assert w.player.current.centers.shape == (3, 2) and w.dataset.n == 150
    assert len(w.plugin.overlay.modes.getData()[0]) == 3
