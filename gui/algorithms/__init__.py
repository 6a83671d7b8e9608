"""The window's algorithm plugins, one package each (``gui/algorithms/<name>/``), found through the registry.

Every registered :class:`engine.core.registry.Algorithm` names its plugin class in ``gui``
(``"gui.algorithms.hac.plugin:HacPlugin"``). :func:`plugin_entries` lists them in menu order without
importing any; :class:`PluginSet` is the window's list of plugins, each imported and created when it is
first needed (the window starts with the chosen algorithm's alone). :func:`plugin_classes` imports them
all. The shared base class lives in :mod:`gui.algorithms.base`.
"""
from __future__ import annotations

import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Callable

from engine.core.registry import Algorithm, algorithms, load_object

__all__ = ["PluginEntry", "PluginError", "PluginSet", "plugin_entries", "plugin_classes"]


class PluginError(RuntimeError):
    """A plugin that could not be imported or created (the message says which and why)."""


@dataclass(frozen=True)
class PluginEntry:
    """One algorithm's window part, not imported yet: its :class:`Algorithm` and how to import its class."""

    algorithm: Algorithm
    load: Callable[[], type]

    @classmethod
    def of_class(cls, plugin_class) -> "PluginEntry":
        """The entry of a plugin class imported already (its ``algorithm`` attribute)."""
        return cls(plugin_class.algorithm, lambda: plugin_class)


def plugin_entries(only=None) -> list[PluginEntry]:
    """The window parts of every registered algorithm that has one, in menu order (``only`` those
    algorithm names, when given: a window that shows one session needs one). Imports no plugin."""
    return [PluginEntry(alg, lambda spec=alg.gui: load_object(spec)) for alg in algorithms().values()
            if alg.gui and (only is None or alg.name in only)]


def plugin_classes(problems: list | None = None, only=None) -> list:
    """The plugin classes of :func:`plugin_entries`, imported now.

    A window part that cannot be imported is left out and described in ``problems`` (when a list
    is given; otherwise its error is raised), so one broken package leaves the others usable.
    """
    out = []
    for entry in plugin_entries(only):
        try:
            out.append(entry.load())
        except Exception as exc:
            if problems is None:
                raise
            traceback.print_exc()
            problems.append(_load_problem(entry.algorithm, exc))
    return out


def _load_problem(alg: Algorithm, exc: Exception) -> str:
    return f"The window part of {alg.title} ({alg.name}) could not be loaded: {type(exc).__name__}: {exc}"


class PluginSet(Sequence):
    """The window's plugins, in menu order: ``plugins[i]`` imports and creates plugin ``i`` the first time.

    ``make(cls) -> plugin`` creates one (the window passes itself to the class); every function given
    to :meth:`each` is called with each plugin made, so a window can wire a plugin when it appears.
    A plugin that fails to import or start raises :class:`PluginError` from ``plugins[i]`` (every time,
    with the same message); iterating skips it. :meth:`names`, :meth:`algorithms` and :meth:`index`
    answer from the registry, creating nothing.
    """

    def __init__(self, entries: list[PluginEntry], make: Callable):
        self._entries = list(entries)
        self._make = make
        self._made: dict[int, object] = {}
        self._failed: dict[int, str] = {}
        self._hooks: list[Callable] = []

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        i = range(len(self))[index]  # IndexError as a list gives it; negative indices count from the end
        if i in self._failed:
            raise PluginError(self._failed[i])
        if i not in self._made:
            self._create(i)
        return self._made[i]

    def __iter__(self):
        """Every plugin that can be made (creates them all; broken ones are skipped)."""
        for i in range(len(self)):
            try:
                yield self[i]
            except PluginError:
                continue

    def _create(self, i: int) -> None:
        entry = self._entries[i]
        try:
            cls = entry.load()
        except Exception as exc:
            traceback.print_exc()
            self._failed[i] = _load_problem(entry.algorithm, exc)
            raise PluginError(self._failed[i]) from None
        try:
            plugin = self._make(cls)
        except Exception as exc:
            traceback.print_exc()
            self._failed[i] = f"{entry.algorithm.title} ({entry.algorithm.name}) failed to start: {exc}"
            raise PluginError(self._failed[i]) from None
        self._made[i] = plugin
        for hook in self._hooks:
            hook(i, plugin)

    def algorithms(self) -> list[Algorithm]:
        """The :class:`Algorithm` of each plugin, in order (nothing is created)."""
        return [e.algorithm for e in self._entries]

    def names(self) -> list[str]:
        """Each plugin's algorithm name, in order (nothing is created)."""
        return [e.algorithm.name for e in self._entries]

    def index(self, value, *_args) -> int:
        """The index of the plugin of algorithm ``value`` (a name), of the plugin class ``value``, or of
        the plugin ``value`` itself; ValueError when there is none."""
        if isinstance(value, str):
            return self.names().index(value)
        if isinstance(value, type):
            for i, entry in enumerate(self._entries):
                if entry.algorithm is getattr(value, "algorithm", None) or i in self._made and isinstance(
                        self._made[i], value):
                    return i
            raise ValueError(f"The {value.__name__} is not installed in this window.")
        for i, plugin in self._made.items():
            if plugin is value:
                return i
        raise ValueError(f"{value!r} is not a plugin of this window.")

    def made(self) -> list:
        """The plugins created so far, in menu order."""
        return [self._made[i] for i in sorted(self._made)]

    def failed(self, index: int) -> str:
        """Why plugin ``index`` could not be made ("" when it was not tried or works)."""
        return self._failed.get(index, "")

    def each(self, hook: Callable) -> None:
        """Call ``hook(index, plugin)`` for every plugin made so far and for each one made later."""
        self._hooks.append(hook)
        for i in sorted(self._made):
            hook(i, self._made[i])
