"""A Gaussian mixture's parameters: covariance types, checks of given parameters, densities, ellipses.

The public helpers for views and callers that hold fitted parameters
(:func:`responsibilities`, :func:`log_prob`, :func:`full_covariances`,
:func:`project_covariances`, :func:`ellipse`, :func:`density_grid`), and the
checks :func:`engine.gmm.steps` applies to given starting parameters
(:func:`explicit`). Covariances come in scikit-learn's shape for the
covariance type (:func:`native_shape`) and are expanded to full matrices
for drawing (:func:`expand`).

Example
-------
>>> native_shape("diag", 3, 2)
(3, 2)
"""
from __future__ import annotations

import numpy as np

from engine.core.params import ParamError
from engine.core.validation import as_data
from engine.mixture.em import GaussModel, GaussWork, Singular

__all__ = ["COVARIANCE_TYPES", "FULL_STORE_LIMIT", "check_ctype", "native_shape", "expand", "explicit",
           "full_covariances", "project_covariances", "responsibilities", "log_prob", "ellipse", "density_grid"]

COVARIANCE_TYPES = ("full", "diag", "spherical", "tied")


#: diag/spherical covariances are expanded to (k, d, d) in the payload up to this many values.
FULL_STORE_LIMIT = 100_000


def check_ctype(ctype):
    """``ctype`` when it is one of :data:`COVARIANCE_TYPES`, else a :class:`ParamError`."""
    if ctype not in COVARIANCE_TYPES:
        raise ParamError(f"covariance={ctype!r} is not allowed; choose one of "
                         f"{', '.join(repr(c) for c in COVARIANCE_TYPES)}.")
    return ctype


def native_shape(ctype, k, d):
    """scikit-learn's shape of the covariances of ``k`` components in ``d`` dimensions for ``ctype``."""
    return {"full": (k, d, d), "tied": (d, d), "diag": (k, d), "spherical": (k,)}[ctype]


def expand(cov, ctype, k, d):
    """Covariances in their native shape as (k, d, d) full matrices (tied: a broadcast view)."""
    if ctype == "full":
        return cov
    if ctype == "tied":
        return np.broadcast_to(cov, (k, d, d))
    full = np.zeros((k, d, d))
    idx = np.arange(d)
    full[:, idx, idx] = cov if ctype == "diag" else cov[:, None]
    return full


def explicit(init, k, d, ctype):
    """Check explicit starting parameters (a dict of weights, means, covariances); return (weights, means, cov) as new float arrays."""
    missing = [key for key in ("weights", "means", "covariances") if key not in init]
    if missing:
        raise ParamError(f"init is missing {', '.join(missing)}: give a dict with weights (k,), means (k, d) "
                         "and covariances.")
    try:
        w = np.array(init["weights"], dtype=float).ravel()
        mu = np.array(init["means"], dtype=float)
        cov = np.array(init["covariances"], dtype=float)
    except (TypeError, ValueError) as exc:
        raise ParamError(f"init parameters must be numbers: {exc}") from None
    if w.shape != (k,):
        raise ParamError(f"init weights have shape {w.shape}; expected ({k},) for k={k} components.")
    if mu.shape != (k, d):
        raise ParamError(f"init means have shape {mu.shape}; expected ({k}, {d}) for k={k} and {d} features.")
    want = native_shape(ctype, k, d)
    if cov.shape != want:
        raise ParamError(f"init covariances have shape {cov.shape}; covariance={ctype!r} needs {want}.")
    for name, a in (("weights", w), ("means", mu), ("covariances", cov)):
        if not np.all(np.isfinite(a)):
            raise ParamError(f"init {name} contain NaN or infinity.")
    if np.any(w <= 0):
        raise ParamError(f"init weights must be > 0 (got {w.min():g}); they are normalised to sum to 1.")
    if ctype in ("full", "tied"):
        c = cov if ctype == "full" else cov[None]
        if not np.allclose(c, np.swapaxes(c, 1, 2), rtol=1e-8, atol=1e-12 * max(np.abs(c).max(), 1e-300)):
            raise ParamError("init covariances must be symmetric matrices.")
    return w / w.sum(), mu, cov


