"""The main window driven as a person would: open files, click points in, undo, step, scrub, export.

A tiny test-only algorithm plugin stands in for the real ones (injected by
monkeypatching ``gui.algorithms.plugin_entries``), so these tests check the
window's wiring, not any algorithm. The toy plugins and the helpers that drive the window live in
``helpers.py``, the ``csv_file`` and ``message_boxes`` fixtures in ``conftest.py`` (the window API tests
share them).
"""
import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QImage
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from engine.core.params import ParamError
from engine.core.steps import Step
from gui import algorithms
from helpers import OtherPlugin, ToyPlugin, open_via_dialog, use_plugins, wait_run

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def make_window(shown, monkeypatch):
    use_plugins(monkeypatch, ToyPlugin, OtherPlugin)
    from gui.shell.main_window import MainWindow

    made = []

    def make(**kwargs):
        w = shown(MainWindow(**kwargs), (1200, 760))
        made.append(w)
        return w

    yield make
    for w in made:
        w.close()


@pytest.fixture
def window(make_window):
    return make_window()


def click_canvas(qtbot, window, x, y, button=Qt.MouseButton.LeftButton):
    vp = window.scatter.plot.viewport()
    qtbot.mouseClick(vp, button, pos=window.scatter.map_to_viewport(x, y))


# ---------------------------------------------------------------- start
def test_starts_with_an_empty_canvas_and_a_hint(window):
    assert window.windowTitle().replace("[*]", "") == "Clusterlab - empty canvas" and not window.isWindowModified()
    assert window.hint.isVisible() and "Click to add points" in window.hint.text()
    assert window.data_panel.count.text() == "0"
    assert window.player.current is None and window.player.exhausted  # no run without points
    assert window.plugin.algorithm.name == "toy" and window.plugin.active
    assert window.tabs.count() == 1 + len(window.common_views) and window.tabs.tabText(0) == "Objective"
    assert window.algorithm_panel.combo.count() == 2
    assert window.timeline.label.text() == "no run"
    assert window.scatter.effective_mode() == "add"  # clicking adds points, as the hint says


def test_open_csv_shows_points_and_runs(qtbot, window, monkeypatch, csv_file, message_boxes):
    path, X = csv_file
    open_via_dialog(qtbot, window, monkeypatch, path)
    assert not message_boxes
    assert window.dataset.n == 20 and window.data_panel.count.text() == "20"
    assert window.data_panel.dims.text() == "2"
    np.testing.assert_allclose(window.scatter.points(), X, atol=1e-6)
    assert window.windowTitle().startswith("Clusterlab - ") and "empty" not in window.windowTitle()
    assert not window.hint.isVisible()
    wait_run(qtbot, window)
    step = window.player.current
    np.testing.assert_array_equal(window.scatter.labels(), step.labels)
    assert window.plugin.shown[-1] is step
    assert window.timeline.label.text().startswith("step 1 / ")
    assert window.timeline.objective.text() == "toy objective = 100"
    assert window.menus.recent_paths() == [str(path.resolve())]


def test_broken_file_shows_message_and_keeps_data(qtbot, window, monkeypatch, csv_file, message_boxes, tmp_path):
    path, _ = csv_file
    open_via_dialog(qtbot, window, monkeypatch, path)
    before = window.dataset
    bad = tmp_path / "broken.npy"
    bad.write_bytes(b"\x93NUMPY this is not an array")
    open_via_dialog(qtbot, window, monkeypatch, bad)
    qtbot.waitUntil(lambda: bool(message_boxes), timeout=5000)
    kind, title, text = message_boxes[0]
    assert kind == "critical" and "broken.npy" in text
    assert window.dataset is before and window.data_panel.count.text() == "20"
    assert str(bad.resolve()) not in window.menus.recent_paths()


