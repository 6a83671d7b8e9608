"""The "Restarts & K" half of the K-means plugin: the sweep off the GUI thread, the live elbow, loading a run.

:class:`SweepMixin` is mixed into :class:`gui.algorithms.kmeans.plugin.KMeansPlugin`
(it uses the plugin's ``window``, ``form``, ``lab``, ``restarts`` view,
``sweep_task`` / ``multiples_task`` and drawing helpers). The sweep runs
``engine.kmeans.sweep`` in a :class:`gui.run.tasks.BackgroundTask`; every
finished run comes back at once (``on_run`` -> ``sigPartial``) and its dot is
drawn within 80 ms, so the elbow fills in while the sweep runs; each K's mean
silhouette (of its best run, computed by the sweep in the same thread) follows
once that K's runs are done, under the elbow. What the runs
leave (:class:`gui.algorithms.kmeans.extras.SweepRuns`: objectives, centres and,
for moderate sizes, labels) also feeds the small multiples of one K, so
showing them computes nothing again.
"""
from __future__ import annotations

import time

import numpy as np

from engine import kmeans as ekm
from engine.kmeans.entries import sweep_options
from engine.kmeans.sweeps import silhouette_note, silhouette_plan
from gui.algorithms.kmeans.extras import SweepRuns, data_coordinates

__all__ = ["SweepMixin"]


