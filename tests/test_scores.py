"""engine.scores against scikit-learn: silhouettes (three metrics), ARI, NMI, purity, contingency, BIC/AIC."""
import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.mixture import GaussianMixture

import engine
from engine.core.params import ParamError
from engine.scores import silhouette as sil
from engine.scores import step_scores

SK_METRIC = {"l2": "euclidean", "l1": "manhattan", "linf": "chebyshev"}
#: relative agreement asked for; silhouettes within 1e-14 of 0 are compared absolutely (b - a cancels there)
RTOL, ATOL = 1e-12, 1e-14


def blobs(n, d, k=4, seed=0, flip=0.1):
    """Points around k centres, labelled by their centre with a share ``flip`` relabelled at random."""
    rng = np.random.default_rng(seed)
    g = rng.integers(0, k, n)
    X = rng.normal(scale=4.0, size=(k, d))[g] + rng.normal(size=(n, d))
    lab = g.copy()
    moved = rng.random(n) < flip
    lab[moved] = rng.integers(0, k, int(moved.sum()))
    return X, g, lab


# ------------------------------------------------------------------ silhouette
@pytest.mark.parametrize("metric", ["l2", "l1", "linf"])
@pytest.mark.parametrize("d", [1, 2, 5, 20])
def test_silhouette_samples_agree_with_sklearn(metric, d):
    X, _, lab = blobs(500, d, seed=d)
    ours = engine.silhouette_samples(X, lab, metric=metric)
    ref = skm.silhouette_samples(X, lab, metric=SK_METRIC[metric])
    np.testing.assert_allclose(ours, ref, rtol=RTOL, atol=ATOL)
    assert engine.silhouette_score(X, lab, metric) == pytest.approx(skm.silhouette_score(X, lab, metric=SK_METRIC[metric]),
                                                                    rel=RTOL)
    # sklearn's metric names are accepted too
    np.testing.assert_allclose(engine.silhouette_samples(X, lab, metric=SK_METRIC[metric]), ours, rtol=0, atol=0)


def test_silhouette_in_many_blocks_and_with_singletons_and_duplicates(monkeypatch):
    """Tiny blocks give the same values; a point alone in its cluster scores 0; identical points are fine
    (at distance exactly 0: compared with an exact l2, since scikit-learn's |x|^2 + |y|^2 - 2 x.y leaves ~1e-7)."""
    X, _, lab = blobs(300, 3, seed=5)
    X[10] = X[11]
    lab = lab.copy()
    lab[7] = 9  # alone in cluster 9
    ref = skm.silhouette_samples(X, lab, metric=lambda a, b: float(np.sqrt(((a - b) ** 2).sum())))
    monkeypatch.setattr(sil, "BLOCK_VALUES", 700)  # blocks of 2 rows
    ours = engine.silhouette_samples(X, lab)
    np.testing.assert_allclose(ours, ref, rtol=RTOL, atol=ATOL)
    assert ours[7] == 0.0


def test_noise_points_have_no_silhouette_and_the_rest_agree_with_sklearn_on_them():
    """The rule: label -1 is no cluster; those points get nan and the others are scored among themselves."""
    X, _, lab = blobs(400, 2, seed=3)
    lab = lab.copy()
    lab[::7] = -1
    ours = engine.silhouette_samples(X, lab, "l1")
    keep = lab >= 0
    assert np.isnan(ours[~keep]).all() and not np.isnan(ours[keep]).any()
    ref = skm.silhouette_samples(X[keep], lab[keep], metric="manhattan")
    np.testing.assert_allclose(ours[keep], ref, rtol=RTOL, atol=ATOL)
    assert engine.silhouette_score(X, lab, "l1") == pytest.approx(ref.mean(), rel=RTOL)


def test_rows_give_the_same_exact_values_for_a_sample():
    X, _, lab = blobs(300, 4, seed=2)
    rows = np.array([5, 0, 299, 17])
    full = engine.silhouette_samples(X, lab, "linf")
    np.testing.assert_allclose(engine.silhouette_samples(X, lab, "linf", rows=rows), full[rows], rtol=0, atol=1e-15)
    assert engine.silhouette_score(X, lab, "linf", rows=rows) == pytest.approx(full[rows].mean(), rel=1e-14)


