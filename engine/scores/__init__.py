"""How good is a clustering: silhouettes, scores against known labels, information criteria.

Plain numpy (no scikit-learn; agreement with it is tested). Every function takes the labels of
any step of any algorithm; label ``-1`` (noise, not assigned yet, or for ``truth`` an unknown
class) is handled as each module documents:

* :mod:`engine.scores.silhouette` - :func:`silhouette_samples`, :func:`silhouette_score` in l1, l2
  or l-inf, computed in blocks (``-1`` points have no silhouette and are left out);
* :mod:`engine.scores.external` - :func:`contingency`, :func:`adjusted_rand_index`,
  :func:`normalized_mutual_info`, :func:`purity` (``-1`` in ``truth`` left out, ``-1`` in ``labels``
  one more cluster);
* :mod:`engine.scores.criteria` - :func:`bic`, :func:`aic` and mixtures' parameter counts (the
  fit results of ``engine.fit("gmm", ...)`` and ``engine.fit("bernoulli", ...)`` carry ``bic``
  and ``aic``);
* :mod:`engine.scores.summary` - :func:`step_scores`, one step's scores as a dict.

Example
-------
>>> import numpy as np
>>> X = np.array([[0.0, 0.0], [0.0, 1.0], [4.0, 0.0], [4.0, 1.0]])
>>> round(silhouette_score(X, [0, 0, 1, 1], metric="l1"), 6)
0.777778
>>> adjusted_rand_index([0, 0, 1, 1], [1, 1, 0, 0])
1.0
"""
from __future__ import annotations

from engine.scores.criteria import aic, bernoulli_mixture_n_params, bic, gaussian_mixture_n_params
from engine.scores.external import Contingency, adjusted_rand_index, contingency, normalized_mutual_info, purity
from engine.scores.silhouette import METRICS, check_metric, silhouette_samples, silhouette_score
from engine.scores.summary import run_metric, sample_rows, step_scores

__all__ = ["METRICS", "check_metric", "silhouette_samples", "silhouette_score", "Contingency", "contingency",
           "adjusted_rand_index", "normalized_mutual_info", "purity", "bic", "aic", "gaussian_mixture_n_params",
           "bernoulli_mixture_n_params", "run_metric", "sample_rows", "step_scores"]