def test_missing_recent_file_is_dropped_from_the_list(qtbot, window, monkeypatch, csv_file, message_boxes):
    path, _ = csv_file
    open_via_dialog(qtbot, window, monkeypatch, path)
    path.unlink()
    window.menus.recent_menu.actions()[0].trigger()
    qtbot.waitUntil(lambda: bool(message_boxes), timeout=5000)
    assert window.menus.recent_paths() == []


def test_click_to_add_points_then_undo_redo(qtbot, window):
    qtbot.mouseClick(window.data_panel.mode_buttons["add"], Qt.MouseButton.LeftButton)
    assert window.scatter.effective_mode() == "add"
    click_canvas(qtbot, window, 0.2, 0.3)
    assert window.dataset is not None and window.dataset.n == 1
    np.testing.assert_allclose(window.dataset.X[0], [0.2, 0.3], atol=0.02)
    assert not window.hint.isVisible()
    click_canvas(qtbot, window, 0.7, 0.8)
    click_canvas(qtbot, window, 0.5, 0.1)
    assert window.dataset.n == 3 and window.scatter.n == 3
    wait_run(qtbot, window)  # 3 points >= k = 2: a run starts
    assert window.menus.actions["undo"].isEnabled() and "Undo" in window.menus.actions["undo"].text()
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.dataset.n == 2
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.dataset.n == 3
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert window.dataset.n == 3 and window.scatter.n == 3


def test_too_few_points_is_a_red_message_not_a_crash(qtbot, window):
    window.data_panel.set_mode("add")
    click_canvas(qtbot, window, 0.5, 0.5)  # one point, k = 2
    error = window.algorithm_panel.error
    assert error.isVisible() and "k=2 should be <= n_samples=1" in error.text()
    assert "k=2" in window.statusBar().currentMessage()
    assert window.dataset.n == 1 and window.player.current is None
    window.plugin.form.widgets["k"].setValue(1)  # fixing the parameter restarts the run
    wait_run(qtbot, window)
    assert not error.isVisible()


def test_eager_validation_in_the_engine_is_a_red_message(qtbot, window, monkeypatch):
    def eager(X, **_):  # validates on call, before returning its generator (as engine entry points do)
        raise ParamError(f"k=10 should be <= n_samples={len(X)}.")

    window.open_example("five-points")
    monkeypatch.setattr(window.plugin, "make_steps", lambda: (lambda: eager(window.run_X())))
    window.restart_run()
    assert "k=10 should be <= n_samples=5" in window.algorithm_panel.error.text()
    assert window.player.current is None and window.dataset.n == 5


def test_algorithm_error_during_the_run_is_reported(qtbot, window, csv_file, monkeypatch):
    path, _ = csv_file

    def failing(X, **_):
        yield Step("init", "start", labels=np.zeros(len(X)))
        raise ParamError("the toy algorithm gave up: choose another seed.")

    window.open_file(path)
    qtbot.waitUntil(lambda: window.dataset is not None, timeout=5000)
    monkeypatch.setattr(window.plugin, "make_steps", lambda: (lambda: failing(window.run_X())))
    window.restart_run()
    window.player.to_end()
    qtbot.waitUntil(lambda: window.algorithm_panel.error.isVisible(), timeout=5000)
    assert "gave up" in window.algorithm_panel.error.text()
    assert window.dataset.n == 20


