"""Silhouettes in the l1, l2 or l-inf metric, computed in blocks of rows (never an n x n matrix).

For a point i of cluster A with |A| > 1, ``a(i)`` is its mean distance to the other points of A,
``b(i)`` the smallest mean distance to the points of another cluster, and
``s(i) = (b(i) - a(i)) / max(a(i), b(i))`` (0 when both are 0, and 0 for a point alone in its
cluster), as scikit-learn's ``silhouette_samples`` with ``metric="manhattan"``, ``"euclidean"``
or ``"chebyshev"``.

Label ``-1`` (noise, or not assigned yet) is *not a cluster here*: such points get no silhouette
(``nan``) and take no part in anyone else's ``a`` or ``b``; :func:`silhouette_score` averages the
other points. (scikit-learn would count ``-1`` as one more cluster; on the points with labels
``>= 0`` the two agree.)

Never an n x n matrix. l1 needs no pairwise distances at all: per feature, a point's summed distance to
a cluster is ``q (2 p - n_c) - 2 P[p] + P[n_c]`` over the cluster's sorted values (``p`` of them below
``q``, ``P`` their prefix sums, taken about their median), so it costs a sort and a binary search per
feature and cluster. l2 and l-inf go through blocks of rows of about :data:`BLOCK_VALUES` distances:
each block's distances to every assigned point, summed per cluster (the assigned points sorted by
cluster, one ``reduceat``). l2 on more than :data:`EXACT_L2_MAX_D` features uses
``|x|^2 + |y|^2 - 2 x.y`` on the centred data (one matrix product, as scikit-learn does); fewer
features, and l-inf, use coordinate differences. (In one dimension every metric is l1, and in two
l-inf is l1 of the coordinates turned by 45 degrees: both take the l1 way.)

Example
-------
>>> X = np.array([[0.0], [1.0], [5.0], [6.0]])
>>> silhouette_samples(X, [0, 0, 1, 1], metric="l1").round(4).tolist()
[0.8182, 0.7778, 0.7778, 0.8182]
>>> silhouette_samples(X, [0, 0, -1, 1]).tolist()  # -1: no silhouette; 1 alone in its cluster: 0
[0.8333333333333334, 0.8, nan, 0.0]
"""
from __future__ import annotations

import numpy as np

from engine.core.params import ParamError

__all__ = ["METRICS", "BLOCK_VALUES", "EXACT_L2_MAX_D", "check_metric", "silhouette_samples", "silhouette_score",
           "mean_silhouette"]

#: The point distances, as in the brief: l1, l2, l-inf.
METRICS = ("l1", "l2", "linf")
#: scikit-learn's names for them, accepted too.
ALIASES = {"manhattan": "l1", "cityblock": "l1", "euclidean": "l2", "chebyshev": "linf"}
#: About this many distances (float64) per block of rows (2 MB: the elementwise passes stay in cache).
BLOCK_VALUES = 1 << 18
#: ... and per block of the matrix product (32 MB: larger blocks keep the product efficient).
PRODUCT_BLOCK_VALUES = 1 << 22
#: l1 sums are computed for this many points at a time.
L1_CHUNK = 1 << 16
#: l2 by coordinate differences up to this many features; by a matrix product beyond.
EXACT_L2_MAX_D = 8


def check_metric(metric) -> str:
    """``"l1"``, ``"l2"`` or ``"linf"`` for ``metric`` (scikit-learn's names accepted); ParamError otherwise."""
    m = ALIASES.get(metric, metric)
    if m not in METRICS:
        raise ParamError(f"metric={metric!r} is not a silhouette metric; choose 'l1', 'l2' or 'linf' "
                         "('manhattan', 'euclidean', 'chebyshev').")
    return m


def _checked(X, labels):
    """(X as float64 (n, d), labels as int64 (n,)) with clear messages."""
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ParamError(f"X must be numbers: {exc}") from None
    if X.ndim == 1:
        X = X[:, None]
    lab = np.asarray(labels)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ParamError(f"X has shape {X.shape}; the silhouette needs points (n, d) with n >= 1.")
    if lab.ndim != 1 or lab.shape[0] != X.shape[0]:
        raise ParamError(f"labels have shape {lab.shape} for {X.shape[0]} points; give one label per point.")
    if lab.dtype.kind not in "iub" and not (lab.dtype.kind == "f" and np.all(np.isfinite(lab))
                                            and np.all(lab == np.round(lab))):
        raise ParamError(f"labels must be whole numbers (cluster ids, -1 for none); got dtype {lab.dtype}.")
    if not np.isfinite(X).all():
        raise ParamError("X contains NaN or infinity.")
    return X, lab.astype(np.int64)


