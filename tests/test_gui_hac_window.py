"""The HAC plugin in the real MainWindow: textbook exercises, stepping, overlays, cut, linking, comparison, export."""
import itertools

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog
from scipy.cluster.hierarchy import fcluster, linkage

from engine import hac as ehac
from engine.hac.dendrogram import cut_height
from gui import algorithms
from engine.hac.dendrogram import rank_first as rank_by_first
from gui.algorithms.hac.plugin import COMPARE_LIMIT, HacPlugin
from gui.algorithms.hac.norms import norm as vnorm

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

NORM_P = {"l1": 1, "l2": 2, "linf": np.inf}


@pytest.fixture
def window(open_window):
    return open_window("hac", size=(1300, 800))


def hac_plugin(window) -> HacPlugin:
    assert isinstance(window.plugin, HacPlugin)
    return window.plugin


def open_example(qtbot, window, name):
    window.menus.actions[f"example_{name}"].trigger()
    qtbot.waitUntil(lambda: window.player.current is not None and window.player.current.kind == "start",
                    timeout=5000)


def set_params(qtbot, window, **values):
    plugin = hac_plugin(window)
    for name, value in values.items():
        combo = plugin.form.widgets[name]
        combo.setCurrentIndex(combo.findData(value))
    qtbot.waitUntil(lambda: window.player.current is not None
                    and window.player.current.payload.get("linkage") == values.get("linkage",
                                                                                    plugin.form.values()["linkage"])
                    and window.player.current.payload.get("norm") == values.get("norm", plugin.form.values()["norm"]),
                    timeout=5000)


def forward(qtbot, window):
    i = window.player.index
    window.player.forward()
    qtbot.waitUntil(lambda: window.player.index == i + 1, timeout=5000)


def to_end(qtbot, window):
    window.player.to_end()
    qtbot.waitUntil(lambda: window.player.current is not None and window.player.current.done, timeout=10_000)


def brute_first_merge(X, groups, p, lk):
    """Every pair of starting clusters, every definition written out; ties by the smallest pair."""
    def d(u, v):
        return np.linalg.norm(u - v, ord=p)
    best = None
    for a, b in itertools.combinations(range(len(groups)), 2):
        A, B = X[groups[a]], X[groups[b]]
        pairs = [d(u, v) for u in A for v in B]
        val = {"min": min(pairs), "max": max(pairs), "avg": sum(pairs) / len(pairs),
               "centroid": d(A.mean(axis=0), B.mean(axis=0))}[lk]
        if best is None or val < best[2] - 1e-12:
            best = (a, b, val)
    return best


# ---------------------------------------------------------------------------- exercise 1
def test_four_points_steps_back_and_forth(qtbot, window):
    open_example(qtbot, window, "four-points")
    plugin = hac_plugin(window)
    assert plugin.extra_arguments()["clusters"].tolist() == [0, 0, 1, 2]
    assert plugin.tree.leaf_names == ("black", "red", "blue")
    view = plugin.dendrogram
    assert view.drawn_link_count() == 0
    assert view.plot_item.getAxis("left").labelText == "merge distance (ℓ2, min)"
    for k in (1, 2):
        forward(qtbot, window)
        step = window.player.current
        assert view.drawn_link_count() == k == step.payload["n_links"]
        # the merged clusters are ringed on the scatter and outlined
        both = np.sort(np.concatenate([step.payload["members_a"], step.payload["members_b"]]))
        assert window.scatter.highlighted().tolist() == both.tolist()
        assert len(plugin.outline.data) == both.size
        # link colours are the scatter's colours for the same points
        lab = window.scatter.labels()
        for t in range(k):
            assert view.link_label[t] == lab[plugin.tree.points_of_link(t)[0]]
    assert window.player.current.done
    window.player.back()
    assert view.drawn_link_count() == 1
    # the cut works on the tree grown so far (it used to wait for the last merge): the line waits at the bottom,
    # unlabelled until a cut is made (no "cut 0")
    assert view.cut_enabled and view.cut_line.isVisible() and not view.cut_line.label.isVisible()
    assert "Drag the dashed line" in view.info.text()
    window.player.to_start()
    assert view.drawn_link_count() == 0


@pytest.mark.parametrize("lk", ["min", "max", "centroid"])
def test_witness_and_ball(qtbot, window, lk):
    open_example(qtbot, window, "four-points")
    for norm_name in ("l1", "l2", "linf"):
        set_params(qtbot, window, norm=norm_name, linkage=lk)
        forward(qtbot, window)
        check_witness(hac_plugin(window), window.player.current.payload, norm_name)
        if lk == "centroid":  # the means named as the Working names them (μ_G of the first cluster, μ_G' of the other)
            norms = hac_plugin(window).norms
            assert norms.witness_text.textItem.toPlainText() == "(μ_G' − μ_G) / d"
            assert norms.note.text().startswith("μ_G' − μ_G has length")


