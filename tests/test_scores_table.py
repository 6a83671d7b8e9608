"""The Scores view's contingency table: a model over the counts, so hundreds of clusters fill at once."""
import numpy as np
from PySide6.QtCore import Qt

from engine import scores as engine
from gui.views.scores_table import ContingencyTable


def test_hundreds_of_clusters_fill_one_model_with_the_counts_headers_and_majorities(qtbot):
    """HAC's first steps on 800 points: ~800 clusters x 2 true labels (a per-cell item table took seconds)."""
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, 800)
    labels = np.arange(800) // 2  # 400 clusters of two points
    c = engine.contingency(truth, labels)
    table = ContingencyTable()
    qtbot.addWidget(table)
    names = [f"cluster {i + 1}" for i in c.clusters.tolist()]
    table.show_table(c, names, ["#1f77b4"] * len(names), ["a", "b"], ["#ff0000", "#00ff00"])
    model = table.model()
    assert (model.rowCount(), model.columnCount()) == (400, 2) == (table.rowCount(), table.columnCount())
    for i in (0, 17, 399):
        row = c.table[i]
        assert [int(table.cell_text(i, j)) for j in range(2)] == row.tolist()
        assert model.headerData(i, Qt.Orientation.Vertical) == f"cluster {i + 1} ({int(row.sum())})"
        for j in range(2):
            font = model.data(model.index(i, j), Qt.ItemDataRole.FontRole)
            assert (font is not None and font.bold()) == (row[j] > 0 and row[j] == row.max())
            grey = model.data(model.index(i, j), Qt.ItemDataRole.ForegroundRole)
            assert (grey is not None) == (row[j] == 0)
    assert model.headerData(1, Qt.Orientation.Horizontal) == "b"
    assert table.header_icon(1).pixmap(4, 4).toImage().pixelColor(1, 1).name() == "#00ff00"
    table.clear_table()
    assert table.rowCount() == 0 and table.clusters.size == 0


def test_a_larger_font_refits_the_columns_and_rows(qtbot):
    """Lecture mode's 1.75x font: the counts (bold majorities too) and the headers are measured again; the
    columns and rows sized for the normal font cut three-digit counts to '…' and rows to half their text."""
    from PySide6.QtGui import QFont

    truth = np.repeat([0, 1, 2], [150, 200, 120])
    labels = np.repeat([0, 1], [230, 240])
    c = engine.contingency(truth, labels)
    table = ContingencyTable()
    qtbot.addWidget(table)
    table.resize(500, 300)
    table.show()
    qtbot.waitExposed(table)
    table.show_table(c, ["cluster 1", "cluster 2"], ["#0072B2", "#E69F00"], ["0", "1", "2"],
                     ["#0072B2", "#E69F00", "#009E73"])
    table.resizeRowsToContents()  # as the Scores view does when the number of rows changes

    def fits():
        return (all(table.columnWidth(j) >= table.sizeHintForColumn(j) for j in range(table.columnCount()))
                and all(table.rowHeight(i) >= table.verticalHeader().sectionSizeHint(i) for i in range(table.rowCount())))

    assert fits()
    normal = [table.rowHeight(i) for i in range(table.rowCount())]
    font = QFont(table.font())
    font.setPointSizeF(font.pointSizeF() * 1.75)
    table.setFont(font)
    qtbot.waitUntil(fits, timeout=2000)
    bold = table.model().data(table.model().index(0, 0), Qt.ItemDataRole.FontRole)
    assert bold.bold() and abs(bold.pointSizeF() - font.pointSizeF()) < 1e-6
    table.setFont(QFont(font.family(), round(font.pointSizeF() / 1.75)))  # back: the rows as before
    qtbot.waitUntil(lambda: [table.rowHeight(i) for i in range(table.rowCount())] == normal, timeout=2000)
