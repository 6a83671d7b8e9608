"""The fast parts of mean shift: one pass of every window over the points, the bandwidth estimate, bin seeds.

Memory is bounded: distances are computed for blocks of windows against a *slab* of points, at most
:data:`BUDGET` cells at a time. The points are sorted once along their widest axis; a block of windows
(sorted along the same axis) needs only the points whose coordinate on that axis lies within the reach
of the kernel of one of its windows (``h`` for the flat kernel, ``39 h`` for the Gaussian one, beyond
which ``exp(-d² / 2h²)`` is exactly 0 in float64), found by two binary searches.

Squared distances of low-dimensional data (``d <= DIRECT_MAX_D``) are summed coordinate by coordinate,
``(y_1 - x_1)² + (y_2 - x_2)² + ...`` (as scikit-learn's neighbour trees do, so a point on the edge of a
window is counted the same way); higher dimensions use ``|y|² + |x|² - 2 y·x`` (one matrix product).

Example
-------
>>> X = np.array([[0.0, 0.0], [1.0, 0.0], [5.0, 0.0]])
>>> p = window_pass(Points(X), np.array([[0.0, 0.0], [5.0, 0.0]]), 1.0, "flat")
>>> p.counts.tolist(), p.means.tolist(), p.density.tolist()
([2, 1], [[0.5, 0.0], [5.0, 0.0]], [1.0, 1.0])
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["BUDGET", "GAUSS_REACH", "DIRECT_MAX_D", "Points", "Pass", "sq_dist", "window_pass", "nearest",
           "estimate_bandwidth", "bin_seeds", "merge_modes"]

BUDGET = 1 << 21  # cells of one block of distances (16 MB of float64)
GAUSS_REACH = 39.0  # exp(-39² / 2) = exp(-760.5) underflows to 0.0 in float64
DIRECT_MAX_D = 8
BLOCK_MAX = 64  # windows per block: small blocks have tight bounding boxes, so fewer points to measure


class Points:
    """The data sorted along their widest axis (for slab pruning), with the squared norms for ``d > 8``."""

    def __init__(self, X):
        X = np.ascontiguousarray(X, dtype=np.float64)
        self.n, self.d = X.shape
        spread = X.max(axis=0) - X.min(axis=0) if self.n else np.zeros(self.d)
        by_spread = np.argsort(-spread, kind="stable")
        self.axis = int(by_spread[0])
        self.axis2 = int(by_spread[1]) if self.d > 1 else None  # filters each slab further
        self.order = np.argsort(X[:, self.axis], kind="stable")
        self.X = X[self.order]
        self.key = np.ascontiguousarray(self.X[:, self.axis])
        self.sq = np.einsum("ij,ij->i", self.X, self.X) if self.d > DIRECT_MAX_D else None

    def slab(self, lo: float, hi: float) -> slice:
        """The sorted points whose coordinate on :attr:`axis` lies in ``[lo, hi]``."""
        return slice(int(np.searchsorted(self.key, lo, "left")), int(np.searchsorted(self.key, hi, "right")))

    def near(self, Yb, reach: float):
        """The points (and their squared norms, or None) that may lie within ``reach`` of a row of ``Yb``: those
        inside the block's bounding box on the two widest axes, widened by ``reach``."""
        a = Yb[:, self.axis]
        sl = self.slab(a.min() - reach, a.max() + reach)
        P, P_sq = self.X[sl], None if self.sq is None else self.sq[sl]
        if self.axis2 is not None and P.shape[0]:
            b = Yb[:, self.axis2]
            c = P[:, self.axis2]
            keep = (c >= b.min() - reach) & (c <= b.max() + reach)
            if not keep.all():
                P = P[keep]
                P_sq = None if P_sq is None else P_sq[keep]
        return P, P_sq


def sq_dist(Y, P, P_sq=None) -> np.ndarray:
    """Squared Euclidean distances, shape (len(Y), len(P)) (see the module docstring for how)."""
    d = Y.shape[1]
    if d <= DIRECT_MAX_D:
        out = np.subtract.outer(Y[:, 0], P[:, 0])
        out *= out
        for j in range(1, d):
            t = np.subtract.outer(Y[:, j], P[:, j])
            t *= t
            out += t
        return out
    if P_sq is None:
        P_sq = np.einsum("ij,ij->i", P, P)
    out = Y @ P.T
    out *= -2.0
    out += np.einsum("ij,ij->i", Y, Y)[:, None]
    out += P_sq[None, :]
    np.maximum(out, 0.0, out=out)
    return out


