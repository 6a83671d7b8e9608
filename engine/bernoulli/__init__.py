"""Mixture of multivariate Bernoulli distributions fitted by EM (binary images such as MNIST).

Model: ``z_n ~ Categorical(pi)``, ``p(x | z = k) = prod_d theta_kd^x_d (1 - theta_kd)^(1 - x_d)``.

* E-step: ``gamma_nk = pi_k p(x_n | k) / sum_j pi_j p(x_n | j)`` in log space; the log-probabilities of all
  points are one matrix product, ``X @ (log theta - log(1 - theta)).T + sum_d log(1 - theta_kd)``.
* M-step: ``N_k = sum_n gamma_nk``, ``theta_kd = (sum_n gamma_nk x_nd + alpha) / (N_k + 2 alpha)``, then
  clipped to ``[1e-10, 1 - 1e-10]``; ``pi_k = N_k / N``, or, with ``fixed_weights=True``, the starting
  weights kept at every step: ``1 / K`` (the textbook variant) unless ``init`` gives other weights.

``alpha`` is the strength of a symmetric ``Beta(alpha + 1, alpha + 1)`` prior on every ``theta_kd``: the
update above is the maximum a posteriori (MAP) estimate, and ``alpha = 0`` gives the plain
maximum-likelihood update ``sum_n gamma_nk x_nd / N_k``. With ``alpha > 0`` no pixel probability is ever
0 or 1, so a pixel never seen on in a cluster cannot veto that cluster for a new image.

**What never decreases.** EM maximises the log posterior
``log p(X | pi, theta) + sum_kd log Beta(theta_kd; alpha + 1, alpha + 1)`` (the prior term is 0 when
``alpha = 0``) over ``theta`` in the box ``[1e-10, 1 - 1e-10]`` (and ``pi`` free, or held uniform): the
E-step leaves it unchanged and the M-step cannot lower it (each ``theta_kd`` term is concave, so the
clipped update is the maximiser inside the box). ``Step.objective`` is therefore this **log posterior**
(``objective_sense="max"``); with ``alpha = 0`` it *is* the log-likelihood. The log-likelihood itself
is in the payload (``"loglik"``) and may dip slightly when ``alpha > 0``. Values are totals over points;
the run stops after the M-step whose change in ``objective / N`` is below ``tol``, or after ``max_iter``
iterations (one iteration = one E-step + one M-step).

**Precision.** The E-step and every reported objective are computed in float64. When
``n * d * k >= 10**7`` (MNIST-sized runs) the M-step's sums ``sum_n gamma_nk x_nd`` use float32 matrix
products, about twice as fast. Theta is then accurate to about 1e-6 relative and the objective
differs from an all-float64 run by about 1e-8 relative; the no-decrease guarantee is weakened only
to second order in that error (the M-step maximises a lower bound that touches the objective at the
old parameters), i.e. ~1e-12 relative, far below the 1e-10 tolerance of a monotonicity check.
Smaller runs are float64 throughout.

Payload: ``"probs"`` (k, d) theta (also ``Step.centers``), ``"weights"`` (k,), ``"loglik"``, ``"logpost"``,
``"loglik_mean"``, ``"alpha"``, ``"fixed_weights"``, ``"clip"`` (the bounds), ``"n_clipped"`` (theta values on
a bound); E- and M-steps add ``"resp"`` (n, k) float32 when ``n * k <= 200,000``, E-steps ``"changed"``,
M-steps ``"n_k"``.

Modules: :mod:`engine.bernoulli.model` (the workspace, M-step, prior and helpers),
:mod:`engine.bernoulli.fitting` (the Bernoulli part of the shared EM loop :mod:`engine.mixture.loop`);
this package re-exports their public names.

Example
-------
>>> X = np.array([[1, 1, 0, 0], [1, 1, 0, 0], [1, 0, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1], [0, 1, 1, 1]])
>>> r = fit(X, 2, seed=0)
>>> sorted(np.round(r.probs[:, 0], 1).tolist()), r.converged  # about (3 + alpha) / (3 + 2 alpha)
([0.2, 0.8], True)
"""
from __future__ import annotations

import numpy as np

from engine.bernoulli import entries as _entries
from engine.bernoulli.fitting import BernoulliResult, check_args, fit_result, run
from engine.bernoulli.working import working as _working
from engine.bernoulli.model import CLIP, FLOAT32_MIN_WORK, check_binary, log_prior, match_centres, responsibilities
from engine.core.params import Param
from engine.core.registry import Algorithm
from engine.core.restarts import restartable, restartable_fit

