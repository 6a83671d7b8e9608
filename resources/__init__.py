"""Clusterlab's shipped files, installed as package data: the MNIST test set
(``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz``) and the example
sessions (``sessions/*.json``).

Code never imports this package directly: :func:`engine.core.resources.resource_path`
finds the files through :mod:`importlib.resources`.
"""
