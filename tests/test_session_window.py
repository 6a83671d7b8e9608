"""Sessions in the window: capture, apply, save and open, the File menu, the title and the close prompt."""
import json

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from engine import session as es

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _doc(**over):
    d = {"format": "clusterlab-session", "version": 1, "name": "t", "description": "",
         "data": {"example": "five-points"}, "transform": {"standardize": False},
         "algorithm": {"name": "kmeans", "params": {"k": 2, "seed": 3}}, "step": "last"}
    d.update(over)
    return d


def _write(tmp_path, d, name="s.json"):
    p = tmp_path / name
    p.write_text(d if isinstance(d, str) else json.dumps(d))
    return p


def _labels(steps):
    return [None if s.labels is None else np.asarray(s.labels).tolist() for s in steps]


# ================================================================== the window
@pytest.fixture
def window(qtbot):
    from gui.shell.main_window import MainWindow
    from gui.shell.session_io import install_session_menu
    w = MainWindow(startup="")
    if getattr(w, "session_controller", None) is None:
        install_session_menu(w)
    qtbot.addWidget(w)
    yield w
    w.session_controller.set_modified(False)


def _plugin_index(w, name):
    return w.plugins.names().index(name)


def _run_all(qtbot, w):
    w.player.to_end()
    qtbot.waitUntil(lambda: bool(w.player.exhausted and not w.player.busy and w.player.history), timeout=30000)
    return _labels(w.player.history)


def test_save_and_open_reproduces_the_run(qtbot, window, tmp_path):
    from gui.shell.main_window import MainWindow
    from gui.shell.session_io import install_session_menu
    w = window
    w.generate("blobs", 150, 5)
    w.set_algorithm(_plugin_index(w, "kmeans"))
    plugin = w.plugin
    plugin.lab.set_mode("random", emit=False)
    plugin.form.set_values({"k": 4, "seed": 21, "max_iter": 50})
    w.restart_run()
    saved = _run_all(qtbot, w)
    c = w.session_controller
    assert c.modified and w.isWindowModified()
    assert c.save_to(tmp_path / "mine.json")
    assert not w.isWindowModified() and "mine" in w.windowTitle() and "[*]" in w.windowTitle()
    d = json.loads((tmp_path / "mine.json").read_text())
    assert d["data"] == {"generator": "blobs", "n": 150, "seed": 5, "k": 3, "std": 1.0}
    assert d["algorithm"]["params"]["k"] == 4 and d["algorithm"]["params"]["init"] == "random"

    w2 = MainWindow(startup="")
    qtbot.addWidget(w2)
    c2 = install_session_menu(w2) if getattr(w2, "session_controller", None) is None else w2.session_controller
    assert c2.open_path(tmp_path / "mine.json")
    qtbot.waitUntil(lambda: w2.player.exhausted and not w2.player.busy and w2.player.at_end, timeout=30000)
    assert _labels(w2.player.history) == saved
    assert w2.plugin.algorithm.name == "kmeans" and w2.plugin.form.values()["k"] == 4
    assert not w2.isWindowModified()
    # the engine alone gives the same run
    assert _labels(es.run(es.load_session(tmp_path / "mine.json"))) == saved
    # a parameter change marks the session modified
    w2.plugin.form.widgets["k"].setValue(3)
    assert w2.isWindowModified() and c2.modified
    c2.set_modified(False)


def test_picked_centres_and_hac_groups_round_trip(qtbot, window, tmp_path):
    from gui.shell.session_io import apply, capture
    w = window
    w.open_example("five-points")
    w.set_algorithm(_plugin_index(w, "kmeans"))
    w.plugin.lab.set_mode("picked", emit=False)
    w.plugin.lab.set_picked([0, 2])
    s = capture(w)
    assert s.extra == {"init_points": [0, 2]} and s.params["k"] == 2 and s.data == {"example": "five-points"}
    ex3 = es.load_session(es.shipped_sessions()["ex3-kmeans"][0])
    assert _labels(es.run(s)) == _labels(es.run(ex3))
    # the shipped session (explicit centres A and C) shows as picked points in the lab
    apply(w, ex3)
    assert w.plugin.lab.mode == "picked" and w.plugin.lab.picked == [0, 2]
    qtbot.waitUntil(lambda: w.player.at_end, timeout=20000)
    assert _labels(w.player.history) == _labels(es.run(ex3))

    ex1 = es.load_session(es.shipped_sessions()["ex1-avg-l2"][0])
    apply(w, ex1)
    qtbot.waitUntil(lambda: w.player.at_end, timeout=20000)
    assert w.plugin.algorithm.name == "hac" and w.plugin.from_groups.isChecked()
    assert w.plugin.form.values()["linkage"] == "avg"
    assert _labels(w.player.history) == _labels(es.run(ex1))
    again = capture(w)
    assert again.extra == {"start_from_groups": True} and again.params == ex1.params


