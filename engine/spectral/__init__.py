"""Spectral clustering, one step at a time: the affinity graph, the embedding, then K-means in the embedding.

``steps(X, k, affinity, gamma, n_neighbors, seed)`` yields :class:`engine.core.steps.Step` records:

1. ``"affinity"``: the graph ``W`` (:mod:`engine.spectral.graph`): ``affinity="rbf"``,
   ``w_ij = exp(-gamma ||x_i - x_j||^2)``; or ``affinity="knn"``, each point joined to its ``n_neighbors - 1``
   nearest other points (``n_neighbors`` counts the point itself, as scikit-learn's does) and the graph
   symmetrised, ``W = (A + A^T) / 2``. No self-loops. Payload: ``"degrees"`` ``d_i = sum_j w_ij``, the
   ``"edges"`` to draw (pairs ``i < j``, at most :data:`engine.spectral.graph.MAX_EDGES`, the strongest)
   with their ``"edge_weights"``, ``"n_edges"`` (all of them), ``"n_components"`` and ``"components"``
   (the connected pieces of the graph).
2. ``"embed"``: the ``k`` smallest eigenvalues of the normalised Laplacian ``L = I - D^{-1/2} W D^{-1/2}``
   (``"eigenvalues"``; ``"affinity_eigenvalues"`` = ``1 - lambda``, those of ``D^{-1/2} W D^{-1/2}``),
   their eigenvectors ``U`` (``"eigenvectors"``, n x k) and the **embedding** ``T_i = U_i / ||U_i||``
   (``"embedding"``).
3. K-means on the rows of ``T`` (:func:`engine.kmeans.steps`: k-means++ ``"seed"`` steps, then ``"assign"`` and
   ``"update"`` until no point changes cluster), each step with its centres in the embedding as
   ``"embedding_centers"`` (k x k; ``Step.centers`` is ``None``: centres in the data's space would mean
   nothing here) and the K-means payload (``"changed"``, ...).

Every step from the embedding on carries ``"embedding"`` and every step the graph's payload (the same
read-only arrays, shared). Labels are ``-1`` until the first assignment. ``Step.objective`` is K-means'
``sum_n ||T_n - c_{z_n}||^2`` in the embedding (``nan`` before it is defined); it never increases.

Choices, and how they compare with scikit-learn
    The embedding is Ng, Jordan & Weiss's (2001): the eigenvectors' rows scaled to unit length.
    scikit-learn's ``SpectralClustering`` instead divides the eigenvectors by ``sqrt(d_i)``
    (``spectral_embedding(..., norm_laplacian=True, drop_first=False)``: the random-walk Laplacian's
    eigenvectors, whose first one is constant) and runs K-means with ten restarts (``n_init=10``); this
    runs it once from a seeded k-means++ start. The defaults (RBF, ``gamma = 20``) suit data of unit scale
    such as the generated moons and rings (scikit-learn's default ``gamma`` is 1). On data that spectral
    clustering separates (two moons, two rings, blobs) both give the same partition
    (``tests/test_spectral.py``). Like scikit-learn (which uses scipy's ``csgraph.laplacian``) the degrees
    leave the diagonal out.

    A graph in several connected pieces is no error: each piece's points share one place in the embedding
    when there are at most ``k`` pieces (then K-means finds them exactly); with more than ``k`` pieces the
    eigenvalue 0 repeats and the ``k`` eigenvectors are an arbitrary choice among those directions, which
    the steps' descriptions say. An RBF graph in which a point has weight 0 (underflow) to every other
    point is refused with the largest ``gamma`` that would work.

Speed
    At most :data:`MAX_POINTS` points. The RBF affinity matrix is dense; a graph in as many connected pieces as
    ``k`` (weights between far groups underflow to 0) has its eigenvectors written down, and otherwise each
    piece's come from ``numpy.linalg.eigh`` up to 500 points and from subspace inverse iteration on a Cholesky
    factor made in the memory of the affinity matrix above (:mod:`engine.spectral.eigen`,
    :mod:`engine.spectral.cholesky`). The knn graph is sparse (:mod:`engine.spectral.sparse`: found in a grid of
    cells for data of at most 3 dimensions, never an n x n matrix); its null space (one vector per connected
    piece) is written down and any further eigenvectors come from subspace inverse iteration on its exact
    factor in breadth-first level order (:mod:`engine.spectral.levels`), or block Krylov with the sparse product
    when the levels are large (:mod:`engine.spectral.krylov`), the dense solver being the last resort.

Example
-------
>>> import numpy as np
>>> X = np.array([[0, 0], [0, 1], [1, 0], [10, 10], [10, 11], [11, 10]], dtype=float)
>>> run = list(steps(X, 2, affinity="knn", n_neighbors=3, seed=0))
>>> [s.kind for s in run[:3]], run[-1].done
(['affinity', 'embed', 'seed'], True)
>>> r = fit(X, 2, affinity="knn", n_neighbors=3, seed=0)
>>> len(set(r.labels[:3].tolist())), len(set(r.labels.tolist())), r.embedding.shape
(1, 2, (6, 2))
"""
from __future__ import annotations

