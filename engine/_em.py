"""Helpers shared by the EM algorithms (:mod:`engine.gmm`, :mod:`engine.bernoulli`).

Private module: the public entry points validate their input, these helpers
trust it. Arrays of per-component, per-point values use the *(k, n)* layout
(one contiguous row per component): sums over points are row reductions and
the log-sum-exp over components is an element-wise pass over k rows, both
cheaper than on an (n, k) array when k is small.

Example
-------
>>> import numpy as np
>>> logp = np.log(np.array([[0.2, 0.5], [0.6, 0.5]]))  # (k=2, n=2)
>>> s, m = normalise_inplace(logp)
>>> np.round(logp / s, 3).tolist(), np.round(np.log(s) + m, 3).tolist()
([[0.25, 0.5], [0.75, 0.5]], [-0.223, 0.0])
"""
from __future__ import annotations

import numpy as np

from .params import ParamError

__all__ = ["normalise_inplace", "random_resp", "one_hot", "kmeans_labels", "check_distinct",
           "frozen", "RESP_STORE_LIMIT", "EPS_NK", "stop_text"]

#: ``resp`` is stored in a step's payload only when n * k is at most this many values.
RESP_STORE_LIMIT = 200_000
#: Added to every N_k (as scikit-learn does) so an empty component never divides by zero.
EPS_NK = 10 * np.finfo(float).eps


def frozen(a) -> np.ndarray:
    """``a`` as a read-only array without copying (the caller gives up ownership)."""
    a = np.asarray(a)
    a.setflags(write=False)
    return a


def normalise_inplace(logp: np.ndarray):
    """Turn log-weights into unnormalised weights in place; return the normaliser.

    Parameters
    ----------
    logp : ndarray of shape (k, n)
        ``log pi_k + log p(x_n | k)``. Overwritten with ``exp(logp - m)``.

    Returns
    -------
    s : ndarray of shape (n,)
        Row sums of the overwritten array; ``logp / s`` are the responsibilities.
    m : ndarray of shape (n,)
        The per-point maximum; ``log(s) + m`` is ``log p(x_n)`` (log-sum-exp).
    """
    m = logp.max(axis=0)
    np.subtract(logp, m, out=logp)
    np.exp(logp, out=logp)
    s = logp.sum(axis=0)
    return s, m


def random_resp(rng: np.random.Generator, k: int, n: int) -> np.ndarray:
    """Random responsibilities, shape (k, n): uniform draws, normalised per point (as scikit-learn)."""
    r = rng.uniform(size=(n, k)).T.copy()
    r /= r.sum(axis=0)
    return r


def one_hot(labels: np.ndarray, k: int) -> np.ndarray:
    """Hard responsibilities from labels, shape (k, n)."""
    r = np.zeros((k, labels.shape[0]))
    r[labels, np.arange(labels.shape[0])] = 1.0
    return r


def check_distinct(X: np.ndarray, k: int, what: str = "components") -> None:
    """Refuse ``k`` larger than the number of distinct points, with a message that says what to do.

    Cheap in the usual case: the first few rows nearly always hold k distinct points already.
    """
    n = X.shape[0]
    head = X[: min(n, 8 * k)]
    if _n_distinct(head) >= k:
        return
    m = _n_distinct(X)
    if m < k:
        raise ParamError(f"X has only {m} distinct point(s) but k={k} {what} were asked for: "
                         f"every component needs points of its own. Lower k to at most {m} or add points.")


def _n_distinct(X: np.ndarray) -> int:
    rows = np.ascontiguousarray(X + 0.0)  # + 0.0 makes -0.0 and 0.0 the same bytes
    return int(np.unique(rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1])))).shape[0])


def kmeans_labels(X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Labels of a K-means run (k-means++ seeding, Lloyd to convergence), shape (n,).

    Uses :func:`engine.kmeans.fit` when that module is present, otherwise a small
    private k-means++ + Lloyd. The seed is drawn from ``rng`` so runs reproduce.
    """
    seed = int(rng.integers(2 ** 31 - 1))
    try:
        from . import kmeans as _km
    except ImportError:
        _km = None
    if _km is not None and hasattr(_km, "fit"):
        res = _km.fit(X, k, seed=seed, init="k-means++")
        return np.asarray(res.labels, dtype=np.intp)
    return _private_kmeans(X, k, np.random.default_rng(seed))


def _private_kmeans(X, k, rng, max_iter=300):
    n = X.shape[0]
    sq = np.einsum("ij,ij->i", X, X)
    centers = np.empty((k, X.shape[1]))
    centers[0] = X[rng.integers(n)]
    d2 = np.maximum(sq - 2 * X @ centers[0] + centers[0] @ centers[0], 0)
    for j in range(1, k):
        total = d2.sum()
        idx = rng.choice(n, p=d2 / total) if total > 0 else rng.integers(n)
        centers[j] = X[idx]
        d2 = np.minimum(d2, np.maximum(sq - 2 * X @ centers[j] + centers[j] @ centers[j], 0))
    labels = np.full(n, -1)
    for _ in range(max_iter):
        dist = sq[:, None] - 2 * X @ centers.T + np.einsum("ij,ij->i", centers, centers)
        new = dist.argmin(axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
        counts = np.bincount(labels, minlength=k)
        for j in range(k):
            if counts[j]:
                centers[j] = X[labels == j].mean(axis=0)
    return labels


def stop_text(converged: bool, change: float, tol: float, max_iter: int, what: str) -> str:
    """The end of the last step's description: why the run stopped."""
    if converged:
        return f"; converged: {what} changed by {abs(change):.2g} < tol={tol:g}"
    return f"; stopped after max_iter={max_iter} iterations (last change {change:.2g} per point)"
