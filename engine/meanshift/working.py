"""The working of every mean shift step, recomputed plainly (one window at a time, the textbook formulas).

Independent of :mod:`engine.meanshift.kernels` (no slabs, no blocks): each window's distances to every point
are ``((X - y) ** 2).sum(axis=1)``, the merge is a dict of positions and a sorted list, as scikit-learn
writes it. ``Working.derived`` holds what the tables conclude (``"centers"``, ``"n_inside"``, ``"stopped"``,
``"objective"``, ``"bandwidth"``, ``"mode_of"``, ``"mode_strength"``, ``"labels"``), for every window when
``windows x points <= FULL_LIMIT``; past that only the rows shown are recomputed and ``derived`` keeps the
scalars.

Example
-------
>>> from engine.meanshift import steps
>>> X = np.array([[0.0, 0.0], [0.5, 0.0], [4.0, 0.0]])
>>> run = list(steps(X, bandwidth=1.0))
>>> w = working(X, run, 1, {"bandwidth": 1.0, "kernel": "flat", "seeds": "all"})
>>> w.derived["centers"].tolist() == run[1].centers.tolist()
True
>>> [t.title for t in w.tables][0]
'Every window moves to the mean of the points inside it'
"""
from __future__ import annotations

import math

import numpy as np

from engine.core.working import MAX_ROWS, Table, Working, point_names, shown_rows

__all__ = ["working", "FULL_LIMIT"]

FULL_LIMIT = 4_000_000  # windows x points recomputed in full (beyond: the rows shown only)
STOP = 1e-3  # as engine.meanshift.run.STOP (a window stops after a move <= 1e-3 h)
MAX_MODE_COLUMNS = 20
_COORD = "y"


def _sq(X, y) -> np.ndarray:
    return ((X - y) ** 2).sum(axis=1)


def _density(X, y, h, kernel) -> float:
    d2 = _sq(X, y)
    if kernel == "flat":
        return float(np.maximum(1.0 - d2 / (h * h), 0.0).sum())
    return float(np.exp(-d2 / (2.0 * h * h)).sum())


def _move(X, y, h, kernel):
    """(new position, points within h) of the window at ``y``."""
    d2 = _sq(X, y)
    inside = d2 <= h * h
    if kernel == "flat":
        new = X[inside].mean(axis=0) if inside.any() else y.copy()
    else:
        w = np.exp(-d2 / (2.0 * h * h))
        new = (w[:, None] * X).sum(axis=0) / w.sum() if w.sum() > 0 else y.copy()
    return new, int(inside.sum())


def _window_names(m, seeding, names, n):
    if seeding == "all" and m == n:
        return [f"w({p})" for p in point_names(n, names)]
    return [f"w{j + 1}" for j in range(m)]


def _coords(d, prefix=_COORD, prime=""):
    return [f"{prefix}{prime}_{j + 1}" for j in range(d)]


def _rows(m, n, seeding, rows):
    """The window rows a table shows: the selected points' windows when windows start at every point."""
    return shown_rows(m, rows if seeding == "all" and m == n else None)


def _plain_bandwidth(X) -> tuple[float, Table]:
    n = X.shape[0]
    k = max(1, int(n * 0.3))
    kth = np.array([np.sort(np.sqrt(_sq(X, x)))[k - 1] for x in X])
    h = float(kth.mean())
    idx, cut = shown_rows(n)
    names = point_names(n)
    values = [[float(kth[i])] for i in idx]
    labels = [names[i] for i in idx]
    if cut:
        values.append([h])
        labels.append(f"mean of all {n}")
    return h, Table(f"Bandwidth estimated: each point's distance to its {k}-th nearest point (itself counted)",
                    r"h = \frac{1}{N}\sum_n d(x_n, x_{(k)})", labels, [f"distance to neighbour {k}"], values,
                    note=f"h = mean = {h:.6g} (k = int(0.3 N) = {k}, as scikit-learn's estimate_bandwidth).")


