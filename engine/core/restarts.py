"""Random restarts: one seeded algorithm run from several seeds; every final objective kept, the best run shown.

:func:`best_of` runs a step generator ``steps_fn(X, seed=s, **params)`` to the end from ``n`` seeds and
returns a :class:`BestOf`: every restart's final objective (``Step.objective`` of its last step) and the
steps of the best run. :func:`restartable` and :func:`restartable_fit` give an algorithm's ``steps`` and
``fit`` a ``restarts`` parameter built on it (K-means and both mixtures declare them so:
``engine.fit("kmeans", X, k=3, restarts=5)`` is the best of five runs).

Seeds
    Restart ``r`` (counted from 0) of a run with seed ``s`` uses seed ``s + r``: restart 0 *is* the run
    without restarts, and ``steps(X, ..., seed=s + r)`` repeats restart ``r`` alone. A seed of ``None``
    (a fresh random run) first draws ``s`` (from 0 to 2**31 - 1 - :data:`RESTART_LIMIT`), so every
    restart can still be repeated (the seeds are in :attr:`RestartInfo.seeds`).
Best
    The least final objective for ``sense="min"`` (K-means J), the greatest for ``"max"`` (a
    log-likelihood or log posterior); ties go to the earlier restart. A restart that fails (a
    component that collapses: the algorithm raises ``ValueError``) has objective ``nan`` and its
    message in :attr:`RestartInfo.errors`; it is never the best. When every restart fails, the first
    restart's error is raised.
Cancel
    ``cancel()`` (and :func:`engine.core.cancel.requested`, the check a worker thread installs) is
    polled after every step. A cancel keeps the finished restarts: the best of them is the result
    (``cancelled=True``; unfinished restarts have ``nan``); with none finished,
    :class:`engine.core.cancel.Cancelled` is raised.
The run shown
    :func:`restart_steps` yields the steps of the best restart (or of the restart ``show``), its first
    step carrying a :class:`RestartInfo` as ``payload["restarts"]`` and a description that says which
    restart it is; :func:`with_info` attaches such an info to another run's steps (a restart loaded
    again by itself).

Example
-------
>>> import numpy as np
>>> from engine import kmeans
>>> X = np.random.default_rng(0).normal(size=(60, 2))
>>> res = best_of(lambda X, seed: kmeans.steps(X, 4, seed=seed), X, 5, seed=0, sense="min")
>>> res.seeds.tolist(), res.best == int(np.nanargmin(res.objectives))
([0, 1, 2, 3, 4], True)
>>> float(res.steps[-1].objective) == float(np.nanmin(res.objectives))
True
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

import numpy as np

from engine.core import cancel as _cancel
from engine.core import entries
from engine.core.params import ParamError
from engine.core.steps import Step, readonly
from engine.core.validation import check_whole

__all__ = ["RESTART_LIMIT", "RestartInfo", "BestOf", "restart_seeds", "best_of", "restart_steps", "with_info",
           "restartable", "restartable_fit", "restart_info", "parse_entry", "apply_entry"]

#: At most this many restarts in one run.
RESTART_LIMIT = 100
SENSES = ("min", "max")


def restart_seeds(seed, n: int) -> np.ndarray:
    """The seeds of ``n`` restarts from ``seed``: ``seed, seed + 1, ..., seed + n - 1`` (int64).

    ``seed=None`` draws the first one at random (below ``2**31 - 1 - RESTART_LIMIT``).

    >>> restart_seeds(7, 3).tolist()
    [7, 8, 9]
    """
    n = check_whole(n, "restarts", low=1, high=RESTART_LIMIT, strict=False)
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1, np.uint32)[0]) % (2 ** 31 - 1 - RESTART_LIMIT)
    seed = check_whole(seed, "seed", low=0, strict=False)
    return np.arange(seed, seed + n, dtype=np.int64)


def _better(a: float, b: float, sense: str) -> bool:
    """``a`` strictly better than ``b`` (``b`` nan: any finite ``a`` is)."""
    if not np.isfinite(a):
        return False
    if not np.isfinite(b):
        return True
    return a < b if sense == "min" else a > b


@dataclass(frozen=True, eq=False)
class RestartInfo:
    """Every restart of a run, as the first step of the run shown carries it (``payload["restarts"]``).

    Attributes
    ----------
    seeds : ndarray of shape (n,), int64
        Restart ``r`` is the run with seed ``seeds[r]``.
    objectives : ndarray of shape (n,)
        Final objective of every restart (``nan``: failed, or not run after a cancel).
    n_steps : ndarray of shape (n,), int64
        Steps of every restart (0: not run).
    best : int
        The restart with the best final objective (-1: none finished).
    shown : int
        The restart whose steps are on the timeline.
    sense : {"min", "max"}
    errors : tuple of str
        Why each restart failed ("" for those that did not).
    cancelled : bool
        A cancel stopped the restarts before all had run.
    """

    seeds: np.ndarray
    objectives: np.ndarray
    n_steps: np.ndarray
    best: int
    shown: int
    sense: str
    errors: tuple = ()
    cancelled: bool = False

    @property
    def n(self) -> int:
        return int(self.seeds.shape[0])

    def showing(self, r: int) -> "RestartInfo":
        """The same restarts with restart ``r`` on the timeline."""
        if not 0 <= int(r) < self.n:
            raise ParamError(f"restart {int(r) + 1} does not exist: this run has {self.n} restarts.")
        return dataclasses.replace(self, shown=int(r))

    def to_dict(self) -> dict:
        """JSON-ready: seeds, final objectives (None = not run or failed), steps, best and shown restart
        (0-based), sense, errors, cancelled."""
        return {"seeds": self.seeds.tolist(), "objectives": [float(v) if np.isfinite(v) else None
                                                             for v in self.objectives],
                "n_steps": self.n_steps.tolist(), "best": int(self.best), "shown": int(self.shown),
                "sense": self.sense, "errors": list(self.errors), "cancelled": bool(self.cancelled)}


@dataclass(frozen=True, eq=False)
class BestOf:
    """What :func:`best_of` returns: :attr:`info` (every restart) and :attr:`steps` (the best run's steps)."""

    info: RestartInfo
    steps: list

    @property
    def seeds(self) -> np.ndarray:
        return self.info.seeds

    @property
    def objectives(self) -> np.ndarray:
        return self.info.objectives

    @property
    def best(self) -> int:
        return self.info.best


def _one_run(steps_fn, X, seed, params, stop) -> tuple[list, str, bool]:
    """``(steps, error, stopped)`` of one restart run to its end (``stopped``: a cancel came first)."""
    out: list[Step] = []
    try:
        for step in steps_fn(X, seed=seed, **params):
            out.append(step)
            if step.done:
                break
            if stop():
                return out, "", True
    except _cancel.Cancelled:
        return out, "", True
    except ValueError as exc:  # ParamError: a component collapsed, ...
        return out, str(exc) or type(exc).__name__, False
    return out, "", False


def best_of(steps_fn: Callable[..., Iterable[Step]], X, n: int, seed=None, sense: str = "min",
            progress: Callable[[int, int, RestartInfo], object] | None = None,
            cancel: Callable[[], bool] | None = None, **params) -> BestOf:
    """Run ``steps_fn(X, seed=s, **params)`` to the end from the :func:`restart_seeds` of ``seed``; keep the best.

    Parameters
    ----------
    steps_fn : callable
        A step generator (``engine.kmeans.steps`` with ``k`` in ``params``, ...).
    n : int
        Restarts, 1 to :data:`RESTART_LIMIT`.
    seed : int or None
    sense : {"min", "max"}
        Whether the least or the greatest final objective is best.
    progress : callable(done, n, info), optional
        Called after every restart with the :class:`RestartInfo` so far (``nan`` = not run yet).
    cancel : callable() -> bool, optional
        Polled after every step (see the module docstring).

    Returns
    -------
    BestOf
    """
    if sense not in SENSES:
        raise ParamError(f"sense={sense!r} should be 'min' or 'max'.")
    seeds = restart_seeds(seed, n)
    n = seeds.shape[0]
    J, counts, errors = np.full(n, np.nan), np.zeros(n, dtype=np.int64), [""] * n
    best, best_steps, cancelled = -1, [], False

    def stop() -> bool:
        return bool((cancel is not None and cancel()) or _cancel.requested())

    def info() -> RestartInfo:
        return RestartInfo(readonly(seeds), readonly(J), readonly(counts), best, max(best, 0), sense,
                           tuple(errors), cancelled)

    for r in range(n):
        if stop():
            cancelled = True
            break
        steps, errors[r], cancelled = _one_run(steps_fn, X, int(seeds[r]), params, stop)
        if cancelled:
            break
        counts[r] = len(steps)
        J[r] = steps[-1].objective if steps and not errors[r] else np.nan
        if _better(J[r], J[best] if best >= 0 else np.nan, sense):
            best, best_steps = r, steps
        if progress is not None:
            progress(r + 1, n, info())
    if best < 0:
        if cancelled:
            raise _cancel.Cancelled("restarts cancelled before one had finished")
        raise ParamError(f"every restart failed; restart 1 (seed {int(seeds[0])}): {errors[0]}")
    return BestOf(info(), best_steps)


def _first_text(info: RestartInfo) -> str:
    r = info.shown
    J = info.objectives[r]
    value = f"final objective {J:.6g}" if np.isfinite(J) else "failed"
    Jb = info.objectives[info.best] if info.best >= 0 else np.nan
    if r == info.best:
        which = "the best"
    elif np.isfinite(J) and abs(J - Jb) <= 1e-9 * max(abs(Jb), 1e-300):
        which = f"as good as the best, restart {info.best + 1}"
    else:
        which = f"not the best (restart {info.best + 1} is)"
    cut = f"; cancelled after {int(np.isfinite(info.objectives).sum())} finished" if info.cancelled else ""
    return f"Restart {r + 1} of {info.n} (seed {int(info.seeds[r])}, {value}: {which}{cut}). "


def with_info(steps: Iterable[Step], info: RestartInfo) -> Iterator[Step]:
    """``steps`` with ``info`` as the first step's ``payload["restarts"]`` and its description saying which
    restart this is; the other steps unchanged."""
    it = iter(steps)
    for first in it:
        yield Step(first.kind, _first_text(info) + first.description, labels=first.labels_source,
                   centers=first.centers, objective=first.objective, trace=first.trace, iteration=first.iteration,
                   done=first.done, status=first.status, payload={**first.payload, "restarts": info})
        break
    yield from it


def restart_info(steps) -> RestartInfo | None:
    """The :class:`RestartInfo` of a run (its first step's ``payload["restarts"]``), or None."""
    if not steps:
        return None
    got = steps[0].payload.get("restarts")
    return got if isinstance(got, RestartInfo) else None


def restart_steps(steps_fn, X, n: int, seed=None, sense: str = "min", show: int | None = None,
                  progress=None, cancel=None, **params) -> Iterator[Step]:
    """Run the restarts (:func:`best_of`), then yield the steps of the best restart (or of restart ``show``,
    run again from its seed) through :func:`with_info`."""
    res = best_of(steps_fn, X, n, seed, sense, progress=progress, cancel=cancel, **params)
    info = res.info if show is None else res.info.showing(show)
    if info.shown == info.best:
        yield from with_info(res.steps, info)
    else:
        yield from with_info(steps_fn(X, seed=int(info.seeds[info.shown]), **params), info)


def _check(restarts, show_restart, params) -> tuple[int, int | None]:
    restarts = check_whole(restarts, "restarts", low=1, high=RESTART_LIMIT, strict=False)
    if show_restart is not None:
        show_restart = check_whole(show_restart, "restart", low=0, high=restarts - 1, strict=False)
    init = params.get("init")
    if restarts > 1 and init is not None and not isinstance(init, str):
        raise ParamError(f"restarts={restarts} needs a random initialisation: the run starts from given "
                         "parameters, so every restart would be the same run. Use restarts=1 or a random "
                         "initialisation.")
    return restarts, show_restart


def restartable(steps_fn: Callable, sense: str) -> Callable:
    """``steps_fn`` with the keyword arguments ``restarts=1`` (see :func:`restart_steps`), ``show_restart``
    (the restart to show, from 0; default: the best), ``on_restart`` (``progress`` of :func:`best_of`) and
    ``known_restarts``: a :class:`RestartInfo` of these restarts computed already (the same count and
    seeds; a window loading another restart of its run), so that only the restart shown runs.

    With one restart and nothing else asked, the result is ``steps_fn``'s own generator; otherwise the
    arguments are checked at once (one generator of ``steps_fn`` is made and closed) and the restarts run
    at the first ``next``.
    """
    @functools.wraps(steps_fn)
    def steps(X, *args, restarts=1, show_restart=None, on_restart=None, known_restarts=None, **params):
        restarts, show_restart = _check(restarts, show_restart, params)
        if restarts == 1 and not show_restart:
            return steps_fn(X, *args, **params)
        seed = params.pop("seed", None)
        if seed is None and known_restarts is not None:
            seed = int(known_restarts.seeds[0])
        seed = int(restart_seeds(seed, 1)[0])  # a seed of None: drawn once, here
        steps_fn(X, *args, seed=seed, **params).close()  # arguments checked now, as steps_fn does

        def one(X, seed):
            return steps_fn(X, *args, seed=seed, **params)
        known = known_restarts
        if known is not None and known.n == restarts and int(known.seeds[0]) == seed and known.best >= 0:
            info = known.showing(known.best if show_restart is None else show_restart)
            return with_info(one(X, int(info.seeds[info.shown])), info)
        return restart_steps(one, X, restarts, seed, sense, show=show_restart, progress=on_restart)

    steps.restart_sense = sense
    return steps


def restartable_fit(fit_fn: Callable, steps_fn: Callable, sense: str) -> Callable:
    """``fit_fn`` with ``restarts=1``: with more, :func:`best_of` over ``steps_fn`` picks the best seed and
    ``fit_fn`` runs again from it (the same seed gives the same run), so the result is the best run's."""
    @functools.wraps(fit_fn)
    def fit(X, *args, restarts=1, **params):
        restarts, _ = _check(restarts, None, params)
        if restarts == 1:
            return fit_fn(X, *args, **params)
        seed = params.pop("seed", None)

        def one(X, seed):
            return steps_fn(X, *args, seed=seed, **params)
        res = best_of(one, X, restarts, seed, sense)
        return fit_fn(X, *args, seed=int(res.seeds[res.best]), **params)

    return fit


# ------------------------------------------------------------------------------------------ session entry
def parse_entry(found: dict, params: dict) -> dict:
    """A session's ``"restart"`` entry (the restart shown, counted from 0 like a session's ``step``: the run
    with seed ``seed + restart``), checked against ``params["restarts"]``; ``{}`` without one.

    >>> parse_entry({"restart": 2}, {"restarts": 5})
    {'restart': 2}
    """
    if "restart" not in found:
        return {}
    n = params.get("restarts", 1)
    n = check_whole(n, "restarts", low=1, high=RESTART_LIMIT, strict=False)
    r = entries.whole("restart", found["restart"], 0)
    if r >= n:
        raise ParamError(f"restart={r} but params.restarts={n}: the restart shown is counted from 0, so it "
                         f"should be at most {n - 1}.")
    return {"restart": r}


def apply_entry(extra: dict, kwargs: dict) -> dict:
    """``kwargs`` of ``steps`` with the restart the session shows (``show_restart``)."""
    if "restart" in extra:
        kwargs["show_restart"] = int(extra["restart"])
    return kwargs
