"""Shared pieces of the K-means working: the variant's distance by its definition, names, and the common tables.

Everything here is the textbook formula written plainly (differences, absolute values, sums),
independent of the fast kernels of :mod:`engine.kmeans.kernels`.

Example
-------
>>> import numpy as np
>>> distance_table(np.array([[1.0, 1.0], [3.0, 5.0]]), np.array([[0.0, 2.0]]), "sqeuclidean").ravel().tolist()
[2.0, 18.0]
>>> centre_names(2, "means")
['μ1', 'μ2']
"""
from __future__ import annotations

import numpy as np

from engine.core.norms import metric_symbol
from engine.core.working import MAX_ROWS, Table, images_of, shown_rows

__all__ = ["centre_images", "MAX_FEATURES", "TIE_RTOL", "DIST_TEX", "distance_table", "nearest", "centre_names",
           "coord_names", "members_text", "objective_table", "shown_with", "variant_word"]

#: Coordinates are listed as columns up to this many features (more: distances and norms only).
MAX_FEATURES = 10
#: Distances that differ by at most this (relative) are equal: a tie, which goes to the lower centre.
TIE_RTOL = 1e-12
#: The variant's distance in LaTeX (in words: :func:`engine.core.norms.metric_symbol`).
DIST_TEX = {"sqeuclidean": r"\lVert x_n - \mu_k \rVert_2^2", "l1": r"\lVert x_n - m_k \rVert_1",
            "l2": r"\lVert x_n - m_k \rVert_2", "linf": r"\lVert x_n - m_k \rVert_\infty"}
_BLOCK = 1 << 20  # elements of a (rows, centres, features) temporary


def distance_table(X, C, metric: str) -> np.ndarray:
    """``d(x_n, c_k)`` for every point and centre, shape ``(n, k)``, by the definition, block by block:
    squared ℓ2 sums the squared differences, ℓ1 the absolute ones, ℓ∞ takes the largest, ℓ2 the root of squares."""
    X, C = np.asarray(X, dtype=float), np.asarray(C, dtype=float)
    out = np.empty((X.shape[0], C.shape[0]))
    step = max(1, _BLOCK // max(1, C.shape[0] * X.shape[1]))
    for r in range(0, X.shape[0], step):
        diff = X[r:r + step, None, :] - C[None, :, :]
        if metric in ("sqeuclidean", "l2"):
            sq = (diff * diff).sum(axis=2)
            out[r:r + step] = sq if metric == "sqeuclidean" else np.sqrt(sq)
        else:
            np.abs(diff, out=diff)
            out[r:r + step] = diff.sum(axis=2) if metric == "l1" else diff.max(axis=2)
    return out


def nearest(D) -> tuple[np.ndarray, np.ndarray]:
    """Each row's nearest centre (ties, equal up to :data:`TIE_RTOL`, go to the lower index) and the tied cells."""
    low = D.min(axis=1, keepdims=True)
    tied = D <= low + TIE_RTOL * np.abs(low)
    return tied.argmax(axis=1), tied


def variant_word(variant: str) -> str:
    return {"means": "mean", "medians": "coordinate-wise median", "medoids": "medoid"}[variant]


def centre_names(k: int, variant: str) -> list[str]:
    """``μ1 .. μk`` for means, ``m1 .. mk`` for medians and medoids (cluster ``j`` is centre ``j + 1``)."""
    sym = "μ" if variant == "means" else "m"
    return [f"{sym}{j + 1}" for j in range(k)]


def coord_names(d: int) -> list[str]:
    return ["x"] if d == 1 else [f"f{j + 1}" for j in range(d)]


def members_text(idx, names, limit: int = 8) -> str:
    """The members by name: ``A, B, C``; more than ``limit``: the first ones and the count."""
    idx = [int(i) for i in idx]
    if not idx:
        return "—"
    if len(idx) <= limit:
        return ", ".join(names[i] for i in idx)
    return ", ".join(names[i] for i in idx[:limit - 2]) + f", ... ({len(idx)} points)"


def shown_with(n: int, rows, must=()) -> tuple[np.ndarray, bool]:
    """:func:`~engine.core.working.shown_rows`, with the points ``must`` always among them."""
    idx, cut = shown_rows(n, rows)
    must = [int(i) for i in must if 0 <= int(i) < n]
    if cut and must and not np.isin(must, idx).all():
        keep = [i for i in idx.tolist() if i not in must][:MAX_ROWS - len(must)]
        idx = np.array(sorted(set(keep) | set(must)), dtype=np.intp)
    return idx, cut


def objective_table(d_own, labels, k: int, names_c, metric: str, title: str = "The objective") -> tuple[Table, float]:
    """Per cluster its points and the sum of their distances to its centre, and the total ``J`` (highlighted)."""
    labels = np.asarray(labels)
    counts = np.bincount(labels, minlength=k)
    sums = np.bincount(labels, weights=d_own, minlength=k)
    J = float(sums.sum())
    values = [[int(c), float(s)] for c, s in zip(counts, sums)] + [[int(counts.sum()), J]]
    table = Table(title, rf"J = \sum_k \sum_{{n: z_n = k}} {DIST_TEX[metric]}", list(names_c) + ["J"],
                  ["points", f"sum of {metric_symbol(metric)} distances"], values, highlight=[(k, 1)],
                  note=f"J is the sum of the {k} per-cluster terms.")
    return table, J


def centre_images(table: Table, C) -> tuple:
    """The centres ``C`` (k, d) as images beside ``table`` (:func:`engine.core.working.images_of`, in the data's
    range) when there are more than :data:`MAX_FEATURES` features, which the table does not list; else none."""
    C = np.asarray(C, dtype=float)
    return images_of(table, C) if C.ndim == 2 and C.shape[1] > MAX_FEATURES else ()
