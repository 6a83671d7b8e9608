"""DBSCAN in the window: the core points, the clusters grown one wave at a time, border points and noise.

What this plugin adds to the window
-----------------------------------
* **Panel**: the parameters (ε, min_samples with the point itself counted, the norm), a switch for the
  ε-balls and a key to the marks.
* **Scatter** (:class:`gui.algorithms.dbscan.overlay.DbscanOverlay`): ε-balls in the chosen norm
  (diamonds, discs, squares; 2-D data, at most a few hundred at a time), a ring on every core point,
  the new wave ringed in its cluster's colour with a segment from the point that reached each, white
  centres in border points and crosses on noise at the last step; clicking a point draws its own ε-ball.
  The legend calls label -1 "not in a cluster yet" while the clusters grow and "noise" at the end.
* **k-distance tab** (:class:`gui.algorithms.dbscan.kdistance.KDistanceView`): the sorted distances to the
  ``min_samples``-th neighbour with the ε line; a click there sets ε in the form and runs again. The
  distances are computed on a worker thread (:class:`gui.run.tasks.BackgroundTask`), again only when the
  data, ``min_samples`` or the norm change; a computation for older data or parameters is stopped and its
  result dropped, and closing the window never waits for it.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QCheckBox, QLabel, QVBoxLayout, QWidget

from engine import dbscan as edb
from engine.core import cancel
from engine.core.steps import Step
from engine.core.norms import NORM_SYMBOLS
from gui.algorithms.base import AlgorithmPlugin
from gui.algorithms.dbscan.kdistance import KDistanceView
from gui.algorithms.dbscan.overlay import MARK_LIMIT, MAX_BALLS, NOISE_MARK, NORM_SHAPES, DbscanOverlay, ball_outlines
from gui.run.tasks import BackgroundTask
from gui.views.lazy import drop_on_close

__all__ = ["DbscanPlugin", "KDIST_WORK"]

#: Distances the k-distance plot may compute (points with a k-distance x all points): beyond, a sample.
KDIST_WORK = 20_000_000
GROWING = "not in a cluster yet"


def _k_distances(want: tuple, budget: int, cancelled) -> edb.KDistances:
    """On the worker thread: the k-distances of ``want = (X, min_samples, metric)``, stopped (``Cancelled``)
    once ``cancelled()``."""
    X, k, metric = want
    with cancel.watching(cancelled):
        return edb.k_distances(X, k, metric, max_points=budget)


class DbscanPlugin(AlgorithmPlugin):
    """DBSCAN (see the module docstring)."""

    algorithm = edb.ALGORITHM

    def __init__(self, window):
        super().__init__(window)
        self.overlay = DbscanOverlay(lambda j: window.scatter.cluster_hex(j))
        self._views = None
        self._active = False
        self._kd_want = None  # (X, min_samples, metric) of the curve shown or being computed
        self.kd = None  # the KDistances shown (None while they are computed)
        self.kd_task: BackgroundTask | None = None  # computes them off the GUI thread
        self.picked: int | None = None

    # ------------------------------------------------------------------ panel and views
    def build_panel(self, layout: QVBoxLayout) -> None:
        self.balls_box = QCheckBox("Show ε-balls")
        self.balls_box.setObjectName("dbscan_balls")
        self.balls_box.setChecked(True)
        self.balls_box.setToolTip(f"Draw the ε-balls of the points that matter at each step (2-D data, at most "
                                  f"{MAX_BALLS}); click a point to see its own ball")
        self.balls_box.toggled.connect(lambda _: self.show_step(self.window.player.current))
        layout.addWidget(self.balls_box)
        self.key = QLabel("Ringed: core points (≥ min_samples points within ε, itself included). Hollow: border "
                          "points (within ε of a core point). ×: noise. The k-distance tab helps choose ε.")
        self.key.setObjectName("dbscan_key")
        self.key.setWordWrap(True)
        layout.addWidget(self.key)
        layout.addStretch(1)

    def views(self) -> list[tuple[str, QWidget]]:
        if self._views is None:
            self.kdist = KDistanceView()
            self.kdist.setObjectName("dbscan_kdistance")
            self.kdist.sigEpsChosen.connect(self.set_eps)
            self._views = [("k-distance", self.kdist)]
        return list(self._views)

    def figure(self, view):
        return self.kdist.plot if view is getattr(self, "kdist", None) else view

    def has_content(self, view) -> bool:
        if view is getattr(self, "kdist", None):
            return self.kd is not None and bool(np.isfinite(self.kd.values).any())
        return True

    def set_eps(self, eps: float):
        """Put ``eps`` in the form and run again (what a click on the k-distance plot does)."""
        self.form.set_values({"eps": float(eps)})
        self.window.status(f"ε = {eps:.4g} (chosen on the k-distance plot)")
        self.sigRestart.emit()

    # ------------------------------------------------------------------ run
    def extra_arguments(self) -> dict:
        """The data's point names, so that step texts name points as the window does (x1, x2, ... if none)."""
        ds = self.window.dataset
        return {"names": ds.point_names} if ds is not None and ds.point_names is not None else {}

    def make_steps(self):
        factory = super().make_steps()  # validates the parameters first
        self._update_kdistances()
        return factory

    def _update_kdistances(self):
        """The k-distance curve of the run's data and parameters: kept when only ε changed, else computed
        again on a worker thread (the computation of older data or parameters dropped and stopped)."""
        if self._views is None:
            self.views()
        values = self.form.values()
        X = self.window.run_X()
        if X is None or len(X) == 0:
            self._drop_kdistances()
            self.kdist.set_data(None, values["eps"])
            return
        want = (X, int(values["min_samples"]), values["metric"])
        have = self._kd_want
        if have is not None and have[0] is X and have[1:] == want[1:]:  # the same curve, shown or on its way
            self.kdist.set_eps(values["eps"])
            return
        self._kd_want, self.kd = want, None
        self.kdist.set_computing(values["eps"])
        budget = max(300, min(4000, KDIST_WORK // max(X.shape[0], 1)))
        self._kdistance_task().start(lambda progress, cancelled: (want, _k_distances(want, budget, cancelled)))

    def _kdistance_task(self) -> BackgroundTask:
        if self.kd_task is None:
            self.kd_task = BackgroundTask(self, "k-distances")
            self.kd_task.sigFinished.connect(self._on_kdistances)
            self.kd_task.sigFailed.connect(self._on_kdistances_failed)
            drop_on_close(self.window, self.kd_task)  # closing never waits for it
        return self.kd_task

    def _drop_kdistances(self):
        """Forget the curve; a computation still running is stopped and what it sends goes nowhere."""
        if self.kd_task is not None:
            self.kd_task.shutdown(0)
        self.kd, self._kd_want = None, None

    def _on_kdistances(self, result):
        want, kd = result
        if want is not self._kd_want:  # data or parameters changed since (normally dropped already)
            return
        self.kd = kd
        self.kdist.set_data(kd, self.form.values()["eps"], NORM_SYMBOLS[want[2]])

    def _on_kdistances_failed(self, message: str):
        self.kd = None
        self.kdist.set_failed(message)

    # ------------------------------------------------------------------ activation
    def activate(self):
        w = self.window
        self._active = True
        self.overlay.attach(w.scatter.plot_item)
        w.scatter.sigPointClicked.connect(self._on_point_clicked)
        w.sigDataChanged.connect(self._on_data_changed)

    def deactivate(self):
        w = self.window
        self._active = False
        self.overlay.detach()
        w.scatter.set_no_cluster_mark(None)
        self._drop_kdistances()
        for sig, slot in ((w.scatter.sigPointClicked, self._on_point_clicked),
                          (w.sigDataChanged, self._on_data_changed)):
            try:
                sig.disconnect(slot)
            except (RuntimeError, TypeError):
                pass

    def _on_data_changed(self, *_):
        self.picked = None  # (the run restarted already: the k-distances of the new data are on their way)

    def _on_point_clicked(self, i: int):
        self.picked = None if self.picked == i else int(i)
        self._draw_picked()

    # ------------------------------------------------------------------ drawing
    def _ball_points(self, step: Step) -> tuple[np.ndarray, str]:
        """The points whose ε-balls this step shows, and what they are."""
        p = step.payload
        if step.kind == "core":
            return np.flatnonzero(p["core"]), "core point"
        if step.kind == "expand":
            by = np.unique(np.asarray(p["reached_by"]))
            return by, "point that reached the new wave"
        return np.unique(np.asarray(p["border_from"])), "core point that took in a border point"

    def _draw_balls(self, step: Step, params: dict) -> str:
        """Draw the step's ε-balls; the caption's sentence about them."""
        X = self.window.run_X()
        eps, metric = float(params["eps"]), params["metric"]
        if X is None or X.shape[1] != 2:
            self.overlay.show_balls([])
            return "ε-balls are drawn for 2-D data only."
        if self._panel is not None and not self.balls_box.isChecked():
            self.overlay.show_balls([])
            return ""
        idx, what = self._ball_points(step)
        shown = idx[:MAX_BALLS]
        labels = step.labels
        groups: dict[str, list] = {}
        for i in shown.tolist():
            colour = "#777777" if step.kind == "core" else self.window.scatter.cluster_hex(int(labels[i]))
            groups.setdefault(colour, []).append(i)
        drawn = [(np.asarray(self.window.project(ball_outlines(X[g], eps, metric))), colour)
                 for colour, g in groups.items()]
        self.overlay.show_balls(drawn)
        self.overlay.ball_count = int(shown.size)
        shape = NORM_SHAPES[metric]
        more = f" (the first {MAX_BALLS} of {idx.size})" if idx.size > MAX_BALLS else ""
        return f"{NORM_SYMBOLS[metric]} balls ({shape}) of radius ε = {eps:.4g} around each {what}{more}."

    def _draw_picked(self):
        X = self.window.run_X()
        step = self.window.player.current
        if (self.picked is None or X is None or X.shape[1] != 2 or step is None or self.picked >= X.shape[0]
                or not self._active):
            self.overlay.show_picked(None)
            return
        p = step.payload
        P = ball_outlines(X[self.picked:self.picked + 1], float(p["eps"]), p["metric"])
        self.overlay.show_picked(np.asarray(self.window.project(P)))

    def show_step(self, step: Step | None):
        if self._views is None:
            self.views()
        w = self.window
        w.scatter.set_no_cluster_name("noise" if step is None or step.done else GROWING)
        if step is not None and self.kd is not None:
            self.kdist.set_eps(float(step.payload.get("eps", self.kdist.eps)))
        Y = np.asarray(w.scatter.points())
        if step is None or step.labels is None or Y.shape[0] != len(step.labels):
            self.overlay.clear()
            self.overlay.ball_count = 0
            w.scatter.set_no_cluster_mark(None)
            return
        self.overlay.ball_count = 0
        params = {"eps": step.payload["eps"], "metric": step.payload["metric"]}
        balls = self._draw_balls(step, params)
        self._draw_picked()
        core = np.asarray(step.payload["core"])
        n = core.size
        marks = n <= MARK_LIMIT
        border = step.payload.get("border") if step.kind == "border" else None
        noise = step.payload.get("noise") if step.kind == "border" else None
        self.overlay.show_marks(Y if marks else None, np.flatnonzero(core), border, noise)
        # the legend's "noise" is the cross drawn on those points (when it is drawn)
        w.scatter.set_no_cluster_mark(NOISE_MARK if marks and noise is not None else None)
        if step.kind == "expand":
            self.overlay.show_wave(Y, step.payload["frontier"], step.payload["reached_by"], step.payload["cluster"])
        else:
            self.overlay.show_wave(None, None, None, -1)
        key = ("Ringed: core points. " + ("Hollow: border points. ×: noise. " if step.kind == "border" else "")
               if marks else f"Core, border and noise marks are drawn up to {MARK_LIMIT:,} points. ")
        if step.kind == "expand":
            key += "Thick rings: the new wave; lines: the point that reached each. "
        self.overlay.set_caption((key + balls).strip())
