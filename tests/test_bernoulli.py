"""engine.bernoulli: E- and M-steps against a brute-force implementation, monotone objective, messages."""
import math

import numpy as np
import pytest
from scipy.stats import beta as beta_dist

from engine import bernoulli
from engine.bernoulli import model as bernoulli_model
from engine.core.params import ParamError
from engine.core.registry import get_algorithm


def binary_blobs(n=120, d=16, k=3, seed=0, flip=0.1):
    """k prototype bit patterns, each point a prototype with some bits flipped."""
    rng = np.random.default_rng(seed)
    protos = rng.integers(0, 2, size=(k, d))
    X = protos[rng.integers(0, k, size=n)]
    return np.where(rng.random((n, d)) < flip, 1 - X, X).astype(float)


def random_bits(n=80, d=10, seed=1, p=0.3):
    return (np.random.default_rng(seed).random((n, d)) < p).astype(float)


# --- brute force: explicit loops over n, k, d ------------------------------------------------------

def brute_estep(X, weights, probs):
    n, d = X.shape
    k = len(weights)
    joint = np.zeros((n, k))
    for i in range(n):
        for j in range(k):
            p = weights[j]
            for t in range(d):
                p *= probs[j, t] if X[i, t] == 1 else 1 - probs[j, t]
            joint[i, j] = p
    resp = np.zeros((n, k))
    loglik = 0.0
    for i in range(n):
        total = sum(joint[i])
        loglik += math.log(total)
        for j in range(k):
            resp[i, j] = joint[i, j] / total
    return resp, loglik


def brute_mstep(X, resp, alpha, fixed_weights):
    n, d = X.shape
    k = resp.shape[1]
    probs = np.zeros((k, d))
    weights = np.zeros(k)
    for j in range(k):
        nk = sum(resp[i, j] for i in range(n))
        weights[j] = 1 / k if fixed_weights else nk / n
        for t in range(d):
            probs[j, t] = (sum(resp[i, j] * X[i, t] for i in range(n)) + alpha) / (nk + 2 * alpha)
            probs[j, t] = min(max(probs[j, t], 1e-10), 1 - 1e-10)
    return weights, probs


@pytest.mark.parametrize("alpha", [0.0, 1.0, 2.5])
@pytest.mark.parametrize("fixed_weights", [False, True])
def test_e_and_m_steps_equal_brute_force(alpha, fixed_weights):
    X = binary_blobs(n=12, d=5, k=2, seed=3)
    theta0 = np.random.default_rng(0).uniform(0.1, 0.9, size=(3, 5))
    run = list(bernoulli.steps(X, 3, init=theta0, alpha=alpha, fixed_weights=fixed_weights, max_iter=4, tol=0))
    weights, probs = np.full(3, 1 / 3), theta0.copy()
    for e_step, m_step in zip(run[1::2], run[2::2]):
        resp, loglik = brute_estep(X, weights, probs)
        np.testing.assert_allclose(e_step.payload["resp"], resp, atol=1e-6)  # float32 storage
        assert e_step.payload["loglik"] == pytest.approx(loglik, rel=1e-12)
        weights, probs = brute_mstep(X, resp, alpha, fixed_weights)
        np.testing.assert_allclose(m_step.payload["probs"], probs, rtol=1e-10)
        np.testing.assert_allclose(m_step.payload["weights"], weights, rtol=1e-10)
        np.testing.assert_allclose(m_step.payload["n_k"], resp.sum(0), rtol=1e-10)
        assert np.array_equal(m_step.labels, resp.argmax(1))
    r = bernoulli.fit(X, 3, init=theta0, alpha=alpha, fixed_weights=fixed_weights, max_iter=4, tol=0)
    np.testing.assert_allclose(r.resp, brute_estep(X, weights, probs)[0], rtol=1e-9, atol=1e-15)


def test_objective_is_the_log_posterior_with_the_beta_prior():
    X = binary_blobs(n=40, d=8, seed=2)
    for alpha in (0.0, 0.5, 3.0):
        for s in bernoulli.steps(X, 3, seed=1, alpha=alpha, max_iter=5):
            theta = np.asarray(s.payload["probs"])
            prior = beta_dist(alpha + 1, alpha + 1).logpdf(theta).sum()
            assert s.objective == pytest.approx(s.payload["loglik"] + prior, rel=1e-12)
            assert s.payload["logpost"] == s.objective
            assert bernoulli.log_prior(theta, alpha) == pytest.approx(prior, rel=1e-12, abs=1e-12)
    assert get_algorithm("bernoulli").objective_sense == "max"


