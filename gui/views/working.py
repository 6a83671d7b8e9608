"""The Working view: the arithmetic behind the current step, as tables a person can check by hand.

A shared view (:mod:`gui.views`), shown for every algorithm after the plugin's own tabs. It asks the
active algorithm for the working of the timeline's current step
(:attr:`engine.core.registry.Algorithm.working`, with the run's data — the plugin's ``run_data()``
when it has one, else ``window.run_X()`` —, the player's steps and index, the run's parameters and
the points' names) and shows each table with its formula above it
(:class:`gui.views.working_table.TableBlock`). The highlighted cells are tinted in the colour of their
cluster, as the scatter draws it.

* It follows the timeline, but computes only while it is visible (``show_step`` marks it out of date
  otherwise; ``showEvent`` brings it up to date); while the player plays, updates are coalesced.
* Clicking a point's row rings the point on the scatter; clicking a point on the scatter (inspect
  mode) selects its rows. With more than 50 points the tables show the points clicked so far (else
  the first 50) and a row that sums over all of them.
* A table's context menu copies it as Markdown, LaTeX or CSV.
* An algorithm that gives no working says so plainly, as does a working that fails.
"""
from __future__ import annotations

import html
import re
import traceback

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from engine.core.steps import step_label
from engine.core.working import MAX_ROWS, Working, point_names, shown_rows
from gui.views.working_table import TableBlock

__all__ = ["WorkingView", "cluster_of"]

#: The tint of a highlighted cell that belongs to no cluster (an HAC pair, a drawn point).
NEUTRAL = "#f2c14e"
_PLAIN = re.compile(r"^(?:c|cluster\s+|component\s+)(\d+)$", re.IGNORECASE)  # a cluster by its number only
_CLUSTER = re.compile(r"^(?:c|k\s*=\s*|cluster\s+|component\s+|μ_?|m_?)(\d+)$", re.IGNORECASE)


def cluster_of(label: str) -> int | None:
    """The cluster (0-based) a row or column label names — ``"c2"``, ``"k = 2"``, ``"cluster 2"`` — or None.

    >>> cluster_of("c2"), cluster_of("cluster 10"), cluster_of("x2")
    (1, 9, None)
    """
    m = _CLUSTER.match(str(label).strip())
    return int(m.group(1)) - 1 if m else None


