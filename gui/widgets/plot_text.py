"""Texts that fit their plot, whatever its size: titles, axis titles and the topmost tick label (#12, item 6).

pyqtgraph draws a title or an axis title at its full length and lets the plot's edge cut it off, and it centres
the top tick label of a left axis on the top of the axis, half of it above the plot. These helpers follow the
plot's size (refitted on every resize of its ViewBox, so lecture mode's larger fonts are followed too):

* :func:`fit_title` - the title on one line when it fits, else wrapped onto two (the title row grows), the
  second line elided ("…") if it still does not fit; it begins with what matters ("M-step 13: ..."), so the step
  stays readable; the whole text is the plot's tooltip. A title of rich-text parts (a legend as the title) goes
  one part a line when they do not fit on one.
* :func:`fit_axis_title` - the axis title, or a shorter one (``short``, by default the text without its
  parenthesised parts), or its symbol (what comes before " = "), or that elided, whichever fits the axis's
  length; the whole text is the tooltip.
* :func:`tick_room` - a top margin of half a tick label's height, so the topmost tick label shows whole.
* :class:`~gui.widgets.label_placer.LabelPlacer` (re-exported here) - texts pinned to data points placed on the
  side of their point where they cover no other text and the fewest marks (dropped when no side is free).
* :class:`LegendRow` - a legend above the plot (never over the data), as many entries per row as fit.
* :class:`LegendColumn` - a legend beside the plot, on its right (never over the data), in as many columns as
  its height needs; left out (its tooltip says so) when those would take more than a share of the plot's width.
"""
from __future__ import annotations

import math
import re

import pyqtgraph as pg
from PySide6.QtCore import QSizeF, Qt, Signal
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import QApplication

from gui.widgets.label_placer import LabelPlacer
from gui.widgets.lecture_style import styled_size

__all__ = ["fit_title", "fit_axis_title", "tick_room", "short_title", "LabelPlacer", "LegendRow", "LegendColumn"]

LEGEND_COLUMN = 2, 2  # the cell of a PlotItem's layout right of its ViewBox (that of the right axis, hidden)
LEGEND_ROW = 1  # the row of a PlotItem's layout above its ViewBox (that of the top axis, which is hidden)
TITLE_ROW = 30  # px: pyqtgraph's height of a one-line title row
_ATTR = "_clusterlab_fitted"  # a PlotItem's fitters, made once


def short_title(text: str) -> str:
    """``text`` without its parenthesised parts: ``"log posterior (= log-likelihood when alpha = 0)"`` ->
    ``"log posterior"``."""
    return re.sub(r"\s*\([^()]*\)", "", text).strip() or text


def _font(size: str | None, bold: bool = False) -> QFont:
    font = QFont(QApplication.font())
    m = re.match(r"\s*([\d.]+)\s*pt", str(size or ""))
    if m:
        font.setPointSizeF(float(m.group(1)))
    font.setBold(bool(bold))
    return font


def _plain(html: str) -> str:
    """``html`` as plain text (tags left out, ``&nbsp;`` a space)."""
    return re.sub(r"<[^>]+>", "", html).replace("&nbsp;", " ")


