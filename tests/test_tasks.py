"""Background tasks: off the GUI thread, progress and partial results, stop vs cancel, the registry of running work."""
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QObject

from gui.run.tasks import BackgroundTask, Task, registry


def collect(task):
    got = {"progress": [], "partial": [], "finished": [], "failed": []}
    task.sigProgress.connect(lambda d, t, text: got["progress"].append((d, t, text)))
    task.sigPartial.connect(got["partial"].append)
    task.sigFinished.connect(got["finished"].append)
    task.sigFailed.connect(got["failed"].append)
    return got


@pytest.fixture
def idle(qtbot):
    assert registry().wait_idle(timeout_ms=10_000)  # nothing left over from another test
    yield
    assert registry().wait_idle(timeout_ms=10_000)


def test_runs_off_the_gui_thread_with_progress_partials_and_result(qtbot, idle):
    threads = []

    def fn(progress, cancelled):
        threads.append(threading.get_ident())
        for i in range(3):
            progress(i + 1, 3, f"run {i}", partial=i * 10)
        return "all done"

    task = Task(fn)
    got = collect(task)
    with qtbot.waitSignal(task.sigFinished, timeout=5000):
        task.start()
    assert threads and threads[0] != threading.get_ident()
    assert got["partial"] == [0, 10, 20]
    assert got["progress"] == [(1, 3, "run 0"), (2, 3, "run 1"), (3, 3, "run 2")]
    assert got["finished"] == ["all done"] and got["failed"] == [] and not task.busy
    with pytest.raises(RuntimeError):
        task.start()  # a task runs once


def test_an_exception_becomes_a_message(qtbot, idle):
    def fn(progress, cancelled):
        raise ValueError("K must be at least 1")

    task = Task(fn)
    got = collect(task)
    with qtbot.waitSignal(task.sigFailed, timeout=5000):
        task.start()
    assert got["failed"] == ["K must be at least 1"] and got["finished"] == []


def test_stop_delivers_what_the_function_returns(qtbot, idle):
    started = threading.Event()

    def fn(progress, cancelled):
        started.set()
        while not cancelled():
            threading.Event().wait(0.005)
        return "cut short"

    task = Task(fn)
    got = collect(task)
    task.start()
    assert started.wait(5)
    with qtbot.waitSignal(task.sigFinished, timeout=5000):
        task.stop()
    assert task.stopping and got["finished"] == ["cut short"]


def test_cancel_drops_everything_sent_later(qtbot, idle):
    started, release = threading.Event(), threading.Event()

    def fn(progress, cancelled):
        started.set()
        release.wait(5)
        progress(1, 1, "late", partial="late")
        return "late result"

    task = Task(fn)
    got = collect(task)
    task.start()
    assert started.wait(5)
    task.cancel()
    assert not task.busy and registry().count() == 1  # its thread still runs: still computing
    release.set()
    assert task.wait(5000)
    assert registry().wait_idle(timeout_ms=5000)
    qtbot.wait(20)
    assert got == {"progress": [], "partial": [], "finished": [], "failed": []}


def test_a_newer_start_drops_the_older_results(qtbot, idle):
    runner = BackgroundTask()
    release = threading.Event()
    got = []
    runner.sigFinished.connect(got.append)
    busy = []
    runner.sigBusy.connect(busy.append)
    runner.start(lambda progress, cancelled: (release.wait(5), "old")[1])
    runner.start(lambda progress, cancelled: "new")
    with qtbot.waitSignal(runner.sigBusy, timeout=5000):
        pass
    release.set()
    assert registry().wait_idle(timeout_ms=5000)
    assert got == ["new"] and busy == [True, False] and not runner.busy
    runner.shutdown()


def test_registry_counts_per_owner_and_signals_idle(qtbot, idle):
    window_a, window_b = QObject(), QObject()
    part_of_a = QObject(window_a)
    release = threading.Event()
    counts = []
    registry().sigCountChanged.connect(counts.append)
    try:
        slow = BackgroundTask(part_of_a)
        slow.start(lambda progress, cancelled: release.wait(5))
        assert registry().count(window_a) == 1 and registry().count(window_b) == 0
        assert registry().wait_idle(window_b, timeout_ms=0)
        assert not registry().wait_idle(window_a, timeout_ms=50)  # times out: still running
        with qtbot.waitSignal(registry().sigIdle, timeout=5000):
            release.set()
        assert registry().count(window_a) == 0 and registry().wait_idle(window_a, timeout_ms=0)
        assert counts[0] == 1 and counts[-1] == 0
    finally:
        registry().sigCountChanged.disconnect(counts.append)
        release.set()


def test_the_owner_sees_the_result_before_the_registry_drops_it(qtbot, idle):
    seen = []
    runner = BackgroundTask()
    runner.sigFinished.connect(lambda result: seen.append(registry().count()))
    with qtbot.waitSignal(registry().sigIdle, timeout=5000):
        runner.start(lambda progress, cancelled: 1)
    assert seen == [1]


SCRIPT = """
import threading, time
from PySide6.QtWidgets import QApplication, QWidget
from gui.run.tasks import BackgroundTask
app = QApplication([])
window = QWidget()
task = BackgroundTask(window)
started = threading.Event()
def slow(progress, cancelled):
    started.set()
    time.sleep(0.3)
    progress(1, 1, "late", partial=1)
    return 1
task.start(slow)
started.wait(5)
window.close()
window.deleteLater()
del window, task
app.processEvents()
time.sleep(0.5)
app.processEvents()
print("still alive")
"""


def test_a_window_closing_while_a_task_runs_does_not_abort_the_process():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=Path(__file__).resolve().parents[1], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "still alive" in done.stdout
    assert "QThread" not in done.stderr and "Traceback" not in done.stderr, done.stderr[-2000:]


def test_the_player_is_counted_while_it_computes(qtbot, idle):
    from engine.core.steps import Step
    from gui.run.player import Player

    window = QObject()
    player = Player(window)
    release = threading.Event()

    def steps():
        release.wait(5)
        for i in range(3):
            yield Step(kind="update", description=f"step {i}", done=i == 2)

    try:
        player.start(steps)
        assert player.busy and registry().count(window) == 1
        release.set()
        assert registry().wait_idle(window, timeout_ms=5000)
        assert not player.busy and player.index == 0 and len(player.history) >= 1
    finally:
        release.set()
        player.shutdown()
