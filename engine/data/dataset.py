"""The :class:`Dataset` record: points to cluster with what is known about them, checked once.

A leaf module: it imports nothing of Clusterlab but :mod:`engine.core`, so
every reader, generator and view can depend on it. :data:`MAX_BYTES` and
:data:`MAX_POINTS` are the size limits every loader applies.

Example
-------
>>> Dataset(np.array([[0.0], [1.0]]), labels=[1.0, 0.0]).labels.tolist()
[1, 0]
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np

from engine.core.validation import all_whole

__all__ = ["DataError", "Dataset", "MAX_BYTES", "MAX_POINTS", "readonly_array"]

#: Largest decoded data a loader accepts (bytes of float64 data).
MAX_BYTES = 2 * 1024 ** 3
#: Largest number of points (rows) a loader accepts.
MAX_POINTS = 5_000_000


class DataError(ValueError):
    """Bad data a person can fix: the message says what is wrong and, where possible, what to do."""


def readonly_array(a: np.ndarray) -> np.ndarray:
    """``a`` itself, made read-only."""
    a.setflags(write=False)
    return a


def _checked_X(X) -> np.ndarray:
    try:
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
    with np.errstate(over="ignore", invalid="ignore"):
        all_finite = bool(np.isfinite(X.sum())) or bool(np.isfinite(X).all())  # a sum is finite only if all are
    if not all_finite:
        row = int(np.argwhere(~np.isfinite(X))[0, 0])
        raise DataError(f"X contains NaN or infinity (first at row {row}); remove those rows first.")
    return readonly_array(np.ascontiguousarray(X))


def _checked_labels(labels, n) -> np.ndarray:
    lab = np.asarray(labels)
    if lab.dtype.kind not in "iub":
        if lab.dtype.kind == "f" and all_whole(lab):
            lab = lab.astype(np.int64)
        else:
            raise DataError(f"labels must be whole numbers; got dtype {lab.dtype}.")
    lab = np.array(lab, dtype=np.int64).reshape(-1) if lab.ndim <= 1 else lab
    if lab.ndim != 1 or lab.shape[0] != n:
        raise DataError(f"labels has shape {np.shape(labels)} but X has {n} rows; give one label per point.")
    if lab.size and lab.min() < -1:
        raise DataError(f"labels must be >= 0, or -1 for a point in no group; found {int(lab.min())}.")
    return readonly_array(lab)


def _checked_image_shape(image_shape, d) -> tuple:
    try:
        shape = tuple(int(s) for s in image_shape)
    except (TypeError, ValueError):
        raise DataError(f"image_shape must be (height, width); got {image_shape!r}.") from None
    if len(shape) != 2 or min(shape) < 1 or shape[0] * shape[1] != d:
        raise DataError(f"image_shape {shape} does not fit {d} features per point "
                        "(height * width must equal n_features).")
    return shape


def _names(names, count, field_name, what) -> tuple:
    out = tuple(str(s) for s in names)
    if len(out) != count:
        raise DataError(f"{len(out)} {field_name} given for {count} {what}.")
    return out


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
        X = _checked_X(self.X)
        n, d = X.shape
        set_("X", X)
        if self.labels is not None:
            set_("labels", _checked_labels(self.labels, n))
        if self.label_names is not None:
            names = tuple(str(s) for s in self.label_names)
            if self.labels is None:
                raise DataError("label_names given without labels.")
            if self.labels.size and int(self.labels.max()) >= len(names):
                raise DataError(f"label {int(self.labels.max())} has no name: only {len(names)} label_names given.")
            set_("label_names", names)
        if self.image_shape is not None:
            set_("image_shape", _checked_image_shape(self.image_shape, d))
        if self.point_names is not None:
            set_("point_names", _names(self.point_names, n, "point_names", "points"))
        if self.feature_names is not None:
            set_("feature_names", _names(self.feature_names, d, "feature_names", "features"))
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
