"""Spectral clustering's solvers (engine.spectral.cholesky, levels, nullspace, eigen's paths, graph helpers)
against plain numpy: every path exact to the tolerances of float64."""
from __future__ import annotations

import re

import numpy as np
import pytest

from engine import spectral
from engine.core.params import ParamError
from engine.data import generate
from engine.spectral import eigen, graph
from engine.spectral.cholesky import BlockCholesky
from engine.spectral.levels import LevelCholesky, level_order
from engine.spectral.run import too_many_points


def spd(n, seed=0):
    R = np.random.default_rng(seed).standard_normal((n, n))
    return R @ R.T / n + np.eye(n)


def same_span(U, V, tol=1e-6):
    """Columns of U and V span the same space (every principal angle ~ 0)."""
    qa, qb = np.linalg.qr(U)[0], np.linalg.qr(V)[0]
    assert np.linalg.svd(qa.T @ qb, compute_uv=False).min() == pytest.approx(1.0, abs=tol)


@pytest.mark.parametrize("n,block", [(5, 128), (300, 128), (50, 7)])  # one block; several, the last one short
def test_block_cholesky_solves_restores_and_gives_rayleigh_quotients(monkeypatch, n, block):
    monkeypatch.setattr("engine.spectral.cholesky.BLOCK", block)
    A = spd(n)
    work = A.copy()
    f = BlockCholesky(work)
    B = np.random.default_rng(1).standard_normal((n, 3))
    np.testing.assert_allclose(A @ f.solve(B), B, rtol=0, atol=1e-10)
    np.testing.assert_allclose(f.rayleigh(B), np.einsum("ij,ij->j", B, A @ B), rtol=1e-12)
    f.restore()
    np.testing.assert_allclose(work, A, rtol=1e-15, atol=0)  # copied back from its mirror


def test_block_cholesky_leaves_the_matrix_as_it_was_when_it_fails():
    A = spd(300)
    A[200, 200] = -5.0  # not positive definite: found in the second block
    work = A.copy()
    with pytest.raises(np.linalg.LinAlgError):
        BlockCholesky(work)
    np.testing.assert_allclose(work, A, rtol=1e-15, atol=0)  # copied back from its mirror


@pytest.mark.parametrize("kind,m", [("moons", 10), ("blobs", 25)])
def test_level_order_makes_the_graph_block_tridiagonal_and_its_factor_solves(kind, m):
    X = generate(kind, n=600, seed=2, **({"noise": 0.05} if kind == "moons" else {})).X
    G = graph.knn_graph(X, m)
    count, comp = graph.components(G)
    order, cuts = level_order(G, comp, count)
    assert sorted(order.tolist()) == list(range(600)) and cuts[0] == 0 and cuts[-1] == 600
    pos = np.empty(600, dtype=int)
    pos[order] = np.arange(600)
    block = np.searchsorted(cuts, pos, side="right") - 1
    rows = G.rows()
    assert np.abs(block[rows] - block[G.indices]).max() <= 1, "edges only within a block or to the next"
    d = G.degrees()
    A = np.eye(600) * (1 + 1e-3) - G.toarray() / np.sqrt(np.outer(d, d))
    f = LevelCholesky(G, d, order, cuts, 1e-3)
    B = np.random.default_rng(0).standard_normal((600, 4))
    np.testing.assert_allclose(A @ f.solve(B), B, rtol=0, atol=1e-9)
    np.testing.assert_allclose(f.rayleigh(B), np.einsum("ij,ij->j", B, A @ B), rtol=1e-12)


def test_rbf_pieces_solved_alone_agree_with_eigh():
    """Three groups far apart (weights between them 0) and k = 5: the null space written down, the two other
    eigenpairs the smallest of the pieces' own; one piece holds two groups joined by weights ~1e-15, whose
    second eigenvalue is 0 up to rounding (the null vector must be taken out of that pair, not dropped)."""
    rng = np.random.default_rng(3)
    X = np.vstack([rng.normal(size=(60, 2)) * 0.2, rng.normal(size=(60, 2)) * 0.2 + [1.6, 0.0],
                   rng.normal(size=(80, 2)) * 0.3 + [20.0, 0.0], rng.normal(size=(70, 2)) * 0.3 + [40.0, 0.0]])
    W = graph.rbf_affinity(X, 20.0)
    assert graph.components(W)[0] == 3
    for method in ("auto", "subspace"):
        lam_a, U_a = eigen.laplacian_eigen(W, 5, np.random.default_rng(1), method=method)
        lam_b, U_b = eigen.laplacian_eigen(W, 5, method="eigh")
        np.testing.assert_allclose(lam_a, lam_b, rtol=0, atol=1e-10)
        np.testing.assert_allclose(lam_a[:3], 0.0, rtol=0, atol=1e-15)  # written down
        same_span(U_a, U_b)


