"""engine.hac against scipy and against a plain O(n^3) reference HAC written here."""
import itertools

import numpy as np
import pytest
from scipy.cluster.hierarchy import dendrogram, fcluster, is_valid_linkage, linkage
from scipy.spatial.distance import pdist

from engine import hac
from engine.hac.dendrogram import cut_count, cut_height, validate_linkage

SCIPY_METRIC = {"l1": "cityblock", "l2": "euclidean", "linf": "chebyshev"}
SCIPY_METHOD = {"min": "single", "max": "complete", "avg": "average", "centroid": "centroid", "ward": "ward"}
SCIPY_CASES = [(n, lk) for n in SCIPY_METRIC for lk in ("min", "max", "avg")] + [("l2", "centroid"), ("l2", "ward")]
ORD = {"l1": 1, "l2": 2, "linf": np.inf}

# textbook exercise 1: black = {x1, x2}, red = {x3}, blue = {x4}
EX1_X = np.array([[0.1, 0.5], [0.35, 0.75], [0.28, 1.35], [0.0, 1.01]])
EX1_CLUSTERS = np.array([0, 0, 1, 2])


def reference_hac(X, norm, lk, clusters=None):
    """Plain HAC by the definitions: every step rescans every pair of clusters.

    Ties: smallest distance, then the lexicographically smallest
    (smaller representative, larger representative) pair; a representative is
    the smallest starting-cluster id in a cluster. Returns rows (a, b, d, size).
    """
    X = np.asarray(X, dtype=float)
    n = len(X)
    P = np.array([[np.linalg.norm(X[i] - X[j], ORD[norm]) for j in range(n)] for i in range(n)])
    labels = np.arange(n) if clusters is None else np.unique(clusters, return_inverse=True)[1].ravel()
    m = labels.max() + 1
    members = {c: list(np.flatnonzero(labels == c)) for c in range(m)}
    rep = {c: c for c in range(m)}

    def dist(A, B):
        pairs = P[np.ix_(A, B)]
        if lk == "min":
            return pairs.min()
        if lk == "max":
            return pairs.max()
        if lk == "avg":
            return pairs.mean()
        ca, cb = X[A].mean(axis=0), X[B].mean(axis=0)
        if lk == "centroid":
            return np.linalg.norm(ca - cb, ORD[norm])
        na, nb = len(A), len(B)
        return np.sqrt(2.0 * na * nb / (na + nb)) * np.linalg.norm(ca - cb)

    rows = []
    for t in range(m - 1):
        best = None
        for a, b in itertools.combinations(sorted(members), 2):
            key = (dist(members[a], members[b]), *sorted((rep[a], rep[b])))
            if best is None or key < best[0]:
                best = (key, a, b)
        (d, _, _), a, b = best
        new = m + t
        members[new] = members.pop(a) + members.pop(b)
        rep[new] = min(rep.pop(a), rep.pop(b))
        rows.append((min(a, b), max(a, b), d, len(members[new])))
    return rows


def node_sets(Z, groups):
    """Point sets of every merge result, in merge order."""
    sets = [frozenset(g) for g in groups]
    for a, b in Z[:, :2].astype(int):
        sets.append(sets[a] | sets[b])
    return sets[len(groups):]


