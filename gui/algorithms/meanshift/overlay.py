"""What mean shift draws on the shared scatter: windows (circles of radius h), their trails, the merge, the modes.

All positions arrive in display coordinates. A window is a ball of radius ``h`` in run coordinates; the window
maps run coordinates to the display by an affine map (standardization, the data's PCA when d > 2), so its
outline is an ellipse, drawn from the map's 2 x d linear part (:func:`ball_outline`). Every circle is one
segment of one ``PlotDataItem`` (NaN-separated), every trail too, so a thousand windows cost two items.

Its own legend (top right; the scatter's legend of clusters is top left) names the marks of the step shown,
and a caption (bottom left) says what the step did.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from gui.widgets.plot_items import PlotItems
from gui.widgets.plot_text import LabelPlacer

__all__ = ["MeanShiftOverlay", "ball_outline", "MAX_CIRCLES", "MAX_TRAILS"]

MAX_CIRCLES = 150  # windows drawn with their circle (more: an even sample of the moving ones)
MAX_TRAILS = 2000  # windows drawn with their trail
SEGMENTS = 48
MOVING = "#222222"
STOPPED = "#9A9A9A"
TRAIL = "#0072B2"
CIRCLE_ALPHA = 110  # many overlapping circles stay readable


def ball_outline(centres, h: float, linear: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y of the outlines of balls of radius ``h`` about ``centres`` (k, 2) in display coordinates, where
    ``linear`` (2, d) is the linear part of the run -> display map; one NaN between outlines.

    >>> x, y = ball_outline(np.array([[0.0, 0.0]]), 2.0, np.eye(2))
    >>> bool(np.isclose(np.nanmax(np.hypot(x, y)), 2.0)), int(np.isnan(x).sum())
    (True, 1)
    """
    centres = np.asarray(centres, dtype=float).reshape(-1, 2)
    M = linear @ linear.T
    vals, vecs = np.linalg.eigh((M + M.T) / 2)
    L = vecs * np.sqrt(np.clip(vals, 0.0, None))  # L @ L.T = M: the image of the unit ball
    t = np.linspace(0.0, 2 * np.pi, SEGMENTS + 1)
    ring = (L @ np.vstack([np.cos(t), np.sin(t)])).T * h  # (SEGMENTS + 1, 2)
    pts = centres[:, None, :] + ring[None, :, :]
    pts = np.concatenate([pts, np.full((len(centres), 1, 2), np.nan)], axis=1).reshape(-1, 2)
    return pts[:, 0], pts[:, 1]


