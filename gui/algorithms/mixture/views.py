"""Views shared by the two EM plugins (Gaussian and Bernoulli mixtures).

* :func:`blend_colors` - each point's colour as the responsibility-weighted blend of its
  components' palette colours (:mod:`gui.widgets.palette`, the same colours as every other view).
* :class:`BlendOverlay` - those colours on the shared scatter (``ScatterView.set_colors``), taken
  back when the plugin is switched off.
* :class:`EllipseOverlay` - means, covariance ellipses at 1 and 2 standard deviations (the
  geometry comes from :func:`engine.gmm.ellipse`), the previous ellipses as ghosts on M-steps,
  and optional density contours (:func:`engine.gmm.density_grid` + :class:`pyqtgraph.IsocurveItem`).
* :class:`PlacedMeans` - starting means placed by clicking, movable markers (:class:`pyqtgraph.TargetItem`).
* :class:`MomentBanner` - "Step 6 · E-step of iteration 3: responsibilities" as the scatter's title.
* :class:`BarsView` - coloured bars with values (mixing weights, one point's responsibilities;
  :mod:`gui.algorithms.mixture.bars`).
* :class:`EMView` - the "EM" tab: the moment, the log-likelihood against the step (an
  :class:`~gui.widgets.objective.ObjectiveView`, click = jump), weights and responsibilities.
* :func:`display_map` / :func:`run_from_display` - the window's (affine) map from run
  coordinates to display coordinates as ``offset + A @ x``, so covariances can be drawn as
  ``A Σ Aᵀ`` (for d > 2 data: the projection onto the first two principal components).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QTransform
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from engine import gmm as egmm
from gui.algorithms.mixture.bars import BarsView
from gui.widgets import palette
from gui.widgets.objective import ObjectiveView
from gui.widgets.plot_items import PlotItems
from gui.widgets.plot_text import LabelPlacer, fit_title
from gui.widgets.text_room import TitleLabel

__all__ = ["blend_colors", "component_rgb", "display_map", "run_from_display", "BlendOverlay", "EllipseOverlay",
           "PlacedMeans", "MomentBanner", "BarsView", "EMView", "moment_text"]

DENSITY_RES = 120
ELLIPSE_DARKER = 150  # ellipses in the component colour darkened by this QColor.darker factor
GHOST_PEN = pg.mkPen("#555555", width=1.5, style=Qt.PenStyle.DotLine)
HALO_PEN_1 = pg.mkPen(255, 255, 255, 230, width=5.5)  # keeps an ellipse readable over points of its colour
HALO_PEN_2 = pg.mkPen(255, 255, 255, 200, width=4.0)


def component_rgb(k: int, extended: bool = False) -> np.ndarray:
    """(k, 3) float RGB of components 0..k-1 from :mod:`gui.widgets.palette`."""
    return palette.rgba_table(max(int(k), 1), 255, extended)[:k, :3].astype(np.float64)


def blend_colors(resp, extended: bool = False, alpha: int = 255) -> np.ndarray:
    """Blend the components' colours with weights ``resp`` (rows sum to 1).

    Parameters
    ----------
    resp : ndarray of shape (n, k)
    extended : bool
        Palette of raster views (see :func:`gui.widgets.palette.hex_color`).

    Returns
    -------
    ndarray of shape (n, 4), uint8
        ``rint(resp @ rgb)`` with the given alpha.
    """
    R = np.asarray(resp, dtype=np.float64)
    out = np.empty((R.shape[0], 4), dtype=np.uint8)
    out[:, :3] = np.clip(np.rint(R @ component_rgb(R.shape[1], extended)), 0, 255)
    out[:, 3] = alpha
    return out


def display_map(window, d: int):
    """``(offset (2,), A (2, d))`` with ``window.project(x) == offset + A @ x`` (the map is affine)."""
    c = np.asarray(window.project(np.zeros((1, d))), dtype=np.float64)[0]
    A = (np.asarray(window.project(np.eye(d)), dtype=np.float64) - c).T
    return c, A


def run_from_display(window, P, X) -> np.ndarray:
    """Display points (m, 2) -> run coordinates (m, d): the point nearest the data mean that maps there.

    Exact for 2-D data; for d > 2, a point in the plane of the first two principal components.
    """
    X = np.asarray(X, dtype=np.float64)
    P = np.asarray(P, dtype=np.float64).reshape(-1, 2)
    centre = X.mean(axis=0)
    c, A = display_map(window, X.shape[1])
    return centre + (P - (c + A @ centre)) @ np.linalg.pinv(A).T


def moment_text(step, m_what: str = "weights, means, covariances") -> str:
    """What kind of moment ``step`` is, for people: "E-step of iteration 3: responsibilities", "M-step of
    iteration 3: <m_what>". EM's own counter is an *iteration*, never a second step number: titles put the
    timeline's step before it (:func:`engine.core.steps.step_label`)."""
    if step is None:
        return ""
    if step.kind == "E":
        return f"E-step of iteration {step.iteration}: responsibilities"
    if step.kind == "M":
        return f"M-step of iteration {step.iteration}: {m_what}"
    return "Initialisation"


