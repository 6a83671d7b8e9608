"""Stopping a long computation from another thread: a per-thread check that long loops call.

Whoever runs engine work on a worker thread (the GUI's player advancing a step generator, the
window's data loader) installs a check for that thread with :func:`watching`; the engine's long
loops (HAC's distance blocks and merge loops, the loaders' reading, which raise their own
:class:`engine.data.LoadCancelled` through :func:`requested`) call :func:`check` every few
thousand operations, which raises :class:`Cancelled` once
the installed check returns True. Without a check installed, :func:`check` does nothing, so
scripts, tests and ``render`` are unaffected.

A step generator that is cancelled inside ``next()`` raises :class:`Cancelled` from that call;
generators that support it (HAC's) stay usable: the next ``next()`` starts the cancelled
computation again.

Example
-------
>>> import threading
>>> stop = threading.Event()
>>> with watching(stop.is_set):
...     check()  # not set: nothing happens
...     stop.set()
...     try:
...         check()
...     except Cancelled:
...         print("cancelled")
cancelled
>>> check()  # outside watching(): never raises
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Callable

__all__ = ["Cancelled", "check", "requested", "watching"]

_local = threading.local()


class Cancelled(Exception):
    """The computation was stopped by whoever asked for it (not an error in the data or parameters)."""


def requested() -> bool:
    """True once the check installed for this thread (:func:`watching`) says stop; False without one."""
    fn = getattr(_local, "check", None)
    return bool(fn is not None and fn())


def check() -> None:
    """Raise :class:`Cancelled` if the check installed for this thread says so."""
    if requested():
        raise Cancelled("cancelled")


@contextmanager
def watching(should_stop: Callable[[], bool]):
    """Within the block, :func:`check` on this thread raises :class:`Cancelled` once ``should_stop()``."""
    previous = getattr(_local, "check", None)
    if previous is None:
        _local.check = should_stop
    else:
        _local.check = lambda: should_stop() or previous()
    try:
        yield
    finally:
        _local.check = previous
