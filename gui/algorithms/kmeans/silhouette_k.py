"""The mean silhouette against K, under the elbow of the K-means sweep (the same K axis).

One dot per K: the mean silhouette of that K's best run (the one the elbow marks with a diamond), in
the run's own metric (l2 for K-means, l1 for K-medians, the medoids' metric), joined by a line; the K
with the highest mean silhouette gets a star (its tooltip says so). The title says how the means were taken (every point,
or a fixed random sample of points on large data). The view draws numbers it is given
(``engine.kmeans.sweep`` computes them off the GUI thread with the runs) and computes nothing.
Clicking near a K's dot emits :attr:`SilhouetteKView.sigKClicked` with that K's index; the elbow
turns it into "load the best run of this K". NaN (K = 1, or not computed yet) is not drawn.

:class:`ElbowFigure` holds both plots in one pyqtgraph layout, the elbow above, this one below with
the same K range: one figure, exported as plots (PNG and vector SVG) by ``render`` and File ▸ Export.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtWidgets import QSizePolicy

from gui.widgets.grid import show_grid
from gui.widgets.plot_text import fit_axis_title, fit_title, tick_room
from gui.widgets.text_room import scaled

__all__ = ["ElbowFigure", "SilhouetteKView", "SILHOUETTE_COLOR", "AXIS_WIDTH"]

SILHOUETTE_COLOR = "#009E73"
#: Width of the left axis of the elbow and of this plot (at the normal font; :func:`gui.widgets.text_room.scaled`):
#: their K axes line up.
AXIS_WIDTH = 70
CLICK_PIXELS = 14.0
#: The least heights (pixels at the normal font, scaled with it) of the elbow plot and of this plot, axes, legend
#: and title included: their tick labels stay apart and their titles whole (a tab too low for them scrolls, see
#: ``RestartsView``).
MIN_HEIGHTS = (130, 146)


def _narrow(label: pg.LabelItem) -> None:
    """Let ``label`` be narrower than its text (a long title is cut in a narrow tab, never widens the figure):
    pyqtgraph sets a label's minimum width to its text's whenever it is resized."""
    update = label.updateMin

    def update_min():
        update()
        label.setMinimumWidth(0)
        label._sizeHint[Qt.SizeHint.MinimumSize] = (0, label._sizeHint[Qt.SizeHint.MinimumSize][1])
    label.updateMin = update_min
    update_min()


class ElbowFigure(pg.GraphicsLayoutWidget):
    """The elbow plot (:attr:`elbow_item`, above) and the silhouette plot (:attr:`silhouette_item`, below) in
    one layout; :meth:`getPlotItem` is the elbow's, as for a ``PlotWidget``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground("w")
        self.setObjectName("elbow_figure")
        self.elbow_item = self.addPlot(row=0, col=0)
        self.silhouette_item = self.addPlot(row=1, col=0)
        self.ci.layout.setRowStretchFactor(0, 3)
        self.ci.layout.setRowStretchFactor(1, 2)
        for item in (self.elbow_item, self.silhouette_item):
            tick_room(item)  # the topmost tick label shows whole
        self._fit_room()
        self.elbow_item.vb.sigXRangeChanged.connect(self._follow_x)

    def getPlotItem(self) -> pg.PlotItem:
        return self.elbow_item

    def _fit_room(self):
        """Axis widths and least heights for the text as large as it is now (lecture mode: larger); the widget
        asks for the room its plots need (a scene's layout does not tell the widget's layout): 300 px at the
        normal font, as small as `render --size 400x300` asks."""
        for item, least in zip((self.elbow_item, self.silhouette_item), MIN_HEIGHTS):
            item.getAxis("left").setWidth(scaled(AXIS_WIDTH))  # the two K axes line up
            item.setMinimumHeight(scaled(least))
        _left, top, _right, bottom = self.ci.layout.getContentsMargins()
        self.setMinimumHeight(int(sum(scaled(h) for h in MIN_HEIGHTS) + top + bottom
                                  + self.ci.layout.verticalSpacing()))
        self.updateGeometry()

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and hasattr(self, "silhouette_item"):
            self._fit_room()

    def sizeHint(self) -> QSize:
        """Its least height: in the scroll area of "Restarts & K" the plots share the height by stretch factors."""
        return QSize(super().sizeHint().width(), self.minimumHeight())

    def _follow_x(self, _vb, x_range):
        """The silhouette plot shows the elbow's K range."""
        self.silhouette_item.vb.setXRange(*x_range, padding=0)


