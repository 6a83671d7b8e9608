"""Drawing a session in an offscreen window for ``clusterlab render`` (:mod:`gui.shell.render`).

:func:`render` applies the session to a real :class:`~gui.shell.main_window.MainWindow` (exactly as
File > Open session does), goes to the wanted steps and writes every view the session uses: the
scatter and each tab of the algorithm's plugin (a file per view and step), ``run.gif`` and
``result.json``. Nothing here names an algorithm: the plugin's tabs are the views, and what the
plugin computed beside the run (a sweep over K) reaches ``result.json`` through
:meth:`~gui.algorithms.base.AlgorithmPlugin.session_results`.

Nothing is polled. :func:`wait_for_step` waits on the player's signals; :func:`wait_for_background`
processes pending events once (work that starts when a view or a step is shown is posted then) and
runs the event loop until the task registry (:mod:`gui.run.tasks`, which counts the player too)
says the window has nothing running, repeating while finished work starts more.
"""
from __future__ import annotations

import json
import math
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QGraphicsItem

from engine.core.atomic import write_text_atomic
from engine.core.steps import step_number
from engine.session import SessionError, summarize
from gui.run.tasks import registry
from gui.shell.app import dispose, make_app
from gui.shell.session_io import apply, goto_step
from gui.shell.settings import Settings
from gui.shell.stop_signals import check as check_stop
from gui.shell.stop_signals import raising
from gui.views.scores import result_scores
from gui.widgets import export

__all__ = ["render", "wait_for_step", "wait_for_background", "view_slug", "SVG_POINT_LIMIT"]

#: Above this many points the scatter gets no SVG (one vector element per point: slow and huge; use the PNG).
SVG_POINT_LIMIT = 3000


