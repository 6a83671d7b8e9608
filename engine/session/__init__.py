"""Session files: read, write and run them without any window.

A session (the format is :mod:`engine.session.schema`) names the data, the
transformations, the algorithm with every parameter and its seed, and the step
to show. The same session always gives the same run: every random choice
takes the seed written in the file. A session never runs code: it is JSON,
and data files are read by :mod:`engine.data.loaders`, which refuses pickled arrays.

* :func:`load_session` / :func:`save_session`: the file (UTF-8 JSON, checked);
* :func:`make_dataset`, :func:`run_input`, :func:`make_steps`, :func:`run`:
  the run, exactly as the window does it;
* :func:`summarize`: the outcome as a JSON-ready dict (``result.json`` of
  ``clusterlab render``);
* :func:`shipped_sessions`, :func:`find_session`: the exercise sessions in
  ``resources/sessions``.

Example
-------
>>> s = session_from_dict({"format": "clusterlab-session", "version": 1, "name": "demo",
...     "data": {"example": "one-d"}, "algorithm": {"name": "hac", "params": {"linkage": "max"}}})
>>> [round(float(step.objective), 3) for step in run(s)][1:5]
[1.0, 1.0, 1.0, 2.0]
"""
from __future__ import annotations

import functools

import json
import math
import re
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from engine import data as edata
from engine.core.atomic import write_text_atomic
from engine.core.params import ParamError
from engine.core.registry import get_algorithm
from engine.session.schema import (DATA_KINDS, FORMAT, MAX_FILE_BYTES, MAX_STEP, VERSION, Session, SessionError,
                             session_from_dict, session_to_dict, to_json_ready)
from engine.core.steps import Step, step_number
from engine.core.validation import check_scale

__all__ = ["FORMAT", "VERSION", "DATA_KINDS", "MAX_STEP", "SessionError", "Session", "session_from_dict",
           "session_to_dict", "load_session", "save_session", "make_dataset", "run_input", "make_steps", "run",
           "check", "work", "find_session", "summarize", "sessions_dir",
           "shipped_sessions", "resolve"]


def _refuse(where: str, text: str):
    raise SessionError(f"{where}: {text}")


def _reject_constant(text):
    raise ValueError(f"{text} is not allowed in JSON")


def load_session(path, *, validate_data: bool = True) -> Session:
    """Read and validate a session file.

    Parameters
    ----------
    path : str or Path
    validate_data : bool
        Also build the data and check the algorithm's arguments against them
        (:func:`check`): a missing data file or ``k`` larger than the number of
        points is reported here rather than when the session is run.

    Raises
    ------
    SessionError
        With a message naming the file.
    """
    path = Path(path)
    where = path.name
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            _refuse(where, f"the file is {size / 1024 ** 2:.0f} MB; a session should be far smaller "
                         f"(at most {MAX_FILE_BYTES // 1024 ** 2} MB).")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SessionError(f"{where}: no such session file ({path}).") from None
    except IsADirectoryError:
        raise SessionError(f"{where}: is a folder, not a session file.") from None
    except OSError as exc:
        raise SessionError(f"{where}: cannot read the file ({exc.strerror or exc}).") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SessionError(f"{where}: not a text file (a session is UTF-8 JSON).") from None
    if not text.strip():
        raise SessionError(f"{where}: the file is empty.")
    try:
        d = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        cut = (exc.pos >= len(text.rstrip()) - 1 or exc.msg.startswith("Unterminated")
               or text.count("{") > text.count("}") or text.count("[") > text.count("]"))
        hint = " The file seems cut short (truncated)." if cut else ""
        raise SessionError(f"{where}: not valid JSON at line {exc.lineno}, column {exc.colno} "
                           f"({exc.msg}).{hint}") from None
    except (ValueError, RecursionError) as exc:
        raise SessionError(f"{where}: not valid JSON ({exc}).") from None
    session = session_from_dict(d, folder=path.resolve().parent, source=str(path))
    if validate_data:
        check(session)
    return session


def save_session(session: Session, path) -> Path:
    """Write ``session`` as indented JSON (atomically: a temporary file, then a rename); returns the path."""
    path = Path(path)
    text = json.dumps(session_to_dict(session), indent=1, allow_nan=False, ensure_ascii=False)
    text = _compact_rows(text)
    try:
        return write_text_atomic(path, text + "\n")
    except OSError as exc:
        raise OSError(f"Cannot write {path.name}: {exc.strerror or exc}.") from None


