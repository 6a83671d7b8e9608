"""Mean shift in the window: windows of radius h climbing the density to its modes, one iteration per step.

What this plugin adds to the window
-----------------------------------
* **Scatter overlay** (:class:`gui.algorithms.meanshift.overlay.MeanShiftOverlay`): on the start and shift
  steps every window as a dot with its circle of radius h (solid while it moves, dotted once it stopped; with
  more than :data:`~gui.algorithms.meanshift.overlay.MAX_CIRCLES` windows an even sample of the moving ones,
  and the caption says so) and its trail over the iterations so far; on the merge step each window's final
  position in the colour of the mode it merged into, a dashed line to that mode, the modes as stars with
  their strength and a circle of radius h about each (a window within it merged); on the assign step the
  modes and the points in their clusters' colours. A legend (top right) names the marks, a caption (bottom
  left) says what the step did. Points are "not assigned yet" until the last step, and the scatter's legend
  says so.
* **Panel**: the parameters (bandwidth 0 = estimated; the note under the form gives the h of the run and
  "Use this h" puts it in the form), what to show (circles, trails).
* **Objective tab**: the mean kernel density at the windows against the step (it never decreases).
"""
from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QCheckBox, QGroupBox, QLabel, QVBoxLayout, QWidget

from engine import meanshift as ems
from engine.core.steps import Step
from engine.meanshift.kernels import nearest
from gui.algorithms.base import AlgorithmPlugin
from gui.algorithms.meanshift.overlay import MAX_CIRCLES, MAX_TRAILS, MOVING, STOPPED, TRAIL, MeanShiftOverlay, sample
from gui.widgets.objective import ObjectiveView

__all__ = ["MeanShiftPlugin"]

MAX_MODE_LABELS = 12


