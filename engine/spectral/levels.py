"""The shifted Laplacian of a sparse graph, block tridiagonal in breadth-first order, and its exact Cholesky factor.

Number the points piece by piece, each piece by breadth-first levels from a far point (a point of the last
level of a breadth-first search from the piece's lowest point, with the fewest neighbours: George and Liu's
pseudo-peripheral start). An edge joins two points of the same level or of neighbouring levels, so in that
order ``A = L + sigma I`` (``L = I - D^{-1/2} W D^{-1/2}``) is block tridiagonal, each block a run of whole
levels of at least :data:`MIN_BLOCK` points. Its Cholesky factor ``C C^T = A`` has the same blocks (the fill
stays inside them): ``C_ii C_ii^T = A_ii - B_i B_i^T`` and ``B_{i+1} = A_{i+1,i} C_ii^{-T}``, about
``sum_i s_i^3`` operations for blocks of ``s_i`` points instead of ``n^3 / 3``, and as little memory. For a
knn graph of points in the plane a level holds some tens of points, so 2,000 points take milliseconds; a
graph with huge levels (points in many dimensions) costs nearly what the dense factor would, and
:func:`engine.spectral.eigen.laplacian_eigen` then uses block Krylov (:mod:`engine.spectral.krylov`) instead.

:class:`LevelCholesky` solves ``A Z = B`` and gives the Rayleigh quotients ``u^T A u = ||C^T u||^2``: what
:func:`engine.spectral.eigen.laplacian_eigen` needs for subspace inverse iteration on the knn graph.

Example
-------
>>> import numpy as np
>>> from engine.spectral.sparse import knn_graph
>>> G = knn_graph(np.arange(8.0)[:, None], 2)  # a path 0 - 1 - ... - 7
>>> order, cuts = level_order(G, np.zeros(8, dtype=int), 1)
>>> order.tolist(), cuts  # from 7, the end farthest from 0; one block (fewer than MIN_BLOCK points)
([7, 6, 5, 4, 3, 2, 1, 0], [0, 8])
>>> f = LevelCholesky(G, G.degrees(), order, cuts, 0.5)
>>> A = np.eye(8) * 1.5 - G.toarray() / np.sqrt(np.outer(G.degrees(), G.degrees()))
>>> b = np.arange(8.0)[:, None]
>>> bool(np.allclose(A @ f.solve(b), b))
True
"""
from __future__ import annotations

import numpy as np

__all__ = ["level_order", "LevelCholesky", "MIN_BLOCK"]

#: Consecutive levels are put together into blocks of at least this many points.
MIN_BLOCK = 64


def _neighbours(G, nodes: np.ndarray) -> np.ndarray:
    """The stored neighbours of ``nodes`` (with repeats), gathered from their rows at once."""
    starts = G.indptr[nodes]
    lens = G.indptr[nodes + 1] - starts
    total = int(lens.sum())
    offsets = np.repeat(starts - (np.cumsum(lens) - lens), lens) + np.arange(total)
    return G.indices[offsets]


def _levels(G, start: int, seen: np.ndarray) -> list[np.ndarray]:
    """Breadth-first levels from ``start`` (each in increasing index order); marks the points reached in
    ``seen``."""
    levels = []
    wave = np.array([start], dtype=np.intp)
    seen[start] = True
    while wave.size:
        levels.append(wave)
        nb = _neighbours(G, wave)
        wave = np.unique(nb[~seen[nb]])
        seen[wave] = True
    return levels


def level_order(G, comp: np.ndarray, count: int) -> tuple[np.ndarray, list[int]]:
    """The points in breadth-first level order, piece by piece (see the module docstring), and the cuts
    between blocks of whole levels (at least :data:`MIN_BLOCK` points each, the last one possibly fewer)."""
    n = G.shape[0]
    fan = np.diff(G.indptr)
    seen = np.zeros(n, dtype=bool)
    levels = []
    for c in range(count):
        first = _levels(G, int(np.argmax(comp == c)), seen)
        seen[np.concatenate(first)] = False
        far = first[-1]
        levels += _levels(G, int(far[np.argmin(fan[far])]), seen)
    order = np.concatenate(levels)
    cuts, at = [0], 0
    for level in levels:
        at += level.size
        if at - cuts[-1] >= MIN_BLOCK:
            cuts.append(at)
    if cuts[-1] != n:
        cuts.append(n)
    return order, cuts


