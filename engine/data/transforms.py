"""Transformations of data for clustering and drawing: z-scores and the 2-D PCA projection.

Example
-------
>>> Y, info = pca_2d(np.array([[0.0, 0.0, 0.0], [2.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))
>>> Y.shape, info.method
((3, 2), 'pca')
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.data.common import LoadCancelled
from engine.data.dataset import DataError
from engine.core.cancel import requested

__all__ = ["standardize", "Projection", "project_2d", "pca_2d", "feature_axes"]

#: Values of X (rows x features) centred and projected at a time by :func:`pca_2d` (4 MB): little memory beyond
#: the result, and the thread's stop check (:func:`engine.core.cancel.watching`) is looked at between blocks.
PCA_BLOCK_VALUES = 1 << 19


def standardize(X) -> np.ndarray:
    """Per-feature z-scores: subtract the mean, divide by the standard deviation (ddof=0).

    A constant feature has no spread; it becomes 0 everywhere (not NaN).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)

    Returns
    -------
    ndarray of shape (n_samples, n_features), float64

    Example
    -------
    >>> standardize(np.array([[1.0, 5.0], [3.0, 5.0]])).tolist()
    [[-1.0, 0.0], [1.0, 0.0]]
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    mean = X.mean(axis=0)
    Z = X - mean
    std = np.sqrt(np.mean(Z * Z, axis=0))
    # a feature whose spread is at rounding level of its values is constant
    const = std <= 1e-12 * np.maximum(np.abs(mean), 1.0)
    Z[:, const] = 0.0
    Z[:, ~const] /= std[~const]
    return Z


@dataclass(frozen=True, eq=False)
class Projection:
    """How :func:`pca_2d` mapped the data to the plane: ``Y = (X - mean) @ components.T``.

    Attributes
    ----------
    components : ndarray of shape (2, n_features)
        Unit directions of the two axes (principal components, largest variance first).
    mean : ndarray of shape (n_features,)
    explained_variance : ndarray of shape (2,)
        Variance of the data along each axis (ddof=1).
    explained_variance_ratio : ndarray of shape (2,)
        That variance as a share of the total variance (0 when the data have no spread).
    method : str
        ``"pca"``, ``"identity"`` (d == 2, data unchanged), ``"line"`` (d == 1, y = 0) or
        ``"features"`` (two chosen features, :func:`feature_axes`).
    message : str
        One line for people, e.g. for an axis caption.
    """

    components: np.ndarray
    mean: np.ndarray
    explained_variance: np.ndarray
    explained_variance_ratio: np.ndarray
    method: str
    message: str

    def project(self, X) -> np.ndarray:
        """Project more points (e.g. cluster centres) the same way; shape (m, 2)."""
        return project_2d(X, self.components, self.mean)


def project_2d(X, components, mean) -> np.ndarray:
    """Project points onto two directions: ``(X - mean) @ components.T``.

    Parameters
    ----------
    X : ndarray of shape (m, n_features)
    components : ndarray of shape (2, n_features)
    mean : ndarray of shape (n_features,)

    Returns
    -------
    ndarray of shape (m, 2)

    Example
    -------
    >>> project_2d(np.array([[1.0, 2.0, 3.0]]), np.eye(3)[:2], np.zeros(3)).tolist()
    [[1.0, 2.0]]
    """
    X = np.asarray(X, dtype=np.float64)
    C = np.asarray(components, dtype=np.float64)
    if X.ndim == 1:  # one point of d features, or n values of a 1-D data set
        X = X[None, :] if C.shape[1] > 1 else X[:, None]
    return (X - np.asarray(mean, dtype=np.float64)) @ C.T


