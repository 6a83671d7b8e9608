"""Test settings: Qt runs offscreen, settings go to a temporary place, never the user's; shared fixtures.

Plain helpers (the toy plugins, opening a file through the dialog) live in ``helpers.py``.
"""
import os
import sys
import pathlib

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = pathlib.Path(__file__).resolve().parents[1]
TESTS = pathlib.Path(__file__).resolve().parent  # for ``from helpers import ...`` (tests/helpers.py)
for _folder in (ROOT, TESTS):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

import numpy as np  # noqa: E402
import pytest  # noqa: E402

if os.environ.get("PYTEST_XDIST_WORKER"):  # parallel workers (pytest -n): one BLAS thread each, no oversubscription
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn, a test dependency
        threadpool_limits = None
    if threadpool_limits is not None:
        threadpool_limits(1)


def pytest_xdist_auto_num_workers(config):
    """``-n auto``: two workers per core (at most 16). A window test spends much of its time waiting for Qt's event
    loop and for worker threads, not computing: on 2 cores, 4 workers ran the suite in 3:18 where 2 took 4:17."""
    return max(2, min(2 * (os.cpu_count() or 1), 16))


@pytest.fixture(autouse=True, scope="session")
def _garbage_collected_on_the_gui_thread(qapp):
    """As in the app (gui.shell.app.make_app): cyclic garbage (closed windows of earlier tests) is collected on the
    GUI thread only, never by a worker thread of a later test (a deadlock: Qt widgets deleted off the GUI thread)."""
    import gc

    from gui.shell.app import collect_garbage_on_gui_thread
    collect_garbage_on_gui_thread()
    gc.collect()
    gc.freeze()  # what the collection imported (every test module, numpy, scipy, Qt): never scanned again
    yield


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, monkeypatch):
    """Each test gets its own QSettings store so tests never share or leak state."""
    monkeypatch.setenv("CLUSTERLAB_SETTINGS_DIR", str(tmp_path / "settings"))
    yield


@pytest.fixture
def shown(qtbot):
    """``shown(widget, size)``: register ``widget`` with qtbot (closed after the test), resize it to
    ``size`` = (width, height), show it, wait until it is exposed and return it."""

    def show(widget, size):
        qtbot.addWidget(widget)
        widget.resize(*size)
        widget.show()
        qtbot.waitExposed(widget)
        return widget

    return show


@pytest.fixture
def open_window(shown):
    """``open_window(plugin, size=(1300, 850), **kwargs)``: a shown ``MainWindow(**kwargs)`` with the plugin
    ``plugin`` selected (a plugin class, or an algorithm name such as "hac"); closed after the test."""
    from gui.shell.main_window import MainWindow

    made = []

    def make(plugin, size=(1300, 850), **kwargs):
        w = shown(MainWindow(**kwargs), size)
        made.append(w)
        if isinstance(plugin, str):
            index = w.plugins.index(plugin)
        else:
            index = w.plugins.index(plugin)
        w.set_algorithm(index)
        return w

    yield make
    for w in made:
        w.close()


@pytest.fixture
def csv_file(tmp_path):
    """``(path, X)``: a CSV of 20 points in two well-separated groups, with an ``x,y`` header."""
    path = tmp_path / "points.csv"
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 0.3, (10, 2)), rng.normal(3, 0.3, (10, 2))])
    path.write_text("x,y\n" + "\n".join(f"{a:.6f},{b:.6f}" for a, b in X) + "\n")
    return path, X


@pytest.fixture
def message_boxes(monkeypatch):
    """The message boxes shown during the test, as ``(kind, title, text)``; none opens (each answers Ok)."""
    from PySide6.QtWidgets import QMessageBox

    calls = []
    for kind in ("critical", "warning", "information"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(
            lambda parent, title, text, *a, kind=kind, **k: calls.append((kind, title, text))
            or QMessageBox.StandardButton.Ok))
    return calls
