"""The norms' names as the course writes them, for every text, title and table (one place, not one per view).

>>> NORM_SYMBOLS["linf"]
'ℓ∞'
"""

__all__ = ["NORM_SYMBOLS"]

#: Parameter value -> symbol: ``"l1"`` -> ℓ1, ``"l2"`` -> ℓ2, ``"linf"`` -> ℓ∞.
NORM_SYMBOLS = {"l1": "ℓ1", "l2": "ℓ2", "linf": "ℓ∞"}