def test_saved_step_is_shown_and_hand_made_points_round_trip(qtbot, window, tmp_path):
    from gui.shell.session_io import apply, capture
    w = window
    for x, y in ((0, 0), (1, 0), (0, 1), (5, 5), (6, 5), (5, 6)):
        w.model.add_point(x, y)
    w.model.paint([0, 1], 1)
    w.set_algorithm(_plugin_index(w, "hac"))
    qtbot.waitUntil(lambda: bool(w.player.history), timeout=10000)
    w.player.to_end()
    qtbot.waitUntil(lambda: w.player.at_end, timeout=10000)
    w.player.seek(2)
    s = capture(w, name="hand")
    assert s.step == 2 and s.data["groups"] == [1, 1, -1, -1, -1, -1] and s.data["points"][3] == [5.0, 5.0]
    path = es.save_session(s, tmp_path / "hand.json")
    w.model.clear()
    apply(w, es.load_session(path))
    qtbot.waitUntil(lambda: w.player.index == 2 and not w.player.busy, timeout=10000)
    assert w.dataset.X.tolist() == s.data["points"]
    assert _labels(w.player.history[:3]) == _labels(es.run(s)[:3])


def test_gmm_placed_means_round_trip(qtbot, window):
    from gui.shell.session_io import apply, capture
    w = window
    if "gmm" not in w.plugins.names():
        pytest.fail("the Gaussian mixture plugin is missing")
    s = es.session_from_dict(_doc(data={"generator": "elongated", "n": 120, "seed": 2},
                                  algorithm={"name": "gmm", "params": {"seed": 0},
                                             "means": [[-2.0, 0.0], [0.0, 2.0], [2.0, 0.0]]}))
    apply(w, s)
    qtbot.waitUntil(lambda: w.player.at_end, timeout=30000)
    assert w.plugin.use_placed.isChecked()
    engine = es.run(s)
    assert _labels(w.player.history) == _labels(engine)
    np.testing.assert_allclose([st.objective for st in w.player.history], [st.objective for st in engine],
                               rtol=1e-9)
    again = capture(w)
    np.testing.assert_allclose(again.extra["means"], s.extra["means"], atol=1e-12)


def test_a_bad_session_shows_a_message_and_changes_nothing(qtbot, window, tmp_path, monkeypatch):
    w = window
    w.open_example("four-points")
    w.set_algorithm(_plugin_index(w, "hac"))
    w.plugin.form.set_values({"linkage": "max"})
    w.restart_run()
    before = _run_all(qtbot, w)
    ds, title, params = w.dataset, w.windowTitle(), w.plugin.form.values()
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, t, text: shown.append(text))
    bad = [_doc(version=7), _doc(algorithm={"name": "kmeans", "params": {"k": 99}}),
           _doc(data={"path": "missing.csv"}), '{"format": "clusterlab-session", "vers']
    for i, content in enumerate(bad):
        assert not w.session_controller.open_path(_write(tmp_path, content, f"bad{i}.json"))
    assert len(shown) == 4 and all(f"bad{i}.json" in t for i, t in enumerate(shown))
    assert w.dataset is ds and w.windowTitle() == title and w.plugin.form.values() == params
    assert w.plugin.algorithm.name == "hac" and _labels(w.player.history) == before


