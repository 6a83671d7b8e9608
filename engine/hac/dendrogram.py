"""Dendrogram geometry and tree utilities for scipy-format linkage matrices.

A linkage matrix ``Z`` of shape ``(m - 1, 4)`` describes merges of ``m``
leaves: row ``t`` merges clusters ``Z[t, 0]`` and ``Z[t, 1]`` (leaves are
``0..m-1``, the cluster made by row ``t`` is ``m + t``) at height ``Z[t, 2]``
into a cluster of ``Z[t, 3]`` points. This module turns it into what views
draw (:class:`Dendrogram`, computed once and shared read-only by every step)
and offers flat cuts, Newick export and the validity checks of scipy's
``is_valid_linkage``.

Flat labels are numbered by smallest member: the cluster holding the smallest
index gets label 0, the cluster holding the smallest index not in cluster 0
gets 1, and so on. A merge keeps the label of the part with the smaller
smallest member, so colours stay put for clusters that did not change
(clusters after the absorbed one move down by one).

Example
-------
>>> import numpy as np
>>> Z = np.array([[0., 1., 1., 2.], [2., 3., 3., 3.]])
>>> cut_count(Z, 2).tolist(), cut_height(Z, 0.5).tolist()
([0, 0, 1], [0, 1, 2])
>>> newick(Z)
'(x3:3.0,(x1:1.0,x2:1.0):2.0);'
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.core.params import ParamError
from engine.core.validation import check_whole
from engine.core.steps import compact_labels, readonly

__all__ = ["Dendrogram", "build_dendrogram", "index_runs", "cut_height", "cut_count", "validate_linkage",
           "leaf_counts", "rank_first", "linkage_conditions", "newick", "subtree_max_heights"]


def linkage_conditions(Z) -> list:
    """scipy's ``is_valid_linkage`` checks as ``(condition_holds, message)`` pairs, in order."""
    Z = np.asarray(Z)
    out = [(Z.dtype == np.float64, "Linkage matrix must contain doubles (float64)."),
           (Z.ndim == 2, f"Linkage matrix must be two-dimensional; got shape {Z.shape}."),
           (Z.ndim == 2 and Z.shape[1] == 4, f"Linkage matrix must have 4 columns; got shape {Z.shape}."),
           (Z.ndim == 2 and Z.shape[0] > 0, "Linkage must be computed on at least two observations.")]
    if not all(ok for ok, _ in out):
        return out
    n = Z.shape[0]
    ids = Z[:, :2]
    out += [(not np.any(ids < 0), "Linkage contains negative indices."),
            (not np.any(Z[:, 2] < 0), "Linkage contains negative distances."),
            (not np.any(Z[:, 3] < 0), "Linkage contains negative counts."),
            (not np.any(Z[:, 3] > n + 1), "Linkage contains excessive observations in a cluster."),
            (not np.any(ids.max(axis=1) >= np.arange(n + 1, 2 * n + 1)),
             "Linkage uses non-singleton cluster before it is formed."),
            (np.unique(ids).size == 2 * n, "Linkage uses the same cluster more than once.")]
    return out


def validate_linkage(Z) -> np.ndarray:
    """Return ``Z`` as a float array if every scipy validity condition holds.

    Raises
    ------
    ParamError
        Naming the first violated condition.

    Example
    -------
    >>> validate_linkage([[0., 1., 0.5, 2.]]).shape
    (1, 4)
    """
    for ok, message in linkage_conditions(Z):
        if not ok:
            raise ParamError(f"invalid linkage matrix: {message}")
    return np.asarray(Z)


def _children(Z):
    return Z[:, 0].astype(np.intp).tolist(), Z[:, 1].astype(np.intp).tolist()


def leaf_counts(Z, m):
    """Number of leaves under every node of the linkage ``Z`` over ``m`` leaves (a list of ``2m - 1``)."""
    cnt = [1] * (2 * m - 1)
    left, right = _children(Z)
    for t in range(m - 1):
        cnt[m + t] = cnt[left[t]] + cnt[right[t]]
    return cnt


