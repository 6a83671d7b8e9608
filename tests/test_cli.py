"""The ``clusterlab`` command (gui/shell/cli.py): help, examples, what FILE opens; the shipped resources; packaging."""
import fnmatch
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from engine import data as edata
from engine import session as es
from engine.core import resources
from engine.core.resources import resource_path
from gui.shell import cli

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib


# ------------------------------------------------------------------ help, examples, no display
def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for word in ("render", "examples", "open", "FILE", "--example", "--mnist", "--version", ".json"):
        assert word in out, word
    for args, usage in ((["open", "--help"], "usage: clusterlab [open] "), (["examples", "-h"], "usage: clusterlab examples")):
        with pytest.raises(SystemExit) as exc:
            cli.main(args)
        assert exc.value.code == 0 and capsys.readouterr().out.startswith(usage)


def test_examples_lists_the_sessions_and_the_data_sets(capsys):
    assert cli.main(["examples"]) == 0
    out = capsys.readouterr().out
    shipped = es.shipped_sessions()
    assert len(shipped) >= 18
    for name, (_, description) in shipped.items():
        assert f"  {name} " in out and description in out
    for name in [*edata.EXAMPLES, "mnist"]:
        assert f"  {name} " in out
    assert out.index("ex3-kmeans") < out.index("Example data sets") < out.index("five-points")
    from engine.core.registry import algorithms
    for name, alg in algorithms().items():  # the registry's algorithms come first
        assert f"  {name} " in out and alg.title in out and out.index(alg.title) < out.index("Example sessions")


def test_parsing_help_and_examples_import_no_qt():
    code = ("import sys, io, contextlib\n"
            "from gui.shell import cli\n"
            "buf = io.StringIO()\n"
            "with contextlib.redirect_stdout(buf):\n"
            "    try:\n"
            "        cli.main(['--help'])\n"
            "    except SystemExit as e:\n"
            "        assert e.code == 0\n"
            "    assert cli.main(['examples']) == 0\n"
            "    assert cli.main(['--example', 'nope']) == 2\n"
            "ns = cli.build_parser().parse_args(['open', 'x.json'])\n"
            "assert cli.startup_choice(ns)[1].name == 'x.json'\n"
            "qt = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'pyqtgraph')))\n"
            "assert not qt, qt\n"
            "assert 'ex5-mnist-bernoulli' in buf.getvalue()\n")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    help_ = subprocess.run([sys.executable, "-m", "gui", "--help"], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=120)
    assert help_.returncode == 0 and "examples" in help_.stdout and "render" in help_.stdout, help_.stderr


# ------------------------------------------------------------------ what FILE opens
@pytest.fixture
def runs(monkeypatch):
    """The window is not opened: each call of gui.shell.app.run is recorded as its (startup, session)."""
    from gui.shell import app

    calls = []
    monkeypatch.setattr(app, "run", lambda startup=None, session=None: calls.append((startup, session)) or 0)
    return calls


def test_a_json_argument_goes_to_the_session_path(runs, tmp_path):
    assert cli.main([str(tmp_path / "mine.JSON")]) == 0
    assert runs == [(None, tmp_path / "mine.JSON")]


def test_a_data_file_goes_to_the_data_loader(runs, tmp_path):
    for name in ("points.csv", "digits.npz", "t10k-images-idx3-ubyte.gz"):
        assert cli.main([str(tmp_path / name)]) == 0
        assert runs[-1] == (str(tmp_path / name), None)
    assert cli.main(["open", "x.tsv"]) == 0 and runs[-1] == ("x.tsv", None)


def test_examples_by_name(runs, capsys):
    shipped = es.shipped_sessions()
    assert cli.main(["--example", "five-points"]) == 0 and runs[-1] == ("example:five-points", None)
    assert cli.main(["--example", "ex3-kmeans"]) == 0 and runs[-1] == (None, shipped["ex3-kmeans"][0])
    assert cli.main(["example:ex6-gmm-elongated"]) == 0 and runs[-1] == (None, shipped["ex6-gmm-elongated"][0])
    assert cli.main(["--mnist"]) == 0 and runs[-1] == ("mnist", None)
    assert cli.main([]) == 0 and runs[-1] == (None, None)
    n = len(runs)
    assert cli.main(["--example", "six-points"]) == 2
    assert cli.main(["example:nope"]) == 2
    assert len(runs) == n  # no window for an unknown name
    err = capsys.readouterr().err
    assert "six-points" in err and "five-points" in err and "ex3-kmeans" in err


