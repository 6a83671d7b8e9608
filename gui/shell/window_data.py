"""The main window's data side: the data set, its display projection, the run data, editing and opening data.

:class:`WindowData` is a mixin of :class:`gui.shell.main_window.MainWindow`. The
data live in the window's :class:`~gui.run.data_model.DataModel` (edits go
through its undo stack); on every change the window recomputes the display
projection (PCA when d > 2, once per change) and the run data (optionally
standardized), redraws the scatter and restarts the run. What plugins read
(``dataset``, ``run_X()``, ``project``, ``standardized``, ``to_run``/``from_run``)
is documented in :mod:`gui.algorithms.base`.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from engine import data as edata
from engine.core.validation import check_scale

__all__ = ["WindowData", "has_points", "check_viewable", "edit_refusal"]


def has_points(ds) -> bool:
    """``ds`` is a data set with at least one point."""
    return ds is not None and getattr(ds, "n", 0) > 0


def check_viewable(ds) -> None:
    """Refuse (:class:`engine.data.DataError`) data the window cannot show or run: values so large that
    ranges, variances or squared distances overflow (the limit of :func:`engine.core.validation.check_scale`,
    which every algorithm applies too). Called before anything in the window changes."""
    if has_points(ds):
        check_scale(ds.X, name=f"{ds.name or 'The data'}", error=edata.DataError)


def edit_refusal(ds) -> str:
    """Why the points of ``ds`` cannot be edited by hand ("" when they can: 2-D data or an empty canvas)."""
    if not has_points(ds) or ds.d == 2:
        return ""
    if ds.d > 2:
        return (f"editing needs 2-D data: these data have {ds.d} features, and the plot shows two directions "
                "of them (a point dragged there has no place in the other features).")
    return "editing needs 2-D data: these data have 1 feature, drawn on a line."


class WindowData:
    """Mixin of the main window: the data set and everything derived from it (see the module docstring)."""

    # ---------------------------------------------------------------- what plugins read
    @property
    def dataset(self):
        """The current :class:`engine.data.Dataset` (None for an empty canvas)."""
        return self.model.dataset

    def run_X(self) -> np.ndarray:
        """(n, d) array the algorithms run on: the data, standardized when that option is on."""
        return self._X_run

    def project(self, P) -> np.ndarray:
        """(m, d) points in run coordinates -> (m, 2) display coordinates."""
        P = np.asarray(P, dtype=np.float64)
        if P.ndim == 1:
            P = P[None, :]
        if self._std is not None:
            mean, scale = self._std
            P = P * scale + mean
        if self._projection is None:
            return P[:, :2] if P.shape[1] >= 2 else np.column_stack([P[:, 0], np.zeros(len(P))])
        return self._projection.project(P)

    @property
    def standardized(self) -> bool:
        """True when the algorithms run on z-scores of the features ("Standardize features")."""
        return self._std is not None

    def set_standardized(self, on: bool):
        """Switch "Standardize features" (restarts the run when it changes)."""
        self.data_panel.standardize.setChecked(bool(on))

    @property
    def standardization(self):
        """``(mean, scale)`` arrays of shape (d,) when standardized (run = (data - mean) / scale), else None.

        A feature without spread has ``scale`` 0 (its run coordinate is 0 everywhere).
        """
        return self._std

    def to_run(self, P) -> np.ndarray:
        """(m, d) points in the data's own coordinates -> run coordinates (see :meth:`run_X`)."""
        P = np.asarray(P, dtype=np.float64)
        if self._std is None:
            return P.copy()
        mean, scale = self._std
        return np.where(scale > 0, (P - mean) / np.where(scale > 0, scale, 1.0), 0.0)

    def from_run(self, C) -> np.ndarray:
        """(m, d) points in run coordinates -> the data's own coordinates (undoes the standardization)."""
        C = np.asarray(C, dtype=np.float64)
        if self._std is None:
            return C.copy()
        mean, scale = self._std
        return C * scale + mean

    # ---------------------------------------------------------------- the data changed
    def _on_data_changed(self, *_):
        ds = self.dataset
        has = has_points(ds)
        self._recompute()
        if has:
            names = ds.point_names
            self.scatter.set_points(self._Y, names=names)
            self.scatter.set_groups(ds.labels, ds.label_names)
        else:
            self.scatter.set_points(np.empty((0, 2)))
        self._set_axis_labels()
        self.scatter.set_number_line(has and ds.d == 1)
        self.data_panel.show_dataset(ds, self._projection)
        self.data_panel.set_axis_choices(ds, self._axes)
        self._fit_data_dock()
        editable = bool(self.model.can_edit())
        self.data_panel.set_editable(editable, edit_refusal(ds))
        self.scatter.set_editable(editable)
        self.scatter.set_edit_mode(self.data_panel.mode(), self.data_panel.group.value())
        self.hint.setVisible(not has)
        self._update_title()
        self.restart_run()
        self.sigDataChanged.emit()

    def _fit_data_dock(self):
        """Give the data dock the height its panel needs (notes come and go with the data)."""
        self.data_dock.widget().updateGeometry()  # its size hint follows the panel's new contents
        QTimer.singleShot(0, self, self._resize_data_dock)  # after the dock layout has taken the new hint

    def _resize_data_dock(self):
        if self._closed:
            return
        scroll, panel = self.data_dock.widget(), self.data_panel
        width = scroll.viewport().width() if scroll.viewport().width() > 50 else panel.width()
        layout = panel.layout()
        need = (layout.heightForWidth(width) if layout.hasHeightForWidth() else panel.sizeHint().height())
        need = max(need, panel.minimumSizeHint().height()) + 2 * scroll.frameWidth()
        # never cut off (the edit tools are at the bottom), unless the screen is really small
        scroll.setMinimumHeight(min(need, max(self.height() // 2, 150)))

    def _recompute(self):
        """Display coordinates (PCA for d > 2, computed once per change) and the run data."""
        ds = self.dataset
        if not has_points(ds):
            self._X_run, self._Y, self._projection, self._std = np.empty((0, 2)), np.empty((0, 2)), None, None
            return
        X = ds.X
        cache = self._pca_cache
        if cache is not None and cache[0] is ds:
            self._pca = cache
        self._pca_cache = None
        self._Y, self._projection = self._display(ds)
        if self.data_panel.standardize.isChecked():
            mean = X.mean(axis=0)
            scale = X.std(axis=0)
            scale[scale <= 1e-12 * np.maximum(np.abs(mean), 1.0)] = 0.0  # constant: 0 in the run, as standardize()
            self._std = (mean, scale)
            self._X_run = edata.standardize(X)
        else:
            self._std = None
            self._X_run = X

    def _display(self, ds):
        """``(Y, info)``: the display coordinates of ``ds`` for the chosen axes (principal components
        computed once per data set and kept, so switching back and forth is instant)."""
        if self._axes is not None and (ds.d <= 2 or max(self._axes) >= ds.d):
            self._axes = None  # other data: the principal components again
        if self._axes is not None:
            return edata.feature_axes(ds.X, *self._axes, names=ds.feature_names)
        if self._pca is None or self._pca[0] is not ds:
            self._pca = (ds, *edata.pca_2d(ds.X))
        return self._pca[1], self._pca[2]

    def set_axes(self, axes):
        """What the scatter plots for data with more than two features: None, the first two principal
        components; ``(i, j)``, feature i on x and feature j on y (0-based). The run is not touched: every
        view draws the current step again in the new plane."""
        ds = self.dataset
        self._axes = None if axes is None else (int(axes[0]), int(axes[1]))
        if not has_points(ds) or ds.d <= 2:
            self._axes = None
            return
        self._Y, self._projection = self._display(ds)
        self.scatter.set_points(self._Y, names=ds.point_names, auto_range=True)
        self.scatter.set_groups(ds.labels, ds.label_names)
        self._set_axis_labels()
        self.data_panel.show_dataset(ds, self._projection)
        self.data_panel.set_axis_choices(ds, self._axes)
        self._on_step_changed()

    @property
    def projection(self):
        """The :class:`engine.data.Projection` of the display (principal components or two features); a new
        object whenever the plane changes."""
        return self._projection

    @property
    def axes(self):
        """None (principal components) or ``(i, j)``: see :meth:`set_axes`."""
        return self._axes

    def _set_axis_labels(self):
        ds, info = self.dataset, self._projection
        names = ds.feature_names if has_points(ds) and ds.feature_names else None
        if has_points(ds) and ds.d > 2 and info is not None and info.method == "features":
            i, j = self._axes
            self.scatter.set_axis_labels(*(names[k] if names else f"x{k + 1}" for k in (i, j)))
        elif has_points(ds) and ds.d > 2 and info is not None:
            r = info.explained_variance_ratio
            self.scatter.set_axis_labels(f"PC1 ({100 * r[0]:.0f}% of variance)", f"PC2 ({100 * r[1]:.0f}%)")
        elif has_points(ds) and ds.d == 1:
            self.scatter.set_axis_labels(names[0] if names else "x", "")
        else:
            self.scatter.set_axis_labels(*(names if names else ("x1", "x2")))

    def _on_standardize(self, _on: bool):
        self._recompute()
        self.restart_run()

    def set_dataset(self, dataset, text: str = "Replace data", projection=None):
        """Replace the data (one undoable step), fit the view to it, and inspect (clicks no longer add points).

        ``projection``: ``(Y, info)`` of :func:`engine.data.pca_2d` for these data when computed already.

        All or nothing: data the window cannot show raise :class:`engine.data.DataError` before anything
        changes (:func:`check_viewable`); any other exception while the window takes them in puts the
        previous data back and is raised again.
        """
        check_viewable(dataset)
        before = self.model.dataset
        if projection is not None:
            self._pca_cache = (dataset, *projection)
        pushed = False
        try:
            self.model.replace(dataset, text)
            pushed = True
            self.scatter.auto_range()
            self.data_panel.set_mode("inspect" if has_points(dataset) else "add")
        except Exception:
            self._pca_cache = None
            if pushed or self.model.dataset is not before:
                self.model.undo_stack.undo()  # the previous data (and the views of them) come back
            raise

    # ---------------------------------------------------------------- editing requests
    def _edit(self, change, *args):
        """Make an edit the scatter asked for; one the data refuse is said in the status bar, never ignored."""
        try:
            change(*args)
        except (ValueError, IndexError) as exc:
            self.status(f"Not edited: {exc}")

    def _on_add_requested(self, x: float, y: float):
        self._edit(self.model.add_point, x, y)

    def _on_move_requested(self, i: int, x: float, y: float):
        self._edit(self.model.move_point, i, x, y)

    def _on_delete_requested(self, indices):
        self._edit(self.model.delete_points, indices)

    def _on_paint_requested(self, indices, group: int):
        self._edit(self.model.paint, indices, group)

    def _on_point_clicked(self, i: int):
        ds = self.dataset
        if not has_points(ds) or not 0 <= i < ds.n:
            return
        name = self.model.point_name(i)  # "point 1" is index 0, like "cluster 1" in the legend
        coords = ", ".join(f"{v:.4g}" for v in ds.X[i, :6]) + (", …" if ds.d > 6 else "")
        step = self.player.current
        cluster = ""
        if step is not None and step.labels is not None and len(step.labels) == ds.n:
            label = int(step.labels[i])
            cluster = f"; cluster {label + 1}" if label >= 0 else f"; {self.plugin.algorithm.no_cluster}"
        self.scatter.highlight([i])
        self.status(f"{name}: ({coords}){cluster}")

    def clear_points(self):
        if self.model.can_edit():
            self.model.clear()
            self.data_panel.set_mode("add")

    # ---------------------------------------------------------------- opening data
    def open_source(self, source: str):
        """Open ``"example:NAME"``, ``"mnist"`` or a file path (as remembered in settings)."""
        if source.startswith("example:"):
            self.open_example(source.split(":", 1)[1])
        elif source == "mnist":
            self.open_mnist()
        else:
            self.open_file(source)

    def open_file(self, path):
        """Open ``path``: a session file (``.json``) as a session, any other file as data read on the loader
        thread; errors come back as a message box."""
        path = str(path)
        if path.lower().endswith(".json") and getattr(self, "session_controller", None) is not None:
            self.session_controller.open_path(path)
            return
        self.loader.load(lambda: self._load_with_pca(lambda: edata.load(path)), f"Loading {Path(path).name}…",
                         ("file", path))

    def open_mnist(self, n: int = 6000):
        self.loader.load(lambda: self._load_with_pca(lambda: edata.mnist(n)), f"Loading {n:,} MNIST digits…",
                         ("mnist", n))

    def open_example(self, name: str):
        try:
            self.set_dataset(edata.example(name), f"Open example {name}")
        except ValueError as exc:  # DataError
            self._on_load_failed(str(exc), ("example", name))

    def generate(self, kind: str, n: int, seed: int):
        try:
            self.set_dataset(edata.generate(kind, n=n, seed=seed), f"Generate {kind}")
        except ValueError as exc:  # DataError / ParamError
            self._on_load_failed(str(exc), ("generate", kind))

    @staticmethod
    def _load_with_pca(load):
        """Runs on the loader thread: the data and (for d > 2) their PCA, so the GUI thread does not."""
        ds = load()
        check_viewable(ds)
        Y, info = edata.pca_2d(ds.X) if ds.d > 2 else (None, None)
        return ds, Y, info

    def _on_loaded(self, result, context):
        if self._closed:
            return
        ds, Y, info = result
        if Y is not None:
            self._pca_cache = (ds, Y, info)
        kind, what = context
        try:
            self.set_dataset(ds, f"Open {Path(str(what)).name}" if kind == "file" else f"Open {ds.name}")
        except ValueError as exc:  # DataError: the previous data stay
            self._on_load_failed(str(exc), context)
            return
        except Exception as exc:  # a view failed on these data: the previous data are back; say so
            self._on_load_failed(f"The data could not be shown: {type(exc).__name__}: {exc}", context)
            return
        if kind == "file":
            self.settings.add_recent_file(what)
            self.menus.rebuild_recent()
        self.status(f"Opened {ds.name or what}: {ds.n:,} points, {ds.d} dimensions")

    def _on_load_failed(self, message: str, context):
        if self._closed:
            return
        kind, what = context
        if kind == "file" and not Path(str(what)).exists():
            self.settings.remove_recent_file(str(what))
            self.menus.rebuild_recent()
        QMessageBox.critical(self, "Cannot open the data", message)
