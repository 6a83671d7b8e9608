"""The shared scatter view: points coloured by cluster, fast enough to redraw every step.

:class:`ScatterView` draws the data (already mapped to display coordinates,
``(n, 2)``) coloured by a label array with :mod:`gui.widgets.palette`, so cluster ``i``
has the same colour here as in every other view. Two drawing modes:

* **symbols** (``n <= SYMBOL_LIMIT``): one :class:`pyqtgraph.ScatterPlotItem`
  with per-point brushes and symbols taken from small tables of shared
  ``QBrush`` objects (clusters 8 and beyond get another marker shape).
* **raster** (larger ``n``): the points are splatted into an RGBA image by a
  :class:`gui.widgets.raster.RasterLayer`. Positions are mapped to pixel indices once
  per :meth:`ScatterView.set_points` and once per (debounced) change of the
  visible range; a redraw for new labels is one numpy gather of colours and
  one scatter into the image, O(n). Clusters 8 and beyond take the extended
  colour-blind-safe palette here, since shapes are not available.

Colours come from the labels (:meth:`ScatterView.set_labels`), or, for views
that show soft assignments (EM's responsibilities), from per-point RGBA
colours (:meth:`ScatterView.set_colors`); the labels then still drive the
legend and which clusters are shown. The background grid is off by default
(:meth:`ScatterView.set_grid`): pyqtgraph's grid lines cost more to paint
than 100,000 raster points (see ``bench/bench_scatter.py --grid``).

Overlays (centres, ellipses, witness segments) are added by the algorithm
plugins to :attr:`ScatterView.plot_item`.

Editing with the mouse (click to add, drag to move, delete, paint starting
groups) lives in :mod:`gui.widgets.scatter_edit`, the legend in :mod:`gui.widgets.scatter_legend`.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QVBoxLayout, QWidget

from gui.widgets import palette
from gui.widgets.raster import RasterLayer, pack_rgba
from gui.widgets.scatter_edit import EDIT_MODES, EditingMixin, _ViewBox
from gui.widgets.scatter_legend import LegendMixin

__all__ = ["ScatterView", "EDIT_MODES", "SYMBOL_LIMIT"]

SYMBOL_LIMIT = 2000  # above this many points the view rasterises (symbols redraw in ~15 ms up to here)
DIM_ALPHA = 110  # alpha of the points that are not highlighted
NAMES_MAX = 30  # point names are drawn for at most this many points
POINT_SIZE = palette.POINT_SIZE
CLUSTER_ITEMS = 64  # below this many clusters, symbol mode draws one item per cluster
RING_LIMIT = 5000  # at most this many highlight rings are drawn
NEUTRAL = "#4D4D4D"  # colour of points without labels
NEUTRAL_ID = -2  # brush-cache key of that colour


def _objects(items) -> np.ndarray:
    """A 1-D object array of ``items`` (QBrush objects or symbol names), for fancy indexing."""
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


class ScatterView(LegendMixin, EditingMixin, QWidget):
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
        self._layer = RasterLayer(self.vb, z=-6)
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
        self._colors: np.ndarray | None = None  # (n, 4) uint8 per-point colours (set_colors), else None
        self._packed: tuple[np.ndarray, np.ndarray] | None = None  # raster: those colours as uint32, full/dim
        self._grid = False
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
        self.set_grid(False)

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

        Labels and highlight are cleared when the number of points changes; per-point
        colours (:meth:`set_colors`) always are.
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
        self._colors = self._packed = None
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
        self._update_names()
        if auto_range:
            self.auto_range()  # range change -> remap (debounced); map now to draw at once
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

    def set_colors(self, rgba):
        """Draw every point in its own colour (e.g. a blend of cluster colours by EM responsibilities).

        Parameters
        ----------
        rgba : array_like of shape (n, 4) or (n, 3), or None
            uint8 values 0-255, or floats in [0, 1]; without an alpha column points are opaque.
            ``None`` goes back to the label colours.

        The labels (:meth:`set_labels`) still give the legend, the hidden clusters and
        the symbol shapes (symbol mode rounds each channel to 16 levels; raster mode is exact); highlighting dims the other points as usual. The colours stay
        until :meth:`set_colors` is called again or new points are set (:meth:`set_points`).
        """
        if rgba is None:
            self._colors = self._packed = None
        else:
            c = np.asarray(rgba)
            if c.ndim != 2 or c.shape[0] != self.n or c.shape[1] not in (3, 4):
                raise ValueError(f"ScatterView.set_colors: colours of shape {c.shape} for {self.n} points; "
                                 "give (n, 4) RGBA or (n, 3) RGB values.")
            if c.dtype.kind == "f":
                if not np.isfinite(c).all():
                    raise ValueError("ScatterView.set_colors: colours must be finite.")
                c = np.clip(np.rint(c * 255.0), 0, 255)
            elif c.dtype.kind not in "iub":
                raise ValueError(f"ScatterView.set_colors: colours must be numbers; got dtype {c.dtype}.")
            c = c.astype(np.uint8) if c.dtype != np.uint8 else c
            if c.shape[1] == 3:
                c = np.concatenate([c, np.full((c.shape[0], 1), 255, np.uint8)], axis=1)
            c = np.array(c, dtype=np.uint8, order="C")
            c.setflags(write=False)
            self._colors = c
            self._packed = None
        self._render()
        self._update_rings()

    def colors(self) -> np.ndarray | None:
        """The per-point colours set by :meth:`set_colors`, (n, 4) uint8, or None."""
        return self._colors

    def set_grid(self, on: bool = True, alpha: float = 0.15):
        """Background grid lines (off by default: they cost more to paint than the points)."""
        self._grid = bool(on)
        self.plot_item.showGrid(x=self._grid, y=self._grid, alpha=alpha)

    def grid(self) -> bool:
        return self._grid

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
        # point names are drawn right of and above their points: room for them at the right and top
        right, top = (pad * 3 if self._name_items else pad)
        self.vb.setRange(xRange=(lo[0] - pad[0], hi[0] + right), yRange=(lo[1] - pad[1], hi[1] + top),
                         padding=0.0)

    def clear(self):
        self.set_points(np.empty((0, 2)))

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
        self._layer.set_visible(raster)
        self._scatter.setVisible(not raster)
        for item in self._cluster_items:
            item.setVisible(not raster)
        if raster:
            self._scatter.setData([], [])
            for item in self._cluster_items:
                item.setData([], [])
        else:
            self._layer.reset()

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
        if self._colors is not None:
            for item in self._cluster_items:
                item.setData([], [])
            idx = np.flatnonzero(keep) if keep is not None else slice(None)
            brushes = self._color_brushes(self._colors[idx], DIM_ALPHA if dimmed else None)
            syms = "o" if self._labels is None else symbols[self._labels[idx]]
            self._scatter.setData(x=Y[idx, 0], y=Y[idx, 1], brush=brushes, symbol=syms)
            return
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

    def _color_brushes(self, rgba: np.ndarray, max_alpha: int | None = None) -> np.ndarray:
        """Object array of QBrush for (m, 4) uint8 colours: one brush per distinct colour.

        pyqtgraph renders every distinct brush into its symbol atlas once, so the colour
        channels are rounded to 16 levels (multiples of 17) first: a blend of cluster
        colours then needs a few hundred brushes, not one per point.
        """
        rgba = (((rgba.astype(np.uint16) + 8) // 17) * 17).astype(np.uint8)
        if max_alpha is not None:
            rgba[:, 3] = np.minimum(rgba[:, 3], max_alpha)
        uniq, inv = np.unique(pack_rgba(rgba), return_inverse=True)
        cache = self._brush_cache
        if len(cache) > 8192:  # blends of many runs: start again rather than grow without bound
            cache.clear()
        brushes = []
        for u in uniq.tolist():
            b = cache.get(("rgba", u))
            if b is None:
                b = cache[("rgba", u)] = pg.mkBrush(*(int(v) for v in np.array([u], np.uint32).view(np.uint8)))
            brushes.append(b)
        return _objects(brushes)[inv.reshape(-1)]

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
        layer = self._layer
        if layer.buf is None or layer.pix is None:
            return
        if not isinstance(self._tables, dict):
            self._update_tables()
        t = self._tables
        dimmed = self._highlight is not None
        keep = self._visible_mask()
        if self._colors is not None:
            full, dim = self._packed_colors()
            table = dim if dimmed else full
            colour_of = lambda idx: table if idx is None else table[idx]  # noqa: E731
            highlight_of = lambda idx: full[idx]  # noqa: E731
        elif self._labels is None:
            neutral = t["neutral_dim"] if dimmed else t["neutral"]
            colour_of = lambda idx: neutral  # noqa: E731
            highlight_of = lambda idx: t["neutral"]  # noqa: E731
        else:
            lab, table = self._labels, (t["dim"] if dimmed else t["full"])
            colour_of = lambda idx: table[lab] if idx is None else table[lab[idx]]  # noqa: E731
            highlight_of = lambda idx: t["full"][lab[idx]]  # noqa: E731
        layer.render(colour_of, keep, self._highlight if dimmed else None, highlight_of)

    def _packed_colors(self) -> tuple[np.ndarray, np.ndarray]:
        """Raster: the per-point colours as uint32, at their own alpha and dimmed."""
        if self._packed is None:
            c = self._colors
            dim = c.copy()
            dim[:, 3] = np.minimum(dim[:, 3], DIM_ALPHA)
            self._packed = (pack_rgba(c), pack_rgba(dim))
        return self._packed

    def set_raster_oversample(self, factor: int = 1):
        """Raster mode: draw into an image ``factor`` times finer, each point an f x f square.

        Points keep their size but sit on a finer grid; export uses this for sharp large figures.
        """
        if self._layer.set_oversample(factor) and self._raster:
            self._remap()

    def _remap(self):
        """Raster mode: map positions to pixels of an image covering the visible range, and draw."""
        self._remap_timer.stop()
        if not self._raster:
            self._render()
            return
        self._layer.remap(self._Y)
        self._render_raster()

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
        if self._colors is not None:
            symbols = "o" if self._labels is None or self._raster else _objects(
                [palette.symbol(int(i)) for i in self._labels[h]])
            self._hl_points.setData(x=x, y=y, brush=self._color_brushes(self._colors[h]), symbol=symbols)
        elif self._labels is None:
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