class MeanShiftPlugin(AlgorithmPlugin):
    """Mean shift (see the module docstring)."""

    algorithm = ems.ALGORITHM

    def __init__(self, window):
        super().__init__(window)
        self.overlay = MeanShiftOverlay()
        self._views = None
        self._active = False
        self._cache: dict[int, np.ndarray] = {}  # id(step) -> display positions of its windows
        self._run = None  # the first step of the run the cache belongs to
        self._estimate = None  # the h of the run when it was estimated

    # ------------------------------------------------------------------ panel and views
    def build_panel(self, v: QVBoxLayout) -> None:
        self.bandwidth_note = QLabel("Bandwidth 0: estimated from the data when the run starts.")
        self.bandwidth_note.setObjectName("meanshift_bandwidth_note")
        self.bandwidth_note.setWordWrap(True)
        v.addWidget(self.bandwidth_note)
        self.use_estimate = self.add_button(v, "Use this h", "meanshift_use_estimate", self._use_estimate,
                                            "Put the estimated bandwidth in the form, to change it from there")
        self.use_estimate.setEnabled(False)
        box = QGroupBox("Show")
        bv = QVBoxLayout(box)
        self.circles_box = QCheckBox("Windows: circles of radius h")
        self.trails_box = QCheckBox("Trails of the windows")
        for name, cb in (("meanshift_circles", self.circles_box), ("meanshift_trails", self.trails_box)):
            cb.setObjectName(name)
            cb.setChecked(True)
            cb.toggled.connect(lambda _=False: self.show_step(self.window.player.current))
            bv.addWidget(cb)
        v.addWidget(box)
        v.addStretch(1)

    def views(self) -> list[tuple[str, QWidget]]:
        if self._views is None:
            self.objective = ObjectiveView()
            self.objective.setObjectName("meanshift_objective")
            self.objective.set_objective(self.objective_label(), self.algorithm.objective_sense)
            self.objective.sigStepClicked.connect(lambda i: self.window.player.seek(i))
            self._views = [("Objective", self.objective)]
        return list(self._views)

    def figure(self, view):
        return self.objective.plot if view is getattr(self, "objective", None) else view

    def _use_estimate(self):
        if self._estimate is not None:
            self.form.set_values({"bandwidth": float(self._estimate)})
            self.sigRestart.emit()

    # ------------------------------------------------------------------ activation
    def activate(self):
        self._active = True
        self.overlay.attach(self.window.scatter.plot_item)

    def deactivate(self):
        self._active = False
        self.overlay.clear()
        self.overlay.detach()

    # ------------------------------------------------------------------ drawing
    def _display(self, step: Step, P=None) -> np.ndarray:
        """Display positions of ``P`` (default: the step's centres), cached per step for the centres."""
        if P is not None:
            return np.asarray(self.window.project(P), dtype=float)
        got = self._cache.get(id(step))
        if got is None:
            got = np.asarray(self.window.project(step.centers), dtype=float)
            self._cache[id(step)] = got
        return got

    def _linear(self, d: int) -> np.ndarray:
        """The linear part (2, d) of the run -> display map."""
        P = np.asarray(self.window.project(np.vstack([np.zeros((1, d)), np.eye(d)])), dtype=float)
        return (P[1:] - P[0]).T

    def _extended(self) -> bool:
        return bool(self.window.scatter.raster)

    def _paths(self, history, upto: int, which: np.ndarray) -> np.ndarray | None:
        """(s, len(which), 2) display positions of the windows ``which`` over the init/shift steps up to ``upto``."""
        steps = [s for s in history[:upto + 1] if s.kind in ("init", "shift")]
        if len(steps) < 2 or not which.size:
            return None
        return np.stack([self._display(s)[which] for s in steps])

    def show_step(self, step: Step | None):
        if self._views is None:
            self.views()
        self.panel()  # the check boxes say what to draw
        player = self.window.player
        if self._run is not (player.history[0] if player.history else None):
            self._run = player.history[0] if player.history else None
            self._cache = {}
        self.objective.set_objective(self.objective_label(), self.algorithm.objective_sense)
        self.objective.show_trace(step.trace if step is not None else np.empty(0),
                                  player.index if step is not None else -1)
        X = self.window.run_X()
        if (step is None or step.centers is None or X is None or step.centers.shape[1] != np.shape(X)[1]
                or not self._active):
            self.overlay.clear()
            return
        self._show_bandwidth(step)
        if step.kind == "merge":
            self._draw_merge(step, player.history, player.index)
        elif step.kind == "assign":
            self._draw_assign(step, player.history, player.index)
        else:
            self._draw_windows(step, player.history, player.index)

    def _show_bandwidth(self, step: Step):
        h = float(step.payload["bandwidth"])
        estimated = bool(step.payload.get("estimated"))
        self._estimate = h if estimated else None
        if hasattr(self, "use_estimate"):
            self.use_estimate.setEnabled(estimated)
            how = ("estimated from the data: the mean distance of a point to its nearest 30% (scikit-learn's "
                   "estimate_bandwidth)" if estimated else "as set in the form")
            self.bandwidth_note.setText(f"This run: h = {h:.4g}, {how}; {step.payload['kernel']} kernel.")

    def _draw_windows(self, step: Step, history, index: int):
        ov, p = self.overlay, step.payload
        h = float(p["bandwidth"])
        P = self._display(step)
        m = P.shape[0]
        stopped = np.asarray(p["stopped"], dtype=bool)
        empty = np.asarray(p["empty"], dtype=bool)
        moving = np.flatnonzero(~stopped)
        still = np.flatnonzero(stopped & ~empty)
        ov.show_modes(np.empty((0, 2)), [], [])
        ov.show_links(np.empty((0, 2)), np.empty((0, 2)))
        shown = np.concatenate([moving, still])
        ov.show_windows(P[shown], [MOVING] * moving.size + [STOPPED] * still.size)
        drawn = ""
        if self.circles_box.isChecked():
            mc = sample(moving, MAX_CIRCLES)
            sc = sample(still, max(0, MAX_CIRCLES - mc.size)) if m > MAX_CIRCLES else still
            ov.show_circles(P[mc], P[sc], h, self._linear(step.centers.shape[1]))
            if mc.size + sc.size < moving.size + still.size:
                drawn = f" Circles drawn for {mc.size + sc.size:,} of {moving.size + still.size:,} windows."
        else:
            ov.show_circles(np.empty((0, 2)), np.empty((0, 2)), h, np.eye(2))
        paths = self._paths(history, index, sample(np.flatnonzero(~empty), MAX_TRAILS))
        trails = self.trails_box.isChecked() and paths is not None
        ov.show_trails(paths if trails else None)
        what = "mean of the points inside" if p["kernel"] == "flat" else "Gaussian-weighted mean of the points"
        if step.kind == "init":
            text = f"{m:,} windows of radius h = {h:.4g} start here; each will move to the {what}."
        else:
            text = (f"Iteration {step.iteration}: {int(p['moved'].sum()):,} windows moved to the {what}; "
                    f"{still.size:,} have stopped (a move <= 0.001 h).")
        if p["kernel"] == "gaussian":
            text += " Circles at h, the kernel's standard deviation."
        if step.centers.shape[1] > 2 or self.window.standardized:
            text += " A circle is the window's ball in the run's coordinates, as this plot maps it."
        ov.set_caption(text + drawn)
        ov.set_legend([(f"window: centre, circle of radius h = {h:.3g}", {"symbol": "o", "brush": MOVING, "size": 8}),
                       *([("stopped window", {"symbol": "o", "brush": STOPPED, "size": 8})] if still.size else []),
                       *([("trail", {"pen": TRAIL})] if trails else [])])

    def _mode_marks(self, step: Step, labels, sizes=None):
        """The modes as stars with their numbers: with the points in each one's window (merge), or with its
        cluster's size (``sizes``, assign: "mode 3 (40)" beside a cluster of 50 read as a wrong count)."""
        M = self._display(step)
        k = M.shape[0]
        colours = [self.window.scatter.cluster_hex(j, labels=labels, extended=self._extended()) for j in range(k)]
        if sizes is not None:
            texts = [f"mode {j + 1}: {int(sizes[j])} points" for j in range(k)]
        else:
            strength = np.asarray(step.payload["mode_strength"])
            texts = [f"mode {j + 1} ({int(strength[j])})" for j in range(k)]
        texts = texts if k <= MAX_MODE_LABELS else []
        self.overlay.show_modes(M, colours, texts)
        return M, colours

    def _draw_merge(self, step: Step, history, index: int):
        ov, p = self.overlay, step.payload
        h = float(p["bandwidth"])
        labels, _ = nearest(self.window.run_X(), step.centers)  # the colours the assign step will give
        M, colours = self._mode_marks(step, labels)
        mode_of = np.asarray(p["mode_of"])
        alive = np.flatnonzero(mode_of >= 0)
        W = self._display(step, p["windows"])
        ov.show_windows(W[alive], [colours[j] for j in mode_of[alive]])
        linked = sample(alive, MAX_TRAILS)
        ov.show_links(W[linked], M[mode_of[linked]])
        if self.circles_box.isChecked():
            ov.show_circles(M[:MAX_CIRCLES], np.empty((0, 2)), h, self._linear(step.centers.shape[1]))
        else:
            ov.show_circles(np.empty((0, 2)), np.empty((0, 2)), h, np.eye(2))
        trails = self.trails_box.isChecked()
        ov.show_trails(self._paths(history, index, sample(alive, MAX_TRAILS)) if trails else None)
        ov.set_caption(f"Merge: {alive.size:,} windows reached {M.shape[0]} modes. Going from the strongest "
                       "(most points in its window), a window within h of a stronger mode merged into it.")
        ov.set_legend([("mode ★ (points in its window)", {"symbol": "star", "brush": colours[0], "pen": "k",
                                                          "size": 14}),
                       ("window → the mode it merged into", {"pen": ov.links.opts["pen"]}),
                       (f"radius h = {h:.3g} about a mode", {"pen": ov.circles.opts["pen"]})])

    def _draw_assign(self, step: Step, history, index: int):
        ov = self.overlay
        k = step.centers.shape[0]
        lab = np.asarray(step.labels) if step.labels is not None else np.empty(0, int)
        sizes = np.bincount(lab[lab >= 0], minlength=k)[:k] if lab.size else None
        M, colours = self._mode_marks(step, None, sizes)
        ov.show_windows(np.empty((0, 2)), [])
        ov.show_links(np.empty((0, 2)), np.empty((0, 2)))
        ov.show_circles(np.empty((0, 2)), np.empty((0, 2)), 1.0, np.eye(2))
        trails = self.trails_box.isChecked()
        merge = history[index - 1] if index >= 1 and history[index - 1].kind == "merge" else None
        alive = np.flatnonzero(np.asarray(merge.payload["mode_of"]) >= 0) if merge is not None else np.empty(0, int)
        ov.show_trails(self._paths(history, index, sample(alive, MAX_TRAILS)) if trails else None)
        ov.set_caption(f"Assign: every point goes to its nearest mode: {M.shape[0]} clusters.")
        ov.set_legend([("mode ★ = its cluster's centre", {"symbol": "star", "brush": colours[0], "pen": "k",
                                                         "size": 14}),
                       *([("trail of a window", {"pen": TRAIL})] if trails else [])])
