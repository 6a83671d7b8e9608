"""Writing figures and results: PNG, SVG, animated GIF and labelled CSV.

Plain functions, no widgets. A *target* is what to draw:

* a pyqtgraph item (``PlotItem``, ``GraphicsLayout``, any ``QGraphicsItem`` in a
  scene): exported with pyqtgraph's exporters, so PNG is re-rendered at the
  requested size (sharp text and lines) and SVG is vector;
* a ``PlotWidget`` / ``GraphicsLayoutWidget``, or any object with a
  ``plot_item`` attribute (the scatter view): its plot item is used as above;
* any other ``QWidget``: rendered with ``QWidget.render`` (PNG at a device pixel
  ratio of ``scale``; SVG through ``QSvgGenerator``).

Every function raises :class:`OSError` (cannot write) or :class:`ValueError`
(bad arguments) with a message meant for a message box.
"""
from __future__ import annotations

import errno
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Sequence

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters  # noqa: F401  (registers pg.exporters)
from PIL import Image
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsItem, QWidget

from engine.core.atomic import atomic_write
from gui.widgets import CONTROL

__all__ = ["export_png", "export_svg", "save_labels_csv", "save_data_csv", "save_gif", "qimage_to_pil", "render_image", "exported_size", "set_export_size", "CONTROL",
           "without_controls",
           "writable_path", "plot_target"]

MAX_SCALE = 4


