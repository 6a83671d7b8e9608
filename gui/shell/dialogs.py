"""Small dialogs and the background loader of the main window.

* :class:`GenerateDialog`: number of points and seed for a shape generator.
* :func:`about_text`: the Help > About text (version, licence, credits).
* :func:`ask_open_path`, :func:`ask_save_path`: file dialogs that start in, and remember, the last folder.
* :class:`Loader`: reads data (files, MNIST) on a worker thread (a :class:`gui.run.tasks.Task`) so a large
  file never freezes the window; results come back as signals on the GUI
  thread. A newer request supersedes an older one still running (its result is dropped).
"""
from __future__ import annotations

import traceback
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QLabel, QLineEdit, QSpinBox,
                               QWidget)
from PySide6.QtGui import QIntValidator

import engine
from engine.core.cancel import watching
from engine.data import DataError
from gui.run.tasks import Task, release_finished

__all__ = ["GenerateDialog", "about_text", "ask_open_path", "ask_save_path", "Loader", "LoadFailed"]


def ask_open_path(window, title: str, filters: str) -> str | None:
    """Ask for a file to open, starting in the last folder; remember its folder. None if cancelled."""
    path, _ = QFileDialog.getOpenFileName(window, title, window.settings.last_folder(), filters)
    if not path:
        return None
    window.settings.set_last_folder(str(Path(path).parent))
    return path


def ask_save_path(window, title: str, default_name: str, filters: str, suffix: str) -> str | None:
    """Ask where to save, starting at ``default_name`` in the last folder; remember the folder.

    Returns the path, with ``suffix`` (e.g. ``".png"``) appended unless it already ends so; None if cancelled.
    """
    start = str(Path(window.settings.last_folder()) / default_name)
    path, _ = QFileDialog.getSaveFileName(window, title, start, filters)
    if not path:
        return None
    window.settings.set_last_folder(str(Path(path).parent))
    return path if path.lower().endswith(suffix) else path + suffix


class GenerateDialog(QDialog):
    """Ask for the number of points and the seed of a generated data set."""

    def __init__(self, kind: str, description: str, n: int = 300, seed: int = 0, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Generate: {kind}")
        self.n = QSpinBox()
        self.n.setObjectName("generate_n")
        self.n.setRange(2, 100_000)
        self.n.setValue(n)
        self.n.setToolTip("Number of points")
        self.seed = QLineEdit(str(seed))
        self.seed.setObjectName("generate_seed")
        self.seed.setValidator(QIntValidator(0, 2**31 - 1))
        self.seed.setToolTip("The same seed gives the same points every time")
        text = QLabel(description)
        text.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QFormLayout(self)
        layout.addRow(text)
        layout.addRow("Points:", self.n)
        layout.addRow("Seed:", self.seed)
        layout.addRow(buttons)

    def values(self) -> tuple[int, int]:
        """``(n, seed)``."""
        text = self.seed.text().strip()
        return int(self.n.value()), int(text) if text else 0


def about_text() -> str:
    """Rich text of the About box: version, licence and credits."""
    return (
        f"<h3>Clusterlab {engine.__version__}</h3>"
        "<p>Watch clustering and mixture-model algorithms work, step by step: hierarchical "
        "agglomerative clustering, K-means (and K-medians, K-medoids), Gaussian and Bernoulli mixtures "
        "fitted by EM.</p>"
        "<p>Licence: MIT.</p>"
        "<p><b>MNIST</b>: the MNIST test set of handwritten digits is shipped under the "
        "Creative Commons Attribution-Share Alike 3.0 licence (CC BY-SA 3.0); credit to "
        "Yann LeCun, Corinna Cortes and Christopher J.C. Burges.</p>"
        "<p><b>Colours</b>: the Okabe-Ito colour-blind-safe palette (Masataka Okabe and Kei Ito, 2008), "
        "extended with Paul Tol's colour schemes.</p>"
        "<p>Built with PySide6 (Qt for Python), pyqtgraph and NumPy.</p>"
    )


class LoadFailed(Exception):
    """A load went wrong; the message is for people."""


def _loading(fn: Callable) -> Callable:
    """``fn`` as a task function whose failures carry a message for people; a load inside ``fn`` stops soon
    after the task is cancelled (the task's flag is the thread's stop check, :func:`engine.core.cancel.watching`)."""
    def job(_progress, cancelled):
        try:
            with watching(cancelled):
                return fn()
        except DataError as exc:
            raise LoadFailed(str(exc)) from exc
        except MemoryError as exc:
            raise LoadFailed("Not enough memory to load these data.") from exc
        except Exception as exc:  # a bug or an unexpected OS problem: say so, never crash the window
            traceback.print_exc()
            raise LoadFailed(f"Unexpected error while loading: {type(exc).__name__}: {exc}") from exc
    return job


class Loader(QObject):
    """Runs data-loading functions on a worker thread (a :class:`~gui.run.tasks.Task`); the newest request wins.

    Signals
    -------
    sigLoaded(object, object)
        The :class:`~engine.data.Dataset` and the context given to :meth:`load`.
    sigFailed(str, object)
        A message for people and the context.
    sigBusy(bool, str)
        Loading started (with what it is loading) or finished.
    """

    sigLoaded = Signal(object, object)
    sigFailed = Signal(str, object)
    sigBusy = Signal(bool, str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._task: Task | None = None
        self._dropped: list[Task] = []  # superseded loads whose threads may still run

    @property
    def busy(self) -> bool:
        return self._task is not None

    def load(self, fn: Callable, what: str, context=None):
        """Call ``fn()`` (returns a Dataset) off the GUI thread; only the newest request is delivered."""
        if self._task is not None:
            self._task.cancel()  # superseded: it sends nothing more
            self._dropped = release_finished(self._dropped) + [self._task]
        task = Task(_loading(fn), self, "load")
        task.sigFinished.connect(lambda dataset: self._finish(self.sigLoaded, dataset, context))
        task.sigFailed.connect(lambda message: self._finish(self.sigFailed, message, context))
        self._task = task
        self.sigBusy.emit(True, what)
        task.start()

    def cancel(self):
        """Stop the running load: it stops reading soon (within about a megabyte) and sends nothing more."""
        if self._task is None:
            return
        self._task.cancel()
        self._dropped = release_finished(self._dropped) + [self._task]
        self._task = None
        self.sigBusy.emit(False, "")

    def wait(self, msecs: int = 10_000, cancel: bool = True) -> bool:
        """Wait for running loads (before the window closes); True if none is left running.

        With ``cancel`` (the default: a closing window wants no more results) the running load is cancelled
        first, so the wait is short.
        """
        if cancel:
            self.cancel()
            for task in self._dropped:
                task.cancel()
        tasks = [*self._dropped, *([self._task] if self._task is not None else [])]
        return all([t.wait(msecs) for t in tasks])

    def _finish(self, signal, value, context):
        if self._task is not None:
            self._task.setParent(None)  # freed with its last reference, once its signal is delivered
            self._task = None
        self.sigBusy.emit(False, "")
        signal.emit(value, context)
