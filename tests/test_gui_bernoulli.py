"""The Bernoulli-mixture EM plugin in the real main window: θ tiles, K-means comparison, chosen image."""
import json

import numpy as np
import pytest
from PySide6.QtCore import Qt

import engine.bernoulli as eb
import engine.kmeans as ekm
from engine import data as edata
from engine.data import Dataset
from gui.widgets import palette
from gui.algorithms.bernoulli.plugin import BernoulliPlugin, load_exercise

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def window(open_window):
    return open_window(BernoulliPlugin, startup="")


def _plugin(w) -> BernoulliPlugin:
    assert isinstance(w.plugin, BernoulliPlugin)
    return w.plugin


def _run_to_end(qtbot, w, timeout=30000):
    qtbot.waitUntil(lambda: len(w.player.history) > 0, timeout=10000)
    w.player.to_end()
    qtbot.waitUntil(lambda: w.player.at_end, timeout=timeout)


def _brute_resp(X, weights, theta):
    """γ_nk by the definition, one point and one component at a time (log space)."""
    n, k = X.shape[0], theta.shape[0]
    out = np.empty((n, k))
    for i in range(n):
        logs = np.array([np.log(weights[j]) + np.sum(X[i] * np.log(theta[j]) + (1 - X[i]) * np.log(1 - theta[j]))
                         for j in range(k)])
        logs -= logs.max()
        out[i] = np.exp(logs) / np.exp(logs).sum()
    return out


@pytest.fixture
def mnist300(qtbot, window):
    w = window
    p = _plugin(w)
    p.form.set_values({"k": 4, "seed": 0, "init": "random", "max_iter": 6})
    w.set_dataset(edata.mnist(300))
    _run_to_end(qtbot, w)
    return w, p


@pytest.mark.slow
def test_theta_tiles_show_theta_at_every_step(qtbot, mnist300):
    w, p = mnist300
    w.tabs.setCurrentWidget(p.theta_view)
    Xb = (w.dataset.X > 0.5).astype(float)
    np.testing.assert_array_equal(p._Xb, Xb)  # the run works on the data binarized at 0.5
    for i in (0, 3, len(w.player.history) - 1):
        w.player.seek(i)
        theta = w.player.current.payload["probs"]
        assert p.theta_view.theta.n_tiles == 4
        for j in range(4):
            np.testing.assert_array_equal(p.theta_view.theta.tile(j), np.rint(theta[j] * 255).reshape(28, 28))
        caps = p.theta_view.theta.captions
        assert palette.hex_color(0) in caps[0] and f"π={w.player.current.payload['weights'][0]:.3f}" in caps[0]
    assert "0.5" in p.binary_note.text() and "binarized" in p.binary_note.text()


@pytest.mark.slow
def test_kmeans_comparison_row(qtbot, mnist300):
    w, p = mnist300
    qtbot.waitUntil(lambda: p.theta_view.kmeans.n_tiles == 4, timeout=20000)
    fit = ekm.fit((w.dataset.X > 0.5).astype(float), 4, seed=0)
    theta = w.player.current.payload["probs"]
    order = eb.match_centres(theta, fit.centers)
    assert sorted(order.tolist()) == [0, 1, 2, 3]
    for j in range(4):
        np.testing.assert_array_equal(p.theta_view.kmeans.tile(j),
                                      np.clip(np.rint(fit.centers[order[j]] * 255), 0, 255).reshape(28, 28))
    # each K-means centre sits under the θ the greedy closest-pairs-first match gives it (brute force)
    D = ((theta[:, None, :] - fit.centers[None, :, :]) ** 2).sum(-1)
    want, used = [-1] * 4, set()
    for _, i, j in sorted((D[i, j], i, j) for i in range(4) for j in range(4)):
        if want[i] < 0 and j not in used:
            want[i] = j
            used.add(j)
    assert order.tolist() == want
    i, j = np.unravel_index(D.argmin(), D.shape)
    assert order[i] == j  # the closest pair of all is always side by side
    assert "K-means centres" in p.theta_view.titles["kmeans"].text()


