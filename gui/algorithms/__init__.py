"""The per-algorithm GUI plugins, one module each, discovered in menu order.

Each module defines ``PLUGIN``, an :class:`gui.algorithms.base.AlgorithmPlugin`
subclass for one engine algorithm.
"""
from __future__ import annotations

from engine.core.params import present_modules

MODULES = ("gui.algorithms.hac.plugin", "gui.algorithms.kmeans.plugin", "gui.algorithms.gmm.plugin",
           "gui.algorithms.bernoulli.plugin")


def plugin_classes() -> list:
    """The plugin classes whose modules are present, in menu order."""
    return [mod.PLUGIN for mod in present_modules(MODULES)]