def test_settings_that_do_not_fit_the_data_are_not_saved(qtbot, window, tmp_path, monkeypatch):
    """A session the app could not open again is never written: Save says why and writes nothing."""
    w = window
    w.open_example("four-points")
    w.set_algorithm(_plugin_index(w, "kmeans"))
    w.plugin.form.set_values({"k": 4})
    wait_run_or_error = lambda: w.player.current is not None  # noqa: E731
    qtbot.waitUntil(wait_run_or_error, timeout=5000)
    w.plugin.form.set_values({"k": 9})  # more clusters than points: the panel shows the error
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, t, text: shown.append(text))
    path = tmp_path / "too-many.json"
    assert not w.session_controller.save_to(path)
    assert not path.exists() and len(shown) == 1
    assert shown[0].startswith("The settings cannot be saved: they do not fit the data (") and "k=9" in shown[0]


def test_menus_title_and_close_prompt(qtbot, window, tmp_path, monkeypatch):
    from gui.shell import session_io
    w = window
    names = [a.objectName() for a in w.findChildren(type(w.session_controller.actions["open_session"]))]
    assert {"action_open_session", "action_save_session", "action_save_session_as"} <= set(names)
    sub = w.session_controller.exercise_menu
    texts = [a.text() for a in sub.actions() if not a.isSeparator()]
    shipped = es.shipped_sessions()
    assert len(texts) == len(shipped)
    for name, (_, description) in shipped.items():
        assert f"{name} - {description}" in texts
    # an exercise from the menu opens unmodified, with its name in the title
    next(a for a in sub.actions() if a.text().startswith("ex2-max")).trigger()
    assert "ex2-max" in w.windowTitle() and not w.isWindowModified()
    assert w.session_controller.path is None  # a shipped session is never overwritten by Save

    w.open_example("one-d")  # a change
    assert w.isWindowModified()
    monkeypatch.setattr(session_io, "ASK_ON_CLOSE", True)
    answers = [QMessageBox.StandardButton.Cancel]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: answers.pop(0))
    assert not w.close() and w.isVisible() is w.isVisible()
    assert not answers and not w._closed
    target = tmp_path / "kept.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    answers.append(QMessageBox.StandardButton.Save)
    assert w.close()
    assert target.is_file() and es.load_session(target).data == {"example": "one-d"}


def test_bernoulli_threshold_round_trip(qtbot, window):
    from gui.shell.session_io import apply, capture
    w = window
    s = es.session_from_dict(_doc(data={"mnist": 200}, algorithm={
        "name": "bernoulli", "params": {"k": 3, "seed": 1, "max_iter": 6}, "threshold": 0.3}))
    apply(w, s)
    qtbot.waitUntil(lambda: w.player.at_end, timeout=30000)
    assert w.plugin.algorithm.name == "bernoulli" and w.plugin.threshold.value() == 0.3
    engine = es.run(s)
    assert _labels(w.player.history) == _labels(engine)
    np.testing.assert_allclose(w.player.history[-1].centers, engine[-1].centers, rtol=1e-12)
    again = capture(w)
    assert again.extra == {"threshold": 0.3} and again.params == s.params and again.data == {"mnist": 200}


# ================================================================== exercise buttons = shipped sessions
def _wait_for_data(qtbot, w, n):
    qtbot.waitUntil(lambda: w.dataset is not None and w.dataset.n == n and not w.loader.busy
                    and bool(w.player.history), timeout=60000)


def _same_run_input(a, b):
    """Two sessions that feed the engine the same array and the same arguments (starting centres included)."""
    Xa, kwa = es.run_input(a)
    Xb, kwb = es.run_input(b)
    np.testing.assert_array_equal(Xa, Xb)
    assert kwa.keys() == kwb.keys(), (kwa.keys(), kwb.keys())
    for key in kwa:
        va, vb = kwa[key], kwb[key]
        if isinstance(va, dict):
            assert va.keys() == vb.keys()
            for part in va:
                np.testing.assert_array_equal(va[part], vb[part])
        elif isinstance(va, np.ndarray) or isinstance(vb, np.ndarray):
            np.testing.assert_array_equal(va, vb)
        else:
            assert va == vb, key


