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
