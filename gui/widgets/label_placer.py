"""Texts pinned to points (point names, numbered means, modes) placed where they cover nothing (#12, item 6).

A :class:`LabelPlacer` places each of its :class:`pyqtgraph.TextItem` beside its point, on one of eight sides
(the four corners, then right, above, left, below), as far from the point as the largest mark drawn there (a
centre's diamond, a starting cross, a highlight ring) plus a gap, so a name never sits on its own point's mark.
Of the sides inside the plot that cover no text placed before it, it takes the one that covers the least of
what the plot draws, weighed:

* a text of the plot that this placer does not own (another overlay's "start 1"): :data:`TEXT_COST`;
* a large mark (:data:`LARGE_MARK` pixels or more across, times :func:`~gui.widgets.text_room.text_scale` as
  lecture mode makes marks larger: centres, means, crosses, modes): :data:`MARK_COST`;
* a data point: 1; a stretch of a line (trails, ellipses; sampled every few pixels): :data:`LINE_COST`;

ties going to the earlier side (the item's preferred side first, then its mirror images). When every side
covers a text or a large mark (means crowded together), the sides a line further out are tried; a text with
no clear side there either is hidden when ``drop`` is true (:attr:`LabelPlacer.dropped`), else put on the side
that covers least. :meth:`LabelPlacer.schedule` places once
the event loop is free (after a step, when every overlay has moved; after its ViewBox was resized or its range
changed, when every item has its new geometry); lecture mode (:mod:`gui.widgets.lecture_style`) places again after it scaled
the texts and marks (:func:`place_all`).
"""
from __future__ import annotations

import weakref

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QTimer

from gui.widgets.text_room import text_scale

__all__ = ["LabelPlacer", "place_all", "TEXT_COST", "MARK_COST", "LINE_COST", "LARGE_MARK"]

TEXT_COST = 50.0
MARK_COST = 10.0
LINE_COST = 0.3
LARGE_MARK = 12.0  # pixels across
GAP = 2.0  # pixels between a text and its point's mark
MAX_MARKS = 5000  # a scatter item with more points (drawn as a raster anyway) is not looked at
_PLACERS = "_clusterlab_label_placers"  # a ViewBox's placers (weak references), for place_all

# (horizontal, vertical) sides: +1 right / below, -1 left / above (scene y grows downwards), 0 centred
_CORNERS = ((1, -1), (-1, -1), (1, 1), (-1, 1))
_SIDES = ((1, 0), (0, -1), (-1, 0), (0, 1))


def place_all(vb) -> None:
    """Place again the texts of every placer of ``vb`` (after their fonts or the marks changed size)."""
    for ref in list(getattr(vb, _PLACERS, ())):
        placer = ref()
        if placer is not None:
            placer.place()


def _side_of(anchor) -> tuple[int, int]:
    """The side a TextItem anchor puts its text on: (-0.15, 1.0) -> right and above (1, -1)."""
    ax, ay = anchor
    return (1 if ax < 0.35 else -1 if ax > 0.65 else 0), (-1 if ay > 0.65 else 1 if ay < 0.35 else 0)


def _order(side: tuple[int, int]) -> list[tuple[int, int]]:
    """The eight sides, ``side`` first, then its mirror images, then the rest."""
    h, v = side
    first = [(h, v), (-h, v), (h, -v), (-h, -v)]
    out = []
    for s in first + list(_CORNERS) + list(_SIDES):
        if s != (0, 0) and s not in out:
            out.append(s)
    return out


def _to_scene(item, x, y) -> tuple[np.ndarray, np.ndarray]:
    t = item.sceneTransform()
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return t.m11() * x + t.m21() * y + t.m31(), t.m12() * x + t.m22() * y + t.m32()


def _scatter_marks(item: pg.ScatterPlotItem, large: float) -> np.ndarray:
    """(m, 4) circles (x, y, radius, cost) of a pixel-sized scatter's visible points, in scene pixels."""
    data = item.data
    if len(data) == 0 or len(data) > MAX_MARKS or not item.opts.get("pxMode", True):
        return np.empty((0, 4))
    keep = data["visible"].astype(bool) if "visible" in data.dtype.names else np.ones(len(data), bool)
    sizes = np.where(data["size"] < 0, float(item.opts.get("size", 7)), data["size"]).astype(float)
    x, y = _to_scene(item, data["x"], data["y"])
    ok = keep & np.isfinite(x) & np.isfinite(y)
    r = sizes / 2 + 1.0
    cost = np.where(sizes >= large, MARK_COST, 1.0)
    return np.column_stack([x, y, r, cost])[ok]


