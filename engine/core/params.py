"""Algorithm descriptions and parameter constraints, declared as data.

Each algorithm package declares one :class:`engine.core.registry.Algorithm`:
its name, its step generator and its :class:`Param` list. The GUI builds its parameter forms
from these, sessions validate against them, and the public entry points call
:func:`validate` once, so every message about a bad value reads the same way
(``k=12 should be <= n_samples=5``) and private helpers can trust their input.

Example
-------
>>> p = Param("k", "Clusters", "int", 3, low=1)
>>> validate_params((p,), {"k": 4})
{'k': 4}
>>> validate_params((p,), {"k": 0})
Traceback (most recent call last):
...
engine.core.params.ParamError: k=0 should be >= 1.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

__all__ = ["ParamError", "Param", "validate_params", "is_integral"]


class ParamError(ValueError):
    """A parameter value a person chose is not allowed; the message says which and why."""


@dataclass(frozen=True)
class Param:
    """One parameter of an algorithm.

    Parameters
    ----------
    name : str
        Keyword argument name of the step generator.
    label : str
        Short label for forms.
    kind : {"int", "float", "choice", "bool", "seed"}
        ``"seed"`` is an int >= 0 or None (None: a fresh random seed).
    default : object
    choices : tuple of str
        Allowed values for ``"choice"``.
    low, high : float or None
        Inclusive bounds for numbers.
    help : str
        One sentence for tooltips.
    choice_labels : tuple of str
        How forms show each of ``choices`` (same order; default: the choice itself).
    """

    name: str
    label: str
    kind: str
    default: Any
    choices: tuple = ()
    low: float | None = None
    high: float | None = None
    help: str = ""
    choice_labels: tuple = ()

    def choice_label(self, choice) -> str:
        """How a form shows ``choice``: its entry in :attr:`choice_labels`, else the choice itself."""
        return dict(zip(self.choices, self.choice_labels)).get(choice, str(choice))

    def check(self, value):
        """Return ``value`` converted to this parameter's type, or raise :class:`ParamError`."""
        name = self.name
        if self.kind == "choice":
            if value not in self.choices:
                opts = ", ".join(repr(c) for c in self.choices)
                raise ParamError(f"{name}={value!r} is not allowed; choose one of {opts}.")
            return value
        if self.kind == "bool":
            if not isinstance(value, (bool, int)) or value not in (0, 1):
                raise ParamError(f"{name}={value!r} should be true or false.")
            return bool(value)
        if self.kind == "seed":
            if value is None:
                return None
            if isinstance(value, bool) or not is_integral(value) or int(value) < 0:
                raise ParamError(f"{name}={value!r} should be a whole number >= 0, or empty for a random seed.")
            return int(value)
        if self.kind == "int":
            if isinstance(value, bool) or not is_integral(value):
                raise ParamError(f"{name}={value!r} should be a whole number.")
            value = int(value)
        elif self.kind == "float":
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise ParamError(f"{name}={value!r} should be a number.") from None
            if not math.isfinite(value):
                raise ParamError(f"{name}={value!r} should be a finite number.")
        else:  # pragma: no cover - a programming error in a declaration
            raise TypeError(f"unknown parameter kind {self.kind!r}")
        if self.low is not None and value < self.low:
            raise ParamError(f"{name}={value} should be >= {_fmt(self.low)}.")
        if self.high is not None and value > self.high:
            raise ParamError(f"{name}={value} should be <= {_fmt(self.high)}.")
        return value


def is_integral(value) -> bool:
    """True when ``float(value)`` and ``int(value)`` agree (``3``, ``3.0``, ``"3"``); the whole-number
    test of parameter forms (:func:`engine.core.validation.check_whole` is the check built on it)."""
    try:
        return float(value) == int(value)
    except (TypeError, ValueError, OverflowError):
        return False


def _fmt(x):
    return int(x) if float(x).is_integer() else x


def validate_params(params: Sequence[Param], values: Mapping[str, Any], *, fill_defaults=False) -> dict:
    """Check ``values`` against ``params``; unknown names are refused.

    Returns a new dict of converted values (with defaults for missing names
    when ``fill_defaults``). Values of names not declared as a :class:`Param`
    are refused, so a typo never passes silently.
    """
    by_name = {p.name: p for p in params}
    unknown = sorted(set(values) - set(by_name))
    if unknown:
        raise ParamError(f"unknown parameter(s) {', '.join(unknown)}; known: {', '.join(by_name)}.")
    out = {p.name: p.default for p in params} if fill_defaults else {}
    for name, value in values.items():
        out[name] = by_name[name].check(value)
    return out
