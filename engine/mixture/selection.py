"""Model selection for mixtures: BIC and AIC against the number of components K, each K with restarts.

:func:`select_k` runs a mixture's step generator for every K of a list from ``restarts`` seeds
(:func:`engine.core.restarts.best_of`: restart ``r`` uses seed ``seed + r``, the best is the one with the
highest final objective) and keeps, for the best restart of each K, its log-likelihood, its number of
free parameters and its ``bic`` and ``aic`` (the attributes of the family's fit result,
``engine.gmm.GMMResult`` / ``engine.bernoulli.BernoulliResult``; lower is better). The run of K with the
best restart is then ``steps(X, k=K, seed=seed, restarts=restarts)``, and its restarts are
:meth:`Selection.info` (a window loads it without running the restarts again).

A session asks for it with the entry ``"model_selection": {"from": 1, "to": 6, "restarts": 3, "seed": 0}``
(:func:`parse_entry`; the Gaussian and the Bernoulli mixture both declare it, and ``render`` computes it
while its window starts: :func:`work`).

Example
-------
>>> import numpy as np
>>> from engine import data, gmm
>>> from engine.gmm.fitting import fit_result
>>> X = data.generate("blobs", n=150, seed=0).X
>>> sel = select_k(gmm.steps, X, [1, 2, 3, 4], restarts=2, seed=0,
...                result_of=lambda steps, k: fit_result(iter(steps), X, "full"))
>>> int(sel.ks[sel.best_index("bic")]), bool(np.all(np.isfinite(sel.aic)))
(3, True)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from engine.core import cancel as _cancel
from engine.core import entries
from engine.core.params import ParamError
from engine.core.restarts import RESTART_LIMIT, RestartInfo, best_of, restart_seeds

__all__ = ["Selection", "select_k", "SELECTION_LIMITS", "parse_entry", "check_entry", "SelectionWork", "work"]

#: At most this many values of K, and this many restarts per K, in one model selection.
SELECTION_LIMITS = {"ks": 30, "restarts": 50}
CRITERIA = ("bic", "aic")


@dataclass(frozen=True, eq=False)
class Selection:
    """Every run of a model selection (``nan`` / -1: not run, or every restart of that K failed).

    Attributes
    ----------
    ks : ndarray of shape (m,)
    seeds : ndarray of shape (restarts,)
        The seeds of the restarts, the same for every K.
    objectives : ndarray of shape (m, restarts)
        Final objective of every run (the log-likelihood; the log posterior for a Bernoulli mixture with a prior).
    n_steps : ndarray of shape (m, restarts)
    best_restart : ndarray of shape (m,)
    loglik, bic, aic : ndarray of shape (m,)
        Of the best restart of each K.
    n_params : ndarray of shape (m,)
        Free parameters of the model with that K (-1: not run).
    errors : tuple of str
        Per K, why every restart failed ("" otherwise).
    cancelled : bool
    """

    ks: np.ndarray
    seeds: np.ndarray
    objectives: np.ndarray
    n_steps: np.ndarray
    best_restart: np.ndarray
    loglik: np.ndarray
    bic: np.ndarray
    aic: np.ndarray
    n_params: np.ndarray
    errors: tuple
    cancelled: bool = False

    def best_index(self, criterion: str = "bic") -> int:
        """Index into :attr:`ks` of the least ``criterion`` ("bic" or "aic"); -1 when none is known."""
        if criterion not in CRITERIA:
            raise ParamError(f"criterion={criterion!r} should be 'bic' or 'aic'.")
        values = getattr(self, criterion)
        ok = np.isfinite(values)
        return int(np.flatnonzero(ok)[np.argmin(values[ok])]) if ok.any() else -1

    def info(self, i: int) -> RestartInfo:
        """The restarts of ``ks[i]`` as the run of that K carries them, its best restart shown."""
        best = int(self.best_restart[i])
        return RestartInfo(self.seeds.copy(), self.objectives[i].copy(), self.n_steps[i].copy(), best,
                           max(best, 0), "max", ("",) * self.seeds.shape[0], False)

    def to_dict(self) -> dict:
        """JSON-ready (None for values not known), with the K of the least BIC and of the least AIC."""
        def finite(values):
            return [float(v) if np.isfinite(v) else None for v in np.asarray(values, dtype=float).ravel()]
        out = {"ks": self.ks.tolist(), "seeds": self.seeds.tolist(),
               "objectives": [finite(row) for row in self.objectives], "best_restart": self.best_restart.tolist(),
               "loglik": finite(self.loglik), "bic": finite(self.bic), "aic": finite(self.aic),
               "n_params": self.n_params.tolist(), "errors": list(self.errors), "cancelled": bool(self.cancelled)}
        for c in CRITERIA:
            i = self.best_index(c)
            out[f"best_k_{c}"] = int(self.ks[i]) if i >= 0 else None
        return out


def select_k(steps_fn: Callable, X, ks: Sequence[int], restarts: int = 1, seed=0,
             result_of: Callable | None = None, fit_fn: Callable | None = None,
             progress: Callable | None = None, cancel: Callable[[], bool] | None = None,
             on_k: Callable | None = None, **params) -> Selection:
    """BIC and AIC of the best of ``restarts`` runs of ``steps_fn(X, k=K, seed=s, **params)`` for every K.

    Parameters
    ----------
    steps_fn : callable
        A mixture's step generator (``engine.gmm.steps``); the objective is maximised.
    ks : sequence of int
    restarts : int
    seed : int or None
    result_of : callable(steps, k) -> fit result, optional
        The fit result (with ``loglik``, ``bic``, ``aic``, ``n_params``) of a run's steps; or
    fit_fn : callable, optional
        ``fit_fn(X, k=K, seed=s, **params)``, run again from the best seed (when ``result_of`` is None).
    progress : callable(done, total, text), optional
        After every run.
    cancel : callable() -> bool, optional
        Polled after every step; the K values done so far (and the finished restarts of the K running)
        are kept (``cancelled=True``).
    on_k : callable(i, Selection), optional
        After every K, with the selection so far (to draw it at once).
    """
    ks = [entries.whole(f"ks[{i}]", k, 1) for i, k in enumerate(ks)]
    if not ks:
        raise ParamError("ks is empty: give at least one number of components.")
    seeds = restart_seeds(seed, restarts)
    R, m = seeds.shape[0], len(ks)
    table = {"J": np.full((m, R), np.nan), "steps": np.zeros((m, R), dtype=np.int64),
             "best": np.full(m, -1, dtype=np.int64), "loglik": np.full(m, np.nan), "bic": np.full(m, np.nan),
             "aic": np.full(m, np.nan), "n_params": np.full(m, -1, dtype=np.int64)}
    errors = [""] * m
    state = {"cancelled": False, "done": 0}

    def result() -> Selection:
        t = table
        return Selection(np.array(ks), seeds.copy(), t["J"].copy(), t["steps"].copy(), t["best"].copy(),
                         t["loglik"].copy(), t["bic"].copy(), t["aic"].copy(), t["n_params"].copy(), tuple(errors),
                         state["cancelled"])

    for i, k in enumerate(ks):
        if (cancel is not None and cancel()) or _cancel.requested():
            state["cancelled"] = True
            break
        _one_k(i, k, table, errors, state, steps_fn, X, seeds, R, m, params, result_of, fit_fn, progress, cancel)
        if on_k is not None:
            on_k(i, result())
        if state["cancelled"]:
            break
    return result()


def _one_k(i, k, table, errors, state, steps_fn, X, seeds, R, m, params, result_of, fit_fn, progress, cancel):
    """The restarts of ``ks[i]`` and the criteria of the best one, into ``table``."""
    def each(done, total, info):
        table["J"][i] = info.objectives
        if progress is not None:
            progress(state["done"] + done, m * R, f"K = {k}, restart {done} of {total}")

    try:
        res = best_of(steps_fn, X, R, int(seeds[0]), "max", progress=each, cancel=cancel, k=k, **params)
    except _cancel.Cancelled:
        state["cancelled"] = True
        return
    except ValueError as exc:  # every restart failed (k above the distinct points, collapses)
        errors[i] = str(exc)
        state["done"] += R
        return
    info = res.info
    state["done"] += R
    state["cancelled"] = info.cancelled
    table["J"][i], table["steps"][i], table["best"][i] = info.objectives, info.n_steps, info.best
    if result_of is not None:
        fit = result_of(res.steps, k)
    else:
        fit = fit_fn(X, k=k, seed=int(info.seeds[info.best]), **params)
    table["loglik"][i] = float(fit.loglik[-1])
    table["bic"][i], table["aic"][i] = float(fit.bic), float(fit.aic)
    table["n_params"][i] = int(fit.n_params)


# ------------------------------------------------------------------------------------------ session entry
def parse_entry(value) -> dict:
    """A session's ``"model_selection"`` entry, checked: ``{"from": 1, "to": 6, "restarts": 3, "seed": 0}``
    (``restarts`` default 3, ``seed`` default 0).

    >>> parse_entry({"from": 1, "to": 5})
    {'from': 1, 'to': 5, 'restarts': 3, 'seed': 0}
    """
    entries.want("model_selection", value, dict, 'an object such as {"from": 1, "to": 6, "restarts": 3, "seed": 0}')
    try:
        entries.no_more(value, ("from", "to", "restarts", "seed"))
    except ParamError as exc:
        raise ParamError(f"model_selection: {exc}") from None
    if "from" not in value or "to" not in value:
        raise ParamError("model_selection should give the range of K: from and to (e.g. 1 and 6).")
    lo = entries.whole("model_selection.from", value["from"], 1)
    hi = entries.whole("model_selection.to", value["to"], lo)
    if hi - lo + 1 > SELECTION_LIMITS["ks"]:
        raise ParamError(f"model_selection: from {lo} to {hi} is {hi - lo + 1} values of K; at most "
                         f"{SELECTION_LIMITS['ks']}.")
    restarts = entries.whole("model_selection.restarts", value.get("restarts", 3), 1,
                             min(SELECTION_LIMITS["restarts"], RESTART_LIMIT))
    seed = entries.whole("model_selection.seed", value.get("seed", 0), 0, 2 ** 31 - 1 - RESTART_LIMIT)
    return {"from": lo, "to": hi, "restarts": restarts, "seed": seed}


def check_entry(spec: dict, n: int) -> None:
    """ParamError when the range of K goes above the number of points ``n``."""
    if spec["to"] > n:
        raise ParamError(f"model_selection goes to K = {spec['to']} but the data have only {n} points; "
                         f"use K values up to {n}.")


@dataclass(frozen=True)
class SelectionWork:
    """A session's model selection computed ahead (``SessionEntries.work``); a window uses it instead of
    computing again when its own arguments are the same (:meth:`matches`)."""

    X: np.ndarray
    spec: dict
    params: dict
    result: Selection

    def matches(self, X, spec, params) -> bool:
        return (dict(spec) == self.spec and dict(params) == self.params and np.shape(X) == self.X.shape
                and np.array_equal(X, self.X))


def selection_params(kwargs: dict) -> dict:
    """The run's keyword arguments less what a model selection sets itself (k, seed, restarts, the restart
    shown); ParamError for given starting parameters (each K needs its own)."""
    params = {key: v for key, v in kwargs.items() if key not in ("k", "seed", "restarts", "show_restart")}
    if not isinstance(params.get("init", "random"), str):
        raise ParamError("model_selection needs a random initialisation (params.init), not given starting "
                         "parameters: every K needs its own.")
    return params


def work(extra: dict, X, kwargs: dict, steps_fn, result_of) -> dict:
    """``{"model_selection": SelectionWork}`` for a session that asks for one (else {}), computed now."""
    spec = extra.get("model_selection")
    if spec is None:
        return {}
    params = selection_params(kwargs)
    ks = list(range(spec["from"], spec["to"] + 1))
    sel = select_k(steps_fn, X, ks, spec["restarts"], spec["seed"], result_of=lambda s, k: result_of(s, k, params),
                   **params)
    return {"model_selection": SelectionWork(np.asarray(X), dict(spec), params, sel)}
