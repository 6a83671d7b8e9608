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
     "step": "last" | 7}

Algorithm-specific entries (beside ``name`` and ``params``):

* ``hac``: ``"start_from_groups": true`` - the data's groups are the starting
  partition (points in group ``-1`` start on their own).
* ``kmeans``: ``"init": [[...], ...]`` (k x d starting centres, in the
  coordinates the algorithm runs on, i.e. z-scores when standardizing) or
  ``"init_points": [0, 2]`` (start from these data points); ``k`` follows.
  ``"sweep": {"ks": [5, 10, 20], "restarts": 3, "seed": 0}``: also run
  :func:`engine.kmeans.sweep` over these K with this many random restarts
  (the window's "Restarts & K" tab; the run shown on the timeline is the
  one the parameters describe).
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
>>> s.algorithm, s.params["linkage"], s.data
('hac', 'max', {'example': 'one-d'})
"""
from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from engine import data as edata
from engine.core.params import ParamError
from engine.core.registry import get_algorithm

__all__ = ["FORMAT", "VERSION", "MAX_FILE_BYTES", "DATA_KINDS", "EXTRAS", "SWEEP_LIMITS", "SessionError",
           "Session", "session_from_dict", "session_to_dict", "to_json_ready"]

FORMAT = "clusterlab-session"
VERSION = 1
MAX_FILE_BYTES = 64 * 1024 ** 2  # a session with hand-made points stays far below this
DATA_KINDS = ("example", "generator", "mnist", "path", "points")
#: Algorithm-specific entries allowed beside "name" and "params".
EXTRAS = {"hac": ("start_from_groups",), "kmeans": ("init", "init_points", "sweep"), "gmm": ("init", "means"),
          "bernoulli": ("init", "threshold")}
TOP_KEYS = ("format", "version", "name", "description", "data", "transform", "algorithm", "step")
#: Bounds of a K-means sweep entry: at most this many K values and restarts per K.
SWEEP_LIMITS = {"ks": 30, "restarts": 50}


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
        Every parameter of the algorithm, validated by :mod:`engine.core.params`.
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
    if name == "kmeans" and "sweep" in a:
        extra["sweep"] = _parse_sweep(w, a["sweep"])
    try:
        params = alg.validate(raw)
    except ParamError as exc:
        _fail(w, str(exc))
    if extra.keys() & {"init", "init_points", "means"} and name in ("kmeans", "gmm"):
        params.pop("init", None)
    return name, params, extra


def _parse_sweep(where, sweep) -> dict:
    """``{"ks": [...], "restarts": r, "seed": s}`` of a K-means sweep, checked and normalised."""
    _want(where, "sweep", sweep, dict, 'an object such as {"ks": [5, 10, 20], "restarts": 3, "seed": 0}')
    _no_more(f"{where}: sweep", sweep, ("ks", "restarts", "seed"))
    ks = sweep.get("ks")
    if not isinstance(ks, list) or not ks or len(ks) > SWEEP_LIMITS["ks"]:
        _fail(where, f"sweep.ks should be a list of 1 to {SWEEP_LIMITS['ks']} numbers of clusters, "
                     f"not {_short(ks)}.")
    ks = [_whole(where, f"sweep.ks[{i}]", k, 1) for i, k in enumerate(ks)]
    if len(set(ks)) != len(ks):
        _fail(where, f"sweep.ks {ks} repeats a K; give each number of clusters once.")
    restarts = _whole(where, "sweep.restarts", sweep.get("restarts", 3), 1, SWEEP_LIMITS["restarts"])
    seed = _whole(where, "sweep.seed", sweep.get("seed", 0), 0, 2 ** 32 - 1)
    return {"ks": ks, "restarts": restarts, "seed": seed}


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



def to_json_ready(v):
    """``v`` with ndarrays and numpy scalars turned into lists and Python numbers (for ``json.dumps``)."""
    return _tolist(v)
