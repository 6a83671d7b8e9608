"""The "Model selection" tab of both mixture plugins: BIC and AIC against K computed off the GUI thread.

:class:`ModelSelectionMixin` is mixed into :class:`gui.algorithms.mixture.base.MixturePlugin`. "Compute"
runs :func:`engine.mixture.selection.select_k` in a :class:`gui.run.tasks.BackgroundTask` for K from .. to,
each K from ``restarts`` seeds (``seed, seed + 1, ...``) with the form's other settings; every K appears as
soon as it is done, the status bar counts the runs, Cancel keeps the K values finished. Clicking a K puts
its best restart on the timeline: the form gets that K, the seed and the restarts, and the run carries
the restarts computed already (:meth:`RestartsMixin.load_restart <gui.algorithms.kmeans.restarts.RestartsMixin>`'s
way), so nothing runs twice.

A session asks for the view with ``"model_selection": {"from", "to", "restarts", "seed"}``
(:data:`SELECTION_STATE`; restored once the run has started); ``render`` computes it while its window
starts (``SessionEntries.work``), and the plugin uses that result instead of computing again. A
selection computed in the window is kept by the session it is saved in.

The family says what the selection runs on (:meth:`ModelSelectionMixin.selection_data`: the run's data,
the binarized images for a Bernoulli mixture) and how a run's steps become a fit result with ``bic`` and
``aic`` (:meth:`ModelSelectionMixin.selection_result_of`).
"""
from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QEvent, QObject

from engine.core.params import ParamError
from engine.mixture.selection import select_k, selection_params
from gui.algorithms.base import State
from gui.algorithms.mixture.selection_view import ModelSelectionView
from gui.run.tasks import BackgroundTask

__all__ = ["ModelSelectionMixin", "SELECTION_STATE"]

#: The session entry of the model selection shown (see the module docstring).
SELECTION_STATE = State("model_selection", save="_save_selection", restore="_restore_selection", after_run=True)


class _CloseWatch(QObject):
    """Stops the selection's worker when the window closes (closing stays immediate: the work polls its cancel)."""

    def __init__(self, owner):
        super().__init__(owner)
        self._owner = owner

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Close and self._owner.selection_task is not None:
            self._owner.selection_task.shutdown()
        return False


