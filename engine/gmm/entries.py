"""What a session keeps for a Gaussian mixture beside its parameters: its starting parameters.

* ``"means": [[...], ...]``: k x d placed starting means (weights equal, every
  covariance ``v * I`` with ``v`` the data's mean per-feature variance, as the
  window does: :func:`engine.gmm.placed.placed_means_init`);
* ``"init": {"weights": [...], "means": [[...]], "covariances": [...]}``: all given.

Either one replaces ``params.init``. The result carries the fitted weights,
means and covariances and the log-likelihood after every M-step.

* ``"restart": 2``: the restart shown when ``params.restarts`` > 1 (from 0; default the best),
  :func:`engine.core.restarts.parse_entry`;
* ``"model_selection": {"from": 1, "to": 6, "restarts": 3, "seed": 0}``: BIC and AIC against K
  (:mod:`engine.mixture.selection`; the window's "Model selection" tab), computed by ``render``.
"""
from __future__ import annotations

import numpy as np

from engine.core import entries, restarts
from engine.core.params import ParamError
from engine.core.registry import SessionEntries
from engine.gmm.placed import placed_means_init
from engine.mixture import selection

__all__ = ["SESSION"]

PARTS = ("weights", "means", "covariances")


def _parse(found: dict, params: dict) -> dict:
    extra = _starting(found, params) if found.keys() & {"means", "init"} else {}
    extra.update(restarts.parse_entry(found, params))
    if "model_selection" in found:
        extra["model_selection"] = selection.parse_entry(found["model_selection"])
    return extra


def _starting(found: dict, params: dict) -> dict:
    if "means" in found and "init" in found:
        raise ParamError("give either means (placed starting means) or init (weights, means, covariances), not both.")
    if "means" in found:
        means = entries.matrix("means", found["means"])
        if "k" in params and params["k"] != means.shape[0]:
            raise ParamError(f"k={entries.short(params['k'])} but {means.shape[0]} starting means are given.")
        params["k"] = means.shape[0]
        return {"means": means}
    init = entries.want("init", found["init"], dict, "an object with weights, means and covariances")
    try:
        entries.no_more(init, PARTS)
    except ParamError as exc:
        raise ParamError(f"init: {exc}") from None
    if set(init) != set(PARTS):
        raise ParamError("init should give weights, means and covariances.")
    return {"init": {key: entries.numbers(f"init.{key}", init[key]) for key in PARTS}}


def _inputs(extra: dict, dataset, X, kwargs):
    if "means" in extra:
        means = np.asarray(extra["means"], dtype=np.float64)
        if means.shape[1] != X.shape[1]:
            raise ParamError(f"means has {means.shape[1]} columns but the data have {X.shape[1]} features.")
        kwargs["init"] = placed_means_init(means, X, kwargs.get("covariance", "full"))
    elif "init" in extra:
        kwargs["init"] = {k: np.asarray(v, dtype=np.float64) for k, v in extra["init"].items()}
    if "model_selection" in extra:
        selection.check_entry(extra["model_selection"], X.shape[0])
    return X, restarts.apply_entry(extra, kwargs)


def _summary(steps) -> dict:
    p = steps[-1].payload
    out = {key: p[key] for key in ("weights", "means", "covariances", "covariance_type") if key in p}
    out["loglik"] = [float(s.objective) for s in steps if s.kind in ("init", "M")]
    return out


def _work(extra: dict, dataset, X, kwargs) -> dict:
    """The session's model selection (BIC and AIC against K), computed headless."""
    from engine.core.registry import get_algorithm
    from engine.gmm.fitting import fit_result

    def result_of(steps, k, params):
        return fit_result(iter(steps), X, params.get("covariance", "full"))
    return selection.work(extra, X, kwargs, get_algorithm("gmm").steps, result_of)


SESSION = SessionEntries(keys=("init", "means", "restart", "model_selection"), parse=_parse, inputs=_inputs,
                         summary=_summary, work=_work, replaces={"means": "init", "init": "init"})
