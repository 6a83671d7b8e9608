"""Background tasks: one function run on a worker thread, its results delivered as signals on the GUI thread.

Every long computation of the window that is not a step of the run (a K-means sweep, the HAC comparison table,
loading a file, …) goes through :class:`Task` or its reusable wrapper :class:`BackgroundTask`:

* ``fn(progress, cancelled)`` runs on a daemon worker thread (never on the GUI thread, so nothing blocks it).
  ``progress(done, total, text="", partial=None)`` may be called from ``fn``; a ``partial`` result (any object, e.g.
  one finished run of a sweep) is delivered at once by ``sigPartial``. ``cancelled()`` is True once :meth:`Task.stop`
  or :meth:`Task.cancel` was asked; ``fn`` should then return soon.
* What ``fn`` returns arrives by ``sigFinished``; an exception by ``sigFailed`` with a message for people.
* :meth:`Task.stop` asks ``fn`` to stop and still delivers what it sends (e.g. a sweep cut short);
  :meth:`Task.cancel` asks it to stop and *disconnects*: everything it sends later is dropped.
* Worker threads are plain daemon Python threads, not ``QThread`` objects owned by a window: a window closing (and
  its objects deleted) while a task runs cannot abort the process with "QThread destroyed while running". Workers
  report through signals of the process-wide registry (which is never deleted), queued to the GUI thread and handed
  to their task there; the late results of a cancelled or deleted task go nowhere.

Is anything still computing?
----------------------------
:func:`registry` returns the one :class:`TaskRegistry` of the process. Every task is counted from
:meth:`Task.start` until its worker thread has finished *and* its last signal was handled on the GUI thread (so the
owner has drawn the result already). :meth:`TaskRegistry.count` counts the tasks of a window (or of any QObject:
tasks whose owner is that object or one of its descendants); ``sigCountChanged(int)`` carries the new total and
``sigIdle`` is emitted when the total drops to zero. :meth:`TaskRegistry.wait_idle` runs a local event loop until a
window has nothing running, woken by those signals, never polling::

    from gui.run.tasks import registry
    if not registry().wait_idle(window, timeout_ms=30_000):
        raise TimeoutError("still computing")

Other long-running parts (the step :class:`~gui.run.player.Player`) register their work with
:meth:`TaskRegistry.hold` / :meth:`TaskRegistry.release` and are counted the same way.

Tasks must be created and started on the GUI thread.
"""
from __future__ import annotations

import atexit
import itertools
import queue
import socket
import threading
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QEventLoop, QObject, QSocketNotifier, QTimer, Signal, Slot

__all__ = ["Task", "BackgroundTask", "TaskRegistry", "registry", "release_finished", "TaskFn"]

TaskFn = Callable[[Callable[..., None], Callable[[], bool]], Any]
"""``fn(progress, cancelled) -> result``, run on the worker thread."""

_ids = itertools.count(1)


