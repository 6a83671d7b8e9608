"""The step protocol shared by every algorithm in Clusterlab.

An algorithm is a *generator function* ``steps(X, **params)`` that yields
:class:`Step` records, one per moment a person should see: an HAC merge, a
K-means assignment or update, an EM E- or M-step. Views never compute
algorithm state; they read it from the current step.

The protocol
------------
* Every step carries ``labels`` (one cluster id per point, ``-1`` for "not
  assigned yet"), the ``objective`` after the step (``nan`` where it is not
  defined yet), ``trace`` (the objective of every step so far, this one
  included), a one-line ``description`` for people, ``iteration`` (the
  algorithm's own counter) and ``kind`` (``"start"``, ``"merge"``,
  ``"init"``, ``"seed"``, ``"assign"``, ``"update"``, ``"E"``, ``"M"``).
* ``centers`` is ``(k, d)`` for centre-based methods, ``None`` otherwise.
* ``payload`` holds what only that algorithm's views need (a merge witness,
  covariances, sampling probabilities, ...), as read-only arrays.
* The last step has ``done=True`` and says why in ``status``: ``"converged"``,
  ``"max_iter"`` or ``"finished"`` (HAC: one cluster left).

Step numbers
------------
People see steps numbered from 1: the first step a generator yields (index 0
of a run's list of steps) is *step 1*. :func:`step_number` and
:func:`step_index` are the one conversion; the timeline ("step 4 / 6"), every
view title, the window's export file names, ``clusterlab render --steps`` and
its ``VIEW-stepNNN`` file names and ``result.json``'s ``"step"`` all use these
numbers. (A session file's ``"step"`` entry is the exception: it is the
0-based *index*, as in format version 1.)

Memory: a player keeps every step it has shown, so a step must be cheap.
Arrays are stored read-only and *shared* between steps whenever they did not
change (an update step reuses the labels array of the assign step before it).
Labels that are expensive to store for every step (HAC on 10,000 points) can
be given as a zero-argument callable that recomputes them on demand; the
:attr:`Step.labels` property hides the difference.

Example
-------
>>> import numpy as np
>>> s = Step(kind="assign", description="3 points changed", labels=np.array([0, 1, 1]))
>>> s.labels.tolist(), s.done
([0, 1, 1], False)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Iterator, Mapping

import numpy as np

__all__ = ["MAX_STEP", "Step", "readonly", "compact_labels", "freeze_payload", "run_to_end", "step_number", "step_index",
           "step_label"]

STATUSES = ("", "converged", "max_iter", "finished")
#: The largest step index anything asks for (a session's "step", the player's seek ahead, render --steps):
#: Qt signals carry 32-bit ints, and a run of more steps than this is never meant.
MAX_STEP = 10 ** 7
_EMPTY = MappingProxyType({})  # the payload of a step without one (shared: it cannot change)


def step_number(index: int) -> int:
    """The number people see for the step at ``index`` (0-based) of a run: ``index + 1``.

    >>> step_number(0), step_index(step_number(26))
    (1, 26)
    """
    return int(index) + 1


def step_index(number: int) -> int:
    """The 0-based index of the step people call ``number`` (from 1); ValueError below 1."""
    number = int(number)
    if number < 1:
        raise ValueError(f"step {number}: steps are numbered from 1 (the first step), as on the timeline.")
    return number - 1


def step_label(index: int) -> str:
    """``"step 27"`` for the step at ``index`` 26: how titles name a step.

    >>> step_label(0)
    'step 1'
    """
    return f"step {step_number(index)}"


def readonly(a, dtype=None, copy: bool = True) -> np.ndarray:
    """Return ``a`` as a read-only ndarray (a private copy unless ``copy=False``)."""
    arr = np.array(a, dtype=dtype, copy=True) if copy else np.asarray(a, dtype=dtype)
    arr.setflags(write=False)
    return arr


def compact_labels(labels, n_clusters: int | None = None) -> np.ndarray:
    """Store labels in the smallest signed integer type that holds them, read-only.

    ``-1`` (unassigned) must stay representable, so the type is signed.
    """
    labels = np.asarray(labels)
    top = int(labels.max(initial=0)) if n_clusters is None else int(n_clusters)
    dtype = np.int8 if top < 127 else np.int16 if top < 32767 else np.int32
    return readonly(labels, dtype=dtype)


def freeze_payload(payload: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """Make every ndarray in ``payload`` read-only and wrap the dict as read-only."""
    if not payload:
        return _EMPTY
    out = {}
    for key, value in payload.items():
        if isinstance(value, np.ndarray):
            if value.flags.writeable:
                value = readonly(value)
        out[key] = value
    return MappingProxyType(out)


@dataclass(frozen=True, eq=False, slots=True)
class Step:
    """One moment of an algorithm run (see the module docstring).

    Parameters
    ----------
    kind : str
        What happened: ``"start"``, ``"merge"``, ``"init"``, ``"seed"``,
        ``"assign"``, ``"update"``, ``"E"`` or ``"M"``.
    description : str
        One line for people, e.g. ``"merged {x3} and {x4} at d_max = 0.44"``.
    labels : ndarray of shape (n_samples,) or callable
        Cluster id per point (``-1`` = unassigned), or a callable returning it.
    centers : ndarray of shape (n_clusters, n_features) or None
    objective : float
        The optimised quantity after this step (``nan`` if not defined yet).
    trace : ndarray of shape (n_steps_so_far,)
        ``objective`` of every step up to and including this one.
    iteration : int
        The algorithm's own iteration counter (0 during initialisation).
    done : bool
        True on the last step only.
    status : str
        On the last step: ``"converged"``, ``"max_iter"`` or ``"finished"``.
    payload : mapping
        Algorithm-specific, read-only data for its views.
    """

    kind: str
    description: str
    labels_source: Any = field(repr=False, default=None)
    centers: np.ndarray | None = field(repr=False, default=None)
    objective: float = float("nan")
    trace: np.ndarray = field(repr=False, default_factory=lambda: readonly(np.empty(0)))
    iteration: int = 0
    done: bool = False
    status: str = ""
    payload: Mapping[str, Any] = field(repr=False, default_factory=lambda: _EMPTY)

    def __init__(self, kind, description, labels=None, centers=None, objective=float("nan"),
                 trace=None, iteration=0, done=False, status="", payload=None):
        if status not in STATUSES:
            raise ValueError(f"status={status!r} is not one of {STATUSES}")
        if labels is not None and not callable(labels):
            labels = labels if isinstance(labels, np.ndarray) and not labels.flags.writeable \
                else compact_labels(labels)
        if centers is not None and (not isinstance(centers, np.ndarray) or centers.flags.writeable):
            centers = readonly(centers, dtype=float)
        if trace is None:
            trace = readonly(np.array([objective], dtype=float))
        elif not isinstance(trace, np.ndarray) or trace.flags.writeable:
            trace = readonly(trace, dtype=float)
        set_ = object.__setattr__
        set_(self, "kind", str(kind))
        set_(self, "description", str(description))
        set_(self, "labels_source", labels)
        set_(self, "centers", centers)
        set_(self, "objective", float(objective))
        set_(self, "trace", trace)
        set_(self, "iteration", int(iteration))
        set_(self, "done", bool(done))
        set_(self, "status", status)
        set_(self, "payload", freeze_payload(payload))

    @classmethod
    def from_frozen(cls, kind: str, description: str, labels, objective: float, trace: np.ndarray,
                    iteration: int, done: bool = False, status: str = "", payload: Mapping[str, Any] = _EMPTY,
                    centers: np.ndarray | None = None) -> "Step":
        """A step from parts already in the protocol's form, taken as they are (no copies, no checks but
        ``status``): for generators that make thousands of steps (an HAC run on 10,000 points).

        The caller guarantees what ``Step(...)`` would make sure of: ``labels`` a read-only signed-integer
        array or a zero-argument callable returning one (or None), ``centers`` read-only float or None,
        ``trace`` a read-only float array, ``payload`` a read-only mapping (no item assignment) whose
        arrays are read-only, and plain ``str`` / ``float`` / ``int`` / ``bool`` scalars.
        """
        if status not in STATUSES:
            raise ValueError(f"status={status!r} is not one of {STATUSES}")
        self = object.__new__(cls)
        k, d, lab, c, o, t, it, dn, st, p = _SLOT_SETTERS  # the slots' own setters: no attribute lookup
        k(self, kind)
        d(self, description)
        lab(self, labels)
        c(self, centers)
        o(self, objective)
        t(self, trace)
        it(self, iteration)
        dn(self, done)
        st(self, status)
        p(self, payload)
        return self

    @property
    def labels(self) -> np.ndarray | None:
        """Cluster id per point, shape (n_samples,); ``-1`` means unassigned."""
        src = self.labels_source
        return src() if callable(src) else src

    @property
    def converged(self) -> bool:
        """True when the run stopped because nothing changed any more."""
        return self.status == "converged"

    def nbytes(self) -> int:
        """Bytes held by this step's own arrays (shared arrays counted in full)."""
        total = 0
        for a in (self.labels_source, self.centers, self.trace, *self.payload.values()):
            if isinstance(a, np.ndarray):
                total += a.nbytes
        return total


_SLOT_SETTERS = tuple(getattr(Step, f).__set__ for f in ("kind", "description", "labels_source", "centers",
                                                          "objective", "trace", "iteration", "done", "status",
                                                          "payload"))


class TraceBuilder:
    """Accumulates the objective trace for a generator, sharing no mutable state with steps.

    ``next(value)`` returns a read-only array of all values so far. Each call
    copies the short prefix (a few thousand floats at most), which keeps every
    yielded :class:`Step` immutable.
    """

    def __init__(self):
        self._values: list[float] = []

    def next(self, value: float) -> np.ndarray:
        self._values.append(float(value))
        return readonly(np.array(self._values, dtype=float), copy=False)


def run_to_end(gen: Iterator[Step], progress: Callable[[Step], Any] | None = None) -> list[Step]:
    """Consume a step generator and return every step (convenience for ``fit``)."""
    out = []
    for step in gen:
        out.append(step)
        if progress is not None:
            progress(step)
    return out
