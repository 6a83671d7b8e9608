r"""The working of a Gaussian mixture's EM steps, recomputed by the textbook formulas.

:func:`working` is :attr:`engine.gmm.ALGORITHM.working <engine.core.registry.Algorithm.working>`
(the contract is :mod:`engine.core.working`'s). Everything here is written plainly from
the course's formulas — ``log N(x | mu, Sigma)`` from ``log det Sigma`` and a linear solve,
responsibilities by log-sum-exp, the M-step's sums over points — and shares no code with
the fast kernels of :mod:`engine.mixture.em`, so it checks them:

* **init** — the starting parameters (given ones; or the M-step from the K-means partition's
  0/1 responsibilities, recomputed; random responsibilities are not repeated) and their
  log-likelihood. ``derived``: ``"loglik"``, ``"loglik_mean"``, ``"objective"``; after a
  K-means partition also ``"weights"``, ``"means"``, ``"centers"``, the covariances.
* **E** — ``a_nk = log pi_k + log N(x_n | mu_k, Sigma_k)`` per point and component with
  ``log p(x_n)``; the responsibilities ``q_nk`` (each row's largest highlighted; a last row
  sums them over all points: ``N_k``). ``derived``: ``"labels"``, ``"changed"``, ``"loglik"``,
  ``"loglik_mean"``, ``"objective"``.
* **M** — ``N_k`` and ``pi_k``; ``mu_k``; ``Sigma_k`` for the covariance type; the new
  log-likelihood as a sum over points. ``derived``: ``"n_k"``, ``"weights"``, ``"means"``,
  ``"centers"``, ``"covariances_native"``, ``"covariances"`` (when the step has them),
  ``"labels"``, ``"loglik"``, ``"loglik_mean"``, ``"objective"``.

The per-point and per-component tables both mixtures show (:func:`~engine.mixture.working.estep_tables`,
:func:`~engine.mixture.working.loglik_table`, ...) are :mod:`engine.mixture.working`'s. With more than
:data:`~engine.mixture.working.MAX_COLUMNS` features the means are summarised in their table and also
given as images (``Working.images``), which the views draw for image data.

Example
-------
>>> from engine.gmm import steps
>>> X = np.array([[0.0, 0.0], [0.0, 1.0], [4.0, 4.0], [4.0, 5.0], [0.5, 0.5]])
>>> run = list(steps(X, 2, covariance="spherical", seed=0, max_iter=3))
>>> w = working(X, run, 1, {"covariance": "spherical"})
>>> [t.title for t in w.tables]
['Log joint of each point and component', 'Responsibilities']
>>> w.derived["labels"].tolist() == run[1].labels.tolist()
True
"""
from __future__ import annotations

import math

import numpy as np

from engine.core.working import Table, Working, point_names, shown_rows
from engine.mixture.working import (EPS_NK, component_names, em_working, estep_tables, loglik_table,
                                    logsumexp_rows, partition_init, present, vector_images, vector_table,
                                    weights_table)

__all__ = ["working", "log_gauss", "log_joint", "mstep", "expand"]

LOG_2PI = math.log(2 * math.pi)

JOINT = r"a_{nk} = \log \pi_k + \log \mathcal{N}(x_n \mid \mu_k, \Sigma_k), \quad \log p(x_n) = \log \sum_k e^{a_{nk}}"
RESP = (r"q_{nk} = \frac{\pi_k \mathcal{N}(x_n \mid \mu_k, \Sigma_k)}{\sum_j \pi_j \mathcal{N}(x_n \mid \mu_j, "
        r"\Sigma_j)} = e^{a_{nk} - \log p(x_n)}")
LOGLIK = r"L = \sum_n \log \sum_k \pi_k \mathcal{N}(x_n \mid \mu_k, \Sigma_k)"
MEANS = r"\mu_k = \frac{1}{N_k} \sum_n q_{nk} x_n"
COVS = {"full": r"\Sigma_k = \frac{1}{N_k} \sum_n q_{nk} (x_n - \mu_k)(x_n - \mu_k)^\top + \mathrm{reg}\, I",
        "tied": r"\Sigma = \frac{1}{N} \sum_k \sum_n q_{nk} (x_n - \mu_k)(x_n - \mu_k)^\top + \mathrm{reg}\, I",
        "diag": r"\sigma^2_{kd} = \frac{1}{N_k} \sum_n q_{nk} (x_{nd} - \mu_{kd})^2 + \mathrm{reg}",
        "spherical": r"\sigma^2_k = \frac{1}{d N_k} \sum_n q_{nk} \lVert x_n - \mu_k \rVert^2 + \mathrm{reg}"}