def _tops(Z, m, merged):
    """For every leaf, the top-most node containing it among ``merged[t]`` merges (a forest)."""
    left, right = _children(Z)
    top = list(range(2 * m - 1))
    for t in range(m - 2, -1, -1):
        node = m + t
        if merged[t]:
            top[left[t]] = top[node]
            top[right[t]] = top[node]
    return np.asarray(top[:m])


def rank_first(x) -> np.ndarray:
    """Renumber values by first appearance: 0 for ``x[0]``'s value, then the next new one, ..."""
    _, first, inv = np.unique(x, return_index=True, return_inverse=True)
    rank = np.empty(first.size, dtype=np.intp)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    return rank[inv.ravel()]


def subtree_max_heights(Z) -> np.ndarray:
    """For each merge of the linkage ``Z``, the largest height inside it: the lowest cut that keeps it whole.

    Equal to the merge heights unless there are inversions.
    """
    Z = np.asarray(Z, dtype=float).reshape(-1, 4)
    m = Z.shape[0] + 1
    left, right = _children(Z)
    h = Z[:, 2].tolist()
    mx = [0.0] * (2 * m - 1)
    for t in range(m - 1):
        mx[m + t] = max(h[t], mx[left[t]], mx[right[t]])
    return np.asarray(mx[m:])


def cut_height(Z, h: float) -> np.ndarray:
    """Flat clusters of the leaves for a cut at height ``h`` (scipy's ``criterion="distance"``).

    Leaves stay together when every merge below their common cluster is at
    height ``<= h`` (with inversions, the highest merge inside counts).

    Parameters
    ----------
    Z : ndarray of shape (m - 1, 4)
    h : float

    Returns
    -------
    labels : ndarray of shape (m,)
        0-based, numbered by smallest member (see the module docstring).
    """
    Z = np.asarray(Z, dtype=float).reshape(-1, 4)
    m = Z.shape[0] + 1
    return rank_first(_tops(Z, m, (subtree_max_heights(Z) <= h).tolist()))


def cut_count(Z, k: int) -> np.ndarray:
    """Flat clusters of the leaves with at most ``k`` clusters (scipy's ``criterion="maxclust"``).

    The lowest cut height giving at most ``k`` clusters is used, so equal
    merge heights can give fewer than ``k``.

    Parameters
    ----------
    Z : ndarray of shape (m - 1, 4)
    k : int, 1 <= k

    Returns
    -------
    labels : ndarray of shape (m,)
    """
    Z = np.asarray(Z, dtype=float).reshape(-1, 4)
    m = Z.shape[0] + 1
    check_whole(k, "k", low=1)
    if k >= m:
        return np.arange(m)
    mx = subtree_max_heights(Z)
    r = np.sort(mx)[m - k - 1]
    return rank_first(_tops(Z, m, (mx <= r).tolist()))


_SPECIAL = set(" ()[]':;,\t\n")


def _quote(name: str) -> str:
    name = str(name)
    if name and not (_SPECIAL & set(name)):
        return name
    return "'" + name.replace("'", "''") + "'"


def newick(Z, names=None, leaf_members=None) -> str:
    """The tree as a Newick string with branch lengths (parent height - child height).

    Parameters
    ----------
    Z : ndarray of shape (m - 1, 4)
    names : sequence of str, optional
        One name per point (default ``x1, x2, ...``); quoted when needed.
    leaf_members : list of int arrays, optional
        Points of each leaf (starting cluster); a leaf of several points is
        written as a group whose members hang at length 0. Default: leaf
        ``i`` is point ``i``.

    Inversions (a merge below a child merge) give negative branch lengths.
    """
    Z = np.asarray(Z, dtype=float).reshape(-1, 4)
    m = Z.shape[0] + 1
    if leaf_members is None:
        leaf_members = [[i] for i in range(m)]
    n = sum(len(g) for g in leaf_members)
    if names is None:
        names = [f"x{i + 1}" for i in range(n)]
    elif len(names) != n:
        raise ParamError(f"names has {len(names)} entries; one per point ({n}) is needed.")
    left, right = _children(Z)
    height = [0.0] * m + Z[:, 2].tolist()

    def leaf_text(c):
        g = list(leaf_members[c])
        if len(g) == 1:
            return _quote(names[g[0]])
        return "(" + ",".join(f"{_quote(names[p])}:0.0" for p in g) + ")"

    out = []
    stack = [(2 * m - 2, None, 0)]  # (node, parent height, state)
    while stack:
        node, ph, state = stack.pop()
        if node < m:
            out.append(leaf_text(node))
            if ph is not None:
                out.append(f":{ph - height[node]!r}")
            continue
        t = node - m
        if state == 0:
            out.append("(")
            stack.append((node, ph, 2))
            stack.append((right[t], height[node], 0))
            stack.append((node, ph, 1))
            stack.append((left[t], height[node], 0))
        elif state == 1:
            out.append(",")
        else:
            out.append(")")
            if ph is not None:
                out.append(f":{ph - height[node]!r}")
    return "".join(out) + ";"


