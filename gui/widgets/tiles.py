"""A grid of small images with captions: K-means centres, Bernoulli θ_k, representative digits.

The whole grid is **one** :class:`pyqtgraph.ImageItem` whose RGBA pixels are
built with numpy each time the tiles change (cheap: 20 tiles of 28 x 28 are
~16,000 pixels), never one item per tile. Captions, row titles and column
titles are text items that live in the same coordinates as the pixels, so
they scale with the view and stay aligned in PNG/SVG exports.

Pixel values are mapped linearly from ``levels`` (default: the data's own
minimum and maximum) to 0-255 and drawn as dark ink on white (``invert=True``,
print-friendly). :attr:`TileView.values` keeps those 0-255 intensities (one
uint8 array for the whole grid) and :meth:`TileView.tile` returns one tile of
it, so tests and exports can read exactly what is shown. A tile may have a
coloured frame (its cluster colour, the same as in every other view), and a
slot whose image is all NaN is left empty (a cluster with fewer members than
slots).
"""
from __future__ import annotations

import math
import re

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF
from PySide6.QtWidgets import QFrame, QGraphicsTextItem, QLabel, QScrollArea, QVBoxLayout, QWidget

from gui.widgets.lecture_style import SIZED_BY_VIEW
from gui.widgets.text_room import text_scale

__all__ = ["paint_frame", "TileView", "PrototypesView", "scale_to_uint8", "grid_layout", "titled_box",
           "CAPTION_POINTS", "MIN_CAPTION_POINTS"]

BACKGROUND = (255, 255, 255, 255)
#: The captions' font before the view scales it with the images.
CAPTION_POINTS = 10.0
#: The captions are never drawn smaller than this (times :func:`~gui.widgets.text_room.text_scale`: larger in
#: lecture mode): below it the grid keeps this size and scrolls.
MIN_CAPTION_POINTS = 8.5


def scale_to_uint8(images: np.ndarray, levels: tuple[float, float] | None = None) -> np.ndarray:
    """Map values linearly from ``levels = (lo, hi)`` to 0-255 (rounded, clipped); NaN -> 0.

    Parameters
    ----------
    images : ndarray of any shape
    levels : (float, float) or None
        None: the finite minimum and maximum of ``images`` (a constant array maps to 0).

    Returns
    -------
    ndarray of the same shape, uint8

    Example
    -------
    >>> scale_to_uint8(np.array([0.0, 0.5, 1.0]), (0, 1)).tolist()
    [0, 128, 255]
    """
    a = np.asarray(images, dtype=float)
    finite = np.isfinite(a)
    if levels is None:
        lo, hi = (float(a[finite].min()), float(a[finite].max())) if finite.any() else (0.0, 1.0)
    else:
        lo, hi = float(levels[0]), float(levels[1])
    span = hi - lo if hi > lo else 1.0
    out = np.where(finite, (a - lo) * (255.0 / span), 0.0)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def paint_frame(rgba: np.ndarray, box: tuple[int, int, int, int], width: int, color) -> None:
    """Paint a frame ``width`` pixels wide in ``color`` around the ``(y0, x0, h, w)`` box of an RGBA image.

    >>> im = np.zeros((5, 5, 4), np.uint8)
    >>> paint_frame(im, (1, 1, 3, 3), 1, "#FF0000")
    >>> int(im[0, 0, 0]), int(im[2, 2, 0])
    (255, 0)
    """
    y0, x0, h, w = box
    q = pg.mkColor(color)
    rgb = (q.red(), q.green(), q.blue(), 255)
    ya, yb = max(y0 - width, 0), y0 + h + width
    xa, xb = max(x0 - width, 0), x0 + w + width
    rgba[ya:y0, xa:xb] = rgb
    rgba[y0 + h:yb, xa:xb] = rgb
    rgba[ya:yb, xa:x0] = rgb
    rgba[ya:yb, x0 + w:xb] = rgb


