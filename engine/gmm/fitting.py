"""Fitting a Gaussian mixture by EM: the Gaussian part of the shared EM loop, and what ``fit`` returns.

:class:`GaussianEM` holds one run's data (centred once), workspace and
current parameters, and implements :class:`engine.mixture.loop.MixtureEM`:
its E-step is :meth:`engine.mixture.em.GaussWork.estep`, its M-step the
closed-form update of :mod:`engine.mixture.em` (the 2-D shortcut for
planar data). A covariance that becomes singular is reported by
:func:`collapse_error` with what to do about it. :func:`run` initialises and
hands the model to :func:`engine.mixture.loop.em_steps`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from engine.core.params import ParamError
from engine.core.steps import compact_labels
from engine.core.validation import as_data, check_k, make_rng
from engine.gmm.model import FULL_STORE_LIMIT, expand, explicit, full_covariances, responsibilities
from engine.mixture.em import (GaussModel, GaussWork, Singular, check_distinct, factor, frozen, kmeans_labels,
                               mstep_2d, mstep_general, n_distinct, one_hot, random_resp, variance_floor)
from engine.mixture.loop import em_steps
from engine.scores.criteria import Criteria, gaussian_mixture_n_params

__all__ = ["EMPTY_NK", "GaussianEM", "GMMResult", "check_args", "collapse_error", "run", "fit_result"]

#: A component whose N_k falls below this (in points) has lost all its points.
EMPTY_NK = 1e-8


def _advice(reg, k, *extra) -> str:
    """"increase reg (now 0), lower k (now 3), or ...": only what can help (no "lower k" when k = 1)."""
    parts = [f"increase reg (now {reg:g})", *extra]
    if k > 1:
        parts += [f"lower k (now {k})", "try another seed or initialisation"]
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + (", or " if len(parts) > 2 else " or ") + parts[-1]


def collapse_error(exc, X, R, Nk, ctype, reg, k) -> ParamError:
    """A message for a singular covariance that says which component, why, and what to do.

    Components are numbered 1..k, as the window draws them.
    """
    if exc.index is None:
        return ParamError("the shared covariance (covariance='tied') is singular: the points lie on a line "
                          f"or plane, not spread in all {X.shape[1]} directions. Increase reg (now {reg:g}) "
                          "or use covariance='spherical'.")
    j = exc.index
    members = R[j] > 0.5 if R is not None else np.zeros(X.shape[0], bool)
    n_pts = int(members.sum())
    distinct = n_distinct(X[members]) if n_pts else 0
    nk = f"N_k = {Nk[j]:.3g}" if Nk is not None else "given"
    if distinct == 1:
        return ParamError(f"component {j + 1} of {k} collapsed onto a single point ({n_pts} identical data "
                          f"point(s), {nk}), so its covariance is singular: {_advice(reg, k)}.")
    if distinct == 0:
        return ParamError(f"component {j + 1} of {k} collapsed: no point belongs mostly to it ({nk}) and its "
                          f"covariance is singular: {_advice(reg, k)}.")
    fix = _advice(reg, k, "use covariance='spherical'")
    return ParamError(f"component {j + 1} of {k} is flat: its {n_pts} points lie on a line or plane ({nk}), so its "
                      f"covariance is singular: {fix}.")


class GaussianEM:
    """One run's Gaussian mixture for :func:`engine.mixture.loop.em_steps` (see :class:`~engine.mixture.loop.MixtureEM`)."""

    stop_what = "the mean log-likelihood"

    def __init__(self, X, k, ctype, reg):
        self.X, self.k, self.ctype, self.reg = X, k, ctype, reg
        self.shift = X.mean(axis=0)
        self.Xc = X - self.shift
        self.floor = variance_floor(X)
        self.ws = GaussWork(self.Xc, k)
        self.model = None

    def new_model(self, R, weights, means, cov, Nk) -> GaussModel:
        """The model of M-step estimates; a clear :class:`ParamError` when a component emptied or collapsed."""
        k = self.k
        if Nk is not None and Nk.min() < EMPTY_NK:
            j = int(np.argmin(Nk))
            raise ParamError(f"component {j + 1} of {k} lost all its points (N_k = {Nk[j]:.2g}): nothing is left to "
                             f"estimate its mean and covariance from. Lower k (now {k}) or start it closer to the "
                             "data (another seed or initialisation).")
        try:
            return GaussModel(weights, means, cov, self.ctype, self.floor)
        except Singular as exc:
            raise collapse_error(exc, self.X, R, Nk, self.ctype, self.reg, k) from None

    def start(self, model: GaussModel):
        """Take ``model`` as the current parameters: evaluate it and describe it for the payload."""
        self.model = model
        self.objective = ll = self.ws.loglik(model)
        k, d = self.k, self.X.shape[1]
        cov = frozen(model.cov.copy())
        params = {"weights": frozen(model.weights.copy()), "means": frozen(model.means + self.shift),
                  "covariances_native": cov, "covariance_type": self.ctype, "reg": self.reg}
        if self.ctype in ("full", "tied") or k * d * d <= FULL_STORE_LIMIT:
            params["covariances"] = cov if self.ctype == "full" else frozen(expand(cov, self.ctype, k, d))
        self.params, self.centers = params, params["means"]
        self.values = {"loglik": ll, "loglik_mean": ll / self.X.shape[0]}

    def estep(self):
        return self.ws.estep()

    def mstep(self, R):
        if self.X.shape[1] == 2:
            w, mu, cov, Nk = mstep_2d(self.ws, R, self.model, self.reg)
        else:
            w, mu, cov, Nk = mstep_general(self.Xc, R, self.ctype, self.reg)
        self.start(self.new_model(R, w, mu, cov, Nk))
        return Nk

    def e_text(self, it, changed):
        return (f"E-step {it}: responsibilities from the current parameters; {changed} point(s) changed "
                f"their most likely component; log-likelihood {self.objective:.6g}")

    def m_text(self, it, change):
        return (f"M-step {it}: re-estimated weights, means and {self.ctype} covariances; log-likelihood "
                f"{self.objective:.6g} ({change:+.3g} per point)")


