"""The spectral clustering plugin in the real main window, driven as a person would."""
import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QLabel
from sklearn.metrics import adjusted_rand_score

import layout_checks
from engine import data as edata
from gui.algorithms.spectral.plugin import SpectralPlugin

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def window(open_window):
    """A window on K-means with two rings loaded; the test chooses spectral clustering in the panel."""
    w = open_window("kmeans", startup="")
    w.set_dataset(edata.generate("rings", n=200, seed=0))
    return w


def choose_spectral(qtbot, w) -> SpectralPlugin:
    combo = w.findChild(QComboBox, "algorithm")
    combo.setCurrentIndex(combo.findText("Spectral clustering"))
    assert isinstance(w.plugin, SpectralPlugin)
    titles = [w.tabs.tabText(i) for i in range(w.tabs.count())]
    assert titles[:2] == ["Embedding", "Objective"]
    return w.plugin


def run_to_end(qtbot, w):
    qtbot.waitUntil(lambda: len(w.player.history) > 0, timeout=10000)
    w.player.to_end()
    qtbot.waitUntil(lambda: w.player.at_end and w.player.current is not None and w.player.current.done,
                    timeout=30000)


def shown_points(view) -> np.ndarray:
    x, y = view.points.getData()
    return np.column_stack([x, y])


def brush_hex(view) -> list:
    return [spot.brush().color().name().upper() for spot in view.points.points()]


def test_choose_spectral_run_to_end_and_the_embedding_follows_the_timeline(qtbot, window):
    w = window
    p = choose_spectral(qtbot, w)
    run_to_end(qtbot, w)
    history = w.player.history
    assert [s.kind for s in history[:2]] == ["affinity", "embed"]
    labels = w.player.current.labels
    assert adjusted_rand_score(w.dataset.labels, labels) == pytest.approx(1.0)
    view = p.embedding
    # the graph step: no embedding yet, the view says when it comes, the edges are on the scatter
    w.player.seek(0)
    assert shown_points(view).shape[0] == 0 and "next step" in view.note.text()
    assert p.edges.segments() == len(history[0].payload["edges"]) > 0
    # the embedding step: every point, grey (no cluster yet), at its first two coordinates
    w.player.seek(1)
    T = history[1].payload["embedding"]
    np.testing.assert_allclose(shown_points(view), T[:, :2], rtol=0, atol=1e-12)
    assert set(brush_hex(view)) == {"#BBBBBB"}
    assert "step 2" in view.note.text()
    # the last step: coloured like the scatter, cluster by cluster, with the centres in the embedding
    w.player.to_end()
    qtbot.waitUntil(lambda: w.player.at_end)
    got = brush_hex(view)
    for j in np.unique(labels):
        want = w.scatter.cluster_hex(int(j)).upper()
        assert {got[i] for i in np.flatnonzero(labels == j)} == {want}
    C = w.player.current.payload["embedding_centers"]
    cx, cy = view.centre_items.getData()
    np.testing.assert_allclose(np.column_stack([cx, cy]), C[:, :2], rtol=0, atol=1e-12)
    legend = [item[1].text for item in view.legend.items]
    assert legend == [w.scatter.cluster_name(j) for j in range(2)]


def test_change_the_coordinates_and_k(qtbot, window):
    w = window
    p = choose_spectral(qtbot, w)
    k_box = p.form.widgets["k"]
    k_box.setValue(3)  # a new run with three eigenvectors
    run_to_end(qtbot, w)
    view = p.embedding
    assert view.x_box.count() == 3 and view.x_box.itemText(2).startswith("eigenvector 3")
    T = w.player.current.payload["embedding"]
    view.x_box.setCurrentIndex(2)
    view.y_box.setCurrentIndex(0)
    np.testing.assert_allclose(shown_points(view), T[:, [2, 0]], rtol=0, atol=1e-12)
    assert view.coordinates == (2, 0)
    assert "eigenvector 3" in view.plot.getPlotItem().getAxis("bottom").labelText
    # the chosen coordinates stay while the person steps back and forth
    w.player.seek(1)
    w.player.to_end()
    qtbot.waitUntil(lambda: w.player.at_end)
    assert view.coordinates == (2, 0)
    np.testing.assert_allclose(shown_points(view), T[:, [2, 0]], rtol=0, atol=1e-12)


def test_edges_checkbox_and_the_affinity_rows(qtbot, window):
    w = window
    p = choose_spectral(qtbot, w)
    run_to_end(qtbot, w)
    w.player.seek(0)
    box = w.findChild(QCheckBox, "spectral_show_edges")
    assert p.edges.segments() > 0
    box.setChecked(False)
    assert p.edges.segments() == 0
    box.setChecked(True)
    assert p.edges.segments() > 0
    # γ shows for the RBF affinity only, the number of neighbours for knn only
    gamma, neighbours = p.form.widgets["gamma"], p.form.widgets["n_neighbors"]
    assert gamma.isVisible() and not neighbours.isVisible()
    assert "RBF" in w.player.history[0].description
    affinity = w.findChild(QComboBox, "param_affinity")
    affinity.setCurrentIndex(affinity.findData("knn"))
    assert neighbours.isVisible() and not gamma.isVisible()
    run_to_end(qtbot, w)
    assert "10-nearest-neighbour graph" in w.player.history[0].description
    note = w.findChild(QLabel, "spectral_step_note")
    assert "K-means in the embedding" in note.text()


def test_a_gamma_too_large_is_said_in_the_panel(qtbot, window):
    w = window
    p = choose_spectral(qtbot, w)
    run_to_end(qtbot, w)
    p.form.widgets["gamma"].setValue(1e6)
    error = w.findChild(QLabel, "algorithm_error")
    qtbot.waitUntil(lambda: "gamma" in error.text(), timeout=20000)
    assert "too large" in error.text()


