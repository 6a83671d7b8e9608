"""Regenerate ``docs/solutions/``: the worked solutions of the six exercises, as ``clusterlab render --working`` writes them.

::

    python docs/solutions/make.py                    # every exercise session (pdflatex makes the PDFs)
    python docs/solutions/make.py ex3-kmeans ex2-min # only these
    python docs/solutions/make.py --no-pdf           # without pdflatex: the shipped PDFs are left as they are

For every exercise session NAME this runs ::

    clusterlab render example:NAME --out TMP --working --no-svg --size 640x480 [--steps 1,2,3]

(through :func:`gui.shell.render.main`, headless) and keeps, in ``docs/solutions/NAME/``, exactly
``solution.md``, ``solution.tex`` and the PNG figures they show (not ``working.json``, ``result.json``
or the views the documents do not show). The two MNIST exercises (``ex4-mnist-kmeans``,
``ex5-mnist-bernoulli``) are rendered with ``--steps 1,2,3``: the solution of their first three
steps (the start, the first assignment or E-step, the first update or M-step); their whole runs
(70 and 127 steps, 31 scatter figures of 6,000 digits each) would add about 8 MB.

``solution.pdf`` is ``pdflatex solution.tex`` (run until its cross references settle, with
``SOURCE_DATE_EPOCH`` fixed so the file is the same on every run); it is kept for the sessions of
:data:`PDF_SHIPPED` only. Each folder is built beside the old one and swapped in at the end, so a
failed or stopped run leaves the shipped folder as it was.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

#: The exercise sessions (shipped in resources/sessions/) and the render options beyond :data:`COMMON`.
SESSIONS: dict[str, list[str]] = {
    **{f"ex1-{link}-{norm}": [] for link in ("min", "max", "avg", "centroid") for norm in ("l1", "l2", "linf")},
    "ex2-min": [],
    "ex2-max": [],
    "ex3-kmeans": [],
    "ex4-mnist-kmeans": ["--steps", "1,2,3"],
    "ex5-mnist-bernoulli": ["--steps", "1,2,3"],
    "ex6-gmm-elongated": [],
}
#: The render options of every solution: the worked solution, PNG only, modest figures.
COMMON = ["--working", "--no-svg", "--size", "640x480"]
#: The sessions whose solution PDF is shipped (a named list, not a size: a size limit flapped as figures changed;
#: exercise 3's is ~260 kB, the others' figures make theirs 0.3-2 MB).
PDF_SHIPPED = ("ex3-kmeans",)
#: The fixed date pdfTeX writes into the PDFs (2024-01-01), so that they are reproducible.
SOURCE_DATE_EPOCH = "1704067200"

_MD_FIGURE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
_TEX_FIGURE = re.compile(r"\\includegraphics(?:\[[^\]]*\])?\{([^}]+)\}")


def render_args(name: str, out: Path) -> list[str]:
    """The arguments of ``clusterlab render`` that write ``name``'s solution into ``out``."""
    return [f"example:{name}", "--out", str(out), *COMMON, *SESSIONS[name]]


def figures_of(folder: Path) -> list[str]:
    """The figure files ``solution.md`` shows, in order; ``solution.tex`` must show the same ones."""
    md = _MD_FIGURE.findall((folder / "solution.md").read_text(encoding="utf-8"))
    tex = _TEX_FIGURE.findall((folder / "solution.tex").read_text(encoding="utf-8"))
    if sorted(set(md)) != sorted(set(tex)):
        raise RuntimeError(f"{folder}: solution.md shows {sorted(set(md))} but solution.tex {sorted(set(tex))}")
    return list(dict.fromkeys(md))


def make_pdf(folder: Path, keep: bool = True) -> Path | None:
    """``pdflatex solution.tex`` in ``folder`` (at most three runs, until no rerun is asked for); the PDF's
    path when ``keep`` (its session is one of :data:`PDF_SHIPPED`), else None (it is removed: compiling still checks
    the document). The auxiliary files go."""
    env = dict(os.environ, SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH, FORCE_SOURCE_DATE="1")
    try:
        for _ in range(3):
            run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "solution.tex"],
                                 cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
            if run.returncode != 0:
                tail = run.stdout.decode("utf-8", "replace").strip().splitlines()[-15:]
                raise RuntimeError(f"pdflatex failed on {folder.name}/solution.tex:\n" + "\n".join(tail))
            log = (folder / "solution.log").read_text(encoding="utf-8", errors="replace")
            if "Rerun to get" not in log:
                break
    finally:
        for ext in (".aux", ".log", ".out", ".toc"):
            (folder / f"solution{ext}").unlink(missing_ok=True)
    pdf = folder / "solution.pdf"
    if keep:
        return pdf
    pdf.unlink()
    return None


def regenerate(name: str, dest_root: Path, pdf: bool) -> Path:
    """Render ``name``'s solution and put its shipped files into ``dest_root/name`` (swapped in whole)."""
    from gui.shell import render

    dest = dest_root / name
    with tempfile.TemporaryDirectory(prefix=f".{name}-", dir=dest_root) as tmp:
        rendered, ship = Path(tmp) / "render", Path(tmp) / "ship"
        code = render.main(render_args(name, rendered))
        if code != 0:
            raise RuntimeError(f"clusterlab render example:{name} failed (exit code {code})")
        ship.mkdir()
        for file in ("solution.md", "solution.tex", *figures_of(rendered)):
            shutil.copy2(rendered / file, ship / file)
        if pdf:
            make_pdf(ship, keep=name in PDF_SHIPPED)
        elif (dest / "solution.pdf").is_file():  # --no-pdf: the shipped PDF stays (it may be stale)
            shutil.copy2(dest / "solution.pdf", ship / "solution.pdf")
        old = Path(tmp) / "old"
        if dest.exists():
            dest.rename(old)
        ship.rename(dest)
    return dest


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="Regenerate the shipped worked solutions of the exercises "
                                "(docs/solutions/NAME/: solution.md, solution.tex, their figures and a small PDF).")
    p.add_argument("names", nargs="*", metavar="NAME", help="exercise sessions to regenerate (default: all: "
                   + ", ".join(SESSIONS) + ")")
    p.add_argument("--no-pdf", action="store_true", help="do not run pdflatex; the shipped PDFs are kept as they are")
    p.add_argument("--out", type=Path, default=HERE, help="the folder of the solutions (default: docs/solutions)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    unknown = [n for n in args.names if n not in SESSIONS]
    if unknown:
        print(f"make.py: not an exercise session: {', '.join(unknown)} (known: {', '.join(SESSIONS)})",
              file=sys.stderr)
        return 2
    if not args.no_pdf and shutil.which("pdflatex") is None:
        print("make.py: pdflatex is not installed; give --no-pdf to keep the shipped PDFs as they are",
              file=sys.stderr)
        return 2
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="clusterlab-solutions-settings-") as settings:
        os.environ.setdefault("CLUSTERLAB_SETTINGS_DIR", settings)
        for name in args.names or list(SESSIONS):
            try:
                dest = regenerate(name, args.out, pdf=not args.no_pdf)
            except (OSError, RuntimeError) as exc:
                print(f"make.py: {name}: {exc}", file=sys.stderr)
                return 1
            files = sorted(p.name for p in dest.iterdir())
            size = sum(p.stat().st_size for p in dest.iterdir())
            print(f"{name}: {len(files)} files, {size / 1e3:.0f} kB{' with solution.pdf' if 'solution.pdf' in files else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
