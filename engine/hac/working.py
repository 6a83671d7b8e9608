"""The working of HAC steps: the arithmetic behind every merge, recomputed by the textbook formulas.

:func:`working` (the registry's ``Algorithm.working`` of HAC; the contract is
:mod:`engine.core.working`) explains ``steps[index]``:

* the start step: the points and their starting clusters;
* a merge step, from the clusters *before* it (``steps[index - 1].labels``):

  1. the cluster-distance matrix by the definition of the linkage (clusters named by their
     points, ``{x1, x2}``), the merged pair highlighted, with every pair tied with it; with
     more than :data:`~engine.core.working.MAX_ROWS` clusters, the merged pair and the
     clusters nearest to it;
  2. the merged pair's distance expanded (:mod:`engine.hac.working_pairs`): min / max —
     every point-pair distance, the chosen one highlighted; avg — the pair distances and
     their mean; centroid — both means and their distance; Ward — sizes, squared errors
     and their increase;
  3. the merge: the new cluster, its size and height.

Tie rule (the engine's, :mod:`engine.hac`): among pairs at the same distance (here: equal up to
a relative ``1e-12``, so that rounding in the engine's updates cannot hide a tie), the pair whose
(smaller, larger) *representative* — the smallest starting-cluster id it holds — is
lexicographically smallest merges.

The whole matrix is searched when that takes at most :data:`FULL_WORK` coordinate differences
(``n² d`` for min / max / avg, ``m² d`` for centroid / Ward, ``m`` clusters); then
:attr:`Working.derived` states what the working concludes — the merge height (``"objective"``,
``"distance"``), the new cluster's ``"size"``, the clusters left (``"n_clusters"``) and the
``"labels"`` after the merge, numbered by smallest member as the steps number them. Larger
problems take the merged pair from the step and recompute its distance only (min / max / avg
pairs of more than :data:`~engine.hac.working_pairs.PAIR_WORK` coordinate differences not even
that: the height is then the step's and not in ``derived``).

Example
-------
>>> from engine.hac import steps
>>> X = [[0.0], [1.0], [3.0]]
>>> run = list(steps(X, linkage="max"))
>>> w = working(X, run, 2, {"norm": "l2", "linkage": "max"})
>>> w.derived["objective"], w.derived["labels"].tolist()
(3.0, [0, 0, 0])
>>> [t.title for t in w.tables][:2]
['Cluster distances before the merge (d_max, ℓ2)', 'Point distances between {x1, x2} and {x3}']
"""
from __future__ import annotations

import numpy as np

from engine.core.norms import NORM_SYMBOLS
from engine.core.working import MAX_ROWS, Table, Working, fmt, point_names, shown_rows
from engine.hac.working_pairs import (MAX_FEATURES, NORM_SUB, PAIR_WORK, TIE_RTOL, coord_names,
                                      expansion, pair_stats, point_distances, set_name)

__all__ = ["working", "FULL_WORK", "TIE_RULE"]

#: The whole cluster-distance matrix is recomputed when it takes at most this many coordinate differences.
FULL_WORK = 8_000_000
TIE_RULE = ("Tie rule: among pairs at the same distance (equal up to rounding), the pair whose (smaller, larger) "
            "representative — the smallest starting cluster it holds — comes first merges.")
_FORMULA = {
    "min": r"d_{\min}(G, G') = \min_{x \in G,\, x' \in G'} \lVert x - x' \rVert_{%s}",
    "max": r"d_{\max}(G, G') = \max_{x \in G,\, x' \in G'} \lVert x - x' \rVert_{%s}",
    "avg": r"d_{\mathrm{avg}}(G, G') = \frac{1}{|G||G'|} \sum_{x \in G} \sum_{x' \in G'} \lVert x - x' \rVert_{%s}",
    "centroid": r"d_{\mathrm{centroid}}(G, G') = \lVert \mu_G - \mu_{G'} \rVert_{%s}",
    "ward": r"d_{\mathrm{Ward}}(G, G') = \sqrt{\frac{2 |G||G'|}{|G| + |G'|}} \lVert \mu_G - \mu_{G'} \rVert_{%s}",
}


