"""HAC from a starting partition: G x G cluster distances in blocks, never the n x n matrix; the memory guard;
singleton partitions numbered in any order."""
import itertools
import subprocess
import sys
import textwrap
import tracemalloc

import numpy as np
import pytest

from engine import hac
from engine.core.params import ParamError
from engine.data import mnist
from engine.hac import blocks, condensed, memory

ORD = {"l1": 1, "l2": 2, "linf": np.inf}
ALL = [(n, lk) for n in ORD for lk in ("min", "max", "avg", "centroid")] + [("l2", "ward")]


def brute_force(X, norm, lk, clusters):
    """Plain HAC by the definitions over the starting clusters (ids in sorted label order); rows (a, b, d)."""
    X = np.asarray(X, dtype=float)
    n = len(X)
    P = np.array([[np.linalg.norm(X[i] - X[j], ORD[norm]) for j in range(n)] for i in range(n)])
    labels = np.unique(clusters, return_inverse=True)[1].ravel()
    m = labels.max() + 1
    members = {c: list(np.flatnonzero(labels == c)) for c in range(m)}
    rep = {c: c for c in range(m)}

    def dist(A, B):
        pairs = P[np.ix_(A, B)]
        if lk in ("min", "max", "avg"):
            return {"min": pairs.min, "max": pairs.max, "avg": pairs.mean}[lk]()
        ca, cb = X[A].mean(axis=0), X[B].mean(axis=0)
        if lk == "centroid":
            return np.linalg.norm(ca - cb, ORD[norm])
        return np.sqrt(2.0 * len(A) * len(B) / (len(A) + len(B))) * np.linalg.norm(ca - cb)

    rows = []
    for t in range(m - 1):
        best = min(((dist(members[a], members[b]), *sorted((rep[a], rep[b]))), a, b)
                   for a, b in itertools.combinations(sorted(members), 2))
        (d, _, _), a, b = best
        members[m + t] = members.pop(a) + members.pop(b)
        rep[m + t] = min(rep.pop(a), rep.pop(b))
        rows.append((min(a, b), max(a, b), d))
    return rows


def test_singletons_numbered_out_of_point_order_name_the_right_points():
    ss = list(hac.steps(np.array([[0.0], [1.0], [5.0]]), linkage="min", clusters=[1, 2, 0]))
    assert ss[1].description == "merged {x1} and {x2} at d_min = 1 (ℓ2)"
    assert (ss[1].payload["a"], ss[1].payload["b"]) == (1, 2)  # cluster 1 = x1, cluster 2 = x2
    assert sorted(ss[1].payload["witness_points"].tolist()) == [0, 1]


@pytest.mark.parametrize("norm,lk", ALL)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_singletons_in_any_order_match_brute_force(norm, lk, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(14, 2))
    if seed == 2:
        X = np.round(X)  # ties: the tie rule works on cluster ids, not point indices
    clusters = rng.permutation(14) + 3 * seed
    ref = brute_force(X, norm, lk, clusters)
    r = hac.fit(X, norm=norm, linkage=lk, clusters=clusters)
    assert [tuple(map(int, z[:2])) for z in r.linkage] == [(a, b) for a, b, _ in ref]
    np.testing.assert_allclose(r.linkage[:, 2], [d for _, _, d in ref], rtol=0, atol=1e-9)
    ss = list(hac.steps(X, norm=norm, linkage=lk, clusters=clusters))
    sets = [set(np.flatnonzero(np.unique(clusters, return_inverse=True)[1] == c)) for c in range(14)]
    for s in ss[1:]:
        p = s.payload
        assert set(p["members_a"].tolist()) == sets[p["a"]] and set(p["members_b"].tolist()) == sets[p["b"]]
        sets.append(sets[p["a"]] | sets[p["b"]])
        if p["witness_kind"] == "pair":
            u, v = p["witness_points"]
            assert u in sets[p["a"]] and v in sets[p["b"]]
            assert np.linalg.norm(X[u] - X[v], ORD[norm]) == pytest.approx(p["distance"], abs=1e-12)


@pytest.mark.parametrize("lk", ["min", "max", "avg"])
@pytest.mark.parametrize("d", [3, 40])
def test_block_group_distances_match_brute_force(lk, d):
    rng = np.random.default_rng(d)
    X = rng.random((60, d))
    clusters = rng.integers(0, 7, size=60)
    ref = brute_force(X, "l2", lk, clusters)
    r = hac.fit(X, linkage=lk, clusters=clusters)
    assert [tuple(map(int, z[:2])) for z in r.linkage] == [(a, b) for a, b, _ in ref]
    np.testing.assert_allclose(r.linkage[:, 2], [d for _, _, d in ref], rtol=1e-12, atol=1e-12)
    for s in list(hac.steps(X, linkage=lk, clusters=clusters))[1:]:
        if s.payload["witness_kind"] == "pair":
            u, v = s.payload["witness_points"]
            assert hac.fit(X[[u, v]], linkage=lk).heights[0] == s.payload["distance"]


