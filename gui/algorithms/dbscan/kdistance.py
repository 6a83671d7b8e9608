"""The k-distance plot: each point's distance to its ``min_samples``-th neighbour (itself first), sorted.

A horizontal line marks the current ε: the points under it are core points. Clicking in the plot (or
dragging the line) chooses ε at that height (:attr:`KDistanceView.sigEpsChosen`); the usual choice is
the bend where the curve turns upwards. With many points the curve is that of a random sample (the
note under the plot says so). The view only shows what it is given; the DBSCAN plugin computes the curve
off the GUI thread and says "Computing…" meanwhile (:meth:`KDistanceView.set_computing`).

Its texts fit the plot at any width (#12): the title wraps onto two lines, the axis titles shorten, and the
legend stands above the plot, never over the curve or the ε line, with as many entries per row as fit.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from engine.dbscan.kdist import KDistances
from gui.widgets.grid import show_grid
from gui.widgets.plot_text import LegendRow, fit_axis_title, fit_title

__all__ = ["KDistanceView"]

LINE = "#D55E00"
CORE = "#009E73"
SORTED = "points, sorted by k-distance"


class KDistanceView(QWidget):
    """The sorted k-distances, the ε line, and a click that chooses ε (see the module docstring)."""

    sigEpsChosen = Signal(float)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setObjectName("dbscan_kdistance_plot")
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setTextPen("#222222")
            axis.setPen("#444444")
            axis.enableAutoSIPrefix(False)
        show_grid(self.plot.getPlotItem(), x=True, y=True, alpha=0.25)
        fit_axis_title(self.plot, "bottom", SORTED, color="#222222")
        fit_axis_title(self.plot, "left", "k-distance", color="#222222")
        self.plot.setMenuEnabled(False)
        self.curve = self.plot.plot([], [], pen=pg.mkPen("#0072B2", width=2))
        self.core_part = self.plot.plot([], [], pen=pg.mkPen(CORE, width=5))
        self.core_part.setZValue(-1)
        self.legend = legend = LegendRow(labelTextColor="#222222")  # above the plot, never over the curve
        legend.place(self.plot.getPlotItem())
        legend.addItem(self.curve, "k-distance of each point")
        legend.addItem(self.core_part, "core points: k-distance ≤ ε")
        self.line = pg.InfiniteLine(angle=0, movable=True, pen=pg.mkPen(LINE, width=2),
                                    hoverPen=pg.mkPen(LINE, width=4),
                                    label="ε = {value:.4g}", labelOpts={"position": 0.04, "color": LINE,
                                                                        "fill": (255, 255, 255, 200),
                                                                        "anchors": [(0, 0), (0, 1)]})
        # (its left end near the plot's left edge, never cut by it in a narrow plot; above the line or under it)
        self.plot.addItem(self.line, ignoreBounds=True)
        self.line.sigPositionChangeFinished.connect(lambda line: self._choose(float(line.value())))
        self.note = QLabel()
        self.note.setObjectName("dbscan_kdistance_note")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.plot)
        layout.addWidget(self.note)
        self.plot.scene().sigMouseClicked.connect(self._on_clicked)
        self.kd: KDistances | None = None
        self.eps = float("nan")
        self.metric_label = ""

    # ------------------------------------------------------------------ showing
    def set_data(self, kd: KDistances | None, eps: float, metric_label: str = ""):
        """Show the k-distances ``kd`` (None: nothing) with the line at ``eps``."""
        self.kd, self.metric_label = kd, metric_label
        if kd is None or kd.values.size == 0 or not np.isfinite(kd.values).any():
            self.curve.setData([], [])
            self.core_part.setData([], [])
            k = f" {kd.k}" if kd is not None else ""
            fit_title(self.plot, "")
            self.note.setText(f"No k-distances: fewer points than min_samples ={k}." if kd is not None
                              else "No data yet.")
            self.set_eps(eps)
            return
        v = kd.values
        x = np.arange(1, v.size + 1, dtype=float)
        self.curve.setData(x, v)
        fit_title(self.plot, f"distance to the {_ordinal(kd.k)} nearest point (itself first), {metric_label}",
                  color="#222222", size="10pt")
        fit_axis_title(self.plot, "bottom", SORTED + (" (a random sample)" if kd.sampled else ""), color="#222222")
        self.plot.enableAutoRange()
        self.set_eps(eps)

    def set_computing(self, eps: float):
        """No curve while the k-distances are computed; the line at ``eps``; the note says so."""
        self.set_data(None, eps)
        self.note.setText("Computing the k-distances…")

    def set_failed(self, message: str):
        """The k-distances could not be computed: no curve, and why."""
        self.set_data(None, self.eps)
        self.note.setText(f"The k-distances could not be computed: {message}")

    def set_eps(self, eps: float):
        """Move the ε line (no signal) and say how many points it makes core."""
        self.eps = float(eps)
        self.line.setValue(self.eps if np.isfinite(self.eps) else 0.0)  # emits no sigPositionChangeFinished
        kd = self.kd
        if kd is None or kd.values.size == 0 or not np.isfinite(kd.values).any():
            self.core_part.setData([], [])
            return
        m = kd.core_count(self.eps)
        x = np.arange(1, m + 1, dtype=float)
        self.core_part.setData(x, kd.values[:m])
        where = (f"{m} of the {kd.values.size} sampled points ({100.0 * m / kd.values.size:.0f} %)" if kd.sampled
                 else f"{m} of {kd.n} points")
        self.note.setText(f"ε = {self.eps:.4g}: {where} have their {_ordinal(kd.k)} neighbour within ε and are core "
                          "points. Click in the plot (or drag the line) to choose ε; the bend of the curve is the "
                          "usual choice.")

    # ------------------------------------------------------------------ choosing
    def _choose(self, eps: float):
        if np.isfinite(eps) and eps > 0:
            self.set_eps(eps)
            self.sigEpsChosen.emit(float(eps))

    def _on_clicked(self, event):
        if event.button() != Qt.MouseButton.LeftButton or self.kd is None:
            return
        vb = self.plot.plotItem.vb
        if not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        self._choose(float(vb.mapSceneToView(event.scenePos()).y()))


def _ordinal(k: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``, ``11th``, ``22nd``.

    >>> [_ordinal(k) for k in (1, 2, 3, 4, 11, 12, 13, 22)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '22nd']
    """
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def _demo_widget() -> KDistanceView:
    """The k-distances of two noisy moons with min_samples = 5, ε at 0.15."""
    from engine import data as edata
    from engine.dbscan import k_distances

    view = KDistanceView()
    view.set_data(k_distances(edata.generate("moons", n=300, seed=0).X, 5, "l2"), 0.15, "ℓ2")
    return view


if __name__ == "__main__":
    from gui.widgets.demo import run_demo

    run_demo(_demo_widget, title="k-distance")