def same_partition(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return len(set(zip(a.tolist(), b.tolist()))) == len(set(a.tolist())) == len(set(b.tolist()))


@pytest.mark.parametrize("norm,lk", SCIPY_CASES)
@pytest.mark.parametrize("n", [2, 3, 50, 200])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_agrees_with_scipy(norm, lk, n, seed):
    X = np.random.default_rng(seed).normal(size=(n, 2 + seed))
    Zs = linkage(pdist(X, SCIPY_METRIC[norm]), SCIPY_METHOD[lk]) if lk not in ("centroid", "ward") \
        else linkage(X, SCIPY_METHOD[lk])
    r = hac.fit(X, norm=norm, linkage=lk)
    assert r.linkage.shape == (n - 1, 4)
    np.testing.assert_allclose(r.linkage[:, 2], Zs[:, 2], rtol=0, atol=1e-9)
    groups = [[i] for i in range(n)]
    assert node_sets(r.linkage, groups) == node_sets(Zs, groups)  # the same partition at every level
    assert is_valid_linkage(r.linkage)
    validate_linkage(r.linkage)
    if not r.inversions.any():
        # the same ids, so the same drawing as scipy's dendrogram
        np.testing.assert_array_equal(r.linkage[:, [0, 1, 3]], Zs[:, [0, 1, 3]])
        ref = dendrogram(Zs, no_plot=True)
        assert r.order.tolist() == ref["leaves"]
        d = r.dendrogram
        ours = sorted(map(tuple, np.round(np.hstack([d.icoord, d.dcoord]), 9).tolist()))
        theirs = sorted(map(tuple, np.round(np.hstack([ref["icoord"], ref["dcoord"]]), 9).tolist()))
        assert ours == theirs


@pytest.mark.parametrize("norm,lk", SCIPY_CASES)
def test_flat_cuts_agree_with_scipy_fcluster(norm, lk):
    X = np.random.default_rng(7).normal(size=(60, 2))
    Zs = linkage(pdist(X, SCIPY_METRIC[norm]), SCIPY_METHOD[lk]) if lk not in ("centroid", "ward") \
        else linkage(X, SCIPY_METHOD[lk])
    r = hac.fit(X, norm=norm, linkage=lk)
    for k in (1, 2, 3, 7, 20, 60):
        ours = r.fcluster(k=k)
        assert same_partition(ours, fcluster(Zs, k, criterion="maxclust"))
        assert same_partition(cut_count(r.linkage, k), ours)
    for t in np.quantile(Zs[:, 2], [0.0, 0.3, 0.7, 0.95, 1.0]).tolist() + [-1.0]:
        assert same_partition(r.fcluster(t=t), fcluster(Zs, t, criterion="distance"))
        assert same_partition(cut_height(r.linkage, t), r.fcluster(t=t))
    labels = r.fcluster(k=5)  # numbered by smallest member: first appearances are 0, 1, 2, ...
    _, first = np.unique(labels, return_index=True)
    assert labels[np.sort(first)].tolist() == list(range(labels.max() + 1))


ALL_CASES = [(n, lk) for n in ("l1", "l2", "linf") for lk in ("min", "max", "avg", "centroid")] + [("l2", "ward")]


@pytest.mark.parametrize("norm,lk", ALL_CASES)
def test_exercise1_first_merge_and_full_sequence_match_brute_force(norm, lk):
    ref = reference_hac(EX1_X, norm, lk, EX1_CLUSTERS)
    r = hac.fit(EX1_X, norm=norm, linkage=lk, clusters=EX1_CLUSTERS)
    assert [tuple(map(int, z[:2])) for z in r.linkage] == [(a, b) for a, b, _, _ in ref]
    assert is_valid_linkage(r.linkage)  # the count column counts starting clusters
    np.testing.assert_allclose(r.linkage[:, 2], [d for _, _, d, _ in ref], rtol=0, atol=1e-12)
    if lk != "ward":
        row = [f for f in hac.first_merges(EX1_X, EX1_CLUSTERS) if f.norm == norm and f.linkage == lk]
        assert len(row) == 1
        assert (row[0].a, row[0].b) == ref[0][:2]
        assert row[0].distance == pytest.approx(ref[0][2], abs=1e-12)


def test_first_merges_table_shape_and_values():
    rows = hac.first_merges(EX1_X, EX1_CLUSTERS)
    assert [(f.norm, f.linkage) for f in rows] == [(n, lk) for n in ("l1", "l2", "linf")
                                                   for lk in ("min", "max", "avg", "centroid")]
    # by hand, l2 and min: black x2 to blue x4 is sqrt(0.35^2 + 0.26^2) = 0.436, red x3 to blue x4
    # sqrt(0.28^2 + 0.34^2) = 0.440, black x2 to red x3 sqrt(0.07^2 + 0.6^2) = 0.604 -> black + blue
    f = rows[4]
    assert (f.norm, f.linkage, f.a, f.b) == ("l2", "min", 0, 2)
    assert f.distance == pytest.approx(np.hypot(0.35, 0.26), abs=1e-12)
    assert all(f.n_tied >= 1 for f in rows)


@pytest.mark.parametrize("n", [2, 7, 120])
def test_first_merges_of_single_points_match_brute_force(n):
    """One point per cluster (the closest-pair path): every pair written out, ties to the smallest (a, b)."""
    rng = np.random.default_rng(n)
    X = rng.integers(0, 6, size=(n, 2)).astype(float) * 0.5  # a grid: many exactly equal distances
    X[-1] = X[0] + 100.0  # keep points distinct at the ends
    rows = hac.first_merges(X)
    for norm, p in (("l1", 1), ("l2", 2), ("linf", np.inf)):
        D = np.array([[np.linalg.norm(u - v, ord=p) for v in X] for u in X])
        D[np.tril_indices(n)] = np.inf
        best = D.min()
        a, b = (int(v) for v in np.argwhere(D == best)[0])  # row-major: the smallest (a, b)
        got = [r for r in rows if r.norm == norm]
        assert [r.linkage for r in got] == ["min", "max", "avg", "centroid"]
        for r in got:
            assert (r.a, r.b, r.n_tied) == (a, b, int(np.count_nonzero(D == best)))
            assert r.distance == best
            # and it is the first merge of the full run
            first = hac.fit(X, norm=norm, linkage=r.linkage).linkage[0]
            assert (int(first[0]), int(first[1])) == (a, b) and first[2] == best


@pytest.mark.parametrize("norm,lk", ALL_CASES)
@pytest.mark.parametrize("seed", [0, 1])
def test_starting_partitions_match_reference(norm, lk, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(18, 2))
    clusters = rng.integers(10, 17, size=18)  # labels need not start at 0
    ref = reference_hac(X, norm, lk, clusters)
    r = hac.fit(X, norm=norm, linkage=lk, clusters=clusters)
    assert [tuple(map(int, z[:2])) for z in r.linkage] == [(a, b) for a, b, _, _ in ref]
    assert is_valid_linkage(r.linkage)  # the count column counts starting clusters
    np.testing.assert_allclose(r.linkage[:, 2], [d for _, _, d, _ in ref], rtol=0, atol=1e-9)
    validate_linkage(r.linkage)
    first = next(iter(hac.steps(X, norm=norm, linkage=lk, clusters=clusters)))
    assert same_partition(first.labels, clusters)


@pytest.mark.parametrize("norm,lk", ALL_CASES)
def test_full_sequences_match_reference_on_random_points(norm, lk):
    X = np.random.default_rng(3).normal(size=(25, 3))
    ref = reference_hac(X, norm, lk)
    r = hac.fit(X, norm=norm, linkage=lk)
    assert [tuple(map(int, z[:2])) for z in r.linkage] == [(a, b) for a, b, _, _ in ref]
    np.testing.assert_allclose(r.linkage[:, 2], [d for _, _, d, _ in ref], rtol=0, atol=1e-9)


ONE_D = np.array([1, 2, 4, 5, 9, 11, 16, 17], dtype=float)


def test_exercise2_one_dimension_min_and_max_by_hand():
    # x1..x8 = 1, 2, 4, 5, 9, 11, 16, 17; ids 8.. are the merge results in order.
    # min: the three gaps of 1 in tie order, then the gaps of 2 ({x1,x2}-{x3,x4} before x5-x6),
    # then 9 - 5 = 4, then 16 - 11 = 5.
    single = [[0, 1, 1, 2], [2, 3, 1, 2], [6, 7, 1, 2], [8, 9, 2, 4], [4, 5, 2, 2], [11, 12, 4, 6],
              [10, 13, 5, 8]]
    # max: the gaps of 1, then x5-x6 (2), {x1,x2}-{x3,x4} (5 - 1 = 4), {x5,x6}-{x7,x8} (17 - 9 = 8), all (16)
    complete = [[0, 1, 1, 2], [2, 3, 1, 2], [6, 7, 1, 2], [4, 5, 2, 2], [8, 9, 4, 4], [10, 11, 8, 4],
                [12, 13, 16, 8]]
    assert hac.fit(ONE_D, linkage="min").linkage.tolist() == single
    assert hac.fit(ONE_D, linkage="max").linkage.tolist() == complete
    for norm in ("l1", "linf"):  # every norm is |x - y| in one dimension
        assert hac.fit(ONE_D, norm=norm, linkage="max").linkage.tolist() == complete
    descr = [s.description for s in hac.steps(ONE_D, linkage="max")]
    assert descr[1] == "merged {x1} and {x2} at d_max = 1 (ℓ2)"
    assert descr[-1] == "merged {x1, x2, x3, x4} and {x5, x6, x7, x8} at d_max = 16 (ℓ2)"


def test_ties_follow_the_documented_rule():
    square = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    # all four sides are 1: {x1,x2} first; then x3 joins (representatives (0, 2) < (0, 3) < (2, 3))
    assert hac.fit(square, linkage="min").linkage[:, :2].tolist() == [[0, 1], [2, 4], [3, 5]]
    # max: after {x1,x2}, x3-x4 (1) beats x3-{x1,x2} (sqrt 2)
    assert hac.fit(square, linkage="max").linkage[:, :2].tolist() == [[0, 1], [2, 3], [4, 5]]
    # l1 on a grid: three points pairwise at exactly 2
    tri = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]])
    for lk in ("min", "max", "avg"):
        assert hac.fit(tri, norm="l1", linkage=lk).linkage.tolist() == [[0, 1, 2, 2], [2, 3, 2, 3]]
    # the rule is about representatives, not about ids: reversed order of the points
    pts = np.array([[0.0], [10.0], [11.0], [1.0]])  # gaps x1-x4 and x2-x3 are both 1
    assert hac.fit(pts, linkage="min").linkage[:2, :2].tolist() == [[0, 3], [1, 2]]
    for norm, lk in ALL_CASES:
        ref = reference_hac(square, norm, lk)
        got = hac.fit(square, norm=norm, linkage=lk).linkage
        assert [tuple(map(int, z[:2])) for z in got] == [(a, b) for a, b, _, _ in ref], (norm, lk)