@pytest.mark.slow
def test_chosen_image_shows_its_responsibilities(qtbot, mnist300):
    w, p = mnist300
    w.player.seek(3)  # an E-step
    step = w.player.current
    assert step.kind == "E"
    p.theta_view.image_box.setValue(17)
    assert p.selected == 17
    assert w.scatter.highlighted().tolist() == [17]
    pay = step.payload
    expected = _brute_resp((w.dataset.X[17:18] > 0.5).astype(float), pay["weights"], pay["probs"])[0]
    np.testing.assert_allclose(p.theta_view.resp.values, expected, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(p.em.resp.values, expected, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(p.theta_view.chosen.tile(1), ((w.dataset.X[17] > 0.5) * 255).reshape(28, 28))
    assert p.theta_view.chosen.captions[0].startswith("#17, label ")
    # clicking a point in the scatter chooses that image
    Y = w.scatter.points()
    i = int(np.argmax(Y[:, 0]))  # the right-most point: nothing else under the mouse
    qtbot.mouseClick(w.scatter.plot.viewport(), Qt.MouseButton.LeftButton, pos=w.scatter.map_to_viewport(*Y[i]))
    assert p.selected == i and p.theta_view.image_box.value() == i


@pytest.mark.slow
def test_blend_and_big_data_responsibilities(qtbot, mnist300):
    w, p = mnist300
    w.player.seek(4)  # an M-step: the colours of the E-step before it
    pay = w.player.history[3].payload
    Xb = (w.dataset.X > 0.5).astype(float)
    from engine.bernoulli import responsibilities as bernoulli_resp
    q = _brute_resp(Xb[:5], pay["weights"], pay["probs"])
    np.testing.assert_allclose(bernoulli_resp(Xb[:5], pay["weights"], pay["probs"]), q, rtol=1e-9, atol=1e-12)
    table = np.array([[int(palette.hex_color(j)[a:a + 2], 16) for a in (1, 3, 5)] for j in range(4)], float)
    np.testing.assert_allclose(p.blend.colors[:5, :3].astype(float), q @ table, atol=1.0)
    p._resp_cache = {}
    got = p.compute_resp(Xb, pay)
    np.testing.assert_allclose(got, w.player.history[3].payload["resp"], atol=1e-6)


def test_binary_data_without_images_hide_the_tiles(qtbot, window):
    w = window
    p = _plugin(w)
    rng = np.random.default_rng(1)
    proto = np.array([[1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1]], float)
    X = (rng.random((60, 6)) < np.where(proto[rng.integers(0, 2, 60)] > 0, 0.9, 0.1)).astype(float)
    p.form.set_values({"k": 2, "seed": 0})
    w.set_dataset(Dataset(X, name="binary"))
    _run_to_end(qtbot, w)
    assert w.player.current.converged
    assert p.theta_view.message.isVisibleTo(p.theta_view) and not p.theta_view.split.isVisibleTo(p.theta_view)
    assert "no image shape" in p.theta_view.message.text()
    assert "already 0 and 1" in p.binary_note.text()
    assert p.marks.means.getData()[0].size == 2  # θ_k marked in the scatter
    assert p.em.objective.check.text().startswith("✓ never decreased")


def test_threshold_control_binarizes_the_data(qtbot, window):
    w = window
    p = _plugin(w)
    rng = np.random.default_rng(2)
    X = rng.random((50, 4))
    p.form.set_values({"k": 2, "seed": 0, "max_iter": 3})
    w.set_dataset(Dataset(X, name="grey"))
    qtbot.waitUntil(lambda: len(w.player.history) > 0, timeout=5000)
    p.threshold.setValue(0.7)
    qtbot.waitUntil(lambda: len(w.player.history) > 0, timeout=5000)
    np.testing.assert_array_equal(p._Xb, (X > 0.7).astype(float))
    assert "binarized at 0.7" in p.binary_note.text()


@pytest.mark.slow
def test_export_results_and_figures(qtbot, mnist300, tmp_path):
    w, p = mnist300
    paths = p.export_results(tmp_path)
    assert sorted(x.name for x in paths) == ["bernoulli-loglik.csv", "bernoulli-responsibilities.csv",
                                             "bernoulli-theta.csv", "bernoulli-weights.csv", "bernoulli.json"]
    res = json.loads((tmp_path / "bernoulli.json").read_text())
    np.testing.assert_allclose(res["theta"], w.player.current.payload["probs"])
    assert res["threshold"] == 0.5 and res["image_shape"] == [28, 28]
    theta = (tmp_path / "bernoulli-theta.csv").read_text().splitlines()
    assert len(theta) == 5 and len(theta[1].split(",")) == 785
    figs = p.export_figures(tmp_path)
    assert sorted(f.name for f in figs) == ["bernoulli-em.png", "bernoulli-em.svg", "bernoulli-scatter.png",
                                            "bernoulli-scatter.svg", "bernoulli-theta-images.png",
                                            "bernoulli-theta-images.svg"]
    assert all(f.stat().st_size > 1000 for f in figs)


@pytest.mark.slow
def test_exercise5_button(qtbot, window):
    w = window
    p = _plugin(w)
    p.exercise_buttons["exercise5"].click()
    qtbot.waitUntil(lambda: w.dataset is not None and w.dataset.n == 6000, timeout=30000)
    qtbot.waitUntil(lambda: len(w.player.history) > 0, timeout=10000)
    values = p.form.values()
    assert values["k"] == 10 and values["fixed_weights"] is True and values["alpha"] == 0 and values["seed"] == 3
    assert p.form.widgets["fixed_weights"].isVisibleTo(w)
    for i in range(1, 5):
        w.player.forward()
        qtbot.waitUntil(lambda: w.player.index == i, timeout=20000)
    step = w.player.current
    np.testing.assert_allclose(step.payload["weights"], np.full(10, 0.1))
    assert p.banner.text == f"Step {w.player.index + 1} · M-step of iteration 2: θ (weights fixed)"
    assert p.theta_view.theta.n_tiles == 10
    assert p.blend.raster and p.blend.colors.shape == (6000, 4)
    qtbot.waitUntil(lambda: p.theta_view.kmeans.n_tiles == 10, timeout=30000)
