"""engine.kmeans: Lloyd K-means against scikit-learn and by hand, K-medians, K-medoids, seeding, edge cases."""
from __future__ import annotations

import itertools
from fractions import Fraction as F

import numpy as np
import pytest
from scipy import stats
from sklearn.cluster import KMeans

from engine import data as edata
from engine import kmeans
from engine.kmeans.kernels import pair_evaluations, pairwise_totals
from engine.core.params import ParamError
from engine.core.steps import Step



def mnist(n):
    """The first ``n`` shipped MNIST images as engine.data gives them ((n, 784) float64 in [0, 1])."""
    return np.asarray(edata.mnist(n).X)


def blobs(seed=0, n=300, d=2, k=4):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=4.0, size=(k, d))
    return centres[rng.integers(k, size=n)] + rng.normal(size=(n, d))


def brute_objective(X, labels, centers, variant, metric=None):
    diff = X - centers[labels]
    if variant == "means":
        return float((diff ** 2).sum())
    if variant == "medians" or metric == "l1":
        return float(np.abs(diff).sum())
    if metric == "linf":
        return float(np.abs(diff).max(axis=1).sum())
    return float(np.sqrt((diff ** 2).sum(axis=1)).sum())


def brute_dist(X, C, variant, metric=None):
    diff = X[:, None, :] - C[None, :, :]
    if variant == "means":
        return (diff ** 2).sum(axis=2)
    if variant == "medians" or metric == "l1":
        return np.abs(diff).sum(axis=2)
    if metric == "linf":
        return np.abs(diff).max(axis=2)
    return np.sqrt((diff ** 2).sum(axis=2))


# --------------------------------------------------------------------------------------------------
# Textbook exercise 3, computed by hand
# --------------------------------------------------------------------------------------------------
def test_exercise3_by_hand():
    A, B, C, D, E = (1, 1), (1, 0), (0, 2), (2, 4), (3, 5)
    X = np.array([A, B, C, D, E], dtype=float)

    def sq(p, q):
        return sum((F(a) - F(b)) ** 2 for a, b in zip(p, q))

    # iteration 1, assign to mu1 = A, mu2 = C: A, B -> 1;  C, D (10 vs 8), E (20 vs 18) -> 2
    mu1, mu2 = A, C
    J1a = sq(A, mu1) + sq(B, mu1) + sq(C, mu2) + sq(D, mu2) + sq(E, mu2)
    assert J1a == 27
    # update: mu1 = mean(A, B) = (1, 1/2), mu2 = mean(C, D, E) = (5/3, 11/3)
    mu1, mu2 = (F(1), F(1, 2)), (F(5, 3), F(11, 3))
    J1u = sq(A, mu1) + sq(B, mu1) + sq(C, mu2) + sq(D, mu2) + sq(E, mu2)
    assert J1u == F(1, 2) + F(84, 9)
    # iteration 2, assign: C is now nearer mu1 (13/4 < 50/9): {A, B, C}, {D, E}
    assert sq(C, mu1) == F(13, 4) and sq(C, mu2) == F(50, 9)
    J2a = sq(A, mu1) + sq(B, mu1) + sq(C, mu1) + sq(D, mu2) + sq(E, mu2)
    mu1, mu2 = (F(2, 3), F(1)), (F(5, 2), F(9, 2))
    J2u = sq(A, mu1) + sq(B, mu1) + sq(C, mu1) + sq(D, mu2) + sq(E, mu2)
    assert J2u == F(33, 9)
    # iteration 3, assign: nothing changes -> converged

    steps = list(kmeans.steps(X, 2, init=X[[0, 2]]))
    assert [s.kind for s in steps] == ["init", "assign", "update", "assign", "update", "assign"]
    expected_labels = [None, [0, 0, 1, 1, 1], [0, 0, 1, 1, 1], [0, 0, 0, 1, 1], [0, 0, 0, 1, 1], [0, 0, 0, 1, 1]]
    expected_centres = [[A, C], [A, C], [(1, 0.5), (5 / 3, 11 / 3)], [(1, 0.5), (5 / 3, 11 / 3)],
                        [(2 / 3, 1), (2.5, 4.5)], [(2 / 3, 1), (2.5, 4.5)]]
    expected_J = [27, J1a, J1u, J2a, J2u, J2u]      # init: objective of assigning to the nearest start
    for s, lab, cen, J in zip(steps, expected_labels, expected_centres, expected_J):
        if lab is None:
            assert s.labels.tolist() == [-1] * 5
        else:
            assert s.labels.tolist() == lab
        np.testing.assert_allclose(s.centers, cen, rtol=1e-15)
        assert s.objective == pytest.approx(float(J), rel=1e-14)
    assert [s.payload["n_changed"] for s in steps[1:]] == [5, 0, 1, 0, 0]
    assert steps[3].payload["changed"].tolist() == [2]          # C moved to cluster 1
    last = steps[-1]
    assert last.done and last.status == "converged" and last.iteration == 3
    assert not any(s.done for s in steps[:-1])
    r = kmeans.fit(X, 2, init=X[[0, 2]])
    assert r.n_iter == 3 and r.converged
    np.testing.assert_allclose(r.objective, [float(J1u), float(J2u), float(J2u)], rtol=1e-14)


