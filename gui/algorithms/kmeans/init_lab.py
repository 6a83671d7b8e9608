"""The "Initialisation lab" of K-means: how the starting centres are chosen, including by hand.

:class:`InitLab` is a small panel: a "Start from" chooser listing the
engine's initialisations (random data points, random partition, k-means++,
...) plus two of the person's own:

``"placed"``  centres placed by clicking on the scatter (anywhere in the plane);
``"picked"``  data points picked by clicking them (textbook exercise 3: A and C).

It keeps the placed positions (display coordinates) and the picked point
indices, and says what they are in a line of text. It does not listen to the
scatter itself: the plugin forwards clicks to :meth:`InitLab.add_placed` /
:meth:`InitLab.toggle_picked` while :attr:`InitLab.capturing` is on, and
draws the marks with :class:`CentreMarks`.

:class:`KMeansOverlay` draws a run on the shared scatter: centres, their
trails, the points that just changed cluster, the regions each centre owns and
the k-means++ sampling probabilities (the numbers come from the step).
"""
from __future__ import annotations

import functools

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from gui.widgets import palette
from gui.widgets.plot_items import PlotItems

__all__ = ["InitLab", "CentreMarks", "KMeansOverlay", "INIT_LABELS", "OWN_MODES"]

REGION_ALPHA = 45  # opacity of the region image under the points
SMALL_N = 300       # k-means++: up to this many points, a probability disc per point
HEAT_MAX = 20000    # more points: at most this many coloured by probability (the most likely)
TOP_DISCS = 40      # ... and this many of the most likely ringed
HEAT_LEVELS = 24     # colour steps of the probability scale
RING_LIMIT = 300     # up to this many points that changed cluster are ringed; more get a small dot and a count
RING_SHARE = 0.25    # ...and up to this share of the points (past RING_FEW): rings over most of a blob hide its colours
RING_FEW = 12


@functools.lru_cache(maxsize=1)
def heat_brushes() -> tuple:
    """Brushes of the probability scale, pale yellow (unlikely) to near black (likely): inferno, reversed."""
    lut = pg.colormap.get("inferno").getLookupTable(0.98, 0.05, HEAT_LEVELS, alpha=False)
    return tuple(pg.mkBrush(int(r), int(g), int(b)) for r, g, b in lut)

INIT_LABELS = {
    "random": "random data points", "random-points": "random data points", "points": "random data points",
    "random-partition": "random partition", "partition": "random partition",
    "k-means++": "k-means++", "kmeans++": "k-means++", "++": "k-means++",
    "placed": "centres placed by clicking", "picked": "picked data points",
}
OWN_MODES = ("placed", "picked")


