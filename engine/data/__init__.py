"""Data sets for Clusterlab: the :class:`Dataset` record, MNIST, the textbook examples, transformations.

Everything a view or an algorithm needs to know about the points lives in a
:class:`Dataset`: the coordinates ``X`` (read-only float64), optional ground
truth or starting groups (``labels``), their names, the image shape of image
data, and notes about how the data were read (rows dropped, ...).

Reading files lives in :mod:`engine.data.loaders` (:func:`load`, :func:`save_csv`),
the seeded shape generators in :mod:`engine.data.generators` (:func:`generate`);
both are re-exported here so callers only need ``engine.data``.

Example
-------
>>> ds = example("one-d")
>>> ds.X.shape, ds.X[:3, 0].tolist()
((8, 1), [1.0, 2.0, 4.0])
"""
from __future__ import annotations

import dataclasses
import functools
import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "DataError", "Dataset", "mnist", "binarize", "mnist_resource_dir",
    "example", "EXAMPLES", "standardize", "pca_2d", "project_2d", "Projection",
    "load", "save_csv", "generate", "GENERATORS", "MAX_BYTES", "MAX_POINTS",
]

#: Largest decoded data a loader accepts (bytes of float64 data).
MAX_BYTES = 2 * 1024 ** 3
#: Largest number of points (rows) a loader accepts.
MAX_POINTS = 5_000_000

MNIST_IMAGES = "t10k-images-idx3-ubyte.gz"
MNIST_LABELS = "t10k-labels-idx1-ubyte.gz"
MNIST_COUNT = 10_000


