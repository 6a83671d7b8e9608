"""Clusterlab's main window: data on the left, the scatter and the algorithm's views in the centre,
the timeline at the bottom.

Data flow (one source of truth for each thing)
----------------------------------------------
* The data live in :class:`~gui.run.data_model.DataModel` (edits go through its
  undo stack). ``sigDataChanged`` -> the window recomputes the display
  projection (PCA when d > 2, once per change) and the run data (optionally
  standardized), redraws the scatter and restarts the run.
* Where the run is lives in :class:`~gui.run.player.Player`. ``sigStepChanged``
  -> scatter labels, the active plugin's ``show_step``, the timeline.
* The active :class:`~gui.algorithms.base.AlgorithmPlugin` turns its parameters into a
  step generator (``make_steps``); a bad parameter is a red message, never a crash.

The window offers plugins what :mod:`gui.algorithms.base` documents: ``dataset``,
``run_X()``, ``project(P)``, ``standardized``, ``to_run``/``from_run``,
``sigDataChanged``, ``set_edit_mode(mode)``, ``scatter``, ``player``,
``restart_run()``, ``status(text)`` and ``show_error(text)``. The data side lives in :mod:`gui.shell.window_data`,
menus in :mod:`gui.shell.menus`, the left panels in
:mod:`gui.widgets.panels`, the timeline in :mod:`gui.widgets.timeline`.
"""
from __future__ import annotations

import itertools
import traceback
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QDockWidget, QLabel, QMainWindow, QProgressBar, QPushButton, QSizePolicy, QSplitter,
                               QStackedLayout, QVBoxLayout, QWidget)

from gui import algorithms
from gui.shell import menus
from gui.run.data_model import DataModel
from gui.widgets.panels import AlgorithmPanel, DataPanel, PanelScroll, ViewTabs
from gui.shell.dialogs import Loader
from gui.shell.window_data import WindowData, has_points
from gui.views import common_views
from gui.shell.lecture import Lecture
from gui.shell.quiz import Quiz
from gui.run.player import Player
from gui.widgets.scatter import ScatterView
from gui.shell.settings import Settings
from gui.widgets.timeline import TimelineBar

__all__ = ["MainWindow", "EMPTY_HINT"]

EMPTY_HINT = "Click to add points\nor open a data set from the File menu"
BUSY_DELAY_MS = 300  # the progress bar appears only for work that takes longer than this


