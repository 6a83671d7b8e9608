"""Every pair of points within ε of each other, found on a grid of cells of side ε (numpy only).

Two points within ε in any of the norms ℓ1, ℓ2, ℓ∞ differ by at most ε in every coordinate, so they
lie in the same cell or in neighbouring cells of a grid of side ε. In the plane the cells are ε/2
wide and the neighbours are up to two cells away (pairs of cells more than ε apart in the norm are
skipped), which checks about a third fewer candidate pairs. The grid spans up to three
coordinates (those with the most cells; the others are only checked by the distance), the points
are sorted by cell, and the candidate pairs are generated cell against cell, in blocks of at most
:data:`CHUNK` pairs, with numpy's ``repeat``: memory grows with the number of pairs found, not with
``n**2``. A distance is compared with ε as scikit-learn's trees compare it (``sum of squares <= ε²``
for ℓ2, ``<= ε`` for the others).

Example
-------
>>> X = np.array([[0.0, 0.0], [0.3, 0.0], [1.0, 0.0], [1.0, 0.25]])
>>> p = neighbour_pairs(X, 0.3, "l2")
>>> sorted(zip(p.a.tolist(), p.b.tolist())), p.counts.tolist()
([(0, 1), (2, 3)], [2, 2, 2, 2])
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from engine.core import cancel
from engine.core.params import ParamError

__all__ = ["METRICS", "Pairs", "neighbour_pairs", "candidate_count", "rowwise_distance", "CHUNK", "MAX_CANDIDATES"]

METRICS = ("l1", "l2", "linf")
CHUNK = 1 << 21  # candidate pairs per block (about 50 MB of temporaries at most)
MAX_CANDIDATES = 400_000_000  # more candidate pairs than this: ε is too large for these data (refused)
SLACK = 1e-6  # cells are (1 + SLACK) ε wide, so rounding in the cell index never loses a pair at distance ε


@dataclass(frozen=True)
class Pairs:
    """The neighbour pairs of a data set: ``a[i] < b[i]`` (original indices, int32 or int64) are within ε
    of each other; ``counts[p]`` is the number of points within ε of point ``p``, itself included."""

    a: np.ndarray
    b: np.ndarray
    counts: np.ndarray


def rowwise_distance(D: np.ndarray, metric: str) -> np.ndarray:
    """The norm of every row of the differences ``D`` (m, d); for ``"l2"`` the *squared* norm.

    >>> D = np.array([[3.0, -4.0]])
    >>> rowwise_distance(D, "l2").tolist(), rowwise_distance(D, "l1").tolist(), rowwise_distance(D, "linf").tolist()
    ([25.0], [7.0], [4.0])
    """
    if metric == "l2":
        return np.einsum("ij,ij->i", D, D)
    if metric == "l1":
        return np.abs(D).sum(axis=1)
    return np.abs(D).max(axis=1)


def _coordinate(x: np.ndarray, side: float, sub: int) -> np.ndarray:
    """Cell index along one coordinate, as int64 from 0; huge ranges are compressed (a gap of more than
    ``sub`` cells stays more than ``sub`` cells)."""
    f = np.floor((x - x.min()) / side)
    if f.max() < 2.0 ** 40:
        return f.astype(np.int64)
    u, inv = np.unique(f, return_inverse=True)
    step = np.minimum(np.diff(u), sub + 1)
    return np.concatenate([[0], np.cumsum(step)]).astype(np.int64)[inv]


def _cell_keys(X: np.ndarray, side: float, sub: int) -> tuple[np.ndarray, list[int]]:
    """One int64 key per point (its cell) and the key strides of the grid's axes (at most three)."""
    span = (X.max(axis=0) - X.min(axis=0)) / side
    dims = [int(j) for j in np.argsort(-span, kind="stable")[:3] if span[j] >= 2.0 * sub]
    coords, strides, size = [], [], 1
    for j in dims:
        c = _coordinate(X[:, j], side, sub)
        width = int(c.max()) + 1 + 2 * sub  # room for the neighbours at -sub .. +sub
        if size * width >= 2 ** 62:
            break
        coords.append(c + sub)
        strides.append(size)
        size *= width
    key = np.zeros(X.shape[0], dtype=np.int64)
    for c, s in zip(coords, strides):
        key += c * s
    return key, strides


def _half_offsets(m: int, sub: int, side: float, eps: float, metric: str) -> list[tuple[int, ...]]:
    """The neighbouring cell offsets with a positive first non-zero entry (each pair of cells once), without
    those whose cells are more than ε apart in ``metric``."""
    out = []
    for o in itertools.product(range(-sub, sub + 1), repeat=m):
        nz = [v for v in o if v]
        if not nz or nz[0] < 0:
            continue
        gap = np.maximum(np.abs(o) - 1, 0) * side
        apart = {"l1": gap.sum(), "l2": float(np.sqrt((gap * gap).sum())), "linf": gap.max(initial=0.0)}[metric]
        if apart <= eps:
            out.append(o)
    return out


