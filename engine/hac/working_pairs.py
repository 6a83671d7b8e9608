"""The working of one HAC merge, part two: the merged pair's cluster distance expanded by its definition.

:func:`expansion` gives the tables that show *why* two clusters are at the distance they merged at:

* min / max: every point-pair distance between the two clusters (large clusters: the
  first rows and columns, the pair that realises the distance always among them), the
  pairs at the merge distance highlighted;
* avg: the same distances, their sum, the number of pairs and the mean;
* centroid: both means and the norm of their difference;
* Ward: sizes, means and squared errors before and after, and the increase in squared error.

Everything is recomputed from the points by the textbook formula (:func:`point_distances`:
differences, absolute values, sums / maxima), independent of :mod:`engine.hac`'s merge loops.

Example
-------
>>> import numpy as np
>>> point_distances(np.array([[0.0, 0.0]]), np.array([[3.0, 4.0], [1.0, 1.0]]), "l1").tolist()
[[7.0, 2.0]]
>>> set_name([0, 1], ["x1", "x2"])
'{x1, x2}'
"""
from __future__ import annotations

import numpy as np

from engine.core.norms import NORM_SYMBOLS
from engine.core.working import MAX_ROWS, Table, fmt

__all__ = ["point_distances", "pair_stats", "set_name", "expansion", "coord_names", "NORM_TEX", "NORM_SUB", "MAX_COLS",
           "MAX_FEATURES", "TIE_RTOL", "PAIR_WORK"]

#: Point-pair tables show at most this many columns (points of the second cluster).
MAX_COLS = 12
#: Coordinates are listed as columns up to this many features (more: only distances and norms).
MAX_FEATURES = 10
#: min / max / avg pairs are recomputed up to this many coordinate differences (|A| |B| d).
PAIR_WORK = 50_000_000
#: Distances that differ by at most this (relative) are equal: a tie.
TIE_RTOL = 1e-12
#: LaTeX of the point distance and of the norm's subscript.
NORM_SUB = {"l1": "1", "l2": "2", "linf": r"\infty"}
NORM_TEX = {k: rf"\lVert x - x' \rVert_{{{v}}}" for k, v in NORM_SUB.items()}
_BLOCK = 1 << 18  # elements of a (rows, columns, features) temporary