def _low_dimensional(X: np.ndarray, mean: np.ndarray, rows) -> tuple[np.ndarray, Projection]:
    """:func:`pca_2d` of 1-D and 2-D data: shown as they are (1-D on the x axis)."""
    n, d = X.shape
    var = np.diag(_blocked_gram(X, mean, rows)) / (n - 1) if n > 1 else np.zeros(d)
    total = var.sum()
    ratio = var / total if total > 0 else np.zeros(d)
    Y = np.zeros((n, 2))
    for a, b in rows:
        _stop_point()
        Y[a:b, :d] = X[a:b]
    if d == 2:
        return Y, Projection(np.eye(2), np.zeros(2), var, ratio, "identity",
                             "2-D data shown as they are (no projection).")
    return Y, Projection(np.array([[1.0], [0.0]]), np.zeros(1), np.array([var[0], 0.0]),
                         np.array([ratio[0], 0.0]), "line", "1-D data on the x axis (y = 0).")


def _blocked_mean(X: np.ndarray, rows) -> np.ndarray:
    total = np.zeros(X.shape[1])
    for a, b in rows:
        _stop_point()
        total += X[a:b].sum(axis=0)
    return total / X.shape[0]


def _blocked_gram(X: np.ndarray, mean: np.ndarray, rows) -> np.ndarray:
    """``(X - mean)^T (X - mean)``, summed a block of rows at a time."""
    S = np.zeros((X.shape[1], X.shape[1]))
    for a, b in rows:
        _stop_point()
        Xb = X[a:b] - mean
        S += _product(Xb.T, Xb)
    return S


