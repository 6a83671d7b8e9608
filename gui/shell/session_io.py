"""Sessions in the window: capture one from what is shown, apply one, and the File menu's session actions.

:func:`capture` turns the window's state (data, standardization, algorithm,
parameters, hand-made starting centres or groups, the current step) into an
:class:`engine.session.Session`; :func:`apply` does the reverse. ``apply``
builds the data and checks every argument *before* it touches the window, so a
bad session raises :class:`~engine.session.SessionError` and changes nothing.

:func:`install_session_menu` adds to a :class:`~gui.shell.main_window.MainWindow`
(from outside, by connecting signals):

* File > Open session…, Save session, Save session as…;
* File > Examples > Exercise sessions: every shipped session with its description;
* the window title with the session's name and the unsaved-changes mark
  (``[*]`` + ``setWindowModified``): changing data, algorithm, parameters or
  standardization marks the session modified;
* the close prompt (Save / Discard / Cancel) when there are unsaved changes.
  Nobody can answer a dialog on the offscreen platform (headless rendering,
  tests), so there the prompt is skipped unless :data:`ASK_ON_CLOSE` is True.
"""
from __future__ import annotations

import re
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox

from engine import data as edata
from engine import session as es
from engine.core.params import ParamError
from engine.session import Session, SessionError
from gui.shell.dialogs import ask_open_path, ask_save_path

__all__ = ["capture", "apply", "goto_step", "install_session_menu", "SessionController",
           "ASK_ON_CLOSE", "SESSION_FILTER"]

#: None: ask on close unless the platform is offscreen/minimal (nobody could answer); True/False: always/never.
ASK_ON_CLOSE: bool | None = None
SESSION_FILTER = "Clusterlab sessions (*.json);;All files (*)"


# ============================================================================ capture
def _plugin_index(window, name: str) -> int | None:
    names = window.plugins.names()
    return names.index(name) if name in names else None


def _generator_spec(ds) -> dict | None:
    """The generator recipe of a generated data set, verified by generating it again (None if unsure)."""
    kind = ds.source.split(":", 1)[1]
    m = re.search(r"\(n=(\d+)(.*), seed (\d+)\)$", ds.name)
    if kind not in edata.GENERATORS or m is None:
        return None
    spec = {"generator": kind, "n": int(m.group(1)), "seed": int(m.group(3))}
    for part in filter(None, (s.strip() for s in m.group(2).split(","))):
        key, _, value = part.partition("=")
        try:
            spec[key] = int(value) if key == "k" else float(value)
        except ValueError:
            return None
    try:
        again = edata.generate(kind, n=spec["n"], seed=spec["seed"],
                               **{k: v for k, v in spec.items() if k not in ("generator", "n", "seed")})
    except ValueError:
        return None
    return spec if again.X.shape == ds.X.shape and np.array_equal(again.X, ds.X) else None


def _data_spec(ds, folder: Path | None) -> dict:
    if ds is None or ds.n == 0:
        raise SessionError("There is nothing to save yet: add points or open data first.")
    src = ds.source or ""
    if src.startswith("example:") and src.split(":", 1)[1] in edata.EXAMPLES:
        return {"example": src.split(":", 1)[1]}
    if src == "mnist":
        return {"mnist": int(ds.n)}
    if src.startswith("generator:"):
        spec = _generator_spec(ds)
        if spec is not None:
            return spec
    elif src and Path(src).is_file():
        path = Path(src).resolve()
        if folder is not None:
            try:
                return {"path": path.relative_to(Path(folder).resolve()).as_posix()}
            except ValueError:
                pass
        return {"path": str(path)}
    # made or edited by hand (or a recipe that could not be verified): the points themselves
    groups = None
    if ds.labels is not None:
        groups = [int(g) for g in np.asarray(ds.labels)]
    return {"points": ds.X.tolist(), "groups": groups,
            "names": list(ds.point_names) if ds.point_names is not None else None}


