"""Norm geometry: the unit spheres of ℓ1, ℓ2 and ℓ∞, and the ball that explains a merge.

The unit sphere {x : ||x||_p = 1} is a diamond for ℓ1, a circle for ℓ2 and a
square for ℓ∞. :func:`unit_sphere` returns it as a closed polyline;
:func:`ball` moves and scales it (``centre + radius * sphere``).

:class:`NormView` draws the three unit spheres on one equal-aspect plot with a
legend. During an HAC run (:meth:`NormView.show_witness`) it also draws the
chosen norm's sphere in bold and marks the witness difference ``(b - a) / d``
scaled to unit length in the chosen norm: it lies exactly on the bold sphere,
and its length in the other two norms can be read off against theirs (and is
printed beneath the plot). The same ball, of radius ``d`` around the witness
point, is drawn on the scatter by the HAC plugin, so a person sees why that
pair is the closest: no point of another cluster lies strictly inside it
(min linkage), or every point of the other cluster lies inside or on it
(max linkage).

Geometry here is pure numpy; the view only turns numbers into pixels.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from engine.core.norms import NORM_SYMBOLS
from gui.widgets.grid import show_grid
from gui.widgets.plot_text import LabelPlacer, LegendRow

__all__ = ["NORMS", "NORM_COLORS", "unit_sphere", "ball", "norm", "NormView"]

NORMS = ("l1", "l2", "linf")
# Colours for the three spheres: not cluster colours (those belong to clusters), a dark neutral set.
NORM_COLORS = {"l1": "#7F3C8D", "l2": "#11A579", "linf": "#3969AC"}
NORM_STYLES = {"l1": Qt.PenStyle.SolidLine, "l2": Qt.PenStyle.DashLine, "linf": Qt.PenStyle.DotLine}


def norm(v, which: str) -> np.ndarray:
    """The ``which`` norm of each row of ``v`` (shape (m, d) -> (m,), or (d,) -> scalar)."""
    v = np.asarray(v, dtype=float)
    if which == "l1":
        return np.abs(v).sum(axis=-1)
    if which == "l2":
        return np.sqrt((v * v).sum(axis=-1))
    if which == "linf":
        return np.abs(v).max(axis=-1)
    raise ValueError(f"norm={which!r} is not one of {', '.join(NORMS)}")


def unit_sphere(which: str, n: int = 256) -> np.ndarray:
    """The closed polyline of the 2-D unit sphere {x : ||x|| = 1} of the norm ``which``.

    Parameters
    ----------
    which : {"l1", "l2", "linf"}
    n : int
        Number of vertices of the circle (ℓ2); the diamond and square use their corners.

    Returns
    -------
    ndarray of shape (m, 2)
        The first vertex is repeated at the end; every vertex has norm 1.

    Example
    -------
    >>> unit_sphere("l1").tolist()
    [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0], [1.0, 0.0]]
    """
    if which == "l1":
        pts = [(1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0)]
    elif which == "linf":
        pts = [(1.0, 1.0), (-1.0, 1.0), (-1.0, -1.0), (1.0, -1.0)]
    elif which == "l2":
        t = np.linspace(0.0, 2.0 * np.pi, int(n), endpoint=False)
        pts = np.column_stack([np.cos(t), np.sin(t)])
    else:
        raise ValueError(f"norm={which!r} is not one of {', '.join(NORMS)}")
    pts = np.asarray(pts, dtype=float)
    return np.vstack([pts, pts[:1]])


def ball(which: str, centre, radius: float, n: int = 256) -> np.ndarray:
    """The sphere of radius ``radius`` around ``centre`` (2-D) as a closed polyline, shape (m, 2).

    Example
    -------
    >>> ball("linf", (1.0, 1.0), 0.5)[:2].tolist()
    [[1.5, 1.5], [0.5, 1.5]]
    """
    c = np.asarray(centre, dtype=float).reshape(2)
    return c + float(radius) * unit_sphere(which, n)


ONE_D_NOTE = ("One-dimensional data: in one dimension every norm gives |x − x′| (the three unit balls are the "
              "same interval [−1, 1] on the x axis), so ℓ1, ℓ2 and ℓ∞ measure, merge and draw exactly alike; "
              "the shapes below differ only off the line, where these data have no points.")


class NormView(QWidget):
    """The unit spheres of ℓ1, ℓ2 and ℓ∞ on one plot, and the witness of the current merge."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plot = pg.PlotWidget(background="w")
        self.plot_item = self.plot.getPlotItem()
        self.plot.setAspectLocked(True, ratio=1.0)
        show_grid(self.plot_item, x=True, y=True, alpha=0.25)
        self.plot.setLabel("bottom", "x₁")
        self.plot.setLabel("left", "x₂")
        for name in ("left", "bottom"):
            self.plot_item.getAxis(name).enableAutoSIPrefix(False)
        self.plot.setTitle("Unit spheres {x : ‖x‖ = 1}", color="k")
        self.legend = LegendRow(labelTextColor="k")  # above the plot: the witness's text never goes under it
        self.legend.place(self.plot_item)
        self.plot_item.legend = self.legend  # named curves are listed in it
        self.spheres: dict[str, pg.PlotDataItem] = {}
        for which in NORMS:
            P = unit_sphere(which)
            self.spheres[which] = self.plot.plot(P[:, 0], P[:, 1], pen=self._pen(which, 2),
                                                 name=f"{NORM_SYMBOLS[which]} unit sphere")
        axis_pen = pg.mkPen("#888888", width=1)
        self.plot.addItem(pg.InfiniteLine(0, angle=0, pen=axis_pen))
        self.plot.addItem(pg.InfiniteLine(0, angle=90, pen=axis_pen))
        self.witness = pg.PlotDataItem([], [], pen=pg.mkPen("#D55E00", width=2), symbol="o", symbolSize=9,
                                       symbolBrush=["k", "#D55E00"], symbolPen=None)
        self.plot.addItem(self.witness)
        self.witness_text = pg.TextItem("", color="#D55E00", anchor=(0, 1))
        self.plot.addItem(self.witness_text)
        self._placer = LabelPlacer(self.plot_item.getViewBox(), lambda: [self.witness_text])
        self.plot.setRange(xRange=(-1.3, 1.3), yRange=(-1.3, 1.3))
        self.note = QLabel()
        self.note.setObjectName("norm_note")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.plot)
        layout.addWidget(self.note)
        self.dim_note = QLabel(ONE_D_NOTE)
        self.dim_note.setObjectName("norm_one_d")
        self.dim_note.setWordWrap(True)
        self.dim_note.setStyleSheet("color: #8a4b00;")
        self.dim_note.setVisible(False)
        layout.insertWidget(0, self.dim_note)
        self.chosen: str | None = None
        self.witness_vector: np.ndarray | None = None
        self.set_norm(None)

    @staticmethod
    def _pen(which: str, width: float):
        return pg.mkPen(NORM_COLORS[which], width=width, style=NORM_STYLES[which])

    def set_dimensions(self, d: int):
        """The run's number of features: in one dimension the view says why it tells nothing new."""
        self.dim_note.setVisible(int(d) == 1)

    def set_norm(self, which: str | None):
        """Draw the sphere of the chosen norm in bold (None: all alike)."""
        self.chosen = which
        for w, item in self.spheres.items():
            item.setPen(self._pen(w, 4 if w == which else 1.5))

    def show_witness(self, which: str, a, b, distance: float, names: tuple[str, str] = ("a", "b")):
        """Mark the witness difference ``(b - a) / distance`` on the unit sphere of ``which``.

        ``a`` and ``b`` are the two witness points (or centroids), in data
        coordinates (only the first two coordinates are drawn when d > 2).
        ``distance`` is the merge distance; for min/max/centroid linkage it
        equals ``||b - a||`` in the chosen norm, so the marked point lies on
        the bold sphere.
        """
        self.set_norm(which)
        a = np.asarray(a, dtype=float).ravel()
        b = np.asarray(b, dtype=float).ravel()
        diff = b - a
        if distance <= 0 or not np.isfinite(distance):
            self.clear_witness()
            self.note.setText(f"{names[0]} and {names[1]} coincide (distance 0).")
            return
        v = diff / float(distance)
        v2 = np.zeros(2)
        v2[:min(2, v.size)] = v[:2]
        self.witness_vector = v2
        self.witness.setData([0.0, v2[0]], [0.0, v2[1]])
        self.witness_text.setText(f"({names[1]} − {names[0]}) / d")
        self.witness_text.setPos(v2[0], v2[1])
        self._placer.place()  # on the side of its point that the plot's edge does not cut
        lengths = ", ".join(f"{NORM_SYMBOLS[w]} {norm(diff, w):.4g}" for w in NORMS)
        extra = "" if diff.size <= 2 else " (first two coordinates drawn)"
        self.note.setText(f"{names[1]} − {names[0]} has length {lengths}. Scaled by 1/d = 1/{distance:.4g} it "
                          f"lies on the {NORM_SYMBOLS[which]} unit sphere{extra}.")

    def clear_witness(self):
        self.witness_vector = None
        self.witness.setData([], [])
        self.witness_text.setText("")
        self.note.setText("")


def _demo_widget() -> NormView:
    """The three unit spheres, ℓ1 bold, with the witness of x1 = (0, 0) and x2 = (1, 2) at ℓ1 distance 3."""
    view = NormView()
    view.set_norm("l1")
    view.show_witness("l1", np.array([0.0, 0.0]), np.array([1.0, 2.0]), 3.0, ("x1", "x2"))
    return view


if __name__ == "__main__":
    from gui.widgets.demo import run_demo
    run_demo(_demo_widget, title="Norms")