def test_connected_rbf_subspace_overwrites_only_when_allowed():
    X = generate("moons", n=120, seed=0, noise=0.05).X
    W = graph.rbf_affinity(X, 20.0)
    kept = W.copy()
    lam_a, U_a = eigen.laplacian_eigen(W, 3, method="subspace")
    np.testing.assert_allclose(W, kept, rtol=1e-15, atol=0)
    lam_b, U_b = eigen.laplacian_eigen(W, 3, method="subspace", overwrite=True)
    np.testing.assert_allclose(lam_a, lam_b, rtol=0, atol=1e-13)
    lam_c, U_c = eigen.laplacian_eigen(kept, 3, method="eigh")
    np.testing.assert_allclose(lam_a, lam_c, rtol=0, atol=1e-10)
    same_span(U_a, U_c)


@pytest.mark.parametrize("patch", [{"LEVEL_MAX_BLOCK": 0}, {"SPARSE_MAX_ITER": 1}])
def test_sparse_graph_falls_back_to_block_krylov_and_agrees_with_eigh(monkeypatch, patch):
    """Large breadth-first levels (points in many dimensions), or a subspace iteration that has not converged
    in time (a flat spectrum): block Krylov takes over, with the same answer."""
    for name, value in patch.items():
        monkeypatch.setattr(eigen, name, value)
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(200, 10)) + 4 * rng.normal(size=10) for _ in range(2)])
    G = graph.knn_graph(X, 12)
    count = graph.components(G)[0]
    lam_a, U_a = eigen.laplacian_eigen(G, count + 2, np.random.default_rng(2))
    lam_b, U_b = eigen.laplacian_eigen(G, count + 2, method="eigh")
    np.testing.assert_allclose(lam_a, lam_b, rtol=0, atol=1e-9)
    same_span(U_a, U_b)


def test_more_pieces_than_k_give_an_orthonormal_basis_of_the_null_space():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(30, 2)) * 0.1 + 30 * s for s in range(4)])
    W = graph.rbf_affinity(X, 5.0)
    lam, U = eigen.laplacian_eigen(W, 3, np.random.default_rng(0))
    np.testing.assert_allclose(lam, 0.0, rtol=0, atol=1e-15)
    np.testing.assert_allclose(U.T @ U, np.eye(3), rtol=0, atol=1e-12)
    d = W.sum(axis=1)
    L = np.eye(120) - W / np.sqrt(np.outer(d, d))
    np.testing.assert_allclose(L @ U, 0.0, rtol=0, atol=1e-12)


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError, match="method='lanczos' is not one of auto, eigh, subspace"):
        eigen.laplacian_eigen(np.ones((3, 3)) - np.eye(3), 2, method="lanczos")


@pytest.mark.parametrize("kind,n", [("blobs", 400), ("moons", 400), ("blobs", 120)])
def test_strongest_edges_and_components_agree_with_plain_numpy(kind, n):
    X = generate(kind, n=n, seed=1, **({"noise": 0.05} if kind == "moons" else {})).X
    W = graph.rbf_affinity(X, 20.0)  # blobs: most weights 0 (the slow case of np.partition)
    upper = W[np.triu_indices(n, 1)]
    for limit in (10, 3000, 10 ** 6):
        edges, w, total = graph.strongest_edges(W, X, limit)
        assert total == np.count_nonzero(upper)
        expected = np.sort(upper[upper > 0])[::-1][:limit]
        np.testing.assert_allclose(w, expected, rtol=1e-15, atol=0)  # the same weights, taken from W
        np.testing.assert_allclose(W[edges[:, 0], edges[:, 1]], w, rtol=1e-15, atol=0)
    count, comp = graph.components(W)
    reach = (W > 0) | np.eye(n, dtype=bool)
    for _ in range(int(np.ceil(np.log2(n))) + 1):  # transitive closure by squaring
        reach = (reach.astype(np.float32) @ reach.astype(np.float32)) > 0
    first = reach.argmax(axis=1)  # each point's lowest reachable point names its piece
    _, plain = np.unique(first, return_inverse=True)
    np.testing.assert_array_equal(comp, plain)
    assert count == plain.max() + 1


@pytest.mark.parametrize("affinity,says,never", [
    ("rbf", "RBF affinity joins every pair of points, a dense 5,001 x 5,001 matrix", "knn"),
    ("knn", "the knn graph itself is sparse", "RBF"),
])
def test_too_many_points_says_what_is_true_for_the_affinity(affinity, says, never):
    text = too_many_points(5001, affinity)
    assert says in text and never not in text
    assert "at most 5,000 points" in text and "Take a sample" in text
    with pytest.raises(ParamError, match=re.escape(says)):
        spectral.steps(np.zeros((spectral.MAX_POINTS + 1, 2)), 2, affinity=affinity)
