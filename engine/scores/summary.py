"""The scores of one step, for scripts, ``render``'s ``result.json`` and the Scores view.

:func:`run_metric` reads the point distance of a run from its parameters (HAC's ``norm``,
K-medians' l1, K-medoids' ``metric``; l2 otherwise); :func:`step_scores` gives the mean silhouette
in that metric and, when the data carry known labels, ARI, NMI and purity. On many points the
silhouette is the mean over a fixed random sample of points (:func:`sample_rows`), each point's
value still exact; the result says so.

Example
-------
>>> import numpy as np
>>> run_metric({"norm": "linf", "linkage": "min"}), run_metric({"variant": "medians"}), run_metric({})
('linf', 'l1', 'l2')
>>> X = np.array([[0.0], [1.0], [5.0], [6.0]])
>>> s = step_scores(X, [0, 0, 1, 1], truth=[0, 0, 1, 1])
>>> s["metric"], round(s["silhouette"], 4), s["ari"], s["nmi"], s["purity"]
('l2', 0.798, 1.0, 1.0, 1.0)
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from engine.core.params import ParamError
from engine.scores.external import adjusted_rand_index, contingency, normalized_mutual_info, purity
from engine.scores.silhouette import METRICS, mean_silhouette, silhouette_score

__all__ = ["run_metric", "sample_rows", "silhouette_cost", "step_scores", "SILHOUETTE_BUDGET", "TABLE_CELLS"]

#: A silhouette of all points is computed when points x assigned points x features stays below this;
#: beyond, a random sample of points (each exact against all points).
SILHOUETTE_BUDGET = 1e9
#: :func:`step_scores` gives the contingency table when it has at most this many cells.
TABLE_CELLS = 10_000


def run_metric(params: Mapping | None) -> str:
    """The point distance of a run with these parameters: ``norm`` (HAC), l1 for K-medians, ``metric``
    (K-medoids, or any algorithm with a ``metric`` parameter), else l2."""
    params = params or {}
    if params.get("norm") in METRICS:
        return params["norm"]
    variant = params.get("variant")
    if variant == "medians":
        return "l1"
    if variant in (None, "medoids") and params.get("metric") in METRICS:
        return params["metric"]
    return "l2"


def silhouette_cost(n: int, d: int, metric: str) -> float:
    """Rough work of a full silhouette: n^2 d, the matrix product of l2 in many dimensions counted 1/16;
    l1 (sorted prefix sums, no pairwise distances) 64 n d."""
    if metric == "l1" or d == 1 or (metric == "linf" and d == 2):  # the l1 way (engine.scores.silhouette)
        return 64.0 * n * d
    per = d / 16 + 4 if metric == "l2" and d > 8 else d
    return float(n) * float(n) * per


def sample_rows(n: int, d: int, metric: str, budget: float | None = None, seed: int = 0):
    """None when the silhouette of all ``n`` points fits ``budget`` (default :data:`SILHOUETTE_BUDGET`); else a
    sorted random sample of point indices (the same for the same ``n`` and ``seed``: the sample does not change
    as a run moves on)."""
    budget = SILHOUETTE_BUDGET if budget is None else budget
    cost = silhouette_cost(n, d, metric)
    if cost <= budget:
        return None
    m = max(200, int(n * budget / cost))
    if m >= n:
        return None
    return np.sort(np.random.default_rng(seed).choice(n, m, replace=False))


def step_scores(X, labels, truth=None, metric="l2", rows="auto", samples=None) -> dict:
    """Scores of one clustering: ``metric``, ``silhouette`` (None when undefined, with ``silhouette_note``
    saying why), ``silhouette_points`` (how many points it averages), and with ``truth`` (-1 = unknown)
    ``ari``, ``nmi``, ``purity`` and ``contingency`` (``clusters``, ``classes``, ``table`` cluster x class;
    up to :data:`TABLE_CELLS` cells). ``rows``: "auto" (:func:`sample_rows`), None (all) or indices.
    ``samples``: the silhouettes of those rows computed already (:func:`silhouette_samples` with the same
    arguments, e.g. the ones the Scores view draws), averaged instead of computed again."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    labels = np.asarray(labels)
    out: dict = {"metric": metric, "silhouette": None}
    if rows == "auto":
        rows = sample_rows(X.shape[0], X.shape[1], metric)
    try:
        out["silhouette"] = silhouette_score(X, labels, metric, rows=rows) if samples is None \
            else mean_silhouette(samples)
        chosen = labels if rows is None else labels[np.asarray(rows)]
        out["silhouette_points"] = int(np.count_nonzero(chosen >= 0))
        if rows is not None:
            out["silhouette_note"] = f"mean over a random sample of {len(rows):,} of {labels.size:,} points"
    except ParamError as exc:
        out["silhouette_note"] = str(exc)
    if truth is not None:
        truth = np.asarray(truth)
        if np.any(truth >= 0):
            out.update(ari=adjusted_rand_index(truth, labels), nmi=normalized_mutual_info(truth, labels),
                       purity=purity(truth, labels))
            c = contingency(truth, labels) if np.unique(labels).size * np.unique(truth).size <= TABLE_CELLS else None
            if c is not None:
                out["contingency"] = {"clusters": c.clusters.tolist(), "classes": c.classes.tolist(),
                                      "table": c.table.tolist()}
    return out