def test_step_with_keys_buttons_and_scrubber(qtbot, window, csv_file):
    path, _ = csv_file
    window.open_file(path)
    wait_run(qtbot, window)
    p, bar = window.player, window.timeline
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: p.index == 1, timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_End)
    qtbot.waitUntil(lambda: p.at_end, timeout=3000)
    assert p.index == 4 and bar.label.text() == "step 5 / 5: toy step 4 (converged)"
    np.testing.assert_array_equal(window.scatter.labels(), p.current.labels)
    qtbot.keyClick(window, Qt.Key.Key_Left)
    assert p.index == 3
    qtbot.keyClick(window, Qt.Key.Key_Home)
    assert p.index == 0
    qtbot.mouseClick(bar.forward_button, Qt.MouseButton.LeftButton)
    assert p.index == 1  # known steps are instant
    qtbot.mouseClick(bar.back_button, Qt.MouseButton.LeftButton)
    assert p.index == 0
    bar.slider.setValue(3)
    assert p.index == 3 and window.plugin.shown[-1] is p.history[3]
    np.testing.assert_array_equal(window.scatter.labels(), p.history[3].labels)
    bar.slider.setFocus()  # arrow keys still step once when the scrubber has focus
    qtbot.keyClick(bar.slider, Qt.Key.Key_Left)
    assert p.index == 2 and bar.slider.value() == 2
    qtbot.keyClick(bar.slider, Qt.Key.Key_Right)
    assert p.index == 3
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert p.playing
    qtbot.waitUntil(lambda: not p.playing, timeout=5000)
    assert p.at_end


def test_switching_algorithm_swaps_panel_tabs_and_restarts(qtbot, window, csv_file):
    window.open_file(csv_file[0])
    wait_run(qtbot, window)
    toy, other = window.plugins
    window.algorithm_panel.combo.setCurrentIndex(1)
    assert window.plugin is other and other.active and not toy.active
    assert window.algorithm_panel.stack.currentWidget() is other.panel()
    assert window.tabs.count() == len(window.common_views)  # the other plugin has no tabs of its own
    assert window.timeline.objective_name == "other objective"
    wait_run(qtbot, window)
    assert other.shown and other.shown[-1] is window.player.current
    window.algorithm_panel.combo.setCurrentIndex(0)
    assert window.tabs.count() == 1 + len(window.common_views) and window.tabs.widget(0) is toy.objective


def test_high_dimensional_data_are_projected_and_standardized(qtbot, window, tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 5)) * np.array([10.0, 5, 1, 0.5, 0.1]) + 3
    path = tmp_path / "five.npy"
    np.save(path, X)
    window.open_file(path)
    qtbot.waitUntil(lambda: window.dataset is not None, timeout=5000)
    assert window.data_panel.projection.text().startswith("PCA: first two components, ")
    assert window.data_panel.projection.text().endswith("% of variance")
    assert not window.data_panel.mode_buttons["add"].isEnabled()  # 5-D data cannot be clicked in
    np.testing.assert_allclose(window.run_X(), X)
    np.testing.assert_allclose(window.project(window.run_X()), window.scatter.points(), atol=1e-9)
    window.data_panel.standardize.setChecked(True)
    Z = window.run_X()
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1, atol=1e-12)
    # centres computed on standardized data land where their points are drawn
    np.testing.assert_allclose(window.project(Z), window.scatter.points(), atol=1e-9)
    wait_run(qtbot, window)


def test_examples_and_generators(qtbot, window, monkeypatch):
    from engine.data import EXAMPLES
    from gui.shell.dialogs import GenerateDialog

    a = window.menus.actions["example_four-points"]
    assert a.statusTip() == EXAMPLES["four-points"]
    a.trigger()
    assert window.dataset.n == 4 and window.dataset.point_names == ("x1", "x2", "x3", "x4")
    assert "Four points" in window.windowTitle()
    monkeypatch.setattr(GenerateDialog, "exec", lambda self: (self.n.setValue(123), self.seed.setText("7"), 1)[-1])
    window.menus.actions["generate_blobs"].trigger()
    assert window.dataset.n == 123 and window.dataset.source.startswith("generator:")
    window.menus.actions["undo"].trigger()
    assert window.dataset.n == 4 and window.scatter.effective_mode() == "inspect"
    window.menus.actions["clear"].trigger()
    assert window.dataset is None and window.hint.isVisible() and window.scatter.effective_mode() == "add"
    window.menus.actions["undo"].trigger()
    assert window.dataset.n == 4


