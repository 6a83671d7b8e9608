"""Clusterlab's engine: stepwise clustering and mixture-model algorithms in plain numpy.

Nothing in this package imports Qt (a test enforces it). Every algorithm is a
package (``engine.hac``, ``engine.kmeans``, ...) with ``steps(X, ...)``, a
generator of :class:`engine.core.steps.Step` records, and ``fit(X, ...)``,
which runs to the end; each is registered once, through the entry-point group
``clusterlab.algorithms`` (:mod:`engine.core.registry`). This façade runs any
registered algorithm by name:

>>> import numpy as np
>>> "kmeans" in algorithms()
True
>>> X = np.array([[0.0], [1.0], [5.0]])
>>> [s.kind for s in steps("hac", X, linkage="min")]
['start', 'merge', 'merge']
>>> fit("hac", X, linkage="min").linkage[:, 2].tolist()
[1.0, 4.0]

How good a clustering is (:mod:`engine.scores`): :func:`silhouette_samples`, :func:`silhouette_score`
(l1, l2, l-inf), and against known labels :func:`adjusted_rand_index`, :func:`normalized_mutual_info`,
:func:`purity`, :func:`contingency`; a Gaussian or Bernoulli mixture's fit result has ``bic`` and ``aic``.

>>> round(silhouette_score(X, [0, 0, 1]), 4), adjusted_rand_index([0, 0, 1], [1, 1, 0])
(0.5167, 1.0)
"""
from __future__ import annotations

from engine.core import registry
from engine.scores import (adjusted_rand_index, contingency, normalized_mutual_info, purity, silhouette_samples,
                           silhouette_score)

__version__ = "0.1.0"
__all__ = ["algorithms", "steps", "fit", "__version__", "silhouette_samples", "silhouette_score", "adjusted_rand_index",
           "normalized_mutual_info", "purity", "contingency"]


def algorithms() -> list[str]:
    """The names of every registered algorithm, in menu order."""
    return list(registry.algorithms())


def steps(name: str, X, **params):
    """The step generator of algorithm ``name`` on ``X`` (``params`` checked by the algorithm)."""
    return registry.get_algorithm(name).steps(X, **params)


def fit(name: str, X, **params):
    """Run algorithm ``name`` on ``X`` to the end: its ``fit`` result, or its last step."""
    alg = registry.get_algorithm(name)
    if alg.fit is not None:
        return alg.fit(X, **params)
    last = None
    for last in alg.steps(X, **params):
        pass
    return last