@pytest.mark.slow
@pytest.mark.parametrize("button,shipped,n", [
    ("kmeans_exercise3", "ex3-kmeans", 5),
    ("kmeans_exercise4", "ex4-mnist-kmeans", 6000),
    ("bernoulli_exercise5", "ex5-mnist-bernoulli", 6000),
    ("gmm_exercise6", "ex6-gmm-elongated", 300),
])
def test_each_exercise_button_runs_what_its_shipped_session_describes(qtbot, window, button, shipped, n):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    from gui.algorithms.kmeans import extras as kmeans_extras
    from gui.shell.session_io import capture
    w = window
    for p in w.plugins:  # every plugin's panel, so that every exercise button exists
        p.panel()
    b = w.findChild(QPushButton, button)
    assert b is not None, button
    qtbot.mouseClick(b, Qt.MouseButton.LeftButton)
    _wait_for_data(qtbot, w, n)
    got = captured = capture(w)
    ship = es.load_session(es.shipped_sessions()[shipped][0])
    assert got.data == ship.data and got.standardize == ship.standardize
    assert got.algorithm == ship.algorithm
    params = dict(got.params)
    if shipped == "ex4-mnist-kmeans":
        # the button sweeps K = 5, 10, 20 (3 restarts, seed 0) beside the K = 10 run on the timeline
        sweep = ship.extra["sweep"]
        assert sweep == {"ks": list(kmeans_extras.EXERCISE4_KS), "restarts": kmeans_extras.EXERCISE4_RESTARTS,
                         "seed": 0}
        got = got.replace(extra={**got.extra, "sweep": sweep})
    assert params == ship.params
    _same_run_input(got, ship)
    # and the captured session is the window's run on the timeline
    first = w.player.history[0]
    engine_first = es.run(captured, until=0)[0]
    np.testing.assert_array_equal(np.asarray(first.labels if first.labels is not None else []),
                                  np.asarray(engine_first.labels if engine_first.labels is not None else []))
    if first.centers is not None:
        np.testing.assert_allclose(first.centers, engine_first.centers, rtol=1e-12)
    w.player.clear()


# ================================================================== steps, placed centres, sweeps
def test_goto_step_computes_ahead_and_stops_at_the_last_step(qtbot, window):
    from gui.shell.render_window import wait_for_step
    from gui.shell.session_io import goto_step
    w = window
    s = es.session_from_dict(_doc(data={"generator": "blobs", "n": 200, "seed": 1},
                                  algorithm={"name": "kmeans", "params": {"k": 4, "seed": 2, "init": "random"}}))
    engine = es.run(s)
    from gui.shell.session_io import apply
    apply(w, s.replace(step=0))
    assert wait_for_step(w.player, 0) == ""
    goto_step(w.player, 5)  # not computed yet: the worker computes steps 1..5, then step 5 is shown
    assert wait_for_step(w.player, 5) == ""
    assert w.player.index == 5 and len(w.player.history) == 6
    assert _labels(w.player.history) == _labels(engine[:6])
    goto_step(w.player, 10_000)  # past the end: the last step
    qtbot.waitUntil(lambda: w.player.exhausted and not w.player.busy and w.player.index == len(engine) - 1,
                    timeout=20000)
    assert _labels(w.player.history) == _labels(engine)
    goto_step(w.player, 1)
    assert w.player.index == 1


def test_placed_kmeans_centres_with_standardization_round_trip(qtbot, window):
    from gui.shell.session_io import apply, capture
    w = window
    s = es.session_from_dict(_doc(data={"generator": "blobs", "n": 90, "seed": 3}, transform={"standardize": True},
                                  algorithm={"name": "kmeans", "params": {"seed": 0},
                                             "init": [[-1.0, 0.5], [1.0, -0.5], [0.2, 0.1]]}))
    apply(w, s)
    qtbot.waitUntil(lambda: w.player.at_end, timeout=20000)
    assert w.standardized and w.plugin.lab.mode == "placed"
    # the lab shows the centres in the data's own coordinates
    np.testing.assert_allclose(w.plugin.lab.placed, w.from_run(s.extra["init"]), rtol=1e-12)
    engine = es.run(s)
    assert _labels(w.player.history) == _labels(engine)
    np.testing.assert_allclose(w.player.history[0].centers, s.extra["init"], rtol=1e-12, atol=1e-12)
    again = capture(w)
    np.testing.assert_allclose(again.extra["init"], s.extra["init"], rtol=1e-12, atol=1e-12)
    assert again.standardize and again.params["k"] == 3


