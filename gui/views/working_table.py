"""One table of a step's working in the Working view: title, formula, the numbers, a note, and a copy menu.

:class:`TableBlock` shows an :class:`engine.core.working.Table`: the title in bold, the formula
as rich text (:func:`gui.views.working_tex.tex_to_html`), the cells to 4 significant digits (full
precision in each cell's tooltip) with the highlighted cells tinted in their cluster's colour, and
the note. Its context menu copies the table as Markdown, LaTeX or CSV (the table's own
``markdown()``, ``latex()``, ``csv()``). Rows that stand for points report clicks
(``sigPointChosen``) so the view can ring the point on the scatter.
"""
from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QGuiApplication, QIcon, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QHeaderView, QLabel, QMenu, QSizePolicy, QTableWidget,
                               QTableWidgetItem, QVBoxLayout)

from engine.core.working import Table, fmt
from gui.views.working_tex import tex_to_html

__all__ = ["TableBlock", "VISIBLE_ROWS", "tint"]

#: A table shows at most this many rows at once (it scrolls beyond), so several tables fit in view.
VISIBLE_ROWS = 12


def tint(hex_colour: str, amount: float = 0.45) -> QColor:
    """``hex_colour`` mixed with white (``amount`` of the colour): a cell background dark text stays readable on."""
    c = QColor(hex_colour)
    mix = lambda v: round(255 - amount * (255 - v))  # noqa: E731
    return QColor(mix(c.red()), mix(c.green()), mix(c.blue()))


def swatch(hex_colour: str) -> QIcon:
    pix = QPixmap(10, 10)
    pix.fill(QColor(hex_colour))
    return QIcon(pix)


