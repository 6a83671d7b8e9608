"""The contingency table of the Scores view: clusters (rows) x true labels (columns), counts in the cells.

Row headers carry the cluster's colour and name as the scatter draws them; column headers the true
label's name and the colour its points take under "Colour by true label". The largest count of each
row (the cluster's majority label, what purity counts) is bold, and every cell is tinted by its share of
the row. Clicking a cell emits :attr:`ContingencyTable.sigCellChosen` with the cluster and label ids.

The counts live in a :class:`ContingencyModel` (a Qt item model over the numpy table), so a table of
hundreds of clusters (HAC's first steps: nearly one cluster per point) fills at once: the view asks for
the cells it shows and the headers size themselves once per fill, not once per cell.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

__all__ = ["ContingencyTable", "ContingencyModel", "swatch"]

_ROLE = Qt.ItemDataRole
_GREY = QBrush(QColor("#AAAAAA"))
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def swatch(hex_colour: str, size: int = 12) -> QIcon:
    """A small square of this colour, for headers."""
    pix = QPixmap(size, size)
    pix.fill(QColor(hex_colour))
    return QIcon(pix)


class ContingencyModel(QAbstractTableModel):
    """Counts per cluster (row) and true label (column), with the headers' names and colour swatches."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.counts = np.zeros((0, 0), dtype=np.int64)
        self._rows: list[tuple[str, QIcon]] = []
        self._columns: list[tuple[str, QIcon]] = []
        self._top = np.zeros(0, dtype=np.int64)
        self._total = np.ones(0, dtype=np.int64)
        self.bold = QFont()
        self.bold.setBold(True)

    def set_font(self, font: QFont) -> None:
        """The majorities are in ``font``, bold (the view's font: lecture mode makes it larger)."""
        self.bold = QFont(font)
        self.bold.setBold(True)

    def fill(self, table, rows, columns):
        """Show ``table`` (counts); ``rows`` and ``columns``: (name, colour) of each header."""
        self.beginResetModel()
        self.counts = np.asarray(table, dtype=np.int64)
        self._rows = [(f"{name} ({int(total)})", swatch(colour))
                      for (name, colour), total in zip(rows, self.counts.sum(axis=1))]
        self._columns = [(name, swatch(colour)) for name, colour in columns]
        self._top = self.counts.max(axis=1, initial=0)
        self._total = np.maximum(self.counts.sum(axis=1), 1)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else self.counts.shape[0]

    def columnCount(self, parent=QModelIndex()):  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else self.counts.shape[1]

    def data(self, index, role=_ROLE.DisplayRole):
        if not index.isValid():
            return None
        i, j = index.row(), index.column()
        count = int(self.counts[i, j])
        if role == _ROLE.DisplayRole:
            return str(count)
        if role == _ROLE.TextAlignmentRole:
            return _RIGHT
        if role == _ROLE.ForegroundRole and count == 0:
            return _GREY
        if role == _ROLE.BackgroundRole and count:
            return QBrush(QColor(70, 120, 200, int(20 + 120 * count / int(self._total[i]))))
        if role == _ROLE.FontRole and count and count == int(self._top[i]):
            return self.bold
        return None

    def headerData(self, section, orientation, role=_ROLE.DisplayRole):  # noqa: N802 - Qt's name
        headers = self._columns if orientation == Qt.Orientation.Horizontal else self._rows
        if not 0 <= section < len(headers):
            return None
        name, icon = headers[section]
        if role == _ROLE.DisplayRole:
            return name
        if role == _ROLE.DecorationRole:
            return icon
        if role == _ROLE.ToolTipRole and orientation == Qt.Orientation.Horizontal:
            return f"true label {name}"
        return None


class ContingencyTable(QTableView):
    """Counts of points per cluster and true label (see the module docstring).

    Signals
    -------
    sigCellChosen(int, int)
        A cell was clicked: its cluster id and true label id.
    """

    sigCellChosen = Signal(int, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("contingency_table")
        self.table_model = ContingencyModel(self)
        self.table_model.set_font(self.font())
        self.setModel(self.table_model)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.horizontalHeader().setMinimumSectionSize(34)
        for header in (self.horizontalHeader(), self.verticalHeader()):
            header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.setToolTip("Points of each cluster (row) with each true label (column); click a cell to ring "
                        "those points on the scatter and mark their silhouette bars.")
        self.clusters = np.empty(0, dtype=np.int64)
        self.classes = np.empty(0, dtype=np.int64)
        self.clicked.connect(lambda index: self._on_cell(index.row(), index.column()))

    def show_table(self, contingency, cluster_names, cluster_colours, class_names, class_colours):
        """Fill the table from an :class:`engine.scores.Contingency` and the headers' names and colours."""
        self.clusters, self.classes = contingency.clusters, contingency.classes
        self.table_model.fill(contingency.table, zip(cluster_names, cluster_colours), zip(class_names, class_colours))
        self.resizeColumnsToContents()  # once per fill (per-cell resizing is quadratic in the rows)

    def changeEvent(self, event):
        """A new font (lecture mode scales the application's): bold counts in it, and rows and columns measured
        again once the headers have it too, so no count is cut to '…' and no row to half its text."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.table_model.set_font(self.font())
            QTimer.singleShot(0, self, self._refit)

    def _refit(self):
        self.resizeRowsToContents()
        self.resizeColumnsToContents()

    def clear_table(self):
        self.table_model.fill(np.zeros((0, 0), dtype=np.int64), [], [])
        self.clusters = self.classes = np.empty(0, dtype=np.int64)

    @property
    def counts(self) -> np.ndarray:
        """The counts shown: (clusters, true labels)."""
        return self.table_model.counts

    def rowCount(self) -> int:  # noqa: N802 - as QTableWidget names it
        return self.table_model.rowCount()

    def columnCount(self) -> int:  # noqa: N802 - as QTableWidget names it
        return self.table_model.columnCount()

    def cell_text(self, row: int, column: int) -> str:
        """The text shown in a cell."""
        return self.table_model.data(self.table_model.index(row, column))

    def header_icon(self, column: int) -> QIcon:
        """The colour swatch of a column (true label) header."""
        return self.table_model.headerData(column, Qt.Orientation.Horizontal, _ROLE.DecorationRole)

    def cell_centre(self, cluster: int, label: int):
        """The viewport position of the cell of ``cluster`` and true ``label`` (for clicks)."""
        i = int(np.flatnonzero(self.clusters == cluster)[0])
        j = int(np.flatnonzero(self.classes == label)[0])
        return self.visualRect(self.model().index(i, j)).center()

    def _on_cell(self, row: int, column: int):
        if 0 <= row < self.clusters.size and 0 <= column < self.classes.size:
            self.sigCellChosen.emit(int(self.clusters[row]), int(self.classes[column]))
