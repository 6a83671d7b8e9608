"""The per-algorithm GUI plugins, one module each, discovered in menu order.

Each module defines ``PLUGIN``, an :class:`gui.plugin.AlgorithmPlugin`
subclass for one engine algorithm.
"""
from __future__ import annotations

import importlib

MODULES = ("gui.algorithms.hac", "gui.algorithms.kmeans", "gui.algorithms.gmm", "gui.algorithms.bernoulli")


def plugin_classes() -> list:
    """The plugin classes whose modules are present, in menu order."""
    out = []
    for name in MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        out.append(mod.PLUGIN)
    return out
