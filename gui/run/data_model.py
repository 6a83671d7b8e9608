"""The single owner of the current data set and its undo history.

Every change of the data - clicking a point in, dragging it, deleting,
painting starting groups, clearing, loading a file or an example - is one
:class:`QUndoCommand` on :attr:`DataModel.undo_stack`, so nothing a person made
by hand is ever lost: loading a file is undone like any edit. A command keeps
the data set before and after (both immutable), so undo and redo restore the
exact previous arrays. :attr:`DataModel.sigDataChanged` is emitted after every
change, undo and redo included; the window then restarts the run (editing
resets the run, never the data).

Conventions
-----------
* No points (an empty canvas): :attr:`DataModel.dataset` is ``None``. A
  :class:`engine.data.Dataset` always has at least one point, so "is there
  data?" is one test, ``dataset is not None``; :attr:`DataModel.X` is then an
  empty (0, 2) array, :attr:`DataModel.n` 0 and :attr:`DataModel.d` 2. The
  model starts that way, and clearing or deleting the last point returns to it.
* Starting groups (painted, or the labels of a loaded data set) are the data
  set's ``labels``, one int per point, ``-1`` for a point in no group (as
  :class:`engine.data.Dataset` documents); :attr:`DataModel.groups` gives them
  for every state (all ``-1`` without labels). Painting group ``-1`` takes
  points out of their groups; when no point is left in a group the data set
  has no labels at all.
* Data made or edited by hand has ``source == ""``; point names (if the data
  have them) follow the points: new points get a fresh name ``x<k>``.
* Only 2-D data (or an empty canvas) can be edited (:meth:`DataModel.can_edit`);
  higher-dimensional data are shown through a projection and stay as loaded.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from engine.data import Dataset

__all__ = ["DataModel"]

UNDO_LIMIT = 200



def _fmt(v: float) -> str:
    return f"{v:.4g}"


class _Change(QUndoCommand):
    """Replace the model's data set by ``after``; undo puts ``before`` back."""

    def __init__(self, model: "DataModel", before: Dataset | None, after: Dataset | None, text: str):
        super().__init__(text)
        self._model = model
        self._before = before
        self._after = after

    def redo(self):
        self._model._set(self._after)

    def undo(self):
        self._model._set(self._before)


