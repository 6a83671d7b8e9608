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

Every point sits on its own screen pixel (the image has one pixel per screen pixel, ``f`` with an
oversampling factor ``f`` for exports at 2x-4x) and is drawn as a round stamp ``splat`` screen pixels
across (:func:`splat_size`; :meth:`RasterLayer.set_mark_scale` makes it larger, as lecture mode makes every
mark), centred on that pixel. A coarser grid (one image pixel per point, several screen pixels wide) drew
dense data as blocks on a 3-pixel lattice, which a small window showed as a mosaic.

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

__all__ = ["RasterLayer", "pack_rgba", "splat_size", "stamp_offsets"]


def splat_size(n: int) -> int:
    """Screen pixels across a point: 3 for fewer than 50,000 points, else 2 (dense data stay legible)."""
    return 3 if n < 50_000 else 2


def stamp_offsets(size: int, stride: int) -> np.ndarray:
    """Flat offsets (row-major, ``stride`` pixels a row) of a round stamp ``size`` pixels across, from its
    top-left corner: a square up to 3 pixels, a disc beyond.

    >>> stamp_offsets(2, 10).tolist()
    [0, 1, 10, 11]
    >>> len(stamp_offsets(6, 100))  # a 6 x 6 square without its corners
    32
    """
    size = max(int(size), 1)
    c = (size - 1) / 2
    dy, dx = np.mgrid[0:size, 0:size]
    inside = (dx - c) ** 2 + (dy - c) ** 2 <= (size / 2) ** 2 + 0.5
    return (dy[inside] * stride + dx[inside]).astype(np.int64)


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
        self.mark_scale = 1.0  # points drawn this many times larger (lecture mode)
        self.pix: np.ndarray | None = None  # flat pixel index of each point inside the view
        self.inside: np.ndarray | None = None  # indices of those points (None = every point)
        self.buf: np.ndarray | None = None  # (rows, stride) uint32 RGBA image
        self.rect = QRectF()
        self._rect_dirty = False
        self._offsets = np.zeros(1, dtype=np.int64)  # flat offsets of a point's stamp from its corner pixel

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

    def set_mark_scale(self, scale: float) -> bool:
        """Points ``scale`` times their normal size (lecture mode); True if that changed (then :meth:`remap`)."""
        scale = max(float(scale), 0.25)
        changed = abs(scale - self.mark_scale) > 1e-9
        self.mark_scale = scale
        return changed

    def _viewport_pixels(self) -> tuple[int, int]:
        r = self.vb.boundingRect()
        return max(int(math.ceil(r.width())), 1), max(int(math.ceil(r.height())), 1)

    # ---------------------------------------------------------------- mapping
    def remap(self, Y: np.ndarray):
        """Map the points ``Y`` (n, 2) to pixels of an image covering the visible range."""
        (x0, x1), (y0, y1) = self.vb.viewRange()
        w_px, h_px = self._viewport_pixels()
        f = self.oversample
        size = max(int(round(splat_size(Y.shape[0]) * self.mark_scale * f)), 1)  # image pixels across a point
        W, H = w_px * f, h_px * f
        # a stamp whose top-left corner is at a point's pixel: the image has size - 1 spare columns and rows,
        # and is shifted by half a stamp so that each stamp is centred on its point
        stride, rows = W + size - 1, H + size - 1
        self._offsets = stamp_offsets(size, stride)
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
        dx, dy = (x1 - x0) / W, (y1 - y0) / H
        half = (size - 1) / 2  # columns from a stamp's first to its centre: the centre lands on the point's pixel
        self.rect = QRectF(x0 - half * dx, y0 - half * dy, stride * dx, rows * dy)
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
        """Write colours at pixel indices as round stamps (the last point drawn at a pixel wins)."""
        for o in self._offsets.tolist():
            if o:
                flat[pix + o] = colours
            else:
                flat[pix] = colours
