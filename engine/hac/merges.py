"""HAC's merges and their steps: run the merge loop, describe every merge, and what ``fit`` returns.

:func:`run_merges` picks the fastest exact merge loop of :mod:`engine.hac.linkage`
for the linkage; :func:`steps` turns the finished tree into a start step and
one step per merge (every payload entry is documented in :mod:`engine.hac`);
:func:`fit` returns a :class:`HacResult`; :func:`first_merges` tabulates the
first merge under every norm and linkage.

Example
-------
>>> [s.objective for s in steps([[0.0], [1.0], [3.0]], linkage="min")][1:]
[1.0, 2.0]
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from engine.core.params import ParamError
from engine.core.steps import readonly
from engine.core.validation import check_whole
from engine.hac import blocks, condensed, memory
from engine.hac import linkage as core
from engine.hac.dendrogram import (Dendrogram, build_dendrogram, cut_count, cut_height, leaf_counts, newick,
                                   rank_first)
from engine.hac.prepare import NORMS, Prepared, prepare
from engine.hac.stepping import RunSteps, set_text
from engine.hac.witness import closest_pair

__all__ = ["steps", "fit", "HacResult", "first_merges", "FirstMerge", "run_merges", "merge_all", "set_text",
           "guard_memory"]


def run_merges(p: Prepared):
    """Run the merge loop. Returns ``(Z, centroids or None, witnesses or None)``."""
    Z, cents, wit = merge_all(p)
    if p.m < p.n:  # the count column counts starting clusters, as scipy expects
        Z[:, 3] = leaf_counts(Z, p.m)[p.m:]
    return Z, cents, wit


def merge_all(p: Prepared):
    """The merges for the linkage: centroid / Ward, single linkage via a spanning tree, or the matrix loop.

    Calls :func:`engine.core.cancel.check` often (every block of distances, every few dozen merges).
    """
    m = p.m
    if m == p.n > 1 and not np.array_equal(p.start, np.arange(p.n)):
        return _in_cluster_order(p)
    sizes = np.array([len(g) for g in p.groups], dtype=float)
    if p.linkage in ("centroid", "ward"):
        C0 = np.array([p.X[g].mean(axis=0) for g in p.groups]) if m < p.n else np.array(p.X)
        Z, cents = core.merge_centroids(C0, sizes, p.norm, p.linkage == "ward")
        return Z, cents, None
    if m < 2:
        return np.empty((0, 4)), None, None
    if p.linkage == "min" and m == p.n:
        res = core.single_mst(p.X if p.D is None else None, p.D, p.norm)
        if res is not None:
            return res[0], None, res[1]
    if m == p.n:  # the condensed matrix and every point's nearest neighbour, in blocks of rows
        memory.guard(p.n, p.linkage, m, _features(p), matrix=True)  # single linkage falls back on ties
        D = np.empty(condensed.size_of(m))
        block, finish = condensed.square_blocks(p.D) if p.D is not None else condensed.point_blocks(p.X, p.norm)
        nearest = condensed.from_blocks(m, block, D, finish)
    else:  # G x G cluster distances in blocks, never the n x n matrix
        pts, runs = blocks.by_group(p.X, p.D, p.norm, p.groups)
        D, nearest = blocks.group_distances(pts, runs, p.linkage), None
    return core.merge_matrix(D, sizes, p.linkage, nearest), None, None


def _features(p: Prepared) -> int:
    return 0 if p.X is None else p.X.shape[1]


def _in_cluster_order(p: Prepared):
    """Single points numbered in another order than the points': run on the points in cluster order."""
    perm = np.concatenate(p.groups)  # the point of each starting cluster
    q = dataclasses.replace(p, X=None if p.X is None else p.X[perm],
                            D=None if p.D is None else p.D[np.ix_(perm, perm)], start=np.arange(p.n),
                            groups=list(np.arange(p.n).reshape(-1, 1)))
    Z, cents, wit = merge_all(q)
    return Z, cents, None if wit is None else perm[wit]


def guard_memory(p: Prepared) -> None:
    """Refuse (:class:`ParamError`) a run that needs more memory than the system has free."""
    memory.guard(p.n, p.linkage, p.m, _features(p))


@dataclass(frozen=True, eq=False)
class HacResult:
    """A finished HAC run.

    Attributes
    ----------
    linkage : ndarray of shape (m - 1, 4)
        scipy-format linkage matrix over the ``m`` starting clusters.
    heights : ndarray of shape (m - 1,)
        Merge distances in merge order.
    inversions : ndarray of bool, shape (m - 1,)
    dendrogram : Dendrogram
    order : ndarray of shape (m,)
        Leaf order (starting-cluster ids), like scipy's ``leaves_list``.
    start_labels : ndarray of shape (n,)
        Starting-cluster id of every point.
    """

    linkage: np.ndarray
    heights: np.ndarray
    inversions: np.ndarray
    dendrogram: Dendrogram
    order: np.ndarray
    start_labels: np.ndarray
    groups: tuple

    def fcluster(self, t: float | None = None, k: int | None = None) -> np.ndarray:
        """Flat clusters per point: cut at height ``t`` or into at most ``k`` clusters.

        Returns
        -------
        labels : ndarray of shape (n,)
            0-based, numbered by smallest member point.
        """
        if (t is None) == (k is None):
            raise ParamError("give exactly one of t (a cut height) or k (a number of clusters).")
        if k is not None:
            k = check_whole(k, "k", low=1, high=self.order.size, suffix=" (the starting clusters)")
            leaf = cut_count(self.linkage, k)
        else:
            leaf = cut_height(self.linkage, float(t))
        return rank_first(leaf[self.start_labels])

    def newick(self, names=None) -> str:
        """Newick string of the tree with branch lengths (default names ``x1..xn``)."""
        return newick(self.linkage, names, leaf_members=self.groups)


