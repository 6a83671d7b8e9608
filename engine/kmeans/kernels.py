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
           "pairwise_totals", "pair_evaluations", "ElkanBounds", "GRAM_MIN_DIM"]

METRICS = ("sqeuclidean", "l1", "l2", "linf")
GRAM_MIN_DIM = 32          # "l2" switches to the Gram form above this many features
_BLOCK_BYTES = 1 << 22     # ~4 MiB of X per block: few BLAS calls, the block stays in L3
_TMP_ELEMS = 1 << 18       # elements of a (rows x centres x features) temporary
_FEW_FEATURES = 16         # K-medoids totals build the pair table feature by feature up to this many features


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
    """``T_i = sum_j d(a_i, a_j)`` for the rows of ``A`` (the K-medoids update).

    Cost: ``"l1"`` separates over the features, so each feature is sorted once
    and every total follows from prefix sums: ``O(d m log m)`` time, ``O(m)``
    extra memory per feature, exact up to rounding (relative ``~1e-15``).
    ``"l2"`` and ``"linf"`` need every pair: ``m^2 d`` operations, computed in
    column blocks so every temporary stays near 2 MiB whatever ``m`` is (about
    2-5 s for ``m = 20,000`` in 2-D on one core; l2 in more than
    ``GRAM_MIN_DIM`` features uses the Gram form).

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
    >>> pairwise_totals(np.array([[0.0, 0.0], [3.0, 4.0]]), "l2").tolist()
    [5.0, 5.0]
    """
    m = A.shape[0]
    if metric == "l1":
        return _l1_totals(A)
    d = A.shape[1]
    if d <= _FEW_FEATURES:
        return _few_features_totals(A, metric)
    totals = np.zeros(m, dtype=np.float64)
    gram = metric == "l2" and d > GRAM_MIN_DIM
    asq = np.einsum("ij,ij->i", A, A) if gram else None
    # d is symmetric: column block B of the (m, m) table is distances(A, B), summed down the columns.
    # Few columns per block keep every temporary near _TMP_ELEMS elements (see _direct).
    cols = _TMP_ELEMS // max(1, m) if gram else (_TMP_ELEMS // 16) // max(1, d)
    cols = max(1, min(m, cols))
    for s in range(0, m, cols):
        totals[s:s + cols] = distances(A, A[s:s + cols], metric, xsq=asq).sum(axis=0)
    return totals


