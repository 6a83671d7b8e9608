"""The timeline bar follows the player and drives it: buttons, scrubber, keys, speed, labels."""
import numpy as np
import pytest
from PySide6.QtCore import Qt

from engine.core.steps import Step
from gui.run.player import Player
from gui.widgets.timeline import TimelineBar, format_objective

# the offscreen platform cannot resize windows to their size hints; it says so on every layout change
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def steps(n):
    for i in range(n):
        yield Step("assign", f"move {i}", labels=np.full(4, i % 2), objective=100.0 / (i + 1),
                   done=i == n - 1, status="converged" if i == n - 1 else "")


@pytest.fixture
def bar(qtbot):
    player = Player()
    b = TimelineBar(player)
    qtbot.addWidget(b)
    b.show()
    yield b
    player.shutdown()


def test_format_objective():
    assert format_objective(float("nan")) == "–"
    assert format_objective(12.3456789) == "12.3457"
    assert format_objective(-123456.0) == "-1.235e+05"
    assert format_objective(0.0) == "0"


def test_label_buttons_and_scrubber_follow_the_player(qtbot, bar):
    p = bar.player
    assert bar.label.text() == "no run" and not bar.play_button.isEnabled()
    bar.set_objective_name("SSE")
    p.start(lambda: steps(5))
    qtbot.waitUntil(lambda: p.index == 0, timeout=3000)
    assert bar.label.text() == "step 1 / 1+: move 0"
    assert bar.objective.text() == "SSE = 100"
    assert not bar.back_button.isEnabled() and bar.forward_button.isEnabled()
    qtbot.mouseClick(bar.forward_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: p.index == 1, timeout=3000)
    assert bar.label.text().startswith("step 2 / 2")
    assert bar.objective.text() == "SSE = 50"
    qtbot.mouseClick(bar.end_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: p.at_end, timeout=3000)
    assert bar.label.text() == "step 5 / 5: move 4 (converged)"
    assert bar.slider.maximum() == 4 and bar.slider.value() == 4
    assert not bar.forward_button.isEnabled() and not bar.end_button.isEnabled()
    bar.slider.setValue(2)  # scrubbing = seeking
    assert p.index == 2 and bar.label.text().startswith("step 3 / 5: move 2")
    qtbot.mouseClick(bar.back_button, Qt.MouseButton.LeftButton)
    assert p.index == 1 and bar.slider.value() == 1
    qtbot.mouseClick(bar.start_button, Qt.MouseButton.LeftButton)
    assert p.index == 0 and bar.slider.value() == 0


def test_keys_on_the_scrubber_step_exactly_once(qtbot, bar):
    p = bar.player
    p.start(lambda: steps(6))
    p.to_end()
    qtbot.waitUntil(lambda: p.at_end, timeout=3000)
    p.seek(2)
    bar.slider.setFocus()
    qtbot.keyClick(bar.slider, Qt.Key.Key_Right)
    assert p.index == 3 and bar.slider.value() == 3
    qtbot.keyClick(bar.slider, Qt.Key.Key_Left)
    qtbot.keyClick(bar.slider, Qt.Key.Key_Left)
    assert p.index == 1
    qtbot.keyClick(bar.slider, Qt.Key.Key_End)
    assert p.index == 5
    qtbot.keyClick(bar.slider, Qt.Key.Key_Home)
    assert p.index == 0


def test_play_pause_icon_and_speed(qtbot, bar):
    p = bar.player
    with qtbot.waitSignal(bar.sigSpeedChanged) as sig:
        bar.speed.setValue(30.0)
    assert sig.args == [30.0] and p.speed() == pytest.approx(30.0, rel=0.05)
    bar.set_speed(0.1)  # clamped to the control's range, player follows
    assert bar.speed.value() == 0.25 and p.speed() == pytest.approx(0.25)
    bar.set_speed(60)
    p.start(lambda: steps(8))
    qtbot.waitUntil(lambda: p.index == 0, timeout=3000)
    qtbot.mouseClick(bar.play_button, Qt.MouseButton.LeftButton)
    assert p.playing and bar.play_button.toolTip() == "Pause (Space)"
    qtbot.waitUntil(lambda: p.at_end and not p.playing, timeout=5000)
    assert bar.play_button.toolTip() == "Play (Space)"


def test_clear_resets_the_bar(qtbot, bar):
    p = bar.player
    p.start(lambda: steps(3))
    qtbot.waitUntil(lambda: p.index == 0, timeout=3000)
    p.clear()
    assert bar.label.text() == "no run" and bar.objective.text() == "" and bar.slider.maximum() == 0
