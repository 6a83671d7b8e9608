"""Hierarchical agglomerative clustering (HAC), one merge per step.

Start from one cluster per point (or from a given partition), repeatedly
merge the two closest clusters, record the distance, until one cluster is
left. Point distances use the norm ``"l1"``, ``"l2"`` or ``"linf"`` (or a
precomputed matrix); cluster distances (``linkage``):

* ``"min"`` (single): smallest distance over pairs of members;
* ``"max"`` (complete): largest distance over pairs;
* ``"avg"`` (average): mean distance over all pairs;
* ``"centroid"``: distance between the cluster means, in the chosen norm
  (can merge *below* an earlier merge: an inversion, flagged, never hidden);
* ``"ward"`` (ℓ2 only): ``sqrt(2 |A||B| / (|A| + |B|)) * ||mu_A - mu_B||_2``,
  scipy's scale (the square root of twice the increase in squared error).

Ids follow scipy's linkage matrix: the ``m`` starting clusters are
``0..m-1`` (singletons: the point index; with ``clusters``: in sorted label
order) and the cluster made by merge ``t`` is ``m + t``. The fourth column
of the linkage matrix counts starting clusters (= points without a starting
partition), so it is always a valid scipy linkage; the payload's ``"size"``
counts points.

Tie rule
--------
Every cluster has a *representative*: the smallest starting-cluster id it
contains. Each merge joins the pair at the smallest cluster distance; among
pairs at exactly the same distance (compared as floats, no tolerance) it
joins the pair whose (smaller representative, larger representative) is
lexicographically smallest. Example: with x1, x2, x3 pairwise equidistant,
{x1} and {x2} merge first. (ℓ2 centroid and Ward distances are compared as
squares; in the rare case that two different squares round to the same
square root, the smaller square counts as smaller.)

Steps
-----
``steps`` yields a ``kind="start"`` step and then one ``kind="merge"`` step
per merge. ``objective`` is the merge distance; ``trace[0]`` is the start
step's ``nan`` and ``trace[1:]`` the merge distances so far. Labels (computed
on demand from the merge list, never stored per step) are numbered by
smallest member: the cluster containing point 0 is label 0, the cluster
containing the smallest point not in it is 1, and so on.

Merge step payload (read-only):

``"a"``, ``"b"`` : int
    Ids of the merged clusters, ``a < b`` (as in the linkage row).
``"members_a"``, ``"members_b"`` : int ndarray
    Their point indices (views of ``dendrogram.point_order``, leaf order).
``"new_id"``, ``"size"`` : int
    Id (``m + t``) and number of points of the new cluster.
``"distance"`` : float
    The merge distance (= ``objective``).
``"witness_kind"`` : str
    ``"pair"`` (min: a closest pair, max: a farthest pair),
    ``"all_pairs"`` (avg: the mean runs over every pair of
    ``members_a`` x ``members_b``), ``"centroids"`` (centroid, ward).
``"witness_points"`` : int ndarray of shape (2,) or None
    For ``"pair"``: point ``p`` of a and ``q`` of b with ``d(p, q)`` equal to
    the merge distance (the first such pair in leaf order).
``"witness_coords"`` : tuple of two float ndarrays of shape (d,), or None
    ``"pair"``: the coordinates of ``p`` and ``q`` (None without ``X``);
    ``"centroids"``: the two cluster means.
``"inversion"`` : bool
    True when this distance is lower than an earlier merge distance.
``"dendrogram"`` : :class:`engine.hac.dendrogram.Dendrogram`
    The whole tree's geometry, shared by all steps.
``"n_links"`` : int
    Links ``0..n_links-1`` of the dendrogram are drawn (``t + 1``).
``"n_clusters"`` : int
    Clusters left after the merge (the merge index ``t`` is ``iteration - 1``).
``"linkage"``, ``"norm"`` : str
    The run's settings (norm is ``"precomputed"`` with ``distances``).

The start step's payload has ``"dendrogram"``, ``"n_links"`` (0),
``"n_clusters"`` (m), ``"linkage"`` and ``"norm"``.

Example
-------
>>> r = fit([[1.0], [2.0], [4.0]], linkage="min")
>>> r.linkage.tolist()
[[0.0, 1.0, 1.0, 2.0], [2.0, 3.0, 2.0, 3.0]]
>>> [s.description for s in steps([[1.0], [2.0], [4.0]])][1]
'merged {x1} and {x2} at d_min = 1 (ℓ2)'
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from engine.hac import linkage as core
from engine.hac.dendrogram import (Dendrogram, _leaf_counts, build_dendrogram, cut_count, cut_height, newick as _newick,
                         validate_linkage)
from engine.core.params import Param, ParamError, validate_params
from engine.core.registry import Algorithm
from engine.hac import entries as _entries
from engine.core.steps import Step, readonly
from engine.core.validation import as_data

__all__ = ["steps", "fit", "HacResult", "first_merges", "FirstMerge", "cut_height", "cut_count",
           "validate_linkage", "ALGORITHM", "NORMS", "LINKAGES"]

NORMS = ("l1", "l2", "linf")
LINKAGES = ("min", "max", "avg", "centroid", "ward")
NORM_NAMES = {"l1": "ℓ1", "l2": "ℓ2", "linf": "ℓ∞", "precomputed": "precomputed"}
PARAMS = (
    Param("norm", "Norm", "choice", "l2", choices=NORMS,
          help="Point distance: ℓ1 (sum of |differences|), ℓ2 (Euclidean) or ℓ∞ (largest |difference|)."),
    Param("linkage", "Cluster distance", "choice", "min", choices=LINKAGES,
          help="min: closest pair; max: farthest pair; avg: mean over pairs; centroid: between means; "
               "ward: increase of squared error (ℓ2 only)."),
)


# ----------------------------------------------------------------------------- input checks

def _check_distances(distances, n_expected):
    try:
        D = np.asarray(distances, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ParamError(f"distances must be numbers: {exc}") from None
    if D.ndim == 1:
        k = D.size
        n = int(round((1 + np.sqrt(1 + 8 * k)) / 2))
        if n * (n - 1) // 2 != k:
            raise ParamError(f"condensed distances have {k} entries, which is not n(n-1)/2 for any n; "
                             "pass the n x n matrix or scipy's condensed form.")
        if not np.all(np.isfinite(D)):
            raise ParamError("distances contain NaN or infinity; every distance must be a finite number.")
        if np.any(D < 0):
            raise ParamError(f"distances contain a negative value ({D.min():.4g}); distances must be >= 0.")
        sq = np.zeros((n, n))
        iu = np.triu_indices(n, 1)
        sq[iu] = D
        sq.T[iu] = D
        D = sq
    elif D.ndim == 2:
        n = D.shape[0]
        if D.shape[1] != n:
            raise ParamError(f"distances must be a square n x n matrix; got shape {D.shape}.")
        if not np.all(np.isfinite(D)):
            raise ParamError("distances contain NaN or infinity; every distance must be a finite number.")
        if np.any(D < 0):
            raise ParamError(f"distances contain a negative value ({D.min():.4g}); distances must be >= 0.")
        if np.any(np.diag(D) != 0):
            i = int(np.flatnonzero(np.diag(D) != 0)[0])
            raise ParamError(f"distances must have a zero diagonal; distances[{i}, {i}] = {D[i, i]:.4g}.")
        scale = max(1.0, float(D.max(initial=0.0)))
        asym = np.abs(D - D.T)
        if np.any(asym > 1e-12 * scale):
            i, j = np.unravel_index(int(asym.argmax()), D.shape)
            raise ParamError(f"distances must be symmetric; distances[{i}, {j}] = {D[i, j]:.6g} but "
                             f"distances[{j}, {i}] = {D[j, i]:.6g}.")
        D = np.triu(D, 1)
        D = D + D.T
    else:
        raise ParamError(f"distances must be an n x n matrix or a condensed vector; got shape {D.shape}.")
    if n < 1:
        raise ParamError("distances describe no points; at least 1 point is needed.")
    if n_expected is not None and n != n_expected:
        raise ParamError(f"distances describe {n} points but X has {n_expected}; they must match.")
    return D


def _check_clusters(clusters, n):
    arr = np.asarray(clusters)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ParamError(f"clusters has shape {arr.shape}; one integer label per point ({n}) is needed.")
    if arr.dtype.kind not in "iub":
        try:
            f = arr.astype(float)
        except (TypeError, ValueError):
            raise ParamError("clusters must be integer labels, one per point.") from None
        if not np.all(np.isfinite(f)) or np.any(f != np.round(f)):
            raise ParamError("clusters must be whole-number labels, one per point (got non-integers).")
        arr = f.astype(np.int64)
    uniq, inv = np.unique(arr, return_inverse=True)
    return inv.ravel().astype(np.intp), uniq.size


@dataclass(frozen=True)
class _Prepared:
    X: np.ndarray | None
    D: np.ndarray | None  # validated precomputed distances (square) or None
    norm: str
    linkage: str
    start: np.ndarray  # starting cluster id per point
    groups: list  # sorted point indices per starting cluster
    n: int

    @property
    def m(self):
        return len(self.groups)


def _prepare(X, norm, linkage, clusters, distances) -> _Prepared:
    vals = validate_params(PARAMS, {"norm": norm, "linkage": linkage})
    norm, linkage = vals["norm"], vals["linkage"]
    if linkage == "ward" and norm != "l2":
        raise ParamError(f"linkage='ward' is defined for the ℓ2 norm only (it measures squared Euclidean "
                         f"error), not norm={norm!r}; choose norm='l2' or another linkage.")
    Xa = None if X is None else as_data(X)
    D = None
    if distances is not None:
        if linkage in ("centroid", "ward"):
            raise ParamError(f"linkage={linkage!r} needs the point coordinates X (cluster means); precomputed "
                             "distances work with 'min', 'max' and 'avg' only.")
        D = _check_distances(distances, None if Xa is None else Xa.shape[0])
    elif Xa is None:
        raise ParamError("give the points X (n x d) or a precomputed distance matrix.")
    n = Xa.shape[0] if Xa is not None else D.shape[0]
    if clusters is None:
        start = np.arange(n)
        groups = list(start.reshape(-1, 1))
    else:
        start, m = _check_clusters(clusters, n)
        order = np.argsort(start, kind="stable")
        groups = np.split(order, np.cumsum(np.bincount(start, minlength=m))[:-1])
    if Xa is not None:
        Xa = readonly(Xa)
    return _Prepared(Xa, D, "precomputed" if D is not None else norm, linkage, start, groups, n)


# ----------------------------------------------------------------------------- running

def _rows_of(p: _Prepared):
    if p.D is not None:
        return lambda idx: p.D[idx]
    return lambda idx: core.pairwise(p.X[idx], p.X, p.norm)


def _run(p: _Prepared):
    """Run the merge loop. Returns ``(Z, centroids or None, witnesses or None)``."""
    Z, cents, wit = _run_core(p)
    if p.m < p.n:  # the count column counts starting clusters, as scipy expects
        Z[:, 3] = _leaf_counts(Z, p.m)[p.m:]
    return Z, cents, wit


def _run_core(p: _Prepared):
    m = p.m
    sizes = np.array([len(g) for g in p.groups], dtype=float)
    if p.linkage in ("centroid", "ward"):
        C0 = np.array([p.X[g].mean(axis=0) for g in p.groups]) if m < p.n else np.array(p.X)
        Z, cents = core.merge_centroids(C0, sizes, p.norm, p.linkage == "ward")
        return Z, cents, None
    if p.linkage == "min" and m == p.n:
        finish = None
        if p.D is not None:
            row_of = lambda q: p.D[q].copy()  # noqa: E731
        elif p.norm == "l2":  # squared rows, one square root per tree edge at the end
            row_of = lambda q: core._point_row(p.X, q, "l2", squared=True)  # noqa: E731
            finish = np.sqrt
        else:
            row_of = lambda q: core._point_row(p.X, q, p.norm)  # noqa: E731
        res = core.single_mst(row_of, p.n, finish)
        if res is not None:
            return res[0], None, res[1]
    if m == p.n:
        D = p.D.copy() if p.D is not None else core.distance_matrix(p.X, p.norm)
    else:
        D = core.start_distances(_rows_of(p), p.n, p.groups, p.linkage)
    return core.merge_matrix(D, sizes, p.linkage), None, None


def _pair_distances(p: _Prepared, P, Q):
    """``d(P[k], Q[k])`` for index arrays (same arithmetic as :func:`core.pairwise`)."""
    if p.D is not None:
        return p.D[P, Q]
    if p.X.shape[1] > 16:
        return np.array([core.pairwise(p.X[u:u + 1], p.X[v:v + 1], p.norm)[0, 0] for u, v in zip(P, Q)])
    acc = None
    for f in range(p.X.shape[1]):
        diff = p.X[P, f] - p.X[Q, f]
        diff = diff * diff if p.norm == "l2" else np.abs(diff)
        acc = diff if acc is None else (np.maximum(acc, diff) if p.norm == "linf" else acc + diff)
    return np.sqrt(acc) if p.norm == "l2" else acc


def _all_witnesses(p: _Prepared, dendro: Dendrogram, farthest: bool) -> np.ndarray:
    """Witness pairs of every merge (min / max), shape ``(m - 1, 2)``.

    Small merges are handled together: all their member pairs are listed at
    once and the first pair in leaf order at exactly the merge distance wins.
    """
    m = dendro.n_leaves
    Z = dendro.linkage
    a = Z[:, 0].astype(np.intp)
    b = Z[:, 1].astype(np.intp)
    a0, b0 = dendro.node_start[a], dendro.node_start[b]
    sa, sb = dendro.node_stop[a] - a0, dendro.node_stop[b] - b0
    prod = sa * sb
    out = np.full((m - 1, 2), -1, dtype=np.intp)
    pord = dendro.point_order
    small = np.flatnonzero(prod <= 4096)
    chunk = []
    total = 0
    for t in list(small) + [None]:
        if t is not None:
            chunk.append(t)
            total += int(prod[t])
        if chunk and (t is None or total >= 1 << 18):
            T = np.asarray(chunk)
            cnt = prod[T]
            seg = np.repeat(np.arange(T.size), cnt)
            k = np.arange(seg.size) - np.repeat(np.cumsum(cnt) - cnt, cnt)
            P = pord[a0[T][seg] + k // sb[T][seg]]
            Q = pord[b0[T][seg] + k % sb[T][seg]]
            hit = np.flatnonzero(_pair_distances(p, P, Q) == dendro.heights[T][seg])
            _, first = np.unique(seg[hit], return_index=True)
            found = seg[hit[first]]
            out[T[found], 0] = P[hit[first]]
            out[T[found], 1] = Q[hit[first]]
            chunk, total = [], 0
    for t in np.flatnonzero(out[:, 0] < 0):
        A = pord[a0[t]:a0[t] + sa[t]]
        B = pord[b0[t]:b0[t] + sb[t]]
        out[t] = _witness_pair(p, A, B, float(dendro.heights[t]), farthest)
    return out


def _witness_pair(p: _Prepared, A, B, h, farthest):
    """A pair (p in A, q in B) at distance ``h`` (first in leaf order), searched in blocks."""
    rows = max(1, (1 << 16) // max(1, B.size))
    for r0 in range(0, A.size, rows):
        a = A[r0:r0 + rows]
        block = p.D[np.ix_(a, B)] if p.D is not None else core.pairwise(p.X[a], p.X[B], p.norm)
        hit = np.flatnonzero(block.ravel() == h)
        if hit.size:
            r, c = divmod(int(hit[0]), B.size)
            return int(a[r]), int(B[c])
    # unreachable for exact data; fall back to the extreme pair
    block = p.D[np.ix_(A, B)] if p.D is not None else core.pairwise(p.X[A], p.X[B], p.norm)
    r, c = np.unravel_index(int(block.argmax() if farthest else block.argmin()), block.shape)
    return int(A[r]), int(B[c])


# ----------------------------------------------------------------------------- descriptions

def _set_text(small, size):
    """``{x1, x2}`` for up to 4 points, else ``{x1, x2, x3, ... (7 points)}`` (smallest indices)."""
    if size <= 4:
        return "{x" + ", x".join([str(i + 1) for i in small]) + "}"
    return "{x" + ", x".join([str(i + 1) for i in small[:3]]) + f", ... ({size} points)}}"


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
            m = self.order.size
            if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= m:
                raise ParamError(f"k={k!r} should be a whole number between 1 and {m} (the starting clusters).")
            leaf = cut_count(self.linkage, int(k))
        else:
            leaf = cut_height(self.linkage, float(t))
        from engine.hac.dendrogram import _rank_first
        return _rank_first(leaf[self.start_labels])

    def newick(self, names=None) -> str:
        """Newick string of the tree with branch lengths (default names ``x1..xn``)."""
        return _newick(self.linkage, names, leaf_members=self.groups)


def fit(X, norm: str = "l2", linkage: str = "min", clusters=None, distances=None) -> HacResult:
    """Run HAC to the end (same arguments as :func:`steps`).

    Example
    -------
    >>> r = fit([[0.0, 0.0], [0.0, 1.0], [5.0, 0.0]], linkage="max")
    >>> r.heights.tolist(), r.fcluster(k=2).tolist()
    ([1.0, 5.0990195135927845], [0, 0, 1])
    """
    p = _prepare(X, norm, linkage, clusters, distances)
    Z, _, _ = _run(p)
    dendro = build_dendrogram(Z, p.groups)
    return HacResult(dendro.linkage, dendro.heights, dendro.inversions, dendro, dendro.leaves,
                     readonly(p.start), tuple(readonly(g) for g in p.groups))


def steps(X, norm: str = "l2", linkage: str = "min", clusters=None, distances=None):
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

    Returns
    -------
    generator of Step
        Arguments are checked at once (:class:`ParamError`); the merges run
        when the first step is requested.

    Example
    -------
    >>> [s.kind for s in steps([[0.0], [1.0], [3.0]], linkage="max")]
    ['start', 'merge', 'merge']
    """
    p = _prepare(X, norm, linkage, clusters, distances)
    return _generate(p)


