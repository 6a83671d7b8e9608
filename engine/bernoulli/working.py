r"""The working of a Bernoulli mixture's EM steps, recomputed by the textbook formulas.

:func:`working` is :attr:`engine.bernoulli.ALGORITHM.working <engine.core.registry.Algorithm.working>`
(the contract is :mod:`engine.core.working`'s). Written plainly from the course's formulas
and sharing no code with :mod:`engine.bernoulli.model`:

* **init** — the starting weights and ``theta_k`` (drawn, given, or the M-step from the K-means
  partition's 0/1 responsibilities, recomputed) and their log-likelihood (and log posterior).
  ``derived``: ``"loglik"``, ``"logpost"``, ``"loglik_mean"``, ``"objective"``; after a K-means
  partition also ``"weights"`` (and, see below, ``"probs"``, ``"centers"``, ``"n_clipped"``).
* **E** — ``a_nk = log pi_k + sum_d log p(x_nd | theta_kd)`` per point and component with
  ``log p(x_n)``, and ``gamma_nk`` (each row's largest highlighted; a last row sums them over all
  points). ``derived``: ``"labels"``, ``"changed"``, ``"loglik"``, ``"logpost"``, ``"loglik_mean"``,
  ``"objective"``.
* **M** — ``N_k`` and ``pi_k`` (kept as they were with fixed weights); ``theta_k`` with the prior
  ``alpha`` as the engine applies it, ``(sum_n gamma_nk x_nd + alpha) / (N_k + 2 alpha)`` clipped to
  ``[1e-10, 1 - 1e-10]``, one column per feature up to 10 features, else summarised per component and
  given as images too (``Working.images``, white 0 to black 1, which the views draw for image data);
  the log-likelihood as a sum over points, the log prior and the log posterior (``Step.objective``). ``derived``: ``"n_k"``, ``"weights"``, ``"labels"``, ``"loglik"``,
  ``"logpost"``, ``"loglik_mean"``, ``"objective"``, and ``"probs"``, ``"centers"``, ``"n_clipped"``.

MNIST-sized runs (``n * d * k >=`` :data:`engine.bernoulli.model.FLOAT32_MIN_WORK`) sum the
M-step's ``sum_n gamma_nk x_nd`` in float32, so theta is accurate to about 1e-6 there: ``derived``
then leaves out ``"probs"``, ``"centers"`` and ``"n_clipped"`` (a note under the theta table says so)
and evaluates the log-likelihood at the step's own theta.

Example
-------
>>> from engine.bernoulli import steps
>>> X = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1], [0, 1, 1]])
>>> run = list(steps(X, 2, seed=0, alpha=1.0))
>>> w = working(X, run, 2, {"alpha": 1.0})
>>> [t.title for t in w.tables]
['Component sizes and weights', 'Pixel probabilities θ_k', 'Log-likelihood of the new parameters']
>>> bool(np.allclose(w.derived["probs"], run[2].payload["probs"], rtol=1e-9))
True
"""
from __future__ import annotations

import math

import numpy as np

from engine.bernoulli.model import FLOAT32_MIN_WORK
from engine.core.working import Working, point_names, shown_rows
from engine.mixture.working import (EPS_NK, component_names, em_working, estep_tables, logsumexp_rows, loglik_table,
                                    partition_init, present, vector_images, vector_table, weights_table)

__all__ = ["working", "log_joint", "log_prior", "mstep"]

#: The bounds every theta is clipped to after an M-step (as the engine's ``CLIP``).
LOW, HIGH = 1e-10, 1.0 - 1e-10

JOINT = (r"a_{nk} = \log \pi_k + \sum_d \left[ x_{nd} \log \theta_{kd} + (1 - x_{nd}) \log (1 - \theta_{kd}) "
         r"\right], \quad \log p(x_n) = \log \sum_k e^{a_{nk}}")
RESP = r"\gamma_{nk} = \frac{\pi_k p(x_n \mid \theta_k)}{\sum_j \pi_j p(x_n \mid \theta_j)} = e^{a_{nk} - \log p(x_n)}"
LOGLIK = r"L = \sum_n \log \sum_k \pi_k \prod_d \theta_{kd}^{x_{nd}} (1 - \theta_{kd})^{1 - x_{nd}}"
SIZES = r"N_k = \sum_n \gamma_{nk}, \quad \pi_k = N_k / N"
SIZES_FIXED = r"N_k = \sum_n \gamma_{nk}, \quad \pi_k \text{ fixed}"
THETA = r"\theta_{kd} = \frac{\sum_n \gamma_{nk} x_{nd}}{N_k}"
THETA_MAP = r"\theta_{kd} = \frac{\sum_n \gamma_{nk} x_{nd} + \alpha}{N_k + 2\alpha}"


