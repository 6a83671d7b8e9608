"""engine.dbscan: agreement with scikit-learn's DBSCAN (three metrics), the steps, the working, edge cases."""
import numpy as np
import pytest
from sklearn.cluster import DBSCAN

from engine import dbscan
from engine import session as esession
from engine.core.params import ParamError
from engine.core.registry import get_algorithm
from engine.dbscan import grid
from engine.dbscan.working import working

SK = {"l1": "manhattan", "l2": "euclidean", "linf": "chebyshev"}
METRICS = ("l1", "l2", "linf")


def sk_fit(X, eps, min_samples, metric):
    m = DBSCAN(eps=eps, min_samples=min_samples, metric=SK[metric]).fit(X)
    core = np.zeros(len(X), dtype=bool)
    core[m.core_sample_indices_] = True
    return m.labels_, core


def same_partition(a, b) -> bool:
    """Equal up to renaming the clusters (-1 stays -1)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or not np.array_equal(a < 0, b < 0):
        return False
    pairs = set(zip(a[a >= 0].tolist(), b[b >= 0].tolist()))
    return len(pairs) == len({p[0] for p in pairs}) == len({p[1] for p in pairs})


def moons_with_noise(n=300, seed=0):
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, n)
    half = n // 2
    X = np.where(np.arange(n)[:, None] < half, np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    X = X + rng.normal(0, 0.08, size=X.shape)
    return np.vstack([X, rng.uniform(-1.5, 2.5, size=(30, 2))])


def touching_blobs(seed=3):
    """Blobs close enough that many border points lie within ε of core points of two clusters."""
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(c, 0.35, size=(120, 2)) for c in ([0, 0], [1.6, 0], [0.8, 1.3])])
    return X[rng.permutation(len(X))]


# --- the reference ---------------------------------------------------------------------------------

@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("data,eps,min_samples", [
    ("moons", 0.15, 5), ("moons", 0.25, 8), ("blobs", 0.2, 6), ("blobs", 0.3, 12), ("blobs3d", 0.6, 5)])
def test_fit_and_steps_equal_scikit_learn(metric, data, eps, min_samples):
    X = {"moons": moons_with_noise, "blobs": touching_blobs,
         "blobs3d": lambda: np.random.default_rng(5).normal(size=(400, 3))}[data]()
    want_labels, want_core = sk_fit(X, eps, min_samples, metric)
    r = dbscan.fit(X, eps=eps, min_samples=min_samples, metric=metric)
    np.testing.assert_array_equal(r.core, want_core)  # booleans: exact
    np.testing.assert_array_equal(r.labels < 0, want_labels < 0)  # the noise: exact
    assert same_partition(r.labels, want_labels)
    # scikit-learn numbers clusters by their lowest-index core point too: the very same labels
    np.testing.assert_array_equal(r.labels, want_labels)
    last = list(dbscan.steps(X, eps=eps, min_samples=min_samples, metric=metric))[-1]
    np.testing.assert_array_equal(last.labels, r.labels)
    np.testing.assert_array_equal(last.payload["core"], want_core)


def bridged_blobs(seed=0):
    """Dense blobs in a row, a lone point between each two neighbours within ε of both (never core), shuffled."""
    rng = np.random.default_rng(seed)
    blobs = [rng.uniform(-0.1, 0.1, size=(15, 2)) + [2.0 * j, 0] for j in range(4)]
    bridges = [[2.0 * j + 1.0, 0.0] for j in range(3)]
    X = np.vstack(blobs + [bridges])
    return X[rng.permutation(len(X))]


def test_border_points_of_several_clusters_follow_scikit_learn():
    X = bridged_blobs()
    eps, ms = 0.95, 10
    want, core = sk_fit(X, eps, ms, "l2")
    r = dbscan.fit(X, eps=eps, min_samples=ms, metric="l2")
    # the case of the rule: border points with core neighbours in two or more clusters
    p = grid.neighbour_pairs(X, eps, "l2")
    many = 0
    for i in np.flatnonzero(~r.core & (r.labels >= 0)):
        nb = np.concatenate([p.b[p.a == i], p.a[p.b == i]])
        ks = set(r.labels[nb[r.core[nb]]].tolist())
        many += len(ks) > 1
        assert r.labels[i] == min(ks)
    assert many >= 1, "the data should have border points shared between clusters"
    np.testing.assert_array_equal(r.labels, want)


@pytest.mark.parametrize("metric", METRICS)
def test_random_data_many_settings(metric):
    rng = np.random.default_rng(11)
    for _ in range(12):
        n, d = int(rng.integers(2, 250)), int(rng.integers(1, 4))
        X = rng.normal(size=(n, d)) * rng.uniform(0.5, 3)
        if rng.uniform() < 0.4:
            X = np.round(X, 1)  # duplicates and distances exactly ε
        eps, ms = float(rng.uniform(0.05, 1.0)), int(rng.integers(1, 9))
        want, core = sk_fit(X, eps, ms, metric)
        r = dbscan.fit(X, eps=eps, min_samples=ms, metric=metric)
        np.testing.assert_array_equal(r.core, core)
        np.testing.assert_array_equal(r.labels, want)


def test_neighbour_pairs_equal_brute_force():
    rng = np.random.default_rng(4)
    X = rng.uniform(0, 3, size=(500, 2))
    for metric in METRICS:
        p = grid.neighbour_pairs(X, 0.2, metric)
        D = np.abs(X[:, None, :] - X[None, :, :])
        dist = {"l1": D.sum(2), "l2": np.sqrt((D ** 2).sum(2)), "linf": D.max(2)}[metric]
        want = {(i, j) for i, j in zip(*np.nonzero(dist <= 0.2)) if i < j}
        assert set(zip(p.a.tolist(), p.b.tolist())) == want
        np.testing.assert_array_equal(p.counts, (dist <= 0.2).sum(axis=1))


# --- the steps -----------------------------------------------------------------------------------------

def test_steps_protocol():
    X = moons_with_noise()
    run = list(dbscan.steps(X, eps=0.15, min_samples=5, metric="l2"))
    kinds = [s.kind for s in run]
    assert kinds[0] == "core" and kinds[-1] == "border" and set(kinds[1:-1]) == {"expand"}
    assert run[-1].done and run[-1].status == "finished" and not any(s.done for s in run[:-1])
    assert (run[0].labels == -1).all()
    core = run[0].payload["core"]
    added = np.zeros(len(X), dtype=int)
    for i, s in enumerate(run[1:-1], start=1):
        prev, lab = run[i - 1].labels, s.labels
        changed = np.flatnonzero(prev != lab)
        np.testing.assert_array_equal(changed, s.payload["frontier"])  # a wave adds exactly its frontier
        assert core[changed].all() and (prev[changed] == -1).all() and (lab[changed] == s.payload["cluster"]).all()
        added[changed] += 1
        assert s.objective == pytest.approx(np.count_nonzero(lab >= 0), abs=0)
        assert s.trace.shape == (i + 1,) and s.iteration == s.payload["cluster"] + 1
        if s.payload["wave"] == 1:
            seed = s.payload["seed"]
            assert seed == np.flatnonzero(core & (prev < 0))[0]  # the lowest-index core point in no cluster
        assert not s.labels.flags.writeable
    np.testing.assert_array_equal(added, core.astype(int))  # every core point joins once, in a wave
    last = run[-1]
    border, noise = last.payload["border"], last.payload["noise"]
    assert not core[border].any() and (last.labels[noise] == -1).all()
    assert border.size + noise.size + core.sum() == len(X)
    assert last.objective == pytest.approx(len(X) - noise.size, abs=0)


def test_reached_by_is_a_core_neighbour_of_the_previous_wave():
    X = touching_blobs()
    eps = 0.2
    run = list(dbscan.steps(X, eps=eps, min_samples=6, metric="linf"))
    for i, s in enumerate(run[1:-1], start=1):
        f, by = s.payload["frontier"], s.payload["reached_by"]
        d = np.abs(X[f] - X[by]).max(axis=1)
        assert (d <= eps + 1e-12).all()
        if s.payload["wave"] > 1:
            prev_wave = run[i - 1].payload["frontier"]
            assert np.isin(by, prev_wave).all() and (run[i - 1].payload["cluster"] == s.payload["cluster"])


def test_labels_are_computed_on_demand_and_stay_the_same():
    X = moons_with_noise()
    run = list(dbscan.steps(X, eps=0.15, min_samples=5))
    a = run[3].labels
    b = run[3].labels
    np.testing.assert_array_equal(a, b)
    assert callable(run[3].labels_source)
    with pytest.raises(ValueError, match="read-only"):
        a[0] = 5


# --- the working -----------------------------------------------------------------------------------

@pytest.mark.parametrize("metric", METRICS)
def test_working_agrees_with_every_step(metric):
    X = moons_with_noise(n=120, seed=1)
    params = {"eps": 0.2, "min_samples": 5, "metric": metric}
    run = list(dbscan.steps(X, **params))
    assert get_algorithm("dbscan").working is working
    for i, s in enumerate(run):
        w = working(X, run, i, params)
        assert w.tables and w.derived, f"step {i}"
        for key, value in w.derived.items():
            got = getattr(s, key) if hasattr(s, key) and key != "payload" else s.payload[key]
            np.testing.assert_array_equal(np.asarray(value), np.asarray(got), err_msg=f"step {i} {key}")
    core_tables = working(X, run, 0, params).tables
    assert [t.title for t in core_tables] == ["Points within ε"]  # 150 points: no 150 x 150 table
    assert core_tables[0].rows[-1] == "all 150 points"


def test_working_small_data_tables():
    X = np.array([[0.0, 0.0], [0.0, 0.5], [0.5, 0.0], [3.0, 3.0], [3.0, 3.4], [0.8, 0.8]])
    params = {"eps": 0.6, "min_samples": 3, "metric": "l2"}
    run = list(dbscan.steps(X, **params))
    w0 = working(X, run, 0, params)
    dist = w0.tables[1]
    assert dist.values[0][1] == pytest.approx(0.5, rel=1e-12)
    assert (0, 1) in dist.highlight and (0, 3) not in dist.highlight
    assert [r[1] for r in w0.tables[0].values] == [True, False, False, False, False, False]
    w1 = working(X, run, 1, params)
    assert w1.tables[0].rows == ("x1",) and w1.tables[0].values[0][:2] == ("x1", 0.0)  # the seed, alone
    wb = working(X, run, len(run) - 1, params, names=list("ABCDEF"))
    t = wb.tables[0]
    assert t.rows == ("B", "C", "D", "E", "F")
    assert [r[3] for r in t.values] == ["cluster 1", "cluster 1", "noise", "noise", "noise"]
    assert t.values[4][1] == pytest.approx(np.hypot(0.8, 0.8), rel=1e-12) and t.values[4][0] == "A"


def test_working_with_selected_rows_of_large_data():
    X = moons_with_noise(n=200, seed=2)
    params = {"eps": 0.15, "min_samples": 5, "metric": "l1"}
    run = list(dbscan.steps(X, **params))
    w = working(X, run, len(run) - 1, params, rows=[int(run[-1].payload["noise"][0])])
    assert len(w.tables[0].rows) == 2 and w.tables[0].values[0][3] == "noise"


# --- edge cases and errors ----------------------------------------------------------------------

def test_tiny_eps_gives_only_noise():
    X = moons_with_noise(n=100)
    run = list(dbscan.steps(X, eps=1e-9, min_samples=2))
    assert [s.kind for s in run] == ["core", "border"]
    assert (run[-1].labels == -1).all() and run[-1].objective == 0.0
    assert "0 of 130 points are core" in run[0].description


def test_huge_eps_gives_one_cluster():
    X = moons_with_noise(n=100)
    r = dbscan.fit(X, eps=100.0, min_samples=5, metric="linf")
    assert r.core.all() and (r.labels == 0).all() and r.n_clusters == 1
    run = list(dbscan.steps(X, eps=100.0, min_samples=5))
    assert len(run) == 3  # core, one wave (the seed and every other point), border


def test_duplicate_points():
    X = np.array([[1.0, 1.0]] * 4 + [[5.0, 5.0]] * 2 + [[9.0, 9.0]])
    for metric in METRICS:
        r = dbscan.fit(X, eps=0.1, min_samples=3, metric=metric)
        assert r.labels.tolist() == [0, 0, 0, 0, -1, -1, -1] and r.counts.tolist() == [4, 4, 4, 4, 2, 2, 1]
        want, core = sk_fit(X, 0.1, 3, metric)
        np.testing.assert_array_equal(r.labels, want)


@pytest.mark.parametrize("min_samples,label", [(1, 0), (2, -1)])
def test_one_point(min_samples, label):
    run = list(dbscan.steps([[0.5, 0.5]], eps=0.1, min_samples=min_samples))
    assert run[-1].labels.tolist() == [label] and run[-1].done
    assert dbscan.fit([[0.5, 0.5]], eps=0.1, min_samples=min_samples).labels.tolist() == [label]


def test_min_samples_one_makes_every_point_core():
    X = np.array([[0.0], [10.0], [20.0]])
    r = dbscan.fit(X, eps=1.0, min_samples=1)
    assert r.labels.tolist() == [0, 1, 2] and r.core.all()


def test_far_apart_coordinates_and_tiny_eps():
    X = np.array([[0.0, 0.0], [1e-12, 0.0], [1e9, 1e9], [1e9, 1e9 + 1e-3]])
    r = dbscan.fit(X, eps=1e-9, min_samples=2)
    assert r.labels.tolist() == [0, 0, -1, -1]


@pytest.mark.parametrize("kwargs,match", [
    ({"eps": 0.0}, "eps=0.0 should be > 0"), ({"eps": -1}, "eps=-1"), ({"eps": "wide"}, "should be a number"),
    ({"min_samples": 0}, "min_samples=0 should be >= 1"), ({"min_samples": 2.5}, "whole number"),
    ({"metric": "cosine"}, "choose one of 'l1', 'l2', 'linf'")])
def test_bad_parameters_say_what_to_do(kwargs, match):
    with pytest.raises(ParamError, match=match):
        dbscan.steps([[0.0, 0.0], [1.0, 1.0]], **kwargs)


def test_bad_data_and_too_large_eps(monkeypatch):
    with pytest.raises(ParamError, match="NaN"):
        dbscan.fit([[0.0, np.nan]])
    monkeypatch.setattr(grid, "MAX_CANDIDATES", 1000)
    with pytest.raises(ParamError, match="Choose a smaller ε"):
        dbscan.fit(np.random.default_rng(0).normal(size=(200, 2)), eps=50.0)


def test_k_distances():
    X = np.random.default_rng(0).normal(size=(300, 2))
    kd = dbscan.k_distances(X, 5, "l2")
    D = np.sqrt(((X[:, None] - X[None]) ** 2).sum(2))
    want = np.sort(np.sort(D, axis=1)[:, 4])
    np.testing.assert_allclose(kd.values, want, rtol=1e-12)
    r = dbscan.fit(X, eps=0.3, min_samples=5)
    assert kd.core_count(0.3) == int(r.core.sum()) and not kd.sampled
    sampled = dbscan.k_distances(X, 5, "linf", max_points=50)
    assert sampled.sampled and sampled.values.shape == (50,)
    assert np.isinf(dbscan.k_distances(X[:3], 5).values).all()


def test_step_texts_name_points_as_the_data_do():
    X = np.array([[0, 0], [0, 1], [1, 0], [5, 5], [5, 6], [6, 5]], dtype=float)
    texts = [s.description for s in dbscan.steps(X, eps=1.0, min_samples=3)]
    assert "lowest-index core point x1:" in texts[1] and "lowest-index core point x4:" in texts[2]
    names = ["Ann", "Bo", "Cy", "Dee", "Eve", "Fay"]
    texts = [s.description for s in dbscan.steps(X, eps=1.0, min_samples=3, names=names)]
    assert "lowest-index core point Ann:" in texts[1] and "lowest-index core point Dee:" in texts[2]
    assert not any("x1" in t or "x4" in t for t in texts)
    assert dbscan.fit(X, eps=1.0, min_samples=3, names=names).labels.tolist() == [0, 0, 0, 1, 1, 1]
    with pytest.raises(ParamError, match="names has 2 entries but the data have 6 points: give one name per"):
        dbscan.steps(X, eps=1.0, min_samples=3, names=["a", "b"])


def test_a_session_on_named_points_names_them_in_the_steps():
    s = esession.session_from_dict({
        "format": esession.FORMAT, "version": 1,
        "data": {"points": [[0, 0], [0, 1], [1, 0], [5, 5], [5, 6], [6, 5]],
                 "names": ["A", "B", "C", "D", "E", "F"]},
        "algorithm": {"name": "dbscan", "params": {"eps": 1.0, "min_samples": 3}}})
    texts = [st.description for st in esession.run(s)]
    assert "lowest-index core point A:" in texts[1] and "lowest-index core point D:" in texts[2]
