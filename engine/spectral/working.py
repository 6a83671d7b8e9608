r"""The working of a spectral clustering step: the numbers behind it, recomputed plainly (see :mod:`engine.core.working`).

* ``"affinity"``: the affinity matrix ``w_ij`` between the shown points (each row's strongest weight
  highlighted) with every point's degree ``d_i = sum_j w_ij`` over *all* points; derived ``"degrees"``.
  The weights are computed pair by pair from the differences ``x_i - x_j`` (the k nearest neighbours by a
  stable sort of each row: equal distances to the lower index), not by the engine's matrix products.
* ``"embed"``: the k smallest eigenvalues of ``L = I - D^{-1/2} W D^{-1/2}`` from ``numpy.linalg.eigh`` of
  the dense matrix (derived ``"affinity_eigenvalues"``, ``1 - lambda``), each step eigenvector's residual
  ``||L u_j - lambda_j u_j||``, and the shown points' rows ``u_i``, their length and ``t_i = u_i / ||u_i||``
  (derived ``"embedding"``).
* K-means in the embedding: ``"seed"`` — each point's squared distance to the nearest centre so far and its
  probability (derived ``"probs"``); ``"assign"`` — squared distances ``||t_n - c_j||^2`` to the previous
  centres, each row's minimum highlighted (derived ``"labels"``, ``"objective"``); ``"update"`` — per cluster
  its size, the sum and the mean of its members' rows (derived ``"embedding_centers"``, ``"objective"``).

Example
-------
>>> import numpy as np
>>> from engine.spectral import steps, ALGORITHM
>>> X = np.array([[0, 0], [0, 1], [1, 0], [5, 5], [5, 6], [6, 5]], dtype=float)
>>> p = ALGORITHM.validate({"k": 2, "affinity": "knn", "n_neighbors": 3})
>>> run = list(steps(X, **p))
>>> w = working(X, run, 0, p)
>>> w.tables[0].title, w.derived["degrees"].tolist()
('Affinity matrix', [2.0, 2.0, 2.0, 2.0, 2.0, 2.0])
"""
from __future__ import annotations

import numpy as np

from engine.core.working import Table, Working, point_names, shown_rows

__all__ = ["working", "plain_affinity"]


def plain_affinity(X: np.ndarray, params: dict) -> np.ndarray:
    """The affinity matrix by its definition, row by row (for checking, not for speed)."""
    X = np.asarray(X, dtype=np.float64)
    n = X.shape[0]
    W = np.zeros((n, n))
    for i in range(n):
        d2 = ((X - X[i]) ** 2).sum(axis=1)
        if params["affinity"] == "rbf":
            W[i] = np.exp(-params["gamma"] * d2)
        else:
            order = [j for j in np.argsort(d2, kind="stable") if j != i]
            W[i, order[:min(params["n_neighbors"] - 1, n - 1)]] = 1.0
        W[i, i] = 0.0
    return W if params["affinity"] == "rbf" else (W + W.T) / 2


def _cut_note(cut: bool, n: int) -> str:
    return f" Rows of {n} points are left out; every sum runs over all points." if cut else ""


def _affinity(X, step, params, names, rows) -> Working:
    W = plain_affinity(X, params)
    d = W.sum(axis=1)
    n = X.shape[0]
    idx, cut = shown_rows(n, rows)
    formula = (r"w_{ij} = \exp(-\gamma \lVert x_i - x_j \rVert_2^2),\ \gamma = " + f"{params['gamma']:g}"
               if params["affinity"] == "rbf" else
               r"w_{ij} = \tfrac12 (a_{ij} + a_{ji}),\ a_{ij} = 1 \text{ if } x_j \text{ is one of the "
               + f"{params['n_neighbors'] - 1}" + r" nearest other points of } x_i")
    values = [[W[i, j] for j in idx] + [d[i]] for i in idx]
    best = [(r, int(np.argmax(W[i, idx]))) for r, i in enumerate(idx) if W[i, idx].max() > 0]
    table = Table("Affinity matrix", formula, [names[i] for i in idx], [names[j] for j in idx] + ["d_i"],
                  values, highlight=best,
                  note="No self-loops (w_ii = 0); d_i = sum_j w_ij is the degree of point i, over all points; "
                       "the strongest weight of each row is highlighted." + _cut_note(cut, n - idx.size))
    return Working((table,), {"degrees": d})