def _fake_exec(qtbot, check):
    from gui.shell.main_window import MainWindow

    def fake_exec(self):  # stands in for the event loop: look at the window, then close it
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        assert len(windows) == 1
        check(windows[0])
        windows[0].close()
        windows[0].deleteLater()
        return 0
    return fake_exec


def test_a_session_file_opens_through_the_session_controller(qtbot, monkeypatch, tmp_path):
    from gui.shell.session_io import SessionController

    src = es.shipped_sessions()["ex3-kmeans"][0]
    path = tmp_path / "copy.json"
    path.write_bytes(src.read_bytes())
    opened = []
    real = SessionController.open_path
    monkeypatch.setattr(SessionController, "open_path", lambda self, p: opened.append(Path(p)) or real(self, p))

    def check(w):
        assert opened == [path]
        assert w.session_controller.path == path and not w.session_controller.modified
        assert w.dataset.point_names == ("A", "B", "C", "D", "E")
        assert w.plugin.algorithm.name == "kmeans"

    monkeypatch.setattr(QApplication, "exec", _fake_exec(qtbot, check))
    assert cli.main([str(path)]) == 0


def test_a_data_file_opens_through_the_loader(qtbot, monkeypatch, tmp_path):
    from gui.shell.main_window import MainWindow

    path = tmp_path / "p.csv"
    path.write_text("x,y\n0,0\n1,0\n5,5\n")
    loaded = []
    real = MainWindow.open_file
    monkeypatch.setattr(MainWindow, "open_file", lambda self, p: loaded.append(p) or real(self, p))

    def check(w):
        qtbot.waitUntil(lambda: w.dataset is not None and w.dataset.n == 3, timeout=5000)
        assert loaded == [str(path)]

    monkeypatch.setattr(QApplication, "exec", _fake_exec(qtbot, check))
    assert cli.main([str(path)]) == 0


def test_a_dropped_session_opens_as_a_session(qtbot, open_window, tmp_path):
    w = open_window("hac")
    path = tmp_path / "dropped.json"
    path.write_bytes(es.shipped_sessions()["ex3-kmeans"][0].read_bytes())
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    pos = QPointF(w.width() / 2, w.height() / 2)
    enter = QDragEnterEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(w, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(w, QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                         Qt.KeyboardModifier.NoModifier))
    assert w.session_controller.path == path
    assert w.plugin.algorithm.name == "kmeans" and w.dataset.point_names == ("A", "B", "C", "D", "E")


# ------------------------------------------------------------------ resources
def test_resources_are_found_through_the_resources_package():
    folder = resource_path()
    assert folder == Path(__file__).resolve().parents[1] / "resources"  # the checkout's, in the tests
    assert (folder / "__init__.py").is_file()
    assert edata.mnist_resource_dir() == folder
    assert (folder / edata.MNIST_IMAGES).is_file() and (folder / edata.MNIST_LABELS).is_file()
    assert es.sessions_dir() == resource_path("sessions") == folder / "sessions"
    assert resource_path("sessions", "ex3-kmeans.json").is_file()
    assert {p for p, _ in es.shipped_sessions().values()} == set(resource_path("sessions").glob("*.json"))


def test_missing_resources_are_reported(monkeypatch):
    monkeypatch.setattr(resources, "PACKAGE", "no_such_clusterlab_resources")
    with pytest.raises(FileNotFoundError, match="reinstall"):
        resource_path("sessions")
    with pytest.raises(edata.DataError, match="MNIST test set is missing"):
        edata.mnist_resource_dir()


# ------------------------------------------------------------------ packaging
def test_pyproject_installs_every_package_and_the_resources():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["scripts"] == {"clusterlab": "gui.shell.cli:main"}
    tool = meta["tool"]["setuptools"]
    assert "py-modules" not in tool and "data-files" not in tool
    include = tool["packages"]["find"]["include"]
    packages = {".".join(p.parent.relative_to(ROOT).parts) for top in ("engine", "gui", "resources")
                for p in (ROOT / top).rglob("__init__.py")}
    assert {"engine.core", "gui.algorithms.mixture", "gui.shell", "resources"} <= packages
    for pkg in packages:
        assert any(fnmatch.fnmatchcase(pkg, pattern) for pattern in include), pkg
    data = tool["package-data"]["resources"]
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "sessions/ex5-mnist-bernoulli.json"):
        assert any(fnmatch.fnmatchcase(name, pattern) for pattern in data), name
    for pattern in data:
        assert list((ROOT / "resources").glob(pattern)), pattern
