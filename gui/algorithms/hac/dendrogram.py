"""The dendrogram of an HAC run, growing one merge per step.

The engine computes the geometry of the finished tree once (scipy's
``dendrogram(no_plot=True)`` layout: for merge ``t`` the four corners
``icoord[t]``, ``dcoord[t]`` of its ∩ shape, and an x position per leaf);
this view draws the first ``n_links`` merges of it, so the leaves keep their
places while the tree grows.

What is shown
-------------
* links in the colour of the cluster they belong to (the same ids and
  :mod:`gui.widgets.palette` colours as the scatter), the most recent merge thicker;
* leaf names on the bottom axis (point names x1.., or the starting-cluster
  names when the run starts from groups), a coloured marker under each leaf;
* the merge distance on a labelled left axis, e.g. "merge distance (ℓ2, max)";
* inversions (a merge lower than an earlier one, possible with centroid
  linkage) with a red marker on the link and a legend entry;
* the cut: a horizontal line a person drags. Links inside a flat cluster
  take its colour, links above the cut are grey, and each flat cluster's id
  is written above its top link ("C1" for id 0, as the scatter legend's "cluster 1").

The cut applies to the finished tree, so it is enabled on the final step
only; before that, the view shows a hint and the colours are those of the
clusters after the merges so far (exactly what the scatter shows). The reason:
a flat clustering is defined on a complete hierarchy (every point has a path
to the root), and the clusters of the merges so far are already coloured.

Interaction: hovering or clicking a branch emits :attr:`sigBranchHovered` /
:attr:`sigBranchClicked` with its points; :meth:`highlight_point` draws the
path from a point's leaf to the top of the tree drawn so far.

Data export helpers (pure functions): :func:`linkage_csv`, :func:`labels_csv`
(Newick comes from :func:`engine.hac.dendrogram.newick`).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget, QMenu

from gui.widgets import palette

__all__ = ["DendrogramView", "Tree", "link_labels", "node_parents", "leaves_under", "linkage_csv", "labels_csv"]

GREY = "#9A9A9A"
INVERSION_COLOR = "#E8000B"
PICK_PIXELS = 8.0
MAX_CLUSTER_IDS = 40
LEAF_NAME_LIMIT = 150  # more leaves than this: no leaf names on the axis
ID_ANCHOR = (-0.2, 1.0)  # cluster id labels: left edge 20 % of their width right of the branch, bottom on the bar


class Tree:
    """The finished hierarchy and its drawing geometry (everything read-only).

    Parameters
    ----------
    Z : ndarray of shape (m - 1, 4)
        scipy-layout linkage matrix over ``m`` leaves (points, or starting clusters).
    icoord, dcoord : ndarray of shape (m - 1, 4)
        The ∩ of merge ``t``: x and height of its four corners (left foot, left
        top, right top, right foot), in merge order.
    leaf_x : ndarray of shape (m,)
        x position of leaf ``i``.
    leaf_names : sequence of str, length m
    leaf_points : list of int arrays, optional
        Point indices of each leaf; default: leaf ``i`` is point ``i``.
    inversion : ndarray of bool, shape (m - 1,), optional
        Merge ``t`` is lower than an earlier merge; computed from ``Z`` if not given.
    """

    def __init__(self, Z, icoord, dcoord, leaf_x, leaf_names, leaf_points=None, inversion=None):
        self.Z = np.asarray(Z, dtype=float).reshape(-1, 4)
        self.icoord = np.asarray(icoord, dtype=float).reshape(-1, 4)
        self.dcoord = np.asarray(dcoord, dtype=float).reshape(-1, 4)
        self.leaf_x = np.asarray(leaf_x, dtype=float).ravel()
        self.m = self.leaf_x.size
        self.leaf_names = tuple(str(s) for s in leaf_names)
        if leaf_points is None:
            leaf_points = [np.array([i]) for i in range(self.m)]
        self.leaf_points = [np.asarray(p, dtype=np.intp).ravel() for p in leaf_points]
        self.n_points = int(sum(p.size for p in self.leaf_points))
        self.point_leaf = np.empty(self.n_points, dtype=np.intp)
        for i, p in enumerate(self.leaf_points):
            self.point_leaf[p] = i
        h = self.Z[:, 2]
        if inversion is None:
            prev = np.maximum.accumulate(np.concatenate([[-np.inf], h]))[:-1]
            inversion = h < prev
        self.inversion = np.asarray(inversion, dtype=bool).ravel()
        self.parent = node_parents(self.Z, self.m)
        # one point of each node (leaves, then merges): the colour of a whole cluster is read there
        rep = np.empty(2 * self.m - 1, dtype=np.intp)
        rep[:self.m] = [p[0] if p.size else 0 for p in self.leaf_points]
        for t in range(self.Z.shape[0]):
            rep[self.m + t] = rep[int(self.Z[t, 0])]
        self.rep = rep

    @property
    def n_links(self) -> int:
        return self.Z.shape[0]

    def points_of_link(self, t: int) -> np.ndarray:
        """Sorted point indices under merge ``t``."""
        leaves = leaves_under(self.Z, self.m, self.m + int(t))
        return np.sort(np.concatenate([self.leaf_points[i] for i in leaves]))


def node_parents(Z: np.ndarray, m: int) -> np.ndarray:
    """Parent merge index of each node (leaves 0..m-1, merges m..2m-2); -1 for the root / unmerged."""
    parent = np.full(2 * m - 1, -1, dtype=np.intp)
    for t in range(Z.shape[0]):
        parent[int(Z[t, 0])] = t
        parent[int(Z[t, 1])] = t
    return parent


def leaves_under(Z: np.ndarray, m: int, node: int) -> list[int]:
    """Leaf ids below ``node`` (a leaf id or ``m + t``), left to right."""
    out, stack = [], [int(node)]
    while stack:
        k = stack.pop()
        if k < m:
            out.append(k)
        else:
            t = k - m
            stack.append(int(Z[t, 1]))
            stack.append(int(Z[t, 0]))
    return out


def link_labels(Z: np.ndarray, leaf_labels: np.ndarray, n_links: int | None = None) -> np.ndarray:
    """The cluster id of each of the first ``n_links`` merges, or -1 where its two sides differ.

    A link belongs to a (flat or current) cluster when all leaves below it carry
    that cluster's label; otherwise it joins different clusters (drawn grey).
    """
    m = len(leaf_labels)
    n_links = Z.shape[0] if n_links is None else int(n_links)
    node = np.empty(m + n_links, dtype=np.int64)
    node[:m] = leaf_labels
    for t in range(n_links):
        a, b = node[int(Z[t, 0])], node[int(Z[t, 1])]
        node[m + t] = a if a == b else -1
    return node[m:]


# ------------------------------------------------------------------ export helpers
def linkage_csv(Z: np.ndarray) -> str:
    """The linkage matrix as CSV text in scipy's layout (new cluster ``m + t`` for row ``t``)."""
    lines = ["cluster_a,cluster_b,distance,size"]
    for a, b, h, s in np.asarray(Z, dtype=float).reshape(-1, 4):
        lines.append(f"{int(a)},{int(b)},{float(h)!r},{int(s)}")
    return "\n".join(lines) + "\n"