def _generate(p: _Prepared):
    Z, cents, wit = _run(p)
    m, lk = p.m, p.linkage
    dendro = build_dendrogram(Z, p.groups)
    heights = dendro.heights
    trace_all = readonly(np.concatenate([[np.nan], heights]))
    label_fn = dendro.labels_after
    base = {"dendrogram": dendro, "linkage": lk, "norm": p.norm}
    small = [g[:4].tolist() for g in p.groups]
    sizes = [len(g) for g in p.groups]
    texts = [_set_text(small[c], sizes[c]) for c in range(m)]
    norm_txt = NORM_NAMES[p.norm]
    if m <= 6:
        what = ", ".join(texts)
        start_txt = f"start: {m} cluster{'s' if m > 1 else ''} {what}"
    else:
        start_txt = f"start: {m} clusters" + (" (one per point)" if m == p.n else "")
    done0 = m == 1
    yield Step("start", start_txt + (" - nothing to merge" if done0 else ""), labels=functools.partial(label_fn, -1),
               objective=np.nan, trace=trace_all[:1], iteration=0, done=done0, status="finished" if done0 else "",
               payload={**base, "n_links": 0, "n_clusters": m})
    if done0:
        return
    Xro = p.X
    ids = Z[:, :2].astype(np.intp).tolist()
    hl = heights.tolist()
    inv = dendro.inversions.tolist()
    running = np.maximum.accumulate(heights).tolist()
    pord, nstart, nstop = dendro.point_order, dendro.node_start.tolist(), dendro.node_stop.tolist()
    if wit is None and lk in ("min", "max"):
        wit = _all_witnesses(p, dendro, lk == "max")
    if wit is not None:
        ppos = np.empty(p.n, dtype=np.intp)
        ppos[pord] = np.arange(p.n)
        ppos = ppos.tolist()
        wit = wit.tolist()
    for t in range(m - 1):
        a, b = ids[t]
        h = hl[t]
        A = pord[nstart[a]:nstop[a]]
        B = pord[nstart[b]:nstop[b]]
        new_size = sizes[a] + sizes[b]
        sizes.append(new_size)
        small.append(sorted(small[a] + small[b])[:4])
        texts.append(_set_text(small[-1], new_size))
        wpts = wcoords = None
        if lk in ("min", "max"):
            wkind = "pair"
            if wit is not None:
                u, v = wit[t]
                if not nstart[a] <= ppos[u] < nstop[a]:
                    u, v = v, u
            wpts = readonly(np.array([u, v]), copy=False)
            if Xro is not None:
                wcoords = (Xro[u], Xro[v])
        elif lk == "avg":
            wkind = "all_pairs"
        else:
            wkind = "centroids"
            wcoords = (cents[a], cents[b])
        text = f"merged {texts[a]} and {texts[b]} at d_{lk} = {h:.4g} ({norm_txt})"
        if inv[t]:
            text += f" - an inversion: below the earlier merge at {running[t - 1]:.4g}"
        last = t == m - 2
        yield Step("merge", text, labels=functools.partial(label_fn, t), objective=h, trace=trace_all[:t + 2],
                   iteration=t + 1, done=last, status="finished" if last else "",
                   payload={**base, "a": a, "b": b, "members_a": A, "members_b": B, "new_id": m + t,
                            "size": new_size, "distance": h, "witness_kind": wkind, "witness_points": wpts,
                            "witness_coords": wcoords, "inversion": inv[t], "n_links": t + 1,
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
        p0 = _prepare(X, norm, "min", clusters, None)
        if p0.m < 2:
            raise ParamError("first_merges needs at least 2 starting clusters.")
        if p0.m == p0.n:
            # one point per cluster: every linkage is the point distance, so all four share the closest pair
            a, b, dist, tied = _closest_pair(p0.X, norm)
            out.extend(FirstMerge(norm, lk, a, b, dist, tied) for lk in ("min", "max", "avg", "centroid"))
            continue
        for lk in ("min", "max", "avg", "centroid"):
            p = _prepare(X, norm, lk, clusters, None)
            if lk == "centroid":
                C = np.array([p.X[g].mean(axis=0) for g in p.groups])
                D = core.pairwise(C, C, norm)
            else:
                D = core.start_distances(_rows_of(p), p.n, p.groups, lk)
            D[np.tril_indices(p.m)] = np.inf
            k = int(D.argmin())
            a, b = divmod(k, p.m)
            out.append(FirstMerge(norm, lk, a, b, float(D[a, b]), int(np.count_nonzero(D == D[a, b]))))
    return out


def _closest_pair(X, norm):
    """The closest pair ``a < b`` of points (first in row-major order among ties), its distance, the tie count.

    Row blocks of :func:`core.pairwise` (the arithmetic of the runs), never an n x n matrix.
    """
    n = X.shape[0]
    rows = max(1, (1 << 16) // n)
    best, a, b, tied = np.inf, -1, -1, 0
    cols = np.arange(n)
    for r0 in range(0, n - 1, rows):
        r1 = min(n - 1, r0 + rows)
        block = core.pairwise(X[r0:r1], X, norm)
        block[cols[None, :] <= np.arange(r0, r1)[:, None]] = np.inf  # keep the pairs a < b
        k = int(block.argmin())
        v = block.flat[k]
        if v < best:
            best, tied = float(v), int(np.count_nonzero(block == v))
            a, b = r0 + k // n, k % n
        elif v == best:
            tied += int(np.count_nonzero(block == v))
    return a, b, best, tied


ALGORITHM = Algorithm(name="hac", session=_entries.SESSION, example={"example": "four-points"}, example_params={},
    gui="gui.algorithms.hac.plugin:HacPlugin", order=10, fit=fit,
    title="Hierarchical clustering (HAC)", steps=steps, params=PARAMS,
                      objective_name="merge distance", objective_sense=None)
