"""The session file format: what a session may say, checked before anything runs.

A session names data and settings; it never runs code: it is JSON (never
pickle), every entry is checked here against the list of what is allowed,
and the algorithm's parameters are validated by :mod:`engine.core.params`.
Reading, writing and running sessions is :mod:`engine.session`.

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
     "step": "last" | 7,      (the step's 0-based index, at most MAX_STEP = 10,000,000; the window's
                               timeline, render --steps and result.json call index 7 "step 8")
     "quiz": true,            (optional: open in "Predict the next step" mode)
     "compare": {"algorithm": {"name": "spectral", "params": {...}, ...}, "linked": true}}
                              (optional: View > Side by side, a second run on the same data in the
                               right pane, its timeline linked to the first or not)

Algorithm-specific entries (beside ``name`` and ``params``) are declared by each
algorithm (:class:`engine.core.registry.SessionEntries`, in ``engine/<name>/entries.py``):
starting centres, a starting partition, a threshold, a sweep over K. This module
names no algorithm; it asks the registry which entries an algorithm keeps and lets
the algorithm check them.

Every error a file can cause raises :class:`SessionError` (a ``ValueError``)
whose message names the file and says what to do.

Example
-------
>>> s = session_from_dict({"format": "clusterlab-session", "version": 1, "name": "demo",
...     "data": {"example": "one-d"}, "algorithm": {"name": "hac", "params": {"linkage": "max"}}})
>>> s.algorithm, s.params["linkage"], s.data
('hac', 'max', {'example': 'one-d'})
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine import data as edata
from engine.core import entries
from engine.core.params import ParamError
from engine.core.registry import get_algorithm
from engine.core.steps import MAX_STEP  # the largest step index a session may name

__all__ = ["FORMAT", "VERSION", "MAX_FILE_BYTES", "MAX_STEP", "DATA_KINDS", "SessionError",
           "Session", "session_from_dict", "session_to_dict", "to_json_ready"]

FORMAT = "clusterlab-session"
VERSION = 1
MAX_FILE_BYTES = 64 * 1024 ** 2  # a session with hand-made points stays far below this
DATA_KINDS = ("example", "generator", "mnist", "path", "points")
TOP_KEYS = ("format", "version", "name", "description", "data", "transform", "algorithm", "step", "quiz", "compare")

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
        The :attr:`Algorithm.name <engine.core.registry.Algorithm>` of a registered algorithm.
    params : dict
        Every parameter of the algorithm, validated by :mod:`engine.core.params`.
    extra : dict
        Algorithm-specific entries (arrays as ndarrays).
    step : int or "last"
        The step to show, as a 0-based index (the timeline shows it as ``step_number(step)`` = step + 1).
    quiz : bool
        Open in "Predict the next step" mode (for a class: with ``"step": 0``, every step is predicted
        before it is shown). Written only when true.
    compare : dict or None
        The second run of View > Side by side: ``{"algorithm": name, "params": {...}, "extra": {...},
        "linked": bool}`` (parameters validated like the first run's); None: one run. Written only when set.
    folder : Path or None
        Where relative data paths are looked up (the session file's folder).
    source : str
        The file the session came from ("" if built in memory), for messages.
    """

    name: str = ""
    description: str = ""
    data: dict = field(default_factory=dict)
    standardize: bool = False
    algorithm: str = ""
    params: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    step: int | str = "last"
    quiz: bool = False
    compare: dict | None = None
    folder: Path | None = None
    source: str = ""

    @property
    def label(self) -> str:
        """How messages name this session: the file name, or the session's name."""
        return Path(self.source).name if self.source else (self.name or "session")

    def replace(self, **changes) -> "Session":
        return dataclasses.replace(self, **changes)


# ------------------------------------------------------------------------ validation helpers
def _fail(where: str, text: str):
    raise SessionError(f"{where}: {text}")


def _checked(where, check, *args, **kwargs):
    """``check(*args, **kwargs)`` (an :mod:`engine.core.entries` check); its ParamError as a SessionError."""
    try:
        return check(*args, **kwargs)
    except ParamError as exc:
        _fail(where, str(exc))