def labels_csv(labels: np.ndarray, point_names=None) -> str:
    """Flat cluster labels as CSV: ``point,cluster`` (point names when given, else 0-based indices)."""
    labels = np.asarray(labels).ravel()
    names = point_names if point_names is not None else [str(i) for i in range(labels.size)]
    lines = ["point,cluster"] + [f"{_csv_field(str(n))},{int(c)}" for n, c in zip(names, labels)]
    return "\n".join(lines) + "\n"


def _csv_field(s: str) -> str:
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\n') else s


def _pair_segments(ic: np.ndarray, dc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x, y arrays for ``connect="pairs"``: three segments (six points) per ∩."""
    if ic.size == 0:
        return np.empty(0), np.empty(0)
    idx = np.array([0, 1, 1, 2, 2, 3])
    return ic[:, idx].ravel(), dc[:, idx].ravel()


class DendrogramView(QWidget):
    """A growing dendrogram with a draggable cut (see the module docstring).

    Signals
    -------
    sigCutChanged(float)
        The person moved the cut line to this height.
    sigBranchHovered(object)
        Point indices under the hovered branch (empty array: none).
    sigBranchClicked(object)
        Point indices under the clicked branch.
    """

    sigCutChanged = Signal(float)
    sigBranchHovered = Signal(object)
    sigBranchClicked = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plot = pg.PlotWidget(background="w")
        self.plot_item = self.plot.getPlotItem()
        self.plot_item.setMenuEnabled(False)
        self.plot.showGrid(x=False, y=True, alpha=0.2)
        for name in ("left", "bottom"):
            ax = self.plot_item.getAxis(name)
            ax.setPen(pg.mkPen("k"))
            ax.setTextPen(pg.mkPen("k"))
            ax.enableAutoSIPrefix(False)  # heights are read off as plain numbers, never "x0.001"
        self.plot.setLabel("left", "merge distance")
        self.plot.setLabel("bottom", "")
        self.plot_item.getAxis("bottom").setStyle(hideOverlappingLabels=True)
        self.plot_item.vb.setMouseEnabled(x=True, y=True)
        self.legend = self.plot.addLegend(offset=(-10, 10), labelTextColor="k", brush=pg.mkBrush(255, 255, 255, 220))
        self._curves: dict[str, pg.PlotCurveItem] = {}  # one curve per colour, not per link
        self._brushes: dict = {}  # colour -> QBrush, reused
        self.latest = pg.PlotCurveItem(connect="pairs")
        self.path = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen("#000000", width=5))
        self.path.setOpacity(0.35)
        self.hover = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen("#000000", width=3, style=Qt.PenStyle.DashLine))
        self.leaves = pg.ScatterPlotItem(size=9, pen=pg.mkPen("k", width=0.5))
        self.inversions = pg.ScatterPlotItem(size=14, symbol="t", brush=pg.mkBrush(INVERSION_COLOR),
                                             pen=pg.mkPen("k", width=0.5))
        for item in (self.path, self.hover, self.latest, self.leaves, self.inversions):
            self.plot.addItem(item)
        self.path.setZValue(-1)
        self.latest.setZValue(5)
        self.inversions.setZValue(6)
        self.legend.addItem(self.latest, "most recent merge")
        self._inversion_in_legend = False
        self.cut_line = pg.InfiniteLine(pos=0.0, angle=0, movable=True,
                                        pen=pg.mkPen("#D55E00", width=2, style=Qt.PenStyle.DashLine),
                                        hoverPen=pg.mkPen("#D55E00", width=4),
                                        label="cut {value:.4g}", labelOpts={"color": "#D55E00", "position": 0.05,
                                                                          "fill": (255, 255, 255, 200)})
        self.cut_line.setZValue(10)
        self.cut_line.sigPositionChangeFinished.connect(self._on_cut_dragged)
        self.cut_line.sigDragged.connect(self._on_cut_dragged)
        self.plot.addItem(self.cut_line)
        self.cut_line.setVisible(False)
        self._id_items: list[pg.TextItem] = []

        self.info = QLabel()
        self.info.setObjectName("dendrogram_info")
        self.info.setWordWrap(True)
        self.export_button = QToolButton()
        self.export_button.setText("Export dendrogram data…")
        self.export_button.setObjectName("export_dendrogram")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.export_menu = QMenu(self.export_button)
        self.export_button.setMenu(self.export_menu)
        bar = QHBoxLayout()
        bar.addWidget(self.info, 1)
        bar.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.plot, 1)
        layout.addLayout(bar)

        self.tree: Tree | None = None
        self.n_links = 0
        self.leaf_labels: np.ndarray | None = None  # label per leaf now shown
        self.link_label: np.ndarray = np.empty(0, dtype=np.int64)
        self.cut_enabled = False
        self.cut_height: float | None = None
        self.hovered: int | None = None
        self.path_links: list[int] = []
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.plot.scene().sigMouseClicked.connect(self._on_mouse_clicked)

    # ------------------------------------------------------------------ model
    def set_tree(self, tree: Tree | None, axis_label: str = "merge distance"):
        """Show a new hierarchy (None: empty). Nothing is drawn until :meth:`show_links`."""
        self.tree = tree
        self.n_links = 0
        self.leaf_labels = None
        self.hovered = None
        self.path_links = []
        self.plot.setLabel("left", axis_label)
        if tree is None:
            self.plot_item.getAxis("bottom").setTicks([[]])
            self._draw()
            return
        order = np.argsort(tree.leaf_x)
        what = "leaves" if tree.m == tree.n_points else "starting clusters"
        if tree.m <= LEAF_NAME_LIMIT:
            ticks = [(float(tree.leaf_x[i]), tree.leaf_names[i]) for i in order]
        else:  # thousands of names would print as a black bar
            ticks = []
            what = f"{tree.m:,} {what} (too many to name; hover a branch to see its points)"
        self.plot_item.getAxis("bottom").setTicks([ticks, []])
        self.plot_item.getAxis("bottom").setLabel(what)
        lo, hi = (float(tree.leaf_x.min()), float(tree.leaf_x.max())) if tree.m else (0.0, 1.0)
        top = float(np.nanmax(tree.dcoord)) if tree.dcoord.size else 1.0
        pad = max((hi - lo) * 0.04, 5.0)
        self.plot.setRange(xRange=(lo - pad, hi + pad), yRange=(0.0, top * 1.08 if top > 0 else 1.0), padding=0)
        self._draw()

    def show_links(self, n_links: int, labels: np.ndarray | None = None):
        """Draw merges ``0..n_links-1`` coloured by ``labels`` (one cluster id per point, e.g. the step's)."""
        if self.tree is None:
            return
        self.n_links = int(np.clip(n_links, 0, self.tree.n_links))
        self.leaf_labels = None if labels is None else np.asarray(labels)[self.tree.rep[:self.tree.m]]
        self._draw()

    def set_cut_enabled(self, enabled: bool, hint: str = ""):
        """Allow the cut (final step) or hide it with ``hint`` in the info line."""
        was = self.cut_enabled
        self.cut_enabled = bool(enabled) and self.tree is not None
        self.cut_line.setVisible(self.cut_enabled and self.cut_height is not None)
        if not self.cut_enabled:
            self.info.setText(hint)
        if was != self.cut_enabled:
            self._draw()  # cluster ids belong to the cut only

    def set_cut(self, height: float | None, flat_labels: np.ndarray | None = None, text: str = ""):
        """Place the cut line at ``height`` and colour by ``flat_labels`` (per point); None removes it."""
        self.cut_height = None if height is None else float(height)
        if height is not None:  # setValue never emits sigDragged / sigPositionChangeFinished: no echo
            self.cut_line.setValue(float(height))
        self.cut_line.setVisible(self.cut_enabled and height is not None)
        self.cut_line.label.valueChanged()  # a hidden label skips updates; refresh its text now
        if flat_labels is not None and self.tree is not None:
            self.leaf_labels = np.asarray(flat_labels)[self.tree.rep[:self.tree.m]]
        if text:
            self.info.setText(text)
        self._draw()

    def highlight_point(self, point: int | None):
        """Draw the path from ``point``'s leaf up to the top of the tree drawn so far (None: clear)."""
        self.path_links = []
        tree = self.tree
        if tree is not None and point is not None and 0 <= point < tree.n_points:
            t = int(tree.parent[tree.point_leaf[point]])
            while 0 <= t < self.n_links:
                self.path_links.append(t)
                t = int(tree.parent[tree.m + t])
        self._draw_path()

    # ------------------------------------------------------------------ drawing
    def _brush(self, colour: str):
        brush = self._brushes.get(colour)
        if brush is None:
            brush = self._brushes[colour] = pg.mkBrush(colour)
        return brush

    def _colour_of(self, label: int) -> str:
        return GREY if label < 0 else palette.hex_color(int(label), extended=True)

    def _draw(self):
        tree, n = self.tree, self.n_links
        for curve in self._curves.values():
            curve.setData([], [])
        for item in self._id_items:
            self.plot.removeItem(item)
        self._id_items = []
        if tree is None or tree.m == 0:
            self.latest.setData([], [])
            self.leaves.setData([], [])
            self.inversions.setData([], [])
            self.link_label = np.empty(0, dtype=np.int64)
            self._draw_path()
            return
        if self.leaf_labels is not None:
            self.link_label = link_labels(tree.Z, self.leaf_labels, n)
        else:
            self.link_label = np.full(n, -1, dtype=np.int64)
        cut = self.cut_height if (self.cut_enabled and self.cut_height is not None) else None
        colours = np.array([self._colour_of(l) for l in self.link_label], dtype=object)
        ic, dc = tree.icoord[:n], tree.dcoord[:n]
        for colour in dict.fromkeys(colours.tolist()):
            sel = colours == colour
            x, y = _pair_segments(ic[sel], dc[sel])
            curve = self._curves.get(colour)
            if curve is None:
                curve = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen(colour, width=2))
                self.plot.addItem(curve)
                self._curves[colour] = curve
            curve.setData(x, y)
        if n and cut is None:
            x, y = _pair_segments(ic[n - 1:n], dc[n - 1:n])
            self.latest.setData(x, y, pen=pg.mkPen(colours[-1], width=5))
        else:  # under a cut the flat clusters are the picture (the scatter drops the merge overlay too)
            self.latest.setData([], [])
        self._set_legend_entry(self.latest, "most recent merge", bool(n) and cut is None)
        # leaves: a marker in the colour of the leaf's cluster
        leaf_lab = self.leaf_labels if self.leaf_labels is not None else np.full(tree.m, -1)
        # one QBrush object per colour: pyqtgraph renders a symbol once per distinct brush object
        uniq, inv = np.unique(np.asarray(leaf_lab, dtype=np.int64), return_inverse=True)
        per_label = [self._brush(self._colour_of(int(u))) for u in uniq]
        brushes = [per_label[i] for i in inv.ravel().tolist()]
        self.leaves.setData(tree.leaf_x, np.zeros(tree.m), brush=brushes)
        inv = np.flatnonzero(tree.inversion[:n])
        self.inversions.setData(ic[inv, 1:3].mean(axis=1) if inv.size else [], dc[inv, 1] if inv.size else [])
        self._set_legend_entry(self.inversions, "inversion: merged lower than an earlier merge", bool(inv.size))
        self._inversion_in_legend = bool(inv.size)
        if cut is not None:
            self._draw_cluster_ids()
        self._draw_path()

    def _set_legend_entry(self, item, text: str, shown: bool):
        present = any(sample.item is item for sample, _ in self.legend.items)
        if shown and not present:
            self.legend.addItem(item, text)
        elif not shown and present:
            self.legend.removeItem(item)
        self.legend.setVisible(bool(self.legend.items))

    def _draw_cluster_ids(self):
        """Write each flat cluster's id above its top link (or beside its leaf).

        The label sits just above the link's bar, starting a little to the right
        of the bar's middle, where the branch to the parent rises: so it never
        covers that branch (nor the leaf's stem, for a one-leaf cluster),
        whatever the zoom (the offset is a fraction of the label's own width).
        """
        tree, n = self.tree, self.n_links
        lab = self.link_label
        tops: dict[int, tuple[float, float]] = {}
        for t in range(n - 1, -1, -1):  # the last merge of a cluster is its top
            if lab[t] >= 0 and int(lab[t]) not in tops:
                tops[int(lab[t])] = (float(tree.icoord[t, 1:3].mean()), float(tree.dcoord[t, 1]))
        if self.leaf_labels is not None:
            for i in range(tree.m):
                c = int(self.leaf_labels[i])
                if c >= 0 and c not in tops:
                    tops[c] = (float(tree.leaf_x[i]), 0.0)
        for c, (x, y) in list(tops.items())[:MAX_CLUSTER_IDS]:
            # "C1" is id 0, as the scatter legend's "cluster 1"
            item = pg.TextItem(f"C{c + 1}", color=palette.hex_color(c, extended=True), anchor=ID_ANCHOR,
                               fill=pg.mkBrush(255, 255, 255, 190))
            item.setPos(x, y)
            self.plot.addItem(item)
            self._id_items.append(item)

    def _draw_path(self):
        tree = self.tree
        if tree is None or not self.path_links:
            self.path.setData([], [])
        else:
            sel = np.array(self.path_links)
            x, y = _pair_segments(tree.icoord[sel], tree.dcoord[sel])
            self.path.setData(x, y)
        if tree is None or self.hovered is None or self.hovered >= self.n_links:
            self.hover.setData([], [])
        else:
            h = self.hovered
            x, y = _pair_segments(tree.icoord[h:h + 1], tree.dcoord[h:h + 1])
            self.hover.setData(x, y)

    # ------------------------------------------------------------------ picking
    def link_at(self, x: float, y: float, px: float | None = None, py: float | None = None) -> int | None:
        """The drawn merge whose ∩ passes nearest to view point (x, y), within a few pixels."""
        tree, n = self.tree, self.n_links
        if tree is None or n == 0:
            return None
        if px is None or py is None:
            px, py = self.plot_item.vb.viewPixelSize()
        ic, dc = tree.icoord[:n], tree.dcoord[:n]
        # distances in pixels to the three segments of every link
        bar = self._seg_dist(x, y, ic[:, 1], dc[:, 1], ic[:, 2], dc[:, 2], px, py)
        left = self._seg_dist(x, y, ic[:, 0], dc[:, 0], ic[:, 1], dc[:, 1], px, py)
        right = self._seg_dist(x, y, ic[:, 3], dc[:, 3], ic[:, 2], dc[:, 2], px, py)
        d = np.minimum(bar, np.minimum(left, right))
        t = int(np.argmin(d))
        return t if d[t] <= PICK_PIXELS else None

    @staticmethod
    def _seg_dist(x, y, x0, y0, x1, y1, px, py):
        ax, ay = (x - x0) / px, (y - y0) / py
        bx, by = (x1 - x0) / px, (y1 - y0) / py
        L = bx * bx + by * by
        s = np.clip(np.where(L > 0, (ax * bx + ay * by) / np.where(L > 0, L, 1), 0.0), 0.0, 1.0)
        return np.hypot(ax - s * bx, ay - s * by)

    def _on_mouse_moved(self, pos):
        if self.tree is None:
            return
        p = self.plot_item.vb.mapSceneToView(pos)
        t = self.link_at(p.x(), p.y())
        if t != self.hovered:
            self.hovered = t
            self._draw_path()
            self.sigBranchHovered.emit(np.empty(0, dtype=np.intp) if t is None else self.tree.points_of_link(t))

    def _on_mouse_clicked(self, event):
        if self.tree is None or event.button() != Qt.MouseButton.LeftButton:
            return
        p = self.plot_item.vb.mapSceneToView(event.scenePos())
        t = self.link_at(p.x(), p.y())
        if t is not None:
            self.click_link(t)

    def click_link(self, t: int):
        """Act as if the person clicked merge ``t``: highlight it and emit its points."""
        self.hovered = int(t)
        self._draw_path()
        self.sigBranchClicked.emit(self.tree.points_of_link(t))

    def _on_cut_dragged(self, *_):
        if self.cut_enabled:
            self.sigCutChanged.emit(float(self.cut_line.value()))

    # ------------------------------------------------------------------ print-ready export
    def export_png(self, path, scale: float = 2.0, title: str = ""):
        """Save the plot as it is shown (axis, scale, leaf labels, cluster ids, cut), ``scale`` times sharper.

        The scene is drawn into a ``scale``-times larger image with pens and
        markers thickened by the same factor, so every part (text, lines, the
        legend) keeps its on-screen proportions. ``title`` goes above the plot
        in the file only. Raises OSError when the file cannot be written.
        """
        from PySide6.QtCore import QRectF
        from PySide6.QtGui import QColor, QImage, QPainter

        scale = float(scale)
        if not 1 <= scale <= 4:
            raise ValueError(f"scale={scale!r} should be between 1 and 4.")
        with self._print_mode(title, scale):
            src = self.plot_item.sceneBoundingRect()
            if src.width() < 1 or src.height() < 1:
                raise ValueError("The dendrogram has no size yet: show it first.")
            img = QImage(round(src.width() * scale), round(src.height() * scale), QImage.Format.Format_ARGB32)
            img.fill(QColor("white"))
            painter = QPainter(img)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            try:
                self.plot.scene().render(painter, QRectF(0, 0, img.width(), img.height()), src)
            finally:
                painter.end()
        if not img.save(str(path), "PNG"):
            raise OSError(f"Cannot write {path}: saving the PNG failed (no permission or disk full?).")
        return path

    def export_svg(self, path, title: str = ""):
        """Save the plot as SVG (vector: axis, leaf labels, cluster ids, cut); ``title`` in the file only."""
        from gui.widgets import export
        with self._print_mode(title, 1.0):
            return export.export_svg(self.plot_item, path)

    class _PrintMode:
        def __init__(self, view, title, scale):
            self.view, self.title, self.scale = view, title, scale
            self.saved = []

        def __enter__(self):
            from PySide6.QtWidgets import QApplication
            v, f = self.view, self.scale
            if self.title:
                v.plot.setTitle(self.title, color="k", size="11pt")
            if f != 1:
                for item in list(v._curves.values()) + [v.latest, v.path, v.hover]:
                    pen = item.opts["pen"]
                    self.saved.append((item.setPen, pen))
                    wide = pg.mkPen(pen)
                    wide.setWidthF(max(1.0, pen.widthF()) * f)
                    item.setPen(wide)
                for item in (v.leaves, v.inversions):
                    size = item.opts["size"]
                    self.saved.append((item.setSize, size))
                    item.setSize(size * f)
                pen = v.cut_line.pen
                self.saved.append((v.cut_line.setPen, pen))
                wide = pg.mkPen(pen)
                wide.setWidthF(max(1.0, pen.widthF()) * f)
                v.cut_line.setPen(wide)
            QApplication.processEvents()  # lay the title out before drawing
            return self

        def __exit__(self, *exc):
            from PySide6.QtWidgets import QApplication
            for setter, value in reversed(self.saved):
                setter(value)
            if self.title:
                self.view.plot.setTitle(None)
            QApplication.processEvents()
            return False

    def _print_mode(self, title: str, scale: float):
        return DendrogramView._PrintMode(self, title, scale)

    # ------------------------------------------------------------------ introspection for tests
    def drawn_link_count(self) -> int:
        """Number of ∩ shapes currently drawn (summed over the colour curves)."""
        total = 0
        for curve in self._curves.values():
            x = curve.getData()[0]
            total += 0 if x is None else len(x) // 6
        return total
