"""What the K-means views draw, computed here so a view only turns numbers into pixels.

* :func:`voronoi_grid`: which centre owns each cell of a 2-D grid, under the
  variant's distance (the background regions of the scatter view).
* :func:`representatives`: per cluster, the members nearest the centre and a
  few random members, with the rule as a sentence to print on the view.
* :func:`cluster_summary`: cluster sizes and, given true labels (MNIST digits),
  each cluster's majority label and its share.

Example
-------
>>> import numpy as np
>>> voronoi_grid(np.array([[0.0, 0.0], [1.0, 0.0]]), (0, 1), (0, 1), resolution=3).tolist()
[[0, 0, 1], [0, 0, 1], [0, 0, 1]]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.core.norms import metric_symbol, root_metric
from engine.kmeans.kernels import METRICS, distances
from engine.core.params import ParamError
from engine.core.validation import as_data, check_whole

__all__ = ["voronoi_grid", "representatives", "cluster_summary", "Representatives", "ClusterSummary"]

_VARIANT_METRIC = {"means": "sqeuclidean", "medians": "l1"}


def _metric(variant, metric):
    if variant == "medoids":
        metric = "l2" if metric is None else metric
    elif variant in _VARIANT_METRIC:
        metric = _VARIANT_METRIC[variant] if metric is None else metric
    else:
        raise ParamError(f"variant={variant!r} is not allowed; choose 'means', 'medians' or 'medoids'.")
    if metric not in METRICS:
        raise ParamError(f"metric={metric!r} is not allowed; choose one of {', '.join(map(repr, METRICS))}.")
    return metric


def voronoi_grid(centers, xlim, ylim, resolution=200, variant="means", metric=None):
    """Owning centre of every cell of a regular grid over a 2-D window.

    Parameters
    ----------
    centers : array_like of shape (k, 2)
    xlim, ylim : (float, float)
        The window; grid points are ``x_j = linspace(*xlim, resolution)`` and
        ``y_i = linspace(*ylim, resolution)`` (cell centres at the ends included).
    resolution : int
        Grid points per axis, >= 2.
    variant : {"means", "medians", "medoids"}
        Picks the distance: squared l2 (same regions as l2), l1, or ``metric``.
    metric : {"l2", "l1", "linf", "sqeuclidean"} or None
        Overrides the variant's distance (K-medoids' default is l2).

    Returns
    -------
    ndarray of shape (resolution, resolution), int32
        ``out[i, j]`` is the index of the centre nearest to ``(x_j, y_i)``
        (row = y, column = x); ties go to the lower centre index.

    Example
    -------
    >>> voronoi_grid([[0, 0], [2, 2]], (0, 2), (0, 2), resolution=2, variant="medians").tolist()
    [[0, 0], [0, 1]]
    """
    C = as_data(centers, name="centers")
    if C.shape[1] != 2:
        raise ParamError(f"voronoi_grid needs 2-D centres; got {C.shape[1]} feature(s). "
                         "Project the data to two dimensions first.")
    check_whole(resolution, "resolution", low=2)
    (x0, x1), (y0, y1) = (map(float, xlim)), (map(float, ylim))
    if not all(np.isfinite([x0, x1, y0, y1])):
        raise ParamError(f"xlim={xlim!r}, ylim={ylim!r} should be finite numbers.")
    xs = np.linspace(x0, x1, resolution)
    ys = np.linspace(y0, y1, resolution)
    gx, gy = np.meshgrid(xs, ys)
    P = np.column_stack([gx.ravel(), gy.ravel()])
    D = distances(P, C, _metric(variant, metric))
    return D.argmin(axis=1).astype(np.int32).reshape(resolution, resolution)


@dataclass(frozen=True)
class Representatives:
    """Per cluster, the member indices to show.

    Attributes
    ----------
    nearest : list of ndarray
        ``nearest[j]``: members of cluster ``j`` nearest its centre, nearest first.
    random : list of ndarray
        ``random[j]``: members drawn at random from the rest of cluster ``j``.
    rule : str
        How they were chosen, one sentence for the view.
    """

    nearest: list
    random: list
    rule: str


def representatives(X, labels, centers, n_nearest=5, n_random=5, seed=0, metric="l2"):
    """Which members to show for each cluster: the nearest to the centre, and a random few.

    Rule: for cluster ``j``, ``nearest[j]`` holds the ``n_nearest`` members with
    the smallest ``metric`` distance to centre ``j`` (nearest first, ties by
    lower point index); ``random[j]`` holds ``n_random`` further members drawn
    uniformly without replacement from the members not in ``nearest[j]``, with
    a generator seeded by ``SeedSequence(seed).spawn(k)[j]`` (so one cluster's
    draw does not depend on the others). A small cluster gives fewer.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    labels : array_like of int, shape (n_samples,)
        ``-1`` (unassigned) is never shown.
    centers : array_like of shape (k, n_features)
    n_nearest, n_random : int
    seed : int
    metric : {"l2", "l1", "linf", "sqeuclidean"}

    Returns
    -------
    Representatives

    Example
    -------
    >>> X = np.array([[0.0], [1.0], [5.0], [9.0]])
    >>> r = representatives(X, [0, 0, 1, 1], [[0.2], [8.0]], n_nearest=1, n_random=1)
    >>> [a.tolist() for a in r.nearest], [a.tolist() for a in r.random]
    ([[0], [3]], [[1], [2]])
    """
    X = as_data(X)
    C = as_data(centers, name="centers")
    labels = np.asarray(labels)
    if labels.shape != (X.shape[0],):
        raise ParamError(f"labels has shape {labels.shape}; it should have one entry per point ({X.shape[0]}).")
    if C.shape[1] != X.shape[1]:
        raise ParamError(f"centers have {C.shape[1]} feature(s) but X has {X.shape[1]}.")
    for name, v in (("n_nearest", n_nearest), ("n_random", n_random)):
        check_whole(v, name, low=0)
    if metric not in METRICS:
        raise ParamError(f"metric={metric!r} is not allowed; choose one of {', '.join(map(repr, METRICS))}.")
    k = C.shape[0]
    children = np.random.SeedSequence(seed).spawn(k)
    nearest, rand = [], []
    for j in range(k):
        members = np.flatnonzero(labels == j)
        d = distances(X[members], C[j:j + 1], metric)[:, 0]
        order = members[np.argsort(d, kind="stable")]
        near = order[:n_nearest]
        rest = np.sort(order[n_nearest:])
        rng = np.random.default_rng(children[j])
        pick = rng.choice(rest, size=min(n_random, rest.size), replace=False) if rest.size else rest
        nearest.append(near.astype(np.intp))
        rand.append(np.asarray(pick, dtype=np.intp))
    word = metric_symbol(root_metric(metric))  # nearest in squared l2 is nearest in l2
    rule = (f"Per cluster: the {n_nearest} member(s) nearest to the centre ({word} distance), then "
            f"{n_random} other member(s) drawn at random (seed {seed}).")
    return Representatives(nearest, rand, rule)


@dataclass(frozen=True)
class ClusterSummary:
    """Sizes and label make-up of the clusters.

    Attributes
    ----------
    sizes : ndarray of shape (k,)
    majority : ndarray of shape (k,)
        Most frequent true label per cluster (smallest label on ties); -1 for
        an empty cluster or without true labels.
    share : ndarray of shape (k,)
        Fraction of the cluster carrying that label (nan when undefined).
    purity : float
        Fraction of all assigned points with a known label that carry their
        cluster's majority label (nan without true labels).
    """

    sizes: np.ndarray
    majority: np.ndarray
    share: np.ndarray
    purity: float


def cluster_summary(labels, k, true_labels=None):
    """Size of each cluster and, with true labels, its majority label and that label's share.

    Parameters
    ----------
    labels : array_like of int, shape (n_samples,)
        Cluster ids ``0 .. k-1``; ``-1`` (unassigned) is not counted.
    k : int
    true_labels : array_like of int, shape (n_samples,), optional
        Known classes (e.g. MNIST digits); ``-1`` (a point in no group) is left
        out of the majority, its share and the purity.

    Returns
    -------
    ClusterSummary

    Example
    -------
    >>> s = cluster_summary([0, 0, 0, 1], 3, true_labels=[7, 7, 1, 4])
    >>> s.sizes.tolist(), s.majority.tolist(), s.share[:2].round(3).tolist()
    ([3, 1, 0], [7, 4, -1], [0.667, 1.0])
    """
    labels = np.asarray(labels).astype(np.int64)
    check_whole(k, "k", low=1)
    if labels.ndim != 1 or (labels.size and (labels.max() >= k or labels.min() < -1)):
        raise ParamError(f"labels should be cluster ids between -1 and k-1={k - 1}.")
    ok = labels >= 0
    sizes = np.bincount(labels[ok], minlength=k)
    majority = np.full(k, -1, dtype=np.int64)
    share = np.full(k, np.nan)
    purity = float("nan")
    if true_labels is not None:
        truth = np.asarray(true_labels)
        if truth.shape != labels.shape:
            raise ParamError(f"true_labels has shape {truth.shape}; it should match labels {labels.shape}.")
        known = ok & (truth >= 0)
        values, inv = np.unique(truth[known], return_inverse=True)
        m = max(1, values.size)
        table = np.bincount(labels[known] * m + inv.reshape(-1), minlength=k * m).reshape(k, m)
        top = table.argmax(axis=1)
        n_known = table.sum(axis=1)
        filled = n_known > 0
        majority[filled] = values[top[filled]]
        share[filled] = table[filled, top[filled]] / n_known[filled]
        if known.any():
            purity = float(table.max(axis=1).sum() / known.sum())
    return ClusterSummary(sizes, majority, share, purity)
