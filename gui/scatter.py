"""The shared scatter view: points coloured by cluster, fast enough to redraw every step.

:class:`ScatterView` draws the data (already mapped to display coordinates,
``(n, 2)``) coloured by a label array with :mod:`gui.palette`, so cluster ``i``
has the same colour here as in every other view. Two drawing modes:

* **symbols** (``n <= SYMBOL_LIMIT``): one :class:`pyqtgraph.ScatterPlotItem`
  with per-point brushes and symbols taken from small tables of shared
  ``QBrush`` objects (clusters 8 and beyond get another marker shape).
* **raster** (larger ``n``): the points are splatted into an RGBA image
  (:class:`pyqtgraph.ImageItem`) covering the visible range. Positions are
  mapped to pixel indices once per :meth:`ScatterView.set_points` and once per
  (debounced) change of the visible range; a redraw for new labels is one
  numpy gather of colours and one scatter into the image, O(n), with the last
  point drawn at a pixel winning. Clusters 8 and beyond take the extended
  colour-blind-safe palette here, since shapes are not available.

Overlays (centres, ellipses, witness segments) are added by the algorithm
plugins to :attr:`ScatterView.plot_item`.

Editing
-------
The view never changes the data; it *requests* changes through signals that
the window forwards to the data model (which may refuse them). Requests are
emitted only after ``set_editable(True)``; the mode is chosen with
:meth:`ScatterView.set_edit_mode`:

``"inspect"``  left click near a point emits :attr:`sigPointClicked`; drag pans.
``"add"``      left click on empty space emits :attr:`sigAddRequested` (x, y).
``"move"``     dragging a point moves it live; release emits :attr:`sigMoveRequested` (i, x, y).
``"delete"``   clicking a point emits :attr:`sigDeleteRequested` (indices).
``"paint"``    clicking or dragging across points emits :attr:`sigPaintRequested` (indices, group)
               once, on release.

In every edit mode a right click on a point opens a menu with "Delete point".
"""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QVBoxLayout, QWidget

from gui import palette

__all__ = ["ScatterView", "EDIT_MODES", "SYMBOL_LIMIT"]

EDIT_MODES = ("inspect", "add", "move", "delete", "paint")
SYMBOL_LIMIT = 5000  # above this many points the view rasterises
PICK_RADIUS = 8.0  # pixels: how near a click must be to a point
PAINT_RADIUS = 10.0  # pixels: the paint brush
DIM_ALPHA = 110  # alpha of the points that are not highlighted
LEGEND_MAX = 12  # legend entries shown before "... and N more"
NAMES_MAX = 30  # point names are drawn for at most this many points
POINT_SIZE = 9
CLUSTER_ITEMS = 64  # below this many clusters, symbol mode draws one item per cluster
RING_LIMIT = 5000  # at most this many highlight rings are drawn
NEUTRAL = "#4D4D4D"  # colour of points without labels
NEUTRAL_ID = -2  # brush-cache key of that colour


def _objects(items) -> np.ndarray:
    """A 1-D object array of ``items`` (QBrush objects or symbol names), for fancy indexing."""
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


class _ViewBox(pg.ViewBox):
    """A ViewBox that lets its scatter view take clicks and drags before panning."""

    def __init__(self, owner: "ScatterView"):
        super().__init__()
        self._owner = owner

    def mouseClickEvent(self, ev):
        if self._owner._on_click(ev):
            ev.accept()
            return
        super().mouseClickEvent(ev)

    def mouseDragEvent(self, ev, axis=None):
        if axis is None and self._owner._on_drag(ev):
            ev.accept()
            return
        super().mouseDragEvent(ev, axis)


