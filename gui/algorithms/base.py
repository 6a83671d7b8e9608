"""How an algorithm plugs into the main window.

Every algorithm (HAC, K-means, Gaussian EM, Bernoulli EM) has one
:class:`AlgorithmPlugin` subclass in ``gui/algorithms/``. The window owns one
:class:`~gui.run.player.Player`, one shared scatter view and the data; a plugin
adds what is particular to its algorithm:

* a parameter panel (built from the engine's :class:`~engine.core.params.Param`
  declarations by :class:`ParamForm`, plus any extra controls),
* extra views, shown as tabs beside the scatter (dendrogram, objective curve,
  prototype tiles, ...),
* overlays on the shared scatter (witness segments, centres, ellipses),
* ``show_step``: draw the current step. Every view derives what it shows
  from the step (and the player's history); none keeps its own copy of
  "where we are".

What a plugin may use of the window (``self.window``)
------------------------------------------------------
Only these; anything else (``_private`` names, the panels' widgets) may change.

``window.dataset``            the current :class:`engine.data.Dataset` (what the person sees/edits), or
                              ``None`` for an empty canvas; ``labels`` may hold ``-1`` (a point in no group)
``window.sigDataChanged``     signal: the data changed and the window has redrawn them (connect in
                              ``activate``, disconnect in ``deactivate``)
``window.run_X()``            the (n, d) array algorithms run on (standardized when that option is on)
``window.standardized``       bool: the run data are z-scores (``window.set_standardized(on)`` switches)
``window.standardization``    ``(mean, scale)`` of the z-scores, or None
``window.to_run(P)``          (m, d) data coordinates -> run coordinates; ``window.from_run(C)`` back
``window.project(P)``         (m, d) run coordinates -> (m, 2) display coordinates (the data's PCA when d > 2)
``window.scatter``            the shared scatter view: ``.plot_item`` (a pyqtgraph PlotItem for overlays),
                              ``set_labels(labels)``, ``set_colors(rgba)`` (per-point colours, e.g. a
                              responsibility blend; ``None`` to go back), ``highlight(indices)``,
                              ``raster`` (bool: many points drawn as an image), ``sigPointClicked(int)``
``window.set_edit_mode(m)``   what clicks on the scatter do ("inspect" before taking clicks yourself)
``window.player``             the :class:`~gui.run.player.Player` of the current run
``window.restart_run()``      start a new run with the current data and parameters
``window.tabs``               the window's QTabWidget of views: a plugin only shows or hides its own views' tabs
                              (:meth:`AlgorithmPlugin.show_offered_tabs`)
``window.status(text)``       a message in the status bar
``window.show_error(text)``   a red message in the algorithm panel ("" hides it)

People count from 1: clusters, points and groups are shown as "cluster 1" for label 0.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QGroupBox, QLineEdit,
                               QPushButton, QSpinBox, QVBoxLayout, QWidget)
from PySide6.QtGui import QIntValidator

from engine.core.params import Param
from engine.core.registry import Algorithm
from engine.core.steps import Step
from gui.widgets.spin import ShortDoubleSpinBox

__all__ = ["ParamForm", "AlgorithmPlugin", "State"]


@dataclass(frozen=True)
class State:
    """One entry a session keeps of a plugin beside its parameters, declared as data (like Orange's ``Setting``).

    The session code reads and writes plugins only through these declarations: it never reaches
    into a plugin's widgets.

    Parameters
    ----------
    key : str
        The entry's name in the session's ``"algorithm"`` object; one of the algorithm's
        :attr:`SessionEntries.keys <engine.core.registry.SessionEntries>`.
    save : str
        Name of the plugin method ``() -> value`` giving the entry for a session (JSON-ready or
        numpy; ``None``: the session leaves the entry out). May raise ``ParamError``.
    restore : str
        Name of the plugin method ``(value) -> None`` showing the entry (``None``: the session has
        none), called inside ``window.one_restart()`` after the data and parameters are set.
    check : str
        Optional: name of the plugin method ``(value, dataset, X) -> None`` that raises
        ``ParamError`` when this window cannot show the entry; called before anything changes.
    after_run : bool
        Restore once the new run has started (work beside the run, such as a sweep over K).
    """

    key: str
    save: str
    restore: str
    check: str = ""
    after_run: bool = False


class ParamForm(QWidget):
    """A form for a tuple of :class:`Param`, one widget per parameter.

    ``values()`` returns a dict ready for ``Algorithm.validate``; ``set_values``
    updates the widgets without emitting :attr:`sigChanged` (no echo).
    """

    sigChanged = Signal()

    def __init__(self, params: tuple, parent: QWidget | None = None):
        super().__init__(parent)
        self.params = tuple(params)
        self.widgets: dict[str, QWidget] = {}
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for p in self.params:
            w = self._make(p)
            w.setToolTip(p.help)
            w.setObjectName(f"param_{p.name}")
            self.widgets[p.name] = w
            layout.addRow(p.label, w)
        self.set_values({p.name: p.default for p in self.params})

    def _make(self, p: Param) -> QWidget:
        if p.kind == "choice":
            w = QComboBox()
            for c in p.choices:
                w.addItem(p.choice_label(c), c)
            w.currentIndexChanged.connect(self.sigChanged)
        elif p.kind == "bool":
            w = QCheckBox()
            w.toggled.connect(self.sigChanged)
        elif p.kind == "int":
            w = QSpinBox()
            w.setRange(int(p.low) if p.low is not None else -10**9, int(p.high) if p.high is not None else 10**9)
            w.valueChanged.connect(self.sigChanged)
        elif p.kind == "float":
            w = ShortDoubleSpinBox()  # 1e-06, not 0.00000100
            w.setDecimals(8)
            w.setRange(p.low if p.low is not None else -1e12, p.high if p.high is not None else 1e12)
            w.valueChanged.connect(self.sigChanged)
        elif p.kind == "seed":
            w = QLineEdit()
            w.setPlaceholderText("random")
            w.setValidator(QIntValidator(0, 2**31 - 1))
            w.editingFinished.connect(self.sigChanged)
        else:  # pragma: no cover - declarations are checked by engine tests
            raise TypeError(p.kind)
        return w

    def values(self) -> dict:
        out = {}
        for p in self.params:
            w = self.widgets[p.name]
            if p.kind == "choice":
                out[p.name] = w.currentData()
            elif p.kind == "bool":
                out[p.name] = w.isChecked()
            elif p.kind in ("int", "float"):
                out[p.name] = w.value()
            else:
                text = w.text().strip()
                out[p.name] = int(text) if text else None
        return out

    def set_values(self, values: dict):
        by_name = {p.name: p for p in self.params}
        for name, value in values.items():
            p, w = by_name.get(name), self.widgets.get(name)
            if p is None:
                continue
            blocked = w.blockSignals(True)
            try:
                if p.kind == "choice":
                    i = w.findData(value)
                    if i >= 0:
                        w.setCurrentIndex(i)
                elif p.kind == "bool":
                    w.setChecked(bool(value))
                elif p.kind in ("int", "float"):
                    w.setValue(value)
                else:
                    w.setText("" if value is None else str(int(value)))
            finally:
                w.blockSignals(blocked)


class AlgorithmPlugin(QObject):
    """Base class of the per-algorithm GUI parts (see the module docstring).

    Subclasses set :attr:`algorithm` and override what they need.
    ``sigRestart`` asks the window for a new run (parameters changed).
    """

    algorithm: Algorithm = None  # set by subclasses
    #: What a session keeps of this plugin beside the parameters (see :class:`State`).
    session_state: tuple = ()
    sigRestart = Signal()

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.form = ParamForm(self.algorithm.params)
        self.form.sigChanged.connect(self.sigRestart)
        self._panel = None
        #: A :class:`concurrent.futures.Future` of the results the engine computes ahead for the session's entries
        #: (``SessionEntries.work``; render computes them while its window starts), or None: a restore hook takes
        #: it (once) and waits for it off the GUI thread instead of computing the same again.
        self.session_work = None

    # What the window shows ------------------------------------------------
    def panel(self) -> QWidget:
        """The widget in the algorithm panel, built once: the parameter form, then :meth:`build_panel`'s controls."""
        if self._panel is None:
            box = QWidget()
            layout = QVBoxLayout(box)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.addWidget(self.form)
            self._panel = box  # before build_panel: its handlers may ask for the panel
            self.build_panel(layout)
        return self._panel

    def build_panel(self, layout: QVBoxLayout) -> None:
        """Add this plugin's controls under the parameter form (default: none)."""

    def views(self) -> list[tuple[str, QWidget]]:
        """Extra views as (tab title, widget), created once."""
        return []

    def has_content(self, view: QWidget) -> bool:
        """Whether ``view`` (one of :meth:`views`) shows something for the current data and run; a figure
        (``clusterlab render``) is written only then (default True). False e.g. for prototype images of data
        that are not images, or the results of a sweep nobody ran."""
        return True

    def offers(self, view: QWidget) -> bool:
        """Whether ``view``'s tab is offered at all for the current data (default True). A tab that cannot show
        anything for these data (prototype images of points that are not images) is hidden rather than shown
        empty; :meth:`show_offered_tabs` applies this."""
        return True

    def show_offered_tabs(self) -> None:
        """Show the tabs of :meth:`views` this plugin :meth:`offers` for the current data, hide the others (call
        when the data change and on activation)."""
        tabs = getattr(self.window, "tabs", None)
        if tabs is None:
            return
        for _title, view in self.views():
            i = tabs.indexOf(view)
            if i >= 0 and tabs.isTabVisible(i) != self.offers(view):
                tabs.setTabVisible(i, self.offers(view))

    def figure(self, view: QWidget):
        """What of ``view`` a figure shows: the view itself (default) or, for a view with controls beside
        its plot (spin boxes, buttons, notes), the plot alone (a ``pg.PlotWidget`` or graphics item, see
        :func:`gui.widgets.export.plot_target`). A figure is a plot; it never draws widgets."""
        return view

    # Panel pieces ---------------------------------------------------------------
    @staticmethod
    def add_button(layout, text: str, object_name: str, slot: Callable[[], object], tip: str = "") -> QPushButton:
        """A push button ``text`` named ``object_name`` that calls ``slot()`` when clicked, added to ``layout``."""
        b = QPushButton(text)
        b.setObjectName(object_name)
        if tip:
            b.setToolTip(tip)
        b.clicked.connect(lambda _=False: slot())
        layout.addWidget(b)
        return b

    def add_exercises_box(self, layout, exercises: dict[str, str], load: Callable) -> QGroupBox:
        """An "Exercises" box added to ``layout``: one button per ``exercises`` entry (name -> title), named
        ``<algorithm name>_<name>``, that calls ``load(window, name)``; the buttons go to ``exercise_buttons``."""
        box = QGroupBox("Exercises")
        ev = QVBoxLayout(box)
        self.exercise_buttons = {
            name: self.add_button(ev, title, f"{self.algorithm.name}_{name}",
                                  lambda n=name: load(self.window, n))
            for name, title in exercises.items()}
        layout.addWidget(box)
        return box

    # The run ----------------------------------------------------------------
    def parameters(self) -> dict:
        """The validated parameter values (raises ParamError with a message for people)."""
        return self.algorithm.validate(self.form.values())

    def objective_label(self) -> str:
        """What the objective of the current parameters is (:meth:`Algorithm.objective_label`), for axes and the timeline."""
        return self.algorithm.objective_label(self.form.values())

    def extra_arguments(self) -> dict:
        """Arguments that are not form parameters (starting partition, placed centres)."""
        return {}

    def make_steps(self) -> Callable[[], Iterator[Step]]:
        """A zero-argument factory of this run's step generator (validated here, run on the worker)."""
        params = self.parameters()
        X = self.window.run_X()
        extra = self.extra_arguments()
        steps = self.algorithm.steps
        return lambda: steps(X, **params, **extra)

    # Sessions -----------------------------------------------------------------
    def save_state(self) -> dict:
        """The declared :attr:`session_state` entries of what is shown now (``None`` values left out)."""
        out = {}
        for s in self.session_state:
            value = getattr(self, s.save)()
            if value is not None:
                out[s.key] = value
        return out

    def check_state(self, extra: dict, dataset, X) -> None:
        """Raise ``ParamError`` when this window cannot show the session entries ``extra`` on these data."""
        for s in self.session_state:
            if s.check and s.key in extra:
                getattr(self, s.check)(extra[s.key], dataset, X)

    def restore_state(self, extra: dict, after_run: bool = False) -> None:
        """Show the session entries ``extra`` (absent ones as ``None``): those restored before or after the run."""
        for s in self.session_state:
            if s.after_run == after_run:
                getattr(self, s.restore)(extra.get(s.key))

    def session_results(self) -> dict:
        """More ``result.json`` entries computed by this plugin beside the run (a sweep over K); {} by default."""
        return {}

    # Drawing ------------------------------------------------------------------
    def activate(self):
        """Called when this algorithm becomes the current one: add overlays to the scatter."""

    def deactivate(self):
        """Called when another algorithm is chosen: remove overlays from the scatter."""

    def show_step(self, step: Step | None):
        """Draw ``step`` (None: no run yet) in the overlays and this plugin's views."""
