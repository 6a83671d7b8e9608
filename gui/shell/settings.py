"""What Clusterlab remembers between sessions, in one place.

Settings live in a :class:`QSettings` store. Normally that is the per-user
INI file of the organisation/application "Clusterlab"; when the environment
variable ``CLUSTERLAB_SETTINGS_DIR`` is set (the tests set it), the store is
``$CLUSTERLAB_SETTINGS_DIR/clusterlab.ini`` instead, so a test never reads or
writes a person's real settings.

Keys
----
``window/geometry``, ``window/state``   QMainWindow geometry and dock/toolbar state (bytes)
``files/last_folder``                   the folder of the last file dialog
``files/recent``                        up to :data:`MAX_RECENT` recently opened files, newest first
``player/speed``                        steps per second of the timeline
``algorithm/last``                      ``Algorithm.name`` of the last chosen algorithm
``startup/data``                        what to load at start: ``""`` (an empty canvas, the default),
                                        ``"example:NAME"``, ``"mnist"`` or a file path
"""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

__all__ = ["Settings", "make_qsettings", "MAX_RECENT", "ORGANISATION", "APPLICATION"]

ORGANISATION = "Clusterlab"
APPLICATION = "Clusterlab"
MAX_RECENT = 8
ENV_DIR = "CLUSTERLAB_SETTINGS_DIR"


def make_qsettings() -> QSettings:
    """The QSettings store (an explicit INI file under ``$CLUSTERLAB_SETTINGS_DIR`` when that is set)."""
    folder = os.environ.get(ENV_DIR)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        return QSettings(str(Path(folder) / "clusterlab.ini"), QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION)


class Settings:
    """Typed access to the keys listed in the module docstring."""

    def __init__(self, store: QSettings | None = None):
        self.store = store if store is not None else make_qsettings()

    # ------------------------------------------------------------- helpers
    def _get(self, key: str, default, kind):
        value = self.store.value(key, default)
        if value is None:
            return default
        try:
            if kind is bool:
                return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")
            return kind(value)
        except (TypeError, ValueError):
            return default

    def sync(self):
        self.store.sync()

    # ------------------------------------------------------------- window
    def geometry(self) -> QByteArray | None:
        v = self.store.value("window/geometry")
        return v if isinstance(v, QByteArray) and not v.isEmpty() else None

    def state(self) -> QByteArray | None:
        v = self.store.value("window/state")
        return v if isinstance(v, QByteArray) and not v.isEmpty() else None

    def set_window(self, geometry: QByteArray, state: QByteArray):
        self.store.setValue("window/geometry", geometry)
        self.store.setValue("window/state", state)

    # ------------------------------------------------------------- files
    def last_folder(self) -> str:
        folder = self._get("files/last_folder", "", str)
        return folder if folder and Path(folder).is_dir() else str(Path.home())

    def set_last_folder(self, folder: str):
        self.store.setValue("files/last_folder", str(folder))

    def recent_files(self) -> list[str]:
        value = self.store.value("files/recent", [])
        if isinstance(value, str):  # INI stores a one-element list as a plain string
            value = [value]
        return [str(v) for v in (value or []) if v][:MAX_RECENT]

    def set_recent_files(self, paths: list[str]):
        self.store.setValue("files/recent", list(paths)[:MAX_RECENT])

    def add_recent_file(self, path: str) -> list[str]:
        """Put ``path`` first (no duplicates, at most :data:`MAX_RECENT`) and return the new list."""
        path = str(Path(path).resolve())
        paths = [path] + [p for p in self.recent_files() if p != path]
        self.set_recent_files(paths[:MAX_RECENT])
        self.set_last_folder(str(Path(path).parent))
        return self.recent_files()

    def remove_recent_file(self, path: str):
        self.set_recent_files([p for p in self.recent_files() if p != str(path)])

    # ------------------------------------------------------------- run
    def speed(self, default: float = 4.0) -> float:
        return self._get("player/speed", default, float)

    def set_speed(self, steps_per_second: float):
        self.store.setValue("player/speed", float(steps_per_second))

    def last_algorithm(self) -> str:
        return self._get("algorithm/last", "", str)

    def set_last_algorithm(self, name: str):
        self.store.setValue("algorithm/last", str(name))

    def startup_data(self) -> str:
        return self._get("startup/data", "", str)

    def set_startup_data(self, source: str):
        self.store.setValue("startup/data", str(source))
