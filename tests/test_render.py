"""``clusterlab render``: figures and results of a session without a display."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine import session as es
from gui.shell import render, render_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
ROOT = Path(__file__).resolve().parents[1]


def _png_size(p: Path):
    with Image.open(p) as im:
        im.load()
        colours = im.convert("RGB").getcolors(maxcolors=1 << 24)  # (count, colour) pairs, counted by Pillow
        return im.size, len(colours)


def test_render_writes_views_gif_and_the_engine_result(qtbot, tmp_path, capsys):
    out = tmp_path / "ex3"
    code = render.main(["example:ex3-kmeans", "--out", str(out), "--steps", "1,4,last", "--gif",
                        "--size", "400x300", "--scale", "2"])
    assert code == 0, capsys.readouterr().err
    session = es.load_session(es.shipped_sessions()["ex3-kmeans"][0])
    steps = es.run(session)
    last = len(steps)  # steps are numbered from 1, as on the window's timeline
    for view in ("scatter", "objective"):
        for i in (1, 4, last):
            size, colours = _png_size(out / f"{view}-step{i:03d}.png")
            assert size == (800, 600) and colours > 10  # 400x300 at scale 2, and not blank
            assert (out / f"{view}-step{i:03d}.svg").stat().st_size > 1000
    res = json.loads((out / "result.json").read_text())
    assert res["labels"] == np.asarray(steps[-1].labels).tolist() == [0, 0, 0, 1, 1]
    np.testing.assert_allclose(res["centers"], steps[-1].centers, rtol=1e-15)
    np.testing.assert_allclose(res["trace"][1:], steps[-1].trace[1:], rtol=1e-15)
    assert res["n_steps"] == len(steps) and res["complete"] and res["status"] == "converged"
    assert res["step"] == len(steps)  # the timeline's number of the last step
    assert [s["kind"] for s in res["steps"]] == [s.kind for s in steps]
    with Image.open(out / "run.gif") as gif:
        assert gif.n_frames == len(steps)  # one frame per step (every step changes the picture)
        assert gif.size[1] == 600


def test_hac_render_has_the_linkage_and_every_tab(qtbot, tmp_path):
    out = tmp_path / "ex2"
    assert render.main(["example:ex2-max", "--out", str(out), "--size", "300x200"]) == 0
    from scipy.cluster.hierarchy import linkage
    res = json.loads((out / "result.json").read_text())
    Z = linkage(np.array([1.0, 2, 4, 5, 9, 11, 16, 17])[:, None], "complete")
    np.testing.assert_allclose(np.asarray(res["linkage"])[:, 2], Z[:, 2])
    assert len(res["labels"]) == 8 and res["complete"]
    for view in ("scatter", "dendrogram", "norms", "compare"):
        assert _png_size(out / f"{view}.png")[0] == (300, 200)


def _dark_pixels(path) -> int:
    with Image.open(path) as image:
        return int(np.count_nonzero(np.asarray(image.convert("L")) < 128))


def test_lecture_render_is_a_slide_with_larger_marks(qtbot, tmp_path, capsys):
    """--lecture: 1920x1080 by default, and the same figure drawn with larger text and thicker marks."""
    plain, lecture = tmp_path / "plain", tmp_path / "lecture"
    assert render.main(["example:ex2-min", "--out", str(plain), "--size", "1920x1080", "--no-svg"]) == 0, \
        capsys.readouterr().err
    assert render.main(["example:ex2-min", "--out", str(lecture), "--lecture", "--no-svg"]) == 0, \
        capsys.readouterr().err
    for view in ("scatter", "dendrogram"):
        assert _png_size(lecture / f"{view}.png")[0] == (1920, 1080)
        assert _dark_pixels(lecture / f"{view}.png") > 1.3 * _dark_pixels(plain / f"{view}.png")


#: Of the twelve exercise 1 variants (the same four points and views), four stand for the rest: every linkage and
#: every norm once (tests/test_solutions_shipped.py rebuilds all twelve's worked solutions). Exercise 4, the most
#: expensive, is rendered once, by test_render_figures.py, which checks the same.
EX1_SHOWN = ("ex1-min-l1", "ex1-max-l2", "ex1-avg-linf", "ex1-centroid-l2")
RENDERED = sorted(n for n in es.shipped_sessions()
                  if n != "ex4-mnist-kmeans" and (not n.startswith("ex1-") or n in EX1_SHOWN))


@pytest.mark.slow
@pytest.mark.parametrize("name", RENDERED)
def test_every_shipped_session_renders(qtbot, tmp_path, capsys, name):
    path = es.shipped_sessions()[name][0]
    s = es.load_session(path, validate_data=False)
    mnist = "mnist" in s.data
    args = [f"example:{name}", "--out", str(tmp_path / name), "--size", "400x300"]
    args += ["--steps", "1,13", "--no-svg"] if mnist else []
    code = render.main(args)
    assert code == 0, (name, capsys.readouterr().err)
    res = json.loads((tmp_path / name / "result.json").read_text())
    assert res["session"] == name and res["algorithm"] == s.algorithm
    assert res["complete"] or mnist or s.step != "last"  # a session may open at an early step (a class quiz)
    assert _png_size(tmp_path / name / ("scatter-step001.png" if mnist else "scatter.png"))[0] == (400, 300)


def test_round_trip_gui_session_render(qtbot, tmp_path):
    from gui.shell.main_window import MainWindow
    from gui.shell.session_io import capture
    w = MainWindow(startup="")
    qtbot.addWidget(w)
    w.generate("moons", 80, 3)
    w.set_algorithm(w.plugins.names().index("gmm"))
    w.plugin.form.set_values({"k": 2, "seed": 4, "covariance": "diag"})
    w.restart_run()
    w.player.to_end()
    qtbot.waitUntil(lambda: bool(w.player.at_end), timeout=30000)
    history = w.player.history
    path = es.save_session(capture(w, name="moons"), tmp_path / "moons.json")
    assert render.main([str(path), "--out", str(tmp_path / "out"), "--no-svg"]) == 0
    res = json.loads((tmp_path / "out" / "result.json").read_text())
    assert res["labels"] == np.asarray(history[-1].labels).tolist()
    assert res["n_steps"] == len(history)
    np.testing.assert_allclose(res["means"], history[-1].payload["means"], rtol=1e-12)


BAD = [
    (["nothing.json", "--out", "x"], "no such session file"),
    (["example:ex9", "--out", "x"], "unknown example session"),
    (["example:ex2-min"], "--out DIR is required"),
    (["example:ex2-min", "--out", "x", "--size", "big"], "--size"),
    (["example:ex2-min", "--out", "x", "--scale", "9"], "--scale"),
    (["example:ex2-min", "--out", "x", "--steps", "0,first"], "--steps"),
]


@pytest.mark.parametrize("args,words", BAD)
def test_bad_arguments_and_sessions_exit_2_with_a_message(tmp_path, capsys, args, words, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert render.main(args) == 2
    err = capsys.readouterr().err
    assert words in err and err.startswith("clusterlab render:")


def test_a_session_that_fails_on_its_data_exits_2(tmp_path, capsys):
    p = tmp_path / "big-k.json"
    p.write_text(json.dumps({"format": "clusterlab-session", "version": 1, "data": {"example": "one-d"},
                             "algorithm": {"name": "kmeans", "params": {"k": 20}}}))
    assert render.main([str(p), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "big-k.json" in err and "k=20" in err
    assert not (tmp_path / "o" / "result.json").exists()


def test_list_examples(capsys):
    assert render.main(["--list-examples"]) == 0
    out = capsys.readouterr().out
    for name, (_, description) in es.shipped_sessions().items():
        assert f"{name}" in out and description in out


def test_command_line_without_a_display(tmp_path):
    """The command itself, in a process of its own, exits 0: the window is deleted before the interpreter exits
    (exercise 3 once crashed there, exit 139, after every file was written)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = tmp_path / "cli"
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "render", "example:ex3-kmeans", "--out", str(out),
                           "--no-svg", "--size", "200x150"], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert _png_size(out / "scatter.png")[0] == (200, 150) and (out / "result.json").is_file()
    bad = subprocess.run([sys.executable, str(ROOT / "main.py"), "render", str(tmp_path / "none.json"), "--out",
                          str(out)], env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "none.json" in bad.stderr


def test_views_are_drawn_after_the_work_they_start_when_shown(qtbot, tmp_path, monkeypatch):
    """The HAC Compare tab computes (on a worker) only once it is shown: its figure waits for that."""
    from gui.widgets import export
    seen = []
    real = export.export_png

    def spy(view, path, scale=1):
        if hasattr(view, "trees") and hasattr(view, "busy"):  # the comparison view (written to a temporary name)
            seen.append((view.busy, len(view.trees), len(view.results)))
        return real(view, path, scale=scale)

    monkeypatch.setattr(export, "export_png", spy)
    p = tmp_path / "hac.json"  # enough points that the comparison takes a moment
    p.write_text(json.dumps({"format": "clusterlab-session", "version": 1, "data": {"generator": "moons", "n": 800},
                             "algorithm": {"name": "hac", "params": {"linkage": "avg"}}, "step": 5}))
    assert render.main([str(p), "--out", str(tmp_path / "o"), "--no-svg", "--size", "400x300"]) == 0
    assert (tmp_path / "o" / "compare.png").is_file() and len(seen) == 1
    busy, trees, results = seen[0]
    assert not busy and trees >= 3 and results == 12  # 3 dendrograms side by side, 12 first merges


def test_a_sweep_session_writes_the_sweep_of_the_engine(qtbot, tmp_path):
    from engine import kmeans as ekm
    p = tmp_path / "sweep.json"
    p.write_text(json.dumps({"format": "clusterlab-session", "version": 1, "name": "sw",
                             "data": {"generator": "blobs", "n": 120, "seed": 2},
                             "algorithm": {"name": "kmeans", "params": {"k": 3, "init": "k-means++", "seed": 1},
                                           "sweep": {"ks": [2, 4], "restarts": 3, "seed": 9}}}))
    out = tmp_path / "o"
    assert render.main([str(p), "--out", str(out), "--no-svg", "--size", "400x300"]) == 0
    res = json.loads((out / "result.json").read_text())
    s = es.load_session(p)
    X, _ = es.run_input(s)
    ref = ekm.sweep(X, [2, 4], 3, seed=9, init="k-means++", variant="means", metric="l2", max_iter=300)
    assert res["sweep"]["ks"] == [2, 4] and res["sweep"]["restarts"] == 3 and res["sweep"]["seed"] == 9
    assert res["sweep"]["seeds"] == ref.seeds.tolist()
    np.testing.assert_allclose(res["sweep"]["objectives"], ref.objectives, rtol=1e-12)
    assert res["sweep"]["best_restart"] == ref.best_restart.tolist()
    size, colours = _png_size(out / "restarts-k.png")
    assert size == (400, 300) and colours > 10


def test_render_waits_on_signals_and_never_sleeps(qtbot, tmp_path, monkeypatch, capsys):
    """Waiting for the run and the background work is done by signals: time.sleep is never called."""
    import time
    slept = []

    def no_sleep(seconds):  # raises where it is called, and is noted in case a Qt slot swallows the error
        slept.append(seconds)
        raise AssertionError(f"render called time.sleep({seconds})")

    monkeypatch.setattr(time, "sleep", no_sleep)
    out = tmp_path / "o"
    code = render.main(["example:ex3-kmeans", "--out", str(out), "--steps", "1,last", "--gif", "--no-svg",
                        "--size", "300x200"])
    assert code == 0, capsys.readouterr().err
    assert slept == []
    steps = es.run(es.load_session(es.shipped_sessions()["ex3-kmeans"][0]))
    res = json.loads((out / "result.json").read_text())
    assert res["n_steps"] == len(steps) and res["labels"] == np.asarray(steps[-1].labels).tolist()
    assert (out / f"scatter-step{len(steps):03d}.png").is_file() and (out / "run.gif").is_file()
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_the_wait_for_background_work_returns_when_the_task_says_it_stopped(qtbot, monkeypatch):
    """A task busy on a worker: the wait ends on its sigBusy(False), with its result delivered, no polling."""
    import threading
    import time

    try:
        from gui.run.tasks import BackgroundTask
    except ImportError:
        from gui.algorithms.kmeans.elbow import BackgroundTask
    from gui.shell.main_window import MainWindow
    slept = []
    monkeypatch.setattr(time, "sleep", slept.append)
    w = MainWindow(startup="")
    qtbot.addWidget(w)
    task = BackgroundTask(w)
    gate, results = threading.Event(), []
    task.sigFinished.connect(results.append)
    task.start(lambda progress, cancelled: gate.wait(30) and "done")
    assert task.busy
    threading.Timer(0.3, gate.set).start()
    t = time.monotonic()
    render_window.wait_for_background(w, timeout=30)
    assert not task.busy and results == ["done"] and time.monotonic() - t < 20 and slept == []
    task.shutdown()


@pytest.mark.parametrize("steps", ["2147483648", "1,99999999999999999999999", "10000001", "9" * 5000])
def test_huge_step_numbers_are_refused_with_exit_2(tmp_path, capsys, steps):
    assert render.main(["example:ex3-kmeans", "--out", str(tmp_path / "o"), "--steps", steps]) == 2
    err = capsys.readouterr().err
    assert err.startswith("clusterlab render:") and "too large" in err and "10,000,000" in err
    assert not (tmp_path / "o").exists()


def test_the_largest_step_allowed_is_drawn_as_the_last_one(qtbot, tmp_path, capsys):
    out = tmp_path / "o"
    assert render.main(["example:ex3-kmeans", "--out", str(out), "--steps", str(render.MAX_STEP), "--no-svg",
                        "--size", "200x150"]) == 0
    steps = es.run(es.load_session(es.shipped_sessions()["ex3-kmeans"][0]))
    assert "is drawn as the last one" in capsys.readouterr().err
    assert (out / f"scatter-step{len(steps):03d}.png").is_file()


def test_the_sweep_of_a_session_is_computed_once(qtbot, tmp_path, monkeypatch):
    """The session's sweep is the plugin's own, computed once; result.json has it (render names no algorithm)."""
    from engine import kmeans as ekm
    calls = []
    real = ekm.sweep

    def counting(*args, **kwargs):
        calls.append({k: v for k, v in kwargs.items() if k not in ("on_run", "progress", "cancel")})
        return real(*args, **kwargs)

    from engine.kmeans import sweeps
    monkeypatch.setattr(ekm, "sweep", counting)  # the window's call
    monkeypatch.setattr(sweeps, "sweep", counting)  # the session's work computed ahead by render
    p = tmp_path / "sweep.json"
    p.write_text(json.dumps({"format": "clusterlab-session", "version": 1, "name": "sw",
                             "data": {"generator": "blobs", "n": 150, "seed": 3},
                             "algorithm": {"name": "kmeans", "params": {"k": 3, "init": "random", "seed": 2,
                                                                        "variant": "means", "metric": "l2",
                                                                        "max_iter": 300},
                                           "sweep": {"ks": [2, 3, 5], "restarts": 2, "seed": 4}}}))
    out = tmp_path / "o"
    assert render.main([str(p), "--out", str(out), "--no-svg", "--size", "300x200"]) == 0
    assert len(calls) == 1 and ekm.sweep is counting  # computed once; the engine is left as it was
    assert "kmeans" not in (ROOT / "gui" / "shell" / "render_window.py").read_text().lower()
    res = json.loads((out / "result.json").read_text())
    X, _ = es.run_input(es.load_session(p))
    ref = real(X, [2, 3, 5], 2, seed=4, init="random", variant="means", metric="l2", max_iter=300)
    np.testing.assert_allclose(res["sweep"]["objectives"], ref.objectives, rtol=1e-12)
    assert _png_size(out / "restarts-k.png")[1] > 10  # the elbow and the small multiples are drawn


def test_the_wait_for_background_work_counts_every_task_of_the_window_in_the_registry(qtbot, monkeypatch):
    """A bare Task (no busy signal of its own) owned by a view of the window: the registry's count ends the wait."""
    import threading
    import time

    tasks = pytest.importorskip("gui.run.tasks")
    from gui.shell.main_window import MainWindow
    slept = []
    monkeypatch.setattr(time, "sleep", slept.append)
    w = MainWindow(startup="")
    qtbot.addWidget(w)
    gate, results = threading.Event(), []
    task = tasks.Task(lambda progress, cancelled: gate.wait(30) and 42, parent=w.scatter)
    task.sigFinished.connect(results.append)
    task.start()
    assert tasks.registry().count(w) == 1
    threading.Timer(0.3, gate.set).start()
    render_window.wait_for_background(w, timeout=30)
    assert results == [42] and tasks.registry().count(w) == 0 and slept == []


def test_a_render_process_shares_the_blas_threads_and_keeps_what_is_set():
    code = "import os, gui.shell.render as r; print([os.environ[n] for n in r.BLAS_THREAD_VARIABLES])"
    env = {k: v for k, v in os.environ.items() if k not in render.BLAS_THREAD_VARIABLES}
    share = str(max(1, (os.cpu_count() or 1) // 3))
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == str([share] * 3), out.stderr
    env["OPENBLAS_NUM_THREADS"] = "7"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == str(["7", share, share]), out.stderr
