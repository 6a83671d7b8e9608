"""The pieces of one K-means run: the distance table, the centre of a group, re-seeding empty clusters.

:class:`Geometry` computes the (n, k) distance table whose row-wise argmin
is each point's nearest centre, and objectives from it. :func:`centres_of`
computes every group's centre for the variant (mean, coordinate-wise
median, medoid); :func:`medoid_update` is the K-medoids update with its
keep-the-current-medoid rule; :func:`reseed` fills empty clusters with the
farthest points. The rules are documented in :mod:`engine.kmeans`.

Example
-------
>>> import numpy as np
>>> from engine.kmeans.problem import prepare
>>> data = prepare(np.array([[0.0], [1.0], [4.0]]), "means", None, None)
>>> C, S, med = centres_of(data, np.array([0, 0, 1]), 2)
>>> C.ravel().tolist(), med is None
([0.5, 4.0], True)
"""
from __future__ import annotations

import numpy as np

from engine.core.norms import metric_symbol
from engine.kmeans import seeding
from engine.kmeans.kernels import assigned_distances, cluster_medians, distances, grouped_sums, pairwise_totals, \
    sq_partial
from engine.kmeans.problem import Problem

__all__ = ["Geometry", "reseed", "reseed_text", "medoid_update", "group_centre", "centres_of", "MEDOID_RTOL"]

#: A member replaces the current medoid only when its total distance is smaller by more than this (relative).
MEDOID_RTOL = 1e-12


class Geometry:
    """Distances of one run: the assignment pass, per-point distances, objectives."""

    def __init__(self, data: Problem, k: int):
        self.data, self.k = data, k
        n = data.X.shape[0]
        self.rows = np.arange(n)
        self._buf = np.empty((n, k), dtype=data.X.dtype) if data.metric == "sqeuclidean" else None

    def table(self, C):
        """(n, k) table whose row-wise argmin is the nearest centre (K-means: without ``||x||^2``)."""
        X = self.data.X
        if self.data.metric == "sqeuclidean":
            return sq_partial(X, C, out=self._buf)
        return distances(X, C, self.data.metric, xsq=self.data.xsq)

    def at(self, D, labels):
        """Table values at each point's label, float64."""
        return D[self.rows, labels].astype(np.float64)

    def objective(self, D, labels):
        """Objective of ``labels`` with the centres ``D`` was computed for (direct sum).

        K-means adds ``||x||^2`` point by point and clips each squared distance
        at 0 (the Gram form can round a zero distance slightly below 0).
        """
        d = self.at(D, labels)
        if self.data.metric == "sqeuclidean":
            d += self.data.xsq
            np.maximum(d, 0.0, out=d)
        return float(np.sum(d))


def reseed(data: Problem, C, labels, counts, empty):
    """Move the farthest points (from clusters with >= 2 members) into the empty clusters.

    Modifies ``labels`` and ``counts`` in place. Returns a list of
    ``(cluster, point, from_cluster, distance)``.
    """
    far = assigned_distances(data.X, C, labels, data.metric)
    moved = []
    for b in empty:
        score = np.where(counts[labels] >= 2, far, -np.inf)
        p = int(np.argmax(score))
        if not score[p] > 0.0:
            raise seeding.too_few_distinct(data.X, len(counts))
        a = int(labels[p])
        labels[p] = b
        counts[a] -= 1
        counts[b] += 1
        moved.append((int(b), p, a, float(far[p])))
        far[p] = -np.inf
    return moved


def reseed_text(moved, data: Problem) -> str:
    """The description of the re-seeded clusters ``moved`` (as :func:`reseed` returns them), clusters counted
    from 1 and points named as the window does."""
    word = metric_symbol(data.metric)
    parts = [f"cluster {b + 1} was empty and was re-seeded with point {data.name(p)}, the point farthest from its "
             f"centre ({word} distance {dist:.4g}, taken from cluster {a + 1})" for b, p, a, dist in moved]
    return "; ".join(parts)


def medoid_update(data: Problem, labels, k, medoids, fixed):
    """New medoid index per cluster (``fixed``: clusters whose medoid is already decided)."""
    new = medoids.copy()
    order = np.argsort(labels, kind="stable")
    ends = np.cumsum(np.bincount(labels, minlength=k))
    start = 0
    for j in range(k):
        end = int(ends[j])
        members = order[start:end]
        start = end
        if j in fixed:
            continue
        totals = pairwise_totals(data.X[members], data.metric)
        best = int(np.argmin(totals))
        cur = np.flatnonzero(members == medoids[j])
        if cur.size and totals[cur[0]] <= totals[best] + MEDOID_RTOL * abs(totals[cur[0]]):
            best = int(cur[0])
        new[j] = members[best]
    return new


def group_centre(data: Problem, pts):
    """The variant's centre of one group of points, shape (n_features,)."""
    if data.variant == "means":
        return pts.mean(axis=0)
    if data.variant == "medians":
        return np.median(pts, axis=0)
    return pts[int(np.argmin(pairwise_totals(pts, data.metric)))]


def centres_of(data: Problem, labels, k, medoids=None, fixed=()):
    """The variant's centre of every group (all groups non-empty); returns (C, S, medoids)."""
    X = data.X
    if data.variant == "means":
        S = grouped_sums(X, labels, k)
        return S / np.bincount(labels, minlength=k)[:, None], S, None
    if data.variant == "medians":
        return cluster_medians(X, labels, k, np.zeros((k, X.shape[1]))), None, None
    medoids = np.zeros(k, dtype=np.intp) - 1 if medoids is None else medoids
    med = medoid_update(data, labels, k, medoids, fixed)
    return X[med].astype(np.float64), None, med
