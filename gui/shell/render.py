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

Exit codes: 0 success; 2 a bad session or bad arguments (message on stderr);
1 the run failed or a file could not be written.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from pathlib import Path

__all__ = ["main", "parse_size", "parse_steps", "view_slug"]

DEFAULT_SIZE = (800, 600)
MAX_SIDE = 4000
#: Above this many points the scatter gets no SVG (one vector element per point: slow and huge; use the PNG).
SVG_POINT_LIMIT = 3000


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
        elif part.isdigit():
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
        path = find_session(args.session)
        session = load_session(path)
    except SessionError as exc:
        _err(str(exc))
        return 2
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _err(f"cannot create the folder {out}: {exc.strerror or exc}.")
        return 1
    _ensure_platform()
    return _render(session, out, wanted, size, args.scale, args.gif, args.fps, not args.no_svg)


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
    """The pixel size :func:`gui.widgets.export.render_image` gives ``view`` at scale 1."""
    from gui.widgets import export
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


def _busy_parts(window) -> list:
    """The window's objects computing now: the player and the plugins' background tasks (``busy`` is True)."""
    from PySide6.QtCore import QObject
    return [o for o in [window.player, *window.findChildren(QObject)] if getattr(o, "busy", False) is True]


def _wait_for_background(window, timeout: float = 600.0, settle: float = 0.05) -> None:
    """Let the plugins' background work finish: the figures show its results.

    Work that starts when a view is shown (the HAC comparison tab) or when a step
    is shown starts a moment later, so the window must have been idle for
    ``settle`` seconds in a row before it counts as done.
    """
    import time

    from PySide6.QtWidgets import QApplication
    deadline = time.monotonic() + timeout
    idle_since = None
    while time.monotonic() < deadline:
        QApplication.processEvents()
        now = time.monotonic()
        if _busy_parts(window):
            idle_since = None
        elif idle_since is None:
            idle_since = now
        elif now - idle_since >= settle:
            QApplication.processEvents()  # what the finished work sent
            return
        time.sleep(0.005)
    _err(f"note: background work still running after {timeout:.0f} s; drawn as it is.")


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
    from gui.shell.session_io import apply, goto_step, wait_for_step

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
        error = wait_for_step(player, target)
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
                _wait_for_background(window, settle=0.01)  # ... or when a step is shown
                stem = f"{name}-step{i:03d}" if suffix else name
                written.append(export.export_png(view, out / f"{stem}.png", scale=scale))
                if svg and not (tab < 0 and n_points > SVG_POINT_LIMIT):
                    written.append(export.export_svg(view, out / f"{stem}.svg"))
        if gif:
            written.append(_write_gif(window, out / "run.gif", final, size, scale, fps))
        player.seek(final)
        sweep = getattr(window.plugin, "sweep", None) if "sweep" in session.extra else None
        result = summarize(session, player.history[:final + 1], window.dataset, sweep=sweep)
        result["files"] = [p.name for p in written]
        (out / "result.json").write_text(json.dumps(result, indent=1, allow_nan=False) + "\n", encoding="utf-8")
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
        _wait_for_background(window, settle=0.0)
        frames.append(export.render_image(area, scale))
    return export.save_gif(frames, path, fps=fps)
