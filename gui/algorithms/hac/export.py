"""Exporting the HAC dendrogram: print-ready figures and the tree as data.

* :func:`linkage_csv`, :func:`labels_csv` - the linkage matrix and flat
  labels as CSV text (pure functions; Newick comes from
  :func:`engine.hac.dendrogram.newick`);
* :func:`save_png`, :func:`save_svg` - the dendrogram as it is shown (axis,
  leaf names, cluster ids, cut) with a title in the file only; the PNG is
  drawn ``scale`` times sharper with pens and markers thickened to match;
* :class:`DendrogramExportMixin` - the plugin's "Export dendrogram data…"
  menu, its file dialog, the figure title and :meth:`export_dendrogram`.

Every file is written atomically (a temporary file in the same folder, then
a rename), so a failed export never leaves half a file behind.
"""
from __future__ import annotations

import html
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication, QFileDialog

from engine.core.atomic import atomic_write, write_text_atomic
from engine.core.csvfile import format_rows
from engine.hac.dendrogram import newick
from engine.core.norms import NORM_SYMBOLS

__all__ = ["linkage_csv", "labels_csv", "save_png", "save_svg", "DendrogramExportMixin",
           "EXPORT_KINDS"]

EXPORT_KINDS = {  # kind -> (menu text, file filter, suffix)
    "png": ("Dendrogram as PNG…", "PNG image (*.png)", ".png"),
    "svg": ("Dendrogram as SVG…", "SVG image (*.svg)", ".svg"),
    "linkage": ("Linkage matrix as CSV…", "CSV (*.csv)", ".csv"),
    "newick": ("Tree as Newick…", "Newick (*.nwk *.newick)", ".nwk"),
    "labels": ("Flat cluster labels as CSV…", "CSV (*.csv)", ".csv"),
}


# ------------------------------------------------------------------ text
def linkage_csv(Z: np.ndarray) -> str:
    """The linkage matrix as CSV text in scipy's layout (new cluster ``m + t`` for row ``t``)."""
    rows = [[int(a), int(b), float(h), int(s)] for a, b, h, s in np.asarray(Z, dtype=float).reshape(-1, 4)]
    return format_rows(["cluster_a", "cluster_b", "distance", "size"], rows)


def labels_csv(labels: np.ndarray, point_names=None) -> str:
    """Flat cluster labels as CSV: ``point,cluster`` (point names when given, else 0-based indices)."""
    labels = np.asarray(labels).ravel()
    names = point_names if point_names is not None else [str(i) for i in range(labels.size)]
    return format_rows(["point", "cluster"], [[str(n), int(c)] for n, c in zip(names, labels)])


# ------------------------------------------------------------------ figures
def _widen(setter, pen, factor: float, saved: list):
    saved.append((setter, pen))
    wide = pg.mkPen(pen)
    wide.setWidthF(max(1.0, pen.widthF()) * factor)
    setter(wide)


@contextmanager
def print_mode(view, title: str, scale: float):
    """Show ``title`` above ``view``'s plot and thicken its pens and markers ``scale`` times, then undo it."""
    saved: list = []
    if title:
        view.plot.setTitle(title, color="k", size="11pt")
    try:
        if scale != 1:
            for item in list(view.curves()) + [view.latest, view.path, view.hover]:
                _widen(item.setPen, item.opts["pen"], scale, saved)
            for item in (view.leaves, view.inversions):
                saved.append((item.setSize, item.opts["size"]))
                item.setSize(item.opts["size"] * scale)
            _widen(view.cut_line.setPen, view.cut_line.pen, scale, saved)
        QApplication.processEvents()  # lay the title out before drawing
        yield view
    finally:
        for setter, value in reversed(saved):
            setter(value)
        if title:
            view.plot.setTitle(None)
        QApplication.processEvents()