def test_a_session_with_a_sweep_starts_it_in_the_restarts_tab(qtbot, window):
    from engine import kmeans as ekm
    from gui.shell.session_io import apply
    w = window
    s = es.session_from_dict(_doc(data={"generator": "blobs", "n": 150, "seed": 7},
                                  algorithm={"name": "kmeans", "params": {"k": 3, "seed": 0, "init": "random"},
                                             "sweep": {"ks": [2, 3, 5], "restarts": 2, "seed": 4}}))
    apply(w, s)
    plugin = w.plugin
    qtbot.waitUntil(lambda: plugin.sweep is not None and not plugin.sweep_task.busy, timeout=30000)
    X, _ = es.run_input(s)
    ref = ekm.sweep(X, [2, 3, 5], 2, seed=4, init="random", variant="means", metric="l2", max_iter=300)
    np.testing.assert_array_equal(plugin.sweep.seeds, ref.seeds)
    np.testing.assert_allclose(plugin.sweep.objectives, ref.objectives, rtol=1e-12)
    assert plugin.restarts.seed_spin.value() == 4 and plugin.restarts.restarts_spin.value() == 2
    assert not w.isWindowModified()


def test_open_data_with_a_session_file_opens_the_session(qtbot, tmp_path, monkeypatch):
    """File > Open data (and the command line, and a drop) given a session .json opens it as a session."""
    from gui.shell.main_window import MainWindow
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"format": "clusterlab-session", "version": 1, "name": "mine",
                                "data": {"example": "five-points"},
                                "algorithm": {"name": "kmeans", "params": {"k": 2, "seed": 3}}}))
    w = MainWindow()
    qtbot.addWidget(w)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))
    w.menus.actions["open"].trigger()
    assert w.plugin.algorithm.name == "kmeans" and w.dataset.n == 5
    assert w.session_controller.name == "mine" and "mine" in w.windowTitle()


@pytest.mark.parametrize("algorithm, init", [
    ("gmm", {"weights": [0.3, 0.7], "means": [[-2.0, 0.0], [2.0, 0.5]],
             "covariances": [[[1.0, 0.2], [0.2, 1.0]], [[0.5, 0.0], [0.0, 2.0]]]}),
    ("bernoulli", {"probs": [[0.2, 0.8], [0.7, 0.3]], "weights": [0.5, 0.5]}),
])
def test_a_session_with_all_starting_parameters_runs_in_the_window_and_render_alike(qtbot, tmp_path, algorithm,
                                                                                    init):
    """Every session the format allows runs in the window (and so in render) as the engine runs it."""
    from gui.shell import render
    from gui.shell.main_window import MainWindow
    from gui.shell.render_window import wait_for_step
    from gui.shell.session_io import apply, capture
    d = {"format": "clusterlab-session", "version": 1, "name": "given",
         "data": {"generator": "blobs", "n": 80, "seed": 4, "k": 2},
         "algorithm": {"name": algorithm, "params": {"k": 2, "seed": 1}, "init": init}}
    path = tmp_path / "given.json"
    path.write_text(json.dumps(d))
    session = es.load_session(path)
    engine_steps = es.run(session)
    w = MainWindow()
    qtbot.addWidget(w)
    apply(w, session)
    assert wait_for_step(w.player, "last", timeout=60) == ""
    window_steps = w.player.history
    assert len(window_steps) == len(engine_steps)
    np.testing.assert_allclose([s.objective for s in window_steps], [s.objective for s in engine_steps],
                               rtol=1e-9)
    again = es.session_from_dict(es.session_to_dict(capture(w)))  # the given start is kept by a save
    assert set(again.extra) >= {"init"} and "init" not in again.params
    assert render.main([str(path), "--out", str(tmp_path / "o"), "--no-svg", "--size", "300x200"]) == 0
    res = json.loads((tmp_path / "o" / "result.json").read_text())
    assert res["n_steps"] == len(engine_steps)
