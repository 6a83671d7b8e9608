"""Room made for text follows the text: pixel sizes given for the normal font, scaled with the application font.

A least height that keeps two rows of tick labels apart, an axis wide enough for its numbers, the line height of
tile captions: each is a number of pixels that is right for the normal font (:data:`NORMAL_POINTS`). Lecture mode
makes the application font 1.75 times larger (:mod:`gui.shell.lecture`); room measured in pixels would then be
too small (tick labels run into the axis title, a title is cut, captions stay small beside large text). Widgets
that make such room ask :func:`text_scale` when they lay out, and again on ``QEvent.FontChange`` (Qt sends it to
every widget when the application font changes), so they follow lecture mode without being told.

Example
-------
>>> from PySide6.QtWidgets import QApplication
>>> app = QApplication.instance() or QApplication([])
>>> font = app.font(); font.setPointSizeF(2 * NORMAL_POINTS); app.setFont(font)
>>> text_scale(), scaled(70)
(2.0, 140)
>>> font.setPointSizeF(NORMAL_POINTS); app.setFont(font)
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QFont, QPainter
from PySide6.QtWidgets import QApplication, QLabel

__all__ = ["NORMAL_POINTS", "text_scale", "scaled", "TitleLabel", "ElidedLabel", "FittedLabel"]

#: The application font (points) the pixel sizes of the views were chosen for.
NORMAL_POINTS = 9.0


def text_scale() -> float:
    """The application font's size over :data:`NORMAL_POINTS`, never below 1 (room never shrinks below what
    the views were made with)."""
    app = QApplication.instance()
    points = app.font().pointSizeF() if app is not None else NORMAL_POINTS
    return max(1.0, points / NORMAL_POINTS) if points > 0 else 1.0


def scaled(pixels: float) -> int:
    """``pixels`` (right for the normal font) for the application font now, rounded up to whole pixels."""
    return int(-(-pixels * text_scale() // 1))


class TitleLabel(QLabel):
    """A bold, word-wrapped label ``ratio`` times as large as the application font (12 pt beside the normal
    9 pt), following it when it changes (lecture mode): a style sheet's "font-size: 12pt" would stay 12 pt."""

    def __init__(self, text: str = "", ratio: float = 4 / 3, parent=None):
        super().__init__(text, parent)
        self.ratio = ratio
        self.setWordWrap(True)
        self._fit_font()
        app = QApplication.instance()
        if app is not None:  # (an explicit font gets no FontChange when the application font changes)
            app.fontChanged.connect(self._fit_font)

    def _fit_font(self, *_):
        app = QApplication.instance()
        font = QFont(self.font())
        font.setPointSizeF((app.font().pointSizeF() if app is not None else NORMAL_POINTS) * self.ratio)
        font.setBold(True)
        self.setFont(font)


class ElidedLabel(QLabel):
    """A one-line label that ends in "…" when its text is wider than the label (give it the whole text as tooltip)."""

    def paintEvent(self, event):
        painter = QPainter(self)
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.width())
        painter.drawText(self.rect(), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)


class FittedLabel(ElidedLabel):
    """A one-line label that shows the first of its ``texts`` (the whole one first, then shorter ones) that fits
    its width, the tooltip having the whole text when a shorter one shows. It is never narrower than its shortest
    text, so it is never cut; it asks for the room of the whole one.

    With ``elide``, its width is the layout's business (it may be narrower than the shortest text, which then ends
    in "…") and the tooltip always has the whole text: the timeline's objective, "J = sum of squared ℓ2 distances
    = 124.475", else "J = 124.475" (the number stays in sight), else that elided. :meth:`set_texts` changes them.
    """

    def __init__(self, texts, parent=None, elide: bool = False):
        super().__init__(texts[0], parent)
        self.texts = tuple(texts)
        self.elide = elide

    def set_texts(self, *texts: str) -> None:
        self.texts = tuple(texts)
        self.updateGeometry()
        self._fit()

    def _width(self, text: str) -> int:
        m = self.contentsMargins()
        return self.fontMetrics().horizontalAdvance(text) + m.left() + m.right() + 2 * self.margin() + 1

    def minimumSizeHint(self) -> QSize:
        if self.elide:
            return super().minimumSizeHint()
        return QSize(self._width(self.texts[-1]), super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:
        return QSize(self._width(self.texts[0]), super().sizeHint().height())

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.updateGeometry()
            self._fit()

    def paintEvent(self, event):
        (super() if self.elide else super(ElidedLabel, self)).paintEvent(event)  # elided, or as any label

    def _fit(self):
        text = next((t for t in self.texts if self._width(t) <= self.width()), self.texts[-1])
        if text != self.text():
            self.setText(text)
        self.setToolTip(self.texts[0] if self.elide or text != self.texts[0] else "")
