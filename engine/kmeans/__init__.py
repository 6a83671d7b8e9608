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

Payload
    assign/update: ``"changed"`` (indices of the points whose cluster changed,
    int32), ``"n_changed"``; update: ``"reseeded"`` (list of cluster ids);
    seed: ``"probs"`` (n,), ``"chosen"``; medoids: ``"medoid_indices"`` (k,).
    A ``"seed"`` step's ``centers`` holds the centres chosen so far (j x d).

Restarts and K
    :func:`sweep` (with :func:`sweep_seeds` and :class:`SweepResult`) lives in
    :mod:`engine.kmeans.sweeps` and is reachable here as ``engine.kmeans.sweep``.

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

from dataclasses import dataclass, field
import numpy as np

from engine.kmeans import seeding as _init
from engine.kmeans.kernels import (ElkanBounds, assigned_distances, cluster_medians, distances, grouped_sums,
                             pair_evaluations, pairwise_totals, sq_partial)
from engine.kmeans.views import ClusterSummary, Representatives, cluster_summary, representatives, voronoi_grid
from engine.core.params import Param, ParamError
from engine.core.registry import Algorithm
from engine.core.steps import Step, TraceBuilder, compact_labels, readonly
from engine.core.validation import as_data, check_k, make_rng

__all__ = ["steps", "fit", "sweep", "FitResult", "SweepResult", "Cancelled", "ALGORITHM", "VARIANTS",
           "INITS", "MEDOID_METRICS", "sweep_seeds", "voronoi_grid", "representatives", "cluster_summary",
           "Representatives", "ClusterSummary", "variant_metric"]

VARIANTS = ("means", "medians", "medoids")
INITS = ("k-means++", "random", "random-partition")
MEDOID_METRICS = ("l2", "l1", "linf")
_INCREMENTAL_MAX = 1 / 3          # update centre sums incrementally when at most this share changed
_MEDOID_RTOL = 1e-12
_CENTRE_WORD = {"means": "mean", "medians": "coordinate-wise median", "medoids": "medoid"}
_DIST_WORD = {"sqeuclidean": "squared l2", "l1": "l1", "l2": "l2", "linf": "l∞"}


class Cancelled(Exception):
    """A sweep was cancelled; ``partial`` holds the :class:`SweepResult` so far (NaN = not run)."""

    def __init__(self, partial):
        super().__init__("sweep cancelled")
        self.partial = partial


def variant_metric(variant: str, metric: str | None = None) -> str:
    """The distance a variant uses: ``"sqeuclidean"`` (means), ``"l1"`` (medians), ``metric`` (medoids)."""
    if variant not in VARIANTS:
        raise ParamError(f"variant={variant!r} is not allowed; choose one of {', '.join(map(repr, VARIANTS))}.")
    if variant == "means":
        return "sqeuclidean"
    if variant == "medians":
        return "l1"
    metric = "l2" if metric is None else metric
    if metric not in MEDOID_METRICS:
        raise ParamError(f"metric={metric!r} is not allowed; choose one of {', '.join(map(repr, MEDOID_METRICS))}.")
    return metric


# ----------------------------------------------------------------------------------------------------------
# Validated problem
# ----------------------------------------------------------------------------------------------------------
@dataclass
class _Data:
    """Data prepared once: the array used for computing, ``||x||^2``, the variant and its distance."""

    X: np.ndarray
    xsq: np.ndarray | None
    variant: str
    metric: str


def _prepare(X, variant, metric, dtype) -> _Data:
    dist = variant_metric(variant, metric)
    if dtype is None:
        keep32 = variant == "means" and getattr(X, "dtype", None) == np.float32
        dt = np.float32 if keep32 else np.float64
    elif dtype in ("float32", np.float32) and variant == "means":
        dt = np.float32
    elif dtype in ("float32", "float64", np.float32, np.float64):
        dt = np.float64           # K-medians / K-medoids always compute in float64
    else:
        raise ParamError(f"dtype={dtype!r} is not allowed; choose 'float32', 'float64' or None.")
    A = as_data(X, dtype=dt)
    xsq = None
    if dist in ("sqeuclidean", "l2"):
        xsq = np.einsum("ij,ij->i", A, A, dtype=np.float64)
    return _Data(A, xsq, variant, dist)


