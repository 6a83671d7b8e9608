"""Starting centres for :mod:`engine.kmeans`: random points, random partition, K-means++, given centres.

Every choice draws from one :class:`numpy.random.Generator` (see
:func:`engine.core.validation.make_rng`), so a seed reproduces a run exactly.

* ``random``: ``k`` data points with *distinct values*, uniformly at random
  (a random permutation is walked and duplicates of points already taken are
  skipped).
* ``random-partition``: every point gets a cluster drawn uniformly from
  ``0 .. k-1``; the centres are then the variant's centres of those groups
  (done in :mod:`engine.kmeans`, which also re-seeds a group that came out empty).
* ``k-means++``: the first centre uniformly at random; each next one is point
  ``i`` with probability ``D(x_i)^2 / sum_j D(x_j)^2``, ``D`` the distance to
  the nearest centre chosen so far: the l2 distance for K-means (so ``D^2`` is the
  squared Euclidean distance of its objective, not a fourth power), l1 for K-medians,
  the chosen metric for K-medoids (l2 when that metric is squared l2). The draw is
  ``searchsorted(cumsum(D^2), u * sum(D^2), side="right")`` with ``u`` uniform on
  [0, 1): a point with ``D = 0`` (already chosen, or a duplicate) is never drawn.

Example
-------
>>> import numpy as np
>>> from engine.core.validation import make_rng
>>> X = np.array([[0.0, 0.0], [0.0, 0.0], [5.0, 5.0]])
>>> sorted(random_points(X, 2, make_rng(0)).tolist())
[0, 2]
"""
from __future__ import annotations

import numpy as np

from engine.kmeans.kernels import GRAM_MIN_DIM, distances
from engine.core.params import ParamError
from engine.core.validation import n_distinct

__all__ = ["random_points", "random_partition", "kmeanspp", "too_few_distinct"]


def too_few_distinct(X, k) -> ParamError:
    """The error for data with fewer distinct points than ``k`` (says how many there are)."""
    m = n_distinct(X)
    return ParamError(f"X has only {m} distinct point(s) but k={k}: duplicates cannot be separate "
                      f"clusters; choose k <= {m}.")


def random_points(X, k, rng):
    """Indices of ``k`` data points with distinct values, drawn uniformly without replacement.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    k : int
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of int, shape (k,)

    Raises
    ------
    ParamError
        If ``X`` has fewer than ``k`` distinct points.
    """
    n = X.shape[0]
    perm = rng.permutation(n)
    first = perm[:k]
    if n_distinct(X[first]) == k:
        return first
    seen, chosen = set(), []
    for i in perm:
        key = X[i].tobytes()
        if key not in seen:
            seen.add(key)
            chosen.append(int(i))
            if len(chosen) == k:
                return np.array(chosen, dtype=np.intp)
    raise too_few_distinct(X, k)


def random_partition(n, k, rng):
    """Cluster id per point, each drawn uniformly from ``0 .. k-1``; shape (n,), intp."""
    return rng.integers(0, k, size=n).astype(np.intp)


def _d2(X, c, metric, xsq):
    """Squared variant distance of every point to one centre (float64, >= 0).

    Squared l2 in many dimensions uses one matrix-vector product in the dtype
    of ``X``; rows equal to ``c`` are then set to exactly 0 (the Gram form
    leaves rounding noise there), so duplicates of a chosen point are never drawn.
    """
    if metric == "sqeuclidean" and X.shape[1] > GRAM_MIN_DIM and xsq is not None:
        d2 = xsq + float(np.dot(c, c)) - 2.0 * np.dot(X, c.astype(X.dtype))   # one matrix-vector product
        np.maximum(d2, 0.0, out=d2)
        near = np.flatnonzero(d2 <= 1e-4 * (xsq + float(c @ c)))
        if near.size:
            d2[near[np.all(X[near] == c.astype(X.dtype), axis=1)]] = 0.0
        return d2
    D = distances(X, c[None, :], metric, xsq=xsq)[:, 0]
    return D if metric == "sqeuclidean" else D * D


def kmeanspp(X, k, rng, metric, xsq=None):
    """K-means++ seeding, one draw at a time.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    k : int
    rng : numpy.random.Generator
    metric : {"sqeuclidean", "l1", "l2", "linf"}
        ``D`` is this distance (for ``"sqeuclidean"`` it is already ``D^2``).
    xsq : ndarray of shape (n_samples,), optional
        ``||x_i||^2`` (speeds up the Gram form in many dimensions).

    Yields
    ------
    chosen : int
        Index of the point drawn.
    probs : ndarray of shape (n_samples,)
        The probabilities it was drawn with (``1/n`` each for the first centre,
        then ``D^2 / sum D^2``).

    Raises
    ------
    ParamError
        When every point already coincides with a chosen centre (fewer than
        ``k`` distinct points).
    """
    n = X.shape[0]
    probs = np.full(n, 1.0 / n)
    i = int(rng.integers(n))
    yield i, probs
    D2 = None
    for _ in range(1, k):
        d2 = _d2(X, X[i], metric, xsq)
        d2[i] = 0.0
        D2 = d2 if D2 is None else np.minimum(D2, d2, out=D2)
        cum = np.cumsum(D2)
        total = cum[-1]
        if not total > 0.0:
            raise too_few_distinct(X, k)
        probs = D2 / total
        i = int(np.searchsorted(cum, rng.random() * total, side="right"))
        if i >= n or D2[i] == 0.0:      # u * total rounded up to total: take the last point with D > 0
            i = int(np.flatnonzero(D2)[-1])
        yield i, probs
