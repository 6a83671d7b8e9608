"""Input checks shared by every algorithm's public entry point.

Public entry points (``steps``, ``fit``) call these once; private helpers
trust their input. Messages say what is wrong and what to do.

Example
-------
>>> as_data([[0, 1], [2, 3]]).dtype
dtype('float64')
>>> bool(make_rng(0).integers(10) == make_rng(0).integers(10))
True
>>> check_whole(3, "k", low=1)
3
>>> check_whole(2.5, "k", low=1)
Traceback (most recent call last):
...
engine.core.params.ParamError: k=2.5 should be a whole number >= 1.
"""
from __future__ import annotations

import numpy as np

from engine.core.params import ParamError, is_integral

__all__ = ["as_data", "check_scale", "scale_limit", "make_rng", "check_k", "check_whole", "all_whole", "n_distinct"]


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
    check_scale(arr, name=name)
    return np.ascontiguousarray(arr)


def scale_limit(dtype=np.float64) -> float:
    """The largest ``max |x| * sqrt(d)`` the algorithms accept for data of ``dtype``.

    Squared distances are at most ``4 * limit**2``, which leaves a factor of 2.5e7 (sums over that
    many points) below the largest number of the dtype: ``1.3e150`` for float64, ``1.8e15`` for float32.
    """
    return float(np.sqrt(np.finfo(dtype).max)) * 1e-4


def check_scale(X, *, name: str = "X", error=ParamError) -> None:
    """Refuse data so large that squared distances (or sums of them) would overflow to infinity or NaN.

    ``X``: a 2-D array of finite numbers. Raises ``error`` with a message giving the largest
    value and the limit, and saying to rescale the data.

    Example
    -------
    >>> check_scale(np.array([[1e155, 0.0], [0.0, 0.0]]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    engine.core.params.ParamError: X has values up to 1e+155: squared distances between points would overflow ...
    """
    arr = np.asarray(X)
    if arr.size == 0 or not np.issubdtype(arr.dtype, np.floating):
        return
    d = arr.shape[1] if arr.ndim == 2 else 1
    top = max(float(arr.max()), -float(arr.min()))
    dtype = arr.dtype if arr.dtype in (np.float32, np.float64) else np.float64
    limit = scale_limit(dtype) / np.sqrt(d)
    if not top <= limit:
        raise error(f"{name} has values up to {top:.3g}: squared distances between points would overflow "
                    f"(the limit is {limit:.2g} for {d} feature(s)); rescale the data (divide them by a power of "
                    "ten) first.")


def check_whole(value, name: str, *, low=None, high=None, error=ParamError, strict: bool = True,
                suffix: str = "") -> int:
    """The one whole-number check of the engine: ``value`` as an ``int``, or ``error`` with a message.

    Parameters
    ----------
    value : object
        Accepted: a Python or numpy integer (never a bool). With ``strict=False``
        also anything whose ``float`` and ``int`` agree (``3.0``, ``"4"``), as
        parameter forms and session files give them.
    name : str
        Shown in the message: ``"{name}={value!r} should be a whole number ..."``.
    low, high : int or None
        Inclusive bounds; the message states them (``>= low`` or ``between low and high``).
    error : type of Exception
        :class:`ParamError` for parameters, :class:`engine.data.DataError` for data options.
    strict : bool
    suffix : str
        Appended to the message before the full stop (e.g. ``" or None"``).
    """
    ok = not isinstance(value, bool) and (isinstance(value, (int, np.integer)) if strict else is_integral(value))
    if ok:
        number = int(value)
        ok = (low is None or number >= low) and (high is None or number <= high)
    if not ok:
        bounds = (f" between {low} and {high}" if low is not None and high is not None else
                  f" >= {low}" if low is not None else f" <= {high}" if high is not None else "")
        raise error(f"{name}={value!r} should be a whole number{bounds}{suffix}.")
    return number


def all_whole(values) -> bool:
    """True when every entry of the float array ``values`` is a finite whole number (and there is one).

    Example
    -------
    >>> all_whole(np.array([1.0, -2.0])), all_whole(np.array([0.5])), all_whole(np.array([]))
    (True, False, False)
    """
    values = np.asarray(values, dtype=float)
    return bool(values.size and np.all(np.isfinite(values)) and np.all(values == np.round(values)))


def n_distinct(X: np.ndarray) -> int:
    """Number of distinct rows of the 2-D array ``X`` (``-0.0`` and ``0.0`` count as the same).

    Example
    -------
    >>> n_distinct(np.array([[0.0, 1.0], [-0.0, 1.0], [2.0, 1.0]]))
    2
    """
    rows = np.ascontiguousarray(X + 0.0)  # + 0.0 makes -0.0 and 0.0 the same bytes
    return int(np.unique(rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1])))).shape[0])


def make_rng(seed) -> np.random.Generator:
    """One way to turn a seed into a random generator: None, an int, or a Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None:
        check_whole(seed, "seed", low=0, suffix=" or None")
    return np.random.default_rng(seed)


def check_k(k, n_samples: int, *, name: str = "k") -> int:
    """``k`` must be a whole number with 1 <= k <= n_samples."""
    check_whole(k, name)
    if k < 1:
        raise ParamError(f"{name}={k} should be >= 1.")
    if k > n_samples:
        raise ParamError(f"n_samples={n_samples} should be >= {name}={k}: "
                         f"choose at most {n_samples} clusters or add points.")
    return int(k)
