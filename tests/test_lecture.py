"""Lecture mode (View > Presentation, F5): larger text and marks, panels folded, the step as a caption; a slide export.

Driven as a teacher would: open an exercise session, press the menu action, step, leave again.
"""
import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QImage, QKeySequence
from PySide6.QtWidgets import QApplication

from engine.core.resources import resource_path
from gui.shell.lecture import FACTOR, SLIDE_SIZE


def _open_ex3(qtbot, open_window):
    w = open_window("kmeans", size=(1280, 800))
    w.open_source(str(resource_path("sessions", "ex3-kmeans.json")))
    qtbot.waitUntil(lambda: w.player.current is not None and w.player.exhausted, timeout=10000)
    return w


def _axis_title_sizes(w):
    return [w.scatter.plot_item.getAxis(side).label.font().pointSizeF() for side in ("left", "bottom")]


def _symbol_sizes(w):
    items = [i for i in w.scatter.plot.scene().items() if isinstance(i, pg.ScatterPlotItem) and len(i.data)]
    # -1: the item's default size
    return np.concatenate([np.where(i.data["size"] < 0, i.opts["size"], i.data["size"]).astype(float) for i in items])


def test_presentation_scales_folds_and_captions_then_restores(qtbot, open_window):
    w = _open_ex3(qtbot, open_window)
    action = w.menus.actions["presentation"]
    assert action.shortcut() == QKeySequence("F5") and action.isCheckable()
    font0 = QApplication.instance().font().pointSizeF()
    titles0, symbols0 = _axis_title_sizes(w), _symbol_sizes(w)

    action.trigger()
    qtbot.waitUntil(lambda: w.lecture.on, timeout=2000)
    assert action.isChecked()
    assert abs(QApplication.instance().font().pointSizeF() - font0 * FACTOR) < 1e-6
    assert not w.data_dock.isVisible() and not w.algorithm_dock.isVisible()
    assert w.isFullScreen()
    assert w.lecture.caption.isVisible() and w.lecture.caption.text() == w.timeline.step_text()
    np.testing.assert_allclose(_axis_title_sizes(w), np.multiply(titles0, FACTOR), rtol=1e-6)
    np.testing.assert_allclose(_symbol_sizes(w), symbols0 * FACTOR, rtol=1e-6)

    # stepping keeps the caption on the timeline's step and the figures large (views redraw)
    w.player.to_start()
    qtbot.waitUntil(lambda: w.lecture.caption.text().startswith("step 1 /"), timeout=2000)
    qtbot.wait(50)
    np.testing.assert_allclose(_axis_title_sizes(w), np.multiply(titles0, FACTOR), rtol=1e-6)
    assert _symbol_sizes(w).min() >= symbols0.min() * FACTOR - 1e-6

    action.trigger()  # leave: everything as before
    assert not w.lecture.on and not action.isChecked()
    assert abs(QApplication.instance().font().pointSizeF() - font0) < 1e-6
    assert w.data_dock.isVisible() and w.algorithm_dock.isVisible() and not w.isFullScreen()
    assert not w.lecture.caption.isVisible()
    np.testing.assert_allclose(_axis_title_sizes(w), titles0, rtol=1e-6)
    w.player.to_end()
    qtbot.wait(50)
    np.testing.assert_allclose(_symbol_sizes(w), symbols0, rtol=1e-6)


def test_restyling_twice_does_not_grow_twice(qtbot, open_window):
    w = _open_ex3(qtbot, open_window)
    w.lecture.set_on(True)
    once = (_axis_title_sizes(w), _symbol_sizes(w))
    w.lecture.restyle()
    w.lecture.restyle()
    np.testing.assert_allclose(_axis_title_sizes(w), once[0], rtol=1e-9)
    np.testing.assert_allclose(_symbol_sizes(w), once[1], rtol=1e-9)
    w.lecture.set_on(False)


