"""``clusterlab render``: a session's figures and results from the command line, without a display.

::

    clusterlab render SESSION.json --out DIR [--steps 0,5,last] [--gif] [--size 800x600] [--scale 2]
    clusterlab render example:ex3-kmeans --out DIR
    clusterlab render --list-examples

The real window is built offscreen (``QT_QPA_PLATFORM=offscreen`` when there
is no display), the session is applied to it exactly as File > Open session
does, the run goes to the wanted steps, and every view the session uses is
written with :mod:`gui.widgets.export`: the scatter and each tab of the algorithm's
plugin, as ``VIEW.png`` and ``VIEW.svg`` (``VIEW-stepNNN.*`` with
``--steps``). ``--gif`` adds ``run.gif``, one frame per step (the scatter
beside the plugin's first tab). ``result.json`` holds the run's outcome,
taken from the engine's steps (:func:`engine.session.summarize`), never from
widgets.

Nothing is polled: render waits for the run's step on the player's signals and
for background work (a tab computing when shown, a K-means sweep) on the task
registry's count (:mod:`gui.run.tasks`) and the tasks' ``sigBusy``, in a
:class:`~PySide6.QtCore.QEventLoop` that quits from a slot. While Qt starts,
a thread builds and checks the session's data and computes the K-means sweep a
session asks for; the plugin's own call of ``engine.kmeans.sweep`` is answered
with that result (same data, K values, restarts, seed and options), so the
sweep is computed once. Every file is written to a temporary name beside it,
flushed to disk and renamed.

Exit codes: 0 success; 2 a bad session or bad arguments (message on stderr; a
step above 10,000,000 too); 1 the run failed or a file could not be written.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import tempfile
from pathlib import Path

#: Environment variables of the BLAS thread pools numpy may use.
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _share_blas_threads() -> None:
    """Give each BLAS call a share of the cores, when numpy is not loaded yet (a ``clusterlab render`` process).

    render runs up to three numpy computations at once, each on a thread of its own (the sweep
    computed ahead, the player's run, the window's PCA) beside the window's own thread; a BLAS pool
    of every core per call would oversubscribe the cores (OpenBLAS threads spin while they wait,
    which on a busy 2-core machine made render twice as slow). Variables already set are kept.
    """
    if "numpy" in sys.modules:
        return
    share = str(max(1, (os.cpu_count() or 1) // 3))
    for name in BLAS_THREAD_VARIABLES:
        os.environ.setdefault(name, share)


_share_blas_threads()

import numpy as np  # noqa: E402  (after the BLAS thread counts are set)

__all__ = ["main", "parse_size", "parse_steps", "view_slug"]

DEFAULT_SIZE = (800, 600)
MAX_SIDE = 4000
#: Above this many points the scatter gets no SVG (one vector element per point: slow and huge; use the PNG).
SVG_POINT_LIMIT = 3000
#: The largest step number ``--steps`` accepts (a run this long would not finish anyway).
MAX_STEP = 10**7


class UsageError(ValueError):
    """Bad command-line arguments."""


def parse_size(text: str) -> tuple[int, int]:
    """``"800x600"`` -> (800, 600); sides from 100 to 4000 pixels."""
    m = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", text or "")
    if m is None:
        raise UsageError(f"--size {text!r} should look like 800x600 (width x height in pixels).")
    w, h = int(m.group(1)), int(m.group(2))
    if not (100 <= w <= MAX_SIDE and 100 <= h <= MAX_SIDE):
        raise UsageError(f"--size {w}x{h}: each side should be from 100 to {MAX_SIDE} pixels.")
    return w, h


def parse_steps(text: str) -> list:
    """``"0,5,last"`` -> [0, 5, "last"] (duplicates dropped, order kept)."""
    out = []
    for part in (text or "").split(","):
        part = part.strip().lower()
        if not part:
            continue
        if part in ("last", "end"):
            value = "last"
        elif part.isascii() and part.isdigit():
            if len(part.lstrip("0")) > len(str(MAX_STEP)) or int(part) > MAX_STEP:
                raise UsageError(f"--steps: step {part[:20]}{'...' if len(part) > 20 else ''} is too large; "
                                 f"steps go up to {MAX_STEP:,} (use 'last' for the end of the run).")
            value = int(part)
        else:
            raise UsageError(f"--steps: {part!r} is not a step; give numbers from 0 and/or 'last', e.g. 0,5,last.")
        if value not in out:
            out.append(value)
    if not out:
        raise UsageError("--steps is empty; give e.g. 0,5,last.")
    return out


def view_slug(title: str) -> str:
    """A file name stem for a view's tab title: ``"Restarts && K"`` -> ``"restarts-k"``."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.replace("&&", "&").replace("&", " ").lower()).strip("-")
    return slug or "view"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="clusterlab render", description="Render a session's figures and results "
                                "without opening a window.")
    p.add_argument("session", nargs="?", help="a session file, or example:NAME for a shipped exercise session")
    p.add_argument("--out", metavar="DIR", help="folder for the images and result.json (created if needed)")
    p.add_argument("--steps", metavar="LIST", help="steps to draw, e.g. 0,5,last (default: the session's step)")
    p.add_argument("--gif", action="store_true", help="also write run.gif, one frame per step")
    p.add_argument("--fps", type=float, default=2.0, help="frames per second of the GIF (default 2)")
    p.add_argument("--size", default=f"{DEFAULT_SIZE[0]}x{DEFAULT_SIZE[1]}", help="size of each view, WxH")
    p.add_argument("--scale", type=float, default=1.0, help="pixel scale of the PNGs, 1 to 4 (default 1)")
    p.add_argument("--no-svg", action="store_true", help="write PNG only")
    p.add_argument("--list-examples", action="store_true", help="list the shipped exercise sessions and exit")
    return p


