"""Predict, then reveal: the quiz mode driven as a student would (clicks on the scatter, sliders, Reveal)."""
import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QKeySequence, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from engine.core.resources import resource_path
from engine.session import load_session, session_from_dict, session_to_dict
from gui.shell.quiz_questions import (AssignQuestion, MergeQuestion, ResponsibilityQuestion, UpdateQuestion,
                                      _merged_pair)


# ---------------------------------------------------------------------------- the questions alone
def test_merged_pair_and_merge_question():
    cur, nxt = np.array([0, 1, 2, 3]), np.array([0, 1, 1, 3])
    assert _merged_pair(cur, nxt) == (1, 2)
    assert _merged_pair(cur, cur) is None
    q = MergeQuestion(cur, (1, 2), name=lambda c: f"C{c}")
    assert q.add_point(1) is None and q.add_point(1) is None  # the same cluster twice counts once
    v = q.add_point(2)
    assert v.right and v.text == "Right: C1 and C2 merge."
    q = MergeQuestion(cur, (1, 2), name=lambda c: f"C{c}")
    q.add_point(0)
    v = q.add_point(3)
    assert not v.right and "C0 and C3" in v.text and "C1 and C2" in v.text


def test_assign_update_and_responsibility_questions():
    q = AssignQuestion(0, np.array([[0.0, 0.0], [10.0, 0.0]]), truth=1, name=lambda c: f"C{c}", point_name="A")
    assert q.add_position((9.0, 1.0)).right
    q = AssignQuestion(0, np.array([[0.0, 0.0], [10.0, 0.0]]), truth=1, name=lambda c: f"C{c}", point_name="A")
    v = q.add_position((1.0, 0.0))
    assert not v.right and "goes to C1, not C0" in v.text
    truth = np.array([[0.0, 0.0], [4.0, 3.0]])
    q = UpdateQuestion(truth, name=lambda c: f"C{c}", scale=100.0)
    v = q.add_positions([(0.0, 1.0), (4.0, 3.0)])
    assert v.right and "C0 1" in v.text  # off by 1 for C0, within 5 (5% of 100)
    q = UpdateQuestion(truth, name=lambda c: f"C{c}", scale=10.0)
    v = q.add_positions([(0.0, 0.0), (7.0, 7.0)])
    assert not v.right and "C1 5" in v.text  # a 3-4-5 triangle away
    q = ResponsibilityQuestion(0, np.array([0.7, 0.3]), name=lambda c: f"C{c}", point_name="A")
    assert q.add_values([70, 30]).right
    q = ResponsibilityQuestion(0, np.array([0.7, 0.3]), name=lambda c: f"C{c}", point_name="A")
    v = q.add_values([0, 100])
    assert not v.right and "0.70 away" in v.text


# ---------------------------------------------------------------------------- in the window
def _open(qtbot, open_window, name, algorithm):
    w = open_window(algorithm, size=(1300, 850))
    w.open_source(str(resource_path("sessions", f"{name}.json")))
    qtbot.waitUntil(lambda: w.player.current is not None, timeout=10_000)
    return w


def _click_scatter(qtbot, w, xy):
    """A real left click on the scatter at display coordinates ``xy``."""
    from PySide6.QtCore import QPointF
    scene_pos = w.scatter.vb.mapViewToScene(QPointF(*xy))
    view_pos = w.scatter.plot.mapFromScene(scene_pos)
    qtbot.mouseClick(w.scatter.plot.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(view_pos.x(), view_pos.y()))


def _drag_scatter(w, a, b):
    """A real left-button drag on the scatter from display coordinates ``a`` to ``b``."""
    vp = w.scatter.plot.viewport()

    def at(xy):
        v = w.scatter.plot.mapFromScene(w.scatter.vb.mapViewToScene(QPointF(*xy)))
        return QPointF(v.x(), v.y())

    def send(kind, pos, button, buttons):
        QApplication.sendEvent(vp, QMouseEvent(kind, pos, vp.mapToGlobal(pos.toPoint()), button, buttons,
                                               Qt.KeyboardModifier.NoModifier))
        QTest.qWait(25)  # pyqtgraph drops mouse moves closer than 10 ms apart (its mouseRateLimit): as a hand would

    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    p, q = at(a), at(b)
    send(QEvent.Type.MouseButtonPress, p, left, left)
    for t in np.linspace(0.1, 1.0, 10):
        send(QEvent.Type.MouseMove, p + (q - p) * float(t), none, left)
    send(QEvent.Type.MouseButtonRelease, q, left, none)


