"""Grid lines that are cheap to paint: opaque colours, drawn under the data.

pyqtgraph draws a plot's grid as its axes' tick lines extended across the plot, in the tick pen's colour
with an alpha that fades the finer levels. Qt's raster engine draws semi-transparent lines some 25 times
slower than opaque ones: a plot with a grid took ~15-19 ms to repaint instead of ~0.7 ms, and the
objective view (every algorithm's) repaints at every step. :func:`show_grid` turns the grid on and makes
its major lines the opaque colour they would have had over the white background, drawn below the plotted
data instead of over it (the axes are moved under the view box, which has no fill); the fainter finer levels
are left out (opaque lines of different greys would cut each other where they cross).

Example
-------
>>> import pyqtgraph as pg                                   # doctest: +SKIP
>>> show_grid(pg.PlotWidget(background="w").getPlotItem())   # doctest: +SKIP
"""
from __future__ import annotations

import functools

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPen

__all__ = ["show_grid", "opaque_pen", "GRID_Z"]

#: The z value of an axis that draws a grid: under the view box (pyqtgraph: -100), so the data cover the lines.
GRID_Z = -150
_BACKGROUND = QColor("white")


def opaque_pen(pen: QPen, background: QColor = _BACKGROUND) -> QPen:
    """``pen`` with its colour composed over ``background``: the colour it shows there, fully opaque."""
    colour = pen.color()
    a = colour.alphaF()
    if a >= 1.0:
        return pen
    out = QPen(pen)
    out.setColor(QColor.fromRgbF(*(a * c + (1.0 - a) * b for c, b in
                                   zip(colour.getRgbF()[:3], background.getRgbF()[:3]))))
    return out


def _opaque_specs(axis: pg.AxisItem, generate, painter):
    """The axis's draw specs with its grid lines opaque: the major level's lines only (pyqtgraph fades the finer
    levels by alpha; opaque lines of different greys would cut each other where they cross, and the faint levels
    drawn last would lighten the major lines they overlap)."""
    specs = generate(painter)
    if specs is None or axis.grid is False:
        return specs
    axis_spec, tick_specs, text_specs = specs
    if not tick_specs:
        return specs
    major = max(pen.color().alpha() for pen, _, _ in tick_specs)
    return axis_spec, [(opaque_pen(pen), p1, p2) for pen, p1, p2 in tick_specs
                       if pen.color().alpha() == major], text_specs


def show_grid(plot_item: pg.PlotItem, x: bool = True, y: bool = True, alpha: float = 0.25) -> None:
    """``plot_item.showGrid(x, y, alpha)`` with opaque lines under the data (see the module docstring)."""
    plot_item.showGrid(x=x, y=y, alpha=alpha)
    for name, on in (("bottom", x), ("left", y)):
        axis = plot_item.getAxis(name)
        if not on or getattr(axis, "opaque_grid", False):
            continue
        # this axis's draw specs pass through _opaque_specs (an attribute of the instance: the class is pyqtgraph's)
        axis.generateDrawSpecs = functools.partial(_opaque_specs, axis, axis.generateDrawSpecs)
        axis.opaque_grid = True
        axis.setZValue(GRID_Z)
        axis.picture = None
        axis.update()
