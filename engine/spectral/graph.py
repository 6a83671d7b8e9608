"""The affinity graph of spectral clustering: RBF weights or a symmetrised k-nearest-neighbour graph.

Both give a symmetric ``(n, n)`` weight matrix ``W`` with a zero diagonal (no self-loops: the
normalised Laplacian ignores them, as scipy's ``csgraph.laplacian`` does for scikit-learn), dense for RBF and
a :class:`engine.spectral.sparse.SparseGraph` for knn (:func:`knn_graph`, found without an n x n matrix;
:func:`knn_affinity` is the same graph as a dense matrix). :func:`degrees`, :func:`strongest_edges` and
:func:`components` take either:

* ``"rbf"``: ``W_ij = exp(-gamma ||x_i - x_j||^2)`` for ``i != j``;
* ``"knn"``: ``A_ij = 1`` when ``j`` is one of the ``n_neighbors - 1`` nearest other points of ``i``
  (``n_neighbors`` counts the point itself, as scikit-learn's ``kneighbors_graph(include_self=True)``;
  equal distances go to the lower index), and ``W = (A + A^T) / 2``: weight 1 for mutual neighbours,
  1/2 for one-sided ones.

Everything here trusts its input (:func:`engine.spectral.steps` checks it once).

Example
-------
>>> import numpy as np
>>> X = np.array([[0.0], [1.0], [3.0]])
>>> knn_affinity(X, 2).tolist()
[[0.0, 1.0, 0.0], [1.0, 0.0, 0.5], [0.0, 0.5, 0.0]]
>>> count, which = components(knn_affinity(X, 2))
>>> count, which.tolist()
(1, [0, 0, 0])
"""
from __future__ import annotations

import numpy as np

from engine.spectral.sparse import SparseGraph, knn_graph

__all__ = ["squared_distances", "rbf_affinity", "knn_affinity", "knn_graph", "SparseGraph", "degrees",
           "strongest_edges", "components", "MAX_EDGES"]

#: At most this many edges are kept (the strongest) for drawing the graph.
MAX_EDGES = 5000


def squared_distances(X: np.ndarray) -> np.ndarray:
    """``||x_i - x_j||^2`` for all pairs, (n, n), exactly 0 on the diagonal and never negative."""
    sq = np.einsum("ij,ij->i", X, X)
    D = X @ X.T
    D *= -2.0
    D += sq[:, None]
    D += sq[None, :]
    np.maximum(D, 0.0, out=D)
    np.fill_diagonal(D, 0.0)
    return D


def rbf_affinity(X: np.ndarray, gamma: float) -> np.ndarray:
    """``exp(-gamma ||x_i - x_j||^2)`` off the diagonal, 0 on it (one n x n array, worked in place)."""
    g = np.einsum("ij,ij->i", X, X) * gamma
    W = X @ X.T
    W *= 2.0 * gamma
    W -= g[:, None]
    W -= g[None, :]  # -gamma ||x_i - x_j||^2 up to rounding
    np.minimum(W, 0.0, out=W)
    np.exp(W, out=W)
    np.fill_diagonal(W, 0.0)
    return W


def knn_affinity(X: np.ndarray, n_neighbors: int) -> np.ndarray:
    """The symmetrised k-nearest-neighbour graph (see the module docstring) as a dense matrix; ``n_neighbors >= 2``.
    The runs use the sparse :func:`knn_graph`."""
    return knn_graph(X, n_neighbors).toarray()


def degrees(W) -> np.ndarray:
    """``d_i = sum_j w_ij`` of a dense matrix or a :class:`SparseGraph`."""
    return W.degrees() if isinstance(W, SparseGraph) else W.sum(axis=1)


