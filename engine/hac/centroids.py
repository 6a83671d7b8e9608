"""The merge loop of centroid and Ward linkage: cluster centroids instead of a distance matrix.

Private kernel of :mod:`engine.hac` (re-exported by :mod:`engine.hac.linkage`,
whose docstring describes the algorithm); it trusts its input. Each new
cluster's distances to all others are recomputed from the centroids, in row
blocks, so memory stays ``O(m d)``: for ℓ1 and ℓ∞ the centroid distance is
not a Lance-Williams update, and centroid linkage is not reducible (a new
cluster can be closer than either part was), so clusters whose nearest
neighbour was merged recompute it at once. Ward is reducible: those clusters
keep their old distance as a lower bound instead (:mod:`engine.hac.nearest`).

Example
-------
>>> Z, cents = merge_centroids(np.array([[0.0], [1.0], [5.0]]), np.ones(3), "l2", ward=False)
>>> Z.tolist()
[[0.0, 1.0, 1.0, 2.0], [2.0, 3.0, 4.5, 3.0]]
"""
from __future__ import annotations

import numpy as np

from engine.core.cancel import check
from engine.hac.distances import BLOCK, pairwise
from engine.hac.nearest import compaction, pop_nearest, record_merge, retire, set_nearest, should_compact

__all__ = ["merge_centroids"]


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
        check()
        _nearest_of(C, inv, np.arange(r0, min(m, r0 + rows)), norm, ward, nn, nn_d)
    return nn, nn_d


def _nearest_of(C, inv, ks, norm, ward, nn, nn_d) -> None:
    """Recompute the nearest neighbours of clusters ``ks`` (one block of rows), in ``nn`` and ``nn_d``."""
    block = _centroid_block(C, inv, ks, norm, ward)
    block[np.arange(ks.size), ks] = np.inf
    idx = block.argmin(axis=1)
    nn[ks] = idx
    nn_d[ks] = block[np.arange(ks.size), idx]


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
        if not t & 31:
            check()
        i = pop_nearest(nn, nn_d, stale, _centroid_row)
        j = int(nn[i])
        si, sj = size[i], size[j]
        s = si + sj
        c = C[i] * (si / s) + C[j] * (sj / s)
        record_merge(Z, t, slot_id[i], slot_id[j], float(nn_d[i]), s)
        cents[m + t] = c
        slot_id[i] = m + t
        C[i] = c
        C[j] = inf
        size[i] = s
        inv[i] = 1.0 / s
        retire(nn, nn_d, j)
        if t == m - 2:
            break
        R = np.flatnonzero((nn == i) | (nn == j))
        if ward:
            stale[R] = True
            R = R[:0]
        stale[i] = stale[j] = False
        if should_compact(m - t - 1, nn.size):
            # drop merged-away slots (order kept, so slot order is still representative order)
            keep, newpos = compaction(nn_d)
            C, size, inv, stale, nn_d = C[keep], size[keep], inv[keep], stale[keep], nn_d[keep]
            nn = newpos[nn[keep]]  # stale ones may now point at -1; they recompute before use
            slot_id = [slot_id[k] for k in keep.tolist()]
            R = newpos[R]
            i = int(newpos[i])
            c = C[i]
        row = _centroid_rows(C, inv, c, inv[i], norm, ward)
        row[i] = inf
        set_nearest(row, nn, nn_d, i, stale)
        R = R[R != i]
        if R.size:
            _nearest_of(C, inv, R, norm, ward, nn, nn_d)
    _to_reported_scale(Z, norm, ward)
    return Z, cents


def _to_reported_scale(Z: np.ndarray, norm: str, ward: bool) -> None:
    """Merge distances from the internal squares (Ward: halved squares) to the reported scale, in place."""
    if ward:
        Z[:, 2] = np.sqrt(2.0 * Z[:, 2])
    elif norm == "l2":
        Z[:, 2] = np.sqrt(Z[:, 2])
