"""Editing points with the mouse in :class:`gui.widgets.scatter.ScatterView` (a mixin, and its ViewBox).

The view never changes the data; it *requests* changes through signals that
the window forwards to the data model (which may refuse them). Requests are
emitted only after ``set_editable(True)``; the mode is chosen with
:meth:`ScatterView.set_edit_mode`:

``"inspect"``  left click near a point emits :attr:`sigPointClicked`; drag pans.
``"add"``      left click on empty space emits :attr:`sigAddRequested` (x, y).
``"move"``     dragging a point moves it live; release emits :attr:`sigMoveRequested` (i, x, y).
``"delete"``   clicking a point emits :attr:`sigDeleteRequested` (indices).
``"paint"``    clicking or dragging across points emits :attr:`sigPaintRequested` (indices, group)
               once, on release.

In every edit mode a right click on a point opens a menu with "Delete point".
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from gui.widgets import palette

__all__ = ["EDIT_MODES", "EditingMixin", "EditViewBox", "PICK_RADIUS", "PAINT_RADIUS"]

EDIT_MODES = ("inspect", "add", "move", "delete", "paint")
PICK_RADIUS = 8.0  # pixels: how near a click must be to a point
PAINT_RADIUS = 10.0  # pixels: the paint brush


def _pass_click(ev):
    ev.ignore()


class EditViewBox(pg.ViewBox):
    """A ViewBox that lets its scatter view take clicks and drags before panning.

    Everything drawn in it (the points, and every plugin's overlays: centres, rings, witnesses, means) is a
    picture, never a button: :meth:`addItem` makes each item pass clicks on (pyqtgraph would otherwise let a
    marker that covers a point, such as a K-means centre, swallow the click), so what a click does depends
    on the edit mode alone, whatever run is shown.
    """

    def __init__(self, owner: "ScatterView"):
        super().__init__()
        self._owner = owner

    def addItem(self, item, *args, **kwargs):
        super().addItem(item, *args, **kwargs)
        todo = [item]
        while todo:  # the item and its parts (a PlotDataItem's symbols)
            it = todo.pop()
            if hasattr(it, "mouseClickEvent"):
                it.mouseClickEvent = _pass_click
            todo.extend(it.childItems())

    def mouseClickEvent(self, ev):
        if self._owner._on_click(ev):
            ev.accept()
            return
        super().mouseClickEvent(ev)

    def mouseDragEvent(self, ev, axis=None):
        if axis is None and self._owner._on_drag(ev):
            ev.accept()
            return
        super().mouseDragEvent(ev, axis)


class EditingMixin:
    """Mouse editing of a :class:`~gui.widgets.scatter.ScatterView` (which provides the signals and the drawing)."""

    # ------------------------------------------------------------------ editing
    def set_editable(self, editable: bool):
        """Allow edit requests; when False the view behaves as in inspect mode and requests nothing."""
        self._editable = bool(editable)
        self._cancel_drag()

    def editable(self) -> bool:
        return self._editable

    def set_edit_mode(self, mode: str, group: int = 0):
        """Choose what the mouse does: one of ``EDIT_MODES``; ``group`` is the paint group."""
        if mode not in EDIT_MODES:
            raise ValueError(f"Unknown edit mode {mode!r}; choose one of {', '.join(EDIT_MODES)}.")
        self._mode = mode
        self._group = int(group)
        self._cancel_drag()

    def edit_mode(self) -> str:
        return self._mode

    def effective_mode(self) -> str:
        return self._mode if self._editable else "inspect"

    def map_to_scene(self, x: float, y: float):
        """Scene position of display coordinates (x, y) (for tests and overlays)."""
        return self.vb.mapViewToScene(pg.Point(float(x), float(y)))

    def map_to_viewport(self, x: float, y: float):
        """Position in the plot's viewport widget of display coordinates (x, y), a QPoint."""
        return self.plot.mapFromScene(self.map_to_scene(x, y))

    def nearest_point(self, x: float, y: float, radius_px: float = PICK_RADIUS) -> int | None:
        """Index of the visible point nearest to (x, y) within ``radius_px`` screen pixels, else None."""
        d2 = self._pixel_d2(x, y)
        if d2 is None:
            return None
        i = int(np.argmin(d2))
        return i if d2[i] <= radius_px ** 2 else None

    def points_near(self, x: float, y: float, radius_px: float = PAINT_RADIUS) -> np.ndarray:
        """Indices of the visible points within ``radius_px`` screen pixels of (x, y)."""
        d2 = self._pixel_d2(x, y)
        if d2 is None:
            return np.empty(0, dtype=np.int64)
        return np.flatnonzero(d2 <= radius_px ** 2)

    # ------------------------------------------------------------------ internals: mouse
    def _pixel_d2(self, x: float, y: float) -> np.ndarray | None:
        """Squared screen-pixel distance of every shown point to (x, y); hidden points at infinity."""
        if self.n == 0:
            return None
        px, py = self.vb.viewPixelSize()
        if not (px > 0 and py > 0):
            return None
        dx = (self._Y[:, 0] - x) / px
        dy = (self._Y[:, 1] - y) / py
        d2 = dx * dx + dy * dy
        keep = self._visible_mask()
        if keep is not None:
            d2[~keep] = np.inf
        return d2

    def _view_pos(self, scene_pos) -> tuple[float, float]:
        p = self.vb.mapSceneToView(scene_pos)
        return float(p.x()), float(p.y())

    def _on_click(self, ev) -> bool:
        """Handle a click on the ViewBox; True if the view used it."""
        mode = self.effective_mode()
        x, y = self._view_pos(ev.scenePos())
        if ev.button() == Qt.MouseButton.LeftButton:
            if mode == "inspect":
                i = self.nearest_point(x, y)
                if i is None:
                    return False
                self.sigPointClicked.emit(i)
            elif mode == "add":
                if self.nearest_point(x, y, PICK_RADIUS / 2) is None:
                    self.sigAddRequested.emit(x, y)
            elif mode == "delete":
                i = self.nearest_point(x, y)
                if i is not None:
                    self.sigDeleteRequested.emit(np.array([i], dtype=np.int64))
            elif mode == "paint":
                idx = self.points_near(x, y)
                if idx.size:
                    self.sigPaintRequested.emit(idx, self._group)
            return True
        if ev.button() == Qt.MouseButton.RightButton and mode != "inspect":
            i = self.nearest_point(x, y)
            if i is None:
                return False
            self._menu_index = i
            self.point_menu.popup(ev.screenPos().toPoint())
            return True
        return False

    def _on_menu_delete(self):
        i, self._menu_index = self._menu_index, -1
        if self._editable and 0 <= i < self.n:
            self.sigDeleteRequested.emit(np.array([i], dtype=np.int64))

    def _on_drag(self, ev) -> bool:
        """Handle a drag on the ViewBox; True if the view used it (no panning)."""
        if ev.button() != Qt.MouseButton.LeftButton:
            return False
        mode = self.effective_mode()
        if ev.isStart():
            self._drag = None
            x0, y0 = self._view_pos(ev.buttonDownScenePos(Qt.MouseButton.LeftButton))
            if mode == "move":
                i = self.nearest_point(x0, y0)
                if i is None:
                    return False
                self._drag = ("move", i, self._Y[i].copy())
            elif mode == "paint":
                self._drag = ("paint", set(self.points_near(x0, y0).tolist()))
            else:
                return False
        if self._drag is None:
            return False
        x, y = self._view_pos(ev.scenePos())
        kind = self._drag[0]
        if kind == "move":
            i, original = self._drag[1], self._drag[2]
            if ev.isFinish():
                self._drag = None
                self._move_live(i, original)
                self.sigMoveRequested.emit(i, x, y)
            else:
                self._move_live(i, np.array([x, y]))
        else:
            painted = self._drag[1]
            painted.update(self.points_near(x, y).tolist())
            idx = np.array(sorted(painted), dtype=np.int64)
            if ev.isFinish():
                self._drag = None
                self._preview.setData([], [])
                if idx.size:
                    self.sigPaintRequested.emit(idx, self._group)
            else:
                brush = pg.mkBrush(palette.color(self._group, extended=self._raster))
                self._preview.setData(x=self._Y[idx, 0], y=self._Y[idx, 1], brush=brush,
                                      symbol=palette.symbol(self._group))
        return True

    def _move_live(self, i: int, xy: np.ndarray):
        """Show point ``i`` at ``xy`` without touching the data."""
        self._Y[i] = xy
        self._forget_drawn()
        if self._raster:
            self._remap()
        else:
            self._render_symbols()
        self._update_names()
        self._update_rings()

    def _cancel_drag(self):
        if self._drag is not None and self._drag[0] == "move":
            self._move_live(self._drag[1], self._drag[2])
        self._drag = None
        self._preview.setData([], [])
