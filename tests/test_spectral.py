"""Spectral clustering (engine.spectral): the references of issue #15, the step protocol, the working, errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.cluster import KMeans, SpectralClustering
from sklearn.manifold import spectral_embedding
from sklearn.metrics import adjusted_rand_score

import engine
from engine import spectral
from engine.core.params import ParamError
from engine.data import generate
from engine.spectral import eigen, graph
from engine.spectral.working import plain_affinity, working

SK_AFFINITY = {"knn": "nearest_neighbors", "rbf": "rbf"}
SETTINGS = {"knn": {"n_neighbors": 10}, "rbf": {"gamma": 20.0}}


def shapes(kind, seed=0, n=300):
    opts = {"noise": 0.05} if kind in ("moons", "rings") else {}
    return generate(kind, n=n, seed=seed, **opts)


def sklearn_labels(X, k, affinity):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Graph is not fully connected": the knn graphs of moons and rings
        return SpectralClustering(k, affinity=SK_AFFINITY[affinity], random_state=0,
                                  **SETTINGS[affinity]).fit_predict(X)


def close(a, b, what=""):
    """Floats equal to 1e-9 relative (and 1e-12 absolute: sums of squares that are 0 up to rounding)."""
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-9, atol=1e-12,
                               err_msg=what)


# ============================================================================ references
@pytest.mark.parametrize("affinity", ["knn", "rbf"])
@pytest.mark.parametrize("kind", ["moons", "rings"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_recovers_moons_and_rings_where_kmeans_does_not(kind, seed, affinity):
    ds = shapes(kind, seed)
    r = spectral.fit(ds.X, 2, affinity=affinity, **SETTINGS[affinity], seed=0)
    assert adjusted_rand_score(ds.labels, r.labels) == pytest.approx(1.0, abs=1e-12)
    km = KMeans(2, n_init=10, random_state=0).fit_predict(ds.X)
    assert adjusted_rand_score(ds.labels, km) < 0.5
    assert r.embedding.shape == (300, 2) and r.labels.shape == (300,)


@pytest.mark.parametrize("affinity", ["knn", "rbf"])
@pytest.mark.parametrize("kind,k", [("moons", 2), ("rings", 2), ("blobs", 3)])
def test_agrees_with_scikit_learn(kind, k, affinity):
    X = shapes(kind, seed=4).X
    ours = spectral.fit(X, k, affinity=affinity, **SETTINGS[affinity], seed=0).labels
    assert adjusted_rand_score(sklearn_labels(X, k, affinity), ours) >= 0.99


def test_embedding_spans_scikit_learns_eigenvectors():
    """scikit-learn's maps are U / sqrt(d): times sqrt(d) they span the same space as our U (signs and basis
    are arbitrary, so subspaces are compared: every principal angle ~ 0)."""
    X = shapes("moons", seed=3).X
    W = graph.rbf_affinity(X, 20.0)
    lam, U = eigen.laplacian_eigen(W, 3)
    maps = spectral_embedding(W, n_components=3, drop_first=False, random_state=0, norm_laplacian=True)
    V = maps * np.sqrt(W.sum(axis=1))[:, None]
    qa, _ = np.linalg.qr(U)
    qb, _ = np.linalg.qr(V)
    assert np.linalg.svd(qa.T @ qb, compute_uv=False).min() == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("kind,affinity", [("moons", "rbf"), ("rings", "knn"), ("blobs", "rbf")])
def test_subspace_iteration_agrees_with_eigh(kind, affinity):
    X = shapes(kind, seed=1, n=600).X
    W = graph.rbf_affinity(X, 20.0) if affinity == "rbf" else graph.knn_affinity(X, 10)
    k = 3
    lam_a, U_a = eigen.laplacian_eigen(W, k, np.random.default_rng(5), method="subspace")
    lam_b, U_b = eigen.laplacian_eigen(W, k, method="eigh")
    np.testing.assert_allclose(lam_a, lam_b, rtol=0, atol=1e-10)
    s = np.linalg.svd(U_a.T @ U_b, compute_uv=False)
    assert s.min() == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("kind,m,k", [("moons", 25, 3), ("rings", 10, 4), ("blobs", 10, 3), ("blobs", 10, 5),
                                      ("blobs", 40, 6)])
def test_sparse_subspace_agrees_with_eigh(kind, m, k):
    """The sparse knn path (null space written down, the rest by subspace iteration on the level-ordered
    factor) against numpy.linalg.eigh."""
    X = shapes(kind, seed=1, n=700).X
    G = graph.knn_graph(X, m)
    lam_a, U_a = eigen.laplacian_eigen(G, k, np.random.default_rng(5), method="subspace")
    lam_b, U_b = eigen.laplacian_eigen(G.toarray(), k, method="eigh")
    np.testing.assert_allclose(lam_a, lam_b, rtol=0, atol=1e-10)
    s = np.linalg.svd(U_a.T @ U_b, compute_uv=False)
    assert s.min() == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_allclose(np.linalg.norm(U_a, axis=0), 1.0, rtol=0, atol=1e-12)


@pytest.mark.parametrize("dims", [1, 2, 3, 5])
def test_sparse_knn_graph_matches_its_definition(dims):
    """The grid search (up to 3 dimensions, with its coarser passes and brute-force rest) finds exactly the
    neighbours of the plain definition, on data of very uneven density."""
    rng = np.random.default_rng(dims)
    X = np.vstack([rng.normal(size=(500, dims)) * 0.01, rng.normal(size=(300, dims)) * 5, rng.uniform(size=(9, dims))])
    for m in (2, 10, 31):
        G = graph.knn_graph(X, m)
        np.testing.assert_array_equal(G.toarray(), plain_affinity(X, {"affinity": "knn", "n_neighbors": m}))
        close(G.degrees(), G.toarray().sum(axis=1))
        V = rng.normal(size=(len(X), 3))
        close(G.matmul(V), G.toarray() @ V)


def test_knn_graph_matches_its_definition_with_ties():
    """A grid has many equal distances: the lower index wins, as the plain row-by-row definition says."""
    X = np.array([[i, j] for i in range(5) for j in range(4)], dtype=float)
    for m in (2, 3, 5, 8):
        W = graph.knn_affinity(X, m)
        np.testing.assert_array_equal(W, plain_affinity(X, {"affinity": "knn", "n_neighbors": m}))
        assert np.allclose(W, W.T) and np.all(np.diag(W) == 0)
        assert set(np.unique(W).tolist()) <= {0.0, 0.5, 1.0}


def test_rbf_graph_matches_its_definition():
    X = shapes("blobs", n=40).X
    close(graph.rbf_affinity(X, 0.7), plain_affinity(X, {"affinity": "rbf", "gamma": 0.7}))


def test_facade_runs_it_by_name():
    X = shapes("moons", n=80).X
    assert "spectral" in engine.algorithms()
    r = engine.fit("spectral", X, k=2, affinity="knn", n_neighbors=8)
    assert r.labels.shape == (80,) and r.embedding.shape == (80, 2)
    assert np.allclose(np.linalg.norm(r.embedding, axis=1), 1.0)


# ============================================================================ the steps
def test_steps_protocol():
    X = shapes("blobs", n=90).X
    run = list(spectral.steps(X, 3, affinity="rbf", gamma=1.0, seed=2))
    kinds = [s.kind for s in run]
    assert kinds[:5] == ["affinity", "embed", "seed", "seed", "seed"]
    assert kinds[5] == "assign" and kinds[-1] == "assign"
    assert all(a != b for a, b in zip(kinds[5:], kinds[6:])), "assign and update alternate"
    assert run[-1].done and run[-1].status == "converged" and not any(s.done for s in run[:-1])
    for s in run[:5]:
        assert (s.labels == -1).all() and s.centers is None
    first = run[0].payload
    assert first["edges"].shape[1] == 2 and len(first["edges"]) <= graph.MAX_EDGES
    assert first["n_edges"] == np.count_nonzero(np.triu(graph.rbf_affinity(X, 1.0), 1))  # weights > 0
    assert (np.diff(first["edge_weights"]) <= 0).all(), "strongest edges first"
    T = run[1].payload["embedding"]
    for s in run[1:]:
        assert s.payload["embedding"] is T, "the embedding is shared, not copied"
        assert s.payload["edges"] is first["edges"]
        assert not s.payload["embedding"].flags.writeable
    for s in run[2:]:
        assert s.payload["embedding_centers"].shape[1] == 3 and s.centers is None
    defined = [s.objective for s in run if np.isfinite(s.objective)]
    assert all(b <= a + 1e-12 for a, b in zip(defined, defined[1:]))
    assert np.isnan(run[0].objective) and np.isnan(run[1].objective)
    assert "RBF" in run[0].description and "eigenvalues" in run[1].description
    assert all(s.description.startswith("in the embedding, ") for s in run[2:])


def test_edges_are_capped_to_the_strongest_with_a_note():
    X = shapes("moons", n=200).X
    first = next(spectral.steps(X, 2, affinity="rbf", gamma=1.0))
    edges, w = first.payload["edges"], first.payload["edge_weights"]
    assert first.payload["n_edges"] == 200 * 199 // 2 and len(edges) == graph.MAX_EDGES
    W = graph.rbf_affinity(X, 1.0)
    close(W[edges[:, 0], edges[:, 1]], w)
    assert w.min() >= np.sort(W[np.triu_indices(200, 1)])[::-1][graph.MAX_EDGES - 1] - 1e-15
    assert f"the {graph.MAX_EDGES:,} strongest of {200 * 199 // 2:,} edges drawn" in first.description


def test_same_seed_same_run_and_the_fit_matches_the_steps():
    X = shapes("rings", n=120).X
    a, b = list(spectral.steps(X, 2, seed=3)), list(spectral.steps(X, 2, seed=3))
    assert [s.description for s in a] == [s.description for s in b]
    np.testing.assert_array_equal(a[-1].labels, b[-1].labels)
    r = spectral.fit(X, 2, seed=3)
    np.testing.assert_array_equal(r.labels, a[-1].labels)
    close(r.embedding, a[1].payload["embedding"])
    close(r.objective, a[-1].objective)


# ============================================================================ the working
@pytest.mark.parametrize("kind,params", [
    ("rings", {"k": 2}),
    ("blobs", {"k": 3, "affinity": "rbf", "gamma": 0.5, "seed": 4}),
    ("moons", {"k": 2, "affinity": "knn", "n_neighbors": 6, "seed": 1}),
])
def test_working_agrees_with_every_step(kind, params):
    X = shapes(kind, n=70).X
    p = spectral.ALGORITHM.validate(params)
    run = list(spectral.steps(X, **p))
    seen = set()
    for i, s in enumerate(run):
        w = working(X, run, i, p)
        assert w.tables, f"step {i} ({s.kind}) has a working"
        for key, value in w.derived.items():
            got = getattr(s, key, None)
            got = s.payload[key] if got is None else got
            close(got, value, f"step {i} ({s.kind}): {key}")
            seen.add(key)
        for t in w.tables:
            assert t.markdown() and t.latex() and t.csv()
    assert {"degrees", "affinity_eigenvalues", "embedding", "probs", "labels", "objective",
            "embedding_centers"} <= seen


def test_working_tables_show_the_chosen_rows_of_large_data():
    X = shapes("moons", n=120).X
    p = spectral.ALGORITHM.validate({"k": 2})
    run = list(spectral.steps(X, **p))
    w = working(X, run, 0, p, names=[f"p{i}" for i in range(120)], rows=[5, 3])
    t = w.tables[0]
    assert t.rows == ("p3", "p5") and t.columns == ("p3", "p5", "d_i") and "left out" in t.note
    assert w.derived["degrees"].shape == (120,)
    assign = next(i for i, s in enumerate(run) if s.kind == "assign")
    t = working(X, run, assign, p).tables[0]
    assert len(t.rows) == 50 and len(t.highlight) == 50


# ============================================================================ bad input
@pytest.mark.parametrize("change,match", [
    ({"k": 1}, "k=1 should be >= 2"),
    ({"k": 31}, "k=31 should be <= the number of points"),
    ({"affinity": "cosine"}, "affinity='cosine' is not allowed"),
    ({"gamma": 0.0}, "gamma=0.0 should be >="),
    ({"gamma": float("nan")}, "gamma=nan should be a finite number"),
    ({"n_neighbors": 1}, "n_neighbors=1 should be >= 2"),
    ({"affinity": "knn", "n_neighbors": 40}, "n_neighbors=40 should be <= the number of points"),
    ({"seed": -1}, "seed=-1 should be a whole number"),
])
def test_bad_parameters_say_what_to_change(change, match):
    X = shapes("moons", n=30).X
    with pytest.raises(ParamError, match=match):
        spectral.steps(X, **{"k": 2, **change})  # checked at the call, before the first step


def test_bad_data_say_what_to_change():
    with pytest.raises(ParamError, match="NaN"):
        spectral.steps(np.array([[0.0, 1.0], [np.nan, 2.0], [3.0, 4.0]]), 2)
    with pytest.raises(ParamError, match="distinct point"):
        spectral.steps(np.array([[1.0, 1.0]] * 5 + [[2.0, 2.0]] * 5), 3, n_neighbors=3)
    with pytest.raises(ParamError, match="at most 5,000 points"):
        spectral.steps(np.zeros((spectral.MAX_POINTS + 1, 2)), 2)


def test_an_rbf_point_without_neighbours_is_refused_with_a_gamma_that_works():
    X = np.array([[0.0, 0.0], [0.1, 0.0], [0.0, 0.1], [50.0, 50.0], [50.1, 50.0]])
    r = spectral.fit(X, 2, affinity="rbf", gamma=1.0)  # two pieces, no lonely point: fine
    assert r.n_components == 2 and adjusted_rand_score([0, 0, 0, 1, 1], r.labels) == pytest.approx(1.0)
    X = np.vstack([X, [[100.0, 0.0]]])  # point 6 is far from every other one
    gen = spectral.steps(X, 2, affinity="rbf", gamma=1.0)
    with pytest.raises(ParamError, match=r"gamma=1 is too large.*point 6.*Choose gamma below"):
        next(gen)
    r = spectral.fit(X, 2, affinity="rbf", gamma=1e-3)
    assert adjusted_rand_score([0, 0, 0, 1, 1, 1], r.labels) == pytest.approx(1.0)


def test_a_disconnected_graph_is_handled_and_said():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(30, 2)) + 40 * s for s in range(3)])
    truth = np.repeat([0, 1, 2], 30)
    run = list(spectral.steps(X, 3, affinity="knn", n_neighbors=5, seed=0))
    assert run[0].payload["n_components"] == 3 and "3 connected pieces" in run[0].description
    close(run[1].payload["eigenvalues"], np.zeros(3))
    assert adjusted_rand_score(truth, run[-1].labels) == pytest.approx(1.0)
    # more pieces than clusters: it still ends with every point assigned, and the descriptions say why
    run = list(spectral.steps(X, 2, affinity="knn", n_neighbors=5, seed=0))
    assert "more than k = 2" in run[0].description and "choose k = 3" in run[0].description
    assert "arbitrary" in run[1].description
    assert run[-1].done and (run[-1].labels >= 0).all() and len(set(run[-1].labels.tolist())) == 2
    assert np.isfinite(run[-1].objective)