class InitLab(QWidget):
    """Chooser of the initialisation and holder of hand-made starting centres.

    Signals
    -------
    sigChanged()
        The choice, the placed centres or the picked points changed.
    sigCaptureChanged(bool)
        Clicking on the scatter now places/picks centres (True) or not.
    """

    sigChanged = Signal()
    sigCaptureChanged = Signal(bool)

    def __init__(self, engine_choices=(), parent: QWidget | None = None):
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.setObjectName("init_choice")
        for c in tuple(engine_choices) + OWN_MODES:
            self.combo.addItem(INIT_LABELS.get(c, str(c)), c)
        self.combo.setToolTip("How the starting centres are chosen. The last two let you choose them yourself.")
        self.capture = QPushButton("Place centres")
        self.capture.setObjectName("init_capture")
        self.capture.setCheckable(True)
        self.capture.setToolTip("While pressed, a click on the scatter places a centre (or picks a data point)")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setObjectName("init_clear")
        self.info = QLabel()
        self.info.setObjectName("init_info")
        self.info.setWordWrap(True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.capture)
        row.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        layout.addLayout(row)
        layout.addWidget(self.info)
        self.placed = np.empty((0, 2))
        self.picked: list[int] = []
        self.point_names: tuple[str, ...] | None = None
        self.combo.currentIndexChanged.connect(self._on_mode_changed)
        self.capture.toggled.connect(self._on_capture_toggled)
        self.clear_button.clicked.connect(self.clear)
        self._on_mode_changed()

    # ---------------------------------------------------------------- state
    @property
    def mode(self) -> str:
        return self.combo.currentData()

    @property
    def own(self) -> bool:
        """True when the centres come from the person (placed or picked)."""
        return self.mode in OWN_MODES

    @property
    def capturing(self) -> bool:
        return self.own and self.capture.isChecked()

    @property
    def count(self) -> int:
        return int(self.placed.shape[0]) if self.mode == "placed" else len(self.picked) if self.mode == "picked" else 0

    def set_mode(self, mode: str, emit: bool = True):
        i = self.combo.findData(mode)
        if i < 0:
            raise ValueError(f"unknown initialisation {mode!r}")
        blocked = self.combo.blockSignals(not emit)
        try:
            self.combo.setCurrentIndex(i)
        finally:
            self.combo.blockSignals(blocked)
        if not emit:
            self._refresh()

    def set_capturing(self, on: bool):
        self.capture.setChecked(bool(on) and self.own)

    def add_placed(self, x: float, y: float):
        self.placed = np.vstack([self.placed, [[float(x), float(y)]]])
        self._refresh()
        self.sigChanged.emit()

    def set_placed(self, points):
        self.placed = np.asarray(points, dtype=float).reshape(-1, 2).copy()
        self._refresh()
        self.sigChanged.emit()

    def toggle_picked(self, i: int):
        i = int(i)
        if i in self.picked:
            self.picked.remove(i)
        else:
            self.picked.append(i)
        self._refresh()
        self.sigChanged.emit()

    def set_picked(self, indices):
        self.picked = [int(i) for i in indices]
        self._refresh()
        self.sigChanged.emit()

    def clear(self):
        """Forget the placed centres and the picked points."""
        self.placed = np.empty((0, 2))
        self.picked = []
        self._refresh()
        self.sigChanged.emit()

    def forget_points(self):
        """The data changed: picked indices no longer mean anything."""
        if self.picked:
            self.picked = []
            self._refresh()

    # ------------------------------------------------------------- internals
    def _name(self, i: int) -> str:
        if self.point_names is not None and 0 <= i < len(self.point_names):
            return self.point_names[i]
        return f"#{i}"

    def _refresh(self):
        own = self.own
        self.capture.setVisible(own)
        self.clear_button.setVisible(own)
        if not own:
            self.capture.setChecked(False)
        self.capture.setText("Place centres (click the plot)" if self.mode == "placed"
                             else "Pick points (click them)")
        if self.mode == "placed":
            pts = ", ".join(f"({x:.3g}, {y:.3g})" for x, y in self.placed[:6])
            more = " ..." if self.placed.shape[0] > 6 else ""
            self.info.setText(f"{self.placed.shape[0]} centre(s) placed: {pts}{more}. "
                              "K is the number of centres; the i-th starts cluster i." if self.placed.size else
                              "Press “Place centres”, then click on the plot once per centre.")
        elif self.mode == "picked":
            names = ", ".join(self._name(i) for i in self.picked[:8])
            more = " ..." if len(self.picked) > 8 else ""
            self.info.setText(f"{len(self.picked)} point(s) picked: {names}{more}. "
                              "K is the number picked; the i-th pick starts cluster i." if self.picked else
                              "Press “Pick points”, then click the data points to start from.")
        else:
            self.info.setText("")

    def _on_mode_changed(self, *_):
        self._refresh()
        self.sigChanged.emit()

    def _on_capture_toggled(self, on: bool):
        self.sigCaptureChanged.emit(bool(on) and self.own)


class CentreMarks(PlotItems):
    """Black crosses labelled "start 1", "start 2", ... (cluster numbers as in the legend) on a PlotItem: the hand-made starting centres."""

    def __init__(self):
        self.crosses = pg.ScatterPlotItem(size=18, symbol="x", brush=pg.mkBrush("#000000"),
                                          pen=pg.mkPen("w", width=1), pxMode=True)
        self.crosses.setZValue(-5.5)  # under the data points (z -5): a cross on a point (A, C) keeps its colour in sight
        self.texts: list[pg.TextItem] = []
        self.plot_item = None

    def _items(self):
        return [self.crosses, *self.texts]

    def positions(self) -> np.ndarray:
        x, y = self.crosses.getData()
        return np.column_stack([x, y]) if x is not None and len(x) else np.empty((0, 2))

    def show(self, P):
        P = np.asarray(P, dtype=float).reshape(-1, 2)
        self.crosses.setData(P[:, 0], P[:, 1])
        while len(self.texts) < P.shape[0]:
            t = pg.TextItem(color="#000000", anchor=(-0.3, 1.1))
            t.setZValue(31)
            self.texts.append(t)
            self._add_item(t)
        for i, t in enumerate(self.texts):
            if i < P.shape[0]:
                t.setText(f"start {i + 1}")
                t.setPos(P[i, 0], P[i, 1])
                t.setVisible(True)
            else:
                t.setVisible(False)