def _check_common(data: _Data, k, init, max_iter):
    n, d = data.X.shape
    if isinstance(init, str):
        if init not in INITS:
            raise ParamError(f"init={init!r} is not allowed; choose one of {', '.join(map(repr, INITS))} "
                             "or give a (k, n_features) array of starting centres.")
        k = check_k(k, n)
        init_arr = None
    else:
        init_arr = as_data(init, name="init")
        if init_arr.shape[1] != d:
            raise ParamError(f"init has {init_arr.shape[1]} feature(s) but X has {d}: "
                             "give one starting centre per row with the same columns as X.")
        if k is None:
            k = init_arr.shape[0]
        k = check_k(k, n)
        if init_arr.shape[0] != k:
            raise ParamError(f"init has {init_arr.shape[0]} starting centre(s) but k={k}: give exactly k rows.")
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise ParamError(f"max_iter={max_iter!r} should be a whole number >= 1.")
    return k, init_arr


# ----------------------------------------------------------------------------------------------------------
# The run, as light events (steps() turns them into Step records, fit() keeps only what it needs)
# ----------------------------------------------------------------------------------------------------------
@dataclass
class _Event:
    kind: str
    description: str
    labels: np.ndarray              # intp; a new array whenever labels change, never mutated afterwards
    centers: np.ndarray             # float64; a new array whenever centres change
    objective: float
    iteration: int
    payload: dict = field(default_factory=dict)
    done: bool = False
    status: str = ""


class _Geometry:
    """Distances of one run: the assignment pass, per-point distances, objectives."""

    def __init__(self, data: _Data, k: int):
        self.data, self.k = data, k
        n = data.X.shape[0]
        self.rows = np.arange(n)
        self._buf = np.empty((n, k), dtype=data.X.dtype) if data.metric == "sqeuclidean" else None

    def table(self, C):
        """(n, k) table whose row-wise argmin is the nearest centre (K-means: without ``||x||^2``)."""
        X = self.data.X
        if self.data.metric == "sqeuclidean":
            return sq_partial(X, C, out=self._buf)
        return distances(X, C, self.data.metric, xsq=self.data.xsq)

    def at(self, D, labels):
        """Table values at each point's label, float64."""
        return D[self.rows, labels].astype(np.float64)

    def objective(self, D, labels):
        """Objective of ``labels`` with the centres ``D`` was computed for (direct sum).

        K-means adds ``||x||^2`` point by point and clips each squared distance
        at 0 (the Gram form can round a zero distance slightly below 0).
        """
        d = self.at(D, labels)
        if self.data.metric == "sqeuclidean":
            d += self.data.xsq
            np.maximum(d, 0.0, out=d)
        return float(np.sum(d))


def _reseed(data: _Data, C, labels, counts, empty):
    """Move the farthest points (from clusters with >= 2 members) into the empty clusters.

    Modifies ``labels`` and ``counts`` in place. Returns a list of
    ``(cluster, point, from_cluster, distance)``.
    """
    far = assigned_distances(data.X, C, labels, data.metric)
    moved = []
    for b in empty:
        score = np.where(counts[labels] >= 2, far, -np.inf)
        p = int(np.argmax(score))
        if not score[p] > 0.0:
            raise _init.too_few_distinct(data.X, len(counts))
        a = int(labels[p])
        labels[p] = b
        counts[a] -= 1
        counts[b] += 1
        moved.append((int(b), p, a, float(far[p])))
        far[p] = -np.inf
    return moved


def _reseed_text(moved, data):
    word = _DIST_WORD[data.metric]
    parts = [f"cluster {b} was empty and was re-seeded with point {p}, the point farthest from its centre "
             f"({word} distance {dist:.4g}, taken from cluster {a})" for b, p, a, dist in moved]
    return "; ".join(parts)


