"""The step player: history, navigation, running ahead off the GUI thread, cancel, errors."""
import threading
import time

import numpy as np
import pytest

from engine.core.steps import Step
from gui.run.player import Player


def counting_steps(n, delay=0.0, fail_at=None, thread_log=None):
    for i in range(n):
        if thread_log is not None:
            thread_log.append(threading.get_ident())
        if delay:
            time.sleep(delay)
        if fail_at == i:
            raise ValueError("k=9 should be <= n_samples=4")
        yield Step("assign", f"step {i}", labels=np.full(5, i % 3), objective=float(n - i),
                   done=i == n - 1, status="converged" if i == n - 1 else "")


@pytest.fixture
def player(qtbot):
    p = Player()
    yield p
    p.shutdown()


def test_first_step_computed_off_the_gui_thread(qtbot, player):
    log = []
    player.start(lambda: counting_steps(5, thread_log=log))
    qtbot.waitUntil(lambda: player.current is not None, timeout=3000)
    assert player.index == 0 and player.current.description == "step 0"
    assert log and threading.get_ident() not in log


def test_forward_back_seek_and_end(qtbot, player):
    player.start(lambda: counting_steps(6))
    qtbot.waitUntil(lambda: player.index == 0, timeout=3000)
    player.forward()
    qtbot.waitUntil(lambda: player.index == 1, timeout=3000)
    player.back()
    assert player.index == 0  # instant, from history
    player.to_end()
    qtbot.waitUntil(lambda: player.at_end, timeout=3000)
    assert player.index == 5 and player.current.done and player.current.converged
    player.seek(2)
    assert player.current.description == "step 2"
    player.seek(99)
    assert player.index == 5
    player.forward()  # at the end: nothing happens
    assert player.index == 5


def test_play_runs_to_the_end_and_stops(qtbot, player):
    player.set_speed(60)
    player.start(lambda: counting_steps(8))
    qtbot.waitUntil(lambda: player.index == 0, timeout=3000)
    player.play()
    assert player.playing
    qtbot.waitUntil(lambda: player.at_end and not player.playing, timeout=5000)
    assert [s.description for s in player.history] == [f"step {i}" for i in range(8)]


def test_cancel_keeps_steps_computed_so_far(qtbot, player):
    player.start(lambda: counting_steps(10_000, delay=0.002))
    qtbot.waitUntil(lambda: player.index == 0, timeout=3000)
    player.to_end()
    qtbot.waitUntil(lambda: len(player.history) > 5, timeout=5000)
    player.cancel()
    qtbot.waitUntil(lambda: not player.busy, timeout=3000)
    n = len(player.history)
    assert 5 < n < 10_000
    assert player.index == n - 1 and not player.exhausted
    player.forward()  # the run can go on after a cancel
    qtbot.waitUntil(lambda: len(player.history) == n + 1, timeout=3000)


def test_error_in_the_algorithm_is_reported_not_raised(qtbot, player):
    with qtbot.waitSignal(player.sigError, timeout=3000) as blocker:
        player.start(lambda: counting_steps(5, fail_at=0))
    assert "n_samples=4" in blocker.args[0]
    assert player.current is None and player.exhausted and not player.busy


def test_new_run_drops_late_steps_of_the_old_one(qtbot, player):
    player.start(lambda: counting_steps(10_000, delay=0.002))
    player.to_end()
    qtbot.waitUntil(lambda: len(player.history) > 2, timeout=3000)
    player.start(lambda: (Step("merge", f"new {i}", labels=np.zeros(2), done=i == 2) for i in range(3)))
    qtbot.waitUntil(lambda: player.current is not None and player.current.kind == "merge", timeout=3000)
    player.to_end()
    qtbot.waitUntil(lambda: player.at_end, timeout=3000)
    assert [s.description for s in player.history] == ["new 0", "new 1", "new 2"]


def test_seek_ahead_is_capped_at_max_step(qtbot, player, monkeypatch):
    """Asking for a step far beyond any run (a session's or a person's typo) computes no more than MAX_STEP steps."""
    import itertools

    import gui.run.player as player_module

    monkeypatch.setattr(player_module, "MAX_STEP", 30)

    def endless():
        for i in itertools.count():
            yield Step("assign", f"step {i}", labels=np.zeros(5, dtype=int), objective=1.0)

    player.start(endless)
    qtbot.waitUntil(lambda: player.current is not None, timeout=3000)
    player.seek_ahead(10 ** 12)
    qtbot.waitUntil(lambda: player.index == 30 and not player.busy, timeout=5000)
    qtbot.wait(100)
    assert player.index == 30 and len(player.history) < 100
