"""Restarts in the main run, driven as a person would: the Restarts spin box, the Restarts tab, Cancel, sessions."""
import numpy as np
import pytest
from PySide6.QtCore import Qt

from engine import session as es
from engine.core.restarts import restart_info
from gui.shell import session_io

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _to_end(qtbot, w, timeout=60_000):
    qtbot.waitUntil(lambda: w.player.current is not None and not w.player.busy, timeout=timeout)
    w.player.to_end()
    qtbot.waitUntil(lambda: w.player.at_end and not w.player.busy, timeout=timeout)


def _listed(view):
    """The final objectives the Restarts table lists (None: not run)."""
    out = []
    for r in range(view.table.rowCount()):
        text = view.table.item(r, 3).text()
        out.append(float(text) if text not in ("failed", "not run") else None)
    return out


def _shown(w):
    info = restart_info(w.player.history)
    return None if info is None else info.shown


def _click_row(qtbot, view, r):
    table = view.table
    rect = table.visualItemRect(table.item(r, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _kmeans_with_restarts(qtbot, open_window, n=300, k=3, restarts=5):
    w = open_window("kmeans", startup="")
    p = w.plugin
    w.generate("blobs", n, 0)
    p.lab.set_mode("random")  # random data points: restarts that differ
    p.form.widgets["k"].setValue(k)
    p.form.widgets["restarts"].setValue(restarts)  # as a person types it: a new run starts
    w.tabs.setCurrentWidget(p.restart_view)
    _to_end(qtbot, w)
    return w, p


def test_five_restarts_the_best_is_on_the_timeline_and_a_click_loads_another(qtbot, open_window):
    w, p = _kmeans_with_restarts(qtbot, open_window, k=6)
    view = p.restart_view
    info = restart_info(w.player.history)
    assert info.n == 5 and info.seeds.tolist() == [0, 1, 2, 3, 4] and info.shown == info.best
    listed = _listed(view)
    assert len(listed) == 5 and listed[info.best] == pytest.approx(min(listed), rel=1e-7)
    final = w.player.history[-1].objective
    assert abs(final - np.nanmin(info.objectives)) <= 1e-12 * final  # the timeline ends at the least J
    assert view.table.item(info.best, 0).text() == "★▶"
    assert "the best one" in view.message.text()
    other = max(range(5), key=lambda r: info.objectives[r])  # the worst restart
    _click_row(qtbot, view, other)
    qtbot.waitUntil(lambda: _shown(w) == other, timeout=10_000)
    _to_end(qtbot, w)
    assert abs(w.player.history[-1].objective - info.objectives[other]) <= 1e-12 * info.objectives[other]
    assert view.table.item(other, 0).text() == "▶" and view.table.item(info.best, 0).text() == "★"
    assert w.plugin.form.values()["restarts"] == 5 and w.plugin.form.values()["seed"] == 0  # the form unchanged
    qtbot.mouseClick(view.plot.viewport(), Qt.MouseButton.LeftButton, pos=view.point_of(info.best))
    qtbot.waitUntil(lambda: _shown(w) == info.best, timeout=10_000)


def test_gmm_restarts_keep_the_highest_log_likelihood(qtbot, open_window):
    w = open_window("gmm", startup="")
    p = w.plugin
    w.generate("blobs", 150, 0)
    p.form.widgets["init"].setCurrentIndex(p.form.widgets["init"].findData("random"))
    p.form.widgets["restarts"].setValue(4)
    w.tabs.setCurrentWidget(p.restart_view)
    _to_end(qtbot, w)
    info = restart_info(w.player.history)
    assert info.n == 4 and info.sense == "max"
    listed = _listed(p.restart_view)
    assert listed[info.best] == pytest.approx(max(v for v in listed if v is not None), rel=1e-7)
    assert abs(w.player.history[-1].objective - np.nanmax(info.objectives)) <= 1e-9 * abs(np.nanmax(info.objectives))
    assert p.has_content(p.restart_view)


def test_cancel_keeps_the_finished_restarts_and_shows_the_best_of_them(qtbot, open_window):
    w = open_window("kmeans", startup="")
    p = w.plugin
    w.generate("blobs", 20_000, 0)
    p.lab.set_mode("random")
    p.form.widgets["k"].setValue(20)
    w.tabs.setCurrentWidget(p.restart_view)
    qtbot.waitUntil(lambda: not w.player.busy, timeout=30_000)
    reports = []
    p.restart_views()
    p._restart_relay.sigDone.connect(lambda *a: reports.append(a))
    p.form.widgets["restarts"].setValue(100)
    qtbot.waitUntil(lambda: len(reports) >= 2, timeout=60_000)
    assert w.player.busy and p.restart_view.cancel_button.isEnabled()  # still computing; the window answers
    assert "finished" in p.restart_view.message.text()
    qtbot.mouseClick(p.restart_view.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not w.player.busy and w.player.current is not None, timeout=30_000)
    info = restart_info(w.player.history)
    done = np.isfinite(info.objectives)
    assert info.cancelled and 2 <= done.sum() < 100
    assert info.objectives[info.best] == np.nanmin(info.objectives)
    assert "cancelled" in p.restart_view.message.text()
    assert not p.restart_view.cancel_button.isEnabled()


def test_session_round_trip_keeps_the_restart_count_and_the_restart_shown(qtbot, open_window, tmp_path):
    w, p = _kmeans_with_restarts(qtbot, open_window, k=3, restarts=6)
    info = restart_info(w.player.history)
    other = next(r for r in range(6) if r != info.best)
    _click_row(qtbot, p.restart_view, other)
    qtbot.waitUntil(lambda: _shown(w) == other, timeout=10_000)
    path = tmp_path / "restarts.json"
    es.save_session(session_io.capture(w), path)
    saved = es.load_session(path)
    assert saved.params["restarts"] == 6 and saved.extra["restart"] == other
    w2 = open_window("hac", startup="")
    session_io.apply(w2, saved)
    _to_end(qtbot, w2)
    info2 = restart_info(w2.player.history)
    assert w2.plugin.form.values()["restarts"] == 6 and info2.shown == other
    np.testing.assert_allclose(info2.objectives, info.objectives, rtol=1e-12)
    assert w2.plugin.restart_view.table.item(other, 0).text() == "▶"
    # an old session without restarts still opens: one run, the tab says so
    old = es.load_session(es.shipped_sessions()["ex3-kmeans"][0])
    session_io.apply(w2, old)
    _to_end(qtbot, w2)
    assert restart_info(w2.player.history) is None and w2.plugin.form.values()["restarts"] == 1
    view = w2.plugin.restart_view
    assert "One run, nothing to compare" in view.note.text()  # a note in the tab's middle, no empty plot
    assert view.note.isVisibleTo(view) and not view.split.isVisibleTo(view) and not view.message.isVisibleTo(view)


def test_the_example_session_renders_the_restarts(qtbot, tmp_path):
    import json
    from gui.shell import render
    out = tmp_path / "r"
    assert render.main(["example:kmeans-restarts", "--out", str(out), "--no-svg", "--size", "500x400"]) == 0
    assert (out / "restarts.png").stat().st_size > 5000
    res = json.loads((out / "result.json").read_text())
    assert res["restarts"]["shown"] == 4 and len(res["restarts"]["seeds"]) == 8
    assert res["restarts"]["objectives"][4] > 10 * min(res["restarts"]["objectives"])  # the local minimum shown


def test_in_lecture_mode_the_table_beside_the_plot_shows_every_column(qtbot, open_window):
    """gmm-bic-blobs' Restarts tab in lecture mode: the table beside the plot is measured again for the larger
    font; it kept its normal width and the plot cut 'final log-likelihood' and 'steps'."""
    w = open_window("gmm", size=(1920, 1080), startup="")
    w.session_controller.open_path(str(es.shipped_sessions()["gmm-bic-blobs"][0]))
    _to_end(qtbot, w)
    view = w.plugin.restart_view
    w.tabs.setCurrentWidget(view)
    table = view.table
    qtbot.waitUntil(lambda: view.split.orientation() == Qt.Orientation.Horizontal and table.isVisible(), timeout=5000)
    normal = table.horizontalHeader().length()
    w.lecture.set_on(True)
    try:
        w.showNormal()
        w.resize(1920, 1080)
        qtbot.waitUntil(lambda: table.horizontalHeader().length() > 1.3 * normal, timeout=5000)  # the larger font
        qtbot.wait(50)
        assert view.split.orientation() == Qt.Orientation.Horizontal
        assert table.horizontalHeader().length() <= table.viewport().width(), "the table's last columns are cut"
    finally:
        w.lecture.set_on(False)
