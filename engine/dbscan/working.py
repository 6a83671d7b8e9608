r"""The working of DBSCAN's steps, recomputed by brute force (every distance, no grid).

* ``"core"``: per point the number of points within ε (itself included) and whether that reaches
  ``min_samples``; with at most :data:`~engine.core.working.MAX_ROWS` points the whole distance table
  too, the distances <= ε highlighted. Derived: ``counts`` and ``labels`` (all -1).
* ``"expand"``: the new wave — the core points in no cluster yet within ε of the previous wave of the
  growing cluster, each with the point of that wave that reached it (the lowest-index one within ε) and
  their distance; when no such point is left, the next cluster starts at the lowest-index core point in
  no cluster (its seed) with the seed's core neighbours. Derived: ``frontier``, ``reached_by``, ``labels``.
* ``"border"``: per non-core point its nearest core point and distance, the clusters of the core points
  within ε, and the cluster it joins (the smallest number) or noise. Derived: ``border``, ``noise``,
  ``border_from``, ``labels``.

The core mask a later step starts from is the core step's (whose working checks it). With more than
:data:`BRUTE_MAX` points only the shown rows are computed and nothing is derived.

Example
-------
>>> from engine.dbscan.expand import run
>>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [5.0, 5.0]])
>>> run_steps = list(run(X, 1.0, 3, "l1"))
>>> w = working(X, run_steps, 0, {"eps": 1.0, "min_samples": 3, "metric": "l1"})
>>> w.derived["counts"].tolist(), [t.title for t in w.tables]
([3, 2, 2, 1], ['Points within ε', 'Distances d(x_i, x_j)'])
>>> working(X, run_steps, 2, {"eps": 1.0, "min_samples": 3, "metric": "l1"}).derived["labels"].tolist()
[0, 0, 0, -1]
"""
from __future__ import annotations

import numpy as np

from engine.core.working import MAX_ROWS, Table, Working, point_names, shown_rows

__all__ = ["working", "BRUTE_MAX", "distances"]

BRUTE_MAX = 20_000  # up to this many points every distance is computed; beyond, only the shown rows
FORMULA = {"l1": r"\lVert x_i - x_j \rVert_1", "l2": r"\lVert x_i - x_j \rVert_2",
           "linf": r"\lVert x_i - x_j \rVert_\infty"}
BLOCK = 1 << 21


