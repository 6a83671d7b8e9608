"""Geometry checks of what a window draws: texts that overlap, texts below 8 pt, clipped or elided texts.

Every function returns a list of human-readable problems ("ex4 800x600, tab Prototypes: text '0.1' overlaps
'0.1' at (312, 40)"); an empty list means the widget passed. Nothing is drawn: the checks read the geometry
Qt and pyqtgraph computed for the current size (call them after the window has laid itself out).

* **Scenes** (every visible :class:`QGraphicsView` under a widget): the texts are every visible
  ``QGraphicsTextItem`` / ``QGraphicsSimpleTextItem`` (pyqtgraph's ``TextItem``, ``LabelItem``, legend labels
  and axis titles are made of them) and the tick labels each ``AxisItem`` draws (its own draw specs). A text's
  rectangle is its laid-out lines (not the item's padded bounding box) in viewport pixels, cut to what the
  view and any clipping parent (a ViewBox) show; a text cut away entirely is not on screen and not checked.
  Two texts overlap when their rectangles share more than :data:`TOUCH` pixels both ways (touching is fine).
  A legend covers data when a point or a line of the same plot passes under it. A text pinned in a plot (a
  point's name, a mean's number) must not lie over a large mark of that plot (a centre, a cross, a mode).
* **Widgets**: labels, buttons, check boxes, combo boxes, spin boxes, line edits, group boxes, tables and text
  views; their rectangles are cut to their ancestors' (a scroll area shows part of its contents).
* **Sizes** are what reaches the screen: a text item's font (each HTML fragment's own size) times the scale
  its item is drawn at; a pixel size counts as ``px * 72 / 96``.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPicture, QTextDocument, QTextFormat
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractScrollArea, QAbstractSpinBox, QApplication, QCheckBox,
                               QComboBox, QDoubleSpinBox, QGraphicsItem, QGraphicsSimpleTextItem,
                               QGraphicsTextItem, QGraphicsView, QGroupBox, QLabel, QLineEdit, QPushButton,
                               QRadioButton, QStyle, QStyleOptionButton, QStyleOptionComboBox, QTabBar, QTextEdit,
                               QToolButton, QWidget)

from gui.widgets.text_room import text_scale

__all__ = ["MIN_POINTS", "LECTURE_POINTS", "TOUCH", "Text", "scene_texts", "check_scene", "check_widgets", "check_window",
           "widget_texts"]

#: No text smaller than this (points, as drawn).
MIN_POINTS = 8.0
#: No text smaller than this in lecture mode (#12 item 13: fonts at least 1.6 times the normal least size).
LECTURE_POINTS = 1.6 * MIN_POINTS
#: Two rectangles that share at most this many pixels (either way) touch; more is an overlap.
TOUCH = 1.0
#: A text whose rectangle loses at most this many pixels to the edge of its plot is whole (the rectangle has
#: the font's full line height; the glyphs are shorter).
CUT = 3.0
DPI = 96.0
SIZE_TOLERANCE = 0.05  # points: 7.96 pt is 8 pt rounded by a pixel size


@dataclass
class Text:
    """A text as drawn: its words, its rectangle (window or viewport pixels) and its smallest size in points."""

    text: str
    rect: QRectF
    points: float
    owner: object = None
    cut: bool = False  # partly hidden by the edge of its view or plot

    def short(self) -> str:
        t = " ".join(self.text.split())
        return repr(t if len(t) <= 40 else t[:37] + "...")


def _where(rect: QRectF) -> str:
    return f"({rect.x():.0f}, {rect.y():.0f})"


def _px_to_pt(px: float) -> float:
    return px * 72.0 / DPI


def font_points(font: QFont) -> float:
    """The size of ``font`` in points (a pixel size converted)."""
    return _px_to_pt(font.pixelSize()) if font.pixelSize() > 0 else font.pointSizeF()


# ============================================================================ documents (rich text)
def document_points(doc: QTextDocument) -> float:
    """The smallest size (points) of any visible character of ``doc``: each fragment's own size, an HTML size
    adjustment (<small>) relative to the document's font, else the document's font."""
    base = font_points(doc.defaultFont())
    app = font_points(QApplication.font()) or base
    smallest = math.inf
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            if frag.text().strip():
                fmt = frag.charFormat()
                font = fmt.font()
                if fmt.fontPointSize() > 0:
                    size = fmt.fontPointSize()
                elif font.pixelSize() > 0:
                    size = _px_to_pt(font.pixelSize())
                elif fmt.property(QTextFormat.Property.FontSizeAdjustment):
                    size = base * font.pointSizeF() / app
                else:
                    size = base
                smallest = min(smallest, size)
            it += 1
        block = block.next()
    return smallest if smallest < math.inf else base


def document_rect(doc: QTextDocument) -> QRectF:
    """The union of the laid-out lines of ``doc`` (its margins and the unused width of its lines left out)."""
    out = QRectF()
    block = doc.begin()
    while block.isValid():
        layout = block.layout()
        if layout is not None and block.text().strip():
            for i in range(layout.lineCount()):
                r = layout.lineAt(i).naturalTextRect().translated(layout.position())
                if r.width() > 0:
                    out = out.united(r)
        block = block.next()
    return out


# ============================================================================ scenes
def _scale(t) -> float:
    return math.sqrt(abs(t.m11() * t.m22() - t.m12() * t.m21()))


def _clip(item: QGraphicsItem, view: QGraphicsView, rect: QRectF) -> QRectF:
    """``rect`` (viewport pixels) cut to the viewport and to every ancestor of ``item`` that clips its children."""
    out = rect.intersected(QRectF(view.viewport().rect()))
    parent = item.parentItem()
    while parent is not None and not out.isEmpty():
        if parent.flags() & QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape:
            box = view.mapFromScene(parent.mapToScene(parent.shape())).boundingRect()
            out = out.intersected(QRectF(box))
        parent = parent.parentItem()
    return out


def _item_text(item, view: QGraphicsView) -> Text | None:
    t = item.deviceTransform(view.viewportTransform())
    if isinstance(item, QGraphicsTextItem):
        text, doc = item.toPlainText(), item.document()
        local, points = document_rect(doc), document_points(doc)
    else:
        text = item.text()
        local, points = item.boundingRect(), font_points(item.font())
    if not text.strip() or local.isEmpty():
        return None
    rect = t.mapRect(local)
    return Text(text, rect, points * _scale(t), item)


def _axis_texts(axis: pg.AxisItem, view: QGraphicsView) -> list[Text]:
    """The tick labels ``axis`` draws now (its own draw specs), in viewport pixels."""
    if not axis.style.get("showValues", True):
        return []
    picture = QPicture()
    painter = QPainter(picture)
    try:
        font = axis.style["tickFont"] or painter.font()
        painter.setFont(font)
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    if specs is None:
        return []
    t = axis.deviceTransform(view.viewportTransform())
    points = font_points(font) * _scale(t)
    return [Text(text, t.mapRect(QRectF(rect)), points, axis) for rect, _flags, text in specs[2] if text.strip()]


def scene_texts(view: QGraphicsView) -> list[Text]:
    """Every text ``view`` shows now (see the module docstring), cut to what is visible."""
    scene = view.scene()
    out: list[Text] = []
    if scene is None:
        return out
    for item in scene.items():
        if not item.isVisible() or item.effectiveOpacity() < 0.05:
            continue
        if isinstance(item, (QGraphicsTextItem, QGraphicsSimpleTextItem)):
            texts = [_item_text(item, view)]
        elif isinstance(item, pg.AxisItem):
            texts = _axis_texts(item, view)
        else:
            continue
        for text in texts:
            if text is None:
                continue
            whole, text.rect = text.rect, _clip(item, view, text.rect)
            if not text.rect.isEmpty():
                text.cut = text.rect.width() < whole.width() - CUT or text.rect.height() < whole.height() - CUT
                out.append(text)
    return out


def overlaps(texts: list[Text]) -> list[tuple[Text, Text, QRectF]]:
    """Pairs of ``texts`` whose rectangles share more than :data:`TOUCH` pixels both ways."""
    if len(texts) < 2:
        return []
    r = np.array([[t.rect.left(), t.rect.top(), t.rect.right(), t.rect.bottom()] for t in texts])
    w = np.minimum(r[:, None, 2], r[None, :, 2]) - np.maximum(r[:, None, 0], r[None, :, 0])
    h = np.minimum(r[:, None, 3], r[None, :, 3]) - np.maximum(r[:, None, 1], r[None, :, 1])
    hit = np.triu((w > TOUCH) & (h > TOUCH), k=1)
    return [(texts[i], texts[j], texts[i].rect.intersected(texts[j].rect)) for i, j in zip(*np.nonzero(hit))]


def _data_points(item, view: QGraphicsView) -> np.ndarray:
    """Viewport pixels of the points of a curve (with its segments sampled) or a scatter item, (m, 2)."""
    if isinstance(item, pg.ScatterPlotItem):
        x, y = item.data["x"], item.data["y"]
        segments = False
    else:
        x, y = item.getData()
        segments = isinstance(item, pg.PlotCurveItem) and item.opts.get("connect", "all") == "all"
    if x is None or len(x) == 0:
        return np.empty((0, 2))
    P = np.column_stack([np.asarray(x, float), np.asarray(y, float)])
    P = P[np.isfinite(P).all(axis=1)]
    if segments and 1 < len(P) < 5000:
        s = np.linspace(0.0, 1.0, 25)[:, None, None]
        P = (P[:-1][None] * (1 - s) + P[1:][None] * s).reshape(-1, 2)
    t = item.deviceTransform(view.viewportTransform())
    return np.column_stack([t.m11() * P[:, 0] + t.m21() * P[:, 1] + t.m31(),
                            t.m12() * P[:, 0] + t.m22() * P[:, 1] + t.m32()])


def _sample_problems(legend: pg.LegendItem) -> list[str]:
    """Legend samples whose symbol is larger than the box pyqtgraph draws it in (it spills onto its text)."""
    out = []
    for sample, label in legend.items:
        item = getattr(sample, "item", None)
        if isinstance(item, pg.PlotDataItem):  # as pyqtgraph's ItemSample draws it
            symbol, size = item.opts.get("symbol"), item.scatter.opts.get("size")
        elif isinstance(item, pg.ScatterPlotItem):
            symbol, size = item.opts.get("symbol", "o"), item.opts.get("size")
        else:
            symbol, size = getattr(item, "opts", {}).get("symbol"), getattr(item, "opts", {}).get("size")
        symbol_size = float(size or 0) if symbol is not None and np.ndim(size) == 0 else 0.0
        if symbol_size > 20 + TOUCH:
            out.append(f"the legend sample of {label.text!r} ({symbol_size:.0f} px) spills out of its 20 px box")
    return out


def legend_problems(view: QGraphicsView) -> list[str]:
    """Legends of ``view`` under which a point or a line of their plot passes, or whose samples spill."""
    out = []
    scene = view.scene()
    for legend in [i for i in scene.items() if isinstance(i, pg.LegendItem) and i.isVisible()]:
        out += _sample_problems(legend)
        plot = legend.parentItem()
        while plot is not None and not isinstance(plot, pg.PlotItem):
            plot = plot.parentItem()
        vb = plot.getViewBox() if plot is not None else None
        if vb is None or not legend.items:
            continue
        box = QRectF(view.mapFromScene(legend.sceneBoundingRect()).boundingRect()).adjusted(2, 2, -2, -2)
        area = QRectF(view.mapFromScene(vb.sceneBoundingRect()).boundingRect())
        for item in vb.addedItems:
            if not item.isVisible() or not isinstance(item, (pg.PlotCurveItem, pg.ScatterPlotItem, pg.PlotDataItem)):
                continue
            if isinstance(item, pg.PlotDataItem):
                continue  # its curve and scatter are checked themselves
            P = _data_points(item, view)
            inside = ((P[:, 0] > box.left()) & (P[:, 0] < box.right()) & (P[:, 1] > box.top())
                      & (P[:, 1] < box.bottom()) & (P[:, 0] > area.left()) & (P[:, 0] < area.right())
                      & (P[:, 1] > area.top()) & (P[:, 1] < area.bottom()))
            if inside.any():
                labels = ", ".join(repr(label.text) for _, label in legend.items)
                out.append(f"the legend ({labels}) covers data at {_where(QRectF(*P[inside][0], 0, 0))}")
                break
    return out


#: A mark this many pixels across or more (a centre, a mean, a cross, a mode) must not be under a text pinned in its
#: plot; smaller marks are data points, which a label may touch.
LARGE_MARK = 12.0


def _viewbox_of(item):
    while item is not None and not isinstance(item, pg.ViewBox):
        item = item.parentItem()
    return item


def _large_marks(vb: pg.ViewBox, view: QGraphicsView) -> np.ndarray:
    """(m, 3) viewport x, y and radius of the large marks (pixel-sized scatter symbols) drawn in ``vb``."""
    out = []
    for item in vb.childGroup.childItems():
        parts = (item.scatter,) if isinstance(item, pg.PlotDataItem) else (item,)
        for part in parts:
            if not isinstance(part, pg.ScatterPlotItem) or not part.isVisible() or not len(part.data) \
                    or not part.opts.get("pxMode", True):
                continue
            sizes = np.where(part.data["size"] < 0, float(part.opts.get("size", 7)), part.data["size"]).astype(float)
            big = (sizes >= LARGE_MARK * text_scale()) & part.data["visible"].astype(bool)  # lecture: all larger
            if big.any():
                P = _data_points(part, view)
                if len(P) == len(sizes):
                    out.append(np.column_stack([P[big], sizes[big] / 2]))
    return np.concatenate(out) if out else np.empty((0, 3))


def mark_problems(texts: list[Text], view: QGraphicsView) -> list[str]:
    """Texts pinned in a plot (pyqtgraph TextItems: point names, numbered means) over one of the plot's large
    marks (by more than :data:`TOUCH` pixels)."""
    out, marks = [], {}
    for t in texts:
        holder = t.owner.parentItem() if isinstance(t.owner, QGraphicsTextItem) else None
        if not isinstance(holder, pg.TextItem):
            continue
        vb = _viewbox_of(holder)
        if vb is None:
            continue
        if id(vb) not in marks:
            marks[id(vb)] = _large_marks(vb, view)
        M = marks[id(vb)]
        if not len(M):
            continue
        r = t.rect
        dx = np.maximum(np.maximum(r.left() - M[:, 0], M[:, 0] - r.right()), 0.0)
        dy = np.maximum(np.maximum(r.top() - M[:, 1], M[:, 1] - r.bottom()), 0.0)
        hit = np.hypot(dx, dy) < M[:, 2] - TOUCH
        if hit.any():
            x, y, _ = M[hit][0]
            out.append(f"text {t.short()} covers a mark at {_where(QRectF(x, y, 0, 0))}")
    return out


def check_scene(view: QGraphicsView, where: str, min_points: float = MIN_POINTS) -> list[str]:
    """Overlapping texts, texts below ``min_points``, texts pinned over large marks and legends over data in
    ``view``'s scene."""
    texts = scene_texts(view)
    out = [f"{where}: text {a.short()} overlaps {b.short()} at {_where(r)}" for a, b, r in overlaps(texts)]
    out += [f"{where}: text {t.short()} is drawn at {t.points:.1f} pt (< {min_points:g}) at {_where(t.rect)}"
            for t in texts if t.points < min_points - SIZE_TOLERANCE]
    out += [f"{where}: text {t.short()} is cut off by the edge of its plot at {_where(t.rect)}" for t in texts if t.cut]
    out += [f"{where}: {p}" for p in legend_problems(view)]
    out += [f"{where}: {p}" for p in mark_problems(texts, view)]
    return out