class TableBlock(QFrame):
    """One working table (see the module docstring).

    Parameters
    ----------
    table : engine.core.working.Table
    cell_colours : dict
        ``(row, column) -> "#rrggbb"`` for the highlighted cells.
    header_colours : (dict, dict)
        Row and column indices -> colour of the cluster a header names (a swatch beside it).
    points : list of int or None
        The point each row stands for (``-1``: a summary row), or None when the rows are not points.

    Signals
    -------
    sigPointChosen(int)
        The person selected the row of this point.
    """

    sigPointChosen = Signal(int)

    def __init__(self, table: Table, cell_colours: dict, header_colours=({}, {}), points=None, parent=None,
                 header_names=({}, {})):
        super().__init__(parent)
        self.table, self.points = table, points
        self.setObjectName("working_block")
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 6, 0, 6)
        v.setSpacing(3)
        self.title = QLabel(f"<b>{html.escape(table.title)}</b>")
        self.title.setObjectName("working_title")
        self.title.setWordWrap(True)  # at the view's width (set_text_width), like the formula and the note
        self.formula = QLabel(tex_to_html(table.formula))
        self.formula.setObjectName("working_formula")
        self.formula.setTextFormat(Qt.TextFormat.RichText)
        self.formula.setWordWrap(True)
        self.formula.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._formula_font()
        self.grid = self._build_grid(table, cell_colours, header_colours, header_names)
        self.note = QLabel(table.note)
        self.note.setObjectName("working_note")
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #555;")
        self.note.setVisible(bool(table.note))
        for w in (self.title, self.formula, self.grid, self.note):
            v.addWidget(w)
        self.menu = self._build_menu()
        self.grid.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.grid.customContextMenuRequested.connect(self._on_menu)
        self.grid.itemSelectionChanged.connect(self._on_selection)

    # ---------------------------------------------------------------- building
    def _formula_font(self) -> None:
        """The formula in a math font 1.2 times the block's font (again whenever that font changes)."""
        font = QFont(self.font())
        font.setFamilies(["STIX Two Math", "Cambria Math", "DejaVu Serif", "Times New Roman", "serif"])
        font.setPointSizeF(self.font().pointSizeF() * 1.2)
        self.formula.setFont(font)

    def set_text_width(self, width: int) -> None:
        """The title, formula and note wrap at ``width`` (the visible width of the view): a table wider than
        the view scrolls sideways, its text does not run off the view."""
        self._text_width = width = max(100, width)
        for label in (self.title, self.formula, self.note):
            label.setMaximumWidth(width)
            # the block's layout asks a label its height at the block's width, not at the label's maximum
            label.setMinimumHeight(max(0, label.heightForWidth(width)) if label.wordWrap() else 0)

    def changeEvent(self, event):
        """A new font (lecture mode scales the application's): the formula follows it and the table, whose
        size was fixed to its cells, is measured again once its cells have the new font, so no row or column
        is cut off."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.ApplicationFontChange) and hasattr(self, "grid"):
            self._formula_font()
            QTimer.singleShot(0, self, self._refit)

    def _refit(self) -> None:
        self._fit(self.grid)
        if getattr(self, "_text_width", None):
            self.set_text_width(self._text_width)

    def _build_grid(self, table: Table, cell_colours: dict, header_colours, header_names=({}, {})) -> QTableWidget:
        grid = QTableWidget(len(table.rows), len(table.columns))
        grid.setObjectName("working_table")
        grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        grid.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        grid.setAlternatingRowColors(False)
        grid.setWordWrap(False)
        row_cols, col_cols = header_colours
        row_names, col_names = header_names  # the window's names of the clusters a label stands for
        for c, name in enumerate(table.columns):
            item = QTableWidgetItem(col_names.get(c, name))
            item.setToolTip(name)
            if c in col_cols:
                item.setIcon(swatch(col_cols[c]))
            grid.setHorizontalHeaderItem(c, item)
        for r, name in enumerate(table.rows):
            item = QTableWidgetItem(row_names.get(r, name))
            item.setToolTip(name)
            if r in row_cols:
                item.setIcon(swatch(row_cols[r]))
            grid.setVerticalHeaderItem(r, item)
        bold = QFont()  # bold alone: the size follows the table's font (lecture mode makes it larger)
        bold.setBold(True)
        for r, row in enumerate(table.values):
            for c, value in enumerate(row):
                item = QTableWidgetItem(fmt(value))
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    item.setToolTip(repr(value))
                if (r, c) in cell_colours:
                    item.setBackground(QBrush(tint(cell_colours[(r, c)])))
                    item.setFont(bold)
                grid.setItem(r, c, item)
        grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        grid.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        grid.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        grid.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._fit(grid)
        return grid

    @staticmethod
    def _fit(grid: QTableWidget) -> None:
        """Exactly as wide as its columns and as tall as its rows (at most :data:`VISIBLE_ROWS` of them, then it
        scrolls): the view around it scrolls sideways when a table is wider than the tab."""
        grid.resizeColumnsToContents()
        grid.resizeRowsToContents()
        shown = min(grid.rowCount(), VISIBLE_ROWS)
        frame = 2 * grid.frameWidth()
        bar = grid.verticalScrollBar().sizeHint().width() if grid.rowCount() > VISIBLE_ROWS else 0
        grid.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn if bar else
                                        Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        grid.setFixedWidth(grid.verticalHeader().sizeHint().width() + grid.horizontalHeader().length() + frame + bar)
        grid.setFixedHeight(grid.horizontalHeader().sizeHint().height()
                            + sum(grid.rowHeight(r) for r in range(shown)) + frame)

    def _build_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.setObjectName("working_menu")
        for label, what in (("Copy as Markdown", "markdown"), ("Copy as LaTeX", "latex"), ("Copy as CSV", "csv")):
            action = QAction(label, menu)
            action.setObjectName(f"copy_{what}")
            action.triggered.connect(lambda _=False, w=what: self.copy(w))
            menu.addAction(action)
        return menu

    # ---------------------------------------------------------------- what the person does
    def copy(self, what: str) -> str:
        """Put the table on the clipboard as ``"markdown"``, ``"latex"`` or ``"csv"``; return the text."""
        text = getattr(self.table, what)()
        QGuiApplication.clipboard().setText(text)
        return text

    def _on_menu(self, pos: QPoint):
        self.menu.popup(self.grid.viewport().mapToGlobal(pos))

    def _on_selection(self):
        rows = self.grid.selectionModel().selectedRows()
        if rows and self.points is not None:
            i = self.points[rows[0].row()]
            if i >= 0:
                self.sigPointChosen.emit(int(i))

    def select_point(self, i: int) -> bool:
        """Select the row of point ``i`` (without reporting it back); False when no row shows it."""
        if self.points is None or i not in self.points:
            return False
        r = self.points.index(i)
        self.grid.blockSignals(True)
        try:
            self.grid.selectRow(r)
        finally:
            self.grid.blockSignals(False)
        self.grid.scrollToItem(self.grid.item(r, 0) or self.grid.verticalHeaderItem(r))
        return True

    def selected_point(self) -> int | None:
        """The point whose row is selected (None: none, or not a point's row)."""
        rows = self.grid.selectionModel().selectedRows()
        if not rows or self.points is None:
            return None
        i = self.points[rows[0].row()]
        return int(i) if i >= 0 else None
