"""One spectral clustering run: the affinity graph, the embedding, then Lloyd's iterations in the embedding.

:func:`engine.spectral.steps` checks its arguments (:func:`check_args`) when it is called and returns the
generator :func:`run`; the rules are in the :mod:`engine.spectral` docstring, the graph in
:mod:`engine.spectral.graph`, the eigenvectors in :mod:`engine.spectral.eigen`. The K-means part is
:func:`engine.kmeans.steps` itself, run on the embedding (k-means++ seeding, then assign / update until no
point changes cluster); its steps are passed on with the embedding's centres moved into the payload, since
``Step.centers`` lives in the data's space.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine import kmeans as ekm
from engine.core.params import ParamError, validate_params
from engine.core.steps import Step, TraceBuilder, compact_labels, readonly
from engine.core.validation import as_data, make_rng, n_distinct
from engine.spectral import eigen, graph

__all__ = ["run", "fit_steps", "FitResult", "check_args", "build_graph", "too_many_points", "MAX_POINTS", "MAX_ITER"]

#: At most this many points (the RBF affinity is a dense n x n matrix; the knn graph's dense fallback too).
MAX_POINTS = 5000
#: Lloyd iterations in the embedding (K-means converges long before on an embedding that separates).
MAX_ITER = 300


def check_args(params_decl, X, k, affinity, gamma, n_neighbors, seed) -> tuple:
    """Checked ``(X, params)``; a :class:`ParamError` that says what to change otherwise."""
    p = validate_params(params_decl, {"k": k, "affinity": affinity, "gamma": gamma, "n_neighbors": n_neighbors,
                                      "seed": seed})
    X = as_data(X, min_samples=2)
    n = X.shape[0]
    if n > MAX_POINTS:
        raise ParamError(too_many_points(n, p["affinity"]))
    if p["k"] > n:
        raise ParamError(f"k={p['k']} should be <= the number of points ({n}).")
    if p["affinity"] == "knn" and p["n_neighbors"] > n:
        raise ParamError(f"n_neighbors={p['n_neighbors']} should be <= the number of points ({n}); it counts the "
                         "point itself.")
    distinct = n_distinct(X)
    if distinct < p["k"]:
        raise ParamError(f"the data have {distinct} distinct point(s), fewer than k={p['k']}: choose a smaller k.")
    return X, p


def too_many_points(n: int, affinity: str) -> str:
    """Why ``n > MAX_POINTS`` points are refused, true for the affinity, and what to do instead."""
    if affinity == "rbf":
        why = (f"the RBF affinity joins every pair of points, a dense {n:,} x {n:,} matrix "
               f"({n * n * 8 / 1e9:.1f} GB) whose eigenvectors take time of order n^3")
    else:
        why = ("the knn graph itself is sparse, but its eigenvectors are computed from the dense "
               f"{n:,} x {n:,} matrix ({n * n * 8 / 1e9:.1f} GB) when the sparse iteration does not converge")
    return (f"spectral clustering takes at most {MAX_POINTS:,} points here and these data have {n:,}: {why}. "
            f"Take a sample of at most {MAX_POINTS:,} points, or choose an algorithm made for more points "
            "(K-means, DBSCAN).")


def build_graph(X: np.ndarray, p: dict) -> tuple[np.ndarray, str]:
    """The affinity graph (dense for RBF, a sparse graph for knn) and how the description names it; a
    ParamError for an RBF point without neighbours."""
    if p["affinity"] == "knn":
        return graph.knn_graph(X, p["n_neighbors"]), (
            f"{p['n_neighbors']}-nearest-neighbour graph, symmetrised (w = 1 mutual, 1/2 one-sided)")
    W = graph.rbf_affinity(X, p["gamma"])
    lonely = np.flatnonzero(W.max(axis=1) <= np.finfo(float).tiny)
    if lonely.size:
        i = int(lonely[0])
        d2 = np.delete(((X - X[i]) ** 2).sum(axis=1), i).min()
        raise ParamError(f"gamma={p['gamma']:g} is too large for these data: point {i + 1} (and {lonely.size - 1} "
                         f"more) has weight exp(-gamma * {d2:.3g}) = 0 to every other point, so it has no "
                         f"neighbour in the graph. Choose gamma below {700 / max(d2, 1e-300):.3g}, or the knn "
                         "affinity.")
    return W, f"RBF graph, w_ij = exp(-gamma ||x_i - x_j||^2), gamma = {p['gamma']:g}"


def _graph_step(W, X, what, k, unassigned):
    edges, weights, total = graph.strongest_edges(W, X)
    count, comp = graph.components(W)
    d = readonly(graph.degrees(W))
    drawn = f"all {total:,} edges drawn" if total <= edges.shape[0] else \
        f"the {edges.shape[0]:,} strongest of {total:,} edges drawn"
    pieces = f"{count} connected piece{'s' if count != 1 else ''}"
    if count > k:
        pieces += f" (more than k = {k}: raise n_neighbors or lower gamma, or choose k = {count})"
    payload = {"degrees": d, "edges": readonly(edges), "edge_weights": readonly(weights), "n_edges": total,
               "n_components": count, "components": readonly(comp)}
    text = f"affinity: {what}; {pieces}; {drawn}; degrees d_i = sum_j w_ij from {d.min():.3g} to {d.max():.3g}"
    return Step("affinity", text, labels=unassigned, payload=payload), payload


def _embed_step(W, k, rng, unassigned, shared, count):  # W is overwritten (the caller drops it)
    lam, U = eigen.laplacian_eigen(W, k, rng, pieces=(count, np.asarray(shared["components"])), overwrite=True)
    T = readonly(eigen.njw_rows(U))
    values = ", ".join(f"{v:.3g}" for v in np.where(np.abs(lam) < 1e-12, 0.0, lam))
    note = "" if count <= k else (f"; eigenvalue 0 repeats {count} times (one per piece), so these {k} "
                                  "eigenvectors are one arbitrary choice among them")
    payload = {**shared, "embedding": T, "eigenvectors": readonly(U), "eigenvalues": readonly(lam),
               "affinity_eigenvalues": readonly(1.0 - lam)}
    text = (f"embedding: the {k} smallest eigenvalues of L = I - D^-1/2 W D^-1/2 are {values}; each point's row "
            f"of their eigenvectors, scaled to length 1, is its position in the embedding{note}")
    return Step("embed", text, labels=unassigned, payload=payload), payload


def run(X: np.ndarray, p: dict):
    """The steps of one run on checked input (see :func:`engine.spectral.steps`)."""
    n, k = X.shape[0], p["k"]
    eig_rng, km_rng = make_rng(p["seed"]).spawn(2)
    trace = TraceBuilder()
    unassigned = compact_labels(np.full(n, -1), k)
    W, what = build_graph(X, p)
    step, shared = _graph_step(W, X, what, k, unassigned)
    yield _with_trace(step, trace)
    step, shared = _embed_step(W, k, eig_rng, unassigned, shared, shared["n_components"])
    del W
    yield _with_trace(step, trace)
    T = np.asarray(shared["embedding"])
    for s in ekm.steps(T, k, init="k-means++", seed=km_rng, max_iter=MAX_ITER):
        payload = {**{key: v for key, v in s.payload.items()}, **shared, "embedding_centers": s.centers}
        yield Step(s.kind, "in the embedding, " + s.description, labels=s.labels_source, objective=s.objective,
                   trace=trace.next(s.objective), iteration=s.iteration, done=s.done, status=s.status,
                   payload=payload)


def _with_trace(step: Step, trace: TraceBuilder) -> Step:
    return Step(step.kind, step.description, labels=step.labels_source, objective=step.objective,
                trace=trace.next(step.objective), iteration=step.iteration, payload=step.payload)


@dataclass(frozen=True, eq=False)
class FitResult:
    """The end of a spectral clustering run.

    Attributes
    ----------
    labels : ndarray of shape (n_samples,)
    embedding : ndarray of shape (n_samples, k)
        Each point's row of the first k eigenvectors of the normalised Laplacian, scaled to length 1.
    eigenvalues : ndarray of shape (k,)
        The k smallest eigenvalues of the normalised Laplacian, ascending.
    embedding_centers : ndarray of shape (k, k)
        The K-means centres in the embedding.
    degrees : ndarray of shape (n_samples,)
    n_components : int
        Connected pieces of the affinity graph.
    objective : float
        Sum of squared distances to the centres in the embedding.
    n_iter : int
    converged : bool
    """

    labels: np.ndarray
    embedding: np.ndarray
    eigenvalues: np.ndarray
    embedding_centers: np.ndarray
    degrees: np.ndarray
    n_components: int
    objective: float
    n_iter: int
    converged: bool


def fit_steps(gen) -> FitResult:
    """Consume a run into a :class:`FitResult`."""
    last = None
    for last in gen:
        pass
    p = last.payload
    return FitResult(labels=readonly(last.labels, dtype=np.intp), embedding=p["embedding"],
                     eigenvalues=p["eigenvalues"], embedding_centers=p["embedding_centers"], degrees=p["degrees"],
                     n_components=int(p["n_components"]), objective=float(last.objective),
                     n_iter=int(last.iteration), converged=last.status == "converged")
