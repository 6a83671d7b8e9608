"""Fitting a Bernoulli mixture by EM: the Bernoulli part of the shared EM loop, and what ``fit`` returns.

:class:`BernoulliEM` implements :class:`engine.mixture.loop.MixtureEM` with
the workspace and M-step of :mod:`engine.bernoulli.model`; its objective is
the log posterior (the log-likelihood when ``alpha = 0``). :func:`run`
initialises (random theta, a K-means partition, or given probabilities) and
hands the model to :func:`engine.mixture.loop.em_steps`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from engine.bernoulli.model import CLIP, BernoulliWork, check_binary, mstep
from engine.core.params import ParamError
from engine.core.steps import compact_labels
from engine.core.validation import check_k, make_rng
from engine.mixture.em import check_distinct, frozen, kmeans_labels, one_hot
from engine.mixture.loop import em_steps
from engine.scores.criteria import Criteria, bernoulli_mixture_n_params

__all__ = ["BernoulliEM", "BernoulliResult", "explicit", "check_args", "run", "fit_result"]


class BernoulliEM:
    """One run's Bernoulli mixture for :func:`engine.mixture.loop.em_steps` (see :class:`~engine.mixture.loop.MixtureEM`)."""

    def __init__(self, X, k, alpha, fixed_weights):
        self.ws, self.n, self.alpha, self.fixed_weights = BernoulliWork(X, k), X.shape[0], alpha, fixed_weights
        self.kept = None  # with fixed_weights: the starting weights, kept by every M-step
        self.prior = "maximum likelihood" if alpha == 0 else f"Beta({alpha + 1:g}, {alpha + 1:g}) prior"
        self.stop_what = "the mean log-likelihood" if alpha == 0 else "the mean log posterior"

    def start(self, weights, probs, n_clipped):
        """Take these parameters as the current ones: evaluate them and describe them for the payload."""
        if self.fixed_weights and self.kept is None:
            self.kept = np.array(weights, dtype=float)
        ll, lp = self.ws.objective(weights, probs, self.alpha)
        self.objective, self.loglik, self.n_clipped = lp, ll, n_clipped
        self.params = {"weights": frozen(weights), "probs": frozen(probs), "alpha": self.alpha, "clip": CLIP,
                       "n_clipped": n_clipped, "fixed_weights": self.fixed_weights}
        self.values = {"loglik": ll, "logpost": lp, "loglik_mean": ll / self.n}
        self.centers = self.params["probs"]

    def estep(self):
        return self.ws.estep()

    def mstep(self, R):
        weights, probs, Nk, n_clipped = mstep(self.ws, R, self.alpha, self.kept if self.fixed_weights else None)
        self.start(weights, probs, n_clipped)
        return Nk

    def e_text(self, it, changed):
        return (f"E-step {it}: responsibilities from the current probabilities; {changed} image(s) "
                f"changed their most likely component; log-likelihood {self.loglik:.6g}")

    def m_text(self, it, change):
        what = "theta" + ("" if self.fixed_weights else " and weights") + f" ({self.prior})"
        text = f"M-step {it}: re-estimated {what}"
        if self.n_clipped:
            text += f"; {self.n_clipped} theta value(s) clipped to [1e-10, 1 - 1e-10]"
        return text + f"; log-likelihood {self.loglik:.6g}" + (
            "" if self.alpha == 0 else f", log posterior {self.objective:.6g}")


