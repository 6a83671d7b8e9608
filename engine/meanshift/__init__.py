"""Mean shift, one iteration at a time: windows climb the density of the points to its modes.

``steps(X, bandwidth, kernel, seeds, max_iter)`` yields :class:`engine.core.steps.Step` records:

1. ``"init"``: one window of radius ``h`` (the bandwidth) at every seed: every point (``seeds="all"``), or
   the centre of every occupied cell of a grid of side ``h`` (``"bins"``, scikit-learn's bin seeding with
   ``min_bin_freq=1``), or given positions (an array). A window with no point inside (possible only for
   bins in more than 4 dimensions, or given positions) stays out of the run.
2. ``"shift"``, one per iteration: every window still moving goes to the **mean of the points inside it**
   (distance <= h; ``kernel="flat"``) or to the **Gaussian-weighted mean** of all the points, weights
   ``exp(-|x - y|² / 2h²)`` (``kernel="gaussian"``; ``h`` is then the kernel's standard deviation). A
   window stops after a move no longer than ``1e-3 h`` (scikit-learn's threshold), or after ``max_iter``
   moves (scikit-learn's ``max_iter`` counts one less: its loop moves a window ``max_iter + 1`` times).
3. ``"merge"``: the windows' final positions become modes by scikit-learn's rule: exactly equal positions
   count once; the *strength* of a position is the number of points its window averaged on its last move
   (also for the Gaussian kernel: the points within ``h``); going through the positions by decreasing
   (strength, coordinates), each one not yet merged becomes a mode and every position within ``h`` of it
   (inclusive) merges into it. ``Step.centers`` holds the modes, strongest first.
4. ``"assign"`` (the last step): every point to its nearest mode (ties: the stronger mode).

``Step.centers`` is the windows' positions (m, d) until the merge, then the modes (k, d); ``Step.labels`` is
-1 ("not assigned yet") until the assign step. With the flat kernel and the same seeds, the modes and labels
are scikit-learn's ``MeanShift(bandwidth=h, seeds=..., cluster_all=True)``'s (up to rounding).

Bandwidth ``0`` means "estimate it": the mean distance of a point to its ``k``-th nearest point, itself
counted, ``k = int(0.3 n)`` (scikit-learn's ``estimate_bandwidth(X, quantile=0.3)``); when that is 0 (one
point, or most points identical) the data's largest coordinate range (1 if all points are identical).

Objective (``Step.objective``, never decreases)
    Mean shift is hill climbing on a kernel density: with the flat kernel each move can only raise the
    density of the Epanechnikov kernel (its "shadow") at the window, ``sum_n max(0, 1 - |x_n - y|² / h²)``;
    with the Gaussian kernel the Gaussian density ``sum_n exp(-|x_n - y|² / 2h²)``. The objective is that
    density averaged over the windows (empty ones count 0). The merge and assign steps move no window and
    keep it.

Payload
    every step: ``"bandwidth"`` (the h used), ``"kernel"``, ``"estimated"`` (bool); init and shift steps:
    ``"n_inside"`` (m,) the points each window averaged on its last move (at the init step: holds now),
    ``"stopped"`` (m,) bool, ``"empty"`` (m,) bool; shift steps: ``"moved"`` (m,) bool, ``"shift"`` (m,) the
    length of each move; merge: ``"windows"`` (m, d) final positions, ``"n_inside"``, ``"mode_of"`` (m,) the
    mode each window merged into (-1: empty), ``"mode_strength"`` (k,); assign: ``"distance"`` (n,) to the
    nearest mode, ``"mode_strength"``.

Speed and memory: see :mod:`engine.meanshift.kernels` (blocks of windows against slabs of points, bounded
memory). :mod:`engine.meanshift.working` recomputes every step plainly (the Working view).

Example
-------
>>> import numpy as np
>>> X = np.array([[0.0, 0.0], [0.5, 0.0], [0.0, 0.5], [5.0, 5.0], [5.5, 5.0]])
>>> run = list(steps(X, bandwidth=1.0))
>>> [s.kind for s in run], run[-1].labels.tolist()
(['init', 'shift', 'shift', 'merge', 'assign'], [0, 0, 0, 1, 1])
>>> fit(X, bandwidth=1.0).centers.round(3).tolist()
[[0.167, 0.167], [5.25, 5.0]]
"""
from __future__ import annotations

