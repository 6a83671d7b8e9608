"""The "Model selection" tab of the mixture plugins: BIC and AIC against K, beside the log-likelihood.

The view draws an :class:`engine.mixture.selection.Selection` and computes nothing. Two plots share the
K axis: above, BIC (blue, circles) and AIC (green, squares, dashed) of the best restart of each K, the
minimum of each marked by a large star in its colour and named in the title (the legend, which so never
covers a curve); below, the final
log-likelihood of every restart (small dots, as in the K-means elbow) with the best restart of each K an
orange diamond joined by a line. The K loaded on the timeline is a dotted vertical line in both. A click
in either plot near a K emits :attr:`ModelSelectionView.sigKClicked` with that K's index; the controls
(K from .. to, restarts per K, seed) emit :attr:`ModelSelectionView.sigCompute` and :attr:`sigCancel`.
"""
from __future__ import annotations

import re

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from gui.algorithms.kmeans.elbow import BEST, DOT
from gui.widgets.grid import show_grid
from gui.widgets.plot_text import fit_title

__all__ = ["ModelSelectionView", "BIC_COLOR", "AIC_COLOR"]

BIC_COLOR = "#0072B2"
AIC_COLOR = "#009E73"
EMPTY = ("BIC and AIC against the number of components K: choose the range of K and the restarts per K, "
         "then press Compute. Each K is fitted from several seeds; the best restart of each K counts.")


def _spin(name: str, low: int, high: int, value: int, tip: str) -> QSpinBox:
    s = QSpinBox()
    s.setObjectName(name)
    s.setRange(low, high)
    s.setValue(value)
    s.setToolTip(tip)
    return s