def working(X, steps, index, params, names=None, rows=None) -> Working:
    """The working of ``steps[index]`` of an HAC run on the points ``X`` (see the module docstring)."""
    step = steps[index]
    norm = params.get("norm") or step.payload.get("norm", "l2")
    linkage = params.get("linkage") or step.payload.get("linkage", "min")
    if X is None or step.payload.get("norm") == "precomputed":
        return Working((Table("Precomputed distances", "", ["note"], ["value"],
                              [["the run was given a distance matrix, not points: no working to show"]]),), {})
    X = np.asarray(X, dtype=float)
    names = point_names(X.shape[0], names)
    start_of = _start_ids(steps, X.shape[0])
    if index == 0 or step.kind != "merge":
        return _start(X, _Clusters(step.labels, start_of), names, rows)
    return _merge(X, steps, index, norm, linkage, names, rows, start_of)


class _Clusters:
    """The clusters of a labelling: members (ascending), sizes, representatives, names."""

    def __init__(self, labels, start_of):
        self.labels = np.asarray(labels, dtype=np.intp)
        self.m = int(self.labels.max()) + 1
        self.order = np.argsort(self.labels, kind="stable")
        self.sizes = np.bincount(self.labels, minlength=self.m)
        self.starts = np.concatenate([[0], np.cumsum(self.sizes)[:-1]]).astype(np.intp)
        self.groups = np.split(self.order, self.starts[1:])
        self.rep = np.minimum.reduceat(start_of[self.order], self.starts)

    def name(self, c, names) -> str:
        return set_name(self.groups[c], names)


def _start_ids(steps, n) -> np.ndarray:
    """Starting-cluster id of every point, as the engine numbers them (the start step's dendrogram leaves)."""
    dendro = steps[0].payload.get("dendrogram")
    if dendro is None:
        return np.asarray(steps[0].labels, dtype=np.intp)
    m = dendro.n_leaves
    first = np.argsort(dendro.node_start[:m], kind="stable")
    out = np.empty(n, dtype=np.intp)
    out[dendro.point_order] = np.repeat(first, (dendro.node_stop[:m] - dendro.node_start[:m])[first])
    return out


def _start(X, cl: _Clusters, names, rows) -> Working:
    n, d = X.shape
    idx, cut = shown_rows(n, rows)
    feats = coord_names(d) if d <= MAX_FEATURES else ["‖x‖ (ℓ2)"]
    coords = X[idx] if d <= MAX_FEATURES else np.sqrt((X[idx] ** 2).sum(axis=1))[:, None]
    values = [list(c) + [cl.name(cl.labels[i], names)] for i, c in zip(idx, coords)]
    labels = [names[i] for i in idx]
    if cut:
        values.append([float("nan")] * len(feats) + [f"{cl.m} clusters in all"])
        labels.append(f"... {n - idx.size} more points")
    note = f"{n} points in {cl.m} starting cluster{'s' if cl.m != 1 else ''}" + (
        "" if d <= MAX_FEATURES else f"; the {d} coordinates are summarised by each point's ℓ2 norm") + "."
    points = Table("The points and their starting clusters", "", labels, feats + ["starting cluster"], values,
                   note=note)
    return Working((points,), {})


