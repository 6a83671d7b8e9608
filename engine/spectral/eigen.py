"""The embedding of spectral clustering: the first k eigenvectors of the normalised Laplacian, rows to unit length.

With degrees ``d_i = sum_j W_ij`` and ``M = D^{-1/2} W D^{-1/2}`` (the normalised affinity), the normalised
Laplacian is ``L = I - M``. Its ``k`` smallest eigenvalues ``lambda_1 <= ... <= lambda_k`` (``= 1 - mu``, ``mu``
the largest eigenvalues of ``M``) and their eigenvectors ``U`` (n, k) give the embedding
``T_i = U_i / ||U_i||`` (Ng, Jordan & Weiss 2001: each point's row scaled to unit length).

How they are found (numpy only, no sparse solver), by :func:`laplacian_eigen`:

* The null space is written down. A graph in ``c`` connected pieces has the eigenvalue 0 exactly ``c`` times,
  with the eigenvectors ``sqrt(d)`` on each piece (:mod:`engine.spectral.nullspace`): when ``c >= k`` they are
  the whole answer and nothing is computed (e.g. an RBF graph whose weights between far groups underflow to
  0, like well separated blobs). The other ``k - c`` eigenpairs are computed orthogonal to them.
* A dense graph (RBF) in ``c > 1`` pieces: each piece is solved on its own, smaller, matrix (the eigenvectors of
  a piece, padded with zeros, are eigenvectors of the whole) and the ``k - c`` smallest non-zero eigenvalues of
  all pieces are kept. Splitting is exact: a weight of 0 joins nothing. A connected graph or piece of at most
  :data:`EIGH_MAX_N` points: ``numpy.linalg.eigh`` of the dense ``L + sigma I`` (all its eigenpairs). Larger:
  subspace inverse iteration (below) with a Cholesky factor ``C C^T = L + sigma I`` made in the memory of the
  affinity matrix when the caller allows it (``overwrite``; :class:`engine.spectral.cholesky.BlockCholesky`,
  ``n^3 / 3`` operations, half of an LU factor's, no second n x n array): at n = 2,000 under 0.1 s on one core,
  where ``eigh`` takes about 2 s.
* A sparse graph (knn): subspace inverse iteration with the exact factor of ``L + sigma I`` in breadth-first
  level order, where it is block tridiagonal (:class:`engine.spectral.levels.LevelCholesky`: milliseconds for
  2,000 points in the plane), when no block of levels exceeds :data:`LEVEL_MAX_BLOCK` points; block Krylov
  with the sparse product (:mod:`engine.spectral.krylov`) when the blocks are larger (points in many
  dimensions) or the iteration has not converged in :data:`SPARSE_MAX_ITER` steps (a flat spectrum).
* Subspace inverse iteration (``sigma =`` :data:`SIGMA`): each iteration applies ``(L + sigma I)^{-1}`` (two
  triangular substitutions, matrix products only) to a block of ``p = 2 (k - c) + 4`` vectors kept orthogonal
  to the null space and takes the Ritz vectors of the block. Vector ``j`` converges like
  ``((lambda_j + sigma) / (lambda_{p+c+1} + sigma))^t``: a few iterations when the clusters are nearly
  disconnected (small ``lambda_j``), which is when spectral clustering works. It stops when every wanted Ritz
  pair's residual is below :data:`TOL` relative (for the inverse); the eigenvalues are then the Rayleigh
  quotients of ``L``. After :data:`MAX_ITER` iterations, or if a factorisation fails, the dense ``eigh`` is the
  fallback.

Each eigenvector's sign is fixed as scikit-learn fixes it: its entry of largest magnitude (the first such
entry) is positive. Within a repeated eigenvalue (a graph in several pieces) the basis is arbitrary; the
row-normalised embedding is then determined up to a rotation, which does not change K-means' clusters.

Example
-------
>>> import numpy as np
>>> W = np.array([[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]], dtype=float)  # two pieces
>>> lam, U = laplacian_eigen(W, 2)
>>> np.round(lam, 12).tolist()
[0.0, 0.0]
>>> T = njw_rows(U)
>>> bool(np.allclose(T[0], T[1]) and np.allclose(T[2], T[3]) and abs(T[0] @ T[2]) < 1e-12)
True
"""
from __future__ import annotations

import numpy as np

from engine.spectral import krylov
from engine.spectral.cholesky import BlockCholesky
from engine.spectral.graph import components
from engine.spectral.levels import LevelCholesky, level_order
from engine.spectral.nullspace import null_basis, null_vectors
from engine.spectral.sparse import SparseGraph

__all__ = ["normalized_affinity", "shifted_laplacian", "laplacian_eigen", "njw_rows", "fix_signs", "SIGMA",
           "MAX_ITER", "EIGH_MAX_N", "METHODS", "TOL"]

