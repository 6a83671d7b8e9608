"""The contingency table of the Scores view: clusters (rows) x true labels (columns), counts in the cells.

Row headers carry the cluster's colour and name as the scatter draws them; column headers the true
label's name and the colour its points take under "Colour by true label". The largest count of each
row (the cluster's majority label, what purity counts) is bold, and every cell is tinted by its share of
the row. Clicking a cell emits :attr:`ContingencyTable.sigCellChosen` with the cluster and label ids.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

__all__ = ["ContingencyTable", "swatch"]


def swatch(hex_colour: str, size: int = 12) -> QIcon:
    """A small square of this colour, for headers."""
    pix = QPixmap(size, size)
    pix.fill(QColor(hex_colour))
    return QIcon(pix)


class ContingencyTable(QTableWidget):
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
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setMinimumSectionSize(34)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setToolTip("Points of each cluster (row) with each true label (column); click a cell to ring "
                        "those points on the scatter and mark their silhouette bars.")
        self.clusters = np.empty(0, dtype=np.int64)
        self.classes = np.empty(0, dtype=np.int64)
        self.counts = np.zeros((0, 0), dtype=np.int64)
        self.cellClicked.connect(self._on_cell)

    def show_table(self, contingency, cluster_names, cluster_colours, class_names, class_colours):
        """Fill the table from an :class:`engine.scores.Contingency` and the headers' names and colours."""
        table = contingency.table
        self.clusters, self.classes, self.counts = contingency.clusters, contingency.classes, table
        self.setRowCount(table.shape[0])
        self.setColumnCount(table.shape[1])
        for j, (name, colour) in enumerate(zip(class_names, class_colours)):
            item = QTableWidgetItem(swatch(colour), name)
            item.setToolTip(f"true label {name}")
            self.setHorizontalHeaderItem(j, item)
        for i, (name, colour) in enumerate(zip(cluster_names, cluster_colours)):
            self.setVerticalHeaderItem(i, QTableWidgetItem(swatch(colour), f"{name} ({int(table[i].sum())})"))
        bold = QFont(self.font())
        bold.setBold(True)
        for i in range(table.shape[0]):
            row = table[i]
            top, total = int(row.max(initial=0)), max(int(row.sum()), 1)
            for j in range(table.shape[1]):
                count = int(row[j])
                item = QTableWidgetItem(str(count))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if count == 0:
                    item.setForeground(QBrush(QColor("#AAAAAA")))
                else:
                    item.setBackground(QBrush(QColor(70, 120, 200, int(20 + 120 * count / total))))
                if count and count == top:
                    item.setFont(bold)
                self.setItem(i, j, item)

    def clear_table(self):
        self.setRowCount(0)
        self.setColumnCount(0)
        self.clusters = self.classes = np.empty(0, dtype=np.int64)
        self.counts = np.zeros((0, 0), dtype=np.int64)

    def cell_centre(self, cluster: int, label: int):
        """The viewport position of the cell of ``cluster`` and true ``label`` (for clicks)."""
        i = int(np.flatnonzero(self.clusters == cluster)[0])
        j = int(np.flatnonzero(self.classes == label)[0])
        return self.visualRect(self.model().index(i, j)).center()

    def _on_cell(self, row: int, column: int):
        if 0 <= row < self.clusters.size and 0 <= column < self.classes.size:
            self.sigCellChosen.emit(int(self.clusters[row]), int(self.classes[column]))
