"""The mean silhouette against K in the K-means sweep ("Restarts & K"), in the engine, the window and render."""
import json

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

import engine
import engine.kmeans as ekm
from engine import data as edata
from engine import session as es
from engine.core.norms import NORM_SYMBOLS
from engine.kmeans.sweeps import silhouette_plan
from gui.algorithms.kmeans.plugin import KMeansPlugin

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.mark.parametrize("variant, metric, want", [("means", None, "l2"), ("medians", None, "l1"),
                                                   ("medoids", "linf", "linf"), ("medoids", "l1", "l1")])
def test_the_sweep_scores_each_best_run_in_the_runs_metric(variant, metric, want):
    X = edata.generate("blobs", n=150, seed=4).X
    res = ekm.sweep(X, [1, 2, 3, 5], 3, variant=variant, metric=metric, seed=1)
    assert res.silhouette_metric == want and res.silhouette_rows is None and res.silhouettes.shape == (4,)
    assert np.isnan(res.silhouettes[0])  # K = 1: no silhouette
    for i in range(1, 4):
        labels = res.best[i].labels
        assert res.best[i].final_objective == np.nanmin(res.objectives[i])
        assert res.silhouettes[i] == pytest.approx(engine.silhouette_score(X, labels, want), rel=1e-12)
    assert res.silhouette_note == f"{NORM_SYMBOLS[want]}, all 150 points"


def test_on_large_data_the_sweep_averages_a_fixed_sample(monkeypatch):
    from engine.scores import summary
    monkeypatch.setattr(summary, "SILHOUETTE_BUDGET", 2e5)  # 400 points in 2-D count as large
    X = edata.generate("blobs", n=400, seed=1).X
    seen = []
    res = ekm.sweep(X, [2, 4], 2, seed=0, on_silhouette=lambda i, v: seen.append((i, v)))
    rows = res.silhouette_rows
    assert rows is not None and 200 <= rows.size < 400
    np.testing.assert_array_equal(rows, silhouette_plan(400, 2)[1])
    for i in range(2):
        want = engine.silhouette_score(X, res.best[i].labels, "l2", rows=rows)
        assert res.silhouettes[i] == pytest.approx(want, rel=1e-12)
    assert seen == [(0, res.silhouettes[0]), (1, res.silhouettes[1])]
    assert f"a random sample of {rows.size:,} of 400 points" in res.silhouette_note


def test_a_cancelled_sweep_keeps_the_silhouettes_of_the_finished_ks():
    X = edata.generate("blobs", n=120, seed=0).X
    stop = []  # cancel after the first run of K = 3: K = 2 has its silhouette, K = 3 and 4 none
    with pytest.raises(ekm.Cancelled) as info:
        ekm.sweep(X, [2, 3, 4], 2, seed=0, cancel=lambda: bool(stop),
                  on_run=lambda i, r, fit: stop.append(1) if i == 1 else None)
    part = info.value.partial
    assert np.isfinite(part.silhouettes).tolist() == [True, False, False]


@pytest.fixture
def window(open_window):
    return open_window(KMeansPlugin, startup="")


