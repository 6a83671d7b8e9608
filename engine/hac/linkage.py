"""The fast part of hierarchical clustering: the merge loops (and the point distances, re-exported).

Private helpers of :mod:`engine.hac` (which validates every input once and
documents the conventions). Everything here trusts its input. This module
holds the loop on a cluster-distance matrix (min / max / avg) and single
linkage through a spanning tree; the centroid / Ward loop lives in
:mod:`engine.hac.centroids`, the nearest-neighbour list both loops keep in
:mod:`engine.hac.nearest`, the point distances in :mod:`engine.hac.distances`.

Algorithm
---------
The merge loop is Müllner's *generic* algorithm with an exact, symmetric
nearest-neighbour list, vectorised in numpy over rows:

* every alive cluster ``k`` knows ``nn[k]`` (its nearest other cluster; among
  equal distances the one in the smallest slot) and ``nn_d[k]``;
* the next merge is the cluster with the smallest ``nn_d`` (smallest slot
  among equal values) together with its ``nn``;
* after merging ``i`` and ``j`` (``i < j``) into slot ``i``, the distances
  of the new cluster to all others form one new row; clusters whose nearest
  neighbour was ``i`` or ``j`` recompute their nearest neighbour from their
  row (not needed for single linkage), and clusters for which the new cluster
  is at least as close as their nearest neighbour (ties: when ``i`` is the
  smaller slot) adopt it. That also covers centroid linkage, which is not
  reducible (the new cluster can be closer than either part was).

A cluster lives in the slot of its smallest starting cluster, so "smallest
slot" means "smallest representative" and the merge order follows the tie
rule documented in :mod:`engine.hac` exactly.

Cluster distances: min / max / avg keep the ``m (m - 1) / 2`` distances in
scipy's condensed layout (:mod:`engine.hac.condensed`; memory: that one array)
and update them with the Lance-Williams formulas; centroid and Ward keep the
cluster centroids and recompute each new row from them (for ℓ1 and ℓ∞ the
centroid distance is not a Lance-Williams update). Ward reports scipy's
Euclidean scale ``sqrt(2 |A||B| / (|A|+|B|)) * ||mu_A - mu_B||_2``;
internally ℓ2 centroid and Ward distances are compared as (half) squares,
which orders them the same. For min / max / avg (reducible linkages) a
cluster whose nearest neighbour was merged keeps its old distance as a lower
bound and recomputes only when it reaches the front (Müllner's lazy update);
Ward does the same.

On condensed storage the min / max / avg loop keeps, as in Müllner's own
implementation, each cluster's nearest *later* cluster only (``nn[k] > k``):
every pair is still some cluster's candidate, the front is the pair with the
smallest (distance, smaller slot, larger slot), exactly the tie rule, and a
recomputation reads one contiguous run of the condensed matrix. After a merge
only clusters ``k < i`` can adopt the new cluster; no cluster is marked: the
one at the front is checked (its nearest is alive and at exactly ``nn_d``)
and recomputed when the check fails, as in Müllner's code.
"""
from __future__ import annotations

import numpy as np

from engine.core.cancel import check
from engine.hac.centroids import merge_centroids
from engine.hac.condensed import Condensed
from engine.hac.distances import pairwise, point_row
from engine.hac.nearest import compaction, retire, should_compact

__all__ = ["pairwise", "merge_matrix", "merge_centroids", "single_mst", "prim_edges", "point_row"]


def merge_matrix(D: np.ndarray, sizes: np.ndarray, linkage: str, nearest=None) -> np.ndarray:
    """Run every merge on the condensed cluster-distance matrix ``D`` (modified in place).

    Parameters
    ----------
    D : ndarray of shape (m (m - 1) / 2,)
        Distances between the starting clusters in scipy's condensed layout (:mod:`engine.hac.condensed`).
    sizes : ndarray of shape (m,)
        Number of points in each starting cluster.
    linkage : {"min", "max", "avg"}
    nearest : (nn, nn_d), optional
        Every cluster's nearest neighbour among the later slots, if already known
        (:func:`engine.hac.condensed.from_blocks`).

    Returns
    -------
    Z : ndarray of shape (m - 1, 4)
        scipy-format linkage matrix (smaller id first in each row).
    """
    m = len(sizes)
    if m < 2:
        return np.empty((0, 4))
    S = Condensed(D, m)
    size = np.asarray(sizes, dtype=float).tolist()
    nn, nn_d = nearest if nearest is not None else S.nearest_later()
    slot_id = list(range(m))
    single = linkage == "min"
    rows = []
    for t in range(m - 1):
        if not t & 31:
            check()
        i, j, h = _pop_front(S, nn, nn_d)
        si, sj = size[i], size[j]
        rows.append((slot_id[i], slot_id[j], h, si + sj))
        left = S.merge(i, j, si, sj, linkage)
        slot_id[i] = m + t
        size[i] = si + sj
        retire(nn, nn_d, j)
        if t == m - 2:
            break
        if single:  # k < i: d(k, i+j) = min(d(k, i), d(k, j)) = d(k, j) when j was k's nearest
            head = nn[:i]
            head[head == j] = i
        if should_compact(m - t - 1, nn.size):
            keep, newpos = compaction(nn_d)
            S.compact(keep)
            i = int(newpos[i])
            left, nn_d = left[keep[:i]], nn_d[keep]
            nn = newpos[nn[keep]]  # pointers at merged-away slots become -1: recomputed before use
            keep = keep.tolist()
            slot_id, size = [slot_id[k] for k in keep], [size[k] for k in keep]
        nn[i], nn_d[i] = S.nearest_right(i)
        _adopt(left, nn, nn_d, i)
    Z = np.array(rows, dtype=float)
    Z[:, :2].sort(axis=1)
    return Z


