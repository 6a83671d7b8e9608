"""Starting the Qt application: names for QSettings, Ctrl+C, the main window.

``run(argv)`` is what ``python main.py`` and the ``clusterlab`` command call.
"""
from __future__ import annotations

import argparse
import signal
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

import engine
from gui.shell.settings import APPLICATION, ORGANISATION

__all__ = ["make_app", "run", "parse_args"]


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


def parse_args(argv: list[str]):
    parser = argparse.ArgumentParser(prog="clusterlab", description="Watch clustering algorithms work, step by step.")
    parser.add_argument("file", nargs="?", help="a data file to open (CSV/TSV/text, .npy/.npz, MNIST IDX)")
    parser.add_argument("--example", metavar="NAME", help="open a built-in example (four-points, one-d, five-points)")
    parser.add_argument("--mnist", action="store_true", help="open 6,000 MNIST test images")
    parser.add_argument("--version", action="version", version=f"Clusterlab {engine.__version__}")
    return parser.parse_args(argv)


def run(argv: list[str] | None = None) -> int:
    """Start the GUI; ``argv`` without the program name. Returns the exit code."""
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    app = make_app(sys.argv[:1])
    from gui.shell.main_window import MainWindow  # after QApplication exists

    startup = None
    if args.file:
        startup = args.file
    elif args.example:
        startup = f"example:{args.example}"
    elif args.mnist:
        startup = "mnist"
    window = MainWindow(startup=startup)
    window.show()
    _timer = install_sigint_handler(app)  # noqa: F841 - must live as long as the loop
    return int(app.exec())