from engine.core.params import Param
from engine.core.registry import Algorithm, SessionEntries
from engine.core.steps import run_to_end
from engine.meanshift.kernels import bin_seeds, estimate_bandwidth, merge_modes
from engine.meanshift.run import MeanShiftResult, check_args, fit_result, run
from engine.meanshift.working import working

__all__ = ["ALGORITHM", "steps", "fit", "MeanShiftResult", "estimate_bandwidth", "bin_seeds", "merge_modes",
           "KERNELS", "SEEDINGS"]

KERNELS = ("flat", "gaussian")
SEEDINGS = ("all", "bins")


def steps(X, bandwidth=0.0, kernel="flat", seeds="all", max_iter=300):
    """Mean shift on ``X`` (n, d), yielding an "init" step, "shift" steps, a "merge" and an "assign" step.

    Parameters
    ----------
    bandwidth : float
        The windows' radius ``h`` (> 0), or 0 to estimate it (see the module docstring).
    kernel : {"flat", "gaussian"}
    seeds : "all", "bins" or array of shape (m, d)
        Where the windows start: every point, the occupied cells of a grid of side ``h``, or these positions.
    max_iter : int
        At most this many moves of a window (shift steps).

    Returns
    -------
    generator of :class:`engine.core.steps.Step`
        Arguments are checked when ``steps`` is called.
    """
    return run(check_args(ALGORITHM.params, X, bandwidth, kernel, seeds, max_iter))


def fit(X, bandwidth=0.0, kernel="flat", seeds="all", max_iter=300) -> MeanShiftResult:
    """Run :func:`steps` to the end (same parameters); the modes are ``centers``, strongest first.

    >>> r = fit([[0.0], [0.2], [4.0]], bandwidth=1.0)
    >>> r.centers.ravel().tolist(), r.labels.tolist(), r.converged
    ([0.1, 4.0], [0, 0, 1], True)
    """
    return fit_result(run_to_end(steps(X, bandwidth, kernel, seeds, max_iter)))


def _objective_label(params) -> str:
    if params.get("kernel") == "gaussian":
        return "mean Gaussian density at the windows"
    return "mean Epanechnikov density at the windows"


def _summary(steps) -> dict:
    merge, last = steps[-2], steps[-1]
    out = {"bandwidth": last.payload["bandwidth"], "bandwidth_estimated": bool(last.payload["estimated"])}
    if merge.kind == "merge":
        out["mode_strength"] = merge.payload["mode_strength"]
        out["windows"] = merge.payload["windows"]
        out["mode_of"] = merge.payload["mode_of"]
    return out


ALGORITHM = Algorithm(
    name="meanshift", title="Mean shift", steps=steps, fit=fit, order=60,
    summary="Windows of radius h climb to the density's modes (flat or Gaussian kernel), with trails; "
            "windows that met merge; every point to its nearest mode.",
    params=(
        Param("bandwidth", "Bandwidth h", "float", 0.0, low=0.0,
              help="Radius of every window (the Gaussian kernel's standard deviation); 0 = estimate it from the "
                   "data (mean distance to the 30% nearest neighbour, as scikit-learn's estimate_bandwidth)."),
        Param("kernel", "Kernel", "choice", "flat", choices=KERNELS,
              choice_labels=("flat (mean of the points inside)", "Gaussian (weighted mean)"),
              help="flat: each window moves to the mean of the points within h; Gaussian: to the mean of all "
                   "points weighted by exp(-d²/2h²)."),
        Param("seeds", "Windows start at", "choice", "all", choices=SEEDINGS,
              choice_labels=("every point", "a grid of bins (side h)"),
              help="One window per point, or one per occupied cell of a grid of side h (fewer windows)."),
        Param("max_iter", "Max iterations", "int", 300, low=1, high=100_000,
              help="A window stops after a move shorter than 0.001 h, or after this many moves."),
    ),
    objective_name="mean kernel density at the windows", objective_labels=_objective_label, objective_sense="max",
    gui="gui.algorithms.meanshift.plugin:MeanShiftPlugin", no_cluster="not assigned yet",
    example={"generator": "blobs", "n": 60, "seed": 0}, example_params={"bandwidth": 2.0},
    session=SessionEntries(summary=_summary), working=working,
)
