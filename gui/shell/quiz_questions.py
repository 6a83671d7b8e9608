"""The questions of "Predict the next step" (no Qt): what to ask before a step, and how to mark the answer.

:func:`question_for` looks at the shown step and the next one and returns a question, or None
when the next step is not one a person predicts (a start, an initialisation, the last step of
HAC's "finished"). Each question is told the person's input and says whether it was right:

* :class:`MergeQuestion` (HAC): click a point of each of the two clusters that merge next;
* :class:`AssignQuestion` (an assignment): one point is highlighted, click the centre it goes to;
* :class:`UpdateQuestion` (an update of centres): drag each centre to where it moves;
* :class:`ResponsibilityQuestion` (an E-step): set a highlighted point's responsibilities.

Positions are display coordinates (the window's :meth:`project` of run coordinates), so a
click is compared with what the person sees. Names are the window's cluster names.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

__all__ = ["Verdict", "MergeQuestion", "AssignQuestion", "UpdateQuestion", "ResponsibilityQuestion",
           "question_for", "CLOSE"]

#: A click (or a set of responsibilities) this close to the truth counts as right: a share of the data's span
#: for positions, total variation distance for responsibilities.
CLOSE = 0.05


@dataclass
class Verdict:
    """Whether an answer was right, and the sentence that says so (with the distance for positions)."""

    right: bool
    text: str


def _span(points: np.ndarray) -> float:
    if len(points) == 0:
        return 1.0
    span = float(np.max(np.ptp(points, axis=0)))
    return span if span > 0 else 1.0


@dataclass
class MergeQuestion:
    """HAC: which two clusters merge next? ``labels`` of the shown step, ``truth`` the merged pair of labels."""

    labels: np.ndarray
    truth: tuple
    name: Callable[[int], str]
    clicks: list = field(default_factory=list)
    needs: int = 2

    prompt = "Predict the next merge: click a point of each of the two clusters that merge next."

    def add_point(self, index: int):
        """A clicked point; returns a Verdict once two different clusters were clicked, else None."""
        c = int(self.labels[index])
        if c not in self.clicks:
            self.clicks.append(c)
        if len(self.clicks) < 2:
            return None
        guess = frozenset(self.clicks[:2])
        truth = frozenset(self.truth)
        a, b = (self.name(c) for c in sorted(self.truth))
        if guess == truth:
            return Verdict(True, f"Right: {a} and {b} merge.")
        g1, g2 = (self.name(c) for c in self.clicks[:2])
        return Verdict(False, f"Not this time: you chose {g1} and {g2}; the closest pair is {a} and {b}.")


@dataclass
class AssignQuestion:
    """An assignment: to which centre does point ``point`` go? ``centres`` in display coordinates."""

    point: int
    centres: np.ndarray
    truth: int
    name: Callable[[int], str]
    point_name: str
    needs: int = 1

    @property
    def prompt(self) -> str:
        return f"Predict the assignment: click the centre that {self.point_name} (ringed) goes to."

    def add_position(self, xy):
        guess = int(np.argmin(np.sum((self.centres - np.asarray(xy, dtype=float)) ** 2, axis=1)))
        if guess == self.truth:
            return Verdict(True, f"Right: {self.point_name} goes to {self.name(self.truth)}.")
        return Verdict(False, f"Not this time: {self.point_name} goes to {self.name(self.truth)}, "
                              f"not {self.name(guess)}.")


@dataclass
class UpdateQuestion:
    """An update: where does each centre move? ``truth`` (k, 2) new centres, ``start`` (k, 2) the centres
    before it (where the draggable crosses start), in display coordinates."""

    truth: np.ndarray
    name: Callable[[int], str]
    scale: float
    start: np.ndarray | None = None
    clicks: list = field(default_factory=list)

    @property
    def needs(self) -> int:
        return len(self.truth)

    prompt = "Predict the update: drag each centre (the crosses) to where it will move, then press Reveal."

    def add_positions(self, positions):
        """Where the person put every centre (k, 2): the verdict."""
        self.clicks = [np.asarray(p, dtype=float) for p in positions]
        dist = np.sqrt(np.sum((np.array(self.clicks) - self.truth) ** 2, axis=1))
        worst = float(dist.max())
        right = worst <= CLOSE * self.scale
        words = ", ".join(f"{self.name(k)} {d:.3g}" for k, d in enumerate(dist))
        head = "Right" if right else "Not quite"
        return Verdict(right, f"{head}: your centres are off by {words} (within {CLOSE * self.scale:.3g} counts).")


@dataclass
class ResponsibilityQuestion:
    """An E-step: the responsibilities of point ``point`` (``truth``: k values summing to 1)."""

    point: int
    truth: np.ndarray
    name: Callable[[int], str]
    point_name: str
    symbol: str = "q"
    needs: int = 1

    @property
    def prompt(self) -> str:
        return (f"Predict the E-step: set the responsibilities {self.symbol}_nk of {self.point_name} (ringed) "
                "with the sliders, then press Reveal.")

    def add_values(self, values):
        v = np.clip(np.asarray(values, dtype=float), 0, None)
        v = v / v.sum() if v.sum() > 0 else np.full(len(self.truth), 1.0 / len(self.truth))
        tv = 0.5 * float(np.abs(v - self.truth).sum())
        truth = ", ".join(f"{self.name(k)} {t:.2f}" for k, t in enumerate(self.truth))
        head = "Right" if tv <= CLOSE else "Not quite"
        return Verdict(tv <= CLOSE, f"{head}: the responsibilities are {truth}; yours are {tv:.2f} away "
                                    f"(total variation; within {CLOSE} counts).")


def _merged_pair(cur: np.ndarray, nxt: np.ndarray):
    """The two labels of ``cur`` whose points share one label in ``nxt`` (None if not exactly one merge)."""
    pairs = {}
    for a, b in zip(cur.tolist(), nxt.tolist()):
        pairs.setdefault(b, set()).add(a)
    merged = [s for s in pairs.values() if len(s) == 2]
    return tuple(sorted(merged[0])) if len(merged) == 1 else None


def _interesting_point(cur, nxt) -> int:
    """A point that changes cluster in the next step (the first), else the first point."""
    if cur is not None and np.shape(cur) == np.shape(nxt):
        moved = np.flatnonzero(np.asarray(cur) != np.asarray(nxt))
        if moved.size:
            return int(moved[0])
    return 0


def question_for(step, nxt, project, points, name, point_names, resp=None, symbol="q"):
    """The question to ask before ``nxt`` is shown (``step`` is shown now), or None.

    ``project``: run coordinates -> display; ``points``: the display coordinates of the data; ``name(c)``:
    the window's name of cluster ``c``; ``point_names``: one per point; ``resp(step) -> (n, k)``: the
    responsibilities after an E-step (mixtures), or None.
    """
    if nxt is None or step is None:
        return None
    if nxt.kind == "merge" and step.labels is not None:
        pair = _merged_pair(np.asarray(step.labels), np.asarray(nxt.labels))
        return None if pair is None else MergeQuestion(np.asarray(step.labels), pair, name)
    if nxt.kind == "assign" and step.centers is not None and nxt.labels is not None:
        i = _interesting_point(step.labels, nxt.labels)
        return AssignQuestion(i, np.asarray(project(step.centers)), int(nxt.labels[i]), name, point_names[i])
    if nxt.kind == "update" and nxt.centers is not None and step.centers is not None:
        return UpdateQuestion(np.asarray(project(nxt.centers)), name, _span(points),
                              start=np.asarray(project(step.centers)))
    if nxt.kind == "E" and resp is not None:
        q = np.asarray(resp(nxt))
        i = _interesting_point(step.labels, nxt.labels)
        return ResponsibilityQuestion(i, q[i], name, point_names[i], symbol)
    return None
