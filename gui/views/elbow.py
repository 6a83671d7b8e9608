"""The "elbow": final objective against K, one dot per random restart, the best of each K marked.

The view only draws numbers it is given (a results table from
``engine.kmeans.sweep``); it computes nothing. Restarts of one K are spread a
little sideways around K so that equal objectives stay visible as separate
dots; the best restart of each K is a larger diamond, joined by a line (the
elbow curve). Clicking a dot emits :attr:`ElbowView.sigRunClicked` with the
K index and restart index, so the window can load that run into the timeline.
Values not computed yet (a sweep in progress) are NaN and not drawn.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

__all__ = ["ElbowView", "best_per_k"]

DOT = "#0072B2"
BEST = "#D55E00"
SPREAD = 0.25  # total sideways spread of the restarts of one K, in units of K


def best_per_k(objectives: np.ndarray) -> np.ndarray:
    """Index of the restart with the least objective for each K (-1 where nothing is computed yet).

    Parameters
    ----------
    objectives : ndarray of shape (n_ks, n_restarts), NaN = not computed

    Example
    -------
    >>> best_per_k(np.array([[3.0, 1.0], [np.nan, np.nan]])).tolist()
    [1, -1]
    """
    J = np.asarray(objectives, dtype=float)
    out = np.full(J.shape[0], -1, dtype=int)
    for i, row in enumerate(J):
        ok = np.isfinite(row)
        if ok.any():
            out[i] = int(np.flatnonzero(ok)[np.argmin(row[ok])])
    return out


class ElbowView(QWidget):
    """Final objective against K for every restart.

    Signals
    -------
    sigRunClicked(int, int)
        (index into ``ks``, restart index) of the dot the person clicked.
    """

    sigRunClicked = Signal(int, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.plot = pg.PlotWidget(background="w")
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setLabel("bottom", "K (number of clusters)")
        self.plot.setLabel("left", "final objective")
        self.legend = self.plot.addLegend(offset=(-10, 10))
        self.curve = self.plot.plot([], [], pen=pg.mkPen(BEST, width=1.5, style=pg.QtCore.Qt.PenStyle.DashLine))
        self.dots = pg.ScatterPlotItem(size=8, brush=pg.mkBrush(DOT + "b0"), pen=pg.mkPen("w", width=0.5),
                                       hoverable=True, hoverSize=11, tip=self._tip, name="one restart")
        self.best = pg.ScatterPlotItem(size=15, symbol="d", brush=pg.mkBrush(BEST), pen=pg.mkPen("k", width=1),
                                       name="best restart of K")
        self.selected = pg.ScatterPlotItem(size=22, symbol="o", brush=None, pen=pg.mkPen("k", width=2))
        for item in (self.dots, self.best, self.selected):
            self.plot.addItem(item)
        self.dots.sigClicked.connect(self._on_dots_clicked)
        self.best.sigClicked.connect(self._on_dots_clicked)
        self.caption = QLabel()
        self.caption.setObjectName("elbow_caption")
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.caption)
        self.ks = np.zeros(0, dtype=int)
        self.objectives = np.zeros((0, 0))
        self.seeds = None

    def set_objective(self, name: str):
        self.plot.setLabel("left", f"final {name}")

    def x_of(self, i: int, r: int) -> float:
        """Horizontal position of restart ``r`` of ``ks[i]``."""
        n = self.objectives.shape[1]
        off = 0.0 if n <= 1 else (r / (n - 1) - 0.5) * SPREAD
        return float(self.ks[i]) + off

    def set_results(self, ks, objectives, seeds=None):
        """Draw the sweep.

        Parameters
        ----------
        ks : sequence of int, length n_ks
        objectives : ndarray of shape (n_ks, n_restarts); NaN = not computed yet
        seeds : ndarray of shape (n_ks, n_restarts), optional; shown in the tooltip
        """
        self.ks = np.asarray(ks, dtype=int).reshape(-1)
        J = np.asarray(objectives, dtype=float)
        self.objectives = J.reshape(self.ks.size, -1) if self.ks.size else np.zeros((0, 0))
        self.seeds = None if seeds is None else np.asarray(seeds).reshape(self.objectives.shape)
        spots, bx, by, bdata = [], [], [], []
        best = best_per_k(self.objectives)
        for i in range(self.ks.size):
            for r in range(self.objectives.shape[1]):
                v = self.objectives[i, r]
                if np.isfinite(v):
                    spots.append({"pos": (self.x_of(i, r), v), "data": (i, r)})
            if best[i] >= 0:
                bx.append(self.x_of(i, best[i]))
                by.append(self.objectives[i, best[i]])
                bdata.append((i, int(best[i])))
        self.dots.setData(spots)
        self.best.setData(x=bx, y=by, data=bdata)
        self.curve.setData([float(self.ks[i]) for i in range(self.ks.size) if best[i] >= 0], by)
        n_done = int(np.isfinite(self.objectives).sum())
        if n_done:
            self.caption.setText(f"{n_done} runs: {self.ks.size} values of K × {self.objectives.shape[1]} "
                                 "random restarts; ◆ = the best restart of each K (the one kept). "
                                 "Click a dot to load that run into the timeline.")
        else:
            self.caption.setText("No sweep yet: choose the K values and restarts, then press Run sweep.")

    def set_selected(self, i: int | None, r: int | None = None):
        """Ring the run that is loaded in the timeline (None: no ring)."""
        if i is None or not (0 <= i < self.ks.size) or not np.isfinite(self.objectives[i, r]):
            self.selected.setData([], [])
        else:
            self.selected.setData([self.x_of(i, r)], [self.objectives[i, r]])

    def clear(self):
        self.set_results([], np.zeros((0, 0)))
        self.set_selected(None)

    def _tip(self, x, y, data):
        i, r = data
        seed = "" if self.seeds is None else f", seed {int(self.seeds[i, r])}"
        return f"K = {int(self.ks[i])}, restart {r + 1}{seed}\nobjective {y:.6g}"

    def _on_dots_clicked(self, item, points, ev=None):
        if len(points):
            i, r = points[0].data()
            self.sigRunClicked.emit(int(i), int(r))