def explicit(init, k, d):
    """Check given starting probabilities (an array, or a dict of ``probs`` and ``weights``); (weights, probs)."""
    if isinstance(init, Mapping):
        if "probs" not in init:
            raise ParamError("init dict needs 'probs' (k, d) and may give 'weights' (k,).")
        probs, weights = init["probs"], init.get("weights")
    else:
        probs, weights = init, None
    try:
        probs = np.array(probs, dtype=float)
        weights = None if weights is None else np.array(weights, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise ParamError(f"init must be numbers: {exc}") from None
    if probs.shape != (k, d):
        raise ParamError(f"init probabilities have shape {probs.shape}; expected ({k}, {d}) for k={k} "
                         f"components and {d} features.")
    if not np.all((probs >= 0) & (probs <= 1)):
        raise ParamError("init probabilities must lie in [0, 1] (found "
                         f"{probs[~((probs >= 0) & (probs <= 1))][0]:g}).")
    if weights is None:
        weights = np.full(k, 1.0 / k)
    elif weights.shape != (k,) or not np.all(np.isfinite(weights)) or np.any(weights <= 0):
        raise ParamError(f"init weights should be {k} positive numbers; they are normalised to sum to 1.")
    return weights / weights.sum(), np.clip(probs, CLIP[0], CLIP[1])


def check_args(params, X, k, init, fixed_weights, alpha, seed, max_iter, tol):
    """Check the arguments of :func:`engine.bernoulli.steps` against its ``params``; return them checked.

    A given ``init`` becomes the tuple ``(weights, probs)``.
    """
    X = check_binary(X)
    by = {p.name: p for p in params}
    fixed_weights = by["fixed_weights"].check(fixed_weights)
    alpha, max_iter, tol = by["alpha"].check(alpha), by["max_iter"].check(max_iter), by["tol"].check(tol)
    k = check_k(k, X.shape[0])
    if isinstance(init, str):
        init = by["init"].check(init)
        check_distinct(X, k)
    else:
        init = explicit(init, k, X.shape[1])
    make_rng(seed)
    return X, k, init, fixed_weights, alpha, seed, max_iter, tol


def run(X, k, init, fixed_weights, alpha, seed, max_iter, tol):
    """Initialise (given probabilities, random theta or a K-means partition), then run EM's steps."""
    n, d = X.shape
    rng = make_rng(seed)
    em = BernoulliEM(X, k, alpha, fixed_weights)
    R0 = None
    if isinstance(init, tuple):
        weights, probs = init
        how, labels = "from the given probabilities", compact_labels(np.full(n, -1), k)
        n_clipped = int(np.count_nonzero((probs <= CLIP[0]) | (probs >= CLIP[1])))
    elif init == "random":
        weights, probs = np.full(k, 1.0 / k), rng.uniform(0.25, 0.75, size=(k, d))
        how, labels, n_clipped = "with theta drawn uniformly from [0.25, 0.75]", compact_labels(np.full(n, -1), k), 0
    else:
        lab = kmeans_labels(X, k, rng)
        R0 = one_hot(lab, k)
        weights, probs, _, n_clipped = mstep(em.ws, R0, alpha, True if fixed_weights else None)
        how, labels = "from a K-means partition, then an M-step", compact_labels(lab, k)
    em.start(weights, probs, n_clipped)
    text = f"initialised {k} components {how} ({em.prior}); log-likelihood {em.loglik:.6g}"
    yield from em_steps(em, k, n, text, labels, R0, max_iter, tol)


@dataclass(frozen=True)
class BernoulliResult(Criteria):
    """What :func:`fit` returns.

    Attributes
    ----------
    weights : (k,) ; probs : (k, d) theta
    resp : (n, k) responsibilities under the final parameters ; labels : (n,)
    loglik : (n_iter + 1,) total log-likelihood of the initial parameters and after each iteration
    logpost : (n_iter + 1,) the same for the log posterior (equal to ``loglik`` when alpha = 0)
    n_iter : int ; converged : bool
    fixed_weights : bool, the weights were kept at their start (not free parameters)
    n_params : int, ``k d`` probabilities plus ``k - 1`` weights unless fixed
    bic, aic : float, of the final parameters' log-likelihood on the data they were fitted on (lower is better)
    """

    weights: np.ndarray
    probs: np.ndarray
    resp: np.ndarray
    labels: np.ndarray
    loglik: np.ndarray
    logpost: np.ndarray
    n_iter: int
    converged: bool
    fixed_weights: bool = False

    @property
    def n_params(self) -> int:
        return bernoulli_mixture_n_params(*self.probs.shape, self.fixed_weights)



def fit_result(steps, X, k, alpha) -> BernoulliResult:
    """Run the step generator ``steps`` (on the checked binary ``X``) to the end; the fitted mixture."""
    lls, lps, last = [], [], None
    for step in steps:
        if step.kind in ("init", "M"):
            lls.append(step.payload["loglik"])
            lps.append(step.payload["logpost"])
        last = step
    p = last.payload
    ws = BernoulliWork(X, k)
    ws.objective(p["weights"], p["probs"], alpha)
    resp = ws.estep().T.copy()
    return BernoulliResult(weights=np.array(p["weights"]), probs=np.array(p["probs"]), resp=resp,
                           labels=resp.argmax(axis=1), loglik=np.array(lls), logpost=np.array(lps),
                           n_iter=last.iteration, converged=last.converged, fixed_weights=bool(p["fixed_weights"]))