CHILD = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    import numpy as np
    from engine import hac
    {setup}
    steps = list(hac.steps(X, linkage={lk!r}, clusters=clusters))
    # the peak of this process (VmHWM: a fresh count after exec; ru_maxrss may carry the parent's peak)
    hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    print(len(steps), hwm / 1024)
""")


def run_child(setup, lk):
    """``(steps, peak MB)`` of a run in a fresh process (its speed: bench/bench_hac.py, never a timed test)."""
    import pathlib
    root = str(pathlib.Path(__file__).resolve().parents[1])
    res = subprocess.run([sys.executable, "-c", CHILD.format(root=root, setup=setup, lk=lk)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    k, mb = res.stdout.split()
    return int(k), float(mb)


def traced_peak(fn):
    """``(fn(), the peak of the memory traced while it ran, bytes)``: numpy reports its arrays to tracemalloc."""
    tracemalloc.start()
    try:
        out = fn()
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_15000_points_in_one_group_need_no_distances(monkeypatch):
    X, one = np.random.default_rng(0).random((15000, 2)), np.zeros(15000, int)
    k, mb = run_child("X = np.random.default_rng(0).random((15000, 2)); clusters = np.zeros(15000, int)", "max")
    assert k == 1 and mb < 400
    for name in ("from_blocks", "point_blocks", "square_blocks"):  # no distance at all is computed
        monkeypatch.setattr(condensed, name, lambda *a, **k: pytest.fail("a distance matrix was started"))
    monkeypatch.setattr(blocks, "group_distances", lambda *a, **k: pytest.fail("group distances were computed"))
    steps, peak = traced_peak(lambda: list(hac.steps(X, linkage="max", clusters=one)))
    assert len(steps) == 1 and steps[0].done
    assert peak < 8 * X.nbytes  # O(n): the condensed matrix would be 900 MB


@pytest.mark.parametrize("lk", ["min", "max", "avg"])
def test_mnist_digit_groups_are_merged_from_blocks_never_the_n_x_n_matrix(lk, monkeypatch):
    """The first step of HAC from MNIST's 10 digit groups (all 9 merges) holds two copies of the points (the
    checked input, and it permuted by group) and one block of distances at a time (blocks.BUDGET elements, made
    small here), never the n x n matrix: that is what brings MNIST 6000 from 69 s to about a second (timed by
    bench/bench_hac.py, goal 3 s)."""
    monkeypatch.setattr(blocks, "BUDGET", 1 << 15)  # 256 kB blocks
    monkeypatch.setattr(condensed, "from_blocks", lambda *a, **k: pytest.fail("the n x n path was taken"))
    ds = mnist(2000)
    n = ds.n
    first, peak = traced_peak(lambda: next(iter(hac.steps(ds.X, linkage=lk, clusters=ds.labels))))
    assert first.kind == "start" and first.payload["n_clusters"] == 10
    condensed_bytes = n * (n - 1) / 2 * 8  # 16 MB
    assert peak - 2 * ds.X.nbytes < 8 * blocks.BUDGET * 8 < condensed_bytes / 4, (peak, ds.X.nbytes)


@pytest.mark.parametrize("lk", ["min", "max", "avg", "centroid", "ward"])
def test_mnist_digit_groups_merge_as_brute_force_says(lk):
    """The 10 x 10 digit-group distances (784 features: ℓ2 through the BLAS filter, decided exactly) on a sample."""
    ds = mnist(240)
    ref = brute_force(ds.X, "l2", lk, ds.labels)
    r = hac.fit(ds.X, linkage=lk, clusters=ds.labels)
    assert [tuple(map(int, z[:2])) for z in r.linkage] == [(a, b) for a, b, _ in ref]
    # sums over 784 features and (avg) up to ~600 pairs, in other orders: float64 rounding, relative
    np.testing.assert_allclose(r.linkage[:, 2], [d for _, _, d in ref], rtol=1e-11, atol=0)


def test_memory_estimate_per_linkage():
    n = 20000
    cond = n * (n - 1) / 2 * 8
    assert memory.estimate(n, "max") >= cond and memory.estimate(n, "avg") >= cond
    for lk in ("min", "centroid", "ward"):
        assert memory.estimate(n, lk, d=2) < cond / 50
    assert memory.estimate(n, "max", m=10) < cond / 50  # a starting partition of 10 groups


def test_memory_guard_refuses_with_the_estimate_and_what_to_do(monkeypatch):
    monkeypatch.setattr(memory, "available", lambda: 50e6)
    X = np.random.default_rng(0).random((5000, 2))
    with pytest.raises(ParamError) as err:
        hac.steps(X, linkage="max")
    msg = str(err.value)
    assert "MB" in msg and "5,000 points" in msg
    for hint in ("fewer points", "starting partition", "min", "centroid", "Ward"):
        assert hint in msg
    assert len(list(hac.steps(X[:500], linkage="max"))) == 500
    assert next(iter(hac.steps(X, linkage="ward"))).kind == "start"  # O(n d) memory: allowed
    next(iter(hac.steps(X, linkage="max", clusters=np.arange(5000) % 40)))  # 40 x 40 distances: allowed