# ---------------------------------------------------------------------------- scatter overlays
class BlendOverlay(QObject):
    """Points in blended colours on a :class:`gui.widgets.scatter.ScatterView`, through its ``set_colors``.

    The scatter draws the colours itself, so everything it does with its points still holds:
    the symbol shapes and the legend come from the labels (the most likely component), clusters
    hidden in the legend are not drawn, a highlighted (clicked) point is drawn at full colour
    while the others are dimmed, clicks pick points, and export draws what is on screen. In
    symbol mode the scatter rounds each channel to 16 levels; raster mode is exact.
    """

    def __init__(self, scatter, parent: QObject | None = None):
        super().__init__(parent)
        self.scatter = scatter
        self.Y = None
        self.colors = None  # (n, 4) uint8: the blended colour of every point, as given to the scatter
        self.raster = False
        self._attached = False

    def attach(self):
        self._attached = True

    def detach(self):
        self.clear()
        self._attached = False

    def set(self, Y, colors, raster: bool = False):
        """Show points ``Y`` (n, 2) (the scatter's points) in ``colors`` (n, 4) uint8."""
        self.Y = np.asarray(Y, dtype=np.float64)
        self.colors = np.ascontiguousarray(colors, dtype=np.uint8)
        self.raster = bool(raster)
        if self._attached and self.colors.shape[0] == self.scatter.n:
            self.scatter.set_colors(self.colors)

    def clear(self):
        had = self.colors is not None
        self.Y = self.colors = None
        if self._attached and had and self.scatter.colors() is not None:
            self.scatter.set_colors(None)

    def pixel_color(self, i: int) -> np.ndarray:
        """RGBA on screen at the centre of point ``i`` (a grab of the plot; for tests), uint8 (4,)."""
        view = self.scatter.plot.viewport()
        img = view.grab().toImage()
        pos = self.scatter.map_to_viewport(*self.Y[i])
        ratio = img.devicePixelRatio()
        c = img.pixelColor(int(pos.x() * ratio), int(pos.y() * ratio))
        return np.array([c.red(), c.green(), c.blue(), c.alpha()], dtype=np.uint8)


