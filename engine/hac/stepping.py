"""HAC's steps from a finished tree: a start step, then one cheap step per merge.

A run on 10,000 points yields 10,000 steps, so a merge step holds almost nothing of its own: its
description, a slice of the one trace array, its labels as a callable (:meth:`Dendrogram.labels_after`)
and a :class:`MergePayload`, a read-only mapping that computes each entry (documented in
:mod:`engine.hac`) from the run's shared tables when it is read. The steps are built with
:meth:`Step.from_frozen`: every array they hold is read-only already.

Example
-------
>>> import numpy as np
>>> from engine.hac.merges import steps
>>> s = list(steps(np.array([[0.0], [1.0], [3.0]]), linkage="max"))[1]
>>> s.payload["a"], s.payload["members_b"].tolist(), s.payload["witness_points"].tolist()
(0, [1], [0, 1])
"""
from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np

from engine.core.steps import Step, readonly
from engine.hac.prepare import NORM_NAMES, Prepared
from engine.hac.witness import Witnesses

__all__ = ["set_text", "MergePayload", "RunSteps"]


def set_text(small, size, names=None):
    """``{x1, x2}`` for up to 4 points, else ``{x1, x2, x3, ... (7 points)}`` (smallest indices).

    ``names``: the points' own names (a data set's ``point_names``), used instead of ``x1, x2, ...``.
    """
    shown = small if size <= 4 else small[:3]
    parts = [f"x{i + 1}" for i in shown] if names is None else [str(names[i]) for i in shown]
    if size <= 4:
        return "{" + ", ".join(parts) + "}"
    return "{" + ", ".join(parts) + f", ... ({size} points)}}"


class _ClusterNames:
    """``{x1, x2}``-style names of the clusters, growing with every merge.

    ``small[c]``: the (up to 4) smallest points of cluster ``c``; ``texts[c]``: its name.
    """

    def __init__(self, groups, names=None):
        self.sizes = [len(g) for g in groups]
        n = sum(self.sizes)
        self.names = [str(v) for v in names] if names is not None else [f"x{i + 1}" for i in range(n)]
        if len(groups) == n:  # one point per cluster (the usual start): {x7}
            points = np.concatenate(groups).tolist() if n else []
            self.small = [[q] for q in points]
            self.texts = ["{" + self.names[q] + "}" for q in points]
        else:
            self.small = [g[:4].tolist() for g in groups]
            self.texts = [set_text(self.small[c], self.sizes[c], self.names) for c in range(len(groups))]

    def merge(self, a, b) -> None:
        """Name the cluster made of ``a`` and ``b`` (the next id): :func:`set_text`, inlined."""
        sizes, small, names = self.sizes, self.small, self.names
        size = sizes[a] + sizes[b]
        sizes.append(size)
        pts = sorted(small[a] + small[b])[:4]
        small.append(pts)
        if size <= 4:
            self.texts.append("{" + ", ".join([names[i] for i in pts]) + "}")
        else:
            self.texts.append("{" + ", ".join([names[i] for i in pts[:3]]) + f", ... ({size} points)}}")


class _Witnesses:
    """What each merge step shows as its witness: a pair of points, all pairs, or the two centroids."""

    def __init__(self, p: Prepared, dendro, cents, wit):
        self.p, self.cents = p, cents
        self.nstart, self.nstop = dendro.node_start.tolist(), dendro.node_stop.tolist()
        self.wit = self.ppos = None  # the witnesses: a list (single linkage's tree edges) or Witnesses
        if wit is None and p.linkage in ("min", "max"):
            self.wit = Witnesses(p, dendro, p.linkage == "max")  # the large merges' now, the others when read
        elif wit is not None:
            self.wit = wit.tolist()
        if self.wit is not None:
            ppos = np.empty(p.n, dtype=np.intp)
            ppos[dendro.point_order] = np.arange(p.n)
            self.ppos = ppos.tolist()
        self.kind = {"avg": "all_pairs", "min": "pair", "max": "pair"}.get(p.linkage, "centroids")

    def pair(self, t, a):
        """``(u, v)``: the witness pair of merge ``t`` (``u`` in cluster ``a``), or None."""
        if self.wit is None:
            return None
        u, v = self.wit[t] if isinstance(self.wit, list) else self.wit.pair(t)
        if not self.nstart[a] <= self.ppos[u] < self.nstop[a]:
            u, v = v, u
        return u, v

    def points(self, t, a):
        uv = self.pair(t, a) if self.kind == "pair" else None
        return None if uv is None else readonly(np.array(uv), copy=False)

    def coords(self, t, a, b):
        if self.kind == "all_pairs":
            return None
        if self.kind == "centroids":
            return self.cents[a], self.cents[b]
        X = self.p.X
        uv = self.pair(t, a)
        return None if X is None or uv is None else (X[uv[0]], X[uv[1]])


class _Tables:
    """What every merge step of a run shares: the tree, the ids, the heights, the witnesses."""

    def __init__(self, p: Prepared, Z, dendro, witnesses):
        self.m, self.dendro, self.w = p.m, dendro, witnesses
        self.base = {"dendrogram": dendro, "linkage": p.linkage, "norm": p.norm}
        self.ids = Z[:, :2].astype(np.intp).tolist()
        self.heights, self.inv = dendro.heights.tolist(), dendro.inversions.tolist()
        size = dendro.node_stop - dendro.node_start
        self.size = size.tolist()

    def members(self, c):
        return self.dendro.point_order[self.w.nstart[c]:self.w.nstop[c]]