@dataclass(frozen=True, eq=False)
class Dendrogram:
    """Geometry of the whole tree, computed once and shared (read-only) by every step.

    Leaves are the starting clusters (points, unless a starting partition was
    given). Coordinates follow scipy's ``dendrogram(no_plot=True)``: leaf at
    position ``p`` in the leaf order sits at ``x = 10 p + 5``; a link is the
    four points ``(icoord[t, q], dcoord[t, q])`` drawing child ``Z[t, 0]``
    (left) up to height ``Z[t, 2]``, across, and down to child ``Z[t, 1]``.
    Unlike scipy, links are listed in merge order: step ``t`` draws
    ``icoord[:t + 1]``.

    Attributes
    ----------
    linkage : ndarray of shape (m - 1, 4)
    heights : ndarray of shape (m - 1,)
        Merge distances in merge order.
    inversions : ndarray of bool, shape (m - 1,)
        True where a merge is lower than an earlier merge.
    leaves : ndarray of shape (m,)
        Starting-cluster ids in leaf order (scipy's ``leaves_list``).
    point_order : ndarray of shape (n,)
        Point indices in leaf order (each starting cluster's points ascending).
    node_start, node_stop : ndarray of shape (2m - 1,)
        Node ``c`` (leaf or merge result) holds ``point_order[node_start[c]:node_stop[c]]``.
    node_x, node_height : ndarray of shape (2m - 1,)
        Where each node's link starts (leaves: ``x`` and height 0).
    icoord, dcoord : ndarray of shape (m - 1, 4)
    min_member : ndarray of shape (2m - 1,)
        Smallest point index in each node (used to number labels).
    merged_at : ndarray of shape (2m - 1,)
        Merge index at which a node is absorbed into its parent (``m - 1`` for the root).
    """

    linkage: np.ndarray
    heights: np.ndarray
    inversions: np.ndarray
    leaves: np.ndarray
    point_order: np.ndarray
    node_start: np.ndarray
    node_stop: np.ndarray
    node_x: np.ndarray
    node_height: np.ndarray
    icoord: np.ndarray
    dcoord: np.ndarray
    min_member: np.ndarray
    merged_at: np.ndarray

    @property
    def n_leaves(self) -> int:
        return self.leaves.size

    def members(self, node: int) -> np.ndarray:
        """Point indices of ``node`` (a read-only view, leaf order)."""
        return self.point_order[self.node_start[node]:self.node_stop[node]]

    def labels_after(self, t: int) -> np.ndarray:
        """Flat labels per point after merge ``t`` (``t = -1``: the starting clusters).

        Returns
        -------
        labels : ndarray of shape (n,)
            Read-only; numbered by smallest member (module docstring).
        """
        m = self.n_leaves
        ids = np.arange(m + t + 1)
        alive = ids[self.merged_at[:m + t + 1] > t]
        rank = np.empty(alive.size, dtype=np.intp)
        rank[np.argsort(self.min_member[alive], kind="stable")] = np.arange(alive.size)
        by_start = np.argsort(self.node_start[alive], kind="stable")
        sizes = (self.node_stop - self.node_start)[alive][by_start]
        labels = np.empty(self.point_order.size, dtype=np.intp)
        labels[self.point_order] = np.repeat(rank[by_start], sizes)
        return compact_labels(labels, alive.size)


