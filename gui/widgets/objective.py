"""The objective (or log-likelihood, or merge height) against the step, linked to the timeline.

One curve point per step of the history; the current step is marked; clicking
near a point asks the player to jump there (:attr:`ObjectiveView.sigStepClicked`).
A line of text under the title states the monotonicity check the algorithm
promises ("never increased" for K-means, "never decreased" for EM), computed
from the trace itself, so a broken promise would be visible at once.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from engine.core.steps import step_label
from gui.widgets.grid import show_grid
from gui.widgets.plot_text import fit_axis_title

__all__ = ["ObjectiveView", "monotonicity"]

MAX_SYMBOLS = 300


def monotonicity(trace: np.ndarray, sense: str | None, rtol: float = 1e-10) -> tuple[bool, int | None]:
    """Check a trace: ``(ok, first_bad_step)``; NaN entries (not defined yet) are ignored.

    ``sense="min"`` promises no increase, ``"max"`` no decrease (within a
    relative tolerance for rounding); ``None`` promises nothing.
    """
    if sense is None:
        return True, None
    t = np.asarray(trace, dtype=float)
    idx = np.flatnonzero(np.isfinite(t))
    if idx.size < 2:
        return True, None
    v = t[idx]
    diff = np.diff(v) if sense == "min" else -np.diff(v)
    tol = rtol * np.maximum(np.abs(v[:-1]), 1.0)
    bad = np.flatnonzero(diff > tol)
    return (bad.size == 0), (int(idx[bad[0] + 1]) if bad.size else None)


class StepAxis(pg.AxisItem):
    """A bottom axis that only ticks whole step numbers."""

    def tickValues(self, minVal, maxVal, size):
        levels = [(max(spacing, 1.0), [v for v in values if float(v).is_integer()])
                  for spacing, values in super().tickValues(minVal, maxVal, size)]
        return [(spacing, values) for spacing, values in levels if values]


class ObjectiveView(QWidget):
    """Trace of ``Step.objective`` over the steps shown so far."""

    sigStepClicked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plot = pg.PlotWidget(background="w", axisItems={"bottom": StepAxis("bottom")})
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setTextPen("#222222")
            axis.setPen("#444444")
            axis.enableAutoSIPrefix(False)
        show_grid(self.plot.getPlotItem(), x=True, y=True, alpha=0.25)
        self.plot.setLabel("bottom", "step", color="#222222")
        self.plot.setLabel("left", "objective", color="#222222")
        self.curve = self.plot.plot([], [], pen=pg.mkPen("#0072B2", width=2), symbol="o", symbolSize=6,
                                    symbolBrush="#0072B2", symbolPen=None)
        self.marker = pg.ScatterPlotItem(size=13, brush=pg.mkBrush("#D55E00"), pen=pg.mkPen("k"))
        self.plot.addItem(self.marker)
        self.check = QLabel()
        self.check.setObjectName("monotonicity")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.plot)
        layout.addWidget(self.check)
        self.plot.scene().sigMouseClicked.connect(self._on_clicked)
        self._x = np.empty(0)
        self._y = np.empty(0)
        self.sense = None

    def set_objective(self, name: str, sense: str | None):
        """The objective's name on the left axis (shortened when longer than the axis: the tooltip has it all)."""
        fit_axis_title(self.plot, "left", name, color="#222222")
        self.sense = sense

    def show_trace(self, trace: np.ndarray, current: int):
        """Draw ``trace`` (one value per step, NaN where undefined) with step ``current`` (0-based) marked.

        The x axis numbers steps from 1, like the timeline; :attr:`sigStepClicked` emits 0-based indices.
        """
        y = np.asarray(trace, dtype=float)
        x = np.arange(1, y.size + 1, dtype=float)  # steps are numbered from 1, as on the timeline
        ok = np.isfinite(y)
        self._x, self._y = x, y
        # Per-point symbols cost a marker each per redraw: only for runs short enough to read them.
        self.curve.setSymbol("o" if ok.sum() <= MAX_SYMBOLS else None)
        self.curve.setData(x[ok], y[ok])
        if 0 <= current < y.size and ok[current]:
            self.marker.setData([x[current]], [y[current]])
        else:
            self.marker.setData([], [])
        good, first_bad = monotonicity(y, self.sense)
        if self.sense is None or ok.sum() < 2:
            self.check.setText("")
        elif good:
            word = "increased" if self.sense == "min" else "decreased"
            self.check.setText(f"✓ never {word} over {int(ok.sum())} steps")
            self.check.setStyleSheet("color: #009E73;")
        else:
            word = "increased" if self.sense == "min" else "decreased"
            self.check.setText(f"✗ {word} at {step_label(first_bad)}")
            self.check.setStyleSheet("color: #D55E00; font-weight: bold;")

    def clear(self):
        self.show_trace(np.empty(0), -1)

    def _on_clicked(self, event):
        if self._x.size == 0:
            return
        pos = self.plot.plotItem.vb.mapSceneToView(event.scenePos())
        i = int(np.clip(round(pos.x()) - 1, 0, self._x.size - 1))
        self.sigStepClicked.emit(i)


def _demo_widget() -> ObjectiveView:
    """An SSE trace that falls with steps, the fifth step marked."""
    view = ObjectiveView()
    view.set_objective("SSE", "min")
    view.show_trace(np.array([np.nan, 40.0, 22.0, 15.5, 12.0, 11.2, 11.0, 11.0]), 4)
    return view


if __name__ == "__main__":
    from gui.widgets.demo import run_demo

    run_demo(_demo_widget, title="Objective")
