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

Cluster distances: min / max / avg update an ``(m, m)`` matrix with the
Lance-Williams formulas; centroid and Ward keep the cluster centroids and
recompute each new row from them (for ℓ1 and ℓ∞ the centroid distance is not
a Lance-Williams update). Ward reports scipy's Euclidean scale
``sqrt(2 |A||B| / (|A|+|B|)) * ||mu_A - mu_B||_2``; internally ℓ2 centroid
and Ward distances are compared as (half) squares, which orders them the same.
For min / max / avg (reducible linkages) a cluster whose nearest neighbour
was merged keeps its old distance as a lower bound and recomputes only when
it reaches the front (Müllner's lazy update); Ward does the same.
"""
from __future__ import annotations

import numpy as np

from engine.core.cancel import check
from engine.hac.centroids import merge_centroids
from engine.hac.distances import BLOCK, distance_matrix, pairwise, point_row
from engine.hac.nearest import compaction, pop_nearest, record_merge, retire, set_nearest, should_compact

__all__ = ["pairwise", "distance_matrix", "merge_matrix", "merge_centroids", "single_mst", "point_row",
           "compact_square"]


def _init_nn(D: np.ndarray):
    m = D.shape[0]
    nn = D.argmin(axis=1)
    nn_d = D[np.arange(m), nn]
    return nn, nn_d


def merge_matrix(D: np.ndarray, sizes: np.ndarray, linkage: str) -> np.ndarray:
    """Run every merge on the cluster-distance matrix ``D`` (modified in place).

    Parameters
    ----------
    D : ndarray of shape (m, m)
        Distances between the starting clusters (the diagonal is ignored).
    sizes : ndarray of shape (m,)
        Number of points in each starting cluster.
    linkage : {"min", "max", "avg"}

    Returns
    -------
    Z : ndarray of shape (m - 1, 4)
        scipy-format linkage matrix (smaller id first in each row).
    """
    m = D.shape[0]
    Z = np.empty((max(m - 1, 0), 4))
    if m < 2:
        return Z
    inf = np.inf
    np.fill_diagonal(D, inf)
    size = np.asarray(sizes, dtype=float).copy()
    nn, nn_d = _init_nn(D)
    slot_id = list(range(m))
    deadinf = np.zeros(m)  # +inf in the columns of merged-away slots (their entries in D go stale)
    single = linkage == "min"
    complete = linkage == "max"
    stale = np.zeros(m, dtype=bool)

    def _matrix_row(q):
        return D[q] + deadinf  # D and deadinf as they are now (compaction replaces them)

    for t in range(m - 1):
        if not t & 31:
            check()
        i = pop_nearest(nn, nn_d, stale, _matrix_row)
        j = int(nn[i])
        si, sj = size[i], size[j]
        record_merge(Z, t, slot_id[i], slot_id[j], float(nn_d[i]), si + sj)
        row = _lance_williams(D[i], D[j], si, sj, single, complete)
        deadinf[j] = inf
        row += deadinf
        row[i] = inf
        D[i] = row
        D[:, i] = row
        slot_id[i] = m + t
        size[i] = si + sj
        retire(nn, nn_d, j)
        if t == m - 2:
            break
        if single:
            # d(k, i+j) = d(k, j) when j was k's nearest: i takes over (smaller slot)
            nn[nn == j] = i
        else:
            # reducible linkage: their old distance stays a lower bound, recompute when needed
            stale[(nn == i) | (nn == j)] = True
        stale[i] = stale[j] = False
        if should_compact(m - t - 1, nn.size):
            keep, newpos = compaction(nn_d)
            D = compact_square(D, keep)
            row = row[keep]
            size, stale, nn_d = size[keep], stale[keep], nn_d[keep]
            nn = newpos[nn[keep]]  # stale ones may now point at -1; they recompute before use
            deadinf = np.zeros(keep.size)
            slot_id = [slot_id[k] for k in keep.tolist()]
            i = int(newpos[i])
        set_nearest(row, nn, nn_d, i, stale)
    return Z


def compact_square(D: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """``D[np.ix_(keep, keep)]`` for a C-contiguous square ``D`` and sorted ``keep``, in ``D``'s own memory.

    Row blocks are gathered and written to the front of the buffer: block rows ``r0..r1`` land before
    offset ``r1 * k``, and every row still to be read (``keep[r] * m`` with ``r >= r1``) lies beyond it.
    No second matrix is allocated, and :func:`check` runs between blocks.
    """
    m, k = D.shape[0], keep.size
    flat = D.reshape(-1)
    rows = max(1, BLOCK // max(1, m))
    for r0 in range(0, k, rows):
        r1 = min(k, r0 + rows)
        flat[r0 * k:r1 * k] = D[keep[r0:r1]][:, keep].ravel()
        if not (r0 // rows) & 15:
            check()
    return flat[:k * k].reshape(k, k)


def _lance_williams(Di: np.ndarray, Dj: np.ndarray, si: float, sj: float, single: bool,
                    complete: bool) -> np.ndarray:
    """Distances from the union of clusters ``i`` and ``j`` (sizes ``si``, ``sj``) to all clusters, from their
    rows ``Di`` and ``Dj`` (a new array): the minimum, the maximum or the size-weighted mean."""
    if single:
        return np.minimum(Di, Dj)
    if complete:
        return np.maximum(Di, Dj)
    s = si + sj
    row = Di * (si / s)
    row += Dj * (sj / s)
    return row


def single_mst(row_of, n: int, finish=None):
    """Single linkage through Prim's minimum spanning tree, without a distance matrix.

    ``row_of(p)`` gives the distances from point ``p`` to all ``n`` points.
    Returns ``(Z, edges)``: the scipy-format linkage and, for every merge, the
    tree edge ``(p, q)`` that made it (a closest pair between the two
    clusters, shape ``(n - 1, 2)``). Returns ``None`` when two tree edges have
    exactly the same length: then the merge order among them depends on the
    tie rule and the caller runs the generic algorithm instead.

    ``finish`` (optional) maps the tree's edge weights to distances, e.g.
    ``np.sqrt`` when ``row_of`` gives squared ℓ2 distances: a monotone map
    keeps the same tree, and one square root per edge replaces one per pair
    (the values are the same numbers :func:`pairwise` gives).
    """
    Z = np.empty((max(n - 1, 0), 4))
    if n < 2:
        return Z, np.empty((0, 2), dtype=np.intp)
    inf = np.inf
    best = np.full(n, inf)
    parent = np.zeros(n, dtype=np.intp)
    done = np.zeros(n)
    src = np.empty(n - 1, dtype=np.intp)
    dst = np.empty(n - 1, dtype=np.intp)
    w = np.empty(n - 1)
    p = 0
    for t in range(n - 1):
        if not t & 63:
            check()
        done[p] = inf
        best[p] = inf
        row = row_of(p)
        row += done
        better = row < best
        parent[better] = p
        np.minimum(best, row, out=best)
        q = int(best.argmin())
        src[t], dst[t], w[t] = parent[q], q, best[q]
        p = q
    if finish is not None:
        w = finish(w)
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