class SweepMixin:
    """Sweep over K and restarts for the K-means plugin (see the module docstring)."""

    def _sweep_options(self, X=None) -> dict:
        """Engine options of a sweep (:func:`engine.kmeans.entries.sweep_options`): the form's variant,
        max_iter and metric, the lab's initialisation method (k-means++ when the centres are chosen by
        hand), float32 on large data."""
        values = dict(self.form.values())
        values["init"] = self.lab.mode if not self.lab.own else \
            (self.init_param.default if self.init_param else "k-means++")
        return sweep_options(values, np.zeros((0, 0)) if X is None else X)

    def start_sweep(self, ks, restarts: int, seed: int = 0):
        """Run ``engine.kmeans.sweep`` off the GUI thread; each run's dot appears as soon as it finishes."""
        if self._views is None:
            self.views()
        w = self.window
        ds = w.dataset
        if ds is None or ds.n == 0:
            w.status("There are no points to cluster.")
            return
        X = np.asarray(w.run_X())
        ks = [int(k) for k in ks if int(k) <= ds.n]
        if not ks:
            w.status(f"Every K is larger than the number of points ({ds.n}).")
            return
        options = self._sweep_options(X)
        self._sweep_context = (ds, X, options)
        self._runs = SweepRuns(ks, restarts, ds.n)
        metric, rows = silhouette_plan(*np.shape(X), options["variant"], options.get("metric"))
        self._silhouette_note = silhouette_note(metric, rows, ds.n)
        self.restarts.set_ks(ks, restarts)
        precision = " in float32" if options.get("dtype") == "float32" else ""
        self.restarts.message.setText(f"Running {len(ks)} × {restarts} runs{precision}… every dot appears "
                                      "as soon as its run finishes; Cancel keeps the finished ones.")
        self.sweep = None
        self.restarts.elbow.set_objective(self.objective_label())
        self.restarts.elbow.clear()
        self.restarts.set_k_choices([])
        self.restarts.show_mini_scatters([])
        self._show_compare()
        total = len(ks) * restarts
        self._sweep_started = time.monotonic()

        pending, self.session_work = self.session_work, None  # the session's sweep, computed ahead (once)

        def job(progress, cancelled):
            ahead = pending.result().get("sweep") if pending is not None else None
            if ahead is not None and ahead.matches(X, ks, restarts, seed, options):
                for done, run in enumerate(ahead.runs, 1):  # computed already (render does it while it starts)
                    progress(done, total, f"K = {ks[run[0]]}, restart {run[1] + 1}", partial=run)
                for i, value in enumerate(ahead.result.silhouettes):
                    progress(total, total, f"silhouette of K = {ks[i]}", partial=("silhouette", i, value))
                return ahead.result, False
            count = [0]

            def on_run(i, r, fit):
                count[0] += 1
                progress(count[0], total, f"K = {ks[i]}, restart {r + 1}", partial=(i, r, fit))

            def on_silhouette(i, value):
                progress(count[0], total, f"silhouette of K = {ks[i]}", partial=("silhouette", i, value))

            try:
                return ekm.sweep(X, ks, restarts, seed=seed, cancel=cancelled, on_run=on_run,
                                 on_silhouette=on_silhouette, **options), False
            except ekm.Cancelled as exc:
                return exc.partial, True

        self.sweep_task.start(job)

    def cancel_sweep(self):
        self.sweep_task.cancel()
        self.multiples_task.cancel()

    def _on_sweep_progress(self, done: int, total: int, text: str):
        self.window.status(f"K-means sweep: {done} of {total} runs done ({text}); Cancel in the Restarts & K tab",
                           0)

    def _on_sweep_run(self, partial):
        """One run of the running sweep finished (or one K's silhouette): keep it and redraw the elbow soon
        (coalesced)."""
        if self._runs is None or self._sweep_context is None or self._sweep_context[0] is not self.window.dataset:
            return
        if partial[0] == "silhouette":
            self._runs.silhouettes[partial[1]] = partial[2]
        else:
            self._runs.add(*partial)
        if not self._elbow_timer.isActive():
            self._elbow_timer.start()

    def _draw_live_elbow(self):
        runs = self._runs
        if runs is None or self.sweep is not None:
            return
        self.restarts.elbow.set_results(runs.ks, runs.objectives, runs.seeds)
        self.restarts.elbow.set_silhouettes(runs.silhouettes, self._silhouette_note)

    def _on_sweep_failed(self, message: str):
        self.restarts.message.setText(f"<span style='color:#D55E00'>{message}</span>")
        self.window.status(message)

    def _on_sweep_finished(self, result):
        res, cancelled = result
        if self._sweep_context is None or self._sweep_context[0] is not self.window.dataset:
            return  # the data changed meanwhile
        self._elbow_timer.stop()
        self.sweep = res
        self.restarts.elbow.set_objective(self.objective_label())
        self.restarts.elbow.set_results(res.ks, res.objectives, res.seeds)
        self.restarts.elbow.set_silhouettes(res.silhouettes, res.silhouette_note)
        self.restarts.elbow.set_selected(None)
        done = int(np.isfinite(res.objectives).sum())
        seconds = time.monotonic() - self._sweep_started
        msg = (f"Sweep cancelled after {done} runs ({seconds:.1f} s)." if cancelled else
               f"Sweep done: {done} runs in {seconds:.1f} s.")
        self.restarts.message.setText(msg + " Click a dot to watch that run.")
        self.window.status(msg)
        self.restarts.set_k_choices(res.ks, 0)
        self._show_restarts_of(0)
        self._show_compare()

    def load_run(self, i: int, r: int):
        """Load run ``r`` of ``ks[i]`` of the last sweep into the timeline (same seed, same steps)."""
        res, ctx = self.sweep, self._sweep_context
        if res is None or ctx is None or not np.isfinite(res.objectives[i, r]):
            return
        ds, X, options = ctx
        if ds is not self.window.dataset:
            self.window.status("The data changed since the sweep; run it again.")
            return
        k, seed = int(res.ks[i]), int(res.seeds[i, r])
        values = {"k": k, "seed": seed, **{n: v for n, v in options.items() if n in self.form.widgets}}
        if "restarts" in self.form.widgets:
            values["restarts"] = 1  # the sweep's run is one run, of this seed
        self.form.set_values(values)
        if not self.lab.own:
            self.lab.set_mode(options["init"], emit=False)
        self._loaded_run = (i, r)
        self.restarts.elbow.set_selected(i, r)
        names = {"names": ds.point_names} if ds.point_names is not None else {}  # step texts name points as the data
        self.window.player.start(lambda: ekm.steps(X, k, seed=seed, **options, **names))
        self.window.status(f"Loaded the run K = {k}, restart {r + 1} (seed {seed}); "
                           f"final objective {res.objectives[i, r]:.6g}.")

    def _show_restarts_of(self, i: int):
        """Small multiples of every finished restart of ``ks[i]`` (kept from the sweep; computed again
        in the background only when the sweep was too large to keep every run's labels)."""
        res, ctx = self.sweep, self._sweep_context
        if res is None or ctx is None or not 0 <= i < len(res.ks):
            return
        ds, X, options = ctx
        k = int(res.ks[i])
        done = [r for r in range(res.seeds.shape[1]) if np.isfinite(res.objectives[i, r])]
        runs = self._runs
        need_labels = self._image_info() is None
        if runs is not None and all((i, r) in runs.centers and (not need_labels or (i, r) in runs.labels)
                                    for r in done):
            kept = [(r, int(res.seeds[i, r]), runs.centers[(i, r)], runs.labels.get((i, r)),
                     float(res.objectives[i, r])) for r in done]
            self._on_multiples_finished((i, kept))
            return
        seeds = [(r, int(res.seeds[i, r])) for r in done]

        def job(progress, cancelled):
            out = []
            for r, seed in seeds:
                if cancelled():
                    break
                fit = ekm.fit(X, k, seed=seed, **options)
                out.append((r, seed, fit.centers, fit.labels, fit.final_objective))
            return i, out

        self.multiples_task.start(job)

    def _on_multiples_finished(self, result):
        i, runs = result
        res, ctx = self.sweep, self._sweep_context
        if res is None or ctx is None or ctx[0] is not self.window.dataset:
            return
        best = int(res.best_restart[i])
        info = self._image_info()
        titles = [f"{'★ ' if r == best else ''}run {r + 1}: J={J:.7g}" for r, _, _, _, J in runs]
        if info is None:
            Y = np.asarray(self.window.scatter.points())
            panels = [(t, Y, labels, self.window.project(C)) for t, (_, _, C, labels, _) in zip(titles, runs)]
            self.restarts.show_mini_scatters(panels, extended=self._extended())
            return
        shape, levels = info
        k = int(res.ks[i])
        tiles = np.concatenate([data_coordinates(self.window, C) for _, _, C, _, _ in runs]) if runs \
            else np.zeros((0, shape[0] * shape[1]))
        self.restarts.show_mini_tiles()
        self.restarts.tiles.set_tiles(tiles, shape, ncols=k, levels=levels,
                                      colors=[self._color(j) for _ in runs for j in range(k)],
                                      row_titles=[t.replace(": ", "\n") for t in titles])