def index_runs(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, s + c) for s, c in zip(starts, counts)])``, without a Python loop.

    Example
    -------
    >>> index_runs(np.array([5, 0]), np.array([2, 3])).tolist()
    [5, 6, 0, 1, 2]
    """
    return np.arange(int(counts.sum())) + np.repeat(starts - (np.cumsum(counts) - counts), counts)


def build_dendrogram(Z: np.ndarray, groups: list) -> Dendrogram:
    """Compute the :class:`Dendrogram` of ``Z`` whose leaves hold the points ``groups[c]``.

    Parameters
    ----------
    Z : ndarray of shape (m - 1, 4)
    groups : list of m int arrays
        Sorted point indices of each starting cluster.
    """
    m = len(groups)
    Z = np.asarray(Z, dtype=float).reshape(-1, 4)
    left, right = _children(Z)
    sizes = [len(g) for g in groups] + [0] * (m - 1)  # points per node
    for t in range(m - 1):
        sizes[m + t] = sizes[left[t]] + sizes[right[t]]
    lcount = leaf_counts(Z, m)
    lpos = [0] * (2 * m - 1)  # first leaf position of each node
    pstart = [0] * (2 * m - 1)  # first point position of each node
    merged_at = [m - 1] * (2 * m - 1)
    for t in range(m - 2, -1, -1):
        node, a, b = m + t, left[t], right[t]
        lpos[a] = lpos[node]
        lpos[b] = lpos[node] + lcount[a]
        pstart[a] = pstart[node]
        pstart[b] = pstart[node] + sizes[a]
        merged_at[a] = merged_at[b] = t
    leaves = np.empty(m, dtype=np.intp)
    leaves[np.asarray(lpos[:m], dtype=np.intp)] = np.arange(m)
    n = sum(sizes[:m])
    members = np.concatenate(groups) if m else np.empty(0, dtype=np.intp)
    counts = np.asarray(sizes[:m], dtype=np.intp)
    point_order = np.empty(n, dtype=np.intp)
    point_order[index_runs(np.asarray(pstart[:m], dtype=np.intp), counts)] = members  # group c at pstart[c]
    minm = members[np.cumsum(counts) - counts].tolist() + [0] * (m - 1)  # each group's first (smallest) point
    x = [10.0 * p + 5.0 for p in lpos[:m]] + [0.0] * (m - 1)
    hts = Z[:, 2].tolist()
    hgt = [0.0] * m + hts
    ic = np.empty((m - 1, 4))
    dc = np.empty((m - 1, 4))
    for t in range(m - 1):
        a, b = left[t], right[t]
        minm[m + t] = min(minm[a], minm[b])
        x[m + t] = 0.5 * (x[a] + x[b])
    if m > 1:
        la = np.asarray(left)
        rb = np.asarray(right)
        xa = np.asarray(x)
        ha = np.asarray(hgt)
        ic[:, 0] = ic[:, 1] = xa[la]
        ic[:, 2] = ic[:, 3] = xa[rb]
        dc[:, 0] = ha[la]
        dc[:, 1] = dc[:, 2] = Z[:, 2]
        dc[:, 3] = ha[rb]
    heights = Z[:, 2].copy()
    prev_max = np.maximum.accumulate(np.concatenate([[-np.inf], heights]))[:-1]
    inversions = heights < prev_max
    start = np.asarray(pstart, dtype=np.intp)
    return Dendrogram(
        linkage=readonly(Z), heights=readonly(heights), inversions=readonly(inversions),
        leaves=readonly(leaves), point_order=readonly(point_order), node_start=readonly(start),
        node_stop=readonly(start + np.asarray(sizes, dtype=np.intp)), node_x=readonly(x, dtype=float),
        node_height=readonly(hgt, dtype=float), icoord=readonly(ic), dcoord=readonly(dc),
        min_member=readonly(minm, dtype=np.intp), merged_at=readonly(merged_at, dtype=np.intp))
