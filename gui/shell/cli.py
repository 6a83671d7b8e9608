"""The ``clusterlab`` command (also ``python -m gui`` and ``python main.py``).

::

    clusterlab [FILE]                 the window, with a data file or a session .json
    clusterlab --example NAME         ... with an example data set or example session
    clusterlab --mnist                ... with 6,000 MNIST test images
    clusterlab render SESSION --out DIR [...]   figures and result.json, no display needed
    clusterlab examples               the example sessions and data sets
    clusterlab --help | --version

The commands are argparse subcommands (``open``, the default, ``render`` and
``examples``); a first argument that is not a command name means ``open``.
``render``'s arguments go unchanged to :func:`gui.shell.render.main`. Parsing,
``--help``, ``--version``, ``examples`` and ``render`` import no Qt here: only
opening the window does (:func:`gui.shell.app.run`).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

__all__ = ["main", "build_parser", "list_examples", "startup_choice", "COMMANDS"]

#: The subcommands, with their one-line help.
COMMANDS = {
    "open": "open the window (the default: `clusterlab FILE` is `clusterlab open FILE`)",
    "render": "write a session's figures and result.json without a window (`clusterlab render --help`)",
    "examples": "list the example sessions and the example data sets",
}

USAGE = """clusterlab [-h] [--version] [FILE | --example NAME | --mnist]
       clusterlab render SESSION --out DIR [--steps 1,5,last] [--gif] [--working] [...]
       clusterlab examples"""

EPILOG = """opening the window:
  clusterlab FILE          a data file (CSV/TSV/text, .npy/.npz, MNIST IDX) or a session (.json)
  clusterlab --example NAME
                           an example data set or example session (see `clusterlab examples`)
  clusterlab --mnist       6,000 MNIST test images
"""


def _version() -> str:
    import engine
    return f"Clusterlab {engine.__version__}"


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command (``render``'s own options are parsed by :mod:`gui.shell.render`)."""
    parser = argparse.ArgumentParser(
        prog="clusterlab", usage=USAGE, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Watch clustering and mixture-model algorithms work, step by step, and export the figures.")
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    op = sub.add_parser("open", prog="clusterlab [open]", help=COMMANDS["open"], description="Open the window.")
    op.add_argument("file", nargs="?", metavar="FILE",
                    help="a data file (CSV/TSV/text, .npy/.npz, MNIST IDX), a session (.json) "
                         "or example:SESSION")
    op.add_argument("--example", metavar="NAME",
                    help="an example data set or example session (see `clusterlab examples`)")
    op.add_argument("--mnist", action="store_true", help="6,000 MNIST test images")
    op.add_argument("--version", action="version", version=_version())
    sub.add_parser("render", help=COMMANDS["render"], add_help=False)  # dispatched before parsing
    sub.add_parser("examples", prog="clusterlab examples", help=COMMANDS["examples"],
                   description=COMMANDS["examples"].capitalize() + ".")
    return parser


def list_examples(out=None) -> int:
    """Print the registered algorithms, the shipped example sessions and the example data sets, with how to
    open them; exit code."""
    from engine import data as edata
    from engine.core.registry import algorithms
    from engine.session import shipped_sessions

    out = out if out is not None else sys.stdout
    sessions = shipped_sessions()
    sets = dict(edata.EXAMPLES)
    sets["mnist"] = "6,000 handwritten digits of the MNIST test set (also: clusterlab --mnist)."
    algs = algorithms()
    width = max(len(n) for n in [*sessions, *sets, *algs])
    print("Algorithms (a session's algorithm.name):", file=out)
    for name, alg in algs.items():
        print(f"  {name:<{width}}  {alg.title}: {alg.summary}", file=out)
    print(file=out)
    print("Example sessions (open: clusterlab --example NAME; "
          "figures: clusterlab render example:NAME --out DIR):", file=out)
    if not sessions:
        print("  (none found: the shipped sessions are missing; reinstall Clusterlab)", file=out)
    for name, (_, description) in sessions.items():
        print(f"  {name:<{width}}  {description}", file=out)
    print("\nExample data sets (open: clusterlab --example NAME):", file=out)
    for name, description in sets.items():
        print(f"  {name:<{width}}  {description}", file=out)
    return 0 if sessions else 1


def startup_choice(ns: argparse.Namespace) -> tuple[str | None, Path | None]:
    """``(startup, session)`` for the window from the ``open`` arguments.

    ``startup`` is what :meth:`MainWindow.open_source` opens (a data file path,
    ``"example:NAME"``, ``"mnist"``); ``session`` a session file for the window's
    session controller. At most one is not None. Raises ``ValueError`` with a
    message for an unknown example name.
    """
    from engine.data import EXAMPLES

    if ns.file:
        if ns.file.startswith("example:"):
            return None, _shipped(ns.file.split(":", 1)[1])
        if ns.file.lower().endswith(".json"):
            return None, Path(ns.file)
        return ns.file, None
    if ns.example:
        if ns.example == "mnist":
            return "mnist", None
        if ns.example in EXAMPLES:
            return f"example:{ns.example}", None
        return None, _shipped(ns.example)
    if ns.mnist:
        return "mnist", None
    return None, None


def _shipped(name: str) -> Path:
    from engine import data as edata
    from engine.session import shipped_sessions

    sessions = shipped_sessions()
    if name not in sessions:
        known = [*edata.EXAMPLES, "mnist", *sessions]
        raise ValueError(f"unknown example {name!r}; known: {', '.join(known)} (see `clusterlab examples`).")
    return sessions[name][0]


def main(argv: list[str] | None = None) -> int:
    """Run the ``clusterlab`` command; ``argv`` are the arguments after the program name
    (default: ``sys.argv[1:]``). Returns the exit code (``--help``/``--version`` raise ``SystemExit(0)``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "render":
        from gui.shell.render import main as render_main
        return int(render_main(args[1:]) or 0)
    if not args or (args[0] not in COMMANDS and args[0] not in ("-h", "--help", "--version")):
        args.insert(0, "open")
    ns = build_parser().parse_args(args)
    if ns.command == "examples":
        try:
            return list_examples()
        except BrokenPipeError:  # `clusterlab examples | head`: the reader has gone; not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
    try:
        startup, session = startup_choice(ns)
    except ValueError as exc:
        print(f"clusterlab: {exc}", file=sys.stderr)
        return 2
    from gui.shell.app import run
    return run(startup=startup, session=session)


if __name__ == "__main__":
    sys.exit(main())