# ============================================================================ widgets
def _window_rect(w: QWidget, window: QWidget) -> QRectF:
    return QRectF(w.rect().translated(w.mapTo(window, w.rect().topLeft()) - w.rect().topLeft()))


def _visible_rect(w: QWidget, window: QWidget) -> QRectF:
    """``w``'s rectangle in ``window`` coordinates, cut to each ancestor's (empty: not on screen)."""
    return _cut(w, window)[0]


def _cut(w: QWidget, window: QWidget) -> tuple[QRectF, str]:
    """``w``'s visible rectangle in ``window`` and how an ancestor cuts it off where nobody can scroll to the rest
    ("" when it shows whole, or a scroll area can show the rest)."""
    rect = _window_rect(w, window)
    why = ""
    parent = w.parentWidget()
    while parent is not None and parent is not window and not rect.isEmpty():
        box = _window_rect(parent, window)
        cut = rect.intersected(box)
        scroll = parent.parentWidget()
        if isinstance(scroll, QAbstractScrollArea) and parent is scroll.viewport():
            if cut.width() < rect.width() - TOUCH and \
                    scroll.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff and not why:
                why = f"cut off on the right by {type(scroll).__name__} (no horizontal scroll bar)"
        elif (cut.width() < rect.width() - TOUCH or cut.height() < rect.height() - TOUCH) and not why:
            why = f"cut off by {parent.objectName() or type(parent).__name__}"
        rect = cut
        parent = parent.parentWidget()
    return rect, why


