"""The images of one contingency cell, under the table of the Scores view (image data such as MNIST).

Clicking a cell of the contingency table rings its points on the scatter; when the data are images
(``dataset.image_shape``) this strip also shows the first :data:`MAX_IMAGES` of them as thumbnails
(:class:`gui.widgets.tiles.TileView`), each framed in its cluster's colour and captioned ``#i`` with its
point number (``point i`` everywhere else in the window). Clicking a thumbnail emits
:attr:`CellImages.sigPointClicked` with that point's index (the Scores view rings it on the scatter) and
frames the thumbnail in black. The strip computes nothing; the Scores view fills it.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gui.widgets.tiles import TileView

__all__ = ["CellImages", "MAX_IMAGES", "PER_ROW", "CHOSEN"]

#: At most this many thumbnails of a cell.
MAX_IMAGES = 24
#: Thumbnails per row of the strip.
PER_ROW = 12
#: The frame of the thumbnail whose point is ringed.
CHOSEN = "#000000"


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
        self._args = None
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
        self._draw()
        self.show()

    def clear_points(self):
        self.indices = np.zeros(0, dtype=np.int64)
        self.total = 0
        self.chosen = None
        self._args = None
        self.tiles.clear()
        self.hide()

    def captions(self) -> list[str]:
        return [f"#{int(i) + 1}" for i in self.indices]

    def _draw(self):
        images, shape, colour, levels = self._args
        colours = [CHOSEN if self.chosen == int(i) else colour for i in self.indices]
        self.tiles.set_tiles(images, shape, captions=self.captions(), colors=colours,
                             ncols=min(PER_ROW, len(self.indices)), levels=levels)

    def _on_tile(self, j: int):
        if 0 <= j < self.indices.size:
            self.chosen = int(self.indices[j])
            self._draw()
            self.sigPointClicked.emit(self.chosen)