class EllipseOverlay(PlotItems):
    """Means, 1σ and 2σ ellipses, ghosts of the previous ellipses and density contours on a PlotItem."""

    N_STD = (1.0, 2.0)

    def __init__(self):
        self.means = pg.ScatterPlotItem(size=18, symbol="d", pen=pg.mkPen("k", width=1.8), pxMode=True)
        self.means.setZValue(22)
        self.curves: dict[tuple[int, float], pg.PlotDataItem] = {}
        self.halos: dict[tuple[int, float], pg.PlotDataItem] = {}  # white lines under the curves
        self.ghosts: list[pg.PlotDataItem] = []
        self.texts: list[pg.TextItem] = []
        self.isocurves: list[pg.IsocurveItem] = []
        self.points: dict[tuple[int, float], np.ndarray] = {}  # (component, n_std) -> polyline drawn
        self.ghost_points: list[np.ndarray] = []
        self.density = None  # (xs, ys, z, levels) drawn last
        self.plot_item = None
        self._placer: LabelPlacer | None = None  # the numbers beside the means kept apart and inside the plot
        self._shown_texts = 0
        self._drawn: dict[str, tuple] = {}  # what show_means / show_ellipses drew last (an E-step changes neither)

    def _items(self):
        return [self.means, *self.curves.values(), *self.halos.values(), *self.ghosts, *self.texts, *self.isocurves]

    def attach(self, plot_item):
        if plot_item is not self.plot_item:
            super().attach(plot_item)
            self._placer = LabelPlacer(plot_item.getViewBox(), lambda: self.texts[:self._shown_texts])
            self._placer.place()

    def detach(self):
        if self._placer is not None:
            self._placer.disconnect()
            self._placer = None
        super().detach()

    def _unchanged(self, what: str, *drawn) -> bool:
        """Whether ``what`` already shows exactly ``drawn`` (arrays compared by value); remembers it if not."""
        before = self._drawn.get(what)
        same = before is not None and len(before) == len(drawn) and all(
            (a.shape == b.shape and np.array_equal(a, b)) if isinstance(a, np.ndarray) else a == b
            for a, b in zip(before, drawn))
        self._drawn[what] = tuple(x.copy() if isinstance(x, np.ndarray) else x for x in drawn)
        return same

    def _add(self, item, z):
        item.setZValue(z)
        self._add_item(item)
        return item

    def clear(self):
        self.show_means(np.empty((0, 2)), 0)
        self.show_ellipses(np.empty((0, 2)), np.empty((0, 2, 2)))
        self.show_ghosts(None, None)
        self.show_density(None)

    def show_means(self, M, k: int, extended: bool = False, labels: bool = True):
        """Component means at display positions ``M`` (k, 2), numbered 1..k as in the legend."""
        M = np.asarray(M, dtype=np.float64).reshape(-1, 2)
        if self._unchanged("means", M, k, extended, labels):
            return
        if M.shape[0]:
            self.means.setData(M[:, 0], M[:, 1], brush=[palette.color(j, extended=extended) for j in range(k)])
        else:
            self.means.setData([], [])
        while labels and len(self.texts) < M.shape[0]:
            self.texts.append(self._add(pg.TextItem(color="#111111", anchor=(-0.3, 1.05),
                                                    fill=pg.mkBrush(255, 255, 255, 200)), 23))
        self._shown_texts = M.shape[0] if labels else 0
        for j, t in enumerate(self.texts):
            if j < self._shown_texts:
                ink = palette.text_hex(palette.hex_color(j, extended))
                t.setHtml(f"<b><span style='color:{ink}'>{j + 1}</span></b>")
                t.setPos(float(M[j, 0]), float(M[j, 1]))
                t.setVisible(True)
            else:
                t.setVisible(False)
        if self._placer is not None:  # a number moves to the side of its mean where it covers least (no other
            self._placer.place()  # number, no mean), or is left out; again once the ellipses of this step are drawn
            self._placer.schedule()

    def show_ellipses(self, M, S, extended: bool = False):
        """Ellipses ``(x - m_j)ᵀ S_j⁻¹ (x - m_j) = s²``, s = 1 (solid) and 2 (dashed); M (k, 2), S (k, 2, 2)."""
        M = np.asarray(M, dtype=np.float64).reshape(-1, 2)
        if self._unchanged("ellipses", M, np.asarray(S, dtype=np.float64), extended):
            return
        k = M.shape[0]
        self.points = {}
        for j in range(k):
            # a darker shade of the component's colour: still its colour, but visible over its own points
            c = pg.mkColor(palette.color(j, extended=extended)).darker(ELLIPSE_DARKER)
            for s in self.N_STD:
                key = (j, s)
                item = self.curves.get(key)
                if item is None:
                    item = self.curves[key] = self._add(pg.PlotDataItem(), 21 if s == 1 else 20)
                    self.halos[key] = self._add(pg.PlotDataItem(pen=HALO_PEN_1 if s == 1 else HALO_PEN_2), 19)
                pts = egmm.ellipse(M[j], S[j], n_std=s, n_points=121)
                style = Qt.PenStyle.SolidLine if s == 1 else Qt.PenStyle.DashLine
                item.setData(pts[:, 0], pts[:, 1], pen=pg.mkPen(c, width=2.6 if s == 1 else 1.8, style=style))
                self.halos[key].setData(pts[:, 0], pts[:, 1])
                item.setVisible(True)
                self.halos[key].setVisible(True)
                self.points[key] = pts
        for key, item in self.curves.items():
            if key[0] >= k:
                for it in (item, self.halos[key]):
                    it.setData([], [])
                    it.setVisible(False)

    def show_ghosts(self, M, S):
        """The previous step's 1σ ellipses, thin and grey (where the components were before the M-step)."""
        k = 0 if M is None else np.asarray(M).reshape(-1, 2).shape[0]
        self.ghost_points = []
        while len(self.ghosts) < k:
            self.ghosts.append(self._add(pg.PlotDataItem(pen=GHOST_PEN), 19.5))  # over the white halos
        for j, item in enumerate(self.ghosts):
            if j < k:
                pts = egmm.ellipse(M[j], S[j], n_std=1.0, n_points=121)
                item.setData(pts[:, 0], pts[:, 1])
                item.setVisible(True)
                self.ghost_points.append(pts)
            else:
                item.setData([], [])
                item.setVisible(False)

    def show_density(self, grid, n_levels: int = 6):
        """Contours of ``grid = (xs, ys, z)`` (``z[i, j]`` at ``(xs[j], ys[i])``), or None to hide them."""
        if grid is None:
            for iso in self.isocurves:
                iso.setVisible(False)
            self.density = None
            return
        xs, ys, z = grid
        top = float(np.nanmax(z)) if z.size else 0.0
        if not top > 0:
            self.show_density(None)
            return
        levels = top * np.geomspace(0.02, 0.8, n_levels)
        while len(self.isocurves) < n_levels:
            iso = pg.IsocurveItem(pen=pg.mkPen("#8C8C8C", width=1.0), axisOrder="row-major")
            self.isocurves.append(self._add(iso, 17))
        dx = (xs[-1] - xs[0]) / (len(xs) - 1)
        dy = (ys[-1] - ys[0]) / (len(ys) - 1)
        # isocurve coordinates put sample (i, j) at (j + 0.5, i + 0.5)
        tr = QTransform(dx, 0.0, 0.0, dy, xs[0] - 0.5 * dx, ys[0] - 0.5 * dy)
        for iso, level in zip(self.isocurves, levels):
            iso.setData(z, float(level))
            iso.setTransform(tr)
            iso.setVisible(True)
        for iso in self.isocurves[n_levels:]:
            iso.setVisible(False)
        self.density = (xs, ys, z, levels)


