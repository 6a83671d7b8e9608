"""The HAC views on numbers made here: dendrogram growth, colours, cut, picking; norm spheres; export text."""
import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster, leaves_list, linkage

from engine.hac.dendrogram import build_dendrogram

from gui.widgets import palette
from gui.algorithms.hac import dendrogram as dv
from gui.algorithms.hac import export as hexport
from gui.algorithms.hac.norms import NormView, ball, norm, unit_sphere


def geometry(Z):
    """Brute-force dendrogram layout: leaves left to right by a depth-first walk, x = 5 + 10 * rank."""
    m = Z.shape[0] + 1
    order = leaves_list(Z)
    x = np.empty(2 * m - 1)
    x[order] = 5.0 + 10.0 * np.arange(m)
    h = np.zeros(2 * m - 1)
    ic, dc = np.empty((m - 1, 4)), np.empty((m - 1, 4))
    for t, (a, b, d, _) in enumerate(Z):
        a, b = int(a), int(b)
        x[m + t] = (x[a] + x[b]) / 2
        h[m + t] = d
        ic[t] = [x[a], x[a], x[b], x[b]]
        dc[t] = [h[a], d, d, h[b]]
    return ic, dc, x[:m]


def engine_tree(Z, names, groups=None):
    """The view's Tree of the engine's dendrogram of ``Z``, whose geometry must be the brute-force one."""
    groups = [np.array([i]) for i in range(Z.shape[0] + 1)] if groups is None else [np.array(g) for g in groups]
    tree = dv.Tree(build_dendrogram(Z, groups), names)
    ic, dc, lx = geometry(Z)
    np.testing.assert_allclose(tree.icoord, ic)
    np.testing.assert_allclose(tree.dcoord, dc)
    np.testing.assert_allclose(tree.leaf_x, lx)
    return tree


def make_tree(X, method="single"):
    Z = linkage(X, method=method)
    return engine_tree(Z, [f"x{i + 1}" for i in range(len(X))]), Z


@pytest.fixture
def view(qtbot):
    w = dv.DendrogramView()
    qtbot.addWidget(w)
    w.resize(600, 400)

    return w


def current_labels(Z, n, k):
    """Brute force: the clusters after the first k merges, numbered by smallest member."""
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            i = parent[i]
        return i
    members = {i: [i] for i in range(n)}
    for t in range(k):
        a, b = int(Z[t, 0]), int(Z[t, 1])
        members[n + t] = members.pop(a) + members.pop(b)
    lab = np.empty(n, dtype=int)
    for c, pts in enumerate(sorted(members.values(), key=min)):
        lab[pts] = c
    return lab


def test_grows_one_link_per_step(view):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 2))
    tree, Z = make_tree(X)
    view.set_tree(tree, "merge distance (ℓ2, min)")
    assert view.plot_item.getAxis("left").labelText == "merge distance (ℓ2, min)"
    for k in range(Z.shape[0] + 1):
        view.show_links(k, current_labels(Z, 12, k))
        assert view.drawn_link_count() == k
        x, _ = view.latest.getData()
        assert (0 if x is None else len(x)) == (6 if k else 0)
    # one curve per colour, never one per link
    assert len(view._curves) <= len(palette.OKABE_ITO) + 1
    ticks = view.plot_item.getAxis("bottom")._tickLevels[0]
    assert sorted(t[1] for t in ticks) == sorted(f"x{i + 1}" for i in range(12))


def test_link_colours_follow_current_clusters(view):
    X = np.array([[0.0, 0], [0, 1], [5, 0], [5, 1.5], [10, 10]])
    tree, Z = make_tree(X)
    view.set_tree(tree)
    lab = current_labels(Z, 5, 2)
    view.show_links(2, lab)
    # each drawn link has the colour of the cluster its points belong to
    for t in range(2):
        pts = tree.points_of_link(t)
        assert view.link_label[t] == lab[pts[0]]
        assert np.all(lab[pts] == lab[pts[0]])
    colours = {c for c, curve in view._curves.items() if curve.getData()[0] is not None and len(curve.getData()[0])}
    assert colours == {palette.hex_color(int(lab[tree.points_of_link(t)[0]]), extended=True) for t in range(2)}


def test_inversions_are_marked(view):
    # centroid linkage on an equilateral-ish triangle: the second merge is lower than the first
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, 0.9]])
    tree, Z = make_tree(X, "centroid")
    assert Z[1, 2] < Z[0, 2]
    view.set_tree(tree)
    view.show_links(1)
    assert len(view.inversions.data) == 0
    assert not view._inversion_in_legend
    view.show_links(2)
    assert len(view.inversions.data) == 1
    assert view.inversions.data["y"][0] == pytest.approx(Z[1, 2])
    names = [label.text for _, label in view.legend.items]
    assert "inversion: merged lower than an earlier merge" in names