def full_covariances(covariances, covariance_type, k, d) -> np.ndarray:
    """Expand covariances from scikit-learn's shape for ``covariance_type`` to full matrices.

    Parameters
    ----------
    covariances : ndarray
        full (k, d, d), tied (d, d), diag (k, d) or spherical (k,).
    covariance_type : {"full", "diag", "spherical", "tied"}
    k, d : int

    Returns
    -------
    ndarray of shape (k, d, d)

    Example
    -------
    >>> full_covariances(np.array([1.0, 4.0]), "spherical", 2, 2)[1].tolist()
    [[4.0, 0.0], [0.0, 4.0]]
    """
    ctype = check_ctype(covariance_type)
    cov = np.asarray(covariances, dtype=float)
    if cov.shape != native_shape(ctype, k, d):
        raise ParamError(f"covariances have shape {cov.shape}; {ctype!r} needs {native_shape(ctype, k, d)}.")
    return np.array(expand(cov, ctype, k, d))


def project_covariances(covariances, covariance_type, components) -> np.ndarray:
    """Covariances seen in a projection ``y = components @ x`` (e.g. the first two principal axes).

    Parameters
    ----------
    covariances : ndarray
        In scikit-learn's shape for ``covariance_type``.
    covariance_type : {"full", "diag", "spherical", "tied"}
    components : ndarray of shape (p, d)

    Returns
    -------
    ndarray of shape (k, p, p)
        ``components @ Sigma_k @ components.T`` (tied: k = 1).

    Example
    -------
    >>> project_covariances(np.array([[1.0, 9.0]]), "diag", np.array([[0.0, 1.0]])).tolist()
    [[[9.0]]]
    """
    ctype = check_ctype(covariance_type)
    P = np.atleast_2d(np.asarray(components, dtype=float))
    cov = np.asarray(covariances, dtype=float)
    if ctype == "full":
        return np.einsum("pi,kij,qj->kpq", P, cov, P)
    if ctype == "tied":
        return (P @ cov @ P.T)[None]
    if ctype == "diag":
        return np.einsum("pi,ki,qi->kpq", P, cov, P)
    return cov[:, None, None] * (P @ P.T)[None]


def _model_for(X, weights, means, covariances, covariance_type):
    """Validate public parameters; return (centred data workspace, model)."""
    X = as_data(X)
    ctype = check_ctype(covariance_type)
    means = np.asarray(means, dtype=float)
    k = means.shape[0] if means.ndim == 2 else 0
    if means.ndim != 2 or means.shape[1] != X.shape[1]:
        raise ParamError(f"means have shape {means.shape}; expected (k, {X.shape[1]}) for X with "
                         f"{X.shape[1]} features.")
    w, mu, cov = explicit({"weights": weights, "means": means, "covariances": covariances}, k, X.shape[1], ctype)
    shift = X.mean(axis=0)
    ws = GaussWork(X - shift, k)
    try:
        model = GaussModel(w, mu - shift, cov, ctype)
    except Singular as exc:
        where = "the tied covariance" if exc.index is None else f"covariance {exc.index}"
        raise ParamError(f"{where} is not positive definite; give symmetric positive-definite matrices.") from None
    return ws, model