def log_joint(X, weights, probs) -> np.ndarray:
    """``a_nk = log pi_k + sum_d [x_nd log theta_kd + (1 - x_nd) log(1 - theta_kd)]``, shape (n, k).

    The sum over features is grouped as ``sum_d x_nd (log theta_kd - log(1 - theta_kd)) + sum_d log(1 - theta_kd)``
    (the same sum; no (n, d) array of ``1 - x`` is made for 6,000 MNIST images).

    >>> np.exp(log_joint(np.array([[1.0, 0.0]]), [1.0], [[0.9, 0.2]])).round(6).tolist()  # 0.9 * 0.8
    [[0.72]]
    """
    X = np.asarray(X, float)
    t = np.asarray(probs, float)
    log_t, log_1mt = np.log(t), np.log(1.0 - t)
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, float))
    return X @ (log_t - log_1mt).T + log_1mt.sum(axis=1) + log_w


def log_prior(probs, alpha: float) -> float:
    """``sum_kd log Beta(theta_kd; alpha + 1, alpha + 1)`` (0 when ``alpha = 0``).

    >>> round(log_prior([[0.5]], 1.0), 6)  # the Beta(2, 2) density at 1/2 is 6 * 1/4 = 1.5
    0.405465
    """
    t = np.asarray(probs, float)
    if alpha == 0:
        return 0.0
    a = alpha + 1.0
    log_beta = 2 * math.lgamma(a) - math.lgamma(2 * a)
    return float(((a - 1) * np.log(t) + (a - 1) * np.log(1.0 - t) - log_beta).sum())


def mstep(X, G, alpha: float, kept=None):
    """The M-step from responsibilities ``G`` (n, k): ``(N_k, pi, theta, theta before clipping)``.

    ``kept``: the weights to keep (fixed weights), else ``pi_k = N_k / N``. ``N_k`` includes
    :data:`~engine.mixture.working.EPS_NK` (10 machine epsilons), as the engine's, so a component that lost
    its points never divides by zero.
    """
    n = X.shape[0]
    Nk = G.sum(axis=0) + EPS_NK
    counts = (X.T @ G).T  # sum_n gamma_nk x_nd, (k, d); X.T @ G keeps X as stored (several times faster than G.T @ X)
    raw = (counts + alpha) / (Nk + 2 * alpha)[:, None]
    weights = Nk / n if kept is None else np.asarray(kept, float)
    return Nk, weights, np.clip(raw, LOW, HIGH), raw


def _float64(X, k: int) -> bool:
    """Whether the engine's M-step sums in float64 for these data (then theta agrees to 1e-9)."""
    return X.size * k < FLOAT32_MIN_WORK


def _alpha(step, params) -> float:
    return float(step.payload.get("alpha", (params or {}).get("alpha", 0.0)))


def _fixed(step, params) -> bool:
    return bool(step.payload.get("fixed_weights", (params or {}).get("fixed_weights", False)))


def _theta_table(probs, comps, alpha: float, exact: bool, raw=None):
    formula = THETA if alpha == 0 else THETA_MAP
    notes = [] if alpha == 0 else [f"α = {alpha:g}: a Beta(α + 1, α + 1) prior (the MAP estimate)."]
    if raw is not None:
        clipped = int(np.count_nonzero((raw <= LOW) | (raw >= HIGH)))
        notes.append(f"{clipped} value(s) clipped to [1e-10, 1 − 1e-10]." if clipped else
                     "Clipped to [1e-10, 1 − 1e-10]: none needed it.")
    if not exact:
        notes.append("Here the engine sums in float32 (MNIST-sized): θ agrees to about 1e-6.")
    return vector_table("Pixel probabilities θ_k", formula, comps, probs, "θ", " ".join(notes))


def _loglik(X, weights, probs, idx, cut, names, alpha, title):
    A = log_joint(X, weights, probs)
    prior = log_prior(probs, alpha)
    L = float(logsumexp_rows(A).sum())
    extra = () if alpha == 0 else (("log prior", prior), ("log posterior", L + prior))
    table, ll = loglik_table(A, idx, cut, names, LOGLIK, title, extra)
    return table, {"loglik": ll, "logpost": ll + prior, "loglik_mean": ll / X.shape[0], "objective": ll + prior}


