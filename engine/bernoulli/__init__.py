"""Mixture of multivariate Bernoulli distributions fitted by EM (binary images such as MNIST).

Model: ``z_n ~ Categorical(pi)``, ``p(x | z = k) = prod_d theta_kd^x_d (1 - theta_kd)^(1 - x_d)``.

* E-step: ``gamma_nk = pi_k p(x_n | k) / sum_j pi_j p(x_n | j)`` in log space; the log-probabilities of all
  points are one matrix product, ``X @ (log theta - log(1 - theta)).T + sum_d log(1 - theta_kd)``.
* M-step: ``N_k = sum_n gamma_nk``, ``theta_kd = (sum_n gamma_nk x_nd + alpha) / (N_k + 2 alpha)``, then
  clipped to ``[1e-10, 1 - 1e-10]``; ``pi_k = N_k / N``, or ``1 / K`` with ``fixed_weights=True``
  (the textbook variant).

``alpha`` is the strength of a symmetric ``Beta(alpha + 1, alpha + 1)`` prior on every ``theta_kd``: the
update above is the maximum a posteriori (MAP) estimate, and ``alpha = 0`` gives the plain
maximum-likelihood update ``sum_n gamma_nk x_nd / N_k``. With ``alpha > 0`` no pixel probability is ever
0 or 1, so a pixel never seen on in a cluster cannot veto that cluster for a new image.

**What never decreases.** EM maximises the log posterior
``log p(X | pi, theta) + sum_kd log Beta(theta_kd; alpha + 1, alpha + 1)`` (the prior term is 0 when
``alpha = 0``) over ``theta`` in the box ``[1e-10, 1 - 1e-10]`` (and ``pi`` free, or held uniform): the
E-step leaves it unchanged and the M-step cannot lower it (each ``theta_kd`` term is concave, so the
clipped update is the maximiser inside the box). ``Step.objective`` is therefore this **log posterior**
(``objective_sense="max"``); with ``alpha = 0`` it *is* the log-likelihood. The log-likelihood itself
is in the payload (``"loglik"``) and may dip slightly when ``alpha > 0``. Values are totals over points;
the run stops after the M-step whose change in ``objective / N`` is below ``tol``, or after ``max_iter``
iterations (one iteration = one E-step + one M-step).

**Precision.** The E-step and every reported objective are computed in float64. When
``n * d * k >= 10**7`` (MNIST-sized runs) the M-step's sums ``sum_n gamma_nk x_nd`` use float32 matrix
products, about twice as fast. Theta is then accurate to about 1e-6 relative and the objective
differs from an all-float64 run by about 1e-8 relative; the no-decrease guarantee is weakened only
to second order in that error (the M-step maximises a lower bound that touches the objective at the
old parameters), i.e. ~1e-12 relative, far below the 1e-10 tolerance of a monotonicity check.
Smaller runs are float64 throughout.

Payload: ``"probs"`` (k, d) theta (also ``Step.centers``), ``"weights"`` (k,), ``"loglik"``, ``"logpost"``,
``"loglik_mean"``, ``"alpha"``, ``"fixed_weights"``, ``"clip"`` (the bounds), ``"n_clipped"`` (theta values on
a bound); E- and M-steps add ``"resp"`` (n, k) float32 when ``n * k <= 200,000``, E-steps ``"changed"``,
M-steps ``"n_k"``.

Example
-------
>>> X = np.array([[1, 1, 0, 0], [1, 1, 0, 0], [1, 0, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1], [0, 1, 1, 1]])
>>> r = fit(X, 2, seed=0)
>>> sorted(np.round(r.probs[:, 0], 1).tolist()), r.converged  # about (3 + alpha) / (3 + 2 alpha)
([0.2, 0.8], True)
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from engine.mixture.em import (EPS_NK, RESP_STORE_LIMIT, check_distinct, frozen, kmeans_labels, normalise_inplace, one_hot,
                  stop_text)
from engine.core.params import Param, ParamError
from engine.core.registry import Algorithm
from engine.core.steps import Step, TraceBuilder, compact_labels
from engine.core.validation import as_data, check_k, make_rng

__all__ = ["ALGORITHM", "steps", "fit", "BernoulliResult", "check_binary", "log_prior", "responsibilities",
           "match_centres", "CLIP"]

#: Every theta is clipped into this closed interval after the M-step.
CLIP = (1e-10, 1.0 - 1e-10)
#: From this many n * d * k multiply-adds on, the M-step's sums use float32 matrix products.
FLOAT32_MIN_WORK = 10_000_000


def check_binary(X, name="X") -> np.ndarray:
    """``X`` as a float array of 0s and 1s, or a :class:`ParamError` that shows an offending value.

    Example
    -------
    >>> check_binary([[0, 1], [1, 1]]).dtype
    dtype('float64')
    """
    X = as_data(X, name=name)
    bad = (X != 0) & (X != 1)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise ParamError(f"{name} has values other than 0 and 1 (e.g. {X[row, col]:g} at row {row}); "
                         "binarize it first, e.g. with engine.data.binarize(X, 0.5).")
    return X


def log_prior(probs, alpha) -> float:
    """``sum_kd log Beta(theta_kd; alpha + 1, alpha + 1)`` (0 when ``alpha = 0``).

    Example
    -------
    >>> round(log_prior(np.array([[0.5]]), 1.0), 6)  # Beta(2, 2) density at 1/2 is 1.5
    0.405465
    """
    probs = np.asarray(probs, dtype=float)
    if alpha == 0:
        return 0.0
    a = alpha + 1.0
    log_b = 2 * math.lgamma(a) - math.lgamma(2 * a)
    return float(alpha * (np.log(probs).sum() + np.log1p(-probs).sum()) - probs.size * log_b)


def responsibilities(X, weights, probs) -> np.ndarray:
    """Responsibilities ``gamma_nk`` of a Bernoulli mixture, computed in log space.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Binary data (0s and 1s).
    weights : array-like of shape (k,)
    probs : array-like of shape (k, n_features)
        theta, strictly inside (0, 1).

    Returns
    -------
    resp : ndarray of shape (n_samples, k)
        Rows sum to 1.

    Example
    -------
    >>> responsibilities([[1.0], [0.0]], [0.5, 0.5], [[0.9], [0.1]]).round(2).tolist()
    [[0.9, 0.1], [0.1, 0.9]]
    """
    X = check_binary(X)
    weights = np.asarray(weights, dtype=float)
    work = _Work(X, weights.size)
    work.objective(weights, np.asarray(probs, dtype=float), 0.0)
    return np.ascontiguousarray(work.estep().T)


def match_centres(A, B) -> np.ndarray:
    """Pair each row of ``A`` with a distinct row of ``B``, closest pairs first (greedy).

    Used to put each K-means centre under the θ_k it is most like. All squared Euclidean
    distances ``|A_i - B_j|^2`` are sorted (ties: lower ``i``, then lower ``j``, first); a pair is
    taken when neither of its rows is taken yet. Greedy, not the optimal assignment: the
    closest pair is always kept, which is what a person comparing two sets of prototypes
    expects to see side by side.

    Parameters
    ----------
    A : array-like of shape (k, d)
    B : array-like of shape (m, d)
        ``m >= k``.

    Returns
    -------
    order : ndarray of shape (k,), int
        ``B[order[i]]`` is the row paired with ``A[i]``; the entries are distinct.

    Example
    -------
    >>> match_centres([[0.0, 0.0], [1.0, 1.0]], [[0.9, 1.0], [5.0, 5.0], [0.1, 0.0]]).tolist()
    [2, 0]
    """
    A, B = np.asarray(A, dtype=np.float64), np.asarray(B, dtype=np.float64)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[1] or B.shape[0] < A.shape[0]:
        raise ParamError(f"match_centres: A has shape {A.shape} and B {B.shape}; both need d columns "
                         "and B at least as many rows as A.")
    k, m = A.shape[0], B.shape[0]
    D = ((A[:, None, :] - B[None, :, :]) ** 2).sum(axis=2) if k * m * A.shape[1] <= 10 ** 7 else \
        np.maximum((A * A).sum(1)[:, None] + (B * B).sum(1)[None, :] - 2 * A @ B.T, 0.0)
    order = np.full(k, -1, dtype=np.intp)
    used_a, used_b = np.zeros(k, bool), np.zeros(m, bool)
    left = k
    for flat in np.argsort(D, axis=None, kind="stable"):
        i, j = divmod(int(flat), m)
        if not used_a[i] and not used_b[j]:
            order[i], used_a[i], used_b[j] = j, True, True
            left -= 1
            if left == 0:
                break
    return order


class _Work:
    """Buffers for one run: X (n, d) binary floats, log-weights (n, k) seen as a (k, n) view.

    Both matrix products keep X on the left as stored (``X @ W.T``, ``X.T @ R``): with
    OpenBLAS these orientations were several times faster than ``W @ X.T`` / ``R.T @ X``
    on a busy machine.
    """

    def __init__(self, X, k):
        self.X, self.k, self.n = X, k, X.shape[0]
        self.buf = np.empty((X.shape[0], k))
        self.logp = self.buf.T
        self.s = self.m = None
        # Large problems: the M-step's sums run in float32 (X is 0/1, so exact in float32).
        self.X32 = X.astype(np.float32) if X.size * k >= FLOAT32_MIN_WORK else None

    def counts(self, R):
        """``sum_n gamma_nk x_nd``, shape (k, d), from responsibilities R (k, n)."""
        if self.X32 is None:
            return np.ascontiguousarray((self.X.T @ R.T).T)
        return (self.X32.T @ R.T.astype(np.float32)).T.astype(np.float64)

    def objective(self, weights, probs, alpha):
        """Fill ``logp`` for the model, normalise; return (loglik, logpost)."""
        log_t, log_1mt = np.log(probs), np.log1p(-probs)
        np.matmul(self.X, (log_t - log_1mt).T, out=self.buf)
        self.buf += log_1mt.sum(axis=1) + np.log(weights)
        self.s, self.m = normalise_inplace(self.logp)
        ll = float(np.log(self.s).sum() + self.m.sum())
        return ll, ll + log_prior(probs, alpha)

    def estep(self):
        np.divide(self.logp, self.s, out=self.logp)
        return self.logp


def _mstep(ws, R, alpha, fixed_weights):
    """theta (k, d) (MAP with Beta(alpha+1, alpha+1), clipped), weights (k,), N_k (k,), clipped count.

    ``R`` is (k, n), typically the transposed view of an (n, k) array.
    """
    k, n = R.shape
    Nk = R.sum(axis=1) + EPS_NK
    probs = ws.counts(R)
    probs += alpha
    probs /= (Nk + 2 * alpha)[:, None]
    n_clipped = int(np.count_nonzero((probs <= CLIP[0]) | (probs >= CLIP[1])))
    np.clip(probs, CLIP[0], CLIP[1], out=probs)
    weights = np.full(k, 1.0 / k) if fixed_weights else Nk / n
    return weights, probs, Nk, n_clipped


def _explicit(init, k, d):
    if isinstance(init, Mapping):
        if "probs" not in init:
            raise ParamError("init dict needs 'probs' (k, d) and may give 'weights' (k,).")
        probs, weights = init["probs"], init.get("weights")
    else:
        probs, weights = init, None
    try:
        probs = np.array(probs, dtype=float)
        weights = None if weights is None else np.array(weights, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise ParamError(f"init must be numbers: {exc}") from None
    if probs.shape != (k, d):
        raise ParamError(f"init probabilities have shape {probs.shape}; expected ({k}, {d}) for k={k} "
                         f"components and {d} features.")
    if not np.all((probs >= 0) & (probs <= 1)):
        raise ParamError("init probabilities must lie in [0, 1] (found "
                         f"{probs[~((probs >= 0) & (probs <= 1))][0]:g}).")
    if weights is None:
        weights = np.full(k, 1.0 / k)
    elif weights.shape != (k,) or not np.all(np.isfinite(weights)) or np.any(weights <= 0):
        raise ParamError(f"init weights should be {k} positive numbers; they are normalised to sum to 1.")
    return weights / weights.sum(), np.clip(probs, CLIP[0], CLIP[1])


def _check_args(X, k, init, fixed_weights, alpha, seed, max_iter, tol):
    X = check_binary(X)
    by = {p.name: p for p in ALGORITHM.params}
    fixed_weights = by["fixed_weights"].check(fixed_weights)
    alpha, max_iter, tol = by["alpha"].check(alpha), by["max_iter"].check(max_iter), by["tol"].check(tol)
    k = check_k(k, X.shape[0])
    if isinstance(init, str):
        init = by["init"].check(init)
        check_distinct(X, k)
    else:
        init = _explicit(init, k, X.shape[1])
    make_rng(seed)
    return X, k, init, fixed_weights, alpha, seed, max_iter, tol


def steps(X, k=10, init="random", fixed_weights=False, alpha=1.0, seed=None, max_iter=100, tol=1e-6):
    """Fit a Bernoulli mixture by EM, yielding an "init" step, then alternating "E" and "M" steps.

    Parameters
    ----------
    X : array-like of shape (n, d)
        Only 0 and 1 (binarize grey images first, e.g. ``engine.data.binarize(X, 0.5)``).
    k : int
        Number of components.
    init : "random", "kmeans", ndarray of shape (k, d) or dict
        ``"random"``: every theta_kd drawn uniformly from [0.25, 0.75], weights uniform.
        ``"kmeans"``: responsibilities from a K-means partition of X (k-means++ seeding, at most 30
        Lloyd iterations), then an M-step.
        array: the starting theta (clipped into the bounds), weights uniform;
        dict: ``probs`` (k, d) and optionally ``weights`` (k,).
    fixed_weights : bool
        Keep pi uniform (1 / k) instead of re-estimating it.
    alpha : float
        Prior strength (see the module docstring); 0 = maximum likelihood.
    seed : int or None
    max_iter : int
        Maximum number of iterations (E-step + M-step).
    tol : float
        Stop when ``Step.objective / n`` changes by less than this in one iteration.

    Returns
    -------
    generator of :class:`engine.core.steps.Step`
        Arguments are checked when ``steps`` is called.

    Example
    -------
    >>> X = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1], [0, 1, 1]])
    >>> run = list(steps(X, 2, seed=0))
    >>> [s.kind for s in run[:3]], run[-1].done
    (['init', 'E', 'M'], True)
    """
    return _run(*_check_args(X, k, init, fixed_weights, alpha, seed, max_iter, tol))


def _run(X, k, init, fixed_weights, alpha, seed, max_iter, tol):
    n, d = X.shape
    rng = make_rng(seed)
    ws = _Work(X, k)
    store_resp = n * k <= RESP_STORE_LIMIT
    trace = TraceBuilder()
    prior = "maximum likelihood" if alpha == 0 else f"Beta({alpha + 1:g}, {alpha + 1:g}) prior"

    def params_of(weights, probs, n_clipped):
        return {"weights": frozen(weights), "probs": frozen(probs), "alpha": alpha, "clip": CLIP,
                "n_clipped": n_clipped, "fixed_weights": fixed_weights}

    def values(ll, lp):
        return {"loglik": ll, "logpost": lp, "loglik_mean": ll / n}

    R0 = None
    if isinstance(init, tuple):
        weights, probs = init
        how, labels = "from the given probabilities", compact_labels(np.full(n, -1), k)
        n_clipped = int(np.count_nonzero((probs <= CLIP[0]) | (probs >= CLIP[1])))
    elif init == "random":
        weights, probs = np.full(k, 1.0 / k), rng.uniform(0.25, 0.75, size=(k, d))
        how, labels, n_clipped = "with theta drawn uniformly from [0.25, 0.75]", compact_labels(np.full(n, -1), k), 0
    else:
        lab = kmeans_labels(X, k, rng)
        R0 = one_hot(lab, k)
        weights, probs, _, n_clipped = _mstep(ws, R0, alpha, fixed_weights)
        how, labels = "from a K-means partition, then an M-step", compact_labels(lab, k)
    ll, lp = ws.objective(weights, probs, alpha)
    params = params_of(weights, probs, n_clipped)
    pay = {**params, **values(ll, lp)}
    if R0 is not None and store_resp:
        pay["resp"] = frozen(np.ascontiguousarray(R0.T, dtype=np.float32))
    yield Step("init", f"initialised {k} components {how} ({prior}); log-likelihood {ll:.6g}",
               labels=labels, centers=params["probs"], objective=lp, trace=trace.next(lp), payload=pay)
    prev = None if R0 is None else labels
    for it in range(1, max_iter + 1):
        R = ws.estep()
        labels = compact_labels(R.argmax(axis=0), k)
        changed = n if prev is None else int(np.count_nonzero(labels != prev))
        resp = frozen(np.ascontiguousarray(R.T, dtype=np.float32)) if store_resp else None
        pay = {**params, **values(ll, lp), "changed": changed}
        if store_resp:
            pay["resp"] = resp
        yield Step("E", f"E-step {it}: responsibilities from the current probabilities; {changed} image(s) "
                        f"changed their most likely component; log-likelihood {ll:.6g}",
                   labels=labels, centers=params["probs"], objective=lp, trace=trace.next(lp), iteration=it,
                   payload=pay)
        weights, probs, Nk, n_clipped = _mstep(ws, R, alpha, fixed_weights)
        ll_new, lp_new = ws.objective(weights, probs, alpha)
        change = (lp_new - lp) / n
        ll, lp, prev = ll_new, lp_new, labels
        converged = abs(change) < tol
        done = converged or it == max_iter
        what = "theta" + ("" if fixed_weights else " and weights") + f" ({prior})"
        text = f"M-step {it}: re-estimated {what}"
        if n_clipped:
            text += f"; {n_clipped} theta value(s) clipped to [1e-10, 1 - 1e-10]"
        text += f"; log-likelihood {ll:.6g}" + ("" if alpha == 0 else f", log posterior {lp:.6g}")
        if done:
            text += stop_text(converged, change, tol, max_iter,
                              "the mean log-likelihood" if alpha == 0 else "the mean log posterior")
        params = params_of(weights, probs, n_clipped)
        pay = {**params, **values(ll, lp), "n_k": frozen(Nk)}
        if store_resp:
            pay["resp"] = resp
        yield Step("M", text, labels=labels, centers=params["probs"], objective=lp, trace=trace.next(lp),
                   iteration=it, done=done, status=("converged" if converged else "max_iter") if done else "",
                   payload=pay)
        if done:
            return


@dataclass(frozen=True)
class BernoulliResult:
    """What :func:`fit` returns.

    Attributes
    ----------
    weights : (k,) ; probs : (k, d) theta
    resp : (n, k) responsibilities under the final parameters ; labels : (n,)
    loglik : (n_iter + 1,) total log-likelihood of the initial parameters and after each iteration
    logpost : (n_iter + 1,) the same for the log posterior (equal to ``loglik`` when alpha = 0)
    n_iter : int ; converged : bool
    """

    weights: np.ndarray
    probs: np.ndarray
    resp: np.ndarray
    labels: np.ndarray
    loglik: np.ndarray
    logpost: np.ndarray
    n_iter: int
    converged: bool


def fit(X, k=10, init="random", fixed_weights=False, alpha=1.0, seed=None, max_iter=100,
        tol=1e-6) -> BernoulliResult:
    """Run :func:`steps` to the end and return the fitted mixture (parameters as :func:`steps`).

    Example
    -------
    >>> r = fit(np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1], [0, 1, 1]]), 2, seed=0, alpha=0)
    >>> r.resp.shape, r.loglik.shape == (r.n_iter + 1,)
    ((4, 2), True)
    """
    args = _check_args(X, k, init, fixed_weights, alpha, seed, max_iter, tol)
    lls, lps, last = [], [], None
    for step in _run(*args):
        if step.kind in ("init", "M"):
            lls.append(step.payload["loglik"])
            lps.append(step.payload["logpost"])
        last = step
    p = last.payload
    ws = _Work(args[0], args[1])
    ws.objective(p["weights"], p["probs"], alpha)
    resp = ws.estep().T.copy()
    return BernoulliResult(weights=np.array(p["weights"]), probs=np.array(p["probs"]), resp=resp,
                           labels=resp.argmax(axis=1), loglik=np.array(lls), logpost=np.array(lps),
                           n_iter=last.iteration, converged=last.converged)


ALGORITHM = Algorithm(
    name="bernoulli", gui="gui.algorithms.bernoulli.plugin:BernoulliPlugin", order=40, fit=fit,
    title="Bernoulli mixture (EM)", steps=steps,
    params=(
        Param("k", "Components", "int", 10, low=1, high=100, help="Number of mixture components."),
        Param("init", "Initialisation", "choice", "random", choices=("random", "kmeans"),
              help="Random pixel probabilities in [0.25, 0.75], or a K-means partition."),
        Param("fixed_weights", "Fixed weights", "bool", False,
              help="Keep the mixing weights uniform (the textbook variant)."),
        Param("alpha", "Prior strength", "float", 1.0, low=0.0, high=1e4,
              help="Beta(alpha+1, alpha+1) prior on each pixel probability; 0 = maximum likelihood."),
        Param("seed", "Seed", "seed", 0, help="Same seed, same run; empty for a fresh random seed."),
        Param("max_iter", "Max iterations", "int", 100, low=1, high=100_000,
              help="Stop after this many E+M iterations."),
        Param("tol", "Tolerance", "float", 1e-6, low=0.0, high=1.0,
              help="Stop when the mean log posterior changes by less than this."),
    ),
    objective_name="log posterior (= log-likelihood when alpha = 0)", objective_sense="max",
)
