"""Bernoulli mixtures by EM in the window: binary images (MNIST) and their pixel probabilities θ_k.

What this plugin adds to the window
-----------------------------------
* The run works on the data **binarized** at a threshold (``engine.data.binarize``: x > t -> 1,
  else 0; 0.5 by default, a control in the panel, and the panel says so). Standardization is
  not used: the pixels are 0 or 1.
* **Scatter**: the points in the blend of their components' colours weighted by the
  responsibilities γ_nk, each θ_k projected into the plot as a numbered diamond, and the
  moment banner (E-step / M-step).
* **EM tab** (shared with the Gaussian plugin): the log posterior (the log-likelihood when
  α = 0) against the step with the never-decreases check, the weights as bars, and the
  responsibilities of the chosen image.
* **θ images tab** (image data, :class:`gui.algorithms.bernoulli.theta.ThetaView`): θ_k as tiles
  updated at every step (captions: the component id in its colour, its weight, the most common
  digit among its images); beside them the K-means centres on the same binarized data
  (``engine.kmeans.fit`` with the same k and seed, computed once per run off the GUI thread),
  each under the θ_k it is most like; and a chosen image (click a point in the scatter, or the
  "image #" box) in grey and binarized, with its responsibilities. On data without an image
  shape the tiles are hidden.
* **Panel**: parameters (fixed weights = the textbook variant), the threshold, textbook
  exercise 5, "Export results…" and "Export figures…".
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QVBoxLayout

from engine import bernoulli as ebern
from engine import data as edata
from engine import kmeans as ekm
from engine.bernoulli.fitting import fit_result
from engine.core.steps import Step, step_label
from gui.algorithms.bernoulli.state import BernoulliState
from gui.widgets import palette
from gui.algorithms.mixture.base import MixturePlugin, num, plugin_index, write_csv
from gui.run.tasks import BackgroundTask
from gui.algorithms.bernoulli.theta import ThetaView
from gui.algorithms.mixture.views import EllipseOverlay
from gui.widgets.spin import ShortDoubleSpinBox

__all__ = ["BernoulliPlugin", "load_exercise", "EXERCISES"]

EXERCISES = {"exercise5": "Exercise 5: Bernoulli mixture on MNIST"}
#: A seed whose run keeps every component alive (seed 0 lets one θ_k collapse onto a single image: try it).
EXERCISE5_SEED = 3


class BernoulliPlugin(BernoulliState, MixturePlugin):
    """Bernoulli mixture by EM (see the module docstring)."""

    algorithm = ebern.ALGORITHM
    stem = "bernoulli"
    resp_symbol = "γ"

    def __init__(self, window):
        super().__init__(window)
        self.marks = EllipseOverlay()
        self._Xb = None
        self._threshold_used = 0.5
        self.kmeans_result = None  # (key, FitResult) of the K-means comparison
        self._kmeans_key = None
        self.kmeans_task = None  # a BackgroundTask, made on first use
        window.installEventFilter(self)

    @property
    def m_what(self) -> str:
        return "θ (weights fixed)" if self.form.values().get("fixed_weights") else "weights, θ"

    def eventFilter(self, obj, event):
        if obj is self.window and event.type() == QEvent.Type.Close and self.kmeans_task is not None:
            self.kmeans_task.shutdown()
        return False

    # ------------------------------------------------------------------ panel and views
    def build_panel(self, v: QVBoxLayout) -> None:
        bin_box = QGroupBox("Binary data")
        f = QFormLayout(bin_box)
        self.threshold = ShortDoubleSpinBox()  # "0.5", not "0.500"
        self.threshold.setObjectName("bernoulli_threshold")
        self.threshold.setDecimals(3)
        self.threshold.setRange(-1e9, 1e9)
        self.threshold.setSingleStep(0.05)
        self.threshold.setValue(0.5)
        self.threshold.setToolTip("Values above this become 1, the others 0")
        self.threshold.valueChanged.connect(lambda _: self.sigRestart.emit())
        f.addRow("Binarize at", self.threshold)
        self.binary_note = QLabel("EM runs on the data binarized at 0.5 (x > 0.5 → 1, else 0).")
        self.binary_note.setObjectName("bernoulli_binary_note")
        self.binary_note.setWordWrap(True)
        f.addRow(self.binary_note)
        v.addWidget(bin_box)
        self.add_exercises_box(v, EXERCISES, load_exercise)
        self._export_buttons(v)
        v.addStretch(1)

    def extra_views(self) -> list:
        self.theta_view = ThetaView()
        self.theta_view.image_box.valueChanged.connect(self._on_image_box)
        return [("θ images", self.theta_view)]

    # ------------------------------------------------------------------ run
    def build_steps(self):
        params = self.parameters()
        ds = self.window.dataset
        t = float(self.threshold.value())
        X = np.asarray(ds.X)
        Xb = edata.binarize(X, t)
        Xb.setflags(write=False)
        changed = int(np.count_nonzero(Xb != X))
        self._Xb, self._threshold_used = Xb, t
        what = (f"{changed:,} of {X.size:,} values changed" if changed else "the data were already 0 and 1")
        self.binary_note.setText(f"EM runs on the data binarized at {t:g} (x > {t:g} → 1, else 0; {what}). "
                                 "Standardization is not used.")
        self._start_kmeans(Xb, params["k"], params.get("seed"))
        extra = {**self.given_arguments(params), **self.restart_arguments()}
        steps = self.algorithm.steps
        return lambda: steps(Xb, **params, **extra)

    def run_data(self) -> np.ndarray:
        return self._Xb

    def selection_data(self) -> np.ndarray:
        """The data binarized at the panel's threshold, as the run uses them."""
        t = float(self.threshold.value()) if getattr(self, "threshold", None) is not None else 0.5
        Xb = edata.binarize(np.asarray(self.window.dataset.X), t)
        Xb.setflags(write=False)
        return Xb

    def selection_result_of(self, X, params):
        """A run's steps -> its :class:`engine.bernoulli.BernoulliResult` (with ``bic`` and ``aic``)."""
        alpha = params.get("alpha", 1.0)
        return lambda steps, k: fit_result(iter(steps), X, k, alpha)

    def compute_resp(self, X, payload) -> np.ndarray:
        return ebern.responsibilities(X, payload["weights"], payload["probs"])

    def _image_shape(self):
        ds = self.window.dataset
        return ds.image_shape if ds is not None and ds.n > 0 else None

    def _start_kmeans(self, Xb, k, seed):
        if self._image_shape() is None:
            return
        seed = 0 if seed is None else int(seed)
        key = (id(Xb), int(k), seed)
        if key == self._kmeans_key:
            return
        self._kmeans_key = key
        self.kmeans_result = None

        def job(progress, cancelled):
            return key, ekm.fit(Xb, int(k), seed=seed)

        if self.kmeans_task is None:
            self.kmeans_task = BackgroundTask(self)
            self.kmeans_task.sigFinished.connect(self._on_kmeans_finished)
            self.kmeans_task.sigFailed.connect(self._on_kmeans_failed)

        self.kmeans_task.start(job)

    def _on_kmeans_finished(self, result):
        key, fit = result
        if key != self._kmeans_key:
            return
        self.kmeans_result = (key, fit)
        if self._active:
            step = self.window.player.current
            self._show_tiles(step)

    def _on_kmeans_failed(self, message: str):
        if self._views is not None:
            self.theta_view.set_title("kmeans", f"K-means centres: could not compute ({message})")

    # ------------------------------------------------------------------ activation
    def activate(self):
        super().activate()
        self.marks.attach(self.window.scatter.plot_item)

    def deactivate(self):
        self.marks.detach()
        if self.kmeans_task is not None:
            self.kmeans_task.cancel()
        super().deactivate()

    # ------------------------------------------------------------------ drawing
    def _display_of_raw(self, P) -> np.ndarray:
        """Points in the data's own coordinates (k, d) -> display coordinates."""
        P = np.asarray(P, dtype=np.float64)
        std = getattr(self.window, "_std", None)
        if std is not None:
            mean, scale = (np.asarray(a, dtype=np.float64) for a in std)
            P = np.where(scale > 0, (P - mean) / np.where(scale > 0, scale, 1.0), 0.0)
        return np.asarray(self.window.project(P), dtype=np.float64)

    def draw_parameters(self, step: Step | None, index: int):
        if step is None or "probs" not in step.payload or self._Xb is None \
                or step.payload["probs"].shape[1] != self.window.dataset.d:
            self.marks.clear()
            self._show_tiles(None)
            self.em.set_note("")
            return
        probs = step.payload["probs"]
        self.marks.show_means(self._display_of_raw(probs), probs.shape[0], self.extended())
        self.em.set_note(f"Diamonds in the scatter: each θ_k placed like a data point (projected as the data). "
                         f"The objective is the {self.algorithm.objective_name}; the data are binarized at "
                         f"{self._threshold_used:g}.")
        self._show_tiles(step)

    def _captions(self, step: Step, k: int) -> list[str]:
        ds = self.window.dataset
        weights = np.asarray(step.payload["weights"])
        labels = step.labels
        truth = ds.labels if ds.labels is not None and labels is not None and len(ds.labels) == len(labels) else None
        summary = None
        if labels is not None and len(labels) and (np.asarray(labels) >= 0).all():
            summary = ekm.cluster_summary(labels, k, truth)
        out = []
        for j in range(k):
            ink = palette.text_hex(palette.hex_color(j, self.extended()))
            text = (f"<b><span style='color:{ink}'>#{j + 1}</span></b>"
                    f"\nπ={weights[j]:.3f}")  # one short line each: the grid reserves room per line
            if summary is not None and truth is not None and summary.majority[j] >= 0:
                m = int(summary.majority[j])
                names = ds.label_names
                name = names[m] if names is not None and m < len(names) else str(m)
                text += f"\n'{name}' {100 * summary.share[j]:.0f}%"
            out.append(text)
        return out

    def _show_tiles(self, step: Step | None):
        if self._views is None:
            return
        view = self.theta_view
        shape = self._image_shape()
        if shape is None:
            ds = self.window.dataset
            d = f"d = {ds.d} features" if ds is not None and ds.n else "no data"
            view.set_available(False, f"θ images appear here for image data (exercise 5: binarized MNIST); "
                                      f"these data have no image shape ({d}). θ is in the exported results.")
            return
        view.set_available(True)
        if step is None or "probs" not in step.payload or step.payload["probs"].shape[1] != shape[0] * shape[1]:
            for tv in (view.theta, view.kmeans):
                tv.clear()
            view.set_title("theta", "")
            view.set_title("kmeans", "")
            self._show_chosen(None, None)
            return
        probs = np.asarray(step.payload["probs"])
        k = probs.shape[0]
        ext = self.extended()
        view.set_title("theta", f"EM: pixel probabilities θ_k at {step_label(self.window.player.index)} "
                                f"({step.kind}, iteration {step.iteration}); black = 1, white = 0")
        ncols = k if k <= 6 else int(np.ceil(k / 2)) if k <= 20 else None  # two rows: larger tiles
        view.theta.set_tiles(probs, shape, captions=self._captions(step, k), ncols=ncols,
                             colors=[palette.color(j, extended=ext) for j in range(k)], levels=(0.0, 1.0))
        res = self.kmeans_result
        if res is not None and res[0] == self._kmeans_key and res[1].centers.shape == probs.shape:
            fit = res[1]
            order = ebern.match_centres(probs, fit.centers)
            sizes = np.bincount(np.asarray(fit.labels), minlength=k)
            view.set_title("kmeans", f"K-means centres on the same binarized data (k = {k}, seed "
                                     f"{self._kmeans_key[2]}, objective {fit.objective[-1]:.5g}); "
                                     "each under the θ_k it is most like")
            view.kmeans.set_tiles(fit.centers[order], shape, levels=(0.0, 1.0), ncols=ncols,
                                  captions=[f"#{m + 1}\nn={int(sizes[m])}" for m in order])
        else:
            view.kmeans.clear()
            busy = self.kmeans_task is not None and self.kmeans_task.busy
            view.set_title("kmeans", "K-means centres on the same data: computing…" if busy
                           else "K-means centres: not computed for this run")
        self._show_chosen(step, self.resp_at(self.window.player.index))

    def _show_chosen(self, step, resp):
        view = self.theta_view
        ds = self.window.dataset
        shape = self._image_shape()
        n = ds.n if ds is not None else 0
        blocked = view.image_box.blockSignals(True)
        view.image_box.setRange(0, max(n - 1, 0))
        if self.selected is not None:
            view.image_box.setValue(self.selected)
        view.image_box.blockSignals(blocked)
        i = self.selected
        if shape is None or i is None or not 0 <= i < n or self._Xb is None or self._Xb.shape[0] != n:
            view.chosen.clear()
            view.resp.set_values(None)
            view.resp.set_title("Click a point in the scatter or choose an image number")
            return
        label = f", label {ds.labels[i]}" if ds.labels is not None else ""
        X = ds.X
        view.chosen.set_tiles(np.vstack([X[i], self._Xb[i]]), shape, levels=None,
                              captions=[f"#{i}{label}", "binarized"])
        if resp is None or step is None:
            view.resp.set_values(None)
            view.resp.set_title(f"Image #{i}: no responsibilities yet (the first E-step computes them)")
            return
        view.resp.set_values(resp[i], self.extended(), ymax=1.15)
        view.resp.set_title(f"Responsibilities γ of image #{i}; most likely: component {int(np.argmax(resp[i])) + 1}")

    def select_point(self, i):
        super().select_point(i)
        if self._views is not None and self._image_shape() is not None:
            player = self.window.player
            step = player.current
            self._show_chosen(step, self.resp_at(player.index) if step is not None else None)

    def _on_image_box(self, i: int):
        ds = self.window.dataset
        if ds is None or not 0 <= i < ds.n:
            return
        self.window.scatter.highlight([i])
        self.select_point(i)

    # ------------------------------------------------------------------ results
    def parameter_results(self, step: Step) -> dict:
        p = step.payload
        return {"threshold": self._threshold_used, "alpha": p["alpha"], "theta": np.asarray(p["probs"]).tolist(),
                "image_shape": list(self._image_shape()) if self._image_shape() else None}

    def write_parameters(self, base: Path, res: dict) -> list[Path]:
        p = self.window.player.current.payload
        probs = np.asarray(p["probs"])
        k, d = probs.shape
        out = [write_csv(base.with_name(base.name + "-weights.csv"), ["component", "weight"],
                    ([j + 1, num(w)] for j, w in enumerate(p["weights"])))]
        out.append(write_csv(base.with_name(base.name + "-theta.csv"), ["component"] + [f"p{a + 1}" for a in range(d)],
                        ([j + 1] + [num(v) for v in probs[j]] for j in range(k))))
        return out


