r"""The working of an EM run, shared by both mixtures (:mod:`engine.gmm.working`, :mod:`engine.bernoulli.working`).

:func:`em_working` puts a mixture's working together from its three kinds of step (init, E, M); the
helpers below build the per-point and per-component tables both mixtures show — the E-step's log joint
``a_nk`` and responsibilities (:func:`estep_tables`), ``log p(x_n)`` and its sum (:func:`loglik_table`),
``N_k`` and ``pi_k`` (:func:`weights_table`), one row per component of a (k, d) parameter
(:func:`vector_table`: one column per feature up to :data:`MAX_COLUMNS`, else summarised, and
:func:`vector_images` for the views to draw such rows as images). Like the rest of the working they
are the textbook formulas written plainly, sharing no code with the fast kernels of
:mod:`engine.mixture.em`.

Example
-------
>>> t = weights_table([1.5, 2.5], [0.375, 0.625], component_names(2))
>>> t.rows, t.values[-1]
(('c1', 'c2', 'Σ'), (4.0, 1.0))
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from engine.core.working import Images, Table, Working, images_of

__all__ = ["em_working", "EPS_NK", "MAX_COLUMNS", "logsumexp_rows", "component_names", "total_label",
           "one_hot_resp", "partition_init", "estep_tables", "loglik_table", "weights_table", "vector_table",
           "vector_images", "present"]

#: Added to every N_k, as the engine (:data:`engine.mixture.em.EPS_NK`) and scikit-learn do, so an empty
#: component never divides by zero. Written here again on purpose: the working shares no code with the kernels.
EPS_NK = 10 * np.finfo(float).eps
#: Features shown one per column up to this many; beyond, per-component summaries (and images in the views).
MAX_COLUMNS = 10
SIZES = r"N_k = \sum_n q_{nk}, \quad \pi_k = N_k / N"


def em_working(init: Callable, estep: Callable, mstep: Callable, doc: str) -> Callable:
    """``working(X, steps, index, params, names=None, rows=None)`` (:mod:`engine.core.working`) that gives
    ``init``'s tables for the start, ``estep``'s for an E-step and ``mstep``'s for an M-step (each called with
    the same arguments); an empty :class:`Working` for anything else."""
    parts = {"init": init, "E": estep, "M": mstep}

    def working(X, steps, index, params, names=None, rows=None) -> Working:
        kind = steps[index].kind
        part = parts.get(kind)
        if part is None or (kind != "init" and index == 0):
            return Working()
        return part(X, steps, index, params, names, rows)

    working.__doc__ = doc
    return working


def logsumexp_rows(A) -> np.ndarray:
    """``log sum_k exp(A[n, k])`` for every row, shifted by the row's largest value so nothing overflows.

    >>> logsumexp_rows(np.log([[0.25, 0.75]])).round(12).tolist()
    [0.0]
    """
    A = np.asarray(A, float)
    m = A.max(axis=1)
    return m + np.log(np.exp(A - m[:, None]).sum(axis=1))



# ---------------------------------------------------------------- per-point tables
def component_names(k: int) -> list[str]:
    """``c1 .. ck``: the components as columns and rows name them (cluster ``j`` is ``c{j+1}``)."""
    return [f"c{j + 1}" for j in range(k)]


def total_label(n: int, cut: bool) -> str:
    """The label of a table's last row, the sum over every point (all of them, also those not shown)."""
    return f"Σ over all {n} points" if cut else "Σ"


def one_hot_resp(labels, k: int) -> np.ndarray:
    """0/1 responsibilities (n, k) of a partition: ``q_nk = 1`` when point n is in cluster k."""
    labels = np.asarray(labels, dtype=np.int64)
    Q = np.zeros((labels.size, k))
    Q[np.arange(labels.size), labels] = 1.0
    return Q


def partition_init(step, params, k: int):
    """The 0/1 responsibilities of an init step that started from a K-means partition, or None."""
    labels = np.asarray(step.labels)
    init = params.get("init", "kmeans") if params else "kmeans"
    if labels.size == 0 or labels.min() < 0 or not (isinstance(init, str) and init == "kmeans"):
        return None
    return one_hot_resp(labels, k)


