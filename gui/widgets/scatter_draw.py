"""Drawing the scatter's points: colour tables, symbol items and the raster layer.

:class:`DrawingMixin` is the part of :class:`gui.widgets.scatter.ScatterView` that turns its state (positions,
labels or per-point colours, hidden clusters, highlight) into pixels, in one of two modes:

* **symbols**: one :class:`pyqtgraph.ScatterPlotItem` per cluster while there are fewer than ``CLUSTER_ITEMS``
  clusters (no per-point styles: fast), else one item with per-point brushes and symbols taken from small tables
  of shared ``QBrush`` objects;
* **raster**: the points splatted into an RGBA image by a :class:`gui.widgets.raster.RasterLayer`, remapped to
  pixels once per (debounced) change of the visible range.

Brushes are cached per (cluster, alpha) and per rounded RGBA colour, so a redraw creates almost no Qt objects.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from gui.widgets import palette
from gui.widgets.raster import pack_rgba

__all__ = ["DrawingMixin", "objects", "DIM_ALPHA", "CLUSTER_ITEMS", "NEUTRAL", "NEUTRAL_ID", "POINT_SIZE"]

DIM_ALPHA = 110  # alpha of the points that are not highlighted
POINT_SIZE = palette.POINT_SIZE
CLUSTER_ITEMS = 64  # below this many clusters, symbol mode draws one item per cluster
NEUTRAL = "#4D4D4D"  # colour of points without labels
NEUTRAL_ID = -2  # brush-cache key of that colour


def objects(items) -> np.ndarray:
    """A 1-D object array of ``items`` (QBrush objects or symbol names), for fancy indexing.

    >>> objects(["o", "s"])[np.array([1, 1, 0])].tolist()
    ['s', 's', 'o']
    """
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


class DrawingMixin:
    """Colour tables and the two drawing modes of :class:`~gui.widgets.scatter.ScatterView` (see the module)."""

    # ------------------------------------------------------------------ internals: colours
    def _update_tables(self):
        """Colour tables for the current labels: index with a label, -1 picks the last entry (grey)."""
        lab = self._labels
        k = int(lab.max(initial=-1)) + 1 if lab is not None and lab.size else 0
        self._k = k
        if self._raster:
            self._tables = self._raster_table(k, self.style, self._labels)
        else:
            full = [self._brush(i, 255) for i in range(k)] + [self._brush(-1, 255)]
            dim = [self._brush(i, DIM_ALPHA) for i in range(k)] + [self._brush(-1, DIM_ALPHA)]
            symbols = [palette.symbol(i) for i in range(k)] + [palette.symbol(-1)]
            self._tables = (objects(full), objects(dim), objects(symbols))
        self._update_legend()

    def _hex(self, i: int, extended: bool = False) -> str:
        """Colour of cluster ``i`` of the labels shown (the data set's named groups: :class:`palette.ClusterStyle`)."""
        return NEUTRAL if i == NEUTRAL_ID else self.style.hex(i, self._labels, extended)

    def _brush(self, i: int, alpha: int):
        """Shared QBrush of cluster ``i`` (``-1`` grey, ``NEUTRAL_ID`` for unlabelled points)."""
        colour = self._hex(i)
        key = (colour, alpha)
        b = self._brush_cache.get(key)
        if b is None:
            c = pg.mkColor(colour)
            c.setAlpha(alpha)
            b = self._brush_cache[key] = pg.mkBrush(c)
        return b

    @staticmethod
    def _raster_table(k: int, style: palette.ClusterStyle, labels) -> dict:
        """uint32 RGBA tables (full and dimmed alpha), k cluster colours then grey, then neutral."""
        full = style.rgba_table(k, labels, 255, extended=True)
        dim = style.rgba_table(k, labels, DIM_ALPHA, extended=True)
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
            self._forget_drawn()
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
            self._forget_drawn()
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
        self._forget_drawn()
        for item in self._cluster_items:
            item.setData([], [])
        if self._labels is None:
            brushes = objects([self._brush(NEUTRAL_ID, DIM_ALPHA if dimmed else 255)] * self.n)
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
        return objects(brushes)[inv.reshape(-1)]

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
        drawn = self._drawn_groups
        drawn.extend([None] * (len(self._cluster_items) - len(drawn)))
        for n, (item, (i, idx)) in enumerate(zip(self._cluster_items, groups)):
            sym = "o" if i == NEUTRAL_ID else palette.symbol(i)
            brush = self._brush(i, alpha)
            rows = np.arange(Y.shape[0])[idx] if isinstance(idx, slice) else idx
            before = drawn[n]
            if before is not None and before[0] == (i, sym) and before[1] is brush and before[2] is Y \
                    and np.array_equal(before[3], rows):
                continue  # this cluster's points and look are unchanged (a step that moved other points)
            item.setData(x=Y[rows, 0], y=Y[rows, 1], brush=brush, symbol=sym)
            drawn[n] = ((i, sym), brush, Y, rows)
        for n, item in enumerate(self._cluster_items[len(groups):], start=len(groups)):
            drawn[n] = None
            if len(item.data):
                item.setData([], [])

    def _forget_drawn(self) -> None:
        """The per-cluster items are to be drawn again in full (their points were cleared or moved in place)."""
        self._drawn_groups = []

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
        """Raster mode: draw into an image ``factor`` times finer (each point ``factor`` times more pixels across).

        Points keep their size but are drawn with more pixels; export uses this for sharp large figures.
        """
        if self._layer.set_oversample(factor) and self._raster:
            self._remap()

    def set_lecture_factor(self, factor: float):
        """Lecture mode: raster points ``factor`` times larger, as :mod:`gui.widgets.lecture_style` makes symbols."""
        if self._layer.set_mark_scale(factor) and self._raster:
            self._remap()

    def flush(self):
        """Draw now what a pending resize or range change would draw 40 ms later (before an export, so a
        figure never shows the points mapped for the view's earlier size); :attr:`sigFlush` asks the overlays
        that redraw after a resize too (K-means' regions) to do the same."""
        if self._remap_timer.isActive():
            self._remap()
        self.sigFlush.emit()

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

    def _extended_brush(self, i: int):
        colour = self._hex(i, extended=True)
        key = ("extended", colour)
        b = self._brush_cache.get(key)
        if b is None:
            b = self._brush_cache[key] = pg.mkBrush(colour)
        return b
