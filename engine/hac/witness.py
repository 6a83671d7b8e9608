"""Witnesses of HAC merges: the pair of points that realises a min / max merge distance.

For single (min) and complete (max) linkage every merge step names a pair
``p`` in one cluster and ``q`` in the other with ``d(p, q)`` exactly the
merge distance (the first such pair in leaf order); :class:`Witnesses`
finds them for a whole tree, each when first asked for. :func:`closest_pair` gives the first merge of
singletons without a distance matrix.
"""
from __future__ import annotations

import numpy as np

from engine.core.cancel import check
from engine.hac import linkage as core
from engine.hac.blocks import GRAM_D, Points, find_pair
from engine.hac.dendrogram import Dendrogram, index_runs
from engine.hac.prepare import Prepared

__all__ = ["pair_distances", "Witnesses", "all_witnesses", "witness_pair", "candidates", "closest_pair"]


def pair_distances(p: Prepared, P, Q):
    """``d(P[k], Q[k])`` for index arrays (same arithmetic as :func:`core.pairwise`)."""
    return Points(p.X, p.D, p.norm).exact(np.asarray(P), np.asarray(Q))


#: A merge of at most this many pairs of points is "small": its witness is found among all its pairs listed.
SMALL = 4096
#: Small merges are listed together, about this many pairs at a time.
CHUNK_PAIRS = 1 << 18


class Witnesses:
    """The witness pairs of a run's min / max merges, each found when first asked for.

    The large merges (more than :data:`SMALL` pairs of points) are searched at once, here: they may take a
    while (:func:`witness_pair`, which calls :func:`check`). The small ones are found a chunk at a time
    (merges with about :data:`CHUNK_PAIRS` pairs in all) the first time one of the chunk is asked for: every
    pair of each merge is listed (one row per point of ``a``, holding its pairs with the points of ``b``:
    row-major is leaf order) and the first at exactly the merge distance wins. Showing a step thus costs at
    most one chunk (a few ms), and a run whose witnesses are never looked at never lists them.
    """

    def __init__(self, p: Prepared, dendro: Dendrogram, farthest: bool):
        self.p, self.dendro, self.farthest = p, dendro, farthest
        Z = dendro.linkage
        a, b = Z[:, 0].astype(np.intp), Z[:, 1].astype(np.intp)
        self.a0, self.b0 = dendro.node_start[a], dendro.node_start[b]
        self.sa, self.sb = dendro.node_stop[a] - self.a0, dendro.node_stop[b] - self.b0
        prod = self.sa * self.sb
        self.pts = Points(p.X, p.D, p.norm)
        self.out = np.full((Z.shape[0], 2), -1, dtype=np.intp)
        small = np.flatnonzero(prod <= SMALL)
        cum = np.cumsum(prod[small])
        cuts = np.searchsorted(cum, np.arange(CHUNK_PAIRS, int(cum[-1]) if cum.size else 0, CHUNK_PAIRS),
                               side="right")
        self.chunks = [T for T in np.split(small, cuts) if T.size]
        self.chunk_of = np.full(Z.shape[0], -1, dtype=np.intp)
        for c, T in enumerate(self.chunks):
            self.chunk_of[T] = c
        self.listed = [False] * len(self.chunks)
        self._search(np.flatnonzero(prod > SMALL))

    def pair(self, t: int) -> tuple:
        """``(p, q)``: the witness of merge ``t``, ``p`` in ``a`` (listing its chunk first if need be)."""
        c = int(self.chunk_of[t])
        if c >= 0 and not self.listed[c]:
            self._list(c)
        return int(self.out[t, 0]), int(self.out[t, 1])

    def all(self) -> np.ndarray:
        """Every merge's witness, shape ``(m - 1, 2)``."""
        for c in range(len(self.chunks)):
            if not self.listed[c]:
                self._list(c)
        return self.out

    def _list(self, c: int) -> None:
        check()
        T, pord = self.chunks[c], self.dendro.point_order
        row_t = np.repeat(np.arange(T.size), self.sa[T])  # the merge (index into T) of each row
        width = self.sb[T][row_t]
        P = np.repeat(pord[index_runs(self.a0[T], self.sa[T])], width)
        Q = pord[index_runs(self.b0[T][row_t], width)]
        hit = np.flatnonzero(self.pts.exact(P, Q) == np.repeat(self.dendro.heights[T][row_t], width))
        seg = row_t[np.searchsorted(np.cumsum(width), hit, side="right")]  # the merge of each hit
        _, first = np.unique(seg, return_index=True)
        self.out[T[seg[first]], 0] = P[hit[first]]
        self.out[T[seg[first]], 1] = Q[hit[first]]
        self._search(T[self.out[T, 0] < 0])  # none for exact data
        self.listed[c] = True

    def _search(self, merges) -> None:
        pord, d = self.dendro.point_order, self.dendro
        for t in merges.tolist():
            A = pord[self.a0[t]:self.a0[t] + self.sa[t]]
            B = pord[self.b0[t]:self.b0[t] + self.sb[t]]
            self.out[t] = witness_pair(self.p, A, B, float(d.heights[t]), self.farthest, self.pts)