# ---------------------------------------------------------------- formulas, written plainly
def log_gauss(X, mean, cov) -> np.ndarray:
    r"""``log N(x_n | mean, cov)`` for every row of ``X``: ``-(d log 2 pi + log det cov + (x - mu)^T cov^-1 (x - mu)) / 2``.

    ``cov`` is a (d, d) matrix, or a (d,) vector of variances (a diagonal matrix).

    >>> round(float(log_gauss(np.zeros((1, 1)), np.zeros(1), np.eye(1))[0]), 6)  # -log sqrt(2 pi)
    -0.918939
    """
    X, mean, cov = np.asarray(X, float), np.asarray(mean, float), np.asarray(cov, float)
    d = X.shape[1]
    diff = X - mean
    if cov.ndim == 1:
        logdet = float(np.log(cov).sum())
        maha = (diff * diff / cov).sum(axis=1)
    else:
        logdet = float(np.linalg.slogdet(cov)[1])
        maha = np.einsum("nd,nd->n", diff, np.linalg.solve(cov, diff.T).T)
    return -0.5 * (d * LOG_2PI + logdet + maha)


def component_cov(native, ctype: str, j: int, d: int):
    """Component ``j``'s covariance from the native shape: a (d, d) matrix or a (d,) vector of variances."""
    native = np.asarray(native, float)
    if ctype == "full":
        return native[j]
    if ctype == "tied":
        return native
    if ctype == "diag":
        return native[j]
    return np.full(d, float(native[j]))


def log_joint(X, weights, means, native, ctype) -> np.ndarray:
    """``a_nk = log pi_k + log N(x_n | mu_k, Sigma_k)``, shape (n, k)."""
    X = np.asarray(X, float)
    k, d = len(weights), X.shape[1]
    with np.errstate(divide="ignore"):
        return np.column_stack([math.log(weights[j]) + log_gauss(X, means[j], component_cov(native, ctype, j, d))
                                for j in range(k)]) if k else np.empty((X.shape[0], 0))


def mstep(X, Q, ctype: str, reg: float):
    """The M-step from responsibilities ``Q`` (n, k): ``(N_k, pi, mu, covariances in the native shape)``."""
    n, d = X.shape
    k = Q.shape[1]
    Nk = Q.sum(axis=0) + EPS_NK
    means = (Q.T @ X) / Nk[:, None]
    if ctype in ("full", "tied"):
        S = np.empty((k, d, d))
        for j in range(k):
            diff = X - means[j]
            S[j] = (Q[:, j, None] * diff).T @ diff / Nk[j]
        cov = S + reg * np.eye(d) if ctype == "full" else \
            sum(Nk[j] * S[j] for j in range(k)) / n + reg * np.eye(d)
    else:
        var = np.array([Q[:, j] @ (X - means[j]) ** 2 / Nk[j] for j in range(k)])
        cov = var + reg if ctype == "diag" else var.mean(axis=1) + reg
    return Nk, Nk / n, means, cov


def expand(native, ctype: str, k: int, d: int) -> np.ndarray:
    """Covariances of every type as (k, d, d) full matrices."""
    return np.array([np.diag(c) if c.ndim == 1 else c for c in (component_cov(native, ctype, j, d)
                                                                 for j in range(k))])


# ---------------------------------------------------------------- the Gaussian mixture's tables
def _cov_table(cov, ctype: str, comps, reg: float):
    cov = np.asarray(cov, float)
    note = f"reg = {reg:g} is added to every variance." if reg else ""
    if ctype == "diag":
        return vector_table("Variances", COVS[ctype], comps, cov, "σ²", note)
    if ctype == "spherical":
        return Table("Variance of each component", COVS[ctype], comps, ["σ²_k"], [[v] for v in cov], note=note)
    mats = cov if ctype == "full" else cov[None]
    rows = comps if ctype == "full" else ["shared (tied)"]
    d = mats.shape[1]
    if d <= 3:
        pairs = [(a, b) for a in range(d) for b in range(a, d)]
        cols = [f"Σ_{a + 1}{b + 1}" for a, b in pairs]
        values = [[m[a, b] for a, b in pairs] for m in mats]
        return Table("Covariance matrices", COVS[ctype], rows, cols, values,
                     note="The upper triangle of each symmetric matrix. " + note)
    values = [[float(np.trace(m)), float(np.linalg.slogdet(m)[1]), float(np.linalg.eigvalsh(m)[-1])] for m in mats]
    return Table("Covariance matrices", COVS[ctype], rows, ["trace Σ", "log det Σ", "largest eigenvalue"], values,
                 note=f"d = {d} features: each matrix summarised. " + note)