def test_export_png_scales_and_svg_csv_gif(qtbot, window, monkeypatch, csv_file, tmp_path, message_boxes):
    window.open_file(csv_file[0])
    wait_run(qtbot, window)
    window.player.to_end()
    qtbot.waitUntil(lambda: window.player.at_end, timeout=5000)
    window.player.seek(3)
    out = {}

    def save_as(name):
        monkeypatch.setattr(QFileDialog, "getSaveFileName",
                            staticmethod(lambda *a, **k: (str(tmp_path / name), "")))

    save_as("one")  # the suffix is added
    window.menus.actions["export_scatter_png_1"].trigger()
    save_as("two.png")
    window.menus.actions["export_scatter_png_2"].trigger()
    one, two = QImage(str(tmp_path / "one.png")), QImage(str(tmp_path / "two.png"))
    assert not one.isNull() and not two.isNull()
    assert abs(two.width() - 2 * one.width()) <= 2 and abs(two.height() - 2 * one.height()) <= 2
    save_as("tab.png")
    window.menus.actions["export_tab_png_1"].trigger()
    assert not QImage(str(tmp_path / "tab.png")).isNull()
    save_as("scatter.svg")
    window.menus.actions["export_scatter_svg"].trigger()
    assert "<svg" in (tmp_path / "scatter.svg").read_text()
    save_as("labels.csv")
    window.menus.actions["export_csv"].trigger()
    rows = (tmp_path / "labels.csv").read_text().strip().splitlines()
    assert len(rows) == 21
    last = [int(float(r.split(",")[-1])) for r in rows[1:]]
    assert last == (window.player.history[3].labels + 1).tolist()  # clusters numbered from 1, as in the window
    save_as("run.gif")
    window.menus.actions["export_gif"].trigger()
    assert not message_boxes
    from PIL import Image
    with Image.open(tmp_path / "run.gif") as gif:
        assert gif.n_frames == 4  # steps 1..4 (index 0..3)
    assert window.player.index == 3  # the person's step is restored


def test_settings_persist_across_windows(qtbot, make_window, csv_file):
    first = make_window()
    first.open_file(csv_file[0])
    qtbot.waitUntil(lambda: first.dataset is not None, timeout=5000)
    first.timeline.speed.setValue(12.0)
    first.algorithm_panel.combo.setCurrentIndex(1)
    first.close()
    second = make_window()
    assert second.menus.recent_paths() == [str(csv_file[0].resolve())]
    assert second.timeline.speed.value() == 12.0
    assert second.player.speed() == pytest.approx(12.0, rel=0.05)
    assert second.plugin.algorithm.name == "other"
    assert second.dataset is None  # an empty canvas again, unless settings say otherwise


def test_startup_data_from_settings(qtbot, make_window):
    from gui.shell.settings import Settings

    Settings().set_startup_data("example:five-points")
    w = make_window()
    assert w.dataset.point_names == ("A", "B", "C", "D", "E")


