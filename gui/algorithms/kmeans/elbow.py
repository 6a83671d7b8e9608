"""Restarts and K: the "elbow" plot, the sweep controls and small multiples.

The "elbow": final objective against K, one dot per random restart, the best of each K marked.

The view only draws numbers it is given (a results table from
``engine.kmeans.sweep``); it computes nothing. Restarts of one K are spread a
little sideways around K so that equal objectives stay visible as separate
dots; the best restart of each K is a larger diamond, joined by a line (the
elbow curve). Clicking a dot emits :attr:`ElbowView.sigRunClicked` with the
K index and restart index, so the window can load that run into the timeline.
Values not computed yet (a sweep in progress) are NaN and not drawn.

Under the elbow, on the same K axis, the mean silhouette of each K's best run
(:class:`gui.algorithms.kmeans.silhouette_k.SilhouetteKView`); clicking one of
its dots loads that K's best run, as clicking the diamond does.
:attr:`ElbowView.plot` (an :class:`~gui.algorithms.kmeans.silhouette_k.ElbowFigure`)
holds the two plots without the caption (what ``render`` and File ▸ Export draw).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtWidgets import (QBoxLayout, QComboBox, QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QScrollArea, QSpinBox,
                               QVBoxLayout, QWidget)

from gui.algorithms.kmeans.silhouette_k import ElbowFigure, SilhouetteKView
from gui.widgets.grid import show_grid
from gui.widgets.plot_text import LegendRow, fit_axis_title, fit_title
from gui.widgets.text_room import scaled
from gui.widgets.tiles import TileView

__all__ = ["ElbowView", "RestartsView", "best_per_k", "parse_ks", "format_ks"]

DOT = "#0072B2"
BEST = "#D55E00"
SPREAD = 0.25  # total sideways spread of the restarts of one K, in units of K
MINI_HEIGHT = 150  # pixels: the least height of the small multiples (their titles and points stay readable)


def best_per_k(objectives: np.ndarray) -> np.ndarray:
    """Index of the restart with the least objective for each K (-1 where nothing is computed yet).

    Parameters
    ----------
    objectives : ndarray of shape (n_ks, n_restarts), NaN = not computed

    Example
    -------
    >>> best_per_k(np.array([[3.0, 1.0], [np.nan, np.nan]])).tolist()
    [1, -1]
    """
    J = np.asarray(objectives, dtype=float)
    out = np.full(J.shape[0], -1, dtype=int)
    for i, row in enumerate(J):
        ok = np.isfinite(row)
        if ok.any():
            out[i] = int(np.flatnonzero(ok)[np.argmin(row[ok])])
    return out


class ElbowView(QWidget):
    """Final objective against K for every restart.

    Signals
    -------
    sigRunClicked(int, int)
        (index into ``ks``, restart index) of the dot the person clicked.
    """

    sigRunClicked = Signal(int, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.plot = ElbowFigure()  # the elbow above, the silhouette against K below: one figure
        pi = self.plot.getPlotItem()
        show_grid(pi, x=True, y=True, alpha=0.25)
        pi.getAxis("bottom").showLabel(False)  # the K axis is named once, under the silhouettes (the same axis)
        fit_axis_title(pi, "left", "final objective")
        self.legend = LegendRow(labelTextColor="#222222")  # above the plot, never over a dot
        self.legend.place(pi)
        pi.legend = self.legend  # the named items are listed in it
        self.curve = pi.plot([], [], pen=pg.mkPen(BEST, width=1.5, style=pg.QtCore.Qt.PenStyle.DashLine))
        self.dots = pg.ScatterPlotItem(size=8, brush=pg.mkBrush(DOT + "b0"), pen=pg.mkPen("w", width=0.5),
                                       hoverable=True, hoverSize=11, tip=self._tip, name="one restart")
        self.best = pg.ScatterPlotItem(size=15, symbol="d", brush=pg.mkBrush(BEST), pen=pg.mkPen("k", width=1),
                                       name="best restart of K")
        self.selected = pg.ScatterPlotItem(size=22, symbol="o", brush=None, pen=pg.mkPen("k", width=2))
        for item in (self.dots, self.best, self.selected):
            pi.addItem(item)
        self.plot.scene().sigMouseClicked.connect(self._on_scene_clicked)
        self.silhouette = SilhouetteKView(self.plot, self)
        self.silhouette.sigKClicked.connect(self._on_silhouette_clicked)
        self.caption = QLabel()
        self.caption.setObjectName("elbow_caption")
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.caption)
        self.ks = np.zeros(0, dtype=int)
        self.objectives = np.zeros((0, 0))
        self.seeds = None
        self.objective_name = ""

    def set_objective(self, name: str):
        """The objective's name: its symbol on the axis ("final J"), the whole name in the caption."""
        self.objective_name = name
        short = name.split(" = ")[0] if " = " in name else name
        fit_axis_title(self.plot.getPlotItem(), "left", f"final {short}")

    def x_of(self, i: int, r: int) -> float:
        """Horizontal position of restart ``r`` of ``ks[i]``."""
        n = self.objectives.shape[1]
        off = 0.0 if n <= 1 else (r / (n - 1) - 0.5) * SPREAD
        return float(self.ks[i]) + off

    def set_results(self, ks, objectives, seeds=None):
        """Draw the sweep.

        Parameters
        ----------
        ks : sequence of int, length n_ks
        objectives : ndarray of shape (n_ks, n_restarts); NaN = not computed yet
        seeds : ndarray of shape (n_ks, n_restarts), optional; shown in the tooltip
        """
        self.ks = np.asarray(ks, dtype=int).reshape(-1)
        J = np.asarray(objectives, dtype=float)
        self.objectives = J.reshape(self.ks.size, -1) if self.ks.size else np.zeros((0, 0))
        self.seeds = None if seeds is None else np.asarray(seeds).reshape(self.objectives.shape)
        spots, bx, by, bdata = [], [], [], []
        best = best_per_k(self.objectives)
        for i in range(self.ks.size):
            for r in range(self.objectives.shape[1]):
                v = self.objectives[i, r]
                if np.isfinite(v):
                    spots.append({"pos": (self.x_of(i, r), v), "data": (i, r)})
            if best[i] >= 0:
                bx.append(self.x_of(i, best[i]))
                by.append(self.objectives[i, best[i]])
                bdata.append((i, int(best[i])))
        self.dots.setData(spots)
        self.best.setData(x=bx, y=by, data=bdata)
        self.curve.setData([float(self.ks[i]) for i in range(self.ks.size) if best[i] >= 0], by)
        self._fit_range()
        n_done = int(np.isfinite(self.objectives).sum())
        if n_done:
            what = f" ({self.objective_name})" if " = " in self.objective_name else ""
            self.caption.setText(f"{n_done} runs: {self.ks.size} values of K × {self.objectives.shape[1]} "
                                 f"random restarts{what}; ◆ = the best restart of each K (the one kept), its "
                                 "mean silhouette below. Click a dot to load that run into the timeline.")
        else:
            self.caption.setText("No sweep yet: choose the K values and restarts, then press Run sweep.")

    def _fit_range(self):
        """Every K of the sweep in view from the first dot on (dots do not jump while a sweep fills in);
        a y range of at least 0.1% of the values, so nearly equal objectives keep readable ticks."""
        vb = self.plot.getPlotItem().vb
        if self.ks.size == 0:
            vb.enableAutoRange()
            return
        vb.setXRange(float(self.ks.min()) - 0.5 - SPREAD, float(self.ks.max()) + 0.5 + SPREAD, padding=0)
        J = self.objectives[np.isfinite(self.objectives)]
        if J.size == 0:
            return
        lo, hi = float(J.min()), float(J.max())
        pad = max(0.08 * (hi - lo), 5e-4 * max(abs(lo), abs(hi)), 1e-12)
        vb.setYRange(lo - pad, hi + pad, padding=0)

    def set_silhouettes(self, values, note: str = ""):
        """The mean silhouette of each K's best run (NaN: none yet), drawn under the elbow."""
        self.silhouette.set_values(self.ks, values, note)

    def set_selected(self, i: int | None, r: int | None = None):
        """Ring the run that is loaded in the timeline (None: no ring); its silhouette too when it is the best."""
        if i is None or not (0 <= i < self.ks.size) or not np.isfinite(self.objectives[i, r]):
            self.selected.setData([], [])
            self.silhouette.set_selected(None)
        else:
            self.selected.setData([self.x_of(i, r)], [self.objectives[i, r]])
            self.silhouette.set_selected(i if best_per_k(self.objectives)[i] == r else None)

    def clear(self):
        self.set_results([], np.zeros((0, 0)))
        self.silhouette.clear()
        self.set_selected(None)

    def _on_silhouette_clicked(self, i: int):
        """A K's silhouette: load the best run of that K (the one the silhouette is of)."""
        r = int(best_per_k(self.objectives)[i]) if 0 <= i < self.objectives.shape[0] else -1
        if r >= 0:
            self.sigRunClicked.emit(i, r)

    def _tip(self, x, y, data):
        i, r = data
        seed = "" if self.seeds is None else f", seed {int(self.seeds[i, r])}"
        return f"K = {int(self.ks[i])}, restart {r + 1}{seed}\nobjective {y:.6g}"

    def _on_scene_clicked(self, ev):
        """The run whose dot is nearest the click (within 12 pixels), measured on screen."""
        if ev.button() != Qt.MouseButton.LeftButton or self.ks.size == 0:
            return
        vb = self.plot.getPlotItem().vb
        if not vb.sceneBoundingRect().contains(ev.scenePos()):
            return
        click = ev.scenePos()
        best, best_d2 = None, 12.0 ** 2
        for i in range(self.ks.size):
            for r in range(self.objectives.shape[1]):
                v = self.objectives[i, r]
                if not np.isfinite(v):
                    continue
                p = vb.mapViewToScene(pg.Point(self.x_of(i, r), v))
                d2 = (p.x() - click.x()) ** 2 + (p.y() - click.y()) ** 2
                if d2 < best_d2:
                    best, best_d2 = (i, r), d2
        if best is not None:
            ev.accept()
            self.sigRunClicked.emit(*best)


