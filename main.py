"""Clusterlab's launcher in a source checkout: ``python main.py [FILE | render ... | examples | --help]``.

It only calls the ``clusterlab`` command, :func:`gui.shell.cli.main` (installed
as the ``clusterlab`` script; ``python -m gui`` is the same).
"""
from __future__ import annotations

import sys

from gui.shell.cli import main

if __name__ == "__main__":
    sys.exit(main())