class TaskRegistry(QObject):
    """The running tasks of the process (see the module docstring).

    Signals
    -------
    sigCountChanged(int)
        The number of running tasks changed; the new total.
    sigIdle()
        The number of running tasks dropped to zero.
    """

    sigCountChanged = Signal(int)
    sigIdle = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._owners: dict[int, QObject] = {}
        self._receivers: dict[int, Task] = {}
        # The workers' end: a worker never calls Qt (a plain Python thread that emits Qt signals becomes a Qt
        # "adopted thread", whose teardown can deadlock with the GUI thread). It puts its reports in a queue and
        # writes one byte to a socket pair; a QSocketNotifier on the GUI thread wakes up and hands every report,
        # in order, to the live task of its token. The registry lives as long as the process.
        self._inbox: queue.SimpleQueue = queue.SimpleQueue()
        self._wake_read, self._wake_write = socket.socketpair()
        self._wake_read.setblocking(False)
        self._wake_write.setblocking(False)
        self._notifier = QSocketNotifier(self._wake_read.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)
        atexit.register(self._close_wake_sockets)

    def _close_wake_sockets(self):
        try:
            self._notifier.setEnabled(False)
        except RuntimeError:  # Qt has gone already
            pass
        self._wake_read.close()
        self._wake_write.close()

    def post(self, kind: str, token: int, *args) -> None:
        """From a worker thread: report ``kind`` ("progress", "partial", "done") of ``token`` to the GUI thread."""
        self._inbox.put((kind, token, args))
        try:
            self._wake_write.send(b"\0")
        except (BlockingIOError, OSError):  # the socket is full: the GUI thread is woken already
            pass

    def _drain(self, *_):
        try:
            while self._wake_read.recv(4096):
                pass
        except (BlockingIOError, OSError):
            pass
        handlers = {"progress": self._on_progress, "partial": self._on_partial, "done": self._on_done}
        while True:
            try:
                kind, token, args = self._inbox.get_nowait()
            except queue.Empty:
                return
            handlers[kind](token, *args)

    def hold(self, owner: QObject) -> int:
        """Count one piece of work of ``owner`` as running; returns the token to :meth:`release` it with."""
        token = next(_ids)
        self._owners[token] = owner
        self.sigCountChanged.emit(len(self._owners))
        return token

    def release(self, token: int):
        """The work of ``token`` is over (releasing twice, or an unknown token, does nothing)."""
        if self._owners.pop(token, None) is None:
            return
        self.sigCountChanged.emit(len(self._owners))
        if not self._owners:
            self.sigIdle.emit()

    def _connect(self, token: int, task: "Task"):
        self._receivers[token] = task

    def _disconnect(self, token: int):
        self._receivers.pop(token, None)

    def _receiver(self, token: int) -> "Task | None":
        task = self._receivers.get(token)
        if task is not None and not shiboken6.isValid(task):  # deleted with its window
            self._receivers.pop(token, None)
            return None
        return task

    def _on_progress(self, token: int, done: int, total: int, text: str):
        task = self._receiver(token)
        if task is not None:
            task.sigProgress.emit(done, total, text)

    def _on_partial(self, token: int, partial):
        task = self._receiver(token)
        if task is not None:
            task.sigPartial.emit(partial)

    def _on_done(self, token: int, ok: bool, payload):
        task = self._receiver(token)
        self._receivers.pop(token, None)
        try:
            if task is not None:
                task._deliver(ok, payload)  # the owner has the result before the count drops
        finally:
            self.release(token)

    def count(self, scope: QObject | None = None) -> int:
        """Running tasks in all (``scope`` None) or of ``scope``: owned by it or by one of its descendants."""
        if scope is None:
            return len(self._owners)
        return sum(1 for owner in list(self._owners.values()) if _within(owner, scope))

    def wait_idle(self, scope: QObject | None = None, timeout_ms: int = 30_000) -> bool:
        """Run the event loop until nothing of ``scope`` is running; False if ``timeout_ms`` passed first."""
        if self.count(scope) == 0:
            return True
        loop = QEventLoop()
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(loop.quit)

        def check(_total: int):
            if self.count(scope) == 0:
                loop.quit()

        self.sigCountChanged.connect(check)
        timer.start(max(int(timeout_ms), 0))
        try:
            if self.count(scope):
                loop.exec()
        finally:
            self.sigCountChanged.disconnect(check)
            timer.stop()
        return self.count(scope) == 0


def _within(owner: QObject, scope: QObject) -> bool:
    """Whether ``owner`` is ``scope`` or one of its descendants (False once either was deleted)."""
    try:
        obj = owner
        while obj is not None:
            if obj is scope:
                return True
            obj = obj.parent()
    except RuntimeError:  # the C++ object is gone
        return False
    return False


_registry: TaskRegistry | None = None


def registry() -> TaskRegistry:
    """The process's :class:`TaskRegistry` (made on first use, on the GUI thread)."""
    global _registry
    if _registry is None:
        _registry = TaskRegistry()
    return _registry


def _work(token: int, fn: TaskFn, flag: threading.Event):
    """The worker thread: call ``fn`` and report through the registry; ``done`` is always sent last."""
    reg = registry()

    def progress(done: int, total: int, text: str = "", partial=None):
        if partial is not None:
            reg.post("partial", token, partial)
        reg.post("progress", token, int(done), int(total), str(text))

    ok, payload = False, "interrupted"
    try:
        payload = fn(progress, flag.is_set)
        ok = True
    except Exception as exc:  # a message for people, never a crash
        payload = str(exc) or type(exc).__name__
    finally:
        reg.post("done", token, ok, payload)