def _params_of(step):
    p = step.payload
    return np.asarray(p["weights"], float), np.asarray(p["means"], float), np.asarray(p["covariances_native"], float)


def _state(X, names, rows):
    X = np.asarray(X, float)
    idx, cut = shown_rows(X.shape[0], rows)
    return X, point_names(X.shape[0], names), idx, cut


def _parameter_tables(X, Q, ctype, reg, comps, sizes_note=""):
    """The M-step's tables from responsibilities ``Q``, the means as images (many features), the new parameters."""
    Nk, weights, means, cov = mstep(X, Q, ctype, reg)
    mean_table = vector_table("Means", MEANS, comps, means, "μ")
    tables = (weights_table(Nk, weights, comps, note=sizes_note), mean_table, _cov_table(cov, ctype, comps, reg))
    return tables, vector_images(mean_table, means), (Nk, weights, means, cov)


def _fitted(X, new, ctype, derived) -> dict:
    Nk, weights, means, cov = new
    k, d = means.shape
    derived.update(n_k=Nk, weights=weights, means=means, centers=means, covariances_native=cov,
                   covariances=expand(cov, ctype, k, d))
    return derived


def _init(X, steps, index, params, names, rows):
    step = steps[index]
    X, names, idx, cut = _state(X, names, rows)
    p = step.payload
    ctype, reg = p["covariance_type"], float(p.get("reg", 0.0))
    weights, means, cov = _params_of(step)
    comps = component_names(len(weights))
    derived = {}
    Q = partition_init(step, params, len(weights))
    if Q is not None:
        tables, images, new = _parameter_tables(X, Q, ctype, reg, comps, "From the K-means partition: q_nk = 1 "
                                                "when x_n is in cluster k, else 0.")
        _fitted(X, new, ctype, derived)
        derived.pop("n_k")
        weights, means, cov = new[1:]
    else:
        how = ("given" if np.asarray(step.labels).min(initial=0) < 0 else
               "from random responsibilities (not repeated here)")
        mean_table = vector_table("Means", r"\mu_k", comps, means, "μ")
        tables = (weights_table(None, weights, comps, note=f"The starting parameters, {how}."), mean_table,
                  _cov_table(cov, ctype, comps, 0.0))
        images = vector_images(mean_table, means)
    A = log_joint(X, weights, means, cov, ctype)
    ll_table, ll = loglik_table(A, idx, cut, names, LOGLIK)
    derived.update(loglik=ll, loglik_mean=ll / X.shape[0], objective=ll)
    return Working(tables + (ll_table,), present(step, derived), images)


def _estep(X, steps, index, params, names, rows):
    step, before = steps[index], steps[index - 1]
    X, names, idx, cut = _state(X, names, rows)
    weights, means, cov = _params_of(before)
    A = log_joint(X, weights, means, cov, before.payload["covariance_type"])
    tables, labels, ll = estep_tables(A, idx, cut, names, "q", (JOINT, RESP), component_names(len(weights)))
    derived = {"labels": labels, "changed": int(np.count_nonzero(labels != np.asarray(before.labels))),
               "loglik": ll, "loglik_mean": ll / X.shape[0], "objective": ll}
    return Working(tables, present(step, derived))


def _mstep(X, steps, index, params, names, rows):
    step, before = steps[index], steps[index - 1]
    X, names, idx, cut = _state(X, names, rows)
    weights, means, cov = _params_of(before)
    ctype, reg = before.payload["covariance_type"], float(before.payload.get("reg", 0.0))
    A = log_joint(X, weights, means, cov, ctype)
    Q = np.exp(A - logsumexp_rows(A)[:, None])
    comps = component_names(len(weights))
    tables, images, new = _parameter_tables(X, Q, ctype, reg, comps, "q_nk: the responsibilities of the E-step before.")
    A_new = log_joint(X, new[1], new[2], new[3], ctype)
    ll_table, ll = loglik_table(A_new, idx, cut, names, LOGLIK, "Log-likelihood of the new parameters")
    derived = _fitted(X, new, ctype, {"labels": A.argmax(axis=1)})
    derived.update(loglik=ll, loglik_mean=ll / X.shape[0], objective=ll)
    return Working(tables + (ll_table,), present(step, derived), images)


working = em_working(_init, _estep, _mstep, """The working of step ``index`` of a Gaussian mixture run (see the module docstring and
:mod:`engine.core.working` for the arguments).""")