class SilhouetteKView(QObject):
    """Mean silhouette of the best run of each K (see the module docstring).

    Attributes
    ----------
    item : pyqtgraph.PlotItem
        The plot, in an :class:`ElbowFigure` (:attr:`plot`, the widget it is drawn in).
    ks : ndarray of int
    values : ndarray of float (NaN = none)

    Signals
    -------
    sigKClicked(int)
        Index into ``ks`` of the K whose dot the person clicked.
    """

    sigKClicked = Signal(int)

    def __init__(self, figure: ElbowFigure, parent=None):
        super().__init__(parent)
        self.plot = figure
        self.item = pi = figure.silhouette_item
        show_grid(pi, x=True, y=True, alpha=0.25)
        pi.setMenuEnabled(False)
        pi.vb.setMouseEnabled(False, False)  # its K range follows the elbow's
        pi.getAxis("left").enableAutoSIPrefix(False)  # silhouettes are in [-1, 1]: no "(x0.001)"
        fit_axis_title(pi, "left", "mean silhouette", "")  # none in a low plot: the title says what it is
        fit_axis_title(pi, "bottom", "K (number of clusters)")
        pi.titleLabel.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        _narrow(pi.titleLabel)
        self.curve = pi.plot([], [], pen=pg.mkPen(SILHOUETTE_COLOR, width=2))
        self.dots = pg.ScatterPlotItem(size=10, symbol="o", brush=pg.mkBrush(SILHOUETTE_COLOR),
                                       pen=pg.mkPen("w", width=1), hoverable=True, hoverSize=13, tip=self._tip)
        self.top = pg.ScatterPlotItem(size=20, symbol="star", brush=pg.mkBrush(SILHOUETTE_COLOR),
                                      pen=pg.mkPen("k", width=1))
        self.selected = pg.ScatterPlotItem(size=22, symbol="o", brush=None, pen=pg.mkPen("k", width=2))
        for item in (self.top, self.dots, self.selected):
            pi.addItem(item)
        figure.scene().sigMouseClicked.connect(self._on_clicked)
        self.ks = np.zeros(0, dtype=int)
        self.values = np.zeros(0)
        self.note = ""
        self.set_values([], [])

    def set_values(self, ks, values, note: str = ""):
        """Draw the mean silhouette ``values[i]`` of ``ks[i]`` (NaN: none); ``note`` says how they were taken."""
        self.ks = np.asarray(ks, dtype=int).reshape(-1)
        self.values = np.asarray(values, dtype=float).reshape(-1) if self.ks.size else np.zeros(0)
        if self.values.size != self.ks.size:
            self.values = np.full(self.ks.size, np.nan)
        self.note = note
        ok = np.isfinite(self.values)
        x, y = self.ks[ok].astype(float), self.values[ok]
        self.curve.setData(x, y)
        self.dots.setData(x=x, y=y, data=np.flatnonzero(ok))
        if ok.any():
            j = int(np.flatnonzero(ok)[np.argmax(self.values[ok])])
            self.top.setData([float(self.ks[j])], [self.values[j]])
            title = f"Mean silhouette of each K's best run ({note}); ★ highest" if note else \
                "Mean silhouette of each K's best run; ★ highest"
            lo, hi = float(y.min()), float(y.max())
            pad = max(0.1 * (hi - lo), 0.02)
            self.item.vb.setYRange(max(lo - pad, -1.0), min(hi + pad, 1.0), padding=0)
        else:
            self.top.setData([], [])
            title = "Mean silhouette of each K's best run (none yet)"
        fit_title(self.item, title, size="9pt", color="#333333")  # wrapped onto two lines in a narrow tab

    def set_selected(self, i: int | None):
        """Ring the dot of ``ks[i]`` (the loaded run is that K's best run); None: no ring."""
        if i is None or not (0 <= i < self.ks.size) or not np.isfinite(self.values[i]):
            self.selected.setData([], [])
        else:
            self.selected.setData([float(self.ks[i])], [self.values[i]])

    def clear(self):
        self.set_values([], [])
        self.set_selected(None)

    def _tip(self, x, y, data):
        ok = np.isfinite(self.values)
        top = " (the highest)" if ok.any() and y == np.max(self.values[ok]) else ""
        return f"K = {int(round(x))}: mean silhouette {y:.4f}{top}\n(best run of this K; click to load it)"

    def _on_clicked(self, ev):
        """The K whose dot is nearest the click, measured on screen (within :data:`CLICK_PIXELS`)."""
        if ev.button() != Qt.MouseButton.LeftButton or self.ks.size == 0:
            return
        vb = self.item.vb
        if not vb.sceneBoundingRect().contains(ev.scenePos()):
            return
        click = ev.scenePos()
        best, best_d2 = None, CLICK_PIXELS ** 2
        for i in np.flatnonzero(np.isfinite(self.values)):
            p = vb.mapViewToScene(pg.Point(float(self.ks[i]), self.values[i]))
            d2 = (p.x() - click.x()) ** 2 + (p.y() - click.y()) ** 2
            if d2 < best_d2:
                best, best_d2 = int(i), d2
        if best is not None:
            ev.accept()
            self.sigKClicked.emit(best)
