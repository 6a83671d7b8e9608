"""A sparse symmetric graph (compressed rows) and the k-nearest-neighbour graph built without an n x n matrix.

:class:`SparseGraph` keeps ``indptr``, ``indices`` (sorted within each row) and ``weights``, both directions of
every edge; its :meth:`SparseGraph.matmul` is numpy only (``np.add.reduceat`` over the rows).

:func:`knn_graph` finds each point's ``m = n_neighbors - 1`` nearest other points by the rule of
:func:`engine.spectral.graph.knn_affinity` (smallest squared distance ``sum((x_i - x_j)^2)``, equal distances to
the lower index). For data of at most 3 dimensions it looks in a grid of cells of side ``h``: the points of
the 3^d cells around a point's own are its candidates, and its m nearest candidates are its m nearest points
when the m-th is closer than ``h`` (every point outside those cells is at least ``h`` away). The points for
which that fails are looked up again in a grid twice as coarse, up to :data:`GRID_PASSES` times, then by brute
force over all points. Above 3 dimensions, or for few points, it is brute force by blocks of rows.

Example
-------
>>> import numpy as np
>>> G = knn_graph(np.array([[0.0], [1.0], [3.0]]), 2)
>>> G.toarray().tolist()
[[0.0, 1.0, 0.0], [1.0, 0.0, 0.5], [0.0, 0.5, 0.0]]
>>> G.matmul(np.ones((3, 1))).ravel().tolist()
[1.0, 1.5, 0.5]
"""
from __future__ import annotations

import itertools

import numpy as np

__all__ = ["SparseGraph", "knn_graph", "knn_indices", "GRID_PASSES", "GRID_MIN_N"]

#: Coarser grids tried before brute force for the points whose neighbours were not all in their cells.
GRID_PASSES = 3
#: A point first looks in the smallest box of cells holding this many times m points.
TARGET = 2.5
MAX_RADIUS = 24
#: Below this many points (or above 3 dimensions) the neighbours are found by brute force.
GRID_MIN_N = 300
_BLOCK_ELEMENTS = 1 << 20  # distances computed at a time by brute force


class SparseGraph:
    """A symmetric weighted graph on ``n`` points in compressed-row form (no self-loops)."""

    def __init__(self, n: int, indptr: np.ndarray, indices: np.ndarray, weights: np.ndarray):
        self.n, self.indptr, self.indices, self.weights = int(n), indptr, indices, weights
        self.shape = (self.n, self.n)
        self._starts = indptr[:-1][np.diff(indptr) > 0]
        self._filled = np.diff(indptr) > 0

    @classmethod
    def from_pairs(cls, n: int, rows: np.ndarray, cols: np.ndarray, weights: np.ndarray) -> "SparseGraph":
        """From pairs sorted by row then column, each at most once."""
        indptr = np.zeros(n + 1, dtype=np.intp)
        np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
        return cls(n, indptr, cols.astype(np.intp, copy=False), weights.astype(np.float64, copy=False))

    def rows(self) -> np.ndarray:
        """The row of every stored entry (sorted)."""
        return np.repeat(np.arange(self.n), np.diff(self.indptr))

    def degrees(self) -> np.ndarray:
        """``d_i = sum_j w_ij``."""
        return self.matmul(np.ones(self.n))

    def matmul(self, X: np.ndarray) -> np.ndarray:
        """``W @ X`` for a vector or an (n, p) block."""
        X = np.asarray(X, dtype=np.float64)
        w = self.weights if X.ndim == 1 else self.weights[:, None]
        out = np.zeros((self.n,) + X.shape[1:])
        if self._starts.size:
            out[self._filled] = np.add.reduceat(X[self.indices] * w, self._starts, axis=0)
        return out

    def toarray(self) -> np.ndarray:
        W = np.zeros((self.n, self.n))
        W[self.rows(), self.indices] = self.weights
        return W


