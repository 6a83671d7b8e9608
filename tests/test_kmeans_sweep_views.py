"""engine.kmeans: the sweep over K and restarts, and what the views draw (Voronoi grid, representatives, summary)."""
from __future__ import annotations

import numpy as np
import pytest

from engine import kmeans
from engine.core.params import ParamError


def blobs(seed=0, n=200, d=2, k=3):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=5.0, size=(k, d))
    return centres[rng.integers(k, size=n)] + rng.normal(size=(n, d))


# --------------------------------------------------------------------------------------------------
# sweep
# --------------------------------------------------------------------------------------------------
def test_sweep_runs_every_k_and_restart_reproducibly():
    X = blobs(0, 150, 2, 4)
    calls = []
    res = kmeans.sweep(X, [2, 3, 5], restarts=3, seed=7, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(i, 9) for i in range(1, 10)]
    assert res.objectives.shape == res.seeds.shape == res.n_iter.shape == (3, 3)
    assert np.isfinite(res.objectives).all() and res.converged.all()
    assert len(np.unique(res.seeds)) == 9
    np.testing.assert_array_equal(res.seeds, kmeans.sweep_seeds(7, 3, 3))
    for i, k in enumerate([2, 3, 5]):
        for r in range(3):
            one = kmeans.fit(X, k, seed=int(res.seeds[i, r]))
            assert one.final_objective == res.objectives[i, r]
            assert one.n_iter == res.n_iter[i, r]
        b = int(np.argmin(res.objectives[i]))
        assert res.best_restart[i] == b
        assert res.best[i].final_objective == res.objectives[i, b]
        assert res.best[i].centers.shape == (k, 2)
        assert res.best[i].seed == res.seeds[i, b]
    again = kmeans.sweep(X, [2, 3, 5], restarts=3, seed=7)
    np.testing.assert_array_equal(again.objectives, res.objectives)
    other = kmeans.sweep(X, [2, 3, 5], restarts=3, seed=8)
    assert not np.array_equal(other.seeds, res.seeds)


def test_sweep_reports_every_run_as_it_finishes():
    X = blobs(2, 120, 2, 3)
    events = []
    res = kmeans.sweep(X, [2, 3], restarts=3, seed=1, dtype="float32",
                       on_run=lambda i, r, fit: events.append(("run", i, r, fit)),
                       progress=lambda d, t: events.append(("progress", d, t)))
    runs = [e for e in events if e[0] == "run"]
    assert [(i, r) for _, i, r, _ in runs] == [(i, r) for i in range(2) for r in range(3)]
    # each run is announced before its progress tick, with the same numbers the result keeps
    assert [e[0] for e in events] == ["run", "progress"] * 6
    for _, i, r, fit in runs:
        assert fit.final_objective == res.objectives[i, r]
        assert fit.seed == res.seeds[i, r] and fit.n_iter == res.n_iter[i, r]
        again = kmeans.fit(X, [2, 3][i], seed=int(res.seeds[i, r]), dtype="float32")
        np.testing.assert_array_equal(again.labels, fit.labels)


def test_sweep_other_variants():
    X = blobs(1, 80, 2, 3)
    res = kmeans.sweep(X, [2, 4], restarts=2, variant="medoids", metric="l1", init="random", seed=0)
    for i, k in enumerate([2, 4]):
        for r in range(2):
            one = kmeans.fit(X, k, variant="medoids", metric="l1", init="random", seed=int(res.seeds[i, r]))
            assert one.final_objective == res.objectives[i, r]
        assert res.best[i].medoid_indices.shape == (k,)


def test_sweep_cancel_returns_partial_results():
    X = blobs(0, 100, 2, 3)
    polls = []

    def cancel():
        polls.append(1)
        return len(polls) > 6

    with pytest.raises(kmeans.Cancelled) as info:
        kmeans.sweep(X, [2, 3, 4], restarts=4, seed=0, cancel=cancel)
    part = info.value.partial
    done = np.isfinite(part.objectives)
    assert 0 < done.sum() < 12
    assert (part.n_iter[~done] == 0).all()
    full = kmeans.sweep(X, [2, 3, 4], restarts=4, seed=0)
    np.testing.assert_array_equal(part.objectives[done], full.objectives[done])


def test_sweep_errors():
    X = blobs(0, 20, 2, 2)
    with pytest.raises(ParamError, match="n_samples=20 should be >= k=30"):
        kmeans.sweep(X, [2, 30], restarts=2)
    with pytest.raises(ParamError, match="restarts=0"):
        kmeans.sweep(X, [2], restarts=0)
    with pytest.raises(ParamError, match="random initialisation"):
        kmeans.sweep(X, [2], restarts=1, init=X[:2])
    with pytest.raises(ParamError, match="ks is empty"):
        kmeans.sweep(X, [], restarts=1)


# --------------------------------------------------------------------------------------------------
# views
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("variant,metric,p", [("means", None, 2), ("medians", None, 1), ("medoids", None, 2),
                                              ("medoids", "linf", np.inf), ("medoids", "l1", 1)])
