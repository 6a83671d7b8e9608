"""The Gaussian-mixture EM plugin in the real main window, driven as a person would."""
import json

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

import engine.gmm as egmm
from engine import data as edata
from engine.data import Dataset
from gui.widgets import palette
from gui.algorithms.gmm.plugin import GmmPlugin, load_exercise

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def window(open_window):
    return open_window(GmmPlugin, startup="")


def _plugin(w) -> GmmPlugin:
    assert isinstance(w.plugin, GmmPlugin)
    return w.plugin


def _run_to_end(qtbot, w):
    qtbot.waitUntil(lambda: len(w.player.history) > 0, timeout=5000)
    w.player.to_end()
    qtbot.waitUntil(lambda: w.player.at_end, timeout=20000)


def _rgb(j):
    """Palette colour j as floats, parsed from its hex code (independent of the views' tables)."""
    h = palette.hex_color(j).lstrip("#")
    return np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)], dtype=float)


def _quad(P, m, S):
    D = P - m
    return np.einsum("ni,ij,nj->n", D, np.linalg.inv(S), D)


def _exercise6(qtbot, w):
    load_exercise(w, "exercise6")
    _run_to_end(qtbot, w)
    return _plugin(w)


def test_exercise6_e_then_m_alternate_and_ellipses_move_only_on_m(qtbot, window):
    w = window
    p = _exercise6(qtbot, w)
    assert w.dataset.n == 300 and p.form.values()["k"] == 3
    kinds = [s.kind for s in w.player.history]
    assert kinds[0] == "init" and len(kinds) >= 5
    assert kinds[1::2] == ["E"] * len(kinds[1::2]) and kinds[2::2] == ["M"] * len(kinds[2::2])
    previous = None
    for i in range(0, 7):
        w.player.seek(i)
        step = w.player.current
        drawn = {key: pts.copy() for key, pts in p.ellipses.points.items()}
        at = f"Step {i + 1} · "  # the timeline's step first; EM's own counter is the iteration
        if step.kind == "init":
            assert p.banner.text == at + "Initialisation"
        elif step.kind == "E":
            assert p.banner.text.startswith(f"{at}E-step of iteration {step.iteration}: responsibilities")
            assert p.em.moment.text().startswith(f"{at}E-step")
            for key in drawn:  # parameters unchanged: the ellipses stay
                np.testing.assert_array_equal(drawn[key], previous[key])
            assert p.ellipses.ghost_points == []
        else:
            assert p.banner.text == f"{at}M-step of iteration {step.iteration}: weights, means, covariances"
            assert any(not np.allclose(drawn[key], previous[key]) for key in drawn)  # the ellipses move
            assert len(p.ellipses.ghost_points) == 3  # where they were, as ghosts
            np.testing.assert_array_equal(p.ellipses.ghost_points[0], previous[(0, 1.0)])
        previous = drawn


def test_ellipses_follow_the_covariances(qtbot, window):
    w = window
    p = _exercise6(qtbot, w)
    for i in (2, len(w.player.history) - 1):
        w.player.seek(i)
        pay = w.player.current.payload
        for j in range(3):
            m, S = pay["means"][j], pay["covariances"][j]
            for s in (1.0, 2.0):
                pts = p.ellipses.points[(j, s)]
                np.testing.assert_allclose(_quad(pts, m, S), s * s, rtol=1e-9)
        np.testing.assert_allclose(np.column_stack(p.ellipses.means.getData()), pay["means"])


def test_stepping_back_restores_the_picture(qtbot, window):
    w = window
    p = _exercise6(qtbot, w)
    w.player.seek(3)
    ell = {key: v.copy() for key, v in p.ellipses.points.items()}
    colors = p.blend.colors.copy()
    banner = p.banner.text
    for _ in range(3):
        w.player.forward()
    assert not np.array_equal(p.blend.colors, colors)
    for _ in range(3):
        w.player.back()
    assert w.player.index == 3
    for key, v in ell.items():
        np.testing.assert_array_equal(p.ellipses.points[key], v)
    np.testing.assert_array_equal(p.blend.colors, colors)
    assert p.banner.text == banner


