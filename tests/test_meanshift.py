"""Mean shift (engine.meanshift): scikit-learn's MeanShift as the reference for the flat kernel, a brute-force
implementation written here for the Gaussian kernel, the step protocol, the working, edge cases and bad input."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import MeanShift, estimate_bandwidth
from sklearn.metrics import adjusted_rand_score

import engine
from engine import meanshift as ms
from engine.core.params import ParamError
from engine.data import generate
from engine.meanshift import kernels
from engine.meanshift.working import working


def blobs(n=300, seed=0, k=3):
    return generate("blobs", n=n, seed=seed, k=k).X


def same_partition(a, b):
    """Labels equal up to renaming: a one-to-one map between the two sets of ids."""
    a, b = np.asarray(a), np.asarray(b)
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


# ============================================================================ reference: scikit-learn
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("h", [0.5, 1.0, 2.5])
def test_flat_kernel_equals_scikit_learn_with_every_point_as_seed(seed, h):
    X = blobs(seed=seed)
    ours = ms.fit(X, bandwidth=h, kernel="flat", seeds="all", max_iter=300)
    # scikit-learn moves a window max_iter + 1 times at most: its max_iter is ours minus one
    sk = MeanShift(bandwidth=h, seeds=X, bin_seeding=False, cluster_all=True, max_iter=299).fit(X)
    assert ours.centers.shape == sk.cluster_centers_.shape
    np.testing.assert_allclose(ours.centers, sk.cluster_centers_, rtol=0, atol=1e-6)  # same order too
    assert same_partition(ours.labels, sk.labels_)
    assert adjusted_rand_score(ours.labels, sk.labels_) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("h", [0.7, 1.5])
def test_flat_kernel_equals_scikit_learn_with_bin_seeds(h):
    X = blobs(n=400, seed=3, k=4)
    seeds = ms.bin_seeds(X, h)
    assert 1 < len(seeds) < len(X)
    ours = ms.fit(X, bandwidth=h, seeds="bins")
    sk = MeanShift(bandwidth=h, seeds=seeds, bin_seeding=False, cluster_all=True, max_iter=299).fit(X)
    np.testing.assert_allclose(ours.centers, sk.cluster_centers_, rtol=0, atol=1e-6)
    assert same_partition(ours.labels, sk.labels_)


def test_bin_seeds_are_scikit_learns_cells():
    from sklearn.cluster._mean_shift import get_bin_seeds
    X = blobs(n=500, seed=4)
    for h in (0.5, 1.3):
        sk = get_bin_seeds(X, h, 1)  # float32, in the order first met
        ours = ms.bin_seeds(X, h)
        assert ours.shape == sk.shape
        key = np.lexsort(sk.T[::-1])
        np.testing.assert_allclose(ours, sk[key], rtol=1e-6, atol=1e-6)


def test_given_seeds_and_a_stopped_run_agree_with_scikit_learn():
    X = blobs(n=200, seed=5)
    S = X[::7] + 0.3
    ours = ms.fit(X, bandwidth=1.2, seeds=S)
    sk = MeanShift(bandwidth=1.2, seeds=S, max_iter=299).fit(X)
    np.testing.assert_allclose(ours.centers, sk.cluster_centers_, rtol=0, atol=1e-6)
    assert same_partition(ours.labels, sk.labels_)
    # max_iter reached before every window stopped: scikit-learn's max_iter = ours - 1
    short = ms.fit(X, bandwidth=0.8, max_iter=3)
    sk = MeanShift(bandwidth=0.8, seeds=X, max_iter=2).fit(X)
    assert not short.converged and short.n_iter == 3
    np.testing.assert_allclose(short.centers, sk.cluster_centers_, rtol=0, atol=1e-6)


@pytest.mark.parametrize("seed", [0, 7])
def test_estimated_bandwidth_is_scikit_learns(seed):
    X = blobs(n=250, seed=seed)
    assert ms.estimate_bandwidth(X) == pytest.approx(estimate_bandwidth(X, quantile=0.3), rel=1e-9)
    run = list(ms.steps(X))  # bandwidth 0 = estimate
    assert run[0].payload["estimated"] and run[0].payload["bandwidth"] == pytest.approx(
        estimate_bandwidth(X, quantile=0.3), rel=1e-9)
    assert "estimated" in run[0].description


# ============================================================================ Gaussian kernel: brute force
def brute_gaussian(X, h, seeds, max_iter):
    """Every seed on its own, the textbook way, then the same merge rule (written again here)."""
    finals, strengths = [], []
    for y in seeds:
        y = np.array(y, dtype=float)
        count = 0
        for _ in range(max_iter):
            d2 = np.array([float(np.dot(x - y, x - y)) for x in X])
            w = np.exp(-d2 / (2 * h * h))
            count = int(np.sum(d2 <= h * h))
            new = (w[:, None] * X).sum(axis=0) / w.sum()
            moved = np.linalg.norm(new - y)
            y = new
            if moved <= 1e-3 * h:
                break
        finals.append(tuple(y))
        strengths.append(count)
    found = dict(zip(finals, strengths))
    ranked = sorted(found.items(), key=lambda t: (t[1], t[0]), reverse=True)
    modes = []
    for p, _ in ranked:
        if all(np.linalg.norm(np.array(p) - np.array(q)) > h for q in modes):
            modes.append(p)
    modes = np.array(modes)
    labels = np.array([np.argmin([np.linalg.norm(x - m) for m in modes]) for x in X])
    return modes, labels


@pytest.mark.parametrize("seeds", ["all", "bins"])
def test_gaussian_kernel_equals_brute_force(seeds):
    X = blobs(n=90, seed=2)
    h = 1.3
    S = X if seeds == "all" else ms.bin_seeds(X, h)
    want_modes, want_labels = brute_gaussian(X, h, S, 300)
    got = ms.fit(X, bandwidth=h, kernel="gaussian", seeds=seeds)
    assert got.centers.shape == want_modes.shape
    np.testing.assert_allclose(got.centers, want_modes, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(got.labels, want_labels)


def test_gaussian_windows_feel_far_points_until_the_weight_underflows():
    # a point 30 h away still pulls (exp(-450) > 0): the pass must not prune it; at 40 h the weight is 0
    X = np.array([[0.0, 0.0], [0.4, 0.0]])
    p = kernels.window_pass(kernels.Points(X), np.array([[30.0, 0.0], [40.2, 0.0]]), 1.0, "gaussian")
    w = np.exp(-np.array([30.0, 29.6]) ** 2 / 2)
    np.testing.assert_allclose(p.means[0], (w[:, None] * X).sum(0) / w.sum(), rtol=1e-12)
    assert p.counts.tolist() == [0, 0] and p.weight[0] > 0 and p.weight[1] == 0.0
    np.testing.assert_array_equal(p.means[1], [40.2, 0.0])  # no weight: the window stays


def test_high_dimensional_data_use_the_matrix_product_path():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 0.3, (40, 12)), rng.normal(3, 0.3, (40, 12))])
    got = ms.fit(X, bandwidth=2.0)
    sk = MeanShift(bandwidth=2.0, seeds=X, max_iter=299).fit(X)
    np.testing.assert_allclose(got.centers, sk.cluster_centers_, rtol=0, atol=1e-6)
    assert same_partition(got.labels, sk.labels_)


# ============================================================================ the steps
def test_steps_kinds_centres_labels_and_payload():
    X = blobs(n=120, seed=1)
    run = list(ms.steps(X, bandwidth=1.5))
    kinds = [s.kind for s in run]
    assert kinds[0] == "init" and kinds[-2:] == ["merge", "assign"] and set(kinds[1:-2]) == {"shift"}
    m = X.shape[0]
    for i, s in enumerate(run[:-2]):
        assert s.centers.shape == (m, 2) and (s.labels == -1).all(), i
        assert s.payload["n_inside"].shape == (m,) and s.payload["bandwidth"] == pytest.approx(1.5, rel=1e-15)
    np.testing.assert_array_equal(run[0].centers, X)
    for a, b in zip(run[:-2], run[1:-2]):  # a window that stopped never moves again
        stopped = a.payload["stopped"]
        np.testing.assert_array_equal(b.centers[stopped], a.centers[stopped])
        assert (b.payload["stopped"] >= stopped).all()
        moved = b.payload["moved"]
        np.testing.assert_allclose(np.linalg.norm(b.centers - a.centers, axis=1)[moved], b.payload["shift"][moved],
                                   rtol=1e-12, atol=1e-15)
    merge, last = run[-2], run[-1]
    k = merge.centers.shape[0]
    assert k >= 3 and merge.payload["mode_strength"].shape == (k,)
    assert np.all(np.diff(merge.payload["mode_strength"]) <= 0)  # strongest first
    np.testing.assert_array_equal(merge.payload["windows"], run[-3].centers)
    assert set(merge.payload["mode_of"].tolist()) == set(range(k))
    assert last.done and last.status == "converged" and last.labels.min() >= 0
    np.testing.assert_array_equal(last.centers, merge.centers)
    # the objective climbs (the density of the shadow kernel at the windows), then stays
    assert np.all(np.diff(last.trace) >= -1e-12 * np.abs(last.trace[1:]))
    assert last.trace[-1] == pytest.approx(last.trace[-3], rel=1e-15)


def test_flat_objective_is_the_epanechnikov_density_at_the_windows():
    X = blobs(n=80, seed=2)
    for s in ms.steps(X, bandwidth=1.1):
        if s.kind in ("init", "shift"):
            Y = s.centers
            d2 = ((Y[:, None, :] - X[None, :, :]) ** 2).sum(-1)
            assert s.objective == pytest.approx(np.maximum(1 - d2 / 1.1 ** 2, 0).sum(1).mean(), rel=1e-12)


def test_engine_facade_and_registry():
    X = blobs(n=60)
    assert "meanshift" in engine.algorithms()
    r = engine.fit("meanshift", X, bandwidth=2.0)
    assert isinstance(r, ms.MeanShiftResult) and r.centers.shape[1] == 2 and r.labels.shape == (60,)
    alg = ms.ALGORITHM
    assert alg.objective_label({"kernel": "gaussian"}).startswith("mean Gaussian density")
    assert alg.no_cluster == "not assigned yet"


# ============================================================================ the working
@pytest.mark.parametrize("kernel", ["flat", "gaussian"])
@pytest.mark.parametrize("seeds", ["all", "bins"])
def test_working_agrees_with_every_step(kernel, seeds):
    X = blobs(n=70, seed=4)
    params = ms.ALGORITHM.validate({"bandwidth": 0.0, "kernel": kernel, "seeds": seeds})
    run = list(ms.steps(X, **params))
    for i, s in enumerate(run):
        w = working(X, run, i, params)
        assert w.tables, f"step {i}"
        for key, value in w.derived.items():
            want = getattr(s, key) if key in ("centers", "labels", "objective") else s.payload[key]
            np.testing.assert_allclose(np.asarray(value, dtype=float), np.asarray(want, dtype=float), rtol=1e-9,
                                       atol=1e-12, err_msg=f"step {i} ({s.kind}): {key}")
        for t in w.tables:
            assert t.markdown() and t.latex() and t.csv()
    assert {"centers", "n_inside", "objective"} <= set(working(X, run, 1, params).derived)
    assert "bandwidth" in working(X, run, 0, params).derived
    assert {"centers", "mode_of", "mode_strength"} <= set(working(X, run, len(run) - 2, params).derived)
    assert "labels" in working(X, run, len(run) - 1, params).derived


def test_working_tables_say_what_a_person_checks_by_hand():
    X = np.array([[0.0, 0.0], [0.5, 0.0], [0.0, 0.5], [5.0, 5.0], [5.5, 5.0]])
    params = ms.ALGORITHM.validate({"bandwidth": 1.0})
    run = list(ms.steps(X, **params))
    names = list("ABCDE")
    shift = working(X, run, 1, params, names=names)
    table, inside = shift.tables
    assert table.rows[0] == "w(A)" and table.values[0][2] == 3  # A's window holds A, B, C
    assert inside.rows[:3] == ("A", "B", "C") and inside.rows[-1] == "new position y'"
    np.testing.assert_allclose(inside.values[-1][:2], [1 / 6, 1 / 6], rtol=1e-12)
    merge = working(X, run, 3, params)
    assert merge.tables[1].rows == ("mode 1", "mode 2")
    assign = working(X, run, 4, params, names=names, rows=[3])
    assert assign.tables[0].values[3][-1] == "mode 2" and (3, 1) in assign.tables[0].highlight


def test_working_of_many_windows_shows_the_selected_rows():
    X = blobs(n=400, seed=1)
    params = ms.ALGORITHM.validate({"bandwidth": 1.0})
    run = list(ms.steps(X, **params))
    w = working(X, run, 1, params, rows=[5, 17])
    assert w.tables[0].rows[:2] == ("w(x6)", "w(x18)") and "more windows" in w.tables[0].rows[-1]
    assert w.tables[1].title.startswith("The points of window w(x6)")


# ============================================================================ edge cases
def test_one_point():
    r = ms.fit(np.array([[2.0, 3.0]]))
    np.testing.assert_allclose(r.centers, [[2.0, 3.0]], rtol=0, atol=0)
    assert r.labels.tolist() == [0] and r.bandwidth == pytest.approx(1.0, rel=1e-15) and r.converged


@pytest.mark.parametrize("kernel", ["flat", "gaussian"])
def test_all_points_identical(kernel):
    X = np.tile([[1.5, -2.0]], (12, 1))
    run = list(ms.steps(X, kernel=kernel))
    last = run[-1]
    np.testing.assert_allclose(last.centers, [[1.5, -2.0]], rtol=1e-15, atol=0)
    assert (last.labels == 0).all() and last.done and last.converged
    assert run[-2].payload["mode_strength"].tolist() == [12]


def test_tiny_bandwidth_makes_every_point_its_own_mode():
    X = blobs(n=50, seed=3)
    r = ms.fit(X, bandwidth=1e-9)
    assert r.centers.shape == (50, 2)
    assert sorted(r.labels.tolist()) == list(range(50))
    np.testing.assert_allclose(r.centers[r.labels], X, rtol=0, atol=1e-15)
    assert r.n_iter == 1  # every window stays on its point: one move of length 0


def test_huge_bandwidth_gives_one_mode_at_the_mean():
    X = blobs(n=50, seed=3)
    r = ms.fit(X, bandwidth=1e6)
    np.testing.assert_allclose(r.centers, X.mean(axis=0, keepdims=True), rtol=1e-12, atol=1e-12)


def test_one_dimensional_data():
    X = np.array([0.0, 0.1, 0.2, 5.0, 5.1])
    r = ms.fit(X, bandwidth=1.0)
    np.testing.assert_allclose(r.centers.ravel(), [0.1, 5.05], rtol=1e-12)


def test_empty_seeds_stay_out_and_all_empty_is_an_error():
    X = np.array([[0.0, 0.0], [0.3, 0.0]])
    run = list(ms.steps(X, bandwidth=1.0, seeds=np.array([[0.0, 0.0], [50.0, 50.0]])))
    assert run[0].payload["empty"].tolist() == [False, True] and "1 hold no point" in run[0].description
    assert run[-2].payload["mode_of"].tolist() == [0, -1] and run[-1].centers.shape == (1, 2)
    with pytest.raises(ParamError, match="No point is within the bandwidth"):
        list(ms.steps(X, bandwidth=1.0, seeds=np.array([[50.0, 50.0]])))


@pytest.mark.parametrize("kwargs, match", [
    ({"bandwidth": -1.0}, r"bandwidth=-1.0 should be a number > 0 .* or 0 to estimate"),
    ({"bandwidth": float("nan")}, "bandwidth=nan should be a number > 0"),
    ({"bandwidth": "wide"}, "bandwidth='wide' should be a number"),
    ({"kernel": "epanechnikov"}, r"kernel='epanechnikov' is not allowed; choose one of 'flat', 'gaussian'"),
    ({"seeds": "grid"}, r"seeds='grid' is not allowed"),
    ({"seeds": np.zeros((3, 5))}, r"seeds of shape \(3, 5\) should be \(m, 2\)"),
    ({"seeds": np.array([[np.nan, 0.0]])}, "seeds contain NaN"),
    ({"max_iter": 0}, "max_iter=0 should be >= 1"),
    ({"max_iter": 2.5}, "max_iter=2.5 should be a whole number"),
])
def test_bad_parameters_say_what_to_do(kwargs, match):
    with pytest.raises(ParamError, match=match):
        ms.steps(blobs(n=20), **kwargs)


def test_bad_data_is_refused_clearly():
    with pytest.raises(ParamError, match="NaN or infinity"):
        ms.fit(np.array([[0.0, np.nan]]))
    with pytest.raises(ParamError, match="at least 1 needed"):
        ms.fit(np.empty((0, 2)))


def test_memory_is_bounded_by_blocks():
    # 3,000 windows x 3,000 points would be 72 MB of distances at once; the blocks stay under the budget
    X = blobs(n=3000, seed=0)
    pts = kernels.Points(X)
    step = kernels._block_size(pts.n)
    assert step * pts.n <= max(kernels.BUDGET, 16 * pts.n)
    p = kernels.window_pass(pts, X, 1.0, "flat")
    d2 = ((X[:50, None, :] - X[None, :, :]) ** 2).sum(-1)
    np.testing.assert_array_equal(p.counts[:50], (d2 <= 1.0).sum(1))
