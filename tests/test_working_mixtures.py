"""The working of the mixtures' EM steps (engine.gmm.working, engine.bernoulli.working).

Small cases checked by hand, the working's conclusions (``derived``) against the steps at every
step of runs with every covariance type and initialisation, the prior, fixed weights, and the
size rules (50 point rows and a summary row; MNIST's 784 features summarised).
"""
import math

import numpy as np
import pytest

from engine import bernoulli, data as edata, gmm
from engine.bernoulli.model import FLOAT32_MIN_WORK
from engine.bernoulli.working import working as bernoulli_working
from engine.core.registry import get_algorithm
from engine.core.working import MAX_ROWS
from engine.gmm.working import working as gmm_working

RTOL = 1e-9


def step_value(step, key):
    return getattr(step, key) if key in ("labels", "centers", "objective") else step.payload[key]


def assert_agrees(working, X, run, params, names=None):
    """Every derived value of every step agrees with the step's own, to 1e-9 relative (element by element)."""
    keys = set()
    for i, step in enumerate(run):
        w = working(X, run, i, params, names=names)
        assert w.tables, (i, step.kind)
        for key, value in w.derived.items():
            ref = np.asarray(step_value(step, key), dtype=float)
            got = np.asarray(value, dtype=float)
            assert got.shape == ref.shape, (i, step.kind, key)
            np.testing.assert_allclose(got, ref, rtol=RTOL, atol=1e-300, err_msg=f"step {i} ({step.kind}): {key}")
            keys.add((step.kind, key))
    return keys


def cell(table, row, col):
    return table.values[table.rows.index(row)][table.columns.index(col)]


# ---------------------------------------------------------------- registration
def test_both_mixtures_register_their_working():
    assert get_algorithm("gmm").working is gmm_working
    assert get_algorithm("bernoulli").working is bernoulli_working


# ---------------------------------------------------------------- by hand: a Gaussian mixture
X1 = np.array([[0.0], [1.0], [4.0]])
GIVEN = {"weights": [0.5, 0.5], "means": [[0.0], [4.0]], "covariances": [1.0, 1.0]}


def test_gmm_e_step_by_hand():
    run = list(gmm.steps(X1, 2, covariance="spherical", init=GIVEN, max_iter=2, reg=0.0))
    assert [s.kind for s in run[:3]] == ["init", "E", "M"]
    joint, resp = gmm_working(X1, run, 1, {"covariance": "spherical"}).tables
    c = math.log(0.5) - 0.5 * math.log(2 * math.pi)
    # a_nk = log 1/2 - log sqrt(2 pi) - (x - mu)^2 / 2
    assert cell(joint, "x2", "c1") == pytest.approx(c - 0.5, rel=1e-12)
    assert cell(joint, "x2", "c2") == pytest.approx(c - 4.5, rel=1e-12)
    lp2 = math.log(math.exp(c - 0.5) + math.exp(c - 4.5))
    assert cell(joint, "x2", "log p(x_n)") == pytest.approx(lp2, rel=1e-12)
    q = 1 / (1 + math.exp(-4.0))  # q_21 = e^-0.5 / (e^-0.5 + e^-4.5)
    assert cell(resp, "x2", "c1") == pytest.approx(q, rel=1e-12)
    assert joint.highlight == resp.highlight == ((0, 0), (1, 0), (2, 1))
    assert resp.rows[-1] == "Σ" and joint.rows[-1] == "Σ"
    total = sum(cell(resp, r, "c1") for r in ("x1", "x2", "x3"))
    assert cell(resp, "Σ", "c1") == pytest.approx(total, rel=1e-12)
    assert cell(joint, "Σ", "log p(x_n)") == pytest.approx(run[1].objective, rel=1e-12)
    assert "\\mathcal{N}" in joint.formula and "q_{nk}" in resp.formula


