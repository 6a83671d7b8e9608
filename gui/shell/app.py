"""Starting the Qt application: names for QSettings, Ctrl+C, the main window.

:func:`run` is what the ``clusterlab`` command (:mod:`gui.shell.cli`) calls to open the window;
:func:`make_app` is shared with ``clusterlab render``.

``CLUSTERLAB_QUIT_AFTER_SHOW=1`` (for ``bench/bench_startup.py``) makes :func:`run` print the
seconds from the process's start (or from ``CLUSTERLAB_T0``, a ``time.time()`` value) to the
first window shown, then quit.
"""
from __future__ import annotations

import os
import re
import signal
import sys
import time

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QApplication
from pyqtgraph.util.garbage_collector import GarbageCollector

import engine
from gui.shell.settings import APPLICATION, ORGANISATION

__all__ = ["make_app", "run", "dispose", "collect_garbage_on_gui_thread", "seconds_since_start", "no_display_message"]

#: Qt platforms that need a display server (``QT_QPA_PLATFORM`` unset means xcb or wayland on Linux).
DISPLAY_PLATFORMS = ("", "xcb", "wayland", "wayland-egl")


def no_display_message(environ=None, platform: str | None = None) -> str:
    """One line saying there is no display to open the window on, or ``""`` when there is one.

    On Linux, with neither ``DISPLAY`` nor ``WAYLAND_DISPLAY`` set and a Qt platform that needs one
    (``QT_QPA_PLATFORM`` unset, ``xcb`` or ``wayland``), Qt would abort with a message about missing
    libraries (``xcb-cursor0``) that are not the cause. Checked before the QApplication is created.
    """
    env = os.environ if environ is None else environ
    if not (platform if platform is not None else sys.platform).startswith("linux"):
        return ""
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return ""
    wanted = re.split(r"[:;]", env.get("QT_QPA_PLATFORM", "").strip().lower())[0]
    if wanted not in DISPLAY_PLATFORMS:
        return ""  # offscreen, minimal, vnc, eglfs, linuxfb, ...: no display needed
    return ("clusterlab: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are not set); "
            "to work without one, run `clusterlab render SESSION --out DIR` or set QT_QPA_PLATFORM=offscreen.")


_COLLECTOR: GarbageCollector | None = None


def collect_garbage_on_gui_thread() -> GarbageCollector:
    """Python's cyclic garbage collection from now on runs on this (the GUI) thread only, on a timer
    (pyqtgraph's :class:`~pyqtgraph.util.garbage_collector.GarbageCollector`; called once, after the QApplication
    exists). Left automatic, a collection triggered by a worker thread's allocation (a sweep, a working) deleted the
    Qt widgets of a closed window on that thread and deadlocked against the GUI thread (seen: a QMenu destroyed in
    the model-selection worker while the GUI thread painted)."""
    global _COLLECTOR
    if _COLLECTOR is None:
        _COLLECTOR = GarbageCollector(interval=0.5)
    return _COLLECTOR


def make_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once), with Clusterlab's names for QSettings; garbage collected on its thread."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv) if argv else [sys.argv[0] if sys.argv else "clusterlab"])
    collect_garbage_on_gui_thread()
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

    Returns 2 at once, with one line on stderr, when there is no display (:func:`no_display_message`).
    """
    problem = no_display_message()
    if problem and QApplication.instance() is None:
        print(problem, file=sys.stderr)
        return 2
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
    code = int(app.exec())
    dispose(window)
    return code


def dispose(window) -> None:
    """Close ``window`` and delete it now, with everything it holds, while Python and the QApplication are still
    whole. Left to the interpreter's exit, PySide deletes surviving plot items one by one after Python has begun
    to shut down, and a pyqtgraph item called back from its destructor then crashes the process (exit 139)."""
    window.close()
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # processEvents() leaves deferred deletes
