"""Helpers shared by the EM algorithms (:mod:`engine.gmm`, :mod:`engine.bernoulli`) and the Gaussian kernels.

Private module: the public entry points validate their input, these helpers
trust it. The second half holds the numerical core of :mod:`engine.gmm`:
Cholesky factors (closed-form for 2-D), the log-density of every component
at every point, and the M-steps. Arrays of per-component, per-point values use the *(k, n)* layout
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

from engine.core.params import ParamError
from engine.core.validation import n_distinct

__all__ = ["normalise_inplace", "random_resp", "one_hot", "kmeans_labels", "check_distinct",
           "frozen", "n_distinct", "RESP_STORE_LIMIT", "EPS_NK", "stop_text",
           "Singular", "GaussModel", "GaussWork", "factor", "variance_floor", "mstep_general", "mstep_2d"]

#: ``resp`` is stored in a step's payload only when n * k is at most this many values.
RESP_STORE_LIMIT = 200_000
#: Lloyd iterations at most in a "kmeans" initialisation.
KMEANS_INIT_MAX_ITER = 30
#: Added to every N_k (as scikit-learn does) so an empty component never divides by zero.
EPS_NK = 10 * np.finfo(float).eps
_LOG_2PI = np.log(2 * np.pi)
_LOG_TINY = -700.0
_RT_HALF = np.sqrt(0.5)


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
        ``log pi_k + log p(x_n | k)``. Overwritten with ``exp(logp - m)``, where values
        below ``exp(-700)`` (about 1e-304) are set to exactly 0.

    Returns
    -------
    s : ndarray of shape (n,)
        Row sums of the overwritten array; ``logp / s`` are the responsibilities.
    m : ndarray of shape (n,)
        The per-point maximum; ``log(s) + m`` is ``log p(x_n)`` (log-sum-exp).
    """
    m = logp.max(axis=0)
    np.subtract(logp, m, out=logp)
    # exp(-708) is the smallest normal double: anything smaller becomes exactly 0, so no
    # subnormal numbers reach exp or the M-step's matrix products (they run ~50x slower).
    np.copyto(logp, -np.inf, where=logp < _LOG_TINY)
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
    if n_distinct(head) >= k:
        return
    m = n_distinct(X)
    if m < k:
        raise ParamError(f"X has only {m} distinct point(s) but k={k} {what} were asked for: "
                         f"every component needs points of its own. Lower k to at most {m} or add points.")


