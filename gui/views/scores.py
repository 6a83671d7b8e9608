"""The Scores view: how good the current step's clusters are, for every algorithm.

A shared view (:mod:`gui.views`), shown after the plugin's own tabs. For the labels of the timeline's
current step it shows

* the **silhouette plot** (:class:`gui.views.scores_plot.SilhouettePlot`) in the run's own point
  distance (:func:`engine.scores.run_metric` of the plugin's parameters: HAC's norm, K-medians' l1,
  K-medoids' metric, else l2), on the data the algorithm runs on; cluster colours and names as the
  scatter has them; the mean as a dashed line. Points with label -1 (noise, not assigned yet) have no
  silhouette. On many points the silhouettes of a fixed random sample of points are shown (each
  exact; :func:`engine.scores.sample_rows`, the same sample ``render``'s ``result.json`` averages) and
  the view says so; a silhouette that takes long is computed off the GUI thread
  (:class:`gui.run.tasks.BackgroundTask`), one at a time, the newest step next;
* when the data carry known labels (``dataset.labels``: MNIST digits, a generator's groups, a label
  column), **ARI, NMI and purity** and the **contingency table** cluster x true label
  (:class:`gui.views.scores_table.ContingencyTable`), and the switch **Colour by true label**, which
  colours the scatter's points by their true label (off: back to the clusters).

Linked both ways with the scatter: clicking a bar rings its point; clicking a point (inspect mode)
marks its bar; clicking a cell rings that cell's points and marks their bars, and for image data
(``dataset.image_shape``, e.g. MNIST) shows their images under the table
(:class:`gui.views.scores_images.CellImages`); clicking one of those rings its point. It follows the timeline
but computes only while visible (:class:`gui.views.lazy.StaleUntilShown`); closing the window drops a
silhouette still being computed.
"""
from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from engine.core.norms import metric_symbol
from engine.core.params import ParamError
from engine.core.steps import step_label
from engine.scores import adjusted_rand_index, contingency, normalized_mutual_info, purity, run_metric, sample_rows
from engine.scores import silhouette_samples, step_scores
from engine.scores.summary import silhouette_cost
from gui.run.tasks import BackgroundTask
from gui.widgets import palette
from gui.views.lazy import StaleUntilShown, drop_on_close
from gui.views.scores_images import CellImages
from gui.views.scores_plot import SilhouettePlot
from gui.views.scores_table import ContingencyTable
from gui.widgets.text_room import FittedLabel

__all__ = ["ScoresView", "SYNC_COST", "result_scores"]

#: The contingency table's caption, whole, then shorter for a narrow view (the table's headers say the rest).
CAPTIONS = ("Contingency: clusters (rows) x true labels (columns)", "Contingency: clusters x true labels",
            "Contingency table")
#: A silhouette cheaper than this (points evaluated x points x features) is computed at once, on the GUI thread.
SYNC_COST = 2e7


def _silhouettes(X, labels, metric, rows) -> dict:
    """Silhouettes of all points (nan where none) for the plot, or why there are none."""
    try:
        s = silhouette_samples(X, labels, metric, rows=rows)
    except ParamError as exc:
        return {"error": str(exc)}
    full = np.full(labels.shape[0], np.nan)
    full[np.arange(labels.shape[0]) if rows is None else rows] = s
    return {"s": full}


def result_scores(window) -> dict | None:
    """The scores of the window's current step for ``render``'s ``result.json`` (:func:`engine.scores.step_scores`
    on the run's data, in the run's metric, against the data's labels; the sample the view shows), or None.
    The silhouettes the Scores view has drawn for this step are averaged, not computed again."""
    inputs = _step_inputs(window)
    if isinstance(inputs, str):
        return None
    X, labels, truth, metric, key = inputs
    shown = next((v.samples_of(key) for v in getattr(window, "common_views", ()) if isinstance(v, ScoresView)), None)
    return step_scores(X, labels, truth, metric, samples=shown)


def _step_inputs(window):
    """(X, labels, truth or None, metric, key) of the current step, or a message why there are none."""
    plugin, step = window.plugin, window.player.current
    if plugin is None or step is None:
        return "No run yet: the scores of each step appear here."
    run_data = getattr(plugin, "run_data", None)
    X = run_data() if callable(run_data) else window.run_X()
    labels = step.labels
    if X is None or labels is None or np.shape(labels)[0] != np.shape(X)[0]:
        return "This step has no cluster labels to score."
    ds = window.dataset
    truth = ds.labels if ds is not None and ds.labels is not None and ds.labels.shape == labels.shape else None
    if truth is not None and not np.any(truth >= 0):
        truth = None
    src = step.labels_source
    metric = _metric(plugin)
    key = (src if isinstance(src, np.ndarray) else step, id(X), metric, id(truth))
    return np.asarray(X, dtype=float), np.asarray(labels), truth, metric, key


