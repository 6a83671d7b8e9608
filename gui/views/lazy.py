"""Stale until shown: a view that is costly to fill follows the timeline but computes only while visible.

Both shared views (:mod:`gui.views.working`, :mod:`gui.views.scores`) use one :class:`StaleUntilShown`:

* :meth:`StaleUntilShown.invalidate` — the view's content is out of date (a new step, new data). A visible
  view is brought up to date at once, or — while the player plays — on the next turn of the event loop,
  so a burst of steps costs one refresh; a hidden view only remembers that it is out of date;
* the view being shown brings it up to date (an event filter on the view: no ``showEvent`` to override);
* :meth:`StaleUntilShown.ensure` brings it up to date now if it is stale (``has_content()`` asks it).

:func:`drop_on_close` ends a view's :class:`~gui.run.tasks.BackgroundTask` when its window closes: what a
computation still running sends then goes nowhere.

Example
-------
::

    self.lazy = StaleUntilShown(self, self.refresh, lambda: window.player.playing)
    def show_step(self, step):
        self.lazy.invalidate()
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

__all__ = ["StaleUntilShown", "drop_on_close"]


class StaleUntilShown(QObject):
    """Calls ``refresh()`` of ``view`` only while the view is visible (see the module docstring).

    Parameters
    ----------
    view : QWidget
        The view (also the helper's parent).
    refresh : callable
        Brings the view up to date (called with the helper already marked fresh).
    coalesce : callable, optional
        True while refreshes should wait for the event loop (the player is playing).
    """

    def __init__(self, view: QWidget, refresh: Callable[[], None], coalesce: Callable[[], bool] = lambda: False):
        super().__init__(view)
        self._view = view
        self._refresh = refresh
        self._coalesce = coalesce
        self.stale = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.ensure)
        view.installEventFilter(self)

    def invalidate(self, later: bool = False) -> None:
        """The content is out of date: refresh now when visible (``later`` or while coalescing: on the next turn of
        the event loop), else when the view is next shown."""
        self.stale = True
        if not self._view.isVisible():
            return
        if later or self._coalesce():
            self._timer.start()
        else:
            self.ensure()

    def ensure(self) -> None:
        """Refresh now if out of date."""
        if self.stale:
            self.refresh()

    def refresh(self) -> None:
        """Refresh now (marked fresh first, so a refresh that invalidates again is not lost)."""
        self.stale = False
        self._timer.stop()
        self._refresh()

    def eventFilter(self, obj, event):
        # getattr: while Python tears this object down, Qt may still pass it the view's events
        if obj is getattr(self, "_view", None) and event.type() == QEvent.Type.Show and self.stale:
            self.ensure()
        return False


class _CloseFilter(QObject):
    def __init__(self, window: QObject, task):
        super().__init__(task)
        self._window, self._task = window, task
        window.installEventFilter(self)

    def eventFilter(self, obj, event):
        if obj is getattr(self, "_window", None) and event.type() == QEvent.Type.Close:
            self._task.shutdown(0)  # what a computation still running sends goes nowhere
        return False


def drop_on_close(window: QObject, task) -> None:
    """When ``window`` closes, ``task`` (a :class:`~gui.run.tasks.BackgroundTask`) is shut down without waiting:
    its running computation's result is dropped."""
    _CloseFilter(window, task)
