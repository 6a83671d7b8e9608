"""HAC from a starting partition: G x G cluster distances in blocks, never the n x n matrix; the memory guard;
singleton partitions numbered in any order."""
import itertools
import subprocess
import sys
import textwrap


import numpy as np
import pytest

from engine import hac
from engine.core.params import ParamError
from engine.hac import memory

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
    import sys, time
    sys.path.insert(0, {root!r})
    import numpy as np
    from engine import hac
    {setup}
    t0 = time.perf_counter()
    steps = list(hac.steps(X, linkage={lk!r}, clusters=clusters))
    dt = time.perf_counter() - t0
    # the peak of this process (VmHWM: a fresh count after exec; ru_maxrss may carry the parent's peak)
    hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    print(len(steps), dt, hwm / 1024)
""")


def run_child(setup, lk):
    import pathlib
    root = str(pathlib.Path(__file__).resolve().parents[1])
    res = subprocess.run([sys.executable, "-c", CHILD.format(root=root, setup=setup, lk=lk)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    k, dt, mb = res.stdout.split()
    return int(k), float(dt), float(mb)


def test_15000_points_in_one_group_need_no_distances():
    k, dt, mb = run_child("X = np.random.default_rng(0).random((15000, 2)); clusters = np.zeros(15000, int)", "max")
    assert k == 1 and dt < 1.0 and mb < 400


@pytest.mark.parametrize("lk", ["min", "avg"])
def test_mnist_from_its_digit_groups_within_3_s(lk):
    setup = "from engine.data import mnist; ds = mnist(6000); X, clusters = ds.X, ds.labels"
    k, dt, mb = run_child(setup, lk)
    assert k == 10 and dt < 3.0 and mb < 800


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