def check_args(params, X, k, covariance, init, reg, seed, max_iter, tol):
    """Check the arguments of :func:`engine.gmm.steps` against its ``params`` (:class:`~engine.core.params.Param`).

    Returns the checked ``(X, k, covariance, init, reg, seed, max_iter, tol)``; a dict ``init`` becomes the
    tuple ``(weights, means, covariances)``.
    """
    X = as_data(X)
    by = {p.name: p for p in params}
    covariance = by["covariance"].check(covariance)
    reg, max_iter, tol = by["reg"].check(reg), by["max_iter"].check(max_iter), by["tol"].check(tol)
    k = check_k(k, X.shape[0])
    if isinstance(init, Mapping):
        w = np.asarray(init.get("weights", ()))
        if w.ndim == 1 and w.shape[0] != k:
            raise ParamError(f"k={k} but init gives {w.shape[0]} weights: they must agree.")
        init = explicit(init, k, X.shape[1], covariance)
        try:
            factor(init[2], covariance, X.shape[1])
        except Singular as exc:
            where = "the tied covariance" if exc.index is None else f"covariances[{exc.index}]"
            raise ParamError(f"init: {where} is not positive definite; give symmetric positive-definite "
                             "matrices.") from None
    elif isinstance(init, str):
        init = by["init"].check(init)
    else:
        raise ParamError(f"init={init!r} should be 'kmeans', 'random' or a dict of weights, means, covariances.")
    check_distinct(X, k)
    make_rng(seed)
    return X, k, covariance, init, reg, seed, max_iter, tol


def run(X, k, ctype, init, reg, seed, max_iter, tol):
    """Initialise (given parameters, a K-means partition or random responsibilities), then run EM's steps."""
    n = X.shape[0]
    rng = make_rng(seed)
    em = GaussianEM(X, k, ctype, reg)
    if isinstance(init, tuple):  # explicit parameters, checked by check_args
        w, mu, cov = init
        model = GaussModel(w, mu - em.shift, cov, ctype)
        labels = compact_labels(np.full(n, -1), k)
        how, R0 = "from the given parameters", None
    else:
        if init == "kmeans":
            lab = kmeans_labels(X, k, rng)
            R0, how = one_hot(lab, k), "from a K-means partition (k-means++ seeding), then an M-step"
        else:
            R0, how = random_resp(rng, k, n), "from random responsibilities, then an M-step"
            lab = R0.argmax(axis=0)
        labels = compact_labels(lab, k)
        w, mu, cov, Nk = mstep_general(em.Xc, R0, ctype, reg)
        model = em.new_model(R0, w, mu, cov, Nk)
    em.start(model)
    text = f"initialised {k} {ctype}-covariance components {how}; log-likelihood {em.objective:.6g}"
    yield from em_steps(em, k, n, text, labels, R0, max_iter, tol)


@dataclass(frozen=True)
class GMMResult(Criteria):
    """What :func:`fit` returns.

    Attributes
    ----------
    weights : (k,) ; means : (k, d)
    covariances : scikit-learn's shape for ``covariance_type``
    covariances_full : (k, d, d)
    covariance_type : str
    resp : (n, k) responsibilities under the final parameters
    labels : (n,) most likely component under the final parameters
    loglik : (n_iter + 1,) total log-likelihood of the initial parameters and after each iteration
    n_iter : int ; converged : bool
    n_params : int, the free parameters for ``covariance_type`` (:func:`engine.scores.gaussian_mixture_n_params`)
    bic, aic : float, of the fitted parameters on the data they were fitted on (lower is better; as
        scikit-learn's ``GaussianMixture.bic(X)`` / ``.aic(X)``)
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    covariances_full: np.ndarray
    covariance_type: str
    resp: np.ndarray
    labels: np.ndarray
    loglik: np.ndarray
    n_iter: int
    converged: bool

    @property
    def n_params(self) -> int:
        return gaussian_mixture_n_params(*self.means.shape, self.covariance_type)



def fit_result(steps, X, covariance) -> GMMResult:
    """Run the step generator ``steps`` (of :func:`engine.gmm.steps` on ``X``) to the end; the fitted mixture."""
    lls, last = [], None
    for step in steps:
        if step.kind in ("init", "M"):
            lls.append(step.objective)
        last = step
    p = last.payload
    X = as_data(X)
    resp = responsibilities(X, p["weights"], p["means"], p["covariances_native"], covariance)
    return GMMResult(weights=np.array(p["weights"]), means=np.array(p["means"]),
                     covariances=np.array(p["covariances_native"]),
                     covariances_full=full_covariances(p["covariances_native"], covariance, len(p["weights"]),
                                                       X.shape[1]),
                     covariance_type=covariance, resp=resp, labels=resp.argmax(axis=1),
                     loglik=np.array(lls), n_iter=last.iteration, converged=last.converged)
