"""Information criteria of a fitted mixture: BIC and AIC, and the parameter counts they need.

``BIC = -2 log L + p log n`` and ``AIC = -2 log L + 2 p`` for the total log-likelihood ``log L`` of
the ``n`` points the model was fitted on and ``p`` free parameters (lower is better), as
scikit-learn's ``GaussianMixture.bic`` / ``.aic``.

Free parameters of a mixture of ``k`` components in ``d`` dimensions:

* Gaussian: ``k - 1`` weights, ``k d`` means, and the covariances: full ``k d (d + 1) / 2``, diag
  ``k d``, spherical ``k``, tied ``d (d + 1) / 2`` (one shared matrix);
* Bernoulli: ``k - 1`` weights and ``k d`` pixel probabilities (weights kept fixed: ``k d``).

Example
-------
>>> gaussian_mixture_n_params(3, 2, "full"), gaussian_mixture_n_params(3, 2, "tied")
(17, 11)
>>> bernoulli_mixture_n_params(10, 784)
7849
>>> bic(-100.0, 5, 50) > aic(-100.0, 5)
True
"""
from __future__ import annotations

from math import log

from engine.core.params import ParamError

__all__ = ["bic", "aic", "gaussian_mixture_n_params", "bernoulli_mixture_n_params", "Criteria"]


def gaussian_mixture_n_params(k: int, d: int, covariance: str) -> int:
    """Free parameters of a Gaussian mixture (``covariance``: "full", "diag", "spherical" or "tied")."""
    k, d = int(k), int(d)
    cov = {"full": k * d * (d + 1) // 2, "diag": k * d, "spherical": k, "tied": d * (d + 1) // 2}.get(covariance)
    if cov is None:
        raise ParamError(f"covariance={covariance!r}: choose 'full', 'diag', 'spherical' or 'tied'.")
    return cov + k * d + k - 1


def bernoulli_mixture_n_params(k: int, d: int, fixed_weights: bool = False) -> int:
    """Free parameters of a Bernoulli mixture: ``k d`` probabilities, plus ``k - 1`` weights unless fixed."""
    return int(k) * int(d) + (0 if fixed_weights else int(k) - 1)


def bic(loglik: float, n_params: int, n: int) -> float:
    """Bayesian information criterion ``-2 loglik + n_params log n`` (lower is better)."""
    return -2.0 * float(loglik) + int(n_params) * log(int(n))


def aic(loglik: float, n_params: int) -> float:
    """Akaike information criterion ``-2 loglik + 2 n_params`` (lower is better)."""
    return -2.0 * float(loglik) + 2.0 * int(n_params)


class Criteria:
    """BIC and AIC of a fitted mixture, for results that give ``n_params``, ``loglik`` (the last value is the
    fit's) and ``resp`` (one row per point of the data it was fitted on)."""

    @property
    def bic(self) -> float:
        return bic(self.loglik[-1], self.n_params, self.resp.shape[0])

    @property
    def aic(self) -> float:
        return aic(self.loglik[-1], self.n_params)