def test_blended_colours_are_the_responsibility_weighted_palette_blend(qtbot, window):
    w = window
    p = _exercise6(qtbot, w)
    w.player.seek(3)  # an E-step: responsibilities under the parameters of step 2
    prev = w.player.history[2].payload
    X = w.dataset.X
    q = egmm.responsibilities(X, prev["weights"], prev["means"], prev["covariances"])
    table = np.array([_rgb(j) for j in range(3)])
    mixed = np.flatnonzero(q.max(axis=1) < 0.9)
    assert mixed.size >= 3  # overlapping clusters: some points are shared
    for i in [*mixed[:4], 0, 299]:
        expected = q[i] @ table
        np.testing.assert_allclose(p.blend.colors[i, :3].astype(float), expected, atol=1.0)
    # what the scatter draws: its own colours (symbol mode rounds each channel to 16 levels)
    np.testing.assert_array_equal(w.scatter.colors(), p.blend.colors)
    np.testing.assert_allclose(p.blend.pixel_color(299)[:3], _levels16(p.blend.colors[299, :3]), atol=2)


def test_clicking_a_point_shows_its_responsibilities(qtbot, window):
    w = window
    p = _exercise6(qtbot, w)
    w.player.seek(5)
    step = w.player.current
    q = step.payload["resp"].astype(float)
    i = int(np.argmin(np.abs(q.max(axis=1) - 0.6)))  # a point with a mixed membership
    Y = w.scatter.points()
    # click the point as a person would (nothing else within a few pixels of it)
    qtbot.mouseClick(w.scatter.plot.viewport(), Qt.MouseButton.LeftButton, pos=w.scatter.map_to_viewport(*Y[i]))
    assert p.selected is not None
    i = p.selected
    assert step.kind == "E"  # E-step 3: responsibilities under the parameters it shows (those of M-step 2)
    pay = step.payload
    expected = egmm.responsibilities(w.dataset.X, pay["weights"], pay["means"], pay["covariances"])
    np.testing.assert_allclose(p.em.resp.values, expected[i], rtol=1e-5, atol=1e-6)
    assert f"point #{i}" in p.em.resp.title.text()
    assert p.em.resp.colors[:3] == [palette.hex_color(j) for j in range(3)]
    # stepping updates the bars
    w.player.seek(7)
    q7 = w.player.current.payload["resp"]
    np.testing.assert_allclose(p.em.resp.values, q7[i], rtol=1e-6)
    assert "used by this M-step" not in p.em.resp.title.text()
    w.player.seek(6)  # the M-step shows the responsibilities it used: those of E-step 3
    np.testing.assert_allclose(p.em.resp.values, expected[i], rtol=1e-5, atol=1e-6)
    assert "used by this M-step" in p.em.resp.title.text()


def test_placed_means_are_the_initialisation(qtbot, window):
    w = window
    p = _plugin(w)
    w.set_dataset(edata.generate("elongated", n=200, seed=3))
    p.form.set_values({"k": 3, "seed": 1})
    p.use_placed.setChecked(True)
    assert p.place_button.isChecked()
    assert "0 of 3" in p.placed_label.text()
    vb = w.scatter.plot_item.getViewBox()
    (x0, x1), (y0, y1) = vb.viewRange()
    targets = [(x0 + 0.3 * (x1 - x0), y0 + 0.4 * (y1 - y0)), (x0 + 0.6 * (x1 - x0), y0 + 0.7 * (y1 - y0)),
               (x0 + 0.7 * (x1 - x0), y0 + 0.3 * (y1 - y0))]
    for x, y in targets:
        qtbot.mouseClick(w.scatter.plot.viewport(), Qt.MouseButton.LeftButton, pos=w.scatter.map_to_viewport(x, y))
    assert p.placed.count == 3 and not p.place_button.isChecked()
    placed = p.placed.positions()
    np.testing.assert_allclose(placed, targets, atol=3 * max(vb.viewPixelSize()))
    qtbot.waitUntil(lambda: len(w.player.history) > 0, timeout=5000)
    first = w.player.history[0]
    assert first.kind == "init" and "given parameters" in first.description
    np.testing.assert_allclose(first.payload["means"], placed, rtol=1e-12)
    np.testing.assert_allclose(first.payload["weights"], np.full(3, 1 / 3))
    v = w.dataset.X.var(axis=0).mean()
    np.testing.assert_allclose(first.payload["covariances"], np.broadcast_to(v * np.eye(2), (3, 2, 2)))
    # dragging a marker (moving it and releasing) restarts from the new position
    t = p.placed.targets[1]
    t.setPos(placed[1, 0] + 0.5, placed[1, 1] - 0.25)
    t.sigPositionChangeFinished.emit(t)
    qtbot.waitUntil(lambda: len(w.player.history) > 0, timeout=5000)
    np.testing.assert_allclose(w.player.history[0].payload["means"][1], placed[1] + [0.5, -0.25])
    # the other covariance shapes get the right starting shape
    p.form.set_values({"covariance": "diag"})
    p.sigRestart.emit()
    qtbot.waitUntil(lambda: len(w.player.history) > 0, timeout=5000)
    assert w.player.history[0].payload["covariances_native"].shape == (3, 2)


