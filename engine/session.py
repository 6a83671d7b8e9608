"""Session files: the data, the algorithm, its settings and the step to show, as small JSON.

A session names data and settings; it never runs code (JSON only, never
pickle; data files are read by :mod:`engine.loaders`, which refuses pickled
arrays). The same session always gives the same run: every random choice
takes the seed written in the file.

The format (version 1)
----------------------
::

    {"format": "clusterlab-session", "version": 1,
     "name": "ex3-kmeans", "description": "one line for menus",
     "data": {"example": "five-points"}
           | {"generator": "blobs", "n": 300, "seed": 0, "k": 3, ...}
           | {"mnist": 6000}
           | {"path": "points.csv"}            (relative to the session file's folder, or absolute)
           | {"points": [[x, y], ...], "groups": [g, ...] or null, "names": ["A", ...] or null},
     "transform": {"standardize": false},
     "algorithm": {"name": "kmeans", "params": {"k": 2, ...}, ...algorithm-specific entries...},
     "step": "last" | 7}

Algorithm-specific entries (beside ``name`` and ``params``):

* ``hac``: ``"start_from_groups": true`` - the data's groups are the starting
  partition (points in group ``-1`` start on their own).
* ``kmeans``: ``"init": [[...], ...]`` (k x d starting centres, in the
  coordinates the algorithm runs on, i.e. z-scores when standardizing) or
  ``"init_points": [0, 2]`` (start from these data points); ``k`` follows.
* ``gmm``: ``"means": [[...], ...]`` (k x d placed starting means: weights equal, every
  covariance ``v * I`` with ``v`` the data's mean per-feature variance, as the window does) or
  ``"init": {"weights": [...], "means": [[...]], "covariances": [...]}`` (all given).
* ``bernoulli``: ``"init"`` (k x d probabilities, or ``{"probs", "weights"}``)
  and ``"threshold"``: the run works on the data binarized at it (``x > t`` -> 1, else 0;
  default 0.5), never standardized.

Every error a file can cause raises :class:`SessionError` (a ``ValueError``)
whose message names the file and says what to do.

Example
-------
>>> s = session_from_dict({"format": "clusterlab-session", "version": 1, "name": "demo",
...     "data": {"example": "one-d"}, "algorithm": {"name": "hac", "params": {"linkage": "max"}}})
>>> [round(float(step.objective), 3) for step in run(s)][1:5]
[1.0, 1.0, 1.0, 2.0]
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import numpy as np

from . import data as edata
from .params import ParamError, get_algorithm
from .steps import Step

__all__ = ["FORMAT", "VERSION", "SessionError", "Session", "session_from_dict", "session_to_dict",
           "load_session", "save_session", "make_dataset", "run_input", "make_steps", "run", "check",
           "placed_means_init", "start_groups", "find_session",
           "summarize", "sessions_dir", "shipped_sessions", "resolve"]

FORMAT = "clusterlab-session"
VERSION = 1
MAX_FILE_BYTES = 64 * 1024 ** 2  # a session with hand-made points stays far below this
DATA_KINDS = ("example", "generator", "mnist", "path", "points")
#: Algorithm-specific entries allowed beside "name" and "params".
EXTRAS = {"hac": ("start_from_groups",), "kmeans": ("init", "init_points"), "gmm": ("init", "means"),
          "bernoulli": ("init", "threshold")}
TOP_KEYS = ("format", "version", "name", "description", "data", "transform", "algorithm", "step")


class SessionError(ValueError):
    """A session file that cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True, eq=False)
