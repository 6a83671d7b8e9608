"""DBSCAN from the neighbour pairs: core points, clusters grown wave by wave, border points and noise.

* **Core points**: at least ``min_samples`` points within ε, the point itself included.
* **Clusters** are the connected components of the core points (two core points within ε are linked),
  numbered in the order of their lowest-index core point, the *seed*: :func:`components` hooks every
  tree onto the smaller root until no link joins two trees (so each root is its component's lowest index).
* **Waves**: breadth-first search from every seed at once over the core-core links (:func:`waves`);
  the points at hop distance ``w`` from their seed form wave ``w`` of their cluster, and each is
  *reached by* its lowest-index core neighbour of wave ``w - 1``. The first wave of a cluster holds
  the seed and its core neighbours.
* **Border points** (not core, within ε of a core point) join the cluster with the smallest number among
  their core neighbours' clusters (scikit-learn's expansion visits the clusters in that order and a
  border point keeps the first cluster that reaches it); each is *reached by* its lowest-index core
  neighbour in that cluster. Every other point is **noise** (label ``-1``).

Example
-------
>>> from engine.dbscan.grid import neighbour_pairs
>>> X = np.array([[0.0], [1.0], [2.0], [3.0], [10.0]])
>>> c = cluster(neighbour_pairs(X, 1.0, "l2"), 3)
>>> c.core.tolist(), c.labels.tolist()
([False, True, True, False, False], [0, 0, 0, 0, -1])
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from engine.core.norms import NORM_SYMBOLS
from engine.core import cancel
from engine.core.steps import Step, compact_labels, readonly
from engine.dbscan.grid import Pairs, neighbour_pairs

__all__ = ["Clustering", "cluster", "components", "waves", "run", "gather"]



@dataclass(frozen=True)
class Clustering:
    """DBSCAN's answer: ``labels`` (-1 noise), ``core`` (bool), ``counts`` (points within ε, itself included),
    ``n_clusters``, ``border_from`` (per point the core point that gave a border point its cluster, else -1)
    and the core-core links ``u``, ``v`` (pairs of core points within ε)."""

    labels: np.ndarray
    core: np.ndarray
    counts: np.ndarray
    n_clusters: int
    border_from: np.ndarray
    u: np.ndarray
    v: np.ndarray


def components(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The lowest index of each point's connected component of the graph with edges ``u[i] -- v[i]``.

    >>> components(5, np.array([3, 1]), np.array([4, 3])).tolist()
    [0, 1, 2, 1, 1]
    """
    parent = np.arange(n, dtype=u.dtype if u.size else np.int64)
    while u.size:
        cancel.check()
        pu, pv = parent[u], parent[v]
        apart = pu != pv
        u, v, pu, pv = u[apart], v[apart], pu[apart], pv[apart]
        if not u.size:
            break
        np.minimum.at(parent, np.maximum(pu, pv), np.minimum(pu, pv))  # hook the larger root on the smaller
        while True:  # point every node at its root
            up = parent[parent]
            if np.array_equal(up, parent):
                break
            parent = up
    return parent


