"""Ready-made data sets: the shipped MNIST test set and the textbook exercises, and :func:`binarize`.

Example
-------
>>> ds = example("one-d")
>>> ds.X.shape, ds.X[:3, 0].tolist()
((8, 1), [1.0, 2.0, 4.0])
"""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from engine.core.resources import resource_path
from engine.core.validation import check_whole
from engine.data.dataset import DataError, Dataset, readonly_array
from engine.data.idx import read_idx

__all__ = ["MNIST_IMAGES", "MNIST_LABELS", "MNIST_COUNT", "mnist_resource_dir", "mnist_arrays", "mnist", "binarize",
           "EXAMPLES", "example"]

MNIST_IMAGES = "t10k-images-idx3-ubyte.gz"
MNIST_LABELS = "t10k-labels-idx1-ubyte.gz"
MNIST_COUNT = 10_000


def mnist_resource_dir() -> Path:
    """Folder holding the shipped MNIST test set (the ``resources`` package data, :mod:`engine.core.resources`)."""
    try:
        c = resource_path()
    except FileNotFoundError as exc:
        raise DataError(f"The MNIST test set is missing: {exc}") from None
    if (c / MNIST_IMAGES).is_file() and (c / MNIST_LABELS).is_file():
        return c
    raise DataError(f"The MNIST test set is missing: expected {MNIST_IMAGES} and {MNIST_LABELS} in {c}. "
                    "Reinstall Clusterlab or copy the two files there.")


@functools.lru_cache(maxsize=1)
def mnist_arrays() -> tuple[np.ndarray, np.ndarray]:
    """Decoded shipped MNIST test set: images (10000, 784) uint8 and labels (10000,) uint8, read-only."""
    folder = mnist_resource_dir()
    images = read_idx(folder / MNIST_IMAGES)
    labels = read_idx(folder / MNIST_LABELS)
    if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
        raise DataError(f"The shipped MNIST files in {folder} do not match (shapes {images.shape}, "
                        f"{labels.shape}); reinstall Clusterlab.")
    images = readonly_array(np.ascontiguousarray(images.reshape(images.shape[0], -1)))
    return images, readonly_array(np.ascontiguousarray(labels))


def mnist(n: int = 6000) -> Dataset:
    """The first ``n`` images of the shipped MNIST test set, pixels scaled to [0, 1].

    Parameters
    ----------
    n : int, 1 <= n <= 10000
        Number of images (the test set's order, not shuffled).

    Returns
    -------
    Dataset
        ``X`` of shape (n, 784) float64 in [0, 1], ``labels`` the digits 0-9,
        ``image_shape`` (28, 28).

    Example
    -------
    >>> ds = mnist(5)
    >>> ds.X.shape, int(ds.labels[0]), ds.image_shape
    ((5, 784), 7, (28, 28))
    """
    n = check_whole(n, "n", low=1, high=MNIST_COUNT, error=DataError,
                    suffix=" (the shipped MNIST test set has 10,000 images)")
    images, labels = mnist_arrays()
    X = images[:n].astype(np.float64)
    X /= 255.0
    return Dataset(readonly_array(X), labels=labels[:n], image_shape=(28, 28),
                   name=f"MNIST (first {n} test images)", source="mnist")


def binarize(X, threshold: float = 0.5):
    """Pixels above ``threshold`` become 1.0, the rest 0.0 (for the Bernoulli mixture).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features) or Dataset
    threshold : float

    Returns
    -------
    ndarray of shape (n_samples, n_features), float64 of 0.0 and 1.0 (a Dataset if a Dataset was given).

    Example
    -------
    >>> binarize(np.array([[0.2, 0.7], [0.5, 1.0]])).tolist()
    [[0.0, 1.0], [0.0, 1.0]]
    """
    if isinstance(X, Dataset):
        return X.with_X(binarize(X.X, threshold)).replace(name=f"{X.name} (binarized at {threshold:g})")
    return (np.asarray(X, dtype=np.float64) > float(threshold)).astype(np.float64)


EXAMPLES = {
    "four-points": "Exercise 1: x1..x4 in the plane, starting groups black {x1, x2}, red {x3}, blue {x4}.",
    "one-d": "Exercise 2: the eight numbers 1, 2, 4, 5, 9, 11, 16, 17 on a line.",
    "five-points": "Exercise 3: A..E for K-means with K = 2, starting means A and C.",
}


def example(name: str) -> Dataset:
    """One of the textbook data sets, with exactly the values of the exercise.

    Parameters
    ----------
    name : {"four-points", "one-d", "five-points"}

    Returns
    -------
    Dataset
        ``source`` is ``"example:NAME"``. ``four-points`` has the starting groups
        as ``labels`` (0 black, 1 red, 2 blue) and ``point_names`` x1..x4;
        ``five-points`` has ``point_names`` A..E; ``one-d`` is 8 x 1 without labels.

    Example
    -------
    >>> ds = example("five-points")
    >>> ds.point_names, ds.X[2].tolist()
    (('A', 'B', 'C', 'D', 'E'), [0.0, 2.0])
    """
    if name == "four-points":
        return Dataset(np.array([[0.1, 0.5], [0.35, 0.75], [0.28, 1.35], [0.0, 1.01]]),
                       labels=[0, 0, 1, 2], label_names=("black", "red", "blue"),
                       point_names=("x1", "x2", "x3", "x4"),
                       name="Four points, three starting groups (exercise 1)", source="example:four-points")
    if name == "one-d":
        return Dataset(np.array([1.0, 2, 4, 5, 9, 11, 16, 17])[:, None],
                       point_names=tuple(str(v) for v in (1, 2, 4, 5, 9, 11, 16, 17)),
                       name="Eight points on a line (exercise 2)", source="example:one-d")
    if name == "five-points":
        return Dataset(np.array([[1.0, 1], [1, 0], [0, 2], [2, 4], [3, 5]]),
                       point_names=("A", "B", "C", "D", "E"),
                       name="Five points A..E (exercise 3)", source="example:five-points")
    raise DataError(f"Unknown example {name!r}; known examples: {', '.join(EXAMPLES)}.")
