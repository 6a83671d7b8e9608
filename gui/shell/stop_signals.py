"""Ctrl+C (SIGINT) and SIGTERM for ``clusterlab render``: stop at once, clean up, exit 130 / 143.

A Qt event loop blocks in C++, where Python's signal handlers never run, so a Ctrl+C used to be
ignored. :class:`StopSignals` installs handlers for both signals and points
:func:`signal.set_wakeup_fd` at one end of a socket pair: the C-level handler writes a byte there,
which wakes the event loop through a :class:`~PySide6.QtCore.QSocketNotifier` on the other end (no
timer, no polling). Python then runs the handler, which records the signal and

* raises :class:`Interrupted` at once inside ``with raising():`` (plain Python waiting on a thread);
* elsewhere (the handler may run inside a Qt slot or a Python override called from C++, where an
  exception would only be printed and swallowed) makes every running event loop return
  (:meth:`QCoreApplication.exit`); the code after each loop, and between frames and files, calls
  :func:`check`, which raises :class:`Interrupted`. Every write is atomic, so no half-written file
  stays.

``render`` catches :class:`Interrupted` where it cleans up (the window, its temporary settings
folder) and exits with ``128 + signal number``.
"""
from __future__ import annotations

import signal
import socket
from contextlib import contextmanager

__all__ = ["StopSignals", "Interrupted", "check", "raising", "SIGNALS"]

SIGNALS = (signal.SIGINT, signal.SIGTERM)
_active: "StopSignals | None" = None


class Interrupted(BaseException):
    """A stop signal arrived (a BaseException, as KeyboardInterrupt: no ``except Exception`` swallows it)."""

    def __init__(self, signum: int):
        super().__init__(f"interrupted by {signal.Signals(signum).name}")
        self.signum = int(signum)

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def check() -> None:
    """Raise :class:`Interrupted` when a stop signal has arrived (no-op otherwise, or when none is installed)."""
    if _active is not None and _active.signum is not None:
        raise Interrupted(_active.signum)


@contextmanager
def raising():
    """Inside this block a stop signal raises :class:`Interrupted` at once (for plain Python waits)."""
    active = _active
    if active is None:
        yield
        return
    check()
    active.raise_now = True
    try:
        yield
    finally:
        active.raise_now = False


class StopSignals:
    """``with StopSignals() as stop:`` SIGINT and SIGTERM raise :class:`Interrupted` (see the module docstring).

    Call :meth:`attach_qt` once the QApplication exists. Only in the main thread; the previous
    handlers and wakeup fd are put back on exit.
    """

    def __init__(self):
        self.signum: int | None = None
        self.raise_now = False  # set by raising()
        self._old: dict = {}
        self._old_fd = -1
        self._socks = None
        self._notifier = None

    def __enter__(self) -> "StopSignals":
        global _active
        self._socks = socket.socketpair()
        for s in self._socks:
            s.setblocking(False)
        self._old_fd = signal.set_wakeup_fd(self._socks[1].fileno(), warn_on_full_buffer=False)
        for sig in SIGNALS:
            self._old[sig] = signal.signal(sig, self._handle)
        _active = self
        return self

    def __exit__(self, *exc) -> None:
        global _active
        _active = None
        for sig, old in self._old.items():
            signal.signal(sig, old)
        signal.set_wakeup_fd(self._old_fd)
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        for s in self._socks or ():
            s.close()
        self._socks = None

    def attach_qt(self) -> None:
        """Wake the Qt event loop when a signal arrives (needs the QApplication)."""
        if self._notifier is not None or self._socks is None:
            return
        from PySide6.QtCore import QSocketNotifier
        self._notifier = QSocketNotifier(self._socks[0].fileno(), QSocketNotifier.Type.Read)
        self._notifier.activated.connect(self._drain)

    def _drain(self, *_):
        # the Python handler has run before this slot's first line (and quit the event loops)
        try:
            while self._socks is not None and self._socks[0].recv(64):
                pass
        except OSError:  # BlockingIOError: nothing more to read
            pass

    def _handle(self, signum, frame):
        self.signum = signum
        if self.raise_now:
            self.raise_now = False
            raise Interrupted(signum)
        from PySide6.QtCore import QCoreApplication
        QCoreApplication.exit(128 + signum)  # every running event loop returns; the code after it checks
