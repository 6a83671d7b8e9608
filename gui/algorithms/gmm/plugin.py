"""Gaussian mixtures by EM in the window, one E- or M-step at a time.

What this plugin adds to the window
-----------------------------------
* **Scatter**: every point in the blend of its components' colours weighted by its
  responsibilities q_nk (:class:`gui.algorithms.mixture.views.BlendOverlay`); the means (numbered as in
  the legend); covariance ellipses at 1 and 2 standard deviations; on M-steps the ellipses
  of the step before as grey ghosts (where the components were); optional density contours;
  a banner saying which moment this is ("E-step 3: responsibilities" - the parameters stay,
  the colours change; "M-step 3: weights, means, covariances" - the ellipses move). For data
  with d > 2 the means are projected onto the first two principal components and the
  ellipses are those of the projected covariances P Σ Pᵀ (the EM tab says so).
* **EM tab** (:class:`gui.algorithms.mixture.views.EMView`): the log-likelihood against the step (click
  = jump there) with the never-decreases check, the mixing weights as bars, and the
  responsibilities of the point last clicked in the scatter.
* **Panel**: the parameters, "init: placed means" (click k points on the plot, drag the
  markers), density contours, textbook exercise 6, "Export results…" and "Export figures…".

:class:`gui.algorithms.mixture.base.MixturePlugin` holds what the Gaussian and the Bernoulli plugin share.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QCheckBox, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from engine import gmm as egmm
from engine.core.params import ParamError
from engine.core.steps import Step
from engine.gmm.fitting import fit_result
from engine.gmm.placed import placed_means_init
from gui.algorithms.gmm.state import GmmState
from gui.algorithms.mixture.base import MixturePlugin, num, plugin_index, write_csv
from gui.algorithms.mixture.views import EllipseOverlay, PlacedMeans, display_map, run_from_display

__all__ = ["MixturePlugin", "GmmPlugin", "load_exercise", "EXERCISES"]

EXERCISES = {"exercise6": "Exercise 6: elongated, overlapping clusters"}


class GmmPlugin(GmmState, MixturePlugin):
    """Gaussian mixture by EM (see the module docstring)."""

    algorithm = egmm.ALGORITHM
    stem = "gmm"
    m_what = "weights, means, covariances"

    def __init__(self, window):
        super().__init__(window)
        self.ellipses = EllipseOverlay()
        self.placed = PlacedMeans(self)
        self.placed.sigChanged.connect(self._on_placed_changed)
        self._density_timer = QTimer(self)
        self._density_timer.setSingleShot(True)
        self._density_timer.setInterval(80)
        self._density_timer.timeout.connect(self._update_density)
        self._map_key = None
        self._map = None
        self.form.sigChanged.connect(self._update_placed_label)

    # ------------------------------------------------------------------ panel
    def build_panel(self, v: QVBoxLayout) -> None:
        init_box = QGroupBox("Starting means")
        iv = QVBoxLayout(init_box)
        self.use_placed = QCheckBox("init: placed means")
        self.use_placed.setObjectName("gmm_use_placed")
        self.use_placed.setToolTip("Start from means you place on the plot (weights equal, covariances "
                                   "= the data's variance × I); drag a marker to move it.")
        self.use_placed.toggled.connect(self._on_use_placed)
        row = QHBoxLayout()
        self.place_button = QPushButton("Place means")
        self.place_button.setObjectName("gmm_place")
        self.place_button.setCheckable(True)
        self.place_button.setToolTip("Then click k points on the plot")
        self.place_button.toggled.connect(self._on_capture)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setObjectName("gmm_clear_placed")
        self.clear_button.clicked.connect(lambda: self.placed.clear())
        row.addWidget(self.place_button)
        row.addWidget(self.clear_button)
        self.placed_label = QLabel()
        self.placed_label.setObjectName("gmm_placed_label")
        self.placed_label.setWordWrap(True)
        iv.addWidget(self.use_placed)
        iv.addLayout(row)
        iv.addWidget(self.placed_label)
        v.addWidget(init_box)
        self.density = QCheckBox("Density contours")
        self.density.setObjectName("gmm_density")
        self.density.setToolTip("Contours of the mixture density (for d > 2: of its projection on the plot)")
        self.density.toggled.connect(lambda _: self._update_density())
        v.addWidget(self.density)
        self.add_exercises_box(v, EXERCISES, load_exercise)
        self._export_buttons(v)
        v.addStretch(1)
        self._update_placed_label()

    def _k(self) -> int:
        return int(self.form.values().get("k", 3))

    def _update_placed_label(self):
        if not hasattr(self, "placed_label"):
            return
        k, m = self._k(), self.placed.count
        if not self.use_placed.isChecked():
            text = f"{m} placed (not used)" if m else "Tick “init: placed means”, then click k points on the plot."
        elif m < k:
            text = f"{m} of {k} means placed: click {k - m} more on the plot."
        elif m > k:
            text = f"{m} means placed but k = {k}: clear them or raise k."
        else:
            text = f"{k} means placed; drag a marker to move it."
        self.placed_label.setText(text)

    def _on_use_placed(self, on: bool):
        self.form.widgets["init"].setEnabled(not on)
        if on and self.placed.count < self._k():
            self.place_button.setChecked(True)
        elif not on:
            self.place_button.setChecked(False)
        self._update_placed_label()
        self._restart_unless_placing()

    def _placing(self) -> bool:
        """True while the person is clicking the starting means in (fewer than k so far)."""
        return self.use_placed.isChecked() and self.place_button.isChecked() and self.placed.count < self._k()

    def _restart_unless_placing(self):
        """A new run - or, while means are being placed, no run and no error (the label says what to do)."""
        if not self._placing():
            self.sigRestart.emit()
            return
        w = self.window
        w.player.clear()
        self.show_error("")
        panel = getattr(w, "algorithm_panel", None)
        if panel is not None and hasattr(panel, "show_error"):
            panel.show_error("")

    def _on_capture(self, on: bool):
        w = self.window
        if on:
            if self.placed.count >= self._k():
                self.placed.clear(emit=False)
                self._update_placed_label()
            panel = getattr(w, "data_panel", None)
            if panel is not None and hasattr(panel, "set_mode"):
                panel.set_mode("inspect")  # clicks must not add points at the same time
            w.status(f"Click {self._k()} points on the plot to place the starting means.")
        if self.use_placed.isChecked() and self.placed.count != self._k():
            self._restart_unless_placing()  # placing: no run yet; stopped early: say what is missing

    def _on_scene_clicked(self, ev):
        if not (self._active and self.place_button.isChecked() and ev.button() == Qt.MouseButton.LeftButton):
            return
        vb = self.window.scatter.plot_item.getViewBox()
        if not vb.sceneBoundingRect().contains(ev.scenePos()):
            return
        p = vb.mapSceneToView(ev.scenePos())
        if self.placed.near(p.x(), p.y()):
            return  # a click on a marker (to drag it) does not add one
        self.add_placed(p.x(), p.y())

    def add_placed(self, x: float, y: float):
        """Place one starting mean at display position (x, y); placing stops at k."""
        if self.placed.count >= self._k():
            return
        if self.placed.count + 1 >= self._k():
            blocked = self.place_button.blockSignals(True)
            self.place_button.setChecked(False)
            self.place_button.blockSignals(blocked)
        self.placed.add(x, y)

    def _on_placed_changed(self):
        self._update_placed_label()
        if self.use_placed.isChecked():
            self._restart_unless_placing()

    # ------------------------------------------------------------------ run
    def parameters(self) -> dict:
        params = self.algorithm.validate(self.form.values())
        if self.use_placed.isChecked() or self.given_init_fits():
            params.pop("init", None)
        return params

    def extra_arguments(self) -> dict:
        given = self.given_arguments({})
        if given or not self.use_placed.isChecked():
            return given
        k, m = self._k(), self.placed.count
        if m != k:
            raise ParamError(f"init: placed means: {m} of k = {k} means placed. Press “Place means” and click "
                             f"{k - m} more on the plot." if m < k else
                             f"init: placed means: {m} means placed but k = {k}. Clear them or set k = {m}.")
        X = self.run_data()
        means = run_from_display(self.window, self.placed.positions(), X)
        return {"init": placed_means_init(means, X, self.form.values()["covariance"])}

    def selection_result_of(self, X, params):
        """A run's steps -> its :class:`engine.gmm.GMMResult` (with ``bic`` and ``aic``)."""
        covariance = params.get("covariance", "full")
        return lambda steps, k: fit_result(iter(steps), X, covariance)

    def prepare_load_k(self, k: int) -> None:
        """A K loaded from the model selection starts the usual way, not from placed or given means."""
        super().prepare_load_k(k)
        if hasattr(self, "use_placed") and self.use_placed.isChecked():
            blocked = self.use_placed.blockSignals(True)
            self.use_placed.setChecked(False)
            self.use_placed.blockSignals(blocked)
            self.place_button.setChecked(False)
            self.form.widgets["init"].setEnabled(True)
            self._update_placed_label()

    def compute_resp(self, X, payload) -> np.ndarray:
        return egmm.responsibilities(X, payload["weights"], payload["means"], payload["covariances_native"],
                                     payload["covariance_type"])

    # ------------------------------------------------------------------ activation
    def activate(self):
        super().activate()
        w = self.window
        self.ellipses.attach(w.scatter.plot_item)
        self.placed.attach(w.scatter.plot_item)
        w.scatter.plot_item.scene().sigMouseClicked.connect(self._on_scene_clicked)
        w.scatter.plot_item.getViewBox().sigRangeChanged.connect(self._on_range_changed)

    def deactivate(self):
        w = self.window
        if hasattr(self, "place_button"):
            self.place_button.setChecked(False)
        self.ellipses.detach()
        self.placed.detach()
        for sig, slot in ((w.scatter.plot_item.scene().sigMouseClicked, self._on_scene_clicked),
                          (w.scatter.plot_item.getViewBox().sigRangeChanged, self._on_range_changed)):
            try:
                sig.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
        super().deactivate()

    def _on_range_changed(self, *_):
        if self.density.isChecked():
            self._density_timer.start()

    # ------------------------------------------------------------------ drawing
    def display_parameters(self, step: Step):
        """Display means (k, 2) and covariances (k, 2, 2) of ``step``: ``offset + A μ`` and ``A Σ Aᵀ``."""
        p = step.payload
        means = np.asarray(p["means"], dtype=np.float64)
        k, d = means.shape
        key = (id(self.window.run_X()), getattr(self.window, "_std", None) is None, d)
        if key != self._map_key:
            self._map_key, self._map = key, display_map(self.window, d)
        c, A = self._map
        S = egmm.project_covariances(p["covariances_native"], p["covariance_type"], A)
        if S.shape[0] != k:
            S = np.broadcast_to(S, (k, 2, 2))
        return c + means @ A.T, S

    def draw_parameters(self, step: Step | None, index: int):
        ov = self.ellipses
        if step is None or "means" not in step.payload:
            ov.clear()
            self.em.set_note("")
            return
        ext = self.extended()
        M, S = self.display_parameters(step)
        k = M.shape[0]
        ov.show_means(M, k, ext)
        ov.show_ellipses(M, S, ext)
        history = self.window.player.history
        if step.kind == "M" and index > 0:
            ov.show_ghosts(*self.display_parameters(history[index - 1]))
        else:
            ov.show_ghosts(None, None)
        self._update_density()
        ds = self.window.dataset
        d = step.payload["means"].shape[1]
        note = ("Solid ellipses: 1 standard deviation, dashed: 2; on M-steps the dotted grey ellipses are "
                "where the components were before.")
        if d > 2:
            note = (f"The data have d = {d} dimensions: the scatter shows the first two principal components, "
                    "the means are projected and the ellipses are those of the projected covariances P Σ Pᵀ. "
                    + note)
        if ds is not None and getattr(self.window, "_std", None) is not None:
            note += " EM runs on the standardized data; everything is drawn in the data's own units."
        self.em.set_note(note)

    def _update_density(self):
        self._density_timer.stop()
        step = self.window.player.current
        if not (self._active and self.density.isChecked()) or step is None or "means" not in step.payload:
            self.ellipses.show_density(None)
            return
        if step.payload["means"].shape[1] < 2:
            self.ellipses.show_density(None)
            return
        M, S = self.display_parameters(step)
        (x0, x1), (y0, y1) = self.window.scatter.plot_item.getViewBox().viewRange()
        try:
            grid = egmm.density_grid(step.payload["weights"], M, S, (x0, x1), (y0, y1), res=120)
        except ParamError:
            grid = None
        self.ellipses.show_density(grid)

    # ------------------------------------------------------------------ results
    def parameter_results(self, step: Step) -> dict:
        p = step.payload
        std = getattr(self.window, "_std", None) is not None
        return {"coordinates": "standardized" if std else "data", "covariance_type": p["covariance_type"],
                "means": np.asarray(p["means"]).tolist(),
                "covariances": np.asarray(p["covariances_native"]).tolist(),
                "init": "placed means" if self.use_placed.isChecked() else self.form.values()["init"]}

    def write_parameters(self, base: Path, res: dict) -> list[Path]:
        step = self.window.player.current
        p = step.payload
        means = np.asarray(p["means"])
        k, d = means.shape
        full = egmm.full_covariances(p["covariances_native"], p["covariance_type"], k, d)
        header = (["component", "weight"] + [f"mean_x{a + 1}" for a in range(d)]
                  + [f"cov_{a + 1}_{b + 1}" for a in range(d) for b in range(d)])
        rows = ([j + 1, num(p["weights"][j])] + [num(v) for v in means[j]] + [num(v) for v in full[j].ravel()]
                for j in range(k))
        return [write_csv(base.with_name(base.name + "-parameters.csv"), header, rows)]


