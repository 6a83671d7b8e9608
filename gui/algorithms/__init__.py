"""The window's algorithm plugins, one package each (``gui/algorithms/<name>/``), found through the registry.

Every registered :class:`engine.core.registry.Algorithm` names its plugin class in ``gui``
(``"gui.algorithms.hac.plugin:HacPlugin"``); :func:`plugin_classes` imports them in menu order.
The shared base class lives in :mod:`gui.algorithms.base`.
"""
from __future__ import annotations

import traceback

from engine.core.registry import algorithms, load_object

__all__ = ["plugin_classes"]


def plugin_classes(problems: list | None = None, only=None) -> list:
    """The plugin classes of every registered algorithm that has a window part, in menu order
    (``only`` those algorithm names, when given: a window that shows one session needs one).

    A window part that cannot be imported is left out and described in ``problems`` (when a list
    is given; otherwise its error is raised), so one broken package leaves the others usable.
    """
    out = []
    for alg in algorithms().values():
        if not alg.gui or (only is not None and alg.name not in only):
            continue
        try:
            out.append(load_object(alg.gui))
        except Exception as exc:
            if problems is None:
                raise
            traceback.print_exc()
            problems.append(f"The window part of {alg.title} ({alg.name}) could not be loaded: "
                            f"{type(exc).__name__}: {exc}")
    return out
