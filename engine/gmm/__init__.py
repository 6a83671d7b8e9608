"""Gaussian mixture model fitted by EM, one E- or M-step at a time.

Model: ``z_n ~ Categorical(pi)``, ``x_n | z_n = k ~ N(mu_k, Sigma_k)``.

* E-step: ``q_nk = pi_k N(x_n | mu_k, Sigma_k) / sum_j pi_j N(x_n | mu_j, Sigma_j)``, computed in
  log space (log-sum-exp over components, Cholesky factors, never an explicit inverse of a
  covariance matrix).
* M-step: ``N_k = sum_n q_nk`` (plus ``10 * eps``, as scikit-learn), ``pi_k = N_k / N``,
  ``mu_k = sum_n q_nk x_n / N_k``, ``Sigma_k = sum_n q_nk (x_n - mu_k)(x_n - mu_k)^T / N_k + reg * I``,
  restricted to the covariance type: ``"full"``, ``"diag"`` (per-feature variances),
  ``"spherical"`` (one variance per component) or ``"tied"`` (one full matrix shared by all
  components, ``sum_k N_k Sigma_k / N``). The same conventions as scikit-learn's
  ``GaussianMixture``, which the tests use as reference.

The objective is the **total** log-likelihood ``L = sum_n log sum_k pi_k N(x_n | mu_k, Sigma_k)``
(``Step.objective``); its mean ``L / N`` is in the payload as ``"loglik_mean"``. ``L`` never
decreases from one step to the next (``objective_sense="max"``): an E-step leaves the parameters
and so ``L`` unchanged, an M-step cannot lower it. The run stops after the M-step whose change in
the *mean* log-likelihood is below ``tol`` (``status="converged"``) or after ``max_iter``
iterations (one iteration = one E-step + one M-step).

Payload of every step (read-only arrays, shared between steps where unchanged):

``"weights"`` (k,), ``"means"`` (k, d) (also ``Step.centers``), ``"covariances"`` (k, d, d) - every
covariance type expanded to full matrices for drawing (omitted only for diag/spherical models whose
expansion would exceed 100,000 values; use :func:`full_covariances` or :func:`project_covariances`),
``"covariances_native"`` in scikit-learn's shape for the type (full (k, d, d), tied (d, d), diag (k, d),
spherical (k,)), ``"covariance_type"``, ``"loglik"``, ``"loglik_mean"``, ``"reg"``; E- and M-steps add
``"resp"`` (n, k) float32 when ``n * k <= 200,000`` (otherwise recompute it with
:func:`responsibilities`), E-steps ``"changed"`` (points whose most likely component changed) and
M-steps ``"n_k"`` (k,). ``Step.labels`` is the most likely component of each point.

Modules: :mod:`engine.gmm.model` (covariance types, densities, ellipses), :mod:`engine.gmm.fitting`
(the Gaussian part of the shared EM loop :mod:`engine.mixture.loop`); the kernels are in
:mod:`engine.mixture.em`. This package re-exports their public names.

Example
-------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> X = np.vstack([rng.normal(0, 1, (50, 2)), rng.normal(6, 1, (50, 2))])
>>> r = fit(X, 2, seed=0)
>>> r.converged, sorted(np.round(r.weights, 2).tolist())
(True, [0.5, 0.5])
"""
from __future__ import annotations

import numpy as np

from engine.core.params import Param
from engine.core.registry import Algorithm
from engine.core.restarts import restartable, restartable_fit
from engine.gmm import entries as _entries
from engine.gmm.fitting import GMMResult, check_args, fit_result, run
from engine.gmm.working import working as _working
from engine.gmm.model import (COVARIANCE_TYPES, density_grid, ellipse, full_covariances, log_prob,
                              project_covariances, responsibilities)

__all__ = ["ALGORITHM", "COVARIANCE_TYPES", "steps", "fit", "GMMResult", "responsibilities", "log_prob",
           "full_covariances", "project_covariances", "ellipse", "density_grid"]