def _plain(text: str) -> str:
    return re.sub(r"&(?!&)", "", text).replace("&&", "&")


def _label_text(w: QLabel) -> tuple[str, float]:
    """A label's plain text and its smallest size in points (rich text read as a document)."""
    text = w.text()
    rich = w.textFormat() == Qt.TextFormat.RichText or (
        w.textFormat() == Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(text))
    if not rich:
        return text, font_points(w.font())
    doc = QTextDocument()
    doc.setDefaultFont(w.font())
    doc.setHtml(text)
    return doc.toPlainText(), document_points(doc)


def widget_texts(w: QWidget) -> tuple[str, float]:
    """(the text ``w`` shows, its smallest size in points); "" for a widget that shows none of its own."""
    pts = font_points(w.font())
    if isinstance(w, QLabel):
        return _label_text(w) if w.pixmap().isNull() else ("", pts)
    if isinstance(w, QAbstractButton):
        return _plain(w.text()), pts
    if isinstance(w, QComboBox):
        return w.currentText(), pts
    if isinstance(w, QAbstractSpinBox):
        return w.text(), pts
    if isinstance(w, QLineEdit):
        return w.text() or w.placeholderText(), pts
    if isinstance(w, QGroupBox):
        return _plain(w.title()), pts
    if isinstance(w, QTabBar):
        return " | ".join(w.tabText(i) for i in range(w.count())), pts
    if isinstance(w, QTextEdit):
        return w.toPlainText(), document_points(w.document())
    if isinstance(w, QAbstractItemView):
        return (type(w).__name__ if w.model() is not None and w.model().rowCount() else ""), pts
    return "", pts