class ModelSelectionMixin:
    """BIC and AIC against K for a mixture plugin (see the module docstring)."""

    selection_view = None
    selection_task = None
    selection = None  # the last Selection (partial while it is computed)
    _selection_context = None  # (dataset, X, spec, params) of the last selection started
    _selection_loaded = None

    # ------------------------------------------------------------------ family hooks
    def selection_data(self) -> np.ndarray:
        """The (n, d) array the selection runs on (the run's data)."""
        return np.asarray(self.window.run_X())

    def selection_result_of(self, X, params):
        """``result_of(steps, k)``: the fit result (``loglik``, ``bic``, ``aic``, ``n_params``) of a run's steps."""
        raise NotImplementedError

    # ------------------------------------------------------------------ tab
    def selection_views(self) -> list:
        if self.selection_view is None:
            view = self.selection_view = ModelSelectionView()
            view.set_objective(self.algorithm.objective_name)
            view.sigCompute.connect(self.start_selection)
            view.sigCancel.connect(self.cancel_selection)
            view.sigKClicked.connect(self.load_k)
            task = self.selection_task = BackgroundTask(self, "model-selection")
            task.sigPartial.connect(self._on_selection_partial)
            task.sigProgress.connect(self._on_selection_progress)
            task.sigFinished.connect(self._on_selection_finished)
            task.sigFailed.connect(self._on_selection_failed)
            task.sigBusy.connect(view.set_busy)
            self._close_watch = _CloseWatch(self)
            self.window.installEventFilter(self._close_watch)
        return [("Model selection", self.selection_view)]

    def selection_has_content(self) -> bool:
        ctx, sel = self._selection_context, self.selection
        return (sel is not None and ctx is not None and ctx[0] is self.window.dataset
                and bool(np.isfinite(sel.bic).any()))

    # ------------------------------------------------------------------ computing
    def _selection_input(self, k_to: int):
        """``(X, params)`` of a selection up to ``k_to``, or a ParamError with a message for people."""
        ds = self.window.dataset
        if ds is None or ds.n == 0:
            raise ParamError("There are no points yet: add or open data first.")
        if k_to > ds.n:
            raise ParamError(f"K goes up to {k_to} but the data have only {ds.n} points.")
        params = selection_params(self.algorithm.validate(self.form.values()))
        return self.selection_data(), params

    def start_selection(self, k_from: int, k_to: int, restarts: int, seed: int):
        """Compute BIC and AIC for K = k_from .. k_to off the GUI thread (each K shown when done)."""
        self.selection_views()
        view = self.selection_view
        view.set_range(k_from, k_to, restarts, seed)
        try:
            X, params = self._selection_input(k_to)
        except ParamError as exc:
            view.message.setText(f"<span style='color:#D55E00'>{exc}</span>")
            return
        spec = {"from": int(k_from), "to": int(k_to), "restarts": int(restarts), "seed": int(seed)}
        ks = list(range(spec["from"], spec["to"] + 1))
        self._selection_context = (self.window.dataset, X, spec, params)
        self._selection_started = time.monotonic()
        self._selection_loaded = None
        self.selection = None
        view.clear(f"Computing K = {k_from} … {k_to}, {restarts} restart(s) each ({len(ks) * restarts} runs, off "
                   "the window's thread)… every K appears as soon as it is done; Cancel keeps the finished ones.")
        pending, self.session_work = self.session_work, None  # the session's selection, computed ahead (once)
        steps_fn, result_of = self.algorithm.steps, self.selection_result_of(X, params)

        def job(progress, cancelled):
            ahead = pending.result().get("model_selection") if pending is not None else None
            if ahead is not None and ahead.matches(X, spec, params):
                return ahead.result
            last = [0, len(ks) * restarts, ""]

            def each(done, total, text):
                last[:] = [done, total, text]
                progress(done, total, text)

            return select_k(steps_fn, X, ks, restarts, seed, result_of=result_of, progress=each, cancel=cancelled,
                            on_k=lambda i, sel: progress(last[0], last[1], last[2], partial=sel), **params)

        self.selection_task.start(job)

    def cancel_selection(self):
        if self.selection_task is not None:
            self.selection_task.cancel()

    def _on_selection_progress(self, done: int, total: int, text: str):
        self.window.status(f"Model selection: {done} of {total} runs done ({text}); Cancel in the Model "
                           "selection tab keeps the finished K values.", 0)

    def _current(self) -> bool:
        ctx = self._selection_context
        return ctx is not None and ctx[0] is self.window.dataset

    def _on_selection_partial(self, sel):
        if self._current() and self.selection_task.busy:
            self.selection = sel
            self.selection_view.set_results(sel)

    def _on_selection_finished(self, sel):
        if not self._current():
            return
        self.selection = sel
        seconds = time.monotonic() - getattr(self, "_selection_started", time.monotonic())
        i_bic, i_aic = sel.best_index("bic"), sel.best_index("aic")
        found = ("; ".join(f"least {c.upper()} at K = {int(sel.ks[i])}" for c, i in (("bic", i_bic), ("aic", i_aic))
                           if i >= 0) or "no K could be fitted")
        failed = [f"K = {int(k)}: {e}" for k, e in zip(sel.ks, sel.errors) if e]
        cut = "Cancelled: " if sel.cancelled else ""
        text = (f"{cut}{found} ({int(np.isfinite(sel.objectives).sum())} runs in {seconds:.1f} s). Click a K to "
                "put its best restart on the timeline.")
        if failed:
            text += " Not fitted: " + " ".join(failed[:2])
        self.selection_view.set_results(sel, text)
        self.selection_view.set_selected(self._selection_loaded)
        self.window.status(text.split(" Click")[0])

    def _on_selection_failed(self, message: str):
        self.selection_view.message.setText(f"<span style='color:#D55E00'>{message}</span>")
        self.window.status(message)

    # ------------------------------------------------------------------ loading a K
    def prepare_load_k(self, k: int) -> None:
        """Make the next run start the usual way with ``k`` components (a family drops placed means here)."""
        if hasattr(self, "_given_init"):
            self._given_init = None

    def load_k(self, i: int):
        """Put the best restart of ``ks[i]`` on the timeline (the same run the selection kept)."""
        sel, ctx = self.selection, self._selection_context
        if sel is None or ctx is None or not 0 <= i < len(sel.ks):
            return
        ds, X, spec, params = ctx
        if ds is not self.window.dataset:
            self.window.status("The data changed since the model selection; compute it again.")
            return
        if sel.best_restart[i] < 0:
            self.window.status(f"K = {int(sel.ks[i])} has no fitted run: {sel.errors[i] or 'not computed'}")
            return
        k = int(sel.ks[i])
        self.prepare_load_k(k)
        self.form.set_values({**params, "k": k, "seed": spec["seed"], "restarts": spec["restarts"]})
        info = sel.info(i)
        self._restart_shown, self._restart_known = info.best, info
        self._selection_loaded = i
        self.selection_view.set_selected(i)
        self.window.restart_run()
        self.window.status(f"K = {k}: its best restart ({info.best + 1} of {info.n}, seed {int(info.seeds[info.best])}) "
                           f"is on the timeline; BIC {sel.bic[i]:.6g}, AIC {sel.aic[i]:.6g}, log-likelihood "
                           f"{sel.loglik[i]:.6g}.")

    # ------------------------------------------------------------------ session
    def _save_selection(self):
        if not self._current() or self.selection is None:
            return None
        return dict(self._selection_context[2])

    def _restore_selection(self, value) -> None:
        if value is None:
            return
        self.start_selection(value["from"], value["to"], value["restarts"], value["seed"])

    def selection_results(self) -> dict:
        """``{"model_selection": ...}`` for ``result.json`` once computed (else {})."""
        if not self._current() or self.selection is None or self.selection_task.busy:
            return {}
        return {"model_selection": self.selection.to_dict()}
