"""What a session keeps for a Bernoulli mixture beside its parameters: the threshold and starting parameters.

* ``"threshold"``: the run works on the data binarized at it (``x > t`` -> 1,
  else 0; default 0.5), never standardized — as the window does;
* ``"init"``: k x d starting probabilities, or ``{"probs": ..., "weights": ...}``.

* ``"restart": 2``: the restart shown when ``params.restarts`` > 1 (from 0; default the best),
  :func:`engine.core.restarts.parse_entry`;
* ``"model_selection": {"from": 1, "to": 6, "restarts": 3, "seed": 0}``: BIC and AIC against K
  (:mod:`engine.mixture.selection`; the window's "Model selection" tab), computed by ``render``.

The result carries the fitted weights and probabilities.
"""
from __future__ import annotations

import math

import numpy as np

from engine.core import entries, restarts
from engine.core.params import ParamError
from engine.core.registry import SessionEntries
from engine.data import binarize
from engine.mixture import selection

__all__ = ["SESSION"]


def _parse(found: dict, params: dict) -> dict:
    extra = {}
    if "init" in found:
        init = found["init"]
        if isinstance(init, dict):
            try:
                entries.no_more(init, ("probs", "weights"))
            except ParamError as exc:
                raise ParamError(f"init: {exc}") from None
            if "probs" not in init:
                raise ParamError("init should give probs (k x d), and optionally weights (k).")
            extra["init"] = {key: entries.numbers(f"init.{key}", v) for key, v in init.items()}
        else:
            extra["init"] = entries.matrix("init", init)
    if "threshold" in found:
        t = found["threshold"]
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t):
            raise ParamError(f"threshold={entries.short(t)} should be a number (values above it become 1, "
                             "the others 0).")
        extra["threshold"] = float(t)
    extra.update(restarts.parse_entry(found, params))
    if "model_selection" in found:
        extra["model_selection"] = selection.parse_entry(found["model_selection"])
    return extra


def _inputs(extra: dict, dataset, X, kwargs):
    if "init" in extra:
        init = extra["init"]
        kwargs["init"] = {k: np.asarray(v, dtype=np.float64) for k, v in init.items()} \
            if isinstance(init, dict) else np.asarray(init, dtype=np.float64)
    if "model_selection" in extra:
        selection.check_entry(extra["model_selection"], dataset.n)
    return binarize(dataset.X, extra.get("threshold", 0.5)), restarts.apply_entry(extra, kwargs)


def _summary(steps) -> dict:
    p = steps[-1].payload
    return {key: p[key] for key in ("weights", "probs", "loglik", "logpost") if key in p}


def _work(extra: dict, dataset, X, kwargs) -> dict:
    """The session's model selection (BIC and AIC against K), computed headless on the binarized data."""
    from engine.bernoulli.fitting import fit_result
    from engine.core.registry import get_algorithm

    def result_of(steps, k, params):
        return fit_result(iter(steps), X, k, params.get("alpha", 1.0))
    return selection.work(extra, X, kwargs, get_algorithm("bernoulli").steps, result_of)


SESSION = SessionEntries(keys=("init", "threshold", "restart", "model_selection"), parse=_parse, inputs=_inputs,
                         summary=_summary, work=_work, replaces={"init": "init"})
