"""Starting the Qt application: names for QSettings, Ctrl+C, the main window.

:func:`run` is what the ``clusterlab`` command (:mod:`gui.shell.cli`) calls to open the window;
:func:`make_app` is shared with ``clusterlab render``.

``CLUSTERLAB_QUIT_AFTER_SHOW=1`` (for ``bench/bench_startup.py``) makes :func:`run` print the
seconds from the process's start (or from ``CLUSTERLAB_T0``, a ``time.time()`` value) to the
first window shown, then quit.
"""
from __future__ import annotations

import os
import signal
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

import engine
from gui.shell.settings import APPLICATION, ORGANISATION

__all__ = ["make_app", "run", "seconds_since_start"]


def make_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once), with Clusterlab's names for QSettings."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv) if argv else [sys.argv[0] if sys.argv else "clusterlab"])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Clusterlab")
    app.setApplicationVersion(engine.__version__)
    return app


def install_sigint_handler(app: QApplication) -> QTimer:
    """Ctrl+C in the terminal closes the windows and quits (Qt's event loop alone would ignore it)."""
    def on_sigint(*_):
        app.closeAllWindows()
        app.quit()

    signal.signal(signal.SIGINT, on_sigint)
    timer = QTimer(app)  # wake the interpreter now and then so the Python handler can run
    timer.start(200)
    timer.timeout.connect(lambda: None)
    return timer


def seconds_since_start() -> float:
    """Seconds since ``CLUSTERLAB_T0`` (a ``time.time()`` value) if set, else since this process started
    (Linux: ``/proc``; elsewhere: since Python's clock started)."""
    t0 = os.environ.get("CLUSTERLAB_T0")
    if t0:
        return time.time() - float(t0)
    try:
        with open("/proc/self/stat") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.perf_counter()


def run(startup: str | None = None, session=None) -> int:
    """Open the window and run the event loop; returns the exit code.

    Parameters
    ----------
    startup : str, optional
        What the window opens first (``MainWindow.open_source``: a data file,
        ``"example:NAME"``, ``"mnist"``); default: what the settings remember.
    session : str or Path, optional
        A session file, opened through ``window.session_controller.open_path``
        (then nothing else is opened at start).
    """
    app = make_app(sys.argv[:1])
    from gui.shell.main_window import MainWindow  # after QApplication exists

    window = MainWindow(startup="" if session is not None else startup)
    window.show()
    if session is not None:
        controller = window.session_controller
        if controller is None:
            window.status(f"Cannot open {session}: sessions are unavailable.", 0)
        else:
            controller.open_path(session)
    if os.environ.get("CLUSTERLAB_QUIT_AFTER_SHOW"):
        def report_and_quit():
            print(f"{seconds_since_start():.4f}", flush=True)
            window.close()
            app.quit()
        QTimer.singleShot(0, report_and_quit)
    _timer = install_sigint_handler(app)  # noqa: F841 - must live as long as the loop
    return int(app.exec())
