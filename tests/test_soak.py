"""Soak: 2,000 animated frames through the whole window, then PNG and SVG exports, without a crash.

The run is a long test-only one (2,000 steps over 300 points) so the test
exercises the window's drawing path, not an algorithm; a second test animates
every installed algorithm plugin on generated blobs.
"""

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from engine.core import registry
from engine.data import generate, mnist
from engine.core.steps import Step, TraceBuilder

from helpers import ToyPlugin, use_plugins  # the toy algorithm of the window tests

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

FRAMES = 2000


def long_run(X, k=5, n_steps=FRAMES, delay=0.0):
    n = X.shape[0]
    rng = np.random.default_rng(0)
    trace = TraceBuilder()
    labels = rng.integers(0, k, n)
    for i in range(n_steps):
        labels = labels.copy()
        flip = rng.integers(0, n, 3)
        labels[flip] = rng.integers(0, k, 3)
        obj = 1000.0 / (i + 1)
        last = i == n_steps - 1
        yield Step("assign", f"soak step {i}", labels=labels, objective=obj, trace=trace.next(obj),
                   iteration=i, done=last, status="finished" if last else "")


def make(qtbot, monkeypatch, classes=None):
    """A shown window offering the plugin ``classes`` (None: the registered ones)."""
    if classes is not None:
        use_plugins(monkeypatch, *classes)
    from gui.shell.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1200, 760)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_two_thousand_frames_then_export(qtbot, monkeypatch, tmp_path):
    class SoakPlugin(ToyPlugin):
        algorithm = ToyPlugin.algorithm.__class__(**{**ToyPlugin.algorithm.__dict__, "steps": long_run})

        def __init__(self, window):
            super().__init__(window)
            # a symbol per step costs O(steps) per frame; a plain line keeps 2,000 steps cheap
            self.objective.curve.setSymbol(None)

    w = make(qtbot, monkeypatch, [SoakPlugin])
    w.set_dataset(generate("blobs", n=300, seed=1))
    w.plugin.form.widgets["n_steps"].setValue(FRAMES)
    w.plugin.form.widgets["k"].setValue(5)
    qtbot.waitUntil(lambda: w.player.current is not None, timeout=5000)
    w.player.to_end()
    qtbot.waitUntil(lambda: w.player.at_end, timeout=30_000)
    assert len(w.player.history) == FRAMES
    w.player.to_start()
    grabs = 0
    for i in range(FRAMES):
        # every frame updates every view (scatter labels, the plugin's tab, the timeline); Qt paints
        # every 10th (as the event loop does when steps come faster than paints); every 200th is grabbed
        w.player.seek(i)
        if i % 10 == 0:
            QApplication.processEvents()
        if i % 200 == 0:
            grabs += not w.splitter.grab().toImage().isNull()
    QApplication.processEvents()
    assert grabs == FRAMES // 200
    assert w.player.index == FRAMES - 1
    np.testing.assert_array_equal(w.scatter.labels(), w.player.current.labels)
    assert w.timeline.label.text().startswith(f"step {FRAMES} / {FRAMES}")
    from gui.widgets import export
    export.export_png(w.scatter, tmp_path / "soak.png", scale=2)
    export.export_svg(w.scatter, tmp_path / "soak.svg")
    export.export_png(w.tabs.currentWidget(), tmp_path / "tab.png")
    assert (tmp_path / "soak.png").stat().st_size > 1000 and "<svg" in (tmp_path / "soak.svg").read_text()
    w.close()


@pytest.mark.parametrize("name", list(registry.algorithms()))
def test_every_installed_algorithm_animates(qtbot, monkeypatch, tmp_path, name):
    w = make(qtbot, monkeypatch)
    blobs, digits = generate("blobs", n=200, seed=3), mnist(300)
    for index in [i for i, n in enumerate(w.plugins.names()) if n == name]:
        w.set_algorithm(index)
        # each algorithm on data it is meant for: the Bernoulli mixture on binary images
        w.set_dataset(digits if w.plugin.algorithm.name == "bernoulli" else blobs)
        qtbot.waitUntil(lambda: w.player.current is not None or w.algorithm_panel.error.isVisible(), timeout=10_000)
        assert not w.algorithm_panel.error.isVisible(), w.algorithm_panel.error.text()
        w.player.to_end(limit=400)
        qtbot.waitUntil(lambda: not w.player.busy, timeout=30_000)
        last = len(w.player.history) - 1
        for i in range(last + 1):  # every step shown in every view; Qt paints every 4th (and the last)
            w.player.seek(i)
            if i % 4 == 0 or i == last:
                QApplication.processEvents()
        name = w.plugin.algorithm.name
        from gui.widgets import export
        export.export_png(w.scatter, tmp_path / f"{name}.png")
        export.export_svg(w.scatter, tmp_path / f"{name}.svg")
    w.close()