def _few_features_totals(A, metric):
    """l2 / l∞ totals for a few features: column blocks of the (m, m) table built feature by feature
    with in-place 2-D operations (no 3-D temporary; exact 0 for duplicates)."""
    m, d = A.shape
    totals = np.zeros(m, dtype=np.float64)
    cols = max(1, min(m, _TMP_ELEMS // max(1, m)))
    acc = np.empty((m, cols))
    tmp = np.empty((m, cols))
    for s in range(0, m, cols):
        B = A[s:s + cols]
        c = B.shape[0]
        a, t = acc[:, :c], tmp[:, :c]
        a[...] = 0.0
        for f in range(d):
            np.subtract(A[:, f, None], B[None, :, f], out=t)
            if metric == "l2":
                np.multiply(t, t, out=t)
                np.add(a, t, out=a)
            else:
                np.abs(t, out=t)
                np.maximum(a, t, out=a)
        if metric == "l2":
            np.sqrt(a, out=a)
        totals[s:s + c] = a.sum(axis=0)
    return totals


def _l1_totals(A):
    """``sum_j ||a_i - a_j||_1`` by sorting each feature: for the r-th smallest value v of m,
    ``sum_j |v - v_j| = v r - P_r + (P_m - P_{r+1}) - v (m - 1 - r)`` with prefix sums ``P``."""
    m, d = A.shape
    totals = np.zeros(m, dtype=np.float64)
    r = np.arange(m, dtype=np.float64)
    cols = max(1, min(d, _TMP_ELEMS // max(1, m)))
    for s in range(0, d, cols):
        B = A[:, s:s + cols]
        order = np.argsort(B, axis=0, kind="stable")
        V = np.take_along_axis(B, order, axis=0).astype(np.float64)
        P = np.cumsum(V, axis=0)
        below = V * r[:, None] - (P - V)               # sum over the smaller values
        above = (P[-1] - P) - V * (m - 1 - r)[:, None]  # sum over the larger values
        per = below + above
        np.maximum(per, 0.0, out=per)
        out = np.empty_like(per)
        np.put_along_axis(out, order, per, axis=0)
        totals += out.sum(axis=1)
    return totals


def pair_evaluations(sizes, metric, n_features) -> float:
    """Work of one K-medoids update, in coordinate operations: ``sum_j m_j^2 d`` (l2, linf) or
    ``sum_j m_j log2(m_j) d`` (l1, by sorting). ``sizes`` are the cluster sizes ``m_j``.

    Example
    -------
    >>> pair_evaluations([10, 10], "l2", 2)
    400.0
    """
    m = np.asarray(sizes, dtype=np.float64)
    if metric == "l1":
        return float(np.sum(m * np.log2(np.maximum(m, 2.0))) * n_features)
    return float(np.sum(m * m) * n_features)


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


class ElkanBounds:
    """Exact K-means assignment that skips points which provably keep their centre (Elkan's bounds).

    Per point, ``u`` bounds the distance to its own centre from above and
    ``L[:, j]`` the distance to centre ``j`` from below. A point needs its
    distances only if some other centre ``j`` has ``u > L[j]`` and
    ``u > d(c_z, c_j) / 2``; those points get one matrix product on their gathered
    rows (or on all of ``X`` when they are more than half). When centres move by
    ``delta``: ``u += delta_z`` and ``L[:, j] -= delta_j``. Bounds are widened by a
    relative ``1e-5`` (float32) or ``1e-12`` (float64) of ``||x||^2 + max ||c||^2``,
    so rounding never lets a point skip that a full computation would move;
    exact ties are always recomputed. The labels are those of the plain argmin.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64
    xsq : ndarray of shape (n_samples,)
        ``||x||^2`` in float64.
    k : int
    table : callable(C) -> ndarray of shape (n_samples, k)
        :func:`sq_partial` of all of ``X`` (the caller may reuse a buffer).
    """

    def __init__(self, X, xsq, k: int, table):
        n = X.shape[0]
        self.X, self.xsq, self.k, self.table = X, xsq, k, table
        self.u = np.full(n, np.inf)
        self.L = np.zeros((n, k))
        self.half = np.zeros((k, k))
        self.rel = 1e-5 if X.dtype == np.float32 else 1e-12
        self._M = self._rows = None      # work buffers of the skip test

    def moved(self, delta, C_new, labels, reseeded_points):
        """Centres moved by ``delta`` (k,) to ``C_new``; re-seeded points are recomputed next time."""
        self.u += delta[labels]
        self.L -= delta
        if self.k > 1:
            self.half = 0.5 * distances(C_new, C_new, "l2")
        if reseeded_points:
            self.L[reseeded_points] = -np.inf

    def assign(self, C, labels, D_full=None):
        """Returns ``(new_labels, changed, saved)``; ``saved`` = old minus new table value of changed points."""
        n = self.X.shape[0]
        if D_full is not None or labels.min() < 0:
            cand = None
            Dc = self.table(C) if D_full is None else D_full
        else:
            if self.k == 1:
                return labels, np.zeros(0, dtype=np.intp), np.zeros(0)
            if self._M is None:
                self._M, self._rows = np.empty((n, self.k)), np.arange(n)
            M = np.take(self.half, labels, axis=0, out=self._M)
            np.maximum(self.L, M, out=M)
            M[self._rows, labels] = np.inf
            cand = np.flatnonzero(self.u > M.min(axis=1))
            if cand.size == 0:
                return labels, cand, np.zeros(0)
            Dc = self.table(C)[cand] if 2 * cand.size > n else sq_partial(self.X[cand], C)
        rows = np.arange(Dc.shape[0])
        newc = Dc.argmin(axis=1)
        xs = (self.xsq if cand is None else self.xsq[cand])[:, None]
        err = self.rel * (xs + float(np.einsum("ij,ij->i", C, C).max()))
        full = Dc.astype(np.float64) + xs
        best = full[rows, newc]
        u = np.sqrt(np.maximum(best, 0.0) + err[:, 0])
        L = np.sqrt(np.maximum(full - err, 0.0))
        if cand is None:
            self.u, self.L = u, L
            pos = changed = np.flatnonzero(newc != labels)
            new = newc
        else:
            self.u[cand], self.L[cand] = u, L
            pos = np.flatnonzero(newc != labels[cand])
            changed = cand[pos]
            new = labels
            if changed.size:
                new = labels.copy()
                new[changed] = newc[pos]
        saved = np.zeros(0)
        if changed.size and labels.min() >= 0:
            saved = Dc[pos, labels[changed]].astype(np.float64) - Dc[pos, newc[pos]].astype(np.float64)
        return new, changed, saved