def capture(window, folder=None, name: str | None = None, description: str | None = None) -> Session:
    """The window's state as a :class:`Session`.

    Parameters
    ----------
    folder : str or Path, optional
        Where the session will be saved: data files below it are written as relative paths.
    name, description : str, optional
        Default: the open session's, else the data's name and a sentence of what runs on them.

    Raises
    ------
    SessionError
        Nothing to save, or the parameters are not valid (the message says which).
    """
    plugin = window.plugin
    if plugin is None:
        raise SessionError("There is no algorithm to save.")
    ds = window.dataset
    data = _data_spec(ds, Path(folder) if folder is not None else None)
    alg = plugin.algorithm.name
    try:
        params = dict(plugin.parameters())
        extra = plugin.save_state()
    except ParamError as exc:
        raise SessionError(f"The settings cannot be saved: {exc}") from None
    for key, param in plugin.algorithm.session.replaces.items():
        if key in extra:
            params.pop(param, None)
    player = window.player
    step = "last" if player.at_end or player.index < 0 else int(player.index)
    controller = getattr(window, "session_controller", None)
    if name is None:
        name = controller.name if controller is not None and controller.name else (ds.name or "session")
    if description is None:
        description = controller.description if controller is not None and controller.description else \
            f"{plugin.algorithm.title} on {ds.name or 'points made by hand'}"
    side = getattr(window, "side_by_side", None)  # View > Side by side: the right pane's run
    d = es.session_to_dict(Session(name=name, description=description, data=data,
                                   standardize=bool(window.standardized),
                                   algorithm=alg, params=params, extra=extra, step=step,
                                   quiz=bool(getattr(getattr(window, "quiz", None), "on", False)),
                                   compare=side.session_entry() if side is not None else None))
    # the round trip through the validator gives exactly what a file would hold
    session = es.session_from_dict(d, folder=folder)
    try:  # a file that would not open again is not written: the settings must fit the data, as opening checks
        es.make_steps(session, ds)
    except SessionError as exc:
        why = str(exc).split(": ", 2)[-1]
        raise SessionError(f"The settings cannot be saved: they do not fit the data ({why}). Change them "
                           "(the Algorithm panel says what) and save again.") from None
    return session


# ============================================================================ apply
def _done(value) -> Future:
    future = Future()
    future.set_result(value)
    return future


def apply(window, session: Session, dataset=None, steps=None, work=None, projection=None) -> None:
    """Show ``session`` in ``window``: its data, algorithm, settings, and a new run going to its step.

    Everything goes through the window's and the plugins' own controls (as if a person set them),
    with one run started at the end rather than one per change (``window.one_restart()``); the
    plugin's declared session state (:class:`gui.algorithms.base.State`) restores the
    algorithm's own entries.

    ``dataset``: the session's data set when it is built already (:func:`engine.session.make_dataset`);
    ``steps``: ``(computed, rest)`` when the run was started already: the steps computed (from the first)
    and the generator that goes on from there (:func:`engine.session.make_steps`);
    ``work``: what :func:`engine.session.work` computed for the session's entries, as a dict or a
    :class:`concurrent.futures.Future` of one (``render`` computes all three headless while its window
    starts; the plugin waits for the future off the GUI thread); ``projection``: ``(Y, info)`` of
    :func:`engine.data.pca_2d` for ``dataset`` when computed already.

    Raises
    ------
    SessionError
        The data cannot be made, the settings do not fit them, or this window
        has no plugin for the algorithm. Nothing in the window has changed then.
    """
    if dataset is None:
        dataset = es.make_dataset(session)
    es.make_steps(session, dataset)  # every argument checked against the data
    index = _plugin_index(window, session.algorithm)
    if index is None:
        raise SessionError(f"{session.label}: this window has no {session.algorithm!r} algorithm installed.")
    plugin = window.plugins[index]
    X, _ = es.run_input(session, dataset)
    unknown = sorted(set(session.extra) - {s.key for s in plugin.session_state})
    if unknown:
        raise SessionError(f"{session.label}: the window's {session.algorithm} plugin cannot show "
                           f"{', '.join(unknown)}; it keeps {', '.join(s.key for s in plugin.session_state) or 'none'}.")
    try:
        plugin.check_state(session.extra, dataset, X)
    except ParamError as exc:
        raise SessionError(f"{session.label}: algorithm {session.algorithm}: {exc}") from None
    if (side := getattr(window, "side_by_side", None)) is not None:  # View > Side by side: a second run
        side.check_session(session, dataset)
    controller = getattr(window, "session_controller", None)
    if controller is not None:
        controller.applying = True
    plugin.session_work = work if isinstance(work, Future) else _done(dict(work or {}))
    before = _snapshot(window)
    try:
        with window.one_restart():
            if steps is not None:
                window.preload_steps(*steps)
            window.set_standardized(session.standardize)
            window.set_algorithm(index)
            plugin.panel()  # the plugin's controls exist from here on
            window.set_dataset(dataset, f"Open session {session.name or session.label}", projection)
            plugin.form.set_values(session.params)
            plugin.restore_state(dict(session.extra))
    except Exception:
        _restore(window, before)  # the data are back already (set_dataset); the settings too
        raise
    finally:
        if controller is not None:
            controller.applying = False
    goto_step(window.player, session.step)
    plugin.restore_state(dict(session.extra), after_run=True)
    if getattr(window, "quiz", None) is not None:
        window.quiz.set_on(session.quiz)
    if side is not None:
        side.apply_session(session.compare)
    if controller is not None:
        controller.set_session(session)


