"""K-means (and K-medians / K-medoids) in the window: Lloyd's algorithm, one assignment or update at a time.

What this plugin adds to the window
-----------------------------------
* **Panel**: the parameter form (from ``engine.kmeans.ALGORITHM``), the
  *Initialisation lab* (:mod:`gui.algorithms.kmeans.init_lab`: the engine's
  initialisations, or centres placed by clicking, or data points picked by
  clicking; these reach the engine as ``init=<k x d array>``), the textbook
  exercises (one click each) and "Export results...".
* **Scatter overlay** (:class:`gui.algorithms.kmeans.init_lab.KMeansOverlay`): each centre as a large diamond
  in its cluster colour with its trail over the iterations so far; the points
  that just changed cluster ringed; for 2-D data the region each centre owns
  (``engine.kmeans.voronoi_grid`` over the visible range) as a light image
  under the points; on k-means++ seeding steps the sampling probabilities
  (marker area proportional to the probability) and the chosen point.
* **Tabs**: the objective against the step (click = jump there), "Restarts" (every restart of the run
  when the parameter Restarts is above 1: :mod:`gui.algorithms.kmeans.restarts`), "Restarts & K"
  (:class:`gui.algorithms.kmeans.elbow.RestartsView`: the elbow plot of a sweep computed
  off the GUI thread with ``engine.kmeans.sweep``, clicking a run loads it
  into the timeline, small multiples of the restarts of one K) and
  "Prototypes" for image data (:mod:`gui.algorithms.kmeans.prototypes` in a
  :class:`gui.widgets.tiles.PrototypesView`: the
  centres as tiles, live at every step, with size and majority label;
  representative members of each cluster with the rule that chose them; the
  best centres of every K of the sweep side by side).

Every view derives what it shows from the player's current step and history.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QFileDialog, QGroupBox, QLabel, QVBoxLayout, QWidget

from engine import kmeans as ekm
from engine.kmeans.kernels import pair_evaluations
from engine.core.params import ParamError
from engine.core.steps import Step
from gui.algorithms.kmeans.state import KMeansState
from gui.algorithms.kmeans import extras
from gui.algorithms.kmeans.extras import EXERCISES, data_coordinates, load_exercise, run_coordinates
from gui.algorithms.kmeans.prototypes import PrototypesMixin
from gui.algorithms.kmeans.restarts import RestartsMixin
from gui.algorithms.kmeans.sweep import SweepMixin
from gui.algorithms.base import AlgorithmPlugin
from gui.algorithms.kmeans.elbow import RestartsView
from gui.run.tasks import BackgroundTask
from gui.algorithms.kmeans.init_lab import CentreMarks, InitLab, KMeansOverlay
from gui.widgets.objective import ObjectiveView
from gui.widgets.tiles import PrototypesView

__all__ = ["KMeansPlugin", "load_exercise", "EXERCISES", "run_coordinates", "data_coordinates"]

REGION_PIXELS = (256, 768)  # grid points per axis of the region image: one per 1.5 screen pixels, within these
MEDOID_WARN_OPS = 2e8  # K-medoids: say how long an update may take above this many coordinate operations


def _changed_indices(payload) -> np.ndarray | None:
    ch = payload.get("changed") if payload else None
    if ch is None:
        return None
    ch = np.asarray(ch)
    return np.flatnonzero(ch) if ch.dtype == bool else ch.astype(int)


class KMeansPlugin(KMeansState, SweepMixin, PrototypesMixin, RestartsMixin, AlgorithmPlugin):
    """Lloyd's algorithm and its relatives (see the module docstring)."""

    algorithm = ekm.ALGORITHM

    def __init__(self, window):
        super().__init__(window)
        self.init_param = next((p for p in self.algorithm.params if p.name == "init" and p.kind == "choice"), None)
        self.lab = InitLab(self.init_param.choices if self.init_param is not None else ())
        if self.init_param is not None:
            self.lab.set_mode(self.init_param.default, emit=False)
            self._hide_form_row("init")
        self.lab.sigChanged.connect(self._on_lab_changed)
        self.lab.sigCaptureChanged.connect(self._on_capture_changed)
        self.marks = CentreMarks()
        self.overlay = KMeansOverlay(lambda j, extended: window.scatter.cluster_hex(j, extended=extended))
        self._views = None
        self._active = False
        self._trail_cache: dict[tuple, np.ndarray] = {}
        self._trail_run = None
        self._pending_exercise = None
        self._region_timer = QTimer(self)
        self._region_timer.setSingleShot(True)
        self._region_timer.setInterval(60)
        self._region_timer.timeout.connect(self._update_regions)
        QTimer.singleShot(0, self._install_menu)  # the window builds its menus after its plugins

    def _install_menu(self):
        try:
            extras.install_menu(self.window)
        except RuntimeError:  # the window was closed before the event loop ran
            pass

    # ------------------------------------------------------------------ panel
    def _hide_form_row(self, name: str):
        layout = self.form.layout()
        w = self.form.widgets.get(name)
        if w is not None and hasattr(layout, "setRowVisible"):
            layout.setRowVisible(w, False)

    def build_panel(self, v: QVBoxLayout) -> None:
        lab_box = QGroupBox("Initialisation lab")
        lv = QVBoxLayout(lab_box)
        lv.addWidget(QLabel("Start from:"))
        lv.addWidget(self.lab)
        v.addWidget(lab_box)
        self.add_exercises_box(v, EXERCISES, load_exercise)
        self.export_button = self.add_button(
            v, "Export results…", "kmeans_export", self.export_dialog,
            "Labels, centres and the objective trace of the current step as CSV and JSON")
        v.addStretch(1)

    def views(self) -> list[tuple[str, QWidget]]:
        if self._views is None:
            self.objective = ObjectiveView()
            self.objective.setObjectName("kmeans_objective")
            self.objective.set_objective(self.objective_label(), self.algorithm.objective_sense)
            self.objective.sigStepClicked.connect(lambda i: self.window.player.seek(i))
            self.restarts = RestartsView()
            self.restarts.sigRunSweep.connect(self.start_sweep)
            self.restarts.sigCancel.connect(self.cancel_sweep)
            self.restarts.sigRunClicked.connect(self.load_run)
            self.restarts.sigKChosen.connect(self._show_restarts_of)
            self.prototypes = PrototypesView()
            self.prototypes.sigShown.connect(lambda: self._show_prototypes(self.window.player.current))
            self.sweep_task = BackgroundTask(self)
            self.sweep_task.sigProgress.connect(self._on_sweep_progress)
            self.sweep_task.sigPartial.connect(self._on_sweep_run)
            self._elbow_timer = QTimer(self)
            self._elbow_timer.setSingleShot(True)
            self._elbow_timer.setInterval(80)  # many fast runs: one redraw per 80 ms
            self._elbow_timer.timeout.connect(self._draw_live_elbow)
            self.sweep_task.sigFinished.connect(self._on_sweep_finished)
            self.sweep_task.sigFailed.connect(self._on_sweep_failed)
            self.sweep_task.sigBusy.connect(self.restarts.set_busy)
            self.multiples_task = BackgroundTask(self)
            self.multiples_task.sigFinished.connect(self._on_multiples_finished)
            self.multiples_task.sigFailed.connect(self._on_sweep_failed)
            self.sweep = None  # the last SweepResult (with the data and options it was computed for)
            self._runs = None  # SweepRuns of the last sweep, filled in while it runs
            self._sweep_started = 0.0
            self._sweep_context = None
            self._silhouette_note = ""  # how the sweep's silhouettes are averaged (metric, all points or a sample)
            self._loaded_run = None
            self.window.installEventFilter(self)
            self._views = [("Objective", self.objective), *self.restart_views(), ("Restarts && K", self.restarts),
                           ("Prototypes", self.prototypes)]
        return list(self._views)

    def has_content(self, view) -> bool:
        """Restarts when the run has restarts; Restarts & K once a sweep has results; Prototypes for image data only."""
        if view is self.restart_view:
            return self.restart_has_content()
        if view is getattr(self, "restarts", None):
            return self.sweep is not None or self._runs is not None
        if view is getattr(self, "prototypes", None):
            return self.offers(view)
        return True

    def offers(self, view) -> bool:
        """The Prototypes tab only for image data (it shows images of the centres)."""
        if view is getattr(self, "prototypes", None):
            ds = self.window.dataset
            return ds is not None and ds.n > 0 and ds.image_shape is not None
        return True

    def figure(self, view):
        """The plot of each tab, without its controls: the objective curve, the elbow (with the silhouette
        against K under it), the centre images."""
        if view is getattr(self, "objective", None):
            return self.objective.plot
        if view is getattr(self, "restarts", None):
            return self.restarts.elbow.plot
        if view is self.restart_view:
            return self.restart_view.plot
        if view is getattr(self, "prototypes", None):
            return self.prototypes.centres.plot
        return view

    def eventFilter(self, obj, event):
        if obj is self.window and event.type() == QEvent.Type.Close and self._views is not None:
            self.sweep_task.shutdown()
            self.multiples_task.shutdown()
        return False

    # ------------------------------------------------------------------ run
    def parameters(self) -> dict:
        values = self.form.values()
        if self.init_param is not None and not self.lab.own:
            values["init"] = self.lab.mode
        params = self.algorithm.validate(values)
        if self.lab.own:
            params.pop("init", None)
            params["k"] = self._own_init().shape[0]
        return params

    def make_steps(self):
        params = self.parameters()
        X = self.window.run_X()
        extra = {**self.extra_arguments(), **self.restart_arguments()}
        steps = self.algorithm.steps
        factory = lambda: steps(X, **params, **extra)  # noqa: E731 - as AlgorithmPlugin.make_steps, with restarts
        ds = self.window.dataset
        if params.get("variant") == "medoids" and ds is not None and ds.n:
            k = max(1, int(params.get("k", 1)))
            metric = params.get("metric") or "l2"
            work = pair_evaluations(np.full(k, ds.n / k), metric, ds.d)  # equal clusters
            if work > MEDOID_WARN_OPS:
                how = ("sorts each feature per cluster" if metric == "l1" else
                       "compares every pair of members of each cluster")
                self.window.status(f"K-medoids on {ds.n:,} points: each update {how} (about {work:.1g} "
                                   "operations), so a step can take seconds; the window stays usable and "
                                   "Cancel stops after the current step.", 15000)
        return factory

    def extra_arguments(self) -> dict:
        """Starting centres chosen by hand, and the data's point names, so that step texts name points as
        the window does (x1, x2, ... if none)."""
        ds = self.window.dataset
        names = {"names": ds.point_names} if ds is not None and ds.point_names is not None else {}
        return {"init": self._own_init(), **names} if self.lab.own else names

    def _own_init(self) -> np.ndarray:
        """The starting centres chosen by hand, in run coordinates, shape (k, d)."""
        w, ds = self.window, self.window.dataset
        if ds is None or ds.n == 0:
            raise ParamError("There are no points yet: add or open data before choosing starting centres.")
        if self.lab.mode == "placed":
            if ds.d != 2:
                raise ParamError(f"Centres can be placed by clicking only for 2-D data (these have d={ds.d}); "
                                 "use “picked data points” instead.")
            if self.lab.placed.shape[0] == 0:
                raise ParamError("No centres placed yet: press “Place centres” and click on the plot once per centre.")
            return run_coordinates(w, self.lab.placed)
        picked = [i for i in self.lab.picked if 0 <= i < ds.n]
        if not picked:
            raise ParamError("No data points picked yet: press “Pick points” and click the points to start from.")
        return np.asarray(w.run_X())[picked].copy()

    def _on_lab_changed(self):
        if self.lab.own:
            k = self.lab.count
            if k > 0 and "k" in self.form.widgets:
                self.form.set_values({"k": k})
        self._draw_marks()
        if not self.lab.own or self.lab.count > 0:
            self.sigRestart.emit()

    def _on_capture_changed(self, on: bool):
        w = self.window
        if on:
            w.set_edit_mode("inspect")  # clicks must not add points at the same time
            w.status("Click on the plot to place a centre." if self.lab.mode == "placed"
                     else "Click data points to start from them (click again to drop one).")

    def _on_scene_clicked(self, ev):
        if not (self._active and self.lab.capturing and self.lab.mode == "placed"):
            return
        mode = self.window.scatter.effective_mode()
        if mode != "inspect":  # an edit tool was chosen since: the click is its own, and placing stops
            self.lab.set_capturing(False)
            self.window.status(f"Placing centres stopped: the {mode.capitalize()} tool is on (press "
                               "“Place centres” again to go on placing).")
            return
        from PySide6.QtCore import Qt
        if ev.button() != Qt.MouseButton.LeftButton:
            return
        vb = self.window.scatter.plot_item.getViewBox()
        if not vb.sceneBoundingRect().contains(ev.scenePos()):
            return
        p = vb.mapSceneToView(ev.scenePos())
        self.lab.add_placed(p.x(), p.y())

    def _on_point_clicked(self, i: int):
        if self._active and self.lab.capturing and self.lab.mode == "picked":
            self.lab.toggle_picked(i)

    def _on_data_changed(self, *_):
        ds = self.window.dataset
        self.lab.point_names = ds.point_names if ds is not None else None
        self.lab.forget_points()
        self._draw_marks()
        self.show_offered_tabs()  # Prototypes only for images
        if self._pending_exercise is not None and ds is not None:
            name, self._pending_exercise = self._pending_exercise, None
            if name == "exercise4" and ds.image_shape is not None:
                ks, restarts = list(extras.EXERCISE4_KS), extras.EXERCISE4_RESTARTS
                self.restarts.set_ks(ks, restarts)
                QTimer.singleShot(0, lambda: self.start_sweep(ks, restarts, 0))

    def _draw_marks(self):
        ds = self.window.dataset
        if not self.lab.own or ds is None or ds.n == 0:
            self.marks.show(np.empty((0, 2)))
        elif self.lab.mode == "placed":
            self.marks.show(self.lab.placed)
        else:
            idx = [i for i in self.lab.picked if 0 <= i < ds.n]
            self.marks.show(np.asarray(self.window.scatter.points())[idx] if idx else np.empty((0, 2)))

    # ------------------------------------------------------------------ activation
    def activate(self):
        w = self.window
        self._active = True
        self.overlay.attach(w.scatter.plot_item)
        self.marks.attach(w.scatter.plot_item)
        w.scatter.plot_item.scene().sigMouseClicked.connect(self._on_scene_clicked)
        w.scatter.sigPointClicked.connect(self._on_point_clicked)
        w.scatter.plot_item.getViewBox().sigRangeChanged.connect(self._region_timer.start)
        w.scatter.plot_item.getViewBox().sigResized.connect(self._region_timer.start)  # a finer grid when larger
        w.scatter.sigFlush.connect(self._flush_regions)
        w.sigDataChanged.connect(self._on_data_changed)
        self.connect_restarts()
        self._on_data_changed()

    def deactivate(self):
        w = self.window
        self._active = False
        self.disconnect_restarts()
        self.lab.set_capturing(False)
        self.overlay.detach()
        self.marks.detach()
        for sig, slot in ((w.scatter.plot_item.scene().sigMouseClicked, self._on_scene_clicked),
                          (w.scatter.sigPointClicked, self._on_point_clicked),
                          (w.scatter.plot_item.getViewBox().sigRangeChanged, self._region_timer.start),
                          (w.scatter.plot_item.getViewBox().sigResized, self._region_timer.start),
                          (w.scatter.sigFlush, self._flush_regions)):
            try:
                sig.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
        try:
            w.sigDataChanged.disconnect(self._on_data_changed)
        except (RuntimeError, TypeError):
            pass
        if self._views is not None:
            self.cancel_sweep()

    # ------------------------------------------------------------------ drawing
    def _display_centres(self, step: Step) -> np.ndarray | None:
        if step is None or step.centers is None:
            return None
        key = (id(step), id(self.window.projection))  # the axes may change while the run stays
        got = self._trail_cache.get(key)
        if got is None:
            got = np.asarray(self.window.project(step.centers), dtype=float)
            self._trail_cache[key] = got
        return got

    def _trail(self, history, index, k) -> np.ndarray | None:
        """Display centres of every step up to ``index`` whose centres moved (s, k, 2)."""
        pts, last = [], None
        for s in history[:index + 1]:
            C = self._display_centres(s)
            if C is None or C.shape[0] != k:
                continue
            if last is None or not np.array_equal(C, last):
                pts.append(C)
                last = C
        return np.stack(pts) if pts else None

    def show_step(self, step: Step | None):
        if self._views is None:
            self.views()
        w = self.window
        player = w.player
        if self._trail_run is not (player.history[0] if player.history else None):
            self._trail_run = player.history[0] if player.history else None
            self._trail_cache = {}
        history = player.history
        self.show_restarts()
        trace = step.trace if step is not None else np.empty(0)
        self.objective.set_objective(self.objective_label(), self.algorithm.objective_sense)
        self.objective.show_trace(trace, player.index if step is not None else -1)
        if step is None:
            self.overlay.clear()
            self._show_prototypes(None)
            return
        Y = np.asarray(w.scatter.points())
        C = self._display_centres(step)
        k = 0 if C is None else C.shape[0]
        trail = self._trail(history, player.index, k) if k else None
        payload = step.payload
        probs = payload.get("probs") if step.kind == "seed" else None
        chosen = payload.get("chosen") if step.kind == "seed" else None
        changed = _changed_indices(payload) if step.kind == "assign" else None
        if Y.shape[0] != (len(step.labels) if step.labels is not None else Y.shape[0]):
            Y = np.empty((0, 2))
            probs = changed = chosen = None
        seed_text = ""
        if probs is not None and C is not None:
            k_all = self.form.values().get("k", C.shape[0])
            seed_text = f"drawing centre {C.shape[0]} of {k_all}" if C.shape[0] > 1 else "first centre, uniform"
        self.overlay.show(Y, C, trail, changed, probs, None if chosen is None else int(chosen),
                          extended=self._extended(), seed_text=seed_text)
        self._update_regions()
        self._show_prototypes(step)

    def _flush_regions(self):
        """Before an export: the regions for the view's range now, not 60 ms later (a slide taken right after
        lecture mode resized the plot showed the regions of its earlier range, white margins around them)."""
        if self._region_timer.isActive():
            self._region_timer.stop()
            self._update_regions()

    def _update_regions(self):
        w, step = self.window, self.window.player.current
        ds = w.dataset
        if (not self._active or step is None or step.centers is None or ds is None or ds.d != 2
                or step.centers.shape[1] != 2):
            self.overlay.show_regions(None, None, 0)
            return
        (x0, x1), (y0, y1) = w.scatter.plot_item.getViewBox().viewRange()
        if not (np.isfinite([x0, x1, y0, y1]).all() and x1 > x0 and y1 > y0):
            return
        lo = run_coordinates(w, [[x0, y0]])[0]
        hi = run_coordinates(w, [[x1, y1]])[0]
        values = self.form.values()
        rect = w.scatter.plot_item.getViewBox().boundingRect()  # boundaries never show steps of several pixels
        res = int(min(max(np.ceil(max(rect.width(), rect.height()) / 1.5), REGION_PIXELS[0]), REGION_PIXELS[1]))
        grid = ekm.voronoi_grid(step.centers, (lo[0], hi[0]), (lo[1], hi[1]), resolution=res,
                                variant=values.get("variant", "means"),
                                metric=values.get("metric") if values.get("variant") == "medoids" else None)
        # grid points are cell centres: widen the image by half a cell on each side
        hx, hy = (x1 - x0) / (res - 1) / 2, (y1 - y0) / (res - 1) / 2
        self.overlay.show_regions(grid, (x0 - hx, y0 - hy, x1 - x0 + 2 * hx, y1 - y0 + 2 * hy),
                                  step.centers.shape[0], extended=self._extended())

    def _extended(self) -> bool:
        """Colours of clusters 8+ as the scatter draws them: own colours when rasterised, else shapes."""
        return bool(self.window.scatter.raster)

    def _color(self, j: int):
        """Cluster ``j``'s colour as the scatter draws it (named groups keep their colours there)."""
        return pg.mkColor(self.window.scatter.cluster_hex(j, extended=self._extended()))

    # ------------------------------------------------------------------ results
    def results(self) -> dict:
        """What "Export results" writes, for the current step (JSON-ready); see :func:`kmeans_extras.results`."""
        return extras.results(self)

    def export_results(self, folder, stem: str = "kmeans") -> list:
        """Write the JSON and CSV results into ``folder``; see :func:`kmeans_extras.export_results`."""
        return extras.export_results(self, folder, stem)

    def export_dialog(self):
        w = self.window
        folder = QFileDialog.getExistingDirectory(w, "Export K-means results to a folder")
        if not folder:
            return
        try:
            paths = self.export_results(folder)
        except (ValueError, OSError) as exc:
            w.status(f"Could not export: {exc}")
            return
        w.status(f"Wrote {', '.join(p.name for p in paths)} to {folder}")


