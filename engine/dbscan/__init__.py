"""DBSCAN (Ester, Kriegel, Sander and Xu, 1996), one step at a time.

Parameters: ``eps`` (ε, the radius of the balls), ``min_samples`` (points within ε a core point needs,
*itself included*, as in scikit-learn and the original paper) and ``metric`` (``"l1"``, ``"l2"``,
``"linf"``: ε-balls are diamonds, discs or squares). A point is **core** when at least ``min_samples``
points lie within ε of it (distance <= ε); core points within ε of each other are in the same cluster;
a non-core point within ε of a core point is a **border** point of that point's cluster; every other
point is **noise** (label ``-1``).

Steps (:func:`steps`)
    1. ``"core"``: the core points (payload ``"core"``, ``"counts"``: points within ε, itself included);
       every label is still -1.
    2. ``"expand"``, one per wave: clusters are numbered by their lowest-index core point (the seed) and
       grown one after the other by breadth-first search over core points within ε. The first wave of a
       cluster is its seed and the seed's core neighbours; each later wave adds the core points within ε
       of the previous wave that are not in the cluster yet. Payload: ``"cluster"``, ``"wave"`` (from 1),
       ``"seed"`` (-1 after the first wave), ``"frontier"`` (the points added, ascending) and
       ``"reached_by"`` (for each, its lowest-index neighbour in the previous wave; the seed for itself).
    3. ``"border"`` (the last step, status ``"finished"``): each border point joins the cluster with the
       smallest number among those of its core neighbours (the cluster scikit-learn's expansion gives it),
       the rest is noise. Payload: ``"border"``, ``"border_from"`` (the lowest-index core neighbour in
       that cluster), ``"noise"``, ``"n_clusters"``.

    Every payload has ``"core"`` (shared), ``"eps"``, ``"min_samples"`` and ``"metric"``. ``Step.objective``
    is the number of points in a cluster after the step (there is nothing DBSCAN optimises:
    ``objective_sense=None``); ``iteration`` is the number of the cluster growing (from 1).

Result (:func:`fit`)
    :class:`DbscanResult` with ``labels`` (-1 = noise) and ``core`` (bool per point); the same as
    ``sklearn.cluster.DBSCAN(eps, min_samples=min_samples, metric=...)`` with metric ``"manhattan"``,
    ``"euclidean"``, ``"chebyshev"``: core points and noise exactly, clusters up to their numbers
    (scikit-learn also numbers them by their lowest-index core point, so the numbers agree too).

Speed and memory: the pairs within ε come from a grid of cells of side ε (:mod:`engine.dbscan.grid`),
the clusters from vectorised union-find and one breadth-first search from every seed at once
(:mod:`engine.dbscan.expand`); memory is linear in the number of pairs within ε. The labels of a step
are computed when asked for (from one array of the step at which each point joins), so a run of
thousands of waves keeps O(n) arrays, not one per step.

Modules: :mod:`~engine.dbscan.grid` (pairs within ε), :mod:`~engine.dbscan.expand` (clusters, waves,
the steps), :mod:`~engine.dbscan.kdist` (the k-distance plot), :mod:`~engine.dbscan.working` (the working
of each step, by brute force).

Example
-------
>>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1], [5, 5], [5, 6], [9, 9]], dtype=float)
>>> r = fit(X, eps=1.0, min_samples=3)
>>> r.labels.tolist(), r.core.tolist()
([0, 0, 0, 0, -1, -1, -1], [True, True, True, True, False, False, False])
>>> [s.kind for s in steps(X, eps=1.0, min_samples=3)]
['core', 'expand', 'expand', 'border']
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.core.params import Param, ParamError, validate_params
from engine.core.registry import Algorithm, SessionEntries
from engine.core.validation import as_data
from engine.dbscan.expand import cluster, run
from engine.dbscan.grid import METRICS, neighbour_pairs
from engine.dbscan.kdist import KDistances, k_distances
from engine.dbscan.working import working

__all__ = ["ALGORITHM", "steps", "fit", "DbscanResult", "k_distances", "KDistances", "METRICS"]


@dataclass(frozen=True)
class DbscanResult:
    """The result of :func:`fit`: ``labels`` (-1 = noise), ``core`` (bool), ``counts`` (points within ε,
    itself included), ``n_clusters`` and the parameters."""

    labels: np.ndarray
    core: np.ndarray
    counts: np.ndarray
    n_clusters: int
    eps: float
    min_samples: int
    metric: str

    @property
    def n_noise(self) -> int:
        return int(np.count_nonzero(self.labels < 0))


def _check(X, eps, min_samples, metric, names=None):
    p = validate_params(ALGORITHM.params, {"eps": eps, "min_samples": min_samples, "metric": metric})
    if p["eps"] <= 0:
        raise ParamError(f"eps={eps} should be > 0: it is the radius of the ε-balls (try the bend of the "
                         "k-distance plot).")
    X = as_data(X)
    if names is not None:
        names = [str(v) for v in names]
        if len(names) != X.shape[0]:
            raise ParamError(f"names has {len(names)} entries but the data have {X.shape[0]} points: give one "
                             "name per point, or none (then the points are x1, x2, ...).")
    return X, p["eps"], p["min_samples"], p["metric"], names


def steps(X, eps=0.5, min_samples=5, metric="l2", names=None):
    """DBSCAN step by step: the core points, each wave of each cluster, then border points and noise.

    Parameters
    ----------
    X : array-like of shape (n, d)
    eps : float
        ε > 0, the radius of the balls.
    min_samples : int
        Points within ε (the point itself included) that make a point a core point.
    metric : {"l2", "l1", "linf"}
    names : sequence of str, optional
        The points' names for step texts ("cluster 1 starts at ... {name}"), as the window and the data
        file name them; default ``x1, x2, ...``.

    Returns
    -------
    generator of :class:`engine.core.steps.Step`
        Arguments are checked when ``steps`` is called (see the module docstring for the steps).
    """
    return run(*_check(X, eps, min_samples, metric, names))


def fit(X, eps=0.5, min_samples=5, metric="l2", names=None) -> DbscanResult:
    """DBSCAN to the end, without building steps (parameters as :func:`steps`; ``names`` are only checked,
    they name points in step texts).

    >>> fit([[0.0], [0.5], [3.0]], eps=0.5, min_samples=2).labels.tolist()
    [0, 0, -1]
    """
    X, eps, min_samples, metric, _ = _check(X, eps, min_samples, metric, names)
    c = cluster(neighbour_pairs(X, eps, metric), min_samples)
    return DbscanResult(c.labels, c.core, c.counts, c.n_clusters, eps, min_samples, metric)


def _inputs(extra: dict, dataset, X, kwargs):
    if dataset.point_names is not None:
        kwargs["names"] = dataset.point_names  # step texts name the points as the window does
    return X, kwargs


def _summary(steps) -> dict:
    p = steps[-1].payload
    return {"core": np.asarray(p["core"]).tolist(), "n_clusters": int(p.get("n_clusters", 0)),
            "n_noise": int(np.count_nonzero(np.asarray(steps[-1].labels) < 0))} if "core" in p else {}


ALGORITHM = Algorithm(
    name="dbscan", title="DBSCAN", steps=steps, fit=fit, order=50, working=working,
    summary="Density-based clusters: core points and their ε-balls (ℓ1, ℓ2, ℓ∞), clusters grown wave by wave, "
            "border points and noise; a k-distance plot to choose ε.",
    params=(
        Param("eps", "ε (radius)", "float", 0.5, low=0.0,
              help="Radius of the balls: points at distance <= ε are neighbours (click the k-distance plot to set it)."),
        Param("min_samples", "Min. samples", "int", 5, low=1, high=1_000_000,
              help="Points within ε, the point itself included, that make a point a core point."),
        Param("metric", "Distance", "choice", "l2", choices=METRICS,
              choice_labels=("ℓ1 (Manhattan)", "ℓ2 (Euclidean)", "ℓ∞ (Chebyshev)"),
              help="The norm of the distances: ε-balls are diamonds (ℓ1), discs (ℓ2) or squares (ℓ∞)."),
    ),
    objective_name="points in clusters", objective_sense=None, no_cluster="noise",
    gui="gui.algorithms.dbscan.plugin:DbscanPlugin",
    session=SessionEntries(inputs=_inputs, summary=_summary),
    example={"generator": "moons", "n": 120, "seed": 0}, example_params={"eps": 0.3, "min_samples": 4},
)
