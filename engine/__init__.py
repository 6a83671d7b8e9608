"""Clusterlab's engine: stepwise clustering and mixture-model algorithms in plain numpy.

Nothing in this package imports Qt (a test enforces it). Each algorithm
module offers ``steps(X, ...)``, a generator of :class:`engine.core.steps.Step`
records, and ``fit(X, ...)``, which runs to the end.
"""
__version__ = "0.1.0"