def test_slide_export_is_1920x1080(qtbot, open_window, tmp_path):
    w = _open_ex3(qtbot, open_window)
    w.lecture.set_on(True)
    path = w.lecture.export_slide(tmp_path / "slide.png")
    image = QImage(str(path))
    assert (image.width(), image.height()) == SLIDE_SIZE
    # something was drawn: not a blank white slide
    assert image.convertToFormat(QImage.Format.Format_Grayscale8).bits().tobytes().count(255) < 0.95 * image.width() \
        * image.height()
    assert not list(tmp_path.glob("*.tmp*"))  # written atomically, nothing left over
    w.lecture.set_on(False)


def test_closing_in_lecture_mode_remembers_the_normal_window(qtbot, open_window):
    from gui.shell.main_window import MainWindow
    from gui.shell.settings import Settings

    w = _open_ex3(qtbot, open_window)
    w.lecture.set_on(True)
    w.close()  # saves settings
    again = MainWindow(settings=Settings())
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.data_dock.isVisible() and again.algorithm_dock.isVisible() and not again.isFullScreen()
    again.close()


def test_lecture_mode_scales_what_no_font_reaches(qtbot, open_window):
    """Legend samples and the timeline's buttons grow with the texts (they stayed small beside 16 pt labels)."""
    w = _open_ex3(qtbot, open_window)
    legend = w.scatter.legend
    sample = legend.items[0][0]
    icon = w.timeline.play_button.iconSize().width()
    w.lecture.set_on(True)
    qtbot.wait(20)
    assert abs(sample.scale() - FACTOR) < 1e-9 and sample.minimumWidth() >= 20 * FACTOR - 1e-6
    assert w.timeline.play_button.iconSize().width() == round(icon * FACTOR)
    w.lecture.set_on(False)
    assert abs(sample.scale() - 1.0) < 1e-9 and w.timeline.play_button.iconSize().width() == icon


def test_side_by_side_in_lecture_mode_captions_both_panes(qtbot, open_window):
    """Each pane's step as its own caption (the right pane's showed none), also for a pane opened later;
    leaving lecture mode takes both away."""
    w = _open_ex3(qtbot, open_window)
    w.lecture.set_on(True)
    w.menus.actions["side_by_side"].trigger()
    pane = w.side_by_side.pane
    qtbot.waitUntil(lambda: pane.player.current is not None and pane.player.exhausted, timeout=20_000)
    qtbot.waitUntil(lambda: pane.lecture.caption.isVisible(), timeout=2000)
    pane.player.to_start()
    qtbot.waitUntil(lambda: pane.lecture.caption.text() == pane.timeline.step_text(), timeout=2000)
    assert w.lecture.caption.isVisible() and w.lecture.caption.text() == w.timeline.step_text()
    assert pane.lecture.styled and not pane.isFullScreen()
    w.lecture.set_on(False)
    assert not pane.lecture.caption.isVisible() and not pane.lecture.styled and not w.lecture.caption.isVisible()
    w.menus.actions["side_by_side"].trigger()


def test_curves_made_by_plot_stay_large_when_their_plot_is_resized(qtbot, open_window):
    """The objective's line and dots (a PlotDataItem, which sets its curve's pen and its symbols' size again at
    every change of the view's range) keep the lecture size after the window is resized, and go back after."""
    from gui.widgets.objective import ObjectiveView

    w = _open_ex3(qtbot, open_window)
    curve = w.findChildren(ObjectiveView)[0].curve

    def sizes():
        return curve.curve.opts["pen"].widthF(), float(curve.scatter.opts["size"])

    normal = sizes()
    w.lecture.set_on(True)
    qtbot.wait(20)
    for size in ((1500, 900), (1300, 800)):  # a new range for the objective's plot each time
        w.showNormal()
        w.resize(*size)
        qtbot.wait(50)
        np.testing.assert_allclose(sizes(), np.multiply(normal, FACTOR), rtol=1e-6)
    w.lecture.set_on(False)
    w.resize(1200, 700)
    qtbot.wait(50)
    np.testing.assert_allclose(sizes(), normal, rtol=1e-6)