def _compact_rows(text: str) -> str:
    """Put short lists of numbers on one line each (points stay readable, one per line)."""
    pattern = re.compile(r"\[\s*(-?[\d.eE+-]+(?:,\s*-?[\d.eE+-]+)*)\s*\]")
    return pattern.sub(lambda m: "[" + ", ".join(s.strip() for s in m.group(1).split(",")) + "]", text)


# ------------------------------------------------------------------------ running
def resolve(session: Session, path: str) -> Path:
    """A data path of ``session``: absolute, or relative to the session file's folder."""
    p = Path(path).expanduser()
    if not p.is_absolute():
        p = (session.folder if session.folder is not None else Path.cwd()) / p
    return p


def make_dataset(session: Session) -> edata.Dataset:
    """The :class:`engine.data.Dataset` that ``session`` names (hand-made points may be in group ``-1``: none).

    Raises
    ------
    SessionError
        A missing or unreadable data file, a bad generator option, ...
    """
    where = session.label
    try:
        ds = _build_dataset(session)
        check_scale(ds.X, name="the data", error=edata.DataError)
        return ds
    except SessionError:
        raise
    except ValueError as exc:  # DataError, ParamError
        raise SessionError(f"{where}: the data cannot be made: {exc}") from None


def _build_dataset(session: Session) -> edata.Dataset:
    """The data set of ``session``, unchecked (:func:`make_dataset` checks it)."""
    d, where = session.data, session.label
    if "example" in d:
        return edata.example(d["example"])
    if "mnist" in d:
        return edata.mnist(d["mnist"])
    if "generator" in d:
        opts = {k: v for k, v in d.items() if k not in ("generator", "n", "seed")}
        return edata.generate(d["generator"], n=d["n"], seed=d["seed"], **opts)
    if "path" in d:
        p = resolve(session, d["path"])
        if not p.exists():  # a folder or a device: load() says what it is
            _refuse(where, f"the data file {d['path']} was not found (looked for {p}). Put it there or "
                         "change data.path in the session.")
        return edata.load(p)
    X = np.array(d["points"], dtype=np.float64)
    groups = d.get("groups")
    names = d.get("names")
    labels = None if groups is None or all(g < 0 for g in groups) else np.array(groups, dtype=np.int64)
    return edata.Dataset(X, labels=labels, point_names=tuple(names) if names is not None else None,
               name=session.name or "", source="")


def run_input(session: Session, dataset: edata.Dataset | None = None) -> tuple[np.ndarray, dict]:
    """The (n, d) array the algorithm runs on and the keyword arguments of its ``steps``.

    The data (standardized when the session says so) and the parameters, then whatever the
    algorithm's session entries make of them (:class:`engine.core.registry.SessionEntries`).

    Raises
    ------
    SessionError
        Settings that do not fit the data (``k`` above the number of points,
        starting centres of the wrong width, starting groups without groups, ...).
    """
    ds = make_dataset(session) if dataset is None else dataset
    X = edata.standardize(ds.X) if session.standardize else ds.X
    kwargs = dict(session.params)
    inputs = get_algorithm(session.algorithm).session.inputs
    if inputs is None:
        return X, kwargs
    try:
        return inputs(session.extra, ds, X, kwargs)
    except ParamError as exc:
        raise SessionError(f"{session.label}: algorithm {session.algorithm}: {exc}") from None


def make_steps(session: Session, dataset: edata.Dataset | None = None) -> Callable[[], Iterator[Step]]:
    """A zero-argument factory of the session's step generator (arguments checked now, nothing run yet).

    Example
    -------
    >>> s = session_from_dict({"format": FORMAT, "version": 1, "data": {"example": "five-points"},
    ...     "algorithm": {"name": "kmeans", "init": [[1, 1], [0, 2]]}})
    >>> [st.kind for st in make_steps(s)()][:3]
    ['init', 'assign', 'update']
    """
    X, kwargs = run_input(session, dataset)
    steps = get_algorithm(session.algorithm).steps
    try:
        steps(X, **kwargs)  # arguments are checked when the generator is created
    except ValueError as exc:
        raise SessionError(f"{session.label}: algorithm {session.algorithm}: {exc}") from None
    return lambda: steps(X, **kwargs)


def work(session: Session, dataset: edata.Dataset | None = None) -> dict:
    """What the session's entries ask to compute beside the run (``SessionEntries.work``: a sweep over K),
    computed now, without any window; {} when they ask for nothing."""
    hook = get_algorithm(session.algorithm).session.work
    if hook is None:
        return {}
    ds = make_dataset(session) if dataset is None else dataset
    X, kwargs = run_input(session, ds)
    try:
        return hook(session.extra, ds, X, kwargs)
    except ValueError as exc:
        raise SessionError(f"{session.label}: algorithm {session.algorithm}: {exc}") from None


