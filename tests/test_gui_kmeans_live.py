"""K-means plugin: the elbow fills in while the sweep runs, k-means++ probabilities for many points,
the exercises in File > Examples, the K-medoids cost warning."""
import numpy as np
import pytest
from PySide6.QtWidgets import QMenu

import gui.algorithms.kmeans.plugin as gkm
from engine import data as edata
from gui.algorithms.kmeans.plugin import KMeansPlugin
from gui.algorithms.kmeans import init_lab

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def window(open_window):
    return open_window(KMeansPlugin, startup="")


def test_elbow_fills_in_while_the_sweep_runs(qtbot, window):
    w = window
    w.set_dataset(edata.generate("blobs", n=3000, seed=6))
    p = w.plugin
    runs = []
    p.sweep_task.sigPartial.connect(lambda part: runs.append(part[:2]) if part[0] != "silhouette" else None)
    p.start_sweep(list(range(2, 40)), 8, seed=0)
    elbow = p.restarts.elbow
    # dots appear while the sweep is still busy, one per finished run
    qtbot.waitUntil(lambda: len(elbow.dots.points()) >= 3, timeout=20000)
    assert p.sweep_task.busy and p.sweep is None
    p.cancel_sweep()
    qtbot.waitUntil(lambda: not p.sweep_task.busy, timeout=20000)
    res = p.sweep
    finished = np.isfinite(res.objectives)
    assert 3 <= finished.sum() < finished.size
    assert sorted(runs) == sorted(zip(*np.nonzero(finished)))
    np.testing.assert_array_equal(p._runs.objectives[finished], res.objectives[finished])
    assert len(elbow.dots.points()) == finished.sum()
    # the small multiples of the first K come from the kept runs: nothing is computed again
    assert not p.multiples_task.busy
    assert len(p.restarts.mini_plots) == int(finished[0].sum())


def test_kmeanspp_probabilities_stay_readable_for_many_points(qtbot, window):
    w = window
    n = 2000
    w.set_dataset(edata.generate("blobs", n=n, seed=3))
    p = w.plugin
    p.lab.set_mode("k-means++")
    p.form.set_values({"k": 4, "seed": 1})
    w.restart_run()
    qtbot.waitUntil(lambda: len(w.player.history) > 0, timeout=5000)
    w.player.to_end()
    qtbot.waitUntil(lambda: w.player.at_end, timeout=20000)
    seeds = [i for i, s in enumerate(w.player.history) if s.kind == "seed"]
    w.player.seek(seeds[2])
    probs = np.asarray(w.player.current.payload["probs"])
    ov = p.overlay
    # every point with a chance is coloured by it; only the 40 most likely get a ring, no discs for the rest
    assert set(ov.heat_indices.tolist()) == set(np.flatnonzero(probs > 0).tolist())
    assert len(ov.probs.getData()[0]) == init_lab.TOP_DISCS
    top = np.argsort(probs, kind="stable")[-init_lab.TOP_DISCS:]
    assert set(ov.disc_indices.tolist()) == set(top.tolist())
    # the colour scale: the most likely point has the darkest brush, a least likely one the palest
    brushes = ov.heat.data["brush"]
    order = {int(i): b for i, b in zip(ov.heat_indices, brushes)}
    scale = init_lab.heat_brushes()
    assert order[int(np.argmax(probs))].color().name() == scale[-1].color().name()
    assert order[int(ov.heat_indices[0])].color().lightness() > scale[-1].color().lightness()
    text = ov.caption.textItem.toPlainText()
    assert ov.caption.isVisible() and "40 most likely of 2,000 points" in text and "centre 3 of 4" in text
    share = probs[top].sum()
    assert f"{100 * share:.0f}%" in text
    # a small data set keeps one disc per point, and the caption goes once the seeding is over
    w.player.seek(len(w.player.history) - 1)
    assert not ov.caption.isVisible() and len(ov.heat.getData()[0]) == 0


def test_exercises_in_the_examples_menu(qtbot, window):
    w = window
    qtbot.waitUntil(lambda: w.findChild(type(w.menus.actions["open"]), "action_kmeans_exercise3") is not None,
                    timeout=2000)
    a3 = w.findChild(type(w.menus.actions["open"]), "action_kmeans_exercise3")
    a4 = w.findChild(type(w.menus.actions["open"]), "action_kmeans_exercise4")
    assert a4 is not None and "MNIST" in a4.text()
    examples = next(m for m in w.menuBar().findChildren(QMenu) if m.title().replace("&", "") == "Examples")
    assert a3 in examples.actions() and a4 in examples.actions()
    w.set_standardized(True)
    a3.trigger()
    p = w.plugin
    assert isinstance(p, KMeansPlugin) and not w.standardized
    assert w.dataset.point_names == ("A", "B", "C", "D", "E") and p.lab.picked == [0, 2]
    qtbot.waitUntil(lambda: len(w.player.history) > 0, timeout=5000)
    np.testing.assert_array_equal(w.player.history[0].centers, w.dataset.X[[0, 2]])


def test_kmedoids_on_large_data_says_what_a_step_costs(qtbot, window, monkeypatch):
    w = window
    w.set_dataset(edata.generate("blobs", n=400, seed=2))
    p = w.plugin
    messages = []
    monkeypatch.setattr(w, "status", lambda text, msecs=8000: messages.append(text))
    monkeypatch.setattr(gkm, "MEDOID_WARN_OPS", 1e4)
    p.form.set_values({"variant": "medoids", "metric": "l2", "k": 2})
    w.restart_run()
    assert any("K-medoids on 400 points" in m and "every pair" in m and "Cancel" in m for m in messages)
    qtbot.waitUntil(lambda: len(w.player.history) > 0, timeout=5000)
    w.player.to_end()
    qtbot.waitUntil(lambda: w.player.at_end, timeout=20000)
    update = next(s for s in w.player.history if s.kind == "update")
    assert "coordinate operations" in update.description


@pytest.mark.slow
def test_exercise4_sweeps_mnist_in_float32_with_live_dots(qtbot, window):
    w = window
    gkm.load_exercise(w, "exercise4")
    p = w.plugin
    assert w.tabs.currentWidget() is p.restarts
    qtbot.waitUntil(lambda: w.dataset is not None and w.dataset.n == 6000, timeout=60000)
    qtbot.waitUntil(lambda: p._sweep_context is not None and p._sweep_context[0] is w.dataset, timeout=10000)
    assert p._sweep_context[2]["dtype"] == "float32"
    qtbot.waitUntil(lambda: len(p.restarts.elbow.dots.points()) >= 1 and p.sweep is None, timeout=120000)
    qtbot.waitUntil(lambda: p.sweep is not None, timeout=300000)
    assert p.sweep.ks.tolist() == [5, 10, 20] and np.isfinite(p.sweep.objectives).all()
    assert len(p.restarts.elbow.dots.points()) == 9
    assert p.prototypes.compare.n_tiles == 3 * 20
