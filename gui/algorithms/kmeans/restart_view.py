"""The "Restarts" tab: every restart of the run on the timeline, its seed and final objective; one click loads it.

Shared by the K-means plugin and both mixture plugins (:class:`gui.algorithms.kmeans.restarts.RestartsMixin`).
The view draws the numbers of an :class:`engine.core.restarts.RestartInfo` and computes nothing: one dot
per restart (final objective against the restart number, in the colours of the K-means elbow: dots
blue, the best restart an orange diamond, the restart on the timeline ringed), and the same numbers as
a table (restart, seed, final objective, steps; ★ = the best, ▶ = shown). Clicking a dot or a row emits
:attr:`RestartsListView.sigRestartClicked` with the restart's index (from 0). A single run has nothing to
compare: the plot and the table give way to a short note, in the middle of the tab, that says what the tab
would show and how to get it (and, while restarts are computed, how far they are).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSplitter,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from gui.algorithms.kmeans.elbow import BEST, DOT
from gui.widgets.grid import show_grid
from gui.widgets.plot_text import LegendRow, fit_axis_title
from gui.widgets.text_room import scaled

__all__ = ["RestartsListView"]

NO_RESTARTS = ("One run, nothing to compare: Restarts is 1 in the panel.\n\nSet Restarts to 5, say: the run is "
               "repeated from the seeds seed, seed + 1, …, every restart is listed here with its final objective, "
               "the best goes on the timeline, and a click on another one puts it there.")
COLUMNS = ("", "restart", "seed", "final objective", "steps")
WIDE = 760  # from this width on (pixels) the table goes beside the plot


class RestartsListView(QWidget):
    """Every restart of the current run (see the module docstring).

    Signals
    -------
    sigRestartClicked(int)
        The restart (index from 0) the person clicked, in the plot or in the table.
    sigCancel()
        The Cancel button: stop the restarts (the finished ones are kept).
    """

    sigRestartClicked = Signal(int)
    sigCancel = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.message = QLabel()
        self.message.setObjectName("restarts_message")
        self.message.setWordWrap(True)
        self.note = QLabel(NO_RESTARTS)  # instead of an empty plot and table: what this tab shows, and how
        self.note.setObjectName("restarts_note")
        self.note.setWordWrap(True)
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note.setMaximumWidth(560)
        self.note.setStyleSheet("color: #444444;")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("restarts_cancel")
        self.cancel_button.setToolTip("Stop the restarts; the best of those finished goes on the timeline")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.sigCancel)
        top = QHBoxLayout()
        top.addWidget(self.message, 1)
        top.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignTop)
        self.plot = self._build_plot()
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("restarts_table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.cellClicked.connect(lambda row, _col: self.sigRestartClicked.emit(row))
        self.split = split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.plot)
        split.addWidget(self.table)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self.note, 1, Qt.AlignmentFlag.AlignCenter)
        self.info = None
        self.objective_name = "objective"

    def _build_plot(self) -> pg.PlotWidget:
        """One dot per restart, the best a diamond, the one on the timeline ringed; a legend above."""
        self.plot = pg.PlotWidget(background="w")
        self.plot.setObjectName("restarts_plot")
        show_grid(self.plot.getPlotItem(), x=False, y=True, alpha=0.25)
        self.plot.setLabel("bottom", "restart")
        self.plot.setLabel("left", "final objective")
        self.plot.setMenuEnabled(False)
        self.plot.getPlotItem().vb.setMouseEnabled(False, False)
        legend = LegendRow(labelTextColor="#333333")  # above the plot, never over a dot; rows as the width allows
        legend.place(self.plot.getPlotItem())
        self.plot.getPlotItem().legend = legend  # the named items below are listed in it
        self.dots = pg.ScatterPlotItem(size=10, brush=pg.mkBrush(DOT + "c0"), pen=pg.mkPen("w", width=0.5),
                                       hoverable=True, hoverSize=13, tip=self._tip, name="a restart")
        self.best = pg.ScatterPlotItem(size=17, symbol="d", brush=pg.mkBrush(BEST), pen=pg.mkPen("k", width=1),
                                       name="the best")
        self.shown = pg.ScatterPlotItem(size=25, symbol="o", brush=None, pen=pg.mkPen("k", width=2))
        self.best_line = pg.InfiniteLine(angle=0, pen=pg.mkPen(BEST, width=1, style=Qt.PenStyle.DashLine))
        self.best_line.hide()
        for item in (self.best_line, self.dots, self.best, self.shown):
            self.plot.addItem(item)
        # the ring's legend sample smaller than the ring: 25 px overflowed the legend's 20 px box onto its text
        legend.addItem(pg.ScatterPlotItem(size=14, symbol="o", brush=None, pen=pg.mkPen("k", width=2)),
                       "on the timeline")
        self.plot.scene().sigMouseClicked.connect(self._on_scene_clicked)
        return self.plot

    def resizeEvent(self, event):
        """Plot beside the table when there is room, above it in a narrow tab (every column stays readable)."""
        super().resizeEvent(event)
        self._axis_label()
        vertical = self.width() < WIDE
        want = Qt.Orientation.Vertical if vertical else Qt.Orientation.Horizontal
        if self.split.orientation() != want:
            self.split.setOrientation(want)
            self._fit_table_width()

    def changeEvent(self, event):
        """A new font (lecture mode scales the application's): the table beside the plot is measured again once its
        columns have it, or its last columns ("final log-likelihood", "steps") are cut by the plot."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            QTimer.singleShot(0, self, self._fit_table_width)

    def _axis_label(self):
        """The objective's whole name on the axis when it fits its height, else its short name ("final J"),
        measured in the font it is drawn in (refitted as the plot is resized)."""
        fit_axis_title(self.plot, "left", f"final {self.objective_name}", short=f"final {self.short_name}")

    def _fit_table_width(self):
        """Beside the plot the table is as wide as its columns (no horizontal scrolling); above, any width."""
        if self.split.orientation() == Qt.Orientation.Vertical:
            self.table.setMinimumWidth(0)
            self.split.setSizes([3 * self.height() // 5, 2 * self.height() // 5])
            self._axis_label()
            return
        t = self.table
        t.horizontalHeader().setStretchLastSection(False)
        t.resizeColumnsToContents()
        width = t.horizontalHeader().length() + 2 * t.frameWidth() + t.verticalScrollBar().sizeHint().width() + 4
        t.setMinimumWidth(min(width, scaled(460)))  # (lecture mode: wider, with its larger text)
        t.horizontalHeader().setStretchLastSection(True)

    @property
    def short_name(self) -> str:
        """The objective's short name: "J", "log-likelihood", "log posterior"."""
        return self.objective_name.split(" (")[0].split(" = ")[0]

    # ------------------------------------------------------------------ drawing
    def set_busy(self, busy: bool):
        self.cancel_button.setEnabled(bool(busy))
        self.cancel_button.setVisible(bool(busy) or self.info is not None)

    def set_info(self, info, objective_name: str = "objective", text: str | None = None):
        """Draw ``info`` (a :class:`~engine.core.restarts.RestartInfo`, or None: a single run);
        ``text`` replaces the message."""
        self.info = info
        self.objective_name = objective_name
        self._axis_label()
        self.table.setHorizontalHeaderLabels(COLUMNS[:3] + (f"final {self.short_name}",) + COLUMNS[4:])
        self._show_note(None if info is not None else NO_RESTARTS if text is None else text)
        if info is None:
            for item in (self.dots, self.best, self.shown):
                item.setData([], [])
            self.best_line.hide()
            self.table.setRowCount(0)
            return
        J = np.asarray(info.objectives, dtype=float)
        x = np.arange(1, info.n + 1, dtype=float)
        ok = np.isfinite(J)
        self.dots.setData([{"pos": (x[r], J[r]), "data": r} for r in np.flatnonzero(ok)])
        b, s = int(info.best), int(info.shown)
        has_best = 0 <= b < info.n and ok[b]
        self.best.setData([x[b]] if has_best else [], [J[b]] if has_best else [])
        self.best_line.setVisible(bool(has_best))
        if has_best:
            self.best_line.setValue(float(J[b]))
        shown_ok = 0 <= s < info.n and ok[s]
        self.shown.setData([x[s]] if shown_ok else [], [J[s]] if shown_ok else [])
        self._fit_range(J[ok], info.n)
        self._fill_table(info, J)
        self.message.setText(self._summary(info, J) if text is None else text)

    def _show_note(self, note: str | None):
        """``note`` in the middle of the tab instead of the plot and the table (None: the plot and the table)."""
        self.note.setText(note or "")
        self.note.setVisible(note is not None)
        self.split.setVisible(note is None)
        self.message.setVisible(note is None)

    def _fit_range(self, values, n: int):
        vb = self.plot.getPlotItem().vb
        vb.setXRange(0.5, n + 0.5, padding=0)
        self.plot.getPlotItem().getAxis("bottom").setTicks([[(float(i), str(i)) for i in range(1, n + 1)
                                                              if n <= 20 or i % max(1, n // 10) == 0 or i == 1]])
        if values.size == 0:
            return
        lo, hi = float(values.min()), float(values.max())
        pad = max(0.1 * (hi - lo), 5e-4 * max(abs(lo), abs(hi)), 1e-12)
        vb.setYRange(lo - pad, hi + pad, padding=0)

    def _fill_table(self, info, J):
        self.table.setRowCount(info.n)
        errors = tuple(info.errors) + ("",) * info.n
        for r in range(info.n):
            mark = ("★" if r == info.best and np.isfinite(J[r]) else "") + ("▶" if r == info.shown else "")
            if np.isfinite(J[r]):
                value = f"{J[r]:.8g}"
            else:
                value = "failed" if errors[r] else "not run"
            cells = (mark, str(r + 1), str(int(info.seeds[r])), value,
                     str(int(info.n_steps[r])) if info.n_steps[r] else "")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if errors[r]:
                    item.setToolTip(errors[r])
                self.table.setItem(r, c, item)
        self._fit_table_width()
        blocked = self.table.blockSignals(True)
        if 0 <= info.shown < info.n:
            self.table.selectRow(int(info.shown))
        self.table.blockSignals(blocked)

    def _summary(self, info, J) -> str:
        done = int(np.isfinite(J).sum())
        which = "least" if info.sense == "min" else "highest"
        if not 0 <= info.best < info.n or not np.isfinite(J[info.best]):
            return f"{done} of {info.n} restarts finished so far."
        cut = f" (cancelled: {done} of {info.n} finished)" if info.cancelled else ""
        tie = abs(J[info.shown] - J[info.best]) <= 1e-9 * max(abs(J[info.best]), 1e-300)
        shown = ("the best one" if info.shown == info.best else
                 f"restart {info.shown + 1} (seed {int(info.seeds[info.shown])}), "
                 + ("as good as the best" if tie else "not the best"))
        return (f"{info.n} restarts from the seeds {int(info.seeds[0])}, {int(info.seeds[0]) + 1}, …{cut}; "
                f"★ restart {info.best + 1} has the {which} final {self.short_name}, {J[info.best]:.8g}. "
                f"On the timeline: {shown}. Click a dot or a row to watch another restart.")

    def set_progress(self, info, done: int, total: int):
        """A restart finished while the others still run: its dot and row appear at once."""
        J = np.asarray(info.objectives, dtype=float)
        finished = [f"{J[r]:.6g}" for r in range(info.n) if np.isfinite(J[r])]
        self.set_info(info.showing(max(info.best, 0)), self.objective_name,
                      text=f"Computing restart {min(done + 1, total)} of {total}… {done} finished "
                           f"(final {self.short_name}: {', '.join(finished[-6:]) or '—'}); Cancel keeps "
                           "the finished ones and shows the best of them.")
        self.shown.setData([], [])

    def _tip(self, x, y, data):
        r = int(data)
        seed = "" if self.info is None else f", seed {int(self.info.seeds[r])}"
        return f"restart {r + 1}{seed}\nfinal {self.objective_name} {y:.8g}"

    def _on_scene_clicked(self, ev):
        """The restart whose dot is nearest the click (within 14 pixels), measured on screen."""
        if ev.button() != Qt.MouseButton.LeftButton or self.info is None:
            return
        vb = self.plot.getPlotItem().vb
        if not vb.sceneBoundingRect().contains(ev.scenePos()):
            return
        J = np.asarray(self.info.objectives, dtype=float)
        click, best, best_d2 = ev.scenePos(), None, 14.0 ** 2
        for r in np.flatnonzero(np.isfinite(J)):
            p = vb.mapViewToScene(pg.Point(float(r + 1), float(J[r])))
            d2 = (p.x() - click.x()) ** 2 + (p.y() - click.y()) ** 2
            if d2 < best_d2:
                best, best_d2 = int(r), d2
        if best is not None:
            ev.accept()
            self.sigRestartClicked.emit(best)

    def point_of(self, r: int):
        """Where restart ``r``'s dot is, in the plot widget's coordinates (for tests that click it)."""
        vb = self.plot.getPlotItem().vb
        scene = vb.mapViewToScene(pg.Point(float(r + 1), float(self.info.objectives[r])))
        return self.plot.mapFromScene(scene)


def _demo_widget() -> RestartsListView:
    """Five K-means restarts (K = 6) on blobs, the best on the timeline."""
    from engine import data
    from engine.core.registry import get_algorithm
    X = data.generate("blobs", n=200, seed=0).X
    alg = get_algorithm("kmeans")
    first = next(iter(alg.steps(X, k=6, seed=0, restarts=5)))
    view = RestartsListView()
    view.set_info(first.payload["restarts"], alg.objective_label({"variant": "means"}))
    return view


if __name__ == "__main__":
    from gui.widgets.demo import run_demo
    run_demo(_demo_widget, title="Restarts")
