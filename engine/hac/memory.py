"""How much memory a HAC run needs, and the guard that refuses a run that cannot fit before allocating it.

min / max / avg on ``m`` starting clusters keep the ``m (m - 1) / 2`` cluster distances in condensed
storage (:mod:`engine.hac.condensed`: built in blocks of rows, never the square matrix, and compacted in
place as clusters merge), so a run peaks at that one float64 array plus ``O(m)`` (measured at 4,000 and
10,000 points: within 1.1x of it, the interpreter included); single linkage of single points runs on a spanning tree instead (``O(n)``;
only exact ties in the tree fall back to the matrix), and centroid / Ward keep the centroids (``O(m d)``).
:func:`guard` compares :func:`estimate` with the memory the system has free (:func:`available`) and
raises a :class:`~engine.core.params.ParamError` that says what to do.

Example
-------
>>> round(estimate(10_000, "max") / 1e6)  # the condensed matrix alone: 400 MB
405
>>> estimate(10_000, "ward", d=2) < 5e6
True
"""
from __future__ import annotations

import os

from engine.core.params import ParamError
from engine.hac.condensed import CHUNK

__all__ = ["estimate", "available", "guard", "SHARE"]

#: A run may use at most this share of the memory available now.
SHARE = 0.8


def estimate(n: int, linkage: str, m: int | None = None, d: int = 2, matrix: bool = False) -> float:
    """Bytes a run on ``n`` points (``m`` starting clusters, ``d`` features) needs at its peak, roughly.

    ``matrix=True``: single linkage of single points that falls back to the matrix (ties in the tree).
    """
    m = n if m is None else m
    base = 8.0 * n * (d + 12)  # points, labels, dendrogram and witness arrays
    if linkage in ("centroid", "ward"):
        return base + 8.0 * m * (3 * d + 12)
    if linkage == "min" and m == n and not matrix:
        return base + 8.0 * n * 8
    return base + 4.0 * m * (m - 1) + 8.0 * m * 24 + 3 * 8.0 * CHUNK  # + the temporary blocks


def available() -> float | None:
    """Bytes of memory available now (Linux ``MemAvailable``, else free physical pages), or None."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return float(os.sysconf("SC_AVPHYS_PAGES")) * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def guard(n: int, linkage: str, m: int, d: int, matrix: bool = False) -> None:
    """Raise :class:`ParamError` when the run would need more than :data:`SHARE` of the available memory."""
    need = estimate(n, linkage, m, d, matrix)
    if need < 32e6:
        return
    have = available()
    if have is None or need <= SHARE * have:
        return
    what = f"{m * (m - 1) // 2:,} " + ("cluster distances between the groups" if m < n else "pairwise distances")
    raise ParamError(
        f"HAC with {linkage} linkage on {n:,} points needs about {need / 1e6:,.0f} MB ({what}), but only "
        f"{have / 1e6:,.0f} MB are free. Use fewer points, a starting partition (G groups need only G x G "
        f"distances), or min, centroid or Ward linkage, which need memory only in proportion to the points.")