def _distances(A, BT, metric, B_sq=None, buffers=None) -> np.ndarray:
    """Distances (len(A), n) between the rows of A and the columns of ``BT`` in ``metric``.

    With ``B_sq`` (l2 by a matrix product), ``BT`` is ``(d + 2, n)``: the coordinates, then ``|y|^2``,
    then ones, so that one product ``[-2x, 1, |x|^2] . [y, |y|^2, 1]`` gives every squared distance.
    ``buffers``: two arrays of at least (len(A), n) to work in (new memory for every block would be
    paged in again each time).
    """
    b, n = A.shape[0], BT.shape[1]
    if buffers is None:
        buffers = (np.empty((b, n)), np.empty((b, n)))
    D, diff = buffers[0][:b], buffers[1][:b]
    if metric == "l2" and B_sq is not None:
        A_aug = np.empty((b, A.shape[1] + 2))
        np.multiply(A, -2.0, out=A_aug[:, :-2])
        A_aug[:, -2] = 1.0
        A_aug[:, -1] = np.einsum("ij,ij->i", A, A)
        np.matmul(A_aug, BT, out=D)
        np.maximum(D, 0.0, out=D)
        return np.sqrt(D, out=D)
    for j in range(A.shape[1]):
        out = D if j == 0 else diff
        np.subtract.outer(A[:, j], BT[j], out=out)
        if metric == "l2":
            np.square(out, out=out)
        else:
            np.abs(out, out=out)
        if j:
            if metric == "linf":
                np.maximum(D, diff, out=D)
            else:
                D += diff
    return np.sqrt(D, out=D) if metric == "l2" else D


def _clusters(labels):
    """Assigned points sorted by cluster: (their indices, code per point (-1 none), sizes, starts)."""
    keep = labels >= 0
    values, codes = np.unique(labels[keep], return_inverse=True)
    code = np.full(labels.shape[0], -1, dtype=np.int64)
    code[keep] = codes
    order = np.flatnonzero(keep)[np.argsort(codes, kind="stable")]
    sizes = np.bincount(codes, minlength=values.size)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
    return order, code, sizes, starts


def _too_few(k: int, m: int, n: int) -> str:
    """Why ``k`` clusters of ``m`` assigned points (of ``n``) have no silhouette."""
    if m == 0:
        return "no point is in a cluster (every label is -1), so there is no silhouette."
    if k < 2:
        text = f"the silhouette needs at least 2 clusters; these labels have {k}"
    else:
        text = f"the silhouette needs fewer clusters than points; these labels put {m} point(s) in {k} clusters"
    return text + (f" (the {n - m} point(s) with label -1 are in no cluster)." if m < n else ".")


def silhouette_samples(X, labels, metric="l2", *, rows=None) -> np.ndarray:
    """The silhouette of each point (see the module docstring).

    Parameters
    ----------
    X : array-like of shape (n, d)
    labels : array-like of shape (n,)
        Cluster ids; ``-1`` = noise / not assigned (no silhouette, ``nan``).
    metric : {"l2", "l1", "linf"}
        Also scikit-learn's "euclidean", "manhattan", "chebyshev".
    rows : array-like of int, optional
        Compute only these points' silhouettes (each still exact, against all points): a sample of a
        large data set. Default: every point.

    Returns
    -------
    ndarray of shape (n,), or (len(rows),) with ``rows``; values in [-1, 1], ``nan`` for label -1.

    Raises
    ------
    ParamError
        Fewer than 2 clusters, or as many clusters as assigned points (every point alone).
    """
    X, labels = _checked(X, labels)
    metric = check_metric(metric)
    order, code, sizes, starts = _clusters(labels)
    k, m = sizes.size, order.size
    if not 2 <= k <= m - 1:
        raise ParamError(_too_few(k, m, labels.size))
    which = np.arange(labels.size) if rows is None else np.asarray(rows, dtype=np.int64).reshape(-1)
    if which.size and (which.min() < 0 or which.max() >= labels.size):
        raise ParamError(f"rows must be point indices from 0 to {labels.size - 1}.")
    out = np.full(which.size, np.nan)
    assigned = np.flatnonzero(code[which] >= 0)
    X, metric = _as_l1(X, metric)
    if metric == "l1":
        tables = _l1_tables(X[order], sizes, starts)
        for lo in range(0, assigned.size, L1_CHUNK):
            pos = assigned[lo:lo + L1_CHUNK]
            idx = which[pos]
            out[pos] = _block_silhouette(_l1_sums(X[idx], tables), code[idx], sizes)
    else:
        _blocked(X, which, assigned, order, code, sizes, starts, metric, out)
    return out


