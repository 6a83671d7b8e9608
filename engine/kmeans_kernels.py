"""Numerical kernels behind :mod:`engine.kmeans`: distances, cluster sums, medians, medoids.

Everything here trusts its input (the public entry points in
:mod:`engine.kmeans` validate once). Distances are computed in row blocks so
that a block of ``X`` stays in cache and no temporary grows with ``n``.

Conventions
-----------
* ``metric`` is one of ``"sqeuclidean"`` (K-means), ``"l1"``, ``"l2"``,
  ``"linf"``.
* Squared Euclidean distances for K-means use ``||x||^2 + ||c||^2 - 2 x.c``
  with one matrix product per block, in the dtype of ``X`` (float32 stays
  float32). :func:`sq_partial` returns ``||c||^2 - 2 x.c`` only; callers add
  ``||x||^2`` (precomputed once) where the true distance is needed.
* Other distances use explicit differences (exact for duplicates: a point's
  distance to itself is exactly 0), except ``"l2"`` in more than
  ``GRAM_MIN_DIM`` dimensions, which uses the Gram form, clipped at 0.

Example
-------
>>> import numpy as np
>>> X = np.array([[0.0, 0.0], [3.0, 4.0]])
>>> distances(X, np.array([[0.0, 0.0]]), "l2").ravel().tolist()
[0.0, 5.0]
>>> grouped_sums(X, np.array([1, 1]), 2).tolist()
[[0.0, 0.0], [3.0, 4.0]]
"""
from __future__ import annotations

import numpy as np

__all__ = ["METRICS", "row_block", "sq_partial", "distances", "assigned_distances", "grouped_sums", "cluster_medians",
           "pairwise_totals", "GRAM_MIN_DIM"]

METRICS = ("sqeuclidean", "l1", "l2", "linf")
GRAM_MIN_DIM = 32          # "l2" switches to the Gram form above this many features
_BLOCK_BYTES = 1 << 22     # ~4 MiB of X per block: few BLAS calls, the block stays in L3
_TMP_ELEMS = 1 << 18       # elements of a (rows x centres x features) temporary


