"""Every view runs alone: ``python -m <its module>`` shows it on example data and quits cleanly.

The modules are found, not listed: every module of ``gui/`` whose ``__main__`` block calls
:func:`gui.widgets.demo.run_demo` (a new view gets this test by having a demo)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gui.widgets.demo import QUIT_ENV, run_demo

ROOT = Path(__file__).resolve().parents[1]
DEMOS = sorted(".".join(p.relative_to(ROOT).with_suffix("").parts) for p in (ROOT / "gui").rglob("*.py")
               if p.name != "demo.py" and "run_demo(" in p.read_text(encoding="utf-8"))


def test_every_view_of_the_issue_is_found():
    assert len(DEMOS) >= 11 and {"gui.widgets.scatter", "gui.algorithms.hac.dendrogram"} <= set(DEMOS)


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