_GET = {
    "dendrogram": lambda r, t: r.base["dendrogram"],
    "linkage": lambda r, t: r.base["linkage"],
    "norm": lambda r, t: r.base["norm"],
    "a": lambda r, t: r.ids[t][0],
    "b": lambda r, t: r.ids[t][1],
    "members_a": lambda r, t: r.members(r.ids[t][0]),
    "members_b": lambda r, t: r.members(r.ids[t][1]),
    "new_id": lambda r, t: r.m + t,
    "size": lambda r, t: r.size[r.m + t],
    "distance": lambda r, t: r.heights[t],
    "witness_kind": lambda r, t: r.w.kind,
    "witness_points": lambda r, t: r.w.points(t, r.ids[t][0]),
    "witness_coords": lambda r, t: r.w.coords(t, *r.ids[t]),
    "inversion": lambda r, t: r.inv[t],
    "n_links": lambda r, t: t + 1,
    "n_clusters": lambda r, t: r.m - t - 1,
}


class MergePayload(Mapping):
    """The read-only payload of merge ``t`` (keys and meaning in :mod:`engine.hac`), computed when read.

    A mapping without item assignment; its arrays are read-only views of the run's shared arrays (or
    small read-only arrays made on each read).
    """

    __slots__ = ("_tables", "_t")

    def __init__(self, tables: _Tables, t: int):
        self._tables, self._t = tables, t

    def __getitem__(self, key):
        try:
            get = _GET[key]
        except (KeyError, TypeError):
            raise KeyError(key) from None
        return get(self._tables, self._t)

    def __contains__(self, key) -> bool:
        try:
            return key in _GET
        except TypeError:
            return False

    def __iter__(self):
        return iter(_GET)

    def __len__(self) -> int:
        return len(_GET)

    def __repr__(self) -> str:
        return f"MergePayload({dict(self)!r})"


class RunSteps:
    """A run's steps, one per ``next()``: a start step, then one step per merge.

    ``compute(p)`` gives ``(Z, dendrogram, centroids or None, witnesses or None)``; it runs in the first
    ``next()``, the witnesses of the large merges in the second (the small merges' when a payload asks for
    them, :class:`~engine.hac.witness.Witnesses`); both call :func:`engine.core.cancel.check`. A
    :class:`~engine.core.cancel.Cancelled` raised there leaves nothing half done: the next ``next()``
    starts that work again. ``close()`` ends the run.
    """

    def __init__(self, p: Prepared, compute, names=None):
        self.p, self.compute, self.t, self.closed, self.point_names = p, compute, -1, False, names
        self.Z = self.tables = None

    def __iter__(self):
        return self

    def close(self) -> None:
        self.closed = True

    def __next__(self) -> Step:
        p = self.p
        if self.closed or self.t >= p.m - 1:
            self.closed = True
            raise StopIteration
        if self.Z is None:
            self._merge()
        if self.t < 0:
            step = self._start_step()
        else:
            if self.tables is None:
                self.tables = _Tables(p, self.Z, self.dendro, _Witnesses(p, self.dendro, self.cents, self.wit))
            step = self._merge_step()
        self.t += 1
        return step

    def _merge(self) -> None:
        p = self.p
        Z, dendro, cents, wit = self.compute(p)
        self.trace_all = readonly(np.concatenate([[np.nan], dendro.heights]))
        self.names = _ClusterNames(p.groups, self.point_names)
        self.running = np.maximum.accumulate(dendro.heights).tolist()
        self.labels_after = dendro.labels_after
        self.tail = f" ({NORM_NAMES[p.norm]})"
        self.dendro, self.cents, self.wit, self.Z = dendro, cents, wit, Z

    def _start_step(self) -> Step:
        p, m = self.p, self.p.m
        if m <= 6:
            start_txt = f"start: {m} cluster{'s' if m > 1 else ''} {', '.join(self.names.texts)}"
        else:
            start_txt = f"start: {m} clusters" + (" (one per point)" if m == p.n else "")
        done0 = m == 1
        return Step("start", start_txt + (" - nothing to merge" if done0 else ""),
                    labels=functools.partial(self.labels_after, -1), objective=np.nan, trace=self.trace_all[:1],
                    iteration=0, done=done0, status="finished" if done0 else "",
                    payload={"dendrogram": self.dendro, "linkage": p.linkage, "norm": p.norm, "n_links": 0,
                             "n_clusters": m})

    def _merge_step(self) -> Step:
        t, tables = self.t, self.tables
        a, b = tables.ids[t]
        h = tables.heights[t]
        names = self.names
        names.merge(a, b)
        texts = names.texts
        text = f"merged {texts[a]} and {texts[b]} at d_{self.p.linkage} = {h:.4g}{self.tail}"
        if tables.inv[t]:
            text += f" - an inversion: below the earlier merge at {self.running[t - 1]:.4g}"
        last = t == tables.m - 2
        return Step.from_frozen("merge", text, functools.partial(self.labels_after, t), h,
                                self.trace_all[:t + 2], t + 1, last, "finished" if last else "",
                                MergePayload(tables, t))