def check_witness(plugin, pl, norm_name):
    h = pl["distance"]
    a, b = (np.asarray(c) for c in pl["witness_coords"])
    # the witness segment joins the two witness points / centroids (display = data coordinates here)
    x, y = plugin.witness.getData()
    np.testing.assert_allclose(np.column_stack([x, y]), np.vstack([a, b]))
    # the ball has radius = the merge distance around the first witness and passes through the second
    bx, by = plugin.ball.getData()
    B = np.column_stack([bx, by])
    np.testing.assert_allclose(vnorm(B - a, norm_name), h, rtol=1e-9)
    assert vnorm(b - a, norm_name) == pytest.approx(h)
    assert vnorm(plugin.norms.witness_vector, norm_name) == pytest.approx(1.0)


def test_avg_fan(qtbot, window):
    open_example(qtbot, window, "four-points")
    set_params(qtbot, window, linkage="avg")
    plugin = hac_plugin(window)
    to_end(qtbot, window)
    pl = window.player.current.payload
    x, _ = plugin.fan.getData()
    assert len(x) == 2 * pl["members_a"].size * pl["members_b"].size
    assert plugin.ball.getData()[0] is None or len(plugin.ball.getData()[0]) == 0
    assert "mean over all" in plugin.norms.note.text()


def test_comparison_table_answers_exercise_1(qtbot, window):
    open_example(qtbot, window, "four-points")
    plugin = hac_plugin(window)
    window.tabs.setCurrentWidget(plugin.compare)
    qtbot.waitUntil(lambda: len(plugin.compare.results) == 12, timeout=5000)
    ds = window.dataset
    X = ds.X
    groups = [np.flatnonzero(ds.labels == g) for g in range(3)]
    names = ("black", "red", "blue")
    rows = {(r.norm, r.linkage): r for r in ehac.first_merges(X, ds.labels)}
    table = plugin.compare.table
    for r, nm in enumerate(("l1", "l2", "linf")):
        for c, lk in enumerate(("min", "max", "avg", "centroid")):
            ref = rows[(nm, lk)]
            a, b, dist = brute_first_merge(X, groups, NORM_P[nm], lk)
            assert (ref.a, ref.b) == (a, b) and ref.distance == pytest.approx(dist, rel=1e-12)
            assert plugin.compare.results[(nm, lk)][:2] == (names[a], names[b])
            assert table.item(r, c).text() == f"{names[a]} + {names[b]}\nat {dist:.4g}"
    # small multiples: three norms, then four linkages, each titled
    assert [w.tree.n_links for w in plugin.compare.multiples[:3]] == [2, 2, 2]
    plugin.compare.by_linkages.setChecked(True)  # the missing dendrograms come from the worker thread
    qtbot.waitUntil(lambda: len([w for w in plugin.compare.multiples if w.isVisible()]) == 4, timeout=10_000)
    shown = [w for w in plugin.compare.multiples if w.isVisible()]
    assert [w.tree.n_links for w in shown] == [2, 2, 2, 2]
    assert [w.getPlotItem().titleLabel.text for w in shown] == ["ℓ2, min", "ℓ2, max", "ℓ2, avg", "ℓ2, centroid"]


def test_comparison_is_computed_off_the_gui_thread(qtbot, window, monkeypatch):
    """The first merges and the side-by-side runs are computed by a worker; the GUI thread only draws."""
    import threading
    from engine.data import Dataset
    threads = []
    real_first, real_fit = ehac.first_merges, ehac.fit

    def first(*a, **k):
        threads.append(threading.current_thread())
        return real_first(*a, **k)

    def fit(*a, **k):
        threads.append(threading.current_thread())
        return real_fit(*a, **k)
    monkeypatch.setattr(ehac, "first_merges", first)
    monkeypatch.setattr(ehac, "fit", fit)
    plugin = hac_plugin(window)
    window.tabs.setCurrentWidget(plugin.compare)
    X = np.random.default_rng(3).normal(size=(1200, 2))  # above the eager limit: computed once shown
    window.set_dataset(Dataset(X, name="blob"))
    qtbot.waitUntil(lambda: len(plugin.compare.results) == 12 and not plugin.compare.busy, timeout=60_000)
    assert len(threads) == 4  # the first merges and the three norms' dendrograms
    assert all(t is not threading.main_thread() for t in threads)
    rows = {(r.norm, r.linkage): r for r in real_first(X)}
    for key, (a, b, dist) in plugin.compare.results.items():
        assert (a, b, dist) == (f"x{rows[key].a + 1}", f"x{rows[key].b + 1}", rows[key].distance)
    # above the limit the tab says why instead of computing
    window.set_dataset(Dataset(np.random.default_rng(4).normal(size=(COMPARE_LIMIT + 1, 2)), name="big"))
    qtbot.waitUntil(lambda: "offered for at most" in plugin.compare.title.text(), timeout=10_000)
    assert plugin.compare.results == {} and plugin.compare.table.rowCount() == 0