def _medoid_update(data: _Data, labels, k, medoids, fixed):
    """New medoid index per cluster (``fixed``: clusters whose medoid is already decided)."""
    new = medoids.copy()
    order = np.argsort(labels, kind="stable")
    ends = np.cumsum(np.bincount(labels, minlength=k))
    start = 0
    for j in range(k):
        end = int(ends[j])
        members = order[start:end]
        start = end
        if j in fixed:
            continue
        totals = pairwise_totals(data.X[members], data.metric)
        best = int(np.argmin(totals))
        cur = np.flatnonzero(members == medoids[j])
        if cur.size and totals[cur[0]] <= totals[best] + _MEDOID_RTOL * abs(totals[cur[0]]):
            best = int(cur[0])
        new[j] = members[best]
    return new


def _group_centre(data: _Data, pts):
    """The variant's centre of one group of points, shape (n_features,)."""
    if data.variant == "means":
        return pts.mean(axis=0)
    if data.variant == "medians":
        return np.median(pts, axis=0)
    return pts[int(np.argmin(pairwise_totals(pts, data.metric)))]


def _centres_of(data: _Data, labels, k, medoids=None, fixed=()):
    """The variant's centre of every group (all groups non-empty); returns (C, S, medoids)."""
    X = data.X
    if data.variant == "means":
        S = grouped_sums(X, labels, k)
        return S / np.bincount(labels, minlength=k)[:, None], S, None
    if data.variant == "medians":
        return cluster_medians(X, labels, k, np.zeros((k, X.shape[1]))), None, None
    medoids = np.zeros(k, dtype=np.intp) - 1 if medoids is None else medoids
    med = _medoid_update(data, labels, k, medoids, fixed)
    return X[med].astype(np.float64), None, med


