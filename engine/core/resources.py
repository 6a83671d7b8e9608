"""Files shipped with Clusterlab: the ``resources`` package data (MNIST test set, example sessions).

They are found through :mod:`importlib.resources`, so the same lookup works in a
source checkout (``python main.py``), after ``pip install -e .``, ``pip install .``,
``pip install --user .`` and from a wheel: ``resources`` is installed as a package
beside ``engine`` and ``gui`` (``[tool.setuptools.package-data]`` in ``pyproject.toml``).
Clusterlab needs its resources as files on disk (not inside a zip archive).

Example
-------
>>> resource_path("sessions").is_dir()
True
>>> resource_path("sessions", "ex3-kmeans.json").name
'ex3-kmeans.json'
"""
from __future__ import annotations

import importlib.resources
from pathlib import Path

__all__ = ["PACKAGE", "resource_path"]

#: The package holding the shipped files.
PACKAGE = "resources"


def resource_path(*parts: str) -> Path:
    """The path of a shipped file or folder: ``resource_path("sessions")``, ``resource_path()`` for the folder itself.

    The path is returned whether or not that file exists (callers say what is missing).

    Raises
    ------
    FileNotFoundError
        The ``resources`` package is not installed, or not as files on disk.
    """
    try:
        root = importlib.resources.files(PACKAGE)
    except ModuleNotFoundError:
        raise FileNotFoundError(f"Clusterlab's shipped files (the {PACKAGE!r} package) are missing; "
                                "reinstall Clusterlab.") from None
    target = root
    for part in parts:
        target = target.joinpath(part)
    path = Path(str(target))
    if not path.is_absolute() or not Path(str(root)).is_dir():
        raise FileNotFoundError(f"Clusterlab's shipped files must be installed as files on disk; found {root!r}.")
    return path
