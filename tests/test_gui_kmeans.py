"""The K-means plugin in the real main window, driven as a person would."""
import itertools

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

import engine.kmeans as ekm
from engine import data as edata
from gui.algorithms.kmeans.plugin import KMeansPlugin, load_exercise

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def window(open_window):
    return open_window(KMeansPlugin, startup="")


def _plugin(w) -> KMeansPlugin:
    assert isinstance(w.plugin, KMeansPlugin)
    return w.plugin


def _run_to_end(qtbot, w):
    qtbot.waitUntil(lambda: len(w.player.history) > 0, timeout=5000)
    w.player.to_end()
    qtbot.waitUntil(lambda: w.player.at_end, timeout=20000)


def _lloyd_brute_force(X, C):
    """Plain Lloyd iterations from centres C until no label changes."""
    labels = None
    while True:
        d = ((X[:, None, :] - C[None, :, :]) ** 2).sum(-1)
        new = d.argmin(1)
        if labels is not None and (new == labels).all():
            return labels, C
        labels = new
        C = np.array([X[labels == j].mean(0) for j in range(C.shape[0])])


def test_exercise3_through_the_window(qtbot, window):
    w = window
    load_exercise(w, "exercise3")
    p = _plugin(w)
    assert w.dataset.point_names == ("A", "B", "C", "D", "E")
    assert p.lab.mode == "picked" and p.lab.picked == [0, 2]
    assert p.form.values()["k"] == 2
    _run_to_end(qtbot, w)
    X = w.dataset.X
    labels, C = _lloyd_brute_force(X, X[[0, 2]])
    # the brute force also agrees with the best of every 2-partition's SSE started from A and C's side
    step = w.player.current
    assert step.converged
    np.testing.assert_array_equal(step.labels, labels)
    np.testing.assert_allclose(step.centers, C, rtol=1e-12)
    sse = ((X - C[labels]) ** 2).sum()
    assert step.objective == pytest.approx(sse, rel=1e-12)
    # the overlay shows the same centres, and the objective view says it never increased
    np.testing.assert_allclose(p.overlay.centre_positions(), C)
    assert "never increased" in p.objective.check.text()
    # the starting centres are A and C (the init step), drawn as crosses
    assert np.array_equal(w.player.history[0].centers, X[[0, 2]])
    np.testing.assert_allclose(p.marks.positions(), X[[0, 2]])


def test_stepping_back_restores_the_picture(qtbot, window):
    w = window
    w.set_dataset(edata.generate("blobs", n=150, seed=1))
    p = _plugin(w)
    p.form.set_values({"k": 3, "seed": 4})
    w.restart_run()
    _run_to_end(qtbot, w)
    n = len(w.player.history)
    assert n >= 4
    for i in [n - 1, 2, 1, n - 2, 0]:
        w.player.seek(i)
        step = w.player.history[i]
        np.testing.assert_allclose(p.overlay.centre_positions(), w.project(step.centers))
        assert w.scatter.labels().tolist() == step.labels.tolist()
        ch = step.payload.get("changed") if step.kind == "assign" else None
        x, _ = p.overlay.rings.getData()
        assert len(x) == (0 if ch is None else len(ch))
        # the regions are the nearest-centre map of the step's centres
        grid = p.overlay.region_labels
        assert grid is not None and set(np.unique(grid)) <= set(range(step.centers.shape[0]))
        # the trail ends at the current centres
        if p.overlay.trails[0].xData is not None and len(p.overlay.trails[0].xData):
            assert p.overlay.trails[0].xData[-1] == pytest.approx(w.project(step.centers)[0, 0])


def test_objective_click_seeks_the_player(qtbot, window):
    w = window
    w.set_dataset(edata.generate("blobs", n=120, seed=2))
    p = _plugin(w)
    w.restart_run()
    _run_to_end(qtbot, w)
    w.tabs.setCurrentWidget(p.objective)
    qtbot.wait(50)
    plot = p.objective.plot
    target = 2
    y = float(np.nan_to_num(w.player.history[target].objective, nan=0.0))
    scene = plot.plotItem.vb.mapViewToScene(QPointF(target + 1, y))  # the axis numbers steps from 1
    pos = plot.mapFromScene(scene)
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.waitUntil(lambda: w.player.index == target, timeout=2000)
    assert p.objective.marker.data["x"].tolist() == [float(target + 1)]


