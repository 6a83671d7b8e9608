"""View > Side by side: two runs on the same data, each with its own algorithm, settings, timeline and views.

scikit-learn's cluster-comparison gallery, but live: single against complete linkage, K-means against a
Gaussian mixture or spectral clustering on the moons, one step at a time.

Layout
------
The window's centre (scatter, tabs, timeline) becomes the *left pane*; the *right pane* is a second
window of the same class embedded beside it (:mod:`gui.shell.side_by_side_pane` says why a whole window:
plugins are written against their window). While side by side, each pane's scatter sits above its tabs,
so both are wide enough at 1280 pixels. The right pane has its own algorithm panel (a dock "Right pane:
algorithm", on the window's right when it is wide, else a tab beside the left one's), its own player and timeline and its own tabs; its data are the left pane's: every change there
(``sigDataChanged``, standardization, the plotted axes) is followed and restarts the right run, without
entering any undo history. Editing happens in the left pane only.

Linked timelines
----------------
"Link timelines" (on by default) makes both panes show the same step number: stepping, playing or
seeking in either one moves the other (:class:`TimelineLink`), which computes ahead if it has to
(``Player.seek_ahead``) and stops at its last step when its run is shorter. Off, the panes are
independent. The keys (arrows, Space, Home, End) drive the left pane.

Export and closing
------------------
File > Export > Side by side writes both panes' centres (each with its algorithm, settings and step as
a caption) into one PNG, or one pane's; atomically. Turning side by side off, or closing the window,
closes the right pane at once: its player's thread and its plugins' tasks are stopped (its own close
event, as a window's). A session saved while side by side keeps the right pane's algorithm, settings and
the link in its optional ``"compare"`` entry (:mod:`engine.session.schema`); opening it shows both.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QMenu, QMessageBox, QSizePolicy, QSplitter,
                               QVBoxLayout, QWidget)

from engine.core.params import ParamError
from engine import session as es
from engine.session import SessionError
from gui.shell.dialogs import ask_save_path
from gui.shell.side_by_side_pane import PaneSettings, pane_class, save_png

__all__ = ["install", "SideBySide", "TimelineLink"]

SHORTCUT = "F7"
LEFT_NOTE = ("<b>Left pane</b> · edit the data here",
             "The data are opened and edited in this pane; the right pane follows them. The arrow keys, Space, Home "
             "and End step this pane (and the right one too while the timelines are linked).")
RIGHT_NOTE = ("<b>Right pane</b> · the same data",
              "The right pane runs its own algorithm, with its own settings (its Algorithm panel), timeline and "
              "views, on the left pane's data.")
WIDE = 1600  # from this window width the right pane's algorithm panel is a dock of its own, on the right


def _find_menu(parent, title: str) -> QMenu | None:
    for m in parent.findChildren(QMenu):
        if m.title().replace("&", "") == title:
            return m
    return None


_NARROW = {"step_label": 64, "objective_label": 60, "scrubber": 40, "speed": 80}  # minimum widths while side by side


OBJECTIVE_WIDTH = 190  # at most, while side by side (the objective's text elides)


def _relax(window, on: bool):
    """Let the widgets whose minimum is their whole content (the timeline's texts, which elide; the tabs, as wide
    as their widest page) be narrower while side by side, so both panes fit a 1280-pixel screen; ``on=False``
    puts their own minimums back."""
    saved = window.__dict__.setdefault("_side_by_side_minimums", {})
    widgets = [("tabs", window.tabs)] + [(name, window.timeline.findChild(QWidget, name)) for name in _NARROW]
    for name, widget in widgets:
        if widget is None:
            continue
        if on:
            saved.setdefault(name, widget.minimumWidth())
            widget.setMinimumWidth(_NARROW.get(name, 1))
            if name == "objective_label":  # the step's text (its number first) gets the room
                widget.setMaximumWidth(min(widget.maximumWidth(), OBJECTIVE_WIDTH))
        elif name in saved:
            widget.setMinimumWidth(saved.pop(name))
    if not on:  # the objective's width follows its name (which may have changed meanwhile): fitted again
        timeline, name = window.timeline, window.timeline.objective_name
        timeline.set_objective_name("objective" if name != "objective" else "value")
        timeline.set_objective_name(name)


class TimelineLink(QObject):
    """Keeps two players at the same step number while :attr:`on` (see the module docstring).

    A move of one player is repeated on the other with ``seek_ahead``; the other's answer (at once, or once
    computed) is recognised as an echo and not sent back, so a player that plays is never paused by it.
    """

    def __init__(self, a, b, parent=None):
        super().__init__(parent)
        self.players = (a, b)
        self.on = False
        self._pending = [None, None]  # the step asked of each player and not shown yet
        self._syncing = False
        a.sigStepChanged.connect(self._moved_a)
        b.sigStepChanged.connect(self._moved_b)

    def disconnect_players(self):
        for player, slot in zip(self.players, (self._moved_a, self._moved_b)):
            try:
                player.sigStepChanged.disconnect(slot)
            except (RuntimeError, TypeError):  # the player is gone already
                pass

    def set_on(self, on: bool):
        """Link (the right player goes to the left one's step) or unlink."""
        self.on = bool(on)
        self._pending = [None, None]
        if self.on:
            self._follow(1, self.players[0].index)

    def _moved_a(self, index: int):
        self._moved(0, index)

    def _moved_b(self, index: int):
        self._moved(1, index)

    def _moved(self, k: int, index: int):
        if index < 0:  # a new run (or none): whatever was asked of this player is void
            self._pending[k] = None
            return
        if not self.on or self._syncing:
            return
        pending, self._pending[k] = self._pending[k], None
        if pending is not None and index <= pending:
            return  # the step we asked for (or this run's last, when it is shorter)
        self._follow(1 - k, index)

    def _follow(self, k: int, index: int):
        player = self.players[k]
        if index < 0 or (not player.history and player.exhausted):
            return  # nothing to follow, or no run to move
        self._pending[k] = index
        self._syncing = True
        try:
            player.seek_ahead(index)
        finally:
            self._syncing = False
        last = len(player.history) - 1
        if player.index == index or (player.exhausted and player.index == last):
            self._pending[k] = None  # shown already (its answer was ignored above)


class SideBySide(QObject):
    """The side-by-side view of a main window: its actions, the right pane, the link (module docstring)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.pane = None
        self.link: TimelineLink | None = None
        self.link_box: QCheckBox | None = None
        self._linked = True
        self._remembered = None  # (algorithm name, parameter values) of the last right pane
        self._central = None
        self._orientation = None
        self._dock_width = 0
        self._build_actions()

    # ---------------------------------------------------------------- actions
    def _build_actions(self):
        w, m = self.window, self.window.menus
        view = _find_menu(w.menuBar(), "View")
        a = m.action("side_by_side", "&Side by side (compare two runs)", lambda: self.set_on(not self.on),
                     QKeySequence(SHORTCUT), "Split the window: a second algorithm, with its own settings, "
                     "timeline and views, runs on the same data beside this one", view)
        a.setCheckable(True)
        self.action = a
        exp = _find_menu(w.menuBar(), "Export")
        if exp is not None:
            exp.addSeparator()
        self.export_actions = [
            m.action(f"export_{which}_pane_png", text, lambda which=which: self.export_dialog(which), tip=tip,
                     menu=exp)
            for which, text, tip in (
                ("both", "Both panes as PNG…", "Side by side: both panes' scatter and current tab, with their "
                 "algorithms, settings and steps, in one image"),
                ("left", "Left pane as PNG…", "Side by side: the left pane's scatter and current tab"),
                ("right", "Right pane as PNG…", "Side by side: the right pane's scatter and current tab"))]
        self._update_actions()

    def _update_actions(self):
        self.action.setChecked(self.on)
        for a in self.export_actions:
            a.setEnabled(self.on)

    # ---------------------------------------------------------------- on / off
    @property
    def on(self) -> bool:
        return self.pane is not None

    @property
    def linked(self) -> bool:
        return self._linked

    def set_linked(self, on: bool):
        """Link the timelines (the right pane goes to the left one's step) or make them independent."""
        self._linked = bool(on)
        if self.link_box is not None and self.link_box.isChecked() != self._linked:
            self.link_box.setChecked(self._linked)  # comes back here through toggled
            return
        if self.link is not None:
            self.link.set_on(self._linked)

    def set_on(self, on: bool):
        """Show the right pane (made anew, with the algorithm it had last time) or close it."""
        if bool(on) != self.on:
            if on:
                QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
                try:
                    self._open()
                finally:
                    QGuiApplication.restoreOverrideCursor()
            else:
                self._close()
            controller = getattr(self.window, "session_controller", None)
            if controller is not None:
                controller._on_change()  # a session keeps the right pane
        self._update_actions()

    def _open(self):
        w = self.window
        pane = pane_class(type(w))(settings=PaneSettings(w.settings), only=w.plugins.names())
        pane.make_pane()
        self.pane = pane
        self._layout(pane)
        name, values, extra = self._remembered or (w.plugin.algorithm.name if w.plugin else "", None, {})
        if values is None and w.plugin is not None and name == w.plugin.algorithm.name:
            values = w.plugin.form.values()  # the same settings to start from: change one, compare
        for window in (w, pane):  # a new run may fix the objective label's width again (its name changed)
            window.player.sigHistoryChanged.connect(self._relax_again)
        self._show(name, values or {}, extra)
        w.sigDataChanged.connect(self._follow)
        w.data_panel.sigStandardizeChanged.connect(self._follow)
        w.data_panel.sigAxesChanged.connect(self._follow)
        pane.statusBar().messageChanged.connect(self._pane_status)
        controller = getattr(w, "session_controller", None)
        if controller is not None:  # the right pane's choices are part of the session too
            pane.sigAlgorithmChanged.connect(controller._on_change)
            pane.plugins.each(lambda _i, plugin: plugin.sigRestart.connect(controller._on_change))
        self.link = TimelineLink(w.player, pane.player, self)
        self.link.set_on(self._linked)
        w.status("Side by side: choose the right pane's algorithm and settings in its panel; "
                 f"{SHORTCUT} closes it.")

    def _show(self, name: str, values: dict, extra: dict):
        """Run algorithm ``name`` with ``values`` (and a session's entries ``extra``) in the right pane, on the
        left pane's data: one new run."""
        pane, w = self.pane, self.window
        names = pane.plugins.names()
        with pane.one_restart():
            if name in names:
                pane.set_algorithm(names.index(name))
                pane.plugin.panel()
                pane.plugin.form.set_values(values)
                pane.plugin.restore_state(dict(extra))
            pane.follow(w)
            pane.restart_run()
        if name in names:
            pane.plugin.restore_state(dict(extra), after_run=True)

    def _layout(self, pane):
        """The window's centre on the left, the pane on the right, each with a one-line header."""
        w = self.window
        size = w.size()
        self._orientation = (w.splitter.orientation(), w.splitter.sizes())
        for window in (w, pane):  # the scatter above the tabs, narrower minimums: each pane is a column
            window.splitter.setOrientation(Qt.Orientation.Vertical)
            _relax(window, True)
        self._central = w.takeCentralWidget()
        self.link_box = QCheckBox("Link timelines")
        self.link_box.setObjectName("link_timelines")
        self.link_box.setToolTip("Both panes show the same step number: stepping, playing or seeking in one "
                                 "moves the other (off: each pane's timeline is its own)")
        self.link_box.setChecked(self._linked)
        self.link_box.toggled.connect(self.set_linked)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setObjectName("panes")
        split.setChildrenCollapsible(False)
        split.addWidget(self._with_header(self._central, LEFT_NOTE))
        split.addWidget(self._with_header(pane, RIGHT_NOTE, self.link_box))
        w.setCentralWidget(split)
        self._dock_width = w.data_dock.width()
        self._place_dock(pane.algorithm_dock, size.width())
        if not w.isMaximized() and not w.isFullScreen():
            w.resize(size)  # as large as before (a minimum met on the way may have widened it)
        QTimer.singleShot(0, self._fit)

    def _place_dock(self, dock, width: int):
        """The right pane's algorithm panel, as a dock of the window: on the window's right when it is wide,
        else a tab beside the left pane's algorithm panel (both panes then keep room for their figures)."""
        w = self.window
        if width >= WIDE:
            w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        else:
            w.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
            w.tabifyDockWidget(w.algorithm_dock, dock)
        dock.show()
        dock.raise_()  # where the right pane's algorithm is chosen
        self._narrow_docks()

    def _narrow_docks(self):
        """The panels as narrow as their contents allow: the room is the figures'."""
        if self.pane is not None:
            self.window.resizeDocks([self.window.data_dock, self.pane.algorithm_dock], [1, 1],
                                    Qt.Orientation.Horizontal)

    @staticmethod
    def _with_header(widget, note: tuple, extra: QWidget | None = None) -> QWidget:
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(0)
        row = QHBoxLayout()
        row.setContentsMargins(6, 2, 6, 2)
        label = QLabel(note[0])
        label.setObjectName("pane_note")
        label.setToolTip(note[1])
        label.setStyleSheet("color: #444;")
        label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # never widens the window
        row.addWidget(label, 1)
        if extra is not None:
            row.addWidget(extra)
        v.addLayout(row)
        v.addWidget(widget, 1)
        return box

    def _fit(self):
        """Two equal columns; in each the scatter takes 3/5 of the height, the tabs 2/5."""
        pane = self.pane
        if pane is None:
            return
        self._narrow_docks()
        split = self.window.centralWidget()
        total = sum(split.sizes()) or split.width()
        split.setSizes([total // 2, total - total // 2])
        for window in (self.window, pane):
            height = sum(window.splitter.sizes()) or window.splitter.height()
            window.splitter.setSizes([height * 3 // 5, height - height * 3 // 5])

    def _close(self):
        pane, w = self.pane, self.window
        if pane.plugin is not None:
            self._remembered = (pane.plugin.algorithm.name, pane.plugin.form.values(), {})
        self._disconnect(pane)
        split = w.takeCentralWidget()
        w.setCentralWidget(self._central)  # out of its header box, back in the window
        split.hide()
        split.deleteLater()
        orientation, sizes = self._orientation
        w.splitter.setOrientation(orientation)
        w.splitter.setSizes(sizes)
        _relax(w, False)
        w.resizeDocks([w.data_dock], [self._dock_width], Qt.Orientation.Horizontal)
        self._central = self.link_box = None
        w.status("Side by side closed; the right pane's algorithm and settings come back next time.")

    def _disconnect(self, pane):
        """Stop the right pane (its player's thread, its plugins' tasks) and forget it."""
        w = self.window
        self.pane = None
        if self.link is not None:
            self.link.disconnect_players()
            self.link.deleteLater()
            self.link = None
        for signal in (w.sigDataChanged, w.data_panel.sigStandardizeChanged, w.data_panel.sigAxesChanged,
                       w.player.sigHistoryChanged):
            try:
                signal.disconnect(self._relax_again if signal is w.player.sigHistoryChanged else self._follow)
            except (RuntimeError, TypeError):
                pass
        dock = pane.algorithm_dock
        w.removeDockWidget(dock)
        dock.hide()
        dock.setParent(pane)  # goes with the pane
        pane.close()  # as a window closes: the player's thread stops, the plugins' close watchers run
        pane.deleteLater()

    def shutdown(self):
        """The window closes: close the right pane now (its threads stop before the window goes)."""
        if self.pane is not None:
            self._disconnect(self.pane)
            self._update_actions()

    # ---------------------------------------------------------------- following the left pane
    def _follow(self, *_):
        if self.pane is not None:
            self.pane.follow(self.window)

    def _relax_again(self, count: int):
        if count == 0 and self.pane is not None:
            for window in (self.window, self.pane):
                _relax(window, True)

    def _pane_status(self, text: str):
        if text and self.pane is not None:
            self.window.status(f"Right pane: {text}")

    # ---------------------------------------------------------------- sessions
    def session_entry(self) -> dict | None:
        """The right pane's run for a session's ``"compare"`` entry (None while side by side is off)."""
        pane = self.pane
        if pane is None or pane.plugin is None:
            return None
        plugin = pane.plugin
        try:
            params, extra = dict(plugin.parameters()), plugin.save_state()
        except ParamError as exc:
            raise SessionError(f"The right pane's settings cannot be saved: {exc}") from None
        for key, param in plugin.algorithm.session.replaces.items():
            if key in extra:
                params.pop(param, None)
        return {"algorithm": plugin.algorithm.name, "params": params, "extra": extra, "linked": self.linked}

    def _shows(self, compare) -> bool:
        """Whether this window shows a session's second run: it has the algorithm, and is not a window made for
        one algorithm (``clusterlab render`` draws the first run only)."""
        names = self.window.plugins.names()
        return compare is not None and len(names) > 1 and compare["algorithm"] in names

    def check_session(self, session, dataset) -> None:
        """Raise ``SessionError`` when the session's second run cannot be shown (before anything changes)."""
        c = session.compare
        if not self._shows(c):
            return
        right = session.replace(algorithm=c["algorithm"], params=c["params"], extra=c["extra"], compare=None)
        es.make_steps(right, dataset)  # every argument checked against the data
        plugin = self.window.plugins[self.window.plugins.index(c["algorithm"])]
        try:
            plugin.check_state(c["extra"], dataset, es.run_input(right, dataset)[0])
        except ParamError as exc:
            raise SessionError(f"{session.label}: compare: algorithm {c['algorithm']}: {exc}") from None

    def apply_session(self, compare: dict | None) -> None:
        """Show a session's ``"compare"`` entry: side by side, the right pane's algorithm and settings, the link."""
        if not self._shows(compare):
            return
        self._remembered = (compare["algorithm"], dict(compare["params"]), dict(compare["extra"]))
        self.set_linked(compare["linked"])
        if self.on:
            self._show(*self._remembered)
            if self.link is not None:
                self.link.set_on(self._linked)
        else:
            self.set_on(True)

    # ---------------------------------------------------------------- export
    def export_dialog(self, which: str):
        """File > Export > Both panes / Left pane / Right pane as PNG: ask where, then :meth:`export_png`."""
        w = self.window
        if self.pane is None:
            w.status(f"Turn on View > Side by side ({SHORTCUT}) first.")
            return
        path = ask_save_path(w, "Export PNG", f"clusterlab-{which}-pane{'s' if which == 'both' else ''}.png",
                             "PNG image (*.png)", ".png")
        if path:
            self.export_png(which, path)

    def export_png(self, which: str, path, scale: float = 1) -> bool:
        """Write ``which`` ("both", "left" or "right") as a PNG at ``path``; a problem gives a message box."""
        w = self.window
        windows = {"both": [w, self.pane], "left": [w], "right": [self.pane]}[which]
        try:
            save_png(windows, path, scale)
        except (OSError, ValueError, RuntimeError) as exc:
            QMessageBox.critical(w, "Export failed", f"Could not write {path}:\n{exc}")
            return False
        w.status(f"Saved {path}")
        return True


def install(window) -> SideBySide:
    """Add View > Side by side and File > Export > Side by side to ``window`` (after its menus are built)."""
    return SideBySide(window)
