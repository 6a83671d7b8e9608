"""The HAC plugin: parameter panel, scatter overlay, dendrogram, norm geometry and comparison tabs.

What a person sees on each merge step
-------------------------------------
* on the scatter: the two clusters being merged ringed (``scatter.highlight``)
  and outlined thickly in their colours (the colours they had before the
  merge), and the *witness* of the merge distance: the closest pair (min),
  the farthest pair (max), every pair as a thin translucent fan (avg), or the
  two centroids joined by a segment (centroid); for min / max / centroid also
  the ball of the chosen norm with radius = the merge distance around one
  witness point, passing through the other (2-D and 1-D data; for d > 2 the
  display is a projection and a ball would not be one);
* the dendrogram growing by one link (:mod:`gui.algorithms.hac.dendrogram`);
* the norm view (:mod:`gui.algorithms.hac.norms`) with the witness difference on the
  unit sphere of the chosen norm;
* the comparison tab (:mod:`gui.algorithms.hac.compare`): the first merge for every
  norm x linkage and small-multiple dendrograms, for the current data.

The cut (a cluster count in the panel, or the line dragged on the dendrogram)
applies to the tree as far as the current step has grown it (the merges done so
far, :func:`engine.hac.flat.cut` with ``n_links``), so it works at any step and
follows the steps; the scatter and the dendrogram show the same flat clusters in
the same colours. Before any cut the line waits at the bottom without a label.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QCheckBox, QFormLayout, QGroupBox, QLabel, QSpinBox, QVBoxLayout,
                               QWidget)

from engine import hac as ehac
from engine.hac import flat
from gui.algorithms.hac.state import HacState
from gui.algorithms.base import AlgorithmPlugin
from gui.algorithms.hac.dendrogram import DendrogramView, Tree
from gui.algorithms.hac.export import DendrogramExportMixin
from gui.algorithms.hac.compare import CompareView
from engine.core.norms import NORM_SYMBOLS
from gui.algorithms.hac.norms import NormView, ball

__all__ = ["HacPlugin", "COMPARE_LIMIT", "EAGER_LIMIT", "FAN_LIMIT"]

COMPARE_LIMIT = 3000  # points: above this the comparison tab (12 first merges, 3-4 full runs) is not offered
EAGER_LIMIT = 500  # points: up to this the comparison is computed (off the GUI thread) even while its tab is hidden
FAN_LIMIT = 3000  # avg linkage: at most this many pair segments in the fan
WITNESS_COLOR = "#D55E00"
CUT_PROMPT = "Drag the dashed line up from the bottom, or choose a number of clusters, to cut the tree."


def group_names(ds, start, point_names) -> tuple:
    """A name per starting cluster (in sorted order of ``start``): the group's name, "group g", or its point's."""
    raw = np.asarray(ds.labels)
    names = []
    for v in np.unique(start):
        first = np.flatnonzero(start == v)[0]
        g = raw[first]
        if g >= 0 and ds.label_names is not None and g < len(ds.label_names):
            names.append(ds.label_names[g])
        elif g >= 0:
            names.append(f"group {int(g)}")
        else:
            names.append(point_names[first])
    return tuple(names)


class HacPlugin(HacState, DendrogramExportMixin, AlgorithmPlugin):
    """Hierarchical agglomerative clustering in the window (see the module docstring)."""

    algorithm = ehac.ALGORITHM

    def __init__(self, window):
        super().__init__(window)
        self.from_groups = QCheckBox("Start from the data set's groups")
        self.from_groups.setObjectName("hac_from_groups")
        self.from_groups.setToolTip("Points with the same starting group begin as one cluster (textbook "
                                    "exercise 1); points in no group begin on their own.")
        self.from_groups.setChecked(True)
        self.from_groups.toggled.connect(self.sigRestart)
        self.cut_count = QSpinBox()
        self.cut_count.setObjectName("hac_cut_clusters")
        self.cut_count.setRange(0, 1)
        self.cut_count.setSpecialValueText("no cut")
        self.cut_count.setToolTip("Cut the tree grown so far into this many clusters (or drag the cut line on "
                                  "the dendrogram).")
        self.cut_count.valueChanged.connect(self._on_count_changed)
        self.cut_label = QLabel("—")
        self.cut_label.setObjectName("hac_cut_height")
        self.cut_label.setWordWrap(True)
        cut_box = QGroupBox("Cut the tree")
        cut_form = QFormLayout(cut_box)
        cut_form.addRow("clusters", self.cut_count)
        cut_form.addRow("cut height", self.cut_label)
        self._panel = QWidget()
        lay = QVBoxLayout(self._panel)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.form)
        lay.addWidget(self.from_groups)
        lay.addWidget(cut_box)
        self.form.sigChanged.connect(self._on_form_changed)

        self.dendrogram = DendrogramView()
        self.dendrogram.set_style(window.scatter.style)  # names and colours of the data set's groups
        self.norms = NormView()
        self.compare = CompareView(choice=self._compare_choice)
        self.dendrogram.sigCutChanged.connect(self._on_cut_dragged)
        self.dendrogram.sigBranchHovered.connect(self._on_branch_hovered)
        self.dendrogram.sigBranchClicked.connect(self._on_branch_clicked)
        self._build_export_menu()

        # scatter overlay items (added on activate)
        self.outline = pg.ScatterPlotItem(size=17, brush=None, pxMode=True)
        self.witness = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen(WITNESS_COLOR, width=2.5))
        self.fan = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen(QColor(213, 94, 0, 70), width=1))
        self.witness_points = pg.ScatterPlotItem(size=11, symbol="x", pen=pg.mkPen("k", width=2),
                                                 brush=pg.mkBrush(WITNESS_COLOR))
        self.ball = pg.PlotCurveItem(pen=pg.mkPen(WITNESS_COLOR, width=1.5, style=Qt.PenStyle.DashLine))
        self.overlay = (self.ball, self.fan, self.witness, self.outline, self.witness_points)
        for z, item in enumerate(self.overlay):
            item.setZValue(20 + z)

        self.tree: Tree | None = None
        self._dendro = None  # the engine Dendrogram the tree was built from
        self._context: dict = {}  # the run's start ids, leaf names, point names
        self.cut: tuple[str, float] | None = None  # ("height", h) or ("count", k)
        self.flat_labels: np.ndarray | None = None
        self.step = None
        self._active = False
        self._clicked_point: int | None = None  # the point whose path the dendrogram shows (a click)
        self._hover_point: int | None = None
        self._branch_hovered = False
        window.installEventFilter(self)  # stop the comparison's worker thread when the window closes

    def eventFilter(self, obj, event):
        if obj is self.window and event.type() == QEvent.Type.Close:
            self.compare.shutdown()
        return False

    # ------------------------------------------------------------------ window contract
    def panel(self) -> QWidget:
        return self._panel

    def views(self):
        return [("Dendrogram", self.dendrogram), ("Norms", self.norms), ("Compare", self.compare)]

    @property
    def point_names(self) -> tuple:
        """The names of the run's points (x1, x2, ... when the data name none)."""
        return self._context.get("point_names", ())

    def extra_arguments(self) -> dict:
        start = self._start_labels()
        ds = self.window.dataset
        names = {"names": ds.point_names} if ds is not None and ds.point_names is not None else {}
        return names if start is None else {"clusters": start, **names}

    def _start_labels(self) -> np.ndarray | None:
        """Starting groups per point (``-1`` points get labels of their own), or None."""
        ds = self.window.dataset
        if ds is None or ds.labels is None or not self.from_groups.isChecked():
            return None
        if np.asarray(ds.labels).size != ds.n:
            return None
        return flat.start_groups(ds.labels)

    def make_steps(self):
        factory = super().make_steps()  # validates (ParamError for people) before anything changes
        ds = self.window.dataset
        X = self.window.run_X()
        start = self._start_labels()
        self.from_groups.setEnabled(ds is not None and ds.labels is not None)
        n = X.shape[0]
        self.norms.set_dimensions(X.shape[1])
        self.compare.set_dimensions(X.shape[1])
        point_names = tuple(ds.point_names) if ds is not None and ds.point_names else \
            tuple(f"x{i + 1}" for i in range(n))
        leaf_names = point_names if start is None else group_names(ds, start, point_names)
        self._context = {"start": start, "leaf_names": leaf_names, "point_names": point_names}
        self.cut = None
        self.flat_labels = None
        self._clicked_point = self._hover_point = None
        self._set_count_silently(0)
        self._update_compare(X, start, leaf_names, ds)
        return factory

    def activate(self):
        self._active = True
        for item in self.overlay:
            self.window.scatter.plot_item.addItem(item)
        self.window.scatter.sigPointClicked.connect(self._on_point_clicked)
        self.window.scatter.plot_item.scene().sigMouseMoved.connect(self._on_scatter_mouse_moved)
        self._on_form_changed()

    def deactivate(self):
        self._active = False
        for item in self.overlay:
            self.window.scatter.plot_item.removeItem(item)
        for signal, slot in ((self.window.scatter.sigPointClicked, self._on_point_clicked),
                             (self.window.scatter.plot_item.scene().sigMouseMoved, self._on_scatter_mouse_moved)):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):  # pragma: no cover - already disconnected
                pass

    # ------------------------------------------------------------------ drawing a step
    def show_step(self, step):
        self.step = step
        if step is None or "dendrogram" not in step.payload:
            self.tree, self._dendro = None, None
            self.dendrogram.set_tree(None)
            self.dendrogram.set_cut_enabled(False, "")
            self._clear_overlay()
            self.norms.clear_witness()
            self.cut_label.setText("—")
            return
        pl = step.payload
        dendro = pl["dendrogram"]
        if dendro is not self._dendro:
            self._dendro = dendro
            m = dendro.n_leaves
            names = self._context.get("leaf_names", ())
            if len(names) != m:
                names = tuple(f"c{c}" for c in range(m))
            self.tree = Tree(dendro, names)
            label = f"merge distance ({NORM_SYMBOLS.get(pl['norm'], pl['norm'])}, {pl['linkage']})"
            self.dendrogram.set_tree(self.tree, label)
            self.cut_count.setRange(0, m)
        labels = step.labels
        self.dendrogram.show_links(int(pl["n_links"]), labels)
        self.norms.set_norm(pl["norm"] if pl["norm"] in NORM_SYMBOLS else None)
        self._branch_hovered = False
        self.dendrogram.highlight_point(self._path_point())
        if step.kind == "merge":
            self._draw_merge(step)
        else:
            self._clear_overlay()
            self.norms.clear_witness()
        can_cut = self.tree is not None and self.tree.n_links > 0
        self.dendrogram.set_cut_enabled(can_cut, "")
        self.cut_count.setEnabled(can_cut)
        self.cut_count.setToolTip("Cut the tree grown so far (the merges up to this step) into this many "
                                  "clusters (or drag the cut line).")
        if can_cut:
            self._apply_cut()
        else:
            self.flat_labels = None
            self.cut_label.setText("—")

    def _clear_overlay(self):
        for item in self.overlay:
            item.setData([], [])

    def _draw_merge(self, step):
        pl = step.payload
        w = self.window
        A, B = np.asarray(pl["members_a"]), np.asarray(pl["members_b"])
        # the colours the two clusters had before this merge
        before = self._dendro.labels_after(step.iteration - 2)  # merge index t = iteration - 1
        ca, cb = int(before[A[0]]), int(before[B[0]])
        both = np.concatenate([A, B])
        w.scatter.highlight(both)
        Y = w.project(w.run_X()[both])
        pens = [pg.mkPen(w.scatter.cluster_hex(ca, before, extended=True), width=3)] * A.size + \
               [pg.mkPen(w.scatter.cluster_hex(cb, before, extended=True), width=3)] * B.size
        self.outline.setData(Y[:, 0], Y[:, 1], pen=pens, brush=None)
        kind = pl["witness_kind"]
        names = self._context.get("point_names", ())
        h = float(pl["distance"])
        norm = pl["norm"]
        self.fan.setData([], [])
        self.ball.setData([], [])
        if kind == "all_pairs":
            self._draw_fan(A, B)
            self.witness.setData([], [])
            self.witness_points.setData([], [])
            self.norms.clear_witness()
            self.norms.note.setText(f"avg linkage: the distance {h:.4g} is the mean over all {A.size * B.size} "
                                    "pairs (the fan on the scatter); no single pair or ball decides it.")
            return
        a, b = pl["witness_coords"]
        P = w.project(np.vstack([a, b]))
        self.witness.setData(P[:, 0], P[:, 1])
        if kind == "pair":
            p, q = (int(i) for i in pl["witness_points"])
            pair_names = (names[p] if p < len(names) else f"x{p + 1}", names[q] if q < len(names) else f"x{q + 1}")
            # black rings: the points keep their cluster's colour inside (a filled dot in the witness colour read as
            # a cluster of that colour: 16 and 17 of exercise 2 looked like 11's cluster)
            self.witness_points.setData(P[:, 0], P[:, 1], symbol="o", size=13, brush=None,
                                        pen=pg.mkPen("k", width=1.5))
        else:
            pair_names = ("μ_G", "μ_G'")  # as the Working names the merged clusters' means
            self.witness_points.setData(P[:, 0], P[:, 1], symbol="+", size=16, pen=pg.mkPen("k", width=2),
                                        brush=pg.mkBrush("k"))
        if norm in NORM_SYMBOLS:
            d = np.asarray(a).size
            if d == 2:
                R = w.project(ball(norm, a, h))
                self.ball.setData(R[:, 0], R[:, 1])
            elif d == 1:
                R = w.project(np.array([[a[0] - h], [a[0] + h]]))
                self.ball.setData(R[:, 0], R[:, 1])
            self.norms.show_witness(norm, a, b, h, pair_names)
        else:
            self.norms.clear_witness()

    def _draw_fan(self, A, B):
        w = self.window
        ia, ib = np.repeat(A, B.size), np.tile(B, A.size)
        if ia.size > FAN_LIMIT:
            pick = np.random.default_rng(0).choice(ia.size, FAN_LIMIT, replace=False)
            ia, ib = ia[pick], ib[pick]
        X = w.run_X()
        Pa, Pb = w.project(X[ia]), w.project(X[ib])
        xy = np.empty((2 * ia.size, 2))
        xy[0::2], xy[1::2] = Pa, Pb
        self.fan.setData(xy[:, 0], xy[:, 1])
        self.witness_points.setData([], [])

    # ------------------------------------------------------------------ the cut
    def _set_count_silently(self, k: int):
        blocked = self.cut_count.blockSignals(True)
        try:
            self.cut_count.setValue(int(k))
        finally:
            self.cut_count.blockSignals(blocked)

    def _on_count_changed(self, k: int):
        self.cut = ("count", int(k)) if k > 0 else None
        self._apply_cut()

    def _on_cut_dragged(self, h: float):
        self.cut = ("height", float(h))
        self._apply_cut()

    def set_cut_count(self, k: int):
        """Cut the tree grown so far into ``k`` clusters (what the spin box does)."""
        self.cut_count.setValue(int(k))

    def _apply_cut(self):
        step, tree = self.step, self.tree
        if step is None or tree is None or tree.n_links == 0:
            return
        line = self.dendrogram.cut_line
        if self.cut is None:
            self.flat_labels = None
            self.dendrogram.set_cut(None, step.labels, CUT_PROMPT)
            line.setValue(0.0)
            line.setVisible(True)
            line.label.setVisible(False)  # no "cut 0": nothing is cut yet
            self.window.scatter.set_labels(step.labels)
            self.cut_label.setText("drag the line on the dendrogram")
            if step.kind == "merge" and self.outline.data.size == 0:
                self._draw_merge(step)  # the last merge again, now that no cut hides it
            return
        kind, value = self.cut
        done = int(step.payload.get("n_links", tree.n_links))
        labels, h, k_eff = flat.cut(tree.dendrogram, **{kind: value}, n_links=done)
        if kind == "height":
            self._set_count_silently(k_eff)
        self.flat_labels = labels
        line.label.setVisible(True)
        text = f"cut at {h:.4g}: {k_eff} cluster{'s' if k_eff != 1 else ''}"
        if done < tree.n_links:
            text += f" (of the {done} merge{'s' if done != 1 else ''} done so far)"
        if kind == "count" and k_eff > int(value) and tree.m - done > int(value):
            text += f"; {int(value)} needs more merges: step on"
        elif kind == "count" and k_eff != int(value):
            text += f" (equal merge heights: {int(value)} is not possible)"
        self.cut_label.setText(text)
        self.dendrogram.set_cut(h, labels, text)
        self.window.scatter.set_labels(labels)
        self.window.scatter.highlight(None)
        self._clear_overlay()  # the flat clusters alone: the last merge's overlay would hide their colours

    # ------------------------------------------------------------------ linking views
    def _step_highlight(self):
        """What the scatter rings when no branch is hovered: the two merged clusters (none under a cut)."""
        step = self.step
        if step is None or step.kind != "merge" or self.flat_labels is not None:
            return None
        return np.concatenate([step.payload["members_a"], step.payload["members_b"]])

    def _on_branch_hovered(self, members):
        if not (self._active and self.tree is not None):
            return
        if len(members):
            self._branch_hovered = True
            self.window.scatter.highlight(members)
        elif self._branch_hovered:  # the mouse left the branch: back to what the step shows
            self._branch_hovered = False
            self.window.scatter.highlight(self._step_highlight())

    def _on_branch_clicked(self, members):
        if self._active and self.tree is not None:
            self._branch_hovered = False  # a click keeps its highlight until the next step or hover
            self.window.scatter.highlight(members)
            self.window.status(f"branch of {len(members)} point{'s' if len(members) != 1 else ''}")

    def _path_point(self):
        return self._hover_point if self._hover_point is not None else self._clicked_point

    def _on_point_clicked(self, i: int):
        if self._active:
            self._clicked_point = int(i)
            self.dendrogram.highlight_point(self._path_point())
            names = self._context.get("point_names", ())
            name = names[i] if 0 <= i < len(names) else f"x{i + 1}"
            self.window.status(f"{name}: its path up the dendrogram is drawn in bold")

    def _on_scatter_mouse_moved(self, pos):
        """Hovering a point in the scatter draws its path up the dendrogram (the reverse of a branch hover)."""
        if not self._active or self.tree is None:
            return
        scatter = self.window.scatter
        if not scatter.plot_item.vb.sceneBoundingRect().contains(pos):
            i = None
        else:
            p = scatter.plot_item.vb.mapSceneToView(pos)
            i = scatter.nearest_point(p.x(), p.y())
        if i != self._hover_point:
            self._hover_point = i
            self.dendrogram.highlight_point(self._path_point())

    def _on_form_changed(self):
        self.compare.set_choice(*self._compare_choice())

    def _compare_choice(self) -> tuple[str, str]:
        v = self.form.values()
        return v["norm"], v["linkage"] if v["linkage"] in ("min", "max", "avg", "centroid") else "min"

    # ------------------------------------------------------------------ comparison tab
    def _update_compare(self, X, start, leaf_names, ds):
        n = X.shape[0]
        m = n if start is None else np.unique(start).size
        if n > COMPARE_LIMIT or m < 2:
            why = (f"{n:,} points: the comparison computes 12 first merges and 3-4 full clusterings, so it is "
                   f"offered for at most {COMPARE_LIMIT:,} points (the main run has no such limit)."
                   if n > COMPARE_LIMIT else "Add at least two clusters to compare.")
            self.compare.set_source(None, None, why)
            return
        cache: dict = {}

        def first():
            rows = ehac.first_merges(X, start)
            return {(r.norm, r.linkage): (leaf_names[r.a], leaf_names[r.b], r.distance) for r in rows}

        def trees(norm, linkage):
            key = (norm, linkage)
            if key not in cache:
                res = ehac.fit(X, norm=norm, linkage=linkage, clusters=start)
                cache[key] = Tree(res.dendrogram, leaf_names)
            return cache[key]

        what = "starting clusters " + ", ".join(leaf_names) if start is not None and len(leaf_names) <= 8 else \
            (f"{m} starting clusters" if start is not None else f"{n} points, one cluster each")
        name = ds.name if ds is not None and ds.name else "the current data"
        self.compare.set_source(first, trees, f"First merge of HAC on {name} ({what}), for every norm and "
                                              "cluster distance:", eager=n <= EAGER_LIMIT)