def _snapshot(window) -> tuple:
    plugin = window.plugin
    values = None
    if plugin is not None:
        try:
            values = plugin.form.values()
        except Exception:  # a form that cannot say its values now: nothing to put back
            values = None
    return window.standardized, _plugin_index(window, plugin.algorithm.name) if plugin else None, values


def _restore(window, snapshot) -> None:
    """Put back the standardization, the algorithm and its settings of :func:`_snapshot` (best effort)."""
    standardized, index, values = snapshot
    try:
        with window.one_restart():
            window.set_standardized(standardized)
            if index is not None:
                window.set_algorithm(index)
                if values is not None:
                    window.plugin.form.set_values(values)
    except Exception:  # noqa: BLE001 - the caller reports the first failure; this one must not hide it
        pass


# ============================================================================ steps
def goto_step(player, step) -> None:
    """Show step ``step`` (an index or ``"last"``) of the player's run, computing it off the GUI thread.

    A step beyond :data:`engine.session.MAX_STEP` is taken as that step (the run's last step when it
    ends before): step numbers travel in Qt signals as 32-bit ints.
    """
    if step == "last":
        player.to_end()
    else:
        player.seek_ahead(min(max(int(step), 0), es.MAX_STEP))


# ============================================================================ the window's hooks
def _find_menu(parent, title: str) -> QMenu | None:
    """The menu called ``title`` (ignoring ``&``) among ``parent``'s descendants."""
    for m in parent.findChildren(QMenu):
        if m.title().replace("&", "") == title:
            return m
    return None


def _ask_on_close() -> bool:
    if ASK_ON_CLOSE is not None:
        return bool(ASK_ON_CLOSE)
    return QGuiApplication.platformName() not in ("offscreen", "minimal")


