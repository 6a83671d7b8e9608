"""The norms' names as the course writes them, for every text, title and table (one place, not one per view).

>>> NORM_SYMBOLS["linf"]
'ℓ∞'
>>> metric_symbol("sqeuclidean"), metric_symbol("l1"), metric_symbol(root_metric("sqeuclidean"))
('squared ℓ2', 'ℓ1', 'ℓ2')
"""

__all__ = ["NORM_SYMBOLS", "metric_symbol", "root_metric"]

#: Parameter value -> symbol: ``"l1"`` -> ℓ1, ``"l2"`` -> ℓ2, ``"linf"`` -> ℓ∞.
NORM_SYMBOLS = {"l1": "ℓ1", "l2": "ℓ2", "linf": "ℓ∞"}


def metric_symbol(metric: str) -> str:
    """A distance as texts write it: a norm's symbol (:data:`NORM_SYMBOLS`), ``"sqeuclidean"`` (K-means) as
    "squared ℓ2"; any other name (``"precomputed"``) as it is."""
    if metric == "sqeuclidean":
        return f"squared {NORM_SYMBOLS['l2']}"
    return NORM_SYMBOLS.get(metric, metric)


def root_metric(metric: str) -> str:
    """The norm whose distance ``metric`` is or squares: ``"l2"`` for ``"sqeuclidean"``, else ``metric``."""
    return "l2" if metric == "sqeuclidean" else metric