def test_too_few_placed_means_is_a_message_not_a_crash(qtbot, window):
    w = window
    p = _plugin(w)
    w.set_dataset(edata.generate("blobs", n=60, seed=2))
    p.form.set_values({"k": 3})
    p.use_placed.setChecked(True)
    assert p.place_button.isChecked()  # placing starts at once
    p.add_placed(0.0, 0.0)
    # while placing: no run, no red error - the label says what to do
    assert w.player.current is None and not w.algorithm_panel.error.isVisible() and not p.em.error.isVisible()
    assert "1 of 3 means placed: click 2 more" in p.placed_label.text()
    p.place_button.setChecked(False)  # stopped placing with 1 of 3: now it is an error, with what to do
    assert w.player.current is None
    assert "1 of k = 3 means placed" in w.algorithm_panel.error.text()
    assert "1 of k = 3 means placed" in p.em.error.text() and p.em.error.isVisible()
    p.place_button.setChecked(True)
    assert not w.algorithm_panel.error.isVisible() and not p.em.error.isVisible()
    p.add_placed(1.0, 1.0)
    p.add_placed(2.0, 0.0)
    qtbot.waitUntil(lambda: len(w.player.history) > 0, timeout=5000)
    assert not w.algorithm_panel.error.isVisible() and not p.em.error.isVisible()
    assert not p.place_button.isChecked()


def test_log_likelihood_curve_checks_and_jumps(qtbot, window):
    w = window
    p = _exercise6(qtbot, w)
    n = len(w.player.history)
    assert p.em.objective.check.text() == f"✓ never decreased over {n} steps"
    ll = np.array([s.objective for s in w.player.history])
    assert np.all(np.diff(ll) >= -1e-9 * np.abs(ll[1:]))
    x, y = p.em.objective.curve.getData()
    np.testing.assert_allclose(y, ll)
    p.em.objective.sigStepClicked.emit(2)
    assert w.player.index == 2
    np.testing.assert_allclose(p.em.weights.values, w.player.current.payload["weights"])


def test_big_data_responsibilities_are_computed_once_per_step(qtbot, window):
    w = window
    p = _plugin(w)
    ds = edata.generate("blobs", n=70_000, seed=1)
    p.form.set_values({"k": 3, "seed": 0, "max_iter": 3})
    w.set_dataset(ds)
    _run_to_end(qtbot, w)
    w.player.seek(2)  # M-step 1: uses the responsibilities of E-step 1
    assert "resp" not in w.player.current.payload
    e = w.player.history[1].payload
    expected = egmm.responsibilities(ds.X, e["weights"], e["means"], e["covariances"])
    got = p.resp_at(2)
    np.testing.assert_allclose(got, expected, atol=1e-6)
    assert p.resp_at(1) is got  # cached: the E-step and its M-step share one computation
    assert p.blend.colors.shape == (70_000, 4) and p.blend.raster


def test_high_dimensional_data_draw_projected_covariances(qtbot, window):
    w = window
    p = _plugin(w)
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (80, 4)) * [3, 1, 0.5, 0.2], rng.normal(5, 1, (80, 4))])
    w.set_dataset(Dataset(X, name="4-D"))
    p.form.set_values({"k": 2, "seed": 0})
    _run_to_end(qtbot, w)
    pay = w.player.current.payload
    _, info = edata.pca_2d(X)
    P = info.components
    for j in range(2):
        S = P @ pay["covariances"][j] @ P.T
        m = (pay["means"][j] - info.mean) @ P.T
        np.testing.assert_allclose(_quad(p.ellipses.points[(j, 1.0)], m, S), 1.0, rtol=1e-7)
        np.testing.assert_allclose(_quad(p.ellipses.points[(j, 2.0)], m, S), 4.0, rtol=1e-7)
    assert "P Σ Pᵀ" in p.em.note.text() and "d = 4" in p.em.note.text()