@dataclass(frozen=True)
class Pass:
    """What one pass of windows over the points gives, per window.

    counts : (m,) int64 — points within ``h`` (inclusive) of the window;
    means : (m, d) — the next position: the mean of those points (flat), the Gaussian-weighted mean of all
    points (gaussian); the window's own position when it holds no weight;
    weight : (m,) — the kernel weights' sum (``counts`` for the flat kernel);
    density : (m,) — the density mean shift climbs: ``sum_n max(0, 1 - |x_n - y|² / h²)`` (flat: its
    shadow, the Epanechnikov kernel) or ``sum_n exp(-|x_n - y|² / 2h²)`` (gaussian).
    """

    counts: np.ndarray
    means: np.ndarray
    weight: np.ndarray
    density: np.ndarray


def _block_size(n: int) -> int:
    return max(16, min(BLOCK_MAX, BUDGET // max(n, 1)))


def _blocks(pts: Points, Y, reach: float, step: int):
    """Blocks of at most ``step`` window indices, compact on both of the widest axes: the windows sorted by their
    strip of width ``reach`` along the first axis, then along the second."""
    a = Y[:, pts.axis]
    strip = np.floor((a - a.min()) / reach) if reach > 0 and np.isfinite(reach) else np.zeros(len(a))
    keys = (a, strip) if pts.axis2 is None else (Y[:, pts.axis2], strip)
    order = np.lexsort(keys)
    for s in range(0, len(order), step):
        yield order[s:s + step]


def window_pass(pts: Points, Y, h: float, kernel: str) -> Pass:
    """One pass of the windows at ``Y`` (m, d) over the points (see :class:`Pass`)."""
    Y = np.asarray(Y, dtype=np.float64)
    m, d = Y.shape
    h2 = h * h
    reach = h if kernel == "flat" else GAUSS_REACH * h
    counts = np.zeros(m, dtype=np.int64)
    sums = np.zeros((m, d))
    weight = np.zeros(m)
    density = np.zeros(m)
    step = _block_size(pts.n)
    for idx in _blocks(pts, Y, reach, step):
        Yb = Y[idx]
        P, P_sq = pts.near(Yb, reach)
        if P.shape[0] == 0:
            continue
        D2 = sq_dist(Yb, P, P_sq)
        inside = D2 <= h2
        c = np.count_nonzero(inside, axis=1)
        counts[idx] = c
        if kernel == "flat":
            W = inside.astype(np.float64)
            weight[idx] = c
            # sum over the points inside of (1 - d² / h²)
            density[idx] = c - np.einsum("ij,ij->i", W, D2) / h2
        else:
            D2 *= -0.5 / h2
            W = np.exp(D2, out=D2)
            weight[idx] = density[idx] = W.sum(axis=1)
        if d <= DIRECT_MAX_D:  # one matrix-vector product per coordinate: a thin matrix product is far slower
            PT = np.ascontiguousarray(P.T)
            sums[idx] = np.column_stack([W @ PT[j] for j in range(d)])
        else:
            sums[idx] = W @ P
    has = weight > 0
    means = Y.copy()
    means[has] = sums[has] / weight[has, None]
    return Pass(counts, means, weight, density)


def nearest(X, C) -> tuple[np.ndarray, np.ndarray]:
    """Index of the nearest row of ``C`` for every row of ``X`` (ties: the lower index), and its squared distance."""
    X = np.asarray(X, dtype=np.float64)
    C = np.asarray(C, dtype=np.float64)
    n = X.shape[0]
    idx = np.zeros(n, dtype=np.int64)
    best = np.zeros(n)
    c_sq = np.einsum("ij,ij->i", C, C) if C.shape[1] > DIRECT_MAX_D else None
    step = _block_size(C.shape[0])
    for s in range(0, n, step):
        D2 = sq_dist(X[s:s + step], C, c_sq)
        j = np.argmin(D2, axis=1)
        idx[s:s + step] = j
        best[s:s + step] = D2[np.arange(D2.shape[0]), j]
    return idx, best


def estimate_bandwidth(X, quantile: float = 0.3) -> float:
    """The mean, over the points, of the distance to the ``k``-th nearest point (the point itself counted first),
    ``k = max(1, int(n * quantile))``: scikit-learn's ``estimate_bandwidth(X, quantile=0.3)``.

    >>> estimate_bandwidth(np.array([[1, 1], [2, 1], [1, 0], [4, 7], [3, 5], [3, 6]]), quantile=0.5)
    1.61...
    """
    X = np.ascontiguousarray(X, dtype=np.float64)
    n = X.shape[0]
    k = max(1, int(n * quantile))
    x_sq = np.einsum("ij,ij->i", X, X) if X.shape[1] > DIRECT_MAX_D else None
    total = 0.0
    step = _block_size(n)
    for s in range(0, n, step):
        D2 = sq_dist(X[s:s + step], X, x_sq)
        total += float(np.sqrt(np.partition(D2, k - 1, axis=1)[:, k - 1]).sum())
    return total / n


def bin_seeds(X, h: float) -> np.ndarray:
    """The centres of the occupied cells of a grid of side ``h`` (``round(x / h) * h``), each once, sorted.

    scikit-learn's ``get_bin_seeds(X, h, min_bin_freq=1)`` gives the same cells (in float32, in the order first met).

    >>> bin_seeds(np.array([[0.1, 0.0], [0.2, 0.1], [2.0, 2.0]]), 1.0).tolist()
    [[0.0, 0.0], [2.0, 2.0]]
    """
    cells = np.unique(np.round(np.asarray(X, dtype=np.float64) / h), axis=0)
    return cells * h


def _dedup_last(P, strength):
    """Distinct rows of ``P`` (exactly equal rows are one), each with the strength of its last row (as a dict keyed
    by the row would keep); returns (rows, strengths, group of every row of P)."""
    m, d = P.shape
    o = np.lexsort([np.arange(m)] + [P[:, j] for j in range(d - 1, -1, -1)])
    Ps = P[o]
    first = np.ones(m, dtype=bool)
    first[1:] = np.any(Ps[1:] != Ps[:-1], axis=1)
    group = np.empty(m, dtype=np.int64)
    group[o] = np.cumsum(first) - 1
    last = np.flatnonzero(np.append(first[1:], True))
    return Ps[last], np.asarray(strength)[o][last], group


def merge_modes(W, strength, alive, h: float):
    """Merge the windows' final positions into modes, by scikit-learn's rule.

    Exactly equal positions count once (with the strength of the last such window). The distinct positions are
    sorted by (strength, coordinates), strongest first; going down that list, a position not yet merged becomes a
    mode and every position within ``h`` of it (inclusive) that is not yet merged merges into it.

    Returns ``(modes (k, d), mode_strength (k,), mode_of (m,))``, ``mode_of`` -1 for windows not ``alive``.

    >>> W = np.array([[0.0, 0.0], [0.5, 0.0], [3.0, 0.0], [0.0, 0.0]])
    >>> modes, s, of = merge_modes(W, np.array([4, 5, 2, 4]), np.ones(4, bool), 1.0)
    >>> modes.tolist(), s.tolist(), of.tolist()
    ([[0.5, 0.0], [3.0, 0.0]], [5, 2], [0, 0, 1, 0])
    """
    W = np.asarray(W, dtype=np.float64)
    live = np.flatnonzero(alive)
    U, Us, group = _dedup_last(W[live], np.asarray(strength)[live])
    d = U.shape[1]
    rank = np.lexsort([U[:, j] for j in range(d - 1, -1, -1)] + [Us])[::-1]
    C, Cs = U[rank], Us[rank]
    pos = np.empty(len(rank), dtype=np.int64)
    pos[rank] = np.arange(len(rank))
    pts = Points(C)
    h2 = h * h
    k_of = np.full(len(C), -1, dtype=np.int64)
    kept = []
    for i in range(len(C)):
        if k_of[i] >= 0:
            continue
        sl = pts.slab(C[i, pts.axis] - h, C[i, pts.axis] + h)
        near = pts.order[sl][sq_dist(C[i:i + 1], pts.X[sl])[0] <= h2]
        near = near[k_of[near] < 0]
        k_of[near] = len(kept)
        k_of[i] = len(kept)
        kept.append(i)
    mode_of = np.full(W.shape[0], -1, dtype=np.int64)
    mode_of[live] = k_of[pos[group]]
    return C[kept], Cs[kept], mode_of
