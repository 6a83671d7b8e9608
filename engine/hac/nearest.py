"""The nearest-neighbour list both HAC merge loops keep (see :mod:`engine.hac.linkage` for the algorithm).

Every alive slot ``k`` knows ``nn[k]``, its nearest other slot, and ``nn_d[k]``,
their distance; a ``stale`` slot holds only a lower bound (its nearest was
merged away) and recomputes when it reaches the front. Merged-away slots have
``nn_d == DEAD`` and ``nn == -1``. Everything here trusts its input and works
in place.

Example
-------
>>> nn, nn_d = np.array([1, 0, 1]), np.array([1.0, 1.0, 2.0])
>>> pop_nearest(nn, nn_d, np.zeros(3, dtype=bool), None)
0
"""
from __future__ import annotations

import numpy as np

__all__ = ["DEAD", "pop_nearest", "retire", "record_merge", "should_compact", "compaction", "set_nearest", "adopt"]

#: ``nn_d`` of a merged-away slot: never ``<=`` a real distance.
DEAD = np.finfo(np.float64).max


def pop_nearest(nn, nn_d, stale, row_of) -> int:
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


def retire(nn, nn_d, j: int) -> None:
    """Slot ``j`` was merged away."""
    nn_d[j] = DEAD
    nn[j] = -1


def record_merge(Z: np.ndarray, t: int, a: int, b: int, h: float, size: float) -> None:
    """Row ``t`` of the scipy-format linkage ``Z``: ids ``a``, ``b`` (smaller first), distance ``h``, size."""
    Z[t, 0], Z[t, 1] = (a, b) if a < b else (b, a)
    Z[t, 2] = h
    Z[t, 3] = size


def should_compact(alive: int, slots: int) -> bool:
    """Whether to drop the merged-away slots: at most half of the ``slots`` are ``alive`` (and they are many)."""
    return 2 * alive <= slots and slots > 64


def compaction(nn_d):
    """Slots still alive and the map old slot -> new slot (-1: merged away)."""
    keep = np.flatnonzero(nn_d != DEAD)
    newpos = np.full(nn_d.size + 1, -1, dtype=np.intp)  # index -1 (a dead nn) maps to -1 too
    newpos[keep] = np.arange(keep.size)
    return keep, newpos


def set_nearest(row, nn, nn_d, i: int, stale=None) -> None:
    """The new cluster in slot ``i`` with its distances ``row`` (+inf at ``i`` and merged-away slots):
    its nearest neighbour, and the clusters that adopt it (:func:`adopt`)."""
    ni = int(row.argmin())
    nn[i] = ni
    nn_d[i] = row[ni]
    adopt(row, nn, nn_d, i, stale)


def adopt(row, nn, nn_d, i, stale=None):
    """Clusters for which the new cluster in slot ``i`` is (one of) the nearest adopt it.

    A stale cluster (``nn_d`` only a lower bound) adopts ``i`` only when ``i``
    is strictly closer than that bound; then ``i`` is its exact nearest.
    """
    U = (row <= nn_d).nonzero()[0]
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
