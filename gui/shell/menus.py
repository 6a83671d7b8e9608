"""The main window's menus and what their file dialogs do.

:func:`build` creates the File, Edit, Run, View and Help menus of a
:class:`~gui.shell.main_window.MainWindow` and returns the :class:`Menus` object
that owns their actions. File dialogs are asked here (through
``gui.shell.dialogs.ask_open_path`` / ``ask_save_path``); the work itself is
done by the window (opening data) and :mod:`gui.widgets.export` (figures, CSV, GIF).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QProgressDialog

from engine import data as edata
from gui.shell.dialogs import GenerateDialog, about_text, ask_open_path, ask_save_path
from gui.shell.settings import MAX_RECENT

__all__ = ["build", "Menus", "OPEN_FILTERS", "GIF_MAX_FRAMES"]

OPEN_FILTERS = ";;".join([
    "Data files (*.csv *.tsv *.txt *.dat *.npy *.npz *-ubyte *-ubyte.gz *.idx *.idx.gz *.gz)",
    "CSV, TSV or text (*.csv *.tsv *.txt *.dat)",
    "NumPy arrays (*.npy *.npz)",
    "MNIST IDX (*-ubyte *-ubyte.gz *.idx *.idx.gz)",
    "Clusterlab sessions (*.json)",
    "All files (*)",
])
GIF_MAX_FRAMES = 400  # longer runs are sampled evenly (first and current step always included)
GIF_MAX_WIDTH = 1000  # frames wider than this are scaled down


class Menus(QObject):
    """The actions of the window's menus (``actions[name]``) and their handlers."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.actions: dict[str, QAction] = {}

    def action(self, name: str, text: str, slot, shortcut=None, tip: str = "", menu: QMenu | None = None,
               context=Qt.ShortcutContext.WindowShortcut) -> QAction:
        a = QAction(text, self.window)
        a.setObjectName(f"action_{name}")
        if shortcut is not None:
            a.setShortcuts(shortcut if isinstance(shortcut, list) else [shortcut])
            a.setShortcutContext(context)
        if tip:
            a.setStatusTip(tip)
            a.setToolTip(tip)
        a.triggered.connect(lambda _checked=False: slot())
        if menu is not None:
            menu.addAction(a)
        self.actions[name] = a
        return a

    # ================================================================ File
    def open_dialog(self):
        path = ask_open_path(self.window, "Open data", OPEN_FILTERS)
        if path:
            self.window.open_file(path)

    def generate_dialog(self, kind: str):
        dlg = GenerateDialog(kind, edata.GENERATORS.get(kind, ""), parent=self.window)
        try:
            if dlg.exec():
                n, seed = dlg.values()
                self.window.generate(kind, n, seed)
        finally:
            dlg.deleteLater()

    def rebuild_recent(self):
        menu = self.recent_menu
        menu.clear()
        paths = self.window.settings.recent_files()
        for i, path in enumerate(paths[:MAX_RECENT]):
            a = QAction(f"&{i + 1} {Path(path).name}", menu)
            a.setStatusTip(path)
            a.setToolTip(path)
            a.setData(path)
            a.triggered.connect(lambda _checked=False, p=path: self.window.open_file(p))
            menu.addAction(a)
        if paths:
            menu.addSeparator()
            clear = QAction("Clear list", menu)
            clear.triggered.connect(self._clear_recent)
            menu.addAction(clear)
        menu.setEnabled(bool(paths))

    def _clear_recent(self):
        self.window.settings.set_recent_files([])
        self.rebuild_recent()

    def recent_paths(self) -> list[str]:
        return [a.data() for a in self.recent_menu.actions() if a.data()]

    # ---------------------------------------------------------------- export
    def _save_path(self, title: str, default_name: str, filter_: str, suffix: str) -> str | None:
        return ask_save_path(self.window, title, default_name, filter_, suffix)

    def _target(self, which: str):
        w = self.window
        if which == "scatter":
            return w.scatter, "scatter"
        widget = w.tabs.currentWidget()
        title = w.tabs.tabText(w.tabs.currentIndex()) if widget is not None else ""
        return widget, title.lower().replace(" ", "-") or "view"

    def export_png(self, which: str, scale: int):
        target, name = self._target(which)
        if target is None:
            self.window.status("There is no view to export.")
            return
        path = self._save_path("Export PNG", f"clusterlab-{name}.png", "PNG image (*.png)", ".png")
        if path:
            from gui.widgets import export
            self._run_export(lambda: export.export_png(target, path, scale=scale), path)

    def export_slide(self):
        path = self._save_path("Export slide", "clusterlab-slide.png", "PNG image (*.png)", ".png")
        if path:
            self._run_export(lambda: self.window.lecture.export_slide(path), path)

    def export_svg(self, which: str):
        target, name = self._target(which)
        if target is None:
            self.window.status("There is no view to export.")
            return
        path = self._save_path("Export SVG", f"clusterlab-{name}.svg", "SVG image (*.svg)", ".svg")
        if path:
            from gui.widgets import export
            self._run_export(lambda: export.export_svg(target, path), path)

    def export_csv(self):
        w = self.window
        ds = w.dataset
        if ds is None or getattr(ds, "n", 0) == 0:
            w.status("There are no points to export.")
            return
        path = self._save_path("Export data and labels", "clusterlab-labels.csv", "CSV (*.csv)", ".csv")
        if not path:
            return
        step = w.player.current
        from gui.widgets import export
        labels = step.labels if step is not None and step.labels is not None else None
        self._run_export(lambda: export.save_data_csv(path, ds, labels), path)

    def export_gif(self):
        w = self.window
        if not w.player.history:
            w.status("There is no run to animate yet.")
            return
        path = self._save_path("Export animation", "clusterlab-run.gif", "GIF animation (*.gif)", ".gif")
        if path:
            record_animation(w, path)

    def _run_export(self, fn, path: str):
        try:
            fn()
        except (OSError, ValueError, RuntimeError) as exc:
            QMessageBox.critical(self.window, "Export failed", f"Could not write {path}:\n{exc}")
            return
        self.window.status(f"Saved {path}")

    # ================================================================ Edit / Help
    def about(self):
        QMessageBox.about(self.window, "About Clusterlab", about_text())