__all__ = ["ALGORITHM", "steps", "fit", "BernoulliResult", "check_binary", "log_prior", "responsibilities",
           "match_centres", "CLIP", "FLOAT32_MIN_WORK"]


def steps(X, k=10, init="random", fixed_weights=False, alpha=1.0, seed=None, max_iter=100, tol=1e-6):
    """Fit a Bernoulli mixture by EM, yielding an "init" step, then alternating "E" and "M" steps.

    Parameters
    ----------
    X : array-like of shape (n, d)
        Only 0 and 1 (binarize grey images first, e.g. ``engine.data.binarize(X, 0.5)``).
    k : int
        Number of components.
    init : "random", "kmeans", ndarray of shape (k, d) or dict
        ``"random"``: every theta_kd drawn uniformly from [0.25, 0.75], weights uniform.
        ``"kmeans"``: responsibilities from a K-means partition of X (k-means++ seeding, at most 30
        Lloyd iterations), then an M-step.
        array: the starting theta (clipped into the bounds), weights uniform;
        dict: ``probs`` (k, d) and optionally ``weights`` (k,).
    fixed_weights : bool
        Keep pi at its starting value in every E- and M-step instead of re-estimating it: uniform
        (1 / k), or the weights ``init`` gives.
    alpha : float
        Prior strength (see the module docstring); 0 = maximum likelihood.
    seed : int or None
    max_iter : int
        Maximum number of iterations (E-step + M-step).
    tol : float
        Stop when ``Step.objective / n`` changes by less than this in one iteration.

    Returns
    -------
    generator of :class:`engine.core.steps.Step`
        Arguments are checked when ``steps`` is called.

    Example
    -------
    >>> X = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1], [0, 1, 1]])
    >>> run = list(steps(X, 2, seed=0))
    >>> [s.kind for s in run[:3]], run[-1].done
    (['init', 'E', 'M'], True)
    """
    return run(*check_args(ALGORITHM.params, X, k, init, fixed_weights, alpha, seed, max_iter, tol))


def fit(X, k=10, init="random", fixed_weights=False, alpha=1.0, seed=None, max_iter=100,
        tol=1e-6) -> BernoulliResult:
    """Run :func:`steps` to the end and return the fitted mixture (parameters as :func:`steps`).

    Example
    -------
    >>> r = fit(np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1], [0, 1, 1]]), 2, seed=0, alpha=0)
    >>> r.resp.shape, r.loglik.shape == (r.n_iter + 1,)
    ((4, 2), True)
    """
    args = check_args(ALGORITHM.params, X, k, init, fixed_weights, alpha, seed, max_iter, tol)
    return fit_result(run(*args), args[0], args[1], alpha)


ALGORITHM = Algorithm(
    name="bernoulli", session=_entries.SESSION, example={"mnist": 200}, example_params={"k": 3},
    gui="gui.algorithms.bernoulli.plugin:BernoulliPlugin", order=40, fit=restartable_fit(fit, steps, "max"),
    title="Bernoulli mixture (EM)", steps=restartable(steps, "max"),
    summary="EM for binary images (MNIST pixels thresholded): responsibilities γ, θ_k shown as images.",
    params=(
        Param("k", "Components", "int", 10, low=1, high=100, help="Number of mixture components."),
        Param("init", "Initialisation", "choice", "random", choices=("random", "kmeans"),
              help="Random pixel probabilities in [0.25, 0.75], or a K-means partition."),
        Param("fixed_weights", "Fixed weights", "bool", False,
              help="Keep the mixing weights at their starting values: uniform (the textbook variant) unless "
                   "the session gives other starting weights."),
        Param("alpha", "Prior strength", "float", 1.0, low=0.0, high=1e4,
              help="Beta(alpha+1, alpha+1) prior on each pixel probability; 0 = maximum likelihood."),
        Param("seed", "Seed", "seed", 0, help="Same seed, same run; empty for a fresh random seed."),
        Param("restarts", "Restarts", "int", 1, low=1, high=100,
              help="Run EM from this many seeds (seed, seed + 1, ...) and show the run with the highest final "
                   "log posterior; every restart is listed in the Restarts tab."),
        Param("max_iter", "Max iterations", "int", 100, low=1, high=100_000,
              help="Stop after this many E+M iterations."),
        Param("tol", "Tolerance", "float", 1e-6, low=0.0, high=1.0,
              help="Stop when the mean log posterior changes by less than this."),
    ),
    objective_name="log posterior (= log-likelihood when alpha = 0)", objective_sense="max",
    working=_working,
)
