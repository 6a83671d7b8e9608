"""One K-means / K-medians / K-medoids run: initialisation, then Lloyd's assign and update steps.

:func:`run` generates light :class:`Event` records (every rule is in the
:mod:`engine.kmeans` docstring); :func:`steps` turns them into
:class:`~engine.core.steps.Step` records and :func:`fit` keeps only what a
:class:`FitResult` needs. The run reads like the algorithm:

1. :func:`initialise` yields the ``"seed"`` / ``"init"`` steps of the chosen
   initialisation and returns the starting :class:`RunState`;
2. :class:`Lloyd` then alternates :meth:`Lloyd.assign` (every point to its
   nearest centre) and :meth:`Lloyd.update` (every centre from its points).

Example
-------
>>> import numpy as np
>>> X = np.array([[0.0], [1.0], [10.0], [11.0]])
>>> [s.kind for s in steps(X, 2, init=X[[0, 2]])]
['init', 'assign', 'update', 'assign']
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.core import cancel
from engine.core.norms import metric_symbol, root_metric
from engine.core.params import ParamError
from engine.core.steps import Step, TraceBuilder, compact_labels, readonly
from engine.core.validation import make_rng
from engine.kmeans import seeding
from engine.kmeans.centres import Geometry, centres_of, group_centre, medoid_update, reseed, reseed_text
from engine.kmeans.kernels import ElkanBounds, cluster_medians, distances, grouped_sums, pair_evaluations
from engine.kmeans.problem import CENTRE_WORD, Problem, check_run, prepare

__all__ = ["steps", "fit", "FitResult", "Cancelled", "Event", "RunState", "Lloyd", "run", "initialise", "fit_run"]

#: Update the K-means centre sums incrementally when at most this share of the points changed cluster.
INCREMENTAL_MAX = 1 / 3


class Cancelled(cancel.Cancelled):
    """A sweep was cancelled; ``partial`` holds the :class:`~engine.kmeans.sweeps.SweepResult` so far (NaN = not run).

    A kind of :class:`engine.core.cancel.Cancelled`, the one "stopped on request" of the engine."""

    def __init__(self, partial):
        super().__init__("sweep cancelled")
        self.partial = partial


@dataclass
class Event:
    """One moment of a run, before it becomes a :class:`~engine.core.steps.Step`."""

    kind: str
    description: str
    labels: np.ndarray              # intp; a new array whenever labels change, never mutated afterwards
    centers: np.ndarray             # float64; a new array whenever centres change
    objective: float
    iteration: int
    payload: dict = field(default_factory=dict)
    done: bool = False
    status: str = ""


@dataclass
class RunState:
    """Where a run stands: centres, their distance table, labels, objective, medoids, K-means centre sums."""

    C: np.ndarray
    D: np.ndarray
    labels: np.ndarray
    obj: float
    medoids: np.ndarray | None
    S: np.ndarray | None = None


def _medoid_payload(data: Problem, medoids) -> dict:
    return {"medoid_indices": medoids.astype(np.int32)} if data.variant == "medoids" and medoids is not None else {}


# ---------------------------------------------------------------------------------------------- initialisation
def _seed_kmeanspp(data: Problem, k, rng, geo: Geometry, unassigned):
    """K-means++: one ``"seed"`` step per chosen centre."""
    X = data.X
    chosen = []
    for j, (i, probs) in enumerate(seeding.kmeanspp(X, k, rng, data.metric, data.xsq)):
        chosen.append(i)
        C = X[chosen].astype(np.float64)
        how = ("drawn uniformly at random" if j == 0 else
               f"drawn with probability {probs[i]:.3g} (D² / ΣD², D = {metric_symbol(root_metric(data.metric))} distance "
               "to the nearest centre so far)")
        obj = float("nan")
        if j == k - 1:
            D = geo.table(C)
            obj = geo.objective(D, D.argmin(axis=1))
        yield Event("seed", f"k-means++: centre {j + 1} of {k} is point {data.name(i)}, {how}", unassigned, C, obj, 0,
                    {"probs": probs, "chosen": i, **_medoid_payload(data, np.array(chosen, dtype=np.intp))})
    medoids = np.array(chosen, dtype=np.intp) if data.variant == "medoids" else None
    return RunState(C, D, unassigned, obj, medoids)


def _random_partition(data: Problem, k, rng, geo: Geometry):
    """Random partition: every point in a random cluster, each centre that of its group (empty ones re-seeded)."""
    X = data.X
    labels = seeding.random_partition(X.shape[0], k, rng)
    counts = np.bincount(labels, minlength=k)
    empty = np.flatnonzero(counts == 0)
    extra, moved = "", []
    if empty.size:
        Cf = np.zeros((k, X.shape[1]))
        for j in np.flatnonzero(counts > 0):
            Cf[j] = group_centre(data, X[labels == j])
        moved = reseed(data, Cf, labels, counts, empty)
        extra = "; " + reseed_text(moved, data)
    C, _, medoids = centres_of(data, labels, k, fixed={b: p for b, p, _, _ in moved})
    if data.variant == "medoids":
        for b, p, _, _ in moved:
            medoids[b] = p
        C = X[medoids].astype(np.float64)
    D = geo.table(C)
    obj = geo.objective(D, labels)
    yield Event("init", f"random partition: every point put in a random cluster; each centre is the "
                f"{CENTRE_WORD[data.variant]} of its group{extra}", labels, C, obj, 0,
                {"reseeded": [b for b, _, _, _ in moved], **_medoid_payload(data, medoids)})
    return RunState(C, D, labels, obj, medoids)


def _given_or_random_points(data: Problem, k, init_arr, rng, geo: Geometry, unassigned):
    """Given starting centres (K-medoids: each moved to its nearest data point) or k random data points."""
    X = data.X
    medoid = data.variant == "medoids"
    medoids = None
    if init_arr is not None:
        C = np.array(init_arr, dtype=np.float64)
        text = f"the {k} given starting centres"
        if medoid:       # centres must be data points: snap each to its nearest data point
            medoids = np.asarray(distances(X, C, data.metric, xsq=data.xsq).argmin(axis=0), dtype=np.intp)
            if np.unique(X[medoids], axis=0).shape[0] < k:
                raise ParamError("two given starting centres have the same nearest data point; "
                                 "K-medoids needs k different data points as centres: move them apart.")
            C = X[medoids].astype(np.float64)
            text += f", each moved to its nearest data point (points {data.name_list(medoids)})"
    else:
        idx = seeding.random_points(X, k, rng)
        C = X[idx].astype(np.float64)
        medoids = idx if medoid else None
        text = f"random: {k} distinct data points as starting centres (points {data.name_list(idx)})"
    D = geo.table(C)
    obj = geo.objective(D, D.argmin(axis=1))
    yield Event("init", text, unassigned, C, obj, 0, _medoid_payload(data, medoids))
    return RunState(C, D, unassigned, obj, medoids)


def initialise(data: Problem, k, init, init_arr, rng, geo: Geometry, unassigned):
    """Yield the initialisation's events; return the starting :class:`RunState`."""
    if init == "k-means++":
        return (yield from _seed_kmeanspp(data, k, rng, geo, unassigned))
    if init == "random-partition":
        return (yield from _random_partition(data, k, rng, geo))
    return (yield from _given_or_random_points(data, k, init_arr, rng, geo, unassigned))


