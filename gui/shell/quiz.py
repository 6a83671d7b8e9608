"""Predict, then reveal (View > Predict the next step, F6; ``"quiz": true`` in a session).

While it is on, stepping forward first asks the person to predict the next step (the
questions are in :mod:`gui.shell.quiz_questions`): the next step is computed but stays hidden
until the answer is given on the scatter (clicks, draggable centres) or with the responsibility sliders. Then the
step is shown, the banner says plainly whether the prediction was right (with the distance to
the truth for positions and responsibilities), the Working tab opens on the step's arithmetic,
and the score of this run is kept (a new run starts a new score). Steps that are not predicted
(a start, an initialisation) pass as usual; moving back or elsewhere drops an open question.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout, QWidget

from gui.shell.quiz_questions import MergeQuestion, ResponsibilityQuestion, UpdateQuestion, question_for

__all__ = ["Quiz"]


class Quiz(QObject):
    """The window's predict-then-reveal mode (see the module docstring)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.on = False
        self.pending = None  # the open question
        self.right = self.asked = 0
        self._index = -1  # the step shown while a question is open
        self._waiting = False  # the next step is being computed
        self._history_len = 0
        self._build_widgets(window.centralWidget().layout())
        player = window.player
        player.gate = self._gate
        player.sigHistoryChanged.connect(self._on_history)
        player.sigStepChanged.connect(self._on_step)
        window.scatter.plot.scene().sigMouseClicked.connect(self._on_click)
        window.sigAlgorithmChanged.connect(lambda *_: self.reset_score())

    def _build_widgets(self, layout) -> None:
        self.banner = QLabel()
        self.banner.setObjectName("quiz_banner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #FFF4D6; color: #222; padding: 6px; border: 1px solid #E0C070;")
        self.banner.hide()
        self.sliders_box = QWidget()
        self.sliders_box.setObjectName("quiz_sliders")
        self.sliders_layout = QHBoxLayout(self.sliders_box)
        self.sliders_layout.setContentsMargins(4, 0, 4, 0)
        self.sliders: list[QSlider] = []
        self.targets: list = []  # the draggable centres of an update question
        self.reveal_button = QPushButton("Reveal")
        self.reveal_button.setObjectName("quiz_reveal")
        self.reveal_button.clicked.connect(self._on_reveal_clicked)
        self.sliders_box.hide()
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.addWidget(self.banner)
        v.addWidget(self.sliders_box)
        layout.insertWidget(1, box)  # under the lecture caption, above the figures

    # ------------------------------------------------------------------ switching
    def toggle(self) -> None:
        self.set_on(not self.on)

    def set_on(self, on: bool) -> None:
        """Turn the mode on or off (the score starts again when it is turned on)."""
        on = bool(on)
        if on == self.on:
            return
        self.on = on
        self._drop_question()
        if on:
            self.window.player.pause()
            self.window.set_edit_mode("inspect")  # clicks answer questions, they do not add points
            self.reset_score()
        self.banner.setVisible(on)
        action = getattr(self.window, "menus", None) and self.window.menus.actions.get("quiz")
        if action is not None and action.isChecked() != on:
            action.setChecked(on)

    def reset_score(self) -> None:
        self.right = self.asked = 0
        self._drop_question()
        self._say("Step forward (→) to predict the next step.")

    @property
    def score_text(self) -> str:
        return f"Score: {self.right} of {self.asked}."

    def _say(self, text: str) -> None:
        if self.on:
            self.banner.setText(f"{text}   {self.score_text}")

    # ------------------------------------------------------------------ asking
    def _gate(self) -> bool:
        """The player asks before moving forward: True lets it move, False keeps the next step hidden."""
        if not self.on:
            return True
        player = self.window.player
        if self.pending is not None:
            self._say("Answer first: " + self.pending.prompt)
            return False
        nxt = player.index + 1
        if nxt >= len(player.history):
            if player.exhausted:
                return True
            self._waiting = True
            player.prefetch(1)
            self._say("Computing the next step…")
            return False
        question = self._question(player.current, player.history[nxt])
        if question is None:
            return True
        self.pending, self._index = question, player.index
        self._show_question(question)
        return False

    def _question(self, step, nxt):
        w = self.window
        plugin = w.plugin
        names = w.dataset.point_names if w.dataset is not None and w.dataset.point_names else \
            [f"x{i + 1}" for i in range(w.scatter.n)]
        resp = None
        if plugin is not None and hasattr(plugin, "compute_resp") and hasattr(plugin, "run_data"):
            resp = lambda s: plugin.compute_resp(plugin.run_data(), s.payload)  # noqa: E731
        labels = step.labels if step is not None else None

        def name(c: int) -> str:
            if labels is not None and nxt.kind == "merge":
                members = np.flatnonzero(np.asarray(labels) == c)
                if len(members) <= 6:
                    return "{" + ", ".join(names[i] for i in members) + "}"
            return w.scatter.cluster_name(int(c), labels)

        return question_for(step, nxt, w.project, w.scatter.points(), name, names, resp,
                            getattr(plugin, "resp_symbol", "q"))

    def _show_question(self, q) -> None:
        self._say(q.prompt)
        point = getattr(q, "point", None)
        self.window.scatter.highlight(None if point is None else [point])
        if isinstance(q, ResponsibilityQuestion):
            self._make_sliders(len(q.truth), q.name)
            self.sliders_box.show()
        elif isinstance(q, UpdateQuestion):
            self._make_targets(q)
            self._make_sliders(0, q.name)  # the Reveal button alone
            self.sliders_box.show()

    def _make_targets(self, q) -> None:
        """One draggable cross per centre, where the centre is now, in its cluster's colour."""
        scatter = self.window.scatter
        for k, xy in enumerate(q.start if q.start is not None else q.truth):
            colour = scatter.cluster_hex(k)
            target = pg.TargetItem(pos=(float(xy[0]), float(xy[1])), size=18, movable=True,
                                   pen=pg.mkPen(colour, width=3), hoverPen=pg.mkPen("#000000", width=3),
                                   label=q.name(k), labelOpts={"color": colour, "offset": (12, -12)})
            scatter.plot_item.addItem(target)
            self.targets.append(target)

    def target_positions(self) -> list:
        """Where the draggable centres are now (display coordinates)."""
        return [(t.pos().x(), t.pos().y()) for t in self.targets]

    def _make_sliders(self, k: int, name) -> None:
        while self.sliders_layout.count():
            item = self.sliders_layout.takeAt(0)
            if item.widget() is not None and item.widget() is not self.reveal_button:
                item.widget().deleteLater()  # (a stretch item just goes)
        self.sliders = []
        for c in range(k):
            label = QLabel(name(c))
            slider = QSlider(Qt.Orientation.Horizontal)
            slider.setObjectName(f"quiz_slider_{c}")
            slider.setRange(0, 100)
            slider.setValue(round(100 / k))
            self.sliders_layout.addWidget(label)
            self.sliders_layout.addWidget(slider, 1)
            self.sliders.append(slider)
        if k == 0:
            self.sliders_layout.addStretch(1)  # the Reveal button alone, at the right
        self.sliders_layout.addWidget(self.reveal_button)

    # ------------------------------------------------------------------ answers
    def _on_click(self, event) -> None:
        q = self.pending
        if q is None or isinstance(q, (ResponsibilityQuestion, UpdateQuestion)) \
                or event.button() != Qt.MouseButton.LeftButton:
            return  # sliders and draggable centres answer those
        vb = self.window.scatter.vb
        pos = event.scenePos()
        if not vb.sceneBoundingRect().contains(pos):
            return
        p = vb.mapSceneToView(pos)
        self.answer_position((p.x(), p.y()))

    def answer_position(self, xy) -> None:
        """A click at display coordinates ``xy`` (what a click on the scatter does)."""
        q = self.pending
        if q is None:
            return
        if isinstance(q, MergeQuestion):
            points = self.window.scatter.points()
            index = int(np.argmin(np.sum((points - np.asarray(xy, dtype=float)) ** 2, axis=1)))
            verdict = q.add_point(index)
        else:
            verdict = q.add_position(xy)
        if verdict is None:
            self._say(q.prompt)
        else:
            self._reveal(verdict)

    def answer_values(self, values) -> None:
        """Responsibilities set by the person (what Reveal does with the sliders)."""
        if isinstance(self.pending, ResponsibilityQuestion):
            self._reveal(self.pending.add_values(values))

    def _on_reveal_clicked(self) -> None:
        if isinstance(self.pending, UpdateQuestion):
            self._reveal(self.pending.add_positions(self.target_positions()))
        else:
            self.answer_values([s.value() for s in self.sliders])

    def _reveal(self, verdict) -> None:
        index = self._index
        self.asked += 1
        self.right += bool(verdict.right)
        self._drop_question()
        self.window.player.seek(index + 1)
        self._say(verdict.text)
        self._open_working()

    def _open_working(self) -> None:
        tabs = self.window.tabs
        for i in range(tabs.count()):
            if tabs.tabText(i).replace("&&", "&") == "Working":
                tabs.setCurrentIndex(i)
                return

    def _drop_question(self) -> None:
        if self.pending is not None and self.window.scatter.n:
            self.window.scatter.highlight(None)
        for target in self.targets:
            self.window.scatter.plot_item.removeItem(target)
        self.targets = []
        self.pending = None
        self._waiting = False
        self.sliders_box.hide()

    # ------------------------------------------------------------------ the player moved
    def _on_history(self, count: int) -> None:
        previous, self._history_len = self._history_len, count
        if count < previous:  # a new run: a new score
            self.reset_score()
            return
        if self.on and self._waiting and len(self.window.player.history) > self.window.player.index + 1:
            self._waiting = False
            self.window.player.forward()  # asks again, now that the next step is there

    def _on_step(self, index: int) -> None:
        if self.pending is not None and index != self._index:
            self._drop_question()
            self._say("Question dropped: the shown step changed.")