def test_the_large_d_l2_path_matches_the_exact_one():
    X, _, lab = blobs(200, 30, seed=4)
    fast = engine.silhouette_samples(X, lab, "l2")
    exact = skm.silhouette_samples(X, lab, metric=lambda a, b: float(np.sqrt(((a - b) ** 2).sum())))
    np.testing.assert_allclose(fast, exact, rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("labels, words", [
    ([0, 0, 0, 0], "at least 2 clusters; these labels have 1."),                  # one cluster
    ([0, 1, 2, 3], "fewer clusters than points; these labels put 4 point(s) in 4"),  # every point alone
    ([-1, -1, -1, -1], "no point is in a cluster"),                                 # nothing assigned
    ([0, 0, 0, -1], "have 1 (the 1 point(s) with label -1 are in no cluster)"),     # noise is no cluster
    ([], "n >= 1"),                                                                 # no points
])
def test_silhouette_needs_two_to_n_minus_one_clusters(labels, words):
    X = np.array([[0.0], [1.0], [5.0], [6.0]])[:len(labels)]
    with pytest.raises(ParamError) as info:
        engine.silhouette_samples(X, labels)
    assert words in str(info.value)


def test_two_clusters_among_three_assigned_points_have_silhouettes():
    s = engine.silhouette_samples([[0.0], [1.0], [5.0], [6.0]], [0, 0, 1, -1])
    assert np.isnan(s[3]) and s[2] == 0.0 and s[0] == pytest.approx(0.8, rel=1e-15)


def test_silhouette_refuses_bad_input_with_messages():
    with pytest.raises(ParamError, match="n >= 1"):
        engine.silhouette_samples(np.empty((0, 2)), [])
    with pytest.raises(ParamError, match="one label per point"):
        engine.silhouette_samples([[0.0], [1.0]], [0])
    with pytest.raises(ParamError, match="choose 'l1', 'l2' or 'linf'"):
        engine.silhouette_samples([[0.0], [1.0], [2.0]], [0, 0, 1], metric="cosine")
    with pytest.raises(ParamError, match="whole numbers"):
        engine.silhouette_samples([[0.0], [1.0], [2.0]], [0, 0.5, 1])
    with pytest.raises(ParamError, match="rows"):
        engine.silhouette_samples([[0.0], [1.0], [2.0]], [0, 0, 1], rows=[3])


def test_no_n_by_n_matrix_at_10000_points(monkeypatch):
    """Every distance block has at most BLOCK_VALUES entries (n x n would be 1e8)."""
    seen = []
    real = sil._distances

    def spy(A, BT, metric, B_sq=None, buffers=None):
        seen.append(A.shape[0] * BT.shape[1])
        return real(A, BT, metric, B_sq, buffers)

    monkeypatch.setattr(sil, "_distances", spy)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(10_000, 2))
    labels = (X[:, 0] > 0).astype(int)
    s = engine.silhouette_samples(X, labels, "l2")
    assert s.shape == (10_000,) and max(seen) <= sil.BLOCK_VALUES and len(seen) > 1
    seen.clear()
    assert engine.silhouette_samples(X, labels, "l1").shape == (10_000,) and not seen  # l1: no distances at all


def test_l1_sums_in_chunks_with_ties_and_large_offsets(monkeypatch):
    """l1 by sorted prefix sums: many equal values (image pixels) and data far from 0 lose nothing."""
    rng = np.random.default_rng(6)
    X = np.round(rng.random((400, 6)) * 3) + np.array([0, 0, 0, 1e6, -1e6, 5e3])
    lab = rng.integers(0, 5, 400)
    lab[X[:, 0] > 2] = 0
    monkeypatch.setattr(sil, "L1_CHUNK", 7)
    ours = engine.silhouette_samples(X, lab, "l1")
    np.testing.assert_allclose(ours, skm.silhouette_samples(X, lab, metric="manhattan"), rtol=RTOL, atol=ATOL)


