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
groups) lives in :mod:`gui.widgets.scatter_edit`, the legend in :mod:`gui.widgets.scatter_legend`, the drawing of
the points in both modes in :mod:`gui.widgets.scatter_draw`. ``python -m gui.widgets.scatter`` shows the view alone.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QVBoxLayout, QWidget

from gui.widgets import palette
from gui.widgets.plot_text import LabelPlacer, LegendRow
from gui.widgets.raster import RasterLayer
from gui.widgets.scatter_draw import NEUTRAL_ID, POINT_SIZE, DrawingMixin, objects
from gui.widgets.scatter_edit import EDIT_MODES, EditingMixin, EditViewBox
from gui.widgets.scatter_legend import LegendMixin

__all__ = ["ScatterView", "EDIT_MODES", "SYMBOL_LIMIT"]

SYMBOL_LIMIT = 2000  # above this many points the view rasterises (symbols redraw in ~15 ms up to here)
NAMES_MAX = 30  # point names are drawn for at most this many points
RING_LIMIT = 5000  # at most this many highlight rings are drawn


class ScatterView(DrawingMixin, LegendMixin, EditingMixin, QWidget):
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
    sigFlush = Signal()  # an export is about to draw the view: overlays draw what they have pending now
    sigAddRequested = Signal(float, float)
    sigMoveRequested = Signal(int, float, float)
    sigDeleteRequested = Signal(object)
    sigPaintRequested = Signal(object, int)

    def __init__(self, parent: QWidget | None = None, symbol_limit: int = SYMBOL_LIMIT):
        super().__init__(parent)
        self.symbol_limit = int(symbol_limit)
        self.vb = EditViewBox(self)
        self.plot = pg.PlotWidget(background="w", viewBox=self.vb)
        self.plot_item: pg.PlotItem = self.plot.getPlotItem()
        self._build_axes()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self._build_layers()
        self._init_state()
        self.plot_item.setAspectLocked(True)
        self.vb.setRange(xRange=(0, 1), yRange=(0, 1), padding=0.05)

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

    def _build_axes(self):
        """Dark axes behind the points with plain numbers, axis labels and the legend."""
        for side in ("left", "bottom"):
            ax = self.plot_item.getAxis(side)
            ax.setPen(pg.mkPen("#333333"))
            ax.setTextPen(pg.mkPen("#333333"))
            ax.setZValue(-100)  # the grid lines go behind the points
            ax.enableAutoSIPrefix(False)  # plain numbers on the ticks, never "x1 (x0.001)"
        self.set_axis_labels("x1", "x2")
        self.legend = LegendRow(labelTextColor="#222222")  # above the points, never over them
        self.legend.place(self.plot_item)

    def _build_layers(self):
        """The base layers (exactly one of them shows the points) and this view's own overlays."""
        self._rim = pg.mkPen(255, 255, 255, 170, width=0.8)
        # symbols: one item per cluster while there are few clusters (fast: no per-point styles),
        # else one item with per-point brushes from shared QBrush objects
        self._brush_cache: dict[tuple[int, int], object] = {}
        self._scatter = self._new_symbol_item()
        self._cluster_items: list[pg.ScatterPlotItem] = []
        self._drawn_groups: list = []  # what each cluster item shows ((id, symbol), brush, Y, rows) or None
        # an invisible item spanning the points, so pyqtgraph's own "View all" works in both modes
        self._bounds_item = pg.PlotDataItem(pen=None)
        self.vb.addItem(self._bounds_item)
        self._layer = RasterLayer(self.vb, z=-6)
        self._rings = self._overlay(5, size=POINT_SIZE + 7, pen=pg.mkPen("#111111", width=2), brush=None)
        self._hl_points = self._overlay(4, size=POINT_SIZE, pen=self._rim)
        self._preview = self._overlay(6, size=POINT_SIZE + 4, pen=pg.mkPen("#111111", width=1.5))
        self._name_items: list[pg.TextItem] = []
        self._placer = LabelPlacer(self.vb, lambda: self._name_items, watch=True)  # off the overlays' marks
        self._axis_line = pg.InfiniteLine(pos=0.0, angle=0, pen=pg.mkPen("#888888", width=1), movable=False)
        self._axis_line.setZValue(-8)
        self._axis_line.setVisible(False)
        self.vb.addItem(self._axis_line, ignoreBounds=True)

    def _overlay(self, z: float, **style) -> pg.ScatterPlotItem:
        item = pg.ScatterPlotItem(pxMode=True, antialias=True, **style)
        item.setZValue(z)
        self.vb.addItem(item, ignoreBounds=True)
        return item

    def _init_state(self):
        """What is shown: points, names, labels or colours, highlight, hidden clusters, mode."""
        self._Y = np.empty((0, 2))
        self._names: tuple[str, ...] | None = None
        self._labels: np.ndarray | None = None
        self.style = palette.ClusterStyle()  # names and colours from the data set's named groups (set_groups)
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
        self._number_line = False  # one-dimensional data: points on a line, no y axis (set_number_line)
        self._mode = "inspect"
        self._group = 0
        self._editable = False
        self._drag: tuple | None = None
        self._menu_index = -1
        self._tables = None  # symbol mode: (brushes, symbols) object arrays; raster: uint32 colours

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
        self._forget_drawn()
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
        if self._name_items:  # once the step's overlays are drawn: names off the marks they move onto
            self._placer.schedule()

    def labels(self) -> np.ndarray | None:
        return self._labels

    def set_groups(self, groups, names):
        """The data set's groups (one per point, ``-1`` none) and their names (None: unnamed).

        Clusters made of whole named groups are then called by those names in the legend and drawn in the
        colour a name stands for ("black", "red", ...); see :class:`gui.widgets.palette.ClusterStyle`.
        Other views read the same :attr:`style` (:meth:`cluster_hex`, :meth:`cluster_name`), so they agree.
        """
        if self.style.set_groups(groups, names):
            self._legend_key = None
            self._update_tables()
            self._render()
            self._update_rings()

    def cluster_hex(self, i: int, labels=None, extended: bool = False) -> str:
        """The colour of cluster ``i`` of ``labels`` (default: the labels shown) in this view."""
        return self.style.hex(int(i), self._labels if labels is None else labels, extended)

    def cluster_name(self, i: int, labels=None) -> str:
        """What the legend calls cluster ``i`` of ``labels`` (default: the labels shown)."""
        return self.style.name(int(i), self._labels if labels is None else labels)

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
        if self._name_items:
            self._placer.schedule()  # rings are marks: names move off them

    def highlighted(self) -> np.ndarray | None:
        return self._highlight

    def set_axis_labels(self, x: str, y: str):
        self.plot_item.setLabel("bottom", x, color="#222222")
        self.plot_item.setLabel("left", y, color="#222222")

    def set_number_line(self, on: bool = True):
        """Draw one-dimensional data as a number line: points on a line at y = 0, no y axis, y not zoomable.

        A y axis from -20 to 20 would say these data have a second coordinate; they do not. Point names
        go above and below the line in turn (in order of x), so close points ("16", "17") keep readable names.
        """
        on = bool(on)
        if on == self._number_line:
            return
        self._number_line = on
        self.plot_item.showAxis("left", not on)
        self.plot_item.setAspectLocked(not on)
        self.vb.setMouseEnabled(x=True, y=not on)
        self._axis_line.setVisible(on)
        self._update_names()
        if self.n:
            self.auto_range()

    def number_line(self) -> bool:
        """True when the view draws a number line (:meth:`set_number_line`)."""
        return self._number_line

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
        if self._number_line:
            self.vb.setRange(xRange=(lo[0] - 2 * pad[0], hi[0] + 2 * pad[0]), yRange=(-1.0, 1.0), padding=0.0)
            return
        self.vb.setRange(xRange=(lo[0] - pad[0], hi[0] + right), yRange=(lo[1] - pad[1], hi[1] + top),
                         padding=0.0)

    def clear(self):
        self.set_points(np.empty((0, 2)))

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
            symbols = "o" if self._labels is None or self._raster else objects(
                [palette.symbol(int(i)) for i in self._labels[h]])
            self._hl_points.setData(x=x, y=y, brush=self._color_brushes(self._colors[h]), symbol=symbols)
        elif self._labels is None:
            self._hl_points.setData(x=x, y=y, brush=self._brush(NEUTRAL_ID, 255), symbol="o")
        else:
            lab = self._labels[h]
            ids = range(-1, self._k)
            extended = self._raster
            table = objects([self._extended_brush(i) if extended else self._brush(i, 255) for i in ids])
            symbols = objects(["o" if extended else palette.symbol(i) for i in ids])
            self._hl_points.setData(x=x, y=y, brush=table[lab + 1], symbol=symbols[lab + 1])

    def _update_names(self):
        names = self._names if self._names is not None and self.n <= NAMES_MAX else ()
        while len(self._name_items) > len(names):
            self.vb.removeItem(self._name_items.pop())
        while len(self._name_items) < len(names):
            item = pg.TextItem("", color="#333333", anchor=(-0.15, 1.0))
            item.setZValue(4)
            self.vb.addItem(item, ignoreBounds=True)
            self._name_items.append(item)
        rank = np.empty(len(names), dtype=np.int64)
        rank[np.argsort(self._Y[:len(names), 0], kind="stable")] = np.arange(len(names))
        for item, name, (x, y), r in zip(self._name_items, names, self._Y, rank.tolist()):
            item.setText(name)
            item.setPos(float(x), float(y))
            if self._number_line:  # above and below the line in turn: neighbours never share a side
                self._placer.set_preferred(item, (0.5, 1.25) if r % 2 == 0 else (0.5, -0.25))
            else:
                self._placer.set_preferred(item, (-0.15, 1.0))
        self._placer.place()  # another side of its point where the edge or another name is in the way


def _demo_widget() -> ScatterView:
    """Three Gaussian blobs coloured by cluster, the first few points highlighted."""
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [4.0, 1.0], [1.5, 4.0]])
    labels = np.repeat(np.arange(3), 60)
    view = ScatterView()
    view.set_points(centres[labels] + rng.normal(scale=0.7, size=(labels.size, 2)))
    view.set_labels(labels)
    view.highlight(np.arange(5))
    return view


if __name__ == "__main__":
    from gui.widgets.demo import run_demo

    run_demo(_demo_widget, title="Scatter")