def _many(changed: int, n: int) -> bool:
    """Too many changed points to ring (see :data:`RING_LIMIT`, :data:`RING_SHARE`)."""
    return changed > RING_LIMIT or (changed > RING_FEW and changed > RING_SHARE * n)


class KMeansOverlay:
    """Centres, trails, changed-point rings, regions and k-means++ probabilities on the shared scatter.

    The points that changed cluster on an assignment are ringed while there are at most
    :data:`RING_LIMIT` of them and at most :data:`RING_SHARE` of the points; past that (1,794 of 6,000 MNIST
    digits at step 4, or 100 of 150 blob points) rings would merge into one blob, so each gets a thin grey
    outline instead (its cluster colour stays visible) and the caption says how many changed
    (:attr:`changed_count`).

    The k-means++ probabilities (``D² / ΣD²``, one per point) are drawn so they
    stay readable for any ``n``: up to :data:`SMALL_N` points each get a grey
    disc whose area is proportional to its probability; for more points every
    point (at most :data:`HEAT_MAX`, the most likely first) is coloured on a
    light-to-dark scale, linear from the least to the most likely point shown,
    and the :data:`TOP_DISCS` most likely are ringed, so the plot never fills
    with overlapping discs. A caption in the bottom-left corner of the plot (clear of the legend) says
    which encoding is shown and the range of the probabilities.
    """

    def __init__(self, hex_of=palette.hex_color):
        #: ``hex_of(j, extended)``: the colour of cluster ``j`` (the window's scatter gives the colours it draws)
        self.hex_of = hex_of
        self.regions = pg.ImageItem(axisOrder="row-major")
        self.regions.setZValue(-20)
        self.trails: list[pg.PlotDataItem] = []
        self.rings = pg.ScatterPlotItem(size=20, symbol="o", brush=None, pen=pg.mkPen("#D55E00", width=2.5),
                                        pxMode=True)
        self.rings.setZValue(15)
        self.changed_dots = pg.ScatterPlotItem(size=7, symbol="o", brush=None, pen=pg.mkPen(40, 40, 40, 120, width=1),
                                               pxMode=True)
        self.changed_dots.setZValue(15)
        self.changed_count = 0  # points that changed cluster on the step shown
        self._many = False  # too many of them to ring
        self.probs = pg.ScatterPlotItem(symbol="o", brush=pg.mkBrush(0, 0, 0, 35),
                                        pen=pg.mkPen(0, 0, 0, 150, width=1), pxMode=True)
        self.probs.setZValue(12)
        self.heat = pg.ScatterPlotItem(symbol="o", size=6, pen=None, pxMode=True)
        self.heat.setZValue(11)
        self.chosen = pg.ScatterPlotItem(size=26, symbol="star", brush=pg.mkBrush("#FFFFFF"),
                                         pen=pg.mkPen("k", width=2.5), pxMode=True)
        self.chosen.setZValue(22)
        self.centres = pg.ScatterPlotItem(size=22, symbol="d", pen=pg.mkPen("k", width=2), pxMode=True)
        self.centres.setZValue(20)
        self.caption = pg.TextItem(color="#222222", fill=pg.mkBrush(255, 255, 255, 215), anchor=(0, 1))
        self.caption.setZValue(40)
        self.caption.setVisible(False)
        self.plot_item = None
        self.region_labels = None  # the last label grid drawn (for tests)
        self.heat_indices = np.zeros(0, dtype=int)  # points coloured by probability (for tests)
        self.disc_indices = np.zeros(0, dtype=int)  # points with a probability disc or ring (for tests)

    def items(self):
        return [self.regions, *self.trails, self.rings, self.changed_dots, self.heat, self.probs, self.chosen,
                self.centres]

    def attach(self, plot_item):
        self.detach()
        self.plot_item = plot_item
        for item in self.items():
            plot_item.addItem(item, ignoreBounds=True)
        vb = plot_item.getViewBox()
        self.caption.setParentItem(vb)  # fixed in the corner, not in data coordinates
        vb.sigResized.connect(self._place_caption)
        self._place_caption()

    def _place_caption(self, *_):
        """Bottom-left corner of the plot (the legend is at the top-left), wrapped to the plot's width."""
        vb = self.caption.parentItem()
        if vb is not None:
            self.caption.setTextWidth(max(120.0, vb.width() - 12))  # wraps inside the plot, never clipped
            self.caption.setPos(4, vb.height() - 4)

    def detach(self):
        if self.plot_item is not None:
            for item in self.items():
                self.plot_item.removeItem(item)
            scene = self.caption.scene()
            try:
                self.plot_item.getViewBox().sigResized.disconnect(self._place_caption)
            except (RuntimeError, TypeError):
                pass
            self.caption.setParentItem(None)
            if scene is not None:
                scene.removeItem(self.caption)
        self.plot_item = None

    def clear(self):
        for item in (self.rings, self.changed_dots, self.probs, self.heat, self.chosen, self.centres):
            item.setData([], [])
        self.changed_count = 0
        self._many = False
        self.caption.setVisible(False)
        for t in self.trails:
            t.setData([], [])
        self.regions.clear()
        self.regions.setVisible(False)
        self.region_labels = None

    def centre_positions(self) -> np.ndarray:
        x, y = self.centres.getData()
        return np.column_stack([x, y]) if x is not None and len(x) else np.empty((0, 2))

    def show(self, Y, C, trail, changed, probs, chosen, extended=False, seed_text=""):
        """Draw one step.

        Y : (n, 2) display positions of the points; C : (k, 2) display centres or None;
        trail : (s, k, 2) centres over the steps so far; changed : indices; probs : (n,) or None;
        chosen : index or None; extended : colours as the scatter's raster mode (see :mod:`gui.widgets.palette`);
        seed_text : first line of the caption on a k-means++ step (e.g. "centre 2 of 10").
        """
        k = 0 if C is None else C.shape[0]
        if k:
            brushes = [pg.mkColor(self.hex_of(j, extended)) for j in range(k)]
            symbols = ["d" if j < 8 or extended else "s" for j in range(k)]
            self.centres.setData(C[:, 0], C[:, 1], brush=brushes, symbol=symbols)
        else:
            self.centres.setData([], [])
        while len(self.trails) < k:
            t = pg.PlotDataItem(symbol="o", symbolSize=5, symbolPen=None)
            t.setZValue(18)
            self.trails.append(t)
            if self.plot_item is not None:
                self.plot_item.addItem(t, ignoreBounds=True)
        for j, t in enumerate(self.trails):
            if j < k and trail is not None and trail.shape[0] > 1:
                c = pg.mkColor(self.hex_of(j, extended))
                t.setData(trail[:, j, 0], trail[:, j, 1], pen=pg.mkPen(c, width=2), symbolBrush=c)
            else:
                t.setData([], [])
        self._show_changed(Y, np.asarray(changed if changed is not None else [], dtype=int))
        if probs is not None and len(probs) == Y.shape[0]:
            self._show_probs(Y, np.asarray(probs, dtype=float), seed_text)
        else:
            self.probs.setData([], [])
            self.heat.setData([], [])
            self.heat_indices = self.disc_indices = np.zeros(0, dtype=int)
            self._set_caption(self._changed_text())
        if chosen is not None and 0 <= chosen < Y.shape[0]:
            self.chosen.setData([Y[chosen, 0]], [Y[chosen, 1]])
        else:
            self.chosen.setData([], [])

    def _show_changed(self, Y, idx):
        """Ring the points that changed cluster, or past :data:`RING_LIMIT` of them (or :data:`RING_SHARE` of the
        points) mark them with a thin outline: many rings merge into a vermilion blob that hides the clusters."""
        self.changed_count = int(idx.size)
        self._many = many = _many(idx.size, len(Y))
        self.rings.setData(Y[idx, 0], Y[idx, 1]) if idx.size and not many else self.rings.setData([], [])
        self.changed_dots.setData(Y[idx, 0], Y[idx, 1]) if many else self.changed_dots.setData([], [])

    def _changed_text(self) -> str:
        n = self.changed_count
        if not getattr(self, "_many", False):
            return ""
        return (f"<b>{n:,} points changed cluster</b> on this assignment (thin grey outlines; "
                f"rings for up to {RING_LIMIT} or a quarter of the points)")

    def _set_caption(self, html: str):
        """The caption in the plot's bottom-left corner ("" hides it)."""
        if not html:
            self.caption.setVisible(False)
            return
        self.caption.setHtml(html)  # in the item's font: lecture mode makes it larger (a size in the HTML would not)
        self._place_caption()
        self.caption.setVisible(True)

    def _show_probs(self, Y, p, seed_text):
        n = p.size
        top = p.max() if n and p.max() > 0 else 1.0
        pos = np.flatnonzero(p > 0)
        head = f"<b>k-means++{': ' + seed_text if seed_text else ''}</b><br>"
        if n <= SMALL_N:
            sizes = 3.0 + 25.0 * np.sqrt(p[pos] / top)  # area ~ probability (neutral grey: not a cluster colour)
            self.probs.setData(Y[pos, 0], Y[pos, 1], size=sizes, brush=pg.mkBrush(0, 0, 0, 35),
                               pen=pg.mkPen(0, 0, 0, 150, width=1))
            self.heat.setData([], [])
            self.heat_indices, self.disc_indices = np.zeros(0, dtype=int), pos
            text = "disc area ∝ probability of being drawn next (D² / ΣD²)"
        else:
            order = pos[np.argsort(p[pos], kind="stable")]  # least likely first: the likely ones on top
            heat = order[-HEAT_MAX:]
            lo, hi = float(p[heat[0]]), float(p[heat[-1]])
            # linear between the least and the most likely point shown: in many dimensions D² varies
            # little, and a scale from 0 would paint every point dark
            level = (p[heat] - lo) / (hi - lo) if hi > lo else np.ones(heat.size)
            brushes = heat_brushes()
            q = np.minimum((level * (len(brushes) - 1) + 0.5).astype(int), len(brushes) - 1)
            self.heat.setData(Y[heat, 0], Y[heat, 1], brush=[brushes[i] for i in q])
            discs = order[-TOP_DISCS:]
            self.probs.setData(Y[discs, 0], Y[discs, 1], size=16, brush=None, pen=pg.mkPen("#000000", width=1.5))
            self.heat_indices, self.disc_indices = heat, discs
            share = float(p[discs].sum())
            more = f", the {len(heat):,} most likely shown" if len(heat) < pos.size else ""
            text = (f"colour = probability of being drawn next, D² / ΣD²: pale {lo:.2g} … dark {hi:.2g} "
                    f"(uniform would be {1 / n:.2g}{more});<br>"
                    f"○ the {len(discs)} most likely of {n:,} points, together {100 * share:.0f}% of the draw")
        self._set_caption(f"{head}{text}; ★ the point drawn")

    def show_regions(self, labels_grid, rect, k, extended=False):
        """Label grid (rows from bottom to top) over ``rect = (x0, y0, w, h)`` in display coordinates."""
        if labels_grid is None:
            self.regions.clear()
            self.regions.setVisible(False)
            self.region_labels = None
            return
        table = palette.rgba_table(max(k, 1), alpha=REGION_ALPHA, extended=extended)
        for j in range(k):  # the colours the scatter draws the clusters in
            table[j, :3] = pg.mkColor(self.hex_of(j, extended)).getRgb()[:3]
        lab = np.asarray(labels_grid)
        rgba = table[np.where(lab < 0, len(table) - 1, lab)]
        self.regions.setImage(rgba, levels=(0, 255), autoLevels=False)
        self.regions.setRect(*rect)
        self.regions.setVisible(True)
        self.region_labels = lab


def _demo_widget() -> QWidget:
    """The lab beside a plot of K-means (K = 3) on blobs: final centres, their trails and labels."""
    from engine import data, kmeans
    X = data.generate("blobs", n=60, seed=2).X
    steps = list(kmeans.steps(X, 3, seed=0))
    step = steps[-1]
    trail = np.stack([s.centers for s in steps if s.centers is not None and s.centers.shape[0] == 3])
    choices = next((p.choices for p in kmeans.ALGORITHM.params if p.name == "init"), ())
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.addWidget(InitLab(choices))
    plot = pg.PlotWidget(background="w")
    plot.plot(X[:, 0], X[:, 1], pen=None, symbol="o", symbolPen=None,
              symbolBrush=[palette.color(int(j)) for j in step.labels])
    overlay = KMeansOverlay()
    overlay.attach(plot.getPlotItem())
    overlay.show(X, step.centers, trail, None, None, None)
    layout.addWidget(plot, 1)
    return box


if __name__ == "__main__":
    from gui.widgets.demo import run_demo
    run_demo(_demo_widget, title="K-means initialisation lab")