def test_standardized_runs_are_drawn_in_data_units(qtbot, window):
    w = window
    p = _plugin(w)
    ds = edata.generate("elongated", n=150, seed=2)
    ds = ds.with_X(ds.X * [10.0, 1.0] + [100.0, 0.0])
    p.form.set_values({"k": 3, "seed": 0})
    w.set_dataset(ds)
    w.data_panel.standardize.setChecked(True)
    _run_to_end(qtbot, w)
    pay = w.player.current.payload
    mean, scale = ds.X.mean(axis=0), ds.X.std(axis=0)
    means = pay["means"] * scale + mean
    np.testing.assert_allclose(np.column_stack(p.ellipses.means.getData()), means, rtol=1e-9)
    S0 = np.diag(scale) @ pay["covariances"][0] @ np.diag(scale)
    np.testing.assert_allclose(_quad(p.ellipses.points[(0, 1.0)], means[0], S0), 1.0, rtol=1e-8)
    assert "standardized" in p.em.note.text()


def test_density_contours(qtbot, window):
    w = window
    p = _exercise6(qtbot, w)
    assert not any(iso.isVisible() for iso in p.ellipses.isocurves)
    p.density.setChecked(True)
    xs, ys, z, levels = p.ellipses.density
    pay = w.player.current.payload
    (x0, x1), (y0, y1) = w.scatter.plot_item.getViewBox().viewRange()
    assert xs[0] == pytest.approx(x0) and ys[-1] == pytest.approx(y1)
    gx, gy = np.meshgrid(xs, ys)
    ref = np.exp(egmm.log_prob(np.column_stack([gx.ravel(), gy.ravel()]), pay["weights"], pay["means"],
                               pay["covariances"])).reshape(z.shape)
    np.testing.assert_allclose(z, ref, rtol=1e-10)
    iso = p.ellipses.isocurves[2]
    assert iso.isVisible()
    iso.boundingRect()  # builds the path
    tr, path = iso.transform(), iso.path
    pts = []
    for i in range(path.elementCount()):
        e = path.elementAt(i)
        q = tr.map(QPointF(e.x, e.y))
        pts.append([q.x(), q.y()])
    pts = np.array(pts)
    dens = np.exp(egmm.log_prob(pts, pay["weights"], pay["means"], pay["covariances"]))
    np.testing.assert_allclose(np.median(dens), iso.level, rtol=0.05)  # the contour follows its level
    p.density.setChecked(False)
    assert not any(iso.isVisible() for iso in p.ellipses.isocurves)


def test_export_results_and_figures(qtbot, window, tmp_path):
    w = window
    p = _exercise6(qtbot, w)
    paths = p.export_results(tmp_path)
    names = sorted(x.name for x in paths)
    assert names == ["gmm-loglik.csv", "gmm-parameters.csv", "gmm-responsibilities.csv", "gmm.json"]
    res = json.loads((tmp_path / "gmm.json").read_text())
    step = w.player.current
    np.testing.assert_allclose(res["means"], step.payload["means"])
    np.testing.assert_allclose(res["covariances"], step.payload["covariances_native"])
    assert len(res["trace"]) == len(w.player.history)
    rows = (tmp_path / "gmm-responsibilities.csv").read_text().splitlines()
    assert rows[0] == "point,q1,q2,q3,most_likely" and len(rows) == 301
    q = np.array([[float(v) for v in r.split(",")[1:4]] for r in rows[1:]])
    np.testing.assert_allclose(q, step.payload["resp"], rtol=1e-6)
    np.testing.assert_allclose(res["responsibilities"], step.payload["resp"], rtol=1e-6, atol=1e-8)
    assert res["loglik"] == step.payload["loglik"] and res["weights"] == step.payload["weights"].tolist()
    par = (tmp_path / "gmm-parameters.csv").read_text().splitlines()
    assert par[0] == "component,weight,mean_x1,mean_x2,cov_1_1,cov_1_2,cov_2_1,cov_2_2" and len(par) == 4
    ll = (tmp_path / "gmm-loglik.csv").read_text().splitlines()
    assert len(ll) == len(w.player.history) + 1
    figs = p.export_figures(tmp_path)
    assert sorted(f.name for f in figs) == ["gmm-em.png", "gmm-em.svg", "gmm-scatter.png", "gmm-scatter.svg"]
    assert all(f.stat().st_size > 1000 for f in figs)


