"""Views every algorithm shares, shown after the active plugin's own tabs.

A shared view is a ``QWidget`` class named in :data:`VIEWS` as ``"module:Class"``. The window
builds one of each, once (``Class(window)``), and for every algorithm adds it to the tabs after
the plugin's views. It must provide:

* ``title`` — the tab's text;
* ``show_step(step)`` — draw the current step (``None``: no run); called on every step change,
  so a view that is costly to fill does the work only while visible, and when shown otherwise:
  :class:`gui.views.lazy.StaleUntilShown` does that bookkeeping (both shared views use it), and a
  computation that takes long runs on a worker thread (:class:`gui.run.tasks.BackgroundTask`,
  dropped when the window closes: :func:`gui.views.lazy.drop_on_close`);
* ``has_content() -> bool`` — whether it shows something for the current data and run (``render``
  writes a figure only then);
* optionally ``build_now()`` — a view that makes its widgets only when first shown or asked for its content
  (the Scores view: most windows never show it) makes them now; the lecture style calls it before it scales
  the figures (:meth:`gui.shell.lecture.Lecture.set_style`);
* ``figure()`` — what a figure of it draws: its plot (a ``pg.PlotWidget`` or graphics item; see
  :meth:`gui.algorithms.base.AlgorithmPlugin.figure`), or None when the view is not a figure (tables).

Every view reads the window's current state (``window.player``, ``window.dataset``,
``window.plugin``, ``window.scatter``) and follows it; none keeps a copy of the run.
"""
from __future__ import annotations

from engine.core.registry import load_object

__all__ = ["VIEWS", "common_views"]

#: The shared views, in tab order.
VIEWS: tuple[str, ...] = (
    "gui.views.working:WorkingView",
    "gui.views.scores:ScoresView",
)


def common_views(window) -> list:
    """One instance of every class of :data:`VIEWS` for ``window``, in tab order."""
    return [load_object(spec)(window) for spec in VIEWS]
