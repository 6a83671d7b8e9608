"""The Scores tab on image data: a contingency cell shows its points' images; a thumbnail rings its point."""
import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

import engine
from engine.data.dataset import Dataset
from gui.views import scores_images

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def tiny_images(n=60, seed=0):
    """``n`` 4 x 4 images of three classes (a bright row, column or diagonal, plus noise)."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 3
    base = np.zeros((3, 4, 4))
    base[0, 1, :] = 1.0
    base[1, :, 2] = 1.0
    base[2] = np.eye(4)
    X = base[labels].reshape(n, 16) + 0.15 * rng.random((n, 16))
    return Dataset(X, labels=labels, image_shape=(4, 4), name="tiny digits")


def scores_tab(qtbot, w):
    view = next(v for v in w.common_views if v.title == "Scores")
    w.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: view.isVisible() and not view._task.busy and view._result is not None, timeout=30_000)
    return view


def run_kmeans(qtbot, w, k):
    p = w.plugin
    p.form.set_values({"k": k, "seed": 3})
    w.restart_run()
    qtbot.waitUntil(lambda: len(w.player.history) > 0, timeout=5000)
    w.player.to_end()
    qtbot.waitUntil(lambda: w.player.at_end, timeout=20000)


def click_cell(qtbot, view, cluster, label):
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=view.table.cell_centre(cluster, label))


def test_a_cell_shows_its_images_and_a_thumbnail_rings_its_point(qtbot, open_window):
    w = open_window("kmeans", size=(1300, 850), startup="")
    ds = tiny_images()
    w.set_dataset(ds)
    run_kmeans(qtbot, w, 3)
    view = scores_tab(qtbot, w)
    assert view.images.isHidden()  # nothing chosen yet
    lab = np.asarray(w.player.current.labels)
    c = engine.contingency(ds.labels, lab)
    i, j = np.unravel_index(np.argmax(c.table), c.table.shape)
    cluster, label = int(c.clusters[i]), int(c.classes[j])
    click_cell(qtbot, view, cluster, label)
    want = np.flatnonzero((lab == cluster) & (ds.labels == label))
    assert want.size == 20
    strip = view.images
    qtbot.waitUntil(strip.isVisible, timeout=2000)
    assert strip.tiles.n_tiles == want.size and strip.indices.tolist() == want.tolist()
    assert strip.tiles.captions == [f"#{k + 1}" for k in want]
    assert w.scatter.highlighted().tolist() == want.tolist()  # the cell's points light up
    # each thumbnail is its point's image (the data's own values, scaled as drawn)
    lo, hi = float(ds.X.min()), float(ds.X.max())
    for t, k in ((0, want[0]), (want.size - 1, want[-1])):
        np.testing.assert_array_equal(strip.tiles.tile(t), np.clip(np.rint((ds.X[k].reshape(4, 4) - lo)
                                                                           * 255.0 / (hi - lo)), 0, 255))
    assert f"all {want.size} point(s)" in strip.title.text()
    # click the third thumbnail: its point is ringed on the scatter and its silhouette bar marked
    t = 2
    r, col = strip.tiles._origins[t]
    vb = strip.tiles.vb
    pos = strip.tiles.plot.mapFromScene(vb.mapViewToScene(QPointF(col + 2.0, r + 2.0)))
    qtbot.mouseClick(strip.tiles.plot.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert w.scatter.highlighted().tolist() == [int(want[t])]
    assert view.plot.highlighted().tolist() == [int(want[t])]
    assert strip.chosen == int(want[t]) and f"point {want[t] + 1}" in w.statusBar().currentMessage()


def test_a_large_cell_shows_at_most_24_images_and_another_step_clears_them(qtbot, open_window):
    w = open_window("kmeans", size=(1300, 850), startup="")
    ds = tiny_images(90, seed=1)
    w.set_dataset(ds)
    run_kmeans(qtbot, w, 2)  # two clusters for three classes: some cell holds 30 or more points
    view = scores_tab(qtbot, w)
    lab = np.asarray(w.player.current.labels)
    c = engine.contingency(ds.labels, lab)
    i, j = np.unravel_index(np.argmax(c.table), c.table.shape)
    assert c.table[i, j] > scores_images.MAX_IMAGES
    click_cell(qtbot, view, int(c.clusters[i]), int(c.classes[j]))
    want = np.flatnonzero((lab == c.clusters[i]) & (ds.labels == c.classes[j]))
    strip = view.images
    assert strip.tiles.n_tiles == scores_images.MAX_IMAGES and strip.total == want.size
    assert strip.indices.tolist() == want[:scores_images.MAX_IMAGES].tolist()
    assert f"the first {scores_images.MAX_IMAGES} of {want.size}" in strip.title.text()
    assert w.scatter.highlighted().tolist() == want.tolist()  # every point of the cell lights up
    qtbot.mouseClick(w.timeline.start_button, Qt.MouseButton.LeftButton)  # the first step: other labels
    qtbot.waitUntil(lambda: not view._stale, timeout=10_000)
    assert strip.isHidden() and strip.tiles.n_tiles == 0


def test_data_that_are_not_images_show_no_thumbnails(qtbot, open_window):
    w = open_window("kmeans", size=(1300, 850), startup="")
    from engine import data as edata
    w.set_dataset(edata.generate("blobs", n=90, seed=2, k=3))
    run_kmeans(qtbot, w, 3)
    view = scores_tab(qtbot, w)
    lab = np.asarray(w.player.current.labels)
    c = engine.contingency(w.dataset.labels, lab)
    i, j = np.unravel_index(np.argmax(c.table), c.table.shape)
    click_cell(qtbot, view, int(c.clusters[i]), int(c.classes[j]))
    assert w.scatter.highlighted().size == c.table[i, j] and view.images.isHidden()
