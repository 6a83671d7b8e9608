"""Every algorithm view runs alone: ``python -m gui.algorithms.<name>.<view>`` shows it on example data and quits."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gui.widgets.demo import QUIT_ENV

ROOT = Path(__file__).resolve().parents[1]
DEMOS = [
    "gui.algorithms.hac.dendrogram",
    "gui.algorithms.hac.norms",
    "gui.algorithms.hac.compare",
    "gui.algorithms.kmeans.init_lab",
    "gui.algorithms.kmeans.elbow",
    "gui.algorithms.mixture.views",
    "gui.algorithms.bernoulli.theta",
]


@pytest.mark.parametrize("module", DEMOS)
def test_algorithm_view_runs_alone(module):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **{QUIT_ENV: "0"})
    done = subprocess.run([sys.executable, "-m", module], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