def frame_indices(current: int, limit: int = GIF_MAX_FRAMES) -> list[int]:
    """Steps 0..current, evenly sampled to at most ``limit`` frames (both ends kept)."""
    if current + 1 <= limit:
        return list(range(current + 1))
    return sorted(set(np.linspace(0, current, limit).round().astype(int).tolist()))


def grab_frame(window):
    """The scatter and the current tab side by side, as a QImage (what the person sees)."""
    image = window.splitter.grab().toImage()
    if image.width() > GIF_MAX_WIDTH:
        image = image.scaledToWidth(GIF_MAX_WIDTH, Qt.TransformationMode.SmoothTransformation)
    return image


class _Cancelled(Exception):
    """The person cancelled the recording (the GIF being written is dropped; an old file stays)."""


def record_animation(window, path: str, fps: float | None = None) -> bool:
    """Step the player from the first to the current step and stream each frame into a GIF.

    Frames are drawn one at a time as the GIF is written (:func:`gui.widgets.export.save_gif` takes
    a generator), so memory stays flat however long the run. A cancellable progress dialog is shown;
    the person's current step is restored afterwards. Returns True when the file was written.
    """
    from gui.widgets import export

    player = window.player
    current = max(player.index, 0)
    player.pause()
    indices = frame_indices(current)
    dialog = QProgressDialog("Recording the animation…", "Cancel", 0, len(indices) + 1, window)
    dialog.setWindowTitle("Export animation")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    written = 0

    def frames():
        nonlocal written
        for k, i in enumerate(indices):
            if dialog.wasCanceled():
                raise _Cancelled
            player.seek(i)
            yield grab_frame(window)
            written += 1
            dialog.setValue(k + 1)
            QApplication.processEvents()

    rate = fps if fps is not None else min(max(player.speed(), 0.5), 20.0)
    try:
        export.save_gif(frames(), path, fps=rate)
    except _Cancelled:
        window.status("Animation export cancelled.")
        return False
    except (OSError, ValueError, RuntimeError) as exc:
        QMessageBox.critical(window, "Export failed", f"Could not write {path}:\n{exc}")
        return False
    finally:
        player.seek(current)
        dialog.setValue(dialog.maximum())
        dialog.close()
        dialog.deleteLater()
    window.status(f"Saved {path} ({written} frames)")
    return True


def build(window) -> Menus:
    """Create the window's menus; returns the :class:`Menus` holding their actions."""
    m = Menus(window)
    bar = window.menuBar()
    _file_menu(m, window, bar.addMenu("&File"))
    _edit_menu(m, window, bar.addMenu("&Edit"))
    _run_menu(m, window, bar.addMenu("&Run"))
    _view_menu(m, window, bar.addMenu("&View"))
    help_menu = bar.addMenu("&Help")
    m.action("about", "&About Clusterlab", m.about, menu=help_menu)
    return m


