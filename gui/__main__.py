"""``python -m gui``: the ``clusterlab`` command (:mod:`gui.shell.cli`)."""
import sys

from gui.shell.cli import main

if __name__ == "__main__":
    sys.exit(main())