def test_a_component_collapsing_mid_run_is_a_red_message_never_nan(qtbot, window):
    w = window
    p = _plugin(w)
    rng = np.random.default_rng(1)  # the engine test's data: 3 identical points away from a cloud
    X = np.vstack([rng.normal(size=(15, 2)), np.repeat(rng.normal(size=(2, 2)) * 3, 3, axis=0)])
    w.set_dataset(Dataset(X, name="collapse"))
    p.form.set_values({"k": 4, "reg": 0.0, "seed": 1, "init": "random"})
    p.sigRestart.emit()
    qtbot.waitUntil(lambda: len(w.player.history) > 0, timeout=5000)
    w.player.to_end()
    qtbot.waitUntil(lambda: p.em.error.isVisible(), timeout=20000)
    message = p.em.error.text()
    assert "collapsed onto a single point" in message and "increase reg (now 0)" in message
    assert "collapsed onto a single point" in w.algorithm_panel.error.text()
    history = w.player.history
    assert len(history) > 4  # the steps before the collapse stay, to be looked at
    for s in history:
        assert np.isfinite(s.objective)
        assert all(np.all(np.isfinite(a)) for a in s.payload.values() if isinstance(a, np.ndarray))
    w.player.seek(len(history) - 1)
    assert np.all(np.isfinite(p.blend.colors)) and all(np.all(np.isfinite(v)) for v in p.ellipses.points.values())
    assert "nan" not in p.em.moment.text().lower() and "nan" not in p.em.weights.title.text().lower()
    w.player.seek(1)
    assert p.em.error.isVisible()  # still says why the run ended while stepping back
    p.form.set_values({"reg": 1e-3})  # the advice works: the run goes to the end, the message goes away
    p.sigRestart.emit()
    qtbot.waitUntil(lambda: len(w.player.history) > 0, timeout=5000)
    assert not p.em.error.isVisible() and not w.algorithm_panel.error.isVisible()


def test_all_points_equal_and_k_above_the_distinct_points_are_messages(qtbot, window):
    w = window
    p = _plugin(w)
    w.set_dataset(Dataset(np.tile([[1.0, 2.0]], (6, 1)), name="same"))
    p.form.set_values({"k": 2})
    p.sigRestart.emit()
    assert w.player.current is None
    assert "only 1 distinct point(s) but k=2" in w.algorithm_panel.error.text()
    assert "only 1 distinct point(s) but k=2" in p.em.error.text()
    assert p.em.moment.text() == "no run"
    p.form.set_values({"k": 1, "reg": 0.0})
    p.sigRestart.emit()
    qtbot.waitUntil(lambda: "collapsed onto a single point" in p.em.error.text(), timeout=5000)
    assert "lower k" not in p.em.error.text()  # k = 1: only reg helps
    p.form.set_values({"reg": 1e-6})
    p.sigRestart.emit()
    _run_to_end(qtbot, w)
    assert not p.em.error.isVisible()
    assert np.all(np.isfinite(w.player.current.payload["covariances"]))