def view_slug(title: str) -> str:
    """A file name stem for a view's tab title: ``"Restarts && K"`` -> ``"restarts-k"``."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.replace("&&", "&").replace("&", " ").lower()).strip("-")
    return slug or "view"


def _err(text: str) -> None:
    print(f"clusterlab render: {text}", file=sys.stderr)


def _make_window(algorithm: str):
    make_app() if QApplication.instance() is None else None
    from gui.shell.main_window import MainWindow
    folder = tempfile.mkdtemp(prefix="clusterlab-render-")
    try:
        store = QSettings(str(Path(folder) / "clusterlab.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings=Settings(store), startup="", only=(algorithm,))  # the session's plugin alone
    except BaseException:  # a stop signal (or a failure) while the window is built: no folder left behind
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return window, folder


def _export_size(view) -> tuple[int, int]:
    """The pixel size :func:`gui.widgets.export.render_image` gives ``view`` at scale 1, without drawing it:
    a plot's exporter sizes (its width, and the height pyqtgraph derives from it), else the widget's size."""
    target = export.plot_target(view)
    if isinstance(target, QGraphicsItem) and target.scene() is not None:
        import pyqtgraph.exporters
        exporter = pyqtgraph.exporters.ImageExporter(target)
        if int(exporter.getTargetRect().width()) >= 1:
            return export.exported_size(exporter)
    elif target is not None and not isinstance(target, QGraphicsItem):
        return target.width(), target.height()
    image = export.render_image(view, 1)
    return image.width(), image.height()


def _fit(window, view, size, measure=None) -> tuple[int, int]:
    """Resize the window until ``view`` exports at ``size``; returns the size it exports at.

    A plot whose contents need more room than asked for exports larger; the caller notes it.
    """
    def resize_by(dw, dh):
        window.resize(max(50, window.width() + dw), max(50, window.height() + dh))
        QApplication.processEvents()

    for _ in range(6):  # the widget itself
        QApplication.processEvents()
        w, h = view.width(), view.height()
        if (w, h) == tuple(size):
            break
        resize_by(size[0] - w, size[1] - h)
    measure = measure or (lambda: _export_size(view))
    got = measure()
    rate = [1.0, 1.0]  # figure pixels per window pixel, each way: a splitter shares what the window grows
    for _ in range(10):  # what is exported may be the plot inside the view (without its labels and buttons)
        if tuple(got) == tuple(size):
            break
        before = window.size()
        resize_by(*(_step(size[k] - got[k], rate[k]) for k in (0, 1)))
        now = measure()
        if now == got:  # the plot has reached its minimum size: no progress
            window.resize(before)
            QApplication.processEvents()
            break
        moved = (window.width() - before.width(), window.height() - before.height())
        rate = [min(1.0, max(0.05, (now[k] - got[k]) / moved[k])) if moved[k] and now[k] != got[k] else rate[k]
                for k in (0, 1)]
        got = now
    return measure()


def _step(gap: int, rate: float) -> int:
    """Window pixels that grow a figure by ``gap`` pixels when it grows ``rate`` times as much as the window
    (at least one pixel toward it)."""
    return 0 if gap == 0 else int(math.copysign(max(1, round(abs(gap) / rate)), gap))


def _wait_on(condition, signals, timeout: float) -> bool:
    """Run the event loop until ``condition()`` holds, checking it only when one of ``signals`` fires.

    No polling: a :class:`QEventLoop` quits from a slot connected to the signals (one single-shot
    timer is the deadline). Returns ``condition()``.
    """
    if condition():
        return True
    loop = QEventLoop()

    def check(*_):
        if condition():
            loop.quit()

    for signal in signals:
        signal.connect(check)
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    deadline.start(max(1, int(timeout * 1000)))
    try:
        if not condition():  # nothing is delivered between the first check and exec(): signals are queued
            loop.exec()
        check_stop()  # a stop signal makes every event loop return
    finally:
        deadline.stop()
        for signal in signals:
            try:
                signal.disconnect(check)
            except (RuntimeError, TypeError):  # pragma: no cover - the sender is gone
                pass
    return condition()


def wait_for_step(player, step, timeout: float = 600.0) -> str:
    """Wait until :func:`gui.shell.session_io.goto_step` ``(player, step)`` has arrived; returns "" or an error.

    Checked whenever the player says something changed (its busy state, the history, the step shown,
    an error); never by polling.
    """
    errors: list[str] = []

    def arrived() -> bool:
        if errors:
            return True
        if player.busy:
            return False
        if not player.history:
            return player.exhausted
        if step == "last":
            return player.exhausted and player.index == len(player.history) - 1
        want = min(int(step), len(player.history) - 1)
        return player.index == want and (want == int(step) or player.exhausted)

    player.sigError.connect(errors.append)
    try:
        start = time.monotonic()
        ok = _wait_on(arrived, [player.sigBusy, player.sigHistoryChanged, player.sigStepChanged, player.sigError],
                      timeout)
    finally:
        player.sigError.disconnect(errors.append)
    if errors:
        return errors[0]
    if not ok:
        return f"the run did not reach step {step} within {time.monotonic() - start:.0f} s"
    return ""


def wait_for_background(window, timeout: float = 600.0) -> None:
    """Let the window's background work finish: the figures show its results (see the module docstring)."""
    deadline = time.monotonic() + timeout
    tasks = registry()
    QApplication.processEvents()
    check_stop()
    while tasks.count(window) > 0:
        left_ms = int((deadline - time.monotonic()) * 1000)
        idle = left_ms > 0 and tasks.wait_idle(window, timeout_ms=left_ms)
        check_stop()  # a stop signal makes every event loop return
        if not idle:
            _err(f"note: background work still running after {timeout:.0f} s; drawn as it is.")
            return
        QApplication.processEvents()  # what the finished work sent (it may start more)
        check_stop()


def _preload_scores(window, scores) -> None:
    """Give the shared views that take them the silhouettes computed ahead (a future of
    :meth:`gui.views.scores.ScoresView.preload`'s arguments, or None), before they are asked for their content."""
    if scores is None:
        return
    with raising():
        known = scores.result()
    if known is None:
        return
    for view in window.common_views:
        preload = getattr(view, "preload", None)
        if callable(preload):
            preload(**known)


def _prepare(window) -> None:
    for dock in (window.data_dock, window.algorithm_dock):
        dock.hide()
    window.timeline.hide()
    window.statusBar().hide()
    window.menuBar().hide()
    window.splitter.widget(0).setMinimumWidth(0)  # a figure may be smaller than the window keeps the scatter
    window.setMinimumSize(1, 1)
    window.show()