class MainWindow(WindowData, QMainWindow):
    """The application window (see the module docstring).

    Signals
    -------
    sigDataChanged()
        The data changed (an edit, undo/redo, a file, an example) and the window has
        updated the projection, the run data and the scatter (and restarted the run).
    sigAlgorithmChanged(int)
        Another plugin became the active one (by the panel, a plugin or a session), with its index.
    """

    sigDataChanged = Signal()
    sigAlgorithmChanged = Signal(int)

    def __init__(self, settings: Settings | None = None, startup: str | None = None, only=None):
        super().__init__()
        self.settings = settings if settings is not None else Settings()
        self.setObjectName("clusterlab_main_window")
        self.setAcceptDrops(True)
        self.model = DataModel(self)
        self.player = Player(self, steps_per_second=self.settings.speed())
        self.loader = Loader(self)
        self._X_run = np.empty((0, 2))
        self._Y = np.empty((0, 2))
        self._projection = None
        self._std = None  # (mean, scale) of the standardization, None when off
        self._pca_cache = None  # (dataset, Y, info) computed by the loader thread
        self._axes = None  # None: the first two principal components (d > 2); (i, j): features i and j
        self._pca = None  # (dataset, Y, info): the principal components of the shown data, kept for switching back
        self._busy_what = ""
        self._closed = False
        self._restart_batch = 0  # > 0 inside one_restart(): restarts wait for its end
        self._restart_pending = False
        self._preloaded = None  # steps of the next run, computed already (preload_steps)

        self._build_centre()
        self.lecture = Lecture(self)
        self.quiz = Quiz(self)
        self._build_docks()
        self._build_status_bar()

        # algorithms
        self._views: dict[int, list] = {}
        self._current = -1
        self._plugin_problems = ""
        self._load_plugins(only)
        self.common_views = common_views(self)  # after the plugins' tabs, for every algorithm

        self.menus = menus.build(self)
        self._connect()
        self._restore_settings()
        self.data_panel.set_mode("add")  # an empty canvas is ready for clicking
        self._on_data_changed()
        last, names = self.settings.last_algorithm(), self.plugins.names()
        for index in ([names.index(last)] if last in names else []) + list(range(len(names))):
            self.set_algorithm(index)  # the last one used, else the first that starts
            if self._current >= 0:
                break
        if startup is None:
            startup = self.settings.startup_data()
        if startup:
            self.open_source(startup)
        self.session_controller = None
        self._install_sessions()
        self._install_compare()

    def _build_centre(self):
        """The centre: the scatter (the empty-canvas hint on top) beside the plugin's views; the timeline below."""
        self.scatter = ScatterView()
        self.hint = QLabel(EMPTY_HINT)
        self.hint.setObjectName("empty_hint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.hint.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.hint.setStyleSheet("color: #777; font-size: 13pt; background: transparent;")
        scatter_box = QWidget()
        scatter_box.setMinimumWidth(320)  # px, never squeezed to a strip by the tabs: legend, names, title readable
        stack = QStackedLayout(scatter_box)
        stack.setStackingMode(QStackedLayout.StackingMode.StackAll)
        stack.addWidget(self.hint)
        stack.addWidget(self.scatter)
        stack.setCurrentWidget(self.hint)  # the hint stays on top; clicks pass through it
        self.tabs = ViewTabs()  # never narrower than its tab bar: every view named at the least size
        self.tabs.setObjectName("views")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("centre")
        self.splitter.addWidget(scatter_box)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.timeline = TimelineBar(self.player)
        self.timeline.set_speed(self.settings.speed())
        central = QWidget()
        v = QVBoxLayout(central)
        v.setContentsMargins(2, 2, 2, 0)
        v.addWidget(self.splitter, 1)
        v.addWidget(self.timeline)
        self.setCentralWidget(central)

    def _build_docks(self):
        """The left docks: the data panel (its natural height) above the algorithm panel (the rest)."""
        self.data_panel = DataPanel()
        self.data_dock = self._dock("Data", "data_dock", self.data_panel)
        # the data panel keeps its natural height; the algorithm panel below takes the rest
        self.data_dock.widget().setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.algorithm_panel = AlgorithmPanel()
        self.algorithm_dock = self._dock("Algorithm", "algorithm_dock", self.algorithm_panel)

    def _build_status_bar(self):
        """The status bar's progress bar and Cancel button, shown while the player or the loader works."""
        self.progress = QProgressBar()
        self.progress.setObjectName("progress")
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(180)
        self.progress.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancel")
        self.cancel_button.setToolTip("Stop loading, or stop computing and keep the steps computed so far (Esc)")
        self.cancel_button.clicked.connect(self.cancel)
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().addPermanentWidget(self.cancel_button)
        self.progress.hide()
        self.cancel_button.hide()
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_DELAY_MS)
        self._busy_timer.timeout.connect(self._update_busy)

    def _install_sessions(self):
        """The session menu (gui.shell.session_io), when that module is there; a failure is reported, not fatal."""
        try:
            from gui.shell.session_io import install_session_menu
        except ImportError:
            return
        try:
            self.session_controller = install_session_menu(self)
        except Exception as exc:  # a broken add-on must not stop the window from opening
            traceback.print_exc()
            self.status(f"Sessions are unavailable: {exc}", 0)

    def _install_compare(self):
        """View > Side by side: a second run beside this one (:mod:`gui.shell.side_by_side`)."""
        from gui.shell.side_by_side import install
        self.side_by_side = install(self)

    def _load_plugins(self, only=None):
        """The registered plugins (``only`` these algorithm names, when given), each imported and created when
        first chosen (:class:`~gui.algorithms.PluginSet`); a broken one is reported in the panel, never a crash."""
        try:
            entries = algorithms.plugin_entries(only)
        except Exception as exc:  # the registry itself failed (an engine part could not be imported)
            traceback.print_exc()
            entries, self._plugin_problems = [], f"Algorithms could not be loaded: {type(exc).__name__}: {exc}"
        self.plugins = algorithms.PluginSet(entries, lambda cls: cls(self))
        for alg in self.plugins.algorithms():
            self.algorithm_panel.add_plugin(alg.title, QWidget(), alg.objective_name)  # its panel once made
        self.plugins.each(self._on_plugin_made)
        self.algorithm_panel.finish()
        self.algorithm_panel.show_error(self._plugin_problems)

    def _on_plugin_made(self, index: int, plugin):
        self.algorithm_panel.set_panel(index, plugin.panel())
        plugin.sigRestart.connect(lambda i=index: self._on_plugin_restart(i))

    def _plugin_failed(self, index: int, message: str):
        """Plugin ``index`` could not be made: its menu entry is greyed out, the panel says why."""
        self.algorithm_panel.set_broken(index, message)
        self.algorithm_panel.set_current(self._current)
        if message not in self._plugin_problems:
            self._plugin_problems = "\n".join(filter(None, (self._plugin_problems, message)))
        self.show_error("")

    def _dock(self, title: str, name: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(PanelScroll(widget))  # plugin panels can be taller than a small screen
        dock.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        return dock

    def _connect(self):
        m, p, s = self.model, self.player, self.scatter
        m.sigDataChanged.connect(self._on_data_changed)
        m.undo_stack.cleanChanged.connect(self._update_title)
        p.sigStepChanged.connect(self._on_step_changed)
        p.sigBusy.connect(self._on_busy)
        p.sigProgress.connect(self._on_progress)
        p.sigError.connect(self._on_run_error)
        self.loader.sigBusy.connect(self._on_load_busy)
        self.loader.sigLoaded.connect(self._on_loaded)
        self.loader.sigFailed.connect(self._on_load_failed)
        self.timeline.sigSpeedChanged.connect(self.settings.set_speed)
        self.data_panel.sigEditModeChanged.connect(s.set_edit_mode)
        self.data_panel.sigStandardizeChanged.connect(self._on_standardize)
        self.data_panel.sigClearRequested.connect(self.clear_points)
        self.data_panel.sigAxesChanged.connect(self.set_axes)
        self.algorithm_panel.sigAlgorithmChosen.connect(self.set_algorithm)
        self.algorithm_panel.sigRunRequested.connect(self.restart_run)
        s.sigAddRequested.connect(self._on_add_requested)
        s.sigMoveRequested.connect(self._on_move_requested)
        s.sigDeleteRequested.connect(self._on_delete_requested)
        s.sigPaintRequested.connect(self._on_paint_requested)
        s.sigPointClicked.connect(self._on_point_clicked)

    # ================================================================ the plugin contract
    @property
    def plugin(self):
        """The active :class:`~gui.algorithms.base.AlgorithmPlugin` (None when no plugin is installed)."""
        return self.plugins[self._current] if 0 <= self._current < len(self.plugins) else None

    def status(self, text: str, msecs: int = 8000):
        """A message in the status bar for ``msecs`` milliseconds (0: until the next message)."""
        self.statusBar().showMessage(text, msecs)

    def show_error(self, text: str):
        """A red message under the Run button of the algorithm panel ("" hides it)."""
        self.algorithm_panel.show_error("\n".join(t for t in (text, self._plugin_problems) if t))

    def set_edit_mode(self, mode: str):
        """Choose what clicks on the scatter do: "inspect", "add", "move", "delete" or "paint".

        A plugin that takes clicks itself (placing centres) switches to "inspect" first.
        """
        self.data_panel.set_mode(mode)

    @contextmanager
    def one_restart(self):
        """Changes made inside ``with window.one_restart():`` start one run at the end, not one per change."""
        self._restart_batch += 1
        try:
            yield
        finally:
            self._restart_batch -= 1
            if self._restart_batch == 0 and self._restart_pending:
                self._restart_pending = False
                self.restart_run()

    def preload_steps(self, steps, rest=()) -> None:
        """The next run's first steps, computed already, and an iterator of the steps after them (render
        computes a session's run headless while the window starts): the next :meth:`restart_run` still asks
        the plugin for its run (its checks and its own preparation) but plays these instead."""
        self._preloaded = (list(steps), rest)

    def restart_run(self):
        """Start a new run of the active algorithm on the current data and parameters."""
        if self._restart_batch:
            self._restart_pending = True
            return
        self.algorithm_panel.show_error(self._plugin_problems)
        preloaded, self._preloaded = self._preloaded, None  # for this run only
        plugin = self.plugin
        if plugin is None or not has_points(self.dataset):
            self.player.clear()
            return
        self.timeline.set_objective_name(plugin.objective_label())  # it may depend on the parameters
        try:
            # validation may happen in make_steps or when the engine's steps() is first called (in start)
            factory = plugin.make_steps()
            if preloaded is not None:
                factory = lambda: itertools.chain(*preloaded)  # noqa: E731 - the steps computed already
            self.player.start(factory)
        except ValueError as exc:  # ParamError / DataError: the person can fix it
            self.player.clear()
            self._on_run_error(str(exc))

    # ================================================================ algorithms
    def set_algorithm(self, index: int):
        """Make plugin ``index`` the active one: its panel, its tabs, its overlays; restart the run."""
        if not 0 <= index < len(self.plugins):
            return
        if index == self._current:
            return
        try:
            plugin = self.plugins[index]  # imported and created the first time
        except algorithms.PluginError as exc:
            self._plugin_failed(index, str(exc))
            return
        old = self.plugin
        if old is not None:
            old.deactivate()
        self.scatter.set_colors(None)  # per-point colours belong to the plugin that set them
        self.player.clear()
        self._current = index
        self.algorithm_panel.set_current(index)
        self.algorithm_dock.widget().updateGeometry()  # the dock is as wide as the new panel needs
        self.tabs.clear()
        if index not in self._views:
            self._views[index] = list(plugin.views())
        for title, widget in self._views[index]:
            self.tabs.addTab(widget, title)
        for view in self.common_views:
            self.tabs.addTab(view, view.title)
        self.tabs.setVisible(self.tabs.count() > 0)
        plugin.activate()
        self.timeline.set_objective_name(plugin.objective_label())
        self.scatter.set_no_cluster_name(plugin.algorithm.no_cluster)
        self.settings.set_last_algorithm(plugin.algorithm.name)
        self.restart_run()
        self.sigAlgorithmChanged.emit(index)

    def _on_plugin_restart(self, index: int):
        if index == self._current:
            self.restart_run()

    def _on_step_changed(self, _index: int = -1):
        step = self.player.current
        n = self.scatter.n
        labels = step.labels if step is not None else self._resting_labels()
        if labels is not None and np.shape(labels) != (n,):
            labels = None
        self.scatter.set_labels(labels)
        plugin = self.plugin
        if plugin is not None:
            plugin.show_step(step)
        for view in self.common_views:
            view.show_step(step)

    def _resting_labels(self):
        """What the scatter shows without a run: the data set's labels (starting groups), if any."""
        ds = self.dataset
        return ds.labels if has_points(ds) else None

    def _on_run_error(self, message: str):
        self.show_error(message)
        self.status(message, 15000)

    # ================================================================ window
    def showEvent(self, event):
        super().showEvent(event)
        QTimer.singleShot(0, self, self._fit_data_dock)  # once the docks have their first geometry (not if deleted)

    def _update_title(self, *_):
        controller = getattr(self, "session_controller", None)
        if controller is not None:  # the session's name and its unsaved-changes mark
            controller.update_title()
            return
        ds = self.dataset
        name = (ds.name or "points made by hand") if has_points(ds) else "empty canvas"
        self.setWindowTitle(f"Clusterlab - {name}")

    # ================================================================ busy / progress / cancel
    def _on_busy(self, busy: bool):
        if busy:
            self._busy_timer.start()
        else:
            self._update_busy()

    def _on_load_busy(self, busy: bool, what: str):
        self._busy_what = what if busy else ""
        if busy:
            self.status(what, 0)
            self._busy_timer.start()
        else:
            self.statusBar().clearMessage()
            self._update_busy()

    def _update_busy(self):
        busy = self.player.busy or self.loader.busy
        if not busy:
            self._busy_timer.stop()
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)

    def _on_progress(self, count: int, text: str):
        self.status(text, 0)

    def cancel(self):
        """Stop loading data (the data shown stay) and what the player computes ahead (steps computed so far
        are kept): the Cancel button and Esc."""
        if self.loader.busy:
            self.loader.cancel()
            self.status("Loading cancelled; the data shown are unchanged.")
        if self.player.busy:
            self.player.cancel()
            self.status("Cancelled; the steps computed so far are kept.")

    # ================================================================ settings, drops, close
    def _restore_settings(self):
        geometry, state = self.settings.geometry(), self.settings.state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1360, 820)
        if state is not None:
            self.restoreState(state)
        else:  # first start: panels wide enough for their labels and combo boxes
            self.resizeDocks([self.data_dock, self.algorithm_dock], [330, 330], Qt.Orientation.Horizontal)

    def save_settings(self):
        self.lecture.set_on(False)  # lecture mode is for this sitting: the next start has the panels and fonts
        self.lecture.set_style(False)  # (render --lecture styles without the mode): the application font back
        self.settings.set_window(self.saveGeometry(), self.saveState())
        self.settings.set_speed(self.timeline.speed.value())
        self.settings.sync()

    def dragEnterEvent(self, event):
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event):
        self.dragEnterEvent(event)

    def dropEvent(self, event):
        files = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if not files:
            event.ignore()
            return
        event.acceptProposedAction()
        self.open_file(files[0])  # data, or a session .json
        if len(files) > 1:
            self.status(f"Opened {Path(files[0]).name}; drop one file at a time.")

    def closeEvent(self, event):
        if not self._closed:
            self._closed = True
            if getattr(self, "side_by_side", None) is not None:
                self.side_by_side.shutdown()  # the right pane's threads stop first; its dock is not saved
            self.save_settings()
            self.player.shutdown()
            self.loader.wait()
        super().closeEvent(event)