def load_exercise(window, name: str):
    """Textbook exercise 5: a Bernoulli mixture with K = 10 on the first 6,000 MNIST test images,
    binarized at 0.5, with fixed uniform weights and the maximum-likelihood update (α = 0), seed
    :data:`EXERCISE5_SEED`."""
    if name not in EXERCISES:
        raise ValueError(f"unknown exercise {name!r}; choose one of {', '.join(EXERCISES)}")
    index = plugin_index(window, BernoulliPlugin)
    plugin = window.plugins[index]
    std = getattr(getattr(window, "data_panel", None), "standardize", None)
    if std is not None and std.isChecked():
        std.setChecked(False)
    window.set_algorithm(index)
    plugin.panel()
    plugin.form.set_values({"k": 10, "init": "random", "fixed_weights": True, "alpha": 0.0, "seed": EXERCISE5_SEED,
                            "max_iter": 100, "tol": 1e-6})
    blocked = plugin.threshold.blockSignals(True)
    plugin.threshold.setValue(0.5)
    plugin.threshold.blockSignals(blocked)
    ds = window.dataset
    if ds is not None and ds.source == "mnist" and ds.n == 6000:
        window.restart_run()
    else:
        window.open_mnist(6000)
    window.status("Exercise 5: Bernoulli mixture, K = 10, on 6,000 MNIST digits binarized at 0.5; fixed weights "
                  "(the textbook variant, untick to estimate them), α = 0 (maximum likelihood), seed 3 (with "
                  "seed 0 one θ_k collapses onto a single image). See the θ images tab.")


