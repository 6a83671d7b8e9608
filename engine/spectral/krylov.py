"""Block Krylov for a sparse graph's eigenvectors: the fallback when the level-ordered factor does not pay.

:func:`engine.spectral.eigen.laplacian_eigen` finds a sparse (knn) graph's eigenvectors by subspace inverse
iteration with an exact factor (:mod:`engine.spectral.levels`). That is fast when the graph's breadth-first
levels are small (points in the plane or in space) and the wanted eigenvalues are well apart from the next
ones. For a knn graph of points in many dimensions the levels are large (the factor costs nearly what a dense
one does) and the spectrum flat (inverse iteration crawls); there the product with the sparse matrix is cheap
and Krylov's polynomial acceleration does better. :func:`sparse_rest` finds the ``want`` largest eigenvalues
of ``M = D^{-1/2} W D^{-1/2}`` on the complement of the null space ``N`` (written down,
:mod:`engine.spectral.nullspace`) by a restarted block Krylov iteration: from a block ``X`` of
``p = want + 4`` vectors it builds ``[X, M X, ..., M^(s-1) X]`` (orthonormalised, ``s =`` :data:`DEPTH`),
takes the Ritz vectors of ``M`` in that space (Rayleigh-Ritz) and starts again from the best ``p`` of them,
until every wanted Ritz pair's residual ``||M u - theta u||`` is below :data:`TOL`. ``M`` is applied with the
sparse product (numpy only). After :data:`MAX_CYCLES` cycles it gives up (``None``).

Example
-------
>>> import numpy as np
>>> from engine.spectral.nullspace import null_vectors
>>> from engine.spectral.sparse import knn_graph
>>> G = knn_graph(np.array([[0.0], [1.0], [2.0], [4.0]]), 2)  # a path 0 - 1 - 2 - 3, weights 1, 1/2, 1
>>> d = G.degrees()
>>> mu, U = sparse_rest(G, d, null_vectors(d, np.zeros(4, dtype=int), 1), 1, np.random.default_rng(0))
>>> bool(abs(G.matmul(U / np.sqrt(d)[:, None]) / np.sqrt(d)[:, None] - U * mu).max() < 1e-9)
True
"""
from __future__ import annotations

import numpy as np

__all__ = ["sparse_rest", "block_krylov", "TOL", "DEPTH", "MAX_CYCLES"]

TOL = 1e-9
DEPTH = 48
MAX_CYCLES = 8


def sparse_rest(G, d: np.ndarray, N: np.ndarray, want: int, rng) -> tuple[np.ndarray, np.ndarray] | None:
    """The ``want`` largest eigenvalues of ``M`` (descending) and eigenvectors (n, want) orthogonal to the null
    vectors ``N``, for a graph ``G`` with degrees ``d``; ``None`` when the iteration did not converge."""
    root = np.sqrt(d)[:, None]
    return block_krylov(lambda V: G.matmul(V / root) / root, N, want, rng)


def _orthonormal(Y: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``Y`` made orthonormal and orthogonal to the orthonormal columns of ``B``: two rounds."""
    for _ in range(2):
        Y = Y - B @ (B.T @ Y)
        Y, _ = np.linalg.qr(Y)
    return Y


def block_krylov(apply, N: np.ndarray, want: int, rng) -> tuple[np.ndarray, np.ndarray] | None:
    """The ``want`` largest eigenpairs of the symmetric operator ``apply`` on the complement of the orthonormal
    columns of ``N`` (see the module docstring)."""
    n, c = N.shape
    p = min(want + 4, n - c)
    depth = max(1, min(DEPTH, (n - c) // p))
    Q = np.empty((n, c + p * depth))
    MQ = np.empty((n, p * depth))
    Q[:, :c] = N
    X = _orthonormal(rng.standard_normal((n, p)), N)
    for _ in range(MAX_CYCLES):
        Q[:, c:c + p] = X
        for step in range(depth):
            at = c + step * p
            MQ[:, at - c:at - c + p] = apply(Q[:, at:at + p])
            if step < depth - 1:
                Q[:, at + p:at + 2 * p] = _orthonormal(MQ[:, at - c:at - c + p], Q[:, :at + p])
        V = Q[:, c:]
        H = V.T @ MQ
        theta, S = np.linalg.eigh((H + H.T) / 2)
        theta, S = theta[::-1][:p], S[:, ::-1][:, :p]
        X, MX = V @ S, MQ @ S
        resid = np.linalg.norm(MX[:, :want] - X[:, :want] * theta[None, :want], axis=0)
        if np.all(resid <= TOL):
            return theta[:want], X[:, :want]
        X = _orthonormal(X, N)
    return None
