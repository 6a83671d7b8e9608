"""Side-by-side timing shared by the bench scripts (run as ``python bench/bench_NAME.py``: this folder is on the path)."""
from __future__ import annotations

import time

import numpy as np

__all__ = ["best_of"]


def best_of(*fns, repeats=3):
    """Best time of each function over ``repeats`` rounds, the functions alternating within a round
    (so a burst of load from other processes hits both sides alike). Returns [(time, result), ...]."""
    best = [np.inf] * len(fns)
    out = [None] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            t = time.perf_counter()
            out[i] = fn()
            best[i] = min(best[i], time.perf_counter() - t)
    return list(zip(best, out))