def test_placing_centres_by_clicking(qtbot, window):
    w = window
    w.set_dataset(edata.generate("blobs", n=90, seed=3))
    p = _plugin(w)
    p.lab.set_mode("placed")
    p.lab.capture.setChecked(True)
    (x0, x1), (y0, y1) = w.scatter.plot_item.getViewBox().viewRange()
    wanted = [(x0 + 0.3 * (x1 - x0), y0 + 0.4 * (y1 - y0)), (x0 + 0.7 * (x1 - x0), y0 + 0.6 * (y1 - y0)),
              (x0 + 0.5 * (x1 - x0), y0 + 0.2 * (y1 - y0))]
    clicked = []
    for x, y in wanted:
        pos = w.scatter.map_to_viewport(x, y)
        qtbot.mouseClick(w.scatter.plot.viewport(), Qt.MouseButton.LeftButton, pos=pos)
        # a click lands on a whole pixel: read back where that pixel is in the view
        back = w.scatter.vb.mapSceneToView(w.scatter.plot.mapToScene(pos))
        clicked.append((back.x(), back.y()))
    assert p.lab.placed.shape == (3, 2)
    np.testing.assert_allclose(p.lab.placed, clicked, atol=1e-9)
    assert p.form.values()["k"] == 3
    init = p.extra_arguments()["init"]
    np.testing.assert_allclose(init, clicked)  # no standardization: run = display coordinates
    qtbot.waitUntil(lambda: len(w.player.history) > 0 and w.player.history[0].centers.shape == (3, 2), timeout=5000)
    np.testing.assert_allclose(w.player.history[0].centers, clicked)
    np.testing.assert_allclose(p.marks.positions(), clicked)
    # with standardization on, the same clicks become standardized starting centres
    w.set_standardized(True)
    X = w.dataset.X
    np.testing.assert_allclose(p.extra_arguments()["init"], (np.array(clicked) - X.mean(0)) / X.std(0))
    p.lab.clear()
    assert p.lab.placed.shape == (0, 2)


