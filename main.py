"""Clusterlab's entry point: ``python main.py [FILE | --example NAME | --mnist]``.

``main()`` is also the ``clusterlab`` console command. Subcommands are
dispatched on ``argv[1]`` before the GUI is imported, so a command-line tool
never needs a display.
"""
from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run Clusterlab; ``argv`` are the arguments after the program name (default: ``sys.argv[1:]``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "render":
        # figures without a window: ``python main.py render ...`` (gui/shell/render.py)
        from gui.shell.render import main as render_main
        return int(render_main(args[1:]) or 0)
    from gui.shell.app import run
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