def _product(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``A @ B``; without BLAS when the shared dimension is small (``einsum``: as fast there, and never waits
    for BLAS threads on a busy machine, which made one block of a tall, thin product take 0.3 s)."""
    if A.shape[1] <= 16 or min(A.shape[0], B.shape[1]) <= 16:
        return np.einsum("ij,jk->ik", A, B)
    return A @ B


def _row_blocks(n: int, d: int) -> list[tuple[int, int]]:
    step = max(1, PCA_BLOCK_VALUES // max(d, 1))
    return [(a, min(a + step, n)) for a in range(0, n, step)]


def _stop_point() -> None:
    """Raise :class:`~engine.data.LoadCancelled` (also an :class:`engine.core.cancel.Cancelled`) once the
    thread's stop check says so: the window projects loaded data on its loader thread."""
    if requested():
        raise LoadCancelled("The projection of the data: cancelled.")


def _flip_signs(V: np.ndarray) -> np.ndarray:
    """Make each row's largest-magnitude entry positive (a deterministic sign, as scikit-learn does)."""
    idx = np.argmax(np.abs(V), axis=1)
    signs = np.sign(V[np.arange(V.shape[0]), idx])
    signs[signs == 0] = 1.0
    return V * signs[:, None]


def _top_eigenvectors(S: np.ndarray, k: int = 2, tol: float = 1e-11) -> np.ndarray:
    """The ``k`` leading eigenvectors of a symmetric PSD matrix, shape (m, k).

    Small matrices: ``numpy.linalg.eigh``. Larger ones: block subspace iteration
    with Rayleigh-Ritz (a fixed seed, so the result is deterministic) until every
    residual ``||S v - lambda v||`` is below ``tol * lambda_max``; far cheaper than
    a full eigendecomposition of a 784 x 784 matrix. Falls back to ``eigh`` if
    it has not converged.
    """
    m = S.shape[0]
    if m <= 64:
        w, U = np.linalg.eigh(S)
        return U[:, np.argsort(w)[::-1][:k]]
    b = min(m, k + 10)
    Q = np.linalg.qr(np.random.default_rng(0).standard_normal((m, b)))[0]
    for it in range(1, 301):
        Q = np.linalg.qr(S @ Q)[0]
        if it % 4 == 0:
            SQ = S @ Q
            w, U = np.linalg.eigh(Q.T @ SQ)
            order = np.argsort(w)[::-1][:k]
            V, lam = Q @ U[:, order], w[order]
            resid = np.linalg.norm(SQ @ U[:, order] - V * lam, axis=0)
            if np.all(resid <= tol * max(float(lam[0]), np.finfo(float).tiny)):
                return V
    w, U = np.linalg.eigh(S)
    return U[:, np.argsort(w)[::-1][:k]]


def pca_2d(X) -> tuple[np.ndarray, Projection]:
    """Project data onto its first two principal components for drawing.

    d > 2: centred data projected on the two leading right singular vectors
    of the centred data (found as leading eigenvectors of the smaller of its two
    Gram matrices, by subspace iteration: fast for MNIST-sized data). d == 2: the data unchanged. d == 1: the values on the
    x axis, y = 0.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)

    Returns
    -------
    Y : ndarray of shape (n_samples, 2)
    info : Projection
        Components, mean and explained variance; ``info.project(C)`` maps centres the same way.

    Example
    -------
    >>> Y, info = pca_2d(np.array([[0.0, 0, 0], [2, 0, 0], [0, 1, 0]]))
    >>> Y.shape, info.method
    ((3, 2), 'pca')
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise DataError(f"pca_2d needs a 2-D array with at least one point and one feature; got shape {X.shape}.")
    n, d = X.shape
    ddof_n = max(n - 1, 1)
    rows = _row_blocks(n, d)
    mean = _blocked_mean(X, rows)
    if d <= 2:
        return _low_dimensional(X, mean, rows)
    if n >= d:
        # right singular vectors of Xc = leading eigenvectors of Xc^T Xc (d x d), summed a block of rows at a time
        S = _blocked_gram(X, mean, rows)
        V = _top_eigenvectors(S).T
    else:
        # left singular vectors from the n x n Gram matrix, then V = U^T Xc / s
        Xc = X - mean
        S = Xc @ Xc.T
        V = _top_eigenvectors(S).T @ Xc
        norms = np.linalg.norm(V, axis=1)
        V = np.where(norms[:, None] > 0, V / np.where(norms > 0, norms, 1.0)[:, None], np.eye(2, d))
    V = _flip_signs(V)
    Y = np.empty((n, 2))
    for a, b in rows:
        _stop_point()
        Y[a:b] = _product(X[a:b] - mean, V.T)
    total = float(np.trace(S)) / ddof_n  # the sum of squares of Xc, for free
    var = np.einsum("ij,ij->j", Y, Y) / ddof_n
    ratio = var / total if total > 0 else np.zeros(2)
    info = Projection(V, mean, var, ratio, "pca",
                      f"First two principal components ({100 * ratio.sum():.1f}% of the variance).")
    return Y, info


def feature_axes(X, i: int, j: int, names=None) -> tuple[np.ndarray, Projection]:
    """Draw two features of the data as they are: feature ``i`` on x, feature ``j`` on y (0-based).

    The :class:`Projection` (method ``"features"``) maps centres the same way
    (``components`` are the unit vectors of the two features), so every overlay of
    the window follows the chosen axes. ``names``: the features' names, for the message.

    Example
    -------
    >>> Y, info = feature_axes(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), 2, 0)
    >>> Y.tolist(), info.method, info.project(np.array([[7.0, 8.0, 9.0]])).tolist()
    ([[3.0, 1.0], [6.0, 4.0]], 'features', [[9.0, 7.0]])
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 1:
        raise DataError(f"feature_axes needs a 2-D array with at least one point; got shape {X.shape}.")
    n, d = X.shape
    for k in (i, j):
        if not 0 <= int(k) < d:
            raise DataError(f"feature {int(k) + 1} does not exist: the data have {d} features (1 to {d}).")
    i, j = int(i), int(j)
    C = np.zeros((2, d))
    C[0, i] = C[1, j] = 1.0
    var = X.var(axis=0, ddof=1) if n > 1 else np.zeros(d)
    total = float(var.sum())
    pair = np.array([var[i], var[j]])
    label = [str(names[k]) if names is not None and len(names) == d else f"x{k + 1}" for k in (i, j)]
    info = Projection(C, np.zeros(d), pair, pair / total if total > 0 else np.zeros(2), "features",
                      f"Two features as they are: {label[0]} (x) and {label[1]} (y).")
    return X @ C.T, info
