"""The HAC cut at any step (issue 12, item 10): a cut of the tree grown so far, in the engine and the window."""
import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster

from engine import data as edata
from engine import hac as ehac
from engine.hac import flat
from engine.hac.dendrogram import rank_first

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _brute_prefix_cut(Z, m, n_links, h):
    """Union-find over the first ``n_links`` merges whose whole subtree lies at or below ``h``."""
    parent = list(range(2 * m - 1))

    def find(a):
        while parent[a] != a:
            a = parent[a]
        return a
    sub = [0.0] * (2 * m - 1)
    for t in range(m - 1):
        a, b = int(Z[t, 0]), int(Z[t, 1])
        sub[m + t] = max(Z[t, 2], sub[a], sub[b])
    for t in range(n_links):
        if sub[m + t] <= h:
            parent[find(int(Z[t, 0]))] = parent[find(int(Z[t, 1]))] = m + t
    return rank_first(np.array([find(i) for i in range(m)]))


@pytest.mark.parametrize("linkage", ["min", "max", "avg", "centroid", "ward"])
def test_a_cut_of_a_prefix_uses_only_the_merges_done(linkage):
    rng = np.random.default_rng(3)
    for _ in range(8):
        X = rng.normal(size=(int(rng.integers(3, 20)), 2))
        d = ehac.fit(X, linkage=linkage).dendrogram
        Z = d.linkage
        m = Z.shape[0] + 1
        for h in np.linspace(0, Z[:, 2].max() * 1.1, 6):
            # the whole tree: scipy's fcluster
            whole = flat.cut(d, height=h)
            assert whole.labels.tolist() == rank_first(fcluster(Z, h, "distance")).tolist()
            for t in range(m):
                c = flat.cut(d, height=h, n_links=t)
                assert c.labels.tolist() == flat.point_labels(d, _brute_prefix_cut(Z, m, t, h)).tolist()
                assert c.n_clusters >= m - t
        for t in range(m):
            for k in range(1, m + 1):
                c = flat.cut(d, count=k, n_links=t)
                assert c.n_clusters >= max(m - t, 1)
                assert c.n_clusters <= max(k, m - t)
                # the labels are those of a height cut at the height drawn
                assert c.labels.tolist() == flat.cut(d, height=c.height, n_links=t).labels.tolist()
        # every merge done: the count cut of the finished tree is unchanged
        for k in range(1, m + 1):
            a, b = flat.cut(d, count=k, n_links=m - 1), flat.cut(d, count=k)
            assert a.labels.tolist() == b.labels.tolist() and (a.height, a.n_clusters) == (b.height, b.n_clusters)


def test_a_monotone_tree_cut_before_its_end_gives_the_clusters_of_the_step():
    X = edata.example("one-d").X
    d = ehac.fit(X, linkage="min").dendrogram
    m = d.n_leaves
    for t in range(m):
        c = flat.cut(d, count=1, n_links=t)  # as few as possible: every merge done so far is kept
        assert c.labels.tolist() == rank_first(d.labels_after(t - 1)).tolist() and c.n_clusters == m - t


def forward(qtbot, w):
    i = w.player.index
    w.player.forward()
    qtbot.waitUntil(lambda: w.player.index == i + 1, timeout=5000)


def test_the_window_cuts_at_any_step_and_follows_the_steps(qtbot, open_window):
    w = open_window("hac", size=(1300, 800))
    w.menus.actions["example_one-d"].trigger()
    qtbot.waitUntil(lambda: w.player.current is not None and w.player.current.kind == "start", timeout=5000)
    plugin = w.plugin
    view = plugin.dendrogram
    forward(qtbot, w)
    assert w.player.current.payload["n_links"] == 1
    # no cut yet: the line waits at the bottom, and says nothing (no "cut 0")
    assert view.cut_enabled and plugin.cut_count.isEnabled()
    assert view.cut_line.isVisible() and not view.cut_line.label.isVisible()
    assert plugin.flat_labels is None
    for _ in range(3):
        forward(qtbot, w)
    assert w.player.current.payload["n_links"] == 4
    step = w.player.current
    assert not step.done
    # a cut high above every merge done so far: the clusters of the step (merges not done yet are not used)
    top = float(plugin.tree.Z[:, 2].max()) * 2
    with qtbot.waitSignal(view.sigCutChanged):
        view.cut_line.setValue(top)
        view.cut_line.sigPositionChangeFinished.emit(view.cut_line)
    assert plugin.flat_labels.tolist() == rank_first(step.labels).tolist()
    assert w.scatter.labels().tolist() == plugin.flat_labels.tolist()
    assert view.cut_line.label.isVisible() and view.cut_line.label.toPlainText().startswith("cut ")
    assert "done so far" in plugin.cut_label.text()
    # a lower cut keeps only the merges done so far below it
    h = float(plugin.tree.Z[1, 2]) + 1e-9
    with qtbot.waitSignal(view.sigCutChanged):
        view.cut_line.setValue(h)
        view.cut_line.sigPositionChangeFinished.emit(view.cut_line)
    want = flat.cut(plugin.tree.dendrogram, height=h, n_links=4).labels
    assert plugin.flat_labels.tolist() == want.tolist()
    # a cluster count below what the merges done allow: every merge done is kept, and the panel says so
    plugin.set_cut_count(2)
    assert plugin.flat_labels.max() + 1 == plugin.tree.m - 4
    assert "needs more merges" in plugin.cut_label.text()
    # stepping on, the same count cut follows the tree as it grows
    w.player.to_end()
    qtbot.waitUntil(lambda: w.player.current.done, timeout=5000)
    assert plugin.flat_labels.max() + 1 == 2
    assert plugin.flat_labels.tolist() == flat.cut(plugin.tree.dendrogram, count=2).labels.tolist()
    # back to no cut: the unlabelled line again
    plugin.set_cut_count(0)
    assert plugin.flat_labels is None and not view.cut_line.label.isVisible()