class LevelCholesky:
    """``C C^T = A = L + sigma I`` of a :class:`engine.spectral.sparse.SparseGraph` in level order (see the
    module docstring): ``(order, cuts)`` from :func:`level_order`, ``d`` the degrees (all positive)."""

    def __init__(self, G, d: np.ndarray, order: np.ndarray, cuts: list[int], sigma: float):
        self.order, self.cuts = order, cuts
        diag, below = self._blocks(G, d, sigma)
        self.diag, self.inv, self.below = [], [], [None]  # below[i] = C_{i,i-1}
        for i, A_ii in enumerate(diag):
            if i:
                A_ii = A_ii - self.below[i] @ self.below[i].T
            L = np.linalg.cholesky(A_ii)
            self.diag.append(L)
            self.inv.append(np.linalg.inv(L))
            if i + 1 < len(diag):
                self.below.append(below[i] @ self.inv[i].T)

    def _blocks(self, G, d, sigma) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """The diagonal blocks ``A_ii`` and the blocks ``A_{i+1,i}`` below them, dense."""
        n, cuts = G.shape[0], np.asarray(self.cuts)
        pos = np.empty(n, dtype=np.intp)
        pos[self.order] = np.arange(n)
        r, c = pos[G.rows()], pos[G.indices]
        s = 1.0 / np.sqrt(d)
        v = -G.weights * s[G.rows()] * s[G.indices]
        br, bc = np.searchsorted(cuts, r, side="right") - 1, np.searchsorted(cuts, c, side="right") - 1
        sizes = np.diff(cuts)
        diag = [np.eye(int(m)) * (1.0 + sigma) for m in sizes]
        below = [np.zeros((int(sizes[i + 1]), int(sizes[i]))) for i in range(sizes.size - 1)]
        for which, blocks, row_block in ((br == bc, diag, br), (br == bc + 1, below, bc)):
            sel = np.flatnonzero(which)
            sel = sel[np.argsort(row_block[sel], kind="stable")]
            bounds = np.searchsorted(row_block[sel], np.arange(len(blocks) + 1))
            for i, block in enumerate(blocks):
                e = sel[bounds[i]:bounds[i + 1]]
                block[r[e] - cuts[br[e]], c[e] - cuts[bc[e]]] = v[e]
        return diag, below

    def solve(self, B: np.ndarray) -> np.ndarray:
        """``Z`` with ``A Z = B`` (rows in the points' own order)."""
        cuts, X = self.cuts, B[self.order]
        Y = np.empty_like(X)
        for i, (a, b) in enumerate(zip(cuts, cuts[1:])):  # C Y = X, top down
            rhs = X[a:b] - self.below[i] @ Y[cuts[i - 1]:a] if i else X[a:b]
            Y[a:b] = self.inv[i] @ rhs
        Z = np.empty_like(X)
        for i in range(len(cuts) - 2, -1, -1):  # C^T Z = Y, bottom up
            a, b = cuts[i], cuts[i + 1]
            rhs = Y[a:b] - self.below[i + 1].T @ Z[b:cuts[i + 2]] if i + 2 < len(cuts) else Y[a:b]
            Z[a:b] = self.inv[i].T @ rhs
        out = np.empty_like(Z)
        out[self.order] = Z
        return out

    def rayleigh(self, U: np.ndarray) -> np.ndarray:
        """``u_j^T A u_j = ||C^T u_j||^2`` for each column of ``U``."""
        cuts, V = self.cuts, U[self.order]
        total = np.zeros(U.shape[1])
        for i, (a, b) in enumerate(zip(cuts, cuts[1:])):
            g = self.diag[i].T @ V[a:b]
            if i + 2 < len(cuts):
                g += self.below[i + 1].T @ V[b:cuts[i + 2]]
            total += np.einsum("ij,ij->j", g, g)
        return total
