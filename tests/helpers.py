"""Plain helpers shared by the window tests: a toy algorithm and its plugins, opening a file, waiting for a run.

Test modules import these (``from helpers import ToyPlugin``); fixtures live in
``conftest.py``. ``tests/`` is on ``sys.path`` (``conftest.py`` puts it there), so
no test module imports another test module.
"""
import time

import numpy as np
from PySide6.QtWidgets import QFileDialog

from engine.core.params import Param, ParamError
from engine.core.registry import Algorithm
from engine.core.steps import Step, TraceBuilder
from gui import algorithms
from gui.algorithms.base import AlgorithmPlugin
from gui.widgets.objective import ObjectiveView

__all__ = ["toy_steps", "TOY", "ToyPlugin", "OtherPlugin", "open_via_dialog", "wait_run", "use_plugins"]


# ---------------------------------------------------------------- a toy algorithm for the wiring
def toy_steps(X, k=2, n_steps=5, delay=0.0):
    """Labels rotate through k groups; the objective halves every step."""
    n = X.shape[0]
    trace = TraceBuilder()
    for i in range(n_steps):
        if delay:
            time.sleep(delay)
        obj = 100.0 / 2 ** i
        last = i == n_steps - 1
        yield Step("assign", f"toy step {i}", labels=(np.arange(n) + i) % k, objective=obj,
                   trace=trace.next(obj), iteration=i, done=last, status="converged" if last else "")


TOY = Algorithm(name="toy", title="Toy rotation", steps=toy_steps,
                params=(Param("k", "Groups", "int", 2, low=1, high=9, help="number of groups"),
                        Param("n_steps", "Steps", "int", 5, low=1, high=100_000),
                        Param("delay", "Delay", "float", 0.0, low=0.0, high=1.0)),
                objective_name="toy objective", objective_sense="min")


class ToyPlugin(AlgorithmPlugin):
    algorithm = TOY

    def __init__(self, window):
        super().__init__(window)
        self.objective = ObjectiveView()
        self.shown = []
        self.active = False

    def views(self):
        return [("Objective", self.objective)]

    def make_steps(self):
        params = self.parameters()
        n = self.window.run_X().shape[0]
        if params["k"] > n:
            raise ParamError(f"k={params['k']} should be <= n_samples={n}: choose fewer groups or add points.")
        return super().make_steps()

    def activate(self):
        self.active = True

    def deactivate(self):
        self.active = False

    def show_step(self, step):
        self.shown.append(step)
        trace = step.trace if step is not None else np.empty(0)
        self.objective.show_trace(trace, trace.size - 1)


class OtherPlugin(ToyPlugin):
    algorithm = Algorithm(name="other", title="Other toy", steps=toy_steps, params=TOY.params,
                          objective_name="other objective")

    def views(self):
        return []


# ---------------------------------------------------------------- driving the window
def open_via_dialog(qtbot, window, monkeypatch, path):
    """Open ``path`` through File > Open (the file dialog answers ``path``) and wait until it is loaded."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))
    window.menus.actions["open"].trigger()
    qtbot.waitUntil(lambda: not window.loader.busy, timeout=10_000)


def wait_run(qtbot, window):
    """Wait until the player shows a first step."""
    qtbot.waitUntil(lambda: window.player.current is not None, timeout=5000)


def use_plugins(monkeypatch, *classes):
    """Windows made from now on offer exactly these plugin classes (the registry's are left out)."""
    monkeypatch.setattr(algorithms, "plugin_entries",
                        lambda only=None: [algorithms.PluginEntry.of_class(c) for c in classes
                                           if only is None or c.algorithm.name in only])