def _curve_marks(item: pg.PlotCurveItem) -> np.ndarray:
    """Circles along a curve's segments, one every few pixels (``connect="all"``; NaN breaks the line)."""
    x, y = item.getData()
    if x is None or len(x) < 2:
        return np.empty((0, 4))
    sx, sy = _to_scene(item, x, y)
    P = np.column_stack([sx, sy])
    if item.opts.get("connect", "all") != "all" or len(P) > MAX_MARKS:
        P = P[np.isfinite(P).all(axis=1)]
        pieces = P
    else:
        a, b = P[:-1], P[1:]
        ok = np.isfinite(a).all(axis=1) & np.isfinite(b).all(axis=1)
        a, b = a[ok], b[ok]
        n = np.clip(np.ceil(np.hypot(*(b - a).T) / 4.0).astype(int), 1, 200) if len(a) else np.zeros(0, int)
        seg = np.repeat(np.arange(len(a)), n)
        s = (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)) / np.repeat(n, n)
        pieces = a[seg] + (b[seg] - a[seg]) * s[:, None] if len(seg) else np.empty((0, 2))
    pen = item.opts.get("pen")
    width = pg.mkPen(pen).widthF() if pen is not None else 1.0
    r = np.full(len(pieces), max(width, 1.0) / 2 + 1.0)
    return np.column_stack([pieces, r, np.full(len(pieces), LINE_COST)])


def _glyphs(item: pg.TextItem) -> QRectF:
    """The size of a TextItem's text without its document margin (what a reader sees), at (0, 0)."""
    full = item.textItem.boundingRect()
    m = item.textItem.document().documentMargin()
    return QRectF(0, 0, max(full.width() - 2 * m, 1.0), max(full.height() - 2 * m, 1.0))