def test_clicking_a_point_of_the_embedding_rings_it_on_the_scatter(qtbot, window):
    w = window
    p = choose_spectral(qtbot, w)
    run_to_end(qtbot, w)
    w.tabs.setCurrentWidget(p.embedding)
    view = p.embedding
    qtbot.waitExposed(view.plot)
    i = 17
    x, y = shown_points(view)[i]
    scene = view.plot.getPlotItem().getViewBox().mapViewToScene(QPointF(x, y))
    pos = view.plot.mapFromScene(scene)
    qtbot.mouseClick(view.plot.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    hl = w.scatter.highlighted()
    assert hl is not None and hl.size == 1
    j = int(hl[0])
    # the embedding gathers each ring near one spot: the ringed point is one under the click
    np.testing.assert_allclose(shown_points(view)[j], [x, y], atol=0.02)
    assert w.player.current.labels[j] == w.player.current.labels[i]


def _embeddings_side_by_side(qtbot, w, size, k=None):
    """View > Side by side with spectral clustering in both panes (``k`` clusters), the window resized to ``size``,
    both run to the end and showing their embedding; returns the right pane."""
    w.menus.actions["side_by_side"].trigger()
    pane = w.side_by_side.pane
    qtbot.waitUntil(lambda: pane.player.current is not None, timeout=10000)
    pane.algorithm_panel.combo.setCurrentIndex(pane.plugins.names().index("spectral"))
    if k is not None:
        for win in (w, pane):
            win.plugin.form.widgets["k"].setValue(k)
    w.resize(*size)
    for win in (w, pane):
        run_to_end(qtbot, win)
        win.tabs.setCurrentWidget(win.plugin.embedding)
    QApplication.processEvents()
    for win in (w, pane):
        qtbot.waitUntil(win.plugin.embedding.isVisible, timeout=3000)
    return pane


@pytest.mark.parametrize("size,one_row", [((800, 600), False), ((1920, 1080), True)])
def test_side_by_side_coordinate_boxes_are_never_cut(qtbot, open_window, size, one_row):
    """View > Side by side (F7) at the window's smallest size: each pane's embedding is narrow, so its X and Y
    boxes go one under the other, whole; on a wide screen they sit side by side."""
    w = open_window("spectral", size=size, startup="")
    w.set_dataset(edata.generate("moons", n=150, seed=0, noise=0.05))
    pane = _embeddings_side_by_side(qtbot, w, size)  # the window as small as it allows (or the large screen)
    for win in (w, pane):
        view = win.plugin.embedding
        assert view.one_row is one_row
        for box in (view.x_box, view.y_box):
            assert box.width() >= box.sizeHint().width() and not layout_checks.elided(box), box.currentText()
            assert view.rect().contains(box.geometry()), "the box lies within its view"
        assert layout_checks.check_widgets(view, w, f"{size} embedding") == []


def ten_clusters_embedding(shown, size):
    """An embedding view alone, ``size`` = (width, height), showing 100 points in ten clusters."""
    from gui.algorithms.spectral.embedding import EmbeddingView
    rng = np.random.default_rng(0)
    view = shown(EmbeddingView(), size)
    angles = np.repeat(np.linspace(0.0, 2 * np.pi, 10, endpoint=False), 10) + rng.normal(0, 0.05, 100)
    T = np.column_stack([np.cos(angles), np.sin(angles), np.zeros(100)])  # rows of length 1, as spectral's
    view.show_embedding(T, np.repeat(np.arange(10), 10), None, None, "ten clusters")
    QApplication.processEvents()
    return view


@pytest.mark.parametrize("size,columns", [((420, 620), 1), ((420, 240), 2), ((420, 190), 0)])
def test_the_legend_of_ten_clusters_fits_beside_the_plot(qtbot, shown, size, columns):
    """Ten clusters in a short plot: the legend takes as many columns as the plot's height needs, beside the
    points (never over them, never cut by the plot's edge); a plot too small even so leaves it out and says so."""
    view = ten_clusters_embedding(shown, size)
    legend, vb = view.legend, view.plot.getPlotItem().getViewBox()
    assert len(legend.items) == 10
    if columns:
        assert legend.isVisible() and legend.columnCount == columns and view.plot.toolTip() == ""
        box, area = legend.sceneBoundingRect(), vb.sceneBoundingRect()
        assert box.left() >= area.right() - 1 and box.top() >= area.top() - 1 and box.bottom() <= area.bottom() + 1
        assert box.right() <= view.plot.getPlotItem().sceneBoundingRect().right() + 1
    else:
        assert not legend.isVisible() and "legend is left out" in view.plot.toolTip()
    assert layout_checks.check_window(view, view, f"embedding {size}") == []
    view.resize(420, 620)  # taller again: one column, shown
    QApplication.processEvents()
    assert legend.isVisible() and legend.columnCount == 1 and view.plot.toolTip() == ""
    assert layout_checks.check_window(view, view, "embedding 420x620") == []


def test_side_by_side_ten_clusters_at_the_least_size_cut_no_text(qtbot, open_window):
    """View > Side by side at the window's least size with K = 10: the short embedding of each pane shows no
    legend cut by its plot's edge (#12)."""
    w = open_window("spectral", size=(800, 600), startup="")
    w.set_dataset(edata.generate("blobs", n=150, seed=0, k=10, std=0.5))
    pane = _embeddings_side_by_side(qtbot, w, (800, 600), k=10)
    for win in (w, pane):
        view = win.plugin.embedding
        assert len(view.legend.items) == 10
        assert layout_checks.check_window(view, w, f"{w.width()}x{w.height()} embedding") == []
