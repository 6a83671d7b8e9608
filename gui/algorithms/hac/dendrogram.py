"""The dendrogram of an HAC run, growing one merge per step.

The engine computes the geometry of the finished tree once (scipy's ``dendrogram(no_plot=True)`` layout: for
merge ``t`` the four corners ``icoord[t]``, ``dcoord[t]`` of its ∩ shape, and an x position per leaf); this view
draws the first ``n_links`` merges of it, so the leaves keep their places while the tree grows.

What is shown
-------------
* links in the colour of the cluster they belong to (the same ids and :mod:`gui.widgets.palette` colours as the
  scatter), the most recent merge thicker;
* leaf names on the bottom axis (point names x1.., or the starting-cluster names when the run starts from
  groups), a coloured marker under each leaf;
* the merge distance on a labelled left axis, e.g. "merge distance (ℓ2, max)";
* inversions (a merge lower than an earlier one, possible with centroid linkage) with a red marker on the link
  and a legend entry;
* the cut: a horizontal line a person drags. Links inside a flat cluster take its colour, links above the cut are
  grey, and each flat cluster's id is written above its top link as the scatter's legend names it ("C1").

The cut applies to the links drawn so far (the owner cuts the merges done up to the current step,
:func:`engine.hac.flat.cut` with ``n_links``); without a cut the colours are those of the clusters after the
merges so far (exactly what the scatter shows).

Interaction: hovering or clicking a branch emits :attr:`sigBranchHovered` / :attr:`sigBranchClicked` with its
points; :meth:`highlight_point` draws the path from a point's leaf to the top of the tree drawn so far.

Exports: :mod:`gui.algorithms.hac.export`; tree arithmetic: :mod:`engine.hac.flat`; ``python -m
gui.algorithms.hac.dendrogram`` shows the view alone. The legend (top right) has room above the root, never over a link.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QPushButton, QVBoxLayout, QWidget

from engine.hac import flat
from engine.hac.dendrogram import Dendrogram
from gui.widgets import palette
from gui.widgets.grid import show_grid

__all__ = ["DendrogramView", "Tree", "pair_segments"]

GREY = "#9A9A9A"
INVERSION_COLOR = "#E8000B"
PICK_PIXELS = 8.0
MAX_CLUSTER_IDS = 40
LEAF_NAME_LIMIT = 150  # more leaves than this: no leaf names on the axis
ID_ANCHOR = (-0.2, 1.0)  # cluster id labels: left edge 20 % of their width right of the branch, bottom on the bar


class Tree:
    """What the dendrogram views draw: the engine's :class:`~engine.hac.dendrogram.Dendrogram`, a name per leaf.

    Every number comes from the engine (computed once per run); the attributes
    below are read-only views of it under the names the views use.

    Parameters
    ----------
    dendrogram : Dendrogram
        The finished tree over ``m`` leaves (points, or starting clusters).
    leaf_names : sequence of str, length m

    Attributes
    ----------
    Z : ndarray of shape (m - 1, 4)
        The linkage matrix.
    icoord, dcoord : ndarray of shape (m - 1, 4)
        The ∩ of merge ``t``: x and height of its four corners, in merge order.
    leaf_x : ndarray of shape (m,)
        x position of leaf ``i``.
    inversion : ndarray of bool, shape (m - 1,)
        Merge ``t`` is lower than an earlier merge.
    leaf_points : list of m int arrays
        Point indices of each leaf.
    point_leaf : ndarray of shape (n,)
        The leaf of each point.
    """

    def __init__(self, dendrogram: Dendrogram, leaf_names):
        d = self.dendrogram = dendrogram
        self.m = d.n_leaves
        self.Z, self.icoord, self.dcoord = d.linkage, d.icoord, d.dcoord
        self.leaf_x = d.node_x[:self.m]
        self.inversion = d.inversions
        self.leaf_names = tuple(str(s) for s in leaf_names)
        self.leaf_points = [d.members(c) for c in range(self.m)]
        self.n_points = int(d.point_order.size)
        self.point_leaf = flat.point_leaves(d)

    @property
    def n_links(self) -> int:
        return self.Z.shape[0]

    def points_of_link(self, t: int) -> np.ndarray:
        """Sorted point indices under merge ``t``."""
        return np.sort(self.dendrogram.members(self.m + int(t)))

    def leaf_labels(self, labels) -> np.ndarray:
        """Labels per leaf from labels per point (every point of a leaf has its leaf's label)."""
        return np.asarray(labels)[self.dendrogram.min_member[:self.m]]

    def link_top(self, t) -> tuple:
        """x and height of the middle of merge ``t``'s bar (``t`` an int or an int array)."""
        return self.dendrogram.node_x[self.m + np.asarray(t)], self.dendrogram.heights[np.asarray(t)]

    def leaf_ticks(self) -> list:
        """``(x, name)`` of every leaf, left to right."""
        return [(float(self.leaf_x[i]), self.leaf_names[i]) for i in self.dendrogram.leaves]


def pair_segments(ic: np.ndarray, dc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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
        self._build_plot()
        self._build_items()
        self._build_cut_line()
        self._build_bar()
        self.tree: Tree | None = None
        self.n_links = 0
        self.leaf_labels: np.ndarray | None = None  # label per leaf now shown
        self.point_labels: np.ndarray | None = None  # the same per point; the style names and colours by them
        self.style = palette.ClusterStyle()  # the scatter's, once the owner calls set_style
        self.link_label: np.ndarray = np.empty(0, dtype=np.int64)
        self.cut_enabled = False
        self.cut_height: float | None = None
        self.hovered: int | None = None
        self.path_links: list[int] = []
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.plot.scene().sigMouseClicked.connect(self._on_mouse_clicked)

    def _build_plot(self):
        self.plot = pg.PlotWidget(background="w", enableMenu=False)
        self.plot_item = self.plot.getPlotItem()
        show_grid(self.plot_item, x=False, y=True, alpha=0.2)
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
        self.plot_item.vb.sigResized.connect(self._fit_range)  # the legend's room above the root is in pixels

    def _build_items(self):
        self._curves: dict[str, pg.PlotCurveItem] = {}  # one curve per colour, not per link
        self._brushes: dict = {}  # colour -> QBrush, reused
        self._id_items: list[pg.TextItem] = []
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

    def _build_cut_line(self):
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

    def _build_bar(self):
        self.info = QLabel()
        self.info.setObjectName("dendrogram_info")
        self.info.setWordWrap(True)
        # a push button with a menu: its size hint leaves room for the menu arrow (a tool button's drew it on the text)
        self.export_button = QPushButton("Export dendrogram data…")
        self.export_button.setObjectName("export_dendrogram")
        self.export_menu = QMenu(self.export_button)
        self.export_button.setMenu(self.export_menu)
        bar = QHBoxLayout()
        bar.addWidget(self.info, 1)
        bar.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.plot, 1)
        layout.addLayout(bar)

    # ------------------------------------------------------------------ model
    def set_style(self, style: palette.ClusterStyle):
        """Name and colour clusters as ``style`` (the scatter's: named groups' colours, "black+red")."""
        self.style = style

    def set_tree(self, tree: Tree | None, axis_label: str = "merge distance"):
        """Show a new hierarchy (None: empty). Nothing is drawn until :meth:`show_links`."""
        self.tree = tree
        self.n_links = 0
        self.leaf_labels = self.point_labels = None
        self.hovered = None
        self.path_links = []
        self.plot.setLabel("left", axis_label)
        if tree is None:
            self.plot_item.getAxis("bottom").setTicks([[]])
            self._draw()
            return
        what = "leaves" if tree.m == tree.n_points else "starting clusters"
        if tree.m <= LEAF_NAME_LIMIT:
            ticks = tree.leaf_ticks()
        else:  # thousands of names would print as a black bar
            ticks = []
            what = f"{tree.m:,} {what} (too many to name; hover a branch to see its points)"
        self.plot_item.getAxis("bottom").setTicks([ticks, []])
        self.plot_item.getAxis("bottom").setLabel(what)
        lo, hi = (float(tree.leaf_x.min()), float(tree.leaf_x.max())) if tree.m else (0.0, 1.0)
        top = float(np.nanmax(tree.dcoord)) if tree.dcoord.size else 1.0
        pad = max((hi - lo) * 0.04, 5.0)
        self._x_range, self._top = (lo - pad, hi + pad), (top * 1.08 if top > 0 else 1.0)
        self._fit_range()
        self._draw()

    def _fit_range(self, *_):
        if getattr(self, "_top", None) is None:
            return
        room = (self.legend.boundingRect().height() + 16) / max(self.plot_item.vb.height(), 1.0)
        self.plot.setRange(xRange=self._x_range, yRange=(0.0, self._top / (1.0 - min(room, 0.4))), padding=0)

    def show_links(self, n_links: int, labels: np.ndarray | None = None):
        """Draw merges ``0..n_links-1`` coloured by ``labels`` (one cluster id per point, e.g. the step's)."""
        if self.tree is None:
            return
        self.n_links = int(np.clip(n_links, 0, self.tree.n_links))
        self.point_labels = None if labels is None else np.asarray(labels)
        self.leaf_labels = None if labels is None else self.tree.leaf_labels(labels)
        self._draw()

    def set_cut_enabled(self, enabled: bool, hint: str = ""):
        """Allow the cut, or hide it with ``hint`` in the info line."""
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
            self.leaf_labels, self.point_labels = self.tree.leaf_labels(flat_labels), np.asarray(flat_labels)
        if text:
            self.info.setText(text)
        self._draw()

    def highlight_point(self, point: int | None):
        """Draw the path from ``point``'s leaf up to the top of the tree drawn so far (None: clear)."""
        tree = self.tree
        if tree is not None and point is not None and 0 <= point < tree.n_points:
            self.path_links = flat.merge_path(tree.dendrogram, int(tree.point_leaf[point]), self.n_links)
        else:
            self.path_links = []
        self._draw_path()

    def curves(self) -> list:
        """The link curves, one per colour in use so far."""
        return list(self._curves.values())

    # ------------------------------------------------------------------ drawing
    def _brush(self, colour: str):
        brush = self._brushes.get(colour)
        if brush is None:
            brush = self._brushes[colour] = pg.mkBrush(colour)
        return brush

    def _colour_of(self, label: int) -> str:
        return GREY if label < 0 else self.style.hex(int(label), self.point_labels, extended=True)

    def _clear(self):
        for curve in self._curves.values():
            curve.setData([], [])
        for item in self._id_items:
            self.plot.removeItem(item)
        self._id_items = []

    def _draw(self):
        tree, n = self.tree, self.n_links
        self._clear()
        if tree is None or tree.m == 0:
            for item in (self.latest, self.leaves, self.inversions):
                item.setData([], [])
            self.link_label = np.empty(0, dtype=np.int64)
            self._draw_path()
            return
        if self.leaf_labels is not None:
            self.link_label = flat.link_labels(tree.Z, self.leaf_labels, n)
        else:
            self.link_label = np.full(n, -1, dtype=np.int64)
        cut = self.cut_height if (self.cut_enabled and self.cut_height is not None) else None
        self._draw_links(cut)
        self._draw_leaves()
        inv = np.flatnonzero(tree.inversion[:n])
        self.inversions.setData(*tree.link_top(inv))
        self._set_legend_entry(self.inversions, "inversion: merged lower than an earlier merge", bool(inv.size))
        self._inversion_in_legend = bool(inv.size)
        if cut is not None:
            self._draw_cluster_ids()
        self._draw_path()

    def _draw_links(self, cut):
        """One curve per colour for the links drawn, and the most recent one thick (none under a cut)."""
        tree, n = self.tree, self.n_links
        colours = np.array([self._colour_of(l) for l in self.link_label], dtype=object)
        ic, dc = tree.icoord[:n], tree.dcoord[:n]
        for colour in dict.fromkeys(colours.tolist()):
            sel = colours == colour
            curve = self._curves.get(colour)
            if curve is None:
                curve = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen(colour, width=2))
                self.plot.addItem(curve)
                self._curves[colour] = curve
            curve.setData(*pair_segments(ic[sel], dc[sel]))
        if n and cut is None:
            x, y = pair_segments(ic[n - 1:n], dc[n - 1:n])
            self.latest.setData(x, y, pen=pg.mkPen(colours[-1], width=5))
        else:  # under a cut the flat clusters are the picture (the scatter drops the merge overlay too)
            self.latest.setData([], [])
        self._set_legend_entry(self.latest, "most recent merge", bool(n) and cut is None)

    def _draw_leaves(self):
        """A marker under each leaf in the colour of the leaf's cluster."""
        tree = self.tree
        leaf_lab = self.leaf_labels if self.leaf_labels is not None else np.full(tree.m, -1)
        # one QBrush object per colour: pyqtgraph renders a symbol once per distinct brush object
        uniq, inv = np.unique(np.asarray(leaf_lab, dtype=np.int64), return_inverse=True)
        per_label = [self._brush(self._colour_of(int(u))) for u in uniq]
        brushes = [per_label[i] for i in inv.ravel().tolist()]
        self.leaves.setData(tree.leaf_x, np.zeros(tree.m), brush=brushes)

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
                x, y = tree.link_top(t)
                tops[int(lab[t])] = (float(x), float(y))
        if self.leaf_labels is not None:
            for i in range(tree.m):
                c = int(self.leaf_labels[i])
                if c >= 0 and c not in tops:
                    tops[c] = (float(tree.leaf_x[i]), 0.0)
        for c, (x, y) in list(tops.items())[:MAX_CLUSTER_IDS]:
            item = pg.TextItem(self.style.short(c, self.point_labels), color=self._colour_of(c), anchor=ID_ANCHOR,
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
            self.path.setData(*pair_segments(tree.icoord[sel], tree.dcoord[sel]))
        if tree is None or self.hovered is None or self.hovered >= self.n_links:
            self.hover.setData([], [])
        else:
            h = self.hovered
            self.hover.setData(*pair_segments(tree.icoord[h:h + 1], tree.dcoord[h:h + 1]))

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

    # ------------------------------------------------------------------ introspection for tests
    def drawn_link_count(self) -> int:
        """Number of ∩ shapes currently drawn (summed over the colour curves)."""
        total = 0
        for curve in self._curves.values():
            x = curve.getData()[0]
            total += 0 if x is None else len(x) // 6
        return total


def _demo_widget() -> DendrogramView:
    """Average-linkage HAC of twelve points in blobs, finished and cut into three clusters."""
    from engine import data, hac
    X = data.generate("blobs", n=12, seed=1).X
    d = hac.fit(X, linkage="avg").dendrogram
    view = DendrogramView()
    view.set_tree(Tree(d, [f"x{i + 1}" for i in range(d.n_leaves)]), "merge distance (ℓ2, avg)")
    view.show_links(d.n_leaves - 1, d.labels_after(d.n_leaves - 2))
    view.set_cut_enabled(True)
    c = flat.cut(d, count=3)
    view.set_cut(c.height, c.labels, f"cut at {c.height:.4g}: {c.n_clusters} clusters")
    return view


if __name__ == "__main__":
    from gui.widgets.demo import run_demo
    run_demo(_demo_widget, title="Dendrogram")
