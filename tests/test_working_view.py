"""The Working view (gui.views.working), driven as a person would: open a session, click its tab, step,
click rows and points, copy a table from its context menu."""
import dataclasses
import json
import time

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication

from engine import session as es
from gui.views.working import NEUTRAL, WorkingView
from gui.views.working_table import tint
from helpers import ToyPlugin, use_plugins, wait_run

# offscreen Qt cannot raise a popup menu or let it grab the keyboard; it says so
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", r"support raise\(\)", "grabbing the keyboard")


def open_session(qtbot, open_window, path, algorithm):
    w = open_window(algorithm)
    w.session_controller.open_path(str(path))
    qtbot.waitUntil(lambda: bool(w.player.history) and w.player.exhausted and not w.player.busy, timeout=60_000)
    return w


def working_view(w) -> WorkingView:
    return next(v for v in w.common_views if isinstance(v, WorkingView))


def settle(qtbot, w):
    """Wait until the Working view shows the current step's working (computed on a worker thread)."""
    view = working_view(w)
    qtbot.waitUntil(lambda: not view.computing, timeout=30_000)


def click_tab(qtbot, w, title: str):
    bar = w.tabs.tabBar()
    i = [w.tabs.tabText(j) for j in range(w.tabs.count())].index(title)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(i).center())
    assert w.tabs.currentIndex() == i
    settle(qtbot, w)
    return w.tabs.widget(i)


def step_to(qtbot, w, index: int):
    """Move along the timeline with the arrow keys, as a person does, until step ``index`` (0-based) shows."""
    slider = w.timeline.slider
    slider.setFocus()
    while w.player.index != index:
        qtbot.keyClick(slider, Qt.Key.Key_Right if w.player.index < index else Qt.Key.Key_Left)
    settle(qtbot, w)


def click_row(qtbot, block, row: int):
    grid = block.grid
    grid.scrollToItem(grid.item(row, 0))
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=grid.visualItemRect(grid.item(row, 0)).center())


def click_point(qtbot, w, i: int):
    w.set_edit_mode("inspect")
    x, y = w.scatter.points()[i]
    with qtbot.waitSignal(w.scatter.sigPointClicked, timeout=2000) as got:
        qtbot.mouseClick(w.scatter.plot.viewport(), Qt.MouseButton.LeftButton, pos=w.scatter.map_to_viewport(x, y))
    settle(qtbot, w)
    return got.args[0]


def copy_from_menu(qtbot, block, label: str) -> str:
    """Right-click the table, choose ``label`` in its menu; the clipboard's text."""
    QApplication.clipboard().clear()
    grid = block.grid
    pos = grid.visualItemRect(grid.item(0, 0)).center()
    QApplication.sendEvent(grid.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos,
                                                              grid.viewport().mapToGlobal(pos)))
    menu = block.menu
    qtbot.waitUntil(menu.isVisible, timeout=2000)
    action = next(a for a in menu.actions() if a.text() == label)
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=2000)
    return QApplication.clipboard().text()


def ex6_in(tmp_path, **params) -> str:
    """The shipped exercise 6 session with other parameters (a short run)."""
    d = json.loads(es.shipped_sessions()["ex6-gmm-elongated"][0].read_text())
    d["algorithm"]["params"].update(params)
    p = tmp_path / "ex6.json"
    p.write_text(json.dumps(d))
    return p


# ---------------------------------------------------------------- exercise 3: K-means on A..E
def test_ex3_working_follows_the_timeline_rows_and_points_and_copies(qtbot, open_window):
    w = open_session(qtbot, open_window, es.shipped_sessions()["ex3-kmeans"][0], "kmeans")
    view = click_tab(qtbot, w, "Working")
    assert isinstance(view, WorkingView) and view in w.common_views and view.figure() is None  # tables, not a figure
    step_to(qtbot, w, 1)  # step 2: the first assignment
    assert "Step 2" in view.header.text() and "assign" in view.header.text()
    first = view.blocks[0]
    assert first.table.rows[:5] == ("A", "B", "C", "D", "E") and first.formula.text()
    assert "\\" not in first.formula.text()  # LaTeX made readable, no macro left
    r, c = first.table.highlight[0]  # A is nearest to the first centre: its cell in the cluster's colour
    assert first.grid.item(r, c).background().color() == tint(w.scatter.cluster_hex(int(w.player.current.labels[0])))
    assert first.grid.item(r, c).font().bold()

    step_to(qtbot, w, 2)  # the view follows: step 3, the update
    assert "Step 3" in view.header.text() and "update" in view.header.text()
    assert view.blocks[0].table is not first.table
    step_to(qtbot, w, 1)

    click_row(qtbot, view.blocks[0], 3)  # the row of D rings D on the scatter
    assert w.scatter.highlighted().tolist() == [3] and view.selected_point() == 3

    got = click_point(qtbot, w, 4)  # clicking E on the scatter selects E's row
    assert got == 4 and view.selected_point() == 4
    assert [ix.row() for ix in view.blocks[0].grid.selectionModel().selectedRows()] == [4]

    table = view.blocks[0].table
    assert copy_from_menu(qtbot, view.blocks[0], "Copy as Markdown") == table.markdown()
    assert copy_from_menu(qtbot, view.blocks[0], "Copy as LaTeX") == table.latex()
    csv = copy_from_menu(qtbot, view.blocks[0], "Copy as CSV")
    assert csv == table.csv() and csv.splitlines()[1].startswith("A,")