def _plain_bins(X, h) -> np.ndarray:
    cells = {}
    for x in X:
        cells[tuple(np.round(x / h))] = True
    return np.array(sorted(cells), dtype=np.float64) * h


def _init(X, step, params, names, rows) -> Working:
    h, kernel = step.payload["bandwidth"], step.payload["kernel"]
    tables, derived = [], {}
    if float(params.get("bandwidth", 0.0)) == 0.0 and X.shape[0] > 1 and X.shape[0] * X.shape[0] <= FULL_LIMIT:
        est, table = _plain_bandwidth(X)
        tables.append(table)
        if est > 0:
            derived["bandwidth"] = est
    seeding = params.get("seeds", "all")
    Y = np.asarray(step.centers)
    if seeding in ("all", "bins"):
        derived["centers"] = X.copy() if seeding == "all" else _plain_bins(X, h)
    m, n, d = Y.shape[0], X.shape[0], X.shape[1]
    full = m * n <= FULL_LIMIT
    idx, cut = _rows(m, n, seeding, rows)
    which = np.arange(m) if full else idx
    counts = {int(j): int((_sq(X, Y[j]) <= h * h).sum()) for j in which}
    dens = {int(j): _density(X, Y[j], h, kernel) for j in which}
    wn = _window_names(m, seeding, names, n)
    values = [[*Y[j].tolist(), counts[int(j)], dens[int(j)]] for j in idx]
    labels = [wn[j] for j in idx]
    if full:
        derived["n_inside"] = np.array([counts[j] for j in range(m)])
        derived["objective"] = float(np.mean([dens[j] for j in range(m)]))
        if cut:
            values.append(["—"] * d + [int(derived["n_inside"].sum()), derived["objective"]])
            labels.append(f"all {m} windows (density: mean)")
    tables.append(Table("Windows at their starting positions", _density_formula(kernel), labels,
                        _coords(d) + ["points inside (d <= h)", "density at y"], values,
                        note=f"h = {h:.6g}; the objective is the density averaged over the windows."))
    return Working(tuple(tables), derived)


def _density_formula(kernel) -> str:
    if kernel == "flat":
        return r"\hat f(y) = \sum_n \max\left(0,\ 1 - \lVert x_n - y \rVert_2^2 / h^2\right)"
    return r"\hat f(y) = \sum_n e^{-\lVert x_n - y \rVert_2^2 / 2h^2}"


def _move_formula(kernel) -> str:
    if kernel == "flat":
        return r"y' = \frac{1}{|N(y)|} \sum_{x_n \in N(y)} x_n,\quad N(y) = \{x_n : \lVert x_n - y \rVert_2 \le h\}"
    return r"y' = \frac{\sum_n w_n x_n}{\sum_n w_n},\quad w_n = e^{-\lVert x_n - y \rVert_2^2 / 2h^2}"


