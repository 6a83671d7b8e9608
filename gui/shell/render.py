"""``clusterlab render``: a session's figures and results from the command line, without a display.

::

    clusterlab render SESSION.json --out DIR [--steps 1,5,last] [--gif] [--working] [--size 800x600] [--scale 2]
                                          [--lecture]
    clusterlab render example:ex3-kmeans --out DIR
    clusterlab render --list-examples

This module reads the command line and the session; :mod:`gui.shell.render_window` draws it: the real
window is built offscreen (``QT_QPA_PLATFORM=offscreen`` when there is no display), the session is
applied to it exactly as File > Open session does, the run goes to the wanted steps, and every view
the session uses is written with :mod:`gui.widgets.export`: the scatter and each tab of the
algorithm's plugin, as ``VIEW.png`` and ``VIEW.svg`` (``VIEW-stepNNN.*`` with ``--steps``). Steps are
numbered from 1 as on the window's timeline, in ``--steps``, in the file names and in ``result.json``.
``--gif`` adds ``run.gif``, one frame per step (the scatter beside the plugin's first tab).
``--working`` adds the worked solution (:mod:`engine.session.solution`): ``working.json``,
``solution.md`` and ``solution.tex``, with the scatter of the first 30 steps and the last
(``scatter-stepNNN.png``).
``result.json`` holds the run's outcome, taken from the engine's steps
(:func:`engine.session.summarize`, plus what the plugin computed beside the run, such as a sweep
over K), never from widgets. Nothing here names an algorithm.

Nothing is polled: render waits for the run's step on the player's signals and for background
work on the task registry (:mod:`gui.run.tasks`). While Qt starts, a thread builds and checks the
session's data (the window then uses that data set). Every file is written atomically.

Exit codes: 0 success; 2 a bad session or bad arguments (message on stderr; a step above
10,000,000 too); 1 the run failed or a file could not be written; 130 / 143 stopped by Ctrl+C (SIGINT)
/ SIGTERM (:mod:`gui.shell.stop_signals`: within a second, the temporary folder removed, no
half-written file; files finished before the signal stay).
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import threading
from concurrent.futures import Future
from pathlib import Path

#: Environment variables of the BLAS thread pools numpy may use.
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _share_blas_threads() -> None:
    """Give each BLAS call a share of the cores, when numpy is not loaded yet (a ``clusterlab render`` process).

    render runs numpy computations on several threads at once (the player's run, the plugins'
    background work such as a sweep over K, the data built ahead) beside the window's own thread; a
    BLAS pool of every core per call would oversubscribe the cores (OpenBLAS threads spin while they
    wait, which on a busy 2-core machine made render twice as slow). Variables already set are kept.
    """
    if "numpy" in sys.modules:
        return
    share = str(max(1, (os.cpu_count() or 1) // 3))
    for name in BLAS_THREAD_VARIABLES:
        os.environ.setdefault(name, share)


_share_blas_threads()

__all__ = ["main", "parse_size", "parse_steps", "UsageError", "DEFAULT_SIZE", "MAX_STEP"]

DEFAULT_SIZE = (800, 600)
LECTURE_SIZE = (1920, 1080)  # a 16:9 slide (gui.shell.lecture.SLIDE_SIZE; not imported: Qt loads later)
MAX_SIDE = 4000
#: The largest step number ``--steps`` accepts (a run this long would not finish anyway; a session's too).
MAX_STEP = 10**7  # engine.session.MAX_STEP (not imported here: numpy must not load before the BLAS share)


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
    """``"1,5,last"`` -> [1, 5, "last"] (duplicates dropped, order kept; ``first`` is 1).

    Steps are numbered from 1, as on the window's timeline (:func:`engine.core.steps.step_number`);
    :func:`main` turns them into 0-based indices for :mod:`gui.shell.render_window`.
    """
    out = []
    for part in (text or "").split(","):
        part = part.strip().lower()
        if not part:
            continue
        if part in ("last", "end"):
            value = "last"
        elif part == "first":
            value = 1
        elif part.isascii() and part.isdigit() and not part.lstrip("0"):
            raise UsageError("--steps: steps are numbered from 1 (the first step), as on the window's timeline; "
                             "0 is not a step.")
        elif part.isascii() and part.isdigit():
            if len(part.lstrip("0")) > len(str(MAX_STEP)) or int(part) > MAX_STEP:
                raise UsageError(f"--steps: step {part[:20]}{'...' if len(part) > 20 else ''} is too large; "
                                 f"steps go up to {MAX_STEP:,} (use 'last' for the end of the run).")
            value = int(part)
        else:
            raise UsageError(f"--steps: {part!r} is not a step; give numbers from 1 and/or 'first', 'last', e.g. 1,5,last.")
        if value not in out:
            out.append(value)
    if not out:
        raise UsageError("--steps is empty; give e.g. 1,5,last.")
    return out


def _indices(numbers: list) -> list:
    """Step numbers (from 1) and "last" -> 0-based indices and "last" (numpy loads here, after the BLAS share)."""
    from engine.core.steps import step_index

    return [n if n == "last" else step_index(n) for n in numbers]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="clusterlab render", description="Render a session's figures and results "
                                "without opening a window.")
    p.add_argument("session", nargs="?", help="a session file, or example:NAME for a shipped exercise session")
    p.add_argument("--out", metavar="DIR", help="folder for the images and result.json (created if needed)")
    p.add_argument("--steps", metavar="LIST", help="steps to draw, numbered from 1 as on the window's timeline, e.g. 1,5,last "
                   "(default: the session's step)")
    p.add_argument("--gif", action="store_true", help="also write run.gif, one frame per step")
    p.add_argument("--fps", type=float, default=2.0, help="frames per second of the GIF (default 2)")
    p.add_argument("--size", default=None, help=f"size of each view, WxH (default {DEFAULT_SIZE[0]}x{DEFAULT_SIZE[1]}; "
                   f"{LECTURE_SIZE[0]}x{LECTURE_SIZE[1]} with --lecture)")
    p.add_argument("--lecture", action="store_true", help="lecture style, as View > Presentation: every text, line "
                   "and mark 1.75x larger, for slides")
    p.add_argument("--scale", type=float, default=1.0, help="pixel scale of the PNGs, 1 to 4 (default 1)")
    p.add_argument("--no-svg", action="store_true", help="write PNG only")
    p.add_argument("--working", action="store_true", help="also write the worked solution: working.json (every "
                   "step's working at full precision), solution.md and solution.tex (with a figure per step)")
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
    """Run the command; ``argv`` are the arguments after ``render``. Returns the exit code
    (``128 + signal`` when SIGINT or SIGTERM stopped it)."""
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.list_examples:
        return list_examples()
    if threading.current_thread() is not threading.main_thread():
        return _main(args, None)
    from gui.shell.stop_signals import Interrupted, StopSignals
    try:
        with StopSignals() as stop:
            return _main(args, stop)
    except Interrupted as exc:
        _err(f"stopped ({exc}); nothing half-written is left.")
        return exc.exit_code


def _main(args, stop) -> int:
    from engine.session import SessionError, find_session, load_session
    try:
        if not args.session:
            raise UsageError("give a session file (or example:NAME), and --out DIR.")
        if not args.out:
            raise UsageError("--out DIR is required: the folder for the images and result.json.")
        size = parse_size(args.size) if args.size else (LECTURE_SIZE if args.lecture else DEFAULT_SIZE)
        if not 1 <= args.scale <= 4:
            raise UsageError(f"--scale {args.scale:g} should be from 1 to 4.")
        if not 0.1 <= args.fps <= 50:
            raise UsageError(f"--fps {args.fps:g} should be from 0.1 to 50.")
        wanted = _indices(parse_steps(args.steps)) if args.steps else None
    except UsageError as exc:
        _err(str(exc))
        return 2
    try:
        path = _find_session(args.session, find_session)
        session = load_session(path, validate_data=False)
    except SessionError as exc:
        _err(str(exc))
        return 2
    # the session is computed headless on a thread while Qt is imported and the window is built
    steps = wanted if wanted is not None else [session.step]
    ahead = _Ahead(session, None if "last" in steps else max(steps))
    _ensure_platform()
    from gui.shell import render_window
    from gui.shell.stop_signals import raising
    with raising():
        problem = ahead.checked()
    if problem is not None:
        _err(str(ahead.error))
        return 2
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _err(f"cannot create the folder {out}: {exc.strerror or exc}.")
        return 1
    return render_window.render(session, ahead.results, out, wanted, size, args.scale, args.gif, args.fps,
                                not args.no_svg, stop=stop, working=args.working, lecture=args.lecture)


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


class _Ahead:
    """The session computed headless while Qt starts: its data set (built and checked against the
    settings) and their projection, the run up to the step to draw (one thread), and what its entries
    ask for beside the run (:func:`engine.session.work`, e.g. a sweep over K; a second thread). The
    window shows these instead of computing them again; nothing here depends on the algorithm.
    """

    def __init__(self, session, until):
        self._session, self._until = session, until
        self.dataset = self.error = self.projection = None
        self.steps, self.rest = [], iter(())
        self.work = Future()  # the entries' work: the window's plugin waits for it off the GUI thread
        self.scores = Future()  # the drawn step's silhouettes (:func:`_silhouettes`), for the Scores view
        self._checked, self._ready = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._run, name="clusterlab-render-run", daemon=True)
        self._thread.start()

    def _run(self):
        from engine import data as edata
        from engine import session as es
        try:
            self.dataset = es.make_dataset(self._session)
            make = es.make_steps(self._session, self.dataset)
        except es.SessionError as exc:
            self.error = exc
            self.work.set_result({})
            self.scores.set_result(None)
            return
        finally:
            self._checked.set()
        threading.Thread(target=self._work, name="clusterlab-render-work", daemon=True).start()
        try:
            self.rest = make()  # the player goes on from where this stops
            for step in self.rest:
                self.steps.append(step)
                if step.done or (self._until is not None and len(self.steps) > self._until):
                    break
            if self.dataset.d > 2:
                self.projection = edata.pca_2d(self.dataset.X)
        except Exception:  # the window computes (and reports) it itself
            self.steps, self.rest, self.projection = [], iter(()), None
        finally:
            self._ready.set()
        try:  # while the entries' work goes on: the window's own thread has nothing else to compute it
            self.scores.set_result(_silhouettes(self._session, self.dataset, self._drawn()))
        except Exception:  # the Scores view computes them itself
            self.scores.set_result(None)

    def _drawn(self):
        """The computed step that render draws last (the one ``result.json`` scores), or None."""
        if self._until is None:
            return self.steps[-1] if self.steps and self.steps[-1].done else None
        return self.steps[self._until] if len(self.steps) > self._until else None

    def _work(self):
        from engine import session as es
        try:
            self.work.set_result(es.work(self._session, self.dataset))
        except Exception:  # the window computes (and reports) it itself
            self.work.set_result({})

    def checked(self):
        """Wait until the data are built and checked: the ``SessionError`` found, or None."""
        self._checked.wait()
        return self.error

    def results(self) -> dict:
        """Wait for the data and the run: the keyword arguments of :func:`gui.shell.session_io.apply` (the
        entries' work as a future, still being computed)."""
        self._ready.wait()
        return {"dataset": self.dataset, "steps": (self.steps, self.rest) if self.steps else None,
                "work": self.work, "projection": self.projection, "scores": self.scores}


def _silhouettes(session, dataset, step) -> dict | None:
    """The silhouettes of ``step``'s labels as the Scores view computes them (on the run's data, in the run's
    metric, on the same sample of points): the arguments of :meth:`gui.views.scores.ScoresView.preload`."""
    from engine.core.params import ParamError
    from engine import session as es
    from engine.scores import run_metric, sample_rows, silhouette_samples
    import numpy as np

    if step is None or step.labels is None:
        return None
    X = np.asarray(es.run_input(session, dataset)[0], dtype=float)
    labels = np.asarray(step.labels)
    metric = run_metric(session.params)
    rows = sample_rows(X.shape[0], X.shape[1], metric)
    try:
        samples = silhouette_samples(X, labels, metric, rows=rows)
    except ParamError:
        return None
    return {"X": X, "labels": labels, "metric": metric, "rows": rows, "samples": samples}
