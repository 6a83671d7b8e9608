"""The window's public API for plugins, the data dock at the default size, 1-based cluster numbers,
the session menu, and exporting the CSV of named points."""
import numpy as np
import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QFileDialog, QMenu

from engine.data import Dataset, example

from helpers import OtherPlugin, ToyPlugin, open_via_dialog, use_plugins, wait_run

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def default_window(qtbot, monkeypatch):
    """A window at the size a first start gives it (no saved geometry)."""
    use_plugins(monkeypatch, ToyPlugin, OtherPlugin)
    from gui.shell.main_window import MainWindow
    w = MainWindow(startup="")
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


def fully_visible(widget, scroll) -> bool:
    """``widget`` lies entirely inside the visible part of the scroll area ``scroll``."""
    top = widget.mapTo(scroll.viewport(), QPoint(0, 0))
    return (widget.isVisible() and top.y() >= 0 and top.y() + widget.height() <= scroll.viewport().height()
            and top.x() >= 0 and top.x() + widget.width() <= scroll.viewport().width())


def test_data_dock_shows_every_edit_tool_at_the_default_size(qtbot, default_window, monkeypatch, tmp_path,
                                                             message_boxes):
    w = default_window
    scroll = w.data_dock.widget()
    tools = [w.data_panel.clear_button, w.data_panel.group, *w.data_panel.mode_buttons.values()]
    qtbot.waitUntil(lambda: all(fully_visible(b, scroll) for b in tools), timeout=3000)
    # a file with notes (labels, dropped rows) makes the panel taller: the tools stay in sight
    path = tmp_path / "notes.csv"
    rows = [f"{i % 7}.5,{i % 5}.25,{'ab'[i % 2]}" for i in range(30)] + ["NA,1,a"]
    path.write_text("x,y,label\n" + "\n".join(rows) + "\n")
    open_via_dialog(qtbot, w, monkeypatch, path)
    assert w.data_panel.notes.isVisible() and "dropped" in w.data_panel.notes.text()
    qtbot.waitUntil(lambda: all(fully_visible(b, scroll) for b in tools), timeout=3000)
    # the Run button sits above the algorithm's parameters, so a tall panel never hides it
    algo_scroll = w.algorithm_dock.widget()
    assert fully_visible(w.algorithm_panel.run_button, algo_scroll)
    assert message_boxes == []


def test_status_bar_numbers_clusters_from_one(qtbot, default_window):
    w = default_window
    w.set_dataset(Dataset(np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]]), name="three"))
    wait_run(qtbot, w)
    step = w.player.current
    i = int(np.flatnonzero(step.labels == 0)[0])
    w.scatter.sigPointClicked.emit(i)
    assert w.statusBar().currentMessage() == f"point {i + 1}: ({i:.4g}, 0); cluster 1"
    j = int(np.flatnonzero(step.labels == 1)[0])
    w.scatter.sigPointClicked.emit(j)
    assert w.statusBar().currentMessage().endswith("; cluster 2")
    # the legend agrees: label 0 is "cluster 1"
    assert [label.text for _, label in w.scatter.legend.items][:2] == ["cluster 1", "cluster 2"]


def test_plugin_api_standardization_signal_edit_mode_and_error(qtbot, default_window):
    w = default_window
    seen = []
    w.sigDataChanged.connect(lambda: seen.append((w.dataset, w.run_X().shape)))
    X = np.array([[0.0, 10.0], [2.0, 10.0], [4.0, 16.0], [6.0, 16.0]])
    w.set_dataset(Dataset(X, name="four"))
    assert seen == [(w.dataset, (4, 2))]  # emitted once, after the window updated the run data
    assert not w.standardized and w.standardization is None
    np.testing.assert_array_equal(w.to_run(X), X)
    w.set_standardized(True)
    assert w.standardized and w.data_panel.standardize.isChecked()
    mean, scale = w.standardization
    np.testing.assert_allclose(mean, X.mean(axis=0))
    np.testing.assert_allclose(scale, X.std(axis=0))
    np.testing.assert_allclose(w.to_run(X), w.run_X(), atol=1e-12)  # the same z-scores the algorithms get
    np.testing.assert_allclose(w.from_run(w.run_X()), X, atol=1e-12)
    np.testing.assert_allclose(w.project(w.run_X()), X, atol=1e-12)  # run -> display (2-D: the data)
    # a constant feature: 0 in the run, and mapped back to its value
    Xc = np.column_stack([X[:, 0], np.full(4, 5.0)])
    w.set_dataset(Dataset(Xc, name="constant"))
    assert w.standardization[1][1] == 0.0 and np.all(w.run_X()[:, 1] == 0.0)
    np.testing.assert_allclose(w.from_run(w.to_run(Xc)), Xc)
    w.set_standardized(False)
    assert not w.standardized
    # edit mode and the red error line
    w.set_edit_mode("paint")
    assert w.data_panel.mode() == "paint" and w.scatter.edit_mode() == "paint"
    w.set_edit_mode("inspect")
    assert w.scatter.edit_mode() == "inspect"
    w.show_error("k=9 should be <= 4")
    assert w.algorithm_panel.error.isVisible() and w.algorithm_panel.error.text() == "k=9 should be <= 4"
    w.show_error("")
    assert not w.algorithm_panel.error.isVisible()


def test_switching_algorithm_drops_per_point_colours(qtbot, default_window):
    w = default_window
    w.set_dataset(Dataset(np.random.default_rng(0).normal(size=(20, 2)), name="twenty"))
    wait_run(qtbot, w)
    w.scatter.set_colors(np.full((20, 4), 200, dtype=np.uint8))
    w.set_algorithm(1)
    assert w.scatter.colors() is None


def test_session_menu_is_installed(default_window):
    from gui.shell import session_io
    assert hasattr(session_io, "install_session_menu")
    w = default_window
    assert w.session_controller is not None
    file_menu = next(m for m in w.menuBar().findChildren(QMenu) if m.title().replace("&", "") == "File")
    names = {a.objectName() for a in file_menu.actions()}
    assert {"action_open_session", "action_save_session", "action_save_session_as"} <= names
    assert "empty canvas" in w.windowTitle()


def test_export_csv_of_named_points(qtbot, default_window, monkeypatch, tmp_path, message_boxes):
    w = default_window
    w.set_dataset(example("five-points"))  # point names A..E: not column names
    wait_run(qtbot, w)
    path = tmp_path / "five.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))
    w.menus.actions["export_csv"].trigger()
    qtbot.waitUntil(lambda: path.exists(), timeout=5000)
    lines = path.read_text().splitlines()
    assert lines[0] == "x1,x2,cluster" and len(lines) == 6 and message_boxes == []
    labels = w.player.current.labels
    assert [int(line.split(",")[-1]) for line in lines[1:]] == (labels + 1).tolist()  # numbered as the window