class LabelPlacer:
    """Texts pinned to points kept inside their ViewBox, apart, and off the plot's marks (module docstring).

    Parameters
    ----------
    vb : pyqtgraph.ViewBox
    items : callable
        ``items()`` -> the TextItems to place now (the placer shows or hides them).
    drop : bool
        Hide a text that has no side free of the texts placed before it.
    watch : bool
        Also place again whenever anything in the scene changed (an overlay drawn a mark where a text is):
        for the texts of a view that does not know its overlays (the scatter's point names). Placing changes
        nothing when every text is where it should be, so this settles after one pass.
    """

    def __init__(self, vb: pg.ViewBox, items, drop: bool = True, watch: bool = False):
        self.vb = vb
        self.items = items
        self.drop = drop
        self.watch = watch
        self._watched = None  # the scene whose changes are followed
        self.dropped: list = []
        self.preferred: dict[int, tuple[float, float]] = {}
        # not a child of the ViewBox: Qt would delete it with the box and Python once more at exit (a crash);
        # stopped when the box goes, and place() gives up quietly on a box that is gone
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        vb.destroyed.connect(self._timer.stop)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.place)
        vb.sigResized.connect(self.schedule)  # once the box and every item in it have their new geometry
        vb.sigRangeChanged.connect(self.schedule)
        placers = vb.__dict__.setdefault(_PLACERS, [])
        placers[:] = [r for r in placers if r() is not None] + [weakref.ref(self)]

    def disconnect(self):
        try:
            self._timer.stop()
        except RuntimeError:
            pass
        if self._watched is not None:
            try:
                self._watched.changed.disconnect(self._on_scene_changed)
            except (RuntimeError, TypeError):
                pass
            self._watched = None
        try:
            for signal in (self.vb.sigResized, self.vb.sigRangeChanged):
                signal.disconnect(self.schedule)
        except (RuntimeError, TypeError):
            pass
        placers = self.vb.__dict__.get(_PLACERS, [])
        placers[:] = [r for r in placers if r() is not None and r() is not self]

    def set_preferred(self, item, anchor: tuple[float, float]):
        """``item``'s own side, given as a TextItem anchor (the side it takes when nothing is in the way)."""
        self.preferred[id(item)] = (float(anchor[0]), float(anchor[1]))

    def schedule(self):
        """Place once the event loop is free (every overlay of the step drawn by then)."""
        try:
            self._timer.start()
        except RuntimeError:  # the ViewBox (and its timer) is gone
            pass

    def _on_scene_changed(self, *_):
        try:
            if not self._timer.isActive():
                self._timer.start()
        except RuntimeError:  # the ViewBox is gone; its scene outlived it
            self.disconnect()

    def _watch_scene(self):
        scene = self.vb.scene()
        if self.watch and scene is not None and scene is not self._watched:
            if self._watched is not None:
                try:
                    self._watched.changed.disconnect(self._on_scene_changed)
                except (RuntimeError, TypeError):
                    pass
            scene.changed.connect(self._on_scene_changed)
            self._watched = scene

    def _obstacles(self, own: set) -> tuple[np.ndarray, list[QRectF]]:
        """The marks (circles) and the other texts (rectangles) the ViewBox draws now, in scene pixels."""
        circles, rects = [], []
        large = LARGE_MARK * text_scale()  # lecture mode: every mark is larger, data points too
        for item in self.vb.childGroup.childItems():  # everything drawn in the box (addedItems: bounds only)
            if not item.isVisible():
                continue
            if isinstance(item, pg.TextItem):
                if id(item) not in own and item.textItem.toPlainText().strip():
                    rects.append(item.mapRectToScene(item.boundingRect()))
                continue
            parts = (item.curve, item.scatter) if isinstance(item, pg.PlotDataItem) else (item,)
            for part in parts:
                if not part.isVisible():
                    continue
                if isinstance(part, pg.ScatterPlotItem):
                    circles.append(_scatter_marks(part, large))
                elif isinstance(part, pg.PlotCurveItem):
                    circles.append(_curve_marks(part))
        marks = np.concatenate(circles) if circles else np.empty((0, 4))
        return marks, rects

    def place(self, *_):
        try:
            self._timer.stop()
            self._watch_scene()
        except RuntimeError:  # the ViewBox is gone
            self.disconnect()
            return
        self.vb.childTransform()  # pyqtgraph updates the items' transform lazily (at paint): bring it up to date
        texts = [t for t in self.items() if t.scene() is not None]
        box = self.vb.sceneBoundingRect()
        marks, others = self._obstacles({id(t) for t in texts})
        placed: list[QRectF] = []
        self.dropped = []
        for item in texts:
            rect, ok = self._choose(item, box, marks, others, placed)
            at = self.vb.mapViewToScene(item.pos())
            self._put(item, rect, at.x(), at.y())
            hide = self.drop and not ok
            if item.isVisible() == hide:  # (changing nothing when nothing moved: no scene change, no new pass)
                item.setVisible(not hide)
            if hide:
                self.dropped.append(item)
            else:
                placed.append(rect)

    def _choose(self, item, box: QRectF, marks: np.ndarray, others: list, placed: list) -> tuple[QRectF, bool]:
        """``item``'s rectangle and whether it is clear: on the first of two rings around its point (at its mark's
        radius, then a line further out) where some side covers no text and no large mark, the side covering the
        least; with none, the least covering side free of the texts placed (not clear when ``drop``)."""
        side = _side_of(self.preferred.setdefault(id(item), tuple(item.anchor)))
        at = self.vb.mapViewToScene(item.pos())
        px, py = at.x(), at.y()
        near = marks[(np.abs(marks[:, 0] - px) < 1.5) & (np.abs(marks[:, 1] - py) < 1.5) & (marks[:, 3] >= 1)] \
            if len(marks) else marks
        d = (float(near[:, 2].max()) if len(near) else 0.0) + GAP
        size = _glyphs(item)
        fallback = None
        for ring in (d, d + 1.2 * size.height()):
            rects = [self._rect(px, py, h, v, ring, size) for h, v in _order(side)]
            inside = [r for r in rects if box.contains(r)]
            free = [(*self._cost(r, marks, others), k, r) for k, r in enumerate(inside)
                    if not any(p.intersects(r) for p in placed)]
            clear = [c for c in free if c[0] == 0]
            if clear:
                return min(clear, key=lambda c: c[1:3])[3], True
            if fallback is None:
                fallback = min(free, key=lambda c: c[:3])[3] if free else (inside or rects)[0]
                fallback_free = bool(free)
        return fallback, fallback_free and not self.drop

    @staticmethod
    def _rect(px: float, py: float, h: int, v: int, d: float, size: QRectF) -> QRectF:
        """The text's rectangle on side (h, v) of the point (px, py), ``d`` pixels from it (corners: diagonally)."""
        w, hh = size.width(), size.height()
        k = 0.71 if h and v else 1.0
        left = px + d * k if h > 0 else px - d * k - w if h < 0 else px - w / 2
        top = py + d * k if v > 0 else py - d * k - hh if v < 0 else py - hh / 2
        return QRectF(left, top, w, hh)

    @staticmethod
    def _cost(rect: QRectF, marks: np.ndarray, others: list[QRectF]) -> tuple[float, float]:
        """(what ``rect`` must not cover: other texts and large marks, weighed; what it had better not: points
        and lines)."""
        hard = TEXT_COST * sum(1 for o in others if o.intersects(rect))
        soft = 0.0
        if len(marks):
            dx = np.maximum(np.maximum(rect.left() - marks[:, 0], marks[:, 0] - rect.right()), 0.0)
            dy = np.maximum(np.maximum(rect.top() - marks[:, 1], marks[:, 1] - rect.bottom()), 0.0)
            cost = marks[(dx * dx + dy * dy) < marks[:, 2] ** 2, 3]
            hard += float(cost[cost >= MARK_COST].sum())
            soft = float(cost[cost < MARK_COST].sum())
        return hard, soft

    @staticmethod
    def _put(item: pg.TextItem, rect: QRectF, px: float, py: float):
        """Anchor ``item`` so that its text (inside the document margin) fills ``rect``."""
        full = item.textItem.boundingRect()
        m = item.textItem.document().documentMargin()
        left, top = rect.left() - m, rect.top() - m
        anchor = ((px - left) / max(full.width(), 1.0), (py - top) / max(full.height(), 1.0))
        if abs(anchor[0] - item.anchor[0]) > 1e-4 or abs(anchor[1] - item.anchor[1]) > 1e-4:
            item.setAnchor(anchor)
