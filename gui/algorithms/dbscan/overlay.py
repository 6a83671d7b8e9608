"""What DBSCAN draws on the shared scatter: ε-balls in the chosen norm, core / border / noise marks, the wave.

* **ε-balls** (2-D data only; in higher dimensions a projected ball says nothing): ℓ1 diamonds, ℓ2 circles,
  ℓ∞ squares of radius ε around the points that matter at the step — every core point at the core step,
  the points of the previous wave that reached the new one, the core points that took in border points —
  at most :data:`MAX_BALLS` of them (a caption says how many are left out), plus the ball of the point the
  person clicked. The vertices are made in run coordinates and projected like the points, so a ball stays
  exact when the data are standardized.
* **Marks** (up to :data:`MARK_LIMIT` points): a dark ring around each core point; a white centre in each
  border point (a hollow marker); a cross on each noise point.
* **The wave**: the points that joined at this step ringed in their cluster's colour, each with a segment
  from the point that reached it.
* A **caption** in the bottom-left corner of the plot says what the marks mean.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from gui.widgets import palette

__all__ = ["DbscanOverlay", "ball_outlines", "MAX_BALLS", "MARK_LIMIT", "NOISE_MARK"]

MAX_BALLS = 300
MARK_LIMIT = 5000
#: The mark on noise points, (symbol, colour): the scatter's legend shows it for "noise" too.
NOISE_MARK = ("x", "#222222")
CIRCLE_VERTICES = 64
NORM_SHAPES = {"l1": "diamonds", "l2": "discs", "linf": "squares"}


def _unit_ball(metric: str) -> np.ndarray:
    """The outline of the unit ball of ``metric`` as a closed polygon (m, 2)."""
    if metric == "l1":
        return np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0], [1.0, 0.0]])
    if metric == "linf":
        return np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [1.0, 1.0]])
    t = np.linspace(0.0, 2.0 * np.pi, CIRCLE_VERTICES + 1)
    return np.column_stack([np.cos(t), np.sin(t)])


def ball_outlines(centres: np.ndarray, eps: float, metric: str) -> np.ndarray:
    """Closed outlines of the ε-balls around ``centres`` (b, 2), separated by a row of NaN: (b * (m + 1), 2).

    >>> ball_outlines(np.array([[0.0, 0.0]]), 2.0, "l1")[:3].tolist()
    [[2.0, 0.0], [0.0, 2.0], [-2.0, 0.0]]
    """
    unit = _unit_ball(metric)
    centres = np.asarray(centres, dtype=np.float64).reshape(-1, 2)
    shapes = centres[:, None, :] + eps * unit[None, :, :]
    gap = np.full((centres.shape[0], 1, 2), np.nan)
    return np.concatenate([shapes, gap], axis=1).reshape(-1, 2)


class DbscanOverlay:
    """The graphics items above on one PlotItem (see the module docstring)."""

    def __init__(self, hex_of=palette.hex_color):
        #: ``hex_of(j)``: the colour of cluster ``j`` as the scatter draws it
        self.hex_of = hex_of
        self.balls: list[pg.PlotCurveItem] = []
        self.picked_ball = pg.PlotCurveItem(pen=pg.mkPen("#222222", width=1.6, style=Qt.PenStyle.DashLine),
                                            connect="finite")
        self.picked_ball.setZValue(9)
        self.core_rings = pg.ScatterPlotItem(size=palette.POINT_SIZE + 5, symbol="o", brush=None,
                                             pen=pg.mkPen("#333333", width=1.2), pxMode=True)
        self.core_rings.setZValue(6)
        self.hollow = pg.ScatterPlotItem(size=4, symbol="o", brush=pg.mkBrush("#FFFFFF"), pen=None, pxMode=True)
        self.hollow.setZValue(12)
        self.crosses = pg.ScatterPlotItem(size=9, symbol=NOISE_MARK[0], brush=pg.mkBrush(NOISE_MARK[1]), pen=None,
                                          pxMode=True)
        self.crosses.setZValue(12)
        self.wave_rings = pg.ScatterPlotItem(size=palette.POINT_SIZE + 9, symbol="o", brush=None, pxMode=True)
        self.wave_rings.setZValue(13)
        self.links = pg.PlotCurveItem(pen=pg.mkPen(30, 30, 30, 170, width=1.2), connect="pairs")
        self.links.setZValue(8)
        self.caption = pg.TextItem(color="#222222", fill=pg.mkBrush(255, 255, 255, 215), anchor=(0, 1))
        self.caption.setZValue(40)
        self.caption.setVisible(False)
        self.plot_item = None
        self.ball_count = 0  # balls drawn at the step shown (for tests)

    def items(self) -> list:
        return [*self.balls, self.picked_ball, self.core_rings, self.hollow, self.crosses, self.wave_rings,
                self.links]

    # ------------------------------------------------------------------ on and off the plot
    def attach(self, plot_item):
        self.detach()
        self.plot_item = plot_item
        for item in self.items():
            plot_item.addItem(item, ignoreBounds=True)
        vb = plot_item.getViewBox()
        self.caption.setParentItem(vb)  # fixed in the corner, not in data coordinates
        vb.sigResized.connect(self._place_caption)
        self._place_caption()

    def detach(self):
        if self.plot_item is None:
            return
        for item in self.items():
            self.plot_item.removeItem(item)
        try:
            self.plot_item.getViewBox().sigResized.disconnect(self._place_caption)
        except (RuntimeError, TypeError):
            pass
        scene = self.caption.scene()
        self.caption.setParentItem(None)
        if scene is not None:
            scene.removeItem(self.caption)
        self.plot_item = None

    def _place_caption(self, *_):
        vb = self.caption.parentItem()
        if vb is not None:
            self.caption.setTextWidth(max(120.0, vb.width() - 12))
            self.caption.setPos(4, vb.height() - 4)

    # ------------------------------------------------------------------ drawing
    def clear(self):
        self.show_balls([])
        self.show_picked(None)
        self.show_marks(None, None, None, None)
        self.show_wave(None, None, None, -1)
        self.set_caption("")

    def set_caption(self, text: str):
        self.caption.setText(text)
        self.caption.setVisible(bool(text))
        self._place_caption()

    def show_balls(self, groups: list[tuple[np.ndarray, str]]):
        """``groups``: (outline vertices in display coordinates, colour) — one curve each."""
        while len(self.balls) < len(groups):
            item = pg.PlotCurveItem(connect="finite")
            item.setZValue(7)
            self.balls.append(item)
            if self.plot_item is not None:
                self.plot_item.addItem(item, ignoreBounds=True)
        for item, (P, colour) in zip(self.balls, groups):
            c = pg.mkColor(colour)
            c.setAlpha(190)
            item.setPen(pg.mkPen(c, width=1.3))
            item.setData(P[:, 0], P[:, 1])
            item.setVisible(True)
        for item in self.balls[len(groups):]:
            item.setData([], [])
            item.setVisible(False)

    def show_picked(self, P: np.ndarray | None):
        if P is None:
            self.picked_ball.setData([], [])
        else:
            self.picked_ball.setData(P[:, 0], P[:, 1])

    def show_marks(self, Y, core, border, noise):
        """Rings on core points, white centres in border points, crosses on noise (index arrays or None)."""
        for item, idx in ((self.core_rings, core), (self.hollow, border), (self.crosses, noise)):
            if Y is None or idx is None or len(idx) == 0:
                item.setData([], [])
            else:
                item.setData(Y[idx, 0], Y[idx, 1])

    def show_wave(self, Y, frontier, reached_by, cluster: int):
        if Y is None or frontier is None or len(frontier) == 0:
            self.wave_rings.setData([], [])
            self.links.setData([], [])
            return
        self.wave_rings.setPen(pg.mkPen(self.hex_of(cluster), width=2.5))
        self.wave_rings.setData(Y[frontier, 0], Y[frontier, 1])
        far = np.asarray(reached_by) != np.asarray(frontier)
        pairs = np.empty((2 * int(far.sum()), 2))
        pairs[0::2] = Y[np.asarray(reached_by)[far]]
        pairs[1::2] = Y[np.asarray(frontier)[far]]
        self.links.setData(pairs[:, 0], pairs[:, 1])
