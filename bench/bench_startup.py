"""Startup time: Clusterlab's first window against a bare PySide6 + pyqtgraph window (run: python bench/bench_startup.py).

Both are started as fresh processes (offscreen), several rounds, alternating,
and each prints the seconds from its launch to its first window being shown:

* ``bare``: a ``QMainWindow`` holding one ``pyqtgraph.PlotWidget`` (the floor any
  PySide6 + pyqtgraph app pays);
* ``app``: ``python -m gui`` with ``CLUSTERLAB_QUIT_AFTER_SHOW=1`` (the app quits
  right after its first window is shown and prints the elapsed time).

The launch time is handed to the child in ``CLUSTERLAB_T0`` (``time.time()``
just before the process is started), so interpreter start-up and imports
count. Settings go to a temporary folder (``CLUSTERLAB_SETTINGS_DIR``), so the
app starts as on a first run. Compiled modules (``.pyc``) are kept between rounds in a
temporary ``PYTHONPYCACHEPREFIX``, as an installed app has them (``--no-bytecode``: none
are written, every start compiles the project's modules). Prints the medians and their
ratio (goal: at most 1.5).

Options: ``--rounds N`` (default 7), ``--python PATH`` (default: this interpreter), ``--no-bytecode``.
"""
from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]

BARE = r"""
import os, sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
import pyqtgraph as pg
app = QApplication(sys.argv[:1])
w = QMainWindow()
w.setCentralWidget(pg.PlotWidget())
w.resize(1360, 820)
w.show()
def done():
    print(f"{time.time() - float(os.environ['CLUSTERLAB_T0']):.4f}", flush=True)
    app.quit()
QTimer.singleShot(0, done)
app.exec()
"""


def one(python: str, args: list[str], settings_dir: str, pycache: str | None) -> float:
    """Seconds from launch to the first window shown, as printed by the child (last line of its output)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CLUSTERLAB_QUIT_AFTER_SHOW="1",
               CLUSTERLAB_SETTINGS_DIR=settings_dir)
    if pycache is not None:  # compiled modules are kept (as after an install), in a temporary folder
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pycache
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["CLUSTERLAB_T0"] = repr(time.time())
    out = subprocess.run([python, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    if out.returncode != 0 or "Traceback" in out.stderr:  # a plugin that failed to load would start faster
        raise RuntimeError(f"{' '.join(args)} failed ({out.returncode}):\n{out.stderr}")
    return float(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--no-bytecode", action="store_true",
                        help="compile the modules not yet compiled on every start (PYTHONDONTWRITEBYTECODE=1)")
    a = parser.parse_args(argv)
    cases = {"bare": ["-c", BARE], "app": ["-m", "gui"]}
    times: dict[str, list[float]] = {k: [] for k in cases}
    with tempfile.TemporaryDirectory() as settings_dir, tempfile.TemporaryDirectory() as pycache:
        cache = None if a.no_bytecode else pycache
        for name, args in cases.items():  # one warm-up each (disk cache, .pyc files)
            one(a.python, args, settings_dir, cache)
        for r in range(a.rounds):
            order = list(cases) if r % 2 == 0 else list(reversed(cases))
            for name in order:
                times[name].append(one(a.python, cases[name], settings_dir, cache))
    med = {k: statistics.median(v) for k, v in times.items()}
    for k, v in times.items():
        print(f"{k:5s} median {med[k]:.3f} s   (min {min(v):.3f}, max {max(v):.3f}, {len(v)} rounds)")
    print(f"ratio app / bare: {med['app'] / med['bare']:.2f} (goal <= 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
