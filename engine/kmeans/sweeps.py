"""Restarts and K: many K-means runs, every final objective kept, the best run of each K.

:func:`sweep` runs every K of a list from several random starts (the data
validated and converted once) and returns a :class:`SweepResult`. Run
``(i, r)`` uses seed ``seeds[i, r]`` from :func:`sweep_seeds`, so the whole
sweep and each run in it can be repeated with :func:`engine.kmeans.fit` or
watched step by step with :func:`engine.kmeans.steps`.

A caller that shows the sweep while it runs (the elbow plot filling in) gives
``on_run``: it is called with every finished run's :class:`FitResult`, in the
order the runs finish. ``cancel`` is polled before every run and after every
Lloyd iteration, so a cancel takes effect within one iteration.

Example
-------
>>> import numpy as np
>>> X = np.random.default_rng(0).normal(size=(60, 2))
>>> seen = []
>>> res = sweep(X, [1, 2, 3], restarts=2, seed=0, on_run=lambda i, r, fit: seen.append((i, r)))
>>> seen[:3], res.objectives.shape
([(0, 0), (0, 1), (1, 0)], (3, 2))
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from engine.core.params import ParamError
from engine.core.validation import check_whole, make_rng
from engine.kmeans.lloyd import Cancelled, FitResult, fit_run, run
from engine.kmeans.problem import check_run, prepare

__all__ = ["sweep", "sweep_seeds", "SweepResult"]


@dataclass(frozen=True, eq=False)
class SweepResult:
    """Every run of a sweep over K and random restarts.

    Attributes
    ----------
    ks : ndarray of shape (n_ks,)
    objectives : ndarray of shape (n_ks, restarts)
        Final objective of every run (``nan`` for runs not done, after a cancel).
    seeds : ndarray of shape (n_ks, restarts), int64
        The seed of every run: ``fit(X, ks[i], seed=seeds[i, r], ...)`` repeats run ``(i, r)``.
    n_iter : ndarray of shape (n_ks, restarts)
        Lloyd iterations of every run (0 = not run).
    converged : ndarray of shape (n_ks, restarts), bool
    best : list of FitResult or None
        Per K, the run with the least final objective (the first restart on ties).
    best_restart : ndarray of shape (n_ks,)
        Its restart index (-1 while none finished).
    """

    ks: np.ndarray
    objectives: np.ndarray
    seeds: np.ndarray
    n_iter: np.ndarray
    converged: np.ndarray
    best: list
    best_restart: np.ndarray


def sweep_seeds(seed, n_ks, restarts) -> np.ndarray:
    """Run seeds of a sweep: ``SeedSequence(seed).spawn(n_ks * restarts)``, each child's first uint32 word.

    Returns an int64 array of shape (n_ks, restarts), run ``(i, r)`` at ``[i, r]``.

    Example
    -------
    >>> sweep_seeds(0, 2, 3).shape
    (2, 3)
    """
    children = np.random.SeedSequence(seed).spawn(n_ks * restarts)
    return np.array([int(c.generate_state(1, np.uint32)[0]) for c in children], dtype=np.int64).reshape(
        n_ks, restarts)


def sweep(X, ks: Sequence[int], restarts: int, variant="means", init="k-means++", seed=0, max_iter=300,
          metric=None, dtype=None, progress: Callable[[int, int], object] | None = None,
          cancel: Callable[[], bool] | None = None,
          on_run: Callable[[int, int, FitResult], object] | None = None) -> SweepResult:
    """Run every K in ``ks`` from ``restarts`` random starts; keep every final objective and the best run per K.

    Runs go K by K, restart by restart; run ``(i, r)`` uses seed
    ``seeds[i, r]`` from :func:`sweep_seeds` (derived from ``seed``), so the
    whole sweep and each run in it can be repeated. The data is validated and
    converted once.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    ks : sequence of int
    restarts : int
        Runs per K, >= 1.
    variant, init, max_iter, metric, dtype
        As for :func:`engine.kmeans.steps`; ``init`` must be one of the random
        initialisations. ``dtype="float32"`` makes K-means runs on large data
        about twice as fast (the objective is still summed in float64).
    seed : int
    progress : callable(done, total), optional
        Called after each finished run.
    cancel : callable() -> bool, optional
        Polled before each run and after every Lloyd iteration; when it returns
        True the sweep stops and raises :class:`engine.kmeans.Cancelled`, whose
        ``partial`` is the :class:`SweepResult` of the runs finished so far.
    on_run : callable(i, r, FitResult), optional
        Called after each finished run with its K index, restart index and
        result (before ``progress``), e.g. to draw the run at once.

    Returns
    -------
    SweepResult

    Example
    -------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(60, 2))
    >>> res = sweep(X, [1, 2, 3], restarts=2, seed=0)
    >>> res.objectives.shape, bool(np.all(np.diff(res.objectives.min(axis=1)) <= 0))
    ((3, 2), True)
    """
    if not isinstance(init, str):
        raise ParamError("sweep needs a random initialisation (init='k-means++', 'random' or 'random-partition'), "
                         "not given centres: every K needs its own.")
    check_whole(restarts, "restarts", low=1)
    check_whole(seed, "seed", low=0)
    data = prepare(X, variant, metric, dtype)
    ks = [check_run(data, kk, init, max_iter)[0] for kk in ks]
    if not ks:
        raise ParamError("ks is empty: give at least one number of clusters.")
    seeds = sweep_seeds(seed, len(ks), restarts)
    J = np.full((len(ks), restarts), np.nan)
    n_iter = np.zeros((len(ks), restarts), dtype=np.int64)
    conv = np.zeros((len(ks), restarts), dtype=bool)
    best: list = [None] * len(ks)
    best_r = np.full(len(ks), -1, dtype=np.int64)
    total = len(ks) * restarts

    def result():
        return SweepResult(np.array(ks), J.copy(), seeds, n_iter.copy(), conv.copy(), list(best), best_r.copy())

    done = 0
    for i, kk in enumerate(ks):
        for r in range(restarts):
            if cancel is not None and cancel():
                raise Cancelled(result())
            s = int(seeds[i, r])
            try:
                res = fit_run(run(data, kk, init, None, make_rng(s), max_iter), s, cancel)
            except Cancelled:
                raise Cancelled(result()) from None
            J[i, r] = res.final_objective
            n_iter[i, r] = res.n_iter
            conv[i, r] = res.converged
            if best[i] is None or res.final_objective < best[i].final_objective:
                best[i], best_r[i] = res, r
            done += 1
            if on_run is not None:
                on_run(i, r, res)
            if progress is not None:
                progress(done, total)
    return result()