class Session:
    """A validated session (see the module docstring for the file format).

    Parameters
    ----------
    name, description : str
    data : dict
        Exactly one of the data kinds, normalised (``points`` as a list of lists).
    standardize : bool
        Run the algorithm on per-feature z-scores.
    algorithm : str
        ``Algorithm.name`` (``"hac"``, ``"kmeans"``, ``"gmm"``, ``"bernoulli"``).
    params : dict
        Every parameter of the algorithm, validated by :mod:`engine.params`.
    extra : dict
        Algorithm-specific entries (arrays as ndarrays).
    step : int or "last"
        The step to show.
    folder : Path or None
        Where relative data paths are looked up (the session file's folder).
    source : str
        The file the session came from ("" if built in memory), for messages.
    """

    name: str = ""
    description: str = ""
    data: dict = field(default_factory=dict)
    standardize: bool = False
    algorithm: str = "hac"
    params: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    step: int | str = "last"
    folder: Path | None = None
    source: str = ""

    @property
    def label(self) -> str:
        """How messages name this session: the file name, or the session's name."""
        return Path(self.source).name if self.source else (self.name or "session")

    def replace(self, **changes) -> "Session":
        return dataclasses.replace(self, **changes)


# ------------------------------------------------------------------------ validation helpers
def _type_name(v) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null",
            int: "a whole number", float: "a number"}.get(type(v), type(v).__name__)


def _fail(where: str, text: str):
    raise SessionError(f"{where}: {text}")


def _want(where, key, value, kind, what):
    if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
        _fail(where, f"{key} should be {what}, not {_type_name(value)} ({_short(value)}).")
    return value


def _short(v) -> str:
    text = json.dumps(v) if isinstance(v, (dict, list, str, int, float, bool, type(None))) else repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


def _whole(where, key, value, low=None, high=None) -> int:
    try:
        integral = not isinstance(value, bool) and isinstance(value, (int, float)) and float(value).is_integer()
    except OverflowError:
        integral = False
    if not integral:
        _fail(where, f"{key} should be a whole number (not too large), not {_short(value)}.")
    value = int(value)
    if low is not None and value < low or high is not None and value > high:
        bounds = f">= {low}" if high is None else f"between {low} and {high}"
        _fail(where, f"{key}={value} should be {bounds}.")
    return value


def _matrix(where, key, value, rows=None, cols=None) -> np.ndarray:
    """A list of equally long lists of finite numbers -> float ndarray (r, c)."""
    if not isinstance(value, list) or not value or not all(isinstance(r, list) for r in value):
        _fail(where, f"{key} should be a non-empty list of rows (lists of numbers), not {_short(value)}.")
    widths = {len(r) for r in value}
    if len(widths) != 1 or 0 in widths:
        _fail(where, f"{key}: every row should have the same number (>= 1) of values; "
                     f"found row lengths {sorted(widths)[:5]}.")
    for i, r in enumerate(value):
        for v in r:
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                _fail(where, f"{key}: row {i} holds {_short(v)}; use finite numbers only.")
    arr = np.array(value, dtype=np.float64)
    if rows is not None and arr.shape[0] != rows:
        _fail(where, f"{key} has {arr.shape[0]} rows; {rows} expected.")
    if cols is not None and arr.shape[1] != cols:
        _fail(where, f"{key} has {arr.shape[1]} columns but the data have {cols} features.")
    return arr


def _numbers(where, key, value) -> np.ndarray:
    """Nested lists of finite numbers (any shape) -> float ndarray."""
    def ok(v):
        if isinstance(v, list):
            return all(ok(x) for x in v)
        return not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v)
    if not isinstance(value, list) or not ok(value):
        _fail(where, f"{key} should be a list of finite numbers (nested lists for matrices), not {_short(value)}.")
    try:
        return np.array(value, dtype=np.float64)
    except ValueError:
        _fail(where, f"{key}: the nested lists are ragged (rows of different lengths).")


