"""The two panels of the left docks: what the data are, and which algorithm runs on them.

:class:`DataPanel` shows the data set (source, size, projection, notes), the
"Standardize features" switch and the edit tools (Inspect, Add, Move,
Delete, Paint group N, Clear). :class:`AlgorithmPanel` holds the algorithm
chooser, each plugin's parameter panel, the Run/Restart button and a red
line for errors. Both only emit signals; the window decides what they mean. :class:`ViewTabs` holds the
views beside the scatter.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QFormLayout, QFrame, QGridLayout, QHBoxLayout,
                               QLabel, QPushButton, QScrollArea, QSizePolicy, QSpinBox, QStackedWidget, QStyle,
                               QTabWidget, QToolButton, QVBoxLayout, QWidget)

__all__ = ["DataPanel", "AlgorithmPanel", "PanelScroll", "ViewTabs", "EDIT_MODES", "projection_text"]

#: (mode, button text, tooltip) of the edit tools, in button order.
EDIT_MODES = (
    ("inspect", "Inspect", "Click a point to see its coordinates; drag to pan, wheel to zoom"),
    ("add", "Add", "Click on the canvas to add a point"),
    ("move", "Move", "Drag a point to move it"),
    ("delete", "Delete", "Click a point (or drag a box) to delete points"),
    ("paint", "Paint", "Click or drag over points to put them in the chosen starting group"),
)


def projection_text(dataset, info) -> str:
    """One line about how the data are drawn, e.g. ``"PCA: first two components, 87% of variance"``."""
    if dataset is None or info is None:
        return ""
    if info.method == "features":
        return info.message
    if dataset.d > 2:
        share = 100.0 * float(sum(info.explained_variance_ratio))
        return f"PCA: first two components, {share:.0f}% of variance"
    if dataset.d == 1:
        return "1-D data, drawn on the x axis"
    return ""


class GroupSpinBox(QSpinBox):
    """Paint group chooser: value ``g`` (0-based, as stored) reads "group g+1", like the undo texts; -1 "no group"."""

    def textFromValue(self, value: int) -> str:
        return "no group" if value < 0 else f"group {value + 1}"

    def valueFromText(self, text: str) -> int:
        digits = "".join(ch for ch in text if ch.isdigit())
        return int(digits) - 1 if digits else -1

    def validate(self, text, pos):
        digits = "".join(ch for ch in text if ch.isdigit())
        if text.strip() == "no group" or (digits and self.minimum() <= int(digits) - 1 <= self.maximum()):
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos


class DataPanel(QWidget):
    """Facts about the current data set and the edit tools.

    Signals
    -------
    sigEditModeChanged(str, int)
        The edit mode (one of :data:`EDIT_MODES`) and the paint group.
    sigStandardizeChanged(bool)
    sigClearRequested()
    sigAxesChanged(object)
        What the scatter plots for data with more than two features: None (the first two
        principal components) or ``(i, j)``, features i (x) and j (y), 0-based.
    """

    sigAxesChanged = Signal(object)
    sigEditModeChanged = Signal(str, int)
    sigStandardizeChanged = Signal(bool)
    sigClearRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.source = QLabel("–")
        self.source.setObjectName("data_source")
        self.source.setWordWrap(True)
        self.source.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.count = QLabel("0")
        self.count.setObjectName("data_count")
        self.dims = QLabel("–")
        self.dims.setObjectName("data_dims")
        self.standardize = QCheckBox("Standardize features")
        self.standardize.setObjectName("standardize")
        self.standardize.setToolTip("Run the algorithms on z-scores (each feature minus its mean, divided by its "
                                    "standard deviation); the plot keeps the original units.")
        self.standardize.toggled.connect(self.sigStandardizeChanged)
        self.projection = QLabel("")
        self.projection.setObjectName("data_projection")
        self.projection.setWordWrap(True)
        self.notes = QLabel("")
        self.notes.setObjectName("data_notes")
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet("color: #555;")

        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Data:", self.source)
        form.addRow("Points:", self.count)
        form.addRow("Dimensions:", self.dims)
        form.addRow("Plot:", self._build_axes())
        self._form = form

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.standardize)
        layout.addWidget(self.projection)
        layout.addWidget(self.notes)
        layout.addSpacing(6)
        layout.addWidget(QLabel("Edit points:"))
        self.edit_note = QLabel("")
        self.edit_note.setObjectName("edit_note")
        self.edit_note.setWordWrap(True)
        self.edit_note.setStyleSheet("color: #555;")
        self.edit_note.setVisible(False)
        layout.addWidget(self.edit_note)
        layout.addLayout(self._build_tools())
        layout.addStretch(1)

    def _build_tools(self) -> QGridLayout:
        """The edit-mode buttons, the paint group box and the Clear button, in a grid."""
        self.mode_buttons: dict[str, QToolButton] = {}
        self.mode_group = QButtonGroup(self)
        self.mode_group.setExclusive(True)
        tools = QGridLayout()
        tools.setContentsMargins(0, 0, 0, 0)
        for i, (mode, text, tip) in enumerate(EDIT_MODES):
            b = QToolButton()
            b.setObjectName(f"mode_{mode}")
            b.setText(text)
            b.setToolTip(tip)
            b.setCheckable(True)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            self.mode_group.addButton(b, i)
            self.mode_buttons[mode] = b
            tools.addWidget(b, i // 3, i % 3)
        self.group = GroupSpinBox()
        self.group.setObjectName("paint_group")
        self.group.setRange(-1, 63)
        self.group.setValue(0)
        self.group.setToolTip("The starting group that Paint puts points in (\"no group\" takes them out)")
        tools.addWidget(self.group, 1, 2)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setObjectName("clear_points")
        self.clear_button.setToolTip("Remove every point (undo with Ctrl+Z)")
        self.clear_button.clicked.connect(self.sigClearRequested)
        tools.addWidget(self.clear_button, 2, 0, 1, 3)
        self.mode_buttons["inspect"].setChecked(True)
        self.mode_group.idClicked.connect(self._emit_mode)
        self.group.valueChanged.connect(self._on_group_changed)
        return tools

    # ------------------------------------------------------------- state
    def mode(self) -> str:
        i = self.mode_group.checkedId()
        return EDIT_MODES[i][0] if i >= 0 else "inspect"

    def set_mode(self, mode: str):
        """Select an edit mode and announce it (like a click)."""
        self.mode_buttons[mode].setChecked(True)
        self._emit_mode()

    def _emit_mode(self, *_):
        self.sigEditModeChanged.emit(self.mode(), self.group.value())

    def _on_group_changed(self, value: int):
        if self.mode() != "paint":
            self.mode_buttons["paint"].setChecked(True)
        self._emit_mode()

    def set_editable(self, editable: bool, reason: str = ""):
        """Enable the edit tools (only when the data model can be edited: 2-D data).

        ``reason``: why they are greyed (shown as a line above them and as their tooltips); never silent.
        """
        tips = {mode: tip for mode, _, tip in EDIT_MODES}
        why = "" if editable else (reason or "Editing is not possible for these data.")
        for mode, b in self.mode_buttons.items():
            if mode != "inspect":
                b.setEnabled(editable)
                b.setToolTip(tips[mode] if editable else f"{tips[mode]}. Not now: {why}")
        self.group.setEnabled(editable)
        self.clear_button.setEnabled(editable)
        for w, tip in ((self.group, "The starting group that Paint puts points in (\"no group\" takes them out)"),
                       (self.clear_button, "Remove every point (undo with Ctrl+Z)")):
            w.setToolTip(tip if editable else f"{tip}. Not now: {why}")
        self.edit_note.setText(why)
        self.edit_note.setVisible(bool(why))
        if not editable and self.mode() != "inspect":
            self.set_mode("inspect")

    def _build_axes(self) -> QWidget:
        """Two choosers, x and y: the first two principal components, or any two features."""
        box = QWidget()
        h = QHBoxLayout(box)
        h.setContentsMargins(0, 0, 0, 0)
        self.axis_x, self.axis_y = QComboBox(), QComboBox()
        for combo, name, tip in ((self.axis_x, "axis_x", "x axis"), (self.axis_y, "axis_y", "y axis")):
            combo.setObjectName(name)
            combo.setToolTip(f"What the {tip} shows: a principal component of the data, or one feature as it is")
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(6)
            combo.activated.connect(lambda index, c=combo: self._on_axis_chosen(c, index))
            h.addWidget(combo, 1)
        return box

    def set_axis_choices(self, dataset, axes) -> None:
        """Fill the choosers for ``dataset`` (hidden unless it has more than two features) and show ``axes``
        (None: principal components; ``(i, j)``: features)."""
        d = getattr(dataset, "d", 0) if dataset is not None and getattr(dataset, "n", 0) else 0
        self._form.setRowVisible(self._form.rowCount() - 1, d > 2)  # the "Plot:" row, the last so far
        if d <= 2:
            return
        names = list(dataset.feature_names) if dataset.feature_names else [f"x{k + 1}" for k in range(d)]
        for combo, pc in ((self.axis_x, "PC1"), (self.axis_y, "PC2")):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(pc)  # short: the box is half a dock wide; the tooltip says what it is
            combo.setItemData(0, f"{pc}: the {'first' if pc == 'PC1' else 'second'} principal component of the data",
                              Qt.ItemDataRole.ToolTipRole)
            combo.addItems(names)
            combo.blockSignals(False)
        i, j = (-1, -1) if axes is None else axes
        self.axis_x.setCurrentIndex(i + 1)
        self.axis_y.setCurrentIndex(j + 1)

    def axes(self):
        """None (principal components) or ``(i, j)``: what the choosers show."""
        i, j = self.axis_x.currentIndex() - 1, self.axis_y.currentIndex() - 1
        return None if i < 0 or j < 0 else (i, j)

    def _on_axis_chosen(self, combo: QComboBox, index: int) -> None:
        other = self.axis_y if combo is self.axis_x else self.axis_x
        if index == 0:  # a principal component: both axes are principal components
            other.setCurrentIndex(0)
        elif other.currentIndex() == 0:  # a feature against a principal component is not offered: pick a feature
            other.setCurrentIndex(1 if index != 1 or other.count() < 3 else 2)
        self.sigAxesChanged.emit(self.axes())

    def show_dataset(self, dataset, info=None):
        """Show the facts of ``dataset`` (None or no points: an empty canvas)."""
        if dataset is None or getattr(dataset, "n", 0) == 0:
            self.source.setText("(empty canvas)")
            self.count.setText("0")
            self.dims.setText("2")
            self.projection.setText("")
            self.notes.setText("")
            self._hide_empty()
            return
        name = dataset.name or "(points made by hand)"
        self.source.setText(name)
        self.source.setToolTip(dataset.source or name)
        self.count.setText(f"{dataset.n:,}")
        dims = f"{dataset.d}"
        if dataset.image_shape is not None:
            dims += f" ({dataset.image_shape[0]} × {dataset.image_shape[1]} images)"
        self.dims.setText(dims)
        self.projection.setText(projection_text(dataset, info))
        notes = list(dataset.notes)
        if dataset.labels is not None:
            groups = f"{dataset.n_labels} label values"
            if dataset.unlabelled:
                groups += f", {dataset.unlabelled:,} points in no group"
            notes.append(groups + ".")
        self.notes.setText("\n".join(notes))
        self._hide_empty()

    def _hide_empty(self):
        self.projection.setVisible(bool(self.projection.text()))
        self.notes.setVisible(bool(self.notes.text()))


class AlgorithmPanel(QWidget):
    """Algorithm chooser, the chosen plugin's panel, Run/Restart and an error line.

    Signals
    -------
    sigAlgorithmChosen(int)
        Index of the chosen plugin.
    sigRunRequested()
    """

    sigAlgorithmChosen = Signal(int)
    sigRunRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.setObjectName("algorithm")
        self.combo.setToolTip("The algorithm to watch")
        self.stack = QStackedWidget()
        self.run_button = QPushButton("Run / Restart")
        self.run_button.setObjectName("run")
        self.run_button.setToolTip("Start a new run with the current data and parameters (Ctrl+R)")
        self.run_button.clicked.connect(self.sigRunRequested)
        self.error = QLabel("")
        self.error.setObjectName("algorithm_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #C00000; font-weight: bold;")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        self.empty = QLabel("No algorithm plugins found.")
        self.empty.setWordWrap(True)
        self.empty.hide()

        # the label above the chooser: the chooser has the dock's whole width, and asks for its longest title
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Algorithm:"))
        layout.addWidget(self.combo)
        # Run and the error line above the (possibly tall) parameter panel: always in sight
        layout.addWidget(self.run_button)
        layout.addWidget(self.error)
        layout.addWidget(self.empty)
        layout.addWidget(self.stack)
        layout.addStretch(1)
        self.combo.currentIndexChanged.connect(self._on_combo)

    def add_plugin(self, title: str, panel: QWidget, tip: str = ""):
        self.stack.addWidget(panel)
        blocked = self.combo.blockSignals(True)
        self.combo.addItem(title)
        if tip:
            self.combo.setItemData(self.combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.combo.blockSignals(blocked)

    def set_panel(self, index: int, panel: QWidget):
        """Put ``panel`` in place of plugin ``index``'s panel (a plugin's panel is made when it is first chosen)."""
        old, current = self.stack.widget(index), self.stack.currentIndex()
        self.stack.insertWidget(index, panel)
        self.stack.removeWidget(old)
        old.deleteLater()
        self.stack.setCurrentIndex(current)

    def set_broken(self, index: int, message: str):
        """Grey out plugin ``index`` in the chooser (it could not be loaded), ``message`` as its tooltip."""
        item = self.combo.model().item(index)
        if item is not None:
            item.setEnabled(False)
        self.combo.setItemData(index, message, Qt.ItemDataRole.ToolTipRole)

    def finish(self):
        """Call after the last :meth:`add_plugin`."""
        none = self.combo.count() == 0
        self.empty.setVisible(none)
        self.combo.setEnabled(not none)
        self.run_button.setEnabled(not none)

    def set_current(self, index: int):
        """Show plugin ``index`` without emitting :attr:`sigAlgorithmChosen`."""
        blocked = self.combo.blockSignals(True)
        self.combo.setCurrentIndex(index)
        self.combo.blockSignals(blocked)
        self.stack.setCurrentIndex(index)

    def _on_combo(self, index: int):
        self.stack.setCurrentIndex(index)
        self.sigAlgorithmChosen.emit(index)

    def show_error(self, text: str):
        """A red message under the Run button ("" hides it)."""
        self.error.setText(text)
        self.error.setVisible(bool(text))


class PanelScroll(QScrollArea):
    """Scrolls a dock panel vertically; always wide enough for the panel plus a scroll bar."""

    def __init__(self, widget: QWidget):
        super().__init__()
        self.setWidget(widget)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        widget.installEventFilter(self)
        self.viewport().installEventFilter(self)

    def eventFilter(self, obj, event):
        # a scroll area keeps its contents' size to itself: when the panel asks for a new layout (another
        # plugin's controls, a note), pass its new minimum width on, or the dock stays narrower and cuts it off
        if event.type() == QEvent.Type.LayoutRequest and obj in (self.widget(), self.viewport()):
            self.updateGeometry()
        return super().eventFilter(obj, event)

    def _width(self) -> int:
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        return self.widget().minimumSizeHint().width() + bar + 2

    def minimumSizeHint(self) -> QSize:
        return QSize(self._width(), super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:
        return QSize(max(self._width(), self.widget().sizeHint().width()), self.widget().sizeHint().height())


class ViewTabs(QTabWidget):
    """The views' tabs: at least as wide as their tab bar, so the window at its least size names every view (no
    scroll arrows hiding the last tabs). An explicit minimum width overrides this (side by side sets one: each
    pane's tab bar scrolls there)."""

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(max(hint.width(), self.tabBar().sizeHint().width() + 2), hint.height())
