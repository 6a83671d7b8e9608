"""The entry points: main.py and ``python -m gui`` call the CLI; the render dispatch; a real start/quit of the app."""
import os
import signal
import subprocess
import sys
import types
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication

import main
from gui.shell import cli

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_version_and_help_exit_cleanly(capsys):
    with pytest.raises(SystemExit) as exc:
        main.main(["--version"])
    assert exc.value.code == 0
    import engine
    assert engine.__version__ in capsys.readouterr().out


def test_main_py_is_the_cli():
    assert main.main is cli.main


def test_render_subcommand_is_dispatched_without_the_window(monkeypatch):
    seen = []
    fake = types.ModuleType("gui.shell.render")
    fake.main = lambda argv: seen.append(list(argv)) or 3
    monkeypatch.setitem(sys.modules, "gui.shell.render", fake)
    assert main.main(["render", "--out", "x.png"]) == 3
    assert seen == [["--out", "x.png"]]


def test_parse_args_startup_choices():
    a = cli.build_parser().parse_args(["open", "data.csv"])
    assert a.file == "data.csv" and not a.mnist
    assert cli.build_parser().parse_args(["open", "--example", "one-d"]).example == "one-d"
    assert cli.startup_choice(a) == ("data.csv", None)


def test_run_opens_the_window_with_an_example_and_quits(qtbot, monkeypatch):
    from gui.shell.main_window import MainWindow

    shown = []

    def fake_exec(self):  # stands in for the event loop: look at the window, then close it as a person would
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        shown.extend(windows)
        for w in windows:
            assert w.dataset is not None and w.dataset.point_names == ("A", "B", "C", "D", "E")
            w.close()
            assert not w.player._thread.isRunning()  # closing stops the step thread
        return 0

    monkeypatch.setattr(QApplication, "exec", fake_exec)
    previous = signal.getsignal(signal.SIGINT)
    try:
        assert main.main(["--example", "five-points"]) == 0
        assert signal.getsignal(signal.SIGINT) is not previous  # Ctrl+C is handled
    finally:
        signal.signal(signal.SIGINT, previous)
    assert len(shown) == 1
    app = QApplication.instance()
    assert app.organizationName() == "Clusterlab" and app.applicationName() == "Clusterlab"
    assert not shiboken6.isValid(shown[0])  # deleted before run() returns, not left to the interpreter's exit


def test_python_m_gui_shows_the_window_and_quits_when_asked(tmp_path):
    """``python -m gui`` with CLUSTERLAB_QUIT_AFTER_SHOW=1 (bench/bench_startup.py) prints the seconds to the window."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CLUSTERLAB_QUIT_AFTER_SHOW="1",
               CLUSTERLAB_SETTINGS_DIR=str(tmp_path))
    env.pop("CLUSTERLAB_T0", None)
    proc = subprocess.run([sys.executable, "-m", "gui", "--example", "one-d"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    seconds = float(proc.stdout.strip().splitlines()[-1])
    assert 0 < seconds < 60
    assert (tmp_path / "clusterlab.ini").is_file()  # the window closed as usual (settings saved)


def test_the_first_window_imports_only_what_it_needs(tmp_path):
    """Startup stays fast (bench/bench_startup.py): no scipy or scikit-learn ever, no Pillow or exporters until an export."""
    code = ("import sys\n"
            "from gui.shell.app import make_app\n"
            "app = make_app()\n"
            "from gui.shell.main_window import MainWindow\n"
            "w = MainWindow(startup='')\n"
            "w.show()\n"
            "assert len(w.plugins) >= 4, w.plugins\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('scipy', 'sklearn', 'PIL', 'matplotlib')\n"
            "             or m in ('gui.widgets.export', 'pyqtgraph.exporters'))\n"
            "assert not bad, bad\n"
            "w.close()\n")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CLUSTERLAB_SETTINGS_DIR=str(tmp_path))
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_settings_go_to_the_test_directory(tmp_path, monkeypatch):
    from gui.shell.settings import Settings

    monkeypatch.setenv("CLUSTERLAB_SETTINGS_DIR", str(tmp_path / "here"))
    s = Settings()
    s.set_speed(7.5)
    s.sync()
    assert (tmp_path / "here" / "clusterlab.ini").is_file()
    assert Settings().speed() == 7.5
    for i in range(12):
        (tmp_path / f"f{i}.csv").write_text("1,2\n")
        s.add_recent_file(tmp_path / f"f{i}.csv")
    recent = Settings().recent_files()
    assert len(recent) == 8 and recent[0].endswith("f11.csv")


def test_garbage_is_collected_on_the_gui_thread_only(qapp):
    """Automatic collection is off once the application exists; a timer on the GUI thread collects instead (a
    collection started by a worker thread's allocation deleted Qt widgets there and deadlocked the window)."""
    import gc
    from gui.shell.app import collect_garbage_on_gui_thread, make_app

    make_app()
    collector = collect_garbage_on_gui_thread()
    assert not gc.isenabled() and collector.timer.isActive() and collector is collect_garbage_on_gui_thread()
    assert collector.timer.thread() is qapp.thread()