# ---------------------------------------------------------------------------------------------- Lloyd iterations
class Lloyd:
    """Lloyd's iterations from a starting :class:`RunState`: :meth:`assign`, then :meth:`update`, repeated."""

    def __init__(self, data: Problem, k: int, geo: Geometry, state: RunState, unassigned):
        self.data, self.k, self.geo, self.state, self.unassigned = data, k, geo, state, unassigned
        self.means = data.variant == "means"
        self.bounds = ElkanBounds(data.X, data.xsq, k, geo.table) if self.means else None
        self.counts = None

    def assign(self, t: int) -> Event:
        """Every point to its nearest centre; ``done`` when no point changed cluster."""
        s, geo = self.state, self.geo
        if self.means:
            new, changed, saved = self.bounds.assign(s.C, s.labels, s.D if t == 1 else None)
            obj = (geo.objective(s.D, new) if s.labels is self.unassigned else
                   s.obj - float(saved.sum()) if changed.size else s.obj)
        else:
            new = s.D.argmin(axis=1)
            changed = np.flatnonzero(new != s.labels)
            obj = geo.objective(s.D, new) if changed.size or s.labels is self.unassigned else s.obj
        head = f"assign (iteration {t}): each point to its nearest centre ({metric_symbol(self.data.metric)}); "
        payload = {"changed": changed.astype(np.int32), "n_changed": int(changed.size),
                   **_medoid_payload(self.data, s.medoids)}
        if changed.size == 0:
            return Event("assign", head + f"no point changed cluster: converged after {t} iteration(s)", s.labels,
                         s.C, obj, t, payload, done=True, status="converged")
        old, s.labels, s.obj = s.labels, new, obj
        self.counts = np.bincount(new, minlength=self.k)
        if self.means:
            self._update_sums(changed, old)
        return Event("assign", head + f"{changed.size} point(s) changed cluster", new, s.C, obj, t, payload)

    def _update_sums(self, changed, old):
        """K-means centre sums: moved points only, or recomputed when many moved."""
        s, X, k = self.state, self.data.X, self.k
        if s.S is None or changed.size > INCREMENTAL_MAX * X.shape[0]:
            s.S = grouped_sums(X, s.labels, k)
        else:
            Xc = X[changed]
            s.S += grouped_sums(Xc, s.labels[changed], k)
            s.S -= grouped_sums(Xc, old[changed], k)

    def update(self, t: int, max_iter: int) -> Event:
        """Every centre recomputed from its points (empty clusters re-seeded first)."""
        s, data = self.state, self.data
        empty = np.flatnonzero(self.counts == 0)
        moved = []
        if empty.size:
            s.labels = s.labels.copy()
            moved = reseed(data, s.C, s.labels, self.counts, empty)
        if self.means:
            self._move_means(moved)
        elif data.variant == "medians":
            s.C = cluster_medians(data.X, s.labels, self.k, np.zeros_like(s.C))
            self._measure()
        else:
            fixed = {b: p for b, p, _, _ in moved}
            s.medoids = medoid_update(data, s.labels, self.k, s.medoids, fixed)
            for b, p in fixed.items():
                s.medoids[b] = p
            s.C = data.X[s.medoids].astype(np.float64)
            self._measure()
        ch = np.sort(np.array([p for _, p, _, _ in moved], dtype=np.int32))
        last = t == max_iter
        return Event("update", self._update_text(t, moved) + (f"; stopped: max_iter={max_iter} reached" if last
                                                              else ""),
                     s.labels, s.C, s.obj, t, {"changed": ch, "n_changed": int(ch.size),
                                               "reseeded": [b for b, _, _, _ in moved],
                                               **_medoid_payload(data, s.medoids)},
                     done=last, status="max_iter" if last else "")

    def _measure(self):
        """K-medians / K-medoids: the distance table of the new centres and the objective, summed directly."""
        s = self.state
        s.D = self.geo.table(s.C)
        s.obj = self.geo.objective(s.D, s.labels)

    def _move_means(self, moved):
        """K-means: new means from the sums; the objective falls by ``sum_j n_j ||mu_j_new - mu_j_old||^2``."""
        s, counts, X = self.state, self.counts, self.data.X
        for b, p, a, _ in moved:
            xp = X[p].astype(np.float64)
            s.S[a] -= xp
            s.S[b] = xp
        C_new = s.S / counts[:, None]
        keep = np.ones(self.k, dtype=bool)
        keep[[b for b, _, _, _ in moved]] = False
        shift = np.einsum("ij,ij->i", C_new - s.C, C_new - s.C)
        s.obj = s.obj - float(np.dot(counts[keep], shift[keep])) - sum(m[3] for m in moved)
        self.bounds.moved(np.sqrt(shift), C_new, s.labels, [p for _, p, _, _ in moved])
        s.C = C_new

    def _update_text(self, t, moved) -> str:
        data = self.data
        how = {"means": "the mean of its points", "medians": "the coordinate-wise median of its points",
               "medoids": f"the member with the least total {metric_symbol(data.metric)} distance to the other members"}
        text = f"update (iteration {t}): each centre moved to {how[data.variant]}"
        if data.variant == "medoids":
            work = pair_evaluations(self.counts, data.metric, data.X.shape[1])
            text += (f" ({work:.2g} coordinate operations: "
                     + ("each feature sorted once per cluster)" if data.metric == "l1" else
                        "every pair of members in each cluster)"))
        if moved:
            text += "; " + reseed_text(moved, data)
        return text


