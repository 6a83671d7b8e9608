"""The step timeline: one source of truth for "where in the run are we".

:class:`Player` owns the run's step generator and the history of steps
already computed. Views never pull steps themselves; they listen to
:attr:`Player.sigStepChanged` and read :attr:`Player.current` (and
:attr:`Player.history` for traces and trails).

Steps are always computed off the GUI thread, by a worker living in a
``QThread``; only the worker touches the generator while it runs. Stepping
back, scrubbing and replaying what is known are instant because they only
move the index over the history. Running ahead (Step forward past the known
end, Play, Jump to end) asks the worker for more steps; they come back in
batches through a queued signal, the window keeps repainting, progress is
reported, and :meth:`Player.cancel` stops running ahead while keeping every
step computed so far. The worker installs a cancel check (:mod:`engine.core.cancel`) while it
advances the generator, so a long single step (HAC's merges) stops within a fraction of a second
on cancel, on a newer run and on :meth:`Player.shutdown`, too.

A new run (:meth:`Player.start`) or :meth:`Player.clear` bumps a generation
number; batches from an older run that arrive late are dropped.

While busy the player is counted by :func:`gui.run.tasks.registry` like a background task, so
``registry().wait_idle(window)`` also waits for steps being computed. (It keeps its own long-lived
``QThread`` rather than a :class:`gui.run.tasks.Task` per request: one generator is advanced by one
thread, and :meth:`Player.cancel` must keep the batches already sent, not drop them.)
"""
from __future__ import annotations

import threading
import time
from typing import Callable, Iterator

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from engine.core.cancel import Cancelled, watching
from engine.core.steps import MAX_STEP, Step
from gui.run.tasks import registry

__all__ = ["Player"]

BATCH_SECONDS = 0.05  # the worker hands over steps at least this often
PREFETCH = 4  # while playing, keep this many steps computed ahead


class _Worker(QObject):
    """Pulls steps from a generator in its own thread."""

    sigSteps = Signal(int, object)  # generation, list[Step]
    sigStopped = Signal(int, bool, str)  # generation, exhausted, error message ("" if none)

    def __init__(self):
        super().__init__()
        self.cancel_event = threading.Event()
        self.live_generation = 0  # set by the GUI thread; an older pull stops at once
        self.pulling = False  # inside pull() (read from other threads for tests and diagnostics)

    @Slot(int, object, int)
    def pull(self, generation: int, gen: Iterator[Step], count: int):
        self.pulling = True
        batch: list[Step] = []
        exhausted, error = False, ""
        last = time.monotonic()

        def stopped() -> bool:  # checked by the engine's long loops too (engine.core.cancel)
            return self.cancel_event.is_set() or generation != self.live_generation

        try:
            with watching(stopped):
                for _ in range(count):
                    if stopped():
                        break
                    try:
                        step = next(gen)
                    except StopIteration:
                        exhausted = True
                        break
                    batch.append(step)
                    if step.done:
                        exhausted = True
                        break
                    now = time.monotonic()
                    if now - last >= BATCH_SECONDS:
                        self.sigSteps.emit(generation, batch)
                        batch, last = [], now
        except Cancelled:  # stopped inside a long step: nothing half done, asking again starts it again
            pass
        except Exception as exc:  # the algorithm refused its input: report, never crash
            error = str(exc) or type(exc).__name__
            exhausted = True
        if batch:
            self.sigSteps.emit(generation, batch)
        self.sigStopped.emit(generation, exhausted, error)
        self.pulling = False