def writable_path(path, suffixes: tuple[str, ...]) -> Path:
    """Check that ``path`` can be written (its folder exists and is writable); return it as a Path."""
    try:
        path = Path(os.fspath(path))
    except TypeError:
        raise ValueError(f"Not a file path: {path!r}.") from None
    if not path.name:
        raise ValueError("No file name given.")
    if path.is_dir():
        raise OSError(f"Cannot write {path}: it is a folder.")
    if suffixes and path.suffix.lower() not in suffixes:
        raise ValueError(f"{path.name}: the file name should end in {' or '.join(suffixes)}.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OSError(f"Cannot write {path.name}: the folder {folder} does not exist.")
    try:  # a real probe: permissions, read-only file systems and full disks all show here
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise OSError(f"Cannot write {path.name}: {_why_not_writable(exc, folder)}.") from None
    if path.exists() and not os.access(path, os.W_OK):
        raise OSError(f"Cannot write {path.name}: the existing file is read-only.")
    return path


def _why_not_writable(exc: OSError, folder: Path) -> str:
    """Why no file can be created in ``folder``, from the error of a probe that tried."""
    why = exc.strerror or str(exc)
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"no permission to write in {folder} ({why})"
    if exc.errno == errno.EROFS:
        return f"{folder} is on a read-only file system"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"no space left in {folder} ({why})"
    if exc.errno in (errno.ENOENT, errno.EOPNOTSUPP, errno.EINVAL):
        return f"{folder} cannot hold new files (a system folder such as /proc or /sys?); choose another folder"
    return f"cannot create a file in {folder} ({why})"


def plot_target(target):
    """The pyqtgraph item to export for ``target``, or the QWidget itself when there is none."""
    if isinstance(target, pg.PlotWidget):
        return target.getPlotItem()
    if isinstance(target, pg.GraphicsLayoutWidget):
        return target.ci
    if not isinstance(target, (QGraphicsItem, QWidget)) and hasattr(target, "plot_item"):
        return target.plot_item
    if isinstance(target, QWidget) and isinstance(getattr(target, "plot_item", None), QGraphicsItem):
        return target.plot_item
    if isinstance(target, (QGraphicsItem, QWidget)):
        return target
    raise ValueError(f"Cannot export a {type(target).__name__}: give a plot item, a layout or a widget.")


def _check_scale(scale) -> float:
    try:
        s = float(scale)
    except (TypeError, ValueError):
        raise ValueError(f"scale={scale!r} should be a number from 1 to {MAX_SCALE}.") from None
    if not 1 <= s <= MAX_SCALE:
        raise ValueError(f"scale={scale!r} should be from 1 to {MAX_SCALE}.")
    return s


def _flush(target) -> None:
    """Let a view that redraws shortly after a resize (the scatter's raster) draw now, before it is exported."""
    flush = getattr(target, "flush", None)
    if callable(flush) and not isinstance(target, QGraphicsItem):
        flush()


def exported_size(exporter, scale: float = 1) -> tuple[int, int]:
    """The pixel size an image exporter of a plot draws at ``scale``: its on-screen size, each side rounded (pyqtgraph
    derives the height from the width by truncation, so a plot 800 x 599.9 pixels on screen came out 800 x 599)."""
    rect = exporter.getTargetRect()
    return max(1, round(rect.width() * scale)), max(1, round(rect.height() * scale))


def set_export_size(exporter, width: int, height: int) -> None:
    """Give an image exporter both sides (setting one makes pyqtgraph derive the other, truncated)."""
    params = exporter.parameters()
    params.param("width").setValue(int(width), blockSignal=exporter.widthChanged)
    params.param("height").setValue(int(height), blockSignal=exporter.heightChanged)




@contextmanager
def without_controls(widget):
    """The controls inside ``widget`` (children marked :data:`CONTROL`) hidden while the block runs, the layout
    brought up to date at once: a figure of a view is what it shows, never its buttons."""
    hidden = [c for c in widget.findChildren(QWidget) if c.property(CONTROL) and c.isVisibleTo(widget)]
    for c in hidden:
        c.hide()
    if hidden and widget.layout() is not None:
        widget.layout().activate()
    try:
        yield
    finally:
        for c in hidden:
            c.show()
        if hidden and widget.layout() is not None:
            widget.layout().activate()


def render_image(target, scale: float = 1) -> QImage:
    """Draw ``target`` into a QImage ``scale`` times its on-screen size (for PNG and GIF frames)."""
    scale = _check_scale(scale)
    _flush(target)
    oversample = getattr(target, "set_raster_oversample", None)  # a ScatterView: sharper raster points
    if oversample is not None and scale > 1:
        oversample(round(scale))
        try:
            return render_image(target.plot_item, scale)
        finally:
            oversample(1)
    target = plot_target(target)
    if isinstance(target, QGraphicsItem):
        if target.scene() is None:
            raise ValueError("Cannot export an item that is not shown in a plot.")
        exporter = pg.exporters.ImageExporter(target)
        if int(exporter.getTargetRect().width()) < 1:
            raise ValueError("Cannot export an empty figure (its width is 0 pixels).")
        set_export_size(exporter, *exported_size(exporter, scale))
        image = exporter.export(toBytes=True)
        if image is None or image.isNull():
            raise ValueError("The figure could not be drawn.")
        return image
    size = target.size()
    if size.width() < 1 or size.height() < 1:
        raise ValueError("Cannot export an empty widget (0 pixels wide or high).")
    pixmap = QPixmap(QSize(max(1, round(size.width() * scale)), max(1, round(size.height() * scale))))
    pixmap.setDevicePixelRatio(scale)
    pixmap.fill(target.palette().window().color())
    with without_controls(target):
        target.render(pixmap)
    image = pixmap.toImage()
    image.setDevicePixelRatio(1.0)
    return image


def export_png(target, path, scale: float = 1) -> Path:
    """Save ``target`` as a PNG ``scale`` (1-4) times its on-screen size; returns the path written.

    Raises
    ------
    OSError
        The file cannot be written.
    ValueError
        Bad scale, nothing to draw, or a file name not ending in .png.
    """
    path = writable_path(path, (".png",))
    image = render_image(target, scale)

    def write(tmp):
        if not image.save(str(tmp), "PNG"):
            raise OSError(f"Cannot write {path.name}: saving the PNG failed (disk full or no permission?).")
    return atomic_write(path, write)


def export_svg(target, path) -> Path:
    """Save ``target`` as SVG (vector for pyqtgraph plots), atomically; returns the path written."""
    path = writable_path(path, (".svg",))
    _flush(target)
    target = plot_target(target)
    if isinstance(target, QGraphicsItem) and target.scene() is None:
        raise ValueError("Cannot export an item that is not shown in a plot.")
    write = _svg_of_item if isinstance(target, QGraphicsItem) else _svg_of_widget
    try:
        return atomic_write(path, lambda tmp: write(target, tmp))
    except OSError as exc:
        raise OSError(f"Cannot write {path.name}: {exc.strerror or exc}.") from None


def _svg_of_item(item, tmp: Path) -> None:
    """A pyqtgraph plot item as vector SVG (pyqtgraph's exporter)."""
    pg.exporters.SVGExporter(item).export(fileName=str(tmp))


def _svg_of_widget(widget, tmp: Path) -> None:
    """Any widget drawn into an SVG (Qt's generator; a composite view becomes a picture)."""
    size = widget.size()
    generator = QSvgGenerator()
    generator.setFileName(str(tmp))
    generator.setSize(size)
    generator.setViewBox(QRect(0, 0, size.width(), size.height()))
    generator.setTitle(widget.windowTitle() or "Clusterlab figure")
    painter = QPainter()
    if not painter.begin(generator):
        raise OSError(f"Cannot write {tmp.name}: the SVG file could not be opened.")
    try:
        with without_controls(widget):
            widget.render(painter, QPoint(0, 0))
    finally:
        painter.end()
    if tmp.stat().st_size == 0:
        raise OSError("nothing was written.")


def save_labels_csv(path, X, labels, names: Sequence[str] | None = None) -> Path:
    """Save points and their cluster labels as CSV: columns ``x1..xd`` (or ``names``), then ``label``.

    ``engine.data.load`` reads the file back (labels as the label column).

    Parameters
    ----------
    path : str or Path
    X : ndarray of shape (n, d)
    labels : ndarray of shape (n,) of int, or None (no label column)
    names : sequence of d str, optional
        Column names of X.
    """
    from engine.data import save_csv

    path = writable_path(path, (".csv", ".txt"))
    X = np.asarray(X, dtype=np.float64)
    if labels is not None:
        labels = np.asarray(labels)
        if labels.dtype.kind not in "iu":
            raise ValueError(f"{path.name}: labels must be whole numbers; got {labels.dtype}.")
    try:
        save_csv(path, X, labels=labels, header=names)
    except OSError as exc:
        raise OSError(f"Cannot write {path.name}: {exc.strerror or exc}.") from None
    return path


def save_data_csv(path, dataset, clusters, no_cluster: str = "none") -> Path:
    """The data as the window shows them: features, the data's own labels, then the clusters numbered from 1.

    Columns: the feature names (``x1..xd`` by default); ``label`` when the data have labels (their own
    names, such as iris species, or numbers; ``-1``, a point in no group, as ``-1``); ``cluster``, numbered
    from 1 as the window's legend, ``no_cluster`` for a point in no cluster (``-1``). Written atomically
    (:func:`engine.core.csvfile.write_rows`), with the same file mode as every other export.
    ``engine.data.load`` reads the file back with the data's labels (or the clusters when there are none).
    """
    import csv

    from engine.core.csvfile import write_rows

    path = writable_path(path, (".csv", ".txt"))
    X = np.asarray(dataset.X, dtype=np.float64)
    n, d = X.shape
    header = list(dataset.feature_names) if getattr(dataset, "feature_names", None) else \
        [f"x{j + 1}" for j in range(d)]
    columns = []
    if dataset.labels is not None:
        names = dataset.label_names
        columns.append(("label", [(str(names[v]) if names is not None else int(v)) if v >= 0 else -1
                                  for v in np.asarray(dataset.labels).tolist()]))
    if clusters is not None:
        clusters = np.asarray(clusters)
        if clusters.shape != (n,) or clusters.dtype.kind not in "iu":
            raise ValueError(f"{path.name}: one whole-number cluster per point is needed.")
        columns.append(("cluster", [int(v) + 1 if v >= 0 else no_cluster for v in clusters.tolist()]))
    header += [name for name, _ in columns]
    rows = [row + [col[i] for _, col in columns] for i, row in enumerate(X.tolist())]
    text = [t for t in header + [c for _, col in columns for c in col] if isinstance(t, str)]
    quoting = csv.QUOTE_NONNUMERIC if any(not t or t != t.strip() for t in text) else csv.QUOTE_MINIMAL
    try:
        return write_rows(path, header, rows, quoting)
    except OSError as exc:
        raise OSError(f"Cannot write {path.name}: {exc.strerror or exc}.") from None


def qimage_to_pil(qimage) -> Image.Image:
    """Convert a QImage (or QPixmap) into an RGBA Pillow image (a copy)."""
    if isinstance(qimage, QPixmap):
        qimage = qimage.toImage()
    if not isinstance(qimage, QImage) or qimage.isNull():
        raise ValueError("qimage_to_pil needs a non-empty QImage.")
    img = qimage.convertToFormat(QImage.Format.Format_RGBA8888)
    w, h, bpl = img.width(), img.height(), img.bytesPerLine()
    data = bytes(img.constBits())[: bpl * h]
    return Image.frombuffer("RGBA", (w, h), data, "raw", "RGBA", bpl, 1).copy()


def save_gif(frames, path, fps: float = 4, size: tuple[int, int] | None = None) -> Path:
    """Save images as an animated GIF, one frame per image, looping forever, streaming the frames.

    Each frame is quantised by Pillow to its own 256-colour palette (median cut, no dithering,
    so flat cluster colours stay flat) and written at once: only the frame being drawn is in
    memory, so ``frames`` may be a generator that draws them one by one (memory stays flat for
    any number of frames). Frames are placed on a white canvas of ``size``: by default the largest
    frame's size when ``frames`` is a list or tuple, else the first frame's (a larger later frame is
    cut to it). The file is written atomically: an exception raised by ``frames`` (a cancel) or by
    the writing leaves the previous file as it was.

    Parameters
    ----------
    frames : iterable of QImage, QPixmap or PIL.Image
    path : str or Path
    fps : float
        Frames per second (0.1 to 50).
    size : (width, height), optional
        The canvas size.
    """
    path = writable_path(path, (".gif",))
    try:
        fps = float(fps)
    except (TypeError, ValueError):
        raise ValueError(f"fps={fps!r} should be a number between 0.1 and 50.") from None
    if not 0.1 <= fps <= 50:
        raise ValueError(f"fps={fps!r} should be between 0.1 and 50.")
    if isinstance(frames, (list, tuple)):
        if not frames:
            raise ValueError("No frames to save: the animation would be empty.")
        if size is None:
            size = (max(_size_of(f)[0] for f in frames), max(_size_of(f)[1] for f in frames))
    duration = max(20, round(1000.0 / fps))
    try:
        return atomic_write(path, lambda tmp: _write_gif_frames(tmp, iter(frames), size, duration))
    except OSError as exc:
        raise OSError(f"Cannot write {path.name}: {exc.strerror or exc}.") from None


def _size_of(frame) -> tuple[int, int]:
    if isinstance(frame, Image.Image):
        return frame.size
    return frame.width(), frame.height()


def _quantised(frame, size) -> Image.Image:
    im = frame.convert("RGBA") if isinstance(frame, Image.Image) else qimage_to_pil(frame)
    canvas = Image.new("RGB", size, "white")
    canvas.paste(im, (0, 0), im)
    return canvas.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)


def _write_gif_frames(tmp: Path, frames, size, duration: int) -> None:
    """Write the GIF frame by frame: the header from the first frame, then each frame with its own palette."""
    from PIL import GifImagePlugin
    first = next(frames, None)
    if first is None:
        raise ValueError("No frames to save: the animation would be empty.")
    size = tuple(size) if size is not None else _size_of(first)
    with open(tmp, "wb") as f:
        frame = _quantised(first, size)
        del first  # only the paletted frame being written is kept
        header, _ = GifImagePlugin.getheader(frame, None, {"loop": 0, "duration": duration})
        f.write(b"".join(header))
        while frame is not None:
            for chunk in GifImagePlugin.getdata(frame, (0, 0), duration=duration, disposal=1,
                                                include_color_table=True):
                f.write(chunk)
            frame = next(frames, None)
            if frame is not None:
                frame = _quantised(frame, size)
        f.write(b";")
