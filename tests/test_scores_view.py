"""The Scores tab in the real window, driven as a person would: open a session, step, click bars, points and cells."""
import json

import numpy as np
import pytest
from PySide6.QtCore import Qt

import engine
from engine import session as es
from gui.shell import session_io
from gui.shell.render_window import wait_for_background, wait_for_step
from gui.views import scores as scores_module

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def open_session(window, tmp_path, data, algorithm, params, name="s"):
    d = {"format": "clusterlab-session", "version": 1, "name": name, "data": data,
         "algorithm": {"name": algorithm, "params": params}, "step": "last"}
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(d))
    session_io.apply(window, es.load_session(path))
    wait_for_step(window.player, "last")
    wait_for_background(window)


def scores_tab(qtbot, window):
    view = next(v for v in window.common_views if v.title == "Scores")
    window.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: view.isVisible() and not view._task.busy and view._result is not None, timeout=30_000)
    return view


def labels_now(window):
    return np.asarray(window.player.current.labels)


@pytest.fixture
def blobs(open_window, tmp_path, qtbot):
    w = open_window("kmeans", size=(1300, 850))
    open_session(w, tmp_path, {"generator": "blobs", "n": 240, "seed": 3, "k": 4}, "kmeans", {"k": 4, "seed": 2})
    return w, scores_tab(qtbot, w)


def test_silhouettes_and_scores_follow_the_timeline(qtbot, blobs):
    w, view = blobs
    X, truth = w.run_X(), w.dataset.labels
    for _ in range(3):
        lab = labels_now(w)
        if np.unique(lab[lab >= 0]).size >= 2:
            want = engine.silhouette_score(X, lab, "l2")
            assert view.plot.mean == pytest.approx(want, rel=1e-12)
            assert view.plot.points.size == np.count_nonzero(lab >= 0)
            assert f"{want:.3f}" in view.summary.text() and f"mean {want:.3f}" in view.plot._mean.label.toPlainText()
            assert f"ARI</b> {engine.adjusted_rand_index(truth, lab):.3f}" in view.summary.text()
            c = engine.contingency(truth, lab)
            assert [[int(view.table.cell_text(i, j)) for j in range(c.table.shape[1])]
                    for i in range(c.table.shape[0])] == c.table.tolist()
        qtbot.mouseClick(w.timeline.back_button, Qt.MouseButton.LeftButton)  # one step back, as a person does
        qtbot.waitUntil(lambda: not view._stale and not view._task.busy, timeout=10_000)
    # each cluster's bars: its colour and name as on the scatter, sorted from the largest silhouette down
    lab = labels_now(w)
    for bar, (c, y0, y1) in zip(view.plot._bars, view.plot.blocks):
        assert bar.opts["brush"].color().name().upper() == w.scatter.cluster_hex(c, lab).upper()
        inside = (view.plot.ypos >= y0) & (view.plot.ypos <= y1)
        assert (lab[view.plot.points[inside]] == c).all() and np.all(np.diff(view.plot.values[inside]) <= 0)
    ticks = [t for t, _ in view.plot._ticks]
    assert [name for _, name in view.plot._ticks] == [w.scatter.cluster_name(c, lab) for c, _, _ in view.plot.blocks]
    assert ticks == sorted(ticks)


def test_the_first_step_has_no_silhouette_and_says_why(qtbot, blobs):
    w, view = blobs
    qtbot.mouseClick(w.timeline.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view._stale, timeout=10_000)
    assert np.all(labels_now(w) < 0)  # K-means' first step: a centre seeded, no point assigned yet
    assert "No silhouette" in view.summary.text() and "no point is in a cluster" in view.summary.text()
    assert view.plot.points.size == 0 and not view.plot._mean.isVisible()