def test_duplicate_points():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 0.0], [1.0, 1.0], [5.0, 5.0]])
    for norm, lk in ALL_CASES:
        r = hac.fit(X, norm=norm, linkage=lk)
        ref = reference_hac(X, norm, lk)
        assert [tuple(map(int, z[:2])) for z in r.linkage] == [(a, b) for a, b, _, _ in ref], (norm, lk)
        assert r.linkage[0, 2] == 0.0 and r.linkage[1, 2] == 0.0
        validate_linkage(r.linkage)


def test_precomputed_distances_square_and_condensed():
    X = np.random.default_rng(5).normal(size=(40, 3))
    for norm in ("l1", "l2", "linf"):
        y = pdist(X, SCIPY_METRIC[norm])
        sq = np.zeros((40, 40))
        sq[np.triu_indices(40, 1)] = y
        sq = sq + sq.T
        for lk in ("min", "max", "avg"):
            want = hac.fit(X, norm=norm, linkage=lk).linkage
            for D in (y, sq):
                got = hac.fit(None, linkage=lk, distances=D).linkage
                np.testing.assert_array_equal(got[:, [0, 1, 3]], want[:, [0, 1, 3]])
                np.testing.assert_allclose(got[:, 2], want[:, 2], rtol=0, atol=1e-12)
            s = list(hac.steps(None, linkage=lk, distances=y))
            assert s[1].payload["norm"] == "precomputed" and "(precomputed)" in s[1].description
            if lk != "avg":
                u, v = s[5].payload["witness_points"]
                assert sq[u, v] == s[5].objective