def _err(text: str) -> None:
    print(f"clusterlab render: {text}", file=sys.stderr)


def _ensure_platform() -> None:
    if not os.environ.get("QT_QPA_PLATFORM") and not os.environ.get("DISPLAY") \
            and not os.environ.get("WAYLAND_DISPLAY") and sys.platform.startswith("linux"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def list_examples(out=None) -> int:
    from engine.session import shipped_sessions
    out = sys.stdout if out is None else out
    shipped = shipped_sessions()
    if not shipped:
        _err("no shipped sessions found.")
        return 1
    width = max(len(n) for n in shipped)
    for name, (_, description) in shipped.items():
        print(f"{name:<{width}}  {description}", file=out)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command; ``argv`` are the arguments after ``render``. Returns the exit code."""
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.list_examples:
        return list_examples()
    from engine.session import SessionError, find_session, load_session
    try:
        if not args.session:
            raise UsageError("give a session file (or example:NAME), and --out DIR.")
        if not args.out:
            raise UsageError("--out DIR is required: the folder for the images and result.json.")
        size = parse_size(args.size)
        if not 1 <= args.scale <= 4:
            raise UsageError(f"--scale {args.scale:g} should be from 1 to 4.")
        if not 0.1 <= args.fps <= 50:
            raise UsageError(f"--fps {args.fps:g} should be from 0.1 to 50.")
        wanted = parse_steps(args.steps) if args.steps else None
    except UsageError as exc:
        _err(str(exc))
        return 2
    try:
        path = _find_session(args.session, find_session)
        session = load_session(path, validate_data=False)
    except SessionError as exc:
        _err(str(exc))
        return 2
    # the data are built and checked (and a K-means sweep computed) on a thread while Qt is imported
    ahead = _Ahead(session)
    _ensure_platform()
    _import_gui()
    error = ahead.checked()
    if error is not None:
        _err(str(error))
        return 2
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _err(f"cannot create the folder {out}: {exc.strerror or exc}.")
        return 1
    with ahead.sweep_installed():
        return _render(session, out, wanted, size, args.scale, args.gif, args.fps, not args.no_svg)


def _find_session(spec: str, find_session) -> Path:
    """:func:`engine.session.find_session`, reading only the one shipped file an ``example:NAME`` names
    (that function reads every shipped session to list them; it still gives the message of an unknown name)."""
    if spec.startswith("example:"):
        name = spec.split(":", 1)[1]
        if re.fullmatch(r"[A-Za-z0-9][\w.-]*", name):
            from engine.session import sessions_dir
            path = sessions_dir() / f"{name}.json"
            if path.is_file():
                return path
    return find_session(spec)


# ------------------------------------------------------------------------------------------------ ahead of the window
def _import_gui() -> None:
    """Import what the window needs (the longest part of starting up, done while :class:`_Ahead` computes)."""
    import gui.shell.main_window  # noqa: F401
    import gui.widgets.export  # noqa: F401


class _Ahead:
    """The session's data built and checked, and its K-means sweep computed, on a thread of its own.

    Started before Qt is imported, so that work overlaps the window's start-up. The plugin still
    asks for the sweep itself (``engine.kmeans.sweep``); :meth:`sweep_installed` answers that one
    call with the result computed here when the arguments are the same (the same data, K values,
    restarts, seed and options; each finished run is handed to ``on_run`` as the sweep would), so
    the sweep is computed once. Any other call, or a difference, runs the real sweep.
    """

    def __init__(self, session):
        import threading

        from engine import kmeans as ekm
        self._sweep = ekm.sweep  # the engine's own (the thread may still run once sweep_installed has begun)
        self.session = session
        self.error: Exception | None = None
        self.key = None
        self.runs: list = []
        self.result = None
        self._checked = threading.Event()
        self._done = threading.Event()
        threading.Thread(target=self._work, name="clusterlab-render-ahead", daemon=True).start()

    def _work(self):
        from engine import session as es
        try:
            try:
                dataset = es.make_dataset(self.session)
                es.make_steps(self.session, dataset)
            except es.SessionError as exc:
                self.error = exc
                return
            finally:
                self._checked.set()
            spec = self.session.extra.get("sweep") if self.session.algorithm == "kmeans" else None
            if spec is None:
                return
            X, kwargs = es.run_input(self.session, dataset)
            if not isinstance(kwargs.get("init", "k-means++"), str):
                return  # starting centres of its own: the plugin sweeps with its default initialisation
            X = np.asarray(X)
            ks = [int(k) for k in spec["ks"] if int(k) <= dataset.n]
            options = _sweep_options(kwargs, X)
            self.key = (X, ks, int(spec["restarts"]), int(spec["seed"]), options)
            self.result = self._sweep(X, ks, int(spec["restarts"]), seed=int(spec["seed"]),
                                    on_run=lambda i, r, fit: self.runs.append((i, r, fit)), **options)
        except Exception:  # the plugin computes (and reports) it itself
            self.key, self.result = None, None
        finally:
            self._checked.set()
            self._done.set()

    def checked(self):
        """Wait until the data are built and checked; the :class:`SessionError` found, or None."""
        self._checked.wait()
        return self.error

    def _matches(self, X, ks, restarts, seed, options) -> bool:
        if self.key is None:
            return False
        kX, kks, krestarts, kseed, koptions = self.key
        try:
            X = np.asarray(X)
            return bool([int(k) for k in ks] == kks and int(restarts) == krestarts and seed is not None
                        and int(seed) == kseed and set(options) == set(koptions)
                        and all(isinstance(options[n], (str, int, float, type(None))) and options[n] == koptions[n]
                                for n in options)
                        and X.shape == kX.shape and X.dtype == kX.dtype and np.array_equal(X, kX))
        except (TypeError, ValueError):
            return False

    @contextlib.contextmanager
    def sweep_installed(self):
        """While inside: ``engine.kmeans.sweep`` answers the session's sweep with the one computed here (once)."""
        if self.session.algorithm != "kmeans" or "sweep" not in self.session.extra:
            yield
            return
        from engine import kmeans as ekm
        real, before = self._sweep, ekm.sweep
        used = []

        def sweep(X, ks, restarts, variant="means", init="k-means++", seed=0, max_iter=300, metric=None,
                  dtype=None, progress=None, cancel=None, on_run=None):
            options = {"variant": variant, "init": init, "max_iter": max_iter, "metric": metric}
            if dtype is not None:
                options["dtype"] = dtype
            if not used:
                self._done.wait()
            if used or self.result is None or not self._matches(X, ks, restarts, seed, options):
                return real(X, ks, restarts, variant=variant, init=init, seed=seed, max_iter=max_iter,
                            metric=metric, dtype=dtype, progress=progress, cancel=cancel, on_run=on_run)
            used.append(True)
            total = len(self.runs)
            for done, (i, r, fit) in enumerate(self.runs, 1):
                if on_run is not None:
                    on_run(i, r, fit)
                if progress is not None:
                    progress(done, total)
            return self.result

        ekm.sweep = sweep
        try:
            yield
        finally:
            ekm.sweep = before


def _sweep_options(kwargs: dict, X) -> dict:
    """The options the K-means plugin gives ``engine.kmeans.sweep`` for these run arguments
    (:meth:`gui.algorithms.kmeans.sweep.SweepMixin._sweep_options`: float32 on large data)."""
    options = {"variant": kwargs.get("variant", "means"), "init": kwargs.get("init", "k-means++"),
               "max_iter": kwargs.get("max_iter", 300), "metric": kwargs.get("metric")}
    if options["variant"] == "means" and np.asarray(X).size >= FLOAT32_MIN_VALUES:
        options["dtype"] = "float32"
    return options


#: :data:`gui.algorithms.kmeans.sweep.FLOAT32_MIN_VALUES` (not imported: the thread starts before the GUI is).
FLOAT32_MIN_VALUES = 1_000_000


# ------------------------------------------------------------------------------------------------ rendering
def _make_window():
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from gui.shell.app import make_app
    from gui.shell.settings import Settings

    make_app() if QApplication.instance() is None else None
    from gui.shell.main_window import MainWindow
    folder = tempfile.mkdtemp(prefix="clusterlab-render-")
    store = QSettings(str(Path(folder) / "clusterlab.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=Settings(store), startup="")
    return window, folder


def _export_size(view) -> tuple[int, int]:
    """The pixel size :func:`gui.widgets.export.render_image` gives ``view`` at scale 1, without drawing it:
    a plot's exporter sizes (its width, and the height pyqtgraph derives from it), else the widget's size."""
    from PySide6.QtWidgets import QGraphicsItem

    from gui.widgets import export
    target = getattr(export, "_plot_target", lambda v: None)(view)
    if isinstance(target, QGraphicsItem) and target.scene() is not None:
        import pyqtgraph.exporters
        exporter = pyqtgraph.exporters.ImageExporter(target)
        width = int(exporter.getTargetRect().width())
        if width >= 1:
            exporter.parameters()["width"] = width
            return width, int(exporter.parameters()["height"])
    elif target is not None and not isinstance(target, QGraphicsItem):
        return target.width(), target.height()
    image = export.render_image(view, 1)
    return image.width(), image.height()


def _fit(window, view, size, measure=None) -> tuple[int, int]:
    """Resize the window until ``view`` exports at ``size``; returns the size it exports at.

    A plot whose contents need more room than asked for exports larger; the caller notes it.
    """
    from PySide6.QtWidgets import QApplication

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
    for _ in range(6):  # what is exported may be the plot inside the view (without its labels and buttons)
        if tuple(got) == tuple(size):
            break
        before = window.size()
        resize_by(size[0] - got[0], size[1] - got[1])
        now = measure()
        if now == got:  # the plot has reached its minimum size: no progress
            window.resize(before)
            QApplication.processEvents()
            break
        got = now
    return measure()


def _task_registry():
    """The app's task registry (:func:`gui.run.tasks.registry`), or None in a build without it."""
    try:
        from gui.run.tasks import registry
    except ImportError:  # pragma: no cover - older layout: the plugins' BackgroundTask objects are asked
        return None
    return registry()


def _busy_parts(window) -> list:
    """The window's objects computing now (``busy`` is True, with a ``sigBusy``): the player and the
    plugins' background task runners."""
    classes = []
    for module, name in (("gui.run.tasks", "BackgroundTask"), ("gui.algorithms.kmeans.elbow", "BackgroundTask")):
        try:
            classes.append(getattr(__import__(module, fromlist=[name]), name))
        except (ImportError, AttributeError):
            pass
    parts = [window.player]
    for cls in dict.fromkeys(classes):
        parts += window.findChildren(cls)
    return [o for o in parts if getattr(o, "busy", False) is True and hasattr(o, "sigBusy")]


def _wait_on(condition, signals, timeout: float) -> bool:
    """Run the event loop until ``condition()`` holds, checking it only when one of ``signals`` fires.

    No polling: a :class:`QEventLoop` quits from a slot connected to the signals (one single-shot
    timer is the deadline). Returns ``condition()``.
    """
    from PySide6.QtCore import QEventLoop, QTimer
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
    finally:
        deadline.stop()
        for signal in signals:
            try:
                signal.disconnect(check)
            except (RuntimeError, TypeError):  # pragma: no cover - the sender is gone
                pass
    return condition()


def _wait_for_step(player, step, timeout: float = 600.0) -> str:
    """Wait until :func:`gui.shell.session_io.goto_step` ``(player, step)`` has arrived; returns "" or an error.

    Checked whenever the player says something changed (its busy state, the history, the step shown,
    an error); never by polling.
    """
    import time
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


def _wait_for_background(window, timeout: float = 600.0) -> None:
    """Let the window's background work finish: the figures show its results.

    Pending events are processed once (work that starts when a view or a step is shown is posted
    then); while the player or a task of the window is running, the event loop runs until they
    say they have stopped (the player's ``sigBusy``, the task registry's count of the window's
    tasks); what they send when done may start more work, so this repeats. Never polls.
    """
    import time

    from PySide6.QtWidgets import QApplication
    deadline = time.monotonic() + timeout
    tasks = _task_registry()
    QApplication.processEvents()
    while True:
        busy = _busy_parts(window)
        running = bool(busy) or (tasks is not None and tasks.count(window) > 0)
        if not running:
            return
        left = deadline - time.monotonic()
        ok = left > 0
        if ok and busy:
            ok = _wait_on(lambda: not any(o.busy for o in busy), [o.sigBusy for o in busy], left)
        if ok and tasks is not None:
            ok = tasks.wait_idle(window, timeout_ms=max(1, int((deadline - time.monotonic()) * 1000)))
        if not ok:
            _err(f"note: background work still running after {timeout:.0f} s; drawn as it is.")
            return
        QApplication.processEvents()  # what the finished work sent (it may start more)


def _prepare(window) -> None:
    for dock in (window.data_dock, window.algorithm_dock):
        dock.hide()
    window.timeline.hide()
    window.statusBar().hide()
    window.menuBar().hide()
    window.setMinimumSize(1, 1)
    window.show()


def _views(window) -> list[tuple[str, object, int]]:
    """(file stem, widget, tab index or -1 for the scatter) of every view the session uses."""
    out = [("scatter", window.scatter, -1)]
    seen = {"scatter"}
    for i in range(window.tabs.count()):
        slug = view_slug(window.tabs.tabText(i))
        while slug in seen:
            slug += "-2"
        seen.add(slug)
        out.append((slug, window.tabs.widget(i), i))
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


def _render(session, out: Path, wanted, size, scale, gif: bool, fps: float, svg: bool) -> int:
    from PySide6.QtWidgets import QApplication

    from engine.session import SessionError, summarize
    from gui.widgets import export
    from gui.shell.session_io import apply, goto_step

    window, settings_folder = _make_window()
    try:
        try:
            apply(window, session)
        except SessionError as exc:
            _err(str(exc))
            return 2
        player = window.player
        steps = wanted if wanted is not None else [session.step]
        target = "last" if "last" in steps else max(steps)
        goto_step(player, target)
        error = _wait_for_step(player, target)
        if error:
            _err(f"{session.label}: the run failed: {error}")
            return 1
        if not player.history:
            _err(f"{session.label}: the run produced no steps.")
            return 1
        _wait_for_background(window)
        last = len(player.history) - 1
        final = last if target == "last" else min(int(target), last)
        _prepare(window)
        written: list[Path] = []
        indices = []
        for s in steps:
            i = final if s == "last" else int(s)
            if i > last:
                _err(f"note: the run has only {last + 1} steps; step {i} is drawn as the last one ({last}).")
                i = last
            if i not in indices:
                indices.append(i)
        suffix = wanted is not None
        n_points = window.dataset.n if window.dataset is not None else 0
        if svg and n_points > SVG_POINT_LIMIT:
            _err(f"note: no SVG of the scatter for {n_points:,} points (more than {SVG_POINT_LIMIT:,}); "
                 "the PNG has them all.")
        for name, view, tab in _views(window):
            _show_only(window, tab)
            _wait_for_background(window)  # a tab may start its computation when it is shown
            got = _fit(window, view, size)
            if tuple(got) != tuple(size):
                _err(f"note: the {name} view needs at least {got[0]}x{got[1]} pixels; it is drawn at that size.")
            for i in indices:
                player.seek(i)
                _wait_for_background(window)  # ... or when a step is shown
                stem = f"{name}-step{i:03d}" if suffix else name
                written.append(_atomic(out / f"{stem}.png", lambda p: export.export_png(view, p, scale=scale)))
                if svg and not (tab < 0 and n_points > SVG_POINT_LIMIT):
                    written.append(_atomic(out / f"{stem}.svg", lambda p: export.export_svg(view, p)))
        if gif:
            written.append(_write_gif(window, out / "run.gif", final, size, scale, fps))
        player.seek(final)
        result = summarize(session, player.history[:final + 1], window.dataset, extras=window.plugin.session_results())
        result["files"] = [p.name for p in written]
        _write_atomic(out / "result.json", (json.dumps(result, indent=1, allow_nan=False) + "\n").encode("utf-8"))
        print(f"wrote {len(written) + 1} files to {out}")
        return 0
    except (OSError, ValueError, RuntimeError) as exc:
        _err(f"{session.label}: {exc}")
        return 1
    finally:
        window.close()
        window.deleteLater()
        QApplication.processEvents()
        import shutil
        shutil.rmtree(settings_folder, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _umask()


def _atomic(path: Path, write) -> Path:
    """``write(temp)`` writes a file beside ``path`` (same suffix), which then replaces ``path`` at once.

    A unique temporary name in the same folder, flushed to disk (fsync) before ``os.replace``: a
    reader never sees half a file, and a failed write leaves the old one.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes it private; a plain file would not be
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def _write_atomic(path: Path, data: bytes) -> Path:
    def write(tmp: Path):
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
    return _atomic(path, write)


def _write_gif(window, path: Path, final: int, size, scale, fps) -> Path:
    """One frame per step 0..final: the scatter beside the plugin's first tab (or the scatter alone)."""
    from PySide6.QtWidgets import QApplication

    from gui.widgets import export
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
    frames = []
    for i in range(final + 1):
        window.player.seek(i)
        _wait_for_background(window)
        frames.append(export.render_image(area, scale))
    return _atomic(path, lambda p: export.save_gif(frames, p, fps=fps))