def responsibilities(X, weights, means, covariances, covariance_type="full") -> np.ndarray:
    """Responsibilities ``q_nk`` of each component for each point.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    weights : ndarray of shape (k,)
    means : ndarray of shape (k, d)
    covariances : ndarray
        (k, d, d) for ``covariance_type="full"`` (the payload's ``"covariances"``), otherwise
        scikit-learn's shape for the type.

    Returns
    -------
    ndarray of shape (n, k)
        Rows sum to 1.

    Example
    -------
    >>> q = responsibilities([[0.0], [10.0]], [0.5, 0.5], [[0.0], [10.0]], [[[1.0]], [[1.0]]])
    >>> np.round(q, 6).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    ws, model = _model_for(X, weights, means, covariances, covariance_type)
    ws.loglik(model)
    return ws.estep().T.copy()


def log_prob(X, weights, means, covariances, covariance_type="full") -> np.ndarray:
    """Log density of the mixture at each point, ``log sum_k pi_k N(x_n | mu_k, Sigma_k)``.

    Parameters as :func:`responsibilities`. Returns an ndarray of shape (n,); its sum is the
    log-likelihood (``Step.objective``).

    Example
    -------
    >>> round(float(log_prob([[0.0]], [1.0], [[0.0]], [[[1.0]]])[0]), 6)  # -log(sqrt(2 pi))
    -0.918939
    """
    ws, model = _model_for(X, weights, means, covariances, covariance_type)
    ws.loglik(model)
    return np.log(ws.s) + ws.m


def ellipse(mean2, cov2x2, n_std=1.0, n_points=100) -> np.ndarray:
    """Closed polyline of the ellipse ``(x - mean)^T Sigma^-1 (x - mean) = n_std^2``.

    Parameters
    ----------
    mean2 : array of shape (2,)
    cov2x2 : array of shape (2, 2)
        Symmetric positive semi-definite (a flat covariance gives a segment).
    n_std : float
        Radius in standard deviations.
    n_points : int

    Returns
    -------
    ndarray of shape (n_points, 2)
        The first and last points coincide.

    Example
    -------
    >>> np.round(ellipse([0, 0], [[4.0, 0], [0, 1.0]], n_points=5), 6)[:2].tolist()
    [[2.0, 0.0], [0.0, 1.0]]
    """
    mean = np.asarray(mean2, dtype=float).reshape(2)
    cov = np.asarray(cov2x2, dtype=float).reshape(2, 2)
    if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(cov))):
        raise ParamError("ellipse: mean and covariance must be finite numbers.")
    vals, vecs = np.linalg.eigh(0.5 * (cov + cov.T))
    vals, vecs = vals[::-1], vecs[:, ::-1]            # major axis first: t = 0 lies on it
    vecs = vecs * np.where(vecs[0] < 0, -1.0, 1.0)    # ... on its +x side (deterministic signs)
    axes = vecs * (float(n_std) * np.sqrt(np.maximum(vals, 0.0)))
    t = np.linspace(0.0, 2 * np.pi, int(n_points))
    pts = mean + np.column_stack([np.cos(t), np.sin(t)]) @ axes.T
    pts[-1] = pts[0]
    return pts


def density_grid(weights, means, covs, xlim, ylim, res=100):
    """Mixture density on a regular grid, for contour plots of 2-D models.

    Parameters
    ----------
    weights : (k,) ; means : (k, 2) ; covs : (k, 2, 2)
    xlim, ylim : (float, float)
    res : int
        Grid points along each axis.

    Returns
    -------
    xs : ndarray of shape (res,)
    ys : ndarray of shape (res,)
    density : ndarray of shape (res, res)
        ``density[i, j]`` is the density at ``(xs[j], ys[i])``.

    Example
    -------
    >>> xs, ys, z = density_grid([1.0], [[0.0, 0.0]], [np.eye(2)], (-1, 1), (-1, 1), 3)
    >>> round(float(z[1, 1]), 6)  # 1 / (2 pi)
    0.159155
    """
    res = int(res)
    xs = np.linspace(float(xlim[0]), float(xlim[1]), res)
    ys = np.linspace(float(ylim[0]), float(ylim[1]), res)
    gx, gy = np.meshgrid(xs, ys)
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    return xs, ys, np.exp(log_prob(pts, weights, means, covs, "full")).reshape(res, res)