def _shift(X, prev, step, params, names, rows) -> Working:
    h, kernel = step.payload["bandwidth"], step.payload["kernel"]
    Y0 = np.asarray(prev.centers)
    m, n, d = Y0.shape[0], X.shape[0], X.shape[1]
    was_stopped = np.asarray(prev.payload["stopped"], dtype=bool)
    seeding = params.get("seeds", "all")
    full = m * n <= FULL_LIMIT
    idx, cut = _rows(m, n, seeding, rows)
    which = np.arange(m) if full else idx
    Y1, inside = Y0.copy(), np.asarray(prev.payload["n_inside"]).copy()
    stopped = was_stopped.copy()
    for j in which:
        if not was_stopped[j]:
            Y1[j], inside[j] = _move(X, Y0[j], h, kernel)
            stopped[j] = math.sqrt(float(_sq(Y1[j:j + 1], Y0[j])[0])) <= STOP * h
    wn = _window_names(m, seeding, names, n)
    values, hl = [], []
    for r, j in enumerate(idx):
        move = math.sqrt(float(_sq(Y1[j:j + 1], Y0[j])[0]))
        state = "had stopped" if was_stopped[j] else "stops" if stopped[j] else "moves on"
        values.append([*Y0[j].tolist(), int(inside[j]), *Y1[j].tolist(), move, state])
        if stopped[j] and not was_stopped[j]:
            hl.append((r, 2 * d + 1))
    labels = [wn[j] for j in idx]
    derived = {}
    if full:
        derived = {"centers": Y1, "n_inside": inside, "stopped": stopped,
                   "objective": float(np.mean([_density(X, Y1[j], h, kernel) for j in range(m)]))}
    title = ("Every window moves to the mean of the points inside it" if kernel == "flat"
             else "Every window moves to the Gaussian-weighted mean of the points")
    cols = _coords(d) + ["points inside (d <= h)"] + _coords(d, prime="'") + ["move |y' - y|", "then"]
    table = Table(title, _move_formula(kernel), labels + ([f"({m - len(idx)} more windows)"] if cut else []),
                  cols, values + ([["—"] * len(cols)] if cut else []), highlight=hl,
                  note=f"A window stops after a move <= {STOP:g} h = {STOP * h:.4g} (highlighted); a stopped "
                       "window keeps its place.")
    focus = _focus_window(idx, was_stopped, rows, seeding, m, n)
    tables = [table]
    if focus is not None:
        tables.append(_inside_table(X, Y0[focus], h, kernel, wn[focus], names))
    return Working(tuple(tables), derived)


def _focus_window(idx, was_stopped, rows, seeding, m, n):
    """The window whose points are listed: the first selected point's (windows at every point), else the first
    shown window still moving."""
    if rows is not None and len(rows) and seeding == "all" and m == n and 0 <= int(rows[0]) < m:
        return int(rows[0])
    moving = [int(j) for j in idx if not was_stopped[j]]
    return moving[0] if moving else None


def _inside_table(X, y, h, kernel, name, names) -> Table:
    d2 = _sq(X, y)
    pn = point_names(X.shape[0], names)
    d = X.shape[1]
    if kernel == "flat":
        members = np.flatnonzero(d2 <= h * h)
        w = np.ones(X.shape[0])
    else:
        w = np.exp(-d2 / (2.0 * h * h))
        members = np.argsort(-w, kind="stable")
    shown = members[:MAX_ROWS]
    values = [[*X[i].tolist(), math.sqrt(float(d2[i])), float(w[i])] for i in shown]
    labels = [pn[i] for i in shown]
    tw = float(w[members].sum())
    new = (w[members, None] * X[members]).sum(axis=0) / tw if tw > 0 else y
    if len(members) > len(shown):
        values.append(["—"] * d + ["—", tw])
        labels.append(f"sum over all {len(members)}")
    values.append([*new.tolist(), "—", tw])
    labels.append("new position y'")
    what = "inside" if kernel == "flat" else "by weight (largest first)"
    return Table(f"The points of window {name} {what}", r"d_n = \lVert x_n - y \rVert_2,\quad w_n", labels,
                 _coords(d, "x") + ["d_n", "weight w_n"], values, highlight=[(len(values) - 1, j) for j in range(d)],
                 note=f"The window was at ({', '.join(f'{v:.4g}' for v in y)}); y' = sum of w_n x_n / sum of w_n.")


def _plain_merge(W, strength, alive, h):
    """scikit-learn's post-processing, as it writes it: a dict position -> strength (last window wins), sorted by
    (strength, position) descending, then each position not yet merged keeps the ones within h."""
    found = {}
    for j in np.flatnonzero(alive):
        found[tuple(W[j].tolist())] = int(strength[j])
    ranked = sorted(found.items(), key=lambda t: (t[1], t[0]), reverse=True)
    P = np.array([p for p, _ in ranked], dtype=np.float64)
    into = np.full(len(P), -1)
    modes = []
    for i in range(len(P)):
        if into[i] >= 0:
            continue
        near = np.flatnonzero((np.sqrt(_sq(P, P[i])) <= h) & (into < 0))
        into[near] = len(modes)
        into[i] = len(modes)
        modes.append(i)
    where = {p: i for i, (p, _) in enumerate(ranked)}
    mode_of = np.array([into[where[tuple(W[j].tolist())]] if alive[j] else -1 for j in range(W.shape[0])])
    return P, np.array([s for _, s in ranked]), into, modes, mode_of