def _matrix(X, cl: _Clusters, linkage, norm) -> np.ndarray:
    """The m x m cluster distances by the definition (nan on the diagonal)."""
    s = cl.sizes.astype(float)
    if linkage in ("centroid", "ward"):
        mu = np.add.reduceat(X[cl.order], cl.starts, axis=0) / s[:, None]
        R = point_distances(mu, mu, "l2" if linkage == "ward" else norm)
        if linkage == "ward":
            R = np.sqrt(2.0 * np.outer(s, s) / np.add.outer(s, s)) * R
    else:
        Xs = X[cl.order]
        P = point_distances(Xs, Xs, norm)
        op = {"min": np.minimum, "max": np.maximum, "avg": np.add}[linkage]
        R = op.reduceat(op.reduceat(P, cl.starts, axis=0), cl.starts, axis=1)
        if linkage == "avg":
            R = R / np.outer(s, s)
    np.fill_diagonal(R, np.nan)
    return R


def _full(cl: _Clusters, linkage, X) -> bool:
    n, d = X.shape
    count = cl.m if linkage in ("centroid", "ward") else n
    return count * count * d <= FULL_WORK


def _closest(R, rep):
    """The merging pair ``(a, b)`` by the tie rule, its distance, and every pair tied with it."""
    i, j = np.triu_indices(R.shape[0], 1)
    v = R[i, j]
    h = float(v.min())
    tied = np.flatnonzero(v <= h + TIE_RTOL * abs(h))
    lo, hi = np.minimum(rep[i[tied]], rep[j[tied]]), np.maximum(rep[i[tied]], rep[j[tied]])
    best = tied[np.lexsort((hi, lo))[0]]
    return int(i[best]), int(j[best]), float(v[best]), list(zip(i[tied].tolist(), j[tied].tolist()))


def _step_pair(cl: _Clusters, step):
    """The merged pair as the step names it (its members' clusters before the merge)."""
    a = int(cl.labels[int(step.payload["members_a"][0])])
    b = int(cl.labels[int(step.payload["members_b"][0])])
    return min(a, b), max(a, b)


def _merge(X, steps, index, norm, linkage, names, rows, start_of) -> Working:
    cl = _Clusters(steps[index - 1].labels, start_of)
    full = _full(cl, linkage, X)
    if full:
        R = _matrix(X, cl, linkage, norm)
        a, b, _, tied = _closest(R, cl.rep)
        matrix = _matrix_table(R, cl, a, b, tied, linkage, norm, names, rows)
    else:
        a, b = _step_pair(cl, steps[index])
        matrix = _near_table(X, cl, a, b, linkage, norm, names)
    A, B = cl.groups[a], cl.groups[b]
    pair_tables, h, recomputed = expansion(X, A, B, linkage, norm, names, rows,
                                           steps[index].payload.get("distance"))
    labels = cl.labels.copy()
    labels[labels == b] = a
    labels = _by_first(labels)
    before = [s.objective for s in steps[1:index] if s.kind == "merge"]
    note = ""
    if before and h < max(before) * (1 - TIE_RTOL):
        note = f"An inversion: this merge is lower than the earlier merge at {fmt(max(before))}."
    result = Table("The merge", rf"h = d_{{\mathrm{{{linkage}}}}}(G, G')", [set_name(np.concatenate([A, B]), names)],
                   ["size", "height h", "clusters left"], [[len(A) + len(B), h, cl.m - 1]], highlight=[(0, 1)],
                   note=note)
    derived = {"size": len(A) + len(B), "n_clusters": cl.m - 1, "labels": labels}
    if recomputed:
        derived.update(objective=h, distance=h)
    return Working((matrix, *pair_tables, result), derived)


def _by_first(labels) -> np.ndarray:
    """Labels renumbered by first appearance (the cluster of point 0 is 0, ...), as the steps number them."""
    _, first, inv = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.empty(first.size, dtype=np.intp)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    return rank[inv.ravel()]


def _title(linkage, norm) -> str:
    return f"Cluster distances before the merge (d_{linkage}, {NORM_SYMBOLS['l2' if linkage == 'ward' else norm]})"


