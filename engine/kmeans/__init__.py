"""K-means (Lloyd), K-medians and K-medoids, one step at a time.

``steps(X, k, ...)`` yields :class:`engine.core.steps.Step` records:

1. initialisation: one ``"init"`` step (random points, a random partition, or
   given centres) or, for K-means++, one ``"seed"`` step per chosen centre;
2. then alternating ``"assign"`` (every point to its nearest centre) and
   ``"update"`` (every centre recomputed from its points) steps.

Variants (``variant``)
    ``"means"``: squared l2 distance; update = mean of the members.
    ``"medians"``: l1 distance for assignment and objective; update = the
    coordinate-wise median of the members (``numpy.median``: the mean of the two
    middle values for an even count).
    ``"medoids"``: centres are data points; distance ``metric`` = ``"l2"``
    (default), ``"l1"`` or ``"linf"``; the update picks, in each cluster, the
    member with the least total distance to the other members (the current
    medoid is kept unless another member is smaller by more than a relative
    ``1e-12``, so rounding cannot make a run cycle). ``metric`` is ignored by
    the other two variants, whose distances are fixed. Cost of one K-medoids
    update with clusters of sizes ``m_j``: ``sum_j m_j^2 d`` for l2 and l∞ (all
    pairs, in bounded row blocks), ``sum_j m_j log(m_j) d`` for l1 (each
    feature sorted); the update step's description states the figure.

Objective (``Step.objective``, minimised, never increases)
    means: ``sum_n ||x_n - mu_{z_n}||_2^2``; medians: ``sum_n ||x_n - m_{z_n}||_1``;
    medoids: ``sum_n d(x_n, m_{z_n})``. At an ``"assign"`` step it is measured
    with the new labels and the old centres, at an ``"update"`` step with the
    labels and the new centres. At ``"seed"`` steps it is ``nan`` until all ``k``
    centres exist; the step that completes the centres (and the ``"init"`` step
    of random points or given centres, whose labels are still ``-1``) carries
    the objective of assigning every point to its nearest centre, which the
    first ``"assign"`` step then realises. A random-partition ``"init"`` step
    carries the objective of that partition with its centres.
    For K-means it is computed in float64 from the distances already computed:
    the first value directly, every later one by exact identities
    (assign: minus the distance each moved point saved; update: minus
    ``sum_j n_j ||mu_j_new - mu_j_old||^2``), so it is non-increasing in
    floating point too. K-medians and K-medoids sum the distances directly.

Empty clusters
    A cluster left without points is re-seeded, in the update step, with the
    point farthest from the centre it was assigned to (taken only from clusters
    with at least two members; several empty clusters take the farthest, the
    next farthest, ... in increasing cluster order; ties go to the lower point
    index). That point changes cluster in the update step (so the update step
    then has its own labels); the payload lists ``"reseeded"`` clusters and the
    description says so. Data with fewer distinct points than ``k`` is refused
    with a clear message.

Convergence
    Strict: the run stops at the first ``"assign"`` step that changes no label
    (``done=True, status="converged"``); otherwise after ``max_iter``
    iterations (assign + update each) at the last update step
    (``status="max_iter"``). ``iteration`` is 0 during initialisation and
    ``t`` for both steps of Lloyd iteration ``t``.

Step texts
    Name points as the window does: by ``names`` (the data's point names, passed to
    :func:`steps` / :func:`fit`; a session passes its data's) or else ``x1, x2, ...``
    (1-based); clusters and centres are counted from 1. Payloads keep 0-based indices.

Payload
    assign/update: ``"changed"`` (indices of the points whose cluster changed,
    int32), ``"n_changed"``; update: ``"reseeded"`` (list of cluster ids);
    seed: ``"probs"`` (n,), ``"chosen"``; medoids: ``"medoid_indices"`` (k,).
    A ``"seed"`` step's ``centers`` holds the centres chosen so far (j x d).

Modules
    :mod:`~engine.kmeans.problem` (variants, checks), :mod:`~engine.kmeans.seeding`
    (starting centres), :mod:`~engine.kmeans.centres` (distance table, centres,
    re-seeding), :mod:`~engine.kmeans.lloyd` (the run, :func:`steps`, :func:`fit`),
    :mod:`~engine.kmeans.sweeps` (restarts and K: :func:`sweep`),
    :mod:`~engine.kmeans.kernels` (fast distances), :mod:`~engine.kmeans.views`
    (Voronoi grids, representatives); this package re-exports their public names.

Speed (K-means): ``X`` keeps float32 when it is float32 (or ``dtype="float32"``);
``||x||^2`` is computed once; distances take one matrix product per
cache-sized block; centre sums are kept in float64 and updated only by the
points that changed cluster (recomputed in full when more than a third
changed), using sorted slices instead of a one-hot matrix.

Example
-------
>>> import numpy as np
>>> X = np.array([[1, 1], [1, 0], [0, 2], [2, 4], [3, 5]], dtype=float)
>>> r = fit(X, 2, init=X[[0, 2]])
>>> r.labels.tolist(), r.centers.tolist(), r.converged
([0, 0, 0, 1, 1], [[0.6666666666666666, 1.0], [2.5, 4.5]], True)
"""
from __future__ import annotations

