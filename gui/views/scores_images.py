"""The images of one contingency cell, under the table of the Scores view (image data such as MNIST).

Clicking a cell of the contingency table rings its points on the scatter; when the data are images
(``dataset.image_shape``) this strip also shows the first :data:`MAX_IMAGES` of them as thumbnails
(:class:`gui.widgets.tiles.TileView`), each framed in its cluster's colour and captioned ``#i`` with its
point number (``point i`` everywhere else in the window). As many thumbnails go in a row as fit the strip's width with
captions of at least 8.5 pt (:meth:`gui.widgets.tiles.TileView.readable_size`); more rows scroll. Clicking a
thumbnail emits :attr:`CellImages.sigPointClicked` with that point's index (the Scores view rings it on the
scatter) and frames the thumbnail in magenta, its caption bold. The strip computes nothing; the Scores view
fills it.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gui.widgets.tiles import TileView

__all__ = ["CellImages", "MAX_IMAGES", "PER_ROW", "CHOSEN"]

#: At most this many thumbnails of a cell.
MAX_IMAGES = 24
#: At most this many thumbnails per row of the strip (fewer when the strip is narrow).
PER_ROW = 12
#: The frame of the thumbnail whose point is ringed (no cluster has this colour).
CHOSEN = "#FF00FF"


class CellImages(QWidget):
    """A strip of thumbnails of the points of one contingency cell (see the module docstring).

    Attributes
    ----------
    indices : ndarray of int
        The point index of each thumbnail, in order.
    total : int
        How many points the cell has (may exceed ``indices.size``).

    Signals
    -------
    sigPointClicked(int)
        The point index of the thumbnail the person clicked.
    """

    sigPointClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("cell_images")
        self.title = QLabel()
        self.title.setObjectName("cell_images_title")
        self.title.setWordWrap(True)
        self.tiles = TileView()
        self.tiles.setObjectName("cell_images_tiles")
        self.tiles.setMinimumHeight(90)
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 2, 0, 0)
        v.setSpacing(2)
        v.addWidget(self.title)
        v.addWidget(self.tiles, 1)
        self.tiles.sigTileClicked.connect(self._on_tile)
        self.indices = np.zeros(0, dtype=np.int64)
        self.total = 0
        self.chosen: int | None = None
        self.ncols = PER_ROW
        self._args = None
        self._relayout = QTimer(self)
        self._relayout.setSingleShot(True)
        self._relayout.setInterval(50)
        self._relayout.timeout.connect(self._fit_columns)
        self.hide()

    def show_points(self, images, indices, image_shape, colour: str, levels, title: str):
        """Show the images of the points ``indices`` (the first :data:`MAX_IMAGES`); ``images`` is the data
        (n, h * w) they are taken from, ``colour`` their cluster's, ``title`` what the cell is."""
        idx = np.asarray(indices, dtype=np.int64).reshape(-1)
        self.total = int(idx.size)
        self.indices = idx[:MAX_IMAGES]
        self.chosen = None
        if self.total == 0:
            self.clear_points()
            return
        shown = "all" if self.total <= MAX_IMAGES else f"the first {MAX_IMAGES} of"
        self.title.setText(f"Images of {shown} {self.total:,} point(s) of {title} "
                           "(#i = point i; click one to ring it on the scatter)")
        self._args = (np.asarray(images)[self.indices], tuple(image_shape), colour, levels)
        self.ncols = PER_ROW
        self._draw()
        self.show()
        self._fit_columns()

    def clear_points(self):
        self.indices = np.zeros(0, dtype=np.int64)
        self.total = 0
        self.chosen = None
        self._args = None
        self.tiles.clear()
        self.hide()

    def captions(self) -> list[str]:
        """``#i`` (point i) under each thumbnail; the chosen one bold."""
        return [f"<b>#{int(i) + 1}</b>" if self.chosen == int(i) else f"#{int(i) + 1}" for i in self.indices]

    def preferred_height(self) -> int:
        """Pixels for the title and up to two rows of readable thumbnails."""
        m = int(self.indices.size)
        if m == 0:
            return 0
        rows = -(-m // max(self.ncols, 1))
        _, grid_h = self._readable()
        per_row = grid_h / max(rows, 1)
        return int(self.title.sizeHint().height() + min(rows, 2) * per_row + 12)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if self._args is not None:
            self._relayout.start()

    def _readable(self) -> tuple[int, int]:
        size = getattr(self.tiles, "readable_size", None)  # the captions' readable size, when tiles know it
        w, h = size() if size is not None else (0, 0)
        return (w, h) if w > 0 else (self.tiles.width(), self.tiles.height())

    def _columns(self) -> int:
        """As many thumbnails per row as fit the width at a readable size (1 .. :data:`PER_ROW`)."""
        m = max(int(self.indices.size), 1)
        grid_w, _ = self._readable()
        cols_now = min(self.ncols, m)
        per_col = grid_w / max(cols_now, 1)
        room = max(self.width(), 120) - 24  # a vertical scroll bar may take some
        return max(1, min(PER_ROW, m, int(room // per_col) if per_col > 0 else PER_ROW))

    def _draw(self):
        images, shape, colour, levels = self._args
        colours = [CHOSEN if self.chosen == int(i) else colour for i in self.indices]
        self.tiles.set_tiles(images, shape, captions=self.captions(), colors=colours,
                             ncols=min(self.ncols, len(self.indices)), levels=levels)

    def _fit_columns(self):
        if self._args is None:
            return
        cols = self._columns()
        if cols != min(self.ncols, self.indices.size):
            self.ncols = cols
            self._draw()

    def _on_tile(self, j: int):
        if 0 <= j < self.indices.size:
            self.chosen = int(self.indices[j])
            self._draw()
            self.sigPointClicked.emit(self.chosen)