# --- EM properties ---------------------------------------------------------------------------------

DATASETS = {"blobs": binary_blobs, "noise": random_bits, "sparse": lambda: random_bits(p=0.05, seed=4),
            "wide": lambda: binary_blobs(n=60, d=100, k=4, seed=5)}


@pytest.mark.parametrize("data", sorted(DATASETS))
@pytest.mark.parametrize("alpha", [0.0, 1.0])
@pytest.mark.parametrize("init", ["random", "kmeans"])
def test_objective_never_decreases(data, alpha, init):
    X = DATASETS[data]()
    for fixed in (False, True):
        run = list(bernoulli.steps(X, 4, init=init, alpha=alpha, fixed_weights=fixed, seed=2, max_iter=40, tol=0))
        obj = np.array([s.objective for s in run])
        assert np.all(np.isfinite(obj))
        assert np.all(np.diff(obj) >= -1e-10 * np.abs(obj[1:])), np.diff(obj).min()
        if alpha == 0:  # then the log-likelihood itself is the objective
            assert all(s.payload["loglik"] == s.objective for s in run)
        for prev, step in zip(run, run[1:]):
            if step.kind == "E":
                assert step.objective == prev.objective


def test_steps_structure_responsibilities_and_convergence():
    X = binary_blobs(n=200, d=20, k=3, seed=8)
    run = list(bernoulli.steps(X, 3, seed=0, tol=1e-8))
    assert run[0].kind == "init" and [s.kind for s in run[1:]] == ["E", "M"] * ((len(run) - 1) // 2)
    assert run[-1].done and run[-1].status == "converged" and not any(s.done for s in run[:-1])
    obj = [run[0].objective] + [s.objective for s in run if s.kind == "M"]
    changes = np.abs(np.diff(obj)) / len(X)
    assert changes[-1] < 1e-8 and np.all(changes[:-1] >= 1e-8)
    for s in run[1:]:
        np.testing.assert_allclose(s.payload["resp"].sum(1), 1.0, atol=1e-6)
        assert s.centers is s.payload["probs"] and s.payload["probs"].shape == (3, 20)
    r = bernoulli.fit(X, 3, seed=0, tol=1e-8)
    np.testing.assert_allclose(r.resp.sum(1), 1.0, atol=1e-12)
    np.testing.assert_allclose(r.logpost, obj)
    assert r.n_iter == run[-1].iteration and r.converged and r.probs.shape == (3, 20)
    short = list(bernoulli.steps(X, 3, seed=0, max_iter=3, tol=0))
    assert short[-1].status == "max_iter" and len(short) == 7


def test_random_init_draws_theta_in_the_documented_range_and_seeds_reproduce():
    X = random_bits()
    first = next(bernoulli.steps(X, 5, seed=11))
    theta = first.payload["probs"]
    assert theta.min() >= 0.25 and theta.max() <= 0.75 and np.ptp(theta) > 0.3
    np.testing.assert_allclose(first.payload["weights"], 0.2)
    assert np.all(first.labels == -1)
    a = [s.objective for s in bernoulli.steps(X, 5, seed=11, max_iter=8, tol=0)]
    b = [s.objective for s in bernoulli.steps(X, 5, seed=11, max_iter=8, tol=0)]
    c = [s.objective for s in bernoulli.steps(X, 5, seed=12, max_iter=8, tol=0)]
    assert a == b and a != c


def test_clipping_is_applied_and_reported():
    X = np.array([[1, 0, 1], [1, 0, 0], [0, 0, 1], [1, 0, 1]], dtype=float)  # column 1 is never on
    run = list(bernoulli.steps(X, 1, alpha=0, seed=0, max_iter=2, tol=0))
    m = run[2]
    assert m.payload["probs"][0, 1] == 1e-10 and m.payload["n_clipped"] == 1
    assert "clipped to [1e-10, 1 - 1e-10]" in m.description
    assert m.payload["clip"] == (1e-10, 1 - 1e-10)
    smooth = list(bernoulli.steps(X, 1, alpha=1, seed=0, max_iter=1))
    assert smooth[-1].payload["probs"][0, 1] == pytest.approx(1 / 6) and smooth[-1].payload["n_clipped"] == 0


def test_fixed_weights_keep_pi_uniform():
    X = binary_blobs(n=90, d=12, k=2, seed=6)
    for s in bernoulli.steps(X, 3, fixed_weights=True, seed=0, max_iter=10):
        np.testing.assert_array_equal(s.payload["weights"], np.full(3, 1 / 3))
        assert s.payload["fixed_weights"] is True


def test_large_runs_store_no_resp_and_share_arrays():
    X = random_bits(n=25_000, d=8, seed=3)
    run = list(bernoulli.steps(X, 10, seed=0, max_iter=3, tol=0))
    assert all("resp" not in s.payload for s in run)
    for e, m in zip(run[1::2], run[2::2]):
        assert m.labels is e.labels
    for m, e in zip(run[::2], run[1::2]):
        assert e.payload["probs"] is m.payload["probs"]


# --- messages --------------------------------------------------------------------------------------

def test_non_binary_data_get_a_clear_message():
    X = random_bits()
    X[0, 3] = 0.37
    msg = ("X has values other than 0 and 1 (e.g. 0.37 at row 0); binarize it first, "
           "e.g. with engine.data.binarize(X, 0.5)")
    with pytest.raises(ParamError, match=msg.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        bernoulli.steps(X, 2)
    X[0, 3] = np.nan
    with pytest.raises(ParamError, match="NaN"):
        bernoulli.steps(X, 2)


def test_bad_parameters_and_init_get_clear_messages():
    X = random_bits()
    with pytest.raises(ParamError, match=r"alpha=-1.0 should be >= 0"):
        bernoulli.steps(X, 2, alpha=-1)
    with pytest.raises(ParamError, match=r"expected \(2, 10\)"):
        bernoulli.steps(X, 2, init=np.full((3, 10), 0.5))
    with pytest.raises(ParamError, match=r"must lie in \[0, 1\]"):
        bernoulli.steps(X, 2, init=np.full((2, 10), 1.5))
    with pytest.raises(ParamError, match=r"init='em' is not allowed"):
        bernoulli.steps(X, 2, init="em")
    with pytest.raises(ParamError, match=r"only 2 distinct point\(s\) but k=3"):
        bernoulli.steps(np.repeat([[0.0, 1.0], [1.0, 0.0]], 5, axis=0), 3)
    explicit = bernoulli.steps(X, 2, init={"probs": np.full((2, 10), 0.0), "weights": [1, 3]})
    first = next(explicit)
    np.testing.assert_allclose(first.payload["weights"], [0.25, 0.75])
    assert first.payload["probs"].min() == 1e-10 and np.isfinite(first.objective)


def test_algorithm_declaration():
    alg = get_algorithm("bernoulli")
    assert alg.title == "Bernoulli mixture (EM)"
    values = alg.validate({"k": 3, "seed": 0})
    assert values["alpha"] == 1.0 and values["init"] == "random" and values["fixed_weights"] is False
    assert list(alg.steps(binary_blobs(), **values))[-1].done


@pytest.mark.slow
def test_mnist_bernoulli_mixture_is_monotone_and_learns_distinct_prototypes():
    from engine import data
    ds = data.mnist(2000)
    X = np.asarray(data.binarize(ds.X, 0.5), dtype=float)
    run = list(bernoulli.steps(X, 10, seed=0, max_iter=15, tol=0))
    obj = np.array([s.objective for s in run])
    assert np.all(np.diff(obj) >= -1e-10 * np.abs(obj[1:]))
    last = run[-1]
    assert last.payload["probs"].shape == (10, 784)
    np.testing.assert_allclose(last.payload["resp"].sum(1), 1.0, atol=1e-5)
    # the learned components explain the digit labels far better than chance (purity > 0.4 vs 0.1)
    lab = np.asarray(last.labels)
    purity = sum(np.bincount(ds.labels[lab == j]).max() for j in np.unique(lab)) / len(lab)
    assert purity > 0.4


def test_float32_m_step_of_large_runs_agrees_with_float64_and_stays_monotone(monkeypatch):
    X = binary_blobs(n=2500, d=400, k=6, seed=9, flip=0.2)
    assert X.size * 10 >= bernoulli.FLOAT32_MIN_WORK          # this run takes the float32 path
    fast = list(bernoulli.steps(X, 10, seed=4, max_iter=8, tol=0))
    monkeypatch.setattr(bernoulli_model, "FLOAT32_MIN_WORK", 10 ** 18)
    exact = list(bernoulli.steps(X, 10, seed=4, max_iter=8, tol=0))
    # the same responsibilities give the same M-step up to float32 rounding of the sums ...
    np.testing.assert_allclose(fast[2].payload["probs"], exact[2].payload["probs"], rtol=2e-6)
    assert fast[2].objective == pytest.approx(exact[2].objective, rel=1e-6)  # float32 sums
    # ... later steps drift apart only slightly (EM amplifies differences between similar components)
    for f, e in zip(fast, exact):
        assert f.objective == pytest.approx(e.objective, rel=1e-6)
    obj = np.array([s.objective for s in fast])
    assert np.all(np.diff(obj) >= -1e-10 * np.abs(obj[1:]))


# --- match_centres (K-means centres under the theta they resemble) ----------------------------------

def brute_greedy_match(A, B):
    """Reference: repeatedly take the globally closest pair of untaken rows (loops, no sorting)."""
    A, B = np.asarray(A, float), np.asarray(B, float)
    free_a, free_b = list(range(len(A))), list(range(len(B)))
    order = [None] * len(A)
    while free_a:
        best = None
        for i in free_a:
            for j in free_b:
                d = sum((a - b) ** 2 for a, b in zip(A[i], B[j]))
                if best is None or d < best[0]:
                    best = (d, i, j)
        _, i, j = best
        order[i] = j
        free_a.remove(i)
        free_b.remove(j)
    return order


def test_match_centres_recovers_a_shuffled_copy():
    A = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    B = A[[2, 0, 1]] + 0.1
    assert bernoulli.match_centres(A, B).tolist() == [1, 2, 0]


@pytest.mark.parametrize("seed", range(6))
def test_match_centres_equals_brute_force_greedy(seed):
    rng = np.random.default_rng(seed)
    k, d = int(rng.integers(1, 7)), int(rng.integers(1, 5))
    m = k + int(rng.integers(0, 3))
    A, B = rng.random((k, d)), rng.random((m, d))
    order = bernoulli.match_centres(A, B)
    assert order.tolist() == brute_greedy_match(A, B)
    assert len(set(order.tolist())) == k and order.min() >= 0 and order.max() < m


def test_match_centres_greedy_keeps_the_closest_pair_even_when_not_optimal():
    # greedy takes A1-B0 (0.16) first, leaving A0-B1 (4): total 4.16; the optimal pairing
    # A0-B0 + A1-B1 costs 0.36 + 1 = 1.36
    A = np.array([[0.0], [1.0]])
    B = np.array([[0.6], [2.0]])
    assert bernoulli.match_centres(A, B).tolist() == [1, 0]


def test_match_centres_refuses_mismatched_shapes():
    with pytest.raises(ParamError, match="match_centres"):
        bernoulli.match_centres(np.zeros((3, 2)), np.zeros((2, 2)))
    with pytest.raises(ParamError, match="d columns"):
        bernoulli.match_centres(np.zeros((2, 2)), np.zeros((2, 3)))


@pytest.mark.parametrize("alpha", [0.0, 1.0])
@pytest.mark.parametrize("init", ["random", "kmeans", "given"])
def test_fixed_weights_keep_the_starting_weights_in_every_step_and_the_objective_never_falls(alpha, init):
    """Issue #11: given non-uniform weights were used by the first E-step and replaced by 1/K in the M-step,
    so the objective fell (-3.25 -> -6.93). Fixed means: the starting weights (uniform unless given) in
    every E- and M-step; against brute force."""
    X = DATASETS["blobs"]()
    k = 3
    rng = np.random.default_rng(1)
    start = np.array([0.7, 0.2, 0.1]) if init == "given" else np.full(k, 1 / k)
    arg = {"probs": rng.uniform(0.2, 0.8, size=(k, X.shape[1])), "weights": start} if init == "given" else init
    run = list(bernoulli.steps(X, k, init=arg, alpha=alpha, fixed_weights=True, seed=3, max_iter=25, tol=0))
    for s in run:
        np.testing.assert_allclose(s.payload["weights"], start, rtol=1e-12)
    obj = np.array([s.objective for s in run])
    assert np.all(np.isfinite(obj))
    assert np.all(np.diff(obj) >= -1e-9 * np.abs(obj[1:])), np.diff(obj).min()
    if init == "given":
        weights, probs = start, np.clip(arg["probs"], *bernoulli.CLIP)
        for e_step, m_step in zip(run[1:7:2], run[2:7:2]):
            resp, loglik = brute_estep(X, weights, probs)
            assert e_step.payload["loglik"] == pytest.approx(loglik, rel=1e-9)
            _, probs = brute_mstep(X, resp, alpha, True)
            np.testing.assert_allclose(m_step.payload["probs"], probs, rtol=1e-9)