def parse_ks(text: str) -> list[int]:
    """K values from text such as ``"5, 10, 20"`` or ``"2-8"`` (sorted, unique, each >= 1).

    Example
    -------
    >>> parse_ks("2-4, 10 8")
    [2, 3, 4, 8, 10]
    """
    out = set()
    for part in text.replace(",", " ").split():
        if "-" in part[1:]:
            a, b = part.split("-", 1)
            lo, hi = int(a), int(b)
            if hi < lo or hi - lo > 200:
                raise ValueError(f"the range {part!r} should go up, by at most 200 values")
            out.update(range(lo, hi + 1))
        else:
            out.add(int(part))
    if not out or min(out) < 1:
        raise ValueError(f"K values {text!r} should be whole numbers >= 1, e.g. “5, 10, 20” or “2-8”")
    return sorted(out)


def format_ks(ks) -> str:
    """K values as :func:`parse_ks` reads them, runs of three or more as ranges (the field stays short).

    Example
    -------
    >>> format_ks([1, 2, 3, 4, 6, 10, 11])
    '1-4, 6, 10, 11'
    """
    ks = sorted({int(k) for k in ks})
    parts, i = [], 0
    while i < len(ks):
        j = i
        while j + 1 < len(ks) and ks[j + 1] == ks[j] + 1:
            j += 1
        parts += [f"{ks[i]}-{ks[j]}"] if j - i >= 2 else [str(k) for k in ks[i:j + 1]]
        i = j + 1
    return ", ".join(parts)