def test_sweep_elbow_and_click_loads_the_run(qtbot, window):
    w = window
    w.set_dataset(edata.generate("blobs", n=200, seed=5))
    p = _plugin(w)
    ks, restarts = [2, 3, 4], 3
    p.start_sweep(ks, restarts, seed=7)
    qtbot.waitUntil(lambda: p.sweep is not None and not p.sweep_task.busy, timeout=20000)
    elbow = p.restarts.elbow
    assert len(elbow.dots.points()) == len(ks) * restarts
    best = elbow.best.points()
    assert len(best) == len(ks)
    J = p.sweep.objectives
    for pt in best:
        i, r = pt.data()
        assert J[i, r] == J[i].min()
    # the small multiples show every restart of the first K
    qtbot.waitUntil(lambda: len(p.restarts.mini_plots) == restarts, timeout=10000)
    # click a dot: that run is loaded into the timeline
    i, r = 1, 2
    w.tabs.setCurrentWidget(p.restarts)
    qtbot.wait(50)
    vb = elbow.plot.getPlotItem().vb
    vb.autoRange()
    qtbot.wait(20)
    pos = elbow.plot.mapFromScene(vb.mapViewToScene(QPointF(elbow.x_of(i, r), J[i, r])))
    qtbot.mouseClick(elbow.plot.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.waitUntil(lambda: p._loaded_run == (i, r), timeout=2000)
    _run_to_end(qtbot, w)
    seed = int(p.sweep.seeds[i, r])
    reference = list(ekm.steps(w.run_X(), ks[i], seed=seed))
    assert len(w.player.history) == len(reference)
    for a, b in zip(w.player.history, reference):
        assert a.kind == b.kind
        np.testing.assert_array_equal(a.labels, b.labels)
        np.testing.assert_array_equal(a.centers, b.centers)
    assert w.player.current.objective == pytest.approx(J[i, r], rel=1e-12)
    assert p.form.values()["k"] == ks[i] and p.form.values()["seed"] == seed


def test_sweep_cancel_keeps_partial_results(qtbot, window):
    w = window
    w.set_dataset(edata.generate("blobs", n=3000, seed=6))
    p = _plugin(w)
    p.start_sweep(list(range(2, 30)), 10, seed=0)
    p.cancel_sweep()
    qtbot.waitUntil(lambda: not p.sweep_task.busy, timeout=20000)
    assert p.sweep is not None
    assert np.isnan(p.sweep.objectives).any()
    assert "cancelled" in p.restarts.message.text()


@pytest.mark.slow
def test_mnist_tiles_follow_the_step(qtbot, window):
    w = window
    ds = edata.mnist(400)
    w.set_dataset(ds)
    p = _plugin(w)
    p.form.set_values({"k": 5, "seed": 1})
    w.restart_run()
    w.tabs.setCurrentWidget(p.prototypes)
    _run_to_end(qtbot, w)
    tiles = p.prototypes.centres

    def check(i):
        w.player.seek(i)
        C = w.player.history[i].centers
        assert tiles.n_tiles == C.shape[0]
        for j in range(C.shape[0]):
            expected = np.rint(np.clip(C[j], 0, 1).reshape(28, 28) * 255).astype(np.uint8)
            np.testing.assert_array_equal(tiles.tile(j), expected)

    last = len(w.player.history) - 1
    check(last)
    check(0)  # an earlier step: the tiles change with it
    assert not np.array_equal(w.player.history[0].centers, w.player.history[last].centers)
    check(last)
    # captions: cluster number, size and majority digit with its share
    step = w.player.current
    s = ekm.cluster_summary(step.labels, 5, ds.labels)
    for j, cap in enumerate(tiles.captions):
        assert f"#{j + 1}" in cap and f"n={int(s.sizes[j])}" in cap
        assert f"'{int(s.majority[j])}' {100 * s.share[j]:.0f}%" in cap
    # representatives: nearest 5 and random 5 members with the rule written on the view
    members = p.prototypes.members
    assert "nearest" in members.note.text() and "random" in members.note.text() and "seed 0" in members.note.text()
    assert not members.note.isHidden()
    reps = ekm.representatives(ds.X, step.labels, step.centers, n_nearest=5, n_random=5, seed=0)
    for j in range(5):
        for slot, idx in enumerate(reps.nearest[j]):
            expected = np.rint(ds.X[idx].reshape(28, 28) * 255).astype(np.uint8)
            np.testing.assert_array_equal(members.tile(j * 11 + 1 + slot), expected)


def test_export_results(qtbot, window, tmp_path):
    w = window
    load_exercise(w, "exercise3")
    _run_to_end(qtbot, w)
    paths = _plugin(w).export_results(tmp_path)
    names = sorted(x.name for x in paths)
    assert names == ["kmeans-centers.csv", "kmeans-labels.csv", "kmeans-objective.csv", "kmeans.json"]
    import json
    res = json.loads((tmp_path / "kmeans.json").read_text())
    assert res["labels"] == w.player.current.labels.tolist()
    lines = (tmp_path / "kmeans-labels.csv").read_text().splitlines()
    assert lines[0] == "point,cluster" and lines[1].startswith("A,")
    C = np.loadtxt(tmp_path / "kmeans-centers.csv", delimiter=",", skiprows=1)[:, 1:]
    np.testing.assert_allclose(C, w.player.current.centers)
    rows = [line.split(",") for line in (tmp_path / "kmeans-objective.csv").read_text().splitlines()]
    assert rows[0] == ["step", "kind", "objective"]
    assert [r[1] for r in rows[1:]] == [s.kind for s in w.player.history]
    np.testing.assert_allclose([float(r[2]) for r in rows[1:]], w.player.current.trace)
    assert res["objective"] == w.player.current.objective and res["standardized"] is False


def test_kmeanspp_seed_steps_show_probabilities(qtbot, window):
    w = window
    w.set_dataset(edata.generate("blobs", n=60, seed=8))
    p = _plugin(w)
    p.lab.set_mode("k-means++")
    p.form.set_values({"k": 3, "seed": 2})
    w.restart_run()
    _run_to_end(qtbot, w)
    seeds = [i for i, s in enumerate(w.player.history) if s.kind == "seed"]
    assert len(seeds) == 3
    w.player.seek(seeds[1])
    step = w.player.current
    probs = np.asarray(step.payload["probs"])
    x, _ = p.overlay.probs.getData()
    assert len(x) == int((probs > 0).sum())
    cx, cy = p.overlay.chosen.getData()
    np.testing.assert_allclose([cx[0], cy[0]], w.scatter.points()[int(step.payload["chosen"])])
    w.player.seek(len(w.player.history) - 1)
    assert len(p.overlay.probs.getData()[0]) == 0 and len(p.overlay.chosen.getData()[0]) == 0


def test_centres_are_drawn_in_the_colours_of_their_clusters_on_named_groups(qtbot, window):
    """On data whose groups are named after colours (exercise 1) the scatter colours clusters that are whole groups
    by those names; the centres, their trails and the regions use the same colours, never the plain palette."""
    w = window
    w.set_dataset(edata.example("four-points"))
    p = _plugin(w)
    p.form.set_values({"k": 3, "seed": 0})
    w.restart_run()
    qtbot.waitUntil(lambda: w.player.current is not None, timeout=5000)
    w.player.to_end()
    qtbot.waitUntil(lambda: not w.player.busy, timeout=5000)
    w.player.seek(len(w.player.history) - 1)
    k = w.player.current.centers.shape[0]
    drawn = [b.color().name().upper() for b in p.overlay.centres.data["brush"][:k]]
    assert drawn == [w.scatter.cluster_hex(j).upper() for j in range(k)]


def test_regions_cover_the_plot_after_a_resize_and_are_fine(qtbot, window):
    """The Voronoi regions fill the view at its new size when an export asks right after a resize (a lecture
    slide showed the regions of the earlier range, white margins around them), on a grid of about one cell per
    1.5 screen pixels (their edges showed steps of several pixels in lecture mode)."""
    w = window
    load_exercise(w, "exercise3")
    p = _plugin(w)
    _run_to_end(qtbot, w)
    qtbot.wait(100)
    w.resize(w.width() + 300, w.height() + 200)
    w.scatter.flush()  # what an export does first
    (x0, x1), (y0, y1) = w.scatter.vb.viewRange()
    r = p.overlay.regions.mapRectToParent(p.overlay.regions.boundingRect())
    assert r.left() <= x0 and r.right() >= x1 and r.top() <= y0 and r.bottom() >= y1
    side = max(w.scatter.vb.boundingRect().width(), w.scatter.vb.boundingRect().height())
    assert p.overlay.region_labels.shape[0] >= min(side / 1.5, 768) - 1
