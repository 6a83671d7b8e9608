"""Cluster distances in condensed storage (scipy's layout), the memory of the min / max / avg merge loop.

The distances between ``m`` clusters are kept as one flat float64 array of ``m (m - 1) / 2`` entries:
the pair ``(k, c)``, ``k < c``, sits at ``m k - k (k + 1) / 2 + c - k - 1`` (:func:`row_starts` gives
``m k - k (k + 1) / 2 - k - 1`` so that the index is ``starts[k] + c``). Row ``q`` of the square matrix
is then a gather: the entries ``(k, q)``, ``k < q``, at ``starts[:q] + q`` and the contiguous run
``(q, q+1..m-1)``. :class:`Condensed` merges two rows that way (Lance-Williams) and drops merged-away
slots in place; :func:`from_blocks` builds the storage (and every slot's nearest neighbour) from blocks of
rows without ever holding the square matrix. Everything here trusts its input.

Example
-------
>>> S = Condensed(np.array([1.0, 2.0, 3.0]), 3)  # d(0,1) = 1, d(0,2) = 2, d(1,2) = 3
>>> S.right(0).tolist()
[1.0, 2.0]
>>> S.merge(0, 1, 1.0, 1.0, "max").tolist()  # {0, 1} in slot 0: no slot before it
[]
>>> S.nearest_right(0)  # slot 1 is merged away: slot 2, at max(2, 3)
(2, 3.0)
"""
from __future__ import annotations

import numpy as np

from engine.core.cancel import check
from engine.hac.distances import pairwise

__all__ = ["CHUNK", "row_starts", "Condensed", "from_blocks", "point_blocks", "square_blocks",
           "size_of", "to_square"]

#: Elements per temporary block while building (512 kB of float64: the block and pairwise's temporary stay
#: in a core's L2 cache; larger blocks measured 20% slower at 3,000 points).
CHUNK = 1 << 16


_INF = float("inf")


def size_of(m: int) -> int:
    """Entries of the condensed matrix of ``m`` slots."""
    return m * (m - 1) // 2


def row_starts(m: int) -> np.ndarray:
    """``starts[k] = m k - k (k + 1) / 2 - k - 1``: the pair ``(k, c)``, ``k < c``, is at ``starts[k] + c``."""
    k = np.arange(m, dtype=np.intp)
    return m * k - (k * (k + 1)) // 2 - k - 1


class Condensed:
    """An ``m x m`` symmetric matrix (diagonal ignored) held in condensed storage ``buf`` (modified in place)."""

    def __init__(self, buf: np.ndarray, m: int):
        self.buf = buf
        self._index(m)

    def _index(self, m: int) -> None:
        self.m, self.starts = m, row_starts(m)
        self.first = (self.starts + np.arange(1, m + 1)).tolist()  # where the run (q, q+1..m-1) starts
        # column q (the entries (k, q), k < q) is buf[q - 1:] at starts1[:q]: a gather without an index sum
        self.starts1 = self.starts + 1
        self.gone = np.zeros(m)  # 0 for a live slot, +inf for a merged-away one

    def right(self, q: int) -> np.ndarray:
        """The distances from slot ``q`` to the later slots ``q+1..m-1`` (a view: contiguous; the entries
        of merged-away slots hold stale values, or ``inf``)."""
        s = self.first[q]
        return self.buf[s:s + self.m - q - 1]

    def nearest_right(self, q: int):
        """``(c, d)``: slot ``q``'s nearest live later slot (the smallest among ties) and its distance;
        ``(-1, inf)`` when there is none.

        Two contiguous passes over :meth:`right`: its merged-away entries become ``inf`` (``max`` with
        :attr:`gone`), then its argmin. (Testing the argmin first and cleaning only when it falls on a
        merged-away slot would save a pass, but it does fall on one four times in five: a merged-away
        slot was close to its partner, hence often to ``q`` too.)
        """
        s = self.first[q]
        r = self.buf[s:s + self.m - q - 1]
        if not r.size:
            return -1, _INF
        np.maximum(r, self.gone[q + 1:], out=r)
        k = int(r.argmin())
        d = float(r[k])
        return (q + 1 + k, d) if d < _INF else (-1, _INF)

    def merge(self, i: int, j: int, si: float, sj: float, linkage: str):
        """Slot ``i`` becomes the union of slots ``i < j`` (sizes ``si``, ``sj``), by Lance-Williams; slot
        ``j`` is merged away (:attr:`gone`). Its entries are left as they are: they go stale (updating them
        would cost a scatter over column ``j``, as much memory traffic as reading it), and no reader takes
        them for a distance: :meth:`nearest_right` skips them, merged-away rows are never searched, and the
        merge loop checks that a nearest neighbour is live.

        Two gathers (the entries ``(k, i)`` and ``(k, j)``, ``k < i`` resp. ``k < j``) and one scatter;
        the rest is contiguous. Returns ``left``, the new distances to the slots ``k < i`` (a new array;
        stale at merged-away ``k``); those to ``k > i`` are :meth:`right` of ``i``.
        """
        buf, first, m = self.buf, self.first, self.m
        idx_j = self.starts1[:j]
        col_j = buf[j - 1:].take(idx_j)  # (k, j) is buf[j - 1:][starts1[k]]
        idx_i = idx_j[:i]
        col_i = buf[i - 1:] if i else buf  # the same for (k, i) (none when i = 0)
        left = col_i.take(idx_i)
        fi = first[i]
        right = buf[fi:fi + m - i - 1]
        mid, far = right[:j - i - 1], right[j - i:]
        fj = first[j]
        rj = buf[fj:fj + m - j - 1]
        if linkage == "avg":  # the size-weighted mean, (d_ik * si/s) + (d_jk * sj/s)
            a, b = si / (si + sj), sj / (si + sj)
            np.multiply(left, a, left)
            np.multiply(col_j, b, col_j)
            np.add(left, col_j[:i], left)
            np.multiply(right, a, right)  # mid and far at once (the entry (i, j) goes stale)
            np.add(mid, col_j[i + 1:], mid)
            np.multiply(rj, b, rj)
            np.add(far, rj, far)
        else:
            f = np.minimum if linkage == "min" else np.maximum
            f(left, col_j[:i], out=left)
            f(mid, col_j[i + 1:], out=mid)
            f(far, rj, out=far)
        col_i[idx_i] = left
        self.gone[j] = np.inf
        return left

    def compact(self, keep: np.ndarray) -> None:
        """Keep only the slots ``keep`` (sorted), in this buffer's own memory.

        Row by row, each gathered from its old row and written to the front: the new rows ``0..r-1`` end
        at or before the old row ``keep[r]`` starts (``keep[r] >= r`` and ``m >= k``), so nothing still to
        be read is overwritten. :func:`check` runs every few hundred rows.
        """
        k, buf, old = keep.size, self.buf, self.starts
        q_list = keep.tolist()
        at = 0
        for r in range(k - 1):
            if not r & 255:
                check()
            vals = buf.take(keep[r + 1:] + old[q_list[r]])
            buf[at:at + vals.size] = vals
            at += vals.size
        self.buf = buf[:size_of(k)]
        self._index(k)

    def nearest_later(self):
        """``(nn, nn_d)``: every slot's nearest later slot (smallest among ties) and its distance, as
        :func:`from_blocks` gives them; the last slot has ``nn_d = inf``."""
        m = self.m
        nn = np.full(m, -1, dtype=np.intp)
        nn_d = np.full(m, np.inf)
        for q in range(m - 1):
            if not q & 255:
                check()
            nn[q], nn_d[q] = self.nearest_right(q)
        return nn, nn_d


