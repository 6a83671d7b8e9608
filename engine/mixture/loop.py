"""The one EM loop of Clusterlab's mixtures: an ``"init"`` step, then alternating ``"E"`` and ``"M"`` steps.

:func:`em_steps` drives any mixture that implements :class:`MixtureEM` (the
Gaussian mixture of :mod:`engine.gmm`, the Bernoulli mixture of
:mod:`engine.bernoulli`): the E-step's responsibilities give each point's
most likely component (``Step.labels``) and the number of points that
changed it; the M-step re-estimates the parameters; the run stops after the
M-step whose change in ``objective / n`` is below ``tol``
(``status="converged"``), or after ``max_iter`` iterations.

Every step's payload is the model's ``params`` and ``values``; E-steps add
``"changed"``, M-steps ``"n_k"``; both add ``"resp"`` (n, k) float32 when
``n * k <=`` :data:`~engine.mixture.em.RESP_STORE_LIMIT`.
"""
from __future__ import annotations

from typing import Protocol

import numpy as np

from engine.core.steps import Step, TraceBuilder, compact_labels
from engine.mixture.em import RESP_STORE_LIMIT, frozen, stop_text

__all__ = ["MixtureEM", "em_steps"]


class MixtureEM(Protocol):
    """What :func:`em_steps` needs from one mixture model during a run.

    Attributes
    ----------
    objective : float
        The value EM never lowers, of the current parameters (total over points).
    params : dict
        Read-only parameter arrays for the payload (shared by the steps that show them).
    values : dict
        ``"loglik"``, ``"loglik_mean"``, ... of the current parameters.
    centers : ndarray
        ``Step.centers`` (means, or pixel probabilities).
    stop_what : str
        What converged, for the last step's text (``"the mean log-likelihood"``).
    """

    objective: float
    params: dict
    values: dict
    centers: np.ndarray
    stop_what: str

    def estep(self) -> np.ndarray:
        """Responsibilities (k, n) under the current parameters."""

    def mstep(self, R) -> np.ndarray:
        """Re-estimate the parameters from ``R`` (k, n) and evaluate them; return N_k (k,)."""

    def e_text(self, it: int, changed: int) -> str:
        """Description of E-step ``it``."""

    def m_text(self, it: int, change: float) -> str:
        """Description of M-step ``it`` (``change``: of the objective per point)."""


def em_steps(model: MixtureEM, k: int, n: int, init_text: str, labels, R0, max_iter: int, tol: float):
    """Yield the steps of one EM run from the initialised ``model``.

    Parameters
    ----------
    model : MixtureEM
        Initialised: its ``objective``, ``params`` and ``values`` are those of the starting parameters.
    k, n : int
        Components and points.
    init_text : str
        Description of the ``"init"`` step.
    labels : ndarray of shape (n,)
        The init step's labels (compact; all ``-1`` when there is no starting partition).
    R0 : ndarray of shape (k, n) or None
        Starting responsibilities, when the initialisation had them.
    max_iter : int
    tol : float
    """
    trace = TraceBuilder()
    store_resp = n * k <= RESP_STORE_LIMIT
    obj = model.objective
    pay = {**model.params, **model.values}
    if R0 is not None and store_resp:
        pay["resp"] = frozen(np.ascontiguousarray(R0.T, dtype=np.float32))
    yield Step("init", init_text, labels=labels, centers=model.centers, objective=obj, trace=trace.next(obj),
               iteration=0, payload=pay)
    prev = None if R0 is None else labels
    for it in range(1, max_iter + 1):
        R = model.estep()
        labels = compact_labels(R.argmax(axis=0), k)
        changed = n if prev is None else int(np.count_nonzero(labels != prev))
        resp = frozen(np.ascontiguousarray(R.T, dtype=np.float32)) if store_resp else None
        pay = {**model.params, **model.values, "changed": changed}
        if store_resp:
            pay["resp"] = resp
        yield Step("E", model.e_text(it, changed), labels=labels, centers=model.centers, objective=obj,
                   trace=trace.next(obj), iteration=it, payload=pay)
        Nk = model.mstep(R)
        change = (model.objective - obj) / n
        obj, prev = model.objective, labels
        converged = abs(change) < tol
        done = converged or it == max_iter
        text = model.m_text(it, change)
        if done:
            text += stop_text(converged, change, tol, max_iter, model.stop_what)
        pay = {**model.params, **model.values, "n_k": frozen(Nk)}
        if store_resp:
            pay["resp"] = resp
        yield Step("M", text, labels=labels, centers=model.centers, objective=obj, trace=trace.next(obj),
                   iteration=it, done=done, status=("converged" if converged else "max_iter") if done else "",
                   payload=pay)
        if done:
            return
