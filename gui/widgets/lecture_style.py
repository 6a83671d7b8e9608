"""Lecture style for pyqtgraph figures: every text larger, every line and mark thicker, by one factor.

:func:`apply_style` walks the items of a graphics scene and scales what Qt's application
font does not reach: axis titles, legend and annotation texts (``QGraphicsTextItem`` /
``QGraphicsSimpleTextItem``), curve pens and scatter symbols. It is idempotent: each item
remembers its size at factor 1 (item data), so applying it again after a view redrew (new
items, or old ones re-filled at their normal size) brings everything to ``factor`` once,
and ``factor=1`` restores the normal look.

The application font (tick labels, tabs, buttons, tables) is scaled by the caller
(:mod:`gui.shell.lecture`), which also calls this after every step and tab change.

What no scene walk reaches has a hook: :func:`apply_to_widget` calls ``set_lecture_factor(factor)`` on every
widget under it that has one (a rasterised scatter's points). Controls the font does not size (check boxes,
radio buttons, sliders, small icons such as the timeline's buttons) are sized by :class:`LectureProxyStyle`. Room made for text
(least heights, axis widths, tile captions) follows the application font instead (:mod:`gui.widgets.text_room`).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.LegendItem import ItemSample
from PySide6.QtGui import QPen
from PySide6.QtWidgets import (QGraphicsSimpleTextItem, QGraphicsTextItem, QGraphicsView, QProxyStyle, QStyle,
                               QWidget)

from gui.widgets.label_placer import place_all

__all__ = ["apply_style", "apply_to_widget", "styled_size", "LectureProxyStyle", "SIZED_BY_VIEW"]

_FONT = 0x4C01  # item data: the text's point size at factor 1
#: Item data key: a text whose size its view sets (tile captions scale with their images, which the view lays
#: out): lecture mode leaves it alone, or it would outgrow the room its view made for it.
SIZED_BY_VIEW = 0x4C03
SAMPLE_SIDE = 20.0  # pixels: the box pyqtgraph draws a legend's sample in


def _scale_text(item, factor: float) -> None:
    if item.data(SIZED_BY_VIEW):
        return
    font = item.font()
    base = item.data(_FONT)
    size = font.pointSizeF()
    if base is None or (size > 0 and abs(size - base * item.data(_FONT + 0x100)) > 1e-6):
        base = size if size > 0 else None  # first visit, or the view set a new size since
    if base is None:
        return
    font.setPointSizeF(base * factor)
    item.setData(_FONT, base)
    item.setData(_FONT + 0x100, factor)
    item.setFont(font)


def _scale_pen(item: pg.PlotCurveItem, factor: float) -> None:
    pen = QPen(item.opts.get("pen", pg.mkPen()))
    width = pen.widthF()
    memo = item.__dict__.get("_lecture_width")  # (width at factor 1, width we set); pyqtgraph owns setData
    if memo is not None and abs(width - memo[1]) <= 1e-6:
        base = memo[0]
    else:  # first visit, or the view set a new pen since; a cosmetic pen of width 0 draws 1 px wide
        base = max(width, 1.0)
    pen.setWidthF(base * factor)
    item.setPen(pen)
    item.__dict__["_lecture_width"] = (base, base * factor)


def _scale_symbols(item: pg.ScatterPlotItem, factor: float) -> None:
    sizes = np.asarray(item.data["size"], dtype=float)
    if sizes.size == 0:
        return
    memo = item.__dict__.get("_lecture_sizes")  # (sizes at factor 1, sizes we set)
    if memo is not None and memo[1].shape == sizes.shape and np.allclose(memo[1], sizes):
        base = memo[0]  # ours: scale from the remembered sizes
    else:  # first visit, or the view set new sizes since; -1 means the item's default size
        base = np.where(sizes < 0, float(item.opts.get("size", 7)), sizes)
    item.setSize(base * factor)
    item.__dict__["_lecture_sizes"] = (base, np.asarray(item.data["size"], dtype=float).copy())


def _scale_data_item(item: pg.PlotDataItem, factor: float) -> None:
    """A curve made by ``plot()`` (a PlotDataItem): its own pen and symbol size, which it gives its curve and
    symbols again whenever it redraws them (any change of the view's range: a resize, an auto-range), so
    scaling only those left the objective's line and dots at their normal size after the next resize."""
    opts = item.opts
    memo = item.__dict__.get("_lecture_opts", {})  # "pen" / "size": (value at factor 1, value we set)
    new, changed = {}, False
    if opts.get("pen") is not None:
        pen = QPen(pg.mkPen(opts["pen"]))
        width = pen.widthF()
        base = memo["pen"][0] if "pen" in memo and abs(width - memo["pen"][1]) <= 1e-6 else max(width, 1.0)
        new["pen"] = (base, base * factor)
        if abs(width - base * factor) > 1e-6:
            pen.setWidthF(base * factor)
            opts["pen"], changed = pen, True
    if opts.get("symbol") is not None:
        size = np.asarray(opts.get("symbolSize", 10), dtype=float)
        old = memo.get("size")
        same = old is not None and old[1].shape == size.shape and np.allclose(old[1], size)
        base = old[0] if same else size
        new["size"] = (base, base * factor)
        if not np.allclose(size, base * factor):
            opts["symbolSize"], changed = (base * factor if size.ndim else float(base * factor)), True
    item.__dict__["_lecture_opts"] = new
    if changed:
        item.updateItems(styleUpdate=True)


def _scale_sample(item: ItemSample, factor: float) -> None:
    """A legend's sample (pyqtgraph draws it in a 20 x 20 box): drawn ``factor`` times larger, in a box as large."""
    side = SAMPLE_SIDE * factor
    if abs(item.scale() - factor) > 1e-9 or abs(item.minimumWidth() - side) > 1e-6:
        item.setScale(factor)
        item.setFixedWidth(side)
        item.setFixedHeight(side)


def _points(size) -> float | None:
    """``"9pt"`` -> 9.0; None for sizes in other units (left alone)."""
    text = str(size).strip()
    if text.endswith("pt"):
        try:
            return float(text[:-2])
        except ValueError:
            return None
    return None


def _scaled_css(item, size, factor: float, memo_key: str):
    """The CSS size ``size`` (set by the view) at ``factor``: from the size remembered at factor 1 when
    ``size`` is the one set here last, else ``size`` is a new size at factor 1. None: not in points."""
    memo = item.__dict__.get(memo_key)  # (points at factor 1, the CSS text set here)
    if memo is not None and size == memo[1]:
        base = memo[0]
    else:
        base = _points(size)
        if base is None:
            return None
    text = f"{base * factor:.3g}pt"
    item.__dict__[memo_key] = (base, text)
    item.__dict__[memo_key + "_factor"] = factor
    return text


def styled_size(label: pg.LabelItem, size):
    """The CSS size a view gives ``label`` (``"9pt"``, at factor 1) as the lecture style draws it now: a view that
    sets the label's text again (a title refitted to a new width) keeps its lecture size instead of falling
    back to ``size`` until the next restyle. ``size`` itself when the label was never restyled."""
    factor = label.__dict__.get("_lecture_label_factor", 1.0)
    return size if factor == 1.0 else (_scaled_css(label, size, factor, "_lecture_label") or size)


def _scale_label(item: pg.LabelItem, factor: float) -> None:
    text = _scaled_css(item, item.opts.get("size"), factor, "_lecture_label")
    if text is not None and text != item.opts.get("size"):
        item.setText(item.text, size=text)


def _scale_axis_title(axis: pg.AxisItem, factor: float) -> None:
    text = _scaled_css(axis, axis.labelStyle.get("font-size"), factor, "_lecture_axis")
    if text is not None and text != axis.labelStyle.get("font-size"):
        axis.labelStyle = {**axis.labelStyle, "font-size": text}
        axis._updateLabel()


class LectureProxyStyle(QProxyStyle):
    """The application's style with the controls a font does not size ``factor`` times larger: check box and
    radio button indicators, slider handles, scroll bars and small icons (lecture mode sets it on the
    application; ``proxy_of`` the style's name, e.g. "fusion")."""

    METRICS = tuple(getattr(QStyle.PixelMetric, m) for m in (
        "PM_IndicatorWidth", "PM_IndicatorHeight", "PM_ExclusiveIndicatorWidth", "PM_ExclusiveIndicatorHeight",
        "PM_SliderThickness", "PM_SliderLength", "PM_SliderControlThickness", "PM_ScrollBarExtent",
        "PM_ScrollBarSliderMin", "PM_SmallIconSize", "PM_ButtonIconSize", "PM_TabBarIconSize",
        "PM_ListViewIconSize"))

    def __init__(self, proxy_of: str, factor: float):
        super().__init__(proxy_of)  # the base style made (and owned) by Qt: a Python-made one was deleted twice
        self.factor = float(factor)

    def pixelMetric(self, metric, option=None, widget=None):
        value = super().pixelMetric(metric, option, widget)
        return int(round(value * self.factor)) if metric in self.METRICS else value


def apply_style(scene, factor: float) -> None:
    """Scale the texts, pens and symbols of every item in ``scene`` to ``factor`` times their normal size."""
    items = scene.items()
    for item in items:
        if isinstance(item, (QGraphicsTextItem, QGraphicsSimpleTextItem)):
            _scale_text(item, factor)
        elif isinstance(item, pg.PlotDataItem):
            _scale_data_item(item, factor)
        elif isinstance(item.parentItem(), pg.PlotDataItem):
            continue  # its curve and symbols: set from its own pen and size (above)
        elif isinstance(item, pg.PlotCurveItem):
            _scale_pen(item, factor)
        elif isinstance(item, pg.ScatterPlotItem):
            _scale_symbols(item, factor)
        elif isinstance(item, pg.LabelItem):
            _scale_label(item, factor)
        elif isinstance(item, pg.AxisItem):
            _scale_axis_title(item, factor)
        elif isinstance(item, ItemSample):
            _scale_sample(item, factor)
    changed = scene.__dict__.get("_lecture_factor", 1.0) != factor
    scene.__dict__["_lecture_factor"] = factor
    for vb in [i for i in items if isinstance(i, pg.ViewBox)]:
        if changed:  # what is fitted to a plot's size (titles, bar labels, captions) is fitted again: texts grew
            vb.sigResized.emit(vb)
        place_all(vb)  # texts pinned to points: placed again for their new size and their marks' new size


def apply_to_widget(widget: QWidget, factor: float) -> None:
    """:func:`apply_style` on the scene of every graphics view inside ``widget`` (each scene once), and
    ``set_lecture_factor(factor)`` on every widget under it (itself included) that has that method."""
    for w in [widget, *widget.findChildren(QWidget)]:
        hook = getattr(w, "set_lecture_factor", None)
        if callable(hook):
            hook(factor)
    views = widget.findChildren(QGraphicsView)
    if isinstance(widget, QGraphicsView):
        views.append(widget)
    seen = set()
    for view in views:
        scene = view.scene()
        if scene is not None and id(scene) not in seen:
            seen.add(id(scene))
            apply_style(scene, factor)