def _metric(plugin) -> str:
    """The point distance of the plugin's run (:func:`engine.scores.run_metric` of its parameters)."""
    if plugin is None:
        return "l2"
    try:
        params = plugin.parameters()
    except ValueError:
        params = plugin.form.values()
    return run_metric(params)




class ScoresView(QWidget):
    """The Scores tab (see the module docstring)."""

    title = "Scores"

    def __init__(self, window):
        super().__init__()
        self.window = window
        self.setObjectName("scores_view")
        self._key = None  # what the shown scores are of
        self._want = None  # the silhouette job of the current step: (key, X, labels, metric, rows)
        self._result = None  # the drawn silhouettes: {"s": (n,)} or {"error": ...}
        self._labels = self._truth = None
        self._external = None  # ARI, NMI, purity of the current step (None: no known labels)
        self._truth_rgba = None  # (dataset, raster, colours) of "Colour by true label"
        self._known = None  # silhouettes computed elsewhere (:meth:`preload`): (X, labels, metric, rows, s)
        self._built = False  # the plot, table and images are made when first needed (:meth:`build_now`)
        self.lazy = StaleUntilShown(self, self.refresh, lambda: window.player.playing)
        self._task = BackgroundTask(self, "silhouette")
        self._task.sigFinished.connect(self._on_silhouettes)
        self._task.sigFailed.connect(self._on_failed)
        drop_on_close(window, self._task)
        window.scatter.sigPointClicked.connect(self._on_point_clicked)
        window.sigDataChanged.connect(self._on_data_changed)

    def build_now(self) -> None:
        """Make the view's widgets, once: when it is first shown or asked for its content (a window starts
        ~20 ms sooner, and most windows never show this tab), or before the lecture style is turned on
        (:meth:`gui.shell.lecture.Lecture.set_style`: its figures are scaled from their normal size)."""
        if self._built:
            return
        self._built = True
        self._build()
        for child in self.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if not child.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide):
                child.show()  # made while this view is being shown: Qt shows only the children it had then

    def _build(self):
        v = QVBoxLayout(self)
        v.setContentsMargins(6, 4, 6, 2)
        self.summary = QLabel("No run yet: the scores of each step appear here.")
        self.summary.setObjectName("scores_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        v.addWidget(self.summary)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.plot = SilhouettePlot()
        self.plot.sigBarClicked.connect(self._on_bar_clicked)
        self.splitter.addWidget(self.plot)
        self.truth_panel = QWidget()
        tv = QVBoxLayout(self.truth_panel)
        tv.setContentsMargins(0, 2, 0, 0)
        row = QHBoxLayout()
        self.table_caption = FittedLabel(CAPTIONS)  # a narrow pane (side by side): shorter, whole, never cut
        row.addWidget(self.table_caption, 1)
        self.truth_box = QCheckBox("Colour by true label")
        self.truth_box.setObjectName("colour_by_truth")
        self.truth_box.setToolTip("Colour the scatter's points by their true label instead of their cluster "
                                  "(the colours of the table's columns).")
        self.truth_box.toggled.connect(self._on_truth_toggled)
        row.addWidget(self.truth_box)
        tv.addLayout(row)
        self.table = ContingencyTable()
        self.table.sigCellChosen.connect(self._on_cell)
        tv.addWidget(self.table)
        self.splitter.addWidget(self.truth_panel)
        self.images = CellImages()  # a cell's images (image data), under the table
        self.images.sigPointClicked.connect(self._on_image_clicked)
        self.splitter.addWidget(self.images)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setStretchFactor(2, 2)
        v.addWidget(self.splitter, 1)

    # ---------------------------------------------------------------- the shared-view contract
    def show_step(self, step) -> None:
        """Follow the timeline: the title at once, the scores now when visible (else on show)."""
        if not self._built:  # nothing drawn yet: all of it is drawn when first shown
            self.lazy.invalidate()
            return
        self._set_title()
        if self.truth_box.isChecked():
            self._apply_truth_colours()
        self.lazy.invalidate()

    def has_content(self) -> bool:
        """Whether the current step has scores to show: a silhouette, or known labels to score against."""
        self.lazy.ensure()
        return self._labels is not None and (self._truth is not None or "error" not in (self._result or {}))

    def figure(self):
        self.build_now()
        return self.plot

    @property
    def _stale(self) -> bool:
        """Whether the scores are out of date until shown (``self.lazy.stale``; read by the Scores tests)."""
        return self.lazy.stale

    def preload(self, X, labels, metric: str, rows, samples) -> None:
        """Silhouettes computed already (``render`` computes the drawn step's while its window starts):
        :func:`engine.scores.silhouette_samples` ``(X, labels, metric, rows=rows)``. The view shows them
        instead of computing them when its step has those labels on those data."""
        self._known = (np.asarray(X), np.asarray(labels), metric, rows, np.asarray(samples))

    def _preloaded(self, X, labels, metric, rows):
        """The preloaded silhouettes of exactly these inputs (as :func:`_silhouettes` gives them), or None."""
        if self._known is None:
            return None
        kX, klabels, kmetric, krows, s = self._known
        same_rows = (rows is None and krows is None) or (rows is not None and krows is not None
                                                         and np.array_equal(rows, krows))
        if kmetric != metric or not same_rows or klabels.shape != labels.shape or not np.array_equal(klabels, labels) \
                or kX.shape != X.shape or not (kX is X or np.array_equal(kX, X)):
            return None
        full = np.full(labels.shape[0], np.nan)
        full[np.arange(labels.shape[0]) if rows is None else rows] = s
        return {"s": full}

    def samples_of(self, key):
        """The silhouettes (of the sampled rows, as :func:`engine.scores.silhouette_samples` gives them) drawn
        for the step of ``key`` (:func:`_step_inputs`), or None when another step's or none are drawn."""
        want, r = self._want, self._result
        if want is None or r is None or "s" not in r or self._key is None:
            return None
        if not (self._key[0] is key[0] and self._key[1:] == key[1:]):
            return None
        rows = want[4]
        return r["s"] if rows is None else r["s"][rows]

    # ---------------------------------------------------------------- inputs
    def _set_title(self):
        player = self.window.player
        where = f", {step_label(player.index)}" if player.current is not None else ""
        metric = _metric(self.window.plugin)
        self.plot.getPlotItem().setTitle(f"Silhouettes ({metric_symbol(metric)}){where}",
                                         color="#222222", size="10pt")

    # ---------------------------------------------------------------- computing
    def refresh(self) -> None:
        """Score the current step (unless shown already): text and table now, silhouettes now or in the background."""
        self.build_now()
        self._set_title()
        inputs = _step_inputs(self.window)
        if isinstance(inputs, str):
            self._key = self._want = self._result = self._labels = self._truth = None
            self.summary.setText(html.escape(inputs))
            self.plot.clear_bars("")
            self._show_truth(None, None)
            return
        X, labels, truth, metric, key = inputs
        if self._key is not None and self._key[0] is key[0] and self._key[1:] == key[1:]:
            return
        self._key, self._labels, self._truth, self._result = key, labels, truth, None
        self._show_truth(labels, truth)
        rows = sample_rows(X.shape[0], X.shape[1], metric)
        self._want = (key, X, labels, metric, rows)
        share = 1.0 if rows is None else rows.size / X.shape[0]
        known = self._preloaded(X, labels, metric, rows)
        if known is not None:
            self._draw(key, known)
        elif share * silhouette_cost(X.shape[0], X.shape[1], metric) <= SYNC_COST:
            self._draw(key, _silhouettes(X, labels, metric, rows))
        elif not self._task.busy:
            self._start()
        self._write_summary()

    def _start(self):
        key, X, labels, metric, rows = self._want
        self.plot.clear_bars("computing the silhouettes…")
        self._task.start(lambda progress, cancelled: (key, _silhouettes(X, labels, metric, rows)))

    def _on_silhouettes(self, result):
        key, out = result
        if self._want is not None and key is self._want[0]:
            self._draw(key, out)
            self._write_summary()
        elif self._want is not None and self._result is None:
            self._start()  # the timeline moved on while this was computed: the newest step next

    def _on_failed(self, message: str):
        self._result = {"error": f"the silhouettes could not be computed: {message}"}
        self.plot.clear_bars("")
        self._write_summary()

    def _draw(self, key, out):
        self._result = out
        if "error" in out:
            self.plot.clear_bars("no silhouette for these labels")
            return
        labels, scatter = self._labels, self.window.scatter
        s = out["s"]
        ds = self.window.dataset
        self.plot.show_silhouettes(s, labels, lambda c: scatter.cluster_hex(c, labels, scatter.raster),
                                   lambda c: scatter.cluster_name(c, labels), float(np.nanmean(s)),
                                   ds.point_names if ds is not None else None)
        self.plot.set_highlight(scatter.highlighted())

    # ---------------------------------------------------------------- text and table
    def _write_summary(self):
        if self._want is None:
            return
        _, X, labels, metric, rows = self._want
        r, name = self._result, metric_symbol(metric)  # as the title and the rest of the window write it
        if r is None:
            lines = [f"<b>Silhouette</b> ({name}): computing…"]
        elif "error" in r:
            lines = [f"<b>No silhouette</b>: {html.escape(r['error'])}"]
        else:
            s = r["s"]
            text = (f"<b>Silhouette</b> ({name}): mean <b>{np.nanmean(s):.3f}</b> over "
                    f"{int(np.count_nonzero(~np.isnan(s))):,} points")
            if rows is not None:
                text += f" (a random sample of {rows.size:,} of {labels.size:,}; each value exact)"
            noise = int(np.count_nonzero(labels < 0))
            if noise:
                plugin = self.window.plugin
                what = plugin.algorithm.no_cluster if plugin is not None else "unassigned"
                text += f"; {noise:,} {what} point(s) have no silhouette (they are in no cluster)"
            lines = [text]
        ext = self._external
        if ext is None:
            lines.append("<span style='color:#666'>No known labels: ARI, NMI and purity need data that carry them "
                         "(MNIST digits, a generator's groups, a label column).</span>")
        elif "error" in ext:
            lines.append(html.escape(ext["error"]))
        else:
            lines.append(f"<b>ARI</b> {ext['ari']:.3f} &nbsp;·&nbsp; <b>NMI</b> {ext['nmi']:.3f} &nbsp;·&nbsp; "
                         f"<b>purity</b> {ext['purity']:.3f} &nbsp;against {ext['classes']} true labels")
        self.summary.setText("<br>".join(lines))

    def _show_truth(self, labels, truth):
        """ARI, NMI, purity and the table of ``labels`` against ``truth`` (None: no known labels)."""
        self._external = None
        has = truth is not None
        if self.images.isVisible():
            self.images.clear_points()  # another step: the cell shown is no longer the table's
            self._fit_table()
        self.truth_panel.setVisible(has)
        self.truth_box.setEnabled(has)
        if not has:
            if self.truth_box.isChecked():
                self.truth_box.setChecked(False)
            self.table.clear_table()
            return
        try:
            c = contingency(truth, labels)
        except ParamError as exc:
            self._external = {"error": str(exc)}
            self.table.clear_table()
            return
        self._external = {"ari": adjusted_rand_index(truth, labels), "nmi": normalized_mutual_info(truth, labels),
                          "purity": purity(truth, labels), "classes": int(c.classes.size)}
        scatter, plugin = self.window.scatter, self.window.plugin
        none = plugin.algorithm.no_cluster if plugin is not None else "no cluster"
        names = [scatter.cluster_name(i, labels) if i >= 0 else none for i in c.clusters.tolist()]
        colours = [scatter.cluster_hex(i, labels, scatter.raster) for i in c.clusters.tolist()]
        rows_before = self.table.rowCount()
        self.table.show_table(c, names, colours, [self._class_name(j) for j in c.classes.tolist()],
                              [self._class_hex(j) for j in c.classes.tolist()])
        if self.table.rowCount() != rows_before:
            self._fit_table()

    def _fit_table(self):
        """Give the table the height its rows need, at most half the view (the plot keeps the rest)."""
        t = self.table
        t.resizeRowsToContents()
        need = t.horizontalHeader().sizeHint().height() + 2 * t.frameWidth() + 4
        need += sum(t.rowHeight(i) for i in range(t.rowCount()))
        if t.horizontalScrollBar().isVisible():
            need += t.horizontalScrollBar().height()
        need += self.truth_box.sizeHint().height() + 4
        total = sum(self.splitter.sizes()) or self.splitter.height()
        if self.images.isHidden():
            panel = min(need, int(0.5 * total))
            self.splitter.setSizes([max(total - panel, 1), panel, 0])
            return
        images = min(self.images.preferred_height(), int(0.35 * total))  # the table and the images: 3/4
        panel = min(need, int(0.75 * total) - images)
        self.splitter.setSizes([max(total - panel - images, 1), panel, images])

    def _class_name(self, j: int) -> str:
        names = self.window.dataset.label_names
        return names[j] if names is not None and 0 <= j < len(names) else str(j)

    def _class_hex(self, j: int) -> str:
        scatter, ds = self.window.scatter, self.window.dataset
        return scatter.cluster_hex(j, ds.labels, scatter.raster)

    # ---------------------------------------------------------------- colour by true label
    def _truth_colours(self):
        """(n, 4) uint8 colours of the points by their true label (-1 grey), or None without labels."""
        ds, scatter = self.window.dataset, self.window.scatter
        if ds is None or ds.labels is None or scatter.n != ds.n or not np.any(ds.labels >= 0):
            return None
        if self._truth_rgba is not None and self._truth_rgba[0] is ds and self._truth_rgba[1] == scatter.raster:
            return self._truth_rgba[2]
        k = int(ds.labels.max()) + 1
        table = np.array([QColor(self._class_hex(j)).getRgb() for j in range(k)]
                         + [QColor(palette.UNASSIGNED).getRgb()], dtype=np.uint8)
        rgba = table[np.where(ds.labels < 0, k, ds.labels)]
        self._truth_rgba = (ds, scatter.raster, rgba)
        return rgba

    def _apply_truth_colours(self):
        rgba = self._truth_colours()
        if rgba is not None:
            self.window.scatter.set_colors(rgba)

    def _on_truth_toggled(self, on: bool):
        w = self.window
        if on:
            self._apply_truth_colours()
            w.status("Points coloured by their true label (the colours of the table's columns); the legend still "
                     "names the clusters.")
            return
        w.scatter.set_colors(None)
        if w.plugin is not None and w.player.current is not None:
            w.plugin.show_step(w.player.current)  # the plugin's own colours (EM's responsibilities) again

    # ---------------------------------------------------------------- linked with the scatter
    def _point_name(self, i: int) -> str:
        ds = self.window.dataset
        return ds.point_names[i] if ds is not None and ds.point_names is not None else f"point {i + 1}"

    def _on_bar_clicked(self, i: int):
        scatter = self.window.scatter
        scatter.highlight([i])
        self.plot.set_highlight([i])
        s = self._result["s"][i] if self._result and "s" in self._result else float("nan")
        self.window.status(f"{self._point_name(i)}: silhouette {s:.3f} in {scatter.cluster_name(int(self._labels[i]), self._labels)}")

    def _on_point_clicked(self, i: int):
        if self._built and self._result is not None and "s" in self._result and 0 <= i < self._result["s"].size:
            self.plot.set_highlight([i])

    def _on_cell(self, cluster: int, label: int):
        if self._labels is None or self._truth is None:
            return
        idx = np.flatnonzero((self._labels == cluster) & (self._truth == label))
        self.window.scatter.highlight(idx if idx.size else None)
        marked = self.plot.set_highlight(idx)
        name = self.window.scatter.cluster_name(cluster, self._labels) if cluster >= 0 else "no cluster"
        text = f"{idx.size:,} point(s) of {name} with true label {self._class_name(label)}"
        if marked < idx.size:
            text += f" ({marked:,} of them in the silhouette sample)"
        self.window.status(text)
        self._show_cell_images(idx, cluster, f"{name} with true label {self._class_name(label)}")

    def _show_cell_images(self, idx, cluster: int, title: str):
        """The images of a cell's points under the table, for image data (else none)."""
        ds, scatter = self.window.dataset, self.window.scatter
        if ds is None or ds.image_shape is None or ds.n != self._labels.size:
            if not self.images.isHidden():
                self.images.clear_points()
                self._fit_table()
            return
        colour = scatter.cluster_hex(cluster, self._labels, scatter.raster)
        self.images.show_points(ds.X, idx, ds.image_shape, colour, (float(ds.X.min()), float(ds.X.max())), title)
        self._fit_table()

    def _on_image_clicked(self, i: int):
        scatter = self.window.scatter
        scatter.highlight([i])
        self.plot.set_highlight([i])
        self.window.status(f"{self._point_name(i)} (true label {self._class_name(int(self._truth[i]))}) in "
                           f"{scatter.cluster_name(int(self._labels[i]), self._labels)}")

    def _on_data_changed(self):
        self._key = None
        self._truth_rgba = None
        self.lazy.invalidate(later=True)
