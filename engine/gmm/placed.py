"""A Gaussian mixture's starting parameters from placed means (what the window does with means placed by hand)."""
from __future__ import annotations

import numpy as np

__all__ = ["placed_means_init"]


def placed_means_init(means, X, covariance_type: str = "full") -> dict:
    """``init`` of :func:`engine.gmm.steps` from starting means (k, d): equal weights, covariances ``v * I``.

    ``v`` is the data's mean per-feature variance (1 when the data have no spread); the covariances
    have the shape ``covariance_type`` asks for. This is what the window does with placed means.

    Example
    -------
    >>> init = placed_means_init([[0.0, 0.0], [2.0, 0.0]], [[0.0, 0.0], [2.0, 0.0]], "spherical")
    >>> init["weights"].tolist(), init["covariances"].tolist()
    ([0.5, 0.5], [0.5, 0.5])
    """
    means = np.asarray(means, dtype=np.float64)
    k, d = means.shape
    v = float(np.asarray(X, dtype=np.float64).var(axis=0).mean())
    v = v if v > 0 and np.isfinite(v) else 1.0
    cov = {"full": lambda: np.broadcast_to(v * np.eye(d), (k, d, d)).copy(), "tied": lambda: v * np.eye(d),
           "diag": lambda: np.full((k, d), v), "spherical": lambda: np.full(k, v)}[covariance_type]()
    return {"weights": np.full(k, 1.0 / k), "means": means, "covariances": cov}
