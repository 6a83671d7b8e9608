"""HAC's input, checked once: norms, linkages, precomputed distances, a starting partition.

:func:`prepare` checks every argument of :func:`engine.hac.steps` and
:func:`engine.hac.fit` and returns a :class:`Prepared` problem that the merge
loop trusts.

Example
-------
>>> p = prepare([[0.0], [1.0], [3.0]], "l1", "max", [0, 0, 1], None)
>>> p.m, p.norm, [g.tolist() for g in p.groups]
(2, 'l1', [[0, 1], [2]])
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.core.norms import NORM_SYMBOLS
from engine.core.params import Param, ParamError, validate_params
from engine.core.steps import readonly
from engine.core.validation import all_whole, as_data

__all__ = ["NORMS", "LINKAGES", "NORM_NAMES", "PARAMS", "Prepared", "prepare", "check_distances", "check_clusters"]

NORMS = ("l1", "l2", "linf")
LINKAGES = ("min", "max", "avg", "centroid", "ward")
NORM_NAMES = {**NORM_SYMBOLS, "precomputed": "precomputed"}
PARAMS = (
    Param("norm", "Norm", "choice", "l2", choices=NORMS,
          choice_labels=("ℓ1 (Manhattan)", "ℓ2 (Euclidean)", "ℓ∞ (Chebyshev)"),
          help="Point distance: ℓ1 (sum of |differences|), ℓ2 (Euclidean) or ℓ∞ (largest |difference|)."),
    Param("linkage", "Cluster distance", "choice", "min", choices=LINKAGES,
          choice_labels=("min (single)", "max (complete)", "avg (average)", "centroid", "Ward (ℓ2 only)"),
          help="min: closest pair; max: farthest pair; avg: mean over pairs; centroid: between means; "
               "ward: increase of squared error (ℓ2 only)."),
)


def check_distances(distances, n_expected):
    """Precomputed distances (square or condensed) as a checked symmetric (n, n) matrix."""
    try:
        D = np.asarray(distances, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ParamError(f"distances must be numbers: {exc}") from None
    if D.ndim == 1:
        k = D.size
        n = int(round((1 + np.sqrt(1 + 8 * k)) / 2))
        if n * (n - 1) // 2 != k:
            raise ParamError(f"condensed distances have {k} entries, which is not n(n-1)/2 for any n; "
                             "pass the n x n matrix or scipy's condensed form.")
        if not np.all(np.isfinite(D)):
            raise ParamError("distances contain NaN or infinity; every distance must be a finite number.")
        if np.any(D < 0):
            raise ParamError(f"distances contain a negative value ({D.min():.4g}); distances must be >= 0.")
        sq = np.zeros((n, n))
        iu = np.triu_indices(n, 1)
        sq[iu] = D
        sq.T[iu] = D
        D = sq
    elif D.ndim == 2:
        n = D.shape[0]
        if D.shape[1] != n:
            raise ParamError(f"distances must be a square n x n matrix; got shape {D.shape}.")
        if not np.all(np.isfinite(D)):
            raise ParamError("distances contain NaN or infinity; every distance must be a finite number.")
        if np.any(D < 0):
            raise ParamError(f"distances contain a negative value ({D.min():.4g}); distances must be >= 0.")
        if np.any(np.diag(D) != 0):
            i = int(np.flatnonzero(np.diag(D) != 0)[0])
            raise ParamError(f"distances must have a zero diagonal; distances[{i}, {i}] = {D[i, i]:.4g}.")
        scale = max(1.0, float(D.max(initial=0.0)))
        asym = np.abs(D - D.T)
        if np.any(asym > 1e-12 * scale):
            i, j = np.unravel_index(int(asym.argmax()), D.shape)
            raise ParamError(f"distances must be symmetric; distances[{i}, {j}] = {D[i, j]:.6g} but "
                             f"distances[{j}, {i}] = {D[j, i]:.6g}.")
        D = np.triu(D, 1)
        D = D + D.T
    else:
        raise ParamError(f"distances must be an n x n matrix or a condensed vector; got shape {D.shape}.")
    if n < 1:
        raise ParamError("distances describe no points; at least 1 point is needed.")
    if n_expected is not None and n != n_expected:
        raise ParamError(f"distances describe {n} points but X has {n_expected}; they must match.")
    return D


def check_clusters(clusters, n):
    """A starting partition as ``(cluster id per point, 0..m-1 in sorted label order; m)``."""
    arr = np.asarray(clusters)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ParamError(f"clusters has shape {arr.shape}; one integer label per point ({n}) is needed.")
    if arr.dtype.kind not in "iub":
        try:
            f = arr.astype(float)
        except (TypeError, ValueError):
            raise ParamError("clusters must be integer labels, one per point.") from None
        if not all_whole(f):
            raise ParamError("clusters must be whole-number labels, one per point (got non-integers).")
        arr = f.astype(np.int64)
    uniq, inv = np.unique(arr, return_inverse=True)
    return inv.ravel().astype(np.intp), uniq.size


@dataclass(frozen=True)
class Prepared:
    """A checked HAC problem: points and/or distances, norm, linkage, starting clusters."""

    X: np.ndarray | None
    D: np.ndarray | None  # validated precomputed distances (square) or None
    norm: str
    linkage: str
    start: np.ndarray  # starting cluster id per point
    groups: list  # sorted point indices per starting cluster
    n: int

    @property
    def m(self):
        return len(self.groups)


def prepare(X, norm, linkage, clusters, distances) -> Prepared:
    """Check the arguments of :func:`engine.hac.steps`; the problem the merge loop runs on."""
    vals = validate_params(PARAMS, {"norm": norm, "linkage": linkage})
    norm, linkage = vals["norm"], vals["linkage"]
    if linkage == "ward" and norm != "l2":
        raise ParamError(f"linkage='ward' is defined for the ℓ2 norm only (it measures squared Euclidean "
                         f"error), not norm={norm!r}; choose norm='l2' or another linkage.")
    Xa = None if X is None else as_data(X)
    D = None
    if distances is not None:
        if linkage in ("centroid", "ward"):
            raise ParamError(f"linkage={linkage!r} needs the point coordinates X (cluster means); precomputed "
                             "distances work with 'min', 'max' and 'avg' only.")
        D = check_distances(distances, None if Xa is None else Xa.shape[0])
    elif Xa is None:
        raise ParamError("give the points X (n x d) or a precomputed distance matrix.")
    n = Xa.shape[0] if Xa is not None else D.shape[0]
    if clusters is None:
        start = np.arange(n)
        groups = list(start.reshape(-1, 1))
    else:
        start, m = check_clusters(clusters, n)
        order = np.argsort(start, kind="stable")
        groups = np.split(order, np.cumsum(np.bincount(start, minlength=m))[:-1])
    if Xa is not None:
        Xa = readonly(Xa)
    return Prepared(Xa, D, "precomputed" if D is not None else norm, linkage, start, groups, n)