def run(data: Problem, k: int, init, init_arr, rng, max_iter: int):
    """Generate the events of one run (see the :mod:`engine.kmeans` docstring)."""
    geo = Geometry(data, k)
    unassigned = np.full(data.X.shape[0], -1, dtype=np.intp)
    state = yield from initialise(data, k, init, init_arr, rng, geo, unassigned)
    lloyd = Lloyd(data, k, geo, state, unassigned)
    for t in range(1, max_iter + 1):
        event = lloyd.assign(t)
        yield event
        if event.done:
            return
        yield lloyd.update(t, max_iter)
def steps(X, k, variant="means", init="k-means++", seed=None, max_iter=300, metric=None, dtype=None, names=None):
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
    names : sequence of str, optional
        The points' names, one per point, as the window and the data file name them; step texts name
        points by them ("k-means++: centre 1 of 2 is point C"). Default ``x1, x2, ...`` (1-based).

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
    data = prepare(X, variant, metric, dtype, names)
    k, init_arr = check_run(data, k, init, max_iter)
    rng = make_rng(seed)
    return _as_steps(run(data, k, init if init_arr is None else "given", init_arr, rng, max_iter), k)


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
        ``objective[-1]`` is the final objective. For K-means it equals scikit-learn's ``inertia_`` only
        after convergence (``converged`` True); after a ``"max_iter"`` stop it is measured with the labels
        the final centres were computed from, so it can exceed ``inertia_`` (scikit-learn assigns the
        points to the final centres once more before computing it).
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


def fit_run(events, seed, cancel=None) -> FitResult:
    """Consume the events of :func:`run` into a :class:`FitResult`; ``cancel()`` is polled after every update."""
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


def fit(X, k, variant="means", init="k-means++", seed=None, max_iter=300, metric=None, dtype=None,
        names=None) -> FitResult:
    """Run to the end and return a :class:`FitResult` (same arguments as :func:`steps`; ``names`` are only
    checked, they name points in step texts).

    Example
    -------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [10.0], [11.0]])
    >>> r = fit(X, 2, seed=0)
    >>> sorted(r.centers.ravel().tolist()), r.final_objective, r.converged
    ([0.5, 10.5], 1.0, True)
    """
    data = prepare(X, variant, metric, dtype, names)
    k, init_arr = check_run(data, k, init, max_iter)
    events = run(data, k, init if init_arr is None else "given", init_arr, make_rng(seed), max_iter)
    return fit_run(events, seed)