# --------------------------------------------------------------------------------------------------
# Agreement with scikit-learn (same starting centres)
# --------------------------------------------------------------------------------------------------
def assert_same_as_sklearn(X, C0, max_iter=1000):
    k = C0.shape[0]
    r = kmeans.fit(X, k, init=C0, max_iter=max_iter)
    km = KMeans(k, init=C0, n_init=1, algorithm="lloyd", tol=0, max_iter=max_iter).fit(X)
    assert r.converged
    assert r.n_iter == km.n_iter_
    np.testing.assert_array_equal(r.labels, km.labels_)
    np.testing.assert_allclose(r.centers, km.cluster_centers_, rtol=0, atol=1e-10)
    assert r.final_objective == pytest.approx(km.inertia_, rel=1e-10)
    assert r.objective[-1] == r.final_objective
    return r


@pytest.mark.parametrize("seed,n,d,k", [(0, 200, 2, 3), (1, 500, 5, 7), (2, 120, 40, 4), (3, 60, 3, 20)])
def test_same_as_sklearn_on_random_data(seed, n, d, k):
    X = blobs(seed, n, d, k=max(2, k // 2))
    C0 = X[np.random.default_rng(seed).choice(n, k, replace=False)]
    assert_same_as_sklearn(X, C0)


@pytest.mark.slow
@pytest.mark.parametrize("k", [3, 10])
def test_same_as_sklearn_on_mnist(k):
    X = mnist(400)
    C0 = X[np.random.default_rng(k).choice(len(X), k, replace=False)]
    assert_same_as_sklearn(X, C0)


def test_float32_run_matches_float64_run_on_mnist():
    X = mnist(300)
    C0 = X[[3, 50, 100, 150, 299]]
    r64 = kmeans.fit(X, 5, init=C0)
    r32 = kmeans.fit(X.astype(np.float32), 5, init=C0)
    assert np.mean(r32.labels == r64.labels) > 0.99
    assert r32.final_objective == pytest.approx(r64.final_objective, rel=1e-5)
    r32b = kmeans.fit(X, 5, init=C0, dtype="float32")
    np.testing.assert_array_equal(r32b.labels, r32.labels)


# --------------------------------------------------------------------------------------------------
# Properties of every variant
# --------------------------------------------------------------------------------------------------
CONFIGS = [("means", None), ("medians", None), ("medoids", "l2"), ("medoids", "l1"), ("medoids", "linf")]
DATASETS = {
    "blobs": lambda: blobs(0, 150, 2, 4),
    "wide": lambda: blobs(5, 80, 6, 3),
    "uniform": lambda: np.random.default_rng(9).random((100, 2)),
    "grid-ties": lambda: np.array([[i, j] for i in range(6) for j in range(6)], dtype=float),
}


@pytest.mark.parametrize("variant,metric", CONFIGS)
@pytest.mark.parametrize("data", sorted(DATASETS))
@pytest.mark.parametrize("init", kmeans.INITS)
def test_objective_never_increases_and_is_what_it_says(variant, metric, data, init):
    X = DATASETS[data]()
    k = 5
    steps = list(kmeans.steps(X, k, variant=variant, init=init, metric=metric, seed=11))
    objs = np.array([s.objective for s in steps])
    defined = objs[~np.isnan(objs)]
    assert np.all(np.diff(defined) <= 1e-12 * defined[0]), np.diff(defined).max()
    assert steps[-1].done and steps[-1].status in ("converged", "max_iter")
    np.testing.assert_array_equal(steps[-1].trace, objs)
    prev_labels = None
    for s in steps:
        if s.kind in ("assign", "update") or (s.kind == "init" and s.labels.min() >= 0):
            brute = brute_objective(X, s.labels, s.centers, variant, metric)
            assert s.objective == pytest.approx(brute, rel=1e-9, abs=1e-12)
        if s.kind == "assign":
            D = brute_dist(X, s.centers, variant, metric)
            np.testing.assert_allclose(D[np.arange(len(X)), s.labels], D.min(axis=1), rtol=1e-12, atol=1e-12)
        if s.kind in ("assign", "update") and prev_labels is not None:
            changed = np.flatnonzero(s.labels != prev_labels)
            assert s.payload["changed"].tolist() == changed.tolist()
            assert s.payload["n_changed"] == changed.size
        prev_labels = s.labels
        if variant == "medoids" and s.kind != "seed":
            med = s.payload["medoid_indices"]
            np.testing.assert_array_equal(X[med], s.centers)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kmedians_centres_are_coordinatewise_medians(seed):
    X = blobs(seed, 200, 3, 3)
    r = kmeans.fit(X, 4, variant="medians", seed=seed)
    assert r.converged
    for j in range(4):
        np.testing.assert_array_equal(r.centers[j], np.median(X[r.labels == j], axis=0))
    D = brute_dist(X, r.centers, "medians")
    np.testing.assert_allclose(D[np.arange(len(X)), r.labels], D.min(axis=1), rtol=1e-13)


@pytest.mark.parametrize("metric", ["l2", "l1", "linf"])
def test_medoids_are_members_of_least_total_distance(metric):
    X = blobs(4, 90, 2, 3)
    steps = list(kmeans.steps(X, 3, variant="medoids", metric=metric, seed=4))
    for s in steps:
        if s.kind != "update":
            continue
        med = s.payload["medoid_indices"]
        for j in range(3):
            members = np.flatnonzero(s.labels == j)
            assert med[j] in members
            P = X[members]
            totals = brute_dist(P, P, "medoids", metric).sum(axis=1)
            assert totals[members.tolist().index(med[j])] <= totals.min() * (1 + 1e-12)
    assert steps[-1].converged


@pytest.mark.parametrize("metric", ["l1", "l2", "linf"])
@pytest.mark.parametrize("m,d", [(1, 3), (2, 1), (9, 4), (257, 3), (70, 20), (60, 784)])
def test_pairwise_totals_against_brute_force(metric, m, d):
    rng = np.random.default_rng(m + d)
    A = rng.normal(size=(m, d))
    A[m // 2:] = np.round(A[m // 2:], 1)  # ties and duplicates
    A[-1] = A[0]
    ref = brute_dist(A, A, "medoids", metric).sum(axis=1)
    # l2 in many dimensions uses the Gram form: a zero distance comes out as sqrt(rounding), ~1e-7 |a|
    rtol = 1e-8 if metric == "l2" and d > 32 else 1e-12
    np.testing.assert_allclose(pairwise_totals(A, metric), ref, rtol=rtol, atol=1e-12)


def test_medoid_update_states_its_cost():
    X = blobs(5, 120, 3, 3)
    for metric in ("l1", "l2"):
        for s in kmeans.steps(X, 3, variant="medoids", metric=metric, seed=1):
            if s.kind == "update":
                sizes = np.bincount(s.labels, minlength=3)
                work = pair_evaluations(sizes, metric, 3)
                assert f"{work:.2g} coordinate operations" in s.description
                assert ("sorted" in s.description) == (metric == "l1")
    assert pair_evaluations([4, 6], "l2", 5) == (16 + 36) * 5


def test_medoids_given_centres_move_to_nearest_data_points():
    X = blobs(2, 50, 2, 2)
    C0 = X[[3, 30]] + 1e-3
    first = next(iter(kmeans.steps(X, 2, variant="medoids", init=C0)))
    assert first.payload["medoid_indices"].tolist() == [3, 30]
    np.testing.assert_array_equal(first.centers, X[[3, 30]])
    assert "nearest data point" in first.description


# --------------------------------------------------------------------------------------------------
# K-means++
# --------------------------------------------------------------------------------------------------
def test_kmeanspp_second_draw_follows_d2_distribution():
    X = np.array([[0.0], [1.0], [3.0], [6.0], [10.0], [15.0]])
    n, runs = len(X), 3000
    first = np.zeros(n)
    observed = np.zeros(n)
    expected = np.zeros(n)
    for seed in range(runs):
        s1, s2 = itertools.islice(kmeans.steps(X, 2, seed=seed), 2)
        assert s1.kind == s2.kind == "seed"
        i0, i1 = s1.payload["chosen"], s2.payload["chosen"]
        np.testing.assert_allclose(s1.payload["probs"], 1.0 / n)
        d2 = ((X - X[i0]) ** 2).sum(axis=1)
        np.testing.assert_allclose(s2.payload["probs"], d2 / d2.sum(), rtol=1e-14)
        first[i0] += 1
        observed[i1] += 1
        expected += d2 / d2.sum()
        assert i1 != i0
    assert stats.chisquare(first, np.full(n, runs / n)).pvalue > 1e-3
    assert stats.chisquare(observed, expected).pvalue > 1e-3
    # the test can fail: drawing proportionally to D (not D^2) is rejected
    wrong = np.zeros(n)
    for seed in range(runs):
        i0 = seed % n
        d = np.abs(X[:, 0] - X[i0, 0])
        wrong += d / d.sum()
    assert stats.chisquare(observed, wrong).pvalue < 1e-6


def test_kmeanspp_steps_show_partial_centres_and_nan_objective():
    X = blobs(1, 100, 2, 3)
    seeds = [s for s in kmeans.steps(X, 3, seed=5) if s.kind == "seed"]
    assert len(seeds) == 3
    for j, s in enumerate(seeds):
        assert s.centers.shape == (j + 1, 2)
        np.testing.assert_array_equal(s.centers[-1], X[s.payload["chosen"]])
        assert (s.labels == -1).all()
        assert s.payload["probs"].shape == (100,)
        assert s.payload["probs"].sum() == pytest.approx(1.0)
    assert np.isnan(seeds[0].objective) and np.isnan(seeds[1].objective)
    D = brute_dist(X, seeds[2].centers, "means")
    assert seeds[2].objective == pytest.approx(D.min(axis=1).sum(), rel=1e-12)


def test_kmeanspp_with_duplicates_in_many_dimensions_never_draws_a_duplicate():
    rng = np.random.default_rng(0)
    base = rng.random((5, 50)).astype(np.float32)
    X = np.repeat(base, 20, axis=0)        # 5 distinct points, 20 copies each, Gram form (d > 32)
    for seed in range(20):
        r = kmeans.fit(X, 5, seed=seed)
        assert np.unique(r.init_centers, axis=0).shape[0] == 5
        assert 0.0 <= r.final_objective < 1e-3          # float32 Gram rounding, never below 0


# --------------------------------------------------------------------------------------------------
# Reproducibility, edge cases, clear errors
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("init", kmeans.INITS)
@pytest.mark.parametrize("variant", kmeans.VARIANTS)
def test_seed_reproduces_a_run_exactly(init, variant):
    X = blobs(3, 120, 2, 3)
    a = list(kmeans.steps(X, 4, variant=variant, init=init, seed=123))
    b = list(kmeans.steps(X, 4, variant=variant, init=init, seed=123))
    assert len(a) == len(b)
    for s, t in zip(a, b):
        assert s.kind == t.kind and s.description == t.description
        np.testing.assert_array_equal(s.labels, t.labels)
        np.testing.assert_array_equal(s.centers, t.centers)
        assert s.objective == t.objective or (np.isnan(s.objective) and np.isnan(t.objective))
    c = list(kmeans.steps(X, 4, variant=variant, init=init, seed=124))
    assert any(not np.array_equal(s.centers, t.centers) for s, t in zip(a, c) if s.kind != "seed")


def test_k_equals_one_and_k_equals_n():
    X = blobs(0, 30, 2, 2)
    r = kmeans.fit(X, 1, seed=0)
    assert (r.labels == 0).all() and r.converged and r.n_iter == 2
    np.testing.assert_allclose(r.centers[0], X.mean(axis=0), rtol=1e-14)
    for init in kmeans.INITS:
        r = kmeans.fit(X, 30, init=init, seed=0)
        assert r.converged and sorted(r.labels.tolist()) == list(range(30))
        assert r.final_objective == pytest.approx(0.0, abs=1e-20)


def test_clear_errors():
    X = blobs(0, 5, 2, 2)
    with pytest.raises(ParamError, match=r"n_samples=5 should be >= k=8"):
        kmeans.steps(X, 8)
    with pytest.raises(ParamError, match="k=0"):
        kmeans.fit(X, 0)
    Xn = X.copy()
    Xn[2, 1] = np.nan
    with pytest.raises(ParamError, match="NaN"):
        kmeans.steps(Xn, 2)
    with pytest.raises(ParamError, match="variant='kmeans'"):
        kmeans.steps(X, 2, variant="kmeans")
    with pytest.raises(ParamError, match="init='kmeans'"):
        kmeans.steps(X, 2, init="kmeans")
    with pytest.raises(ParamError, match="init has 3 starting centre"):
        kmeans.steps(X, 2, init=X[:3])
    with pytest.raises(ParamError, match="metric='l3'"):
        kmeans.steps(X, 2, variant="medoids", metric="l3")
    with pytest.raises(ParamError, match="max_iter=0"):
        kmeans.steps(X, 2, max_iter=0)
    with pytest.raises(ParamError, match="dtype"):
        kmeans.steps(X, 2, dtype="int8")


@pytest.mark.parametrize("init", kmeans.INITS)
@pytest.mark.parametrize("variant", kmeans.VARIANTS)
def test_more_clusters_than_distinct_points_is_refused_clearly(init, variant):
    X = np.array([[0.0, 0.0]] * 4 + [[1.0, 1.0]] * 3 + [[5.0, 0.0]] * 3)
    with pytest.raises(ParamError, match=r"only 3 distinct point\(s\) but k=4.*k <= 3"):
        list(kmeans.steps(X, 4, variant=variant, init=init, seed=0))
    r = kmeans.fit(X, 3, variant=variant, init=init, seed=0)      # as many clusters as distinct points: fine
    assert r.final_objective == pytest.approx(0.0, abs=1e-12)
    assert sorted(np.bincount(r.labels).tolist()) == [3, 3, 4]


def test_empty_cluster_is_reseeded_with_the_farthest_point():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [10.0, 0.0], [11.0, 0.0], [30.0, 0.0]])
    C0 = np.array([[0.5, 0.5], [12.0, 0.0], [100.0, 100.0]])     # the third centre attracts nobody
    steps = list(kmeans.steps(X, 3, init=C0))
    assign, update = steps[1], steps[2]
    assert assign.labels.tolist() == [0, 0, 0, 1, 1, 1]
    # distances to the assigned centres: the farthest is x5 = (30, 0), 18 from (12, 0)
    far = ((X - C0[assign.labels]) ** 2).sum(axis=1)
    assert int(np.argmax(far)) == 5
    assert update.payload["reseeded"] == [2]
    assert update.payload["changed"].tolist() == [5]
    assert update.labels.tolist() == [0, 0, 0, 1, 1, 2]
    np.testing.assert_array_equal(update.centers[2], X[5])
    np.testing.assert_allclose(update.centers[1], [10.5, 0.0])
    assert "cluster 3 was empty" in update.description and "point x6," in update.description  # x6 = X[5]
    assert "taken from cluster 2)" in update.description  # clusters counted from 1, as the window does
    assert update.objective == pytest.approx(brute_objective(X, update.labels, update.centers, "means"), rel=1e-12)
    assert update.objective < assign.objective
    assert steps[-1].converged
    s = list(kmeans.steps(X, 3, variant="medians", init=C0))
    assert s[2].payload["reseeded"] == [2] and s[2].labels.tolist() == [0, 0, 0, 1, 1, 2]
    assert s[-1].converged


@pytest.mark.parametrize("variant", kmeans.VARIANTS)
def test_random_partition_with_an_empty_group_is_reseeded(variant):
    X = blobs(1, 7, 2, 2)
    rng_seed = next(s for s in range(1000) if np.bincount(np.random.default_rng(s).integers(0, 4, size=7),
                                                          minlength=4).min() == 0)
    raw = np.random.default_rng(rng_seed).integers(0, 4, size=7)
    first = next(iter(kmeans.steps(X, 4, variant=variant, init="random-partition", seed=rng_seed)))
    empty = np.flatnonzero(np.bincount(raw, minlength=4) == 0).tolist()
    assert first.payload["reseeded"] == empty
    assert np.bincount(first.labels, minlength=4).min() >= 1
    assert "was empty" in first.description
    moved = np.flatnonzero(first.labels != raw)
    assert len(moved) == len(empty)
    for j in range(4):
        members = X[first.labels == j]
        if variant == "means":
            np.testing.assert_allclose(first.centers[j], members.mean(axis=0), rtol=1e-13)
        elif variant == "medians":
            np.testing.assert_allclose(first.centers[j], np.median(members, axis=0))
        else:
            assert any(np.array_equal(first.centers[j], m) for m in members)


def test_labels_are_compact_and_shared_between_assign_and_update():
    X = blobs(0, 200, 2, 3)
    steps = list(kmeans.steps(X, 3, seed=1))
    for a, u in zip(steps, steps[1:]):
        if a.kind == "assign" and u.kind == "update" and not u.payload["reseeded"]:
            assert u.labels is a.labels
        if a.kind == "update" and u.kind == "assign":
            assert u.centers is a.centers
    assert steps[-1].labels.dtype == np.int8 and not steps[-1].labels.flags.writeable
    assert all(isinstance(s, Step) for s in steps)


def test_max_iter_stops_at_an_update_step():
    X = blobs(0, 300, 2, 5)
    steps = list(kmeans.steps(X, 6, init="random", seed=3, max_iter=2))
    assert [s.kind for s in steps] == ["init", "assign", "update", "assign", "update"]
    assert steps[-1].done and steps[-1].status == "max_iter" and steps[-1].iteration == 2
    r = kmeans.fit(X, 6, init="random", seed=3, max_iter=2)
    assert not r.converged and r.n_iter == 2 and len(r.objective) == 2
    assert r.objective[-1] == steps[-1].objective


def test_random_partition_init_shows_the_partition():
    X = blobs(2, 100, 2, 3)
    first = next(iter(kmeans.steps(X, 3, init="random-partition", seed=0)))
    assert first.kind == "init" and first.labels.min() == 0
    for j in range(3):
        np.testing.assert_allclose(first.centers[j], X[first.labels == j].mean(axis=0), rtol=1e-13)
    assert first.objective == pytest.approx(brute_objective(X, first.labels, first.centers, "means"), rel=1e-12)


def test_algorithm_declaration_drives_steps():
    alg = kmeans.ALGORITHM
    assert alg.name == "kmeans" and alg.objective_sense == "min"
    params = alg.validate({"k": 2, "variant": "medoids", "metric": "l1"})
    X = blobs(0, 40, 2, 2)
    steps = list(alg.steps(X, **params))
    assert steps[-1].done
    with pytest.raises(ParamError):
        alg.validate({"k": 0})
    assert set(kmeans.INITS) == set(next(p for p in alg.params if p.name == "init").choices)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pruned_assignment_is_the_nearest_centre_on_mnist(dtype):
    """Assign steps skip points whose bounds prove they keep their centre; check every point anyway."""
    X = mnist(1500)
    for s in kmeans.steps(X, 8, seed=2, dtype=dtype, max_iter=40):
        if s.kind != "assign":
            continue
        D = ((X[:, None, :] - s.centers[None, :, :]) ** 2).sum(axis=2)
        mine = D[np.arange(len(X)), s.labels]
        np.testing.assert_allclose(mine, D.min(axis=1), rtol=1e-5 if dtype == "float32" else 1e-12)
        if dtype == "float64":
            np.testing.assert_array_equal(s.labels, D.argmin(axis=1))


def test_the_kmeanspp_step_text_names_the_distance_whose_square_is_drawn():
    """Issue #11: the text said "D^2 / sum D^2, D = squared l2 distance" (a fourth power). The probability in
    the text is the squared Euclidean distance to the nearest chosen centre over its sum."""
    import re
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 3.0], [4.0, 4.0], [2.0, 1.0]])
    run = list(kmeans.steps(X, 3, init="k-means++", seed=4))
    seeds = [s for s in run if s.kind == "seed"]
    assert len(seeds) == 3
    for j, s in enumerate(seeds[1:], 1):
        assert "D = ℓ2 distance" in s.description and "squared" not in s.description
        chosen = [int(np.flatnonzero(np.all(X == c, axis=1))[0]) for c in np.asarray(seeds[j - 1].centers)]
        i = int(np.flatnonzero(np.all(X == np.asarray(s.centers)[-1], axis=1))[0])
        d2 = ((X[:, None, :] - X[chosen][None, :, :]) ** 2).sum(axis=2).min(axis=1)
        shown = float(re.search(r"probability ([0-9.e-]+)", s.description).group(1))
        assert shown == pytest.approx(d2[i] / d2.sum(), rel=1e-2)
    medians = [s for s in kmeans.steps(X, 2, variant="medians", init="k-means++", seed=0) if s.kind == "seed"]
    assert "D = ℓ1 distance" in medians[1].description