def _needed(w: QWidget, text: str) -> float:
    return QFontMetricsF(w.font()).horizontalAdvance(text)


def _button_room(w: QPushButton) -> float:
    """The width a push button has for its text (its icon and the style's margins taken off)."""
    opt = QStyleOptionButton()
    w.initStyleOption(opt)
    room = w.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, opt, w).width()
    room -= 2 * w.style().pixelMetric(QStyle.PixelMetric.PM_ButtonMargin, opt, w) // 2
    if not w.icon().isNull():
        room -= w.iconSize().width() + 4
    return room


def _tool_room(w: QToolButton) -> float:
    """The width a tool button has for its text: a menu arrow drawn inside the button (instant or delayed
    popup) takes room its size hint does not leave for it."""
    room = w.width() - 6
    if not w.icon().isNull() and w.toolButtonStyle() != Qt.ToolButtonStyle.ToolButtonTextOnly:
        room -= w.iconSize().width() + 4
    if w.menu() is not None or w.popupMode() == QToolButton.ToolButtonPopupMode.MenuButtonPopup:
        room -= w.style().pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator, None, w)
    return room


def elided(w: QWidget) -> str:
    """Why ``w``'s text does not show whole ("" when it does)."""
    if isinstance(w, QPushButton):
        text = _plain(w.text())
        if text and _needed(w, text) > _button_room(w) + 0.5:
            return f"button text {text!r} needs {_needed(w, text):.0f} px, has {_button_room(w):.0f}"
    elif isinstance(w, QToolButton):
        text = _plain(w.text())
        if w.toolButtonStyle() != Qt.ToolButtonStyle.ToolButtonIconOnly and text \
                and _needed(w, text) > _tool_room(w) + 0.5:
            return f"button text {text!r} needs {_needed(w, text):.0f} px, has {_tool_room(w):.0f}"
    elif isinstance(w, (QCheckBox, QRadioButton)):
        if w.text() and w.width() < w.sizeHint().width():
            return f"{type(w).__name__} text {_plain(w.text())!r} is cut ({w.width()} < {w.sizeHint().width()} px)"
    elif isinstance(w, QComboBox):
        opt = QStyleOptionComboBox()
        w.initStyleOption(opt)
        room = w.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                        QStyle.SubControl.SC_ComboBoxEditField, w).width()
        if not w.itemIcon(w.currentIndex()).isNull():
            room -= w.iconSize().width() + 4
        if w.currentText() and _needed(w, w.currentText()) > room + 0.5:
            return f"combo box text {w.currentText()!r} needs {_needed(w, w.currentText()):.0f} px, has {room} px"
    elif isinstance(w, QAbstractSpinBox):
        return _spin_problem(w)
    elif isinstance(w, QLabel) and not w.wordWrap() and w.pixmap().isNull():
        text, _ = _label_text(w)
        room = w.contentsRect().width() - 2 * w.margin() - w.indent() * (w.indent() > 0)
        widest = max((_needed(w, line) for line in text.split("\n")), default=0.0)
        policy = w.sizePolicy().horizontalPolicy()
        if text.strip() and widest > room + 1 and policy != policy.Ignored:
            return f"label {text!r} needs {widest:.0f} px, has {room} px"
    return ""


