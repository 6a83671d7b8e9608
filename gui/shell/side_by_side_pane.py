"""The right-hand pane of View > Side by side: a whole second main window living inside the first.

Why a whole window
------------------
Plugins are written against their ``window`` (:mod:`gui.algorithms.base`): they read ``dataset``,
``run_X()``, ``project()``, ``scatter``, ``player``, ``tabs``, ``status()``..., install event filters on
it to stop their worker threads when it closes, and the shared views (:func:`gui.views.common_views`)
do the same. A lighter object imitating that API would have to follow every change of it, and a plugin
reaching for something it does not imitate would fail only in the second pane. So the pane *is* the
window class (:func:`pane_class` derives it from the main window's own type, so nothing here imports
:mod:`gui.shell.main_window`), embedded as a child widget (``Qt.WindowType.Widget``), with what makes it
a pane changed here:

* no menus, no status bar, no session menu, no side-by-side of its own; its actions lose their keys
  (the keys belong to the left pane; linked timelines carry them over);
* its settings are read from the main window's but never written (:class:`PaneSettings`): choosing an
  algorithm on the right does not change what the app opens with;
* its data follow the main window's (:meth:`Pane.follow`) and never enter its undo history; the data
  panel is hidden and editing is off ("edit the data in the left pane");
* its algorithm panel becomes a dock of the main window ("Right pane: algorithm"), placed by the owner.

:func:`pane_image` and :func:`save_png` draw the panes' centres (scatter and current tab) into one PNG,
written atomically.
"""
from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QAction, QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QDockWidget

from engine.core.atomic import atomic_write
from gui.shell.window_data import has_points

__all__ = ["pane_class", "PaneSettings", "PANE_NOTE", "caption", "pane_image", "save_png"]

PANE_NOTE = "edit the data in the left pane"
PANE_HINT = "Open or draw data in the left pane:\nthis pane runs a second algorithm on the same data"
_SETTERS = ("sync", "add_recent_file", "remove_recent_file")


class PaneSettings:
    """The main window's settings, read-only: every ``set_…`` is dropped (the pane's choices are its own)."""

    def __init__(self, settings):
        self._settings = settings

    def __getattr__(self, name):
        if name.startswith("set_") or name in _SETTERS:
            return lambda *args, **kwargs: None
        return getattr(self._settings, name)

    def startup_data(self) -> str:
        return ""  # the pane's data come from the main window

    def geometry(self):
        return None

    def state(self):
        return None


class _PaneMixin:
    """What turns the main window class into the right-hand pane (see the module docstring)."""

    is_pane = True

    def _install_sessions(self):
        self.session_controller = None

    def _install_compare(self):
        self.side_by_side = None

    def _restore_settings(self):
        pass  # the owner sizes the pane

    def save_settings(self):
        pass

    def make_pane(self):
        """Called once after construction: take the window apart into a pane."""
        self.setWindowFlags(Qt.WindowType.Widget)
        self.menuBar().hide()
        self.statusBar().hide()
        for action in self.findChildren(QAction):
            action.setShortcuts([])  # the left pane's keys; a second set would make every key ambiguous
        self.removeDockWidget(self.data_dock)
        self.data_dock.hide()
        self.removeDockWidget(self.algorithm_dock)  # the owner puts it in the main window's dock area
        self.algorithm_dock.setWindowTitle("Right pane: algorithm")
        self.algorithm_dock.setObjectName("right_pane_algorithm_dock")
        self.algorithm_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.hint.setText(PANE_HINT)
        self._lock_editing()

    def _lock_editing(self):
        self.scatter.set_editable(False)
        self.data_panel.set_editable(False, PANE_NOTE)

    def _on_data_changed(self, *args):
        super()._on_data_changed(*args)
        self._lock_editing()

    def _edit(self, change, *args):
        self.status(f"Not edited: {PANE_NOTE}.")

    def follow(self, main) -> None:
        """Show the main window's data (standardized and projected as there) and restart the run; nothing
        enters this pane's undo history."""
        ds = main.dataset
        pca = getattr(main, "_pca", None)
        projection = pca[1:] if pca is not None and pca[0] is ds else None  # the left pane's PCA, not again
        with self.one_restart():
            self.set_standardized(main.standardized)
            if ds is not self.dataset:
                self.set_dataset(ds, "Follow the left pane", projection if has_points(ds) else None)
                self.model.undo_stack.clear()
        if main.axes != self.axes:
            self.set_axes(main.axes)


_CLASSES: dict[type, type] = {}


def pane_class(window_class: type) -> type:
    """The pane class made from ``window_class`` (the main window's type), made once."""
    if window_class not in _CLASSES:
        _CLASSES[window_class] = type("Pane", (_PaneMixin, window_class), {"__module__": __name__})
    return _CLASSES[window_class]


# ============================================================================ export
def caption(window) -> tuple[str, str]:
    """What a pane shows, as two lines: the algorithm and the step ("Hierarchical clustering (HAC) - step 12 of
    299"), and its settings ("Norm ℓ2 (Euclidean), Cluster distance max (complete)")."""
    plugin = window.plugin
    if plugin is None:
        return "", ""
    values = plugin.form.values()
    parts = []
    for p in plugin.algorithm.params[:6]:
        v = values.get(p.name)
        if p.kind == "choice":
            v = p.choice_label(v)
        elif p.kind == "seed" and v is None:
            v = "random"
        parts.append(f"{p.label} {v:g}" if isinstance(v, float) else f"{p.label} {v}")
    player = window.player
    step = f" - step {player.index + 1} of {len(player.history)}{'' if player.exhausted else '+'}" \
        if player.current is not None else ""
    return f"{plugin.algorithm.title}{step}", ", ".join(parts)


def pane_image(window, scale: float = 1, title: bool = True) -> QImage:
    """The window's centre (the scatter and the current tab, as shown) with its :func:`caption` above."""
    from gui.widgets import export

    body = export.render_image(window.splitter, scale)
    if not title:
        return body
    line = max(1, round(20 * scale))
    image = QImage(body.width(), body.height() + 2 * line + round(4 * scale), QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        margin = round(6 * scale)
        for k, text in enumerate(caption(window)):
            font = QFont(window.font())
            font.setPixelSize(max(8, round((14 if k == 0 else 12) * scale)))
            font.setBold(k == 0)
            painter.setFont(font)
            painter.setPen(QColor("#222" if k == 0 else "#444"))
            rect = QRect(margin, round(2 * scale) + k * line, body.width() - 2 * margin, line)
            text = painter.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
            painter.drawText(rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)
        painter.drawImage(0, image.height() - body.height(), body)
    finally:
        painter.end()
    return image


def side_by_side(images, gap: int = 8) -> QImage:
    """``images`` next to each other on white, top-aligned, ``gap`` pixels apart."""
    width = sum(im.width() for im in images) + gap * (len(images) - 1)
    out = QImage(width, max(im.height() for im in images), QImage.Format.Format_ARGB32)
    out.fill(QColor("white"))
    painter = QPainter(out)
    try:
        x = 0
        for im in images:
            painter.drawImage(x, 0, im)
            x += im.width() + gap
    finally:
        painter.end()
    return out


def save_png(windows, path, scale: float = 1):
    """Write the centres of ``windows`` (one or both panes), side by side, as one PNG (atomically)."""
    from gui.widgets import export

    path = export.writable_path(path, (".png",))
    image = side_by_side([pane_image(w, scale) for w in windows])

    def write(tmp):
        if not image.save(str(tmp), "PNG"):
            raise OSError(f"Cannot write {path.name}: saving the PNG failed (disk full or no permission?).")
    return atomic_write(path, write)