def test_cut_colours_links_like_fcluster(view, qtbot):
    rng = np.random.default_rng(3)
    X = np.vstack([rng.normal(c, 0.3, size=(6, 2)) for c in ((0, 0), (4, 0), (0, 4))])
    tree, Z = make_tree(X, "complete")
    view.set_tree(tree)
    view.show_links(Z.shape[0])
    view.set_cut_enabled(True)
    h = float((Z[-3, 2] + Z[-2, 2]) / 2)
    ref = fcluster(Z, h, criterion="distance") - 1
    view.set_cut(h, ref)
    assert view.cut_line.isVisible()
    assert view.cut_line.label.toPlainText() == f"cut {h:.4g}"
    for t in range(Z.shape[0]):
        pts = tree.points_of_link(t)
        if Z[t, 2] <= h:
            assert view.link_label[t] == ref[pts[0]]
        else:
            assert view.link_label[t] == -1
    ids = sorted(item.toPlainText() for item in view._id_items)
    for item in view._id_items:  # each id in its cluster's colour, just above its top link
        c = int(item.toPlainText()[1:]) - 1
        assert item.color.name().lower() == palette.hex_color(c, extended=True).lower()
        assert tuple(item.anchor) == dv.ID_ANCHOR
    assert ids == sorted(f"C{c + 1}" for c in set(ref.tolist()))
    # dragging the line reports the new height
    with qtbot.waitSignal(view.sigCutChanged) as blocker:
        view.cut_line.setValue(h * 0.5)
        view.cut_line.sigPositionChangeFinished.emit(view.cut_line)
    assert blocker.args[0] == pytest.approx(h * 0.5)


def test_cluster_ids_clear_of_the_branches(view, qtbot):
    """Each id sits on its cluster's top bar, right of the branch rising to the parent, over no other link."""
    view.show()
    qtbot.waitExposed(view)
    X = np.array([1.0, 2, 4, 5, 9, 11, 16, 17])[:, None]
    tree, Z = make_tree(X, "complete")
    view.set_tree(tree)
    view.show_links(Z.shape[0])
    view.set_cut_enabled(True)
    view.set_cut(3.5, fcluster(Z, 3.5, criterion="distance") - 1)
    vb = view.plot_item.vb
    assert len(view._id_items) == 4
    # under a cut the flat clusters are the picture: no "most recent merge" emphasis
    assert view.latest.getData()[0] is None or len(view.latest.getData()[0]) == 0

    def check():
        for item in view._id_items:
            rect = item.sceneBoundingRect()
            x, y = item.pos().x(), item.pos().y()
            t = int(np.flatnonzero((tree.icoord[:, 1:3].mean(axis=1) == x) & (tree.dcoord[:, 1] == y))[0])
            node = vb.mapViewToScene(pg_point(x, y))
            right_x = vb.mapViewToScene(pg_point(tree.icoord[t, 2], y)).x()
            assert rect.left() > node.x() + 1  # clear of the branch rising from the bar's middle
            assert rect.bottom() <= node.y() + 1  # on top of the bar, not over it
            assert rect.left() < right_x  # above its own bar
            inner = rect.adjusted(2, 2, -2, -2)
            for u in range(Z.shape[0]):  # over no drawn link segment (scene coordinates)
                xs = [vb.mapViewToScene(pg_point(a, b)) for a, b in zip(tree.icoord[u], tree.dcoord[u])]
                for p, q in ((xs[0], xs[1]), (xs[1], xs[2]), (xs[2], xs[3])):
                    if p.x() == q.x():  # vertical
                        assert not (inner.left() < p.x() < inner.right()
                                    and min(p.y(), q.y()) < inner.bottom() and max(p.y(), q.y()) > inner.top())
                    else:
                        assert not (inner.top() < p.y() < inner.bottom()
                                    and min(p.x(), q.x()) < inner.right() and max(p.x(), q.x()) > inner.left())
    qtbot.waitUntil(check, timeout=5000)  # text items find their place when first painted


def pg_point(x, y):
    from PySide6.QtCore import QPointF
    return QPointF(float(x), float(y))


def test_cut_disabled_shows_hint(view):
    tree, Z = make_tree(np.arange(8.0)[:, None] ** 1.5)
    view.set_tree(tree)
    view.show_links(3)
    view.set_cut(1.0)
    view.set_cut_enabled(False, "The cut needs the finished tree")
    assert not view.cut_line.isVisible()
    assert "finished tree" in view.info.text()


