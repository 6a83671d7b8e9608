"""Point distances in blocks, never an n x n matrix: starting-partition cluster distances and witness searches.

A starting partition of ``G`` groups needs only the ``G x G`` cluster distances (min / max / avg over the
pairs of two groups); :func:`group_distances` computes them group by group, in row blocks of bounded size
(:data:`BUDGET` elements), over the pairs of *different* groups only, calling
:func:`engine.core.cancel.check` after every block. :func:`find_pair` searches the first pair at a given
distance between two point sets the same way (the witness of a min / max merge).

ℓ2 in many dimensions (``d > 16``) goes through BLAS: ``|a|^2 + |b|^2 - 2 a.b`` is only a *filter*, off
by at most :attr:`Points.margin`; every distance that decides a result (the extreme of a block, a witness
candidate, a tiny distance in an average) is recomputed with the arithmetic of
:func:`engine.hac.distances.pairwise`, so min / max heights are the same numbers as there. Averages sum the
filtered distances except tiny ones (recomputed): each term is then off by about ``d eps |x|^2 / d(p, q)^2``
relative (MNIST: ~1e-14), where pairwise's own rounding differs from the exact value by ``d eps``.

Example
-------
>>> import numpy as np
>>> X = np.array([[0.0], [1.0], [5.0], [7.0]])
>>> pts = Points(X, None, "l1")
>>> group_distances(pts, [np.array([0, 1]), np.array([2, 3])], "min").tolist()  # condensed: d(g0, g1)
[4.0]
>>> find_pair(pts, np.array([0, 1]), np.array([2, 3]), 6.0)
(1, 3)
"""
from __future__ import annotations

import numpy as np

from engine.core.cancel import check
from engine.hac.distances import pairwise

__all__ = ["BUDGET", "Points", "group_distances", "find_pair"]

#: Elements of one block of distances (16 MB of float64).
BUDGET = 1 << 21
#: Above this many features, ℓ2 blocks are filtered through BLAS.
GRAM_D = 16
_EPS = np.finfo(np.float64).eps
_TINY = 1e4  # averages: filtered squares below _TINY * margin are recomputed exactly