class ScatterView(QWidget):
    """Points in the plane, coloured by cluster, with editing requests.

    Signals
    -------
    sigPointClicked(int)
        A point was clicked in inspect mode (the nearest within a few pixels).
    sigAddRequested(float, float)
        Add a point at (x, y) (display coordinates).
    sigMoveRequested(int, float, float)
        Move point ``i`` to (x, y).
    sigDeleteRequested(object)
        Delete these points (ndarray of int).
    sigPaintRequested(object, int)
        Put these points (ndarray of int) into starting group ``group``.
    """

    sigPointClicked = Signal(int)
    sigAddRequested = Signal(float, float)
    sigMoveRequested = Signal(int, float, float)
    sigDeleteRequested = Signal(object)
    sigPaintRequested = Signal(object, int)

    def __init__(self, parent: QWidget | None = None, symbol_limit: int = SYMBOL_LIMIT):
        super().__init__(parent)
        self.symbol_limit = int(symbol_limit)
        self.vb = _ViewBox(self)
        self.plot = pg.PlotWidget(background="w", viewBox=self.vb)
        self.plot_item: pg.PlotItem = self.plot.getPlotItem()
        self.plot_item.showGrid(x=True, y=True, alpha=0.15)
        for side in ("left", "bottom"):
            ax = self.plot_item.getAxis(side)
            ax.setPen(pg.mkPen("#333333"))
            ax.setTextPen(pg.mkPen("#333333"))
            ax.setZValue(-100)  # the grid lines go behind the points
            ax.enableAutoSIPrefix(False)  # plain numbers on the ticks, never "x1 (x0.001)"
        self.set_axis_labels("x1", "x2")
        self.legend = self.plot_item.addLegend(offset=(10, 10), labelTextColor="#222222",
                                               brush=pg.mkBrush(255, 255, 255, 210), pen=pg.mkPen("#BBBBBB"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

        # base layers: exactly one of them shows the points
        self._rim = pg.mkPen(255, 255, 255, 170, width=0.8)
        # symbols: one item per cluster while there are few clusters (fast: no per-point styles),
        # else one item with per-point brushes from shared QBrush objects
        self._scatter = self._new_symbol_item()
        self._cluster_items: list[pg.ScatterPlotItem] = []
        # an invisible item spanning the points, so pyqtgraph's own "View all" works in both modes
        self._bounds_item = pg.PlotDataItem(pen=None)
        self.vb.addItem(self._bounds_item)
        self._image = pg.ImageItem(axisOrder="row-major")
        self._image.setZValue(-6)
        self._image.setVisible(False)
        self.vb.addItem(self._image, ignoreBounds=True)  # the image must not feed auto-range
        # overlays of this view
        self._rings = pg.ScatterPlotItem(size=POINT_SIZE + 7, pxMode=True, antialias=True,
                                         pen=pg.mkPen("#111111", width=2), brush=None)
        self._rings.setZValue(5)
        self.vb.addItem(self._rings, ignoreBounds=True)
        self._hl_points = pg.ScatterPlotItem(size=POINT_SIZE, pxMode=True, antialias=True, pen=self._rim)
        self._hl_points.setZValue(4)
        self.vb.addItem(self._hl_points, ignoreBounds=True)
        self._preview = pg.ScatterPlotItem(size=POINT_SIZE + 4, pxMode=True, antialias=True,
                                           pen=pg.mkPen("#111111", width=1.5))
        self._preview.setZValue(6)
        self.vb.addItem(self._preview, ignoreBounds=True)
        self._name_items: list[pg.TextItem] = []

        # state
        self._Y = np.empty((0, 2))
        self._names: tuple[str, ...] | None = None
        self._labels: np.ndarray | None = None
        self._highlight: np.ndarray | None = None
        self._hidden: set[int] = set()  # cluster ids not drawn (-1 = unassigned)
        self._hide_all = False
        self._k = 0  # clusters in the colour tables
        self._legend_key = None
        self._legend_rows: list[list] = []  # [(cluster id, raster), sample item] per legend row
        self._raster = False
        self._pix: np.ndarray | None = None  # raster: flat pixel index per point inside the view
        self._inside: np.ndarray | None = None  # raster: indices of those points (None = all)
        self._buf: np.ndarray | None = None  # raster: (H, W) uint32 RGBA image
        self._oversample = 1
        self._offsets: list[int] = []  # raster: flat offsets of an oversampled point's square
        self._mode = "inspect"
        self._group = 0
        self._editable = False
        self._drag: tuple | None = None
        self._menu_index = -1
        self._aspect = True
        self.plot_item.setAspectLocked(True)
        self.vb.setRange(xRange=(0, 1), yRange=(0, 1), padding=0.05)

        self._brush_cache: dict[tuple[int, int], object] = {}
        self._tables = None  # symbol mode: (brushes, symbols) object arrays; raster: uint32 colours

        self.point_menu = QMenu(self)
        self.delete_action = QAction("Delete point", self.point_menu)
        self.delete_action.triggered.connect(self._on_menu_delete)
        self.point_menu.addAction(self.delete_action)

        self._remap_timer = QTimer(self)
        self._remap_timer.setSingleShot(True)
        self._remap_timer.setInterval(40)
        self._remap_timer.timeout.connect(self._remap)
        self.vb.sigRangeChanged.connect(self._on_range_changed)
        self.vb.sigResized.connect(self._on_range_changed)

    # ------------------------------------------------------------------ data
    @property
    def n(self) -> int:
        """Number of points shown."""
        return int(self._Y.shape[0])

    @property
    def raster(self) -> bool:
        """True when the points are drawn into an image (many points)."""
        return self._raster

    def points(self) -> np.ndarray:
        """The display coordinates shown, shape (n, 2) (read-only view)."""
        Y = self._Y.view()
        Y.setflags(write=False)
        return Y

    def set_points(self, Y, names=None, auto_range: bool | None = None):
        """Show points at display coordinates ``Y``.

        Parameters
        ----------
        Y : array_like of shape (n, 2)
        names : sequence of str, optional
            Point names, drawn as small labels next to the points when ``n <= 30``.
        auto_range : bool, optional
            Fit the view to the points. By default the view is fitted when it showed no
            points before or when some new point lies outside the visible range (so
            clicking points in does not move the view under the mouse).

        Labels and highlight are cleared when the number of points changes.
        """
        Y = np.array(Y, dtype=np.float64, copy=True)
        if Y.size == 0:
            Y = np.empty((0, 2))
        if Y.ndim != 2 or Y.shape[1] != 2:
            raise ValueError(f"ScatterView.set_points: Y must have shape (n, 2); got {Y.shape}.")
        if not np.isfinite(Y).all():
            raise ValueError("ScatterView.set_points: coordinates must be finite (no NaN or infinity).")
        if names is not None and len(names) != Y.shape[0]:
            raise ValueError(f"ScatterView.set_points: {len(names)} names for {Y.shape[0]} points.")
        previous_n = self.n
        if Y.shape[0] != previous_n:
            self._labels = None
            self._highlight = None
        self._Y = Y
        self._names = tuple(str(s) for s in names) if names is not None else None
        self._drag = None
        self._preview.setData([], [])
        self._set_raster(Y.shape[0] > self.symbol_limit)
        if Y.shape[0]:
            lo, hi = Y.min(axis=0), Y.max(axis=0)
            self._bounds_item.setData([lo[0], hi[0]], [lo[1], hi[1]])
        else:
            self._bounds_item.setData([], [])
        if auto_range is None:
            auto_range = previous_n == 0 or not self._all_visible()
        if auto_range:
            self.auto_range()  # range change -> remap (debounced); map now to draw at once
        self._update_names()
        self._update_tables()
        self._remap()
        self._update_rings()

    def set_labels(self, labels):
        """Colour the points by ``labels`` (n ints, ``-1`` = unassigned grey; None = one neutral colour)."""
        if labels is None:
            self._labels = None
        else:
            lab = np.asarray(labels)
            if lab.shape != (self.n,):
                raise ValueError(f"ScatterView.set_labels: {lab.shape} labels for {self.n} points; "
                                 "give one label per point.")
            if lab.dtype.kind not in "iu":
                lab = lab.astype(np.int64)
            self._labels = lab
        self._update_tables()
        self._render()
        self._update_rings()

    def labels(self) -> np.ndarray | None:
        return self._labels

    def set_groups_visible(self, visible: bool | Iterable[int] = True):
        """Which clusters are drawn: ``True`` all, ``False`` none, or an iterable of cluster ids.

        Clicking a legend entry toggles its cluster the same way.
        """
        self._hide_all = visible is False
        if visible is True or visible is False or visible is None:
            self._hidden = set()
        else:
            shown = {int(i) for i in visible}
            self._hidden = set(range(-1, self._k)) - shown
        self._sync_legend_visibility()
        self._render()
        self._update_rings()

    def highlight(self, indices=None):
        """Draw a ring around these points and dim the others slightly (None: no highlight)."""
        if indices is None:
            self._highlight = None
        else:
            idx = np.unique(np.asarray(indices, dtype=np.int64).reshape(-1))
            if idx.size and (idx[0] < 0 or idx[-1] >= self.n):
                raise ValueError(f"ScatterView.highlight: indices must be in 0..{self.n - 1}.")
            self._highlight = idx
        self._render()
        self._update_rings()

    def highlighted(self) -> np.ndarray | None:
        return self._highlight

    def set_axis_labels(self, x: str, y: str):
        self.plot_item.setLabel("bottom", x, color="#222222")
        self.plot_item.setLabel("left", y, color="#222222")

    def set_aspect_locked(self, locked: bool = True):
        """Equal scales on both axes (on by default; right for 2-D data)."""
        self._aspect = bool(locked)
        self.plot_item.setAspectLocked(self._aspect)

    def auto_range(self):
        """Fit the view to the points (the unit square when there are none)."""
        if self.n == 0:
            self.vb.setRange(xRange=(0, 1), yRange=(0, 1), padding=0.05)
            return
        lo, hi = self._Y.min(axis=0), self._Y.max(axis=0)
        span = hi - lo
        pad = np.where(span > 0, span * 0.05, np.maximum(np.abs(lo) * 0.1, 0.5))
        self.vb.setRange(xRange=(lo[0] - pad[0], hi[0] + pad[0]), yRange=(lo[1] - pad[1], hi[1] + pad[1]),
                         padding=0.0)

    def clear(self):
        self.set_points(np.empty((0, 2)))

    # ------------------------------------------------------------------ editing
    def set_editable(self, editable: bool):
        """Allow edit requests; when False the view behaves as in inspect mode and requests nothing."""
        self._editable = bool(editable)
        self._cancel_drag()

    def editable(self) -> bool:
        return self._editable

    def set_edit_mode(self, mode: str, group: int = 0):
        """Choose what the mouse does: one of ``EDIT_MODES``; ``group`` is the paint group."""
        if mode not in EDIT_MODES:
            raise ValueError(f"Unknown edit mode {mode!r}; choose one of {', '.join(EDIT_MODES)}.")
        self._mode = mode
        self._group = int(group)
        self._cancel_drag()

    def edit_mode(self) -> str:
        return self._mode

    def effective_mode(self) -> str:
        return self._mode if self._editable else "inspect"

    def map_to_scene(self, x: float, y: float):
        """Scene position of display coordinates (x, y) (for tests and overlays)."""
        return self.vb.mapViewToScene(pg.Point(float(x), float(y)))

    def map_to_viewport(self, x: float, y: float):
        """Position in the plot's viewport widget of display coordinates (x, y), a QPoint."""
        return self.plot.mapFromScene(self.map_to_scene(x, y))

    def nearest_point(self, x: float, y: float, radius_px: float = PICK_RADIUS) -> int | None:
        """Index of the visible point nearest to (x, y) within ``radius_px`` screen pixels, else None."""
        d2 = self._pixel_d2(x, y)
        if d2 is None:
            return None
        i = int(np.argmin(d2))
        return i if d2[i] <= radius_px ** 2 else None

    def points_near(self, x: float, y: float, radius_px: float = PAINT_RADIUS) -> np.ndarray:
        """Indices of the visible points within ``radius_px`` screen pixels of (x, y)."""
        d2 = self._pixel_d2(x, y)
        if d2 is None:
            return np.empty(0, dtype=np.int64)
        return np.flatnonzero(d2 <= radius_px ** 2)

    # ------------------------------------------------------------------ internals: colours
    def _update_tables(self):
        """Colour tables for the current labels: index with a label, -1 picks the last entry (grey)."""
        lab = self._labels
        k = int(lab.max(initial=-1)) + 1 if lab is not None and lab.size else 0
        self._k = k
        if self._raster:
            self._tables = self._raster_table(k)
        else:
            full = [self._brush(i, 255) for i in range(k)] + [self._brush(-1, 255)]
            dim = [self._brush(i, DIM_ALPHA) for i in range(k)] + [self._brush(-1, DIM_ALPHA)]
            symbols = [palette.symbol(i) for i in range(k)] + [palette.symbol(-1)]
            self._tables = (_objects(full), _objects(dim), _objects(symbols))
        self._update_legend()

    def _brush(self, i: int, alpha: int):
        """Shared QBrush of cluster ``i`` (``-1`` grey, ``NEUTRAL_ID`` for unlabelled points)."""
        key = (i, alpha)
        b = self._brush_cache.get(key)
        if b is None:
            c = pg.mkColor(NEUTRAL) if i == NEUTRAL_ID else palette.color(i)
            c.setAlpha(alpha)
            b = self._brush_cache[key] = pg.mkBrush(c)
        return b

    @staticmethod
    def _raster_table(k: int) -> dict:
        """uint32 RGBA tables (full and dimmed alpha), k cluster colours then grey, then neutral."""
        full = palette.rgba_table(k, 255, extended=True)
        dim = palette.rgba_table(k, DIM_ALPHA, extended=True)
        neutral = pg.mkColor(NEUTRAL)
        nrow = np.array([[neutral.red(), neutral.green(), neutral.blue(), 255]], dtype=np.uint8)
        ndim = nrow.copy()
        ndim[0, 3] = DIM_ALPHA
        return {"full": np.ascontiguousarray(full).view(np.uint32).ravel(),
                "dim": np.ascontiguousarray(dim).view(np.uint32).ravel(),
                "neutral": int(nrow.view(np.uint32)[0, 0]), "neutral_dim": int(ndim.view(np.uint32)[0, 0])}

    def _visible_mask(self) -> np.ndarray | None:
        """Boolean mask of the points whose cluster is shown (None = all shown)."""
        if self._hide_all:
            return np.zeros(self.n, dtype=bool)
        if not self._hidden or self._labels is None:
            return None
        lut = np.ones(self._k + 1, dtype=bool)  # last entry: unassigned (-1)
        for h in self._hidden:
            if -1 <= h < self._k:
                lut[h] = False
        return lut[self._labels]

    # ------------------------------------------------------------------ internals: drawing
    def _set_raster(self, raster: bool):
        if raster == self._raster:
            return
        self._raster = raster
        self._image.setVisible(raster)
        self._scatter.setVisible(not raster)
        for item in self._cluster_items:
            item.setVisible(not raster)
        if raster:
            self._scatter.setData([], [])
            for item in self._cluster_items:
                item.setData([], [])
        else:
            self._buf = None
            self._pix = None
            self._image.clear()

    def _render(self):
        if self._raster:
            self._render_raster()
        else:
            self._render_symbols()

    def _new_symbol_item(self) -> pg.ScatterPlotItem:
        item = pg.ScatterPlotItem(size=POINT_SIZE, pxMode=True, antialias=True, pen=self._rim)
        item.setZValue(-5)
        self.vb.addItem(item, ignoreBounds=True)
        return item

    def _render_symbols(self):
        Y = self._Y
        if self._tables is None or isinstance(self._tables, dict):
            self._update_tables()
        full, dim, symbols = self._tables
        dimmed = self._highlight is not None
        keep = self._visible_mask()
        if self._labels is None or self._k < CLUSTER_ITEMS:
            self._scatter.setData([], [])
            self._render_per_cluster(Y, keep, dimmed)
            return
        for item in self._cluster_items:
            item.setData([], [])
        if self._labels is None:
            brushes = _objects([self._brush(NEUTRAL_ID, DIM_ALPHA if dimmed else 255)] * self.n)
            syms = "o"
        else:
            brushes = (dim if dimmed else full)[self._labels]
            syms = symbols[self._labels]
        if keep is not None:
            Y = Y[keep]
            brushes = brushes[keep]
            if not isinstance(syms, str):
                syms = syms[keep]
        self._scatter.setData(x=Y[:, 0], y=Y[:, 1], brush=brushes, symbol=syms)

    def _render_per_cluster(self, Y: np.ndarray, keep: np.ndarray | None, dimmed: bool):
        """One ScatterPlotItem per cluster id (unassigned first, so clusters draw over grey)."""
        alpha = DIM_ALPHA if dimmed else 255
        if self._labels is None:
            groups = [(NEUTRAL_ID, np.flatnonzero(keep) if keep is not None else slice(None))]
        else:
            lab = self._labels if keep is None else self._labels[keep]
            pts = np.flatnonzero(keep) if keep is not None else None
            order = np.argsort(lab, kind="stable")
            bounds = np.searchsorted(lab[order], np.arange(-1, self._k + 1))
            groups = []
            for j, i in enumerate(range(-1, self._k)):
                a, b = bounds[j], bounds[j + 1]
                if b > a:
                    sel = order[a:b]
                    groups.append((i, sel if pts is None else pts[sel]))
        while len(self._cluster_items) < len(groups):
            self._cluster_items.append(self._new_symbol_item())
        for item, (i, idx) in zip(self._cluster_items, groups):
            sym = "o" if i == NEUTRAL_ID else palette.symbol(i)
            item.setData(x=Y[idx, 0], y=Y[idx, 1], brush=self._brush(i, alpha), symbol=sym)
        for item in self._cluster_items[len(groups):]:
            if len(item.data):
                item.setData([], [])

    def _render_raster(self):
        if self._buf is None or self._pix is None:
            return
        if not isinstance(self._tables, dict):
            self._update_tables()
        buf = self._buf
        flat = buf.reshape(-1)
        flat.fill(0)
        pix, inside = self._pix, self._inside
        t = self._tables
        dimmed = self._highlight is not None
        keep = self._visible_mask()
        if self._labels is None:
            if keep is not None:
                pix = pix[keep if inside is None else keep[inside]]
            self._stamp(flat, pix, t["neutral_dim"] if dimmed else t["neutral"])
        else:
            lab = self._labels if inside is None else self._labels[inside]
            if keep is not None:
                sel = keep if inside is None else keep[inside]
                lab, pix = lab[sel], pix[sel]
            self._stamp(flat, pix, (t["dim"] if dimmed else t["full"])[lab])
        if dimmed and self._highlight.size:
            # highlighted points on top, at full colour
            h = self._highlight
            if inside is not None:
                pos = np.searchsorted(inside, h)
                ok = (pos < inside.size) & (inside[np.minimum(pos, inside.size - 1)] == h)
                h, hp = h[ok], pos[ok]
            else:
                hp = h
            if keep is not None:
                ok = keep[h]
                h, hp = h[ok], hp[ok]
            colours = t["neutral"] if self._labels is None else t["full"][self._labels[h]]
            self._stamp(flat, self._pix[hp], colours)
        self._image.setImage(buf.view(np.uint8).reshape(buf.shape[0], buf.shape[1], 4), autoLevels=False)

    def _stamp(self, flat: np.ndarray, pix: np.ndarray, colours):
        """Write colours at pixel indices (the last point at a pixel wins), as f x f squares."""
        if not self._offsets:
            flat[pix] = colours
            return
        for o in self._offsets:
            flat[pix + o] = colours

    def set_raster_oversample(self, factor: int = 1):
        """Raster mode: draw into an image ``factor`` times finer, each point an f x f square.

        Points keep their size but sit on a finer grid; export uses this for sharp large figures.
        """
        factor = int(min(max(factor, 1), 4))
        if factor != self._oversample:
            self._oversample = factor
            if self._raster:
                self._remap()

    def _viewport_pixels(self) -> tuple[int, int]:
        r = self.vb.boundingRect()
        return max(int(math.ceil(r.width())), 1), max(int(math.ceil(r.height())), 1)

    def _remap(self):
        """Raster mode: map positions to pixels of an image covering the visible range."""
        self._remap_timer.stop()
        if not self._raster:
            self._render()
            return
        (x0, x1), (y0, y1) = self.vb.viewRange()
        w_px, h_px = self._viewport_pixels()
        splat = 3 if self.n < 50_000 else 2
        f = self._oversample
        W, H = max(w_px // splat, 1) * f, max(h_px // splat, 1) * f
        # an f x f stamp at a point's pixel: the image has f - 1 spare columns and rows
        stride, rows = W + f - 1, H + f - 1
        self._offsets = [dy * stride + dx for dy in range(f) for dx in range(f)] if f > 1 else []
        Y = self._Y
        cx = np.floor((Y[:, 0] - x0) * (W / (x1 - x0))).astype(np.int64)
        cy = np.floor((Y[:, 1] - y0) * (H / (y1 - y0))).astype(np.int64)
        ok = (cx >= 0) & (cx < W) & (cy >= 0) & (cy < H)
        if ok.all():
            self._inside = None
            self._pix = cy * stride + cx
        else:
            self._inside = np.flatnonzero(ok)
            self._pix = cy[self._inside] * stride + cx[self._inside]
        if self._buf is None or self._buf.shape != (rows, stride):
            self._buf = np.zeros((rows, stride), dtype=np.uint32)
        self._image_rect = QRectF(x0, y0, (x1 - x0) * stride / W, (y1 - y0) * rows / H)
        self._render_raster()
        self._image.setRect(self._image_rect)

    def _on_range_changed(self, *args):
        if self._raster:
            self._remap_timer.start()

    def _all_visible(self) -> bool:
        if self.n == 0:
            return True
        (x0, x1), (y0, y1) = self.vb.viewRange()
        lo, hi = self._Y.min(axis=0), self._Y.max(axis=0)
        return bool(lo[0] >= x0 and hi[0] <= x1 and lo[1] >= y0 and hi[1] <= y1)

    def _update_rings(self):
        """Highlighted points: drawn again at full colour, with a dark ring around each."""
        h = self._highlight
        if h is None or h.size == 0:
            self._rings.setData([], [])
            self._hl_points.setData([], [])
            return
        keep = self._visible_mask()
        if keep is not None:
            h = h[keep[h]]
        h = h[:RING_LIMIT]
        x, y = self._Y[h, 0], self._Y[h, 1]
        self._rings.setData(x=x, y=y)
        if self._labels is None:
            self._hl_points.setData(x=x, y=y, brush=self._brush(NEUTRAL_ID, 255), symbol="o")
        else:
            lab = self._labels[h]
            ids = range(-1, self._k)
            extended = self._raster
            table = _objects([self._extended_brush(i) if extended else self._brush(i, 255) for i in ids])
            symbols = _objects(["o" if extended else palette.symbol(i) for i in ids])
            self._hl_points.setData(x=x, y=y, brush=table[lab + 1], symbol=symbols[lab + 1])

    def _extended_brush(self, i: int):
        key = ("extended", i)
        b = self._brush_cache.get(key)
        if b is None:
            b = self._brush_cache[key] = pg.mkBrush(palette.color(i, extended=True))
        return b

    def _update_names(self):
        names = self._names if self._names is not None and self.n <= NAMES_MAX else ()
        while len(self._name_items) > len(names):
            self.vb.removeItem(self._name_items.pop())
        while len(self._name_items) < len(names):
            item = pg.TextItem("", color="#333333", anchor=(-0.15, 1.0))
            item.setZValue(4)
            self.vb.addItem(item, ignoreBounds=True)
            self._name_items.append(item)
        for item, name, (x, y) in zip(self._name_items, names, self._Y):
            item.setText(name)
            item.setPos(float(x), float(y))

    def _update_legend(self):
        """Entries for the clusters present ("cluster 1" is id 0), then "unassigned".

        Presence is one ``np.bincount`` (O(n)); rows are reused and only rows whose
        cluster changed are redrawn, so a step that merges two clusters costs a few ms.
        """
        lab = self._labels
        if lab is None or lab.size == 0:
            entries = []
        else:
            present = np.flatnonzero(np.bincount(lab.astype(np.int64, copy=False) + 1, minlength=self._k + 1)) - 1
            clusters = present[present >= 0]
            entries = [(int(i), f"cluster {i + 1}") for i in clusters[:LEGEND_MAX]]
            if present[0] == -1:
                entries.append((-1, "unassigned"))
            if clusters.size > LEGEND_MAX:
                entries.append((None, f"... {clusters.size - LEGEND_MAX} more clusters"))
        key = (tuple(entries), self._raster)
        if key == self._legend_key:
            return
        self._legend_key = key
        rows = self._legend_rows
        while len(rows) > len(entries):
            row = rows.pop()
            self.legend.removeItem(row[1])
        while len(rows) < len(entries):
            j = len(rows)
            sample = pg.ScatterPlotItem(size=POINT_SIZE + 1, pen=pg.mkPen("w", width=0.8))
            sample.visibleChanged.connect(lambda j=j: self._on_legend_toggled(j))
            rows.append([object(), sample])  # a marker id that matches no entry: styled below
            self.legend.addItem(sample, entries[j][1])
        for j, (row, (i, text)) in enumerate(zip(rows, entries)):
            sample = row[1]
            if row[0] != (i, self._raster):
                row[0] = (i, self._raster)
                if i is None:
                    sample.setBrush(pg.mkBrush(None), update=False)
                    sample.setPen(pg.mkPen(None), update=False)
                else:
                    sample.setBrush(pg.mkBrush(palette.color(i, extended=self._raster)), update=False)
                    sample.setPen(pg.mkPen("w", width=0.8), update=False)
                    sample.setSymbol("o" if self._raster else palette.symbol(i), update=False)
            blocked = sample.blockSignals(True)
            sample.setVisible(i is None or i not in self._hidden)
            sample.blockSignals(blocked)
            label = self.legend.items[j][1]
            if label.text != text:
                label.setText(text)
            self.legend.items[j][0].update()
        self.legend.setVisible(bool(entries))

    def _legend_id(self, j: int):
        return self._legend_rows[j][0][0] if j < len(self._legend_rows) else None

    def _sync_legend_visibility(self):
        for j, (_, sample) in enumerate(self._legend_rows):
            i = self._legend_id(j)
            blocked = sample.blockSignals(True)
            sample.setVisible(i is None or i not in self._hidden)
            sample.blockSignals(blocked)
            self.legend.items[j][0].update()

    def _on_legend_toggled(self, j: int):
        """A legend entry was clicked (pyqtgraph toggles its sample): show or hide that cluster."""
        i = self._legend_id(j)
        if i is None:
            return
        if self._legend_rows[j][1].isVisible():
            self._hidden.discard(i)
        else:
            self._hidden.add(i)
        self._render()
        self._update_rings()

    # ------------------------------------------------------------------ internals: mouse
    def _pixel_d2(self, x: float, y: float) -> np.ndarray | None:
        """Squared screen-pixel distance of every shown point to (x, y); hidden points at infinity."""
        if self.n == 0:
            return None
        px, py = self.vb.viewPixelSize()
        if not (px > 0 and py > 0):
            return None
        dx = (self._Y[:, 0] - x) / px
        dy = (self._Y[:, 1] - y) / py
        d2 = dx * dx + dy * dy
        keep = self._visible_mask()
        if keep is not None:
            d2[~keep] = np.inf
        return d2

    def _view_pos(self, scene_pos) -> tuple[float, float]:
        p = self.vb.mapSceneToView(scene_pos)
        return float(p.x()), float(p.y())

    def _on_click(self, ev) -> bool:
        """Handle a click on the ViewBox; True if the view used it."""
        mode = self.effective_mode()
        x, y = self._view_pos(ev.scenePos())
        if ev.button() == Qt.MouseButton.LeftButton:
            if mode == "inspect":
                i = self.nearest_point(x, y)
                if i is None:
                    return False
                self.sigPointClicked.emit(i)
            elif mode == "add":
                if self.nearest_point(x, y, PICK_RADIUS / 2) is None:
                    self.sigAddRequested.emit(x, y)
            elif mode == "delete":
                i = self.nearest_point(x, y)
                if i is not None:
                    self.sigDeleteRequested.emit(np.array([i], dtype=np.int64))
            elif mode == "paint":
                idx = self.points_near(x, y)
                if idx.size:
                    self.sigPaintRequested.emit(idx, self._group)
            return True
        if ev.button() == Qt.MouseButton.RightButton and mode != "inspect":
            i = self.nearest_point(x, y)
            if i is None:
                return False
            self._menu_index = i
            self.point_menu.popup(ev.screenPos().toPoint())
            return True
        return False

    def _on_menu_delete(self):
        i, self._menu_index = self._menu_index, -1
        if self._editable and 0 <= i < self.n:
            self.sigDeleteRequested.emit(np.array([i], dtype=np.int64))

    def _on_drag(self, ev) -> bool:
        """Handle a drag on the ViewBox; True if the view used it (no panning)."""
        if ev.button() != Qt.MouseButton.LeftButton:
            return False
        mode = self.effective_mode()
        if ev.isStart():
            self._drag = None
            x0, y0 = self._view_pos(ev.buttonDownScenePos(Qt.MouseButton.LeftButton))
            if mode == "move":
                i = self.nearest_point(x0, y0)
                if i is None:
                    return False
                self._drag = ("move", i, self._Y[i].copy())
            elif mode == "paint":
                self._drag = ("paint", set(self.points_near(x0, y0).tolist()))
            else:
                return False
        if self._drag is None:
            return False
        x, y = self._view_pos(ev.scenePos())
        kind = self._drag[0]
        if kind == "move":
            i, original = self._drag[1], self._drag[2]
            if ev.isFinish():
                self._drag = None
                self._move_live(i, original)
                self.sigMoveRequested.emit(i, x, y)
            else:
                self._move_live(i, np.array([x, y]))
        else:
            painted = self._drag[1]
            painted.update(self.points_near(x, y).tolist())
            idx = np.array(sorted(painted), dtype=np.int64)
            if ev.isFinish():
                self._drag = None
                self._preview.setData([], [])
                if idx.size:
                    self.sigPaintRequested.emit(idx, self._group)
            else:
                brush = pg.mkBrush(palette.color(self._group, extended=self._raster))
                self._preview.setData(x=self._Y[idx, 0], y=self._Y[idx, 1], brush=brush,
                                      symbol=palette.symbol(self._group))
        return True

    def _move_live(self, i: int, xy: np.ndarray):
        """Show point ``i`` at ``xy`` without touching the data."""
        self._Y[i] = xy
        if self._raster:
            self._remap()
        else:
            self._render_symbols()
        self._update_names()
        self._update_rings()

    def _cancel_drag(self):
        if self._drag is not None and self._drag[0] == "move":
            self._move_live(self._drag[1], self._drag[2])
        self._drag = None
        self._preview.setData([], [])