def _pop_front(S, nn, nn_d):
    """``(i, j, d)``: the slot ``i`` whose ``nn[i] = j`` (a later slot) is the closest pair now, at ``d``.

    ``nn_d`` is a lower bound of every slot's distances to the later slots (merges only raise distances of
    reducible linkages); it is exact when ``nn`` points at a later slot at exactly that distance. When the
    slot at the front fails that test (its nearest was merged, or merged away), its nearest later slot is
    recomputed from its contiguous run of the condensed matrix, and the search repeats.
    """
    first, buf, gone = S.first, S.buf, S.gone
    while True:
        i = int(nn_d.argmin())
        c, d = int(nn[i]), float(nn_d[i])
        if c > i and buf[first[i] + c - i - 1] == d and not gone[c]:
            return i, c, d
        nn[i], nn_d[i] = S.nearest_right(i)


def _adopt(left, nn, nn_d, i: int) -> None:
    """Slots ``k < i`` for which the new cluster in slot ``i`` (distances ``left``) is a nearest later slot.

    Only ties can be: ``nn_d[k]`` is at most ``k``'s distances to the later slots ``i`` and ``j``, and
    min / max / avg of the two is at least the smaller one. At exactly ``nn_d[k]`` the new cluster is a
    nearest, and the nearest by the tie rule when ``nn[k] > i`` (every later slot at exactly ``nn_d[k]``
    lies at or after ``nn[k]``: that holds after each recomputation, and this adoption keeps it);
    otherwise ``nn[k]`` stays (checked when ``k`` reaches the front).
    """
    U = (left == nn_d[:i]).nonzero()[0]
    if U.size:
        nn[U[nn[U] > i]] = i


def single_mst(X, D, norm: str):
    """Single linkage through Prim's minimum spanning tree, without a distance matrix.

    The points ``X`` under ``norm``, or (``X`` None) the square matrix ``D`` of precomputed distances.
    Returns ``(Z, edges)``: the scipy-format linkage and, for every merge, the
    tree edge ``(p, q)`` that made it (a closest pair between the two
    clusters, shape ``(n - 1, 2)``). Returns ``None`` when two tree edges have
    exactly the same length: then the merge order among them depends on the
    tie rule and the caller runs the generic algorithm instead.
    """
    n = len(X) if X is not None else len(D)
    Z = np.empty((max(n - 1, 0), 4))
    if n < 2:
        return Z, np.empty((0, 2), dtype=np.intp)
    src, dst, w = prim_edges(X, D, norm)
    order = np.argsort(w, kind="stable")
    ws = w[order]
    if np.any(ws[1:] == ws[:-1]):
        return None
    # Kruskal on the sorted tree edges with a union-find gives the merges
    uf = list(range(n))
    cid = list(range(n))
    csize = [1] * n
    src_l, dst_l = src[order].tolist(), dst[order].tolist()
    for t, (u, v) in enumerate(zip(src_l, dst_l)):
        while uf[u] != u:
            uf[u] = uf[uf[u]]
            u = uf[u]
        while uf[v] != v:
            uf[v] = uf[uf[v]]
            v = uf[v]
        a, b = cid[u], cid[v]
        Z[t, 0], Z[t, 1] = (a, b) if a < b else (b, a)
        Z[t, 3] = csize[u] + csize[v]
        uf[v] = u
        cid[u] = n + t
        csize[u] += csize[v]
    Z[:, 2] = ws
    return Z, np.column_stack([src[order], dst[order]])


def prim_edges(X, D, norm: str):
    """The ``n - 1`` edges ``(src, dst, weight)`` of a minimum spanning tree, in the order Prim adds them.

    Every point outside the tree keeps its distance to the tree (``best``) and the tree point at that
    distance (``parent``); each step adds the closest one (the first among equal distances) and updates
    the others from the distances to it. The points outside the tree are kept in order in arrays (with their
    coordinates, ``Xc``) that are compacted once half of them have joined, so each step computes only the
    distances to points still outside, not to all ``n``. ℓ2 works on squares, one square root per edge at
    the end (a monotone map keeps the same tree; the values are the same numbers :func:`pairwise` gives).
    """
    n = len(X) if X is not None else len(D)
    l2 = X is not None and norm == "l2"
    inf = np.inf
    cand = np.arange(1, n)  # the points outside the tree (point 0 starts it)
    Xc = None if X is None else np.array(X[1:])
    best, parent, in_tree = np.full(n - 1, inf), np.zeros(n - 1, dtype=np.intp), np.zeros(n - 1)
    src, dst, w = np.empty(n - 1, dtype=np.intp), np.empty(n - 1, dtype=np.intp), np.empty(n - 1)
    p, joined = 0, 0  # joined: how many of the arrays' points have joined the tree since the last compaction
    for t in range(n - 1):
        if not t & 63:
            check()
        row = D[p].take(cand) if X is None else point_row(Xc, X[p], norm, squared=l2)
        row += in_tree  # inf at the points that joined since the last compaction
        better = row < best
        parent[better] = p
        np.minimum(best, row, out=best)
        k = int(best.argmin())
        p = int(cand[k])
        src[t], dst[t], w[t] = parent[k], p, best[k]
        in_tree[k] = best[k] = inf
        joined += 1
        if 2 * joined >= cand.size and cand.size > 64:
            keep = in_tree == 0
            cand, best, parent, in_tree = cand[keep], best[keep], parent[keep], in_tree[keep]
            Xc = None if Xc is None else Xc[keep]
            joined = 0
    return src, dst, np.sqrt(w) if l2 else w
