"""Time a scatter redraw for new labels (same positions): set_labels + a synchronous repaint.

Run:  QT_QPA_PLATFORM=offscreen python bench/bench_scatter.py [--grid] [--colors] [n ...]

``--grid`` shows pyqtgraph's background grid (off in the app: it makes every
repaint cost more than the points); ``--colors`` redraws with per-point RGBA
colours (``set_colors``, EM's responsibility blend) instead of labels.

For each n prints the best of 5 redraws in ms (wall clock, and the process's CPU
time, which a busy shared machine disturbs less), measured two ways: ``set_labels``
followed by ``widget.repaint()`` (what the event loop does), and followed by
``widget.grab()`` (a full off-screen render into a pixmap), with the budget and
the ratio to it. Budgets: 20 ms at 100,000 points, 100 ms at 1,000,000.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui.widgets.scatter import ScatterView  # noqa: E402

BUDGET_MS = {2_000: 20.0, 100_000: 20.0, 1_000_000: 100.0}


def blend(rng, n: int, k: int = 4) -> np.ndarray:
    """(n, 4) uint8: each point the blend of k palette colours by random responsibilities (as EM shows)."""
    from gui.widgets import palette
    resp = rng.dirichlet(np.full(k, 0.5), size=n)
    rgb = palette.rgba_table(k)[:k, :3].astype(float)
    out = np.full((n, 4), 255, np.uint8)
    out[:, :3] = np.rint(resp @ rgb)
    return out


def bench(n: int, repeats: int = 5, grid: bool = False, colors: bool = False) -> dict:
    app = QApplication.instance() or QApplication([])
    rng = np.random.default_rng(0)
    Y = rng.normal(size=(n, 2)) + rng.integers(0, 4, size=(n, 1)) * 3.0
    label_sets = [rng.integers(-1, 10, size=n).astype(np.int32) for _ in range(repeats + 1)]
    colour_sets = [blend(rng, n) for _ in range(repeats)] if colors else None
    view = ScatterView()
    view.set_grid(grid)
    view.resize(900, 700)
    view.show()
    view.set_points(Y, auto_range=True)
    view.set_labels(label_sets[-1])
    app.processEvents()
    view.grab()
    out = {"mode": "raster" if view.raster else "symbols"}
    for how in ("repaint", "grab"):
        times, cpu = [], []
        for r, labels in enumerate(label_sets[:repeats]):
            t0, c0 = time.perf_counter(), time.process_time()
            if colors:
                view.set_colors(colour_sets[r])
            else:
                view.set_labels(labels)
            if how == "repaint":
                view.repaint()
                app.processEvents()
            else:
                view.grab()
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        out[how] = min(times)
        out[how + "_cpu"] = min(cpu)
    t0 = time.perf_counter()
    view.set_points(Y + 0.01)
    out["set_points"] = (time.perf_counter() - t0) * 1000
    view.close()
    view.deleteLater()
    app.processEvents()
    return out


def main(argv: list[str]) -> None:
    grid, colors = "--grid" in argv, "--colors" in argv
    sizes = [int(a) for a in argv if not a.startswith("--")] or [2_000, 100_000, 1_000_000]
    print(f"grid {'on' if grid else 'off'}, redraw by {'set_colors' if colors else 'set_labels'}")
    print(f"{'n':>10} {'mode':>8} {'repaint ms':>11} {'grab ms':>9} {'budget':>7} {'ratio':>6} "
          f"{'cpu ms (repaint/grab)':>22} {'set_points ms':>14}")
    for n in sizes:
        r = bench(n, grid=grid, colors=colors)
        budget = BUDGET_MS.get(n, 20.0 if n <= 100_000 else 100.0)
        worst = max(r["repaint"], r["grab"])
        print(f"{n:>10,} {r['mode']:>8} {r['repaint']:>11.1f} {r['grab']:>9.1f} {budget:>7.0f} "
              f"{worst / budget:>6.2f} {r['repaint_cpu']:>11.1f}/{r['grab_cpu']:<10.1f} {r['set_points']:>14.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
