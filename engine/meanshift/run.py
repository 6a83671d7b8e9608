"""The mean shift run: checked arguments, the step generator and the fitted result."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from engine.core.params import ParamError, validate_params
from engine.core.steps import Step, TraceBuilder, compact_labels, readonly
from engine.core.validation import as_data
from engine.meanshift.kernels import Points, bin_seeds, estimate_bandwidth, merge_modes, nearest, window_pass

__all__ = ["Problem", "MeanShiftResult", "check_args", "run", "fit_result", "STOP", "QUANTILE"]

STOP = 1e-3  # a window stops after a move no longer than STOP * h (scikit-learn's threshold)
QUANTILE = 0.3  # bandwidth 0: estimated as scikit-learn's estimate_bandwidth(X, quantile=0.3)
KERNEL_WORDS = {"flat": "mean of the points inside", "gaussian": "Gaussian-weighted mean of the points"}


@dataclass(frozen=True)
class Problem:
    """Checked arguments of one run."""

    X: np.ndarray
    h: float
    kernel: str
    seeds: np.ndarray
    seeding: str  # "all", "bins" or "given"
    max_iter: int
    estimated: bool


@dataclass(frozen=True)
class MeanShiftResult:
    """The outcome of :func:`engine.meanshift.fit`.

    centers : (k, d) the modes, strongest first; labels : (n,) nearest mode of every point;
    bandwidth : the ``h`` used (estimated when 0 was given); windows : (m, d) the windows' final positions;
    strength : (m,) points inside each window on its last move; mode_of : (m,) the mode each window merged into
    (-1: an empty window); n_iter : shift steps run; converged : every window stopped before ``max_iter``.
    """

    centers: np.ndarray
    labels: np.ndarray
    bandwidth: float
    windows: np.ndarray
    strength: np.ndarray
    mode_of: np.ndarray
    n_iter: int
    converged: bool


def _bandwidth(X, bandwidth) -> tuple[float, bool]:
    if isinstance(bandwidth, bool):
        bandwidth = "a boolean"
    try:
        h = float(bandwidth)
    except (TypeError, ValueError):
        h = math.nan
    if not math.isfinite(h) or h < 0:
        raise ParamError(f"bandwidth={bandwidth!r} should be a number > 0 (the radius of every window, in the "
                         "data's units), or 0 to estimate it from the data.")
    if h > 0:
        return h, False
    h = estimate_bandwidth(X, QUANTILE) if X.shape[0] > 1 else 0.0
    if h == 0.0:  # one point, or most points identical: any window holds them; use the data's extent
        spread = float((X.max(axis=0) - X.min(axis=0)).max())
        h = spread if spread > 0 else 1.0
    return h, True


def _seeds(X, seeds, h) -> tuple[np.ndarray, str]:
    if isinstance(seeds, str):
        if seeds == "all":
            return X.copy(), "all"
        if seeds == "bins":
            return bin_seeds(X, h), "bins"
        raise ParamError(f"seeds={seeds!r} is not allowed; choose 'all' (a window at every point), 'bins' "
                         "(one per occupied cell of a grid of side h) or give an array of starting positions.")
    try:
        S = np.array(seeds, dtype=np.float64)
    except (TypeError, ValueError):
        raise ParamError("seeds should be 'all', 'bins' or an array of starting positions (m, d).") from None
    if S.ndim == 1 and X.shape[1] == 1:
        S = S[:, None]
    if S.ndim != 2 or S.shape[1] != X.shape[1] or S.shape[0] == 0:
        raise ParamError(f"seeds of shape {S.shape} should be (m, {X.shape[1]}): at least one starting position "
                         f"with the data's {X.shape[1]} coordinates.")
    if not np.isfinite(S).all():
        raise ParamError("seeds contain NaN or infinity; give finite starting positions.")
    return S, "given"


def check_args(params, X, bandwidth, kernel, seeds, max_iter) -> Problem:
    """Check every argument once (``params``: the algorithm's Param declarations); ParamError says what to fix."""
    X = as_data(X)
    values = {"kernel": kernel, "max_iter": max_iter}
    checked = validate_params([p for p in params if p.name in values], values)
    h, estimated = _bandwidth(X, bandwidth)
    if isinstance(seeds, str):
        validate_params([p for p in params if p.name == "seeds"], {"seeds": seeds})
    S, seeding = _seeds(X, seeds, h)
    return Problem(X, h, checked["kernel"], readonly(S), seeding, checked["max_iter"], estimated)


def _describe_start(p: Problem, m: int, empty: int) -> str:
    where = {"all": "every point", "bins": "the occupied cells of a grid of side h",
             "given": "the given positions"}[p.seeding]
    how = "estimated from the data" if p.estimated else "given"
    text = f"{m} windows of radius h = {p.h:.4g} ({how}, {p.kernel} kernel) placed at {where}"
    if empty:
        text += f"; {empty} hold no point and stay out"
    return text


def _describe_shift(t, moved, stopped_now, n_stopped, longest, h) -> str:
    text = f"iteration {t}: {moved} window{'s' if moved != 1 else ''} moved (longest move {longest:.3g})"
    if stopped_now:
        text += f"; {stopped_now} stopped now (moved <= {STOP:g} h = {STOP * h:.3g})"
    if n_stopped > stopped_now:
        text += f"; {n_stopped - stopped_now} had stopped"
    return text


def run(p: Problem) -> Iterator[Step]:
    """The steps of one run (see :mod:`engine.meanshift`)."""
    X, h, kernel = p.X, p.h, p.kernel
    n, m = X.shape[0], p.seeds.shape[0]
    pts = Points(X)
    trace = TraceBuilder()
    unassigned = compact_labels(np.full(n, -1))
    common = {"bandwidth": h, "kernel": kernel, "estimated": p.estimated}
    cur = window_pass(pts, p.seeds, h, kernel)
    alive = cur.weight > 0
    if not alive.any():
        raise ParamError(f"No point is within the bandwidth h = {p.h:.4g} of any seed; increase the bandwidth "
                         "or start a window at every point (seeds 'all').")
    Y = p.seeds
    inside = readonly(cur.counts, dtype=np.int32)
    means, counts, density = cur.means.copy(), cur.counts.copy(), cur.density.copy()
    moving = alive.copy()
    empty = readonly(~alive)
    yield Step("init", _describe_start(p, m, int((~alive).sum())), labels=unassigned, centers=Y,
               objective=float(density.mean()), trace=trace.next(density.mean()), iteration=0,
               payload={**common, "n_inside": inside, "empty": empty, "stopped": empty})
    t = 0
    while moving.any() and t < p.max_iter:
        t += 1
        idx = np.flatnonzero(moving)
        Y = np.array(Y)
        shift = np.zeros(m)
        shift[idx] = np.sqrt(((means[idx] - Y[idx]) ** 2).sum(axis=1))
        Y[idx] = means[idx]
        inside = np.array(inside)
        inside[idx] = counts[idx]
        stopped_now = idx[shift[idx] <= STOP * h]
        moving[stopped_now] = False
        nxt = window_pass(pts, Y[idx], h, kernel)
        means[idx], counts[idx], density[idx] = nxt.means, nxt.counts, nxt.density
        moved = np.zeros(m, dtype=bool)
        moved[idx] = True
        stopped = readonly(~moving)  # empty windows count as stopped: they never move
        text = _describe_shift(t, idx.size, stopped_now.size, int((alive & stopped).sum()), float(shift.max()), h)
        Y, inside = readonly(Y, copy=False), readonly(inside, copy=False)
        yield Step("shift", text, labels=unassigned, centers=Y, objective=float(density.mean()),
                   trace=trace.next(density.mean()), iteration=t,
                   payload={**common, "n_inside": inside, "moved": readonly(moved, copy=False),
                            "shift": readonly(shift, copy=False), "stopped": stopped, "empty": empty})
    yield from _finish(p, X, Y, inside, alive, moving, t, float(density.mean()), trace, unassigned, common)


def _finish(p, X, Y, inside, alive, moving, t, objective, trace, unassigned, common) -> Iterator[Step]:
    """The merge step and the assign step (the last)."""
    modes, strength, mode_of = merge_modes(Y, inside, alive, p.h)
    k = modes.shape[0]
    modes = readonly(modes)
    n_windows = int(alive.sum())
    yield Step("merge", f"{n_windows} windows reached {k} mode{'s' if k != 1 else ''}: a window within h of a "
                        "stronger mode (more points in its window) merged into it",
               labels=unassigned, centers=modes, objective=objective, trace=trace.next(objective), iteration=t,
               payload={**common, "windows": Y, "n_inside": inside, "mode_of": readonly(mode_of),
                        "mode_strength": readonly(strength, dtype=np.int64)})
    labels, d2 = nearest(X, modes)
    sizes = np.bincount(labels, minlength=k)
    shown = ", ".join(str(int(s)) for s in sizes[:8]) + (", ..." if k > 8 else "")
    status = "max_iter" if moving.any() else "converged"
    yield Step("assign", f"every point to its nearest mode: {k} cluster{'s' if k != 1 else ''} of {shown} points",
               labels=compact_labels(labels, k), centers=modes, objective=objective, trace=trace.next(objective),
               iteration=t, done=True, status=status,
               payload={**common, "distance": readonly(np.sqrt(d2)), "mode_strength": readonly(strength,
                                                                                             dtype=np.int64)})


def fit_result(steps: list) -> MeanShiftResult:
    """The :class:`MeanShiftResult` of a finished run's steps."""
    last, merge = steps[-1], steps[-2]
    return MeanShiftResult(centers=last.centers, labels=last.labels, bandwidth=last.payload["bandwidth"],
                           windows=merge.payload["windows"], strength=merge.payload["n_inside"],
                           mode_of=merge.payload["mode_of"], n_iter=last.iteration, converged=last.converged)