def grid_layout(m: int, ncols: int | None = None) -> tuple[int, int]:
    """(rows, cols) for ``m`` tiles: one row up to 10 tiles, else a near-square grid."""
    if m <= 0:
        return 0, 0
    if ncols is None:
        ncols = m if m <= 10 else int(math.ceil(math.sqrt(m * 1.6)))
    ncols = max(1, min(int(ncols), m))
    return int(math.ceil(m / ncols)), ncols


def titled_box(view: QWidget, title_name: str, min_height: int, spacing: int | None = None
               ) -> tuple[QWidget, QLabel]:
    """A box with a bold, wrapped title (an empty QLabel named ``title_name``) above ``view``.

    ``view`` gets the minimum height ``min_height`` and all the box's spare height;
    ``spacing`` between title and view (None: the style's). Returns (box, title).
    """
    title = QLabel()
    title.setObjectName(title_name)
    title.setStyleSheet("font-weight: bold;")
    title.setWordWrap(True)
    view.setMinimumHeight(min_height)
    box = QWidget()
    v = QVBoxLayout(box)
    v.setContentsMargins(0, 0, 0, 0)
    if spacing is not None:
        v.setSpacing(spacing)
    v.addWidget(title)
    v.addWidget(view, 1)
    return box, title


def _caption_font() -> QFont:
    font = QFont()
    font.setPointSizeF(CAPTION_POINTS)
    return font


def _text_width(texts, line: float) -> float:
    """The widest line of ``texts`` (plain or simple HTML, lines split at ``\\n``) in pixel units of the grid,
    captions being ``line`` units a line (bold text measured bold)."""
    font = _caption_font()
    plain = QFontMetricsF(font)
    bold_font = QFont(font)
    bold_font.setBold(True)
    bold = QFontMetricsF(bold_font)
    widest = 0.0
    for text in texts:
        metrics = bold if "<b>" in text else plain
        for piece in str(text).split("\n"):
            widest = max(widest, metrics.horizontalAdvance(re.sub(r"<[^>]*>", "", piece)))
    return widest * line / plain.lineSpacing()


class _Grid:
    """Where the tiles and texts of a grid go (pixel units of the image): cells as wide as the widest caption
    or column title needs (captions never wrap; in lecture mode they are larger beside the images), a left
    margin as wide as the widest row title."""

    def __init__(self, shape, rows: int, cols: int, captions, row_titles, column_titles):
        h, w = shape
        self.shape, self.cols = shape, cols
        self.frame = max(1, round(w / 14))
        self.gap = gap = max(3, round(w / 5))
        # caption line height: captions as much larger beside the images as the application's text is (lecture)
        self.line = line = max(5.0, h / 4.0) * text_scale()
        n_lines = max((c.count("\n") + 1 for c in captions if c), default=0)
        cap = int(math.ceil(n_lines * line)) if n_lines else 0
        self.left = int(math.ceil(_text_width(row_titles, line) + line * 0.3)) + gap if row_titles else 0
        self.top = int(math.ceil(line * 1.4)) if column_titles else 0
        self.cell_w = max(w + gap, int(math.ceil(max(_text_width(captions, line) + gap / 2,
                                                     _text_width(column_titles, line) + 1))))
        self.pad = (self.cell_w - w - gap) // 2  # a tile in the middle of a wider cell
        self.cell_h = h + gap + cap
        self.H = self.top + rows * self.cell_h + gap
        self.W = self.left + cols * self.cell_w + gap

    def origin(self, i: int) -> tuple[int, int]:
        r, c = divmod(i, self.cols)
        return self.top + self.gap + r * self.cell_h, self.left + self.gap + c * self.cell_w + self.pad

    def texts(self, captions, origins, row_titles, column_titles) -> list:
        """(html, x, y, width, alignment) of each caption, row title and column title."""
        h, _w = self.shape
        gap, line, cell_w = self.gap, self.line, self.cell_w
        out = [(text.replace("\n", "<br>"), origins[i][1] - gap / 2 - self.pad, origins[i][0] + h + self.frame,
                cell_w, "center") for i, text in enumerate(captions) if text]
        out += [(text.replace("\n", "<br>"), 0,
                 self.top + gap + r * self.cell_h + h / 2 - line * (text.count("\n") + 1) / 2, self.left, "right")
                for r, text in enumerate(row_titles) if text]
        out += [(text, self.left + gap + c * cell_w - gap / 2, 0, cell_w, "center")
                for c, text in enumerate(column_titles[:self.cols]) if text]
        return out