class LeastHeight(pg.GraphicsLayoutWidget):
    """A graphics layout that asks for its minimum height (a scroll area sizes its contents by their size hints:
    the plots share the height there is by their stretch factors instead of making the tab scroll)."""

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.minimumHeight())


class LeastTiles(TileView):
    """Image tiles that ask for their minimum height (as :class:`LeastHeight`); their own scroll area shows the rest."""

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.minimumHeight())


class RestartsView(QWidget):
    """"Restarts & K": sweep controls, the elbow plot and small multiples of the restarts of one K.

    The view only emits requests (:attr:`sigRunSweep`, :attr:`sigCancel`,
    :attr:`sigRunClicked`, :attr:`sigKChosen`); its owner runs the sweep and
    fills :attr:`elbow` and the small multiples (:meth:`show_mini_scatters`
    for points, :attr:`tiles` for images).
    """

    sigRunSweep = Signal(object, int, int)  # ks, restarts, seed
    sigCancel = Signal()
    sigRunClicked = Signal(int, int)
    sigKChosen = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.ks_edit = QLineEdit("2-8")
        self.ks_edit.setObjectName("sweep_ks")
        self.ks_edit.setToolTip("K values: a list (5, 10, 20) or a range (2-8)")
        self.restarts_spin = QSpinBox()
        self.restarts_spin.setObjectName("sweep_restarts")
        self.restarts_spin.setRange(1, 100)
        self.restarts_spin.setValue(5)
        self.seed_spin = QSpinBox()
        self.seed_spin.setObjectName("sweep_seed")
        self.seed_spin.setRange(0, 2 ** 31 - 1)
        self.seed_spin.setToolTip("Seed of the sweep: every restart's own seed is drawn from it (shown in the tooltips)")
        self.run_button = QPushButton("Run sweep")
        self.run_button.setObjectName("sweep_run")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("sweep_cancel")
        self.cancel_button.setEnabled(False)
        self.message = QLabel()
        self.message.setObjectName("sweep_message")
        self.message.setWordWrap(True)
        fields, buttons = QHBoxLayout(), QHBoxLayout()
        for text, w in (("K", self.ks_edit), ("restarts", self.restarts_spin), ("seed", self.seed_spin)):
            fields.addWidget(QLabel(text))
            fields.addWidget(w)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        # one row; in a narrow tab (side by side) the buttons go under the fields instead of being cut
        controls = self._controls = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        controls.addLayout(fields, 1)
        controls.addLayout(buttons)
        self.elbow = ElbowView()
        self.k_choice = QComboBox()
        self.k_choice.setObjectName("sweep_k_choice")
        self.mini = LeastHeight()
        self.mini.setBackground("w")
        self.mini.setObjectName("sweep_mini")
        self.tiles = LeastTiles()
        self.tiles.setObjectName("sweep_tiles")
        self._mini_rows = 1
        self._fit_mini()
        self.scroll = self._body(controls)
        self.tiles.hide()
        self.mini.hide()  # no small multiples before a sweep: the elbow has the room
        self.mini_plots: list[pg.PlotItem] = []
        self.run_button.clicked.connect(self._on_run)
        self.cancel_button.clicked.connect(self.sigCancel)
        self.elbow.sigRunClicked.connect(self.sigRunClicked)
        self.k_choice.currentIndexChanged.connect(self._on_k_chosen)

    def _body(self, controls) -> QScrollArea:
        """The controls above a scroll area of the rest: the elbow (with the silhouettes) and the small multiples
        share the tab's height 3:2 and scroll when the tab is lower than their least heights."""
        row = QHBoxLayout()
        row.addWidget(QLabel("Restarts of K ="))
        row.addWidget(self.k_choice)
        row.addStretch(1)
        body = QWidget()
        body.setObjectName("sweep_body")
        inner = QVBoxLayout(body)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self.message)
        inner.addWidget(self.elbow, 3)
        inner.addLayout(row)
        inner.addWidget(self.mini, 2)
        inner.addWidget(self.tiles, 2)
        scroll = QScrollArea()
        scroll.setObjectName("sweep_scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(controls)
        layout.addWidget(scroll, 1)
        return scroll

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._fit_controls()

    def _fit_controls(self):
        c = self._controls
        need = sum(c.itemAt(i).sizeHint().width() for i in range(c.count())) + c.spacing() + 8
        want = QBoxLayout.Direction.LeftToRight if self.width() >= need else QBoxLayout.Direction.TopToBottom
        if c.direction() != want:
            c.setDirection(want)

    def _fit_mini(self):
        """The small multiples' least heights (more rows of restarts: the tab scrolls), for the text as large as
        it is now: their titles and points stay readable under the elbow and the silhouettes."""
        self.mini.setMinimumHeight(scaled(max(MINI_HEIGHT, 110 * self._mini_rows)))
        self.tiles.setMinimumHeight(scaled(MINI_HEIGHT))
        self.mini.updateGeometry()

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and hasattr(self, "_mini_rows"):
            self._fit_mini()
            self._fit_controls()

    def set_busy(self, busy: bool):
        self.run_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)

    def set_ks(self, ks, restarts: int | None = None):
        self.ks_edit.setText(format_ks(ks))
        if restarts is not None:
            self.restarts_spin.setValue(int(restarts))

    def set_k_choices(self, ks, current: int = 0):
        blocked = self.k_choice.blockSignals(True)
        self.k_choice.clear()
        for k in ks:
            self.k_choice.addItem(str(int(k)), int(k))
        if len(ks):
            self.k_choice.setCurrentIndex(min(max(current, 0), len(ks) - 1))
        self.k_choice.blockSignals(blocked)

    def show_mini_scatters(self, panels, extended: bool = False):
        """Small multiples: ``panels`` is a list of (title, Y (n, 2), labels (n,), centres (k, 2) or None).

        ``extended``: colours of clusters 8+ as in a rasterised scatter (see :mod:`gui.widgets.palette`).
        """
        from gui.widgets import palette

        self.tiles.hide()
        self.mini.setVisible(bool(panels))
        self.mini.clear()
        self.mini_plots = []
        cols = max(1, min(len(panels), 5))
        rows = -(-len(panels) // cols)
        self._mini_rows = rows
        self._fit_mini()
        for j, (title, Y, labels, C) in enumerate(panels):
            p = self.mini.addPlot(row=j // cols, col=j % cols)
            fit_title(p, title, size="8pt", color="#222222")
            p.hideAxis("left")
            p.hideAxis("bottom")
            p.setAspectLocked(True)
            p.setMenuEnabled(False)
            colors = palette.label_colors(labels, alpha=200, extended=extended)
            brushes = [pg.mkBrush(*c) for c in colors] if len(colors) <= 3000 else None
            spot = pg.ScatterPlotItem(Y[:, 0], Y[:, 1], size=4, pen=None,
                                      brush=brushes if brushes is not None else pg.mkBrush("#4D4D4D"))
            p.addItem(spot)
            if C is not None and len(C):
                p.addItem(pg.ScatterPlotItem(C[:, 0], C[:, 1], size=11, symbol="d", pen=pg.mkPen("k"),
                                             brush=[palette.color(i, extended=extended) for i in range(len(C))]))
            p.vb.setMouseEnabled(False, False)
            self.mini_plots.append(p)

    def show_mini_tiles(self):
        """Switch the small multiples to :attr:`tiles` (image data); the owner fills them."""
        self.mini.clear()
        self.mini_plots = []
        self.mini.hide()
        self.tiles.show()

    def _on_run(self):
        try:
            ks = parse_ks(self.ks_edit.text())
        except ValueError as exc:
            self.message.setText(f"<span style='color:#D55E00'>{exc}</span>")
            return
        self.message.setText("")
        self.sigRunSweep.emit(ks, self.restarts_spin.value(), self.seed_spin.value())

    def _on_k_chosen(self, i: int):
        if i >= 0:
            self.sigKChosen.emit(i)


def _demo_widget() -> RestartsView:
    """The elbow of K = 1..6, three restarts each, on blobs (the sweep runs before the view shows)."""
    from engine import data, kmeans
    X = data.generate("blobs", n=120, seed=0).X
    res = kmeans.sweep(X, range(1, 7), 3, seed=0)
    view = RestartsView()
    view.elbow.set_results(res.ks, res.objectives, res.seeds)
    view.elbow.set_silhouettes(res.silhouettes, res.silhouette_note)
    return view


if __name__ == "__main__":
    from gui.widgets.demo import run_demo
    run_demo(_demo_widget, title="Restarts & K")