def test_gmm_m_step_by_hand():
    run = list(gmm.steps(X1, 2, covariance="spherical", init=GIVEN, max_iter=2, reg=0.0))
    sizes, means, cov, ll = gmm_working(X1, run, 2, {}).tables
    q = np.array([[1 / (1 + math.exp(-8)), 1 / (1 + math.exp(-4)), 1 / (1 + math.exp(8))]])
    q = np.vstack([q, 1 - q]).T  # (n, k)
    Nk = q.sum(axis=0)
    assert cell(sizes, "c1", "N_k") == pytest.approx(Nk[0], rel=1e-12)
    assert cell(sizes, "c2", "π_k") == pytest.approx(Nk[1] / 3, rel=1e-12)
    assert cell(sizes, "Σ", "N_k") == pytest.approx(3.0, rel=1e-12)
    mu = (q * X1).sum(axis=0) / Nk
    assert cell(means, "c1", "μ_k1") == pytest.approx(mu[0], rel=1e-12)
    var = (q * (X1 - mu) ** 2).sum(axis=0) / Nk
    assert cell(cov, "c2", "σ²_k") == pytest.approx(var[1], rel=1e-12)
    assert ll.rows[-1] == "Σ = L" and ll.values[-1][0] == pytest.approx(run[2].objective, rel=1e-12)


def test_gmm_init_from_a_partition_is_the_m_step_of_its_labels():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [5.0, 5.0], [5.0, 6.0], [6.0, 5.5]])
    run = list(gmm.steps(X, 2, covariance="full", seed=0, max_iter=2))
    w = gmm_working(X, run, 0, {"init": "kmeans"})
    sizes = w.tables[0]
    counts = np.bincount(run[0].labels, minlength=2)
    assert [cell(sizes, c, "N_k") for c in ("c1", "c2")] == pytest.approx(counts, rel=1e-12)
    assert {"weights", "means", "covariances_native", "loglik", "objective"} <= set(w.derived)
    assert "K-means partition" in sizes.note


def test_gmm_given_start_is_shown_and_its_loglik_checked():
    run = list(gmm.steps(X1, 2, covariance="spherical", init=GIVEN, max_iter=1))
    w = gmm_working(X1, run, 0, {})
    assert [t.title for t in w.tables] == ["Weights", "Means", "Variance of each component",
                                           "Log-likelihood of these parameters"]
    assert set(w.derived) == {"loglik", "loglik_mean", "objective"}
    assert w.derived["objective"] == pytest.approx(run[0].objective, rel=1e-12)


# ---------------------------------------------------------------- by hand: a Bernoulli mixture
XB = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
THETA = {"probs": [[0.9, 0.2], [0.1, 0.8]], "weights": [0.5, 0.5]}


def test_bernoulli_e_step_by_hand():
    run = list(bernoulli.steps(XB, 2, init=THETA, alpha=0.0, max_iter=2))
    joint, resp = bernoulli_working(XB, run, 1, {}).tables
    # a_11 = log 1/2 + log 0.9 + log(1 - 0.2); a_12 = log 1/2 + log 0.1 + log(1 - 0.8)
    assert cell(joint, "x1", "c1") == pytest.approx(math.log(0.5 * 0.9 * 0.8), rel=1e-12)
    assert cell(joint, "x1", "c2") == pytest.approx(math.log(0.5 * 0.1 * 0.2), rel=1e-12)
    assert cell(resp, "x1", "c1") == pytest.approx(0.72 / (0.72 + 0.02), rel=1e-12)
    assert cell(resp, "x2", "c1") == pytest.approx(0.18 / (0.18 + 0.08), rel=1e-12)
    assert resp.highlight == ((0, 0), (1, 0), (2, 1))
    assert "\\gamma_{nk}" in resp.formula and "\\theta_{kd}" in joint.formula