class SessionController(QObject):
    """The open session of a window: its file, name, the unsaved-changes mark, the menu actions."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.path: Path | None = None
        self.name = ""
        self.description = ""
        self.modified = False
        self.applying = False
        self._startup_load = bool(getattr(window.loader, "busy", False))
        self.actions: dict[str, QAction] = {}

    # -------------------------------------------------------------- state
    def set_session(self, session: Session | None, path=...):
        """Remember the session just opened or saved; the window shows it unmodified.

        ``path``: where Save writes (None: ask first); default: the file the session came from,
        unless it is a shipped exercise session (those are never overwritten).
        """
        if session is not None:
            self.name, self.description = session.name, session.description
        if path is ...:
            path = session.source if session is not None and session.source else None
            if path is not None and self._is_shipped(path):
                path = None
        self.path = Path(path) if path is not None else None
        self.set_modified(False)

    def set_modified(self, modified: bool = True):
        self.modified = bool(modified)
        self.update_title()

    def _on_change(self, *_):
        if not self.applying:
            self.set_modified(True)

    def _on_loaded(self, *_):
        if self._startup_load:  # the data asked for on the command line are not a change
            self._startup_load = False
            self.set_modified(False)

    def update_title(self, *_):
        w = self.window
        if not shiboken6.isValid(w) or getattr(w, "_closed", False):
            return  # signals sent while the window is being destroyed
        ds = w.dataset
        if self.name:
            what = self.name
        elif ds is not None and getattr(ds, "n", 0) > 0:
            what = ds.name or "points made by hand"
        else:
            what = "empty canvas"
        w.setWindowTitle(f"Clusterlab - {what}[*]")
        w.setWindowModified(self.modified)

    # -------------------------------------------------------------- actions
    def open_path(self, path) -> bool:
        """Open a session file; a bad one gives a message box and leaves the window as it was."""
        w = self.window
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            session = es.load_session(path)
            apply(w, session)
        except SessionError as exc:
            problem = str(exc)
        except Exception as exc:  # a view failed on the session: apply put the previous state back
            problem = f"{Path(path).name}: the session could not be shown: {type(exc).__name__}: {exc}"
            self.set_modified(True)  # what is shown may differ from the file: Save asks, never overwrites silently
        else:
            problem = None
        finally:
            QApplication.restoreOverrideCursor()
        if problem is not None:
            QMessageBox.critical(w, "Cannot open the session", problem)
            return False
        self.set_session(session)
        w.status(f"Opened session {session.name or Path(path).name}"
                 + (f": {session.description}" if session.description else ""))
        return True

    @staticmethod
    def _is_shipped(path) -> bool:
        try:
            Path(path).resolve().relative_to(es.sessions_dir().resolve())
            return True
        except ValueError:
            return False

    def open_dialog(self):
        path = ask_open_path(self.window, "Open session", SESSION_FILTER)
        if path:
            self.open_path(path)

    def save_to(self, path) -> bool:
        """Save the window's state as a session at ``path``; a problem gives a message box."""
        w = self.window
        path = Path(path)
        if not path.suffix:
            path = path.with_suffix(".json")
        try:
            name = self.name or path.stem
            session = capture(w, folder=path.resolve().parent, name=name)
            es.save_session(session, path)
        except (SessionError, OSError) as exc:
            QMessageBox.critical(w, "Cannot save the session", str(exc))
            return False
        self.set_session(session, path)
        seedless = "seed" in session.params and session.params["seed"] is None
        w.status(f"Saved session {path.name}" + (" - the seed is empty, so each run will differ; set a seed "
                                                 "to reproduce it exactly." if seedless else ""))
        return True

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self.save_to(self.path)

    def save_as(self) -> bool:
        stem = re.sub(r"[^\w.-]+", "-", self.name or "session").strip("-") or "session"
        path = ask_save_path(self.window, "Save session", f"{stem}.json", SESSION_FILTER, ".json")
        return path is not None and self.save_to(path)

    def eventFilter(self, obj, event):
        if obj is self.window and event.type() == QEvent.Type.Close and self.modified and _ask_on_close() \
                and not getattr(self.window, "_closed", False):
            answer = QMessageBox.question(
                self.window, "Unsaved changes",
                f"Save the changes to the session “{self.name or 'untitled'}” before closing?",
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
            if answer == QMessageBox.StandardButton.Cancel or (
                    answer == QMessageBox.StandardButton.Save and not self.save()):
                event.ignore()
                return True
        return False


def install_session_menu(window) -> SessionController:
    """Add the session actions, the Exercise sessions menu, the title mark and the close prompt to ``window``.

    Call once, at the end of ``MainWindow.__init__``. Returns the controller
    (also ``window.session_controller``).
    """
    c = SessionController(window)
    window.session_controller = c
    K = QKeySequence
    bar = window.menuBar()
    file_menu = _find_menu(bar, "File")
    examples = _find_menu(file_menu, "Examples") if file_menu is not None else None

    def act(name, text, slot, shortcut=None, tip=""):
        a = QAction(text, window)
        a.setObjectName(f"action_{name}")
        if shortcut is not None:
            a.setShortcut(shortcut)
        if tip:
            a.setStatusTip(tip)
            a.setToolTip(tip)
        a.triggered.connect(lambda _checked=False: slot())
        c.actions[name] = a
        menus = getattr(window, "menus", None)
        if menus is not None and hasattr(menus, "actions"):
            menus.actions[name] = a
        return a

    new = [act("open_session", "Open &session…", c.open_dialog, K("Ctrl+Shift+O"),
               "Open a session file: data, algorithm, settings and step"),
           act("save_session", "&Save session", c.save, K(K.StandardKey.Save),
               "Save the data, algorithm, settings and current step as a session file"),
           act("save_session_as", "Save session &as…", c.save_as, K(K.StandardKey.SaveAs),
               "Save the session under a new name")]
    if file_menu is not None:
        before = examples.menuAction() if examples is not None else None
        for a in new:
            file_menu.insertAction(before, a) if before is not None else file_menu.addAction(a)
    if examples is not None:
        examples.addSeparator()
        sub = examples.addMenu("Exercise &sessions")
        sub.setObjectName("menu_exercise_sessions")
        sub.setToolTipsVisible(True)
        last_ex = None
        for name, (path, description) in es.shipped_sessions().items():
            ex = name.split("-", 1)[0]
            if last_ex is not None and ex != last_ex:
                sub.addSeparator()
            last_ex = ex
            a = act(f"session_{name}", f"{name} - {description}", lambda p=path: c.open_path(p), tip=description)
            a.setData(str(path))
            sub.addAction(a)
        c.exercise_menu = sub

    _watch_changes(window, c)
    window.installEventFilter(c)
    c.update_title()
    return c


def _watch_changes(window, c: SessionController) -> None:
    """The unsaved-changes mark: connected after the window's own handlers, so these run last."""
    window.model.sigDataChanged.connect(c._on_change)
    window.model.undo_stack.cleanChanged.connect(c.update_title)
    window.algorithm_panel.sigAlgorithmChosen.connect(c._on_change)
    if hasattr(window, "sigAlgorithmChanged"):  # also a change made by a plugin or through the window's API
        window.sigAlgorithmChanged.connect(c._on_change)
    window.data_panel.sigStandardizeChanged.connect(c._on_change)
    window.plugins.each(lambda _i, plugin: plugin.sigRestart.connect(c._on_change))  # also those made later
    window.loader.sigLoaded.connect(c._on_loaded)
    window.loader.sigFailed.connect(c._on_loaded)