def _run(data: _Data, k: int, init, init_arr, rng, max_iter: int):
    """Generate the events of one run (see the module docstring)."""
    X, n = data.X, data.X.shape[0]
    geo = _Geometry(data, k)
    means = data.variant == "means"
    medoid = data.variant == "medoids"
    word = _CENTRE_WORD[data.variant]
    unassigned = np.full(n, -1, dtype=np.intp)
    medoids = None

    def med_payload(m):
        return {"medoid_indices": m.astype(np.int32)} if medoid and m is not None else {}

    # ---------------- initialisation ----------------
    if init == "k-means++":
        chosen = []
        for j, (i, probs) in enumerate(_init.kmeanspp(X, k, rng, data.metric, data.xsq)):
            chosen.append(i)
            C = X[chosen].astype(np.float64)
            how = ("drawn uniformly at random" if j == 0 else
                   f"drawn with probability {probs[i]:.3g} (D² / ΣD², D = {_DIST_WORD[data.metric]} distance "
                   "to the nearest centre so far)")
            obj = float("nan")
            if j == k - 1:
                D = geo.table(C)
                obj = geo.objective(D, D.argmin(axis=1))
            m = np.array(chosen, dtype=np.intp)
            yield _Event("seed", f"k-means++: centre {j + 1} of {k} is point {i}, {how}", unassigned, C, obj, 0,
                         {"probs": probs, "chosen": i, **med_payload(m)})
        labels = unassigned
        medoids = np.array(chosen, dtype=np.intp) if medoid else None
    elif init == "random-partition":
        labels = _init.random_partition(n, k, rng)
        counts = np.bincount(labels, minlength=k)
        empty = np.flatnonzero(counts == 0)
        extra, moved = "", []
        if empty.size:
            Cf = np.zeros((k, X.shape[1]))
            for j in np.flatnonzero(counts > 0):
                Cf[j] = _group_centre(data, X[labels == j])
            moved = _reseed(data, Cf, labels, counts, empty)
            extra = "; " + _reseed_text(moved, data)
        C, _, medoids = _centres_of(data, labels, k, fixed={b: p for b, p, _, _ in moved})
        if medoid:
            for b, p, _, _ in moved:
                medoids[b] = p
            C = X[medoids].astype(np.float64)
        D = geo.table(C)
        obj = geo.objective(D, labels)
        yield _Event("init", f"random partition: every point put in a random cluster; each centre is the {word} "
                     f"of its group{extra}", labels, C, obj, 0,
                     {"reseeded": [b for b, _, _, _ in moved], **med_payload(medoids)})
    else:
        if init_arr is not None:
            C = np.array(init_arr, dtype=np.float64)
            text = f"the {k} given starting centres"
            if medoid:       # centres must be data points: snap each to its nearest data point
                medoids = np.asarray(distances(X, C, data.metric, xsq=data.xsq).argmin(axis=0), dtype=np.intp)
                if np.unique(X[medoids], axis=0).shape[0] < k:
                    raise ParamError("two given starting centres have the same nearest data point; "
                                     "K-medoids needs k different data points as centres: move them apart.")
                C = X[medoids].astype(np.float64)
                text += f", each moved to its nearest data point (points {', '.join(map(str, medoids))})"
        else:
            idx = _init.random_points(X, k, rng)
            C = X[idx].astype(np.float64)
            medoids = idx if medoid else None
            text = f"random: {k} distinct data points as starting centres (points {', '.join(map(str, idx))})"
        D = geo.table(C)
        obj = geo.objective(D, D.argmin(axis=1))
        labels = unassigned
        yield _Event("init", text, labels, C, obj, 0, med_payload(medoids))

    # ---------------- Lloyd iterations ----------------
    S = None
    bounds = ElkanBounds(data.X, data.xsq, k, geo.table) if means else None
    for t in range(1, max_iter + 1):
        if means:
            new, changed, saved = bounds.assign(C, labels, D if t == 1 else None)
            obj_assign = (geo.objective(D, new) if labels is unassigned else
                          obj - float(saved.sum()) if changed.size else obj)
        else:
            new = D.argmin(axis=1)
            changed = np.flatnonzero(new != labels)
            obj_assign = geo.objective(D, new) if changed.size or labels is unassigned else obj
        metric_word = _DIST_WORD[data.metric]
        if changed.size == 0:
            yield _Event("assign", f"assign (iteration {t}): each point to its nearest centre ({metric_word}); "
                         f"no point changed cluster: converged after {t} iteration(s)", labels, C, obj_assign, t,
                         {"changed": changed.astype(np.int32), "n_changed": 0, **med_payload(medoids)},
                         done=True, status="converged")
            return
        old = labels
        labels = new
        counts = np.bincount(labels, minlength=k)
        if means:
            if S is None or changed.size > _INCREMENTAL_MAX * n:
                S = grouped_sums(X, labels, k)
            else:
                Xc = X[changed]
                S += grouped_sums(Xc, labels[changed], k)
                S -= grouped_sums(Xc, old[changed], k)
        yield _Event("assign", f"assign (iteration {t}): each point to its nearest centre ({metric_word}); "
                     f"{changed.size} point(s) changed cluster", labels, C, obj_assign, t,
                     {"changed": changed.astype(np.int32), "n_changed": int(changed.size), **med_payload(medoids)})
        obj = obj_assign

        # update
        empty = np.flatnonzero(counts == 0)
        moved = []
        if empty.size:
            labels = labels.copy()
            moved = _reseed(data, C, labels, counts, empty)
        reseeded = [b for b, _, _, _ in moved]
        if means:
            for b, p, a, _ in moved:
                xp = X[p].astype(np.float64)
                S[a] -= xp
                S[b] = xp
            C_new = S / counts[:, None]
            keep = np.ones(k, dtype=bool)
            keep[reseeded] = False
            shift = np.einsum("ij,ij->i", C_new - C, C_new - C)
            obj = obj - float(np.dot(counts[keep], shift[keep])) - sum(m[3] for m in moved)
            bounds.moved(np.sqrt(shift), C_new, labels, [p for _, p, _, _ in moved])
            C = C_new
        elif data.variant == "medians":
            C = cluster_medians(X, labels, k, np.zeros_like(C))
            D = geo.table(C)
            obj = geo.objective(D, labels)
        else:
            fixed = {b: p for b, p, _, _ in moved}
            medoids = _medoid_update(data, labels, k, medoids, fixed)
            for b, p in fixed.items():
                medoids[b] = p
            C = X[medoids].astype(np.float64)
            D = geo.table(C)
            obj = geo.objective(D, labels)
        ch = np.sort(np.array([p for _, p, _, _ in moved], dtype=np.int32))
        how = {"means": "the mean of its points", "medians": "the coordinate-wise median of its points",
               "medoids": f"the member with the least total {_DIST_WORD[data.metric]} distance to the other members"}
        text = f"update (iteration {t}): each centre moved to {how[data.variant]}"
        if medoid:
            work = pair_evaluations(counts, data.metric, X.shape[1])
            text += (f" ({work:.2g} coordinate operations: "
                     + ("each feature sorted once per cluster)" if data.metric == "l1" else
                        "every pair of members in each cluster)"))
        if moved:
            text += "; " + _reseed_text(moved, data)
        last = t == max_iter
        yield _Event("update", text + (f"; stopped: max_iter={max_iter} reached" if last else ""), labels, C, obj,
                     t, {"changed": ch, "n_changed": int(ch.size), "reseeded": reseeded, **med_payload(medoids)},
                     done=last, status="max_iter" if last else "")