@pytest.mark.parametrize("alpha", [0.0, 1.0, 2.5])
def test_bernoulli_m_step_by_hand_with_the_prior(alpha):
    run = list(bernoulli.steps(XB, 2, init=THETA, alpha=alpha, max_iter=2))
    w = bernoulli_working(XB, run, 2, {"alpha": alpha})
    sizes, theta, ll = w.tables
    g = np.array([[0.72 / 0.74, 0.18 / 0.26, 0.02 / 0.74]])  # gamma_n1: 0.9 0.8, 0.9 0.2 / 0.1 0.8, 0.1 0.2 / 0.9 0.8
    g = np.vstack([g, 1 - g]).T
    Nk = g.sum(axis=0)
    want = (g.T @ XB + alpha) / (Nk + 2 * alpha)[:, None]
    assert cell(theta, "c1", "θ_k1") == pytest.approx(want[0, 0], rel=1e-12)
    assert cell(theta, "c2", "θ_k2") == pytest.approx(want[1, 1], rel=1e-12)
    assert cell(sizes, "c1", "N_k") == pytest.approx(Nk[0], rel=1e-12)
    np.testing.assert_allclose(w.derived["probs"], run[2].payload["probs"], rtol=1e-12)
    if alpha:
        assert "\\alpha" in theta.formula and ll.rows[-2:] == ("log prior", "log posterior")
        assert ll.values[-1][0] == pytest.approx(run[2].objective, rel=1e-12)
    else:
        assert "\\alpha" not in theta.formula and ll.rows[-1] == "Σ = L"


def test_bernoulli_fixed_weights_stay():
    run = list(bernoulli.steps(XB, 2, init={"probs": THETA["probs"], "weights": [0.25, 0.75]}, fixed_weights=True,
                               alpha=0.0, max_iter=2))
    sizes = bernoulli_working(XB, run, 2, {"fixed_weights": True}).tables[0]
    assert [cell(sizes, c, "π_k") for c in ("c1", "c2")] == pytest.approx([0.25, 0.75], rel=1e-12)
    assert "fixed" in sizes.formula