class _Grid:
    """Points sorted by cell; per sorted point, the segments of sorted positions it is paired with."""

    def __init__(self, X: np.ndarray, eps: float, metric: str):
        n = X.shape[0]
        self.itype = np.int32 if n < 2 ** 31 - CHUNK else np.int64
        sub = 2 if X.shape[1] <= 2 else 1  # cells of side ε/2 in the plane: fewer candidate pairs
        side = eps * (1.0 + SLACK) / sub
        key, strides = _cell_keys(X, side, sub)
        self.order = np.argsort(key, kind="stable")
        ks = key[self.order]
        first = np.empty(n, dtype=bool)
        first[0] = True
        np.not_equal(ks[1:], ks[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        ends = np.append(starts[1:], n)
        cell_of = np.cumsum(first) - 1
        cell_keys = ks[starts]
        pos = np.arange(n, dtype=np.int64)
        seg_start, seg_len = [pos + 1], [ends[cell_of] - pos - 1]  # later points of the same cell
        for o in _half_offsets(len(strides), sub, side, eps, metric):
            target = cell_keys + int(np.dot(o, strides))
            p = np.minimum(np.searchsorted(cell_keys, target), cell_keys.size - 1)
            hit = cell_keys[p] == target
            seg_start.append(np.where(hit, starts[p], 0)[cell_of])
            seg_len.append(np.where(hit, ends[p] - starts[p], 0)[cell_of])
        self.n_seg = len(seg_start)
        self.start = np.stack(seg_start, axis=1).ravel()
        self.length = np.stack(seg_len, axis=1).ravel()

    def blocks(self, d: int):
        """Candidate pairs ``(i, j)`` of sorted positions, in blocks of about ``CHUNK / d`` pairs."""
        cum = np.cumsum(self.length)
        total = int(cum[-1]) if cum.size else 0
        size = max(4096, CHUNK // max(1, d // 2))
        cuts = np.searchsorted(cum, np.arange(size, total, size), side="left")
        bounds = np.unique(np.concatenate([[0], cuts + 1, [cum.size]]))
        for f0, f1 in zip(bounds[:-1], bounds[1:]):
            cancel.check()
            L = self.length[f0:f1]
            m = int(L.sum())
            if m == 0:
                continue
            owner = (np.arange(f0, f1, dtype=np.int64) // self.n_seg).astype(self.itype)
            i = np.repeat(owner, L)
            shift = (self.start[f0:f1] - (np.cumsum(L) - L)).astype(self.itype)
            j = np.repeat(shift, L)
            j += np.arange(m, dtype=self.itype)
            yield i, j


def _pair_norms(cols, i, j, metric) -> np.ndarray:
    """The norm of ``X[i] - X[j]`` for the pairs ``(i, j)`` from the columns of ``X`` (squared for ℓ2), in place."""
    acc = None
    for x in cols:
        diff = x[i]
        diff -= x[j]
        if metric == "l2":
            diff *= diff
        else:
            np.abs(diff, out=diff)
        if acc is None:
            acc = diff
        elif metric == "linf":
            np.maximum(acc, diff, out=acc)
        else:
            acc += diff
    return acc


def candidate_count(X: np.ndarray, eps: float, metric: str = "l2") -> int:
    """How many candidate pairs the grid checks for ``X`` and ``eps`` (the work of :func:`neighbour_pairs`)."""
    return int(_Grid(np.asarray(X, dtype=np.float64), float(eps), metric).length.sum())


def neighbour_pairs(X: np.ndarray, eps: float, metric: str) -> Pairs:
    """Every pair of points of ``X`` (n, d) at distance <= ``eps`` in ``metric``, and each point's count.

    ``X`` is float64 and finite, ``eps > 0``, ``metric`` one of :data:`METRICS` (checked by the caller).
    Raises ``ParamError`` when ε is so large that more than :data:`MAX_CANDIDATES` pairs would have to
    be checked (then nearly every point is every other point's neighbour).
    """
    n, d = X.shape
    grid = _Grid(X, eps, metric)
    total = int(grid.length.sum())
    if total > MAX_CANDIDATES:
        raise ParamError(f"eps={eps:g} is too large for these {n:,} points: about {total:,} pairs of points would "
                         f"have to be compared (most points are within ε of each other). Choose a smaller ε, "
                         f"e.g. at the bend of the k-distance plot.")
    Xs = X[grid.order]
    cols = [np.ascontiguousarray(Xs[:, c]) for c in range(d)] if d <= 4 else None
    thr = eps * eps if metric == "l2" else eps
    out_i, out_j = [], []
    for i, j in grid.blocks(d):
        acc = _pair_norms(cols, i, j, metric) if cols is not None else rowwise_distance(Xs[i] - Xs[j], metric)
        keep = np.flatnonzero(acc <= thr)
        out_i.append(i[keep])
        out_j.append(j[keep])
    idx = np.int32 if n < 2 ** 31 else np.int64
    order = grid.order.astype(idx)
    si = np.concatenate(out_i) if out_i else np.zeros(0, dtype=np.int64)
    sj = np.concatenate(out_j) if out_j else np.zeros(0, dtype=np.int64)
    a, b = order[si], order[sj]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    counts = np.bincount(lo, minlength=n) + np.bincount(hi, minlength=n) + 1
    return Pairs(lo, hi, counts)
