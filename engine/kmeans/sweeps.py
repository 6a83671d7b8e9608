"""Restarts and K: many K-means runs, every final objective kept, the best run of each K.

:func:`sweep` runs every K of a list from several random starts (the data
validated and converted once) and returns a :class:`SweepResult`. Run
``(i, r)`` uses seed ``seeds[i, r]`` from :func:`sweep_seeds`, so the whole
sweep and each run in it can be repeated with :func:`engine.kmeans.fit` or
watched step by step with :func:`engine.kmeans.steps`.

A caller that shows the sweep while it runs (the elbow plot filling in) gives
``on_run``: it is called with every finished run's :class:`FitResult`, in the
order the runs finish, and ``on_silhouette`` with each K's mean silhouette.

Once every restart of a K has finished, the mean silhouette of that K's best run
is computed (:func:`engine.scores.silhouette_score`, in the run's own metric:
l2 for K-means, l1 for K-medians, the medoids' metric; on many points the mean
over a fixed random sample of points, :func:`engine.scores.sample_rows`, the
same sample for every K). It is ``nan`` for K = 1 and where it is undefined. ``cancel`` is polled before every run and after every
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

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from engine.core.norms import NORM_SYMBOLS
from engine.core.params import ParamError
from engine.core.validation import check_whole, make_rng
from engine.kmeans.lloyd import Cancelled, FitResult, fit_run, run
from engine.kmeans.problem import check_run, prepare
from engine.scores import run_metric, sample_rows, silhouette_score

__all__ = ["sweep", "sweep_seeds", "SweepResult", "best_silhouette", "silhouette_plan", "silhouette_note"]


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
    silhouettes : ndarray of shape (n_ks,)
        Mean silhouette of the best run of each K (``nan``: K = 1, undefined, not computed or not asked for).
    silhouette_metric : str
        The point distance of the silhouettes (``"l1"``, ``"l2"`` or ``"linf"``).
    silhouette_rows : ndarray of int or None
        The points the silhouettes average (None: all of them; else a sorted random sample).
    """

    ks: np.ndarray
    objectives: np.ndarray
    seeds: np.ndarray
    n_iter: np.ndarray
    converged: np.ndarray
    best: list
    best_restart: np.ndarray
    silhouettes: np.ndarray = None
    silhouette_metric: str = "l2"
    silhouette_rows: np.ndarray | None = None

    @property
    def silhouette_note(self) -> str:
        """How the silhouettes were averaged, e.g. ``"ℓ2, all 150 points"`` (for titles and captions)."""
        n = next((len(fit.labels) for fit in self.best if fit is not None), 0)
        return silhouette_note(self.silhouette_metric, self.silhouette_rows, n)


def silhouette_plan(n: int, d: int, variant="means", metric=None) -> tuple[str, np.ndarray | None]:
    """(metric, rows) of a sweep's silhouettes on ``n`` points of ``d`` features: the run's point distance
    (:func:`engine.scores.run_metric`) and :func:`engine.scores.sample_rows` (None: every point).

    >>> silhouette_plan(100, 2, "medians")
    ('l1', None)
    """
    m = run_metric({"variant": variant, "metric": metric})
    return m, sample_rows(n, d, m)


def silhouette_note(metric: str, rows, n: int) -> str:
    """``"ℓ2, all 150 points"`` or ``"ℓ2, a random sample of 3,000 of 6,000 points"``: the metric written as the
    course writes it (:data:`engine.core.norms.NORM_SYMBOLS`).

    >>> silhouette_note("l1", None, 150)
    'ℓ1, all 150 points'
    >>> silhouette_note("linf", [0, 5, 9], 10)
    'ℓ∞, a random sample of 3 of 10 points'
    """
    name = NORM_SYMBOLS.get(metric, metric)
    if rows is None:
        return f"{name}, all {n:,} points"
    return f"{name}, a random sample of {len(rows):,} of {n:,} points"


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
          on_run: Callable[[int, int, FitResult], object] | None = None, silhouette: bool = True,
          on_silhouette: Callable[[int, float], object] | None = None, workers: int = 1) -> SweepResult:
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
    silhouette : bool
        Compute the mean silhouette of each K's best run (see the module docstring); default True.
    on_silhouette : callable(i, value), optional
        Called with each K's index and mean silhouette once computed.
    workers : int
        Runs computed at a time, on that many threads (numpy's kernels release the GIL): the result is the same
        for any number, and ``on_run``, ``progress`` and the silhouettes still come in run order, on the calling
        thread. Default 1 (``render`` uses every core for a session's sweep).

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
    sil = np.full(len(ks), np.nan)
    sil_metric, sil_rows = silhouette_plan(*data.X.shape, variant, metric)
    sil_X = data.X if data.X.dtype == np.float64 else X  # the data as given, in float64 (not a float32 copy)

    def result():
        return SweepResult(np.array(ks), J.copy(), seeds, n_iter.copy(), conv.copy(), list(best), best_r.copy(),
                           sil.copy(), sil_metric, sil_rows)

    def one(i: int, r: int) -> FitResult:
        s = int(seeds[i, r])
        return fit_run(run(data, ks[i], init, None, make_rng(s), max_iter), s, cancel)

    check_whole(workers, "workers", low=1)
    done = 0
    try:
        for i, r, res in _in_order(one, len(ks), restarts, cancel, workers):
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
            if r == restarts - 1 and silhouette and ks[i] > 1:
                if cancel is not None and cancel():
                    raise Cancelled(None)
                sil[i] = best_silhouette(sil_X, best[i].labels, sil_metric, sil_rows)
                if on_silhouette is not None:
                    on_silhouette(i, float(sil[i]))
    except Cancelled:
        raise Cancelled(result()) from None
    return result()


def _in_order(one: Callable[[int, int], FitResult], n_ks: int, restarts: int, cancel, workers: int):
    """``(i, r, one(i, r))`` for every K index and restart, in that order; with ``workers`` > 1 the runs are computed
    that many at a time on threads (each from its own seed: the same results). Raises Cancelled when ``cancel()``."""
    jobs = [(i, r) for i in range(n_ks) for r in range(restarts)]
    if workers == 1:
        for i, r in jobs:
            if cancel is not None and cancel():
                raise Cancelled(None)
            yield i, r, one(i, r)
        return
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="clusterlab-sweep")
    try:
        futures = [pool.submit(one, i, r) for i, r in jobs]
        for (i, r), future in zip(jobs, futures):
            if cancel is not None and cancel():
                raise Cancelled(None)
            yield i, r, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # runs under way stop at their next cancel check


def best_silhouette(X, labels, metric: str, rows) -> float:
    """The mean silhouette of ``labels`` in ``metric`` over ``rows`` (None: all points); ``nan`` when undefined
    (every point in one cluster, or a cluster per point)."""
    try:
        return float(silhouette_score(X, labels, metric, rows=rows))
    except ParamError:
        return float("nan")
