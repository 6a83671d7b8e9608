"""engine.gmm: agreement with scikit-learn's GaussianMixture, monotone log-likelihood, clear errors."""
import numpy as np
import pytest
from scipy.stats import multivariate_normal
from sklearn.mixture import GaussianMixture

from engine import gmm
from engine.core.params import ParamError
from engine.core.registry import get_algorithm

SK_QUIET = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
TYPES = gmm.COVARIANCE_TYPES


def blobs(d=2, k=3, n_per=120, seed=0, spread=4.0, offset=0.0):
    rng = np.random.default_rng(seed)
    parts = [rng.normal(size=(n_per, d)) @ rng.normal(size=(d, d)) + rng.normal(size=d) * spread + offset
             for _ in range(k)]
    return np.concatenate(parts)


def elongated(seed=1):
    """Two long overlapping ellipses crossing each other (textbook exercise 6)."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(200, 2)) * [3.0, 0.4]
    t = np.pi / 3
    rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    b = (rng.normal(size=(150, 2)) * [3.0, 0.5]) @ rot.T + [1.0, 0.5]
    return np.concatenate([a, b])


def uniform_noise(seed=2):
    return np.random.default_rng(seed).uniform(-1, 1, size=(300, 2))


def sk_precisions(cov, ctype):
    if ctype in ("diag", "spherical"):
        return 1.0 / cov
    return np.linalg.inv(cov)


def sk_model(ctype, k, init, max_iter, reg=1e-6, warm=False):
    return GaussianMixture(k, covariance_type=ctype, max_iter=max_iter, tol=0, reg_covar=reg,
                           weights_init=init["weights"], means_init=init["means"],
                           precisions_init=sk_precisions(np.asarray(init["covariances"]), ctype), warm_start=warm)


def start_params(X, k, ctype, seed=0):
    """Starting parameters: our own k-means initialisation (so that path is covered too)."""
    first = next(gmm.steps(X, k, covariance=ctype, seed=seed))
    p = first.payload
    return {"weights": np.array(p["weights"]), "means": np.array(p["means"]),
            "covariances": np.array(p["covariances_native"])}


# --- agreement with scikit-learn -------------------------------------------------------------------

@SK_QUIET
@pytest.mark.parametrize("ctype", TYPES)
@pytest.mark.parametrize("d", [1, 2, 3, 5])
def test_loglik_every_iteration_and_final_parameters_match_sklearn(ctype, d):
    X = blobs(d=d, seed=d)
    k, n_iter = 3, 12
    init = start_params(X, k, ctype)
    run = list(gmm.steps(X, k, covariance=ctype, init=init, max_iter=n_iter, tol=0))
    sk = sk_model(ctype, k, init, n_iter).fit(X)
    ours = np.array([s.payload["loglik_mean"] for s in run if s.kind == "E"])
    np.testing.assert_allclose(ours, sk.lower_bounds_, rtol=1e-8)
    last = run[-1].payload
    np.testing.assert_allclose(last["weights"], sk.weights_, rtol=1e-8)
    np.testing.assert_allclose(last["means"], sk.means_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(last["covariances_native"], sk.covariances_, rtol=1e-8, atol=1e-12)
    # the final log-likelihood (after the last M-step) is sklearn's score on the final parameters
    assert run[-1].objective == pytest.approx(sk.score(X) * len(X), rel=1e-8)


@SK_QUIET
@pytest.mark.parametrize("ctype", TYPES)
def test_parameters_after_every_iteration_match_sklearn_warm_start(ctype):
    X = elongated()
    k = 2
    init = start_params(X, k, ctype, seed=3)
    run = list(gmm.steps(X, k, covariance=ctype, init=init, max_iter=6, tol=0))
    sk = sk_model(ctype, k, init, 1, warm=True)
    for e_step, m_step in zip(run[1::2], run[2::2]):
        if e_step.iteration > 1:  # responsibilities of the parameters sklearn holds now (float32 storage)
            np.testing.assert_allclose(e_step.payload["resp"], sk.predict_proba(X), atol=1e-6)
        sk.fit(X)
        np.testing.assert_allclose(m_step.payload["weights"], sk.weights_, rtol=1e-9)
        np.testing.assert_allclose(m_step.payload["means"], sk.means_, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(m_step.payload["covariances_native"], sk.covariances_, rtol=1e-9, atol=1e-13)


@SK_QUIET
def test_far_from_origin_and_a_mean_started_far_away_still_match_sklearn():
    """Data at 1e4 and a start 40 standard deviations off: the 2-D shifted-moment update stays exact."""
    X = blobs(d=2, k=1, n_per=300, seed=5, offset=1e4)
    init = {"weights": [1.0], "means": X.mean(0, keepdims=True) + 40 * X.std(0), "covariances": [np.cov(X.T)]}
    run = list(gmm.steps(X, 1, init=init, max_iter=3, tol=0))
    sk = sk_model("full", 1, init, 3).fit(X)
    np.testing.assert_allclose(run[-1].payload["covariances_native"], sk.covariances_, rtol=1e-9)
    np.testing.assert_allclose(run[-1].payload["means"], sk.means_, rtol=1e-12)


@SK_QUIET
def test_fit_matches_sklearn_fit_and_predict_proba():
    X = blobs(seed=11)
    init = start_params(X, 3, "full")
    r = gmm.fit(X, 3, init=init, max_iter=30, tol=0)
    sk = sk_model("full", 3, init, 30).fit(X)
    np.testing.assert_allclose(r.means, sk.means_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(r.resp, sk.predict_proba(X), atol=1e-9)
    assert r.loglik.shape == (r.n_iter + 1,) and r.n_iter == 30 and not r.converged
    np.testing.assert_allclose(r.loglik[:-1] / len(X), sk.lower_bounds_, rtol=1e-8)


# --- independent references for the helpers ------------------------------------------------------

def test_log_prob_and_responsibilities_agree_with_scipy_densities():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(50, 2)) * 3
    w = np.array([0.2, 0.5, 0.3])
    mu = rng.normal(size=(3, 2))
    A = rng.normal(size=(3, 2, 2))
    cov = A @ np.swapaxes(A, 1, 2) + 0.1 * np.eye(2)
    dens = np.column_stack([w[j] * multivariate_normal(mu[j], cov[j]).pdf(X) for j in range(3)])
    np.testing.assert_allclose(gmm.log_prob(X, w, mu, cov), np.log(dens.sum(1)), rtol=1e-12)
    np.testing.assert_allclose(gmm.responsibilities(X, w, mu, cov), dens / dens.sum(1, keepdims=True), rtol=1e-10)
    xs, ys, z = gmm.density_grid(w, mu, cov, (-3, 3), (-2, 4), 7)
    assert z.shape == (7, 7)
    assert z[2, 5] == pytest.approx(dens_at(w, mu, cov, [xs[5], ys[2]]), rel=1e-12)


def dens_at(w, mu, cov, x):
    return sum(w[j] * multivariate_normal(mu[j], cov[j]).pdf(x) for j in range(len(w)))


def test_log_prob_native_shapes_agree_with_full_expansion():
    rng = np.random.default_rng(8)
    X = rng.normal(size=(40, 3))
    w, mu = np.array([0.4, 0.6]), rng.normal(size=(2, 3))
    natives = {"diag": rng.uniform(0.5, 2, (2, 3)), "spherical": np.array([0.7, 1.9]),
               "tied": np.cov(rng.normal(size=(3, 30)))}
    for ctype, cov in natives.items():
        full = gmm.full_covariances(cov, ctype, 2, 3)
        np.testing.assert_allclose(gmm.log_prob(X, w, mu, cov, ctype), gmm.log_prob(X, w, mu, full), rtol=1e-12)
        P = rng.normal(size=(2, 3))
        proj = gmm.project_covariances(cov, ctype, P)
        np.testing.assert_allclose(proj[-1], P @ full[-1] @ P.T, rtol=1e-12)


def test_ellipse_lies_on_the_mahalanobis_contour_and_is_closed():
    mean, cov = np.array([1.0, -2.0]), np.array([[3.0, 1.2], [1.2, 0.8]])
    pts = gmm.ellipse(mean, cov, n_std=2.0, n_points=64)
    assert pts.shape == (64, 2) and np.array_equal(pts[0], pts[-1])
    diff = pts - mean
    np.testing.assert_allclose(np.einsum("ij,jk,ik->i", diff, np.linalg.inv(cov), diff), 4.0, rtol=1e-10)
    flat = gmm.ellipse([0, 0], [[1.0, 1.0], [1.0, 1.0]], n_points=9)  # singular: a segment, no NaN
    assert np.all(np.isfinite(flat))


# --- EM properties ---------------------------------------------------------------------------------

DATASETS = {"blobs": lambda: blobs(seed=3), "elongated": elongated, "noise": uniform_noise,
            "blobs3d": lambda: blobs(d=3, seed=7)}


@pytest.mark.parametrize("data", sorted(DATASETS))
@pytest.mark.parametrize("ctype", TYPES)
@pytest.mark.parametrize("init", ["kmeans", "random"])
def test_loglik_never_decreases_and_e_steps_keep_it(data, ctype, init):
    X = DATASETS[data]()
    run = list(gmm.steps(X, 3, covariance=ctype, init=init, seed=5, max_iter=40, tol=0))
    obj = np.array([s.objective for s in run])
    assert np.all(np.isfinite(obj))
    assert np.all(np.diff(obj) >= -1e-10 * np.abs(obj[1:])), np.diff(obj).min()
    for prev, step in zip(run, run[1:]):
        if step.kind == "E":
            assert step.objective == prev.objective
    assert np.array_equal(run[-1].trace, obj)
    assert get_algorithm("gmm").objective_sense == "max"


def test_step_sequence_labels_and_responsibilities():
    X = elongated()
    run = list(gmm.steps(X, 2, seed=0, max_iter=50))
    assert run[0].kind == "init" and run[0].iteration == 0
    assert [s.kind for s in run[1:]] == ["E", "M"] * ((len(run) - 1) // 2)
    assert run[-1].done and run[-1].status == "converged" and not any(s.done for s in run[:-1])
    for s in run[1:]:
        resp = s.payload["resp"]
        assert resp.shape == (len(X), 2) and resp.dtype == np.float32
        np.testing.assert_allclose(resp.sum(1), 1.0, atol=1e-6)
        assert np.array_equal(s.labels, resp.argmax(1))
        assert np.array_equal(s.centers, s.payload["means"])
    r = gmm.fit(X, 2, seed=0, max_iter=50)
    np.testing.assert_allclose(r.resp.sum(1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(r.loglik, [s.objective for s in run if s.kind in ("init", "M")])


def test_convergence_rule_is_change_in_mean_loglik_below_tol():
    X = blobs(seed=9)
    run = list(gmm.steps(X, 3, seed=1, tol=1e-4))
    m = [run[0]] + [s for s in run if s.kind == "M"]
    changes = np.diff([s.payload["loglik_mean"] for s in m])
    assert abs(changes[-1]) < 1e-4 and np.all(np.abs(changes[:-1]) >= 1e-4)
    assert "converged" in run[-1].description
    short = list(gmm.steps(X, 3, seed=1, max_iter=2, tol=0))
    assert short[-1].status == "max_iter" and short[-1].iteration == 2 and len(short) == 5


def test_seed_reproduces_a_run_and_another_seed_changes_it():
    X = uniform_noise()
    a = [s.objective for s in gmm.steps(X, 4, init="random", seed=7, max_iter=10, tol=0)]
    b = [s.objective for s in gmm.steps(X, 4, init="random", seed=7, max_iter=10, tol=0)]
    c = [s.objective for s in gmm.steps(X, 4, init="random", seed=8, max_iter=10, tol=0)]
    assert a == b and a != c
    ra, rb = gmm.fit(X, 4, seed=3, max_iter=10), gmm.fit(X, 4, seed=3, max_iter=10)
    assert np.array_equal(ra.means, rb.means)


def test_unchanged_arrays_are_shared_and_large_runs_store_no_resp():
    X = blobs(n_per=100_000 // 3 + 1, seed=1)[:100_000]
    run = []
    for s in gmm.steps(X, 5, seed=0, max_iter=10, tol=0):
        run.append(s)
    assert all("resp" not in s.payload for s in run)
    for e, m in zip(run[1::2], run[2::2]):
        assert m.labels is e.labels                                 # M shares the E-step's labels
    for m, e in zip(run[::2], run[1::2]):
        assert e.payload["means"] is m.payload["means"]               # E shares the parameters before it
        assert e.payload["covariances"] is m.payload["covariances"]
    seen, total = set(), 0
    for s in run:
        for a in (s.labels, s.centers, s.trace, *s.payload.values()):
            if isinstance(a, np.ndarray) and id(a) not in seen:
                seen.add(id(a))
                total += a.nbytes
    per_step = total / len(run)
    assert per_step * 500 < 100e6, per_step      # 100,000 points x 500 steps: far under 300 MB


def test_resp_stored_only_up_to_200000_values_and_memory_stays_bounded():
    X = blobs(n_per=20_000, seed=2)[:40_000]
    small = next(s for s in gmm.steps(X, 5, seed=0, max_iter=1) if s.kind == "E")
    assert small.payload["resp"].shape == (40_000, 5)
    assert small.nbytes() * 250 < 300e6
    big = next(s for s in gmm.steps(X, 6, seed=0, max_iter=1) if s.kind == "E")
    assert "resp" not in big.payload


def test_payload_shapes_for_every_covariance_type():
    X = blobs(d=3, seed=4)
    for ctype, native in [("full", (3, 3, 3)), ("tied", (3, 3)), ("diag", (3, 3)), ("spherical", (3,))]:
        s = next(gmm.steps(X, 3, covariance=ctype, seed=0))
        assert s.payload["covariances_native"].shape == native
        assert s.payload["covariances"].shape == (3, 3, 3)
        np.testing.assert_allclose(s.payload["covariances"],
                                   gmm.full_covariances(s.payload["covariances_native"], ctype, 3, 3))
        assert s.payload["weights"].shape == (3,) and s.payload["means"].shape == (3, 3)


# --- singular data and bad input: clear messages, never NaN ---------------------------------------

def test_all_points_equal():
    X = np.tile([[2.0, 3.0]], (20, 1))
    with pytest.raises(ParamError, match=r"only 1 distinct point.*k=2.*Lower k"):
        gmm.steps(X, 2)
    with pytest.raises(ParamError, match=r"component 1 of 1 collapsed onto a single point \(20 identical data "
                                         r"point\(s\), N_k = 20\).*: increase reg \(now 0\)\.$") as err:
        list(gmm.steps(X, 1, reg=0))
    assert "lower k" not in str(err.value)  # k = 1: only reg can help
    run = list(gmm.steps(X, 1))   # reg > 0 keeps the single component well defined
    assert all(np.isfinite(s.objective) for s in run)
    np.testing.assert_allclose(run[-1].payload["covariances"][0], 1e-6 * np.eye(2))


def test_a_component_collapsing_mid_run_names_it_and_never_yields_nan():
    # three identical points away from a cloud: with reg = 0 a component ends up on them after a few steps
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(size=(15, 2)), np.repeat(rng.normal(size=(2, 2)) * 3, 3, axis=0)])
    seen = []
    with pytest.raises(ParamError, match=r"component [1-4] of 4 collapsed onto a single point \(3 identical") as err:
        for s in gmm.steps(X, 4, reg=0.0, seed=1, init="random"):
            seen.append(s)
    assert len(seen) > 4  # it happened mid-run, not at the start
    assert "lower k (now 4)" in str(err.value) and "nan" not in str(err.value).lower()
    for s in seen:
        assert np.isfinite(s.objective)
        assert all(np.all(np.isfinite(a)) for a in s.payload.values() if isinstance(a, np.ndarray))


def test_more_components_than_distinct_points():
    X = np.repeat([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]], 10, axis=0)
    with pytest.raises(ParamError, match=r"only 3 distinct point\(s\) but k=4"):
        gmm.steps(X, 4)


@pytest.mark.parametrize("ctype", ["full", "diag", "spherical-1d"])
@pytest.mark.parametrize("offset", [0.0, 0.1])  # 0.1: the line's coordinates are not exact binary fractions
def test_points_on_a_line(ctype, offset):
    t = np.linspace(0, 1, 60) * 0.7 + offset
    if ctype == "full":
        X = np.column_stack([t, 2.3 * t + 1 + offset])
    elif ctype == "diag":
        X = np.column_stack([t, np.full_like(t, 3.0 + offset)])
    else:  # two separate groups of identical points in 1-D: both components collapse
        X, ctype = np.repeat([[offset], [1.0 + offset]], 30, axis=0), "spherical"
        with pytest.raises(ParamError, match=r"component [12] of 2 collapsed onto a single point \(30 identical.*"
                                             r"increase reg \(now 0\), lower k \(now 2\)"):
            list(gmm.steps(X, 2, covariance=ctype, reg=0, seed=0))
        return
    with pytest.raises(ParamError, match=r"component [12] of 2 is flat: its \d+ points lie on a line.*increase reg"
                                         r".*use covariance='spherical'"):
        list(gmm.steps(X, 2, covariance=ctype, reg=0, seed=0))
    run = list(gmm.steps(X, 2, covariance=ctype, seed=0, max_iter=30))
    for s in run:
        assert np.isfinite(s.objective)
        assert all(np.all(np.isfinite(a)) for a in s.payload.values() if isinstance(a, np.ndarray))


def test_plane_in_3d_and_tied_messages():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=(80, 2)), np.zeros(80)])
    with pytest.raises(ParamError, match=r"component [12] of 2 (is flat|collapsed)"):
        list(gmm.steps(X, 2, reg=0, seed=0))
    with pytest.raises(ParamError, match=r"shared covariance \(covariance='tied'\) is singular"):
        list(gmm.steps(X, 2, covariance="tied", reg=0, seed=0))


def test_nan_and_bad_parameters_give_clear_messages():
    X = blobs()
    Xn = X.copy()
    Xn[5, 1] = np.nan
    with pytest.raises(ParamError, match=r"NaN or infinity \(first at row 5\)"):
        gmm.steps(Xn, 2)
    with pytest.raises(ParamError, match=r"covariance='round' is not allowed"):
        gmm.steps(X, 2, covariance="round")
    with pytest.raises(ParamError, match=r"reg=-1.0 should be >= 0"):
        gmm.steps(X, 2, reg=-1)
    with pytest.raises(ParamError, match=r"should be >= k=1000"):
        gmm.steps(X, 1000)
    with pytest.raises(ParamError, match=r"init='kmeans\+\+' is not allowed"):
        gmm.steps(X, 2, init="kmeans++")


def test_explicit_init_is_checked():
    X = blobs()
    good = {"weights": [0.5, 0.5], "means": [[0, 0], [1, 1]], "covariances": [np.eye(2), np.eye(2)]}
    assert next(gmm.steps(X, 2, init=good)).kind == "init"
    with pytest.raises(ParamError, match=r"k=3 but init gives 2 weights"):
        gmm.steps(X, 3, init=good)
    with pytest.raises(ParamError, match=r"covariance='diag' needs \(2, 2\)"):
        gmm.steps(X, 2, covariance="diag", init=good)
    with pytest.raises(ParamError, match="missing covariances"):
        gmm.steps(X, 2, init={"weights": [0.5, 0.5], "means": [[0, 0], [1, 1]]})
    bad = dict(good, covariances=[np.eye(2), [[1.0, 2.0], [2.0, 1.0]]])
    with pytest.raises(ParamError, match=r"covariances\[1\] is not positive definite"):
        list(gmm.steps(X, 2, init=bad))


def test_a_component_started_far_from_all_data_is_reported():
    X = blobs(seed=0)
    init = {"weights": [0.5, 0.5], "means": [X.mean(0), X.mean(0) + 1e3], "covariances": [np.eye(2)] * 2}
    with pytest.raises(ParamError, match=r"component 2 of 2 lost all its points"):  # numbered 1..k, as drawn
        list(gmm.steps(X, 2, init=init))


def test_algorithm_declaration():
    alg = get_algorithm("gmm")
    assert (alg.title, alg.objective_name) == ("Gaussian mixture (EM)", "log-likelihood")
    defaults = alg.validate({})
    assert defaults["covariance"] == "full" and defaults["init"] == "kmeans"
    run = list(alg.steps(blobs(), **{**defaults, "k": 3, "seed": 0}))
    assert run[-1].done
