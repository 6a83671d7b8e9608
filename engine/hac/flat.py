"""Flat clusterings and paths read off a tree (finished or grown so far), as the views show them.

:mod:`engine.hac.dendrogram` computes the tree's geometry (a :class:`Dendrogram`)
and cuts it into flat clusters of its *leaves* (the starting clusters). What a
view shows is per *point* and per *link*; this module turns one into the
other, so no view repeats the tree arithmetic:

* :func:`start_groups` - HAC's starting partition from a data set's groups;
* :func:`point_labels` - labels per point, numbered by smallest member
  (:func:`engine.hac.dendrogram.rank_first`);
* :func:`cut` - a cut at a height, or into at most ``k`` clusters together
  with the height in the middle of the gap that gives them (where the cut line
  is drawn); of the whole tree, or of the first ``n_links`` merges (the tree as
  far as a step has grown it: merges not done yet are never used);
* :func:`link_labels` - the cluster each drawn link belongs to (or none);
* :func:`merge_path` - the merges above one leaf, bottom to top.

Example
-------
>>> import numpy as np
>>> from engine.hac.dendrogram import build_dendrogram
>>> Z = np.array([[0., 1., 1., 2.], [2., 3., 3., 3.]])
>>> d = build_dendrogram(Z, [np.array([0]), np.array([1]), np.array([2])])
>>> c = cut(d, count=2)
>>> c.labels.tolist(), c.height, c.n_clusters
([0, 0, 1], 2.0, 2)
>>> merge_path(d, 0, 2)
[0, 1]
>>> cut(d, height=5.0, n_links=1).labels.tolist()  # after the first merge only
[0, 0, 1]
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from engine.core.params import ParamError
from engine.hac.dendrogram import Dendrogram, rank_first, subtree_max_heights

__all__ = ["start_groups", "point_leaves", "point_labels", "FlatCut",
           "cut", "link_labels", "merge_path"]


def start_groups(labels) -> np.ndarray | None:
    """HAC's starting partition from a data set's groups: ``-1`` points get groups of their own.

    Parameters
    ----------
    labels : array_like of int, shape (n,), or None
        Group per point, ``-1`` for a point in no group.

    Returns
    -------
    ndarray of shape (n,) or None
        None when ``labels`` is None.

    Example
    -------
    >>> start_groups([0, -1, 0, -1]).tolist()
    [0, 1, 0, 2]
    """
    if labels is None:
        return None
    lab = np.asarray(labels, dtype=np.int64)
    free = lab < 0
    if free.any():
        lab = lab.copy()
        lab[free] = lab.max(initial=-1) + 1 + np.arange(int(free.sum()))
    return lab


def point_leaves(dendrogram: Dendrogram) -> np.ndarray:
    """The leaf (starting cluster) of each point, shape (n,)."""
    d = dendrogram
    m = d.n_leaves
    out = np.empty(d.point_order.size, dtype=np.intp)
    by_start = np.argsort(d.node_start[:m], kind="stable")  # leaves in the order point_order holds them
    out[d.point_order] = np.repeat(by_start, (d.node_stop[:m] - d.node_start[:m])[by_start])
    return out


def point_labels(dendrogram: Dendrogram, leaf_labels) -> np.ndarray:
    """Labels per point from labels per leaf, numbered by smallest member."""
    return rank_first(np.asarray(leaf_labels)[point_leaves(dendrogram)])


class FlatCut(NamedTuple):
    """A flat clustering of a tree (finished, or the merges done so far).

    Attributes
    ----------
    labels : ndarray of shape (n,)
        Cluster per point, numbered by smallest member.
    height : float
        Where the cut is drawn.
    n_clusters : int
        Number of clusters (with a count, fewer than asked when merges tie; more when the merges done so
        far cannot give so few).
    """

    labels: np.ndarray
    height: float
    n_clusters: int


def _forest_tops(Z, m: int, kept) -> np.ndarray:
    """For every leaf, the top-most node containing it when only the merges ``kept[t]`` are made.

    ``kept`` must be closed downwards (a kept merge's child merges are kept): true for
    ``subtree max height <= h`` and for a prefix of the merges, and for both together.
    """
    left, right = Z[:, 0].astype(np.intp).tolist(), Z[:, 1].astype(np.intp).tolist()
    top = list(range(2 * m - 1))
    for t in range(m - 2, -1, -1):
        if kept[t]:
            top[left[t]] = top[right[t]] = top[m + t]
    return np.asarray(top[:m])


def cut(dendrogram: Dendrogram, height: float | None = None, count: int | None = None,
        n_links: int | None = None) -> FlatCut:
    """Cut the tree at ``height``, or into at most ``count`` clusters (give exactly one).

    ``n_links``: use only the first ``n_links`` merges (the tree as far as it has grown; default: all).
    A cut at ``h`` then keeps the merges done so far whose subtree lies at or below ``h`` (scipy's
    ``fcluster(criterion="distance")`` on the whole tree); a count can ask for fewer clusters than the
    merges done so far leave (``m - n_links``): the cut then keeps every merge done.

    For a count, the height returned is the middle of the gap between the
    highest merge kept inside a cluster and the lowest merge that is cut
    (below the lowest merge for ``count >= m``, above the highest merge done when every merge done is kept).

    Raises
    ------
    ParamError
        Neither or both of ``height`` and ``count``; a count below 1.
    """
    if (height is None) == (count is None):
        raise ParamError("cut: give a height or a number of clusters (exactly one of them).")
    Z = np.asarray(dendrogram.linkage, dtype=float).reshape(-1, 4)
    m = Z.shape[0] + 1
    done = Z.shape[0] if n_links is None else int(np.clip(n_links, 0, Z.shape[0]))
    mx = subtree_max_heights(Z)[:done]
    if count is None:
        h = float(height)
        kept = mx <= h
    else:
        if int(count) < 1:
            raise ParamError(f"cut: count={count} should be at least 1.")
        need = max(0, min(m - int(count), done))  # merges to keep
        order = np.sort(mx)
        lo = float(order[need - 1]) if need > 0 else 0.0
        kept = mx <= lo if need > 0 else np.zeros(done, dtype=bool)
        top = float(order[-1]) if done else 0.0
        hi = float(order[need]) if need < done else top * 1.1 + (top == 0)
        h = 0.5 * (lo + hi)
    leaf = rank_first(_forest_tops(Z, m, np.concatenate([kept, np.zeros(m - 1 - done, dtype=bool)]).tolist()))
    return FlatCut(point_labels(dendrogram, leaf), h, int(leaf.max()) + 1 if m else 0)


def link_labels(Z, leaf_labels, n_links: int | None = None) -> np.ndarray:
    """The cluster of each of the first ``n_links`` merges, or -1 where its two sides differ.

    A link belongs to a (flat or current) cluster when all leaves below it
    carry that cluster's label; otherwise it joins different clusters.

    Parameters
    ----------
    Z : ndarray of shape (m - 1, 4)
    leaf_labels : array_like of int, shape (m,)
    n_links : int, optional
        Default: every merge.
    """
    Z = np.asarray(Z, dtype=float).reshape(-1, 4)
    leaf_labels = np.asarray(leaf_labels)
    m = leaf_labels.size
    n_links = Z.shape[0] if n_links is None else int(n_links)
    node = np.empty(m + n_links, dtype=np.int64)
    node[:m] = leaf_labels
    for t in range(n_links):
        a, b = node[int(Z[t, 0])], node[int(Z[t, 1])]
        node[m + t] = a if a == b else -1
    return node[m:]


def merge_path(dendrogram: Dendrogram, node: int, n_links: int) -> list[int]:
    """The merges above ``node`` (a leaf, or ``m + t``) among the first ``n_links``, bottom to top."""
    d = dendrogram
    m = d.n_leaves
    path = []
    t = int(d.merged_at[int(node)])
    while 0 <= t < min(int(n_links), m - 1):
        path.append(t)
        t = int(d.merged_at[m + t])
    return path