def _state(X, names, rows):
    X = np.asarray(X, float)
    idx, cut = shown_rows(X.shape[0], rows)
    return X, point_names(X.shape[0], names), idx, cut


def _params_of(step):
    return np.asarray(step.payload["weights"], float), np.asarray(step.payload["probs"], float)


def _init(X, steps, index, params, names, rows):
    step = steps[index]
    X, names, idx, cut = _state(X, names, rows)
    weights, probs = _params_of(step)
    k, alpha = len(weights), _alpha(step, params)
    comps = component_names(k)
    derived = {}
    G = partition_init(step, params, k)
    if G is not None:
        exact = _float64(X, k)
        kept = np.full(k, 1.0 / k) if _fixed(step, params) else None
        Nk, w, theta, raw = mstep(X, G, alpha, kept)
        tables = (weights_table(Nk, w, comps, SIZES_FIXED if kept is not None else SIZES,
                                "From the K-means partition: γ_nk = 1 when x_n is in cluster k, else 0."),
                  _theta_table(theta, comps, alpha, exact, raw))
        images = vector_images(tables[1], theta, (0.0, 1.0))
        derived["weights"] = w
        if exact:
            weights, probs = w, theta
            derived.update(probs=theta, centers=theta,
                           n_clipped=int(np.count_nonzero((raw <= LOW) | (raw >= HIGH))))
    else:
        init = (params or {}).get("init", "random")
        how = "drawn uniformly from [0.25, 0.75]" if isinstance(init, str) and init == "random" else "given"
        tables = (weights_table(None, weights, comps, note="The starting weights."),
                  vector_table("Pixel probabilities θ_k", r"\theta_{kd}", comps, probs, "θ",
                               f"The starting θ, {how}."))
        images = vector_images(tables[1], probs, (0.0, 1.0))
    table, values = _loglik(X, weights, probs, idx, cut, names, alpha, "Log-likelihood of these parameters")
    derived.update(values)
    return Working(tables + (table,), present(step, derived), images)


def _estep(X, steps, index, params, names, rows):
    step, before = steps[index], steps[index - 1]
    X, names, idx, cut = _state(X, names, rows)
    weights, probs = _params_of(before)
    alpha = _alpha(before, params)
    A = log_joint(X, weights, probs)
    tables, labels, ll = estep_tables(A, idx, cut, names, "γ", (JOINT, RESP), component_names(len(weights)))
    prior = log_prior(probs, alpha)
    derived = {"labels": labels, "changed": int(np.count_nonzero(labels != np.asarray(before.labels))),
               "loglik": ll, "logpost": ll + prior, "loglik_mean": ll / X.shape[0], "objective": ll + prior}
    return Working(tables, present(step, derived))


def _mstep(X, steps, index, params, names, rows):
    step, before = steps[index], steps[index - 1]
    X, names, idx, cut = _state(X, names, rows)
    weights, probs = _params_of(before)
    k, alpha, fixed = len(weights), _alpha(before, params), _fixed(before, params)
    A = log_joint(X, weights, probs)
    G = np.exp(A - logsumexp_rows(A)[:, None])
    Nk, w, theta, raw = mstep(X, G, alpha, weights if fixed else None)
    exact = _float64(X, k)
    comps = component_names(k)
    tables = (weights_table(Nk, w, comps, SIZES_FIXED if fixed else SIZES,
                            "γ_nk: the responsibilities of the E-step before." + (
                                " The weights stay as they started (fixed weights)." if fixed else "")),
              _theta_table(theta, comps, alpha, exact, raw))
    derived = {"n_k": Nk, "weights": w, "labels": A.argmax(axis=1)}
    if exact:
        derived.update(probs=theta, centers=theta, n_clipped=int(np.count_nonzero((raw <= LOW) | (raw >= HIGH))))
    new = theta if exact else _params_of(step)[1]
    table, values = _loglik(X, w, new, idx, cut, names, alpha, "Log-likelihood of the new parameters")
    derived.update(values)
    return Working(tables + (table,), present(step, derived), vector_images(tables[1], theta, (0.0, 1.0)))


working = em_working(_init, _estep, _mstep, """The working of step ``index`` of a Bernoulli mixture run (see the module docstring and
:mod:`engine.core.working` for the arguments).""")