def point_distances(A, B, norm: str) -> np.ndarray:
    """``||a - b||_p`` for every row ``a`` of ``A`` and ``b`` of ``B``, shape ``(len(A), len(B))``.

    The definition, block by block: ℓ1 sums the absolute differences, ℓ∞ takes their maximum,
    ℓ2 the square root of the sum of their squares.
    """
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    out = np.empty((A.shape[0], B.shape[0]))
    step = max(1, _BLOCK // max(1, B.shape[0] * A.shape[1]))
    for r in range(0, A.shape[0], step):
        diff = np.abs(A[r:r + step, None, :] - B[None, :, :])
        if norm == "l1":
            out[r:r + step] = diff.sum(axis=2)
        elif norm == "linf":
            out[r:r + step] = diff.max(axis=2)
        else:
            out[r:r + step] = np.sqrt((diff * diff).sum(axis=2))
    return out


def set_name(members, names) -> str:
    """A cluster by its points' names: ``{x1, x2}``; more than 4 points: ``{x1, x2, x3, ... (7 points)}``."""
    members = sorted(int(i) for i in members)
    if len(members) <= 4:
        return "{" + ", ".join(names[i] for i in members) + "}"
    return "{" + ", ".join(names[i] for i in members[:3]) + f", ... ({len(members)} points)}}"


def coord_names(d: int) -> list[str]:
    """Column labels of the coordinates: ``x`` in one dimension, else ``f1 .. fd``."""
    return ["x"] if d == 1 else [f"f{j + 1}" for j in range(d)]


def _pick(members, must, limit, rows=None) -> np.ndarray:
    """Positions (into ``members``) of at most ``limit`` points: ``must`` first, then selected ``rows``, then the
    first ones; in the members' order."""
    members = np.asarray(members)
    if members.size <= limit:
        return np.arange(members.size)
    chosen = list(dict.fromkeys(int(p) for p in must))
    if rows is not None:
        chosen += [int(p) for p in np.flatnonzero(np.isin(members, np.asarray(rows, dtype=np.intp)))]
    chosen += list(range(limit))
    return np.array(sorted(list(dict.fromkeys(chosen))[:limit]), dtype=np.intp)


def pair_stats(XA, XB, norm):
    """Over every pair of a point of ``XA`` and one of ``XB``: (min, its position, max, its position, sum)."""
    lo, hi, total = np.inf, -np.inf, 0.0
    lo_at = hi_at = (0, 0)
    step = max(1, (1 << 20) // max(1, XB.shape[0]))
    for r in range(0, XA.shape[0], step):
        P = point_distances(XA[r:r + step], XB, norm)
        i, j = np.unravel_index(int(P.argmin()), P.shape)
        if P[i, j] < lo:
            lo, lo_at = float(P[i, j]), (r + int(i), int(j))
        i, j = np.unravel_index(int(P.argmax()), P.shape)
        if P[i, j] > hi:
            hi, hi_at = float(P[i, j]), (r + int(i), int(j))
        total += float(P.sum())
    return lo, lo_at, hi, hi_at, total


def expansion(X, A, B, linkage: str, norm: str, names, rows=None, h_step=None) -> tuple:
    """The tables of the merged pair's distance under ``linkage`` (``A``, ``B``: the clusters' point indices,
    ascending). Returns ``(tables, distance, recomputed)``: the distance by the definition, or, for min / max / avg
    over more than :data:`PAIR_WORK` coordinate differences, the step's ``h_step`` (``recomputed`` False)."""
    if linkage in ("min", "max", "avg"):
        if len(A) * len(B) * X.shape[1] > PAIR_WORK:
            return _too_many_pairs(X, A, B, linkage, norm, names, rows, h_step), h_step, False
        return (*_pairs(X, A, B, linkage, norm, names, rows), True)
    if linkage == "centroid":
        return (*_centroid(X, A, B, norm, names), True)
    return (*_ward(X, A, B, names), True)


def _pair_formula(linkage, norm) -> str:
    op = {"min": r"\min", "max": r"\max", "avg": r"\frac{1}{|G||G'|}\sum"}[linkage]
    return rf"d_{{\mathrm{{{linkage}}}}}(G, G') = {op}_{{x \in G,\, x' \in G'}} {NORM_TEX[norm]}"


def _too_many_pairs(X, A, B, linkage, norm, names, rows, h):
    """Pairs too many to recompute here: the first ones, the cells at the step's distance highlighted."""
    ra, cb = _pick(A, [], MAX_ROWS, rows), _pick(B, [], MAX_COLS, rows)
    P = point_distances(X[A[ra]], X[B[cb]], norm)
    hl = [] if h is None or linkage == "avg" else \
        [(int(i), int(j)) for i, j in zip(*np.nonzero(np.abs(P - h) <= TIE_RTOL * abs(h)))]
    A_name, B_name = set_name(A, names), set_name(B, names)
    return (Table(f"Point distances between {A_name} and {B_name}", _pair_formula(linkage, norm),
                  [names[i] for i in A[ra]], [names[i] for i in B[cb]], P.tolist(), highlight=hl,
                  note=f"{len(A)} × {len(B)} pairs in {X.shape[1]} features: too many to recompute here; shown are "
                       f"{ra.size} × {cb.size} of them, and the height is the step's ({fmt(h)})."),)


def _pairs(X, A, B, linkage, norm, names, rows):
    na, nb = len(A), len(B)
    lo, lo_at, hi, hi_at, total = pair_stats(X[A], X[B], norm)
    h = {"min": lo, "max": hi, "avg": total / (na * nb)}[linkage]
    at = lo_at if linkage == "min" else hi_at
    ra = _pick(A, [at[0]] if linkage != "avg" else [], MAX_ROWS, rows)
    cb = _pick(B, [at[1]] if linkage != "avg" else [], MAX_COLS, rows)
    P = point_distances(X[A[ra]], X[B[cb]], norm)
    hl = []
    if linkage != "avg":
        hl = [(int(i), int(j)) for i, j in zip(*np.nonzero(np.abs(P - h) <= TIE_RTOL * abs(h)))]
    A_name, B_name = set_name(A, names), set_name(B, names)
    cut = ra.size < na or cb.size < nb
    note = (f"Shown: {ra.size} of the {na} points of {A_name} (rows) and {cb.size} of the {nb} of {B_name} "
            f"(columns); every one of the {na * nb} pairs counts. " if cut else "")
    if linkage == "avg":
        note += f"Every pair counts: {na} × {nb} = {na * nb} distance{'s' if na * nb != 1 else ''}."
    else:
        what = "smallest" if linkage == "min" else "largest"
        p, q = names[A[at[0]]], names[B[at[1]]]
        n_hl = len(hl)
        note += (f"The {what} distance is {fmt(h)}, between {p} and {q}"
                 + (f"; {n_hl} shown pairs are at this distance (equal up to rounding)." if n_hl > 1 else "."))
    table = Table(f"Point distances between {A_name} and {B_name}", _pair_formula(linkage, norm),
                  [names[i] for i in A[ra]], [names[i] for i in B[cb]], P.tolist(), highlight=hl, note=note)
    if linkage != "avg":
        return (table,), h
    mean = Table("Average of the pair distances", r"d_{\mathrm{avg}} = \frac{\Sigma}{|G||G'|}",
                 ["sum Σ of the distances", "pairs |G||G'|", "d_avg"], ["value"],
                 [[total], [na * nb], [h]], highlight=[(2, 0)])
    return (table, mean), h


def _centroid(X, A, B, norm, names):
    mu_a, mu_b = X[A].mean(axis=0), X[B].mean(axis=0)
    h = float(point_distances(mu_a[None], mu_b[None], norm)[0, 0])
    d = X.shape[1]
    feats = coord_names(d) if d <= MAX_FEATURES else []
    dist_col = f"‖μ_G − μ_G'‖ ({NORM_SYMBOLS[norm]})"
    nan = float("nan")
    A_name, B_name = set_name(A, names), set_name(B, names)

    def coords(v):
        return list(v) if feats else []
    values = [[len(A)] + coords(mu_a) + [nan], [len(B)] + coords(mu_b) + [nan],
              ["—"] + coords(mu_a - mu_b) + [h]]
    note = "" if feats else f"The {d} coordinates of the means are not listed; the distance uses all of them."
    table = Table(f"Centroids of {A_name} and {B_name}",
                  rf"\mu_G = \frac{{1}}{{|G|}} \sum_{{x \in G}} x,\quad d_{{\mathrm{{centroid}}}}(G, G') = "
                  rf"\lVert \mu_G - \mu_{{G'}} \rVert_{{{NORM_SUB[norm]}}}",
                  [f"μ of {A_name}", f"μ of {B_name}", "μ_G − μ_G'"], ["size"] + feats + [dist_col], values,
                  highlight=[(2, len(feats) + 1)], note=note)
    return (table,), h


def _ward(X, A, B, names):
    AB = np.concatenate([A, B])
    groups = [A, B, AB]
    mus = [X[g].mean(axis=0) for g in groups]
    sse = [float(((X[g] - mu) ** 2).sum()) for g, mu in zip(groups, mus)]
    na, nb = len(A), len(B)
    gap = float(((mus[0] - mus[1]) ** 2).sum())
    inc = na * nb / (na + nb) * gap
    h = float(np.sqrt(2.0 * inc))
    d = X.shape[1]
    feats = coord_names(d) if d <= MAX_FEATURES else []
    A_name, B_name = set_name(A, names), set_name(B, names)
    values = [[len(g)] + (list(mu) if feats else []) + [e] for g, mu, e in zip(groups, mus, sse)]
    sizes = Table("Sizes, means and squared errors", r"E(G) = \sum_{x \in G} \lVert x - \mu_G \rVert_2^2",
                  [A_name, B_name, "merged"], ["size"] + [f"μ {f}" for f in feats] + ["E(G)"], values)
    incr = Table("Increase in squared error (Ward)",
                 r"\Delta E = E(G \cup G') - E(G) - E(G') = \frac{|G||G'|}{|G| + |G'|} \lVert \mu_G - \mu_{G'} "
                 r"\rVert_2^2,\quad d_{\mathrm{Ward}} = \sqrt{2\,\Delta E}",
                 ["E(merged) − E(G) − E(G')", "|G||G'| / (|G| + |G'|) · ‖μ_G − μ_G'‖²", "d_Ward = √(2 ΔE)"],
                 ["value"], [[sse[2] - sse[0] - sse[1]], [inc], [h]], highlight=[(2, 0)],
                 note="The height is on scipy's scale: the square root of twice the increase in squared error "
                      "(the first two rows agree up to rounding).")
    return (sizes, incr), h