class ModelSelectionView(QWidget):
    """BIC / AIC and the log-likelihood against K (see the module docstring).

    Signals
    -------
    sigCompute(int, int, int, int)
        K from, K to, restarts per K, seed.
    sigCancel()
    sigKClicked(int)
        Index into the shown ``ks`` of the K the person clicked.
    """

    sigCompute = Signal(int, int, int, int)
    sigCancel = Signal()
    sigKClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.k_from = _spin("selection_from", 1, 100, 1, "The smallest number of components K")
        self.k_to = _spin("selection_to", 1, 100, 6, "The largest number of components K")
        self.restarts = _spin("selection_restarts", 1, 50, 3, "Runs per K from the seeds seed, seed + 1, …; "
                                                              "the best of them counts")
        self.seed = _spin("selection_seed", 0, 9_999_999, 0, "Seed of the first restart of every K")
        self.compute_button = QPushButton("Compute")
        self.compute_button.setObjectName("selection_compute")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("selection_cancel")
        self.cancel_button.setEnabled(False)
        controls = QGridLayout()  # two short rows: the tab stays narrow beside the scatter
        for i, (text, w) in enumerate((("K from", self.k_from), ("to", self.k_to), ("restarts", self.restarts),
                                       ("seed", self.seed))):
            controls.addWidget(QLabel(text), i // 2, 2 * (i % 2), Qt.AlignmentFlag.AlignRight)
            controls.addWidget(w, i // 2, 2 * (i % 2) + 1)
        controls.addWidget(self.compute_button, 0, 4)
        controls.addWidget(self.cancel_button, 1, 4)
        controls.setColumnStretch(5, 1)
        self.message = QLabel(EMPTY)
        self.message.setObjectName("selection_message")
        self.message.setWordWrap(True)
        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setBackground("w")
        self.plots.setObjectName("selection_plots")
        self.criteria = self.plots.addPlot(row=0, col=0)
        self.loglik = self.plots.addPlot(row=1, col=0)
        self._build_plots()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(controls)
        layout.addWidget(self.message)
        layout.addWidget(self.plots, 1)
        self.compute_button.clicked.connect(self._on_compute)
        self.cancel_button.clicked.connect(self.sigCancel)
        self.plots.scene().sigMouseClicked.connect(self._on_clicked)
        self.ks = np.zeros(0, dtype=int)
        self.selection = None

    def _build_plots(self):
        c, ll = self.criteria, self.loglik
        for p in (c, ll):
            show_grid(p, x=True, y=True, alpha=0.25)
            p.setMenuEnabled(False)
            p.vb.setMouseEnabled(False, False)
        c.setLabel("left", "BIC / AIC (lower is better)")
        self.set_objective("log-likelihood")  # the titles wrap in a narrow plot: never cut, never widening it
        ll.setLabel("left", "log-likelihood")
        ll.setLabel("bottom", "K (number of components)")
        ll.setXLink(c)
        self._rename_legend(None, None)  # the legend is the title: it never covers a curve
        self.bic = c.plot([], [], pen=pg.mkPen(BIC_COLOR, width=2), symbol="o", symbolSize=8,
                          symbolBrush=BIC_COLOR, symbolPen="w", name="BIC")
        self.aic = c.plot([], [], pen=pg.mkPen(AIC_COLOR, width=2, style=Qt.PenStyle.DashLine), symbol="s",
                          symbolSize=8, symbolBrush=AIC_COLOR, symbolPen="w", name="AIC")
        self.bic_min = pg.ScatterPlotItem(size=22, symbol="star", brush=pg.mkBrush(BIC_COLOR), pen=pg.mkPen("k"))
        self.aic_min = pg.ScatterPlotItem(size=22, symbol="star", brush=pg.mkBrush(AIC_COLOR), pen=pg.mkPen("k"))
        c.addItem(self.bic_min)
        c.addItem(self.aic_min)
        self.dots = pg.ScatterPlotItem(size=7, brush=pg.mkBrush(DOT + "a0"), pen=pg.mkPen("w", width=0.5))
        self.best_line = ll.plot([], [], pen=pg.mkPen(BEST, width=1.5, style=Qt.PenStyle.DashLine))
        self.best = pg.ScatterPlotItem(size=13, symbol="d", brush=pg.mkBrush(BEST), pen=pg.mkPen("k", width=1))
        ll.addItem(self.dots)
        ll.addItem(self.best)
        self.marks = [pg.InfiniteLine(angle=90, pen=pg.mkPen("#222222", width=1.5, style=Qt.PenStyle.DotLine))
                      for _ in range(2)]
        for p, line in zip((c, ll), self.marks):
            p.addItem(line)
            line.hide()

    def set_objective(self, name: str):
        """What the lower plot shows: the mixture's objective (the log posterior for a Bernoulli prior)."""
        fit_title(self.loglik, f"Final {name.split(' (')[0]} of every restart (◆ best of each K)", size="9pt",
                  color="#333333")
        self.loglik.setLabel("left", name.split(" (")[0])

    # ------------------------------------------------------------------ controls
    def set_busy(self, busy: bool):
        self.compute_button.setEnabled(not busy)
        self.cancel_button.setEnabled(bool(busy))

    def set_range(self, k_from: int, k_to: int, restarts: int | None = None, seed: int | None = None):
        self.k_from.setValue(int(k_from))
        self.k_to.setValue(int(k_to))
        if restarts is not None:
            self.restarts.setValue(int(restarts))
        if seed is not None:
            self.seed.setValue(int(seed))

    def _on_compute(self):
        lo, hi = self.k_from.value(), self.k_to.value()
        if hi < lo:
            lo, hi = hi, lo
            self.set_range(lo, hi)
        self.sigCompute.emit(lo, hi, self.restarts.value(), self.seed.value())

    # ------------------------------------------------------------------ drawing
    def clear(self, text: str = EMPTY):
        self.selection = None
        self.ks = np.zeros(0, dtype=int)
        for item in (self.bic, self.aic, self.best_line):
            item.setData([], [])
        for item in (self.bic_min, self.aic_min, self.dots, self.best):
            item.setData([], [])
        for line in self.marks:
            line.hide()
        self._rename_legend(None, None)
        self.message.setText(text)

    def set_results(self, sel, text: str | None = None):
        """Draw ``sel`` (an :class:`engine.mixture.selection.Selection`, partial while it is computed)."""
        self.selection = sel
        self.ks = np.asarray(sel.ks, dtype=int)
        x = self.ks.astype(float)
        for curve, values in ((self.bic, sel.bic), (self.aic, sel.aic)):
            ok = np.isfinite(values)
            curve.setData(x[ok], np.asarray(values)[ok])
        mins = {}
        for item, name in ((self.bic_min, "bic"), (self.aic_min, "aic")):
            i = sel.best_index(name)
            mins[name] = i
            item.setData([x[i]] if i >= 0 else [], [getattr(sel, name)[i]] if i >= 0 else [])
        self._rename_legend(*(int(self.ks[mins[c]]) if mins[c] >= 0 else None for c in ("bic", "aic")))
        J = np.asarray(sel.objectives, dtype=float)
        spots = [{"pos": (x[i], J[i, r])} for i in range(J.shape[0]) for r in range(J.shape[1])
                 if np.isfinite(J[i, r])]
        self.dots.setData(spots)
        b = np.asarray(sel.best_restart)
        has = [i for i in range(len(x)) if b[i] >= 0 and np.isfinite(J[i, b[i]])]
        self.best.setData([x[i] for i in has], [J[i, b[i]] for i in has])
        self.best_line.setData([x[i] for i in has], [J[i, b[i]] for i in has])
        self._fit_range()
        if text is not None:
            self.message.setText(text)

    def _rename_legend(self, k_bic, k_aic):
        """The upper plot's title: each criterion in its colour and symbol, with the K where it is least."""
        parts = []
        for color, mark, name, k in ((BIC_COLOR, "●", "BIC", k_bic), (AIC_COLOR, "■", "AIC", k_aic)):
            least = f", least at K = {k} ★" if k is not None else ""
            parts.append(f"<span style='color:{color}'>{mark} {name}</span>{least}")
        fit_title(self.criteria, tuple(parts), size="9pt", color="#333333")  # a line each when narrow

    def criteria_title(self) -> str:
        """The upper plot's title as plain text ("● BIC, least at K = 3 ★ ...")."""
        text = re.sub(r"<[^>]+>", "", self.criteria.titleLabel.text.replace("<br>", " "))
        return " ".join(text.replace("&nbsp;", " ").split())  # on one line or a part a line: one space between

    def _fit_range(self):
        if self.ks.size == 0:
            return
        self.criteria.vb.setXRange(float(self.ks.min()) - 0.5, float(self.ks.max()) + 0.5, padding=0)
        ticks = [[(float(k), str(int(k))) for k in self.ks]]
        for p in (self.criteria, self.loglik):
            p.getAxis("bottom").setTicks(ticks)
        sel = self.selection
        for p, values in ((self.criteria, np.concatenate([sel.bic, sel.aic])),
                          (self.loglik, np.asarray(sel.objectives, dtype=float).ravel())):
            v = values[np.isfinite(values)]
            if v.size:
                lo, hi = float(v.min()), float(v.max())
                pad = max(0.08 * (hi - lo), 5e-4 * max(abs(lo), abs(hi)), 1e-9)
                p.vb.setYRange(lo - pad, hi + pad, padding=0)

    def set_selected(self, i: int | None):
        """Mark ``ks[i]`` as the K loaded on the timeline (None: no mark)."""
        ok = i is not None and 0 <= i < self.ks.size
        for line in self.marks:
            line.setVisible(ok)
            if ok:
                line.setValue(float(self.ks[i]))

    def _on_clicked(self, ev):
        """The K nearest the click (within 0.45 on the K axis) in either plot."""
        if ev.button() != Qt.MouseButton.LeftButton or self.ks.size == 0:
            return
        for p in (self.criteria, self.loglik):
            if p.vb.sceneBoundingRect().contains(ev.scenePos()):
                x = p.vb.mapSceneToView(ev.scenePos()).x()
                i = int(np.argmin(np.abs(self.ks - x)))
                if abs(self.ks[i] - x) <= 0.45:
                    ev.accept()
                    self.sigKClicked.emit(i)
                return

    def point_of(self, i: int, which: str = "bic"):
        """Where the BIC dot of ``ks[i]`` (or, ``which="loglik"``, its best restart) is, in the plots
        widget's coordinates (for tests that click it)."""
        sel = self.selection
        if which == "bic":
            p, y = self.criteria, float(sel.bic[i])
        else:
            p, y = self.loglik, float(sel.objectives[i, sel.best_restart[i]])
        scene = p.vb.mapViewToScene(pg.Point(float(self.ks[i]), y))
        return self.plots.mapFromScene(scene)


def _demo_widget() -> ModelSelectionView:
    """BIC and AIC of Gaussian mixtures with K = 1..6 (two restarts each) on blobs of three groups."""
    from engine import data, gmm
    from engine.gmm.fitting import fit_result
    from engine.mixture.selection import select_k
    X = data.generate("blobs", n=150, seed=0).X
    sel = select_k(gmm.steps, X, range(1, 7), 2, seed=0, result_of=lambda s, k: fit_result(iter(s), X, "full"))
    view = ModelSelectionView()
    view.set_results(sel, "demo: Gaussian mixtures on blobs of three groups")
    view.set_selected(2)
    return view


if __name__ == "__main__":
    from gui.widgets.demo import run_demo
    run_demo(_demo_widget, title="Model selection")