class DataError(ValueError):
    """Bad data a person can fix: the message says what is wrong and, where possible, what to do."""


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class Dataset:
    """Points to cluster, with what is known about them.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Coordinates; stored as a read-only float64 copy. Must be finite, n >= 1, d >= 1
        (an empty canvas is no data set: the GUI represents it as ``None``).
    labels : ndarray of shape (n_samples,), optional
        Integer ground truth (loaded or generated) or starting groups (textbook
        exercise 1, or painted by hand), ``>= -1``; ``-1`` means "no group"
        (an unlabelled point: HAC starts it as a cluster of its own, views
        draw it grey). Stored read-only as int64.
    label_names : tuple of str, optional
        Name of each label value (``label_names[labels[i]]``), e.g. the original
        strings of a text label column.
    image_shape : (int, int), optional
        ``(height, width)`` when each row is an image; ``height * width == n_features``.
    name : str
        Human-readable title.
    source : str
        A file path, ``"example:NAME"``, ``"generator:NAME"``, ``"mnist"`` or ``""`` (made by hand).
    notes : tuple of str
        Messages about how the data were read, e.g. rows with missing values dropped.
    point_names : tuple of str, optional
        One name per point (``"x1"``, ``"A"``, ...), shown by views where there is room.
    feature_names : tuple of str, optional
        One name per feature (column headers of a loaded table), for axis captions.

    Example
    -------
    >>> ds = Dataset(np.array([[0.0, 1.0], [2.0, 3.0]]), labels=[0, 1], name="two")
    >>> ds.n, ds.d, ds.X.flags.writeable
    (2, 2, False)
    >>> Dataset(np.zeros((3, 2)), labels=[0, -1, 0]).n_labels  # -1: in no group, not counted
    1
    """

    X: np.ndarray
    labels: np.ndarray | None = None
    label_names: tuple[str, ...] | None = None
    image_shape: tuple[int, int] | None = None
    name: str = ""
    source: str = ""
    notes: tuple[str, ...] = ()
    point_names: tuple[str, ...] | None = None
    feature_names: tuple[str, ...] | None = None

    def __post_init__(self):
        set_ = functools.partial(object.__setattr__, self)
        try:
            X = self.X
            if not (isinstance(X, np.ndarray) and X.dtype == np.float64 and not X.flags.writeable
                    and X.flags.c_contiguous):
                X = np.array(X, dtype=np.float64, copy=True)  # private copy; read-only input is shared
        except (TypeError, ValueError) as exc:
            raise DataError(f"X must be numbers: {exc}") from None
        if X.ndim == 1:
            X = X[:, None]
        if X.ndim != 2:
            raise DataError(f"X must be a 2-D array (n_samples, n_features); got shape {X.shape}.")
        n, d = X.shape
        if n < 1 or d < 1:
            raise DataError(f"X has shape {X.shape}; a data set needs at least one point and one feature.")
        if not np.isfinite(X).all():
            row = int(np.argwhere(~np.isfinite(X))[0, 0])
            raise DataError(f"X contains NaN or infinity (first at row {row}); remove those rows first.")
        set_("X", _readonly(np.ascontiguousarray(X)))

        if self.labels is not None:
            lab = np.asarray(self.labels)
            if lab.dtype.kind not in "iub":
                if lab.dtype.kind == "f" and lab.size and np.all(np.isfinite(lab)) and np.all(lab == np.round(lab)):
                    lab = lab.astype(np.int64)
                else:
                    raise DataError(f"labels must be whole numbers; got dtype {lab.dtype}.")
            lab = np.array(lab, dtype=np.int64).reshape(-1) if lab.ndim <= 1 else lab
            if lab.ndim != 1 or lab.shape[0] != n:
                raise DataError(f"labels has shape {np.shape(self.labels)} but X has {n} rows; "
                                "give one label per point.")
            if lab.size and lab.min() < -1:
                raise DataError(f"labels must be >= 0, or -1 for a point in no group; found {int(lab.min())}.")
            set_("labels", _readonly(lab))
        if self.label_names is not None:
            names = tuple(str(s) for s in self.label_names)
            if self.labels is None:
                raise DataError("label_names given without labels.")
            if self.labels.size and int(self.labels.max()) >= len(names):
                raise DataError(f"label {int(self.labels.max())} has no name: only {len(names)} label_names given.")
            set_("label_names", names)
        if self.image_shape is not None:
            try:
                shape = tuple(int(s) for s in self.image_shape)
            except (TypeError, ValueError):
                raise DataError(f"image_shape must be (height, width); got {self.image_shape!r}.") from None
            if len(shape) != 2 or min(shape) < 1 or shape[0] * shape[1] != d:
                raise DataError(f"image_shape {shape} does not fit {d} features per point "
                                "(height * width must equal n_features).")
            set_("image_shape", shape)
        if self.point_names is not None:
            pn = tuple(str(s) for s in self.point_names)
            if len(pn) != n:
                raise DataError(f"{len(pn)} point_names given for {n} points.")
            set_("point_names", pn)
        if self.feature_names is not None:
            fn = tuple(str(s) for s in self.feature_names)
            if len(fn) != d:
                raise DataError(f"{len(fn)} feature_names given for {d} features.")
            set_("feature_names", fn)
        set_("name", str(self.name))
        set_("source", str(self.source))
        set_("notes", tuple(str(s) for s in self.notes))

    @property
    def n(self) -> int:
        """Number of points."""
        return int(self.X.shape[0])

    @property
    def d(self) -> int:
        """Number of features."""
        return int(self.X.shape[1])

    @property
    def n_labels(self) -> int:
        """Number of distinct label values, ``-1`` (no group) not counted (0 without labels)."""
        if self.labels is None:
            return 0
        return int(np.unique(self.labels[self.labels >= 0]).size)

    @property
    def unlabelled(self) -> int:
        """Number of points in no group (label ``-1``); all of them when there are no labels."""
        return self.n if self.labels is None else int(np.count_nonzero(self.labels < 0))

    def replace(self, **changes) -> "Dataset":
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def with_X(self, X) -> "Dataset":
        """The same data set with new coordinates (same number of rows).

        ``image_shape`` and ``feature_names`` are kept only when the number of features is unchanged.
        """
        X = np.asarray(X, dtype=np.float64)
        same_d = X.ndim == 2 and X.shape[1] == self.d
        return self.replace(X=X, image_shape=self.image_shape if same_d else None,
                            feature_names=self.feature_names if same_d else None)

    def __repr__(self) -> str:
        extra = f", labels={self.n_labels} values" if self.labels is not None else ""
        return f"Dataset(name={self.name!r}, n={self.n}, d={self.d}{extra}, source={self.source!r})"


# ---------------------------------------------------------------- MNIST
def mnist_resource_dir() -> Path:
    """Folder holding the shipped MNIST test set (the ``resources`` package data, :mod:`engine.core.resources`)."""
    from engine.core.resources import resource_path

    try:
        c = resource_path()
    except FileNotFoundError as exc:
        raise DataError(f"The MNIST test set is missing: {exc}") from None
    if (c / MNIST_IMAGES).is_file() and (c / MNIST_LABELS).is_file():
        return c
    raise DataError(f"The MNIST test set is missing: expected {MNIST_IMAGES} and {MNIST_LABELS} in {c}. "
                    "Reinstall Clusterlab or copy the two files there.")


