"""What a session keeps for K-means beside its parameters: given starting centres and a sweep over K.

* ``"init": [[...], ...]``: k x d starting centres, in the coordinates the
  algorithm runs on (z-scores when standardizing), or ``"init_points": [0, 2]``:
  start from these data points; ``k`` follows, and ``params.init`` is dropped.
* ``"sweep": {"ks": [5, 10, 20], "restarts": 3, "seed": 0}``: also run
  :func:`engine.kmeans.sweep` over these K with this many random restarts (the
  window's "Restarts & K" tab; the run on the timeline is the one the
  parameters describe). :func:`sweep_summary` is its part of ``result.json``.
* ``"restart": 2``: with ``params.restarts`` > 1, the restart shown on the timeline (counted from 0:
  the run with seed ``seed + 2``; default the best), :func:`engine.core.restarts.parse_entry`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from engine.core import entries, restarts
from engine.core.params import ParamError
from engine.core.registry import SessionEntries
from engine.kmeans import sweeps

__all__ = ["SESSION", "SWEEP_LIMITS", "FLOAT32_MIN_VALUES", "sweep_options", "sweep_summary", "SweepWork"]

#: Bounds of a sweep entry: at most this many K values and restarts per K.
SWEEP_LIMITS = {"ks": 30, "restarts": 50}
#: A K-means sweep on at least this many values (n x d) computes in float32 (about twice as fast).
FLOAT32_MIN_VALUES = 1_000_000


def sweep_options(params: dict, X) -> dict:
    """The options of :func:`engine.kmeans.sweep` for these parameters and data (the window uses the same).

    The variant, initialisation method (k-means++ when the run starts from given centres), max_iter
    and metric of ``params``; float32 for K-means on large data (``n x d >= FLOAT32_MIN_VALUES``,
    e.g. MNIST), so a run loaded from the sweep repeats its dot exactly.

    >>> sweep_options({"variant": "means", "init": "random", "max_iter": 50, "metric": "l2"}, np.zeros((10, 2)))
    {'variant': 'means', 'init': 'random', 'max_iter': 50, 'metric': 'l2'}
    """
    init = params.get("init", "k-means++")
    options = {"variant": params.get("variant", "means"), "init": init if isinstance(init, str) else "k-means++",
               "max_iter": params.get("max_iter", 300), "metric": params.get("metric")}
    if options["variant"] == "means" and np.asarray(X).size >= FLOAT32_MIN_VALUES:
        options["dtype"] = "float32"
    return options


@dataclass(frozen=True)
class SweepWork:
    """A session's sweep computed ahead (``SessionEntries.work``): its arguments, every run as it finished, the result.

    A window given this uses it instead of sweeping again when its own arguments are the same
    (:meth:`matches`); ``runs`` replays what ``on_run`` received, in order.
    """

    X: np.ndarray
    ks: tuple
    restarts: int
    seed: int
    options: dict
    runs: tuple
    result: object

    def matches(self, X, ks, restarts, seed, options) -> bool:
        return (tuple(int(k) for k in ks) == self.ks and int(restarts) == self.restarts and int(seed) == self.seed
                and dict(options) == self.options and np.shape(X) == self.X.shape
                and np.asarray(X).dtype == self.X.dtype and np.array_equal(X, self.X))


def _centres(found: dict, params: dict) -> dict:
    if "init" in found and "init_points" in found:
        raise ParamError("give either init (starting centres) or init_points (data point indices), not both.")
    if "init" in found:
        extra = {"init": entries.matrix("init", found["init"])}
        k = extra["init"].shape[0]
    else:
        pts = found["init_points"]
        if not isinstance(pts, list) or not pts:
            raise ParamError("init_points should be a non-empty list of point indices (0 = the first point).")
        idx = [entries.whole(f"init_points[{i}]", v, 0) for i, v in enumerate(pts)]
        if len(set(idx)) != len(idx):
            raise ParamError(f"init_points {idx} repeats a point; each starting centre should be a different point.")
        extra = {"init_points": idx}
        k = len(idx)
    if "init" in params:
        raise ParamError("params.init names an initialisation method but explicit starting centres are given "
                         "too; remove one of them.")
    if "k" in params and params["k"] != k:
        raise ParamError(f"k={entries.short(params['k'])} but {k} starting centres are given; K is the number "
                         "of centres.")
    params["k"] = k
    return extra


def _sweep(sweep) -> dict:
    """``{"ks": [...], "restarts": r, "seed": s}``, checked and normalised."""
    entries.want("sweep", sweep, dict, 'an object such as {"ks": [5, 10, 20], "restarts": 3, "seed": 0}')
    try:
        entries.no_more(sweep, ("ks", "restarts", "seed"))
    except ParamError as exc:
        raise ParamError(f"sweep: {exc}") from None
    ks = sweep.get("ks")
    if not isinstance(ks, list) or not ks or len(ks) > SWEEP_LIMITS["ks"]:
        raise ParamError(f"sweep.ks should be a list of 1 to {SWEEP_LIMITS['ks']} numbers of clusters, "
                         f"not {entries.short(ks)}.")
    ks = [entries.whole(f"sweep.ks[{i}]", k, 1) for i, k in enumerate(ks)]
    if len(set(ks)) != len(ks):
        raise ParamError(f"sweep.ks {ks} repeats a K; give each number of clusters once.")
    restarts = entries.whole("sweep.restarts", sweep.get("restarts", 3), 1, SWEEP_LIMITS["restarts"])
    seed = entries.whole("sweep.seed", sweep.get("seed", 0), 0, 2 ** 32 - 1)
    return {"ks": ks, "restarts": restarts, "seed": seed}


def _parse(found: dict, params: dict) -> dict:
    extra = _centres(found, params) if found.keys() & {"init", "init_points"} else {}
    if "sweep" in found:
        extra["sweep"] = _sweep(found["sweep"])
    extra.update(restarts.parse_entry(found, params))
    return extra


def _inputs(extra: dict, dataset, X, kwargs):
    if "sweep" in extra:
        too_big = [k for k in extra["sweep"]["ks"] if k > dataset.n]
        if too_big:
            raise ParamError(f"sweep.ks has K={too_big[0]} but the data have only {dataset.n} points; "
                             f"use K values up to {dataset.n}.")
    if "init" in extra:
        init = np.asarray(extra["init"], dtype=np.float64)
        if init.shape[1] != X.shape[1]:
            raise ParamError(f"init has {init.shape[1]} columns but the data have {X.shape[1]} features.")
        kwargs["init"] = init
    elif "init_points" in extra:
        idx = list(extra["init_points"])
        if max(idx) >= X.shape[0]:
            raise ParamError(f"init_points names point {max(idx)} but the data have {X.shape[0]} points "
                             f"(0..{X.shape[0] - 1}).")
        kwargs["init"] = np.array(X[idx], dtype=np.float64)
    if dataset.point_names is not None:
        kwargs["names"] = dataset.point_names  # step texts name the points as the window does
    return X, restarts.apply_entry(extra, kwargs)


def sweep_summary(sweep, spec: dict) -> dict:
    """The ``"sweep"`` part of ``result.json``: K values, restarts, seed, every run's seed, final objective
    (None = not run), iterations and convergence, the best restart of each K and the mean silhouette of
    that run (``silhouettes``, None where undefined, e.g. K = 1), in ``silhouette_metric``, averaged over
    ``silhouette_points`` points (``silhouette_sample``: the sampled point indices, or None for all).

    Parameters
    ----------
    sweep : engine.kmeans.SweepResult
    spec : dict
        The session's ``sweep`` entry (its ``seed``).
    """
    def finite(v):
        v = float(v)
        return v if np.isfinite(v) else None
    return {"ks": [int(k) for k in sweep.ks], "restarts": int(np.shape(sweep.seeds)[1]),
            "seed": spec.get("seed"), "seeds": np.asarray(sweep.seeds).tolist(),
            "objectives": [[finite(v) for v in row] for row in np.asarray(sweep.objectives)],
            "n_iter": np.asarray(sweep.n_iter).tolist(), "converged": np.asarray(sweep.converged).tolist(),
            "best_restart": np.asarray(sweep.best_restart).tolist(), **_silhouette_summary(sweep, finite)}


def _silhouette_summary(sweep, finite) -> dict:
    sil = getattr(sweep, "silhouettes", None)
    if sil is None:
        return {}
    rows = sweep.silhouette_rows
    n = next((len(fit.labels) for fit in sweep.best if fit is not None), 0)
    return {"silhouettes": [finite(v) for v in np.asarray(sil)], "silhouette_metric": sweep.silhouette_metric,
            "silhouette_points": n if rows is None else int(len(rows)),
            "silhouette_sample": None if rows is None else np.asarray(rows).tolist()}


def _work(extra: dict, dataset, X, kwargs) -> dict:
    """The session's sweep, computed headless (``render`` does it while its window starts)."""
    spec = extra.get("sweep")
    if spec is None:
        return {}
    X = np.asarray(X)
    ks = tuple(k for k in spec["ks"] if k <= dataset.n)
    options = sweep_options(kwargs, X)
    runs = []
    workers = max(1, min(os.cpu_count() or 1, len(ks) * spec["restarts"]))  # headless: every core (same result)
    result = sweeps.sweep(X, list(ks), spec["restarts"], seed=spec["seed"], on_run=lambda *run: runs.append(run),
                          workers=workers, **options)
    return {"sweep": SweepWork(X, ks, spec["restarts"], spec["seed"], options, tuple(runs), result)}


SESSION = SessionEntries(keys=("init", "init_points", "sweep", "restart"), parse=_parse, inputs=_inputs, work=_work,
                         replaces={"init": "init", "init_points": "init"})
