"""Lecture mode (View > Presentation, F5): what a teacher projects, readable from the back row.

Turning it on makes the window full screen, folds the side panels away, scales the
application's font by :data:`FACTOR` (tick labels, tabs, tables, the timeline), scales every
figure's texts, lines and marks by the same factor (:mod:`gui.widgets.lecture_style`, again
after every step and tab change, since views redraw), and shows the current step's text as
a large caption above the figures — the timeline's own text, so the step number is the one
the timeline shows. Turning it off restores the font, the panels, the window state and the
figures exactly. :meth:`Lecture.export_slide` writes the centre of the window as a
1920x1080 (16:9) PNG.

Side by side (View > Side by side), the right pane is a window of its own with its own timeline: its
:class:`Lecture` follows the window's (:meth:`Lecture.follow`): its step as a caption above its figures,
its figures restyled after its own steps, never the window state or the font (the window does those).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QPoint, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QWidget

from engine.core.atomic import atomic_write
from gui.widgets.lecture_style import LectureProxyStyle, apply_to_widget
from gui.widgets.scatter import ScatterView

__all__ = ["Lecture", "FACTOR", "SLIDE_SIZE"]

#: How much larger texts, lines and marks are in lecture mode.
FACTOR = 1.75
#: The size of an exported slide (16:9).
SLIDE_SIZE = (1920, 1080)


class Lecture(QObject):
    """The window's lecture mode (see the module docstring)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.on = False  # the whole mode: full screen, panels folded, caption, style
        self.styled = False  # the style alone (set_style)
        self.captioned = False  # the step as a caption above the figures (lecture mode, or following it)
        self._watching_panes = False
        self._saved = None
        self._font = None
        self._style_name = ""
        self.caption = QLabel()
        self.caption.setObjectName("lecture_caption")
        self.caption.setWordWrap(True)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.caption.setStyleSheet("color: #111; padding: 4px 8px; background: #F4F4F4;")
        self.caption.hide()
        window.centralWidget().layout().insertWidget(0, self.caption)
        self._restyle_timer = QTimer(self)
        self._restyle_timer.setSingleShot(True)
        self._restyle_timer.setInterval(0)
        self._restyle_timer.timeout.connect(self.restyle)
        window.player.sigStepChanged.connect(self._on_change)
        window.player.sigHistoryChanged.connect(self._on_change)
        window.tabs.currentChanged.connect(self._on_change)

    def toggle(self) -> None:
        self.set_on(not self.on)

    def set_on(self, on: bool) -> None:
        """Turn lecture mode on or off (nothing happens when it already is)."""
        if bool(on) == self.on:
            return
        w = self.window
        if on:
            self._saved = {"state": w.windowState(), "splitter": w.splitter.sizes(), "status": w.statusBar().isVisible(),
                           "docks": {d: d.isVisible() for d in w.findChildren(QDockWidget)}}  # side by side's too
            for dock in self._saved["docks"]:
                dock.hide()
            w.statusBar().hide()
            w.showFullScreen()
        else:
            saved = self._saved
            for dock, visible in saved["docks"].items():
                dock.setVisible(visible)
            w.statusBar().setVisible(saved["status"])
            w.setWindowState(saved["state"])
        self.on = self.captioned = bool(on)
        self.caption.setVisible(self.on)
        half = max(1, sum(w.splitter.sizes()) // 2)
        w.splitter.setSizes([half, half] if self.on else self._saved["splitter"])
        action = getattr(w, "menus", None) and w.menus.actions.get("presentation")
        if action is not None and action.isChecked() != self.on:
            action.setChecked(self.on)
        self.set_style(self.on)
        self._update_caption()
        self._sync_panes()

    def set_style(self, on: bool) -> None:
        """Only the lecture style: the application font and every figure's texts, lines and marks
        :data:`FACTOR` times larger (no full screen, no caption; what ``render --lecture`` draws)."""
        if bool(on) == self.styled:
            return
        app = QApplication.instance()
        if on:
            self._build_views()  # views that make their widgets when first shown: made at the normal size first
            self._font = QFont(app.font())
            font = QFont(app.font())
            font.setPointSizeF(font.pointSizeF() * FACTOR)
            app.setFont(font)
            self._style_name = app.style().name()  # check boxes, radio buttons, sliders, scroll bars: larger too
            app.setStyle(LectureProxyStyle(self._style_name, FACTOR))
        else:
            app.setFont(self._font)
            app.setStyle(self._style_name)
        self.styled = bool(on)
        _repolish(self.window)
        self.restyle()
        self._sync_panes()

    def _build_views(self) -> None:
        for window in [self.window] + [pane.lecture.window for pane in self._panes()]:
            for index in range(window.tabs.count()):
                build = getattr(window.tabs.widget(index), "build_now", None)
                if callable(build):
                    build()

    def follow(self, captioned: bool, styled: bool) -> None:
        """As the right pane of a window in lecture mode: this pane's step as a caption (``captioned``) and its
        figures in the lecture style (``styled``), restyled after its own steps; never the window state or the
        application font (the window's own lecture mode does those)."""
        self.captioned = bool(captioned)
        self.caption.setVisible(self.captioned)
        if bool(styled) != self.styled:
            self.styled = bool(styled)
            self.restyle()
        self._update_caption()

    def _panes(self) -> list:
        sbs = getattr(self.window, "side_by_side", None)
        pane = getattr(sbs, "pane", None)
        return [pane] if pane is not None and getattr(pane, "lecture", None) is not None else []

    def _sync_panes(self, *_):
        """The right pane (if any) follows this window's lecture mode; a pane opened later follows too."""
        sbs = getattr(self.window, "side_by_side", None)
        if sbs is not None and not self._watching_panes and (self.on or self.styled):
            self._watching_panes = True
            sbs.action.toggled.connect(lambda _on: QTimer.singleShot(0, self._sync_panes))
        for pane in self._panes():
            pane.lecture.follow(self.on, self.styled)
    @property
    def factor(self) -> float:
        return FACTOR if self.styled else 1.0

    def _on_change(self, *_):
        if self.captioned:
            self._update_caption()
        if self.styled:
            self._restyle_timer.start()

    def _update_caption(self) -> None:
        if not self.captioned:
            return
        font = QFont(QApplication.instance().font())
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.caption.setFont(font)
        self.caption.setText(self.window.timeline.step_text() or "No run yet: open an example (File > Examples).")

    def restyle(self) -> None:
        """Bring every figure of the window's centre to the current factor (after views redrew)."""
        apply_to_widget(self.window.centralWidget(), self.factor)
        for index in range(self.window.tabs.count()):  # tabs not shown now are restyled too
            apply_to_widget(self.window.tabs.widget(index), self.factor)

    def export_slide(self, path) -> Path:
        """The window's centre (caption, figures, timeline) drawn into a 1920x1080 PNG, letterboxed on white."""
        central = self.window.centralWidget()
        for view in central.findChildren(ScatterView):
            view.flush()  # what a view draws shortly after a resize (rasters, K-means' regions), drawn now
        w, h = SLIDE_SIZE
        image = QImage(w, h, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        size = central.size()
        scale = min(w / max(1, size.width()), h / max(1, size.height()))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        target = QRectF((w - size.width() * scale) / 2, (h - size.height() * scale) / 2,
                        size.width() * scale, size.height() * scale)
        painter.translate(target.topLeft())
        painter.scale(scale, scale)
        central.render(painter, QPoint(0, 0))
        painter.end()

        def write(tmp):
            if not image.save(str(tmp), "PNG"):
                raise OSError(f"could not write a PNG to {tmp}")
        return atomic_write(path, write)


def _repolish(window) -> None:
    """Widgets with a style sheet keep the font they were polished with: polish them again for the new one."""
    for widget in window.findChildren(QWidget):
        if widget.styleSheet():
            widget.style().unpolish(widget)
            widget.style().polish(widget)
            widget.updateGeometry()
