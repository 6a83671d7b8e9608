"""Large K-means runs stay readable (issue 12, item 7): past RING_LIMIT changed points, dots and a count, not rings."""
import numpy as np
import pyqtgraph as pg
import pytest

from engine import data as edata
from gui.algorithms.kmeans.init_lab import RING_LIMIT, KMeansOverlay
from gui.algorithms.kmeans.plugin import KMeansPlugin

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _count(item) -> int:
    x, _ = item.getData()
    return 0 if x is None else len(x)


def test_the_overlay_rings_a_few_and_counts_many(qtbot):
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    overlay = KMeansOverlay()
    overlay.attach(plot.getPlotItem())
    Y = np.random.default_rng(0).normal(size=(2000, 2))
    C = Y[:3].copy()
    few = np.arange(RING_LIMIT)
    overlay.show(Y, C, None, few, None, None)
    assert _count(overlay.rings) == RING_LIMIT and _count(overlay.changed_dots) == 0
    assert not overlay.caption.isVisible()
    many = np.arange(RING_LIMIT + 1)
    overlay.show(Y, C, None, many, None, None)
    assert _count(overlay.rings) == 0  # no ring at all beyond the limit
    assert _count(overlay.changed_dots) == RING_LIMIT + 1
    assert overlay.caption.isVisible() and f"{RING_LIMIT + 1:,} points changed cluster" in overlay.caption.toPlainText()
    overlay.show(Y, C, None, None, None, None)
    assert _count(overlay.changed_dots) == 0 and not overlay.caption.isVisible()


def test_a_run_where_many_points_change_shows_a_count(qtbot, open_window):
    w = open_window(KMeansPlugin, startup="")
    w.set_dataset(edata.generate("uniform", n=3000, seed=1))
    p = w.plugin
    p.form.set_values({"k": 8, "seed": 2})
    p.lab.set_mode("random-partition")
    w.restart_run()
    qtbot.waitUntil(lambda: len(w.player.history) > 0, timeout=10_000)
    w.player.to_end()
    qtbot.waitUntil(lambda: w.player.at_end, timeout=30_000)
    history = w.player.history
    big = [i for i, s in enumerate(history) if s.kind == "assign" and s.payload.get("changed") is not None
           and np.count_nonzero(s.payload["changed"]) > RING_LIMIT
           if np.asarray(s.payload["changed"]).dtype == bool] or \
          [i for i, s in enumerate(history) if s.kind == "assign" and s.payload.get("changed") is not None
           and np.asarray(s.payload["changed"]).size > RING_LIMIT]
    assert big, "the run should have an assignment that moves many points"
    w.player.seek(big[0])
    n_changed = p.overlay.changed_count
    assert n_changed > RING_LIMIT
    assert _count(p.overlay.rings) <= RING_LIMIT and _count(p.overlay.rings) == 0
    assert _count(p.overlay.changed_dots) == n_changed
    assert f"{n_changed:,} points changed cluster" in p.overlay.caption.toPlainText()
    w.grab().save("/tmp/w4/kmeans_many_changed.png")
