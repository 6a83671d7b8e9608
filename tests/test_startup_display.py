"""Starting without a display says so in one line (not Qt's abort about xcb libraries); where settings live."""
import os
import subprocess
import sys
from pathlib import Path

from gui.shell.app import no_display_message

ROOT = Path(__file__).resolve().parents[1]


def test_no_display_is_detected_only_where_a_display_is_needed():
    assert "no display" in no_display_message({}, "linux")
    assert "no display" in no_display_message({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert "no display" in no_display_message({"QT_QPA_PLATFORM": "wayland;xcb"}, "linux")
    assert no_display_message({"DISPLAY": ":0"}, "linux") == ""
    assert no_display_message({"WAYLAND_DISPLAY": "wayland-0"}, "linux") == ""
    assert no_display_message({"QT_QPA_PLATFORM": "offscreen"}, "linux") == ""
    assert no_display_message({}, "darwin") == "" and no_display_message({}, "win32") == ""


def test_starting_the_window_without_a_display_exits_2_with_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["CLUSTERLAB_SETTINGS_DIR"] = str(tmp_path / "settings")
    proc = subprocess.run([sys.executable, "-m", "gui"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "no display" in lines[0] and "QT_QPA_PLATFORM=offscreen" in lines[0] and "clusterlab render" in lines[0]
    assert "xcb" not in proc.stderr and "Aborted" not in proc.stderr


def test_the_settings_variable_moves_the_settings_file(tmp_path, monkeypatch):
    from gui.shell.settings import ENV_DIR, Settings, make_qsettings
    folder = tmp_path / "elsewhere"
    monkeypatch.setenv(ENV_DIR, str(folder))
    assert ENV_DIR == "CLUSTERLAB_SETTINGS_DIR"
    s = Settings()
    s.store.setValue("player/speed", 3.5)
    s.store.sync()
    assert Path(make_qsettings().fileName()) == folder / "clusterlab.ini"
    assert "player" in (folder / "clusterlab.ini").read_text()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "CLUSTERLAB_SETTINGS_DIR" in readme and "~/.config/Clusterlab/Clusterlab.ini" in readme


def test_the_quick_start_makes_one_venv_and_ci_runs_its_pytest_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme[readme.index("## Quick start"):readme.index("### Command line")]
    commands = [line for line in quick.splitlines() if ".venv" in line and not line.startswith("#")]
    assert sum("python3 -m venv .venv &&" in c for c in commands) == 1, commands  # made once, by step 1
    assert any(c.startswith("{ [ -d .venv ] || python3 -m venv .venv; } && ") for c in commands), commands
    pytest_part = next(c for c in commands if "pytest" in c).split("&&")[-1].strip()
    assert pytest_part == "QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.rstrip().endswith('export QT_QPA_PLATFORM=offscreen\n"$VENV/bin/python" -m pytest')