class DataModel(QObject):
    """The current data set and its undo history (see the module docstring).

    Signals
    -------
    sigDataChanged()
        After every change (commands, undo, redo); read :attr:`dataset`.
    """

    sigDataChanged = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._dataset: Dataset | None = None
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)

    # ------------------------------------------------------------------ state
    @property
    def dataset(self) -> Dataset | None:
        """The current data set, or None when there are no points."""
        return self._dataset

    @property
    def X(self) -> np.ndarray:
        """Coordinates, shape (n, d); (0, 2) when empty. Read-only."""
        if self._dataset is None:
            X = np.empty((0, 2))
            X.setflags(write=False)
            return X
        return self._dataset.X

    @property
    def n(self) -> int:
        return 0 if self._dataset is None else self._dataset.n

    @property
    def d(self) -> int:
        return 2 if self._dataset is None else self._dataset.d

    @property
    def groups(self) -> np.ndarray:
        """Starting group of every point, shape (n,) int64; ``-1`` = no group."""
        ds = self._dataset
        if ds is None or ds.labels is None:
            return np.full(self.n, -1, dtype=np.int64)
        return np.asarray(ds.labels, dtype=np.int64)

    def can_edit(self) -> bool:
        """True when points may be added, moved, deleted or painted (2-D data or an empty canvas)."""
        return self._dataset is None or self._dataset.d == 2

    def point_name(self, i: int) -> str:
        ds = self._dataset
        if ds is not None and ds.point_names is not None:
            return ds.point_names[i]
        return f"point {i + 1}"

    # ------------------------------------------------------------------ commands
    def add_point(self, x: float, y: float):
        """Add the point (x, y); it belongs to no starting group."""
        self._require_editable("add points")
        xy = self._finite_xy(x, y)
        ds = self._dataset
        if ds is None:
            new = Dataset(xy[None, :], name="", source="")
        else:
            names = None
            if ds.point_names is not None:
                names = ds.point_names + (self._fresh_name(ds.point_names),)
            labels = None if ds.labels is None else np.append(ds.labels, -1)
            new = self._edited(ds, np.vstack([ds.X, xy]), labels, names)
        self._push(new, f"Add point ({_fmt(xy[0])}, {_fmt(xy[1])})")

    def move_point(self, i: int, x: float, y: float):
        """Move point ``i`` to (x, y)."""
        self._require_editable("move points")
        i = self._index(i)
        xy = self._finite_xy(x, y)
        ds = self._dataset
        X = ds.X.copy()
        X[i] = xy
        new = self._edited(ds, X, ds.labels, ds.point_names)
        self._push(new, f"Move {self.point_name(i)} to ({_fmt(xy[0])}, {_fmt(xy[1])})")

    def delete_points(self, indices):
        """Delete the points with these indices (duplicates ignored); nothing to delete -> no command."""
        self._require_editable("delete points")
        idx = self._indices(indices)
        if idx.size == 0:
            return
        ds = self._dataset
        text = f"Delete {self.point_name(int(idx[0]))}" if idx.size == 1 else f"Delete {idx.size} points"
        if idx.size == ds.n:
            self._push(None, text)
            return
        keep = np.ones(ds.n, dtype=bool)
        keep[idx] = False
        labels = None if ds.labels is None else ds.labels[keep]
        names = None if ds.point_names is None else tuple(np.asarray(ds.point_names, dtype=object)[keep])
        self._push(self._edited(ds, ds.X[keep], labels, names), text)

    def paint(self, indices, group: int):
        """Put these points into starting group ``group`` (>= 0), or into no group (``-1``)."""
        self._require_editable("paint starting groups")
        group = int(group)
        if group < -1:
            raise ValueError(f"group={group} should be >= 0, or -1 to take points out of their groups.")
        idx = self._indices(indices)
        ds = self._dataset
        if idx.size == 0:
            return
        groups = self.groups.copy()
        if np.all(groups[idx] == group):
            return
        groups[idx] = group
        label_names = ds.label_names
        if label_names is not None and groups.max() >= len(label_names):
            label_names = label_names + tuple(f"group {g + 1}" for g in range(len(label_names), groups.max() + 1))
        labels = None if np.all(groups < 0) else groups
        if labels is None:
            label_names = None
        count = f"{idx.size} point" + ("s" if idx.size != 1 else "")
        text = f"Paint {count} into group {group + 1}" if group >= 0 else f"Take {count} out of their groups"
        self._push(self._edited(ds, ds.X, labels, ds.point_names, label_names), text)

    def clear(self):
        """Remove every point (undoable); an empty 2-D canvas remains."""
        if self._dataset is None:
            return
        self._push(None, "Clear points")

    def replace(self, dataset: Dataset | None, text: str | None = None):
        """Replace the whole data set (loading a file, an example, MNIST), as one undoable command."""
        if dataset is not None and not isinstance(dataset, Dataset):
            raise TypeError(f"replace() needs an engine.data.Dataset or None, not {type(dataset).__name__}.")
        if text is None:
            text = f"Load {dataset.name or 'data'}" if dataset is not None else "Clear points"
        self._push(dataset, text)

    def mark_saved(self):
        """Remember the current state as saved (the undo stack becomes clean)."""
        self.undo_stack.setClean()

    # ------------------------------------------------------------------ internals
    def _set(self, dataset: Dataset | None):
        self._dataset = dataset
        self.sigDataChanged.emit()

    def _push(self, after: Dataset | None, text: str):
        self.undo_stack.push(_Change(self, self._dataset, after, text))

    def _require_editable(self, what: str):
        if not self.can_edit():
            raise ValueError(f"Cannot {what}: the data have {self.d} dimensions and are shown through a "
                             "projection; only 2-D data can be edited by hand.")

    @staticmethod
    def _finite_xy(x: float, y: float) -> np.ndarray:
        xy = np.array([float(x), float(y)])
        if not np.isfinite(xy).all():
            raise ValueError(f"Point ({x}, {y}) is not finite; coordinates must be numbers.")
        return xy

    def _index(self, i: int) -> int:
        i = int(i)
        if not 0 <= i < self.n:
            raise IndexError(f"Point index {i} is out of range: there are {self.n} points.")
        return i

    def _indices(self, indices) -> np.ndarray:
        idx = np.unique(np.asarray(indices, dtype=np.int64).reshape(-1))
        if idx.size and (idx[0] < 0 or idx[-1] >= self.n):
            raise IndexError(f"Point indices must be in 0..{self.n - 1}; got {idx[0]}..{idx[-1]}.")
        return idx

    @staticmethod
    def _fresh_name(names: tuple[str, ...]) -> str:
        taken = set(names)
        k = len(names) + 1
        while f"x{k}" in taken:
            k += 1
        return f"x{k}"

    @staticmethod
    def _edited(ds: Dataset, X: np.ndarray, labels, names, label_names=...) -> Dataset:
        """``ds`` after a hand edit: new coordinates and groups, source "", name marked as edited."""
        if label_names is ...:
            label_names = ds.label_names
        if labels is not None:
            labels = np.asarray(labels, dtype=np.int64)
            if label_names is not None and labels.size and labels.max() >= len(label_names):
                label_names = None
        else:
            label_names = None
        name = ds.name
        if name and not name.endswith("(edited)"):
            name = f"{name} (edited)"
        return ds.replace(X=X, labels=labels, label_names=label_names, image_shape=None, name=name, source="",
                          notes=(), point_names=names)