@functools.lru_cache(maxsize=1)
def _mnist_arrays() -> tuple[np.ndarray, np.ndarray]:
    """Decoded shipped MNIST test set: images (10000, 784) uint8 and labels (10000,) uint8, read-only."""
    from engine.data.loaders import read_idx  # local import: loaders imports this module

    folder = mnist_resource_dir()
    images = read_idx(folder / MNIST_IMAGES)
    labels = read_idx(folder / MNIST_LABELS)
    if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
        raise DataError(f"The shipped MNIST files in {folder} do not match (shapes {images.shape}, "
                        f"{labels.shape}); reinstall Clusterlab.")
    images = _readonly(np.ascontiguousarray(images.reshape(images.shape[0], -1)))
    return images, _readonly(np.ascontiguousarray(labels))


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
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MNIST_COUNT:
        raise DataError(f"n={n!r} should be a whole number between 1 and {MNIST_COUNT} "
                        "(the shipped MNIST test set has 10,000 images).")
    n = int(n)
    images, labels = _mnist_arrays()
    X = images[:n].astype(np.float64)
    X /= 255.0
    return Dataset(_readonly(X), labels=labels[:n], image_shape=(28, 28),
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


# ------------------------------------------------------ textbook examples
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


# --------------------------------------------------------- transformations
def standardize(X) -> np.ndarray:
    """Per-feature z-scores: subtract the mean, divide by the standard deviation (ddof=0).

    A constant feature has no spread; it becomes 0 everywhere (not NaN).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)

    Returns
    -------
    ndarray of shape (n_samples, n_features), float64

    Example
    -------
    >>> standardize(np.array([[1.0, 5.0], [3.0, 5.0]])).tolist()
    [[-1.0, 0.0], [1.0, 0.0]]
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    mean = X.mean(axis=0)
    Z = X - mean
    std = np.sqrt(np.mean(Z * Z, axis=0))
    # a feature whose spread is at rounding level of its values is constant
    const = std <= 1e-12 * np.maximum(np.abs(mean), 1.0)
    Z[:, const] = 0.0
    Z[:, ~const] /= std[~const]
    return Z


@dataclass(frozen=True, eq=False)
class Projection:
    """How :func:`pca_2d` mapped the data to the plane: ``Y = (X - mean) @ components.T``.

    Attributes
    ----------
    components : ndarray of shape (2, n_features)
        Unit directions of the two axes (principal components, largest variance first).
    mean : ndarray of shape (n_features,)
    explained_variance : ndarray of shape (2,)
        Variance of the data along each axis (ddof=1).
    explained_variance_ratio : ndarray of shape (2,)
        That variance as a share of the total variance (0 when the data have no spread).
    method : str
        ``"pca"``, ``"identity"`` (d == 2, data unchanged) or ``"line"`` (d == 1, y = 0).
    message : str
        One line for people, e.g. for an axis caption.
    """

    components: np.ndarray
    mean: np.ndarray
    explained_variance: np.ndarray
    explained_variance_ratio: np.ndarray
    method: str
    message: str

    def project(self, X) -> np.ndarray:
        """Project more points (e.g. cluster centres) the same way; shape (m, 2)."""
        return project_2d(X, self.components, self.mean)


def project_2d(X, components, mean) -> np.ndarray:
    """Project points onto two directions: ``(X - mean) @ components.T``.

    Parameters
    ----------
    X : ndarray of shape (m, n_features)
    components : ndarray of shape (2, n_features)
    mean : ndarray of shape (n_features,)

    Returns
    -------
    ndarray of shape (m, 2)

    Example
    -------
    >>> project_2d(np.array([[1.0, 2.0, 3.0]]), np.eye(3)[:2], np.zeros(3)).tolist()
    [[1.0, 2.0]]
    """
    X = np.asarray(X, dtype=np.float64)
    C = np.asarray(components, dtype=np.float64)
    if X.ndim == 1:  # one point of d features, or n values of a 1-D data set
        X = X[None, :] if C.shape[1] > 1 else X[:, None]
    return (X - np.asarray(mean, dtype=np.float64)) @ C.T


def _flip_signs(V: np.ndarray) -> np.ndarray:
    """Make each row's largest-magnitude entry positive (a deterministic sign, as scikit-learn does)."""
    idx = np.argmax(np.abs(V), axis=1)
    signs = np.sign(V[np.arange(V.shape[0]), idx])
    signs[signs == 0] = 1.0
    return V * signs[:, None]


def _top_eigenvectors(S: np.ndarray, k: int = 2, tol: float = 1e-11) -> np.ndarray:
    """The ``k`` leading eigenvectors of a symmetric PSD matrix, shape (m, k).

    Small matrices: ``numpy.linalg.eigh``. Larger ones: block subspace iteration
    with Rayleigh-Ritz (a fixed seed, so the result is deterministic) until every
    residual ``||S v - lambda v||`` is below ``tol * lambda_max``; far cheaper than
    a full eigendecomposition of a 784 x 784 matrix. Falls back to ``eigh`` if
    it has not converged.
    """
    m = S.shape[0]
    if m <= 64:
        w, U = np.linalg.eigh(S)
        return U[:, np.argsort(w)[::-1][:k]]
    b = min(m, k + 10)
    Q = np.linalg.qr(np.random.default_rng(0).standard_normal((m, b)))[0]
    for it in range(1, 301):
        Q = np.linalg.qr(S @ Q)[0]
        if it % 4 == 0:
            SQ = S @ Q
            w, U = np.linalg.eigh(Q.T @ SQ)
            order = np.argsort(w)[::-1][:k]
            V, lam = Q @ U[:, order], w[order]
            resid = np.linalg.norm(SQ @ U[:, order] - V * lam, axis=0)
            if np.all(resid <= tol * max(float(lam[0]), np.finfo(float).tiny)):
                return V
    w, U = np.linalg.eigh(S)
    return U[:, np.argsort(w)[::-1][:k]]


def pca_2d(X) -> tuple[np.ndarray, Projection]:
    """Project data onto its first two principal components for drawing.

    d > 2: centred data projected on the two leading right singular vectors
    of the centred data (found as leading eigenvectors of the smaller of its two
    Gram matrices, by subspace iteration: fast for MNIST-sized data). d == 2: the data unchanged. d == 1: the values on the
    x axis, y = 0.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)

    Returns
    -------
    Y : ndarray of shape (n_samples, 2)
    info : Projection
        Components, mean and explained variance; ``info.project(C)`` maps centres the same way.

    Example
    -------
    >>> Y, info = pca_2d(np.array([[0.0, 0, 0], [2, 0, 0], [0, 1, 0]]))
    >>> Y.shape, info.method
    ((3, 2), 'pca')
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise DataError(f"pca_2d needs a 2-D array with at least one point and one feature; got shape {X.shape}.")
    n, d = X.shape
    ddof_n = max(n - 1, 1)
    if d <= 2:
        var = X.var(axis=0, ddof=1) if n > 1 else np.zeros(d)
        total = var.sum()
        ratio = var / total if total > 0 else np.zeros(d)
        if d == 2:
            Y = X.copy()
            info = Projection(np.eye(2), np.zeros(2), var, ratio, "identity",
                              "2-D data shown as they are (no projection).")
        else:
            Y = np.column_stack([X[:, 0], np.zeros(n)])
            info = Projection(np.array([[1.0], [0.0]]), np.zeros(1), np.array([var[0], 0.0]),
                              np.array([ratio[0], 0.0]), "line", "1-D data on the x axis (y = 0).")
        return Y, info

    mean = X.mean(axis=0)
    Xc = X - mean
    if n >= d:
        # right singular vectors of Xc = leading eigenvectors of Xc^T Xc (d x d)
        S = Xc.T @ Xc
        V = _top_eigenvectors(S).T
    else:
        # left singular vectors from the n x n Gram matrix, then V = U^T Xc / s
        S = Xc @ Xc.T
        V = _top_eigenvectors(S).T @ Xc
        norms = np.linalg.norm(V, axis=1)
        V = np.where(norms[:, None] > 0, V / np.where(norms > 0, norms, 1.0)[:, None], np.eye(2, d))
    V = _flip_signs(V)
    Y = Xc @ V.T
    total = float(np.trace(S)) / ddof_n  # the sum of squares of Xc, for free
    var = np.sum(Y * Y, axis=0) / ddof_n
    ratio = var / total if total > 0 else np.zeros(2)
    info = Projection(V, mean, var, ratio, "pca",
                      f"First two principal components ({100 * ratio.sum():.1f}% of the variance).")
    return Y, info


# ----------------------------------------------------------- re-exports
def load(path) -> Dataset:
    """Read a data file; see :func:`engine.data.loaders.load`."""
    from engine.data.loaders import load as _load
    return _load(path)


def save_csv(path, X, labels=None, header=None, label_names=None) -> None:
    """Write data as CSV that :func:`load` reads back; see :func:`engine.data.loaders.save_csv`."""
    from engine.data.loaders import save_csv as _save
    _save(path, X, labels=labels, header=header, label_names=label_names)


def generate(kind: str, n: int = 300, seed=0, **opts) -> Dataset:
    """A seeded 2-D data set of a classic shape; see :func:`engine.data.generators.generate`."""
    from engine.data.generators import generate as _generate
    return _generate(kind, n=n, seed=seed, **opts)


#: Generator kind -> one-line description (the single list; engine.data.generators implements each).
GENERATORS = {
    "blobs": "k round Gaussian clusters of equal spread and size.",
    "elongated": "k elongated, overlapping Gaussians at different angles (exercise 6).",
    "unequal": "k Gaussian clusters of very different spread and size.",
    "moons": "Two interleaving half circles.",
    "rings": "k concentric rings.",
    "uniform": "Uniform noise in the unit square (one label).",
}
