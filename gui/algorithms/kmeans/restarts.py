"""Restarts of the main run in the window: the "Restarts" tab, progress and cancel, loading another restart.

:class:`RestartsMixin` is mixed into the K-means plugin and both mixture plugins. With the parameter
``restarts`` = n > 1 the run is the engine's (:func:`engine.core.restarts.restartable`): n runs from the
seeds ``seed, seed + 1, ...`` computed on the player's worker thread (off the GUI thread), the best on the
timeline. While they run, every finished restart appears at once in the Restarts tab and the status bar
(the engine's ``on_restart`` callback, relayed to the GUI thread by a queued signal); the window's Cancel
(and Esc) and the tab's Cancel stop them, keeping the finished ones and showing the best of those.

Clicking a restart in the tab starts a new run of just that restart (its seed), carrying the restarts
computed already (``known_restarts``), so nothing else runs again. A session keeps the restart shown
(``"restart"``, from 0, when it is not the best: :data:`RESTART_STATE`); the count is the parameter.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal

from engine.core.restarts import restart_info
from gui.algorithms.base import State
from gui.algorithms.kmeans.restart_view import RestartsListView

__all__ = ["RestartsMixin", "RESTART_STATE"]

#: The session entry of the restart shown (see the module docstring).
RESTART_STATE = State("restart", save="_save_restart", restore="_restore_restart")


class _Relay(QObject):
    """Hands the engine's per-restart reports from the player's worker thread to the GUI thread."""

    sigDone = Signal(int, int, int, object)  # run token, restarts done, restarts in all, RestartInfo so far


class RestartsMixin:
    """The restarts of the main run for a plugin (see the module docstring).

    The plugin calls :meth:`restart_views` for its tab, adds :meth:`restart_arguments` to the keyword
    arguments of its run, calls :meth:`show_restarts` from ``show_step`` and :meth:`connect_restarts` /
    :meth:`disconnect_restarts` from ``activate`` / ``deactivate``.
    """

    restart_view = None
    _restart_shown = None  # the restart the next run shows (None: the best); used once
    _restart_known = None  # the RestartInfo of the restarts computed already; used once
    _restart_token = 0
    _restart_drawn = None

    # ------------------------------------------------------------------ tab
    def restart_views(self) -> list:
        if self.restart_view is None:
            self.restart_view = RestartsListView()
            self.restart_view.sigRestartClicked.connect(self.load_restart)
            self.restart_view.sigCancel.connect(self.cancel_restarts)
            self._restart_relay = _Relay(self)
            self._restart_relay.sigDone.connect(self._on_restart_done)
        return [("Restarts", self.restart_view)]

    def restarts_wanted(self) -> int:
        """The form's number of restarts (1 when it has none)."""
        try:
            return max(1, int(self.form.values().get("restarts", 1)))
        except (TypeError, ValueError):
            return 1

    def restarts_shown(self):
        """The :class:`~engine.core.restarts.RestartInfo` of the run on the timeline, or None (a single run)."""
        return restart_info(self.window.player.history)

    # ------------------------------------------------------------------ the run
    def restart_arguments(self) -> dict:
        """Keyword arguments of the run's ``steps`` for its restarts: ``on_restart`` (progress), and once,
        after a click or a session, ``show_restart`` and ``known_restarts``. {} for a single run."""
        self.restart_views()
        shown, known = self._restart_shown, self._restart_known
        self._restart_shown = self._restart_known = None
        n = self.restarts_wanted()
        if n <= 1:
            return {}
        self._restart_token += 1
        token, relay = self._restart_token, self._restart_relay

        def on_restart(done, total, info):  # on the player's worker thread
            try:
                relay.sigDone.emit(token, done, total, info)
            except RuntimeError:  # the window was closed meanwhile
                pass

        out = {"on_restart": on_restart}
        if shown is not None:
            out["show_restart"] = int(shown)
        if known is not None and known.n == n:
            out["known_restarts"] = known
        else:
            self._restart_drawn = None
            self.restart_view.set_busy(True)
            self.restart_view.set_info(None, self.objective_label(),
                                       text=f"Computing restart 1 of {n} (off the window's thread)… each "
                                            "restart appears here as soon as it finishes.")
        return out

    def _on_restart_done(self, token: int, done: int, total: int, info):
        if token != self._restart_token or self.restart_view is None:
            return
        self.restart_view.objective_name = self.objective_label()
        self.restart_view.set_progress(info, done, total)
        if done < total:
            J = info.objectives[info.best] if info.best >= 0 else float("nan")
            best = f"; best so far {J:.6g} (restart {info.best + 1})" if np.isfinite(J) else ""
            self.window.status(f"Restarts: {done} of {total} finished{best}. Cancel (Esc) keeps the finished "
                               "ones.", 0)

    def cancel_restarts(self):
        """Stop the restarts running (the window's Cancel does the same)."""
        player = self.window.player
        if player.busy:
            player.cancel()
            self.window.status("Restarts cancelled: the best of the finished ones goes on the timeline.")

    def load_restart(self, r: int):
        """Put restart ``r`` (from 0) of the run shown on the timeline: a run of its seed alone."""
        info = self.restarts_shown()
        if info is None or not 0 <= r < info.n or r == info.shown:
            return
        if not np.isfinite(info.objectives[r]):
            why = info.errors[r] if r < len(info.errors) and info.errors[r] else "it was not run (cancelled)"
            self.window.status(f"Restart {r + 1} has no run to show: {why}")
            return
        self._restart_shown, self._restart_known = int(r), info
        self.window.restart_run()
        self.window.status(f"Restart {r + 1} of {info.n} (seed {int(info.seeds[r])}) is on the timeline: final "
                           f"{self.objective_label()} {info.objectives[r]:.8g}.")

    # ------------------------------------------------------------------ drawing
    def show_restarts(self):
        """Draw the restarts of the run on the timeline (called by ``show_step``)."""
        self.restart_views()
        info = self.restarts_shown()
        player = self.window.player
        if info is None:
            if player.busy and not player.history and self.restarts_wanted() > 1:
                return  # the restarts are running: their progress is shown
            if self._restart_drawn is not False:
                self.restart_view.set_info(None, self.objective_label())
                self._restart_drawn = False
            return
        self.restart_view.set_busy(False)
        if info is not self._restart_drawn:
            self.restart_view.set_info(info, self.objective_label())
            self._restart_drawn = info

    def _on_restart_player_busy(self, busy: bool):
        if busy or self.restart_view is None:
            return
        self.restart_view.set_busy(False)
        if not self.window.player.history and self.restarts_wanted() > 1:
            self._restart_drawn = None
            self.restart_view.set_info(None, self.objective_label(),
                                       text="The restarts were stopped before one had finished: nothing to "
                                            "show. Run again (or lower Restarts) to see them.")

    def connect_restarts(self):
        self.window.player.sigBusy.connect(self._on_restart_player_busy)

    def disconnect_restarts(self):
        try:
            self.window.player.sigBusy.disconnect(self._on_restart_player_busy)
        except (RuntimeError, TypeError):
            pass

    def restart_has_content(self) -> bool:
        """The Restarts tab shows something: the run on the timeline has restarts."""
        return self.restarts_shown() is not None

    # ------------------------------------------------------------------ session
    def _save_restart(self):
        info = self.restarts_shown()
        if info is None or info.shown == info.best:
            return None
        return int(info.shown)

    def _restore_restart(self, value) -> None:
        self._restart_shown = None if value is None else int(value)
        self._restart_known = None

    def restart_results(self) -> dict:
        """``{"restarts": ...}`` for ``result.json`` when the run has restarts (else {})."""
        info = self.restarts_shown()
        return {} if info is None else {"restarts": info.to_dict()}
