"""Gaussian mixture model fitted by EM, one E- or M-step at a time.

Model: ``z_n ~ Categorical(pi)``, ``x_n | z_n = k ~ N(mu_k, Sigma_k)``.

* E-step: ``q_nk = pi_k N(x_n | mu_k, Sigma_k) / sum_j pi_j N(x_n | mu_j, Sigma_j)``, computed in
  log space (log-sum-exp over components, Cholesky factors, never an explicit inverse of a
  covariance matrix).
* M-step: ``N_k = sum_n q_nk`` (plus ``10 * eps``, as scikit-learn), ``pi_k = N_k / N``,
  ``mu_k = sum_n q_nk x_n / N_k``, ``Sigma_k = sum_n q_nk (x_n - mu_k)(x_n - mu_k)^T / N_k + reg * I``,
  restricted to the covariance type: ``"full"``, ``"diag"`` (per-feature variances),
  ``"spherical"`` (one variance per component) or ``"tied"`` (one full matrix shared by all
  components, ``sum_k N_k Sigma_k / N``). The same conventions as scikit-learn's
  ``GaussianMixture``, which the tests use as reference.

The objective is the **total** log-likelihood ``L = sum_n log sum_k pi_k N(x_n | mu_k, Sigma_k)``
(``Step.objective``); its mean ``L / N`` is in the payload as ``"loglik_mean"``. ``L`` never
decreases from one step to the next (``objective_sense="max"``): an E-step leaves the parameters
and so ``L`` unchanged, an M-step cannot lower it. The run stops after the M-step whose change in
the *mean* log-likelihood is below ``tol`` (``status="converged"``) or after ``max_iter``
iterations (one iteration = one E-step + one M-step).

Payload of every step (read-only arrays, shared between steps where unchanged):

``"weights"`` (k,), ``"means"`` (k, d) (also ``Step.centers``), ``"covariances"`` (k, d, d) - every
covariance type expanded to full matrices for drawing (omitted only for diag/spherical models whose
expansion would exceed 100,000 values; use :func:`full_covariances` or :func:`project_covariances`),
``"covariances_native"`` in scikit-learn's shape for the type (full (k, d, d), tied (d, d), diag (k, d),
spherical (k,)), ``"covariance_type"``, ``"loglik"``, ``"loglik_mean"``, ``"reg"``; E- and M-steps add
``"resp"`` (n, k) float32 when ``n * k <= 200,000`` (otherwise recompute it with
:func:`responsibilities`), E-steps ``"changed"`` (points whose most likely component changed) and
M-steps ``"n_k"`` (k,). ``Step.labels`` is the most likely component of each point.

Example
-------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> X = np.vstack([rng.normal(0, 1, (50, 2)), rng.normal(6, 1, (50, 2))])
>>> r = fit(X, 2, seed=0)
>>> r.converged, sorted(np.round(r.weights, 2).tolist())
(True, [0.5, 0.5])
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from engine.mixture.em import (RESP_STORE_LIMIT, GaussWork as _Work, GaussModel as _Model, Singular as _Singular,
                  check_distinct, factor as _factor, frozen, kmeans_labels, mstep_2d as _mstep_2d,
                  mstep_general as _mstep_general, one_hot, random_resp, stop_text, variance_floor, _n_distinct)
from engine.core.params import Param, ParamError
from engine.core.registry import Algorithm
from engine.core.steps import Step, TraceBuilder, compact_labels
from engine.core.validation import as_data, check_k, make_rng

__all__ = ["ALGORITHM", "COVARIANCE_TYPES", "steps", "fit", "GMMResult", "responsibilities", "log_prob",
           "full_covariances", "project_covariances", "ellipse", "density_grid"]

COVARIANCE_TYPES = ("full", "diag", "spherical", "tied")
#: A component whose N_k falls below this (in points) has lost all its points.
EMPTY_NK = 1e-8
#: diag/spherical covariances are expanded to (k, d, d) in the payload up to this many values.
FULL_STORE_LIMIT = 100_000


def _advice(reg, k, *extra) -> str:
    """"increase reg (now 0), lower k (now 3), or ...": only what can help (no "lower k" when k = 1)."""
    parts = [f"increase reg (now {reg:g})", *extra]
    if k > 1:
        parts += [f"lower k (now {k})", "try another seed or initialisation"]
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + (", or " if len(parts) > 2 else " or ") + parts[-1]


def _collapse_error(exc, X, R, Nk, ctype, reg, k) -> ParamError:
    """A message for a singular covariance that says which component, why, and what to do.

    Components are numbered 1..k, as the window draws them.
    """
    if exc.index is None:
        return ParamError("the shared covariance (covariance='tied') is singular: the points lie on a line "
                          f"or plane, not spread in all {X.shape[1]} directions. Increase reg (now {reg:g}) "
                          "or use covariance='spherical'.")
    j = exc.index
    members = R[j] > 0.5 if R is not None else np.zeros(X.shape[0], bool)
    n_pts = int(members.sum())
    distinct = _n_distinct(X[members]) if n_pts else 0
    nk = f"N_k = {Nk[j]:.3g}" if Nk is not None else "given"
    if distinct == 1:
        return ParamError(f"component {j + 1} of {k} collapsed onto a single point ({n_pts} identical data "
                          f"point(s), {nk}), so its covariance is singular: {_advice(reg, k)}.")
    if distinct == 0:
        return ParamError(f"component {j + 1} of {k} collapsed: no point belongs mostly to it ({nk}) and its "
                          f"covariance is singular: {_advice(reg, k)}.")
    fix = _advice(reg, k, "use covariance='spherical'")
    return ParamError(f"component {j + 1} of {k} is flat: its {n_pts} points lie on a line or plane ({nk}), so its "
                      f"covariance is singular: {fix}.")


def _new_model(X, R, weights, means, cov, Nk, ctype, reg, k, floor):
    if Nk is not None and Nk.min() < EMPTY_NK:
        j = int(np.argmin(Nk))
        raise ParamError(f"component {j + 1} of {k} lost all its points (N_k = {Nk[j]:.2g}): nothing is left to "
                         f"estimate its mean and covariance from. Lower k (now {k}) or start it closer to the data "
                         "(another seed or initialisation).")
    try:
        return _Model(weights, means, cov, ctype, floor)
    except _Singular as exc:
        raise _collapse_error(exc, X, R, Nk, ctype, reg, k) from None


def _native_shape(ctype, k, d):
    return {"full": (k, d, d), "tied": (d, d), "diag": (k, d), "spherical": (k,)}[ctype]


def _explicit(init, k, d, ctype):
    """Check explicit starting parameters; return (weights, means, cov) as new float arrays."""
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
    want = _native_shape(ctype, k, d)
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


def _expand(cov, ctype, k, d):
    if ctype == "full":
        return cov
    if ctype == "tied":
        return np.broadcast_to(cov, (k, d, d))
    full = np.zeros((k, d, d))
    idx = np.arange(d)
    full[:, idx, idx] = cov if ctype == "diag" else cov[:, None]
    return full


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
    ctype = _check_ctype(covariance_type)
    cov = np.asarray(covariances, dtype=float)
    if cov.shape != _native_shape(ctype, k, d):
        raise ParamError(f"covariances have shape {cov.shape}; {ctype!r} needs {_native_shape(ctype, k, d)}.")
    return np.array(_expand(cov, ctype, k, d))


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
    ctype = _check_ctype(covariance_type)
    P = np.atleast_2d(np.asarray(components, dtype=float))
    cov = np.asarray(covariances, dtype=float)
    if ctype == "full":
        return np.einsum("pi,kij,qj->kpq", P, cov, P)
    if ctype == "tied":
        return (P @ cov @ P.T)[None]
    if ctype == "diag":
        return np.einsum("pi,ki,qi->kpq", P, cov, P)
    return cov[:, None, None] * (P @ P.T)[None]


def _check_ctype(ctype):
    if ctype not in COVARIANCE_TYPES:
        raise ParamError(f"covariance={ctype!r} is not allowed; choose one of "
                         f"{', '.join(repr(c) for c in COVARIANCE_TYPES)}.")
    return ctype


def _model_for(X, weights, means, covariances, covariance_type):
    """Validate public parameters; return (centred data workspace, model)."""
    X = as_data(X)
    ctype = _check_ctype(covariance_type)
    means = np.asarray(means, dtype=float)
    k = means.shape[0] if means.ndim == 2 else 0
    if means.ndim != 2 or means.shape[1] != X.shape[1]:
        raise ParamError(f"means have shape {means.shape}; expected (k, {X.shape[1]}) for X with "
                         f"{X.shape[1]} features.")
    w, mu, cov = _explicit({"weights": weights, "means": means, "covariances": covariances}, k, X.shape[1], ctype)
    shift = X.mean(axis=0)
    ws = _Work(X - shift, k)
    try:
        model = _Model(w, mu - shift, cov, ctype)
    except _Singular as exc:
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


def _check_args(X, k, covariance, init, reg, seed, max_iter, tol):
    X = as_data(X)
    by = {p.name: p for p in ALGORITHM.params}
    covariance = by["covariance"].check(covariance)
    reg, max_iter, tol = by["reg"].check(reg), by["max_iter"].check(max_iter), by["tol"].check(tol)
    k = check_k(k, X.shape[0])
    if isinstance(init, Mapping):
        w = np.asarray(init.get("weights", ()))
        if w.ndim == 1 and w.shape[0] != k:
            raise ParamError(f"k={k} but init gives {w.shape[0]} weights: they must agree.")
        init = _explicit(init, k, X.shape[1], covariance)
        try:
            _factor(init[2], covariance, X.shape[1])
        except _Singular as exc:
            where = "the tied covariance" if exc.index is None else f"covariances[{exc.index}]"
            raise ParamError(f"init: {where} is not positive definite; give symmetric positive-definite "
                             "matrices.") from None
    elif isinstance(init, str):
        init = by["init"].check(init)
    else:
        raise ParamError(f"init={init!r} should be 'kmeans', 'random' or a dict of weights, means, covariances.")
    check_distinct(X, k)
    make_rng(seed)
    return X, k, covariance, init, reg, seed, max_iter, tol


def steps(X, k=3, covariance="full", init="kmeans", reg=1e-6, seed=None, max_iter=200, tol=1e-6):
    """Fit a Gaussian mixture by EM, yielding an "init" step, then alternating "E" and "M" steps.

    Parameters
    ----------
    X : array-like of shape (n, d)
    k : int
        Number of components, ``1 <= k <=`` number of distinct points.
    covariance : {"full", "diag", "spherical", "tied"}
    init : "kmeans", "random" or dict
        ``"kmeans"``: responsibilities from a K-means partition (k-means++ seeding, at most 30 Lloyd
        iterations), then an M-step.
        ``"random"``: uniformly random responsibilities normalised per point, then an M-step.
        dict: ``weights`` (k,) (normalised to sum 1), ``means`` (k, d) and ``covariances`` in
        scikit-learn's shape for ``covariance`` - used as they are (``reg`` is not added).
    reg : float
        Added to the diagonal of every covariance in each M-step (scikit-learn's ``reg_covar``).
    seed : int or None
        Seed for the initialisation (None: a fresh one).
    max_iter : int
        Maximum number of iterations (E-step + M-step).
    tol : float
        Stop when the mean log-likelihood changes by less than ``tol`` in one iteration.

    Returns
    -------
    generator of :class:`engine.core.steps.Step`
        Arguments are checked when ``steps`` is called; a component that collapses raises a
        :class:`ParamError` while iterating.

    Example
    -------
    >>> X = np.array([[0.0, 0.1], [0.2, 0.0], [0.1, 0.3], [5.0, 5.1], [5.2, 5.0], [5.1, 4.8]])
    >>> run = list(steps(X, 2, covariance="spherical", seed=1))
    >>> [s.kind for s in run[:3]], run[-1].done
    (['init', 'E', 'M'], True)
    """
    args = _check_args(X, k, covariance, init, reg, seed, max_iter, tol)
    return _run(*args)


def _run(X, k, ctype, init, reg, seed, max_iter, tol):
    n, d = X.shape
    shift = X.mean(axis=0)
    Xc = X - shift
    floor = variance_floor(X)
    rng = make_rng(seed)
    ws = _Work(Xc, k)
    store_resp = n * k <= RESP_STORE_LIMIT
    trace = TraceBuilder()

    def params_of(model):
        """Read-only parameter arrays for the payload, shared by the steps that show this model."""
        cov = frozen(model.cov.copy())
        out = {"weights": frozen(model.weights.copy()), "means": frozen(model.means + shift),
               "covariances_native": cov, "covariance_type": ctype, "reg": reg}
        if ctype in ("full", "tied") or k * d * d <= FULL_STORE_LIMIT:
            out["covariances"] = cov if ctype == "full" else frozen(_expand(cov, ctype, k, d))
        return out

    if isinstance(init, tuple):  # explicit parameters, checked by _check_args
        w, mu, cov = init
        model = _Model(w, mu - shift, cov, ctype)
        labels = compact_labels(np.full(n, -1), k)
        how, R0 = "from the given parameters", None
    else:
        if init == "kmeans":
            lab = kmeans_labels(X, k, rng)
            R0, how = one_hot(lab, k), "from a K-means partition (k-means++ seeding), then an M-step"
        else:
            R0, how = random_resp(rng, k, n), "from random responsibilities, then an M-step"
            lab = R0.argmax(axis=0)
        labels = compact_labels(lab, k)
        w, mu, cov, Nk = _mstep_general(Xc, R0, ctype, reg)
        model = _new_model(X, R0, w, mu, cov, Nk, ctype, reg, k, floor)
    ll = ws.loglik(model)
    params = params_of(model)
    pay = {**params, "loglik": ll, "loglik_mean": ll / n}
    if R0 is not None and store_resp:
        pay["resp"] = frozen(np.ascontiguousarray(R0.T, dtype=np.float32))
    yield Step("init", f"initialised {k} {ctype}-covariance components {how}; log-likelihood {ll:.6g}",
               labels=labels, centers=pay["means"], objective=ll, trace=trace.next(ll), iteration=0, payload=pay)
    prev = None if R0 is None else labels
    for it in range(1, max_iter + 1):
        R = ws.estep()
        labels = compact_labels(R.argmax(axis=0), k)
        changed = n if prev is None else int(np.count_nonzero(labels != prev))
        resp = frozen(np.ascontiguousarray(R.T, dtype=np.float32)) if store_resp else None
        pay = {**params, "loglik": ll, "loglik_mean": ll / n, "changed": changed}
        if store_resp:
            pay["resp"] = resp
        yield Step("E", f"E-step {it}: responsibilities from the current parameters; {changed} point(s) changed "
                        f"their most likely component; log-likelihood {ll:.6g}",
                   labels=labels, centers=pay["means"], objective=ll, trace=trace.next(ll), iteration=it,
                   payload=pay)
        if d == 2:
            w, mu, cov, Nk = _mstep_2d(ws, R, model, reg)
        else:
            w, mu, cov, Nk = _mstep_general(Xc, R, ctype, reg)
        model = _new_model(X, R, w, mu, cov, Nk, ctype, reg, k, floor)
        ll_new = ws.loglik(model)
        change = (ll_new - ll) / n
        ll, prev = ll_new, labels
        converged = abs(change) < tol
        done = converged or it == max_iter
        text = (f"M-step {it}: re-estimated weights, means and {ctype} covariances; log-likelihood {ll:.6g} "
                f"({change:+.3g} per point)")
        if done:
            text += stop_text(converged, change, tol, max_iter, "the mean log-likelihood")
        params = params_of(model)
        pay = {**params, "loglik": ll, "loglik_mean": ll / n, "n_k": frozen(Nk)}
        if store_resp:
            pay["resp"] = resp
        yield Step("M", text, labels=labels, centers=pay["means"], objective=ll, trace=trace.next(ll),
                   iteration=it, done=done, status=("converged" if converged else "max_iter") if done else "",
                   payload=pay)
        if done:
            return


@dataclass(frozen=True)
class GMMResult:
    """What :func:`fit` returns.

    Attributes
    ----------
    weights : (k,) ; means : (k, d)
    covariances : scikit-learn's shape for ``covariance_type``
    covariances_full : (k, d, d)
    covariance_type : str
    resp : (n, k) responsibilities under the final parameters
    labels : (n,) most likely component under the final parameters
    loglik : (n_iter + 1,) total log-likelihood of the initial parameters and after each iteration
    n_iter : int ; converged : bool
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    covariances_full: np.ndarray
    covariance_type: str
    resp: np.ndarray
    labels: np.ndarray
    loglik: np.ndarray
    n_iter: int
    converged: bool


def fit(X, k=3, covariance="full", init="kmeans", reg=1e-6, seed=None, max_iter=200, tol=1e-6) -> GMMResult:
    """Run :func:`steps` to the end and return the fitted mixture (parameters as :func:`steps`).

    Example
    -------
    >>> X = np.array([[0.0, 0.1], [0.2, 0.0], [0.1, 0.3], [5.0, 5.1], [5.2, 5.0], [5.1, 4.8]])
    >>> r = fit(X, 2, covariance="spherical", seed=1)
    >>> r.resp.shape, bool(np.allclose(r.resp.sum(axis=1), 1))
    ((6, 2), True)
    """
    gen = steps(X, k, covariance, init, reg, seed, max_iter, tol)
    lls, last = [], None
    for step in gen:
        if step.kind in ("init", "M"):
            lls.append(step.objective)
        last = step
    p = last.payload
    X = as_data(X)
    resp = responsibilities(X, p["weights"], p["means"], p["covariances_native"], covariance)
    return GMMResult(weights=np.array(p["weights"]), means=np.array(p["means"]),
                     covariances=np.array(p["covariances_native"]),
                     covariances_full=full_covariances(p["covariances_native"], covariance, len(p["weights"]),
                                                       X.shape[1]),
                     covariance_type=covariance, resp=resp, labels=resp.argmax(axis=1),
                     loglik=np.array(lls), n_iter=last.iteration, converged=last.converged)


ALGORITHM = Algorithm(
    name="gmm", gui="gui.algorithms.gmm.plugin:GmmPlugin", order=30, fit=fit,
    title="Gaussian mixture (EM)", steps=steps,
    params=(
        Param("k", "Components", "int", 3, low=1, high=50, help="Number of Gaussian components."),
        Param("covariance", "Covariance", "choice", "full", choices=COVARIANCE_TYPES,
              help="Shape of each component: full ellipses, axis-aligned (diag), circles (spherical), "
                   "or one shared ellipse (tied)."),
        Param("init", "Initialisation", "choice", "kmeans", choices=("kmeans", "random"),
              help="Start from a K-means partition or from random responsibilities."),
        Param("reg", "Regularisation", "float", 1e-6, low=0.0, high=1e6,
              help="Added to every covariance diagonal; keeps components from collapsing onto a point."),
        Param("seed", "Seed", "seed", 0, help="Same seed, same run; empty for a fresh random seed."),
        Param("max_iter", "Max iterations", "int", 200, low=1, high=100_000,
              help="Stop after this many E+M iterations."),
        Param("tol", "Tolerance", "float", 1e-6, low=0.0, high=1.0,
              help="Stop when the mean log-likelihood changes by less than this."),
    ),
    objective_name="log-likelihood", objective_sense="max",
)