def _want(where, key, value, kind, what):
    return _checked(where, entries.want, key, value, kind, what)


def _whole(where, key, value, low=None, high=None) -> int:
    return _checked(where, entries.whole, key, value, low, high)


def _no_more(where, d, allowed):
    _checked(where, entries.no_more, d, allowed)


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
                    _fail(w, f"generator option {key} should be a number, not {entries.short(value)}.")
                out[key] = value
        return out
    # hand-made points
    X = _checked(w, entries.matrix, "points", d["points"])
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


def _parse_algorithm(where, a) -> tuple[str, dict, dict]:
    """name, validated parameters and checked entries of a session's ``"algorithm"`` object."""
    _want(where, "algorithm", a, dict, "an object such as {\"name\": \"kmeans\", \"params\": {...}}")
    name = a.get("name")
    _want(where, "algorithm.name", name, str, "a string")
    alg = _checked(where, get_algorithm, name)
    raw = dict(_want(where, "algorithm.params", a.get("params", {}), dict, "an object of parameter values"))
    spec = alg.session
    w = f"{where}: algorithm {name}"
    _no_more(w, a, ("name", "params") + tuple(spec.keys))
    found = {key: a[key] for key in spec.keys if key in a}
    extra = _checked(w, spec.parse, found, raw) if found and spec.parse is not None else {}
    params = _checked(w, alg.validate, raw)
    for key, param in spec.replaces.items():
        if key in extra:
            params.pop(param, None)
    return name, params, extra


def _parse_compare(where, c) -> dict:
    """The checked ``"compare"`` object: the right pane's algorithm (as ``"algorithm"``) and ``linked``."""
    _want(where, "compare", c, dict, "an object such as {\"algorithm\": {\"name\": \"gmm\"}, \"linked\": true}")
    _no_more(f"{where}: compare", c, ("algorithm", "linked"))
    if "algorithm" not in c:
        _fail(where, "compare.algorithm is missing; e.g. {\"name\": \"gmm\", \"params\": {\"k\": 2}}.")
    name, params, extra = _parse_algorithm(f"{where}: compare", c["algorithm"])
    linked = _want(where, "compare.linked", c.get("linked", True), bool, "true or false")
    return {"algorithm": name, "params": params, "extra": extra, "linked": linked}


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
        _fail(where, f"this is not a Clusterlab session (format should be {FORMAT!r}, found {entries.short(fmt)}).")
    version = d.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        _fail(where, f"version should be a whole number >= 1, found {entries.short(version)}.")
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
        _fail(where, f"step should be a step index (0 = the first step, the timeline's step 1) or \"last\", not {step!r}.")
    if step != "last":
        step = _whole(where, "step", step, 0, MAX_STEP)
    quiz = _want(where, "quiz", d.get("quiz", False), bool, "true or false")
    compare = _parse_compare(where, d["compare"]) if "compare" in d else None
    return Session(name=name, description=description, data=data, standardize=standardize, algorithm=alg,
                   params=params, extra=extra, step=step, quiz=quiz, compare=compare,
                   folder=Path(folder) if folder is not None else None, source=str(source))


def session_to_dict(session: Session) -> dict:
    """The JSON-ready dict of ``session`` (the inverse of :func:`session_from_dict`)."""
    alg = {"name": session.algorithm, "params": _tolist(dict(session.params))}
    alg.update({k: _tolist(v) for k, v in session.extra.items()})
    out = {"format": FORMAT, "version": VERSION, "name": session.name, "description": session.description,
           "data": _tolist(dict(session.data)), "transform": {"standardize": bool(session.standardize)},
           "algorithm": alg, "step": session.step}
    if session.quiz:
        out["quiz"] = True
    if session.compare is not None:
        c = session.compare
        alg = {"name": c["algorithm"], "params": _tolist(dict(c["params"]))}
        alg.update({k: _tolist(v) for k, v in c.get("extra", {}).items()})
        out["compare"] = {"algorithm": alg, "linked": bool(c.get("linked", True))}
    return out



def to_json_ready(v):
    """``v`` with ndarrays and numpy scalars turned into lists and Python numbers (for ``json.dumps``)."""
    return _tolist(v)
