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
