"""The window's algorithm plugins, one package each (``gui/algorithms/<name>/``), found through the registry.

Every registered :class:`engine.core.registry.Algorithm` names its plugin class in ``gui``
(``"gui.algorithms.hac.plugin:HacPlugin"``); :func:`plugin_classes` imports them in menu order.
The shared base class lives in :mod:`gui.algorithms.base`.
"""
from __future__ import annotations

from engine.core.registry import algorithms, load_object

__all__ = ["plugin_classes"]


def plugin_classes() -> list:
    """The plugin classes of every registered algorithm that has a window part, in menu order."""
    return [load_object(alg.gui) for alg in algorithms().values() if alg.gui]
