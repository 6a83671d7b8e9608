"""The timeline bar under the views: |< < Play > >|, a scrubber and the speed; below them, where we are.

The bar is a view of a :class:`~gui.run.player.Player` like any other: it reads
``player.index``, ``player.history`` and ``player.current`` when the player
says something changed, and every control calls a player method. It keeps no
position of its own, so it can never disagree with the other views.

The scrubber never takes the arrow keys: the window's shortcuts (Left/Right,
Home/End, Space) step the player, and the scrubber follows.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QSizePolicy, QSlider, QStyle, QToolButton, QVBoxLayout,
                               QWidget)

from engine.core.steps import step_label
from gui.run.player import Player
from gui.widgets.spin import ShortDoubleSpinBox
from gui.widgets.text_room import ElidedLabel, FittedLabel

__all__ = ["TimelineBar", "format_objective"]

QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum"


def format_objective(value: float) -> str:
    """A short, readable number: ``12.35``, ``0.001235``, ``-1.235e+05``; ``"-"`` when undefined."""
    if value is None or not math.isfinite(value):
        return "–"
    a = abs(value)
    if a != 0 and (a >= 1e5 or a < 1e-3):
        return f"{value:.4g}"
    return f"{value:.6g}"


class _KeyRouter(QObject):
    """Navigation keys that reach the scrubber step the player once, like everywhere else.

    In the window, shortcuts take these keys before the scrubber sees them;
    this filter keeps the bar right on its own too (the slider would otherwise
    move by its own page/single steps).
    """

    def __init__(self, player: Player, parent: QObject):
        super().__init__(parent)
        K = Qt.Key
        self.actions = {K.Key_Left: player.back, K.Key_Down: player.back, K.Key_Right: player.forward,
                        K.Key_Up: player.forward, K.Key_Home: player.to_start, K.Key_End: player.to_end,
                        K.Key_Space: player.toggle_play}

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.KeyPress and event.key() in self.actions:
            if not event.isAutoRepeat() or event.key() not in (Qt.Key.Key_Space,):
                self.actions[event.key()]()
            return True
        return False


class TimelineBar(QWidget):
    """Play controls, scrubber, speed and the current step's description and objective.

    Signals
    -------
    sigSpeedChanged(float)
        The person changed the speed (steps per second); already applied to the player.
    """

    sigSpeedChanged = Signal(float)

    def __init__(self, player: Player, parent: QWidget | None = None):
        super().__init__(parent)
        self.player = player
        self.objective_name = "objective"
        style = self.style()
        self._icon_play = style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay)
        self._icon_pause = style.standardIcon(QStyle.StandardPixmap.SP_MediaPause)
        self._build_buttons(player)
        self._build_slider_and_speed(player)

        self.label = ElidedLabel("no run")
        self.label.setObjectName("step_label")
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.label.setMinimumWidth(200)
        self.objective = FittedLabel(("",), elide=True)
        self.objective.setObjectName("objective_label")
        self._fit_objective_label()

        # two rows: the controls, then where we are: the step's text (elided, the tooltip has it all) and the
        # objective, whole, with its full name (a long name such as "J = sum of squared distances to the centres in
        # the embedding" needs 460 px: beside the controls it would be cut, or widen the window)
        controls = QHBoxLayout()
        for b in (self.start_button, self.back_button, self.play_button, self.forward_button, self.end_button):
            controls.addWidget(b)
        controls.addWidget(self.slider, 1)
        controls.addWidget(self.speed)
        where = QHBoxLayout()
        where.addWidget(self.label, 1)
        where.addSpacing(12)
        where.addWidget(self.objective)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(0)
        layout.addLayout(controls)
        layout.addLayout(where)

        player.sigStepChanged.connect(self.refresh)
        player.sigHistoryChanged.connect(self.refresh)
        player.sigPlayingChanged.connect(self._on_playing_changed)
        player.sigBusy.connect(self.refresh)
        self.refresh()

    def _build_buttons(self, player: Player):
        """The five transport buttons (first, back, play/pause, forward, last)."""
        style = self.style()

        def button(name, icon, tip, slot):
            b = QToolButton()
            b.setObjectName(name)
            b.setIcon(style.standardIcon(icon))
            b.setToolTip(tip)
            b.setAutoRaise(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _checked=False: slot())
            return b

        sp = QStyle.StandardPixmap
        self.start_button = button("to_start", sp.SP_MediaSkipBackward, "Go to the first step (Home)", player.to_start)
        self.back_button = button("back", sp.SP_MediaSeekBackward, "One step back (Left)", player.back)
        self.play_button = button("play", sp.SP_MediaPlay, "Play / pause (Space)", player.toggle_play)
        self.forward_button = button("forward", sp.SP_MediaSeekForward, "One step forward (Right)", player.forward)
        self.end_button = button("to_end", sp.SP_MediaSkipForward, "Run to the last step (End)", player.to_end)

    def _build_slider_and_speed(self, player: Player):
        """The scrubber over the computed steps (arrow keys go to the player) and the speed box."""

        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("scrubber")
        self.slider.setToolTip("Scrub through the steps computed so far")
        self.slider.setRange(0, 0)
        self.slider.setMinimumWidth(160)
        self.slider.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._router = _KeyRouter(player, self)
        self.slider.installEventFilter(self._router)
        self.slider.valueChanged.connect(self._on_slider_moved)

        self.speed = ShortDoubleSpinBox()  # "4 steps/s", not "4.00 steps/s"
        self.speed.setObjectName("speed")
        self.speed.setRange(0.25, 60.0)
        self.speed.setDecimals(2)
        self.speed.setSingleStep(1.0)
        self.speed.setSuffix(" steps/s")
        self.speed.setToolTip("Playback speed in steps per second")
        self.speed.setValue(player.speed())
        self.speed.valueChanged.connect(self._on_speed_changed)

    # ------------------------------------------------------------- player -> bar
    def set_objective_name(self, name: str):
        if (name or "objective") == self.objective_name:
            return
        self.objective_name = name or "objective"
        self._fit_objective_label()
        self.refresh()

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # lecture mode: the fixed width follows the font
            self._fit_objective_label()

    def _fit_objective_label(self):
        # a fixed width per algorithm, the name and the widest number whole: a label that resized with its number
        # would re-layout the window every step (side by side may let it be narrower: it elides, the tooltip has all)
        # a window that let it be narrower (side by side: minimum below maximum) keeps that: a new font (lecture
        # mode) must not make it as wide as its whole text again, or the panes no longer fit the screen
        label = self.objective
        width = label.fontMetrics().horizontalAdvance(f"{self.objective_name} = -1.23457e+05") + 8
        if label.maximumWidth() < QWIDGETSIZE_MAX and label.minimumWidth() < label.maximumWidth():
            label.setMaximumWidth(max(label.minimumWidth(), min(width, label.maximumWidth())))
        else:
            label.setFixedWidth(width)

    def set_speed(self, steps_per_second: float):
        """Set the speed shown and used (no :attr:`sigSpeedChanged`)."""
        blocked = self.speed.blockSignals(True)
        self.speed.setValue(steps_per_second)
        self.speed.blockSignals(blocked)
        self.player.set_speed(self.speed.value())

    def step_text(self) -> str:
        """``"step 12 / 40: description"`` (``40+`` while more steps may follow)."""
        p = self.player
        step = p.current
        if step is None:
            return "computing the first step…" if p.busy else "no run"
        total = f"{len(p.history)}" + ("" if p.exhausted else "+")
        text = f"{step_label(p.index)} / {total}: {step.description}"
        status = step.status.replace('_', ' ') if step.done else ""
        if status and status not in step.description.lower():  # not "converged after 3 iterations (converged)"
            text += f" ({status})"
        return text

    def refresh(self, *_):
        p = self.player
        n = len(p.history)
        blocked = self.slider.blockSignals(True)
        self.slider.setRange(0, max(n - 1, 0))
        self.slider.setValue(max(p.index, 0))
        self.slider.blockSignals(blocked)
        self.slider.setEnabled(n > 1)
        has_run = n > 0 or not p.exhausted
        self.start_button.setEnabled(p.index > 0)
        self.back_button.setEnabled(p.index > 0)
        self.forward_button.setEnabled(has_run and not p.at_end)
        self.end_button.setEnabled(has_run and not p.at_end)
        self.play_button.setEnabled(has_run and (not p.at_end or p.playing))
        self.label.setText(self.step_text())
        self.label.setToolTip(self.label.text())
        step = p.current
        value = "" if step is None else format_objective(step.objective)
        short = self.objective_name.split(" = ")[0] if " = " in self.objective_name else self.objective_name
        self.objective.set_texts(value and f"{self.objective_name} = {value}", value and f"{short} = {value}")

    def _on_playing_changed(self, playing: bool):
        self.play_button.setIcon(self._icon_pause if playing else self._icon_play)
        self.play_button.setToolTip("Pause (Space)" if playing else "Play (Space)")
        self.refresh()

    # ------------------------------------------------------------- bar -> player
    def _on_slider_moved(self, value: int):
        self.player.pause()
        self.player.seek(value)

    def _on_speed_changed(self, value: float):
        self.player.set_speed(value)
        self.sigSpeedChanged.emit(float(value))


def _demo_widget() -> QWidget:
    """The bar driving a 40-step toy run (the objective halves at each step)."""
    from engine.core.steps import Step

    def steps():
        for i in range(40):
            yield Step(kind="update", description=f"toy step {i + 1}", objective=100.0 / 2 ** i, done=i == 39)

    from PySide6.QtWidgets import QApplication

    player = Player()
    bar = TimelineBar(player)
    player.setParent(bar)
    QApplication.instance().aboutToQuit.connect(player.shutdown)  # its worker thread stops before exit
    player.start(steps)
    return bar


if __name__ == "__main__":
    from gui.widgets.demo import run_demo

    run_demo(_demo_widget, title="Timeline")