# ------------------------------------------------------------------ against known labels
CASES = {
    "noisy": lambda rng: (rng.integers(0, 5, 2000), rng.integers(0, 7, 2000)),
    "close": lambda rng: blobs(1000, 2, k=6, seed=int(rng.integers(100)), flip=0.2)[1:],
    "big ids": lambda rng: (rng.integers(0, 3, 500) * 1000 + 7, rng.integers(-1, 4, 500)),
    "one cluster": lambda rng: (rng.integers(0, 4, 300), np.zeros(300, int)),
    "one class": lambda rng: (np.full(300, 2), rng.integers(0, 4, 300)),
    "both single": lambda rng: (np.zeros(50, int), np.full(50, 3)),
    "all singletons": lambda rng: (rng.integers(0, 4, 300), np.arange(300)),
    "singletons both": lambda rng: (np.arange(40), np.arange(40)[::-1]),
    "identical": lambda rng: (np.repeat(np.arange(5), 20), np.repeat(np.arange(5), 20)[::-1] * 3),
    "one point": lambda rng: (np.array([1]), np.array([0])),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_ari_nmi_agree_with_sklearn(case):
    truth, labels = CASES[case](np.random.default_rng(len(case)))
    assert engine.adjusted_rand_index(truth, labels) == pytest.approx(skm.adjusted_rand_score(truth, labels),
                                                                      rel=1e-12, abs=1e-15)
    assert engine.normalized_mutual_info(truth, labels) == pytest.approx(
        skm.normalized_mutual_info_score(truth, labels), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("case", sorted(CASES))
def test_contingency_and_purity(case):
    truth, labels = CASES[case](np.random.default_rng(len(case)))
    c = engine.contingency(truth, labels)
    np.testing.assert_array_equal(c.table.T, skm.cluster.contingency_matrix(truth, labels))
    np.testing.assert_array_equal(c.clusters, np.unique(labels))
    np.testing.assert_array_equal(c.classes, np.unique(truth))
    assert engine.purity(truth, labels) == pytest.approx(c.table.max(axis=1).sum() / len(truth), rel=1e-15)


def test_unknown_classes_are_left_out_and_noise_is_a_cluster():
    rng = np.random.default_rng(9)
    truth, labels = rng.integers(-1, 3, 600), rng.integers(-1, 4, 600)
    known = truth >= 0
    for ours, ref in ((engine.adjusted_rand_index, skm.adjusted_rand_score),
                      (engine.normalized_mutual_info, skm.normalized_mutual_info_score)):
        assert ours(truth, labels) == pytest.approx(ref(truth[known], labels[known]), rel=1e-12)
    c = engine.contingency(truth, labels)
    assert c.classes.min() == 0 and c.clusters[0] == -1 and c.table.sum() == known.sum()
    assert engine.purity([0, 0, 1, 1, -1], [-1, -1, 0, 0, 0]) == 1.0  # noise is one cluster, purely class 0


def test_scores_refuse_empty_and_mismatched_labels():
    with pytest.raises(ParamError, match="empty"):
        engine.adjusted_rand_index([], [])
    with pytest.raises(ParamError, match="one of each per point"):
        engine.normalized_mutual_info([0, 1], [0, 1, 1])
    with pytest.raises(ParamError, match="no point has a known class"):
        engine.purity([-1, -1], [0, 1])
    with pytest.raises(ParamError, match="whole numbers"):
        engine.contingency([0.5, 1], [0, 1])
    with pytest.raises(ParamError, match="1-D"):
        engine.contingency([[0, 1]], [[0, 1]])


def test_perfect_and_permuted_clusterings_score_one():
    truth = np.repeat(np.arange(4), 25)
    labels = np.array([3, 0, 2, 1])[truth]
    assert engine.adjusted_rand_index(truth, labels) == 1.0
    assert engine.normalized_mutual_info(truth, labels) == pytest.approx(1.0, rel=1e-15)
    assert engine.purity(truth, labels) == 1.0


def test_the_facade_exports_the_scores():
    for name in ("silhouette_samples", "silhouette_score", "adjusted_rand_index", "normalized_mutual_info", "purity",
                 "contingency"):
        assert name in engine.__all__ and callable(getattr(engine, name))


def test_step_scores_for_result_files():
    X, g, lab = blobs(300, 2, seed=1)
    s = step_scores(X, lab, truth=g, metric="l1")
    assert s["silhouette"] == pytest.approx(skm.silhouette_score(X, lab, metric="manhattan"), rel=1e-12)
    assert s["ari"] == pytest.approx(skm.adjusted_rand_score(g, lab), rel=1e-12)
    assert s["silhouette_points"] == 300 and "silhouette_note" not in s
    assert s["contingency"]["table"] == engine.contingency(g, lab).table.tolist()
    one = step_scores(X, np.zeros(300, int))
    assert one["silhouette"] is None and "at least 2 clusters" in one["silhouette_note"] and "ari" not in one
    big = step_scores(np.random.default_rng(0).normal(size=(3000, 784)), np.arange(3000) % 3, metric="linf")
    assert "random sample" in big["silhouette_note"] and big["silhouette_points"] < 3000


def test_run_metric_reads_the_parameters():
    assert engine.scores.run_metric({"norm": "l1", "linkage": "avg"}) == "l1"
    assert engine.scores.run_metric({"variant": "medoids", "metric": "linf"}) == "linf"
    assert engine.scores.run_metric({"variant": "means", "metric": "linf"}) == "l2"  # K-means ignores metric
    assert engine.scores.run_metric({"k": 3, "covariance": "full"}) == "l2"


# ------------------------------------------------------------------ BIC / AIC
def _sklearn_model(r, X):
    gm = GaussianMixture(n_components=len(r.weights), covariance_type=r.covariance_type)
    gm.weights_, gm.means_, gm.covariances_ = r.weights, r.means, r.covariances
    gm.precisions_cholesky_ = _precisions_cholesky(r.covariances, r.covariance_type)
    gm.converged_, gm.n_iter_ = True, 1
    gm.n_features_in_ = X.shape[1]
    return gm


def _precisions_cholesky(cov, ctype):
    from sklearn.mixture._gaussian_mixture import _compute_precision_cholesky
    return _compute_precision_cholesky(cov, ctype)


@pytest.mark.parametrize("ctype", ["full", "diag", "spherical", "tied"])
@pytest.mark.parametrize("d", [2, 3])
def test_gmm_bic_aic_agree_with_sklearn(ctype, d):
    X, _, _ = blobs(240, d, k=3, seed=d)
    r = engine.fit("gmm", X, k=3, covariance=ctype, seed=0)
    gm = _sklearn_model(r, X)
    assert r.n_params == gm._n_parameters()
    assert r.bic == pytest.approx(gm.bic(X), rel=1e-9)
    assert r.aic == pytest.approx(gm.aic(X), rel=1e-9)


def test_bernoulli_bic_aic_count_their_own_parameters():
    rng = np.random.default_rng(0)
    X = (rng.random((120, 12)) < np.where(np.arange(120)[:, None] < 60, 0.8, 0.2)).astype(float)
    for fixed, n_params in ((False, 3 * 12 + 2), (True, 3 * 12)):
        r = engine.fit("bernoulli", X, k=3, seed=0, alpha=0, fixed_weights=fixed)
        assert r.n_params == n_params
        P = r.probs
        logp = X @ np.log(P).T + (1 - X) @ np.log1p(-P).T + np.log(r.weights)
        m = logp.max(axis=1, keepdims=True)
        ll = float((m[:, 0] + np.log(np.exp(logp - m).sum(axis=1))).sum())
        assert r.bic == pytest.approx(-2 * ll + n_params * np.log(120), rel=1e-9)
        assert r.aic == pytest.approx(-2 * ll + 2 * n_params, rel=1e-9)


@pytest.mark.parametrize("offset", [0.0, 1e3, 1e6])
def test_linf_in_two_dimensions_and_every_metric_in_one_take_the_l1_way(offset, monkeypatch):
    """max(|a|, |b|) = (|a + b| + |a - b|) / 2: 2-D l-inf is l1 of turned coordinates; no pairwise distances,
    and exact far from the origin too (compared with exact references: scikit-learn's l2 uses |x|^2 + |y|^2 - 2 x.y)."""
    monkeypatch.setattr(sil, "_distances", None)  # would fail if called
    rng = np.random.default_rng(8)
    X = rng.normal(size=(600, 2)) * [1.0, 3.0] + offset
    lab = (X[:, 0] > offset).astype(int) + 2 * (X[:, 1] > offset + 1)
    ref = skm.silhouette_samples(X, lab, metric="chebyshev")
    np.testing.assert_allclose(engine.silhouette_samples(X, lab, "linf"), ref, rtol=RTOL, atol=ATOL)
    x = X[:, :1]
    exact = skm.silhouette_samples(x, lab, metric="manhattan")  # in one dimension every metric is |a - b|
    for metric in ("l1", "l2", "linf"):
        np.testing.assert_allclose(engine.silhouette_samples(x, lab, metric), exact, rtol=RTOL, atol=ATOL)
