"""What the two EM plugins share (:class:`MixturePlugin`): responsibilities, blended colours, the EM tab,
point picking and export; the Restarts tab (:mod:`gui.algorithms.kmeans.restarts`) and the Model selection
tab (:mod:`gui.algorithms.mixture.selection`).

:mod:`gui.algorithms.gmm.plugin` (Gaussian mixtures) and :mod:`gui.algorithms.bernoulli.plugin` (Bernoulli
mixtures) subclass :class:`MixturePlugin`; it is registered as no algorithm of its own.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QFileDialog

from engine.core.atomic import write_text_atomic
from engine.core.csvfile import write_rows
from engine.core.params import ParamError
from engine.core.steps import Step, step_label, step_number
from gui.algorithms.base import AlgorithmPlugin
from gui.algorithms.kmeans.restarts import RestartsMixin
from gui.algorithms.mixture.selection import ModelSelectionMixin
from gui.algorithms.mixture.views import BlendOverlay, EMView, MomentBanner, blend_colors, moment_text

__all__ = ["MixturePlugin", "plugin_index", "write_csv", "num"]

RESP_CACHE = 6  # responsibilities recomputed for big data are kept for this many steps
JSON_RESP_LIMIT = 200_000  # responsibilities go into the results JSON up to this many values (always into the CSV)


def write_csv(path: Path, header: list[str], rows) -> Path:
    """Write a header line and rows as CSV, atomically (:func:`engine.core.csvfile.write_rows`); return ``path``."""
    return write_rows(path, header, rows)


def _file_name(title: str) -> str:
    """A tab title as a plain ASCII file-name part: "θ images" -> "theta-images"."""
    return title.lower().replace("&&", "and").replace("θ", "theta").replace(" ", "-")


def num(v) -> str:
    """A float as the shortest text that reads back to the same value."""
    return repr(float(v))


class MixturePlugin(ModelSelectionMixin, RestartsMixin, AlgorithmPlugin):
    """What both EM plugins share: responsibilities, blended colours, the EM tab, point picking, export.

    Subclasses set :attr:`algorithm`, :attr:`stem`, :attr:`m_what` and implement
    :meth:`run_data`, :meth:`compute_resp` and :meth:`draw_parameters` (and :meth:`build_steps`
    when the run needs more than the form's parameters).

    A run that cannot start or that stops with an error (a component that collapses, k larger
    than the number of distinct points) shows the engine's message in red in the EM tab too,
    beside the window's message in the algorithm panel; the steps computed before it stay.
    """

    stem = "mixture"
    m_what = "parameters"
    resp_symbol = "q"  # the textbook's name for the responsibilities

    def __init__(self, window):
        super().__init__(window)
        self.blend = BlendOverlay(window.scatter, self)
        self.banner = MomentBanner()
        self.selected: int | None = None
        self._resp_cache: dict[int, np.ndarray] = {}
        self._run_first = None
        self._active = False
        self._views = None
        self.error = ""  # the message of the run that stopped with an error ("" if none)

    # ------------------------------------------------------------------ to implement
    def build_steps(self):
        """The step-generator factory of this run (the window calls :meth:`make_steps`), with its restarts."""
        params = self.parameters()
        X = self.window.run_X()
        extra = {**self.extra_arguments(), **self.restart_arguments()}
        steps = self.algorithm.steps
        return lambda: steps(X, **params, **extra)

    def run_data(self) -> np.ndarray:
        """The (n, d) array the current run works on."""
        return np.asarray(self.window.run_X())

    def compute_resp(self, X, payload) -> np.ndarray:
        """Responsibilities (n, k) under the parameters in ``payload`` (steps without a stored "resp")."""
        raise NotImplementedError

    def draw_parameters(self, step: Step | None, index: int):
        """Draw the step's parameters (ellipses, marks, tiles)."""

    def extra_views(self) -> list:
        return []

    def parameter_results(self, step: Step) -> dict:
        return {}

    def write_parameters(self, folder: Path, res: dict) -> list[Path]:
        return []

    # ------------------------------------------------------------------ run and its errors
    def make_steps(self):
        """:meth:`build_steps`, with its errors (and those of the engine's eager checks) shown in the EM tab."""
        self.show_error("")
        try:
            factory = self.build_steps()
        except ValueError as exc:
            self.show_error(str(exc))
            raise

        def steps():
            try:
                return factory()
            except ValueError as exc:  # the engine checks its arguments when steps() is called
                self.show_error(str(exc))
                raise
        return steps

    def show_error(self, message: str):
        """Show (or, with "", clear) why the run stopped."""
        self.error = message
        self.views()
        self.em.set_error(message)

    def _on_busy(self, busy: bool):
        if self._active and self.window.player.current is None:
            self.views()
            self.em.moment.setText("computing…" if busy else "no run" if self.error else "no run yet")

    def _on_run_error(self, message: str):
        if self._active:
            self.show_error(message)

    # ------------------------------------------------------------------ views
    def views(self):
        if self._views is None:
            self.em = EMView(self.algorithm.objective_name, self.algorithm.objective_sense, self.resp_symbol)
            self.em.objective.sigStepClicked.connect(lambda i: self.window.player.seek(i))
            self._views = [("EM", self.em)] + self.extra_views() + self.restart_views() + self.selection_views()
        return list(self._views)

    def has_content(self, view) -> bool:
        """Restarts when the run has restarts; Model selection once computed for these data."""
        if view is self.restart_view:
            return self.restart_has_content()
        if view is self.selection_view:
            return self.selection_has_content()
        return True

    def figure(self, view):
        """The plots of the Restarts and Model selection tabs, without their controls."""
        if view is self.restart_view:
            return self.restart_view.plot
        if view is self.selection_view:
            return self.selection_view.plots
        return view

    def session_results(self) -> dict:
        return {**self.restart_results(), **self.selection_results()}

    def activate(self):
        w = self.window
        self.views()
        self._active = True
        self.blend.attach()
        self.banner.attach(w.scatter.plot_item)
        w.scatter.sigPointClicked.connect(self._on_point_clicked)
        w.player.sigError.connect(self._on_run_error)
        w.player.sigBusy.connect(self._on_busy)
        self.connect_restarts()
        model = getattr(w, "model", None)
        if model is not None:
            model.sigDataChanged.connect(self._on_data_changed)

    def deactivate(self):
        w = self.window
        self._active = False
        self.blend.detach()
        self.banner.detach()
        self.show_error("")
        self.disconnect_restarts()
        if self.selection_task is not None:
            self.selection_task.cancel()
        pairs = [(w.scatter.sigPointClicked, self._on_point_clicked), (w.player.sigError, self._on_run_error),
                 (w.player.sigBusy, self._on_busy)]
        model = getattr(w, "model", None)
        if model is not None:
            pairs.append((model.sigDataChanged, self._on_data_changed))
        for sig, slot in pairs:
            try:
                sig.disconnect(slot)
            except (RuntimeError, TypeError):
                pass

    def _on_data_changed(self, *_):
        ds = self.window.dataset
        if self.selected is not None and (ds is None or self.selected >= ds.n):
            self.selected = None
        self._resp_cache = {}

    # ------------------------------------------------------------------ responsibilities
    def extended(self) -> bool:
        """Colours as the scatter draws them (its raster mode uses the extended palette)."""
        return bool(getattr(self.window.scatter, "raster", False))

    def resp_at(self, index: int) -> np.ndarray | None:
        """Responsibilities (n, k) shown at step ``index``: the E-step's, also on the M-step that used them.

        From the step's "resp" payload when stored; otherwise computed once per step (big data).
        None at the initialisation step when the run started from given parameters.
        """
        history = self.window.player.history
        if not 0 <= index < len(history):
            return None
        step = history[index]
        resp = step.payload.get("resp")
        if resp is not None:
            return resp
        if step.kind == "E":
            source = step
        elif step.kind == "M" and index > 0 and history[index - 1].kind == "E":
            source = history[index - 1]
        else:
            return None
        got = self._resp_cache.get(id(source))
        if got is None:
            got = np.asarray(self.compute_resp(self.run_data(), source.payload), dtype=np.float32)
            got.setflags(write=False)
            while len(self._resp_cache) >= RESP_CACHE:
                self._resp_cache.pop(next(iter(self._resp_cache)))
            self._resp_cache[id(source)] = got
        return got

    # ------------------------------------------------------------------ drawing
    def show_step(self, step: Step | None):
        self.views()
        w = self.window
        player = w.player
        first = player.history[0] if player.history else None
        if first is not self._run_first:
            self._run_first = first
            self._resp_cache = {}
        index = player.index if step is not None else -1
        self.show_restarts()
        self.em.objective.show_trace(step.trace if step is not None else np.empty(0), index)
        ext = self.extended()
        if step is None:
            self.blend.clear()
            self.banner.set_text("")
            self.em.moment.setText("computing…" if player.busy else "no run" if self.error else "no run yet")
            self.em.weights.set_values(None)
            self._show_resp_bars(None, None)
            self.draw_parameters(None, -1)
            return
        resp = self.resp_at(index)
        Y = np.asarray(w.scatter.points())
        if resp is not None and resp.shape[0] == Y.shape[0]:
            self.blend.set(Y, blend_colors(resp, ext), raster=ext)
        else:
            self.blend.clear()
        moment = f"{step_label(index).capitalize()} · {moment_text(step, self.m_what)}"  # the timeline's number
        self.banner.set_text(moment)
        why = {"E": " - the parameters stay, the colours (responsibilities) change",
               "M": " - the parameters move, the colours stay"}.get(step.kind, "")
        self.em.moment.setText(moment + why)
        weights = step.payload.get("weights")
        top = max((float(np.max(s.payload["weights"])) for s in player.history if "weights" in s.payload),
                  default=1.0)
        self.em.weights.set_values(weights, ext, ymax=min(1.0, 1.2 * top))
        self.em.weights.set_title(f"Mixing weights π_k at {step_label(index)}")
        self._show_resp_bars(step, resp)
        self.draw_parameters(step, index)

    def _show_resp_bars(self, step, resp):
        view = self.em.resp
        i = self.selected
        if step is None or resp is None or i is None or not 0 <= i < resp.shape[0]:
            view.set_values(None)
            if step is not None and i is not None and resp is None:
                view.set_title(f"Point #{i}: no responsibilities yet (the first E-step computes them)")
            else:
                view.set_title("Responsibilities: click a point in the scatter")
            return
        view.set_values(resp[i], self.extended(), ymax=1.15)
        used = " (used by this M-step)" if step.kind == "M" else ""
        name = self._point_name(i)
        best = int(np.argmax(resp[i])) + 1
        view.set_title(f"Responsibilities {self.resp_symbol} of {name}{used}; most likely: component {best}")

    def _point_name(self, i: int) -> str:
        ds = self.window.dataset
        if ds is not None and ds.point_names and i < len(ds.point_names):
            return f"point #{i} ({ds.point_names[i]})"
        return f"point #{i}"

    def select_point(self, i: int | None):
        """Show the responsibilities of point ``i`` (None: none)."""
        self.selected = None if i is None else int(i)
        self.views()
        player = self.window.player
        step = player.current
        self._show_resp_bars(step, self.resp_at(player.index) if step is not None else None)

    def _on_point_clicked(self, i: int):
        if self._active:
            self.select_point(i)

    # ------------------------------------------------------------------ results
    def results(self) -> dict:
        """What "Export results" writes, for the current step (JSON-ready)."""
        w = self.window
        step, ds = w.player.current, w.dataset
        if step is None:
            raise ParamError("Nothing to export yet: run the algorithm first.")
        history = w.player.history
        p = step.payload
        out = {
            "algorithm": self.algorithm.name,
            "parameters": self.form.values(),
            "data": {"name": ds.name if ds is not None else "", "n": int(ds.n) if ds is not None else 0,
                     "d": int(ds.d) if ds is not None else 0},
            "step": step_number(w.player.index), "kind": step.kind, "iteration": step.iteration,
            "status": step.status, "done": step.done,
            "objective_name": self.objective_label(), "objective": float(step.objective),
            "loglik": float(p["loglik"]),
            "trace": [{"step": step_number(i), "kind": s.kind, "iteration": s.iteration, "objective": float(s.objective),
                       "loglik": float(s.payload.get("loglik", np.nan))} for i, s in enumerate(history)],
            "weights": np.asarray(p["weights"]).tolist(),
        }
        out.update(self.parameter_results(step))
        resp = self.resp_at(w.player.index)
        if resp is None:
            out["responsibilities"] = None
        elif resp.size <= JSON_RESP_LIMIT:
            out["responsibilities"] = np.round(np.asarray(resp, dtype=np.float64), 8).tolist()
        else:
            out["responsibilities"] = f"{resp.shape[0]} x {resp.shape[1]} values: see {self.stem}-responsibilities.csv"
        return out

    def export_results(self, folder, stem: str | None = None) -> list[Path]:
        """Write ``stem``.json, -parameters, -responsibilities and -loglik CSV files into ``folder``."""
        folder = Path(folder)
        stem = stem or self.stem
        res = self.results()
        paths = [folder / f"{stem}.json"]
        write_text_atomic(paths[0], json.dumps(res, indent=1))
        paths += self.write_parameters(folder / stem, res)
        resp = self.resp_at(self.window.player.index)
        if resp is not None:
            k = resp.shape[1]
            names = self.window.dataset.point_names
            rows = ([names[i] if names else i] + [num(v) for v in r] + [int(np.argmax(r)) + 1]
                    for i, r in enumerate(resp))
            paths.append(write_csv(folder / f"{stem}-responsibilities.csv",
                              ["point"] + [f"q{j + 1}" for j in range(k)] + ["most_likely"], rows))
        paths.append(write_csv(folder / f"{stem}-loglik.csv", ["step", "kind", "iteration", "objective", "loglik"],
                          ([t["step"], t["kind"], t["iteration"], num(t["objective"]), num(t["loglik"])]
                           for t in res["trace"])))
        return paths

    def export_figures(self, folder, stem: str | None = None) -> list[Path]:
        """PNG and SVG of the scatter and of every view of this plugin that shows something (:meth:`has_content`)."""
        from gui.widgets import export
        folder = Path(folder)
        stem = stem or self.stem
        targets = [("scatter", self.window.scatter)] + [(_file_name(title), self.figure(v)) for title, v in self.views()
                                                        if self.has_content(v)]
        paths = []
        for name, target in targets:
            paths.append(export.export_png(target, folder / f"{stem}-{name}.png", scale=2))
            paths.append(export.export_svg(target, folder / f"{stem}-{name}.svg"))
        return paths

    def _export_dialog(self, what: str):
        w = self.window
        folder = QFileDialog.getExistingDirectory(w, f"Export {self.algorithm.title} {what} to a folder")
        if not folder:
            return
        try:
            paths = self.export_results(folder) if what == "results" else self.export_figures(folder)
        except (ValueError, OSError) as exc:
            w.status(f"Could not export: {exc}")
            return
        w.status(f"Wrote {', '.join(p.name for p in paths)} to {folder}")

    def _export_buttons(self, layout):
        for what, tip in (("results", "Parameters, responsibilities and the log-likelihood trace as CSV and JSON"),
                          ("figures", "The scatter and every view of this algorithm as PNG and SVG")):
            self.add_button(layout, f"Export {what}…", f"{self.stem}_export_{what}",
                            lambda x=what: self._export_dialog(x), tip)



def plugin_index(window, cls) -> int:
    """Index in ``window.plugins`` of the installed plugin of class ``cls`` (ValueError if none)."""
    return window.plugins.index(cls)
