"""The K-means plugin's helpers that are not drawing: textbook exercises, Examples menu, export, window access.

* :func:`load_exercise` sets the window up for textbook exercise 3 (K = 2 on
  A..E from A and C) or exercise 4 (6,000 MNIST digits, a sweep over
  K = 5, 10, 20 with restarts); :func:`install_menu` adds both to
  File ▸ Examples.
* :func:`results` / :func:`export_results`: labels, centres and the objective
  trace of the current step as JSON and CSV.
* :func:`run_coordinates`, :func:`data_coordinates`: display <-> run
  coordinates through the window's public API (:mod:`gui.algorithms.base`).
* :class:`SweepRuns`: what the plugin keeps of every run of a sweep as the runs
  arrive (objectives for the live elbow; centres, and labels when they are
  small, for the small multiples without computing the runs again).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from engine.core.atomic import write_text_atomic
from engine.core.csvfile import write_rows
from engine.core.params import ParamError
from engine.core.steps import step_number

__all__ = ["EXERCISES", "load_exercise", "install_menu", "results", "export_results",
           "run_coordinates", "data_coordinates", "SweepRuns", "EXERCISE4_KS", "EXERCISE4_RESTARTS"]

EXERCISES = {
    "exercise3": "Exercise 3: K=2 from A and C",
    "exercise4": "Exercise 4: MNIST sweep K=5,10,20",
}
EXERCISE4_KS = (5, 10, 20)
EXERCISE4_RESTARTS = 3
EXERCISE4_TIMELINE_K = 10  # the run shown on the timeline: one cluster per digit
MENU_TEXT = {
    "exercise3": "K-means exercise 3: K = 2 on A..E from A and C",
    "exercise4": "K-means exercise 4: MNIST, K = 5, 10, 20 × 3 restarts",
}
LABELS_KEPT = 20_000_000  # a sweep keeps every run's labels while n x runs is at most this


# ---------------------------------------------------------------------------------------------- window access
def run_coordinates(window, P) -> np.ndarray:
    """Display coordinates of 2-D data -> run coordinates (``window.to_run``: undoes no projection)."""
    return np.asarray(window.to_run(np.asarray(P, dtype=float).reshape(-1, 2)), dtype=float)


def data_coordinates(window, C) -> np.ndarray:
    """Run coordinates -> the data's own coordinates (``window.from_run``), any d."""
    return np.asarray(window.from_run(np.asarray(C, dtype=float)), dtype=float)


# ---------------------------------------------------------------------------------------------- sweep runs
class SweepRuns:
    """Every finished run of one sweep, filled in as the runs arrive (GUI thread only).

    Attributes
    ----------
    ks : list of int
    objectives, seeds : ndarray of shape (n_ks, restarts); NaN / -1 until a run finished
    centers : dict (i, r) -> ndarray of shape (k, d)
    labels : dict (i, r) -> ndarray of shape (n,) (only while n x runs <= :data:`LABELS_KEPT`)
    silhouettes : ndarray of shape (n_ks,); the mean silhouette of each K's best run (NaN until computed)
    """

    def __init__(self, ks, restarts: int, n: int):
        self.ks = [int(k) for k in ks]
        self.objectives = np.full((len(self.ks), restarts), np.nan)
        self.seeds = np.full((len(self.ks), restarts), -1, dtype=np.int64)
        self.centers: dict = {}
        self.labels: dict = {}
        self.keep_labels = n * len(self.ks) * restarts <= LABELS_KEPT
        self.silhouettes = np.full(len(self.ks), np.nan)

    def add(self, i: int, r: int, fit):
        self.objectives[i, r] = fit.final_objective
        self.seeds[i, r] = -1 if fit.seed is None else int(fit.seed)
        self.centers[(i, r)] = fit.centers
        if self.keep_labels:
            self.labels[(i, r)] = fit.labels.astype(np.int16 if self.ks[i] < 2 ** 15 else np.int32)

    @property
    def done(self) -> int:
        return int(np.isfinite(self.objectives).sum())


# ---------------------------------------------------------------------------------------------- exercises
def _kmeans_plugin(window):
    plugins = getattr(window, "plugins", [])
    index = next((i for i, p in enumerate(plugins) if getattr(p.algorithm, "name", "") == "kmeans"), None)
    if index is None:
        raise ValueError("The K-means plugin is not installed in this window.")
    return index, plugins[index]