def knn_graph(X: np.ndarray, n_neighbors: int) -> SparseGraph:
    """``W = (A + A^T) / 2`` for the k-nearest-neighbour relation ``A`` (see the module docstring)."""
    n = X.shape[0]
    nb = knn_indices(X, min(int(n_neighbors) - 1, n - 1))
    m = nb.shape[1]
    i = np.repeat(np.arange(n, dtype=np.int64), m)
    j = nb.ravel().astype(np.int64)
    keys, count = np.unique(np.concatenate([i * n + j, j * n + i]), return_counts=True)
    return SparseGraph.from_pairs(n, keys // n, keys % n, 0.5 * count)


def knn_indices(X: np.ndarray, m: int) -> np.ndarray:
    """Each point's ``m`` nearest other points, (n, m), in increasing index order within a row."""
    n, d = X.shape
    out = np.empty((n, m), dtype=np.intp)
    todo = np.arange(n)
    if d <= 3 and n >= GRID_MIN_N and np.ptp(X, axis=0).max() > 0:
        grid = _Grid(X, m)
        radius = grid.radius(todo, TARGET * m)
        for _ in range(GRID_PASSES):
            left = []
            for r in np.unique(radius):
                query = todo[radius == r]
                done, found = grid.nearest(query, m, int(r))
                out[query[done]] = found
                left.append(query[~done])
            todo = np.concatenate(left)
            if not todo.size:
                return out
            radius = 2 * grid.radius(todo, TARGET * m)
            if radius.max() > MAX_RADIUS:
                break
    out[todo] = _brute(X, todo, m)
    return out


class _Grid:
    """The points sorted into cells of side ``h`` (about m / 8 points in the typical point's cell), with the
    cells' counts summed so that the points in any box of cells are counted at once."""

    def __init__(self, X: np.ndarray, m: int):
        n, d = X.shape
        ext = np.ptp(X, axis=0)
        pos = ext[ext > 0]
        h = float((np.prod(pos) * m / (8.0 * n)) ** (1.0 / pos.size))
        shape = (ext // h).astype(np.int64) + 1
        key = np.ravel_multi_index(tuple(np.minimum(((X - X.min(axis=0)) // h).astype(np.int64), shape - 1).T),
                                   tuple(shape))
        crowd = float(np.median(np.bincount(key)[key]))  # the typical point's cell-mates: the density it sees
        h *= min(1.0, (m / (8.0 * crowd)) ** (1.0 / pos.size))
        shape = (ext // h).astype(np.int64) + 1
        while np.prod(shape.astype(float)) > 16.0 * n + 64:  # at most about 16 cells a point
            h *= 1.25
            shape = (ext // h).astype(np.int64) + 1
        self.X, self.h, self.shape = X, h, shape
        self.cell = np.minimum(((X - X.min(axis=0)) // h).astype(np.int64), shape - 1)
        key = np.ravel_multi_index(tuple(self.cell.T), tuple(shape))
        self.order = np.argsort(key, kind="stable")
        self.start = np.searchsorted(key[self.order], np.arange(int(np.prod(shape)) + 1))
        csum = np.zeros(tuple(shape + 1), dtype=np.int64)
        csum[(slice(1, None),) * d] = np.bincount(key, minlength=int(np.prod(shape))).reshape(tuple(shape))
        for axis in range(d):
            np.cumsum(csum, axis=axis, out=csum)
        self.csum = csum

    def count(self, query: np.ndarray, r) -> np.ndarray:
        """The points in the box of cells within ``r`` cells of each query's own cell."""
        c = self.cell[query]
        lo = np.maximum(c - np.asarray(r)[..., None], 0)
        hi = np.minimum(c + np.asarray(r)[..., None], self.shape - 1) + 1
        total = np.zeros(query.size, dtype=np.int64)
        for corner in itertools.product((0, 1), repeat=c.shape[1]):
            idx = tuple(np.where(corner[a], hi[:, a], lo[:, a]) for a in range(c.shape[1]))
            total += (-1) ** (c.shape[1] - sum(corner)) * self.csum[idx]
        return total

    def radius(self, query: np.ndarray, target: int) -> np.ndarray:
        """For each query the smallest radius (in cells, from 1) whose box holds at least ``target`` points."""
        r = np.ones(query.size, dtype=np.int64)
        short = np.ones(query.size, dtype=bool)
        while short.any() and r.max() <= MAX_RADIUS:
            short &= self.count(query, r) < target
            r[short] += 1
        return r

    def nearest(self, query: np.ndarray, m: int, r: int) -> tuple[np.ndarray, np.ndarray]:
        """The queries whose m nearest points lie within ``r`` cells of their own (a mask), and those points."""
        d, shape = self.X.shape[1], self.shape
        qc = self.cell[query]
        first, last = [], []
        for off in itertools.product(range(-r, r + 1), repeat=d - 1):  # the last coordinate: a contiguous range
            c = qc.copy()
            c[:, :-1] += np.array(off, dtype=np.int64)
            ok = np.all((c[:, :-1] >= 0) & (c[:, :-1] < shape[:-1]), axis=1)
            c = np.where(ok[:, None], c, 0)
            a, b = c.copy(), c.copy()
            a[:, -1] = np.maximum(c[:, -1] - r, 0)
            b[:, -1] = np.minimum(c[:, -1] + r, shape[-1] - 1)
            first.append(np.where(ok, self.start[np.ravel_multi_index(tuple(a.T), tuple(shape))], 0))
            last.append(np.where(ok, self.start[np.ravel_multi_index(tuple(b.T), tuple(shape)) + 1], 0))
        return _select(self.X, query, self.order, np.stack(first, 1).ravel(), np.stack(last, 1).ravel(), m,
                       r * self.h)


def _select(X, query, order, first, last, m, h):
    """The m nearest candidates of each query (candidates: ``order[first:last]`` per range, ranges per query)."""
    q = query.size
    lengths = last - first
    per_query = lengths.reshape(q, -1).sum(axis=1)
    total = int(per_query.sum())
    seg = np.cumsum(lengths) - lengths
    pos = np.arange(total) - np.repeat(seg - first, lengths)
    cand = order[pos]
    row = np.repeat(np.arange(q), per_query)
    d2 = ((X[query[row]] - X[cand]) ** 2).sum(axis=1)
    d2[cand == query[row]] = np.inf
    width = max(int(per_query.max()), m)
    D = np.full((q, width), np.inf)
    J = np.zeros((q, width), dtype=np.intp)
    col = np.arange(total) - np.repeat(np.cumsum(per_query) - per_query, per_query)
    D[row, col] = d2
    J[row, col] = cand
    kth = np.partition(D, m - 1, axis=1)[:, m - 1]
    done = kth < (h * (1.0 - 1e-9)) ** 2  # every point outside the cells is at least h away
    D, J, kth = D[done], J[done], kth[done]
    return done, _take(D, J, kth, m)


def _take(D: np.ndarray, J: np.ndarray, kth: np.ndarray, m: int) -> np.ndarray:
    """Per row the m entries of ``J`` with the smallest ``D`` (``kth`` the m-th smallest), equal ``D`` to the
    lower ``J``; sorted by ``J``."""
    sel = D < kth[:, None]
    short = m - sel.sum(axis=1)
    eq = D == kth[:, None]
    plain = eq.sum(axis=1) == short
    sel[plain] |= eq[plain]
    for r in np.flatnonzero(~plain):  # ties at the m-th distance (rare outside grids): the lower indices
        eq = np.flatnonzero(D[r] == kth[r])
        sel[r, eq[np.argsort(J[r, eq], kind="stable")[:short[r]]]] = True
    out = J[sel].reshape(-1, m)
    out.sort(axis=1)
    return out


def _brute(X: np.ndarray, query: np.ndarray, m: int) -> np.ndarray:
    """The m nearest other points of each query, by all distances, a block of queries at a time."""
    n, d = X.shape
    out = np.empty((query.size, m), dtype=np.intp)
    step = max(1, _BLOCK_ELEMENTS // max(n * (d if d <= 3 else 1), 1))
    sq = np.einsum("ij,ij->i", X, X) if d > 3 else None
    J = np.broadcast_to(np.arange(n), (min(step, query.size), n))
    for a in range(0, query.size, step):
        rows = query[a:a + step]
        if d <= 3:
            D = ((X[rows, None, :] - X[None, :, :]) ** 2).sum(axis=2)
        else:
            D = np.maximum(sq[rows, None] - 2.0 * (X[rows] @ X.T) + sq[None, :], 0.0)
        D[np.arange(rows.size), rows] = np.inf
        kth = np.partition(D, m - 1, axis=1)[:, m - 1]
        out[a:a + step] = _take(D, J[:rows.size], kth, m)
    return out