def _matrix_table(R, cl: _Clusters, a, b, tied, linkage, norm, names, rows) -> Table:
    """The cluster-distance matrix (all clusters, or the merged pair and the nearest others), ties highlighted."""
    shown = np.arange(cl.m)
    note = ""
    if cl.m > MAX_ROWS:
        near = np.fmin(R[a], R[b])
        near[[a, b]] = -np.inf
        picked = [a, b]
        if rows is not None:
            picked += [int(cl.labels[r]) for r in np.asarray(rows, dtype=np.intp) if 0 <= r < cl.labels.size]
        picked += np.argsort(near, kind="stable").tolist()
        shown = np.array(sorted(list(dict.fromkeys(picked))[:MAX_ROWS]))
        note = (f"{cl.m} clusters: shown are the merged pair and the {shown.size - 2} clusters nearest to it; "
                "all were searched. ")
    pos = {int(c): p for p, c in enumerate(shown)}
    hl = [(pos[i], pos[j]) for i, j in tied if i in pos and j in pos]
    if len(tied) > 1:
        pairs = "; ".join(f"{cl.name(i, names)}–{cl.name(j, names)} ({min(cl.rep[i], cl.rep[j])}, "
                          f"{max(cl.rep[i], cl.rep[j])})" for i, j in tied[:6]) + ("; ..." if len(tied) > 6 else "")
        note += (f"{len(tied)} pairs tie at {fmt(R[a, b])} (representatives in brackets): {pairs}. "
                 f"{cl.name(a, names)} and {cl.name(b, names)} merge. ")
    labels = [cl.name(c, names) for c in shown]
    return Table(_title(linkage, norm), _FORMULA[linkage] % NORM_SUB["l2" if linkage == "ward" else norm],
                 labels, labels, R[np.ix_(shown, shown)].tolist(), highlight=hl, note=note + TIE_RULE)


def _pair_value(X, G, H, linkage, norm) -> float:
    """The cluster distance of the point sets ``G`` and ``H`` by the definition (``nan``: min / max / avg over
    more than a share of :data:`~engine.hac.working_pairs.PAIR_WORK` coordinate differences, not recomputed)."""
    if linkage in ("min", "max", "avg"):
        if len(G) * len(H) * X.shape[1] > PAIR_WORK // MAX_ROWS:
            return float("nan")
        lo, _, hi, _, total = pair_stats(X[G], X[H], norm)
        return {"min": lo, "max": hi, "avg": total / (len(G) * len(H))}[linkage]
    mu_g, mu_h = X[G].mean(axis=0)[None], X[H].mean(axis=0)[None]
    gap = float(point_distances(mu_g, mu_h, "l2" if linkage == "ward" else norm)[0, 0])
    return gap if linkage == "centroid" else float(np.sqrt(2.0 * len(G) * len(H) / (len(G) + len(H)))) * gap


def _near_table(X, cl: _Clusters, a, b, linkage, norm, names) -> Table:
    """Too many points to search every pair here: the merged pair's distances to the clusters nearest to it."""
    mu = np.add.reduceat(X[cl.order], cl.starts, axis=0) / cl.sizes[:, None]
    gap = point_distances(mu[[a, b]], mu, "l2").min(axis=0)
    gap[[a, b]] = -np.inf
    shown = np.array(sorted(np.argsort(gap, kind="stable")[:MAX_ROWS].tolist()))
    values = [[float("nan") if c == r else _pair_value(X, cl.groups[r], cl.groups[c], linkage, norm) for c in shown]
              for r in (a, b)]
    pos = {int(c): p for p, c in enumerate(shown)}
    return Table(_title(linkage, norm), _FORMULA[linkage] % NORM_SUB["l2" if linkage == "ward" else norm],
                 [cl.name(a, names), cl.name(b, names)], [cl.name(c, names) for c in shown], values,
                 highlight=[(0, pos[b])],
                 note=f"{cl.m} clusters of {X.shape[0]} points, too many to search every pair here: the merged pair "
                      "is the step's; its distances to the clusters with the nearest means are recomputed (— where "
                      "they hold too many pairs). " + TIE_RULE)
