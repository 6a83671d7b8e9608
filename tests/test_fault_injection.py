"""Fault injection for every save and export path (issue #11): a failure midway -- the content written but the
disk full when it is flushed to disk, or the final rename failing -- leaves every previous file byte for byte
and no temporary file, and the window says so instead of crashing."""
import errno
import os

import pytest

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

OLD = b"the previous file, byte for byte\n"


def _disk_full(*_a, **_k):
    raise OSError(errno.ENOSPC, "No space left on device")


def _io_error(*_a, **_k):
    raise OSError(errno.EIO, "Input/output error")


FAULTS = {"fsync": ("fsync", _disk_full), "replace": ("replace", _io_error)}


@pytest.fixture
def window(qtbot):
    from gui.shell.main_window import MainWindow
    w = MainWindow(startup="")
    qtbot.addWidget(w)
    yield w
    w.session_controller.set_modified(False)


def _run(qtbot, w, algorithm, example="five-points", **params):
    w.open_example(example)
    w.set_algorithm(w.plugins.names().index(algorithm))
    if params:
        w.plugin.form.set_values(params)
    w.player.to_end()
    qtbot.waitUntil(lambda: bool(w.player.exhausted and not w.player.busy and w.player.history), timeout=20000)


def _window_path(name):
    """(algorithm, run params, file names, action(w, folder)) of one save/export path of the window."""
    def menu(action, *args):
        def go(w, folder, names):
            w.menus._save_path = lambda *a, **k: str(folder / names[0])
            getattr(w.menus, action)(*args)
        return go

    def hac(kind):
        def go(w, folder, names):
            with pytest.raises(OSError):
                w.plugin.export_dendrogram(kind, folder / names[0])
        return go

    def session(w, folder, names):
        assert not w.session_controller.save_to(folder / names[0])

    def results(w, folder, names):
        from gui.algorithms.kmeans import extras
        with pytest.raises(OSError):
            if w.plugin.algorithm.name == "kmeans":
                extras.export_results(w.plugin, folder)
            else:
                w.plugin.export_results(folder)

    return {
        "session": ("kmeans", {"k": 2, "seed": 1}, ["s.json"], session),
        "data-csv": ("kmeans", {"k": 2, "seed": 1}, ["data.csv"], menu("export_csv")),
        "png": ("kmeans", {"k": 2, "seed": 1}, ["scatter.png"], menu("export_png", "scatter", 2)),
        "svg": ("kmeans", {"k": 2, "seed": 1}, ["scatter.svg"], menu("export_svg", "scatter")),
        "tab-png": ("gmm", {"k": 2, "seed": 1}, ["tab.png"], menu("export_png", "tab", 1)),
        "gif": ("kmeans", {"k": 2, "seed": 1}, ["run.gif"], menu("export_gif")),
        "hac-png": ("hac", {"linkage": "max"}, ["d.png"], hac("png")),
        "hac-svg": ("hac", {"linkage": "max"}, ["d.svg"], hac("svg")),
        "hac-linkage": ("hac", {"linkage": "max"}, ["z.csv"], hac("linkage")),
        "hac-newick": ("hac", {"linkage": "max"}, ["t.nwk"], hac("newick")),
        "hac-labels": ("hac", {"linkage": "max"}, ["labels.csv"], hac("labels")),
        "kmeans-results": ("kmeans", {"k": 2, "seed": 1}, ["kmeans.json", "kmeans-labels.csv",
                                                          "kmeans-centers.csv", "kmeans-objective.csv"], results),
        "gmm-results": ("gmm", {"k": 2, "seed": 1}, ["gmm.json", "gmm-loglik.csv"], results),
    }[name]


PATHS = ["session", "data-csv", "png", "svg", "tab-png", "gif", "hac-png", "hac-svg", "hac-linkage",
         "hac-newick", "hac-labels", "kmeans-results", "gmm-results"]


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("which", PATHS)
def test_a_failed_save_or_export_keeps_the_previous_file(qtbot, window, tmp_path, monkeypatch, message_boxes,
                                                         which, fault):
    algorithm, params, names, action = _window_path(which)
    _run(qtbot, window, algorithm, **params)
    tmp_path = tmp_path / "files"
    tmp_path.mkdir()
    for name in names:
        (tmp_path / name).write_bytes(OLD)
    monkeypatch.setattr(os, *FAULTS[fault])
    action(window, tmp_path, names)
    monkeypatch.undo()
    if not which.startswith(("hac", "kmeans-", "gmm-")):  # those raise (checked above); the window says so
        assert [kind for kind, *_ in message_boxes] == ["critical"], message_boxes
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)  # no temporary file left
    assert all((tmp_path / name).read_bytes() == OLD for name in names)
    # the window still works: the same export goes through once the disk is back
    action_ok = {"session": lambda: window.session_controller.save_to(tmp_path / names[0])}.get(which)
    if action_ok is not None:
        assert action_ok() and (tmp_path / names[0]).read_bytes() != OLD


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_failed_render_keeps_the_previous_figures(qtbot, tmp_path, monkeypatch, capsys, fault):
    from gui.shell import render
    out = tmp_path / "out"
    out.mkdir()
    names = ["scatter.png", "objective.png", "run.gif", "result.json"]
    for name in names:
        (out / name).write_bytes(OLD)
    monkeypatch.setattr(os, *FAULTS[fault])
    code = render.main(["example:ex3-kmeans", "--out", str(out), "--gif", "--no-svg", "--size", "300x200"])
    monkeypatch.undo()
    assert code == 1 and "clusterlab render" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == sorted(names)
    assert all((out / name).read_bytes() == OLD for name in names)
