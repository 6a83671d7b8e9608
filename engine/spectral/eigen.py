"""The embedding of spectral clustering: the first k eigenvectors of the normalised Laplacian, rows to unit length.

With degrees ``d_i = sum_j W_ij`` and ``M = D^{-1/2} W D^{-1/2}`` (the normalised affinity), the normalised
Laplacian is ``L = I - M``. Its ``k`` smallest eigenvalues ``lambda_1 <= ... <= lambda_k`` (``= 1 - mu``, ``mu``
the largest eigenvalues of ``M``) and their eigenvectors ``U`` (n, k) give the embedding
``T_i = U_i / ||U_i||`` (Ng, Jordan & Weiss 2001: each point's row scaled to unit length).

Two ways to the same eigenvectors (numpy only, no sparse solver):

* ``"eigh"``: ``numpy.linalg.eigh`` of the dense ``M`` (all n eigenpairs; the plain way, used for small n);
* ``"subspace"``: subspace inverse iteration on ``L + sigma I`` (``sigma = 1e-7``): one Cholesky factor
  ``C C^T = L + sigma I`` (n^3 / 3 operations), then each iteration solves ``C C^T Y = Q`` for a block of
  ``p = 2k + 4`` vectors by blocked triangular substitution (matrix products only) and takes the Ritz vectors
  of the block. Vector ``j`` converges like ``((lambda_j + sigma) / (lambda_{p+1} + sigma))^t``: a few
  iterations when the clusters are nearly disconnected (small ``lambda_j``), which is when spectral clustering
  works. It stops when every wanted Ritz pair's residual is below ``1e-8`` relative (for the inverse; the eigenvalues are then the Rayleigh quotients), and falls back to
  ``"eigh"`` after ``MAX_ITER`` iterations or if the factorisation fails. This is about 4x faster than ``eigh``
  at n = 2,000 (which finds all 2,000 eigenpairs, nearly all of them unused).

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
from engine.spectral.graph import components
from engine.spectral.sparse import SparseGraph

__all__ = ["normalized_affinity", "laplacian_eigen", "njw_rows", "fix_signs", "SIGMA", "MAX_ITER", "EIGH_MAX_N"]

SIGMA = 1e-7
MAX_ITER = 200
#: Up to this many points ``"auto"`` uses ``numpy.linalg.eigh`` (fast enough, and exact).
EIGH_MAX_N = 500
TOL = 1e-8
BLOCK = 256  # rows per block of the triangular solves


def normalized_affinity(W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``M = D^{-1/2} W D^{-1/2}`` and the degrees ``d`` (every degree must be positive)."""
    d = W.sum(axis=1)
    s = 1.0 / np.sqrt(d)
    M = W * s[:, None]
    M *= s[None, :]
    return M, d


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


def _eigh(M: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    mu, V = np.linalg.eigh(M)
    return mu[::-1][:k].copy(), V[:, ::-1][:, :k].copy()


class _Cholesky:
    """Solves ``C C^T Y = B`` with a lower Cholesky factor ``C`` by blocked substitution (matrix products)."""

    def __init__(self, A: np.ndarray):
        self.C = np.linalg.cholesky(A)
        n = A.shape[0]
        self.cuts = list(range(0, n, BLOCK)) + [n]
        self.inv = [np.linalg.inv(self.C[a:b, a:b]) for a, b in zip(self.cuts, self.cuts[1:])]

    def solve(self, B: np.ndarray) -> np.ndarray:
        C, cuts, inv = self.C, self.cuts, self.inv
        Y = np.empty_like(B)
        for i, (a, b) in enumerate(zip(cuts, cuts[1:])):  # C Y = B, top down
            rhs = B[a:b] - C[a:b, :a] @ Y[:a] if a else B[a:b]
            Y[a:b] = inv[i] @ rhs
        Z = np.empty_like(B)
        blocks = list(enumerate(zip(cuts, cuts[1:])))
        for i, (a, b) in reversed(blocks):  # C^T Z = Y, bottom up
            rhs = Y[a:b] - C[b:, a:b].T @ Z[b:] if b < len(B) else Y[a:b]
            Z[a:b] = inv[i].T @ rhs
        return Z


def _subspace(M: np.ndarray, d: np.ndarray, k: int, rng) -> tuple[np.ndarray, np.ndarray] | None:
    """The k largest eigenpairs of ``M`` by subspace inverse iteration (see the module docstring); None when
    it did not converge (or the factorisation failed)."""
    n = M.shape[0]
    p = min(n, 2 * k + 4)
    A = -M
    A.flat[::n + 1] += 1.0 + SIGMA
    try:
        chol = _Cholesky(A)
    except np.linalg.LinAlgError:
        return None
    del A
    Q = rng.standard_normal((n, p))
    Q[:, 0] = np.sqrt(d)  # the first eigenvector of a connected graph
    Q, _ = np.linalg.qr(Q)
    for _ in range(MAX_ITER):
        Y = chol.solve(Q)  # (L + sigma)^{-1} Q
        H = Q.T @ Y
        theta, S = np.linalg.eigh((H + H.T) / 2)
        theta, S = theta[::-1], S[:, ::-1]  # largest theta = smallest lambda
        YS = Y @ S
        R = YS[:, :k] - (Q @ S[:, :k]) * theta[None, :k]
        if np.all(np.linalg.norm(R, axis=0) <= TOL * theta[:k]):
            U = Q @ S[:, :k]
            mu = np.einsum("ij,ij->j", U, M @ U)
            order = np.argsort(-mu, kind="stable")
            return mu[order], U[:, order]
        Q, _ = np.linalg.qr(YS)
    return None


def laplacian_eigen(W, k: int, rng=None, method: str = "auto", pieces=None) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` smallest eigenvalues of the normalised Laplacian of ``W`` (ascending) and their
    eigenvectors (n, k), signs fixed by :func:`fix_signs`.

    ``W``: a dense matrix or a :class:`engine.spectral.sparse.SparseGraph`. ``method``: ``"eigh"``,
    ``"subspace"``, ``"krylov"`` (a sparse graph only) or ``"auto"`` (``"eigh"`` up to :data:`EIGH_MAX_N`
    points, then ``"krylov"`` for a sparse graph and ``"subspace"`` for a dense one). ``rng`` (a numpy
    Generator) draws the starting blocks; ``pieces`` is ``graph.components(W)`` when already known.
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    n = W.shape[0]
    got = None
    if isinstance(W, SparseGraph):
        if method == "krylov" or (method == "auto" and n > EIGH_MAX_N):
            got = krylov.sparse_eigen(W, k, rng, pieces if pieces is not None else components(W))
        if got is not None:
            return 1.0 - got[0], fix_signs(got[1])
        W = W.toarray()
    M, d = normalized_affinity(W)
    if method == "subspace" or (method in ("auto", "krylov") and n > EIGH_MAX_N):
        got = _subspace(M, d, k, rng)
    mu, U = got if got is not None else _eigh(M, k)
    return 1.0 - mu, fix_signs(U)