SIGMA = 1e-7
MAX_ITER = 200
#: Up to this many points (of a connected graph or piece) ``"auto"`` uses ``numpy.linalg.eigh``.
EIGH_MAX_N = 500
TOL = 1e-8
#: A sparse graph's level-ordered factor is used when no block of its levels holds more points than this.
LEVEL_MAX_BLOCK = 512
#: Subspace iterations on a sparse graph's factor before block Krylov takes over.
SPARSE_MAX_ITER = 50
METHODS = ("auto", "eigh", "subspace")


def normalized_affinity(W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``M = D^{-1/2} W D^{-1/2}`` and the degrees ``d`` (every degree must be positive)."""
    d = W.sum(axis=1)
    s = 1.0 / np.sqrt(d)
    M = W * s[:, None]
    M *= s[None, :]
    return M, d


def shifted_laplacian(W: np.ndarray, d: np.ndarray, overwrite: bool = False) -> np.ndarray:
    """``L + SIGMA I = (1 + SIGMA) I - D^{-1/2} W D^{-1/2}`` for a dense ``W`` with degrees ``d``; built in the
    memory of ``W`` (a writable float64 array) when ``overwrite``, else in a new array."""
    s = 1.0 / np.sqrt(d)
    A = W if overwrite else np.array(W, dtype=np.float64)
    A *= (-s)[:, None]
    A *= s[None, :]
    A[np.diag_indices(A.shape[0])] += 1.0 + SIGMA
    return A


def fix_signs(U: np.ndarray) -> np.ndarray:
    """Each column times the sign of its first entry of largest magnitude (scikit-learn's rule)."""
    idx = np.abs(U).argmax(axis=0)
    signs = np.sign(U[idx, np.arange(U.shape[1])])
    signs[signs == 0] = 1.0
    return U * signs[None, :]


def njw_rows(U: np.ndarray) -> np.ndarray:
    """Rows of ``U`` scaled to unit length (a zero row stays zero)."""
    norms = np.sqrt(np.einsum("ij,ij->i", U, U))
    return U / np.where(norms > 0, norms, 1.0)[:, None]


def _subspace(factor, N: np.ndarray, want: int, rng, max_iter: int = MAX_ITER) -> tuple[np.ndarray, np.ndarray] | None:
    """The ``want`` smallest eigenpairs of ``L`` orthogonal to the null vectors ``N`` (orthonormal columns), by
    subspace inverse iteration (see the module docstring), ascending. ``factor.solve`` applies
    ``(L + SIGMA I)^{-1}``, ``factor.rayleigh`` gives ``u^T (L + SIGMA I) u``. None when it did not converge
    within ``max_iter`` iterations."""
    n, c = N.shape
    p = min(n - c, 2 * want + 4)
    Q = rng.standard_normal((n, p))
    Q, _ = np.linalg.qr(Q - N @ (N.T @ Q))
    for _ in range(max_iter):
        Y = factor.solve(Q)  # (L + sigma)^{-1} Q, then the null space (where rounding is magnified) taken out
        Y -= N @ (N.T @ Y)
        H = Q.T @ Y
        theta, S = np.linalg.eigh((H + H.T) / 2)
        theta, S = theta[::-1], S[:, ::-1]  # largest theta = smallest lambda
        YS = Y @ S
        U = Q @ S[:, :want]
        R = YS[:, :want] - U * theta[None, :want]
        if np.all(np.linalg.norm(R, axis=0) <= TOL * theta[:want]):
            lam = factor.rayleigh(U) - SIGMA
            order = np.argsort(lam, kind="stable")
            return lam[order], U[:, order]
        Q, _ = np.linalg.qr(YS)
    return None


def _without_null(lam: np.ndarray, U: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lowest eigenpairs of a connected graph (from ``eigh``) with its null vector ``sqrt(d)`` taken out:
    the Ritz pairs of the rest of their span, one fewer. (Not simply "drop column 0": the graph may hold
    groups joined by weights so small that its second eigenvalue is 0 up to rounding, and then ``eigh``
    returns any basis of that pair.)"""
    z = np.sqrt(d) / np.linalg.norm(np.sqrt(d))
    S = np.linalg.svd((U.T @ z)[None, :])[2][1:].T  # orthonormal, orthogonal to the null vector's coordinates
    mu, R = np.linalg.eigh(S.T @ (lam[:, None] * S))
    return mu, U @ (S @ R)


def _dense_rest(W: np.ndarray, d: np.ndarray, want: int, rng, method: str, overwrite: bool):
    """The ``want`` smallest eigenpairs of the Laplacian of a connected dense graph after its null vector."""
    n = W.shape[0]
    A = shifted_laplacian(W, d, overwrite)
    if method == "subspace" or (method == "auto" and n > EIGH_MAX_N):
        try:
            chol = BlockCholesky(A)
        except np.linalg.LinAlgError:
            chol = None
        got = None if chol is None else _subspace(chol, null_vectors(d, np.zeros(n, dtype=np.intp), 1), want, rng)
        if got is not None:
            return got
        if chol is not None:
            chol.restore()
    vals, V = np.linalg.eigh(A)
    return _without_null(vals[:want + 1] - SIGMA, V[:, :want + 1], d)


def _dense_rests(W: np.ndarray, d: np.ndarray, extra: int, rng, method: str, pieces, overwrite: bool):
    """The ``extra`` smallest non-zero eigenpairs of a dense ``W``: each piece solved alone, the smallest of all
    kept (eigenvalues ascending, eigenvectors padded with zeros)."""
    count, comp = pieces
    if count == 1:
        return _dense_rest(W, d, extra, rng, method, overwrite)
    found = []  # (eigenvalue, piece's points, piece's eigenvector)
    for c in range(count):
        idx = np.flatnonzero(comp == c)
        want = min(idx.size - 1, extra)
        if want:
            lam, U = _dense_rest(W[np.ix_(idx, idx)], d[idx], want, rng, method, True)
            found += [(lam[j], idx, U[:, j]) for j in range(want)]
    found = sorted(found, key=lambda f: f[0])[:extra]
    U = np.zeros((W.shape[0], extra))
    for j, (_, idx, u) in enumerate(found):
        U[idx, j] = u
    return np.array([f[0] for f in found]), U


def _sparse_rests(G: SparseGraph, d: np.ndarray, N: np.ndarray, extra: int, rng, pieces):
    """The ``extra`` smallest non-zero eigenpairs of a sparse graph: subspace iteration on its level-ordered
    factor when its blocks are small, then block Krylov if that was not done; None if neither converged."""
    order, cuts = level_order(G, pieces[1], pieces[0])
    got = None
    if np.diff(cuts).max() <= LEVEL_MAX_BLOCK:
        try:
            got = _subspace(LevelCholesky(G, d, order, cuts, SIGMA), N, extra, rng, SPARSE_MAX_ITER)
        except np.linalg.LinAlgError:
            got = None
    if got is None:
        got = krylov.sparse_rest(G, d, N, extra, rng)
        got = None if got is None else (1.0 - got[0], got[1])
    return got


def laplacian_eigen(W, k: int, rng=None, method: str = "auto", pieces=None,
                    overwrite: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` smallest eigenvalues of the normalised Laplacian of ``W`` (ascending) and their
    eigenvectors (n, k), signs fixed by :func:`fix_signs`.

    ``W``: a dense matrix (zero diagonal) or a :class:`engine.spectral.sparse.SparseGraph`, every degree
    positive. ``method``: ``"eigh"`` (the whole dense matrix, no shortcut: the reference), ``"subspace"``
    (subspace inverse iteration whatever the size) or ``"auto"`` (a dense graph's pieces of at most
    :data:`EIGH_MAX_N` points by ``eigh``, larger ones by subspace iteration; a sparse graph by subspace
    iteration on its level-ordered factor). All but ``"eigh"`` write the null space down and use the connected
    pieces (see the module docstring). ``rng`` (a numpy Generator) draws the starting blocks and the basis of
    a null space larger than ``k``; ``pieces`` is ``graph.components(W)`` when already known. ``overwrite``: a
    dense ``W`` may be overwritten (it holds ``L + SIGMA I`` afterwards; saves an n x n copy).
    """
    if method not in METHODS:
        raise ValueError(f"method={method!r} is not one of {', '.join(METHODS)}.")
    rng = rng if rng is not None else np.random.default_rng(0)
    sparse = isinstance(W, SparseGraph)
    d = W.degrees() if sparse else W.sum(axis=1)
    if method == "eigh":
        vals, V = np.linalg.eigh(shifted_laplacian(W.toarray() if sparse else W, d, overwrite or sparse))
        return vals[:k] - SIGMA, fix_signs(V[:, :k])
    count, comp = pieces if pieces is not None else components(W)
    if count >= k:
        return np.zeros(k), fix_signs(null_basis(d, comp, count, k, rng))
    N = null_vectors(d, comp, count)
    got = _sparse_rests(W, d, N, k - count, rng, (count, comp)) if sparse else None
    if got is None:
        got = _dense_rests(W.toarray() if sparse else W, d, k - count, rng, method, (count, comp),
                           overwrite or sparse)
    return np.concatenate([np.zeros(count), got[0]]), fix_signs(np.hstack([N, got[1]]))