def _polylines(paths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(s, m, 2) positions of m windows over s steps -> x, y of m NaN-separated polylines."""
    s, m, _ = paths.shape
    P = np.concatenate([paths.transpose(1, 0, 2), np.full((m, 1, 2), np.nan)], axis=1).reshape(-1, 2)
    return P[:, 0], P[:, 1]


def sample(indices: np.ndarray, limit: int) -> np.ndarray:
    """At most ``limit`` of ``indices``, evenly spread.

    >>> sample(np.arange(10), 3).tolist()
    [0, 4, 9]
    """
    indices = np.asarray(indices)
    if indices.size <= limit:
        return indices
    return indices[np.unique(np.linspace(0, indices.size - 1, limit).round().astype(int))]


class MeanShiftOverlay(PlotItems):
    """The graphics items of mean shift on one scatter (see the module docstring)."""

    def __init__(self):
        self.circles = pg.PlotDataItem(pen=pg.mkPen(34, 34, 34, CIRCLE_ALPHA, width=1.2), connect="finite")
        self.stopped_circles = pg.PlotDataItem(pen=pg.mkPen(STOPPED, width=1, style=pg.QtCore.Qt.PenStyle.DotLine),
                                               connect="finite")
        self.trails = pg.PlotDataItem(pen=pg.mkPen(TRAIL, width=1.3), connect="finite")
        self.links = pg.PlotDataItem(pen=pg.mkPen("#555555", width=1, style=pg.QtCore.Qt.PenStyle.DashLine),
                                     connect="finite")
        self.windows = pg.ScatterPlotItem(size=7, symbol="o", pxMode=True)
        self.modes = pg.ScatterPlotItem(size=24, symbol="star", pen=pg.mkPen("k", width=1.8), pxMode=True)
        for z, item in ((14, self.stopped_circles), (15, self.circles), (16, self.trails), (16, self.links),
                        (18, self.windows), (22, self.modes)):
            item.setZValue(z)
        self.labels: list[pg.TextItem] = []
        self.legend = pg.LegendItem(offset=(-10, 10), labelTextColor="#222222", brush=pg.mkBrush(255, 255, 255, 215),
                                    pen=pg.mkPen("#999999"))
        self.legend.setZValue(40)
        self.caption = pg.TextItem(color="#222222", fill=pg.mkBrush(255, 255, 255, 215), anchor=(0, 1))
        self.caption.setZValue(40)
        self.caption.setVisible(False)
        self.legend_rows: list[str] = []  # what the legend names now (for tests)
        self.n_circles = 0  # circles drawn (for tests)
        self._placer: LabelPlacer | None = None

    def _items(self) -> list:
        return [self.stopped_circles, self.circles, self.trails, self.links, self.windows, self.modes, *self.labels]

    def attach(self, plot_item):
        super().attach(plot_item)
        vb = plot_item.getViewBox()
        if self._placer is None:  # a mode's label moves to another side where the plot's edge or another is
            self._placer = LabelPlacer(vb, lambda: self.labels)
        self.legend.setParentItem(vb)
        self.legend.anchor((1, 0), (1, 0), offset=(-10, 10))
        self.caption.setParentItem(vb)
        vb.sigResized.connect(self._place_caption)
        self._place_caption()

    def detach(self):
        if self._placer is not None:
            self._placer.disconnect()
            self._placer = None
        if self.plot_item is not None:
            try:
                self.plot_item.getViewBox().sigResized.disconnect(self._place_caption)
            except (RuntimeError, TypeError):
                pass
            for item in (self.legend, self.caption):
                scene = item.scene()
                if scene is not None:  # removing unparents it too (LegendItem.setParentItem(None) would re-anchor)
                    scene.removeItem(item)
                else:
                    item.setParentItem(None)
        super().detach()

    def _place_caption(self, *_):
        vb = self.caption.parentItem()
        if vb is not None:
            self.caption.setTextWidth(max(120.0, vb.width() - 12))
            self.caption.setPos(4, vb.height() - 4)

    # ------------------------------------------------------------------ drawing
    def clear(self):
        for item in (self.circles, self.stopped_circles, self.trails, self.links):
            item.setData([], [])
        self.windows.setData([], [])
        self.modes.setData([], [])
        self._set_labels([], [], [])
        self.set_legend([])
        self.caption.setVisible(False)
        self.n_circles = 0

    def set_caption(self, text: str):
        self.caption.setText(text)
        self.caption.setVisible(bool(text))

    def show_trails(self, paths: np.ndarray | None):
        """Trails: (s, m, 2) display positions over the steps so far (None: none)."""
        if paths is None or paths.shape[0] < 2:
            self.trails.setData([], [])
            return
        self.trails.setData(*_polylines(paths))

    def show_circles(self, moving: np.ndarray, stopped: np.ndarray, h: float, linear: np.ndarray):
        """Circles of radius ``h`` about the moving windows (solid) and the stopped ones (dotted)."""
        for item, C in ((self.circles, moving), (self.stopped_circles, stopped)):
            if len(C):
                item.setData(*ball_outline(C, h, linear))
            else:
                item.setData([], [])
        self.n_circles = len(moving) + len(stopped)

    def show_windows(self, P: np.ndarray, colours: list):
        """Window centres (m, 2), each in its colour (a hex string)."""
        if len(P):
            self.windows.setData(P[:, 0], P[:, 1], brush=[pg.mkBrush(c) for c in colours],
                                 pen=pg.mkPen("w", width=0.8))
        else:
            self.windows.setData([], [])

    def show_links(self, A: np.ndarray, B: np.ndarray):
        """Dashed segments from each row of ``A`` to the same row of ``B`` (windows to their modes)."""
        if len(A):
            P = np.stack([A, B, np.full_like(A, np.nan)], axis=1).reshape(-1, 2)
            self.links.setData(P[:, 0], P[:, 1])
        else:
            self.links.setData([], [])

    def show_modes(self, M: np.ndarray, colours: list, texts: list[str]):
        """Modes (k, 2) as stars in their clusters' colours, each with a short label."""
        if len(M):
            self.modes.setData(M[:, 0], M[:, 1], brush=[pg.mkBrush(c) for c in colours])
        else:
            self.modes.setData([], [])
        self._set_labels(M, colours, texts)

    def _set_labels(self, M, colours, texts):
        while len(self.labels) > len(texts):
            item = self.labels.pop()
            if self.plot_item is not None:
                self.plot_item.removeItem(item)
        while len(self.labels) < len(texts):
            item = pg.TextItem(anchor=(0, 1), fill=pg.mkBrush(255, 255, 255, 200))
            item.setZValue(30)
            self.labels.append(item)
            self._add_item(item)
        for item, p, c, text in zip(self.labels, M, colours, texts):
            item.setColor(pg.mkColor(c).darker(140))
            item.setText(text)
            item.setPos(float(p[0]), float(p[1]))
            item.setVisible(True)
        if self._placer is not None:
            self._placer.place()
            self._placer.schedule()  # again once the step's trails and windows are drawn: off them where it can

    def set_legend(self, rows: list[tuple[str, dict]]):
        """Legend rows: (text, style) with style keys ``pen`` (a line) or ``symbol``/``brush``/``pen`` (a marker)."""
        names = [text for text, _ in rows]
        if names == self.legend_rows:
            return
        self.legend.clear()
        for text, style in rows:
            if "symbol" in style:
                sample = pg.ScatterPlotItem(size=style.get("size", 10), symbol=style["symbol"],
                                            brush=pg.mkBrush(style.get("brush", MOVING)),
                                            pen=pg.mkPen(style.get("pen", "w")))
            else:
                sample = pg.PlotDataItem([0, 1], [0, 0], pen=style["pen"])
            self.legend.addItem(sample, text)
        self.legend.setVisible(bool(rows))
        self.legend_rows = names