def distances(A: np.ndarray, B: np.ndarray, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """Every distance between the rows of ``A`` and of ``B``, and the value compared with ε (the squared
    distance for ℓ2, as the engine compares ``sum of squares <= ε²``; the distance itself otherwise)."""
    out = np.empty((A.shape[0], B.shape[0]))
    step = max(1, BLOCK // max(1, B.shape[0] * A.shape[1]))
    for s in range(0, A.shape[0], step):
        diff = A[s:s + step, None, :] - B[None, :, :]
        if metric == "l2":
            out[s:s + step] = (diff * diff).sum(axis=2)
        elif metric == "l1":
            out[s:s + step] = np.abs(diff).sum(axis=2)
        else:
            out[s:s + step] = np.abs(diff).max(axis=2)
    return (np.sqrt(out) if metric == "l2" else out), out


def _within(test: np.ndarray, eps: float, metric: str) -> np.ndarray:
    return test <= (eps * eps if metric == "l2" else eps)


def _pick(candidates: np.ndarray, rows) -> tuple[np.ndarray, bool]:
    """The candidates a table shows: all up to MAX_ROWS; else the selected ones among them, else the first."""
    if candidates.size <= MAX_ROWS:
        return candidates, False
    if rows is not None and len(rows):
        chosen = candidates[np.isin(candidates, np.asarray(rows, dtype=np.int64))][:MAX_ROWS]
        if chosen.size:
            return chosen, True
    return candidates[:MAX_ROWS], True


def _core_step(X, params, names, rows) -> Working:
    n = X.shape[0]
    eps, ms, metric = params["eps"], params["min_samples"], params["metric"]
    full = n <= BRUTE_MAX
    idx, cut = (np.arange(n), False) if full and n <= MAX_ROWS else shown_rows(n, rows)
    src = np.arange(n) if full else idx
    counts = np.concatenate([_within(distances(X[src[s:s + 256]], X, metric)[1], eps, metric).sum(axis=1)
                             for s in range(0, src.size, 256)]) if src.size else np.zeros(0, dtype=np.int64)
    by_point = dict(zip(src.tolist(), counts.tolist()))
    values = [[by_point[i], bool(by_point[i] >= ms)] for i in idx.tolist()]
    hl = [(r, 1) for r, v in enumerate(values) if v[1]]
    label = point_names(n, names)
    row_names = [label[i] for i in idx]
    if cut:
        core_total = int((counts >= ms).sum()) if full else "—"
        row_names.append(f"all {n} points")
        values.append(["—", core_total])
    tables = [Table("Points within ε", rf"|\{{x_j : {FORMULA[metric]} \le \varepsilon\}}| \ge {ms}",
                    row_names, ["points within ε (itself included)", "core"], values, highlight=hl,
                    note=f"ε = {eps:g}; a point is core when at least min_samples = {ms} points, itself "
                         "included, lie within ε of it.")]
    if n <= MAX_ROWS:
        D, test = distances(X, X, metric)
        inside = _within(test, eps, metric)
        tables.append(Table("Distances d(x_i, x_j)", FORMULA[metric], label, label, D.tolist(),
                            highlight=[tuple(p) for p in np.argwhere(inside).tolist()],
                            note="Highlighted: distances <= ε (the diagonal is each point itself)."))
    derived = {"counts": counts, "labels": np.full(n, -1, dtype=np.int64)} if full else {}
    return Working(tuple(tables), derived)


def _next_wave(X, prev, before, core, eps, metric):
    """(cluster, wave points, reached-by) of the step after the labels ``prev`` (``before``: the labels
    one step earlier), by brute force."""
    free = np.flatnonzero(core & (prev < 0))
    k = int(prev.max(initial=-1))
    if k >= 0 and free.size:
        last = np.flatnonzero((prev == k) & (before != k))
        D, test = distances(X[free], X[last], metric)
        inside = _within(test, eps, metric)
        hit = inside.any(axis=1)
        if hit.any():
            reached = last[np.argmax(inside[hit], axis=1)]  # the first True: the lowest index (last is sorted)
            return k, free[hit], reached
    seed = int(free[0])
    D, test = distances(X[free], X[seed:seed + 1], metric)
    wave = free[_within(test[:, 0], eps, metric)]
    return k + 1, wave, np.full(wave.size, seed)


def _expand_step(X, steps, index, params, names, rows) -> Working:
    n = X.shape[0]
    eps, metric = params["eps"], params["metric"]
    core = np.asarray(steps[0].payload["core"], dtype=bool)
    prev = np.asarray(steps[index - 1].labels, dtype=np.int64)
    before = np.asarray(steps[index - 2].labels, dtype=np.int64) if index >= 2 else np.full(n, -1)
    k, wave, reached = _next_wave(X, prev, before, core, eps, metric)
    d = np.array([distances(X[i:i + 1], X[j:j + 1], metric)[0][0, 0] for i, j in zip(wave, reached)])
    label = point_names(n, names)
    shown, cut = _pick(wave, rows)
    pos = {int(p): r for r, p in enumerate(wave)}
    values = [[label[int(reached[pos[int(p)]])], float(d[pos[int(p)]]), k + 1] for p in shown]
    row_names = [label[int(p)] for p in shown]
    if cut:
        row_names.append(f"all {wave.size} points of the wave")
        values.append(["—", float(d.max()), k + 1])
    seed_note = (f"Cluster {k + 1} starts at {label[int(reached[0])]}, the lowest-index core point in no cluster "
                 "yet; its core neighbours join it." if (reached == reached[0]).all() and prev.max(initial=-1) < k
                 else "The core points in no cluster yet within ε of the previous wave join it; each is reached "
                      "by its lowest-index neighbour in that wave.")
    table = Table(f"Wave of cluster {k + 1}", rf"{FORMULA[metric]} \le \varepsilon = {eps:g}", row_names,
                  ["reached by", "distance", "cluster"], values, highlight=[(r, 1) for r in range(len(shown))],
                  note=seed_note)
    labels = prev.copy()
    labels[wave] = k
    return Working((table,), {"frontier": wave, "reached_by": reached, "labels": labels})


def _border_step(X, steps, index, params, names, rows) -> Working:
    n = X.shape[0]
    eps, metric = params["eps"], params["metric"]
    core = np.asarray(steps[0].payload["core"], dtype=bool)
    prev = np.asarray(steps[index - 1].labels, dtype=np.int64)
    others, cores = np.flatnonzero(~core), np.flatnonzero(core)
    full = n <= BRUTE_MAX
    shown, cut = _pick(others, rows)
    todo = others if full else shown
    labels = prev.copy()
    join, src = np.full(n, -1), np.full(n, -1)
    nearest, near_d, within_txt = {}, {}, {}
    for s in range(0, todo.size, 256):
        part = todo[s:s + 256]
        D, test = distances(X[part], X[cores], metric) if cores.size else (np.zeros((part.size, 0)),) * 2
        inside = _within(test, eps, metric)
        for r, p in enumerate(part.tolist()):
            if cores.size:
                j = int(np.argmin(D[r]))
                nearest[p], near_d[p] = int(cores[j]), float(D[r, j])
            ks = sorted(set(prev[cores[inside[r]]].tolist()))
            within_txt[p] = ", ".join(str(c + 1) for c in ks) or "none"
            if ks:
                join[p] = ks[0]
                src[p] = int(cores[inside[r] & (prev[cores] == ks[0])][0])
    labels[todo] = join[todo]
    label = point_names(n, names)
    values = [[label[nearest[p]] if p in nearest else "—", near_d.get(p, float("inf")), within_txt[p],
               f"cluster {join[p] + 1}" if join[p] >= 0 else "noise"] for p in shown.tolist()]
    row_names = [label[p] for p in shown.tolist()]
    if cut:
        row_names.append(f"all {others.size} non-core points")
        values.append(["—", "—", "—", f"{int((join[todo] >= 0).sum())} border" if full else "—"])
    hl = [(r, 3) for r, p in enumerate(shown.tolist()) if join[p] >= 0]
    table = Table("Border points and noise", rf"\min_{{c \text{{ core}}}} {FORMULA[metric].replace('x_j', 'c')}",
                  row_names, ["nearest core point", "distance", "clusters within ε", "joins"], values,
                  highlight=hl, note=f"ε = {eps:g}. A point that is not core joins the cluster with the smallest "
                                     "number among its core neighbours (scikit-learn's order); with no core point "
                                     "within ε it is noise.")
    if not full:
        return Working((table,), {})
    border = others[join[others] >= 0]
    return Working((table,), {"labels": labels, "border": border, "border_from": src[border],
                              "noise": np.flatnonzero(labels < 0)})


def working(X, steps, index, params, names=None, rows=None) -> Working:
    """The working of ``steps[index]`` (see the module docstring and :mod:`engine.core.working`)."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    kind = steps[index].kind
    if kind == "core":
        return _core_step(X, params, names, rows)
    if kind == "expand":
        return _expand_step(X, steps, index, params, names, rows)
    return _border_step(X, steps, index, params, names, rows)
