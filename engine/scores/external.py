"""Scores of a clustering against known labels: contingency table, adjusted Rand index, NMI, purity.

``truth`` holds the known class of each point (a digit, a generator's group, a label column);
``labels`` the clusters. Label ``-1`` means different things on the two sides:

* ``truth == -1``: the point's class is unknown (:class:`engine.data.Dataset` calls it "in no
  group"), so it is **left out** of every score here;
* ``labels == -1``: noise, or not assigned yet; it **counts as one more cluster**, as in
  scikit-learn (a density method's noise is then a (bad) cluster, and a step before any
  assignment scores as one cluster).

On points with a known class the values agree with scikit-learn's ``adjusted_rand_score`` and
``normalized_mutual_info_score`` (arithmetic normalisation, its default), special cases included:
both labelings a single group give ARI = NMI = 1.

Example
-------
>>> truth, labels = [0, 0, 1, 1, 2, 2], [1, 1, 0, 0, 0, -1]
>>> c = contingency(truth, labels)
>>> c.clusters.tolist(), c.classes.tolist(), c.table.tolist()
([-1, 0, 1], [0, 1, 2], [[0, 0, 1], [0, 2, 1], [2, 0, 0]])
>>> round(adjusted_rand_index(truth, labels), 6), round(normalized_mutual_info(truth, labels), 6)
(0.444444, 0.739667)
>>> purity(truth, labels)
0.8333333333333334
"""
from __future__ import annotations

from dataclasses import dataclass
from math import log

import numpy as np

from engine.core.params import ParamError

__all__ = ["Contingency", "contingency", "adjusted_rand_index", "normalized_mutual_info", "purity",
           "TABLE_LIMIT"]

#: The largest dense contingency table :func:`contingency` builds (clusters x classes cells).
TABLE_LIMIT = 10_000_000


@dataclass(frozen=True)
class Contingency:
    """A cluster x class table of counts.

    Attributes
    ----------
    table : ndarray of int64, shape (n_clusters, n_classes)
        ``table[i, j]``: points of cluster ``clusters[i]`` whose class is ``classes[j]``
        (``table.T`` is scikit-learn's ``contingency_matrix(truth, labels)``).
    clusters : ndarray of int64
        The cluster ids of the rows, sorted (``-1`` first when some point is unassigned).
    classes : ndarray of int64
        The class ids of the columns, sorted (never ``-1``: unknown classes are left out).
    """

    table: np.ndarray
    clusters: np.ndarray
    classes: np.ndarray


def _ints(a, name: str) -> np.ndarray:
    a = np.asarray(a)
    if a.ndim != 1:
        raise ParamError(f"{name} must be one label per point (1-D); got shape {a.shape}.")
    if a.dtype.kind not in "iub" and not (a.dtype.kind == "f" and np.all(np.isfinite(a)) and np.all(a == np.round(a))):
        raise ParamError(f"{name} must be whole numbers; got dtype {a.dtype}.")
    return a.astype(np.int64)


def _pairs(truth, labels):
    """The sparse contingency: (cluster codes, class codes, count) of non-empty cells, and the ids."""
    t, lab = _ints(truth, "truth"), _ints(labels, "labels")
    if t.shape != lab.shape:
        raise ParamError(f"truth has {t.size} labels and labels {lab.size}: give one of each per point.")
    if t.size == 0:
        raise ParamError("no points: truth and labels are empty.")
    known = t >= 0
    if not known.any():
        raise ParamError("no point has a known class (truth is -1 everywhere): nothing to score against.")
    classes, tc = np.unique(t[known], return_inverse=True)
    clusters, lc = np.unique(lab[known], return_inverse=True)
    cells, counts = np.unique(lc.astype(np.int64) * classes.size + tc, return_counts=True)
    return cells // classes.size, cells % classes.size, counts.astype(np.int64), clusters, classes


def contingency(truth, labels) -> Contingency:
    """The cluster x class table of ``labels`` against ``truth`` (points of unknown class left out)."""
    rows, cols, counts, clusters, classes = _pairs(truth, labels)
    if clusters.size * classes.size > TABLE_LIMIT:
        raise ParamError(f"a contingency table of {clusters.size:,} clusters x {classes.size:,} classes is too large "
                         f"to hold (more than {TABLE_LIMIT:,} cells).")
    table = np.zeros((clusters.size, classes.size), dtype=np.int64)
    table[rows, cols] = counts
    return Contingency(table=table, clusters=clusters, classes=classes)


def adjusted_rand_index(truth, labels) -> float:
    """The adjusted Rand index of ``labels`` against ``truth``: 1 identical partitions, about 0 chance.

    From the pair-confusion counts, in exact integers (as scikit-learn's ``adjusted_rand_score``).
    """
    rows, cols, counts, clusters, classes = _pairs(truth, labels)
    n = int(counts.sum())
    sum_squares = int((counts * counts).sum())
    a = np.bincount(cols, weights=counts, minlength=classes.size).astype(np.int64)
    b = np.bincount(rows, weights=counts, minlength=clusters.size).astype(np.int64)
    tp = sum_squares - n
    fp = int((b * b).sum()) - sum_squares
    fn = int((a * a).sum()) - sum_squares
    tn = n * n - fp - fn - sum_squares
    if fn == 0 and fp == 0:
        return 1.0
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))


def _entropy(sizes) -> float:
    sizes = sizes[sizes > 0].astype(np.float64)
    if sizes.size <= 1:
        return 0.0
    total = sizes.sum()
    return float(-np.sum((sizes / total) * (np.log(sizes) - log(total))))


def normalized_mutual_info(truth, labels) -> float:
    """Normalized mutual information ``I(truth; labels) / ((H(truth) + H(labels)) / 2)`` (natural logs).

    As scikit-learn's ``normalized_mutual_info_score`` with ``average_method="arithmetic"``.
    """
    rows, cols, counts, clusters, classes = _pairs(truth, labels)
    if classes.size == clusters.size == 1:
        return 1.0
    if classes.size == 1 or clusters.size == 1:
        return 0.0
    a = np.bincount(cols, weights=counts, minlength=classes.size).astype(np.int64)
    b = np.bincount(rows, weights=counts, minlength=clusters.size).astype(np.int64)
    n = float(counts.sum())
    p = counts / n
    outer = a[cols] * b[rows]
    mi = p * (np.log(counts) - log(n)) + p * (-np.log(outer) + log(a.sum()) + log(b.sum()))
    mi = float(np.clip(np.where(np.abs(mi) < np.finfo(float).eps, 0.0, mi).sum(), 0.0, None))
    if mi == 0.0:
        return 0.0
    return mi / ((_entropy(a) + _entropy(b)) / 2.0)


def purity(truth, labels) -> float:
    """The share of points (of known class) whose cluster's most common class is their own class."""
    rows, cols, counts, clusters, _ = _pairs(truth, labels)
    best = np.zeros(clusters.size, dtype=np.int64)
    np.maximum.at(best, rows, counts)
    return float(best.sum() / counts.sum())
