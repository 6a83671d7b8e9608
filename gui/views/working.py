"""The Working view: the arithmetic behind the current step, as tables a person can check by hand.

A shared view (:mod:`gui.views`), shown for every algorithm after the plugin's own tabs. It asks the
active algorithm for the working of the timeline's current step
(:attr:`engine.core.registry.Algorithm.working`, with the run's data — the plugin's ``run_data()``
when it has one, else ``window.run_X()`` —, the player's steps and index, the run's parameters and
the points' names) and shows each table with its formula above it
(:class:`gui.views.working_table.TableBlock`). The highlighted cells are tinted in the colour of their
cluster, as the scatter draws it.

* It follows the timeline, but computes only while it is visible (:class:`gui.views.lazy.StaleUntilShown`);
  while the player plays, updates are coalesced.
* The working is computed off the GUI thread (:class:`gui.run.tasks.BackgroundTask`, one computation at a
  time: exercise 5's MNIST steps take 100-250 ms each). Until it arrives the view shows the tables of the
  step it showed before *under that step's header*, and after :data:`NOTE_DELAY_MS` says which step is
  being computed; a step the timeline has left meanwhile is dropped when it arrives and the newest step is
  computed next. Tables of another run (other data, another algorithm, other parameters) are never shown meanwhile. Closing
  the window drops a computation still running. :meth:`WorkingView.has_content` computes at once.
* For image data (MNIST) the vectors a table summarises — θ_k of a Bernoulli M-step, the centres of a
  K-means update, a Gaussian mixture's means — are drawn as images right under it
  (:class:`gui.views.working_images.ImageBlock`), captioned and framed as the window names and colours
  the clusters.
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
from gui.run.tasks import BackgroundTask
from gui.views.lazy import StaleUntilShown, drop_on_close
from gui.views.working_images import ImageBlock, image_shape_for
from gui.views.working_table import TableBlock

__all__ = ["WorkingView", "cluster_of", "compute", "NOTE_DELAY_MS"]

#: A working that takes longer than this (ms) is said to be computing (sooner, the note would only flash).
NOTE_DELAY_MS = 150
NO_RUN = "No run yet: the working of each step appears here once a run has started."

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


def compute(alg, X, steps, index, params, names, rows) -> dict:
    """The working of ``steps[index]`` as the view shows it (run on a worker thread, or at once by
    :meth:`WorkingView.has_content`): ``{"working": Working, "levels": (lo, hi) of X or None}``, or
    ``{"error": message}`` when the algorithm's working failed."""
    try:
        working = alg.working(X, steps, index, params, names=names, rows=rows)
    except Exception as exc:  # a working that fails says so; the window goes on
        traceback.print_exc()
        return {"error": f"{type(exc).__name__}: {exc}"}
    levels = None
    if any(im.levels is None for im in working.images) and X.size:
        levels = (float(np.min(X)), float(np.max(X)))
    return {"working": working, "levels": levels}


def _same(a, b) -> bool:
    """Whether two keys of :meth:`WorkingView.refresh` name the same working (steps by identity)."""
    return a is not None and b is not None and len(a) == len(b) and all(x is y or x == y for x, y in zip(a, b))


def _same_run(a, b) -> bool:
    """Whether two keys are of the same run (the same data, algorithm and first step; maybe another step)."""
    return a is not None and b is not None and a[2:] == b[2:]


