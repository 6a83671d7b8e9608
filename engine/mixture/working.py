"""The working of an EM run, put together from its three kinds of step (shared by both mixtures)."""
from __future__ import annotations

from typing import Callable

from engine.core.working import Working

__all__ = ["em_working"]


def em_working(init: Callable, estep: Callable, mstep: Callable, doc: str) -> Callable:
    """``working(X, steps, index, params, names=None, rows=None)`` (:mod:`engine.core.working`) that gives
    ``init``'s tables for the start, ``estep``'s for an E-step and ``mstep``'s for an M-step (each called with
    the same arguments); an empty :class:`Working` for anything else."""
    parts = {"init": init, "E": estep, "M": mstep}

    def working(X, steps, index, params, names=None, rows=None) -> Working:
        kind = steps[index].kind
        part = parts.get(kind)
        if part is None or (kind != "init" and index == 0):
            return Working()
        return part(X, steps, index, params, names, rows)

    working.__doc__ = doc
    return working