# ---------------------------------------------------------------- exercise 6: a Gaussian mixture on 300 points
def test_ex6_shows_fifty_rows_a_sum_and_the_clicked_point(qtbot, open_window, tmp_path):
    w = open_session(qtbot, open_window, ex6_in(tmp_path, max_iter=3), "gmm")
    view = click_tab(qtbot, w, "Working")
    step_to(qtbot, w, 1)  # the first E-step
    joint, resp = view.blocks
    assert joint.table.title == "Log joint of each point and component"
    assert len(resp.table.rows) == 51 and resp.table.rows[-1] == "Σ over all 300 points"
    assert resp.points[:50] == list(range(50)) and resp.points[-1] == -1
    assert resp.grid.height() < 20 * resp.grid.rowHeight(0)  # a table scrolls; several fit in view
    r, c = resp.table.highlight[0]
    assert resp.grid.item(r, c).background().color() == tint(w.scatter.cluster_hex(c))
    # a column that only numbers a component carries the window's name of that cluster (the legend's)
    assert resp.table.columns[0] == "c1"
    assert resp.grid.horizontalHeaderItem(0).text() == w.scatter.cluster_name(0) == "cluster 1"

    Y = w.scatter.points()  # a point beyond the first 50, away from the others, so the click finds it
    d = np.sqrt(((Y[:, None] - Y[None]) ** 2).sum(-1)) + np.eye(len(Y)) * 1e9
    far = 50 + int(np.argmax(d[50:].min(axis=1)))
    got = click_point(qtbot, w, far)
    assert got == far and view.selected_point() == far
    joint, resp = view.blocks
    assert resp.table.rows == (f"x{far + 1}", "Σ over all 300 points") and resp.points == [far, -1]
    assert [ix.row() for ix in resp.grid.selectionModel().selectedRows()] == [0]
    assert w.scatter.highlighted().tolist() == [far]


def test_the_view_computes_only_while_visible(qtbot, open_window, tmp_path):
    w = open_session(qtbot, open_window, ex6_in(tmp_path, max_iter=3), "gmm")
    view = click_tab(qtbot, w, "Working")
    step_to(qtbot, w, 1)
    assert view.blocks[0].table.title.startswith("Log joint")
    click_tab(qtbot, w, "EM")
    step_to(qtbot, w, 2)  # an M-step, while the Working tab is hidden
    assert view.blocks[0].table.title.startswith("Log joint")  # the tables wait until shown ...
    assert "Step 2" in view.header.text()  # ... under the header of their own step, never the new step's
    click_tab(qtbot, w, "Working")
    assert "Step 3" in view.header.text()
    assert [b.table.title for b in view.blocks] == ["Component sizes and weights", "Means", "Covariance matrices",
                                                   "Log-likelihood of the new parameters"]
    assert view.has_content()
    m_sizes = view.blocks[0]
    assert m_sizes.grid.verticalHeaderItem(0).icon().isNull() is False  # c1 carries its cluster's colour


def test_an_algorithm_without_working_says_so(qtbot, open_window, monkeypatch, tmp_path):
    from gui.algorithms.gmm.plugin import GmmPlugin
    monkeypatch.setattr(GmmPlugin, "algorithm", dataclasses.replace(GmmPlugin.algorithm, working=None))
    w = open_session(qtbot, open_window, ex6_in(tmp_path, max_iter=2), "gmm")
    view = click_tab(qtbot, w, "Working")
    assert not view.blocks and view.message.isVisible() and "gives no working" in view.message.text()
    assert not view.has_content()


def test_a_failing_working_is_a_message_not_a_crash(qtbot, open_window, monkeypatch, tmp_path):
    from gui.algorithms.gmm.plugin import GmmPlugin

    def broken(*args, **kwargs):
        raise ValueError("no numbers today")
    monkeypatch.setattr(GmmPlugin, "algorithm", dataclasses.replace(GmmPlugin.algorithm, working=broken))
    w = open_session(qtbot, open_window, ex6_in(tmp_path, max_iter=2), "gmm")
    view = click_tab(qtbot, w, "Working")
    assert "could not be computed" in view.message.text() and "no numbers today" in view.message.text()