def _as_l1(X, metric):
    """Data whose l1 distances are ``metric``'s distances of ``X``, when there are such: in one dimension every
    metric is l1; in two, ``max(|a|, |b|) = (|a + b| + |a - b|) / 2``, so l-inf is l1 of the coordinates
    rotated by 45 degrees (taken about the median, where rounding stays at the scale of the data's spread)."""
    if X.shape[1] == 1:
        return X, "l1"
    if metric == "linf" and X.shape[1] == 2:
        C = X - np.median(X, axis=0)
        return np.column_stack([(C[:, 0] + C[:, 1]) * 0.5, (C[:, 0] - C[:, 1]) * 0.5]), "l1"
    return X, metric


def _blocked(X, which, assigned, order, code, sizes, starts, metric, out):
    """l2 and l-inf: ``out[assigned]`` from blocks of rows' distances to every assigned point."""
    m = order.size
    ref = X[order]
    B_sq = None
    if metric == "l2" and X.shape[1] > EXACT_L2_MAX_D:
        shift = ref.mean(axis=0)
        ref = ref - shift
        B_sq = np.einsum("ij,ij->i", ref, ref)
        refT = np.vstack([ref.T, B_sq, np.ones(m)])
    else:
        shift = 0.0
        refT = np.ascontiguousarray(ref.T)  # one contiguous row per feature
    rank = np.empty(code.size, dtype=np.int64)
    rank[order] = np.arange(m)
    block = min(max(1, (BLOCK_VALUES if B_sq is None else PRODUCT_BLOCK_VALUES) // m), max(assigned.size, 1))
    buffers = (np.empty((block, m)), np.empty((block, m) if B_sq is None else (0, 0)))
    for lo in range(0, assigned.size, block):
        pos = assigned[lo:lo + block]
        idx = which[pos]
        D = _distances(X[idx] - shift, refT, metric, B_sq, buffers)
        D[np.arange(idx.size), rank[idx]] = 0.0  # the point itself (exactly 0 with the matrix product too)
        out[pos] = _block_silhouette(np.add.reduceat(D, starts, axis=1), code[idx], sizes)


def _l1_tables(ref, sizes, starts) -> list:
    """Per cluster (``ref`` sorted by cluster): its values per feature, sorted, minus their median (d, n_c),
    their prefix sums (d, n_c + 1) and the medians (d,)."""
    out = []
    for c in range(sizes.size):
        V = np.sort(ref[starts[c]:starts[c] + sizes[c]].T, axis=1)
        shift = V[:, sizes[c] // 2].copy()
        V -= shift[:, None]
        P = np.zeros((V.shape[0], V.shape[1] + 1))
        np.cumsum(V, axis=1, out=P[:, 1:])
        out.append((V, P, shift))
    return out


def _l1_sums(Q, tables) -> np.ndarray:
    """Sum of l1 distances from each row of ``Q`` to the points of each cluster, (len(Q), k).

    Per feature, ``sum_j |q - v_j| = q (2 p - n_c) - 2 P[p] + P[n_c]`` with ``p`` the number of sorted
    values below ``q`` and ``P`` their prefix sums: a sort and a binary search, no pairwise distances.
    """
    QT = np.ascontiguousarray(Q.T)
    sums = np.empty((Q.shape[0], len(tables)))
    for c, (V, P, shift) in enumerate(tables):
        n_c = V.shape[1]
        acc = np.zeros(Q.shape[0])
        for f in range(V.shape[0]):
            q = QT[f] - shift[f]
            p = np.searchsorted(V[f], q)
            acc += q * (2 * p - n_c) - 2.0 * P[f, p] + P[f, -1]
        sums[:, c] = acc
    return sums


def _block_silhouette(sums, own, sizes) -> np.ndarray:
    """Silhouettes of a block from its per-cluster distance sums (b, k), own cluster codes and cluster sizes."""
    r = np.arange(own.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = sums[r, own] / (sizes[own] - 1)
        means = sums / sizes
        means[r, own] = np.inf
        b = means.min(axis=1)
        s = (b - a) / np.maximum(a, b)
    s[sizes[own] == 1] = 0.0
    return np.nan_to_num(s, nan=0.0)


def silhouette_score(X, labels, metric="l2", *, rows=None) -> float:
    """The mean silhouette of the assigned points (label ``-1`` left out), or of ``rows`` when given.

    >>> round(silhouette_score([[0.0], [1.0], [5.0], [6.0]], [0, 0, 1, 1]), 6)
    0.79798
    """
    return mean_silhouette(silhouette_samples(X, labels, metric, rows=rows))


def mean_silhouette(samples) -> float:
    """The mean of silhouettes from :func:`silhouette_samples`, leaving out the points without one (``nan``)."""
    s = np.asarray(samples, dtype=np.float64)
    s = s[~np.isnan(s)]
    if s.size == 0:
        raise ParamError("none of the rows asked for belongs to a cluster (all have label -1).")
    return float(s.mean())
