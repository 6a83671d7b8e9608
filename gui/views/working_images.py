"""Vectors of a step's working drawn as images, under their table in the Working view (MNIST: θ_k, centres).

A table of vectors with many features summarises each row (:mod:`engine.core.working`); the working
then also carries the vectors (:class:`engine.core.working.Images`). For image data (the data set's
``image_shape``, e.g. 28 x 28 for MNIST) :class:`ImageBlock` draws them as one row of tiles
(:class:`gui.widgets.tiles.TileView`), each framed in its cluster's colour and captioned with the
window's name of that cluster, as the scatter's legend and the table headers name it.
As many tiles go in a row as fit the view's width at a size whose captions stay readable
(:meth:`gui.widgets.tiles.TileView.readable_size`) and at most :data:`MAX_TILE_PX` pixels wide; more rows
follow below. The block is exactly as tall as its rows (it never scrolls inside the view's scroll area).
"""
from __future__ import annotations

import html
import math

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout

from engine.core.working import Images
from gui.widgets.tiles import TileView

__all__ = ["ImageBlock", "MAX_TILE_PX", "image_shape_for", "caption"]

#: A caption line holds at most this many characters (a tile's width at the captions' size).
CAPTION_CHARS = 10
#: A tile is drawn at most this many pixels wide (a wide window does not blow 28 x 28 images up to posters).
MAX_TILE_PX = 112
_PAD = 1.0 + 2 * 0.02 + 0.02  # the tile view's auto-range padding on both sides, and a little room
_SLACK = 8  # pixels around the tile view's plot (frame, margins)
_SCROLL_BAR = 20  # room for the view's vertical scroll bar, which may appear once the block is there


def image_shape_for(dataset, d: int):
    """The (h, w) of the data set's images when its points are images of ``d`` pixels, else None."""
    shape = getattr(dataset, "image_shape", None)
    if shape is None or len(shape) != 2 or int(shape[0]) * int(shape[1]) != int(d):
        return None
    return int(shape[0]), int(shape[1])


class ImageBlock(QFrame):
    """The images of one :class:`~engine.core.working.Images` (see the module docstring).

    Parameters
    ----------
    images : engine.core.working.Images
    image_shape : (int, int)
    levels : (float, float)
        The values drawn white and black (the images' own, else the data's range).
    names, colours : sequence of str
        The window's name and colour of each image's cluster (a colour may be None: no frame).
    """

    def __init__(self, images: Images, image_shape, levels, names, colours, parent=None):
        super().__init__(parent)
        self.setObjectName("working_images")
        self.images = images
        self.names = list(names)
        m = int(np.shape(images.values)[0])
        self.title = QLabel(f"<b>{html.escape(images.table)}</b>, as {image_shape[0]}×{image_shape[1]} images "
                            f"(white {_number(levels[0])}, black {_number(levels[1])})")
        self.title.setObjectName("working_images_title")
        self.title.setWordWrap(True)
        self.tiles = TileView()
        self.tiles.setObjectName("working_tiles")
        self.tiles.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tiles.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._args = (images.values, tuple(image_shape), levels,
                      [caption(n) for n in self.names], list(colours))
        self.ncols = min(m, 10)
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 4, 0, 6)
        v.setSpacing(2)
        v.addWidget(self.title)
        v.addWidget(self.tiles)
        self._draw()

    @property
    def captions(self) -> list[str]:
        """The tiles' captions as drawn (HTML)."""
        return list(self.tiles.captions)

    def _draw(self):
        values, shape, levels, captions, colours = self._args
        self.tiles.set_tiles(values, shape, captions=captions, colors=colours, ncols=self.ncols, levels=levels)

    def set_text_width(self, width: int) -> None:
        """Lay the tiles out for the view's visible ``width``: as many per row as fit readably, each at most
        :data:`MAX_TILE_PX` wide; the block as tall as its rows."""
        width = max(120, int(width) - _SCROLL_BAR)
        self.title.setMaximumWidth(width)
        self.title.setMinimumHeight(max(0, self.title.heightForWidth(width)))
        m = len(self.names)
        grid_w, _ = self.tiles.values.shape[1], self.tiles.values.shape[0]
        read_w, _ = self.tiles.readable_size()
        tile_units = self._args[1][1] + max(3, round(self._args[1][1] / 5))  # a tile and its gap, image units
        ppu_read = max(read_w - 4, 1) / (grid_w * _PAD)  # screen pixels per image unit at the least readable size
        ppu_max = max(MAX_TILE_PX / self._args[1][1], ppu_read)
        per_col = tile_units * ppu_read * _PAD
        cols = max(1, min(m, int((width - _SLACK) // max(per_col, 1))))
        if cols != self.ncols:
            self.ncols = cols
            self._draw()
        H, W = self.tiles.values.shape
        ppu = min(ppu_max, (width - _SLACK) / (W * _PAD))
        ppu = max(ppu, ppu_read)
        self.tiles.setFixedSize(int(math.ceil(W * ppu * _PAD)) + _SLACK, int(math.ceil(H * ppu * _PAD)) + _SLACK)
        self.tiles.vb.autoRange(padding=0.02)


def caption(name: str) -> str:
    r"""A tile's caption: the cluster's name in bold dark text (the tile's frame carries the colour; a light
    colour such as the palette's yellow would not read as text). A name longer than a tile is wide
    (:data:`CAPTION_CHARS`) is broken at a space into lines, which the tiles make room for.

    >>> caption("cluster 3"), caption("the black group")
    ('<b>cluster 3</b>', '<b>the black\ngroup</b>')
    """
    words, lines = str(name).split(" "), [""]
    for word in words:
        if lines[-1] and len(lines[-1]) + 1 + len(word) > CAPTION_CHARS:
            lines.append(word)
        else:
            lines[-1] = f"{lines[-1]} {word}".strip()
    return "<b>" + "\n".join(html.escape(line) for line in lines) + "</b>"


def _number(v: float) -> str:
    return f"{float(v):.3g}"