class TileView(QWidget):
    """Images in a grid, each with an optional caption and coloured frame.

    Signals
    -------
    sigTileClicked(int)
        The index of the tile the person clicked.

    Attributes
    ----------
    values : ndarray of shape (H, W), uint8
        The 0-255 intensity of every pixel of the grid as drawn (gaps are 0).
    """

    sigTileClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None, invert: bool = True):
        super().__init__(parent)
        self.invert = invert
        self.plot = pg.PlotWidget(background="w")
        pi = self.plot.getPlotItem()
        pi.hideAxis("left")
        pi.hideAxis("bottom")
        pi.setMenuEnabled(False)
        self.vb = pi.getViewBox()
        self.vb.invertY(True)
        self.vb.setAspectLocked(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        # captions scale with the images: a grid too large for the view keeps a readable size and scrolls
        self.scroll = QScrollArea()
        self.scroll.setObjectName("tile_scroll")
        self.scroll.setWidget(self.plot)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._text_scale = 0.0  # image units per caption pixel (0: no captions)
        self.note = QLabel()  # a line of text under the grid (e.g. how the images were chosen)
        self.note.setObjectName("tile_note")
        self.note.setWordWrap(True)
        self.note.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.note)
        self.values = np.zeros((0, 0), dtype=np.uint8)
        self.rgba = np.zeros((0, 0, 4), dtype=np.uint8)
        self.captions: list[str] = []
        self._texts: list[QGraphicsTextItem] = []
        self._origins = np.zeros((0, 2), dtype=int)  # (row, col) pixel of each tile's top-left corner
        self._shape = (0, 0)
        self._key = None
        self._shown_args = None  # the last set_tiles arguments: laid out again when the application font changes
        self.plot.scene().sigMouseClicked.connect(self._on_clicked)

    # ---------------------------------------------------------------- public
    @property
    def n_tiles(self) -> int:
        return int(self._origins.shape[0])

    def tile(self, i: int) -> np.ndarray:
        """The 0-255 intensities shown for tile ``i``, shape ``image_shape``."""
        r, c = self._origins[i]
        h, w = self._shape
        return self.values[r:r + h, c:c + w]

    def set_note(self, text: str):
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def clear(self):
        self.set_tiles(np.zeros((0, 1)), (1, 1))

    def set_tiles(self, images, image_shape, captions=None, colors=None, ncols: int | None = None,
                  levels: tuple[float, float] | None = None, row_titles=None, column_titles=None):
        """Show ``images`` as tiles.

        Parameters
        ----------
        images : ndarray of shape (m, h * w) or (m, h, w)
            One image per tile, in reading order; an all-NaN image leaves its slot empty.
        image_shape : (int, int)
            ``(h, w)`` of one image.
        captions : sequence of str, optional
            One caption per tile (may contain ``\\n`` and simple HTML such as ``<b>`` and
            ``<span style='color:#0072B2'>``); drawn under the tile.
        colors : sequence of colour or None, optional
            Frame colour per tile (None: no frame).
        ncols : int, optional
            Tiles per row (default: see :func:`grid_layout`).
        levels : (float, float), optional
            Values mapped to 0 and 255 (default: the images' min and max).
        row_titles, column_titles : sequence of str, optional
            Text left of each row / above each column.
        """
        self._shown_args = (images, image_shape, captions, colors, ncols, levels, row_titles, column_titles)
        h, w = (int(s) for s in image_shape)
        imgs = np.asarray(images, dtype=float).reshape(-1, h * w)
        m = imgs.shape[0]
        rows, cols = grid_layout(m, ncols)
        captions = [str(c) for c in captions] if captions is not None else []
        row_titles = list(row_titles) if row_titles is not None else []
        column_titles = list(column_titles) if column_titles is not None else []
        g = _Grid((h, w), rows, cols, captions, row_titles, column_titles)
        values = np.zeros((max(g.H, 1), max(g.W, 1)), dtype=np.uint8)
        rgba = np.empty(values.shape + (4,), dtype=np.uint8)
        rgba[:] = BACKGROUND
        origins = np.array([g.origin(i) for i in range(m)], dtype=int).reshape(m, 2)
        scaled = scale_to_uint8(imgs, levels).reshape(m, h, w)
        ink = (255 - scaled) if self.invert else scaled
        for i, (y0, x0) in enumerate(origins):
            if not np.isfinite(imgs[i]).any():
                continue
            values[y0:y0 + h, x0:x0 + w] = scaled[i]
            rgba[y0:y0 + h, x0:x0 + w, :3] = ink[i][..., None]
            col = colors[i] if colors is not None and i < len(colors) else None
            if col is not None:
                paint_frame(rgba, (y0, x0, h, w), g.frame, col)
        self.values, self.rgba, self._origins, self._shape = values, rgba, origins, (h, w)
        self.image.setImage(rgba, levels=(0, 255), autoLevels=False)
        self.image.setRect(0, 0, values.shape[1], values.shape[0])
        self._place_texts(g.texts(captions[:m], origins, row_titles, column_titles), g.line)
        self.captions = captions[:m]
        self._fit_readable(values.shape)
        key = (values.shape, m)
        if key != self._key:
            self._key = key
            self.vb.autoRange(padding=0.02)

    def readable_size(self) -> tuple[int, int]:
        """The smallest (width, height) in pixels at which the captions are :data:`MIN_CAPTION_POINTS` or more."""
        return self.plot.minimumWidth(), self.plot.minimumHeight()

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and self._shown_args is not None:
            self.set_tiles(*self._shown_args)  # captions sized for the new text size (lecture mode)

    # -------------------------------------------------------------- internals
    def _fit_readable(self, shape) -> None:
        """Give the plot the pixel size at which its captions are readable (the scroll area shows the rest)."""
        if self._text_scale <= 0 or not self._texts or not any(t.isVisible() for t in self._texts):
            self.plot.setMinimumSize(0, 0)
            return
        px_per_unit = MIN_CAPTION_POINTS * text_scale() / (CAPTION_POINTS * self._text_scale)
        pad = 1.0 + 2 * 0.02 + 0.02  # autoRange's padding on both sides, and a little room
        self.plot.setMinimumSize(int(math.ceil(shape[1] * px_per_unit * pad)) + 4,
                                 int(math.ceil(shape[0] * px_per_unit * pad)) + 4)

    def _place_texts(self, texts, line: float):
        while len(self._texts) < len(texts):
            item = QGraphicsTextItem()
            item.setData(SIZED_BY_VIEW, True)  # scaled with the images here; lecture mode's factor would overlap them
            item.setDefaultTextColor(QColor("#222222"))
            self.vb.addItem(item, ignoreBounds=True)
            self._texts.append(item)
        font = _caption_font()
        scale = line / QFontMetricsF(font).lineSpacing()
        self._text_scale = scale if texts else 0.0
        for item, (html, x, y, width, align) in zip(self._texts, texts):
            item.setFont(font)
            item.document().setDocumentMargin(0)
            item.setHtml(f"<div align='{align}' style='line-height:100%'>{html}</div>")
            item.setTextWidth(width / scale)
            item.setScale(scale)
            item.setPos(x, y)
            item.setVisible(True)
        for item in self._texts[len(texts):]:
            item.setVisible(False)

    def _on_clicked(self, event):
        if self.n_tiles == 0 or event.button() != Qt.MouseButton.LeftButton:
            return
        p = self.vb.mapSceneToView(event.scenePos())
        h, w = self._shape
        y, x = p.y(), p.x()
        inside = ((self._origins[:, 0] <= y) & (y < self._origins[:, 0] + h)
                  & (self._origins[:, 1] <= x) & (x < self._origins[:, 1] + w))
        hit = np.flatnonzero(inside)
        if hit.size:
            self.sigTileClicked.emit(int(hit[0]))