def test_no_run_and_toy_algorithms(qtbot, shown, monkeypatch):
    use_plugins(monkeypatch, ToyPlugin)
    from gui.shell.main_window import MainWindow
    w = shown(MainWindow(), (1000, 700))
    view = click_tab(qtbot, w, "Working")
    assert "No run yet" in view.header.text() and not view.has_content()
    w.open_source("example:five-points")
    wait_run(qtbot, w)
    qtbot.waitUntil(lambda: "gives no working" in view.message.text(), timeout=5000)
    assert view.message.isVisible() and not view.blocks
    w.close()


def test_neutral_tint_for_cells_of_no_cluster(qtbot, open_window):
    w = open_session(qtbot, open_window, es.shipped_sessions()["ex3-kmeans"][0], "kmeans")
    view = click_tab(qtbot, w, "Working")
    step_to(qtbot, w, 1)
    objective = next(b for b in view.blocks if b.table.rows[-1] == "J")  # J's total: no cluster's cell
    r, c = objective.table.highlight[-1]
    assert objective.grid.item(r, c).background().color() == tint(NEUTRAL)


def test_mnist_steps_are_computed_off_the_gui_thread_newest_first(qtbot, open_window, tmp_path, monkeypatch):
    """Exercise 5's data (6,000 MNIST images, 784 pixels, K = 10; 100-250 ms a step): moving along the timeline
    never waits for the working; the tables shown meanwhile stay under their own step's header; steps left
    behind are dropped, not computed one after the other; θ_k comes as images."""
    import gui.views.working as working_module
    d = json.loads(es.shipped_sessions()["ex5-mnist-bernoulli"][0].read_text())
    d["algorithm"]["params"]["max_iter"] = 2
    p = tmp_path / "ex5.json"
    p.write_text(json.dumps(d))
    w = open_session(qtbot, open_window, p, "bernoulli")
    view = click_tab(qtbot, w, "Working")
    step_to(qtbot, w, 1)
    computed = []
    real = working_module.compute
    monkeypatch.setattr(working_module, "compute", lambda alg, X, steps, index, *a: computed.append(index)
                        or real(alg, X, steps, index, *a))
    times = []
    for index in (2, 3, 4, 3, 2):
        t = time.perf_counter()
        w.player.seek(index)
        times.append(time.perf_counter() - t)
        assert view.shown_index == 1 and "Step 2" in view.header.text()  # the tables of step 2, under its header
    assert view.computing
    settle(qtbot, w)
    assert view.shown_index == 2 and "Step 3" in view.header.text() and "computing" not in view.header.text()
    assert len(computed) <= 3 and computed[-1] == 2, computed  # at most: the first, maybe one more, the newest
    assert max(times) < 1.0, times
    theta = view.blocks[1].table
    assert theta.title == "Pixel probabilities θ_k" and len(theta.columns) == 4  # summarised, not 784 columns
    assert view.blocks[0].table.rows[-1] == "Σ" and view.blocks[-1].table.rows[-1] == "Σ over all 6000 points = L"
    assert len(view.image_blocks) == 1 and view.image_blocks[0].tiles.n_tiles == 10

    w.player.seek(3)  # a slow step under way; after NOTE_DELAY_MS the view says so, under the old step's header
    qtbot.waitUntil(lambda: "computing the working of step 4" in view.header.text() or not view.computing,
                    timeout=5000)
    settle(qtbot, w)
    assert view.shown_index == 3


def test_closing_the_window_drops_a_working_under_way(qtbot, open_window, tmp_path):
    from gui.run.tasks import registry
    w = open_session(qtbot, open_window, ex6_in(tmp_path, max_iter=3), "gmm")
    view = click_tab(qtbot, w, "Working")
    shown = view.shown_index
    w.player.seek(3)
    assert view.computing
    w.close()
    assert not view._task.busy  # shut down at once: its result is dropped, whenever the worker ends
    assert registry().wait_idle(view, timeout_ms=10_000)
    qtbot.wait(20)
    assert view.shown_index in (shown, None) and view.shown_index != 3  # what the worker sent went nowhere



def test_a_long_table_title_wraps_at_the_view_width(qtbot):
    """A title wider than the view (ex3's 'The objective of assigning every point to its nearest centre' beside
    the scatter at the window's least size) wraps like the formula and the note instead of running off the view."""
    from engine.core.working import Table
    from gui.views.working_table import TableBlock

    table = Table(title="The objective of assigning every point to its nearest centre", formula="J",
                  rows=["μ1"], columns=["points"], values=[[2]])
    block = TableBlock(table, {})
    qtbot.addWidget(block)
    block.set_text_width(200)
    block.resize(200, 300)
    block.show()
    qtbot.waitExposed(block)
    title = block.title
    assert title.minimumSizeHint().width() <= 200, "the title does not wrap: it needs its whole line"
    assert title.width() <= 200 and title.height() >= title.heightForWidth(title.width()) > 0