def save_png(view, path, scale: float = 2.0, title: str = "") -> Path:
    """Save the dendrogram ``view`` as shown, ``scale`` (1-4) times sharper; ``title`` in the file only.

    The scene is drawn into a ``scale``-times larger image with pens and
    markers thickened by the same factor, so every part (text, lines, the
    legend) keeps its on-screen proportions.

    Raises
    ------
    ValueError
        Bad scale, or the view has no size yet.
    OSError
        The file cannot be written.
    """
    scale = float(scale)
    if not 1 <= scale <= 4:
        raise ValueError(f"scale={scale!r} should be between 1 and 4.")
    path = Path(path)
    with print_mode(view, title, scale):
        src = view.plot_item.sceneBoundingRect()
        if src.width() < 1 or src.height() < 1:
            raise ValueError("The dendrogram has no size yet: show it first.")
        img = QImage(round(src.width() * scale), round(src.height() * scale), QImage.Format.Format_ARGB32)
        img.fill(QColor("white"))
        painter = QPainter(img)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        try:
            view.plot.scene().render(painter, QRectF(0, 0, img.width(), img.height()), src)
        finally:
            painter.end()
    def write(tmp):
        if not img.save(str(tmp), "PNG"):
            raise OSError(f"Cannot write {path}: saving the PNG failed (no permission or disk full?).")
    return atomic_write(path, write)


def save_svg(view, path, title: str = "") -> Path:
    """Save the dendrogram ``view`` as SVG (vector: axis, leaf names, cluster ids, cut); ``title`` in the file only."""
    from gui.widgets import export  # on first use: Pillow and the SVG exporters are not needed to start

    with print_mode(view, title, 1.0):
        return export.export_svg(view.plot_item, path)


# ------------------------------------------------------------------ the plugin's export menu
class DendrogramExportMixin:
    """The HAC plugin's dendrogram exports (uses its ``window``, ``dendrogram``, ``tree``, ``step``,
    ``flat_labels``, ``cut_label`` and ``point_names``)."""

    def _build_export_menu(self):
        menu = self.dendrogram.export_menu
        for key, (text, _, _) in EXPORT_KINDS.items():
            act = menu.addAction(text)
            act.setObjectName(f"export_dendrogram_{key}")
            act.triggered.connect(lambda _=False, k=key: self._ask_export(k))

    def _ask_export(self, kind: str):
        _, filt, suffix = EXPORT_KINDS[kind]
        path, _ = QFileDialog.getSaveFileName(self.dendrogram, "Export dendrogram data",
                                              f"clusterlab-dendrogram-{kind}{suffix}", filt)
        if path:
            if not Path(path).suffix:
                path += suffix
            try:
                self.export_dendrogram(kind, path)
            except (OSError, ValueError) as exc:
                self.window.status(f"Export failed: {exc}")

    def figure_title(self) -> str:
        """The exported figure's title: data, norm, linkage and the cut (if any)."""
        pl = self.step.payload if self.step is not None else {}
        ds = self.window.dataset
        name = ds.name if ds is not None and ds.name else "HAC"
        norm = NORM_SYMBOLS.get(pl.get("norm"), pl.get("norm", ""))
        title = f"{name}: {norm}, {pl.get('linkage', '')} linkage"
        if self.dendrogram.n_links < (self.tree.n_links if self.tree is not None else 0):
            title += f", after {self.dendrogram.n_links} of {self.tree.n_links} merges"
        if self.flat_labels is not None and self.cut_label.text():
            title += f"; {self.cut_label.text()}"
        return html.escape(title)

    def export_dendrogram(self, kind: str, path) -> Path:
        """Write the dendrogram (``"png"``, ``"svg"``), its ``"linkage"`` CSV, ``"newick"`` or flat ``"labels"``.

        Raises ValueError when there is no tree yet; the figure exports draw what is shown.
        """
        path = Path(path)
        if self.tree is None or self.step is None:
            raise ValueError("There is no dendrogram yet: choose data and run HAC first.")
        if kind in ("png", "svg"):
            from gui.widgets import export

            path = export.writable_path(path, (f".{kind}",))  # the same checks and messages as every figure export
            if kind == "png":
                save_png(self.dendrogram, path, scale=2, title=self.figure_title())
            else:
                save_svg(self.dendrogram, path, title=self.figure_title())
        elif kind == "linkage":
            write_text_atomic(path, linkage_csv(self.tree.Z[:self.dendrogram.n_links]))
        elif kind == "newick":
            if self.dendrogram.n_links < self.tree.n_links:
                raise ValueError("Newick describes a whole tree: run to the last merge first.")
            text = newick(self.tree.Z, list(self.point_names), leaf_members=self.tree.leaf_points)
            write_text_atomic(path, text + ("\n" if not text.endswith("\n") else ""))
        elif kind == "labels":
            labels = self.flat_labels if self.flat_labels is not None else self.step.labels
            write_text_atomic(path, labels_csv(labels, self.point_names))
        else:
            raise ValueError(f"unknown export {kind!r}")
        self.window.status(f"Saved {path.name}")
        return path