def _levels16(rgb):
    """What the scatter's symbol mode draws for a colour: each channel rounded to a multiple of 17."""
    return ((np.asarray(rgb, int) + 8) // 17) * 17


def _dimmed(rgb):
    a = 110 / 255.0  # the scatter's dimmed points over its white background
    return np.asarray(rgb, float) * a + 255.0 * (1 - a)


def _uncovered(w, p, candidates, gap=11.0):
    """Points with nothing else drawn within ``gap`` pixels: no other point, ellipse, ghost or mean."""
    def px(P):
        return np.array([[w.scatter.map_to_viewport(*y).x(), w.scatter.map_to_viewport(*y).y()] for y in P], float)
    pts = px(w.scatter.points())
    lines = [px(v) for v in [*p.ellipses.points.values(), *p.ellipses.ghost_points]]
    marks = px(np.column_stack(p.ellipses.means.getData()))
    others = np.vstack(lines + [marks])
    out = []
    for a in candidates:
        d_pts = np.abs(pts - pts[a]).max(axis=1)
        d_pts[a] = np.inf
        if d_pts.min() > gap and np.hypot(*(others - pts[a]).T).min() > gap + 10:
            out.append(int(a))
    return out


def test_blend_respects_hidden_legend_clusters_and_the_highlight(qtbot, window):
    w = window
    p = _exercise6(qtbot, w)
    w.player.seek(5)
    labels = np.asarray(w.player.current.labels)
    Y = w.scatter.points()
    i, far = _uncovered(w, p, np.flatnonzero(labels == 0))[:2]
    j = _uncovered(w, p, np.flatnonzero(labels == 1))[0]
    for a in (i, far, j):
        np.testing.assert_allclose(p.blend.pixel_color(a)[:3], _levels16(p.blend.colors[a, :3]), atol=2)
    # hide component 2 by clicking its legend entry, as a person would: its points go, the others stay blended
    sample, label = w.scatter.legend.items[1]
    assert label.text == "cluster 2"
    pos = w.scatter.plot.mapFromScene(sample.mapToScene(sample.boundingRect().center()))
    qtbot.mouseClick(w.scatter.plot.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    np.testing.assert_array_equal(p.blend.pixel_color(j)[:3], [255, 255, 255])  # gone: the white background
    np.testing.assert_allclose(p.blend.pixel_color(i)[:3], _levels16(p.blend.colors[i, :3]), atol=2)
    # a click on a point: it keeps its blended colour, another point is dimmed as the scatter dims its points
    qtbot.mouseClick(w.scatter.plot.viewport(), Qt.MouseButton.LeftButton, pos=w.scatter.map_to_viewport(*Y[i]))
    assert p.selected == i and w.scatter.highlighted().tolist() == [i]
    np.testing.assert_allclose(p.blend.pixel_color(i)[:3], _levels16(p.blend.colors[i, :3]), atol=2)
    np.testing.assert_allclose(p.blend.pixel_color(far)[:3], _dimmed(_levels16(p.blend.colors[far, :3])), atol=3)
    # showing the cluster again draws its points in their blend (dimmed while the highlight lasts)
    qtbot.mouseClick(w.scatter.plot.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    w.scatter.highlight(None)
    np.testing.assert_allclose(p.blend.pixel_color(j)[:3], _levels16(p.blend.colors[j, :3]), atol=2)


def test_switching_algorithm_gives_the_scatter_its_label_colours_back(qtbot, window):
    w = window
    p = _exercise6(qtbot, w)
    assert w.scatter.colors() is not None
    w.set_algorithm(next(i for i, q in enumerate(w.plugins) if q.algorithm.name == "kmeans"))
    assert w.scatter.colors() is None
    w.set_algorithm(w.plugins.index(p))
    _run_to_end(qtbot, w)
    np.testing.assert_array_equal(w.scatter.colors(), p.blend.colors)


def _drag(qtbot, widget, start, end, n=8):
    """A real left-button drag (press, moves with the button held, release) on ``widget``."""
    from PySide6.QtCore import QEvent, QPoint
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    def send(kind, pos, button, buttons):
        pos = QPointF(pos)
        ev = QMouseEvent(kind, pos, QPointF(widget.mapToGlobal(pos.toPoint())), button, buttons,
                         Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(widget, ev)

    L, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    send(QEvent.Type.MouseButtonPress, start, L, L)
    for t in np.linspace(0, 1, n):
        send(QEvent.Type.MouseMove, QPoint(round(start.x() + t * (end.x() - start.x())),
                                           round(start.y() + t * (end.y() - start.y()))), none, L)
        qtbot.wait(10)
    send(QEvent.Type.MouseButtonRelease, end, L, none)


def test_placing_and_dragging_means_with_the_mouse(qtbot, window):
    from PySide6.QtCore import QPoint
    w = window
    p = _plugin(w)
    w.set_dataset(edata.generate("elongated", n=200, seed=3))
    p.form.set_values({"k": 2, "seed": 1})
    qtbot.mouseClick(p.use_placed, Qt.MouseButton.LeftButton, pos=QPoint(8, p.use_placed.height() // 2))
    assert p.use_placed.isChecked() and p.place_button.isChecked()
    vb = w.scatter.plot_item.getViewBox()
    (x0, x1), (y0, y1) = vb.viewRange()
    for fx, fy in ((0.3, 0.4), (0.7, 0.6)):
        qtbot.mouseClick(w.scatter.plot.viewport(), Qt.MouseButton.LeftButton,
                         pos=w.scatter.map_to_viewport(x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)))
    qtbot.waitUntil(lambda: len(w.player.history) > 0, timeout=5000)
    before = p.placed.positions()
    start = w.scatter.map_to_viewport(*before[1])
    _drag(qtbot, w.scatter.plot.viewport(), start, start + QPoint(50, 30))
    after = p.placed.positions()
    px, py = vb.viewPixelSize()
    np.testing.assert_allclose(after[1], before[1] + [50 * px, -30 * py], atol=3 * max(px, py))
    np.testing.assert_array_equal(after[0], before[0])
    qtbot.waitUntil(lambda: len(w.player.history) > 0
                    and np.allclose(w.player.history[0].payload["means"][1], after[1]), timeout=5000)
    assert p.placed.count == 2  # the drag did not place a third mean