def all_witnesses(p: Prepared, dendro: Dendrogram, farthest: bool) -> np.ndarray:
    """Witness pairs of every merge (min / max), shape ``(m - 1, 2)``: :meth:`Witnesses.all`."""
    return Witnesses(p, dendro, farthest).all()


def witness_pair(p: Prepared, A, B, h, farthest, pts=None):
    """A pair (p in A, q in B) at distance ``h`` (first in leaf order), searched in blocks.

    With points in few dimensions (not precomputed distances) only the points that can be in such a pair
    are searched (:func:`candidates`): the first pair among them is the first pair overall. (In many
    dimensions distances concentrate and the bounds would keep nearly every point.)
    """
    if p.X is not None and p.D is None and p.X.shape[1] <= GRAM_D:
        A, B = candidates(p.X, p.norm, A, B, h, farthest)
    found = find_pair(pts or Points(p.X, p.D, p.norm), A, B, h)
    if found is not None:
        return found
    # unreachable for exact data; fall back to the extreme pair
    block = p.D[np.ix_(A, B)] if p.D is not None else core.pairwise(p.X[A], p.X[B], p.norm)
    r, c = np.unravel_index(int(block.argmax() if farthest else block.argmin()), block.shape)
    return int(A[r]), int(B[c])


def candidates(X, norm, A, B, h, farthest):
    """The points of ``A`` and of ``B`` (in order) that can be in a pair at distance ``h``, the largest
    (``farthest``) or the smallest distance between the two sets.

    By the triangle inequality through any point ``c_B`` (here the mean of ``B``, ``r_B`` the largest
    ``d(b, c_B)``): ``d(a, c_B) - r_B <= d(a, b) <= d(a, c_B) + r_B``, so ``d(a, b) = h`` needs
    ``d(a, c_B) >= h - r_B`` (largest) or ``<= h + r_B`` (smallest); the same for ``b``. The bounds are
    widened by far more than the rounding of the computed distances.
    """
    XA, XB = X[A], X[B]
    cA, cB = XA.mean(axis=0)[None, :], XB.mean(axis=0)[None, :]
    to_a, to_b = core.pairwise(XA, cA, norm)[:, 0], core.pairwise(XB, cB, norm)[:, 0]
    a_to_b, b_to_a = core.pairwise(XA, cB, norm)[:, 0], core.pairwise(XB, cA, norm)[:, 0]
    rA, rB = float(to_a.max()), float(to_b.max())
    tol = 1e-9 * (h + rA + rB) + 1e-300
    if farthest:
        return A[a_to_b >= h - rB - tol], B[b_to_a >= h - rA - tol]
    return A[a_to_b <= h + rB + tol], B[b_to_a <= h + rA + tol]


def closest_pair(X, norm):
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