from engine.core.norms import metric_symbol
from engine.core.params import Param
from engine.core.registry import Algorithm
from engine.core.restarts import restartable, restartable_fit
from engine.kmeans import entries as _entries
from engine.kmeans.lloyd import Cancelled, FitResult, fit, steps
from engine.kmeans.problem import INITS, MEDOID_METRICS, VARIANTS, variant_metric
from engine.kmeans.sweeps import SweepResult, sweep, sweep_seeds
from engine.kmeans.views import ClusterSummary, Representatives, cluster_summary, representatives, voronoi_grid
from engine.kmeans.working import working as _working

__all__ = ["steps", "fit", "sweep", "FitResult", "SweepResult", "Cancelled", "ALGORITHM", "VARIANTS",
           "INITS", "MEDOID_METRICS", "sweep_seeds", "voronoi_grid", "representatives", "cluster_summary",
           "Representatives", "ClusterSummary", "variant_metric"]


def _objective_label(params) -> str:
    """The objective J of ``params``' variant: squared ℓ2 (means), ℓ1 (medians), the chosen metric (medoids)."""
    return f"J = sum of {metric_symbol(variant_metric(params['variant'], params.get('metric')))} distances"


ALGORITHM = Algorithm(
    name="kmeans", session=_entries.SESSION, example={"example": "five-points"}, example_params={"k": 2},
    gui="gui.algorithms.kmeans.plugin:KMeansPlugin", order=20, fit=restartable_fit(fit, steps, "min"),
    title="K-means / K-medians / K-medoids",
    summary="Lloyd's assign and update steps with means, coordinate-wise medians (ℓ1) or medoids.",
    steps=restartable(steps, "min"),
    params=(
        Param("k", "Clusters K", "int", 3, low=1, help="Number of clusters (at most the number of points)."),
        Param("variant", "Variant", "choice", "means", choices=VARIANTS,
              help="means: squared ℓ2 and averages; medians: ℓ1 and coordinate-wise medians; "
                   "medoids: centres are data points."),
        Param("init", "Initialisation", "choice", "k-means++", choices=INITS,
              help="k-means++: spread-out random points; random: k distinct data points; "
                   "random-partition: random labels, then their centres."),
        Param("metric", "Distance (K-medoids)", "choice", "l2", choices=MEDOID_METRICS,
              choice_labels=("ℓ2 (Euclidean)", "ℓ1 (Manhattan)", "ℓ∞ (Chebyshev)"),
              help="Point distance of K-medoids; K-means always uses squared ℓ2 and K-medians ℓ1."),
        Param("seed", "Seed", "seed", 0, help="Same seed, same run; empty for a fresh random seed."),
        Param("restarts", "Restarts", "int", 1, low=1, high=100,
              help="Run from this many seeds (seed, seed + 1, ...) and show the run with the least final J; "
                   "every restart is listed in the Restarts tab."),
        Param("max_iter", "Max iterations", "int", 300, low=1, high=100000,
              help="Stop after this many assign + update iterations if nothing converged."),
    ),
    objective_name="J = sum of distances to the centres",
    objective_labels=_objective_label,
    objective_sense="min",
    working=_working,
)
