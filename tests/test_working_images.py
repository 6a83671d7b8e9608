"""Vectors of a step's working as images: the engine gives θ_k and the centres of many-feature runs
(``Working.images``), the Working view draws them as tiles under their table for image data (MNIST), captioned
with the window's cluster names and framed in the cluster colours; the per-point mixture helpers live in
engine.mixture.working only."""
import numpy as np
import pytest

from engine import bernoulli, gmm, kmeans
from engine.core.working import Images, Table, images_of
from engine.bernoulli.working import working as bernoulli_working
from engine.gmm.working import working as gmm_working
from engine.kmeans.working import working as kmeans_working
from engine.mixture import working as mixture_working


def binary_images(n=40, side=4, seed=0):
    """``n`` random 0/1 "images" of side x side pixels in two groups (the left or the right half inked)."""
    rng = np.random.default_rng(seed)
    X = (rng.random((n, side * side)) < 0.1).astype(float)
    half = np.zeros((side, side))
    half[:, : side // 2] = 1
    X[: n // 2] = np.maximum(X[: n // 2], half.ravel())
    X[n // 2:] = np.maximum(X[n // 2:], half[:, ::-1].ravel())
    return X


def test_images_of_takes_the_tables_row_names():
    t = Table("θ", "", ["c1", "c2", "Σ"], ["mean"], [[0.5], [0.25], [0.75]])
    (im,) = images_of(t, np.ones((2, 16)), (0, 1))
    assert isinstance(im, Images) and im.table == "θ" and tuple(im.names) == ("c1", "c2")
    assert im.values.shape == (2, 16) and im.levels == (0.0, 1.0)


def test_bernoulli_m_step_gives_theta_as_images_with_many_features():
    X = binary_images()
    run = list(bernoulli.steps(X, 2, seed=0, max_iter=2))
    kinds = [s.kind for s in run]
    m = kinds.index("M")
    w = bernoulli_working(X, run, m, {})
    (im,) = w.images
    assert im.table == w.tables[1].title == "Pixel probabilities θ_k" and tuple(im.names) == ("c1", "c2")
    assert im.levels == pytest.approx((0.0, 1.0), abs=1e-12)
    np.testing.assert_allclose(im.values, run[m].payload["probs"], rtol=1e-9)
    assert bernoulli_working(X, run, kinds.index("E"), {}).images == ()  # an E-step has no θ to draw
    assert bernoulli_working(X, run, 0, {}).images[0].values.shape == (2, 16)  # the starting θ too
    few = X[:, :8]  # 8 features are columns of the table: no images
    run8 = list(bernoulli.steps(few, 2, seed=0, max_iter=1))
    assert bernoulli_working(few, run8, 2, {}).images == ()


def test_kmeans_update_and_gmm_means_as_images():
    X = binary_images() + np.random.default_rng(1).normal(0, 0.05, (40, 16))
    run = list(kmeans.steps(X, 2, init=X[[0, 39]]))
    up = next(i for i, s in enumerate(run) if s.kind == "update")
    w = kmeans_working(X, run, up, {"k": 2, "variant": "means"})
    (im,) = w.images
    assert im.table == "The new means" and tuple(im.names) == ("μ1", "μ2") and im.levels is None
    np.testing.assert_allclose(im.values, run[up].centers, rtol=1e-9, atol=1e-12)
    assert kmeans_working(X, run, 0, {"k": 2, "variant": "means"}).images[0].table == "The starting centres"
    g = list(gmm.steps(X, 2, covariance="diag", seed=0, max_iter=1))
    gw = gmm_working(X, g, 2, {})
    assert gw.images[0].table == "Means" and gw.images[0].values.shape == (2, 16)


def test_the_mixture_helpers_live_in_engine_mixture_only():
    import engine.gmm.working as gw
    import engine.bernoulli.working as bw
    for name in ("estep_tables", "loglik_table", "weights_table", "vector_table", "logsumexp_rows", "present"):
        assert getattr(gw, name, None) is getattr(mixture_working, name), name  # imported, not a copy
        assert getattr(bw, name, None) in (None, getattr(mixture_working, name)), name


# ---------------------------------------------------------------- the Working view draws them (image data)
def mnist_session(tmp_path, algorithm: str, params: dict, n: int = 300, **extra):
    import json
    d = {"format": "clusterlab-session", "version": 1, "name": f"small-{algorithm}", "data": {"mnist": n},
         "transform": {"standardize": False}, "algorithm": {"name": algorithm, "params": params, **extra}}
    p = tmp_path / f"{algorithm}.json"
    p.write_text(json.dumps(d))
    return p


def open_on_working(qtbot, open_window, path, algorithm, size=(1300, 850)):
    from test_working_view import click_tab, open_session
    w = open_session(qtbot, open_window, path, algorithm)
    w.resize(*size)
    return w, click_tab(qtbot, w, "Working")


def seek(qtbot, w, view, index):
    w.player.seek(index)
    qtbot.waitUntil(lambda: not view.computing, timeout=30_000)


def test_bernoulli_theta_tiles_under_their_table_named_and_coloured_as_the_window(qtbot, open_window, tmp_path):
    from gui.widgets.tiles import MIN_CAPTION_POINTS, scale_to_uint8
    p = mnist_session(tmp_path, "bernoulli", {"k": 4, "init": "random", "seed": 3, "max_iter": 2}, threshold=0.5)
    w, view = open_on_working(qtbot, open_window, p, "bernoulli", size=(800, 600))
    m = next(i for i, s in enumerate(w.player.history) if s.kind == "M")
    seek(qtbot, w, view, m)
    (block,) = view.image_blocks
    theta = view.working.images[0]
    assert theta.table == "Pixel probabilities θ_k" and block.tiles.n_tiles == 4
    order = [view.body_layout.indexOf(b) for b in view.blocks]  # the tiles come right after the θ table
    assert view.body_layout.indexOf(block) == order[1] + 1
    assert block.names == [w.scatter.cluster_name(j) for j in range(4)]
    assert all(name in cap for name, cap in zip(block.names, block.captions))
    frame = block.tiles.rgba[block.tiles._origins[2][0] - 1, block.tiles._origins[2][1] + 3, :3]
    assert "#%02X%02X%02X" % tuple(frame) == w.scatter.cluster_hex(2, extended=w.scatter.raster).upper()
    np.testing.assert_array_equal(block.tiles.tile(1), scale_to_uint8(theta.values[1].reshape(28, 28), (0, 1)))
    # readable and whole at 800 x 600: the captions at least 8.5 pt, the grid inside its view, inside the window
    read_w, read_h = block.tiles.readable_size()
    assert block.tiles.plot.width() >= read_w and block.tiles.plot.height() >= read_h - 1 and MIN_CAPTION_POINTS >= 8
    assert block.tiles.width() <= view.scroll.viewport().width()  # no sideways scrolling to see a tile
    seek(qtbot, w, view, m - 1)  # the E-step before: no θ to draw
    assert not view.image_blocks and view.blocks


def test_kmeans_centres_as_tiles_and_none_for_points_that_are_not_images(qtbot, open_window, tmp_path):
    p = mnist_session(tmp_path, "kmeans", {"k": 3, "init": "random", "seed": 0, "max_iter": 2})
    w, view = open_on_working(qtbot, open_window, p, "kmeans")
    up = next(i for i, s in enumerate(w.player.history) if s.kind == "update")
    seek(qtbot, w, view, up)
    (block,) = view.image_blocks
    assert block.images.table == "The new means" and block.tiles.n_tiles == 3 and block.ncols == 3
    assert "28×28 images" in block.title.text()
    np.testing.assert_allclose(block.images.values, w.player.history[up].centers, rtol=1e-6, atol=1e-6)