class WorkingView(QWidget):
    """The Working tab (see the module docstring)."""

    title = "Working"

    def __init__(self, window):
        super().__init__()
        self.window = window
        self.setObjectName("working_view")
        self.blocks: list[TableBlock] = []
        self.working: Working | None = None
        self.error = ""
        self._key = None
        self._stale = True
        self._selected: list[int] = []  # the points clicked, most recent first
        self._chosen: int | None = None  # the point whose rows are selected
        self._build()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        window.scatter.sigPointClicked.connect(self._on_point_clicked)
        window.sigDataChanged.connect(self._on_data_changed)

    def _build(self):
        v = QVBoxLayout(self)
        v.setContentsMargins(6, 4, 6, 0)
        self.header = QLabel("No run yet: the working of each step appears here.")
        self.header.setObjectName("working_header")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.message = QLabel("")
        self.message.setObjectName("working_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #555;")
        self.message.hide()
        self.scroll = QScrollArea()
        self.scroll.setObjectName("working_scroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 0, 4, 0)
        self.body_layout.addStretch(1)
        self.scroll.setWidget(self.body)
        v.addWidget(self.header)
        v.addWidget(self.message)
        v.addWidget(self.scroll, 1)

    # ---------------------------------------------------------------- the shared-view contract
    def show_step(self, step) -> None:
        """Follow the timeline: the header at once, the tables now when visible (else on show)."""
        player = self.window.player
        if step is None:
            self.header.setText("No run yet: the working of each step appears here.")
        else:
            self.header.setText(f"<b>{step_label(player.index).capitalize()}</b> ({html.escape(step.kind)}): "
                                f"{html.escape(step.description)}")
        self._stale = True
        if self.isVisible():
            if player.playing:
                self._timer.start()
            else:
                self.refresh()

    def has_content(self) -> bool:
        """Whether the current step has a working to show (computed now if out of date)."""
        if self._stale:
            self.refresh()
        return self.working is not None and bool(self.working.tables)

    def figure(self):
        """None: tables are not a figure (``render --working`` writes them as working.json, solution.md/.tex)."""
        return None

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._wrap_texts()

    def _wrap_texts(self):
        width = self.scroll.viewport().width() - self.body_layout.contentsMargins().right()
        for block in self.blocks:
            block.set_text_width(width)

    def showEvent(self, event):
        super().showEvent(event)
        if self._stale:
            self.refresh()

    # ---------------------------------------------------------------- computing
    def _inputs(self):
        """(algorithm, X, steps, index, params, names) of the current step, or a message why there is none."""
        w = self.window
        plugin, player = w.plugin, w.player
        step = player.current
        if plugin is None or step is None:
            return "No run yet: the working of each step appears here once a run has started."
        alg = plugin.algorithm
        if alg.working is None:
            return f"{alg.title} gives no working of its steps (yet): the other tabs show what each step did."
        run_data = getattr(plugin, "run_data", None)
        X = run_data() if callable(run_data) else w.run_X()
        if X is None:
            return "No run data yet."
        try:
            params = plugin.parameters()
        except ValueError:
            params = {}
        ds = w.dataset
        names = ds.point_names if ds is not None else None
        return alg, np.asarray(X), player.history, player.index, params, names

    def refresh(self) -> None:
        """Compute the current step's working (unless shown already) and show it."""
        self._stale = False
        inputs = self._inputs()
        if isinstance(inputs, str):
            self._key = None
            self.working = None
            self._show_message(inputs)
            return
        alg, X, steps, index, params, names = inputs
        rows = list(self._selected) or None
        key = (steps[index], index, id(X), tuple(self._selected), alg.name)
        if self._key is not None and len(self._key) == len(key) and all(a is b or a == b
                                                                        for a, b in zip(self._key, key)):
            return
        self._key = key
        try:
            self.working = alg.working(X, steps, index, params, names=names, rows=rows)
        except Exception as exc:  # a working that fails says so; the window goes on
            traceback.print_exc()
            self.working = None
            self._show_message(f"The working of this step could not be computed: {type(exc).__name__}: {exc}")
            return
        if not self.working.tables:
            self._show_message("This step has no working to show.")
            return
        self._show_tables(X.shape[0], names, rows, steps[index])

    def _show_message(self, text: str):
        self._clear()
        self.message.setText(text)
        self.message.show()

    def _clear(self):
        for block in self.blocks:
            self.body_layout.removeWidget(block)
            block.hide()
            block.deleteLater()
        self.blocks = []

    def _show_tables(self, n, names, rows, step):
        bar = self.scroll.verticalScrollBar()
        top = bar.value()
        self._clear()
        self.message.hide()
        idx, _ = shown_rows(n, rows)
        every = point_names(n, names)
        labels = [every[i] for i in idx]
        step_labels = step.labels
        for table in self.working.tables:
            points = None
            if list(table.rows[:len(idx)]) == labels:
                points = [int(i) for i in idx] + [-1] * (len(table.rows) - len(idx))
            block = TableBlock(table, self._cell_colours(table, points, step_labels), self._header_colours(table),
                               points, header_names=self._header_names(table))
            block.sigPointChosen.connect(self._on_row_chosen)
            self.body_layout.insertWidget(self.body_layout.count() - 1, block)
            self.blocks.append(block)
        self._wrap_texts()
        if self._chosen is not None:
            for block in self.blocks:
                block.select_point(self._chosen)
        QTimer.singleShot(0, lambda: bar.setValue(top))

    # ---------------------------------------------------------------- colours
    def _colour(self, j) -> str:
        if j is None or j < 0:
            return NEUTRAL
        try:
            scatter = self.window.scatter
            return scatter.cluster_hex(int(j), extended=scatter.raster)
        except (IndexError, KeyError, ValueError, TypeError):
            return NEUTRAL

    def _cell_colours(self, table, points, labels) -> dict:
        """The tint of each highlighted cell: the cluster its column (or row) names, else its point's cluster."""
        out = {}
        for r, c in table.highlight:
            j = cluster_of(table.columns[c])
            if j is None and points is not None and points[r] >= 0 and labels is not None \
                    and points[r] < len(labels):
                j = int(labels[points[r]])
            if j is None:
                j = cluster_of(table.rows[r])
            out[(r, c)] = self._colour(j)
        return out

    def _header_names(self, table):
        """Row and column labels that only number a cluster ("c2", "cluster 2", "component 2") shown by the
        window's name of that cluster (a group's own name, as in the scatter's legend); others as they are."""
        def named(label):
            m = _PLAIN.match(str(label).strip())
            if m is None:
                return None
            try:
                return self.window.scatter.cluster_name(int(m.group(1)) - 1)
            except (IndexError, KeyError, ValueError, TypeError):
                return None
        rows = {r: got for r, name in enumerate(table.rows) if (got := named(name))}
        cols = {c: got for c, name in enumerate(table.columns) if (got := named(name))}
        return rows, cols

    def _header_colours(self, table):
        rows = {r: self._colour(j) for r, name in enumerate(table.rows) if (j := cluster_of(name)) is not None}
        cols = {c: self._colour(j) for c, name in enumerate(table.columns) if (j := cluster_of(name)) is not None}
        return rows, cols

    # ---------------------------------------------------------------- rows and points
    def _on_row_chosen(self, i: int):
        """A point's row was selected: ring the point on the scatter and select its rows everywhere."""
        self._chosen = i
        scatter = self.window.scatter
        if 0 <= i < scatter.n:
            scatter.highlight([i])
        for block in self.blocks:
            block.select_point(i)

    def _on_point_clicked(self, i: int):
        """A point was clicked on the scatter: its rows are selected (shown first, if they were not)."""
        self._chosen = int(i)
        shown = any(block.points is not None and i in block.points for block in self.blocks)
        if self.window.scatter.n > MAX_ROWS and not shown:
            self._selected = ([int(i)] + [j for j in self._selected if j != i])[:MAX_ROWS]
            self._stale = True
        if self.isVisible():
            if self._stale:
                self.refresh()
            for block in self.blocks:
                block.select_point(int(i))
            first = next((b for b in self.blocks if b.points is not None), None)
            if first is not None:
                self.scroll.ensureWidgetVisible(first.grid, 0, 0)

    def selected_point(self) -> int | None:
        """The point whose rows are selected (None: none)."""
        return self._chosen

    def _on_data_changed(self):
        self._selected, self._chosen = [], None
        self._stale = True