def test_click_a_bar_rings_its_point_and_a_point_marks_its_bar(qtbot, blobs):
    w, view = blobs
    i = int(view.plot.points[len(view.plot.points) // 3])
    qtbot.mouseClick(view.plot.viewport(), Qt.MouseButton.LeftButton, pos=view.plot.bar_position(i))
    assert w.scatter.highlighted().tolist() == [i]
    assert view.plot.highlighted().tolist() == [i]
    assert "silhouette" in w.statusBar().currentMessage()
    # and back: a point clicked on the scatter (inspect mode) marks its bar
    w.set_edit_mode("inspect")
    j = int(view.plot.points[-1])
    Y = w.scatter.points()
    qtbot.mouseClick(w.scatter.plot.viewport(), Qt.MouseButton.LeftButton, pos=w.scatter.map_to_viewport(*Y[j]))
    assert w.scatter.highlighted().tolist() == [j]
    assert view.plot.highlighted().tolist() == [j]


def test_click_a_contingency_cell_rings_its_points(qtbot, blobs):
    w, view = blobs
    lab, truth = labels_now(w), w.dataset.labels
    c = engine.contingency(truth, lab)
    i, j = np.unravel_index(np.argmax(c.table), c.table.shape)
    cluster, label = int(c.clusters[i]), int(c.classes[j])
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=view.table.cell_centre(cluster, label))
    want = np.flatnonzero((lab == cluster) & (truth == label))
    assert w.scatter.highlighted().tolist() == want.tolist()
    assert sorted(view.plot.highlighted().tolist()) == want.tolist()
    assert f"{want.size:,} point(s)" in w.statusBar().currentMessage()


def test_colour_by_true_label_switches_the_scatter_and_back(qtbot, blobs):
    w, view = blobs
    truth = w.dataset.labels
    assert view.truth_box.isEnabled() and w.scatter.colors() is None
    qtbot.mouseClick(view.truth_box, Qt.MouseButton.LeftButton)
    rgba = w.scatter.colors()
    assert rgba is not None
    for g in np.unique(truth):
        colour = "#{:02X}{:02X}{:02X}".format(*rgba[truth == g][0][:3])
        assert (rgba[truth == g] == rgba[truth == g][0]).all()
        assert colour == w.scatter.cluster_hex(int(g), truth).upper()
        assert colour == view.table.header_icon(int(np.flatnonzero(view.table.classes == g)[0])) \
            .pixmap(4, 4).toImage().pixelColor(1, 1).name().upper()
    # stepping keeps the colours; switching off gives the clusters' colours back
    qtbot.mouseClick(w.timeline.back_button, Qt.MouseButton.LeftButton)
    assert w.scatter.colors() is not None
    qtbot.mouseClick(view.truth_box, Qt.MouseButton.LeftButton)
    assert w.scatter.colors() is None


def test_hac_silhouettes_use_the_runs_norm(qtbot, open_window):
    w = open_window("hac", size=(1300, 850))
    session_io.apply(w, es.load_session(es.find_session("example:ex1-min-l1")))
    wait_for_step(w.player, "last")
    view = scores_tab(qtbot, w)
    w.player.seek(1)  # three clusters left after the first merge
    qtbot.waitUntil(lambda: not view._stale, timeout=10_000)
    lab = labels_now(w)
    assert "(ℓ1)" in view.plot.getPlotItem().titleLabel.text  # written as the rest of the window writes it
    assert "<b>Silhouette</b> (ℓ1): mean" in view.summary.text()  # the summary line too, not the parameter "l1"
    assert view.plot.mean == pytest.approx(engine.silhouette_score(w.run_X(), lab, "l1"), rel=1e-12)


def test_noise_points_are_named_as_the_algorithm_names_them(qtbot, open_window):
    w = open_window("dbscan", size=(1300, 850))
    session_io.apply(w, es.load_session(es.find_session("example:dbscan-moons")))
    wait_for_step(w.player, "last")
    view = scores_tab(qtbot, w)
    noise = int(np.count_nonzero(labels_now(w) < 0))
    assert noise > 0
    assert f"{noise:,} noise point(s) have no silhouette (they are in no cluster)" in view.summary.text()


def test_data_without_labels_hide_the_table_and_the_switch(qtbot, open_window):
    w = open_window("kmeans", size=(1300, 850))
    session_io.apply(w, es.load_session(es.find_session("example:ex3-kmeans")))
    wait_for_step(w.player, "last")
    view = scores_tab(qtbot, w)
    assert not view.truth_panel.isVisible() and not view.truth_box.isEnabled()
    assert "No known labels" in view.summary.text() and view.plot.points.size == 5
    assert view.has_content()


def test_many_points_compute_off_the_gui_thread_on_a_sample(qtbot, open_window, tmp_path, monkeypatch):
    """MNIST digits: the silhouettes are computed in the background, on a fixed sample that the view names."""
    monkeypatch.setattr("engine.scores.summary.SILHOUETTE_BUDGET", 2e6)
    monkeypatch.setattr(scores_module, "SYNC_COST", 0.0)
    w = open_window("kmeans", size=(1300, 850))
    open_session(w, tmp_path, {"mnist": 400}, "kmeans", {"k": 5, "seed": 1, "init": "random"})
    view = next(v for v in w.common_views if v.title == "Scores")
    w.tabs.setCurrentWidget(view)
    assert view._task.busy  # started, not done on the GUI thread
    qtbot.waitUntil(lambda: not view._task.busy and view._result is not None, timeout=30_000)
    rows = view._want[4]
    assert rows is not None and 0 < rows.size < 400
    assert f"a random sample of {rows.size:,} of 400" in view.summary.text()
    lab = labels_now(w)
    want = engine.silhouette_samples(w.run_X(), lab, "l2", rows=rows)
    np.testing.assert_allclose(np.sort(view.plot.values), np.sort(want), rtol=1e-12, atol=1e-14)
    assert "NMI" in view.summary.text() and view.table.rowCount() == np.unique(lab).size
    # the timeline moves on while one is computed: the newest step is drawn in the end
    w.player.seek(len(w.player.history) - 3)
    w.player.seek(len(w.player.history) - 2)
    qtbot.waitUntil(lambda: not view._task.busy and view._result is not None
                    and view._want[0][0] is w.player.current.labels_source, timeout=30_000)
    lab = labels_now(w)
    assert view.plot.mean == pytest.approx(np.nanmean(engine.silhouette_samples(w.run_X(), lab, "l2", rows=rows)),
                                           rel=1e-12)


def test_hidden_view_computes_nothing_until_shown(qtbot, blobs, monkeypatch):
    w, view = blobs
    calls = []
    real = scores_module._silhouettes
    monkeypatch.setattr(scores_module, "_silhouettes", lambda *a: calls.append(1) or real(*a))
    w.tabs.setCurrentIndex(0)
    for _ in range(3):
        qtbot.mouseClick(w.timeline.back_button, Qt.MouseButton.LeftButton)
    assert view._stale and not calls
    assert f"step {w.player.index + 1}" in view.plot.getPlotItem().titleLabel.text  # the title names the step
    w.tabs.setCurrentWidget(view)
    assert not view._stale and len(calls) <= 1
    assert view._key[0] is w.player.current.labels_source


def test_render_writes_the_scores_figure_and_the_shown_steps_scores(tmp_path, qtbot):
    from gui.shell import render
    d = {"format": "clusterlab-session", "version": 1, "name": "blobs-scores",
         "data": {"generator": "blobs", "n": 120, "seed": 4, "k": 3},
         "algorithm": {"name": "kmeans", "params": {"k": 3, "seed": 0, "variant": "medians"}}, "step": "last"}
    path = tmp_path / "blobs-scores.json"
    path.write_text(json.dumps(d))
    assert render.main([str(path), "--out", str(tmp_path / "out"), "--no-svg", "--size", "500x400"]) == 0
    result = json.loads((tmp_path / "out" / "result.json").read_text())
    assert "scores.png" in result["files"]
    session = es.load_session(path)
    ds = es.make_dataset(session)
    steps = list(engine.steps("kmeans", ds.X, k=3, seed=0, variant="medians"))
    lab = steps[-1].labels
    s = result["scores"]
    assert s["metric"] == "l1"  # K-medians: the silhouettes in its own l1
    assert s["silhouette"] == pytest.approx(engine.silhouette_score(ds.X, lab, "l1"), rel=1e-12)
    assert s["ari"] == pytest.approx(engine.adjusted_rand_index(ds.labels, lab), rel=1e-12)
    assert s["nmi"] == pytest.approx(engine.normalized_mutual_info(ds.labels, lab), rel=1e-12)
    assert s["purity"] == pytest.approx(engine.purity(ds.labels, lab), rel=1e-12)
    assert s["contingency"]["table"] == engine.contingency(ds.labels, lab).table.tolist()


def test_colour_by_truth_over_em_and_back_to_the_responsibilities(qtbot, open_window):
    """A Gaussian mixture colours points by their responsibilities; the switch overrides that and gives it back."""
    w = open_window("gmm", size=(1300, 850))
    session_io.apply(w, es.load_session(es.find_session("example:ex6-gmm-elongated")))
    wait_for_step(w.player, "last")
    view = scores_tab(qtbot, w)
    assert w.dataset.labels is not None and view.truth_box.isEnabled()
    blend = np.array(w.scatter.colors())  # the responsibilities' blend
    assert blend.shape == (w.dataset.n, 4)
    qtbot.mouseClick(view.truth_box, Qt.MouseButton.LeftButton)
    truth = w.dataset.labels
    first = w.scatter.colors()[np.argmax(truth == truth.max())]
    assert "#{:02X}{:02X}{:02X}".format(*first[:3]) == w.scatter.cluster_hex(int(truth.max()), truth).upper()
    qtbot.mouseClick(view.truth_box, Qt.MouseButton.LeftButton)
    assert np.array_equal(w.scatter.colors(), blend)


def test_the_mean_label_stands_above_the_first_bar_at_any_height(qtbot):
    """The mean's label ('mean 0.685') gets as many pixels above the first bar as it is drawn high: a share of the
    bars' height was ~15 px in a short plot (the window's least size), and the label covered the first bars."""
    import pyqtgraph as pg

    from gui.views.scores_plot import SilhouettePlot

    plot = SilhouettePlot()
    qtbot.addWidget(plot)
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1, 2], 50)
    s = np.clip(0.9 - 0.6 * rng.random(150), -1, 1)
    plot.show_silhouettes(s, labels, lambda c: ["#0072B2", "#E69F00", "#009E73"][c], lambda c: f"cluster {c + 1}",
                          float(s.mean()))
    plot.show()
    for size in ((360, 230), (700, 700), (360, 180)):
        plot.resize(*size)
        qtbot.wait(30)
        label = plot._mean.label.sceneBoundingRect()
        first_bar = plot.vb.mapViewToScene(pg.Point(0.0, float(plot.ypos[0]) - 0.5)).y()
        assert label.bottom() <= first_bar + 0.5, (size, label, first_bar)
        assert label.top() >= plot.vb.sceneBoundingRect().top()
