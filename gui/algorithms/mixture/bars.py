"""Coloured bars with their values (a mixture's weights π_k, one point's responsibilities): :class:`BarsView`.

The values stand above their bars only while each is narrower than the space of one bar (with many components
none do: the plot's tooltip lists them all); the room above the tallest bar for its value is kept in pixels, so
it holds at any height, and the topmost tick label has room above the plot (:func:`gui.widgets.plot_text.tick_room`).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gui.widgets import palette
from gui.widgets.plot_text import tick_room

__all__ = ["BarsView"]


class BarsView(QWidget):
    """Coloured bars with their values written on top (component ids 1..k under them)."""

    def __init__(self, title: str, ylabel: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        pi = self.plot.getPlotItem()
        pi.setLabel("bottom", "component", color="#222222")
        pi.setLabel("left", ylabel, color="#222222")
        for side in ("left", "bottom"):
            pi.getAxis(side).setTextPen(pg.mkPen("#333333"))
            pi.getAxis(side).setPen(pg.mkPen("#333333"))
            pi.getAxis(side).enableAutoSIPrefix(False)
        self.title = QLabel(title)
        self.title.setStyleSheet("font-weight: bold;")
        self.title.setWordWrap(True)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7)
        self.plot.addItem(self.bars)
        self.texts: list[pg.TextItem] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.title)
        layout.addWidget(self.plot, 1)
        self.values = np.empty(0)
        self.colors: list[str] = []
        self._top = 1.0
        tick_room(self.plot)
        pi.getViewBox().sigResized.connect(self._fit_texts)

    def set_title(self, text: str):
        self.title.setText(text)

    def set_values(self, values, extended: bool = False, ymax: float | None = None):
        """Bars for ``values`` (k,), component j in its palette colour; None or empty clears."""
        v = np.empty(0) if values is None else np.asarray(values, dtype=np.float64).reshape(-1)
        k = v.size
        self.values = v
        self.colors = [palette.hex_color(j, extended) for j in range(k)]
        x = np.arange(k, dtype=float)
        self.bars.setOpts(x=x, height=v, width=0.7, brushes=[pg.mkBrush(c) for c in self.colors] if k else None,
                          pen=pg.mkPen("#333333", width=0.8))
        self._top = float(ymax) if ymax is not None else (max(float(v.max()), 1e-12) * 1.1 if k else 1.0)
        self.plot.setXRange(-0.6, max(k, 1) - 0.4, padding=0)
        step = 1 if k <= 12 else int(np.ceil(k / 12))
        self.plot.getAxis("bottom").setTicks([[(j, str(j + 1)) for j in range(0, k, step)], []])
        for j in range(len(self.texts), k):
            t = pg.TextItem(color="#222222", anchor=(0.5, 1.0))
            self.plot.addItem(t, ignoreBounds=True)
            self.texts.append(t)
        for j, t in enumerate(self.texts):
            if j < k:
                t.setText(f"{v[j]:.2f}")
                t.setPos(j, v[j])
        self.plot.setToolTip("  ".join(f"{j + 1}: {v[j]:.3f}" for j in range(k)))
        self._fit_texts()

    def _fit_texts(self, *_):
        """Room above the bars for their values (in pixels, so at any height), and the values only when each is
        narrower than the space of one bar: many narrow bars show none (the tooltip lists them all)."""
        k = self.values.size
        vb = self.plot.getPlotItem().getViewBox()
        height, width = max(vb.height(), 1.0), max(vb.width(), 1.0)
        line = QFontMetricsF(self.texts[0].textItem.font()).height() + 2 if self.texts else 0.0
        room = min(line / height, 0.5)
        self.plot.setYRange(0, self._top / (1.0 - room), padding=0)
        per_bar = width / max(k + 0.2, 1.0)
        fits = all(t.textItem.boundingRect().width() <= per_bar - 2 for t in self.texts[:k])
        for j, t in enumerate(self.texts):
            t.setVisible(j < k and fits)