def fit(X, norm: str = "l2", linkage: str = "min", clusters=None, distances=None, names=None) -> HacResult:
    """Run HAC to the end (same arguments as :func:`steps`; ``names`` only name points in step texts).

    Example
    -------
    >>> r = fit([[0.0, 0.0], [0.0, 1.0], [5.0, 0.0]], linkage="max")
    >>> r.heights.tolist(), r.fcluster(k=2).tolist()
    ([1.0, 5.0990195135927845], [0, 0, 1])
    """
    p = prepare(X, norm, linkage, clusters, distances)
    guard_memory(p)
    Z, _, _ = run_merges(p)
    dendro = build_dendrogram(Z, p.groups)
    return HacResult(dendro.linkage, dendro.heights, dendro.inversions, dendro, dendro.leaves,
                     readonly(p.start), tuple(readonly(g) for g in p.groups))


def steps(X, norm: str = "l2", linkage: str = "min", clusters=None, distances=None, names=None):
    """Yield HAC as steps: a start step, then one step per merge (module docstring).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or None
        The points (None allowed with ``distances`` for min / max / avg).
    norm : {"l1", "l2", "linf"}
    linkage : {"min", "max", "avg", "centroid", "ward"}
    clusters : array-like of int, shape (n_samples,), optional
        Starting partition: points with equal labels start as one cluster.
    distances : array-like of shape (n, n) or (n (n - 1) / 2,), optional
        Precomputed point distances (symmetric, zero diagonal, >= 0, finite).
    names : sequence of str, optional
        The points' names for step texts ("merged {16} and {17}"); default ``x1, x2, ...``.

    Returns
    -------
    iterator of Step
        Arguments (and the memory the run needs) are checked at once
        (:class:`ParamError`); the merges run when the first step is requested,
        and can be cancelled from another thread (:mod:`engine.core.cancel`).

    Example
    -------
    >>> [s.kind for s in steps([[0.0], [1.0], [3.0]], linkage="max")]
    ['start', 'merge', 'merge']
    """
    p = prepare(X, norm, linkage, clusters, distances)
    if names is not None:
        names = [str(v) for v in names]
        if len(names) != p.n:
            raise ParamError(f"names has {len(names)} entries; one per point ({p.n}) is needed.")
    guard_memory(p)
    return RunSteps(p, _tree, names)


def _tree(p: Prepared):
    """``(Z, dendrogram, centroids or None, witnesses or None)`` of a run (for :class:`RunSteps`)."""
    Z, cents, wit = run_merges(p)
    return Z, build_dendrogram(Z, p.groups), cents, wit


class FirstMerge(NamedTuple):
    """Which two starting clusters merge first under one norm and linkage."""

    norm: str
    linkage: str
    a: int
    b: int
    distance: float
    n_tied: int  # pairs at exactly this distance (1: no tie)


def first_merges(X, clusters=None) -> list:
    """The first merge for every norm (l1, l2, linf) and linkage (min, max, avg, centroid).

    Returns
    -------
    list of FirstMerge
        12 rows, norms outer, linkages inner; ``a < b`` are starting-cluster
        ids, chosen by the tie rule.

    Example
    -------
    >>> rows = first_merges([[0.0, 0.0], [0.0, 1.0], [3.0, 0.0]])
    >>> (rows[0].a, rows[0].b, rows[0].distance)
    (0, 1, 1.0)
    """
    out = []
    for norm in NORMS:
        p0 = prepare(X, norm, "min", clusters, None)
        if p0.m < 2:
            raise ParamError("first_merges needs at least 2 starting clusters.")
        if p0.m == p0.n:
            # one point per cluster: every linkage is the point distance, so all four share the closest pair
            a, b, dist, tied = closest_pair(p0.X, norm)
            out.extend(FirstMerge(norm, lk, a, b, dist, tied) for lk in ("min", "max", "avg", "centroid"))
            continue
        for lk in ("min", "max", "avg", "centroid"):
            p = prepare(X, norm, lk, clusters, None)
            if lk == "centroid":
                C = np.array([p.X[g].mean(axis=0) for g in p.groups])
                D = core.pairwise(C, C, norm)
            else:
                pts, runs = blocks.by_group(p.X, None, norm, p.groups)
                D = condensed.to_square(blocks.group_distances(pts, runs, lk), p.m)
            D[np.tril_indices(p.m)] = np.inf
            k = int(D.argmin())
            a, b = divmod(k, p.m)
            out.append(FirstMerge(norm, lk, a, b, float(D[a, b]), int(np.count_nonzero(D == D[a, b]))))
    return out