class WorkingView(QWidget):
    """The Working tab (see the module docstring)."""

    title = "Working"

    def __init__(self, window):
        super().__init__()
        self.window = window
        self.setObjectName("working_view")
        self.blocks: list[TableBlock] = []
        self.image_blocks: list[ImageBlock] = []
        self.working: Working | None = None
        self._shown = None  # the key of what is shown (tables or a message of a step)
        self._job = None  # the current step's working still to come: (key, alg, X, steps, index, params, names, rows)
        self._header_html = ""
        self._scroll_to_chosen = False
        self._selected: list[int] = []  # the points clicked, most recent first
        self._chosen: int | None = None  # the point whose rows are selected
        self._build()
        self.lazy = StaleUntilShown(self, self.refresh, lambda: window.player.playing)
        self._task = BackgroundTask(self, "working")
        self._task.sigFinished.connect(self._on_computed)
        self._task.sigFailed.connect(self._on_task_failed)
        drop_on_close(window, self._task)
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(NOTE_DELAY_MS)
        self._note_timer.timeout.connect(self._say_computing)
        window.scatter.sigPointClicked.connect(self._on_point_clicked)
        window.sigDataChanged.connect(self._on_data_changed)

    def _build(self):
        v = QVBoxLayout(self)
        v.setContentsMargins(6, 4, 6, 0)
        self.header = QLabel(NO_RUN)
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
        """Follow the timeline: the current step's working now when visible (else when shown)."""
        self.lazy.invalidate()

    def has_content(self) -> bool:
        """Whether the current step has a working to show (computed now, on this thread, if out of date)."""
        self.lazy.stale = False
        self._request(at_once=True)
        return self.working is not None and bool(self.working.tables)

    def figure(self):
        """None: tables are not a figure (``render --working`` writes them as working.json, solution.md/.tex)."""
        return None

    @property
    def shown_index(self) -> int | None:
        """The timeline index of the step whose working is shown, under its header (None: none shown)."""
        return None if self._shown is None else self._shown[1]

    @property
    def computing(self) -> bool:
        """Whether the current step's working is still being computed (the view shows another step's or none)."""
        return self._job is not None

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._wrap_texts()
        # the scroll area's viewport takes its new width after this event (the layout runs next): wrap again then,
        # or titles keep the width of a smaller window (small window, then lecture mode: cut titles)
        QTimer.singleShot(0, self, self._wrap_texts)

    def _wrap_texts(self):
        width = self.scroll.viewport().width() - self.body_layout.contentsMargins().right()
        for block in self.blocks + self.image_blocks:
            block.set_text_width(width)

    # ---------------------------------------------------------------- computing
    def _inputs(self):
        """(algorithm, X, steps, index, params, names) of the current step, or a message why there is none."""
        w = self.window
        plugin, player = w.plugin, w.player
        step = player.current
        if plugin is None or step is None:
            return NO_RUN
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
        """Bring the view up to the timeline's step: its working computed on a worker thread (the tables shown
        meanwhile are those of an earlier step, under that step's header), unless shown or under way already."""
        self._request(at_once=False)

    def _request(self, at_once: bool) -> None:
        inputs = self._inputs()
        if isinstance(inputs, str):
            self._drop_job()
            self._shown, self.working = None, None
            self._set_header(self.window.player.current, self.window.player.index)
            self._show_message(inputs)
            return
        alg, X, steps, index, params, names = inputs
        key = (steps[index], index, id(X), tuple(self._selected), alg.name, steps[0])  # steps[0]: this run, not
        # another run of the same data and algorithm (other parameters): its tables are never shown under this one
        if _same(key, self._shown):
            self._drop_job()
            return
        if at_once:
            job = (key, alg, X, tuple(steps[:index + 1]), index, params, names, list(self._selected) or None)
            self._drop_job()
            self._show(job, compute(*job[1:]))
            return
        if self._job is not None and _same(key, self._job[0]):
            return  # under way
        self._job = (key, alg, X, tuple(steps[:index + 1]), index, params, names, list(self._selected) or None)
        if not _same_run(key, self._shown):  # nothing of this run shown: no tables of another run meanwhile
            self._shown, self.working = None, None
            self._set_header(steps[index], index)
            self._clear()
        self._note_timer.start()
        if not self._task.busy:
            self._start()

    def _start(self):
        key, *args = self._job
        self._task.start(lambda progress, cancelled: (key, compute(*args)))

    def _on_computed(self, result):
        key, out = result
        job = self._job
        if job is not None and _same(key, job[0]):
            self._drop_job()
            self._show(job, out)
        elif job is not None:
            self._start()  # the timeline moved on while this was computed: it is dropped, the newest step next

    def _on_task_failed(self, message: str):
        job = self._job
        if job is not None:
            self._drop_job()
            self._show(job, {"error": message})

    def _drop_job(self):
        self._job = None
        self._note_timer.stop()
        self.header.setText(self._header_html)

    def _say_computing(self):
        """The working takes a while: say so (under the header of the step shown, or instead of tables)."""
        if self._job is None:
            return
        what = f"computing the working of {step_label(self._job[4])}…"
        if self.blocks:
            self.header.setText(f"{self._header_html}<br><span style='color:#8a6d00'>"
                                f"(The tables below are still those of this step: {what})</span>")
        else:
            self._show_message(what[0].upper() + what[1:])

    def _set_header(self, step, index: int):
        self._header_html = NO_RUN if step is None else (
            f"<b>{step_label(index).capitalize()}</b> ({html.escape(step.kind)}): {html.escape(step.description)}")
        self.header.setText(self._header_html)

    def _show(self, job, out: dict):
        key, alg, X, steps, index, params, names, rows = job
        self._shown = key
        self._set_header(steps[index], index)
        if "error" in out:
            self.working = None
            self._show_message(f"The working of this step could not be computed: {out['error']}")
            return
        self.working = out["working"]
        if not self.working.tables:
            self._show_message("This step has no working to show.")
            return
        self._show_tables(X.shape[0], names, rows, steps[index], out["levels"])

    def _show_message(self, text: str):
        self._clear()
        self.message.setText(text)
        self.message.show()

    def _clear(self):
        for block in self.blocks + self.image_blocks:
            self.body_layout.removeWidget(block)
            block.hide()
            block.deleteLater()
        self.blocks, self.image_blocks = [], []

    def _show_tables(self, n, names, rows, step, levels):
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
            for images in self.working.images:
                if images.table == table.title:
                    self._add_images(images, levels)
        self._wrap_texts()
        if self._chosen is not None:
            for block in self.blocks:
                block.select_point(self._chosen)
            first = next((b for b in self.blocks if b.points is not None), None)
            if self._scroll_to_chosen and first is not None:
                QTimer.singleShot(0, lambda: self.scroll.ensureWidgetVisible(first.grid, 0, 0))
                self._scroll_to_chosen = False
                return
        QTimer.singleShot(0, lambda: bar.setValue(top))

    def _add_images(self, images, levels):
        """``images`` as tiles after the last table, when the data are images of that many pixels."""
        shape = image_shape_for(self.window.dataset, np.shape(images.values)[1])
        if shape is None:
            return
        js = [cluster_of(name) for name in images.names]
        block = ImageBlock(images, shape, images.levels or levels or (0.0, 1.0),
                           [self._cluster_name(j, name) for j, name in zip(js, images.names)],
                           [self._colour(j) if j is not None else None for j in js])
        self.body_layout.insertWidget(self.body_layout.count() - 1, block)
        self.image_blocks.append(block)


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

    def _named(self, label) -> str | None:
        """The window's name of the cluster a label only numbers ("c2", "cluster 2", "component 2"), else None."""
        m = _PLAIN.match(str(label).strip())
        if m is None:
            return None
        try:
            return self.window.scatter.cluster_name(int(m.group(1)) - 1)
        except (IndexError, KeyError, ValueError, TypeError):
            return None

    def _cluster_name(self, j, label) -> str:
        """An image's caption: the window's name of its cluster (as the legend has it), else its label."""
        named = self._named(label)
        if named is None and j is not None:
            try:
                named = self.window.scatter.cluster_name(int(j))
            except (IndexError, KeyError, ValueError, TypeError):
                named = None
        return named or str(label)

    def _header_names(self, table):
        """Row and column labels that only number a cluster ("c2", "cluster 2", "component 2") shown by the
        window's name of that cluster (a group's own name, as in the scatter's legend); others as they are."""
        rows = {r: got for r, name in enumerate(table.rows) if (got := self._named(name))}
        cols = {c: got for c, name in enumerate(table.columns) if (got := self._named(name))}
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
            self._scroll_to_chosen = True
            self.lazy.invalidate()  # its rows come with the working of the selected points
            return
        for block in self.blocks:
            block.select_point(int(i))
        first = next((b for b in self.blocks if b.points is not None), None)
        if first is not None and self.isVisible():
            self.scroll.ensureWidgetVisible(first.grid, 0, 0)

    def selected_point(self) -> int | None:
        """The point whose rows are selected (None: none)."""
        return self._chosen

    def _on_data_changed(self):
        self._selected, self._chosen = [], None
        self.lazy.invalidate(later=True)