def check(session: Session) -> edata.Dataset:
    """Build the data and check the algorithm's arguments against them; returns the data set."""
    ds = make_dataset(session)
    make_steps(session, ds)
    return ds


def run(session: Session, dataset: edata.Dataset | None = None, until: int | None = None) -> list[Step]:
    """Run the session without any window: its steps, from the first to the last (or to step ``until``).

    Raises
    ------
    SessionError
        Bad data or settings, or the algorithm refused them while running.
    """
    gen = make_steps(session, dataset)()
    out: list[Step] = []
    try:
        for step in gen:
            out.append(step)
            if step.done or (until is not None and len(out) > until):
                break
    except ValueError as exc:
        raise SessionError(f"{session.label}: the run stopped at step {len(out)}: {exc}") from None
    return out


def summarize(session: Session, steps: list[Step], dataset: edata.Dataset | None = None,
              extras: dict | None = None) -> dict:
    """The outcome of a run as a JSON-ready dict (what ``render`` writes as ``result.json``).

    Keys: the session's name, algorithm and parameters, the data's size, the
    number of steps, the number of the last step (``"step"``, numbered from 1 as on the
    window's timeline: :func:`engine.core.steps.step_number`), whether the run is complete and why it stopped, every
    step's kind and description, the labels, centres and objective of the last
    step, the objective trace, and what the algorithm adds (its
    :attr:`SessionEntries.summary <engine.core.registry.SessionEntries>`: the linkage
    matrix, fitted parameters, ...).

    Parameters
    ----------
    extras : dict, optional
        More keys computed elsewhere (the window's K-means sweep: ``"sweep"``).
    """
    if not steps:
        raise SessionError(f"{session.label}: the run has no steps.")
    last = steps[-1]
    alg = get_algorithm(session.algorithm)
    out = {
        "format": "clusterlab-result", "version": 1, "session": session.name, "algorithm": session.algorithm,
        "params": to_json_ready(dict(session.params)),
        "data": {"name": dataset.name, "n": dataset.n, "d": dataset.d} if dataset is not None else None,
        "standardize": session.standardize,
        "n_steps": len(steps), "step": step_number(len(steps) - 1), "complete": bool(last.done), "status": last.status,
        "iteration": last.iteration,
        "steps": [{"kind": s.kind, "description": s.description} for s in steps],
        "labels": None if last.labels is None else [int(v) for v in last.labels],
        "centers": None if last.centers is None else to_json_ready(np.asarray(last.centers)),
        "objective_name": alg.objective_label(session.params), "objective": float(last.objective),
        "trace": [float(v) for v in last.trace],
    }
    summary = alg.session.summary
    if summary is not None:
        out.update(to_json_ready(summary(steps)))
    out.update(to_json_ready(dict(extras or {})))
    return _finite_everywhere(out)


def _finite_everywhere(v):
    """``v`` with every non-finite float replaced by None (``result.json`` is strict JSON)."""
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: _finite_everywhere(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_finite_everywhere(x) for x in v]
    return v


# ------------------------------------------------------------------------ shipped sessions
def sessions_dir() -> Path:
    """Folder of the shipped exercise sessions (``sessions`` in the ``resources`` package data)."""
    from engine.core.resources import resource_path

    return resource_path("sessions")


def shipped_sessions() -> dict[str, tuple[Path, str]]:
    """Shipped sessions by name (the file stem): (path, one-line description), in file-name order.

    Files that cannot be read are listed with their problem as the description. Each file is read once
    per process while it stays unchanged (its size and modification time): every window's menu of
    exercise sessions lists them.
    """
    out = {}
    folder = sessions_dir()
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            stat = path.stat()
        except OSError:
            stat = None
        out[path.stem] = (path, _described(path, None if stat is None else (stat.st_size, stat.st_mtime_ns)))
    return out


@functools.lru_cache(maxsize=256)
def _described(path: Path, version) -> str:
    """The one-line description of the session file ``path`` as it is at ``version`` (size, mtime)."""
    try:
        s = load_session(path, validate_data=False)
        return s.description or s.name
    except SessionError as exc:
        return f"(cannot be read: {exc})"


def find_session(spec: str) -> Path:
    """``"example:NAME"`` -> the shipped session's path; anything else is taken as a file path."""
    if spec.startswith("example:"):
        name = spec.split(":", 1)[1]
        shipped = shipped_sessions()
        if name not in shipped:
            raise SessionError(f"unknown example session {name!r}; known: {', '.join(shipped) or 'none'}.")
        return shipped[name][0]
    return Path(spec)