def _embed(X, step, params, names, rows) -> Working:
    W = plain_affinity(X, params)
    d = W.sum(axis=1)
    M = W / np.sqrt(np.outer(d, d))
    L = np.eye(len(d)) - M
    k = params["k"]
    mu = np.linalg.eigh(M)[0][::-1][:k]
    U = np.asarray(step.payload["eigenvectors"], dtype=np.float64)
    lam = 1.0 - mu
    resid = np.linalg.norm(L @ U - U * lam[None, :], axis=0)
    eig = Table("Eigenvalues of the normalised Laplacian", r"L = I - D^{-1/2} W D^{-1/2},\ L u_j = \lambda_j u_j",
                [f"λ{j + 1}" for j in range(k)], ["λ_j", "1 - λ_j", "‖L u_j − λ_j u_j‖"],
                [[lam[j], mu[j], resid[j]] for j in range(k)],
                note="The k smallest eigenvalues (numpy.linalg.eigh of the dense matrix); the last column checks "
                     "the eigenvector u_j of the step against the equation.")
    norms = np.sqrt((U ** 2).sum(axis=1))
    T = U / np.where(norms > 0, norms, 1.0)[:, None]
    idx, cut = shown_rows(len(d), rows)
    cols = [f"u{j + 1}" for j in range(k)] + ["‖u_i‖"] + [f"t{j + 1}" for j in range(k)]
    emb = Table("Embedding", r"t_i = u_i / \lVert u_i \rVert_2", [names[i] for i in idx], cols,
                [list(U[i]) + [norms[i]] + list(T[i]) for i in idx],
                note="The row of each point in the eigenvectors, scaled to length 1 (Ng, Jordan and Weiss)."
                     + _cut_note(cut, len(d) - idx.size))
    return Working((eig, emb), {"affinity_eigenvalues": mu, "embedding": T})


def _seed(step, before, k, names, rows) -> Working:
    T = np.asarray(step.payload["embedding"], dtype=np.float64)
    n = T.shape[0]
    prev = None if before is None else before.payload.get("embedding_centers")
    if prev is None or before.kind != "seed":
        d2 = np.full(n, np.nan)
        probs = np.full(n, 1.0 / n)
    else:
        C = np.asarray(prev, dtype=np.float64)
        d2 = np.array([min(((T[i] - c) ** 2).sum() for c in C) for i in range(n)])
        probs = d2 / d2.sum()
    idx, cut = shown_rows(n, rows)
    chosen = int(step.payload["chosen"])
    hl = [(r, 1) for r, i in enumerate(idx) if i == chosen]
    table = Table("k-means++ in the embedding", r"P(t_i) = D(t_i)^2 / \sum_j D(t_j)^2",
                  [names[i] for i in idx], ["D(t_i)^2", "P(t_i)"], [[d2[i], probs[i]] for i in idx],
                  highlight=hl, note="D is the distance to the nearest centre chosen so far (the first centre is "
                                     "uniform); the drawn point is highlighted." + _cut_note(cut, n - idx.size))
    derived = {"probs": probs}
    C = np.asarray(step.payload["embedding_centers"], dtype=np.float64)
    if C.shape[0] == k:  # the last centre: the objective of assigning every point to its nearest centre
        derived["objective"] = float(sum(min(((T[i] - c) ** 2).sum() for c in C) for i in range(n)))
    return Working((table,), derived)


def _assign(step, before, names, rows) -> Working:
    T = np.asarray(step.payload["embedding"], dtype=np.float64)
    C = np.asarray(before.payload["embedding_centers"], dtype=np.float64)
    D = np.array([[((t - c) ** 2).sum() for c in C] for t in T])
    labels = D.argmin(axis=1)
    idx, cut = shown_rows(T.shape[0], rows)
    k = C.shape[0]
    table = Table("Squared distances in the embedding", r"\lVert t_n - c_j \rVert_2^2", [names[i] for i in idx],
                  [f"c{j + 1}" for j in range(k)], [list(D[i]) for i in idx],
                  highlight=[(r, int(labels[i])) for r, i in enumerate(idx)],
                  note="Each point goes to its nearest centre (the highlighted minimum; ties to the lower number)."
                       + _cut_note(cut, T.shape[0] - idx.size))
    return Working((table,), {"labels": labels, "objective": float(D[np.arange(len(T)), labels].sum())})


def _update(step, names) -> Working:
    T = np.asarray(step.payload["embedding"], dtype=np.float64)
    labels = np.asarray(step.labels)
    k = int(step.payload["embedding_centers"].shape[0])
    rows, values, C = [], [], np.zeros((k, T.shape[1]))
    for j in range(k):
        members = T[labels == j]
        total = members.sum(axis=0)
        C[j] = total / len(members)
        rows.append(f"cluster {j + 1}")
        values.append([len(members)] + list(total) + list(C[j]))
    dims = range(T.shape[1])
    table = Table("New centres in the embedding", r"c_j = \frac{1}{N_j} \sum_{z_n = j} t_n", rows,
                  ["N_j"] + [f"sum t{m + 1}" for m in dims] + [f"c{m + 1}" for m in dims], values,
                  note="Each centre moves to the mean of the embedding rows of its members.")
    obj = float(sum(((T[i] - C[labels[i]]) ** 2).sum() for i in range(T.shape[0])))
    return Working((table,), {"embedding_centers": C, "objective": obj})


def working(X, steps, index, params, names=None, rows=None) -> Working:
    """The working of ``steps[index]`` (see the module docstring and :mod:`engine.core.working`)."""
    step = steps[index]
    before = steps[index - 1] if index > 0 else None
    names = point_names(np.asarray(X).shape[0], names)
    if step.kind == "affinity":
        return _affinity(np.asarray(X, dtype=np.float64), step, params, names, rows)
    if step.kind == "embed":
        return _embed(np.asarray(X, dtype=np.float64), step, params, names, rows)
    if step.kind == "seed":
        return _seed(step, before, params["k"], names, rows)
    if step.kind == "assign":
        return _assign(step, before, names, rows)
    if step.kind == "update":
        return _update(step, names)
    return Working()