def _spin_problem(w: QAbstractSpinBox) -> str:
    text = w.text()
    room = w.lineEdit().width() - 4 if w.lineEdit() is not None else w.width()
    if text and _needed(w, text) > room + 0.5:
        return f"spin box text {text!r} needs {_needed(w, text):.0f} px, has {room} px"
    if isinstance(w, QDoubleSpinBox):
        clean = w.cleanText().strip()
        if re.search(r"\.\d*0$", clean) or clean.endswith("."):
            return f"spin box shows {clean!r}: more decimals than its value {w.value()!r} needs"
        try:
            shown = float(clean.replace(",", ""))
        except ValueError:
            return f"spin box shows {clean!r} for the value {w.value()!r}"
        if not math.isclose(shown, w.value(), rel_tol=1e-6, abs_tol=1e-300):
            return f"spin box shows {clean!r} for the value {w.value()!r}"
    return ""


TEXT_WIDGETS = (QLabel, QAbstractButton, QComboBox, QAbstractSpinBox, QLineEdit, QGroupBox, QTabBar, QTextEdit,
                QAbstractItemView)
OVERLAP_WIDGETS = (QLabel, QPushButton, QCheckBox, QRadioButton)


def check_widgets(root: QWidget, window: QWidget, where: str, skip=(), min_points: float = MIN_POINTS) -> list[str]:
    """Text widgets under ``root`` (itself included) that are visible: fonts below ``min_points``, elided or cut
    texts, and labels/buttons/check boxes that overlap. Widgets inside ``skip`` (widgets) are left out."""
    out, shown = [], []
    for w in [root] + root.findChildren(QWidget):
        if not isinstance(w, TEXT_WIDGETS) or not w.isVisible() or any(s is w or s.isAncestorOf(w) for s in skip):
            continue
        if isinstance(w, QLineEdit) and isinstance(w.parentWidget(), (QAbstractSpinBox, QComboBox)):
            continue  # the spin box or combo box is checked
        rect, why = _cut(w, window)
        text, points = widget_texts(w)
        if rect.isEmpty() or not text.strip():
            continue
        name = w.objectName() or type(w).__name__
        t = Text(text, rect, points, w)
        if why:
            out.append(f"{where}: {name} {t.short()} is {why}")
        if points < min_points - SIZE_TOLERANCE:
            out.append(f"{where}: {name} {t.short()} is drawn at {points:.1f} pt (< {min_points:g})")
        problem = elided(w)
        if problem:
            out.append(f"{where}: {name}: {problem}")
        if isinstance(w, OVERLAP_WIDGETS):
            shown.append(t)
    for a, b, r in overlaps(shown):
        if not (a.owner.isAncestorOf(b.owner) or b.owner.isAncestorOf(a.owner)):
            out.append(f"{where}: {a.short()} overlaps {b.short()} at {_where(r)}")
    return out


def check_window(root: QWidget, window: QWidget, where: str, skip=(), min_points: float = MIN_POINTS) -> list[str]:
    """:func:`check_widgets` and :func:`check_scene` for every visible graphics view under ``root``; texts below
    ``min_points`` (:data:`MIN_POINTS`; lecture mode asks for :data:`LECTURE_POINTS`) are reported."""
    out = check_widgets(root, window, where, skip, min_points)
    for view in [root] + root.findChildren(QGraphicsView):
        if isinstance(view, QGraphicsView) and view.isVisible() and not any(s.isAncestorOf(view) for s in skip):
            if not _visible_rect(view, window).isEmpty():
                out += check_scene(view, where, min_points)
    return out
