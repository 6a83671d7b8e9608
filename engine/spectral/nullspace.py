"""The null space of a normalised Laplacian, written down from the graph's connected pieces.

The normalised Laplacian ``L = I - D^{-1/2} W D^{-1/2}`` of a graph in ``c`` connected pieces has the eigenvalue 0
exactly ``c`` times, with the eigenvectors ``sqrt(d)`` restricted to each piece (``d`` the degrees), scaled to
length 1. :func:`null_vectors` writes them down; when more than ``k`` are asked of a graph with ``c > k`` pieces,
:func:`null_basis` gives ``k`` orthonormal combinations of them drawn with the seeded generator (as arbitrary as
any basis of a repeated eigenvalue).

Example
-------
>>> import numpy as np
>>> N = null_vectors(np.array([1.0, 3.0, 2.0, 2.0]), np.array([0, 0, 1, 1]), 2)
>>> np.round(N ** 2, 3).tolist()
[[0.25, 0.0], [0.75, 0.0], [0.0, 0.5], [0.0, 0.5]]
"""
from __future__ import annotations

import numpy as np

__all__ = ["null_vectors", "null_basis"]


def null_vectors(d: np.ndarray, comp: np.ndarray, count: int) -> np.ndarray:
    """The ``count`` null vectors (n, count): ``sqrt(d)`` on each piece, 0 elsewhere, unit length."""
    n = d.shape[0]
    N = np.zeros((n, count))
    N[np.arange(n), comp] = np.sqrt(d)
    N /= np.linalg.norm(N, axis=0)[None, :]
    return N


def null_basis(d: np.ndarray, comp: np.ndarray, count: int, k: int, rng) -> np.ndarray:
    """``k <= count`` orthonormal vectors of the null space: all of it when ``k == count``, else ``k`` seeded
    random combinations."""
    N = null_vectors(d, comp, count)
    if count > k:
        N = N @ np.linalg.qr(rng.standard_normal((count, k)))[0]
    return N
