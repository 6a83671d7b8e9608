"""The validated K-means problem: variants, their distances, and the checks of ``steps``/``fit``/``sweep``.

:func:`prepare` converts the data once (float32 kept for K-means when asked
for, ``||x||^2`` computed once for the l2-type distances) and
:func:`check_run` checks ``k``, ``init`` and ``max_iter`` against it; the
run itself (:mod:`engine.kmeans.lloyd`) then trusts its input.

Example
-------
>>> import numpy as np
>>> data = prepare(np.array([[0.0, 0.0], [1.0, 1.0]]), "medians", None, None)
>>> data.metric, check_run(data, 2, "random", 10)
('l1', (2, None))
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.core.params import ParamError
from engine.core.validation import as_data, check_k, check_whole

__all__ = ["VARIANTS", "INITS", "MEDOID_METRICS", "CENTRE_WORD", "Problem", "variant_metric", "prepare", "check_run",
           "check_names"]

VARIANTS = ("means", "medians", "medoids")
INITS = ("k-means++", "random", "random-partition")
MEDOID_METRICS = ("l2", "l1", "linf")
#: How each variant's centre is called in step descriptions.
CENTRE_WORD = {"means": "mean", "medians": "coordinate-wise median", "medoids": "medoid"}


def variant_metric(variant: str, metric: str | None = None) -> str:
    """The distance a variant uses: ``"sqeuclidean"`` (means), ``"l1"`` (medians), ``metric`` (medoids)."""
    if variant not in VARIANTS:
        raise ParamError(f"variant={variant!r} is not allowed; choose one of {', '.join(map(repr, VARIANTS))}.")
    if variant == "means":
        return "sqeuclidean"
    if variant == "medians":
        return "l1"
    metric = "l2" if metric is None else metric
    if metric not in MEDOID_METRICS:
        raise ParamError(f"metric={metric!r} is not allowed; choose one of {', '.join(map(repr, MEDOID_METRICS))}.")
    return metric


@dataclass
class Problem:
    """Data prepared once: the array used for computing, ``||x||^2``, the variant and its distance, and the
    points' names for step texts (None: ``x1, x2, ...``)."""

    X: np.ndarray
    xsq: np.ndarray | None
    variant: str
    metric: str
    names: tuple | None = None

    def name(self, i) -> str:
        """How step texts name point ``i`` (0-based): its own name, else ``x<i + 1>`` as the window does.

        >>> p = Problem(np.zeros((3, 1)), None, "means", "sqeuclidean")
        >>> p.name(2), Problem(p.X, None, "means", "sqeuclidean", ("A", "B", "C")).name(2)
        ('x3', 'C')
        """
        return f"x{int(i) + 1}" if self.names is None else self.names[int(i)]

    def name_list(self, idx) -> str:
        """``"A, C, E"``: the names of the points ``idx``, in their order."""
        return ", ".join(self.name(i) for i in idx)


def check_names(names, n: int) -> tuple | None:
    """``names`` checked as one string per point of ``n`` (a tuple), or None (points named ``x1, x2, ...``).

    >>> check_names(["A", "B"], 2), check_names(None, 2)
    (('A', 'B'), None)
    """
    if names is None:
        return None
    try:
        if isinstance(names, (str, bytes)):
            raise TypeError
        names = tuple(names)
    except TypeError:
        raise ParamError(f"names should be a list of strings, one per point, not {type(names).__name__}.") from None
    if len(names) != n:
        raise ParamError(f"names has {len(names)} entries but the data have {n} points: give one name per point, "
                         "or none (then the points are x1, x2, ...).")
    bad = next((i for i, v in enumerate(names) if not isinstance(v, str)), None)
    if bad is not None:
        raise ParamError(f"names[{bad}] is {names[bad]!r} ({type(names[bad]).__name__}), not a string: "
                         "every point's name should be a string.")
    return tuple(str(v) for v in names)  # numpy's str_ as plain str


def prepare(X, variant, metric, dtype, names=None) -> Problem:
    """Check ``variant``, ``metric``, ``dtype`` and ``names`` and convert ``X`` once (see
    :func:`engine.kmeans.steps`)."""
    dist = variant_metric(variant, metric)
    if dtype is None:
        keep32 = variant == "means" and getattr(X, "dtype", None) == np.float32
        dt = np.float32 if keep32 else np.float64
    elif dtype in ("float32", np.float32) and variant == "means":
        dt = np.float32
    elif dtype in ("float32", "float64", np.float32, np.float64):
        dt = np.float64           # K-medians / K-medoids always compute in float64
    else:
        raise ParamError(f"dtype={dtype!r} is not allowed; choose 'float32', 'float64' or None.")
    A = as_data(X, dtype=dt)
    xsq = None
    if dist in ("sqeuclidean", "l2"):
        xsq = np.einsum("ij,ij->i", A, A, dtype=np.float64)
    return Problem(A, xsq, variant, dist, check_names(names, A.shape[0]))


def check_run(data: Problem, k, init, max_iter):
    """Check ``k``, ``init`` and ``max_iter``; return ``(k, starting centres or None)``."""
    n, d = data.X.shape
    if isinstance(init, str):
        if init not in INITS:
            raise ParamError(f"init={init!r} is not allowed; choose one of {', '.join(map(repr, INITS))} "
                             "or give a (k, n_features) array of starting centres.")
        k = check_k(k, n)
        init_arr = None
    else:
        init_arr = as_data(init, name="init")
        if init_arr.shape[1] != d:
            raise ParamError(f"init has {init_arr.shape[1]} feature(s) but X has {d}: "
                             "give one starting centre per row with the same columns as X.")
        if k is None:
            k = init_arr.shape[0]
        k = check_k(k, n)
        if init_arr.shape[0] != k:
            raise ParamError(f"init has {init_arr.shape[0]} starting centre(s) but k={k}: give exactly k rows.")
    check_whole(max_iter, "max_iter", low=1)
    return k, init_arr