# ----------------------------------------------------------------------------------------------------------
# Public entry points
# ----------------------------------------------------------------------------------------------------------
def steps(X, k, variant="means", init="k-means++", seed=None, max_iter=300, metric=None, dtype=None):
    """Run K-means / K-medians / K-medoids step by step (see the module docstring for every rule).

    Arguments are checked when this is called (not at the first ``next``);
    the one error that can come later is data with fewer distinct points than
    ``k`` met while seeding or re-seeding.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
        No NaN or infinity.
    k : int
        Number of clusters, ``1 <= k <= n_samples``.
    variant : {"means", "medians", "medoids"}
    init : {"k-means++", "random", "random-partition"} or array_like of shape (k, n_features)
        An array gives the starting centres (K-medoids moves each to its nearest data point).
    seed : int, numpy.random.Generator or None
        Seeds every random choice; the same seed reproduces the run exactly.
    max_iter : int
        At most this many Lloyd iterations (one assign + one update each).
    metric : {"l2", "l1", "linf"} or None
        K-medoids distance (default ``"l2"``); ignored by the other variants.
    dtype : {"float32", "float64"} or None
        K-means computing precision. None keeps float32 input in float32 and
        uses float64 otherwise. K-medians and K-medoids always use float64.

    Yields
    ------
    Step
        ``"seed"``/``"init"`` steps, then ``"assign"``/``"update"`` steps; the
        last has ``done=True`` and ``status`` ``"converged"`` or ``"max_iter"``.

    Example
    -------
    >>> import numpy as np
    >>> X = np.array([[1, 1], [1, 0], [0, 2], [2, 4], [3, 5]], dtype=float)
    >>> [s.kind for s in steps(X, 2, init=X[[0, 2]])]
    ['init', 'assign', 'update', 'assign', 'update', 'assign']
    """
    data = _prepare(X, variant, metric, dtype)
    k, init_arr = _check_common(data, k, init, max_iter)
    rng = make_rng(seed)
    return _as_steps(_run(data, k, init if init_arr is None else "given", init_arr, rng, max_iter), k)


def _as_steps(events, k):
    trace = TraceBuilder()
    lab_src = cen_src = lab = cen = None
    for ev in events:
        if ev.labels is not lab_src:
            lab_src, lab = ev.labels, compact_labels(ev.labels, k)
        if ev.centers is not cen_src:
            cen_src, cen = ev.centers, readonly(ev.centers, dtype=float)
        yield Step(ev.kind, ev.description, labels=lab, centers=cen, objective=ev.objective,
                   trace=trace.next(ev.objective), iteration=ev.iteration, done=ev.done, status=ev.status,
                   payload=ev.payload)


