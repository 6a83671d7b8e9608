"""The working of K-means / K-medians / K-medoids steps, recomputed by the textbook formulas.

:func:`working` (the registry's ``Algorithm.working`` of K-means; contract in
:mod:`engine.core.working`) explains ``steps[index]`` from the state before it
(``steps[index - 1]``'s centres and labels):

* ``"assign"``: the distance of every shown point to every centre in the variant's own
  terms (squared ℓ2 for means, ℓ1 for medians, the chosen metric for medoids), each row's
  minimum highlighted (ties, equal up to rounding, go to the lower centre), the points that
  changed cluster marked; then the objective as a sum of per-cluster terms.
  ``derived``: ``"labels"``, ``"objective"``, ``"n_changed"``.
* ``"update"``: per cluster its members, their sum, count and mean (means), the
  coordinate-wise medians (medians), or each candidate's total distance to the other
  members (medoids: the current medoid stays unless another is smaller by more than a
  relative ``1e-12``); empty clusters re-seeded first with the farthest point; the objective.
  ``derived``: ``"labels"``, ``"centers"``, ``"objective"``, ``"n_changed"`` (and
  ``"medoid_indices"``) — :mod:`engine.kmeans.working_update`.
* ``"seed"`` (k-means++): each point's squared distance to the nearest centre chosen so far,
  the probabilities and their running sum, the drawn point highlighted. ``derived``:
  ``"probs"``, ``"chosen"``, ``"objective"`` (``nan`` until all ``k`` centres exist).
* ``"init"``: the starting centres (given or random points) and the objective of assigning
  every point to its nearest one; or, for a random partition, each group's centre.

With more than :data:`~engine.kmeans.working_tables.MAX_FEATURES` features the centres of an
update or init step are also given as images (``Working.images``), which the views draw for image data.

A K-means run in float32 (float32 data) agrees with this float64 arithmetic to about 1e-6 only:
its working says so and derives only the labels, counts and indices.

More than :data:`~engine.core.working.MAX_ROWS` points: the selected rows (else the first)
and a summary row over all points. More than :data:`~engine.kmeans.working_tables.MAX_FEATURES`
features (MNIST): distances and norms only, never a column per feature.

Example
-------
>>> import numpy as np
>>> from engine.kmeans import steps
>>> X = np.array([[1, 1], [1, 0], [0, 2], [2, 4], [3, 5]], dtype=float)
>>> run = list(steps(X, 2, init=X[[0, 2]]))
>>> params = {"k": 2, "variant": "means", "metric": "l2"}
>>> w = working(X, run, 1, params, names=list("ABCDE"))
>>> w.derived["labels"].tolist(), w.derived["objective"]
([0, 0, 1, 1, 1], 27.0)
>>> w.tables[0].rows[:2], w.tables[0].columns
(('A', 'B'), ('μ1', 'μ2', 'cluster', 'from', 'changed'))
"""
from __future__ import annotations

import dataclasses

import numpy as np

from engine.core.norms import metric_symbol, root_metric
from engine.core.working import Table, Working, point_names
from engine.kmeans.problem import variant_metric
from engine.kmeans.working_tables import (DIST_TEX, MAX_FEATURES, centre_images, centre_names,
                                          coord_names, distance_table, nearest, objective_table, shown_with)
from engine.kmeans.working_update import group_centres, update_working

__all__ = ["working"]


def working(X, steps, index, params, names=None, rows=None) -> Working:
    """The working of ``steps[index]`` of a K-means run on ``X`` (see the module docstring)."""
    variant = params.get("variant", "means")
    if variant == "means" and (getattr(X, "dtype", None) == np.float32 or params.get("dtype") == "float32"):
        return _in_float32(_working(np.asarray(X, dtype=float), steps, index, params, names, rows))
    return _working(np.asarray(X, dtype=float), steps, index, params, names, rows)


def _in_float32(w: Working) -> Working:
    """A float32 K-means run agrees with float64 arithmetic to about 1e-6 only: its numbers are not checked."""
    note = "The run computed in float32: its values agree with these (float64) to about 1e-6."
    first = dataclasses.replace(w.tables[0], note=(w.tables[0].note + " " + note).strip())
    return Working((first, *w.tables[1:]), {k: v for k, v in w.derived.items()
                                            if k in ("labels", "n_changed", "chosen", "medoid_indices")}, w.images)


def _working(X, steps, index, params, names, rows) -> Working:
    step = steps[index]
    variant = params.get("variant", "means")
    metric = variant_metric(variant, params.get("metric"))
    names = point_names(X.shape[0], names)
    prev = steps[index - 1] if index > 0 else None
    if step.kind == "assign" and prev is not None:
        return _assign(X, prev, variant, metric, names, rows)
    if step.kind == "update" and prev is not None:
        return update_working(X, prev, step, variant, metric, names, rows)
    if step.kind == "seed":
        return _seed(X, step, int(params.get("k", step.centers.shape[0])), variant, metric, names, rows)
    return _init(X, step, variant, metric, names)