class Points:
    """Distances between subsets of one problem's points: precomputed ``D``, or ``X`` under ``norm``.

    Index arguments are integer arrays (or slices) into ``X``; with ``perm``, index ``k`` means point
    ``perm[k]`` of ``D`` (``X`` is then given already permuted).
    """

    def __init__(self, X, D, norm, perm=None):
        self.X, self.D, self.norm, self.perm = X, D, norm, perm
        self.gram = D is None and norm == "l2" and X.shape[1] > GRAM_D
        if self.gram:
            self.sq = np.einsum("ij,ij->i", X, X)
            # |computed - exact| of a square, for both the BLAS filter and pairwise (generous)
            self.margin = 32.0 * (X.shape[1] + 4) * _EPS * float(self.sq.max(initial=0.0))

    def _d_index(self, ia, ib):
        if self.perm is not None:
            ia, ib = self.perm[ia], self.perm[ib]
        return ia, ib

    def block(self, ia, ib) -> np.ndarray:
        """Exact distances between points ``ia`` and ``ib``, shape ``(len(ia), len(ib))``."""
        if self.D is not None:
            ia, ib = self._d_index(ia, ib)
            return self.D[ia][:, ib]
        return pairwise(self.X[ia], self.X[ib], self.norm)

    def approx_sq(self, ia, ib) -> np.ndarray:
        """Squared ℓ2 distances through BLAS (``gram`` only), within ``margin`` of the exact ones."""
        S = self.X[ia] @ self.X[ib].T
        S *= -2.0
        S += self.sq[ia][:, None]
        S += self.sq[ib][None, :]
        np.maximum(S, 0.0, out=S)
        return S

    def exact(self, P, Q) -> np.ndarray:
        """``d(P[k], Q[k])`` for index arrays, the numbers :func:`pairwise` gives."""
        if self.D is not None:
            P, Q = self._d_index(P, Q)
            return self.D[P, Q]
        out = np.empty(len(P))
        d = self.X.shape[1]
        step = max(1, BUDGET // max(1, d))
        for k0 in range(0, len(P), step):
            # take(axis=0), not X[P]: numpy's fancy indexing of rows is many times slower
            diff = self.X.take(P[k0:k0 + step], axis=0)
            diff -= self.X.take(Q[k0:k0 + step], axis=0)
            if d > 16:
                if self.norm == "l2":
                    part = np.sqrt(np.einsum("ij,ij->i", diff, diff))
                else:
                    np.abs(diff, out=diff)
                    part = diff.sum(axis=1) if self.norm == "l1" else diff.max(axis=1)
            else:
                part = _feature_by_feature(diff, self.norm)
            out[k0:k0 + step] = part
        return out


def _feature_by_feature(diff, norm):
    acc = None
    for f in range(diff.shape[1]):
        col = diff[:, f] * diff[:, f] if norm == "l2" else np.abs(diff[:, f])
        acc = col if acc is None else (np.maximum(acc, col) if norm == "linf" else acc + col)
    return np.sqrt(acc) if norm == "l2" else acc


def group_distances(pts: Points, groups: list, linkage: str) -> np.ndarray:
    """Cluster distances between the groups in scipy's condensed layout, shape ``(G (G - 1) / 2,)``, for
    min / max / avg (the pairs ``(g, h)``, ``g < h``, row by row).

    ``groups`` are index arrays of ``pts``; they must be consecutive runs ``0..n-1`` in order (the points
    permuted by group), which :func:`by_group` arranges.
    """
    m = len(groups)
    sizes = np.array([len(g) for g in groups], dtype=np.intp)
    stops = np.cumsum(sizes)
    starts = stops - sizes
    n = int(stops[-1]) if m else 0
    out = np.empty(m * (m - 1) // 2)
    pos = 0
    for g in range(m - 1):
        c0 = int(stops[g])
        cstarts = starts[g + 1:] - c0
        colgroup = np.repeat(np.arange(m - g - 1), sizes[g + 1:])
        rows = max(1, BUDGET // (n - c0))
        acc = None
        for r0 in range(int(starts[g]), c0, rows):
            check()
            part = _reduce_block(pts, slice(r0, min(c0, r0 + rows)), slice(c0, n), r0, c0, cstarts, colgroup,
                                 linkage)
            acc = part if acc is None else (np.minimum(acc, part) if linkage == "min" else
                                            np.maximum(acc, part) if linkage == "max" else acc + part)
        if linkage == "avg":
            acc = acc / (float(sizes[g]) * sizes[g + 1:])
        out[pos:pos + acc.size] = acc
        pos += acc.size
    return out


def _reduce_block(pts, ra, cb, r0, c0, cstarts, colgroup, linkage):
    """min / max / sum over the rows ``ra`` and, per later group, over its columns in ``cb``."""
    if not pts.gram:
        B = pts.block(ra, cb)
        if linkage == "min":
            return np.minimum.reduceat(B.min(axis=0), cstarts)
        if linkage == "max":
            return np.maximum.reduceat(B.max(axis=0), cstarts)
        return np.add.reduceat(B.sum(axis=0), cstarts)
    S = pts.approx_sq(ra, cb)
    if linkage == "avg":
        ri, ci = np.nonzero(S < _TINY * pts.margin)
        S = np.sqrt(S, out=S)
        if ri.size:
            S[ri, ci] = pts.exact(r0 + ri, c0 + ci)
        return np.add.reduceat(S.sum(axis=0), cstarts)
    mn = linkage == "min"
    seg = (np.minimum if mn else np.maximum).reduceat(S.min(axis=0) if mn else S.max(axis=0), cstarts)
    thr = (seg + pts.margin if mn else seg - pts.margin)[colgroup]
    ri, ci = np.nonzero(S <= thr if mn else S >= thr)
    part = np.full(cstarts.size, np.inf if mn else -np.inf)
    (np.minimum if mn else np.maximum).at(part, colgroup[ci], pts.exact(r0 + ri, c0 + ci))
    return part


def by_group(X, D, norm, groups):
    """``(Points over the points permuted by group, the groups as consecutive index runs)``."""
    perm = np.concatenate(groups)
    pts = Points(None if X is None else np.ascontiguousarray(X[perm]), D, norm, perm if D is not None else None)
    stops = np.cumsum([len(g) for g in groups])
    return pts, [np.arange(b - len(g), b) for g, b in zip(groups, stops)]


def find_pair(pts: Points, A, B, h: float):
    """The first pair ``(a in A, b in B)`` in row-major order with ``d(a, b) == h``, or None."""
    rows = max(1, BUDGET // max(1, B.size))
    for r0 in range(0, A.size, rows):
        check()
        a = A[r0:r0 + rows]
        if pts.gram:
            S = pts.approx_sq(a, B)
            ri, ci = np.nonzero(np.abs(S - h * h) <= pts.margin + 4 * _EPS * h * h)
            hit = np.flatnonzero(pts.exact(a[ri], B[ci]) == h) if ri.size else ri
            if hit.size:
                return int(a[ri[hit[0]]]), int(B[ci[hit[0]]])
        else:
            hit = np.flatnonzero(pts.block(a, B).ravel() == h)
            if hit.size:
                r, c = divmod(int(hit[0]), B.size)
                return int(a[r]), int(B[c])
    return None
