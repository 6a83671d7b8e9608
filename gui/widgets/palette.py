"""Cluster colours shared by every view: cluster ``i`` has the same colour everywhere.

The first eight colours are the Okabe-Ito palette (Okabe & Ito, 2008), which
stays distinguishable for the common forms of colour blindness. Clusters 8
and beyond reuse the colours with a different marker shape in symbol views
(:func:`symbol`), and take colours from Paul Tol's colour-blind-safe "muted"
and "light" schemes in raster views, where shapes are not available.

Unassigned points (label ``-1``) are drawn in light grey.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor

__all__ = ["OKABE_ITO", "color", "hex_color", "rgba_table", "label_colors", "symbol", "UNASSIGNED"]

# Okabe-Ito, ordered so that the first few read well on white (yellow last but one).
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)
# Paul Tol's "muted" then "light" schemes, for clusters 8 and beyond in raster views.
EXTENDED = (
    "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499",
    "#77AADD", "#EE8866", "#EEDD88", "#FFAABB", "#99DDFF", "#44BB99", "#BBCC33", "#AAAA00",
)
UNASSIGNED = "#BBBBBB"
SYMBOLS = ("o", "s", "t", "d", "star", "p", "h", "t1")
#: Marker size (pixels) of points in the scatter views and their legend samples.
POINT_SIZE = 9


def hex_color(i: int, extended: bool = False) -> str:
    """Hex colour of cluster ``i`` (``-1`` = unassigned grey).

    With ``extended`` (raster views), clusters >= 8 get their own colour from the
    longer list; otherwise colours repeat and :func:`symbol` tells clusters apart.
    """
    if i < 0:
        return UNASSIGNED
    if i < len(OKABE_ITO) or not extended:
        return OKABE_ITO[i % len(OKABE_ITO)]
    return EXTENDED[(i - len(OKABE_ITO)) % len(EXTENDED)]


def color(i: int, alpha: int = 255, extended: bool = False) -> QColor:
    c = QColor(hex_color(i, extended))
    c.setAlpha(alpha)
    return c


def symbol(i: int) -> str:
    """Marker shape of cluster ``i``: circles for 0-7, squares for 8-15, ..."""
    return "o" if i < 0 else SYMBOLS[(i // len(OKABE_ITO)) % len(SYMBOLS)]


def rgba_table(n: int, alpha: int = 255, extended: bool = True) -> np.ndarray:
    """(n + 1, 4) uint8 colour table; row ``n`` is the unassigned grey (index with ``labels`` where -1 -> n)."""
    out = np.empty((n + 1, 4), dtype=np.uint8)
    for i in range(n):
        c = QColor(hex_color(i, extended))
        out[i] = (c.red(), c.green(), c.blue(), alpha)
    g = QColor(UNASSIGNED)
    out[n] = (g.red(), g.green(), g.blue(), alpha)
    return out


def label_colors(labels: np.ndarray, alpha: int = 255, extended: bool = True) -> np.ndarray:
    """(n, 4) uint8 colours for a label array (vectorised; -1 maps to grey)."""
    labels = np.asarray(labels)
    n = int(labels.max(initial=-1)) + 1
    table = rgba_table(max(n, 1), alpha, extended)
    idx = np.where(labels < 0, len(table) - 1, labels)
    return table[idx]