@dataclass(frozen=True, eq=False)
class FitResult:
    """The end of one run.

    Attributes
    ----------
    labels : ndarray of shape (n_samples,), intp
        Labels of the last step (for a ``"max_iter"`` stop: the labels the
        final centres were computed from).
    centers : ndarray of shape (k, n_features), float64
    objective : ndarray of shape (n_iter,)
        Entry ``t - 1`` is the objective at the end of Lloyd iteration ``t``:
        after its update step, or, for the last iteration of a converged run,
        after its assign step (which changed nothing, so the value repeats).
        ``objective[-1]`` is the final objective (K-means: scikit-learn's ``inertia_``).
    trace : ndarray of shape (n_steps,)
        ``Step.objective`` of every step, initialisation included (``nan``
        while K-means++ centres are still missing).
    kinds : tuple of str
        ``Step.kind`` of every step.
    n_iter : int
        Number of assign steps (scikit-learn's ``n_iter_``).
    converged : bool
    init_centers : ndarray of shape (k, n_features)
        The centres the Lloyd iterations started from.
    medoid_indices : ndarray of shape (k,) or None
    seed : int or None
    """

    labels: np.ndarray
    centers: np.ndarray
    objective: np.ndarray
    trace: np.ndarray
    kinds: tuple
    n_iter: int
    converged: bool
    init_centers: np.ndarray
    medoid_indices: np.ndarray | None = None
    seed: int | None = None

    @property
    def final_objective(self) -> float:
        """The objective at the end of the run."""
        return float(self.trace[-1])


def _fit_run(events, seed, cancel=None) -> FitResult:
    trace, kinds, per_iter = [], [], []
    init_centers = None
    ev = None
    for ev in events:
        trace.append(ev.objective)
        kinds.append(ev.kind)
        if ev.kind in ("seed", "init"):
            init_centers = ev.centers
        elif ev.kind == "update" or ev.done:
            per_iter.append(ev.objective)
        if cancel is not None and ev.kind == "update" and cancel():
            raise Cancelled(None)
    med = ev.payload.get("medoid_indices")
    return FitResult(labels=readonly(ev.labels, dtype=np.intp, copy=False), centers=readonly(ev.centers),
                     objective=readonly(per_iter, dtype=float), trace=readonly(trace, dtype=float),
                     kinds=tuple(kinds), n_iter=int(ev.iteration), converged=ev.status == "converged",
                     init_centers=readonly(init_centers), medoid_indices=None if med is None else readonly(med),
                     seed=seed if isinstance(seed, (int, np.integer)) else None)


def fit(X, k, variant="means", init="k-means++", seed=None, max_iter=300, metric=None, dtype=None) -> FitResult:
    """Run to the end and return a :class:`FitResult` (same arguments as :func:`steps`).

    Example
    -------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [10.0], [11.0]])
    >>> r = fit(X, 2, seed=0)
    >>> sorted(r.centers.ravel().tolist()), r.final_objective, r.converged
    ([0.5, 10.5], 1.0, True)
    """
    data = _prepare(X, variant, metric, dtype)
    k, init_arr = _check_common(data, k, init, max_iter)
    events = _run(data, k, init if init_arr is None else "given", init_arr, make_rng(seed), max_iter)
    return _fit_run(events, seed)


ALGORITHM = Algorithm(
    name="kmeans", gui="gui.algorithms.kmeans.plugin:KMeansPlugin", order=20, fit=fit,
    title="K-means / K-medians / K-medoids",
    steps=steps,
    params=(
        Param("k", "Clusters K", "int", 3, low=1, help="Number of clusters (at most the number of points)."),
        Param("variant", "Variant", "choice", "means", choices=VARIANTS,
              help="means: squared l2 and averages; medians: l1 and coordinate-wise medians; "
                   "medoids: centres are data points."),
        Param("init", "Initialisation", "choice", "k-means++", choices=INITS,
              help="k-means++: spread-out random points; random: k distinct data points; "
                   "random-partition: random labels, then their centres."),
        Param("metric", "Distance (K-medoids)", "choice", "l2", choices=MEDOID_METRICS,
              help="Point distance of K-medoids; K-means always uses squared l2 and K-medians l1."),
        Param("seed", "Seed", "seed", 0, help="Same seed, same run; empty for a fresh random seed."),
        Param("max_iter", "Max iterations", "int", 300, low=1, high=100000,
              help="Stop after this many assign + update iterations if nothing converged."),
    ),
    objective_name="objective (sum of distances)",
    objective_sense="min",
)


def __getattr__(name):
    """``sweep``, ``sweep_seeds`` and ``SweepResult`` live in :mod:`engine.kmeans.sweeps` (imported on first use)."""
    if name in ("sweep", "sweep_seeds", "SweepResult"):
        from engine.kmeans import sweeps as kmeans_sweep
        return getattr(kmeans_sweep, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