def test_the_sweep_tab_shows_the_silhouette_of_each_k_and_a_click_loads_that_run(qtbot, window):
    w = window
    w.set_dataset(edata.generate("blobs", n=200, seed=5))
    p = w.plugin
    view = p.restarts
    w.tabs.setCurrentWidget(view)
    ks = [1, 2, 3, 4, 6]
    view.ks_edit.setText("1-4, 6")
    view.restarts_spin.setValue(3)
    view.seed_spin.setValue(7)
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)  # as a person starts the sweep
    qtbot.waitUntil(lambda: p.sweep is not None and not p.sweep_task.busy, timeout=30000)
    sil = view.elbow.silhouette
    X = w.run_X()
    # one point per K with a silhouette (K = 1 has none), on the elbow's K axis
    assert sil.ks.tolist() == ks and len(sil.dots.points()) == len(ks) - 1
    xs = sil.item.vb.viewRange()[0]
    assert xs == pytest.approx(view.elbow.plot.getPlotItem().vb.viewRange()[0], rel=1e-9)  # the same K axis
    assert xs[0] < min(ks) and xs[1] > max(ks)
    for pt in sil.dots.points():
        i = int(pt.data())
        best = int(p.sweep.best_restart[i])
        fit = ekm.fit(X, ks[i], seed=int(p.sweep.seeds[i, best]), init="k-means++")
        assert pt.pos().x() == ks[i]
        assert pt.pos().y() == pytest.approx(engine.silhouette_score(X, fit.labels, "l2"), rel=1e-12)
    assert "ℓ2, all 200 points" in sil.item.titleLabel.text
    # click K = 4 on the silhouette curve: the best run of K = 4 is loaded into the timeline
    i = ks.index(4)
    r = int(p.sweep.best_restart[i])
    vb = sil.item.vb
    qtbot.wait(20)
    pos = sil.plot.mapFromScene(vb.mapViewToScene(QPointF(4.0, float(sil.values[i]))))
    qtbot.mouseClick(sil.plot.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.waitUntil(lambda: p._loaded_run == (i, r), timeout=3000)
    assert w.plugin.form.values()["k"] == 4 and w.plugin.form.values()["seed"] == int(p.sweep.seeds[i, r])
    assert len(sil.selected.points()) == 1 and sil.selected.points()[0].pos().x() == 4
    qtbot.waitUntil(lambda: len(w.player.history) > 0, timeout=5000)
    w.player.to_end()
    qtbot.waitUntil(lambda: w.player.at_end, timeout=20000)
    assert engine.silhouette_score(X, w.player.current.labels, "l2") == pytest.approx(sil.values[i], rel=1e-12)


def test_render_writes_the_sweep_silhouettes_to_result_json_and_the_figure(qtbot, tmp_path):
    from gui.shell import render
    p = tmp_path / "sweep.json"
    p.write_text(json.dumps({"format": "clusterlab-session", "version": 1, "name": "sw",
                             "data": {"generator": "blobs", "n": 120, "seed": 2},
                             "algorithm": {"name": "kmeans", "params": {"k": 3, "variant": "medians", "seed": 1},
                                           "sweep": {"ks": [1, 2, 4], "restarts": 2, "seed": 9}}}))
    out = tmp_path / "o"
    assert render.main([str(p), "--out", str(out), "--no-svg", "--size", "400x300"]) == 0
    sweep = json.loads((out / "result.json").read_text())["sweep"]
    X, _ = es.run_input(es.load_session(p))
    ref = ekm.sweep(X, [1, 2, 4], 2, seed=9, variant="medians", init="k-means++", max_iter=300)
    assert sweep["silhouette_metric"] == "l1" and sweep["silhouette_points"] == 120
    assert sweep["silhouettes"][0] is None and sweep["silhouette_sample"] is None
    np.testing.assert_allclose(sweep["silhouettes"][1:], ref.silhouettes[1:], rtol=1e-12)
    for i in (1, 2):
        assert sweep["silhouettes"][i] == pytest.approx(engine.silhouette_score(X, ref.best[i].labels, "l1"),
                                                        rel=1e-12)
    from PySide6.QtGui import QImage
    image = QImage(str(out / "restarts-k.png"))
    assert (image.width(), image.height()) == (400, 300)
    # the lower part of the figure is the silhouette plot: its green curve is drawn
    green = sum(1 for y in range(image.height() // 2, image.height()) for x in range(0, image.width(), 2)
                if image.pixelColor(x, y).name() == "#009e73")
    assert green > 20


def test_the_scores_blobs_session_shows_what_its_description_says(qtbot, tmp_path):
    """The gallery's session: the Scores figure and the sweep with its silhouettes, the numbers it quotes."""
    from gui.shell import render
    out = tmp_path / "sb"
    assert render.main(["example:scores-blobs", "--out", str(out), "--no-svg", "--size", "500x400"]) == 0
    res = json.loads((out / "result.json").read_text())
    assert {"scores.png", "restarts-k.png"} <= set(res["files"])
    s, sweep = res["scores"], res["sweep"]
    assert round(s["silhouette"], 3) == 0.685 and round(s["ari"], 3) == 0.980 and round(s["nmi"], 3) == 0.970
    assert round(s["purity"], 3) == 0.993
    table = np.asarray(s["contingency"]["table"])
    assert table.sum() == 150 and sorted(table[table > 0].tolist()) == [1, 49, 50, 50]  # one point astray
    best_j = [min(row) for row in (np.where(np.equal(o, None), np.inf, o) for o in sweep["objectives"])]
    assert sweep["ks"] == [1, 2, 3, 4, 5, 6] and sweep["silhouettes"][0] is None
    assert sweep["ks"][int(np.nanargmax(np.array(sweep["silhouettes"], dtype=float)))] == 2  # silhouette: K = 2
    drops = -np.diff(best_j)
    assert drops[1] > 3 * drops[2]  # ... while the elbow bends at K = 3
    description = es.load_session(es.shipped_sessions()["scores-blobs"][0]).description
    assert "0.685" in description and "ARI 0.980" in description
