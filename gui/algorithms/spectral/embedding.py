"""The spectral embedding as a second scatter: two chosen coordinates of every point's row ``t_i``.

:class:`EmbeddingView` draws the points at ``(t_i[a], t_i[b])`` for the two coordinates chosen in its
boxes ("X" and "Y": eigenvector 1 .. k), coloured like the main scatter (the plugin passes the scatter's
colour and name of each cluster, so a cluster has the same colour and legend name in both), with the
K-means centres in the embedding as large hollow diamonds on the Lloyd steps, and the unit circle dashed
(every row has length 1: with k = 2 the points lie on it, with more coordinates inside it). Clicking a point emits
:attr:`EmbeddingView.sigPointClicked` (the plugin rings the same point on the scatter). The two boxes sit side
by side when the view is wide enough for both whole, else one under the other (a narrow pane, e.g. side by
side at the window's minimum size): their texts are never cut. The legend stands right of the plot, never over the
points, in as many columns as the plot's height needs; a plot too small for it even so (many clusters side by side
at the window's least size) leaves it out rather than cut it, and its tooltip says so (the main scatter's legend
names the same colours).

``python -m gui.algorithms.spectral.embedding`` shows the view alone on two rings.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QVBoxLayout, QWidget

from gui.widgets import palette
from gui.widgets.plot_text import LegendColumn, fit_axis_title, tick_room

__all__ = ["EmbeddingView"]

PICK_RADIUS = 8  # pixels: a click this close to a point picks it
SPACING = 6  # pixels between the coordinate boxes and their labels
EMPTY_TEXT = "The embedding appears at step 2, after the affinity graph."
LEGEND_LEFT_OUT = "The legend is left out: the plot is too small for it. The scatter's legend names the same colours."


class EmbeddingView(QWidget):
    """Two coordinates of the spectral embedding, the points coloured by cluster (see the module docstring)."""

    sigPointClicked = Signal(int)
    sigCoordinatesChanged = Signal(int, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.color_of: Callable[[int], str] = palette.hex_color
        self.name_of: Callable[[int], str] = lambda j: f"cluster {j + 1}"
        self.T = None
        self.labels = None
        self.centres = None
        self.eigenvalues = None
        self.x_box, self.y_box = QComboBox(), QComboBox()
        self.x_box.setObjectName("spectral_x")
        self.y_box.setObjectName("spectral_y")
        for box in (self.x_box, self.y_box):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            box.setMinimumContentsLength(len("eigenvector 10"))
        self.x_box.setToolTip("The eigenvector plotted across")
        self.y_box.setToolTip("The eigenvector plotted up")
        self._pairs = ((QLabel("X:"), self.x_box), (QLabel("Y:"), self.y_box))
        self.coords = QGridLayout()
        self.coords.setContentsMargins(0, 0, 0, 0)
        self.coords.setHorizontalSpacing(SPACING)
        self.coords.setVerticalSpacing(2)
        self.one_row: bool | None = None  # the boxes side by side (True) or one under the other (False)
        self.note = QLabel(EMPTY_TEXT)
        self.note.setObjectName("spectral_embedding_note")
        self.note.setWordWrap(True)
        self.plot = pg.PlotWidget(background="w")
        self.plot.getPlotItem().setAspectLocked(True)
        for side in ("left", "bottom"):
            self.plot.getAxis(side).setPen(pg.mkPen("#333333"))
            self.plot.getAxis(side).setTextPen(pg.mkPen("#333333"))
        self.points = pg.ScatterPlotItem(size=palette.POINT_SIZE, pen=pg.mkPen("#ffffff", width=0.5))
        self.plot.scene().sigMouseClicked.connect(self._on_scene_clicked)
        self.centre_items = pg.ScatterPlotItem(size=22, symbol="d", brush=None)
        self.centre_items.setZValue(10)
        t = np.linspace(0.0, 2 * np.pi, 241)
        self.circle = pg.PlotDataItem(np.cos(t), np.sin(t), pen=pg.mkPen(170, 170, 170, 150, width=1,
                                                                         style=Qt.PenStyle.DashLine))
        self.circle.setZValue(-10)
        self.plot.addItem(self.circle)
        self.plot.addItem(self.points)
        self.plot.addItem(self.centre_items)
        self.legend = LegendColumn(labelTextColor="#333333")  # right of the points, never over them
        self.legend.place(self.plot.getPlotItem())
        tick_room(self.plot)  # a plot narrower than tall (the legend beside it) shows its top tick label whole
        # room for three tick labels apart on the left axis above the bottom axis (side by side at the least size)
        self.plot.setMinimumHeight(7 * QFontMetrics(self.font()).height())
        self.legend.sigFitted.connect(lambda fits: self.plot.setToolTip("" if fits else LEGEND_LEFT_OUT))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self.coords)
        self._arrange()
        layout.addWidget(self.note)
        layout.addWidget(self.plot, 1)
        self.x_box.currentIndexChanged.connect(self._on_box)
        self.y_box.currentIndexChanged.connect(self._on_box)

    # ------------------------------------------------------------------ coordinates
    def _row_width(self) -> int:
        """The width both boxes need side by side, whole (labels, boxes at their size hints, spacing, margins)."""
        m = self.layout().contentsMargins() if self.layout() is not None else None
        margins = 0 if m is None else m.left() + m.right()
        return margins + 3 * SPACING + sum(label.sizeHint().width() + box.sizeHint().width()
                                           for label, box in self._pairs)

    def _arrange(self) -> None:
        """The boxes side by side when the view is wide enough for both whole, else one under the other (a box
        is never squeezed below the width of its text: nothing is cut in a narrow pane)."""
        one_row = self.width() >= self._row_width()
        if one_row == self.one_row:
            return
        self.one_row = one_row
        for label, box in self._pairs:
            self.coords.removeWidget(label)
            self.coords.removeWidget(box)
        for i, (label, box) in enumerate(self._pairs):
            row, col = (0, 2 * i) if one_row else (i, 0)
            self.coords.addWidget(label, row, col)
            self.coords.addWidget(box, row, col + 1)
        for col in range(5):
            self.coords.setColumnStretch(col, 1 if col == (4 if one_row else 2) else 0)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._arrange()

    @property
    def coordinates(self) -> tuple[int, int]:
        """The two plotted coordinates (0-based: eigenvector ``j + 1``)."""
        return max(self.x_box.currentIndex(), 0), max(self.y_box.currentIndex(), 0)

    def set_coordinates(self, x: int, y: int) -> None:
        """Plot coordinates ``x`` and ``y`` (0-based; clipped to the embedding's dimension)."""
        k = self.x_box.count()
        if k:
            self.x_box.setCurrentIndex(min(max(int(x), 0), k - 1))
            self.y_box.setCurrentIndex(min(max(int(y), 0), k - 1))

    def _fill_boxes(self, k: int, eigenvalues) -> None:
        lam = None if eigenvalues is None else np.where(np.abs(eigenvalues) < 1e-12, 0.0, eigenvalues)
        texts = [f"eigenvector {j + 1}" + ("" if lam is None else f"  (λ = {lam[j]:.3g})") for j in range(k)]
        if [self.x_box.itemText(i) for i in range(self.x_box.count())] == texts:
            return
        x, y = self.coordinates if self.x_box.count() else (0, 1)
        for box in (self.x_box, self.y_box):
            blocked = box.blockSignals(True)
            box.clear()
            box.addItems(texts)
            box.blockSignals(blocked)
        self._arrange()  # longer texts may need two rows
        self.x_box.blockSignals(True)
        self.y_box.blockSignals(True)
        self.set_coordinates(x if x < k else 0, y if y < k else min(1, k - 1))
        self.x_box.blockSignals(False)
        self.y_box.blockSignals(False)

    def _on_box(self, _=None):
        self._draw()
        self.sigCoordinatesChanged.emit(*self.coordinates)

    # ------------------------------------------------------------------ data
    def show_embedding(self, T, labels=None, centres=None, eigenvalues=None, title: str = "") -> None:
        """Show the embedding ``T`` (n, k) coloured by ``labels`` (-1 grey) with ``centres`` (k, k) or None;
        ``T=None``: nothing yet (``title`` says why)."""
        self.T = None if T is None else np.asarray(T, dtype=float)
        self.labels = None if labels is None else np.asarray(labels)
        self.centres = None if centres is None else np.asarray(centres, dtype=float)
        self.eigenvalues = None if eigenvalues is None else np.asarray(eigenvalues, dtype=float)
        if self.T is not None:
            self._fill_boxes(self.T.shape[1], self.eigenvalues)
        self.x_box.setEnabled(self.T is not None)
        self.y_box.setEnabled(self.T is not None)
        self.note.setText(title or (EMPTY_TEXT if self.T is None else ""))
        self._draw()

    def _draw(self):
        self.legend.clear()
        if self.T is None or self.T.shape[0] == 0:
            self.points.setData([], [])
            self.centre_items.setData([], [])
            return
        a, b = self.coordinates
        n = self.T.shape[0]
        labels = self.labels if self.labels is not None and self.labels.shape == (n,) else np.full(n, -1)
        brushes = {j: pg.mkBrush(self.color_of(int(j))) for j in np.unique(labels)}
        self.points.setData(self.T[:, a], self.T[:, b], brush=[brushes[j] for j in labels.tolist()],
                            symbol=[palette.symbol(int(j)) for j in labels.tolist()])
        for j in sorted(j for j in brushes if j >= 0):
            sample = pg.ScatterPlotItem(size=palette.POINT_SIZE, brush=brushes[j], symbol=palette.symbol(int(j)))
            self.legend.addItem(sample, self.name_of(int(j)))
        C = self.centres
        if C is None or C.ndim != 2 or C.shape[1] <= max(a, b):
            self.centre_items.setData([], [])
        else:
            self.centre_items.setData(C[:, a], C[:, b], brush=None,
                                      pen=[pg.mkPen(self.color_of(j), width=3) for j in range(len(C))])
        fit_axis_title(self.plot, "bottom", f"eigenvector {a + 1}", f"v{a + 1}")  # a narrow pane: short, not cut
        fit_axis_title(self.plot, "left", f"eigenvector {b + 1}", f"v{b + 1}")

    def point_at(self, x: float, y: float, radius_px: float = PICK_RADIUS) -> int | None:
        """The shown point nearest to view position (x, y) within ``radius_px`` pixels (lowest index on ties)."""
        if self.T is None or self.T.shape[0] == 0:
            return None
        a, b = self.coordinates
        px, py = self.plot.getPlotItem().getViewBox().viewPixelSize()
        d2 = ((self.T[:, a] - x) / px) ** 2 + ((self.T[:, b] - y) / py) ** 2
        i = int(np.argmin(d2))
        return i if d2[i] <= radius_px ** 2 else None

    def _on_scene_clicked(self, ev):
        vb = self.plot.getPlotItem().getViewBox()
        if ev.button() != Qt.MouseButton.LeftButton or not vb.sceneBoundingRect().contains(ev.scenePos()):
            return
        p = vb.mapSceneToView(ev.scenePos())
        i = self.point_at(p.x(), p.y())
        if i is not None:
            self.sigPointClicked.emit(i)


def _demo_widget() -> EmbeddingView:
    from engine import data as edata
    from engine import spectral
    X = edata.generate("rings", n=300, seed=0).X
    r = spectral.fit(X, 2, seed=0)
    view = EmbeddingView()
    view.show_embedding(r.embedding, r.labels, r.embedding_centers, r.eigenvalues,
                        "Two rings: every point of a ring lands on the same spot.")
    return view


if __name__ == "__main__":
    from gui.widgets.demo import run_demo
    run_demo(_demo_widget, title="Spectral embedding")