def row_block(n_features: int, itemsize: int, n_samples: int) -> int:
    """Rows per block so that one block of ``X`` takes about 4 MiB (at least 64 rows)."""
    return int(min(n_samples, max(64, _BLOCK_BYTES // max(1, n_features * itemsize))))


def sq_partial(X, C, out=None, block=None):
    """``||c_j||^2 - 2 x_i . c_j`` for every point and centre, one matrix product per row block.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64
    C : ndarray of shape (n_clusters, n_features)
        Converted to the dtype of ``X``.
    out : ndarray of shape (n_samples, n_clusters), optional
        Written in place (dtype of ``X``).
    block : int, optional
        Rows per matrix product (default: :func:`row_block`).

    Returns
    -------
    ndarray of shape (n_samples, n_clusters)
        Add ``||x_i||^2`` to get the squared distance.
    """
    n, d = X.shape
    C = np.asarray(C, dtype=X.dtype)
    if out is None:
        out = np.empty((n, C.shape[0]), dtype=X.dtype)
    m2ct = np.ascontiguousarray((-2.0 * C).T)
    block = block or row_block(d, X.itemsize, n)
    for s in range(0, n, block):
        np.matmul(X[s:s + block], m2ct, out=out[s:s + block])
    out += np.einsum("ij,ij->i", C, C)
    return out


def _direct(X, C, metric, out):
    """Distances by explicit differences, blocked over rows and centres."""
    n, d = X.shape
    k = C.shape[0]
    if k * d <= _TMP_ELEMS // 16:      # few centres x features: broadcast (rows, k, d) at once
        rows = max(1, _TMP_ELEMS // (k * d))
        for s in range(0, n, rows):
            diff = X[s:s + rows, None, :] - C[None, :, :]
            if metric == "l1":
                np.abs(diff, out=diff)
                out[s:s + rows] = diff.sum(axis=2)
            elif metric == "linf":
                np.abs(diff, out=diff)
                out[s:s + rows] = diff.max(axis=2)
            else:
                sq = np.einsum("ijk,ijk->ij", diff, diff)
                out[s:s + rows] = sq if metric == "sqeuclidean" else np.sqrt(sq)
        return out
    rows = max(1, min(n, _TMP_ELEMS // max(1, d)))
    for s in range(0, n, rows):
        Xb = X[s:s + rows]
        for j in range(k):
            diff = Xb - C[j]
            if metric == "l1":
                np.abs(diff, out=diff)
                out[s:s + rows, j] = diff.sum(axis=1)
            elif metric == "linf":
                np.abs(diff, out=diff)
                out[s:s + rows, j] = diff.max(axis=1)
            else:
                sq = np.einsum("ij,ij->i", diff, diff)
                out[s:s + rows, j] = sq if metric == "sqeuclidean" else np.sqrt(sq)
    return out


def distances(X, C, metric, xsq=None):
    """Distance of every point to every centre, float64.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    C : ndarray of shape (n_clusters, n_features)
    metric : {"sqeuclidean", "l1", "l2", "linf"}
    xsq : ndarray of shape (n_samples,), optional
        ``||x_i||^2``, used by the Gram form.

    Returns
    -------
    ndarray of shape (n_samples, n_clusters)

    Example
    -------
    >>> distances(np.array([[1.0, 2.0]]), np.array([[0.0, 0.0]]), "linf").tolist()
    [[2.0]]
    """
    X = np.asarray(X)
    C = np.asarray(C, dtype=np.float64)
    n, d = X.shape
    out = np.empty((n, C.shape[0]), dtype=np.float64)
    if metric in ("sqeuclidean", "l2") and d > GRAM_MIN_DIM:
        X64 = X if X.dtype == np.float64 else X.astype(np.float64)
        sq_partial(X64, C, out=out)
        out += (np.einsum("ij,ij->i", X64, X64) if xsq is None else xsq)[:, None]
        np.maximum(out, 0.0, out=out)
        if metric == "l2":
            np.sqrt(out, out=out)
        return out
    return _direct(X, C, metric, out)


def grouped_sums(A, groups, k):
    """Sum of the rows of ``A`` in each group, accumulated in float64, without a one-hot matrix.

    Rows are ordered by a stable sort of ``groups`` (block by block, so each
    gathered block stays in cache) and each group's contiguous slice is summed.

    Parameters
    ----------
    A : ndarray of shape (m, n_features)
    groups : ndarray of int, shape (m,)
        Values in ``0 .. k-1``.
    k : int

    Returns
    -------
    ndarray of shape (k, n_features), float64
    """
    m, d = A.shape
    S = np.zeros((k, d), dtype=np.float64)
    block = row_block(d, A.itemsize, m) if m else 1
    for s in range(0, m, block):
        g = groups[s:s + block]
        order = np.argsort(g, kind="stable")
        sorted_rows = A[s:s + block][order]
        ends = np.cumsum(np.bincount(g, minlength=k))
        start = 0
        for j in range(k):
            end = int(ends[j])
            if end > start:
                S[j] += sorted_rows[start:end].sum(axis=0, dtype=np.float64)
            start = end
    return S


def cluster_medians(X, labels, k, out):
    """Coordinate-wise median of each non-empty cluster, written into ``out`` (empty rows untouched).

    For an even number of members the median is the mean of the two middle
    values (``numpy.median``); any value between them minimises the l1 sum.
    """
    order = np.argsort(labels, kind="stable")
    ends = np.cumsum(np.bincount(labels, minlength=k))
    start = 0
    for j in range(k):
        end = int(ends[j])
        if end > start:
            out[j] = np.median(X[order[start:end]], axis=0)
        start = end
    return out


def pairwise_totals(A, metric):
    """``T_i = sum_j d(a_i, a_j)`` for the rows of ``A`` (the K-medoids update), blocked.

    Parameters
    ----------
    A : ndarray of shape (m, n_features), float64
    metric : {"l1", "l2", "linf"}

    Returns
    -------
    ndarray of shape (m,)

    Example
    -------
    >>> pairwise_totals(np.array([[0.0], [1.0], [3.0]]), "l1").tolist()
    [4.0, 3.0, 5.0]
    """
    m = A.shape[0]
    totals = np.zeros(m, dtype=np.float64)
    asq = np.einsum("ij,ij->i", A, A) if metric == "l2" else None
    rows = max(1, min(m, _TMP_ELEMS // max(1, m)))
    for s in range(0, m, rows):
        D = distances(A[s:s + rows], A, metric, xsq=None if asq is None else asq[s:s + rows])
        totals[s:s + rows] = D.sum(axis=1)
    return totals


def assigned_distances(X, C, labels, metric):
    """Distance of every point to its own centre by explicit differences (exact 0 for a point on its centre).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    C : ndarray of shape (n_clusters, n_features)
    labels : ndarray of int, shape (n_samples,)
    metric : {"sqeuclidean", "l1", "l2", "linf"}

    Returns
    -------
    ndarray of shape (n_samples,), float64
    """
    n, d = X.shape
    out = np.empty(n, dtype=np.float64)
    rows = max(1, min(n, _TMP_ELEMS // max(1, d)))
    for s in range(0, n, rows):
        diff = X[s:s + rows] - C[labels[s:s + rows]]
        if metric in ("l1", "linf"):
            np.abs(diff, out=diff)
            out[s:s + rows] = diff.sum(axis=1) if metric == "l1" else diff.max(axis=1)
        else:
            sq = np.einsum("ij,ij->i", diff, diff)
            out[s:s + rows] = sq if metric == "sqeuclidean" else np.sqrt(sq)
    return out
