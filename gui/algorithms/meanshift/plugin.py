"""Mean shift in the window (placeholder while the overlay is written)."""
from __future__ import annotations

from engine import meanshift as ems
from gui.algorithms.base import AlgorithmPlugin

__all__ = ["MeanShiftPlugin"]


class MeanShiftPlugin(AlgorithmPlugin):
    """Mean shift."""

    algorithm = ems.ALGORITHM
