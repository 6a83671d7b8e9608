"""The Model selection tab (BIC and AIC against K), driven as a person would: the range, Compute, a click on a K,
Cancel, the session round trip and render."""
import json

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


def _compute(qtbot, p, k_from, k_to, restarts, timeout=60_000):
    v = p.selection_view
    v.k_from.setValue(k_from)
    v.k_to.setValue(k_to)
    v.restarts.setValue(restarts)
    qtbot.mouseClick(v.compute_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: p.selection_task.busy, timeout=5000)
    qtbot.waitUntil(lambda: not p.selection_task.busy, timeout=timeout)


def _gmm_on_blobs(qtbot, open_window):
    w = open_window("gmm", startup="")
    p = w.plugin
    w.generate("blobs", 150, 0)  # three groups
    w.tabs.setCurrentWidget(p.selection_view)
    _to_end(qtbot, w)
    return w, p


def test_bic_is_least_at_three_groups_and_a_click_on_k2_loads_its_best_restart(qtbot, open_window):
    w, p = _gmm_on_blobs(qtbot, open_window)
    assert not p.has_content(p.selection_view)
    _compute(qtbot, p, 1, 5, 2)
    sel, v = p.selection, p.selection_view
    assert sel.ks.tolist() == [1, 2, 3, 4, 5] and int(sel.ks[sel.best_index("bic")]) == 3
    assert "least BIC at K = 3" in v.message.text()
    assert "BIC, least at K = 3 ★" in v.criteria_title()
    assert p.has_content(p.selection_view) and p.figure(p.selection_view) is v.plots
    qtbot.mouseClick(v.plots.viewport(), Qt.MouseButton.LeftButton, pos=v.point_of(1))  # K = 2 on the BIC curve
    qtbot.waitUntil(lambda: p.form.values()["k"] == 2 and w.player.current is not None, timeout=10_000)
    _to_end(qtbot, w)
    assert abs(w.player.history[-1].objective - sel.loglik[1]) <= 1e-9 * abs(sel.loglik[1])
    info = restart_info(w.player.history)
    assert info.n == 2 and info.shown == sel.best_restart[1]  # the Restarts tab lists K = 2's restarts
    assert p.form.values()["restarts"] == 2 and p.form.values()["seed"] == 0
    assert v.marks[0].isVisible() and v.marks[0].value() == 2
    qtbot.mouseClick(v.plots.viewport(), Qt.MouseButton.LeftButton, pos=v.point_of(2, "loglik"))  # K = 3 below
    qtbot.waitUntil(lambda: p.form.values()["k"] == 3, timeout=10_000)


def test_cancel_keeps_the_k_values_done(qtbot, open_window):
    w = open_window("gmm", startup="")
    p = w.plugin
    w.generate("blobs", 4000, 0)
    w.tabs.setCurrentWidget(p.selection_view)
    v = p.selection_view
    v.k_from.setValue(1)
    v.k_to.setValue(30)
    v.restarts.setValue(5)
    qtbot.mouseClick(v.compute_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: p.selection is not None and np.isfinite(p.selection.bic).sum() >= 1, timeout=60_000)
    assert p.selection_task.busy and v.cancel_button.isEnabled()
    qtbot.mouseClick(v.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not p.selection_task.busy, timeout=30_000)
    sel = p.selection
    assert sel.cancelled and np.isfinite(sel.bic[0]) and np.isnan(sel.bic[-1])
    assert v.message.text().startswith("Cancelled") and v.compute_button.isEnabled()


def test_session_round_trip_keeps_the_view_and_bernoulli_counts_its_own_parameters(qtbot, open_window, tmp_path):
    w, p = _gmm_on_blobs(qtbot, open_window)
    _compute(qtbot, p, 2, 4, 2)
    path = tmp_path / "bic.json"
    es.save_session(session_io.capture(w), path)
    saved = es.load_session(path)
    assert saved.extra["model_selection"] == {"from": 2, "to": 4, "restarts": 2, "seed": 0}
    w2 = open_window("kmeans", startup="")
    session_io.apply(w2, saved)
    p2 = w2.plugin
    qtbot.waitUntil(lambda: p2.selection is not None and not p2.selection_task.busy, timeout=60_000)
    np.testing.assert_allclose(p2.selection.bic, p.selection.bic, rtol=1e-12)
    assert p2.selection_view.k_from.value() == 2 and p2.selection_view.k_to.value() == 4
    assert p2.session_results()["model_selection"]["best_k_bic"] == 3
    w3 = open_window("bernoulli", startup="")
    w3.generate("blobs", 60, 0)  # binarized at 0.5: two binary features
    _compute(qtbot, w3.plugin, 1, 3, 2)
    sel = w3.plugin.selection
    assert sel.n_params.tolist() == [2 * k + k - 1 for k in (1, 2, 3)] and np.isfinite(sel.bic[0])


def test_the_example_session_renders_bic_and_aic(qtbot, tmp_path):
    from gui.shell import render
    out = tmp_path / "bic"
    assert render.main(["example:gmm-bic-blobs", "--out", str(out), "--no-svg", "--size", "600x500"]) == 0
    assert (out / "model-selection.png").stat().st_size > 5000
    res = json.loads((out / "result.json").read_text())
    assert res["model_selection"]["best_k_bic"] == 3 and res["model_selection"]["ks"] == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("wide", [False, True])
def test_the_model_selection_titles_are_never_cut(qtbot, shown, wide):
    """The Model selection view at its least width (#12): the upper title (BIC and AIC, each with its least K) goes
    a line each and the lower one wraps, never cut by the plot's edge nor widening the plots past the view; wide,
    each stays on one line."""
    import layout_checks
    from PySide6.QtWidgets import QApplication
    from gui.algorithms.mixture.selection_view import _demo_widget
    view = _demo_widget()
    width = 900 if wide else view.minimumSizeHint().width()
    shown(view, (width, 470))
    QApplication.processEvents()
    assert layout_checks.check_window(view, view, f"model selection {width}px") == []
    assert view.plots.sceneRect().width() <= view.plots.viewport().width() + 1
    assert ("<br>" in view.criteria.titleLabel.text) is not wide
    assert "BIC, least at K = 3 ★ ■ AIC, least at K = 3 ★" in view.criteria_title()