def _views(window) -> list[tuple[str, object, int, object]]:
    """(file stem, widget, tab index or -1 for the scatter, what its figure draws) of every view that shows
    something for this session (:meth:`~gui.algorithms.base.AlgorithmPlugin.has_content`); the figure is
    the view's plot (:meth:`~gui.algorithms.base.AlgorithmPlugin.figure`), never its buttons."""
    out = [("scatter", window.scatter, -1, window.scatter)]
    seen = {"scatter"}
    plugin = window.plugin
    for i in range(window.tabs.count()):
        slug = view_slug(window.tabs.tabText(i))
        while slug in seen:
            slug += "-2"
        seen.add(slug)
        view = window.tabs.widget(i)
        if view in window.common_views:  # a view that is no figure (the Working tables) does not compute
            if view.figure() is not None and view.has_content():
                out.append((slug, view, i, view.figure()))
        elif plugin is None or plugin.has_content(view):
            out.append((slug, view, i, view if plugin is None else plugin.figure(view)))
    return out


def _show_only(window, tab: int) -> None:
    scatter_box = window.splitter.widget(0)
    if tab < 0:
        window.tabs.hide()
        scatter_box.show()
    else:
        scatter_box.hide()
        window.tabs.show()
        window.tabs.setCurrentIndex(tab)


def _step_indices(steps, final: int, last: int) -> list[int]:
    """The step indices to draw for ``steps`` (numbers and "last" = ``final``), beyond the run drawn as its last."""
    indices = []
    for s in steps:
        i = final if s == "last" else int(s)
        if i > last:
            _err(f"note: the run has only {last + 1} steps; step {step_number(i)} is drawn as the last one "
                 f"({step_number(last)}).")
            i = last
        if i not in indices:
            indices.append(i)
    return indices


def _write_views(window, out: Path, indices, suffix: bool, size, scale, svg: bool, only=None,
                 record: dict | None = None) -> list[Path]:
    """Every view (the one called ``only``) at every step of ``indices``: ``VIEW.png``/``.svg``
    (``VIEW-stepNNN.*`` with ``suffix``); ``record`` gets (view, index) -> the PNG's path."""
    player = window.player
    n_points = window.dataset.n if window.dataset is not None else 0
    if svg and n_points > SVG_POINT_LIMIT:
        _err(f"note: no SVG of the scatter for {n_points:,} points (more than {SVG_POINT_LIMIT:,}); "
             "the PNG has them all.")
    written: list[Path] = []
    for name, view, tab, figure in _views(window):
        if only is not None and name != only:
            continue
        _show_only(window, tab)
        wait_for_background(window)  # a tab may start its computation when it is shown
        got = _fit(window, view, size, measure=lambda f=figure: _export_size(f))
        if tuple(got) != tuple(size):
            why = "needs at least" if got[0] >= size[0] and got[1] >= size[1] else "could only be drawn at"
            _err(f"note: the {name} view {why} {got[0]}x{got[1]} pixels (asked: {size[0]}x{size[1]}); "
                 "it is drawn at that size.")
        for i in indices:
            check_stop()
            player.seek(i)
            wait_for_background(window)  # ... or when a step is shown
            if window.lecture.styled:
                window.lecture.restyle()  # the views drew the step at their normal size
            stem = f"{name}-step{step_number(i):03d}" if suffix else name  # numbered as on the timeline
            written.append(export.export_png(figure, out / f"{stem}.png", scale=scale))
            if record is not None:
                record[(name, i)] = written[-1]
            if svg and not (tab < 0 and n_points > SVG_POINT_LIMIT):
                written.append(export.export_svg(figure, out / f"{stem}.svg"))
    return written