def steps(X, k=3, covariance="full", init="kmeans", reg=1e-6, seed=None, max_iter=200, tol=1e-6):
    """Fit a Gaussian mixture by EM, yielding an "init" step, then alternating "E" and "M" steps.

    Parameters
    ----------
    X : array-like of shape (n, d)
    k : int
        Number of components, ``1 <= k <=`` number of distinct points.
    covariance : {"full", "diag", "spherical", "tied"}
    init : "kmeans", "random" or dict
        ``"kmeans"``: responsibilities from a K-means partition (k-means++ seeding, at most 30 Lloyd
        iterations), then an M-step.
        ``"random"``: uniformly random responsibilities normalised per point, then an M-step.
        dict: ``weights`` (k,) (normalised to sum 1), ``means`` (k, d) and ``covariances`` in
        scikit-learn's shape for ``covariance`` - used as they are (``reg`` is not added).
    reg : float
        Added to the diagonal of every covariance in each M-step (scikit-learn's ``reg_covar``).
    seed : int or None
        Seed for the initialisation (None: a fresh one).
    max_iter : int
        Maximum number of iterations (E-step + M-step).
    tol : float
        Stop when the mean log-likelihood changes by less than ``tol`` in one iteration.

    Returns
    -------
    generator of :class:`engine.core.steps.Step`
        Arguments are checked when ``steps`` is called; a component that collapses raises a
        :class:`ParamError` while iterating.

    Example
    -------
    >>> X = np.array([[0.0, 0.1], [0.2, 0.0], [0.1, 0.3], [5.0, 5.1], [5.2, 5.0], [5.1, 4.8]])
    >>> run = list(steps(X, 2, covariance="spherical", seed=1))
    >>> [s.kind for s in run[:3]], run[-1].done
    (['init', 'E', 'M'], True)
    """
    return run(*check_args(ALGORITHM.params, X, k, covariance, init, reg, seed, max_iter, tol))


def fit(X, k=3, covariance="full", init="kmeans", reg=1e-6, seed=None, max_iter=200, tol=1e-6) -> GMMResult:
    """Run :func:`steps` to the end and return the fitted mixture (parameters as :func:`steps`).

    Example
    -------
    >>> X = np.array([[0.0, 0.1], [0.2, 0.0], [0.1, 0.3], [5.0, 5.1], [5.2, 5.0], [5.1, 4.8]])
    >>> r = fit(X, 2, covariance="spherical", seed=1)
    >>> r.resp.shape, bool(np.allclose(r.resp.sum(axis=1), 1))
    ((6, 2), True)
    """
    return fit_result(steps(X, k, covariance, init, reg, seed, max_iter, tol), X, covariance)


ALGORITHM = Algorithm(
    name="gmm", session=_entries.SESSION, example={"generator": "elongated", "n": 150, "seed": 6}, example_params={},
    gui="gui.algorithms.gmm.plugin:GmmPlugin", order=30, fit=restartable_fit(fit, steps, "max"),
    title="Gaussian mixture (EM)", steps=restartable(steps, "max"),
    summary="EM with full, diagonal, spherical or tied covariances: E- and M-steps, ellipses, log-likelihood.",
    params=(
        Param("k", "Components", "int", 3, low=1, high=50, help="Number of Gaussian components."),
        Param("covariance", "Covariance", "choice", "full", choices=COVARIANCE_TYPES,
              help="Shape of each component: full ellipses, axis-aligned (diag), circles (spherical), "
                   "or one shared ellipse (tied)."),
        Param("init", "Initialisation", "choice", "kmeans", choices=("kmeans", "random"),
              help="Start from a K-means partition or from random responsibilities."),
        Param("reg", "Regularisation", "float", 1e-6, low=0.0, high=1e6,
              help="Added to every covariance diagonal; keeps components from collapsing onto a point."),
        Param("seed", "Seed", "seed", 0, help="Same seed, same run; empty for a fresh random seed."),
        Param("restarts", "Restarts", "int", 1, low=1, high=100,
              help="Run EM from this many seeds (seed, seed + 1, ...) and show the run with the highest final "
                   "log-likelihood; every restart is listed in the Restarts tab."),
        Param("max_iter", "Max iterations", "int", 200, low=1, high=100_000,
              help="Stop after this many E+M iterations."),
        Param("tol", "Tolerance", "float", 1e-6, low=0.0, high=1.0,
              help="Stop when the mean log-likelihood changes by less than this."),
    ),
    objective_name="log-likelihood", objective_sense="max",
    working=_working,
)
