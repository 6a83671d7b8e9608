"""Checks of decoded JSON values (session entries), each raising :class:`~engine.core.params.ParamError`.

The session format (:mod:`engine.session.schema`) and each algorithm's own
session entries (:class:`engine.core.registry.SessionEntries`) use these, so
every message about a bad value in a file reads the same way; the session
code adds which file and which part of it.

Example
-------
>>> matrix("init", [[1, 2], [3, 4]]).shape
(2, 2)
>>> whole("k", 2.5)
Traceback (most recent call last):
...
engine.core.params.ParamError: k=2.5 should be a whole number.
"""
from __future__ import annotations

import json
import math

import numpy as np

from engine.core.params import ParamError
from engine.core.validation import check_whole

__all__ = ["type_name", "short", "want", "whole", "matrix", "numbers", "no_more"]


def type_name(v) -> str:
    """How a message names the JSON type of ``v`` ("an object", "a list", ...)."""
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null",
            int: "a whole number", float: "a number"}.get(type(v), type(v).__name__)


def short(v) -> str:
    """``v`` as a message shows it: JSON, at most 60 characters."""
    text = json.dumps(v) if isinstance(v, (dict, list, str, int, float, bool, type(None))) else repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


def want(key, value, kind, what):
    """``value`` if it is of type ``kind`` (a bool is not a number), else ParamError("key should be what")."""
    if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
        raise ParamError(f"{key} should be {what}, not {type_name(value)} ({short(value)}).")
    return value


def whole(key, value, low=None, high=None) -> int:
    """``value`` as an int if it is a JSON number that is whole, within ``[low, high]``
    (:func:`engine.core.validation.check_whole`; a string such as ``"4"`` is not a number here)."""
    if isinstance(value, str):
        raise ParamError(f"{key}={short(value)} should be a whole number, not a string.")
    return check_whole(value, key, low=low, high=high, strict=False)


def matrix(key, value, rows=None, cols=None) -> np.ndarray:
    """A list of equally long lists of finite numbers -> float ndarray (r, c)."""
    if not isinstance(value, list) or not value or not all(isinstance(r, list) for r in value):
        raise ParamError(f"{key} should be a non-empty list of rows (lists of numbers), not {short(value)}.")
    widths = {len(r) for r in value}
    if len(widths) != 1 or 0 in widths:
        raise ParamError(f"{key}: every row should have the same number (>= 1) of values; "
                         f"found row lengths {sorted(widths)[:5]}.")
    for i, r in enumerate(value):
        for v in r:
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ParamError(f"{key}: row {i} holds {short(v)}; use finite numbers only.")
    arr = np.array(value, dtype=np.float64)
    if rows is not None and arr.shape[0] != rows:
        raise ParamError(f"{key} has {arr.shape[0]} rows; {rows} expected.")
    if cols is not None and arr.shape[1] != cols:
        raise ParamError(f"{key} has {arr.shape[1]} columns but the data have {cols} features.")
    return arr


def numbers(key, value) -> np.ndarray:
    """Nested lists of finite numbers (any shape) -> float ndarray."""
    def ok(v):
        if isinstance(v, list):
            return all(ok(x) for x in v)
        return not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v)
    if not isinstance(value, list) or not ok(value):
        raise ParamError(f"{key} should be a list of finite numbers (nested lists for matrices), not {short(value)}.")
    try:
        return np.array(value, dtype=np.float64)
    except ValueError:
        raise ParamError(f"{key}: the nested lists are ragged (rows of different lengths).") from None


def no_more(d, allowed) -> None:
    """ParamError naming the keys of ``d`` that are not in ``allowed``."""
    extra = [str(k) for k in d if k not in allowed]
    if extra:
        raise ParamError(f"unknown entr{'y' if len(extra) == 1 else 'ies'} {', '.join(extra)}; "
                         f"allowed here: {', '.join(allowed)}.")
