"""The embedding of a sparse graph (the knn affinity): its null space written down, the rest by block Krylov.

The normalised Laplacian ``L = I - D^{-1/2} W D^{-1/2}`` of a graph in ``c`` connected pieces has the
eigenvalue 0 exactly ``c`` times, with the eigenvectors ``sqrt(d)`` restricted to each piece: those are written
down, not computed. When ``c >= k`` they are the whole answer (``c > k``: ``k`` orthonormal combinations of
them drawn with the seeded generator, as arbitrary as any basis of a repeated eigenvalue). Otherwise the
other ``k - c`` eigenvectors, the largest eigenvalues of ``M = D^{-1/2} W D^{-1/2}`` on the complement of the
null space, come from a restarted block Krylov iteration: from a block ``X`` of ``p = k - c + 4`` vectors it
builds ``[X, M X, ..., M^(s-1) X]`` (orthonormalised, ``s =`` :data:`DEPTH`), takes the Ritz vectors of ``M``
in that space (Rayleigh-Ritz) and starts again from the best ``p`` of them, until every wanted Ritz pair's
residual ``||M u - theta u||`` is below :data:`TOL`. ``M`` is applied with the sparse product (numpy only).
After :data:`MAX_CYCLES` cycles it gives up (``None``) and :func:`engine.spectral.eigen.laplacian_eigen`
solves the dense problem instead.

Example
-------
>>> import numpy as np
>>> from engine.spectral.sparse import knn_graph
>>> G = knn_graph(np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]]), 2)
>>> mu, U = sparse_eigen(G, 2, np.random.default_rng(0), (2, np.array([0, 0, 0, 1, 1, 1])))
>>> mu.tolist(), np.round(U[:, 0] ** 2, 3).tolist()  # d_i / sum(d) on the first piece
([1.0, 1.0], [0.333, 0.5, 0.167, 0.0, 0.0, 0.0])
"""
from __future__ import annotations

import numpy as np

__all__ = ["sparse_eigen", "block_krylov", "TOL", "DEPTH", "MAX_CYCLES"]

TOL = 1e-9
DEPTH = 48
MAX_CYCLES = 8


def sparse_eigen(G, k: int, rng, pieces) -> tuple[np.ndarray, np.ndarray] | None:
    """The ``k`` largest eigenvalues of ``M`` (descending) and eigenvectors (n, k); ``pieces`` = ``(count,
    component of each point)``. ``None`` when the iteration did not converge."""
    count, comp = pieces
    n = G.shape[0]
    root = np.sqrt(G.degrees())
    N = np.zeros((n, count))
    N[np.arange(n), comp] = root
    N /= np.linalg.norm(N, axis=0)[None, :]
    if count >= k:
        if count > k:
            N = N @ np.linalg.qr(rng.standard_normal((count, k)))[0]
        return np.ones(k), N
    got = block_krylov(lambda V: G.matmul(V / root[:, None]) / root[:, None], N, k - count, rng)
    if got is None:
        return None
    return np.concatenate([np.ones(count), got[0]]), np.hstack([N, got[1]])


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