def test_centroid_inversion_is_flagged():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, 0.9]])  # {x1,x2} at 1, then its mean is 0.9 from x3
    r = hac.fit(X, linkage="centroid")
    assert r.heights.tolist() == pytest.approx([1.0, 0.9])
    assert r.inversions.tolist() == [False, True]
    s = list(hac.steps(X, linkage="centroid"))
    assert [x.payload["inversion"] for x in s[1:]] == [False, True]
    assert "inversion" in s[2].description
    np.testing.assert_allclose(np.array(s[2].payload["witness_coords"]), [[0.5, 0.9], [0.5, 0.0]])
    assert is_valid_linkage(r.linkage)
    assert np.allclose(r.linkage[:, 2], linkage(X, "centroid")[:, 2])


def test_scipy_style_validity_conditions_reported_in_order():
    from engine.core.params import ParamError
    Z = hac.fit(np.arange(6.0), linkage="max").linkage.copy()
    validate_linkage(Z)
    bad = Z.copy()
    bad[3, 1] = 20
    with pytest.raises(ParamError, match="before it is formed"):
        validate_linkage(bad)
    bad = Z.copy()
    bad[1, 2] = -1
    with pytest.raises(ParamError, match="negative distances"):
        validate_linkage(bad)
    bad = Z.copy()
    bad[2, :2] = bad[1, :2]
    with pytest.raises(ParamError, match="more than once"):
        validate_linkage(bad)
    with pytest.raises(ParamError, match="4 columns"):
        validate_linkage(Z[:, :3])
    with pytest.raises(ParamError, match="doubles"):
        validate_linkage(Z.astype(int))


