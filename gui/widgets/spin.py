"""A number box that shows a value in as few digits as it needs: ``1e-06``, ``0.5``, ``4``, never ``0.00000100``.

:class:`ShortDoubleSpinBox` keeps Qt's precision (``decimals``: the finest step it stores) but writes each value
with the fewest significant digits that give it back (``%.{p}g`` for the smallest ``p`` that round-trips at that
precision), so a parameter box, the timeline's speed and every other float field read like the value they hold.
Typing works as before: ``valueFromText`` reads any float the locale writes, ``1e-6`` included.
"""
from __future__ import annotations

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox

__all__ = ["ShortDoubleSpinBox", "short_number"]


def short_number(value: float, decimals: int = 8) -> str:
    """``value`` rounded to ``decimals`` places, written with the fewest significant digits that keep it.

    >>> [short_number(v) for v in (1e-06, 0.5, 4.0, 20.0, 0.2, 0.1 + 0.2, 123456.0, 0.0)]
    ['1e-06', '0.5', '4', '20', '0.2', '0.3', '123456', '0']
    >>> short_number(0.25), short_number(60.0, 2)
    ('0.25', '60')
    """
    v = round(float(value), decimals)
    if v == 0:
        return "0"
    tol = 0.5 * 10.0 ** -decimals
    fixed = next(f"{v:.{d}f}" for d in range(decimals + 1) if abs(float(f"{v:.{d}f}") - v) <= tol)
    short = next((f"{v:.{p}g}" for p in range(1, 17) if abs(float(f"{v:.{p}g}") - v) <= tol), fixed)
    return short if len(short) < len(fixed) else fixed  # 1e-06, but 20 (not 2e+01) and 0.25


class ShortDoubleSpinBox(QDoubleSpinBox):
    """A :class:`QDoubleSpinBox` that shows :func:`short_number` of its value (see the module docstring)."""

    def textFromValue(self, value: float) -> str:
        return short_number(value, self.decimals())

    def valueFromText(self, text: str) -> float:
        try:
            return float(self._clean(text))
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        body = self._clean(text)
        if body in ("", "-", "+", ".", "-.", "+.") or body.lower().endswith(("e", "e-", "e+")):
            return QValidator.State.Intermediate, text, pos
        try:
            v = float(body)
        except ValueError:
            return QValidator.State.Invalid, text, pos
        if self.minimum() <= v <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos

    def _clean(self, text: str) -> str:
        body = text
        if self.prefix() and body.startswith(self.prefix()):
            body = body[len(self.prefix()):]
        if self.suffix() and body.endswith(self.suffix()):
            body = body[:-len(self.suffix())]
        return body.strip().replace(",", "")