def _file_menu(m: Menus, window, file_menu: QMenu):
    """Open, examples, generators, recent files, export, quit."""
    K = QKeySequence
    m.action("open", "&Open data…", m.open_dialog, K(K.StandardKey.Open),
             "Open CSV/TSV/text, .npy/.npz or MNIST IDX files", file_menu)
    examples = file_menu.addMenu("&Examples")
    for name, description in edata.EXAMPLES.items():
        title = description.split(":")[0]
        a = m.action(f"example_{name}", f"{name} ({title})", lambda n=name: window.open_example(n),
                     tip=description, menu=examples)
        a.setToolTip(description)
    examples.addSeparator()
    m.action("example_mnist", "MNIST digits (6,000 test images)", window.open_mnist,
             tip="The first 6,000 images of the MNIST test set (28 × 28 pixels, 784 dimensions)", menu=examples)
    examples.setToolTipsVisible(True)
    generate = file_menu.addMenu("&Generate")
    for kind, description in edata.GENERATORS.items():
        m.action(f"generate_{kind}", f"{kind.capitalize()}…", lambda k=kind: m.generate_dialog(k),
                 tip=description, menu=generate)
    generate.setToolTipsVisible(True)
    m.recent_menu = file_menu.addMenu("Open &Recent")
    m.recent_menu.setToolTipsVisible(True)
    m.rebuild_recent()
    file_menu.addSeparator()
    _export_menu(m, file_menu.addMenu("E&xport"))
    file_menu.addSeparator()
    m.action("quit", "&Quit", window.close, K(K.StandardKey.Quit), menu=file_menu)


def _export_menu(m: Menus, exp: QMenu):
    """PNG at several sizes and SVG of the scatter and of the current tab; CSV and GIF of the run."""
    for which, title in (("scatter", "Scatter plot"), ("tab", "Current tab")):
        png = exp.addMenu(f"{title} as PNG")
        for scale in (1, 2, 3, 4):
            m.action(f"export_{which}_png_{scale}", f"{scale}× size…",
                     lambda w=which, s=scale: m.export_png(w, s), tip=f"{title} as a PNG image at {scale}× its "
                     "size on screen", menu=png)
        m.action(f"export_{which}_svg", f"{title} as SVG…", lambda w=which: m.export_svg(w),
                 tip=f"{title} as a scalable vector image", menu=exp)
    exp.addSeparator()
    m.action("export_csv", "Data and current labels as CSV…", m.export_csv,
             tip="The coordinates and the cluster of every point at the current step", menu=exp)
    m.action("export_gif", "Animation of the run as GIF…", m.export_gif,
             tip="Every step from the first to the current one, as an animated GIF", menu=exp)
    exp.addSeparator()
    m.action("export_slide", "Slide (1920×1080 PNG)…", m.export_slide,
             tip="The figures, the step caption and the timeline as a 16:9 slide (best in lecture mode, F5)",
             menu=exp)


def _edit_menu(m: Menus, window, edit: QMenu):
    """Undo, redo (the data model's undo stack) and clearing the points."""
    K = QKeySequence
    stack = window.model.undo_stack
    undo = stack.createUndoAction(window, "&Undo")
    undo.setShortcuts([K(K.StandardKey.Undo)])
    redo = stack.createRedoAction(window, "&Redo")
    redo.setShortcuts([K("Ctrl+Shift+Z"), K("Ctrl+Y")])
    for name, a in (("undo", undo), ("redo", redo)):
        a.setObjectName(f"action_{name}")
        edit.addAction(a)
        m.actions[name] = a
    edit.addSeparator()
    m.action("clear", "C&lear points", window.clear_points, tip="Remove every point (undoable)", menu=edit)


def _run_menu(m: Menus, window, run: QMenu):
    """The player's controls with their keys."""
    K = QKeySequence
    p = window.player
    m.action("restart", "Run / &Restart", window.restart_run, K("Ctrl+R"), "Start a new run", run)
    m.action("play", "&Play / Pause", p.toggle_play, K(Qt.Key.Key_Space), "Play or pause the run", run)
    m.action("back", "Step &back", p.back, K(Qt.Key.Key_Left), "One step back", run)
    m.action("forward", "Step &forward", p.forward, K(Qt.Key.Key_Right), "One step forward", run)
    m.action("to_start", "First step", p.to_start, K(Qt.Key.Key_Home), "Go to the first step", run)
    m.action("to_end", "Last step", p.to_end, K(Qt.Key.Key_End), "Run to the last step", run)
    m.action("cancel", "&Cancel", window.cancel, K(Qt.Key.Key_Escape), "Stop computing ahead", run)


def _view_menu(m: Menus, window, view: QMenu):
    """The docks' show/hide actions and resetting the zoom."""
    K = QKeySequence
    for dock in (window.data_dock, window.algorithm_dock):
        a = dock.toggleViewAction()
        a.setText(f"{dock.windowTitle()} panel")
        view.addAction(a)
    view.addSeparator()
    m.action("reset_zoom", "&Reset zoom", window.scatter.auto_range, K("Ctrl+0"),
             "Fit the scatter plot to the points", view)
    view.addSeparator()
    pres = m.action("presentation", "&Presentation (lecture mode)", window.lecture.toggle, K(Qt.Key.Key_F5),
                    "Full screen, panels folded, large text and marks, the step as a caption (F5 again to leave)",
                    view)
    pres.setCheckable(True)
    quiz = m.action("quiz", "Pre&dict the next step (quiz)", window.quiz.toggle, K(Qt.Key.Key_F6),
                    "Before each step, predict it (click the merging clusters, the centre a point goes to, where "
                    "the centres move, or set responsibilities); then it is revealed and scored", view)
    quiz.setCheckable(True)