def load_exercise(window, name: str):
    """Textbook exercise 6: a Gaussian mixture (K = 3, full covariances) on 300 points of three
    elongated, overlapping clusters (``engine.data.generate("elongated", n=300, seed=6)``)."""
    if name not in EXERCISES:
        raise ValueError(f"unknown exercise {name!r}; choose one of {', '.join(EXERCISES)}")
    index = plugin_index(window, GmmPlugin)
    plugin = window.plugins[index]
    std = getattr(getattr(window, "data_panel", None), "standardize", None)
    if std is not None and std.isChecked():
        std.setChecked(False)
    window.set_algorithm(index)
    plugin.panel()
    blocked = plugin.use_placed.blockSignals(True)
    plugin.use_placed.setChecked(False)
    plugin.use_placed.blockSignals(blocked)
    plugin.form.widgets["init"].setEnabled(True)
    plugin.form.set_values({"k": 3, "covariance": "full", "init": "kmeans", "reg": 1e-6, "seed": 0,
                            "max_iter": 200, "tol": 1e-6})
    window.generate("elongated", 300, 6)
    window.status("Exercise 6: EM with K = 3 full-covariance Gaussians on elongated, overlapping clusters. "
                  "Step with → : E-steps recolour the points, M-steps move the ellipses.")


