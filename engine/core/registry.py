"""The one registry of algorithms: the entry-point group ``clusterlab.algorithms``.

An algorithm is registered once, by an entry point whose object is an
:class:`Algorithm`. Clusterlab's own algorithms are registered the same way
(``[project.entry-points."clusterlab.algorithms"]`` in ``pyproject.toml``), so
a separate pip-installed package adds one by declaring, in its own
``pyproject.toml``::

    [project.entry-points."clusterlab.algorithms"]
    dbscan = "my_package.engine:ALGORITHM"

with ``ALGORITHM = Algorithm(name="dbscan", ..., gui="my_package.gui:DbscanPlugin")``.
Menus, parameter forms, sessions (read, write, run), ``render`` and the
examples list all come from :func:`algorithms`.

A source checkout that was never installed has no entry-point metadata; the
entry points are then read from the checkout's ``pyproject.toml`` (the same
lines, so there is still one place that registers an algorithm).

Example
-------
>>> list(algorithms())[:4]
['hac', 'kmeans', 'gmm', 'bernoulli']
>>> get_algorithm("kmeans").title
'K-means / K-medians / K-medoids'
"""
from __future__ import annotations

import importlib
import importlib.metadata
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from engine.core.params import ParamError, validate_params

__all__ = ["GROUP", "Algorithm", "SessionEntries", "algorithms", "get_algorithm", "refresh", "load_object",
           "markdown_table"]

GROUP = "clusterlab.algorithms"


@dataclass(frozen=True)
class SessionEntries:
    """What an algorithm keeps in a session file beside its parameters (all optional).

    Parameters
    ----------
    keys : tuple of str
        Entries allowed in a session's ``"algorithm"`` object beside ``name`` and ``params``
        (starting centres, a starting partition switch, ...).
    parse : callable, optional
        ``parse(entries, params) -> extra``: ``entries`` holds the keys of ``keys`` that the
        file has (decoded JSON); ``params`` the raw parameter values, which ``parse`` may
        complete (``k`` from the number of given centres). Returns the checked entries (numpy
        arrays allowed); raises :class:`~engine.core.params.ParamError` with a message.
    inputs : callable, optional
        ``inputs(extra, dataset, X, kwargs) -> (X, kwargs)``: the data the algorithm runs on and
        the keyword arguments of ``steps`` for these entries (raises ``ParamError`` when they do
        not fit the data). Default: ``X`` and the parameters unchanged.
    summary : callable, optional
        ``summary(steps) -> dict``: extra keys of ``render``'s ``result.json`` (the fitted
        parameters, a linkage matrix, ...), JSON-ready or numpy.
    replaces : dict
        entry -> parameter it replaces: when the session has the entry (given starting
        centres), the parameter (the initialisation method) is left out of the session.
    work : callable, optional
        ``work(extra, dataset, X, kwargs) -> dict``: computations the entries ask for beside the
        run (a sweep over K), done headless; ``render`` runs them while its window starts and
        hands them to the plugin (``AlgorithmPlugin.session_work``), which uses them instead of
        computing again.
    """

    keys: tuple = ()
    parse: Callable[[dict, dict], dict] | None = None
    inputs: Callable[..., tuple] | None = None
    summary: Callable[[list], dict] | None = None
    replaces: dict = field(default_factory=dict)
    work: Callable[..., dict] | None = None


