"""Drawing many points as one image: the fast path of :class:`gui.widgets.scatter.ScatterView`.

pyqtgraph's per-point symbols cost about 300 ms for 100,000 points. A
:class:`RasterLayer` instead splats the points into an RGBA image
(:class:`pyqtgraph.ImageItem`) that covers the visible range:

* :meth:`RasterLayer.remap` maps positions to flat pixel indices, once per new
  set of points and once per (debounced) change of the visible range or
  widget size; points outside the view are left out.
* :meth:`RasterLayer.render` then only writes colours: one numpy gather of a
  colour per point (done by the caller's ``colour_of``) and one scatter into
  the image, O(n), the last point drawn at a pixel winning. Redrawing a step
  with new labels or new colours never maps positions again.

Points are ``SPLAT`` x ``SPLAT`` screen pixels (one image pixel); with an
oversampling factor ``f`` (export at 2x-4x) the image is ``f`` times finer and
each point an ``f x f`` square, so points keep their size but sit on a finer grid.

Colours are ``uint32`` values of RGBA bytes (``rgba.view(np.uint32)`` of an
``(m, 4)`` uint8 array), so one point costs one 4-byte store.

Example
-------
>>> import numpy as np
>>> colours = np.array([[255, 0, 0, 255], [0, 0, 255, 255]], dtype=np.uint8).view(np.uint32).ravel()
>>> colours.shape
(2,)
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

__all__ = ["RasterLayer", "pack_rgba", "splat_size"]


def splat_size(n: int) -> int:
    """Screen pixels per image pixel: 3 for fewer than 50,000 points, else 2 (dense data stay legible)."""
    return 3 if n < 50_000 else 2


def pack_rgba(rgba: np.ndarray) -> np.ndarray:
    """(m, 4) uint8 RGBA rows -> (m,) uint32 (the same bytes), for one store per point."""
    return np.ascontiguousarray(rgba, dtype=np.uint8).view(np.uint32).reshape(-1)


class RasterLayer:
    """An image of the points over a :class:`pyqtgraph.ViewBox` (see the module docstring).

    Parameters
    ----------
    vb : pyqtgraph.ViewBox
        The image is added to it (ignored by auto-range) at z-value ``z``.
    """

    def __init__(self, vb: pg.ViewBox, z: float = -6):
        self.vb = vb
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(z)
        self.image.setVisible(False)
        vb.addItem(self.image, ignoreBounds=True)  # the image must not feed auto-range
        self.oversample = 1
        self.pix: np.ndarray | None = None  # flat pixel index of each point inside the view
        self.inside: np.ndarray | None = None  # indices of those points (None = every point)
        self.buf: np.ndarray | None = None  # (rows, stride) uint32 RGBA image
        self.rect = QRectF()
        self._rect_dirty = False
        self._offsets: list[int] = []  # flat offsets of an oversampled point's f x f square

    # ---------------------------------------------------------------- state
    def set_visible(self, visible: bool):
        self.image.setVisible(bool(visible))

    def reset(self):
        """Forget the mapping and the image (when leaving raster mode)."""
        self.pix = self.inside = self.buf = None
        self.image.clear()

    def set_oversample(self, factor: int) -> bool:
        """Image ``factor`` (1-4) times finer than the splat grid; True if that changed (then :meth:`remap`)."""
        factor = int(min(max(int(factor), 1), 4))
        changed = factor != self.oversample
        self.oversample = factor
        return changed

    def _viewport_pixels(self) -> tuple[int, int]:
        r = self.vb.boundingRect()
        return max(int(math.ceil(r.width())), 1), max(int(math.ceil(r.height())), 1)

    # ---------------------------------------------------------------- mapping
    def remap(self, Y: np.ndarray):
        """Map the points ``Y`` (n, 2) to pixels of an image covering the visible range."""
        (x0, x1), (y0, y1) = self.vb.viewRange()
        w_px, h_px = self._viewport_pixels()
        splat, f = splat_size(Y.shape[0]), self.oversample
        W, H = max(w_px // splat, 1) * f, max(h_px // splat, 1) * f
        # an f x f stamp at a point's pixel: the image has f - 1 spare columns and rows
        stride, rows = W + f - 1, H + f - 1
        self._offsets = [dy * stride + dx for dy in range(f) for dx in range(f)] if f > 1 else []
        cx = np.floor((Y[:, 0] - x0) * (W / (x1 - x0))).astype(np.int64)
        cy = np.floor((Y[:, 1] - y0) * (H / (y1 - y0))).astype(np.int64)
        ok = (cx >= 0) & (cx < W) & (cy >= 0) & (cy < H)
        if ok.all():
            self.inside = None
            self.pix = cy * stride + cx
        else:
            self.inside = np.flatnonzero(ok)
            self.pix = cy[self.inside] * stride + cx[self.inside]
        if self.buf is None or self.buf.shape != (rows, stride):
            self.buf = np.zeros((rows, stride), dtype=np.uint32)
        self.rect = QRectF(x0, y0, (x1 - x0) * stride / W, (y1 - y0) * rows / H)
        self._rect_dirty = True

    # ---------------------------------------------------------------- drawing
    def render(self, colour_of: Callable, keep: np.ndarray | None = None, highlight: np.ndarray | None = None,
               highlight_colour_of: Callable | None = None):
        """Draw the points.

        Parameters
        ----------
        colour_of : callable
            ``colour_of(idx)`` -> uint32 colours of the points ``idx`` (an int array), or of every
            point when ``idx`` is None; a single uint32 for one colour.
        keep : ndarray of bool, shape (n,), optional
            Points to draw (hidden clusters are False); None draws all.
        highlight : ndarray of int, optional
            Points drawn again on top with ``highlight_colour_of`` (the others are dimmed by the caller).
        """
        if self.buf is None or self.pix is None:
            return
        flat = self.buf.reshape(-1)
        flat.fill(0)
        pix, inside = self.pix, self.inside
        if keep is None:
            sel = inside
        else:
            mine = keep if inside is None else keep[inside]
            pix = pix[mine]
            sel = np.flatnonzero(keep) if inside is None else inside[mine]
        self._stamp(flat, pix, colour_of(sel))
        if highlight is not None and highlight.size and highlight_colour_of is not None:
            h = highlight
            if inside is not None:
                pos = np.searchsorted(inside, h)
                ok = (pos < inside.size) & (inside[np.minimum(pos, inside.size - 1)] == h)
                h, hp = h[ok], pos[ok]
            else:
                hp = h
            if keep is not None:
                ok = keep[h]
                h, hp = h[ok], hp[ok]
            self._stamp(flat, self.pix[hp], highlight_colour_of(h))
        buf = self.buf
        self.image.setImage(buf.view(np.uint8).reshape(buf.shape[0], buf.shape[1], 4), autoLevels=False)
        if self._rect_dirty:  # only after a remap: a redraw for new colours keeps the image's place
            self.image.setRect(self.rect)
            self._rect_dirty = False

    def _stamp(self, flat: np.ndarray, pix: np.ndarray, colours):
        """Write colours at pixel indices (the last point at a pixel wins), as f x f squares."""
        if not self._offsets:
            flat[pix] = colours
            return
        for o in self._offsets:
            flat[pix + o] = colours