class PlacedMeans(PlotItems, QObject):
    """Starting means placed by clicking on a PlotItem; each marker can be dragged.

    ``sigChanged`` is emitted when a mean is added, dragged (on release) or removed.
    """

    sigChanged = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.targets: list[pg.TargetItem] = []
        self.plot_item = None

    def _items(self):
        return self.targets

    @property
    def count(self) -> int:
        return len(self.targets)

    def positions(self) -> np.ndarray:
        """(m, 2) display positions of the markers."""
        if not self.targets:
            return np.empty((0, 2))
        return np.array([[t.pos().x(), t.pos().y()] for t in self.targets], dtype=np.float64)

    def near(self, x: float, y: float, radius_px: float = 12.0) -> bool:
        """True when (x, y) is within ``radius_px`` screen pixels of a marker (a click meant for it)."""
        if self.plot_item is None or not self.targets:
            return False
        px, py = self.plot_item.getViewBox().viewPixelSize()
        P = self.positions()
        d2 = ((P[:, 0] - x) / px) ** 2 + ((P[:, 1] - y) / py) ** 2
        return bool(d2.min() <= radius_px ** 2)

    def add(self, x: float, y: float, emit: bool = True):
        j = len(self.targets)
        t = pg.TargetItem(pos=(float(x), float(y)), size=18, symbol="crosshair", movable=True,
                          pen=pg.mkPen("#000000", width=2.5), hoverPen=pg.mkPen("#D55E00", width=3),
                          label=f"start {j + 1}", labelOpts={"color": "#000000", "offset": (12, -12)})
        t.setZValue(30)
        t.sigPositionChangeFinished.connect(lambda *_: self.sigChanged.emit())
        self.targets.append(t)
        self._add_item(t)
        if emit:
            self.sigChanged.emit()

    def set_positions(self, P, emit: bool = True):
        self.clear(emit=False)
        for x, y in np.asarray(P, dtype=np.float64).reshape(-1, 2):
            self.add(x, y, emit=False)
        if emit:
            self.sigChanged.emit()

    def clear(self, emit: bool = True):
        for t in self.targets:
            if self.plot_item is not None:
                self.plot_item.removeItem(t)
        self.targets = []
        if emit:
            self.sigChanged.emit()