@pytest.mark.parametrize("variant,metric,word", [("means", None, "squared ℓ2"), ("medians", None, "ℓ1"),
                                                 ("medoids", "l2", "ℓ2"), ("medoids", "linf", "ℓ∞")])
def test_step_texts_write_the_distance_as_the_course_does(variant, metric, word):
    """Issue #12: "(squared l2)", "l∞" and the like were the parameter values; every text says ℓ1, ℓ2, ℓ∞."""
    import re
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [10.0, 0.0], [11.0, 0.0], [30.0, 0.0]])
    run = list(kmeans.steps(X, 3, variant=variant, metric=metric, init="k-means++", seed=1))
    assert f"each point to its nearest centre ({word})" in run[3].description
    if variant == "medoids":
        assert f"the member with the least total {word} distance" in run[4].description
    else:  # the third centre attracts nobody and is re-seeded: that text names the distance too
        run += list(kmeans.steps(X, 3, variant=variant, init=np.array([[0.5, 0.5], [12.0, 0.0], [100.0, 100.0]])))
        assert f"({word} distance " in run[-2].description and "re-seeded" in run[-2].description
    reps = kmeans.representatives(X, run[3].labels, run[3].centers, n_nearest=1, n_random=1,
                                  metric=metric or {"means": "sqeuclidean", "medians": "l1"}[variant])
    texts = [s.description for s in run] + [reps.rule]
    assert not [t for t in texts if re.search(r"\bl(1|2|inf)\b|l∞", t)]
    assert f"({word.replace('squared ', '')} distance)" in reps.rule
    assert kmeans.ALGORITHM.objective_label({"variant": variant, "metric": metric}) == f"J = sum of {word} distances"