class Task(QObject):
    """One call of ``fn(progress, cancelled)`` on a worker thread (see the module docstring).

    Parameters
    ----------
    fn : callable
        ``fn(progress, cancelled) -> result``.
    parent : QObject, optional
        The owner; :meth:`TaskRegistry.count` counts the task for it and its ancestors.
    name : str, optional
        Part of the worker thread's name.

    Signals
    -------
    sigProgress(int, int, str)
        ``done``, ``total`` and a text, as ``fn`` reported them.
    sigPartial(object)
        A partial result.
    sigFinished(object)
        What ``fn`` returned.
    sigFailed(str)
        ``fn`` raised; the message.
    """

    sigProgress = Signal(int, int, str)
    sigPartial = Signal(object)
    sigFinished = Signal(object)
    sigFailed = Signal(str)

    def __init__(self, fn: TaskFn, parent: QObject | None = None, name: str = "task"):
        super().__init__(parent)
        self._fn = fn
        self._name = name
        self._flag = threading.Event()
        self._thread: threading.Thread | None = None
        self._token: int | None = None
        self._dropped = False
        self.busy = False
        """True from :meth:`start` until the result was delivered (False at once after :meth:`cancel`)."""

    @property
    def stopping(self) -> bool:
        """:meth:`stop` or :meth:`cancel` was asked."""
        return self._flag.is_set()

    def start(self) -> "Task":
        """Start the worker thread (once); returns the task."""
        if self._thread is not None:
            raise RuntimeError("a Task runs once; make a new one")
        token = registry().hold(self)
        registry()._connect(token, self)
        self._token = token
        self.busy = True
        self._thread = threading.Thread(target=_work, args=(token, self._fn, self._flag),
                                        name=f"clusterlab-{self._name}", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Ask ``fn`` to stop; what it still sends (its result too) is delivered."""
        self._flag.set()

    def cancel(self):
        """Ask ``fn`` to stop and drop everything it sends from now on (no more signals of this task)."""
        self._flag.set()
        if self._dropped:
            return
        self._dropped = True
        self.busy = False
        if self._token is not None:
            registry()._disconnect(self._token)

    def wait(self, msecs: int = 10_000) -> bool:
        """Block until the worker thread ended (at most ``msecs``); True if it did (or never started)."""
        if self._thread is None:
            return True
        self._thread.join(max(msecs, 0) / 1000.0)
        return not self._thread.is_alive()

    def _deliver(self, ok: bool, payload):
        """The worker's result, on the GUI thread (called by the registry)."""
        if self._dropped:
            return
        self.busy = False
        if ok:
            self.sigFinished.emit(payload)
        else:
            self.sigFailed.emit(str(payload))


class BackgroundTask(QObject):
    """A reusable runner of one :class:`Task` at a time; a newer :meth:`start` drops the older task's results.

    ``fn(progress, cancelled)`` as in the module docstring.

    Signals
    -------
    sigProgress(int, int, str), sigPartial(object), sigFinished(object), sigFailed(str)
        Those of the current task.
    sigBusy(bool)
        A task started, or the current one delivered its result.
    """

    sigProgress = Signal(int, int, str)
    sigPartial = Signal(object)
    sigFinished = Signal(object)
    sigFailed = Signal(str)
    sigBusy = Signal(bool)

    def __init__(self, parent: QObject | None = None, name: str = "task"):
        super().__init__(parent)
        self._name = name
        self._task: Task | None = None
        self._old: list[Task] = []  # dropped tasks whose threads may still run (for shutdown)
        self.busy = False

    def start(self, fn: TaskFn):
        """Run ``fn`` on a worker thread; the results of a task still running are dropped."""
        self._drop_current()
        task = Task(fn, self, self._name)  # a dropped task sends nothing more: no need to tell tasks apart
        task.sigProgress.connect(self.sigProgress)
        task.sigPartial.connect(self.sigPartial)
        task.sigFinished.connect(self._on_finished)
        task.sigFailed.connect(self._on_failed)
        self._task = task
        self._set_busy(True)
        task.start()

    def cancel(self):
        """Ask the running ``fn`` to stop; what it returns is still delivered by ``sigFinished``."""
        if self._task is not None:
            self._task.stop()

    def shutdown(self, msecs: int = 10_000):
        """Stop, drop every result still to come and wait for the worker threads (the owner is closing)."""
        self._drop_current()
        self._set_busy(False)
        for task in self._old:
            task.wait(msecs)
        self._old = release_finished(self._old)

    def _drop_current(self):
        if self._task is not None:
            self._task.cancel()
            self._old = release_finished(self._old) + [self._task]
            self._task = None

    @Slot(object)
    def _on_finished(self, result):
        self._release_current()
        self.sigFinished.emit(result)

    @Slot(str)
    def _on_failed(self, message: str):
        self._release_current()
        self.sigFailed.emit(message)

    def _release_current(self):
        if self._task is not None:
            self._task.setParent(None)  # freed with its last reference, once its signal is delivered
            self._task = None
        self._set_busy(False)

    def _set_busy(self, busy: bool):
        if busy != self.busy:
            self.busy = busy
            self.sigBusy.emit(busy)


def release_finished(tasks: list[Task]) -> list[Task]:
    """The tasks of ``tasks`` whose threads still run; the others are let go (no longer children of anyone)."""
    running = []
    for task in tasks:
        if task.wait(0):
            task.setParent(None)
        else:
            running.append(task)
    return running