def render(session, ahead, out: Path, wanted, size, scale, gif: bool, fps: float, svg: bool, stop=None,
           working: bool = False, lecture: bool = False) -> int:
    """Draw ``session`` into the folder ``out``; returns the exit code.

    ``stop``: the :class:`gui.shell.stop_signals.StopSignals` in force (SIGINT and SIGTERM then raise
    :class:`~gui.shell.stop_signals.Interrupted` out of this function, after the window and its
    temporary folder are gone).
    ``ahead()``: what was computed headless for it, as keyword arguments of
    :func:`gui.shell.session_io.apply` (its data set, run, entries' work; called once the window is
    built); ``wanted``: the steps to draw (None: the session's step); ``size``: each view's pixel size;
    ``working``: also the worked solution of steps 1 to the last drawn (:func:`_write_working`);
    ``lecture``: every figure in lecture style (:meth:`gui.shell.lecture.Lecture.set_style`).
    """
    window, settings_folder = _make_window(session.algorithm)
    try:
        if stop is not None:
            stop.attach_qt()
        check_stop()
        try:
            with raising():
                computed = dict(ahead())  # waits for the thread computing the run
            scores = computed.pop("scores", None)
            apply(window, session, **computed)
        except SessionError as exc:
            _err(str(exc))
            return 2
        player = window.player
        steps = wanted if wanted is not None else [session.step]
        target = "last" if "last" in steps else max(steps)
        goto_step(player, target)
        error = wait_for_step(player, target)
        if error:
            _err(f"{session.label}: the run failed: {error}")
            return 1
        if not player.history:
            _err(f"{session.label}: the run produced no steps.")
            return 1
        wait_for_background(window)
        _preload_scores(window, scores)
        last = len(player.history) - 1
        final = last if target == "last" else min(int(target), last)
        _prepare(window)
        window.lecture.set_style(lecture)
        indices = _step_indices(steps, final, last)
        drawn: dict = {}
        written = _write_views(window, out, indices, suffix=wanted is not None, size=size, scale=scale, svg=svg,
                               record=drawn)
        if working:
            written += _write_working(window, session, out, final, (size, scale, svg), drawn)
        if gif:
            written.append(_write_gif(window, out / "run.gif", final, size, scale, fps))
        player.seek(final)
        result = summarize(session, player.history[:final + 1], window.dataset, extras=window.plugin.session_results())
        result["scores"] = result_scores(window)  # the shown step's silhouette, ARI / NMI / purity (gui.views.scores)
        result["files"] = [p.name for p in written]
        write_text_atomic(out / "result.json", json.dumps(result, indent=1, allow_nan=False) + "\n")
        print(f"wrote {len(written) + 1} files to {out}")
        return 0
    except (OSError, ValueError, RuntimeError) as exc:
        _err(f"{session.label}: {exc}")
        return 1
    finally:
        dispose(window)  # now, not at the interpreter's exit (a crash there: exit 139 after every file was written)
        shutil.rmtree(settings_folder, ignore_errors=True)


def _write_working(window, session, out: Path, final: int, look, drawn: dict) -> list[Path]:
    """The worked solution of steps 0..``final`` (:mod:`engine.session.solution`): the scatter of the first
    steps and the last (``scatter-stepNNN.png``), then ``working.json``, ``solution.md`` and ``solution.tex``.
    ``drawn``: (view, index) -> PNG of the figures written so far; the plugin's other views at ``final``
    (the dendrogram, the objective curve; not the views every algorithm shares) are the document's figures
    of the whole run."""
    from engine.session import solution

    size, scale, svg = look
    picks = solution.figure_indices(final)
    if len(picks) < final + 1:
        _err(f"note: the solution draws the scatter of steps 1 to {solution.FIGURE_STEPS} and of the last step "
             f"({step_number(final)}); the working of every step is written.")
    figures = {i: f"scatter-step{step_number(i):03d}.png" for i in picks}
    have = {path.name for path in drawn.values()}  # --steps drew some already
    written = _write_views(window, out, [i for i in picks if figures[i] not in have], suffix=True, size=size,
                           scale=scale, svg=svg, only="scatter", record=drawn)
    shared = {name for name, view, _, _ in _views(window) if view in window.common_views}  # the Working view ...
    finals = [(view.replace("-", " "), path.name) for (view, i), path in drawn.items()
              if i == final and view != "scatter" and view not in shared]
    window.player.seek(final)
    doc = solution.build(session, window.player.history[:final + 1], window.dataset, figures=figures,
                         finals=finals)
    return written + solution.write(out, doc)


def _write_gif(window, path: Path, final: int, size, scale, fps) -> Path:
    """One frame per step 0..final: the scatter beside the plugin's first tab (or the scatter alone)."""
    window.splitter.widget(0).show()
    if window.tabs.count():
        window.tabs.show()
        window.tabs.setCurrentIndex(0)
        window.splitter.setSizes([size[0], size[0]])
        area = window.splitter
        goal = (2 * size[0], size[1])
    else:
        window.tabs.hide()
        area = window.splitter
        goal = tuple(size)
    _fit(window, area, goal, measure=lambda: (area.width(), area.height()))
    window.splitter.setSizes([goal[0] // 2, goal[0] - goal[0] // 2] if window.tabs.count() else [goal[0]])
    QApplication.processEvents()
    def frames():  # drawn one by one as the GIF is written: memory stays flat for any number of steps
        for i in range(final + 1):
            check_stop()
            window.player.seek(i)
            wait_for_background(window)
            yield export.render_image(area, scale)
    return export.save_gif(frames(), path, fps=fps)
