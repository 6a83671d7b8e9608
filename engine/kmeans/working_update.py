"""The working of a K-means update step: re-seeding empty clusters, each cluster's new centre, the objective.

* means: per cluster its members, their sum and count, and the mean ``μ_k = Σ x / n_k``;
* medians: per cluster the coordinate-wise median of its members (for an even count the mean
  of the two middle values);
* medoids: per cluster each candidate's total distance to the other members, the least one
  highlighted (the current medoid stays unless another is smaller by more than a relative
  ``1e-12``; among equal totals the lower point index).

A cluster left empty by the assignment is first re-seeded with the point farthest from its
own centre, taken from clusters with at least two members (several empty clusters, in
increasing order, take the farthest, the next farthest, ...; ties to the lower point index).

Example
-------
>>> import numpy as np
>>> X = np.array([[0.0], [1.0], [3.0], [10.0]])
>>> C, med, tables = group_centres(X, np.array([0, 0, 0, 1]), 2, "medoids", "l1", list("abcd"), None, {})
>>> C.ravel().tolist(), med.tolist(), tables[1].highlight
([1.0, 10.0], [1, 3], ((1, 0),))
"""
from __future__ import annotations

import numpy as np

from engine.core.norms import metric_symbol
from engine.core.working import MAX_ROWS, Table, Working
from engine.kmeans.working_tables import (DIST_TEX, MAX_FEATURES, TIE_RTOL, centre_images, centre_names,
                                          coord_names, distance_table, members_text, objective_table)

__all__ = ["update_working", "group_centres", "reseed", "MEDOID_RTOL"]

#: The current medoid is kept unless another member's total is smaller by more than this (relative).
MEDOID_RTOL = 1e-12


def reseed(X, C, labels, k, metric):
    """Fill the empty clusters with the farthest points; returns ``(labels, [(cluster, point, from, distance)])``."""
    labels = np.array(labels, dtype=np.intp)
    counts = np.bincount(labels, minlength=k)
    far = distance_table(X, C, metric)[np.arange(X.shape[0]), labels]
    moved = []
    for b in np.flatnonzero(counts == 0):
        score = np.where(counts[labels] >= 2, far, -np.inf)
        p = int(np.argmax(score))
        a = int(labels[p])
        moved.append((int(b), p, a, float(far[p])))
        labels[p] = b
        counts[a] -= 1
        counts[b] += 1
        far[p] = -np.inf
    return labels, moved


def _reseed_table(moved, cn, names, metric) -> Table:
    return Table("Re-seeding the empty clusters", r"x_p = \arg\max_n d(x_n, c_{z_n})",
                 [cn[b] for b, _, _, _ in moved], ["point", f"{metric_symbol(metric)} distance to its centre", "from"],
                 [[names[p], dist, cn[a]] for _, p, a, dist in moved], highlight=[(r, 1) for r in range(len(moved))],
                 note="An empty cluster takes the point farthest from its own centre, from a cluster with at least "
                      "two members (several empty clusters: in increasing order).")


def _mean_table(X, groups, cn, names, C_old):
    d = X.shape[1]
    few = d <= MAX_FEATURES
    feats = coord_names(d)
    cols = ["members", "n_k"] + ([f"Σ {f}" for f in feats] + [f"μ {f}" for f in feats] if few else [])
    cols.append("moved (ℓ2)")
    centres, values = [], []
    for j, g in enumerate(groups):
        S = X[g].sum(axis=0)
        mu = S / len(g)
        centres.append(mu)
        shift = float(np.sqrt(((mu - C_old[j]) ** 2).sum())) if C_old is not None else float("nan")
        values.append([members_text(g, names), len(g)] + (list(S) + list(mu) if few else []) + [shift])
    note = "" if few else (f"The means ({d} features each) are not listed: the window's Working tab draws them as "
                           "images.")
    hl = [(j, 2 + d + f) for j in range(len(groups)) for f in range(d)] if few else []
    return np.array(centres), Table("The new means", r"\mu_k = \frac{1}{n_k} \sum_{n: z_n = k} x_n", cn, cols,
                                    values, highlight=hl, note=note)


