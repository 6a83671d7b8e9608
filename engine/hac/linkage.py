"""The fast part of hierarchical clustering: point distances and the merge loop.

Private helpers of :mod:`engine.hac` (which validates every input once and
documents the conventions). Everything here trusts its input.

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

from engine.hac.distances import BLOCK, distance_matrix, pairwise, point_row

__all__ = ["pairwise", "distance_matrix", "start_distances", "merge_matrix", "merge_centroids", "single_mst",
           "point_row"]

_DEAD = np.finfo(np.float64).max  # nn_d of a merged-away slot: never <= a real distance


def start_distances(rows_of, n: int, groups: list, linkage: str) -> np.ndarray:
    """Cluster distances between starting clusters, shape ``(m, m)``.

    Parameters
    ----------
    rows_of : callable
        ``rows_of(idx)`` returns the point distances from points ``idx`` to
        all ``n`` points, shape ``(len(idx), n)``.
    groups : list of int arrays
        Point indices of each starting cluster, in cluster order.
    linkage : {"min", "max", "avg"}
    """
    m = len(groups)
    perm = np.concatenate(groups)
    sizes = np.array([len(g) for g in groups], dtype=float)
    starts = np.concatenate([[0], np.cumsum(sizes[:-1])]).astype(np.intp)
    out = np.empty((m, m))
    for c, g in enumerate(groups):
        block = rows_of(g)[:, perm]
        if linkage == "min":
            red = block.min(axis=0)
            out[c] = np.minimum.reduceat(red, starts)
        elif linkage == "max":
            red = block.max(axis=0)
            out[c] = np.maximum.reduceat(red, starts)
        else:
            red = block.sum(axis=0)
            out[c] = np.add.reduceat(red, starts) / (sizes * len(g))
    return out


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
        i = _pop_nearest(nn, nn_d, stale, _matrix_row)
        j = int(nn[i])
        h = float(nn_d[i])
        si, sj = size[i], size[j]
        Di, Dj = D[i], D[j]
        if single:
            row = np.minimum(Di, Dj)
        elif complete:
            row = np.maximum(Di, Dj)
        else:
            s = si + sj
            row = Di * (si / s)
            row += Dj * (sj / s)
        deadinf[j] = inf
        row += deadinf
        row[i] = inf
        D[i] = row
        D[:, i] = row
        a, b = slot_id[i], slot_id[j]
        Z[t, 0], Z[t, 1] = (a, b) if a < b else (b, a)
        Z[t, 2] = h
        Z[t, 3] = si + sj
        slot_id[i] = m + t
        size[i] = si + sj
        nn_d[j] = _DEAD
        nn[j] = -1
        if t == m - 2:
            break
        if single:
            # d(k, i+j) = d(k, j) when j was k's nearest: i takes over (smaller slot)
            nn[nn == j] = i
        else:
            # reducible linkage: their old distance stays a lower bound, recompute when needed
            stale[(nn == i) | (nn == j)] = True
        stale[i] = stale[j] = False
        if 2 * (m - t - 1) <= nn.size and nn.size > 64:
            keep, newpos = _compaction(nn_d)
            D = D[np.ix_(keep, keep)]
            row = row[keep]
            size, stale, nn_d = size[keep], stale[keep], nn_d[keep]
            nn = newpos[nn[keep]]  # stale ones may now point at -1; they recompute before use
            deadinf = np.zeros(keep.size)
            slot_id = [slot_id[k] for k in keep.tolist()]
            i = int(newpos[i])
        ni = int(row.argmin())
        nn[i] = ni
        nn_d[i] = row[ni]
        _adopt(row, nn, nn_d, i, stale)
    return Z


def _pop_nearest(nn, nn_d, stale, row_of) -> int:
    """The slot ``i`` whose nearest neighbour ``nn[i]`` is the closest pair now.

    Slots marked ``stale`` hold only a lower bound: when one comes first, its row ``row_of(i)``
    (distances from slot ``i``, +inf at ``i`` and at merged-away slots) is recomputed and the
    search repeats. ``nn``, ``nn_d`` and ``stale`` are updated in place.
    """
    while True:
        i = int(nn_d.argmin())
        if not stale[i]:
            return i
        r = row_of(i)
        k = int(r.argmin())
        nn[i] = k
        nn_d[i] = r[k]
        stale[i] = False


def _compaction(nn_d):
    """Slots still alive and the map old slot -> new slot (-1: merged away)."""
    keep = np.flatnonzero(nn_d != _DEAD)
    newpos = np.full(nn_d.size + 1, -1, dtype=np.intp)  # index -1 (a dead nn) maps to -1 too
    newpos[keep] = np.arange(keep.size)
    return keep, newpos


def _adopt(row, nn, nn_d, i, stale=None):
    """Clusters for which the new cluster in slot ``i`` is (one of) the nearest adopt it.

    A stale cluster (``nn_d`` only a lower bound) adopts ``i`` only when ``i``
    is strictly closer than that bound; then ``i`` is its exact nearest.
    """
    U = np.flatnonzero(row <= nn_d)
    if U.size:
        rv = row[U]
        tie = rv == nn_d[U]
        if tie.any():
            keep = ~tie | (nn[U] > i)
            if stale is not None:
                keep &= ~(tie & stale[U])
            U = U[keep]
            rv = rv[keep]
        nn[U] = i
        nn_d[U] = rv
        if stale is not None:
            stale[U] = False


def _centroid_rows(C, inv, c, inv_c, norm, ward):
    """Internal distances from a cluster (centroid ``c``) to all clusters ``C``, shape ``(m,)``.

    ℓ2 centroid distances are kept squared and Ward's as
    ``||mu_A - mu_B||^2 / (1/|A| + 1/|B|)`` (half the squared Ward distance):
    the same order, fewer operations. ``inv`` holds ``1 / size``. Merged-away
    slots have infinite centroids, so their distance is ``inf``.
    """
    d = C.shape[1]
    if ward or norm == "l2":
        acc = C[:, 0] - c[0]
        acc *= acc
        for f in range(1, d):
            diff = C[:, f] - c[f]
            diff *= diff
            acc += diff
        if ward:
            acc /= inv + inv_c
        return acc
    acc = np.abs(C[:, 0] - c[0])
    for f in range(1, d):
        diff = np.abs(C[:, f] - c[f])
        if norm == "l1":
            acc += diff
        else:
            np.maximum(acc, diff, out=acc)
    return acc


def _centroid_block(C, inv, ks, norm, ward):
    """Internal distances between clusters ``ks`` and all clusters, shape ``(len(ks), m)``.

    The same arithmetic as :func:`_centroid_rows`, so a distance is the same
    number whichever side computes it.
    """
    if ward or norm == "l2":
        out = pairwise(C[ks], C, "l2", squared=True)
        if ward:
            out /= inv[ks][:, None] + inv[None, :]
        return out
    return pairwise(C[ks], C, norm)


def _initial_nn(C, inv, norm, ward):
    """Nearest neighbours of every cluster, computed in row blocks (no (m, m) matrix)."""
    m = C.shape[0]
    nn = np.empty(m, dtype=np.intp)
    nn_d = np.empty(m)
    rows = max(1, BLOCK // m)
    for r0 in range(0, m, rows):
        ks = np.arange(r0, min(m, r0 + rows))
        block = _centroid_block(C, inv, ks, norm, ward)
        block[np.arange(ks.size), ks] = np.inf
        idx = block.argmin(axis=1)
        nn[ks] = idx
        nn_d[ks] = block[np.arange(ks.size), idx]
    return nn, nn_d


def merge_centroids(C0: np.ndarray, sizes: np.ndarray, norm: str, ward: bool):
    """Run every merge for centroid or Ward linkage from the starting centroids.

    Parameters
    ----------
    C0 : ndarray of shape (m, n_features)
        Centroids of the starting clusters.
    sizes : ndarray of shape (m,)
    norm : {"l1", "l2", "linf"}
        Ward always uses ℓ2.
    ward : bool

    Returns
    -------
    Z : ndarray of shape (m - 1, 4)
    centroids : ndarray of shape (2m - 1, n_features)
        Centroid of every node (starting clusters, then merge results).
    """
    m, d = C0.shape
    cents = np.empty((2 * m - 1, d))
    cents[:m] = C0
    Z = np.empty((max(m - 1, 0), 4))
    if m < 2:
        return Z, cents
    inf = np.inf
    C = C0.copy()
    size = np.asarray(sizes, dtype=float).copy()
    inv = 1.0 / size
    nn, nn_d = _initial_nn(C, inv, norm, ward)
    slot_id = list(range(m))
    stale = np.zeros(m, dtype=bool)  # Ward is reducible: lazy recomputation as for the matrix loop

    def _centroid_row(q):
        r = _centroid_rows(C, inv, C[q], inv[q], norm, ward)
        r[q] = inf
        return r

    for t in range(m - 1):
        i = _pop_nearest(nn, nn_d, stale, _centroid_row)
        j = int(nn[i])
        h = float(nn_d[i])
        si, sj = size[i], size[j]
        s = si + sj
        c = C[i] * (si / s) + C[j] * (sj / s)
        a, b = slot_id[i], slot_id[j]
        Z[t, 0], Z[t, 1] = (a, b) if a < b else (b, a)
        Z[t, 2] = h
        Z[t, 3] = s
        cents[m + t] = c
        slot_id[i] = m + t
        C[i] = c
        C[j] = inf
        size[i] = s
        inv[i] = 1.0 / s
        nn_d[j] = _DEAD
        nn[j] = -1
        if t == m - 2:
            break
        R = np.flatnonzero((nn == i) | (nn == j))
        if ward:
            stale[R] = True
            R = R[:0]
        stale[i] = stale[j] = False
        if 2 * (m - t - 1) <= nn.size and nn.size > 64:
            # drop merged-away slots (order kept, so slot order is still representative order)
            keep, newpos = _compaction(nn_d)
            C, size, inv, stale, nn_d = C[keep], size[keep], inv[keep], stale[keep], nn_d[keep]
            nn = newpos[nn[keep]]  # stale ones may now point at -1; they recompute before use
            slot_id = [slot_id[k] for k in keep.tolist()]
            R = newpos[R]
            i = int(newpos[i])
            c = C[i]
        row = _centroid_rows(C, inv, c, inv[i], norm, ward)
        row[i] = inf
        ni = int(row.argmin())
        nn[i] = ni
        nn_d[i] = row[ni]
        _adopt(row, nn, nn_d, i, stale)
        R = R[R != i]
        if R.size:
            block = _centroid_block(C, inv, R, norm, ward)
            block[np.arange(R.size), R] = inf
            idx = block.argmin(axis=1)
            nn[R] = idx
            nn_d[R] = block[np.arange(R.size), idx]
    if ward:
        Z[:, 2] = np.sqrt(2.0 * Z[:, 2])
    elif norm == "l2":
        Z[:, 2] = np.sqrt(Z[:, 2])
    return Z, cents

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