# ---------------------------------------------------------------------------- exercise 2
@pytest.mark.parametrize("lk,method", [("min", "single"), ("max", "complete")])
def test_one_d_dendrogram_and_cut(qtbot, window, lk, method):
    open_example(qtbot, window, "one-d")
    set_params(qtbot, window, linkage=lk)
    plugin = hac_plugin(window)
    to_end(qtbot, window)
    X = window.dataset.X
    Z = linkage(X, method)
    np.testing.assert_allclose(plugin.tree.Z[:, 2], Z[:, 2])
    assert plugin.dendrogram.drawn_link_count() == 7
    assert plugin.dendrogram.cut_line.isVisible()
    # cut line at a height: same labels as engine.hac.cut_height (and scipy), same colours in the scatter
    for h in (1.5, 3.5, 6.0):
        with qtbot.waitSignal(plugin.dendrogram.sigCutChanged):
            plugin.dendrogram.cut_line.setValue(h)
            plugin.dendrogram.cut_line.sigPositionChangeFinished.emit(plugin.dendrogram.cut_line)
        expect = rank_by_first(cut_height(plugin.tree.Z, h))  # one point per leaf here
        assert plugin.flat_labels.tolist() == expect.tolist()
        assert rank_by_first(fcluster(Z, h, "distance")).tolist() == expect.tolist()
        assert window.scatter.labels().tolist() == expect.tolist()
        assert plugin.cut_count.value() == expect.max() + 1
        for t in range(7):
            pts = plugin.tree.points_of_link(t)
            want = expect[pts[0]] if len(set(expect[pts].tolist())) == 1 else -1
            assert plugin.dendrogram.link_label[t] == want
    # with a cut the flat clusters stand alone: the last merge's overlay is hidden, and comes back without a cut
    assert len(plugin.outline.data) == 0 and window.scatter.highlighted() is None
    plugin.cut_count.setValue(0)
    assert len(plugin.outline.data) == 8 and plugin.flat_labels is None
    assert window.scatter.labels().tolist() == window.player.current.labels.tolist()
    # a typed cluster count
    plugin.cut_count.setValue(3)
    assert plugin.flat_labels.max() == 2
    assert plugin.flat_labels.tolist() == rank_by_first(fcluster(Z, 3, "maxclust")).tolist()
    assert window.scatter.labels().tolist() == plugin.flat_labels.tolist()


def test_centroid_inversion_is_marked(qtbot, window):
    from engine.data import Dataset
    window.set_dataset(Dataset(np.array([[0.0, 0.0], [1.0, 0.0], [0.5, 0.9]]), name="triangle"))
    set_params(qtbot, window, linkage="centroid")
    plugin = hac_plugin(window)
    to_end(qtbot, window)
    assert plugin.tree.inversion.tolist() == [False, True]
    assert len(plugin.dendrogram.inversions.data) == 1
    assert plugin.dendrogram._inversion_in_legend


# ---------------------------------------------------------------------------- linking views
def test_branch_and_point_linking(qtbot, window):
    open_example(qtbot, window, "one-d")
    plugin = hac_plugin(window)
    to_end(qtbot, window)
    tree = plugin.tree
    for t in range(tree.n_links):
        plugin.dendrogram.click_link(t)
        assert window.scatter.highlighted().tolist() == tree.points_of_link(t).tolist()
    # clicking a point in the scatter shows its path in the dendrogram
    window.scatter.sigPointClicked.emit(7)
    check_path(plugin, tree, 7)
    # hovering a point does the same while the mouse is on it; leaving it brings back the clicked point's path
    scene = window.scatter.plot_item.scene()
    for i in (2, 5):
        x, y = window.scatter.points()[i]
        scene.sigMouseMoved.emit(window.scatter.map_to_scene(x, y))
        check_path(plugin, tree, i)
    scene.sigMouseMoved.emit(window.scatter.map_to_scene(3.0, 1e6))  # far from every point
    check_path(plugin, tree, 7)
    # hovering a branch rings its points; moving off it brings back what the step shows
    to_start = window.player.index
    window.player.seek(3)
    qtbot.waitUntil(lambda: window.player.index == 3, timeout=5000)
    step = window.player.current
    merged = np.sort(np.concatenate([step.payload["members_a"], step.payload["members_b"]]))
    assert window.scatter.highlighted().tolist() == merged.tolist()
    plugin.dendrogram.sigBranchHovered.emit(tree.points_of_link(0))
    assert window.scatter.highlighted().tolist() == tree.points_of_link(0).tolist()
    plugin.dendrogram.sigBranchHovered.emit(np.empty(0, dtype=np.intp))
    assert window.scatter.highlighted().tolist() == merged.tolist()
    assert to_start == tree.n_links