# ---------------------------------------------------------------- agreement with the engine at every step
def two_d(n=90, seed=3):
    rng = np.random.default_rng(seed)
    return np.vstack([rng.normal([0, 0], [2.0, 0.4], (n // 3, 2)), rng.normal([3, 3], [0.5, 1.5], (n // 3, 2)),
                      rng.normal([-2, 4], 0.7, (n - 2 * (n // 3), 2))])


@pytest.mark.parametrize("covariance", gmm.COVARIANCE_TYPES)
@pytest.mark.parametrize("init", ["kmeans", "random"])
def test_gmm_working_agrees_with_every_step(covariance, init):
    X = two_d()
    params = {"k": 3, "covariance": covariance, "init": init, "seed": 1, "max_iter": 25}
    run = list(gmm.steps(X, **params))
    keys = assert_agrees(gmm_working, X, run, params)
    assert {("E", "labels"), ("E", "changed"), ("M", "means"), ("M", "covariances_native"), ("M", "weights"),
            ("M", "n_k"), ("M", "objective"), ("init", "objective")} <= keys
    if init == "kmeans":
        assert ("init", "means") in keys


@pytest.mark.parametrize("covariance", gmm.COVARIANCE_TYPES)
def test_gmm_working_agrees_in_more_dimensions(covariance):
    rng = np.random.default_rng(5)
    X = np.vstack([rng.normal(0, 1, (40, 4)), rng.normal(3, 0.5, (40, 4))])
    run = list(gmm.steps(X, 2, covariance=covariance, seed=2, max_iter=10))
    assert_agrees(gmm_working, X, run, {"covariance": covariance})
    cov_table = gmm_working(X, run, 2, {}).tables[2]
    assert len(cov_table.columns) == {"full": 3, "tied": 3, "diag": 4, "spherical": 1}[covariance]


def test_gmm_working_agrees_from_given_parameters():
    X = two_d()
    init = {"weights": [0.2, 0.3, 0.5], "means": [[0, 0], [3, 3], [-2, 4]],
            "covariances": np.stack([np.eye(2)] * 3)}
    run = list(gmm.steps(X, 3, init=init, max_iter=8))
    keys = assert_agrees(gmm_working, X, run, {})
    assert ("E", "changed") in keys and ("init", "means") not in keys


@pytest.mark.parametrize("params", [
    {"k": 4, "seed": 1},
    {"k": 4, "seed": 1, "alpha": 0.0},
    {"k": 3, "seed": 0, "alpha": 0.0, "fixed_weights": True},
    {"k": 4, "seed": 2, "init": "kmeans"},
    {"k": 4, "seed": 2, "init": "kmeans", "fixed_weights": True, "alpha": 0.5},
], ids=["random", "ml", "fixed-ml", "kmeans", "kmeans-fixed-prior"])
def test_bernoulli_working_agrees_with_every_step(params):
    X = edata.binarize(edata.mnist(200).X, 0.5)
    run = list(bernoulli.steps(X, max_iter=15, **params))
    keys = assert_agrees(bernoulli_working, X, run, params)
    assert {("E", "labels"), ("E", "changed"), ("M", "probs"), ("M", "weights"), ("M", "n_k"), ("M", "n_clipped"),
            ("M", "logpost"), ("M", "objective")} <= keys
    if params.get("init") == "kmeans":
        assert ("init", "probs") in keys


# ---------------------------------------------------------------- size: many points, many features
def test_many_points_show_fifty_rows_and_a_summary_row():
    X = two_d(n=150)
    run = list(gmm.steps(X, 3, seed=0, max_iter=3))
    names = [f"p{i}" for i in range(150)]
    joint, resp = gmm_working(X, run, 1, {}, names=names).tables
    assert len(resp.rows) == MAX_ROWS + 1 and resp.rows[0] == "p0" and resp.rows[-1] == "Σ over all 150 points"
    np.testing.assert_allclose(resp.values[-1], run[2].payload["n_k"], rtol=1e-12)  # over all points, not shown ones
    assert joint.values[-1][-1] == pytest.approx(run[1].objective, rel=1e-12)
    picked = gmm_working(X, run, 1, {}, names=names, rows=[120, 7]).tables[1]
    assert picked.rows == ("p7", "p120", "Σ over all 150 points")
    ll = gmm_working(X, run, 2, {}, rows=[149]).tables[-1]
    assert ll.rows == ("x150", "Σ over all 150 points = L")


def test_mnist_features_are_summarised_not_784_columns():
    X = edata.binarize(edata.mnist(200).X, 0.5)
    run = list(bernoulli.steps(X, 3, seed=0, max_iter=2))
    theta = bernoulli_working(X, run, 2, {}).tables[1]
    assert len(theta.columns) == 4 and theta.columns[0] == "mean θ_kd" and "784" in theta.note
    np.testing.assert_allclose([r[0] for r in theta.values], np.asarray(run[2].payload["probs"]).mean(axis=1),
                               rtol=1e-12)
    start = bernoulli_working(X, run, 0, {}).tables[1]
    assert len(start.columns) == 4 and "drawn uniformly" in start.note


def test_gmm_many_features_are_summarised():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (30, 12)), rng.normal(4, 1, (30, 12))])
    run = list(gmm.steps(X, 2, covariance="full", seed=0, max_iter=2))
    sizes, means, cov, ll = gmm_working(X, run, 2, {}).tables
    assert len(means.columns) == 4 and cov.columns == ("trace Σ", "log det Σ", "largest eigenvalue")
    assert_agrees(gmm_working, X, run, {})


def test_mnist_sized_run_leaves_out_theta_summed_in_float32():
    """n d k >= FLOAT32_MIN_WORK: the engine sums theta in float32, so theta is checked to 1e-5 only; the rest
    to 1e-9. The working leaves out the per-point probabilities (what keeps it quick: ex5's 6,000 images measure
    ~50 ms a step; its speed is for a bench, never a timed test)."""
    X = edata.binarize(edata.mnist(1300).X, 0.5)
    assert X.size * 10 >= FLOAT32_MIN_WORK
    run = list(bernoulli.steps(X, 10, seed=3, fixed_weights=True, alpha=0.0, max_iter=2))
    assert_agrees(bernoulli_working, X, run, {})
    w = bernoulli_working(X, run, 4, {}, rows=[5, 17])
    assert "probs" not in w.derived and "float32" in w.tables[1].note
    theta = np.array([r[0] for r in w.tables[1].values])
    np.testing.assert_allclose(theta, np.asarray(run[4].payload["probs"]).mean(axis=1), rtol=1e-5)
    assert w.tables[2].rows == ("x6", "x18", "Σ over all 1300 points = L")


def test_markdown_of_a_working_table_reads():
    run = list(gmm.steps(X1, 2, covariance="spherical", init=GIVEN, max_iter=1, reg=0.0))
    md = gmm_working(X1, run, 1, {}).tables[1].markdown()
    assert md.startswith("**Responsibilities** — $q_{nk}") and "| x1 | **0.9997** | 0.0003354 |" in md