def strongest_edges(W: np.ndarray, X: np.ndarray, limit: int = MAX_EDGES) -> tuple[np.ndarray, np.ndarray, int]:
    """The ``limit`` heaviest edges ``i < j`` of ``W`` (heaviest first; equal weights: the shorter edge, then
    the lower indices), their weights, and the number of edges (positive weights) in all.

    >>> W = np.array([[0, .5, .5], [.5, 0, .9], [.5, .9, 0]])
    >>> e, w, total = strongest_edges(W, np.array([[0.0], [1.0], [3.0]]), 2)
    >>> e.tolist(), w.tolist(), total
    ([[1, 2], [0, 1]], [0.9, 0.5], 3)
    """
    if isinstance(W, SparseGraph):
        rows = W.rows()
        upper = rows < W.indices
        i, j, w = rows[upper], W.indices[upper], W.weights[upper]
        total = int(i.size)
    else:
        total = int(np.count_nonzero(W)) // 2  # symmetric, zero diagonal
        # the limit-th largest pair weight (each pair appears twice in W)
        if total > limit:
            i, j = np.nonzero(W >= max(_kth_largest(W.ravel(), 2 * limit), np.finfo(float).tiny))
        else:
            i, j = np.nonzero(W > 0)
        upper = i < j
        i, j = i[upper], j[upper]
        w = W[i, j]
    d2 = ((X[i] - X[j]) ** 2).sum(axis=1)
    order = np.lexsort((j, i, d2, -w))[:limit]
    edges = np.column_stack([i[order], j[order]]).astype(np.int32)
    return edges, w[order].astype(np.float64), total


def _kth_largest(flat: np.ndarray, m: int) -> float:
    """The m-th largest value of ``flat`` (``m <= flat.size``). A strided sample gives a threshold that about 2m
    values pass, so that only those are partitioned (``np.partition`` of millions of values, many of them
    equal, is slow); when fewer than m pass, all values are."""
    stride = max(1, flat.size // (64 * m)) | 1  # odd: does not follow the rows of an even-sized matrix
    sample = flat[::stride]
    rank = min(sample.size, 2 * (m // stride) + 16)
    guess = np.partition(sample, sample.size - rank)[sample.size - rank]
    above = flat[flat >= guess]
    if above.size < m:
        above = flat
    return float(np.partition(above, above.size - m)[above.size - m])


def _dense_components(W: np.ndarray) -> tuple[int, np.ndarray]:
    """:func:`components` of a dense matrix: breadth-first from the lowest point not yet reached, each wave
    of points looking at their rows (a block at a time), so every row is read once."""
    n = W.shape[0]
    comp = np.full(n, -1, dtype=np.intp)
    if np.all(W[0, 1:] > 0):  # point 0 joined to every other: one piece (an RBF graph without underflow)
        comp[:] = 0
        return 1, comp
    count = 0
    for start in range(n):
        if comp[start] >= 0:
            continue
        comp[start] = count
        wave = np.array([start])
        while wave.size:
            reached = np.zeros(n, dtype=bool)
            for a in range(0, wave.size, 256):
                reached |= (W[wave[a:a + 256]] > 0).any(axis=0)
            wave = np.flatnonzero(reached & (comp < 0))
            comp[wave] = count
        count += 1
    return count, comp


def components(W: np.ndarray) -> tuple[int, np.ndarray]:
    """The connected components of the graph ``W > 0``: their number and each point's component
    (numbered in the order of their lowest point, from 0)."""
    if not isinstance(W, SparseGraph):
        return _dense_components(W)
    n = W.shape[0]
    rows, cols = W.rows(), W.indices  # every stored weight is positive, sorted by row
    has = np.zeros(n, dtype=bool)
    has[rows] = True
    starts = np.searchsorted(rows, np.flatnonzero(has))
    label = np.arange(n)
    while True:  # each point takes the smallest label among itself and its neighbours, then follows it
        new = label.copy()
        if rows.size:
            new[has] = np.minimum(label[has], np.minimum.reduceat(label[cols], starts))
        new = new[new]
        if np.array_equal(new, label):
            break
        label = new
    _, comp = np.unique(label, return_inverse=True)
    return int(comp.max()) + 1, comp.astype(np.intp)