def check_path(plugin, tree, i):
    path = plugin.dendrogram.path_links
    drawn = plugin.dendrogram.n_links
    assert path and path[-1] == max(t for t in range(drawn) if i in tree.points_of_link(t))
    assert all(i in tree.points_of_link(t) for t in path)
    assert all(i not in tree.points_of_link(t) for t in set(range(drawn)) - set(path))


def test_unpainted_points_start_alone(qtbot, window):
    from engine.data import Dataset
    X = np.array([[0.0, 0.0], [0.1, 0.0], [3.0, 0.0], [3.1, 0.0], [9.0, 0.0]])
    window.set_dataset(Dataset(X, labels=[0, 0, -1, 1, -1], point_names=("a", "b", "c", "d", "e")))
    qtbot.waitUntil(lambda: window.player.current is not None, timeout=5000)
    plugin = hac_plugin(window)
    clusters = plugin.extra_arguments()["clusters"]
    assert len(set(clusters.tolist())) == 4 and clusters[0] == clusters[1]
    assert sorted(plugin.tree.leaf_names) == ["c", "e", "group 0", "group 1"]
    plugin.from_groups.setChecked(False)
    qtbot.waitUntil(lambda: plugin.tree is not None and plugin.tree.m == 5, timeout=5000)


# ---------------------------------------------------------------------------- export
def test_export_dendrogram(qtbot, window, tmp_path, monkeypatch):
    open_example(qtbot, window, "four-points")
    plugin = hac_plugin(window)
    with pytest.raises(ValueError, match="whole tree"):
        plugin.export_dendrogram("newick", tmp_path / "early.nwk")
    to_end(qtbot, window)
    plugin.set_cut_count(2)
    for kind, name in (("png", "d.png"), ("svg", "d.svg"), ("linkage", "z.csv"), ("newick", "t.nwk"),
                       ("labels", "l.csv")):
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, n=name, **k: (str(tmp_path / n),
                                                                                                  "")))
        action = next(a for a in plugin.dendrogram.export_menu.actions() if a.objectName() == f"export_dendrogram_{kind}")
        action.trigger()
        assert (tmp_path / name).stat().st_size > 0
    from PySide6.QtGui import QImage
    img = QImage(str(tmp_path / "d.png"))
    rect = plugin.dendrogram.plot_item.sceneBoundingRect()  # twice the on-screen plot, title included
    assert (img.width(), img.height()) == (round(rect.width() * 2), round(rect.height() * 2))
    assert not plugin.dendrogram.plot_item.titleLabel.isVisible()  # the title is in the file only
    svg = (tmp_path / "d.svg").read_text()
    assert "black" in svg and "red" in svg and "merge distance" in svg
    assert "Four points, three starting groups" in svg and "cut at" in svg  # the title, with the cut
    # the cut clusters are named as in the scatter's legend: whole starting groups by their names (was "C1", "C2")
    assert [item.toPlainText() for item in plugin.dendrogram._id_items] == ["black+blue", "red"]
    assert "black+blue" in svg
    rows = (tmp_path / "z.csv").read_text().splitlines()
    assert rows[0] == "cluster_a,cluster_b,distance,size"
    back = np.array([[float(v) for v in r.split(",")] for r in rows[1:]])
    np.testing.assert_array_equal(back, plugin.tree.Z)
    nwk = (tmp_path / "t.nwk").read_text()
    assert nwk.strip().endswith(";") and all(f"x{i}" in nwk for i in range(1, 5))
    labels = (tmp_path / "l.csv").read_text().splitlines()
    assert labels[0] == "point,cluster" and [r.split(",")[1] for r in labels[1:]] == \
        [str(v) for v in plugin.flat_labels]