def gather(indptr: np.ndarray, indices: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The neighbours of ``rows`` in the compressed adjacency ``(indptr, indices)``, and whose each is."""
    cnt = indptr[rows + 1] - indptr[rows]
    total = int(cnt.sum())
    shift = np.repeat(indptr[rows] - (np.cumsum(cnt) - cnt), cnt)
    return indices[shift + np.arange(total)], np.repeat(rows, cnt)


def waves(n: int, u: np.ndarray, v: np.ndarray, seeds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Breadth-first search from every seed at once over the links ``u -- v``.

    Returns ``level`` (hops from the point's seed; -1 when no seed reaches it) and ``reach`` (the
    lowest-index neighbour one hop nearer the seed; the seed itself for a seed; -1 when unreached).

    >>> lev, reach = waves(4, np.array([0, 1, 0]), np.array([1, 2, 2]), np.array([0]))
    >>> lev.tolist(), reach.tolist()
    ([0, 1, 1, -1], [0, 0, 0, -1])
    """
    src = np.concatenate([u, v]).astype(np.int64)
    key = np.sort((src << 32) | np.concatenate([v, u]).astype(np.int64))  # by source (a SIMD sort, no argsort)
    indices = key & 0xFFFFFFFF
    indptr = np.concatenate([[0], np.cumsum(np.bincount(src, minlength=n))]).astype(np.int64)
    level = np.full(n, -1, dtype=np.int32)
    reach = np.full(n, n, dtype=np.int64)
    stamp = np.empty(n, dtype=np.int64)
    level[seeds] = 0
    reach[seeds] = seeds
    frontier, depth = np.asarray(seeds, dtype=np.int64), 0
    while frontier.size:
        cancel.check()
        nb, par = gather(indptr, indices, frontier)
        new = level[nb] < 0
        nb, par = nb[new], par[new]
        if not nb.size:
            break
        depth += 1
        np.minimum.at(reach, nb, par)
        stamp[nb] = np.arange(nb.size)  # the last occurrence of each point wins: one entry per point, no sort
        frontier = nb[stamp[nb] == np.arange(nb.size)]
        level[frontier] = depth
    reach[reach == n] = -1
    return level, reach


def cluster(pairs: Pairs, min_samples: int) -> Clustering:
    """Core points, clusters (numbered by their lowest-index core point) and border points from ``pairs``."""
    a, b, counts = pairs.a, pairs.b, pairs.counts
    n = counts.size
    core = counts >= min_samples
    ca, cb = core[a], core[b]
    both = ca & cb
    u, v = a[both], b[both]
    root = components(n, u, v)
    seeds = np.flatnonzero(core & (root == np.arange(n)))
    number = np.full(n, -1, dtype=np.int64)
    number[seeds] = np.arange(seeds.size)
    labels = np.where(core, number[root], -1)
    # border points: the smallest cluster number among their core neighbours, reached by its lowest core point
    one = ca & ~cb
    other = cb & ~ca
    point = np.concatenate([b[one], a[other]])
    by = np.concatenate([a[one], b[other]])
    joins = labels[by]
    best = np.full(n, seeds.size, dtype=np.int64)
    np.minimum.at(best, point, joins)
    first = joins == best[point]
    border_from = np.full(n, n, dtype=np.int64)
    np.minimum.at(border_from, point[first], by[first])
    border = ~core & (best < seeds.size)
    labels[border] = best[border]
    border_from[~border] = -1
    return Clustering(labels, core, counts, int(seeds.size), border_from, u, v)


def _labels_at(when: np.ndarray, final: np.ndarray, t: int) -> np.ndarray:
    """The labels after step ``t``: a point's final label once its step has come, else -1."""
    out = np.where(when <= t, final, -1).astype(final.dtype)
    out.setflags(write=False)
    return out


def _plan(c: Clustering):
    """The wave steps: core points sorted by (cluster, wave, index), the first index of each step's group,
    each point's step (``when``), the reached-by of the sorted points, and each group's wave number."""
    n = c.labels.size
    idx = np.flatnonzero(c.core)
    seeds = idx[np.unique(c.labels[idx], return_index=True)[1]]  # each cluster's lowest-index core point
    level, reach = waves(n, c.u, c.v, seeds)
    wave = np.maximum(level[idx], 1).astype(np.int64)
    key = c.labels[idx] * (int(wave.max(initial=1)) + 1) + wave
    perm = np.argsort(key, kind="stable")
    members = idx[perm]
    kk = key[perm]
    first = np.ones(kk.size, dtype=bool)
    np.not_equal(kk[1:], kk[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    g = starts.size
    when = np.full(n, g + 2, dtype=np.int64)
    when[members] = np.cumsum(first)
    when[c.border_from >= 0] = g + 1
    itype = np.int32 if n < 2 ** 31 else np.int64
    return (readonly(members, dtype=itype), starts, readonly(when),
            readonly(reach[members], dtype=itype), wave[perm][starts])


def run(X: np.ndarray, eps: float, min_samples: int, metric: str, names=None):
    """The step generator of checked arguments (see :func:`engine.dbscan.steps`; ``names``: one per point,
    or None for ``x1, x2, ...``)."""
    n = X.shape[0]
    pairs = neighbour_pairs(X, eps, metric)
    core = readonly(pairs.counts >= min_samples)
    common = {"core": core, "eps": float(eps), "min_samples": int(min_samples), "metric": metric}
    yield Step("core", f"{int(core.sum())} of {n} points are core: at least {min_samples} points (itself included) "
                       f"within ε = {eps:g} ({NORM_SYMBOLS[metric]})", labels=np.full(n, -1, dtype=np.int8),
               objective=0.0, payload={**common, "counts": readonly(pairs.counts, dtype=np.int32)})
    c = cluster(pairs, min_samples)  # the clusters are computed after the core step is shown
    del pairs
    members, starts, when, reach, wave_no = _plan(c)
    final = compact_labels(c.labels, c.n_clusters)
    g = starts.size
    ends = np.append(starts[1:], members.size)
    border = np.flatnonzero(c.border_from >= 0)
    clustered = np.concatenate([[0], np.cumsum(ends - starts), [members.size + border.size]])
    trace = readonly(clustered, dtype=float)
    labels = functools.partial(_labels_at, when, final)
    for t in range(g):
        s, e = int(starts[t]), int(ends[t])
        frontier, by = members[s:e], reach[s:e]
        k, w = int(final[frontier[0]]), int(wave_no[t])
        if w == 1:
            seed = int(frontier[by == frontier][0])
            name = names[seed] if names is not None else f"x{seed + 1}"
            text = (f"cluster {k + 1} starts at its lowest-index core point {name}: "
                    f"{e - s - 1} core point(s) within ε join it")
        else:
            seed = -1
            text = f"cluster {k + 1}, wave {w}: {e - s} core point(s) within ε of the previous wave join it"
        yield Step("expand", text, labels=functools.partial(labels, t + 1), objective=float(trace[t + 1]),
                   trace=trace[:t + 2], iteration=k + 1,
                   payload={**common, "cluster": k, "wave": w, "seed": seed, "frontier": frontier,
                            "reached_by": by})
    noise = readonly(np.flatnonzero(final < 0))
    yield Step("border", f"{border.size} border point(s) join the cluster of a core point within ε; "
                         f"{noise.size} point(s) are noise; {c.n_clusters} cluster(s)",
               labels=final, objective=float(trace[-1]), trace=trace, iteration=c.n_clusters, done=True,
               status="finished",
               payload={**common, "border": readonly(border), "border_from": readonly(c.border_from[border]),
                        "noise": noise, "n_clusters": c.n_clusters})