def test_voronoi_grid_against_brute_force(variant, metric, p):
    C = np.array([[0.0, 0.0], [3.0, 1.0], [1.0, 4.0], [-2.0, 2.5]])
    res = 37
    grid = kmeans.voronoi_grid(C, (-3, 5), (-1, 6), resolution=res, variant=variant, metric=metric)
    assert grid.shape == (res, res)
    xs, ys = np.linspace(-3, 5, res), np.linspace(-1, 6, res)
    for i in range(0, res, 3):
        for j in range(0, res, 3):
            d = [np.linalg.norm(np.array([xs[j], ys[i]]) - c, ord=p) for c in C]
            assert np.isclose(d[grid[i, j]], min(d), rtol=1e-12)
    assert set(np.unique(grid)) == {0, 1, 2, 3}


def test_voronoi_grid_norms_differ_and_errors():
    C = np.array([[0.0, 0.0], [2.0, 1.0]])
    l1 = kmeans.voronoi_grid(C, (-3, 5), (-3, 5), resolution=60, variant="medians")
    l2 = kmeans.voronoi_grid(C, (-3, 5), (-3, 5), resolution=60, variant="means")
    assert (l1 != l2).any()
    with pytest.raises(ParamError, match="2-D centres"):
        kmeans.voronoi_grid(np.zeros((2, 3)), (0, 1), (0, 1))
    with pytest.raises(ParamError, match="resolution=1"):
        kmeans.voronoi_grid(C, (0, 1), (0, 1), resolution=1)


def test_representatives_follow_the_stated_rule():
    X = blobs(2, 120, 3, 3)
    r = kmeans.fit(X, 3, seed=0)
    rep = kmeans.representatives(X, r.labels, r.centers, n_nearest=4, n_random=3, seed=5)
    assert "4 member(s) nearest to the centre" in rep.rule and "3 other member(s)" in rep.rule
    for j in range(3):
        members = np.flatnonzero(r.labels == j)
        d = np.linalg.norm(X[members] - r.centers[j], axis=1)
        expect = members[np.argsort(d, kind="stable")[:4]]
        assert rep.nearest[j].tolist() == expect.tolist()
        assert len(rep.random[j]) == 3
        assert set(rep.random[j]) <= set(members) - set(expect)
        assert len(set(rep.random[j].tolist())) == 3
    again = kmeans.representatives(X, r.labels, r.centers, n_nearest=4, n_random=3, seed=5)
    assert all(a.tolist() == b.tolist() for a, b in zip(rep.random, again.random))
    other = kmeans.representatives(X, r.labels, r.centers, n_nearest=4, n_random=3, seed=6)
    assert any(a.tolist() != b.tolist() for a, b in zip(rep.random, other.random))


def test_representatives_small_and_empty_clusters():
    X = np.array([[0.0], [1.0], [2.0], [10.0]])
    rep = kmeans.representatives(X, [0, 0, 0, 1], [[0.9], [10.0], [50.0]], n_nearest=2, n_random=5)
    assert rep.nearest[0].tolist() == [1, 0]          # 0.1 then 0.9 (2.0 is 1.1 away)
    assert rep.random[0].tolist() == [2]
    assert rep.nearest[1].tolist() == [3] and rep.random[1].tolist() == []
    assert rep.nearest[2].tolist() == [] and rep.random[2].tolist() == []
    with pytest.raises(ParamError, match="labels has shape"):
        kmeans.representatives(X, [0, 1], [[0.0], [1.0]])


def test_cluster_summary_against_brute_force():
    rng = np.random.default_rng(0)
    labels = rng.integers(-1, 5, size=300)
    truth = rng.integers(0, 10, size=300)
    s = kmeans.cluster_summary(labels, 6, true_labels=truth)
    for j in range(6):
        members = truth[labels == j]
        assert s.sizes[j] == members.size
        if members.size == 0:
            assert s.majority[j] == -1 and np.isnan(s.share[j])
            continue
        counts = np.bincount(members, minlength=10)
        assert s.majority[j] == int(np.argmax(counts))
        assert s.share[j] == pytest.approx(counts.max() / members.size)
    assigned = labels >= 0
    top = sum(np.bincount(truth[labels == j], minlength=10).max() for j in range(5))
    assert s.purity == pytest.approx(top / assigned.sum())
    # points in no group (true label -1) are left out of the majority, its share and the purity
    partly = truth.copy()
    partly[::3] = -1
    s = kmeans.cluster_summary(labels, 6, true_labels=partly)
    known = (labels >= 0) & (partly >= 0)
    for j in range(6):
        members = partly[(labels == j) & known]
        assert s.sizes[j] == (labels == j).sum()
        if members.size:
            counts = np.bincount(members, minlength=10)
            assert s.majority[j] == int(np.argmax(counts))
            assert s.share[j] == pytest.approx(counts.max() / members.size)
    top = sum(np.bincount(partly[(labels == j) & known], minlength=10).max() for j in range(5))
    assert s.purity == pytest.approx(top / known.sum())
    plain = kmeans.cluster_summary(labels, 6)
    assert (plain.majority == -1).all() and np.isnan(plain.share).all() and np.isnan(plain.purity)
    with pytest.raises(ParamError, match="between -1 and k-1=3"):
        kmeans.cluster_summary(labels, 4)
