"""Input checks shared by every algorithm's public entry point.

Public entry points (``steps``, ``fit``) call these once; private helpers
trust their input. Messages say what is wrong and what to do.

Example
-------
>>> as_data([[0, 1], [2, 3]]).dtype
dtype('float64')
>>> bool(make_rng(0).integers(10) == make_rng(0).integers(10))
True
"""
from __future__ import annotations

import numpy as np

from engine.core.params import ParamError

__all__ = ["as_data", "make_rng", "check_k"]


def as_data(X, *, name: str = "X", min_samples: int = 1, dtype=np.float64) -> np.ndarray:
    """Return ``X`` as a C-contiguous 2-D float array, refusing NaN/inf and empty data.

    A 1-D array is taken as one feature (n x 1).
    """
    try:
        arr = np.asarray(X, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise ParamError(f"{name} must be numbers: {exc}") from None
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ParamError(f"{name} must be a 2-D array (n_samples, n_features); got shape {arr.shape}.")
    if arr.shape[0] < min_samples:
        raise ParamError(f"{name} has {arr.shape[0]} point(s); at least {min_samples} needed. Add points or load data.")
    if arr.shape[1] == 0:
        raise ParamError(f"{name} has no features (shape {arr.shape}).")
    finite = np.isfinite(arr)
    if not finite.all():
        row = int(np.argwhere(~finite)[0, 0])
        raise ParamError(f"{name} contains NaN or infinity (first at row {row}); "
                         "remove or fill in missing values before clustering.")
    return np.ascontiguousarray(arr)


def make_rng(seed) -> np.random.Generator:
    """One way to turn a seed into a random generator: None, an int, or a Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise ParamError(f"seed={seed!r} should be a whole number >= 0 or None.")
    return np.random.default_rng(seed)


def check_k(k, n_samples: int, *, name: str = "k") -> int:
    """``k`` must be a whole number with 1 <= k <= n_samples."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise ParamError(f"{name}={k!r} should be a whole number.")
    if k < 1:
        raise ParamError(f"{name}={k} should be >= 1.")
    if k > n_samples:
        raise ParamError(f"n_samples={n_samples} should be >= {name}={k}: "
                         f"choose at most {n_samples} clusters or add points.")
    return int(k)