class Player(QObject):
    """History of a run's steps, the current position, and play/step/seek controls.

    Signals
    -------
    sigStepChanged(int)
        The current index changed (or the run was replaced); read :attr:`current`.
    sigHistoryChanged(int)
        The number of known steps changed.
    sigBusy(bool)
        The worker started or stopped computing.
    sigProgress(int, str)
        Steps computed so far and a short status text, while running ahead.
    sigPlayingChanged(bool)
    sigError(str)
        The algorithm raised (bad parameters or data); the message is for people.
    """

    sigStepChanged = Signal(int)
    sigHistoryChanged = Signal(int)
    sigBusy = Signal(bool)
    sigProgress = Signal(int, str)
    sigPlayingChanged = Signal(bool)
    sigError = Signal(str)
    _sigPull = Signal(int, object, int)

    def __init__(self, parent: QObject | None = None, steps_per_second: float = 4.0):
        super().__init__(parent)
        self.history: list[Step] = []
        self.index = -1
        self.exhausted = True
        self.busy = False
        self._gen: Iterator[Step] | None = None
        self._generation = 0
        self._target: int | None = None  # index to show once it exists; -1 = the end
        self._end_limit = 100_000
        self._token: int | None = None  # the task registry's token while busy
        #: ``gate() -> bool``, asked before every move forward (a step, a tick of play): False keeps the next
        #: step hidden for now (the quiz asks for a prediction first). None: always move.
        self.gate: Callable[[], bool] | None = None
        self._thread = QThread()
        self._thread.setObjectName("clusterlab-steps")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._sigPull.connect(self._worker.pull)
        self._worker.sigSteps.connect(self._on_steps)
        self._worker.sigStopped.connect(self._on_stopped)
        self._thread.start()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._on_tick)
        self.set_speed(steps_per_second)

    # ------------------------------------------------------------------ state
    @property
    def current(self) -> Step | None:
        return self.history[self.index] if 0 <= self.index < len(self.history) else None

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    @property
    def at_end(self) -> bool:
        return self.exhausted and self.index == len(self.history) - 1

    def speed(self) -> float:
        return 1000.0 / self._timer.interval()

    def set_speed(self, steps_per_second: float):
        steps_per_second = min(max(float(steps_per_second), 0.25), 60.0)
        self._timer.setInterval(max(1, round(1000.0 / steps_per_second)))

    # ------------------------------------------------------------------ runs
    def start(self, make_steps: Callable[[], Iterator[Step]], show_first: bool = True):
        """Replace the run: ``make_steps()`` returns a fresh step generator.

        The generator is created here (cheap: generators are lazy) and first
        advanced on the worker thread, so even an expensive first step keeps
        the window responsive.
        """
        self.clear()
        self._gen = make_steps()
        self.exhausted = False
        if show_first:
            self._request(1, target=0)

    def clear(self):
        """Forget the run and its history (the data is not touched)."""
        self.pause()
        self._worker.cancel_event.set()
        self._generation += 1
        self._worker.live_generation = self._generation
        self._gen = None
        self.history = []
        self.index = -1
        self.exhausted = True
        self._target = None
        self._set_busy(False)
        self.sigHistoryChanged.emit(0)
        self.sigStepChanged.emit(-1)

    def shutdown(self):
        """Stop the worker thread; call when the owning window closes."""
        self.clear()
        self._thread.quit()
        self._thread.wait(5000)

    # ------------------------------------------------------------------ navigation
    def seek(self, index: int):
        """Show step ``index`` (clamped to what is known)."""
        if not self.history:
            return
        index = min(max(int(index), 0), len(self.history) - 1)
        if index != self.index:
            self.index = index
            self.sigStepChanged.emit(index)

    def seek_ahead(self, index: int):
        """Show step ``index``, computing the steps up to it on the worker first if needed.

        ``index`` is capped at :data:`engine.core.steps.MAX_STEP`. Shows the last step instead when the
        run ends before ``index``; ``sigStepChanged``
        tells when it is shown (``busy`` is False again once the worker has stopped).
        """
        self.pause()
        index = min(max(int(index), 0), MAX_STEP)  # a run never has more steps; the worker stops there
        if index < len(self.history):
            self.seek(index)
        elif self.exhausted:
            self.seek(len(self.history) - 1)
        else:
            generation, waiting = self._generation, [True]

            def settle():  # after the worker's last batch: a run that ended before index shows its last step
                if not waiting[0] or (self.busy and generation == self._generation):
                    return  # done already, or still computing (a request continues in batches)
                waiting[0] = False
                self.sigBusy.disconnect(on_busy)
                if generation == self._generation and self._target == index and self.exhausted:
                    self._target = None
                    self.seek(len(self.history) - 1)

            def on_busy(busy: bool):
                if not busy:
                    QTimer.singleShot(0, settle)

            self.sigBusy.connect(on_busy)
            self._request(index - len(self.history) + 1, target=index)

    def forward(self):
        """One step forward, computing it if needed (unless :attr:`gate` says not yet)."""
        if self.gate is not None and not self.gate():
            return
        if self.index + 1 < len(self.history):
            self.seek(self.index + 1)
        elif not self.exhausted:
            self._request(1, target=self.index + 1)

    def back(self):
        self.pause()
        self.seek(self.index - 1)

    def to_start(self):
        self.pause()
        self.seek(0)

    def to_end(self, limit: int = 100_000):
        """Run to the last step off the GUI thread (progress in :attr:`sigProgress`)."""
        self.pause()
        if self.exhausted:
            self.seek(len(self.history) - 1)
        else:
            self._end_limit = limit
            self._request(limit, target=-1)

    def play(self):
        if self.at_end or (not self.history and self.exhausted):
            return
        if not self._timer.isActive():
            self._timer.start()
            self.sigPlayingChanged.emit(True)

    def pause(self):
        if self._timer.isActive():
            self._timer.stop()
            self.sigPlayingChanged.emit(False)

    def toggle_play(self):
        self.pause() if self.playing else self.play()

    def cancel(self):
        """Stop running ahead; keep every step computed so far and show the last one."""
        self.pause()
        if self.busy:
            self._worker.cancel_event.set()
            self._target = -1

    # ------------------------------------------------------------------ internals
    def _request(self, count: int, target: int | None):
        self._target = target
        if self.busy or self._gen is None:
            return
        self._worker.cancel_event.clear()
        self._set_busy(True)
        self._sigPull.emit(self._generation, self._gen, int(count))

    def _set_busy(self, busy: bool):
        if busy != self.busy:
            self.busy = busy
            if busy:  # counted by the task registry while computing, like every background task
                self._token = registry().hold(self)
            self.sigBusy.emit(busy)
            if not busy and self._token is not None:
                token, self._token = self._token, None
                # released after what sigBusy's receivers queued (a seek to the last step) has run
                QTimer.singleShot(0, registry(), lambda: registry().release(token))

    @Slot(int, object)
    def _on_steps(self, generation: int, steps: list):
        if generation != self._generation:
            return
        self.history.extend(steps)
        self.sigHistoryChanged.emit(len(self.history))
        if self._target == -1:
            last = self.history[-1]
            self.sigProgress.emit(len(self.history), f"computed {len(self.history)} steps: {last.description}")
        elif self._target is not None and self._target < len(self.history):
            target, self._target = self._target, None
            self.seek(target)

    @Slot(int, bool, str)
    def _on_stopped(self, generation: int, exhausted: bool, error: str):
        if generation != self._generation:
            return
        self.exhausted = self.exhausted or exhausted
        self._set_busy(False)
        stopped_by_person = self._worker.cancel_event.is_set()
        if error:
            self.pause()
            self.sigError.emit(error)
        if self.exhausted:
            self._gen = None
        target = self._target
        if target == -1 and not self.exhausted and not stopped_by_person:
            self._request(self._end_limit, target=-1)  # a "to end" asked while busy: go on
        elif target == -1:
            self._target = None
            self.seek(len(self.history) - 1)
        elif target is not None and target >= len(self.history) and not self.exhausted and not stopped_by_person:
            self._request(target - len(self.history) + 1, target)  # keep going
        self.sigHistoryChanged.emit(len(self.history))

    def prefetch(self, count: int = 1):
        """Compute up to ``count`` steps after the shown one on the worker, without showing them
        (:attr:`sigHistoryChanged` tells when they are there)."""
        missing = self.index + 1 + int(count) - len(self.history)
        if missing > 0 and not self.exhausted:
            self._request(missing, target=None)

    def _on_tick(self):
        if self.gate is not None and not self.gate():
            self.pause()  # playing stops where a prediction is asked for
            return
        if self.index + 1 < len(self.history):
            self.seek(self.index + 1)
            if not self.exhausted and len(self.history) - self.index <= PREFETCH and not self.busy:
                self._request(PREFETCH, target=None)
        elif self.exhausted:
            self.pause()
        elif not self.busy:
            self._request(PREFETCH, target=self.index + 1)
