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
import functools
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from engine.core.params import ParamError
from engine.core.steps import Step, readonly
from engine.core.validation import check_whole
from engine.hac import blocks, condensed, memory
from engine.hac import linkage as core
from engine.hac.dendrogram import (Dendrogram, build_dendrogram, cut_count, cut_height, leaf_counts, newick,
                                   rank_first)
from engine.hac.prepare import NORM_NAMES, NORMS, Prepared, prepare
from engine.hac.witness import all_witnesses, closest_pair

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
        finish = None
        if p.D is not None:
            row_of = lambda q: p.D[q].copy()  # noqa: E731
        elif p.norm == "l2":  # squared rows, one square root per tree edge at the end
            row_of = lambda q: core.point_row(p.X, q, "l2", squared=True)  # noqa: E731
            finish = np.sqrt
        else:
            row_of = lambda q: core.point_row(p.X, q, p.norm)  # noqa: E731
        res = core.single_mst(row_of, p.n, finish)
        if res is not None:
            return res[0], None, res[1]
    if m == p.n:  # the condensed matrix and every point's nearest neighbour, in blocks of rows
        memory.guard(p.n, p.linkage, m, _features(p), matrix=True)  # single linkage falls back on ties
        D = np.empty(condensed.size_of(m))
        block = condensed.square_blocks(p.D) if p.D is not None else condensed.point_blocks(p.X, p.norm)
        nearest = condensed.from_blocks(m, block, out=D)
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


def set_text(small, size, names=None):
    """``{x1, x2}`` for up to 4 points, else ``{x1, x2, x3, ... (7 points)}`` (smallest indices).

    ``names``: the points' own names (a data set's ``point_names``), used instead of ``x1, x2, ...``.
    """
    def name(i):
        return str(names[i]) if names is not None else f"x{i + 1}"
    if size <= 4:
        return "{" + ", ".join(name(i) for i in small) + "}"
    return "{" + ", ".join(name(i) for i in small[:3]) + f", ... ({size} points)}}"


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
    return _Steps(p, names)


class _ClusterNames:
    """``{x1, x2}``-style names of the clusters, growing with every merge."""

    def __init__(self, groups, names=None):
        self.point_names = names
        self.small = [g[:4].tolist() for g in groups]
        self.sizes = [len(g) for g in groups]
        self.texts = [set_text(self.small[c], self.sizes[c], names) for c in range(len(groups))]

    def merge(self, a, b) -> int:
        """Name the cluster made of ``a`` and ``b``; return its size."""
        size = self.sizes[a] + self.sizes[b]
        self.sizes.append(size)
        self.small.append(sorted(self.small[a] + self.small[b])[:4])
        self.texts.append(set_text(self.small[-1], size, self.point_names))
        return size


def _start_step(p: Prepared, names: _ClusterNames, dendro, trace_all, base) -> Step:
    m = p.m
    if m <= 6:
        start_txt = f"start: {m} cluster{'s' if m > 1 else ''} {', '.join(names.texts)}"
    else:
        start_txt = f"start: {m} clusters" + (" (one per point)" if m == p.n else "")
    done0 = m == 1
    return Step("start", start_txt + (" - nothing to merge" if done0 else ""),
                labels=functools.partial(dendro.labels_after, -1), objective=np.nan, trace=trace_all[:1], iteration=0,
                done=done0, status="finished" if done0 else "", payload={**base, "n_links": 0, "n_clusters": m})