class PrototypesView(QWidget):
    """Prototype images of a mixture or clustering: three tile grids, one above the other.

    * ``centres``: one tile per cluster (its mean image, or θ_k), captions under them;
    * ``members``: one row per cluster: its prototype, then chosen members, with
      the rule that chose them written under the grid (:meth:`TileView.set_note`);
    * ``compare``: one row per run (e.g. the best run of several K), side by side.

    The grids share the view's height in a vertical splitter (drag the handles
    to give one more room; each grid scales its images to fit and can be
    zoomed), so the whole view is always on screen and File ▸ Export ▸ Current
    tab draws all three. The view computes nothing; its owner fills the three
    grids. Until data with an image shape are shown, a line of text says why
    the view is empty. :attr:`sigShown` tells the owner the view became visible
    (fill it lazily).
    """

    sigShown = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        from PySide6.QtWidgets import QSplitter

        self.message = QLabel("These data are not images, so their centres have no picture to show. Prototype "
                              "images appear here for image data (e.g. File ▸ Examples ▸ MNIST).")
        self.message.setObjectName("prototypes_message")
        self.message.setWordWrap(True)
        self.centres = TileView()
        self.centres.setObjectName("tiles_centres")
        self.members = TileView()
        self.members.setObjectName("tiles_members")
        self.compare = TileView()
        self.compare.setObjectName("tiles_compare")
        self.titles = {}
        self.grids = QSplitter(Qt.Orientation.Vertical)
        self.grids.setObjectName("prototypes_grids")
        self.grids.setChildrenCollapsible(False)
        # captions are screen-sized text under image-scaled tiles: the centres grid needs room for them
        for name, view, stretch, min_height in (("centres", self.centres, 3, 130), ("members", self.members, 4, 80),
                                                ("compare", self.compare, 3, 80)):
            box, self.titles[name] = titled_box(view, f"prototypes_title_{name}", min_height, spacing=0)
            self.grids.addWidget(box)
            self.grids.setStretchFactor(self.grids.count() - 1, stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.message)
        layout.addWidget(self.grids, 1)

    def set_title(self, name: str, text: str):
        self.titles[name].setText(text)
        self.titles[name].setVisible(bool(text))

    def set_available(self, available: bool, message: str = ""):
        """Show the grids (image data) or only ``message`` (other data)."""
        self.grids.setVisible(available)
        if message:
            self.message.setText(message)
        self.message.setVisible(not available)

    def showEvent(self, event):
        super().showEvent(event)
        self.sigShown.emit()


def _demo_widget() -> TileView:
    """Twelve 16 x 16 rings of growing radius, captioned and framed in the cluster colours."""
    from gui.widgets import palette

    yy, xx = np.mgrid[-8:8, -8:8] + 0.5
    radius = np.hypot(yy, xx)
    images = np.array([np.exp(-((radius - 1 - i / 2) ** 2)) for i in range(12)])
    view = TileView()
    view.set_tiles(images, (16, 16), captions=[f"ring {i + 1}\nr = {1 + i / 2:.1f}" for i in range(12)],
                   colors=[palette.color(i % 4) for i in range(12)], ncols=6)
    return view


if __name__ == "__main__":
    from gui.widgets.demo import run_demo

    run_demo(_demo_widget, title="Tiles")
