"""The k-distance plot that helps choose ε: each point's distance to its ``min_samples``-th neighbour, sorted.

The point itself is its own first neighbour (distance 0), as ``min_samples`` counts it: a point is a
core point exactly when its k-distance is at most ε. A horizontal line at height ε on the sorted curve
therefore separates the core points (below) from the others, and ε is usually chosen near the bend
where the curve turns upwards.

Distances are computed exactly, by blocks of rows against all points. With more than ``max_points``
points, the k-distances of ``max_points`` points drawn at random (``seed``) are computed, each against
all points: the sorted curve is then a sample of the same distribution (:attr:`KDistances.sampled`).

Example
-------
>>> X = np.array([[0.0], [1.0], [3.0], [7.0]])
>>> k_distances(X, 2, "l2").values.tolist()
[1.0, 1.0, 2.0, 4.0]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.core import cancel
from engine.core.params import ParamError

__all__ = ["KDistances", "k_distances", "BLOCK"]

BLOCK = 1 << 22  # distances per block


@dataclass(frozen=True)
class KDistances:
    """``values``: the k-distances, sorted ascending (``inf`` when there are fewer than k points);
    ``k``; ``n`` (points in the data); ``sampled`` (True when ``values`` are those of a random sample)."""

    values: np.ndarray
    k: int
    n: int
    sampled: bool

    def core_count(self, eps: float) -> int:
        """How many of the points of :attr:`values` are core points for ``eps`` (k-distance <= ε)."""
        return int(np.searchsorted(self.values, eps, side="right"))


def _block_distances(Q: np.ndarray, X: np.ndarray, metric: str) -> np.ndarray:
    """All distances between the rows of ``Q`` (m, d) and of ``X`` (n, d), shape (m, n)."""
    if metric == "l2":
        D = np.zeros((Q.shape[0], X.shape[0]))
        for j in range(X.shape[1]):
            diff = Q[:, j, None] - X[None, :, j]
            D += diff * diff
        return np.sqrt(D, out=D)
    D = np.zeros((Q.shape[0], X.shape[0]))
    for j in range(X.shape[1]):
        diff = np.abs(Q[:, j, None] - X[None, :, j])
        if metric == "l1":
            D += diff
        else:
            np.maximum(D, diff, out=D)
    return D


def k_distances(X, k: int, metric: str = "l2", max_points: int | None = 4000, seed: int = 0) -> KDistances:
    """Each point's distance to its ``k``-th nearest point, itself counted first, sorted ascending.

    ``X``: (n, d) finite numbers; ``k >= 1``; ``metric`` "l1", "l2" or "linf"; ``max_points``: at most this
    many points get a k-distance (a random sample beyond; None: all).
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    if metric not in ("l1", "l2", "linf"):
        raise ParamError(f"metric={metric!r} is not allowed; choose one of 'l1', 'l2', 'linf'.")
    if int(k) < 1:
        raise ParamError(f"k={k} should be >= 1 (min_samples, the point itself included).")
    n, k = X.shape[0], int(k)
    if k > n:
        return KDistances(np.full(n, np.inf), k, n, False)
    rows = np.arange(n)
    sampled = max_points is not None and n > max_points
    if sampled:
        rows = np.sort(np.random.default_rng(seed).choice(n, int(max_points), replace=False))
    out = np.empty(rows.size)
    step = max(1, BLOCK // max(1, n))
    for s in range(0, rows.size, step):
        cancel.check()
        D = _block_distances(X[rows[s:s + step]], X, metric)
        out[s:s + step] = np.partition(D, k - 1, axis=1)[:, k - 1]
    out.sort()
    out.setflags(write=False)
    return KDistances(out, k, n, bool(sampled))