def test_drop_a_file_onto_the_window(qtbot, window, csv_file):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(csv_file[0]))])
    pos = QPointF(window.width() / 2, window.height() / 2)
    from PySide6.QtGui import QDragEnterEvent

    enter = QDragEnterEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, drop)
    qtbot.waitUntil(lambda: window.dataset is not None, timeout=5000)
    assert window.dataset.n == 20
    # dropped onto the scatter plot (a child that does not take files itself): the window opens it
    other = csv_file[0].with_name("other.csv")
    other.write_text("a,b\n1,2\n3,4\n5,6\n")
    mime2 = QMimeData()
    mime2.setUrls([QUrl.fromLocalFile(str(other))])
    viewport = window.scatter.plot.viewport()
    enter = QDragEnterEvent(QPoint(40, 40), Qt.DropAction.CopyAction, mime2, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(viewport, QDropEvent(QPointF(40, 40), Qt.DropAction.CopyAction, mime2,
                                                Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    qtbot.waitUntil(lambda: window.dataset.n == 3, timeout=5000)
    text = QMimeData()
    text.setText("not a file")
    enter = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, text, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert not enter.isAccepted()


def test_long_run_shows_progress_and_cancel_keeps_steps(qtbot, window, csv_file):
    window.open_file(csv_file[0])
    wait_run(qtbot, window)
    form = window.plugin.form
    form.widgets["delay"].setValue(0.02)
    form.widgets["n_steps"].setValue(100_000)  # each change restarts the run
    wait_run(qtbot, window)
    window.player.to_end()
    qtbot.waitUntil(lambda: window.progress.isVisible() and window.cancel_button.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: len(window.player.history) > 5, timeout=5000)
    qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.player.busy, timeout=5000)
    kept = len(window.player.history)
    assert kept > 5 and window.player.index == kept - 1
    qtbot.waitUntil(lambda: not window.progress.isVisible(), timeout=3000)


def test_about_box_credits(window, monkeypatch):
    seen = []
    monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda parent, title, text: seen.append(text)))
    window.menus.actions["about"].trigger()
    import engine

    text = seen[0]
    for needle in (engine.__version__, "MIT", "CC BY-SA 3.0", "Yann LeCun", "Corinna Cortes",
                   "Christopher J.C. Burges", "Okabe-Ito"):
        assert needle in text


def test_reset_zoom_and_dock_toggles(qtbot, window):
    window.open_example("five-points")
    window.scatter.vb.setRange(xRange=(100, 101), yRange=(100, 101))
    window.menus.actions["reset_zoom"].trigger()
    (x0, x1), (y0, y1) = window.scatter.vb.viewRange()
    assert x0 <= 0 and x1 >= 3 and y0 <= 0 and y1 >= 5
    toggle = window.data_dock.toggleViewAction()
    toggle.trigger()
    assert not window.data_dock.isVisible()
    toggle.trigger()
    assert window.data_dock.isVisible()


def test_close_stops_the_player_thread(qtbot, window):
    thread = window.player._thread
    assert thread.isRunning()
    window.close()
    assert not thread.isRunning()


def test_paint_groups_with_the_group_box(qtbot, window):
    window.open_example("five-points")
    box = window.data_panel.group
    assert box.text() == "group 1" and box.value() == 0  # shown 1-based, like the undo texts
    box.setValue(2)
    assert box.text() == "group 3" and window.scatter.edit_mode() == "paint"
    i = 3  # D = (2, 4)
    click_canvas(qtbot, window, *window.dataset.X[i])
    assert window.dataset.labels[i] == 2 and "group 3" in window.menus.actions["undo"].text()
    box.setValue(-1)
    assert box.text() == "no group"


def test_broken_registry_is_reported_not_fatal(qtbot, monkeypatch):
    def broken(only=None):
        raise ImportError("engine.kmeans needs a module that is missing")

    monkeypatch.setattr(algorithms, "plugin_entries", broken)
    from gui.shell.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    assert len(w.plugins) == 0 and w.plugin is None
    assert "could not be loaded" in w.algorithm_panel.error.text()
    w.open_example("five-points")
    assert w.dataset.n == 5 and w.player.current is None
    assert "could not be loaded" in w.algorithm_panel.error.text()
    w.close()


def test_a_plugin_that_fails_to_load_is_greyed_out_and_the_others_work(qtbot, monkeypatch):
    """Plugins are imported when first chosen: one that fails says so when chosen; the window keeps the
    plugin it had, greys the broken one out, and starts with the next one when the broken one was last used."""
    def missing():
        raise ImportError("gui.algorithms.other needs a module that is missing")

    entries = [algorithms.PluginEntry(OtherPlugin.algorithm, missing), algorithms.PluginEntry.of_class(ToyPlugin)]
    monkeypatch.setattr(algorithms, "plugin_entries", lambda only=None: entries)
    from gui.shell.main_window import MainWindow

    w = MainWindow(startup="")
    qtbot.addWidget(w)
    assert w.plugins.names() == ["other", "toy"] and isinstance(w.plugin, ToyPlugin)  # the first that starts
    combo = w.algorithm_panel.combo
    assert not combo.model().item(0).isEnabled() and combo.currentIndex() == 1
    assert "Other toy (other) could not be loaded: ImportError" in w.algorithm_panel.error.text()
    w.set_algorithm(0)  # chosen again (a session asking for it): still the toy, still said
    assert isinstance(w.plugin, ToyPlugin) and combo.currentIndex() == 1
    assert list(w.plugins) == [w.plugin]  # iterating skips the broken one
    w.open_example("five-points")
    wait_run(qtbot, w)
    assert w.player.current is not None
    w.close()