@dataclass(frozen=True)
class Algorithm:
    """What the window, the session files and ``render`` need to know about one algorithm.

    Parameters
    ----------
    name : str
        Identifier used in session files and entry points (``"hac"``, ``"kmeans"``, ...).
    title : str
        Human name for menus.
    summary : str
        One sentence for lists of algorithms (the README's, ``clusterlab examples``).
    steps : callable
        The step generator, ``steps(X, **params)``.
    params : tuple of Param
        The parameters shown in forms (arrays such as explicit starting centres
        or starting partitions are passed by the GUI directly, not listed here).
    objective_name : str
        What ``Step.objective`` measures, for axis labels (whatever the parameters).
    objective_labels : callable, optional
        ``objective_labels(params) -> str``: what ``Step.objective`` measures for these parameter
        values, when that depends on them (K-means: squared ℓ2, ℓ1 or the medoids' metric). Read
        through :meth:`objective_label`, which falls back to ``objective_name``.
    objective_sense : {"min", "max", None}
        ``"min"``: must never increase; ``"max"``: must never decrease;
        ``None``: no monotonicity promise (HAC merge heights).
    fit : callable, optional
        ``fit(X, **params)``: the whole run's result. Default: the last step.
    gui : str
        ``"module:attribute"`` of the GUI plugin class (imported only by the window).
    order : int
        Place in menus (smaller first; Clusterlab's own use 10, 20, 30, 40).
    session : SessionEntries
        What a session keeps beside the parameters.
    example : dict
        The data of the algorithm's default session, as a session's ``"data"`` entry
        (``{"example": "five-points"}``, ``{"generator": "blobs", "n": 60, "seed": 0}``): what
        the conformance tests and a first look run it on.
    example_params : dict
        Parameter values of the default session beside the defaults (``{"k": 2}``).
    no_cluster : str
        What the window calls a point with label ``-1`` in this algorithm's steps
        (``"unassigned"`` before a first assignment; ``"noise"`` for a density method).
    working : callable, optional
        ``working(X, steps, index, params, names=None, rows=None) -> engine.core.working.Working``:
        the arithmetic of ``steps[index]`` as tables, recomputed by the textbook formula (see
        :mod:`engine.core.working`); the Working view, ``render --working`` and the quiz read it.
    """

    name: str
    title: str
    steps: Callable
    summary: str = ""
    params: tuple = field(default_factory=tuple)
    objective_name: str = "objective"
    objective_sense: str | None = "min"
    fit: Callable | None = None
    gui: str = ""
    order: int = 100
    session: SessionEntries = field(default_factory=SessionEntries)
    example: dict = field(default_factory=lambda: {"generator": "blobs", "n": 60, "seed": 0})
    example_params: dict = field(default_factory=dict)
    no_cluster: str = "unassigned"
    objective_labels: Callable | None = None
    working: Callable | None = None

    def objective_label(self, params: Mapping[str, Any] | None = None) -> str:
        """What ``Step.objective`` measures for the parameter values ``params``: the timeline's, the objective
        views' and ``result.json``'s name of the objective (``objective_name`` unless ``objective_labels`` says more).
        """
        if self.objective_labels is None or params is None:
            return self.objective_name
        try:
            text = self.objective_labels({**self.defaults(), **dict(params)})
        except (KeyError, TypeError, ValueError):
            return self.objective_name
        return str(text) if text else self.objective_name

    def defaults(self) -> dict:
        return {p.name: p.default for p in self.params}

    def validate(self, values: Mapping[str, Any]) -> dict:
        return validate_params(self.params, values, fill_defaults=True)


def load_object(spec: str):
    """The object ``"package.module:attribute"`` names (imported now)."""
    module, _, attr = spec.partition(":")
    obj = importlib.import_module(module)
    for part in filter(None, attr.split(".")):
        obj = getattr(obj, part)
    return obj


def _checkout_entry_points() -> dict[str, str]:
    """name -> "module:attr" from the ``pyproject.toml`` of a source checkout ({} when installed)."""
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    if not pyproject.is_file():
        return {}
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    with open(pyproject, "rb") as f:
        project = tomllib.load(f).get("project", {})
    if project.get("name") != "clusterlab":
        return {}
    return dict(project.get("entry-points", {}).get(GROUP, {}))


_CACHE: dict[str, Algorithm] | None = None


def refresh() -> None:
    """Forget the algorithms found so far (after a package was installed or removed)."""
    global _CACHE
    _CACHE = None


def algorithms() -> dict[str, Algorithm]:
    """Every registered algorithm, by name, in menu order.

    An entry point that cannot be loaded, or whose object is not an :class:`Algorithm`
    named like its entry point, raises: a broken plugin should say so, not vanish.
    """
    global _CACHE
    if _CACHE is None:
        specs = {ep.name: ep.value for ep in importlib.metadata.entry_points(group=GROUP)}
        specs.update(_checkout_entry_points())  # a checkout's own list wins over stale metadata
        found = {}
        for name, spec in specs.items():
            alg = load_object(spec)
            if not isinstance(alg, Algorithm) or alg.name != name:
                raise TypeError(f"entry point {name} = {spec!r} of group {GROUP} should name an "
                                f"engine.core.registry.Algorithm called {name!r}.")
            found[name] = alg
        _CACHE = dict(sorted(found.items(), key=lambda item: (item[1].order, item[0])))
    return dict(_CACHE)


def markdown_table() -> str:
    """The registered algorithms as a Markdown table (the README's list is this text; a test keeps it so).

    >>> markdown_table().splitlines()[0]
    '| algorithm | session name | what it shows |'
    """
    rows = ["| algorithm | session name | what it shows |", "| --- | --- | --- |"]
    rows += [f"| {a.title} | `{a.name}` | {a.summary} |" for a in algorithms().values()]
    return "\n".join(rows)


def get_algorithm(name: str) -> Algorithm:
    """The :class:`Algorithm` called ``name``; a clear error for an unknown one."""
    algs = algorithms()
    if name not in algs:
        raise ParamError(f"unknown algorithm {name!r}; choose one of {', '.join(algs)}.")
    return algs[name]
