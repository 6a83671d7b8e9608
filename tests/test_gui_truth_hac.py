"""Issue 12, items 1, 2 and 5 in the real window: names and colours agree, the Compare tab follows the run,
one-dimensional data drawn as a number line."""
import numpy as np
import pytest

from engine import session as es
from gui.shell import session_io
from gui.shell.render_window import wait_for_background, wait_for_step

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def window(open_window):
    return open_window("hac", size=(1300, 800))


def apply(window, name):
    session_io.apply(window, es.load_session(es.find_session(f"example:{name}")))
    wait_for_step(window.player, "last")
    wait_for_background(window)


def bold_cells(compare):
    t = compare.table
    return [(compare.norms[r], compare.linkages[c]) for r in range(t.rowCount()) for c in range(t.columnCount())
            if t.item(r, c) is not None and t.item(r, c).font().bold()]


def test_compare_follows_a_loaded_session_without_touching_a_control(qtbot, window):
    """Opening ex1-centroid-linf: the bold cell and the small multiples are l-inf / centroid at once."""
    apply(window, "ex1-centroid-linf")
    compare = window.plugin.compare
    window.tabs.setCurrentWidget(compare)
    qtbot.waitUntil(lambda: not compare.busy and bool(compare.results), timeout=10_000)
    qtbot.waitUntil(lambda: all(w.tree is not None for w in compare.multiples[:3]), timeout=10_000)
    assert (compare.norm, compare.linkage) == ("linf", "centroid")
    assert bold_cells(compare) == [("linf", "centroid")]
    panels = compare.panels()
    assert all(l == "centroid" for _, l in panels)
    titles = [w.getPlotItem().titleLabel.text for w in compare.multiples if w.isVisible()]
    assert all("centroid" in t for t in titles), titles
    # and back to another session: the view follows again
    apply(window, "ex1-min-l1")
    qtbot.waitUntil(lambda: not compare.busy and bool(compare.results), timeout=10_000)
    assert bold_cells(compare) == [("l1", "min")]


def legend_rows(window):
    return [(label.text, sample.item.opts["brush"].color().name().upper()) for sample, label in
            window.scatter.legend.items]


def test_group_names_and_colours_agree_everywhere(qtbot, window):
    """Exercise 1: black {x1, x2}, red {x3}, blue {x4} are drawn black, red and blue, named so in the legend,
    the dendrogram's leaves and markers, and the Compare table; a merged cluster keeps its first group's colour."""
    from gui.widgets import palette
    apply(window, "ex1-min-l2")
    from gui.shell import session_io as sio
    sio.goto_step(window.player, 0)
    wait_for_step(window.player, 0)
    black, red, blue = (palette.named_hex(s) for s in ("black", "red", "blue"))
    assert legend_rows(window) == [("black", black), ("red", red), ("blue", blue)]
    s = window.scatter
    lab = s.labels()
    assert [s.cluster_hex(int(c)) for c in lab] == [black, black, red, blue]
    d = window.plugin.dendrogram
    ticks = [name for _, name in d.tree.leaf_ticks()]
    assert sorted(ticks) == ["black", "blue", "red"]
    leaf_colours = {d.tree.leaf_names[i]: d._colour_of(int(d.leaf_labels[i])) for i in range(d.tree.m)}
    assert leaf_colours == {"black": black, "red": red, "blue": blue}
    # after the first merge (black with blue under l2/min) the merged cluster is "black+blue", drawn black
    sio.goto_step(window.player, 1)
    wait_for_step(window.player, 1)
    assert legend_rows(window) == [("black+blue", black), ("red", red)]
    assert [s.cluster_hex(int(c)) for c in s.labels()] == [black, black, red, black]
    compare = window.plugin.compare
    qtbot.waitUntil(lambda: bool(compare.results), timeout=10_000)
    assert compare.results[("l2", "min")][:2] == ("black", "blue")


def test_style_without_colour_names_is_the_plain_palette():
    from gui.widgets import palette
    st = palette.ClusterStyle(np.array([0, 0, 1, 1]), ("setosa", "virginica"))
    lab = np.array([0, 0, 1, 1])
    assert [st.name(i, lab) for i in (0, 1)] == ["setosa", "virginica"]
    assert [st.hex(i, lab) for i in (0, 1)] == [palette.hex_color(0), palette.hex_color(1)]
    mixed = np.array([0, 1, 1, 1])  # no longer whole groups: "cluster N"
    assert [st.name(i, mixed) for i in (0, 1)] == ["cluster 1", "cluster 2"]
    plain = palette.ClusterStyle()
    assert plain.name(2, lab) == "cluster 3" and plain.hex(9, lab, True) == palette.hex_color(9, True)
    # colour names take their colours out of the Okabe-Ito order for the other clusters
    st = palette.ClusterStyle(np.array([0, 1, -1]), ("blue", "Black"))
    lab = np.array([0, 1, 2])
    assert [st.hex(i, lab) for i in range(3)] == ["#0072B2", "#000000",
                                                [c for c in palette.OKABE_ITO if c not in ("#0072B2", "#000000")][2]]
    assert st.name(2, lab) == "cluster 3"


def test_one_dimensional_data_is_a_number_line_with_notes(qtbot, window):
    """Exercise 2: points on a line at y = 0 with no y axis, neighbours' names on opposite sides, and the Norms
    and Compare tabs say that in one dimension every norm gives |x - x'|."""
    apply(window, "ex2-min")
    s = window.scatter
    assert s.number_line() and not s.plot_item.getAxis("left").isVisible()
    assert np.all(s.points()[:, 1] == 0)
    assert s.vb.viewRange()[1] == [-1.0, 1.0]
    names = {item.toPlainText(): item for item in s._name_items}
    above = lambda n: names[n].anchor.y() > 0.5  # noqa: E731
    assert above("16") != above("17") and above("1") != above("2")
    r16, r17 = (names[n].sceneBoundingRect() for n in ("16", "17"))
    assert not r16.intersects(r17)
    assert window.plugin.norms.dim_note.isVisibleTo(window.plugin.norms)
    assert "|x − x′|" in window.plugin.norms.dim_note.text()
    compare = window.plugin.compare
    window.tabs.setCurrentWidget(compare)
    qtbot.waitUntil(lambda: bool(compare.results), timeout=10_000)
    assert compare.dim_note.isVisible() and "every norm gives |x − x′|" in compare.dim_note.text()
    # two-dimensional data again: an ordinary plane, no notes
    apply(window, "ex1-min-l2")
    assert not s.number_line() and s.plot_item.getAxis("left").isVisible()
    qtbot.waitUntil(lambda: bool(compare.results), timeout=10_000)
    assert not compare.dim_note.isVisible() and not window.plugin.norms.dim_note.isVisibleTo(window.plugin.norms)