def _tolist(v):
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, dict):
        return {k: _tolist(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_tolist(x) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    return v


# ------------------------------------------------------------------------ parsing
def _parse_data(where, d) -> dict:
    _want(where, "data", d, dict, "an object such as {\"example\": \"four-points\"}")
    kinds = [k for k in DATA_KINDS if k in d]
    if len(kinds) != 1:
        _fail(where, f"data should name exactly one of {', '.join(DATA_KINDS)}; found "
                     f"{', '.join(kinds) if kinds else 'none'} (keys: {', '.join(map(str, d)) or 'none'}).")
    kind = kinds[0]
    w = f"{where}: data"
    if kind == "example":
        _want(w, "example", d["example"], str, "a string")
        if d["example"] not in edata.EXAMPLES:
            _fail(w, f"unknown example {d['example']!r}; choose one of {', '.join(edata.EXAMPLES)}.")
        _no_more(w, d, ("example",))
        return {"example": d["example"]}
    if kind == "mnist":
        n = _whole(w, "mnist", d["mnist"], 1, edata.MNIST_COUNT)
        _no_more(w, d, ("mnist",))
        return {"mnist": n}
    if kind == "path":
        _want(w, "path", d["path"], str, "a file path")
        if not d["path"].strip():
            _fail(w, "path is empty; give the data file's path.")
        _no_more(w, d, ("path",))
        return {"path": d["path"]}
    if kind == "generator":
        _want(w, "generator", d["generator"], str, "a string")
        if d["generator"] not in edata.GENERATORS:
            _fail(w, f"unknown generator {d['generator']!r}; choose one of {', '.join(edata.GENERATORS)}.")
        out = {"generator": d["generator"], "n": _whole(w, "n", d.get("n", 300), 1, edata.MAX_POINTS),
               "seed": _whole(w, "seed", d.get("seed", 0), 0)}
        for key, value in d.items():
            if key not in out:
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    _fail(w, f"generator option {key} should be a number, not {_short(value)}.")
                out[key] = value
        return out
    # hand-made points
    X = _matrix(w, "points", d["points"])
    n = X.shape[0]
    groups = d.get("groups")
    if groups is not None:
        if not isinstance(groups, list) or len(groups) != n:
            _fail(w, f"groups should be a list of {n} whole numbers (one per point, -1 = no group) or null.")
        groups = [_whole(w, f"groups[{i}]", g, -1) for i, g in enumerate(groups)]
    names = d.get("names")
    if names is not None:
        if not isinstance(names, list) or len(names) != n or not all(isinstance(s, str) for s in names):
            _fail(w, f"names should be a list of {n} strings (one per point) or null.")
    _no_more(w, d, ("points", "groups", "names"))
    return {"points": X.tolist(), "groups": groups, "names": names}


def _no_more(where, d, allowed):
    extra = [str(k) for k in d if k not in allowed]
    if extra:
        _fail(where, f"unknown entr{'y' if len(extra) == 1 else 'ies'} {', '.join(extra)}; "
                     f"allowed here: {', '.join(allowed)}.")


def _parse_algorithm(where, a) -> tuple[str, dict, dict]:
    _want(where, "algorithm", a, dict, "an object such as {\"name\": \"kmeans\", \"params\": {...}}")
    name = a.get("name")
    _want(where, "algorithm.name", name, str, "a string")
    try:
        alg = get_algorithm(name)
    except ParamError as exc:
        _fail(where, str(exc))
    raw = a.get("params", {})
    _want(where, "algorithm.params", raw, dict, "an object of parameter values")
    allowed = EXTRAS.get(name, ())
    _no_more(f"{where}: algorithm {name}", a, ("name", "params") + allowed)
    w = f"{where}: algorithm {name}"
    extra: dict[str, Any] = {}
    raw = dict(raw)
    if name == "hac" and "start_from_groups" in a:
        extra["start_from_groups"] = _want(w, "start_from_groups", a["start_from_groups"], bool, "true or false")
    elif name == "kmeans" and ("init" in a or "init_points" in a):
        if "init" in a and "init_points" in a:
            _fail(w, "give either init (starting centres) or init_points (data point indices), not both.")
        if "init" in a:
            C = _matrix(w, "init", a["init"])
            extra["init"] = C
            k = C.shape[0]
        else:
            pts = a["init_points"]
            if not isinstance(pts, list) or not pts:
                _fail(w, "init_points should be a non-empty list of point indices (0 = the first point).")
            idx = [_whole(w, f"init_points[{i}]", v, 0) for i, v in enumerate(pts)]
            if len(set(idx)) != len(idx):
                _fail(w, f"init_points {idx} repeats a point; each starting centre should be a different point.")
            extra["init_points"] = idx
            k = len(idx)
        if "init" in raw:
            _fail(w, "params.init names an initialisation method but explicit starting centres are given too; "
                     "remove one of them.")
        if "k" in raw and raw["k"] != k:
            _fail(w, f"k={_short(raw['k'])} but {k} starting centres are given; K is the number of centres.")
        raw["k"] = k
    elif name == "gmm" and "means" in a:
        if "init" in a:
            _fail(w, "give either means (placed starting means) or init (weights, means, covariances), not both.")
        extra["means"] = _matrix(w, "means", a["means"])
        if "k" in raw and raw["k"] != extra["means"].shape[0]:
            _fail(w, f"k={_short(raw['k'])} but {extra['means'].shape[0]} starting means are given.")
        raw["k"] = extra["means"].shape[0]
    elif name == "gmm" and "init" in a:
        init = a["init"]
        _want(w, "init", init, dict, "an object with weights, means and covariances")
        _no_more(f"{w}: init", init, ("weights", "means", "covariances"))
        if set(init) != {"weights", "means", "covariances"}:
            _fail(w, "init should give weights, means and covariances.")
        extra["init"] = {key: _numbers(w, f"init.{key}", init[key]) for key in ("weights", "means", "covariances")}
    elif name == "bernoulli":
        if "init" in a:
            init = a["init"]
            if isinstance(init, dict):
                _no_more(f"{w}: init", init, ("probs", "weights"))
                if "probs" not in init:
                    _fail(w, "init should give probs (k x d), and optionally weights (k).")
                extra["init"] = {key: _numbers(w, f"init.{key}", v) for key, v in init.items()}
            else:
                extra["init"] = _matrix(w, "init", init)
        if "threshold" in a:
            t = a["threshold"]
            if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t):
                _fail(w, f"threshold={_short(t)} should be a number (values above it become 1, the others 0).")
            extra["threshold"] = float(t)
    try:
        params = alg.validate(raw)
    except ParamError as exc:
        _fail(w, str(exc))
    if extra.keys() & {"init", "init_points", "means"} and name in ("kmeans", "gmm"):
        params.pop("init", None)
    return name, params, extra


def session_from_dict(d, *, folder=None, source: str = "") -> Session:
    """Validate a decoded session (a dict) and return a :class:`Session`.

    Parameters
    ----------
    d : dict
        The decoded JSON.
    folder : str or Path, optional
        Where relative data paths are looked up (default: the current folder).
    source : str
        The file it came from, for messages.

    Raises
    ------
    SessionError
        Wrong format or version, unknown keys or algorithm, wrong types,
        parameters out of range. (Data files are checked by :func:`check`.)
    """
    where = Path(source).name if source else "session"
    _want(where, "the session", d, dict, "a JSON object")
    fmt = d.get("format")
    if fmt != FORMAT:
        _fail(where, f"this is not a Clusterlab session (format should be {FORMAT!r}, found {_short(fmt)}).")
    version = d.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        _fail(where, f"version should be a whole number >= 1, found {_short(version)}.")
    if version > VERSION:
        _fail(where, f"the file was written by a newer Clusterlab (session format version {version}); this "
                     f"version reads version {VERSION}. Update Clusterlab to open it.")
    _no_more(where, d, TOP_KEYS)
    name = _want(where, "name", d.get("name", ""), str, "a string")
    description = _want(where, "description", d.get("description", ""), str, "a string")
    if "data" not in d:
        _fail(where, "data is missing; say which data to use, e.g. {\"example\": \"four-points\"}.")
    data = _parse_data(where, d["data"])
    transform = _want(where, "transform", d.get("transform", {}), dict, "an object such as {\"standardize\": false}")
    _no_more(f"{where}: transform", transform, ("standardize",))
    standardize = _want(where, "transform.standardize", transform.get("standardize", False), bool, "true or false")
    if "algorithm" not in d:
        _fail(where, "algorithm is missing; e.g. {\"name\": \"kmeans\", \"params\": {\"k\": 3}}.")
    alg, params, extra = _parse_algorithm(where, d["algorithm"])
    step = d.get("step", "last")
    if isinstance(step, str) and step != "last":
        _fail(where, f"step should be a step number (0 = the first) or \"last\", not {step!r}.")
    if step != "last":
        step = _whole(where, "step", step, 0)
    return Session(name=name, description=description, data=data, standardize=standardize, algorithm=alg,
                   params=params, extra=extra, step=step,
                   folder=Path(folder) if folder is not None else None, source=str(source))


def session_to_dict(session: Session) -> dict:
    """The JSON-ready dict of ``session`` (the inverse of :func:`session_from_dict`)."""
    alg = {"name": session.algorithm, "params": _tolist(dict(session.params))}
    alg.update({k: _tolist(v) for k, v in session.extra.items()})
    return {"format": FORMAT, "version": VERSION, "name": session.name, "description": session.description,
            "data": _tolist(dict(session.data)), "transform": {"standardize": bool(session.standardize)},
            "algorithm": alg, "step": session.step}


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
            _fail(where, f"the file is {size / 1024 ** 2:.0f} MB; a session should be far smaller "
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
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise OSError(f"Cannot write {path.name}: {exc.strerror or exc}.") from None
    return path


def _compact_rows(text: str) -> str:
    """Put short lists of numbers on one line each (points stay readable, one per line)."""
    import re
    pattern = re.compile(r"\[\s*(-?[\d.eE+-]+(?:,\s*-?[\d.eE+-]+)*)\s*\]")
    return pattern.sub(lambda m: "[" + ", ".join(s.strip() for s in m.group(1).split(",")) + "]", text)


# ------------------------------------------------------------------------ running
class _Grouped(edata.Dataset):
    """A Dataset whose labels may hold -1 (a point in no starting group)."""

    def __post_init__(self):
        lab = None if self.labels is None else np.asarray(self.labels, dtype=np.int64)
        if lab is None or lab.size == 0 or lab.min() >= 0:
            super().__post_init__()
            return
        object.__setattr__(self, "labels", np.maximum(lab, 0))
        super().__post_init__()
        lab.setflags(write=False)
        object.__setattr__(self, "labels", lab)


def resolve(session: Session, path: str) -> Path:
    """A data path of ``session``: absolute, or relative to the session file's folder."""
    p = Path(path).expanduser()
    if not p.is_absolute():
        p = (session.folder if session.folder is not None else Path.cwd()) / p
    return p


def make_dataset(session: Session, grouped: Callable | None = None) -> edata.Dataset:
    """The :class:`engine.data.Dataset` that ``session`` names.

    Parameters
    ----------
    grouped : class, optional
        The Dataset subclass for hand-made points some of which are in no
        group (-1); the GUI passes its own.

    Raises
    ------
    SessionError
        A missing or unreadable data file, a bad generator option, ...
    """
    d, where = session.data, session.label
    try:
        if "example" in d:
            return edata.example(d["example"])
        if "mnist" in d:
            return edata.mnist(d["mnist"])
        if "generator" in d:
            opts = {k: v for k, v in d.items() if k not in ("generator", "n", "seed")}
            return edata.generate(d["generator"], n=d["n"], seed=d["seed"], **opts)
        if "path" in d:
            p = resolve(session, d["path"])
            if not p.is_file():
                _fail(where, f"the data file {d['path']} was not found (looked for {p}). Put it there or "
                             "change data.path in the session.")
            return edata.load(p)
        X = np.array(d["points"], dtype=np.float64)
        groups = d.get("groups")
        names = d.get("names")
        labels = None if groups is None or all(g < 0 for g in groups) else np.array(groups, dtype=np.int64)
        cls = edata.Dataset if labels is None or labels.min() >= 0 else (grouped or _Grouped)
        return cls(X, labels=labels, point_names=tuple(names) if names is not None else None,
                   name=session.name or "", source="")
    except SessionError:
        raise
    except ValueError as exc:  # DataError, ParamError
        raise SessionError(f"{where}: the data cannot be made: {exc}") from None


def start_groups(labels) -> np.ndarray | None:
    """HAC's starting partition from a data set's groups: ``-1`` points get groups of their own."""
    if labels is None:
        return None
    lab = np.asarray(labels, dtype=np.int64)
    free = lab < 0
    if free.any():
        lab = lab.copy()
        lab[free] = lab.max(initial=-1) + 1 + np.arange(int(free.sum()))
    return lab


def run_input(session: Session, dataset: edata.Dataset | None = None) -> tuple[np.ndarray, dict]:
    """The (n, d) array the algorithm runs on and the keyword arguments of its ``steps``.

    Raises
    ------
    SessionError
        Settings that do not fit the data (``k`` above the number of points,
        starting centres of the wrong width, starting groups without groups, ...).
    """
    ds = make_dataset(session) if dataset is None else dataset
    where = f"{session.label}: algorithm {session.algorithm}"
    X = edata.standardize(ds.X) if session.standardize else ds.X
    kwargs = dict(session.params)
    extra = session.extra
    alg = session.algorithm
    if alg == "hac" and extra.get("start_from_groups"):
        if ds.labels is None:
            _fail(where, "start_from_groups is true but the data have no groups; set it to false or give groups.")
        kwargs["clusters"] = start_groups(ds.labels)
    elif alg == "kmeans" and "init" in extra:
        init = np.asarray(extra["init"], dtype=np.float64)
        if init.shape[1] != X.shape[1]:
            _fail(where, f"init has {init.shape[1]} columns but the data have {X.shape[1]} features.")
        kwargs["init"] = init
    elif alg == "kmeans" and "init_points" in extra:
        idx = list(extra["init_points"])
        if max(idx) >= X.shape[0]:
            _fail(where, f"init_points names point {max(idx)} but the data have {X.shape[0]} points (0..{X.shape[0] - 1}).")
        kwargs["init"] = np.array(X[idx], dtype=np.float64)
    elif alg == "gmm" and "means" in extra:
        means = np.asarray(extra["means"], dtype=np.float64)
        if means.shape[1] != X.shape[1]:
            _fail(where, f"means has {means.shape[1]} columns but the data have {X.shape[1]} features.")
        kwargs["init"] = placed_means_init(means, X, kwargs.get("covariance", "full"))
    elif alg == "gmm" and "init" in extra:
        kwargs["init"] = {k: np.asarray(v, dtype=np.float64) for k, v in extra["init"].items()}
    elif alg == "bernoulli":
        if "init" in extra:
            init = extra["init"]
            kwargs["init"] = {k: np.asarray(v, dtype=np.float64) for k, v in init.items()} \
                if isinstance(init, dict) else np.asarray(init, dtype=np.float64)
        # as the window does: the data themselves (never standardized) binarized at the threshold
        X = edata.binarize(ds.X, extra.get("threshold", 0.5))
    return X, kwargs


def placed_means_init(means, X, covariance_type: str = "full") -> dict:
    """``init`` of :func:`engine.gmm.steps` from starting means (k, d): equal weights, covariances ``v * I``.

    ``v`` is the data's mean per-feature variance (1 when the data have no spread); the covariances
    have the shape ``covariance_type`` asks for. This is what the window does with placed means.

    Example
    -------
    >>> init = placed_means_init([[0.0, 0.0], [2.0, 0.0]], [[0.0, 0.0], [2.0, 0.0]], "spherical")
    >>> init["weights"].tolist(), init["covariances"].tolist()
    ([0.5, 0.5], [0.5, 0.5])
    """
    means = np.asarray(means, dtype=np.float64)
    k, d = means.shape
    v = float(np.asarray(X, dtype=np.float64).var(axis=0).mean())
    v = v if v > 0 and np.isfinite(v) else 1.0
    cov = {"full": lambda: np.broadcast_to(v * np.eye(d), (k, d, d)).copy(), "tied": lambda: v * np.eye(d),
           "diag": lambda: np.full((k, d), v), "spherical": lambda: np.full(k, v)}[covariance_type]()
    return {"weights": np.full(k, 1.0 / k), "means": means, "covariances": cov}


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


def _finite(v):
    v = float(v)
    return v if math.isfinite(v) else None


def summarize(session: Session, steps: list[Step], dataset: edata.Dataset | None = None) -> dict:
    """The outcome of a run as a JSON-ready dict (what ``render`` writes as ``result.json``).

    Keys: the session's name, algorithm and parameters, the data's size, the
    number of steps, whether the run is complete and why it stopped, every
    step's kind and description, the labels, centres and objective of the last
    step, the objective trace, and per algorithm: the linkage matrix (HAC),
    weights/means/covariances (Gaussian mixture), weights/probabilities
    (Bernoulli mixture).
    """
    if not steps:
        raise SessionError(f"{session.label}: the run has no steps.")
    last = steps[-1]
    alg = get_algorithm(session.algorithm)
    out = {
        "format": "clusterlab-result", "version": 1, "session": session.name, "algorithm": session.algorithm,
        "params": _tolist(dict(session.params)),
        "data": {"name": dataset.name, "n": dataset.n, "d": dataset.d} if dataset is not None else None,
        "standardize": session.standardize,
        "n_steps": len(steps), "step": len(steps) - 1, "complete": bool(last.done), "status": last.status,
        "iteration": last.iteration,
        "steps": [{"kind": s.kind, "description": s.description} for s in steps],
        "labels": None if last.labels is None else [int(v) for v in last.labels],
        "centers": None if last.centers is None else _tolist(np.asarray(last.centers)),
        "objective_name": alg.objective_name, "objective": _finite(last.objective),
        "trace": [_finite(v) for v in last.trace],
    }
    p = last.payload
    if session.algorithm == "hac" and "dendrogram" in p:
        dendro = p["dendrogram"]
        out["linkage"] = _tolist(np.asarray(dendro.linkage))
        out["heights"] = _tolist(np.asarray(dendro.heights))
        out["inversions"] = _tolist(np.asarray(dendro.inversions))
    elif session.algorithm == "gmm":
        for key in ("weights", "means", "covariances", "covariance_type"):
            if key in p:
                out[key] = _tolist(p[key])
        out["loglik"] = [_finite(s.objective) for s in steps if s.kind in ("init", "M")]
    elif session.algorithm == "bernoulli":
        for key in ("weights", "probs", "loglik", "logpost"):
            if key in p:
                out[key] = _tolist(p[key])
    return out


# ------------------------------------------------------------------------ shipped sessions
def sessions_dir() -> Path:
    """Folder of the shipped exercise sessions (``resources/sessions``, else ``sys.prefix/share/clusterlab``)."""
    import sys
    for c in (Path(__file__).resolve().parents[1] / "resources" / "sessions",
              Path(sys.prefix) / "share" / "clusterlab" / "sessions"):
        if c.is_dir():
            return c
    return Path(__file__).resolve().parents[1] / "resources" / "sessions"


def shipped_sessions() -> dict[str, tuple[Path, str]]:
    """Shipped sessions by name (the file stem): (path, one-line description), in file-name order.

    Files that cannot be read are listed with their problem as the description.
    """
    out = {}
    folder = sessions_dir()
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            s = load_session(path, validate_data=False)
            out[path.stem] = (path, s.description or s.name)
        except SessionError as exc:
            out[path.stem] = (path, f"(cannot be read: {exc})")
    return out


def find_session(spec: str) -> Path:
    """``"example:NAME"`` -> the shipped session's path; anything else is taken as a file path."""
    if spec.startswith("example:"):
        name = spec.split(":", 1)[1]
        shipped = shipped_sessions()
        if name not in shipped:
            raise SessionError(f"unknown example session {name!r}; known: {', '.join(shipped) or 'none'}.")
        return shipped[name][0]
    return Path(spec)
