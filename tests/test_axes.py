"""Choosing the axes for data with more than two features: any two features, or the first two principal components.

The scatter, its axis titles, the data panel and every overlay (K-means centres) follow the choice; the run does
not restart; feature names are used in the axis titles and the exported centres CSV.
"""
import csv

import numpy as np
import pytest

from engine import data as edata
from engine.data import DataError

from helpers import open_via_dialog, wait_run

NAMES = ["sepal length", "sepal width", "petal length", "petal width"]


@pytest.fixture
def four_features(tmp_path):
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(c, 0.3, (15, 4)) for c in (0.0, 3.0, 6.0)])
    X[:, 1] *= 0.1  # the feature order matters: PCA would not pick this one
    path = tmp_path / "four.csv"
    path.write_text(",".join(NAMES) + "\n" + "\n".join(",".join(f"{v:.6f}" for v in row) for row in X) + "\n")
    return path, np.round(X, 6)


def test_feature_axes_maps_points_and_centres_alike():
    X = np.arange(12.0).reshape(3, 4)
    Y, info = edata.feature_axes(X, 3, 1, names=NAMES)
    np.testing.assert_allclose(Y, X[:, [3, 1]], rtol=0, atol=0)
    np.testing.assert_allclose(info.project(X[:2]), X[:2][:, [3, 1]], rtol=0, atol=0)
    assert info.method == "features" and "petal width (x)" in info.message and "sepal width (y)" in info.message
    with pytest.raises(DataError, match="feature 5 does not exist: the data have 4 features"):
        edata.feature_axes(X, 4, 0)


def test_choose_two_features_then_principal_components(qtbot, open_window, monkeypatch, four_features):
    path, X = four_features
    w = open_window("kmeans", size=(1300, 850))
    open_via_dialog(qtbot, w, monkeypatch, path)
    wait_run(qtbot, w)
    w.player.to_end()
    qtbot.waitUntil(lambda: w.player.at_end, timeout=10_000)
    panel = w.data_panel
    assert panel.axis_x.isVisible() and panel.axis_y.isVisible()
    assert [panel.axis_x.itemText(i) for i in range(panel.axis_x.count())][1:] == NAMES
    assert panel.axis_x.currentIndex() == 0 and w.axes is None  # principal components by default
    pca_Y = w.scatter.points().copy()
    run_steps = list(w.player.history)

    # the person picks "petal length" for x: y becomes a feature too, the plane changes, the run stays
    panel.axis_x.setCurrentIndex(3)
    panel.axis_x.activated.emit(3)
    assert w.axes is not None and w.axes[0] == 2 and w.axes[1] != 2
    i, j = w.axes
    np.testing.assert_allclose(w.scatter.points(), X[:, [i, j]], rtol=1e-12)
    left, bottom = (w.scatter.plot_item.getAxis(s).labelText for s in ("left", "bottom"))
    assert (bottom, left) == (NAMES[i], NAMES[j])
    assert NAMES[i] in panel.projection.text()
    assert list(w.player.history) == run_steps  # not restarted
    step = w.player.current
    np.testing.assert_allclose(w.project(step.centers), step.centers[:, [i, j]], rtol=1e-12)

    # the y chooser alone
    panel.axis_y.setCurrentIndex(4)
    panel.axis_y.activated.emit(4)
    assert w.axes == (2, 3)
    np.testing.assert_allclose(w.scatter.points(), X[:, [2, 3]], rtol=1e-12)

    # back to the principal components: both choosers say so, the plane is the PCA plane again
    panel.axis_y.setCurrentIndex(0)
    panel.axis_y.activated.emit(0)
    assert w.axes is None and panel.axis_x.currentIndex() == 0
    np.testing.assert_allclose(w.scatter.points(), pca_Y, rtol=1e-12, atol=1e-12)
    assert w.scatter.plot_item.getAxis("bottom").labelText.startswith("PC1")


def test_centres_csv_uses_feature_names(qtbot, open_window, monkeypatch, four_features, tmp_path):
    from gui.algorithms.kmeans.extras import export_results

    path, _ = four_features
    w = open_window("kmeans")
    open_via_dialog(qtbot, w, monkeypatch, path)
    wait_run(qtbot, w)
    w.player.to_end()
    qtbot.waitUntil(lambda: w.player.at_end, timeout=10_000)
    (tmp_path / "out").mkdir()
    written = export_results(w.plugin, tmp_path / "out")
    centres = next(p for p in written if p.name.endswith("-centers.csv"))
    with open(centres, newline="") as f:
        assert next(csv.reader(f)) == ["cluster"] + NAMES


def test_two_feature_data_use_their_names_and_hide_the_choosers(qtbot, open_window, monkeypatch, tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("height,weight\n1,2\n2,3\n5,5\n6,7\n")
    w = open_window("kmeans")
    open_via_dialog(qtbot, w, monkeypatch, path)
    assert not w.data_panel.axis_x.isVisible()
    assert w.scatter.plot_item.getAxis("bottom").labelText == "height"
    assert w.scatter.plot_item.getAxis("left").labelText == "weight"