def grid_reference(X, norm, lk):
    """Vectorised brute force for min / max on exact data: rows (a, b, d) with the tie rule."""
    n = len(X)
    P = np.array([[np.linalg.norm(X[i] - X[j], ORD[norm]) for j in range(n)] for i in range(n)])
    ids = list(range(n))  # current id of each alive cluster, in representative order
    lab = np.arange(n)  # position of each point's cluster among the alive ones
    rows = []
    for t in range(n - 1):
        perm = np.argsort(lab, kind="stable")
        starts = np.flatnonzero(np.r_[True, np.diff(lab[perm]) != 0])
        red = np.minimum if lk == "min" else np.maximum
        M = red.reduceat(red.reduceat(P[np.ix_(perm, perm)], starts, axis=0), starts, axis=1)
        M[np.tril_indices(len(ids))] = np.inf
        a, b = divmod(int(M.argmin()), len(ids))  # row-major: lexicographic on representatives
        rows.append((min(ids[a], ids[b]), max(ids[a], ids[b]), M[a, b]))
        ids[a] = n + t
        del ids[b]
        lab[lab == b] = a
        lab[lab > b] -= 1
    return rows


@pytest.mark.parametrize("norm", ["l1", "l2", "linf"])
@pytest.mark.parametrize("lk", ["min", "max"])
def test_many_ties_on_a_grid_follow_the_rule(norm, lk):
    # 150 points on a small integer grid: many exactly equal distances and duplicates,
    # enough points to exercise the slot compaction and the lazy recomputation
    X = np.random.default_rng(11).integers(0, 9, size=(150, 2)).astype(float)
    got = hac.fit(X, norm=norm, linkage=lk).linkage
    ref = grid_reference(X, norm, lk)
    assert [tuple(map(int, z[:2])) for z in got] == [(a, b) for a, b, _ in ref]
    assert got[:, 2].tolist() == [d for _, _, d in ref]


@pytest.mark.parametrize("norm", ["l1", "linf"])
@pytest.mark.parametrize("lk", ["min", "max"])
def test_witness_is_the_first_pair_in_leaf_order_at_the_merge_distance(norm, lk):
    # an integer grid under l1 / linf: every distance is a small integer, computed exactly along any path;
    # ties everywhere (single linkage then leaves its spanning tree for the matrix loop)
    X = np.random.default_rng(5).integers(0, 6, size=(120, 2)).astype(float)
    for s in list(hac.steps(X, norm=norm, linkage=lk))[1:]:
        p = s.payload
        A, B = p["members_a"], p["members_b"]  # leaf order
        diff = np.abs(X[A][:, None, :] - X[B][None, :, :])
        D = diff.sum(axis=2) if norm == "l1" else diff.max(axis=2)
        r, c = np.argwhere(np.isclose(D, p["distance"], rtol=0, atol=1e-9))[0]
        assert p["witness_points"].tolist() == [A[r], B[c]]
