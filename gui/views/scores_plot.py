"""The silhouette plot of the Scores view: one horizontal bar per point, grouped by cluster.

Clusters go from the top down in the order of their ids, each a block of bars sorted from the largest
silhouette to the smallest, drawn in the cluster's colour and named on the left axis as the scatter
names it; a grey gap separates blocks. The mean silhouette is a dashed vertical line labelled with its
value. Clicking a bar emits :attr:`SilhouettePlot.sigBarClicked` with the point's index;
:meth:`SilhouettePlot.set_highlight` marks the bars of some points (black bar, a marker at its end).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics

__all__ = ["SilhouettePlot", "MARK_LIMIT", "NAMES_MAX"]

#: At most this many highlighted bars get a marker at their end (all are drawn black).
MARK_LIMIT = 300
#: Points' names are written beside the bars when there are at most this many bars.
NAMES_MAX = 40
#: Where the mean's label starts along its line: this share of the plot's height from the top.
LABEL_AT = 0.04


class SilhouettePlot(pg.PlotWidget):
    """Silhouette bars of the points (see the module docstring).

    Signals
    -------
    sigBarClicked(int)
        The bar of this point (index into the data) was clicked.
    """

    sigBarClicked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent, background="w")
        self.setObjectName("silhouette_plot")
        pi = self.getPlotItem()
        pi.hideButtons()
        pi.setMenuEnabled(False)
        pi.setLabel("bottom", "silhouette s(i)", color="#222222")
        for side in ("left", "bottom"):
            ax = pi.getAxis(side)
            ax.setPen(pg.mkPen("#333333"))
            ax.setTextPen(pg.mkPen("#333333"))
            ax.enableAutoSIPrefix(False)
        self.vb = pi.getViewBox()
        self.vb.invertY(True)  # the first cluster on top
        self.vb.setMouseEnabled(x=False, y=True)
        self._zero = pg.InfiniteLine(pos=0.0, angle=90, pen=pg.mkPen("#777777", width=1))
        self._mean = pg.InfiniteLine(pos=0.0, angle=90, pen=pg.mkPen("#111111", width=1.5, style=Qt.PenStyle.DashLine),
                                     label="", labelOpts={"position": LABEL_AT, "color": "#111111",
                                                          "fill": pg.mkBrush(255, 255, 255, 220), "anchors": [(0, 0), (0, 0)]})
        font = QFont()
        font.setPointSizeF(9.5)
        self._mean.label.setFont(font)
        self._marks = pg.BarGraphItem(x0=[], y=[], width=[], height=[], brush=pg.mkBrush("#111111"), pen=pg.mkPen(None))
        self._ends = pg.ScatterPlotItem(symbol="t2", size=11, brush=pg.mkBrush("#111111"), pen=pg.mkPen("w", width=1))
        self._message = pg.TextItem("", color="#444444", anchor=(0.5, 0.5))
        for item, z in ((self._zero, 1), (self._mean, 5), (self._marks, 3), (self._ends, 4), (self._message, 6)):
            item.setZValue(z)
            self.addItem(item, ignoreBounds=item is not self._marks)
        self._bars: list[pg.BarGraphItem] = []
        self.points = np.empty(0, dtype=np.int64)  # point index of each bar, top to bottom
        self.values = np.empty(0)  # its silhouette
        self.ypos = np.empty(0)  # its position
        self.blocks: list[tuple[int, float, float]] = []  # (cluster id, first y, last y)
        self.mean: float | None = None
        self._ticks: list[tuple[float, str]] = []  # (y, cluster name) of every block
        self._names: list[pg.TextItem] = []  # point names beside the bars
        self.scene().sigMouseClicked.connect(self._on_click)
        self._span: tuple[float, float] | None = None  # (top of the first bar's gap, bottom) while bars are shown
        self.vb.sigResized.connect(self._fit_y)
        self.vb.sigResized.connect(self._update_ticks)
        self.vb.sigYRangeChanged.connect(self._update_ticks)
        self.clear_bars("")

    # ------------------------------------------------------------------ drawing
    def clear_bars(self, message: str = ""):
        """No bars; ``message`` in the middle (why there are none)."""
        for item in self._bars:
            self.removeItem(item)
        self._bars = []
        self.points, self.values, self.ypos, self.blocks = np.empty(0, np.int64), np.empty(0), np.empty(0), []
        self.mean = None
        self._span = None
        self._write_names(None)
        self._mean.setVisible(False)
        self.set_highlight(None)
        self._ticks = []
        self._update_ticks()
        self.vb.setRange(xRange=(-1.0, 1.0), yRange=(0.0, 1.0), padding=0.02)
        self._message.setText(message)
        self._message.setPos(0.0, 0.5)
        self._message.setVisible(bool(message))

    def show_silhouettes(self, s, labels, colour, name, mean: float, point_names=None):
        """Bars of every point with a silhouette (``s`` not nan), by cluster of ``labels``.

        ``colour(i)`` / ``name(i)``: the hex colour and the name of cluster ``i`` (as the scatter has them);
        ``point_names``: one name per point, written at the end of each bar when there are at most
        :data:`NAMES_MAX` bars.
        """
        s, labels = np.asarray(s, dtype=float), np.asarray(labels)
        have = np.flatnonzero(~np.isnan(s))
        if have.size == 0:
            self.clear_bars("no silhouettes")
            return
        for item in self._bars:
            self.removeItem(item)
        self._bars = []
        self._message.setVisible(False)
        gap = max(1.0, 0.04 * have.size)
        height = 1.0 if have.size > 60 else 0.8
        points, ypos, ticks, self.blocks = [], [], [], []
        top = 0.0
        for c in np.unique(labels[have]).tolist():
            members = have[labels[have] == c]
            members = members[np.argsort(-s[members], kind="stable")]
            y = top + np.arange(members.size, dtype=float)
            bar = pg.BarGraphItem(x0=np.minimum(s[members], 0.0), y=y, width=np.abs(s[members]), height=height,
                                  brush=pg.mkBrush(colour(c)), pen=pg.mkPen(None))
            bar.setZValue(2)
            self.addItem(bar)
            self._bars.append(bar)
            points.append(members)
            ypos.append(y)
            ticks.append((float(y[0] + y[-1]) / 2.0, name(c)))
            self.blocks.append((c, float(y[0]), float(y[-1])))
            top = float(y[-1]) + 1.0 + gap
        self.points, self.ypos = np.concatenate(points), np.concatenate(ypos)
        self.values = s[self.points]
        self._write_names(point_names)
        self._ticks = ticks
        self.mean = float(mean)
        self._mean.setVisible(True)  # first: a hidden line's label does not take new text
        self._mean.setValue(self.mean)
        self._mean.label.setFormat(f"mean {self.mean:.3f}")
        lo = min(-0.1, float(self.values.min()) - 0.05)
        self._span = (-0.5 - 0.5 * gap, float(self.ypos[-1]) + 0.5 + 0.5 * gap)  # the bars and the gaps around them
        self.vb.setXRange(lo, 1.02, padding=0.0)
        self._fit_y()
        side = (1, 0) if self.mean > (lo + 1.02) / 2 else (0, 0)  # the label on the wider side of its line
        self._mean.label.anchors = [side, side]
        self._mean.label.updatePosition()
        self.set_highlight(None)
        self._update_ticks()

    def _fit_y(self, *_):
        """The bars, and above the first one room for the mean's label as many pixels high as it is drawn (a share
        of the bars' height left it over the first bars in a short plot, and in lecture mode's larger text)."""
        if self._span is None:
            return
        first, bottom = self._span
        height = max(self.vb.height(), 1.0)
        room = min(0.5, (LABEL_AT * height + self._mean.label.boundingRect().height() + 2.0) / height)
        self.vb.setYRange(first - room * (bottom - first) / (1.0 - room), bottom, padding=0.0)

    def _write_names(self, point_names):
        """The points' names beside their bars (few bars only)."""
        for item in self._names:
            self.removeItem(item)
        self._names = []
        if point_names is None or self.points.size > NAMES_MAX:
            return
        for i, v, y in zip(self.points.tolist(), self.values.tolist(), self.ypos.tolist()):
            item = pg.TextItem(str(point_names[i]), color="#333333", anchor=(0.0, 0.5))
            item.setPos(max(v, 0.0) + 0.01, y)
            item.setZValue(6)
            self.addItem(item, ignoreBounds=True)
            self._names.append(item)

    def _update_ticks(self, *_):
        """The clusters' names on the left axis, skipping a name that would overlap the one above it."""
        axis = self.getPlotItem().getAxis("left")
        (_, _), (y0, y1) = self.vb.viewRange()
        per = self.vb.height() / max(y1 - y0, 1e-9)  # pixels per bar
        room = QFontMetrics(axis.font() if axis.style.get("tickFont") is None else axis.style["tickFont"]).height()
        shown, last = [], -np.inf
        for y, name in self._ticks:
            if (y - last) * per >= room:
                shown.append((y, name))
                last = y
        axis.setTicks([shown, []])

    def set_highlight(self, indices) -> int:
        """Mark the bars of these points (None: none); returns how many of them have a bar."""
        self.marked = np.empty(0, dtype=np.int64)
        if indices is None or self.points.size == 0:
            self._marks.setOpts(x0=[], y=[], width=[], height=[])
            self._ends.setData([], [])
            return 0
        rows = np.flatnonzero(np.isin(self.points, np.asarray(indices, dtype=np.int64)))
        self.marked = self.points[rows]
        v, y = self.values[rows], self.ypos[rows]
        height = max(1.0, 0.004 * self.points.size)  # a single bar among thousands stays visible
        self._marks.setOpts(x0=np.minimum(v, 0.0), y=y, width=np.maximum(np.abs(v), 0.004), height=height)
        self._ends.setData(x=v[:MARK_LIMIT], y=y[:MARK_LIMIT])
        return int(rows.size)

    def highlighted(self) -> np.ndarray:
        """The points whose bars are marked."""
        return self.marked

    # ------------------------------------------------------------------ clicks
    def bar_position(self, i: int) -> QPoint:
        """Where the bar of point ``i`` is, in viewport pixels (its middle)."""
        j = int(np.flatnonzero(self.points == int(i))[0])
        x = self.values[j] / 2.0 if abs(self.values[j]) > 0.02 else 0.01
        scene = self.vb.mapViewToScene(QPointF(float(x), float(self.ypos[j])))
        return self.mapFromScene(scene)

    def _on_click(self, event):
        if event.button() != Qt.MouseButton.LeftButton or self.points.size == 0:
            return
        pos = event.scenePos()
        if not self.vb.sceneBoundingRect().contains(pos):
            return
        y = self.vb.mapSceneToView(pos).y()
        j = int(np.clip(np.searchsorted(self.ypos, y), 1, self.ypos.size - 1)) if self.ypos.size > 1 else 0
        if self.ypos.size > 1 and abs(self.ypos[j - 1] - y) < abs(self.ypos[j] - y):
            j -= 1
        if abs(self.ypos[j] - y) <= 1.0:  # on a bar, not in the gap between clusters
            event.accept()
            self.sigBarClicked.emit(int(self.points[j]))