def test_gif_export_can_be_cancelled(qtbot, window, monkeypatch, csv_file, tmp_path):
    from PySide6.QtWidgets import QProgressDialog

    window.open_file(csv_file[0])
    wait_run(qtbot, window)
    window.player.to_end()
    qtbot.waitUntil(lambda: window.player.at_end, timeout=5000)
    polls = []
    monkeypatch.setattr(QProgressDialog, "wasCanceled", lambda self: polls.append(1) or len(polls) > 2)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(tmp_path / "x.gif"), "")))
    window.menus.actions["export_gif"].trigger()
    assert not (tmp_path / "x.gif").exists()
    assert "cancelled" in window.statusBar().currentMessage()
    assert window.player.index == 4


def test_gif_export_streams_frames(qtbot, window, monkeypatch, csv_file, tmp_path):
    """Each frame is drawn when the GIF writer asks for it, so memory stays flat for any number of steps."""
    from gui.widgets import export

    window.open_file(csv_file[0])
    wait_run(qtbot, window)
    window.player.to_end()
    qtbot.waitUntil(lambda: window.player.at_end, timeout=5000)
    last = window.player.index
    seen = []

    def fake_save_gif(frames, path, fps=4, size=None):
        assert not isinstance(frames, (list, tuple))  # a generator, not every frame at once
        for frame in frames:
            seen.append(window.player.index)  # the player is at this frame's step while it is written
            assert frame.width() > 0
        return path

    monkeypatch.setattr(export, "save_gif", fake_save_gif)
    from gui.shell.menus import record_animation
    assert record_animation(window, str(tmp_path / "run.gif"))
    assert seen == list(range(last + 1))
    assert window.player.index == last


@pytest.mark.slow
def test_mnist_loads_off_the_gui_thread(qtbot, window):
    window.menus.actions["example_mnist"].trigger()
    assert window.loader.busy and window.dataset is None  # still loading; the window is free
    assert window.statusBar().currentMessage() == "Loading 6,000 MNIST digits…"
    qtbot.waitUntil(lambda: window.dataset is not None, timeout=30_000)
    assert window.dataset.n == 6000 and window.dataset.d == 784
    assert window.data_panel.dims.text() == "784 (28 × 28 images)"
    assert window.data_panel.projection.text().startswith("PCA: first two components")
    assert window.scatter.n == 6000 and not window.loader.busy
    qtbot.waitUntil(lambda: not window.progress.isVisible(), timeout=5000)


def test_the_window_starts_with_the_chosen_plugin_alone(qtbot):
    """Start-up imports and builds the active algorithm's window part only; the others are made when chosen,
    their panels then in the algorithm panel like the first one's."""
    from gui.shell.main_window import MainWindow

    w = MainWindow(startup="")
    qtbot.addWidget(w)
    names = w.plugins.names()
    first = w.plugin
    assert len(names) >= 7 and w.plugins.made() == [first]
    other = next(n for n in names if n != first.algorithm.name)
    w.set_algorithm(names.index(other))
    assert {p.algorithm.name for p in w.plugins.made()} == {first.algorithm.name, other}
    panel = w.algorithm_panel.stack.widget(names.index(other))
    assert panel is w.plugin.panel() and w.algorithm_panel.stack.currentWidget() is panel
    w.close()