def load_exercise(window, name: str):
    """Set the window up for a textbook exercise: ``"exercise3"`` or ``"exercise4"``.

    Exercise 3: the five points A..E, K = 2, starting means A and C (picked
    points 0 and 2), standardization off; the run starts at once.
    Exercise 4: the first 6,000 MNIST test images, K = 10 from random data
    points (seed 0) on the timeline, and a sweep over K = 5, 10, 20 with 3
    random restarts each (started when the data arrive), the Restarts & K tab shown.
    """
    if name not in EXERCISES:
        raise ValueError(f"unknown exercise {name!r}; choose one of {', '.join(EXERCISES)}")
    index, plugin = _kmeans_plugin(window)
    window.set_standardized(False)  # the exercises are stated on the raw coordinates
    window.set_algorithm(index)
    if name == "exercise3":
        window.open_example("five-points")
        defaults = {p.name: p.default for p in plugin.algorithm.params if p.name != "init"}
        plugin.form.set_values(defaults)
        plugin.lab.set_mode("picked", emit=False)
        plugin.lab.set_picked([0, 2])  # A and C; emits -> K = 2 and a restart
        window.status("Exercise 3: K = 2 on A..E, starting means A and C. Step through with → or Play.")
        return
    # the run on the timeline: K = 10 (the digits), the engine's defaults otherwise (seed 0)
    defaults = {p.name: p.default for p in plugin.algorithm.params if p.name != "init"}
    plugin.form.set_values({**defaults, "k": EXERCISE4_TIMELINE_K})
    if plugin.init_param is not None:
        plugin.lab.set_mode("random" if "random" in plugin.init_param.choices else plugin.init_param.default,
                            emit=False)
    plugin.views()
    tabs = getattr(window, "tabs", None)
    if tabs is not None and tabs.indexOf(plugin.restarts) >= 0:
        tabs.setCurrentWidget(plugin.restarts)
    plugin._pending_exercise = "exercise4"
    ds = window.dataset
    if ds is not None and ds.source == "mnist" and ds.n == 6000:
        plugin._on_data_changed()
        window.restart_run()  # the timeline follows the lab's new "random data points"
    else:
        window.open_mnist(6000)
    window.status("Exercise 4: loading 6,000 MNIST digits, then K-means for K = 5, 10, 20 with 3 restarts each.")


def _find_menu(parent, title: str):
    """The menu called ``title`` (ignoring ``&``) among ``parent``'s descendants, or None."""
    for m in parent.findChildren(QMenu):
        if m.title().replace("&", "") == title:
            return m
    return None


def install_menu(window) -> list:
    """Add the K-means exercises to File ▸ Examples (once); returns the actions added."""
    examples = _find_menu(window.menuBar(), "Examples")
    if examples is None or any(a.objectName() == "action_kmeans_exercise3" for a in examples.actions()):
        return []
    examples.addSeparator()
    added = []
    for name, text in MENU_TEXT.items():
        a = QAction(text, window)
        a.setObjectName(f"action_kmeans_{name}")
        a.setToolTip(EXERCISES[name])
        a.setStatusTip(EXERCISES[name])
        a.triggered.connect(lambda _checked=False, n=name: load_exercise(window, n))
        examples.addAction(a)
        menus = getattr(window, "menus", None)
        if menus is not None and isinstance(getattr(menus, "actions", None), dict):
            menus.actions[f"kmeans_{name}"] = a
        added.append(a)
    return added


# ---------------------------------------------------------------------------------------------- export
def results(plugin) -> dict:
    """What "Export results" writes, for the current step (JSON-ready)."""
    window = plugin.window
    step, ds = window.player.current, window.dataset
    if step is None:
        raise ParamError("Nothing to export yet: run the algorithm first.")
    out = {
        "algorithm": plugin.algorithm.name,
        "parameters": dict(plugin.form.values()),
        "init": plugin.lab.mode,
        "data": {"name": ds.name if ds is not None else "", "n": int(ds.n) if ds is not None else 0,
                 "d": int(ds.d) if ds is not None else 0},
        "standardized": bool(window.standardized),
        "step": step_number(window.player.index), "kind": step.kind, "iteration": step.iteration,
        "status": step.status, "done": step.done,
        "objective": None if not np.isfinite(step.objective) else float(step.objective),
        "objective_trace": [None if not np.isfinite(v) else float(v) for v in step.trace],
        "labels": [int(v) for v in step.labels] if step.labels is not None else None,
        "centers_run_coordinates": step.centers.tolist() if step.centers is not None else None,
        "centers_data_coordinates": (data_coordinates(window, step.centers).tolist()
                                     if step.centers is not None else None),
    }
    if plugin.lab.own:
        out["init_centers"] = plugin._own_init().tolist()
    return out


def export_results(plugin, folder, stem: str = "kmeans") -> list[Path]:
    """Write ``stem``.json, ``stem``-labels.csv, -centers.csv and -objective.csv into ``folder``.

    The centres CSV is in the data's own coordinates (the JSON has both, run
    and data coordinates); the objective CSV has one row per step.
    """
    folder = Path(folder)
    res = results(plugin)
    paths = []
    p = folder / f"{stem}.json"
    write_text_atomic(p, json.dumps(res, indent=1))
    paths.append(p)
    if res["labels"] is not None:
        p = folder / f"{stem}-labels.csv"
        names = plugin.window.dataset.point_names
        write_rows(p, ["point", "cluster"], [[names[i] if names else i, v] for i, v in enumerate(res["labels"])])
        paths.append(p)
    if res["centers_data_coordinates"] is not None:
        C = np.asarray(res["centers_data_coordinates"])
        p = folder / f"{stem}-centers.csv"
        features = plugin.window.dataset.feature_names
        features = list(features) if features and len(features) == C.shape[1] else \
            [f"x{j + 1}" for j in range(C.shape[1])]
        write_rows(p, ["cluster"] + features,
                   [[i] + [float(v) for v in row] for i, row in enumerate(C)])
        paths.append(p)
    p = folder / f"{stem}-objective.csv"
    write_rows(p, ["step", "kind", "objective"], [[step_number(i), s.kind, "" if v is None else repr(v)]
                                                  for i, (s, v) in enumerate(zip(plugin.window.player.history,
                                                                                 res["objective_trace"]))])
    paths.append(p)
    return paths