def from_blocks(m: int, block, out: np.ndarray, finish=None):
    """The condensed matrix of ``m`` slots, written into ``out`` from blocks of rows, and every slot's nearest
    *later* slot.

    ``block(r0, r1)`` gives the distances from slots ``r0..r1-1`` to slots ``r0..m-1``, shape
    ``(r1 - r0, m - r0)`` (only the entries right of the diagonal are read), or with ``finish`` the values
    that ``finish`` maps to them (squared ℓ2 distances and ``np.sqrt``: one square root per stored entry,
    written straight into ``out``). Returns ``(nn, nn_d)``: for slot ``k``, the slot ``c > k`` at the
    smallest distance (the smallest among equal distances) and that distance, found in the run just
    written; the last slot has ``nn_d = inf``. :func:`check` runs between blocks.
    """
    nn = np.full(m, -1, dtype=np.intp)
    nn_d = np.full(m, np.inf)
    rows = max(1, CHUNK // max(1, m))
    pos = 0
    for r0 in range(0, m - 1, rows):
        check()
        r1 = min(m - 1, r0 + rows)
        B = block(r0, r1)
        for q in range(r0, r1):  # row q's run right of the diagonal, then its smallest entry
            run = out[pos:pos + m - q - 1]
            if finish is None:
                run[...] = B[q - r0, q - r0 + 1:]
            else:
                finish(B[q - r0, q - r0 + 1:], out=run)
            k = int(run.argmin())
            nn[q], nn_d[q] = q + 1 + k, run[k]
            pos += run.size
    return nn, nn_d


def point_blocks(X: np.ndarray, norm: str):
    """``(block, finish)`` for :func:`from_blocks`: point distances under ``norm`` (:func:`pairwise`'s
    arithmetic; ℓ2 blocks hold squares, ``finish`` is ``np.sqrt``)."""
    if norm == "l2":
        return (lambda r0, r1: pairwise(X[r0:r1], X[r0:], norm, squared=True)), np.sqrt
    return (lambda r0, r1: pairwise(X[r0:r1], X[r0:], norm)), None


def square_blocks(D: np.ndarray):
    """``(block, None)`` for :func:`from_blocks` from a square distance matrix (read block by block)."""
    return (lambda r0, r1: D[r0:r1, r0:]), None


def to_square(buf: np.ndarray, m: int) -> np.ndarray:
    """The ``(m, m)`` matrix of a condensed one (zero diagonal); for small ``m`` only."""
    out = np.zeros((m, m))
    iu = np.triu_indices(m, 1)
    out[iu] = buf
    out.T[iu] = buf
    return out
