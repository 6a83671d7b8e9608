"""A Bernoulli mixture's model: binary data, the Beta prior, the E-step workspace and the M-step.

:class:`BernoulliWork` holds one run's buffers and computes every point's
log-probabilities with one matrix product; :func:`mstep` is the MAP update
of theta (clipped into :data:`CLIP`) and the weights. :func:`responsibilities`
and :func:`match_centres` serve callers that hold fitted parameters.

Example
-------
>>> float(log_prior(np.array([[0.5]]), 0.0))
0.0
"""
from __future__ import annotations

import math

import numpy as np

from engine.core.params import ParamError
from engine.core.validation import as_data
from engine.mixture.em import EPS_NK, normalise_inplace

__all__ = ["CLIP", "FLOAT32_MIN_WORK", "check_binary", "log_prior", "responsibilities", "match_centres",
           "BernoulliWork", "mstep"]

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
    work = BernoulliWork(X, weights.size)
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


class BernoulliWork:
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


def mstep(ws, R, alpha, fixed_weights):
    """theta (k, d) (MAP with Beta(alpha+1, alpha+1), clipped), weights (k,), N_k (k,), clipped count.

    ``R`` is (k, n), typically the transposed view of an (n, k) array. ``fixed_weights``: the (k,)
    weights to keep (returned as they are), or None / False to re-estimate them as ``N_k / n``
    (True keeps them uniform, ``1 / k``).
    """
    k, n = R.shape
    Nk = R.sum(axis=1) + EPS_NK
    probs = ws.counts(R)
    probs += alpha
    probs /= (Nk + 2 * alpha)[:, None]
    n_clipped = int(np.count_nonzero((probs <= CLIP[0]) | (probs >= CLIP[1])))
    np.clip(probs, CLIP[0], CLIP[1], out=probs)
    if fixed_weights is None or fixed_weights is False:
        weights = Nk / n
    elif fixed_weights is True:
        weights = np.full(k, 1.0 / k)
    else:
        weights = np.array(fixed_weights, dtype=float)
    return weights, probs, Nk, n_clipped
