"""A chaos test (issue #11): the window driven by a fixed seed through good and bad files and sessions, runs
started, superseded, cancelled, stepped back, exported, and closed mid-run. No exception, no abort, and after
every action the title, path and modified flag describe what is shown and the player's index is in its history."""
import json

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from engine import session as es

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _files(folder):
    rng = np.random.default_rng(0)
    good_csv = folder / "good.csv"
    good_csv.write_text("x,y\n" + "\n".join(f"{a:.5f},{b:.5f}" for a, b in rng.normal(size=(40, 2))) + "\n")
    huge_csv = folder / "huge.csv"
    huge_csv.write_text("x,y\n1e308,1e308\n-1e308,-1e308\n0,0\n")
    garbage = folder / "garbage.csv"
    garbage.write_bytes(bytes(rng.integers(0, 256, 300, dtype=np.uint8)))
    sessions = {}
    for name, data, alg in [("good-kmeans", {"example": "five-points"}, {"name": "kmeans", "params": {"k": 2}}),
                            ("good-hac", {"generator": "blobs", "n": 60, "seed": 2},
                             {"name": "hac", "params": {"linkage": "avg"}}),
                            ("good-gmm", {"generator": "blobs", "n": 80, "seed": 3},
                             {"name": "gmm", "params": {"k": 3, "seed": 1}}),
                            ("huge", {"points": [[1e308, 1e308], [-1e308, -1e308], [0, 0]]},
                             {"name": "kmeans", "params": {"k": 2}}),
                            ("big-k", {"example": "five-points"}, {"name": "kmeans", "params": {"k": 9}})]:
        p = folder / f"{name}.json"
        p.write_text(json.dumps({"format": "clusterlab-session", "version": 1, "name": name, "data": data,
                                 "algorithm": alg, "step": 3}))
        sessions[name] = p
    (folder / "cut.json").write_text('{"format": "clusterlab-session", "vers')
    sessions["cut"] = folder / "cut.json"
    return [good_csv, huge_csv, garbage], sessions


def _consistent(w, saved):
    """Title, path and modified flag describe what is shown; the player's index lies in its history."""
    c = w.session_controller
    ds = w.dataset
    title = w.windowTitle()
    if c.name:
        assert c.name in title, (c.name, title)
    elif ds is not None and ds.n:
        assert (ds.name or "points made by hand") in title, title
    else:
        assert "empty canvas" in title
    assert w.isWindowModified() == c.modified
    if c.path is not None and not c.modified:  # what a Save would overwrite is what is shown
        s = es.load_session(c.path)
        assert np.array_equal(es.make_dataset(s).X, ds.X), c.path
        assert s.algorithm == w.plugin.algorithm.name
    p = w.player
    assert -1 <= p.index < max(len(p.history), 1)
    assert (p.index >= 0) == bool(p.history) or p.busy
    assert QApplication.overrideCursor() is None
    if c.path is not None:
        assert c.path in saved or c.path.name.startswith("good-")


def test_chaos_with_a_fixed_seed(qtbot, tmp_path, message_boxes):
    from gui.shell.main_window import MainWindow
    folder = tmp_path / "files"
    folder.mkdir()
    data_files, sessions = _files(folder)
    w = MainWindow(startup="")
    qtbot.addWidget(w)
    w.menus._save_path = lambda *a, **k: str(folder / "export.png")
    saved = set()
    rng = np.random.default_rng(11)
    names = w.plugins.names()

    def save():
        path = folder / f"saved-{len(saved)}.json"
        if w.dataset is not None and w.dataset.n and w.session_controller.save_to(path):
            saved.add(path)

    actions = {
        "open data": lambda: w.open_file(data_files[rng.integers(len(data_files))]),
        "open session": lambda: w.open_file(list(sessions.values())[rng.integers(len(sessions))]),
        "example": lambda: w.open_example(["five-points", "four-points", "one-d"][rng.integers(3)]),
        "algorithm": lambda: w.set_algorithm(int(rng.integers(len(names)))),
        "restart": w.restart_run,
        "supersede": lambda: (w.restart_run(), w.restart_run()),
        "forward": w.player.forward,
        "back": w.player.back,
        "to end": w.player.to_end,
        "cancel": w.cancel,
        "seek huge": lambda: w.player.seek(10 ** 12),
        "export": lambda: w.menus.export_png("scatter", 1),
        "save": save,
        "undo": w.model.undo_stack.undo,
        "standardize": lambda: w.set_standardized(not w.standardized),
    }
    keys = sorted(actions)
    done = []
    for _ in range(120):
        name = keys[rng.integers(len(keys))]
        done.append(name)
        actions[name]()
        qtbot.waitUntil(lambda: not w.loader.busy, timeout=10000)
        QApplication.processEvents()
        _consistent(w, saved)
    assert set(done) == set(keys)  # every kind of action was tried
    assert any("rescale" in text for _, _, text in message_boxes)  # the huge data were refused, with a message
    w.open_example("five-points")
    w.set_algorithm(names.index("hac"))
    w.player.to_end()  # close mid-run
    w.close()
    assert not w.isVisible()