def test_clicking_a_branch_gives_its_members(view, qtbot):
    X = np.array([[0.0, 0], [0, 1], [5, 0], [5, 1.5], [10, 10]])
    tree, Z = make_tree(X)
    view.set_tree(tree)
    view.show_links(4)
    qtbot.wait(20)
    for t in range(4):
        # the middle of the horizontal bar picks the link
        x = tree.icoord[t, 1:3].mean()
        assert view.link_at(x, tree.dcoord[t, 1]) == t
        with qtbot.waitSignal(view.sigBranchClicked) as blocker:
            view.click_link(t)
        brute = sorted(i for i in range(5) if _under(Z, 5, 5 + t, i))
        assert blocker.args[0].tolist() == brute
    # a click far from every link picks nothing
    assert view.link_at(1e6, 1e6) is None


def _under(Z, m, node, leaf):
    while leaf != node:
        rows = np.flatnonzero((Z[:, 0] == leaf) | (Z[:, 1] == leaf))
        if rows.size == 0:
            return False
        leaf = m + int(rows[0])
    return True


def test_point_path(view):
    X = np.array([[0.0, 0], [0, 1], [5, 0], [5, 1.5], [10, 10]])
    tree, Z = make_tree(X)
    view.set_tree(tree)
    view.show_links(4)
    view.highlight_point(0)
    assert view.path_links == [t for t in range(4) if _under(Z, 5, 5 + t, 0)]
    view.show_links(1)
    view.highlight_point(4)  # x5 has not merged yet
    assert view.path_links == []


def test_starting_clusters_as_leaves(view):
    # three starting clusters of 2, 1, 1 points: leaves are clusters, branch members are points
    Z = np.array([[0, 2, 0.3, 2], [1, 3, 0.5, 3]], dtype=float)
    tree = engine_tree(Z, ["black", "red", "blue"], groups=[[0, 1], [2], [3]])
    view.set_tree(tree)
    view.show_links(2)
    assert tree.points_of_link(0).tolist() == [0, 1, 3]
    assert tree.points_of_link(1).tolist() == [0, 1, 2, 3]
    view.highlight_point(1)
    assert view.path_links == [0, 1]
    assert view.plot_item.getAxis("bottom").labelText == "starting clusters"


def test_export_text_matches_scipy():
    X = np.array([[0.0, 0], [0, 1], [5, 0], [5, 1.5], [10, 10]])
    Z = linkage(X, "average")
    text = hexport.linkage_csv(Z)
    lines = text.splitlines()
    assert lines[0] == "cluster_a,cluster_b,distance,size"
    back = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
    np.testing.assert_array_equal(back, Z)
    assert hexport.labels_csv([0, 1, 1], ["x1", "a,b", "x3"]).splitlines() == ["point,cluster", "x1,0", '"a,b",1', "x3,1"]


# --------------------------------------------------------------------- norm geometry
@pytest.mark.parametrize("which,check", [
    ("l1", lambda P: np.abs(P).sum(axis=1)),
    ("l2", lambda P: np.hypot(P[:, 0], P[:, 1])),
    ("linf", lambda P: np.abs(P).max(axis=1)),
])
def test_unit_spheres(which, check):
    P = unit_sphere(which)
    np.testing.assert_allclose(check(P), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(P[0], P[-1])  # closed
    # points along the polyline edges are on the sphere too (diamond and square have straight sides)
    if which != "l2":
        mid = (P[:-1] + P[1:]) / 2
        np.testing.assert_allclose(check(mid), 1.0, rtol=1e-12)
    # the sphere's shape: diamond corners on the axes, square corners on the diagonals
    corners = {"l1": [[1, 0], [0, 1], [-1, 0], [0, -1]], "linf": [[1, 1], [-1, 1], [-1, -1], [1, -1]]}
    if which in corners:
        assert P[:-1].tolist() == corners[which]


def test_ball_passes_through_witness():
    a, b = np.array([0.1, 0.5]), np.array([0.35, 0.75])
    for which in ("l1", "l2", "linf"):
        d = norm(b - a, which)
        B = ball(which, a, d)
        np.testing.assert_allclose(norm(B - a, which), d, rtol=1e-12)


def test_norm_view(qtbot):
    w = NormView()
    qtbot.addWidget(w)
    names = [label.text for _, label in w.legend.items]
    assert names == ["ℓ1 unit sphere", "ℓ2 unit sphere", "ℓ∞ unit sphere"]
    assert w.plot.getPlotItem().vb.state["aspectLocked"] == 1.0
    a, b = np.array([0.0, 1.01]), np.array([0.28, 1.35])
    d = norm(b - a, "linf")
    w.show_witness("linf", a, b, d, ("x4", "x3"))
    assert w.spheres["linf"].opts["pen"].widthF() > w.spheres["l1"].opts["pen"].widthF()
    assert norm(w.witness_vector, "linf") == pytest.approx(1.0)
    assert "ℓ1 0.62" in w.note.text()
    w.clear_witness()
    assert w.witness_vector is None