def test_update_predicted_by_dragging_the_centres(qtbot, open_window):
    w = _open(qtbot, open_window, "ex3-kmeans", "kmeans")
    w.quiz.set_on(True)
    w.player.to_start()
    while not isinstance(w.quiz.pending, UpdateQuestion):
        w.player.forward()
        qtbot.waitUntil(lambda: w.quiz.pending is not None, timeout=5000)
        if isinstance(w.quiz.pending, AssignQuestion):
            w.quiz.answer_position(w.quiz.pending.centres[w.quiz.pending.truth])
    q = w.quiz.pending
    for k in range(len(q.truth)):  # drag each cross from its centre to where the centre goes
        _drag_scatter(w, q.start[k], q.truth[k])
    span = float(np.ptp(w.scatter.points(), axis=0).max())
    np.testing.assert_allclose(w.quiz.target_positions(), q.truth, atol=0.02 * span)  # a few pixels
    index = w.player.index
    qtbot.mouseClick(w.quiz.reveal_button, Qt.MouseButton.LeftButton)
    assert w.player.index == index + 1 and w.quiz.banner.text().startswith("Right")


def test_hac_merge_predicted_by_clicks_then_revealed_and_scored(qtbot, open_window):
    w = _open(qtbot, open_window, "ex2-min", "hac")  # 1, 2, 4, 5, 9, 11, 16, 17 on a line
    action = w.menus.actions["quiz"]
    assert action.shortcut() == QKeySequence("F6")
    action.trigger()
    assert w.quiz.on and w.quiz.banner.isVisible() and action.isChecked()
    w.player.to_start()
    start = w.player.index
    w.menus.actions["forward"].trigger()
    qtbot.waitUntil(lambda: w.quiz.pending is not None, timeout=5000)
    q = w.quiz.pending
    assert isinstance(q, MergeQuestion) and w.player.index == start  # the next step stays hidden
    assert "click a point of each of the two clusters" in w.quiz.banner.text()
    points = w.scatter.points()
    a, b = q.truth
    first = int(np.flatnonzero(q.labels == a)[0])
    second = int(np.flatnonzero(q.labels == b)[0])
    _click_scatter(qtbot, w, points[first])
    assert w.quiz.pending is q and w.player.index == start  # one cluster clicked: still asking
    _click_scatter(qtbot, w, points[second])
    qtbot.waitUntil(lambda: w.quiz.pending is None, timeout=2000)
    assert w.player.index == start + 1
    assert w.quiz.banner.text().startswith("Right:") and "Score: 1 of 1." in w.quiz.banner.text()

    # a wrong prediction: two clusters that do not merge next
    w.menus.actions["forward"].trigger()
    qtbot.waitUntil(lambda: w.quiz.pending is not None, timeout=5000)
    q = w.quiz.pending
    labels = q.labels
    others = [c for c in np.unique(labels) if c not in q.truth]
    wrong = (others[0], q.truth[0])
    for c in wrong:
        w.quiz.answer_position(points[int(np.flatnonzero(labels == c)[0])])
    assert "Not this time" in w.quiz.banner.text() and "Score: 1 of 2." in w.quiz.banner.text()
    assert w.player.index == start + 2


