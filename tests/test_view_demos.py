"""Every shared view runs alone: ``python -m gui.widgets.<view>`` shows it on example data and quits cleanly."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gui.widgets.demo import QUIT_ENV, run_demo

ROOT = Path(__file__).resolve().parents[1]
DEMOS = ["gui.widgets.objective", "gui.widgets.scatter", "gui.widgets.timeline", "gui.widgets.tiles"]


@pytest.mark.parametrize("module", DEMOS)
def test_view_module_runs_alone(module):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **{QUIT_ENV: "0"})
    done = subprocess.run([sys.executable, "-m", module], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr, done.stderr[-2000:]


def test_run_demo_rejects_a_negative_delay(monkeypatch):
    monkeypatch.setenv(QUIT_ENV, "-5")
    with pytest.raises(ValueError, match=QUIT_ENV):
        run_demo(lambda: None)
