"""Running one view alone on example data, like pyqtgraph's examples.

Every shared view module ends with::

    if __name__ == "__main__":
        from gui.widgets.demo import run_demo
        run_demo(_demo_widget, title="Scatter")

so ``python -m gui.widgets.scatter`` shows that view by itself. ``run_demo`` creates the QApplication (or reuses the
one that exists), builds the widget, shows it and runs the event loop. With the environment variable
``CLUSTERLAB_DEMO_QUIT_MS`` set to a number of milliseconds it quits that long after showing, which is how the tests
run every demo headless (``QT_QPA_PLATFORM=offscreen CLUSTERLAB_DEMO_QUIT_MS=0 python -m gui.widgets.scatter``).
"""
from __future__ import annotations

import os
import sys
from typing import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

__all__ = ["QUIT_ENV", "run_demo"]

QUIT_ENV = "CLUSTERLAB_DEMO_QUIT_MS"
"""Environment variable: quit the demo this many milliseconds after the widget is shown."""


def run_demo(make_widget: Callable[[], QWidget], title: str = "") -> int:
    """Build a widget, show it and run the Qt event loop until its window closes.

    Parameters
    ----------
    make_widget : callable
        Called with no arguments once the QApplication exists; returns the widget to show.
    title : str, optional
        The window title (the widget's own title when empty).

    Returns
    -------
    int
        The event loop's exit code (0 on a normal close or a timed quit).

    Raises
    ------
    ValueError
        If ``CLUSTERLAB_DEMO_QUIT_MS`` is set but is not a whole number of milliseconds.
    """
    quit_ms = os.environ.get(QUIT_ENV, "").strip()
    delay = int(quit_ms) if quit_ms else None
    if delay is not None and delay < 0:
        raise ValueError(f"{QUIT_ENV} must be >= 0, not {quit_ms!r}")
    app = QApplication.instance() or QApplication(sys.argv[:1] or ["clusterlab-demo"])
    widget = make_widget()
    if title:
        widget.setWindowTitle(title)
    widget.resize(max(widget.width(), 640), max(widget.height(), 420))
    widget.show()
    if delay is not None:
        QTimer.singleShot(delay, app.quit)
    code = app.exec()
    widget.close()
    return int(code)
