"""Spectral clustering in the window: the affinity graph on the scatter, the embedding beside it, K-means in it.

What this plugin adds to the window
-----------------------------------
* **Panel**: the parameter form (from ``engine.spectral.ALGORITHM``; γ is shown for the RBF affinity
  only, the number of neighbours for knn only), "Show the graph's edges" and a line that says what the
  current step shows.
* **Scatter overlay** (:class:`EdgeOverlay`): the affinity graph's edges (the strongest
  :data:`engine.spectral.graph.MAX_EDGES` when there are more; the step's description says how many),
  darker for heavier weights: bold on the graph step, faint on the later steps (the checkbox hides them).
* **Tabs**: "Embedding" (:class:`gui.algorithms.spectral.embedding.EmbeddingView`: the points at two
  chosen coordinates of the embedding, coloured and named as on the scatter, with the K-means centres
  in the embedding; clicking a point rings it on the scatter) and "Objective" (K-means' objective in the
  embedding against the step; click = jump there).

Every view derives what it shows from the player's current step: steps carry the graph's edges and,
from the embedding step on, the embedding (shared read-only arrays).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QCheckBox, QLabel, QVBoxLayout, QWidget

from engine import spectral as esp
from engine.core.steps import Step, step_label
from gui.algorithms.base import AlgorithmPlugin
from gui.algorithms.spectral.embedding import EmbeddingView
from gui.widgets.objective import ObjectiveView

__all__ = ["SpectralPlugin", "EdgeOverlay"]

#: (share of the heaviest weight above which, alpha) of the edge layers, heaviest first.
LAYERS = ((2 / 3, 170), (1 / 3, 100), (0.0, 45))


class EdgeOverlay:
    """The graph's edges on the scatter: one line item per weight layer (see :data:`LAYERS`)."""

    def __init__(self):
        self.items = [pg.PlotDataItem(connect="pairs", antialias=False) for _ in LAYERS]
        for item in self.items:
            item.setZValue(-5)  # under the points
        self._plot = None

    def attach(self, plot_item):
        if self._plot is None:
            for item in self.items:
                plot_item.addItem(item)
            self._plot = plot_item

    def detach(self):
        if self._plot is not None:
            for item in self.items:
                self._plot.removeItem(item)
            self._plot = None

    def clear(self):
        for item in self.items:
            item.setData([], [])

    def segments(self) -> int:
        """How many edges are drawn now."""
        return sum(len(item.xData) // 2 for item in self.items if item.xData is not None)

    def show(self, Y: np.ndarray, edges, weights, faint: bool = False):
        """Draw ``edges`` (m, 2) between the display points ``Y`` (n, 2), darker for heavier ``weights``."""
        if edges is None or len(edges) == 0 or Y.shape[0] == 0 or int(np.max(edges)) >= Y.shape[0]:
            self.clear()
            return
        edges, w = np.asarray(edges), np.asarray(weights, dtype=float)
        share = w / w.max()
        upper = np.inf
        for item, (low, alpha) in zip(self.items, LAYERS):
            pick = edges[(share > low) & (share <= upper)] if low > 0 else edges[share <= upper]
            upper = low
            xy = Y[pick.reshape(-1)]
            item.setPen(pg.mkPen(60, 60, 60, alpha // 3 if faint else alpha, width=1))
            if len(xy):
                item.setData(xy[:, 0], xy[:, 1])
            else:
                item.setData([], [])


class SpectralPlugin(AlgorithmPlugin):
    """Spectral clustering (see the module docstring)."""

    algorithm = esp.ALGORITHM

    def __init__(self, window):
        super().__init__(window)
        self.edges = EdgeOverlay()
        self._views = None
        self._active = False
        affinity = self.form.widgets.get("affinity")
        if affinity is not None:
            affinity.currentIndexChanged.connect(self._show_rows)
        self._show_rows()

    # ------------------------------------------------------------------ panel and views
    def _show_rows(self, *_):
        """γ for the RBF affinity only, the number of neighbours for knn only."""
        rbf = self.form.values().get("affinity") == "rbf"
        layout = self.form.layout()
        for name, shown in (("gamma", rbf), ("n_neighbors", not rbf)):
            w = self.form.widgets.get(name)
            if w is not None and hasattr(layout, "setRowVisible"):
                layout.setRowVisible(w, shown)

    def build_panel(self, layout: QVBoxLayout) -> None:
        self.show_edges = QCheckBox("Show the graph's edges")
        self.show_edges.setObjectName("spectral_show_edges")
        self.show_edges.setChecked(True)
        self.show_edges.setToolTip("The affinity graph on the scatter: bold on the graph step, faint after it")
        self.show_edges.toggled.connect(lambda _: self.show_step(self.window.player.current))
        layout.addWidget(self.show_edges)
        self.step_note = QLabel("")
        self.step_note.setObjectName("spectral_step_note")
        self.step_note.setWordWrap(True)
        layout.addWidget(self.step_note)
        layout.addStretch(1)

    def views(self) -> list[tuple[str, QWidget]]:
        if self._views is None:
            self.embedding = EmbeddingView()
            self.embedding.setObjectName("spectral_embedding")
            self.embedding.color_of = lambda j: self.window.scatter.cluster_hex(j)
            self.embedding.name_of = lambda j: self.window.scatter.cluster_name(j)
            self.embedding.sigPointClicked.connect(self._on_embedding_clicked)
            self.objective = ObjectiveView()
            self.objective.setObjectName("spectral_objective")
            self.objective.set_objective(self.objective_label(), self.algorithm.objective_sense)
            self.objective.sigStepClicked.connect(lambda i: self.window.player.seek(i))
            self._views = [("Embedding", self.embedding), ("Objective", self.objective)]
        return list(self._views)

    def figure(self, view):
        """The plot of each tab, without its controls."""
        if view is getattr(self, "embedding", None):
            return self.embedding.plot
        if view is getattr(self, "objective", None):
            return self.objective.plot
        return view

    def _on_embedding_clicked(self, i: int):
        scatter = self.window.scatter
        if 0 <= i < scatter.n:
            scatter.highlight([i])
            ds = self.window.dataset
            name = ds.point_names[i] if ds is not None and ds.point_names is not None else f"point {i + 1}"
            self.window.status(f"{name} is ringed on the scatter.")

    # ------------------------------------------------------------------ activation
    def activate(self):
        self._active = True
        self.edges.attach(self.window.scatter.plot_item)

    def deactivate(self):
        self._active = False
        self.edges.detach()

    # ------------------------------------------------------------------ drawing
    def show_step(self, step: Step | None):
        if self._views is None:
            self.views()
        player = self.window.player
        self.objective.set_objective(self.objective_label(), self.algorithm.objective_sense)
        self.objective.show_trace(step.trace if step is not None else np.empty(0),
                                  player.index if step is not None else -1)
        if step is None:
            self.edges.clear()
            self.embedding.show_embedding(None)
            if hasattr(self, "step_note"):
                self.step_note.setText("")
            return
        p = step.payload
        Y = np.asarray(self.window.scatter.points())
        n = len(step.labels) if step.labels is not None else Y.shape[0]
        on = not hasattr(self, "show_edges") or self.show_edges.isChecked()
        if on and Y.shape[0] == n:
            self.edges.show(Y, p.get("edges"), p.get("edge_weights"), faint=step.kind != "affinity")
        else:
            self.edges.clear()
        T = p.get("embedding")
        where = step_label(player.index)
        if T is None:
            title = f"{where}: the affinity graph; the embedding comes at the next step."
        elif step.kind == "embed":
            title = f"{where}: the embedding (each point's row of the eigenvectors, scaled to length 1)."
        else:
            title = f"{where}: K-means in the embedding ({step.kind})."
        eig = next((s.payload.get("eigenvalues") for s in player.history[:2] if "eigenvalues" in s.payload), None)
        self.embedding.show_embedding(T, step.labels, p.get("embedding_centers"), eig, title)
        if hasattr(self, "step_note"):
            pieces = p.get("n_components")
            self.step_note.setText(title + ("" if pieces is None else
                                            f" The graph has {pieces} connected piece{'s' if pieces != 1 else ''}."))