def _merge(prev, step, h) -> Working:
    W = np.asarray(prev.centers)
    d = W.shape[1]
    alive = ~np.asarray(prev.payload["empty"], dtype=bool)
    P, S, into, modes, mode_of = _plain_merge(W, prev.payload["n_inside"], alive, h)
    idx, cut = shown_rows(len(P))
    values, hl = [], []
    for r, i in enumerate(idx):
        k = int(into[i])
        dist = math.sqrt(float(_sq(P[i:i + 1], P[modes[k]])[0]))
        becomes = f"mode {k + 1}" if modes[k] == i else f"merges into mode {k + 1}"
        values.append([*P[i].tolist(), int(S[i]), becomes, dist])
        if modes[k] == i:
            hl.append((r, d + 1))
    labels = [f"p{i + 1}" for i in idx] + ([f"({len(P) - len(idx)} more)"] if cut else [])
    values += [["—"] * (d + 3)] if cut else []
    t1 = Table("The windows' final positions, strongest first", r"\lVert p_i - p_j \rVert_2 \le h",
               labels, _coords(d, "p") + ["strength (points inside)", "becomes", "distance to its mode"], values,
               highlight=hl, note=f"Equal positions count once. Going down the list, a position not merged yet "
                                  f"becomes a mode and takes every position within h = {h:.4g}.")
    sizes = np.bincount(mode_of[mode_of >= 0], minlength=len(modes))
    t2 = Table("Modes", "", [f"mode {k + 1}" for k in range(len(modes))],
               _coords(d, "m") + ["strength", "windows merged into it"],
               [[*P[i].tolist(), int(S[i]), int(sizes[k])] for k, i in enumerate(modes)])
    derived = {"centers": P[modes], "mode_strength": S[modes], "mode_of": mode_of}
    return Working((t1, t2), derived)


def _assign(X, step, names, rows) -> Working:
    M = np.asarray(step.centers)
    n, k = X.shape[0], M.shape[0]
    D = np.sqrt(np.array([_sq(M, x) for x in X]))
    labels = D.argmin(axis=1)
    idx, cut = shown_rows(n, rows)
    shown_k = min(k, MAX_MODE_COLUMNS)
    pn = point_names(n, names)
    values = [[*D[i, :shown_k].tolist(), f"mode {int(labels[i]) + 1}"] for i in idx]
    hl = [(r, int(labels[i])) for r, i in enumerate(idx) if labels[i] < shown_k]
    row_labels = [pn[i] for i in idx]
    if cut:
        values.append([float(D[np.arange(n), labels].sum())] + ["—"] * (shown_k - 1) + ["(sum of minima)"])
        row_labels.append(f"all {n} points")
    cols = [f"mode {j + 1}" for j in range(shown_k)] + ["nearest"]
    more = f" (the first {shown_k} of {k} modes shown)" if shown_k < k else ""
    table = Table("Distances to the modes", r"\lVert x_n - m_k \rVert_2", row_labels, cols, values, highlight=hl,
                  note=f"Each point goes to its nearest mode (ties: the stronger one){more}.")
    return Working((table,), {"labels": labels})


def working(X, steps, index, params, names=None, rows=None) -> Working:
    """The working of ``steps[index]`` (see :mod:`engine.core.working` for the arguments)."""
    step = steps[index]
    seeds = params.get("seeds", "all")
    params = {**params, "seeds": seeds if isinstance(seeds, str) else "given"}
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    if step.kind == "init":
        return _init(X, step, params, names, rows)
    if step.kind == "shift":
        return _shift(X, steps[index - 1], step, params, names, rows)
    if step.kind == "merge":
        return _merge(steps[index - 1], step, step.payload["bandwidth"])
    if step.kind == "assign":
        return _assign(X, step, names, rows)
    raise ValueError(f"mean shift has no step of kind {step.kind!r}")