def _median_table(X, groups, cn, names, C_old):
    d = X.shape[1]
    few = d <= MAX_FEATURES
    cols = ["members", "n_k"] + ([f"median {f}" for f in coord_names(d)] if few else []) + ["moved (ℓ1)"]
    centres, values = [], []
    for j, g in enumerate(groups):
        med = np.median(X[g], axis=0)
        centres.append(med)
        shift = float(np.abs(med - C_old[j]).sum()) if C_old is not None else float("nan")
        values.append([members_text(g, names), len(g)] + (list(med) if few else []) + [shift])
    note = "For an even number of members the median is the mean of the two middle values."
    if not few:
        note += (f" The medians ({d} features each) are not listed: the window's Working tab draws them as "
                 "images.")
    return np.array(centres), Table("The new coordinate-wise medians", r"m_{k,f} = \mathrm{median}_{n: z_n = k}\, x_{n,f}",
                                    cn, cols, values, note=note)


def _medoid(X, g, metric, current):
    """The member of ``g`` with the least total distance to the others (keep-current and lower-index rules)."""
    totals = np.zeros(len(g))
    for r in range(0, len(g), 256):
        totals[r:r + 256] = distance_table(X[g[r:r + 256]], X[g], metric).sum(axis=1)
    low = totals.min()
    best = int(np.flatnonzero(totals <= low + TIE_RTOL * abs(low))[0])
    cur = np.flatnonzero(g == current) if current is not None else np.zeros(0, dtype=np.intp)
    if cur.size and totals[cur[0]] <= totals[best] + MEDOID_RTOL * abs(totals[cur[0]]):
        best = int(cur[0])
    return best, totals, int(cur[0]) if cur.size else -1


def _medoid_tables(X, groups, cn, names, metric, current, fixed):
    chosen, tables, summary = [], [], []
    for j, g in enumerate(groups):
        if j in fixed:
            chosen.append(fixed[j])
            summary.append([names[fixed[j]], 0.0])
            continue
        best, totals, cur = _medoid(X, g, metric, None if current is None else current[j])
        chosen.append(int(g[best]))
        summary.append([names[g[best]], float(totals[best])])
        must = [best] + ([cur] if cur >= 0 else [])
        keep = sorted(list(dict.fromkeys(must + list(range(len(g)))))[:MAX_ROWS])
        note = f"{len(g) - len(keep)} more members not shown. " if len(keep) < len(g) else ""
        tables.append(Table(f"Cluster {cn[j]}: each member's total distance to the others",
                            rf"T_i = \sum_{{j \in G_k}} {DIST_TEX[metric].replace('x_n', 'x_i').replace('m_k', 'x_j')}",
                            [names[g[i]] for i in keep], ["total T_i", "current medoid"],
                            [[float(totals[i]), i == cur] for i in keep], highlight=[(keep.index(best), 0)],
                            note=note + "The least total wins; the current medoid stays unless another is smaller "
                                        "by more than a relative 1e-12; equal totals go to the lower point index."))
    tables.insert(0, Table("The new medoids", r"m_k = \arg\min_{x_i \in G_k} T_i", cn, ["medoid", "total T"], summary))
    return np.array(chosen, dtype=np.intp), tables


def group_centres(X, labels, k, variant, metric, names, C_old, fixed, current=None):
    """Each group's centre for the variant: ``(centres (k, d), medoid indices or None, tables)``."""
    order = np.argsort(labels, kind="stable")
    groups = np.split(order, np.cumsum(np.bincount(labels, minlength=k))[:-1])
    cn = centre_names(k, variant)
    if variant == "means":
        C, table = _mean_table(X, groups, cn, names, C_old)
        return C, None, (table,)
    if variant == "medians":
        C, table = _median_table(X, groups, cn, names, C_old)
        return C, None, (table,)
    med, tables = _medoid_tables(X, groups, cn, names, metric, current, fixed)
    return X[med].astype(float), med, tuple(tables)


def update_working(X, prev, step, variant, metric, names, rows) -> Working:
    """The working of an update step from the assign step ``prev`` before it."""
    C_old = np.asarray(prev.centers, dtype=float)
    k = C_old.shape[0]
    labels, moved = reseed(X, C_old, prev.labels, k, metric)
    cn = centre_names(k, variant)
    current = prev.payload.get("medoid_indices")
    C, med, tables = group_centres(X, labels, k, variant, metric, names, C_old, {b: p for b, p, _, _ in moved},
                                   current)
    D = distance_table(X, C, metric)
    obj, J = objective_table(D[np.arange(X.shape[0]), labels], labels, k, cn, metric,
                             "The objective with the new centres")
    tables = ((_reseed_table(moved, cn, names, metric),) if moved else ()) + tuple(tables) + (obj,)
    derived = {"labels": labels, "centers": C, "objective": J, "n_changed": len(moved)}
    if med is not None:
        derived["medoid_indices"] = med
    return Working(tables, derived, centre_images(tables[1 if moved else 0], C))