def kmeans_labels(X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Labels of a K-means run (:func:`engine.kmeans.fit`, k-means++ seeding), shape (n,).

    At most :data:`KMEANS_INIT_MAX_ITER` Lloyd iterations: a starting partition for EM
    need not be a converged one (scikit-learn's mixtures stop their K-means early too).
    The K-means seed is drawn from ``rng``, so runs reproduce.
    """
    seed = int(rng.integers(2 ** 31 - 1))
    from engine.kmeans import fit as kmeans_fit  # imported here: engine.kmeans is the heavier module
    res = kmeans_fit(X, k, init="k-means++", seed=seed, max_iter=KMEANS_INIT_MAX_ITER)
    return np.asarray(res.labels, dtype=np.intp)


def stop_text(converged: bool, change: float, tol: float, max_iter: int, what: str) -> str:
    """The end of the last step's description: why the run stopped."""
    if converged:
        return f"; converged: {what} changed by {abs(change):.2g} < tol={tol:g}"
    return f"; stopped after max_iter={max_iter} iterations (last change {change:.2g} per point)"


# --- Gaussian kernels (engine.gmm) ---------------------------------------------------------------

class Singular(Exception):
    """Covariance ``index`` (None for tied) is not positive definite."""

    def __init__(self, index):
        super().__init__(index)
        self.index = index


class GaussModel:
    """Parameters (means in centred coordinates) with their Cholesky factors and log-determinants."""

    __slots__ = ("weights", "means", "cov", "ctype", "fac", "logdet")

    def __init__(self, weights, means, cov, ctype, floor=None):
        self.weights, self.means, self.cov, self.ctype = weights, means, cov, ctype
        self.fac, self.logdet = factor(cov, ctype, means.shape[1], floor)


def variance_floor(X) -> np.ndarray:
    """Per-feature variance below which a covariance counts as singular, shape (d,).

    ``(16 eps max|x_d|)^2``: a variance smaller than the rounding error of the coordinates
    themselves is noise, not spread (with any ``reg`` > 0 on ordinary data it is never reached).
    """
    return (16 * np.finfo(float).eps * np.abs(X).max(axis=0)) ** 2


def factor(cov, ctype, d, floor=None):
    """Cholesky-type factors for fast Mahalanobis distances; raise :class:`Singular` on failure.

    A covariance is singular when a Cholesky pivot (the variance of a feature given the
    previous ones) is not above ``floor`` (d,) (default 0), or is not finite.
    """
    floor = np.zeros(d) if floor is None else floor
    with np.errstate(all="ignore"):
        if ctype in ("full", "tied"):
            c = cov if ctype == "full" else cov[None]
            if d == 2:  # closed-form 2x2 Cholesky: L = [[l11, 0], [l21, l22]]
                a, b, e = c[:, 0, 0], c[:, 0, 1], c[:, 1, 1]
                l11 = np.sqrt(a)
                l21 = b / l11
                l22sq = e - l21 * l21
                bad = ~((a > floor[0]) & (l22sq > floor[1]) & np.isfinite(l22sq))
                if bad.any():
                    raise Singular(int(np.argmax(bad)) if ctype == "full" else None)
                l22 = np.sqrt(l22sq)
                fac = ((_RT_HALF / l11)[:, None], (l21 / _RT_HALF)[:, None], (_RT_HALF / l22)[:, None])
                return fac, 2 * (np.log(l11) + np.log(l22))
            P = np.empty_like(c)
            logdet = np.empty(c.shape[0])
            for j in range(c.shape[0]):
                try:
                    L = np.linalg.cholesky(c[j])
                except np.linalg.LinAlgError:
                    raise Singular(j if ctype == "full" else None) from None
                diag = np.diagonal(L)
                if not (np.all(diag * diag > floor) and np.all(np.isfinite(L))):
                    raise Singular(j if ctype == "full" else None)
                P[j] = np.linalg.inv(L)
                logdet[j] = 2 * np.log(diag).sum()
            return P, logdet
        v = cov
        bad = ~((v > (floor if ctype == "diag" else floor.mean())) & np.isfinite(v))
        if bad.any():
            raise Singular(int(np.argwhere(bad)[0, 0] if bad.ndim == 2 else np.argmax(bad)))
        if ctype == "diag":
            return 1.0 / v, np.log(v).sum(axis=1)
        return 1.0 / v, d * np.log(v)


class GaussWork:
    """Per-run buffers of shape (k, n) so an iteration allocates (almost) nothing large."""

    def __init__(self, Xc, k):
        n, d = Xc.shape
        self.Xc, self.k, self.n, self.d = Xc, k, n, d
        self.logp = np.empty((k, n))  # log pi_k N(x_n|k) -> exp(. - m) -> responsibilities
        self.s = self.m = None
        if d == 2:
            self.x0 = np.ascontiguousarray(Xc[:, 0])
            self.x1 = np.ascontiguousarray(Xc[:, 1])
            self.DX, self.DY, self.T = np.empty((k, n)), np.empty((k, n)), np.empty((k, n))

    def loglik(self, model) -> float:
        """Fill ``logp`` for ``model``, normalise it; return the total log-likelihood."""
        self._log_joint(model)
        self.s, self.m = normalise_inplace(self.logp)
        with np.errstate(all="ignore"):
            ll = float(np.log(self.s).sum() + self.m.sum())
        if not np.isfinite(ll):
            raise ParamError(f"the log-likelihood is not finite ({ll}): the data are too large or too "
                             "spread out for these parameters; standardise the data or increase reg.")
        return ll

    def estep(self) -> np.ndarray:
        """Responsibilities (k, n), in place of the normalised weights (valid until the next ``loglik``)."""
        np.divide(self.logp, self.s, out=self.logp)
        return self.logp

    def _log_joint(self, model):
        k, d, out = self.k, self.d, self.logp
        with np.errstate(divide="ignore"):
            const = np.log(model.weights) - 0.5 * (d * _LOG_2PI + model.logdet)
        mu, fac, ct = model.means, model.fac, model.ctype
        if d == 2:
            DX, DY, T = self.DX, self.DY, self.T
            np.subtract(self.x0, mu[:, 0:1], out=DX)
            np.subtract(self.x1, mu[:, 1:2], out=DY)
            if ct in ("full", "tied"):          # q/2 = z1^2 + z2^2 with z = L^-1 dx / sqrt(2)
                i11, l21, i22 = fac
                np.multiply(DX, i11, out=T)
                np.multiply(T, l21, out=out)
                np.subtract(DY, out, out=out)
                out *= i22
                np.square(out, out=out)
                np.square(T, out=T)
            else:
                np.square(DX, out=T)
                np.square(DY, out=out)
                if ct == "diag":
                    T *= 0.5 * fac[:, 0:1]
                    out *= 0.5 * fac[:, 1:2]
                else:
                    T *= 0.5 * fac[:, None]
                    out *= 0.5 * fac[:, None]
            out += T
            np.subtract(const[:, None], out, out=out)
            return
        Xc = self.Xc
        Y = Xc @ fac[0].T if ct == "tied" else None
        for j in range(k):
            if ct == "full":
                z = Xc @ fac[j].T - fac[j] @ mu[j]
                q = np.einsum("ij,ij->i", z, z)
            elif ct == "tied":
                z = Y - fac[0] @ mu[j]
                q = np.einsum("ij,ij->i", z, z)
            else:
                diff = Xc - mu[j]
                np.square(diff, out=diff)
                q = diff @ fac[j] if ct == "diag" else diff.sum(axis=1) * fac[j]
            np.multiply(q, -0.5, out=out[j])
            out[j] += const[j]


def mstep_general(Xc, R, ctype, reg):
    """M-step from responsibilities R (k, n), any dimension; returns (weights, means, cov, Nk)."""
    k, n = R.shape
    d = Xc.shape[1]
    Nk = R.sum(axis=1) + EPS_NK
    means = (Xc.T @ R.T).T / Nk[:, None]
    if ctype in ("full", "tied"):
        cov = np.empty((k, d, d))
        for j in range(k):
            diff = Xc - means[j]
            cov[j] = (R[j][:, None] * diff).T @ diff / Nk[j]
        if ctype == "tied":
            cov = np.tensordot(Nk, cov, axes=1) / Nk.sum()
        cov.reshape(-1, d * d)[:, :: d + 1] += reg
    else:
        cov = np.empty((k, d))
        for j in range(k):
            diff = Xc - means[j]
            np.square(diff, out=diff)
            cov[j] = R[j] @ diff / Nk[j]
        cov = cov + reg if ctype == "diag" else cov.mean(axis=1) + reg
    return Nk / n, means, cov, Nk


def mstep_2d(ws, R, model, reg):
    """M-step for 2-D data reusing x - mu_old from the last E-step (a shifted-moment update).

    With c = the old mean, ``S = sum q (x - c)(x - c)^T / N_k`` and ``delta = mu_new - c``,
    ``Sigma = S - delta delta^T`` exactly. When the mean moved far relative to the spread
    (cancellation risk) the moments are recomputed about the new mean.
    """
    k, n = R.shape
    DX, DY, T = ws.DX, ws.DY, ws.T
    Nk = R.sum(axis=1) + EPS_NK
    np.multiply(R, DX, out=T)
    dx = T.sum(axis=1) / Nk
    sxx = np.einsum("ij,ij->i", T, DX) / Nk
    sxy = np.einsum("ij,ij->i", T, DY) / Nk
    np.multiply(R, DY, out=T)
    dy = T.sum(axis=1) / Nk
    syy = np.einsum("ij,ij->i", T, DY) / Nk
    means = model.means + np.column_stack([dx, dy])
    vxx, vxy, vyy = sxx - dx * dx, sxy - dx * dy, syy - dy * dy
    if np.any(dx * dx + dy * dy > 1e3 * (vxx + vyy)):
        np.subtract(ws.x0, means[:, 0:1], out=DX)
        np.subtract(ws.x1, means[:, 1:2], out=DY)
        np.multiply(R, DX, out=T)
        vxx = np.einsum("ij,ij->i", T, DX) / Nk
        vxy = np.einsum("ij,ij->i", T, DY) / Nk
        np.multiply(R, DY, out=T)
        vyy = np.einsum("ij,ij->i", T, DY) / Nk
    ct = model.ctype
    if ct == "full":
        cov = np.empty((k, 2, 2))
        cov[:, 0, 0], cov[:, 0, 1], cov[:, 1, 0], cov[:, 1, 1] = vxx + reg, vxy, vxy, vyy + reg
    elif ct == "tied":
        w = Nk / Nk.sum()
        cov = np.array([[w @ vxx + reg, w @ vxy], [w @ vxy, w @ vyy + reg]])
    elif ct == "diag":
        cov = np.column_stack([vxx + reg, vyy + reg])
    else:
        cov = 0.5 * (vxx + vyy) + reg
    return Nk / n, means, cov, Nk