class MomentBanner:
    """Which moment of EM is shown, as the title of a PlotItem (above the plot: never over the data)."""

    def __init__(self):
        self.plot_item = None
        self.text = ""

    def attach(self, plot_item):
        self.detach()
        self.plot_item = plot_item
        self.set_text(self.text)

    def detach(self):
        if self.plot_item is not None:
            fit_title(self.plot_item, None)
        self.plot_item = None

    def set_text(self, text: str):
        """The moment as the title, wrapped or elided to the plot's width (it begins with the step: that stays)."""
        self.text = text
        if self.plot_item is not None:
            fit_title(self.plot_item, text, color="#111111", size="10pt", bold=True)


# ---------------------------------------------------------------------------- panels
class EMView(QWidget):
    """The "EM" tab: what this moment is, the objective against the step, weights and responsibilities.

    ``objective.sigStepClicked`` carries the step clicked on the curve.
    """

    def __init__(self, objective_name: str, sense: str, resp_symbol: str = "q", parent: QWidget | None = None):
        super().__init__(parent)
        self.moment = TitleLabel("no run")  # bold, 4/3 of the application font (lecture mode: as much larger)
        self.moment.setObjectName("em_moment")
        self.moment.setContentsMargins(2, 2, 2, 2)  # (no style sheet: it would fix the font's size)
        self.objective = ObjectiveView()
        self.objective.setObjectName("em_objective")
        self.objective.set_objective(objective_name, sense)
        self.weights = BarsView("Mixing weights π_k", "π_k")
        self.weights.setObjectName("em_weights")
        self.resp = BarsView("Responsibilities: click a point in the scatter", f"{resp_symbol}_nk")
        self.resp.setObjectName("em_resp")
        self.error = QLabel()
        self.error.setObjectName("em_error")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.setStyleSheet("color: #B00020; font-weight: bold; padding: 2px;")
        self.error.setVisible(False)
        self.note = QLabel()
        self.note.setObjectName("em_note")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #444;")
        bottom = QWidget()
        h = QHBoxLayout(bottom)
        h.setContentsMargins(0, 0, 0, 0)
        h.addWidget(self.weights)
        h.addWidget(self.resp)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.objective)
        split.addWidget(bottom)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.moment)
        layout.addWidget(self.error)
        layout.addWidget(split, 1)
        layout.addWidget(self.note)

    def set_error(self, text: str):
        """Why the run stopped, in red ("" hides it)."""
        self.error.setText(f"The run stopped: {text}" if text else "")
        self.error.setVisible(bool(text))

    def set_note(self, text: str):
        self.note.setText(text)
        self.note.setVisible(bool(text))


def _demo_widget() -> EMView:
    """The EM tab after a Gaussian mixture (k = 3) on blobs: log-likelihood, weights, point 0's responsibilities."""
    from engine import data
    X = data.generate("blobs", n=150, seed=0).X
    steps = list(egmm.steps(X, 3, seed=0))
    last = steps[-1]
    p = last.payload
    view = EMView(egmm.ALGORITHM.objective_name, egmm.ALGORITHM.objective_sense)
    view.moment.setText(moment_text(last))
    view.objective.show_trace(last.trace, len(steps) - 1)
    view.weights.set_values(p["weights"])
    view.resp.set_values(egmm.responsibilities(X[:1], p["weights"], p["means"], p["covariances_native"],
                                               p["covariance_type"])[0])
    return view


if __name__ == "__main__":
    from gui.widgets.demo import run_demo
    run_demo(_demo_widget, title="EM")
