"""Every shipped exercise session, run to the end: the working of its steps agrees with the steps.

The working recomputes each step by the textbook formula (``Algorithm.working``), so this checks the fast kernels
against the plain arithmetic on the data people actually open. Runs on many values (MNIST) are checked on a
handful of steps spread over the run (the first, the last, and evenly between), the others at every step.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

from engine.core.registry import get_algorithm
from engine.core.working import disagreements
from engine.session import load_session, make_dataset, run, run_input, shipped_sessions

SESSIONS = sorted(shipped_sessions())
#: A run on more values than this (points x features) is checked on SAMPLE steps only.
BIG = 200_000
SAMPLE = 6


def checked_steps(n_steps: int, size: int) -> list[int]:
    """Every step of a small run; of a big one the first, the last and evenly spread steps between.

    >>> checked_steps(4, 10), checked_steps(70, 10 ** 6)
    ([0, 1, 2, 3], [0, 14, 28, 41, 55, 69])
    """
    if size <= BIG or n_steps <= SAMPLE:
        return list(range(n_steps))
    return sorted(set(np.linspace(0, n_steps - 1, SAMPLE).round().astype(int).tolist()))


def test_the_exercises_are_all_here():
    assert {"ex1-min-l2", "ex2-min", "ex2-max", "ex3-kmeans", "ex4-mnist-kmeans"} <= set(SESSIONS)


@pytest.mark.parametrize("name", SESSIONS)
def test_working_agrees_with_every_step_of_the_session(name):
    session = load_session(shipped_sessions()[name][0])
    dataset = make_dataset(session)
    X, _ = run_input(session, dataset)
    steps = run(session, dataset)
    assert steps and steps[-1].done, "the session runs to its end"
    alg = get_algorithm(session.algorithm)
    derived = 0
    for i in checked_steps(len(steps), int(np.size(X))):
        w = alg.working(X, steps[:i + 1], i, dict(session.params), names=dataset.point_names)
        problems = disagreements(w, steps[i])
        assert not problems, f"{name}, step {i} ({steps[i].kind}): " + "; ".join(problems)
        json.dumps(w.to_dict(), allow_nan=False)
        derived += len(w.derived)
    assert derived, f"{name}: no step's working derives anything"