def _assign(X, prev, variant, metric, names, rows) -> Working:
    C = np.asarray(prev.centers, dtype=float)
    k = C.shape[0]
    old = np.asarray(prev.labels)
    D = distance_table(X, C, metric)
    new, tied = nearest(D)
    changed = new != old
    cn = centre_names(k, variant)
    idx, cut = shown_with(X.shape[0], rows)
    values = [list(D[i]) + [cn[new[i]], cn[old[i]] if old[i] >= 0 else "—", bool(changed[i])] for i in idx]
    hl = [(r, int(j)) for r, i in enumerate(idx) for j in np.flatnonzero(tied[i])]
    labels = [names[i] for i in idx]
    note = "Each point goes to the centre at the smallest distance (highlighted; ties go to the lower centre). "
    if cut:
        labels.append(f"all {X.shape[0]} points")
        values.append(list(np.bincount(new, minlength=k).astype(int)) + ["—", "—", int(changed.sum())])
        note += "The last row counts, over all points, those nearest to each centre and those that changed. "
    note += (f"{int(changed.sum())} point(s) changed cluster." if changed.any() else
             "No point changed cluster: the run has converged.")
    table = Table(f"Distances to the centres ({metric_symbol(metric)})", rf"d(x_n, k) = {DIST_TEX[metric]}",
                  labels, cn + ["cluster", "from", "changed"], values, highlight=hl, note=note)
    obj, J = objective_table(D[np.arange(X.shape[0]), new], new, k, cn, metric,
                             "The objective with the new labels and the same centres")
    return Working((table, obj), {"labels": new, "objective": J, "n_changed": int(changed.sum())})


def _seed(X, step, k, variant, metric, names, rows) -> Working:
    n = X.shape[0]
    C = np.asarray(step.centers, dtype=float)
    j = C.shape[0] - 1
    at = np.flatnonzero(np.all(X == C[-1], axis=1))
    if j == 0:
        probs = np.full(n, 1.0 / n)
        D2 = None
    else:
        D = distance_table(X, C[:-1], metric)  # K-means: already squared
        D2 = D.min(axis=1) if metric == "sqeuclidean" else D.min(axis=1) ** 2
        probs = D2 / D2.sum()
        at = at[probs[at] > 0]
    chosen = int(step.payload.get("chosen", at[0] if at.size else -1))
    chosen = chosen if chosen in at else int(at[0]) if at.size else -1
    idx, cut = shown_with(n, rows, [chosen])
    cn = centre_names(k, variant)
    row_of = {int(i): r for r, i in enumerate(idx)}
    if D2 is None:
        cols, values = ["P(x_n)"], [[probs[i]] for i in idx]
        formula, pcol = r"P(x_n) = \frac{1}{N}", 0
        note = f"The first centre is drawn uniformly at random: each of the {n} points with probability 1/{n}."
    else:
        cum = np.cumsum(probs)
        near = D.argmin(axis=1)
        cols = ["nearest centre", "D²", "P = D² / ΣD²", "cumulative P"]
        values = [[cn[near[i]], D2[i], probs[i], cum[i]] for i in idx]
        formula, pcol = r"P(x_n) = \frac{D(x_n)^2}{\sum_m D(x_m)^2},\quad D(x_n) = \min_j \lVert x_n - c_j \rVert", 2
        note = (f"D: the {metric_symbol(root_metric(metric))} distance to the nearest of the {j} centre(s) chosen so "
                "far; a point already chosen has D = 0 and is never drawn. The draw takes the first point whose "
                "cumulative P exceeds a uniform number u in [0, 1).")
    labels = [names[i] for i in idx]
    if cut:
        labels.append(f"all {n} points")
        values.append(["—", float(D2.sum()), 1.0, 1.0] if D2 is not None else [1.0])
    table = Table(f"k-means++: drawing centre {j + 1} of {k}", formula, labels, cols, values,
                  highlight=[(row_of[chosen], pcol)] if chosen in row_of else [], note=note)
    tables, J = [table], float("nan")
    if j == k - 1:
        Dk = distance_table(X, C, metric)
        obj, J = objective_table(Dk.min(axis=1), nearest(Dk)[0], k, cn, metric,
                                 "The objective of assigning every point to its nearest centre")
        tables.append(obj)
    return Working(tuple(tables), {"probs": probs, "chosen": chosen, "objective": J})


def _centres_table(X, C, variant, names, title) -> Table:
    """The centres: coordinates (few features) or their ℓ2 norms, and the data point each one is (if any)."""
    k, d = C.shape
    feats = coord_names(d) if d <= MAX_FEATURES else ["‖c‖ (ℓ2)"]
    values = []
    for c in C:
        at = np.flatnonzero(np.all(X == c, axis=1))
        coords = list(c) if d <= MAX_FEATURES else [float(np.sqrt((c * c).sum()))]
        values.append(coords + [names[at[0]] if at.size else "—"])
    note = "" if d <= MAX_FEATURES else (f"The centres ({d} features each) are not listed: the window's Working tab "
                                         "draws them as images.")
    return Table(title, "", centre_names(k, variant), feats + ["data point"], values, note=note)


def _init(X, step, variant, metric, names) -> Working:
    C = np.asarray(step.centers, dtype=float)
    k = C.shape[0]
    labels = np.asarray(step.labels)
    cn = centre_names(k, variant)
    if labels.size and labels.min() >= 0:  # a random partition: each centre is its group's centre
        centres, med, tables = group_centres(X, labels, k, variant, metric, names, None, {})
        D = distance_table(X, centres, metric)
        obj, J = objective_table(D[np.arange(X.shape[0]), labels], labels, k, cn, metric,
                                 "The objective of the random partition")
        derived = {"centers": centres, "objective": J}
        if med is not None:
            derived["medoid_indices"] = med
        return Working((*tables, obj), derived, centre_images(tables[0], centres))
    D = distance_table(X, C, metric)
    centres = _centres_table(X, C, variant, names, "The starting centres")
    obj, J = objective_table(D.min(axis=1), nearest(D)[0], k, cn, metric,
                             "The objective of assigning every point to its nearest centre")
    return Working((centres, obj), {"objective": J}, centre_images(centres, C))