def _elide(metrics: QFontMetricsF, text: str, width: float) -> str:
    if metrics.horizontalAdvance(text) <= width:
        return text
    while text and metrics.horizontalAdvance(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _wrap(metrics: QFontMetricsF, text: str, width: float, lines: int = 2) -> list[str]:
    """``text`` in at most ``lines`` lines of ``width`` (broken at spaces; the last line elided)."""
    out: list[str] = []
    words = text.split(" ")
    while words and len(out) < lines - 1:
        line = words.pop(0)
        while words and metrics.horizontalAdvance(line + " " + words[0]) <= width:
            line += " " + words.pop(0)
        out.append(line)
    if words:
        out.append(" ".join(words))
    return [_elide(metrics, line, width) for line in out]


class _Fitter:
    """What a PlotItem shows of its title and axis titles, refitted when its ViewBox is resized."""

    def __init__(self, plot_item: pg.PlotItem):
        self.plot_item = plot_item
        self.title: tuple[str, dict] | None = None
        self.axes: dict[str, tuple[str, str, dict]] = {}
        self.room = False
        self._shown: dict = {}
        plot_item.getViewBox().sigResized.connect(self.fit)

    def fit(self, *_):
        self._fit_room()
        self._fit_title()
        for side in list(self.axes):
            self._fit_axis(side)

    def _fit_room(self):
        if not self.room:
            return
        axis = self.plot_item.getAxis("left")
        font = axis.style.get("tickFont") or QApplication.font()
        top = math.ceil(QFontMetricsF(font).height() / 2) + 2
        layout = self.plot_item.layout
        margins = layout.getContentsMargins()
        if margins[1] != top:
            layout.setContentsMargins(margins[0], top, margins[2], margins[3])

    def _fit_title(self):
        if self.title is None:
            return
        text, style = self.title
        pi = self.plot_item
        style = {**style, "size": styled_size(pi.titleLabel, style["size"])} if "size" in style else style
        metrics = QFontMetricsF(_font(style.get("size"), style.get("bold", False)))  # as drawn (lecture: larger)
        width = max(pi.getViewBox().width(), 40.0) - 8
        tip = ""  # the whole title when it does not show whole
        if not text:
            shown = None
        elif isinstance(text, tuple):  # rich parts: on one line when they fit, else a line each (nothing hidden)
            one_line = metrics.horizontalAdvance("   ".join(_plain(part) for part in text)) <= width
            shown = (" &nbsp; " if one_line else "<br>").join(text)
        else:
            shown = "<br>".join(_wrap(metrics, text, width)) if metrics.horizontalAdvance(text) > width else text
            tip = text if shown != text else ""
        if self._shown.get("title") == (shown, style.get("size")):
            return
        self._shown["title"] = (shown, style.get("size"))
        pi.setTitle(shown, **style)
        _free_width(pi.titleLabel)
        pi.setToolTip(tip)
        if shown is not None and "<br>" in shown:
            height = math.ceil((shown.count("<br>") + 1) * metrics.lineSpacing()) + 10
            pi.titleLabel.setMaximumHeight(height)
            pi.layout.setRowFixedHeight(0, height)

    def _fit_axis(self, side: str):
        text, short, style = self.axes[side]
        axis = self.plot_item.getAxis(side)
        vb = self.plot_item.getViewBox()  # as long as its axes (their own geometry may not be updated yet)
        length = (vb.height() if side in ("left", "right") else vb.width()) or 1e9
        metrics = QFontMetricsF(_font(style.get("font-size")))
        room = length - 2 * axis.label.document().documentMargin() - 6
        # the whole title, else the short one, else its symbol ("J" of "J = sum of squared ℓ2 distances"), else elided
        symbol = short.split(" = ")[0].strip() if " = " in short else short
        shown = next((t for t in (text, short, symbol) if metrics.horizontalAdvance(t) <= room), None)
        if shown is None:
            shown = _elide(metrics, symbol, room)
        if self._shown.get(side) == shown and axis.labelText == shown:
            return
        self._shown[side] = shown
        self.plot_item.setLabel(side, shown, **style)
        axis.resizeEvent()  # pyqtgraph centres the title on the axis only when the axis is resized
        axis.setToolTip(text if shown != text else "")


def _free_width(label: pg.LabelItem) -> None:
    """A title never holds its plot wider than asked: it is refitted (wrapped) when the plot gets narrower.
    (pyqtgraph's LabelItem sets its minimum width to its text's on every resize; here only its height.)"""
    if "updateMin" not in label.__dict__:
        label.updateMin = lambda: label.setMinimumHeight(label.itemRect().height())
    label.setMinimumWidth(0)


def _fitter(plot_item: pg.PlotItem) -> _Fitter:
    fitter = plot_item.__dict__.get(_ATTR)
    if fitter is None:
        fitter = plot_item.__dict__[_ATTR] = _Fitter(plot_item)
    return fitter


def _item(plot) -> pg.PlotItem:
    return plot.getPlotItem() if isinstance(plot, pg.PlotWidget) else plot


def fit_title(plot, text: str | tuple[str, ...] | None, **style):
    """Give ``plot`` (a PlotItem or PlotWidget) the title ``text`` (None or "": none), fitted to its width;
    ``style`` is :meth:`pyqtgraph.PlotItem.setTitle`'s (``size="10pt"``, ``bold=True``, ``color``). A tuple of
    rich-text parts (``"<span style='color:...'>● BIC</span>"``, ...) goes on one line when it fits, else one
    part a line."""
    fitter = _fitter(_item(plot))
    fitter.title = (text or "", style)
    fitter._fit_title()


def fit_axis_title(plot, side: str, text: str, short: str | None = None, **style):
    """Give ``plot``'s axis ``side`` the title ``text``, or ``short`` (default :func:`short_title`) when ``text``
    is longer than the axis; ``style`` is :meth:`pyqtgraph.PlotItem.setLabel`'s (``color=...``)."""
    fitter = _fitter(_item(plot))
    fitter.axes[side] = (text, short if short is not None else short_title(text), style)
    fitter._fit_axis(side)


def tick_room(plot):
    """Room above ``plot``'s ViewBox for the upper half of its topmost tick label (it follows the font)."""
    fitter = _fitter(_item(plot))
    fitter.room = True
    fitter._fit_room()


class LegendRow(pg.LegendItem):
    """A legend laid out by its plot: entries side by side above the ViewBox, as many per row as fit its width.

    :meth:`place` puts it into a :class:`pyqtgraph.PlotItem`'s layout, in the (hidden) top axis's row, so the
    points are never under it and an export of the plot item draws it. It asks for no width of its own (the
    plot's width is the points'); its height is its rows'.
    """

    def __init__(self, **kwargs):
        super().__init__(offset=None, frame=False, horSpacing=4, verSpacing=-2, **kwargs)

    def place(self, plot_item: pg.PlotItem):
        """Into ``plot_item``'s layout above its ViewBox, in the place of its top axis (never shown)."""
        top = plot_item.getAxis("top")
        plot_item.layout.removeItem(top)
        top.hide()
        plot_item.layout.addItem(self, LEGEND_ROW, 0, 1, 3)  # over the axes' columns too: the plot's whole width

    def updateSize(self):  # pyqtgraph sizes a floating legend itself; this one is sized by the plot's layout
        self._reflow(self.geometry().width())
        self.updateGeometry()

    def setGeometry(self, rect):
        try:
            self._reflow(rect.width())
        except RuntimeError:  # an entry's text item is gone (the scene is being torn down, e.g. at exit): an
            pass  # exception raised into Qt from here while Python shuts down crashed the interpreter
        super().setGeometry(rect)

    def sizeHint(self, which, constraint=QSizeF()):
        hint = super().sizeHint(which, constraint)
        if which == Qt.SizeHint.MaximumSize:
            return hint
        try:
            visible = bool(self.items) and self.isVisible()
        except RuntimeError:  # (see setGeometry)
            visible = False
        return QSizeF(0.0, hint.height() if visible else 0.0)

    def _reflow(self, width: float):
        """As many columns as the entries' widths allow in ``width`` (at least one)."""
        widths = [max(sample.minimumWidth(), 20.0) + 4.0 + label.item.boundingRect().width() + 6.0
                  for sample, label in self.items]  # natural widths (a sample is wider in lecture mode)
        columns = 1
        for c in range(len(widths), 1, -1):
            if sum(max(widths[j::c]) for j in range(c)) <= width:
                columns = c
                break
        if columns != self.columnCount:
            self.setColumnCount(columns)


def _entry_width(sample, label) -> float:
    """A legend entry's natural width (its sample is wider in lecture mode)."""
    return max(sample.minimumWidth(), 20.0) + 4.0 + label.item.boundingRect().width() + 6.0


class LegendColumn(pg.LegendItem):
    """A legend laid out by its plot: beside the ViewBox on its right, in as many columns as the ViewBox's height
    needs (refitted when the ViewBox is resized).

    :meth:`place` puts it into a :class:`pyqtgraph.PlotItem`'s layout in the right axis's place, so the points
    are never under it and an export of the plot item draws it. It asks for no height of its own (the plot's
    height is the points'); its width is its columns'. When those columns would take more than ``share`` of the
    plot's width, or one entry is taller than the plot, it is left out (hidden, no width): a legend cut by the
    plot's edge or squeezing the data away tells nothing. :attr:`fits` says which; :attr:`sigFitted` (bool)
    tells when it changes.
    """

    sigFitted = Signal(bool)

    def __init__(self, share: float = 0.6, **kwargs):
        super().__init__(offset=None, frame=False, horSpacing=4, verSpacing=-2, **kwargs)
        self.share = share
        self.fits = True
        self._plot_item: pg.PlotItem | None = None

    def place(self, plot_item: pg.PlotItem):
        """Into ``plot_item``'s layout right of its ViewBox, in the place of its right axis (never shown)."""
        right = plot_item.getAxis("right")
        plot_item.layout.removeItem(right)
        right.hide()
        plot_item.layout.addItem(self, *LEGEND_COLUMN)
        plot_item.layout.setAlignment(self, Qt.AlignmentFlag.AlignVCenter)
        self._plot_item = plot_item
        plot_item.getViewBox().sigResized.connect(self.fit)

    def updateSize(self):  # pyqtgraph sizes a floating legend itself; this one is sized by the plot's layout
        self.fit()

    def _columns(self, height: float) -> int:
        """The fewest columns in which the entries stand within ``height`` (0: not even one row does)."""
        _, top, _, bottom = self.layout.getContentsMargins()
        row = max(max(s.boundingRect().height(), l.item.boundingRect().height()) for s, l in self.items)
        rows = int((height - top - bottom + self.layout.verticalSpacing()) // (row + self.layout.verticalSpacing()))
        return math.ceil(len(self.items) / rows) if rows >= 1 else 0

    def _width(self, columns: int) -> float:
        widths = [_entry_width(sample, label) for sample, label in self.items]
        left, _, right, _ = self.layout.getContentsMargins()
        return left + right + sum(max(widths[j::columns]) for j in range(columns))

    def fit(self, *_):
        """Columns for the ViewBox's height now; shown only when they take at most ``share`` of the plot's width."""
        try:
            if self._plot_item is None or not self.items:
                fits = True
            else:
                columns = self._columns(self._plot_item.getViewBox().height() or 1e9)
                fits = columns > 0 and self._width(columns) <= self.share * self._plot_item.width()
                if fits and columns != self.columnCount:
                    self.setColumnCount(columns)
        except RuntimeError:  # an entry's text item is gone (the scene is being torn down, e.g. at exit)
            return
        self.setVisible(fits and bool(self.items))
        self.updateGeometry()
        if fits != self.fits:
            self.fits = fits
            self.sigFitted.emit(fits)

    def sizeHint(self, which, constraint=QSizeF()):
        hint = super().sizeHint(which, constraint)
        if which == Qt.SizeHint.MaximumSize:  # no taller than its rows: not stretched over the ViewBox's height
            return QSizeF(hint.width(), super().sizeHint(Qt.SizeHint.PreferredSize, constraint).height())
        try:
            shown = bool(self.items) and self.fits
            width = self._width(self.columnCount) if shown else 0.0
        except RuntimeError:  # (see fit)
            width = 0.0
        return QSizeF(width, 0.0)