from engine.core.params import Param
from engine.core.registry import Algorithm
from engine.spectral import entries as _entries
from engine.spectral.run import MAX_POINTS, FitResult, check_args, fit_steps, run
from engine.spectral.working import working

__all__ = ["ALGORITHM", "steps", "fit", "FitResult", "MAX_POINTS", "AFFINITIES"]

AFFINITIES = ("rbf", "knn")


def steps(X, k=2, affinity="rbf", gamma=20.0, n_neighbors=10, seed=0):
    """Run spectral clustering step by step (see the module docstring for every rule).

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
        At most :data:`MAX_POINTS` points, no NaN or infinity.
    k : int
        Number of clusters and of eigenvectors, ``2 <= k <= n_samples``.
    affinity : {"rbf", "knn"}
    gamma : float
        RBF width: ``w_ij = exp(-gamma ||x_i - x_j||^2)`` (used by ``"rbf"`` only).
    n_neighbors : int
        Neighbours per point, the point itself included (used by ``"knn"`` only).
    seed : int, numpy.random.Generator or None
        Seeds the k-means++ start (and the eigen-solver's starting block).

    Arguments are checked when this is called; an RBF ``gamma`` so large that a point has no neighbour
    is reported at the first step.
    """
    X, p = check_args(ALGORITHM.params, X, k, affinity, gamma, n_neighbors, seed)
    return run(X, p)


def fit(X, k=2, affinity="rbf", gamma=20.0, n_neighbors=10, seed=0) -> FitResult:
    """Run to the end; a :class:`FitResult` with ``labels`` and ``embedding`` (same arguments as :func:`steps`)."""
    return fit_steps(steps(X, k, affinity, gamma, n_neighbors, seed))


ALGORITHM = Algorithm(
    name="spectral", title="Spectral clustering", steps=steps, fit=fit, order=70,
    summary="The affinity graph drawn as edges, the normalised Laplacian's eigenvectors as a second scatter, "
            "then K-means in that embedding.",
    params=(
        Param("k", "Clusters K", "int", 2, low=2, high=50,
              help="Number of clusters, and of eigenvectors in the embedding."),
        Param("affinity", "Affinity", "choice", "rbf", choices=AFFINITIES,
              choice_labels=("RBF (Gaussian)", "k nearest neighbours"),
              help="RBF: every pair weighted exp(-gamma * squared distance); "
                   "knn: each point joined to its nearest neighbours (symmetrised)."),
        Param("gamma", "γ (RBF)", "float", 20.0, low=1e-6, high=1e6,
              help="RBF width: larger gamma, more local graph (used by the RBF affinity only)."),
        Param("n_neighbors", "Neighbours (knn)", "int", 10, low=2, high=MAX_POINTS,
              help="Neighbours per point, the point itself included (used by the knn affinity only)."),
        Param("seed", "Seed", "seed", 0, help="Same seed, same run; empty for a fresh random seed."),
    ),
    objective_name="J = sum of squared distances to the centres in the embedding", objective_sense="min",
    gui="gui.algorithms.spectral.plugin:SpectralPlugin", session=_entries.SESSION, working=working,
    example={"generator": "rings", "n": 120, "seed": 0}, example_params={"k": 2},
)
