"""Data sets for Clusterlab: the :class:`Dataset` record, MNIST, the textbook examples, transformations.

Everything a view or an algorithm needs to know about the points lives in a
:class:`Dataset`: the coordinates ``X`` (read-only float64), optional ground
truth or starting groups (``labels``), their names, the image shape of image
data, and notes about how the data were read (rows dropped, ...).

Modules: :mod:`engine.data.dataset` (:class:`Dataset`, :class:`DataError`, size limits),
:mod:`engine.data.loaders` (:func:`load`; .npy/.npz), :mod:`engine.data.text` (text tables,
:func:`save_csv`), :mod:`engine.data.textstream` (reading text with the limits checked while reading),
:mod:`engine.data.textparse` and :mod:`engine.data.textcells` (parsing a table a block of lines at a time), :mod:`engine.data.idx` (MNIST IDX files), :mod:`engine.data.common` (helpers every
reader shares), :mod:`engine.data.generators` (:func:`generate`), :mod:`engine.data.examples`
(MNIST, the textbook sets, :func:`binarize`), :mod:`engine.data.transforms` (:func:`standardize`,
:func:`pca_2d`). Their public names are re-exported here so callers only need ``engine.data``.

Example
-------
>>> ds = example("one-d")
>>> ds.X.shape, ds.X[:3, 0].tolist()
((8, 1), [1.0, 2.0, 4.0])
"""
from __future__ import annotations

from engine.data.common import LoadCancelled
from engine.data.dataset import MAX_BYTES, MAX_POINTS, DataError, Dataset
from engine.data.examples import (EXAMPLES, MNIST_COUNT, MNIST_IMAGES, MNIST_LABELS, binarize, example, mnist,
                                  mnist_arrays, mnist_resource_dir)
from engine.data.generators import GENERATORS, generate
from engine.data.loaders import load
from engine.data.text import save_csv
from engine.data.transforms import Projection, feature_axes, pca_2d, project_2d, standardize

__all__ = [
    "DataError", "Dataset", "mnist", "binarize", "mnist_resource_dir", "mnist_arrays",
    "example", "EXAMPLES", "standardize", "pca_2d", "project_2d", "Projection", "feature_axes",
    "load", "save_csv", "generate", "GENERATORS", "MAX_BYTES", "MAX_POINTS", "LoadCancelled",
]