def test_kmeans_assign_and_update_questions(qtbot, open_window):
    w = _open(qtbot, open_window, "ex3-kmeans", "kmeans")
    w.quiz.set_on(True)
    w.player.to_start()
    kinds = []
    for _ in range(6):
        w.player.forward()
        qtbot.waitUntil(lambda: w.quiz.pending is not None or w.player.at_end, timeout=5000)
        q = w.quiz.pending
        if q is None:
            break
        kinds.append(type(q).__name__)
        if isinstance(q, AssignQuestion):
            _click_scatter(qtbot, w, q.centres[q.truth])  # a click on the right centre
        else:  # drag each centre's cross to where it goes, then Reveal
            assert isinstance(q, UpdateQuestion) and w.quiz.sliders_box.isVisible()
            assert len(w.quiz.targets) == len(q.truth)
            np.testing.assert_allclose(w.quiz.target_positions(), q.start, rtol=1e-12)  # they start at the centres
            for target, xy in zip(w.quiz.targets, q.truth):
                target.setPos(float(xy[0]), float(xy[1]))
            qtbot.mouseClick(w.quiz.reveal_button, Qt.MouseButton.LeftButton)
            assert not w.quiz.targets  # the crosses go with the question
        qtbot.waitUntil(lambda: w.quiz.pending is None, timeout=2000)
        assert w.quiz.banner.text().startswith("Right")
    assert "AssignQuestion" in kinds and "UpdateQuestion" in kinds
    assert w.quiz.right == w.quiz.asked == len(kinds)


def test_em_responsibilities_with_sliders_and_reveal(qtbot, open_window):
    w = _open(qtbot, open_window, "ex6-gmm-elongated", "gmm")
    w.quiz.set_on(True)
    w.player.to_start()
    for _ in range(4):
        w.player.forward()
        qtbot.waitUntil(lambda: w.quiz.pending is not None, timeout=5000)
        if isinstance(w.quiz.pending, ResponsibilityQuestion):
            break
        if isinstance(w.quiz.pending, UpdateQuestion):  # an M-step (the means move): any answer
            qtbot.mouseClick(w.quiz.reveal_button, Qt.MouseButton.LeftButton)
    q = w.quiz.pending
    assert isinstance(q, ResponsibilityQuestion) and w.quiz.sliders_box.isVisible()
    assert len(w.quiz.sliders) == len(q.truth)
    for slider, t in zip(w.quiz.sliders, q.truth):
        slider.setValue(round(100 * t))
    index = w.player.index
    qtbot.mouseClick(w.quiz.reveal_button, Qt.MouseButton.LeftButton)
    assert w.quiz.pending is None and w.player.index == index + 1
    assert w.quiz.banner.text().startswith("Right") and not w.quiz.sliders_box.isVisible()


def test_play_stops_at_a_question_and_moving_back_drops_it(qtbot, open_window):
    w = _open(qtbot, open_window, "ex1-min-l2", "hac")
    w.quiz.set_on(True)
    w.player.to_start()
    w.player.play()
    qtbot.waitUntil(lambda: w.quiz.pending is not None, timeout=5000)
    assert not w.player.playing
    w.player.seek(0)
    w.player.back()
    assert w.quiz.pending is None or w.player.index == w.quiz._index


@pytest.mark.parametrize("quiz", [True, False])
def test_session_quiz_entry_round_trip(qtbot, open_window, quiz):
    s = load_session(resource_path("sessions", "ex1-min-l2.json"))
    d = session_to_dict(s.replace(quiz=quiz, step=0))
    assert ("quiz" in d) is quiz
    again = session_from_dict(d)
    assert again.quiz is quiz
    w = open_window("hac")
    from gui.shell import session_io
    session_io.apply(w, again)
    qtbot.waitUntil(lambda: w.player.current is not None, timeout=5000)
    assert w.quiz.on is quiz
    assert session_io.capture(w).quiz is quiz  # saving the window keeps the mode


def test_session_quiz_must_be_true_or_false():
    s = load_session(resource_path("sessions", "ex1-min-l2.json"))
    d = session_to_dict(s)
    d["quiz"] = "yes"
    with pytest.raises(ValueError, match="quiz should be true or false"):
        session_from_dict(d)


def test_shipped_class_quiz_session_opens_in_quiz_mode_at_step_one(qtbot, open_window):
    w = _open(qtbot, open_window, "quiz-ex3-kmeans", "kmeans")
    assert w.quiz.on and w.menus.actions["quiz"].isChecked() and w.player.index == 0
    w.menus.actions["forward"].trigger()
    qtbot.waitUntil(lambda: w.quiz.pending is not None or w.player.index > 0, timeout=5000)
    # the given centres are the first step; the next one is the first assignment: asked, not shown
    assert isinstance(w.quiz.pending, AssignQuestion) and w.player.index == 0
