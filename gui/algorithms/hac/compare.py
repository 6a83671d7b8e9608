"""Compare HAC answers across norms and linkages on the current data.

Two parts, both computed by the engine and only drawn here:

* a table: for each norm (ℓ1, ℓ2, ℓ∞) and each linkage (min, max, avg,
  centroid), which two clusters merge first and at what distance — the first
  question of textbook exercise 1, answered live for whatever data is loaded;
* small multiples: the dendrograms of the same data under the three norms
  (for the chosen linkage) or under the four linkages (for the chosen norm),
  each titled, side by side, on a shared height scale.

The view does not know how to compute; the owner gives it two callables
(see :meth:`CompareView.set_source`). The view calls them on a worker thread
(:class:`gui.run.tasks.BackgroundTask`, the pattern of the K-means sweep),
so the window never freezes: the results come back to the GUI thread, a line
says what is being computed meanwhile, and a newer source drops the results
of an older one. Small data (``eager=True``) is computed at once; larger
data only when the tab is shown, so a hidden tab costs nothing.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import (QButtonGroup, QHBoxLayout, QLabel, QRadioButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget, QHeaderView, QSizePolicy)

from engine.core.norms import NORM_SYMBOLS
from gui.algorithms.hac.dendrogram import Tree, pair_segments
from gui.run.tasks import BackgroundTask
from gui.widgets import CONTROL

__all__ = ["CompareView", "SmallDendrogram", "LINKAGE_TITLES"]

LINKAGE_TITLES = {"min": "min", "max": "max", "avg": "avg", "centroid": "centroid"}
INVERSION_COLOR = "#E8000B"
ONE_D_NOTE = ("One-dimensional data: every norm gives |x − x′|, so the ℓ1, ℓ2 and ℓ∞ rows are the same and the "
              "three dendrograms of one linkage are one; only the linkage changes the answer here.")
SMALL_NAME_LIMIT = 40  # more leaves than this: the small dendrograms name none


class SmallDendrogram(pg.PlotWidget):
    """One small, titled dendrogram (one curve for all links, red marks on inversions)."""

    def __init__(self, parent=None):
        super().__init__(parent, background="w")
        self.setMinimumSize(160, 160)
        self.getPlotItem().setMenuEnabled(False)
        for name in ("left", "bottom"):
            ax = self.getPlotItem().getAxis(name)
            ax.setPen(pg.mkPen("k"))
            ax.setTextPen(pg.mkPen("k"))
            ax.enableAutoSIPrefix(False)
        self.getPlotItem().getAxis("bottom").setStyle(hideOverlappingLabels=True)
        self.curve = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen("#333333", width=1.5))
        self.inversions = pg.ScatterPlotItem(size=10, symbol="t", brush=pg.mkBrush(INVERSION_COLOR), pen=None)
        self.addItem(self.curve)
        self.addItem(self.inversions)
        self.tree: Tree | None = None

    def set_tree(self, tree: Tree | None, title: str, top: float | None = None):
        self.tree = tree
        self.setTitle(title, color="k", size="10pt")
        if tree is None or tree.n_links == 0:
            self.curve.setData([], [])
            self.inversions.setData([], [])
            return
        self.curve.setData(*pair_segments(tree.icoord, tree.dcoord))
        self.inversions.setData(*tree.link_top(np.flatnonzero(tree.inversion)))
        names = tree.leaf_ticks() if tree.m <= SMALL_NAME_LIMIT else []
        self.getPlotItem().getAxis("bottom").setTicks([names, []])
        self.getPlotItem().getAxis("bottom").setLabel("" if names else f"{tree.m:,} leaves")
        top = float(np.max(tree.dcoord)) if top is None else float(top)
        lo, hi = float(tree.leaf_x.min()), float(tree.leaf_x.max())
        pad = max((hi - lo) * 0.05, 5.0)
        self.setRange(xRange=(lo - pad, hi + pad), yRange=(0.0, top * 1.08 if top > 0 else 1.0), padding=0)


class CompareView(QWidget):
    """First merges for every norm x linkage, and dendrograms side by side (see the module docstring)."""

    def __init__(self, parent=None, choice: Callable[[], tuple[str, str]] | None = None):
        super().__init__(parent)
        self._choice = choice  # () -> (norm, linkage) of the current parameters, read on every restart and show
        self.title = QLabel()
        self.title.setObjectName("compare_title")
        self.title.setWordWrap(True)
        self.table = QTableWidget()
        self.table.setObjectName("first_merges")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        self.toggle_box = self._build_toggle()
        self.multiples_label = QLabel()
        self.multiples_label.setWordWrap(True)  # two sentences: one line would set the tab's minimum width
        self.multiples: list[SmallDendrogram] = []
        self.grid = QHBoxLayout()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.table)
        self.dim_note = QLabel()
        self.dim_note.setObjectName("compare_one_d")
        self.dim_note.setWordWrap(True)
        self.dim_note.setStyleSheet("color: #8a4b00;")
        self.dim_note.setVisible(False)
        layout.addWidget(self.dim_note)
        self._dims = 2
        layout.addWidget(self.toggle_box)
        layout.addWidget(self.multiples_label)
        layout.addLayout(self.grid, 1)
        self.busy_label = QLabel()
        self.busy_label.setObjectName("compare_busy")
        self.busy_label.setStyleSheet("color: #555;")
        self.busy_label.setVisible(False)
        layout.insertWidget(1, self.busy_label)
        self._first: Callable | None = None
        self._trees: Callable | None = None
        self._dirty = False
        self._task: BackgroundTask | None = None  # made on first use (one worker thread)
        self._pending: tuple | None = None  # (need_first, panels) of the job running now
        self.trees: dict = {}  # (norm, linkage) -> Tree, computed for the current source
        self.norm = "l2"
        self.linkage = "min"
        self.results: dict = {}
        self.norms: tuple = tuple(NORM_SYMBOLS)
        self.linkages: tuple = tuple(LINKAGE_TITLES)

    # ------------------------------------------------------------------ source

    def _build_toggle(self) -> QWidget:
        """'Dendrograms side by side:' and its two answers: a control, not part of the figure (``export.CONTROL``:
        a figure of this view leaves it out)."""
        self.by_norms = QRadioButton("same linkage, three norms")
        self.by_linkages = QRadioButton("same norm, four linkages")
        self.by_norms.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.by_norms)
        group.addButton(self.by_linkages)
        self.by_norms.toggled.connect(self._on_mode_changed)
        choices = QHBoxLayout()  # the question above its two answers: one row would make the tab 680 px wide
        choices.addWidget(self.by_norms)
        choices.addWidget(self.by_linkages)
        choices.addStretch(1)
        box = QWidget()
        box.setProperty(CONTROL, True)
        toggle = QVBoxLayout(box)
        toggle.setContentsMargins(0, 0, 0, 0)
        toggle.setSpacing(2)
        toggle.addWidget(QLabel("Dendrograms side by side:"))
        toggle.addLayout(choices)
        return box
    def set_source(self, first_merges: Callable[[], dict] | None, trees: Callable[[str, str], Tree | None] | None,
                   title: str = "", eager: bool = False):
        """Give the view what to show.

        Parameters
        ----------
        first_merges : callable
            ``first_merges()`` returns ``{(norm, linkage): (name_a, name_b, distance)}``.
            Called on a worker thread: it must not touch widgets.
        trees : callable
            ``trees(norm, linkage)`` returns the :class:`Tree` of the full run (or None);
            also called on the worker thread.
        title : str
            One line above the table (the data set and its starting clusters).
        eager : bool
            Compute now even if the tab is hidden (for small data: cheap, and the
            tab is ready when the person opens it).
        """
        self._first, self._trees = first_merges, trees
        self._read_choice()
        self.title.setText(title)
        self.results = {}
        self.trees = {}
        self._dirty = True
        if first_merges is None:
            self._cancel()
            self.refresh()
        elif self.isVisible() or eager:
            self.refresh()
        else:
            self._cancel()
            self._clear_drawing()

    def set_dimensions(self, d: int):
        """The run's number of features: in one dimension the rows of the norms are equal, and the view says why."""
        self._dims = int(d)
        self._show_dim_note()

    def _show_dim_note(self):
        one_d = self._dims == 1 and bool(self.results)
        self.dim_note.setText(ONE_D_NOTE if one_d else "")
        self.dim_note.setVisible(one_d)

    def set_choice_source(self, choice: Callable[[], tuple[str, str]] | None):
        """``choice()`` returns the current ``(norm, linkage)``; read on every restart and whenever the view is shown.

        The parameters change on paths that emit no signal (a session or an example applied to the form,
        undo): reading them from their owner, rather than waiting to be told, keeps the bold cell and the
        small multiples on the current run's norm and linkage on every path.
        """
        self._choice = choice
        self._read_choice()

    def _read_choice(self):
        if self._choice is not None:
            norm, linkage = self._choice()
            self.set_choice(norm, linkage)

    def set_choice(self, norm: str, linkage: str):
        """The norm and linkage chosen in the parameter form (the fixed axis of the small multiples)."""
        if (norm, linkage) != (self.norm, self.linkage):
            self.norm, self.linkage = norm, linkage
            self._mark_choice()
            if self._first is not None and not self._dirty:
                self._draw_multiples()

    @property
    def busy(self) -> bool:
        """True while the worker computes for this view (``gui.shell.render`` waits for it)."""
        return self._task is not None and self._task.busy

    def showEvent(self, event):
        super().showEvent(event)
        self._read_choice()
        if self._dirty:
            self.refresh()

    def refresh(self):
        """Recompute (through the source, on the worker thread) and redraw when the results come."""
        self._dirty = False
        if self._first is None:
            self.results = {}
            self.trees = {}
            self._clear_drawing()
            self._show_busy("")
            return
        self._clear_drawing()
        self._show_dim_note()
        self._compute(need_first=True, panels=self.panels())

    def shutdown(self):
        """Stop the worker thread (the owner calls this when the window closes)."""
        if self._task is not None:
            self._task.shutdown()
            self._task = None

    # ------------------------------------------------------------------ background work
    def _cancel(self):
        if self._task is not None and self._task.busy:
            self._task.cancel()
            self._pending = None
            self._show_busy("")

    def _compute(self, need_first: bool, panels: list):
        missing = [p for p in panels if p not in self.trees]
        if not need_first and not missing:
            return
        if self._task is None:
            self._task = BackgroundTask(self)
            self._task.sigFinished.connect(self._on_computed)
            self._task.sigFailed.connect(self._on_failed)
            self._task.sigProgress.connect(lambda done, total, text: self._show_busy(text))
        first, trees = self._first, self._trees
        if self._pending is not None and self._task.busy:  # a job for the same source is running: redo all
            need_first = need_first or self._pending[0]
            missing = list(dict.fromkeys(list(self._pending[1]) + missing))
        self._pending = (need_first, tuple(missing))

        def job(progress, cancelled):
            out_first, out_trees = None, {}
            total = len(missing) + bool(need_first)
            if need_first:
                progress(0, total, "computing the first merges (12 norm × linkage pairs)…")
                out_first = dict(first())
            for i, (n, l) in enumerate(missing):
                if cancelled():
                    return None
                progress(i + bool(need_first), total,
                         f"computing the dendrogram {NORM_SYMBOLS[n]}, {l} ({i + 1} of {len(missing)})…")
                out_trees[(n, l)] = trees(n, l) if trees is not None else None
            return first, out_first, out_trees

        self._show_busy("computing the first merges…" if need_first else "computing the dendrograms…")
        self._task.start(job)

    def _on_computed(self, result):
        self._pending = None
        self._show_busy("")
        if result is None:
            return
        first, out_first, out_trees = result
        if first is not self._first:  # an older source: drop it
            return
        self.trees.update(out_trees)
        if out_first is not None:
            self.results = out_first
            self._fill_table()
        self._draw_multiples()

    def _on_failed(self, message: str):
        """The engine refused the data (a ParamError): say why, never crash."""
        self._pending = None
        self._show_busy("")
        self.results = {}
        self.title.setText(message)
        self._fill_table()

    def _show_busy(self, text: str):
        self.busy_label.setText(text)
        self.busy_label.setVisible(bool(text))

    def _clear_drawing(self):
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        for w in self.multiples:
            w.set_tree(None, "")
        self.multiples_label.setText("")

    # ------------------------------------------------------------------ drawing
    def _fill_table(self):
        t = self.table
        t.clear()
        t.setRowCount(len(self.norms))
        t.setColumnCount(len(self.linkages))
        t.setHorizontalHeaderLabels([LINKAGE_TITLES[l] for l in self.linkages])
        t.setVerticalHeaderLabels([NORM_SYMBOLS[n] for n in self.norms])
        for r, nm in enumerate(self.norms):
            for c, lk in enumerate(self.linkages):
                res = self.results.get((nm, lk))
                text = "—" if res is None else f"{res[0]} + {res[1]}\nat {res[2]:.4g}"
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if res is not None:
                    item.setToolTip(f"{NORM_SYMBOLS[nm]}, {lk} linkage: {res[0]} and {res[1]} merge first, "
                                    f"at distance {res[2]!r}")
                t.setItem(r, c, item)
        self._fit_table()
        self._mark_choice()
        self._show_dim_note()

    def _fit_table(self):
        """The table as tall as its rows (no scroll bar): again when the font changes (lecture mode)."""
        t = self.table
        t.resizeRowsToContents()
        height = t.horizontalHeader().sizeHint().height() + sum(t.rowHeight(r) for r in range(t.rowCount()))
        t.setFixedHeight(height + 2 * t.frameWidth())

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.ApplicationFontChange):
            QTimer.singleShot(0, self, self._fit_table)

    def _mark_choice(self):
        for r, nm in enumerate(self.norms):
            for c, lk in enumerate(self.linkages):
                item = self.table.item(r, c)
                if item is not None:
                    font = item.font()
                    font.setBold((nm, lk) == (self.norm, self.linkage))
                    item.setFont(font)

    def panels(self) -> list[tuple[str, str]]:
        """The (norm, linkage) of each small multiple, in order."""
        if self.by_norms.isChecked():
            return [(n, self.linkage) for n in self.norms]
        return [(self.norm, l) for l in self.linkages]

    def _draw_multiples(self):
        panels = self.panels()
        if any(p not in self.trees for p in panels):
            self._compute(need_first=False, panels=panels)  # drawn when the worker is done
            return
        while len(self.multiples) < len(panels):
            w = SmallDendrogram()
            self.multiples.append(w)
            self.grid.addWidget(w)
        for w in self.multiples[len(panels):]:
            w.setVisible(False)
        trees = [self.trees[p] for p in panels]
        tops = [float(np.max(t.dcoord)) for t in trees if t is not None and t.n_links]
        shared = self.by_norms.isChecked() is False and len(tops) > 0  # same norm: heights comparable
        for w, (n, l), tree in zip(self.multiples, panels, trees):
            w.setVisible(True)
            w.set_tree(tree, f"{NORM_SYMBOLS[n]}, {l}", top=max(tops) if shared else None)
        fixed = f"linkage {self.linkage}" if self.by_norms.isChecked() else f"norm {NORM_SYMBOLS[self.norm]}"
        self.multiples_label.setText(f"Full dendrograms with {fixed} (red ▲: inversion)."
                                     + ("" if shared else " Each has its own height scale: norms measure differently."))

    def _on_mode_changed(self, *_):
        if self._first is not None and not self._dirty:
            self._draw_multiples()


def _demo_widget() -> CompareView:
    """The comparison on the textbook's five points A..E (computed on the view's worker thread)."""
    from PySide6.QtWidgets import QApplication

    from engine import data, hac
    X = data.example("five-points").X
    names = [f"x{i + 1}" for i in range(len(X))]

    def first():
        return {(r.norm, r.linkage): (names[r.a], names[r.b], r.distance) for r in hac.first_merges(X)}

    def trees(norm, linkage):
        return Tree(hac.fit(X, norm=norm, linkage=linkage).dendrogram, names)

    view = CompareView()
    view.set_source(first, trees, "First merge of HAC on the five points A..E, for every norm and cluster distance:",
                    eager=True)
    QApplication.instance().aboutToQuit.connect(view.shutdown)  # never leave the worker thread running
    return view


if __name__ == "__main__":
    from gui.widgets.demo import run_demo
    run_demo(_demo_widget, title="Compare norms and linkages")