def estep_tables(A, idx, cut, names, symbol: str, formulas, comps) -> tuple:
    """The E-step's two tables: the log joint ``a_nk`` with ``log p(x_n)``, and the responsibilities.

    ``A`` (n, k) holds every point's log joint; the tables show the rows ``idx`` and a last row
    over all points (``sum_n log p(x_n)``, and ``sum_n q_nk = N_k``). Each row's largest entry
    is highlighted (the component the point now belongs to most). Returns ``(tables, labels, loglik)``.
    """
    n, k = A.shape
    L = logsumexp_rows(A)
    Q = np.exp(A - L[:, None])
    best = A.argmax(axis=1)
    rows = [names[i] for i in idx] + [total_label(n, cut)]
    hl = [(r, int(best[i])) for r, i in enumerate(idx)]
    joint = Table("Log joint of each point and component", formulas[0], rows, comps + ["log p(x_n)"],
                  [[*A[i], L[i]] for i in idx] + [[""] * k + [float(L.sum())]], highlight=hl,
                  note="Each row's largest a_nk is highlighted: the component the point belongs to most. "
                       "The last row sums log p(x_n): the log-likelihood.")
    resp = Table("Responsibilities", formulas[1], rows, comps,
                 [list(Q[i]) for i in idx] + [list(Q.sum(axis=0))], highlight=hl,
                 note=f"Each row sums to 1. The last row sums {symbol}_nk over the points: N_k of the next M-step.")
    return (joint, resp), best, float(L.sum())


def loglik_table(A, idx, cut, names, formula: str, title="Log-likelihood of these parameters", extra=()):
    """``log p(x_n)`` of the points ``idx`` and their sum over all points; ``extra``: more (label, value) rows."""
    n = A.shape[0]
    L = logsumexp_rows(A)
    rows = [names[i] for i in idx] + [total_label(n, cut) + " = L"] + [r for r, _ in extra]
    values = [[L[i]] for i in idx] + [[float(L.sum())]] + [[v] for _, v in extra]
    return Table(title, formula, rows, ["log p(x_n)"], values,
                 note="log p(x_n) = log Σ_k exp(a_nk) with a_nk as in the E-step."), float(L.sum())


def weights_table(Nk, weights, comps, formula=SIZES, note=""):
    """``N_k`` and ``pi_k`` per component (``Nk`` None: the weights alone), with their sums."""
    if Nk is None:
        return Table("Weights", r"\pi_k", comps + ["Σ"], ["π_k"],
                     [[w] for w in weights] + [[float(np.sum(weights))]], note=note)
    return Table("Component sizes and weights", formula, comps + ["Σ"], ["N_k", "π_k"],
                 [[a, b] for a, b in zip(Nk, weights)] + [[float(np.sum(Nk)), float(np.sum(weights))]], note=note)


def vector_table(title, formula, comps, V, symbol: str, note=""):
    """One row per component: the (k, d) values ``V`` one per column up to :data:`MAX_COLUMNS` features,
    else each row's summary (mean, min, max, ``sum_d``), as views draw such rows as images."""
    V = np.asarray(V, float)
    d = V.shape[1]
    if d <= MAX_COLUMNS:
        return Table(title, formula, comps, [f"{symbol}_k{j + 1}" if d < 10 else f"{symbol}_k,{j + 1}"
                                             for j in range(d)], V.tolist(), note=note)
    cols = [f"mean {symbol}_kd", f"min {symbol}_kd", f"max {symbol}_kd", f"Σ_d {symbol}_kd"]
    values = [[float(v.mean()), float(v.min()), float(v.max()), float(v.sum())] for v in V]
    return Table(title, formula, comps, cols, values,
                 note=((note + " ") if note else "") + f"d = {d} features: each row summarised (the views draw them "
                 "as images).")


def present(step, derived: dict) -> dict:
    """``derived`` without the keys the step does not carry (an attribute, else a payload entry)."""
    return {key: v for key, v in derived.items()
            if key in step.payload or (key in ("labels", "centers", "objective") and getattr(step, key) is not None)}


def vector_images(table: Table, V, levels=None) -> tuple[Images, ...]:
    """The rows of ``V`` (k, d) as images beside ``table`` (:func:`engine.core.working.images_of`) when the
    table summarised them (more than :data:`MAX_COLUMNS` features); else none."""
    V = np.asarray(V, float)
    return images_of(table, V, levels) if V.ndim == 2 and V.shape[1] > MAX_COLUMNS else ()