class _Witnesses:
    """What each merge step shows as its witness: a pair of points, all pairs, or the two centroids."""

    def __init__(self, p: Prepared, dendro, cents, wit):
        self.p, self.cents = p, cents
        self.nstart, self.nstop = dendro.node_start.tolist(), dendro.node_stop.tolist()
        if wit is None and p.linkage in ("min", "max"):
            wit = all_witnesses(p, dendro, p.linkage == "max")
        self.wit = self.ppos = None
        if wit is not None:
            ppos = np.empty(p.n, dtype=np.intp)
            ppos[dendro.point_order] = np.arange(p.n)
            self.ppos, self.wit = ppos.tolist(), wit.tolist()

    def of(self, t, a, b):
        """``(witness_kind, witness_points, witness_coords)`` of merge ``t`` of clusters ``a`` and ``b``."""
        lk, X = self.p.linkage, self.p.X
        if lk == "avg":
            return "all_pairs", None, None
        if lk not in ("min", "max"):
            return "centroids", None, (self.cents[a], self.cents[b])
        u, v = self.wit[t]
        if not self.nstart[a] <= self.ppos[u] < self.nstop[a]:
            u, v = v, u
        return "pair", readonly(np.array([u, v]), copy=False), None if X is None else (X[u], X[v])


class _Steps:
    """A run's steps, one per ``next()``: a start step, then one step per merge.

    The merges (and the dendrogram) are computed by the first ``next()``, the witnesses by the second;
    both call :func:`engine.core.cancel.check`. A :class:`~engine.core.cancel.Cancelled` raised there
    leaves nothing half done: the next ``next()`` starts that work again. ``close()`` ends the run.
    """

    def __init__(self, p: Prepared, names=None):
        self.p, self.t, self.closed, self.point_names = p, -1, False, names
        self.Z = self.dendro = self.witnesses = None

    def __iter__(self):
        return self

    def close(self) -> None:
        self.closed = True

    def __next__(self) -> Step:
        p = self.p
        if self.closed or self.t >= p.m - 1:
            self.closed = True
            raise StopIteration
        if self.Z is None:
            self._merge()
        if self.t >= 0 and self.witnesses is None:
            self.witnesses = _Witnesses(p, self.dendro, self.cents, self.wit)
        step = _start_step(p, self.names, self.dendro, self.trace_all, self.base) if self.t < 0 else self._merge_step()
        self.t += 1
        return step

    def _merge(self) -> None:
        p = self.p
        Z, cents, wit = run_merges(p)
        dendro = build_dendrogram(Z, p.groups)
        self.trace_all = readonly(np.concatenate([[np.nan], dendro.heights]))
        self.base = {"dendrogram": dendro, "linkage": p.linkage, "norm": p.norm}
        self.names = _ClusterNames(p.groups, self.point_names)
        self.ids = Z[:, :2].astype(np.intp).tolist()
        self.heights, self.inv = dendro.heights.tolist(), dendro.inversions.tolist()
        self.running = np.maximum.accumulate(dendro.heights).tolist()
        self.dendro, self.cents, self.wit, self.Z = dendro, cents, wit, Z

    def _merge_step(self) -> Step:
        p, t, dendro, w = self.p, self.t, self.dendro, self.witnesses
        m, lk = p.m, p.linkage
        a, b = self.ids[t]
        h = self.heights[t]
        new_size = self.names.merge(a, b)
        wkind, wpts, wcoords = w.of(t, a, b)
        texts = self.names.texts
        text = f"merged {texts[a]} and {texts[b]} at d_{lk} = {h:.4g} ({NORM_NAMES[p.norm]})"
        if self.inv[t]:
            text += f" - an inversion: below the earlier merge at {self.running[t - 1]:.4g}"
        last = t == m - 2
        pord, nstart, nstop = dendro.point_order, w.nstart, w.nstop
        return Step("merge", text, labels=functools.partial(dendro.labels_after, t), objective=h,
                    trace=self.trace_all[:t + 2], iteration=t + 1, done=last, status="finished" if last else "",
                    payload={**self.base, "a": a, "b": b, "members_a": pord[nstart[a]:nstop[a]],
                             "members_b": pord[nstart[b]:nstop[b]], "new_id": m + t, "size": new_size,
                             "distance": h, "witness_kind": wkind, "witness_points": wpts,
                             "witness_coords": wcoords, "inversion": self.inv[t], "n_links": t + 1,
                             "n_clusters": m - t - 1})


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
