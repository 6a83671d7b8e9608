"""What a session keeps of the K-means plugin: starting centres chosen by hand, a sweep over K, the restart shown.

Starting centres that are data points show as *picked* points in the init lab;
other centres as *placed* ones (2-D data only: the lab places centres by clicking).
"""
from __future__ import annotations

import numpy as np

from engine.core.params import ParamError
from engine.kmeans.entries import sweep_summary
from gui.algorithms.base import State
from gui.algorithms.kmeans.restarts import RESTART_STATE

__all__ = ["KMeansState"]


def _as_points(C, X) -> list[int] | None:
    """Indices of the rows of ``X`` equal to the rows of ``C`` (all distinct), else None."""
    idx = []
    for row in np.asarray(C, dtype=float):
        hits = np.flatnonzero(np.all(X == row, axis=1))
        if hits.size == 0:
            return None
        idx.append(int(hits[0]))
    return idx if len(set(idx)) == len(idx) else None


class KMeansState:
    """Mixin of :class:`~gui.algorithms.kmeans.plugin.KMeansPlugin`: its declared session state."""

    session_state = (
        State("init_points", save="_save_init_points", restore="_restore_init_points"),
        State("init", save="_save_init", restore="_restore_init", check="_check_init"),
        State("sweep", save="_save_sweep", restore="_restore_sweep", after_run=True),
        RESTART_STATE,
    )

    # starting centres ------------------------------------------------------------
    def _save_init_points(self):
        if not (self.lab.own and self.lab.mode == "picked"):
            return None
        picked = [i for i in self.lab.picked if 0 <= i < self.window.dataset.n]
        if not picked:
            raise ParamError("No data points picked yet: pick the starting points or choose another "
                             "initialisation.")
        return picked

    def _save_init(self):
        if not (self.lab.own and self.lab.mode != "picked"):
            return None
        return np.asarray(self.extra_arguments()["init"], dtype=float)

    def _check_init(self, value, dataset, X) -> None:
        if _as_points(value, X) is None and dataset.d != 2:
            raise ParamError(f"the starting centres are not data points; for data with {dataset.d} dimensions "
                             "the window can only start from data points (use init_points).")

    def _restore_init_points(self, value) -> None:
        lab = self.lab
        lab.set_capturing(False)
        if value is not None:
            lab.set_mode("picked")
            lab.set_picked(value)  # the plugin sets k and draws the marks
        elif self.init_param is not None:
            lab.set_mode(self.form.values().get("init", self.init_param.default))

    def _restore_init(self, value) -> None:
        if value is None:
            return
        points = _as_points(value, self.window.run_X())
        if points is not None:
            self.lab.set_mode("picked")
            self.lab.set_picked(points)
        else:
            self.lab.set_mode("placed")
            self.lab.set_placed(self.window.from_run(np.asarray(value, dtype=float)))  # the lab holds data coordinates

    # the sweep over K --------------------------------------------------------------
    def _save_sweep(self):
        return None  # a sweep started by hand is not kept: the Restarts & K tab repeats it with one click

    def _restore_sweep(self, value) -> None:
        self._session_sweep = None
        if value is None:
            return
        self.start_sweep(value["ks"], value["restarts"], value["seed"])  # shows the K values and restarts
        seed_box = getattr(getattr(self, "restarts", None), "seed_spin", None)
        if seed_box is not None:  # ... and "Run sweep" there repeats it
            seed_box.setValue(value["seed"])
        self._session_sweep = dict(value)

    def session_results(self) -> dict:
        """``{"sweep": ...}`` when the session asked for a sweep and it has finished (see
        :func:`engine.kmeans.entries.sweep_summary`); ``{"restarts": ...}`` when the run has restarts."""
        out = self.restart_results()
        spec = getattr(self, "_session_sweep", None)
        if spec is None or getattr(self, "sweep", None) is None:
            return out
        return {**out, "sweep": sweep_summary(self.sweep, spec)}
